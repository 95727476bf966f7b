"""Activation functions g(z) and softmax, each with its derivative g'(z).

The course's activations: sigmoid, tanh, ReLU and leaky ReLU. Each is one fused
primitive: faster than composing it from exp and division, and numerically stable.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite.ops import base
from autograd_lite.ops.base import ExpressionForm, Primitive, apply, as_tensor, implements
from autograd_lite.tensor import Tensor

#: The public functions of this family (re-exported by autograd_lite.ops).
__all__ = [
    "leaky_relu",
    "log_softmax",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]


def sigmoid_and_exp(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(σ(z), e^-|z|), without overflow for any z: e^-|z| is never above 1.

    σ(z) = 1 / (1 + e^-|z|) for z ≥ 0 and e^-|z| / (1 + e^-|z|) for z < 0: one division.
    (No in-place ops here: on the course's (1, m) outputs, NumPy's checks for an output
    that overlaps an input cost more than the arithmetic.)
    """
    e = np.exp(-np.abs(z))
    return np.where(z < 0, e, 1.0) / (1.0 + e), e


def stable_sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^-z), without overflow for large |z|."""
    return sigmoid_and_exp(z)[0]


class Sigmoid(Primitive):
    """a = σ(z) = 1 / (1 + e^-z);  da/dz = a (1 - a)."""

    name = "sigmoid"
    expression = ExpressionForm("sigmoid")
    derivatives = ("{out}·(1 - {out})",)

    @staticmethod
    def forward(z):
        return stable_sigmoid(z), None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return (g * (out * (1 - out)),)


class Tanh(Primitive):
    """a = tanh(z);  da/dz = 1 - a²."""

    name = "tanh"
    expression = ExpressionForm("tanh")
    derivatives = ("1 - {out}²",)

    @staticmethod
    def forward(z):
        return np.tanh(z), None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return (g * (1 - out * out),)


class Relu(Primitive):
    """a = max(0, z);  da/dz = 1 if z > 0 else 0 (0 is taken at z = 0)."""

    name = "relu"
    expression = ExpressionForm("relu")
    derivatives = ("[{0} > 0]",)

    @staticmethod
    def forward(z):
        return np.maximum(z, 0), None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return (g * (base.data(out) > 0),)


class LeakyRelu(Primitive):
    """a = max(slope·z, z);  da/dz = 1 if z > 0 else slope."""

    name = "leaky_relu"
    expression = ExpressionForm("leaky_relu", optional=("slope",))
    derivatives = ("[{0} > 0] + slope·[{0} ≤ 0]",)

    @classmethod
    def derivative_text(cls, position, out, operands, node):
        """``[z > 0] + 0.01·[z ≤ 0]``, the slope written as a number while it is known."""
        slope = node._saved  # the forward's saved slope (freed after a plain backward)
        shown = f"{slope:g}" if isinstance(slope, (int, float)) else "slope"
        return f"[{operands[0]} > 0] + {shown}·[{operands[0]} ≤ 0]"

    @staticmethod
    def forward(z, slope):
        return np.where(z > 0, z, slope * z), slope

    @staticmethod
    def backward(g, slope, inputs, out, needs):
        z = base.data(inputs[0])
        return (g * np.where(z > 0, 1.0, slope).astype(z.dtype, copy=False),)


class Softmax(Primitive):
    """a_i = e^z_i / Σ_j e^z_j along an axis;  dJ/dz = a ⊙ (dJ/da - Σ_j a_j dJ/da_j)."""

    name = "softmax"

    @staticmethod
    def forward(z, axis):
        e = np.exp(z - z.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True), axis

    @staticmethod
    def backward(g, axis, inputs, out, needs):
        return (out * (g - (g * out).sum(axis=axis, keepdims=True)),)


class LogSoftmax(Primitive):
    """a_i = z_i - log Σ_j e^z_j along an axis;  dJ/dz = dJ/da - softmax(z) Σ_j dJ/da_j."""

    name = "log_softmax"

    @staticmethod
    def forward(z, axis):
        shifted = z - z.max(axis=axis, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True)), axis

    @staticmethod
    def backward(g, axis, inputs, out, needs):
        return (g - base.exp(out) * g.sum(axis=axis, keepdims=True),)


def sigmoid(z: Any) -> Tensor:
    """σ(z) = 1 / (1 + e^-z), stable for any z."""
    return apply(Sigmoid, (as_tensor(z),))


@implements(np.tanh)
def tanh(z: Any) -> Tensor:
    """tanh(z)."""
    return apply(Tanh, (as_tensor(z),))


def relu(z: Any) -> Tensor:
    """max(0, z)."""
    return apply(Relu, (as_tensor(z),))


def leaky_relu(z: Any, slope: float = 0.01) -> Tensor:
    """max(slope·z, z), the course's leaky ReLU (slope 0.01); the slope is a finite number."""
    # float(): a NumPy float64 slope would turn float32 data into float64 (NEP 50).
    try:
        value = float(slope)
    except (TypeError, ValueError):
        raise TypeError(f"leaky_relu: slope must be a number; got {slope!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"leaky_relu: slope must be a finite number (e.g. 0.01); got {slope!r}")
    return apply(LeakyRelu, (as_tensor(z),), value)


def _check_axis(op: str, t: Tensor, axis: int) -> int:
    if not isinstance(axis, (int, np.integer)) or not -max(t.ndim, 1) <= axis < max(t.ndim, 1):
        raise base.ShapeError(f"{op}: axis {axis} is out of range for shape {t.shape}")
    return int(axis)


def softmax(z: Any, axis: int = 0) -> Tensor:
    """Softmax along ``axis`` (0: over the rows of each column, one column per example)."""
    t = as_tensor(z)
    return apply(Softmax, (t,), _check_axis("softmax", t, axis))


def log_softmax(z: Any, axis: int = 0) -> Tensor:
    """log(softmax(z)) along ``axis``, computed stably."""
    t = as_tensor(z)
    return apply(LogSoftmax, (t,), _check_axis("log_softmax", t, axis))
