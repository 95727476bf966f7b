"""autograd-lite against hand-written NumPy (and PyTorch, MyGrad when importable).

    python benchmarks/run.py [--quick] [--out benchmarks/latest.md] [--threads N]

Every workload is timed for every implementation in interleaved rounds (each round
runs each implementation once, in a rotating order), after warm-ups; the reported
time is the median over the rounds, and ratios are against hand-written NumPy
(benchmarks/handwritten.py, the course's formulas). Before any timing, the gradients
of every implementation on the first step are checked against the hand-written ones;
a disagreement stops the run. Peak memory of a training step is measured with
tracemalloc (NumPy reports its allocations to it; PyTorch does not), and so is the
memory left after 1,000 steps compared with after 10 (graphs must be freed).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds: about 30 s")
    parser.add_argument("--out", type=Path, help="also write the markdown report here")
    parser.add_argument("--threads", type=int, help="BLAS threads for every implementation "
                        "(default: NumPy's current number)")
    parser.add_argument("--only", help="comma-separated workload keys (j, square, shallow, "
                        "logreg, deep, mlp64, mlp32)")
    parser.add_argument("--no-peers", action="store_true", help="skip PyTorch and MyGrad")
    return parser.parse_args(argv)


ARGS = _parse_args(None if __name__ == "__main__" else [])
if ARGS.threads:  # before NumPy (and PyTorch) start their thread pools
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)
# PyTorch's OpenMP threads otherwise spin after each parallel region and, interleaved with
# NumPy's BLAS threads on a few cores, slow every implementation down (a 2-core machine
# saw 40 ms per step for a [2,4,1] net). Passive waiting costs big matmuls nothing.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import al_models  # noqa: E402
import handwritten  # noqa: E402
import peers  # noqa: E402

# --------------------------------------------------------------------------- workloads


@dataclass
class Problem:
    key: str
    title: str
    kind: str  # j, square, logreg, shallow, deep
    params: dict[str, Any]
    X: np.ndarray | None = None
    Y: np.ndarray | None = None
    lr: float = 0.0
    dtype: Any = np.float64
    ops: int = 0  # > 0: a per-op workload, reported in µs per primitive op
    target: float = 0.0  # µs per op, or time ratio to NumPy
    traced_target: float | None = None  # the shallow net also runs as a traced step
    rounds: int = 15
    sample_s: float = 0.02  # each timed sample repeats the step for about this long


def make_problems(quick: bool) -> list[Problem]:
    rng = np.random.default_rng(2026)
    problems = [
        Problem("j", "J = 3(a + bc) graph + backward, per primitive op", "j",
                {"a": 5.0, "b": 3.0, "c": 2.0}, ops=3, target=3.0),
        Problem("square", "one (1,1) tensor: (x·x + x).sum() + backward, per op", "square",
                {"x": np.full((1, 1), 0.5)}, ops=3, target=3.0),
    ]

    X = rng.standard_normal((2, 400))
    Y = (X[0:1] * X[1:2] > 0).astype(np.float64)
    shallow = {"W1": rng.standard_normal((4, 2)) * 0.01, "b1": np.zeros((4, 1)),
               "W2": rng.standard_normal((1, 4)) * 0.01, "b2": np.zeros((1, 1))}
    problems.append(Problem("shallow", "shallow net [2,4,1] tanh, m=400, one step", "shallow",
                            shallow, X, Y, lr=1.2, target=1.6, traced_target=1.1))

    X = rng.random((12288, 209))  # like the course's 64x64x3 images scaled to [0, 1]
    Y = rng.integers(0, 2, (1, 209)).astype(np.float64)
    problems.append(Problem("logreg", "logistic regression n_x=12288, m=209, one step",
                            "logreg", {"w": np.zeros((12288, 1)), "b": 0.0}, X, Y, lr=0.005,
                            target=1.15))
    problems.append(Problem("deep", "deep net [12288,20,7,5,1] relu/sigmoid, m=209, one step",
                            "deep", _deep_init([12288, 20, 7, 5, 1], rng, he=False), X, Y,
                            lr=0.0075, target=1.05))

    for dtype, key in ((np.float64, "mlp64"), (np.float32, "mlp32")):
        X = rng.standard_normal((1024, 2048)).astype(dtype)
        Y = rng.integers(0, 2, (1, 2048)).astype(dtype)
        params = {k: v.astype(dtype) for k, v in
                  _deep_init([1024, 1024, 1024, 1], rng, he=True).items()}
        problems.append(Problem(key, f"MLP [1024,1024,1024,1] relu, m=2048, {np.dtype(dtype)}",
                                "deep", params, X, Y, lr=0.01, dtype=dtype, target=1.03,
                                rounds=7, sample_s=0.0))
    for p in problems:
        if p.key in ("logreg", "deep"):
            p.rounds, p.sample_s = 21, 0.05
        elif p.key.startswith("mlp"):
            p.rounds = 11
        else:
            p.rounds = 31
        if quick:
            p.rounds = 2 if p.key.startswith("mlp") else 5
            p.sample_s = min(p.sample_s, 0.005)
    return problems


def _deep_init(dims: list[int], rng: np.random.Generator, he: bool) -> dict[str, np.ndarray]:
    params = {}
    for l in range(1, len(dims)):
        scale = np.sqrt(2.0 / dims[l - 1]) if he else 1 / np.sqrt(dims[l - 1])
        params[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) * scale
        params[f"b{l}"] = np.zeros((dims[l], 1))
    return params


# --------------------------------------------------------------------------- measuring


def build_all(problem: Problem, peer_modules: dict[str, Any]) -> dict[str, Any]:
    impls = {"numpy": handwritten.build(problem), "autograd-lite": al_models.build(problem)}
    if problem.traced_target is not None:
        impls["autograd-lite traced"] = al_models.build(problem, traced=True)
    for name, module in peer_modules.items():
        if not isinstance(module, str):
            impls[name] = peers.build(name, problem)
    return impls


def cross_check(problem: Problem, impls: dict[str, Any]) -> dict[str, str]:
    """Gradients of the first step against hand-written NumPy; raise on any disagreement."""
    single = np.dtype(problem.dtype) == np.float32
    rtol, atol_scale = (2e-3, 1e-4) if single else (1e-7, 1e-10)
    reference = impls["numpy"].gradients()
    notes = {}
    grads_of = {}
    for name, model in impls.items():
        if name == "numpy":
            continue
        grads = model.gradients()
        grads_of[name] = grads
        worst = 0.0
        for key, ref in reference.items():
            ref = np.asarray(ref, dtype=np.float64)
            got = np.asarray(grads.get(key), dtype=np.float64)
            if got.shape != ref.shape and got.size == ref.size:
                got = got.reshape(ref.shape)
            scale = max(float(np.abs(ref).max()), 1e-30)
            if got.shape != ref.shape or not np.allclose(got, ref, rtol=rtol,
                                                         atol=atol_scale * scale):
                diff = np.abs(got - ref).max() if got.shape == ref.shape else "shape"
                raise SystemExit(
                    f"GRADIENT MISMATCH in {problem.key}: {name} {key} {got.shape} differs "
                    f"from hand-written NumPy {ref.shape} (max abs diff {diff}, scale {scale:g})"
                )
            worst = max(worst, float(np.abs(got - ref).max()) / scale)
        notes[name] = f"{worst:.1e}"
    if "autograd-lite traced" in grads_of:
        eager, traced = grads_of["autograd-lite"], grads_of["autograd-lite traced"]
        same = all(np.array_equal(eager[k], traced[k]) for k in eager)
        notes["traced identical to eager"] = "yes" if same else "NO"
        if not same:
            raise SystemExit(f"traced gradients of {problem.key} differ from the eager ones")
    return notes


def time_interleaved(
    impls: dict[str, Any], rounds: int, sample_s: float
) -> dict[str, list[float]]:
    """Seconds per step of every implementation in each of the interleaved rounds, after a
    warm-up that calibrates how many steps one sample repeats."""
    inner = {}
    for name, model in impls.items():
        model.step()
        count, start = 0, time.perf_counter()
        while True:
            model.step()
            count += 1
            elapsed = time.perf_counter() - start
            if elapsed >= max(sample_s, 0.002):
                break
        inner[name] = max(1, round(sample_s / (elapsed / count)))
    samples: dict[str, list[float]] = {name: [] for name in impls}
    names = list(impls)
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            model, n = impls[name], inner[name]
            start = time.perf_counter()
            for _ in range(n):
                model.step()
            samples[name].append((time.perf_counter() - start) / n)
    return samples


def paired_ratios(samples: dict[str, list[float]]) -> dict[str, float]:
    """Time relative to hand-written NumPy: the median over rounds of the ratio of two
    samples taken in the same round. Load from other processes comes and goes; two
    samples taken seconds apart see the same load, two medians over a minute may not."""
    base = samples["numpy"]
    return {name: statistics.median(t / b for t, b in zip(s, base))
            for name, s in samples.items()}


def step_peak_memory(model: Any) -> int:
    """Bytes a training step allocates above what was live before it (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        model.step()
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        model.step()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def memory_growth(model: Any, steps: int) -> int:
    """Bytes live after ``steps`` steps minus those live after step 10 (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        at_10 = 0
        for i in range(1, steps + 1):
            model.step()
            if i == 10:
                gc.collect()
                at_10 = tracemalloc.get_traced_memory()[0]
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - at_10
    finally:
        tracemalloc.stop()


# --------------------------------------------------------------------------- report


@dataclass
class Row:
    workload: str
    numpy: str
    ours: str
    ratio: str
    target: str
    met: str
    torch: str = "—"
    mygrad: str = "—"
    note: str = ""


@dataclass
class Report:
    header: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = list(self.header) + [""]
        lines.append(
            "| workload | numpy | autograd-lite | ratio | target | met? | torch | mygrad |"
        )
        lines.append("|---|---:|---:|---:|---|---|---:|---:|")
        for r in self.rows:
            lines.append(f"| {r.workload} | {r.numpy} | {r.ours} | {r.ratio} | {r.target} | "
                         f"{r.met} | {r.torch} | {r.mygrad} |")
        if self.notes:
            lines += [""] + [f"- {n}" for n in self.notes]
        return "\n".join(lines) + "\n"


def fmt_time(seconds: float) -> str:
    us = seconds * 1e6
    if us < 10:
        return f"{us:.2f} µs"
    if us < 1000:
        return f"{us:.1f} µs"
    if us < 1e6:
        return f"{us / 1000:.2f} ms"
    return f"{us / 1e6:.2f} s"


def fmt_bytes(n: float) -> str:
    if abs(n) < 1024:
        return f"{n:.0f} B"
    if abs(n) < 1024**2:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024**2:.2f} MiB"


def peer_cell(name: str, value: float | None, ratio: float | None, fmt: Any,
              peer_modules: dict) -> str:
    """A peer's time and its ratio to NumPy."""
    if name not in peer_modules or isinstance(peer_modules[name], str):
        return "absent"
    if value is None or ratio is None:
        return "n/a"
    return f"{fmt(value)} ({ratio:.2f}×)"


def blas_info() -> tuple[str, int | None]:
    try:
        from threadpoolctl import threadpool_info

        for info in threadpool_info():
            if info.get("user_api") == "blas" and "numpy" in info.get("filepath", ""):
                text = (f"{info.get('internal_api')} {info.get('version')}, kernel "
                        f"{info.get('architecture')}, {info.get('threading_layer')} threads")
                return text, info.get("num_threads")
        return "threadpoolctl found no BLAS of NumPy's", None
    except ImportError:
        pass
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')} (np.show_config)", None
    except Exception as err:  # noqa: BLE001 - older NumPy: no dict mode
        return f"unknown ({err})", None


def machine_lines(threads: int, peer_modules: dict[str, Any]) -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    blas, _ = blas_info()
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                                text=True, cwd=Path(__file__).parent, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    env = {v: os.environ.get(v, "unset") for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                   "OMP_WAIT_POLICY")}
    try:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "unknown"
    peer_text = ", ".join(
        f"{n} {getattr(m, '__version__', '?')}" if not isinstance(m, str) else f"{n} absent ({m})"
        for n, m in peer_modules.items()
    ) or "not run (--no-peers)"
    return [
        f"- date: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}; autograd-lite "
        f"{getattr(al_models.al, '__version__', '?')} ({commit or 'no git'})",
        f"- machine: {os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}",
        f"- NumPy {np.__version__}, BLAS: {blas}; "
        + (f"BLAS threads pinned to {threads} for every implementation" if threads else
           "BLAS threads NOT pinned (no threadpoolctl: pass --threads N to pin them)"),
        f"- OPENBLAS_CORETYPE={env['OPENBLAS_CORETYPE']}, "
        f"OPENBLAS_L2_SIZE={env['OPENBLAS_L2_SIZE']} (benchmarked as set); "
        f"OMP_WAIT_POLICY={env['OMP_WAIT_POLICY']}",
        f"- load average at start (1, 5, 15 min): {load}" + (
            "  **other processes were busy: timings are noisy, and multi-threaded BLAS, whose "
            "idle threads spin, suffers most (rerun on an idle machine, or with --threads 1)**"
            if hasattr(os, "getloadavg") and os.getloadavg()[0] > 0.7 else ""),
        f"- peers: {peer_text}",
        f"- autograd-lite cost: {al_models.COST}",
    ]


