"""Every primitive against NumPy (forward) and two-sided differences (gradient).

One table, ``CASES``: each row is an op applied to Tensors, the same expression in
plain NumPy, and how to draw its inputs (float64, away from kinks and outside
the domain's edges). For every row:

- the forward values and shape equal NumPy's;
- the gradient of J = Σ out ⊙ W (W fixed random weights) with respect to every input
  equals the numerical gradient of the *NumPy* expression (tests/numerical.py), and has
  exactly the shape of its operand — broadcasting included;
- with create_graph=True the gradients are the same, and differentiating them again
  gives the Hessian-vector product measured by a difference of gradients.

Adding an op means adding a row here.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite.engine import gradients
from autograd_lite.ops import elementwise
from autograd_lite.ops.base import binary_method
from tests.fuzzing import all_primitives, primitives_in
from tests.numerical import numerical_gradient, relative_difference

# Two-sided differences with eps = 1e-6 on these O(1) functions are accurate to about
# 1e-9 relatively; a wrong derivative (missing factor, wrong sign, unsummed broadcast)
# is off by far more than 1e-7 (see test_the_check_catches_a_wrong_vjp).
TOLERANCE = 1e-7


# ----------------------------------------------------------------- input makers
def normal(*shape):
    return lambda r: r.standard_normal(shape)


def positive(*shape):
    """In [0.5, 2]: inside the domain of log, sqrt, x ** -1.5, a ** b."""
    return lambda r: r.uniform(0.5, 2.0, shape)


def nonzero(*shape):
    """|x| in [0.2, 1.5], either sign: away from the kink of abs, relu, leaky_relu at 0."""
    return lambda r: r.choice([-1.0, 1.0], shape) * r.uniform(0.2, 1.5, shape)


def distinct(*shape):
    """Values at least 0.15 apart: no ties for max (its kink)."""

    def make(r):
        n = int(np.prod(shape))
        spaced = 0.25 * r.permutation(n) - 0.125 * n + r.uniform(-0.05, 0.05, n)
        return spaced.reshape(shape)

    return make


def clip_safe(*shape):
    """Inside (-0.4, 0.4) or outside ±(0.6, 1.2): away from the bounds ±0.5 of the clip rows."""

    def make(r):
        inside = r.uniform(-0.4, 0.4, shape)
        outside = r.choice([-1.0, 1.0], shape) * r.uniform(0.6, 1.2, shape)
        return np.where(r.random(shape) < 0.5, inside, outside)

    return make


def inputs(*makers):
    return lambda r: [make(r) for make in makers]


def apart(big_shape, small_shape, swap=False):
    """Two inputs whose broadcast values differ by at least 0.2 (no ties for maximum)."""

    def make(r):
        small = r.standard_normal(small_shape)
        gap = r.choice([-1.0, 1.0], big_shape) * r.uniform(0.2, 1.0, big_shape)
        big = small + gap
        return [small, big] if swap else [big, small]

    return make


# ---------------------------------------------------------------------- the table
@dataclass(frozen=True)
class Case:
    id: str
    fn: Callable[..., al.Tensor]  # the engine, on Tensors
    ref: Callable[..., np.ndarray]  # the same thing in NumPy, on ndarrays
    make: Callable[[np.random.Generator], list[np.ndarray]]


def softmax_ref(x, axis):
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax_ref(x, axis):
    return x - np.log(np.exp(x).sum(axis=axis, keepdims=True))


COND = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, True]])
MASK = COND
ROWS = np.array([2, 0, 2, 2])  # repeated rows: their gradients must add up
COLS = np.array([1, 1, 3, 0])
CONST64 = np.linspace(-1.0, 1.0, 12).reshape(3, 4)

CASES = [
    # ----- add / sub / mul / div: same shape, bias (n,1)+(n,m), scalar, rank-1 (m,), outer
    Case("add", lambda a, b: a + b, np.add, inputs(normal(3, 4), normal(3, 4))),
    Case("add-bias", lambda a, b: a + b, np.add, inputs(normal(3, 4), normal(3, 1))),
    Case("add-scalar", lambda a, b: a + b, np.add, inputs(normal(), normal(3, 4))),
    Case("add-rank1", lambda a, b: a + b, np.add, inputs(normal(4), normal(3, 4))),
    Case("add-outer", lambda a, b: a + b, np.add, inputs(normal(1, 4), normal(3, 1))),
    Case("add-3d", lambda a, b: al.Tensor.__add__(a, b), np.add,
         inputs(normal(2, 1, 4), normal(3, 1))),
    Case("add-number", lambda a: 2.5 + a, lambda a: 2.5 + a, inputs(normal(3, 4))),
    Case("add-ndarray-left", lambda a: CONST64 + a, lambda a: CONST64 + a, inputs(normal(3, 4))),
    Case("sub", lambda a, b: a - b, np.subtract, inputs(normal(3, 4), normal(3, 4))),
    Case("sub-bias", lambda a, b: a - b, np.subtract, inputs(normal(3, 1), normal(3, 4))),
    Case("sub-scalar", lambda a, b: a - b, np.subtract, inputs(normal(3, 4), normal())),
    Case("sub-rank1", lambda a, b: a - b, np.subtract, inputs(normal(3, 4), normal(4))),
    Case("rsub-number", lambda a: 1.0 - a, lambda a: 1.0 - a, inputs(normal(3, 4))),
    Case("mul", lambda a, b: a * b, np.multiply, inputs(normal(3, 4), normal(3, 4))),
    Case("mul-bias", lambda a, b: a * b, np.multiply, inputs(normal(3, 4), normal(3, 1))),
    Case("mul-scalar", lambda a, b: a * b, np.multiply, inputs(normal(), normal(3, 4))),
    Case("mul-rank1", lambda a, b: a * b, np.multiply, inputs(normal(4), normal(2, 3, 4))),
    Case("mul-self", lambda a: a * a, lambda a: a * a, inputs(normal(3, 4))),
    Case("mul-ndarray-left", lambda a: CONST64 * a, lambda a: CONST64 * a, inputs(normal(3, 4))),
    Case("div", lambda a, b: a / b, np.divide, inputs(normal(3, 4), positive(3, 4))),
    Case("div-bias", lambda a, b: a / b, np.divide, inputs(normal(3, 4), positive(3, 1))),
    Case("div-scalar", lambda a, b: a / b, np.divide, inputs(normal(3, 4), positive())),
    Case("div-rank1", lambda a, b: a / b, np.divide, inputs(normal(4), positive(3, 4))),
    Case("rdiv-number", lambda a: 1.0 / a, lambda a: 1.0 / a, inputs(positive(3, 4))),
    Case("neg", lambda a: -a, np.negative, inputs(normal(3, 4))),
    # ----- powers: constant exponent, tensor exponent (positive base), rpow
    Case("pow-2", lambda a: a**2, lambda a: a**2, inputs(normal(3, 4))),
    Case("pow-3", lambda a: a**3, lambda a: a**3, inputs(normal(3, 4))),
    Case("pow-half", lambda a: a**0.5, lambda a: a**0.5, inputs(positive(3, 4))),
    Case("pow-neg", lambda a: a**-1.5, lambda a: a**-1.5, inputs(positive(3, 4))),
    Case("pow-np-float", lambda a: a ** np.float64(2.5), lambda a: a**2.5, inputs(positive(3, 4))),
    Case("pow-tensor", lambda a, b: a**b, np.power, inputs(positive(3, 4), normal(3, 4))),
    Case("pow-tensor-bias", lambda a, b: a**b, np.power, inputs(positive(3, 4), normal(3, 1))),
    Case("pow-tensor-scalar", lambda a, b: a**b, np.power, inputs(positive(3, 4), normal())),
    Case("pow-self", lambda a: a**a, lambda a: a**a, inputs(positive(3, 4))),
    Case("rpow-2", lambda a: 2**a, lambda a: 2.0**a, inputs(normal(3, 4))),
    Case("rpow-e", lambda a: np.e**a, lambda a: np.e**a, inputs(normal(3, 4))),
    # ----- elementwise functions
    Case("exp", al.exp, np.exp, inputs(normal(3, 4))),
    Case("exp-method", lambda a: a.exp(), np.exp, inputs(normal(3, 4))),
    Case("log", al.log, np.log, inputs(positive(3, 4))),
    Case("log-method", lambda a: a.log(), np.log, inputs(positive(3, 4))),
    Case("sqrt", al.sqrt, np.sqrt, inputs(positive(3, 4))),
    Case("sqrt-method", lambda a: a.sqrt(), np.sqrt, inputs(positive(3, 4))),
    Case("abs", al.abs, np.abs, inputs(nonzero(3, 4))),
    Case("abs-method", lambda a: a.abs(), np.abs, inputs(nonzero(3, 4))),
    Case("tanh", al.tanh, np.tanh, inputs(normal(3, 4))),
    Case("tanh-method", lambda a: a.tanh(), np.tanh, inputs(normal(3, 4))),
    Case("sigmoid", al.sigmoid, lambda a: 1 / (1 + np.exp(-a)),
         inputs(lambda r: 4 * r.standard_normal((3, 4)))),
    Case("sigmoid-method", lambda a: a.sigmoid(), lambda a: 1 / (1 + np.exp(-a)),
         inputs(normal(3, 4))),
    Case("relu", al.relu, lambda a: np.maximum(a, 0), inputs(nonzero(3, 4))),
    Case("relu-method", lambda a: a.relu(), lambda a: np.maximum(a, 0), inputs(nonzero(3, 4))),
    Case("leaky_relu", al.leaky_relu, lambda a: np.where(a > 0, a, 0.01 * a),
         inputs(nonzero(3, 4))),
    Case("leaky_relu-0.2", lambda a: al.leaky_relu(a, slope=0.2),
         lambda a: np.where(a > 0, a, 0.2 * a), inputs(nonzero(3, 4))),
    # ----- maximum, minimum, where, clip
    Case("maximum", al.maximum, np.maximum, apart((3, 4), (3, 4))),
    Case("maximum-bias", al.maximum, np.maximum, apart((3, 4), (3, 1))),
    Case("maximum-bias-left", al.maximum, np.maximum, apart((3, 4), (3, 1), swap=True)),
    Case("maximum-zero", lambda a: al.maximum(a, 0.0), lambda a: np.maximum(a, 0.0),
         inputs(nonzero(3, 4))),
    Case("minimum", al.minimum, np.minimum, apart((3, 4), (3, 4))),
    Case("minimum-rank1", al.minimum, np.minimum, apart((3, 4), (4,), swap=True)),
    Case("minimum-number", lambda a: al.minimum(1.0, a), lambda a: np.minimum(1.0, a),
         inputs(lambda r: 1.0 + nonzero(3, 4)(r))),
    Case("where", lambda a, b: al.where(COND, a, b), lambda a, b: np.where(COND, a, b),
         inputs(normal(3, 4), normal(3, 4))),
    Case("where-broadcast", lambda a, b: al.where(COND, a, b), lambda a, b: np.where(COND, a, b),
         inputs(normal(3, 1), normal())),
    Case("where-constant", lambda a: al.where(COND, a, 0.0), lambda a: np.where(COND, a, 0.0),
         inputs(normal(4))),
    Case("clip", lambda a: al.clip(a, -0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5),
         inputs(clip_safe(3, 4))),
    Case("clip-high", lambda a: al.clip(a, None, 0.5), lambda a: np.minimum(a, 0.5),
         inputs(clip_safe(3, 4))),
    Case("clip-low", lambda a: al.clip(a, -0.5, None), lambda a: np.maximum(a, -0.5),
         inputs(clip_safe(3, 4))),
    # ----- matrix products
    Case("matmul", lambda a, b: a @ b, np.matmul, inputs(normal(3, 4), normal(4, 5))),
    Case("matmul-fn", al.matmul, np.matmul, inputs(normal(3, 4), normal(4, 5))),
    Case("matmul-1d-2d", lambda a, b: a @ b, np.matmul, inputs(normal(4), normal(4, 5))),
    Case("matmul-2d-1d", lambda a, b: a @ b, np.matmul, inputs(normal(3, 4), normal(4))),
    Case("matmul-1d-1d", lambda a, b: a @ b, np.matmul, inputs(normal(4), normal(4))),
    Case("matmul-3d-2d", lambda a, b: a @ b, np.matmul, inputs(normal(2, 3, 4), normal(4, 5))),
    Case("matmul-2d-3d", lambda a, b: a @ b, np.matmul, inputs(normal(3, 4), normal(2, 4, 5))),
    Case("matmul-batch-broadcast", lambda a, b: a @ b, np.matmul,
         inputs(normal(2, 1, 3, 4), normal(3, 4, 2))),
    Case("matmul-1d-3d", lambda a, b: a @ b, np.matmul, inputs(normal(4), normal(2, 4, 5))),
    Case("matmul-3d-1d", lambda a, b: a @ b, np.matmul, inputs(normal(2, 3, 4), normal(4))),
    Case("matmul-ndarray-left", lambda b: CONST64 @ b, lambda b: CONST64 @ b,
         inputs(normal(4, 2))),
    Case("dot", al.dot, np.dot, inputs(normal(3, 4), normal(4, 5))),
    Case("dot-1d", al.dot, np.dot, inputs(normal(4), normal(4))),
    Case("dot-2d-1d", al.dot, np.dot, inputs(normal(3, 4), normal(4))),
    # ----- reductions: axis None / int / negative / tuple, keepdims
    Case("sum", al.sum, np.sum, inputs(normal(3, 4))),
    Case("sum-0", lambda a: al.sum(a, axis=0), lambda a: a.sum(axis=0), inputs(normal(3, 4))),
    Case("sum-1", lambda a: a.sum(axis=1), lambda a: a.sum(axis=1), inputs(normal(3, 4))),
    Case("sum--1-keepdims", lambda a: a.sum(axis=-1, keepdims=True),
         lambda a: a.sum(axis=-1, keepdims=True), inputs(normal(3, 4))),
    Case("sum-tuple", lambda a: a.sum(axis=(0, 2)), lambda a: a.sum(axis=(0, 2)),
         inputs(normal(2, 3, 4))),
    Case("sum-None-keepdims", lambda a: a.sum(keepdims=True), lambda a: a.sum(keepdims=True),
         inputs(normal(3, 4))),
    Case("mean", al.mean, np.mean, inputs(normal(3, 4))),
    Case("mean-0", lambda a: al.mean(a, axis=0), lambda a: a.mean(axis=0), inputs(normal(3, 4))),
    Case("mean-1-keepdims", lambda a: a.mean(axis=1, keepdims=True),
         lambda a: a.mean(axis=1, keepdims=True), inputs(normal(3, 4))),
    Case("mean-tuple", lambda a: a.mean(axis=(0, 2), keepdims=True),
         lambda a: a.mean(axis=(0, 2), keepdims=True), inputs(normal(2, 3, 4))),
    Case("max", al.max, np.max, inputs(distinct(3, 4))),
    Case("max-0", lambda a: al.max(a, axis=0), lambda a: a.max(axis=0), inputs(distinct(3, 4))),
    Case("max-1", lambda a: a.max(axis=1), lambda a: a.max(axis=1), inputs(distinct(3, 4))),
    Case("max-1-keepdims", lambda a: a.max(axis=1, keepdims=True),
         lambda a: a.max(axis=1, keepdims=True), inputs(distinct(3, 4))),
    Case("max-tuple", lambda a: a.max(axis=(0, 2)), lambda a: a.max(axis=(0, 2)),
         inputs(distinct(2, 3, 4))),
    Case("max-None-keepdims", lambda a: a.max(keepdims=True), lambda a: a.max(keepdims=True),
         inputs(distinct(3, 4))),
    # ----- shape: reshape, transpose, broadcast_to
    Case("reshape", lambda a: al.reshape(a, (2, 6)), lambda a: a.reshape(2, 6),
         inputs(normal(3, 4))),
    Case("reshape-method", lambda a: a.reshape(4, -1), lambda a: a.reshape(4, -1),
         inputs(normal(3, 4))),
    Case("reshape-flat", lambda a: a.reshape(-1), lambda a: a.reshape(-1), inputs(normal(2, 3, 2))),
    Case("T", lambda a: a.T, lambda a: a.T, inputs(normal(3, 4))),
    Case("transpose", al.transpose, np.transpose, inputs(normal(2, 3, 4))),
    Case("transpose-axes", lambda a: al.transpose(a, (1, 2, 0)),
         lambda a: np.transpose(a, (1, 2, 0)), inputs(normal(2, 3, 4))),
    Case("transpose-method", lambda a: a.transpose(2, 0, 1), lambda a: a.transpose(2, 0, 1),
         inputs(normal(2, 3, 4))),
    Case("transpose-negative", lambda a: a.transpose((0, -1, -2)),
         lambda a: a.transpose(0, 2, 1), inputs(normal(2, 3, 4))),
    Case("broadcast_to", lambda a: al.ops.broadcast_to(a, (2, 3, 4)),
         lambda a: np.broadcast_to(a, (2, 3, 4)), inputs(normal(3, 1))),
    Case("broadcast_to-rank1", lambda a: al.ops.broadcast_to(a, (3, 4)),
         lambda a: np.broadcast_to(a, (3, 4)), inputs(normal(4))),
    # ----- indexing: slices, ints, integer arrays with repeats, boolean masks
    Case("getitem-slices", lambda a: a[1:, ::2], lambda a: a[1:, ::2], inputs(normal(3, 4))),
    Case("getitem-int", lambda a: a[1], lambda a: a[1], inputs(normal(3, 4))),
    Case("getitem-int-int", lambda a: a[-1, 2], lambda a: a[-1, 2], inputs(normal(3, 4))),
    Case("getitem-column", lambda a: a[:, 2], lambda a: a[:, 2], inputs(normal(3, 4))),
    Case("getitem-ellipsis-none", lambda a: a[..., None, 1:3], lambda a: a[..., None, 1:3],
         inputs(normal(2, 3, 4))),
    Case("getitem-repeats", lambda a: a[ROWS], lambda a: a[ROWS], inputs(normal(3, 4))),
    Case("getitem-list", lambda a: a[[0, 0, 2]], lambda a: a[[0, 0, 2]], inputs(normal(3, 4))),
    Case("getitem-pairs", lambda a: a[ROWS, COLS], lambda a: a[ROWS, COLS], inputs(normal(3, 4))),
    Case("getitem-mixed", lambda a: a[1:, ROWS[:2]], lambda a: a[1:, ROWS[:2]],
         inputs(normal(3, 4))),
    Case("getitem-mask", lambda a: a[MASK], lambda a: a[MASK], inputs(normal(3, 4))),
    Case("getitem-row-mask", lambda a: a[:, MASK[0]], lambda a: a[:, MASK[0]],
         inputs(normal(3, 4))),
    # ----- joining
    Case("concatenate-0", lambda a, b, c: al.concatenate([a, b, c]),
         lambda a, b, c: np.concatenate([a, b, c]),
         inputs(normal(1, 4), normal(3, 4), normal(2, 4))),
    Case("concatenate-1", lambda a, b: al.concatenate((a, b), axis=1),
         lambda a, b: np.concatenate((a, b), axis=1), inputs(normal(3, 2), normal(3, 4))),
    Case("concatenate--1-const", lambda a: al.concatenate([a, CONST64], axis=-1),
         lambda a: np.concatenate([a, CONST64], axis=-1), inputs(normal(3, 2))),
    Case("stack-0", lambda a, b, c: al.stack([a, b, c]), lambda a, b, c: np.stack([a, b, c]),
         inputs(normal(3, 4), normal(3, 4), normal(3, 4))),
    Case("stack-1", lambda a, b: al.stack([a, b], axis=1), lambda a, b: np.stack([a, b], axis=1),
         inputs(normal(3, 4), normal(3, 4))),
    Case("stack--1", lambda a, b: al.stack([a, b], axis=-1),
         lambda a, b: np.stack([a, b], axis=-1), inputs(normal(3, 4), normal(3, 4))),
    # ----- softmax, log_softmax
    Case("softmax-0", al.softmax, lambda a: softmax_ref(a, 0), inputs(normal(3, 4))),
    Case("softmax-1", lambda a: al.softmax(a, axis=1), lambda a: softmax_ref(a, 1),
         inputs(normal(3, 4))),
    Case("log_softmax-0", al.log_softmax, lambda a: log_softmax_ref(a, 0), inputs(normal(3, 4))),
    Case("log_softmax-1", lambda a: al.log_softmax(a, axis=1), lambda a: log_softmax_ref(a, 1),
         inputs(normal(3, 4))),
    # ----- the course's dense layer, fused by composition: Z = W A + b, A = g(Z)
    Case("dense", lambda W, A, b: al.tanh(W @ A + b), lambda W, A, b: np.tanh(W @ A + b),
         inputs(normal(3, 2), normal(2, 5), normal(3, 1))),
]


def rng_for(case: Case) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(case.id.encode()))


def draw(case: Case) -> tuple[list[np.ndarray], np.ndarray]:
    """The case's inputs and the fixed weights W of J = Σ out ⊙ W."""
    rng = rng_for(case)
    arrays = [np.asarray(a, dtype=np.float64) for a in case.make(rng)]
    weights = rng.standard_normal(np.shape(case.ref(*arrays)))
    return arrays, weights


