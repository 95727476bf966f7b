"""The training loop of the course: forward, cost, backward, update — epoch after epoch."""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_lite import Tensor
from autograd_lite.nn import losses
from autograd_lite.nn.module import Module

__all__ = ["LOSSES", "fit"]

#: Costs that ``fit`` accepts by name.
LOSSES: dict[str, Callable[[Any, Any], Tensor]] = {
    "binary_cross_entropy": losses.binary_cross_entropy,
    "binary_cross_entropy_with_logits": losses.binary_cross_entropy_with_logits,
    "squared_error": losses.squared_error,
    "cross_entropy": losses.cross_entropy,
}


def _resolve_loss(loss: str | Callable[[Any, Any], Tensor]) -> Callable[[Any, Any], Tensor]:
    if isinstance(loss, str):
        if loss not in LOSSES:
            allowed = ", ".join(repr(name) for name in LOSSES)
            raise ValueError(f"fit: unknown loss {loss!r}; choose one of {allowed}")
        return LOSSES[loss]
    if not callable(loss):
        raise TypeError(f"fit: loss must be a function loss(A, Y) or a name; got {loss!r}")
    return loss


def _as_array(value: Any) -> np.ndarray:
    return value.data if isinstance(value, Tensor) else np.asarray(value)


def fit(
    model: Module | Callable[[Any], Tensor],
    X: Any,
    Y: Any,
    loss: str | Callable[[Any, Any], Tensor],
    optimizer: Any,
    epochs: int,
    batch_size: int | None = None,
    progress: bool = True,
    *,
    shuffle: bool = True,
    seed: int | None = 0,
    desc: str = "training",
) -> list[float]:
    """Train ``model`` by gradient descent; return the cost of every epoch.

    Each step is the course's iteration::

        A = model(X_batch)                 forward propagation
        J = loss(A, Y_batch)               the cost, a mean over the batch
        J.backward()                       backward propagation: dW, db for every layer
        optimizer.step()                   W := W - α dW (or Momentum, Adam)

    Args:
        model: a Module (or any function X -> A).
        X: inputs (n_x, m), one example per column.
        Y: targets (k, m) (for ``cross_entropy`` also labels (1, m)).
        loss: a function loss(A, Y) -> J, or the name of one of :data:`LOSSES`.
        optimizer: an :mod:`autograd_lite.optim` optimizer over the model's parameters.
        epochs: passes over the training set.
        batch_size: None for full-batch gradient descent (one step per epoch), else the
            size of the mini-batches (the last one may be smaller).
        progress: show a progress bar with the current cost (``tqdm.auto``: a text bar
            on stderr, a widget in Jupyter). It is off when False, and also where there
            is neither a terminal (stderr is a pipe or a file) nor a notebook.
        shuffle: draw new mini-batches every epoch (a permutation of the columns,
            from ``seed``); ignored for full batch.
        seed: seed of the shuffling.
        desc: label of the progress bar.

    Returns:
        The cost history: one number per epoch, the mean of the per-example loss over
        the epoch (for full batch, J computed before that epoch's update).

    Raises:
        FloatingPointError: when the cost becomes nan or infinite (the learning rate
            is usually too large); the history so far is in ``err.history``.
    """
    loss_fn = _resolve_loss(loss)
    X_arr, Y_arr = _as_array(X), _as_array(Y)
    if X_arr.ndim != 2:
        raise ValueError(
            f"fit: X must be 2-D (n_x, m), one example per column; got {X_arr.shape}"
        )
    m = X_arr.shape[1]
    if Y_arr.ndim != 2 or Y_arr.shape[1] != m:
        hint = " (use Y.reshape(1, -1))" if Y_arr.shape == (m,) else ""
        raise ValueError(
            f"fit: X is {X_arr.shape}, so Y must have m = {m} columns (k, {m}); "
            f"got {Y_arr.shape}{hint}"
        )
    if m == 0:
        raise ValueError("fit: X has no examples (m = 0)")
    if isinstance(epochs, (bool, np.bool_)) or not isinstance(epochs, (int, np.integer)):
        raise TypeError(f"fit: epochs must be an integer; got {epochs!r}")
    if epochs < 0:
        raise ValueError(f"fit: epochs must be >= 0; got {epochs}")
    if batch_size is not None:
        if (
            isinstance(batch_size, (bool, np.bool_))
            or not isinstance(batch_size, (int, np.integer))
            or batch_size < 1
        ):
            raise ValueError(f"fit: batch_size must be a positive integer or None; got "
                             f"{batch_size!r}")
        if batch_size >= m:
            batch_size = None
    for name in ("step", "zero_grad"):
        if not callable(getattr(optimizer, name, None)):
            raise TypeError(
                f"fit: optimizer must have step() and zero_grad() (e.g. optim.SGD); "
                f"got {optimizer!r}"
            )

    rng = np.random.RandomState(seed)
    full_X, full_Y = Tensor(X_arr), Tensor(Y_arr)
    history: list[float] = []
    bar = _progress_bar(epochs, progress, desc)
    try:
        for epoch in range(epochs):
            if batch_size is None:
                batches = [(full_X, full_Y)]
            else:
                order = rng.permutation(m) if shuffle else np.arange(m)
                batches = [
                    (X_arr[:, order[i:i + batch_size]], Y_arr[:, order[i:i + batch_size]])
                    for i in range(0, m, batch_size)
                ]
            total = 0.0
            for X_batch, Y_batch in batches:
                optimizer.zero_grad()
                J = loss_fn(model(X_batch), Y_batch)
                J.backward()
                optimizer.step()
                total += J.item() * X_batch.shape[1]
            cost = total / m
            history.append(cost)
            if not math.isfinite(cost):
                err = FloatingPointError(
                    f"fit: the cost became {cost} in epoch {epoch + 1}; the learning rate is "
                    "probably too large (or the inputs are not normalized)"
                )
                err.history = history  # type: ignore[attr-defined]
                raise err
            if bar is not None:
                bar.set_postfix_str(f"cost={cost:.4g}", refresh=False)
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return history


def in_notebook() -> bool:
    """True inside a Jupyter kernel (IPython running as IPKernelApp), where stderr is not a
    terminal but a progress bar still shows."""
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    if get_ipython is None:
        return False
    try:
        shell = get_ipython()
    except Exception:  # noqa: BLE001 - any failure means: not a kernel we can draw in
        return False
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def show_progress(progress: bool, stream: Any = None) -> bool:
    """Whether ``fit`` draws its bar: asked for, and either in a notebook or with ``stream``
    (stderr by default) a terminal. Silent in a pipe, a log file or a CI job."""
    if not progress:
        return False
    if in_notebook():
        return True
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # a closed or detached stream
        return False


def _progress_bar(epochs: int, progress: bool, desc: str) -> Any:
    if not show_progress(progress):
        return None
    with warnings.catch_warnings():
        # Without ipywidgets, tqdm.auto warns and draws a text bar: that text bar is fine.
        warnings.simplefilter("ignore")
        from tqdm.auto import tqdm

    # tqdm.auto: a widget in Jupyter (with ipywidgets), a text bar on a terminal.
    return tqdm(total=epochs, desc=desc, unit="epoch", disable=False, leave=True,
                dynamic_ncols=True)
