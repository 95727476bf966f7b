"""The fuzzer: random graphs over every primitive, checked against numerical gradients.

Each example is a random program (tests/fuzzing.py, over the fuzz ops of the rows of
tests/op_table.py): inputs of random mutually broadcastable shapes, then elementwise ops,
activations, reductions over random axes, matmul and dot, reshapes, transposes, indexing,
concatenate, stack, broadcast_to, casts, softmax, log_softmax, the fused dense layer and
the fused costs, with new leaves where an op needs an operand of a particular shape.
Domains are kept valid and kinks avoided.

- float64: the forward pass equals the NumPy twin, every input's gradient equals the
  two-sided numerical gradient (relative difference < 1e-6), and the graph-building
  backward (create_graph=True) gives the same values.
- float32: every value and every gradient stays float32, and values and gradients agree
  with the float64 engine's on the same inputs (itself checked against numerical
  gradients above) to float32 accuracy (relative difference < 1e-3).

Every op is also fuzzed on its own (a few graphs each that start with it), and a test
checks that the ops cover every Primitive in autograd_lite.ops.

Quick by default (a few seconds); HYPOTHESIS_PROFILE=long runs twenty times as many graphs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd_lite as al
from autograd_lite.engine import gradients
from tests.fuzzing import all_primitives, close, primitives_in, programs, run
from tests.numerical import numerical_gradient
from tests.op_table import OPS

ROOT = Path(__file__).resolve().parent.parent

#: Random graphs per test, from the hypothesis profile (tests/conftest.py).
EXAMPLES = 4 * settings().max_examples
#: Graphs that start with a given op, per op.
PER_OP = max(3, settings().max_examples // 6)

relaxed = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
seeds = st.integers(0, 2**32 - 1)


def outputs(program, leaves, engine):
    values = run(program, leaves, engine)
    return [values[i] for i in program.outputs()]


def cost(outs, weights):
    """J = Σ_k Σ out_k ⊙ w_k: every output reaches J, each with its own random weights."""
    return sum((out * w).sum() for out, w in zip(outs, weights))


def random_weights(seed, outs, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(np.shape(out)).astype(dtype) for out in outs]


def check_float64(program, seed):
    """Forward, backward and create_graph against the NumPy twins and numerical gradients;
    returns the primitives that the graphs recorded."""
    leaves = program.leaves
    expected = outputs(program, leaves, engine=False)
    weights = random_weights(seed, expected)

    tensors = [al.Tensor(v.copy(), requires_grad=True) for v in leaves]
    outs = outputs(program, tensors, engine=True)
    for out, value in zip(outs, expected):
        assert out.dtype == np.float64 and out.shape == np.shape(value)
        np.testing.assert_allclose(out.data, value, rtol=1e-9, atol=1e-12)
    J = cost(outs, weights)
    graph_grads = gradients(J, tensors, create_graph=True)
    J.backward()

    def J_numpy(*xs):
        return cost(outputs(program, xs, engine=False), weights)

    # Two-sided differences lose about 1e-16 |J| / 1e-6 to rounding per element, where |J|
    # is the size of the terms of the sum (not of the sum, which may cancel).
    noise = 1e-9 * (1.0 + sum(np.sum(np.abs(e * w)) for e, w in zip(expected, weights)))
    used = program.used_leaves()
    for i, (t, g_graph) in enumerate(zip(tensors, graph_grads)):
        g_num = numerical_gradient(J_numpy, leaves, i)
        if i not in used:
            assert t.grad is None and not g_num.any()
            continue
        assert t.grad.shape == leaves[i].shape and t.grad.dtype == np.float64
        assert close(t.grad, g_num, atol=noise * np.sqrt(g_num.size)), (i, t.grad, g_num)
        np.testing.assert_allclose(g_graph.data, t.grad, rtol=1e-9, atol=1e-12)
    return primitives_in(J, *graph_grads)


def check_float32(program, seed):
    """Every value and gradient float32; gradients as the float64 engine's, to float32
    accuracy."""
    leaves = [v.astype(np.float32) for v in program.leaves]
    t32 = [al.Tensor(v, requires_grad=True) for v in leaves]
    t64 = [al.Tensor(v.astype(np.float64), requires_grad=True) for v in leaves]
    nodes = run(program, t32, engine=True)
    for node in nodes:
        assert node.dtype == np.float32, (node.op, node.dtype)
    outs32 = [nodes[i] for i in program.outputs()]
    outs64 = outputs(program, t64, engine=True)
    weights = random_weights(seed, outs64)
    # float32 keeps about 7 digits; a graph may lose a few more where it is ill-conditioned
    # (log(1 - A) with A near 1, sums that cancel), so 1e-3 of the terms' size is allowed.
    scale = 1.0 + sum(np.sum(np.abs(out.data * w)) for out, w in zip(outs64, weights))
    for a, b in zip(outs32, outs64):
        assert close(a.data, b.data, rtol=1e-4, atol=1e-6 * scale), (a, b)
    cost(outs32, [w.astype(np.float32) for w in weights]).backward()
    cost(outs64, weights).backward()
    used = program.used_leaves()
    for i, (a, b) in enumerate(zip(t32, t64)):
        if i not in used:
            assert a.grad is None and b.grad is None
            continue
        assert a.grad.dtype == np.float32 and a.grad.shape == leaves[i].shape
        assert close(a.grad, b.grad, rtol=1e-3, atol=1e-5 * scale), (i, a.grad, b.grad)


def test_the_fuzzer_covers_every_primitive():
    covered = set().union(*(op.primitives for op in OPS.values()))
    missing = {p.__name__ for p in all_primitives() - covered}
    assert not missing, f"primitives that no fuzzer op records: {sorted(missing)}"


@settings(relaxed, max_examples=EXAMPLES)
@given(programs(), seeds)
def test_random_graphs_float64(program, seed):
    check_float64(program, seed)


@settings(relaxed, max_examples=EXAMPLES)
@given(programs(), seeds)
def test_random_graphs_float32(program, seed):
    check_float32(program, seed)


@pytest.mark.parametrize("name", sorted(OPS))
@settings(relaxed, max_examples=PER_OP)
@given(data=st.data())
def test_each_op_in_random_graphs(name, data):
    program = data.draw(programs(first=name), label="program")
    seed = data.draw(seeds, label="seed")
    recorded = check_float64(program, seed)
    assert OPS[name].primitives <= recorded, (name, OPS[name].primitives - recorded)
    check_float32(program, seed)


def test_ci_runs_are_derandomized_unless_a_profile_is_named():
    """CI=true loads the "ci" profile (the same examples every run); HYPOTHESIS_PROFILE wins."""
    probe = (
        "import tests.conftest\n"
        "from hypothesis import settings\n"
        "print(settings._current_profile, settings().derandomize, settings().max_examples)\n"
    )

    def loaded(**env):
        environment = {k: v for k, v in os.environ.items()
                       if k not in ("CI", "HYPOTHESIS_PROFILE")}
        result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                                env={**environment, **env}, cwd=ROOT, check=True)
        return result.stdout.split()

    assert loaded(CI="true") == ["ci", "True", "100"]
    assert loaded(CI="true", HYPOTHESIS_PROFILE="long")[::2] == ["long", "2000"]
    assert loaded() == ["default", "False", "100"]
