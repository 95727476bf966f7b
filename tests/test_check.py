"""gradcheck and compare: they pass correct gradients and catch wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import nn, reference
from autograd_lite.check import compare_model, model_gradients
from autograd_lite.ops import Primitive, apply


class WrongSquare(Primitive):
    """z = x²  with a deliberately wrong derivative x (the right one is 2x)."""

    name = "wrong_square"

    @staticmethod
    def forward(x):
        return x * x, None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return (g * inputs[0],)


def shallow_cost(X, Y):
    def cost(W1, b1, W2, b2):
        A1 = al.tanh(W1 @ X + b1)
        return nn.binary_cross_entropy(al.sigmoid(W2 @ A1 + b2), Y)
    return cost


@pytest.fixture
def shallow():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 15))
    Y = (rng.random((1, 15)) < 0.5).astype(float)
    params = reference.initialize_shallow(2, 4, seed=3, scale=1.0)
    params["b1"] = rng.standard_normal((4, 1))
    return X, Y, params


# --------------------------------------------------------------------------- gradcheck


def test_gradcheck_passes_a_correct_network(shallow):
    X, Y, p = shallow
    report = al.gradcheck(shallow_cost(X, Y), p["W1"], p["b1"], p["W2"], p["b2"],
                          names=["W1", "b1", "W2", "b2"])
    assert report
    assert report.passed
    assert [c.name for c in report.inputs] == ["W1", "b1", "W2", "b2"]
    for c in report.inputs:
        assert c.relative_difference < 1e-7
        assert c.gradient.shape == p[c.name].shape
    text = str(report)
    assert "PASSED" in text and "relative difference" in text and "W2" in text
    assert len(text.splitlines()) < 12  # a table, not a dump of Jacobians


def test_gradcheck_fails_a_wrong_derivative_and_points_at_it():
    x = np.array([[1.0, -2.0, 3.0]])
    y = np.array([[0.5, 0.5, 0.5]])

    def f(x, y):
        return apply(WrongSquare, (x,)).sum() + (y * y).sum()

    report = al.gradcheck(f, x, y, names=["x", "y"])
    assert not report
    x_check, y_check = report.inputs
    assert not x_check.passed and y_check.passed
    assert x_check.relative_difference == pytest.approx(1 / 3, rel=1e-6)  # ‖x - 2x‖/(‖x‖+‖2x‖)
    assert x_check.worst_index == (0, 2)  # |3 - 6| is the largest difference
    assert x_check.autodiff == pytest.approx(3.0)
    assert x_check.numerical == pytest.approx(6.0, rel=1e-6)
    text = str(report)
    assert "FAILED" in text and "FAIL" in text and "(0, 2)" in text


def test_gradcheck_catches_a_small_error_too():
    """A gradient off by 1e-4 relatively is far above the 1e-7 threshold."""
    x = np.linspace(0.5, 2, 6).reshape(2, 3)

    class SlightlyWrongExp(Primitive):
        name = "slightly_wrong_exp"

        @staticmethod
        def forward(x):
            return np.exp(x), None

        @staticmethod
        def backward(g, saved, inputs, out, needs):
            return (g * out * (1 + 1e-4),)

    assert al.gradcheck(lambda t: al.exp(t).sum(), x)
    assert not al.gradcheck(lambda t: apply(SlightlyWrongExp, (t,)).sum(), x)


def scaled_derivative(factor):
    """z = 3x, whose VJP returns ``factor`` times the right derivative 3.

    J = Σ z is linear, so the two-sided difference is 3 up to rounding (about 1e-9
    relatively at ε = 1e-7), and the relative difference is known by hand:
    ‖3f − 3‖ / (‖3f‖ + ‖3‖) = |f − 1| / (|f| + 1) on every element.
    """

    class ScaledDerivative(Primitive):
        name = "scaled_derivative"

        @staticmethod
        def forward(x):
            return 3.0 * x, None

        @staticmethod
        def backward(g, saved, inputs, out, needs):
            return (g * (3.0 * factor),)

    return lambda t: apply(ScaledDerivative, (t,)).sum()


X_LINEAR = np.array([[0.5, -1.25, 2.0], [1.5, 0.75, -3.0]])


def test_gradcheck_fails_a_derivative_of_the_wrong_sign_with_relative_difference_1():
    """g = -g_num: ‖g − g_num‖ / (‖g‖ + ‖g_num‖) = 2‖g‖ / 2‖g‖ = 1, the largest there is.
    (The difference of the norms, |‖g‖ − ‖g_num‖|, would be 0 and pass.)"""
    report = al.gradcheck(scaled_derivative(-1.0), X_LINEAR)
    assert not report and not report.inputs[0].passed
    assert report.inputs[0].relative_difference == pytest.approx(1.0, abs=1e-12)
    assert report.relative_difference == pytest.approx(1.0, abs=1e-12)
    assert report.inputs[0].max_abs_difference == pytest.approx(6.0, rel=1e-6)
    np.testing.assert_allclose(report.inputs[0].gradient, np.full((2, 3), -3.0), rtol=0)
    np.testing.assert_allclose(report.inputs[0].numerical_gradient, np.full((2, 3), 3.0),
                               rtol=1e-8)


def test_gradcheck_compares_the_vectors_not_their_lengths():
    """A gradient with its elements swapped has the right norm: ‖g‖ = ‖g_num‖. z = c ⊙ x
    with c = (1, 2) and a VJP that returns (2, 1): ‖(1, −1)‖ / (2√5) = √2 / (2√5)."""

    class SwappedDerivative(Primitive):
        name = "swapped_derivative"

        @staticmethod
        def forward(x):
            return x * np.array([1.0, 2.0]), None

        @staticmethod
        def backward(g, saved, inputs, out, needs):
            return (g * np.array([2.0, 1.0]),)

    report = al.gradcheck(lambda t: apply(SwappedDerivative, (t,)).sum(), np.array([0.5, -1.5]))
    assert not report
    assert report.inputs[0].relative_difference == pytest.approx(
        np.sqrt(2) / (2 * np.sqrt(5)), rel=1e-8)


def test_gradcheck_passes_below_its_default_threshold_1e_minus_7_and_fails_above():
    """A derivative wrong by a relative 5e-7 has relative difference 5e-7 / (2 + 5e-7),
    about 2.5e-7: it fails at the default tol = 1e-7 and passes with tol=1e-6."""
    report = al.gradcheck(scaled_derivative(1 + 5e-7), X_LINEAR)
    assert report.tol == 1e-7
    rel = report.inputs[0].relative_difference
    assert rel == pytest.approx(5e-7 / (2 + 5e-7), rel=1e-2)
    assert not report and not report.inputs[0].within_rounding
    assert al.gradcheck(scaled_derivative(1 + 5e-7), X_LINEAR, tol=1e-6)
    # The default threshold is 1e-7 itself, not something near it: a relative difference of
    # 1.1e-7 fails and one of 0.9e-7 passes (the difference quotient is good to ~1e-9).
    assert not al.gradcheck(scaled_derivative(1 + 2.2e-7), X_LINEAR)
    assert al.gradcheck(scaled_derivative(1 + 1.8e-7), X_LINEAR)
    # And tol= moves it: 2.5e-7 passes below 3e-7, fails below 2e-7.
    assert al.gradcheck(scaled_derivative(1 + 5e-7), X_LINEAR, tol=3e-7)
    assert not al.gradcheck(scaled_derivative(1 + 5e-7), X_LINEAR, tol=2e-7)


def test_gradcheck_of_a_non_scalar_output_checks_a_random_projection():
    x = np.array([[0.3, -0.7], [1.1, 0.2]])
    report = al.gradcheck(lambda t: al.tanh(t) * 2, x)
    assert report and "random v" in str(report)
    assert not al.gradcheck(lambda t: apply(WrongSquare, (t,)), x)


def test_gradcheck_argnums_leaves_the_others_alone(shallow):
    X, Y, p = shallow

    def cost(W1, X, Y):
        return nn.binary_cross_entropy(al.sigmoid(W1 @ X), Y)

    w = p["W2"][:, :2]  # (1, 2)
    report = al.gradcheck(cost, w, X, Y, argnums=[0])
    assert report and len(report.inputs) == 1 and report.inputs[0].shape == (1, 2)


def test_gradcheck_rounding_rule_passes_a_tiny_gradient_only_at_rounding_level():
    x = np.array([1.0, 2.0])
    # d/dx of 1e-12 * x is tiny: both ways the differences are pure rounding noise
    tiny = al.gradcheck(lambda t: (t * 1e-12).sum() + 1.0, x)
    assert tiny and tiny.inputs[0].within_rounding
    strict = al.gradcheck(lambda t: (t * 1e-12).sum() + 1.0, x, atol=0)
    assert not strict  # the course's bare rule cannot judge a gradient this small


def test_gradcheck_errors_are_clear():
    with pytest.raises(ValueError, match="give the inputs"):
        al.gradcheck(lambda t: t)
    with pytest.raises(TypeError, match="plain number"):
        al.gradcheck(lambda t: 3.0, np.ones(2))
    with pytest.raises(ValueError, match="eps"):
        al.gradcheck(lambda t: t.sum(), np.ones(2), eps=0)


# --------------------------------------------------------------------------- compare


def test_compare_passes_equal_and_fails_different_gradients():
    ref = {"dW1": np.ones((2, 3)), "db1": np.full((2, 1), 0.5)}
    same = {"W1": np.ones((2, 3)) * (1 + 1e-12), "b1": np.full((2, 1), 0.5)}
    report = al.compare(same, ref)
    assert report and [r.name for r in report.rows] == ["dW1", "db1"]
    assert report["dW1"].max_abs_difference == pytest.approx(1e-12, rel=1e-3)
    wrong = {"dW1": np.ones((2, 3)) / 2, "db1": np.full((2, 1), 0.5)}
    bad = al.compare(wrong, ref)
    assert not bad and not bad["dW1"].passed and bad["db1"].passed
    assert bad["dW1"].relative_difference == pytest.approx(1 / 3)
    text = str(bad)
    for column in ("parameter", "shape", "max |autodiff - reference|", "relative difference",
                   "FAIL", "pass", "(2, 3)"):
        assert column in text


def test_compare_fails_missing_and_misshapen_gradients():
    ref = {"dW1": np.ones((2, 3)), "db1": np.ones((2, 1))}
    report = al.compare({"dW1": np.ones((3, 2))}, ref)
    assert not report
    assert "shape" in report["dW1"].problem
    assert "missing from the autodiff" in report["db1"].problem
    extra = al.compare({"dW1": np.ones((2, 3)), "db1": np.ones((2, 1)), "dW2": 1.0}, ref)
    assert not extra and "missing from the reference" in extra["dW2"].problem
    # a scalar db compares with a (1, 1) one by value
    assert al.compare({"db": np.array([[0.25]])}, {"db": 0.25})


def test_compare_model_for_the_three_course_models():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3, 12))
    Y = (rng.random((1, 12)) < 0.5).astype(float)
    for dims, hidden, expected in (([3, 1], "relu", "logistic_regression"),
                                   ([3, 4, 1], "tanh", "shallow_network"),
                                   ([3, 5, 4, 1], "relu", "deep_network")):
        model = nn.MLP(dims, hidden=hidden, seed=0)
        report = compare_model(model, X, Y)
        assert report, str(report)
        assert expected in report.title
        auto_cost, ref_cost = report.costs
        assert auto_cost == pytest.approx(ref_cost, rel=1e-13)


def test_compare_model_catches_a_wrong_hidden_derivative():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((3, 12))
    Y = (rng.random((1, 12)) < 0.5).astype(float)
    model = nn.MLP([3, 4, 1], hidden="tanh", init="xavier", seed=0)
    # the reference told the wrong activation: sigmoid's g'(Z) instead of tanh's
    report = compare_model(
        model, X, Y,
        reference=lambda p, X, Y: reference.shallow_network(p, X, Y, activation="sigmoid"),
    )
    assert not report
    assert report["dW2"].passed is False and report["dW1"].passed is False


def test_compare_model_refuses_models_without_a_course_reference():
    with pytest.raises(ValueError, match="one sigmoid unit"):
        compare_model(nn.MLP([3, 4, 2]), np.zeros((3, 2)), np.zeros((1, 2)))


def test_model_gradients_leaves_the_parameters_grad_alone():
    model = nn.MLP([2, 3, 1], seed=0)
    X = np.ones((2, 4))
    Y = np.array([[0.0, 1.0, 1.0, 0.0]])
    nn.binary_cross_entropy(model(X), Y).backward()
    before = [p.grad.copy() for p in model.parameters()]
    with al.no_grad():
        cost, grads = model_gradients(model, X, Y)
    assert list(grads) == ["dW1", "db1", "dW2", "db2"]
    for p, g in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.grad, g)
    np.testing.assert_allclose(grads["dW1"], before[0])
