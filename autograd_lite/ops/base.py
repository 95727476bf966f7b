"""What every primitive implements, and how a primitive is applied to tensors.

A primitive is a class with two static methods side by side:

``forward(*arrays, *params) -> (out, saved)``
    the op on ndarrays; ``saved`` is whatever its derivative needs beyond the
    inputs and the output (an axis, a mask, ...), or None.

``backward(upstream, saved, inputs, out, needs) -> tuple``
    the vector-Jacobian product: given dJ/dout (``upstream``), return dJ/dinput for
    each input, or None where ``needs[i]`` (one bool per input) is False. A gradient may keep the
    broadcast shape of ``out``: the engine sums it back to the input's shape.
    A gradient may be ``upstream`` itself or a view of it (the engine copies those),
    or a new array, which the engine then owns and adds into in place; it must never
    be an array the op keeps elsewhere (``saved``, an input, ``out``).

``backward`` is written once for two kinds of values. Normally ``upstream``,
``inputs`` and ``out`` are ndarrays. With ``backward(create_graph=True)`` they are
Tensors, and the same arithmetic records the backward pass as a graph that can
be differentiated again. The helpers below (``exp``, ``log``, ``data``) are the
few places where the two kinds need different calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from autograd_lite.grad_mode import GradMode
from autograd_lite.tensor import Tensor, _next_seq, to_array


class ShapeError(ValueError):
    """Operands whose shapes do not fit the op; the message names the op and the shapes."""


class Primitive:
    """Base class of the primitives: one subclass per op, never instantiated."""

    name: ClassVar[str] = "primitive"
    # True when dz/dinput = 1 for every input (z = a + b): each input's gradient is the
    # upstream gradient itself, and the engine hands it on without calling ``backward``.
    passes_gradient: ClassVar[bool] = False

    @staticmethod
    def forward(*args: Any) -> tuple[np.ndarray, Any]:
        raise NotImplementedError

    @staticmethod
    def backward(
        upstream: Any, saved: Any, inputs: tuple, out: Any, needs: tuple[bool, ...]
    ) -> tuple:
        raise NotImplementedError


def constant(value: Any, like: Tensor | None = None) -> Tensor:
    """A leaf that does not require grad; numbers and arrays take ``like``'s dtype.

    Taking the tensor operand's dtype keeps float32 computations in float32.
    """
    if like is not None and type(value) in _CACHED_NUMBERS:
        # The 3 in 3 * x comes back at every step: its read-only array is made once.
        key = (value, like.data.dtype)
        array = _number_arrays.get(key)
        if array is None:
            array = np.asarray(value, dtype=key[1])
            if value and value == value and len(_number_arrays) < 1024:  # not ±0, NaN
                array.flags.writeable = False
                _number_arrays[key] = array
    elif isinstance(value, Tensor):
        return value
    elif like is None:
        array = to_array(value)
    elif type(value) is np.ndarray and value.dtype == like.data.dtype:
        array = value
    else:
        array = np.asarray(value, dtype=like.data.dtype)
    # Bypasses Tensor.__init__: the array is already checked.
    t = _tensor_new(Tensor)
    t.data = array
    t.grad = None
    t.requires_grad = False
    t.name = None
    t._op = None
    t._parents = ()
    t._saved = None
    t._retains_grad = False
    return t


# (number, dtype) -> its 0-d array. Zeros are left out (0.0 == -0.0 would share a key).
_CACHED_NUMBERS = (int, float)
_number_arrays: dict[tuple, np.ndarray] = {}


def apply(fn: type[Primitive], inputs: tuple[Tensor, ...], *params: Any) -> Tensor:
    """Run ``fn.forward`` on the inputs' data and record a graph node when needed.

    A node is recorded only when gradients are enabled and some input requires
    grad; otherwise the result is a plain leaf and nothing is kept alive.
    """
    try:
        # The common arities spelled out: unpacking a list (or even an empty *params) costs
        # more than a small op itself.
        if params:
            if len(inputs) == 1:
                if len(params) == 2:  # sum, mean, max: (axis, keepdims)
                    out, saved = fn.forward(inputs[0].data, params[0], params[1])
                else:
                    out, saved = fn.forward(inputs[0].data, *params)
            else:
                out, saved = fn.forward(*[t.data for t in inputs], *params)
        elif len(inputs) == 2:
            out, saved = fn.forward(inputs[0].data, inputs[1].data)
        elif len(inputs) == 1:
            out, saved = fn.forward(inputs[0].data)
        else:
            out, saved = fn.forward(*[t.data for t in inputs])
    except ShapeError:
        raise
    except ValueError as err:
        shapes = " and ".join(str(t.shape) for t in inputs)
        raise ShapeError(f"{fn.name}: operands of shapes {shapes} do not fit: {err}") from None
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    if _forward_hook is not None:
        _forward_hook(fn, inputs, out)
    # The new tensor is built here rather than in a helper: this is every op's hot path.
    result = _tensor_new(Tensor)
    result.data = out
    result.grad = None
    result.name = None
    result._retains_grad = False
    if GradMode.enabled:
        for t in inputs:
            if t.requires_grad:
                result.requires_grad = True
                result._op = fn
                result._parents = inputs
                result._saved = saved
                result._seq = _next_seq()
                return result
    result.requires_grad = False
    result._op = None
    result._parents = ()
    result._saved = None
    return result


def binary_method(fn: type[Primitive], reflected: bool = False) -> Callable[[Tensor, Any], Tensor]:
    """``fn`` as a Tensor method of two operands, e.g. ``Tensor.__mul__ = binary_method(Mul)``.

    ``method(x, y)`` is ``apply(fn, (x, y))``, with y made a constant unless it is a Tensor
    (``reflected``: ``apply(fn, (y, x))``, for ``__rmul__``). The steps of :func:`apply` are
    written out again here for two operands: + - * @ are most of a small graph's ops, and a
    call, a tuple and a loop cost as much as the op itself on a scalar.
    """

    def method(x: Tensor, y: Any) -> Tensor:
        if type(y) is not Tensor:
            y = constant(y, x)
        if reflected:
            x, y = y, x
        try:
            out, saved = fn.forward(x.data, y.data)
        except ShapeError:
            raise
        except ValueError as err:
            raise ShapeError(
                f"{fn.name}: operands of shapes {x.shape} and {y.shape} do not fit: {err}"
            ) from None
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        if _forward_hook is not None:
            _forward_hook(fn, (x, y), out)
        result = _tensor_new(Tensor)
        result.data = out
        result.grad = None
        result.name = None
        result._retains_grad = False
        if GradMode.enabled and (x.requires_grad or y.requires_grad):
            result.requires_grad = True
            result._op = fn
            result._parents = (x, y)
            result._saved = saved
            result._seq = _next_seq()
        else:
            result.requires_grad = False
            result._op = None
            result._parents = ()
            result._saved = None
        return result

    method.__name__ = method.__qualname__ = f"{'r' if reflected else ''}{fn.name}"
    method.__doc__ = f"{fn.__name__} of two operands: {fn.__doc__}"
    return method


_tensor_new = Tensor.__new__


# Set by autograd_lite.debug while anomaly detection or strict shapes are on: called with
# (primitive, input tensors, output array) after every forward. None costs one test an op.
_forward_hook: Any = None


def binary_operands(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """Make both operands Tensors; a non-tensor side takes the tensor side's dtype."""
    if isinstance(a, Tensor):
        return a, (b if isinstance(b, Tensor) else constant(b, like=a))
    if isinstance(b, Tensor):
        return constant(a, like=b), b
    return constant(a), constant(b)


