"""Arithmetic programs for ``autograd-lite graph``: read with :mod:`ast`, never ``eval``-ed.

    >>> parsed = parse_expression("J = 3*(a + b*c)")
    >>> J, tensors = evaluate(parsed, {"a": 5, "b": 3, "c": 2})
    >>> J.item(), [name for name in tensors]
    (33.0, ['a', 'b', 'c', 'u', 'v', 'J'])

The language is the course's scalar arithmetic: names, numbers, ``+ - * / **``,
unary minus, and the element-wise functions of SPEC.md (``exp log sqrt abs tanh
sigmoid relu leaky_relu maximum minimum clip``). An optional ``NAME =`` prefix
names the output (default ``J``). Anything else - attributes, indexing, lambdas,
calls of other names, keyword or starred arguments, names starting with ``_`` -
is refused with an :class:`ExpressionError` before anything runs. Each number and
each operation becomes a Tensor op; Python never computes anything from the text,
so ``9**9**9`` is a float64 overflow (refused), not a huge integer.

A program is several statements, separated by ``;`` or newlines, each ``NAME = ...``:
the course's logistic regression is

    z = w1*x1 + w2*x2 + b; a = sigmoid(z); L = -(y*log(a) + (1-y)*log(1-a))

Each statement's result is one node of the graph, named as written; a later statement
that uses the name uses that node (nothing is copied or inlined). The rules: the **last
statement is the output** (it may be a bare expression, then named ``J``); every other
statement is named and used by a later one; a name is defined once, before it is used,
and never in its own definition; the names a program uses but never defines are its
variables, whose values are given (``w1=0.5``).

Unnamed intermediate results get the letters ``u, v, p, q, r, s``, then ``t1, t2, ...``
in the order of the forward pass (``u = bc``, ``v = a + u``, ...), skipping the names
the program uses and the course's symbols (w, b, x, y, z, a, W, X, Z, A, J, L), as
:mod:`visualize.names` names them in the pictures.
"""

from __future__ import annotations

import ast
import math
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import autograd_lite as al
from autograd_lite import Tensor
from autograd_lite.ops import ExpressionForm, primitives
from visualize.names import COURSE_LETTERS as COURSE_LETTERS  # re-exported
from visualize.names import COURSE_SYMBOLS as COURSE_SYMBOLS  # re-exported
from visualize.names import course_names

#: Longest expression accepted, in characters (a longer one makes an unreadable picture).
MAX_LENGTH = 1000
#: Deepest nesting accepted: parentheses, calls, unary signs and powers inside one another.
#: A flat chain ``a + b - c + ...`` (or ``a * b / c * ...``) is one level however long it
#: is, as it reads; the length limit bounds it.
MAX_DEPTH = 100


class ExpressionError(ValueError):
    """An expression or a variable assignment that cannot be accepted; the message says why."""


# The functions an expression may call, from the primitives themselves: each op that has
# an ExpressionForm (name, tensor arguments, required and optional numbers) is callable as
# autograd_lite.ops.<name>(*tensors, *numbers).
_FORMS: dict[str, ExpressionForm] = {
    form.name: form
    for form in sorted(
        (p.expression for p in primitives().values() if p.expression is not None),
        key=lambda form: form.name,
    )
}

#: The functions an expression may call.
FUNCTIONS: tuple[str, ...] = tuple(_FORMS)

_ALLOWED_SUMMARY = (
    "numbers, names, + - * / **, unary minus and the functions " + ", ".join(FUNCTIONS)
)

_BINARY_OPERATORS: dict[type, str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
}

_OPERATOR_SYMBOLS: dict[type, str] = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Invert: "~",
    ast.Not: "not",
}