def engine_gradients(case: Case, arrays, weights) -> list[np.ndarray]:
    tensors = [al.Tensor(a.copy(), requires_grad=True) for a in arrays]
    (case.fn(*tensors) * weights).sum().backward()
    return [t.grad for t in tensors]


def numerical_gradients(case: Case, arrays, weights) -> list[np.ndarray]:
    def J(*xs):
        return np.sum(case.ref(*xs) * weights)

    return [numerical_gradient(J, arrays, i) for i in range(len(arrays))]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_forward_equals_numpy(case):
    arrays, _ = draw(case)
    out = case.fn(*[al.Tensor(a) for a in arrays])
    expected = case.ref(*arrays)
    assert isinstance(out, al.Tensor)
    assert out.shape == np.shape(expected)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_gradient_equals_numerical(case):
    arrays, weights = draw(case)
    grads = engine_gradients(case, arrays, weights)
    expected = numerical_gradients(case, arrays, weights)
    for i, (g, g_num, a) in enumerate(zip(grads, expected, arrays)):
        assert isinstance(g, np.ndarray), f"input {i}: .grad is {type(g).__name__}"
        assert g.shape == a.shape, f"input {i}: gradient {g.shape}, operand {a.shape}"
        assert g.dtype == np.float64
        difference = relative_difference(g, g_num)
        assert difference < TOLERANCE, f"input {i}: relative difference {difference:.2e}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_backward_as_a_graph_gives_the_same_gradient_and_its_derivative(case):
    """create_graph=True: the VJP run on Tensors equals the one run on ndarrays, and
    differentiating it gives H v = d/dh ∇J(x + h v), measured by a difference of gradients."""
    arrays, weights = draw(case)
    tensors = [al.Tensor(a.copy(), requires_grad=True) for a in arrays]
    J = (case.fn(*tensors) * weights).sum()
    grads = gradients(J, tensors, create_graph=True)
    plain = engine_gradients(case, arrays, weights)
    for g, p in zip(grads, plain):
        assert isinstance(g, al.Tensor)
        assert g.shape == p.shape
        np.testing.assert_allclose(g.data, p, rtol=1e-12, atol=1e-14)

    rng = np.random.default_rng(1)
    directions = [rng.standard_normal(a.shape) for a in arrays]
    grad_dot_v = sum((g * v).sum() for g, v in zip(grads, directions))
    if grad_dot_v.requires_grad:
        hvp = gradients(grad_dot_v, tensors)
    else:  # the gradient does not depend on the inputs: J is linear in them
        hvp = [np.zeros(a.shape) for a in arrays]

    h = 1e-5
    plus = engine_gradients(case, [a + h * v for a, v in zip(arrays, directions)], weights)
    minus = engine_gradients(case, [a - h * v for a, v in zip(arrays, directions)], weights)
    for i, (hv, p, m) in enumerate(zip(hvp, plus, minus)):
        measured = (p - m) / (2 * h)
        assert hv.shape == arrays[i].shape
        error = np.linalg.norm(hv - measured)
        assert error <= 1e-6 * (np.linalg.norm(hv) + np.linalg.norm(measured)) + 1e-7, (
            f"input {i}: Hessian-vector product off by {error:.2e}"
        )


