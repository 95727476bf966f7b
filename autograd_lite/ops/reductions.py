"""Reductions over axes: sum, mean, max.

The course's cost J = (1/m) Σ L(a, y) is a mean over the examples (axis 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.ops import base
from autograd_lite.ops.base import Primitive, apply, as_tensor, implements
from autograd_lite.tensor import Tensor

#: The public functions of this family (re-exported by autograd_lite.ops).
__all__ = [
    "max",
    "mean",
    "min",
    "sum",
]


class Sum(Primitive):
    """s = Σ x over the axes;  ds/dx = 1: the upstream gradient is copied back to every element."""

    name = "sum"
    derivatives = ("1",)

    @staticmethod
    def forward(x, axis, keepdims):
        if x.size == 1 and axis is None and not keepdims:
            # A cost that is already one number: the sum is that number, a copy of it
            # (NumPy's reduction machinery costs about 1 µs even for one element).
            return np.asarray(x.item(), x.dtype), (x.shape, None, False, True)
        return np.add.reduce(x, axis=axis, keepdims=keepdims), (x.shape, axis, keepdims, False)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        shape, axis, keepdims, single = saved
        if single:  # one element in, one out: dx = g, in x's shape
            return (g.reshape(shape),)
        return (base.broadcast_to(base.expand_reduced(g, shape, axis, keepdims), shape),)


class Mean(Primitive):
    """s = (1/n) Σ x over the axes (n elements each);  ds/dx = 1/n."""

    name = "mean"

    @classmethod
    def derivative_text(cls, position, out, operands, node):
        return f"1/{node.parents[0].data.size // node.data.size}" if node.data.size else None

    @staticmethod
    def forward(x, axis, keepdims):
        count = x.size if axis is None else int(np.prod([x.shape[a] for a in axis]))
        total = np.add.reduce(x, axis=axis, keepdims=keepdims)
        return total / count, (x.shape, axis, keepdims, count)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        shape, axis, keepdims, count = saved
        # count = 0: the mean of an empty axis (NaN, as NumPy's); x is empty then, and so
        # is its gradient (ds/dx has no element to take 1/n).
        g = base.expand_reduced(g, shape, axis, keepdims) * (1.0 / count if count else 0.0)
        return (base.broadcast_to(g, shape),)


class Max(Primitive):
    """s = max x over the axes;  ds/dx = 1 at the maximum (shared equally between ties), else 0."""

    name = "max"

    @staticmethod
    def forward(x, axis, keepdims):
        return x.max(axis=axis, keepdims=keepdims), (axis, keepdims)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return (_to_extremes(g, saved, inputs[0], out),)


class Min(Primitive):
    """s = min x over the axes;  ds/dx = 1 at the minimum (shared equally between ties), else 0."""

    name = "min"

    @staticmethod
    def forward(x, axis, keepdims):
        return x.min(axis=axis, keepdims=keepdims), (axis, keepdims)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return (_to_extremes(g, saved, inputs[0], out),)


def _to_extremes(g: Any, saved: Any, x: Any, out: Any) -> Any:
    """The gradient of max or min: g where x is the extreme value, split equally between ties."""
    axis, keepdims = saved
    x = base.data(x)
    extreme = base.expand_reduced(base.data(out), x.shape, axis, keepdims)
    mask = (x == extreme).astype(x.dtype)
    mask /= mask.sum(axis=axis, keepdims=True)
    return base.expand_reduced(g, x.shape, axis, keepdims) * mask


def _reduce(fn: type[Primitive], x: Any, axis: Any, keepdims: bool) -> Tensor:
    t = x if type(x) is Tensor else as_tensor(x)
    if axis is None and fn not in (Max, Min):  # the common case: everything, e.g. a cost J
        return apply(fn, (t,), None, bool(keepdims))
    try:
        axes = base.normalize_axis(axis, t.ndim)
    except base.ShapeError as err:
        raise base.ShapeError(f"{fn.name}: {err} (shape {t.shape})") from None
    if fn in (Max, Min) and t.size == 0:
        raise base.ShapeError(f"{fn.name}: the tensor of shape {t.shape} is empty")
    return apply(fn, (t,), axes, bool(keepdims))


@implements(np.sum)
def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Σ x over ``axis`` (None: every element)."""
    if axis is None and type(x) is Tensor:  # a cost J = Σ ...: straight to the primitive
        return apply(Sum, (x,), None, bool(keepdims))
    return _reduce(Sum, x, axis, keepdims)


@implements(np.mean)
def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Mean of x over ``axis`` (None: every element)."""
    return _reduce(Mean, x, axis, keepdims)


@implements(np.max, np.amax)
def max(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Largest value of x over ``axis`` (None: every element)."""
    return _reduce(Max, x, axis, keepdims)



@implements(np.min, np.amin)
def min(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Smallest value of x over ``axis`` (None: every element)."""
    return _reduce(Min, x, axis, keepdims)
