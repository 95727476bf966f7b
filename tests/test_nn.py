"""nn: layers in the course's layout, the L-layer network, inits, summary, fit.

The gradient tests use two independent oracles: the course's hand-derived
backward passes (autograd_lite.reference) and two-sided numerical differences.
"""

from __future__ import annotations

import io
import sys
import types

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import data, nn, optim, reference
from tests.numerical import numerical_gradient, relative_difference


def binary_data(n_x, m, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    Y = (rng.random((1, m)) < 0.5).astype(np.float64)
    Y[0, :2] = [0.0, 1.0]
    return X, Y


# --------------------------------------------------------------------------- layers


def test_dense_shapes_follow_the_course():
    layer = nn.Dense(4, 3, activation="relu", seed=0)
    assert layer.W.shape == (3, 4) and layer.b.shape == (3, 1)
    np.testing.assert_array_equal(layer.b.data, 0.0)
    A = layer(np.ones((4, 10)))
    assert A.shape == (3, 10)
    np.testing.assert_allclose(A.data, np.maximum(layer.W.data @ np.ones((4, 10)), 0))
    assert [name for name, _ in layer.named_parameters()] == ["W", "b"]


def test_dense_wrong_input_names_the_layer_and_the_course_shapes():
    model = nn.Sequential(nn.Dense(2, 3, "relu"), nn.Dense(3, 4, "relu"),
                          nn.Dense(4, 1, "sigmoid"))
    with pytest.raises(al.ShapeError) as err:
        model[1](np.zeros((5, 10)))
    assert str(err.value) == "Dense layer 2: W^[2] is (4, 3), so A^[1] must be (3, m); got (5, 10)"
    with pytest.raises(al.ShapeError, match=r"Dense layer 1: W\^\[1\] is \(3, 2\), so X = "
                                             r"A\^\[0\] must be \(2, m\); got \(10, 2\).*X\.T"):
        model(np.zeros((10, 2)))
    with pytest.raises(al.ShapeError, match=r"reshape it to \(2, 1\)"):
        model(np.zeros(2))
    with pytest.raises(al.ShapeError, match=r"Dense layer: W is \(3, 2\), so its input"):
        nn.Dense(2, 3)(np.zeros((4, 1)))


def test_bad_layer_arguments_are_refused():
    with pytest.raises(ValueError, match="unknown init 'uniform'"):
        nn.Dense(2, 3, init="uniform")
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        nn.Dense(2, 3, activation="swish")
    with pytest.raises(ValueError, match="n_out must be a positive integer"):
        nn.Dense(2, 0)
    with pytest.raises(ValueError, match="layer_dims"):
        nn.MLP([3])
    with pytest.raises(TypeError, match="not an nn.Module"):
        nn.Sequential(nn.Dense(2, 2), "relu")


@pytest.mark.parametrize("init, scale", [("he", lambda n: np.sqrt(2 / n)),
                                         ("xavier", lambda n: np.sqrt(1 / n)),
                                         ("small", lambda n: 0.01)])
def test_inits_are_reproducible_and_scaled(init, scale):
    a = nn.Dense(400, 300, init=init, seed=7)
    b = nn.Dense(400, 300, init=init, seed=7)
    c = nn.Dense(400, 300, init=init, seed=8)
    np.testing.assert_array_equal(a.W.data, b.W.data)
    assert not np.array_equal(a.W.data, c.W.data)
    assert a.W.data.std() == pytest.approx(scale(400), rel=0.02)
    np.testing.assert_array_equal(
        a.W.data, np.random.RandomState(7).randn(300, 400) * scale(400)
    )


def test_small_init_is_the_courses_initialize_parameters_deep():
    dims = [5, 4, 3, 1]
    model = nn.MLP(dims, init="small", seed=3)
    expected = reference.initialize_deep(dims, seed=3)
    state = model.state_dict()
    assert list(state) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for key, value in expected.items():
        np.testing.assert_array_equal(state[key], value)


def test_zeros_init_keeps_every_hidden_unit_the_same():
    """The course's symmetry problem: with zeros, all units of a layer learn the same thing."""
    X, Y = data.xor(m=40, seed=0)
    model = nn.MLP([2, 3, 1], hidden="tanh", init="zeros")
    model[0].b.data[:] = 0.1  # break the trivial all-zero fixed point, keep the symmetry
    nn.fit(model, X, Y, nn.binary_cross_entropy, optim.SGD(model, lr=0.5), 50, progress=False)
    W1 = model[0].W.data
    np.testing.assert_allclose(W1, np.broadcast_to(W1[0], W1.shape), atol=1e-12)


def test_mlp_parameters_use_the_course_names_and_load_a_course_dictionary():
    dims = [3, 4, 2, 1]
    params = reference.initialize_deep(dims, seed=5, scale=0.5)
    model = nn.MLP(dims, hidden="tanh")
    assert [name for name, _ in model.named_parameters()] == list(params)
    model.load_state_dict(params)
    for name, p in model.named_parameters():
        np.testing.assert_array_equal(p.data, params[name])
        # the tensors carry the course's names (for graph pictures): W1 is W^[1]
        assert p.name == f"{name[0]}^[{name[1:]}]"
    X = np.random.default_rng(0).standard_normal((3, 6))
    AL, _ = reference.forward_deep(params, X, hidden="tanh")
    np.testing.assert_allclose(model(X).data, AL, rtol=1e-13)
    rebuilt = nn.MLP.from_parameters(params, hidden="tanh")
    assert rebuilt.layer_dims == dims
    np.testing.assert_allclose(rebuilt(X).data, AL, rtol=1e-13)


def test_load_state_dict_checks_everything_and_changes_nothing_on_error():
    model = nn.MLP([2, 3, 1], seed=0)
    before = model.state_dict()
    good = nn.MLP([2, 3, 1], seed=1).state_dict()
    bad = dict(good, W2=np.zeros((3, 1)))  # W2 transposed
    with pytest.raises(nn.StateDictError, match=r"W2 is \(3, 1\) where the model's W2 is \(1, 3\)"):
        model.load_state_dict(bad)
    missing = {k: v for k, v in good.items() if k != "b1"}
    with pytest.raises(nn.StateDictError, match="missing b1"):
        model.load_state_dict(missing)
    with pytest.raises(nn.StateDictError, match="unexpected W3"):
        model.load_state_dict(dict(good, W3=np.zeros((1, 1))))
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])
    model.load_state_dict(good)
    np.testing.assert_array_equal(model.state_dict()["W1"], good["W1"])
    good["W1"][0, 0] = 42.0  # the model holds copies, not the caller's arrays
    assert model.state_dict()["W1"][0, 0] != 42.0


