"""Module: a piece of a network that owns parameters, and Parameter, the tensors it owns.

A Module is written like a plain Python class: assigning a :class:`Parameter` or
another Module to an attribute registers it, and ``named_parameters()`` walks
them in the order they were assigned::

    class Logistic(nn.Module):
        def __init__(self, n_x):
            super().__init__()
            self.w = nn.Parameter(np.zeros((n_x, 1)), name="w")
            self.b = nn.Parameter(np.zeros((1, 1)), name="b")

        def forward(self, X):
            return al.sigmoid(self.w.T @ X + self.b)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from os import PathLike
from typing import Any

import numpy as np

from autograd_lite import Tensor
from autograd_lite.nn.serialization import read_state, save_state

__all__ = ["Module", "Parameter", "StateDictError"]


class StateDictError(ValueError):
    """Parameters given to ``load_state_dict`` (or read by ``load``) that do not fit the model."""


class Parameter(Tensor):
    """A Tensor that a Module learns: ``requires_grad=True`` unless told otherwise."""

    __slots__ = ()

    def __init__(
        self,
        data: Any,
        requires_grad: bool = True,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(data, requires_grad=requires_grad, name=name, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter" + super().__repr__()[len("Tensor"):]


class Module:
    """Base class of layers and models: parameters, gradients, state and files.

    Subclasses call ``super().__init__()`` first and define ``forward``;
    ``model(X)`` calls ``model.forward(X)``.
    """

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})

    def __setattr__(self, name: str, value: Any) -> None:
        registry = self.__dict__.get("_parameters")
        if registry is None:
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() in __init__ before "
                f"assigning attributes (assigning {name!r})"
            )
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    # ------------------------------------------------------------------ calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # --------------------------------------------------------------- parameters
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """(name, module) for this module ("") and every module inside it, depth first."""
        yield prefix.rstrip("."), self
        for name, module in self._modules.items():
            yield from module.named_modules(f"{prefix}{name}.")

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """(name, parameter) pairs; a submodule's parameters are named "sub.W".

        A parameter shared by two submodules is listed once, under its first name.
        """
        seen: set[int] = set()
        for module_name, module in self.named_modules():
            for name, p in module._parameters.items():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{module_name}.{name}" if module_name else name), p

    def parameters(self) -> list[Parameter]:
        """The parameters, in the order of ``named_parameters()``."""
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        """The number of learned numbers (every entry of every W and b)."""
        return int(sum(p.size for p in self.parameters()))

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of the parameters before the next backward pass.

        ``set_to_none=False`` fills the existing gradient arrays with zeros instead.
        """
        for p in self.parameters():
            if set_to_none or not isinstance(p.grad, np.ndarray):
                p.grad = None
            else:
                p.grad.fill(0)

    # ------------------------------------------------------------------- state
    def state_dict(self) -> dict[str, np.ndarray]:
        """{name: a copy of the parameter's values}, in the order of ``named_parameters()``."""
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> Module:
        """Copy values into the parameters, by name ("W1", "b1", ... for an MLP).

        Everything is checked before anything is changed: names (missing ones, and
        unexpected ones when ``strict``) and shapes. On a mismatch a
        :class:`StateDictError` says what does not fit and the model is left as it was.
        Values are converted to each parameter's dtype. Returns the module.
        """
        own = dict(self.named_parameters())
        problems = []
        missing = [name for name in own if name not in state]
        if missing:
            problems.append("missing " + ", ".join(missing))
        unexpected = [str(name) for name in state if name not in own]
        if unexpected and strict:
            problems.append("unexpected " + ", ".join(unexpected))
        new_values = {}
        for name, p in own.items():
            if name not in state:
                continue
            value = state[name]
            value = value.data if isinstance(value, Tensor) else value
            try:
                array = np.array(value, dtype=p.dtype)
            except (TypeError, ValueError):
                problems.append(f"{name} is not an array of numbers ({type(value).__name__})")
                continue
            if array.shape != p.shape:
                problems.append(f"{name} is {array.shape} where the model's {name} is {p.shape}")
                continue
            new_values[name] = array
        if problems:
            expected = ", ".join(f"{name} {p.shape}" for name, p in own.items())
            raise StateDictError(
                f"load_state_dict ({type(self).__name__}): " + "; ".join(problems)
                + f". The model expects: {expected}. Nothing was changed."
            )
        for name, array in new_values.items():
            own[name].data = array
        return self

    # ------------------------------------------------------------------- files
    def config(self) -> dict[str, Any] | None:
        """What is needed to rebuild this module (saved with it), or None if unknown."""
        return None

    def save(self, path: str | PathLike[str]) -> None:
        """Write the parameters to ``path`` as a NumPy .npz file, atomically.

        The file is written next to ``path`` under a temporary name, flushed to disk
        (fsync) and renamed over ``path`` in one step, so a crash or an error during
        the save never leaves a half-written file behind: ``path`` holds either the
        old contents or the new ones. ``path`` is used exactly as given (no ".npz" is
        appended).
        """
        save_state(path, self.state_dict(), type(self).__name__, self.config())

    def load(self, path: str | PathLike[str]) -> Module:
        """Read parameters saved by :meth:`save` (or ``np.savez(path, **params)``).

        Names and shapes are checked as by :meth:`load_state_dict`; on any problem
        (missing file, truncated or corrupt file, a file that is not a model, a
        mismatch) a clear error is raised and the model is unchanged. Returns the module.
        """
        state, _ = read_state(path)
        try:
            return self.load_state_dict(state)
        except StateDictError as err:
            raise StateDictError(f"load {str(path)!r}: {err}") from None

    # ---------------------------------------------------------------- display
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        inner = self.extra_repr()
        if not self._modules:
            return f"{type(self).__name__}({inner})"
        lines = [f"{type(self).__name__}({inner}"]
        for name, module in self._modules.items():
            body = repr(module).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        return "\n".join(lines) + "\n)"
