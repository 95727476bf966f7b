"""A fuzzer of ``autograd-lite graph``'s expression language (issue 16) and programs
(issue 14).

Random token strings (most of them not expressions at all, many hostile), random
syntax trees of the language (valid expressions, with random values, extreme ones
included) and random programs (statements using earlier ones, separated by ``;`` or
newlines, connected or not) go through the command's ``main`` in-process, and a few through the real
console entry in a subprocess. Whatever the input:

- no traceback, and no exception escapes ``main``;
- the exit status is 0 (the graph was computed and printed) or 2 (refused);
- a refusal is one line on stderr, ``autograd-lite graph: ...``, and nothing on stdout;
- it ends: a guard fails the test if one call takes minutes (towers of powers like
  ``9**9**9**9``, long chains and deep nesting are bounded by the language's limits,
  not by luck). The guard is a hang detector, far above any real run, not a speed test.

Quick by default (a few seconds); HYPOTHESIS_PROFILE=long runs twenty times as many.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import signal
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from autograd_lite.cli import main
from autograd_lite.expression import (
    _FORMS,
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    ExpressionError,
    parse_expression,
)

REPO = Path(__file__).resolve().parent.parent
#: A call that has not returned after this long is a hang (a real one takes milliseconds).
HANG_SECONDS = 120
relaxed = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class Hang(Exception):
    pass


@contextlib.contextmanager
def hang_guard(seconds: int = HANG_SECONDS):
    """Raise Hang in the main thread if the block runs past ``seconds`` (POSIX only)."""
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(signum, frame):
        raise Hang(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_graph(expression: str, values: list[str]) -> tuple[int, str, str]:
    """``autograd-lite graph -- EXPRESSION VALUES...`` in-process: (status, stdout, stderr).

    A warning that a real process would print (a SyntaxWarning of the parser, NumPy's
    RuntimeWarning) is added to stderr as the line it would be there.
    """
    out, err = io.StringIO(), io.StringIO()
    with hang_guard(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # "--": an expression that starts with "-" is not an option.
        code = main(["graph", "--", expression, *values])
    shown = [w for w in caught if not issubclass(w.category, DeprecationWarning)
             and not issubclass(w.category, PendingDeprecationWarning)]
    printed = "".join(f"{w.category.__name__}: {w.message}\n" for w in shown)
    return code, out.getvalue(), printed + err.getvalue()


def check_outcome(code: int, out: str, err: str) -> None:
    assert "Traceback" not in out + err
    assert code in (0, 2), (code, err)
    if code == 0:
        assert "Derivatives d" in out and err == "", err
        forward = out.split("Backward pass")[0]
        assert "inf" not in forward and "nan" not in forward, forward  # refused instead
    else:
        assert out == "", out
        assert err.startswith("autograd-lite graph: "), err
        assert err.endswith("\n") and err.count("\n") == 1, err


# ------------------------------------------------------------------ token strings

NAMES = ["a", "b", "c", "x", "u", "v", "t1", "J", "L", "_a", "__import__", "os", "é", "σ"]
NUMBERS = [
    "0", "1", "2", "2.5", ".5", "1e308", "1e309", "1e-320", "9", "10", "0x10", "1_0", "1j",
    "007", "9" * 400, "1" * 30, "1e999", "-1", "nan", "inf", "True", "None",
]
OPERATORS = [
    "+", "-", "*", "/", "**", "//", "%", "@", "<<", ">>", "&", "|", "^", "~", "not", "and",
    "or", "<", "==", "!=", "is", "in", "=", ":=", "+=",
]
PUNCTUATION = ["(", ")", ",", "[", "]", "{", "}", ":", ".", ";", "...", "*", "**", "'s'",
               '"', "#", "\\", "lambda", "if", "else", "for", "yield", "await", "import"]
SPACE = [" ", "", "\t", "\n", "\x00", "\x1b", "\u200b", "\udcff"]
TOKENS = NAMES + NUMBERS + OPERATORS + PUNCTUATION + list(FUNCTIONS) + ["print", "eval"]

token_strings = st.lists(
    st.tuples(st.sampled_from(TOKENS), st.sampled_from(SPACE[:3] * 6 + SPACE)), max_size=40
).map(lambda pairs: "".join(token + space for token, space in pairs))

numbers = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e308, -1e308, 5e-324, 1e-300, 710.0, -745.0]),
)
number_texts = st.one_of(
    numbers.map(repr),
    st.sampled_from(["nan", "inf", "-inf", "x", "", "1e999", "9" * 400, "0x1p3", "1_0"]),
)
value_lists = st.lists(
    st.tuples(st.sampled_from(NAMES + ["", "1a", "a b"]), number_texts), max_size=5
).map(lambda pairs: [f"{name}={value}" for name, value in pairs])


# ----------------------------------------------------------------- syntax trees

VARIABLES = ["a", "b", "c", "u", "t1"]
leaves = st.one_of(
    st.sampled_from(VARIABLES).map(lambda name: ast.Name(id=name, ctx=ast.Load())),
    st.one_of(st.integers(0, 10**400), st.floats(0, 1e308)).map(lambda n: ast.Constant(n)),
)


def _binary(children):
    ops = st.sampled_from([ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow])
    return st.builds(lambda op, left, right: ast.BinOp(left, op(), right), ops, children,
                     children)


def _unary(children):
    return st.builds(lambda op, operand: ast.UnaryOp(op(), operand),
                     st.sampled_from([ast.USub, ast.UAdd]), children)


@st.composite
def _call(draw, children):
    form = _FORMS[draw(st.sampled_from(FUNCTIONS))]
    args = [draw(children) for _ in range(form.tensors)]
    extra = len(form.required) + draw(st.integers(0, len(form.optional)))
    for _ in range(extra):
        constant = ast.Constant(draw(st.one_of(numbers.map(abs), st.integers(0, 10**400))))
        args.append(ast.UnaryOp(ast.USub(), constant) if draw(st.booleans()) else constant)
    return ast.Call(ast.Name(id=form.name, ctx=ast.Load()), args, [])


trees = st.recursive(
    leaves, lambda children: st.one_of(_binary(children), _unary(children), _call(children)),
    max_leaves=25,
)


def _text(tree: ast.expr) -> str:
    return ast.unparse(ast.fix_missing_locations(ast.Expression(tree)))


@relaxed
@given(tree=trees, values=st.fixed_dictionaries({name: numbers for name in VARIABLES}),
       output=st.sampled_from(["", "J = ", "L = ", "w = "]))
def test_random_expressions_end_in_a_result_or_one_line(tree, values, output):
    text = output + _text(tree)
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    used = [name for name in VARIABLES if name in names]
    code, out, err = run_graph(text, [f"{name}={values[name]!r}" for name in used])
    check_outcome(code, out, err)
    if code == 0:
        for name in used:  # the derivative of every input is printed
            assert f"/d{name} = " in out


@relaxed
@given(tree=trees)
def test_the_text_of_an_expression_is_ast_unparse_without_recursion(tree):
    from autograd_lite.expression import unparse  # new in issue 16

    assert unparse(tree) == ast.unparse(tree)
    text = _text(tree)
    assume(len(text) <= MAX_LENGTH)
    try:
        parsed = parse_expression(text)
    except ExpressionError:
        return  # a number too large, or no variable: refused, and tested above
    assert parsed.source == ast.unparse(parsed.tree)


@st.composite
def mutated_expressions(draw):
    """A valid expression with a few tokens inserted, replaced or deleted: near misses,
    which get further into the parser than random text."""
    text = _text(draw(trees))
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 3)))
        text = text[:i] + draw(st.sampled_from(TOKENS + SPACE)) + text[j:]
    return text


@relaxed
@given(expression=st.one_of(token_strings, st.text(max_size=60), mutated_expressions()),
       values=value_lists)
def test_random_token_strings_end_in_a_result_or_one_line(expression, values):
    check_outcome(*run_graph(expression, values))


# ---------------------------------------------------------------- programs (issue 14)

#: A program's variables, and the names its statements may take: course symbols and
#: the letters and t-names the generator would otherwise give its intermediates.
PROGRAM_VARIABLES = ["w", "x", "b", "y"]
STATEMENT_NAMES = ["z", "a", "u", "p", "t1", "h"]
SEPARATORS = ["; ", ";", "\n", "\n   ", " ;\n", "\r\n"]


def _program_leaves(names):
    name = st.sampled_from(names).map(lambda name: ast.Name(id=name, ctx=ast.Load()))
    number = st.one_of(st.integers(0, 10), st.floats(0, 1e308)).map(lambda n: ast.Constant(n))
    return st.one_of(name, name, number)


@st.composite
def programs(draw):
    """(statements [(name, tree)], separator): each statement may use the variables and
    the earlier statements' names; mostly connected (every statement used later), sometimes
    not, so that the program's rules are met or refused."""
    count = draw(st.integers(1, 4))
    names = draw(st.permutations(STATEMENT_NAMES))[:count - 1]
    names.append(draw(st.sampled_from(["L", "J", ""])))
    statements = []
    for index, name in enumerate(names):
        leaves = _program_leaves(PROGRAM_VARIABLES + names[:index])
        tree = draw(st.recursive(
            leaves, lambda c: st.one_of(_binary(c), _unary(c), _call(c)), max_leaves=6))
        if not any(isinstance(node, ast.Name) and node.id not in _FORMS
                   for node in ast.walk(tree)) and draw(
                st.integers(0, 9)) < 9:  # mostly a statement with a name (else: refused)
            tree = ast.BinOp(tree, ast.Mult(), draw(leaves.filter(
                lambda leaf: isinstance(leaf, ast.Name))))
        statements.append((name, tree))
    if draw(st.integers(0, 9)) < 9:  # connect: the last statement uses every unused name
        used = {node.id for _, tree in statements for node in ast.walk(tree)
                if isinstance(node, ast.Name)}
        name, tree = statements[-1]
        for unused in names[:-1]:
            if unused not in used:
                tree = ast.BinOp(tree, ast.Add(), ast.Name(id=unused, ctx=ast.Load()))
        statements[-1] = (name, tree)
    return statements, draw(st.sampled_from(SEPARATORS))


