"""The pictures of docs/ are what ``make docs`` (docs/pictures.py) draws today.

Each is drawn afresh into a temporary folder and its text (every SVG text run, in order:
names, formulas, values, shapes, derivatives) compared with the committed file. The
positions are Graphviz's and may move between its versions; the text may not.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


def text_runs(svg: Path) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg.read_text(encoding="utf-8"))


@pytest.mark.skipif(shutil.which("dot") is None,
                    reason="Graphviz's dot program is missing (apt-get install graphviz)")
def test_docs_pictures_are_up_to_date(tmp_path):
    spec = importlib.util.spec_from_file_location("docs_pictures", DOCS / "pictures.py")
    pictures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pictures)
    written = pictures.draw_all(tmp_path)
    assert sorted(p.name for p in written) == sorted(pictures.PICTURES)
    for path in written:
        fresh, committed = text_runs(path), text_runs(DOCS / path.name)
        assert fresh, path.name
        assert fresh == committed, f"docs/{path.name} is out of date: run `make docs`"


def test_every_line_of_a_model_graph_is_one_text_run():
    # A bold name beside a plain formula would be two runs, which overlap in a browser.
    runs = text_runs(DOCS / "mlp_graph.svg")
    assert "Z^[1] = W^[1] A^[0] + b^[1]" in runs and "A^[0] = X" in runs
    assert not any(run.startswith(" = ") for run in runs)
