"""The one rule for every file a command writes, checked before any work is done.

The rule: **missing folders are made** (as ``mkdir -p`` would), for ``graph -o`` and
``--frames``, ``train --save`` and ``--plot``, and ``demo --out``. What cannot work is
refused at once, in one line, before anything is computed or written:

- a name longer than the file system allows (a part over ``NAME_MAX`` bytes, usually
  255, or the whole over ``PATH_MAX``), or with a null byte;
- a folder on the way that is a file, or that the user may not write into;
- a file name that is an existing folder (or, for an output folder, an existing file).

The folders themselves are made only when the file is written
(:func:`autograd_lite.files.atomic_write`), so a refused or failed command leaves
nothing behind.
"""

from __future__ import annotations

import errno
import os
from typing import NoReturn

from autograd_lite.commands import UserError

__all__ = ["check_output_file", "check_output_folder", "make_folders_for"]

#: Used where the file system does not say (``os.pathconf`` is missing or fails).
DEFAULT_NAME_MAX = 255
DEFAULT_PATH_MAX = 4096


def check_output_file(path: str | os.PathLike[str], option: str) -> None:
    """Refuse, as a :class:`UserError` naming ``option``, a file that could not be written."""
    shown = _shown(path, option)
    target = _check_name(path, shown)
    if _is_dir(target, shown):
        raise UserError(f"{shown} is a folder; give a file name")
    _check_parents(os.path.dirname(target), shown)


def check_output_folder(path: str | os.PathLike[str], option: str) -> None:
    """Refuse, as a :class:`UserError` naming ``option``, a folder that could not be written."""
    shown = _shown(path, option)
    target = _check_name(path, shown)
    if _exists(target, shown) and not _is_dir(target, shown):
        raise UserError(f"{shown} is a file; give a folder")
    _check_parents(target, shown)


def make_folders_for(path: str | os.PathLike[str], option: str) -> None:
    """Make the missing folders on the way to the file ``path`` (for writers, such as
    ``Module.save``, that do not make them)."""
    folder = os.path.dirname(os.path.abspath(os.fspath(path)))
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as err:
        _refuse(err, _shown(path, option))


def _shown(path: str | os.PathLike[str], option: str) -> str:
    text = os.fspath(path)
    if isinstance(text, bytes):  # pragma: no cover - the command line gives str
        text = os.fsdecode(text)
    if len(text) > 80:
        text = text[:60] + "..." + text[-14:]
    return f"{option} {text!r}"


def _check_name(path: str | os.PathLike[str], shown: str) -> str:
    text = os.fspath(path)
    if isinstance(text, bytes):  # pragma: no cover
        text = os.fsdecode(text)
    if not text:
        raise UserError(f"{shown}: the name is empty")
    if "\0" in text:
        raise UserError(f"{shown}: a file name cannot contain a null byte")
    target = os.path.abspath(text)
    existing = _nearest_existing(target, shown)
    name_max = _pathconf(existing, "PC_NAME_MAX", DEFAULT_NAME_MAX)
    path_max = _pathconf(existing, "PC_PATH_MAX", DEFAULT_PATH_MAX)
    for part in target.split(os.sep):
        size = len(os.fsencode(part))
        if size > name_max:
            raise UserError(
                f"{shown}: the name {_short(part)} is {size} bytes long; this file system "
                f"allows at most {name_max}"
            )
    size = len(os.fsencode(target))
    if size >= path_max:
        raise UserError(
            f"{shown}: the path is {size} bytes long; this file system allows at most "
            f"{path_max - 1}"
        )
    return target


def _check_parents(folder: str, shown: str) -> None:
    """The nearest existing folder on the way to ``folder`` is a folder we may write into
    (when ``folder`` exists: ``folder`` itself)."""
    existing = _nearest_existing(folder, shown)
    if not _is_dir(existing, shown):
        raise UserError(f"{shown}: {existing!r} is a file, so no folder can be made in it")
    if not os.access(existing, os.W_OK | os.X_OK):
        verb = "write into" if existing == folder else "make a folder in"
        raise UserError(f"{shown}: no permission to {verb} {existing!r}")


def _nearest_existing(path: str, shown: str) -> str:
    while not _exists(path, shown):
        parent = os.path.dirname(path)
        if parent == path:  # pragma: no cover - the root always exists
            break
        path = parent
    return path


def _exists(path: str, shown: str) -> bool:
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):  # a file on the way: reported later
        return False
    except OSError as err:
        if err.errno == errno.ENAMETOOLONG:  # measured by _check_name, which says more
            return False
        _refuse(err, shown)
    return True


def _is_dir(path: str, shown: str) -> bool:
    try:
        return os.path.isdir(path)
    except OSError as err:  # pragma: no cover - isdir swallows most errors itself
        _refuse(err, shown)


def _refuse(err: OSError, shown: str) -> NoReturn:
    if err.errno == errno.ENAMETOOLONG:
        raise UserError(f"{shown}: the name is too long for this file system") from None
    raise UserError(f"{shown}: {err.strerror or err}") from None


def _pathconf(path: str, name: str, default: int) -> int:
    try:
        value = os.pathconf(path, name)
    except (AttributeError, ValueError, OSError):
        return default
    return value if value and value > 0 else default


def _short(part: str) -> str:
    return repr(part if len(part) <= 24 else part[:20] + "...")
