"""NumPy's own functions on Tensors: the course's NumPy code, differentiated as written.

    Z = np.dot(w.T, X) + b                    # a Tensor: the graph is recorded
    A = 1 / (1 + np.exp(-Z))
    db = np.sum(dZ, axis=1, keepdims=True)

NumPy hands a call that involves a Tensor to the Tensor (NumPy's dispatch protocols:
``__array_ufunc__`` for ufuncs such as ``np.exp`` and the operators of an ndarray,
``__array_function__`` for the other functions, such as ``np.dot`` or ``np.sum``).
Every call then goes one of three ways, by one rule each:

1. **Differentiable.** The NumPy functions and ufuncs that an op declares next to its
   public function (``@implements(np.exp)`` in ``autograd_lite/ops/``; the list is
   ``ops.base.numpy_implementations()``) call that function: the graph is recorded and
   the result is a Tensor. NumPy's arguments keep NumPy's meaning (axis, keepdims, the
   number first in ``np.maximum(0, Z)``). ``np.add.reduce`` is ``np.sum`` (and the other
   reductions and accumulations of :data:`REDUCE_AS` and :data:`ACCUMULATE_AS`), and
   ``ufunc.outer`` works for every differentiable two-operand ufunc.
2. **Queries** (:data:`QUERIES`): answers that have no gradient (shapes, booleans,
   indices, counts: ``np.shape``, ``np.isfinite``, ``np.argmax``, comparisons,
   ``np.zeros_like``), and the values written out (``np.save``, ``np.array2string``).
   They are computed on the values and return NumPy's own result.
3. **Anything else** (``np.linalg.inv``, ``np.sort``, ``np.exp(t, out=buf)``, ...). Given a
   Tensor that requires grad while gradients are recorded, it raises a TypeError naming
   the function and the way out: a gradient is never dropped silently. Otherwise (no
   Tensor requires grad, or inside ``no_grad()``) there is no gradient to lose: NumPy
   computes on the values and returns its ndarray.

``np.asarray(t)`` and ``np.array(t)`` give the values (``Tensor.__array__``), as before.

Two limits of NumPy's protocols: a function of one array given a Python list
(``np.mean([x, y])``) does not look inside the list, so it sees only the values; use
``al.mean([x, y])``, which stacks a list of Tensors differentiably. And ``X[...] = t``
writes values into an ndarray; build the result with ``al.stack`` or ``al.concatenate``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_lite.grad_mode import is_grad_enabled
from autograd_lite.ops.base import _NUMPY_IMPLEMENTATIONS
from autograd_lite.tensor import Tensor

#: NumPy calls with no gradient to lose: computed on the values, they return NumPy's
#: result. Each answers a question about a tensor (its shape or dtype; where, whether or
#: how many of its values are something) or writes its values out (as text, to a file);
#: none returns a floating value derived from it.
QUERIES: frozenset = frozenset({
    # shapes, and new arrays that take only a shape (dW = np.zeros_like(W))
    np.shape, np.ndim, np.size, np.zeros_like, np.ones_like, np.empty_like, np.full_like,
    # indices and counts
    np.argmax, np.argmin, np.argsort, np.argwhere, np.nonzero, np.flatnonzero,
    np.count_nonzero, np.searchsorted,
    # booleans
    np.allclose, np.isclose, np.array_equal, np.array_equiv, np.all, np.any,
    np.isposinf, np.isneginf, np.isreal, np.iscomplex, np.isrealobj, np.iscomplexobj,
    np.isfinite, np.isnan, np.isinf, np.signbit,
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
    np.logical_and, np.logical_or, np.logical_xor, np.logical_not,
    # dtypes and memory
    np.result_type, np.min_scalar_type, np.can_cast, np.shares_memory, np.may_share_memory,
    # the values written out
    np.array2string, np.array_repr, np.array_str, np.save, np.savez, np.savez_compressed,
    np.savetxt,
})

#: ``ufunc.reduce`` as the NumPy function that autograd-lite may differentiate (axis 0
#: by default, as NumPy's reduce).
REDUCE_AS: dict[np.ufunc, Callable[..., Any]] = {
    np.add: np.sum, np.multiply: np.prod, np.maximum: np.max, np.minimum: np.min,
}
#: ``ufunc.accumulate`` likewise.
ACCUMULATE_AS: dict[np.ufunc, Callable[..., Any]] = {np.add: np.cumsum, np.multiply: np.cumprod}

# NumPy keyword arguments that change nothing when they have these values (np.dot(a, b,
# out=None)); any other value of a keyword the function does not take is refused.
_NEUTRAL_KEYWORDS: dict[str, tuple[Any, ...]] = {
    "out": (None,), "dtype": (None,), "where": (True,), "subok": (True,),
    "casting": ("same_kind",), "order": ("K", "C"), "signature": (None,), "copy": (None,),
}


# The ufuncs behind an ndarray's operators: X * t is np.multiply(X, t), which NumPy hands
# to t.__array_ufunc__. They go straight to Tensor's own operators (t.__rmul__(X)), as
# they did when an ndarray's operators deferred to them: each op costs as little as
# possible. (tensor.py imports this module after setting its operators.)
_OPERATORS: dict[np.ufunc, tuple[Callable[..., Any], Callable[..., Any]]] = {
    np.add: (Tensor.__add__, Tensor.__radd__),
    np.subtract: (Tensor.__sub__, Tensor.__rsub__),
    np.multiply: (Tensor.__mul__, Tensor.__rmul__),
    np.divide: (Tensor.__truediv__, Tensor.__rtruediv__),
    np.matmul: (Tensor.__matmul__, Tensor.__rmatmul__),
    np.power: (Tensor.__pow__, Tensor.__rpow__),
}


def array_ufunc(self: Tensor, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
    """``Tensor.__array_ufunc__``: ``np.exp(t)``, ``X * t``, ``np.maximum(0, Z)``, ..."""
    if method == "__call__":
        if not kwargs:
            operator = _OPERATORS.get(ufunc)
            if operator is not None:  # X * t: self is one of the two operands
                a, b = inputs
                return operator[0](a, b) if a is self else operator[1](self, a)
        implementation = _NUMPY_IMPLEMENTATIONS.get(ufunc)
        if implementation is not None and (not kwargs or _neutral(kwargs)):
            return implementation(*inputs)
    elif method in ("reduce", "accumulate"):
        as_function = (REDUCE_AS if method == "reduce" else ACCUMULATE_AS).get(ufunc)
        implementation = _NUMPY_IMPLEMENTATIONS.get(as_function)
        keywords = {k: v for k, v in kwargs.items() if k not in ("axis", "keepdims")}
        if implementation is not None and (not keywords or _neutral(keywords)):
            options = {"axis": kwargs.get("axis", 0)}
            if kwargs.get("keepdims"):
                options["keepdims"] = True
            return implementation(inputs[0], **options)
    elif method == "outer" and len(inputs) == 2 and not kwargs:
        implementation = _NUMPY_IMPLEMENTATIONS.get(ufunc)
        if implementation is not None:
            a, b = inputs
            return implementation(_with_axes_after(a, np.ndim(b)), b)
    if ufunc in QUERIES:
        return getattr(ufunc, method)(*_values(inputs), **_values(kwargs))
    name = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
    as_function = {"__call__": ufunc, "reduce": REDUCE_AS.get(ufunc),
                   "accumulate": ACCUMULATE_AS.get(ufunc)}.get(method)
    return _refuse_or_compute(name, _NUMPY_IMPLEMENTATIONS.get(as_function), (inputs, kwargs),
                              lambda: getattr(ufunc, method)(*_values(inputs), **_values(kwargs)))


def array_function(self: Tensor, func: Callable[..., Any], types: Any, args: tuple,
                   kwargs: dict) -> Any:
    """``Tensor.__array_function__``: ``np.dot(W, X)``, ``np.sum(dZ, axis=1)``, ..."""
    if not all(issubclass(kind, (Tensor, np.ndarray)) for kind in types):
        return NotImplemented  # another library's array: let it (or NumPy) decide
    implementation = _NUMPY_IMPLEMENTATIONS.get(func)
    one_argument_where = func is np.where and len(args) + len(kwargs) == 1  # indices
    if implementation is not None and not one_argument_where:
        if kwargs:  # np.dot(a, b, out=None): leave out what changes nothing
            taken = _parameters(implementation)
            kwargs = {k: v for k, v in kwargs.items() if k in taken or not _neutral({k: v})}
        try:
            return implementation(*args, **kwargs)
        except TypeError:
            if _binds(implementation, args, kwargs):
                raise  # the arguments fit: the error is the op's own
        # NumPy's arguments that autograd-lite's function does not take: rule 3.
    elif func in QUERIES or one_argument_where:
        return func(*_values(args), **_values(kwargs))
    return _refuse_or_compute(_numpy_name(func), implementation, (args, kwargs),
                              lambda: func(*_values(args), **_values(kwargs)))


# --------------------------------------------------------------------------- helpers

def _neutral(kwargs: dict) -> bool:
    """Whether every keyword has a value that changes nothing (out=None, where=True)."""
    return all(
        key in _NEUTRAL_KEYWORDS and _is_one_of(value, _NEUTRAL_KEYWORDS[key])
        for key, value in kwargs.items()
    )


def _is_one_of(value: Any, choices: tuple[Any, ...]) -> bool:
    # `out` arrives as a tuple (None,) in a ufunc's keywords; `where=True` must not match 1.
    if isinstance(value, tuple) and all(v is None for v in value):
        value = None
    return any(value is choice or (type(value) is type(choice) and value == choice)
               for choice in choices)


@functools.cache
def _parameters(function: Callable[..., Any]) -> frozenset:
    return frozenset(inspect.signature(function).parameters)


def _binds(function: Callable[..., Any], args: tuple, kwargs: dict) -> bool:
    try:
        inspect.signature(function).bind(*args, **kwargs)
    except TypeError:
        return False
    return True


def _values(value: Any) -> Any:
    """The arguments with every Tensor (inside lists, tuples and dicts too) as its values."""
    if isinstance(value, Tensor):
        return value.data
    if type(value) in (list, tuple):
        return type(value)(_values(v) for v in value)
    if type(value) is dict:
        return {k: _values(v) for k, v in value.items()}
    return value


def _needing_grad(value: Any) -> Tensor | None:
    """The first Tensor that requires grad inside the arguments, or None."""
    if isinstance(value, Tensor):
        return value if value.requires_grad else None
    if isinstance(value, (list, tuple)):
        return next((t for t in map(_needing_grad, value) if t is not None), None)
    if isinstance(value, dict):
        return _needing_grad(list(value.values()))
    return None


def _with_axes_after(x: Any, count: int) -> Any:
    """x with ``count`` length-1 axes appended: ufunc.outer(a, b) is ufunc(a[..., None...], b)."""
    if not count:
        return x
    shape = np.shape(x) + (1,) * count
    return x.reshape(shape) if isinstance(x, Tensor) else np.reshape(x, shape)


def _numpy_name(func: Callable[..., Any]) -> str:
    """np.linalg.inv for numpy.linalg.inv; a function from elsewhere keeps its module."""
    module = getattr(func, "__module__", None) or ""
    if module == "numpy" or module.startswith("numpy._"):
        return f"np.{func.__name__}"
    if module.startswith("numpy."):
        return f"np.{module[len('numpy.'):]}.{func.__name__}"
    return f"{module}.{func.__name__}" if module else getattr(func, "__name__", repr(func))


def _refuse_or_compute(name: str, implementation: Callable[..., Any] | None,
                       call: tuple[tuple, dict], compute: Callable[[], Any]) -> Any:
    """Rule 3 of the module's docstring: a TypeError where a gradient would be lost,
    else NumPy's result on the values."""
    tensor = _needing_grad(call) if is_grad_enabled() else None
    if tensor is None:
        return compute()
    what = f"a tensor of shape {tensor.shape} that requires grad"
    if tensor.name:
        what = f"tensor '{tensor.name}' of shape {tensor.shape}, which requires grad"
    values_only = "For the values only, pass t.detach() or np.asarray(t)."
    if implementation is None:
        raise TypeError(
            f"{name} is not differentiable in autograd-lite, and it was given {what}: "
            f"its result would lose the gradient. {values_only}"
        )
    args, kwargs = call
    shown = ", ".join([*(type(a).__name__ for a in args), *(f"{k}=..." for k in kwargs)])
    fix = "leave out the others"
    if kwargs.get("out") is not None:
        fix = "make a new tensor (z = x + t), not x += t or out="
    raise TypeError(
        f"{name}({shown}) would lose the gradient of {what}: autograd-lite differentiates "
        f"{name} with the arguments of al.ops.{implementation.__name__}"
        f"({_plain_signature(implementation)}) only; {fix}. {values_only}"
    )


def _plain_signature(function: Callable[..., Any]) -> str:
    """``x, axis=None, keepdims=False``: the parameters without their annotations."""
    return ", ".join(
        p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
        for p in inspect.signature(function).parameters.values()
    )
