"""NumPy's einsum, outer, pad, repeat, tile, flip, split, vstack, hstack and cumsum: what the op
table cannot say. Their values and gradients (against NumPy and two-sided differences, up
to second order, in float32) are rows of tests/op_table.py; here:

- each one stands for its NumPy function (``implements``), with NumPy's argument names
  and defaults;
- a few gradients against formulas derived by hand (trace: I; diagonal: diag(w); a
  split part J does not use: zeros; repeat: the sum over the copies);
- bad input raises an error that names the op and the shapes, as NumPy would refuse it.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite.ops import ShapeError
from autograd_lite.ops.base import numpy_implementations

FUNCTIONS = ["einsum", "outer", "pad", "repeat", "tile", "flip", "split", "vstack", "hstack",
             "cumsum"]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_stands_for_its_numpy_function_with_numpys_arguments(name):
    ours, theirs = getattr(al, name), getattr(np, name)
    assert numpy_implementations()[theirs] is ours
    assert name in al.__all__ and name in al.ops.__all__
    mine = inspect.signature(ours).parameters
    for parameter in inspect.signature(theirs).parameters.values():
        assert parameter.name in mine, (name, parameter.name)
        assert mine[parameter.name].kind == parameter.kind, (name, parameter.name)
        assert mine[parameter.name].default == parameter.default, (name, parameter.name)


def leaf(values):
    return al.Tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def test_einsum_trace_and_diagonal_gradients_are_the_identity_and_diag():
    A = leaf(np.arange(9.0).reshape(3, 3))
    al.einsum("ii", A).backward()  # implicit output: nothing, the trace
    np.testing.assert_array_equal(A.grad, np.eye(3))  # d tr(A)/dA = I
    w = np.array([2.0, -1.0, 0.5])
    B = leaf(np.arange(9.0).reshape(3, 3))
    (al.einsum("ii->i", B) * w).sum().backward()
    np.testing.assert_array_equal(B.grad, np.diag(w))  # d Σ w_i A_ii / dA = diag(w)


def test_einsum_matmul_gradients_are_the_courses_formulas():
    rng = np.random.default_rng(0)
    W, A, dZ = leaf(rng.standard_normal((3, 4))), leaf(rng.standard_normal((4, 5))), \
        rng.standard_normal((3, 5))
    al.einsum("ij,jk->ik", W, A).backward(dZ)
    np.testing.assert_allclose(W.grad, dZ @ A.data.T)  # dW = dZ Aᵀ
    np.testing.assert_allclose(A.grad, W.data.T @ dZ)  # dA = Wᵀ dZ


@pytest.mark.parametrize("subscripts, shapes", [
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("ij,jk->i", [(2, 3), (3, 4)]),  # k is summed in one operand: its gradient takes ones
])
def test_einsum_optimize_gives_the_same_values_and_gradients(subscripts, shapes):
    rng = np.random.default_rng(1)
    values = [rng.standard_normal(s) for s in shapes]
    path = np.einsum_path(subscripts, *values, optimize="optimal")[0]  # the forward's own
    results = []
    for optimize in (False, True, "greedy", path):
        xs = [leaf(v) for v in values]
        out = al.einsum(subscripts, *xs, optimize=optimize)
        out.sum().backward()
        results.append((out.data, [x.grad for x in xs]))
    for out, grads in results[1:]:
        np.testing.assert_allclose(out, results[0][0])
        for g, g0 in zip(grads, results[0][1]):
            np.testing.assert_allclose(g, g0)


def test_outer_gradients_are_the_row_and_column_sums():
    a, b = leaf([1.0, 2.0]), leaf([3.0, -1.0, 0.5])
    dZ = np.arange(6.0).reshape(2, 3)
    al.outer(a, b).backward(dZ)
    np.testing.assert_allclose(a.grad, dZ @ b.data)  # dz_ij/da_i = b_j
    np.testing.assert_allclose(b.grad, dZ.T @ a.data)  # dz_ij/db_j = a_i


def test_split_returns_a_list_and_unused_parts_get_zeros():
    x = leaf(np.arange(12.0).reshape(2, 6))
    parts = al.split(x, 3, axis=1)
    assert isinstance(parts, list) and [p.shape for p in parts] == [(2, 2)] * 3
    parts[1].sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 0, 1, 1, 0, 0]] * 2)
    # indices past the end give empty parts, as in NumPy
    assert [p.shape for p in al.split(x, [1, 9], axis=-1)] == [(2, 1), (2, 5), (2, 0)]


def test_repeat_gradient_sums_the_copies_and_zero_repeats_get_zero():
    x = leaf([[1.0, 2.0, 3.0]])
    y = al.repeat(x, [2, 0, 3], axis=1)
    np.testing.assert_array_equal(y.data, [[1, 1, 3, 3, 3]])
    (y * np.array([1.0, 10.0, 100.0, 1000.0, 10000.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [[11.0, 0.0, 11100.0]])


def test_tile_and_cumsum_gradients_by_hand():
    x = leaf([1.0, 2.0])
    al.tile(x, (3, 2)).sum().backward()
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])  # 3·2 tiles, each x_i once per tile
    c = leaf([1.0, 2.0, 3.0])
    (al.cumsum(c) * np.array([1.0, 10.0, 100.0])).sum().backward()
    np.testing.assert_array_equal(c.grad, [111.0, 110.0, 100.0])  # dx_j = Σ_{i ≥ j} w_i


def test_numpys_own_cumsum_and_repeat_reach_the_tensor_methods():
    """np.cumsum(t) and np.repeat(t, n) call t.cumsum and t.repeat with NumPy's arguments."""
    t = leaf([1.0, 2.0, 3.0])
    y = np.cumsum(t)
    z = np.repeat(t, 2)
    assert isinstance(y, al.Tensor) and isinstance(z, al.Tensor)
    (y.sum() + z.sum()).backward()
    np.testing.assert_array_equal(t.grad, [3.0 + 2, 2.0 + 2, 1.0 + 2])


