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
# # Week 1 — What a neuron and a network compute
#
# A neuron does very little: it takes a weighted sum of its inputs, adds a bias,
# and passes the result through a simple function. A network is many of these,
# wired so that the outputs of some are the inputs of others. This lesson makes
# both concrete:
#
# 1. One neuron that predicts a house's price from its size — a straight line
#    bent at zero (a ReLU), fitted to made-up data by gradient descent.
# 2. Several inputs and a hidden layer: the picture of a small network, and the
#    shapes of what it computes when the examples are the columns of X.
# 3. A real data set, scikit-learn's breast-cancer measurements (30 numbers per
#    patient): a single neuron against a small network, trained and tested.
#
# The engine, autograd-lite, computes the gradients; how it does that is the
# subject of week 2. Here, watch what the models compute.

# %%
import matplotlib.pyplot as plt
import numpy as np

import autograd_lite as al
from autograd_lite import data, nn, optim
from autograd_lite.lessons import Lesson, pick, render_graph
from visualize import draw_network

lesson = Lesson("week1_neurons")

# %% [markdown]
# ## 1. One neuron: the housing price
#
# Forty houses (the numbers are invented, only their shape matters): size in
# thousands of square feet, price in $100,000s. A straight line fits the big
# houses, but extended to small ones it predicts *negative* prices. A neuron with
# a ReLU, price = max(0, w·size + b), is the line bent so that it never goes
# below zero. It has two parameters, w and b; gradient descent on the squared
# error finds them.

# %%
rng = np.random.default_rng(0)
size = np.sort(rng.uniform(0.3, 3.5, 40)).reshape(1, -1)  # (1, m): one example per column
price = np.maximum(0.0, 1.5 * (size - 0.7)) + rng.normal(0, 0.15, size.shape)
price = np.maximum(price, 0.0)

w = al.Tensor([[1.0]], requires_grad=True, name="w")
b = al.Tensor([[0.0]], requires_grad=True, name="b")
w_line = al.Tensor([[1.0]], requires_grad=True, name="w_line")  # the same, without the bend
b_line = al.Tensor([[0.0]], requires_grad=True, name="b_line")

lr = 0.1
for _ in range(pick(1500, 3000)):
    relu_neuron = al.relu(w @ size + b)  # a = g(z), z = w x + b
    line = w_line @ size + b_line
    J = nn.squared_error(relu_neuron, price) + nn.squared_error(line, price)
    for p in (w, b, w_line, b_line):
        p.grad = None
    J.backward()  # dJ/dw, dJ/db for both models (their costs do not interact)
    for p in (w, b, w_line, b_line):
        p.data -= lr * p.grad

print(f"ReLU neuron: price = max(0, {w.item():.3f} * size + {b.item():.3f})")
print(f"plain line:  price = {w_line.item():.3f} * size + {b_line.item():.3f}")
print(f"the ReLU neuron's price is zero below size {-b.item() / w.item():.2f} (thousand sq ft)")
for house in (0.4, 2.0):
    with al.no_grad():
        a = al.relu(w * house + b).item()
    print(f"  a {house * 1000:.0f} sq ft house: ReLU neuron ${a * 1e5:,.0f}, "
          f"line ${(w_line.item() * house + b_line.item()) * 1e5:,.0f}")

xs = np.linspace(0, 3.6, 200).reshape(1, -1)
fig, ax = plt.subplots(figsize=(6, 3.8))
ax.scatter(size[0], price[0], s=15, color="k", label="houses (made up)")
ax.plot(xs[0], np.maximum(0, w.item() * xs[0] + b.item()), lw=2.5,
        label="ReLU neuron: max(0, w·size + b)")
ax.plot(xs[0], w_line.item() * xs[0] + b_line.item(), "--", label="straight line: w·size + b")
ax.axhline(0, color="gray", lw=0.5)
ax.set_xlabel("size (thousands of square feet)")
ax.set_ylabel("price ($100,000s)")
ax.set_title("one neuron")
ax.legend(fontsize=8)
lesson.savefig(fig, "housing_neuron.png", gallery=True,
               numbers={"relu_w": w.item(), "relu_b": b.item(), "line_w": w_line.item(),
                        "line_b": b_line.item()})

# %% [markdown]
# ## 2. Several inputs, a hidden layer
#
# A house has more than a size: say the number of bedrooms, the zip code and the
# wealth of the neighbourhood, four inputs x₁ … x₄. A network can feed them to a
# few hidden neurons — each a weighted sum of *all four* inputs, bent by a ReLU —
# and give their outputs to one more neuron that predicts the price. Nobody tells
# the hidden neurons what to compute; training chooses their weights (they might
# end up measuring something like "family size" or "school quality", or something
# no one has a name for).
#
# With m examples stored as the columns of X (4, m), the whole layer is one matrix
# product: Z = W X + b with W (3, 4), one row per hidden neuron, and b (3, 1).

