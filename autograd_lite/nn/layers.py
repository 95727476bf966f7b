"""The course's layers in its layout: examples are columns.

Layer l computes::

    Z^[l] = W^[l] A^[l-1] + b^[l]      W^[l] (n^[l], n^[l-1]),  b^[l] (n^[l], 1)
    A^[l] = g^[l](Z^[l])               Z^[l], A^[l] (n^[l], m);  A^[0] = X (n_x, m)

and names what it computes as the course does: its parameters are the tensors
"W^[l]" and "b^[l]", its results "Z^[l]" and "A^[l]" (``Tensor.name``), so a
graph of a network reads Z^[1] = W^[1] A^[0] + b^[1], A^[1] = tanh(Z^[1]), ...

:class:`Dense` is one such layer, :class:`Sequential` chains layers, and
:class:`MLP` is the course's L-layer network with parameters named W1, b1, ...,
WL, bL, so that a course parameter dictionary loads into it as it is.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from os import PathLike
from typing import IO, Any

import numpy as np

import autograd_lite as al
from autograd_lite import ShapeError, Tensor
from autograd_lite.nn.init import check_init, initialize_weights, make_rng
from autograd_lite.nn.module import Module, Parameter, StateDictError
from autograd_lite.nn.serialization import ModelFile
from autograd_lite.ops import linear

__all__ = ["ACTIVATIONS", "MLP", "Dense", "Sequential", "load_model", "model_from_config"]


def _softmax_rows(z: Any) -> Tensor:
    return al.softmax(z, axis=0)


#: g^[l] by name; None (or "linear") leaves Z as it is.
ACTIVATIONS: dict[str, Callable[[Any], Tensor]] = {
    "sigmoid": al.sigmoid,
    "tanh": al.tanh,
    "relu": al.relu,
    "leaky_relu": al.leaky_relu,
    "softmax": _softmax_rows,
}


def _resolve_activation(
    activation: str | Callable[[Any], Tensor] | None, where: str
) -> tuple[str | None, Callable[[Any], Tensor] | None]:
    if activation is None or activation == "linear":
        return None, None
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            allowed = ", ".join(repr(a) for a in (*ACTIVATIONS, "linear", None))
            raise ValueError(f"{where}: unknown activation {activation!r}; choose one of {allowed}")
        return activation, ACTIVATIONS[activation]
    if callable(activation):
        return getattr(activation, "__name__", "custom"), activation
    raise TypeError(f"{where}: activation must be a name, a function or None; got {activation!r}")


def _check_size(value: Any, name: str, where: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{where}: {name} must be a positive integer; got {value!r}")
    return int(value)


class Dense(Module):
    """One fully connected layer: A^[l] = g(W^[l] A^[l-1] + b^[l]).

    Args:
        n_in: n^[l-1], the number of inputs (rows of A^[l-1]).
        n_out: n^[l], the number of units.
        activation: g^[l]: "sigmoid", "tanh", "relu", "leaky_relu", "softmax" (over the
            rows of each column), None / "linear" (A = Z), or a function of a Tensor.
        init: "he", "xavier", "small" or "zeros" (see :mod:`autograd_lite.nn.init`).
        seed: an int (reproducible), a numpy RandomState (shared by several layers)
            or None (fresh randomness).
        dtype: float64 (default) or float32.

    Parameters: ``W`` (n_out, n_in) and ``b`` (n_out, 1), zeros. Once the layer is
    layer l of a network (:meth:`set_index`), its tensors are named as the course
    names them: W^[l], b^[l], and the Z^[l], A^[l] that each forward pass makes.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation: str | Callable[[Any], Tensor] | None = None,
        init: str = "he",
        seed: int | np.random.RandomState | None = None,
        dtype: Any = np.float64,
    ) -> None:
        super().__init__()
        where = "Dense"
        self.n_in = _check_size(n_in, "n_in", where)
        self.n_out = _check_size(n_out, "n_out", where)
        self.activation, self._g = _resolve_activation(activation, where)
        self.init = check_init(init, where)
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"{where}: dtype must be floating (float64, float32); got {dtype}")
        rng = make_rng(seed)
        self.W = Parameter(initialize_weights(init, self.n_out, self.n_in, rng, dtype), name="W")
        self.b = Parameter(np.zeros((self.n_out, 1), dtype=dtype), name="b")
        self.index: int | None = None
        self._z_name: str | None = None
        self._a_name: str | None = None

    def set_index(self, l: int | None) -> None:
        """The layer's number l in its network: its tensors are then named W^[l], b^[l],
        Z^[l] and A^[l] (in graph pictures and error messages)."""
        self.index = l
        self.W.name = "W" if l is None else f"W^[{l}]"
        self.b.name = "b" if l is None else f"b^[{l}]"
        self._z_name = None if l is None else f"Z^[{l}]"
        self._a_name = None if l is None else f"A^[{l}]"

    def _shape_error(self, shape: tuple[int, ...]) -> ShapeError:
        l = self.index
        if l is None:
            head, w_name, a_name = "Dense layer", "W", "its input A"
        else:
            head, w_name = f"Dense layer {l}", f"W^[{l}]"
            a_name = "X = A^[0]" if l == 1 else f"A^[{l - 1}]"
        message = (
            f"{head}: {w_name} is {self.W.shape}, so {a_name} must be ({self.n_in}, m); "
            f"got {shape}"
        )
        if len(shape) == 2 and shape[1] == self.n_in:
            message += " (examples must be columns: transpose it, e.g. X.T)"
        elif len(shape) == 1 and shape[0] == self.n_in:
            message += f" (one example is a column: reshape it to ({self.n_in}, 1))"
        return ShapeError(message)

    def forward(self, A: Any) -> Tensor:
        """A^[l] = g(W A^[l-1] + b); A^[l-1] is (n_in, m)."""
        shape = A.shape if isinstance(A, (Tensor, np.ndarray)) else np.shape(A)
        if len(shape) != 2 or shape[0] != self.n_in:
            raise self._shape_error(tuple(shape))
        Z = linear(self.W, A, self.b)
        Z.name = self._z_name
        if self._g is None:
            return Z  # a linear layer: A^[l] = Z^[l], named Z^[l]
        A = self._g(Z)
        if A is not Z:
            A.name = self._a_name
        return A

    def predict(self, X: Any) -> np.ndarray:
        """Labels (1, m) from this layer's output (see :meth:`Sequential.predict`)."""
        return _predict(self, self, X)

    def summary_table(self, m: int | str = "m") -> str:
        return _summary_table(f"Dense({self.n_in}, {self.n_out})", [self], m)

    def summary(self, m: int | str = "m", file: IO[str] | None = None) -> None:
        """Print the dimension table for m examples (see :meth:`Sequential.summary`)."""
        print(self.summary_table(m), file=file or sys.stdout)

    def config(self) -> dict[str, Any] | None:
        if self._g is not None and self.activation not in ACTIVATIONS:
            return None
        return {
            "type": "Dense", "n_in": self.n_in, "n_out": self.n_out,
            "activation": self.activation, "dtype": str(self.W.dtype),
        }

    def extra_repr(self) -> str:
        return f"{self.n_in}, {self.n_out}, activation={self.activation!r}"


