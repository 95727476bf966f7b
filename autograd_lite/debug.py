"""When gradients go wrong: anomaly detection and strict shapes.

``detect_anomaly()`` checks every op's output in the forward pass and every local
gradient in the backward pass for NaN and inf, and stops at the first one with
an error that names the op, the pass, the shapes, the tensor's name, the line of
your code that created the op, and a hint in the course's terms.

``strict_shapes()`` warns about the course's rank-1 trap: a rank-1 ``(m,)`` array
entering a computation, and about broadcasting that stretches both operands into an
outer product (a ``(1, m)`` and an ``(m, 1)`` into an ``(m, m)`` warns even without it:
:mod:`autograd_lite.traps`).

Both are context managers and decorators, off by default, and act on the thread that
enters them only (as grad mode does: :mod:`autograd_lite.grad_mode`); when off they
cost one test of a number per op.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import traceback
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from autograd_lite import engine, grad_mode
from autograd_lite.tensor import Tensor
from autograd_lite.traps import PACKAGE_DIR as _PACKAGE_DIR
from autograd_lite.traps import BroadcastWarning, transposed_pair, warn_in_user_code

F = TypeVar("F", bound=Callable[..., Any])


class AnomalyError(FloatingPointError):
    """A NaN or inf appeared; the message says where it was born."""


class RankOneWarning(UserWarning):
    """A rank-1 array (shape (n,)) entered a computation: use (n, 1) or (1, n)."""


class _ThreadState(threading.local):
    """How deep this thread is in each mode (the class attributes: a new thread's 0)."""

    anomaly_depth = 0
    strict_depth = 0

    def __init__(self) -> None:  # run once in each thread that uses it
        # id(output array) -> (weak reference to it, where it was created); the source
        # line is read only if an error message needs it.
        self.creation_sites: dict[int, tuple[Any, _Site]] = {}


_State = _ThreadState()


# The machinery every op passes through; a frame elsewhere in the package (nn/, a loss,
# a layer) is worth naming next to the user's line: "via nn/losses.py:59 in squared_error".
_MACHINERY = tuple(
    os.path.join(_PACKAGE_DIR, part) for part in ("ops" + os.sep, "tensor.py", "debug.py")
)


class _Site:
    """Where an op was created: the user's frame, and the library frame that made the op
    when that was not the user's own call (nn.fit → a loss → the op)."""

    __slots__ = ("user", "library")

    def __init__(self, user: traceback.FrameSummary | None,
                 library: traceback.FrameSummary | None) -> None:
        self.user, self.library = user, library

    def describe(self) -> str:
        if self.user is None:
            return "unknown"
        frame = self.user
        code = f": {frame.line.strip()}" if frame.line else ""
        text = f"{frame.filename}:{frame.lineno} in {frame.name}{code}"
        if self.library is not None:
            inner = os.path.relpath(self.library.filename, _PACKAGE_DIR)
            text += f" (via autograd_lite/{inner}:{self.library.lineno} in {self.library.name})"
        return text


def _summary(frame: Any) -> traceback.FrameSummary:
    return traceback.FrameSummary(
        frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name, lookup_line=False
    )


def _user_site() -> _Site:
    """The innermost stack frame outside autograd_lite: where the user's code called us.

    Walks the live frames (cheap) instead of ``traceback.extract_stack``, which reads
    the source line of every frame on the stack for every op.
    """
    frame = sys._getframe(1)
    library = None
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(_PACKAGE_DIR):
            return _Site(_summary(frame), library)
        if library is None and not filename.startswith(_MACHINERY):
            library = _summary(frame)
        frame = frame.f_back
    return _Site(None, None)


def _bad_values(array: np.ndarray) -> str | None:
    if array.dtype.kind != "f" or np.isfinite(array).all():
        return None
    kinds = []
    if np.isnan(array).any():
        kinds.append("NaN")
    if np.isinf(array).any():
        kinds.append("inf")
    return " and ".join(kinds)


def _forward_hint(fn: Any, inputs: tuple, out: np.ndarray) -> str:
    values = tuple(t.data for t in inputs)
    if any(_bad_values(v) for v in values):
        # In anomaly mode the op that made a bad input would have stopped first.
        return "an input already holds NaN/inf: it came from data made outside the graph."
    hint = fn.forward_hint(values, out)
    if hint is not None:
        return hint
    return "check the inputs' ranges and the learning rate (a too-large one makes values explode)."


def _backward_hint(fn: Any) -> str:
    hint = fn.backward_hint
    return hint or "an upstream gradient was already huge: lower the learning rate."


def _describe_inputs(inputs: tuple) -> str:
    """``'w' (1, 2) and (2, 3)``: each input's shape, after its name when it has one."""
    parts = [f"'{t.name}' {t.shape}" if t.name else str(t.shape) for t in inputs]
    return " and ".join(parts) if len(parts) <= 2 else ", ".join(parts)


def _forget_site(sites: dict, key: int) -> Callable[[Any], None]:
    # The dict is this thread's, bound now: the array may be freed in another thread.
    def forget(_: Any) -> None:
        sites.pop(key, None)

    return forget


def _check_forward(fn: Any, inputs: tuple, out: np.ndarray) -> None:
    if _State.strict_depth:
        _check_shapes(fn, inputs, out)
    if not _State.anomaly_depth:
        return
    site = _user_site()
    bad = _bad_values(out)
    if bad is not None:
        noun = "input" if len(inputs) == 1 else "inputs"
        shapes = f"{noun} {_describe_inputs(inputs)}; output {out.shape}"
        node = _node_being_differentiated()
        if node is not None:  # backward(create_graph=True) records the VJP's own ops
            label = f"'{node.name}'" if node.name else "(unnamed)"
            raise AnomalyError(
                f"backward pass (create_graph=True): the local gradient of {node.op} "
                f"(output {label}, shape {node.shape}) holds {bad}: its {fn.name} ({shapes}) "
                f"produced it; {node.op} was created at {_creation_site(node)}. "
                f"Hint: {_backward_hint(node._op)}"
            )
        raise AnomalyError(
            f"forward pass: {fn.name} produced {bad} ({shapes}), created at "
            f"{site.describe()}. Hint: {_forward_hint(fn, inputs, out)}"
        )
    # The entry goes when the array does, so a long run in anomaly mode does not grow.
    key, sites = id(out), _State.creation_sites
    sites[key] = (weakref.ref(out, _forget_site(sites, key)), site)


def _node_being_differentiated() -> Any:
    """The node whose VJP is running, when an op is applied inside the backward walk."""
    return engine.node_being_differentiated()


def _creation_site(node: Any) -> str:
    entry = _State.creation_sites.get(id(node.data))
    if entry is not None and entry[0]() is node.data:
        return entry[1].describe()
    return "unknown (created before detect_anomaly was entered)"


def _check_backward(node: Any, upstream: Any, parent_grads: tuple) -> None:
    if not _State.anomaly_depth:
        return
    for i, grad in enumerate(parent_grads):
        if grad is None:
            continue
        # Under create_graph the gradients are Tensors.
        bad = _bad_values(grad.data if isinstance(grad, Tensor) else np.asarray(grad))
        if bad is None:
            continue
        label = f"'{node.name}'" if node.name else "(unnamed)"
        parent = node.parents[i]
        parent_label = f" '{parent.name}'" if parent.name else ""
        raise AnomalyError(
            f"backward pass: the local gradient of {node.op} for its input {i}{parent_label} "
            f"(shape {parent.shape}) holds {bad}; output {label} has shape {node.shape}, "
            f"created at {_creation_site(node)}. Hint: {_backward_hint(node._op)}"
        )


def _check_shapes(fn: Any, inputs: tuple, out: np.ndarray) -> None:
    op = fn.name
    for t in inputs:
        if t.data.ndim == 1 and t.data.shape[0] > 1:
            warn_in_user_code(
                RankOneWarning(
                    f"{op}: a rank-1 array of shape {t.shape} entered the computation. "
                    f"Rank-1 arrays behave neither as rows nor as columns: reshape it to "
                    f"({t.shape[0]}, 1) or (1, {t.shape[0]})."
                ),
            )
    if fn.broadcasts and len(inputs) == 2:
        a, b = inputs[0].shape, inputs[1].shape
        n = max(len(a), len(b))
        a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
        stretches_a = any(x == 1 < y for x, y in zip(a, b))
        stretches_b = any(y == 1 < x for x, y in zip(a, b))
        # A (1, m) with an (m, 1) is the ops' own warning, on by default (traps.py).
        if stretches_a and stretches_b and not transposed_pair(inputs[0].shape,
                                                               inputs[1].shape):
            warn_in_user_code(
                BroadcastWarning(
                    f"{op}: broadcasting {inputs[0].shape} with {inputs[1].shape} gave "
                    f"{out.shape}, an outer product. If you meant element by element, make "
                    "both the same shape (e.g. reshape Y to (1, m) like A)."
                ),
            )


def _install() -> None:
    """Set this thread's hooks (grad_mode.modes) for the modes it is in."""
    active = _State.anomaly_depth or _State.strict_depth
    modes = grad_mode.modes
    modes.forward_hook = _check_forward if active else None
    modes.backward_hook = _check_backward if _State.anomaly_depth else None
    if not _State.anomaly_depth:
        _State.creation_sites.clear()


class _Mode(contextlib.ContextDecorator):
    """Context manager and decorator that switches one checking mode on.

    ``with mode():``, ``@mode()`` and ``@mode`` all work; modes nest.
    """

    _counter = ""

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        self = super().__new__(cls)
        if func is None:
            return self
        if not callable(func):
            raise TypeError(f"{cls.__name__}() takes no arguments (or decorates a function)")
        return self(func)  # used as @mode without parentheses

    def __enter__(self) -> _Mode:
        grad_mode.open_block()
        setattr(_State, self._counter, getattr(_State, self._counter) + 1)
        _install()
        return self

    def __exit__(self, *exc_info: object) -> None:
        setattr(_State, self._counter, getattr(_State, self._counter) - 1)
        _install()
        grad_mode.close_block()


class detect_anomaly(_Mode):  # noqa: N801 - used like PyTorch's torch.autograd.detect_anomaly
    """Raise AnomalyError at the first NaN/inf in the forward or backward pass.

    ``with al.detect_anomaly(): J = ...; J.backward()`` or ``@al.detect_anomaly()``.
    Slower (every op is checked and its creation site recorded): use it to debug. It
    checks the ops of the thread that enters it only.
    """

    _counter = "anomaly_depth"


class strict_shapes(_Mode):  # noqa: N801
    """Warn (RankOneWarning, BroadcastWarning) about the course's rank-1 and broadcasting traps."""

    _counter = "strict_depth"
