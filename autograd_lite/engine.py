"""Reverse-mode differentiation: the backward pass, freeing, grad/value_and_grad.

The engine knows nothing about any particular op. For each node, in reverse
topological order, it asks the node's primitive for the vector-Jacobian product
(upstream gradient dJ/dout -> dJ/dinput for each input), sums gradients that were
broadcast back to the input's shape, and adds up the gradients that reach a
tensor along several paths (the chain rule's sum over paths).

The order comes for free: every node is numbered when it is made, and a node's
inputs exist before it, so visiting nodes by decreasing number is a reverse
topological order. The backward pass keeps the nodes that have received a gradient
in a heap and never sorts the graph. :func:`topological_order` is the explicit
depth-first search, for readers and tools that want the whole order at once.

Everything here is iterative, so a chain of 100,000 ops never meets Python's
recursion limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from typing import Any

import numpy as np

from autograd_lite.grad_mode import GradMode, enable_grad
from autograd_lite.tensor import FREED, Tensor, to_array

# Set by autograd_lite.debug while anomaly detection is on: called with (node, upstream
# gradient, input gradients) after every node's backward. None costs one test a node.
_backward_hook: Any = None


def unbroadcast(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum a gradient over the axes that broadcasting added or stretched, back to ``shape``.

    If b (n, 1) was added to Z (n, m), db = Σ_columns dZ: every column used the same b.
    """
    if grad.shape == shape:
        return grad
    key = (grad.shape, shape)
    axes = _unbroadcast_axes.get(key)
    if axes is None:
        extra = grad.ndim - len(shape)
        if extra < 0:
            raise ValueError(
                f"unbroadcast: gradient of shape {grad.shape} is smaller than {shape}"
            )
        axes = tuple(range(extra)) + tuple(
            extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1
        )
        if len(_unbroadcast_axes) < 4096:
            _unbroadcast_axes[key] = axes
    if not axes:
        summed = grad
    elif type(grad) is np.ndarray:
        summed = np.add.reduce(grad, axis=axes, keepdims=True)
    else:
        summed = grad.sum(axis=axes, keepdims=True)
    return summed if summed.shape == shape else summed.reshape(shape)


# (gradient shape, operand shape) -> the axes to sum: a training loop meets the same few pairs.
_unbroadcast_axes: dict[tuple, tuple[int, ...]] = {}


def topological_order(root: Tensor) -> list[Tensor]:
    """The non-leaf tensors that ``root`` depends on, every tensor after its parents.

    An iterative depth-first search: a node is expanded the first time it is popped
    (not when pushed), and emitted when popped again, after everything pushed above
    it — all of its parents — has been emitted.

    Marking a node visited when it is *pushed* is wrong: in r = y + exp(y) the
    search reaches y again through exp(y) while y still waits on the stack, so y
    would be emitted before exp(y) and miss the gradient that flows through it.
    """
    order: list[Tensor] = []
    if root._op is None:
        return order
    # Tensors hash by identity, so they serve as their own keys.
    expanded: set[Tensor] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    pop, push, emit = stack.pop, stack.append, order.append
    while stack:
        node, parents_done = pop()
        if parents_done:
            emit(node)
            continue
        if node in expanded:
            continue
        expanded.add(node)
        push((node, True))
        for parent in node._parents:
            if parent._op is not None and parent not in expanded:
                push((parent, False))
    return order


def _freed_error(node: Tensor) -> RuntimeError:
    return RuntimeError(
        f"backward: the graph through {node._label()} (op {node._op.name}, shape {node.shape}) "
        "was already used by a backward pass, which freed the values it saved. "
        "Recompute the forward pass, or call backward(retain_graph=True) the first time "
        "if you need to go backward through it again."
    )


def _seed(root: Tensor, grad: Any, op_name: str, shared: bool = False) -> np.ndarray:
    """dJ/dJ = 1 (or the user's grad). ``shared``: a cached read-only array of ones, safe
    where the engine copies anything that is the upstream gradient itself."""
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"{op_name}: {root._label()} has shape {root.shape}; backward() without a "
                "gradient needs a tensor with one element (a cost J). Reduce it first "
                f"(e.g. .sum() or .mean()), or pass grad= an array of shape {root.shape}."
            )
        if not shared:
            return np.ones(root.shape, dtype=root.dtype)
        key = (root.data.shape, root.data.dtype)
        ones = _ones.get(key)
        if ones is None:
            ones = _ones[key] = np.ones(key[0], dtype=key[1])
            ones.flags.writeable = False
        return ones
    upstream = to_array(grad)
    if upstream.shape != root.shape:
        raise RuntimeError(
            f"{op_name}: grad has shape {upstream.shape} but {root._label()} has shape "
            f"{root.shape}; they must be equal"
        )
    return upstream.astype(root.dtype, copy=False)


