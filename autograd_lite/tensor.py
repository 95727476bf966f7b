"""The Tensor: an ndarray, its gradient, and the primitive that made it.

A Tensor is a node of the computation graph. A leaf is made by the user
(``Tensor(data, requires_grad=True)``); every other tensor is the output of a
primitive op and remembers that op (``.op``), its inputs (``.parents``) and what
the op saved for its local derivative. ``backward()`` hands the graph to the
engine (:mod:`autograd_lite.engine`), which applies the chain rule in reverse
topological order.

Tensor itself stays small: every operator and method delegates to a primitive
in :mod:`autograd_lite.ops`, where the forward and its derivative live side by side.
"""

from __future__ import annotations

import copyreg
import threading
import weakref
from collections.abc import Callable
from itertools import count
from typing import Any

import numpy as np

from autograd_lite import traps as _traps


class _Freed:
    """The sentinels stored in place of an op's saved values once backward has freed them."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __reduce__(self) -> str:
        return self._name  # pickle and copy keep the one sentinel, so `is FREED` still holds

    def __repr__(self) -> str:
        return self._name


#: What a backward pass leaves in place of the values an op saved for its derivative.
FREED = _Freed("FREED")
#: The same, for an op that had saved nothing (its VJP needs only its inputs and output,
#: which stay): the pictures of a finished pass can still walk it again.
FREED_NOTHING = _Freed("FREED_NOTHING")

# Every recorded node gets the next number (ops.base.apply, binary_method, unpickling): a
# node's inputs always have smaller numbers than the node, so decreasing numbers are a
# reverse topological order, which the engine's backward pass relies on. The counter lives
# here, with Tensor, so that reloading another module cannot restart it.
_next_seq = count().__next__


def to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Convert user data to a floating ndarray without copying when it already is one.

    Python numbers, lists, bool and integer arrays become float64; float32 stays float32.
    """
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Tensor: dtype must be floating (float64, float32); got {dtype}")
        return np.asarray(data, dtype=dtype)
    array = np.asarray(data)
    kind = array.dtype.kind
    if kind == "f":
        return array
    if kind in "biu":
        return array.astype(np.float64)
    raise TypeError(
        f"Tensor: cannot make a tensor from data of dtype {array.dtype} "
        "(expected numbers, lists of numbers or a numeric ndarray)"
    )


