"""autograd-lite: a small, readable, fast reverse-mode autodiff engine on NumPy.

    >>> import autograd_lite as al
    >>> a = al.Tensor(5.0, requires_grad=True, name="a")
    >>> b = al.Tensor(3.0, requires_grad=True, name="b")
    >>> c = al.Tensor(2.0, requires_grad=True, name="c")
    >>> J = 3 * (a + b * c)
    >>> J.backward()
    >>> J.item(), a.grad.item(), b.grad.item(), c.grad.item()
    (33.0, 3.0, 6.0, 9.0)
"""

from autograd_lite.debug import AnomalyError, detect_anomaly, strict_shapes
from autograd_lite.engine import (
    BackwardStep,
    backward_pass,
    grad,
    topological_order,
    value_and_grad,
    vjp,
)
from autograd_lite.grad_mode import enable_grad, is_grad_enabled, no_grad
from autograd_lite.ops import (
    ShapeError,
    abs,
    clip,
    concatenate,
    dot,
    exp,
    leaky_relu,
    log,
    log_softmax,
    matmul,
    max,
    maximum,
    mean,
    minimum,
    relu,
    reshape,
    sigmoid,
    softmax,
    sqrt,
    stack,
    sum,
    tanh,
    transpose,
    where,
)
from autograd_lite.tensor import Tensor
from autograd_lite.traps import BroadcastWarning, NonLeafGradWarning

__version__ = "0.1.0"

__all__ = [
    "Tensor", "ShapeError", "AnomalyError", "detect_anomaly", "strict_shapes",
    "grad", "value_and_grad", "backward_pass", "BackwardStep", "vjp", "topological_order",
    "no_grad", "enable_grad", "is_grad_enabled", "BroadcastWarning", "NonLeafGradWarning",
    "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "leaky_relu",
    "maximum", "minimum", "where", "clip", "matmul", "dot", "sum", "mean", "max",
    "reshape", "transpose", "concatenate", "stack", "softmax", "log_softmax",
]

# NumPy-native (issue 13): the functions NumPy users reach for, with NumPy's arguments.
from autograd_lite.ops import (  # noqa: E402
    argmax,
    argmin,
    cos,
    cumsum,
    einsum,
    expand_dims,
    expm1,
    flatten,
    flip,
    hstack,
    log1p,
    logsumexp,
    min,
    outer,
    pad,
    prod,
    ravel,
    repeat,
    sign,
    sin,
    split,
    square,
    squeeze,
    std,
    tile,
    var,
    vstack,
)

__all__ += [
    "einsum", "outer", "pad", "repeat", "tile", "flip", "split", "vstack", "hstack", "cumsum",
    "min", "prod", "var", "std", "logsumexp", "log1p", "expm1", "sin", "cos", "square", "sign",
    "squeeze", "expand_dims", "flatten", "ravel", "argmax", "argmin",
]

# Built on the engine above (imported last: they use its public names).
from autograd_lite import nn, optim  # noqa: E402
from autograd_lite.check import CompareReport, compare, compare_model, gradcheck  # noqa: E402
from autograd_lite.compile import trace  # noqa: E402

__all__ += ["nn", "optim", "gradcheck", "compare", "trace"]

# Public modules and names that nn, visualize and the CLI use (tests/test_layering.py).
from autograd_lite import data, files, reference  # noqa: E402

__all__ += ["data", "files", "reference", "compare_model", "CompareReport"]
