"""The expression language of ``autograd-lite graph``: parsed with ast, never evaluated."""

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as al
from autograd_lite.engine import topological_order
from autograd_lite.expression import (
    COURSE_SYMBOLS,
    MAX_DEPTH,
    ExpressionError,
    course_names,
    evaluate,
    parse_expression,
    parse_values,
)


def test_course_graph_parses_and_runs_forward_and_backward():
    parsed = parse_expression("J = 3*(a + b*c)")
    assert parsed.output_name == "J"
    assert parsed.variables == ("a", "b", "c")
    J, tensors = evaluate(parsed, {"a": 5, "b": 3, "c": 2})
    assert list(tensors) == ["a", "b", "c", "u", "v", "J"]
    assert tensors["u"].item() == 6 and tensors["v"].item() == 11 and J.item() == 33
    assert tensors["u"].op == "mul" and tensors["v"].op == "add" and J.op == "mul"
    J.backward()
    # Hand-derived: dJ/da = 3, dJ/db = 3c, dJ/dc = 3b.
    assert (tensors["a"].grad, tensors["b"].grad, tensors["c"].grad) == (3.0, 6.0, 9.0)


def test_output_name_defaults_to_J_and_can_be_given():
    assert parse_expression("a*b").output_name == "J"
    assert parse_expression("  L = a*b ").output_name == "L"
    _, tensors = evaluate(parse_expression("L = a*b"), {"a": 2, "b": 4})
    assert tensors["L"].item() == 8


def test_intermediates_are_named_in_forward_order_skipping_used_names():
    _, tensors = evaluate(parse_expression("(a*b) + (c*d)"), dict(a=1, b=2, c=3, d=4))
    assert tensors["u"].parents[0].name == "a"
    assert tensors["v"].parents[0].name == "c"
    assert tensors["J"].parents == (tensors["u"], tensors["v"])
    # The variable u takes the letter u: the first intermediate becomes v.
    _, tensors = evaluate(parse_expression("u*b + 1"), dict(u=1, b=2))
    assert [name for name in tensors] == ["u", "b", "v", "J"]
    # Issue 14: w (a course symbol) is never generated.
    assert list(_take(course_names({"v", "q"}), 7)) == ["u", "p", "r", "s", "t1", "t2", "t3"]


def _take(iterator, n):
    return [next(iterator) for _ in range(n)]


def test_numbers_are_constant_nodes_in_the_graph():
    _, tensors = evaluate(parse_expression("x**2 + 3*x"), {"x": 4.0})
    square = tensors["u"]
    assert square.op == "pow"
    exponent = square.parents[1]
    assert exponent.is_leaf and not exponent.requires_grad and exponent.item() == 2
    J = tensors["J"]
    J.backward()
    assert J.item() == 28 and tensors["x"].grad == 2 * 4 + 3
    # A negative literal is one constant, not neg applied to a constant.
    _, tensors = evaluate(parse_expression("-2*x"), {"x": 1.5})
    assert tensors["J"].parents[0].item() == -2 and tensors["J"].op == "mul"


@pytest.mark.parametrize(
    "text, expected, derivative",
    [
        ("exp(x)", np.exp(0.5), np.exp(0.5)),
        ("log(x)", np.log(0.5), 2.0),
        ("sqrt(x)", np.sqrt(0.5), 0.5 / np.sqrt(0.5)),
        ("abs(-x)", 0.5, 1.0),
        ("tanh(x)", np.tanh(0.5), 1 - np.tanh(0.5) ** 2),
        ("sigmoid(x)", 1 / (1 + np.exp(-0.5)), np.exp(-0.5) / (1 + np.exp(-0.5)) ** 2),
        ("relu(x - 1)", 0.0, 0.0),
        ("leaky_relu(x - 1)", -0.005, 0.01),
        ("leaky_relu(x - 1, 0.2)", -0.1, 0.2),
        ("maximum(x, 2*x)", 1.0, 2.0),
        ("minimum(x, 2*x)", 0.5, 1.0),
        ("clip(x, -1, 0.25)", 0.25, 0.0),
        ("x / (1 + x)", 0.5 / 1.5, 1 / 1.5**2),
        ("2 ** x", 2**0.5, 2**0.5 * np.log(2)),
        ("+x - -x", 1.0, 2.0),
    ],
)
def test_functions_and_operators(text, expected, derivative):
    parsed = parse_expression(text)
    J, tensors = evaluate(parsed, {"x": 0.5})
    J.backward()
    assert J.item() == pytest.approx(expected)
    assert tensors["x"].grad == pytest.approx(derivative)


