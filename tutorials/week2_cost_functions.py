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
# # Week 2 — Why logistic regression does not use the squared error
#
# The notes ("Logistic regression cost function") say: the loss ½(ŷ − y)² would
# look natural, but with ŷ = σ(wᵀx + b) it makes the optimization problem
# **non-convex** — gradient descent can get stuck — so logistic regression uses
# L(ŷ, y) = −(y log ŷ + (1 − y) log(1 − ŷ)) instead, whose cost J is **convex**:
# one bowl, and gradient descent reaches its bottom from anywhere.
#
# This lesson checks both halves of that sentence on a problem small enough to
# draw: one input feature x, so the parameters are just (w, b) and J(w, b) is a
# surface we can look at.
#
# 1. The two cost surfaces, side by side.
# 2. Convexity measured: the curvature of J (its Hessian, from autodiff) at every
#    point of the plane.
# 3. Gradient descent from 81 starting points on each surface.

# %%
import matplotlib.pyplot as plt
import numpy as np

import autograd_lite as al
from autograd_lite.lessons import Lesson, pick

lesson = Lesson("week2_cost_functions")

# %% [markdown]
# ## 1. A small problem and its two cost surfaces
#
# Seven examples on a line, with two that the boundary cannot get right (x = −1
# is a 1 among 0s, x = 0.5 a 0 among 1s), so that neither cost can reach zero and
# both have a finite best (w, b). X is (1, 7), Y is (1, 7), as in the course.

# %%
X = np.array([[-3.0, -2.0, -1.0, 0.5, 1.0, 2.0, 3.0]])
Y = np.array([[0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0]])


def costs(w, b):
    """J for many (w, b) at once: w and b are (k, 1) Tensors, one row per parameter pair.

    Returns (J_squared, J_cross_entropy), each (k, 1): the mean over the 7 examples of
    ½(a − y)² and of −(y log a + (1 − y) log(1 − a)), with a = σ(wx + b).
    """
    z = w * X + b  # (k, 7): row i is z for parameter pair i
    a = al.sigmoid(z)
    squared = (0.5 * (a - Y) ** 2).mean(axis=1, keepdims=True)
    # log a = −log(1 + e^−z) and log(1 − a) = −log(1 + e^z): exact where a rounds to 0 or 1.
    cross_entropy = (Y * al.log1p(al.exp(-z)) + (1 - Y) * al.log1p(al.exp(z))).mean(
        axis=1, keepdims=True)
    return squared, cross_entropy


LIM = 8.0
grid = np.linspace(-LIM, LIM, 161)
Wg, Bg = np.meshgrid(grid, grid)
with al.no_grad():
    J_sq, J_ce = costs(al.Tensor(Wg.reshape(-1, 1)), al.Tensor(Bg.reshape(-1, 1)))
J_sq = J_sq.data.reshape(Wg.shape)
J_ce = J_ce.data.reshape(Wg.shape)
i_sq = np.unravel_index(J_sq.argmin(), J_sq.shape)
i_ce = np.unravel_index(J_ce.argmin(), J_ce.shape)
print(f"on the grid: squared error lowest {J_sq[i_sq]:.4f} at w = {Wg[i_sq]:.1f}, "
      f"b = {Bg[i_sq]:.1f}; cross-entropy lowest {J_ce[i_ce]:.4f} at w = {Wg[i_ce]:.1f}, "
      f"b = {Bg[i_ce]:.1f}")

# %% [markdown]
# ## 2. Convex or not: the curvature everywhere
#
# A function is convex when it curves upwards in every direction at every point:
# its matrix of second derivatives (the Hessian) has no negative eigenvalue. We
# get the Hessian from autodiff — `backward(create_graph=True)` records the
# gradient as a graph, which we differentiate again — for all 161 × 161 grid
# points at once (each row of w and b only affects its own cost, so summing the
# costs keeps them apart).
#
# For the cross-entropy the course's formula says why it must come out convex:
# its Hessian is the mean of a(1 − a)·[x, 1][x, 1]ᵀ, a sum of outer products with
# positive weights. The squared error's Hessian has an extra term (a − y)σ″(z) that
# can be negative wherever a unit is on the wrong side of its target.


