"""What every primitive implements, and how a primitive is applied to tensors.

A primitive is a class that holds everything the project says about one op, side by side:

The math
    ``forward(*arrays, *params) -> (out, saved)``: the op on ndarrays; ``saved`` is
    whatever its derivative needs beyond the inputs and the output (an axis, a mask, ...),
    or None.

    ``backward(upstream, saved, inputs, out, needs) -> tuple``: the vector-Jacobian
    product. Given dJ/dout (``upstream``), return dJ/dinput = upstream × dout/dinput for
    each input, or None where ``needs[i]`` (one bool per input) is False. A gradient may
    keep the broadcast shape of ``out``: the engine sums it back to the input's shape. It
    may be ``upstream`` itself or a view of it (the engine copies those), or a new array,
    which the engine then owns and adds into in place; never an array the op keeps
    elsewhere (``saved``, an input, ``out``).

    ``backward`` is written once for two kinds of values. Normally ``upstream``, ``inputs``
    and ``out`` are ndarrays. With ``backward(create_graph=True)`` they are Tensors, and
    the same arithmetic records the backward pass as a graph that can be differentiated
    again. The helpers below (``exp``, ``log``, ``data``) are the few places where the two
    kinds need different calls.

What it teaches (read by the pictures, the backward frames, the ``graph`` command, anomaly
mode and the expression parser, which keep no per-op tables of their own)
    ``symbol`` (drawn in the op's circle), ``formula`` (the output written from its
    inputs), ``derivatives`` (dout/dinput as the course writes it, per input),
    ``backward_hint`` and :meth:`Primitive.forward_hint` (anomaly mode's advice),
    ``expression`` (the function name and arguments the ``graph`` command accepts).

Numbers (0-d arrays of one dtype, as in the course's J = 3(a + bc)) are the one named fast
path. NumPy's ufunc machinery costs about 0.3 µs on a 0-d array and returns a NumPy scalar
that must become an array again; Python's float arithmetic costs about 0.06 µs. A primitive
whose rule is exact on Python floats says so (``numbers_as_floats``: add, sub, mul), and
:func:`binary_method` (forward) and the fused backward loop (its VJP) then run the same
rule on ``item()`` values. The results are the same bits: Python floats are IEEE doubles,
and a float32 (or float16) sum or product computed in double and rounded once to float32
is the correctly rounded float32 result (double has more than 2p + 2 bits of precision).
NumPy's error settings (``np.errstate``: a warning by default, an error in the ``graph``
command) do not apply to Python floats, so a result that is not finite (``x - x`` is not
0: one cheap test) is computed again by NumPy on the arrays, which applies them as for
any other op: ``1e308 * 10`` overflows, ``inf - inf`` is invalid. Measured: −17% on the J
step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, NamedTuple

import numpy as np

from autograd_lite import grad_mode as _grad_mode
from autograd_lite.tensor import Tensor, _next_seq, to_array
from autograd_lite.traps import check_transposed_operand


class ShapeError(ValueError):
    """Operands whose shapes do not fit the op; the message names the op and the shapes."""


class ExpressionForm(NamedTuple):
    """How the ``graph`` command's expressions call an op: ``clip(x, low, high)`` is
    ``ExpressionForm("clip", required=("low", "high"))``; the function is
    ``autograd_lite.ops.<name>``, called with the tensors, then the numbers."""

    name: str
    tensors: int = 1
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()


class Primitive:
    """Base class of the primitives: one subclass per op, never instantiated."""

    #: The op's name (``Tensor.op``), unique among the primitives of autograd_lite.ops.
    name: ClassVar[str] = "primitive"
    # True when dz/dinput = 1 for every input (z = a + b): each input's gradient is the
    # upstream gradient itself, and the engine hands it on without calling ``backward``.
    passes_gradient: ClassVar[bool] = False
    #: The rule is exact on Python floats (see the module's docstring): add, sub, mul.
    numbers_as_floats: ClassVar[bool] = False

    #: Drawn in the op's circle (× for mul); None: the name.
    symbol: ClassVar[str | None] = None
    #: The output written from its inputs' names, ``"{0}·{1}"``; None: ``name(a, b)``.
    formula: ClassVar[str | None] = None
    #: Per input, dout/dinput as text, from the inputs' names {0}, {1}, ... and the
    #: output's {out}: ``("1 - {out}²",)`` for tanh. None: not written (see derivative_text).
    derivatives: ClassVar[tuple[str | None, ...]] = ()
    #: Anomaly mode's advice when this op's VJP produces NaN or inf.
    backward_hint: ClassVar[str | None] = None
    #: Elementwise on operands broadcast together: a (1, m) with an (m, 1) warns (traps.py),
    #: and strict_shapes warns of every outer product.
    broadcasts: ClassVar[bool] = False
    #: The name and arguments the ``graph`` command's expressions accept; None: not callable
    #: there (operators such as + are written as operators).
    expression: ClassVar[ExpressionForm | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("autograd_lite.ops."):
            other = _PRIMITIVES.get(cls.name)
            if other is not None and other.__qualname__ != cls.__qualname__:
                raise TypeError(f"two primitives are named {cls.name!r}: {other} and {cls}")
            _PRIMITIVES[cls.name] = cls

    @staticmethod
    def forward(*args: Any) -> tuple[np.ndarray, Any]:
        raise NotImplementedError

    @staticmethod
    def backward(
        upstream: Any, saved: Any, inputs: tuple, out: Any, needs: tuple[bool, ...]
    ) -> tuple:
        raise NotImplementedError

    @classmethod
    def derivative_text(
        cls, position: int, out: str, operands: list[str], node: Tensor
    ) -> str | None:
        """dout/dinput ``position`` as the course writes it (``c`` for u = bc, input b).

        ``operands`` are the inputs' names, ``out`` the output's, ``node`` the tensor (for
        ops whose derivative depends on a value, such as an exponent). None: no text.
        """
        if position < len(cls.derivatives) and cls.derivatives[position] is not None:
            return cls.derivatives[position].format(*operands, out=out)
        return None

    @classmethod
    def forward_hint(cls, inputs: tuple[np.ndarray, ...], out: np.ndarray) -> str | None:
        """Anomaly mode's advice when this op's forward produced NaN or inf; None: generic."""
        return None


# name -> primitive class, for every primitive of autograd_lite.ops (see Primitive).
_PRIMITIVES: dict[str, type[Primitive]] = {}


def primitives() -> dict[str, type[Primitive]]:
    """Every primitive of autograd_lite.ops, by name."""
    return dict(_PRIMITIVES)


# NumPy function or ufunc -> the autograd-lite function that differentiates it
# (np.exp -> ops.exp). Tensor's __array_function__ and __array_ufunc__ dispatch here.
_NUMPY_IMPLEMENTATIONS: dict[Any, Callable[..., Any]] = {}


def implements(*numpy_functions: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare, next to an op's function, the NumPy functions it stands for:

        @implements(np.exp)
        def exp(x): ...

    so that ``np.exp(t)`` on a Tensor records the graph as ``al.exp(t)`` does. The
    function must accept NumPy's arguments (axis, keepdims, ...) with NumPy's meaning.
    """
    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        for numpy_function in numpy_functions:
            if numpy_function in _NUMPY_IMPLEMENTATIONS:
                raise TypeError(f"{numpy_function!r} is implemented twice")
            _NUMPY_IMPLEMENTATIONS[numpy_function] = function
        return function
    return register


