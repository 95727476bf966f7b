"""When gradients go wrong: anomaly detection and strict shapes.

``detect_anomaly()`` checks every op's output in the forward pass and every local
gradient in the backward pass for NaN and inf, and stops at the first one with
an error that names the op, the pass, the shapes, the tensor's name, the line of
your code that created the op, and a hint in the course's terms.

``strict_shapes()`` warns about the course's rank-1 trap: a rank-1 ``(m,)`` array
entering a computation, and broadcasting that silently turns a ``(1, m)`` and an
``(m, 1)`` into an ``(m, m)`` outer product.

Both are context managers and decorators, off by default; when off they cost
one test of a module variable per op.
"""

from __future__ import annotations

import functools
import os
import traceback
import warnings
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from autograd_lite import engine
from autograd_lite.ops import base

F = TypeVar("F", bound=Callable[..., Any])

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class AnomalyError(FloatingPointError):
    """A NaN or inf appeared; the message says where it was born."""


class RankOneWarning(UserWarning):
    """A rank-1 array (shape (n,)) entered a computation: use (n, 1) or (1, n)."""


class BroadcastWarning(UserWarning):
    """Broadcasting stretched both operands in different axes (an accidental outer product)."""


# Elementwise ops with two operands, where an accidental outer product can happen.
_ELEMENTWISE_BINARY = {"add", "sub", "mul", "div", "pow", "maximum", "minimum", "where"}


class _State:
    anomaly_depth = 0
    strict_depth = 0
    # id(output array) -> (weak reference to it, "file:line in function: code")
    creation_sites: dict[int, tuple[Any, str]] = {}


def _user_frame() -> traceback.FrameSummary | None:
    """The innermost stack frame outside autograd_lite: where the user's code called us."""
    for frame in reversed(traceback.extract_stack()):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            return frame
    return None


def _describe_site(frame: traceback.FrameSummary | None) -> str:
    if frame is None:
        return "unknown"
    code = f": {frame.line.strip()}" if frame.line else ""
    return f"{frame.filename}:{frame.lineno} in {frame.name}{code}"


def _bad_values(array: np.ndarray) -> str | None:
    if array.dtype.kind != "f" or np.isfinite(array).all():
        return None
    kinds = []
    if np.isnan(array).any():
        kinds.append("NaN")
    if np.isinf(array).any():
        kinds.append("inf")
    return " and ".join(kinds)


def _forward_hint(op: str, inputs: tuple, out: np.ndarray) -> str:
    values = [t.data for t in inputs]
    if op == "log" and (values[0] <= 0).any():
        return (
            "log of 0 (or of a negative number). In a cross-entropy, log(A) with A = σ(Z) "
            "reaches log 0 when σ saturates: use nn.binary_cross_entropy_with_logits(Z, Y) "
            "on the logits Z instead of log(sigmoid(Z))."
        )
    if op == "exp":
        return (
            f"exp overflowed (largest input {values[0].max():.4g}; e^x is inf above ~709). "
            "For σ(z) use the engine's stable sigmoid() rather than 1 / (1 + exp(-z)); "
            "for softmax use softmax()/log_softmax(), which subtract the max first."
        )
    if op == "div" and (values[1] == 0).any():
        return "division by zero: a denominator is 0 somewhere."
    if op == "sqrt" and (values[0] < 0).any():
        return "sqrt of a negative number."
    if op == "pow":
        return "a power overflowed or was taken of a negative base with a fractional exponent."
    if any(_bad_values(v) for v in values):
        return "an input already holds NaN/inf: it came from data made outside the graph."
    return "check the inputs' ranges and the learning rate (a too-large one makes values explode)."


def _backward_hint(op: str) -> str:
    hints = {
        "sqrt": "d√z/dz = 1/(2√z) is infinite at z = 0: add a small epsilon inside the sqrt.",
        "log": "d log z/dz = 1/z is infinite at z = 0: use a loss computed from logits.",
        "div": "d(a/b)/db = -a/b² is infinite at b = 0.",
        "pow": "d(a^p)/da = p a^(p-1) is infinite at a = 0 when p < 1.",
    }
    return hints.get(op, "an upstream gradient was already huge: lower the learning rate.")