# %%
def smallest_curvature(which):
    """Smallest eigenvalue of the Hessian of J (0: squared, 1: cross-entropy) at each grid point."""
    w = al.Tensor(Wg.reshape(-1, 1), requires_grad=True)
    b = al.Tensor(Bg.reshape(-1, 1), requires_grad=True)
    J = costs(w, b)[which]
    J.sum().backward(create_graph=True)
    dw, db = w.grad, b.grad  # Tensors: the gradient, recorded as a graph
    rows = []
    for g in (dw, db):  # d/dw and d/db of each gradient component: the Hessian's rows
        w.grad = b.grad = None
        g.sum().backward(retain_graph=True)  # dw and db share the recorded graph
        rows.append((w.grad.copy(), b.grad.copy()))
    (h_ww, h_wb), (h_bw, h_bb) = rows
    H = np.stack([np.stack([h_ww, h_wb], -1), np.stack([h_bw, h_bb], -1)], -2)  # (k, 1, 2, 2)
    return np.linalg.eigvalsh(H[:, 0])[:, 0].reshape(Wg.shape)


curv_sq = smallest_curvature(0)
curv_ce = smallest_curvature(1)
print(f"smallest Hessian eigenvalue over the grid: squared error {curv_sq.min():.4f} "
      f"(negative at {np.mean(curv_sq < -1e-9):.0%} of the points), "
      f"cross-entropy {curv_ce.min():.2e}")
assert curv_sq.min() < 0 and curv_ce.min() > -1e-12

# Cross-check one point against the formula H = mean(a(1 − a) [x, 1][x, 1]ᵀ).
w0, b0 = 1.0, 0.5
a0 = 1 / (1 + np.exp(-(w0 * X + b0)))
Xb = np.vstack([X, np.ones_like(X)])  # (2, 7): the features with a row of ones for b
H_formula = (a0 * (1 - a0) * Xb) @ Xb.T / X.shape[1]
k0 = np.argmin(np.abs(Wg.ravel() - w0) + np.abs(Bg.ravel() - b0))
print(f"at (w, b) = ({w0}, {b0}): smallest eigenvalue autodiff {curv_ce.ravel()[k0]:.6f}, "
      f"formula {np.linalg.eigvalsh(H_formula)[0]:.6f}")
assert abs(curv_ce.ravel()[k0] - np.linalg.eigvalsh(H_formula)[0]) < 1e-10

# %% [markdown]
# ## 3. Gradient descent from 81 starts
#
# Start gradient descent at every point of a 9 × 9 grid over [−8, 8]², on each
# cost, with the same learning rate and the same number of steps. All 81 runs go
# at once (one row of w and b per run), so this is a few thousand small steps.

# %%
STEPS = pick(1000, 3000)
LR = 0.5
starts = np.linspace(-LIM, LIM, 9)
W0, B0 = (v.reshape(-1, 1) for v in np.meshgrid(starts, starts))


def descend(which):
    """Gradient descent on cost `which` from all starts; returns the paths (steps+1, k, 2)."""
    w = al.Tensor(W0.copy(), requires_grad=True)
    b = al.Tensor(B0.copy(), requires_grad=True)
    path = [np.hstack([w.data, b.data])]
    for _ in range(STEPS):
        w.grad = b.grad = None
        costs(w, b)[which].sum().backward()
        w.data -= LR * w.grad
        b.data -= LR * b.grad
        path.append(np.hstack([w.data, b.data]))
    with al.no_grad():
        final = costs(al.Tensor(w.data), al.Tensor(b.data))[which].data[:, 0]
    return np.array(path), final


