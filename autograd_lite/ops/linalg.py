"""Matrix products: the course's Z = W A + b is ``W @ A + b``."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.ops import base
from autograd_lite.ops.base import Primitive, binary_method, binary_operands, implements
from autograd_lite.tensor import Tensor

#: The public functions of this family (re-exported by autograd_lite.ops).
__all__ = [
    "dot",
    "matmul",
]


class MatMul(Primitive):
    """Z = W A;  dW = dZ Aᵀ,  dA = Wᵀ dZ (NumPy matmul rules, batch axes broadcast).

    A 1-D operand is a vector: it is treated as a row (left) or column (right) and the
    added axis is removed again from its gradient.
    """

    name = "matmul"
    symbol, formula = "@", "{0} @ {1}"

    @staticmethod
    def forward(a, b):
        return a @ b, None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        a, b = inputs
        if a.ndim == 2 and b.ndim == 2:  # the course's case, first: dW = dZ Aᵀ, dA = Wᵀ dZ
            return (g @ b.T if needs[0] else None), (a.T @ g if needs[1] else None)
        if a.ndim == 1 and b.ndim == 1:  # inner product: z = Σ a_i b_i
            return (g * b if needs[0] else None), (g * a if needs[1] else None)
        if a.ndim == 1:  # (n,) @ (..., n, k) -> (..., k)
            a2 = a.reshape((1, a.shape[0]))
            g2 = g.reshape(g.shape[:-1] + (1, g.shape[-1]))
            da = (g2 @ base.swap_last_axes(b)) if needs[0] else None
            db = (base.swap_last_axes(a2) @ g2) if needs[1] else None
            if da is not None:
                da = da.reshape(da.shape[:-2] + (a.shape[0],))
                da = da.sum(axis=tuple(range(da.ndim - 1))) if da.ndim > 1 else da
            return da, db
        if b.ndim == 1:  # (..., m, n) @ (n,) -> (..., m)
            b2 = b.reshape((b.shape[0], 1))
            g2 = g.reshape(g.shape + (1,))
            da = (g2 @ base.swap_last_axes(b2)) if needs[0] else None
            db = (base.swap_last_axes(a) @ g2) if needs[1] else None
            if db is not None:
                db = db.reshape(db.shape[:-1])
                db = db.sum(axis=tuple(range(db.ndim - 1))) if db.ndim > 1 else db
            return da, db
        da = (g @ base.swap_last_axes(b)) if needs[0] else None
        db = (base.swap_last_axes(a) @ g) if needs[1] else None
        return da, db


_matmul = binary_method(MatMul)


def _check_matmul(op: str, a: Tensor, b: Tensor) -> None:
    if a.ndim == 0 or b.ndim == 0:
        raise base.ShapeError(
            f"{op}: operands must have at least one dimension; got {a.shape} @ {b.shape} "
            "(use * to multiply by a scalar)"
        )
    inner_a = a.shape[-1]
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if inner_a != inner_b:
        raise base.ShapeError(
            f"{op}: {a.shape} @ {b.shape} — inner dimensions {inner_a} and {inner_b} differ"
        )


@implements(np.matmul, np.linalg.matmul)
def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product a @ b (NumPy's matmul rules)."""
    ta, tb = binary_operands(a, b)
    _check_matmul("matmul", ta, tb)
    return _matmul(ta, tb)


@implements(np.dot)
def dot(a: Any, b: Any) -> Tensor:
    """np.dot for vectors and matrices (the course's np.dot(W, A)); same as matmul there."""
    ta, tb = binary_operands(a, b)
    if ta.ndim > 2 or tb.ndim > 2:
        raise base.ShapeError(
            f"dot: only vectors and matrices are supported; got {ta.shape} and {tb.shape} "
            "(use matmul for stacks of matrices)"
        )
    _check_matmul("dot", ta, tb)
    return _matmul(ta, tb)
