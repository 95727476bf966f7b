"""Shape and indexing: reshape, transpose, indexing, concatenate, stack, broadcast_to.

None of these changes a value; their derivatives only move gradients back to
where each value came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd_lite.ops import base
from autograd_lite.ops.base import Primitive, apply, as_tensor, constant, implements
from autograd_lite.tensor import Tensor

#: The public functions of this family (re-exported by autograd_lite.ops).
__all__ = [
    "broadcast_to",
    "concatenate",
    "getitem",
    "reshape",
    "stack",
    "transpose",
]


class Reshape(Primitive):
    """y = x viewed with a new shape;  dx = dy reshaped to x's shape."""

    name = "reshape"

    @staticmethod
    def forward(x, shape):
        return x.reshape(shape), x.shape

    @staticmethod
    def backward(g, in_shape, inputs, out, needs):
        return (g.reshape(in_shape),)


class Transpose(Primitive):
    """y = x with its axes permuted;  dx = dy with the inverse permutation."""

    name = "transpose"
    formula = "{0}ᵀ"

    @staticmethod
    def forward(x, axes):
        return x.transpose(axes), axes

    @staticmethod
    def backward(g, axes, inputs, out, needs):
        if axes is None:
            return (g.transpose(),)
        return (g.transpose(tuple(np.argsort(axes))),)


def _is_basic_index(index: Any) -> bool:
    """True for ints, slices, None and Ellipsis: such an index never repeats an element."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(
        isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts
    )


class GetItem(Primitive):
    """y = x[index];  dx = zeros like x with dy added at x[index] (repeated indices add up)."""

    name = "getitem"
    formula = "{0}[…]"

    @staticmethod
    def forward(x, index):
        return x[index], (x.shape, index)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        shape, index = saved
        if isinstance(g, Tensor):
            return (apply(ScatterAdd, (g,), shape, index),)
        return (ScatterAdd.forward(g, shape, index)[0],)


class ScatterAdd(Primitive):
    """y = zeros(shape) with x added at [index];  dx = dy[index] (the adjoint of indexing)."""

    name = "scatter_add"

    @staticmethod
    def forward(x, shape, index):
        full = np.zeros(shape, dtype=x.dtype)
        if _is_basic_index(index):
            full[index] = x
        else:
            np.add.at(full, index, x)
        return full, index

    @staticmethod
    def backward(g, index, inputs, out, needs):
        return (g[index],)


class BroadcastTo(Primitive):
    """y = x repeated to a larger shape;  dx = dy summed over the repeated axes (by the engine)."""

    name = "broadcast_to"

    @staticmethod
    def forward(x, shape):
        return np.broadcast_to(x, shape), None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return (g,)


class Concatenate(Primitive):
    """y = [x1, x2, ...] joined along an axis;  dx_i = the slice of dy that x_i filled."""

    name = "concatenate"

    @staticmethod
    def forward(*arrays_and_axis):
        *arrays, axis = arrays_and_axis
        return np.concatenate(arrays, axis=axis), (axis, [a.shape[axis] for a in arrays])

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        axis, sizes = saved
        grads = []
        start = 0
        lead = (slice(None),) * axis
        for size, need in zip(sizes, needs):
            grads.append(g[lead + (slice(start, start + size),)] if need else None)
            start += size
        return tuple(grads)


class Stack(Primitive):
    """y = x1, x2, ... stacked along a new axis;  dx_i = dy taken at position i of that axis."""

    name = "stack"

    @staticmethod
    def forward(*arrays_and_axis):
        *arrays, axis = arrays_and_axis
        return np.stack(arrays, axis=axis), axis

    @staticmethod
    def backward(g, axis, inputs, out, needs):
        lead = (slice(None),) * axis
        return tuple(g[lead + (i,)] if need else None for i, need in enumerate(needs))


# --------------------------------------------------------------------------- functions

@implements(np.reshape)
def reshape(x: Any, shape: Any) -> Tensor:
    """x with a new shape holding the same number of elements."""
    t = as_tensor(x)
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    try:
        return apply(Reshape, (t,), shape)
    except base.ShapeError:
        raise base.ShapeError(
            f"reshape: cannot reshape a tensor of shape {t.shape} ({t.size} elements) into {shape}"
        ) from None


@implements(np.transpose)
def transpose(x: Any, axes: Any = None) -> Tensor:
    """Permute the axes (reverse them when axes is None; x.T for a matrix)."""
    t = as_tensor(x)
    if axes is not None:
        axes = tuple(int(a) for a in axes)
        if sorted(a % max(t.ndim, 1) for a in axes) != list(range(t.ndim)):
            raise base.ShapeError(f"transpose: axes {axes} do not permute the shape {t.shape}")
        axes = tuple(a % t.ndim for a in axes)
    return apply(Transpose, (t,), axes)


def _plain_index(index: Any) -> Any:
    """Tensors used as indices become their integer arrays; lists become arrays.

    A Tensor's data is floating: whole numbers (2.0) are taken as integers, anything else
    (1.7, NaN) is an IndexError, as NumPy refuses a float index, never truncated.
    """
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    if isinstance(index, Tensor):
        values = index.data
        if values.dtype.kind == "f":
            whole = np.isfinite(values) & (values == np.round(values))
            if not whole.all():
                bad = values[~whole].flat[0]
                raise IndexError(
                    f"getitem: an index Tensor must hold whole numbers; got {float(bad)} "
                    f"(index values {np.array2string(values, threshold=6)})"
                )
            return values.astype(np.intp)
        return values
    if isinstance(index, list):
        return np.asarray(index)
    return index


def getitem(x: Any, index: Any) -> Tensor:
    """x[index] with NumPy's indexing; differentiable."""
    t = as_tensor(x)
    index = _plain_index(index)
    try:
        return apply(GetItem, (t,), index)
    except (IndexError, base.ShapeError) as err:
        raise IndexError(f"getitem: index {index!r} does not fit shape {t.shape}: {err}") from None


