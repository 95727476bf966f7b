# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Week 3 — A shallow neural network
#
# A straight line cannot separate every data set. This lesson shows, on the
# course's two-class "flower", exactly where logistic regression gives up and how
# one hidden layer of a few tanh units bends the boundary around the petals.
# Then it takes the hidden layer apart:
#
# 1. Logistic regression against a network with one hidden layer — accuracy and
#    decision boundaries.
# 2. The network written out equation by equation; the engine's gradients against
#    the course's hand-derived backward pass.
# 3. The activation functions (sigmoid, tanh, ReLU, leaky ReLU) and their
#    derivatives, both computed by the engine.
# 4. Why the hidden layer needs a *non-linear* activation: without one, two layers
#    collapse into one.
# 5. Why the weights must start random: identical units stay identical.
# 6. How many hidden units? 1, 2, 3, 4, 5, 20, 50 compared.

# %%
import matplotlib.pyplot as plt
import numpy as np

import autograd_lite as al
from autograd_lite import data, nn, optim, reference
from autograd_lite.lessons import Lesson, montage, pick, render_graph
from visualize import draw_graph, plot_decision_boundary

lesson = Lesson("week3_shallow_network")
ITERATIONS = pick(2000, 10000)  # gradient-descent steps per model
LR = 1.2  # the course's learning rate for this data set


def train(model, X, Y, epochs=ITERATIONS, lr=LR):
    """Batch gradient descent on the cross-entropy cost; returns the cost history."""
    return nn.fit(model, X, Y, nn.binary_cross_entropy, optim.SGD(model.parameters(), lr=lr),
                  epochs=epochs, progress=False)


def boundary(model, X, Y, filename, title):
    """Colour the plane by the model's prediction, draw the data on top; save as filename."""
    path = plot_decision_boundary(model.predict, X, Y, lesson.path(filename), title=title)
    return lesson.saved_file(path)


# %% [markdown]
# ## 1. The flower: a line is not enough
#
# 400 points in the plane, red and blue, arranged as a flower whose petals
# alternate colours. X is (2, 400) — each column is one point (x₁, x₂) — and Y is
# (1, 400).

# %%
X, Y = data.planar_flower()
print(f"X {X.shape}, Y {Y.shape}, fraction of class 1: {Y.mean():.2f}")

# %% [markdown]
# Logistic regression is a network with no hidden layer: one sigmoid unit on the
# inputs, `nn.MLP([2, 1])`. Its decision boundary wᵀx + b = 0 is a straight line,
# and no straight line splits these petals: it ends up no better than a coin toss
# (below 50%, in fact).
# A hidden layer of 4 tanh units, `nn.MLP([2, 4, 1])`, trained the same way, draws
# a curved boundary and gets about 9 points in 10 right.

# %%
logistic = nn.MLP([2, 1], output="sigmoid", init="zeros")
costs_logistic = train(logistic, X, Y)
acc_logistic = data.accuracy(logistic.predict(X), Y)

shallow = nn.MLP([2, 4, 1], hidden="tanh", output="sigmoid", init="small", seed=2)
costs_shallow = train(shallow, X, Y)
acc_shallow = data.accuracy(shallow.predict(X), Y)

print(f"logistic regression accuracy: {acc_logistic:.3f}")
print(f"shallow network (4 tanh units) accuracy: {acc_shallow:.3f}")

pictures = [
    boundary(logistic, X, Y, "boundary_logistic.png", f"logistic regression: {acc_logistic:.0%}"),
    boundary(shallow, X, Y, "boundary_shallow.png",
             f"one hidden layer, 4 tanh units: {acc_shallow:.0%}"),
]
montage(lesson, pictures, "decision_boundaries.png", ncols=2, gallery=True,
        numbers={"logistic_accuracy": acc_logistic, "shallow_accuracy": acc_shallow,
                 "logistic_final_cost": costs_logistic[-1],
                 "shallow_final_cost": costs_shallow[-1]})

