"""Ops at the edges of their domains, found by peer engines' test suites (issue 13).

- the mean of an empty axis: NaN, as NumPy's, and an empty gradient;
- pow at 0: the limits PyTorch uses (torch's pow_backward_self and pow_backward_exponent),
  and 0 where autograd-lite's Pow docstring promises it, never NaN;
- an index Tensor that is not a whole number is an IndexError, never truncated.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite.engine import gradients

# ============================================================ mean over an empty axis

@pytest.mark.parametrize("shape, axis", [((3, 0), 1), ((3, 0), (0, 1)), ((0, 4), 0),
                                         ((2, 0, 3), 1), ((0,), None)])
def test_the_mean_of_an_empty_axis_has_an_empty_gradient(shape, axis):
    x = al.Tensor(np.zeros(shape), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's "mean of empty slice"
        expected = np.mean(np.zeros(shape), axis=axis)
        m = al.mean(x, axis=axis)
    np.testing.assert_array_equal(m.data, expected)  # NaN where NumPy gives NaN
    m.backward(np.ones(m.shape))
    assert x.grad.shape == shape and x.grad.size == 0


def test_the_mean_of_an_empty_axis_under_create_graph():
    x = al.Tensor(np.zeros((3, 0)), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        m = al.mean(x, axis=1)
    m.backward(np.ones(3), create_graph=True)
    assert x.grad.shape == (3, 0)


def test_the_mean_of_a_non_empty_tensor_with_an_empty_result():
    """axis 0 of a (3, 0): three elements per (empty) column, a 1/3 that never applies."""
    x = al.Tensor(np.zeros((3, 0)), requires_grad=True)
    m = al.mean(x, axis=0)
    assert m.shape == (0,)
    m.backward(np.ones((0,)))
    assert x.grad.shape == (3, 0)


# ============================================================ pow at zero

def _pow_grads(a, b):
    x = al.Tensor(a, requires_grad=True)
    y = al.Tensor(b, requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        (x ** y).sum().backward()
    return x.grad, y.grad


def test_pow_with_a_tensor_exponent_at_zero_zero():
    """d(x^y)/dx at y = 0 is 0 (x^0 = 1 is constant: torch's pow_backward_self), even at
    x = 0, where y x^(y-1) would be 0 · ∞; d/dy at x = 0, y ≥ 0 is 0 (0^y = 0 for y > 0:
    torch's pow_backward_exponent), not 1 · log 0."""
    dx, dy = _pow_grads(np.array([0.0, 0.0, 2.0]), np.array([0.0, 2.0, 0.0]))
    np.testing.assert_array_equal(dx, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(dy, [0.0, 0.0, np.log(2.0)])


def test_zero_to_a_negative_power_has_no_nan_exponent_gradient():
    """0^y = ∞ for every y < 0: a constant, whose derivative the Pow docstring takes as 0
    (torch gives -∞ from ∞ · log 0; ∞ · log 1 was NaN here)."""
    y = al.Tensor([-1.5, -1.0, 0.5], requires_grad=True)
    with np.errstate(divide="ignore"):
        z = 0.0 ** y
    z.sum().backward()
    np.testing.assert_array_equal(z.data, [np.inf, np.inf, 0.0])
    np.testing.assert_array_equal(y.grad, [0.0, 0.0, 0.0])


def test_pow_with_both_tensors_at_zero_base_and_negative_exponent():
    dx, dy = _pow_grads(np.array([0.0]), np.array([-1.5]))
    assert dx[0] == -np.inf  # y x^(y-1) = -1.5 · ∞, as torch
    assert dy[0] == 0.0


def test_pow_exponent_gradient_at_zero_under_create_graph_has_no_nan():
    """The backward pass recorded as a graph: its values and its own derivative."""
    y = al.Tensor([-1.5, 2.0], requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        (g,) = gradients((0.0 ** y).sum(), [y], create_graph=True)
        np.testing.assert_array_equal(g.data, [0.0, 0.0])
        (gg,) = gradients(g.sum(), [y])
    np.testing.assert_array_equal(gg, [0.0, 0.0])


def test_pow_exponent_gradient_of_a_negative_base_is_zero_not_nan():
    dx, dy = _pow_grads(np.array([-2.0]), np.array([2.0]))
    assert dx[0] == -4.0 and dy[0] == 0.0


# ============================================================ index Tensors

@pytest.mark.parametrize("index", [1.7, [0.0, 1.5], np.nan, np.inf, -0.5])
def test_an_index_tensor_that_is_not_a_whole_number_is_an_index_error(index):
    a = al.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(IndexError, match="whole numbers"):
        a[al.Tensor(index)]


def test_index_tensors_of_whole_numbers_still_index():
    a = al.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    picked = a[al.Tensor([2.0, 0.0, 2.0])]
    np.testing.assert_array_equal(picked.data, [3.0, 1.0, 3.0])
    picked.sum().backward()
    np.testing.assert_array_equal(a.grad, [1.0, 0.0, 2.0])
    assert a[al.Tensor(-1.0)].item() == 3.0
