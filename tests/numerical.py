"""The oracle for gradients: two-sided differences, independent of the engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def numerical_gradient(
    f: Callable[..., float], arrays: Sequence[np.ndarray], index: int, eps: float = 1e-6
) -> np.ndarray:
    """d f / d arrays[index] by (f(x + eps) - f(x - eps)) / (2 eps), one element at a time.

    ``f`` takes plain float64 ndarrays and returns a number.
    """
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    x = arrays[index]
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        plus = float(f(*arrays))
        x[i] = original - eps
        minus = float(f(*arrays))
        x[i] = original
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def relative_difference(g: np.ndarray, g_num: np.ndarray) -> float:
    """The course's ‖g − g_num‖ / (‖g‖ + ‖g_num‖) (0 when both are zero)."""
    denominator = np.linalg.norm(g) + np.linalg.norm(g_num)
    return 0.0 if denominator == 0 else float(np.linalg.norm(g - g_num) / denominator)
