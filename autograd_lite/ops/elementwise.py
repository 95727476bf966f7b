"""Elementwise arithmetic, with NumPy broadcasting.

Each primitive's docstring gives its local derivatives. Gradients that come out
in the broadcast shape are summed back to each operand's shape by the engine.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.ops import base
from autograd_lite.ops.base import (
    ExpressionForm,
    Primitive,
    apply,
    as_tensor,
    binary_method,
    binary_operands,
    constant,
    implements,
)
from autograd_lite.tensor import Tensor

#: The public functions of this family (re-exported by autograd_lite.ops).
__all__ = [
    "abs",
    "add",
    "astype",
    "clip",
    "cos",
    "div",
    "exp",
    "expm1",
    "log",
    "log1p",
    "maximum",
    "minimum",
    "mul",
    "neg",
    "power",
    "sign",
    "sin",
    "sqrt",
    "square",
    "sub",
    "where",
]


class Add(Primitive):
    """z = a + b;  dz/da = 1, dz/db = 1."""

    name = "add"
    passes_gradient = True
    numbers_as_floats = True
    broadcasts = True
    symbol, formula = "+", "{0} + {1}"
    derivatives = ("1", "1")

    @staticmethod
    def forward(a, b):
        return a + b, None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return g, g


class Sub(Primitive):
    """z = a - b;  dz/da = 1, dz/db = -1."""

    name = "sub"
    numbers_as_floats = True
    broadcasts = True
    symbol, formula = "−", "{0} - {1}"
    derivatives = ("1", "-1")

    @staticmethod
    def forward(a, b):
        return a - b, None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return g, (-g if needs[1] else None)


class Mul(Primitive):
    """z = a * b;  dz/da = b, dz/db = a."""

    name = "mul"
    numbers_as_floats = True
    broadcasts = True
    symbol, formula = "×", "{0}·{1}"
    derivatives = ("{1}", "{0}")

    @staticmethod
    def forward(a, b):
        return a * b, None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        a, b = inputs
        return (g * b if needs[0] else None), (g * a if needs[1] else None)


class Div(Primitive):
    """z = a / b;  dz/da = 1/b, dz/db = -a/b² = -z/b."""

    name = "div"
    broadcasts = True
    symbol, formula = "÷", "{0} / {1}"
    derivatives = ("1/{1}", "-{0}/{1}²")
    backward_hint = "d(a/b)/db = -a/b² is infinite at b = 0."

    @classmethod
    def forward_hint(cls, inputs, out):
        if (inputs[1] == 0).any():
            return "division by zero: a denominator is 0 somewhere."
        return None

    @staticmethod
    def forward(a, b):
        return a / b, None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        _, b = inputs
        da = g / b if needs[0] else None
        db = -(g * out) / b if needs[1] else None
        return da, db


class Neg(Primitive):
    """z = -a;  dz/da = -1."""

    name = "neg"
    symbol, formula = "−", "-{0}"
    derivatives = ("-1",)

    @staticmethod
    def forward(a):
        return -a, None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return (-g,)


class Pow(Primitive):
    """z = a^b;  dz/da = b a^(b-1),  dz/db = z log a.

    At the edges, the limits PyTorch uses: dz/da = 0 where b = 0 (a^0 = 1 is constant, even
    at a = 0, where b a^(b-1) would be 0 · ∞); dz/db = 0 where a = 0 and b ≥ 0 (0^b = 0 is
    constant there). Where PyTorch's z log a is not a number (a < 0, where log a is not
    real; a = 0 with b < 0, where z = ∞ and PyTorch gives -∞), dz/db is taken as 0 too,
    never NaN. A number as exponent (x ** 2) is a constant input, like the 3 of 3 * x.
    """

    name = "pow"
    broadcasts = True
    symbol, formula = "^", "{0}^{1}"
    backward_hint = "d(a^p)/da = p a^(p-1) is infinite at a = 0 when p < 1."

    @classmethod
    def derivative_text(cls, position, out, operands, node):
        a, b = operands
        if position == 1:
            return f"{out}·log {a}"
        exponent = node.parents[1]
        if exponent.is_leaf and not exponent.requires_grad and exponent.data.size == 1:
            k = float(exponent.data.reshape(()).item())  # a number: x ** 2 is 2·x
            return f"2·{a}" if k == 2 else f"{b}·{a}^{k - 1:g}"
        return f"{b}·{a}^({b} - 1)"

    @classmethod
    def forward_hint(cls, inputs, out):
        return "a power overflowed or was taken of a negative base with a fractional exponent."

    @staticmethod
    def forward(a, b):
        return a**b, None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        a, b = inputs
        da = db = None
        if needs[0]:
            constant_at = base.data(b) == 0
            if constant_at.any():  # a^0: read a as 1 there, so that b a^(b-1) = 0 · 1
                a = (where if isinstance(a, Tensor) else np.where)(constant_at, 1.0, a)
            da = g * (b * a ** (b - 1))
        if needs[1]:
            # z log a where a > 0, and 0 elsewhere: both factors are masked, since z is inf
            # where a = 0 and b < 0 (inf · log 1 would be NaN, and so would its derivative).
            a = inputs[0]
            pick = where if isinstance(a, Tensor) else np.where
            real = base.data(a) > 0
            db = g * pick(real, out, 0.0) * base.log(pick(real, a, 1.0))
        return da, db


class Exp(Primitive):
    """a = e^z;  da/dz = e^z = a."""

    name = "exp"
    expression = ExpressionForm("exp")
    derivatives = ("{out}",)

    @classmethod
    def forward_hint(cls, inputs, out):
        return (
            f"exp overflowed (largest input {inputs[0].max():.4g}; e^x is inf above ~709). "
            "For σ(z) use the engine's stable sigmoid() rather than 1 / (1 + exp(-z)); "
            "for softmax use softmax()/log_softmax(), which subtract the max first."
        )

    @staticmethod
    def forward(z):
        return np.exp(z), None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return (g * out,)


class Log(Primitive):
    """a = log z (natural);  da/dz = 1/z."""

    name = "log"
    expression = ExpressionForm("log")
    derivatives = ("1/{0}",)
    backward_hint = "d log z/dz = 1/z is infinite at z = 0: use a loss computed from logits."

    @classmethod
    def forward_hint(cls, inputs, out):
        if (inputs[0] <= 0).any():
            return (
                "log of 0 (or of a negative number). In a cross-entropy, log(A) with A = σ(Z) "
                "reaches log 0 when σ saturates: use nn.binary_cross_entropy_with_logits(Z, Y) "
                "on the logits Z instead of log(sigmoid(Z))."
            )
        return None

    @staticmethod
    def forward(z):
        return np.log(z), None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return (g / inputs[0],)


class Log1p(Primitive):
    """a = log(1 + z), accurate for tiny z;  da/dz = 1/(1 + z)."""

    name = "log1p"
    expression = ExpressionForm("log1p")
    derivatives = ("1/(1 + {0})",)
    backward_hint = "d log(1 + z)/dz = 1/(1 + z) is infinite at z = -1."

    @staticmethod
    def forward(z):
        return np.log1p(z), None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return (g / (1 + inputs[0]),)

    @classmethod
    def forward_hint(cls, inputs, out):
        if (inputs[0] <= -1).any():
            return "log1p of -1 or less: log(1 + z) needs z > -1."
        return None


class Square(Primitive):
    """a = z²;  da/dz = 2z."""

    name = "square"
    expression = ExpressionForm("square")
    formula = "{0}²"
    derivatives = ("2·{0}",)

    @staticmethod
    def forward(z):
        return np.square(z), None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return (g * (2 * inputs[0]),)


class Expm1(Primitive):
    """a = e^z - 1, accurate for tiny z;  da/dz = e^z.

    The derivative is computed as e^z, not as a + 1: for z below about -37, a + 1 rounds
    to 0 while e^z is still a (tiny) number.
    """

    name = "expm1"
    expression = ExpressionForm("expm1")
    derivatives = ("e^{0}",)

    @classmethod
    def forward_hint(cls, inputs, out):
        return (
            f"expm1 overflowed (largest input {inputs[0].max():.4g}; e^x - 1 is inf above "
            "~709)."
        )

    @staticmethod
    def forward(z):
        return np.expm1(z), None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return (g * base.exp(inputs[0]),)


class Sin(Primitive):
    """a = sin z;  da/dz = cos z."""

    name = "sin"
    expression = ExpressionForm("sin")
    derivatives = ("cos({0})",)

    @staticmethod
    def forward(z):
        return np.sin(z), None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        z = inputs[0]
        return (g * (cos(z) if isinstance(z, Tensor) else np.cos(z)),)


class Cos(Primitive):
    """a = cos z;  da/dz = -sin z."""

    name = "cos"
    expression = ExpressionForm("cos")
    derivatives = ("-sin({0})",)

    @staticmethod
    def forward(z):
        return np.cos(z), None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        z = inputs[0]
        return (-(g * (sin(z) if isinstance(z, Tensor) else np.sin(z))),)


class Sign(Primitive):
    """a = sign z (-1, 0 or 1);  da/dz = 0 (a step: flat everywhere but at 0, where NumPy's
    and PyTorch's convention is 0 too). dJ/dz is zeros, even where dJ/da is inf or NaN."""

    name = "sign"
    expression = ExpressionForm("sign")
    derivatives = ("0",)

    @staticmethod
    def forward(z):
        return np.sign(z), None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        zeros = np.zeros(out.shape, base.data(out).dtype)
        return (constant(zeros) if isinstance(g, Tensor) else zeros,)


class Sqrt(Primitive):
    """a = √z;  da/dz = 1 / (2√z) = 1 / (2a)."""

    name = "sqrt"
    expression = ExpressionForm("sqrt")
    derivatives = ("1/(2·{out})",)
    backward_hint = "d√z/dz = 1/(2√z) is infinite at z = 0: add a small epsilon inside the sqrt."

    @classmethod
    def forward_hint(cls, inputs, out):
        return "sqrt of a negative number." if (inputs[0] < 0).any() else None

    @staticmethod
    def forward(z):
        return np.sqrt(z), None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return (g / (2 * out),)


class Abs(Primitive):
    """a = |z|;  da/dz = sign(z) (0 at z = 0)."""

    name = "abs"
    expression = ExpressionForm("abs")
    derivatives = ("sign({0})",)

    @staticmethod
    def forward(z):
        return np.abs(z), None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        return (g * np.sign(base.data(inputs[0])),)


def _selection_text(sign: str, position: int, operands: list[str], node: Tensor) -> str:
    """d max(a, b)/da as written: ``[a > b]`` (1 where a wins, else 0), and where a and b
    tie, the rule that shares the gradient, ``[a > b] + 0.5·[a = b]`` (0.5 each)."""
    mine, other = operands[position], operands[1 - position]
    text = f"[{mine} {sign} {other}]"
    a, b = (base.data(parent) for parent in node.parents)
    if np.any(np.asarray(a) == np.asarray(b)):
        text += f" + 0.5·[{mine} = {other}]"
    return text


class Maximum(Primitive):
    """z = max(a, b) elementwise;  dz/da = 1 where a > b, dz/db = 1 where b > a; ties split ½, ½."""

    name = "maximum"
    broadcasts = True
    expression = ExpressionForm("maximum", tensors=2)
    # Iverson brackets: [a > b] is 1 where a > b, else 0; a tie gives each side ½.
    derivatives = ("[{0} > {1}] + ½[{0} = {1}]", "[{1} > {0}] + ½[{0} = {1}]")

    @classmethod
    def derivative_text(cls, position, out, operands, node):
        return _selection_text(">", position, operands, node)

    @staticmethod
    def forward(a, b):
        return np.maximum(a, b), None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        a, b = base.data(inputs[0]), base.data(inputs[1])
        share_a = (a > b) + 0.5 * (a == b)
        da = g * share_a.astype(a.dtype, copy=False) if needs[0] else None
        db = g * (1 - share_a).astype(b.dtype, copy=False) if needs[1] else None
        return da, db


class Minimum(Primitive):
    """z = min(a, b) elementwise;  dz/da = 1 where a < b, dz/db = 1 where b < a; ties split ½, ½."""

    name = "minimum"
    broadcasts = True
    expression = ExpressionForm("minimum", tensors=2)
    derivatives = ("[{0} < {1}] + ½[{0} = {1}]", "[{1} < {0}] + ½[{0} = {1}]")

    @classmethod
    def derivative_text(cls, position, out, operands, node):
        return _selection_text("<", position, operands, node)

    @staticmethod
    def forward(a, b):
        return np.minimum(a, b), None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        a, b = base.data(inputs[0]), base.data(inputs[1])
        share_a = (a < b) + 0.5 * (a == b)
        da = g * share_a.astype(a.dtype, copy=False) if needs[0] else None
        db = g * (1 - share_a).astype(b.dtype, copy=False) if needs[1] else None
        return da, db


class Where(Primitive):
    """z = a where cond else b;  dz/da = cond, dz/db = not cond (cond is a constant)."""

    name = "where"
    broadcasts = True
    derivatives = ("[cond]", "[not cond]")

    @staticmethod
    def forward(a, b, cond):
        return np.where(cond, a, b), cond

    @staticmethod
    def backward(g, cond, inputs, out, needs):
        da = g * cond if needs[0] else None
        db = g * ~cond if needs[1] else None
        return da, db


class Clip(Primitive):
    """a = clip(z, low, high);  da/dz = 1 where low <= z <= high, else 0."""

    name = "clip"
    expression = ExpressionForm("clip", required=("low", "high"))
    derivatives = ("[low ≤ {0} ≤ high]",)

    @staticmethod
    def forward(z, low, high):
        return np.clip(z, low, high), (low, high)

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        low, high = saved
        z = base.data(inputs[0])
        inside = np.ones(z.shape, dtype=bool)
        if low is not None:
            inside &= z >= low
        if high is not None:
            inside &= z <= high
        return (g * inside,)


class AsType(Primitive):
    """z = a stored in another floating dtype;  dz/da = 1 (dJ/da is dJ/dz in a's dtype)."""

    name = "astype"
    derivatives = ("1",)

    @staticmethod
    def forward(a, dtype):
        return a.astype(dtype), a.dtype

    @staticmethod
    def backward(g, in_dtype, inputs, out, needs):
        return (g.astype(in_dtype),)


# --------------------------------------------------------------------------- functions

def _plain_number(value: Any) -> Any:
    """A NumPy scalar parameter as a Python number.

    NumPy scalars are "strong" under NumPy's promotion rules (NEP 50): float32 data
    times np.float64(0.1) gives float64. Python numbers are "weak" and keep float32.
    """
    return value.item() if isinstance(value, np.generic) else value


_add, _sub, _mul, _div = (binary_method(fn) for fn in (Add, Sub, Mul, Div))


@implements(np.add)
def add(a: Any, b: Any) -> Tensor:
    """a + b with broadcasting."""
    return _add(*binary_operands(a, b))


@implements(np.subtract)
def sub(a: Any, b: Any) -> Tensor:
    """a - b with broadcasting."""
    return _sub(*binary_operands(a, b))


@implements(np.multiply)
def mul(a: Any, b: Any) -> Tensor:
    """a * b elementwise, with broadcasting."""
    return _mul(*binary_operands(a, b))


@implements(np.divide)
def div(a: Any, b: Any) -> Tensor:
    """a / b elementwise, with broadcasting."""
    return _div(*binary_operands(a, b))


@implements(np.negative)
def neg(a: Any) -> Tensor:
    return apply(Neg, (as_tensor(a),))


@implements(np.power)
def power(a: Any, b: Any) -> Tensor:
    """a ** b elementwise, with broadcasting; a number as exponent is a constant (x ** 2)."""
    return apply(Pow, binary_operands(_plain_number(a), _plain_number(b)))


@implements(np.exp)
def exp(x: Any) -> Tensor:
    """e^x elementwise."""
    return apply(Exp, (as_tensor(x),))


@implements(np.log)
def log(x: Any) -> Tensor:
    """Natural logarithm elementwise."""
    return apply(Log, (as_tensor(x),))


@implements(np.log1p)
def log1p(x: Any) -> Tensor:
    """log(1 + x) elementwise, accurate where x is tiny."""
    return apply(Log1p, (as_tensor(x),))


@implements(np.square)
def square(x: Any) -> Tensor:
    """x² elementwise."""
    return apply(Square, (as_tensor(x),))


@implements(np.expm1)
def expm1(x: Any) -> Tensor:
    """e^x - 1 elementwise, accurate where x is tiny."""
    return apply(Expm1, (as_tensor(x),))


@implements(np.sin)
def sin(x: Any) -> Tensor:
    """sin x elementwise (radians)."""
    return apply(Sin, (as_tensor(x),))


@implements(np.cos)
def cos(x: Any) -> Tensor:
    """cos x elementwise (radians)."""
    return apply(Cos, (as_tensor(x),))


@implements(np.sign)
def sign(x: Any) -> Tensor:
    """-1, 0 or 1 elementwise, as NumPy's sign; its gradient is zero."""
    return apply(Sign, (as_tensor(x),))


@implements(np.sqrt)
def sqrt(x: Any) -> Tensor:
    return apply(Sqrt, (as_tensor(x),))


@implements(np.absolute)
def abs(x: Any) -> Tensor:  # noqa: A001 - the public name of SPEC.md
    return apply(Abs, (as_tensor(x),))


@implements(np.maximum)
def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max(a, b) with broadcasting."""
    return apply(Maximum, binary_operands(a, b))


@implements(np.minimum)
def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min(a, b) with broadcasting."""
    return apply(Minimum, binary_operands(a, b))


@implements(np.where)
def where(cond: Any, a: Any, b: Any) -> Tensor:
    """a where cond is true, else b; cond is a boolean array (not differentiated)."""
    cond = np.asarray(base.data(cond), dtype=bool)
    ta, tb = binary_operands(a, b)
    try:
        np.broadcast_shapes(cond.shape, ta.shape, tb.shape)
    except ValueError:
        raise base.ShapeError(
            f"where: cond {cond.shape}, a {ta.shape} and b {tb.shape} cannot be broadcast together"
        ) from None
    return apply(Where, (ta, tb), cond)


@implements(np.clip)
def clip(x: Any, low: float | None, high: float | None) -> Tensor:
    """Limit x to [low, high] (low <= high, neither NaN; ±inf or None: no limit on that
    side); the gradient is zero where x was clipped."""
    if low is None and high is None:
        raise ValueError("clip: give at least one of low and high")
    t = as_tensor(x)
    low, high = _clip_bound(low, t), _clip_bound(high, t)
    _check_clip_bounds(low, high)
    return apply(Clip, (t,), low, high)


def _check_clip_bounds(low: Any, high: Any) -> None:
    for name, bound in (("low", low), ("high", high)):
        if bound is not None and np.isnan(bound).any():
            raise ValueError(f"clip: {name} must be a number, not NaN; got {bound!r}")
    if low is None or high is None:
        return
    try:
        wrong = np.asarray(low > high)
    except ValueError:  # bounds that do not broadcast: apply names the shapes
        return
    if wrong.any():
        if wrong.ndim:  # array bounds: show the first pair in the wrong order
            where = tuple(int(i[0]) for i in np.nonzero(wrong))
            low_at, high_at = np.broadcast_arrays(low, high)
            shown = f"low {low_at[where].item()!r} > high {high_at[where].item()!r} at {where}"
        else:
            shown = f"low = {low!r} > high = {high!r}"
        raise ValueError(f"clip: low must be <= high; got {shown}")


def _clip_bound(bound: Any, like: Tensor) -> Any:
    # Bounds are constants; an array bound takes x's dtype so float32 stays float32.
    if isinstance(bound, np.generic):  # before float: np.float64 is a float subclass
        return bound.item()
    if bound is None or isinstance(bound, (int, float)):
        return bound
    return np.asarray(base.data(bound), dtype=like.dtype)


def astype(x: Any, dtype: Any) -> Tensor:
    """x converted to another floating dtype (float64, float32); differentiable."""
    t = as_tensor(x)
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"astype: dtype must be floating (float64, float32); got {dtype}")
    if t.dtype == dtype:
        return t
    return apply(AsType, (t,), dtype)
