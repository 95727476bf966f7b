"""The engine's semantics: the chain rule over a graph, accumulation, freeing, errors,
higher derivatives, no_grad, deep graphs, dtypes and the Tensor's array behaviour.

Every expected gradient here is derived by hand (written next to it) or measured by
differences; none is computed by the engine under test.
"""

from __future__ import annotations

import gc
import itertools
import sys
import weakref

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import reference
from autograd_lite.engine import gradients, topological_order, unbroadcast
from tests.numerical import numerical_gradient, relative_difference
from tests.op_table import CASES, draw


def leaf(value, name=None, dtype=None):
    return al.Tensor(value, requires_grad=True, name=name, dtype=dtype)


# ------------------------------------------------------------------ the chain rule
def test_J_equals_3_times_a_plus_bc():
    a, b, c = leaf(5.0, "a"), leaf(3.0, "b"), leaf(2.0, "c")
    J = 3 * (a + b * c)
    J.backward()
    # dJ/da = 3, dJ/db = 3c, dJ/dc = 3b
    assert J.item() == 33.0
    assert (a.grad.item(), b.grad.item(), c.grad.item()) == (3.0, 6.0, 9.0)
    assert J.op == "mul" and a.op is None and a.is_leaf and not J.is_leaf
    assert any(p.op == "add" for p in J.parents)


def test_a_leaf_used_many_times_gets_the_sum_over_paths():
    x = leaf([1.0, -2.0, 3.0])
    (x * x + x).sum().backward()
    np.testing.assert_array_equal(x.grad, 2 * x.data + 1)  # d(x² + x)/dx = 2x + 1


def test_diamond_through_an_intermediate():
    """r = y + e^y with y = 2x: dr/dx = 2 + 2 e^(2x). The path through e^y is longer, so
    y must wait for it; an ordering that visits y first loses that gradient."""
    x = leaf([0.5, -1.0])
    y = x * 2
    (y + y.exp()).sum().backward()
    np.testing.assert_allclose(x.grad, 2 + 2 * np.exp(2 * x.data), rtol=1e-15)


def test_deep_diamonds_of_unequal_path_lengths():
    # y_{k+1} = y_k + tanh(y_k): each step reuses y_k directly and through tanh.
    x = leaf(0.3)
    y, values = x, []
    for _ in range(6):
        values.append(y.item())
        y = y + y.tanh()
    y.backward()
    expected = 1.0  # dy_{k+1}/dy_k = 1 + (1 - tanh² y_k), by hand
    for v in values:
        expected *= 2 - np.tanh(v) ** 2
    assert x.grad.item() == pytest.approx(expected, rel=1e-13)


def test_topological_order_puts_every_node_after_its_parents():
    rng = np.random.default_rng(0)
    nodes = [leaf(rng.standard_normal(2)) for _ in range(3)]
    for _ in range(200):  # a random DAG with many reuses
        i, j = rng.integers(len(nodes), size=2)
        a, b = nodes[i], nodes[j]
        nodes.append(a * 0.5 + b.tanh() if rng.random() < 0.5 else a - b)
    root = sum(n.sum() for n in nodes[-20:])
    order = topological_order(root)
    position = {id(n): k for k, n in enumerate(order)}
    assert len(position) == len(order) and order[-1] is root
    for node in order:
        for parent in node.parents:
            if parent.op is not None:
                assert position[id(parent)] < position[id(node)]


def test_backward_of_a_leaf_is_one():
    x = leaf(3.0)
    x.backward()
    assert x.grad.item() == 1.0


def test_leaves_that_do_not_require_grad_get_none():
    x, c = leaf([1.0, 2.0]), al.Tensor([3.0, 4.0])
    (x * c).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


# ------------------------------------------------------------------ accumulation
def test_two_backward_calls_accumulate():
    x = leaf([1.0, 2.0])
    J = (x * x).sum()
    J.backward(retain_graph=True)
    first = x.grad
    np.testing.assert_array_equal(first, [2.0, 4.0])
    J.backward()
    assert x.grad is first  # accumulated in place into the existing buffer
    np.testing.assert_array_equal(x.grad, [4.0, 8.0])


def test_zero_grad_resets_in_place():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    y = (x * w).retain_grad()
    J = y.sum()
    J.backward()
    buffer = x.grad
    J.zero_grad()
    assert x.grad is buffer
    for t in (x, w, y):
        np.testing.assert_array_equal(t.grad, [0.0, 0.0])


