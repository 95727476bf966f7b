"""The published walk (``al.backward_pass``) and the fused loop of ``J.backward()`` agree
bit for bit: on every op of the op table, on random programs over every primitive, and
on numbers (0-d arrays, where the fused loop runs add, sub and mul on Python floats).

Each graph is built twice from the same values; one copy goes through ``J.backward()``,
the other through the walk, whose ``totals`` give the leaves' gradients. The walk's
steps are also checked against what they promise (shares fitted to their inputs; each
total is the sum of the shares that reached it).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd_lite as al
from tests.fuzzing import programs, run
from tests.op_table import CASES, draw

relaxed = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def same_bits(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def compare_walk_and_fused(build, values, weights_seed=0):
    """build(*leaf tensors) -> list of outputs; J = Σ out ⊙ w."""
    rng = np.random.default_rng(weights_seed)

    def cost(leaves):
        outs = build(*leaves)
        outs = outs if isinstance(outs, (list, tuple)) else [outs]
        total = None
        for out in outs:
            w = rng_weights[id_of(out, outs)]
            term = (out * w).sum()
            total = term if total is None else total + term
        return total

    probe = build(*[al.Tensor(v.copy()) for v in values])
    probe = probe if isinstance(probe, (list, tuple)) else [probe]
    rng_weights = [rng.standard_normal(np.shape(o)).astype(o.dtype) for o in probe]

    def id_of(out, outs):
        return next(i for i, o in enumerate(outs) if o is out)

    fused = [al.Tensor(v.copy(), requires_grad=True) for v in values]
    cost(fused).backward()

    walked = [al.Tensor(v.copy(), requires_grad=True) for v in values]
    J = cost(walked)
    totals: dict = {}
    seed = np.ones(J.shape, dtype=J.dtype)
    for step in al.backward_pass(J, seed, totals=totals):
        for parent, share in zip(step.node.parents, step.shares):
            if share is not None:
                assert np.shape(share) == parent.shape and share.dtype == parent.dtype
    for f, w in zip(fused, walked):
        expected = f.grad if f.grad is not None else np.zeros(f.shape, f.dtype)
        got = totals.get(w, np.zeros(w.shape, w.dtype))
        assert same_bits(np.asarray(got, dtype=got.dtype), expected), (got, expected)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_walk_and_the_fused_loop_agree_on_every_op(case):
    arrays, _ = draw(case)
    compare_walk_and_fused(case.fn, arrays)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_they_agree_on_numbers(dtype):
    """J = 3(a + bc) - a·c: the fused loop's number path (Python floats) is the walk's NumPy."""
    values = [np.asarray(v, dtype=dtype) for v in (5.1, 3.3, -2.7)]
    compare_walk_and_fused(lambda a, b, c: 3 * (a + b * c) - a * c - (c - b), values)


@given(st.data(), st.integers(0, 2**32 - 1))
@relaxed
def test_they_agree_on_random_programs(data, seed):
    program = data.draw(programs())
    leaves = [np.asarray(v) for v in program.leaves]

    def build(*tensors):
        values = run(program, list(tensors), engine=True)
        return [values[i] for i in program.outputs()]

    with np.errstate(all="ignore"):
        compare_walk_and_fused(build, leaves, seed)


def test_each_step_is_the_chain_rule():
    """J = 3(a + bc): the steps, their upstream gradients and shares, as the course has them."""
    a, b, c = (al.Tensor(v, requires_grad=True, name=n) for v, n in ((5.0, "a"), (3.0, "b"),
                                                                     (2.0, "c")))
    u = b * c
    v = a + u
    J = 3 * v
    totals: dict = {}
    steps = list(al.backward_pass(J, np.ones(()), totals=totals))
    assert [s.node for s in steps] == [J, v, u]
    assert [float(s.upstream) for s in steps] == [1.0, 3.0, 3.0]
    assert [float(x) for x in steps[2].shares] == [6.0, 9.0]  # dJ/db = 3·c, dJ/dc = 3·b
    assert steps[0].shares[0] is None  # the constant 3 needs no gradient
    assert [float(totals[t]) for t in (a, b, c)] == [3.0, 6.0, 9.0]
    assert al.topological_order(J) == [u, v, J]


@pytest.mark.parametrize("requires", [(True, False), (False, True), (False, False)])
@pytest.mark.parametrize("shape", [(), (2, 3)])
def test_apply_and_binary_method_make_the_same_node(requires, shape):
    """The node-building lines of ops.base.apply and binary_method (written out twice on
    purpose: the per-op hot path) give tensors whose every slot agrees."""
    from autograd_lite.ops import elementwise
    from autograd_lite.ops.base import apply, binary_method

    rng = np.random.default_rng(3)
    x_value, y_value = rng.standard_normal(shape), rng.standard_normal(shape)
    made = []
    for build in (lambda x, y: apply(elementwise.Mul, (x, y)),
                  lambda x, y: binary_method(elementwise.Mul)(x, y)):
        x = al.Tensor(x_value, requires_grad=requires[0])
        y = al.Tensor(y_value, requires_grad=requires[1])
        out = build(x, y)
        made.append((out, x, y))
    (a, ax, ay), (b, bx, by) = made
    slots = [s for s in al.Tensor.__slots__ if s not in ("__weakref__", "_seq")]
    for slot in slots:
        va, vb = getattr(a, slot, "unset"), getattr(b, slot, "unset")
        if slot == "data":
            assert same_bits(va, vb)
        elif slot == "_parents":
            assert [id(t) for t in va] == ([id(ax), id(ay)] if va else [])
            assert [id(t) for t in vb] == ([id(bx), id(by)] if vb else [])
            assert len(va) == len(vb)
        else:
            assert va == vb, slot
    assert hasattr(a, "_seq") == hasattr(b, "_seq") == (requires != (False, False))


@pytest.mark.parametrize("grad_shape, shape, scalar", [
    ((3, 4), (3, 4), False), ((3, 4), (3, 1), False), ((3, 4), (1, 4), False),
    ((3, 4), (4,), False), ((2, 3, 4), (3, 1), False), ((3, 4), (), False),
    ((), (), False), ((), (), True),
])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_an_edge_plan_fits_a_gradient_to_its_input(grad_shape, shape, scalar, dtype):
    """plan_edge's steps make an op's gradient its input's share: the input's shape and dtype,
    summed over the broadcast axes (the adjoint of broadcasting: <g, broadcast(v)> =
    <share, v>). A share the plan made (new_array) shares no memory with the gradient, and
    own_array makes any share an array of its own, as a leaf's .grad needs."""
    from autograd_lite.engine import own_array, plan_edge

    rng = np.random.default_rng(4)
    g = rng.standard_normal(grad_shape)
    g = g[()] if scalar else g  # a NumPy scalar, as an op on 0-d arrays may return
    plan = plan_edge(g, np.zeros(shape, dtype=dtype))
    share = plan.apply(g)
    assert type(share) is np.ndarray and share.shape == shape and share.dtype == dtype
    v = rng.standard_normal(shape)
    assert np.sum(g * np.broadcast_to(v, grad_shape)) == pytest.approx(
        np.sum(share.astype(np.float64) * v), rel=1e-6)
    if plan.new_array:
        assert share.base is None and not np.shares_memory(share, g)
    owned = own_array(share, g)
    assert owned.base is None and not np.shares_memory(owned, g)
    assert np.array_equal(owned, share)
