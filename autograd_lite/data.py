"""Small data sets in the course's layout: examples are columns.

Every function returns ``X`` of shape ``(n_x, m)`` and labels ``Y`` of shape
``(1, m)`` (float64), and is deterministic given its ``seed``. Nothing is
downloaded: the synthetic sets are generated with NumPy, :func:`digits` reads the
8x8 digits bundled with autograd-lite (``autograd_lite/datasets/``, UCI, CC BY 4.0),
and :func:`breast_cancer` the copy bundled inside scikit-learn (an optional
dependency: ``pip install "autograd-lite[data]"``).

Helpers: :func:`train_test_split` (columns as examples), :func:`one_hot` and
:func:`accuracy`.
"""

from __future__ import annotations

import importlib.resources
import math
from typing import Any

import numpy as np

__all__ = [
    "accuracy",
    "breast_cancer",
    "digits",
    "one_hot",
    "parity",
    "planar_flower",
    "train_test_split",
    "xor",
]

#: Largest ``n_bits`` for which :func:`parity` enumerates all ``2**n_bits`` patterns.
MAX_FULL_PARITY_BITS = 20

_SKLEARN_HINT = 'this data set needs scikit-learn: pip install "autograd-lite[data]"'


# --------------------------------------------------------------------------- helpers


def _check_int(value: Any, name: str, where: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{where}: {name} must be an integer; got {value!r}")
    if value < minimum:
        raise ValueError(f"{where}: {name} must be at least {minimum}; got {value}")
    return int(value)


def _check_noise(noise: Any, where: str) -> float:
    noise = float(noise)
    if not math.isfinite(noise) or noise < 0:
        raise ValueError(f"{where}: noise must be a finite number >= 0; got {noise}")
    return noise


def _import_sklearn_datasets(where: str) -> Any:
    try:
        from sklearn import datasets
    except ImportError as exc:
        raise ImportError(f"{where}: {_SKLEARN_HINT}") from exc
    return datasets


# ------------------------------------------------------------------ synthetic sets


def planar_flower(
    m: int = 400, seed: int | None = 1, noise: float = 0.2
) -> tuple[np.ndarray, np.ndarray]:
    """The course's 2-class "flower" data set (``load_planar_dataset`` of planar_utils).

    ``N = m / 2`` points per class ``j`` in {0, 1}, on a flower with ``a = 4`` petals::

        t = linspace(j * 3.12, (j + 1) * 3.12, N) + randn(N) * noise     (theta)
        r = a * sin(4 t) + randn(N) * noise                             (radius)
        x = (r sin t, r cos t)

    The random numbers are drawn with ``np.random.RandomState(seed).randn`` in the
    course's order, so the defaults (``m=400, seed=1, noise=0.2``) reproduce the
    course's data exactly.

    Returns:
        ``X`` (2, m) float64 and ``Y`` (1, m) of 0.0 / 1.0; the first ``m/2`` columns
        are class 0, the rest class 1. Not linearly separable.
    """
    where = "planar_flower"
    m = _check_int(m, "m", where, 2)
    if m % 2:
        raise ValueError(f"{where}: m must be even (m/2 points per class); got {m}")
    noise = _check_noise(noise, where)
    rng = np.random.RandomState(seed)
    N = m // 2
    a = 4
    X = np.zeros((m, 2))
    Y = np.zeros((m, 1))
    for j in range(2):
        ix = slice(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + rng.randn(N) * noise
        r = a * np.sin(4 * t) + rng.randn(N) * noise
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T.copy(), Y.T.copy()


def xor(m: int = 200, seed: int | None = 0, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Noisy points around the four corners of the unit square, labelled by XOR.

    Corners ``(0, 0)``, ``(0, 1)``, ``(1, 0)``, ``(1, 1)`` get labels 0, 1, 1, 0.
    Example ``i`` comes from corner ``i % 4`` (so the corners are used equally, to
    within one point), plus Gaussian noise of standard deviation ``noise``; the
    columns are then shuffled.

    Returns:
        ``X`` (2, m) float64 and ``Y`` (1, m) of 0.0 / 1.0.
    """
    where = "xor"
    m = _check_int(m, "m", where, 4)
    noise = _check_noise(noise, where)
    rng = np.random.default_rng(seed)
    corners = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    idx = rng.permutation(np.arange(m) % 4)
    X = corners[:, idx] + noise * rng.standard_normal((2, m))
    Y = (corners[0, idx] != corners[1, idx]).astype(np.float64).reshape(1, m)
    return X, Y


def parity(
    n_bits: int, m: int | None = None, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``n_bits``-bit parity: the label is 1 when an odd number of bits are 1.

    With ``m=None`` every pattern appears once: column ``j`` holds the binary digits
    of ``j`` (first row the most significant bit), so ``X`` is ``(n_bits, 2**n_bits)``.
    This needs ``n_bits <= 20``; pass ``m`` for more bits. With ``m`` given, ``m``
    patterns are drawn uniformly at random (with repetition) from ``seed``.

    Returns:
        ``X`` (n_bits, m) of 0.0 / 1.0 and ``Y = sum(X, axis=0) mod 2`` as (1, m).
    """
    where = "parity"
    n_bits = _check_int(n_bits, "n_bits", where, 1)
    if m is None:
        if n_bits > MAX_FULL_PARITY_BITS:
            raise ValueError(
                f"{where}: all 2**{n_bits} patterns would be too many; pass m for a random "
                f"sample, or use n_bits <= {MAX_FULL_PARITY_BITS}"
            )
        j = np.arange(2**n_bits)
        shifts = np.arange(n_bits - 1, -1, -1).reshape(n_bits, 1)
        X = ((j >> shifts) & 1).astype(np.float64)
    else:
        m = _check_int(m, "m", where, 2)
        rng = np.random.default_rng(seed)
        X = rng.integers(0, 2, size=(n_bits, m)).astype(np.float64)
    Y = (X.sum(axis=0, keepdims=True) % 2).astype(np.float64)
    return X, Y


# ------------------------------------------------------------- split and utilities


def train_test_split(
    X: Any, Y: Any, test_size: float = 0.2, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the columns (examples) and split them into a training and a test set.

    Args:
        X: ``(n_x, m)``.
        Y: ``(k, m)``, same ``m`` (a 1-D ``(m,)`` array is read as ``(1, m)``).
        test_size: a fraction in (0, 1), rounded up to a whole number of examples, or
            a number of test examples; both sets must end up non-empty.
        seed: seed of the shuffle (``np.random.default_rng(seed).permutation``).

    Returns:
        ``(X_train, Y_train, X_test, Y_test)`` — note the order, the same as every
        data set here returns (it is not scikit-learn's order).
    """
    where = "train_test_split"
    X = np.asarray(X)
    Y = np.asarray(Y)
    if X.ndim != 2:
        raise ValueError(f"{where}: X must be 2-D (n_x, m), examples as columns; got {X.shape}")
    if Y.ndim == 1:
        Y = Y.reshape(1, -1)
    if Y.ndim != 2 or Y.shape[1] != X.shape[1]:
        raise ValueError(
            f"{where}: X is {X.shape}, so Y must have {X.shape[1]} columns (k, m); got {Y.shape}"
        )
    m = X.shape[1]
    if m < 2:
        raise ValueError(f"{where}: need at least 2 examples to split; got m = {m}")
    if isinstance(test_size, (bool, np.bool_)):
        raise TypeError(f"{where}: test_size must be a fraction or a count; got {test_size!r}")
    if isinstance(test_size, (int, np.integer)):
        n_test = int(test_size)
    else:
        frac = float(test_size)
        if not 0.0 < frac < 1.0:
            raise ValueError(f"{where}: a fractional test_size must be in (0, 1); got {frac}")
        n_test = math.ceil(frac * m)
    if not 1 <= n_test <= m - 1:
        raise ValueError(
            f"{where}: test_size={test_size!r} gives {n_test} test examples out of m = {m}; "
            "both sets must be non-empty"
        )
    perm = np.random.default_rng(seed).permutation(m)
    test, train = perm[:n_test], perm[n_test:]
    return X[:, train], Y[:, train], X[:, test], Y[:, test]


def one_hot(labels: Any, num_classes: int | None = None) -> np.ndarray:
    """Integer labels ``(1, m)`` or ``(m,)`` as a one-hot matrix ``(C, m)`` of floats.

    ``C = num_classes``, or ``max(labels) + 1`` when it is None. Column ``i`` has a
    1.0 in row ``labels[i]``.
    """
    where = "one_hot"
    lab = np.asarray(labels)
    if lab.ndim == 2 and lab.shape[0] == 1:
        lab = lab[0]
    if lab.ndim != 1:
        raise ValueError(f"{where}: labels must be (1, m) or (m,); got shape {lab.shape}")
    if lab.size and not np.all(np.isfinite(lab) & (lab == np.round(lab)) & (lab >= 0)):
        raise ValueError(f"{where}: labels must be non-negative integers")
    lab = lab.astype(np.int64)
    if num_classes is None:
        if lab.size == 0:
            raise ValueError(f"{where}: num_classes is needed when there are no labels")
        C = int(lab.max()) + 1
    else:
        C = _check_int(num_classes, "num_classes", where, 1)
        if lab.size and lab.max() >= C:
            raise ValueError(
                f"{where}: label {int(lab.max())} does not fit num_classes={C} (labels 0..{C - 1})"
            )
    out = np.zeros((C, lab.size))
    out[lab, np.arange(lab.size)] = 1.0
    return out


def accuracy(predictions: Any, Y: Any) -> float:
    """Fraction of examples whose predicted label equals the true label.

    - Labels against labels: ``predictions`` and ``Y`` both ``(1, m)`` (or ``(m,)``),
      e.g. ``accuracy((A > 0.5).astype(float), Y)`` for a sigmoid output.
    - Scores against one-hot: ``(C, m)`` with ``C > 1`` is read by its argmax over
      rows, on either side (so ``accuracy(AL, one_hot(y))`` and
      ``accuracy(AL, y)`` both work for a softmax output ``AL``).

    Raises ValueError when the numbers of examples differ, or when (1, m)
    predictions are not whole numbers (probabilities must be thresholded first).
    """
    where = "accuracy"

    def as_labels(a: Any, name: str) -> np.ndarray:
        a = np.asarray(a)
        if a.ndim == 1:
            a = a.reshape(1, -1)
        if a.ndim != 2:
            raise ValueError(f"{where}: {name} must be (1, m), (C, m) or (m,); got {a.shape}")
        if a.shape[0] > 1:
            return np.argmax(a, axis=0)
        a = a[0]
        if a.size and not np.all(a == np.round(a)):
            raise ValueError(
                f"{where}: {name} holds non-integer values; pass labels, e.g. threshold "
                "probabilities with (A > 0.5)"
            )
        return a

    p = as_labels(predictions, "predictions")
    y = as_labels(Y, "Y")
    if p.shape != y.shape:
        raise ValueError(f"{where}: predictions cover {p.size} examples but Y covers {y.size}")
    if p.size == 0:
        raise ValueError(f"{where}: no examples")
    return float(np.mean(p == y))


# --------------------------------------------------------------- bundled real sets


def digits(
    positive: int | None = None,
    test_size: float = 0.2,
    seed: int | None = 0,
    normalize: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The 8x8 handwritten digits (1797 images), in course layout; no extra needed.

    The UCI "Optical Recognition of Handwritten Digits" test set (E. Alpaydin and
    C. Kaynak, 1998, CC BY 4.0), bundled with autograd-lite: the same numbers, in the
    same order, as scikit-learn's ``load_digits()`` (see ``autograd_lite/datasets/``).

    Args:
        positive: ``None`` for the ten classes, labels ``Y`` (1, m) of 0.0 .. 9.0
            (use :func:`one_hot` for a (10, m) target); or a digit ``d`` for the
            binary task "is it a d?" with ``Y = (target == d)`` as 0.0 / 1.0.
        test_size: see :func:`train_test_split`.
        seed: seed of the shuffled split.
        normalize: divide the pixel values 0..16 by 16, into [0, 1].

    Returns:
        ``(X_train, Y_train, X_test, Y_test)``; ``X`` is ``(64, m)``.
    """
    where = "digits"
    if positive is not None:
        positive = _check_int(positive, "positive", where, 0)
        if positive > 9:
            raise ValueError(f"{where}: positive must be a digit 0..9 or None; got {positive}")
    images, target = _bundled_digits()
    X = images.astype(np.float64).T  # (64, 1797)
    if normalize:
        X = X / 16.0
    if positive is None:
        Y = target.astype(np.float64).reshape(1, -1)
    else:
        Y = (target == positive).astype(np.float64).reshape(1, -1)
    return train_test_split(np.ascontiguousarray(X), Y, test_size=test_size, seed=seed)


def _bundled_digits() -> tuple[np.ndarray, np.ndarray]:
    """(images (1797, 64) uint8 of 0..16, labels (1797,) uint8) from the package's data."""
    package = importlib.resources.files("autograd_lite")
    resource = package.joinpath("datasets").joinpath("digits.npz")
    with resource.open("rb") as handle, np.load(handle, allow_pickle=False) as archive:
        return archive["images"], archive["labels"]


def breast_cancer(
    test_size: float = 0.2, seed: int | None = 0, standardize: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's bundled Wisconsin breast-cancer data (569 examples, 30 features).

    ``Y`` is scikit-learn's target: 1.0 = benign, 0.0 = malignant. With
    ``standardize``, every feature (row) is centred and scaled with the *training*
    set's mean and standard deviation (the test set is never looked at), which the
    course recommends before gradient descent.

    Returns:
        ``(X_train, Y_train, X_test, Y_test)``; ``X`` is ``(30, m)``, ``Y`` ``(1, m)``.
    """
    where = "breast_cancer"
    datasets = _import_sklearn_datasets(where)
    bunch = datasets.load_breast_cancer()
    X = np.ascontiguousarray(np.asarray(bunch.data, dtype=np.float64).T)  # (30, 569)
    Y = np.asarray(bunch.target, dtype=np.float64).reshape(1, -1)
    X_train, Y_train, X_test, Y_test = train_test_split(X, Y, test_size=test_size, seed=seed)
    if standardize:
        mu = X_train.mean(axis=1, keepdims=True)
        sigma = X_train.std(axis=1, keepdims=True)
        sigma[sigma == 0] = 1.0
        X_train = (X_train - mu) / sigma
        X_test = (X_test - mu) / sigma
    return X_train, Y_train, X_test, Y_test
