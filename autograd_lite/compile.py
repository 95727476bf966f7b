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

A trace is made in three steps, each a part of this module:

1. **Record** (:func:`trace`): run ``fn`` once, writing down every primitive's
   ``forward`` call and its values.
2. **Plan** (:func:`_plan_backward`): walk the backward pass once with the engine's own
   walk, :func:`autograd_lite.engine.backward_pass`, and plan each edge with
   :func:`autograd_lite.engine.plan_edge`: an :class:`~autograd_lite.engine.EdgePlan`
   says what makes an op's gradient its input's share (made an array, summed over the
   broadcast axes, reshaped, cast) and whether the result is an array of its own.
3. **Write** (:class:`_Writer`): one straight-line Python function (``step.source``
   shows it): one line per primitive call, then, for each step of the walk in its order
   (decreasing creation number), the primitive's own ``backward`` and, per edge, the
   plan's steps as lines; the shares are added up and the parameters' ``.grad`` filled
   as ``cost.backward()`` does (a ``.grad`` that is None gets its first share, as an
   array of its own; one that is not gets the sum of this pass's shares at the end; a
   pass that fails changes no ``.grad``).

Same primitives, same order, same arithmetic: the gradients are bit-for-bit the eager
ones. Since a step's shapes and dtypes are fixed (checked at every call), the plans hold
at every call, and the replay has no tests, no Tensor objects and no graph walk.

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
from typing import Any, NamedTuple

import numpy as np

from autograd_lite import engine
from autograd_lite.engine import require_cost
from autograd_lite.grad_mode import enable_grad
from autograd_lite.ops.base import Primitive
from autograd_lite.tensor import Tensor, to_array

__all__ = ["TracedStep", "trace"]


# --------------------------------------------------------------------------- recording


class _Call(NamedTuple):
    """One primitive forward (or one tensor comparison) seen while tracing. ``converted``:
    its forward returned a NumPy scalar, made an array."""

    op: Any
    name: str
    forward: Callable
    args: tuple
    out: np.ndarray
    converted: bool


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


# --------------------------------------------------------------------------- the plan


class _Edge(NamedTuple):
    """A gradient the walk sends from a node to its input ``parent`` (input number ``index``):
    ``plan`` makes it the parent's share, the ``arrival``-th share to reach the parent."""

    index: int
    parent: Tensor
    plan: engine.EdgePlan
    arrival: int


class _Visit(NamedTuple):
    """A step of the walk: ``node``'s VJP, which returns ``count`` gradients, and the edges
    that carry them on (inputs that get no gradient have none)."""

    node: Tensor
    edges: list[_Edge]
    count: int


def _plan_backward(root: Tensor) -> list[_Visit]:
    """Walk the backward pass once (:func:`autograd_lite.engine.backward_pass`), keeping the
    graph and writing no ``.grad``, and plan every edge (:func:`autograd_lite.engine.plan_edge`).

    The visits come in the walk's order (decreasing creation number, only the nodes that
    some gradient reaches): the order in which the replay differentiates and adds.
    """
    visits: list[_Visit] = []
    arrivals: dict[Tensor, int] = {}  # Tensors hash by identity
    hook = engine.backward_hook()  # anomaly detection, if it is on in this thread
    for step in engine.backward_pass(root, _seed(root), retain_graph=True):
        if hook is not None:
            hook(step.node, step.upstream, step.local)
        edges = []
        for index, (parent, grad, share) in enumerate(zip(step.node._parents, step.local,
                                                          step.shares)):
            if share is not None:
                arrivals[parent] = arrivals.get(parent, 0) + 1
                plan = engine.plan_edge(grad, parent.data)
                edges.append(_Edge(index, parent, plan, arrivals[parent]))
        visits.append(_Visit(step.node, edges, len(step.local)))
    return visits


def _seed(root: Tensor) -> np.ndarray:
    """dJ/dJ = 1, read-only: shared by every call, never added into."""
    seed = np.ones(root.data.shape, dtype=root.data.dtype)
    seed.flags.writeable = False
    return seed


def _parameters(graph: list[Tensor]) -> list[Tensor]:
    """The leaves that require grad, in the order the forward pass first used them."""
    params: dict[Tensor, None] = {}
    for node in graph:
        for parent in node._parents:
            if parent._op is None and parent.requires_grad:
                params.setdefault(parent)
    return list(params)