# ------------------------------------------------------------- the table itself
# The engine's primitive families; fused layers and costs (ops/losses.py) are checked
# with nn, against the course's hand-derived formulas.
FAMILIES = {f"autograd_lite.ops.{m}" for m in
            ("elementwise", "activations", "linalg", "reductions", "shape")}


def test_the_table_covers_every_primitive():
    used = set()
    for case in CASES:
        arrays, _ = draw(case)
        out = case.fn(*[al.Tensor(a, requires_grad=True) for a in arrays])
        used |= {cls.name for cls in primitives_in(out)}
    # scatter_add is getitem's VJP, recorded only by create_graph (tested above);
    # cast changes the dtype, which a float64 difference quotient cannot check
    # (tests/test_engine.py checks it).
    exempt = {"scatter_add", "astype"}
    every = {cls.name for cls in all_primitives() if cls.__module__ in FAMILIES} - exempt
    assert every - used == set()


def test_the_table_covers_every_public_function():
    public = {
        "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "leaky_relu", "maximum",
        "minimum", "where", "clip", "matmul", "dot", "sum", "mean", "max", "reshape",
        "transpose", "concatenate", "stack", "softmax", "log_softmax", "broadcast_to",
    }
    named = set()
    for case in CASES:
        if case.fn.__name__ == "<lambda>":
            named |= set(case.fn.__code__.co_names)
        else:
            named.add(case.fn.__name__)
    assert public - named == set()


