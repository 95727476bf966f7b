"""Every lesson in tutorials/ runs as a script (in fast mode) and shows what it claims.

Each lesson is run in a subprocess, from an empty folder, with its pictures going to
a temporary folder; the test checks that it exits cleanly, wrote its pictures, and
printed the facts its prose promises (J = 33, dJ/db = 6, the flower accuracies, ...),
and that the numbers behind its gallery pictures are the gallery's (tests/test_gallery.py).
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from tests.test_gallery import check_gallery_numbers
from tests.test_lessons_new import NEW_LESSONS, assert_pictures_written, run_lesson

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = ROOT / "tutorials"
ALL_LESSONS = sorted(p.name for p in TUTORIALS.glob("week*.py"))
# The lessons of issue 15 are run and checked by tests/test_lessons_new.py.
LESSONS = [name for name in ALL_LESSONS if name not in NEW_LESSONS]
HAVE_DOT = shutil.which("dot") is not None


def graph_picture(stem: str, suffix: str = ".svg") -> str:
    """A Graphviz picture, or its .dot source where the dot program is missing."""
    return stem + (suffix if HAVE_DOT else ".dot")


# The pictures each lesson must write (dot-dependent ones fall back to .dot files).
PICTURES = {
    "week1_neurons.py": [
        "housing_neuron.png", graph_picture("housing_network", ".png"),
        graph_picture("network", ".png"), "costs.png", "hidden_activations.png",
    ],
    "week2_logistic_regression.py": [
        graph_picture("graph_J"), "slopes.png", "digits_examples.png", "cost_curve.png",
        "weights_and_accuracy.png", "vectorization.png",
    ] + (["backward_frames.gif", "backward_frames/index.html", "backward_frames/frame_003.svg"]
         if HAVE_DOT else ["backward_frames/frame_003.dot"]),
    "week3_shallow_network.py": [
        "decision_boundaries.png", "boundary_logistic.png", "boundary_shallow.png", "costs.png",
        "activations.png", "symmetry.png", "hidden_sizes.png", "hidden_50.png",
        graph_picture("network_graph"),
    ],
    "week4_deep_network.py": [
        "cost_curve.png", "learning_rates.png", "depths.png", "parity_sawtooth.png",
        "parity.png", graph_picture("building_blocks"),
    ],
}


def number_after(pattern: str, text: str) -> float:
    match = re.search(pattern + r"\s*(-?[0-9.]+)", text)
    assert match, f"the lesson did not print {pattern!r}"
    return float(match.group(1))


def check_week1(out: str) -> None:
    assert "price = max(0," in out
    assert number_after(r"breast cancer test accuracy: single neuron", out) > 0.9
    assert number_after(r"breast cancer test accuracy: single neuron [0-9.]+, network", out) > 0.9


def check_week2(out: str) -> None:
    assert "J = 33" in out
    assert "dJ/da = 3, dJ/db = 6, dJ/dc = 9" in out
    assert "dJ/db = dJ/du · c = 3 · 2 = 6" in out  # the backward frame's chain rule
    assert number_after(r"f\(a\) = a\^2 at a = 2: nudged slope", out) == pytest.approx(4.001)
    assert "autodiff matches the hand-derived dw and db" in out
    assert number_after(r"test accuracy", out) > 0.92
    assert number_after(r"vectorization speed-up:", out) > 10
    assert "row.grad (1, 3)" in out and "col.grad (2, 1)" in out
    assert "RankOneWarning" in out and "BroadcastWarning" in out


def check_week3(out: str) -> None:
    logistic = number_after(r"flower: logistic regression", out)
    shallow = number_after(r"flower: logistic regression [0-9.]+, shallow network", out)
    assert logistic < 0.7
    assert shallow > 0.8
    assert number_after(r"accuracy with a linear hidden layer of 4 units:", out) < 0.7
    assert "autodiff slopes match the formulas" in out
    # Equal starting units stay equal; random ones drift apart.
    assert re.search(r"equal units: accuracy [0-9.]+; largest difference between rows of W1: "
                     r"0\.00e\+00", out)
    assert number_after(r"random \(small\): accuracy [0-9.]+; largest difference between "
                        r"rows of W1:", out) > 0.1


def check_week4(out: str) -> None:
    assert "autodiff vs reference — PASSED" in out
    assert number_after(r"test accuracy", out) > 0.9
    assert re.search(r"hand-built deep network \[8, 2, 2, 2, 1\]: 33 parameters, "
                     r"accuracy on all 256 patterns 1\.000", out)
    assert "parity summary:" in out
    # α = 5 is "too large": it stays stuck at the baseline of always answering "not an 8".
    baseline = number_after(r"always answering 'not an 8' would score", out)
    assert number_after(r"learning rate 5\.0\s*: final cost", out) > 0.25
    assert number_after(r"learning rate 5\.0\s*: final cost [0-9.]+, test", out) == baseline


CHECKS = {
    "week1_neurons.py": check_week1,
    "week2_logistic_regression.py": check_week2,
    "week3_shallow_network.py": check_week3,
    "week4_deep_network.py": check_week4,
}


def test_every_lesson_is_checked():
    assert LESSONS and set(LESSONS) == set(PICTURES) == set(CHECKS)
    assert set(NEW_LESSONS) <= set(ALL_LESSONS)


@pytest.mark.parametrize("lesson", ALL_LESSONS)
def test_lesson_is_a_percent_format_notebook(lesson):
    source = (TUTORIALS / lesson).read_text(encoding="utf-8")
    ast.parse(source)
    assert "format_name: percent" in source
    assert source.count("# %% [markdown]") >= 3  # prose, not only code
    assert re.search(r"^# %%$", source, re.MULTILINE)


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_runs_and_shows_its_point(lesson, tmp_path):
    result, folder = run_lesson(lesson, tmp_path)
    assert_pictures_written(lesson, folder, PICTURES[lesson])
    CHECKS[lesson](result.stdout)
    check_gallery_numbers(lesson, folder)  # the gallery's numbers, with 1 BLAS thread


def test_gallery_pictures_exist_and_are_small():
    readme = (TUTORIALS / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((gallery/[^)\s]+)\)", readme)
    assert links, "tutorials/README.md shows no gallery pictures"
    for link in links:
        path = TUTORIALS / link
        assert path.is_file(), f"tutorials/README.md links {link}, which is missing"
        assert path.stat().st_size < 200_000, f"{link} is {path.stat().st_size} bytes"
