"""Saving files so that nothing is ever left half-written, and nothing left behind.

Everything autograd-lite writes for a user (models, pictures, frames, plots) goes
through :func:`atomic_write` or :func:`atomic_folder`:

- The bytes go to an unnamed temporary file in the target's folder (``O_TMPFILE`` on
  Linux), are flushed to disk, get a name next to the target only once complete, and
  that name is renamed over the target in one step. A crash, ``kill -9``, a full disk
  or an exception midway leaves the old file as it was; a process killed while writing
  leaves nothing, since an unnamed file vanishes with its process.
- Where the system has no unnamed files, the temporary file is named
  ``.<name>.<pid>.<hex>.tmp`` from the start. A save that is killed leaves it behind, so
  every save first removes the temporaries of processes that no longer exist.
- A file that is written again keeps its permissions (a 0600 file stays 0600); a new
  one gets the usual ones (0666 less the umask).
- A folder (the backward frames) is built whole under a temporary name next to it and
  swapped in place of the old one in one step, so its files always belong together.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, TypeVar

__all__ = ["atomic_folder", "atomic_write", "remove_stale_temporaries"]

_T = TypeVar("_T")

#: The names of our temporaries: ``.<name>.<pid>.<8 hex digits>.tmp`` (files and folders).
_TEMPORARY = re.compile(r"\.(?P<stem>.*)\.(?P<pid>[0-9]{1,10})\.[0-9a-f]{8}\.tmp")
#: Whether os.link can call linkat, which names an unnamed file through /proc.
_LINKAT = os.link in os.supports_dir_fd


def atomic_write(
    path: str | os.PathLike[str], data: bytes | str | Callable[[BinaryIO], object]
) -> Path:
    """Write ``data`` (bytes, text, or a function that writes to a binary file) to ``path``.

    The folder is created if needed; on any failure ``path`` is left as it was and no
    temporary file remains. An existing ``path`` keeps its permission bits.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:  # name the user's file, not a folder on the way
        raise _naming(err, target) from None
    remove_stale_temporaries(target.parent)
    mode = _mode_to_keep(target)
    fd, temporary = _open_temporary(target)
    try:
        with os.fdopen(fd, "wb", closefd=False) as handle:
            if callable(data):
                data(handle)
            else:
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
        if mode is not None and hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        os.fsync(fd)
        if temporary is None:
            temporary = _name_unnamed_file(fd, target)
        elif mode is not None and not hasattr(os, "fchmod"):
            os.chmod(temporary, mode)
        try:
            os.replace(temporary, target)
        except OSError as err:
            raise _naming(err, target) from None
    except BaseException:
        if temporary is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        raise
    finally:
        os.close(fd)
    _fsync_directory(target.parent)
    return target


def atomic_folder(path: str | os.PathLike[str], fill: Callable[[Path], _T]) -> _T:
    """Replace the folder ``path`` as a whole by the one ``fill(folder)`` writes.

    ``fill`` writes the new contents into an empty temporary folder next to ``path``;
    its files are then flushed to disk and the folder swapped in place of ``path`` in
    one step (``renameat2(RENAME_EXCHANGE)`` on Linux; elsewhere two renames, between
    which ``path`` is briefly missing, never mixed). On any failure ``path`` is left as
    it was. An existing folder's permissions are kept, and a symbolic link to a folder
    stays a link (the folder it names is replaced). Returns what ``fill`` returns.
    """
    target = Path(os.path.realpath(path))
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _naming(err, target) from None
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"cannot write the folder {target}: that is a file")
    remove_stale_temporaries(parent)
    mode = _mode_to_keep(target)
    building = parent / _temporary_name(target)
    try:
        os.mkdir(building, 0o777)
    except OSError as err:
        raise _naming(err, target) from None
    try:
        if mode is not None:
            os.chmod(building, mode)
        result = fill(building)
        _fsync_tree(building)
        if not _swap_folders(building, target):
            os.rename(building, target)  # there was no folder to swap with
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    shutil.rmtree(building, ignore_errors=True)  # the old folder, swapped out
    _fsync_directory(parent)
    return result