def test_the_check_catches_a_wrong_vjp(monkeypatch):
    """The gradient test can fail: a plausible mistake in a VJP is caught by a wide margin."""
    from autograd_lite.ops import activations, elementwise

    def check(case_id):
        case = next(c for c in CASES if c.id == case_id)
        arrays, weights = draw(case)
        grads = engine_gradients(case, arrays, weights)
        expected = numerical_gradients(case, arrays, weights)
        return max(relative_difference(g, e) for g, e in zip(grads, expected))

    assert check("sigmoid") < TOLERANCE
    monkeypatch.setattr(activations.Sigmoid, "backward",
                        staticmethod(lambda g, s, i, out, n: (g * out,)))  # forgot (1 - a)
    assert check("sigmoid") > 1e-2

    assert check("div-bias") < TOLERANCE
    monkeypatch.setattr(elementwise.Div, "backward",
                        staticmethod(lambda g, s, i, out, n: (g / i[1], g * out / i[1])))  # sign
    assert check("div-bias") > 1e-2


@pytest.mark.parametrize("shape", [(), (1,), (1, 1), (1, 1, 1)])
def test_sum_of_one_element_is_a_copy_with_the_right_gradient(shape):
    x = al.Tensor(np.full(shape, 2.5), requires_grad=True)
    s = x.sum()
    assert s.shape == () and s.item() == 2.5
    x.data[...] = 4.0  # the sum is its own array, not a view of x
    assert s.item() == 2.5
    (s * 3).backward()
    assert x.grad.shape == shape and np.all(x.grad == 3.0)  # d(3 Σx)/dx = 3


