"""Products: the course's Z = W A + b is ``W @ A + b``; einsum writes any sum of products
(``einsum("ij,jk->ik", W, A)`` is the same W A), and outer is u vᵀ."""

from __future__ import annotations

import string
from collections import Counter
from typing import Any

import numpy as np

from autograd_lite.ops import base
from autograd_lite.ops.base import (
    Primitive,
    apply,
    binary_method,
    binary_operands,
    constant,
    implements,
)
from autograd_lite.ops.shape import reshape
from autograd_lite.tensor import Tensor

#: The public functions of this family (re-exported by autograd_lite.ops).
__all__ = [
    "dot",
    "einsum",
    "matmul",
    "outer",
]


class MatMul(Primitive):
    """Z = W A;  dW = dZ Aᵀ,  dA = Wᵀ dZ (NumPy matmul rules, batch axes broadcast).

    A 1-D operand is a vector: it is treated as a row (left) or column (right) and the
    added axis is removed again from its gradient.
    """

    name = "matmul"
    symbol, formula = "@", "{0} @ {1}"

    @staticmethod
    def forward(a, b):
        return a @ b, None

    @staticmethod
    def backward(g, saved, inputs, out, needs):
        a, b = inputs
        if a.ndim == 2 and b.ndim == 2:  # the course's case, first: dW = dZ Aᵀ, dA = Wᵀ dZ
            return (g @ b.T if needs[0] else None), (a.T @ g if needs[1] else None)
        if a.ndim == 1 and b.ndim == 1:  # inner product: z = Σ a_i b_i
            return (g * b if needs[0] else None), (g * a if needs[1] else None)
        if a.ndim == 1:  # (n,) @ (..., n, k) -> (..., k)
            a2 = a.reshape((1, a.shape[0]))
            g2 = g.reshape(g.shape[:-1] + (1, g.shape[-1]))
            da = (g2 @ base.swap_last_axes(b)) if needs[0] else None
            db = (base.swap_last_axes(a2) @ g2) if needs[1] else None
            if da is not None:
                da = da.reshape(da.shape[:-2] + (a.shape[0],))
                da = da.sum(axis=tuple(range(da.ndim - 1))) if da.ndim > 1 else da
            return da, db
        if b.ndim == 1:  # (..., m, n) @ (n,) -> (..., m)
            b2 = b.reshape((b.shape[0], 1))
            g2 = g.reshape(g.shape + (1,))
            da = (g2 @ base.swap_last_axes(b2)) if needs[0] else None
            db = (base.swap_last_axes(a) @ g2) if needs[1] else None
            if db is not None:
                db = db.reshape(db.shape[:-1])
                db = db.sum(axis=tuple(range(db.ndim - 1))) if db.ndim > 1 else db
            return da, db
        da = (g @ base.swap_last_axes(b)) if needs[0] else None
        db = (base.swap_last_axes(a) @ g) if needs[1] else None
        return da, db


_matmul = binary_method(MatMul)


def _check_matmul(op: str, a: Tensor, b: Tensor) -> None:
    if a.ndim == 0 or b.ndim == 0:
        raise base.ShapeError(
            f"{op}: operands must have at least one dimension; got {a.shape} @ {b.shape} "
            "(use * to multiply by a scalar)"
        )
    inner_a = a.shape[-1]
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if inner_a != inner_b:
        raise base.ShapeError(
            f"{op}: {a.shape} @ {b.shape} — inner dimensions {inner_a} and {inner_b} differ"
        )


