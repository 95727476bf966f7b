"""The op table: one row per primitive of autograd_lite.ops, read by every per-op test.

A row (:class:`Row`) is one Primitive class and what the tests need to check it:

``primitive``
    the class, e.g. ``elementwise.Exp``; every example and every fuzz op of the row
    records it in the graph it builds.
``examples``
    numerical checks, :class:`Example`: an id, the op on Tensors, the same expression in
    NumPy, and a maker of its float64 inputs (:func:`normal`, :func:`positive`,
    :func:`nonzero`, :func:`distinct`, :func:`clip_safe`, :func:`apart`; shapes chosen to
    exercise broadcasting). tests/test_ops.py checks each against NumPy's values, two-sided
    differences and create_graph Hessian-vector products; tests/test_engine.py in float32.
``fuzz``
    ops of the random programs, :class:`FuzzOp`: a name, the engine call, its NumPy twin,
    a hypothesis plan that draws operands from tests/fuzzing.py's ``Builder``, a domain and
    kink predicate, a bound on the operands. :func:`unary` and :func:`binary` make the
    elementwise kind, which are also nodes of the expression trees of
    tests/test_properties.py. tests/test_fuzz.py runs every one, alone and in random
    programs, in float64 and float32.
``unchecked``
    why the row has no examples; empty when it has some.

Adding a primitive means writing it in autograd_lite/ops/ and adding one row here::

    Row(elementwise.Exp,
        examples=[Example("exp", al.exp, np.exp, inputs(normal(3, 4))),
                  Example("exp-method", lambda a: a.exp(), np.exp, inputs(normal(3, 4)))],
        fuzz=[unary("exp", al.exp, np.exp)]),

A kinked op passes the distance to its kink (``unary("abs", al.abs, np.abs, kink=np.abs)``);
an op with parameters or operands of particular shapes gets a plan of its own
(``FuzzOp("sum", engine, twin, _reduce_plan)``; the plans are above the table). The tests
fail until every primitive has exactly one row, every example records its row's primitive
(test_ops) and so does every fuzz op (test_fuzz).

Read by the tests through: :data:`CASES` (every example, then the :data:`COMPOSITES`,
compositions of ops rather than ops) and :func:`draw`; :data:`OPS`, :data:`UNARY`,
:data:`BINARY`; :data:`QUERIES` (argmax, argmin: no gradient, no row).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import autograd_lite as al
from autograd_lite.ops import activations, elementwise, linalg, losses, reductions
from autograd_lite.ops import shape as shape_ops
from autograd_lite.ops.base import Primitive, apply

if TYPE_CHECKING:
    from tests.fuzzing import Builder


# ============================================================ what a row holds

@dataclass(frozen=True)
class Example:
    """A numerical check: ``fn`` on Tensors against ``ref``, the same expression on
    ndarrays, at the inputs ``make(rng)`` draws (float64, away from kinks and outside
    the domain's edges)."""

    id: str
    fn: Callable[..., al.Tensor]
    ref: Callable[..., np.ndarray]
    make: Callable[[np.random.Generator], list[np.ndarray]]


@dataclass(frozen=True)
class Const:
    """An operand that is not a node: a NumPy array or a Python number (no gradient)."""

    value: Any

    def __repr__(self) -> str:
        return f"Const({np.array2string(np.asarray(self.value), precision=3)})"


@dataclass(frozen=True)
class FuzzOp:
    """One op of the fuzzer: the engine call, its NumPy twin, and how to draw operands.

    ``plan(builder)`` returns ``(operands, params)``: operands are node indices or
    :class:`Const`; the engine and the twin are called as ``f(*operands, **params)``.
    ``valid`` keeps the op inside its domain and away from its kinks; ``bound`` limits
    the operands' magnitude. ``tree`` ("unary" or "binary") makes the op a node of the
    expression trees too, with ``kink`` (the distance to its kink, or None) and
    ``min_ndim``. ``records`` says whether every use records the row's primitive;
    ``primitives``, filled in from the row, are the classes every use of the op records.
    """

    name: str
    engine: Callable[..., Any]
    numpy: Callable[..., Any]
    plan: Callable[[Builder], tuple[tuple, dict]]
    valid: Callable[..., bool] | None = None
    bound: float = 100.0
    tree: str | None = None
    kink: Callable[..., Any] | None = None
    min_ndim: int = 0
    records: bool = True
    primitives: frozenset = field(default_factory=frozenset)


@dataclass(frozen=True)
class Row:
    """One primitive: its numerical examples and its fuzz ops (see the module's docstring)."""

    primitive: type[Primitive]
    examples: Sequence[Example] = ()
    fuzz: Sequence[FuzzOp] = ()
    unchecked: str = ""


#: Values going into an elementwise op stay below this (e^10 ≈ 2·10⁴).
MODERATE = 10.0
#: Nearest allowed distance to a kink: far beyond the 1e-6 step of the numerical gradient.
KINK_MARGIN = 1e-3


def unary(name: str, engine: Callable, numpy: Callable, kink: Callable | None = None,
          min_ndim: int = 0) -> FuzzOp:
    """An op of one operand of at least ``min_ndim`` axes, in programs and in trees.

    Its domain is made safe inside the op (log(x² + ½), ...), so any real input is allowed;
    ``kink`` is the distance to its kink (abs at 0, max at a tie, ...), kept above
    :data:`KINK_MARGIN`; operands stay below :data:`MODERATE`.
    """
    return FuzzOp(name, engine, numpy, _unary_plan(min_ndim), _is_ok(kink), MODERATE,
                  tree="unary", kink=kink, min_ndim=min_ndim)


def binary(name: str, engine: Callable, numpy: Callable,
           kink: Callable | None = None) -> FuzzOp:
    """An op of two operands of broadcastable shapes (numbers and constants included),
    in programs and in trees; ``kink(a, b)`` as for :func:`unary`."""
    return FuzzOp(name, engine, numpy, _binary_plan, _is_ok(kink), MODERATE,
                  tree="binary", kink=kink)


# ============================================================ inputs of the examples

def normal(*shape):
    return lambda r: r.standard_normal(shape)


def positive(*shape):
    """In [0.5, 2]: inside the domain of log, sqrt, x ** -1.5, a ** b."""
    return lambda r: r.uniform(0.5, 2.0, shape)


def nonzero(*shape):
    """|x| in [0.2, 1.5], either sign: away from the kink of abs, relu, leaky_relu at 0."""
    return lambda r: r.choice([-1.0, 1.0], shape) * r.uniform(0.2, 1.5, shape)


def distinct(*shape):
    """Values at least 0.15 apart: no ties for max (its kink)."""

    def make(r):
        n = int(np.prod(shape))
        spaced = 0.25 * r.permutation(n) - 0.125 * n + r.uniform(-0.05, 0.05, n)
        return spaced.reshape(shape)

    return make


def clip_safe(*shape):
    """Inside (-0.4, 0.4) or outside ±(0.6, 1.2): away from the bounds ±0.5 of the clip rows."""

    def make(r):
        inside = r.uniform(-0.4, 0.4, shape)
        outside = r.choice([-1.0, 1.0], shape) * r.uniform(0.6, 1.2, shape)
        return np.where(r.random(shape) < 0.5, inside, outside)

    return make


def with_zeros(*shape):
    """Nonzero values (as :func:`nonzero`) with zeros placed so that, along the last axis,
    the second group holds one zero and the third two (the cases of prod's derivative)."""

    def make(r):
        x = nonzero(*shape)(r)
        groups = x.reshape(-1, shape[-1])
        groups[1 % len(groups), 0] = 0.0
        groups[2 % len(groups), 1] = groups[2 % len(groups), -1] = 0.0
        return groups.reshape(shape)

    return make


def inputs(*makers):
    return lambda r: [make(r) for make in makers]


def apart(big_shape, small_shape, swap=False):
    """Two inputs whose broadcast values differ by at least 0.2 (no ties for maximum)."""

    def make(r):
        small = r.standard_normal(small_shape)
        gap = r.choice([-1.0, 1.0], big_shape) * r.uniform(0.2, 1.0, big_shape)
        big = small + gap
        return [small, big] if swap else [big, small]

    return make


COND = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, True]])
MASK = COND
ROWS = np.array([2, 0, 2, 2])  # repeated rows: their gradients must add up
COLS = np.array([1, 1, 3, 0])
CONST64 = np.linspace(-1.0, 1.0, 12).reshape(3, 4)


# ============================================ plans, twins and kinks of the fuzz ops

def _top_two_gap(x):
    if x.shape[-1] < 2:
        return np.inf
    top = np.sort(x, axis=-1)
    return top[..., -1] - top[..., -2]


def _is_ok(valid_kink: Callable[..., Any] | None) -> Callable[..., bool] | None:
    if valid_kink is None:
        return None
    return lambda *xs, **params: bool(np.min(valid_kink(*xs), initial=np.inf) > KINK_MARGIN)


def _unary_plan(min_ndim: int) -> Callable[[Builder], tuple[tuple, dict]]:
    def plan(b: Builder) -> tuple[tuple, dict]:
        return (b.pick(lambda s: len(s) >= min_ndim),), {}

    return plan