def as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else constant(x)


# ---------------------------------------------------------------------------
# Helpers for backward functions that run on ndarrays or, under create_graph, Tensors.

def data(x: Any) -> np.ndarray:
    """The values of x, for masks and signs: these are constants of the derivative."""
    return x.data if isinstance(x, Tensor) else x


def exp(x: Any) -> Any:
    return x.exp() if isinstance(x, Tensor) else np.exp(x)


def log(x: Any) -> Any:
    return x.log() if isinstance(x, Tensor) else np.log(x)


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    """x repeated to ``shape`` as a read-only view (the gradient of a sum or a mean)."""
    if x.shape == shape:
        return x
    if isinstance(x, Tensor):
        from autograd_lite.ops.shape import broadcast_to as tensor_broadcast_to

        return tensor_broadcast_to(x, shape)
    if type(x) is np.ndarray and x.size == 1:
        # One value everywhere (the gradient of a cost over all axes): the view made
        # directly, with zero strides; np.broadcast_to costs about 3x more for the same.
        view = np.ndarray(shape, x.dtype, x, 0, (0,) * len(shape))
        view.flags.writeable = False
        return view
    return np.broadcast_to(x, shape)


def swap_last_axes(x: Any) -> Any:
    """The matrix transpose of the last two axes (x.T for a matrix)."""
    if x.ndim == 2:
        return x.T
    if isinstance(x, Tensor):
        axes = list(range(x.ndim))
        axes[-1], axes[-2] = axes[-2], axes[-1]
        return x.transpose(axes)
    return np.swapaxes(x, -1, -2)


def normalize_axis(axis: Any, ndim: int) -> tuple[int, ...] | None:
    """Axis argument as a sorted tuple of non-negative ints (None means every axis)."""
    if axis is None:
        return None
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        axes: tuple = (axis,)
    elif isinstance(axis, (tuple, list)) and all(
        isinstance(ax, (int, np.integer)) and not isinstance(ax, bool) for ax in axis
    ):
        axes = tuple(axis)
    else:
        raise ShapeError(f"axis must be None, an int or a tuple of ints; got {axis!r}")
    normalized = []
    for ax in axes:
        if not -ndim <= ax < ndim:
            raise ShapeError(f"axis {ax} is out of range for a tensor with {ndim} dimensions")
        normalized.append(int(ax) % ndim)
    return tuple(sorted(normalized))


def expand_reduced(g: Any, in_shape: tuple[int, ...], axis: tuple[int, ...] | None,
                   keepdims: bool) -> Any:
    """Reshape the gradient of a reduction so it broadcasts against the input."""
    if keepdims or axis is None:
        return g.reshape((1,) * len(in_shape)) if axis is None else g
    shape = list(in_shape)
    for ax in axis:
        shape[ax] = 1
    return g.reshape(tuple(shape))
