"""The lessons that give every section of the notes its proof (issue 15), run in fast mode.

Like tests/test_tutorials.py: each lesson runs as a script in a subprocess, from an
empty folder, with its pictures going to a temporary folder; the test checks that it
exits cleanly, wrote its pictures, and printed the facts its prose promises. The
numbers the lessons print are computed there (curvatures, gradients, accuracies), so
these checks fail if the claim stops being true.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_gallery import check_gallery_numbers, lesson_env

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = ROOT / "tutorials"


def graph_picture(stem: str, suffix: str = ".svg") -> str:
    """A Graphviz picture, or its .dot source where the dot program is missing."""
    return stem + (suffix if shutil.which("dot") else ".dot")


def number_after(pattern: str, text: str) -> float:
    match = re.search(pattern + r"\s*(-?[0-9.]+(?:e[-+][0-9]+)?)", text)
    assert match, f"the lesson did not print {pattern!r}"
    return float(match.group(1))


def check_cost_functions(out: str) -> None:
    # Non-convex against convex: the squared error's Hessian has a negative eigenvalue
    # somewhere, the cross-entropy's never does (and matches the formula).
    assert number_after(r"smallest Hessian eigenvalue over the grid: squared error", out) < -0.05
    assert number_after(r"cross-entropy", out.split("smallest Hessian eigenvalue")[1]) >= 0
    assert re.search(r"smallest eigenvalue autodiff ([0-9.]+), formula \1", out)
    # Gradient descent: squared error stuck from many starts, cross-entropy from none.
    stuck = re.search(r"squared error stuck (\d+)/81, cross-entropy stuck (\d+)/81", out)
    assert stuck, "no cost-functions summary"
    assert int(stuck.group(1)) > 10 and int(stuck.group(2)) == 0


def check_initialization(out: str) -> None:
    # Larger weights: more saturated units, smaller slopes (the lesson asserts the
    # monotone decrease itself); none saturated at × 0.01, many at × 1 for tanh.
    assert re.search(r"tanh: mean slope at × 0.01 0.99\d", out)
    assert number_after(r"tanh: mean slope at × 0.01 [0-9.]+ \(its largest possible is 1.0\), "
                        r"at × 1", out) < 0.5
    assert number_after(r"tanh: .*saturated at × 1:", out) > 30  # percent
    assert number_after(r"sigmoid: mean slope at × 0.01", out) == pytest.approx(0.25, abs=0.002)
    for hidden in ("tanh", "sigmoid"):
        summary = out.split("initialization summary:")[1].split(f"{hidden} final cost")[1]
        he = number_after(r"He √\(2/n\)", summary)
        times_1 = number_after(r"× 1 ", summary)
        times_10 = number_after(r"× 10", summary)
        assert he < times_1 < times_10, (hidden, he, times_1, times_10)


def check_one_example(out: str) -> None:
    # The notes' formulas, at z = 0.15 (x1 = 1, x2 = 1.5, w1 = 0.5, w2 = -0.3, b = 0.1, y = 1),
    # computed here independently of the lesson: a = σ(0.15), da = -1/a, dz = a - 1.
    import math

    a = 1 / (1 + math.exp(-0.15))
    expected = {"da": -1 / a, "dz": a - 1, "dw1": a - 1, "dw2": 1.5 * (a - 1), "db": a - 1}
    for name, value in expected.items():
        row = re.search(rf"^{name} .*?(-?[0-9]+\.[0-9]{{10}})\s+(-?[0-9]+\.[0-9]{{10}})$", out,
                        re.MULTILINE)
        assert row, f"no row for {name}"
        assert float(row.group(1)) == pytest.approx(value, abs=1e-9)  # the formula column
        assert float(row.group(2)) == pytest.approx(value, abs=1e-9)  # the engine column
    assert "one example: da, dz, dw1, dw2, db match the notes' formulas" in out
    assert "the for loop, the engine and X dZᵀ/m agree" in out
    before, after = re.search(r"L ([0-9.]+) -> ([0-9.]+)", out).groups()
    assert float(after) < float(before)


def check_activations(out: str) -> None:
    assert number_after(r"centring: tanh mean \|mean of A\^\[1\]\|", out) < 0.1
    assert number_after(r"centring: .*, sigmoid", out) > 0.4
    assert re.search(r"sigmoid hidden units: .*fraction of positive values 1\.00", out)
    summary = out.split("activations summary:")[1]
    assert number_after(r"tanh final cost median", summary) < number_after(r"sigmoid", summary)
    tanh = number_after(r"sweep medians .*tanh", summary)
    assert tanh > number_after(r"sweep medians sigmoid", summary)
    assert tanh > number_after(r"relu", summary)  # with 4 units, on the flower


def check_scale(out: str) -> None:
    def at(which: str) -> dict[str, float]:
        line = re.search(rf"scale summary at m = {which}: (.*)", out).group(1)
        return {name.strip(): float(v) for name, v in re.findall(r"([a-z ]+(?:\([0-9, ]+\))?) "
                                                         r"([0-9.]+)", line)}

    largest = at("1437")
    logistic = largest["logistic regression"]
    # With all the data, the medium and large networks beat logistic regression.
    assert largest["medium network (32)"] > logistic + 0.005
    assert largest["large network (64, 64)"] > logistic + 0.005
    # With the fewest examples, the order is not the order of size: the small net is last.
    smallest = at(r"\d+(?<!1437)")
    assert min(smallest, key=smallest.get) == "small network (8)"


def check_representations(out: str) -> None:
    summary = out.split("representations summary:")[1]
    selectivity = [float(v) for v in re.search(r"selectivity \(layers 1-3\) ([0-9. ]+);",
                                               summary).group(1).split()]
    nearest = [float(v) for v in re.search(r"nearest-mean accuracy ([0-9. ]+)",
                                           summary).group(1).split()]
    assert len(selectivity) == 3 and len(nearest) == 4
    assert selectivity[2] > selectivity[0]  # layer 3's units more class-selective than layer 1's
    assert all(a < b for a, b in zip(nearest, nearest[1:]))  # pixels < layer 1 < 2 < 3


def check_parity_circuits(out: str) -> None:
    # Every circuit exact on all patterns (the lesson asserts it), with the notes' counts.
    for n in (2, 3, 4, 8, 10):
        assert re.search(rf"n = +{n}: XOR tree exact on all +{2 ** n} patterns with {n - 1} gates",
                         out)
        assert re.search(rf"n = +{n}: one hidden layer of AND units exact with +{2 ** (n - 1)} "
                         rf"units", out)
        assert re.search(rf"n = +{n}: one hidden layer of ReLU units on the count exact with "
                         rf"+{n} units", out)
    assert "XOR tree 7 gates in 3 layers, AND units 128, ReLU on the count 8, tent maps 6" in out
    summary = out.split("trained ReLU medians")[1]
    shallow = number_after(r"shallow \[8, 8, 1\]", summary)
    deep = number_after(r"deep \[8, 2, 2, 2, 1\]", summary)
    assert shallow > deep and shallow < 1.0  # trained: shallow ahead, neither exact


# lesson file -> (pictures it must write, checks on its output)
NEW_LESSONS = {
    "week2_cost_functions.py": (["cost_surfaces.png"], check_cost_functions),
    "week3_initialization.py": (["initialization.png"], check_initialization),
    "week2_one_example.py": ([graph_picture("one_example_graph")], check_one_example),
    "week3_activations.py": (["activations_compared.png"], check_activations),
    "week1_scale.py": (["scale.png"], check_scale),
    "week4_deep_representations.py": (["representations.png", "layer_measures.png"],
                                      check_representations),
    "week4_parity_circuits.py": (["parity_circuits.png"], check_parity_circuits),
}


def run_lesson(lesson: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess, Path]:
    """Run a lesson in fast mode in a subprocess, its pictures under ``tmp_path``; return
    the finished process and the folder of its pictures (it must have exited with 0)."""
    pytest.importorskip("matplotlib")
    pytest.importorskip("sklearn")
    out_dir = tmp_path / "out"
    env = lesson_env(out_dir, threads=1)  # small matrices: BLAS threads only add overhead
    env["MPLBACKEND"] = "Agg"
    result = subprocess.run(
        [sys.executable, str(TUTORIALS / lesson)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return result, out_dir / lesson.removesuffix(".py")


def assert_pictures_written(lesson: str, folder: Path, pictures: list[str]) -> None:
    for name in pictures:
        path = folder / name
        assert path.is_file() and path.stat().st_size > 0, f"{lesson} did not write {name}"


@pytest.mark.parametrize("lesson", sorted(NEW_LESSONS))
def test_new_lesson_runs_and_shows_its_point(lesson, tmp_path):
    result, folder = run_lesson(lesson, tmp_path)
    pictures, check = NEW_LESSONS[lesson]
    assert_pictures_written(lesson, folder, pictures)
    check(result.stdout)
    check_gallery_numbers(lesson, folder)  # the gallery's numbers, with 1 BLAS thread
