"""The lessons that give every section of the notes its proof (issue 15), run in fast mode.

Like tests/test_tutorials.py: each lesson runs as a script in a subprocess, from an
empty folder, with its pictures going to a temporary folder; the test checks that it
exits cleanly, wrote its pictures, and printed the facts its prose promises. The
numbers the lessons print are computed there (curvatures, gradients, accuracies), so
these checks fail if the claim stops being true.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = ROOT / "tutorials"


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


# lesson file -> (pictures it must write, checks on its output)
NEW_LESSONS = {
    "week2_cost_functions.py": (["cost_surfaces.png"], check_cost_functions),
    "week3_initialization.py": (["initialization.png"], check_initialization),
}


@pytest.mark.parametrize("lesson", sorted(NEW_LESSONS))
def test_new_lesson_runs_and_shows_its_point(lesson, tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("sklearn")
    out_dir = tmp_path / "out"
    env = dict(os.environ)
    env.update(
        FAST="1",
        TUTORIAL_OUT=str(out_dir),
        MPLBACKEND="Agg",
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    env.pop("GALLERY", None)  # never write into the repository's gallery from a test
    result = subprocess.run(
        [sys.executable, str(TUTORIALS / lesson)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    pictures, check = NEW_LESSONS[lesson]
    folder = out_dir / lesson.removesuffix(".py")
    for name in pictures:
        path = folder / name
        assert path.is_file() and path.stat().st_size > 0, f"{lesson} did not write {name}"
    check(result.stdout)
