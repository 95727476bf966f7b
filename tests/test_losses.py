"""The costs of nn (and the fused primitives of ops.losses) against their formulas.

Oracles: the course's formulas in plain NumPy, two-sided numerical differences
(tests/numerical.py), and hand-derived gradients such as dZ = (A - Y) / m.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import nn
from autograd_lite.ops.losses import linear
from tests.numerical import numerical_gradient, relative_difference


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def bce_formula(A, Y):
    m = A.shape[1]
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m)


def value_and_grads(loss, a, y):
    """J and dJ/da, dJ/dy through the loss, with both as Tensors that require grad."""
    a_t = al.Tensor(a, requires_grad=True)
    y_t = al.Tensor(y, requires_grad=True)
    J = loss(a_t, y_t)
    J.backward()
    return J.item(), a_t.grad, y_t.grad


@pytest.fixture
def batch():
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((1, 7)) * 2
    Y = (rng.random((1, 7)) < 0.5).astype(float)
    Y[0, :2] = [0.0, 1.0]
    return Z, Y


# ----------------------------------------------------------- values and gradients


def test_binary_cross_entropy_is_the_course_formula(batch):
    Z, Y = batch
    A = sigmoid(Z)
    J, dA, dY = value_and_grads(nn.binary_cross_entropy, A, Y)
    assert J == pytest.approx(bce_formula(A, Y), rel=1e-14)
    m = A.shape[1]
    # dJ/dA = -(1/m) (Y/A - (1-Y)/(1-A)), the course's dA^[L] divided by m
    np.testing.assert_allclose(dA, -(Y / A - (1 - Y) / (1 - A)) / m, rtol=1e-12)
    f = lambda a, y: bce_formula(a, y)  # noqa: E731
    assert relative_difference(dA, numerical_gradient(f, [A, Y], 0)) < 1e-7
    assert relative_difference(dY, numerical_gradient(f, [A, Y], 1)) < 1e-7


def test_through_a_sigmoid_the_gradient_is_dZ_equals_A_minus_Y(batch):
    Z, Y = batch
    z = al.Tensor(Z, requires_grad=True)
    nn.binary_cross_entropy(al.sigmoid(z), Y).backward()
    np.testing.assert_allclose(z.grad, (sigmoid(Z) - Y) / Z.shape[1], rtol=1e-12)


def test_binary_cross_entropy_with_logits_equals_bce_of_sigmoid(batch):
    Z, Y = batch
    J, dZ, dY = value_and_grads(nn.binary_cross_entropy_with_logits, Z, Y)
    assert J == pytest.approx(bce_formula(sigmoid(Z), Y), rel=1e-13)
    m = Z.shape[1]
    np.testing.assert_allclose(dZ, (sigmoid(Z) - Y) / m, rtol=1e-12)
    np.testing.assert_allclose(dY, -Z / m, rtol=1e-12)
    f = lambda z, y: bce_formula(sigmoid(z), y)  # noqa: E731
    assert relative_difference(dZ, numerical_gradient(f, [Z, Y], 0)) < 1e-7


def test_squared_error_is_the_mean_of_half_the_square(batch):
    Z, Y = batch
    A = np.tanh(Z)
    J, dA, dY = value_and_grads(nn.squared_error, A, Y)
    m = A.shape[1]
    assert J == pytest.approx(np.mean(0.5 * (A - Y) ** 2), rel=1e-14)
    np.testing.assert_allclose(dA, (A - Y) / m, rtol=1e-13)
    np.testing.assert_allclose(dY, -(A - Y) / m, rtol=1e-13)


def test_squared_error_sums_the_rows_of_an_example():
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    Y = np.zeros((2, 2))
    # per example ½‖a - y‖²: ½(1 + 9) and ½(4 + 16); the mean over m = 2
    assert nn.squared_error(A, Y).item() == pytest.approx((5 + 10) / 2)


def softmax(Z):
    e = np.exp(Z - Z.max(axis=0))
    return e / e.sum(axis=0)


def test_cross_entropy_one_hot_and_labels_agree():
    rng = np.random.default_rng(1)
    Z = rng.standard_normal((4, 6))
    labels = np.array([[0, 3, 1, 1, 2, 3]])
    Y = np.zeros((4, 6))
    Y[labels[0], np.arange(6)] = 1
    J1, dZ1, _ = value_and_grads(nn.cross_entropy, Z, Y)
    z = al.Tensor(Z, requires_grad=True)
    J2 = nn.cross_entropy(z, labels)
    J2.backward()
    expected = -np.mean(np.log(softmax(Z))[labels[0], np.arange(6)])
    assert J1 == pytest.approx(expected, rel=1e-13)
    assert J2.item() == pytest.approx(expected, rel=1e-13)
    np.testing.assert_allclose(dZ1, (softmax(Z) - Y) / 6, rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(z.grad, dZ1, rtol=1e-13)
    f = lambda z_: -np.mean(np.sum(Y * np.log(softmax(z_)), axis=0))  # noqa: E731
    assert relative_difference(dZ1, numerical_gradient(f, [Z], 0)) < 1e-7


def test_cross_entropy_with_soft_targets_matches_numerical():
    rng = np.random.default_rng(2)
    Z = rng.standard_normal((3, 5))
    Y = rng.random((3, 5))  # columns need not sum to 1
    J, dZ, dY = value_and_grads(nn.cross_entropy, Z, Y)
    f = lambda z, y: -np.sum(y * np.log(softmax(z))) / 5  # noqa: E731
    assert J == pytest.approx(f(Z, Y), rel=1e-13)
    assert relative_difference(dZ, numerical_gradient(f, [Z, Y], 0)) < 1e-7
    assert relative_difference(dY, numerical_gradient(f, [Z, Y], 1)) < 1e-7


def test_dense_is_W_A_plus_b_with_the_course_gradients():
    rng = np.random.default_rng(3)
    W, A, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 5)), rng.standard_normal((3, 1))
    tW, tA, tb = (al.Tensor(x, requires_grad=True) for x in (W, A, b))
    Z = linear(tW, tA, tb)
    assert Z.op == "linear"
    np.testing.assert_allclose(Z.data, W @ A + b, rtol=1e-14)
    upstream = rng.standard_normal((3, 5))
    Z.backward(upstream)
    np.testing.assert_allclose(tW.grad, upstream @ A.T, rtol=1e-13)
    np.testing.assert_allclose(tA.grad, W.T @ upstream, rtol=1e-13)
    np.testing.assert_allclose(tb.grad, upstream.sum(axis=1, keepdims=True), rtol=1e-13)


def test_dense_shape_errors_name_the_shapes():
    with pytest.raises(al.ShapeError, match=r"W is \(3, 4\), so A must be \(4, m\); got \(5, 2\)"):
        linear(np.zeros((3, 4)), np.zeros((5, 2)), np.zeros((3, 1)))
    with pytest.raises(al.ShapeError, match=r"b must be \(3, 1\); got \(4, 1\)"):
        linear(np.zeros((3, 4)), np.zeros((4, 2)), np.zeros((4, 1)))


# ----------------------------------------------------------------- at the edges


def test_binary_cross_entropy_is_finite_at_exactly_0_and_1():
    A = al.Tensor([[0.0, 1.0, 0.0, 1.0, 0.25]], requires_grad=True)
    Y = np.array([[0.0, 1.0, 1.0, 0.0, 1.0]])
    J = nn.binary_cross_entropy(A, Y)
    J.backward()
    assert np.isfinite(J.item())
    assert np.all(np.isfinite(A.grad))
    # right answers cost (almost) nothing; wrong ones cost -log(eps) ≈ 36 each
    eps = np.finfo(np.float64).eps
    assert J.item() == pytest.approx((2 * -np.log(eps) - np.log(0.25)) / 5, rel=1e-6)
    # the gradient points the right way: lower A where Y = 0, raise it where Y = 1
    assert A.grad[0, 2] < 0 and A.grad[0, 3] > 0
    assert A.grad[0, 4] == pytest.approx(-(1 / 0.25) / 5)


def test_binary_cross_entropy_of_a_saturated_sigmoid_stays_finite():
    z = al.Tensor([[40.0, -40.0, 800.0, -800.0]], requires_grad=True)
    J = nn.binary_cross_entropy(al.sigmoid(z), [[1.0, 0.0, 0.0, 1.0]])
    J.backward()
    assert np.isfinite(J.item()) and np.all(np.isfinite(z.grad))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bce_with_logits_is_stable_at_plus_minus_1000(dtype):
    Z = al.Tensor(np.array([[1000.0, -1000.0, 1000.0, -1000.0]], dtype=dtype),
                  requires_grad=True)
    Y = np.array([[1.0, 0.0, 0.0, 1.0]])
    J = nn.binary_cross_entropy_with_logits(Z, Y)
    J.backward()
    # right with certainty: 0; wrong with certainty: |Z| = 1000 each; mean over m = 4
    assert J.item() == pytest.approx(500.0)
    np.testing.assert_allclose(Z.grad, [[0.0, 0.0, 0.25, -0.25]])
    assert J.dtype == dtype and Z.grad.dtype == dtype


def test_cross_entropy_is_stable_for_huge_logits():
    Z = al.Tensor([[1000.0, -1000.0], [0.0, 1000.0]], requires_grad=True)
    J = nn.cross_entropy(Z, np.array([[0, 0]]))
    J.backward()
    assert J.item() == pytest.approx(1000.0)  # example 1 right (0), example 2 off by 2000 / 2
    assert np.all(np.isfinite(Z.grad))
    np.testing.assert_allclose(Z.grad, [[0.0, -0.5], [0.0, 0.5]], atol=1e-12)


def test_squared_error_gradient_at_its_minimum_is_zero():
    A = al.Tensor([[0.0, 1.0]], requires_grad=True)
    J = nn.squared_error(A, [[0.0, 1.0]])
    J.backward()
    assert J.item() == 0.0
    np.testing.assert_array_equal(A.grad, 0.0)


def test_second_derivatives_through_the_fused_costs():
    z0 = np.array([[0.3, -1.2, 2.0]])
    y = np.array([[1.0, 0.0, 0.0]])

    def dJ_sum(z):
        return al.grad(lambda t: nn.binary_cross_entropy_with_logits(t, y))(z).sum()

    # d/dz Σ (σ(z) - y)/m = σ'(z)/m = a(1 - a)/m
    a = sigmoid(z0)
    np.testing.assert_allclose(al.grad(dJ_sum)(z0), a * (1 - a) / 3, rtol=1e-12)

    def dJ_sum_bce(p):
        return al.grad(lambda t: nn.binary_cross_entropy(t, y))(p).sum()

    # d/da Σ -(1/m)(y/a - (1-y)/(1-a)) = (1/m) Σ (y/a² + (1-y)/(1-a)²)
    np.testing.assert_allclose(
        al.grad(dJ_sum_bce)(a), (y / a**2 + (1 - y) / (1 - a) ** 2) / 3, rtol=1e-10
    )


# ----------------------------------------------------------------- shapes and dtypes


def test_labels_of_shape_m_give_a_clear_error():
    with pytest.raises(al.ShapeError, match=r"Y is \(5,\).*reshape\(1, -1\)"):
        nn.binary_cross_entropy(np.full((1, 5), 0.5), np.zeros(5))
    with pytest.raises(al.ShapeError, match="transposed"):
        nn.binary_cross_entropy_with_logits(np.zeros((1, 5)), np.zeros((5, 1)))
    with pytest.raises(al.ShapeError, match=r"\(1, m\)"):
        nn.cross_entropy(np.zeros((3, 5)), np.zeros(5))
    with pytest.raises(al.ShapeError, match=r"one-hot \(3, 5\) or labels \(1, 5\)"):
        nn.cross_entropy(np.zeros((3, 5)), np.zeros((2, 5)))
    with pytest.raises(al.ShapeError, match="2-D"):
        nn.squared_error(np.zeros(5), np.zeros(5))


def test_bad_labels_are_refused():
    with pytest.raises(ValueError, match="out of range"):
        nn.cross_entropy(np.zeros((3, 2)), np.array([[0, 3]]))
    with pytest.raises(ValueError, match="whole numbers"):
        nn.cross_entropy(np.zeros((3, 2)), np.array([[0, 1.5]]))


@pytest.mark.parametrize("loss", [nn.binary_cross_entropy, nn.binary_cross_entropy_with_logits,
                                  nn.squared_error, nn.cross_entropy])
def test_float32_stays_float32(loss):
    A = al.Tensor(np.full((2, 3), 0.4, dtype=np.float32), requires_grad=True)
    Y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])  # float64 targets take A's dtype
    J = loss(A, Y)
    J.backward()
    assert J.dtype == np.float32 and A.grad.dtype == np.float32


def test_dense_can_be_differentiated_twice():
    """A Hessian-vector product through the fused dense step, against differences of grads."""
    rng = np.random.default_rng(4)
    W0, A, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 5)), rng.standard_normal((3, 1))
    V = rng.standard_normal((3, 4))

    def f(W):
        return (al.tanh(linear(W, A, b)) ** 2).sum()

    def directional(W):
        return (al.grad(f)(W) * V).sum()

    hvp = al.grad(directional)(W0)
    expected = numerical_gradient(lambda W: float(directional(W)), [W0], 0)
    assert relative_difference(hvp, expected) < 1e-7