# What is refused, as the subject of "... not allowed".
_DESCRIPTIONS: dict[type, str] = {
    ast.Attribute: "attribute access (x.name) is",
    ast.Subscript: "indexing (x[...]) is",
    ast.Lambda: "lambda is",
    ast.Starred: "starred arguments (*x) are",
    ast.Compare: "comparisons are",
    ast.BoolOp: "and/or are",
    ast.IfExp: "conditional expressions (x if c else y) are",
    ast.List: "lists are",
    ast.Tuple: "tuples are",
    ast.Set: "sets are",
    ast.Dict: "dictionaries are",
    ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "generator expressions are",
    ast.Await: "await is",
    ast.Yield: "yield is",
    ast.YieldFrom: "yield is",
    ast.NamedExpr: "assignment expressions (:=) are",
    ast.JoinedStr: "strings are",
    ast.FormattedValue: "strings are",
    ast.Slice: "slices are",
}


@dataclass(frozen=True)
class Statement:
    """One statement of a program, ``name = tree``: one node of the graph."""

    name: str
    tree: ast.expr

    @property
    def source(self) -> str:
        """The right-hand side as :func:`ast.unparse` writes it: ``3 * (a + b * c)``."""
        return unparse(self.tree)

    def __str__(self) -> str:
        return f"{self.name} = {self.source}"


@dataclass(frozen=True)
class ParsedExpression:
    """A validated expression or program: only the node types of the language, nothing
    evaluated.

    Attributes
    ----------
    text: the text as given.
    statements: the statements in order; the last one is the output.
    variables: the names used but not defined, in order of first appearance.
    """

    text: str
    statements: tuple[Statement, ...]
    variables: tuple[str, ...]

    @property
    def output_name(self) -> str:
        """The name of the result: the last statement's (``J`` when it has none)."""
        return self.statements[-1].name

    @property
    def tree(self) -> ast.expr:
        """The last statement's right-hand side."""
        return self.statements[-1].tree

    @property
    def source(self) -> str:
        """The last statement's right-hand side as :func:`ast.unparse` writes it."""
        return self.statements[-1].source

    @property
    def names(self) -> tuple[str, ...]:
        """The names the statements define, in order (the output last)."""
        return tuple(statement.name for statement in self.statements)

    @property
    def program(self) -> str:
        """Every statement, ``; ``-separated: ``z = w1 * x1 + b; a = sigmoid(z)``."""
        return "; ".join(str(statement) for statement in self.statements)


def _describe(node: ast.AST) -> str:
    for kind, description in _DESCRIPTIONS.items():
        if isinstance(node, kind):
            return description
    return f"'{type(node).__name__}' is"


def _segment(text: str, node: ast.AST) -> str:
    try:
        segment = ast.get_source_segment(text, node)
    except (ValueError, IndexError):  # pragma: no cover - positions always exist for parsed text
        segment = None
    if not segment:
        return ""
    segment = " ".join(segment.split())  # a message is one line
    if len(segment) > 40:
        segment = segment[:37] + "..."
    return f" in '{segment}'"


def _is_reserved(name: str) -> bool:
    return name.startswith("_")


