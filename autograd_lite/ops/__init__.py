"""The primitives, grouped by family. Each module holds, per op, its forward and its VJP.

Each family module lists its public functions in its own ``__all__``; this package
re-exports them, so adding an op touches its family module only.
"""

from autograd_lite.ops import activations, elementwise, linalg, losses, reductions, shape
from autograd_lite.ops.activations import *  # noqa: F403
from autograd_lite.ops.base import (
    ExpressionForm,
    Primitive,
    ShapeError,
    apply,
    constant,
    primitives,
)
from autograd_lite.ops.elementwise import *  # noqa: F403
from autograd_lite.ops.linalg import *  # noqa: F403
from autograd_lite.ops.losses import *  # noqa: F403
from autograd_lite.ops.reductions import *  # noqa: F403
from autograd_lite.ops.shape import *  # noqa: F403

__all__ = [
    "Primitive", "ShapeError", "apply", "ExpressionForm", "primitives", "constant",
    *activations.__all__, *elementwise.__all__, *linalg.__all__, *reductions.__all__,
    *shape.__all__,
    # The fused layer step and costs, and the helpers nn builds its costs with.
    *losses.__all__,
]
