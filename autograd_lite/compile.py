"""Record a training step once, then replay it on arrays without rebuilding the graph.

Eager autograd-lite builds a Python graph of Tensors on every forward pass and walks
it on every backward pass. For a network of tiny matrices (the course's shallow
network, m = 400) that bookkeeping costs more than the arithmetic. ``trace`` runs the
step once, writes down which primitive ran on which values, and returns a
:class:`TracedStep` that repeats exactly those primitives on ndarrays:

    >>> import numpy as np, autograd_lite as al
    >>> from autograd_lite.compile import trace
    >>> W = al.Tensor(np.full((1, 2), 0.5), requires_grad=True)
    >>> def cost(X, Y):
    ...     return ((W @ X - Y) ** 2).mean()
    >>> step = trace(cost, np.ones((2, 3)), np.zeros((1, 3)))
    >>> step(np.ones((2, 3)), np.zeros((1, 3)))
    1.0
    >>> W.grad
    array([[2., 2.]])

Each call recomputes the forward pass with every primitive's own ``forward`` (so the
values it saves for its derivative are fresh), then the backward pass with every
primitive's own ``backward``, over the nodes the engine visits and in its order
(decreasing creation number), summing broadcast gradients back as
:func:`autograd_lite.engine.unbroadcast` does and adding up gradients and filling the
parameters' ``.grad`` exactly as ``cost.backward()`` would (a parameter whose ``.grad``
is None gets its first gradient as its ``.grad``; one that already has a ``.grad`` gets
the sum of this pass's gradients added at the end; a pass that fails changes no
``.grad``): same primitives, same order, same arithmetic, so the gradients are
bit-for-bit the eager ones.

The recording is turned into one straight-line Python function (``step.source``
shows it): one line per primitive call, no Tensor objects, no graph walk. Tracing runs
the backward pass once to see which gradients exist and what shapes and dtypes they
have; since a step's shapes and dtypes are fixed (checked at every call), the replay
does only the sums and casts that are needed, with no tests for the rest.

What is recorded, and what is frozen
------------------------------------
- Every argument of ``fn`` is a *placeholder*: each call supplies a new array of the
  same shape and dtype (a clear error otherwise).
- The *parameters* are the leaves of the graph that require grad (typically captured
  by ``fn`` from a model). Their current ``.data`` is read at every call, so an
  optimizer's in-place update, or a new array assigned to ``.data``, is seen; it must
  keep the traced shape and dtype (a clear error otherwise), and so must the ``.data``
  of tensors that need no grad captured by ``fn``.
- Everything computed with autograd-lite operations is recomputed, including values
  that need no gradient (``1 - Y``) and comparisons of tensors (``Z > 0``, a mask).
- Everything else is frozen at its traced value, as in any tracing compiler: Python
  control flow that depends on values (``if cost.item() > 1``), and arrays that ``fn``
  computes with NumPy directly from ``.data``. Trace again when those change.
- Only the parameters' ``.grad`` is filled; ``retain_grad()`` on intermediate tensors
  has no effect in a replay.

Tracing patches the primitives' ``forward`` while ``fn`` runs; it is not thread-safe.
"""

from __future__ import annotations

import inspect
import keyword
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_lite import engine
from autograd_lite.engine import require_cost, unbroadcast
from autograd_lite.grad_mode import enable_grad
from autograd_lite.ops.base import Primitive
from autograd_lite.tensor import Tensor, to_array

__all__ = ["TracedStep", "trace"]


# --------------------------------------------------------------------------- recording


class _Call:
    """One primitive forward (or one tensor comparison) seen while tracing."""

    __slots__ = ("op", "name", "forward", "args", "out", "converted")

    def __init__(self, op: Any, name: str, forward: Callable, args: tuple, out: np.ndarray,
                 converted: bool) -> None:
        self.op = op
        self.name = name
        self.forward = forward
        self.args = args
        self.out = out
        self.converted = converted  # the forward returned a NumPy scalar, made an array


