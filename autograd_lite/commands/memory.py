"""Refuse, before allocating anything, what cannot fit in memory.

``train --layers 200000,200000`` asks for two 200,000 x 200,000 matrices (298 GiB each);
NumPy would fail half-way through building the model, or the system would start to
swap. The commands estimate the bytes a run needs (:func:`training_bytes`) and compare
them with the memory available now (:func:`available_memory`), and say so in one line.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from autograd_lite.commands import UserError

__all__ = ["available_memory", "check_fits_in_memory", "format_bytes", "training_bytes"]

#: Arrays kept per unit of a layer and per example during a training step: Z, A and
#: their gradients dZ, dA, plus one temporary of the activation's derivative.
ARRAYS_PER_UNIT = 5
#: Arrays kept per parameter: the value, its gradient, and the temporaries of the
#: initialization (randn, then the scaled copy).
ARRAYS_PER_PARAMETER = 3
#: Extra arrays per parameter that each optimizer keeps (velocity; first and second moments).
OPTIMIZER_STATE = {"sgd": 0, "momentum": 1, "adam": 2}


def training_bytes(
    layer_dims: Sequence[int], examples: int, optimizer: str = "sgd", itemsize: int = 8
) -> int:
    """An upper estimate of the bytes needed to train an MLP ``layer_dims`` on ``examples``.

    Parameters: Σ_l n^[l] (n^[l-1] + 1) numbers, each kept with its gradient, the
    optimizer's state and the initialization's temporaries. Activations: Σ_l n^[l]
    numbers per example (the input X counts as layer 0), a few arrays each, for all
    ``examples`` at once: a mini-batch is smaller, but the accuracy after training is
    computed on the whole set in one forward pass.
    """
    dims = [int(n) for n in layer_dims]
    parameters = sum(n * (n_prev + 1) for n_prev, n in zip(dims, dims[1:]))
    per_parameter = ARRAYS_PER_PARAMETER + OPTIMIZER_STATE.get(optimizer, 2)
    return itemsize * (parameters * per_parameter + ARRAYS_PER_UNIT * sum(dims) * int(examples))


def available_memory() -> int | None:
    """Bytes of memory available now, or None where the system does not say.

    Linux: ``MemAvailable`` of ``/proc/meminfo``, lowered to a container's limit (cgroup
    v2 ``memory.max``). Elsewhere: the free pages (``SC_AVPHYS_PAGES``), else all the
    physical pages (``SC_PHYS_PAGES``). None when none of these exists (Windows): then
    nothing is refused in advance, and NumPy's own MemoryError is reported in one line.
    """
    available = _meminfo_available()
    if available is None:
        available = _sysconf_bytes("SC_AVPHYS_PAGES") or _sysconf_bytes("SC_PHYS_PAGES")
    limit = _cgroup_limit()
    if limit is not None:
        available = limit if available is None else min(available, limit)
    return available


def check_fits_in_memory(needed: int, what: str, advice: str) -> None:
    """A :class:`UserError` when ``needed`` bytes exceed the memory available.

    ``what`` names the thing (``"training [64, 200000, 200000, 10]"``), ``advice`` the
    fix (``"use smaller --layers"``).
    """
    available = available_memory()
    if available is not None and needed > available:
        raise UserError(
            f"{what} needs about {format_bytes(needed)} of memory, more than the "
            f"{format_bytes(available)} available; {advice}"
        )


def format_bytes(n: int) -> str:
    """1536 -> '1.5 KiB'; powers of 1024, three significant digits."""
    value = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if value < 1024 or unit == "PiB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.3g} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024  # the value is in kB
    except (OSError, ValueError, IndexError):
        return None
    return None


def _sysconf_bytes(name: str) -> int | None:
    try:
        pages = os.sysconf(name)
        page_size = os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None
    if pages <= 0 or page_size <= 0:
        return None
    return pages * page_size


def _cgroup_limit() -> int | None:
    """cgroup v2: the memory.max of this process's group (a container's limit), if set.

    The limit as a whole, not minus memory.current: that counts the page cache, which
    the kernel gives back, and would refuse what fits.
    """
    try:
        with open("/proc/self/cgroup", encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        group = next(line.split(":", 2)[2] for line in lines if line.startswith("0::"))
        path = os.path.join("/sys/fs/cgroup", group.lstrip("/"), "memory.max")
        with open(path, encoding="ascii") as handle:
            maximum = handle.read().strip()
        return None if maximum == "max" else int(maximum)
    except (OSError, ValueError, IndexError, StopIteration):
        return None
