"""Whether operations are recorded (``no_grad()`` switches recording off), per thread.

Grad mode, and the hooks that the debug modes (``detect_anomaly``, ``strict_shapes``)
install, belong to the thread that set them, as in PyTorch: a thread that evaluates a
model under ``no_grad()`` leaves the threads that train it recording, and a new thread
starts with the defaults (recording on, no hooks), whatever the thread that made it does.

Every op reads these modes, so the read is kept cheap. :data:`open_blocks` counts the
mode blocks (``with no_grad()``, ``enable_grad()``, ``detect_anomaly()``,
``strict_shapes()``) open in all threads together. While it is 0, which is the common
case, every thread has the defaults and an op reads nothing per thread: one test of a
number, as cheap as the process-wide switch this replaces. Otherwise an op reads its own
thread's :data:`modes`.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import types
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _ThreadModes(threading.local):
    """The modes of the thread that reads them. The class attributes are the defaults,
    which every thread sees until it sets its own value."""

    #: Whether ops record graph nodes (``no_grad()`` sets it False).
    grad_enabled = True
    #: Called with (primitive, input tensors, output array) after every forward (debug).
    forward_hook: Any = None
    #: Called with (node, upstream gradient, the VJP's results) at every backward step (debug).
    backward_hook: Any = None


#: This thread's modes (each thread reads and writes its own values).
modes = _ThreadModes()

#: How many mode blocks are open in all threads together; 0: every thread has the defaults.
open_blocks = 0
_open_blocks_lock = threading.Lock()


def open_block() -> None:
    """Count a mode block that this thread enters (before it changes its modes)."""
    global open_blocks
    with _open_blocks_lock:
        open_blocks += 1


def close_block() -> None:
    """Count a mode block that this thread left (after it restored its modes)."""
    global open_blocks
    with _open_blocks_lock:
        open_blocks -= 1


def is_grad_enabled() -> bool:
    """Whether ops record the graph in this thread (False inside ``no_grad()``)."""
    return modes.grad_enabled


class _SetGradMode(contextlib.ContextDecorator):
    """Context manager and decorator that sets this thread's grad mode while active.

    The previous values are kept per thread: one ``@no_grad()`` function may run in
    several threads at once, and each gets its own mode back on leaving.
    """

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._previous: dict[int, list[bool]] = {}  # thread id -> values to restore

    def __enter__(self) -> None:
        open_block()
        self._previous.setdefault(threading.get_ident(), []).append(modes.grad_enabled)
        modes.grad_enabled = self._enabled

    def __exit__(self, *exc_info: object) -> None:
        thread = threading.get_ident()
        previous = self._previous[thread]
        modes.grad_enabled = previous.pop()
        if not previous:
            del self._previous[thread]
        close_block()


class no_grad(_SetGradMode):  # noqa: N801 - lower case like PyTorch's, used as a context manager
    """Record nothing inside: ``with no_grad(): ...`` or ``@no_grad()`` (also ``@no_grad``).

    Use it for parameter updates and for evaluation, where no gradient is needed. It acts
    on the thread that enters it only.
    """

    def __init__(self, func: Callable[..., Any] | None = None) -> None:
        super().__init__(False)
        self._wrapped = None
        if func is not None:
            self._wrapped = _SetGradMode.__call__(self, func)
            functools.update_wrapper(self, func)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._wrapped is not None:  # used as a bare decorator: @no_grad
            return self._wrapped(*args, **kwargs)
        return super().__call__(args[0])

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        # A bare @no_grad on a method is this object, not a function, so it must bind
        # ``self`` itself as functions do; otherwise m.f(x) would lose m.
        if instance is None or self._wrapped is None:
            return self
        return types.MethodType(self, instance)


class enable_grad(_SetGradMode):  # noqa: N801
    """Record operations again inside a ``no_grad`` block (of this thread)."""

    def __init__(self) -> None:
        super().__init__(True)
