"""The data sets of autograd_lite.data: layout, determinism, labels and errors."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from autograd_lite import data

# ------------------------------------------------------------------- planar flower


def test_planar_flower_layout_and_balance():
    X, Y = data.planar_flower()
    assert X.shape == (2, 400)
    assert Y.shape == (1, 400)
    assert X.dtype == np.float64
    assert Y.dtype == np.float64
    assert set(np.unique(Y)) == {0.0, 1.0}
    assert Y.sum() == 200
    assert np.all(Y[0, :200] == 0)
    assert np.all(Y[0, 200:] == 1)
    # The flower has radius at most a = 4 (plus noise).
    assert np.max(np.linalg.norm(X, axis=0)) < 5.5


def test_planar_flower_is_the_course_data_set():
    # load_planar_dataset() of the course's planar_utils, verbatim but for the
    # global seed being restored afterwards.
    state = np.random.get_state()
    try:
        np.random.seed(1)
        m, N, a = 400, 200, 4
        X = np.zeros((m, 2))
        Y = np.zeros((m, 1), dtype="uint8")
        for j in range(2):
            ix = range(N * j, N * (j + 1))
            t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2
            r = a * np.sin(4 * t) + np.random.randn(N) * 0.2
            X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
            Y[ix] = j
    finally:
        np.random.set_state(state)
    X2, Y2 = data.planar_flower()
    np.testing.assert_array_equal(X2, X.T)
    np.testing.assert_array_equal(Y2, Y.T)


def test_planar_flower_seed_noise_and_size():
    X1, _ = data.planar_flower(m=100, seed=3)
    X2, _ = data.planar_flower(m=100, seed=3)
    X3, _ = data.planar_flower(m=100, seed=4)
    np.testing.assert_array_equal(X1, X2)
    assert not np.allclose(X1, X3)
    X0, _ = data.planar_flower(m=10, noise=0.0)
    assert X0.shape == (2, 10)
    # Without noise the points lie exactly on r = 4 sin(4 t).
    t = np.linspace(0, 3.12, 5)
    np.testing.assert_allclose(
        X0[:, :5], [4 * np.sin(4 * t) * np.sin(t), 4 * np.sin(4 * t) * np.cos(t)], atol=1e-12
    )


@pytest.mark.parametrize(
    ("kwargs", "exc", "pattern"),
    [
        ({"m": 401}, ValueError, "m must be even"),
        ({"m": 0}, ValueError, "m must be at least 2"),
        ({"m": 10.0}, TypeError, "m must be an integer"),
        ({"noise": -1.0}, ValueError, "noise must be"),
    ],
)
def test_planar_flower_errors(kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        data.planar_flower(**kwargs)


# --------------------------------------------------------------------------- xor


def test_xor_layout_labels_and_balance():
    X, Y = data.xor(m=202, seed=0, noise=0.1)
    assert X.shape == (2, 202)
    assert Y.shape == (1, 202)
    assert X.dtype == Y.dtype == np.float64
    # Every corner is used 50 or 51 times; half the labels are 1 (to within one).
    corners = np.round(data.xor(m=202, seed=0, noise=0.0)[0])
    counts = np.unique(corners, axis=1, return_counts=True)[1]
    assert sorted(counts) == [50, 50, 51, 51]
    assert abs(Y.sum() - 101) <= 1
    # The label is the XOR of the corner the point was drawn around.
    clean, Y_clean = data.xor(m=202, seed=0, noise=0.0)
    np.testing.assert_array_equal(Y_clean[0], np.logical_xor(clean[0], clean[1]))
    np.testing.assert_array_equal(Y, Y_clean)  # same seed, same corners
    # With noise 0.1 the nearest corner still gives the label for (almost) every point.
    nearest = np.clip(np.round(X), 0, 1)
    agree = np.mean(np.logical_xor(nearest[0], nearest[1]) == Y[0])
    assert agree > 0.97


def test_xor_is_deterministic_and_shuffled():
    X1, Y1 = data.xor(seed=5)
    X2, Y2 = data.xor(seed=5)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(Y1, Y2)
    assert not np.array_equal(X1, data.xor(seed=6)[0])
    assert not np.array_equal(Y1[0, :8], np.array([0, 1, 1, 0] * 2))  # not in corner order
    with pytest.raises(ValueError, match="m must be at least 4"):
        data.xor(m=3)


# ------------------------------------------------------------------------ parity


@pytest.mark.parametrize("n_bits", [1, 2, 3, 5])
def test_parity_enumerates_every_pattern(n_bits):
    X, Y = data.parity(n_bits)
    m = 2**n_bits
    assert X.shape == (n_bits, m)
    assert Y.shape == (1, m)
    assert X.dtype == Y.dtype == np.float64
    assert set(np.unique(X)) <= {0.0, 1.0}
    # Column j is j in binary, most significant bit first.
    as_int = (X * (2 ** np.arange(n_bits - 1, -1, -1))[:, None]).sum(axis=0)
    np.testing.assert_array_equal(as_int, np.arange(m))
    for j in range(m):
        assert Y[0, j] == j.bit_count() % 2
    assert Y.sum() == m / 2


def test_parity_three_bits_by_hand():
    X, Y = data.parity(3)
    np.testing.assert_array_equal(X[:, 3], [0, 1, 1])
    np.testing.assert_array_equal(Y, [[0, 1, 1, 0, 1, 0, 0, 1]])


def test_parity_random_sample():
    X, Y = data.parity(12, m=500, seed=1)
    assert X.shape == (12, 500)
    assert Y.shape == (1, 500)
    np.testing.assert_array_equal(Y[0], X.sum(axis=0) % 2)
    assert 0.4 < Y.mean() < 0.6
    np.testing.assert_array_equal(X, data.parity(12, m=500, seed=1)[0])
    assert not np.array_equal(X, data.parity(12, m=500, seed=2)[0])


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "pattern"),
    [
        ((0,), {}, ValueError, "n_bits must be at least 1"),
        ((3,), {"m": 1}, ValueError, "m must be at least 2"),
        ((40,), {}, ValueError, "pass m"),
        ((2.5,), {}, TypeError, "n_bits must be an integer"),
    ],
)
def test_parity_errors(args, kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        data.parity(*args, **kwargs)


# -------------------------------------------------------------- train_test_split


def test_train_test_split_partitions_the_columns():
    X = np.arange(30.0).reshape(3, 10)
    Y = np.arange(10.0).reshape(1, 10)
    X_tr, Y_tr, X_te, Y_te = data.train_test_split(X, Y, test_size=0.25, seed=0)
    assert X_tr.shape == (3, 7)
    assert X_te.shape == (3, 3)  # ceil(0.25 * 10)
    assert Y_tr.shape == (1, 7)
    assert Y_te.shape == (1, 3)
    assert sorted(np.concatenate([Y_tr[0], Y_te[0]])) == list(range(10))
    # Each example keeps its label: column j of X is 3 numbers built from j.
    np.testing.assert_array_equal(X_tr[0], Y_tr[0])
    np.testing.assert_array_equal(X_te[2], Y_te[0] + 20)
    again = data.train_test_split(X, Y, test_size=0.25, seed=0)
    for a, b in zip((X_tr, Y_tr, X_te, Y_te), again, strict=True):
        np.testing.assert_array_equal(a, b)
    other = data.train_test_split(X, Y, test_size=0.25, seed=1)
    assert not np.array_equal(Y_te, other[3])


def test_train_test_split_count_and_errors():
    X = np.zeros((2, 5))
    assert data.train_test_split(X, np.zeros(5), test_size=2)[2].shape == (2, 2)
    with pytest.raises(ValueError, match=r"in \(0, 1\)"):
        data.train_test_split(X, np.zeros((1, 5)), test_size=1.5)
    with pytest.raises(ValueError, match="both sets must be non-empty"):
        data.train_test_split(X, np.zeros((1, 5)), test_size=5)
    with pytest.raises(ValueError, match="Y must have 5 columns"):
        data.train_test_split(X, np.zeros((1, 4)))
    with pytest.raises(ValueError, match="at least 2 examples"):
        data.train_test_split(np.zeros((2, 1)), np.zeros((1, 1)))


# ------------------------------------------------------------ one_hot, accuracy


def test_one_hot():
    oh = data.one_hot(np.array([[2, 0, 1, 2]]))
    np.testing.assert_array_equal(oh, [[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 1]])
    assert oh.dtype == np.float64
    assert data.one_hot([0.0, 1.0], num_classes=4).shape == (4, 2)
    with pytest.raises(ValueError, match="does not fit num_classes=2"):
        data.one_hot([0, 2], num_classes=2)
    with pytest.raises(ValueError, match="non-negative integers"):
        data.one_hot([0.5, 1])
    with pytest.raises(ValueError, match=r"\(1, m\) or \(m,\)"):
        data.one_hot(np.zeros((2, 3)))


def test_accuracy():
    Y = np.array([[1.0, 0.0, 1.0, 1.0]])
    assert data.accuracy(np.array([[1, 0, 0, 1]]), Y) == 0.75
    A = np.array([[0.9, 0.2, 0.4, 0.6]])
    assert data.accuracy((A > 0.5).astype(float), Y) == 0.75
    with pytest.raises(ValueError, match="threshold"):
        data.accuracy(A, Y)
    with pytest.raises(ValueError, match="4 examples but Y covers 3"):
        data.accuracy(Y, Y[:, :3])
    # Softmax scores (C, m) against labels or one-hot.
    scores = np.array([[0.7, 0.1, 0.2], [0.2, 0.8, 0.7], [0.1, 0.1, 0.1]])
    labels = np.array([[0, 1, 2]])
    assert data.accuracy(scores, labels) == pytest.approx(2 / 3)
    assert data.accuracy(scores, data.one_hot(labels, 3)) == pytest.approx(2 / 3)


# --------------------------------------------------------------- bundled real sets


def test_digits_ten_classes():
    X_tr, Y_tr, X_te, Y_te = data.digits()
    assert X_tr.shape == (64, 1437)
    assert X_te.shape == (64, 360)
    assert Y_tr.shape == (1, 1437)
    assert Y_te.shape == (1, 360)
    assert X_tr.dtype == Y_tr.dtype == np.float64
    assert X_tr.min() == 0.0
    assert X_tr.max() == 1.0
    assert set(np.unique(np.concatenate([Y_tr, Y_te], axis=1))) == set(map(float, range(10)))
    again = data.digits()
    np.testing.assert_array_equal(X_te, again[2])
    np.testing.assert_array_equal(Y_te, again[3])
    assert not np.array_equal(Y_te, data.digits(seed=1)[3])
    raw = data.digits(normalize=False)[0]
    np.testing.assert_array_equal(raw / 16, X_tr)


def test_digits_one_against_the_rest():
    X_tr, Y_tr, X_te, Y_te = data.digits(positive=3, test_size=0.5, seed=2)
    assert X_tr.shape[1] + X_te.shape[1] == 1797
    Y_all = np.concatenate([Y_tr, Y_te], axis=1)
    assert set(np.unique(Y_all)) == {0.0, 1.0}
    assert Y_all.sum() == 183  # the number of 3s in the bundled set
    labels = data.digits(test_size=0.5, seed=2)[1]
    np.testing.assert_array_equal(Y_tr, (labels == 3).astype(float))
    with pytest.raises(ValueError, match="0..9"):
        data.digits(positive=10)


def test_breast_cancer_is_standardized_with_the_training_set():
    pytest.importorskip("sklearn")
    X_tr, Y_tr, X_te, Y_te = data.breast_cancer()
    assert X_tr.shape == (30, 455)
    assert X_te.shape == (30, 114)
    assert Y_tr.shape == (1, 455)
    assert Y_te.shape == (1, 114)
    assert set(np.unique(Y_tr)) == {0.0, 1.0}
    assert int(Y_tr.sum() + Y_te.sum()) == 357  # benign cases
    np.testing.assert_allclose(X_tr.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(X_tr.std(axis=1), 1.0, rtol=1e-12)
    # The test set is transformed with the training statistics, not its own.
    assert np.max(np.abs(X_te.mean(axis=1))) > 1e-3
    raw_tr, _, raw_te, _ = data.breast_cancer(standardize=False)
    mu = raw_tr.mean(axis=1, keepdims=True)
    sd = raw_tr.std(axis=1, keepdims=True)
    np.testing.assert_allclose(X_te, (raw_te - mu) / sd, rtol=1e-12)
    np.testing.assert_array_equal(Y_te, data.breast_cancer()[3])


def test_missing_sklearn_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn` fail
    with pytest.raises(ImportError, match=r'pip install "autograd-lite\[data\]"'):
        data.breast_cancer()


def test_digits_need_no_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    X_tr, Y_tr, X_te, Y_te = data.digits(positive=3)
    assert X_tr.shape[1] + X_te.shape[1] == 1797


def test_bundled_digits_are_scikit_learns():
    """The bundled file holds exactly the numbers of scikit-learn's copy, in its order."""
    datasets = pytest.importorskip("sklearn.datasets")
    bunch = datasets.load_digits()
    raw = data.digits(normalize=False, test_size=0.5, seed=7)
    X = np.concatenate([raw[0], raw[2]], axis=1)
    Y = np.concatenate([raw[1], raw[3]], axis=1)
    perm = np.random.default_rng(7).permutation(1797)  # train_test_split's shuffle
    order = np.concatenate([perm[899:], perm[:899]])   # train (the rest), then test
    np.testing.assert_array_equal(X, bunch.data.T[:, order])
    np.testing.assert_array_equal(Y, bunch.target.reshape(1, -1)[:, order])