def test_gradients_are_not_aliased():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()  # add hands the same upstream array to both operands
    a.grad += 100
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])

    seed = np.array([1.0, 1.0])
    a.grad = b.grad = None
    y = (a * 1.0).retain_grad()
    (y + b).backward(grad=seed)
    y.grad += 10
    b.grad += 20
    np.testing.assert_array_equal(seed, [1.0, 1.0])
    np.testing.assert_array_equal(a.grad, [1.0, 1.0])

    a.grad = None
    a.backward(grad=seed)
    a.grad += 1
    np.testing.assert_array_equal(seed, [1.0, 1.0])


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_a_gradient_that_add_hands_to_two_intermediates_is_never_added_into(order):
    """add gives the same upstream array to both operands; when one operand (y) is also
    reached along another path, that sum must not be made in place in the shared array,
    or the other operand (t) gets y's extra gradient too. Every order of the paths."""
    x, w = leaf([0.3, -0.2]), leaf([0.5, 0.1])
    y, t = al.tanh(x), al.exp(w)
    paths = [lambda: ((y + t) * 2.0).sum(), lambda: (y * y).sum(), lambda: (t + y).sum()]
    J = sum(paths[i]() for i in order)
    J.backward()
    dy = 2 + 2 * np.tanh(x.data) + 1  # from (y + t)·2, y², t + y
    np.testing.assert_allclose(x.grad, dy * (1 - np.tanh(x.data) ** 2))
    np.testing.assert_allclose(w.grad, 3 * np.exp(w.data))  # dJ/dt = 2 + 1, times e^w


def test_intermediate_grad_only_after_retain_grad():
    x = leaf([1.0, 2.0])
    y = x * 3
    z = (y * y).retain_grad()
    J = z.sum()
    J.backward()
    with pytest.warns(al.NonLeafGradWarning, match="retain_grad"):
        assert y.grad is None
    assert z.retains_grad and not y.retains_grad and not x.retains_grad
    np.testing.assert_array_equal(z.grad, [1.0, 1.0])
    np.testing.assert_array_equal(x.grad, 18 * x.data)  # d(9x²)/dx
    assert x.retain_grad() is x and x.is_leaf


# ------------------------------------------------------------------ freeing and errors
def test_second_backward_through_a_freed_graph_raises():
    x = leaf([1.0, 2.0], "x")
    h = (x * x).sum()
    h.name = "h"
    h.backward()
    assert h.graph_freed
    with pytest.raises(RuntimeError, match="retain_graph") as info:
        h.backward()
    assert "'h'" in str(info.value)


def test_retain_graph_allows_exactly_one_more_pass():
    x = leaf(2.0)
    y = x**3
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 24.0  # 2 · 3x²
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_freed_graph_error_does_not_partially_accumulate():
    a, b = leaf([1.0, 2.0], "a"), leaf([3.0, 4.0], "b")
    u = a.exp()
    u.sum().backward()  # frees u's node
    before = a.grad.copy()
    w = (a * b).sum() + u.sum()  # a fresh part that a pass would reach first, and u
    with pytest.raises(RuntimeError, match="retain_graph"):
        w.backward()
    np.testing.assert_array_equal(a.grad, before)
    assert b.grad is None


def test_backward_on_a_non_scalar_needs_grad():
    x = leaf(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match=r"\(2, 3\)"):
        (x * 2).backward()


def test_backward_with_grad_of_the_wrong_shape_raises():
    x = leaf(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match=r"\(3, 2\).*\(2, 3\)"):
        (x * 2).backward(grad=np.ones((3, 2)))


def test_backward_with_grad_seeds_the_chain_rule():
    x = leaf([1.0, 2.0, 3.0])
    (x * x).backward(grad=[1.0, 0.0, 2.0])
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 12.0])


def test_backward_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        (al.Tensor([1.0]) * 2).sum().backward()
    with al.no_grad():
        y = (leaf([1.0]) * 2).sum()
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_matmul_shape_error_names_the_inner_dimensions():
    with pytest.raises(al.ShapeError) as info:
        al.Tensor(np.ones((3, 2))) @ al.Tensor(np.ones((3, 5)))
    assert "(3, 2) @ (3, 5) — inner dimensions 2 and 3 differ" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_add_shape_error_names_the_op_and_both_shapes():
    with pytest.raises(al.ShapeError) as info:
        al.Tensor(np.ones((2, 3))) + al.Tensor(np.ones(4))
    message = str(info.value)
    assert message.startswith("add:") and "(2, 3)" in message and "(4,)" in message


def test_other_shape_errors_are_clear():
    x = al.Tensor(np.ones((2, 3)))
    with pytest.raises(al.ShapeError, match=r"reshape.*\(2, 3\).*\(4,\)"):
        x.reshape(4)
    with pytest.raises(al.ShapeError, match=r"sum.*axis 2"):
        x.sum(axis=2)
    with pytest.raises(al.ShapeError, match="concatenate"):
        al.concatenate([x, al.Tensor(np.ones((2, 2)))], axis=0)
    with pytest.raises(IndexError, match=r"getitem.*\(2, 3\)"):
        x[5]


