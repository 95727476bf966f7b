"""Properties, searched by hypothesis.

- A random composition (depth 1 to 4) of unary and binary primitives, on inputs of
  random mutually broadcastable shapes, has the gradient of its NumPy twin measured by
  two-sided differences, with respect to every input; the graph-building backward
  (create_graph=True) gives the same values.
- unbroadcast returns exactly the operand's shape, and is the adjoint of broadcasting.

Quick by default; ``HYPOTHESIS_PROFILE=long`` searches far more examples (tests/conftest.py).
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays, mutually_broadcastable_shapes

import autograd_lite as al
from autograd_lite.engine import gradients, unbroadcast
from tests.numerical import numerical_gradient

# Each op: (engine on Tensors, NumPy on ndarrays, distance to its kink or None, min ndim).
# Domains are made safe inside the op (log(x² + ½), a / (b² + ½), ...), so any real input
# is allowed; kinks (abs at 0, max at a tie, ...) are kept away from by `assume`.
UNARY = {
    "neg": (lambda t: -t, lambda x: -x, None, 0),
    "exp": (al.exp, np.exp, None, 0),
    "log": (lambda t: al.log(t * t + 0.5), lambda x: np.log(x * x + 0.5), None, 0),
    "sqrt": (lambda t: (t * t + 0.5).sqrt(), lambda x: np.sqrt(x * x + 0.5), None, 0),
    "abs": (al.abs, np.abs, np.abs, 0),
    "tanh": (al.tanh, np.tanh, None, 0),
    "sigmoid": (al.sigmoid, lambda x: 1 / (1 + np.exp(-x)), None, 0),
    "relu": (al.relu, lambda x: np.maximum(x, 0), np.abs, 0),
    "leaky_relu": (al.leaky_relu, lambda x: np.where(x > 0, x, 0.01 * x), np.abs, 0),
    "square": (lambda t: t**2, lambda x: x**2, None, 0),
    "cube": (lambda t: t**3, lambda x: x**3, None, 0),
    "rpow": (lambda t: 2**t, lambda x: 2.0**x, None, 0),
    "clip": (lambda t: al.clip(t, -1.0, 1.0), lambda x: np.clip(x, -1.0, 1.0),
             lambda x: np.minimum(np.abs(x - 1), np.abs(x + 1)), 0),
    "sum_last": (lambda t: t.sum(axis=-1, keepdims=True),
                 lambda x: x.sum(axis=-1, keepdims=True), None, 1),
    "sum_all": (lambda t: al.sum(t, keepdims=True), lambda x: x.sum(keepdims=True), None, 0),
    "mean_first": (lambda t: t.mean(axis=0, keepdims=True),
                   lambda x: x.mean(axis=0, keepdims=True), None, 1),
    "max_last": (lambda t: t.max(axis=-1, keepdims=True),
                 lambda x: x.max(axis=-1, keepdims=True),
                 lambda x: _top_two_gap(x), 1),
    "softmax_last": (lambda t: al.softmax(t, axis=-1),
                     lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True), None, 1),
    "log_softmax_first": (lambda t: al.log_softmax(t, axis=0),
                          lambda x: x - np.log(np.exp(x).sum(axis=0, keepdims=True)), None, 1),
    "reverse": (lambda t: t[..., ::-1], lambda x: x[..., ::-1], None, 1),
}

BINARY = {
    "add": (lambda a, b: a + b, np.add, None),
    "sub": (lambda a, b: a - b, np.subtract, None),
    "mul": (lambda a, b: a * b, np.multiply, None),
    "div": (lambda a, b: a / (b * b + 0.5), lambda a, b: a / (b * b + 0.5), None),
    "pow": (lambda a, b: (a * a + 0.5) ** b, lambda a, b: (a * a + 0.5) ** b, None),
    "maximum": (al.maximum, np.maximum, lambda a, b: np.abs(a - b)),
    "minimum": (al.minimum, np.minimum, lambda a, b: np.abs(a - b)),
    "where": (lambda a, b: al.where(a > 0, a, b), lambda a, b: np.where(a > 0, a, b),
              lambda a, b: np.abs(a)),
}


def _top_two_gap(x):
    if x.shape[-1] < 2:
        return np.inf
    top = np.sort(x, axis=-1)
    return top[..., -1] - top[..., -2]


# ------------------------------------------------------------------ expressions
@st.composite
def trees(draw, depth, ndims):
    """An expression tree over the inputs (whose ndims are given); returns (tree, ndim)."""
    if depth == 0:
        i = draw(st.integers(0, len(ndims) - 1))
        return ("input", i), ndims[i]
    if draw(st.booleans()):
        child, ndim = draw(trees(depth - 1, ndims))
        name = draw(st.sampled_from([k for k, op in UNARY.items() if op[3] <= ndim]))
        return ("unary", name, child), ndim
    name = draw(st.sampled_from(sorted(BINARY)))
    left, left_ndim = draw(trees(depth - 1, ndims))
    if left[0] != "input" and draw(st.booleans()):
        # Reuse the very same subexpression through a longer path (r = y + f(g(y))): the
        # graph becomes a DAG whose shared node must wait for every path before its turn.
        right, right_ndim = left, left_ndim
        for _ in range(draw(st.integers(1, 2))):
            unary = draw(st.sampled_from([k for k, op in UNARY.items() if op[3] <= left_ndim]))
            right = ("unary", unary, right)
    else:
        right, right_ndim = draw(trees(draw(st.integers(0, depth - 1)), ndims))
    if draw(st.booleans()):
        left, right, left_ndim, right_ndim = right, left, right_ndim, left_ndim
    return ("binary", name, left, right), max(left_ndim, right_ndim)


def evaluate(tree, values, engine, margins=None, memo=None):
    """The tree on Tensors (engine=True) or ndarrays; records kink distances in margins.

    A subexpression that appears twice (the same tuple) is evaluated once, so on
    Tensors it is one node of the graph, reached along two paths.
    """
    memo = {} if memo is None else memo
    key = id(tree)
    if key not in memo:
        memo[key] = _evaluate(tree, values, engine, margins, memo)
    return memo[key]


def _evaluate(tree, values, engine, margins, memo):
    kind = tree[0]
    if kind == "input":
        return values[tree[1]]
    if kind == "unary":
        fn, ref, kink, _ = UNARY[tree[1]]
        x = evaluate(tree[2], values, engine, margins, memo)
        if margins is not None:
            margins.append(np.abs(x).max(initial=0.0) < 10)  # keep values moderate
            if kink is not None:
                margins.append(np.min(kink(x), initial=np.inf) > 1e-3)
        return fn(x) if engine else ref(x)
    fn, ref, kink = BINARY[tree[1]]
    a = evaluate(tree[2], values, engine, margins, memo)
    b = evaluate(tree[3], values, engine, margins, memo)
    if margins is not None:
        margins.append(max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0)) < 10)
        if kink is not None:
            margins.append(np.min(kink(a, b), initial=np.inf) > 1e-3)
    return fn(a, b) if engine else ref(a, b)


def inputs_used(tree):
    if tree[0] == "input":
        return {tree[1]}
    return set().union(*(inputs_used(child) for child in tree[2:]))


@st.composite
def compositions(draw):
    count = draw(st.integers(1, 3))
    shapes = draw(
        mutually_broadcastable_shapes(num_shapes=count, min_dims=0, max_dims=3, max_side=3)
    ).input_shapes
    depth = draw(st.integers(1, 4))
    tree, _ = draw(trees(depth, [len(s) for s in shapes]))
    values = [
        draw(arrays(np.float64, s, elements=st.floats(-2, 2, width=64), fill=st.nothing()))
        for s in shapes
    ]
    seed = draw(st.integers(0, 2**32 - 1))
    return tree, values, seed


def close(g, g_num):
    return np.linalg.norm(g - g_num) <= 1e-6 * (np.linalg.norm(g) + np.linalg.norm(g_num)) + 1e-8


@given(compositions())
def test_gradient_of_a_random_composition_equals_the_numerical_one(composition):
    tree, values, seed = composition
    margins = []
    with np.errstate(all="ignore"):
        expected = evaluate(tree, values, engine=False, margins=margins)
    assume(all(margins) and np.all(np.isfinite(expected)) and np.abs(expected).max() < 1e3)

    tensors = [al.Tensor(v.copy(), requires_grad=True) for v in values]
    out = evaluate(tree, tensors, engine=True)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)
    weights = np.random.default_rng(seed).standard_normal(np.shape(expected))
    J = (out * weights).sum()
    graph_grads = gradients(J, tensors, create_graph=True)
    J.backward()

    def J_numpy(*xs):
        return np.sum(evaluate(tree, xs, engine=False) * weights)

    used = inputs_used(tree)
    for i, (t, g_graph) in enumerate(zip(tensors, graph_grads)):
        g_num = numerical_gradient(J_numpy, values, i)
        if i not in used:
            assert t.grad is None and not g_num.any()
            continue
        assert t.grad.shape == values[i].shape
        assert close(t.grad, g_num), (i, t.grad, g_num)
        np.testing.assert_allclose(g_graph.data, t.grad, rtol=1e-10, atol=1e-12)


@given(mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4),
       st.integers(0, 2**32 - 1))
def test_unbroadcast_returns_the_operands_shape_and_is_the_adjoint(shapes, seed):
    rng = np.random.default_rng(seed)
    grad = rng.standard_normal(shapes.result_shape)
    for shape in shapes.input_shapes:
        reduced = unbroadcast(grad, shape)
        assert reduced.shape == shape
        v = rng.standard_normal(shape)
        # <g, broadcast(v)> = <unbroadcast(g), v>: summing is the adjoint of repeating.
        lhs = np.sum(grad * np.broadcast_to(v, shapes.result_shape))
        assert np.isclose(lhs, np.sum(reduced * v), rtol=1e-10, atol=1e-10)
    a, b = (al.Tensor(np.ones(s), requires_grad=True) for s in shapes.input_shapes)
    (a * b).backward(grad=grad)  # through the engine: each operand gets its own shape
    assert a.grad.shape == a.shape and b.grad.shape == b.shape
    np.testing.assert_allclose(a.grad, unbroadcast(grad, a.shape))


@given(st.data())
def test_broadcast_to_a_larger_shape_and_back(data):
    target = data.draw(st.lists(st.integers(1, 4), min_size=0, max_size=4).map(tuple))
    # An operand that broadcasts *to* target: leading axes dropped, some axes set to 1.
    dropped = data.draw(st.integers(0, len(target)))
    ones = data.draw(st.lists(st.booleans(), min_size=len(target), max_size=len(target)))
    shape = tuple(1 if one else n for n, one in zip(target, ones))[dropped:]
    assert np.broadcast_shapes(shape, target) == target
    x = al.Tensor(np.ones(shape), requires_grad=True)
    y = al.ops.broadcast_to(x, target)
    assert y.shape == target
    y.sum().backward()
    # Each element of x was repeated size(target) / size(x) times.
    np.testing.assert_array_equal(x.grad, np.full(shape, np.prod(target) / x.size))