_ones: dict[tuple, np.ndarray] = {}


def _numbering_error(node: Tensor, parent: Tensor) -> RuntimeError:
    # Numbers follow creation in one process (unpickling renumbers); anything else that
    # breaks that order would make the pass visit a node before all its gradient arrived.
    return RuntimeError(
        f"backward: {parent._label()} (op {parent._op.name}) is numbered after "
        f"{node._label()} (op {node._op.name}), which uses it: the graph was not built "
        "by this process's operations in order. Rebuild it (recompute the forward pass)."
    )


def _check_grad_buffer(t: Tensor) -> None:
    """An existing ``t.grad`` must be able to take ``+= gradient``: a clear error if not."""
    current = t.grad
    if current is None:
        return
    problem = None
    if current.shape != t.shape:
        problem = f"has shape {current.shape}"
    elif type(current) is _ndarray and not current.flags.writeable:
        problem = "is read-only"
    elif current.dtype.kind != "f":
        problem = f"has dtype {current.dtype}"
    if problem is not None:
        raise RuntimeError(
            f"backward: {t._label()} has shape {t.shape}, but its .grad {problem}; "
            "gradients are added into .grad, so set it to None (or call zero_grad()) first"
        )


def _check_differentiable(root: Tensor, op_name: str) -> None:
    if not root.requires_grad:
        raise RuntimeError(
            f"{op_name}: {root._label()} does not require grad, so there is nothing to "
            "differentiate. Create the inputs with Tensor(..., requires_grad=True), and compute "
            "outside no_grad()."
        )


# Module-level names for the backward loop's hot path (one lookup, not two).
_ndarray, _asarray = np.ndarray, np.asarray


