"""Gradients exactly at the kinks, where a two-sided difference cannot judge them.

At a kink (relu and abs at 0, a tie of max or maximum, the bounds of clip) the derivative
is a choice, and the ops document theirs. The fuzzers and the op table stay away from
kinks on purpose, so these choices are pinned here, by hand, value by value:

- relu: 0 at z = 0;  leaky_relu: the slope at z = 0;  abs: sign(0) = 0;
- maximum / minimum: a tie splits the gradient ½, ½ between the two operands;
- max / min over axes: ties share the gradient equally (1/k each for k ties);
- clip: 1 at the bounds (low ≤ z ≤ high);
- where: the branch not selected gets exactly 0, even where its values are inf or NaN.

Each gradient is checked through the fused ``J.backward()`` and through the recorded
backward (``create_graph=True``), which run the VJP on arrays and on Tensors. The
upstream gradient is a vector of distinct weights w (J = Σ w ⊙ f(x)), so that a VJP
which forgets to multiply by it, or sends it to the wrong element, is caught too.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import ops

DTYPES = [np.float64, np.float32]


def gradients(f, *values, weights=None, dtype=np.float64):
    """dJ/dx for each input x of J = Σ w ⊙ f(x, ...), by the fused pass and by the recorded
    one (create_graph=True); checks they agree and returns the fused one."""
    results = []
    for create_graph in (False, True):
        leaves = [al.Tensor(v, requires_grad=True, dtype=dtype) for v in values]
        out = f(*leaves)
        w = np.ones(out.shape) if weights is None else np.asarray(weights, dtype=np.float64)
        J = (out * w.astype(dtype)).sum()
        J.backward(create_graph=create_graph)
        grads = [np.asarray(t.grad.data if isinstance(t.grad, al.Tensor) else t.grad)
                 for t in leaves]
        for t, g in zip(leaves, grads):
            assert g.shape == t.shape and g.dtype == dtype
        results.append(grads)
    for fused, recorded in zip(*results):
        np.testing.assert_array_equal(fused, recorded)
    return results[0]


def assert_exact(actual, expected, dtype):
    expected = np.asarray(expected, dtype=np.float64)
    rtol = 1e-15 if dtype == np.float64 else 1e-7
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=0)


# --------------------------------------------------------------------------- activations


@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_has_derivative_0_at_0(dtype):
    (g,) = gradients(al.relu, [-1.0, 0.0, 2.0], dtype=dtype)
    assert_exact(g, [0, 0, 1], dtype)  # the example: relu([-1, 0, 2]) → [0, 0, 1]
    (g,) = gradients(al.relu, [-1.0, 0.0, -0.0, 2.0], weights=[2, 3, 5, 7], dtype=dtype)
    assert_exact(g, [0, 0, 0, 7], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_leaky_relu_has_the_slope_at_0(dtype):
    """da/dz = 1 if z > 0 else slope: z = 0 takes the slope."""
    (g,) = gradients(lambda z: al.leaky_relu(z, 0.25), [-1.0, 0.0, 2.0], weights=[2, 3, 5],
                     dtype=dtype)
    assert_exact(g, [0.5, 0.75, 5], dtype)
    (g,) = gradients(al.leaky_relu, [0.0], dtype=dtype)  # the default slope, 0.01
    assert_exact(g, [0.01], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_abs_has_derivative_0_at_0(dtype):
    (g,) = gradients(al.abs, [-2.0, 0.0, -0.0, 3.0], weights=[2, 3, 5, 7], dtype=dtype)
    assert_exact(g, [-2, 0, 0, 7], dtype)


# --------------------------------------------------------------------------- maximum, minimum


@pytest.mark.parametrize("dtype", DTYPES)
def test_maximum_splits_a_tie_half_and_half(dtype):
    a, b = [1.0, 2.0, 3.0], [1.0, 5.0, 0.0]  # a tie, then b larger, then a larger
    da, db = gradients(al.maximum, a, b, weights=[2, 3, 5], dtype=dtype)
    assert_exact(da, [1, 0, 5], dtype)  # ½ · 2 at the tie
    assert_exact(db, [1, 3, 0], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_minimum_splits_a_tie_half_and_half(dtype):
    a, b = [1.0, 2.0, 3.0], [1.0, 5.0, 0.0]  # a tie, then a smaller, then b smaller
    da, db = gradients(al.minimum, a, b, weights=[2, 3, 5], dtype=dtype)
    assert_exact(da, [1, 3, 0], dtype)
    assert_exact(db, [1, 0, 5], dtype)


def test_maximum_ties_split_before_the_broadcast_sum():
    """a (2, 1) against b (1, 3): two of the six pairs tie, and each half goes back to the
    operand's element it came from, summed over the broadcast axis."""
    a, b = [[1.0], [2.0]], [[1.0, 2.0, 3.0]]
    # max: [[1=1 tie, 2 b, 3 b], [2 a, 2=2 tie, 3 b]]
    da, db = gradients(al.maximum, a, b)
    assert_exact(da, [[0.5], [1.5]], np.float64)  # row 0: ½ (tie); row 1: 1 + ½
    assert_exact(db, [[0.5, 1.5, 2.0]], np.float64)  # column 0: ½; column 1: 1 + ½; column 2: 2
    da, db = gradients(al.minimum, a, b)
    # min: [[1=1 tie, 1 a, 1 a], [1 b, 2=2 tie, 2 a]]
    assert_exact(da, [[2.5], [1.5]], np.float64)
    assert_exact(db, [[1.5, 0.5, 0.0]], np.float64)


