"""NumPy-native: the course's NumPy code run on Tensors is differentiated as written.

- The notes' code blocks, pasted as written, give the hand-derived gradients.
- Every NumPy function an op declares (``@implements``) returns a Tensor with the right
  gradient, for each of its calls in tests/numpy_table.py (NumPy's own values and
  two-sided differences of NumPy's own call are the oracle).
- Queries give NumPy's plain results; unsupported NumPy functions raise a TypeError that
  names them instead of dropping a gradient.
- An ndarray's operators (X * t) and lists of Tensors are differentiable.
"""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import numpy_dispatch
from autograd_lite.ops.base import numpy_implementations
from tests.numerical import numerical_gradient, relative_difference
from tests.numpy_table import NUMPY_CALLS, NumpyCall, numpy_name

TOLERANCE = 1e-7


def sigmoid(z):
    """The notes' sigmoid, written with np.exp as they write it."""
    s = 1 / (1 + np.exp(-z))
    return s


def _params(rng, *shapes):
    return [al.Tensor(rng.standard_normal(s) * 0.5, requires_grad=True) for s in shapes]


# ============================================================ the notes, verbatim

def test_vectorized_logistic_regression_as_in_the_notes():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((4, 7))
    Y = (rng.random((1, 7)) > 0.5).astype(float)
    w, b = _params(rng, (4, 1), ())

    # --- the notes' propagate(w, b, X, Y), forward pass as written
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    # ---
    cost.backward()

    assert isinstance(A, al.Tensor) and isinstance(cost, al.Tensor)
    a = 1 / (1 + np.exp(-(w.data.T @ X + b.data)))  # the forward again, on the values
    expected_cost = -np.mean(Y * np.log(a) + (1 - Y) * np.log(1 - a))
    np.testing.assert_allclose(cost.item(), expected_cost, rtol=1e-13)
    # the notes' hand-derived gradients: dw = X (A - Y)ᵀ / m, db = Σ (A - Y) / m
    np.testing.assert_allclose(w.grad, X @ (a - Y).T / m, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(b.grad, np.sum(a - Y) / m, rtol=1e-12, atol=1e-15)


def test_shallow_network_with_tanh_and_dot_as_in_the_notes():
    rng = np.random.default_rng(2)
    n_x, n_h, m = 3, 4, 6
    X = rng.standard_normal((n_x, m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    W1, b1, W2, b2 = _params(rng, (n_h, n_x), (n_h, 1), (1, n_h), (1, 1))

    # --- the notes' forward_propagation and compute_cost, as written
    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
    cost = - np.sum(logprobs) / m
    # ---
    cost.backward()

    # the notes' backward_propagation, on the values
    a1 = np.tanh(W1.data @ X + b1.data)
    a2 = 1 / (1 + np.exp(-(W2.data @ a1 + b2.data)))
    dZ2 = a2 - Y
    dW2 = 1 / m * np.dot(dZ2, a1.T)
    db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.data.T, dZ2) * (1 - np.power(a1, 2))
    dW1 = 1 / m * np.dot(dZ1, X.T)
    db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
    for param, expected in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2)):
        assert param.grad.shape == param.shape
        np.testing.assert_allclose(param.grad, expected, rtol=1e-11, atol=1e-15)


def test_relu_layer_with_maximum_and_keepdims_sum_as_in_the_notes():
    rng = np.random.default_rng(3)
    n_prev, n, m = 3, 5, 8
    A_prev, W, b = _params(rng, (n_prev, m), (n, n_prev), (n, 1))
    dA = rng.standard_normal((n, m))  # the gradient arriving from the next layer

    # --- the notes' linear_activation_forward with relu, as written
    Z = np.dot(W, A_prev) + b
    A = np.maximum(0, Z)
    # --- a cost whose dJ/dA is dA, summed per unit as the notes sum db
    J = np.sum(np.sum(A * dA, axis=1, keepdims=True))
    J.backward()

    z = W.data @ A_prev.data + b.data
    assert np.min(np.abs(z)) > 1e-3  # away from relu's kink
    # the notes' relu_backward and linear_backward (here without the 1/m of the cost)
    dZ = np.array(dA, copy=True)
    dZ[z <= 0] = 0
    dW = np.dot(dZ, A_prev.data.T)
    db = np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.data.T, dZ)
    for param, expected in ((W, dW), (b, db), (A_prev, dA_prev)):
        np.testing.assert_allclose(param.grad, expected, rtol=1e-12, atol=1e-15)


