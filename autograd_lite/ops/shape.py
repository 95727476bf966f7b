"""Shape and indexing: reshape, transpose, indexing, concatenate, stack, broadcast_to;
and, written with reshape, squeeze, expand_dims, flatten and ravel.

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
    "expand_dims",
    "flatten",
    "getitem",
    "ravel",
    "reshape",
    "squeeze",
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
    """Tensors used as indices become their (integer) arrays; lists become arrays."""
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    if isinstance(index, Tensor):
        return index.data.astype(np.intp) if index.dtype.kind == "f" else index.data
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


# squeeze, expand_dims, flatten and ravel are reshapes: each is reshape to the shape NumPy
# gives, after NumPy's checks of its arguments. Their derivative is reshape's (dy reshaped
# back to x's shape), so they are not primitives of their own; the graph shows reshape.

def _shape_axes(op: str, axis: Any, ndim: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """``axis`` (an int or a tuple of ints, negative ones counted from the end) as
    non-negative axes of a shape with ``ndim`` axes; out of range or repeated: an error."""
    if axis is None:
        raise base.ShapeError(f"{op}: axis must be an int or a tuple of ints; got None")
    try:
        axes = base.normalize_axis(axis, ndim) or ()
    except base.ShapeError as err:
        raise base.ShapeError(f"{op}: {err} (shape {shape})") from None
    if len(set(axes)) != len(axes):
        raise base.ShapeError(f"{op}: axis {axis!r} repeats an axis (shape {shape})")
    return axes


@implements(np.squeeze)
def squeeze(x: Any, axis: Any = None) -> Tensor:
    """x without its axes of length 1 (only those of ``axis``, when given: each must have
    length 1, as NumPy requires)."""
    t = as_tensor(x)
    if axis is None:
        return reshape(t, tuple(n for n in t.shape if n != 1))
    axes = _shape_axes("squeeze", axis, t.ndim, t.shape)
    wrong = [a for a in axes if t.shape[a] != 1]
    if wrong:
        raise base.ShapeError(
            f"squeeze: axis {wrong[0]} of shape {t.shape} has length {t.shape[wrong[0]]}; "
            "only axes of length 1 can be squeezed"
        )
    return reshape(t, tuple(n for a, n in enumerate(t.shape) if a not in axes))


@implements(np.expand_dims)
def expand_dims(x: Any, axis: Any) -> Tensor:
    """x with new axes of length 1 at the positions ``axis`` (an int or a tuple) of the
    result, as NumPy's: expand_dims(b, 1) makes a column (n, 1) of a rank-1 b (n,)."""
    t = as_tensor(x)
    ndim = t.ndim + (len(axis) if isinstance(axis, (tuple, list)) else 1)
    axes = _shape_axes("expand_dims", axis, ndim, t.shape)
    sizes = iter(t.shape)
    return reshape(t, tuple(1 if a in axes else next(sizes) for a in range(ndim)))


@implements(np.ravel)
def ravel(x: Any, order: str = "C") -> Tensor:
    """x as one axis, read in NumPy's ``order``: "C" row by row (the last index fastest),
    "F" column by column, "A" and "K" as the data lie in memory (as NumPy's ravel)."""
    return _one_axis("ravel", x, order)


def flatten(x: Any, order: str = "C") -> Tensor:
    """x as one axis (ndarray.flatten; the same values as :func:`ravel`)."""
    return _one_axis("flatten", x, order)


def _one_axis(op: str, x: Any, order: str) -> Tensor:
    t = as_tensor(x)
    if order not in ("C", "F", "A", "K"):
        raise ValueError(f"{op}: order must be 'C', 'F', 'A' or 'K'; got {order!r}")
    if order == "F":
        return reshape(transpose(t), (-1,))
    if order in ("A", "K"):
        # Which element comes where, read from an array of positions laid out as the data.
        positions = np.empty_like(t.data, dtype=np.intp)
        positions[...] = np.arange(t.size).reshape(t.shape)
        picked = np.ravel(positions, order=order)
        if (picked != np.arange(t.size)).any():
            return getitem(reshape(t, (-1,)), picked)
    return reshape(t, (-1,))
