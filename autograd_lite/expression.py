"""Arithmetic expressions for ``autograd-lite graph``: read with :mod:`ast`, never ``eval``-ed.

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

Intermediate results get the course's letters in the order of the forward pass
(``u = bc``, ``v = a + u``, ...), named by :mod:`visualize.names` as in the pictures.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import autograd_lite as al
from autograd_lite import Tensor
from autograd_lite.ops import ExpressionForm, primitives
from visualize.names import COURSE_LETTERS as COURSE_LETTERS  # re-exported
from visualize.names import course_names

#: Longest expression accepted, in characters (a longer one makes an unreadable picture).
MAX_LENGTH = 1000
#: Deepest nesting accepted (operators and calls inside one another).
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
class ParsedExpression:
    """A validated expression: only the node types of the language, nothing evaluated.

    Attributes
    ----------
    text: the expression as given.
    output_name: the name of the result (the ``NAME =`` prefix, default ``J``).
    tree: the validated :mod:`ast` expression node.
    variables: the variable names, in order of first appearance.
    """

    text: str
    output_name: str
    tree: ast.expr
    variables: tuple[str, ...]

    @property
    def source(self) -> str:
        """The right-hand side, normalised by :func:`ast.unparse` (``3 * (a + b * c)``)."""
        return ast.unparse(self.tree)


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
        return sign * float(node.value)
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _split_assignment(text: str, module: ast.Module) -> tuple[str, ast.expr]:
    if len(module.body) != 1:
        raise ExpressionError("give exactly one expression, like \"J = 3*(a + b*c)\"")
    statement = module.body[0]
    if isinstance(statement, ast.Expr):
        return "J", statement.value
    if isinstance(statement, ast.Assign):
        if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
            raise ExpressionError(
                "the part before '=' must be one name, like \"J = 3*(a + b*c)\""
            )
        name = statement.targets[0].id
        if _is_reserved(name):
            raise ExpressionError(f"the output name '{name}' is not allowed (it starts with '_')")
        if name in _FORMS:
            raise ExpressionError(f"the output name '{name}' is a function name; choose another")
        return name, statement.value
    raise ExpressionError(
        "only an expression, optionally named (\"J = ...\"), is allowed; got a statement "
        f"({type(statement).__name__.lower()})"
    )


def _check_length_and_nesting(text: str) -> None:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text):,} characters long; at most {MAX_LENGTH:,} are accepted"
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
    """Parse and validate ``text``; raise :class:`ExpressionError` for anything not allowed.

    Nothing in the text is evaluated: the result holds the syntax tree only.
    """
    if not isinstance(text, str):
        raise ExpressionError(f"the expression must be a string; got {type(text).__name__}")
    if not text.strip():
        raise ExpressionError("the expression is empty; try \"J = 3*(a + b*c)\"")
    _check_length_and_nesting(text)
    try:
        module = ast.parse(text.strip(), mode="exec")
    except SyntaxError as err:
        detail = err.msg if isinstance(err.msg, str) else "invalid syntax"
        raise ExpressionError(f"cannot parse the expression: {detail}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("cannot parse the expression: it is too deeply nested") from None
    output_name, tree = _split_assignment(text, module)
    variables = _validate(text.strip(), tree)
    if output_name in variables:
        raise ExpressionError(
            f"the output name '{output_name}' is also a variable of the expression; "
            "choose another output name"
        )
    if not variables:
        raise ExpressionError(
            "the expression has no variables, so there is nothing to differentiate; "
            "use names like a, b, c and give their values (a=5)"
        )
    return ParsedExpression(text=text, output_name=output_name, tree=tree, variables=variables)


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
            stack.append((child, depth + 1))
    return tuple(variables)


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
        if _numeric_literal(param) is None:
            kind = "a number" if optional else "numbers"
            raise ExpressionError(
                f"the {' and '.join(form.required + form.optional)} of {name} must be {kind}"
                f"{_segment(text, param)}"
            )
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


def _floating_point_message(err: FloatingPointError) -> str:
    text = str(err)
    if "overflow" in text:
        return "the result is too large for float64 (overflow)"
    if "divide" in text:
        return "division by zero"
    if "invalid" in text:
        return "the result is not a number (invalid value, e.g. log or sqrt of a negative)"
    if "underflow" in text:  # pragma: no cover - underflow is ignored
        return "underflow"
    return text  # pragma: no cover


def evaluate(
    parsed: ParsedExpression, values: Mapping[str, Any]
) -> tuple[Tensor, dict[str, Tensor]]:
    """Build and run the forward pass of ``parsed`` with the given variable values.

    Returns the output Tensor and a dict name -> Tensor holding the inputs (in order of
    appearance, ``requires_grad=True``), the intermediates named ``u, v, w, ...`` in
    forward order, and the output. Numbers in the expression become constant tensors.
    Raises :class:`ExpressionError` for a missing or unknown variable, and for a
    forward pass that overflows, divides by zero or leaves the real numbers.
    """
    missing = [name for name in parsed.variables if name not in values]
    if missing:
        given = ", ".join(f"{name}=..." for name in missing)
        raise ExpressionError(
            f"no value for {', '.join(missing)}: give {'it' if len(missing) == 1 else 'them'} "
            f"after the expression ({given})"
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
    with al.enable_grad(), np.errstate(over="raise", divide="raise", invalid="raise"):
        output, created = _forward(parsed, inputs)
    if output.is_leaf:
        raise ExpressionError(
            f"'{parsed.source}' is a single variable or number; write an operation, "
            "like 3*a or a + b"
        )
    tensors: dict[str, Tensor] = dict(inputs)
    letters = course_names([*parsed.variables, parsed.output_name])
    for t in created:
        if t is output:
            continue
        t.name = next(letters)
        tensors[t.name] = t
    output.name = parsed.output_name
    tensors[output.name] = output
    return output, tensors


def _forward(
    parsed: ParsedExpression, inputs: Mapping[str, Tensor]
) -> tuple[Tensor, list[Tensor]]:
    """Evaluate the tree iteratively (post-order, left to right); return (output, new nodes)."""
    results: dict[int, Tensor] = {}
    created: list[Tensor] = []
    created_ids: set[int] = set()
    seen: set[int] = set()
    stack: list[ast.AST] = [parsed.tree]
    while stack:
        node = stack[-1]
        literal = _numeric_literal(node)
        if literal is not None:
            stack.pop()
            results[id(node)] = Tensor(literal)
            continue
        if isinstance(node, ast.Name):
            stack.pop()
            results[id(node)] = inputs[node.id]
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
        except FloatingPointError as err:
            shown = ", ".join(
                f"{name} = {inputs[name].item():g}" for name in _names_in(node)
            )
            where = f" (with {shown})" if shown else ""
            raise ExpressionError(
                f"{ast.unparse(node)}: {_floating_point_message(err)}{where}"
            ) from None
        except ValueError as err:  # an op's constants refused: clip(a, 5, 1)
            raise ExpressionError(f"{ast.unparse(node)}: {err}") from None
        if not value.is_leaf and id(value) not in created_ids:  # unary plus makes no node
            created_ids.add(id(value))
            created.append(value)
        results[id(node)] = value
    return results[id(parsed.tree)], created


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