class Tensor:
    """An n-dimensional array that records the operations applied to it.

    Parameters
    ----------
    data: ndarray, number or nested list. Integer and bool data become float64.
    requires_grad: whether gradients dJ/dthis are accumulated into ``.grad``.
    name: optional label (used in error messages and graph pictures).
    dtype: optional floating dtype to convert to.
    """

    __slots__ = (
        "data",
        "_grad",
        "requires_grad",
        "name",
        "_op",
        "_parents",
        "_saved",
        "_retains_grad",
        "_seq",
        "__weakref__",
    )

    def __init__(
        self,
        data: Any,
        requires_grad: bool = False,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        self.data = to_array(data, dtype)
        self._grad: np.ndarray | Tensor | None = None
        self.requires_grad = bool(requires_grad)
        self.name = name
        self._op = None
        self._parents: tuple[Tensor, ...] = ()
        self._saved = None
        self._retains_grad = False

    # ------------------------------------------------------------ pickle and copy
    # A graph is a chain of Tensors, each holding its inputs: pickling or deep-copying it
    # the default way recurses once per op and fails past a few hundred ops. Instead, the
    # first tensor reached (the root) puts every tensor it reaches, inputs first, in
    # front of its own state (a "prelude"); each of those is then pickled shallow, its
    # inputs being already done (pickle's and deepcopy's memo give them back), so the
    # depth stays constant. Shared nodes stay shared, within one graph and with other
    # tensors pickled alongside.

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        instance_dict = getattr(self, "__dict__", None) or None
        return _new_tensor, (type(self),), (_prelude(self), instance_dict, _slots_of(self))

    def __copy__(self) -> Tensor:
        """A shallow copy: a new node with the same data, inputs and gradient."""
        new = _new_tensor(type(self))
        new.__setstate__((None, getattr(self, "__dict__", None), _slots_of(self)))
        return new

    def __setstate__(self, state: Any) -> None:
        """Unpickling and copy.deepcopy: the slots back, and a node gets a new number here,
        after its inputs got theirs, so that numbers still follow creation in this process.

        ``state`` is ``(prelude, instance_dict, slots)``; the prelude (the tensors this one
        reaches, already rebuilt) needs nothing more. Pickles made before it existed hold
        ``(instance_dict, slots)``. A ``.grad`` recorded with ``create_graph=True`` is a
        graph that uses this tensor, yet it is rebuilt first (it is part of this tensor's
        state): it is numbered again, parents first, after this tensor.
        """
        if isinstance(state, tuple) and len(state) == 3:
            instance_dict, slots = state[1], state[2]
        else:
            instance_dict, slots = state if isinstance(state, tuple) else (state, None)
        if instance_dict:  # a subclass with a __dict__
            self.__dict__.update(instance_dict)
        for key, value in (slots or {}).items():
            setattr(self, key, value)
        if self._op is not None:
            self._seq = _next_seq()
            grad = self._grad
            if isinstance(grad, Tensor) and grad._op is not None:
                # Its nodes were numbered, inputs first, as they were rebuilt: keep that order.
                nodes, stack = {id(grad): grad}, [grad]
                while stack:
                    for parent in stack.pop()._parents:
                        fresh = id(parent) not in nodes and parent is not self
                        if parent._op is not None and fresh:
                            nodes[id(parent)] = parent
                            stack.append(parent)
                for node in sorted(nodes.values(), key=lambda t: t._seq):
                    node._seq = _next_seq()

    # ----------------------------------------------------------------- graph
    @property
    def grad(self) -> np.ndarray | Tensor | None:
        """dJ/dthis after ``J.backward()``: filled on leaves that require grad, and on
        tensors made by an op only after ``retain_grad()``.

        Reading it on a tensor made by an op that did not ``retain_grad()`` warns
        (NonLeafGradWarning, as PyTorch does): it is None, and the usual cause is a
        parameter updated as ``w = w - lr * w.grad``. The engine uses the slot ``_grad``.
        """
        grad = self._grad
        if grad is None and self._op is not None and not self._retains_grad:
            _traps.warn_grad_of_non_leaf(self.name, self._op.name, self.data.shape)
        return grad

    @grad.setter
    def grad(self, value: np.ndarray | Tensor | None) -> None:
        self._grad = value

    @property
    def op(self) -> str | None:
        """Name of the primitive that produced this tensor; None for a leaf."""
        return None if self._op is None else self._op.name

    @property
    def primitive(self) -> Any:
        """The primitive class that produced this tensor (``ops.elementwise.Mul``), with
        its math and what it teaches (symbol, formula, derivatives); None for a leaf."""
        return self._op

    @property
    def parents(self) -> tuple[Tensor, ...]:
        """The input tensors of the primitive that produced this tensor."""
        return self._parents

    @property
    def is_leaf(self) -> bool:
        return self._op is None

    @property
    def retains_grad(self) -> bool:
        """True for an intermediate tensor after ``retain_grad()`` (False for leaves)."""
        return self._retains_grad

    @property
    def graph_freed(self) -> bool:
        """True once backward released the values this tensor's op saved."""
        return self._saved is FREED or self._saved is FREED_NOTHING

    # ------------------------------------------------------------ array-like
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def T(self) -> Tensor:
        return _ops.transpose(self)

    def __len__(self) -> int:
        return len(self.data)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """``np.asarray(t)``: the values, ``t.data`` (no graph: the values only)."""
        if dtype is None or np.dtype(dtype) == self.data.dtype:
            return self.data.copy() if copy else self.data
        return self.data.astype(dtype)

    # NumPy's own functions on Tensors: np.exp(t), np.dot(W, X), np.sum(dZ, axis=1) and
    # an ndarray's operators (X * t) record the graph; queries (np.shape, np.argmax,
    # comparisons) give NumPy's results; any other function given a tensor that requires
    # grad raises a TypeError. The rules: autograd_lite/numpy_dispatch.py. Set at the end
    # of this module, like the operators.
    __array_ufunc__: Any
    __array_function__: Any

    def item(self) -> float:
        if self.data.size != 1:
            raise ValueError(
                f"item: only a tensor with one element converts to a Python number; "
                f"{self._label()} has shape {self.shape}"
            )
        return self.data.item()

    def __float__(self) -> float:
        return float(self.item())

    def __bool__(self) -> bool:
        # Without this, bool() would fall back on __len__, which fails for one number.
        return bool(self.data)

    def numpy(self) -> np.ndarray:
        """The underlying ndarray (shared, not copied)."""
        return self.data

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, cut from the graph."""
        return Tensor(self.data, requires_grad=False, name=self.name)

    def _label(self) -> str:
        if self.name:
            return f"tensor '{self.name}'"
        if self._op is not None:
            return f"the output of {self._op.name}"
        return "the tensor"

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extras = ""
        if self.data.dtype != np.float64:
            extras += f", dtype={self.data.dtype}"
        if self.requires_grad:
            extras += ", requires_grad=True"
        if self._op is not None:
            extras += f", op={self._op.name}"
        if self.name is not None:
            extras += f", name={self.name!r}"
        return f"Tensor({body}{extras})"

    # ---------------------------------------------------------- differentiation
    def backward(
        self, grad: Any = None, retain_graph: bool = False, create_graph: bool = False
    ) -> None:
        """Accumulate dJ/dleaf into ``leaf.grad`` for every leaf of the graph that requires
        grad (J is this tensor; ``grad`` = dJ/dthis, 1 when it has one element).

        The chain rule, step by step, is :func:`autograd_lite.engine.backward_pass`; the
        common case (no ``create_graph``, no anomaly mode) runs it fused, straight from here
        (one call less per step: engine.backward routes the same way).
        """
        if create_graph or (_grad_mode.open_blocks and _grad_mode.modes.backward_hook):
            _engine.backward(self, grad, retain_graph, create_graph)
        else:
            _engine.fast_backward.backward(self, grad, retain_graph)

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` on this intermediate tensor during backward (leaves always do)."""
        if self._op is not None:
            self._retains_grad = True
        return self

    def zero_grad(self) -> None:
        """Reset the gradients of this tensor and of every tensor in its graph."""
        _engine.zero_grad(self)

    # -------------------------------------------------------------- operators
    # The three commonest operators are their primitive applied directly: a + b is
    # ops.base.binary_method(Add)(a, b), which runs Add.forward (ops/elementwise.py, where
    # its derivative is too) and records the node. They are bound at the end of this
    # module, once the primitives exist (the primitives are made of Tensors); the rest go
    # through the functions in autograd_lite.ops.
    __add__: Callable[[Tensor, Any], Tensor]  # binary_method(Add)
    __radd__: Callable[[Tensor, Any], Tensor]  # binary_method(Add, reflected=True)
    __sub__: Callable[[Tensor, Any], Tensor]  # binary_method(Sub)
    __rsub__: Callable[[Tensor, Any], Tensor]  # binary_method(Sub, reflected=True)
    __mul__: Callable[[Tensor, Any], Tensor]  # binary_method(Mul)
    __rmul__: Callable[[Tensor, Any], Tensor]  # binary_method(Mul, reflected=True)

    def __truediv__(self, other: Any) -> Tensor:
        return _ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ops.div(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return _ops.power(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _ops.power(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _ops.matmul(other, self)

    def __neg__(self) -> Tensor:
        return _ops.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.getitem(self, index)

    # Comparisons look at values only and give plain boolean arrays.
    def __lt__(self, other: Any) -> np.ndarray:
        return self.data < _data_of(other)

    def __le__(self, other: Any) -> np.ndarray:
        return self.data <= _data_of(other)

    def __gt__(self, other: Any) -> np.ndarray:
        return self.data > _data_of(other)

    def __ge__(self, other: Any) -> np.ndarray:
        return self.data >= _data_of(other)

    def __eq__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        return self.data == _data_of(other)

    def __ne__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        return self.data != _data_of(other)

    __hash__ = object.__hash__

    # ---------------------------------------------------------------- methods
    def reshape(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _ops.reshape(self, shape)

    def transpose(self, *axes: Any) -> Tensor:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _ops.transpose(self, axes or None)

    def sum(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _ops.sum(self, axis, keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _ops.mean(self, axis, keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _ops.max(self, axis=axis, keepdims=keepdims)

    def astype(self, dtype: Any) -> Tensor:
        """This tensor in another floating dtype (itself if it already has it); differentiable."""
        return _ops.astype(self, dtype)

    def exp(self) -> Tensor:
        return _ops.exp(self)

    def log(self) -> Tensor:
        return _ops.log(self)

    def sqrt(self) -> Tensor:
        return _ops.sqrt(self)

    def abs(self) -> Tensor:
        return _ops.abs(self)

    def tanh(self) -> Tensor:
        return _ops.tanh(self)

    def sigmoid(self) -> Tensor:
        return _ops.sigmoid(self)

    def relu(self) -> Tensor:
        return _ops.relu(self)

    # NumPy-native (issue 13): ndarray's methods for repeat and cumsum, with its arguments.
    def repeat(self, repeats: Any, axis: int | None = None) -> Tensor:
        return _ops.repeat(self, repeats, axis)

    def cumsum(self, axis: int | None = None, dtype: Any = None, out: Any = None) -> Tensor:
        return _ops.cumsum(self, axis, dtype, out)
    # ----- the ndarray methods of issue "NumPy-native" (ops-a): reductions, queries, shapes
    def min(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _ops.min(self, axis=axis, keepdims=keepdims)

    def prod(self, axis: Any = None, *, keepdims: bool = False) -> Tensor:
        return _ops.prod(self, axis, keepdims=keepdims)

    def var(self, axis: Any = None, *, ddof: float = 0, keepdims: bool = False) -> Tensor:
        return _ops.var(self, axis, ddof=ddof, keepdims=keepdims)

    def std(self, axis: Any = None, *, ddof: float = 0, keepdims: bool = False) -> Tensor:
        return _ops.std(self, axis, ddof=ddof, keepdims=keepdims)

    def argmax(self, axis: int | None = None, out: np.ndarray | None = None, *,
               keepdims: bool = False) -> np.ndarray:
        """The index of the largest value (an ndarray, as NumPy's; no gradient)."""
        return _ops.argmax(self, axis, out, keepdims=keepdims)

    def argmin(self, axis: int | None = None, out: np.ndarray | None = None, *,
               keepdims: bool = False) -> np.ndarray:
        """The index of the smallest value (an ndarray, as NumPy's; no gradient)."""
        return _ops.argmin(self, axis, out, keepdims=keepdims)

    def squeeze(self, axis: Any = None) -> Tensor:
        return _ops.squeeze(self, axis)

    def flatten(self, order: str = "C") -> Tensor:
        return _ops.flatten(self, order)

    def ravel(self, order: str = "C") -> Tensor:
        return _ops.ravel(self, order)


def _data_of(value: Any) -> Any:
    return value.data if isinstance(value, Tensor) else value


# ------------------------------------------------------------------ pickle and copy

def _slots_of(t: Tensor) -> dict[str, Any]:
    """{slot: value} for every slot of ``t``'s class and its bases that holds a value."""
    return {name: getattr(t, name) for name in copyreg._slotnames(type(t)) if hasattr(t, name)}


def _new_tensor(cls: type[Tensor]) -> Tensor:
    """An empty instance of ``cls``, filled by ``__setstate__`` (pickle's first step)."""
    return cls.__new__(cls)


class _Scheduled(threading.local):
    """Per thread: the tensors that a root's prelude will pickle next, by id (each with a
    weak reference, so that a reused id is never mistaken for them)."""

    def __init__(self) -> None:
        self.nodes: dict[int, weakref.ref[Tensor]] = {}


_scheduled = _Scheduled()


def _prelude(t: Tensor) -> list[Any] | None:
    """What ``t``'s pickled state starts with: None when ``t`` is itself in a prelude
    being pickled (its inputs are done), else every tensor it reaches, inputs first."""
    nodes = _scheduled.nodes
    ref = nodes.get(id(t))
    if ref is not None and ref() is t:
        del nodes[id(t)]
        return None
    order = _reached_inputs_first(t)
    if not order:
        return None
    for node in order:
        nodes[id(node)] = weakref.ref(node)
    return [*order, _PreludeEnd([id(node) for node in order])]


def _reached_inputs_first(root: Tensor) -> list[Tensor]:
    """The tensors ``root`` reaches through its inputs and any ``.grad`` graph, each after
    what it reaches (a depth-first post-order, without recursion); ``root`` left out."""
    order: list[Tensor] = []
    seen = {id(root)}
    stack = [(root, iter(_edges(root)))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append((child, iter(_edges(child))))
                break
        else:
            stack.pop()
            if node is not root:
                order.append(node)
    return order


def _edges(t: Tensor) -> tuple[Tensor, ...]:
    grad = t._grad
    return (*t._parents, grad) if isinstance(grad, Tensor) else t._parents


class _PreludeEnd:
    """The last item of a prelude: once pickle or deepcopy reaches it, the prelude's
    tensors are done, and are no longer marked as scheduled. Unpickles as None."""

    __slots__ = ("_ids",)

    def __init__(self, ids: list[int]) -> None:
        self._ids = ids

    def _finish(self) -> None:
        nodes = _scheduled.nodes
        for key in self._ids:
            nodes.pop(key, None)

    def __reduce__(self) -> tuple[Any, ...]:
        self._finish()
        return _nothing, ()

    def __deepcopy__(self, memo: dict[int, Any]) -> None:
        self._finish()
        return None


def _nothing() -> None:
    return None


# Imported last: both modules use Tensor, and Tensor's methods use them.
from autograd_lite import engine as _engine  # noqa: E402
from autograd_lite import grad_mode as _grad_mode  # noqa: E402
from autograd_lite import ops as _ops  # noqa: E402
from autograd_lite.ops.base import binary_method as _binary_method  # noqa: E402
from autograd_lite.ops.elementwise import Add as _Add  # noqa: E402
from autograd_lite.ops.elementwise import Mul as _Mul  # noqa: E402
from autograd_lite.ops.elementwise import Sub as _Sub  # noqa: E402

Tensor.__add__, Tensor.__radd__ = _binary_method(_Add), _binary_method(_Add, reflected=True)
Tensor.__sub__, Tensor.__rsub__ = _binary_method(_Sub), _binary_method(_Sub, reflected=True)
Tensor.__mul__, Tensor.__rmul__ = _binary_method(_Mul), _binary_method(_Mul, reflected=True)

# After the operators: NumPy's dispatch sends an ndarray's operators (X * t) to them.
from autograd_lite import numpy_dispatch as _numpy_dispatch  # noqa: E402

Tensor.__array_ufunc__ = _numpy_dispatch.array_ufunc
Tensor.__array_function__ = _numpy_dispatch.array_function
