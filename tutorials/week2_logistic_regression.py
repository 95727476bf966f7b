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
# # Week 2 — Logistic regression as a computation graph
#
# This lesson follows one idea from a three-number toy to a real classifier:
# **a cost is a chain of small operations, and its derivatives come from walking
# that chain backwards, multiplying local slopes.** autograd-lite does that walk
# for you; here we do it by hand beside it, so you can see there is no magic.
#
# 1. The graph of J = 3(a + bc): a picture of it, the backward pass one step at a
#    time, and dJ/da, dJ/db, dJ/dc.
# 2. A derivative is a slope: nudge the input by 0.001 and watch the output move.
# 3. Logistic regression on handwritten digits ("is this an 8?"): loss, cost,
#    gradient descent, the cost curve, accuracy — and the engine's gradients
#    against the formulas derived by hand, dw = X(A − Y)ᵀ/m and db = mean(A − Y).
# 4. Vectorization: a Python loop against one NumPy call, timed on this machine.
# 5. Broadcasting, and the rank-1 array trap that catches everyone once.
#
# Run it as a script (`python tutorials/week2_logistic_regression.py`) or open it
# as a notebook with jupytext. Pictures go to `tutorials/out/week2_logistic_regression/`.

# %%
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np

import autograd_lite as al
from autograd_lite import data, reference
from autograd_lite.lessons import Lesson, pick, render_graph
from visualize import (
    backward_frames,
    dot_available,
    draw_graph,
    frames_to_gif,
    plot_costs,
    write_frames,
)

lesson = Lesson("week2_logistic_regression")

# %% [markdown]
# ## 1. The computation graph of J = 3(a + bc)
#
# Break the formula into one operation per node, naming each intermediate:
# u = bc, v = a + u, J = 3v. With a = 5, b = 3, c = 2 the forward pass (left to
# right) gives u = 6, v = 11, J = 33.

# %%
a = al.Tensor(5.0, requires_grad=True, name="a")
b = al.Tensor(3.0, requires_grad=True, name="b")
c = al.Tensor(2.0, requires_grad=True, name="c")
u = b * c
u.name = "u"
v = a + u
v.name = "v"
J = 3 * v
J.name = "J"
for node in (u, v, J):
    node.retain_grad()  # keep dJ/du, dJ/dv (and dJ/dJ = 1) too, not only the leaves' gradients

print(f"forward: u = bc = {u.item():g}, v = a + u = {v.item():g}, J = 3v = {J.item():g}")
print(f"J = {J.item():g}")

# %% [markdown]
# The backward pass, one chain-rule step at a time. Each step multiplies the
# gradient that has arrived from the right (dJ/d-output) by the *local* slope of
# one operation (d-output/d-input). The pictures below are the same graph after
# each step; the node being processed is highlighted. Notice that dJ/db needs c
# and dJ/dc needs b: the product node must remember its inputs from the forward
# pass — that is what the engine saves, and frees once backward is done.

# %%
frames = backward_frames(J)  # before J.backward(): it replays the saved values
for frame in frames:
    print(f"step {frame.step}: " + "\n        ".join(frame.lines))

frames_dir = lesson.path("backward_frames")
if dot_available():
    write_frames(frames, frames_dir)  # frame_000.svg, ... and an index.html to step through
    print(f"  wrote {len(frames)} frames and index.html to {frames_dir.name}/")
    try:
        lesson.saved_file(frames_to_gif(frames, lesson.path("backward_frames.gif")), gallery=True,
                          numbers={"frames": len(frames),
                                   "lines": [line for f in frames for line in f.lines]})
    except ImportError as err:  # the GIF needs Pillow, which matplotlib brings along
        print(f"  no GIF: {err}")
else:
    write_frames(frames, frames_dir, format="dot")
    print(f"  Graphviz's dot program is missing: wrote the frames as DOT source to "
          f"{frames_dir.name}/ (install graphviz for pictures)")

