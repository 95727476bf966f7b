"""Whether operations are recorded: ``no_grad()`` switches recording off."""

from __future__ import annotations

import contextlib
import functools
import types
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class GradMode:
    """Global switch read by every primitive before it records a graph node."""

    enabled = True


def is_grad_enabled() -> bool:
    return GradMode.enabled


class _SetGradMode(contextlib.ContextDecorator):
    """Context manager and decorator that sets GradMode.enabled while active."""

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(GradMode.enabled)
        GradMode.enabled = self._enabled

    def __exit__(self, *exc_info: object) -> None:
        GradMode.enabled = self._previous.pop()


class no_grad(_SetGradMode):  # noqa: N801 - lower case like PyTorch's, used as a context manager
    """Record nothing inside: ``with no_grad(): ...`` or ``@no_grad()`` (also ``@no_grad``).

    Use it for parameter updates and for evaluation, where no gradient is needed.
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
    """Record operations again inside a ``no_grad`` block."""

    def __init__(self) -> None:
        super().__init__(True)