def test_primitives_that_pass_the_gradient_on_really_have_derivative_one():
    """The engine skips backward() for these: their backward must agree with skipping it."""
    passing = [cls for cls in all_primitives() if cls.passes_gradient]
    assert passing, "add, at least, passes the upstream gradient on"
    g = np.array([[1.5, -2.0]])
    for cls in passing:
        inputs = (np.ones((1, 2)), np.ones((1, 2)))
        out, saved = cls.forward(*inputs)
        grads = cls.backward(g, saved, inputs, out, (True, True))
        assert all(d is g for d in grads), cls.name



@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_numbers_are_added_and_multiplied_to_the_same_bits_as_numpy(dtype):
    """0-d operands take Python's float arithmetic; NumPy's own loops on 1-element arrays
    are the oracle, bit for bit, including infinities, NaN, signed zeros and overflow."""
    info = np.finfo(dtype)
    special = [0.0, -0.0, 1.0, -1.5, np.inf, -np.inf, np.nan, float(info.max),
               float(info.tiny), float(info.tiny) / 4, 1 / 3, 1e-3, 7.0]
    rng = np.random.default_rng(7)
    spread = rng.standard_normal(40) * 10.0 ** rng.integers(-8, 8, 40)
    with np.errstate(over="ignore"):  # large values become inf in float16: more specials
        values = np.concatenate([np.array(special), spread]).astype(dtype)
    pairs = [(x, y) for x in values[:20] for y in values] + [(x, y) for x in values[20:]
                                                            for y in values[20:30]]
    for name, fn in (("add", elementwise.Add), ("sub", elementwise.Sub), ("mul", elementwise.Mul)):
        for x, y in pairs:
            a, b = np.array(x), np.array(y)
            with np.errstate(all="ignore"):  # overflow warns in both (NumPy: in the cast)
                # the number path of binary_method, against the primitive's NumPy rule
                got = binary_method(fn)(al.Tensor(a), al.Tensor(b)).data
                want, _ = fn.forward(a.reshape(1), b.reshape(1))
            assert type(got) is np.ndarray and got.shape == () and got.dtype == dtype
            assert got.tobytes() == want.tobytes() or (np.isnan(got) and np.isnan(want)), (
                name, x, y, got, want)


def test_a_number_times_an_array_and_its_gradients():
    s = al.Tensor(2.5, requires_grad=True)
    v = al.Tensor([1.0, -2.0, 3.0], requires_grad=True)
    (s * v + v * s - s).sum().backward()
    np.testing.assert_allclose(s.grad, 2 * v.data.sum() - 3)  # d/ds (2 s Σv - 3 s)
    np.testing.assert_allclose(v.grad, [5.0, 5.0, 5.0])  # d/dv (2 s v) = 2 s
    mixed = al.Tensor(np.float32(2.0), requires_grad=True) * al.Tensor(3.0, requires_grad=True)
    assert mixed.dtype == np.float64 and mixed.item() == 6.0  # NumPy's promotion, not ours
