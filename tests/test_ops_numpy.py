"""The ops of issue "NumPy-native" at their edges, against hand-derived values and NumPy.

tests/op_table.py checks each of them against NumPy's values, two-sided differences and
Hessian-vector products at ordinary inputs; here are the inputs where a plausible
implementation goes wrong: zeros in a product, huge values in logsumexp, sign at 0, a
constant group in std, ddof, NumPy's argument conventions and its errors.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite.engine import gradients
from autograd_lite.expression import evaluate, parse_expression
from autograd_lite.ops.base import numpy_implementations


def grad_of(fn, x, *, weights=None):
    t = al.Tensor(np.asarray(x, dtype=float), requires_grad=True)
    out = fn(t)
    (out if weights is None else out * weights).sum().backward()
    return out, t.grad


def hessian(fn, x):
    """d²(Σ fn(x))/dx² by create_graph=True, one column per unit vector."""
    x = np.asarray(x, dtype=float)
    t = al.Tensor(x, requires_grad=True)
    (g,) = gradients(fn(t).sum(), [t], create_graph=True)
    columns = []
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = 1.0
        g_dot_e = (g * e.reshape(x.shape)).sum()
        columns.append(gradients(g_dot_e, [t], retain_graph=True)[0].ravel()
                       if g_dot_e.requires_grad
                       else np.zeros(x.size))
    return np.stack(columns, axis=1)


# ------------------------------------------------------------------ prod
PRODUCTS = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 4.0]])


def test_prod_with_zeros_has_the_product_of_the_others_as_gradient():
    """dp/dx_i = Π_{j≠i} x_j: one zero leaves it nonzero at the zero, two make it all 0;
    nothing is divided by zero (NumPy's errors raised)."""
    with np.errstate(all="raise"):
        out, grad = grad_of(lambda t: al.prod(t, axis=1), PRODUCTS)
    assert np.array_equal(out.data, [0.0, 0.0, 8.0])
    assert np.array_equal(grad, [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0], [8.0, 4.0, 2.0]])


