"""The baseline: the course's forward and backward passes, written out by hand in NumPy.

No autodiff: every gradient is the formula the course derives with the chain rule
(examples are columns, X is (n_x, m), Y is (1, m)):

    forward    Z^[l] = W^[l] A^[l-1] + b^[l],   A^[l] = g^[l](Z^[l]),   sigmoid output
    cost       J = -(1/m) Σ (Y log A^[L] + (1 - Y) log(1 - A^[L]))
    backward   dZ^[L] = A^[L] - Y
               dW^[l] = dZ^[l] A^[l-1]ᵀ / m,   db^[l] = Σ_columns dZ^[l] / m
               dA^[l-1] = W^[l]ᵀ dZ^[l],        dZ^[l-1] = dA^[l-1] * g'(Z^[l-1])
               g' = 1 - A² for tanh, (Z > 0) for ReLU
    update     W^[l] -= lr dW^[l],   b^[l] -= lr db^[l]

One deliberate economy, as any careful hand-written version makes: dA^[0] = W^[1]ᵀ dZ^[1]
(the gradient with respect to the data X) is not computed, since nothing uses it.
This makes the baseline faster, and the ratios of the other implementations honest.

Every model is a small class: ``step()`` runs one training step (forward, backward,
SGD update) and returns the cost; ``gradients()`` runs forward and backward on the
current parameters, returning the gradients keyed as the course names them (dW1, db1,
..., or da, db, dc) without updating anything.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The course's sigmoid, 1 / (1 + e^-z)."""
    return 1 / (1 + np.exp(-z))


def bce_cost(A: np.ndarray, Y: np.ndarray) -> float:
    """The course's cross-entropy cost, -(1/m) Σ (y log a + (1 - y) log(1 - a))."""
    m = Y.shape[1]
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m)


# --------------------------------------------------------------------- tiny graphs


class JGraph:
    """J = 3(a + bc), the course's computation graph: u = bc, v = a + u, J = 3v."""

    def __init__(self, a: float, b: float, c: float) -> None:
        self.a, self.b, self.c = np.array(a), np.array(b), np.array(c)

    def gradients(self) -> dict[str, np.ndarray]:
        a, b, c = self.a, self.b, self.c
        u = b * c
        v = a + u
        J = 3 * v
        dv = 3 * np.ones_like(J)  # dJ/dv = 3
        da = dv  # dv/da = 1
        du = dv  # dv/du = 1
        db = du * c  # du/db = c
        dc = du * b  # du/dc = b
        self.J = J
        return {"da": da, "db": db, "dc": dc}

    def step(self) -> float:
        self.gradients()
        return self.J


class SquarePlus:
    """f = Σ (x·x + x) on one (1, 1) tensor: df/dx = 2x + 1."""

    def __init__(self, x: np.ndarray) -> None:
        self.x = np.array(x)

    def gradients(self) -> dict[str, np.ndarray]:
        x = self.x
        f = (x * x + x).sum()
        dx = 2 * x + 1
        self.f = f
        return {"dx": dx}

    def step(self) -> float:
        self.gradients()
        return self.f


# --------------------------------------------------------------------- models


class LogisticRegression:
    """The course's logistic regression: A = σ(wᵀX + b), dw = X (A - Y)ᵀ / m, db = Σ(A - Y) / m."""

    def __init__(self, w: np.ndarray, b: float, X: np.ndarray, Y: np.ndarray, lr: float) -> None:
        self.w, self.b = w.copy(), b
        self.X, self.Y, self.lr = X, Y, lr

    def gradients(self) -> dict[str, np.ndarray]:
        X, Y = self.X, self.Y
        m = X.shape[1]
        A = sigmoid(np.dot(self.w.T, X) + self.b)
        self.cost = bce_cost(A, Y)
        dZ = A - Y
        dw = np.dot(X, dZ.T) / m
        db = np.sum(dZ) / m
        return {"dw": dw, "db": db}

    def step(self) -> float:
        grads = self.gradients()
        self.w -= self.lr * grads["dw"]
        self.b -= self.lr * grads["db"]
        return self.cost


class ShallowNetwork:
    """The course's [n_x, n_h, 1] network: tanh hidden layer, sigmoid output."""

    def __init__(self, params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray,
                 lr: float) -> None:
        self.params = {k: v.copy() for k, v in params.items()}
        self.X, self.Y, self.lr = X, Y, lr

    def gradients(self) -> dict[str, np.ndarray]:
        p, X, Y = self.params, self.X, self.Y
        m = X.shape[1]
        Z1 = np.dot(p["W1"], X) + p["b1"]
        A1 = np.tanh(Z1)
        Z2 = np.dot(p["W2"], A1) + p["b2"]
        A2 = sigmoid(Z2)
        self.cost = bce_cost(A2, Y)
        dZ2 = A2 - Y
        dW2 = np.dot(dZ2, A1.T) / m
        db2 = np.sum(dZ2, axis=1, keepdims=True) / m
        dZ1 = np.dot(p["W2"].T, dZ2) * (1 - np.power(A1, 2))
        dW1 = np.dot(dZ1, X.T) / m
        db1 = np.sum(dZ1, axis=1, keepdims=True) / m
        return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}

    def step(self) -> float:
        grads = self.gradients()
        for key, value in self.params.items():
            value -= self.lr * grads["d" + key]
        return self.cost


class DeepNetwork:
    """The course's L-layer network: [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID."""

    def __init__(self, params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray,
                 lr: float) -> None:
        self.params = {k: v.copy() for k, v in params.items()}
        self.L = len(params) // 2
        self.X, self.Y, self.lr = X, Y, lr

    def gradients(self) -> dict[str, np.ndarray]:
        p, X, Y, L = self.params, self.X, self.Y, self.L
        m = X.shape[1]
        caches = []
        A = X
        for l in range(1, L):
            Z = np.dot(p[f"W{l}"], A) + p[f"b{l}"]
            caches.append((A, Z))
            A = np.maximum(0, Z)
        ZL = np.dot(p[f"W{L}"], A) + p[f"b{L}"]
        caches.append((A, ZL))
        AL = sigmoid(ZL)
        self.cost = bce_cost(AL, Y)

        grads = {}
        dZ = AL - Y
        for l in range(L, 0, -1):
            A_prev, _ = caches[l - 1]
            grads[f"dW{l}"] = np.dot(dZ, A_prev.T) / m
            grads[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True) / m
            if l > 1:
                dA_prev = np.dot(p[f"W{l}"].T, dZ)
                dZ = dA_prev * (caches[l - 2][1] > 0)  # ReLU: g'(Z) = 1 where Z > 0
        return grads

    def step(self) -> float:
        grads = self.gradients()
        for key, value in self.params.items():
            value -= self.lr * grads["d" + key]
        return self.cost


def build(problem):  # noqa: ANN001, ANN201 - a benchmark Problem, a model
    """The hand-written model for a benchmark problem (see run.py)."""
    p = problem.params
    if problem.kind == "j":
        return JGraph(p["a"], p["b"], p["c"])
    if problem.kind == "square":
        return SquarePlus(p["x"])
    if problem.kind == "logreg":
        return LogisticRegression(p["w"], p["b"], problem.X, problem.Y, problem.lr)
    if problem.kind == "shallow":
        return ShallowNetwork(p, problem.X, problem.Y, problem.lr)
    if problem.kind == "deep":
        return DeepNetwork(p, problem.X, problem.Y, problem.lr)
    raise ValueError(f"unknown problem kind {problem.kind!r}")