def numpy_implementations() -> dict[Any, Callable[..., Any]]:
    """Every NumPy function or ufunc that autograd-lite differentiates, with its function."""
    return dict(_NUMPY_IMPLEMENTATIONS)


def constant(value: Any, like: Tensor | None = None) -> Tensor:
    """A leaf that does not require grad; numbers and arrays take ``like``'s dtype.

    Taking the tensor operand's dtype keeps float32 computations in float32.

    Every operand that is not a Tensor comes through here, so this is also where a list or
    tuple that holds Tensors (nested too) becomes one tensor, stacked as ``np.array``
    would: ``al.mean([x, x + 2])`` is differentiable in x. Such a list is not a constant.
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
    elif like is not None and type(value) is np.ndarray and value.dtype == like.data.dtype:
        array = value
    elif type(value) in _SEQUENCES and _holds_tensor(value):
        return stacked(value, like)
    elif like is None:
        array = to_array(value)
    else:
        array = np.asarray(value, dtype=like.data.dtype)
    # Bypasses Tensor.__init__: the array is already checked.
    t = _tensor_new(Tensor)
    t.data = array
    t._grad = None
    t.requires_grad = False
    t.name = None
    t._op = None
    t._parents = ()
    t._saved = None
    t._retains_grad = False
    return t


# (number, dtype) -> its 0-d array. Zeros are left out (0.0 == -0.0 would share a key).
# NumPy's scalars hash and compare as the Python number of the same value, so
# np.float64(2) shares 2.0's array: np.float64(2) * t and t * np.float64(2) skip
# np.asarray (callgrind, per call on a (2, 400) Tensor: np.float64(2) * t 26,075 -> 23,722
# instructions, t * np.float64(2) 19,829 -> 17,276).
_CACHED_NUMBERS = (int, float, np.float64, np.float32, np.int64)
_number_arrays: dict[tuple, np.ndarray] = {}
_SEQUENCES = (list, tuple)


def _holds_tensor(values: list | tuple) -> bool:
    """Whether a (nested) list or tuple holds a Tensor somewhere."""
    return any(
        isinstance(v, Tensor) or (type(v) in _SEQUENCES and _holds_tensor(v)) for v in values
    )


def stacked(values: list | tuple, like: Tensor | None = None) -> Tensor:
    """A (nested) list or tuple of Tensors and numbers as one tensor, stacked along a new
    first axis at each level as ``np.array(values)`` would; differentiable in every Tensor.
    Numbers and arrays take ``like``'s dtype, or that of the first Tensor inside."""
    from autograd_lite.ops import shape  # shape's primitives use this module

    if like is None:
        like = _first_tensor(values)
    items = [
        stacked(v, like) if type(v) in _SEQUENCES and _holds_tensor(v) else constant(v, like)
        for v in values
    ]
    if any(t.shape != items[0].shape for t in items):
        shapes = ", ".join(str(t.shape) for t in items)
        raise ShapeError(
            f"a list holding Tensors becomes one tensor, its items stacked as np.array "
            f"would, so they must have one shape; got {shapes}"
        )
    return shape.stack(items)


