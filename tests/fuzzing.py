"""Random computation graphs, shared by the property tests and the fuzzer.

Two generators, both hypothesis strategies:

- :func:`compositions`: expression trees of the elementwise primitives (:data:`UNARY`,
  :data:`BINARY`) on inputs of mutually broadcastable shapes (tests/test_properties.py).
- :func:`programs`: graphs over *every* primitive of ``autograd_lite.ops`` (:data:`OPS`):
  elementwise ops, activations, reductions over random axes, matmul and dot, reshape,
  transpose, indexing, concatenate, stack, broadcast_to, casts, softmax and log_softmax, and
  the fused dense layer and costs. A program is built one op at a time on nodes whose
  shapes are known, so every op gets operands that fit; where an op needs an operand of a
  particular shape (the W of ``W @ A``, the Y of a cost) a new leaf is drawn (tests/test_fuzz.py).

Every op has a NumPy twin written from its definition, not from the engine, and domains are
kept valid: log and sqrt see x² + ½, divisions divide by b² + ½, the costs see
probabilities away from 0 and 1, and every op stays more than 1e-3 away from its kinks
(|x| at 0, ties of max, the bounds of clip, ...), where a two-sided difference is not a
derivative. Values stay moderate (|x| < 10 into the elementwise ops), so the numerical
gradient is accurate to about 1e-9.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays, mutually_broadcastable_shapes

import autograd_lite as al
from autograd_lite.ops import activations, elementwise, linalg, losses, reductions
from autograd_lite.ops import shape as shape_ops
from autograd_lite.ops.base import Primitive, apply

# ============================================================ the elementwise tables

def _top_two_gap(x):
    if x.shape[-1] < 2:
        return np.inf
    top = np.sort(x, axis=-1)
    return top[..., -1] - top[..., -2]


# Each op: (engine on Tensors, NumPy on ndarrays, distance to its kink or None, min ndim).
# Domains are made safe inside the op (log(x² + ½), a / (b² + ½), ...), so any real input
# is allowed; kinks (abs at 0, max at a tie, ...) are kept away from by the callers.
UNARY = {
    "neg": (lambda t: -t, lambda x: -x, None, 0),
    "exp": (al.exp, np.exp, None, 0),
    "log": (lambda t: al.log(t * t + 0.5), lambda x: np.log(x * x + 0.5), None, 0),
    "sqrt": (lambda t: (t * t + 0.5).sqrt(), lambda x: np.sqrt(x * x + 0.5), None, 0),
    "abs": (al.abs, np.abs, np.abs, 0),
    "tanh": (al.tanh, np.tanh, None, 0),
    "sigmoid": (al.sigmoid, lambda x: 1 / (1 + np.exp(-x)), None, 0),
    "relu": (al.relu, lambda x: np.maximum(x, 0), np.abs, 0),
    "leaky_relu": (al.leaky_relu, lambda x: np.where(x > 0, x, 0.01 * x), np.abs, 0),
    "square": (lambda t: t**2, lambda x: x**2, None, 0),
    "cube": (lambda t: t**3, lambda x: x**3, None, 0),
    "rpow": (lambda t: 2**t, lambda x: 2.0**x, None, 0),
    "clip": (lambda t: al.clip(t, -1.0, 1.0), lambda x: np.clip(x, -1.0, 1.0),
             lambda x: np.minimum(np.abs(x - 1), np.abs(x + 1)), 0),
    "sum_last": (lambda t: t.sum(axis=-1, keepdims=True),
                 lambda x: x.sum(axis=-1, keepdims=True), None, 1),
    "sum_all": (lambda t: al.sum(t, keepdims=True), lambda x: x.sum(keepdims=True), None, 0),
    "mean_first": (lambda t: t.mean(axis=0, keepdims=True),
                   lambda x: x.mean(axis=0, keepdims=True), None, 1),
    "max_last": (lambda t: t.max(axis=-1, keepdims=True),
                 lambda x: x.max(axis=-1, keepdims=True),
                 lambda x: _top_two_gap(x), 1),
    "softmax_last": (lambda t: al.softmax(t, axis=-1),
                     lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True), None, 1),
    "log_softmax_first": (lambda t: al.log_softmax(t, axis=0),
                          lambda x: x - np.log(np.exp(x).sum(axis=0, keepdims=True)), None, 1),
    "reverse": (lambda t: t[..., ::-1], lambda x: x[..., ::-1], None, 1),
}

BINARY = {
    "add": (lambda a, b: a + b, np.add, None),
    "sub": (lambda a, b: a - b, np.subtract, None),
    "mul": (lambda a, b: a * b, np.multiply, None),
    "div": (lambda a, b: a / (b * b + 0.5), lambda a, b: a / (b * b + 0.5), None),
    "pow": (lambda a, b: (a * a + 0.5) ** b, lambda a, b: (a * a + 0.5) ** b, None),
    "maximum": (al.maximum, np.maximum, lambda a, b: np.abs(a - b)),
    "minimum": (al.minimum, np.minimum, lambda a, b: np.abs(a - b)),
    "where": (lambda a, b: al.where(a > 0, a, b), lambda a, b: np.where(a > 0, a, b),
              lambda a, b: np.abs(a)),
}

#: Values going into an elementwise op stay below this (e^10 ≈ 2·10⁴).
MODERATE = 10.0
#: Nearest allowed distance to a kink: far beyond the 1e-6 step of the numerical gradient.
KINK_MARGIN = 1e-3


def close(g, g_num, rtol=1e-6, atol=1e-8):
    """‖g − g_num‖ small next to ‖g‖ + ‖g_num‖ (the course's relative difference)."""
    return np.linalg.norm(g - g_num) <= rtol * (np.linalg.norm(g) + np.linalg.norm(g_num)) + atol


# ============================================================ expression trees

@st.composite
def trees(draw, depth, ndims):
    """An expression tree over the inputs (whose ndims are given); returns (tree, ndim)."""
    if depth == 0:
        i = draw(st.integers(0, len(ndims) - 1))
        return ("input", i), ndims[i]
    if draw(st.booleans()):
        child, ndim = draw(trees(depth - 1, ndims))
        name = draw(st.sampled_from([k for k, op in UNARY.items() if op[3] <= ndim]))
        return ("unary", name, child), ndim
    name = draw(st.sampled_from(sorted(BINARY)))
    left, left_ndim = draw(trees(depth - 1, ndims))
    if left[0] != "input" and draw(st.booleans()):
        # Reuse the very same subexpression through a longer path (r = y + f(g(y))): the
        # graph becomes a DAG whose shared node must wait for every path before its turn.
        right, right_ndim = left, left_ndim
        for _ in range(draw(st.integers(1, 2))):
            unary = draw(st.sampled_from([k for k, op in UNARY.items() if op[3] <= left_ndim]))
            right = ("unary", unary, right)
    else:
        right, right_ndim = draw(trees(draw(st.integers(0, depth - 1)), ndims))
    if draw(st.booleans()):
        left, right, left_ndim, right_ndim = right, left, right_ndim, left_ndim
    return ("binary", name, left, right), max(left_ndim, right_ndim)


def evaluate(tree, values, engine, margins=None, memo=None):
    """The tree on Tensors (engine=True) or ndarrays; records kink distances in margins.

    A subexpression that appears twice (the same tuple) is evaluated once, so on
    Tensors it is one node of the graph, reached along two paths.
    """
    memo = {} if memo is None else memo
    key = id(tree)
    if key not in memo:
        memo[key] = _evaluate(tree, values, engine, margins, memo)
    return memo[key]


def _evaluate(tree, values, engine, margins, memo):
    kind = tree[0]
    if kind == "input":
        return values[tree[1]]
    if kind == "unary":
        fn, ref, kink, _ = UNARY[tree[1]]
        x = evaluate(tree[2], values, engine, margins, memo)
        if margins is not None:
            margins.append(np.abs(x).max(initial=0.0) < MODERATE)
            if kink is not None:
                margins.append(np.min(kink(x), initial=np.inf) > KINK_MARGIN)
        return fn(x) if engine else ref(x)
    fn, ref, kink = BINARY[tree[1]]
    a = evaluate(tree[2], values, engine, margins, memo)
    b = evaluate(tree[3], values, engine, margins, memo)
    if margins is not None:
        margins.append(max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0)) < MODERATE)
        if kink is not None:
            margins.append(np.min(kink(a, b), initial=np.inf) > KINK_MARGIN)
    return fn(a, b) if engine else ref(a, b)