# ------------------------------------------------------------------ higher derivatives
@pytest.mark.parametrize("x0", [-1.5, 0.5, 2.0])
def test_second_derivative_of_x_cubed_by_backward(x0):
    x = leaf(x0)
    (x**3).backward(create_graph=True)
    first = x.grad
    assert isinstance(first, al.Tensor) and first.requires_grad
    assert first.item() == pytest.approx(3 * x0**2)
    x.grad = None
    first.backward()
    assert x.grad.item() == pytest.approx(6 * x0)


def test_backward_of_a_grad_accumulates_onto_it():
    x = leaf(2.0)
    (x**3).backward(create_graph=True)
    x.grad.backward()  # x.grad = 3x² (the first pass) + 6x (the second)
    assert x.grad.item() == pytest.approx(3 * 4 + 6 * 2)


@pytest.mark.parametrize("x0", [-2.0, -0.3, 0.7, 3.0])
def test_derivatives_by_nested_grad(x0):
    def cube(x):
        return x**3

    g = al.grad
    assert g(cube)(x0) == pytest.approx(3 * x0**2)
    assert g(g(cube))(x0) == pytest.approx(6 * x0)
    assert g(g(g(cube)))(x0) == pytest.approx(6.0)
    assert g(g(g(g(cube))))(x0) == 0.0
    # d²/dx² tanh x = -2 tanh x (1 - tanh² x);  d²/dx² x e^x = (x + 2) e^x
    t = np.tanh(x0)
    assert g(g(al.tanh))(x0) == pytest.approx(-2 * t * (1 - t**2), rel=1e-12)
    assert g(g(lambda x: x * x.exp()))(x0) == pytest.approx((x0 + 2) * np.exp(x0), rel=1e-12)


def test_nested_grad_of_a_function_with_a_constant_derivative():
    g = al.grad
    assert g(g(lambda x: 3 * x))(2.0) == 0.0
    assert g(g(g(lambda x: 3 * x)))(2.0) == 0.0  # the inner zero must stay differentiable


def _tanh_network():
    rng = np.random.default_rng(3)
    params = {
        "W1": rng.standard_normal((4, 2)) * 0.8,
        "b1": rng.standard_normal((4, 1)) * 0.1,
        "W2": rng.standard_normal((1, 4)) * 0.8,
        "b2": rng.standard_normal((1, 1)) * 0.1,
    }
    X = rng.standard_normal((2, 7))
    Y = (rng.random((1, 7)) > 0.5).astype(float)
    return params, X, Y


def _cost(W1, b1, W2, b2, X, Y):
    A1 = al.tanh(W1 @ X + b1)
    A2 = al.sigmoid(W2 @ A1 + b2)
    return -(Y * al.log(A2) + (1 - Y) * al.log(1 - A2)).mean()


def test_hessian_vector_product_of_a_tanh_network():
    params, X, Y = _tanh_network()
    names = ["W1", "b1", "W2", "b2"]
    tensors = [leaf(params[k]) for k in names]
    J = _cost(*tensors, X, Y)
    grads = gradients(J, tensors, create_graph=True)

    # The first derivatives against the course's hand-derived backward pass.
    cost, hand = reference.shallow_network(params, X, Y, activation="tanh")
    assert J.item() == pytest.approx(cost, rel=1e-12)
    for name, g in zip(names, grads):
        assert relative_difference(g.data, hand["d" + name]) < 1e-12

    rng = np.random.default_rng(4)
    v = [rng.standard_normal(params[k].shape) for k in names]
    hvp = gradients(sum((g * d).sum() for g, d in zip(grads, v)), tensors)

    # H v = d/dh ∇J(θ + h v) at h = 0, by a difference of the hand-derived gradients.
    h = 1e-5
    shifted = {s: {k: params[k] + s * h * d for k, d in zip(names, v)} for s in (1, -1)}
    plus = reference.shallow_network(shifted[1], X, Y)[1]
    minus = reference.shallow_network(shifted[-1], X, Y)[1]
    for name, hv in zip(names, hvp):
        measured = (plus["d" + name] - minus["d" + name]) / (2 * h)
        assert hv.shape == params[name].shape
        assert relative_difference(hv, measured) < 1e-7, name


