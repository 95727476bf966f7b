"""Checks of autodiff: against numerical differences and against hand-derived gradients.

- :func:`gradcheck` — the course's gradient checking: two-sided differences
  (J(θ + ε) - J(θ - ε)) / 2ε for every entry of every input, and the relative
  difference ‖g - g_num‖ / (‖g‖ + ‖g_num‖) per input.
- :func:`compare` — autodiff gradients against a reference such as the course's
  hand-derived backward passes in :mod:`autograd_lite.reference`, one table row
  per parameter; :func:`compare_model` runs a model and the matching reference on
  X, Y and compares them.

Both return a report: truthy when everything passed, printed as a table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import autograd_lite as al
from autograd_lite import Tensor

__all__ = [
    "CompareReport",
    "CompareRow",
    "GradcheckReport",
    "InputCheck",
    "compare",
    "compare_model",
    "gradcheck",
    "model_gradients",
]


def _format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(str(cell).ljust(w) for cell, w in zip(r, widths)).rstrip()
        for r in [header, *rows]
    ]


def _relative_difference(g: np.ndarray, g_ref: np.ndarray) -> float:
    """The course's ‖g − g_ref‖ / (‖g‖ + ‖g_ref‖); 0 when both are zero."""
    denominator = np.linalg.norm(g) + np.linalg.norm(g_ref)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(g - g_ref) / denominator)


def _fmt(x: float) -> str:
    return f"{x:.3g}" if math.isfinite(x) and x != 0 else ("0" if x == 0 else str(x))


def _index(index: tuple[int, ...]) -> str:
    return "()" if not index else "(" + ", ".join(str(i) for i in index) + ")"


# =========================================================================== gradcheck


@dataclass
class InputCheck:
    """The check of one input: its gradient by autodiff (g) and by differences (g_num)."""

    name: str
    shape: tuple[int, ...]
    relative_difference: float
    max_abs_difference: float
    worst_index: tuple[int, ...]
    autodiff: float
    numerical: float
    passed: bool
    within_rounding: bool
    gradient: np.ndarray
    numerical_gradient: np.ndarray


class GradcheckReport:
    """The result of :func:`gradcheck`; truthy when every input passed; ``str()`` is a table."""

    def __init__(
        self,
        inputs: list[InputCheck],
        eps: float,
        tol: float,
        atol: float,
        overall: float,
        note: str = "",
    ) -> None:
        self.inputs = inputs
        self.eps = eps
        self.tol = tol
        self.atol = atol
        self.relative_difference = overall
        self.note = note
        self.passed = all(check.passed for check in inputs)

    def __bool__(self) -> bool:
        return self.passed

    def __getitem__(self, key: int | str) -> InputCheck:
        if isinstance(key, str):
            for check in self.inputs:
                if check.name == key:
                    return check
            raise KeyError(key)
        return self.inputs[key]

    def __str__(self) -> str:
        verdict = "PASSED" if self.passed else "FAILED"
        lines = [
            f"gradcheck: {verdict} (two-sided differences, eps = {self.eps:g}; an input passes "
            f"when its relative difference is below {self.tol:g})"
        ]
        if self.note:
            lines.append(self.note)
        header = ("input", "shape", "relative difference", "max |g - g_num|",
                  "worst element", "autodiff g", "numerical g_num", "result")
        rows = []
        for c in self.inputs:
            result = "pass" if c.passed else "FAIL"
            if c.passed and c.within_rounding:
                result = "pass (difference at the rounding level)"
            rows.append((
                c.name, str(c.shape), _fmt(c.relative_difference), _fmt(c.max_abs_difference),
                _index(c.worst_index), f"{c.autodiff:.10g}", f"{c.numerical:.10g}", result,
            ))
        lines += ["  " + line for line in _format_table(header, rows)]
        lines.append(
            f"All inputs together (the course's single number): relative difference "
            f"{_fmt(self.relative_difference)}"
        )
        failed = [c.name for c in self.inputs if not c.passed]
        if failed:
            lines.append(
                "The gradient of " + ", ".join(failed) + " does not match the numerical one: "
                "look at the backward pass of the ops it goes through."
            )
        return "\n".join(lines)

    __repr__ = __str__


