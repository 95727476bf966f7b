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
# # Week 2 — Logistic regression on one example, as a computation graph
#
# Between J = 3(a + bc) and the vectorized dw = X(A − Y)ᵀ/m, the notes
# ("Logistic regression gradient descent") work through **one example** with two
# features, by hand:
#
#     z = w1 x1 + w2 x2 + b,    a = σ(z),    L(a, y) = −(y log a + (1 − y) log(1 − a))
#
# and derive, right to left along the graph:
#
#     da  = dL/da = −y/a + (1 − y)/(1 − a)
#     dz  = dL/dz = a − y                  (= da · a(1 − a), the chain rule)
#     dw1 = x1 · dz,   dw2 = x2 · dz,   db = dz
#
# Here the engine builds that graph from named Tensors, draws it, and we check each
# of its gradients against the formula. Then the notes' next step, "on m
# examples": the for loop that accumulates J, dw1, dw2 and db — against the
# engine, and against the vectorized one-liners.

# %%
import numpy as np

import autograd_lite as al
from autograd_lite.lessons import Lesson, render_graph
from visualize import draw_graph

lesson = Lesson("week2_one_example")

# %% [markdown]
# ## 1. The graph of one example
#
# Every input gets a name, and so does every intermediate the notes name (z, a, L),
# so that the picture uses the notes' letters. `retain_grad()` keeps dL/dz and
# dL/da on the intermediates (the engine otherwise keeps gradients only for the
# leaves).

# %%
x1 = al.Tensor(1.0, name="x1")
x2 = al.Tensor(1.5, name="x2")
y = al.Tensor(1.0, name="y")
w1 = al.Tensor(0.5, requires_grad=True, name="w1")
w2 = al.Tensor(-0.3, requires_grad=True, name="w2")
b = al.Tensor(0.1, requires_grad=True, name="b")

z = w1 * x1 + w2 * x2 + b
z.name = "z"
a = al.sigmoid(z)
a.name = "a"
L = -(y * al.log(a) + (1 - y) * al.log(1 - a))
L.name = "L"
for node in (z, a):
    node.retain_grad()
print(f"forward: z = {z.item():.6f}, a = σ(z) = {a.item():.6f}, L = {L.item():.6f}")
L.backward()

# %% [markdown]
# ## 2. Every gradient against the notes' formula

# %%
av, yv, x1v, x2v = a.item(), y.item(), x1.item(), x2.item()
formulas = [
    ("da", "−y/a + (1 − y)/(1 − a)", -yv / av + (1 - yv) / (1 - av), a.grad),
    ("dz", "a − y", av - yv, z.grad),
    ("dw1", "x1 · dz", x1v * (av - yv), w1.grad),
    ("dw2", "x2 · dz", x2v * (av - yv), w2.grad),
    ("db", "dz", av - yv, b.grad),
]
print(f"{'':4} {'formula':<24} {'formula value':>14} {'engine':>14}")
for name, rule, by_hand, engine in formulas:
    print(f"{name:4} {rule:<24} {by_hand:14.10f} {float(engine):14.10f}")
    assert abs(by_hand - float(engine)) < 1e-12, name
chain = float(a.grad) * av * (1 - av)
print(f"chain rule: dz = da · a(1 − a) = {chain:.10f}, and a − y = {av - yv:.10f}")
assert abs(chain - (av - yv)) < 1e-12
print("one example: da, dz, dw1, dw2, db match the notes' formulas")

# %% [markdown]
# The graph, every node with its value and its gradient dL/d(node). Read the
# gradients right to left: 1 at L, da at a, dz at z — and dz again at b, and
# dz times the input at w1 and w2. The inputs x1, x2 and y need no gradient (they
# are data, not parameters), so they have none.

# %%
render_graph(lesson, draw_graph(L), "one_example_graph", fmt="svg", gallery=True,
             numbers={"L": L.item(), **{name: float(engine) for name, _, _, engine in formulas}})

# %% [markdown]
# One step of gradient descent, w1 := w1 − α dw1 (and the same for w2 and b),
# lowers the loss of this example:

