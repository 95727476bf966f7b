"""Fused primitives for the course's hot spots: a layer's linear step and the costs.

Composing these from smaller primitives would give the same gradients, but fused
they record one graph node instead of four to eight, need no temporaries for the
intermediate values and, for the costs, stay finite where the composed formula
overflows (log 0, e^1000).

Every cost is the mean over the m examples (the columns) of the per-example loss,
which is summed over the rows of that example: J = (1/m) Σ_i L(a^(i), y^(i)).
Each primitive's VJP works on ndarrays and, under ``create_graph=True``, on
Tensors, so the costs can be differentiated twice.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.ops import activations, base, elementwise
from autograd_lite.ops.base import Primitive, ShapeError, apply, as_tensor, constant
from autograd_lite.tensor import Tensor

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cost_operands",
    "linear",
    "softmax_cross_entropy",
]


# --------------------------------------------------------------------------- helpers
# Each takes an ndarray or, while a graph of the backward pass is built, a Tensor.

def _sigmoid(z: Any) -> Any:
    return activations.sigmoid(z) if isinstance(z, Tensor) else activations.stable_sigmoid(z)


def _softmax(z: Any) -> Any:
    if isinstance(z, Tensor):
        return activations.softmax(z, axis=0)
    return activations.Softmax.forward(z, 0)[0]


def _log_softmax(z: Any) -> Any:
    if isinstance(z, Tensor):
        return activations.log_softmax(z, axis=0)
    return activations.LogSoftmax.forward(z, 0)[0]


def _clip(x: Any, low: float, high: float) -> Any:
    return elementwise.clip(x, low, high) if isinstance(x, Tensor) else np.clip(x, low, high)


def _probability_margin(dtype: np.dtype) -> float:
    """ε of the dtype: A is read as clip(A, ε, 1 - ε) inside log and 1/A (both representable)."""
    return float(np.finfo(dtype).eps)


# --------------------------------------------------------------------------- linear step


class Linear(Primitive):
    """The course's linear step Z = W A + b, as one node.

    Shapes: W (n^[l], n^[l-1]), A = A^[l-1] (n^[l-1], m), b (n^[l], 1), Z (n^[l], m).
    Local derivatives, given dZ = dJ/dZ::

        dW = dZ Aᵀ                      (n^[l], n^[l-1]), like W
        db = Σ_columns dZ               (n^[l], 1), like b (b was broadcast over m)
        dA = Wᵀ dZ                      (n^[l-1], m), like A^[l-1]

    (The course divides by m in dW and db because its dZ is per example; here the
    1/m is already inside dZ, which comes from the cost J = (1/m) Σ L.)
    """

    name = "linear"
    formula = "{0} {1} + {2}"

    @staticmethod
    def forward(W, A, b):
        Z = W @ A
        if Z.shape == np.broadcast_shapes(Z.shape, b.shape) and Z.dtype == np.result_type(Z, b):
            Z += b  # Z is a fresh array: add the bias in place
        else:
            Z = Z + b
        return Z, None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        W, A, b = inputs
        dW = g @ A.T if needs[0] else None
        dA = W.T @ g if needs[1] else None
        db = None
        if needs[2]:
            db = g.sum(axis=1, keepdims=True) if b.shape == (g.shape[0], 1) else g
        return dW, dA, db


def linear(W: Any, A: Any, b: Any) -> Tensor:
    """Z = W A + b for W (n_out, n_in), A (n_in, m), b (n_out, 1) (or anything that
    broadcasts to (n_out, m)). Arrays given for A or b take W's dtype.
    """
    W = as_tensor(W)
    A = A if isinstance(A, Tensor) else constant(A, like=W)
    b = b if isinstance(b, Tensor) else constant(b, like=W)
    if W.ndim != 2 or A.ndim != 2:
        raise ShapeError(
            f"linear: W must be (n_out, n_in) and A (n_in, m), both 2-D; got W {W.shape}, "
            f"A {A.shape}"
        )
    if W.shape[1] != A.shape[0]:
        raise ShapeError(
            f"linear: W is {W.shape}, so A must be ({W.shape[1]}, m); got {A.shape}"
        )
    z_shape = (W.shape[0], A.shape[1])
    try:
        if np.broadcast_shapes(z_shape, b.shape) != z_shape:
            raise ValueError
    except ValueError:
        raise ShapeError(
            f"linear: W A is {z_shape}, so b must be ({W.shape[0]}, 1); got {b.shape}"
        ) from None
    return apply(Linear, (W, A, b))


# --------------------------------------------------------------------------- costs


def cost_operands(op: str, a: Any, y: Any, a_name: str) -> tuple[Tensor, Tensor, int]:
    """Check the course's layout — a and y both (n, m) — and return them as Tensors and m."""
    a = as_tensor(a)
    if a.ndim != 2:
        raise ShapeError(
            f"{op}: {a_name} must be 2-D (n, m), one example per column; got {a.shape}"
            + (" (use .reshape(1, -1))" if a.ndim == 1 else "")
        )
    y = y if isinstance(y, Tensor) else constant(y, like=a)
    if y.shape != a.shape:
        hint = ""
        if y.ndim == 1 and y.shape[0] == a.shape[1]:
            hint = f"; Y must be ({a.shape[0]}, m) like {a_name} (use Y.reshape(1, -1))"
        elif y.ndim == 2 and y.shape[::-1] == a.shape:
            hint = "; Y looks transposed (examples must be columns: use Y.T)"
        raise ShapeError(f"{op}: {a_name} is {a.shape} but Y is {y.shape}{hint}")
    m = a.shape[1]
    if m == 0:
        raise ShapeError(f"{op}: there are no examples ({a_name} is {a.shape})")
    return a, y, m