def _broadcast_partner(b: Builder, s: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts with s: some leading axes dropped, some sizes set to 1,
    or (a 1 in s) stretched."""
    dropped = b.draw(st.integers(0, len(s)))
    out = []
    for n in s[dropped:]:
        choice = b.draw(st.sampled_from(["same", "one", "stretch"]))
        out.append(1 if choice == "one" else (b.size() if choice == "stretch" and n == 1 else n))
    return tuple(out)


def _binary_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick()
    s = b.shape(x)
    kind = b.draw(st.sampled_from(["node", "leaf", "const", "number"]))
    if kind == "number":
        other: int | Const = Const(b.draw(st.floats(-2, 2, width=64)))
    elif kind == "node":
        fits = [i for i in range(len(b.values)) if _broadcasts(b.shape(i), s)]
        other = b.choose(fits)  # x itself always fits
    else:
        partner = _broadcast_partner(b, s)
        other = Const(b.array(partner)) if kind == "const" else b.leaf(partner)
    return ((x, other) if b.draw(st.booleans()) else (other, x)), {}


def _broadcasts(a: tuple[int, ...], c: tuple[int, ...]) -> bool:
    try:
        np.broadcast_shapes(a, c)
        return True
    except ValueError:
        return False


def _axes(b: Builder, ndim: int) -> Any:
    kinds = ["none", "int", "tuple"] if ndim else ["none", "tuple"]
    kind = b.draw(st.sampled_from(kinds))
    if kind == "none":
        return None
    if kind == "int":
        return b.draw(st.integers(-ndim, ndim - 1))
    if not ndim:
        return ()
    axes = b.draw(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim))
    return tuple(a - ndim if b.draw(st.booleans()) else a for a in axes)


def _reduce_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick()
    return (x,), {"axis": _axes(b, len(b.shape(x))), "keepdims": b.draw(st.booleans())}


def _normal_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else axis
    return tuple(a % ndim for a in axes)


def _max_gap(x, axis):
    """The smallest gap between the two largest values of each reduced group."""
    axes = _normal_axes(axis, x.ndim)
    if not axes:
        return np.inf
    moved = np.moveaxis(x, axes, tuple(range(x.ndim - len(axes), x.ndim)))
    groups = moved.reshape(moved.shape[: x.ndim - len(axes)] + (-1,))
    return _top_two_gap(groups)


def _axis_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick(lambda s: len(s) >= 1)
    ndim = len(b.shape(x))
    return (x,), {"axis": b.draw(st.integers(-ndim, ndim - 1))}


def _np_softmax(x, axis):
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def _np_log_softmax(x, axis):
    return x - np.log(np.exp(x).sum(axis=axis, keepdims=True))


def _matmul_plan(b: Builder) -> tuple[tuple, dict]:
    """x @ W or W @ x, with W a vector, a matrix or a stack of matrices that fits x."""
    x = b.pick(lambda s: len(s) >= 1)
    s = b.shape(x)
    batch = s[:-2]
    k = b.size()
    if b.draw(st.booleans()):  # x @ W
        n = s[-1]
        stacks = [(b.size(), n, k)] if len(s) <= 2 else [(1, n, k), (batch[0], n, k)]
        w_shape = b.draw(st.sampled_from([(n,), (n, k)] + stacks))
        w = b.operand(w_shape)
        return (x, w), {}
    p = s[0] if len(s) == 1 else s[-2]
    stacks = [(b.size(), k, p)] if len(s) <= 2 else [(1, k, p), (batch[0], k, p)]
    w_shape = b.draw(st.sampled_from([(p,), (k, p)] + stacks))
    return (b.operand(w_shape), x), {}


def _dot_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick(lambda s: 1 <= len(s) <= 2)
    s = b.shape(x)
    k = b.size()
    if b.draw(st.booleans()):  # np.dot(x, W)
        return (x, b.operand(b.draw(st.sampled_from([(s[-1],), (s[-1], k)])))), {}
    return (b.operand(b.draw(st.sampled_from([(s[0],), (k, s[0])]))), x), {}


def _gram(x):
    """x xᵀ over the last two axes (one node used as both operands of matmul)."""
    if x.ndim == 1:
        return x @ x
    axes = list(range(x.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return x @ (al.transpose(x, axes) if isinstance(x, al.Tensor) else x.transpose(axes))


def _prime_factors(n: int) -> list[int]:
    factors, d = [], 2
    while n > 1:
        while n % d == 0:
            factors.append(d)
            n //= d
        d += 1
    return factors


def _reshape_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick()
    size = int(np.prod(b.shape(x)))
    ndim = b.draw(st.integers(1 if size > 1 else 0, 3))
    dims = [1] * ndim
    for factor in _prime_factors(size):
        dims[b.draw(st.integers(0, ndim - 1))] *= factor
    if ndim and b.draw(st.booleans()):
        dims[b.draw(st.integers(0, ndim - 1))] = -1
    return (x,), {"shape": tuple(dims), "method": b.draw(st.booleans())}


def _reshape(x, shape, method):
    if isinstance(x, al.Tensor) and not method:
        return al.reshape(x, shape)
    return x.reshape(shape)


def _transpose_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick()
    ndim = len(b.shape(x))
    if b.draw(st.booleans()):
        return (x,), {"axes": None}
    perm = b.draw(st.permutations(range(ndim)))
    return (x,), {"axes": tuple(a - ndim if b.draw(st.booleans()) else a for a in perm)}


def _transpose(x, axes):
    if isinstance(x, al.Tensor) and axes is None:
        return x.T
    return al.transpose(x, axes) if isinstance(x, al.Tensor) else np.transpose(x, axes)


def _index_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick()
    s = b.shape(x)
    if not s:
        return (x,), {"index": b.draw(st.sampled_from([(), None, Ellipsis]))}
    kind = b.draw(st.sampled_from(["basic", "basic", "integers", "mask"]))
    if kind == "integers":  # fancy indexing along one axis; repeated indices add up
        axis = b.draw(st.integers(0, len(s) - 1))
        n = s[axis]
        picks = b.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4))
        return (x,), {"index": (slice(None),) * axis + (np.array(picks),)}
    if kind == "mask":
        mask = b.draw(arrays(np.bool_, s))
        mask.flat[b.draw(st.integers(0, mask.size - 1))] = True
        return (x,), {"index": mask}
    parts: list[Any] = []
    for n in s:
        choice = b.draw(st.sampled_from(["all", "slice", "int"]))
        if choice == "all":
            parts.append(slice(None))
        elif choice == "int":
            parts.append(b.draw(st.integers(-n, n - 1)))
        else:
            step = b.draw(st.sampled_from([1, 2, -1, -2]))
            start = b.draw(st.one_of(st.none(), st.integers(-n, n - 1)))
            stop = b.draw(st.one_of(st.none(), st.integers(-n - 1, n)))
            part = slice(start, stop, step)
            parts.append(part if len(range(*part.indices(n))) else slice(None, None, step))
    if b.draw(st.booleans()):
        parts.insert(b.draw(st.integers(0, len(parts))), None)
    if b.draw(st.booleans()) and parts[-1] == slice(None):
        parts[-1] = Ellipsis
    return (x,), {"index": tuple(parts)}


def _scatter_plan(b: Builder) -> tuple[tuple, dict]:
    """x added into zeros of a larger shape, at a slice or at (repeated) integer indices."""
    x = b.pick(lambda s: len(s) >= 1)
    s = b.shape(x)
    axis = b.draw(st.integers(0, len(s) - 1))
    full = list(s)
    full[axis] += b.draw(st.integers(0, 2))
    if b.draw(st.booleans()):
        start = b.draw(st.integers(0, full[axis] - s[axis]))
        where: Any = slice(start, start + s[axis])
    else:
        where = np.array(b.draw(st.lists(st.integers(0, full[axis] - 1), min_size=s[axis],
                                         max_size=s[axis])))
    return (x,), {"shape": tuple(full), "index": (slice(None),) * axis + (where,)}


def _scatter_add(x, shape, index):
    return apply(shape_ops.ScatterAdd, (x,), shape, index)


def _np_scatter_add(x, shape, index):
    full = np.zeros(shape)
    np.add.at(full, index, x)
    return full


def _concatenate_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick(lambda s: len(s) >= 1)
    s = b.shape(x)
    axis = b.draw(st.integers(-len(s), len(s) - 1))
    operands: list[Any] = [x]
    for _ in range(b.draw(st.integers(1, 2))):
        if b.draw(st.booleans()):
            operands.append(x)  # the same node twice
        else:
            other = list(s)
            other[axis] = b.size()
            operands.append(b.operand(tuple(other)))
    order = b.draw(st.permutations(range(len(operands))))
    return tuple(operands[i] for i in order), {"axis": axis}


def _stack_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick()
    s = b.shape(x)
    operands = [x] + [
        x if b.draw(st.booleans()) else b.operand(s) for _ in range(b.draw(st.integers(1, 2)))
    ]
    order = b.draw(st.permutations(range(len(operands))))
    axis = b.draw(st.integers(-len(s) - 1, len(s)))
    return tuple(operands[i] for i in order), {"axis": axis}


def _broadcast_to_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick()
    target = tuple(b.size() if n == 1 and b.draw(st.booleans()) else n for n in b.shape(x))
    lead = tuple(b.size() for _ in range(b.draw(st.integers(0, 1))))
    return (x,), {"shape": lead + target}


def _widened(x):
    """x in a wider float and back: exact, so the gradient must be exact too."""
    wide = np.float64 if x.dtype == np.float32 else np.longdouble
    return x.astype(wide).astype(x.dtype)


_HAS_LONGDOUBLE = np.dtype(np.longdouble) != np.dtype(np.float64)


def _dense_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.matrix(b.pick())
    rows, cols = b.shape(x)
    if b.draw(st.booleans()):  # x is A^[l-1] (n_in, m): a new W (n_out, n_in)
        n_out, m = b.size(), cols
        W, A = b.leaf((n_out, rows)), x
    else:  # x is W (n_out, n_in): a new A (n_in, m)
        n_out, m = rows, b.size()
        W, A = x, b.operand((cols, m))
    bias = b.draw(st.sampled_from([(n_out, 1), (n_out, 1), (n_out, m), (1, m), (1, 1), (m,), ()]))
    return (W, A, b.operand(bias)), {}


def _cost_plan(probabilities: bool, one_hot: bool = False):
    def plan(b: Builder) -> tuple[tuple, dict]:
        z = b.matrix(b.pick())
        if probabilities:
            z = b.add("sigmoid", (z,), {})
        s = b.shape(z)
        if one_hot and b.draw(st.booleans()):
            labels = b.draw(arrays(np.int64, (s[1],), elements=st.integers(0, s[0] - 1)))
            return (z, Const(np.eye(s[0])[:, labels])), {}
        return (z, b.operand(s, 0.0, 1.0)), {}

    return plan


def _np_bce(A, Y):
    return -(Y * np.log(A) + (1 - Y) * np.log(1 - A)).sum() / A.shape[1]


def _np_bce_logits(Z, Y):
    return (np.logaddexp(0, Z) - Y * Z).sum() / Z.shape[1]


def _np_softmax_ce(Z, Y):
    return -(Y * _np_log_softmax(Z, 0)).sum() / Z.shape[1]


def _probabilities_inside(A, Y):
    """A stays clear of the clip(A, ε, 1 - ε) of binary_cross_entropy (a kink), and of
    saturation, where log(1 - A) loses float32's digits (the reason for the logits form)."""
    return bool(np.min(np.minimum(A, 1 - A), initial=1.0) > 1e-3)



# ----- NumPy-native ops (issue 13): einsum, outer, flip, pad, repeat, tile, split, stacks, cumsum

def _einsum_plan(b: Builder) -> tuple[tuple, dict]:
    """Random subscripts on a node: its axes labelled (an axis as long as an earlier one
    may repeat its label: a diagonal), maybe a second operand sharing some labels and
    adding new ones, and an output that keeps, reorders or sums away labels (or none
    given: NumPy's implicit output)."""
    x = b.pick(lambda s: len(s) <= 3)
    letters = iter("abcdefgh")
    length: dict[str, int] = {}
    labels: list[str] = []
    for n in b.shape(x):
        same = [c for c in dict.fromkeys(labels) if length[c] == n]
        if same and b.draw(st.integers(0, 2)) == 0:
            labels.append(b.draw(st.sampled_from(same)))
        else:
            labels.append(next(letters))
            length[labels[-1]] = n
    terms, operands = ["".join(labels)], [x]
    if b.draw(st.booleans()):
        own = list(dict.fromkeys(labels))
        shared = b.draw(st.lists(st.sampled_from(own), unique=True, max_size=3)) if own else []
        new = [next(letters) for _ in range(b.draw(st.integers(0, 3 - len(shared))))]
        for c in new:
            length[c] = b.size()
        other = b.draw(st.permutations(shared + new))
        operands.append(b.operand(tuple(length[c] for c in other)))
        terms.append("".join(other))
        if b.draw(st.booleans()):
            terms.reverse()
            operands.reverse()
    used = list(dict.fromkeys("".join(terms)))
    if b.draw(st.booleans()):
        return tuple(operands), {"subscripts": ",".join(terms)}
    output = b.draw(st.lists(st.sampled_from(used), unique=True)) if used else []
    return tuple(operands), {"subscripts": ",".join(terms) + "->" + "".join(output)}


def _outer_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick(lambda s: int(np.prod(s)) <= 12)
    other = b.operand(tuple(b.size() for _ in range(b.draw(st.integers(0, 2)))))
    return ((x, other) if b.draw(st.booleans()) else (other, x)), {}


def _flip_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick()
    return (x,), {"axis": _axes(b, len(b.shape(x)))}


def _pad_widths(b: Builder, ndim: int) -> Any:
    kind = b.draw(st.sampled_from(["int", "pair", "pairs"] if ndim else ["int", "pair"]))
    width = st.integers(0, 2)
    if kind == "int":
        return b.draw(width)
    if kind == "pair":
        return (b.draw(width), b.draw(width))
    return tuple((b.draw(width), b.draw(width)) for _ in range(ndim))


def _pad_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick()
    value = b.draw(st.sampled_from([0.0, 0.0, -1.5, 2.0]))
    return (x,), {"pad_width": _pad_widths(b, len(b.shape(x))), "constant_values": value}


def _pad_copy_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick()
    mode = b.draw(st.sampled_from(["edge", "reflect", "symmetric", "wrap"]))
    return (x,), {"pad_width": _pad_widths(b, len(b.shape(x))), "mode": mode}


def _repeat_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick(lambda s: int(np.prod(s)) <= 12)
    s = b.shape(x)
    axis = None if not s or b.draw(st.booleans()) else b.draw(st.integers(-len(s), len(s) - 1))
    n = int(np.prod(s)) if axis is None else s[axis]
    if b.draw(st.booleans()):
        repeats: Any = b.draw(st.integers(1, 3))
    else:  # one count per element, some of them 0 (never all)
        repeats = b.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
        repeats[b.draw(st.integers(0, n - 1))] = b.draw(st.integers(1, 2))
    return (x,), {"repeats": repeats, "axis": axis, "method": b.draw(st.booleans())}


def _repeat(x, repeats, axis, method):
    if isinstance(x, al.Tensor) and method:
        return x.repeat(repeats, axis=axis)
    return (al.repeat if isinstance(x, al.Tensor) else np.repeat)(x, repeats, axis=axis)


def _tile_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick(lambda s: int(np.prod(s)) <= 12)
    if b.draw(st.booleans()):
        return (x,), {"reps": b.draw(st.integers(1, 3))}
    count = b.draw(st.integers(0, len(b.shape(x)) + 1))
    return (x,), {"reps": tuple(b.draw(st.integers(1, 2)) for _ in range(count))}


def _split_plan(b: Builder) -> tuple[tuple, dict]:
    """Equal sections or cut points strictly inside the axis (no empty part), and which part."""
    x = b.pick(lambda s: len(s) >= 1)
    s = b.shape(x)
    axis = b.draw(st.integers(-len(s), len(s) - 1))
    n = s[axis]
    if b.draw(st.booleans()):
        sections: Any = b.draw(st.sampled_from([d for d in range(1, n + 1) if n % d == 0]))
        parts = sections
    else:
        sections = sorted(b.draw(st.sets(st.integers(1, n - 1), max_size=2))) if n > 1 else []
        parts = len(sections) + 1
    return (x,), {"sections": sections, "axis": axis, "part": b.draw(st.integers(0, parts - 1))}


def _split(x, sections, axis, part):
    return (al.split if isinstance(x, al.Tensor) else np.split)(x, sections, axis=axis)[part]


def _vstack_plan(b: Builder) -> tuple[tuple, dict]:
    """Operands whose at-least-2-D forms share every axis but the first (numbers and
    vectors included, as rows)."""
    x = b.pick(lambda s: len(s) <= 3)
    s = b.shape(x)
    tail = {0: (1, 1), 1: (1,) + s}.get(len(s), s)[1:]  # np.atleast_2d(x).shape[1:]
    shapes = [(b.size(),) + tail] + ([tail] if len(tail) == 1 else []) + (
        [()] if tail == (1,) else [])
    operands = [x] + [b.operand(b.draw(st.sampled_from(shapes)))
                      for _ in range(b.draw(st.integers(1, 2)))]
    order = b.draw(st.permutations(range(len(operands))))
    return tuple(operands[i] for i in order), {}


def _hstack_plan(b: Builder) -> tuple[tuple, dict]:
    """Numbers and vectors joined end to end, or arrays side by side along axis 1."""
    x = b.pick(lambda s: len(s) <= 3)
    s = b.shape(x)
    operands = [x]
    for _ in range(b.draw(st.integers(1, 2))):
        if len(s) <= 1:
            shape = b.draw(st.sampled_from([(b.size(),), ()]))
        else:
            shape = s[:1] + (b.size(),) + s[2:]
        operands.append(b.operand(shape))
    order = b.draw(st.permutations(range(len(operands))))
    return tuple(operands[i] for i in order), {}


def _cumsum_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick()
    ndim = len(b.shape(x))
    axis = None if not ndim or b.draw(st.booleans()) else b.draw(st.integers(-ndim, ndim - 1))
    return (x,), {"axis": axis, "method": b.draw(st.booleans())}


def _cumsum(x, axis, method):
    if isinstance(x, al.Tensor) and method:
        return x.cumsum(axis=axis)
    return (al.cumsum if isinstance(x, al.Tensor) else np.cumsum)(x, axis=axis)


SPLIT = [1, 4]  # the cut points of the split examples: parts of 1, 3 and the rest
# ----- NumPy-native ops (issue 13, ops-a): twins from the definitions, plans, kinks

def _np_logsumexp(x, axis=None, keepdims=False):
    """log Σ e^x as written (the fuzzed values stay below 10, far from overflow)."""
    return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))


