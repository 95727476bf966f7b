"""The hand-derived gradients of autograd_lite.reference against numerical differences.

The reference module is the oracle the autodiff engine is checked against, so it
is itself checked here against something independent: two-sided finite
differences of its own cost, the course's published numbers, and the
consistency of the three models with each other.
"""

from __future__ import annotations

import ast
import inspect

import numpy as np
import pytest

from autograd_lite import reference as ref

EPS = 1e-6
# Two-sided differences with eps = 1e-6 in float64 leave a truncation error of
# O(eps^2) and a rounding error of about 1e-16 * J / eps ~ 1e-10 per entry. On these
# problems a correct gradient differs by ~1e-10 to 1e-8 relatively (more only for a
# tiny gradient, hence ATOL), while a wrong one (a missing 1/m, a wrong g'(Z), a
# gradient off by 1%) is off by > 1e-3: see test_the_check_catches_wrong_gradients.
RTOL = 1e-7
ATOL = 1e-9


def numerical_grads(cost_fn, params, eps=EPS):
    """Two-sided difference (J(p + eps) - J(p - eps)) / (2 eps) for every entry."""
    grads = {}
    for key, value in params.items():
        base = np.array(value, dtype=np.float64)
        g = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            plus = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
            minus = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
            plus[key][idx] += eps
            minus[key][idx] -= eps
            g[idx] = (cost_fn(plus) - cost_fn(minus)) / (2 * eps)
        grads[key] = g
    return grads


def rel_diff(g, g_num):
    """The course's ||g - g_num|| / (||g|| + ||g_num||)."""
    g = np.ravel(np.asarray(g, dtype=np.float64))
    g_num = np.ravel(np.asarray(g_num, dtype=np.float64))
    denom = np.linalg.norm(g) + np.linalg.norm(g_num)
    return float(np.linalg.norm(g - g_num) / denom) if denom else 0.0


def grads_mismatch(grads, num, names):
    """Why ``grads`` fails the check against ``num``, or None when it passes.

    Two criteria: the course's relative difference of all gradients stacked into one
    vector is below RTOL, and every parameter's own difference is below
    RTOL * (||g|| + ||g_num||) + ATOL, where ATOL absorbs the rounding floor of the
    difference quotient for parameters whose gradient is tiny (e.g. a db of 1e-4).
    """
    if set(grads) != {"d" + n for n in names}:
        return f"keys {sorted(grads)}"
    for n in names:
        if np.shape(grads["d" + n]) != np.shape(num[n]):
            return f"d{n}: shape {np.shape(grads['d' + n])} != {np.shape(num[n])}"
        g, g_num = np.asarray(grads["d" + n]), num[n]
        err = np.linalg.norm(g - g_num)
        if err > RTOL * (np.linalg.norm(g) + np.linalg.norm(g_num)) + ATOL:
            return f"d{n}: ||g - g_num|| = {err:.3e}, relative {rel_diff(g, g_num):.3e}"
    stacked = rel_diff(
        np.concatenate([np.ravel(grads["d" + n]) for n in names]),
        np.concatenate([np.ravel(num[n]) for n in names]),
    )
    if stacked > RTOL:
        return f"stacked relative difference {stacked:.3e}"
    return None


def assert_grads_match(grads, num, names):
    for n in names:
        assert np.linalg.norm(num[n]) > 1e-6, f"{n}: gradient too small to be a real test"
    problem = grads_mismatch(grads, num, names)
    assert problem is None, problem