def test_gradients_returns_zeros_for_inputs_not_reached():
    a, b = leaf([1.0, 2.0]), leaf([3.0])
    ga, gb = gradients((a * a).sum(), [a, b])
    np.testing.assert_array_equal(ga, [2.0, 4.0])
    np.testing.assert_array_equal(gb, [0.0])
    assert a.grad is None  # returned, not accumulated


def test_gradients_with_respect_to_an_intermediate():
    x = leaf([1.0, 2.0])
    y = x * 3
    (gy,) = gradients((y * y).sum(), [y])
    np.testing.assert_array_equal(gy, 2 * y.data)


# ------------------------------------------------------------------ functional forms
def test_grad_and_value_and_grad_with_argnums():
    def f(x, y):
        return (x * y).sum() + (x**2).sum()

    x, y = np.array([1.0, 2.0]), np.array([3.0, -4.0])
    # df/dx = y + 2x, df/dy = x
    np.testing.assert_array_equal(al.grad(f)(x, y), y + 2 * x)
    np.testing.assert_array_equal(al.grad(f, argnums=1)(x, y), x)
    gx, gy = al.grad(f, argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(gx, y + 2 * x)
    np.testing.assert_array_equal(gy, x)

    value, (gy2, gx2) = al.value_and_grad(f, argnums=(1, 0))(x, y)
    assert value == pytest.approx(float(x @ y + x @ x)) and isinstance(value, float)
    np.testing.assert_array_equal(gx2, y + 2 * x)
    np.testing.assert_array_equal(gy2, x)
    assert type(gx2) is np.ndarray
    np.testing.assert_array_equal(x, [1.0, 2.0])  # the arguments are not touched


def test_grad_of_lists_and_numbers():
    assert al.grad(lambda x: (x * x).sum())([1, 2]).tolist() == [2.0, 4.0]
    assert al.grad(lambda x: x * 5.0)(3) == 5.0


def test_grad_rejects_bad_functions_and_argnums():
    with pytest.raises(TypeError, match="one element"):
        al.grad(lambda x: x * 2)(np.ones(3))
    with pytest.raises(TypeError, match="argnums"):
        al.grad(lambda x: x.sum(), argnums=1)(np.ones(3))


def test_grad_of_a_function_that_ignores_its_argument_is_zero():
    g = al.grad(lambda x, y: (y * 2).sum())(np.ones(3), al.Tensor(np.ones(2)))
    np.testing.assert_array_equal(g, np.zeros(3))


def test_grad_works_inside_no_grad():
    with al.no_grad():
        assert al.grad(lambda x: x**2)(3.0) == 6.0
        assert not al.is_grad_enabled()


# ------------------------------------------------------------------ no_grad
def _assert_not_recorded(t):
    assert t.op is None and t.parents == () and not t.requires_grad and t.is_leaf


def test_no_grad_as_context_manager():
    x = leaf([1.0, 2.0])
    with al.no_grad():
        y = (x * 2).exp().sum()
        assert not al.is_grad_enabled()
    assert al.is_grad_enabled()
    _assert_not_recorded(y)
    assert (x * 2).requires_grad  # recording is back on


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(KeyError), al.no_grad():
        raise KeyError("inside no_grad")
    assert al.is_grad_enabled()


def test_no_grad_as_decorator_with_and_without_parentheses():
    x = leaf([1.0, 2.0])

    @al.no_grad()
    def called(t):
        return t * 2

    @al.no_grad
    def bare(t):
        """Doubles t."""
        return t * 2

    class Model:
        @al.no_grad
        def bare_method(self, t):
            return t * 3

        @al.no_grad()
        def method(self, t):
            return t * 3

    for y in (called(x), bare(x), Model().bare_method(x), Model().method(x)):
        _assert_not_recorded(y)
    assert bare.__name__ == "bare" and bare.__doc__ == "Doubles t."
    assert al.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = leaf(1.0)
    with al.no_grad():
        with al.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and y.op == "mul"
    _assert_not_recorded(z)


# ------------------------------------------------------------------ deep graphs
def test_a_chain_of_100000_ops():
    limit = sys.getrecursionlimit()
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    assert sys.getrecursionlimit() == limit
    y.backward()
    assert x.grad.item() == 1.0
    y.zero_grad()
    assert x.grad.item() == 0.0
    probe = weakref.ref(y)
    del y
    gc.collect()
    assert probe() is None


# ------------------------------------------------------------------ dtypes
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_float32_is_preserved_through_every_op(case):
    arrays, weights = draw(case)
    tensors = [leaf(a, dtype=np.float32) for a in arrays]
    out = case.fn(*tensors)
    assert out.dtype == np.float32
    (out * weights).sum().backward()  # weights are a float64 ndarray constant
    for t in tensors:
        assert t.grad.dtype == np.float32 and t.grad.shape == t.shape


def test_float32_mixed_with_python_numbers_and_float64_constants():
    x = leaf(np.array([0.5, 1.5], dtype=np.float32))
    c64 = np.array([2.0, 3.0])
    outputs = [
        x * 2.5, 2.5 * x, x + 1, 1 - x, x / 3.0, 3.0 / x, x**2, x**0.5, 2.0**x,
        c64 * x, x - c64, c64 / x, x @ c64, np.float64(2.0) * x, x ** np.float64(1.5),
        al.maximum(x, 1.0), al.where(x > 1, x, c64), al.clip(x, np.float64(0.0), c64),
        al.leaky_relu(x, np.float64(0.1)), al.concatenate([x, c64]), al.stack([c64, x]),
    ]
    for y in outputs:
        assert y.dtype == np.float32, y
    sum(y.sum() for y in outputs).backward()
    assert x.grad.dtype == np.float32


def test_mixed_tensor_dtypes_give_each_operand_a_gradient_of_its_own_dtype():
    a = leaf(np.array([1.0, 2.0], dtype=np.float32))
    b = leaf(np.array([3.0, 4.0]))
    y = a * b
    assert y.dtype == np.float64
    y.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    np.testing.assert_array_equal(a.grad, [3.0, 4.0])
    # the same under create_graph: the gradient is cast by a differentiable op
    (ga,) = gradients((a * b * a).sum(), [a], create_graph=True)
    assert ga.dtype == np.float32
    np.testing.assert_array_equal(ga.data, 2 * a.data * b.data)  # d(a²b)/da = 2ab
    b.grad = None
    ga.sum().backward()
    np.testing.assert_array_equal(b.grad, 2 * a.data)  # d(2ab)/db = 2a
    assert b.grad.dtype == np.float64


def test_astype_is_differentiable():
    x = leaf([1.0, 2.0])
    y = x.astype(np.float32)
    assert y.dtype == np.float32 and y.op == "astype" and x.astype(np.float64) is x
    (y * y).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    with pytest.raises(TypeError, match="floating"):
        x.astype(np.int32)


@pytest.mark.parametrize(
    "data", [3, [1, 2, 3], np.arange(4), np.array([True, False]), [[1.5, 2.5]]], ids=repr
)
def test_numbers_lists_ints_and_bools_become_float64(data):
    t = al.Tensor(data)
    assert t.dtype == np.float64
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=np.float64))