def test_mixed_operands_and_dtypes():
    x = al.Tensor(np.ones((1, 2), dtype=np.float32), requires_grad=True)
    y = al.vstack([x, np.array([5.0, 6.0]), [7, 8]])
    assert y.dtype == np.float32 and y.shape == (3, 2)
    z = al.einsum("ij,j->i", y, np.array([1.0, 2.0]))
    assert z.dtype == np.float32
    w = al.hstack([x, x], dtype=np.float64)
    assert w.dtype == np.float64
    (z.sum() + w.sum()).backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [[3.0, 4.0]])
    assert al.cumsum(x, dtype=np.float64).dtype == np.float64


ERRORS = [
    # (call, error type, words the message must contain)
    (lambda x: al.einsum("ij,jk->ik", x, np.ones((4, 2))), ShapeError,
     ["einsum", "'j'", "(2, 3)", "(4, 2)"]),
    (lambda x: al.einsum("ij,jk->ik", x), ValueError, ["einsum", "2 operands", "1 was given"]),
    (lambda x: al.einsum("ijk", x), ShapeError, ["einsum", "(2, 3)", "'ijk'"]),
    (lambda x: al.einsum("i1", x), ValueError, ["einsum", "'1'"]),
    (lambda x: al.einsum("ij->ii", x), ValueError, ["einsum", "'i' more than once"]),
    (lambda x: al.einsum("ij->k", x), ValueError, ["einsum", "'k'", "no operand"]),
    (lambda x: al.einsum("...ijk", x), ShapeError, ["einsum", "(2, 3)", "'...ijk'"]),
    (lambda x: al.einsum("...j->j", x), ValueError, ["einsum", "'...'"]),
    (lambda x: al.einsum("ii", x), ShapeError, ["einsum", "(2, 3)", "lengths 2 and 3"]),
    (lambda x: al.einsum("ij", x, out=np.empty((2, 3))), TypeError, ["einsum", "out="]),
    (lambda x: al.einsum("ij", x, dtype=np.float32), TypeError, ["einsum", "dtype"]),
    (lambda x: al.einsum(x, [0, 99]), ValueError, ["einsum", "99"]),
    (lambda x: al.outer(x, x, out=np.empty((6, 6))), TypeError, ["outer", "out="]),
    (lambda x: al.pad(x, -1), ValueError, ["pad", "negative"]),
    (lambda x: al.pad(x, 1.5), TypeError, ["pad", "integers"]),
    (lambda x: al.pad(x, ((1, 2), (3, 4), (5, 6))), ShapeError, ["pad", "(3, 2)", "(2, 3)"]),
    (lambda x: al.pad(x, 1, mode="mean"), ValueError, ["pad", "'mean'", "'reflect'"]),
    (lambda x: al.pad(x, 1, mode="reflect", reflect_type="odd"), ValueError,
     ["pad", "reflect_type"]),
    (lambda x: al.pad(x, 1, mode="edge", constant_values=2), ValueError,
     ["pad", "'edge'", "constant_values"]),
    (lambda x: al.pad(x, 1, constant_values=x), TypeError, ["pad", "requires grad"]),
    (lambda x: al.pad(x, 1, constant_values=[1, 2, 3]), ShapeError, ["pad", "(2, 3)"]),
    (lambda x: al.repeat(x, -1), ValueError, ["repeat", "negative"]),
    (lambda x: al.repeat(x, 1.5), TypeError, ["repeat", "integers"]),
    (lambda x: al.repeat(x, [1, 2], axis=1), ShapeError, ["repeat", "axis 1", "(2, 3)"]),
    (lambda x: al.repeat(x, 2, axis=2), ShapeError, ["repeat", "axis 2", "(2, 3)"]),
    (lambda x: al.tile(x, -1), ValueError, ["tile", "negative"]),
    (lambda x: al.tile(x, 1.5), TypeError, ["tile", "integers"]),
    (lambda x: al.flip(x, (0, 0)), ShapeError, ["flip", "twice", "(2, 3)"]),
    (lambda x: al.flip(x, 2), ShapeError, ["flip", "2", "(2, 3)"]),
    (lambda x: al.split(x, 2, axis=1), ShapeError, ["split", "(2, 3)", "2 equal"]),
    (lambda x: al.split(x, 0), ValueError, ["split", "larger than 0"]),
    (lambda x: al.split(x, 1, axis=-3), ShapeError, ["split", "-3", "(2, 3)"]),
    (lambda x: al.split(al.Tensor(1.0), 1), ShapeError, ["split", "()"]),
    (lambda x: al.vstack([]), ValueError, ["vstack", "at least one"]),
    (lambda x: al.vstack(t for t in [x]), TypeError, ["vstack", "sequence"]),
    (lambda x: al.vstack([x, np.ones(4)]), ShapeError, ["vstack", "(2, 3)", "(1, 4)"]),
    (lambda x: al.vstack([x], dtype=np.int64), TypeError, ["vstack", "floating"]),
    (lambda x: al.hstack([x, np.ones((3, 1))]), ShapeError, ["hstack", "(2, 3)", "(3, 1)"]),
    (lambda x: al.hstack([x], dtype=np.float16, casting="safe"), TypeError,
     ["hstack", "float16", "'safe'"]),
    (lambda x: al.cumsum(x, axis=2), ShapeError, ["cumsum", "2", "(2, 3)"]),
    (lambda x: al.cumsum(x, out=np.empty(6)), TypeError, ["cumsum", "out="]),
    (lambda x: x.cumsum(dtype=np.int32), TypeError, ["cumsum", "floating"]),
]


@pytest.mark.parametrize("call, error, words", ERRORS,
                         ids=[f"{words[0]}-{i}" for i, (_, _, words) in enumerate(ERRORS)])
def test_bad_input_names_the_op_and_the_shapes(call, error, words):
    x = al.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    with pytest.raises(error) as info:
        call(x)
    for word in words:
        assert word in str(info.value), (word, str(info.value))
