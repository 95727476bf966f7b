"""Shape and indexing: reshape, transpose, indexing, concatenate, stack, broadcast_to;
NumPy's flip, pad, repeat, tile, split, vstack and hstack; and, written with reshape,
squeeze, expand_dims, flatten and ravel.

None of these changes a value; their derivatives only move gradients back to
where each value came from (and add them up where a value was copied several times).
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
    "flip",
    "getitem",
    "hstack",
    "pad",
    "ravel",
    "repeat",
    "reshape",
    "split",
    "squeeze",
    "stack",
    "tile",
    "transpose",
    "vstack",
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


class Flip(Primitive):
    """y = x with its elements in reverse order along some axes (np.flip);
    dx = dy flipped back along the same axes (a flip is its own adjoint)."""

    name = "flip"

    @staticmethod
    def forward(x, axes):
        return np.flip(x, axes), axes

    @staticmethod
    def backward(g, axes, inputs, out, needs):
        return (_flip(g, axes),)


def _flip(g: Any, axes: tuple[int, ...] | None) -> Any:
    """np.flip on an ndarray, the Flip primitive on a Tensor (create_graph)."""
    return apply(Flip, (g,), axes) if isinstance(g, Tensor) else np.flip(g, axes)


class Pad(Primitive):
    """y = x surrounded by a constant (np.pad, mode="constant"): x sits in the block
    y[b₀:b₀+n₀, b₁:b₁+n₁, ...] (bᵢ values before it along axis i);
    dx = that block of dy (the padding is a constant: its gradient goes nowhere)."""

    name = "pad"
    derivatives = ("1",)

    @staticmethod
    def forward(x, pairs, value):
        inside = tuple(slice(before, before + n) for (before, _), n in zip(pairs, x.shape))
        return _padded(x, pairs, "constant", constant_values=value), inside

    @staticmethod
    def backward(g, inside, inputs, out, needs):
        return (g[inside],)


class Repeat(Primitive):
    """y = each element of x repeated r times along an axis (np.repeat; all axes
    flattened first when axis is None); dx_i = the sum of dy over the r copies of x_i.

    ``repeats`` is one count for every element (saved as an int) or one count per element
    along the axis (an array): the copies of x_i are then the r_i consecutive entries of y.
    """

    name = "repeat"

    @staticmethod
    def forward(x, repeats, axis):
        return np.repeat(x, repeats, axis), (x.shape, repeats, axis)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        shape, repeats, axis = saved
        flat = shape if axis is not None else (int(np.prod(shape)),)
        ax = 0 if axis is None else axis
        if isinstance(repeats, int):  # y's axis is (n, r): sum the r copies
            split = flat[:ax] + (flat[ax], repeats) + flat[ax + 1:]
            grad = g.reshape(split).sum(axis=ax + 1)
        else:  # r_i copies of x_i: add each entry of dy back where it came from
            index = (slice(None),) * ax + (np.repeat(np.arange(flat[ax]), repeats),)
            grad = (apply(ScatterAdd, (g,), flat, index) if isinstance(g, Tensor)
                    else ScatterAdd.forward(g, flat, index)[0])
        return (grad.reshape(shape) if axis is None else grad,)


class Tile(Primitive):
    """y = x laid out ``reps`` times along each axis (np.tile): along an axis of length n
    tiled d times, y[t·n + i] = x[i] for every tile t;
    dx = dy cut into its tiles, the tiles added up (each axis reshaped to (d, n), the d
    axes summed)."""

    name = "tile"

    @staticmethod
    def forward(x, reps):
        return np.tile(x, reps), (x.shape, reps)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        shape, reps = saved
        ndim = g.ndim  # max(x.ndim, len(reps)): the shorter one is padded with 1s in front
        full_shape = (1,) * (ndim - len(shape)) + shape
        full_reps = (1,) * (ndim - len(reps)) + reps
        if all(d == 1 for d in full_reps):
            return (g.reshape(shape),)
        split = tuple(v for d, n in zip(full_reps, full_shape) for v in (d, n))
        return (g.reshape(split).sum(axis=tuple(range(0, 2 * ndim, 2))).reshape(shape),)


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


# ------------------------------------------------- NumPy's flip, pad, repeat, tile, split, stacks

def _one_axis(op: str, axis: Any, shape: tuple[int, ...]) -> int:
    """One axis of ``shape`` as a non-negative int (negative counts from the end)."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis must be an int; got {axis!r}")
    if not -len(shape) <= axis < len(shape):
        raise base.ShapeError(f"{op}: axis {axis} is out of range for shape {shape}")
    return int(axis) % len(shape)


