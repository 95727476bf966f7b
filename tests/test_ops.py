"""Every primitive against NumPy (forward) and two-sided differences (gradient).

The cases are the examples of the op table, tests/op_table.py (one row per primitive:
the op on Tensors, the same expression in plain NumPy, how to draw its inputs), then its
few composites. For every case:

- the forward values and shape equal NumPy's;
- the gradient of J = Σ out ⊙ W (W fixed random weights) with respect to every input
  equals the numerical gradient of the *NumPy* expression (tests/numerical.py), and has
  exactly the shape of its operand — broadcasting included;
- with create_graph=True the gradients are the same, and differentiating them again
  gives the Hessian-vector product measured by a difference of gradients.

Adding an op means adding a row to tests/op_table.py; the tests below fail until it has one.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite.engine import gradients
from autograd_lite.ops import elementwise
from autograd_lite.ops.base import binary_method
from tests.fuzzing import all_primitives, primitives_in
from tests.numerical import numerical_gradient, relative_difference
from tests.op_table import CASES, OPS, QUERIES, TABLE, Example, draw

# Two-sided differences with eps = 1e-6 on these O(1) functions are accurate to about
# 1e-9 relatively; a wrong derivative (missing factor, wrong sign, unsummed broadcast)
# is off by far more than 1e-7 (see test_the_check_catches_a_wrong_vjp).
TOLERANCE = 1e-7


def engine_gradients(case: Example, arrays, weights) -> list[np.ndarray]:
    tensors = [al.Tensor(a.copy(), requires_grad=True) for a in arrays]
    (case.fn(*tensors) * weights).sum().backward()
    return [t.grad for t in tensors]


def numerical_gradients(case: Example, arrays, weights) -> list[np.ndarray]:
    def J(*xs):
        return np.sum(case.ref(*xs) * weights)

    return [numerical_gradient(J, arrays, i) for i in range(len(arrays))]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_forward_equals_numpy(case):
    arrays, _ = draw(case)
    out = case.fn(*[al.Tensor(a) for a in arrays])
    expected = case.ref(*arrays)
    assert isinstance(out, al.Tensor)
    assert out.shape == np.shape(expected)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_gradient_equals_numerical(case):
    arrays, weights = draw(case)
    grads = engine_gradients(case, arrays, weights)
    expected = numerical_gradients(case, arrays, weights)
    for i, (g, g_num, a) in enumerate(zip(grads, expected, arrays)):
        assert isinstance(g, np.ndarray), f"input {i}: .grad is {type(g).__name__}"
        assert g.shape == a.shape, f"input {i}: gradient {g.shape}, operand {a.shape}"
        assert g.dtype == np.float64
        difference = relative_difference(g, g_num)
        assert difference < TOLERANCE, f"input {i}: relative difference {difference:.2e}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_backward_as_a_graph_gives_the_same_gradient_and_its_derivative(case):
    """create_graph=True: the VJP run on Tensors equals the one run on ndarrays, and
    differentiating it gives H v = d/dh ∇J(x + h v), measured by a difference of gradients."""
    arrays, weights = draw(case)
    tensors = [al.Tensor(a.copy(), requires_grad=True) for a in arrays]
    J = (case.fn(*tensors) * weights).sum()
    grads = gradients(J, tensors, create_graph=True)
    plain = engine_gradients(case, arrays, weights)
    for g, p in zip(grads, plain):
        assert isinstance(g, al.Tensor)
        assert g.shape == p.shape
        np.testing.assert_allclose(g.data, p, rtol=1e-12, atol=1e-14)

    rng = np.random.default_rng(1)
    directions = [rng.standard_normal(a.shape) for a in arrays]
    grad_dot_v = sum((g * v).sum() for g, v in zip(grads, directions))
    if grad_dot_v.requires_grad:
        hvp = gradients(grad_dot_v, tensors)
    else:  # the gradient does not depend on the inputs: J is linear in them
        hvp = [np.zeros(a.shape) for a in arrays]

    h = 1e-5
    plus = engine_gradients(case, [a + h * v for a, v in zip(arrays, directions)], weights)
    minus = engine_gradients(case, [a - h * v for a, v in zip(arrays, directions)], weights)
    for i, (hv, p, m) in enumerate(zip(hvp, plus, minus)):
        measured = (p - m) / (2 * h)
        assert hv.shape == arrays[i].shape
        error = np.linalg.norm(hv - measured)
        assert error <= 1e-6 * (np.linalg.norm(hv) + np.linalg.norm(measured)) + 1e-7, (
            f"input {i}: Hessian-vector product off by {error:.2e}"
        )


# ------------------------------------------------------------- the table itself
def recorded(case: Example) -> set[type]:
    """The primitive classes that the case's graph records."""
    arrays, _ = draw(case)
    return primitives_in(case.fn(*[al.Tensor(a, requires_grad=True) for a in arrays]))