def _spread_ok(x, axis, ddof, margin, single_ok):
    """Every group has N - ddof > 0 and a variance that float32 can resolve: at least
    ``margin`` (1 + the largest x²) (or a single value, var exactly 0, where ``single_ok``)."""
    x = np.asarray(x)
    axes = _normal_axes(axis, x.ndim)
    count = int(np.prod([x.shape[a] for a in axes]))
    if count - ddof <= 0:
        return False
    if count == 1:
        return single_ok
    spread = np.var(x, axis=axes, ddof=ddof)
    scale = 1.0 + np.max(x * x, axis=axes)
    return bool(np.all(spread >= margin * scale))


def _var_plan(b: Builder) -> tuple[tuple, dict]:
    (x,), params = _reduce_plan(b)
    return (x,), {**params, "ddof": b.draw(st.sampled_from([0, 1]))}


def _squeeze_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick()
    s = b.shape(x)
    ones = [a for a, n in enumerate(s) if n == 1]
    if not ones or b.draw(st.booleans()):
        return (x,), {"axis": None, "method": b.draw(st.booleans())}
    axes = b.draw(st.lists(st.sampled_from(ones), unique=True))
    axes = [a - len(s) if b.draw(st.booleans()) else a for a in axes]
    axis: Any = axes[0] if len(axes) == 1 and b.draw(st.booleans()) else tuple(axes)
    return (x,), {"axis": axis, "method": b.draw(st.booleans())}


def _squeeze(x, axis, method):
    if isinstance(x, al.Tensor) and not method:
        return al.squeeze(x, axis)
    return x.squeeze(axis)