@pytest.mark.parametrize("row, expected", [
    (0, [[0.0, 3.0, 0.0], [3.0, 0.0, 2.0], [0.0, 2.0, 0.0]]),
    (1, [[0.0, 5.0, 0.0], [5.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
    (2, [[0.0, 4.0, 2.0], [4.0, 0.0, 1.0], [2.0, 1.0, 0.0]]),
])
def test_prod_second_derivatives_at_zeros(row, expected):
    """d²p/dx_i dx_j = Π_{k≠i,j} x_k (0 on the diagonal): create_graph=True is exact at
    zeros too (the two-zero group's cross term is 5, though its gradient is 0)."""
    with np.errstate(all="raise"):
        assert np.array_equal(hessian(al.prod, PRODUCTS[row]), expected)


def test_prod_of_an_empty_group_is_one_and_a_tuple_axis_reduces_both():
    out, grad = grad_of(lambda t: t.prod(axis=0), np.zeros((0, 3)))
    assert np.array_equal(out.data, [1.0, 1.0, 1.0]) and grad.shape == (0, 3)
    x = np.arange(1.0, 25.0).reshape(2, 3, 4)
    out, grad = grad_of(lambda t: al.prod(t, axis=(0, -1), keepdims=True), x)
    assert out.shape == (1, 3, 1)
    np.testing.assert_allclose(out.data, np.prod(x, axis=(0, 2), keepdims=True))
    np.testing.assert_allclose(grad, np.prod(x, axis=(0, 2), keepdims=True) / x)


# ------------------------------------------------------------------ logsumexp
@pytest.mark.parametrize("shift", [1000.0, -1000.0, 0.0])
def test_logsumexp_does_not_overflow_and_its_gradient_is_softmax(shift):
    """log(e^s + 3e^s) = s + log 4, and the gradient is (1/4, 3/4), for any s."""
    x = np.array([shift, shift + np.log(3.0)])
    with np.errstate(over="raise", under="ignore"):
        out, grad = grad_of(al.logsumexp, x)
    np.testing.assert_allclose(out.item(), shift + np.log(4.0), rtol=1e-15)
    # x[1] itself is rounded to ~1e-13 at 1000: e^(x - s) is as close as that
    np.testing.assert_allclose(grad, [0.25, 0.75], rtol=1e-12)


def test_logsumexp_matches_scipy_with_infinities_and_empty_groups():
    special = pytest.importorskip("scipy.special")
    x = np.array([[-np.inf, 0.0, 1.0], [-np.inf, -np.inf, -np.inf], [2.0, np.inf, 0.0]])
    for axis in (None, 0, 1, -1, (0, 1)):
        for keepdims in (False, True):
            got = al.logsumexp(x, axis, keepdims=keepdims).data
            with np.errstate(all="ignore"):
                expected = special.logsumexp(x, axis=axis, keepdims=keepdims)
            np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(al.logsumexp(np.zeros((0, 2)), axis=0).data, [-np.inf] * 2)
    # an entry of -inf gets no gradient; the others share softmax
    _, grad = grad_of(al.logsumexp, x[0])
    np.testing.assert_allclose(grad, [0.0, 1 / (1 + np.e), np.e / (1 + np.e)])


# ------------------------------------------------------------------ var, std
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's, where ddof ≥ N
def test_var_and_std_follow_numpys_ddof_and_keepdims():
    x = np.array([[1.0, 2.0, 4.0, 8.0], [3.0, -1.0, 0.5, 2.0]])
    for ddof in (0, 1, 2, 0.5, np.int64(1)):
        for axis in (None, 0, 1, -1, (0, 1)):
            for keepdims in (False, True):
                for ours, numpys in ((al.var, np.var), (al.std, np.std)):
                    got = ours(x, axis, ddof=ddof, keepdims=keepdims)
                    assert got.shape == numpys(x, axis=axis, ddof=ddof, keepdims=keepdims).shape
                    np.testing.assert_allclose(
                        got.data, numpys(x, axis=axis, ddof=ddof, keepdims=keepdims),
                        rtol=1e-14)


def test_var_gradient_is_2_x_minus_mean_over_n_minus_ddof():
    x = np.array([1.0, 2.0, 6.0])  # mean 3
    _, grad = grad_of(lambda t: al.var(t, ddof=1), x)
    np.testing.assert_allclose(grad, 2 * (x - 3.0) / 2)
    _, grad = grad_of(lambda t: t.std(), x)  # σ = √(14/3); dσ/dx = (x - μ)/(N σ)
    np.testing.assert_allclose(grad, (x - 3.0) / (3 * np.sqrt(14 / 3)))


def test_std_of_a_constant_group_has_gradient_zero_not_nan():
    """σ has a kink where all values are equal: its derivative is taken as 0 there, as
    PyTorch's (√ of var would give 0 · ∞ = NaN and spread it through the network)."""
    x = np.array([[0.5, 0.5, 0.5], [1.0, 2.0, 4.0]])
    out, grad = grad_of(lambda t: al.std(t, axis=1), x)
    assert out.data[0] == 0.0
    assert np.array_equal(grad[0], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(grad[1], (x[1] - 7 / 3) / (3 * out.data[1]))
    # the same under create_graph, and its derivative exists (0 there too)
    t = al.Tensor(x, requires_grad=True)
    (g,) = gradients(al.std(t, axis=1).sum(), [t], create_graph=True)
    np.testing.assert_allclose(g.data, grad)
    (h,) = gradients((g * g).sum(), [t])
    assert np.all(np.isfinite(h)) and np.array_equal(h[0], [0.0, 0.0, 0.0])


def test_var_with_too_few_values_is_inf_or_nan_as_numpys():
    x = np.array([1.0, 2.0])
    with pytest.warns(RuntimeWarning):
        expected = np.var(x, ddof=2)
    with pytest.warns(RuntimeWarning):
        got = al.var(x, ddof=2)
    assert np.array_equal(got.data, expected, equal_nan=True)


def test_ddof_and_keepdims_are_keyword_only_and_ddof_is_a_number():
    """NumPy's positional order is (a, axis, dtype, out, ddof, keepdims): a positional
    third argument is refused rather than read as something else."""
    x = al.Tensor(np.ones((2, 3)))
    for fn in (al.var, al.std, al.prod, al.logsumexp):
        with pytest.raises(TypeError):
            fn(x, 0, True)
    with pytest.raises(TypeError, match="var: ddof must be a number"):
        al.var(x, ddof="1")


# ------------------------------------------------------------------ elementwise
def test_sign_is_numpys_with_zero_gradient_even_at_zero():
    x = np.array([0.0, -0.0, -2.0, 3.0, np.inf])
    out, grad = grad_of(al.sign, x, weights=np.array([1.0, 2.0, np.inf, np.nan, 1.0]))
    assert np.array_equal(out.data, np.sign(x))
    assert np.array_equal(grad, np.zeros(5))  # no NaN from an inf or NaN upstream


def test_expm1_derivative_is_e_to_the_x_even_where_expm1_is_minus_one():
    """d(e^x - 1)/dx = e^x: at x = -50, expm1 rounds to -1, yet e^-50 ≈ 1.9e-22."""
    x = np.array([-50.0, 1e-12, 2.0])
    out, grad = grad_of(al.expm1, x)
    assert out.data[0] == -1.0
    np.testing.assert_allclose(grad, np.exp(x), rtol=1e-15)


def test_sin_and_cos_second_derivatives():
    x = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(hessian(al.sin, x), np.diag(-np.sin(x)), atol=1e-15)
    np.testing.assert_allclose(hessian(al.cos, x), np.diag(-np.cos(x)), atol=1e-15)


def test_the_graph_command_accepts_sin_cos_expm1_and_sign():
    parsed = parse_expression("J = sin(a) * cos(b) + expm1(a) + sign(b)")
    J, tensors = evaluate(parsed, {"a": 0.5, "b": -2.0})
    J.backward()
    a, b = tensors["a"], tensors["b"]
    assert J.item() == pytest.approx(np.sin(0.5) * np.cos(-2.0) + np.expm1(0.5) - 1.0)
    assert a.grad == pytest.approx(np.cos(0.5) * np.cos(-2.0) + np.exp(0.5))
    assert b.grad == pytest.approx(-np.sin(0.5) * np.sin(-2.0))


# ------------------------------------------------------------------ shapes
def test_squeeze_expand_dims_flatten_ravel_give_numpys_shapes_and_move_gradients_back():
    x = np.arange(12.0).reshape(3, 1, 4, 1)
    cases = [
        (lambda t: al.squeeze(t), np.squeeze(x)),
        (lambda t: t.squeeze(-1), np.squeeze(x, -1)),
        (lambda t: al.squeeze(t, (1, 3)), np.squeeze(x, (1, 3))),
        (lambda t: al.expand_dims(t, 0), np.expand_dims(x, 0)),
        (lambda t: al.expand_dims(t, (-1, 1)), np.expand_dims(x, (-1, 1))),
        (lambda t: t.flatten("F"), x.flatten("F")),
        (lambda t: al.ravel(t), np.ravel(x)),
    ]
    for fn, expected in cases:
        weights = np.arange(expected.size, dtype=float).reshape(expected.shape)
        out, grad = grad_of(fn, x, weights=weights)
        assert out.shape == expected.shape and np.array_equal(out.data, expected)
        # each value's gradient is the weight at the place it went to
        where_to = fn(al.Tensor(np.arange(12.0).reshape(x.shape))).data
        expected_grad = np.zeros(12)
        expected_grad[where_to.ravel().astype(int)] = weights.ravel()
        assert np.array_equal(grad, expected_grad.reshape(x.shape))


@pytest.mark.parametrize("order", ["C", "F", "A", "K"])
def test_ravel_orders_of_a_transposed_view_are_numpys(order):
    x = np.arange(6.0).reshape(2, 3)
    t = al.Tensor(x).T  # a view whose memory order is x's
    assert np.array_equal(al.ravel(t, order).data, np.ravel(x.T, order))
    assert np.array_equal(t.flatten(order).data, x.T.flatten(order))


@pytest.mark.parametrize("call, message", [
    (lambda t: al.squeeze(t, 1), r"squeeze: axis 1 of shape \(1, 3\) has length 3"),
    (lambda t: al.squeeze(t, 2), r"squeeze: axis 2 is out of range .*shape \(1, 3\)"),
    (lambda t: al.squeeze(t, (0, -2)), r"squeeze: axis \(0, -2\) repeats an axis"),
    (lambda t: al.expand_dims(t, 3), r"expand_dims: axis 3 is out of range .*shape \(1, 3\)"),
    (lambda t: al.expand_dims(t, (1, 1)), r"expand_dims: axis \(1, 1\) repeats"),
    (lambda t: al.expand_dims(t, None), r"expand_dims: axis must be an int or a tuple"),
    (lambda t: al.prod(t, axis=2), r"prod: axis 2 is out of range .*shape \(1, 3\)"),
    (lambda t: al.var(t, axis=(1, -1)), r"var: axis \(1, -1\) repeats"),
    (lambda t: al.logsumexp(t, axis=-3), r"logsumexp: axis -3 is out of range"),
    (lambda t: al.argmax(t, axis=2), r"argmax: .*\(shape \(1, 3\), axis 2\)"),
    (lambda t: al.argmin(t[:, :0]), r"argmin: .*empty.*\(shape \(1, 0\)"),
])
def test_errors_name_the_op_and_the_shape(call, message):
    with pytest.raises(al.ShapeError, match=message):
        call(al.Tensor(np.ones((1, 3))))


def test_ravel_refuses_an_unknown_order():
    with pytest.raises(ValueError, match="flatten: order must be"):
        al.Tensor(np.ones(3)).flatten("X")


# ------------------------------------------------------------------ names
def test_numpy_functions_and_ufuncs_are_registered_for_dispatch():
    registered = numpy_implementations()
    expected = {
        np.sin: al.sin, np.cos: al.cos, np.expm1: al.expm1, np.sign: al.sign,
        np.prod: al.prod, np.var: al.var, np.std: al.std, np.argmax: al.argmax,
        np.argmin: al.argmin, np.squeeze: al.squeeze, np.expand_dims: al.expand_dims,
        np.ravel: al.ravel,
    }
    for numpy_function, ours in expected.items():
        assert registered.get(numpy_function) is ours, numpy_function


def test_the_spec_names_are_top_level():
    names = ("min var std logsumexp log1p expm1 sin cos prod square sign squeeze expand_dims "
             "flatten ravel argmax argmin").split()
    for name in names:
        assert name in al.__all__ and callable(getattr(al, name))
    for method in "min prod var std argmax argmin squeeze flatten ravel".split():
        assert callable(getattr(al.Tensor, method))
