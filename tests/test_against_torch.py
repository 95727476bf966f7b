"""The op table against PyTorch, up to second order (skipped when torch is not installed).

For every example of tests/op_table.py that has a PyTorch twin in :data:`TWINS` (the same
expression written with torch's functions), at the example's float64 inputs:

- the forward values equal torch's;
- the gradient of J = Σ out ⊙ W (W the example's fixed weights) equals torch.autograd.grad's;
- the Hessian-vector product, by ``create_graph=True`` on both sides, equals torch's.

The oracle here is an independent engine; tests/test_ops.py checks the same examples
against two-sided differences. Every example of the ops added by issue "NumPy-native" must
have a twin (test_the_new_ops_have_twins).
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip(
    "torch", reason="PyTorch is not installed: the comparisons against it are skipped"
)
functional = pytest.importorskip("torch.nn.functional")

import autograd_lite as al  # noqa: E402
from autograd_lite.engine import gradients  # noqa: E402
from tests.op_table import CASES, COLS, COND, CONST64, MASK, ROWS, draw  # noqa: E402

# ndarray constants of the examples, as torch constants
_CONST, _COND, _MASK = (torch.as_tensor(v) for v in (CONST64, COND, MASK))
_ROWS, _COLS = torch.as_tensor(ROWS), torch.as_tensor(COLS)


def _all_dims(a):
    return tuple(range(a.ndim))


#: example id -> the same expression in PyTorch (None: the example has no twin, and why)
TWINS = {
    # arithmetic, broadcasting
    **dict.fromkeys(["add", "add-bias", "add-scalar", "add-rank1", "add-outer", "add-3d"],
                    lambda a, b: a + b),
    "add-number": lambda a: 2.5 + a,
    "add-ndarray-left": lambda a: _CONST + a,
    **dict.fromkeys(["sub", "sub-bias", "sub-scalar", "sub-rank1"], lambda a, b: a - b),
    "rsub-number": lambda a: 1.0 - a,
    **dict.fromkeys(["mul", "mul-bias", "mul-scalar", "mul-rank1"], lambda a, b: a * b),
    "mul-self": lambda a: a * a,
    "mul-ndarray-left": lambda a: _CONST * a,
    **dict.fromkeys(["div", "div-bias", "div-scalar", "div-rank1"], lambda a, b: a / b),
    "rdiv-number": lambda a: 1.0 / a,
    "neg": lambda a: -a,
    "pow-2": lambda a: a**2,
    "pow-3": lambda a: a**3,
    "pow-half": lambda a: a**0.5,
    "pow-neg": lambda a: a**-1.5,
    "pow-np-float": lambda a: a**2.5,
    **dict.fromkeys(["pow-tensor", "pow-tensor-bias", "pow-tensor-scalar"], torch.pow),
    "pow-self": lambda a: a**a,
    "rpow-2": lambda a: 2**a,
    "rpow-e": lambda a: np.e**a,
    # elementwise functions
    **dict.fromkeys(["exp", "exp-method"], torch.exp),
    **dict.fromkeys(["log", "log-method"], torch.log),
    "log1p": torch.log1p,
    "square": torch.square,
    **dict.fromkeys(["expm1", "expm1-tiny"], torch.expm1),
    "sin": torch.sin,
    "cos": torch.cos,
    "sign": torch.sign,
    "sign-times": lambda a, b: torch.sign(a) * b,
    **dict.fromkeys(["sqrt", "sqrt-method"], torch.sqrt),
    **dict.fromkeys(["abs", "abs-method"], torch.abs),
    **dict.fromkeys(["tanh", "tanh-method"], torch.tanh),
    **dict.fromkeys(["sigmoid", "sigmoid-method"], torch.sigmoid),
    **dict.fromkeys(["relu", "relu-method"], torch.relu),
    "leaky_relu": lambda a: functional.leaky_relu(a, 0.01),
    "leaky_relu-0.2": lambda a: functional.leaky_relu(a, 0.2),
    **dict.fromkeys(["maximum", "maximum-bias", "maximum-bias-left"], torch.maximum),
    "maximum-zero": lambda a: torch.clamp(a, min=0.0),
    **dict.fromkeys(["minimum", "minimum-rank1"], torch.minimum),
    "minimum-number": lambda a: torch.clamp(a, max=1.0),
    **dict.fromkeys(["where", "where-broadcast"], lambda a, b: torch.where(_COND, a, b)),
    "where-constant": lambda a: torch.where(_COND, a, 0.0),
    "clip": lambda a: torch.clamp(a, -0.5, 0.5),
    "clip-high": lambda a: torch.clamp(a, max=0.5),
    "clip-low": lambda a: torch.clamp(a, min=-0.5),
    # matrix products (np.dot of these shapes is matmul)
    **dict.fromkeys(["matmul", "matmul-fn", "matmul-1d-2d", "matmul-2d-1d", "matmul-1d-1d",
                     "matmul-3d-2d", "matmul-2d-3d", "matmul-batch-broadcast", "matmul-1d-3d",
                     "matmul-3d-1d", "dot", "dot-1d", "dot-2d-1d"], torch.matmul),
    "matmul-ndarray-left": lambda b: _CONST @ b,
    # reductions
    "sum": torch.sum,
    "sum-0": lambda a: a.sum(0),
    "sum-1": lambda a: a.sum(1),
    "sum--1-keepdims": lambda a: a.sum(-1, keepdim=True),
    "sum-tuple": lambda a: a.sum((0, 2)),
    "sum-None-keepdims": lambda a: a.sum(_all_dims(a), keepdim=True),
    "mean": torch.mean,
    "mean-0": lambda a: a.mean(0),
    "mean-1-keepdims": lambda a: a.mean(1, keepdim=True),
    "mean-tuple": lambda a: a.mean((0, 2), keepdim=True),
    "max": torch.amax,
    "max-0": lambda a: a.amax(0),
    "max-1": lambda a: a.amax(1),
    "max-1-keepdims": lambda a: a.amax(1, keepdim=True),
    "max-tuple": lambda a: a.amax((0, 2)),
    "max-None-keepdims": lambda a: a.amax(_all_dims(a), keepdim=True),
    "min": torch.amin,
    "min-1-keepdims": lambda a: a.amin(1, keepdim=True),
    "min-tuple": lambda a: a.amin((0, 2)),
    "min-method--1": lambda a: a.amin(-1),
    "prod": torch.prod,
    "prod-1-zeros": lambda a: a.prod(1),
    "prod-method--1-keepdims-zeros": lambda a: a.prod(-1, keepdim=True),
    "prod-tuple": lambda a: a.prod(0).prod(-1),
    "prod-None-one-zero": torch.prod,
    "var": lambda a: torch.var(a, correction=0),
    "var-1-ddof1": lambda a: torch.var(a, 1, correction=1),
    "var-method--1-keepdims": lambda a: torch.var(a, -1, correction=0, keepdim=True),
    "var-tuple-ddof1": lambda a: torch.var(a, (0, 2), correction=1),
    "std": lambda a: torch.std(a, correction=0),
    "std-0-ddof1-keepdims": lambda a: torch.std(a, 0, correction=1, keepdim=True),
    "std-tuple": lambda a: torch.std(a, (0, 2), correction=0),
    "logsumexp": lambda a: torch.logsumexp(a, _all_dims(a)),
    "logsumexp-0": lambda a: torch.logsumexp(a, 0),
    "logsumexp--1-keepdims": lambda a: torch.logsumexp(a, -1, keepdim=True),
    "logsumexp-tuple": lambda a: torch.logsumexp(a, (0, 2)),
    "logsumexp-cross-entropy": lambda z: (
        torch.logsumexp(z, 0) - z[_ROWS[:3], torch.arange(3)]).mean(),
    # shapes
    "reshape": lambda a: a.reshape(2, 6),
    "reshape-method": lambda a: a.reshape(4, -1),
    "reshape-flat": lambda a: a.reshape(-1),
    "T": lambda a: a.T,
    "transpose": lambda a: a.permute(2, 1, 0),
    "transpose-axes": lambda a: a.permute(1, 2, 0),
    "transpose-method": lambda a: a.permute(2, 0, 1),
    "transpose-negative": lambda a: a.permute(0, 2, 1),
    "broadcast_to": lambda a: torch.broadcast_to(a, (2, 3, 4)),
    "broadcast_to-rank1": lambda a: torch.broadcast_to(a, (3, 4)),
    "squeeze": torch.squeeze,
    "squeeze-method--1": lambda a: a.squeeze(-1),
    "squeeze-tuple": lambda a: a.squeeze((1, 3)),
    "expand_dims": lambda a: a.unsqueeze(1),
    "expand_dims-tuple-negative": lambda a: a.unsqueeze(0).unsqueeze(-1),
    "flatten": torch.flatten,
    "flatten-F": lambda a: a.T.flatten(),
    "ravel": torch.ravel,
    "ravel-method": torch.ravel,
    "ravel-K-transposed": lambda a: a.reshape(-1),  # a.T's memory order is a's C order
    # indexing
    "getitem-slices": lambda a: a[1:, ::2],
    "getitem-int": lambda a: a[1],
    "getitem-int-int": lambda a: a[-1, 2],
    "getitem-column": lambda a: a[:, 2],
    "getitem-ellipsis-none": lambda a: a[..., None, 1:3],
    "getitem-repeats": lambda a: a[_ROWS],
    "getitem-list": lambda a: a[[0, 0, 2]],
    "getitem-pairs": lambda a: a[_ROWS, _COLS],
    "getitem-mixed": lambda a: a[1:, _ROWS[:2]],
    "getitem-mask": lambda a: a[_MASK],
    "getitem-row-mask": lambda a: a[:, _MASK[0]],
    # joining
    "concatenate-0": lambda a, b, c: torch.cat([a, b, c]),
    "concatenate-1": lambda a, b: torch.cat([a, b], 1),
    "concatenate--1-const": lambda a: torch.cat([a, _CONST], -1),
    "stack-0": lambda a, b, c: torch.stack([a, b, c]),
    "stack-1": lambda a, b: torch.stack([a, b], 1),
    "stack--1": lambda a, b: torch.stack([a, b], -1),
    # softmax
    "softmax-0": lambda a: torch.softmax(a, 0),
    "softmax-1": lambda a: torch.softmax(a, 1),
    "log_softmax-0": lambda a: torch.log_softmax(a, 0),
    "log_softmax-1": lambda a: torch.log_softmax(a, 1),
    # the composite dense layer
    "dense": lambda W, A, b: torch.tanh(W @ A + b),
}

#: The ops of issue "NumPy-native" (their examples must all have twins).
NEW_OPS = ("min", "prod", "var", "std", "logsumexp", "log1p", "expm1", "sin", "cos",
           "square", "sign", "squeeze", "expand_dims", "flatten", "ravel")

TWINNED = [case for case in CASES if case.id in TWINS]


def test_the_table_of_twins_names_examples_and_covers_the_new_ops():
    ids = {case.id for case in CASES}
    assert set(TWINS) - ids == set(), "twins of examples that do not exist"
    new = {case.id for case in CASES if case.id.split("-")[0] in NEW_OPS}
    assert len(new) >= 30
    assert new - set(TWINS) == set(), "examples of the new ops without a torch twin"
    assert len(TWINNED) >= 150


def _ours(fn, arrays, weights, directions):
    xs = [al.Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = fn(*xs)
    grads = gradients((out * weights).sum(), xs, create_graph=True)
    grad_dot_v = sum((g * v).sum() for g, v in zip(grads, directions))
    if isinstance(grad_dot_v, al.Tensor) and grad_dot_v.requires_grad:
        hvp = gradients(grad_dot_v, xs)
    else:  # J is linear in the inputs
        hvp = [np.zeros(a.shape) for a in arrays]
    return out.data, [g.data for g in grads], hvp


def _torchs(twin, arrays, weights, directions):
    xs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out = twin(*xs)
    J = (out * torch.as_tensor(weights)).sum()
    grads = torch.autograd.grad(J, xs, create_graph=True, allow_unused=True)
    grads = [torch.zeros_like(x) if g is None else g for g, x in zip(grads, xs)]
    if any(g.requires_grad for g in grads):
        used = [(g, torch.as_tensor(v)) for g, v in zip(grads, directions) if g.requires_grad]
        hvp = torch.autograd.grad([g for g, _ in used], xs, grad_outputs=[v for _, v in used],
                                  allow_unused=True)
        hvp = [np.zeros(a.shape) if h is None else h.detach().numpy(force=True)
               for h, a in zip(hvp, arrays)]
    else:
        hvp = [np.zeros(a.shape) for a in arrays]
    return out.detach().numpy(), [g.detach().numpy() for g in grads], hvp


@pytest.mark.parametrize("case", TWINNED, ids=lambda c: c.id)
def test_values_gradients_and_hessian_vector_products_equal_torchs(case):
    arrays, weights = draw(case)
    rng = np.random.default_rng(2)
    directions = [rng.standard_normal(a.shape) for a in arrays]
    out, grads, hvp = _ours(case.fn, arrays, weights, directions)
    t_out, t_grads, t_hvp = _torchs(TWINS[case.id], arrays, weights, directions)
    np.testing.assert_allclose(out, t_out, rtol=1e-12, atol=1e-14, err_msg="forward")
    for i, (g, t) in enumerate(zip(grads, t_grads)):
        np.testing.assert_allclose(g, t, rtol=1e-10, atol=1e-12, err_msg=f"gradient {i}")
    for i, (h, t) in enumerate(zip(hvp, t_hvp)):
        np.testing.assert_allclose(h, t, rtol=1e-9, atol=1e-11, err_msg=f"H v, input {i}")


#: Edges that the op table's numerical checks avoid (kinks, infinities, zeros), where both
#: engines have a convention: (id, ours, torch's, input).
EDGES = [
    ("prod-two-zeros", al.prod, torch.prod, [[0.0, 0.0, 5.0]]),
    ("prod-one-zero-axis", lambda a: al.prod(a, axis=0), lambda a: a.prod(0),
     [[2.0, 0.0], [0.0, 3.0], [4.0, 5.0]]),
    ("sign-at-zero", al.sign, torch.sign, [0.0, -0.0, 2.0]),
    ("std-constant-group", lambda a: al.std(a, axis=1), lambda a: torch.std(a, 1, correction=0),
     [[0.5, 0.5, 0.5], [1.0, 2.0, 4.0]]),
    ("logsumexp-minus-inf", al.logsumexp, lambda a: torch.logsumexp(a, 0),
     [-np.inf, 0.0, 1.0]),
    ("logsumexp-large", al.logsumexp, lambda a: torch.logsumexp(a, 0), [1000.0, 1001.0, 999.0]),
    ("max-ties", al.max, torch.amax, [[1.0, 3.0, 3.0], [3.0, 0.0, 2.0]]),
    ("min-ties-axis", lambda a: al.min(a, axis=1), lambda a: a.amin(1),
     [[1.0, 1.0, 3.0], [3.0, 0.0, 2.0]]),
]


@pytest.mark.parametrize("edge", EDGES, ids=lambda e: e[0])
def test_edges_where_both_engines_have_a_convention(edge):
    _, ours, torchs, values = edge
    x = np.array(values)
    weights = np.random.default_rng(3).standard_normal(np.shape(torchs(torch.as_tensor(x))))
    direction = np.random.default_rng(4).standard_normal(x.shape)
    out, grads, hvp = _ours(ours, [x], weights, [direction])
    t_out, t_grads, t_hvp = _torchs(torchs, [x], weights, [direction])
    np.testing.assert_allclose(out, t_out, rtol=1e-12)
    np.testing.assert_allclose(grads[0], t_grads[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hvp[0], t_hvp[0], rtol=1e-9, atol=1e-11)
