"""Graphviz's ``dot`` program: whether it is installed, and running it on DOT source.

.svg, .png and .pdf pictures are drawn by ``dot``; .dot files need no program. Every
picture module (graphs, frames, networks, :func:`visualize.render`) runs ``dot`` here.
"""

from __future__ import annotations

import shutil
import subprocess

import graphviz

__all__ = [
    "DOT_TIMEOUT",
    "INSTALL_HINT",
    "GraphvizNotFoundError",
    "dot_available",
    "missing_dot_message",
    "run_dot",
    "svg_of",
]

INSTALL_HINT = (
    "install Graphviz: 'sudo apt-get install graphviz' (Debian/Ubuntu), "
    "'brew install graphviz' (macOS), 'conda install -c conda-forge graphviz', "
    "or see https://graphviz.org/download/"
)

#: Longest time, in seconds, that ``dot`` may take to draw one picture.
DOT_TIMEOUT = 120.0


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's ``dot`` program is needed for a picture format but is not on PATH."""


def dot_available() -> bool:
    """Whether Graphviz's ``dot`` program is on PATH (needed for .svg, .png, .pdf)."""
    return shutil.which("dot") is not None


def missing_dot_message(what: str) -> str:
    """The one-line explanation used whenever ``dot`` is needed and missing."""
    return (
        f"{what} needs Graphviz's 'dot' program, which is not on PATH; {INSTALL_HINT}. "
        "A .dot file needs no program."
    )


def run_dot(source: str, fmt: str, what: str = "drawing the picture") -> bytes:
    """Run ``dot -T<fmt>`` on DOT ``source`` and return the picture's bytes."""
    executable = shutil.which("dot")
    if executable is None:
        raise GraphvizNotFoundError(missing_dot_message(what))
    try:
        done = subprocess.run(
            [executable, f"-T{fmt}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=DOT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(
            f"{what}: Graphviz's dot took more than {DOT_TIMEOUT:g} s; the graph is too large "
            "to draw (draw fewer nodes, e.g. draw_graph(..., max_nodes=100))"
        ) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = message[-1] if message else f"exit status {done.returncode}"
        raise RuntimeError(f"{what}: Graphviz's dot failed: {detail}")
    return done.stdout


def svg_of(graph: graphviz.Digraph | graphviz.Graph) -> str:
    """The SVG text of ``graph`` (needs ``dot``)."""
    return run_dot(graph.source, "svg").decode("utf-8")
