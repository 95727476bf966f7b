"""Where the time of a tiny graph goes: J = 3(a + bc), forward + backward.

    python benchmarks/profile_ops.py [--n 20000] [--top 25]

Two views of the same workload (three scalar tensors, three primitive ops):

1. phases, timed with perf_counter over many repetitions (medians of rounds):
   the forward with graph recording, the same forward on tensors that need no grad
   (no recording), backward() (the whole step less the other phases), freeing the
   graph (dropping the last reference to J), and resetting the gradients;
2. cProfile of the whole step, its functions grouped by what they do (operator
   dispatch, operand conversion, node creation, the ops' forward and backward,
   the engine's loop and its heap of waiting nodes, unbroadcast, gradient accumulation).
   cProfile adds a fixed cost to every Python call, so read its shares, not its
   absolute times.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time
from collections import defaultdict
from collections.abc import Callable

import numpy as np

import autograd_lite as al

OPS = 3  # mul, add, mul


def _leaves(requires_grad: bool = True) -> tuple[al.Tensor, al.Tensor, al.Tensor]:
    return tuple(al.Tensor(v, requires_grad=requires_grad) for v in (5.0, 3.0, 2.0))


def _median_us(fn: Callable[[], object], n: int, rounds: int = 7) -> float:
    fn()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - start) / n)
    return statistics.median(samples) * 1e6


def phases(n: int) -> list[tuple[str, float]]:
    a, b, c = _leaves()
    a0, b0, c0 = _leaves(requires_grad=False)
    na, nb, nc = np.array(5.0), np.array(3.0), np.array(2.0)
    rows = []

    def step() -> None:
        J = 3 * (a + b * c)
        J.backward()
        a.grad = b.grad = c.grad = None

    rows.append(("whole step: forward + backward + reset", _median_us(step, n)))
    rows.append(("forward, recording the graph", _median_us(lambda: 3 * (a + b * c), n)))
    rows.append(("forward, nothing to record (no input requires grad)",
                 _median_us(lambda: 3 * (a0 + b0 * c0), n)))
    rows.append(("forward in plain NumPy (0-d arrays)", _median_us(lambda: 3 * (na + nb * nc), n)))

    def free_only() -> None:
        built.pop()

    built = [3 * (a + b * c) for _ in range(n * 8)]
    for J in built:
        J.backward()
    free = _median_us(free_only, n)
    a.grad = b.grad = c.grad = None

    def reset() -> None:
        a.grad = b.grad = c.grad = None

    reset_us = _median_us(reset, n)
    whole, forward = rows[0][1], rows[1][1]
    rows.append(("J.backward(), derived: whole step - forward - freeing - reset",
                 whole - forward - free - reset_us))
    rows.append(("freeing the graph after backward (drop the last reference to J)", free))
    rows.append(("resetting three .grad", reset_us))
    return rows


def _category(filename: str, function: str) -> str:
    """What a profiled function does, for the grouped view."""
    in_ops = "/ops/" in filename
    if in_ops and function == "backward":
        return "the ops' backward (VJPs)"
    if in_ops and function == "forward":
        return "the ops' forward"
    conversion = "operand conversion (binary_operands, constant, asarray)"
    named = {
        "unbroadcast": "unbroadcast",
        "_accumulate_grad": "gradient accumulation into .grad",
        "apply": "node creation (apply, Tensor.__mul__ = binary_method(Mul))",
        "method": "node creation (apply, Tensor.__mul__ = binary_method(Mul))",
        "heappush": "the engine's heap of waiting nodes",
        "heappop": "the engine's heap of waiting nodes",
        "binary_operands": conversion,
        "constant": conversion,
        "as_tensor": conversion,
        "to_array": conversion,
        "<built-in method numpy.asarray>": conversion,
    }
    if function in named:
        return named[function]
    if filename.endswith("tensor.py") or (in_ops and function in ("add", "mul", "sum", "_reduce")):
        return "dispatch to the primitive (Tensor.sum -> ops.sum -> apply)"
    if filename.endswith("engine.py"):
        return "engine: backward(), the loop of _run (order, bookkeeping, leaves)"
    return "other (NumPy calls, grad mode, ...)"


def profile(n: int, top: int) -> str:
    a, b, c = _leaves()

    def step() -> None:
        J = 3 * (a + b * c)
        J.backward()
        a.grad = b.grad = c.grad = None

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        step()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = 0.0
    groups: dict[str, float] = defaultdict(float)
    lines = []
    entries = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])
    for (filename, _line, function), (_, _calls, tottime, _, _) in entries:
        total += tottime
        groups[_category(filename, function)] += tottime
    for (filename, line, function), (_, calls, tottime, _, _) in entries[:top]:
        where = filename.split("autograd_lite/")[-1] if "autograd_lite" in filename else filename
        lines.append(f"  {tottime / n * 1e6:7.2f} µs/step  {calls / n:5.1f} calls  "
                     f"{where}:{line}({function})")
    out = [f"cProfile, {n} steps: {total / n * 1e6:.2f} µs/step under the profiler", "",
           "by group (share of the profiled time):"]
    for title, seconds in sorted(groups.items(), key=lambda kv: -kv[1]):
        out.append(f"  {seconds / total * 100:5.1f} %  {title}")
    out += ["", f"top {top} functions by own time:"] + lines
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="profile J = 3(a + bc) forward + backward")
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    print(f"J = 3(a + bc): {OPS} primitive ops per step\n")
    print("phases (median µs per step; per op = / 3):")
    for title, us in phases(args.n):
        print(f"  {us:7.2f} µs  ({us / OPS:5.2f} µs/op)  {title}")
    print()
    print(profile(args.n, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
