"""The gallery regenerates identically: the numbers behind every picture match a fresh run.

``make gallery`` writes each gallery picture of ``tutorials/gallery/`` with the numbers
behind it (``<picture>.json``: final costs, accuracies...; four significant digits) from
a full run, and ``tutorials/gallery/fast/`` with those of a fast run (``FAST=1``). Each
lesson's fresh fast run is compared with ``gallery/fast/`` twice: with 1 BLAS thread as a
script (tests/test_tutorials.py, tests/test_lessons_new.py) and with 2 as a notebook in a
Jupyter kernel (tests/test_notebooks.py). A run that is chaotic (whose result depends on
the order of a sum) fails one of the two.

The full runs take minutes: ``GALLERY_FULL=1 python -m pytest tests/test_gallery.py``
compares them too.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = ROOT / "tutorials"
GALLERY = TUTORIALS / "gallery"
LESSONS = sorted(p.name for p in TUTORIALS.glob("*.py") if not p.name.startswith("_"))
PICTURE_SUFFIXES = (".png", ".svg", ".gif")
#: The numbers are rounded to 4 significant digits: one unit in the last digit may differ.
REL_TOL = 2e-3


def gallery_pictures() -> list[Path]:
    return sorted(p for p in GALLERY.iterdir() if p.suffix in PICTURE_SUFFIXES)


def read_numbers(folder: Path) -> dict[str, dict[str, Any]]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")}


def differences(expected: Any, got: Any, where: str = "") -> list[str]:
    """Where ``got`` differs from ``expected`` (floats within REL_TOL)."""
    if isinstance(expected, dict) and isinstance(got, dict):
        found = [f"{where}/{k}: missing" for k in expected if k not in got]
        found += [f"{where}/{k}: not expected" for k in got if k not in expected]
        for key in expected.keys() & got.keys():
            found += differences(expected[key], got[key], f"{where}/{key}")
        return found
    if isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        return [d for i, (e, g) in enumerate(zip(expected, got))
                for d in differences(e, g, f"{where}[{i}]")]
    both_numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool)
                       for v in (expected, got))
    if both_numbers and math.isclose(expected, got, rel_tol=REL_TOL, abs_tol=1e-12):
        return []
    return [] if expected == got else [f"{where}: gallery {expected!r}, fresh run {got!r}"]


def check_gallery_numbers(lesson: str, out_folder: Path, folder: Path = GALLERY / "fast") -> None:
    """The numbers a fresh run of ``lesson`` wrote in ``out_folder`` match the gallery's."""
    name = lesson.removesuffix(".py")
    expected = {k: v for k, v in read_numbers(folder).items() if v.get("lesson") == name}
    fresh = read_numbers(out_folder)
    problems = []
    for gallery_name, numbers in sorted(expected.items()):
        got = fresh.get(numbers["picture"] + ".json")
        if got is None:
            problems.append(f"{gallery_name}: the fresh run wrote no {numbers['picture']}.json")
            continue
        problems += [f"{gallery_name}{d}" for d in differences(numbers, got)]
    assert not problems, (
        f"{lesson}: the numbers behind the gallery differ from a fresh run (run `make gallery` "
        "if the lesson changed on purpose; else a run is not reproducible):\n  "
        + "\n  ".join(problems)
    )


def lesson_env(out_dir: Path, threads: int, fast: bool = True) -> dict[str, str]:
    """The environment of a fresh lesson run: its pictures under ``out_dir``, ``threads``
    BLAS threads, this checkout's package (and not tutorials/: a lesson must need nothing
    beside itself), and never the repository's gallery."""
    env = dict(os.environ)
    env.update(
        TUTORIAL_OUT=str(out_dir),
        OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
        MKL_NUM_THREADS=str(threads),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    env.update(FAST="1") if fast else env.update(FAST="", CI="")
    for name in ("GALLERY", "GALLERY_DIR"):
        env.pop(name, None)
    return env


def run_lesson(lesson: str, out_dir: Path, cwd: Path, threads: int,
               fast: bool = True) -> subprocess.CompletedProcess:
    env = lesson_env(out_dir, threads, fast)
    env["MPLBACKEND"] = "Agg"
    return subprocess.run([sys.executable, str(TUTORIALS / lesson)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=1200)


def test_every_gallery_picture_has_its_numbers():
    pictures = gallery_pictures()
    assert pictures, "tutorials/gallery is empty: run `make gallery`"
    lessons = {lesson.removesuffix(".py") for lesson in LESSONS}
    for folder in (GALLERY, GALLERY / "fast"):
        numbers = read_numbers(folder)
        missing = [p.name for p in pictures if p.name + ".json" not in numbers]
        assert not missing, f"{folder}: no numbers for {missing}: give `numbers=` to savefig"
        orphans = [name for name in numbers if name.removesuffix(".json") not in
                   {p.name for p in pictures}]
        assert not orphans, f"{folder}: numbers without a picture: {orphans}"
        unknown = {v["lesson"] for v in numbers.values()} - lessons
        assert not unknown, f"{folder}: numbers of lessons that do not exist: {unknown}"
        assert {v["fast"] for v in numbers.values()} == {folder.name == "fast"}


def test_a_difference_is_reported():
    assert differences({"a": 0.5, "b": [1, 2]}, {"a": 0.5004, "b": [1, 2]}) == []
    assert differences({"a": 0.5}, {"a": 0.51}) == ["/a: gallery 0.5, fresh run 0.51"]
    assert differences({"a": [1, 2]}, {"a": [1, 3]}) == ["/a[1]: gallery 2, fresh run 3"]
    assert differences({"a": 1}, {"b": 1}) == ["/a: missing", "/b: not expected"]


@pytest.mark.skipif(not os.environ.get("GALLERY_FULL"),
                    reason="full runs take minutes: set GALLERY_FULL=1 to compare them too")
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("lesson", LESSONS)
def test_gallery_numbers_match_a_full_run(lesson, threads, tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("sklearn")
    result = run_lesson(lesson, tmp_path / "out", tmp_path, threads=threads, fast=False)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    check_gallery_numbers(lesson, tmp_path / "out" / lesson.removesuffix(".py"), GALLERY)
