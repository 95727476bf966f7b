"""``J.backward()``: the walk of :func:`autograd_lite.engine.backward_pass`, fused into one loop.

:func:`~autograd_lite.engine.backward_pass` is the backward pass as a student reads it.
A training step of a small network spends more time in its Python than in NumPy, so
plain ``backward()`` (no ``create_graph``, no anomaly mode) runs this loop instead. It
visits the same nodes in the same order (decreasing creation number), calls the same
VJPs and fits and adds the same gradients in the same order, so the gradients are the
same bits: tests/test_engine.py checks it for every op of the op table and on fuzzed
graphs. What it does differently, each measured on the J = 3(a + bc) step (about 7.3 µs
for 3 ops on the machine of benchmarks/RESULTS.md, where the walk takes about twice that):

1. **No sort.** Nodes wait in a heap keyed by creation number, the next one held
   outside it (in a chain of ops the heap stays empty); only nodes a gradient reaches
   are touched. Against a topological sort first: 4.0 → 3.2 µs per op.
2. **Leaves are written at once.** A leaf whose ``.grad`` is None gets its array when
   its first gradient arrives (the op's new array, copied only if it is the upstream
   gradient or a view), and is reset to None if the pass fails; a leaf that already has
   a ``.grad`` gets this pass's sum at the end, so a failed pass changes no ``.grad``.
   Against carrying every leaf to the end: −0.35 µs per J step.
3. **Arity spelled out.** One- and two-input VJPs are called with their inputs written
   out, not through a list and a tuple of ``needs``.
4. **Gradients passed on.** A primitive whose derivative is 1 for every input
   (``passes_gradient``: add) hands the upstream gradient on without a VJP call.
5. **Numbers as Python floats.** A primitive marked ``numbers_as_floats`` (add, sub, mul)
   on 0-d arrays of one dtype runs its VJP on ``item()`` values: 0.06 µs against NumPy's
   ~0.4 µs per 0-d operation, to the same bits (see :mod:`autograd_lite.ops.base`).
   A result that is not finite is computed again on the arrays, so that NumPy's error
   settings apply to it as to any other op.
   With the forward's number path (in ``binary_method``): −17% on the J step.
6. **0-d results as arrays.** A NumPy scalar that a VJP returns becomes a 0-d array
   (``scalar * array`` costs 0.47 µs against 0.30 µs for ``array * array``).
7. **One-element sums out of place.** ``a + b`` (0.26 µs), not ``a += b`` (0.81 µs), into
   a one-element array; from two elements on, in place.
"""

from __future__ import annotations

from heapq import heappop, heappush
from typing import Any

import numpy as np

from autograd_lite.engine import (
    _check_differentiable,
    _freed_error,
    _numbering_error,
    _seed,
    accumulate_grad,
    check_grad_buffer,
    unbroadcast,
)
from autograd_lite.tensor import FREED, FREED_NOTHING, Tensor

# Module-level names for the hot loop (one lookup, not two).
_ndarray, _asarray = np.ndarray, np.asarray


