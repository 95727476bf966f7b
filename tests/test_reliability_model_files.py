"""Reliability of model files: every broken or hostile file is a ModelFileError that
names the file and the problem, refused from its headers before its arrays are read.

The hostile files are made here, at test time, in tmp_path: zip archives written with
:mod:`zipfile`, some of whose entries claim sizes they do not hold.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest

from autograd_lite import nn
from autograd_lite.nn.serialization import read_state


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def npy_header(shape: tuple[int, ...], dtype: str = "<f8") -> bytes:
    """The .npy header alone of an array of ``shape`` (its values left out)."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": dtype, "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue()


def metadata(value: object) -> bytes:
    text = value if isinstance(value, str) else json.dumps(value)
    return npy(np.array(text))


def mlp_metadata(layer_dims: list[int]) -> bytes:
    config = {"type": "MLP", "layer_dims": layer_dims, "hidden": "relu",
              "output": "sigmoid", "dtype": "float64"}
    return metadata({"format": 1, "class": "MLP", "config": config})


def write_npz(path, members: dict[str, bytes], claims: dict[str, int] | None = None,
              compression: int = zipfile.ZIP_DEFLATED):
    """A zip archive of ``members``; ``claims`` overrides the uncompressed size that the
    archive's directory declares for some of them (a lie, as in a zip bomb)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        with zipfile.ZipFile(path, "w", compression) as archive:
            for name, data in members.items():
                archive.writestr(name.removesuffix("#2"), data)
                if claims and name in claims:
                    archive.filelist[-1].file_size = claims[name]
    return path


def good_members() -> dict[str, bytes]:
    """The members of a file that nn.MLP([2, 1]) saves (W1 (1, 2), b1 (1, 1))."""
    return {
        "W1.npy": npy(np.array([[1.0, 2.0]])),
        "b1.npy": npy(np.array([[3.0]])),
        "__autograd_lite__.npy": mlp_metadata([2, 1]),
    }


def hostile(**changes: bytes) -> dict[str, bytes]:
    members = good_members()
    members.update(changes)
    return members


def nested_sequentials(depth: int) -> str:
    return ('{"format": 1, "config": ' + '{"type": "Sequential", "layers": [' * depth
            + "]}" * depth + "}")


# Each case: a file, and the words that must say what is wrong with it.
CASES = {
    "an entry that is not .npy": (hostile(**{"notes.txt": b"hello"}),
                                  "'notes.txt' is not a NumPy array"),
    "600 nested JSON arrays in the metadata": (
        hostile(**{"__autograd_lite__.npy": metadata("[" * 600 + "]" * 600)}), "nested"),
    "600 nested Sequential configurations": (
        hostile(**{"__autograd_lite__.npy": metadata(nested_sequentials(600))}), "nested"),
    "an entry of pickled Python objects": (
        hostile(**{"b1.npy": npy(np.array([[{"run": "code"}]], dtype=object))}),
        "Python objects"),
    "an entry whose header claims more values than it holds": (
        hostile(**{"W1.npy": npy_header((1000, 1000)) + bytes(16)}), "declares (1000, 1000)"),
    "two entries of the same name": (
        hostile(**{"W1.npy#2": npy(np.array([[5.0, 6.0]]))}), "two entries named 'W1.npy'"),
    "a metadata text that claims 10 million characters": (
        {**good_members(), "__autograd_lite__.npy": npy_header((), "<U10000000")},
        "10,000,000 characters"),
    "an entry of strings": (hostile(**{"b1.npy": npy(np.array([["3.0"]]))}), "not numbers"),
}
CLAIMS = {
    "a metadata text that claims 10 million characters": {
        "__autograd_lite__.npy": len(npy_header((), "<U10000000")) + 40_000_000
    },
}


def loaders():
    return [("load", lambda path: nn.MLP([2, 1]).load(path)),
            ("load_model", nn.load_model)]


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("loader", loaders(), ids=["Module.load", "load_model"])
def test_every_hostile_file_is_a_model_file_error_naming_the_file_and_the_problem(
    tmp_path, case, loader
):
    members, words = CASES[case]
    path = write_npz(tmp_path / "hostile.npz", members, CLAIMS.get(case))
    name, load = loader
    with pytest.raises(nn.ModelFileError) as caught:
        load(path)
    message = str(caught.value)
    assert message.startswith(f"{name}: {str(path)!r}")
    assert words in message


def test_a_file_cut_to_3_bytes_is_reported_as_truncated_not_as_pickled_data(tmp_path):
    path = write_npz(tmp_path / "model.npz", good_members())
    path.write_bytes(path.read_bytes()[:3])  # b"PK\x03"
    for load in (nn.MLP([2, 1]).load, nn.load_model):
        with pytest.raises(nn.ModelFileError) as caught:
            load(path)
        assert "truncated" in str(caught.value) and "pickle" not in str(caught.value)


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs Linux's /proc")
def test_a_file_that_cannot_be_read_is_a_model_file_error():
    with pytest.raises(nn.ModelFileError, match=r"'/proc/self/mem' cannot be read"):
        nn.load_model("/proc/self/mem")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_is_refused_unread():
    with pytest.raises(nn.ModelFileError, match="'/dev/zero' is not a regular file"):
        nn.MLP([2, 1]).load("/dev/zero")


def test_a_configuration_too_large_to_build_is_refused_before_allocating(tmp_path):
    """[60000, 60000] is 3.6e9 numbers (29 GB): the file holds 3, so it is refused
    without building the model."""
    path = write_npz(tmp_path / "model.npz",
                     hostile(**{"__autograd_lite__.npy": mlp_metadata([60000, 60000])}))
    tracemalloc.start()
    try:
        with pytest.raises(nn.ModelFileError, match="describes a model of 3,600,060,000"):
            nn.load_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20


def test_a_file_whose_arrays_contradict_its_configuration_is_a_model_file_error(tmp_path):
    members = hostile(**{"W1.npy": npy(np.zeros((1, 3)))})  # the config says W1 is (1, 2)
    path = write_npz(tmp_path / "model.npz", members)
    with pytest.raises(nn.ModelFileError, match=r"W1 is \(1, 3\) where the model's W1 is"):
        nn.load_model(path)


# --------------------------------------------------------------------------- zip bombs


def peak_memory_of(call, error: type[Exception], match: str) -> int:
    """Run ``call``, which must raise ``error`` matching ``match``; return the peak of the
    memory Python and NumPy allocated meanwhile (tracemalloc sees NumPy's arrays)."""
    tracemalloc.start()
    try:
        with pytest.raises(error, match=match):
            call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_zip_bomb_is_refused_from_its_headers_before_its_data_is_read(tmp_path):
    """A real bomb: W1 is 32 MB of zeros, about 32 kB compressed, for a model whose W1 is
    (1, 2). Names and shapes come from the .npy headers, so nothing of W1 is read."""
    members = hostile(**{"W1.npy": npy(np.zeros((2000, 2000)))})
    path = write_npz(tmp_path / "bomb.npz", members)
    assert path.stat().st_size < 200_000
    model = nn.MLP([2, 1])
    peak = peak_memory_of(lambda: model.load(path), nn.StateDictError,
                          r"W1 is \(2000, 2000\) where the model's W1 is \(1, 2\)")
    assert peak < 4 * 2**20
    peak = peak_memory_of(lambda: nn.load_model(path), nn.ModelFileError,
                          r"W1 is \(2000, 2000\) where the model's W1 is \(1, 2\)")
    assert peak < 4 * 2**20


def test_an_entry_that_claims_gigabytes_is_refused_without_allocating_them(tmp_path):
    """A 1 kB file whose W1 claims (20000, 20000) float64 values (3.2 GB), its zip entry
    declaring the matching size: refused from the header, nothing allocated."""
    header = npy_header((20000, 20000))
    members = hostile(**{"W1.npy": header + bytes(1000)})
    path = write_npz(tmp_path / "bomb.npz", members,
                     {"W1.npy": len(header) + 8 * 20000 * 20000})
    model = nn.MLP([2, 1])
    peak = peak_memory_of(lambda: model.load(path), nn.StateDictError,
                          r"W1 is \(20000, 20000\) where the model's W1 is \(1, 2\)")
    assert peak < 4 * 2**20


def test_arrays_larger_than_the_memory_available_are_refused_before_reading(tmp_path):
    """W1 claims (10^6, 10^6) values (8 TB) and the configuration agrees: no machine has
    the memory, so the model is neither built nor read."""
    header = npy_header((10**6, 10**6))
    members = {
        "W1.npy": header + bytes(1000),
        "b1.npy": npy(np.zeros((10**6, 1))),
        "__autograd_lite__.npy": mlp_metadata([10**6, 10**6]),
    }
    path = write_npz(tmp_path / "huge.npz", members, {"W1.npy": len(header) + 8 * 10**12})
    peak = peak_memory_of(lambda: nn.load_model(path), nn.ModelFileError,
                          "needs arrays of 8.0 TB.* more than the .* of memory available")
    assert peak < 32 * 2**20
    with pytest.raises(nn.ModelFileError, match="memory available"):
        read_state(path)


def test_a_valid_file_still_loads_with_every_check(tmp_path):
    path = write_npz(tmp_path / "model.npz", good_members())
    model = nn.load_model(path)
    np.testing.assert_array_equal(model.state_dict()["W1"], [[1.0, 2.0]])
    np.testing.assert_array_equal(nn.MLP([2, 1]).load(path).state_dict()["b1"], [[3.0]])
    state, meta = read_state(path)
    assert sorted(state) == ["W1", "b1"] and meta["class"] == "MLP"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_file_without_read_permission_is_a_model_file_error(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = write_npz(tmp_path / "model.npz", good_members())
    path.chmod(0)
    with pytest.raises(nn.ModelFileError, match="cannot be read"):
        nn.load_model(path)