def inputs_used(tree):
    if tree[0] == "input":
        return {tree[1]}
    return set().union(*(inputs_used(child) for child in tree[2:]))


@st.composite
def compositions(draw):
    count = draw(st.integers(1, 3))
    shapes = draw(
        mutually_broadcastable_shapes(num_shapes=count, min_dims=0, max_dims=3, max_side=3)
    ).input_shapes
    depth = draw(st.integers(1, 4))
    tree, _ = draw(trees(depth, [len(s) for s in shapes]))
    values = [
        draw(arrays(np.float64, s, elements=st.floats(-2, 2, width=64), fill=st.nothing()))
        for s in shapes
    ]
    seed = draw(st.integers(0, 2**32 - 1))
    return tree, values, seed


# ============================================================ programs over every primitive

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
    the operands' magnitude; ``primitives`` are the classes every use of the op records.
    """

    engine: Callable[..., Any]
    numpy: Callable[..., Any]
    plan: Callable[[Builder], tuple[tuple, dict]]
    primitives: frozenset = field(default_factory=frozenset)
    valid: Callable[..., bool] | None = None
    bound: float = 100.0


class Program:
    """Nodes in forward order: ("leaf", k) or ("op", name, operands, params); the outputs
    are the ops that nothing uses. ``leaves`` holds the float64 values of the leaves.

    Not a dataclass: hypothesis prints a failing program with this class's repr, one
    node a line (``n3 = matmul(n1, n2)``).
    """

    def __init__(self, nodes: list, leaves: list) -> None:
        self.nodes, self.leaves = nodes, leaves

    def __repr__(self) -> str:
        lines = [f"Program({len(self.leaves)} leaves of shapes "
                 f"{[leaf.shape for leaf in self.leaves]}):"]
        for i, node in enumerate(self.nodes):
            if node[0] == "leaf":
                value = self.leaves[node[1]]
                shown = np.array2string(value, precision=4, separator=", ").replace("\n", "")
                lines.append(f"  n{i} = leaf{node[1]} {value.shape}: {shown}")
            else:
                _, name, operands, params = node
                args = ", ".join(f"n{a}" if isinstance(a, int) else repr(a) for a in operands)
                extra = "".join(f", {k}={v!r}" for k, v in params.items())
                lines.append(f"  n{i} = {name}({args}{extra})")
        return "\n".join(lines)

    @property
    def ops(self) -> list[str]:
        return [node[1] for node in self.nodes if node[0] == "op"]

    def outputs(self) -> list[int]:
        """The ops whose results no other op uses: the cost sums all of them, so every op
        of the program is on a path to it."""
        consumed = {a for node in self.nodes if node[0] == "op" for a in node[2]
                    if isinstance(a, int)}
        sinks = [i for i, node in enumerate(self.nodes) if node[0] == "op" and i not in consumed]
        return sinks or [len(self.nodes) - 1]

    def used_leaves(self) -> set[int]:
        """The leaves the outputs depend on."""
        needed = set(self.outputs())
        used = set()
        for i in range(len(self.nodes) - 1, -1, -1):
            if i not in needed:
                continue
            node = self.nodes[i]
            if node[0] == "leaf":
                used.add(node[1])
            else:
                needed.update(a for a in node[2] if isinstance(a, int))
        return used


def run(program: Program, leaves: list, engine: bool) -> list:
    """Every node's value, on Tensors (engine=True) or with the NumPy twins on ndarrays."""
    values: list = []
    for node in program.nodes:
        if node[0] == "leaf":
            values.append(leaves[node[1]])
            continue
        _, name, operands, params = node
        op = OPS[name]
        args = [a.value if isinstance(a, Const) else values[a] for a in operands]
        values.append((op.engine if engine else op.numpy)(*args, **params))
    return values