@implements(np.broadcast_to)
def broadcast_to(x: Any, shape: Sequence[int]) -> Tensor:
    """x repeated along new or length-1 axes to ``shape``."""
    t = as_tensor(x)
    shape = tuple(shape)
    try:
        np.broadcast_shapes(t.shape, shape)
    except ValueError:
        raise base.ShapeError(f"broadcast_to: cannot broadcast {t.shape} to {shape}") from None
    return apply(BroadcastTo, (t,), shape)


def _joined_operands(op: str, tensors: Sequence[Any]) -> tuple[Tensor, ...]:
    if len(tensors) == 0:
        raise ValueError(f"{op}: needs at least one tensor")
    like = next((t for t in tensors if isinstance(t, Tensor)), None)
    return tuple(t if isinstance(t, Tensor) else constant(t, like=like) for t in tensors)


@implements(np.concatenate)
def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    ts = _joined_operands("concatenate", tensors)
    ndim = ts[0].ndim
    if ndim == 0 or not -ndim <= axis < ndim:
        raise base.ShapeError(f"concatenate: axis {axis} is out of range for shape {ts[0].shape}")
    axis %= ndim
    def others(shape: tuple[int, ...]) -> tuple[int, ...]:
        return shape[:axis] + shape[axis + 1:]

    for t in ts:
        if t.ndim != ndim or others(t.shape) != others(ts[0].shape):
            shapes = ", ".join(str(u.shape) for u in ts)
            raise base.ShapeError(
                f"concatenate: shapes {shapes} must match except along axis {axis}"
            )
    return apply(Concatenate, ts, axis)


@implements(np.stack)
def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Stack tensors of one shape along a new axis."""
    ts = _joined_operands("stack", tensors)
    if any(t.shape != ts[0].shape for t in ts):
        shapes = ", ".join(str(t.shape) for t in ts)
        raise base.ShapeError(f"stack: all tensors must have the same shape; got {shapes}")
    ndim = ts[0].ndim + 1
    if not -ndim <= axis < ndim:
        raise base.ShapeError(f"stack: axis {axis} is out of range for the result's {ndim} axes")
    return apply(Stack, ts, axis % ndim)
