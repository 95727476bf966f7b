"""The names of a graph's unnamed intermediate results: u, v, p, q, r, s, then t1, t2, ...

The pictures name unnamed intermediates with them, and the expression parser of
``autograd-lite graph`` (:mod:`autograd_lite.expression`) names its steps the same
way, so the printed forward pass and the picture agree.

A generated name never takes a name the user gave (``taken``) nor one of the course's
symbols (:data:`COURSE_SYMBOLS`: w, b, x, y, z, a, W, X, Z, A, J, L): in
``L = -(y*log(a) + (1-y)*log(1-a))`` no intermediate is called ``w``, so the output never
prints ``dL/dw``, the derivative of a weight that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

__all__ = ["COURSE_LETTERS", "COURSE_SYMBOLS", "course_names"]

#: The letters for intermediate results, in forward order; then t1, t2, ...
COURSE_LETTERS = ("u", "v", "p", "q", "r", "s")

#: The course's own symbols (weights, bias, inputs, labels, pre-activations, activations,
#: their matrices, the cost and the loss): never given to an intermediate.
COURSE_SYMBOLS = frozenset({"w", "b", "x", "y", "z", "a", "W", "X", "Z", "A", "J", "L"})


def course_names(taken: Iterable[str] = ()) -> Iterator[str]:
    """u, v, p, q, r, s, then t1, t2, ...: the names of intermediates, skipping ``taken``
    and :data:`COURSE_SYMBOLS`."""
    used = set(taken) | COURSE_SYMBOLS
    for letter in COURSE_LETTERS:
        if letter not in used:
            yield letter
    index = 1
    while True:
        name = f"t{index}"
        if name not in used:
            yield name
        index += 1