@implements(np.matmul, np.linalg.matmul)
def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product a @ b (NumPy's matmul rules)."""
    ta, tb = binary_operands(a, b)
    _check_matmul("matmul", ta, tb)
    return _matmul(ta, tb)


@implements(np.dot)
def dot(a: Any, b: Any) -> Tensor:
    """np.dot for vectors and matrices (the course's np.dot(W, A)); same as matmul there."""
    ta, tb = binary_operands(a, b)
    if ta.ndim > 2 or tb.ndim > 2:
        raise base.ShapeError(
            f"dot: only vectors and matrices are supported; got {ta.shape} and {tb.shape} "
            "(use matmul for stacks of matrices)"
        )
    _check_matmul("dot", ta, tb)
    return _matmul(ta, tb)


# --------------------------------------------------------------------------- einsum

class Einsum(Primitive):
    """Z = einsum(subscripts, X₁, ..., Xₙ) (np.einsum): each entry of Z is the sum of the
    products X₁[...]·X₂[...]··· over the labels that Z's subscripts leave out;
    ``"ij,jk->ik"`` is the matrix product Z[i,k] = Σ_j W[i,j] A[j,k].

    dX_k = the same sum of products with dZ in X_k's place: einsum of dZ and the other
    operands, to X_k's subscripts (``"ik,jk->ij"``: dW = dZ Aᵀ; ``"ij,ik->jk"``: dA = Wᵀ dZ).
    Two cases take one constant operand more:

    - a label that no other operand and not Z has (``"ij->i"`` sums over j): every one of
      its positions gets dZ, brought back by a vector of ones;
    - a label that X_k repeats (a diagonal: ``"ii->"`` is the trace, ``"ii->i"`` the
      diagonal): only the diagonal reached Z, so the identity δ puts dZ there, 0 elsewhere.

    The node keeps its subscripts written out: ``"..."`` replaced by labels of its own and
    the implicit output spelled out (``"ij,jk"`` is ``"ij,jk->ik"``).
    """

    name = "einsum"
    backward_hint = (
        "an einsum's gradient multiplies the upstream gradient by the other operands: "
        "a huge operand or upstream gradient overflows it."
    )

    @classmethod
    def derivative_text(cls, position, out, operands, node):
        """dZ/dX_k, element by element, is the product of the other operands (1 for a single
        operand) when every operand has the same subscripts and Z keeps some of them in
        order: an elementwise product, a dot product, a sum. Otherwise (``"ij,jk->ik"``,
        a trace ``"ii->"``, a transpose ``"ij->ji"``) each element of Z depends on other
        elements of X_k than its own, and no one expression says it: no text."""
        if node._saved is None:
            return None
        terms, output, _ = node._saved
        term = terms[0]
        same = all(t == term for t in terms) and len(set(term)) == len(term)
        if not same or output != "".join(label for label in term if label in output):
            return None
        others = operands[:position] + operands[position + 1:]
        return "·".join(others) if others else "1"

    @staticmethod
    def forward(*arrays_and_spec):
        *arrays, spec = arrays_and_spec
        terms, output, optimize = spec
        return np.einsum(",".join(terms) + "->" + output, *arrays, optimize=optimize), spec

    @staticmethod
    def backward(g, spec, inputs, out, needs):
        return tuple(_operand_gradient(k, g, inputs, spec) if need else None
                     for k, need in enumerate(needs))


#: The labels np.einsum accepts, in the order of its sublist form (0 is "A", 26 is "a").
_LABELS = string.ascii_uppercase + string.ascii_lowercase


def _operand_gradient(k: int, g: Any, inputs: tuple, spec: tuple) -> Any:
    """dJ/dX_k: einsum of dZ with the other operands (and ones, and identities) to X_k's
    subscripts; see :class:`Einsum`."""
    terms, output, optimize = spec
    term, shape = terms[k], inputs[k].shape
    others = [j for j in range(len(terms)) if j != k]
    # The length each label has in dZ and the other operands (1 where they broadcast it).
    lengths: dict[str, int] = {}
    for labels, operand_shape in [(output, g.shape)] + [(terms[j], inputs[j].shape)
                                                        for j in others]:
        for c, n in zip(labels, operand_shape):
            lengths[c] = max(lengths.get(c, 0), n)
    fresh = iter([c for c in _LABELS if c not in set(output).union(*terms)])
    dtype = base.data(g).dtype
    target: list[str] = []
    extra_terms: list[str] = []
    extra_arrays: list[np.ndarray] = []
    for c, n in zip(term, shape):
        if c in target:  # a repeated label: the diagonal
            d = next(fresh, None)
            if d is None:
                raise base.ShapeError("einsum: too many labels to differentiate a diagonal "
                                      "(np.einsum has 52)")
            target.append(d)
            extra_terms.append(c + d)
            extra_arrays.append(np.eye(n, dtype=dtype))
        else:
            target.append(c)
            if lengths.get(c, 0) < n:  # summed over (or broadcast) in X_k alone
                extra_terms.append(c)
                extra_arrays.append(np.ones(n, dtype=dtype))
    if not isinstance(optimize, (bool, str)):  # an explicit path fits the forward only
        optimize = True
    grad_terms = [output] + [terms[j] for j in others] + extra_terms
    operands = [g] + [inputs[j] for j in others] + extra_arrays
    if isinstance(g, Tensor):
        return _apply_einsum(grad_terms, "".join(target), operands, optimize)
    return np.einsum(",".join(grad_terms) + "->" + "".join(target), *operands,
                     optimize=optimize)


def _apply_einsum(terms: list[str], output: str, operands: list[Any], optimize: Any) -> Tensor:
    like = next((x for x in operands if isinstance(x, Tensor)), None)
    tensors = tuple(x if isinstance(x, Tensor) else constant(x, like=like) for x in operands)
    return apply(Einsum, tensors, (tuple(terms), output, optimize))


def _sublist_form(args: tuple) -> tuple[str, tuple]:
    """einsum(X₀, [0, 1], X₁, [1, 2], [0, 2]) as ("Ab,bc->Ac"-like subscripts, operands)."""
    def labels(sublist: Any) -> str:
        parts = []
        for s in sublist:
            if s is Ellipsis:
                parts.append("...")
            elif (isinstance(s, (int, np.integer)) and not isinstance(s, bool)
                  and 0 <= s < len(_LABELS)):
                parts.append(_LABELS[s])
            else:
                raise ValueError(f"einsum: a sublist holds ints in [0, 52) and Ellipsis; "
                                 f"got {s!r}")
        return "".join(parts)

    operands = args[0::2][: len(args) // 2]
    terms = [labels(sublist) for sublist in args[1::2][: len(args) // 2]]
    output = "->" + labels(args[-1]) if len(args) % 2 else ""
    return ",".join(terms) + output, operands


def _parse_subscripts(subscripts: str, shapes: list[tuple[int, ...]]
                      ) -> tuple[tuple[str, ...], str]:
    """NumPy's subscripts written out: one string of labels per operand and the output's,
    ``"..."`` replaced by fresh labels (right-aligned, as broadcasting aligns axes) and the
    implicit output (the labels used once, sorted, after the "..." axes) spelled out."""
    def bad(why: str) -> ValueError:
        return ValueError(f"einsum: invalid subscripts {subscripts!r}: {why}")

    if not isinstance(subscripts, str):
        raise TypeError(f"einsum: subscripts must be a string; got {type(subscripts).__name__}")
    text = subscripts.replace(" ", "")
    if text.count("->") > 1:
        raise bad("more than one '->'")
    left, arrow, right = text.partition("->")
    terms = left.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: the subscripts {subscripts!r} name {len(terms)} operand"
                         f"{'s' if len(terms) != 1 else ''}; {len(shapes)} "
                         f"{'were' if len(shapes) != 1 else 'was'} given")

    def letters(term: str) -> str:
        plain = term.replace("...", "", 1)
        for c in plain:
            if c not in _LABELS:
                raise bad(f"{c!r} is not a label (labels are letters; '...' broadcasts)")
        return plain

    dotted = []  # per operand, how many axes its "..." stands for
    for k, (term, shape) in enumerate(zip(terms, shapes)):
        named = len(letters(term))
        if "..." in term:
            if named > len(shape):
                raise base.ShapeError(f"einsum: operand {k} has shape {shape}, fewer axes "
                                      f"than the {named} labels of {term!r}")
        elif named != len(shape):
            raise base.ShapeError(f"einsum: operand {k} has shape {shape} ({len(shape)} axes) "
                                  f"but {term!r} names {named}")
        dotted.append(len(shape) - named)
    free = [c for c in _LABELS if c not in set(text)]
    broadcast = max(dotted, default=0)
    if broadcast > len(free):
        raise bad("too many axes for np.einsum's 52 labels")
    dots = "".join(free[:broadcast])
    written = tuple(term.replace("...", dots[broadcast - n:] if n else "", 1)
                    for term, n in zip(terms, dotted))
    if not arrow:
        counts = Counter("".join(letters(term) for term in terms))
        output = dots + "".join(sorted(c for c, n in counts.items() if n == 1))
    else:
        named = letters(right)
        if "..." in right:
            output = right.replace("...", dots, 1)
        elif broadcast:
            raise bad("the operands have '...' axes but the output has no '...' to put them")
        else:
            output = named
        repeated = sorted(c for c, n in Counter(named).items() if n > 1)
        if repeated:
            raise bad(f"the output names {repeated[0]!r} more than once")
        missing = [c for c in named if c not in left]
        if missing:
            raise bad(f"the output names {missing[0]!r}, which no operand has")
    _check_lengths(subscripts, written, shapes, set(dots))
    return written, output


def _check_lengths(subscripts: str, terms: tuple[str, ...], shapes: list[tuple[int, ...]],
                   dots: set[str]) -> None:
    """Every label has one length (or 1, which broadcasts), as np.einsum requires."""
    seen: dict[str, tuple[int, int]] = {}
    for k, (term, shape) in enumerate(zip(terms, shapes)):
        own: dict[str, int] = {}
        for c, n in zip(term, shape):
            what = "a '...' axis" if c in dots else f"label {c!r}"
            if own.setdefault(c, n) != n:
                raise base.ShapeError(
                    f"einsum {subscripts!r}: operand {k} of shape {shape} repeats {what} on "
                    f"axes of lengths {own[c]} and {n}"
                )
            first = seen.get(c)
            if first is None or first[1] == 1:
                seen[c] = (k, n)
            elif n != 1 and n != first[1]:
                raise base.ShapeError(
                    f"einsum {subscripts!r}: {what} has length {first[1]} in operand "
                    f"{first[0]} (shape {shapes[first[0]]}) and {n} in operand {k} "
                    f"(shape {shape})"
                )


@implements(np.einsum)
def einsum(*operands: Any, out: Any = None, optimize: Any = False, **kwargs: Any) -> Tensor:
    """Einstein summation, as np.einsum: ``einsum("ij,jk->ik", W, A)`` is W A,
    ``"ii->"`` the trace, ``"ii->i"`` the diagonal, ``"i,j->ij"`` the outer product,
    ``"ij->"`` the sum, ``"...ij,...jk->...ik"`` a batch of products; without ``->`` the
    output is every label used once, in alphabetical order (``"ij,jk"`` is ``"ik"``).
    The sublist form ``einsum(W, [0, 1], A, [1, 2], [0, 2])`` is accepted too.

    Operands may mix Tensors, arrays and numbers (constants take the first Tensor's dtype).
    ``optimize`` is np.einsum's (False, True, "greedy", "optimal"). np.einsum's ``out``,
    ``dtype``, ``order`` and ``casting`` are refused: the result is a new Tensor in the
    operands' dtype (cast an operand with ``astype`` to compute in another).
    """
    if out is not None:
        raise TypeError("einsum: out= is not supported (the result is a new Tensor); "
                        "write Z = einsum(...)")
    if kwargs:
        raise TypeError(f"einsum: {', '.join(sorted(kwargs))} not supported (the result is a "
                        "new Tensor in the operands' dtype; cast an operand with astype)")
    if not operands:
        raise TypeError("einsum: give the subscripts and at least one operand")
    if isinstance(operands[0], str):
        subscripts, arrays = operands[0], operands[1:]
    else:
        subscripts, arrays = _sublist_form(operands)
    if not arrays:
        raise ValueError(f"einsum: the subscripts {subscripts!r} come with no operand")
    like = next((x for x in arrays if isinstance(x, Tensor)), None)
    tensors = tuple(x if isinstance(x, Tensor) else constant(x, like=like) for x in arrays)
    terms, output = _parse_subscripts(subscripts, [t.shape for t in tensors])
    return apply(Einsum, tensors, (terms, output, optimize))


@implements(np.outer)
def outer(a: Any, b: Any, out: Any = None) -> Tensor:
    """The outer product z[i, j] = a[i]·b[j] (u vᵀ for column vectors), as np.outer: a and b
    are flattened first.

    A composite, einsum ``"i,j->ij"`` of the flattened operands, not a column (n, 1) times
    a row (1, m): the broadcasting product would be the same numbers, but strict_shapes
    would warn about an outer product made on purpose. Its gradient is einsum's:
    da = dZ b, db = dZᵀ a.
    """
    if out is not None:
        raise TypeError("outer: out= is not supported (the result is a new Tensor); "
                        "write z = outer(a, b)")
    ta, tb = binary_operands(a, b)
    flat = [t if t.ndim == 1 else reshape(t, (t.size,)) for t in (ta, tb)]
    return apply(Einsum, tuple(flat), (("i", "j"), "ij", False))