def binary_data(n_x, m, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    Y = (rng.random((1, m)) < 0.5).astype(np.float64)
    Y[0, :2] = [0.0, 1.0]  # both classes present
    return X, Y


def random_params(layer_dims, seed, scale=0.7):
    rng = np.random.default_rng(seed)
    params = {}
    for layer in range(1, len(layer_dims)):
        params[f"W{layer}"] = rng.standard_normal((layer_dims[layer], layer_dims[layer - 1]))
        params[f"W{layer}"] *= scale
        params[f"b{layer}"] = 0.3 * rng.standard_normal((layer_dims[layer], 1))
    return params


def assert_away_from_kinks(params, X, hidden):
    """ReLU-type derivatives jump at Z = 0: finite differences are valid only away from it."""
    if hidden not in ("relu", "leaky_relu"):
        return
    _, caches = ref.forward_deep(params, X, hidden=hidden)
    for cache in caches[:-1]:
        assert np.min(np.abs(cache["Z"])) > 1e-4


def test_the_check_catches_wrong_gradients():
    """The criterion used below is not vacuous: plausible mistakes fail it."""
    X, Y = binary_data(3, 20, seed=40)
    params = random_params([3, 4, 1], seed=41, scale=1.0)
    names = ["W1", "b1", "W2", "b2"]
    num = numerical_grads(lambda p: ref.shallow_network(p, X, Y)[0], params)
    _, grads = ref.shallow_network(params, X, Y)
    assert grads_mismatch(grads, num, names) is None
    wrong_scale = dict(grads, db1=grads["db1"] * 1.01)
    assert "db1" in grads_mismatch(wrong_scale, num, names)
    _, wrong_act = ref.shallow_network(params, X, Y, activation="sigmoid")  # wrong g'(Z1)
    assert grads_mismatch(dict(grads, dW1=wrong_act["dW1"]), num, names) is not None
    m = X.shape[1]
    assert grads_mismatch(dict(grads, dW2=grads["dW2"] * m), num, names) is not None


# ----------------------------------------------------------------- logistic regression


def test_logistic_regression_course_values():
    # The course's propagate() test case and its published expected output.
    w = np.array([[1.0], [2.0]])
    b = 2.0
    X = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]])
    Y = np.array([[1.0, 0.0, 1.0]])
    cost, grads = ref.logistic_regression(w, b, X, Y)
    assert cost == pytest.approx(5.801545319394553, abs=1e-10)
    np.testing.assert_allclose(grads["dw"], [[0.99845601], [2.39507239]], atol=1e-8)
    assert grads["db"] == pytest.approx(0.00145557813678, abs=1e-12)
    assert isinstance(grads["db"], float)


@pytest.mark.parametrize("b_shape", [(), (1, 1)])
def test_logistic_regression_gradcheck(b_shape):
    X, Y = binary_data(4, 30, seed=0)
    rng = np.random.default_rng(1)
    params = {"w": rng.standard_normal((4, 1)), "b": np.full(b_shape, 0.3)}

    def cost_fn(p):
        return ref.logistic_regression(p["w"], p["b"], X, Y)[0]

    cost, grads = ref.logistic_regression(params["w"], params["b"], X, Y)
    assert isinstance(cost, float)
    assert grads["dw"].shape == (4, 1)
    if b_shape == ():
        assert isinstance(grads["db"], float)
    else:
        assert grads["db"].shape == (1, 1)
    assert_grads_match(grads, numerical_grads(cost_fn, params), ["w", "b"])


def test_logistic_regression_matches_naive_cost_and_accepts_1d_w():
    X, Y = binary_data(3, 20, seed=2)
    w = np.array([0.5, -0.2, 0.1])
    cost, grads = ref.logistic_regression(w, 0.1, X, Y)
    A = 1 / (1 + np.exp(-(w @ X + 0.1)))
    naive = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    assert cost == pytest.approx(naive, rel=1e-12)
    assert grads["dw"].shape == (3,)
    np.testing.assert_allclose(grads["dw"], (X @ (A - Y).T / 20).ravel(), rtol=1e-12)


def test_cost_is_finite_and_exact_for_saturated_units():
    # Z = +-1000: A rounds to exactly 1 and 0, so log(A) or log(1 - A) would be -inf.
    X = np.array([[1.0, -1.0]])
    w = np.array([[1000.0]])
    cost, grads = ref.logistic_regression(w, 0.0, X, np.array([[1.0, 0.0]]))
    assert cost == pytest.approx(0.0, abs=1e-300)
    assert np.all(np.isfinite(grads["dw"]))
    # Both examples confidently wrong: each costs |Z| = 1000.
    cost, grads = ref.logistic_regression(w, 0.0, X, np.array([[0.0, 1.0]]))
    assert cost == pytest.approx(1000.0, rel=1e-15)
    np.testing.assert_allclose(grads["dw"], [[1.0]])  # (1*1 + (-1)*(-1)) / 2