fig, ax = plt.subplots(figsize=(6, 3.4))
ax.plot(costs_logistic, label=f"logistic regression ({acc_logistic:.0%})")
ax.plot(costs_shallow, label=f"4 tanh units ({acc_shallow:.0%})")
ax.set_xlabel("iteration")
ax.set_ylabel("cost J")
ax.set_title("the cost on the flower")
ax.legend()
lesson.savefig(fig, "costs.png")

# %% [markdown]
# What to notice: the logistic cost stalls at about 0.67, barely below
# log 2 ≈ 0.69, the cost of answering "50/50" for every point — a line cannot do
# much better here. The network's cost keeps falling because it can fit the petals.
#
# ## 2. The same network, equation by equation
#
# `nn.MLP` is a convenience. Here is what it computes, in the course's notation
# (n_x = 2 inputs, n_h = 4 hidden units, m = 400 examples):
#
#     Z1 = W1 X + b1     (4, 400)      W1 (4, 2), b1 (4, 1)
#     A1 = tanh(Z1)      (4, 400)
#     Z2 = W2 A1 + b2    (1, 400)      W2 (1, 4), b2 (1, 1)
#     A2 = σ(Z2)         (1, 400)
#     J  = −mean(Y log A2 + (1 − Y) log(1 − A2))
#
# The course then derives the backward pass by hand (dZ2 = A2 − Y, dW2 = dZ2 A1ᵀ/m,
# dZ1 = W2ᵀ dZ2 ∗ (1 − A1²), ...). The engine gets the same numbers by the chain
# rule, node by node; `reference.shallow_network` is the hand-derived version.

# %%
params = reference.initialize_shallow(n_x=2, n_h=4, seed=3, scale=0.5)
W1, b1, W2, b2 = (al.Tensor(params[k], requires_grad=True, name=k)
                  for k in ("W1", "b1", "W2", "b2"))
Z1 = W1 @ X + b1
A1 = al.tanh(Z1)
Z2 = W2 @ A1 + b2
A2 = al.sigmoid(Z2)
J = -(Y * al.log(A2) + (1 - Y) * al.log(1 - A2)).mean()
J.backward()

J_ref, grads_ref = reference.shallow_network(params, X, Y, activation="tanh")
print(f"cost: engine {J.item():.12f}, hand-derived {J_ref:.12f}")
print(f"{'':4} {'shape':>8} {'max |autodiff - hand|':>22}")
for name, tensor in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)):
    difference = np.abs(tensor.grad - grads_ref["d" + name]).max()
    print(f"d{name:3} {str(tensor.grad.shape):>8} {difference:22.1e}")
    assert tensor.grad.shape == tensor.shape and difference < 1e-12

# %% [markdown]
# The same network as `nn.MLP` builds it. Its layers name their tensors as the
# notes do, so its graph reads Z^[1] = W^[1] A^[0] + b^[1], A^[1] = tanh(Z^[1]),
# Z^[2] = W^[2] A^[1] + b^[2], one row per layer with its parameters above it (shapes,
# not values, for tensors this large), and the cost computed from Z^[2].

# %%
net = nn.MLP([2, 4, 1], hidden="tanh", seed=3)
J_net = nn.binary_cross_entropy(net(al.Tensor(X)), Y)
J_net.backward()
print(f"nn.MLP([2, 4, 1]) cost {J_net.item():.4f}; its graph is network_graph.svg")
render_graph(lesson, draw_graph(J_net, title="nn.MLP([2, 4, 1], hidden='tanh'): the cost's graph"),
             "network_graph", gallery=True,
             numbers={"J": J_net.item(), "dW1_shape": list(net[0].W.grad.shape)})

# %% [markdown]
# ## 3. Activation functions and their slopes
#
# The hidden layer's g(z) decides what shapes the network can build, and its
# slope g'(z) decides how well gradients flow back through it. Below, each g is
# applied to a row of z values and the engine differentiates Σ g(z): because each
# output depends only on its own input, that gradient is exactly g'(z) at every
# point. The dashed curves are the course's formulas, a(1 − a) for the sigmoid and
# 1 − a² for tanh; they sit exactly on the engine's.
#
# Notice: the sigmoid's slope is at most 0.25 and tanh's at most 1, and both
# vanish for large |z| — learning slows when units saturate. ReLU's slope is
# exactly 1 for every positive z, which is one reason it trains fast. (The leaky
# ReLU's slope for z < 0 is drawn as 0.05 so you can see it; the course uses 0.01.)

