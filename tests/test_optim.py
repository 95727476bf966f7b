"""Optimizers against the course's update formulas, written out by hand here."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import nn, optim

GRADS = [np.array([[0.5, -1.0]]), np.array([[0.1, 2.0]]), np.array([[-0.3, 0.0]])]


def run_steps(opt, p, grads):
    values = []
    for g in grads:
        opt.zero_grad()
        p.grad = g.copy()
        opt.step()
        values.append(p.data.copy())
    return values


def test_sgd_is_w_minus_alpha_dw():
    p = al.Tensor([[1.0, 2.0]], requires_grad=True)
    values = run_steps(optim.SGD([p], lr=0.1), p, GRADS)
    w = np.array([[1.0, 2.0]])
    for g, got in zip(GRADS, values):
        w = w - 0.1 * g
        np.testing.assert_allclose(got, w, rtol=1e-15)


def test_momentum_is_the_courses_exponentially_weighted_average():
    p = al.Tensor([[1.0, 2.0]], requires_grad=True)
    values = run_steps(optim.Momentum([p], lr=0.1, beta=0.9), p, GRADS)
    w, v = np.array([[1.0, 2.0]]), np.zeros((1, 2))
    for g, got in zip(GRADS, values):
        v = 0.9 * v + 0.1 * g
        w = w - 0.1 * v
        np.testing.assert_allclose(got, w, rtol=1e-15)


def test_adam_is_the_courses_update_with_bias_correction():
    p = al.Tensor([[1.0, 2.0]], requires_grad=True)
    values = run_steps(optim.Adam([p], lr=0.01, betas=(0.9, 0.999), eps=1e-8), p, GRADS)
    w, v, s = np.array([[1.0, 2.0]]), np.zeros((1, 2)), np.zeros((1, 2))
    for t, (g, got) in enumerate(zip(GRADS, values), start=1):
        v = 0.9 * v + 0.1 * g
        s = 0.999 * s + 0.001 * g**2
        v_hat, s_hat = v / (1 - 0.9**t), s / (1 - 0.999**t)
        w = w - 0.01 * v_hat / (np.sqrt(s_hat) + 1e-8)
        np.testing.assert_allclose(got, w, rtol=1e-14)
    # The first Adam step moves every coordinate with a gradient by about lr.
    np.testing.assert_allclose(np.abs(values[0] - [[1.0, 2.0]]), 0.01, rtol=1e-6)


def test_a_parameter_without_gradient_is_left_alone():
    a = al.Tensor([1.0], requires_grad=True)
    b = al.Tensor([1.0], requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    (a * 3).sum().backward()
    opt.step()
    assert b.data[0] == 1.0 and a.data[0] < 1.0


def test_zero_grad():
    p = al.Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad, 0.0)
    opt.zero_grad()
    assert p.grad is None


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.1),
    lambda ps: optim.Momentum(ps, lr=0.1),
    lambda ps: optim.Adam(ps, lr=0.1),
])
def test_each_optimizer_minimizes_a_quadratic(make):
    target = np.array([[3.0], [-2.0]])
    w = al.Tensor(np.zeros((2, 1)), requires_grad=True)
    opt = make([w])
    for _ in range(300):
        opt.zero_grad()
        J = (0.5 * (w - target) ** 2).sum()
        J.backward()
        opt.step()
    np.testing.assert_allclose(w.data, target, atol=1e-2)


def test_optimizers_accept_a_module_and_check_their_arguments():
    model = nn.MLP([2, 3, 1])
    assert len(optim.SGD(model, lr=0.1).params) == 4
    with pytest.raises(ValueError, match="empty"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="does not require grad"):
        optim.SGD([al.Tensor(1.0, name="w")], lr=0.1)
    with pytest.raises(TypeError, match="not a Tensor"):
        optim.SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        optim.SGD(model, lr=-1)
    with pytest.raises(ValueError, match="lr"):
        optim.Adam(model, lr=float("nan"))
    with pytest.raises(ValueError, match="beta"):
        optim.Momentum(model, lr=0.1, beta=1.0)
    with pytest.raises(TypeError, match="betas"):
        optim.Adam(model, betas=0.9)


def test_float32_parameters_stay_float32():
    p = al.Tensor(np.ones((2, 2), dtype=np.float32), requires_grad=True)
    for opt in (optim.SGD([p], lr=0.1), optim.Momentum([p], lr=0.1), optim.Adam([p], lr=0.1)):
        (p * p).sum().backward()
        opt.step()
        opt.zero_grad()
        assert p.data.dtype == np.float32
