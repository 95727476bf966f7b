"""Reverse-mode differentiation: the chain rule, walked backward over the graph.

Read this module from the top: it is the whole algorithm.

1. :func:`topological_order` lists the ops of the graph, every tensor after its inputs.
2. :func:`backward_pass` walks that list backward, from the cost J to the inputs. At
   each node it holds dJ/dnode, all of it (every path from J has been summed), asks the
   node's primitive for the vector-Jacobian product (dJ/dnode × the local derivative
   dnode/dinput, per input: :func:`vjp`), fits each result to its input's shape (:class:`EdgePlan`:
   a gradient broadcast over m examples is summed back) and adds it to dJ/dinput. Each
   step is yielded as a :class:`BackwardStep`: the pictures of the backward pass,
   anomaly mode and the trace (``compile.py``) read the same walk.
3. :func:`backward` (``J.backward()``) and :func:`gradients` use the walk's results.

``J.backward()`` without ``create_graph`` and outside anomaly mode runs the same walk
fused into one loop (:mod:`autograd_lite.fast_backward`): the same nodes, order and
arithmetic, so the same bits (tests/test_engine.py checks it on every op of the op table
and on fuzzed graphs), about twice as fast on small graphs.

Everything here is iterative, so a chain of 100,000 ops never meets Python's
recursion limit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from autograd_lite import grad_mode
from autograd_lite.grad_mode import enable_grad, is_grad_enabled
from autograd_lite.tensor import FREED, FREED_NOTHING, Tensor, to_array


def backward_hook() -> Any:
    """The hook that autograd_lite.debug sets while anomaly detection is on in this thread
    (None otherwise): backward() then takes the walk, and hands it each step (node, upstream
    gradient, the op's results)."""
    return grad_mode.modes.backward_hook if grad_mode.open_blocks else None


# --------------------------------------------------------------------------- 1. the order

def topological_order(root: Tensor) -> list[Tensor]:
    """The ops (non-leaf tensors) that ``root`` depends on, every one after its inputs.

    Every node is numbered when it is made (``ops.base.apply``), and its inputs exist
    before it, so sorting the nodes by number lists every tensor after its inputs.
    The nodes are found with an explicit stack, never by recursion.
    """
    if root._op is None:
        return []
    nodes, seen, stack = [], {root}, [root]
    while stack:
        node = stack.pop()
        nodes.append(node)
        for parent in node._parents:
            if parent._op is not None:
                if parent._seq >= node._seq:
                    raise _numbering_error(node, parent)
                if parent not in seen:  # Tensors hash by identity
                    seen.add(parent)
                    stack.append(parent)
    nodes.sort(key=_creation_number)
    return nodes


def _creation_number(t: Tensor) -> int:
    return t._seq


# --------------------------------------------------------------------------- 2. the walk

class EdgePlan(NamedTuple):
    """What is done to the gradient an op returns for one input, to make it that input's share.

    The steps, in order (each skipped where not needed):

    1. ``as_array``: it is a NumPy scalar (an op on 0-d arrays): made a 0-d array.
    2. ``sum_axes``: the axes broadcasting added or stretched: summed, keeping them as 1s.
       If b (n, 1) was added to Z (n, m), db = Σ_columns dZ: every column used the same b.
    3. ``reshape``: the sum is reshaped to ``shape``, the input's (where broadcasting had
       added leading axes). Steps 2 and 3 are :func:`unbroadcast`.
    4. ``cast``: the input's dtype, when the gradient's differs (float32 data in a
       float64 computation gets its gradient in float32).

    :meth:`apply` carries the steps out. The plan depends only on shapes and dtypes, so a
    traced step (``compile.py``) makes it once per edge and writes the same steps as its
    replay's lines. Whether the share is then an array of its own is :attr:`new_array`.
    """

    as_array: bool
    sum_axes: tuple[int, ...]
    reshape: bool
    shape: tuple[int, ...]
    cast: np.dtype | None

    def apply(self, grad: Any) -> Any:
        if self.as_array:
            grad = np.asarray(grad)
        if self.sum_axes:
            grad = (np.add.reduce(grad, self.sum_axes, keepdims=True) if type(grad) is np.ndarray
                    else grad.sum(axis=self.sum_axes, keepdims=True))
        if self.reshape:
            grad = grad.reshape(self.shape)
        if self.cast is not None:
            grad = grad.astype(self.cast)
        return grad

    @property
    def new_array(self) -> bool:
        """Whether :meth:`apply` returns an array it made, which nothing else holds (made by
        step 1, 2 or 4; a reshaped sum is a view). If not, it returns the op's own result,
        which may be the upstream gradient or a view: see :func:`own_array`."""
        if self.cast is not None:
            return True
        return not self.reshape and (self.as_array or bool(self.sum_axes))


def plan_edge(grad: Any, data: np.ndarray) -> EdgePlan:
    """The :class:`EdgePlan` for ``grad`` (as an op returned it) and its input's ``data``."""
    as_array = not isinstance(grad, (np.ndarray, Tensor))
    shape = np.shape(grad)
    dtype = np.result_type(grad.dtype if isinstance(grad, Tensor) else grad)
    axes: tuple[int, ...] = ()
    if shape != data.shape:
        axes = _sum_axes(shape, data.shape)
        shape = tuple([1 if i in axes else n for i, n in enumerate(shape)])  # kept by the sum
    return EdgePlan(
        as_array,
        axes,
        shape != data.shape,
        data.shape,
        data.dtype if dtype != data.dtype else None,
    )


def own_array(grad: np.ndarray, upstream: Any) -> np.ndarray:
    """``grad`` as an array that a leaf's ``.grad`` may keep, and later gradients be added
    into: ``grad`` itself, or a copy where it is the upstream gradient or a view of another
    array (a ``.grad`` never aliases another array). The fused loop writes this out."""
    return grad.copy() if grad.base is not None or grad is upstream else grad


def unbroadcast(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum a gradient over the axes that broadcasting added or stretched, back to ``shape``."""
    if grad.shape == shape:
        return grad
    axes = _sum_axes(grad.shape, shape)
    if not axes:
        summed = grad
    elif type(grad) is np.ndarray:
        summed = np.add.reduce(grad, axis=axes, keepdims=True)
    else:
        summed = grad.sum(axis=axes, keepdims=True)
    return summed if summed.shape == shape else summed.reshape(shape)


def _sum_axes(grad_shape: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    key = (grad_shape, shape)
    axes = _sum_axes_cache.get(key)
    if axes is None:
        extra = len(grad_shape) - len(shape)
        if extra < 0:
            raise ValueError(
                f"unbroadcast: gradient of shape {grad_shape} is smaller than {shape}"
            )
        axes = tuple(range(extra)) + tuple(
            extra + i for i, n in enumerate(shape) if n == 1 and grad_shape[extra + i] != 1
        )
        if len(_sum_axes_cache) < 4096:
            _sum_axes_cache[key] = axes
    return axes


# (gradient shape, operand shape) -> the axes to sum: a training loop meets the same few pairs.
_sum_axes_cache: dict[tuple, tuple[int, ...]] = {}


@dataclass(frozen=True)
class BackwardStep:
    """One step of the chain rule: the op that made ``node``, differentiated.

    - ``node``: the tensor whose op is differentiated at this step;
    - ``upstream``: dJ/dnode, the gradient from the cost J down to here (all paths summed);
    - ``local``: per input, what the op's VJP returned: upstream × ∂node/∂input, in the
      shape of ``node`` (None where no gradient goes);
    - ``shares``: per input, that product fitted to the input (summed over the broadcast
      axes, in its dtype): this edge's share of dJ/dinput (None where no gradient goes).
    """

    node: Tensor
    upstream: Any
    local: tuple
    shares: tuple


def backward_pass(
    root: Tensor,
    upstream: Any,
    retain_graph: bool = False,
    create_graph: bool = False,
    totals: dict[Tensor, Any] | None = None,
    replay: bool = False,
) -> Iterator[BackwardStep]:
    """Yield the steps of the backward pass from ``root`` (whose gradient is ``upstream``).

    ``totals`` (a dict, filled as the walk goes) maps every tensor reached to dJ/dtensor:
    after the walk, the leaves' entries are the gradients. Unless ``retain_graph``, each op's
    saved values are freed once used. Under ``create_graph`` the VJPs see Tensors (and the
    caller enables grad mode), so the gradients are themselves graphs. ``replay`` walks a
    graph that an earlier pass freed, as far as its ops had saved nothing (for pictures).
    """
    totals = {} if totals is None else totals
    totals[root] = upstream
    for node in reversed(topological_order(root)):  # from J back to the inputs
        upstream = totals.get(node)
        if upstream is None:
            continue  # no gradient reaches this node
        local = vjp(node, upstream, create_graph, replay)
        shares = tuple([
            None if grad is None or not t.requires_grad else plan_edge(grad, t.data).apply(grad)
            for t, grad in zip(node._parents, local)
        ])
        if not retain_graph:
            node._saved = FREED if node._saved is not None else FREED_NOTHING
        yield BackwardStep(node, upstream, local, shares)
        for t, share in zip(node._parents, shares):  # the chain rule's sum over paths
            if share is not None:
                totals[t] = share if t not in totals else totals[t] + share


def vjp(node: Tensor, upstream: Any, create_graph: bool = False, replay: bool = False) -> tuple:
    """upstream × ∂node/∂input for each input of ``node``'s op (None where none is needed).

    ``upstream`` is dJ/dnode. The op's own ``backward`` computes it, from the values the
    op saved and the inputs and output, as ndarrays, or under ``create_graph`` as Tensors.
    """
    saved = node._saved
    if saved is FREED or (saved is FREED_NOTHING and not replay):
        raise _freed_error(node)
    if saved is FREED_NOTHING:
        saved = None
    inputs = node._parents
    needs = tuple([t.requires_grad for t in inputs])
    _differentiating.node = node
    try:
        if create_graph:  # the VJP's arithmetic on Tensors records a graph
            return tuple(node._op.backward(upstream, saved, inputs, node, needs))
        arrays = tuple([t.data for t in inputs])
        return tuple(node._op.backward(upstream, saved, arrays, node.data, needs))
    finally:
        _differentiating.node = None


def node_being_differentiated() -> Tensor | None:
    """The node whose VJP :func:`backward_pass` is running in this thread (None if none).

    Anomaly mode uses it to name the node when a VJP recorded under ``create_graph``
    produces NaN or inf.
    """
    return getattr(_differentiating, "node", None)


_differentiating = threading.local()


# --------------------------------------------------------------------------- errors and checks

def _freed_error(node: Tensor) -> RuntimeError:
    return RuntimeError(
        f"backward: the graph through {node._label()} (op {node._op.name}, shape {node.shape}) "
        "was already used by a backward pass, which freed the values it saved. "
        "Recompute the forward pass, or call backward(retain_graph=True) the first time "
        "if you need to go backward through it again."
    )


def _numbering_error(node: Tensor, parent: Tensor) -> RuntimeError:
    # Numbers follow creation in one process (unpickling renumbers); anything else that
    # breaks that order would make the pass visit a node before all its gradient arrived.
    return RuntimeError(
        f"backward: {parent._label()} (op {parent._op.name}) is numbered after "
        f"{node._label()} (op {node._op.name}), which uses it: the graph was not built "
        "by this process's operations in order. Rebuild it (recompute the forward pass)."
    )


def _seed(root: Tensor, grad: Any, op_name: str) -> np.ndarray:
    """dJ/dJ = 1 (or the user's grad, which must have root's shape)."""
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"{op_name}: {root._label()} has shape {root.shape}; backward() without a "
                "gradient needs a tensor with one element (a cost J). Reduce it first "
                f"(e.g. .sum() or .mean()), or pass grad= an array of shape {root.shape}."
            )
        return np.ones(root.shape, dtype=root.dtype)
    upstream = to_array(grad)
    if upstream.shape != root.shape:
        raise RuntimeError(
            f"{op_name}: grad has shape {upstream.shape} but {root._label()} has shape "
            f"{root.shape}; they must be equal"
        )
    return upstream.astype(root.dtype, copy=False)


def check_grad_buffer(t: Tensor) -> None:
    """An existing ``t.grad`` must be able to take ``+= gradient``: a clear error if not."""
    current = t._grad
    if current is None:
        return
    problem = None
    if current.shape != t.shape:
        problem = f"has shape {current.shape}"
    elif type(current) is np.ndarray and not current.flags.writeable:
        problem = "is read-only"
    elif current.dtype.kind != "f":
        problem = f"has dtype {current.dtype}"
    if problem is not None:
        raise RuntimeError(
            f"backward: {t._label()} has shape {t.shape}, but its .grad {problem}; "
            "gradients are added into .grad, so set it to None (or call zero_grad()) first"
        )


def accumulate_grad(t: Tensor, grad: Any) -> None:
    """t.grad += grad (in the slot ``_grad``); a first gradient is copied (t.grad is never an
    alias of another array)."""
    current = t._grad
    if current is None:
        t._grad = grad if isinstance(grad, Tensor) else np.array(grad, dtype=t.data.dtype)
    elif isinstance(grad, Tensor):
        t._grad = current + grad
    elif isinstance(current, Tensor):
        t._grad = current.data + grad
    else:
        current += grad


def _check_differentiable(root: Tensor, op_name: str) -> None:
    if not root.requires_grad:
        raise RuntimeError(
            f"{op_name}: {root._label()} does not require grad, so there is nothing to "
            "differentiate. Create the inputs with Tensor(..., requires_grad=True), and compute "
            "outside no_grad()."
        )


# --------------------------------------------------------------------------- 3. the public forms

def _walk(
    root: Tensor, grad: Any, caller: str, retain_graph: bool, create_graph: bool
) -> tuple[dict[Tensor, Any], Any]:
    """Run :func:`backward_pass` from ``root`` (seeded with ``grad``, or 1 for a cost), with
    anomaly mode's hook on every step; return every reached tensor's total dJ/dt, and the
    seed (a Tensor under ``create_graph``, so the pass records)."""
    _check_differentiable(root, caller)
    upstream = _seed(root, grad, caller)
    totals: dict[Tensor, Any] = {}
    hook = backward_hook()
    with enable_grad() if create_graph else nullcontext():
        if create_graph:
            upstream = Tensor(upstream)
        for step in backward_pass(root, upstream, retain_graph, create_graph, totals):
            if hook is not None:
                hook(step.node, step.upstream, step.local)
    return totals, upstream


def backward(
    root: Tensor, grad: Any = None, retain_graph: bool = False, create_graph: bool = False
) -> None:
    """Accumulate d root / d leaf into ``leaf.grad`` for every leaf that requires grad.

    This is ``Tensor.backward``. ``grad`` is the upstream gradient d(something)/d root; it
    may be omitted only when root holds one element (a cost J), where it is dJ/dJ = 1.
    The graph's saved values are freed unless ``retain_graph``; ``create_graph`` records
    the backward pass itself, so the gradients can be differentiated again.

    A pass that fails (a freed graph, an op's error) changes no ``.grad``.
    """
    if not create_graph and backward_hook() is None:
        fast_backward.backward(root, grad, retain_graph)  # the walk below, fused
        return
    totals, _ = _walk(root, grad, "backward", retain_graph or create_graph, create_graph)
    with enable_grad() if create_graph else nullcontext():
        # The leaves' gradients, and those of tensors that retain_grad(): all checked first,
        # so that no addition fails halfway (under create_graph, these additions record).
        kept = [(t, g) for t, g in totals.items() if t._op is None or t._retains_grad]
        for t, _ in kept:
            if t.requires_grad:
                check_grad_buffer(t)
        for t, g in kept:
            if t.requires_grad:
                accumulate_grad(t, g)


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
    keep = create_graph if retain_graph is None else retain_graph
    totals, upstream = _walk(output, grad, "gradients", keep, create_graph)
    results = []
    returned: set[int] = set()
    for t in inputs:
        g = totals.get(t)
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
        if isinstance(t._grad, np.ndarray):
            t._grad.fill(0)
        elif t._grad is not None:
            t._grad = None
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
        nested = is_grad_enabled() and any(
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


# Imported last: the fused loop uses this module's helpers.
from autograd_lite import fast_backward  # noqa: E402
