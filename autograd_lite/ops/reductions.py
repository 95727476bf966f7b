"""Reductions over axes: sum, mean, max, min; and cumsum, the running sum along an axis.

The course's cost J = (1/m) Σ L(a, y) is a mean over the examples (axis 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.ops import base
from autograd_lite.ops.base import Primitive, apply, as_tensor, implements
from autograd_lite.ops.shape import flip
from autograd_lite.tensor import Tensor

#: The public functions of this family (re-exported by autograd_lite.ops).
__all__ = [
    "cumsum",
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
        g = base.expand_reduced(g, shape, axis, keepdims) * (1.0 / count)
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


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Σ x over ``axis`` (None: every element)."""
    if axis is None and type(x) is Tensor:  # a cost J = Σ ...: straight to the primitive
        return apply(Sum, (x,), None, bool(keepdims))
    return _reduce(Sum, x, axis, keepdims)


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Mean of x over ``axis`` (None: every element)."""
    return _reduce(Mean, x, axis, keepdims)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Largest value of x over ``axis`` (None: every element)."""
    return _reduce(Max, x, axis, keepdims)



def min(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Smallest value of x over ``axis`` (None: every element)."""
    return _reduce(Min, x, axis, keepdims)


class Cumsum(Primitive):
    """s_i = x_1 + x_2 + ... + x_i along an axis (np.cumsum; the flattened x when axis is
    None);  ds_i/dx_j = 1 for j ≤ i, so dx_j = dJ/ds_j + dJ/ds_{j+1} + ... + dJ/ds_n:
    the running sum of dJ/ds taken from the end (flip, cumsum, flip)."""

    name = "cumsum"
    derivatives = ("1",)

    @staticmethod
    def forward(x, axis):
        return np.cumsum(x, axis=axis), (axis, x.shape)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        axis, shape = saved
        along = 0 if axis is None else axis  # axis None: g is 1-D, the flattened x
        if isinstance(g, Tensor):  # create_graph: the same steps, recorded
            grad = flip(cumsum(flip(g, along), along), along)
        else:
            grad = np.flip(np.cumsum(np.flip(g, along), axis=along), along)
        return (grad.reshape(shape) if axis is None else grad,)


@implements(np.cumsum)
def cumsum(a: Any, axis: int | None = None, dtype: Any = None, out: Any = None) -> Tensor:
    """The running sum of ``a`` along ``axis`` (None: of the flattened ``a``), as np.cumsum.

    ``dtype`` (floating) sums in that dtype: ``a`` is cast first, differentiably. ``out``
    is not supported: the result is a new Tensor.
    """
    if out is not None:
        raise TypeError("cumsum: out= is not supported (the result is a new Tensor); "
                        "write s = cumsum(a)")
    t = as_tensor(a)
    if dtype is not None:
        if np.dtype(dtype).kind != "f":
            raise TypeError(f"cumsum: dtype must be floating (float64, float32); got {dtype}")
        t = t.astype(dtype)
    if axis is not None:
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"cumsum: axis must be an int or None; got {axis!r}")
        if not -t.ndim <= axis < t.ndim:
            raise base.ShapeError(f"cumsum: axis {axis} is out of range for shape {t.shape}")
        axis = int(axis) % t.ndim
    return apply(Cumsum, (t,), axis)