def test_float32_data_stays_float32_and_is_not_copied():
    array = np.ones(3, dtype=np.float32)
    t = al.Tensor(array)
    assert t.dtype == np.float32 and t.data is array
    assert al.Tensor([1, 2], dtype=np.float32).dtype == np.float32
    with pytest.raises(TypeError, match="floating"):
        al.Tensor([1, 2], dtype=np.int64)
    with pytest.raises(TypeError):
        al.Tensor(["a"])


# ------------------------------------------------------------------ the Tensor as an array
def test_detach_shares_data_and_cuts_the_graph():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    y = x * w
    d = y.detach()
    assert d.data is y.data and d.op is None and not d.requires_grad and d.parents == ()
    (d * w).sum().backward()
    assert x.grad is None  # nothing flows through the detached copy
    np.testing.assert_array_equal(w.grad, y.data)


def test_asarray_is_the_data():
    t = al.Tensor([1.0, 2.0])
    assert np.asarray(t) is t.data
    assert t.numpy() is t.data
    assert np.asarray(t, dtype=np.float32).dtype == np.float32


def test_comparisons_give_plain_boolean_arrays():
    t, u = al.Tensor([1.0, 2.0, 3.0]), al.Tensor([3.0, 2.0, 1.0])
    for result, expected in [
        (t < 2, [True, False, False]),
        (t <= u, [True, True, False]),
        (t > np.array([0.0, 5.0, 0.0]), [True, False, True]),
        (t >= 2.0, [False, True, True]),
        (t == u, [False, True, False]),
        (t != u, [True, False, True]),
        (2 < t, [False, False, True]),
    ]:
        assert type(result) is np.ndarray and result.dtype == bool
        assert result.tolist() == expected


def test_ndarray_or_numpy_scalar_on_the_left_gives_a_tensor():
    t = leaf([1.0, 2.0])
    a = np.array([3.0, 4.0])
    for y in (a * t, a + t, a - t, a / t, a**t, np.float64(2.0) * t, np.ones((2, 2)) @ t):
        assert isinstance(y, al.Tensor) and y.requires_grad
    (a * t).sum().backward()
    np.testing.assert_array_equal(t.grad, a)


