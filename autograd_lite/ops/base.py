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

from typing import Any, ClassVar

import numpy as np

from autograd_lite.grad_mode import GradMode
from autograd_lite.tensor import Tensor, to_array


class ShapeError(ValueError):
    """Operands whose shapes do not fit the op; the message names the op and the shapes."""


class Primitive:
    """Base class of the primitives: one subclass per op, never instantiated."""

    name: ClassVar[str] = "primitive"

    @staticmethod
    def forward(*args: Any) -> tuple[np.ndarray, Any]:
        raise NotImplementedError

    @staticmethod
    def backward(
        upstream: Any, saved: Any, inputs: tuple, out: Any, needs: tuple[bool, ...]
    ) -> tuple:
        raise NotImplementedError


def _new_tensor(data: np.ndarray, op: Any, parents: tuple, saved: Any) -> Tensor:
    # Bypasses Tensor.__init__: data is already a checked ndarray.
    t = Tensor.__new__(Tensor)
    t.data = data
    t.grad = None
    t.requires_grad = op is not None
    t.name = None
    t._op = op
    t._parents = parents
    t._saved = saved
    t._retains_grad = False
    return t


def constant(value: Any, like: Tensor | None = None) -> Tensor:
    """A leaf that does not require grad; numbers and arrays take ``like``'s dtype.

    Taking the tensor operand's dtype keeps float32 computations in float32.
    """
    if isinstance(value, Tensor):
        return value
    if like is not None:
        dtype = like.data.dtype
        if type(value) is np.ndarray and value.dtype == dtype:
            array = value
        else:
            array = np.asarray(value, dtype=dtype)
    else:
        array = to_array(value)
    return _new_tensor(array, None, (), None)


def apply(fn: type[Primitive], inputs: tuple[Tensor, ...], *params: Any) -> Tensor:
    """Run ``fn.forward`` on the inputs' data and record a graph node when needed.

    A node is recorded only when gradients are enabled and some input requires
    grad; otherwise the result is a plain leaf and nothing is kept alive.
    """
    try:
        # The common arities spelled out: a list comprehension costs more than the op here.
        if len(inputs) == 2:
            out, saved = fn.forward(inputs[0].data, inputs[1].data, *params)
        elif len(inputs) == 1:
            out, saved = fn.forward(inputs[0].data, *params)
        else:
            out, saved = fn.forward(*[t.data for t in inputs], *params)
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
                return result
    result.requires_grad = False
    result._op = None
    result._parents = ()
    result._saved = None
    return result


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
    if x.shape == shape:
        return x
    if isinstance(x, Tensor):
        from autograd_lite.ops.shape import broadcast_to as tensor_broadcast_to

        return tensor_broadcast_to(x, shape)
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