# %%
z = np.linspace(-5, 5, 401).reshape(1, -1)
leak = 0.05
activations = {
    "sigmoid": (al.sigmoid, lambda a, z: a * (1 - a)),
    "tanh": (al.tanh, lambda a, z: 1 - a**2),
    "ReLU": (al.relu, lambda a, z: (z > 0).astype(float)),
    f"leaky ReLU ({leak})": (lambda t: al.leaky_relu(t, slope=leak),
                             lambda a, z: np.where(z > 0, 1.0, leak)),
}
fig, axes = plt.subplots(1, 4, figsize=(14, 3.2))
for ax, (label, (g, formula)) in zip(axes, activations.items()):
    a = g(al.Tensor(z)).data
    slope = al.grad(lambda t, g=g: g(t).sum())(z)  # g'(z) at every point at once
    mask = np.abs(z) > 1e-9  # ReLU has no slope at exactly 0
    assert np.allclose(slope[mask], formula(a, z)[mask])
    ax.plot(z[0], a[0], label="g(z)")
    ax.plot(z[0], slope[0], label="g'(z), autodiff")
    ax.plot(z[0], formula(a, z)[0], "k--", lw=0.8, label="course's formula")
    ax.axhline(0, color="gray", lw=0.5)
    ax.set_title(label)
    ax.set_xlabel("z")
axes[0].legend(fontsize=8)
fig.tight_layout()
lesson.savefig(fig, "activations.png", gallery=True,
               numbers={"max_slope": {label: float(al.grad(lambda t, g=g: g(t).sum())(z).max())
                                      for label, (g, _) in activations.items()}})
print("autodiff slopes match the formulas for sigmoid, tanh, ReLU and leaky ReLU")

# %% [markdown]
# ## 4. Without a non-linearity, depth buys nothing
#
# If g is the identity, the hidden layer gives W2(W1 x + b1) + b2, which is
# (W2 W1) x + (W2 b1 + b2): a single linear layer W′x + b′. We check it on every
# point of the flower, and then train networks with *linear* hidden layers — one
# with 4 units and one with three hidden layers of 10 — to see that they do no
# better than logistic regression.

# %%
rng = np.random.default_rng(0)
W1_, b1_ = rng.standard_normal((4, 2)), rng.standard_normal((4, 1))
W2_, b2_ = rng.standard_normal((1, 4)), rng.standard_normal((1, 1))
two_layers = W2_ @ (W1_ @ X + b1_) + b2_
W_single, b_single = W2_ @ W1_, W2_ @ b1_ + b2_
one_layer = W_single @ X + b_single
print(f"W' = W2 W1 has shape {W_single.shape}, b' = W2 b1 + b2 has shape {b_single.shape}")
print(f"max |two linear layers - one linear layer| over all 400 points: "
      f"{np.abs(two_layers - one_layer).max():.1e}")

linear_hidden = nn.MLP([2, 4, 1], hidden="linear", output="sigmoid", init="small", seed=2)
train(linear_hidden, X, Y)
linear_deep = nn.MLP([2, 10, 10, 10, 1], hidden="linear", output="sigmoid", init="xavier", seed=2)
train(linear_deep, X, Y, lr=0.1)
acc_linear = data.accuracy(linear_hidden.predict(X), Y)
acc_linear_deep = data.accuracy(linear_deep.predict(X), Y)
print(f"accuracy with a linear hidden layer of 4 units: {acc_linear:.3f}")
print(f"accuracy with three linear hidden layers of 10: {acc_linear_deep:.3f}")
print(f"(logistic regression: {acc_logistic:.3f}; tanh hidden layer: {acc_shallow:.3f})")