def gradcheck(
    fun: Callable[..., Any],
    *inputs: Any,
    eps: float = 1e-7,
    tol: float = 1e-7,
    atol: float | None = None,
    argnums: Sequence[int] | None = None,
    names: Sequence[str] | None = None,
    seed: int = 0,
) -> GradcheckReport:
    """Compare autodiff with two-sided differences for every input of ``fun``.

    For each entry θ_i of each input (in float64)::

        g_num_i = (J(θ + ε e_i) - J(θ - ε e_i)) / (2ε)

    and per input the course's relative difference
    ``‖g − g_num‖ / (‖g‖ + ‖g_num‖)``, which passes below ``tol`` (1e-7). The report
    also gives the entry with the largest difference, and both values there.

    Args:
        fun: a function of Tensors returning the cost J (one element). If it returns a
            larger Tensor, J = Σ v ⊙ fun(...) with a fixed random v is checked (a
            vector-Jacobian product), which tests every output.
        inputs: the point θ: arrays, numbers or Tensors. Checked ones are copied to
            float64 and passed to ``fun`` as Tensors.
        eps: the step ε.
        tol: the pass threshold of the relative difference.
        atol: also pass an input whose largest difference is at most ``atol``. By
            default (None) this is the rounding level of the difference quotient,
            10 · 2⁻⁵² · max|J| / ε: below it the numerical gradient cannot tell (it
            matters only for an input whose gradient is tiny). Use 0 for the course's
            bare rule.
        argnums: the positions of the inputs to check (default all); the others are
            passed to ``fun`` unchanged (e.g. labels Y).
        names: a name per input for the table (default: a Tensor's name or "input i").
        seed: seed of v for non-scalar outputs.

    Returns:
        A :class:`GradcheckReport`: ``bool(report)`` says whether it passed,
        ``print(report)`` shows the table, ``report["W1"]`` one input.
    """
    if not inputs:
        raise ValueError("gradcheck: give the inputs to check: gradcheck(fun, x, y, ...)")
    if not (isinstance(eps, (int, float)) and math.isfinite(eps) and eps > 0):
        raise ValueError(f"gradcheck: eps must be a positive number; got {eps!r}")
    positions = tuple(range(len(inputs))) if argnums is None else tuple(argnums)
    for i in positions:
        if not 0 <= i < len(inputs):
            raise ValueError(f"gradcheck: argnums has {i}, but there are {len(inputs)} inputs")
    if names is not None and len(names) != len(inputs):
        raise ValueError(f"gradcheck: {len(names)} names for {len(inputs)} inputs")

    values = list(inputs)
    for i in positions:
        raw = inputs[i].data if isinstance(inputs[i], Tensor) else inputs[i]
        values[i] = np.array(raw, dtype=np.float64)  # a copy: it is perturbed in place

    def label(i: int) -> str:
        if names is not None:
            return str(names[i])
        if isinstance(inputs[i], Tensor) and inputs[i].name:
            return inputs[i].name
        return f"input {i}"

    def call(args: list[Any]) -> Any:
        out = fun(*args)
        if not isinstance(out, Tensor):
            if isinstance(out, (int, float, np.ndarray, np.generic)):
                raise TypeError(
                    "gradcheck: fun returned a plain number or array, so nothing was "
                    "recorded; compute it with Tensor operations"
                )
            raise TypeError(f"gradcheck: fun must return a Tensor; got {type(out).__name__}")
        return out

    with al.no_grad():
        first = call([Tensor(v) if i in positions else v for i, v in enumerate(values)])
    projection = None
    note = ""
    if first.size != 1:
        projection = np.random.RandomState(seed).randn(*first.shape)
        note = (
            f"fun returns shape {first.shape}: checking J = sum(v * fun(...)) with a fixed "
            "random v of that shape"
        )

    def objective(*checked: Tensor) -> Tensor:
        args = list(values)
        for k, i in enumerate(positions):
            args[i] = checked[k]
        out = call(args)
        return (out * projection).sum() if projection is not None else out

    def value_at() -> float:
        out = call([Tensor(v) if i in positions else v for i, v in enumerate(values)])
        data = out.data.astype(np.float64)
        if projection is not None:
            return float(np.sum(data * projection))
        return float(data.ravel()[0])

    _, grads = al.value_and_grad(objective, argnums=tuple(range(len(positions))))(
        *[values[i] for i in positions]
    )

    largest = 0.0
    numerical = []
    with al.no_grad():
        for i in positions:
            x = values[i]
            g_num = np.zeros_like(x)
            for idx in np.ndindex(x.shape):
                original = x[idx]
                x[idx] = original + eps
                plus = value_at()
                x[idx] = original - eps
                minus = value_at()
                x[idx] = original
                g_num[idx] = (plus - minus) / (2 * eps)
                largest = max(largest, abs(plus), abs(minus))
            numerical.append(g_num)
    floor = 10 * np.finfo(np.float64).eps * largest / eps if atol is None else float(atol)

    checks = []
    for k, i in enumerate(positions):
        g = np.asarray(grads[k], dtype=np.float64).reshape(values[i].shape)
        g_num = numerical[k]
        difference = np.abs(g - g_num)
        if difference.size:
            flat = int(np.nanargmax(difference)) if not np.all(np.isnan(difference)) else 0
            worst = np.unravel_index(flat, difference.shape) if difference.ndim else ()
            worst = tuple(int(j) for j in worst)
            max_abs = float(difference[worst]) if difference.ndim else float(difference)
        else:
            worst, max_abs = (), 0.0
        rel = _relative_difference(g, g_num)
        finite = bool(np.all(np.isfinite(g)) and np.all(np.isfinite(g_num)))
        strict = finite and rel < tol
        rounding = finite and not strict and max_abs <= floor
        checks.append(InputCheck(
            name=label(i), shape=values[i].shape, relative_difference=rel,
            max_abs_difference=max_abs, worst_index=worst,
            autodiff=float(g[worst]) if g.size else 0.0,
            numerical=float(g_num[worst]) if g.size else 0.0,
            passed=strict or rounding, within_rounding=rounding,
            gradient=g, numerical_gradient=g_num,
        ))
    overall = _relative_difference(
        np.concatenate([c.gradient.ravel() for c in checks]),
        np.concatenate([c.numerical_gradient.ravel() for c in checks]),
    )
    return GradcheckReport(checks, eps=eps, tol=tol, atol=floor, overall=overall, note=note)