_COMPARISONS = {
    "__lt__": np.less,
    "__le__": np.less_equal,
    "__gt__": np.greater,
    "__ge__": np.greater_equal,
    "__eq__": np.equal,
    "__ne__": np.not_equal,
}


def _comparison_forward(ufunc: np.ufunc) -> Callable:
    def forward(a: Any, b: Any) -> tuple[Any, None]:
        return ufunc(a, b), None

    forward.__name__ = ufunc.__name__
    return forward


class _Recorder:
    """Collects the calls; patches Primitive.forward and the Tensor comparisons meanwhile."""

    def __init__(self) -> None:
        self.calls: list[_Call] = []
        self._depth = 0
        self._restore: list[tuple[type, str, Any]] = []

    def __enter__(self) -> _Recorder:
        classes = []
        stack = [Primitive]
        while stack:
            cls = stack.pop()
            classes.append(cls)
            stack.extend(cls.__subclasses__())
        # Resolve every class's forward before patching any, so that a subclass that
        # inherits forward keeps its parent's original function.
        resolved = [(cls, cls.__dict__.get("forward"), cls.forward) for cls in classes]
        try:
            for cls, own, function in resolved:
                self._restore.append((cls, "forward", own))
                cls.forward = staticmethod(self._recording_forward(cls, function))
                # The replay runs every forward on arrays: the number path is off meanwhile.
                self._restore.append((cls, "numbers_as_floats", cls.__dict__.get(
                    "numbers_as_floats")))
                cls.numbers_as_floats = False
            comparisons = [(name, ufunc, getattr(Tensor, name))
                           for name, ufunc in _COMPARISONS.items()]
            for name, ufunc, original in comparisons:
                self._restore.append((Tensor, name, Tensor.__dict__.get(name)))
                setattr(Tensor, name, self._recording_comparison(original, ufunc))
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        for cls, name, own in reversed(self._restore):
            if own is None:
                if name in cls.__dict__:
                    delattr(cls, name)
            else:
                setattr(cls, name, own)
        self._restore.clear()

    def _recording_forward(self, op: type, function: Callable) -> Callable:
        def forward(*args: Any) -> tuple[np.ndarray, Any]:
            self._depth += 1
            try:
                out, saved = function(*args)
            finally:
                self._depth -= 1
            if self._depth == 0:  # not a primitive called inside another one's forward
                # apply() keeps exactly this array as the node's data: its id names it.
                converted = type(out) is not np.ndarray
                if converted:
                    out = np.asarray(out)
                if any(out is a for a in args):
                    out = out.view()
                self.calls.append(
                    _Call(op, getattr(op, "name", op.__name__), function, args, out, converted)
                )
            return out, saved

        return forward

    def _recording_comparison(self, original: Callable, ufunc: np.ufunc) -> Callable:
        def compare(tensor: Tensor, other: Any) -> Any:
            result = original(tensor, other)
            if isinstance(result, (np.ndarray, np.generic)) and self._depth == 0:
                converted = type(result) is not np.ndarray
                result = np.asarray(result)
                other_value = other.data if isinstance(other, Tensor) else other
                self.calls.append(_Call(ufunc, ufunc.__name__, _comparison_forward(ufunc),
                                        (tensor.data, other_value), result, converted))
            return result

        return compare


def _natural(name: str) -> tuple[str, int]:
    """Sort key of a variable name: v2 before v10."""
    head = name.rstrip("0123456789")
    return head, int(name[len(head):] or 0)


def _arg_names(fn: Callable, count: int) -> list[str]:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        params = []
    names = []
    for i in range(count):
        if i < len(params) and params[i].kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        ):
            names.append(params[i].name)
        else:
            names.append(f"arg{i}")
    return names