# %%
alpha = 0.5
with al.no_grad():
    w1_new, w2_new, b_new = (p.data - alpha * p.grad for p in (w1, w2, b))
    a_new = al.sigmoid(w1_new * x1v + w2_new * x2v + b_new).item()
L_new = -(yv * np.log(a_new) + (1 - yv) * np.log(1 - a_new))
print(f"after one step with α = {alpha}: L {L.item():.6f} -> {L_new:.6f}")
assert L_new < L.item()

# %% [markdown]
# ## 3. On m examples: the notes' for loop
#
# The cost J is the mean of the m losses, so its gradient is the mean of the m
# examples' gradients. The notes write it as one loop over the examples (with
# n_x = 2 features, dw1 and dw2 spelled out):
#
#     J = 0; dw1 = 0; dw2 = 0; db = 0
#     for i = 1 to m:
#         z(i) = wᵀx(i) + b;  a(i) = σ(z(i))
#         J += −[y(i) log a(i) + (1 − y(i)) log(1 − a(i))]
#         dz(i) = a(i) − y(i)
#         dw1 += x1(i) dz(i);  dw2 += x2(i) dz(i);  db += dz(i)
#     J /= m; dw1 /= m; dw2 /= m; db /= m
#
# We run it on five examples, and set it against the engine (one graph over all m
# columns at once) and against the vectorized formulas dw = X dZᵀ/m, db = mean(dZ).

# %%
rng = np.random.default_rng(0)
m = 5
X = rng.normal(size=(2, m))  # (n_x, m): examples are columns
Y = np.array([[1.0, 0.0, 1.0, 1.0, 0.0]])
w_np, b_np = np.array([[0.5], [-0.3]]), 0.1

J_loop = dw1_loop = dw2_loop = db_loop = 0.0
for i in range(m):
    z_i = w_np[0, 0] * X[0, i] + w_np[1, 0] * X[1, i] + b_np
    a_i = 1 / (1 + np.exp(-z_i))
    J_loop += -(Y[0, i] * np.log(a_i) + (1 - Y[0, i]) * np.log(1 - a_i))
    dz_i = a_i - Y[0, i]
    dw1_loop += X[0, i] * dz_i
    dw2_loop += X[1, i] * dz_i
    db_loop += dz_i
J_loop, dw1_loop, dw2_loop, db_loop = (v / m for v in (J_loop, dw1_loop, dw2_loop, db_loop))

w = al.Tensor(w_np, requires_grad=True, name="w")
bt = al.Tensor(b_np, requires_grad=True, name="b")
A = al.sigmoid(w.T @ X + bt)
J = -(Y * al.log(A) + (1 - Y) * al.log(1 - A)).mean()
J.backward()

dZ = A.data - Y
dw_vec, db_vec = X @ dZ.T / m, dZ.mean()
print(f"{'':4} {'for loop':>14} {'engine':>14} {'vectorized':>14}")
for name, loop, engine, vec in (("J", J_loop, J.item(), None),
                                ("dw1", dw1_loop, w.grad[0, 0], dw_vec[0, 0]),
                                ("dw2", dw2_loop, w.grad[1, 0], dw_vec[1, 0]),
                                ("db", db_loop, float(bt.grad), db_vec)):
    print(f"{name:4} {loop:14.10f} {engine:14.10f} "
          + (f"{vec:14.10f}" if vec is not None else f"{'':>14}"))
    assert abs(loop - engine) < 1e-12 and (vec is None or abs(loop - vec) < 1e-12)
print(f"m = {m} examples: the for loop, the engine and X dZᵀ/m agree")

# %% [markdown]
# What to notice: the loop has two levels in general — over the m examples, and
# over the n_x features inside (dw1, dw2, ..., dw_nx) — and both are Python
# loops. `week2_logistic_regression.py` removes them: dZ = A − Y for all
# examples at once, dw = X dZᵀ/m for all features at once, and times the
# difference. The engine needed no loop at all: the graph over the (2, m) matrix
# is the same graph as above, with bigger nodes.

# %%
lesson.finish()