HOSTILE = [
    "__import__('os').system('touch {marker}')",
    "a.__class__",
    "a.__class__.__bases__[0].__subclasses__()",
    "x[0]",
    "lambda: 1",
    "open('{marker}', 'w')",
    "exec('1')",
    "eval('a')",
    "exp(x=a)",
    "exp(*a)",
    "exp(**a)",
    "a if b else c",
    "[a, b]",
    "(a, b)",
    "{a: b}",
    "a < b",
    "a and b",
    "'s' + a",
    "b'x' * a",
    "a // b",
    "a % b",
    "a @ b",
    "~a",
    "not a",
    "__x + 1",
    "_ + 1",
    "exp + 1",
    "(a)(b)",
    "import os",
    "a; b",
    "del a",
    "J = K = a",
    "a.b = 1",
    "J += a",
    "f'{a}'",
    "(x := 1) + a",
    "[a for a in b]",
    "clip(a, b, 1)",
    "leaky_relu(a, 0.1, 2)",
    "maximum(a)",
    "exp(a, b)",
    "J = J * 2",
    "exp = a * 2",
    "",
    "   ",
    "a +",
    "3 * 4",
    "9**9**9",
    "1e999 * a",
    "a * 1" + "0" * 5000,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_anything_else_is_refused_before_anything_runs(text, tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(ExpressionError):
        parse_expression(text.replace("{marker}", str(marker)))
    assert not marker.exists()


def test_messages_say_what_is_not_allowed():
    def message(text):
        with pytest.raises(ExpressionError) as info:
            parse_expression(text)
        return str(info.value)

    assert "attribute access" in message("a.__class__")
    assert "indexing" in message("x[0]")
    assert "lambda" in message("lambda: 1")
    assert "unknown function 'open'" in message("open('f')")
    assert "keyword arguments" in message("exp(x=1)")
    assert "starred" in message("exp(*a)")
    assert "reserved" in message("__import__ + 1")
    assert "//" in message("a // b")
    assert "nothing to differentiate" in message("9**9**9")


@pytest.mark.parametrize(
    "text",
    [
        "-" * 100_000 + "1",
        "(" * 10_000 + "1" + ")" * 10_000,
        "-" * 900 + "a",
        "(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1),
        "exp(" * 300 + "a" + ")" * 300,
        "1" * 100_000,
    ],
)
def test_huge_or_deeply_nested_input_is_refused_quickly(text):
    start = time.perf_counter()
    with pytest.raises(ExpressionError):
        parse_expression(text)
    assert time.perf_counter() - start < 1.0


def test_overflow_in_the_forward_pass_is_refused_quickly():
    parsed = parse_expression("9**9**9 * a")  # valid syntax: numbers and names only
    start = time.perf_counter()
    with pytest.raises(ExpressionError, match="too large"):
        evaluate(parsed, {"a": 1.0})
    assert time.perf_counter() - start < 1.0
    with pytest.raises(ExpressionError, match="division by zero"):
        evaluate(parse_expression("1 / a"), {"a": 0.0})
    with pytest.raises(ExpressionError, match="not a number"):
        evaluate(parse_expression("log(a)"), {"a": -1.0})


def test_missing_and_unknown_variables_are_clear_errors():
    parsed = parse_expression("J = 3*(a + b*c)")
    with pytest.raises(ExpressionError, match="no value for c"):
        evaluate(parsed, {"a": 1, "b": 2})
    with pytest.raises(ExpressionError, match="d is not in the expression"):
        evaluate(parsed, {"a": 1, "b": 2, "c": 3, "d": 4})
    with pytest.raises(ExpressionError, match="single variable"):
        evaluate(parse_expression("+a"), {"a": 1})


def test_parse_values():
    assert parse_values(["a=5", "b = -3.5", "c=1e-3"]) == {"a": 5.0, "b": -3.5, "c": 0.001}
    for bad in (["a"], ["=5"], ["a=x"], ["a=nan"], ["a=inf"], ["a=1", "a=2"], ["1a=2"]):
        with pytest.raises(ExpressionError):
            parse_values(bad)


def test_evaluate_does_not_depend_on_grad_mode():
    with al.no_grad():
        J, _ = evaluate(parse_expression("a*b"), {"a": 2, "b": 3})
    assert not J.is_leaf and J.requires_grad


def test_nothing_is_ever_evaluated_by_python(monkeypatch):
    """eval and exec are never called: not for a course expression, not for a hostile one."""
    import builtins

    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    J, tensors = evaluate(parse_expression("J = 3*(a + b*c) + exp(a) ** 2"),
                          {"a": 0.5, "b": 3, "c": 2})
    J.backward()
    assert tensors["b"].grad == pytest.approx(6.0)
    start = time.perf_counter()
    for text in HOSTILE:
        with pytest.raises(ExpressionError):
            parse_expression(text.replace("{marker}", "/nonexistent/pwned"))
    assert time.perf_counter() - start < 1.0  # every hostile text, together


# ------------------------------------------------------------------ programs (issue 14)

LOGISTIC = "z = w1*x1 + w2*x2 + b; a = sigmoid(z); L = -(y*log(a) + (1-y)*log(1-a))"
LOGISTIC_VALUES = dict(w1=0.5, w2=-0.3, b=0.1, x1=1.0, x2=2.0, y=1.0)


def test_a_program_names_each_statement_and_uses_that_node_once():
    parsed = parse_expression(LOGISTIC)
    assert parsed.names == ("z", "a", "L") and parsed.output_name == "L"
    assert parsed.variables == ("w1", "x1", "w2", "x2", "b", "y")
    L, tensors = evaluate(parsed, LOGISTIC_VALUES)
    assert tensors["L"] is L and L.name == "L"
    a, z = tensors["a"], tensors["z"]
    assert a.name == "a" and a.op == "sigmoid" and a.parents == (z,) and z.name == "z"
    # One sigmoid, used by both logs: nothing inlined. 4 ops for z, 1 for a, 8 for L.
    ops = topological_order(L)  # every op node once
    assert [t.op for t in ops].count("sigmoid") == 1
    assert len(ops) == 13
    logs = [t for t in ops if t.op == "log"]
    assert logs[0].parents[0] is a or logs[1].parents[0] is a
    one_minus_a = [p for t in logs for p in t.parents if len(p.parents) > 1]
    assert any(p.parents[1] is a for p in one_minus_a)  # log(1 - a)
    # Every node appears once in the dict, in forward order, the output last.
    assert list(tensors)[-1] == "L" and len(tensors) == 6 + 13
    assert list(tensors).index("z") < list(tensors).index("a")


@pytest.mark.parametrize("text", [
    LOGISTIC,
    LOGISTIC.replace("; ", "\n"),
    "\n  " + LOGISTIC.replace("; ", "\n    ") + "\n",  # indented, as in a shell script
    LOGISTIC.replace("; ", " ;\n") + ";",
])
def test_statements_are_separated_by_semicolons_or_newlines(text):
    parsed = parse_expression(text)
    assert parsed.program == (
        "z = w1 * x1 + w2 * x2 + b; a = sigmoid(z); L = -(y * log(a) + (1 - y) * log(1 - a))"
    )


def test_the_last_statement_is_the_output_and_may_be_unnamed():
    parsed = parse_expression("z = 2*x; z*z + 1")
    assert parsed.names == ("z", "J")
    J, tensors = evaluate(parsed, {"x": 3.0})
    J.backward()
    # Hand-derived: J = 4x² + 1, dJ/dx = 8x.
    assert J.item() == 37.0 and tensors["x"].grad == 24.0


@pytest.mark.parametrize("text, message", [
    ("z = a*2; z = z + 1", "z is defined twice"),
    ("z = a*2; J = z; z2 = z*z", "never used"),
    ("J = a*z; z = a + 1", "z is used (in J = ...) before it is defined"),
    ("z = z*2", "z is used in its own definition"),
    ("J = J * 2", "J is used in its own definition"),
    ("a*2; J = a + 1", "only the last statement may be a bare expression"),
    ("z = a*2; J = a + 1", "z is computed but never used"),
    ("k = 2*3; J = k*a", "k = 2 * 3 uses no name"),
    ("z = a*2; exp = z + 1", "'exp' is a function name"),
    ("z = a*2; _z = z + 1", "'_z' is not allowed"),
    ("z = a*2; J, K = z, z", "must be one name"),
    ("z = a*2; import os", "got a statement (import)"),
    ("z = a*2\nJ = z +", "line 2"),
    ("# only a comment", "no statement"),
])
def test_program_rules_are_one_clear_error(text, message):
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_a_statement_that_computes_nothing_and_a_value_for_a_computed_name_are_refused():
    with pytest.raises(ExpressionError, match="'k = \\+a' is a single variable"):
        evaluate(parse_expression("k = +a; J = k*2"), {"a": 1.0})
    with pytest.raises(ExpressionError, match="'z2 = \\+z' is a single variable"):
        evaluate(parse_expression("z = a*2; z2 = +z; J = z2 + z"), {"a": 1.0})
    with pytest.raises(ExpressionError, match="z is computed by the program"):
        evaluate(parse_expression("z = a*2; J = z + 1"), {"a": 1.0, "z": 3.0})


def test_generated_names_never_take_the_course_symbols_nor_the_users_names():
    """Issue 14: in the issue's example an intermediate was named w and printed dL/dw."""
    parsed = parse_expression("L = -(y*log(a) + (1-y)*log(1-a))")
    _, tensors = evaluate(parsed, {"a": 0.8, "y": 1.0})
    generated = [name for name in tensors if name not in ("a", "y", "L")]
    assert len(generated) == 7
    assert not set(generated) & COURSE_SYMBOLS
    assert generated == ["u", "v", "p", "q", "r", "s", "t1"]
    # The user's own names are skipped too, whatever they are.
    _, tensors = evaluate(parse_expression("J = u*p + exp(v) * t1"), dict(u=1, p=2, v=0, t1=3))
    assert list(tensors) == ["u", "p", "v", "t1", "q", "r", "s", "J"]


@settings(max_examples=30)
@given(taken=st.sets(st.sampled_from(["u", "v", "p", "q", "r", "s", "t1", "t2", "t3", "w", "W",
                                      "J", "L", "a", "x"]), max_size=12))
def test_course_names_skip_what_is_taken_and_the_course_symbols(taken):
    names = _take(course_names(taken), 12)
    assert len(set(names)) == 12
    assert not set(names) & (taken | COURSE_SYMBOLS)


def test_python_graphs_name_their_intermediates_by_the_same_rule():
    """visualize's names: an MLP-like chain of unnamed results gets u, v, p (no w)."""
    import visualize
    from visualize.graph import GraphLayout

    x = al.Tensor([[1.0], [2.0]], requires_grad=True, name="x")
    W1 = al.Tensor([[0.1, 0.2], [0.3, 0.4]], requires_grad=True, name="W1")
    W2 = al.Tensor([[0.5, -0.5]], requires_grad=True, name="W2")
    J = (W2 @ al.tanh(W1 @ x)).sum()
    layout = GraphLayout(J, max_nodes=None)
    names = [layout.name(t) for t in layout.order if not t.is_leaf]
    assert names == ["u", "v", "p", "J"]
    source = visualize.draw_graph(J).source
    # Each label line is one bold text run (visualize/graph.py): "<B>p = ...</B>".
    assert "<B>p = " in source and "<B>w = " not in source and "<B>w<" not in source


@pytest.mark.parametrize("text, values, message", [
    ("log(a)", {"a": 0.0}, "log(a): the log of 0 is -inf"),
    ("log(a - b)", {"a": 1.0, "b": 1.0}, "log(a - b): the log of 0 is -inf"),
    ("log1p(a)", {"a": -1.0}, "log1p(a): log1p of -1 (the log of 0) is -inf"),
    ("a ** -1", {"a": 0.0}, "0 to a negative power is inf"),
    ("1 / a", {"a": 0.0}, "1 / a: division by zero"),
    # In a program, the value shown is the statement's: a = σ(40) is 1 in float64.
    ("z = 40*x; a = sigmoid(z); L = log(1 - a)", {"x": 1.0},
     "log(1 - a): the log of 0 is -inf, not a finite number (with a = 1)"),
])
def test_an_infinite_value_says_which_one_it_is(text, values, message):
    """Issue 14: log(0) was reported as a "division by zero"."""
    with pytest.raises(ExpressionError) as info:
        evaluate(parse_expression(text), values)
    assert message in str(info.value)
    if "log" in text:
        assert "division" not in str(info.value)
