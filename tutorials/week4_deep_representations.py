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
# # Week 4 — Why deep representations? What each layer responds to
#
# The notes ("Why deep representations?"): the first layers of a deep network
# detect **simple** things (edges, strokes), later layers **compose** them into
# more complex ones (parts, then whole objects) — from simple to complex, layer
# by layer. For faces: edges, then eyes and noses, then faces.
#
# We look inside a network with three hidden layers of 32 ReLU units trained on
# the 8×8 digits (ten classes), and ask two questions of every layer:
#
# 1. **What does a unit respond to?** For layer 1 we can draw the weights as an
#    8×8 image (what it adds up from the pixels); for every layer we show the
#    test images that make a unit most active.
# 2. **How "digit-like" is the layer?** Two measures, computed on the test
#    images: how selective the hidden units are for one class (a unit that fires
#    for every digit alike is a simple feature; one that fires for one digit only
#    is a complex one), and how well the layer's activations alone — or the raw
#    pixels, for comparison — tell the digits apart (a nearest-class-mean
#    classifier: no training, just class averages).
#
# Eight-by-eight digits are far from faces, so expect the effect to be modest and
# measure it over several training runs rather than trusting one.

# %%
import matplotlib.pyplot as plt
import numpy as np

import autograd_lite as al
from autograd_lite import data, nn, optim
from autograd_lite.lessons import Lesson, pick

lesson = Lesson("week4_deep_representations")
X_train, Y_train, X_test, Y_test = data.digits()
Y_onehot = data.one_hot(Y_train, 10)
labels_train, labels_test = Y_train[0].astype(int), Y_test[0].astype(int)
DIMS = [64, 32, 32, 32, 10]
SEEDS = range(pick(2, 4))
EPOCHS = pick(120, 300)


def train(seed):
    net = nn.MLP(DIMS, hidden="relu", output=None, init="he", seed=seed)
    nn.fit(net, X_train, Y_onehot, nn.cross_entropy, optim.Adam(net.parameters(), lr=0.005),
           epochs=EPOCHS, progress=False)
    return net


def activations(net, X):
    """[X, A^[1], A^[2], A^[3]]: the input and every hidden layer's output, (n^[l], m)."""
    out, A = [X], al.Tensor(X)
    with al.no_grad():
        for layer in list(net)[:-1]:
            A = layer(A)
            out.append(A.data)
    return out


def selectivity(H, labels):
    """Mean over the live units of (μ_best − μ_rest) / (μ_best + μ_rest).

    μ_c is a unit's mean activation on the images of class c, μ_best the largest of
    the ten, μ_rest the mean of the other nine: 0 for a unit that responds to every
    digit alike, 1 for a unit that responds to one digit only. Units that never
    fire ("dead" ReLUs) are left out.
    """
    H = H[H.std(axis=1) > 1e-9]
    mu = np.stack([H[:, labels == c].mean(axis=1) for c in range(10)], axis=1)
    best = mu.max(axis=1)
    rest = (mu.sum(axis=1) - best) / 9
    return float(np.mean((best - rest) / (best + rest + 1e-12)))


def nearest_mean_accuracy(H_train, H_test):
    """Classify each test column by the nearest class average of the training columns."""
    means = np.stack([H_train[:, labels_train == c].mean(axis=1) for c in range(10)], axis=1)
    dist = ((H_test[:, :, None] - means[:, None, :]) ** 2).sum(axis=0)  # (m_test, 10)
    return float(np.mean(dist.argmin(axis=1) == labels_test))


# %% [markdown]
# ## 1. Train, and measure every layer

# %%
LAYERS = ["pixels", "layer 1", "layer 2", "layer 3"]
table = {"selectivity": [], "nearest mean": []}
nets = []
for seed in SEEDS:
    net = train(seed)
    nets.append(net)
    with al.no_grad():
        test_acc = data.accuracy(net(al.Tensor(X_test)).data, Y_test)
    H_train, H_test = activations(net, X_train), activations(net, X_test)
    table["selectivity"].append([selectivity(H, labels_test) for H in H_test[1:]])
    table["nearest mean"].append([nearest_mean_accuracy(a, b) for a, b in zip(H_train, H_test)])
    print(f"seed {seed}: test accuracy {test_acc:.3f}; selectivity "
          + " ".join(f"{v:.2f}" for v in table["selectivity"][-1]) + " (layers 1-3)"
          + "; nearest-mean accuracy " + " ".join(f"{v:.3f}" for v in table["nearest mean"][-1]))
for key in table:
    table[key] = np.array(table[key])  # (seeds, 4 layers)