def _run(
    root: Tensor,
    upstream: Any,
    retain_graph: bool,
    create_graph: bool,
    targets: dict[int, Tensor] | None,
) -> dict[int, Any]:
    """The backward pass. ``targets`` None: accumulate into ``.grad``; else return their grads.

    Nodes are visited in decreasing creation number (``_seq``): every consumer of a tensor
    was made after it, so by the time a node is popped all of dJ/dnode has arrived. A heap
    of the nodes that have received a gradient stands in for a topological sort, and only
    nodes that some gradient reaches are visited.

    A pass that fails (a freed graph, an op's error) changes no ``.grad``: a leaf whose
    ``.grad`` was None gets its array at once and is reset if the pass fails; gradients
    for any other leaf (and for intermediate tensors that ``retain_grad()``) are collected
    and added only at the end.
    """
    if root._op is None:  # differentiating a leaf with respect to itself
        if targets is None:
            _accumulate_grad(root, upstream)
        return {id(root): upstream}

    # tensor -> dJ/dtensor summed so far. Tensors in `owned` hold an array the engine made by
    # adding two gradients, which it may add into in place (made when first needed).
    pending: dict[Tensor, Any] = {root: upstream}
    owned: set[Tensor] | None = None
    # The nodes waiting for their turn: `after` is the one with the largest number, kept out
    # of the heap (in a chain of ops, the only one), `heap` holds the others as
    # (-_seq, id, node): numbers are unique, but should two ever tie, the ids are compared,
    # never the tensors.
    after: Tensor | None = root
    heap: list[tuple[int, int, Tensor]] = []
    written: set[Tensor] = set()  # leaves whose .grad was None and now holds this pass's array
    late: list[tuple[Tensor, Any]] = []  # (tensor, gradient) to add to .grad at the end
    fast_leaves = targets is None and not create_graph
    # Under create_graph the VJPs record a graph of Tensors; otherwise they only see ndarrays.
    previous_mode = GradMode.enabled
    if create_graph:
        GradMode.enabled = True
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
            if saved is FREED:
                raise _freed_error(node)
            if node._retains_grad or targets is not None:
                if targets is None or id(node) in targets:
                    late.append((node, g))
            parents = node._parents
            if node._op.passes_gradient:
                grads = (g,) * len(parents)
            elif create_graph:
                grads = node._op.backward(
                    g, saved, parents, node, tuple([p.requires_grad for p in parents])
                )
            elif len(parents) == 2:
                p0, p1 = parents
                grads = node._op.backward(
                    g, saved, (p0.data, p1.data), node.data, (p0.requires_grad, p1.requires_grad)
                )
            elif len(parents) == 1:
                p0 = parents[0]
                grads = node._op.backward(g, saved, (p0.data,), node.data, (p0.requires_grad,))
            else:
                grads = node._op.backward(
                    g, saved, tuple([p.data for p in parents]), node.data,
                    tuple([p.requires_grad for p in parents]),
                )
            if _backward_hook is not None:
                _backward_hook(node, g, grads)
            if not retain_graph:
                node._saved = FREED
            for parent, grad in zip(parents, grads):
                if grad is None or not parent.requires_grad:
                    continue
                if type(grad) is not _ndarray and not create_graph:
                    # A NumPy scalar, from an op on 0-d arrays: as an array, it is cheaper
                    # in the ops that follow (NumPy mixes scalars and arrays slowly).
                    grad = _asarray(grad)
                data = parent.data
                if grad.shape != data.shape:
                    grad = unbroadcast(grad, data.shape)
                if grad.dtype is not data.dtype and grad.dtype != data.dtype:
                    grad = grad.astype(data.dtype)
                if parent._op is None and fast_leaves:
                    current = parent.grad
                    if current is None:
                        # .grad gets an array of its own: a new array an op made, else a copy.
                        if grad.base is not None or grad is g:
                            grad = grad.copy()
                        parent.grad = grad
                        written.add(parent)
                        continue
                    if parent in written:  # this pass's own array
                        if current.size == 1:  # NumPy adds into a 1-element array slowly
                            total = current + grad
                            parent.grad = total if type(total) is _ndarray else _asarray(total)
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
        # Every node has been popped: what is left in `pending` are leaves. Leaves that
        # already had a .grad, and intermediate tensors that retain_grad(), get their sums
        # now (still in the pass's grad mode: under create_graph, these additions record).
        if targets is None:
            if pending:
                late += pending.items()
            for t, _ in late:  # all checked first, so that no addition fails halfway
                _check_grad_buffer(t)
            for t, grad in late:
                _accumulate_grad(t, grad)
            return {}
    except BaseException:
        for leaf in written:
            leaf.grad = None
        raise
    finally:
        GradMode.enabled = previous_mode
    collected = {id(t): grad for t, grad in late}
    for leaf, grad in pending.items():
        if id(leaf) in targets:
            collected[id(leaf)] = grad
    return collected


def _accumulate_grad(t: Tensor, grad: Any) -> None:
    """t.grad += grad; a first gradient is copied (t.grad is never an alias of another array)."""
    current = t.grad
    if current is None:
        t.grad = grad if isinstance(grad, Tensor) else np.array(grad, dtype=t.data.dtype)
    elif isinstance(grad, Tensor):
        t.grad = current + grad
    elif isinstance(current, Tensor):
        t.grad = current.data + grad
    else:
        current += grad


def backward(
    root: Tensor, grad: Any = None, retain_graph: bool = False, create_graph: bool = False
) -> None:
    """Accumulate d root / d leaf into ``leaf.grad`` for every leaf that requires grad.

    This is ``Tensor.backward``. ``grad`` is the upstream gradient d(something)/d root; it
    may be omitted only when root holds one element (a cost J), where it is dJ/dJ = 1.
    The graph's saved values are freed unless ``retain_graph``; ``create_graph`` records
    the backward pass itself, so the gradients can be differentiated again.
    """
    upstream = None
    if grad is None and not create_graph and root.requires_grad:
        upstream = _ones.get((root.data.shape, root.data.dtype))  # the common case
    if upstream is None:
        _check_differentiable(root, "backward")
        upstream = _seed(root, grad, "backward", shared=not create_graph)
        if create_graph:
            upstream = Tensor(upstream)
    _run(root, upstream, retain_graph or create_graph, create_graph, None)


Tensor.backward = backward  # type: ignore[method-assign]