def remove_stale_temporaries(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporaries (``.<name>.<pid>.<hex>.tmp``) left in ``folder`` by saves
    whose process no longer exists, e.g. one killed with ``kill -9``; returns them.

    Only this user's files and folders are touched, and only where the process id can
    be checked (POSIX). Temporaries of live processes, this one included, stay.
    """
    removed: list[Path] = []
    if os.name != "posix":
        return removed
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not (name.startswith(".") and name.endswith(".tmp")):
            continue
        match = _TEMPORARY.fullmatch(name)
        if match is None or _process_exists(int(match["pid"])):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if info.st_uid != os.getuid():
            continue
        if stat.S_ISDIR(info.st_mode):
            shutil.rmtree(entry.path, ignore_errors=True)
        elif stat.S_ISREG(info.st_mode):
            try:
                os.unlink(entry.path)
            except OSError:
                continue
        else:
            continue
        removed.append(Path(entry.path))
    return removed


# --------------------------------------------------------------------------- temporaries


def _temporary_name(target: Path) -> str:
    """``.<name>.<pid>.<hex>.tmp``, with ``<name>`` shortened so that the whole fits the
    file system's longest name (a legal target name must not make an illegal temporary)."""
    tail = f".{os.getpid()}.{secrets.token_hex(4)}.tmp"
    stem = target.name
    limit = _longest_name(target.parent)
    while stem and len(os.fsencode(f".{stem}{tail}")) > limit:
        stem = stem[:-1]
    return f".{stem}{tail}"


def _longest_name(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (AttributeError, OSError, ValueError):
        return 255


def _open_temporary(target: Path) -> tuple[int, str | None]:
    """An open file for the new contents: unnamed where the system allows it (then the
    name is None), else a new file named by :func:`_temporary_name`."""
    unnamed = getattr(os, "O_TMPFILE", None)
    if unnamed is not None and _LINKAT and os.path.isdir("/proc/self/fd"):
        try:
            # 0o666: the umask decides the permissions, as for any new file.
            return os.open(target.parent, unnamed | os.O_RDWR, 0o666), None
        except OSError:
            pass  # a file system without unnamed files (EOPNOTSUPP): name it
    temporary = str(target.parent / _temporary_name(target))
    try:
        return os.open(temporary, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666), temporary
    except OSError as err:
        raise _naming(err, target) from None


def _name_unnamed_file(fd: int, target: Path) -> str:
    """Give the complete unnamed file ``fd`` a temporary name next to ``target``.

    ``linkat(/proc/self/fd/N, AT_SYMLINK_FOLLOW)`` needs no privilege (``AT_EMPTY_PATH``
    would need CAP_DAC_READ_SEARCH). Should linking fail, the bytes are copied into a
    named temporary instead.
    """
    temporary = str(target.parent / _temporary_name(target))
    folder_fd = os.open(target.parent, os.O_RDONLY)
    try:
        # A dir_fd makes os.link call linkat with AT_SYMLINK_FOLLOW, which follows the
        # /proc link to the open file; plain link() would link the /proc entry itself.
        os.link(f"/proc/self/fd/{fd}", os.path.basename(temporary), dst_dir_fd=folder_fd)
        return temporary
    except OSError:
        pass
    finally:
        os.close(folder_fd)
    copy_fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        offset = 0
        while chunk := os.pread(fd, 1 << 20, offset):
            os.write(copy_fd, chunk)
            offset += len(chunk)
        os.fchmod(copy_fd, stat.S_IMODE(os.fstat(fd).st_mode))
        os.fsync(copy_fd)
    except BaseException:
        os.close(copy_fd)
        os.unlink(temporary)
        raise
    os.close(copy_fd)
    return temporary


def _mode_to_keep(target: Path) -> int | None:
    """The permission bits of an existing ``target``, which the new one keeps."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except (OSError, ValueError):
        return None


def _process_exists(pid: int) -> bool:
    """Whether process ``pid`` exists (alive, or a zombie not yet waited for)."""
    if pid < 1 or pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # PermissionError: it exists, as another user
        return True
    return True


def _naming(err: OSError, target: Path) -> OSError:
    """``err`` about our temporary, told about the user's ``target`` instead."""
    if err.strerror is None:
        return err
    return type(err)(err.errno, f"cannot write {target}: {err.strerror}")


# --------------------------------------------------------------------------- folders


def _swap_folders(new: Path, old: Path) -> bool:
    """Exchange the folders ``new`` and ``old`` (after which ``new`` holds the old one).
    Returns False when ``old`` does not exist (nothing to swap)."""
    if not old.exists():
        return False
    if _exchange(new, old):
        return True
    aside = old.parent / _temporary_name(old)
    os.rename(old, aside)
    try:
        os.rename(new, old)
    except BaseException:
        os.rename(aside, old)
        raise
    os.rename(aside, new)
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Linux's ``renameat2(a, b, RENAME_EXCHANGE)``: both names swap in one step.
    False where it is not available (other systems, old kernels, some file systems)."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    import ctypes

    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, f"cannot write the folder {b}: {os.strerror(code)}")


def _renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, ImportError, OSError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _fsync_tree(folder: Path) -> None:
    """Flush every file of ``folder`` (and the folders themselves) to disk."""
    for path in _walk(folder):
        if path.is_dir():
            _fsync_directory(path)
            continue
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _walk(folder: Path) -> Iterator[Path]:
    for path in folder.rglob("*"):
        if not path.is_symlink():
            yield path
    yield folder


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