def test_the_readme_example_prints_what_it_says(capsys):
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Write it as in the notes"):]
    code = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)[0]
    assert "A = sigmoid(np.dot(w.T, X) + b)" in code and "cost.backward()" in code
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out.split() == ["True", "True"]


# ============================================================ every registered function

def _calls_of(function) -> list[NumpyCall]:
    return [c for c in NUMPY_CALLS if c.function is function]


REGISTERED = sorted(numpy_implementations(), key=numpy_name)


def _draw(call: NumpyCall):
    rng = np.random.default_rng(zlib.crc32(call.name.encode()))
    return [np.asarray(a, dtype=np.float64) for a in call.make(rng)], rng


@pytest.mark.parametrize("function", REGISTERED, ids=numpy_name)
def test_every_numpy_function_of_autograd_lite_records_the_graph_with_the_right_gradient(
        function):
    calls = _calls_of(function)
    assert calls, (
        f"{numpy_name(function)} is declared with @implements but has no NumpyCall in "
        "tests/numpy_table.py: add one (see that module's docstring)"
    )
    for call in calls:
        arrays, rng = _draw(call)
        expected = call.call(function, *arrays)  # NumPy's own, on ndarrays
        tensors = [al.Tensor(a.copy(), requires_grad=True) for a in arrays]
        out = call.call(function, *tensors)
        if not call.differentiable:
            assert not isinstance(out, al.Tensor), call.name
            np.testing.assert_array_equal(out, expected)
            continue
        assert isinstance(out, al.Tensor), f"{call.name} returned {type(out).__name__}"
        assert out.requires_grad and not out.is_leaf, f"{call.name}: no graph recorded"
        assert out.shape == np.shape(expected), call.name
        np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-15,
                                   err_msg=call.name)
        weights = rng.standard_normal(out.shape)
        (out * weights).sum().backward()
        for i, (t, a) in enumerate(zip(tensors, arrays)):
            g_num = numerical_gradient(
                lambda *xs, call=call, w=weights: np.sum(call.call(function, *xs) * w),
                arrays, i)
            assert t.grad is not None and t.grad.shape == a.shape, f"{call.name} input {i}"
            difference = relative_difference(t.grad, g_num)
            assert difference < TOLERANCE, f"{call.name} input {i}: {difference:.2e}"


def test_every_numpy_call_of_the_table_is_registered():
    """A row for a NumPy function no op declares would test NumPy, not autograd-lite."""
    registered = numpy_implementations()
    stray = {numpy_name(c.function) for c in NUMPY_CALLS if c.function not in registered}
    assert not stray, f"no op declares @implements for: {sorted(stray)}"


def test_the_course_functions_are_registered():
    """The NumPy functions the issue names, at least (the table grows with new ops)."""
    needed = {np.dot, np.matmul, np.sum, np.mean, np.max, np.min, np.where, np.concatenate,
              np.stack, np.reshape, np.transpose, np.clip, np.maximum, np.power, np.square,
              np.abs, np.sqrt, np.exp, np.log, np.tanh, np.add, np.subtract, np.multiply,
              np.divide, np.true_divide, np.negative}
    missing = sorted(numpy_name(f) for f in needed if f not in numpy_implementations())
    assert not missing


# ============================================================ queries

T34 = np.array([[0.5, -1.0, 2.0, 0.0], [1.5, 2.0, -0.5, 3.0], [0.0, 1.0, 1.0, -2.0]])

def _written(write, text=False):
    """What a writer puts in a file, read back: the values (a zip's bytes hold its time)."""
    buffer = io.StringIO() if text else io.BytesIO()
    write(buffer)
    if text:
        return buffer.getvalue()
    buffer.seek(0)
    loaded = np.load(buffer)
    return dict(loaded) if isinstance(loaded, np.lib.npyio.NpzFile) else loaded