class Sequential(Module):
    """Layers applied one after the other: A^[l] = layer_l(A^[l-1]).

    ``Sequential(Dense(2, 4, "tanh"), Dense(4, 1, "sigmoid"))``. The Dense layers are
    numbered l = 1, 2, ... in order (their W is named "W1", ... in graphs and errors);
    their parameters are listed as "0.W", "0.b", "1.W", ... Use :class:`MLP` for the
    course's names "W1", "b1", ...
    """

    def __init__(self, *layers: Module) -> None:
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        if not layers:
            raise ValueError("Sequential: give at least one layer")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(
                    f"Sequential: layer {i} is a {type(layer).__name__}, not an nn.Module"
                )
            setattr(self, str(i), layer)
        l = 0
        for layer in layers:
            if isinstance(layer, Dense):
                l += 1
                layer.set_index(l)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    @property
    def layers(self) -> list[Module]:
        """The layers, in order (``model.layers[0]`` is layer 1 when all are Dense)."""
        return list(self._modules.values())

    def __len__(self) -> int:
        return len(self._modules)

    def __getitem__(self, i: int) -> Module:
        return list(self._modules.values())[i]

    def forward(self, X: Any) -> Tensor:
        A = X
        for layer in self:
            A = layer(A)
        return A

    def predict(self, X: Any) -> np.ndarray:
        """Labels (1, m) as float: for one output unit, A > 0.5 after a sigmoid (Z > 0 for
        a linear or tanh output); for several units, the row of the largest output.
        Computed without recording a graph."""
        last = [layer for layer in self if isinstance(layer, Dense)]
        return _predict(self, last[-1] if last else None, X)

    def summary_table(self, m: int | str = "m") -> str:
        return _summary_table(type(self).__name__, list(self), m)

    def summary(self, m: int | str = "m", file: IO[str] | None = None) -> None:
        """Print the course's dimension table for m examples (m may be left symbolic).

        One row per layer l with the shapes of W^[l], b^[l], Z^[l] and A^[l] and the
        layer's number of parameters n^[l] n^[l-1] + n^[l], then the total.
        """
        print(self.summary_table(m), file=file or sys.stdout)

    def config(self) -> dict[str, Any] | None:
        configs = [layer.config() for layer in self]
        if any(c is None for c in configs):
            return None
        return {"type": "Sequential", "layers": configs}