# %%
J.backward()
print("backward, by hand next to the engine:")
steps = [
    ("dJ/dv", "3 (J = 3v)", 3.0, v.grad),
    ("dJ/du", "dJ/dv * dv/du = 3 * 1", 3.0 * 1.0, u.grad),
    ("dJ/da", "dJ/dv * dv/da = 3 * 1", 3.0 * 1.0, a.grad),
    ("dJ/db", "dJ/du * du/db = 3 * c = 3 * 2", 3.0 * c.item(), b.grad),
    ("dJ/dc", "dJ/du * du/dc = 3 * b = 3 * 3", 3.0 * b.item(), c.grad),
]
for name, rule, by_hand, engine_grad in steps:
    print(f"  {name} = {rule:<32} = {by_hand:g}   engine: {name} = {float(engine_grad):g}")
    assert by_hand == float(engine_grad)
print(f"dJ/da = {float(a.grad):g}, dJ/db = {float(b.grad):g}, dJ/dc = {float(c.grad):g}")

# %% [markdown]
# The finished graph, every node annotated with its value and its gradient
# dJ/d(node). Read the gradients right to left: 1 at J, 3 at v, u and a, then
# 6 at b and 9 at c.

# %%
render_graph(lesson, draw_graph(J), "graph_J", fmt="svg", gallery=True,
             numbers={"J": J.item(), "dJ/da": float(a.grad), "dJ/db": float(b.grad),
                      "dJ/dc": float(c.grad), "dJ/du": float(u.grad), "dJ/dv": float(v.grad)})

# %% [markdown]
# ## 2. A derivative is a slope
#
# "dJ/da = 3" means: move a by a tiny amount and J moves three times as much.
# We can test that without any calculus, by nudging. For f(a) = 3a the slope is 3
# everywhere. For f(a) = a² the slope changes with a — it is 2a — so at a = 2 it
# is 4 and at a = 5 it is 10. The one-sided nudge is a little off (by exactly the
# nudge, for a²); nudging both ways and dividing by 2ε removes that error.

# %%
eps = 0.001
functions = {
    "3a": lambda x: 3 * x,
    "a^2": lambda x: x**2,
    "a^3": lambda x: x**3,
    "log(a)": lambda x: al.log(x),
}
print(f"{'f(a)':>7} {'a':>3} {'(f(a+e)-f(a))/e':>16} {'two-sided':>12} {'autodiff':>10}")
for label, f in functions.items():
    for a0 in (2.0, 5.0):
        def fv(x, f=f):
            return float(f(al.Tensor(x)))

        one_sided = (fv(a0 + eps) - fv(a0)) / eps
        two_sided = (fv(a0 + eps) - fv(a0 - eps)) / (2 * eps)
        slope = float(al.grad(f)(a0))
        print(f"{label:>7} {a0:3g} {one_sided:16.6f} {two_sided:12.6f} {slope:10.6f}")
        if label == "a^2":
            assert abs(slope - 2 * a0) < 1e-12
