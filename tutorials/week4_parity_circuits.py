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
# # Week 4 — Parity: the notes' circuit argument, counted, and what ReLU units change
#
# The notes ("Why deep representations?", circuit theory): to compute the XOR —
# the parity — of n bits, a **deep** circuit of XOR gates arranged as a tree needs
# only n − 1 gates in about log₂ n layers, while a circuit with **one hidden
# layer** needs exponentially many units: 2^(n−1), one for every pattern with an
# odd number of ones.
#
# `week4_deep_network.py` found something that sounds like the opposite: a
# network with one hidden layer of about one ReLU unit per bit computes parity,
# and trained shallow networks did *better* than deep ones. Both are true. This
# lesson builds every circuit, checks each on all 2^n inputs, counts the units,
# and explains the difference:
#
# 1. The deep circuit: a tree of XOR gates.
# 2. The shallow circuit of the notes: one AND unit per odd pattern, then an OR.
# 3. One hidden layer of ReLU units on the *count* of ones: n units.
# 4. The counts side by side, for n up to 32.
# 5. What gradient descent finds, with ReLU units.

# %%
import matplotlib.pyplot as plt
import numpy as np

from autograd_lite import data, nn, optim
from autograd_lite.lessons import Lesson, pick

lesson = Lesson("week4_parity_circuits")


def step(z):
    """A threshold unit's activation: 1 where z > 0, else 0 (the circuits' gates)."""
    return (z > 0).astype(float)


def relu(z):
    return np.maximum(z, 0.0)


# %% [markdown]
# ## 1. The deep circuit: a tree of XOR gates
#
# XOR the bits in pairs, then the results in pairs, and so on: n − 1 gates, in
# ⌈log₂ n⌉ layers. Each gate is itself a tiny network: for bits a and b,
# XOR(a, b) = relu(a + b) − 2·relu(a + b − 1) — two ReLU units.

# %%
def xor_gate(a, b):
    return relu(a + b) - 2 * relu(a + b - 1)