def test_the_table_has_one_row_per_primitive():
    """Every primitive of autograd_lite.ops has exactly one row; names are unique; a row
    without examples says why."""
    rows = [row.primitive for row in TABLE]
    assert len(rows) == len(set(rows)), "two rows for one primitive"
    missing = {cls.__name__ for cls in all_primitives() - set(rows)}
    assert not missing, f"primitives without a row in tests/op_table.py: {sorted(missing)}"
    assert set(rows) <= all_primitives()
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)), "two examples with one id"
    assert len(OPS) == sum(len(row.fuzz) for row in TABLE), "two fuzz ops with one name"
    for row in TABLE:
        assert bool(row.examples) != bool(row.unchecked), row.primitive.__name__
        assert row.fuzz, f"{row.primitive.__name__}: no fuzz op"


def test_every_example_records_the_primitive_of_its_row():
    for row in TABLE:
        for case in row.examples:
            assert row.primitive in recorded(case), (case.id, row.primitive.__name__)


def test_the_table_covers_every_primitive():
    used = set()
    for case in CASES:
        used |= {cls.name for cls in recorded(case)}
    # A row without examples says why: scatter_add is getitem's VJP, recorded only by
    # create_graph (tested above); astype changes the dtype, which a float64 difference
    # quotient cannot check (tests/test_engine.py checks it); the fused layer and costs
    # (ops/losses.py) are checked against the course's formulas (tests/test_losses.py).
    exempt = {row.primitive.name for row in TABLE if row.unchecked}
    every = {cls.name for cls in all_primitives()} - exempt
    assert every - used == set()


def test_the_table_covers_every_public_function():
    """Every op function that autograd_lite exports, and ops.broadcast_to (exported by
    autograd_lite.ops only), is called by name in some case, or is a query (argmax: no
    gradient, checked by test_queries_are_numpys_and_record_nothing)."""
    public = {name for name in al.__all__ if name in al.ops.__all__
              and inspect.isfunction(getattr(al, name))} | {"broadcast_to"}
    assert len(public) >= 24  # the 24 of today: the derivation above found them
    named = set(QUERIES)
    for case in CASES:
        if case.fn.__name__ == "<lambda>":
            named |= set(case.fn.__code__.co_names)
        else:
            named.add(case.fn.__name__)
    assert public - named == set()


QUERY_INPUTS = [
    np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]]),  # ties: NumPy takes the first
    np.array([[[0.5, -1.0], [-1.0, 0.5]], [[2.0, 2.0], [-3.0, 7.0]]]),
    np.array(4.0),
]


@pytest.mark.parametrize("name", sorted(QUERIES))
@pytest.mark.parametrize("values", QUERY_INPUTS, ids=lambda v: f"shape{v.shape}")
def test_queries_are_numpys_and_record_nothing(name, values):
    """argmax and argmin return NumPy's ndarrays (first index among ties), for every axis,
    negative ones and keepdims; as functions and Tensor methods, and nothing is recorded."""
    ours, numpys = QUERIES[name]
    x = al.Tensor(values, requires_grad=True)
    axes = [None] + [a for n in range(values.ndim) for a in (n, n - values.ndim)]
    for axis in axes:
        for keepdims in (False, True):
            expected = numpys(values, axis=axis, keepdims=keepdims)
            for got in (ours(x, axis, keepdims=keepdims),
                        getattr(x, name)(axis=axis, keepdims=keepdims)):
                assert type(got) is type(expected) and not isinstance(got, al.Tensor)
                assert np.shape(got) == np.shape(expected)
                assert np.array_equal(got, expected)
                assert np.asarray(got).dtype == np.asarray(expected).dtype
    assert x.grad is None and x.is_leaf
    # and an ndarray or a list works as NumPy's does
    assert np.array_equal(ours(values.tolist()), numpys(values))


