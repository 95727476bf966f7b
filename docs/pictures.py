"""Draw the pictures of docs/ again: ``make docs`` (or ``python docs/pictures.py [folder]``).

- ``J.svg``: J = 3(a + bc) for a = 5, b = 3, c = 2, every value and derivative on it, as
  ``autograd-lite graph "J = 3*(a + b*c)" a=5 b=3 c=2 -o docs/J.svg`` draws it;
- ``mlp_graph.svg``: the cost's graph of ``nn.MLP([2, 4, 1], hidden="tanh")`` on the
  planar flower (400 examples), after one backward pass: Z^[l], A^[l], W^[l], b^[l];
- ``building_blocks.svg``: the course's building blocks of the same network, m = 400.

tests/test_docs_pictures.py draws them afresh and compares their text with these files.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import autograd_lite as al
from autograd_lite import data, nn
from autograd_lite.cli import main as cli_main
from visualize import draw_building_blocks, draw_graph, render

DOCS = Path(__file__).resolve().parent
PICTURES = ("J.svg", "mlp_graph.svg", "building_blocks.svg")


def draw_all(folder: Path = DOCS) -> list[Path]:
    """Write every picture of docs/ into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.redirect_stdout(io.StringIO()):  # the command's derivation: not needed here
        status = cli_main(["graph", "J = 3*(a + b*c)", "a=5", "b=3", "c=2",
                           "-o", str(folder / "J.svg")])
    if status:
        raise RuntimeError(f"autograd-lite graph exited with status {status}")
    X, Y = data.planar_flower()
    model = nn.MLP([2, 4, 1], hidden="tanh", seed=1)
    J = nn.binary_cross_entropy(model(al.Tensor(X)), Y)
    J.backward()
    written = [folder / "J.svg"]
    graph = draw_graph(J, title="nn.MLP([2, 4, 1], hidden='tanh'): the cost's graph")
    written.append(render(graph, folder / "mlp_graph.svg"))
    blocks = draw_building_blocks(model, X, title="Building blocks of nn.MLP([2, 4, 1]), m = 400")
    written.append(render(blocks, folder / "building_blocks.svg"))
    return written


if __name__ == "__main__":
    for path in draw_all(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS):
        print(f"Wrote {path}")
