"""Anomaly mode and strict shapes: each check fires on a real mistake, and only then."""

import inspect
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import data, debug, engine, nn, optim
from autograd_lite.debug import AnomalyError, BroadcastWarning, RankOneWarning
from autograd_lite.grad_mode import modes


def _forward_hook():
    return modes.forward_hook


def saturated_cross_entropy():
    w = al.Tensor(np.array([[1000.0, 0.0]]), requires_grad=True, name="w")
    X = np.ones((2, 3))
    Y = np.array([[1.0, 0.0, 1.0]])
    A = (w @ X).sigmoid()
    return -(Y * A.log() + (1 - Y) * (1 - A).log()).mean()


def test_forward_nan_names_op_site_and_course_hint():
    with al.detect_anomaly(), np.errstate(divide="ignore"):
        with pytest.raises(AnomalyError) as info:
            saturated_cross_entropy()
    message = str(info.value)
    assert "forward pass: log produced inf" in message
    assert "test_debug.py" in message and "saturated_cross_entropy" in message
    assert "binary_cross_entropy_with_logits" in message


def test_without_anomaly_mode_the_same_mistake_passes_silently():
    with np.errstate(divide="ignore", invalid="ignore"):
        J = saturated_cross_entropy()
    assert not np.isfinite(J.item())


def test_backward_inf_names_op_tensor_and_site():
    x = al.Tensor([0.0, 1.0], requires_grad=True, name="x")
    with al.detect_anomaly(), np.errstate(divide="ignore"):
        y = al.sqrt(x)
        y.name = "y"
        with pytest.raises(AnomalyError) as info:
            y.sum().backward()
    message = str(info.value)
    assert "backward pass" in message and "sqrt" in message and "'y'" in message
    assert "shape (2,)" in message and "y = al.sqrt(x)" in message


def test_exp_overflow_hint_points_to_stable_sigmoid():
    z = al.Tensor([800.0], requires_grad=True)
    with al.detect_anomaly(), np.errstate(over="ignore"):
        with pytest.raises(AnomalyError, match="stable sigmoid"):
            1 / (1 + al.exp(z))


def test_anomaly_mode_is_a_decorator_and_switches_off_after():
    @al.detect_anomaly()
    def bad():
        return al.log(al.Tensor([0.0], requires_grad=True))

    with np.errstate(divide="ignore"), pytest.raises(AnomalyError):
        bad()
    with np.errstate(divide="ignore"):
        assert np.isinf(bad.__wrapped__().item())  # the mode ended with the call


def test_finite_graphs_pass_anomaly_mode_with_the_same_gradients():
    x = al.Tensor(np.linspace(0.5, 2.0, 4), requires_grad=True)
    with al.detect_anomaly():
        (al.log(x) * al.sqrt(x)).sum().backward()
    expected = 1 / np.sqrt(x.data) + np.log(x.data) / (2 * np.sqrt(x.data))
    np.testing.assert_allclose(x.grad, expected)


def test_strict_shapes_warns_about_rank_one_and_outer_product_broadcasting():
    A = al.Tensor(np.random.default_rng(0).random((1, 5)), requires_grad=True)
    with warnings.catch_warnings(record=True) as caught, al.strict_shapes():
        warnings.simplefilter("always")
        outer = A - np.ones((5, 1))
        A * np.ones(5)
    kinds = {type(w.message) for w in caught}
    assert kinds == {BroadcastWarning, RankOneWarning}
    assert outer.shape == (5, 5)
    assert all(w.filename == __file__ for w in caught)