def test_maximum_with_a_number_ties_at_the_number():
    """maximum(z, 0) (the course's np.maximum(0, Z)) at z = 0: half the gradient goes to z."""
    (g,) = gradients(lambda z: al.maximum(z, 0.0), [-1.0, 0.0, 2.0])
    assert_exact(g, [0, 0.5, 1], np.float64)


# --------------------------------------------------------------------------- max, min


@pytest.mark.parametrize("dtype", DTYPES)
def test_max_shares_the_gradient_equally_between_ties(dtype):
    (g,) = gradients(ops.max, [1.0, 3.0, 3.0], dtype=dtype)
    assert_exact(g, [0, 0.5, 0.5], dtype)  # the example
    (g,) = gradients(ops.max, [2.0, 2.0, 2.0, 2.0], dtype=dtype)
    assert_exact(g, [0.25] * 4, dtype)
    (g,) = gradients(ops.min, [1.0, 1.0, 3.0], dtype=dtype)
    assert_exact(g, [0.5, 0.5, 0], dtype)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_max_over_an_axis_splits_each_row_over_its_own_ties(dtype, keepdims):
    """Row by row: two ties, three ties, none. Each row's share is 1/k of its own weight."""
    x = [[1.0, 3.0, 3.0], [5.0, 5.0, 5.0], [2.0, 0.0, 1.0]]
    w = [2.0, 3.0, 5.0]
    expected = [[0, 1, 1], [1, 1, 1], [5, 0, 0]]  # 2 · ½, 3 · ⅓, 5 · 1
    weights = np.reshape(w, (3, 1)) if keepdims else w
    (g,) = gradients(lambda t: ops.max(t, axis=1, keepdims=keepdims), x, weights=weights,
                     dtype=dtype)
    assert_exact(g, expected, dtype)
    # The same along axis 0 (the course's columns), and as min of -x.
    weights = np.reshape(w, (1, 3)) if keepdims else w
    (g,) = gradients(lambda t: ops.max(t, axis=0, keepdims=keepdims), np.transpose(x),
                     weights=weights, dtype=dtype)
    assert_exact(g, np.transpose(expected), dtype)
    (g,) = gradients(lambda t: ops.min(t, axis=-1, keepdims=keepdims), -np.asarray(x),
                     weights=np.reshape(w, (3, 1)) if keepdims else w, dtype=dtype)
    assert_exact(g, expected, dtype)


