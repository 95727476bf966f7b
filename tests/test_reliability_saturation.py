"""The course's cost of a sigmoid output keeps the gradient of confidently wrong examples.

``nn.binary_cross_entropy(al.sigmoid(Z), Y)`` is the course's formulation and ``train``'s
default path. From A alone, σ(z) rounds to exactly 1 once z >= 37 in float64 (17 in
float32): da/dz = a(1 - a) is then 0, and the cost of an example is capped at -log ε.
From the logits, dJ/dz = (σ(z) - y)/m: ±1/m for a confidently wrong example.
"""

from __future__ import annotations

import argparse

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import nn, optim
from autograd_lite.commands.train import build_model

# One row of logits: confidently wrong (±40 and ±800 in float64; ±20 and ±100 in float32),
# confidently right, and ordinary.
CASES = {
    np.float64: ([[40.0, -40.0, 800.0, -800.0, 40.0, -37.0, 0.5, -1.5]],
                 [[0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0]]),
    np.float32: ([[20.0, -20.0, 100.0, -17.0, 20.0, -17.5, 0.5, -1.5]],
                 [[0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0]]),
}


def _oracle(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """J = (1/m) Σ [log(1 + e^z) - y z] and dJ/dz = (σ(z) - y)/m, in float64 by hand."""
    z, y = np.asarray(z, np.float64), np.asarray(y, np.float64)
    m = z.shape[1]
    J = (np.logaddexp(0.0, z) - y * z).sum() / m
    sigma = np.exp(-np.logaddexp(0.0, -z))
    return J, (sigma - y) / m


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bce_of_a_sigmoid_keeps_the_gradient_of_confidently_wrong_examples(dtype):
    z0, y = (np.array(v, dtype=dtype) for v in CASES[dtype])
    Z = al.Tensor(z0, requires_grad=True)
    J = nn.binary_cross_entropy(al.sigmoid(Z), y)
    J.backward()
    want_J, want_dZ = _oracle(z0, y)
    m = z0.shape[1]
    tol = 1e-12 if dtype == np.float64 else 1e-6
    assert J.item() == pytest.approx(want_J, rel=tol)
    # float32's σ(20) is exactly 1: a confidently right example's dZ is 0, not -2.6e-10.
    np.testing.assert_allclose(Z.grad, want_dZ, rtol=tol, atol=0 if dtype == np.float64 else 1e-9)
    # The confidently wrong ones pull with the full ±1/m, never 0.
    np.testing.assert_allclose(Z.grad[0, :4], [1 / m, -1 / m, 1 / m, -1 / m], rtol=tol)
    assert J.dtype == dtype and Z.grad.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bce_of_a_sigmoid_has_exactly_the_values_of_bce_with_logits(dtype):
    z0, y = (np.array(v, dtype=dtype) for v in CASES[dtype])
    Z1 = al.Tensor(z0, requires_grad=True)
    J1 = nn.binary_cross_entropy(al.sigmoid(Z1), y.tolist())
    J1.backward()
    Z2 = al.Tensor(z0, requires_grad=True)
    J2 = nn.binary_cross_entropy_with_logits(Z2, y)
    J2.backward()
    assert J1.data.tobytes() == J2.data.tobytes() and J1.dtype == J2.dtype
    np.testing.assert_array_equal(Z1.grad, Z2.grad)
    assert Z1.grad.dtype == Z2.grad.dtype == dtype


def test_the_cost_of_a_confidently_wrong_sigmoid_is_not_capped():
    # From A, one example cost at most -log ε = 36.04 (float64) or 15.94 (float32).
    for dtype, z in ((np.float64, 800.0), (np.float32, 100.0)):
        z_t = al.Tensor(np.array([[z]], dtype=dtype), requires_grad=True)
        J = nn.binary_cross_entropy(al.sigmoid(z_t), [[0.0]])
        assert J.item() == pytest.approx(z)


def test_the_labels_get_the_gradient_of_the_logits_formula():
    z0 = np.array([[40.0, -2.0, 0.3]])
    Z = al.Tensor(z0, requires_grad=True)
    Y = al.Tensor([[0.0, 1.0, 1.0]], requires_grad=True)
    nn.binary_cross_entropy(al.sigmoid(Z), Y).backward()
    np.testing.assert_allclose(Y.grad, -z0 / 3, rtol=1e-14)  # dJ/dY = -Z/m


def test_a_shape_mistake_is_still_named_as_binary_cross_entropy_of_A():
    A = al.sigmoid(al.Tensor(np.zeros((1, 4)), requires_grad=True))
    with pytest.raises(al.ShapeError, match=r"binary_cross_entropy: A is \(1, 4\).*transposed"):
        nn.binary_cross_entropy(A, np.zeros((4, 1)))


def test_an_A_from_elsewhere_keeps_the_clipped_formula():
    eps = np.finfo(np.float64).eps
    A = al.Tensor([[1.0, 0.25]], requires_grad=True)  # a leaf: no logits to go back to
    J = nn.binary_cross_entropy(A, [[0.0, 1.0]])
    J.backward()
    assert J.item() == pytest.approx((-np.log(eps) - np.log(0.25)) / 2, rel=1e-12)
    assert A.grad[0, 1] == pytest.approx(-(1 / 0.25) / 2)
    # An A made by another op (not a sigmoid) is read as it is too.
    z = al.Tensor([[40.0]], requires_grad=True)
    J = nn.binary_cross_entropy(al.clip(al.sigmoid(z) * 1.0, 0.0, 1.0), [[0.0]])
    assert J.item() == pytest.approx(-np.log(eps))


def test_a_sigmoid_output_that_retains_its_grad_is_used_as_it_is():
    z = al.Tensor([[0.3, -1.0]], requires_grad=True)
    A = al.sigmoid(z)
    A.retain_grad()
    J = nn.binary_cross_entropy(A, [[1.0, 0.0]])
    J.backward()
    a = A.data
    np.testing.assert_allclose(A.grad, (a - [[1.0, 0.0]]) / (a * (1 - a)) / 2, rtol=1e-12)
    np.testing.assert_allclose(z.grad, (a - [[1.0, 0.0]]) / 2, rtol=1e-12)


def test_fit_moves_a_confidently_wrong_unit():
    # One unit, z = 100 x with x = 1 and y = 0: dJ/dW = (σ(100) - 0) x = 1, so one SGD
    # step of lr 0.1 takes W from 100 to 99.9 (from A alone: dJ/dW = 0, W stays).
    model = nn.MLP([1, 1], output="sigmoid", seed=0)
    with al.no_grad():
        model[0].W.data[...] = 100.0
        model[0].b.data[...] = 0.0
    nn.fit(model, np.ones((1, 1)), np.zeros((1, 1)), nn.binary_cross_entropy,
           optim.SGD(model, lr=0.1), 1, progress=False)
    assert model[0].W.data[0, 0] == pytest.approx(99.9, abs=1e-12)
    assert model[0].b.data[0, 0] == pytest.approx(-0.1, abs=1e-12)


def test_the_train_commands_binary_model_ends_in_a_sigmoid_that_this_cost_reads():
    args = argparse.Namespace(model=None, layers=None, activation=None, init=None, seed=0,
                              dtype="float64", data="flower")
    model, _, loss = build_model(args, 2, 2)
    assert loss is nn.binary_cross_entropy
    assert model(np.ones((2, 3))).op == "sigmoid"
