"""Writing pictures: DOT source without any program, SVG/PNG/PDF through Graphviz's ``dot``.

Every file is written atomically: to a temporary file in the same folder, then
moved into place with :func:`os.replace`, so a failure (a missing program, a
crash, Ctrl-C) never leaves a half-written picture behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import graphviz

from autograd_lite.files import atomic_write

#: Formats written from the DOT source alone (no program needed).
SOURCE_FORMATS = ("dot", "gv")
#: Formats drawn by Graphviz's ``dot`` program.
PICTURE_FORMATS = ("svg", "png", "pdf")

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


def format_of(path: str | os.PathLike[str], format: str | None = None) -> str:
    """The picture format: ``format`` if given, else the path's suffix (``J.svg`` -> svg)."""
    fmt = (format or Path(path).suffix.lstrip(".")).lower()
    if not fmt:
        raise ValueError(
            f"render: {os.fspath(path)!r} has no suffix; name the file .svg, .png, .pdf or .dot "
            "(or pass format=)"
        )
    if fmt not in SOURCE_FORMATS + PICTURE_FORMATS:
        raise ValueError(
            f"render: unknown picture format {fmt!r}; use one of .svg, .png, .pdf or .dot"
        )
    return fmt


def to_digraph(obj: Any) -> graphviz.Digraph | graphviz.Graph:
    """A Graphviz graph for a Tensor (its computation graph), a model or layer sizes
    (its network), or a graph that is already a ``graphviz.Digraph``."""
    from autograd_lite.tensor import Tensor

    if isinstance(obj, (graphviz.Digraph, graphviz.Graph)):
        return obj
    if isinstance(obj, Tensor):
        from visualize.graph import draw_graph

        return draw_graph(obj)
    from visualize.network import draw_network, is_network

    if is_network(obj):
        return draw_network(obj)
    source = getattr(obj, "graph", None)  # a BackwardFrame
    if isinstance(source, graphviz.Digraph):
        return source
    raise TypeError(
        "render: expected a Tensor, a model with .layers, a list of layer sizes or a "
        f"graphviz.Digraph; got {type(obj).__name__}"
    )


def render(
    t_or_model: Any, path: str | os.PathLike[str], format: str | None = None
) -> Path:
    """Draw a tensor's computation graph (or a model's network) into ``path``.

    The format comes from ``format`` or the path's suffix: ``.dot`` (the DOT source,
    no program needed), ``.svg``, ``.png`` or ``.pdf`` (drawn by Graphviz's ``dot``;
    a :class:`GraphvizNotFoundError` says how to install it when it is missing).
    The file is written atomically. Returns the path written.
    """
    fmt = format_of(path, format)
    if fmt in PICTURE_FORMATS and not dot_available():
        raise GraphvizNotFoundError(missing_dot_message(f"render: writing {os.fspath(path)}"))
    graph = to_digraph(t_or_model)
    if fmt in SOURCE_FORMATS:
        return atomic_write(path, graph.source)
    return atomic_write(path, run_dot(graph.source, fmt, f"render: writing {os.fspath(path)}"))


def svg_of(graph: graphviz.Digraph | graphviz.Graph) -> str:
    """The SVG text of ``graph`` (needs ``dot``)."""
    return run_dot(graph.source, "svg").decode("utf-8")