# %% [markdown]
# ## 5. Symmetry: why the weights must start random
#
# If every hidden unit starts with the same weights, every unit computes the same
# thing, receives the same gradient and takes the same step — forever. The
# network behaves as if it had one hidden unit, however many it has. We train
# three 4-unit tanh networks that differ only in their start:
#
# - all zeros: tanh(0) = 0, so the output layer sees nothing, W2 stays 0, and no
#   gradient ever reaches W1 — the hidden layer never moves at all;
# - all units equal but not zero: the rows of W1 move, but stay equal to each other;
# - small random numbers (the course's randn × 0.01): the rows drift apart and
#   the units learn different features.

# %%
starts = {}
zeros = nn.MLP([2, 4, 1], hidden="tanh", output="sigmoid", init="zeros")
starts["all zeros"] = zeros

equal = nn.MLP([2, 4, 1], hidden="tanh", output="sigmoid", init="zeros")
equal[0].W.data[:] = np.array([[0.3, -0.2]])  # every row of W1 the same
equal[1].W.data[:] = 0.4  # every hidden unit has the same outgoing weight
starts["equal units"] = equal

starts["random (small)"] = nn.MLP([2, 4, 1], hidden="tanh", output="sigmoid", init="small",
                                  seed=2)

pictures = []
for label, model in starts.items():
    train(model, X, Y)
    W1_trained = model[0].W.data
    spread = np.abs(W1_trained - W1_trained[0]).max()  # how far the rows are from row 0
    acc = data.accuracy(model.predict(X), Y)
    print(f"{label:>15}: accuracy {acc:.3f}; largest difference between rows of W1: "
          f"{spread:.2e}")
    print("                 W1 after training =", np.array2string(W1_trained, precision=3)
          .replace("\n", "\n" + " " * 37))
    filename = "symmetry_" + label.split()[0].replace("(", "") + ".png"
    pictures.append(boundary(model, X, Y, filename, f"{label} start: {acc:.0%}"))
montage(lesson, pictures, "symmetry.png", ncols=3)

# %% [markdown]
# What to notice: with zeros the network learns nothing (50%); with equal units the
# four rows of W1 are still identical after thousands of steps, and the accuracy
# is about that of a network with one hidden unit (section 6); random starts
# break the tie. (The
# biases may start at zero: once the W's differ, the units already differ.)
#
# ## 6. How many hidden units?
#
# The same network with 1, 2, 3, 4, 5, 20 and 50 hidden units, each trained the
# same way. More units can draw more complicated boundaries.

# %%
sizes = [1, 2, 3, 4, 5, 20, 50]
results = {}
pictures = []
for n_h in sizes:
    model = nn.MLP([2, n_h, 1], hidden="tanh", output="sigmoid", init="small", seed=2)
    history = train(model, X, Y)
    results[n_h] = (data.accuracy(model.predict(X), Y), history[-1])
    pictures.append(boundary(model, X, Y, f"hidden_{n_h}.png",
                             f"{n_h} hidden unit{'s' if n_h > 1 else ''}: {results[n_h][0]:.0%}"))
montage(lesson, pictures, "hidden_sizes.png", ncols=4, gallery=True, width=3.2,
        numbers={f"{n_h} units": {"accuracy": acc, "final_cost": final_cost}
                 for n_h, (acc, final_cost) in results.items()})

print(f"{'hidden units':>12} {'accuracy':>9} {'final cost':>11}")
for n_h, (acc, final_cost) in results.items():
    print(f"{n_h:>12} {acc:9.3f} {final_cost:11.4f}")

# %% [markdown]
# What to notice: one or two units are not enough to wrap around the petals
# (about two thirds right); from three units on, the network finds the flower
# (about 90%). Beyond that, accuracy on these *training* points creeps up by a
# point or two at most. Given the full number of iterations, the 20- and 50-unit
# networks also start to carve small extra islands into the plane to catch single
# stray points — fitting the noise rather than the flower, the first sign of
# overfitting, which the next course treats with regularization. (All of this is
# measured on the training points; week 4 keeps a test set aside.)

# %%
print(f"\nflower: logistic regression {acc_logistic:.3f}, shallow network {acc_shallow:.3f}")
lesson.finish()