def _first_tensor(values: list | tuple) -> Tensor | None:
    for v in values:
        found = v if isinstance(v, Tensor) else (
            _first_tensor(v) if type(v) in _SEQUENCES else None)
        if found is not None:
            return found
    return None


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
                if len(inputs) == 2 and fn.broadcasts:  # where(cond, a, b)
                    _check_pair(fn, inputs[0].data.shape, inputs[1].data.shape)
        elif len(inputs) == 2:
            a, b = inputs[0].data, inputs[1].data
            out, saved = fn.forward(a, b)
            if fn.broadcasts:
                sa, sb = a.shape, b.shape
                if sa != sb and len(sa) == 2 == len(sb) and sa[0] != sb[0] and sa[1] != sb[1]:
                    check_transposed_operand(fn.name, sa, sb)  # the transposed Y (traps.py)
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
    record = True
    if _grad_mode.open_blocks:  # some thread is in a mode block: read this thread's modes
        modes = _modes
        if modes.forward_hook is not None:
            modes.forward_hook(fn, inputs, out)
        record = modes.grad_enabled
    # The new tensor is built here rather than in a helper: this is every op's hot path.
    result = _tensor_new(Tensor)
    result.data = out
    result._grad = None
    result.name = None
    result._retains_grad = False
    if record:
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
        a, b = x.data, y.data
        try:
            if (fn.numbers_as_floats and not a.ndim and not b.ndim
                    and type(a) is _ndarray is type(b) and a.dtype is b.dtype):
                # Numbers as Python floats: the module's docstring.
                out, saved = fn.forward(a.item(), b.item())
                if out - out:  # inf or nan: NumPy again, under its error settings
                    out, saved = fn.forward(a, b)
                    out = _asarray(out)
                else:
                    out = _asarray(out, a.dtype)  # (a float32 overflow warns here)
            else:
                out, saved = fn.forward(a, b)
                if type(out) is not _ndarray:
                    out = _asarray(out)
                sa, sb = a.shape, b.shape
                if (sa != sb and fn.broadcasts and len(sa) == 2 == len(sb)
                        and sa[0] != sb[0] and sa[1] != sb[1]):
                    check_transposed_operand(fn.name, sa, sb)  # the transposed Y (traps.py)
        except ShapeError:
            raise
        except ValueError as err:
            raise ShapeError(
                f"{fn.name}: operands of shapes {x.shape} and {y.shape} do not fit: {err}"
            ) from None
        record = True
        if _grad_mode.open_blocks:  # as in apply
            modes = _modes
            if modes.forward_hook is not None:
                modes.forward_hook(fn, (x, y), out)
            record = modes.grad_enabled
        result = _tensor_new(Tensor)
        result.data = out
        result._grad = None
        result.name = None
        result._retains_grad = False
        if record and (x.requires_grad or y.requires_grad):
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
_ndarray, _asarray = np.ndarray, np.asarray


def _check_pair(fn: type[Primitive], sa: tuple[int, ...], sb: tuple[int, ...]) -> None:
    """The transposed-Y check of :func:`apply`, for an op with parameters."""
    if sa != sb and len(sa) == 2 == len(sb) and sa[0] != sb[0] and sa[1] != sb[1]:
        check_transposed_operand(fn.name, sa, sb)


# This thread's modes: grad mode, and the forward hook that autograd_lite.debug sets while
# anomaly detection or strict shapes are on in this thread (autograd_lite.grad_mode).
_modes = _grad_mode.modes


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