def test_sigmoid_is_accurate_in_the_tails_without_warnings():
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        s = ref.sigmoid(np.array([-800.0, -40.0, 0.0, 40.0, 800.0]))
    np.testing.assert_allclose(s[1], np.exp(-40.0), rtol=1e-14)
    assert s[0] == 0.0
    assert s[2] == 0.5
    assert s[3] == 1.0
    assert s[4] == 1.0


# ------------------------------------------------------------------ shallow network


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "leaky_relu"])
def test_shallow_network_gradcheck(activation):
    X, Y = binary_data(3, 25, seed=3)
    params = random_params([3, 5, 1], seed=4, scale=1.0)
    assert_away_from_kinks(params, X, activation)

    def cost_fn(p):
        return ref.shallow_network(p, X, Y, activation=activation)[0]

    cost, grads = ref.shallow_network(params, X, Y, activation=activation)
    assert isinstance(cost, float)
    for name in params:
        assert grads["d" + name].shape == params[name].shape
    assert_grads_match(grads, numerical_grads(cost_fn, params), ["W1", "b1", "W2", "b2"])


def test_shallow_network_default_is_tanh_and_matches_course_formulas():
    X, Y = binary_data(2, 8, seed=5)
    p = random_params([2, 4, 1], seed=6)
    cost, grads = ref.shallow_network(p, X, Y)
    # The course's backward_propagation, written out once more by hand.
    A1 = np.tanh(p["W1"] @ X + p["b1"])
    A2 = 1 / (1 + np.exp(-(p["W2"] @ A1 + p["b2"])))
    dZ2 = A2 - Y
    dZ1 = p["W2"].T @ dZ2 * (1 - A1**2)
    np.testing.assert_allclose(grads["dW2"], dZ2 @ A1.T / 8, rtol=1e-12)
    np.testing.assert_allclose(grads["db2"], dZ2.sum(axis=1, keepdims=True) / 8, rtol=1e-12)
    np.testing.assert_allclose(grads["dW1"], dZ1 @ X.T / 8, rtol=1e-12)
    np.testing.assert_allclose(grads["db1"], dZ1.sum(axis=1, keepdims=True) / 8, rtol=1e-12)
    naive = -np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    assert cost == pytest.approx(naive, rel=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "leaky_relu"])
def test_shallow_equals_deep_with_two_layers(activation):
    X, Y = binary_data(3, 12, seed=7)
    params = random_params([3, 4, 1], seed=8)
    cost_s, grads_s = ref.shallow_network(params, X, Y, activation=activation)
    cost_d, grads_d = ref.deep_network(params, X, Y, hidden=activation)
    assert cost_s == pytest.approx(cost_d, rel=1e-14)
    for key, value in grads_s.items():
        np.testing.assert_allclose(value, grads_d[key], rtol=1e-13, atol=1e-16)


def test_forward_shallow_cache():
    X, _ = binary_data(2, 6, seed=9)
    params = ref.initialize_shallow(2, 4, 1, seed=2)
    A2, cache = ref.forward_shallow(params, X)
    assert set(cache) == {"Z1", "A1", "Z2", "A2"}
    assert cache["A1"].shape == (4, 6)
    assert A2.shape == (1, 6)
    assert np.all((A2 > 0) & (A2 < 1))


# --------------------------------------------------------------------- deep network


@pytest.mark.parametrize("hidden", ["relu", "tanh", "sigmoid", "leaky_relu"])
@pytest.mark.parametrize("layer_dims", [[4, 5, 3, 1], [3, 4, 4, 3, 1]], ids=["L3", "L4"])
def test_deep_network_gradcheck(layer_dims, hidden):
    X, Y = binary_data(layer_dims[0], 20, seed=10)
    params = random_params(layer_dims, seed=11, scale=1.0)
    assert_away_from_kinks(params, X, hidden)

    def cost_fn(p):
        return ref.deep_network(p, X, Y, hidden=hidden)[0]

    cost, grads = ref.deep_network(params, X, Y, hidden=hidden)
    assert np.isfinite(cost)
    L = len(layer_dims) - 1
    names = [f"{kind}{layer}" for layer in range(1, L + 1) for kind in ("W", "b")]
    assert list(grads) == ["d" + n for n in names]  # the course's order
    assert_grads_match(grads, numerical_grads(cost_fn, params), names)