@pytest.mark.parametrize("keepdims", [False, True])
def test_max_over_several_axes_counts_the_ties_of_each_slice(keepdims):
    # x[i, j, k]: the max over axes (0, 2) for each j.
    x = np.zeros((2, 2, 3))
    x[:, 0, :] = [[1, 4, 4], [4, 0, 2]]  # j = 0: three ties of 4
    x[:, 1, :] = [[7, 1, 1], [1, 1, 1]]  # j = 1: one max
    w = [3.0, 5.0]
    weights = np.reshape(w, (1, 2, 1)) if keepdims else w
    (g,) = gradients(lambda t: ops.max(t, axis=(0, 2), keepdims=keepdims), x, weights=weights)
    expected = np.zeros((2, 2, 3))
    expected[:, 0, :] = [[0, 1, 1], [1, 0, 0]]  # 3 · ⅓
    expected[0, 1, 0] = 5
    assert_exact(g, expected, np.float64)
    (g,) = gradients(lambda t: ops.max(t, axis=None, keepdims=keepdims), x)
    expected = np.zeros((2, 2, 3))
    expected[0, 1, 0] = 1  # 7 is the one largest value
    assert_exact(g, expected, np.float64)


# --------------------------------------------------------------------------- clip, where


@pytest.mark.parametrize("dtype", DTYPES)
def test_clip_passes_the_gradient_at_its_bounds(dtype):
    """da/dz = 1 where low ≤ z ≤ high: the bounds themselves are inside."""
    x, w = [0.0, 1.0, 1.5, 2.0, 3.0], [2, 3, 5, 7, 11]
    (g,) = gradients(lambda t: al.clip(t, 1.0, 2.0), x, weights=w, dtype=dtype)
    assert_exact(g, [0, 3, 5, 7, 0], dtype)
    (g,) = gradients(lambda t: al.clip(t, 1.0, None), x, weights=w, dtype=dtype)
    assert_exact(g, [0, 3, 5, 7, 11], dtype)
    (g,) = gradients(lambda t: al.clip(t, None, 2.0), x, weights=w, dtype=dtype)
    assert_exact(g, [2, 3, 5, 7, 0], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_where_sends_exactly_zero_to_the_branch_not_taken(dtype):
    """The branch not selected gets 0, never NaN, even where its values are inf or NaN, and
    none of them reaches the output; where a and b are equal, cond still decides."""
    cond = np.array([True, False, True, False, True])
    a = [1.0, np.nan, 2.0, np.inf, 6.0]
    b = [np.inf, 3.0, -np.inf, 4.0, 6.0]
    out = al.where(cond, al.Tensor(a, dtype=dtype), al.Tensor(b, dtype=dtype))
    np.testing.assert_array_equal(out.data, np.array([1, 3, 2, 4, 6], dtype=dtype))
    da, db = gradients(lambda s, t: al.where(cond, s, t), a, b, weights=[2, 3, 5, 7, 11],
                       dtype=dtype)
    assert_exact(da, [2, 0, 5, 0, 11], dtype)
    assert_exact(db, [0, 3, 0, 7, 0], dtype)


def test_where_on_the_input_keeps_log_and_sqrt_finite_at_0():
    """The safe pattern: where(x > 0, log(where(x > 0, x, 1)), 0) has gradient 1/x where
    x > 0 and exactly 0 at x = 0 (log's 1/x is never evaluated at 0)."""
    x = [0.0, 1.0, 4.0]

    def safe_log(t):
        positive = t.data > 0
        return al.where(positive, al.log(al.where(positive, t, 1.0)), 0.0)

    def safe_sqrt(t):
        positive = t.data > 0
        return al.where(positive, al.sqrt(al.where(positive, t, 1.0)), 0.0)

    (g,) = gradients(safe_log, x, weights=[2, 3, 5])
    assert_exact(g, [0, 3, 1.25], np.float64)  # w / x
    (g,) = gradients(safe_sqrt, x, weights=[2, 3, 5])
    assert_exact(g, [0, 1.5, 1.25], np.float64)  # w / (2√x)