#: One example per query of numpy_dispatch.QUERIES: f(t) computed on the values.
QUERY_CALLS = {
    np.shape: lambda f, t: f(t), np.ndim: lambda f, t: f(t), np.size: lambda f, t: f(t),
    np.zeros_like: lambda f, t: f(t), np.ones_like: lambda f, t: f(t),
    np.empty_like: lambda f, t: f(t).shape, np.full_like: lambda f, t: f(t, 7.0),
    np.argmax: lambda f, t: f(t, axis=1), np.argmin: lambda f, t: f(t),
    np.argsort: lambda f, t: f(t, axis=0, kind="stable"), np.argwhere: lambda f, t: f(t),
    np.nonzero: lambda f, t: f(t), np.flatnonzero: lambda f, t: f(t),
    np.count_nonzero: lambda f, t: f(t, axis=0),
    np.searchsorted: lambda f, t: f(np.sort(T34.ravel()), t),
    np.allclose: lambda f, t: f(t, T34), np.isclose: lambda f, t: f(t, 0.5),
    np.array_equal: lambda f, t: f(t, T34), np.array_equiv: lambda f, t: f(t, T34[0]),
    np.all: lambda f, t: f(t, axis=0), np.any: lambda f, t: f(t),
    np.isposinf: lambda f, t: f(t), np.isneginf: lambda f, t: f(t),
    np.isreal: lambda f, t: f(t), np.iscomplex: lambda f, t: f(t),
    np.isrealobj: lambda f, t: f(t), np.iscomplexobj: lambda f, t: f(t),
    np.isfinite: lambda f, t: f(t), np.isnan: lambda f, t: f(t), np.isinf: lambda f, t: f(t),
    np.signbit: lambda f, t: f(t),
    np.greater: lambda f, t: f(T34.T[:1].T, t), np.greater_equal: lambda f, t: f(t, 0.5),
    np.less: lambda f, t: f(t, 1.0), np.less_equal: lambda f, t: f(0.0, t),
    np.equal: lambda f, t: f(t, T34), np.not_equal: lambda f, t: f(t, 0.0),
    np.logical_and: lambda f, t: f(t, t > 0), np.logical_or: lambda f, t: f(t, 0.0),
    np.logical_xor: lambda f, t: f(t, 1.0), np.logical_not: lambda f, t: f(t),
    np.result_type: lambda f, t: f(t, np.float32), np.min_scalar_type: lambda f, t: f(t),
    np.can_cast: lambda f, t: f(t, np.float32), np.shares_memory: lambda f, t: f(t, T34),
    np.may_share_memory: lambda f, t: f(t, t), np.array2string: lambda f, t: f(t),
    np.array_repr: lambda f, t: f(t), np.array_str: lambda f, t: f(t),
    np.save: lambda f, t: _written(lambda buffer: f(buffer, t)),
    np.savez: lambda f, t: _written(lambda buffer: f(buffer, W=t)),
    np.savez_compressed: lambda f, t: _written(lambda buffer: f(buffer, t)),
    np.savetxt: lambda f, t: _written(lambda buffer: f(buffer, t), text=True),
}


def test_every_query_has_an_example():
    missing = {numpy_name(f) for f in numpy_dispatch.QUERIES} - {
        numpy_name(f) for f in QUERY_CALLS}
    assert not missing, f"add an example to QUERY_CALLS for {sorted(missing)}"


@pytest.mark.parametrize("query", list(QUERY_CALLS), ids=numpy_name)
def test_queries_give_numpy_results_on_the_values(query):
    t = al.Tensor(T34, requires_grad=True)
    result = QUERY_CALLS[query](query, t)
    expected = QUERY_CALLS[query](query, T34)
    for got in result if isinstance(result, tuple) else (result,):
        assert not isinstance(got, al.Tensor)
    np.testing.assert_equal(result, expected)
    assert t.grad is None and t.is_leaf


def test_comparisons_with_an_ndarray_on_the_left_give_boolean_arrays():
    t = al.Tensor(T34, requires_grad=True)
    X = np.zeros((3, 4))
    for got, expected in ((X < t, 0 < T34), (X >= t, 0 >= T34), (X == t, T34 == 0),
                          (X != t, T34 != 0)):
        assert type(got) is np.ndarray and got.dtype == bool
        np.testing.assert_array_equal(got, expected)


def test_where_with_one_argument_gives_the_indices():
    t = al.Tensor(T34, requires_grad=True)
    np.testing.assert_equal(np.where(t), np.where(T34))
    np.testing.assert_equal(np.where(t > 1), np.where(T34 > 1))


def test_asarray_still_gives_the_data():
    t = al.Tensor(T34, requires_grad=True)
    assert np.asarray(t) is t.data
    assert np.array(t) is not t.data and np.array_equal(np.array(t), T34)


# ============================================================ unsupported functions

def _added_at(values):
    buffer = np.zeros(4)
    np.add.at(buffer, [0, 1, 1], values)
    return buffer


