"""Grad mode and the debug modes belong to the thread that set them, as in PyTorch.

Every test here orders its threads with events, so that the interleaving that broke the
process-wide modes happens at every run, not by chance.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import data, nn, optim

TIMEOUT = 60  # seconds: a thread stuck on an event fails the test instead of hanging it


def _run_threads(targets: list[Callable[[], Any]]) -> list[Any]:
    """Run each target in its own thread; return their results, re-raising the first error."""
    results: list[Any] = [None] * len(targets)
    errors: list[BaseException | None] = [None] * len(targets)

    def runner(i: int) -> None:
        try:
            results[i] = targets[i]()
        except BaseException as err:  # noqa: BLE001 - handed back to the test's thread
            errors[i] = err

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(len(targets))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
        assert not t.is_alive(), "a thread did not finish"
    for err in errors:
        if err is not None:
            raise err
    return results


def _wait(event: threading.Event) -> None:
    assert event.wait(TIMEOUT), "an event was never set"


# ------------------------------------------------------------------ training while evaluating

X, Y = data.planar_flower(m=60)


def _train(seed: int, steps: int = 25) -> dict[str, np.ndarray]:
    """A small MLP trained with SGD (its update runs under no_grad in this thread)."""
    model = nn.MLP([2, 5, 1], hidden="tanh", seed=seed)
    opt = optim.SGD(model, lr=0.5)
    for _ in range(steps):
        opt.zero_grad()
        nn.binary_cross_entropy(model(X), Y).backward()
        opt.step()
    return {k: v.copy() for k, v in model.state_dict().items()}


def test_three_trainers_and_an_evaluator_under_no_grad_give_the_single_thread_results():
    expected = [_train(seed) for seed in range(3)]
    evaluator_in_no_grad = threading.Event()
    trainers_done = threading.Event()
    evaluations = []

    def evaluate() -> None:
        model = nn.MLP([2, 5, 1], hidden="tanh", seed=9)
        with al.no_grad():
            evaluator_in_no_grad.set()
            while not trainers_done.is_set():
                evaluations.append(model(X).data.sum())
                evaluations.append(model.predict(X).sum())
        assert al.is_grad_enabled()

    def trainer(seed: int) -> Callable[[], dict[str, np.ndarray]]:
        def run() -> dict[str, np.ndarray]:
            _wait(evaluator_in_no_grad)
            return _train(seed)

        return run

    def trainers() -> list[dict[str, np.ndarray]]:
        try:
            return _run_threads([trainer(seed) for seed in range(3)])
        finally:
            trainers_done.set()

    _, trained = _run_threads([evaluate, trainers])
    assert evaluations  # the evaluator ran meanwhile
    for got, want in zip(trained, expected):
        assert got.keys() == want.keys()
        for key in want:
            np.testing.assert_array_equal(got[key], want[key], err_msg=key)
    assert al.is_grad_enabled()


def test_two_threads_in_no_grad_at_once_leave_grad_mode_on():
    # A enters, B enters, A leaves, B leaves: with one process-wide switch, B restored the
    # "off" it had found (set by A), and grad mode stayed off for everyone.
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def a() -> None:
        with al.no_grad():
            a_in.set()
            _wait(b_in)
        seen["a after its block"] = al.is_grad_enabled()
        a_out.set()

    def b() -> None:
        _wait(a_in)
        with al.no_grad():
            b_in.set()
            _wait(a_out)
            seen["b inside its block"] = al.is_grad_enabled()
        seen["b after its block"] = al.is_grad_enabled()

    _run_threads([a, b])
    assert seen == {"a after its block": True, "b inside its block": False,
                    "b after its block": True}
    assert al.is_grad_enabled()
    x = al.Tensor(2.0, requires_grad=True)
    assert (x * x).requires_grad


def test_one_no_grad_function_in_two_threads_restores_each_threads_own_mode():
    # The same @no_grad() object entered by two threads: each must get back its own mode.
    inside, second_inside, first_left = threading.Event(), threading.Event(), threading.Event()
    calls = []

    @al.no_grad()
    def evaluate(wait_for: threading.Event, then: threading.Event) -> None:
        calls.append(al.is_grad_enabled())
        then.set()
        _wait(wait_for)

    seen = {}

    def first() -> None:  # already inside an outer no_grad
        with al.no_grad():
            evaluate(second_inside, inside)
            seen["first, back in its outer no_grad"] = al.is_grad_enabled()
            first_left.set()
        seen["first, after"] = al.is_grad_enabled()

    def second() -> None:  # grad mode on
        _wait(inside)
        evaluate(first_left, second_inside)
        seen["second, after"] = al.is_grad_enabled()

    _run_threads([first, second])
    assert calls == [False, False]
    assert seen == {"first, back in its outer no_grad": False, "first, after": True,
                    "second, after": True}


def test_a_new_thread_starts_with_grad_mode_on():
    x = al.Tensor(3.0, requires_grad=True)
    with al.no_grad():
        (y,) = _run_threads([lambda: x * x])
        assert not (x * x).requires_grad
    assert y.requires_grad and y.op == "mul"


# ------------------------------------------------------------------ the debug modes

def test_detect_anomaly_in_one_thread_does_not_raise_in_another():
    entered, other_done = threading.Event(), threading.Event()

    def debugging() -> None:
        with al.detect_anomaly():
            entered.set()
            _wait(other_done)
            with pytest.raises(al.AnomalyError), np.errstate(divide="ignore"):
                al.log(al.Tensor([0.0]))  # this thread's anomaly mode still works

    def computing() -> Any:
        _wait(entered)
        try:
            x = al.Tensor([0.0, 1.0], requires_grad=True)
            with np.errstate(divide="ignore"):
                J = al.log(x).sum()
                J.backward()
            return J.item(), x.grad.copy()
        finally:
            other_done.set()

    _, (J, grad) = _run_threads([debugging, computing])
    assert J == -np.inf
    np.testing.assert_array_equal(grad, [np.inf, 1.0])


def test_strict_shapes_in_one_thread_does_not_warn_in_another():
    entered, other_done = threading.Event(), threading.Event()

    def strict() -> None:
        with al.strict_shapes():
            entered.set()
            _wait(other_done)
            al.Tensor(np.ones(3)) * 2.0  # rank 1, in the strict thread: warns

    def relaxed() -> None:
        _wait(entered)
        try:
            al.Tensor(np.ones(5)) * 2.0  # rank 1, in the other thread: no warning
        finally:
            other_done.set()

    # The warnings machinery is process-wide: record in this thread, around both.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _run_threads([strict, relaxed])
    messages = [str(w.message) for w in caught if issubclass(w.category, al.debug.RankOneWarning)]
    assert len(messages) == 1 and "(3,)" in messages[0]


def test_the_hooks_of_one_thread_are_not_seen_by_another():
    entered, checked = threading.Event(), threading.Event()
    seen = {}

    def debugging() -> None:
        with al.detect_anomaly(), al.strict_shapes():
            entered.set()
            _wait(checked)

    def other() -> None:
        _wait(entered)
        try:
            seen["forward"] = al.grad_mode.modes.forward_hook
            seen["backward"] = al.engine.backward_hook()
            seen["anomaly depth"] = al.debug._State.anomaly_depth
        finally:
            checked.set()

    _run_threads([debugging, other])
    assert seen == {"forward": None, "backward": None, "anomaly depth": 0}