path_sq, final_sq = descend(0)
path_ce, final_ce = descend(1)
best_sq = final_sq.min()
stuck = final_sq > best_sq + 0.05
print(f"squared error after {STEPS} steps: final costs from {final_sq.min():.3f} to "
      f"{final_sq.max():.3f}; {stuck.sum()} of {len(final_sq)} starts stuck "
      f"more than 0.05 above the best")
ends_ce = path_ce[-1]
print(f"cross-entropy after {STEPS} steps: final costs from {final_ce.min():.4f} to "
      f"{final_ce.max():.4f}; every start ends at w = {ends_ce[:, 0].mean():.3f}, "
      f"b = {ends_ce[:, 1].mean():.3f} (spread {np.ptp(ends_ce, axis=0).max():.1e})")
assert stuck.sum() > 10 and np.ptp(final_ce) < 1e-6

# %% [markdown]
# What to notice. On the squared error, many runs end far above the best cost:
# they started where σ(wx + b) is saturated on the wrong side for some examples,
# where ½(a − y)² is flat (its slope (a − y)·a(1 − a)·x vanishes when a is near 0
# or 1), and they stay on those plateaus — or slide into a valley that leads away
# from the minimum. Where they stop depends on where they started. On the
# cross-entropy the slope is (a − y)·x: a wrong, saturated prediction gives the
# *largest* gradient, not the smallest, and every run ends at the same (w, b).
# That is the notes' point: with the cross-entropy, gradient descent has one
# bowl to go down.

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
for ax, J, path, final, title in (
    (axes[0], J_sq, path_sq, final_sq, "squared error ½(a − y)²: non-convex"),
    (axes[1], J_ce, path_ce, final_ce, "cross-entropy: convex"),
):
    cs = ax.contourf(Wg, Bg, J, levels=30, cmap="viridis")
    fig.colorbar(cs, ax=ax, fraction=0.046)
    bad = final > final.min() + 0.05
    for k in range(path.shape[1]):
        ax.plot(path[:, k, 0], path[:, k, 1], color="red" if bad[k] else "white", lw=0.6)
    ax.plot(path[0, :, 0], path[0, :, 1], "k.", ms=3)
    ax.plot(path[-1, ~bad, 0], path[-1, ~bad, 1], "w*", ms=9)
    if bad.any():
        ax.plot(path[-1, bad, 0], path[-1, bad, 1], "rx", ms=5)
    ax.set_xlim(-LIM - 2, LIM + 2)
    ax.set_ylim(-LIM - 2, LIM + 2)
    ax.set_xlabel("w")
    ax.set_ylabel("b")
    ax.set_title(f"{title}\n{bad.sum()} of {len(final)} runs stuck (red)", fontsize=9)
row = np.argmin(np.abs(grid - Bg[i_ce]))  # a slice through the cross-entropy's best b
ax = axes[2]
ax.plot(grid, J_sq[row] / J_sq[row].max(), label="squared error (scaled)")
ax.plot(grid, J_ce[row] / J_ce[row].max(), label="cross-entropy (scaled)")
ax.set_xlabel(f"w   (b = {grid[row]:.1f})")
ax.set_ylabel("J / max J on the slice")
ax.set_title("a slice: flat shoulders against a bowl", fontsize=9)
ax.legend(fontsize=8)
fig.tight_layout()
lesson.savefig(fig, "cost_surfaces.png", gallery=True,
               numbers={"starts": len(final_sq), "squared_error_stuck": int(stuck.sum()),
                        "squared_error_best": best_sq, "cross_entropy_final": final_ce.min(),
                        "cross_entropy_w_b": ends_ce.mean(axis=0)})

# %%
print(f"cost functions summary: squared error stuck {stuck.sum()}/{len(final_sq)}, "
      f"cross-entropy stuck {int(np.sum(final_ce > final_ce.min() + 0.05))}/{len(final_ce)}")
lesson.finish()