def _numeric_literal(node: ast.AST) -> float | None:
    """The value of a number literal, possibly signed (``-0.5``); None if it is not one."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        if isinstance(node.op, ast.USub):
            sign = -sign
        node = node.operand
    if isinstance(node, ast.Constant) and _is_number(node.value):
        try:
            return sign * float(node.value)
        except OverflowError:  # an integer with more than 308 digits
            return sign * math.inf
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_EXAMPLE = "\"J = 3*(a + b*c)\" or \"z = w*x + b; a = sigmoid(z)\""


def _statement(text: str, node: ast.stmt, last: bool) -> Statement:
    """One statement of the module: ``NAME = expression``, or a bare expression if last."""
    if isinstance(node, ast.Expr):
        if not last:
            raise ExpressionError(
                f"only the last statement may be a bare expression (it is the output, J); "
                f"name the others, NAME = ...{_segment(text, node)}"
            )
        return Statement("J", node.value)
    if isinstance(node, ast.Assign):
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            raise ExpressionError(
                "the part before '=' must be one name, like \"J = 3*(a + b*c)\""
                + _segment(text, node)
            )
        name = node.targets[0].id
        if _is_reserved(name):
            raise ExpressionError(f"the name '{name}' is not allowed (it starts with '_')")
        if name in _FORMS:
            raise ExpressionError(f"the name '{name}' is a function name; choose another")
        return Statement(name, node.value)
    raise ExpressionError(
        "only expressions, optionally named (\"J = ...\"), are allowed; got a statement "
        f"({type(node).__name__.lower()}){_segment(text, node)}"
    )


def _short(statement: Statement | str, limit: int = 60) -> str:
    """A statement as a message quotes it: at most ``limit`` characters."""
    text = str(statement)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_names(statements: Sequence[Statement], used: Sequence[tuple[str, ...]]) -> None:
    """The program's rules: each name defined once, before use, never in its own
    definition; every statement but the last used by a later one."""
    defined_at = {}
    for index, statement in enumerate(statements):
        if statement.name in defined_at:
            raise ExpressionError(
                f"{statement.name} is defined twice; give each step its own name"
            )
        defined_at[statement.name] = index
    for index, (statement, names) in enumerate(zip(statements, used)):
        for name in names:
            if name == statement.name:
                raise ExpressionError(
                    f"{name} is used in its own definition ({_short(statement)}); a name is given "
                    "once, to the step that computes it"
                )
            if defined_at.get(name, -1) > index:
                raise ExpressionError(
                    f"{name} is used (in {statement.name} = ...) before it is defined; "
                    "define it on an earlier statement"
                )
    used_anywhere = {name for names in used for name in names}
    for statement in statements[:-1]:  # a use is always later: checked above
        if statement.name not in used_anywhere:
            raise ExpressionError(
                f"{statement.name} is computed but never used: every statement but the last "
                f"must be used by a later one (the last, {statements[-1].name}, is the output)"
            )


def _check_length_and_nesting(text: str) -> None:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text):,} characters long; at most {MAX_LENGTH:,} are accepted"
        )
    for char in text:
        if not char.isprintable() and char not in " \t\n\r":
            raise ExpressionError(
                f"the expression contains {char!r}, which is not a printable character"
            )
    depth = 0
    for char in text:
        if char in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ExpressionError(
                    f"the expression nests parentheses more than {MAX_DEPTH} deep"
                )
        elif char in ")]}":
            depth -= 1


def parse_expression(text: str) -> ParsedExpression:
    """Parse and validate an expression or a program (statements separated by ``;`` or
    newlines); raise :class:`ExpressionError` for anything not allowed.

    Nothing in the text is evaluated: the result holds the syntax trees only.
    """
    if not isinstance(text, str):
        raise ExpressionError(f"the expression must be a string; got {type(text).__name__}")
    if not text.strip():
        raise ExpressionError(f"the expression is empty; try {_EXAMPLE}")
    _check_length_and_nesting(text)
    # Each line on its own, so that an indented line of a program is not an IndentationError.
    source = "\n".join(line.lstrip(" \t") for line in text.strip().splitlines())
    try:
        # A SyntaxWarning ("1if", "1and") would print lines of its own: it is an error here.
        with warnings.catch_warnings():
            warnings.simplefilter("error", SyntaxWarning)
            module = ast.parse(source, mode="exec")
    except SyntaxError as err:
        detail = err.msg if isinstance(err.msg, str) else "invalid syntax"
        where = f" (line {err.lineno})" if "\n" in source and err.lineno else ""
        raise ExpressionError(f"cannot parse the expression: {detail}{where}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("cannot parse the expression: it is too deeply nested") from None
    except ValueError as err:  # e.g. a null byte, on versions that do not say SyntaxError
        raise ExpressionError(f"cannot parse the expression: {err}") from None
    if not module.body:
        raise ExpressionError(f"the expression has no statement; try {_EXAMPLE}")
    last = len(module.body) - 1
    statements = [_statement(source, node, i == last) for i, node in enumerate(module.body)]
    used = [_validate(source, statement.tree) for statement in statements]
    _check_names(statements, used)
    defined = {statement.name for statement in statements}
    variables = tuple(dict.fromkeys(n for names in used for n in names if n not in defined))
    if not variables:
        raise ExpressionError(
            "the expression has no variables, so there is nothing to differentiate; "
            "use names like a, b, c and give their values (a=5)"
        )
    for statement, names in zip(statements, used):
        if not names:
            raise ExpressionError(
                f"{_short(statement)} uses no name, so it has no derivative; write the number "
                "where it is used"
            )
    return ParsedExpression(text=text, statements=tuple(statements), variables=variables)


def _validate(text: str, tree: ast.expr) -> tuple[str, ...]:
    """Check every node iteratively; return the variable names in order of appearance."""
    variables: dict[str, None] = {}
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression nests operations more than {MAX_DEPTH} deep")
        children: Sequence[ast.AST] = ()
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY_OPERATORS:
                symbol = _OPERATOR_SYMBOLS.get(type(node.op), type(node.op).__name__)
                raise ExpressionError(
                    f"the operator {symbol} is not allowed{_segment(text, node)}; "
                    "use + - * / **"
                )
            children = (node.left, node.right)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                symbol = _OPERATOR_SYMBOLS.get(type(node.op), type(node.op).__name__)
                raise ExpressionError(
                    f"the operator {symbol} is not allowed{_segment(text, node)}; "
                    "only unary minus (and plus) is"
                )
            children = (node.operand,)
        elif isinstance(node, ast.Call):
            children = _validate_call(text, node)
        elif isinstance(node, ast.Name):
            _validate_name(text, node)
            variables.setdefault(node.id, None)
        elif isinstance(node, ast.Constant):
            _validate_constant(text, node)
        else:
            raise ExpressionError(
                f"{_describe(node)} not allowed{_segment(text, node)}; "
                f"an expression may use only {_ALLOWED_SUMMARY}"
            )
        # Reversed so that the left-most child is checked (and its names recorded) first.
        for child in reversed(children):
            stack.append((child, depth + _nesting(node, child)))
    return tuple(variables)


#: Operators that chain left to right at one level: a + b - c, a * b / c.
_CHAINS: tuple[tuple[type, ...], ...] = ((ast.Add, ast.Sub), (ast.Mult, ast.Div))


def _nesting(parent: ast.AST, child: ast.AST) -> int:
    """How many levels ``child`` sits below ``parent``: 0 for the left operand that
    continues a flat chain (the ``a + b`` of ``a + b + c``), else 1."""
    if (
        isinstance(parent, ast.BinOp)
        and isinstance(child, ast.BinOp)
        and child is parent.left
    ):
        for chain in _CHAINS:
            if isinstance(parent.op, chain) and isinstance(child.op, chain):
                return 0
    return 1


def _validate_call(text: str, node: ast.Call) -> Sequence[ast.AST]:
    if not isinstance(node.func, ast.Name):
        raise ExpressionError(
            f"this call is not allowed{_segment(text, node)}; only the functions "
            f"{', '.join(FUNCTIONS)} can be called"
        )
    name = node.func.id
    if name not in _FORMS:
        raise ExpressionError(
            f"unknown function '{name}'{_segment(text, node)}; the functions are "
            + ", ".join(FUNCTIONS)
        )
    if node.keywords:
        keyword = node.keywords[0].arg
        shown = f"{keyword}=..." if keyword else "**..."
        raise ExpressionError(
            f"keyword arguments ({shown}) are not allowed{_segment(text, node)}; "
            f"pass the arguments of {name} in order"
        )
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            raise ExpressionError(f"starred arguments (*x) are not allowed{_segment(text, node)}")
    form = _FORMS[name]
    tensors, optional, required = form.tensors, len(form.optional), len(form.required)
    given = len(node.args)
    if not tensors + required <= given <= tensors + required + optional:
        expected = tensors + required
        if optional:
            expected_text = f"{expected} or {expected + optional} arguments"
        else:
            expected_text = f"{expected} argument{'s' if expected != 1 else ''}"
        raise ExpressionError(f"{name} takes {expected_text}; got {given}{_segment(text, node)}")
    for param in node.args[tensors:]:
        value = _numeric_literal(param)
        if value is None:
            kind = "a number" if optional else "numbers"
            raise ExpressionError(
                f"the {' and '.join(form.required + form.optional)} of {name} must be {kind}"
                f"{_segment(text, param)}"
            )
        if not math.isfinite(value):
            raise ExpressionError(f"the number{_segment(text, param)} is too large for float64")
    return node.args[:tensors]


def _validate_name(text: str, node: ast.Name) -> None:
    if _is_reserved(node.id):
        raise ExpressionError(
            f"the name '{node.id}' is not allowed (names starting with '_' are reserved)"
        )
    if node.id in _FORMS:
        raise ExpressionError(
            f"'{node.id}' is a function; call it, like {node.id}(x){_segment(text, node)}"
        )


def _validate_constant(text: str, node: ast.Constant) -> None:
    if not _is_number(node.value):
        kind = "strings" if isinstance(node.value, (str, bytes)) else type(node.value).__name__
        raise ExpressionError(
            f"only numbers are allowed as constants, not {kind}{_segment(text, node)}"
        )
    too_large = f"the number{_segment(text, node)} is too large for float64"
    try:
        value = float(node.value)
    except OverflowError:
        raise ExpressionError(too_large) from None
    if not math.isfinite(value):
        raise ExpressionError(too_large)


# --------------------------------------------------------------------------- text

# The precedences of ast.unparse, for the operators of the language.
_ARITH, _TERM, _FACTOR, _POWER, _ATOM = range(5)
_BINARY_PRECEDENCE: dict[type, int] = {
    ast.Add: _ARITH, ast.Sub: _ARITH, ast.Mult: _TERM, ast.Div: _TERM, ast.Pow: _POWER,
}


def unparse(tree: ast.expr) -> str:
    """The text of a validated expression, exactly as :func:`ast.unparse` writes it.

    Iterative: ``ast.unparse`` recurses once per level and fails on a flat sum of a
    few hundred terms (``a + a + ... + a`` is a left-deep tree), which the language allows.
    """
    texts: dict[int, tuple[str, int]] = {}  # id(node) -> (text, precedence)
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, children_done = stack.pop()
        children = _operands(node)
        if children and not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(children))
            continue
        if isinstance(node, ast.BinOp):
            precedence = _BINARY_PRECEDENCE[type(node.op)]
            # ** groups right to left, the others left to right.
            right_first = isinstance(node.op, ast.Pow)
            left = _parenthesize(texts.pop(id(node.left)), precedence + right_first)
            right = _parenthesize(texts.pop(id(node.right)), precedence + (not right_first))
            symbol = _BINARY_OPERATORS[type(node.op)]
            texts[id(node)] = (f"{left} {symbol} {right}", precedence)
        elif isinstance(node, ast.UnaryOp):
            sign = "-" if isinstance(node.op, ast.USub) else "+"
            operand = _parenthesize(texts.pop(id(node.operand)), _FACTOR)
            texts[id(node)] = (sign + operand, _FACTOR)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            arguments = ", ".join(texts.pop(id(arg))[0] for arg in node.args)
            texts[id(node)] = (f"{node.func.id}({arguments})", _ATOM)
        elif isinstance(node, ast.Name):
            texts[id(node)] = (node.id, _ATOM)
        elif isinstance(node, ast.Constant):
            texts[id(node)] = (repr(node.value), _ATOM)
        else:  # pragma: no cover - not in a validated expression
            raise ExpressionError(f"{_describe(node)} not allowed")
    return texts[id(tree)][0]


def _operands(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def _parenthesize(entry: tuple[str, int], needed: int) -> str:
    text, precedence = entry
    return f"({text})" if precedence < needed else text


# --------------------------------------------------------------------------- values

_NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def parse_values(items: Iterable[str]) -> dict[str, float]:
    """Read ``NAME=VALUE`` strings (``["a=5", "b=-3.5"]``) into a dict of finite floats."""
    values: dict[str, float] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        name, raw = name.strip(), raw.strip()
        if not sep or not _NAME_PATTERN.match(name):
            raise ExpressionError(f"'{item}' is not NAME=VALUE (for example a=5)")
        if name in values:
            raise ExpressionError(f"{name} is given twice")
        try:
            value = float(raw)
        except ValueError:
            raise ExpressionError(f"the value of {name} must be a number; got '{raw}'") from None
        if not math.isfinite(value):
            raise ExpressionError(f"the value of {name} must be a finite number; got '{raw}'")
        values[name] = value
    return values


# --------------------------------------------------------------------------- evaluation

_BINARY_FUNCTIONS: dict[type, Callable[[Tensor, Tensor], Tensor]] = {
    ast.Add: lambda x, y: x + y,
    ast.Sub: lambda x, y: x - y,
    ast.Mult: lambda x, y: x * y,
    ast.Div: lambda x, y: x / y,
    # A Tensor exponent (not a Python number) keeps the constant in the graph, so the
    # picture shows the 2 of x**2 as a constant node.
    ast.Pow: lambda x, y: x**y,
}


def _call(name: str, tensor_args: list[Tensor], params: list[float]) -> Tensor:
    return getattr(al.ops, name)(*tensor_args, *params)


def _floating_point_message(err: FloatingPointError, node: ast.AST) -> str:
    """What went wrong in ``node``, from NumPy's report: which value is not finite, and why."""
    text = str(err)
    if "overflow" in text:
        return "the result is too large for float64 (overflow)"
    if "divide" in text:
        return _infinite_message(node)
    if "invalid" in text:
        return "the result is not a number (invalid value, e.g. log or sqrt of a negative)"
    if "underflow" in text:  # pragma: no cover - underflow is ignored
        return "underflow"
    return text  # pragma: no cover


