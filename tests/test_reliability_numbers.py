"""Numbers overflow like arrays do, and the constants of ops are checked.

Add, sub and mul on 0-d tensors (numbers, as in J = 3(a + bc)) run on Python floats, which
NumPy's error settings do not see. A result that is not finite goes through NumPy again,
so ``np.errstate``, the ``graph`` command (which refuses overflow) and ``detect_anomaly``
treat an overflow on numbers as they treat one on arrays.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite.cli import main


def _number(value: float, dtype=np.float64) -> al.Tensor:
    return al.Tensor(np.array(value, dtype=dtype), requires_grad=True)


@pytest.mark.parametrize("shape", [(), (1,)])
def test_an_overflow_warns_on_numbers_as_on_arrays(shape):
    a = al.Tensor(np.ones(shape), requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        J = a * 1e308 * 10
    assert J.data.item() == np.inf
    assert [str(w.message) for w in caught] == ["overflow encountered in multiply"]
    assert caught[0].category is RuntimeWarning


@pytest.mark.parametrize("make, error", [
    (lambda a: a * 1e308 * 10, "overflow encountered in multiply"),
    (lambda a: (a * 1e308) + 1e308, "overflow encountered in add"),
    (lambda a: -1e308 - (a * 1e308), "overflow encountered in subtract"),
])
def test_np_errstate_raise_stops_an_overflow_on_numbers(make, error):
    a = _number(1.0)
    with np.errstate(over="raise"), pytest.raises(FloatingPointError, match=error):
        make(a)


def test_np_errstate_raise_stops_inf_minus_inf_on_numbers():
    a = _number(np.inf)
    with np.errstate(invalid="raise"), pytest.raises(FloatingPointError, match="invalid"):
        a - a * 1.0


def test_a_nan_that_comes_in_is_not_an_error_on_numbers_or_arrays():
    for shape in ((), (1,)):
        a = al.Tensor(np.full(shape, np.nan), requires_grad=True)
        with np.errstate(all="raise"):
            assert np.isnan((a * 2.0 + 1.0).data).all()


def test_a_float32_overflow_on_numbers_is_caught():
    a = _number(1e38, np.float32)
    with np.errstate(over="raise"), pytest.raises(FloatingPointError, match="overflow"):
        a * 10.0


def test_finite_numbers_keep_their_bits():
    a, b = _number(0.1), _number(0.2)
    J = 3.0 * (a + b * 7.0) - a
    J.backward()
    assert J.item() == 3.0 * (0.1 + 0.2 * 7.0) - 0.1
    assert a.grad.item() == 2.0 and b.grad.item() == 21.0
    assert type(J.data) is np.ndarray and J.dtype == np.float64


def test_an_overflow_in_the_backward_pass_of_numbers_is_caught():
    # J = (a b) c with a = 1e-300, b = c = 1e300: J = 1e300, dJ/da = b c = 1e600.
    a, b, c = _number(1e-300), _number(1e300), _number(1e300)
    J = (a * b) * c
    with np.errstate(over="raise"), pytest.raises(FloatingPointError, match="overflow"):
        J.backward()
    assert a.grad is None and b.grad is None  # a failed pass changes no .grad
    J = (a * b) * c
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        J.backward()
    assert a.grad.item() == np.inf and b.grad.item() == 1e300 * 1e-300
    assert [str(w.message) for w in caught] == ["overflow encountered in multiply"]


def test_detect_anomaly_stops_an_overflow_on_numbers():
    a = _number(1.0)
    with al.detect_anomaly(), np.errstate(all="ignore"):
        with pytest.raises(al.AnomalyError, match="forward pass: mul produced inf"):
            a * 1e308 * 10
        a, b, c = _number(1e-300), _number(1e300), _number(1e300)
        J = (a * b) * c
        with pytest.raises(al.AnomalyError, match="backward pass: the local gradient of mul"):
            J.backward()


def test_the_graph_command_refuses_an_overflow_on_numbers(capsys):
    assert main(["graph", "a*1e308*10", "a=1"]) == 2
    captured = capsys.readouterr()
    assert "J = inf" not in captured.out
    assert captured.err.strip().splitlines() == [
        "autograd-lite graph: a * 1e+308 * 10: the result is too large for float64 "
        "(overflow) (with a = 1)"
    ]


def test_the_graph_command_refuses_inf_minus_inf_on_numbers(capsys):
    assert main(["graph", "a*1e308*10 - a*1e308*10", "a=1"]) == 2
    assert "overflow" in capsys.readouterr().err


# ------------------------------------------------------------------ constants of the ops

@pytest.mark.parametrize("slope", [np.inf, -np.inf, np.nan])
def test_leaky_relu_refuses_a_slope_that_is_not_finite(slope):
    with pytest.raises(ValueError, match=r"leaky_relu: slope must be a finite number.*got"):
        al.leaky_relu(al.Tensor([-1.0, 2.0]), slope)


def test_leaky_relu_refuses_a_slope_that_is_not_a_number():
    with pytest.raises(TypeError, match="leaky_relu: slope must be a number; got 'steep'"):
        al.leaky_relu(al.Tensor([-1.0, 2.0]), "steep")


def test_leaky_relu_keeps_finite_slopes():
    z = al.Tensor([-2.0, 3.0], requires_grad=True)
    y = al.leaky_relu(z, 0.2)
    y.sum().backward()
    np.testing.assert_array_equal(y.data, [-0.4, 3.0])
    np.testing.assert_array_equal(z.grad, [0.2, 1.0])


def test_clip_refuses_low_above_high():
    with pytest.raises(ValueError, match=r"clip: low must be <= high; got low = 5 > high = 1"):
        al.clip(al.Tensor([1.0, 7.0]), 5, 1)
    with pytest.raises(ValueError, match=r"low 3.0 > high 2.0 at \(1,\)"):
        al.clip(al.Tensor([1.0, 7.0]), np.array([0.0, 3.0]), np.array([1.0, 2.0]))


@pytest.mark.parametrize("low, high, name", [(np.nan, 1.0, "low"), (0.0, np.nan, "high"),
                                             (None, np.nan, "high")])
def test_clip_refuses_nan_bounds(low, high, name):
    with pytest.raises(ValueError, match=f"clip: {name} must be a number, not NaN"):
        al.clip(al.Tensor([1.0, 7.0]), low, high)


def test_clip_keeps_equal_infinite_and_one_sided_bounds():
    x = al.Tensor([1.0, 7.0])
    np.testing.assert_array_equal(al.clip(x, 2.0, 2.0).data, [2.0, 2.0])
    np.testing.assert_array_equal(al.clip(x, -np.inf, 5.0).data, [1.0, 5.0])
    np.testing.assert_array_equal(al.clip(x, None, 5.0).data, [1.0, 5.0])


def test_the_graph_command_refuses_clip_with_low_above_high(capsys):
    assert main(["graph", "clip(a, 5, 1)", "a=3"]) == 2
    err = capsys.readouterr().err
    assert "clip: low must be <= high" in err and "Traceback" not in err