def trace(fn: Callable[..., Tensor], *example_args: Any) -> TracedStep:
    """Run ``fn(*example_args)`` once and record it as a replayable :class:`TracedStep`.

    ``fn`` returns the cost: a Tensor with one element that depends on parameters
    requiring grad. Its arguments (arrays, numbers, or Tensors that do not require
    grad: the data of the step) become placeholders of fixed shape and dtype.
    """
    name = getattr(fn, "__name__", type(fn).__name__)
    arg_names = _arg_names(fn, len(example_args))
    placeholders = []
    for arg_name, arg in zip(arg_names, example_args):
        if isinstance(arg, Tensor) and arg.requires_grad:
            raise TypeError(
                f"trace({name}): argument {arg_name!r} is a Tensor that requires grad. "
                "Arguments are the step's data, replaced at every call; let fn take its "
                "parameters from its closure (a model), where they are found automatically."
            )
        placeholders.append(Tensor(arg.data if isinstance(arg, Tensor) else arg))

    with enable_grad(), _Recorder() as recorder:
        root = require_cost(fn(*placeholders), f"trace({name}): fn")
    if root._op is None or not root.requires_grad:
        raise RuntimeError(
            f"trace({name}): the cost does not depend on any tensor that requires grad, so "
            "there is nothing to differentiate (are the parameters requires_grad=True?)"
        )
    return TracedStep(name, arg_names, placeholders, recorder.calls, root)


# --------------------------------------------------------------------------- the dry run


class _Seen:
    """One gradient that an op's backward returned for a parent, as the dry run saw it.

    ``shape``: its shape as returned; ``ndarray``: whether it was an ndarray (not a NumPy
    scalar); ``cast``: whether its dtype differed from the parent's; ``shared``: whether,
    after the sum back to the parent's shape and the cast, it was the upstream gradient
    itself or a view (the engine copies those before a leaf's ``.grad`` gets them).
    """

    __slots__ = ("shape", "ndarray", "cast", "shared")

    def __init__(self, shape: tuple[int, ...], ndarray: bool, cast: bool, shared: bool) -> None:
        self.shape = shape
        self.ndarray = ndarray
        self.cast = cast
        self.shared = shared


def _dry_run(root: Tensor) -> list[tuple[Tensor, list[_Seen | None], int]]:
    """Walk the backward pass once (:func:`autograd_lite.engine.backward_pass`), keeping the
    graph and writing no ``.grad``.

    Returns the nodes in the order the engine visits them (decreasing creation number,
    only nodes that some gradient reaches), each with what its backward returned for
    each parent (None: no gradient goes there) and how many gradients it returned.
    """
    visits: list[tuple[Tensor, list[_Seen | None], int]] = []
    seed = np.ones(root.data.shape, dtype=root.data.dtype)
    seed.flags.writeable = False
    hook = engine.backward_hook()  # anomaly detection, if it is on in this thread
    for step in engine.backward_pass(root, seed, retain_graph=True):
        if hook is not None:
            hook(step.node, step.upstream, step.local)
        seen: list[_Seen | None] = []
        for parent, grad, share in zip(step.node.parents, step.local, step.shares):
            if share is None:
                seen.append(None)
                continue
            plan = engine.plan_edge(grad, parent.data)
            shared = share is step.upstream or (type(share) is np.ndarray
                                                and share.base is not None)
            seen.append(_Seen(np.shape(grad), not plan.as_array, plan.cast is not None, shared))
        visits.append((step.node, seen, len(step.local)))
    return visits


def _graph_nodes(root: Tensor) -> list[Tensor]:
    """Every non-leaf tensor that ``root`` depends on (root included), depth first."""
    nodes: list[Tensor] = []
    seen = {id(root)}
    stack = [root]
    while stack:
        node = stack.pop()
        nodes.append(node)
        for parent in node._parents:
            if parent._op is not None and id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return nodes


# --------------------------------------------------------------------------- replay


def _own(grad: np.ndarray, upstream: Any) -> np.ndarray:
    """What a leaf whose ``.grad`` is None gets from the engine: an array of its own.

    ``grad`` is an array already (:func:`_fit_lines` turns NumPy scalars into arrays)."""
    if grad.base is not None or grad is upstream:
        return grad.copy()
    return grad


def _static_sum_axes(shape: tuple[int, ...], target: tuple[int, ...]) -> tuple[int, ...] | None:
    """The axes :func:`autograd_lite.engine.unbroadcast` sums from ``shape`` to ``target``,
    when it sums with ``np.add.reduce`` (None in the cases it handles otherwise)."""
    extra = len(shape) - len(target)
    if extra < 0:
        return None
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(target) if n == 1 and shape[extra + i] != 1
    )
    return axes or None