def _infinite_message(node: ast.AST) -> str:
    """NumPy says "divide by zero" for every exact infinity: say which one it is."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "log":
            return "the log of 0 is -inf, not a finite number"
        if node.func.id == "log1p":
            return "log1p of -1 (the log of 0) is -inf, not a finite number"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        return "0 to a negative power is inf, not a finite number"
    return "division by zero"


def evaluate(
    parsed: ParsedExpression, values: Mapping[str, Any]
) -> tuple[Tensor, dict[str, Tensor]]:
    """Build and run the forward pass of ``parsed`` with the given variable values.

    Returns the output Tensor and a dict name -> Tensor holding the inputs (in order of
    appearance, ``requires_grad=True``), then every node in forward order: each
    statement's result under its name, unnamed intermediates under ``u, v, p, ...``
    (:func:`visualize.names.course_names`), the output last. Numbers in the expression
    become constant tensors. A name used by several statements is one node.

    Raises :class:`ExpressionError` for a missing or unknown variable, for a forward
    pass that overflows, divides by zero or leaves the real numbers, for a statement
    that computes nothing (``k = +a``), and for an op that refuses its arguments.
    """
    missing = [name for name in parsed.variables if name not in values]
    if missing:
        given = ", ".join(f"{name}=..." for name in missing)
        raise ExpressionError(
            f"no value for {', '.join(missing)}: give {'it' if len(missing) == 1 else 'them'} "
            f"after the expression ({given})"
        )
    computed = [name for name in values if name in parsed.names]
    if computed:
        raise ExpressionError(
            f"{computed[0]} is computed by the program ({computed[0]} = ...), so it takes no "
            f"value; give values to its variables only ({', '.join(parsed.variables)})"
        )
    unknown = [name for name in values if name not in parsed.variables]
    if unknown:
        raise ExpressionError(
            f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not in the expression "
            f"(its variables: {', '.join(parsed.variables)})"
        )
    inputs = {
        name: Tensor(values[name], requires_grad=True, name=name) for name in parsed.variables
    }
    known: dict[str, Tensor] = dict(inputs)
    named: set[int] = {id(t) for t in inputs.values()}
    created: list[Tensor] = []
    with al.enable_grad(), np.errstate(over="raise", divide="raise", invalid="raise"):
        for statement in parsed.statements:
            value, made = _forward(statement.tree, known)
            if value.is_leaf or id(value) in named:
                shown = _short(parsed.source if len(parsed.statements) == 1 else statement)
                raise ExpressionError(
                    f"'{shown}' is a single variable or number; write an operation, "
                    "like 3*a or a + b"
                )
            known[statement.name] = value
            named.add(id(value))
            created.extend(made)
    results = {id(known[name]): name for name in parsed.names}
    tensors: dict[str, Tensor] = dict(inputs)
    letters = course_names([*parsed.variables, *parsed.names])
    for t in created:
        t.name = results.get(id(t)) or next(letters)
        tensors[t.name] = t
    return known[parsed.output_name], tensors


def _forward(tree: ast.expr, known: Mapping[str, Tensor]) -> tuple[Tensor, list[Tensor]]:
    """Evaluate ``tree`` iteratively (post-order, left to right), its names taken from
    ``known``; return (its value, the new nodes in the order they were made)."""
    results: dict[int, Tensor] = {}
    created: list[Tensor] = []
    created_ids: set[int] = set()
    seen: set[int] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack[-1]
        literal = _numeric_literal(node)
        if literal is not None:
            stack.pop()
            results[id(node)] = Tensor(literal)
            continue
        if isinstance(node, ast.Name):
            stack.pop()
            results[id(node)] = known[node.id]
            continue
        children = _tensor_children(node)
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(reversed(children))
            continue
        stack.pop()
        operands = [results.pop(id(child)) for child in children]
        try:
            value = _apply(node, operands)
            # Inputs and numbers are finite, so a value that is not comes from an overflow
            # (or an invalid operation) that NumPy's error state did not see: the ops compute
            # on Python floats where that is exact and fast (a * 1e308 * 10).
            if not np.all(np.isfinite(value.data)):
                kind = "overflow" if np.any(np.isinf(value.data)) else "invalid value"
                raise FloatingPointError(kind)
        except FloatingPointError as err:
            shown = ", ".join(
                f"{name} = {_format_value(known[name])}" for name in _names_in(node)
            )
            where = f" (with {shown})" if shown else ""
            raise ExpressionError(
                f"{unparse(node)}: {_floating_point_message(err, node)}{where}"
            ) from None
        except ValueError as err:  # an op refusing its constants, e.g. clip's low > high
            raise ExpressionError(f"{unparse(node)}: {err}") from None
        if not value.is_leaf and id(value) not in created_ids:  # unary plus makes no node
            created_ids.add(id(value))
            created.append(value)
        results[id(node)] = value
    return results[id(tree)], created


def _format_value(t: Tensor) -> str:
    """A one-element tensor's value as ``%g`` writes it (``0.5``, ``1``, ``-inf``)."""
    return f"{t.item():g}"


def _tensor_children(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args[: _FORMS[node.func.id].tensors])  # type: ignore[attr-defined]
    raise ExpressionError(f"{_describe(node)} not allowed")  # pragma: no cover - validated


def _apply(node: ast.AST, operands: list[Tensor]) -> Tensor:
    if isinstance(node, ast.BinOp):
        return _BINARY_FUNCTIONS[type(node.op)](operands[0], operands[1])
    if isinstance(node, ast.UnaryOp):
        return -operands[0] if isinstance(node.op, ast.USub) else operands[0]
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    name = node.func.id
    tensors = _FORMS[name].tensors
    params = [_numeric_literal(arg) for arg in node.args[tensors:]]
    return _call(name, operands, [p for p in params if p is not None])


def _names_in(node: ast.AST) -> list[str]:
    names: dict[str, None] = {}
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and child.id not in _FORMS:
            names.setdefault(child.id, None)
    return list(names)
