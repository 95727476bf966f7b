"""The benchmark's models in autograd-lite, written with the public API as a user would.

Tensors, ``@``, ``+``, ``al.tanh`` / ``al.relu``, the cost, ``backward()``, then the SGD
update in place under ``al.no_grad()``. The cost is ``nn.binary_cross_entropy_with_logits``
when autograd_lite.nn provides it, else the course's formula written with ops.

Every model has ``step()`` (one training step; returns the cost) and ``gradients()``
(forward and backward on the current parameters, no update; gradients keyed as the
course names them). ``traced=True`` records the forward and backward pass once with
:func:`autograd_lite.compile.trace` and replays it at every step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd_lite as al

try:
    from autograd_lite.nn import binary_cross_entropy_with_logits
except ImportError:  # an engine without nn: the course's cost, written with ops
    binary_cross_entropy_with_logits = None

COST = "nn.binary_cross_entropy_with_logits" if binary_cross_entropy_with_logits else (
    "-(Y log σ(Z) + (1-Y) log(1-σ(Z))).mean() from ops"
)


def cost_from_logits(Z: al.Tensor, Y: Any) -> al.Tensor:
    """J = -(1/m) Σ (Y log A + (1 - Y) log(1 - A)), A = σ(Z)."""
    if binary_cross_entropy_with_logits is not None:
        return binary_cross_entropy_with_logits(Z, Y)
    A = al.sigmoid(Z)
    return -(Y * al.log(A) + (1 - Y) * al.log(1 - A)).mean()


class _Model:
    """Parameters as Tensors, the data as ndarrays; subclasses write ``forward``."""

    grad_key = "d{}"

    def __init__(self, problem: Any, traced: bool = False) -> None:
        self.params = {
            k: al.Tensor(np.array(v), requires_grad=True, name=k) for k, v in problem.params.items()
        }
        self.X, self.Y, self.lr = problem.X, problem.Y, problem.lr
        self.traced = None
        if traced:
            from autograd_lite.compile import trace

            self.traced = trace(self.forward, self.X, self.Y)

    def forward(self, X: Any, Y: Any) -> al.Tensor:
        raise NotImplementedError

    def _backward(self) -> float:
        if self.traced is not None:
            return self.traced(self.X, self.Y)
        cost = self.forward(self.X, self.Y)
        cost.backward()
        return cost.item()

    def step(self) -> float:
        cost = self._backward()
        with al.no_grad():
            for p in self.params.values():
                p.data -= self.lr * p.grad
                p.grad = None
        return cost

    def gradients(self) -> dict[str, np.ndarray]:
        self._backward()
        grads = {}
        for k, p in self.params.items():
            grads[self.grad_key.format(k)] = np.array(p.grad)
            p.grad = None
        return grads


class JGraph(_Model):
    """J = 3(a + bc) on three scalar tensors."""

    def __init__(self, problem: Any, traced: bool = False) -> None:
        super().__init__(problem)
        self.a, self.b, self.c = (self.params[k] for k in "abc")

    def _backward(self) -> float:
        J = 3 * (self.a + self.b * self.c)
        J.backward()
        return J

    def step(self) -> Any:
        J = self._backward()
        self.a.grad = self.b.grad = self.c.grad = None
        return J


class SquarePlus(_Model):
    """(x·x + x).sum() on one (1, 1) tensor."""

    def __init__(self, problem: Any, traced: bool = False) -> None:
        super().__init__(problem)
        self.x = self.params["x"]

    def _backward(self) -> Any:
        x = self.x
        f = (x * x + x).sum()
        f.backward()
        return f

    def step(self) -> Any:
        f = self._backward()
        self.x.grad = None
        return f


class LogisticRegression(_Model):
    def forward(self, X: Any, Y: Any) -> al.Tensor:
        w, b = self.params["w"], self.params["b"]
        return cost_from_logits(w.T @ X + b, Y)


class ShallowNetwork(_Model):
    def forward(self, X: Any, Y: Any) -> al.Tensor:
        p = self.params
        A1 = al.tanh(p["W1"] @ X + p["b1"])
        return cost_from_logits(p["W2"] @ A1 + p["b2"], Y)


class DeepNetwork(_Model):
    """[LINEAR -> RELU] x (L-1) -> LINEAR, the cost from the logits."""

    def forward(self, X: Any, Y: Any) -> al.Tensor:
        p = self.params
        L = len(p) // 2
        A = X
        for l in range(1, L):
            A = al.relu(p[f"W{l}"] @ A + p[f"b{l}"])
        return cost_from_logits(p[f"W{L}"] @ A + p[f"b{L}"], Y)


MODELS = {
    "j": JGraph,
    "square": SquarePlus,
    "logreg": LogisticRegression,
    "shallow": ShallowNetwork,
    "deep": DeepNetwork,
}


def build(problem: Any, traced: bool = False) -> _Model:
    return MODELS[problem.kind](problem, traced=traced)