def test_the_check_catches_a_wrong_vjp(monkeypatch):
    """The gradient test can fail: a plausible mistake in a VJP is caught by a wide margin."""
    from autograd_lite.ops import activations, elementwise

    def check(case_id):
        case = next(c for c in CASES if c.id == case_id)
        arrays, weights = draw(case)
        grads = engine_gradients(case, arrays, weights)
        expected = numerical_gradients(case, arrays, weights)
        return max(relative_difference(g, e) for g, e in zip(grads, expected))

    assert check("sigmoid") < TOLERANCE
    monkeypatch.setattr(activations.Sigmoid, "backward",
                        staticmethod(lambda g, s, i, out, n: (g * out,)))  # forgot (1 - a)
    assert check("sigmoid") > 1e-2

    assert check("div-bias") < TOLERANCE
    monkeypatch.setattr(elementwise.Div, "backward",
                        staticmethod(lambda g, s, i, out, n: (g / i[1], g * out / i[1])))  # sign
    assert check("div-bias") > 1e-2


@pytest.mark.parametrize("shape", [(), (1,), (1, 1), (1, 1, 1)])
def test_sum_of_one_element_is_a_copy_with_the_right_gradient(shape):
    x = al.Tensor(np.full(shape, 2.5), requires_grad=True)
    s = x.sum()
    assert s.shape == () and s.item() == 2.5
    x.data[...] = 4.0  # the sum is its own array, not a view of x
    assert s.item() == 2.5
    (s * 3).backward()
    assert x.grad.shape == shape and np.all(x.grad == 3.0)  # d(3 Σx)/dx = 3


def test_primitives_that_pass_the_gradient_on_really_have_derivative_one():
    """The engine skips backward() for these: their backward must agree with skipping it."""
    passing = [cls for cls in all_primitives() if cls.passes_gradient]
    assert passing, "add, at least, passes the upstream gradient on"
    g = np.array([[1.5, -2.0]])
    for cls in passing:
        inputs = (np.ones((1, 2)), np.ones((1, 2)))
        out, saved = cls.forward(*inputs)
        grads = cls.backward(g, saved, inputs, out, (True, True))
        assert all(d is g for d in grads), cls.name



@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_numbers_are_added_and_multiplied_to_the_same_bits_as_numpy(dtype):
    """0-d operands take Python's float arithmetic; NumPy's own loops on 1-element arrays
    are the oracle, bit for bit, including infinities, NaN, signed zeros and overflow."""
    info = np.finfo(dtype)
    special = [0.0, -0.0, 1.0, -1.5, np.inf, -np.inf, np.nan, float(info.max),
               float(info.tiny), float(info.tiny) / 4, 1 / 3, 1e-3, 7.0]
    rng = np.random.default_rng(7)
    spread = rng.standard_normal(40) * 10.0 ** rng.integers(-8, 8, 40)
    with np.errstate(over="ignore"):  # large values become inf in float16: more specials
        values = np.concatenate([np.array(special), spread]).astype(dtype)
    pairs = [(x, y) for x in values[:20] for y in values] + [(x, y) for x in values[20:]
                                                            for y in values[20:30]]
    for name, fn in (("add", elementwise.Add), ("sub", elementwise.Sub), ("mul", elementwise.Mul)):
        for x, y in pairs:
            a, b = np.array(x), np.array(y)
            with np.errstate(all="ignore"):  # overflow warns in both (NumPy: in the cast)
                # the number path of binary_method, against the primitive's NumPy rule
                got = binary_method(fn)(al.Tensor(a), al.Tensor(b)).data
                want, _ = fn.forward(a.reshape(1), b.reshape(1))
            assert type(got) is np.ndarray and got.shape == () and got.dtype == dtype
            assert got.tobytes() == want.tobytes() or (np.isnan(got) and np.isnan(want)), (
                name, x, y, got, want)


def test_a_number_times_an_array_and_its_gradients():
    s = al.Tensor(2.5, requires_grad=True)
    v = al.Tensor([1.0, -2.0, 3.0], requires_grad=True)
    (s * v + v * s - s).sum().backward()
    np.testing.assert_allclose(s.grad, 2 * v.data.sum() - 3)  # d/ds (2 s Σv - 3 s)
    np.testing.assert_allclose(v.grad, [5.0, 5.0, 5.0])  # d/dv (2 s v) = 2 s
    mixed = al.Tensor(np.float32(2.0), requires_grad=True) * al.Tensor(3.0, requires_grad=True)
    assert mixed.dtype == np.float64 and mixed.item() == 6.0  # NumPy's promotion, not ours