def _expand_dims_plan(b: Builder) -> tuple[tuple, dict]:
    x = b.pick(lambda s: len(s) <= 2)
    ndim = len(b.shape(x))
    if b.draw(st.booleans()):
        return (x,), {"axis": b.draw(st.integers(-ndim - 1, ndim))}
    axes = b.draw(st.lists(st.integers(0, ndim + 1), min_size=2, max_size=2, unique=True))
    return (x,), {"axis": tuple(a - ndim - 2 if b.draw(st.booleans()) else a for a in axes)}


def _one_axis_plan(b: Builder) -> tuple[tuple, dict]:
    # "A" and "K" follow the memory layout, which the twin's arrays need not share.
    return (b.pick(),), {"order": b.draw(st.sampled_from("CF")),
                         "how": b.draw(st.sampled_from(["ravel", "flatten", "method"]))}


def _one_axis(x, order, how):
    if not isinstance(x, al.Tensor):
        return np.ravel(x, order=order)
    if how == "method":
        return x.flatten(order)
    return (al.ravel if how == "ravel" else al.flatten)(x, order)



_FUSED = ("a fused layer or cost: checked against the course's formulas and two-sided "
          "differences in tests/test_losses.py")


# ============================================================ the table

TABLE: list[Row] = [
    # ----- add / sub / mul / div: same shape, bias (n,1)+(n,m), scalar, rank-1 (m,), outer
    Row(elementwise.Add, examples=[
        Example("add", lambda a, b: a + b, np.add, inputs(normal(3, 4), normal(3, 4))),
        Example("add-bias", lambda a, b: a + b, np.add, inputs(normal(3, 4), normal(3, 1))),
        Example("add-scalar", lambda a, b: a + b, np.add, inputs(normal(), normal(3, 4))),
        Example("add-rank1", lambda a, b: a + b, np.add, inputs(normal(4), normal(3, 4))),
        Example("add-outer", lambda a, b: a + b, np.add, inputs(normal(1, 4), normal(3, 1))),
        Example("add-3d", lambda a, b: al.Tensor.__add__(a, b), np.add,
                inputs(normal(2, 1, 4), normal(3, 1))),
        Example("add-number", lambda a: 2.5 + a, lambda a: 2.5 + a, inputs(normal(3, 4))),
        Example("add-ndarray-left", lambda a: CONST64 + a, lambda a: CONST64 + a,
                inputs(normal(3, 4))),
    ], fuzz=[binary("add", lambda a, b: a + b, np.add)]),
    Row(elementwise.Sub, examples=[
        Example("sub", lambda a, b: a - b, np.subtract, inputs(normal(3, 4), normal(3, 4))),
        Example("sub-bias", lambda a, b: a - b, np.subtract, inputs(normal(3, 1), normal(3, 4))),
        Example("sub-scalar", lambda a, b: a - b, np.subtract, inputs(normal(3, 4), normal())),
        Example("sub-rank1", lambda a, b: a - b, np.subtract, inputs(normal(3, 4), normal(4))),
        Example("rsub-number", lambda a: 1.0 - a, lambda a: 1.0 - a, inputs(normal(3, 4))),
    ], fuzz=[binary("sub", lambda a, b: a - b, np.subtract)]),
    Row(elementwise.Mul, examples=[
        Example("mul", lambda a, b: a * b, np.multiply, inputs(normal(3, 4), normal(3, 4))),
        Example("mul-bias", lambda a, b: a * b, np.multiply, inputs(normal(3, 4), normal(3, 1))),
        Example("mul-scalar", lambda a, b: a * b, np.multiply, inputs(normal(), normal(3, 4))),
        Example("mul-rank1", lambda a, b: a * b, np.multiply,
                inputs(normal(4), normal(2, 3, 4))),
        Example("mul-self", lambda a: a * a, lambda a: a * a, inputs(normal(3, 4))),
        Example("mul-ndarray-left", lambda a: CONST64 * a, lambda a: CONST64 * a,
                inputs(normal(3, 4))),
    ], fuzz=[binary("mul", lambda a, b: a * b, np.multiply)]),
    Row(elementwise.Div, examples=[
        Example("div", lambda a, b: a / b, np.divide, inputs(normal(3, 4), positive(3, 4))),
        Example("div-bias", lambda a, b: a / b, np.divide, inputs(normal(3, 4), positive(3, 1))),
        Example("div-scalar", lambda a, b: a / b, np.divide, inputs(normal(3, 4), positive())),
        Example("div-rank1", lambda a, b: a / b, np.divide, inputs(normal(4), positive(3, 4))),
        Example("rdiv-number", lambda a: 1.0 / a, lambda a: 1.0 / a, inputs(positive(3, 4))),
    ], fuzz=[binary("div", lambda a, b: a / (b * b + 0.5), lambda a, b: a / (b * b + 0.5))]),
    Row(elementwise.Neg, examples=[
        Example("neg", lambda a: -a, np.negative, inputs(normal(3, 4))),
    ], fuzz=[unary("neg", lambda t: -t, lambda x: -x)]),
    # ----- powers: constant exponent, tensor exponent (positive base), rpow
    Row(elementwise.Pow, examples=[
        Example("pow-2", lambda a: a**2, lambda a: a**2, inputs(normal(3, 4))),
        Example("pow-3", lambda a: a**3, lambda a: a**3, inputs(normal(3, 4))),
        Example("pow-half", lambda a: a**0.5, lambda a: a**0.5, inputs(positive(3, 4))),
        Example("pow-neg", lambda a: a**-1.5, lambda a: a**-1.5, inputs(positive(3, 4))),
        Example("pow-np-float", lambda a: a ** np.float64(2.5), lambda a: a**2.5,
                inputs(positive(3, 4))),
        Example("pow-tensor", lambda a, b: a**b, np.power, inputs(positive(3, 4), normal(3, 4))),
        Example("pow-tensor-bias", lambda a, b: a**b, np.power,
                inputs(positive(3, 4), normal(3, 1))),
        Example("pow-tensor-scalar", lambda a, b: a**b, np.power,
                inputs(positive(3, 4), normal())),
        Example("pow-self", lambda a: a**a, lambda a: a**a, inputs(positive(3, 4))),
        Example("rpow-2", lambda a: 2**a, lambda a: 2.0**a, inputs(normal(3, 4))),
        Example("rpow-e", lambda a: np.e**a, lambda a: np.e**a, inputs(normal(3, 4))),
    ], fuzz=[
        unary("square", lambda t: t**2, lambda x: x**2),
        unary("cube", lambda t: t**3, lambda x: x**3),
        unary("rpow", lambda t: 2**t, lambda x: 2.0**x),
        binary("pow", lambda a, b: (a * a + 0.5) ** b, lambda a, b: (a * a + 0.5) ** b),
        FuzzOp("pow_const", lambda x, p: (x * x + 0.5) ** p, lambda x, p: (x * x + 0.5) ** p,
               lambda b: ((b.pick(),), {"p": b.draw(st.sampled_from([0.5, -1, -1.5, 3]))}),
               bound=MODERATE),
    ]),
    # ----- elementwise functions
    Row(elementwise.Exp, examples=[
        Example("exp", al.exp, np.exp, inputs(normal(3, 4))),
        Example("exp-method", lambda a: a.exp(), np.exp, inputs(normal(3, 4))),
    ], fuzz=[unary("exp", al.exp, np.exp)]),
    Row(elementwise.Log, examples=[
        Example("log", al.log, np.log, inputs(positive(3, 4))),
        Example("log-method", lambda a: a.log(), np.log, inputs(positive(3, 4))),
    ], fuzz=[unary("log", lambda t: al.log(t * t + 0.5), lambda x: np.log(x * x + 0.5))]),
    Row(elementwise.Log1p, examples=[
        Example("log1p", al.ops.log1p, np.log1p, inputs(positive(3, 4))),
    ], fuzz=[unary("log1p", lambda t: al.ops.log1p(t * t), lambda x: np.log1p(x * x))]),
    Row(elementwise.Square, examples=[
        Example("square", al.ops.square, np.square, inputs(normal(3, 4))),
    ], fuzz=[unary("square_op", al.ops.square, np.square)]),
    Row(elementwise.Expm1, examples=[
        Example("expm1", al.expm1, np.expm1, inputs(normal(3, 4))),
        Example("expm1-tiny", al.expm1, np.expm1, inputs(lambda r: 1e-9 * r.standard_normal(4))),
    ], fuzz=[unary("expm1", al.expm1, np.expm1)]),
    Row(elementwise.Sin, examples=[
        Example("sin", al.sin, np.sin, inputs(normal(3, 4))),
    ], fuzz=[unary("sin", al.sin, np.sin)]),
    Row(elementwise.Cos, examples=[
        Example("cos", al.cos, np.cos, inputs(normal(3, 4))),
    ], fuzz=[unary("cos", al.cos, np.cos)]),
    Row(elementwise.Sign, examples=[
        # away from 0, where sign jumps (tests/test_ops_numpy.py checks sign(0) = 0)
        Example("sign", al.sign, np.sign, inputs(nonzero(3, 4))),
        Example("sign-times", lambda a, b: al.sign(a) * b, lambda a, b: np.sign(a) * b,
                inputs(nonzero(3, 4), normal(3, 4))),
    ], fuzz=[unary("sign", al.sign, np.sign, kink=np.abs)]),
    Row(elementwise.Sqrt, examples=[
        Example("sqrt", al.sqrt, np.sqrt, inputs(positive(3, 4))),
        Example("sqrt-method", lambda a: a.sqrt(), np.sqrt, inputs(positive(3, 4))),
    ], fuzz=[unary("sqrt", lambda t: (t * t + 0.5).sqrt(), lambda x: np.sqrt(x * x + 0.5))]),
    Row(elementwise.Abs, examples=[
        Example("abs", al.abs, np.abs, inputs(nonzero(3, 4))),
        Example("abs-method", lambda a: a.abs(), np.abs, inputs(nonzero(3, 4))),
    ], fuzz=[unary("abs", al.abs, np.abs, kink=np.abs)]),
    Row(activations.Tanh, examples=[
        Example("tanh", al.tanh, np.tanh, inputs(normal(3, 4))),
        Example("tanh-method", lambda a: a.tanh(), np.tanh, inputs(normal(3, 4))),
    ], fuzz=[unary("tanh", al.tanh, np.tanh)]),
    Row(activations.Sigmoid, examples=[
        Example("sigmoid", al.sigmoid, lambda a: 1 / (1 + np.exp(-a)),
                inputs(lambda r: 4 * r.standard_normal((3, 4)))),
        Example("sigmoid-method", lambda a: a.sigmoid(), lambda a: 1 / (1 + np.exp(-a)),
                inputs(normal(3, 4))),
    ], fuzz=[unary("sigmoid", al.sigmoid, lambda x: 1 / (1 + np.exp(-x)))]),
    Row(activations.Relu, examples=[
        Example("relu", al.relu, lambda a: np.maximum(a, 0), inputs(nonzero(3, 4))),
        Example("relu-method", lambda a: a.relu(), lambda a: np.maximum(a, 0),
                inputs(nonzero(3, 4))),
    ], fuzz=[unary("relu", al.relu, lambda x: np.maximum(x, 0), kink=np.abs)]),
    Row(activations.LeakyRelu, examples=[
        Example("leaky_relu", al.leaky_relu, lambda a: np.where(a > 0, a, 0.01 * a),
                inputs(nonzero(3, 4))),
        Example("leaky_relu-0.2", lambda a: al.leaky_relu(a, slope=0.2),
                lambda a: np.where(a > 0, a, 0.2 * a), inputs(nonzero(3, 4))),
    ], fuzz=[unary("leaky_relu", al.leaky_relu, lambda x: np.where(x > 0, x, 0.01 * x),
                   kink=np.abs)]),
    # ----- maximum, minimum, where, clip
    Row(elementwise.Maximum, examples=[
        Example("maximum", al.maximum, np.maximum, apart((3, 4), (3, 4))),
        Example("maximum-bias", al.maximum, np.maximum, apart((3, 4), (3, 1))),
        Example("maximum-bias-left", al.maximum, np.maximum, apart((3, 4), (3, 1), swap=True)),
        Example("maximum-zero", lambda a: al.maximum(a, 0.0), lambda a: np.maximum(a, 0.0),
                inputs(nonzero(3, 4))),
    ], fuzz=[binary("maximum", al.maximum, np.maximum, kink=lambda a, b: np.abs(a - b))]),
    Row(elementwise.Minimum, examples=[
        Example("minimum", al.minimum, np.minimum, apart((3, 4), (3, 4))),
        Example("minimum-rank1", al.minimum, np.minimum, apart((3, 4), (4,), swap=True)),
        Example("minimum-number", lambda a: al.minimum(1.0, a), lambda a: np.minimum(1.0, a),
                inputs(lambda r: 1.0 + nonzero(3, 4)(r))),
    ], fuzz=[binary("minimum", al.minimum, np.minimum, kink=lambda a, b: np.abs(a - b))]),
    Row(elementwise.Where, examples=[
        Example("where", lambda a, b: al.where(COND, a, b), lambda a, b: np.where(COND, a, b),
                inputs(normal(3, 4), normal(3, 4))),
        Example("where-broadcast", lambda a, b: al.where(COND, a, b),
                lambda a, b: np.where(COND, a, b), inputs(normal(3, 1), normal())),
        Example("where-constant", lambda a: al.where(COND, a, 0.0),
                lambda a: np.where(COND, a, 0.0), inputs(normal(4))),
    ], fuzz=[binary("where", lambda a, b: al.where(a > 0, a, b),
                    lambda a, b: np.where(a > 0, a, b), kink=lambda a, b: np.abs(a))]),
    Row(elementwise.Clip, examples=[
        Example("clip", lambda a: al.clip(a, -0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5),
                inputs(clip_safe(3, 4))),
        Example("clip-high", lambda a: al.clip(a, None, 0.5), lambda a: np.minimum(a, 0.5),
                inputs(clip_safe(3, 4))),
        Example("clip-low", lambda a: al.clip(a, -0.5, None), lambda a: np.maximum(a, -0.5),
                inputs(clip_safe(3, 4))),
    ], fuzz=[unary("clip", lambda t: al.clip(t, -1.0, 1.0), lambda x: np.clip(x, -1.0, 1.0),
                   kink=lambda x: np.minimum(np.abs(x - 1), np.abs(x + 1)))]),
    # ----- matrix products
    Row(linalg.MatMul, examples=[
        Example("matmul", lambda a, b: a @ b, np.matmul, inputs(normal(3, 4), normal(4, 5))),
        Example("matmul-fn", al.matmul, np.matmul, inputs(normal(3, 4), normal(4, 5))),
        Example("matmul-1d-2d", lambda a, b: a @ b, np.matmul, inputs(normal(4), normal(4, 5))),
        Example("matmul-2d-1d", lambda a, b: a @ b, np.matmul, inputs(normal(3, 4), normal(4))),
        Example("matmul-1d-1d", lambda a, b: a @ b, np.matmul, inputs(normal(4), normal(4))),
        Example("matmul-3d-2d", lambda a, b: a @ b, np.matmul,
                inputs(normal(2, 3, 4), normal(4, 5))),
        Example("matmul-2d-3d", lambda a, b: a @ b, np.matmul,
                inputs(normal(3, 4), normal(2, 4, 5))),
        Example("matmul-batch-broadcast", lambda a, b: a @ b, np.matmul,
                inputs(normal(2, 1, 3, 4), normal(3, 4, 2))),
        Example("matmul-1d-3d", lambda a, b: a @ b, np.matmul,
                inputs(normal(4), normal(2, 4, 5))),
        Example("matmul-3d-1d", lambda a, b: a @ b, np.matmul,
                inputs(normal(2, 3, 4), normal(4))),
        Example("matmul-ndarray-left", lambda b: CONST64 @ b, lambda b: CONST64 @ b,
                inputs(normal(4, 2))),
        Example("dot", al.dot, np.dot, inputs(normal(3, 4), normal(4, 5))),
        Example("dot-1d", al.dot, np.dot, inputs(normal(4), normal(4))),
        Example("dot-2d-1d", al.dot, np.dot, inputs(normal(3, 4), normal(4))),
    ], fuzz=[
        FuzzOp("matmul", lambda a, c: a @ c, np.matmul, _matmul_plan),
        FuzzOp("gram", _gram, _gram, lambda b: ((b.pick(lambda s: len(s) >= 1),), {})),
        FuzzOp("dot", al.dot, np.dot, _dot_plan),
    ]),
    Row(linalg.Einsum, examples=[
        Example("einsum-matmul", lambda a, b: al.einsum("ij,jk->ik", a, b),
                lambda a, b: np.einsum("ij,jk->ik", a, b), inputs(normal(3, 4), normal(4, 5))),
        Example("einsum-batch", lambda a, b: al.einsum("bij,bjk->bik", a, b),
                lambda a, b: np.einsum("bij,bjk->bik", a, b),
                inputs(normal(2, 3, 4), normal(2, 4, 2))),
        Example("einsum-trace", lambda a: al.einsum("ii->", a), np.trace, inputs(normal(3, 3))),
        Example("einsum-diagonal", lambda a: al.einsum("ii->i", a), np.diag,
                inputs(normal(3, 3))),
        Example("einsum-outer", lambda a, b: al.einsum("i,j->ij", a, b), np.outer,
                inputs(normal(3), normal(4))),
        Example("einsum-implicit", lambda a, b: al.einsum("ij,jk", a, b), np.matmul,
                inputs(normal(3, 4), normal(4, 2))),
        Example("einsum-implicit-order", lambda a, b: al.einsum("ba,Bb", a, b),
                lambda a, b: np.einsum("ba,Bb", a, b), inputs(normal(3, 4), normal(2, 3))),
        Example("einsum-sum", lambda a: al.einsum("ij->", a), np.sum, inputs(normal(3, 4))),
        Example("einsum-row-sums", lambda a: al.einsum("ij->i", a),
                lambda a: a.sum(axis=1), inputs(normal(3, 4))),
        Example("einsum-transpose", lambda a: al.einsum("ijk->kij", a),
                lambda a: np.transpose(a, (2, 0, 1)), inputs(normal(2, 3, 4))),
        Example("einsum-ellipsis", lambda a, b: al.einsum("...ij,...jk->...ik", a, b),
                np.matmul, inputs(normal(2, 3, 4), normal(4, 2))),
        Example("einsum-broadcast-1", lambda a, b: al.einsum("ij,j->ij", a, b),
                lambda a, b: a * b, inputs(normal(3, 1), normal(4))),
        Example("einsum-chain", lambda a, b, c: al.einsum("ij,jk,kl->il", a, b, c),
                lambda a, b, c: a @ b @ c, inputs(normal(2, 3), normal(3, 4), normal(4, 2))),
        Example("einsum-diagonal-times", lambda a, b: al.einsum("ii,ij->j", a, b),
                lambda a, b: np.diag(a) @ b, inputs(normal(3, 3), normal(3, 2))),
        Example("einsum-self", lambda a: al.einsum("ij,ij->", a, a), lambda a: np.sum(a * a),
                inputs(normal(3, 4))),
        Example("einsum-constant", lambda a: al.einsum("ij,jk->ik", CONST64, a),
                lambda a: CONST64 @ a, inputs(normal(4, 2))),
        Example("einsum-sublist", lambda a, b: al.einsum(a, [0, 1], b, [1, 2], [0, 2]),
                np.matmul, inputs(normal(3, 4), normal(4, 2))),
        Example("outer", al.outer, np.outer, inputs(normal(3), normal(4))),
        Example("outer-flattens", al.outer, np.outer, inputs(normal(2, 2), normal(3))),
    ], fuzz=[
        FuzzOp("einsum", lambda *xs, subscripts: al.einsum(subscripts, *xs),
               lambda *xs, subscripts: np.einsum(subscripts, *xs), _einsum_plan),
        FuzzOp("outer", al.outer, np.outer, _outer_plan),
    ]),
    # ----- reductions: axis None / int / negative / tuple, keepdims
    Row(reductions.Sum, examples=[
        Example("sum", al.sum, np.sum, inputs(normal(3, 4))),
        Example("sum-0", lambda a: al.sum(a, axis=0), lambda a: a.sum(axis=0),
                inputs(normal(3, 4))),
        Example("sum-1", lambda a: a.sum(axis=1), lambda a: a.sum(axis=1), inputs(normal(3, 4))),
        Example("sum--1-keepdims", lambda a: a.sum(axis=-1, keepdims=True),
                lambda a: a.sum(axis=-1, keepdims=True), inputs(normal(3, 4))),
        Example("sum-tuple", lambda a: a.sum(axis=(0, 2)), lambda a: a.sum(axis=(0, 2)),
                inputs(normal(2, 3, 4))),
        Example("sum-None-keepdims", lambda a: a.sum(keepdims=True),
                lambda a: a.sum(keepdims=True), inputs(normal(3, 4))),
    ], fuzz=[
        unary("sum_last", lambda t: t.sum(axis=-1, keepdims=True),
              lambda x: x.sum(axis=-1, keepdims=True), min_ndim=1),
        unary("sum_all", lambda t: al.sum(t, keepdims=True), lambda x: x.sum(keepdims=True)),
        FuzzOp("sum", lambda x, axis, keepdims: al.sum(x, axis=axis, keepdims=keepdims),
               lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims),
               _reduce_plan),
    ]),
    Row(reductions.Mean, examples=[
        Example("mean", al.mean, np.mean, inputs(normal(3, 4))),
        Example("mean-0", lambda a: al.mean(a, axis=0), lambda a: a.mean(axis=0),
                inputs(normal(3, 4))),
        Example("mean-1-keepdims", lambda a: a.mean(axis=1, keepdims=True),
                lambda a: a.mean(axis=1, keepdims=True), inputs(normal(3, 4))),
        Example("mean-tuple", lambda a: a.mean(axis=(0, 2), keepdims=True),
                lambda a: a.mean(axis=(0, 2), keepdims=True), inputs(normal(2, 3, 4))),
    ], fuzz=[
        unary("mean_first", lambda t: t.mean(axis=0, keepdims=True),
              lambda x: x.mean(axis=0, keepdims=True), min_ndim=1),
        FuzzOp("mean", lambda x, axis, keepdims: x.mean(axis=axis, keepdims=keepdims),
               lambda x, axis, keepdims: np.mean(x, axis=axis, keepdims=keepdims),
               _reduce_plan),
    ]),
    Row(reductions.Max, examples=[
        Example("max", al.max, np.max, inputs(distinct(3, 4))),
        Example("max-0", lambda a: al.max(a, axis=0), lambda a: a.max(axis=0),
                inputs(distinct(3, 4))),
        Example("max-1", lambda a: a.max(axis=1), lambda a: a.max(axis=1),
                inputs(distinct(3, 4))),
        Example("max-1-keepdims", lambda a: a.max(axis=1, keepdims=True),
                lambda a: a.max(axis=1, keepdims=True), inputs(distinct(3, 4))),
        Example("max-tuple", lambda a: a.max(axis=(0, 2)), lambda a: a.max(axis=(0, 2)),
                inputs(distinct(2, 3, 4))),
        Example("max-None-keepdims", lambda a: a.max(keepdims=True),
                lambda a: a.max(keepdims=True), inputs(distinct(3, 4))),
    ], fuzz=[
        unary("max_last", lambda t: t.max(axis=-1, keepdims=True),
              lambda x: x.max(axis=-1, keepdims=True), kink=lambda x: _top_two_gap(x),
              min_ndim=1),
        FuzzOp("max", lambda x, axis, keepdims: al.max(x, axis=axis, keepdims=keepdims),
               lambda x, axis, keepdims: np.max(x, axis=axis, keepdims=keepdims),
               _reduce_plan,
               lambda x, axis, keepdims: bool(
                   np.min(_max_gap(np.asarray(x), axis), initial=np.inf) > KINK_MARGIN)),
    ]),
    Row(reductions.Min, examples=[
        Example("min", al.ops.min, np.min, inputs(distinct(3, 4))),
        Example("min-1-keepdims", lambda a: al.ops.min(a, axis=1, keepdims=True),
                lambda a: a.min(axis=1, keepdims=True), inputs(distinct(3, 4))),
        Example("min-tuple", lambda a: al.ops.min(a, axis=(0, 2)), lambda a: a.min(axis=(0, 2)),
                inputs(distinct(2, 3, 4))),
        Example("min-method--1", lambda a: a.min(axis=-1), lambda a: a.min(axis=-1),
                inputs(distinct(3, 4))),
    ], fuzz=[
        FuzzOp("min", lambda x, axis, keepdims: al.ops.min(x, axis=axis, keepdims=keepdims),
               lambda x, axis, keepdims: np.min(x, axis=axis, keepdims=keepdims),
               _reduce_plan,
               lambda x, axis, keepdims: bool(
                   np.min(_max_gap(-np.asarray(x), axis), initial=np.inf) > KINK_MARGIN)),
    ]),
    Row(reductions.Cumsum, examples=[
        Example("cumsum", al.cumsum, np.cumsum, inputs(normal(3, 4))),
        Example("cumsum-0", lambda a: al.cumsum(a, axis=0), lambda a: np.cumsum(a, axis=0),
                inputs(normal(3, 4))),
        Example("cumsum--1-method", lambda a: a.cumsum(axis=-1),
                lambda a: np.cumsum(a, axis=-1), inputs(normal(3, 4))),
        Example("cumsum-3d", lambda a: a.cumsum(1), lambda a: np.cumsum(a, 1),
                inputs(normal(2, 3, 4))),
    ], fuzz=[FuzzOp("cumsum", _cumsum, _cumsum, _cumsum_plan)]),
    Row(reductions.Prod, examples=[
        Example("prod", al.prod, np.prod, inputs(nonzero(3, 4))),
        Example("prod-1-zeros", lambda a: al.prod(a, axis=1), lambda a: np.prod(a, axis=1),
                inputs(with_zeros(3, 4))),
        Example("prod-method--1-keepdims-zeros", lambda a: a.prod(axis=-1, keepdims=True),
                lambda a: a.prod(axis=-1, keepdims=True), inputs(with_zeros(2, 3, 4))),
        Example("prod-tuple", lambda a: al.prod(a, axis=(0, -1)),
                lambda a: a.prod(axis=(0, 2)), inputs(nonzero(2, 3, 4))),
        Example("prod-None-one-zero", al.prod, np.prod,
                inputs(lambda r: np.where(np.arange(6).reshape(2, 3) == 4, 0.0,
                                          nonzero(2, 3)(r)))),
    ], fuzz=[
        FuzzOp("prod", lambda x, axis, keepdims: al.prod(x, axis, keepdims=keepdims),
               lambda x, axis, keepdims: np.prod(x, axis=axis, keepdims=keepdims),
               _reduce_plan, bound=MODERATE),
    ]),
    Row(reductions.Var, examples=[
        Example("var", al.var, np.var, inputs(normal(3, 4))),
        Example("var-1-ddof1", lambda a: al.var(a, axis=1, ddof=1),
                lambda a: np.var(a, axis=1, ddof=1), inputs(normal(3, 4))),
        Example("var-method--1-keepdims", lambda a: a.var(axis=-1, keepdims=True),
                lambda a: a.var(axis=-1, keepdims=True), inputs(normal(3, 4))),
        Example("var-tuple-ddof1", lambda a: a.var(axis=(0, -1), ddof=1),
                lambda a: a.var(axis=(0, 2), ddof=1), inputs(normal(2, 3, 4))),
    ], fuzz=[
        FuzzOp("var", lambda x, axis, keepdims, ddof: al.var(x, axis, ddof=ddof,
                                                             keepdims=keepdims),
               lambda x, axis, keepdims, ddof: np.var(x, axis=axis, ddof=ddof,
                                                      keepdims=keepdims),
               _var_plan, lambda x, axis, keepdims, ddof: _spread_ok(x, axis, ddof, 1e-3, True),
               bound=MODERATE),
    ]),
    Row(reductions.Std, examples=[
        Example("std", al.std, np.std, inputs(normal(3, 4))),
        Example("std-0-ddof1-keepdims", lambda a: a.std(axis=0, ddof=1, keepdims=True),
                lambda a: np.std(a, axis=0, ddof=1, keepdims=True), inputs(normal(3, 4))),
        Example("std-tuple", lambda a: al.std(a, axis=(-1, 0)), lambda a: np.std(a, axis=(0, 2)),
                inputs(normal(2, 3, 4))),
    ], fuzz=[
        # away from σ = 0, its kink
        FuzzOp("std", lambda x, axis, keepdims, ddof: x.std(axis, ddof=ddof, keepdims=keepdims),
               lambda x, axis, keepdims, ddof: np.std(x, axis=axis, ddof=ddof,
                                                      keepdims=keepdims),
               _var_plan, lambda x, axis, keepdims, ddof: _spread_ok(x, axis, ddof, 1e-2, False),
               bound=MODERATE),
    ]),
    Row(reductions.LogSumExp, examples=[
        Example("logsumexp", al.logsumexp, _np_logsumexp, inputs(normal(3, 4))),
        Example("logsumexp-0", lambda a: al.logsumexp(a, axis=0),
                lambda a: _np_logsumexp(a, axis=0), inputs(normal(3, 4))),
        Example("logsumexp--1-keepdims", lambda a: al.logsumexp(a, -1, keepdims=True),
                lambda a: _np_logsumexp(a, axis=-1, keepdims=True), inputs(normal(3, 4))),
        Example("logsumexp-tuple", lambda a: al.logsumexp(a, axis=(2, 0)),
                lambda a: _np_logsumexp(a, axis=(0, 2)), inputs(normal(2, 3, 4))),
    ], fuzz=[
        FuzzOp("logsumexp", lambda x, axis, keepdims: al.logsumexp(x, axis, keepdims=keepdims),
               _np_logsumexp, _reduce_plan, bound=MODERATE),
    ]),
    # ----- shape: reshape, transpose, broadcast_to
    Row(shape_ops.Reshape, examples=[
        Example("reshape", lambda a: al.reshape(a, (2, 6)), lambda a: a.reshape(2, 6),
                inputs(normal(3, 4))),
        Example("reshape-method", lambda a: a.reshape(4, -1), lambda a: a.reshape(4, -1),
                inputs(normal(3, 4))),
        Example("reshape-flat", lambda a: a.reshape(-1), lambda a: a.reshape(-1),
                inputs(normal(2, 3, 2))),
    ], fuzz=[
        FuzzOp("reshape", _reshape, _reshape, _reshape_plan),
        # squeeze, expand_dims, flatten and ravel are reshapes (ops/shape.py)
        FuzzOp("squeeze", _squeeze, _squeeze, _squeeze_plan),
        FuzzOp("expand_dims", al.expand_dims, np.expand_dims, _expand_dims_plan),
        FuzzOp("ravel", _one_axis, _one_axis, _one_axis_plan),
    ]),
    Row(shape_ops.Transpose, examples=[
        Example("T", lambda a: a.T, lambda a: a.T, inputs(normal(3, 4))),
        Example("transpose", al.transpose, np.transpose, inputs(normal(2, 3, 4))),
        Example("transpose-axes", lambda a: al.transpose(a, (1, 2, 0)),
                lambda a: np.transpose(a, (1, 2, 0)), inputs(normal(2, 3, 4))),
        Example("transpose-method", lambda a: a.transpose(2, 0, 1),
                lambda a: a.transpose(2, 0, 1), inputs(normal(2, 3, 4))),
        Example("transpose-negative", lambda a: a.transpose((0, -1, -2)),
                lambda a: a.transpose(0, 2, 1), inputs(normal(2, 3, 4))),
    ], fuzz=[FuzzOp("transpose", _transpose, _transpose, _transpose_plan)]),
    Row(shape_ops.BroadcastTo, examples=[
        Example("broadcast_to", lambda a: al.ops.broadcast_to(a, (2, 3, 4)),
                lambda a: np.broadcast_to(a, (2, 3, 4)), inputs(normal(3, 1))),
        Example("broadcast_to-rank1", lambda a: al.ops.broadcast_to(a, (3, 4)),
                lambda a: np.broadcast_to(a, (3, 4)), inputs(normal(4))),
    ], fuzz=[FuzzOp("broadcast_to", al.ops.broadcast_to, np.broadcast_to, _broadcast_to_plan)]),
    Row(shape_ops.Flip, examples=[
        Example("flip", al.flip, np.flip, inputs(normal(3, 4))),
        Example("flip-0", lambda a: al.flip(a, 0), lambda a: np.flip(a, 0), inputs(normal(3, 4))),
        Example("flip--1", lambda a: al.flip(a, axis=-1), lambda a: a[..., ::-1],
                inputs(normal(2, 3, 4))),
        Example("flip-tuple", lambda a: al.flip(a, (0, -1)), lambda a: a[::-1, :, ::-1],
                inputs(normal(2, 3, 4))),
    ], fuzz=[FuzzOp("flip", al.flip, np.flip, _flip_plan)]),
    Row(shape_ops.Pad, examples=[
        Example("pad", lambda a: al.pad(a, 1), lambda a: np.pad(a, 1), inputs(normal(3, 4))),
        Example("pad-pairs", lambda a: al.pad(a, ((1, 2), (0, 3))),
                lambda a: np.pad(a, ((1, 2), (0, 3))), inputs(normal(3, 4))),
        Example("pad-pair", lambda a: al.pad(a, (2, 1)), lambda a: np.pad(a, (2, 1)),
                inputs(normal(2, 3, 2))),
        Example("pad-constant", lambda a: al.pad(a, (0, 2), "constant", constant_values=0.5),
                lambda a: np.pad(a, (0, 2), constant_values=0.5), inputs(normal(3, 4))),
    ], fuzz=[FuzzOp("pad", al.pad, np.pad, _pad_plan)]),
    Row(shape_ops.Repeat, examples=[
        Example("repeat", lambda a: al.repeat(a, 2), lambda a: np.repeat(a, 2),
                inputs(normal(3, 4))),
        Example("repeat-0", lambda a: al.repeat(a, 3, axis=0), lambda a: np.repeat(a, 3, axis=0),
                inputs(normal(3, 4))),
        Example("repeat--1-method", lambda a: a.repeat(2, axis=-1),
                lambda a: a.repeat(2, axis=-1), inputs(normal(2, 3, 4))),
        Example("repeat-each", lambda a: al.repeat(a, [1, 0, 3, 2], axis=1),
                lambda a: np.repeat(a, [1, 0, 3, 2], axis=1), inputs(normal(3, 4))),
        Example("repeat-each-flat", lambda a: a.repeat([2, 0, 1, 3, 1, 1]),
                lambda a: np.repeat(a, [2, 0, 1, 3, 1, 1]), inputs(normal(2, 3))),
    ], fuzz=[FuzzOp("repeat", _repeat, _repeat, _repeat_plan)]),
    Row(shape_ops.Tile, examples=[
        Example("tile", lambda a: al.tile(a, 2), lambda a: np.tile(a, 2), inputs(normal(3, 4))),
        Example("tile-pair", lambda a: al.tile(a, (2, 3)), lambda a: np.tile(a, (2, 3)),
                inputs(normal(3, 4))),
        Example("tile-more-reps", lambda a: al.tile(a, (2, 1, 3)),
                lambda a: np.tile(a, (2, 1, 3)), inputs(normal(3, 4))),
        Example("tile-fewer-reps", lambda a: al.tile(a, (2, 1)), lambda a: np.tile(a, (2, 1)),
                inputs(normal(2, 3, 2))),
    ], fuzz=[FuzzOp("tile", al.tile, np.tile, _tile_plan)]),
    # ----- indexing: slices, ints, integer arrays with repeats, boolean masks
    Row(shape_ops.GetItem, examples=[
        Example("getitem-slices", lambda a: a[1:, ::2], lambda a: a[1:, ::2],
                inputs(normal(3, 4))),
        Example("getitem-int", lambda a: a[1], lambda a: a[1], inputs(normal(3, 4))),
        Example("getitem-int-int", lambda a: a[-1, 2], lambda a: a[-1, 2], inputs(normal(3, 4))),
        Example("getitem-column", lambda a: a[:, 2], lambda a: a[:, 2], inputs(normal(3, 4))),
        Example("getitem-ellipsis-none", lambda a: a[..., None, 1:3],
                lambda a: a[..., None, 1:3], inputs(normal(2, 3, 4))),
        Example("getitem-repeats", lambda a: a[ROWS], lambda a: a[ROWS], inputs(normal(3, 4))),
        Example("getitem-list", lambda a: a[[0, 0, 2]], lambda a: a[[0, 0, 2]],
                inputs(normal(3, 4))),
        Example("getitem-pairs", lambda a: a[ROWS, COLS], lambda a: a[ROWS, COLS],
                inputs(normal(3, 4))),
        Example("getitem-mixed", lambda a: a[1:, ROWS[:2]], lambda a: a[1:, ROWS[:2]],
                inputs(normal(3, 4))),
        Example("getitem-mask", lambda a: a[MASK], lambda a: a[MASK], inputs(normal(3, 4))),
        Example("getitem-row-mask", lambda a: a[:, MASK[0]], lambda a: a[:, MASK[0]],
                inputs(normal(3, 4))),
    ], fuzz=[
        unary("reverse", lambda t: t[..., ::-1], lambda x: x[..., ::-1], min_ndim=1),
        FuzzOp("getitem", lambda x, index: x[index], lambda x, index: x[index], _index_plan),
        # composites made of indexing: split's parts, pad's copying modes
        FuzzOp("split", _split, _split, _split_plan),
        FuzzOp("pad_copy", al.pad, np.pad, _pad_copy_plan),
    ]),
    Row(shape_ops.ScatterAdd, unchecked=(
        "getitem's VJP: recorded by backward(create_graph=True), which every getitem example "
        "runs (tests/test_ops.py)"
    ), fuzz=[
        # The adjoint of indexing (what backward(create_graph=True) records for getitem).
        FuzzOp("scatter_add", _scatter_add, _np_scatter_add, _scatter_plan),
    ]),
    # ----- joining
    Row(shape_ops.Concatenate, examples=[
        Example("concatenate-0", lambda a, b, c: al.concatenate([a, b, c]),
                lambda a, b, c: np.concatenate([a, b, c]),
                inputs(normal(1, 4), normal(3, 4), normal(2, 4))),
        Example("concatenate-1", lambda a, b: al.concatenate((a, b), axis=1),
                lambda a, b: np.concatenate((a, b), axis=1), inputs(normal(3, 2), normal(3, 4))),
        Example("concatenate--1-const", lambda a: al.concatenate([a, CONST64], axis=-1),
                lambda a: np.concatenate([a, CONST64], axis=-1), inputs(normal(3, 2))),
    ], fuzz=[
        FuzzOp("concatenate", lambda *xs, axis: al.concatenate(list(xs), axis=axis),
               lambda *xs, axis: np.concatenate(xs, axis=axis), _concatenate_plan),
        # composites: at least 2-D (1-D) forms, then concatenate
        FuzzOp("vstack", lambda *xs: al.vstack(xs), lambda *xs: np.vstack(xs), _vstack_plan),
        FuzzOp("hstack", lambda *xs: al.hstack(list(xs)), lambda *xs: np.hstack(xs),
               _hstack_plan),
    ]),
    Row(shape_ops.Stack, examples=[
        Example("stack-0", lambda a, b, c: al.stack([a, b, c]),
                lambda a, b, c: np.stack([a, b, c]),
                inputs(normal(3, 4), normal(3, 4), normal(3, 4))),
        Example("stack-1", lambda a, b: al.stack([a, b], axis=1),
                lambda a, b: np.stack([a, b], axis=1), inputs(normal(3, 4), normal(3, 4))),
        Example("stack--1", lambda a, b: al.stack([a, b], axis=-1),
                lambda a, b: np.stack([a, b], axis=-1), inputs(normal(3, 4), normal(3, 4))),
    ], fuzz=[FuzzOp("stack", lambda *xs, axis: al.stack(list(xs), axis=axis),
                    lambda *xs, axis: np.stack(xs, axis=axis), _stack_plan)]),
    # ----- softmax, log_softmax
    Row(activations.Softmax, examples=[
        Example("softmax-0", al.softmax, lambda a: _np_softmax(a, 0), inputs(normal(3, 4))),
        Example("softmax-1", lambda a: al.softmax(a, axis=1), lambda a: _np_softmax(a, 1),
                inputs(normal(3, 4))),
    ], fuzz=[
        unary("softmax_last", lambda t: al.softmax(t, axis=-1),
              lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True), min_ndim=1),
        FuzzOp("softmax", al.softmax, _np_softmax, _axis_plan),
    ]),
    Row(activations.LogSoftmax, examples=[
        Example("log_softmax-0", al.log_softmax, lambda a: _np_log_softmax(a, 0),
                inputs(normal(3, 4))),
        Example("log_softmax-1", lambda a: al.log_softmax(a, axis=1),
                lambda a: _np_log_softmax(a, 1), inputs(normal(3, 4))),
    ], fuzz=[
        unary("log_softmax_first", lambda t: al.log_softmax(t, axis=0),
              lambda x: x - np.log(np.exp(x).sum(axis=0, keepdims=True)), min_ndim=1),
        FuzzOp("log_softmax", al.log_softmax, _np_log_softmax, _axis_plan),
    ]),
    # ----- casts
    Row(elementwise.AsType, unchecked=(
        "a cast changes the dtype, which a float64 difference quotient cannot check "
        "(tests/test_engine.py checks it)"
    ), fuzz=[
        # float64 widens to long double, which some platforms lack: there nothing is recorded
        FuzzOp("cast", _widened, lambda x: x, lambda b: ((b.pick(),), {}),
               records=_HAS_LONGDOUBLE),
    ]),
    # ----- the fused layer and costs (ops/losses.py)
    Row(losses.Linear, unchecked=_FUSED, fuzz=[
        FuzzOp("dense", losses.linear, lambda W, A, bias: W @ A + bias, _dense_plan),
    ]),
    Row(losses.BinaryCrossEntropy, unchecked=_FUSED, fuzz=[
        FuzzOp("binary_cross_entropy", losses.binary_cross_entropy, _np_bce,
               _cost_plan(probabilities=True), _probabilities_inside),
    ]),
    Row(losses.BinaryCrossEntropyWithLogits, unchecked=_FUSED, fuzz=[
        FuzzOp("binary_cross_entropy_with_logits", losses.binary_cross_entropy_with_logits,
               _np_bce_logits, _cost_plan(probabilities=False)),
    ]),
    Row(losses.SoftmaxCrossEntropy, unchecked=_FUSED, fuzz=[
        FuzzOp("softmax_cross_entropy", losses.softmax_cross_entropy, _np_softmax_ce,
               _cost_plan(probabilities=False, one_hot=True)),
    ]),
]