# %%
housing_net = nn.MLP([4, 3, 1], hidden="relu", output="linear", seed=0)
render_graph(lesson, draw_network(housing_net, title="4 inputs, 3 hidden ReLU units, a price"),
             "housing_network", fmt="png")
X_houses = rng.normal(size=(4, 5))  # 5 made-up houses, one per column
Z1 = housing_net[0].W @ X_houses + housing_net[0].b
print(f"X {X_houses.shape} -> Z1 = W1 X + b1 {Z1.shape} -> A1 = relu(Z1) "
      f"{al.relu(Z1).shape} -> prediction {housing_net(X_houses).shape}")
print(f"W1 {housing_net[0].W.shape}, b1 {housing_net[0].b.shape}, "
      f"W2 {housing_net[1].W.shape}, b2 {housing_net[1].b.shape}")

# %% [markdown]
# ## 3. A real data set: breast-cancer measurements
#
# 569 patients; for each, 30 numbers measured from a scan of a cell sample
# (radius, texture, smoothness, ...), and whether the tumour was benign (y = 1)
# or malignant (y = 0). We keep 20% of the patients aside as a test set the models
# never train on. Every feature is standardised (mean 0, standard deviation 1,
# using the training set's statistics), which makes gradient descent well behaved.
#
# Two models, both ending in a sigmoid neuron that outputs the probability of
# "benign":
#
# - a single neuron on the 30 inputs, `nn.MLP([30, 1])` — logistic regression;
# - a network with a hidden layer of 8 ReLU neurons, `nn.MLP([30, 8, 1])`.

# %%
X_train, Y_train, X_test, Y_test = data.breast_cancer()
print(f"X_train {X_train.shape}, Y_train {Y_train.shape}, X_test {X_test.shape}; "
      f"benign fraction {Y_train.mean():.2f}")

neuron = nn.MLP([30, 1], output="sigmoid", seed=0)
network = nn.MLP([30, 8, 1], hidden="relu", output="sigmoid", seed=0)
network.summary(X_train.shape[1])
render_graph(lesson, draw_network(network, title="breast cancer: 30 inputs, 8 hidden units"),
             "network", fmt="png", gallery=True,
             numbers={"layer_dims": network.layer_dims,
                      "parameters": sum(p.data.size for p in network.parameters())})

EPOCHS = pick(300, 1000)
histories = {}
for label, model in (("single neuron", neuron), ("network [30, 8, 1]", network)):
    histories[label] = nn.fit(model, X_train, Y_train, nn.binary_cross_entropy,
                              optim.SGD(model.parameters(), lr=0.1), epochs=EPOCHS,
                              progress=False)

print(f"{'model':>20} {'parameters':>10} {'train acc':>10} {'test acc':>9}")
accuracies = {}
for label, model in (("single neuron", neuron), ("network [30, 8, 1]", network)):
    n_params = sum(p.size for p in model.parameters())
    accuracies[label] = (data.accuracy(model.predict(X_train), Y_train),
                         data.accuracy(model.predict(X_test), Y_test))
    print(f"{label:>20} {n_params:>10} {accuracies[label][0]:10.3f} {accuracies[label][1]:9.3f}")

fig, ax = plt.subplots(figsize=(6, 3.6))
for label, history in histories.items():
    ax.plot(history, label=label)
ax.set_xlabel("iteration")
ax.set_ylabel("cost J (training set)")
ax.set_yscale("log")
ax.set_title("breast cancer: the cost during training")
ax.legend()
lesson.savefig(fig, "costs.png")

# %% [markdown]
# What to notice: on this data one neuron is already very good — the two classes
# are almost separable by a flat boundary in 30 dimensions. The network drives
# its *training* cost lower (it has 257 parameters to the neuron's 31), but on the
# 114 patients it has never seen, the two models are within a patient or two of
# each other. More capacity helps only when the problem needs it; week 3 shows a
# data set where it does.
#
# Finally, a look inside the network: the 8 hidden activations A^[1] = relu(W^[1]X +
# b^[1]) for every test patient, malignant ones on the left. Some hidden units
# fire mostly for one class: the network has built its own features out of the
# 30 measurements.

# %%
order = np.argsort(Y_test[0], kind="stable")
with al.no_grad():
    A1 = network[0](X_test[:, order]).data  # (8, m_test)
fig, ax = plt.subplots(figsize=(8, 2.8))
ax.imshow(A1, aspect="auto", cmap="viridis")
n_malignant = int((Y_test == 0).sum())
ax.axvline(n_malignant - 0.5, color="w", lw=2)
ax.set_xlabel(f"test patients: {n_malignant} malignant | {Y_test.shape[1] - n_malignant} benign")
ax.set_ylabel("hidden unit")
ax.set_title("hidden-layer activations A[1] on the test set")
lesson.savefig(fig, "hidden_activations.png")

# %%
print(f"\nbreast cancer test accuracy: single neuron {accuracies['single neuron'][1]:.3f}, "
      f"network {accuracies['network [30, 8, 1]'][1]:.3f}")
lesson.finish()