# =========================================================================== compare


@dataclass
class CompareRow:
    """One parameter: autodiff's gradient against the reference's."""

    name: str
    shape: tuple[int, ...] | None
    max_abs_difference: float
    relative_difference: float
    passed: bool
    problem: str = ""


class CompareReport:
    """The result of :func:`compare`: truthy when every row passed; ``str()`` is a table."""

    def __init__(
        self,
        rows: list[CompareRow],
        tol: float,
        title: str = "",
        costs: tuple[float, float] | None = None,
    ) -> None:
        self.rows = rows
        self.tol = tol
        self.title = title
        self.costs = costs
        self.passed = all(row.passed for row in rows)

    def __bool__(self) -> bool:
        return self.passed

    def __getitem__(self, name: str) -> CompareRow:
        for row in self.rows:
            if row.name == name or row.name == "d" + name:
                return row
        raise KeyError(name)

    def __str__(self) -> str:
        verdict = "PASSED" if self.passed else "FAILED"
        title = f"{self.title}: " if self.title else ""
        lines = [f"{title}autodiff vs reference — {verdict} (pass: relative difference "
                 f"below {self.tol:g})"]
        if self.costs is not None:
            auto, ref = self.costs
            lines.append(f"  cost J: autodiff {auto:.12g}, reference {ref:.12g}, "
                         f"|difference| {_fmt(abs(auto - ref))}")
        header = ("parameter", "shape", "max |autodiff - reference|", "relative difference",
                  "result")
        rows = []
        for r in self.rows:
            if r.problem:
                rows.append((r.name, str(r.shape) if r.shape is not None else "-", "-", "-",
                             f"FAIL: {r.problem}"))
            else:
                rows.append((r.name, str(r.shape), _fmt(r.max_abs_difference),
                             _fmt(r.relative_difference), "pass" if r.passed else "FAIL"))
        lines += ["  " + line for line in _format_table(header, rows)]
        return "\n".join(lines)

    __repr__ = __str__


def _course_key(key: Any) -> str:
    """The course's name of a gradient: "W1" -> "dW1"; "dW1" stays."""
    key = str(key)
    return key if key.startswith("d") else "d" + key