class MLP(Sequential):
    """The course's L-layer network: [LINEAR -> hidden] x (L-1) -> LINEAR -> output.

    Args:
        layer_dims: [n_x, n^[1], ..., n^[L]] (the course's ``layers_dims``).
        hidden: g of the hidden layers ("relu", "tanh", "sigmoid", "leaky_relu").
        output: g^[L]: "sigmoid" (binary, with ``binary_cross_entropy``), None for the
            logits Z^[L] (with ``binary_cross_entropy_with_logits`` or ``cross_entropy``),
            or "softmax".
        init, seed, dtype: as for :class:`Dense`; one random stream is used for all
            layers in order, so ``MLP(dims, init="small", seed=s)`` has exactly the
            parameters of the course's ``initialize_parameters_deep`` after
            ``np.random.seed(s)``.

    Parameters are named "W1", "b1", ..., "WL", "bL" (``named_parameters()``,
    ``state_dict()``, ``load_state_dict()``, files).
    """

    def __init__(
        self,
        layer_dims: Sequence[int],
        hidden: str | Callable[[Any], Tensor] | None = "relu",
        output: str | Callable[[Any], Tensor] | None = "sigmoid",
        init: str = "he",
        seed: int | np.random.RandomState | None = None,
        dtype: Any = np.float64,
    ) -> None:
        dims = list(layer_dims)
        if len(dims) < 2:
            raise ValueError(
                f"MLP: layer_dims must list at least [n_x, n^[1]]; got {layer_dims!r}"
            )
        for i, n in enumerate(dims):
            _check_size(n, f"layer_dims[{i}]", "MLP")
        check_init(init, "MLP")
        rng = make_rng(seed)
        L = len(dims) - 1
        layers = [
            Dense(dims[l - 1], dims[l], hidden if l < L else output, init=init, seed=rng,
                  dtype=dtype)
            for l in range(1, L + 1)
        ]
        super().__init__(*layers)
        self.layer_dims = [int(n) for n in dims]
        self.hidden = layers[0].activation if L > 1 else _resolve_activation(hidden, "MLP")[0]
        self.output = layers[-1].activation

    @classmethod
    def from_parameters(
        cls,
        parameters: Mapping[str, Any],
        hidden: str | None = "relu",
        output: str | None = "sigmoid",
    ) -> MLP:
        """An MLP holding a course parameter dictionary {"W1": ..., "b1": ..., ...}.

        The layer sizes are read from the shapes of W1, ..., WL.
        """
        L = 0
        while f"W{L + 1}" in parameters:
            L += 1
        if L == 0:
            raise ValueError("MLP.from_parameters: no W1 in the parameters")
        dims = [int(np.shape(parameters["W1"])[1])]
        for l in range(1, L + 1):
            shape = np.shape(parameters[f"W{l}"])
            if len(shape) != 2:
                raise ValueError(f"MLP.from_parameters: W{l} must be 2-D; got {shape}")
            dims.append(int(shape[0]))
        dtype = np.result_type(*[np.asarray(parameters[f"W{l}"]) for l in range(1, L + 1)])
        if dtype.kind != "f":
            dtype = np.dtype(np.float64)
        model = cls(dims, hidden=hidden, output=output, init="zeros", dtype=dtype)
        return model.load_state_dict(parameters)

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """("W1", W^[1]), ("b1", b^[1]), ..., ("WL", W^[L]), ("bL", b^[L])."""
        for l, layer in enumerate(self, start=1):
            yield f"W{l}", layer.W
            yield f"b{l}", layer.b

    def summary_table(self, m: int | str = "m") -> str:
        return _summary_table(f"MLP {self.layer_dims}", list(self), m)

    def config(self) -> dict[str, Any] | None:
        if any(layer.config() is None for layer in self):
            return None
        return {
            "type": "MLP", "layer_dims": self.layer_dims, "hidden": self.hidden,
            "output": self.output, "dtype": str(self[0].W.dtype),
        }

    def extra_repr(self) -> str:
        return f"{self.layer_dims}, hidden={self.hidden!r}, output={self.output!r}"

    def __repr__(self) -> str:
        return f"MLP({self.extra_repr()})"


# --------------------------------------------------------------------------- helpers


def _predict(model: Module, last: Dense | None, X: Any) -> np.ndarray:
    with al.no_grad():
        out = model(X)
    A = np.asarray(out.data if isinstance(out, Tensor) else out)
    if A.ndim != 2:
        raise ShapeError(f"predict: the model's output must be (n, m); got {A.shape}")
    if A.shape[0] > 1:
        return np.argmax(A, axis=0).astype(np.float64).reshape(1, -1)
    activation = last.activation if last is not None else None
    threshold = 0.5 if activation == "sigmoid" else 0.0
    return (A > threshold).astype(np.float64)


def _shape(n: int, m: int | str) -> str:
    return f"({n}, {m})"


def _summary_table(title: str, layers: list[Module], m: int | str) -> str:
    if not (isinstance(m, str) or (isinstance(m, (int, np.integer)) and m >= 1)):
        raise ValueError(f"summary: m must be a positive number of examples or a name; got {m!r}")
    header = ("l", "layer", "W^[l]", "b^[l]", "Z^[l]", "A^[l]", "parameters")
    rows: list[tuple[str, ...]] = []
    first = next((layer for layer in layers if isinstance(layer, Dense)), None)
    if first is not None:
        rows.append(("0", "input X", "", "", "", _shape(first.n_in, m), ""))
    total = 0
    l = 0
    for layer in layers:
        if isinstance(layer, Dense):
            l += 1
            count = layer.W.size + layer.b.size
            total += count
            kind = f"Dense {layer.activation or 'linear'}"
            rows.append((
                str(l), kind, str(layer.W.shape), str(layer.b.shape), _shape(layer.n_out, m),
                _shape(layer.n_out, m), str(count),
            ))
        else:
            count = layer.num_parameters()
            total += count
            rows.append(("", type(layer).__name__, "", "", "", "", str(count)))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [f"{title}, m = {m}"]
    for r in [header, *rows]:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())
    lines.append(f"Total parameters: {total:,}")
    return "\n".join(lines)


