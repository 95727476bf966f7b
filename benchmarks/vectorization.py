"""The course's vectorization demo, measured: a Python loop against one NumPy call.

    python benchmarks/vectorization.py [--n 1000000] [--repeats 3]

Two computations on a million values, each written both ways as the course writes them:

- the dot product  c = Σ a_i b_i:  ``for i in range(n): c += a[i] * b[i]``  vs  ``np.dot(a, b)``
- the element-wise exponential  u_i = e^(v_i):  ``u[i] = math.exp(v[i])`` in a loop  vs
  ``np.exp(v)``

Each timing is the median of several runs (the fast version repeats many more
times: it is over too quickly to time once). The reusable function is
:func:`measure`; a tutorial can load this file by its path::

    import importlib.util
    spec = importlib.util.spec_from_file_location("vectorization", "benchmarks/vectorization.py")
    vectorization = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vectorization)
    results = vectorization.measure(n=100_000)
    results["dot"]["speedup"]      # how many times faster np.dot was than the loop
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def dot_loop(a: np.ndarray, b: np.ndarray) -> float:
    """The course's non-vectorized dot product."""
    c = 0.0
    for i in range(len(a)):
        c += a[i] * b[i]
    return c


def dot_vectorized(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b))


def exp_loop(v: np.ndarray) -> np.ndarray:
    """The course's non-vectorized element-wise exponential."""
    u = np.zeros(len(v))
    for i in range(len(v)):
        u[i] = math.exp(v[i])
    return u


def exp_vectorized(v: np.ndarray) -> np.ndarray:
    return np.exp(v)


def _median_time(fn: Callable[[], Any], repeats: int, min_time: float = 0.0) -> float:
    """Median seconds per call over ``repeats`` samples; a sample loops for at least min_time."""
    fn()  # warm-up
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-9)
    inner = max(1, math.ceil(min_time / once))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - start) / inner)
    return statistics.median(samples)


def measure(n: int = 1_000_000, repeats: int = 3, seed: int = 0) -> dict[str, dict[str, Any]]:
    """Time the loop and the vectorized version of both computations on ``n`` values.

    Returns ``{"dot": {...}, "exp": {...}}``, each with ``loop_s`` and ``vectorized_s``
    (median seconds per run), ``speedup`` (loop_s / vectorized_s) and ``agree`` (both
    versions computed the same numbers, up to rounding).
    """
    rng = np.random.default_rng(seed)
    a, b = rng.random(n), rng.random(n)
    v = rng.random(n)
    results = {}
    for name, loop, fast, args in (
        ("dot", dot_loop, dot_vectorized, (a, b)),
        ("exp", exp_loop, exp_vectorized, (v,)),
    ):
        loop_s = _median_time(lambda loop=loop, args=args: loop(*args), repeats)
        fast_s = _median_time(lambda fast=fast, args=args: fast(*args), max(repeats, 7), 0.01)
        agree = bool(np.allclose(loop(*args), fast(*args), rtol=1e-9))
        results[name] = {
            "n": n,
            "loop_s": loop_s,
            "vectorized_s": fast_s,
            "speedup": loop_s / fast_s,
            "agree": agree,
        }
    return results


def report(results: dict[str, dict[str, Any]]) -> str:
    lines = []
    titles = {"dot": "dot product  Σ a_i b_i", "exp": "element-wise exp"}
    for name, r in results.items():
        lines.append(
            f"{titles[name]} on {r['n']:,} values: for loop {r['loop_s'] * 1e3:.1f} ms, "
            f"vectorized {r['vectorized_s'] * 1e3:.3f} ms  ->  {r['speedup']:,.0f}x faster"
            + ("" if r["agree"] else "  (RESULTS DIFFER)")
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="loop vs vectorized, the course's demo")
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(report(measure(args.n, args.repeats)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