def _keyed(grads: Mapping[str, Any], side: str) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for key, value in grads.items():
        name = _course_key(key)
        if name in out:
            raise ValueError(f"compare: the {side} gradients have both {name!r} and {key!r}")
        value = value.data if isinstance(value, Tensor) else value
        out[name] = np.asarray(value, dtype=np.float64)
    return out


def compare(
    autodiff_grads: Mapping[str, Any],
    reference_grads: Mapping[str, Any],
    *,
    tol: float = 1e-7,
    atol: float = 0.0,
    title: str = "",
    costs: tuple[float, float] | None = None,
) -> CompareReport:
    """Compare two sets of gradients, parameter by parameter.

    Keys are matched in the course's form: "dW1", "db1", "dw", "db" (a key without the
    leading "d", such as a parameter name "W1", is read as "dW1"). For each parameter
    the table gives its shape, max |autodiff − reference| and the course's relative
    difference ‖g − g_ref‖ / (‖g‖ + ‖g_ref‖); a row passes when the relative difference
    is below ``tol`` (or the max difference at most ``atol``). A parameter present on
    one side only, or with different shapes, fails (numbers with one element, such
    as a scalar db, compare by value).

    Args:
        autodiff_grads: {name: gradient} from autodiff (arrays, numbers or Tensors).
        reference_grads: {name: gradient} from the reference (e.g. the ``grads`` of
            ``autograd_lite.reference.deep_network``).
        tol, atol: the pass thresholds.
        title: shown above the table.
        costs: optionally (J by autodiff's forward pass, J by the reference), shown too.

    Returns:
        A :class:`CompareReport` (truthy when every row passed; ``report["dW1"]``).
    """
    auto = _keyed(autodiff_grads, "autodiff")
    ref = _keyed(reference_grads, "reference")
    names = list(ref) + [name for name in auto if name not in ref]
    rows = []
    for name in names:
        if name not in auto:
            rows.append(CompareRow(name, ref[name].shape, math.nan, math.nan, False,
                                   "missing from the autodiff gradients"))
            continue
        if name not in ref:
            rows.append(CompareRow(name, auto[name].shape, math.nan, math.nan, False,
                                   "missing from the reference gradients"))
            continue
        g, g_ref = auto[name], ref[name]
        if g.shape != g_ref.shape:
            if g.size == 1 and g_ref.size == 1:
                g, g_ref = g.reshape(()), g_ref.reshape(())
            else:
                rows.append(CompareRow(name, g.shape, math.nan, math.nan, False,
                                       f"autodiff shape {g.shape}, reference {g_ref.shape}"))
                continue
        max_abs = float(np.max(np.abs(g - g_ref))) if g.size else 0.0
        rel = _relative_difference(g, g_ref)
        finite = bool(np.all(np.isfinite(g)) and np.all(np.isfinite(g_ref)))
        passed = finite and (rel < tol or max_abs <= atol)
        rows.append(CompareRow(name, auto[name].shape, max_abs, rel, passed))
    return CompareReport(rows, tol=tol, title=title, costs=costs)


# ----------------------------------------------------------------- models and references


def _dense_layers(model: Any) -> list[Any]:
    layers = [model] if isinstance(model, al.nn.Dense) else list(model)
    if not layers or not all(isinstance(layer, al.nn.Dense) for layer in layers):
        raise TypeError(
            "compare_model: the model must be an nn.MLP, an nn.Sequential of nn.Dense layers "
            f"or an nn.Dense; got {type(model).__name__}"
        )
    return layers


def model_gradients(
    model: Any,
    X: Any,
    Y: Any,
    loss: Callable[[Any, Any], Tensor] | None = None,
) -> tuple[float, dict[str, np.ndarray]]:
    """The cost J = loss(model(X), Y) and dJ/dθ by autodiff, keyed "dW1", "db1", ...

    ``loss`` defaults to the course's ``nn.binary_cross_entropy``. Layers are numbered
    l = 1 .. L as in the course, whatever the model's own parameter names. The
    parameters' ``.grad`` are left as they were.
    """
    loss = al.nn.binary_cross_entropy if loss is None else loss
    layers = _dense_layers(model)
    params = [p for layer in layers for p in (layer.W, layer.b)]
    saved_grads = [p.grad for p in params]
    try:
        for p in params:
            p.grad = None
        with al.enable_grad():
            J = loss(model(X), Y)
        J.backward()
        grads = {}
        for l, layer in enumerate(layers, start=1):
            for name, p in ((f"dW{l}", layer.W), (f"db{l}", layer.b)):
                grads[name] = np.zeros(p.shape) if p.grad is None else np.array(p.grad)
    finally:
        for p, g in zip(params, saved_grads):
            p.grad = g
    return float(J.item()), grads