def test_summary_prints_every_shape_for_m():
    model = nn.MLP([2, 4, 1], hidden="tanh")
    out = io.StringIO()
    model.summary(400, file=out)
    text = out.getvalue()
    for row in (["1", "Dense tanh", "(4, 2)", "(4, 1)", "(4, 400)", "(4, 400)", "12"],
                ["2", "Dense sigmoid", "(1, 4)", "(1, 1)", "(1, 400)", "(1, 400)", "5"]):
        assert any(line.split("  ") and all(cell in line for cell in row)
                   for line in text.splitlines()), row
    assert "(2, 400)" in text  # A^[0] = X
    assert "Total parameters: 17" in text
    assert "(4, m)" in model.summary_table()


def test_sequential_and_custom_modules_register_parameters():
    class Logistic(nn.Module):
        def __init__(self, n_x):
            super().__init__()
            self.w = nn.Parameter(np.zeros((n_x, 1)), name="w")
            self.b = nn.Parameter(0.0, name="b")
            self.not_a_parameter = al.Tensor(1.0)

        def forward(self, X):
            return al.sigmoid(self.w.T @ X + self.b)

    model = Logistic(3)
    assert [n for n, _ in model.named_parameters()] == ["w", "b"]
    seq = nn.Sequential(nn.Dense(3, 2), nn.Dense(2, 1))
    assert [n for n, _ in seq.named_parameters()] == ["0.W", "0.b", "1.W", "1.b"]
    assert seq.num_parameters() == 3 * 2 + 2 + 2 + 1
    shared = nn.Dense(2, 2)
    assert len(nn.Sequential(shared, shared).parameters()) == 2

    class Forgot(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(1.0)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Forgot()


def test_zero_grad_forgets_gradients():
    model = nn.MLP([2, 2, 1], seed=0)
    X, Y = binary_data(2, 5, seed=1)
    nn.binary_cross_entropy(model(X), Y).backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(np.all(p.grad == 0) for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


# ----------------------------------------------------------- autodiff = hand-derived = numerical


def autodiff_grads(model, X, Y):
    model.zero_grad()
    J = nn.binary_cross_entropy(model(X), Y)
    J.backward()
    return J.item(), {f"d{name}": p.grad.copy() for name, p in model.named_parameters()}


def numerical_cost(model, X, Y):
    names = [name for name, _ in model.named_parameters()]

    def cost(*arrays):
        with al.no_grad():
            model.load_state_dict(dict(zip(names, arrays)))
            return nn.binary_cross_entropy(model(X), Y).item()

    return names, cost


def check_three_ways(model, X, Y, reference_grads, reference_cost):
    J, grads = autodiff_grads(model, X, Y)
    assert J == pytest.approx(reference_cost, rel=1e-13)
    assert set(grads) == set(reference_grads)
    for key, g in grads.items():
        ref_g = np.asarray(reference_grads[key]).reshape(g.shape)
        assert np.linalg.norm(g) > 1e-6, f"{key} too small to test anything"
        assert relative_difference(g, ref_g) < 1e-12, key
    names, cost = numerical_cost(model, X, Y)
    arrays = [p.data.copy() for p in model.parameters()]
    for i, name in enumerate(names):
        g_num = numerical_gradient(cost, arrays, i)
        assert relative_difference(grads[f"d{name}"], g_num) < 1e-7, name
    model.load_state_dict(dict(zip(names, arrays)))


def test_logistic_regression_autodiff_equals_reference_and_numerical():
    X, Y = binary_data(4, 30, seed=2)
    model = nn.MLP([4, 1], init="xavier", seed=3)
    model[0].b.data[:] = 0.2
    w, b = model[0].W.data.T, model[0].b.data[0, 0]
    cost, g = reference.logistic_regression(w, b, X, Y)
    check_three_ways(model, X, Y, {"dW1": g["dw"].T, "db1": g["db"]}, cost)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "leaky_relu"])