def test_item_float_len_repr_and_attributes():
    t = al.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, name="t")
    assert (t.shape, t.ndim, t.size, len(t)) == ((2, 3), 2, 6, 2)
    assert t.T.shape == (3, 2) and t.T.op == "transpose"
    assert al.Tensor([[4.0]]).item() == 4.0 and float(al.Tensor(2.0)) == 2.0
    assert bool(al.Tensor(3.0)) and not bool(al.Tensor(0.0))
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        t.item()
    assert "requires_grad=True" in repr(t) and "name='t'" in repr(t)


# ------------------------------------------------------------------ unbroadcast
@pytest.mark.parametrize(
    "grad_shape, shape",
    [((3, 4), (3, 4)), ((3, 4), (3, 1)), ((3, 4), (4,)), ((3, 4), ()), ((2, 3, 4), (1, 4)),
     ((2, 3, 4), (2, 1, 4)), ((2, 3, 4), (3, 1))],
)
def test_unbroadcast_sums_over_broadcast_axes(grad_shape, shape):
    grad = np.arange(np.prod(grad_shape), dtype=float).reshape(grad_shape)
    reduced = unbroadcast(grad, shape)
    assert reduced.shape == shape
    # Its defining property: <g, broadcast(v)> = <unbroadcast(g), v> for every v.
    v = np.random.default_rng(0).standard_normal(shape)
    assert np.sum(grad * np.broadcast_to(v, grad_shape)) == pytest.approx(np.sum(reduced * v))


def test_pow_with_a_negative_base_and_an_integer_exponent():
    a, b = leaf([-2.0, 3.0]), leaf([3.0, 2.0])
    (a**b).sum().backward()
    np.testing.assert_array_equal(a.grad, b.data * a.data ** (b.data - 1))  # b a^(b-1)
    # d(a^b)/db = a^b log a, taken as 0 where a <= 0 (log a undefined)
    np.testing.assert_allclose(b.grad, [0.0, 9.0 * np.log(3.0)], rtol=1e-15)


def test_numerical_oracle_sanity():
    """The oracle itself: d/dx Σ sin(x) = cos(x)."""
    x = np.array([0.1, 1.0, -2.0])
    g = numerical_gradient(lambda a: np.sin(a).sum(), [x], 0)
    np.testing.assert_allclose(g, np.cos(x), rtol=1e-8)


def test_a_fan_in_of_10000_inputs():
    xs = [leaf(float(i)) for i in range(10_000)]
    # One node with 10,000 parents, and a 10,000-deep chain of additions.
    stacked = al.stack(xs).sum()
    chained = xs[0]
    for x in xs[1:]:
        chained = chained + x * 2.0
    (stacked + chained).backward()
    # d/dx0 = 1 + 1; d/dxi = 1 + 2 for i > 0, derived by hand.
    assert xs[0].grad.item() == 2.0
    assert all(x.grad.item() == 3.0 for x in xs[1:])
    chained.zero_grad()
    assert all(x.grad.item() == 0.0 for x in xs)


def test_functional_gradients_are_the_callers_own_writable_arrays():
    gx, gy = al.grad(lambda x, y: (x + y).sum(), argnums=(0, 1))(np.ones(3), np.ones(3))
    assert gx is not gy and gx.flags.writeable and gy.flags.writeable
    gx += 1  # must not change gy
    np.testing.assert_array_equal(gy, np.ones(3))
    a, b = leaf(np.ones(3)), leaf(np.ones(3))
    upstream = np.array([1.0, 2.0, 3.0])
    ga, gb = gradients(a + b, [a, b], grad=upstream)
    assert ga is not upstream and gb is not upstream and ga is not gb
    ga *= 10
    np.testing.assert_array_equal(upstream, [1.0, 2.0, 3.0])


def test_the_zeroth_power_has_a_zero_derivative_even_at_zero():
    x = leaf(np.array([0.0, 1.0]))
    with np.errstate(all="raise"):
        (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])  # d(x^0)/dx = d(1)/dx = 0


@pytest.mark.parametrize("reduce", ["sum", "mean", "max"])
def test_a_bad_axis_type_is_a_clear_error(reduce):
    t = al.Tensor(np.ones((2, 3)))
    with pytest.raises(al.ShapeError, match=rf"{reduce}: axis must be None, an int or a tuple"):
        getattr(t, reduce)(axis=1.5)


