"""Gradient-descent optimizers, in the course's formulas.

Each optimizer holds a list of parameters (Tensors with ``requires_grad=True``).
After ``J.backward()`` has filled their ``.grad``, ``step()`` updates every
parameter in place (``p.data``); ``zero_grad()`` forgets the gradients before the
next backward pass. A parameter whose ``.grad`` is None is left alone. With W a
parameter and dW its gradient:

- :class:`SGD`:      W := W - α dW
- :class:`Momentum`: v := β v + (1 - β) dW;   W := W - α v
- :class:`Adam`:     v := β₁ v + (1 - β₁) dW;  s := β₂ s + (1 - β₂) dW²;
  v̂ = v / (1 - β₁ᵗ), ŝ = s / (1 - β₂ᵗ);  W := W - α v̂ / (√ŝ + ε)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd_lite import Tensor

__all__ = ["SGD", "Adam", "Momentum", "Optimizer"]


def _grad_array(p: Tensor) -> np.ndarray | None:
    g = p.grad
    if g is None:
        return None
    return g.data if isinstance(g, Tensor) else g


def _check_rate(value: Any, name: str, where: str, low: float, high: float | None) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: {name} must be a number; got {value!r}") from None
    if not math.isfinite(x) or x < low or (high is not None and x >= high):
        bound = f"in [{low}, {high})" if high is not None else f">= {low}"
        raise ValueError(f"{where}: {name} must be {bound}; got {value!r}")
    return x


class Optimizer:
    """Base class: the parameters, ``zero_grad()`` and the learning rate ``lr`` (α).

    ``params`` is an iterable of Tensors (e.g. ``model.parameters()``) or a Module.
    ``lr`` may be changed between steps (learning-rate decay).
    """

    def __init__(self, params: Iterable[Tensor] | Any, lr: float) -> None:
        where = type(self).__name__
        if hasattr(params, "parameters") and callable(params.parameters):
            params = params.parameters()
        if isinstance(params, Tensor):
            params = [params]
        params = list(params)
        if not params:
            raise ValueError(f"{where}: the list of parameters is empty")
        seen: set[int] = set()
        self.params: list[Tensor] = []
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{where}: parameter {i} is a {type(p).__name__}, not a Tensor "
                    "(pass model.parameters())"
                )
            if not p.requires_grad:
                label = f"'{p.name}'" if p.name else str(i)
                raise ValueError(
                    f"{where}: parameter {label} does not require grad, so it would never "
                    "have a gradient; create it with requires_grad=True"
                )
            if id(p) not in seen:
                seen.add(id(p))
                self.params.append(p)
        self.lr = _check_rate(lr, "lr", where, 0.0, None)
        if self.lr == 0:
            raise ValueError(f"{where}: lr must be > 0; got {lr!r}")
        self.t = 0

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the parameters' gradients (None, or zeros with ``set_to_none=False``)."""
        for p in self.params:
            if set_to_none or not isinstance(p.grad, np.ndarray):
                p.grad = None
            else:
                p.grad.fill(0)

    def step(self) -> None:
        """Update every parameter that has a gradient; count the step (t := t + 1)."""
        self.t += 1
        for i, p in enumerate(self.params):
            g = _grad_array(p)
            if g is None:
                continue
            if g.shape != p.shape:
                raise ValueError(
                    f"{type(self).__name__}: the gradient of parameter "
                    f"{p.name or i} is {g.shape} but the parameter is {p.shape}"
                )
            self._update(i, p, g)

    def _update(self, i: int, p: Tensor, g: np.ndarray) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr:g}, {len(self.params)} parameters)"


class SGD(Optimizer):
    """Gradient descent: W := W - α dW."""

    def __init__(self, params: Iterable[Tensor] | Any, lr: float) -> None:
        super().__init__(params, lr)

    def _update(self, i: int, p: Tensor, g: np.ndarray) -> None:
        p.data -= self.lr * g


class Momentum(Optimizer):
    """Gradient descent with momentum, the course's form (an average of the gradients)::

        v := β v + (1 - β) dW          v starts at 0
        W := W - α v
    """

    def __init__(self, params: Iterable[Tensor] | Any, lr: float, beta: float = 0.9) -> None:
        super().__init__(params, lr)
        self.beta = _check_rate(beta, "beta", "Momentum", 0.0, 1.0)
        self.velocity = [np.zeros_like(p.data) for p in self.params]

    def _update(self, i: int, p: Tensor, g: np.ndarray) -> None:
        v = self.velocity[i]
        v *= self.beta
        v += (1 - self.beta) * g
        p.data -= self.lr * v


class Adam(Optimizer):
    """Adam, the course's form::

        v := β₁ v + (1 - β₁) dW,   s := β₂ s + (1 - β₂) dW²       (v, s start at 0)
        v̂ = v / (1 - β₁ᵗ),         ŝ = s / (1 - β₂ᵗ)              (bias correction, t = step)
        W := W - α v̂ / (√ŝ + ε)
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, lr)
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise TypeError(f"Adam: betas must be a pair (β₁, β₂); got {betas!r}") from None
        self.betas = (
            _check_rate(beta1, "betas[0]", "Adam", 0.0, 1.0),
            _check_rate(beta2, "betas[1]", "Adam", 0.0, 1.0),
        )
        self.eps = _check_rate(eps, "eps", "Adam", 0.0, None)
        self.v = [np.zeros_like(p.data) for p in self.params]
        self.s = [np.zeros_like(p.data) for p in self.params]

    def _update(self, i: int, p: Tensor, g: np.ndarray) -> None:
        beta1, beta2 = self.betas
        v, s = self.v[i], self.s[i]
        v *= beta1
        v += (1 - beta1) * g
        s *= beta2
        s += (1 - beta2) * (g * g)
        v_hat = v / (1 - beta1**self.t)
        s_hat = s / (1 - beta2**self.t)
        p.data -= self.lr * v_hat / (np.sqrt(s_hat) + self.eps)
