"""Random computation graphs, shared by the property tests and the fuzzer.

The machinery only: the ops themselves (engine call, NumPy twin, plan, kinks, bounds) are
the rows of tests/op_table.py, read here through its views :data:`UNARY`, :data:`BINARY`
and :data:`OPS`. Two generators, both hypothesis strategies:

- :func:`compositions`: expression trees of the elementwise ops (:data:`UNARY`,
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
from typing import Any

import numpy as np
from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays, mutually_broadcastable_shapes

import autograd_lite as al
from autograd_lite.ops.base import Primitive
from tests.op_table import BINARY, KINK_MARGIN, MODERATE, OPS, UNARY, Const


def FINITE_NORMAL(low: float, high: float) -> st.SearchStrategy[float]:  # noqa: N802
    """Floats in [low, high], no subnormals: a subnormal (5e-324) carries almost no relative
    precision, so a product through it depends on the order of the multiplications (NumPy's
    prod and the product of the others in prod's gradient differ by 1e-5 relatively), and
    no oracle at rtol 1e-9 exists there."""
    return st.floats(low, high, width=64, allow_subnormal=False)


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
        name = draw(st.sampled_from([k for k, op in UNARY.items() if op.min_ndim <= ndim]))
        return ("unary", name, child), ndim
    name = draw(st.sampled_from(sorted(BINARY)))
    left, left_ndim = draw(trees(depth - 1, ndims))
    if left[0] != "input" and draw(st.booleans()):
        # Reuse the very same subexpression through a longer path (r = y + f(g(y))): the
        # graph becomes a DAG whose shared node must wait for every path before its turn.
        right, right_ndim = left, left_ndim
        for _ in range(draw(st.integers(1, 2))):
            unary = draw(st.sampled_from([k for k, op in UNARY.items()
                                          if op.min_ndim <= left_ndim]))
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
        op = UNARY[tree[1]]
        fn, ref, kink = op.engine, op.numpy, op.kink
        x = evaluate(tree[2], values, engine, margins, memo)
        if margins is not None:
            margins.append(np.abs(x).max(initial=0.0) < MODERATE)
            if kink is not None:
                margins.append(np.min(kink(x), initial=np.inf) > KINK_MARGIN)
        return fn(x) if engine else ref(x)
    op = BINARY[tree[1]]
    fn, ref, kink = op.engine, op.numpy, op.kink
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
        draw(arrays(np.float64, s, elements=FINITE_NORMAL(-2, 2), fill=st.nothing()))
        for s in shapes
    ]
    seed = draw(st.integers(0, 2**32 - 1))
    return tree, values, seed


# ============================================================ programs over every primitive

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
            arrays(np.float64, shape, elements=FINITE_NORMAL(low, high), fill=st.nothing())
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