#: NumPy functions autograd-lite does not differentiate (none of them may be registered).
UNSUPPORTED = {
    "np.linalg.inv": lambda t: np.linalg.inv(t),
    "np.linalg.det": lambda t: np.linalg.det(t),
    "np.linalg.norm": lambda t: np.linalg.norm(t),
    "np.fft.fft": lambda t: np.fft.fft(t),
    "np.sort": lambda t: np.sort(t),
    "np.median": lambda t: np.median(t),
    "np.percentile": lambda t: np.percentile(t, 90),
    "np.convolve": lambda t: np.convolve(t[0], np.ones(2)),
    "np.cross": lambda t: np.cross(t[:, :3], np.ones(3)),
    "np.trace": lambda t: np.trace(t),
    "np.round": lambda t: np.round(t, 1),
    "np.copy": lambda t: np.copy(t),
    "np.diff": lambda t: np.diff(t),
    "np.cumprod": lambda t: np.cumprod(t),
    "np.floor": lambda t: np.floor(t),
    "np.arctan2": lambda t: np.arctan2(t, 1.0),
    "np.sinh": lambda t: np.sinh(t),
    "np.add.at": lambda t: _added_at(t[0, :3]),
    "np.multiply.reduceat": lambda t: np.multiply.reduceat(t, [0, 2], axis=1),
    "np.exp": lambda t: np.exp(t, out=np.empty((3, 3))),       # out= writes into an ndarray
    "np.sum": lambda t: np.sum(t, dtype=np.float32),           # an argument al.sum lacks
    "np.add": lambda t: np.add(np.zeros((3, 3)), t, out=np.zeros((3, 3))),
}

SQUARE = np.array([[2.0, 1.0, 0.5], [0.0, 3.0, 1.0], [1.0, -1.0, 4.0]])


@pytest.mark.parametrize("name", list(UNSUPPORTED))
def test_unsupported_numpy_functions_refuse_a_tensor_that_requires_grad(name):
    call = UNSUPPORTED[name]
    t = al.Tensor(SQUARE, requires_grad=True, name="W")
    with pytest.raises(TypeError) as error:
        call(t)
    message = str(error.value)
    assert name in message, message
    assert "t.detach()" in message and "np.asarray(t)" in message, message
    assert "requires grad" in message, message


def test_the_refusal_names_the_tensor_and_its_shape():
    t = al.Tensor(SQUARE, requires_grad=True, name="W")
    with pytest.raises(TypeError, match=r"np\.linalg\.inv .*tensor 'W' of shape \(3, 3\)"):
        np.linalg.inv(t)


@pytest.mark.parametrize("name", list(UNSUPPORTED))
def test_unsupported_numpy_functions_compute_on_the_values_where_no_gradient_is_lost(name):
    call = UNSUPPORTED[name]
    expected = call(SQUARE.copy())
    plain = call(al.Tensor(SQUARE))  # requires no grad: nothing to lose
    np.testing.assert_allclose(plain, expected)
    w = al.Tensor(SQUARE, requires_grad=True)
    with al.no_grad():  # nothing is recorded there either
        np.testing.assert_allclose(call(w), expected)


def test_the_unsupported_list_names_no_registered_function():
    registered = {numpy_name(f) for f in numpy_implementations()}
    plain_calls = {"np.exp", "np.sum", "np.add"}  # registered; refused for their arguments
    wrongly_listed = (set(UNSUPPORTED) & registered) - plain_calls
    assert not wrongly_listed, f"now differentiable, remove from UNSUPPORTED: {wrongly_listed}"


def test_an_argument_the_function_lacks_names_the_autograd_lite_signature():
    t = al.Tensor(SQUARE, requires_grad=True)
    with pytest.raises(TypeError, match=r"al\.ops\.sum\(x, axis=None, keepdims=False\)"):
        np.sum(t, dtype=np.float32)
    with pytest.raises(TypeError, match=r"x \+= t"):
        X = np.zeros((3, 3))
        X += t


def test_neutral_numpy_arguments_are_accepted():
    t = al.Tensor(SQUARE, requires_grad=True)
    assert isinstance(np.dot(t, SQUARE, out=None), al.Tensor)
    assert isinstance(np.exp(t, where=True, casting="same_kind"), al.Tensor)
    assert isinstance(np.sum(t, axis=0, out=None), al.Tensor)


# ============================================================ an ndarray's operators

