"""Saving and loading models: round trips, atomic writes, clear errors, nothing half-done."""

from __future__ import annotations

import os

import numpy as np
import pytest

from autograd_lite import data, nn, reference


@pytest.fixture
def X():
    return np.random.default_rng(0).standard_normal((3, 8))


def trained_like(seed):
    model = nn.MLP([3, 5, 2, 1], hidden="tanh", init="xavier", seed=seed)
    for layer in model:
        layer.b.data[:] = np.random.default_rng(seed).standard_normal(layer.b.shape)
    return model


def test_save_then_load_gives_identical_predictions(tmp_path, X):
    model = trained_like(1)
    path = tmp_path / "model.npz"
    model.save(path)
    other = trained_like(2)
    assert not np.array_equal(other(X).data, model(X).data)
    assert other.load(path) is other
    np.testing.assert_array_equal(other(X).data, model(X).data)
    np.testing.assert_array_equal(other.predict(X), model.predict(X))
    rebuilt = nn.load_model(path)
    assert isinstance(rebuilt, nn.MLP) and rebuilt.layer_dims == [3, 5, 2, 1]
    assert rebuilt.hidden == "tanh"
    np.testing.assert_array_equal(rebuilt(X).data, model(X).data)


def test_the_file_is_a_plain_npz_with_the_course_names(tmp_path):
    model = trained_like(3)
    path = tmp_path / "model.npz"
    model.save(path)
    with np.load(path) as f:
        names = [n for n in f.files if not n.startswith("__")]
        assert names == ["W1", "b1", "W2", "b2", "W3", "b3"]
        np.testing.assert_array_equal(f["W2"], model[1].W.data)


def test_a_course_parameter_dictionary_saved_with_np_savez_loads(tmp_path, X):
    params = reference.initialize_deep([3, 4, 1], seed=1, scale=0.5)
    path = tmp_path / "course.npz"
    np.savez(path, **params)
    model = nn.MLP([3, 4, 1], hidden="relu").load(path)
    AL, _ = reference.forward_deep(params, X)
    np.testing.assert_allclose(model(X).data, AL, rtol=1e-13)
    with pytest.raises(nn.ModelFileError, match="does not record how to build"):
        nn.load_model(path)


@pytest.mark.parametrize("make", [
    lambda: nn.Dense(3, 2, "relu", seed=0),
    lambda: nn.Sequential(nn.Dense(3, 4, "tanh", seed=0), nn.Dense(4, 1, "sigmoid", seed=1)),
    lambda: nn.MLP([3, 2, 3], hidden="leaky_relu", output="softmax", dtype=np.float32, seed=0),
])
def test_load_model_rebuilds_dense_sequential_and_mlp(tmp_path, X, make):
    model = make()
    path = tmp_path / "m.npz"
    model.save(path)
    rebuilt = nn.load_model(path)
    assert type(rebuilt) is type(model)
    np.testing.assert_array_equal(rebuilt(X.astype(model.parameters()[0].dtype)).data,
                                  model(X.astype(model.parameters()[0].dtype)).data)
    assert rebuilt.parameters()[0].dtype == model.parameters()[0].dtype


def test_an_interrupted_save_leaves_the_old_file_intact(tmp_path, X, monkeypatch):
    path = tmp_path / "model.npz"
    old = trained_like(1)
    old.save(path)
    old_bytes = path.read_bytes()

    def savez_that_dies_midway(file, *args, **kwds):
        file.write(b"PK\x03\x04 the first bytes of a zip, then the disk fills up")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", savez_that_dies_midway)
    with pytest.raises(OSError, match="No space left"):
        trained_like(2).save(path)
    monkeypatch.undo()

    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["model.npz"]  # the temporary file was removed
    fresh = trained_like(5).load(path)
    np.testing.assert_array_equal(fresh(X).data, old(X).data)


def test_save_writes_a_temporary_file_in_the_same_directory_fsyncs_and_replaces(
    tmp_path, monkeypatch
):
    calls = []
    real_replace, real_fsync = os.replace, os.fsync

    def replace(src, dst):
        calls.append(("replace", os.path.dirname(os.fspath(src)), os.fspath(dst)))
        return real_replace(src, dst)

    def fsync(fd):
        calls.append(("fsync",))
        return real_fsync(fd)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "fsync", fsync)
    path = tmp_path / "model.npz"
    nn.Dense(2, 2, seed=0).save(path)
    assert calls[0] == ("fsync",)  # the data reached the disk before the rename
    assert ("replace", str(tmp_path), str(path)) in calls
    assert path.exists()


def test_a_truncated_file_gives_a_clear_error_and_changes_nothing(tmp_path, X):
    path = tmp_path / "model.npz"
    trained_like(1).save(path)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    model = trained_like(2)
    before = model(X).data.copy()
    with pytest.raises(nn.ModelFileError, match="truncated"):
        model.load(truncated)
    np.testing.assert_array_equal(model(X).data, before)


