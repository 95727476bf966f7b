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
# # Week 3 — tanh against sigmoid, and the activation as a hyperparameter
#
# The notes ("Activation functions") say two things we can test:
#
# 1. For hidden units, **tanh almost always works better than the sigmoid**,
#    because its outputs lie between −1 and 1 with a mean close to 0: it *centres*
#    the data for the next layer, which makes that layer's learning easier. The
#    sigmoid's outputs are all positive, around 0.5. (The sigmoid stays the
#    choice for a binary *output* unit, whose value is a probability.)
# 2. The choice of activation is a **hyperparameter**: if you are not sure which
#    one works best, try them all and measure.
#
# We use week 3's flower (X is (2, 400)) and its network of 4 hidden units.

# %%
import matplotlib.pyplot as plt
import numpy as np

import autograd_lite as al
from autograd_lite import data, nn, optim
from autograd_lite.lessons import Lesson, pick

lesson = Lesson("week3_activations")
X, Y = data.planar_flower()
ITERATIONS = pick(1000, 5000)
LR = 1.2  # the course's learning rate for the flower
N_H = 4


def train(hidden, seed, lr=LR, epochs=ITERATIONS):
    net = nn.MLP([2, N_H, 1], hidden=hidden, output="sigmoid", init="xavier", seed=seed)
    history = nn.fit(net, X, Y, nn.binary_cross_entropy, optim.SGD(net.parameters(), lr=lr),
                     epochs=epochs, progress=False)
    return net, history


# %% [markdown]
# ## 1. What the next layer sees
#
# Same start (the same random W^[1], W^[2]), one network with tanh hidden units and
# one with sigmoid hidden units. Before training, look at A^[1], the input of the
# output layer: its mean over the 400 examples, unit by unit.

# %%
for hidden in ("tanh", "sigmoid"):
    net = nn.MLP([2, N_H, 1], hidden=hidden, output="sigmoid", init="xavier", seed=1)
    with al.no_grad():
        A1 = net[0](al.Tensor(X)).data
    print(f"{hidden:>7} hidden units: mean of A^[1] per unit "
          f"{np.array2string(A1.mean(axis=1), precision=2)}, "
          f"overall {A1.mean():+.2f}, fraction of positive values {np.mean(A1 > 0):.2f}")
with al.no_grad():
    A1_tanh = nn.MLP([2, N_H, 1], hidden="tanh", init="xavier", seed=1)[0](al.Tensor(X)).data
    A1_sig = nn.MLP([2, N_H, 1], hidden="sigmoid", init="xavier", seed=1)[0](al.Tensor(X)).data
print(f"centring: tanh mean |mean of A^[1]| {np.abs(A1_tanh.mean(axis=1)).mean():.2f}, "
      f"sigmoid {np.abs(A1_sig.mean(axis=1)).mean():.2f}")

# %% [markdown]
# Why it matters for learning: the output layer's gradient is
# dW^[2] = dZ^[2] A^[1]ᵀ / m. For one example, every entry of A^[1] multiplies the
# same number dz^[2]; if all of A^[1] is positive, as with the sigmoid, that example
# pushes *all* the weights of W^[2] in the same direction. Weights that should move
# in different directions can only get there by zig-zagging. Centred inputs (tanh)
# do not have that problem — the same reason the course normalizes X to mean 0.
#
# Now train both from the same random starts (3 in fast mode, 5 in full) and
# compare the cost curves.

# %%
SEEDS = range(pick(3, 5))
results = {}
for hidden in ("tanh", "sigmoid"):
    for seed in SEEDS:
        net, history = train(hidden, seed)
        results[hidden, seed] = (history, data.accuracy(net.predict(X), Y))
for hidden in ("tanh", "sigmoid"):
    finals = [results[hidden, s][0][-1] for s in SEEDS]
    accs = [results[hidden, s][1] for s in SEEDS]
    print(f"{hidden:>7}: final cost median {np.median(finals):.4f} "
          f"(all {np.round(finals, 3).tolist()}), accuracy median {np.median(accs):.3f} "
          f"(all {np.round(accs, 3).tolist()})")

# %% [markdown]
# ## 2. The activation as a hyperparameter
#
# The notes' advice — try them and measure — for sigmoid, tanh, ReLU and leaky
# ReLU hidden units, from the same random starts and with the same α (tanh and
# sigmoid are the runs above). The learning rate is a hyperparameter too and the
# best one differs between activations, so a full search would sweep both.