# --------------------------------------------------------------------------- the replay's lines


def _fit_lines(d: str, plan: engine.EdgePlan, constant: Callable[[str, Any], str]) -> list[str]:
    """The steps of ``plan`` (:meth:`autograd_lite.engine.EdgePlan.apply`) as lines on ``d``."""
    lines = []
    if plan.as_array:
        lines.append(f"{d} = asarray({d})")
    if plan.sum_axes:
        lines.append(f"{d} = add_reduce({d}, {plan.sum_axes!r}, None, None, True)")
    if plan.reshape:
        lines.append(f"{d} = {d}.reshape({plan.shape!r})")
    if plan.cast is not None:
        lines.append(f"{d} = {d}.astype({constant('DT', plan.cast)})")
    return lines


def _sum_line(total: str, d: str, arrival: int) -> str:
    """The sum of the shares reaching one tensor, at the ``arrival``-th: the first is kept as
    it is (it may be another tensor's array), the second makes a new array, later ones are
    added into that one (0-d sums are NumPy scalars, which ``+=`` replaces)."""
    if arrival == 1:
        return f"{total} = {d}"
    if arrival == 2:
        return f"{total} = {total} + {d}"
    return f"{total} += {d}"


def _leaf_lines(d: str, k: int, edge: _Edge, upstream: str) -> list[str]:
    """Lines that deliver share ``d`` to parameter k (``P{k}``), as ``J.backward()`` does.

    ``G{k}``: the parameter's ``.grad`` before the pass. If None, the first share becomes
    ``.grad`` (``R{k}``), an array of its own (:func:`autograd_lite.engine.own_array`, unless
    the plan made it), and later ones are added into it. Otherwise the shares are summed in
    ``A{k}``, which the end of the pass adds to ``.grad``.
    """
    if edge.arrival > 1:
        return [f"if G{k} is None: R{k} += {d}", f"else: {_sum_line(f'A{k}', d, edge.arrival)}"]
    own = d if edge.plan.new_array else f"own({d}, {upstream})"
    return [f"if G{k} is None: P{k}._grad = R{k} = {own}", f"else: A{k} = {d}"]


class _Block(NamedTuple):
    """Lines of the replay, the variables they read, and those they are done with."""

    lines: list[str]
    reads: list[str]
    done: list[str]


def _natural(name: str) -> tuple[str, int]:
    """Sort key of a variable name: v2 before v10."""
    head = name.rstrip("0123456789")
    return head, int(name[len(head):] or 0)


def _with_deletes(blocks: list[_Block]) -> list[list[str]]:
    """Each block's lines, then a ``del`` of every value last read there (the peak memory of
    a step) and of what the block is done with."""
    last_use = {v: i for i, block in enumerate(blocks) for v in block.reads if v[0] == "v"}
    ends: dict[int, list[str]] = {}
    for v, i in last_use.items():
        ends.setdefault(i, []).append(v)
    result = []
    for i, block in enumerate(blocks):
        done = block.done + sorted(ends.get(i, ()), key=_natural)
        result.append(block.lines + ([f"del {', '.join(done)}"] if done else []))
    return result


def _identifier(text: str) -> str:
    text = re.sub(r"\W", "_", text)
    if not text or text[0].isdigit() or keyword.iskeyword(text):
        text = "_" + text
    return text


def _needed_calls(calls: list[_Call], root: Tensor, known: dict[int, str]) -> list[int]:
    """The numbers of the calls that ``root`` depends on, in the order they ran, found
    backward from root's call and stopping at the values in ``known`` (the inputs)."""
    producer = {id(call.out): i for i, call in enumerate(calls)}
    needed: set[int] = set()
    stack = [producer.get(id(root.data))]
    while stack:
        i = stack.pop()
        if i is not None and i not in needed:
            needed.add(i)
            stack += [producer.get(id(a)) for a in calls[i].args
                      if isinstance(a, np.ndarray) and id(a) not in known]
    return sorted(needed)


