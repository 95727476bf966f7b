"""Reverse-mode differentiation: topological order, the backward pass, freeing.

The engine knows nothing about any particular op. For each node, in reverse
topological order, it asks the node's primitive for the vector-Jacobian product
(upstream gradient dJ/dout -> dJ/dinput for each input), sums gradients that were
broadcast back to the input's shape, and adds up the gradients that reach a
tensor along several paths (the chain rule's sum over paths).

Everything here is iterative, so a chain of 100,000 ops never meets Python's
recursion limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


def _check_differentiable(root: Tensor, op_name: str) -> None:
    if not root.requires_grad:
        raise RuntimeError(
            f"{op_name}: {root._label()} does not require grad, so there is nothing to "
            "differentiate. Create the inputs with Tensor(..., requires_grad=True), and compute "
            "outside no_grad()."
        )


def _run(
    root: Tensor,
    upstream: Any,
    retain_graph: bool,
    create_graph: bool,
    targets: dict[int, Tensor] | None,
) -> dict[int, Any]:
    """The backward pass. ``targets`` None: accumulate into ``.grad``; else return their grads."""
    order = topological_order(root)
    for node in reversed(order):
        if node._saved is FREED:
            raise _freed_error(node)

    # tensor -> dJ/dtensor summed so far; tensors in `owned` hold arrays the engine made
    # itself, which it may add into in place.
    pending: dict[Tensor, Any] = {root: upstream}
    owned: set[Tensor] = set()
    accumulate = targets is None
    collected: dict[int, Any] = {}
    previous_mode = GradMode.enabled
    GradMode.enabled = create_graph
    try:
        if root._op is None:  # differentiating a leaf with respect to itself
            if accumulate:
                _accumulate_grad(root, upstream, fresh=False)
            return {id(root): upstream}
        for node in reversed(order):
            upstream_grad = pending.pop(node, None)
            if upstream_grad is None:
                continue
            if accumulate:
                if node._retains_grad:
                    _accumulate_grad(node, upstream_grad, fresh=False)
            elif id(node) in targets:
                collected[id(node)] = upstream_grad
            parents = node._parents
            if len(parents) == 2:
                p0, p1 = parents
                needs = (p0.requires_grad, p1.requires_grad)
                inputs = parents if create_graph else (p0.data, p1.data)
            elif len(parents) == 1:
                needs = (parents[0].requires_grad,)
                inputs = parents if create_graph else (parents[0].data,)
            else:
                needs = tuple([p.requires_grad for p in parents])
                inputs = parents if create_graph else tuple([p.data for p in parents])
            out = node if create_graph else node.data
            parent_grads = node._op.backward(upstream_grad, node._saved, inputs, out, needs)
            if _backward_hook is not None:
                _backward_hook(node, upstream_grad, parent_grads)
            if not retain_graph:
                node._saved = FREED
            for parent, grad in zip(parents, parent_grads):
                if grad is None or not parent.requires_grad:
                    continue
                parent_data = parent.data
                if grad.shape != parent_data.shape:
                    grad = unbroadcast(grad, parent_data.shape)
                if grad.dtype is not parent_data.dtype and grad.dtype != parent_data.dtype:
                    grad = grad.astype(parent_data.dtype)
                if parent._op is None:
                    if accumulate:
                        current = parent.grad
                        if type(current) is np.ndarray and type(grad) is np.ndarray:
                            current += grad
                        else:
                            # A new array (not upstream_grad, not a view) is the engine's.
                            fresh = (
                                type(grad) is np.ndarray
                                and grad.base is None
                                and grad is not upstream_grad
                            )
                            _accumulate_grad(parent, grad, fresh)
                        continue
                    if id(parent) not in targets:
                        continue
                existing = pending.get(parent)
                if existing is None:
                    pending[parent] = grad
                elif parent in owned and type(existing) is np.ndarray:
                    existing += grad
                else:
                    pending[parent] = existing + grad
                    owned.add(parent)
    finally:
        GradMode.enabled = previous_mode
    if not accumulate:
        for parent, grad in pending.items():
            if id(parent) in targets and id(parent) not in collected:
                collected[id(parent)] = grad
    return collected


def _accumulate_grad(t: Tensor, grad: Any, fresh: bool) -> None:
    """t.grad += grad, into a buffer the engine owns (t.grad is never an alias of another)."""
    current = t.grad
    if current is None:
        if isinstance(grad, Tensor):
            t.grad = grad
        else:
            t.grad = grad if fresh else np.array(grad, dtype=t.data.dtype)
    elif isinstance(grad, Tensor):
        t.grad = current + grad
    elif isinstance(current, Tensor):
        t.grad = current.data + grad
    else:
        current += grad


def backward(
    root: Tensor, grad: Any = None, retain_graph: bool = False, create_graph: bool = False
) -> None:
    """Accumulate d root / d leaf into ``leaf.grad`` for every leaf that requires grad."""
    if grad is None and not create_graph and root.requires_grad and root.data.size == 1:
        upstream = _ones.get((root.data.shape, root.data.dtype))  # the common case, J.backward()
    else:
        upstream = None
    if upstream is None:
        _check_differentiable(root, "backward")
        upstream = _seed(root, grad, "backward", shared=not create_graph)
    if create_graph:
        upstream = Tensor(upstream)
    _run(root, upstream, retain_graph or create_graph, create_graph, targets=None)


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