def main() -> int:
    args = ARGS
    started = time.perf_counter()
    peer_modules = {} if args.no_peers else peers.available()

    threads = args.threads
    limiter = None
    try:
        from threadpoolctl import threadpool_limits

        if threads is None:
            threads = blas_info()[1] or os.cpu_count() or 1
        limiter = threadpool_limits(limits=threads, user_api="blas")
    except ImportError:  # only an explicit --threads (set before NumPy started) pins them
        threads = threads or 0
    torch = peer_modules.get("torch")
    if torch is not None and not isinstance(torch, str) and threads:
        torch.set_num_threads(threads)

    report = Report()
    report.header = [f"# autograd-lite benchmarks{' (--quick)' if args.quick else ''}", ""]
    report.header += machine_lines(threads, peer_modules)

    problems = make_problems(args.quick)
    if args.only:
        keys = set(args.only.split(","))
        problems = [p for p in problems if p.key in keys]
    check_notes = []
    memory_rows = []
    for problem in problems:
        print(f"{problem.key}: building, cross-checking gradients ...", file=sys.stderr)
        impls = build_all(problem, peer_modules)
        notes = cross_check(problem, impls)
        check_notes.append(f"{problem.key}: " + ", ".join(f"{k} {v}" for k, v in notes.items()))
        print(f"{problem.key}: timing {problem.rounds} rounds ...", file=sys.stderr)
        samples = time_interleaved(impls, problem.rounds, problem.sample_s)
        times = {name: statistics.median(s) for name, s in samples.items()}
        ratios = paired_ratios(samples)
        base = times["numpy"]
        if problem.ops:
            per = {k: v / problem.ops for k, v in times.items()}
            ours = per["autograd-lite"]
            fmt = fmt_time
            report.rows.append(Row(
                problem.title, fmt_time(per["numpy"]), fmt_time(ours),
                f"{ratios['autograd-lite']:.2f}×", f"≤ {problem.target:g} µs/op",
                "yes" if ours * 1e6 <= problem.target else "**no**",
                peer_cell("torch", per.get("torch"), ratios.get("torch"), fmt, peer_modules),
                peer_cell("mygrad", per.get("mygrad"), ratios.get("mygrad"), fmt, peer_modules),
            ))
            continue
        ratio = ratios["autograd-lite"]
        report.rows.append(Row(
            problem.title, fmt_time(base), fmt_time(times["autograd-lite"]), f"{ratio:.2f}×",
            f"≤ {problem.target:g}×", "yes" if ratio <= problem.target else "**no**",
            peer_cell("torch", times.get("torch"), ratios.get("torch"), fmt_time, peer_modules),
            peer_cell("mygrad", times.get("mygrad"), ratios.get("mygrad"), fmt_time,
                      peer_modules),
        ))
        if problem.traced_target is not None:
            traced = ratios["autograd-lite traced"]
            report.rows.append(Row(
                problem.title.replace("one step", "traced step (autograd_lite.compile)"),
                fmt_time(base), fmt_time(times["autograd-lite traced"]), f"{traced:.2f}×",
                f"≤ {problem.traced_target:g}×",
                "yes" if traced <= problem.traced_target else "**no**",
            ))

        print(f"{problem.key}: peak memory of a step ...", file=sys.stderr)
        peaks = {}
        for name, model in impls.items():
            if name != "torch":  # PyTorch's allocator does not report to tracemalloc
                peaks[name] = step_peak_memory(model)
        memory_rows += _memory_rows(problem, peaks, peer_modules)
        if problem.key == "shallow":
            steps = 200 if args.quick else 1000
            print(f"{problem.key}: memory over {steps} steps ...", file=sys.stderr)
            growth = {name: memory_growth(model, steps) for name, model in impls.items()
                      if name != "torch"}
            memory_rows += _growth_rows(problem, growth, steps, peer_modules)
        del impls
        gc.collect()
    report.rows += memory_rows
    report.notes = [
        "times are medians over interleaved rounds; a ratio is the median over rounds of "
        "(time / hand-written NumPy's time in the same round), so it can differ a little "
        "from the ratio of the two medians shown; torch and mygrad cells give their time "
        "and (ratio to NumPy)",
        "peak memory = tracemalloc's peak during one step minus what was live before the step",
        "hand-written NumPy skips dA^[0] = W^[1]ᵀ dZ^[1] (the gradient w.r.t. the data), as "
        "autodiff does",
        "gradient cross-check (max |g - g_numpy| / max |g_numpy| on the first step): "
        + "; ".join(check_notes),
        f"total run time {time.perf_counter() - started:.0f} s; load average at the end: "
        + (", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"),
    ]
    if limiter is not None:
        limiter.restore_original_limits()

    text = report.markdown()
    print(text)
    if args.out:
        args.out.write_text(text)
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _memory_rows(problem: Problem, peaks: dict[str, int], peer_modules: dict) -> list[Row]:
    base = peaks["numpy"]
    rows = []
    for name, title in (("autograd-lite", problem.title.replace("one step", "")),
                        ("autograd-lite traced", problem.title.replace("one step", "traced"))):
        if name not in peaks:
            continue
        ratio = peaks[name] / base
        rows.append(Row(
            f"peak memory of a step: {title.strip(' ,')}", fmt_bytes(base), fmt_bytes(peaks[name]),
            f"{ratio:.2f}×", "≤ 1.3×", "yes" if ratio <= 1.3 else "**no**",
            "n/a" if name == "autograd-lite" and "torch" in peer_modules else "—",
            peer_cell("mygrad", peaks.get("mygrad"),
                      peaks["mygrad"] / base if "mygrad" in peaks else None, fmt_bytes,
                      peer_modules)
            if name == "autograd-lite" else "—",
        ))
    return rows


def _growth_rows(problem: Problem, growth: dict[str, int], steps: int,
                 peer_modules: dict) -> list[Row]:
    rows = []
    limit = 16 * steps  # a graph left alive would cost kilobytes per step
    for name in ("autograd-lite", "autograd-lite traced"):
        if name not in growth:
            continue
        label = " (traced)" if "traced" in name else ""
        rows.append(Row(
            f"memory growth, step 10 → step {steps}: shallow net{label}",
            fmt_bytes(growth["numpy"]), fmt_bytes(growth[name]), "",
            f"< {fmt_bytes(limit)} (none)", "yes" if growth[name] < limit else "**no**",
            "n/a" if name == "autograd-lite" and "torch" in peer_modules else "—",
            fmt_bytes(growth["mygrad"]) if name == "autograd-lite" and "mygrad" in growth
            else "—",
        ))
    return rows


if __name__ == "__main__":
    sys.exit(main())