def test_shallow_network_autodiff_equals_reference_and_numerical(activation):
    X, Y = binary_data(3, 25, seed=4)
    params = {k: v * 3 for k, v in reference.initialize_shallow(3, 5, seed=1, scale=0.3).items()}
    params["b1"] = np.random.default_rng(5).standard_normal((5, 1)) * 0.3
    model = nn.MLP.from_parameters(params, hidden=activation)
    cost, grads = reference.shallow_network(params, X, Y, activation=activation)
    check_three_ways(model, X, Y, grads, cost)


@pytest.mark.parametrize("hidden", ["relu", "tanh"])
def test_deep_network_autodiff_equals_reference_and_numerical(hidden):
    X, Y = binary_data(5, 20, seed=6)
    model = nn.MLP([5, 6, 4, 3, 1], hidden=hidden, init="he", seed=1)
    rng = np.random.default_rng(8)
    for layer in model:
        layer.b.data[:] = rng.standard_normal(layer.b.shape) * 0.2
    params = model.state_dict()
    if hidden == "relu":  # numerical differences are valid only away from the kink Z = 0
        _, caches = reference.forward_deep(params, X, hidden=hidden)
        assert min(np.min(np.abs(c["Z"])) for c in caches[:-1]) > 1e-5
    cost, grads = reference.deep_network(params, X, Y, hidden=hidden)
    check_three_ways(model, X, Y, grads, cost)


def test_float32_model_trains_in_float32():
    X, Y = data.xor(m=40, seed=1)
    model = nn.MLP([2, 4, 1], hidden="tanh", dtype=np.float32, seed=0)
    nn.fit(model, X, Y, nn.binary_cross_entropy, optim.Adam(model, lr=0.05), 5, progress=False)
    for p in model.parameters():
        assert p.dtype == np.float32 and p.grad.dtype == np.float32
    assert model(X).dtype == np.float32


# --------------------------------------------------------------------------- training


def test_course_shallow_network_on_the_flower_data_reaches_90_percent():
    """The course: 4 tanh units, W = randn * 0.01 after seed 2, α = 1.2, 10000 iterations: ~90%."""
    X, Y = data.planar_flower()
    model = nn.MLP([2, 4, 1], hidden="tanh", init="small", seed=2)
    costs = nn.fit(model, X, Y, nn.binary_cross_entropy, optim.SGD(model.parameters(), lr=1.2),
                   epochs=10000, progress=False)
    assert len(costs) == 10000
    assert costs[0] == pytest.approx(np.log(2), abs=1e-3)  # tiny weights: A ≈ 0.5
    assert costs[-1] < 0.23
    assert data.accuracy(model.predict(X), Y) >= 0.88


def test_logistic_regression_separates_separable_data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 200))
    Y = (X[0] - 2 * X[1] + 0.3 > 0).astype(float).reshape(1, -1)
    margin = np.abs(X[0] - 2 * X[1] + 0.3) > 0.1
    X, Y = X[:, margin], Y[:, margin]
    model = nn.MLP([2, 1], init="zeros")
    costs = nn.fit(model, X, Y, "binary_cross_entropy", optim.SGD(model, lr=1.0), 2000,
                   progress=False)
    assert data.accuracy(model.predict(X), Y) == 1.0
    assert all(b <= a + 1e-12 for a, b in zip(costs, costs[1:]))  # gradient descent: J falls


def test_deep_network_learns_digits_with_mini_batches():
    X_train, Y_train, X_test, Y_test = data.digits(positive=3, seed=0)
    model = nn.MLP([64, 20, 7, 5, 1], hidden="relu", seed=1)
    costs = nn.fit(model, X_train, Y_train, nn.binary_cross_entropy,
                   optim.Adam(model.parameters(), lr=0.01), epochs=8, batch_size=64,
                   progress=False)
    assert costs[-1] < costs[0]
    assert data.accuracy(model.predict(X_test), Y_test) > 0.95