def test_deep_network_with_one_layer_is_logistic_regression():
    X, Y = binary_data(3, 15, seed=12)
    params = random_params([3, 1], seed=13)
    cost_d, grads_d = ref.deep_network(params, X, Y)
    cost_l, grads_l = ref.logistic_regression(params["W1"].T, params["b1"], X, Y)
    assert cost_d == pytest.approx(cost_l, rel=1e-14)
    np.testing.assert_allclose(grads_d["dW1"], grads_l["dw"].T, rtol=1e-13)
    np.testing.assert_allclose(grads_d["db1"], grads_l["db"], rtol=1e-13)


def test_deep_network_relu_gradient_is_zero_for_dead_units():
    X, Y = binary_data(2, 10, seed=14)
    params = random_params([2, 3, 1], seed=15)
    params["b1"][1, 0] = -100.0  # unit 2 of layer 1 never fires
    _, grads = ref.deep_network(params, X, Y, hidden="relu")
    assert np.all(grads["dW1"][1] == 0.0)
    assert grads["db1"][1, 0] == 0.0
    assert grads["dW2"][0, 1] == 0.0


def test_float32_inputs_give_float32_gradients():
    X, Y = binary_data(3, 10, seed=16)
    params = {k: v.astype(np.float32) for k, v in random_params([3, 4, 1], seed=17).items()}
    cost, grads = ref.deep_network(params, X.astype(np.float32), Y.astype(np.float32))
    assert isinstance(cost, float)
    assert all(g.dtype == np.float32 for g in grads.values())
    _, grads64 = ref.deep_network(params, X, Y)  # float64 X promotes
    assert all(g.dtype == np.float64 for g in grads64.values())


def test_inputs_are_not_modified():
    X, Y = binary_data(3, 10, seed=18)
    params = random_params([3, 4, 2, 1], seed=19)
    before = {k: v.copy() for k, v in params.items()}
    X0, Y0 = X.copy(), Y.copy()
    ref.deep_network(params, X, Y, hidden="tanh")
    ref.shallow_network(random_params([3, 4, 1], seed=1), X, Y)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Y, Y0)


# -------------------------------------------------------------------- initialization


def test_initialize_deep_reproduces_the_course():
    # The course's initialize_parameters_deep([5, 4, 3]) test with np.random.seed(3).
    params = ref.initialize_deep([5, 4, 3], seed=3)
    assert [(k, v.shape) for k, v in params.items()] == [
        ("W1", (4, 5)),
        ("b1", (4, 1)),
        ("W2", (3, 4)),
        ("b2", (3, 1)),
    ]
    np.testing.assert_allclose(
        params["W1"][0], [0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388], atol=1e-8
    )
    assert not params["b1"].any()
    assert not params["b2"].any()
    big = ref.initialize_deep([5, 4, 3], seed=3, scale=1.0)
    np.testing.assert_allclose(big["W2"], params["W2"] * 100, rtol=1e-14)


def test_initialize_shallow():
    p = ref.initialize_shallow(2, 4, 1, seed=2)
    assert {k: v.shape for k, v in p.items()} == {
        "W1": (4, 2),
        "b1": (4, 1),
        "W2": (1, 4),
        "b2": (1, 1),
    }
    assert np.max(np.abs(p["W1"])) < 0.05
    np.testing.assert_array_equal(p["W1"], ref.initialize_shallow(2, 4, 1, seed=2)["W1"])
    assert not np.array_equal(p["W1"], ref.initialize_shallow(2, 4, 1, seed=3)["W1"])
    with pytest.raises(ValueError, match="n_h must be a positive integer"):
        ref.initialize_shallow(2, 0, 1)
    with pytest.raises(ValueError, match="layer_dims"):
        ref.initialize_deep([3])


# ------------------------------------------------------------------------- errors


