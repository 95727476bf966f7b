"""The course's costs: J = (1/m) Σ_i L(a^(i), y^(i)), the mean over the m examples (columns).

Each takes the network's output (n, m) and the targets Y of the same shape (or
labels (1, m) for :func:`cross_entropy`) and returns J as a Tensor with one
element, ready for ``J.backward()``. The per-example loss is summed over the
rows of an example; for one output unit, Y (1, m), that is the course's formula
exactly. Y may be an ndarray or a Tensor (which then gets a gradient too).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite import ShapeError, Tensor, ops

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "squared_error",
]


def binary_cross_entropy(A: Any, Y: Any) -> Tensor:
    """The course's logistic cost of probabilities A = σ(Z)::

        J = -(1/m) Σ [Y log A + (1 - Y) log(1 - A)]
        dJ/dA = (1/m) (A - Y) / (A (1 - A)),  so through the sigmoid dZ = (A - Y) / m

    A and Y are (n, m) (usually (1, m)).

    When A was made by ``al.sigmoid(Z)`` (the output layer of the course's networks), J
    is computed from Z: the values, and the gradient dZ = (A - Y) / m, are exactly those
    of :func:`binary_cross_entropy_with_logits`. From A alone a confidently wrong example
    would lose its gradient: σ(z) rounds to exactly 1 once z ≥ 37 (float64; 17 in
    float32), and da/dz = a (1 - a) is then 0 instead of dZ = (1 - y) / m. (Keras does
    the same; J's graph then goes from Z, so A gets no ``.grad`` unless it
    ``retain_grad()``, in which case A is used as it is.)

    Any other A is read as clip(A, ε, 1 - ε) (ε the dtype's machine epsilon): finite at
    A exactly 0 or 1, with a finite gradient.
    """
    if isinstance(A, Tensor) and A.op == "sigmoid" and not A.retains_grad:
        A, Y, _ = ops.cost_operands("binary_cross_entropy", A, Y, "A")  # its own messages
        (Z,) = A.parents
        return ops.binary_cross_entropy_with_logits(Z, Y)
    return ops.binary_cross_entropy(A, Y)


def binary_cross_entropy_with_logits(Z: Any, Y: Any) -> Tensor:
    """The same cost from the logits Z (A = σ(Z) is never formed)::

        J = (1/m) Σ [log(1 + e^Z) - Y Z]
        dJ/dZ = (A - Y) / m                  (the course's dZ = A - Y)

    Stable for any Z (Z = ±1000 gives a finite cost and gradient).
    """
    return ops.binary_cross_entropy_with_logits(Z, Y)


def squared_error(A: Any, Y: Any) -> Tensor:
    """The course's squared-error cost::

        J = (1/m) Σ ½ (a - y)²         (mean over the m examples of ½ (a - y)²)
        dJ/dA = (A - Y) / m

    A and Y are (n, m); with several rows, each example's loss is ½ ‖a - y‖².
    """
    A, Y, m = ops.cost_operands("squared_error", A, Y, "A")
    diff = A - Y
    return (diff * diff).sum() * (0.5 / m)


def cross_entropy(Z: Any, Y: Any) -> Tensor:
    """Softmax cross-entropy of the logits Z (C, m), softmax over the rows::

        A = softmax(Z),  J = -(1/m) Σ Y ⊙ log A,  dJ/dZ = (A - Y) / m

    Y is one-hot (C, m) (or class probabilities), or integer labels (1, m) in
    0 .. C-1, which are turned into one-hot columns. When C = 1 a (1, m) Y is read
    as one-hot.
    """
    Z_t = Z if isinstance(Z, Tensor) else ops.constant(Z)
    if Z_t.ndim != 2:
        raise ShapeError(
            f"cross_entropy: Z must be 2-D (C, m), one example per column; got {Z_t.shape}"
        )
    C, m = Z_t.shape
    y_shape = Y.shape if isinstance(Y, (Tensor, np.ndarray)) else np.shape(Y)
    if tuple(y_shape) == (1, m) and C > 1:
        labels = np.asarray(Y.data if isinstance(Y, Tensor) else Y)
        Y = _one_hot(labels[0], C, m)
    elif tuple(y_shape) == (m,) and C > 1:
        raise ShapeError(
            f"cross_entropy: Z is {Z_t.shape} but the labels Y are {tuple(y_shape)}; give "
            "labels as (1, m) (use Y.reshape(1, -1)) or one-hot (C, m)"
        )
    elif tuple(y_shape) != (C, m):
        raise ShapeError(
            f"cross_entropy: Z is {Z_t.shape}, so Y must be one-hot ({C}, {m}) or labels "
            f"(1, {m}); got {tuple(y_shape)}"
        )
    return ops.softmax_cross_entropy(Z_t, Y)


def _one_hot(labels: np.ndarray, C: int, m: int) -> np.ndarray:
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels) & (labels == np.round(labels))):
            raise ValueError("cross_entropy: labels Y (1, m) must be whole numbers 0 .. C-1")
    elif labels.dtype.kind not in "iub":
        raise ValueError(f"cross_entropy: labels Y must be numbers; got dtype {labels.dtype}")
    ints = labels.astype(np.int64)
    if ints.size and (ints.min() < 0 or ints.max() >= C):
        bad = ints.min() if ints.min() < 0 else ints.max()
        raise ValueError(
            f"cross_entropy: label {bad} is out of range: Z has C = {C} rows, so labels "
            f"must be 0 .. {C - 1}"
        )
    one_hot = np.zeros((C, m))
    one_hot[ints, np.arange(m)] = 1.0
    return one_hot