def xor_tree(X):
    """Parity of the rows of X (n, m) by a tree of XOR gates; returns (parity, gates, depth)."""
    level, gates, depth = [X[i] for i in range(X.shape[0])], 0, 0
    while len(level) > 1:
        pairs = [xor_gate(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        gates += len(pairs)
        level = pairs + ([level[-1]] if len(level) % 2 else [])
        depth += 1
    return level[0], gates, depth


for n in (2, 3, 4, 8, 10):
    X, Y = data.parity(n)  # all 2^n patterns, (n, 2^n)
    out, gates, depth = xor_tree(X)
    assert np.array_equal(out, Y[0])
    print(f"n = {n:2d}: XOR tree exact on all {X.shape[1]:4d} patterns with {gates} gates "
          f"({2 * gates} ReLU units) in {depth} layers")

# %% [markdown]
# ## 2. The notes' shallow circuit: one unit per odd pattern
#
# With one hidden layer of logic gates, the classic circuit is an OR of ANDs: one
# hidden unit for each pattern p with an odd number of ones, firing only on
# exactly that pattern — a threshold unit step(Σ_i (2p_i − 1)x_i − |p| + ½) —
# and an output unit that fires if any of them does. There are 2^(n−1) odd
# patterns, so 2^(n−1) hidden units. Circuit theory shows that a one-hidden-layer
# circuit of AND/OR gates cannot do much better: each hidden AND must pin down
# every bit (flip any bit and the parity flips), so it covers one pattern only.

# %%
def and_or_circuit(X):
    """Parity by an OR of one AND unit per odd pattern; returns (parity, hidden units)."""
    n = X.shape[0]
    patterns, _ = data.parity(n)
    odd = patterns[:, patterns.sum(axis=0) % 2 == 1]  # (n, 2^(n-1))
    W = 2 * odd.T - 1  # +1 where the pattern has a 1, -1 where it has a 0
    b = -odd.sum(axis=0, keepdims=True).T + 0.5
    H = step(W @ X + b)  # (2^(n-1), m): unit k fires only on pattern k
    return step(H.sum(axis=0) - 0.5), W.shape[0]


for n in (2, 3, 4, 8, 10):
    X, Y = data.parity(n)
    out, units = and_or_circuit(X)
    assert np.array_equal(out, Y[0])
    print(f"n = {n:2d}: one hidden layer of AND units exact with {units:4d} units "
          f"(2^(n-1) = {2 ** (n - 1)})")

# %% [markdown]
# ## 3. One hidden layer of ReLU units on the count of ones: n units
#
# A ReLU unit is not an AND gate: it can **add**. Give every bit the weight 1 and
# a unit sees s = the number of ones. Parity depends on s alone — 0, 1, 0, 1, ...
# at s = 0, 1, 2, ... — a zig-zag with n straight pieces, and a sum of ReLUs is a
# line with one bend per unit:
#
#     parity = relu(s) − 2 relu(s − 1) + 2 relu(s − 2) − ... ± 2 relu(s − (n − 1))
#
# That is n hidden units, each with n weights and a bias: the "about one unit per
# bit" of `week4_deep_network.py`.

# %%
def relu_on_count(X):
    """Parity with one hidden layer of n ReLU units that all see s = sum of the bits."""
    n = X.shape[0]
    W1 = np.ones((n, n))  # every unit adds up all the bits
    b1 = -np.arange(n).reshape(n, 1)  # unit k computes relu(s - k)
    w2 = np.array([[1.0] + [2.0 * (-1) ** k for k in range(1, n)]])
    return (w2 @ relu(W1 @ X + b1))[0], n


for n in (2, 3, 4, 8, 10):
    X, Y = data.parity(n)
    out, units = relu_on_count(X)
    assert np.allclose(out, Y[0])
    print(f"n = {n:2d}: one hidden layer of ReLU units on the count exact with {units:2d} units")

# %% [markdown]
# ## 4. The counts
#
# | circuit | hidden units for n bits | layers |
# |---|---|---|
# | XOR tree (notes, deep) | n − 1 gates = 2(n − 1) ReLU units | ⌈log₂ n⌉ |
# | OR of ANDs (notes, one hidden layer) | 2^(n−1) | 1 |
# | ReLU units on the count (one hidden layer) | n | 1 |
# | tent maps on the count (`week4_deep_network.py`) | 2 log₂ n | log₂ n |
#
# So the reconciliation, in plain words: **the notes count logic gates, which
# cannot count.** An AND/OR unit looks at the bits as a pattern, and parity has
# 2^(n−1) patterns to recognise. A ReLU (or threshold) unit adds its inputs with
# weights, so one layer can first turn n bits into one number, the count, and
# parity of n bits becomes a zig-zag of n pieces: n units. The exponential gap of
# the notes shrinks to n against 2(n − 1) for the XOR tree — about the same. Depth
# still wins in the end, even with ReLU units: folding the count with tent maps
# (2 units per layer, each layer doubling the teeth) needs only 2 log₂ n units,
# against n for one hidden layer — for n = 32 bits, 10 units against 32; for
# n = 1024, 20 against 1024. The notes' lesson, "some functions need
# exponentially more units in a shallow network", stands; the exponent depends
# on what a unit can compute.

# %%
ns = np.array([2, 4, 8, 16, 32])
counts = {
    "one hidden layer, AND/OR units: 2^(n−1)": 2.0 ** (ns - 1),
    "XOR tree, in ReLU units: 2(n − 1)": 2.0 * (ns - 1),
    "one hidden layer, ReLU on the count: n": ns.astype(float),
    "deep tent maps, ReLU: 2 log₂ n": 2.0 * np.log2(ns),
}
print(f"{'n':>4} " + " ".join(f"{name.split(':')[0]:>38}" for name in counts))
for i, n in enumerate(ns):
    print(f"{n:>4} " + " ".join(f"{values[i]:38,.0f}" for values in counts.values()))

# %% [markdown]
# ## 5. What gradient descent finds, with ReLU units
#
# Representing parity is one thing; *learning* it from examples is another. We
# train on all 256 patterns of 8 bits (Adam, as in `week4_deep_network.py`, every
# seed reported): the one-hidden-layer ReLU network with n = 8 units — the size of
# the construction of section 3 — and the deep narrow [8, 2, 2, 2, 1], the size of
# the tent construction.

# %%
N_BITS = 8
X8, Y8 = data.parity(N_BITS)
SEEDS = range(pick(3, 8))
EPOCHS = pick(1500, 3000)
trained = {}
for label, dims in (("shallow [8, 8, 1]", [8, 8, 1]), ("deep [8, 2, 2, 2, 1]", [8, 2, 2, 2, 1])):
    accs = []
    for seed in SEEDS:
        net = nn.MLP(dims, hidden="relu", output="sigmoid", init="he", seed=seed)
        nn.fit(net, X8, Y8, nn.binary_cross_entropy, optim.Adam(net.parameters(), lr=0.02),
               epochs=EPOCHS, progress=False)
        accs.append(data.accuracy(net.predict(X8), Y8))
    trained[label] = accs
    print(f"trained ReLU {label}: median accuracy {np.median(accs):.3f}, "
          f"all {np.round(accs, 3).tolist()}")

# %% [markdown]
# What to notice: neither network finds an exact solution in most runs, though
# both sizes have one. The shallow ReLU network gets about three quarters of the
# patterns right in the median (an occasional seed gets nearly all); the deep
# narrow one mostly stays at 50% — chance. (With tanh units,
# `week4_deep_network.py` gets further at the same sizes.) A narrow deep network
# has few paths for the gradient, and with ReLU units a layer of 2 can easily end
# up passing nothing on; the shallow one's units each only need to learn "fire
# above a count of k".
#
# So the two lessons agree. Depth's advantage is in what a network *can*
# represent with few units — exponentially few for logic gates (the notes), n
# against 2 log₂ n for ReLU units on the count (this lesson). Whether gradient
# descent *finds* the deep solution is a different question, and for narrow
# networks trained from random starts the answer here is mostly no; width,
# initialization and better optimizers are the subjects of the next courses.
# (These are this run's seeds; the accuracies vary with the seed, which is why
# every seed is printed.)

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
ax = axes[0]  # the XOR tree for n = 8
xs = {0: np.arange(8.0)}
for layer in range(1, 4):
    prev = xs[layer - 1]
    xs[layer] = (prev[0::2] + prev[1::2]) / 2
    for k, x in enumerate(xs[layer]):
        for child in (prev[2 * k], prev[2 * k + 1]):
            ax.plot([child, x], [layer - 1, layer], "k-", lw=0.8)
for layer, row in xs.items():
    ax.scatter(row, [layer] * len(row), s=250, c="C0" if layer else "lightgray", zorder=3,
               edgecolors="k")
    for x in row:
        ax.text(x, layer, "⊕" if layer else "x", ha="center", va="center", fontsize=9, zorder=4)
ax.set_title("deep: XOR tree, 7 gates in 3 layers (n = 8)", fontsize=9)
ax.axis("off")
ax = axes[1]  # the OR of ANDs for n = 8: 128 hidden units
hidden_x = np.linspace(0, 7, 2 ** (N_BITS - 1))
for h in hidden_x:
    for x in range(N_BITS):
        ax.plot([x, h], [0, 1], color="gray", lw=0.05)
    ax.plot([h, 3.5], [1, 2], color="gray", lw=0.1)
ax.scatter(np.arange(8.0), [0] * 8, s=250, c="lightgray", edgecolors="k", zorder=3)
ax.scatter(hidden_x, [1] * len(hidden_x), s=8, c="C1", zorder=3)
ax.scatter([3.5], [2], s=250, c="C1", edgecolors="k", zorder=3)
ax.set_title(f"one hidden layer of AND units: {2 ** (N_BITS - 1)} units (n = 8)", fontsize=9)
ax.axis("off")
ax = axes[2]
for (name, values), marker in zip(counts.items(), "os^v"):
    ax.plot(ns, values, marker + "-", label=name)
ax.set_xscale("log", base=2)
ax.set_yscale("log", base=2)
ax.set_xlabel("bits n")
ax.set_ylabel("hidden units (log scale)")
ax.set_title("units needed to compute parity exactly", fontsize=9)
ax.legend(fontsize=7)
fig.tight_layout()
lesson.savefig(fig, "parity_circuits.png", gallery=True,
               numbers={"bits": ns, "units_needed": counts, "trained_accuracies": trained})

# %%
print("parity circuits summary: n = 8: XOR tree 7 gates in 3 layers, AND units 128, "
      "ReLU on the count 8, tent maps 6; trained ReLU medians "
      + ", ".join(f"{k} {np.median(v):.3f}" for k, v in trained.items()))
lesson.finish()