class _Writer:
    """Writes the replay: one variable per value, named from the id of its array.

    ``in{i}_<name>``: argument i; ``p{k}``: parameter k's data (``P{k}``: the Tensor);
    ``c{k}``: a captured leaf's data (``L{k}``); ``v{i}``, ``s{i}``: what call i returned and saved;
    ``g{i}``: dJ/dv{i}; ``d{j}``: a VJP's gradient for its input j.
    """

    def __init__(self, step: TracedStep, root: Tensor, graph: list[Tensor]) -> None:
        self.step, self.root, self.graph = step, root, graph
        self.namespace: dict[str, Any] = {
            "add_reduce": np.add.reduce,
            "accumulate_grad": engine.accumulate_grad,
            "check_grad": engine.check_grad_buffer,
            "own": engine.own_array,
            "asarray": np.asarray,
            "ndarray": np.ndarray,
            "argument": step._argument,
            "leaf_changed": step._leaf_changed,
        }
        self.var: dict[int, str] = {}
        self.head: list[str] = []
        self.blocks: list[_Block] = []
        self._functions: dict[int, str] = {}

    def constant(self, prefix: str, value: Any) -> str:
        key = f"{prefix}{len(self.namespace)}"
        self.namespace[key] = value
        return key

    def function(self, function: Callable, label: str) -> str:
        if id(function) not in self._functions:
            key = _identifier(label)
            while key in self.namespace:
                key += "_"
            self.namespace[key] = function
            self._functions[id(function)] = key
        return self._functions[id(function)]

    # -- reading the inputs: arguments, parameters and captured leaves, checked at each call

    def read_arguments(self, placeholders: list[Tensor], arg_vars: list[str]) -> None:
        for i, (p, v) in enumerate(zip(placeholders, arg_vars)):
            self.head.append(
                f"if type({v}) is not ndarray or {v}.shape != {p.data.shape!r} or "
                f"{v}.dtype is not {self.constant('DT', p.data.dtype)}: {v} = argument({i}, {v})"
            )
            self.var.setdefault(id(p.data), v)

    def read_leaves(self, calls: list[_Call]) -> list[tuple[Tensor, tuple[int, ...], np.dtype]]:
        """Parameters, then the leaves that no recorded call computes (constants, tensors fn
        captured from its closure): their ``.data`` is read at each call and must keep the
        traced shape and dtype. Returns each one's (tensor, shape, dtype)."""
        leaves = list(self.step.parameters)
        computed = {id(call.out) for call in calls}
        for node in self.graph:
            for t in node._parents:
                if t._op is None and not t.requires_grad and id(t.data) not in computed:
                    leaves.append(t)
        specs: list[tuple[Tensor, tuple[int, ...], np.dtype]] = []
        for k, t in enumerate(leaves):
            if id(t.data) in self.var and k >= len(self.step.parameters):
                continue  # an argument's data, or read already
            v, name = (f"p{k}", f"P{k}") if t.requires_grad else (f"c{k}", f"L{k}")
            self.namespace[name] = t
            self.head += [
                f"{v} = {name}.data",
                f"if {v}.shape != {t.data.shape!r} or {v}.dtype is not "
                f"{self.constant('DT', t.data.dtype)}: leaf_changed({len(specs)}, {v})",
            ]
            specs.append((t, t.data.shape, t.data.dtype))
            self.var.setdefault(id(t.data), v)
        return specs

    # -- the forward pass: the recorded calls the cost depends on, in the order they ran

    def forward(self, calls: list[_Call], visits: list[_Visit]) -> list[str]:
        """Write the calls the cost depends on, in the order they ran; return their names."""
        needed = _needed_calls(calls, self.root, self.var)
        differentiated = {id(visit.node.data): visit.node._op for visit in visits}
        for i in needed:
            call = calls[i]
            # A number, an axis, or an array computed outside autograd-lite: frozen.
            args = [self.var.get(id(a)) or self.constant("K", a) for a in call.args]
            saved = f"s{i}" if differentiated.get(id(call.out)) is call.op else "_"
            self.var[id(call.out)] = f"v{i}"
            f = self.function(call.forward, f"{call.name}_forward")
            lines = [f"v{i}, {saved} = {f}({', '.join(args)})"]
            if call.converted:
                lines.append(f"v{i} = asarray(v{i})")
            self.blocks.append(_Block(lines, args, []))
        for node in self.graph:
            if not self.var.get(id(node.data), "").startswith("v"):
                raise RuntimeError(
                    f"trace({self.step.name}): could not match the graph node {node._op.name} "
                    f"{node.shape} to a recorded primitive call"
                )
        root = self.var[id(self.root.data)]
        self.blocks.append(_Block([f"cost = {root}.item()"], [root], []))
        return [calls[i].name for i in needed]

    # -- the backward pass: the walk's visits, each edge as its plan says

    def backward(self, visits: list[_Visit]) -> list[int]:
        """Write the visits; return the numbers of the parameters they reach, in the order
        their first gradients arrive."""
        number = {p: k for k, p in enumerate(self.step.parameters)}
        seed = self.constant("SEED", _seed(self.root))
        for visit in visits:
            node = visit.node
            out = self.var[id(node.data)]
            upstream = seed if node is self.root else f"g{out[1:]}"
            targets = ["_"] * visit.count  # zip's pairs, should the op return more or fewer
            after: list[str] = []
            for edge in visit.edges:
                targets[edge.index], lines = self._edge(edge, upstream, number)
                after += lines
            inputs = [self.var[id(p.data)] for p in node._parents]
            needs = tuple(p.requires_grad for p in node._parents)
            b = self.function(node._op.backward, f"{node._op.name}_backward")
            call = f"{b}({upstream}, s{out[1:]}, ({''.join(v + ', ' for v in inputs)}), " \
                   f"{out}, {needs!r})"
            lines = [f"{''.join(t + ', ' for t in targets)}= {call}"]
            done = [f"s{out[1:]}"] + ([] if node is self.root else [upstream])
            self.blocks.append(_Block(lines + after, [out, *inputs], done))
        return list({number[e.parent]: None for visit in visits for e in visit.edges
                     if e.parent._op is None})

    def _edge(self, edge: _Edge, upstream: str, number: dict[Tensor, int]
              ) -> tuple[str, list[str]]:
        """The variable that gets the VJP's gradient for this edge, and the lines that make
        it the parent's share (its plan) and add it to the parent's gradient."""
        d = f"d{edge.index}"
        lines = _fit_lines(d, edge.plan, self.constant)
        if edge.parent._op is None:
            return d, lines + _leaf_lines(d, number[edge.parent], edge, upstream)
        total = "g" + self.var[id(edge.parent.data)][1:]
        if edge.arrival == 1 and not lines:  # straight from the op into the parent's gradient
            return total, []
        return d, lines + [_sum_line(total, d, edge.arrival)]

    # -- the function

    def source(self, arg_vars: list[str], forward_blocks: int, reached: list[int]) -> str:
        blocks = _with_deletes(self.blocks)
        forward = [line for block in blocks[:forward_blocks + 1] for line in block]
        backward = [line for block in blocks[forward_blocks + 1:] for line in block]
        lines = [
            f"def replay({', '.join(arg_vars)}):",
            "    # arguments, parameters and captured tensors: the traced shapes and dtypes",
            *("    " + line for line in self.head),
            "    # forward",
            *("    " + line for line in forward),
            "    # backward, in the engine's order (decreasing creation number). G: a",
            "    # parameter's .grad before the pass. None: its first gradient becomes its",
            "    # .grad (R), later ones are added into it; else they are summed (A) and",
            "    # added at the end, once all are checked. If the pass fails, the .grad it",
            "    # wrote go back to None.",
            *(f"    G{k} = P{k}._grad" for k in reached),
            "    try:",
            *("        " + line for line in backward),
            *(f"        if G{k} is not None: check_grad(P{k})" for k in reached),
            "    except BaseException:",
            *(f"        if G{k} is None: P{k}._grad = None" for k in reached),
            "        raise",
            *(f"    if G{k} is not None: accumulate_grad(P{k}, A{k})" for k in reached),
            "    return cost",
            "",
        ]
        return "\n".join(lines)


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
        self._nargs = len(arg_names)
        self._arg_specs = [(p.data.shape, p.data.dtype) for p in placeholders]
        graph = engine.topological_order(root)
        self._graph_size = len(graph)
        self.parameters: list[Tensor] = _parameters(graph)
        visits = _plan_backward(root)

        writer = _Writer(self, root, graph)
        arg_vars = [f"in{i}_{_identifier(n)}" for i, n in enumerate(arg_names)]
        writer.read_arguments(placeholders, arg_vars)
        self._leaves = writer.read_leaves(calls)
        self._op_names = writer.forward(calls, visits)
        self._forward_calls = len(self._op_names)
        reached = writer.backward(visits)
        self.source = writer.source(arg_vars, self._forward_calls, reached)
        exec(compile(self.source, f"<traced {name}>", "exec"), writer.namespace)  # noqa: S102
        self._replay = writer.namespace["replay"]

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
