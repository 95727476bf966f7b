"""The pictures of the demo: J = 3(a + bc) with every derivative, and its backward frames.

``graph_demo(out_dir)`` is what ``autograd-lite demo`` (and so ``make demo``) calls to
write ``out_dir/J.svg`` and ``out_dir/frames/`` (numbered SVGs and ``index.html``).
Without Graphviz's ``dot`` program it writes ``J.dot`` and DOT frames instead, and
says how to install Graphviz.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from autograd_lite.commands.graph import compute, write_outputs

#: The course's first computation graph and the values it uses.
EXPRESSION = "J = 3*(a + b*c)"
VALUES = {"a": 5.0, "b": 3.0, "c": 2.0}


def graph_demo(
    out_dir: str | os.PathLike[str] = "out",
    echo: Callable[[str], None] | None = print,
    values: dict[str, float] | None = None,
) -> list[Path]:
    """Write the picture of J = 3(a + bc) and its backward frames under ``out_dir``, with
    ``values`` of a, b and c (default :data:`VALUES`).

    Returns the paths written (the picture first, then the frames and index.html).
    ``echo`` receives one line per result (None: silent).
    """
    from visualize.render import INSTALL_HINT, dot_available

    folder = Path(out_dir)
    have_dot = dot_available()
    picture = folder / ("J.svg" if have_dot else "J.dot")
    result = compute(EXPRESSION, dict(VALUES if values is None else values))
    written = write_outputs(result, picture, folder / "frames")
    if echo is not None:
        echo(f"Wrote {picture}: the graph of {result.expression} with every dJ/dx")
        frames = sum(1 for path in written if path.name.startswith("frame_"))
        echo(
            f"Wrote {frames} backward-pass frames in {folder / 'frames'} "
            f"(open {folder / 'frames' / 'index.html'})"
        )
        if not have_dot:
            echo(f"Graphviz's dot program is missing, so DOT files were written; {INSTALL_HINT}")
    return written
