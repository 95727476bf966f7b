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
from autograd_lite.nn.serialization import ModelFile, save_state

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
        problems = _name_problems(own, state, strict)
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
                problems.append(_shape_problem(name, array.shape, p.shape))
                continue
            new_values[name] = array
        if problems:
            raise _state_dict_error(self, own, problems)
        for name, array in new_values.items():
            own[name].data = array
        return self

    # ------------------------------------------------------------------- files
    def config(self) -> dict[str, Any] | None:
        """What is needed to rebuild this module (saved with it), or None if unknown."""
        return None

    def save(self, path: str | PathLike[str]) -> None:
        """Write the parameters to ``path`` as a NumPy .npz file, atomically.

        The file is written next to ``path`` as an unnamed temporary file (where the
        system has them), flushed to disk (fsync) and renamed over ``path`` in one step,
        so a crash, ``kill -9`` or an error during the save never leaves a half-written
        file or a temporary behind: ``path`` holds either the old contents or the new
        ones (see :mod:`autograd_lite.files`). A file saved again keeps its permissions.
        ``path`` is used exactly as given (no ".npz" is appended).
        """
        save_state(path, self.state_dict(), type(self).__name__, self.config())

    def load(self, path: str | PathLike[str]) -> Module:
        """Read parameters saved by :meth:`save` (or ``np.savez(path, **params)``).

        Names and shapes are checked as by :meth:`load_state_dict`; on any problem
        (missing file, truncated or corrupt file, a file that is not a model, a
        mismatch) a clear error is raised and the model is unchanged. Returns the module.
        """
        with ModelFile(path) as model_file:
            return self._load_file(model_file, f"load {str(path)!r}")

    def _load_file(self, model_file: ModelFile, where: str | None) -> Module:
        """Load an open model file: names and shapes are checked from the arrays' headers
        (:class:`StateDictError` prefixed by ``where``) before any array is read."""
        self._check_state_shapes(model_file.shapes, where)
        state = model_file.read_state()
        own = dict(self.named_parameters())
        for name, array in state.items():  # read fresh from the file: no copy needed
            own[name].data = array.astype(own[name].dtype, copy=False)
        return self

    def _check_state_shapes(
        self, shapes: Mapping[str, tuple[int, ...]], where: str | None
    ) -> None:
        """Raise :class:`StateDictError` (prefixed by ``where``) unless ``shapes``, a
        {name: shape} of values to load, has exactly this module's names and shapes:
        the check :meth:`load_state_dict` makes, on shapes alone."""
        own = dict(self.named_parameters())
        problems = _name_problems(own, shapes, strict=True)
        for name, p in own.items():
            if name in shapes and tuple(shapes[name]) != p.shape:
                problems.append(_shape_problem(name, tuple(shapes[name]), p.shape))
        if problems:
            error = _state_dict_error(self, own, problems)
            raise error if where is None else StateDictError(f"{where}: {error}")

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


def _name_problems(
    own: Mapping[str, Parameter], given: Mapping[str, Any], strict: bool
) -> list[str]:
    problems = []
    missing = [name for name in own if name not in given]
    if missing:
        problems.append("missing " + ", ".join(missing))
    unexpected = [str(name) for name in given if name not in own]
    if unexpected and strict:
        problems.append("unexpected " + ", ".join(unexpected))
    return problems


def _shape_problem(name: str, shape: tuple[int, ...], expected: tuple[int, ...]) -> str:
    return f"{name} is {shape} where the model's {name} is {expected}"


def _state_dict_error(
    module: Module, own: Mapping[str, Parameter], problems: list[str]
) -> StateDictError:
    expected = ", ".join(f"{name} {p.shape}" for name, p in own.items())
    return StateDictError(
        f"load_state_dict ({type(module).__name__}): " + "; ".join(problems)
        + f". The model expects: {expected}. Nothing was changed."
    )