def _counts(op: str, name: str, value: Any) -> np.ndarray:
    """Integer counts (repeats, reps) as an array of ints >= 0; floats are refused, not cut."""
    array = np.asarray(value.data if isinstance(value, Tensor) else value)
    if array.dtype.kind not in "biu" and array.size:
        raise TypeError(f"{op}: {name} must be integers; got {value!r}")
    if (array < 0).any():
        raise ValueError(f"{op}: {name} must not be negative; got {value!r}")
    return array.astype(np.intp)


@implements(np.flip)
def flip(m: Any, axis: Any = None) -> Tensor:
    """m with the order of its elements reversed along ``axis`` (an int, a tuple of ints,
    or None: every axis), as np.flip. Differentiable: the gradient is flipped back."""
    t = as_tensor(m)
    if axis is None:
        return apply(Flip, (t,), None)
    try:
        axes = base.normalize_axis(axis, t.ndim)
    except base.ShapeError as err:
        raise base.ShapeError(f"flip: {err} (shape {t.shape})") from None
    if len(set(axes)) != len(axes):
        raise base.ShapeError(f"flip: axis {axis!r} names an axis twice (shape {t.shape})")
    return apply(Flip, (t,), axes)


#: np.pad's modes that only copy values of the array: their padding is a gather.
_COPY_MODES = ("edge", "reflect", "symmetric", "wrap")
_REFLECTING = ("reflect", "symmetric")


