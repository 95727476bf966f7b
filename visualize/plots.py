"""Plots of training (matplotlib, the optional extra ``autograd-lite[plots]``).

    >>> visualize.plot_costs(costs, "cost.png", every=100, learning_rate=0.0075)
    >>> visualize.plot_decision_boundary(lambda X: predict(model, X), X, Y, "boundary.png")

matplotlib is imported only when a plot is made, and drawn with its Agg canvas on a
Figure of its own: no window opens and pyplot's global state is left alone. Files
are written atomically; the format comes from the suffix (.png, .svg, .pdf).

Made to be read on a projector: PNGs at :data:`DEFAULT_DPI` (150) dots per inch
unless ``dpi=`` says otherwise, large type, iterations on whole-number ticks, a
legend whenever more than one thing is drawn, a colour bar for every colour scale.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from autograd_lite.files import atomic_write
from visualize.dot_program import DEFAULT_DPI, check_dpi

__all__ = ["DEFAULT_DPI", "plot_costs", "plot_decision_boundary"]

#: Type sizes, in points, that read on a projector.
TITLE_SIZE = 15
LABEL_SIZE = 13
TICK_SIZE = 12
LEGEND_SIZE = 12

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


def _check_path(path: str | os.PathLike[str], caller: str) -> str:
    fmt = Path(path).suffix.lstrip(".").lower()
    if fmt not in _FORMATS:
        raise ValueError(f"{caller}: name the file .png, .svg or .pdf; got {os.fspath(path)!r}")
    return fmt


def _save(figure: Any, path: str | os.PathLike[str], caller: str, dpi: float) -> Path:
    fmt = _check_path(path, caller)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, bbox_inches="tight", dpi=dpi)
    return atomic_write(path, buffer.getvalue())


def _style(axes: Any, title: str, xlabel: str, ylabel: str) -> None:
    """Title, axis labels and ticks in the projector's type sizes."""
    axes.set_title(title, fontsize=TITLE_SIZE)
    axes.set_xlabel(xlabel, fontsize=LABEL_SIZE)
    axes.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    axes.tick_params(labelsize=TICK_SIZE)


def _as_array(value: Any) -> np.ndarray:
    return np.asarray(getattr(value, "data", value), dtype=float)


def plot_costs(
    costs: Sequence[Any] | Mapping[str, Sequence[Any]],
    path: str | os.PathLike[str],
    *,
    every: int = 1,
    learning_rate: float | None = None,
    title: str | None = None,
    log_scale: bool = False,
    dpi: float | None = None,
) -> Path:
    """The cost curve, as the course plots it: the cost J against iterations.

    ``costs`` are numbers (or one-element Tensors) recorded every ``every`` iterations
    (the course records one per 100: ``every=100``), or several such runs by name,
    ``{"learning rate 0.01": costs_1, "learning rate 0.001": costs_2}``, drawn on one
    plot with a legend. Iterations sit on whole-number ticks; a PNG is drawn at
    ``dpi`` dots per inch (150 by default). Returns the path written.
    """
    _check_path(path, "plot_costs")
    dpi = check_dpi(dpi, "plot_costs")
    runs = dict(costs) if isinstance(costs, Mapping) else {"": costs}
    if not runs:
        raise ValueError("plot_costs: there are no costs to plot")
    curves = {}
    for label, run in runs.items():
        values = np.array([float(_as_array(c).reshape(-1)[0]) for c in run])
        if values.size == 0:
            where = f" for {label!r}" if label else ""
            raise ValueError(f"plot_costs: there are no costs to plot{where}")
        curves[str(label)] = values
    if not isinstance(every, int) or every < 1:
        raise ValueError("plot_costs: every must be a positive integer")
    figure = _figure()  # first: it says how to install matplotlib when it is missing
    from matplotlib.ticker import MaxNLocator

    axes = figure.add_subplot(1, 1, 1)
    colours = ["#1d4ed8", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#4b5563"]
    for number, (label, values) in enumerate(curves.items()):
        iterations = np.arange(values.size) * every
        axes.plot(iterations, values, color=colours[number % len(colours)], linewidth=2.2,
                  label=label or None, marker="o" if values.size <= 12 else None)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    if log_scale:
        axes.set_yscale("log")
    if title is None:
        title = "Cost" if learning_rate is None else f"Learning rate = {learning_rate:g}"
    _style(axes, title, "iterations" if every == 1 else f"iterations (a cost every {every})",
           "cost J")
    if len(curves) > 1:
        axes.legend(fontsize=LEGEND_SIZE, frameon=False)
    axes.grid(True, alpha=0.3)
    return _save(figure, path, "plot_costs", dpi)


def plot_decision_boundary(
    predict_fn: Callable[[np.ndarray], Any],
    X: Any,
    Y: Any,
    path: str | os.PathLike[str],
    *,
    resolution: int = 200,
    title: str | None = None,
    padding: float = 1.0,
    dpi: float | None = None,
) -> Path:
    """The decision boundary of a 2-D classifier over the scatter of its examples.

    ``X`` is (2, m) (examples are columns) and ``Y`` (1, m) labels 0/1. ``predict_fn``
    receives a (2, k) array of grid points and returns k predictions (shape (1, k) or
    (k,); an ndarray or a Tensor): labels ŷ or probabilities a = P(y = 1 | x). The
    plane is coloured by the prediction, with a colour bar, and the examples are
    drawn on top with a legend of their labels y. A PNG is drawn at ``dpi`` dots
    per inch (150 by default). Returns the path written.
    """
    _check_path(path, "plot_decision_boundary")
    dpi = check_dpi(dpi, "plot_decision_boundary")
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
    figure = _figure(6.6, 4.6)
    axes = figure.add_subplot(1, 1, 1)
    surface = predictions.reshape(xx.shape)
    low, high = min(float(surface.min()), 0.0), max(float(surface.max()), 1.0)
    levels = np.linspace(low, high, 21)
    filled = axes.contourf(xx, yy, surface, levels=levels, cmap="RdBu", alpha=0.45)
    bar = figure.colorbar(filled, ax=axes, ticks=np.linspace(low, high, 5))
    bar.set_label("prediction ŷ", fontsize=LABEL_SIZE)
    bar.ax.tick_params(labelsize=TICK_SIZE)
    from matplotlib import colormaps

    cmap = colormaps["RdBu"]
    classes = np.unique(labels)
    for value in classes:
        shade = (value - low) / (high - low) if high > low else 0.5
        chosen = labels == value
        axes.scatter(points[0, chosen], points[1, chosen], color=cmap(float(shade)),
                     edgecolors="#111827", linewidths=0.5, s=26,
                     label=f"y = {_format_label(value)}")
    _style(axes, title or "Decision boundary", "x1", "x2")
    if 1 < classes.size <= 10:
        axes.legend(fontsize=LEGEND_SIZE, loc="best", framealpha=0.85)
    return _save(figure, path, "plot_decision_boundary", dpi)


def _format_label(value: float) -> str:
    """A class label as written in the legend: 1, not 1.0."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