def _program_text(statements, separator):
    return separator.join((f"{name} = " if name else "") + _text(tree)
                          for name, tree in statements)


def _inlined(statements):
    """The program as one expression: each name replaced by its statement's tree."""
    import copy

    trees = {}
    for name, tree in statements:
        tree = copy.deepcopy(tree)
        for node in ast.walk(tree):
            for field, value in ast.iter_fields(node):
                if isinstance(value, ast.Name) and value.id in trees:
                    setattr(node, field, copy.deepcopy(trees[value.id]))
                elif isinstance(value, list):
                    value[:] = [copy.deepcopy(trees[v.id]) if isinstance(v, ast.Name)
                                and v.id in trees else v for v in value]
        if isinstance(tree, ast.Name) and tree.id in trees:
            tree = copy.deepcopy(trees[tree.id])
        trees[name] = tree
    return _text(trees[statements[-1][0]])


def _derivatives(out):
    """The names of the "Derivatives" section, in order."""
    section = out.split("Derivatives d")[1].splitlines()[1:]
    return [line.split(" = ")[0].split("/d", 1)[1] for line in section if "/d" in line]


# Half the profile's examples: each one runs the command twice (the program, then inlined).
@settings(relaxed, max_examples=max(1, settings.default.max_examples // 2))
@given(program=programs(),
       values=st.fixed_dictionaries({name: numbers for name in PROGRAM_VARIABLES}))
def test_random_programs_end_in_a_result_or_one_line(program, values):
    statements, separator = program
    text = _program_text(statements, separator)
    names = {node.id for _, tree in statements for node in ast.walk(tree)
             if isinstance(node, ast.Name)}
    used = [name for name in PROGRAM_VARIABLES if name in names]
    given_values = [f"{name}={values[name]!r}" for name in used]
    code, out, err = run_graph(text, given_values)
    check_outcome(code, out, err)
    if code != 0:
        return
    printed = _derivatives(out)
    assert len(printed) == len(set(printed)), printed  # one name, one node
    defined = [name for name, _ in statements[:-1]]
    for name in used + defined:  # every input's and every step's derivative is printed
        assert name in printed, (name, printed)
    generated = set(printed) - set(used) - set(defined)
    assert not generated & {"w", "b", "x", "y", "z", "a", "W", "X", "Z", "A", "J", "L"}
    # The same computation as one expression: the output's value is the same.
    inlined = _inlined(statements)
    if len(inlined) <= MAX_LENGTH:
        code2, out2, _ = run_graph(inlined, given_values)
        if code2 == 0:
            value = out.split("Backward pass")[0].rstrip().rsplit(" = ", 1)[1]
            value2 = out2.split("Backward pass")[0].rstrip().rsplit(" = ", 1)[1]
            assert value == value2, (text, inlined)


@relaxed
@given(statements=st.lists(st.one_of(token_strings, mutated_expressions()), min_size=2,
                           max_size=4),
       separator=st.sampled_from(SEPARATORS + [" = ", ";;", "\n\n"]), values=value_lists)
def test_random_token_programs_end_in_a_result_or_one_line(statements, separator, values):
    check_outcome(*run_graph(separator.join(statements), values))


# ------------------------------------------------ long, deep and explosive on purpose

shapes = st.sampled_from(["tower", "sum", "product", "unary", "calls", "parens", "right"])


def _explosive(shape: str, n: int) -> str:
    if shape == "tower":
        return "**".join(["9"] * n) + "*a"
    if shape == "sum":
        return "+".join(["a"] * n)
    if shape == "product":
        return "*".join(["a"] * n)
    if shape == "unary":
        return "-" * n + "a"
    if shape == "calls":
        return "tanh(" * n + "a" + ")" * n
    if shape == "parens":
        return "(" * n + "a" + ")" * n
    return "a+(" * n + "a" + ")" * n


@relaxed
@given(shape=shapes, n=st.one_of(st.integers(1, 600), st.sampled_from(
    [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, MAX_LENGTH, 10 * MAX_LENGTH])),
    a=st.sampled_from(["0.5", "1", "2", "-3"]))
def test_long_deep_and_explosive_inputs_end_in_a_result_or_one_line(shape, n, a):
    check_outcome(*run_graph(_explosive(shape, n), [f"a={a}"]))


@pytest.mark.parametrize("expression", [
    "9**9**9**9", "9**9**9**9*a", "a**9**9**9", "exp(exp(exp(exp(a))))", "(a+1)**1e308",
    "a/0", "log(a-a)", "sqrt(-a)", "clip(a, 5, 1)", "leaky_relu(a, 1e308)",
    "-" * 99 + "a", "a" + "*a" * 499, "a*1or b", "(a+\n1and b)", "0b1and a",
    # Programs: a name used twice doubles nothing, so squaring towers overflow in a few
    # statements, and a long chain of statements is as long as its text allows.
    "s1 = a*a; " + "; ".join(f"s{i} = s{i - 1}*s{i - 1}" for i in range(2, 12)) + "; J = s11",
    "s1 = a*a; " + "; ".join(f"s{i} = s{i - 1}*s{i - 1}" for i in range(2, 12)) + "; s11 + 1",
    "s0 = a/2\n" + "\n".join(f"s{i} = tanh(s{i - 1})" for i in range(1, 60)) + "\ns59*2",
    "; ".join(f"s{i} = a" for i in range(30)), "s = a*2;; J = s", "s = a*2; J = s = s",
])
def test_the_classic_explosions_end_in_a_result_or_one_line(expression):
    check_outcome(*run_graph(expression, ["a=2"]))


# ---------------------------------------------------------------- real processes

@pytest.mark.parametrize("args, status", [
    (["J = 3*(a + b*c)", "a=5", "b=3", "c=2"], 0),
    (["--", "9**9**9**9*a", "a=1"], 2),
    (["--", "a + \x7f", "a=1"], 2),
])
def test_the_console_entry_never_shows_a_traceback(tmp_path, args, status):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from autograd_lite.cli import main; sys.exit(main())",
         "graph", *args],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=HANG_SECONDS,
    )
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr and "Warning" not in done.stderr
    if status:
        assert len(done.stderr.splitlines()) == 1 and done.stdout == ""
    else:
        assert done.stderr == ""