def test_softmax_network_on_ten_digits():
    X_train, Y_train, X_test, Y_test = data.digits(seed=0)
    model = nn.MLP([64, 32, 10], hidden="relu", output=None, seed=0)
    nn.fit(model, X_train, Y_train, nn.cross_entropy, optim.Adam(model, lr=0.01), 10,
           batch_size=128, progress=False)
    assert data.accuracy(model.predict(X_test), Y_test) > 0.9


def test_fit_mini_batches_cover_every_example_once_per_epoch():
    X = np.arange(10.0).reshape(1, 10)
    Y = np.zeros((1, 10))
    seen = []

    def model(batch):
        seen.append(np.asarray(batch).ravel().tolist())
        return al.Tensor(np.zeros((1, batch.shape[1])), requires_grad=True) + w

    w = al.Tensor(0.0, requires_grad=True)
    nn.fit(model, X, Y, nn.squared_error, optim.SGD([w], lr=0.1), epochs=2, batch_size=4,
           progress=False)
    assert [len(b) for b in seen] == [4, 4, 2, 4, 4, 2]
    assert sorted(sum(seen[:3], [])) == list(range(10))
    assert sorted(sum(seen[3:], [])) == list(range(10))


def test_fit_progress_bar_is_off_when_output_is_not_a_terminal(capsys):
    X, Y = data.xor(m=20, seed=0)
    model = nn.MLP([2, 2, 1], seed=0)
    nn.fit(model, X, Y, nn.binary_cross_entropy, optim.SGD(model, lr=0.1), 3, progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


class _FakeKernelShell:
    config = {"IPKernelApp": {"connection_file": "kernel.json"}}


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _fake_ipython(monkeypatch, shell) -> None:
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", fake)


def test_fit_progress_bar_shows_in_a_notebook_where_stderr_is_not_a_terminal(
    capsys, monkeypatch
):
    from autograd_lite.nn.fit import show_progress

    _fake_ipython(monkeypatch, _FakeKernelShell())
    assert show_progress(True, io.StringIO())
    assert not show_progress(False, io.StringIO())
    X, Y = data.xor(m=20, seed=0)
    model = nn.MLP([2, 2, 1], seed=0)
    nn.fit(model, X, Y, nn.binary_cross_entropy, optim.SGD(model, lr=0.1), 3, progress=True,
           desc="xor")
    assert "xor" in capsys.readouterr().err  # the bar (a text bar without ipywidgets)


def test_fit_progress_bar_decision_terminal_pipe_and_plain_ipython(monkeypatch):
    from autograd_lite.nn.fit import in_notebook, show_progress

    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert not in_notebook()
    assert show_progress(True, _Terminal())  # a terminal: shown
    assert not show_progress(True, io.StringIO())  # a pipe or a file: silent
    assert not show_progress(False, _Terminal())  # not asked for
    _fake_ipython(monkeypatch, None)  # IPython imported, but no shell running
    assert not in_notebook() and not show_progress(True, io.StringIO())
    terminal_ipython = types.SimpleNamespace(config={"TerminalIPythonApp": {}})
    _fake_ipython(monkeypatch, terminal_ipython)  # IPython in a terminal: stderr decides
    assert not show_progress(True, io.StringIO())
    assert show_progress(True, _Terminal())


def test_fit_reports_a_diverging_cost():
    X = np.array([[1e3, -1e3, 2e3]])
    Y = np.array([[1.0, 0.0, 3.0]])
    model = nn.MLP([1, 1], output=None, seed=0)
    with pytest.raises(FloatingPointError, match="learning rate") as err, np.errstate(all="ignore"):
        nn.fit(model, X, Y, nn.squared_error, optim.SGD(model, lr=10.0), 500, progress=False)
    assert len(err.value.history) < 500


def test_fit_checks_its_arguments():
    model = nn.MLP([2, 1])
    opt = optim.SGD(model, lr=0.1)
    X = np.zeros((2, 5))
    with pytest.raises(ValueError, match=r"Y must have m = 5 columns.*reshape\(1, -1\)"):
        nn.fit(model, X, np.zeros(5), "binary_cross_entropy", opt, 1)
    with pytest.raises(ValueError, match="batch_size"):
        nn.fit(model, X, np.zeros((1, 5)), "binary_cross_entropy", opt, 1, batch_size=0)
    with pytest.raises(ValueError, match="unknown loss"):
        nn.fit(model, X, np.zeros((1, 5)), "hinge", opt, 1)
    with pytest.raises(TypeError, match="step"):
        nn.fit(model, X, np.zeros((1, 5)), "binary_cross_entropy", object(), 1)
