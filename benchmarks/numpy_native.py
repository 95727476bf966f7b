"""The notes' NumPy code on Tensors (issue "NumPy-native"): what it costs.

    python benchmarks/numpy_native.py [--rounds 15]

1. A step of the notes' vectorized logistic regression (digits-sized: n_x = 64, m = 1437),
   forward and backward, three ways, timed in interleaved rounds (benchmarks/run.py's
   method: medians of ratios taken in the same round):
   - ``numpy``: hand-written, the notes' forward and their dw = X dZᵀ / m, db = Σ dZ / m;
   - ``methods``: autograd-lite written with Tensor methods and ``al.`` functions;
   - ``as written``: the notes' code pasted as is (``np.dot``, ``np.exp``, ``np.log``,
     ``np.sum``, ``Y * np.log(A)`` with the ndarray Y first), through NumPy's dispatch.
2. The cost of one mixed call, per call, best of repeats: an ndarray or a NumPy scalar on
   the left (``X * t``, ``np.float64(2) * t``) goes through NumPy's ``__array_ufunc__``
   protocol; the Tensor on the left (``t * X``) does not. The protocol's own floor is
   measured on a class whose ``__array_ufunc__`` returns at once, against one that
   defers (``__array_ufunc__ = None``).
"""

from __future__ import annotations

import argparse
import sys
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import paired_ratios, time_interleaved  # noqa: E402

import autograd_lite as al  # noqa: E402
from autograd_lite import data  # noqa: E402


class _Step:
    def __init__(self, fn) -> None:
        self.step = fn


def logistic_steps(X: np.ndarray, Y: np.ndarray) -> dict[str, _Step]:
    n_x, m = X.shape
    w0 = np.random.default_rng(0).standard_normal((n_x, 1)) * 0.01

    def numpy_step():
        Z = np.dot(w0.T, X) + 0.0
        A = 1 / (1 + np.exp(-Z))
        J = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
        dZ = A - Y
        return J, np.dot(X, dZ.T) / m, np.sum(dZ) / m

    def methods_step():
        w = al.Tensor(w0, requires_grad=True)
        b = al.Tensor(0.0, requires_grad=True)
        A = al.sigmoid(w.T @ X + b)
        J = -(Y * al.log(A) + (1 - Y) * al.log(1 - A)).sum() / m  # Y is a constant
        J.backward()
        return J, w.grad, b.grad

    def as_written_step():
        w = al.Tensor(w0, requires_grad=True)
        b = al.Tensor(0.0, requires_grad=True)
        Z = np.dot(w.T, X) + b
        A = 1 / (1 + np.exp(-Z))
        J = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
        J.backward()
        return J, w.grad, b.grad

    steps = {"numpy": numpy_step, "methods": methods_step, "as written": as_written_step}
    expected = numpy_step()
    for name, fn in steps.items():  # the same gradients before any timing
        got = fn()
        for e, g in zip(expected, got):
            np.testing.assert_allclose(np.asarray(g, dtype=float), e, rtol=1e-10, atol=1e-12,
                                       err_msg=name)
    return {name: _Step(fn) for name, fn in steps.items()}


class _Deferring:
    __array_ufunc__ = None

    def __rmul__(self, other):
        return 1


class _Overriding:
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return 1


def per_call_ns(fn, number: int = 20000, repeat: int = 9) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e9


def mixed_calls() -> list[tuple[str, float]]:
    X = np.random.default_rng(1).random((2, 400))
    t = al.Tensor(np.random.default_rng(2).random((2, 400)), requires_grad=True)
    s = np.float64(2.0)
    deferring, overriding = _Deferring(), _Overriding()
    cases = [
        ("t * X (Tensor first)", lambda: t * X),
        ("X * t (ndarray first)", lambda: X * t),
        ("t * 2.0", lambda: t * 2.0),
        ("np.float64(2) * t", lambda: s * t),
        ("protocol floor: X * obj, __array_ufunc__ = None", lambda: X * deferring),
        ("protocol floor: X * obj, __array_ufunc__ returns at once", lambda: X * overriding),
    ]
    return [(name, per_call_ns(fn)) for name, fn in cases]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    X, Y, _, _ = data.digits(positive=8)
    samples = time_interleaved(logistic_steps(X, Y), rounds=args.rounds, sample_s=0.05)
    ratios = paired_ratios(samples)
    print(f"Logistic regression step, X {X.shape}, median of {args.rounds} interleaved rounds")
    print("| step | time | vs hand-written NumPy |\n|---|---:|---:|")
    for name, times in samples.items():
        median = sorted(times)[len(times) // 2]
        print(f"| {name} | {median * 1e6:.0f} µs | {ratios[name]:.2f}× |")
    print("\nOne mixed call (a (2, 400) Tensor), best of 9 × 20,000 calls")
    print("| call | time |\n|---|---:|")
    for name, ns in mixed_calls():
        print(f"| {name} | {ns / 1000:.2f} µs |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
