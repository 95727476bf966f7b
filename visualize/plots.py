"""Plots of training (matplotlib, the optional extra ``autograd-lite[plots]``).

    >>> visualize.plot_costs(costs, "cost.png", every=100, learning_rate=0.0075)
    >>> visualize.plot_decision_boundary(lambda X: predict(model, X), X, Y, "boundary.png")

matplotlib is imported only when a plot is made, and drawn with its Agg canvas on a
Figure of its own: no window opens and pyplot's global state is left alone. Files
are written atomically; the format comes from the suffix (.png, .svg, .pdf).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from autograd_lite.files import atomic_write

_INSTALL = 'plots need matplotlib: pip install "autograd-lite[plots]" (or pip install matplotlib)'
_FORMATS = ("png", "svg", "pdf")


def _figure(width: float = 6.0, height: float = 4.0) -> Any:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(_INSTALL) from None
    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Any, path: str | os.PathLike[str], caller: str) -> Path:
    fmt = Path(path).suffix.lstrip(".").lower()
    if fmt not in _FORMATS:
        raise ValueError(f"{caller}: name the file .png, .svg or .pdf; got {os.fspath(path)!r}")
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, bbox_inches="tight")
    return atomic_write(path, buffer.getvalue())


def _as_array(value: Any) -> np.ndarray:
    return np.asarray(getattr(value, "data", value), dtype=float)


def plot_costs(
    costs: Sequence[Any],
    path: str | os.PathLike[str],
    *,
    every: int = 1,
    learning_rate: float | None = None,
    title: str | None = None,
    log_scale: bool = False,
) -> Path:
    """The cost curve, as the course plots it: cost against iterations.

    ``costs`` are numbers (or one-element Tensors) recorded every ``every`` iterations
    (the course records one per 100: ``every=100``). Returns the path written.
    """
    values = np.array([float(_as_array(c).reshape(-1)[0]) for c in costs])
    if values.size == 0:
        raise ValueError("plot_costs: there are no costs to plot")
    if not isinstance(every, int) or every < 1:
        raise ValueError("plot_costs: every must be a positive integer")
    figure = _figure()
    axes = figure.add_subplot(1, 1, 1)
    iterations = np.arange(values.size) * every
    axes.plot(iterations, values, color="#1d4ed8", linewidth=1.8)
    axes.set_xlabel("iterations" if every == 1 else f"iterations (a cost every {every})")
    axes.set_ylabel("cost")
    if log_scale:
        axes.set_yscale("log")
    if title is None:
        title = "Cost" if learning_rate is None else f"Learning rate = {learning_rate:g}"
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    return _save(figure, path, "plot_costs")


def plot_decision_boundary(
    predict_fn: Callable[[np.ndarray], Any],
    X: Any,
    Y: Any,
    path: str | os.PathLike[str],
    *,
    resolution: int = 200,
    title: str | None = None,
    padding: float = 1.0,
) -> Path:
    """The decision boundary of a 2-D classifier over the scatter of its examples.

    ``X`` is (2, m) (examples are columns) and ``Y`` (1, m) labels 0/1. ``predict_fn``
    receives a (2, k) array of grid points and returns k predictions (shape (1, k) or
    (k,); an ndarray or a Tensor). Returns the path written.
    """
    points = _as_array(X)
    labels = _as_array(Y).reshape(-1)
    if points.ndim != 2 or points.shape[0] != 2:
        raise ValueError(
            f"plot_decision_boundary: X must be (2, m), one example per column; got {points.shape}"
        )
    if labels.size != points.shape[1]:
        raise ValueError(
            f"plot_decision_boundary: Y must hold one label per example: X has "
            f"{points.shape[1]} examples, Y has {labels.size} labels"
        )
    if not isinstance(resolution, int) or resolution < 2:
        raise ValueError("plot_decision_boundary: resolution must be an integer of at least 2")
    x_min, x_max = points[0].min() - padding, points[0].max() + padding
    y_min, y_max = points[1].min() - padding, points[1].max() + padding
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, resolution),
                         np.linspace(y_min, y_max, resolution))
    grid = np.vstack([xx.ravel(), yy.ravel()])
    predictions = _as_array(predict_fn(grid))
    if predictions.size != grid.shape[1]:
        raise ValueError(
            f"plot_decision_boundary: predict_fn got {grid.shape[1]} points (X of shape "
            f"{grid.shape}) but returned {predictions.size} predictions (shape "
            f"{predictions.shape}); return one per column"
        )
    figure = _figure()
    axes = figure.add_subplot(1, 1, 1)
    axes.contourf(xx, yy, predictions.reshape(xx.shape), levels=20, cmap="RdBu", alpha=0.45)
    axes.scatter(points[0], points[1], c=labels, cmap="RdBu", edgecolors="#111827",
                 linewidths=0.5, s=22)
    axes.set_xlabel("x1")
    axes.set_ylabel("x2")
    axes.set_title(title or "Decision boundary")
    return _save(figure, path, "plot_decision_boundary")
