"""Writing pictures: DOT source without any program, SVG/PNG/PDF through Graphviz's ``dot``.

Every file is written atomically: to a temporary file in the same folder, then
moved into place with :func:`os.replace`, so a failure (a missing program, a
crash, Ctrl-C) never leaves a half-written picture behind. Running ``dot`` is
:mod:`visualize.dot_program`'s; its names are re-exported here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import graphviz

from autograd_lite import Tensor
from autograd_lite.files import atomic_write
from visualize.dot_program import (
    DEFAULT_DPI,
    DOT_TIMEOUT,
    INSTALL_HINT,
    GraphvizNotFoundError,
    check_dpi,
    dot_available,
    missing_dot_message,
    run_dot,
    svg_of,
)
from visualize.graph import draw_graph
from visualize.network import draw_network, is_network

__all__ = [
    "PICTURE_FORMATS", "SOURCE_FORMATS", "format_of", "render", "to_digraph",
    # Re-exported from visualize.dot_program, where they live.
    "DEFAULT_DPI", "DOT_TIMEOUT", "INSTALL_HINT", "GraphvizNotFoundError", "dot_available",
    "missing_dot_message", "run_dot", "svg_of",
]

#: Formats written from the DOT source alone (no program needed).
SOURCE_FORMATS = ("dot", "gv")
#: Formats drawn by Graphviz's ``dot`` program.
PICTURE_FORMATS = ("svg", "png", "pdf")


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
    if isinstance(obj, (graphviz.Digraph, graphviz.Graph)):
        return obj
    if isinstance(obj, Tensor):
        return draw_graph(obj)
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
    t_or_model: Any,
    path: str | os.PathLike[str],
    format: str | None = None,
    *,
    dpi: float | None = None,
) -> Path:
    """Draw a tensor's computation graph (or a model's network) into ``path``.

    The format comes from ``format`` or the path's suffix: ``.dot`` (the DOT source,
    no program needed), ``.svg``, ``.png`` or ``.pdf`` (drawn by Graphviz's ``dot``;
    a :class:`GraphvizNotFoundError` says how to install it when it is missing).
    A PNG is drawn at ``dpi`` dots per inch, :data:`DEFAULT_DPI` (150) by default;
    SVG and PDF are vectors, sharp at any size. The file is written atomically.
    Returns the path written.
    """
    fmt = format_of(path, format)
    check_dpi(dpi, "render")
    if fmt in PICTURE_FORMATS and not dot_available():
        raise GraphvizNotFoundError(missing_dot_message(f"render: writing {os.fspath(path)}"))
    graph = to_digraph(t_or_model)
    if fmt in SOURCE_FORMATS:
        return atomic_write(path, graph.source)
    return atomic_write(
        path, run_dot(graph.source, fmt, f"render: writing {os.fspath(path)}", dpi=dpi)
    )
