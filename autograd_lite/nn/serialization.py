"""Saving and loading parameters as NumPy .npz files, atomically.

A model file is an ordinary ``.npz``: one array per parameter, under the
parameter's name ("W1", "b1", ...), so ``np.load(path)`` opens it and a course
parameter dictionary saved with ``np.savez(path, **parameters)`` loads into an
``nn.MLP`` as it is. autograd-lite adds one entry, ``__autograd_lite__``: a JSON
text with the format version, the model's class and, when known, its
configuration (which lets ``nn.load_model`` rebuild the model).

Reading never trusts the file: :class:`ModelFile` reads the metadata and every
array's header (name, dtype, shape) first, through :mod:`autograd_lite.nn.npz_reader`,
so that a caller can refuse names and shapes it does not expect before any array data
is read; a hostile or broken file of any kind is a :class:`ModelFileError`.

This module is the file format only: it knows nothing of Module or the layers,
which use it (``Module.save``/``load``, ``nn.load_model`` in :mod:`autograd_lite.nn.layers`).
"""

from __future__ import annotations

import json
import os
import reprlib
from collections.abc import Mapping
from os import PathLike
from typing import Any

import numpy as np

from autograd_lite.files import atomic_write
from autograd_lite.nn.npz_reader import ModelFileError, NpzArchive

__all__ = ["ModelFile", "ModelFileError", "read_state", "save_state"]

METADATA_KEY = "__autograd_lite__"
FORMAT_VERSION = 1
#: The metadata is a short JSON text; longer or deeper ones are refused unread.
MAX_METADATA_CHARACTERS = 1_000_000
MAX_METADATA_DEPTH = 100


def save_state(
    path: str | PathLike[str],
    state: Mapping[str, np.ndarray],
    class_name: str | None = None,
    config: Mapping[str, Any] | None = None,
) -> None:
    """Write ``state`` to ``path`` atomically: temporary file, fsync, os.replace.

    ``class_name`` and ``config`` (the model's class and its ``config()``) are recorded
    when given. The temporary file lives in the same directory as ``path`` (a rename is
    atomic only within one file system) and is removed if anything fails, leaving any
    existing ``path`` untouched.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"save: the directory {directory!r} does not exist")
    for name in state:
        if name.startswith("__"):
            raise ValueError(f"save: parameter names may not start with '__'; got {name!r}")
    metadata: dict[str, Any] = {"format": FORMAT_VERSION}
    if class_name is not None:
        metadata["class"] = class_name
    if config is not None:
        metadata["config"] = config
    arrays = {name: np.asarray(value) for name, value in state.items()}
    arrays[METADATA_KEY] = np.array(json.dumps(metadata))

    atomic_write(path, lambda handle: np.savez(handle, **arrays))


class ModelFile:
    """An open model file whose metadata is read and whose arrays are known by their
    headers: ``shapes`` ({name: shape}) and ``metadata``, with no array data read yet.

    Check ``shapes`` against what you expect, then :meth:`read_state`. Use it as a
    context manager. Raises :class:`ModelFileError` (FileNotFoundError for a missing
    file) with a one-line explanation for anything that is not a readable model file.
    """

    def __init__(self, path: str | PathLike[str], what: str = "load") -> None:
        self.path = os.fspath(path)
        self.what = what
        self._archive = NpzArchive(self.path, what)
        try:
            entries = dict(self._archive.entries)
            meta_entry = entries.pop(METADATA_KEY, None)
            for name, entry in entries.items():
                if entry.dtype.kind not in "fiub":
                    raise self.error(
                        f"is not a model file: its entry {name!r} holds {entry.dtype} values, "
                        "not numbers"
                    )
            self.shapes: dict[str, tuple[int, ...]] = {
                name: entry.shape for name, entry in entries.items()
            }
            self.metadata: dict[str, Any] = {} if meta_entry is None else self._read_metadata()
        except BaseException:
            self._archive.close()
            raise

    @property
    def parameter_count(self) -> int:
        """How many numbers the file's arrays hold, in all."""
        return sum(
            entry.size for name, entry in self._archive.entries.items() if name != METADATA_KEY
        )

    def check_memory(self, extra: int = 0) -> None:
        """Refuse (:class:`ModelFileError`) a file whose arrays, plus ``extra`` bytes,
        would not fit in the memory available."""
        self._archive.check_memory(list(self.shapes), extra)

    def read_state(self) -> dict[str, np.ndarray]:
        """Every array but the metadata: {name: values}, once they are known to fit in memory."""
        return self._archive.read_arrays(list(self.shapes))

    def error(self, problem: str) -> ModelFileError:
        """A :class:`ModelFileError` saying that this file ``problem``."""
        return ModelFileError(f"{self.what}: {self.path!r} {problem}")

    def close(self) -> None:
        self._archive.close()

    def __enter__(self) -> ModelFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read_metadata(self) -> dict[str, Any]:
        unreadable = f"has an unreadable {METADATA_KEY} entry"
        entry = self._archive.entries[METADATA_KEY]
        if entry.dtype.kind != "U" or entry.shape != ():
            raise self.error(f"{unreadable} (not a text)")
        if entry.dtype.itemsize // 4 > MAX_METADATA_CHARACTERS:
            raise self.error(
                f"{unreadable} (a text of {entry.dtype.itemsize // 4:,} characters; at most "
                f"{MAX_METADATA_CHARACTERS:,} are read)"
            )
        text = str(self._archive.read(METADATA_KEY)[()])
        try:
            metadata = json.loads(text)
        except RecursionError:
            raise self.error(f"{unreadable} (nested too deeply)") from None
        except ValueError:
            raise self.error(unreadable) from None
        depth = _nesting_depth(metadata, MAX_METADATA_DEPTH)
        if depth > MAX_METADATA_DEPTH:
            raise self.error(
                f"{unreadable} (nested more than {MAX_METADATA_DEPTH} levels deep)"
            )
        if not isinstance(metadata, dict):
            raise self.error(unreadable)
        version = metadata.get("format")
        if version != FORMAT_VERSION:
            raise self.error(
                f"was written in model file format {reprlib.repr(version)}; this version of "
                f"autograd-lite reads format {FORMAT_VERSION}"
            )
        return metadata


def read_state(path: str | PathLike[str]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read every array of a model file into memory: ``(state, metadata)``.

    Raises :class:`ModelFileError` (or FileNotFoundError) with a one-line
    explanation for a missing, truncated, corrupt, hostile or non-.npz file. To check
    names and shapes before reading the arrays, use :class:`ModelFile`.
    """
    with ModelFile(path) as model_file:
        return model_file.read_state(), model_file.metadata


def _nesting_depth(value: Any, limit: int) -> int:
    """How deeply lists and dicts nest in ``value`` (a scalar is 0), counted without
    recursion and only up to ``limit + 1``."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            if depth > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest
