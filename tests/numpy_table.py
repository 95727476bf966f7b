"""NumPy's own functions called on Tensors: one or more calls per NumPy function or ufunc
that an op declares with ``@implements(np.f)`` (``ops.base.numpy_implementations()``).

tests/test_numpy_native.py runs every registered NumPy function through its calls here:
on Tensors the call must record the graph and return a Tensor whose values are NumPy's
own (the same call on ndarrays) and whose gradient is the two-sided numerical gradient of
that NumPy call. A registered function without a call here fails that test, so an op that
declares ``@implements(np.f)`` adds its row here::

    NumpyCall(np.exp, inputs(normal(3, 4))),                       # np.exp(t)
    NumpyCall(np.sum, inputs(normal(3, 4)), lambda f, a: f(a, axis=1, keepdims=True),
              "sum-axis1-keepdims"),

``call(f, *tensors)`` is the call, with ``f`` the NumPy function (it is also run on the
ndarrays as the reference); ``make`` draws the differentiated inputs (the makers of
tests/op_table.py: inside each op's domain, away from its kinks). A NumPy function that
autograd-lite answers without a gradient (argmax) says ``differentiable=False``: its
result must then equal NumPy's and be no Tensor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tests.op_table import (
    CONST64,
    apart,
    clip_safe,
    distinct,
    inputs,
    nonzero,
    normal,
    positive,
    with_zeros,
)


def _plain(f: Any, *xs: Any) -> Any:
    return f(*xs)


@dataclass(frozen=True)
class NumpyCall:
    """``call(function, *inputs)`` on Tensors against the same call on ndarrays."""

    function: Any
    make: Callable[[np.random.Generator], list[np.ndarray]]
    call: Callable[..., Any] = _plain
    id: str = ""
    differentiable: bool = True

    @property
    def name(self) -> str:
        return self.id or numpy_name(self.function)


def numpy_name(function: Any) -> str:
    """np.exp, np.linalg.inv: how the tests name a NumPy function."""
    module = getattr(function, "__module__", None) or "numpy"
    prefix = "np" if module == "numpy" or module.startswith("numpy._") else (
        "np." + module.removeprefix("numpy.") if module.startswith("numpy.") else module)
    return f"{prefix}.{function.__name__}"


X34 = CONST64  # a constant (3, 4) ndarray operand: the X of X * t
COND = np.array([[True, False, True, True], [False, False, True, False],
                 [True, True, False, True]])


NUMPY_CALLS: list[NumpyCall] = [
    # ----- an ndarray's operators are these ufuncs (X * t is np.multiply(X, t))
    NumpyCall(np.add, inputs(normal(3, 4), normal(3, 1))),
    NumpyCall(np.add, inputs(normal(3, 4)), lambda f, a: f(X34, a), "add-ndarray-first"),
    NumpyCall(np.add, inputs(normal(3, 4)), lambda f, a: f.reduce(a, axis=1), "add.reduce"),
    NumpyCall(np.add, inputs(normal(3, 4)), lambda f, a: f.reduce(a), "add.reduce-axis0"),
    NumpyCall(np.subtract, inputs(normal(3, 4), normal(4))),
    NumpyCall(np.subtract, inputs(normal(3, 4)), lambda f, a: f(X34, a), "subtract-ndarray"),
    NumpyCall(np.multiply, inputs(normal(3, 4), normal(3, 4))),
    NumpyCall(np.multiply, inputs(normal(3, 4)), lambda f, a: f(np.float64(2.5), a),
              "multiply-numpy-scalar-first"),
    NumpyCall(np.multiply, inputs(normal(3), normal(4)), lambda f, a, b: f.outer(a, b),
              "multiply.outer"),
    NumpyCall(np.divide, inputs(normal(3, 4), positive(3, 1))),
    NumpyCall(np.divide, inputs(positive(3, 4)), lambda f, a: f(1.0, a), "divide-number"),
    NumpyCall(np.negative, inputs(normal(3, 4))),
    NumpyCall(np.power, inputs(positive(3, 4), normal(3, 4))),
    NumpyCall(np.power, inputs(normal(3, 4)), lambda f, a: f(a, 2), "power-2"),
    NumpyCall(np.power, inputs(normal(3, 4)), lambda f, a: f(2.0, a), "power-number-base"),
    NumpyCall(np.matmul, inputs(normal(3, 4), normal(4, 2))),
    NumpyCall(np.matmul, inputs(normal(4, 2)), lambda f, a: f(X34, a), "matmul-ndarray"),
    NumpyCall(np.linalg.matmul, inputs(normal(2, 3, 4), normal(4, 2))),
    # ----- elementwise
    NumpyCall(np.exp, inputs(normal(3, 4))),
    NumpyCall(np.log, inputs(positive(3, 4))),
    NumpyCall(np.log1p, inputs(positive(3, 4))),
    NumpyCall(np.sqrt, inputs(positive(3, 4))),
    NumpyCall(np.square, inputs(normal(3, 4))),
    NumpyCall(np.absolute, inputs(nonzero(3, 4))),
    NumpyCall(np.tanh, inputs(normal(3, 4))),
    NumpyCall(np.maximum, apart((3, 4), (3, 1))),
    NumpyCall(np.maximum, inputs(nonzero(3, 4)), lambda f, z: f(0, z), "maximum-0-Z"),
    NumpyCall(np.maximum, inputs(distinct(3, 4)), lambda f, a: f.reduce(a, axis=0),
              "maximum.reduce"),
    NumpyCall(np.minimum, apart((3, 4), (4,), swap=True)),
    NumpyCall(np.minimum, inputs(distinct(3, 4)), lambda f, a: f.reduce(a, axis=1,
                                                                        keepdims=True),
              "minimum.reduce-keepdims"),
    NumpyCall(np.where, inputs(normal(3, 4), normal(3, 1)), lambda f, a, b: f(COND, a, b)),
    NumpyCall(np.where, inputs(nonzero(3, 4)), lambda f, a: f(a > 0, a, 0.0), "where-relu"),
    NumpyCall(np.clip, inputs(clip_safe(3, 4)), lambda f, a: f(a, -0.5, 0.5)),
    # ----- reductions: axis and keepdims as NumPy's
    NumpyCall(np.sum, inputs(normal(3, 4))),
    NumpyCall(np.sum, inputs(normal(3, 4)), lambda f, a: f(a, axis=1, keepdims=True),
              "sum-axis1-keepdims"),
    NumpyCall(np.sum, inputs(normal(2, 3, 4)), lambda f, a: f(a, (0, 2)), "sum-axes"),
    NumpyCall(np.mean, inputs(normal(3, 4))),
    NumpyCall(np.mean, inputs(normal(3, 4)), lambda f, a: f(a, axis=0, keepdims=True),
              "mean-axis0-keepdims"),
    NumpyCall(np.max, inputs(distinct(3, 4)), lambda f, a: f(a, axis=1)),
    NumpyCall(np.amax, inputs(distinct(3, 4))),
    NumpyCall(np.min, inputs(distinct(3, 4)), lambda f, a: f(a, axis=0, keepdims=True)),
    NumpyCall(np.amin, inputs(distinct(3, 4))),
    # ----- products
    NumpyCall(np.dot, inputs(normal(4, 1)), lambda f, w: f(w.T, X34.T), "dot-w.T-X"),
    NumpyCall(np.dot, inputs(normal(2, 3), normal(3, 4))),
    NumpyCall(np.dot, inputs(normal(4), normal(4)), id="dot-vectors"),
    # ----- shapes
    NumpyCall(np.reshape, inputs(normal(3, 4)), lambda f, a: f(a, (2, 6))),
    NumpyCall(np.reshape, inputs(normal(3, 4)), lambda f, a: f(a, -1), "reshape-flat"),
    NumpyCall(np.transpose, inputs(normal(3, 4))),
    NumpyCall(np.transpose, inputs(normal(2, 3, 4)), lambda f, a: f(a, (1, 2, 0)),
              "transpose-axes"),
    NumpyCall(np.concatenate, inputs(normal(3, 4), normal(3, 2)),
              lambda f, a, b: f([a, b], axis=1)),
    NumpyCall(np.concatenate, inputs(normal(3, 4)), lambda f, a: f((X34, a)),
              "concatenate-ndarray"),
    NumpyCall(np.stack, inputs(normal(3, 4), normal(3, 4)), lambda f, a, b: f([a, b], axis=1)),
    NumpyCall(np.broadcast_to, inputs(normal(3, 1)), lambda f, a: f(a, (2, 3, 4))),
    # ----- the ops of issue "NumPy-native"
    NumpyCall(np.expm1, inputs(normal(3, 4))),
    NumpyCall(np.sin, inputs(normal(3, 4))),
    NumpyCall(np.cos, inputs(normal(3, 4))),
    NumpyCall(np.sign, inputs(nonzero(3, 4))),
    NumpyCall(np.prod, inputs(nonzero(3, 4)), lambda f, a: f(a, axis=1, keepdims=True),
              "prod-axis1-keepdims"),
    NumpyCall(np.prod, inputs(with_zeros(3, 4)), id="prod-zeros"),
    NumpyCall(np.var, inputs(normal(3, 4)), lambda f, a: f(a, axis=0, ddof=1), "var-ddof1"),
    NumpyCall(np.std, inputs(normal(3, 4)), lambda f, a: f(a, axis=-1, keepdims=True),
              "std-keepdims"),
    NumpyCall(np.cumsum, inputs(normal(3, 4)), lambda f, a: f(a, axis=1), "cumsum-axis1"),
    NumpyCall(np.cumsum, inputs(normal(3, 4)), id="cumsum-flat"),
    NumpyCall(np.argmax, inputs(distinct(3, 4)), lambda f, a: f(a, axis=0),
              differentiable=False),
    NumpyCall(np.argmin, inputs(distinct(3, 4)), differentiable=False),
    NumpyCall(np.squeeze, inputs(normal(3, 1, 4)), lambda f, a: f(a, axis=1)),
    NumpyCall(np.expand_dims, inputs(normal(3, 4)), lambda f, a: f(a, 0)),
    NumpyCall(np.ravel, inputs(normal(3, 4))),
    NumpyCall(np.flip, inputs(normal(3, 4)), lambda f, a: f(a, axis=1)),
    NumpyCall(np.pad, inputs(normal(3, 4)), lambda f, a: f(a, ((1, 0), (0, 2)))),
    NumpyCall(np.repeat, inputs(normal(3, 4)), lambda f, a: f(a, 2, axis=1)),
    NumpyCall(np.tile, inputs(normal(3, 4)), lambda f, a: f(a, (2, 1))),
    NumpyCall(np.split, inputs(normal(3, 4)), lambda f, a: f(a, 2, axis=1)[1]),
    NumpyCall(np.vstack, inputs(normal(3, 4), normal(1, 4)), lambda f, a, b: f([a, b])),
    NumpyCall(np.hstack, inputs(normal(3, 4), normal(3, 2)), lambda f, a, b: f((a, b))),
    NumpyCall(np.einsum, inputs(normal(3, 4), normal(4, 2)),
              lambda f, a, b: f("ij,jk->ik", a, b)),
    NumpyCall(np.einsum, inputs(normal(3, 3)), lambda f, a: f("ii->", a), "einsum-trace"),
    NumpyCall(np.outer, inputs(normal(3), normal(4))),
]