@implements(np.pad)
def pad(array: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Tensor:
    """``array`` with values added before and after each axis, as np.pad.

    ``pad_width`` is NumPy's: one int for every side, ``(before, after)`` for every axis,
    one ``(before, after)`` per axis, or ``{axis: width or (before, after)}``.
    ``mode="constant"`` (``constant_values``, default 0) is the Pad primitive: the
    gradient is the block of dJ/dy where the array sits.
    ``"edge"``, ``"reflect"``, ``"symmetric"`` and ``"wrap"`` (``reflect_type="even"``)
    only copy the array's own values: they are written as indexing (the padded positions
    of ``arange(size)`` pick the values), so their gradient adds up every copy's.
    Other modes (means, ramps, ``reflect_type="odd"``) compute new values and are refused.
    """
    t = as_tensor(array)
    pairs = _pad_pairs(pad_width, t.shape)
    if mode == "constant":
        value = kwargs.pop("constant_values", 0)
        if kwargs:
            raise ValueError(f"pad: unsupported keyword arguments for mode 'constant': "
                             f"{sorted(kwargs)}")
        if isinstance(value, Tensor):
            if value.requires_grad:
                raise TypeError(
                    "pad: constant_values is a Tensor that requires grad; its gradient would "
                    "be dropped. Pass constant_values=t.detach(), or join the pieces with "
                    "concatenate to differentiate through them."
                )
            value = value.data
        try:
            return apply(Pad, (t,), pairs, value)
        except base.ShapeError as err:
            raise base.ShapeError(
                f"pad: constant_values {value!r} do not fit a tensor of shape {t.shape}: {err}"
            ) from None
    if mode in _COPY_MODES:
        reflect_type = kwargs.pop("reflect_type", "even") if mode in _REFLECTING else "even"
        if kwargs:
            raise ValueError(f"pad: unsupported keyword arguments for mode {mode!r}: "
                             f"{sorted(kwargs)}")
        if reflect_type != "even":
            raise ValueError(
                f"pad: reflect_type={reflect_type!r} is not supported (it computes new values, "
                "2·edge - x, rather than copying them); use reflect_type='even'"
            )
        positions = np.arange(t.size).reshape(t.shape)
        try:
            index = _padded(positions, pairs, mode)
        except ValueError as err:
            raise base.ShapeError(f"pad: mode {mode!r} cannot pad shape {t.shape}: {err}") from None
        return getitem(reshape(t, (t.size,)), index)
    supported = ", ".join(repr(m) for m in ("constant", *_COPY_MODES))
    raise ValueError(
        f"pad: mode {mode!r} is not supported (it is not differentiated here); "
        f"the supported modes are {supported}"
    )


def _pad_pairs(pad_width: Any, shape: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """NumPy's reading of pad_width: one (before, after) pair of ints >= 0 per axis."""
    if isinstance(pad_width, dict):  # {axis: width or (before, after)}; other axes 0
        pairs_by_axis = [(0, 0)] * len(shape)
        for axis, width in pad_width.items():
            pair = (width, width) if isinstance(width, (int, np.integer)) else tuple(width)
            pairs_by_axis[_one_axis("pad", axis, shape)] = pair
        pad_width = pairs_by_axis
    widths = np.asarray(pad_width.data if isinstance(pad_width, Tensor) else pad_width)
    if widths.dtype.kind not in "iu":
        raise TypeError(f"pad: pad_width must be integers; got {pad_width!r}")
    ndim = len(shape)
    if widths.size == 1:
        pairs = np.full((ndim, 2), widths.reshape(()))
    elif widths.size == 2 and widths.shape != (2, 1):
        pairs = np.broadcast_to(widths.reshape(2), (ndim, 2))
    else:
        try:
            pairs = np.broadcast_to(widths, (ndim, 2))
        except ValueError:
            raise base.ShapeError(
                f"pad: pad_width of shape {widths.shape} does not fit a tensor of shape "
                f"{shape} (give one int, (before, after), or one pair per axis: ({ndim}, 2))"
            ) from None
    if (pairs < 0).any():
        raise ValueError(f"pad: pad_width must not be negative; got {pad_width!r}")
    return tuple((int(before), int(after)) for before, after in pairs)


def _padded(x: np.ndarray, pairs: tuple[tuple[int, int], ...], mode: str,
            **kwargs: Any) -> np.ndarray:
    """np.pad with the pairs; a number (0-d, no axis to pad) is returned as a copy."""
    if not pairs:
        return x.copy()
    return np.pad(x, pairs, mode=mode, **kwargs)


@implements(np.repeat)
def repeat(a: Any, repeats: Any, axis: int | None = None) -> Tensor:
    """Each element of ``a`` repeated, as np.repeat: ``repeats`` is one count, or one count
    per element along ``axis``; axis None repeats the flattened array. The gradient of an
    element is the sum of its copies' gradients."""
    t = as_tensor(a)
    counts = _counts("repeat", "repeats", repeats)
    if axis is None:
        length, ax = t.size, None
    else:
        ax = _one_axis("repeat", axis, t.shape)
        length = t.shape[ax]
    if counts.ndim > 1:
        raise base.ShapeError(f"repeat: repeats must be one int or a 1-D list; got shape "
                              f"{counts.shape}")
    if counts.size == 1:
        count: int | np.ndarray = int(counts.reshape(()))
    elif counts.size != length:
        where = "the flattened tensor" if axis is None else f"axis {axis}"
        raise base.ShapeError(
            f"repeat: {counts.size} repeats do not fit {where} of length {length} "
            f"(shape {t.shape}); give one count, or one per element"
        )
    elif (counts == counts[0]).all():
        count = int(counts[0])
    else:
        count = counts
    return apply(Repeat, (t,), count, ax)


@implements(np.tile)
def tile(A: Any, reps: Any) -> Tensor:  # noqa: N803 - NumPy's argument name
    """``A`` laid out ``reps`` times along each axis, as np.tile (reps and A's shape are
    padded with leading 1s to the same length). The gradient adds up the tiles'."""
    t = as_tensor(A)
    counts = _counts("tile", "reps", reps)
    if counts.ndim > 1:
        raise base.ShapeError(f"tile: reps must be an int or a 1-D list; got {reps!r}")
    return apply(Tile, (t,), tuple(int(d) for d in counts.reshape(-1)))


@implements(np.split)
def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """``ary`` cut along ``axis`` into a list of tensors, as np.split: ``indices_or_sections``
    is a number N of equal parts, or the sorted indices where each part starts.

    A composite: each part is the slice ``ary[..., start:stop, ...]`` (getitem). The
    gradient of ``ary`` is the parts' gradients joined back in order, zeros for a part
    that J does not use (each slice's VJP writes its gradient into its place).
    """
    t = as_tensor(ary)
    if t.ndim == 0:
        raise base.ShapeError("split: cannot split a tensor of shape () (it has no axis)")
    ax = _one_axis("split", axis, t.shape)
    length = t.shape[ax]
    if isinstance(indices_or_sections, (int, np.integer)) and not isinstance(
            indices_or_sections, bool):
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError(f"split: the number of sections must be larger than 0; got {sections}")
        if length % sections:
            raise base.ShapeError(
                f"split: axis {axis} of shape {t.shape} (length {length}) does not divide into "
                f"{sections} equal sections"
            )
        bounds = [i * (length // sections) for i in range(sections + 1)]
    else:
        points = _counts_or_indices(indices_or_sections)
        bounds = [0, *points, length]
    lead = (slice(None),) * ax
    return [getitem(t, lead + (slice(start, stop),)) for start, stop in zip(bounds, bounds[1:])]


def _counts_or_indices(indices: Any) -> list[int]:
    array = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise TypeError(f"split: indices_or_sections must be an int or a 1-D list of ints; "
                        f"got {indices!r}")
    return [int(i) for i in array]


def _stacked(op: str, tup: Any, dtype: Any, casting: str) -> tuple[Tensor, ...]:
    """The operands of vstack and hstack: Tensors, arrays and numbers (constants taking the
    first Tensor's dtype), cast to ``dtype`` under NumPy's ``casting`` rule when given."""
    if not isinstance(tup, (list, tuple)):
        raise TypeError(f"{op}: arrays to stack must be passed as a sequence such as a list "
                        f"or a tuple; got {type(tup).__name__}")
    if len(tup) == 0:
        raise ValueError(f"{op}: need at least one array to stack")
    ts = _joined_operands(op, tup)
    if dtype is None:
        return ts
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"{op}: dtype must be floating (float64, float32); got {dtype}")
    for t in ts:
        if not np.can_cast(t.dtype, dtype, casting):
            raise TypeError(f"{op}: cannot cast {t.dtype} to {dtype} under casting={casting!r}")
    return tuple(t.astype(dtype) for t in ts)


def _joined(op: str, ts: Sequence[Tensor], axis: int) -> Tensor:
    try:
        return concatenate(ts, axis=axis)
    except base.ShapeError:
        shapes = ", ".join(str(t.shape) for t in ts)
        raise base.ShapeError(
            f"{op}: shapes {shapes} must match except along axis {axis} (after "
            f"{'atleast_2d' if op == 'vstack' else 'atleast_1d'})"
        ) from None


@implements(np.vstack)
def vstack(tup: Sequence[Any], *, dtype: Any = None, casting: str = "same_kind") -> Tensor:
    """The tensors stacked as rows, as np.vstack: each made at least 2-D (a number is
    (1, 1), a vector (n,) the row (1, n)), then joined along axis 0.

    A composite of reshape and concatenate (NumPy's own definition), so its gradient is
    theirs: each tensor gets its rows of dJ/dy back, in its own shape."""
    ts = _stacked("vstack", tup, dtype, casting)
    rows = [t if t.ndim >= 2 else reshape(t, (1, t.size)) for t in ts]
    return _joined("vstack", rows, 0)


@implements(np.hstack)
def hstack(tup: Sequence[Any], *, dtype: Any = None, casting: str = "same_kind") -> Tensor:
    """The tensors joined column-wise, as np.hstack: each made at least 1-D (a number
    is (1,)), then joined along axis 0 if the first is a vector, else along axis 1.

    A composite of reshape and concatenate (NumPy's own definition), so its gradient is
    theirs: each tensor gets its slice of dJ/dy back, in its own shape."""
    ts = _stacked("hstack", tup, dtype, casting)
    parts = [t if t.ndim >= 1 else reshape(t, (1,)) for t in ts]
    return _joined("hstack", parts, 0 if parts[0].ndim == 1 else 1)
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
    return _flat("ravel", x, order)


def flatten(x: Any, order: str = "C") -> Tensor:
    """x as one axis (ndarray.flatten; the same values as :func:`ravel`)."""
    return _flat("flatten", x, order)


def _flat(op: str, x: Any, order: str) -> Tensor:
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