#: Compositions of ops, not ops: numerical checks of a combination no single row covers.
COMPOSITES = [
    # the course's dense layer, fused by composition: Z = W A + b, A = g(Z)
    Example("dense", lambda W, A, b: al.tanh(W @ A + b), lambda W, A, b: np.tanh(W @ A + b),
            inputs(normal(3, 2), normal(2, 5), normal(3, 1))),
    # NumPy's functions written with the primitives (issue 13). split: slices (a part J does
    # not use gets zeros); vstack, hstack: reshapes and concatenate; pad's copying modes: a
    # gather (indexing) of the values they copy.
    Example("split", lambda a: al.stack(al.split(a, 3, axis=1)[::-1]),
            lambda a: np.stack(np.split(a, 3, axis=1)[::-1]), inputs(normal(2, 6))),
    Example("split-indices", lambda a: al.split(a, SPLIT, axis=-1)[1] * 2.0,
            lambda a: np.split(a, SPLIT, axis=-1)[1] * 2.0, inputs(normal(2, 3, 6))),
    Example("split-rows", lambda a: al.concatenate(al.split(a, [2])[::-1]),
            lambda a: np.concatenate(np.split(a, [2])[::-1]), inputs(normal(3, 4))),
    Example("vstack", lambda a, b, c: al.vstack([a, b, CONST64[0], c]),
            lambda a, b, c: np.vstack([a, b, CONST64[0], c]),
            inputs(normal(4), normal(2, 4), normal(1, 4))),
    Example("vstack-numbers", lambda a, b: al.vstack((a, 2.0, b)),
            lambda a, b: np.vstack((a, 2.0, b)), inputs(normal(), normal())),
    Example("vstack-3d", lambda a, b: al.vstack([a, b]), lambda a, b: np.vstack([a, b]),
            inputs(normal(1, 3, 2), normal(2, 3, 2))),
    Example("hstack", lambda a, b: al.hstack([a, 1.5, b]), lambda a, b: np.hstack([a, 1.5, b]),
            inputs(normal(3), normal(2))),
    Example("hstack-columns", lambda a, b: al.hstack((a, b)), lambda a, b: np.hstack((a, b)),
            inputs(normal(3, 1), normal(3, 4))),
    Example("pad-edge", lambda a: al.pad(a, (2, 1), mode="edge"),
            lambda a: np.pad(a, (2, 1), mode="edge"), inputs(normal(3, 4))),
    Example("pad-reflect", lambda a: al.pad(a, ((1, 2), (3, 0)), mode="reflect"),
            lambda a: np.pad(a, ((1, 2), (3, 0)), mode="reflect"), inputs(normal(3, 4))),
    Example("pad-symmetric", lambda a: al.pad(a, 2, mode="symmetric"),
            lambda a: np.pad(a, 2, mode="symmetric"), inputs(normal(3, 4))),
    Example("pad-wrap", lambda a: al.pad(a, ((0, 1), (2, 2)), mode="wrap"),
            lambda a: np.pad(a, ((0, 1), (2, 2)), mode="wrap"), inputs(normal(3, 4))),
    # squeeze, expand_dims, flatten, ravel: reshapes (ops/shape.py)
    Example("squeeze", al.squeeze, np.squeeze, inputs(normal(3, 1, 4, 1))),
    Example("squeeze-method--1", lambda a: a.squeeze(axis=-1), lambda a: a.squeeze(axis=-1),
            inputs(normal(3, 1, 4, 1))),
    Example("squeeze-tuple", lambda a: al.squeeze(a, axis=(1, -1)),
            lambda a: np.squeeze(a, axis=(1, 3)), inputs(normal(3, 1, 4, 1))),
    Example("expand_dims", lambda a: al.expand_dims(a, 1), lambda a: np.expand_dims(a, 1),
            inputs(normal(3))),
    Example("expand_dims-tuple-negative", lambda a: al.expand_dims(a, (0, -1)),
            lambda a: np.expand_dims(a, (0, -1)), inputs(normal(3, 4))),
    Example("flatten", lambda a: a.flatten(), lambda a: a.flatten(), inputs(normal(3, 4))),
    Example("flatten-F", lambda a: al.flatten(a, "F"), lambda a: a.flatten("F"),
            inputs(normal(3, 4))),
    Example("ravel", al.ravel, np.ravel, inputs(normal(2, 3, 2))),
    Example("ravel-method", lambda a: a.ravel(), lambda a: a.ravel(), inputs(normal(2, 3))),
    # "K" reads the memory order: a transposed view's differs from "C" (indexing, then)
    Example("ravel-K-transposed", lambda a: al.ravel(a.T, "K"), lambda a: np.ravel(a.T, "K"),
            inputs(normal(3, 4))),
    # a softmax cross-entropy written with logsumexp: log Σ e^z - z_y
    Example("logsumexp-cross-entropy",
            lambda z: (al.logsumexp(z, axis=0) - z[ROWS[:3], np.arange(3)]).mean(),
            lambda z: (np.log(np.exp(z).sum(axis=0)) - z[ROWS[:3], np.arange(3)]).mean(),
            inputs(normal(3, 3))),
]

