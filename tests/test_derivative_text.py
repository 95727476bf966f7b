"""Every op's derivative text says what its numbers say: one table, every primitive.

The backward frames and the ``graph`` command print each step of the chain rule as

    dJ/db = dJ/dJ · (-a/b²) = 1 · (-0.75) = -0.75

where ``-a/b²`` is the op's own text (``Primitive.derivatives`` or ``derivative_text``;
bracketed as a factor when it starts with a minus or is a sum or a difference) and -0.75
the number its VJP gives. A student reads the text as the reason for the
number, so a wrong text (``a/b²``) teaches a wrong derivative even when the number is
right. :data:`TABLE` holds one or more cases per primitive of ``autograd_lite.ops``; for
each case and each input:

1. the text, as the frames print it, is the one written in the table;
2. that text, evaluated at the case's point by a small evaluator of its own (below: the
   course's notation, ``·``, ``²``, ``^``, ``e^a``, ``log a``, ``Π others``, Iverson
   brackets ``[a > b]``, read
   into a Python syntax tree and walked, never ``eval``), equals a two-sided numerical
   derivative of the op at that point;
3. the chain-rule line printed for that input shows that text and, as its local
   derivative, that same value.

Ops whose derivative is not one expression (matmul, the reductions to an extreme, the
shape ops (flip, repeat and tile too), cumsum, the fused costs) print ``dy/dx`` instead;
their cases have no texts, and the test checks that they print none. A primitive with
no case fails the test: adding an op means adding its case here (with a point away from
its kinks).
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import ops
from autograd_lite.ops import shape as shape_ops
from visualize import backward_steps
from visualize.frames import local_derivative_text
from visualize.graph import GraphLayout, format_array

# =========================================================================== the evaluator


class TextError(ValueError):
    """The text is not in the notation this evaluator reads."""


_CONSTANTS: dict[str, float] = {"e": math.e}

_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "log": np.log,
    "sign": np.sign,
    "sqrt": np.sqrt,
    "exp": np.exp,
    "sin": np.sin,
    "cos": np.cos,
    "Π": lambda others: np.prod(others, axis=-1),  # Π others: each row, one element's others
    "iverson": lambda condition: np.where(condition, 1.0, 0.0),
}


def to_python(text: str) -> str:
    """The course's notation as Python syntax: ``-a/b²`` → ``-a/b**2``, ``J·log a`` →
    ``J*log(a)``, ``e^a`` → ``e**a``, ``Π others`` → ``Π(others)``, ``[a > b]`` →
    ``iverson(a > b)``, ``[low ≤ a ≤ high]`` → ``iverson(low <= a <= high)``, ``[a = b]``
    → ``iverson(a == b)``."""
    text = text.replace("·", "*").replace("−", "-").replace("²", "**2").replace("³", "**3")
    text = text.replace("^", "**").replace("≤", "<=").replace("≥", ">=")
    text = re.sub(r"(?<![<>=!])=(?!=)", "==", text)
    text = re.sub(r"\b(log|sign|sqrt|exp|Π) ([A-Za-z_]\w*)", r"\1(\2)", text)  # log a, Π others
    return text.replace("[", "iverson(").replace("]", ")")


def evaluate(text: str, values: dict[str, Any]) -> Any:
    """The value of a derivative text at ``values`` (names → numbers or arrays)."""
    try:
        tree = ast.parse(to_python(text), mode="eval")
    except SyntaxError as err:
        raise TextError(f"cannot read {text!r}: {err}") from None
    return _value(tree.body, values, text)


_BINARY = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply,
           ast.Div: np.divide, ast.Pow: np.power}
_COMPARE = {ast.Gt: np.greater, ast.GtE: np.greater_equal, ast.Lt: np.less,
            ast.LtE: np.less_equal, ast.Eq: np.equal, ast.NotEq: np.not_equal}


def _value(node: ast.AST, values: dict[str, Any], text: str) -> Any:
    def value(child: ast.AST) -> Any:
        return _value(child, values, text)

    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in values and node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        if node.id not in values:
            raise TextError(f"{text!r} names {node.id!r}, which is not an input of the op")
        return values[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](value(node.left), value(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -value(node.operand)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return np.logical_not(value(node.operand))
    if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        left, result = value(node.left), True
        for op, right_node in zip(node.ops, node.comparators):
            right = value(right_node)
            result = np.logical_and(result, _COMPARE[type(op)](left, right))
            left = right
        return result
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in _FUNCTIONS and len(node.args) == 1 and not node.keywords):
        return _FUNCTIONS[node.func.id](value(node.args[0]))
    raise TextError(f"cannot read {text!r}: {ast.dump(node)[:60]} is not in the notation")


def test_the_evaluator_reads_the_notation_and_nothing_else():
    v = {"a": 3.0, "b": 2.0, "J": 0.5, "low": 0.0, "high": 1.0, "cond": True}
    assert evaluate("-a/b²", v) == -0.75
    assert evaluate("a/b²", v) == 0.75
    assert evaluate("(J·(1 - J))", v) == 0.25
    assert evaluate("J·log a", v) == pytest.approx(0.5 * math.log(3))
    assert evaluate("(b·a^(b - 1))", v) == 6.0
    assert evaluate("3·a^2", v) == 27.0
    assert evaluate("[a > b]", v) == 1.0 and evaluate("[b > a]", v) == 0.0
    assert evaluate("([a > b] + 0.5·[a = b])", {"a": 1.0, "b": 1.0}) == 0.5
    assert evaluate("([a > 0] + 0.2·[a ≤ 0])", {"a": -1.0}) == 0.2
    assert evaluate("[low ≤ J ≤ high]", v) == 1.0 and evaluate("[low ≤ a ≤ high]", v) == 0.0
    assert evaluate("[not cond]", v) == 0.0 and evaluate("sign(b)", v) == 1.0
    assert evaluate("e^a", v) == pytest.approx(math.exp(3)) and evaluate("e^(a - J)", v) == (
        pytest.approx(math.exp(2.5)))
    assert evaluate("(-sin(a))", v) == -math.sin(3) and evaluate("cos(b)", v) == math.cos(2)
    assert evaluate("Π others", {"others": [[2.0, 3.0], [1.0, 3.0]]}).tolist() == [6.0, 3.0]
    assert evaluate("2·(a - μ)/(N - ddof)", {"a": 3.0, "μ": 1.0, "N": 3, "ddof": 1}) == 2.0
    for bad in ["__import__('os')", "a.real", "c", "a[0]", "lambda: 1", "(1, 2)", "'x'",
                "(1 if a > 0 else 0.2)", "½[a = b]", "e.real"]:
        with pytest.raises(TextError):
            evaluate(bad, v)


# =========================================================================== the table


@dataclass(frozen=True)
class Case:
    """One op at one or more points.

    ``names`` are the names of the leaves, in the order ``make`` takes them (they become
    the op's inputs, in that order); ``make`` applies the op; ``texts`` are its derivative
    texts per input, as the frames print them (None: no text, ``dy/dx`` is printed);
    ``points`` the leaves' values (each away from the op's kinks); ``constants`` other
    names the texts use (cond, low, high, μ, N, ddof, others); ``eps`` the step of the
    differences.
    The output is named J; where it has several elements (each input element reaching one
    of them), the text is checked against the derivative of their sum.
    """

    op: str
    names: tuple[str, ...]
    make: Callable[..., al.Tensor]
    texts: tuple[str | None, ...]
    points: Sequence[tuple[Any, ...]]
    constants: dict[str, Any] = field(default_factory=dict)
    eps: float = 1e-6
    dtype: Any = np.float64

    @property
    def id(self) -> str:
        return f"{self.op}: " + ", ".join(t or "-" for t in self.texts)


def _scatter_add(x: al.Tensor) -> al.Tensor:
    return ops.apply(shape_ops.ScatterAdd, (x,), (3,), 1)


NO_TEXT = (None,)

#: One or more cases per primitive of autograd_lite.ops (test_every_primitive_has_a_case).
TABLE: list[Case] = [
    # ---- elementwise arithmetic
    Case("add", ("a", "b"), lambda a, b: a + b, ("1", "1"), [(3.0, 2.0)]),
    Case("sub", ("a", "b"), lambda a, b: a - b, ("1", "(-1)"), [(3.0, 2.0)]),
    Case("mul", ("a", "b"), lambda a, b: a * b, ("b", "a"), [(3.0, 2.0), (-1.5, 0.25)]),
    Case("div", ("a", "b"), lambda a, b: a / b, ("1/b", "(-a/b²)"), [(3.0, 2.0), (-1.0, 0.5)]),
    Case("neg", ("a",), lambda a: -a, ("(-1)",), [(3.0,)]),
    Case("pow", ("a", "b"), lambda a, b: a ** b, ("b·a^(b - 1)", "J·log a"),
         [(1.5, 2.5), (3.0, -0.5)]),
    Case("pow", ("a",), lambda a: a ** 2, ("2·a",), [(1.5,), (-0.5,)]),
    Case("pow", ("a",), lambda a: a ** 3, ("3·a^2",), [(1.5,), (-0.5,)]),
    Case("pow", ("a",), lambda a: a ** 0.5, ("0.5·a^-0.5",), [(2.0,)]),
    Case("exp", ("a",), al.exp, ("J",), [(0.5,), (-2.0,)]),
    Case("log", ("a",), al.log, ("1/a",), [(0.5,), (4.0,)]),
    Case("log1p", ("a",), ops.log1p, ("1/(1 + a)",), [(0.5,), (-0.75,)]),
    Case("square", ("a",), ops.square, ("2·a",), [(1.5,), (-3.0,)]),
    Case("expm1", ("a",), ops.expm1, ("e^a",), [(0.5,), (-2.0,), (1e-3,)]),
    Case("sin", ("a",), ops.sin, ("cos(a)",), [(0.5,), (-2.0,)]),
    Case("cos", ("a",), ops.cos, ("(-sin(a))",), [(0.5,), (-2.0,)]),
    Case("sign", ("a",), ops.sign, ("0",), [(0.5,), (-2.0,)]),  # flat away from 0
    Case("sqrt", ("a",), al.sqrt, ("1/(2·J)",), [(0.25,), (9.0,)]),
    Case("abs", ("a",), al.abs, ("sign(a)",), [(1.5,), (-3.0,)]),
    # The tie rule is printed only where a and b tie; there the two-sided difference is
    # 0.5 too: (max(a + ε, a) − max(a − ε, a)) / 2ε.
    Case("maximum", ("a", "b"), al.maximum, ("[a > b]", "[b > a]"), [(3.0, 2.0), (1.0, 2.0)]),
    Case("maximum", ("a", "b"), al.maximum, ("([a > b] + 0.5·[a = b])", "([b > a] + 0.5·[b = a])"),
         [(2.0, 2.0), ([2.0, 3.0], [2.0, 1.0])]),
    Case("minimum", ("a", "b"), al.minimum, ("[a < b]", "[b < a]"), [(3.0, 2.0), (1.0, 2.0)]),
    Case("minimum", ("a", "b"), al.minimum, ("([a < b] + 0.5·[a = b])", "([b < a] + 0.5·[b = a])"),
         [(2.0, 2.0), ([2.0, 3.0], [2.0, 1.0])]),
    Case("where", ("a", "b"), lambda a, b: al.where(True, a, b), ("[cond]", "[not cond]"),
         [(3.0, 2.0)], constants={"cond": True}),
    Case("where", ("a", "b"), lambda a, b: al.where(False, a, b), ("[cond]", "[not cond]"),
         [(3.0, 2.0)], constants={"cond": False}),
    Case("clip", ("a",), lambda a: al.clip(a, -1.0, 2.0), ("[low ≤ a ≤ high]",),
         [(0.5,), (-3.0,), (5.0,)], constants={"low": -1.0, "high": 2.0}),
    # a float64 leaf stored as float32; a step of 2⁻¹⁰ keeps a ± ε exact in float32.
    Case("astype", ("a",), lambda a: a.astype(np.float32), ("1",), [(0.5,)], eps=2**-10),
    # ---- activations
    Case("sigmoid", ("a",), al.sigmoid, ("J·(1 - J)",), [(0.5,), (-2.0,)]),
    Case("tanh", ("a",), al.tanh, ("(1 - J²)",), [(0.5,), (-2.0,)]),
    Case("relu", ("a",), al.relu, ("[a > 0]",), [(1.5,), (-2.0,)]),
    # The slope is printed as a number: two slopes, two texts.
    Case("leaky_relu", ("a",), lambda a: al.leaky_relu(a, 0.2), ("([a > 0] + 0.2·[a ≤ 0])",),
         [(1.5,), (-2.0,)]),
    Case("leaky_relu", ("a",), lambda a: al.leaky_relu(a, 0.05),
         ("([a > 0] + 0.05·[a ≤ 0])",), [(1.5,), (-2.0,)]),
    Case("softmax", ("a",), al.softmax, NO_TEXT, [([[0.5], [1.0]],)]),
    Case("log_softmax", ("a",), al.log_softmax, NO_TEXT, [([[0.5], [1.0]],)]),
    # ---- reductions: J from a vector a = (a_1, a_2, a_3); the text is ∂J/∂a_i
    Case("sum", ("a",), lambda a: a.sum(), ("1",), [([0.5, -1.0, 2.0],)]),
    Case("sum", ("a",), lambda a: a.sum(axis=0, keepdims=True), ("1",), [([0.5, -1.0, 2.0],)]),
    Case("mean", ("a",), lambda a: a.mean(), ("1/3",), [([0.5, -1.0, 2.0],)]),
    Case("mean", ("a",), lambda a: a.mean(axis=1), ("1/4",),
         [([[0.5, -1.0, 2.0, 3.0], [1.0, 2.0, 4.0, 8.0]],)]),  # two means of four each
    Case("max", ("a",), lambda a: ops.max(a), NO_TEXT, [([0.5, -1.0, 2.0],)]),
    Case("min", ("a",), lambda a: ops.min(a), NO_TEXT, [([0.5, -1.0, 2.0],)]),
    # Π others: the product of the other elements, written out here (others[i] = a without
    # a_i), with a zero in the second case (there J/a would be 0/0).
    Case("prod", ("a",), lambda a: ops.prod(a), ("Π others",), [([2.0, -3.0, 0.5],)],
         constants={"others": [[-3.0, 0.5], [2.0, 0.5], [2.0, -3.0]]}),
    Case("prod", ("a",), lambda a: ops.prod(a), ("Π others",), [([0.0, 2.0, 3.0],)],
         constants={"others": [[2.0, 3.0], [0.0, 3.0], [0.0, 2.0]]}),
    # μ the mean of a (1.25), N its count; ddof 0 and 1 tell N - ddof from N.
    Case("var", ("a",), lambda a: ops.var(a), ("2·(a - μ)/(N - ddof)",),
         [([0.5, -1.0, 2.0, 3.5],)], constants={"μ": 1.25, "N": 4, "ddof": 0}),
    Case("var", ("a",), lambda a: ops.var(a, ddof=1), ("2·(a - μ)/(N - ddof)",),
         [([0.5, -1.0, 2.0, 3.5],)], constants={"μ": 1.25, "N": 4, "ddof": 1}),
    Case("std", ("a",), lambda a: ops.std(a), ("(a - μ)/((N - ddof)·J)",),
         [([0.5, -1.0, 2.0, 3.5],)], constants={"μ": 1.25, "N": 4, "ddof": 0}),
    Case("std", ("a",), lambda a: ops.std(a, ddof=1), ("(a - μ)/((N - ddof)·J)",),
         [([0.5, -1.0, 2.0, 3.5],)], constants={"μ": 1.25, "N": 4, "ddof": 1}),
    Case("logsumexp", ("a",), lambda a: ops.logsumexp(a), ("e^(a - J)",),
         [([0.5, -1.0, 2.0],), (0.5,)]),
    # s_i = a_1 + ... + a_i: ds_i/da_j is [j ≤ i], not one number for every element.
    Case("cumsum", ("a",), lambda a: ops.cumsum(a), NO_TEXT, [([0.5, -1.0, 2.0],)]),
    # ---- products and the fused steps
    Case("matmul", ("a", "b"), lambda a, b: a @ b, (None, None), [([[1.0, 2.0]], [[3.0], [4.0]])]),
    # einsum writes the product of the other operands: the derivative where every operand
    # has the same subscripts (an elementwise product, a dot product, a sum).
    Case("einsum", ("a", "b"), lambda a, b: ops.einsum("i,i->i", a, b), ("b", "a"),
         [([0.5, -1.0], [2.0, 3.0])]),
    Case("einsum", ("a", "b"), lambda a, b: ops.einsum("i,i->", a, b), ("b", "a"),
         [([0.5, -1.0], [2.0, 3.0])]),
    Case("einsum", ("a",), lambda a: ops.einsum("ij->i", a), ("1",), [([[0.5, -1.0]],)]),
    # Otherwise an element of the output depends on other elements than its own: no text
    # (the product of the others, b for "ij,jk->ik" or 1 for the trace, was wrong).
    Case("einsum", ("a", "b"), lambda a, b: ops.einsum("ij,jk->ik", a, b), (None, None),
         [([[1.0, 2.0]], [[3.0], [4.0]])]),
    Case("einsum", ("a",), lambda a: ops.einsum("ii->", a), NO_TEXT, [([[1.0, 2.0], [3.0, 4.0]],)]),
    Case("einsum", ("a",), lambda a: ops.einsum("ij->ji", a), NO_TEXT, [([[1.0, 2.0]],)]),
    Case("linear", ("W", "A", "b"), ops.linear, (None, None, None),
         [([[1.0, 2.0]], [[3.0], [4.0]], [[0.5]])]),
    Case("binary_cross_entropy", ("A", "Y"), ops.binary_cross_entropy, (None, None),
         [([[0.25]], [[1.0]])]),
    Case("binary_cross_entropy_with_logits", ("Z", "Y"), ops.binary_cross_entropy_with_logits,
         (None, None), [([[0.25]], [[1.0]])]),
    Case("softmax_cross_entropy", ("Z", "Y"), ops.softmax_cross_entropy, (None, None),
         [([[0.25], [1.0]], [[0.0], [1.0]])]),
    # ---- shapes
    Case("reshape", ("a",), lambda a: a.reshape(1, 2), NO_TEXT, [([1.0, 2.0],)]),
    Case("transpose", ("a",), lambda a: a.T, NO_TEXT, [([[1.0, 2.0]],)]),
    Case("getitem", ("a",), lambda a: a[1], NO_TEXT, [([1.0, 2.0],)]),
    Case("scatter_add", ("a",), _scatter_add, NO_TEXT, [(2.0,)]),
    Case("broadcast_to", ("a",), lambda a: ops.broadcast_to(a, (2, 2)), NO_TEXT, [([1.0, 2.0],)]),
    Case("concatenate", ("a", "b"), lambda a, b: ops.concatenate([a, b]), (None, None),
         [([1.0], [2.0])]),
    Case("stack", ("a", "b"), lambda a, b: ops.stack([a, b]), (None, None), [(1.0, 2.0)]),
    Case("flip", ("a",), lambda a: ops.flip(a), NO_TEXT, [([1.0, 2.0],)]),
    Case("repeat", ("a",), lambda a: ops.repeat(a, 2), NO_TEXT, [([1.0, 2.0],)]),
    Case("tile", ("a",), lambda a: ops.tile(a, 2), NO_TEXT, [([1.0, 2.0],)]),
    # y = a inside a border of constants: dy/da = 1 where a sits (the border has no input).
    Case("pad", ("a",), lambda a: ops.pad(a, 1), ("1",), [([1.0, -2.0],), (3.0,)]),
]

TEXT_CASES = [case for case in TABLE if any(t is not None for t in case.texts)]


def build(case: Case, point: tuple[Any, ...]) -> tuple[al.Tensor, list[al.Tensor]]:
    leaves = [al.Tensor(v, requires_grad=True, name=n, dtype=case.dtype)
              for n, v in zip(case.names, point)]
    return case.make(*leaves), leaves


def numerical_derivative(case: Case, point: tuple[Any, ...], position: int) -> np.ndarray:
    """∂(Σ J)/∂input by differences, element by element (J itself for one element)."""
    values = [np.array(v, dtype=np.float64) for v in point]
    x = values[position]
    result = np.zeros_like(x)
    with al.no_grad():
        def J() -> float:
            out = case.make(*[al.Tensor(v.copy(), dtype=case.dtype) for v in values])
            return float(np.sum(np.asarray(out.data, dtype=np.float64)))

        for index in np.ndindex(x.shape):
            original = x[index]
            x[index] = original + case.eps
            plus = J()
            x[index] = original - case.eps
            minus = J()
            x[index] = original
            result[index] = (plus - minus) / (2 * case.eps)
    return result


def printed_texts(root: al.Tensor, leaves: list[al.Tensor]) -> list[str | None]:
    """The text printed for each leaf (the op's other inputs are constants, such as the 2
    of a ** 2: no gradient, no line)."""
    layout = GraphLayout(root, max_nodes=None)
    positions = [next(i for i, p in enumerate(root.parents) if p is leaf) for leaf in leaves]
    return [local_derivative_text(layout, root, i) for i in positions]


# =========================================================================== the tests


def test_every_primitive_has_a_case():
    covered = {case.op for case in TABLE}
    missing = sorted(set(ops.primitives()) - covered)
    assert not missing, (
        f"no case in tests/test_derivative_text.py's TABLE for {missing}: add one per op, "
        "with its derivative texts as printed (None where it has none) and a point"
    )
    assert not covered - set(ops.primitives()), "cases of ops that no longer exist"


@pytest.mark.parametrize("case", TABLE, ids=lambda c: c.id)
def test_each_case_applies_its_op_and_prints_the_texts_of_the_table(case):
    for point in case.points:
        root, leaves = build(case, point)
        assert root.op == case.op and root.primitive is ops.primitives()[case.op]
        inputs = [p for p in root.parents if p.requires_grad]
        assert inputs == leaves, "the op's inputs must be the case's leaves, in order"
        assert printed_texts(root, leaves) == list(case.texts)


@pytest.mark.parametrize("case", TEXT_CASES, ids=lambda c: c.id)
def test_each_text_has_the_value_of_the_derivative(case):
    for point in case.points:
        root, leaves = build(case, point)
        values = {name: np.asarray(v, dtype=np.float64) for name, v in zip(case.names, point)}
        values["J"] = np.asarray(root.data, dtype=np.float64)
        values.update(case.constants)
        for position, text in enumerate(case.texts):
            expected = numerical_derivative(case, point, position)
            claimed = np.broadcast_to(evaluate(text, values), expected.shape)
            np.testing.assert_allclose(
                claimed, expected, rtol=1e-6, atol=1e-9,
                err_msg=f"{case.op}: the text {text!r} for input {case.names[position]} "
                        f"at {point} is {claimed}, but the derivative is {expected}",
            )


@pytest.mark.parametrize("case", TEXT_CASES, ids=lambda c: c.id)
def test_the_chain_rule_line_shows_the_text_and_its_value(case):
    """The line ``dJ/da = dJ/dJ · TEXT = 1 · LOCAL = ...`` of the backward frames (and of
    the graph command): LOCAL, the number the VJP gave, is the text's own value."""
    for point in case.points:
        root, _ = build(case, point)
        if root.data.size != 1:
            continue  # the frames print shapes, not numbers, for a larger output
        _, steps = backward_steps(root)
        lines = steps[1].lines
        values = {name: np.asarray(v, dtype=np.float64) for name, v in zip(case.names, point)}
        values["J"] = np.asarray(root.data, dtype=np.float64).reshape(())
        values.update(case.constants)
        for name, text in zip(case.names, case.texts):
            prefix = f"dJ/d{name} = dJ/dJ · {text} = 1 · "
            [line] = [line for line in lines if line.startswith(prefix)]
            local = line[len(prefix):].rsplit(" = ", 1)[0]
            shape = np.shape(point[case.names.index(name)])
            own = format_array(np.broadcast_to(evaluate(text, values), shape))
            if own.startswith("-"):  # a negative factor is bracketed: 1 · (-0.75)
                own = f"({own})"
            assert local == own, f"{line!r}: {text} is {own}"
