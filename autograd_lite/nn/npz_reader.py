"""Reading a NumPy .npz archive that may be hostile: every header before any data.

An .npz file is a zip archive with one ``<name>.npy`` entry per array. A few bytes of
it can claim arrays of any size (a zip entry declares how large it is, and zeros
compress a thousandfold), so :class:`NpzArchive` reads the small things first and
refuses before a byte of array data is read or a byte of memory is set aside:

- the file is opened once, and must be a regular file (not a folder, device or pipe);
- every zip entry must be a ``.npy`` array, named once;
- every ``.npy`` header (magic, version, dtype, shape) is read from its entry's stream,
  and the entry's declared size must be exactly the header plus the values the header
  describes; object arrays (which need pickle) are refused;
- :meth:`NpzArchive.read_arrays` refuses arrays that would not fit in the memory
  available, and reads each entry to its end so that its CRC-32 is checked.

The caller checks names and shapes (:attr:`NpzArchive.entries`) against what it
expects in between. Every problem is a :class:`ModelFileError` naming the file.
"""

from __future__ import annotations

import io
import math
import os
import stat
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib import format as npy_format

__all__ = ["ModelFileError", "NpzArchive", "NpyEntry", "available_memory", "format_bytes"]

#: More entries than any model has parameters; beyond it the file is refused unread.
MAX_ENTRIES = 65_536
#: The largest .npy header read (NumPy's own default limit).
MAX_HEADER_SIZE = 10_000
MAX_DIMENSIONS = 32


class ModelFileError(ValueError):
    """A file that cannot be read as a model: missing, truncated, corrupt or not a model."""


@dataclass(frozen=True)
class NpyEntry:
    """One array of the archive, as its header describes it (no data read)."""

    name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    info: zipfile.ZipInfo

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize


class NpzArchive:
    """An opened .npz file whose entries' headers have all been read and checked.

    Use it as a context manager; ``entries`` maps each array's name (without ``.npy``)
    to its :class:`NpyEntry`. Raises :class:`ModelFileError` (FileNotFoundError for a
    missing file) with a one-line reason.
    """

    def __init__(self, path: str | os.PathLike[str], what: str = "load") -> None:
        self.path = os.fspath(path)
        self.what = what
        handle = _open_regular_file(self.path, what, self._error)
        try:
            self._check_magic(handle)
            try:
                self._zip = zipfile.ZipFile(handle)
            except Exception as err:  # noqa: BLE001 - any failure to parse is a bad file
                raise self._error(f"is truncated or not a model file ({_reason(err)})") from None
        except BaseException:
            handle.close()
            raise
        self._handle = handle
        try:
            self.entries = self._read_headers()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ reading
    def read(self, name: str) -> np.ndarray:
        """The values of entry ``name`` (its header was checked; its CRC is checked here)."""
        entry = self.entries[name]
        try:
            with self._zip.open(entry.info) as stream:
                array = npy_format.read_array(
                    stream, allow_pickle=False, max_header_size=MAX_HEADER_SIZE
                )
                if stream.read(1):  # reading to the end checks the CRC-32
                    raise ValueError("data after the array")
        except Exception as err:  # noqa: BLE001 - zlib, CRC, EOF, OS errors: a bad file
            raise self._error(f"is truncated or corrupt ({_reason(err)})") from None
        if array.shape != entry.shape or array.dtype != entry.dtype:
            raise self._error(f"is corrupt: its entry {name!r} changed while it was read")
        return array

    def read_arrays(self, names: list[str] | None = None) -> dict[str, np.ndarray]:
        """Read the entries ``names`` (default: all), after checking that they fit in memory."""
        names = list(self.entries) if names is None else names
        self.check_memory(names)
        return {name: self.read(name) for name in names}

    def check_memory(self, names: list[str], extra: int = 0) -> None:
        """Refuse entries ``names`` whose values, plus ``extra`` bytes, would not fit in
        the memory available."""
        arrays = sum(self.entries[name].nbytes for name in names)
        available = available_memory()
        if available is not None and arrays + extra > available:
            needs = f"arrays of {format_bytes(arrays)}"
            if extra:
                needs += f" and a model of {format_bytes(extra)}"
            raise self._error(
                f"needs {needs}, more than the {format_bytes(available)} of memory "
                "available: refused before reading them"
            )

    def close(self) -> None:
        self._zip.close()
        self._handle.close()

    def __enter__(self) -> NpzArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ checks
    def _error(self, problem: str) -> ModelFileError:
        return ModelFileError(f"{self.what}: {self.path!r} {problem}")

    def _check_magic(self, handle: io.BufferedReader) -> None:
        try:
            magic = handle.read(6)
            handle.seek(0)
        except OSError as err:
            raise self._error(f"cannot be read ({_reason(err)})") from None
        if magic == b"\x93NUMPY":
            raise self._error(
                "holds a single array (.npy), not a model file (.npz, one array per parameter)"
            )
        if not magic:
            raise self._error("is not a NumPy .npz model file (it is empty)")
        if not magic.startswith(b"PK"):
            raise self._error("is not a NumPy .npz model file (it is not a zip archive)")

    def _read_headers(self) -> dict[str, NpyEntry]:
        infos = self._zip.infolist()
        if len(infos) > MAX_ENTRIES:
            raise self._error(
                f"is not a model file: it has {len(infos):,} entries (at most "
                f"{MAX_ENTRIES:,} are read)"
            )
        entries: dict[str, NpyEntry] = {}
        for info in infos:
            if not info.filename.endswith(".npy") or info.is_dir():
                raise self._error(
                    f"is not a model file: its entry {info.filename!r} is not a NumPy "
                    "array (.npy)"
                )
            name = info.filename[: -len(".npy")]
            if name in entries:
                raise self._error(f"is corrupt: it has two entries named {info.filename!r}")
            entries[name] = self._read_header(name, info)
        return entries

    def _read_header(self, name: str, info: zipfile.ZipInfo) -> NpyEntry:
        try:
            with self._zip.open(info) as stream:
                version = npy_format.read_magic(stream)
                if version == (1, 0):
                    header = npy_format.read_array_header_1_0(stream, MAX_HEADER_SIZE)
                elif version == (2, 0):
                    header = npy_format.read_array_header_2_0(stream, MAX_HEADER_SIZE)
                else:
                    raise ValueError(f".npy format version {version} is not read")
                header_size = stream.tell()
        except Exception as err:  # noqa: BLE001 - a header that cannot be parsed
            raise self._error(
                f"is truncated or corrupt: the header of its entry {name!r} cannot be read "
                f"({_reason(err)})"
            ) from None
        shape, _, dtype = header
        shape = tuple(shape)
        if len(shape) > MAX_DIMENSIONS or any(n < 0 for n in shape):
            raise self._error(f"is corrupt: its entry {name!r} has the shape {shape}")
        if dtype.hasobject:
            raise self._error(
                f"is not a model file: its entry {name!r} holds Python objects (pickled "
                "data), which are never loaded"
            )
        entry = NpyEntry(name, shape, dtype, info)
        expected = header_size + entry.nbytes
        if info.file_size != expected:
            raise self._error(
                f"is truncated or corrupt: its entry {name!r} declares {shape} values of "
                f"{dtype} ({format_bytes(expected)} with its header) but the archive says "
                f"it holds {format_bytes(info.file_size)}"
            )
        return entry