class _Reject(Exception):
    """The step drawn does not fit (no operand of the right kind, a kink, an overflow)."""


class Builder:
    """Grows a :class:`Program` one op at a time, knowing every node's NumPy value."""

    def __init__(self, draw: Callable[[Any], Any]) -> None:
        self.draw = draw
        self.nodes: list = []
        self.leaves: list = []
        self.values: list = []

    # ----------------------------------------------------------------- operands
    def shape(self, i: int) -> tuple[int, ...]:
        return np.shape(self.values[i])

    def array(self, shape: tuple[int, ...], low: float = -2.0, high: float = 2.0) -> np.ndarray:
        return self.draw(
            arrays(np.float64, shape, elements=st.floats(low, high), fill=st.nothing())
        )

    def leaf(self, shape: tuple[int, ...], low: float = -2.0, high: float = 2.0) -> int:
        value = self.array(shape, low, high)
        self.leaves.append(value)
        self.nodes.append(("leaf", len(self.leaves) - 1))
        self.values.append(value)
        return len(self.nodes) - 1

    def operand(self, shape: tuple[int, ...], low: float = -2.0, high: float = 2.0,
                reuse: bool = True) -> int | Const:
        """An operand of this shape: an existing node, a new leaf, or a constant."""
        same = [i for i in range(len(self.values)) if self.shape(i) == shape] if reuse else []
        kinds = ["leaf", "leaf", "const"] + (["node"] if same else [])
        kind = self.draw(st.sampled_from(kinds))
        if kind == "node":
            return self.choose(same)
        if kind == "const":
            return Const(self.array(shape, low, high))
        return self.leaf(shape, low, high)

    def pick(self, ok: Callable[[tuple[int, ...]], bool] = lambda s: True) -> int:
        """An existing node whose shape is ok: the latest (a long chain), an earlier op's
        result (a DAG: one result used by several ops), or any node, leaves included."""
        candidates = [i for i in range(len(self.values)) if ok(self.shape(i))]
        if not candidates:
            raise _Reject
        return self.choose(candidates)

    def choose(self, candidates: list[int]) -> int:
        kind = self.draw(st.sampled_from(["latest", "op", "any"]))
        if kind == "latest":
            return candidates[-1]
        ops = [i for i in candidates if self.nodes[i][0] == "op"]
        return self.draw(st.sampled_from(ops if kind == "op" and ops else candidates))

    def size(self, low: int = 1, high: int = 3) -> int:
        return self.draw(st.integers(low, high))

    def matrix(self, i: int) -> int:
        """Node i as a 2-D (n, m) node, reshaped when it is not one already."""
        if len(self.shape(i)) == 2:
            return i
        size = int(np.prod(self.shape(i)))
        rows = self.draw(st.sampled_from([d for d in range(1, size + 1) if size % d == 0]))
        return self.add("reshape", (i,), {"shape": (rows, size // rows), "method": False})

    # ----------------------------------------------------------------- steps
    def add(self, name: str, operands: tuple, params: dict) -> int:
        """Append an op; raises _Reject if it leaves its domain or meets a kink."""
        op = OPS[name]
        args = [a.value if isinstance(a, Const) else self.values[a] for a in operands]
        if any(np.abs(np.asarray(a)).max(initial=0.0) >= op.bound for a in args):
            raise _Reject
        with np.errstate(all="ignore"):
            if op.valid is not None and not op.valid(*args, **params):
                raise _Reject
            value = np.asarray(op.numpy(*args, **params))
        if not np.all(np.isfinite(value)) or np.abs(value).max(initial=0.0) >= 1e4:
            raise _Reject
        self.nodes.append(("op", name, tuple(operands), params))
        self.values.append(value)
        return len(self.nodes) - 1

    def step(self, name: str) -> bool:
        """Plan and append one op (with any leaves and reshapes it needs), or nothing."""
        mark = len(self.nodes), len(self.leaves)
        try:
            operands, params = OPS[name].plan(self)
            self.add(name, operands, params)
            return True
        except _Reject:
            del self.nodes[mark[0]:], self.values[mark[0]:], self.leaves[mark[1]:]
            return False


@st.composite
def programs(draw, first: str | None = None, max_ops: int = 8, names: Any = None):
    """A random graph: 1-3 inputs of mutually broadcastable shapes, then 1 to ``max_ops``
    ops drawn from ``names`` (default: all of :data:`OPS`; ``first``, when given, first)."""
    builder = Builder(draw)
    count = draw(st.integers(1, 3))
    shapes = draw(
        mutually_broadcastable_shapes(num_shapes=count, min_dims=0, max_dims=3, max_side=3)
    ).input_shapes
    for s in shapes:
        builder.leaf(s)
    if first is not None:
        for _ in range(3):
            if builder.step(first):
                break
            builder.step("reshape")  # e.g. every node was 0-d and the op needs an axis
        else:
            reject()
    names = sorted(OPS if names is None else names)
    wanted = draw(st.integers(1, max_ops))
    for _ in range(2 * wanted):  # a step that does not fit is skipped: try another
        if len(builder.nodes) - len(builder.leaves) >= wanted:
            break
        builder.step(draw(st.sampled_from(names)))
    if all(node[0] == "leaf" for node in builder.nodes):
        builder.step("neg")
    return Program(builder.nodes, builder.leaves)


# ------------------------------------------------------------ plans and twins

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


def _ops() -> dict[str, FuzzOp]:
    table: dict[str, FuzzOp] = {}
    unary_primitives = {
        "neg": elementwise.Neg, "exp": elementwise.Exp, "log": elementwise.Log,
        "sqrt": elementwise.Sqrt, "abs": elementwise.Abs, "tanh": activations.Tanh,
        "sigmoid": activations.Sigmoid, "relu": activations.Relu,
        "leaky_relu": activations.LeakyRelu, "square": elementwise.Pow,
        "cube": elementwise.Pow, "rpow": elementwise.Pow, "clip": elementwise.Clip,
        "sum_last": reductions.Sum, "sum_all": reductions.Sum, "mean_first": reductions.Mean,
        "max_last": reductions.Max, "softmax_last": activations.Softmax,
        "log_softmax_first": activations.LogSoftmax, "reverse": shape_ops.GetItem,
    }
    for name, (fn, ref, kink, min_ndim) in UNARY.items():
        table[name] = FuzzOp(fn, ref, _unary_plan(min_ndim),
                             frozenset({unary_primitives[name]}), _is_ok(kink), MODERATE)
    binary_primitives = {
        "add": {elementwise.Add}, "sub": {elementwise.Sub}, "mul": {elementwise.Mul},
        "div": {elementwise.Div}, "pow": {elementwise.Pow},
        "maximum": {elementwise.Maximum}, "minimum": {elementwise.Minimum},
        "where": {elementwise.Where},
    }
    for name, (fn, ref, kink) in BINARY.items():
        table[name] = FuzzOp(fn, ref, _binary_plan, frozenset(binary_primitives[name]),
                             _is_ok(kink), MODERATE)

    table.update({
        "pow_const": FuzzOp(
            lambda x, p: (x * x + 0.5) ** p, lambda x, p: (x * x + 0.5) ** p,
            lambda b: ((b.pick(),), {"p": b.draw(st.sampled_from([0.5, -1, -1.5, 3]))}),
            frozenset({elementwise.Pow}), bound=MODERATE),
        "sum": FuzzOp(lambda x, axis, keepdims: al.sum(x, axis=axis, keepdims=keepdims),
                      lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims),
                      _reduce_plan, frozenset({reductions.Sum})),
        "mean": FuzzOp(lambda x, axis, keepdims: x.mean(axis=axis, keepdims=keepdims),
                       lambda x, axis, keepdims: np.mean(x, axis=axis, keepdims=keepdims),
                       _reduce_plan, frozenset({reductions.Mean})),
        "max": FuzzOp(lambda x, axis, keepdims: al.max(x, axis=axis, keepdims=keepdims),
                      lambda x, axis, keepdims: np.max(x, axis=axis, keepdims=keepdims),
                      _reduce_plan, frozenset({reductions.Max}),
                      lambda x, axis, keepdims: bool(
                          np.min(_max_gap(np.asarray(x), axis), initial=np.inf) > KINK_MARGIN)),
        "softmax": FuzzOp(al.softmax, _np_softmax, _axis_plan,
                          frozenset({activations.Softmax})),
        "log_softmax": FuzzOp(al.log_softmax, _np_log_softmax, _axis_plan,
                              frozenset({activations.LogSoftmax})),
        "matmul": FuzzOp(lambda a, c: a @ c, np.matmul, _matmul_plan,
                         frozenset({linalg.MatMul})),
        "gram": FuzzOp(_gram, _gram, lambda b: ((b.pick(lambda s: len(s) >= 1),), {}),
                       frozenset({linalg.MatMul})),
        "dot": FuzzOp(al.dot, np.dot, _dot_plan, frozenset({linalg.MatMul})),
        "reshape": FuzzOp(_reshape, _reshape, _reshape_plan, frozenset({shape_ops.Reshape})),
        "transpose": FuzzOp(_transpose, _transpose, _transpose_plan,
                            frozenset({shape_ops.Transpose})),
        "getitem": FuzzOp(lambda x, index: x[index], lambda x, index: x[index], _index_plan,
                          frozenset({shape_ops.GetItem})),
        # The adjoint of indexing (what backward(create_graph=True) records for getitem).
        "scatter_add": FuzzOp(_scatter_add, _np_scatter_add, _scatter_plan,
                              frozenset({shape_ops.ScatterAdd})),
        "concatenate": FuzzOp(lambda *xs, axis: al.concatenate(list(xs), axis=axis),
                              lambda *xs, axis: np.concatenate(xs, axis=axis),
                              _concatenate_plan, frozenset({shape_ops.Concatenate})),
        "stack": FuzzOp(lambda *xs, axis: al.stack(list(xs), axis=axis),
                        lambda *xs, axis: np.stack(xs, axis=axis),
                        _stack_plan, frozenset({shape_ops.Stack})),
        "broadcast_to": FuzzOp(al.ops.broadcast_to, np.broadcast_to, _broadcast_to_plan,
                               frozenset({shape_ops.BroadcastTo})),
        "cast": FuzzOp(_widened, lambda x: x, lambda b: ((b.pick(),), {}),
                       # float64 widens to long double, which some platforms lack
                       frozenset({elementwise.AsType}) if _HAS_LONGDOUBLE else frozenset()),
        "dense": FuzzOp(losses.linear, lambda W, A, bias: W @ A + bias, _dense_plan,
                        frozenset({losses.Linear})),
        "binary_cross_entropy": FuzzOp(
            losses.binary_cross_entropy, _np_bce, _cost_plan(probabilities=True),
            frozenset({losses.BinaryCrossEntropy}), _probabilities_inside),
        "binary_cross_entropy_with_logits": FuzzOp(
            losses.binary_cross_entropy_with_logits, _np_bce_logits,
            _cost_plan(probabilities=False), frozenset({losses.BinaryCrossEntropyWithLogits})),
        "softmax_cross_entropy": FuzzOp(
            losses.softmax_cross_entropy, _np_softmax_ce,
            _cost_plan(probabilities=False, one_hot=True),
            frozenset({losses.SoftmaxCrossEntropy})),
    })
    return table


#: Every op of the fuzzer, by name.
OPS: dict[str, FuzzOp] = _ops()


def all_primitives() -> set[type]:
    """Every Primitive subclass defined in autograd_lite.ops."""
    found, stack = set(), [Primitive]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("autograd_lite.ops."):
                found.add(sub)
    return found


def primitives_in(*roots: Any) -> set[type]:
    """The primitive classes recorded in the graphs of these tensors."""
    seen: set[int] = set()
    found: set[type] = set()
    stack = [r for r in roots if isinstance(r, al.Tensor)]
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if t._op is not None:
            found.add(t._op)
        stack.extend(t.parents)
    return found
