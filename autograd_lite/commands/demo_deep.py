"""The course's L-layer network on a real data set: train it, then check its gradients.

:func:`deep_network_demo` is called by ``autograd-lite demo`` (``make demo``).
"""

from __future__ import annotations

from dataclasses import dataclass

from autograd_lite import CompareReport, compare_model, data, nn, optim

#: [n_x, n^[1], n^[2], n^[3], n^[L]]: the course's 4-layer shape, on 8x8 images.
LAYER_DIMS = [64, 20, 7, 5, 1]


@dataclass
class DeepDemoResult:
    train_accuracy: float
    test_accuracy: float
    costs: list[float]
    report: CompareReport

    @property
    def passed(self) -> bool:
        """True when autodiff matched the hand-derived gradients."""
        return self.report.passed


def deep_network_demo(
    digit: int = 3,
    epochs: int = 30,
    batch_size: int = 64,
    lr: float = 0.01,
    seed: int = 1,
    progress: bool = True,
) -> DeepDemoResult:
    """Train [64, 20, 7, 5, 1] (ReLU hidden layers, sigmoid output) to tell whether an
    8x8 handwritten digit is a ``digit``, with Adam on mini-batches; print its dimension
    table, the accuracies, and autodiff's gradients against ``reference.deep_network``.

    Takes about two seconds. Needs scikit-learn (for its bundled digits).
    """
    X_train, Y_train, X_test, Y_test = data.digits(positive=digit, seed=seed)
    article = "an" if digit == 8 else "a"  # an eight
    print(f"The course's L-layer network on real data: is an 8x8 handwritten digit "
          f"{article} {digit}?")
    print(f"X_train {X_train.shape}, X_test {X_test.shape}; "
          f"{int(Y_train.sum())} of the {Y_train.shape[1]} training images are {digit}s")
    model = nn.MLP(LAYER_DIMS, hidden="relu", output="sigmoid", init="he", seed=seed)
    model.summary(X_train.shape[1])
    optimizer = optim.Adam(model.parameters(), lr=lr)
    print(f"Training: Adam, lr {lr:g}, mini-batches of {batch_size}, {epochs} epochs")
    costs = nn.fit(model, X_train, Y_train, nn.binary_cross_entropy, optimizer, epochs,
                   batch_size=batch_size, progress=progress, seed=seed, desc="deep network")
    print(f"cost: {costs[0]:.4f} (epoch 1) -> {costs[-1]:.6f} (epoch {len(costs)})")
    train_accuracy = data.accuracy(model.predict(X_train), Y_train)
    test_accuracy = data.accuracy(model.predict(X_test), Y_test)
    print(f"train accuracy: {100 * train_accuracy:.2f}%   "
          f"test accuracy: {100 * test_accuracy:.2f}%")
    print()
    print("Backward pass of the trained network: autodiff against the hand-derived")
    print("dZ^[L] = A^[L] - Y, dW^[l] = dZ^[l] A^[l-1].T / m, db^[l] = sum(dZ^[l]) / m,")
    print("dZ^[l-1] = W^[l].T dZ^[l] * g'(Z^[l-1])  (reference.deep_network), on the test set:")
    report = compare_model(model, X_test, Y_test,
                           title=f"L-layer network {LAYER_DIMS}, relu")
    print(report)
    return DeepDemoResult(train_accuracy, test_accuracy, costs, report)
