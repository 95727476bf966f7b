"""``autograd-lite check``: autodiff against the course's hand-derived gradients.

For logistic regression, a shallow network and a deep network, the cost and every
gradient dW^[l], db^[l] computed by the engine are compared with the formulas of
:mod:`autograd_lite.reference` (dZ = A - Y, dW = dZ Aᵀ / m, ...), in a table.
Exit status 1 if any gradient differs.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd_lite as al
from autograd_lite import (
    CompareReport,
    compare,
    compare_model,
    data,
    gradcheck,
    nn,
    reference,
)
from autograd_lite.commands import UserError
from autograd_lite.commands.memory import check_fits_in_memory, training_bytes

HIDDEN_ACTIVATIONS = ("tanh", "relu", "sigmoid", "leaky_relu")
# A numerical check costs two forward passes per parameter entry: use a few examples.
NUMERICAL_EXAMPLES = 40


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=1,
                        help="seed of the data and of the parameters (default 1)")
    parser.add_argument("--examples", "-m", type=int, default=400, metavar="M",
                        help="number of examples m of the planar flower data (even; default 400)")
    parser.add_argument("--layers", default="20,7,5", metavar="N1,N2,...",
                        help="hidden layer sizes of the deep network (default 20,7,5)")
    parser.add_argument("--activation", choices=HIDDEN_ACTIVATIONS, default=None,
                        help="hidden activation (default: tanh for the shallow network, "
                             "relu for the deep one)")
    parser.add_argument("--tol", type=float, default=1e-7,
                        help="largest relative difference that passes (default 1e-7)")
    parser.add_argument("--numerical", action="store_true",
                        help="also check each model against two-sided numerical differences")


def parse_layers(text: str, option: str = "--layers") -> list[int]:
    """'20,7,5' -> [20, 7, 5]; a UserError for anything else."""
    parts = [part.strip() for part in text.split(",")]
    try:
        sizes = [int(part) for part in parts]
    except ValueError:
        raise UserError(
            f"{option} must be comma-separated positive integers such as 20,7,5; got {text!r}"
        ) from None
    if not sizes or any(n < 1 for n in sizes):
        raise UserError(f"{option} must be comma-separated positive integers; got {text!r}")
    return sizes


#: Seeds that NumPy's RandomState accepts: 0 to 2**32 - 1.
MAX_SEED = 2**32 - 1


def check_seed(seed: int, option: str = "--seed") -> int:
    """The seed, or a UserError naming the valid range."""
    if not 0 <= seed <= MAX_SEED:
        raise UserError(f"{option} must be an integer from 0 to {MAX_SEED} (2**32 - 1); got {seed}")
    return seed


def logistic_cost(X: np.ndarray, Y: np.ndarray) -> Callable[..., al.Tensor]:
    """J(w, b) of the course's logistic regression: A = σ(wᵀ X + b), cross-entropy."""

    def cost(w: Any, b: Any) -> al.Tensor:
        return nn.binary_cross_entropy(al.sigmoid(w.T @ X + b), Y)

    return cost


def network_cost(model: nn.MLP, X: np.ndarray, Y: np.ndarray) -> Callable[..., al.Tensor]:
    """J(W1, b1, ..., WL, bL): the model's forward pass with the given parameters."""
    activations = [nn.ACTIVATIONS.get(layer.activation) for layer in model]

    def cost(*params: Any) -> al.Tensor:
        A: Any = X
        for g, W, b in zip(activations, params[::2], params[1::2]):
            Z = W @ A + b
            A = Z if g is None else g(Z)
        return nn.binary_cross_entropy(A, Y)

    return cost


def run(args: argparse.Namespace) -> int:
    if args.examples < 2 or args.examples % 2:
        raise UserError(f"--examples must be an even number >= 2; got {args.examples}")
    if not 0 < args.tol < math.inf:
        raise UserError(f"--tol must be a positive number; got {args.tol}")
    check_seed(args.seed)
    hidden_sizes = parse_layers(args.layers)
    dims = [2, *hidden_sizes, 1]  # the flower data has n_x = 2
    needed = training_bytes(dims, args.examples)
    examples_bytes = training_bytes([2, 1], args.examples)
    advice = "use fewer --examples" if examples_bytes * 2 > needed else "use smaller --layers"
    check_fits_in_memory(
        needed, f"checking the network {dims} on {args.examples:,} examples", advice
    )
    X, Y = data.planar_flower(m=args.examples, seed=args.seed)
    n_x = X.shape[0]
    shallow_act = args.activation or "tanh"
    deep_act = args.activation or "relu"
    deep_init = "he" if deep_act in ("relu", "leaky_relu") else "xavier"
    print("autograd-lite check: autodiff against the course's hand-derived gradients "
          "(autograd_lite.reference)")
    print(f"data: planar flower, X {X.shape}, Y {Y.shape}, float64, seed {args.seed}")
    print()

    # Logistic regression in the course's own variables: w (n_x, 1), b a number.
    rng = np.random.RandomState(args.seed)
    w, b = rng.randn(n_x, 1) * 0.5, 0.1
    J, (dw, db) = al.value_and_grad(logistic_cost(X, Y), argnums=(0, 1))(w, b)
    ref_cost, ref_grads = reference.logistic_regression(w, b, X, Y)
    logistic = compare(
        {"dw": dw, "db": db}, ref_grads, tol=args.tol, costs=(J, ref_cost),
        title="Logistic regression, w (n_x, 1), b a number (reference.logistic_regression)",
    )
    shallow = nn.MLP([n_x, 4, 1], hidden=shallow_act, init="xavier", seed=args.seed)
    deep = nn.MLP([n_x, *hidden_sizes, 1], hidden=deep_act, init=deep_init, seed=args.seed)
    checks: list[tuple[CompareReport, Callable[..., Any], list[Any], list[str]]] = [
        (logistic, lambda X_, Y_: logistic_cost(X_, Y_), [w, np.float64(b)], ["w", "b"]),
    ]
    for model, title in (
        (shallow, f"Shallow network {shallow.layer_dims}, {shallow_act} "
                  "(reference.shallow_network)"),
        (deep, f"Deep network {deep.layer_dims}, {deep_act} (reference.deep_network)"),
    ):
        report = compare_model(model, X, Y, tol=args.tol, title=title)
        params = dict(model.named_parameters())
        checks.append((
            report,
            lambda X_, Y_, model=model: network_cost(model, X_, Y_),
            [p.data for p in params.values()],
            list(params),
        ))

    failed = []
    for report, make_cost, values, names in checks:
        print(report)
        if not report:
            failed.append(report.title)
        if args.numerical:
            m = min(NUMERICAL_EXAMPLES, X.shape[1])
            numerical = gradcheck(make_cost(X[:, :m], Y[:, :m]), *values, names=names)
            verdict = "passed" if numerical else "FAILED"
            print(f"  numerical gradient check on the first {m} examples: {verdict}, "
                  f"relative difference {numerical.relative_difference:.3g}")
            if not numerical:
                print("  " + str(numerical).replace("\n", "\n  "))
                failed.append(report.title + " (numerical check)")
        print()
    if failed:
        print("MISMATCH: autodiff differs from the hand-derived gradients in: "
              + "; ".join(failed))
        return 1
    print(f"All {len(checks)} models: autodiff equals the hand-derived gradients "
          f"(relative difference below {args.tol:g}).")
    return 0
