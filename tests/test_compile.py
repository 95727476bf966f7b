"""autograd_lite.compile.trace: a recorded step replays to exactly the eager gradients."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite.compile import TracedStep, trace
from autograd_lite.ops.base import Primitive

try:
    from autograd_lite.nn import binary_cross_entropy_with_logits
except ImportError:  # nn not there: the cost from ops is still tested
    binary_cross_entropy_with_logits = None


def bce_from_ops(Z, Y):
    A = al.sigmoid(Z)
    return -(Y * al.log(A) + (1 - Y) * al.log(1 - A)).mean()


def bce_fused(Z, Y):
    if binary_cross_entropy_with_logits is None:
        pytest.skip("autograd_lite.nn.binary_cross_entropy_with_logits is not available")
    return binary_cross_entropy_with_logits(Z, Y)


COSTS = [pytest.param(bce_from_ops, id="cost-from-ops"), pytest.param(bce_fused, id="cost-nn")]


def tensors(arrays):
    return {k: al.Tensor(np.array(v), requires_grad=True) for k, v in arrays.items()}


def shallow_params(rng, dtype=np.float64):
    return {
        "W1": (rng.standard_normal((4, 2)) * 0.5).astype(dtype),
        "b1": (rng.standard_normal((4, 1)) * 0.1).astype(dtype),
        "W2": (rng.standard_normal((1, 4)) * 0.5).astype(dtype),
        "b2": np.zeros((1, 1), dtype=dtype),
    }


def shallow_cost(p, cost):
    def forward(X, Y):
        A1 = al.tanh(p["W1"] @ X + p["b1"])
        return cost(p["W2"] @ A1 + p["b2"], Y)

    return forward


def logreg_cost(p, cost):
    def forward(X, Y):
        return cost(p["w"].T @ X + p["b"], Y)

    return forward


def sgd(params, lr):
    with al.no_grad():
        for t in params.values():
            t.data -= lr * t.grad
            t.grad = None


def eager_step(forward, *args):
    cost = forward(*(al.Tensor(a) for a in args))
    cost.backward()
    return cost.item()


def assert_identical(eager, traced):
    for key in eager:
        assert traced[key].grad is not None, key
        assert traced[key].grad.shape == eager[key].grad.shape, key
        assert traced[key].grad.dtype == eager[key].grad.dtype, key
        assert np.array_equal(traced[key].grad, eager[key].grad), (
            key, np.abs(traced[key].grad - eager[key].grad).max())


def step_both(step, eager_cost, eager, traced, args, lr):
    """One step of the replay and of eager autograd on the same data: the same cost, the
    same gradients; then the same SGD update of both."""
    assert step(*args) == eager_step(eager_cost, *args)
    assert_identical(eager, traced)
    sgd(eager, lr)
    sgd(traced, lr)


def batches(rng, n_x, m, count, dtype=np.float64):
    for _ in range(count):
        X = rng.standard_normal((n_x, m)).astype(dtype)
        Y = (rng.random((1, m)) > 0.5).astype(dtype)
        yield X, Y


# --------------------------------------------------------------------------- the models


@pytest.mark.parametrize("cost", COSTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_shallow_network_matches_eager_over_sgd_steps(cost, dtype):
    rng = np.random.default_rng(0)
    init = shallow_params(rng, dtype)
    eager, traced = tensors(init), tensors(init)
    data = list(batches(rng, 2, 50, 6, dtype))
    step = trace(shallow_cost(traced, cost), *data[0])
    assert isinstance(step, TracedStep)
    assert {id(p) for p in step.parameters} == {id(t) for t in traced.values()}
    for X, Y in data:  # new data at every step, parameters updated in place in between
        eager_cost = eager_step(shallow_cost(eager, cost), X, Y)
        traced_cost = step(X, Y)
        assert isinstance(traced_cost, float)
        assert traced_cost == eager_cost
        assert_identical(eager, traced)
        sgd(eager, 1.2)
        sgd(traced, 1.2)
    for key in init:  # and the parameters really moved, identically
        assert not np.array_equal(traced[key].data, init[key])
        assert np.array_equal(traced[key].data, eager[key].data)


@pytest.mark.parametrize("cost", COSTS)
def test_logistic_regression_matches_eager_over_sgd_steps(cost):
    rng = np.random.default_rng(1)
    init = {"w": rng.standard_normal((30, 1)) * 0.1, "b": 0.0}  # b a scalar, as the course's
    eager, traced = tensors(init), tensors(init)
    data = list(batches(rng, 30, 20, 5))
    step = trace(logreg_cost(traced, cost), *data[0])
    for X, Y in data:
        assert step(X, Y) == eager_step(logreg_cost(eager, cost), X, Y)
        assert_identical(eager, traced)
        assert traced["b"].grad.shape == ()
        sgd(eager, 0.5)
        sgd(traced, 0.5)


def test_gradients_agree_with_the_hand_derived_formulas():
    from autograd_lite import reference

    rng = np.random.default_rng(2)
    init = shallow_params(rng)
    p = tensors(init)
    X, Y = next(batches(rng, 2, 40, 1))
    step = trace(shallow_cost(p, bce_from_ops), X, Y)
    cost = step(X, Y)
    ref_cost, ref_grads = reference.shallow_network(init, X, Y, activation="tanh")
    assert cost == pytest.approx(ref_cost, rel=1e-12)
    for key in init:
        np.testing.assert_allclose(p[key].grad, ref_grads["d" + key], rtol=1e-9, atol=1e-14)


# --------------------------------------------------------------------------- semantics


def test_shape_mismatch_names_the_argument_and_both_shapes():
    p = tensors({"w": np.ones((3, 1)), "b": 0.0})
    step = trace(logreg_cost(p, bce_from_ops), np.ones((3, 5)), np.ones((1, 5)))
    with pytest.raises(ValueError, match=r"'X'.*\(3, 4\).*\(3, 5\)"):
        step(np.ones((3, 4)), np.ones((1, 4)))
    with pytest.raises(ValueError, match=r"'Y'.*\(5, 1\).*\(1, 5\)"):
        step(np.ones((3, 5)), np.ones((5, 1)))
    with pytest.raises(ValueError, match=r"'X'.*float32.*float64"):
        step(np.ones((3, 5), dtype=np.float32), np.ones((1, 5)))
    with pytest.raises(TypeError, match="takes 2 arguments"):
        step(np.ones((3, 5)))
    assert p["w"].grad is None  # nothing ran


def test_parameter_shape_change_is_an_error():
    p = tensors({"w": np.ones((3, 1)), "b": 0.0})
    step = trace(logreg_cost(p, bce_from_ops), np.ones((3, 5)), np.ones((1, 5)))
    p["w"].data = np.ones((4, 1))
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(3, 1\)"):
        step(np.ones((3, 5)), np.ones((1, 5)))


def test_the_current_parameter_data_is_read_at_each_call():
    w = al.Tensor(np.array([[1.0, 2.0]]), requires_grad=True)

    def cost(X):
        return (w @ X).sum()

    step = trace(cost, np.ones((2, 1)))
    assert step(np.ones((2, 1))) == 3.0
    w.data = np.array([[10.0, 20.0]])  # a new array, not an in-place update
    assert step(np.ones((2, 1))) == 30.0
    w.data *= 2  # in place
    assert step(np.ones((2, 1))) == 60.0


def test_constants_numbers_and_captured_tensors():
    rng = np.random.default_rng(3)
    frozen = rng.standard_normal((3, 4))  # an ndarray captured by the function
    scale = al.Tensor(rng.standard_normal((3, 1)))  # a Tensor that needs no grad
    init = {"W": rng.standard_normal((3, 3))}

    def make(p):
        def forward(X, Y):
            Z = 2.5 * (p["W"] @ X) + frozen - 1  # numbers and an array, both sides
            A = al.tanh(Z * scale) / 3.0
            return ((A - Y) ** 2).sum() + 0.5 * (p["W"] ** 2).sum()  # a regularizer

        return forward

    eager, traced = tensors(init), tensors(init)
    data = [(rng.standard_normal((3, 4)), rng.standard_normal((3, 4))) for _ in range(3)]
    step = trace(make(traced), *data[0])
    for X, Y in data:
        step_both(step, make(eager), eager, traced, (X, Y), 0.1)


def test_values_computed_from_the_data_are_recomputed():
    # 1 - Y needs no gradient, and Z > 0 is a plain boolean array: both depend on the
    # data, so a replay on new data must recompute them rather than reuse the traced ones.
    rng = np.random.default_rng(4)
    init = {"W": rng.standard_normal((2, 2))}

    def make(p):
        def forward(X, Y):
            Z = p["W"] @ X
            leaky = al.where(Z > 0, Z, 0.1 * Z)
            return (leaky * (1 - Y) + Y * Z).mean()

        return forward

    eager, traced = tensors(init), tensors(init)
    X0, Y0 = np.ones((2, 3)), np.zeros((2, 3))
    step = trace(make(traced), X0, Y0)
    for _ in range(4):
        X, Y = rng.standard_normal((2, 3)), (rng.random((2, 3)) > 0.5) * 1.0
        assert step(X, Y) == eager_step(make(eager), X, Y)
        assert_identical(eager, traced)
        traced["W"].grad = eager["W"].grad = None


def test_reused_values_and_many_primitives():
    # Gradients that reach a value along several paths, reductions over axes,
    # reshapes, transposes, indexing, concatenation and softmax: all identical.
    rng = np.random.default_rng(5)
    init = {"W": rng.standard_normal((4, 3)), "v": rng.standard_normal((4,))}

    def make(p):
        def forward(X):
            y = p["W"] @ X
            r = y + al.exp(y * 0.1) * y  # y reused along three paths
            s = al.softmax(r, axis=0)
            t = al.log_softmax(r.T.reshape(-1, 4), axis=1)
            parts = al.concatenate([s[1:, :], t.T[:1, :]], axis=0)
            return (parts.max(axis=0).sum() + (r * p["v"].reshape(4, 1)).mean(axis=1).sum()
                    + al.sqrt(p["v"] * p["v"] + 1.0).sum())

        return forward

    eager, traced = tensors(init), tensors(init)
    step = trace(make(traced), rng.standard_normal((3, 5)))
    for _ in range(3):
        step_both(step, make(eager), eager, traced, (rng.standard_normal((3, 5)),), 0.05)


def test_gradients_accumulate_like_eager_backward():
    rng = np.random.default_rng(6)
    init = shallow_params(rng)
    eager, traced = tensors(init), tensors(init)
    X, Y = next(batches(rng, 2, 10, 1))
    step = trace(shallow_cost(traced, bce_from_ops), X, Y)
    for _ in range(3):  # no zeroing in between: the gradients add up
        step(X, Y)
        eager_step(shallow_cost(eager, bce_from_ops), X, Y)
    assert_identical(eager, traced)


def test_trace_records_nothing_into_grads_and_restores_the_primitives():
    forwards = {cls: cls.__dict__.get("forward") for cls in _primitive_classes()}
    comparisons = {n: al.Tensor.__dict__[n] for n in ("__lt__", "__gt__", "__eq__")}
    p = tensors({"w": np.ones((3, 1)), "b": 0.0})
    trace(logreg_cost(p, bce_from_ops), np.ones((3, 5)), np.ones((1, 5)))
    assert p["w"].grad is None and p["b"].grad is None

    def broken(X):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        trace(broken, np.ones(2))
    assert {cls: cls.__dict__.get("forward") for cls in _primitive_classes()} == forwards
    assert {n: al.Tensor.__dict__[n] for n in comparisons} == comparisons


def _primitive_classes():
    found, stack = [], [Primitive]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


def test_trace_inside_no_grad_still_records():
    p = tensors({"w": np.ones((3, 1)), "b": 0.0})
    with al.no_grad():
        step = trace(logreg_cost(p, bce_from_ops), np.ones((3, 5)), np.ones((1, 5)))
    step(np.ones((3, 5)), np.ones((1, 5)))
    assert p["w"].grad is not None


def test_clear_errors_for_what_cannot_be_traced():
    w = al.Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(TypeError, match="one element"):
        trace(lambda X: w * X, np.ones(3))
    with pytest.raises(RuntimeError, match="requires grad"):
        trace(lambda X: al.Tensor(X).sum(), np.ones(3))
    with pytest.raises(TypeError, match="requires grad"):
        trace(lambda X: (w * X).sum(), al.Tensor(np.ones(3), requires_grad=True))


def test_source_and_repr_describe_the_program():
    p = tensors(shallow_params(np.random.default_rng(7)))
    X, Y = np.ones((2, 3)), np.ones((1, 3))
    step = trace(shallow_cost(p, bce_from_ops), X, Y)
    assert step.source.startswith("def replay(")
    assert "tanh_forward" in step.source and "tanh_backward" in step.source
    assert "4 parameters" in repr(step)


def test_replays_free_their_arrays():
    rng = np.random.default_rng(8)
    p = tensors(shallow_params(rng))
    X, Y = next(batches(rng, 2, 100, 1))
    step = trace(shallow_cost(p, bce_from_ops), X, Y)
    for _ in range(5):
        step(X, Y)
        sgd(p, 0.1)
    tracemalloc.start()
    try:
        for i in range(300):
            step(X, Y)
            sgd(p, 0.1)
            if i == 9:
                gc.collect()  # also empties Python's free lists, which tracemalloc counts
                start = tracemalloc.get_traced_memory()[0]
        gc.collect()
        growth = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    # Keeping one step's arrays (~20 KiB) would add ~5.8 MB over 290 steps, and keeping even
    # one (1, 100) array a step ~230 KiB; interpreter-internal noise seen here is < 10 KiB.
    assert growth < 64 * 1024


# --------------------------------------------------------------------------- the engine's order


def shared_paths_cost(p):
    """A graph whose order by creation differs from a depth-first topological order.

    h is reached along paths of different lengths, W and c along several, and b (a 0-d
    parameter) at the root itself: the gradients that meet there are added up in the
    order the engine visits the nodes, so any other order gives different last bits.
    """

    def forward(X):
        h = al.tanh(p["W"] @ X + p["c"])  # c (4, 1) broadcast over the columns
        long = al.exp(al.tanh(h * 0.3) * 0.5) * h  # h reached again at the end of a chain
        short = h * h  # and twice more, directly
        mid = al.sqrt(long * long + short + 2.0)
        u = (mid * p["v"]).sum(axis=0)  # v (4, 1) as well
        reg = (p["W"] * p["W"]).sum() * 0.01 + (p["W"] @ X).mean()  # W again, twice more
        return (u * u).mean() + reg + (h.T @ p["W"]).sum() * p["b"] + p["b"] * p["b"] + p["b"]

    return forward


def shared_paths_params(rng):
    return {
        "W": rng.standard_normal((4, 4)) * 0.5,
        "c": rng.standard_normal((4, 1)) * 0.1,
        "v": rng.standard_normal((4, 1)),
        "b": 0.3,
    }


def test_order_by_creation_and_parameters_reached_along_several_paths():
    rng = np.random.default_rng(11)
    init = shared_paths_params(rng)
    eager, traced = tensors(init), tensors(init)
    step = trace(shared_paths_cost(traced), rng.standard_normal((4, 7)))
    for _ in range(4):
        X = rng.standard_normal((4, 7))
        step_both(step, shared_paths_cost(eager), eager, traced, (X,), 0.05)


def test_gradients_already_there_are_added_as_eager_adds_them():
    # .grad set before the first step (some parameters only), then two steps without
    # zeroing: the engine sums a pass's gradients apart and adds the sum at the end.
    rng = np.random.default_rng(12)
    init = shared_paths_params(rng)
    eager, traced = tensors(init), tensors(init)
    for key in ("W", "b"):
        start = rng.standard_normal(np.shape(init[key]))
        eager[key].grad, traced[key].grad = np.array(start), np.array(start)
    step = trace(shared_paths_cost(traced), rng.standard_normal((4, 5)))
    kept = {key: traced[key].grad for key in ("W", "b")}
    for _ in range(2):
        X = rng.standard_normal((4, 5))
        assert step(X) == eager_step(shared_paths_cost(eager), X)
        assert_identical(eager, traced)
    for key, array in kept.items():  # added into in place, as eager does
        assert traced[key].grad is array


def test_traced_gradients_match_finite_differences():
    rng = np.random.default_rng(13)
    init = shared_paths_params(rng)
    p = tensors(init)
    X = rng.standard_normal((4, 6))
    step = trace(shared_paths_cost(p), X)
    step(X)
    h = 1e-6
    for key, index in [("W", (0, 1)), ("W", (3, 2)), ("c", (2, 0)), ("v", (1, 0)), ("b", ())]:
        probe = tensors(init)
        f = shared_paths_cost(probe)
        with al.no_grad():
            probe[key].data[index] += h
            up = f(al.Tensor(X)).item()
            probe[key].data[index] -= 2 * h
            down = f(al.Tensor(X)).item()
        numeric = (up - down) / (2 * h)
        assert p[key].grad[index] == pytest.approx(numeric, rel=1e-6, abs=1e-8), key


class Fragile(Primitive):
    """y = x, whose backward fails on request (a test of a pass that fails midway).

    ``fail``: None, or a function called just before the backward raises.
    """

    name = "fragile"
    fail = None

    @staticmethod
    def forward(x):
        return x.copy(), None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        if Fragile.fail is not None:
            Fragile.fail()
            raise RuntimeError("boom in backward")
        return (g,)


def test_a_failed_replay_changes_no_grad():
    from autograd_lite.ops.base import apply

    rng = np.random.default_rng(14)
    init = {k: rng.standard_normal((2, 3)) for k in ("w1", "w2", "w3")}

    def make(p):
        def forward(X):
            # Visited last to first: w1's gradient is written, w2's summed, then it fails.
            a = apply(Fragile, (p["w3"] * X,)).sum()
            b = (p["w2"] * X).sum()
            return a + b + (p["w1"] * X * X).sum()

        return forward

    eager, traced = tensors(init), tensors(init)
    for t in (eager, traced):
        t["w2"].grad = np.ones((2, 3))
    before = traced["w2"].grad
    X = rng.standard_normal((2, 3))
    step = trace(make(traced), X)
    written = []
    try:
        for p, run in [(eager, lambda: eager_step(make(eager), X)), (traced, lambda: step(X))]:
            Fragile.fail = lambda p=p: written.append(p["w1"].grad is not None)
            with pytest.raises(RuntimeError, match="boom in backward"):
                run()
    finally:
        Fragile.fail = None
    assert written == [True, True]  # w1's .grad was written when the pass failed
    for t in (eager, traced):
        assert t["w1"].grad is None and t["w3"].grad is None
        assert np.array_equal(t["w2"].grad, np.ones((2, 3)))
    assert traced["w2"].grad is before
    assert step(X) == eager_step(make(eager), X)  # and it runs again once the op works
    assert_identical(eager, traced)


def test_gradients_are_cast_to_the_parameter_dtype():
    rng = np.random.default_rng(15)
    init = {"W": rng.standard_normal((3, 2)).astype(np.float32),
            "b": rng.standard_normal((3,)).astype(np.float32)}

    def make(p):
        def forward(X):  # X float64: the products are float64, the gradients cast back
            return al.tanh(p["W"] @ X + p["b"].reshape(3, 1)).sum()

        return forward

    eager, traced = tensors(init), tensors(init)
    step = trace(make(traced), rng.standard_normal((2, 4)))
    for _ in range(2):
        X = rng.standard_normal((2, 4))
        assert step(X) == eager_step(make(eager), X)
        assert traced["W"].grad.dtype == np.float32
        assert_identical(eager, traced)


def test_parameter_dtype_and_captured_tensor_shape_changes_are_errors():
    p = tensors({"w": np.ones((3, 1)), "b": 0.0})
    scale = al.Tensor(np.full((1, 5), 2.0))

    def cost(X, Y):
        return bce_from_ops((p["w"].T @ X + p["b"]) * scale, Y)

    step = trace(cost, np.ones((3, 5)), np.ones((1, 5)))
    p["w"].data = np.ones((3, 1), dtype=np.float32)
    with pytest.raises(ValueError, match=r"parameter.*float32.*float64"):
        step(np.ones((3, 5)), np.ones((1, 5)))
    p["w"].data = np.ones((3, 1))
    scale.data = np.full((1, 1), 2.0)
    with pytest.raises(ValueError, match=r"captured tensor.*\(1, 1\).*\(1, 5\)"):
        step(np.ones((3, 5)), np.ones((1, 5)))
    scale.data = np.full((1, 5), 3.0)  # same shape, new values: seen
    assert step(np.ones((3, 5)), np.ones((1, 5))) == pytest.approx(
        eager_step(cost, np.ones((3, 5)), np.ones((1, 5))))


def test_a_cost_divided_by_a_number_replays_to_the_same_bits():
    """div hands the cost a NumPy scalar gradient; the engine makes it an array on the way,
    and the replay must do the same (a loss whose backward reads g could differ otherwise)."""
    init = {"W": np.array([[0.5]])}
    eager, traced = tensors(init), tensors(init)
    X = np.arange(1.0, 12.0).reshape(1, 11) / 10
    Y = np.ones((1, 11))

    def make(p):
        def forward(X, Y):
            return al.nn.binary_cross_entropy_with_logits(p["W"] @ X, Y) / 3.0 - 0.5

        return forward

    step = trace(make(traced), X, Y)
    for _ in range(3):
        step_both(step, make(eager), eager, traced, (X, Y), 0.5)


# --------------------------------------------------------------------------- the per-edge plan


@pytest.mark.parametrize("change", [
    pytest.param({"cast": np.dtype(np.float32)}, id="cast"),
    pytest.param({"sum_axes": (0, 1), "shape": (1, 1)}, id="sum"),
    pytest.param({"sum_axes": (0, 1), "reshape": True, "shape": (1,)}, id="sum-and-reshape"),
])
def test_the_replay_does_what_each_edges_plan_says(monkeypatch, change):
    """The replay's per-edge steps are engine.plan_edge's EdgePlans, not rules of its own:
    under plans changed for the edges into b1 (4, 1), the replay's b1.grad follows the
    change, and every gradient is, bit for bit, what the engine's walk gives under the
    same plans."""
    from autograd_lite import engine

    real = engine.plan_edge

    def changed(grad, data):
        plan = real(grad, data)
        return plan._replace(**change) if data.shape == (4, 1) else plan

    monkeypatch.setattr(engine, "plan_edge", changed)
    rng = np.random.default_rng(16)
    init = shallow_params(rng)
    X, Y = next(batches(rng, 2, 50, 1))
    traced, walked = tensors(init), tensors(init)
    trace(shallow_cost(traced, bce_from_ops), X, Y)(X, Y)
    J = shallow_cost(walked, bce_from_ops)(al.Tensor(X), al.Tensor(Y))
    totals: dict = {}
    for _ in al.backward_pass(J, np.ones(()), totals=totals):
        pass
    b1 = traced["b1"].grad
    assert b1.shape == change.get("shape", (4, 1))
    assert b1.dtype == change.get("cast", np.float64)
    for key in init:
        got, want = traced[key].grad, np.asarray(totals[walked[key]])
        assert (got.shape, got.dtype) == (want.shape, want.dtype), key
        assert got.tobytes() == want.tobytes(), key