print(f"{'':>14} " + " ".join(f"{name:>9}" for name in LAYERS))
for key, values in table.items():
    cells = [f"{'':>9}"] * (len(LAYERS) - values.shape[1]) + [f"{v:9.3f}" for v in
                                                             values.mean(axis=0)]
    print(f"{key:>14} " + " ".join(cells) + f"   (mean over {len(SEEDS)} runs)")

# %% [markdown]
# ## 2. What the units respond to
#
# Top: the weights of eight layer-1 units, each drawn as an 8×8 image (red adds,
# blue subtracts). Below: for units of layers 1, 2 and 3 of the first run, the
# six test images that make each unit most active — the most class-selective
# units of each layer.

# %%
net = nets[0]
H_test = activations(net, X_test)
W1 = net[0].W.data
n_show, n_top = 8, 6
fig = plt.figure(figsize=(12, 6.5))
grid = fig.add_gridspec(4, 1, height_ratios=[1, 1.3, 1.3, 1.3], hspace=0.35)
top = grid[0].subgridspec(1, n_show, wspace=0.1)
order = np.argsort(-np.abs(W1).sum(axis=1), kind="stable")[:n_show]
for i, u in enumerate(order):
    ax = fig.add_subplot(top[i])
    lim = np.abs(W1[u]).max()
    ax.imshow(W1[u].reshape(8, 8), cmap="bwr", vmin=-lim, vmax=lim)
    ax.set_title(f"unit {u}", fontsize=7)
    ax.axis("off")
fig.text(0.5, 0.95, "layer 1 weights: pixel templates (red adds, blue subtracts)", ha="center",
         fontsize=9)
for row, l in enumerate((1, 2, 3), start=1):
    H = H_test[l]
    live = np.where(H.std(axis=1) > 1e-9)[0]
    mu = np.stack([H[live][:, labels_test == c].mean(axis=1) for c in range(10)], axis=1)
    best, rest = mu.max(axis=1), (mu.sum(axis=1) - mu.max(axis=1)) / 9
    chosen = live[np.argsort(-(best - rest) / (best + rest + 1e-12), kind="stable")[:4]]
    sub = grid[row].subgridspec(1, 4 * (n_top + 1), wspace=0.05)
    for k, u in enumerate(chosen):
        images = np.argsort(-H[u], kind="stable")[:n_top]
        for j, idx in enumerate(images):
            ax = fig.add_subplot(sub[k * (n_top + 1) + j])
            ax.imshow(X_test[:, idx].reshape(8, 8), cmap="gray_r")
            ax.set_title(str(labels_test[idx]), fontsize=7)
            ax.axis("off")
    fig.text(0.5, grid[row].get_position(fig).y1 + 0.005,
             f"layer {l}: the 6 images that excite each of 4 units most "
             f"(layer selectivity {table['selectivity'][0][l - 1]:.2f})", ha="center", fontsize=9)
lesson.savefig(fig, "representations.png", gallery=True,
               numbers={"layer_1_units_shown": order,
                        "selectivity_first_run": table["selectivity"][0]})

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
for ax, key, title in ((axes[0], "selectivity", "class selectivity of the units"),
                       (axes[1], "nearest mean", "nearest-class-mean accuracy")):
    values = table[key]
    xs = range(4 - values.shape[1], 4)  # selectivity is for the hidden layers only
    for run in values:
        ax.plot(xs, run, "o-", color="gray", alpha=0.4, lw=0.8)
    ax.plot(xs, values.mean(axis=0), "o-", color="C3", lw=2, label="mean over runs")
    ax.set_xticks(range(4), LAYERS)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
fig.tight_layout()
lesson.savefig(fig, "layer_measures.png", gallery=True,
               numbers={key: values for key, values in table.items()})

# %% [markdown]
# What to notice. Layer 1's weights are pixel templates: each adds up a stroke
# or a blob of the 8×8 grid and subtracts another — simple features, each useful
# for several digits (its top images mix classes). Going deeper, the units' top
# images are more often one digit, layer 3's units are on average more selective
# than layer 1's, and the digit classes get easier to tell apart with nothing but
# class averages — from the pixels to layer 1, 2 and 3:
# the layers re-describe the image in terms closer to "which digit". That is the
# notes' simple-to-complex progression, in miniature.
#
# How strong is it? Look at the grey lines: the rise holds on average, not
# layer by layer in every run — on 8×8 images there is little room for a
# hierarchy (a 3 is a handful of strokes; there are no "parts" between the
# pixels and the digit). The notes' faces need convolutional networks on large
# images, the fourth course. The numbers printed above are this run's.

# %%
means = {key: values.mean(axis=0) for key, values in table.items()}
print("representations summary: selectivity (layers 1-3) "
      + " ".join(f"{v:.3f}" for v in means["selectivity"])
      + "; nearest-mean accuracy " + " ".join(f"{v:.3f}" for v in means["nearest mean"]))
lesson.finish()
