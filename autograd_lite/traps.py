"""The course's two commonest slips, caught by default with a warning that says the fix.

1. **The transposed Y.** A is (1, m) and Y is (m, 1): ``A - Y`` broadcasts to an
   (m, m) table, every example against every other, and the cost and dw come out wrong
   without an error. Every elementwise op of two operands that broadcasts a (1, m) and an
   (m, 1) (m > 1) into an (m, m) warns :class:`BroadcastWarning`. (``strict_shapes()``
   also warns about every other outer product and about rank-1 arrays.)
2. **``w = w - lr * w.grad``.** It makes w a new tensor, the output of an op, whose
   ``.grad`` backward() does not keep: on the next step ``w.grad`` is None. Reading the
   ``.grad`` of such a tensor warns :class:`NonLeafGradWarning`, as PyTorch does.

Both warnings point at the line of your code that did it and, under Python's default
filter, are shown once per line (not at every step of a loop). To silence one::

    import warnings
    warnings.filterwarnings("ignore", category=al.BroadcastWarning)

This module is checked on every op, so it imports nothing of autograd_lite.
"""

from __future__ import annotations

import os
import sys
import warnings

# Frames from files under this directory are the engine's own; the first frame outside it
# is the user's line. The separator keeps a sibling such as "autograd_lite_extra/" outside.
PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


class BroadcastWarning(UserWarning):
    """Broadcasting stretched both operands in different axes (an accidental outer product)."""


class NonLeafGradWarning(UserWarning):
    """``.grad`` was read on a tensor made by an op, which backward() does not fill."""


def warn_in_user_code(warning: Warning) -> None:
    """warnings.warn attributed to the user's line, so that the warning filters and the
    once-per-line registry apply there (a loop warns once, not at every step)."""
    level, frame = 1, sys._getframe(0)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
        PACKAGE_DIR
    ):
        frame = frame.f_back
        level += 1
    warnings.warn(warning, stacklevel=level)


def transposed_pair(
    a: tuple[int, ...], b: tuple[int, ...]
) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """(the (1, m) shape, the (m, 1) shape) when ``a`` and ``b`` are those two, m > 1."""
    if len(a) != 2 or len(b) != 2:
        return None
    if a[0] == 1 == b[1] and a[1] == b[0] > 1:
        return a, b
    if b[0] == 1 == a[1] and b[1] == a[0] > 1:
        return b, a
    return None


def check_transposed_operand(op: str, a: tuple[int, ...], b: tuple[int, ...]) -> None:
    """Warn when the shapes ``a`` and ``b`` are a (1, m) and an (m, 1) with m > 1.

    The ops call it only for two 2-D operands that differ in both axes, which the common
    cases (W A + b; A - Y of one shape; numbers) never are: they pay one test of shapes.
    """
    pair = transposed_pair(a, b)
    if pair is None:
        return
    row, column = pair
    m = row[1]
    warn_in_user_code(BroadcastWarning(
        f"{op}: {a} and {b} broadcast to ({m}, {m}): every example paired with every other, "
        f"not {m} values side by side. If both hold one value per example (A and Y), give "
        f"them the same shape: transpose the {column} one (Y.T) or reshape it to {row} "
        "(Y.reshape(1, -1)). For an intended outer product: "
        "warnings.filterwarnings('ignore', category=al.BroadcastWarning)."
    ))


def warn_grad_of_non_leaf(name: str | None, op: str, shape: tuple[int, ...]) -> None:
    """The warning for reading ``.grad`` of a tensor made by ``op`` that did not retain_grad()."""
    label = f"'{name}'" if name else "this tensor"
    what = name or "w"
    warn_in_user_code(NonLeafGradWarning(
        f".grad of {label} (shape {shape}) is None: it was made by an op ({op}), not created "
        "as a parameter, and backward() fills .grad only on leaves (Tensor(..., "
        "requires_grad=True)) and on tensors that call .retain_grad() first. A slip such as "
        f"`{what} = {what} - lr * {what}.grad` makes a parameter such a tensor. Keep "
        f"parameters leaves: use optim.SGD([{what}], lr).step(), or update the array in "
        f"place: `{what}.data -= lr * {what}.grad` (tensor arithmetic for the step inside "
        "`with al.no_grad():`)."
    ))