def gradients(
    output: Tensor,
    inputs: Sequence[Tensor],
    grad: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> list[Any]:
    """d output / d input for each input, returned (not accumulated into ``.grad``).

    With ``create_graph=True`` the results are Tensors recorded as a graph, so they
    can be differentiated again (second derivatives, Hessian-vector products).
    An input that ``output`` does not depend on gets a zero gradient.
    """
    _check_differentiable(output, "gradients")
    upstream = _seed(output, grad, "gradients")
    if create_graph:
        upstream = Tensor(upstream)
    targets = {id(t): t for t in inputs}
    keep = create_graph if retain_graph is None else retain_graph
    found = _run(output, upstream, keep, create_graph, targets)
    results = []
    returned: set[int] = set()
    for t in inputs:
        g = found.get(id(t))
        if g is None:
            g = np.zeros(t.shape, dtype=t.dtype)
            g = Tensor(g) if create_graph else g
        elif not create_graph:
            # Each result is the caller's own writable array: never the upstream gradient,
            # a broadcast view, or an array already handed out for another input.
            owned = (
                type(g) is np.ndarray
                and g.base is None
                and g.flags.writeable
                and g is not upstream
                and id(g) not in returned
            )
            if not owned:
                g = np.array(g, dtype=t.dtype)
            returned.add(id(g))
        results.append(g)
    return results


def zero_grad(root: Tensor) -> None:
    """Zero ``.grad`` of root and of every tensor in its graph (in place, iteratively)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        t = stack.pop()
        if isinstance(t.grad, np.ndarray):
            t.grad.fill(0)
        elif t.grad is not None:
            t.grad = None
        for parent in t._parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)


# --------------------------------------------------------------------------- functional forms

def require_cost(value: Any, who: str) -> Tensor:
    """``value`` if it is a Tensor with one element (a cost J), else a TypeError naming ``who``."""
    if not isinstance(value, Tensor) or value.size != 1:
        shape = value.shape if hasattr(value, "shape") else type(value).__name__
        raise TypeError(f"{who} must return a Tensor with one element (a cost); got {shape}")
    return value


def _argnums_tuple(argnums: int | Sequence[int]) -> tuple[int, ...]:
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


def value_and_grad(fun: Callable[..., Tensor], argnums: int | Sequence[int] = 0) -> Callable:
    """``value_and_grad(f)(x, ...)`` returns (f(x, ...), df/dx); f must return one element.

    Arguments may be arrays, numbers or Tensors. Gradients come back as ndarrays of
    the arguments' shapes (a tuple when argnums is a tuple). Called on Tensors that
    require grad, as when nested (``grad(grad(f))``), they come back as Tensors that
    can be differentiated again.
    """
    nums = _argnums_tuple(argnums)

    def wrapper(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        args_list = list(args)
        for i in nums:
            if i >= len(args_list):
                raise TypeError(
                    f"grad: argnums {argnums} refers to argument {i}, but only "
                    f"{len(args_list)} were given"
                )
        nested = GradMode.enabled and any(
            isinstance(args_list[i], Tensor) and args_list[i].requires_grad for i in nums
        )
        wrt = []
        for i in nums:
            arg = args_list[i]
            if nested and isinstance(arg, Tensor) and arg.requires_grad:
                t = arg
            else:
                t = Tensor(np.array(to_array(arg)), requires_grad=True)
            args_list[i] = t
            wrt.append(t)
        with enable_grad():
            out = require_cost(fun(*args_list, **kwargs), "grad: the function")
        if out.requires_grad:
            grads = gradients(out, wrt, create_graph=nested)
        else:  # the result does not depend on the arguments
            grads = [np.zeros(t.shape, dtype=t.dtype) for t in wrt]
            if nested:  # an outer grad differentiates these again: they must be Tensors
                grads = [Tensor(g) for g in grads]
        result = grads[0] if isinstance(argnums, int) else tuple(grads)
        value = out if nested else out.data.reshape(()).item()
        return value, result

    return wrapper


def grad(fun: Callable[..., Tensor], argnums: int | Sequence[int] = 0) -> Callable:
    """``grad(f)(x, ...)`` returns df/dx as an ndarray (see :func:`value_and_grad`)."""
    vg = value_and_grad(fun, argnums)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return vg(*args, **kwargs)[1]

    return wrapper