class BinaryCrossEntropyWithLogits(Primitive):
    """The course's cost of a sigmoid output, computed from Z, never from A = σ(Z).

    ::

        J = -(1/m) Σ [Y log A + (1 - Y) log(1 - A)]     with A = σ(Z)
          =  (1/m) Σ [log(1 + e^Z) - Y Z]               (finite for every finite Z)

        dJ/dZ = (A - Y) / m                              (the course's dZ = A - Y)
        dJ/dY = -Z / m

    log(1 + e^Z) = max(Z, 0) + log(1 + e^-|Z|): no overflow at Z = ±1000. The forward
    pass keeps A = σ(Z), computed from the same e^-|Z|, for the backward pass.
    """

    name = "binary_cross_entropy_with_logits"

    @staticmethod
    def forward(Z, Y, m):
        A, e = activations.sigmoid_and_exp(Z)
        losses = np.maximum(Z, 0) - Y * Z + np.log1p(e)
        return np.asarray(losses.sum() / m, dtype=Z.dtype), (m, A)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        m, A = saved
        Z, Y = inputs
        if isinstance(Z, Tensor):  # building a graph of the backward pass: A as a Tensor
            A = _sigmoid(Z)
        # g holds one number (out is 0-d): as a Python number it is the cheaper operand,
        # and the same one whether g came as a 0-d array or as a NumPy scalar.
        scale = g * (1.0 / m) if isinstance(g, Tensor) else float(g) / m
        dZ = (A - Y) * scale if needs[0] else None
        dY = -(Z * scale) if needs[1] else None
        return dZ, dY


def binary_cross_entropy_with_logits(Z: Any, Y: Any) -> Tensor:
    """J = (1/m) Σ [log(1 + e^Z) - Y Z], the cross-entropy of σ(Z); Z and Y both (n, m)."""
    Z, Y, m = cost_operands("binary_cross_entropy_with_logits", Z, Y, "Z")
    return apply(BinaryCrossEntropyWithLogits, (Z, Y), m)


class BinaryCrossEntropy(Primitive):
    """The course's cost of probabilities A in [0, 1]::

        J = -(1/m) Σ [Y log A + (1 - Y) log(1 - A)]
        dJ/dA = (1/m) (A - Y) / (A (1 - A))       (= -(1/m) [Y/A - (1 - Y)/(1 - A)])
        dJ/dY = -(1/m) [log A - log(1 - A)]

    At A exactly 0 or 1 (a saturated sigmoid) log and 1/A are evaluated at
    clip(A, ε, 1 - ε) with ε the dtype's machine epsilon, so the cost stays finite
    (at most -log ε ≈ 36 per example in float64) and the gradient stays finite and
    points the right way. Inside [ε, 1 - ε] nothing is changed: the values are exact.
    Prefer :func:`binary_cross_entropy_with_logits` when Z is at hand.
    """

    name = "binary_cross_entropy"

    @staticmethod
    def forward(A, Y, m):
        margin = _probability_margin(A.dtype)
        A_c = np.clip(A, margin, 1 - margin)
        J = -(Y * np.log(A_c) + (1 - Y) * np.log1p(-A_c)).sum() / m
        return np.asarray(J, dtype=A.dtype), m

    @staticmethod
    def backward(g, m, inputs, out, needs):
        A, Y = inputs
        margin = _probability_margin(base.data(A).dtype)
        A_c = _clip(A, margin, 1 - margin)
        scale = g * (1.0 / m)
        dA = scale * ((A_c - Y) / (A_c * (1 - A_c))) if needs[0] else None
        dY = -(scale * (base.log(A_c) - base.log(1 - A_c))) if needs[1] else None
        return dA, dY


def binary_cross_entropy(A: Any, Y: Any) -> Tensor:
    """J = -(1/m) Σ [Y log A + (1 - Y) log(1 - A)]; A and Y both (n, m); finite at A = 0, 1."""
    A, Y, m = cost_operands("binary_cross_entropy", A, Y, "A")
    return apply(BinaryCrossEntropy, (A, Y), m)


class SoftmaxCrossEntropy(Primitive):
    """Cross-entropy of a softmax over the rows (the C classes) of each column::

        A = softmax(Z)            A_c = e^(Z_c) / Σ_k e^(Z_k), per column
        J = -(1/m) Σ Y ⊙ log A    (log A computed as log_softmax(Z): no overflow)

        dJ/dZ = (A Σ_c Y_c - Y) / m   = (A - Y) / m for one-hot Y (columns sum to 1)
        dJ/dY = -log A / m
    """

    name = "softmax_cross_entropy"

    @staticmethod
    def forward(Z, Y, m):
        log_A = _log_softmax(Z)
        J = np.asarray(0.0 - (Y * log_A).sum() / m, dtype=Z.dtype)  # 0.0 - : no "-0."
        return J, (m, log_A)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        m, log_A = saved
        Z, Y = inputs
        if isinstance(Z, Tensor) or isinstance(Y, Tensor):
            log_A = _log_softmax(Z)  # recorded, so that the gradient can be differentiated
            A = _softmax(Z)
        else:
            A = np.exp(log_A)
        scale = g * (1.0 / m)
        dZ = scale * (A * Y.sum(axis=0, keepdims=True) - Y) if needs[0] else None
        dY = -(scale * log_A) if needs[1] else None
        return dZ, dY


def softmax_cross_entropy(Z: Any, Y: Any) -> Tensor:
    """J = -(1/m) Σ Y ⊙ log softmax(Z), softmax over the rows; Z and Y (one-hot) both (C, m)."""
    Z, Y, m = cost_operands("softmax_cross_entropy", Z, Y, "Z")
    return apply(SoftmaxCrossEntropy, (Z, Y), m)
