"""Saving and loading parameters as NumPy .npz files, atomically.

A model file is an ordinary ``.npz``: one array per parameter, under the
parameter's name ("W1", "b1", ...), so ``np.load(path)`` opens it and a course
parameter dictionary saved with ``np.savez(path, **parameters)`` loads into an
``nn.MLP`` as it is. autograd-lite adds one entry, ``__autograd_lite__``: a JSON
text with the format version, the model's class and, when known, its
configuration (which lets ``nn.load_model`` rebuild the model).

This module is the file format only: it knows nothing of Module or the layers,
which use it (``Module.save``/``load``, ``nn.load_model`` in :mod:`autograd_lite.nn.layers`).
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Mapping
from os import PathLike
from typing import Any

import numpy as np

from autograd_lite.files import atomic_write

__all__ = ["ModelFileError", "read_state", "save_state"]

METADATA_KEY = "__autograd_lite__"
FORMAT_VERSION = 1


class ModelFileError(ValueError):
    """A file that cannot be read as a model: missing, truncated, corrupt or not a model."""


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


def read_state(path: str | PathLike[str]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read every array of a model file into memory: ``(state, metadata)``.

    Raises :class:`ModelFileError` (or FileNotFoundError) with a one-line
    explanation for a missing, truncated, corrupt or non-.npz file.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no such file {path!r}")
    if os.path.isdir(path):
        raise ModelFileError(f"load: {path!r} is a directory, not a model file")
    with open(path, "rb") as f:
        magic = f.read(6)
    if magic == b"\x93NUMPY":
        raise ModelFileError(
            f"load: {path!r} holds a single array (.npy), not a model file (.npz, one array "
            "per parameter)"
        )
    if not magic.startswith(b"PK"):
        what = "empty" if not magic else "not a zip archive"
        raise ModelFileError(f"load: {path!r} is not a NumPy .npz model file (it is {what})")
    try:
        loaded = np.load(path, allow_pickle=False)
    except Exception as err:  # noqa: BLE001 - any failure to parse means "not an .npz model"
        raise ModelFileError(
            f"load: {path!r} is not a NumPy .npz model file ({_reason(err)})"
        ) from None
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise ModelFileError(
            f"load: {path!r} holds a single array (.npy), not a model file (.npz, one array "
            "per parameter)"
        )
    try:
        with loaded:
            state = {name: loaded[name] for name in loaded.files}
    except Exception as err:  # noqa: BLE001
        raise ModelFileError(
            f"load: {path!r} is truncated or corrupt ({_reason(err)})"
        ) from None
    metadata: dict[str, Any] = {}
    raw = state.pop(METADATA_KEY, None)
    if raw is not None:
        try:
            metadata = json.loads(str(raw))
        except ValueError:
            raise ModelFileError(
                f"load: {path!r} has an unreadable {METADATA_KEY} entry"
            ) from None
        if not isinstance(metadata, dict):
            raise ModelFileError(f"load: {path!r} has an unreadable {METADATA_KEY} entry")
        version = metadata.get("format")
        if version != FORMAT_VERSION:
            raise ModelFileError(
                f"load: {path!r} was written in model file format {version!r}; this "
                f"version of autograd-lite reads format {FORMAT_VERSION}"
            )
    for name, array in state.items():
        if array.dtype.kind not in "fiub":
            raise ModelFileError(
                f"load: {path!r} is not a model file: its entry {name!r} holds "
                f"{array.dtype} values, not numbers"
            )
    return state, metadata


def _reason(err: BaseException) -> str:
    if isinstance(err, zipfile.BadZipFile):
        return "not a complete zip archive: the file may be truncated"
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__