def model_from_config(config: Mapping[str, Any]) -> Module:
    """Rebuild a Dense, Sequential or MLP from its ``config()`` (parameters not loaded)."""
    kind = config["type"]
    dtype = config.get("dtype", "float64")
    if kind == "Dense":
        return Dense(config["n_in"], config["n_out"], config["activation"], init="zeros",
                     dtype=dtype)
    if kind == "Sequential":
        return Sequential(*[model_from_config(c) for c in config["layers"]])
    if kind == "MLP":
        return MLP(config["layer_dims"], hidden=config["hidden"], output=config["output"],
                   init="zeros", dtype=dtype)
    raise ValueError(f"unknown model type {kind!r}")


def _config_parameter_count(config: Any) -> int:
    """How many numbers the model of ``config`` (as :func:`model_from_config` reads it)
    holds, computed without building it; ValueError if ``config`` cannot describe a model.

    A Dense layer holds n_out·n_in + n_out numbers (W^[l] and b^[l]); an MLP the sum over
    its layers; a Sequential the sum over its layers (walked without recursion).
    """
    total = 0
    pending = [config]
    while pending:
        layer = pending.pop()
        if not isinstance(layer, Mapping):
            raise ValueError(f"a layer's configuration must be a mapping; got {layer!r:.80}")
        kind = layer.get("type")
        if kind == "Dense":
            n_in = _check_size(layer.get("n_in"), "n_in", "Dense")
            n_out = _check_size(layer.get("n_out"), "n_out", "Dense")
            total += n_out * n_in + n_out
        elif kind == "MLP":
            dims = layer.get("layer_dims")
            if not isinstance(dims, list) or len(dims) < 2:
                raise ValueError(
                    f"MLP: layer_dims must list at least [n_x, n^[1]]; got {dims!r:.80}"
                )
            dims = [_check_size(n, f"layer_dims[{i}]", "MLP") for i, n in enumerate(dims)]
            total += sum(dims[l] * dims[l - 1] + dims[l] for l in range(1, len(dims)))
        elif kind == "Sequential":
            layers = layer.get("layers")
            if not isinstance(layers, list):
                raise ValueError(f"Sequential: layers must be a list; got {layers!r:.80}")
            pending.extend(layers)
        else:
            raise ValueError(f"unknown model type {kind!r:.80}")
    return total


def load_model(path: str | PathLike[str]) -> Module:
    """Rebuild a model saved by ``Module.save`` from its stored configuration.

    Works for the models whose configuration is known (``nn.Dense``,
    ``nn.Sequential`` of them, ``nn.MLP``); for others, build the model and call
    ``model.load(path)``. The configuration is checked against the file's arrays (their
    headers) and the memory available before the model is built, and the arrays' names
    and shapes against the model before any of them is read.
    """
    with ModelFile(path, "load_model") as model_file:
        config = model_file.metadata.get("config")
        if config is None:
            raise model_file.error(
                "does not record how to build its model; create the model yourself and call "
                "model.load(path)"
            )
        try:
            count = _config_parameter_count(config)
        except ValueError as err:
            raise model_file.error(
                f"has a model configuration that cannot be rebuilt ({err})"
            ) from None
        if count > model_file.parameter_count:
            raise model_file.error(
                f"is inconsistent: its configuration describes a model of {count:,} numbers, "
                f"but its arrays hold {model_file.parameter_count:,}"
            )
        model_file.check_memory(extra=count * _itemsize(config))
        try:
            model = model_from_config(config)
        except (KeyError, TypeError, ValueError) as err:
            raise model_file.error(
                f"has a model configuration that cannot be rebuilt ({err})"
            ) from None
        try:
            return model._load_file(model_file, None)
        except StateDictError as err:  # the file contradicts itself
            raise model_file.error(
                f"is inconsistent: its arrays do not fit the model its configuration "
                f"describes ({err})"
            ) from None


def _itemsize(config: Mapping[str, Any]) -> int:
    try:
        return max(np.dtype(config.get("dtype", "float64")).itemsize, 1)
    except (TypeError, ValueError):
        return 8
