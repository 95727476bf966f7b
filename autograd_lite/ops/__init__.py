"""The primitives, grouped by family. Each module holds, per op, its forward and its VJP."""

from autograd_lite.ops.activations import (
    leaky_relu,
    log_softmax,
    relu,
    sigmoid,
    softmax,
    tanh,
)
from autograd_lite.ops.base import (
    ExpressionForm,
    Primitive,
    ShapeError,
    apply,
    constant,
    primitives,
)
from autograd_lite.ops.elementwise import (
    abs,
    add,
    astype,
    clip,
    div,
    exp,
    log,
    log1p,
    maximum,
    minimum,
    mul,
    neg,
    power,
    sqrt,
    square,
    sub,
    where,
)
from autograd_lite.ops.linalg import dot, matmul
from autograd_lite.ops.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cost_operands,
    linear,
    softmax_cross_entropy,
)
from autograd_lite.ops.reductions import max, mean, min, sum
from autograd_lite.ops.shape import (
    broadcast_to,
    concatenate,
    getitem,
    reshape,
    stack,
    transpose,
)

__all__ = [
    "Primitive", "ShapeError", "apply", "ExpressionForm", "primitives",
    "abs", "add", "astype", "clip", "div", "exp", "log", "maximum", "minimum", "mul", "neg",
    "power", "sqrt", "sub", "where",
    "leaky_relu", "log_softmax", "relu", "sigmoid", "softmax", "tanh",
    "dot", "matmul", "max", "mean", "min", "sum", "log1p", "square",
    "broadcast_to", "concatenate", "getitem", "reshape", "stack", "transpose",
    # The fused layer step and costs, and the helpers nn builds its costs with.
    "linear", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "softmax_cross_entropy", "cost_operands", "constant",
]
