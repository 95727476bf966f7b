"""Graphs are freed: memory does not grow over a training loop, nothing is kept in cycles."""

import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import data, nn, optim


def shallow_step(params, X, Y, lr=0.1):
    W1, b1, W2, b2 = params
    A1 = al.tanh(W1 @ X + b1)
    A2 = al.sigmoid(W2 @ A1 + b2)
    cost = -(Y * al.log(A2) + (1 - Y) * al.log(1 - A2)).mean()
    cost.backward()
    with al.no_grad():
        for p in params:
            p.data -= lr * p.grad
            p.grad = None
    return cost.item()


def test_training_loop_of_1000_steps_does_not_grow():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 200))
    Y = (X[0:1] * X[1:2] > 0).astype(float)
    params = [
        al.Tensor(rng.standard_normal((4, 2)) * 0.5, requires_grad=True),
        al.Tensor(np.zeros((4, 1)), requires_grad=True),
        al.Tensor(rng.standard_normal((1, 4)) * 0.5, requires_grad=True),
        al.Tensor(np.zeros((1, 1)), requires_grad=True),
    ]
    gc.disable()  # growth must not depend on the cycle collector: graphs have no cycles
    try:
        tracemalloc.start()
        for _ in range(100):
            shallow_step(params, X, Y)
        after_warmup = tracemalloc.get_traced_memory()[0]
        for _ in range(900):
            shallow_step(params, X, Y)
        after_loop = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
    finally:
        gc.enable()
    # Keeping one (1, 200) array a step would add 1.4 MB over 900 steps; what remains is
    # CPython's free lists of small tuples filling up (tens of KiB, then flat).
    assert after_loop - after_warmup < 256 * 1024, (after_warmup, after_loop)


def test_graph_is_released_by_reference_counting_alone():
    x = al.Tensor(np.ones(3), requires_grad=True)
    y = al.tanh(x * 2)
    probe = weakref.ref(y)
    z = y.sum()
    z.backward()
    del y, z
    assert probe() is None  # no cycle kept the intermediate alive


def _graph_nodes(root):
    """Every non-leaf tensor of root's graph (an explicit stack: no recursion)."""
    seen, stack, nodes = set(), [root], []
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if not t.is_leaf:
            nodes.append(t)
        stack.extend(t.parents)
    return nodes


def _saved_arrays(node):
    """The arrays an op saved for its backward (inside tuples, such as an index)."""
    found, stack = [], [node._saved]
    while stack:
        item = stack.pop()
        if isinstance(item, np.ndarray):
            found.append(item)
        elif isinstance(item, tuple):
            stack.extend(item)
    return found


def _course_step_graph():
    """A graph whose ops save arrays: softmax cross-entropy saves log A, indexing its
    index, where its condition; and the dense layer, ReLU, mean, ..."""
    rng = np.random.default_rng(0)
    model = nn.MLP([3, 5, 4], hidden="relu", output=None, seed=0)
    X = rng.standard_normal((3, 8))
    Z = model(X)
    picked = Z[:, np.array([0, 2, 2, 7])]
    gated = al.where(picked.data > 0, picked, 0.1 * picked)
    Y = np.eye(4)[:, rng.integers(0, 4, 8)]
    return nn.cross_entropy(Z, Y) + gated.mean(), model


def test_backward_frees_every_saved_buffer_and_a_second_backward_raises():
    J, model = _course_step_graph()
    nodes = _graph_nodes(J)
    buffers = [weakref.ref(a) for node in nodes for a in _saved_arrays(node)]
    assert len(buffers) >= 3 and not any(node.graph_freed for node in nodes)
    J.backward()
    assert all(node.graph_freed for node in nodes)
    assert all(buffer() is None for buffer in buffers)  # released, not just unlinked
    grads = [p.grad.copy() for p in model.parameters()]
    with pytest.raises(RuntimeError, match="retain_graph"):
        J.backward()
    for p, g in zip(model.parameters(), grads):
        np.testing.assert_array_equal(p.grad, g)  # the failed pass added nothing


def test_retain_graph_keeps_the_buffers_for_exactly_one_more_pass():
    J, model = _course_step_graph()
    nodes = _graph_nodes(J)
    buffers = [weakref.ref(a) for node in nodes for a in _saved_arrays(node)]
    J.backward(retain_graph=True)
    assert not any(node.graph_freed for node in nodes)
    assert all(buffer() is not None for buffer in buffers)
    first = [p.grad.copy() for p in model.parameters()]
    J.backward()
    for p, g in zip(model.parameters(), first):
        np.testing.assert_allclose(p.grad, 2 * g)
    assert all(node.graph_freed for node in nodes)
    assert all(buffer() is None for buffer in buffers)


def test_an_nn_fit_loop_of_1000_steps_does_not_grow():
    """nn.fit with nn.MLP and optim.SGD, measured inside the loop: the cost function is
    called once a step, at the same point of every step."""
    X, Y = data.planar_flower(m=200)
    model = nn.MLP([2, 8, 8, 1], hidden="tanh", seed=0)
    optimizer = optim.SGD(model, lr=0.5)
    steps = 0
    traced = {}

    def measured_cost(A, Y_batch):
        nonlocal steps
        steps += 1
        if steps in (100, 1000):
            traced[steps] = tracemalloc.get_traced_memory()[0]
        return nn.binary_cross_entropy(A, Y_batch)

    gc.disable()  # growth must not depend on the cycle collector
    try:
        tracemalloc.start()
        # 4 mini-batches an epoch: 250 epochs are 1,000 steps.
        history = nn.fit(model, X, Y, measured_cost, optimizer, epochs=250,
                            batch_size=50, progress=False)
        tracemalloc.stop()
    finally:
        gc.enable()
    assert steps == 1000 and history[-1] < history[0]
    # The 250 costs of the history are 8 KiB; one leaked (8, 50) array a step is 2.9 MB.
    assert traced[1000] - traced[100] < 128 * 1024, traced


def test_deep_and_wide_graphs_are_released_by_reference_counting():
    gc.disable()
    try:
        x = al.Tensor(1.0, requires_grad=True)
        chain = x
        for _ in range(100_000):
            chain = chain * 1.0
        xs = [al.Tensor(float(i), requires_grad=True) for i in range(10_000)]
        fan_in = al.stack(xs).sum()
        for root in (chain, fan_in):
            root.backward()
        probes = [weakref.ref(chain), weakref.ref(chain.parents[0]), weakref.ref(fan_in),
                  weakref.ref(fan_in.parents[0])]
        del chain, fan_in, root
        assert all(probe() is None for probe in probes)
    finally:
        gc.enable()
    assert x.grad.item() == 1.0 and all(t.grad.item() == 1.0 for t in xs)
