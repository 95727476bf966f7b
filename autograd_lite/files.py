"""Saving files so that nothing is ever left half-written.

Everything autograd-lite writes for a user (models, pictures, frames, plots) goes
through :func:`atomic_write`: the bytes go to a temporary file in the same folder,
are flushed to disk, and the file is renamed over the target in one step. A crash,
a full disk or an exception midway leaves the old file as it was, and no temporary.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write"]


def atomic_write(
    path: str | os.PathLike[str], data: bytes | str | Callable[[BinaryIO], object]
) -> Path:
    """Write ``data`` (bytes, text, or a function that writes to a binary file) to ``path``.

    The folder is created if needed; on any failure ``path`` is left as it was.
    """
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Mode 0o666 lets the umask decide the permissions, as for any new file.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as err:  # name the user's file, not our temporary one
        raise OSError(err.errno, f"cannot write {target}: {err.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            if callable(data):
                data(handle)
            else:
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(target.parent)
    return target


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