def _reference_for(layers: list[Any], hidden: str | None) -> tuple[str, Callable[..., Any]]:
    from autograd_lite import reference

    last = layers[-1]
    if last.activation != "sigmoid" or last.n_out != 1:
        raise ValueError(
            "compare_model: the course's references end in one sigmoid unit with the "
            f"cross-entropy cost; this model's output layer is {last.n_out} unit(s) with "
            f"activation {last.activation!r}. Pass reference= your own function."
        )
    if len(layers) == 1:
        def logistic(params: Mapping[str, np.ndarray], X: Any, Y: Any) -> Any:
            cost, g = reference.logistic_regression(params["W1"].T, params["b1"], X, Y)
            return cost, {"dW1": np.asarray(g["dw"]).T, "db1": np.asarray(g["db"])}
        return "logistic regression (reference.logistic_regression)", logistic
    activations = {layer.activation for layer in layers[:-1]}
    if hidden is None:
        if len(activations) != 1:
            raise ValueError(
                "compare_model: the hidden layers use different activations "
                f"{sorted(map(str, activations))}; the course's references use one"
            )
        hidden = activations.pop()
    if hidden not in reference.ACTIVATIONS:
        raise ValueError(
            f"compare_model: the reference has no hidden activation {hidden!r}; it knows "
            + ", ".join(reference.ACTIVATIONS)
        )
    if len(layers) == 2:
        def shallow(params: Mapping[str, np.ndarray], X: Any, Y: Any) -> Any:
            return reference.shallow_network(params, X, Y, activation=hidden)
        return f"shallow network, {hidden} (reference.shallow_network)", shallow

    def deep(params: Mapping[str, np.ndarray], X: Any, Y: Any) -> Any:
        return reference.deep_network(params, X, Y, hidden=hidden)
    return f"{len(layers)}-layer network, {hidden} (reference.deep_network)", deep


def compare_model(
    model: Any,
    X: Any,
    Y: Any,
    reference: Callable[[Mapping[str, np.ndarray], Any, Any], tuple[float, Mapping]] | None = None,
    *,
    hidden: str | None = None,
    loss: Callable[[Any, Any], Tensor] | None = None,
    tol: float = 1e-7,
    title: str | None = None,
) -> CompareReport:
    """Run a model's autodiff and the course's hand-derived backward pass on X, Y; compare.

    The course's parameter dictionary {"W1", "b1", ..., "WL", "bL"} is read from the
    model's Dense layers, and by default the matching reference is chosen:
    one layer → ``reference.logistic_regression`` (w = W1ᵀ), two → ``shallow_network``,
    more → ``deep_network``, with the model's hidden activation. The model must end
    in one sigmoid unit (the references' cost is the binary cross-entropy), which is
    also the default ``loss`` on the autodiff side.

    Args:
        model: an nn.MLP (or nn.Sequential of nn.Dense, or one nn.Dense).
        X, Y: (n_x, m) and (1, m).
        reference: optionally your own ``reference(params, X, Y) -> (cost, grads)``.
        hidden: override the hidden activation given to the reference.
        loss: the autodiff side's cost (default ``nn.binary_cross_entropy``).
        tol: the pass threshold of the relative difference.
        title: shown above the table (default: the reference's name).
    """
    layers = _dense_layers(model)
    if reference is None:
        name, reference = _reference_for(layers, hidden)
    else:
        name = getattr(reference, "__name__", "reference")
    params = {}
    for l, layer in enumerate(layers, start=1):
        params[f"W{l}"] = np.array(layer.W.data, dtype=np.float64)
        params[f"b{l}"] = np.array(layer.b.data, dtype=np.float64)
    cost, grads = model_gradients(model, X, Y, loss=loss)
    ref_cost, ref_grads = reference(params, X, Y)
    return compare(grads, ref_grads, tol=tol, title=title or name,
                   costs=(cost, float(ref_cost)))