def _check_forward(fn: Any, inputs: tuple, out: np.ndarray) -> None:
    if _State.strict_depth:
        _check_shapes(fn.name, inputs, out)
    if not _State.anomaly_depth:
        return
    frame = _user_frame()
    bad = _bad_values(out)
    if bad is not None:
        shapes = ", ".join(str(t.shape) for t in inputs)
        names = ", ".join(t.name for t in inputs if t.name) or "unnamed"
        raise AnomalyError(
            f"forward pass: {fn.name} produced {bad} (inputs of shapes {shapes}, named "
            f"{names}; output {out.shape}), created at {_describe_site(frame)}. "
            f"Hint: {_forward_hint(fn.name, inputs, out)}"
        )
    _State.creation_sites[id(out)] = (weakref.ref(out), _describe_site(frame))


def _creation_site(node: Any) -> str:
    entry = _State.creation_sites.get(id(node.data))
    if entry is not None and entry[0]() is node.data:
        return entry[1]
    return "unknown (created before detect_anomaly was entered)"


def _check_backward(node: Any, upstream: Any, parent_grads: tuple) -> None:
    if not _State.anomaly_depth:
        return
    for i, grad in enumerate(parent_grads):
        if grad is None:
            continue
        bad = _bad_values(np.asarray(getattr(grad, "data", grad)))
        if bad is None:
            continue
        label = f"'{node.name}'" if node.name else "(unnamed)"
        parent = node.parents[i]
        raise AnomalyError(
            f"backward pass: the local gradient of {node.op} for its input {i} "
            f"(shape {parent.shape}) holds {bad}; output {label} has shape {node.shape}, "
            f"created at {_creation_site(node)}. Hint: {_backward_hint(node.op)}"
        )


def _check_shapes(op: str, inputs: tuple, out: np.ndarray) -> None:
    frame = _user_frame()
    for t in inputs:
        if t.data.ndim == 1 and t.data.shape[0] > 1:
            _warn_at(
                frame,
                RankOneWarning(
                    f"{op}: a rank-1 array of shape {t.shape} entered the computation. "
                    f"Rank-1 arrays behave neither as rows nor as columns: reshape it to "
                    f"({t.shape[0]}, 1) or (1, {t.shape[0]})."
                ),
            )
    if op in _ELEMENTWISE_BINARY and len(inputs) == 2:
        a, b = inputs[0].shape, inputs[1].shape
        n = max(len(a), len(b))
        a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
        stretches_a = any(x == 1 < y for x, y in zip(a, b))
        stretches_b = any(y == 1 < x for x, y in zip(a, b))
        if stretches_a and stretches_b:
            _warn_at(
                frame,
                BroadcastWarning(
                    f"{op}: broadcasting {inputs[0].shape} with {inputs[1].shape} gave "
                    f"{out.shape}, an outer product. If you meant element by element, make "
                    "both the same shape (e.g. reshape Y to (1, m) like A)."
                ),
            )


def _warn_at(frame: traceback.FrameSummary | None, warning: Warning) -> None:
    if frame is None:
        warnings.warn(warning, stacklevel=3)
    else:
        warnings.warn_explicit(
            warning, type(warning), frame.filename, frame.lineno or 0, module=frame.name
        )


def _install() -> None:
    active = _State.anomaly_depth or _State.strict_depth
    base._forward_hook = _check_forward if active else None
    engine._backward_hook = _check_backward if _State.anomaly_depth else None
    if not _State.anomaly_depth:
        _State.creation_sites.clear()


class _Mode:
    """Context manager and decorator that switches one checking mode on."""

    _counter = ""

    def __enter__(self) -> _Mode:
        setattr(_State, self._counter, getattr(_State, self._counter) + 1)
        _install()
        return self

    def __exit__(self, *exc_info: object) -> None:
        setattr(_State, self._counter, getattr(_State, self._counter) - 1)
        _install()

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class detect_anomaly(_Mode):  # noqa: N801 - used like PyTorch's torch.autograd.detect_anomaly
    """Raise AnomalyError at the first NaN/inf in the forward or backward pass.

    ``with al.detect_anomaly(): J = ...; J.backward()`` or ``@al.detect_anomaly()``.
    Slower (every op is checked and its creation site recorded): use it to debug.
    """

    _counter = "anomaly_depth"


class strict_shapes(_Mode):  # noqa: N801
    """Warn (RankOneWarning, BroadcastWarning) about the course's rank-1 and broadcasting traps."""

    _counter = "strict_depth"
