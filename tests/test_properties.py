"""Properties, searched by hypothesis.

- A random composition (depth 1 to 4) of unary and binary primitives, on inputs of
  random mutually broadcastable shapes, has the gradient of its NumPy twin measured by
  two-sided differences, with respect to every input; the graph-building backward
  (create_graph=True) gives the same values.
- unbroadcast returns exactly the operand's shape, and is the adjoint of broadcasting.

Quick by default; ``HYPOTHESIS_PROFILE=long`` searches far more examples (tests/conftest.py).
The fuzzer (tests/test_fuzz.py) extends the first property to every primitive and float32.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import autograd_lite as al
from autograd_lite.engine import gradients, unbroadcast
from tests.fuzzing import close, compositions, evaluate, inputs_used
from tests.numerical import numerical_gradient

# The expression trees live in tests/fuzzing.py, shared with the fuzzer (tests/test_fuzz.py);
# their ops (UNARY, BINARY) are rows of the op table, tests/op_table.py.


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