def backward(root: Tensor, grad: Any = None, retain_graph: bool = False) -> None:
    """``root.backward(grad, retain_graph)``, fused (see the module's docstring)."""
    upstream = None
    if grad is None and root.requires_grad:
        upstream = _ones.get((root.data.shape, root.data.dtype))  # the common case
    if upstream is None:
        _check_differentiable(root, "backward")
        upstream = _seed(root, grad, "backward")
        if grad is None:  # cached, read-only: the loop copies whatever is `upstream` itself
            upstream.flags.writeable = False
            _ones[(root.data.shape, root.data.dtype)] = upstream
    if root._op is None:  # differentiating a leaf with respect to itself
        check_grad_buffer(root)
        accumulate_grad(root, upstream)
        return
    # tensor -> dJ/dtensor summed so far. Tensors in `owned` hold an array this pass made by
    # adding two gradients, which it may add into in place (made when first needed).
    pending: dict[Tensor, Any] = {root: upstream}
    owned: set[Tensor] | None = None
    # The nodes waiting for their turn (1): `after` has the largest number, `heap` holds the
    # others as (-number, id, node): should two numbers tie, ids are compared, never tensors.
    after: Tensor | None = root
    heap: list[tuple[int, int, Tensor]] = []
    written: set[Tensor] = set()  # (2) leaves whose .grad was None and now holds our array
    late: list[tuple[Tensor, Any]] = []  # (tensor, gradient) to add to .grad at the end
    try:
        while True:
            if after is None:
                if not heap:
                    break
                node = heappop(heap)[2]
            elif heap and heap[0][0] < -after._seq:
                node = heappop(heap)[2]
            else:
                node, after = after, None
            g = pending.pop(node)
            saved = node._saved
            if saved is FREED or saved is FREED_NOTHING:
                raise _freed_error(node)
            if node._retains_grad:
                late.append((node, g))
            parents = node._parents
            op = node._op
            if op.passes_gradient:  # (4)
                grads = (g,) * len(parents)
            elif len(parents) == 2:  # (3)
                p0, p1 = parents
                a, b = p0.data, p1.data
                needs = (p0.requires_grad, p1.requires_grad)
                if (op.numbers_as_floats and not a.ndim and not b.ndim
                        and type(g) is _ndarray is type(a) is type(b) and a.dtype is b.dtype):
                    # (5) numbers: the same rule on Python floats, each result made a 0-d array
                    da, db = op.backward(g.item(), saved, (a.item(), b.item()), None, needs)
                    if (da is not None and da - da) or (db is not None and db - db):
                        # inf or nan: NumPy again, under its error settings (np.errstate)
                        grads = op.backward(g, saved, (a, b), node.data, needs)
                    else:
                        grads = (None if da is None else _asarray(da, a.dtype),
                                 None if db is None else _asarray(db, a.dtype))
                else:
                    grads = op.backward(g, saved, (a, b), node.data, needs)
            elif len(parents) == 1:
                p0 = parents[0]
                grads = op.backward(g, saved, (p0.data,), node.data, (p0.requires_grad,))
            else:
                grads = op.backward(
                    g, saved, tuple([p.data for p in parents]), node.data,
                    tuple([p.requires_grad for p in parents]),
                )
            if not retain_graph:
                node._saved = FREED if saved is not None else FREED_NOTHING
            for parent, grad in zip(parents, grads):
                if grad is None or not parent.requires_grad:
                    continue
                if type(grad) is not _ndarray:  # (6)
                    grad = _asarray(grad)
                # The EdgePlan of engine.py, written out: sum back to shape, cast.
                data = parent.data
                if grad.shape != data.shape:
                    grad = unbroadcast(grad, data.shape)
                if grad.dtype is not data.dtype and grad.dtype != data.dtype:
                    grad = grad.astype(data.dtype)
                if parent._op is None:
                    current = parent._grad
                    if current is None:  # (2), engine.own_array written out
                        if grad.base is not None or grad is g:
                            grad = grad.copy()
                        parent._grad = grad
                        written.add(parent)
                        continue
                    if parent in written:  # this pass's own array
                        if current.size == 1:  # (7)
                            total = current + grad
                            parent._grad = total if type(total) is _ndarray else _asarray(total)
                        else:
                            current += grad
                        continue
                existing = pending.get(parent)
                if existing is None:
                    pending[parent] = grad
                    if parent._op is not None:
                        if parent._seq >= node._seq:
                            raise _numbering_error(node, parent)
                        if after is None:
                            after = parent
                        elif parent._seq > after._seq:
                            heappush(heap, (-after._seq, id(after), after))
                            after = parent
                        else:
                            heappush(heap, (-parent._seq, id(parent), parent))
                elif owned is not None and parent in owned and type(existing) is _ndarray:
                    existing += grad
                else:
                    pending[parent] = existing + grad
                    if owned is None:
                        owned = set()
                    owned.add(parent)
        # Every node has been popped: what is left in `pending` are leaves that already had
        # a .grad; they, and the tensors that retain_grad(), get their sums now, all checked
        # first so that no addition fails halfway.
        if pending:
            late += pending.items()
        for t, _ in late:
            check_grad_buffer(t)
        for t, grad in late:
            accumulate_grad(t, grad)
    except BaseException:
        for leaf in written:
            leaf._grad = None
        raise


_ones: dict[tuple, np.ndarray] = {}
