"""Hand-derived forward and backward passes of the course's models, in plain NumPy.

This module is the *independent oracle* of autograd-lite: it imports nothing from
the rest of the package (only NumPy) and contains no automatic differentiation.
Every gradient here is the formula a first deep-learning course derives by hand
with the chain rule, written in the course's notation:

- examples are columns: ``X`` is ``(n_x, m)``, ``Y`` is ``(1, m)``;
- layer ``l`` has ``W^[l]`` of shape ``(n^[l], n^[l-1])`` and ``b^[l]`` of shape
  ``(n^[l], 1)``; ``Z^[l] = W^[l] A^[l-1] + b^[l]``, ``A^[l] = g^[l](Z^[l])``;
- the cost is the mean of the per-example loss over the ``m`` examples;
- ``dW`` means dJ/dW and has the shape of ``W`` (likewise ``db``, ``dZ``, ``dA``).

Because the autodiff engine is checked *against* these functions, they are kept
short, explicit and free of cleverness, except for one numerical point:

Numerically stable cost
-----------------------
The binary cross-entropy ``J = -mean(Y log A + (1 - Y) log(1 - A))`` with
``A = sigmoid(Z)`` is evaluated from ``Z`` as the algebraically identical

    J = mean(logaddexp(0, Z) - Y * Z)

so it stays finite (and exact) for saturated units, where ``A`` rounds to exactly
0 or 1 and ``log A`` would be ``-inf``. Nothing is clipped. The gradient is the
course's ``dZ = A - Y`` (the derivative of the expression above with respect to
``Z``), so ``dW`` and ``db`` are exactly the course's formulas.

The output unit is always a sigmoid with the binary cross-entropy cost, and ``Y``
must be ``(1, m)`` with entries in [0, 1]. Arrays are computed in their own
floating dtype (integer inputs become float64); the cost is returned as a Python
float.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "activation_derivative",
    "activation_forward",
    "backward_deep",
    "bce_cost_from_logits",
    "deep_network",
    "forward_deep",
    "forward_shallow",
    "initialize_deep",
    "initialize_shallow",
    "logistic_regression",
    "shallow_network",
    "sigmoid",
]

#: Hidden-layer activations understood by :func:`shallow_network` and :func:`deep_network`.
ACTIVATIONS: tuple[str, ...] = ("tanh", "sigmoid", "relu", "leaky_relu")

#: Slope of leaky ReLU for negative inputs, as in the course.
LEAKY_SLOPE = 0.01


# --------------------------------------------------------------------------- helpers


def _float_array(x: Any) -> np.ndarray:
    """``x`` as an ndarray of a floating dtype (integers and bools become float64)."""
    a = np.asarray(x)
    if not np.issubdtype(a.dtype, np.floating):
        a = a.astype(np.float64)
    return a


def _common_dtype(*arrays: np.ndarray) -> np.dtype:
    return np.result_type(*arrays)


def _check_activation(name: str, where: str) -> None:
    if name not in ACTIVATIONS:
        allowed = ", ".join(repr(a) for a in ACTIVATIONS)
        raise ValueError(f"{where}: unknown activation {name!r}; allowed: {allowed}")


def _check_X_Y(X: np.ndarray, Y: np.ndarray, where: str) -> int:
    """Check the course layout X (n_x, m), Y (1, m); return m."""
    if X.ndim != 2:
        raise ValueError(
            f"{where}: X must be 2-D (n_x, m) with examples as columns; got shape {X.shape}"
        )
    m = X.shape[1]
    if m < 1:
        raise ValueError(f"{where}: X has no examples (m = 0)")
    if Y.ndim != 2 or Y.shape[0] != 1:
        hint = " (reshape it with Y.reshape(1, -1))" if Y.ndim == 1 else ""
        raise ValueError(f"{where}: Y must be (1, m); got shape {Y.shape}{hint}")
    if Y.shape[1] != m:
        raise ValueError(
            f"{where}: X is {X.shape}, so Y must be (1, {m}) (one label per column of X); "
            f"got {Y.shape}"
        )
    return m


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """``sigmoid(Z) = 1 / (1 + exp(-Z))``, elementwise, without overflow warnings.

    Computed as ``exp(-logaddexp(0, -Z))``, which is accurate for large ``|Z|``.
    """
    Z = _float_array(Z)
    return np.exp(-np.logaddexp(0.0, -Z))


def activation_forward(Z: np.ndarray, name: str) -> np.ndarray:
    """``A = g(Z)`` for ``name`` in :data:`ACTIVATIONS`.

    - tanh: ``A = tanh(Z)``
    - sigmoid: ``A = 1 / (1 + exp(-Z))``
    - relu: ``A = max(0, Z)``
    - leaky_relu: ``A = max(0.01 Z, Z)``
    """
    _check_activation(name, "activation_forward")
    if name == "tanh":
        return np.tanh(Z)
    if name == "sigmoid":
        return sigmoid(Z)
    if name == "relu":
        return np.maximum(Z, 0.0)
    return np.where(Z > 0, Z, LEAKY_SLOPE * Z)


def activation_derivative(Z: np.ndarray, A: np.ndarray, name: str) -> np.ndarray:
    """``g'(Z)``, written as the course writes it.

    - tanh: ``g'(Z) = 1 - A^2``
    - sigmoid: ``g'(Z) = A (1 - A)``
    - relu: ``g'(Z) = 1 if Z > 0 else 0`` (0 is taken at the kink Z = 0)
    - leaky_relu: ``g'(Z) = 1 if Z > 0 else 0.01``
    """
    _check_activation(name, "activation_derivative")
    if name == "tanh":
        return 1.0 - A**2
    if name == "sigmoid":
        return A * (1.0 - A)
    one = np.ones((), dtype=Z.dtype)
    if name == "relu":
        return (Z > 0).astype(Z.dtype)
    return np.where(Z > 0, one, np.asarray(LEAKY_SLOPE, dtype=Z.dtype))


def bce_cost_from_logits(Z: np.ndarray, Y: np.ndarray) -> float:
    """Binary cross-entropy of ``A = sigmoid(Z)`` against ``Y``, computed from ``Z``.

    ``J = -(1/m) sum(Y log A + (1 - Y) log(1 - A)) = (1/m) sum(logaddexp(0, Z) - Y Z)``.
    The right-hand side is finite for every finite ``Z`` (no clipping).
    """
    m = Z.shape[1]
    return float(np.sum(np.logaddexp(0.0, Z) - Y * Z) / m)


# --------------------------------------------------------------- logistic regression


def logistic_regression(w: Any, b: Any, X: Any, Y: Any) -> tuple[float, dict[str, Any]]:
    """Cost and gradients of logistic regression (the course's ``propagate``).

    Forward::

        Z = w^T X + b                     (1, m)
        A = sigmoid(Z)                    (1, m)
        J = -(1/m) sum(Y log A + (1 - Y) log(1 - A))

    Backward::

        dZ = A - Y                        (1, m)
        dw = X dZ^T / m                   (n_x, 1), like w
        db = sum(dZ) / m                  like b

    Args:
        w: weights, ``(n_x, 1)`` (a 1-D ``(n_x,)`` vector is accepted too; ``dw``
            then has that shape).
        b: bias, a Python number, a 0-d array or any array with one element.
        X: inputs ``(n_x, m)``, one example per column.
        Y: labels ``(1, m)`` in [0, 1].

    Returns:
        ``(J, {"dw": dw, "db": db})``; ``db`` is a Python float when ``b`` is a
        number or 0-d array, else an array of ``b``'s shape.
    """
    where = "logistic_regression"
    X = _float_array(X)
    Y = _float_array(Y)
    w_arr = _float_array(w)
    b_arr = _float_array(b)
    m = _check_X_Y(X, Y, where)
    n_x = X.shape[0]
    if w_arr.shape not in ((n_x, 1), (n_x,)):
        raise ValueError(
            f"{where}: X is {X.shape}, so w must be ({n_x}, 1) (one weight per row of X); "
            f"got {w_arr.shape}"
        )
    if b_arr.size != 1:
        raise ValueError(f"{where}: b must be a scalar or a (1, 1) array; got shape {b_arr.shape}")
    dtype = _common_dtype(w_arr, b_arr, X, Y)

    w_col = w_arr.reshape(n_x, 1)
    Z = w_col.T @ X + b_arr.reshape(1, 1)  # (1, m)
    A = sigmoid(Z)
    cost = bce_cost_from_logits(Z, Y)

    dZ = A - Y  # (1, m)
    dw = (X @ dZ.T / m).reshape(w_arr.shape).astype(dtype, copy=False)
    db_value = np.sum(dZ) / m
    if b_arr.ndim == 0:
        db: Any = float(db_value)
    else:
        db = np.full(b_arr.shape, db_value, dtype=dtype)
    return cost, {"dw": dw, "db": db}


# --------------------------------------------------------------------- deep networks


def _layer_count(params: Mapping[str, Any], where: str) -> int:
    """L from the keys W1..WL (and b1..bL) of a course parameter dictionary."""
    numbers = sorted(int(mt.group(1)) for k in params if (mt := re.fullmatch(r"W(\d+)", str(k))))
    if not numbers:
        raise ValueError(f"{where}: params has no weights; expected keys W1, b1, ..., WL, bL")
    L = numbers[-1]
    for name in [f"W{l}" for l in range(1, L + 1)] + [f"b{l}" for l in range(1, L + 1)]:
        if name not in params:
            raise ValueError(
                f"{where}: params has W{L} so it needs W1, b1, ..., W{L}, b{L}; {name} is missing"
            )
    return L


def _check_layers(
    params: Mapping[str, Any], L: int, X: np.ndarray, where: str
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Check W^[l] (n^[l], n^[l-1]) and b^[l] (n^[l], 1) against the shape of A^[l-1]."""
    layers = []
    prev_shape = X.shape
    for l in range(1, L + 1):
        W = _float_array(params[f"W{l}"])
        b = _float_array(params[f"b{l}"])
        prev_name = "X (A0)" if l == 1 else f"A{l - 1}"
        if W.ndim != 2:
            raise ValueError(
                f"{where} layer {l}: W{l} must be 2-D (n^[{l}], n^[{l - 1}]); got {W.shape}"
            )
        if W.shape[1] != prev_shape[0]:
            raise ValueError(
                f"{where} layer {l}: W{l} is {W.shape}, so {prev_name} must be "
                f"({W.shape[1]}, m); got {prev_shape}"
            )
        if b.shape != (W.shape[0], 1):
            raise ValueError(
                f"{where} layer {l}: W{l} is {W.shape}, so b{l} must be ({W.shape[0]}, 1); "
                f"got {b.shape}"
            )
        layers.append((W, b))
        prev_shape = (W.shape[0], X.shape[1])
    return layers


def forward_deep(
    params: Mapping[str, Any], X: Any, hidden: str = "relu"
) -> tuple[np.ndarray, list[dict[str, np.ndarray]]]:
    """Forward pass of the L-layer network (the course's ``L_model_forward``).

    For ``l = 1 .. L``::

        Z^[l] = W^[l] A^[l-1] + b^[l]      with A^[0] = X
        A^[l] = g(Z^[l])                   g = ``hidden`` for l < L, sigmoid for l = L

    Args:
        params: ``{"W1": ..., "b1": ..., ..., "WL": ..., "bL": ...}``.
        X: ``(n_x, m)``.
        hidden: activation of the hidden layers, one of :data:`ACTIVATIONS`.

    Returns:
        ``(AL, caches)``: ``AL`` is ``(n^[L], m)``; ``caches[l - 1]`` is a dict with
        ``"A_prev"``, ``"W"``, ``"b"``, ``"Z"``, ``"A"`` of layer ``l``.
    """
    where = "forward_deep"
    _check_activation(hidden, where)
    X = _float_array(X)
    if X.ndim != 2:
        raise ValueError(f"{where}: X must be 2-D (n_x, m); got shape {X.shape}")
    L = _layer_count(params, where)
    layers = _check_layers(params, L, X, where)
    return _forward(layers, X, hidden)


def _forward(
    layers: list[tuple[np.ndarray, np.ndarray]], X: np.ndarray, hidden: str
) -> tuple[np.ndarray, list[dict[str, np.ndarray]]]:
    caches = []
    A = X
    L = len(layers)
    for l, (W, b) in enumerate(layers, start=1):
        Z = W @ A + b
        A_new = activation_forward(Z, hidden if l < L else "sigmoid")
        caches.append({"A_prev": A, "W": W, "b": b, "Z": Z, "A": A_new})
        A = A_new
    return A, caches


def backward_deep(
    AL: np.ndarray, Y: Any, caches: list[dict[str, np.ndarray]], hidden: str = "relu"
) -> dict[str, np.ndarray]:
    """Backward pass of the L-layer network (the course's ``L_model_backward``).

    Output layer (sigmoid with binary cross-entropy)::

        dZ^[L] = A^[L] - Y

    Then for ``l = L .. 1``::

        dW^[l]     = dZ^[l] A^[l-1]^T / m
        db^[l]     = sum(dZ^[l], axis=1, keepdims=True) / m
        dA^[l-1]   = W^[l]^T dZ^[l]
        dZ^[l-1]   = dA^[l-1] * g'(Z^[l-1])            (elementwise)

    Returns:
        ``{"dW1": ..., "db1": ..., ..., "dWL": ..., "dbL": ...}``.
    """
    _check_activation(hidden, "backward_deep")
    Y = _float_array(Y)
    m = AL.shape[1]
    L = len(caches)
    grads: dict[str, np.ndarray] = {}
    dZ = AL - Y
    for l in range(L, 0, -1):
        cache = caches[l - 1]
        grads[f"dW{l}"] = dZ @ cache["A_prev"].T / m
        grads[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True) / m
        if l > 1:
            dA_prev = cache["W"].T @ dZ
            prev = caches[l - 2]
            dZ = dA_prev * activation_derivative(prev["Z"], prev["A"], hidden)
    # Present the gradients in the course's order dW1, db1, ..., dWL, dbL.
    return {k: grads[k] for l in range(1, L + 1) for k in (f"dW{l}", f"db{l}")}


def deep_network(
    params: Mapping[str, Any], X: Any, Y: Any, hidden: str = "relu"
) -> tuple[float, dict[str, np.ndarray]]:
    """Cost and gradients of the course's L-layer network.

    ``[LINEAR -> hidden] x (L-1) -> LINEAR -> SIGMOID``, binary cross-entropy cost
    ``J = -(1/m) sum(Y log A^[L] + (1 - Y) log(1 - A^[L]))``, computed stably from
    ``Z^[L]`` (see the module docstring). The gradients are those of
    :func:`backward_deep`: ``dZ^[L] = A^[L] - Y``, ``dW^[l] = dZ^[l] A^[l-1]^T / m``,
    ``db^[l] = sum(dZ^[l], axis=1, keepdims=True) / m``,
    ``dZ^[l-1] = W^[l]^T dZ^[l] * g'(Z^[l-1])``.

    Args:
        params: ``W1, b1, ..., WL, bL``; ``L`` is inferred from the keys and the
            output layer must have one unit.
        X: ``(n_x, m)``.
        Y: ``(1, m)``.
        hidden: ``"relu"`` (default), ``"tanh"``, ``"sigmoid"`` or ``"leaky_relu"``.

    Returns:
        ``(J, grads)`` with grads keyed ``"dW1", "db1", ..., "dWL", "dbL"``, each the
        shape of its parameter.
    """
    where = "deep_network"
    _check_activation(hidden, where)
    X = _float_array(X)
    Y = _float_array(Y)
    _check_X_Y(X, Y, where)
    L = _layer_count(params, where)
    layers = _check_layers(params, L, X, where)
    n_L = layers[-1][0].shape[0]
    if n_L != 1:
        raise ValueError(
            f"{where} layer {L}: the output layer is one sigmoid unit for Y (1, m), so W{L} "
            f"must be (1, n^[{L - 1}]); got {layers[-1][0].shape}"
        )
    AL, caches = _forward(layers, X, hidden)
    cost = bce_cost_from_logits(caches[-1]["Z"], Y)
    return cost, backward_deep(AL, Y, caches, hidden)


# ------------------------------------------------------------------- shallow network


def forward_shallow(
    params: Mapping[str, Any], X: Any, activation: str = "tanh"
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Forward pass of the one-hidden-layer network (the course's ``forward_propagation``).

    ::

        Z1 = W1 X + b1          (n_h, m)
        A1 = g(Z1)              g = ``activation``
        Z2 = W2 A1 + b2         (1, m)
        A2 = sigmoid(Z2)

    Returns:
        ``(A2, cache)`` with cache keys ``"Z1", "A1", "Z2", "A2"``.
    """
    where = "forward_shallow"
    _check_activation(activation, where)
    X = _float_array(X)
    if X.ndim != 2:
        raise ValueError(f"{where}: X must be 2-D (n_x, m); got shape {X.shape}")
    layers = _check_shallow(params, X, where)
    A2, caches = _forward(layers, X, activation)
    cache = {"Z1": caches[0]["Z"], "A1": caches[0]["A"], "Z2": caches[1]["Z"], "A2": A2}
    return A2, cache


def _check_shallow(
    params: Mapping[str, Any], X: np.ndarray, where: str
) -> list[tuple[np.ndarray, np.ndarray]]:
    for name in ("W1", "b1", "W2", "b2"):
        if name not in params:
            raise ValueError(f"{where}: params needs keys W1, b1, W2, b2; {name} is missing")
    return _check_layers(params, 2, X, where)


def shallow_network(
    params: Mapping[str, Any], X: Any, Y: Any, activation: str = "tanh"
) -> tuple[float, dict[str, np.ndarray]]:
    """Cost and gradients of the course's one-hidden-layer network.

    Forward: see :func:`forward_shallow`; the cost is the binary cross-entropy
    ``J = -(1/m) sum(Y log A2 + (1 - Y) log(1 - A2))`` (computed stably from Z2).

    Backward (the course's ``backward_propagation``)::

        dZ2 = A2 - Y                                   (1, m)
        dW2 = dZ2 A1^T / m                             (1, n_h)
        db2 = sum(dZ2, axis=1, keepdims=True) / m      (1, 1)
        dZ1 = W2^T dZ2 * g'(Z1)                        (n_h, m)
        dW1 = dZ1 X^T / m                              (n_h, n_x)
        db1 = sum(dZ1, axis=1, keepdims=True) / m      (n_h, 1)

    with ``g'(Z1) = 1 - A1^2`` for tanh (the course's default), ``A1 (1 - A1)``
    for sigmoid, ``Z1 > 0`` for relu and ``1 or 0.01`` for leaky_relu.

    Args:
        params: ``{"W1": (n_h, n_x), "b1": (n_h, 1), "W2": (1, n_h), "b2": (1, 1)}``.
        X: ``(n_x, m)``.
        Y: ``(1, m)``.
        activation: hidden activation, one of :data:`ACTIVATIONS`.

    Returns:
        ``(J, {"dW1", "db1", "dW2", "db2"})``.
    """
    where = "shallow_network"
    _check_activation(activation, where)
    X = _float_array(X)
    Y = _float_array(Y)
    _check_X_Y(X, Y, where)
    layers = _check_shallow(params, X, where)
    if layers[1][0].shape[0] != 1:
        raise ValueError(
            f"{where} layer 2: the output layer is one sigmoid unit for Y (1, m), so W2 must "
            f"be (1, n_h); got {layers[1][0].shape}"
        )
    A1_cache, A2_cache = _forward(layers, X, activation)[1]
    W2 = A2_cache["W"]
    Z1, A1 = A1_cache["Z"], A1_cache["A"]
    Z2, A2 = A2_cache["Z"], A2_cache["A"]
    m = X.shape[1]
    cost = bce_cost_from_logits(Z2, Y)

    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = (W2.T @ dZ2) * activation_derivative(Z1, A1, activation)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return cost, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


# -------------------------------------------------------------------- initialization


def _check_positive_int(n: Any, what: str) -> None:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{what} must be a positive integer; got {n!r}")


def initialize_shallow(
    n_x: int, n_h: int, n_y: int = 1, seed: int | None = 0, scale: float = 0.01
) -> dict[str, np.ndarray]:
    """The course's ``initialize_parameters`` for a one-hidden-layer network.

    ``W1 = randn(n_h, n_x) * 0.01``, ``b1 = zeros((n_h, 1))``,
    ``W2 = randn(n_y, n_h) * 0.01``, ``b2 = zeros((n_y, 1))``.

    Uses NumPy's legacy ``RandomState(seed).randn`` in the course's order, so the
    numbers are those of ``np.random.seed(seed)`` followed by the course's code.
    """
    for name, n in (("n_x", n_x), ("n_h", n_h), ("n_y", n_y)):
        _check_positive_int(n, f"initialize_shallow: {name}")
    rng = np.random.RandomState(seed)
    return {
        "W1": rng.randn(n_h, n_x) * scale,
        "b1": np.zeros((n_h, 1)),
        "W2": rng.randn(n_y, n_h) * scale,
        "b2": np.zeros((n_y, 1)),
    }


def initialize_deep(
    layer_dims: list[int] | tuple[int, ...], seed: int | None = 0, scale: float = 0.01
) -> dict[str, np.ndarray]:
    """The course's ``initialize_parameters_deep``.

    For ``l = 1 .. L`` (``L = len(layer_dims) - 1``)::

        W^[l] = randn(n^[l], n^[l-1]) * scale          (the course uses scale 0.01)
        b^[l] = zeros((n^[l], 1))

    ``layer_dims = [n_x, n^[1], ..., n^[L]]``. Uses ``RandomState(seed).randn`` as
    ``np.random.seed(seed)`` followed by the course's code would.
    """
    dims = list(layer_dims)
    if len(dims) < 2:
        raise ValueError(
            f"initialize_deep: layer_dims must list at least [n_x, n^[1]]; got {layer_dims!r}"
        )
    for i, n in enumerate(dims):
        _check_positive_int(n, f"initialize_deep: layer_dims[{i}]")
    rng = np.random.RandomState(seed)
    params: dict[str, np.ndarray] = {}
    for l in range(1, len(dims)):
        params[f"W{l}"] = rng.randn(dims[l], dims[l - 1]) * scale
        params[f"b{l}"] = np.zeros((dims[l], 1))
    return params