def _open_regular_file(path: str, what: str, error: Any) -> io.BufferedReader:
    """Open ``path`` for reading, once; refuse anything but a regular file."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileNotFoundError(f"{what}: no such file {path!r}") from None
    except OSError as err:
        if os.path.isdir(path):
            raise error("is a directory, not a model file") from None
        raise error(f"cannot be read ({_reason(err)})") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise error("is a directory, not a model file")
        if not stat.S_ISREG(mode):
            raise error("is not a regular file (a device, pipe or socket), so not a model file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def available_memory() -> int | None:
    """Bytes of memory this process can still fill: Linux's MemAvailable (less, inside
    a container, what its cgroup still allows), else the physical memory; None where
    neither is known."""
    available = _meminfo_available()
    if available is None:
        try:
            available = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (AttributeError, OSError, ValueError):
            return None
    allowed = _cgroup_allowance()
    return available if allowed is None else min(available, allowed)


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo", "rb") as meminfo:
            for line in meminfo:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


#: Where a container's memory limit and use are read: cgroup v2, then v1.
_CGROUP_FILES = (
    ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
    ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
)


def _cgroup_allowance() -> int | None:
    """What this process's cgroup still allows (its limit less its use), if it has a limit."""
    for limit_path, usage_path in _CGROUP_FILES:
        try:
            with open(limit_path, "rb") as limit_file:
                limit = limit_file.read().strip()
            if limit == b"max" or int(limit) >= 2**62:  # no limit
                return None
            with open(usage_path, "rb") as usage_file:
                return max(int(limit) - int(usage_file.read()), 0)
        except (OSError, ValueError):
            continue
    return None


def format_bytes(n: int) -> str:
    """``n`` bytes for a person: "512 bytes", "3.9 MB", "7.7 GB"."""
    if n < 1000:
        return f"{n} bytes"
    units = ("kB", "MB", "GB", "TB")
    value, index = n / 1000, 0
    while value >= 1000 and index < len(units) - 1:
        value, index = value / 1000, index + 1
    return f"{value:,.1f} {units[index]}"


def _reason(err: BaseException) -> str:
    if isinstance(err, zipfile.BadZipFile):
        return "not a complete zip archive: the file may be truncated"
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__
