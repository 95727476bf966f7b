"""The benchmark's models in PyTorch (CPU) and MyGrad, each written as its users write it.

Both are optional: :func:`available` tells which can be imported, and why not. Every
model has ``step()`` and ``gradients()`` like those of handwritten.py and al_models.py.
PyTorch uses its fused ``binary_cross_entropy_with_logits``; MyGrad has no such loss, so
its cost is the course's formula on ``sigmoid(Z)``.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np


def available() -> dict[str, Any]:
    """name -> the imported module, or the reason (a string) it could not be imported."""
    found: dict[str, Any] = {}
    for name in ("torch", "mygrad"):
        try:
            found[name] = importlib.import_module(name)
        except Exception as err:  # noqa: BLE001 - any failure to import means "absent"
            found[name] = f"{type(err).__name__}: {err}"
    return found


# --------------------------------------------------------------------------- PyTorch


class _PeerModel:
    """The workloads written once for any peer whose tensors support + * @ and backward()."""

    params: dict[str, Any]
    kind: str

    def _cost(self) -> Any:
        raise NotImplementedError

    def _backward(self) -> Any:
        p = self.params
        if self.kind == "j":
            out = 3 * (p["a"] + p["b"] * p["c"])
        elif self.kind == "square":
            x = p["x"]
            out = (x * x + x).sum()
        else:
            out = self._cost()
        out.backward()
        return out


class TorchModel(_PeerModel):
    def __init__(self, problem: Any) -> None:
        import torch
        import torch.nn.functional as F

        self.torch, self.F = torch, F
        self.kind, self.lr = problem.kind, problem.lr
        self.params = {
            k: torch.tensor(np.array(v), requires_grad=True) for k, v in problem.params.items()
        }
        if problem.X is not None:
            self.X = torch.from_numpy(problem.X)
            self.Y = torch.from_numpy(problem.Y)

    def _cost(self) -> Any:
        p, X = self.params, self.X
        if self.kind == "logreg":
            Z = p["w"].T @ X + p["b"]
        elif self.kind == "shallow":
            A1 = self.torch.tanh(p["W1"] @ X + p["b1"])
            Z = p["W2"] @ A1 + p["b2"]
        else:
            L = len(p) // 2
            A = X
            for l in range(1, L):
                A = self.torch.relu(p[f"W{l}"] @ A + p[f"b{l}"])
            Z = p[f"W{L}"] @ A + p[f"b{L}"]
        return self.F.binary_cross_entropy_with_logits(Z, self.Y)

    def step(self) -> Any:
        out = self._backward()
        if self.kind in ("j", "square"):
            for t in self.params.values():
                t.grad = None
            return out
        with self.torch.no_grad():
            for t in self.params.values():
                t -= self.lr * t.grad
                t.grad = None
        return out.item()

    def gradients(self) -> dict[str, np.ndarray]:
        self._backward()
        grads = {}
        for k, t in self.params.items():
            grads["d" + k] = t.grad.numpy().copy()
            t.grad = None
        return grads


# --------------------------------------------------------------------------- MyGrad


class MyGradModel(_PeerModel):
    def __init__(self, problem: Any) -> None:
        import mygrad as mg
        from mygrad.nnet.activations import relu, sigmoid

        self.mg, self.relu, self.sigmoid = mg, relu, sigmoid
        self.kind, self.lr = problem.kind, problem.lr
        self.params = {k: mg.Tensor(np.array(v)) for k, v in problem.params.items()}
        self.X, self.Y = problem.X, problem.Y

    def _cost(self) -> Any:
        mg, p, X, Y = self.mg, self.params, self.X, self.Y
        if self.kind == "logreg":
            Z = mg.matmul(p["w"].T, X) + p["b"]
        elif self.kind == "shallow":
            A1 = mg.tanh(mg.matmul(p["W1"], X) + p["b1"])
            Z = mg.matmul(p["W2"], A1) + p["b2"]
        else:
            L = len(p) // 2
            A = X
            for l in range(1, L):
                A = self.relu(mg.matmul(p[f"W{l}"], A) + p[f"b{l}"])
            Z = mg.matmul(p[f"W{L}"], A) + p[f"b{L}"]
        A = self.sigmoid(Z)
        return -mg.mean(Y * mg.log(A) + (1 - Y) * mg.log(1 - A))

    def step(self) -> Any:
        out = self._backward()
        if self.kind in ("j", "square"):
            return out
        for t in self.params.values():
            t.data -= self.lr * t.grad
        return out.item()

    def gradients(self) -> dict[str, np.ndarray]:
        self._backward()
        return {"d" + k: np.array(t.grad) for k, t in self.params.items()}


def build(name: str, problem: Any) -> Any:
    return {"torch": TorchModel, "mygrad": MyGradModel}[name](problem)