def test_strict_shapes_is_quiet_for_the_course_bias_broadcast():
    W = al.Tensor(np.ones((3, 2)), requires_grad=True)
    b = al.Tensor(np.zeros((3, 1)), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with al.strict_shapes():
            (W @ np.ones((2, 4)) + b).sum()


# ------------------------------------------------------------------ every check, one by one

def _line_of(text, func):
    """The line number of the line of ``func`` that contains ``text``."""
    source, first = inspect.getsourcelines(func)
    return first + next(i for i, line in enumerate(source) if text in line)


def anomaly(build):
    """The AnomalyError message that ``build()`` raises in anomaly mode."""
    with al.detect_anomaly(), np.errstate(all="ignore"):
        with pytest.raises(AnomalyError) as info:
            build()
    return str(info.value)


def test_the_creation_site_is_the_users_line():
    def build():
        A = al.Tensor([[1.0, 0.5]], requires_grad=True, name="A")
        B = A * 2
        return (1 - A).log() + B  # the mistake is on this line

    message = anomaly(build)
    assert f"{__file__}:{_line_of('the mistake is on this line', build)} in build" in message
    assert "return (1 - A).log() + B" in message
    assert "forward pass: log produced inf" in message and "input (1, 2)" in message


def test_forward_names_the_named_inputs_and_their_shapes():
    w = al.Tensor([[800.0, 1.0]], requires_grad=True, name="w")
    X = al.Tensor(np.ones((2, 3)), name="X")
    message = anomaly(lambda: al.exp(w @ X * 2))
    assert "forward pass: exp produced inf (input (1, 3); output (1, 3))" in message
    message = anomaly(lambda: w * al.Tensor([[1e308, 1.0]], name="big"))
    assert "mul produced inf (inputs 'w' (1, 2) and 'big' (1, 2); output (1, 2))" in message


@pytest.mark.parametrize("build, hint", [
    (lambda x: al.log(x - 1), "log of 0"),
    (lambda x: al.exp(x * 800), "stable sigmoid"),
    (lambda x: 1 / (1 + al.exp(-x * 800)), "stable sigmoid"),
    (lambda x: x / (x - 1), "division by zero"),
    (lambda x: al.sqrt(x - 2), "sqrt of a negative number"),
    (lambda x: (x - 2) ** 0.5, "negative base with a fractional exponent"),
    (lambda x: x * 1e308 * 10, "learning rate"),
])
def test_each_forward_hint(build, hint):
    x = al.Tensor([1.0, -1.0], requires_grad=True)
    message = anomaly(lambda: build(x))
    assert message.startswith("forward pass:") and hint in message


def test_log_of_a_saturated_sigmoid_points_to_the_loss_from_logits():
    message = anomaly(saturated_cross_entropy)
    assert "log of 0" in message and "nn.binary_cross_entropy_with_logits(Z, Y)" in message


def test_an_input_that_already_holds_nan_is_blamed_on_the_data():
    x = al.Tensor([1.0, np.nan], requires_grad=True, name="x")
    message = anomaly(lambda: al.exp(x))  # not "exp overflowed"
    assert "forward pass: exp produced NaN (input 'x' (2,)" in message
    assert "already holds NaN/inf" in message


def test_backward_inf_with_a_finite_forward_pass():
    x = al.Tensor([1e-160, 1.0], requires_grad=True, name="x")
    with al.detect_anomaly(), np.errstate(all="ignore"):
        r = 1 / x  # 1e160 is finite, its derivative -1/x² = -1e320 is not
        r.name = "r"
        with pytest.raises(AnomalyError) as info:
            r.sum().backward()
    message = str(info.value)
    assert "backward pass: the local gradient of div for its input 1 'x' (shape (2,))" in message
    assert "holds inf; output 'r' has shape (2,)" in message
    assert "r = 1 / x  # 1e160 is finite" in message and "d(a/b)/db" in message


@pytest.mark.parametrize("values, build, op, hint", [
    ([1e-320, 1.0], lambda x: al.log(x), "log", "d log z/dz = 1/z is infinite at z = 0"),
    ([0.0, 1.0], lambda x: al.sqrt(x), "sqrt", "add a small epsilon inside the sqrt"),
    ([1e-160, 1.0], lambda x: 1 / x, "div", "d(a/b)/db = -a/b² is infinite at b = 0"),
    ([0.0, 1.0], lambda x: x**0.5, "pow", "d(a^p)/da = p a^(p-1) is infinite at a = 0 when p < 1"),
    # x · reversed x = (1, 1), times 1e200: finite; its derivative 1e200 · 1e200 is not
    ([1e200, 1e-200], lambda x: x * x[::-1] * 1e200, "mul", "upstream gradient was already huge"),
])
def test_each_backward_hint(values, build, op, hint):
    x = al.Tensor(values, requires_grad=True)
    with al.detect_anomaly(), np.errstate(all="ignore"):
        J = build(x).sum()
        assert np.isfinite(J.item())  # only the backward pass overflows
        with pytest.raises(AnomalyError) as info:
            J.backward()
    message = str(info.value)
    assert message.startswith(f"backward pass: the local gradient of {op} for its input")
    assert hint in message


def test_backward_pow_at_zero_has_its_own_hint():
    x = al.Tensor([0.0, 4.0], requires_grad=True)
    with al.detect_anomaly(), np.errstate(all="ignore"):
        y = x**0.5
        with pytest.raises(AnomalyError, match=r"backward pass: the local gradient of pow.*p < 1"):
            y.sum().backward()


def test_backward_of_an_op_made_before_the_mode_says_so():
    x = al.Tensor([0.0], requires_grad=True)
    with np.errstate(all="ignore"):
        y = al.sqrt(x).sum()
        with al.detect_anomaly(), pytest.raises(AnomalyError, match="created before"):
            y.backward()


def test_create_graph_backward_is_checked_as_the_backward_pass():
    x = al.Tensor([0.0, 1.0], requires_grad=True, name="x")
    with al.detect_anomaly(), np.errstate(all="ignore"):
        y = al.sqrt(x)
        y.name = "y"
        with pytest.raises(AnomalyError) as info:
            engine.gradients(y.sum(), [x], create_graph=True)
    message = str(info.value)
    assert message.startswith("backward pass (create_graph=True): the local gradient of sqrt")
    assert "'y'" in message and "y = al.sqrt(x)" in message and "1/(2√z)" in message


def test_the_hooks_are_off_by_default_and_restored_after_nested_modes():
    assert _forward_hook() is None and engine.backward_hook() is None
    with al.strict_shapes():
        assert _forward_hook() is not None and engine.backward_hook() is None
        with al.detect_anomaly():
            assert _forward_hook() is not None and engine.backward_hook() is not None
            with al.detect_anomaly(), al.strict_shapes():
                pass
            assert engine.backward_hook() is not None  # the outer anomaly mode is still on
        assert _forward_hook() is not None and engine.backward_hook() is None
        assert not debug._State.creation_sites
    assert _forward_hook() is None and engine.backward_hook() is None


def test_the_hooks_are_restored_after_an_error_inside_the_mode():
    with pytest.raises(AnomalyError):
        with al.detect_anomaly(), al.strict_shapes(), np.errstate(all="ignore"):
            al.log(al.Tensor([0.0]))
    assert _forward_hook() is None and engine.backward_hook() is None
    assert debug._State.anomaly_depth == 0 and debug._State.strict_depth == 0


def test_both_modes_decorate_with_and_without_parentheses():
    @al.detect_anomaly
    def bare():
        return _forward_hook(), engine.backward_hook()

    @al.strict_shapes()
    def called():
        return _forward_hook(), engine.backward_hook()

    assert all(hook is not None for hook in bare())
    forward, backward = called()
    assert forward is not None and backward is None
    assert bare.__name__ == "bare" and _forward_hook() is None
    with pytest.raises(TypeError):
        al.detect_anomaly(3)


def test_a_long_run_in_anomaly_mode_does_not_accumulate_creation_sites():
    w = al.Tensor(np.ones((3, 3)), requires_grad=True)
    with al.detect_anomaly():
        for step in range(200):
            J = al.tanh(w @ np.ones((3, 4))).sum()
            J.backward()
            if step == 9:
                after_ten = len(debug._State.creation_sites)
        assert len(debug._State.creation_sites) <= after_ten


def test_anomaly_mode_names_the_op_where_a_too_large_learning_rate_makes_fit_diverge():
    X, Y = data.planar_flower(m=100)
    model = nn.MLP([2, 4, 1], hidden="tanh", output=None, seed=0)
    with pytest.raises(FloatingPointError, match="learning rate is probably too large"):
        with np.errstate(all="ignore"):
            nn.fit(model, X, Y, nn.squared_error, optim.SGD(model, lr=1e3), 50, progress=False)

    model = nn.MLP([2, 4, 1], hidden="tanh", output=None, seed=0)
    with al.detect_anomaly(), np.errstate(all="ignore"):
        with pytest.raises(AnomalyError) as info:
            nn.fit(model, X, Y, nn.squared_error, optim.SGD(model, lr=1e3), 50, progress=False)
    message = str(info.value)
    assert message.startswith("forward pass: mul produced inf (inputs (1, 100) and (1, 100)")
    assert f"{__file__}:" in message and "nn.fit(model" in message
    assert "via autograd_lite/nn/losses.py" in message and "in squared_error" in message
    assert "learning rate" in message


# ------------------------------------------------------------------ strict shapes

def test_strict_shapes_warns_on_the_users_line_once_per_line():
    A = al.Tensor(np.ones((1, 3)), requires_grad=True)
    Y = np.ones((3, 1))

    def loop():
        for _ in range(5):
            ((A - Y) ** 2).mean()  # the wrong way round

    with warnings.catch_warnings(record=True) as caught, al.strict_shapes():
        warnings.simplefilter("default")
        loop()
    assert len(caught) == 1 and caught[0].category is BroadcastWarning
    assert caught[0].filename == __file__
    assert caught[0].lineno == _line_of("the wrong way round", loop)
    # The exact (1, m) with (m, 1) is the default warning's (tests/test_reliability_traps.py).
    assert "sub: (1, 3) and (3, 1) broadcast to (3, 3)" in str(caught[0].message)


def test_strict_shapes_warns_about_every_outer_product():
    A = al.Tensor(np.ones((1, 3)), requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        A * np.ones((2, 1))  # not the transposed Y: quiet by default
        assert caught == []
        with al.strict_shapes():
            A * np.ones((2, 1))
    assert len(caught) == 1 and caught[0].category is BroadcastWarning
    assert "mul: broadcasting (1, 3) with (2, 1) gave (2, 3), an outer product" in str(
        caught[0].message
    )


def test_strict_shapes_follows_the_warning_filters():
    with warnings.catch_warnings(), al.strict_shapes():
        warnings.simplefilter("error", RankOneWarning)
        with pytest.raises(RankOneWarning, match=r"rank-1 array of shape \(4,\)"):
            al.Tensor(np.ones(4), requires_grad=True) * 2


def test_strict_shapes_rank_one_message_says_how_to_reshape():
    with warnings.catch_warnings(record=True) as caught, al.strict_shapes():
        warnings.simplefilter("always")
        al.Tensor(np.ones((2, 4))) @ np.ones(4)
    (warning,) = caught
    assert "matmul: a rank-1 array of shape (4,)" in str(warning.message)
    assert "(4, 1) or (1, 4)" in str(warning.message)


def test_strict_shapes_is_quiet_for_matmul_dense_scalars_and_single_elements():
    W = al.Tensor(np.ones((3, 2)), requires_grad=True)
    b = al.Tensor(np.zeros((3, 1)), requires_grad=True)
    A = np.ones((2, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with al.strict_shapes():
            Z = W @ A + b
            al.ops.losses.linear(W, A, b)
            al.sigmoid(Z * 2.0 + np.ones((1, 1))).mean()
            (W.T @ W + al.Tensor(np.ones(1))).sum()  # (1,) is a number, not a vector


@pytest.mark.parametrize("loss, output, classes", [
    (nn.binary_cross_entropy, "sigmoid", 1),
    (nn.binary_cross_entropy_with_logits, None, 1),
    (nn.squared_error, None, 1),
    (nn.cross_entropy, None, 2),
])
def test_strict_shapes_is_quiet_while_the_course_networks_train(loss, output, classes):
    X, Y = data.planar_flower(m=40)
    if classes == 2:
        Y = np.vstack([Y, 1 - Y])
    model = nn.MLP([2, 4, classes], hidden="relu", output=output, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with al.strict_shapes(), al.detect_anomaly():
            nn.fit(model, X, Y, loss, optim.Adam(model, lr=0.01), 3, batch_size=16,
                   progress=False)
            model.predict(X)


# ------------------------------------------------------------------ the README's examples

def _readme_examples():
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## When gradients go wrong"):]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)[:2]


def _run_example(tmp_path, code):
    path = tmp_path / "example.py"
    path.write_text(code, encoding="utf-8")
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          cwd=tmp_path).stderr


def test_the_readme_anomaly_example_shows_what_it_raises(tmp_path):
    code, _ = _readme_examples()
    shown = " ".join(line.lstrip("# ") for line in code.splitlines() if line.startswith("# "))
    raised = _run_example(tmp_path, code).strip().splitlines()[-1]
    assert raised.startswith("autograd_lite.debug.AnomalyError: ")
    for text in (shown, raised):
        assert "forward pass: log produced inf (input (1, 3); output (1, 3))" in text
        assert "use nn.binary_cross_entropy_with_logits(Z, Y)" in text
    site = r"example\.py:(\d+) in <module>: J = -\(Y \* A\.log\(\)"
    assert re.search(site, shown).group(1) == re.search(site, raised).group(1)


def test_the_readme_broadcast_example_warns_as_shown(tmp_path):
    _, code = _readme_examples()
    shown = "BroadcastWarning: sub: (1, 5) and (5, 1)"
    assert shown in code
    assert "transpose the (5, 1)" in code and "reshape it to (1, 5)" in code
    warned = _run_example(tmp_path, "import numpy as np\nimport autograd_lite as al\n" + code)
    assert f"{shown} broadcast to (5, 5)" in warned
    assert "transpose the (5, 1) one (Y.T) or reshape it to (1, 5)" in warned