# %%
ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu"]
sweep = {hidden: [results[hidden, s][1] for s in SEEDS] for hidden in ("tanh", "sigmoid")}
for hidden in ("relu", "leaky_relu"):
    sweep[hidden] = [data.accuracy(train(hidden, seed)[0].predict(X), Y) for seed in SEEDS]
sweep = {hidden: sweep[hidden] for hidden in ACTIVATIONS}
for hidden, accs in sweep.items():
    print(f"{hidden:>10}: accuracy median {np.median(accs):.3f}, min {min(accs):.3f}, "
          f"max {max(accs):.3f}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4))
bins = np.linspace(-1, 1, 41)
axes[0].hist(A1_tanh.ravel(), bins=bins, alpha=0.7, label=f"tanh: mean {A1_tanh.mean():+.2f}")
axes[0].hist(A1_sig.ravel(), bins=bins, alpha=0.7, label=f"sigmoid: mean {A1_sig.mean():+.2f}")
axes[0].axvline(0, color="k", lw=0.5)
axes[0].set_xlabel("values of A^[1] (all units, all examples), at the start")
axes[0].set_title("what the output layer sees", fontsize=9)
axes[0].legend(fontsize=8)
for hidden, color in (("tanh", "C0"), ("sigmoid", "C1")):
    for i, seed in enumerate(SEEDS):
        axes[1].plot(results[hidden, seed][0], color=color, lw=0.8,
                     label=hidden if i == 0 else None)
axes[1].set_yscale("log")
axes[1].set_xlabel("iteration")
axes[1].set_ylabel("cost J (log scale)")
axes[1].set_title(f"{N_H} hidden units, α = {LR}, {len(SEEDS)} starts each", fontsize=9)
axes[1].legend(fontsize=8)
for i, hidden in enumerate(ACTIVATIONS):
    accs = sweep[hidden]
    axes[2].scatter([i] * len(accs), accs, alpha=0.7)
    axes[2].plot([i - 0.25, i + 0.25], [np.median(accs)] * 2, "k-")
axes[2].set_xticks(range(len(ACTIVATIONS)), ACTIVATIONS, fontsize=8)
axes[2].set_ylabel("training accuracy")
axes[2].set_title(f"activation sweep ({N_H} units, α = {LR}): every start (dots), median (bar)",
                  fontsize=9)
fig.tight_layout()
lesson.savefig(fig, "activations_compared.png", gallery=True,
               numbers={"mean_A1": {"tanh": A1_tanh.mean(), "sigmoid": A1_sig.mean()},
                        "final_costs": {hidden: [results[hidden, s][0][-1] for s in SEEDS]
                                        for hidden in ("tanh", "sigmoid")},
                        "accuracies": sweep})

# %% [markdown]
# What to notice. The sigmoid's hidden values all sit above 0 (around 0.5), tanh's
# on both sides of 0. With the same starts and the same α, the tanh network's cost
# ends lower than the sigmoid network's in the median: the notes' "tanh is almost
# always superior" for hidden units, on this data. Not from every start, though —
# a start can sit on a plateau for hundreds of steps (the flat stretches of the
# curves), so compare several starts, never one run against one run.
#
# In the sweep, tanh beats the sigmoid, and with only 4 units ReLU and leaky ReLU
# do clearly worse here: each ReLU unit adds one straight bend, so 4 of them give a
# boundary of a few straight pieces, while 4 tanh units bend smoothly around the
# petals. ReLU is the notes' default for hidden units because it trains fast in
# larger networks, not because it wins everywhere — which is exactly why the
# activation is a hyperparameter: measure it on your problem (on a validation set,
# as the next course explains; here, with no test set, on the training points).
# The numbers printed above are this run's.

# %%
medians = {h: float(np.median(sweep[h])) for h in ACTIVATIONS}
print("activations summary: tanh final cost median "
      f"{np.median([results['tanh', s][0][-1] for s in SEEDS]):.4f}, sigmoid "
      f"{np.median([results['sigmoid', s][0][-1] for s in SEEDS]):.4f}; sweep medians "
      + ", ".join(f"{h} {m:.3f}" for h, m in medians.items()))
lesson.finish()