def _fit_lines(
    d: str, s: _Seen, data: np.ndarray, bind: Callable
) -> tuple[list[str], bool | None]:
    """Lines that give gradient ``d`` its parent's shape and dtype, as the engine does.

    Also says what ``d`` is then: True, a new array made here (by a sum or a cast); False,
    a view made here (a sum reshaped); None, still what the op returned.
    """
    lines: list[str] = []
    fresh: bool | None = None
    if not s.ndarray:  # a NumPy scalar from an op on 0-d arrays: the engine makes it an array
        lines.append(f"{d} = asarray({d})")
        fresh = True
    if s.shape != data.shape:
        axes = _static_sum_axes(s.shape, data.shape)
        if axes is None or not s.ndarray:
            lines.append(f"{d} = unbroadcast({d}, {data.shape!r})")
        else:  # what unbroadcast computes for these shapes
            lines.append(f"{d} = add_reduce({d}, {axes!r}, None, None, True)")
            fresh = True
            kept = tuple(1 if a in axes else n for a, n in enumerate(s.shape))
            if kept != data.shape:
                lines.append(f"{d} = {d}.reshape({data.shape!r})")
                fresh = False
    if s.cast:
        lines.append(f"{d} = {d}.astype({bind('DT', data.dtype)})")
        fresh = True
    return lines, fresh


def _sum_line(total: str, d: str, arrival: int, scalar: bool) -> str:
    """The engine's sum of the gradients reaching one tensor, at the ``arrival``-th one.

    The first is kept as it is (it may be another tensor's array); the second makes a new
    array, ``total + d``; later ones are added into that array in place. 0-d sums are NumPy
    scalars, so they are always ``total + d``.
    """
    if arrival == 1:
        return f"{total} = {d}"
    if arrival == 2 or scalar:
        return f"{total} = {total} + {d}"
    return f"{total} += {d}"


def _leaf_lines(d: str, s: _Seen, k: int, arrival: int, count: int, scalar: bool,
                fresh: bool | None, upstream: str) -> list[str]:
    """Lines that deliver gradient ``d`` to parameter k (``P{k}``), as the engine does.

    ``G{k}``: the parameter's ``.grad`` before the pass. If None, the first gradient
    becomes ``.grad`` (``R{k}``), an array of its own (a copy of the upstream gradient or
    of a view), and later ones are added into it. Otherwise they are summed in ``A{k}``,
    which the end of the pass adds to ``.grad``. ``count``: gradients reaching it a pass.
    """
    if arrival > 1:
        return [f"if G{k} is None: R{k} += {d}", f"else: {_sum_line(f'A{k}', d, arrival, scalar)}"]
    if scalar:
        own = f"own({d}, {upstream})"  # the engine's rules, at run time
    elif fresh:
        own = d
    elif fresh is False or s.shared:
        own = f"{d}.copy()"
    else:  # new or a view: for some ops that depends on the memory layout of the data
        own = f"{d} if {d}.base is None else {d}.copy()"
    written = f"R{k} = " if count > 1 else ""
    return [f"if G{k} is None: {written}P{k}._grad = {own}", f"else: A{k} = {d}"]


def _identifier(text: str) -> str:
    text = re.sub(r"\W", "_", text)
    if not text or text[0].isdigit() or keyword.iskeyword(text):
        text = "_" + text
    return text


