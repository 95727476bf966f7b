"""The course's names for the intermediate results of a graph: u, v, w, ... in forward order.

The pictures name unnamed intermediates with them, and the expression parser of
``autograd-lite graph`` (:mod:`autograd_lite.expression`) names its steps the same
way, so the printed forward pass and the picture agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

__all__ = ["COURSE_LETTERS", "course_names"]

#: The course's letters for intermediate results, in forward order; then t1, t2, ...
COURSE_LETTERS = ("u", "v", "w", "p", "q", "r", "s")


def course_names(taken: Iterable[str] = ()) -> Iterator[str]:
    """u, v, w, p, q, r, s, then t1, t2, ...: the names of intermediates, skipping ``taken``."""
    used = set(taken)
    for letter in COURSE_LETTERS:
        if letter not in used:
            yield letter
    index = 1
    while True:
        name = f"t{index}"
        if name not in used:
            yield name
        index += 1
