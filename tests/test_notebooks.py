"""Every lesson in tutorials/ runs as a notebook in a real Jupyter kernel, alone.

Each ``tutorials/*.py`` lesson (jupytext's percent format) is turned into a notebook
and executed cell by cell by nbclient in an ipykernel, in fast mode, from an empty
folder with nothing beside it: as a lesson uploaded alone to Colab runs. The test
checks that no cell raises and that the pictures show inline (``image/png`` outputs, or
``image/svg+xml`` for a graph), one at least for every ``savefig`` the lesson makes. The
kernel runs with 2 BLAS threads, and the numbers behind the lesson's gallery pictures
must be the gallery's (tests/test_gallery.py; the script runs check them with 1 thread).

nbclient, ipykernel and jupytext come with the test extra (``pip install -e ".[test]"``);
without them the test is skipped and says which is missing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_gallery import check_gallery_numbers, lesson_env

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = ROOT / "tutorials"
LESSONS = sorted(p.name for p in TUTORIALS.glob("*.py") if not p.name.startswith("_"))


def kernel_env(out_dir: Path) -> dict[str, str]:
    env = lesson_env(out_dir, threads=2)
    env.pop("MPLBACKEND", None)  # the kernel's own backend: pictures inline
    return env


def image_outputs(notebook) -> int:
    return sum(
        any(kind in output.get("data", {}) for kind in ("image/png", "image/svg+xml"))
        for cell in notebook.cells if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


def test_every_lesson_is_found():
    assert {"week1_neurons.py", "week4_deep_network.py"} <= set(LESSONS)


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_needs_nothing_beside_itself(lesson):
    source = (TUTORIALS / lesson).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(from|import)\s+_common\b", source, re.MULTILINE), (
        f"{lesson} imports tutorials/_common.py, which a lesson uploaded alone does not have: "
        "import from autograd_lite.lessons instead"
    )


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_runs_as_a_notebook_in_a_kernel(lesson, tmp_path):
    for module in ("nbclient", "ipykernel", "jupytext"):
        pytest.importorskip(module, reason=f"{module} is missing: pip install -e '.[test]'")
    pytest.importorskip("matplotlib")
    pytest.importorskip("sklearn")
    import jupytext
    from nbclient import NotebookClient

    notebook = jupytext.read(TUTORIALS / lesson)
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},  # the kernel starts in an empty folder
    )
    client.execute(env=kernel_env(tmp_path / "out"))  # raises CellExecutionError on an error

    errors = [o for c in notebook.cells for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, errors
    source = (TUTORIALS / lesson).read_text(encoding="utf-8")
    figures = len(re.findall(r"\.savefig\(|montage\(", source))
    shown = image_outputs(notebook)
    assert shown >= max(figures, 1), (
        f"{lesson}: {shown} pictures shown inline, expected at least {max(figures, 1)}"
    )
    check_gallery_numbers(lesson, tmp_path / "out" / lesson.removesuffix(".py"))