def test_deep_network_names_the_layer_and_the_rule():
    X, Y = binary_data(3, 10, seed=20)
    params = random_params([3, 4, 3, 1], seed=21)
    params["W2"] = np.ones((4, 3))
    msg = r"deep_network layer 2: W2 is \(4, 3\), so A1 must be \(3, m\); got \(4, 10\)"
    with pytest.raises(ValueError, match=msg):
        ref.deep_network(params, X, Y)


def test_deep_network_checks_X_against_W1():
    X, Y = binary_data(5, 10, seed=22)
    params = random_params([3, 4, 1], seed=23)
    with pytest.raises(ValueError, match=r"layer 1: W1 is \(4, 3\), so X \(A0\) must be \(3, m\)"):
        ref.deep_network(params, X, Y)


def test_bias_shape_errors():
    X, Y = binary_data(3, 10, seed=24)
    params = random_params([3, 4, 1], seed=25)
    params["b1"] = np.zeros(4)  # (4,) would broadcast wrongly: refuse it
    with pytest.raises(ValueError, match=r"layer 1: W1 is \(4, 3\), so b1 must be \(4, 1\)"):
        ref.deep_network(params, X, Y)
    with pytest.raises(ValueError, match=r"shallow_network layer 1: .*b1 must be \(4, 1\)"):
        ref.shallow_network(params, X, Y)


@pytest.mark.parametrize(
    ("Y", "pattern"),
    [
        (np.zeros(10), r"Y must be \(1, m\); got shape \(10,\) \(reshape"),
        (np.zeros((2, 10)), r"Y must be \(1, m\)"),
        (np.zeros((1, 9)), r"X is \(3, 10\), so Y must be \(1, 10\)"),
    ],
)
def test_label_shape_errors(Y, pattern):
    X, _ = binary_data(3, 10, seed=26)
    params = random_params([3, 4, 1], seed=27)
    with pytest.raises(ValueError, match=pattern):
        ref.deep_network(params, X, Y)
    with pytest.raises(ValueError, match=pattern):
        ref.shallow_network(params, X, Y)
    with pytest.raises(ValueError, match=pattern):
        ref.logistic_regression(np.zeros((3, 1)), 0.0, X, Y)


def test_logistic_regression_shape_errors():
    X, Y = binary_data(3, 10, seed=28)
    with pytest.raises(ValueError, match=r"so w must be \(3, 1\)"):
        ref.logistic_regression(np.zeros((1, 3)), 0.0, X, Y)
    with pytest.raises(ValueError, match="b must be a scalar"):
        ref.logistic_regression(np.zeros((3, 1)), np.zeros((2, 1)), X, Y)
    with pytest.raises(ValueError, match="X must be 2-D"):
        ref.logistic_regression(np.zeros((3, 1)), 0.0, X[0], Y)


def test_unknown_activation_lists_the_allowed_ones():
    X, Y = binary_data(3, 10, seed=29)
    params = random_params([3, 4, 1], seed=30)
    for call in (
        lambda: ref.shallow_network(params, X, Y, activation="softplus"),
        lambda: ref.deep_network(params, X, Y, hidden="softplus"),
    ):
        with pytest.raises(ValueError, match="'softplus'.*'tanh', 'sigmoid', 'relu', 'leaky_relu'"):
            call()


def test_missing_parameters_and_wide_output():
    X, Y = binary_data(3, 10, seed=31)
    params = random_params([3, 4, 1], seed=32)
    del params["b2"]
    with pytest.raises(ValueError, match="b2 is missing"):
        ref.deep_network(params, X, Y)
    with pytest.raises(ValueError, match="b2 is missing"):
        ref.shallow_network(params, X, Y)
    with pytest.raises(ValueError, match="no weights"):
        ref.deep_network({}, X, Y)
    wide = random_params([3, 4, 2], seed=33)
    with pytest.raises(ValueError, match=r"W2 must be \(1, n"):
        ref.deep_network(wide, X, Y)
    with pytest.raises(ValueError, match=r"W2 must\s+be \(1, n_h\)"):
        ref.shallow_network(wide, X, Y)


def test_reference_is_independent_of_the_engine():
    """The oracle must not import the code it checks: only NumPy and the standard library."""
    tree = ast.parse(inspect.getsource(ref))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0] if node.level == 0 else ".")
    assert imported <= {"__future__", "collections", "re", "typing", "numpy"}, imported
