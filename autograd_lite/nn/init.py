"""Weight initializations of the course, each reproducible from a seed.

For layer l with n^[l-1] inputs, W^[l] has shape (n^[l], n^[l-1]) and is drawn as::

    "he"      randn(n^[l], n^[l-1]) * sqrt(2 / n^[l-1])     (for ReLU layers)
    "xavier"  randn(n^[l], n^[l-1]) * sqrt(1 / n^[l-1])     (the course's Xavier, for tanh)
    "small"   randn(n^[l], n^[l-1]) * 0.01                   (the course's first networks)
    "zeros"   zeros((n^[l], n^[l-1]))                        (every unit stays the same:
                                                              the symmetry problem)

b^[l] always starts at zeros((n^[l], 1)).

The numbers come from NumPy's legacy ``RandomState(seed).randn``, drawn layer by
layer in the course's order, so ``np.random.seed(seed)`` followed by the course's
``initialize_parameters_deep`` gives the same matrices (e.g. "small" equals
``autograd_lite.reference.initialize_deep(layer_dims, seed)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["INITS", "initialize_weights", "make_rng"]

#: The names accepted by ``init=``.
INITS: tuple[str, ...] = ("he", "xavier", "small", "zeros")

SMALL_SCALE = 0.01


def make_rng(seed: int | np.random.RandomState | None) -> np.random.RandomState:
    """A RandomState from a seed (None: fresh entropy); a RandomState is used as it is."""
    if isinstance(seed, np.random.RandomState):
        return seed
    if seed is not None and (
        isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer))
    ):
        raise TypeError(f"seed must be an integer, a numpy RandomState or None; got {seed!r}")
    return np.random.RandomState(seed)


def check_init(init: str, where: str) -> str:
    if init not in INITS:
        allowed = ", ".join(repr(name) for name in INITS)
        raise ValueError(f"{where}: unknown init {init!r}; choose one of {allowed}")
    return init


def initialize_weights(
    init: str,
    n_out: int,
    n_in: int,
    rng: np.random.RandomState,
    dtype: Any = np.float64,
) -> np.ndarray:
    """W of shape (n_out, n_in) drawn with ``init`` (see the module docstring)."""
    check_init(init, "initialize_weights")
    if init == "zeros":
        return np.zeros((n_out, n_in), dtype=dtype)
    W = rng.randn(n_out, n_in)
    if init == "he":
        W *= np.sqrt(2.0 / n_in)
    elif init == "xavier":
        W *= np.sqrt(1.0 / n_in)
    else:
        W *= SMALL_SCALE
    return W.astype(dtype, copy=False)
