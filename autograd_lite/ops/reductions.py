"""Reductions over axes: sum, mean, max, min, prod, var, std, logsumexp; argmax, argmin;
and cumsum, the running sum along an axis.

The course's cost J = (1/m) Σ L(a, y) is a mean over the examples (axis 1). Every
reduction takes NumPy's ``axis`` (None, an int, a negative int or a tuple) and
``keepdims``; argmax and argmin are queries with no gradient and return ndarrays.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite.ops import base
from autograd_lite.ops.base import Primitive, apply, as_tensor, implements
from autograd_lite.ops.elementwise import where
from autograd_lite.ops.shape import flip
from autograd_lite.tensor import Tensor

#: The public functions of this family (re-exported by autograd_lite.ops).
__all__ = [
    "argmax",
    "argmin",
    "cumsum",
    "logsumexp",
    "max",
    "mean",
    "min",
    "prod",
    "std",
    "sum",
    "var",
]


class Sum(Primitive):
    """s = Σ x over the axes;  ds/dx = 1: the upstream gradient is copied back to every element."""

    name = "sum"
    derivatives = ("1",)

    @staticmethod
    def forward(x, axis, keepdims):
        if x.size == 1 and axis is None and not keepdims:
            # A cost that is already one number: the sum is that number, a copy of it
            # (NumPy's reduction machinery costs about 1 µs even for one element).
            return np.asarray(x.item(), x.dtype), (x.shape, None, False, True)
        return np.add.reduce(x, axis=axis, keepdims=keepdims), (x.shape, axis, keepdims, False)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        shape, axis, keepdims, single = saved
        if single:  # one element in, one out: dx = g, in x's shape
            return (g.reshape(shape),)
        return (base.broadcast_to(base.expand_reduced(g, shape, axis, keepdims), shape),)


class Mean(Primitive):
    """s = (1/n) Σ x over the axes (n elements each);  ds/dx = 1/n."""

    name = "mean"

    @classmethod
    def derivative_text(cls, position, out, operands, node):
        return f"1/{node.parents[0].data.size // node.data.size}" if node.data.size else None

    @staticmethod
    def forward(x, axis, keepdims):
        count = x.size if axis is None else int(np.prod([x.shape[a] for a in axis]))
        total = np.add.reduce(x, axis=axis, keepdims=keepdims)
        return total / count, (x.shape, axis, keepdims, count)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        shape, axis, keepdims, count = saved
        # count = 0: the mean of an empty axis (NaN, as NumPy's); x is empty then, and so
        # is its gradient (ds/dx has no element to take 1/n).
        g = base.expand_reduced(g, shape, axis, keepdims) * (1.0 / count if count else 0.0)
        return (base.broadcast_to(g, shape),)


class Max(Primitive):
    """s = max x over the axes;  ds/dx = 1 at the maximum (shared equally between ties), else 0."""

    name = "max"

    @staticmethod
    def forward(x, axis, keepdims):
        return x.max(axis=axis, keepdims=keepdims), (axis, keepdims)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return (_to_extremes(g, saved, inputs[0], out),)


class Min(Primitive):
    """s = min x over the axes;  ds/dx = 1 at the minimum (shared equally between ties), else 0."""

    name = "min"

    @staticmethod
    def forward(x, axis, keepdims):
        return x.min(axis=axis, keepdims=keepdims), (axis, keepdims)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return (_to_extremes(g, saved, inputs[0], out),)


class Prod(Primitive):
    """p = Π x over the axes;  dp/dx_i = Π_{j≠i} x_j, the product of the others.

    The product of the others is computed as such (the products of the elements before
    and after x_i in its group, two running products), never as p / x_i: that would
    divide by zero where x_i = 0, yet the derivative there is the (nonzero) product of
    the rest. One zero in a group makes every other element's derivative 0; two make all 0.
    """

    name = "prod"
    formula = "Π {0}"
    derivatives = ("Π others",)

    @classmethod
    def forward_hint(cls, inputs, out):
        return ("a product of many numbers overflowed (or underflowed to 0): "
                "sum their logarithms instead.")

    @staticmethod
    def forward(x, axis, keepdims):
        return np.multiply.reduce(x, axis=axis, keepdims=keepdims), (axis, keepdims)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        axis, keepdims = saved
        x = inputs[0]
        g = base.expand_reduced(g, x.shape, axis, keepdims)
        if isinstance(x, Tensor):
            return (g * _product_of_others_graph(x, out, axis, keepdims),)
        return (g * _product_of_others(x, axis),)


def _grouped(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> tuple[list[int], int]:
    """The permutation that moves the reduced axes last, and how many axes are kept."""
    reduced = list(range(len(shape))) if axis is None else list(axis)
    kept = [a for a in range(len(shape)) if a not in reduced]
    return kept + reduced, len(kept)


def _product_of_others(x: np.ndarray, axis: tuple[int, ...] | None) -> np.ndarray:
    """Π_{j≠i} x_j over each reduced group: (product before x_i) × (product after x_i)."""
    order, n_kept = _grouped(x.shape, axis)
    moved = x.transpose(order)
    groups = moved.reshape(moved.shape[:n_kept] + (-1,))
    before = np.ones_like(groups)
    np.cumprod(groups[..., :-1], axis=-1, out=before[..., 1:])
    after = np.ones_like(groups)
    after[..., :-1] = np.cumprod(groups[..., :0:-1], axis=-1)[..., ::-1]
    return (before * after).reshape(moved.shape).transpose(np.argsort(order))


def _product_of_others_graph(x: Tensor, out: Tensor, axis: tuple[int, ...] | None,
                             keepdims: bool) -> Tensor:
    """The same on Tensors (backward with create_graph=True), so that it has derivatives.

    Without zeros it is p / x_i. With zeros, each element's group is copied with that
    element replaced by 1 and multiplied out: exact to every order, at n times the memory
    of the group (n its length), spent only where a group holds a zero.
    """
    if (x.data != 0).all():
        return base.expand_reduced(out, x.shape, axis, keepdims) / x
    order, n_kept = _grouped(x.shape, axis)
    moved = x.transpose(order)
    groups = moved.reshape(moved.shape[:n_kept] + (-1,))
    n = groups.shape[-1]
    copies = where(np.eye(n, dtype=bool), 1.0, groups[..., None, :])  # (..., i, j)
    others = prod(copies, axis=-1)
    return others.reshape(moved.shape).transpose(tuple(np.argsort(order)))


def _spread(numpy_function: Any, x: np.ndarray, axis: Any, keepdims: bool, ddof: float) -> Any:
    """var or std's forward: NumPy's value, and what the derivative needs (N - ddof)."""
    count = x.size if axis is None else math.prod(x.shape[a] for a in axis)
    out = numpy_function(x, axis=axis, keepdims=keepdims, ddof=ddof)
    return out, (axis, keepdims, count - ddof)


class Var(Primitive):
    """v = Σ (x - μ)² / (N - ddof) over the axes (μ their mean, N their count);
    dv/dx_i = 2 (x_i - μ) / (N - ddof).

    (The terms of dμ/dx_i add up to 0: Σ_j 2 (x_j - μ) · (-1/N) = 0.) As NumPy, ddof = 1
    gives the unbiased estimate; N - ddof ≤ 0 gives inf or NaN, with NumPy's warning.
    """

    name = "var"
    derivatives = ("2·({0} - μ)/(N - ddof)",)
    backward_hint = "dvar/dx = 2(x - μ)/(N - ddof) is infinite when ddof ≥ N, the group's count."

    @classmethod
    def forward_hint(cls, inputs, out):
        return ("the variance of a group of N values with ddof ≥ N is undefined "
                "(N - ddof ≤ 0); with ddof=1 a group needs at least 2 values.")

    @staticmethod
    def forward(x, axis, keepdims, ddof):
        return _spread(np.var, x, axis, keepdims, ddof)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        axis, keepdims, dof = saved
        x = inputs[0]
        centred = x - x.mean(axis=axis, keepdims=True)
        scale = 2.0 / dof if dof > 0 else math.inf  # a Python float keeps float32 float32
        return (base.expand_reduced(g, x.shape, axis, keepdims) * centred * scale,)


class Std(Primitive):
    """σ = √var over the axes (NumPy's std, with its ddof);
    dσ/dx_i = (x_i - μ) / ((N - ddof) σ), taken as 0 where σ = 0.

    A primitive rather than √ applied to var: where every value of a group is equal, σ = 0
    and the chain rule through √ gives 0 · ∞ = NaN, which would spread through a whole
    network (a constant feature, normalized). σ is not differentiable there (it has a kink,
    as |x| at 0); like abs, whose derivative at 0 is taken as sign(0) = 0, and like
    PyTorch's std, the derivative is taken as 0.
    """

    name = "std"
    derivatives = ("({0} - μ)/((N - ddof)·{out})",)
    backward_hint = Var.backward_hint

    @classmethod
    def forward_hint(cls, inputs, out):
        return Var.forward_hint(inputs, out)

    @staticmethod
    def forward(x, axis, keepdims, ddof):
        return _spread(np.std, x, axis, keepdims, ddof)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        axis, keepdims, dof = saved
        x = inputs[0]
        centred = x - x.mean(axis=axis, keepdims=True)
        sigma = base.expand_reduced(out, x.shape, axis, keepdims)
        flat = base.data(sigma) == 0
        if flat.any():  # σ = 0: a derivative of 0 (see above), no 0/0
            pick = where if isinstance(x, Tensor) else np.where
            centred, sigma = pick(flat, 0.0, centred), pick(flat, 1.0, sigma)
        scale = 1.0 / dof if dof > 0 else math.inf
        return (base.expand_reduced(g, x.shape, axis, keepdims) * centred / sigma * scale,)


class LogSumExp(Primitive):
    """s = log Σ e^x over the axes, computed as m + log Σ e^(x - m) with m the largest x
    (no overflow: every e^(x - m) ≤ 1);  ds/dx_i = e^(x_i - s) = softmax(x)_i.

    A group that is empty or all -inf gives -inf, as scipy.special.logsumexp.
    """

    name = "logsumexp"
    formula = "log Σ e^{0}"
    derivatives = ("e^({0} - {out})",)

    @staticmethod
    def forward(x, axis, keepdims):
        m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
        m = np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)
        with np.errstate(divide="ignore"):  # log 0 = -inf: an empty or all -inf group
            s = np.log(np.add.reduce(np.exp(x - m), axis=axis, keepdims=True)) + m
        if not keepdims:
            s = s.reshape(() if axis is None else tuple(
                n for a, n in enumerate(x.shape) if a not in axis))
        return s, (axis, keepdims)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        axis, keepdims = saved
        x = inputs[0]
        g = base.expand_reduced(g, x.shape, axis, keepdims)
        return (g * base.exp(x - base.expand_reduced(out, x.shape, axis, keepdims)),)


def _to_extremes(g: Any, saved: Any, x: Any, out: Any) -> Any:
    """The gradient of max or min: g where x is the extreme value, split equally between ties."""
    axis, keepdims = saved
    x = base.data(x)
    extreme = base.expand_reduced(base.data(out), x.shape, axis, keepdims)
    mask = (x == extreme).astype(x.dtype)
    mask /= mask.sum(axis=axis, keepdims=True)
    return base.expand_reduced(g, x.shape, axis, keepdims) * mask


def _reduce(fn: type[Primitive], x: Any, axis: Any, keepdims: bool, *params: Any) -> Tensor:
    t = x if type(x) is Tensor else as_tensor(x)
    if axis is None and fn not in (Max, Min):  # the common case: everything, e.g. a cost J
        return apply(fn, (t,), None, bool(keepdims), *params)
    axes = _axes(fn.name, t, axis)
    if fn in (Max, Min) and t.size == 0:
        raise base.ShapeError(f"{fn.name}: the tensor of shape {t.shape} is empty")
    return apply(fn, (t,), axes, bool(keepdims), *params)


def _axes(op: str, t: Tensor, axis: Any) -> tuple[int, ...] | None:
    """NumPy's axis argument as sorted non-negative axes; a repeated axis is an error too."""
    try:
        axes = base.normalize_axis(axis, t.ndim)
    except base.ShapeError as err:
        raise base.ShapeError(f"{op}: {err} (shape {t.shape})") from None
    if axes is not None and len(set(axes)) != len(axes):
        raise base.ShapeError(f"{op}: axis {axis!r} repeats an axis (shape {t.shape})")
    return axes


@implements(np.sum)
def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Σ x over ``axis`` (None: every element)."""
    if axis is None and type(x) is Tensor:  # a cost J = Σ ...: straight to the primitive
        return apply(Sum, (x,), None, bool(keepdims))
    return _reduce(Sum, x, axis, keepdims)


@implements(np.mean)
def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Mean of x over ``axis`` (None: every element)."""
    return _reduce(Mean, x, axis, keepdims)


@implements(np.max, np.amax)
def max(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Largest value of x over ``axis`` (None: every element)."""
    return _reduce(Max, x, axis, keepdims)



@implements(np.min, np.amin)
def min(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Smallest value of x over ``axis`` (None: every element)."""
    return _reduce(Min, x, axis, keepdims)


class Cumsum(Primitive):
    """s_i = x_1 + x_2 + ... + x_i along an axis (np.cumsum; the flattened x when axis is
    None);  ds_i/dx_j = 1 for j ≤ i, so dx_j = dJ/ds_j + dJ/ds_{j+1} + ... + dJ/ds_n:
    the running sum of dJ/ds taken from the end (flip, cumsum, flip)."""

    name = "cumsum"

    @staticmethod
    def forward(x, axis):
        return np.cumsum(x, axis=axis), (axis, x.shape)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        axis, shape = saved
        along = 0 if axis is None else axis  # axis None: g is 1-D, the flattened x
        if isinstance(g, Tensor):  # create_graph: the same steps, recorded
            grad = flip(cumsum(flip(g, along), along), along)
        else:
            grad = np.flip(np.cumsum(np.flip(g, along), axis=along), along)
        return (grad.reshape(shape) if axis is None else grad,)


@implements(np.cumsum)
def cumsum(a: Any, axis: int | None = None, dtype: Any = None, out: Any = None) -> Tensor:
    """The running sum of ``a`` along ``axis`` (None: of the flattened ``a``), as np.cumsum.

    ``dtype`` (floating) sums in that dtype: ``a`` is cast first, differentiably. ``out``
    is not supported: the result is a new Tensor.
    """
    if out is not None:
        raise TypeError("cumsum: out= is not supported (the result is a new Tensor); "
                        "write s = cumsum(a)")
    t = as_tensor(a)
    if dtype is not None:
        if np.dtype(dtype).kind != "f":
            raise TypeError(f"cumsum: dtype must be floating (float64, float32); got {dtype}")
        t = t.astype(dtype)
    if axis is not None:
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"cumsum: axis must be an int or None; got {axis!r}")
        if not -t.ndim <= axis < t.ndim:
            raise base.ShapeError(f"cumsum: axis {axis} is out of range for shape {t.shape}")
        axis = int(axis) % t.ndim
    return apply(Cumsum, (t,), axis)
@implements(np.prod)
def prod(x: Any, axis: Any = None, *, keepdims: bool = False) -> Tensor:
    """Π x over ``axis`` (None: every element); 1 for an empty group, as NumPy.

    ``keepdims`` is keyword-only: NumPy's third and fourth positional arguments are
    ``dtype`` and ``out``, which a Tensor has no use for.
    """
    return _reduce(Prod, x, axis, keepdims)


@implements(np.var)
def var(x: Any, axis: Any = None, *, ddof: float = 0, keepdims: bool = False) -> Tensor:
    """The variance Σ (x - μ)² / (N - ddof) over ``axis`` (None: every element).

    ``ddof=0`` (NumPy's default) divides by N, ``ddof=1`` by N - 1. ``ddof`` and
    ``keepdims`` are keyword-only, as NumPy's positional order puts dtype and out first.
    """
    return _reduce(Var, x, axis, keepdims, _ddof("var", ddof))


def _ddof(op: str, ddof: Any) -> float:
    if isinstance(ddof, bool) or not isinstance(ddof, (int, float, np.integer, np.floating)):
        raise TypeError(f"{op}: ddof must be a number; got {ddof!r}")
    return ddof.item() if isinstance(ddof, np.generic) else ddof


@implements(np.std)
def std(x: Any, axis: Any = None, *, ddof: float = 0, keepdims: bool = False) -> Tensor:
    """The standard deviation σ = √var(x) over ``axis``, with NumPy's ``ddof`` and
    ``keepdims`` (keyword-only, as for :func:`var`). Its derivative is 0 where σ = 0."""
    return _reduce(Std, x, axis, keepdims, _ddof("std", ddof))


@implements(np.argmax)
def argmax(x: Any, axis: int | None = None, out: np.ndarray | None = None, *,
           keepdims: bool = False) -> np.ndarray:
    """The index of the largest value over ``axis`` (None: of the flattened array), an
    ndarray as NumPy's (the first one where values tie). An index has no gradient: nothing
    is recorded."""
    return _arg_extreme("argmax", np.argmax, x, axis, out, keepdims)


@implements(np.argmin)
def argmin(x: Any, axis: int | None = None, out: np.ndarray | None = None, *,
           keepdims: bool = False) -> np.ndarray:
    """The index of the smallest value over ``axis``, as :func:`argmax` (no gradient)."""
    return _arg_extreme("argmin", np.argmin, x, axis, out, keepdims)


def _arg_extreme(op: str, numpy_function: Any, x: Any, axis: Any, out: Any,
                 keepdims: bool) -> np.ndarray:
    values = x.data if isinstance(x, Tensor) else np.asarray(x)
    try:
        return numpy_function(values, axis=axis, out=out, keepdims=keepdims)
    except (ValueError, TypeError) as err:  # an empty array, a bad axis (AxisError)
        raise base.ShapeError(f"{op}: {err} (shape {values.shape}, axis {axis!r})") from None


def logsumexp(x: Any, axis: Any = None, *, keepdims: bool = False) -> Tensor:
    """log Σ e^x over ``axis`` (None: every element), without overflow; as
    scipy.special.logsumexp(x, axis, keepdims=...). Its gradient is softmax(x) over the axes.

    ``keepdims`` is keyword-only: scipy's third positional argument is the weights ``b``.
    """
    return _reduce(LogSumExp, x, axis, keepdims)