# ------------------------------------------- the backward pass's order and bookkeeping
def test_gradients_of_0d_graphs_are_arrays_of_their_own():
    """Ops on 0-d arrays give NumPy scalars; every .grad is still an ndarray, never shared."""
    a, b, c = leaf(5.0), leaf(3.0), leaf(2.0)
    J = 3 * (a + b * c)
    J.backward()
    for t, expected in ((a, 3.0), (b, 6.0), (c, 9.0)):  # 3, 3c, 3b
        assert type(t.grad) is np.ndarray and t.grad.shape == () and t.grad.item() == expected
        assert t.grad.flags.writeable and t.grad.base is None
    a.grad += 1  # a's array is a's alone
    assert (b.grad.item(), c.grad.item()) == (6.0, 9.0)


def test_a_one_element_leaf_reached_three_times():
    x = leaf(np.full((1, 1), 0.5))
    (x * x + x).sum().backward()
    assert type(x.grad) is np.ndarray and x.grad.shape == (1, 1)
    assert x.grad.item() == 2 * 0.5 + 1  # d(x² + x)/dx = 2x + 1


def test_gradients_accumulate_into_existing_grads_over_several_paths():
    x = leaf([1.0, -2.0])
    x.grad = np.array([10.0, 20.0])
    kept = x.grad
    (x * x + x * 3 + x.exp()).sum().backward()
    # d/dx = 2x + 3 + e^x, added to what was there, in place
    np.testing.assert_allclose(x.grad, [10.0, 20.0] + 2 * x.data + 3 + np.exp(x.data))
    assert x.grad is kept


class _Failing(al.ops.base.Primitive):
    """y = x, whose derivative raises: a stand-in for any error during backward."""

    name = "failing"

    @staticmethod
    def forward(x):
        return x.copy(), None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        raise FloatingPointError("the derivative failed")


def test_a_pass_that_fails_changes_no_grad():
    a, b = leaf([1.0, 2.0], "a"), leaf([3.0, 4.0], "b")
    b.grad = np.array([7.0, 7.0])
    broken = al.ops.base.apply(_Failing, (a,))
    # Nodes made later are processed first: a and b receive gradients before the failure.
    J = broken.sum() + (a * b).sum() + (b * b).sum()
    with pytest.raises(FloatingPointError):
        J.backward()
    assert a.grad is None
    np.testing.assert_array_equal(b.grad, [7.0, 7.0])


def test_order_follows_creation_not_the_shape_of_the_graph():
    """A node made early but used late: u is made before everything it feeds, and is
    reached both directly and through a long chain made afterwards."""
    x = leaf([0.3, -0.7])
    u = x.exp()
    w = x * 2
    for _ in range(5):
        w = w.tanh() + u
    J = (w * u).sum()
    J.backward()

    def f(xv):
        u = np.exp(xv)
        w = xv * 2
        for _ in range(5):
            w = np.tanh(w) + u
        return float((w * u).sum())

    g_num = numerical_gradient(f, [x.data], 0)
    assert relative_difference(x.grad, g_num) < 1e-8


def test_python_number_constants_keep_their_sign_and_dtype():
    x = leaf(np.array([1.0, 2.0], dtype=np.float32))
    y = x * -0.0
    assert y.dtype == np.float32 and np.all(np.signbit(y.data))
    assert np.all(~np.signbit((x * 0.0).data))
    z = x * 3
    assert z.dtype == np.float32
    constant = next(p for p in z.parents if not p.requires_grad)
    with pytest.raises(ValueError):  # shared between graphs, so it cannot be changed
        constant.data += 1
    np.testing.assert_array_equal((x * 3).data, [3.0, 6.0])


def test_a_deep_copy_of_part_of_a_graph_can_be_differentiated_with_it():
    """A copy keeps its nodes' creation numbers: the backward pass must not compare nodes."""
    import copy

    x = leaf([0.5, -1.0])
    y = x * 3
    twins = [copy.deepcopy(y) for _ in range(3)]  # each with its own copy of x
    J = (y * sum(t.exp() for t in twins[1:]) + twins[0]).sum()
    J.backward()
    # dJ/dx through y only (the copies hang on copies of x): 3 · Σ e^(3x) over two twins
    np.testing.assert_allclose(x.grad, 3 * 2 * np.exp(3 * x.data), rtol=1e-13)
    copy_of_x = twins[0].parents[0]
    np.testing.assert_allclose(copy_of_x.grad, [3.0, 3.0])


def test_the_gradient_of_a_cost_over_all_axes_lands_as_an_array_of_its_own():
    """Sum and mean hand back one value repeated (a read-only view): .grad must own its copy."""
    x = leaf(np.arange(6.0).reshape(2, 3))
    x.mean().backward()
    assert x.grad.flags.writeable and x.grad.base is None and x.grad.flags.c_contiguous
    np.testing.assert_array_equal(x.grad, np.full((2, 3), 1 / 6))  # d(Σx/6)/dx = 1/6
    w = leaf(np.ones((2, 3)))
    (w * x).sum().backward()  # the view flows through mul first: dw = x
    np.testing.assert_array_equal(w.grad, x.data)
    x.grad[0, 0] = 100.0
    assert w.grad[0, 0] == 0.0