nudged = (2.001**2 - 2.0**2) / 0.001
print(f"f(a) = a^2 at a = 2: nudged slope {nudged:.6f}, "
      f"autodiff {float(al.grad(functions['a^2'])(2.0)):g}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
xs = np.linspace(0, 6, 200)
for ax, (label, f, a0) in zip(axes, [("f(a) = 3a", lambda x: 3 * x, 2.0),
                                      ("f(a) = a²", lambda x: x**2, 2.0)]):
    slope = float(al.grad(f)(a0))
    ax.plot(xs, f(xs), label=label)
    ax.plot(xs, f(a0) + slope * (xs - a0), "--", label=f"tangent at a={a0:g}, slope {slope:g}")
    h = 1.0  # a visible nudge for the picture; the slope itself does not depend on it
    ax.plot([a0, a0 + h, a0 + h], [f(a0), f(a0), f(a0) + slope * h], "k:")
    ax.annotate("nudge a", (a0 + h / 2, f(a0)), textcoords="offset points", xytext=(-15, -12))
    ax.annotate(f"f moves {slope:g}× as much", (a0 + h, f(a0) + slope * h / 2),
                textcoords="offset points", xytext=(5, 0))
    ax.set_xlabel("a")
    ax.set_title(label)
    ax.legend(loc="upper left", fontsize=8)
fig.tight_layout()
lesson.savefig(fig, "slopes.png")

# %% [markdown]
# ## 3. Logistic regression on handwritten digits
#
# scikit-learn ships 1,797 scanned digits, 8×8 pixels each. Flattened, each image
# is a column of 64 numbers, so the training set is X with shape (64, m) and the
# labels Y are (1, m): 1 if the digit is an 8, else 0.
#
# For one example x the model computes z = wᵀx + b, the prediction a = σ(z), and
# the loss L(a, y) = −(y log a + (1 − y) log(1 − a)). The cost J is the mean loss
# over the m examples. Written with Tensors, the engine records exactly this
# graph — the J = 3(a + bc) idea with bigger nodes.

# %%
DIGIT = 8
X_train, Y_train, X_test, Y_test = data.digits(positive=DIGIT)
n_x, m = X_train.shape
print(f"X_train {X_train.shape}, Y_train {Y_train.shape}, X_test {X_test.shape}")
print(f"fraction of {DIGIT}s in the training set: {Y_train.mean():.3f}")

fig, axes = plt.subplots(2, 8, figsize=(8, 2.4))
for ax, i in zip(axes.ravel(), range(16)):
    ax.imshow(X_train[:, i].reshape(8, 8), cmap="gray_r")
    ax.set_title(f"y={int(Y_train[0, i])}", fontsize=8)
    ax.axis("off")
fig.suptitle(f"training examples (y = 1 means 'is a {DIGIT}')", fontsize=9)
lesson.savefig(fig, "digits_examples.png")


# %%
def predict_proba(w, b, X):
    """A = σ(wᵀX + b), all m examples at once: (1, m)."""
    return al.sigmoid(w.T @ X + b)


def cost(A, Y):
    """J = −(1/m) Σ (y log a + (1 − y) log(1 − a)), the course's cross-entropy cost."""
    loss = -(Y * al.log(A) + (1 - Y) * al.log(1 - A))
    return loss.mean()


w = al.Tensor(np.zeros((n_x, 1)), requires_grad=True, name="w")
b = al.Tensor(0.0, requires_grad=True, name="b")

# %% [markdown]
# Before training, check that the engine's gradients are the ones derived by hand
# in the course: dZ = A − Y, dw = X dZᵀ / m, db = mean(dZ). We check against two
# independent sources — the formula written out right here, and
# `autograd_lite.reference.logistic_regression`, plain NumPy with no autodiff —
# at a random point (at w = 0 every gradient entry is too special to be a fair test).

# %%
rng = np.random.default_rng(0)
w_check = rng.normal(0, 0.1, size=(n_x, 1))
b_check = 0.3
wt = al.Tensor(w_check, requires_grad=True)
bt = al.Tensor(b_check, requires_grad=True)
J_check = cost(predict_proba(wt, bt, X_train), Y_train)
J_check.backward()

A_np = reference.sigmoid(w_check.T @ X_train + b_check)
dw_formula = X_train @ (A_np - Y_train).T / m
db_formula = np.mean(A_np - Y_train)
J_ref, grads_ref = reference.logistic_regression(w_check, b_check, X_train, Y_train)

rel = lambda g, h: np.linalg.norm(g - h) / (np.linalg.norm(g) + np.linalg.norm(h))  # noqa: E731
print(f"{'':4} {'shape':>8} {'vs X(A-Y)^T/m':>15} {'vs reference':>14}")
print(f"{'dw':4} {str(wt.grad.shape):>8} {rel(wt.grad, dw_formula):15.2e} "
      f"{rel(wt.grad, grads_ref['dw']):14.2e}")
print(f"{'db':4} {str(np.shape(bt.grad)):>8} {rel(bt.grad, db_formula):15.2e} "
      f"{rel(bt.grad, grads_ref['db']):14.2e}")
print(f"cost: engine {J_check.item():.12f}, reference {J_ref:.12f}")
assert rel(wt.grad, dw_formula) < 1e-10 and rel(bt.grad, db_formula) < 1e-10
print("autodiff matches the hand-derived dw and db")

# %% [markdown]
# Gradient descent: repeat "compute J, get dJ/dw and dJ/db, step downhill".
# `w.data -= lr * w.grad` updates the numbers in place; the update itself must
# not be recorded in the graph, and it is not, because it works on plain arrays.

# %%
lr = 0.5
iterations = pick(800, 2000)
costs = []
for i in range(iterations):
    A = predict_proba(w, b, X_train)
    J_train = cost(A, Y_train)
    w.grad = None
    b.grad = None
    J_train.backward()
    w.data -= lr * w.grad
    b.data -= lr * b.grad
    costs.append(J_train.item())
    if i % (iterations // 4) == 0:
        print(f"  iteration {i:5d}: cost {costs[-1]:.4f}")


def accuracy_of(w, b, X, Y):
    with al.no_grad():
        A = predict_proba(w, b, X)
    return data.accuracy((A.data > 0.5).astype(float), Y)


train_acc = accuracy_of(w, b, X_train, Y_train)
test_acc = accuracy_of(w, b, X_test, Y_test)
baseline = 1 - Y_test.mean()
print(f"final cost {costs[-1]:.4f}")
print(f"train accuracy {train_acc:.3f}, test accuracy {test_acc:.3f}")
print(f"(always answering 'not an {DIGIT}' would score {baseline:.3f} on the test set)")

# %% [markdown]
# What to notice: the cost falls fast at first and then flattens — each step is
# proportional to the slope, and the slope shrinks near the bottom. Accuracy must
# be read against the baseline: only about one image in ten is an 8, so a model
# that always says "no" already gets ~89%; logistic regression does clearly
# better. The learned w, drawn as an 8×8 image, is a template: red pixels vote
# "8", blue pixels vote "not 8".

# %%
cost_png = plot_costs(costs, lesson.path("cost_curve.png"), learning_rate=lr,
                      title=f"logistic regression, 'is it {'an' if DIGIT == 8 else 'a'} {DIGIT}?' "
                            f"(learning rate {lr})")
lesson.saved_file(cost_png, gallery=True,
                  numbers={"iterations": len(costs), "first_cost": costs[0],
                           "final_cost": costs[-1], "train_accuracy": train_acc,
                           "test_accuracy": test_acc})

fig, axes = plt.subplots(1, 2, figsize=(7, 3))
lim = np.abs(w.data).max()
im = axes[0].imshow(w.data.reshape(8, 8), cmap="bwr", vmin=-lim, vmax=lim)
axes[0].set_title("learned w as an 8×8 image", fontsize=9)
axes[0].axis("off")
fig.colorbar(im, ax=axes[0], fraction=0.046)
axes[1].bar(["train", "test", "always 'no'"], [train_acc, test_acc, baseline],
            color=["C0", "C1", "gray"])
axes[1].set_ylim(0.8, 1.0)
axes[1].set_title("accuracy", fontsize=9)
fig.tight_layout()
lesson.savefig(fig, "weights_and_accuracy.png")

# %% [markdown]
# ## 4. Vectorization
#
# The dot product wᵀx of two vectors with a million entries, once as a Python
# `for` loop and once as a single NumPy call. The loop runs the interpreter a
# million times; `np.dot` runs one compiled loop (with SIMD instructions) over
# contiguous memory. The ratio depends on your machine — the course quotes about
# 300× — so we measure it here (median of several runs). From the command line,
# `python benchmarks/vectorization.py` measures the same, and an exponential too.


# %%
def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def dot_loop(x, y):
    total = 0.0
    for i in range(len(x)):
        total += x[i] * y[i]
    return total


n = 1_000_000
x_vec = rng.random(n)
y_vec = rng.random(n)
assert np.isclose(dot_loop(x_vec, y_vec), np.dot(x_vec, y_vec))
t_loop = median_time(lambda: dot_loop(x_vec, y_vec), pick(1, 3))
t_vec = median_time(lambda: np.dot(x_vec, y_vec), 50)
print(f"dot product of {n:,} values: loop {t_loop * 1e3:.1f} ms, vectorized "
      f"{t_vec * 1e3:.3f} ms")
print(f"vectorization speed-up: {t_loop / t_vec:.0f}x")

# %% [markdown]
# The same holds for the gradient of logistic regression. The course's first
# version loops over the m examples (and over the n_x features inside); the
# vectorized version is the one line dw = X(A − Y)ᵀ/m.

# %%
A_np = reference.sigmoid(w.data.T @ X_train + b.data)


def gradient_loops(X, A, Y):
    n_x, m = X.shape
    dw = np.zeros((n_x, 1))
    db = 0.0
    for i in range(m):
        dz = A[0, i] - Y[0, i]
        for j in range(n_x):
            dw[j, 0] += X[j, i] * dz
        db += dz
    return dw / m, db / m


def gradient_vectorized(X, A, Y):
    dZ = A - Y
    return X @ dZ.T / X.shape[1], dZ.mean()


dw_loop, db_loop = gradient_loops(X_train, A_np, Y_train)
dw_vec, db_vec = gradient_vectorized(X_train, A_np, Y_train)
assert np.allclose(dw_loop, dw_vec) and np.isclose(db_loop, db_vec)
t_loop_g = median_time(lambda: gradient_loops(X_train, A_np, Y_train), pick(1, 3))
t_vec_g = median_time(lambda: gradient_vectorized(X_train, A_np, Y_train), 50)
print(f"logistic-regression gradient on m = {m}: loops {t_loop_g * 1e3:.1f} ms, "
      f"vectorized {t_vec_g * 1e3:.3f} ms, speed-up {t_loop_g / t_vec_g:.0f}x")

fig, ax = plt.subplots(figsize=(6, 2.6))
labels = [f"dot, n = {n:,}", f"LR gradient, m = {m}"]
ax.barh([0.2, 1.2], [t_loop * 1e3, t_loop_g * 1e3], height=0.4, label="Python loops")
ax.barh([-0.2, 0.8], [t_vec * 1e3, t_vec_g * 1e3], height=0.4, label="vectorized")
ax.set_yticks([0, 1], labels)
ax.set_xscale("log")
ax.set_xlabel("milliseconds (log scale)")
ax.legend(fontsize=8)
ax.set_title(f"vectorization: {t_loop / t_vec:.0f}x and {t_loop_g / t_vec_g:.0f}x faster",
             fontsize=9)
fig.tight_layout()
lesson.savefig(fig, "vectorization.png")

# %% [markdown]
# ## 5. Broadcasting
#
# Calories from carbohydrate, protein and fat in 100 g of apples, beef, eggs and
# potatoes (rows: carbs, protein, fat; columns: the four foods). What percentage
# of each food's calories comes from each source? Sum each column, then divide
# every entry by its column's sum — without a loop: the (1, 4) row of sums is
# *broadcast* (stretched) down the 3 rows.

# %%
A_food = np.array([[56.0, 0.0, 4.4, 68.0],
                   [1.2, 104.0, 52.0, 8.0],
                   [1.8, 135.0, 99.0, 0.9]])
calories = A_food.sum(axis=0, keepdims=True)  # (1, 4); keepdims keeps it a row
percentage = 100 * A_food / calories  # (3, 4) / (1, 4) -> (3, 4)
print("calories per food:", calories)
print("percentage of calories (rows carbs/protein/fat, columns apples/beef/eggs/potatoes):")
print(np.round(percentage, 1))
assert np.allclose(percentage.sum(axis=0), 100)

# %% [markdown]
# The two rules of thumb: a (1, n) row is copied down m rows, an (m, 1) column is
# copied across n columns. The engine follows NumPy's rules in the forward pass
# and undoes them in the backward pass: a value that was *copied* to several
# places receives the *sum* of their gradients, so every gradient has exactly the
# shape of its tensor. That is why db in a layer is (n, 1) even though Z = WA + b
# is (n, m).

# %%
M = al.Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True, name="M")  # (2, 3)
row = al.Tensor([[100.0, 200.0, 300.0]], requires_grad=True, name="row")  # (1, 3)
col = al.Tensor([[100.0], [200.0]], requires_grad=True, name="col")  # (2, 1)

out_row = M + row
out_col = M + col
print("(2,3) + (1,3) =\n", out_row.data)
print("(2,3) + (2,1) =\n", out_col.data)
(out_row.sum() + out_col.sum()).backward()
print(f"row.grad {row.grad.shape} = {row.grad}  (each entry was copied to 2 rows)")
print(f"col.grad {col.grad.shape} = {col.grad.ravel()} (each entry was copied to 3 columns)")
print(f"M.grad {M.grad.shape}: every entry used twice -> all {M.grad[0, 0]:g}")
assert row.grad.shape == (1, 3) and col.grad.shape == (2, 1)

# %% [markdown]
# ### The rank-1 array trap
#
# `np.random.randn(5)` has shape (5,): a *rank-1* array, neither a row nor a
# column. Its transpose is itself, so `a @ a.T` is a number, not the (5, 5) outer
# product you may have meant; and mixing (m,) with (1, m) or (m, 1) broadcasts
# into surprises. The cure is to always say what you mean: (5, 1) or (1, 5).

# %%
r1 = np.random.default_rng(1).standard_normal(5)
col5 = r1.reshape(5, 1)
print(f"rank-1: a.shape {r1.shape}, a.T.shape {r1.T.shape}, a @ a.T = {r1 @ r1.T:.3f} (a number)")
print(f"column: a.shape {col5.shape}, a.T.shape {col5.T.shape}, a @ a.T has shape "
      f"{(col5 @ col5.T).shape}")

# %% [markdown]
# The engine never changes a shape behind your back: the gradient of a rank-1
# weight vector is rank-1, of a (5, 1) column is (5, 1). The classic `A - Y` with
# Y the wrong way round, where broadcasting turns a (1, m) and an (m, 1) into an
# (m, m) outer product that would silently train on nonsense, always warns
# (`al.BroadcastWarning`, with the fix). `al.strict_shapes()` goes further: it also
# flags rank-1 arrays entering a computation, and every other outer product.

# %%
X_small = X_train[:5, :4]  # (5, 4): 5 features, 4 examples
w_rank1 = al.Tensor(np.ones(5), requires_grad=True)
w_col = al.Tensor(np.ones((5, 1)), requires_grad=True)
(w_rank1 @ X_small).sum().backward()
(w_col.T @ X_small).sum().backward()
print(f"w rank-1 {w_rank1.shape} -> grad {w_rank1.grad.shape};  "
      f"w column {w_col.shape} -> grad {w_col.grad.shape}")

A_pred = al.Tensor(np.full((1, 4), 0.5), requires_grad=True)
Y_wrong = Y_train[:, :4].T  # (4, 1) instead of (1, 4)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    with al.strict_shapes():
        _ = (w_rank1 @ X_small).sum()
        outer = A_pred - Y_wrong
print(f"A (1, 4) - Y (4, 1) gives {outer.shape}: 16 'differences' instead of 4")
for warning in caught:
    print(f"  {warning.category.__name__}: {str(warning.message).splitlines()[0]}")
assert len(caught) >= 2

# %%
lesson.finish()
