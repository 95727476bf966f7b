"""Anomaly mode and strict shapes: each check fires on a real mistake, and only then."""

import warnings

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite.debug import AnomalyError, BroadcastWarning, RankOneWarning


def saturated_cross_entropy():
    w = al.Tensor(np.array([[1000.0, 0.0]]), requires_grad=True, name="w")
    X = np.ones((2, 3))
    Y = np.array([[1.0, 0.0, 1.0]])
    A = (w @ X).sigmoid()
    return -(Y * A.log() + (1 - Y) * (1 - A).log()).mean()


def test_forward_nan_names_op_site_and_course_hint():
    with al.detect_anomaly(), np.errstate(divide="ignore"):
        with pytest.raises(AnomalyError) as info:
            saturated_cross_entropy()
    message = str(info.value)
    assert "forward pass: log produced inf" in message
    assert "test_debug.py" in message and "saturated_cross_entropy" in message
    assert "binary_cross_entropy_with_logits" in message


def test_without_anomaly_mode_the_same_mistake_passes_silently():
    with np.errstate(divide="ignore", invalid="ignore"):
        J = saturated_cross_entropy()
    assert not np.isfinite(J.item())


def test_backward_inf_names_op_tensor_and_site():
    x = al.Tensor([0.0, 1.0], requires_grad=True, name="x")
    with al.detect_anomaly(), np.errstate(divide="ignore"):
        y = al.sqrt(x)
        y.name = "y"
        with pytest.raises(AnomalyError) as info:
            y.sum().backward()
    message = str(info.value)
    assert "backward pass" in message and "sqrt" in message and "'y'" in message
    assert "shape (2,)" in message and "y = al.sqrt(x)" in message


def test_exp_overflow_hint_points_to_stable_sigmoid():
    z = al.Tensor([800.0], requires_grad=True)
    with al.detect_anomaly(), np.errstate(over="ignore"):
        with pytest.raises(AnomalyError, match="stable sigmoid"):
            1 / (1 + al.exp(z))


def test_anomaly_mode_is_a_decorator_and_switches_off_after():
    @al.detect_anomaly()
    def bad():
        return al.log(al.Tensor([0.0], requires_grad=True))

    with np.errstate(divide="ignore"), pytest.raises(AnomalyError):
        bad()
    with np.errstate(divide="ignore"):
        assert np.isinf(bad.__wrapped__().item())  # the mode ended with the call


def test_finite_graphs_pass_anomaly_mode_with_the_same_gradients():
    x = al.Tensor(np.linspace(0.5, 2.0, 4), requires_grad=True)
    with al.detect_anomaly():
        (al.log(x) * al.sqrt(x)).sum().backward()
    expected = 1 / np.sqrt(x.data) + np.log(x.data) / (2 * np.sqrt(x.data))
    np.testing.assert_allclose(x.grad, expected)


def test_strict_shapes_warns_about_rank_one_and_outer_product_broadcasting():
    A = al.Tensor(np.random.default_rng(0).random((1, 5)), requires_grad=True)
    with warnings.catch_warnings(record=True) as caught, al.strict_shapes():
        warnings.simplefilter("always")
        outer = A - np.ones((5, 1))
        A * np.ones(5)
    kinds = {type(w.message) for w in caught}
    assert kinds == {BroadcastWarning, RankOneWarning}
    assert outer.shape == (5, 5)
    assert all(w.filename == __file__ for w in caught)


def test_strict_shapes_is_quiet_for_the_course_bias_broadcast():
    W = al.Tensor(np.ones((3, 2)), requires_grad=True)
    b = al.Tensor(np.zeros((3, 1)), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with al.strict_shapes():
            (W @ np.ones((2, 4)) + b).sum()