#: Queries: public functions with no gradient, which return ndarrays as NumPy's do and record
#: nothing (tests/test_ops.py checks them against these NumPy functions, ties included).
QUERIES: dict[str, tuple[Callable[..., np.ndarray], Callable[..., np.ndarray]]] = {
    "argmax": (al.argmax, np.argmax),
    "argmin": (al.argmin, np.argmin),
}


# ============================================================ views read by the tests

#: Every numerical check: the rows' examples, then the composites.
CASES: list[Example] = [ex for row in TABLE for ex in row.examples] + COMPOSITES


def rng_for(case: Example) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(case.id.encode()))


def draw(case: Example) -> tuple[list[np.ndarray], np.ndarray]:
    """The case's inputs and the fixed weights W of J = Σ out ⊙ W."""
    rng = rng_for(case)
    arrays = [np.asarray(a, dtype=np.float64) for a in case.make(rng)]
    weights = rng.standard_normal(np.shape(case.ref(*arrays)))
    return arrays, weights


#: Every op of the fuzzer, by name, with the primitive of its row filled in.
OPS: dict[str, FuzzOp] = {
    op.name: replace(op, primitives=frozenset({row.primitive} if op.records else ()))
    for row in TABLE for op in row.fuzz
}
#: The ops of the expression trees (tests/test_properties.py), by name.
UNARY: dict[str, FuzzOp] = {name: op for name, op in OPS.items() if op.tree == "unary"}
BINARY: dict[str, FuzzOp] = {name: op for name, op in OPS.items() if op.tree == "binary"}