def test_an_unpickled_graph_is_renumbered_in_this_process():
    """Numbers from another process (here: faked as huge) must not order this process's
    backward pass: unpickling gives nodes new numbers, after their inputs'."""
    import pickle

    x = leaf(3.0, "x")
    y = x * 2.0
    y._seq = 10**12  # as if made by a process that had made many more nodes
    x2, y2 = pickle.loads(pickle.dumps((x, y)))
    a = y2 * 3.0
    z = y2 + a  # z = y + 3y = 8x
    (dz_dy,) = gradients(z, [y2], retain_graph=True)
    assert dz_dy.item() == 4.0
    z.backward()
    assert x2.grad.item() == 8.0 and x.grad is None


def test_a_graph_whose_numbers_contradict_it_is_a_clear_error():
    x = leaf(3.0)
    y = x * 2.0
    y._seq = 10**12  # numbered after the nodes that will use it
    z = y + y * 3.0
    with pytest.raises(RuntimeError, match="numbered after"):
        z.backward()
    assert x.grad is None


def test_a_freed_graph_stays_freed_through_pickle_and_copy():
    import copy
    import pickle

    y = leaf([1.0, 2.0]).exp()
    y.sum().backward()
    assert y.graph_freed
    assert pickle.loads(pickle.dumps(y)).graph_freed and copy.deepcopy(y).graph_freed


def test_create_graph_accumulates_a_differentiable_grad_even_inside_no_grad():
    x = leaf(2.0)
    a, b = x**3, x**3
    a.backward(create_graph=True)  # x.grad = 3x² = 12, a Tensor with a graph
    with al.no_grad():
        b.backward(create_graph=True)  # create_graph asks for a graph: it wins
    assert isinstance(x.grad, al.Tensor) and x.grad.requires_grad
    assert x.grad.item() == 24.0
    (d2,) = gradients(x.grad, [x])
    assert d2.item() == 24.0  # d(6x²)/dx = 12x


def test_a_grad_of_the_wrong_shape_is_a_clear_error_that_changes_no_grad():
    x, w = leaf(np.ones(3), "x"), leaf(np.ones(3), "w")
    x.grad = np.zeros(2)
    with pytest.raises(RuntimeError, match=r"'x' has shape \(3,\), but its .grad has shape"):
        (x * w).sum().backward()
    assert w.grad is None
    x.grad = np.zeros(3)
    x.grad.flags.writeable = False
    with pytest.raises(RuntimeError, match="read-only"):
        (x * w).sum().backward()
    assert w.grad is None


def test_a_grad_recorded_with_create_graph_survives_pickling_with_its_tensor():
    """y.grad = 2y is a graph that uses y, rebuilt before y itself when unpickled."""
    import copy
    import pickle

    x = leaf(2.0)
    y = x * x
    y.retain_grad()
    (y * y).backward(create_graph=True)  # y.grad = 2y
    for y2 in (pickle.loads(pickle.dumps(y)), copy.deepcopy(y)):
        (d,) = gradients(y2.grad, [y2.parents[0]])
        assert d.item() == 8.0  # d(2x²)/dx = 4x


class _Named(al.Tensor):
    """A Tensor subclass with a __dict__ (no __slots__ of its own)."""


def test_a_tensor_subclass_keeps_its_attributes_through_pickle_and_copy():
    import copy
    import pickle

    t = _Named([1.0])
    t.extra = 5
    for t2 in (pickle.loads(pickle.dumps(t)), copy.copy(t), copy.deepcopy(t)):
        assert t2.extra == 5 and isinstance(t2, _Named)


def test_existing_grads_are_all_checked_before_any_is_added():
    b, c = leaf([1.0, 2.0], "b"), leaf([3.0, 4.0], "c")
    b.grad = np.array([1, 1])  # integers cannot take a float gradient in place
    c.grad = np.array([10.0, 10.0])
    with pytest.raises(RuntimeError, match="'b' has shape \\(2,\\), but its .grad has dtype"):
        (b * c).sum().backward()
    np.testing.assert_array_equal(c.grad, [10.0, 10.0])
    x = leaf([1.0, 2.0, 3.0], "x")
    x.grad = al.Tensor(np.zeros((2, 3)))  # under create_graph too
    with pytest.raises(RuntimeError, match="'x' has shape \\(3,\\), but its .grad has shape"):
        (x * x).sum().backward(create_graph=True)