@pytest.mark.parametrize("content, message", [
    (b"W1 = [[1, 2]]\n", "not a NumPy .npz model file"),
    (b"", "empty"),
    (b"\x93NUMPY\x01\x00", "single array"),
])
def test_a_file_that_is_not_a_model_gives_a_clear_error(tmp_path, content, message):
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    with pytest.raises(nn.ModelFileError, match=message):
        nn.MLP([3, 1]).load(path)


def test_a_model_file_of_another_shape_says_what_does_not_match(tmp_path, X):
    path = tmp_path / "model.npz"
    trained_like(1).save(path)
    model = nn.MLP([3, 6, 2, 1], hidden="tanh", seed=0)
    before = model.state_dict()
    with pytest.raises(nn.StateDictError) as err:
        model.load(path)
    message = str(err.value)
    assert "W1 is (5, 3) where the model's W1 is (6, 3)" in message
    assert "Nothing was changed" in message and "model.npz" in message
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])
    other = tmp_path / "other.npz"
    np.savez(other, weights=np.zeros(3))
    with pytest.raises(nn.StateDictError, match="missing W1.*unexpected weights"):
        model.load(other)


def test_missing_files_and_directories(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        nn.MLP([2, 1]).load(tmp_path / "nope.npz")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        nn.MLP([2, 1]).save(tmp_path / "no" / "such" / "dir" / "m.npz")
    with pytest.raises(nn.ModelFileError, match="directory"):
        nn.MLP([2, 1]).load(tmp_path)


def test_a_trained_flower_model_survives_the_round_trip(tmp_path):
    X, Y = data.planar_flower(m=100)
    model = nn.MLP([2, 4, 1], hidden="tanh", seed=0)
    from autograd_lite import optim

    nn.fit(model, X, Y, nn.binary_cross_entropy, optim.Adam(model, lr=0.05), 50, progress=False)
    model.save(tmp_path / "flower.npz")
    loaded = nn.load_model(tmp_path / "flower.npz")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_a_file_cut_anywhere_gives_a_clear_error_and_changes_nothing(tmp_path, X):
    path = tmp_path / "model.npz"
    trained_like(1).save(path)
    content = path.read_bytes()
    cut_file = tmp_path / "cut.npz"
    model = trained_like(2)
    before = model(X).data.copy()
    for cut in range(0, len(content), max(1, len(content) // 40)):
        cut_file.write_bytes(content[:cut])
        with pytest.raises(nn.ModelFileError):
            model.load(cut_file)
        with pytest.raises(nn.ModelFileError):
            nn.load_model(cut_file)
        np.testing.assert_array_equal(model(X).data, before)


def test_a_corrupted_byte_is_refused_or_harmless_never_wrong_values(tmp_path, X):
    """Flip one byte anywhere: either a clear error that changes nothing, or (a byte the
    values do not depend on, such as a zip timestamp) exactly the saved model."""
    path = tmp_path / "model.npz"
    saved = trained_like(1)
    saved.save(path)
    expected = saved(X).data
    content = path.read_bytes()
    corrupt = tmp_path / "corrupt.npz"
    refused = 0
    for position in np.random.default_rng(0).choice(len(content), 150, replace=False):
        flipped = bytearray(content)
        flipped[position] ^= 0xFF
        corrupt.write_bytes(bytes(flipped))
        model = trained_like(2)
        before = model(X).data.copy()
        try:
            model.load(corrupt)
        except (nn.ModelFileError, nn.StateDictError):
            refused += 1
            np.testing.assert_array_equal(model(X).data, before)
        else:
            np.testing.assert_array_equal(model(X).data, expected)
    assert refused > 75  # most bytes are the values themselves, checked by CRC-32


@pytest.mark.parametrize("content", [b"W1 = [[1, 2]]\n", b"", b"\x93NUMPY\x01\x00",
                                     b"PK\x03\x04 not really a zip"])
def test_loading_something_that_is_not_a_model_changes_nothing(tmp_path, X, content):
    path = tmp_path / "notes.npz"
    path.write_bytes(content)
    model = trained_like(2)
    before = model.state_dict()
    with pytest.raises(nn.ModelFileError):
        model.load(path)
    with pytest.raises(nn.ModelFileError):
        nn.load_model(path)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


@pytest.mark.parametrize("where", ["savez", "fsync", "replace"])
def test_a_save_interrupted_by_ctrl_c_leaves_the_old_file_and_no_temporary(
    tmp_path, X, monkeypatch, where
):
    path = tmp_path / "model.npz"
    old = trained_like(1)
    old.save(path)
    old_bytes = path.read_bytes()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    target = np if where == "savez" else os
    monkeypatch.setattr(target, where, interrupted)
    with pytest.raises(KeyboardInterrupt):
        trained_like(2).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["model.npz"]
    np.testing.assert_array_equal(nn.load_model(path)(X).data, old(X).data)
