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
primitive's own ``backward`` in reverse topological order, summing broadcast gradients
back with :func:`autograd_lite.engine.unbroadcast` and accumulating into the
parameters' ``.grad`` exactly as ``cost.backward()`` would: same primitives, same
order, same arithmetic, so the gradients are bit-for-bit the eager ones.

The recording is turned into one straight-line Python function (``step.source``
shows it): one line per primitive call, no Tensor objects, no graph walk.

What is recorded, and what is frozen
------------------------------------
- Every argument of ``fn`` is a *placeholder*: each call supplies a new array of the
  same shape and dtype (a clear error otherwise).
- The *parameters* are the leaves of the graph that require grad (typically captured
  by ``fn`` from a model). Their current ``.data`` is read at every call, so an
  optimizer's in-place update, or a new array assigned to ``.data``, is seen.
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

from autograd_lite.engine import require_cost, topological_order, unbroadcast
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


# --------------------------------------------------------------------------- replay


def _accumulate(t: Tensor, grad: Any, not_upstream: bool) -> None:
    """t.grad += grad into a buffer t owns, as the eager engine accumulates into a leaf."""
    current = t.grad
    if current is None:
        fresh = not_upstream and type(grad) is np.ndarray and grad.base is None
        t.grad = grad if fresh else np.array(grad, dtype=t.data.dtype)
    elif isinstance(current, Tensor):
        t.grad = current.data + grad
    else:
        current += grad


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

        graph = topological_order(root)
        params: list[Tensor] = []
        seen: set[int] = set()
        for node in graph:
            for parent in node._parents:
                if parent._op is None and parent.requires_grad and id(parent) not in seen:
                    seen.add(id(parent))
                    params.append(parent)
        self.parameters: list[Tensor] = params

        namespace: dict[str, Any] = {
            "unbroadcast": unbroadcast,
            "accumulate": _accumulate,
            "asarray": np.asarray,
            "ndarray": np.ndarray,
        }

        def bind(prefix: str, value: Any) -> str:
            key = f"{prefix}{len(namespace)}"
            namespace[key] = value
            return key

        # Every value gets a variable of the generated function, by the id of its array.
        var: dict[int, str] = {}
        head: list[str] = []
        arg_vars = [f"in{i}_{_identifier(n)}" for i, n in enumerate(arg_names)]
        for p, v in zip(placeholders, arg_vars):
            var.setdefault(id(p.data), v)
        self._param_shapes = []
        param_keys: dict[int, str] = {}
        for k, p in enumerate(params):
            v = f"p{k}"
            param_keys[id(p)] = bind("P", p)
            head.append(f"{v} = {param_keys[id(p)]}.data")
            head.append(f"if {v}.shape != {p.data.shape!r}: shape_error({k}, {v})")
            self._param_shapes.append(p.data.shape)
            var.setdefault(id(p.data), v)
        namespace["shape_error"] = self._parameter_shape_error

        # Leaves of the graph that are not computed while tracing (constants, tensors fn
        # captured from its closure): their .data is read at each call.
        producer = {id(call.out): index for index, call in enumerate(calls)}
        for node in graph:
            for parent in node._parents:
                key = id(parent.data)
                if parent._op is None and key not in var and key not in producer:
                    v = f"c{len(var)}"
                    head.append(f"{v} = {bind('L', parent)}.data")
                    var[key] = v

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

        graph_ops = {id(node.data): node._op for node in graph}
        functions: dict[int, str] = {}

        def function_name(function: Callable, label: str) -> str:
            if id(function) not in functions:
                key = _identifier(label)
                while key in namespace:
                    key += "_"
                namespace[key] = function
                functions[id(function)] = key
            return functions[id(function)]

        forward_lines: list[str] = []
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
            in_graph = graph_ops.get(id(call.out)) is call.op
            saved = f"s{index}" if in_graph else "_"
            f = function_name(call.forward, f"{call.name}_forward")
            forward_lines.append(f"{out}, {saved} = {f}({', '.join(arg_list)})")
            if call.converted:
                forward_lines.append(f"{out} = asarray({out})")
            self._op_names.append(call.name)

        for node in graph:
            if not var.get(id(node.data), "").startswith("v"):
                raise RuntimeError(
                    f"trace({self.name}): could not match the graph node {node._op.name} "
                    f"{node.shape} to a recorded primitive call"
                )
        self._forward_calls = len(forward_lines)

        # The backward pass, node by node in reverse topological order, as the engine runs it.
        node_number = {id(node): k for k, node in enumerate(graph)}
        incoming = [0] * len(graph)
        for node in graph:
            for parent in node._parents:
                if parent._op is not None:
                    incoming[node_number[id(parent)]] += 1
        last_use: dict[str, int] = {}  # value -> the last node whose backward reads it
        for step, node in enumerate(reversed(graph)):
            for t in (node, *node._parents):
                last_use[var[id(t.data)]] = step

        root_number = node_number[id(root)]
        backward_lines = [f"g{root_number} = {bind('SEED', self._seed(root))}"]
        others = [f"g{k}" for k in range(len(graph)) if k != root_number]
        if others:
            backward_lines.append(" = ".join(others) + " = None")
        owned = [f"o{k}" for k in range(len(graph)) if incoming[k] > 1]
        if owned:
            backward_lines.append(" = ".join(owned) + " = False")
        for step, node in enumerate(reversed(graph)):
            k = node_number[id(node)]
            out = var[id(node.data)]
            parents = node._parents
            needs = tuple(p.requires_grad for p in parents)
            body = []
            results = [f"d{i}" if need else "_" for i, need in enumerate(needs)]
            inputs = "".join(var[id(p.data)] + ", " for p in parents)
            b = function_name(node._op.backward, f"{node._op.name}_backward")
            saved = "s" + out[1:]
            body.append(
                f"{', '.join(results)}, = {b}(g{k}, {saved}, ({inputs}), {out}, {needs!r})"
            )
            body.append(f"del {saved}")
            for i, (parent, need) in enumerate(zip(parents, needs)):
                if not need:
                    continue
                d = f"d{i}"
                shape, dtype = parent.data.shape, parent.data.dtype
                dt = bind("DT", dtype)
                deliver = [
                    f"if {d}.shape != {shape!r}: {d} = unbroadcast({d}, {shape!r})",
                    f"if {d}.dtype is not {dt} and {d}.dtype != {dt}: {d} = {d}.astype({dt})",
                ]
                if parent._op is None:
                    # The common case inline: no gradient yet, and a new array of our own.
                    P = param_keys[id(parent)]
                    deliver += [
                        f"if {P}.grad is None and type({d}) is ndarray and {d}.base is None "
                        f"and {d} is not g{k}: {P}.grad = {d}",
                        f"else: accumulate({P}, {d}, {d} is not g{k})",
                    ]
                else:
                    j = node_number[id(parent)]
                    if incoming[j] == 1:
                        deliver.append(f"g{j} = {d}")
                    else:
                        deliver += [
                            f"if g{j} is None: g{j} = {d}",
                            f"elif o{j} and type(g{j}) is ndarray: g{j} += {d}",
                            f"else: g{j} = g{j} + {d}; o{j} = True",
                        ]
                body.append(f"if {d} is not None:")
                body += ["    " + line for line in deliver]
            done = sorted(v for v, s in last_use.items() if s == step and v.startswith("v"))
            if done:
                body.append(f"del {', '.join(done)}")
            if k == root_number:
                backward_lines += body
            else:
                backward_lines.append(f"if g{k} is not None:")
                backward_lines += ["    " + line for line in body]
            backward_lines.append(f"del g{k}")

        root_var = var[id(root.data)]
        lines = [f"def replay({', '.join(arg_vars)}):"]
        lines += ["    # parameters and captured tensors, read at every call"]
        lines += ["    " + line for line in head]
        lines += ["    # forward"]
        lines += ["    " + line for line in forward_lines]
        lines += [f"    cost = {root_var}.item()", "    # backward"]
        lines += ["    " + line for line in backward_lines]
        lines += ["    return cost", ""]
        self.source = "\n".join(lines)
        exec(compile(self.source, f"<traced {self.name}>", "exec"), namespace)  # noqa: S102
        self._replay = namespace["replay"]
        self._graph_size = len(graph)

    @staticmethod
    def _seed(root: Tensor) -> np.ndarray:
        seed = np.ones(root.data.shape, dtype=root.data.dtype)
        seed.flags.writeable = False  # shared by every call: never added into
        return seed

    def _parameter_shape_error(self, k: int, data: np.ndarray) -> None:
        p = self.parameters[k]
        raise ValueError(
            f"TracedStep {self.name}: parameter {p._label()} now has shape {data.shape} but "
            f"the step was traced with shape {self._param_shapes[k]}; trace again"
        )

    def __call__(self, *args: Any) -> float:
        """Recompute the forward and backward passes on new data; return the cost."""
        specs = self._arg_specs
        if len(args) != len(specs):
            raise TypeError(
                f"TracedStep {self.name}: takes {len(specs)} arguments "
                f"({', '.join(self._arg_names)}); got {len(args)}"
            )
        arrays = []
        for i, arg in enumerate(args):
            shape, dtype = specs[i]
            if type(arg) is not np.ndarray or arg.dtype != dtype:
                arg = to_array(arg.data if isinstance(arg, Tensor) else arg)
            if arg.shape != shape or arg.dtype != dtype:
                raise ValueError(
                    f"TracedStep {self.name}: argument {self._arg_names[i]!r} has shape "
                    f"{arg.shape} ({arg.dtype}) but the step was traced with shape {shape} "
                    f"({dtype}); trace again for new shapes (e.g. for the last, smaller "
                    "mini-batch)"
                )
            arrays.append(arg)
        return self._replay(*arrays)

    def __repr__(self) -> str:
        return (
            f"TracedStep({self.name}: {self._forward_calls} forward calls "
            f"({', '.join(self._op_names)}), {self._graph_size} graph nodes, "
            f"{len(self.parameters)} parameters)"
        )