MIXED = {
    "X * t": lambda X, t: X * t, "t * X": lambda X, t: t * X, "X + t": lambda X, t: X + t,
    "X - t": lambda X, t: X - t, "X / t": lambda X, t: X / t, "X @ t": lambda X, t: X @ t,
    "X ** t": lambda X, t: X ** t, "np.float64(2) * t": lambda X, t: np.float64(2) * t,
    "np.float64(2) - t": lambda X, t: np.float64(2) - t,
    "np.float32(2) / t": lambda X, t: np.float32(2) / t,
}


@pytest.mark.parametrize("name", list(MIXED))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_an_ndarray_or_numpy_number_on_the_left_records_the_graph(name, dtype):
    rng = np.random.default_rng(4)
    X = rng.uniform(0.5, 2.0, (3, 3))
    t_values = rng.uniform(0.5, 2.0, (3, 3))
    f = MIXED[name]
    t = al.Tensor(t_values, requires_grad=True, dtype=dtype)
    out = f(X, t)
    assert isinstance(out, al.Tensor) and out.requires_grad
    assert out.dtype == dtype  # the ndarray takes the tensor's dtype, as t * X does
    weights = rng.standard_normal(out.shape)
    (out * weights).sum().backward()
    if dtype is np.float64:
        g_num = numerical_gradient(lambda v: np.sum(f(X, v) * weights), [t_values], 0)
        assert relative_difference(t.grad, g_num) < TOLERANCE


def test_a_numpy_scalar_times_a_number_tensor_is_a_number_tensor():
    x = al.Tensor(3.0, requires_grad=True)
    y = np.float64(2.0) * x + np.float64(1.0)
    y.backward()
    assert isinstance(y, al.Tensor) and y.shape == () and x.grad == 2.0


@pytest.mark.parametrize("number", [np.float64(0.1), np.float32(0.1), np.int64(3)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_numpy_number_operand_is_the_python_number_of_its_value(number, dtype):
    # NumPy's numbers share the cached array of the Python number of the same value (the
    # fast path of a constant); the result must be the same, in the tensor's dtype.
    t = al.Tensor([1.5, -2.0], requires_grad=True, dtype=dtype)
    for _ in range(2):  # the second time through the cache
        for got, expected in ((number * t, number.item() * t), (t / number, t / number.item()),
                              (number - t, number.item() - t)):
            assert got.dtype == dtype
            np.testing.assert_array_equal(got.data, expected.data)
    cached = al.ops.base.constant(number, t).data
    assert cached.dtype == dtype and not cached.flags.writeable
    assert cached is al.ops.base.constant(number.item(), t).data


# ============================================================ lists of Tensors

LIST_CASES = {
    # name: (function of x, d/dx at x = 0.5, by hand)
    "mean": (lambda x: al.mean([x, x + 2]), 1.0),
    "sum": (lambda x: al.sum([x, 3 * x]), 4.0),
    "exp": (lambda x: al.exp([x, 2 * x]).sum(), np.exp(0.5) + 2 * np.exp(1.0)),
    "maximum": (lambda x: al.maximum([x, 0.25], 0.0).sum(), 1.0),
    "nested": (lambda x: al.sum([[x, 1.0], [2.0, x * x]]), 1.0 + 2 * 0.5),
    "tuple": (lambda x: al.mean((x, x, 4 * x)), 2.0),
    "operator": (lambda x: (x * [x, 2 * x]).sum(), 2 * 0.5 + 4 * 0.5),
    "concatenate": (lambda x: al.concatenate([[x, x], al.stack([x])]).sum(), 3.0),
    "np.concatenate": (lambda x: np.concatenate([al.stack([x, x]), np.ones(2)]).sum(), 2.0),
    "where": (lambda x: al.where(np.array([True, False]), [x, x], [0.0, 0.0]).sum(), 1.0),
}


@pytest.mark.parametrize("name", list(LIST_CASES))
def test_lists_of_tensors_are_differentiable_inputs(name):
    f, expected = LIST_CASES[name]
    assert al.grad(f)(0.5) == pytest.approx(expected, rel=1e-12)


def test_a_list_of_tensors_keeps_their_dtype():
    x = al.Tensor(1.0, requires_grad=True, dtype=np.float32)
    assert al.mean([x, 2.0]).dtype == np.float32
    assert al.stack([[x, 1.0], [2.0, x]]).shape == (2, 2)


def test_a_ragged_list_of_tensors_is_a_shape_error():
    x = al.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(al.ShapeError, match=r"one shape; got \(2,\), \(\)"):
        al.sum([x, 1.0])