class TracedStep:
    """A recorded forward and backward pass; call it with new data of the same shapes.

    ``step(*args)`` returns the cost as a float and accumulates dJ/dp into ``p.grad``
    for every parameter ``p`` in ``step.parameters``, as ``cost.backward()`` would.
    ``step.source`` is the Python function that a call runs.
    """

    def __init__(
        self,
        name: str,
        arg_names: list[str],
        placeholders: list[Tensor],
        calls: list[_Call],
        root: Tensor,
    ) -> None:
        self.name = name
        self._arg_names = arg_names
        self._arg_specs = [(p.data.shape, p.data.dtype) for p in placeholders]

        graph = _graph_nodes(root)
        visits = _dry_run(root)

        # Parameters: the leaves that require grad, in the order the forward pass first
        # used them. `total`: how many gradients reach each tensor in a backward pass.
        params: list[Tensor] = []
        seen: set[int] = set()
        for node in sorted(graph, key=lambda t: t._seq):
            for parent in node._parents:
                if parent._op is None and parent.requires_grad and id(parent) not in seen:
                    seen.add(id(parent))
                    params.append(parent)
        self.parameters: list[Tensor] = params
        total: dict[int, int] = {}
        reached: list[Tensor] = []  # the parameters some gradient reaches, in arrival order
        for node, grads_seen, _ in visits:
            for parent, s in zip(node._parents, grads_seen):
                if s is not None:
                    total[id(parent)] = total.get(id(parent), 0) + 1
                    if parent._op is None and total[id(parent)] == 1:
                        reached.append(parent)

        namespace: dict[str, Any] = {
            "unbroadcast": unbroadcast,
            "add_reduce": np.add.reduce,
            "accumulate_grad": engine.accumulate_grad,
            "check_grad": engine.check_grad_buffer,
            "own": _own,
            "asarray": np.asarray,
            "ndarray": np.ndarray,
            "argument": self._argument,
            "leaf_changed": self._leaf_changed,
        }

        def bind(prefix: str, value: Any) -> str:
            key = f"{prefix}{len(namespace)}"
            namespace[key] = value
            return key

        # Every value gets a variable of the generated function, by the id of its array.
        var: dict[int, str] = {}
        head: list[str] = []
        arg_vars = [f"in{i}_{_identifier(n)}" for i, n in enumerate(arg_names)]
        for i, (v, (shape, dtype)) in enumerate(zip(arg_vars, self._arg_specs)):
            head.append(
                f"if type({v}) is not ndarray or {v}.shape != {shape!r} or "
                f"{v}.dtype is not {bind('DT', dtype)}: {v} = argument({i}, {v})"
            )
        for p, v in zip(placeholders, arg_vars):
            var.setdefault(id(p.data), v)

        # Parameters and the leaves of the graph that are not computed while tracing
        # (constants, tensors fn captured from its closure): their .data is read at each
        # call, and must keep the traced shape and dtype.
        self._leaves: list[tuple[Tensor, tuple[int, ...], np.dtype]] = []
        param_number: dict[int, int] = {}

        def read_leaf(t: Tensor, v: str, global_name: str) -> None:
            namespace[global_name] = t
            shape, dtype = t.data.shape, t.data.dtype
            head.append(f"{v} = {global_name}.data")
            head.append(
                f"if {v}.shape != {shape!r} or {v}.dtype is not {bind('DT', dtype)}: "
                f"leaf_changed({len(self._leaves)}, {v})"
            )
            self._leaves.append((t, shape, dtype))
            var.setdefault(id(t.data), v)

        for k, p in enumerate(params):
            param_number[id(p)] = k
            read_leaf(p, f"p{k}", f"P{k}")
        producer = {id(call.out): index for index, call in enumerate(calls)}
        for node in graph:
            for parent in node._parents:
                key = id(parent.data)
                if parent._op is None and key not in var and key not in producer:
                    read_leaf(parent, f"c{len(var)}", f"L{len(var)}")

        # Only the calls the cost depends on, in the order they ran.
        needed: set[int] = set()
        stack = [producer.get(id(root.data))]
        while stack:
            index = stack.pop()
            if index is None or index in needed:
                continue
            needed.add(index)
            stack.extend(producer.get(id(a)) for a in calls[index].args
                         if isinstance(a, np.ndarray) and id(a) not in var)

        visited_ops = {id(node.data): node._op for node, _, _ in visits}
        functions: dict[int, str] = {}

        def function_name(function: Callable, label: str) -> str:
            if id(function) not in functions:
                key = _identifier(label)
                while key in namespace:
                    key += "_"
                namespace[key] = function
                functions[id(function)] = key
            return functions[id(function)]

        # The program as blocks of lines, each with the values it reads, so that every
        # value can be deleted right after its last use (the peak memory of a step).
        blocks: list[tuple[list[str], list[str], list[str]]] = []  # lines, reads, deletes
        self._op_names = []
        for index, call in enumerate(calls):
            if index not in needed:
                continue
            arg_list = []
            for arg in call.args:
                v = var.get(id(arg)) if isinstance(arg, np.ndarray) else None
                if v is None:
                    # A number, an axis, or an array computed outside autograd-lite: frozen.
                    v = bind("K", arg)
                arg_list.append(v)
            out = f"v{index}"
            var[id(call.out)] = out
            saved = f"s{index}" if visited_ops.get(id(call.out)) is call.op else "_"
            f = function_name(call.forward, f"{call.name}_forward")
            lines = [f"{out}, {saved} = {f}({', '.join(arg_list)})"]
            if call.converted:
                lines.append(f"{out} = asarray({out})")
            blocks.append((lines, arg_list, []))
            self._op_names.append(call.name)
        self._forward_calls = len(blocks)
        forward_end = len(blocks)
        root_var = var[id(root.data)]
        blocks.append(([f"cost = {root_var}.item()"], [root_var], []))

        for node in graph:
            if not var.get(id(node.data), "").startswith("v"):
                raise RuntimeError(
                    f"trace({self.name}): could not match the graph node {node._op.name} "
                    f"{node.shape} to a recorded primitive call"
                )

        # The backward pass: the nodes the engine visits, in its order, each delivering its
        # input gradients with the engine's rules. The shapes and dtypes of everything are
        # those of the trace (the arguments, parameters and captured leaves are checked at
        # each call), so which gradients are None, which are summed back to a broadcast
        # shape (over which axes) and which are cast are decided here, once.
        seed = bind("SEED", self._seed(root))
        arrivals: dict[int, int] = {}  # tensor -> gradients that reached it so far
        for node, grads_seen, count in visits:
            out = var[id(node.data)]
            suffix = out[1:]
            upstream = seed if node is root else f"g{suffix}"
            parents = node._parents
            needs = tuple(p.requires_grad for p in parents)
            inputs = "".join(var[id(p.data)] + ", " for p in parents)
            b = function_name(node._op.backward, f"{node._op.name}_backward")
            targets: list[str] = []
            post: list[str] = []
            for i, (parent, s) in enumerate(zip(parents, grads_seen)):
                if s is None:
                    targets.append("_")
                    continue
                d = f"d{i}"
                lines, fresh = _fit_lines(d, s, parent.data, bind)
                n = arrivals[id(parent)] = arrivals.get(id(parent), 0) + 1
                scalar = parent.data.ndim == 0
                if parent._op is None:
                    k = param_number[id(parent)]
                    lines += _leaf_lines(d, s, k, n, total[id(parent)], scalar, fresh, upstream)
                else:
                    j = var[id(parent.data)][1:]
                    if n == 1 and not lines:  # straight from the op into the parent's gradient
                        targets.append(f"g{j}")
                        continue
                    lines.append(_sum_line(f"g{j}", d, n, scalar))
                targets.append(d)
                post += lines
            call = f"{b}({upstream}, s{suffix}, ({inputs}), {out}, {needs!r})"
            if count == len(targets):
                body = [f"{', '.join(targets)}, = {call}"]
            else:  # an op that returns more or fewer gradients than inputs: zip's pairs
                body = [f"grads = {call}"]
                body += [f"{t} = grads[{i}]" for i, t in enumerate(targets) if t != "_"]
            body += post
            done = [f"s{suffix}"] if node is root else [f"s{suffix}", f"g{suffix}"]
            blocks.append((body, [out, *(var[id(p.data)] for p in parents)], done))

        # Delete every value after its last use.
        last_use: dict[str, int] = {}
        for b_index, (_, reads, _) in enumerate(blocks):
            for v in reads:
                last_use[v] = b_index
        ends: dict[int, list[str]] = {}
        for v, b_index in last_use.items():
            if v.startswith("v"):
                ends.setdefault(b_index, []).append(v)
        program: list[str] = []
        for b_index, (lines, _, done) in enumerate(blocks):
            program += lines
            done = done + sorted(ends.get(b_index, ()), key=_natural)
            if done:
                program.append(f"del {', '.join(done)}")
            if b_index == forward_end - 1:
                forward_lines, program = program, []
            elif b_index == forward_end:
                cost_lines, program = program, []
        backward_lines = program

        reached_numbers = [param_number[id(p)] for p in reached]
        lines = [f"def replay({', '.join(arg_vars)}):"]
        lines += ["    # arguments, parameters and captured tensors: the traced shapes and dtypes"]
        lines += ["    " + line for line in head]
        lines += ["    # forward"]
        lines += ["    " + line for line in forward_lines + cost_lines]
        lines += ["    # backward, in the engine's order (decreasing creation number). G: a",
                  "    # parameter's .grad before the pass. None: its first gradient becomes its",
                  "    # .grad (R), later ones are added into it; else they are summed (A) and",
                  "    # added at the end, once all are checked. If the pass fails, the .grad it",
                  "    # wrote go back to None."]
        lines += [f"    G{k} = P{k}._grad" for k in reached_numbers]
        lines += ["    try:"]
        lines += ["        " + line for line in backward_lines]
        lines += [f"        if G{k} is not None: check_grad(P{k})" for k in reached_numbers]
        lines += ["    except BaseException:"]
        lines += [f"        if G{k} is None: P{k}._grad = None" for k in reached_numbers]
        lines += ["        raise"]
        lines += [f"    if G{k} is not None: accumulate_grad(P{k}, A{k})"
                  for k in reached_numbers]
        lines += ["    return cost", ""]
        self.source = "\n".join(lines)
        exec(compile(self.source, f"<traced {self.name}>", "exec"), namespace)  # noqa: S102
        self._replay = namespace["replay"]
        self._graph_size = len(graph)
        self._nargs = len(arg_names)

    @staticmethod
    def _seed(root: Tensor) -> np.ndarray:
        seed = np.ones(root.data.shape, dtype=root.data.dtype)
        seed.flags.writeable = False  # shared by every call: never added into
        return seed

    def _argument(self, i: int, arg: Any) -> np.ndarray:
        """Argument i as an array of the traced shape and dtype, or a clear error."""
        shape, dtype = self._arg_specs[i]
        if type(arg) is not np.ndarray or arg.dtype != dtype:
            arg = to_array(arg.data if isinstance(arg, Tensor) else arg)
        if arg.shape != shape or arg.dtype != dtype:
            raise ValueError(
                f"TracedStep {self.name}: argument {self._arg_names[i]!r} has shape "
                f"{arg.shape} ({arg.dtype}) but the step was traced with shape {shape} "
                f"({dtype}); trace again for new shapes (e.g. for the last, smaller "
                "mini-batch)"
            )
        return arg

    def _leaf_changed(self, k: int, data: np.ndarray) -> None:
        """An error if a parameter or captured tensor no longer has its traced shape or dtype."""
        t, shape, dtype = self._leaves[k]
        if data.shape != shape or data.dtype != dtype:
            kind = "parameter" if k < len(self.parameters) else "captured tensor"
            raise ValueError(
                f"TracedStep {self.name}: {kind} {t._label()} now has shape {data.shape} "
                f"({data.dtype}) but the step was traced with shape {shape} ({dtype}); "
                "trace again"
            )

    def __call__(self, *args: Any) -> float:
        """Recompute the forward and backward passes on new data; return the cost."""
        if len(args) != self._nargs:
            raise TypeError(
                f"TracedStep {self.name}: takes {self._nargs} arguments "
                f"({', '.join(self._arg_names)}); got {len(args)}"
            )
        return self._replay(*args)

    def __repr__(self) -> str:
        return (
            f"TracedStep({self.name}: {self._forward_calls} forward calls "
            f"({', '.join(self._op_names)}), {self._graph_size} graph nodes, "
            f"{len(self.parameters)} parameters)"
        )
