"""`autograd-lite check` and `autograd-lite train`, and the deep-network demo."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

from autograd_lite import nn, reference
from autograd_lite.cli import main


def run_cli(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --------------------------------------------------------------------------- check


def test_check_prints_the_table_and_passes(capsys):
    code, out, err = run_cli(capsys, "check")
    assert code == 0, out + err
    for title in ("Logistic regression", "Shallow network", "Deep network [2, 20, 7, 5, 1]"):
        assert title in out
    for name in ("dw", "db", "dW1", "db1", "dW4", "db4"):
        assert f"\n  {name} " in out
    assert "max |autodiff - reference|" in out and "relative difference" in out
    assert "FAIL" not in out
    assert "All 3 models" in out


def test_check_with_numerical_differences(capsys):
    code, out, _ = run_cli(capsys, "check", "--numerical", "--layers", "5,3", "-m", "20",
                           "--activation", "tanh")
    assert code == 0
    assert out.count("numerical gradient check on the first 20 examples: passed") == 3


def test_check_exits_non_zero_on_a_mismatch(capsys, monkeypatch):
    real = reference.deep_network

    def off_by_a_bit(params, X, Y, hidden="relu"):
        cost, grads = real(params, X, Y, hidden=hidden)
        return cost, dict(grads, dW2=grads["dW2"] * 1.001)

    monkeypatch.setattr(reference, "deep_network", off_by_a_bit)
    code, out, _ = run_cli(capsys, "check")
    assert code == 1
    assert "MISMATCH" in out and "Deep network" in out.split("MISMATCH")[1]
    dW2_line = next(line for line in out.splitlines() if line.strip().startswith("dW2")
                    and "FAIL" in line)
    assert "(7, 20)" in dW2_line


@pytest.mark.parametrize("argv, message", [
    (["check", "--layers", "20,x"], "--layers must be comma-separated positive integers"),
    (["check", "--layers", "0"], "--layers"),
    (["check", "-m", "7"], "--examples must be an even number"),
    (["check", "--tol", "-1"], "--tol"),
])
def test_check_user_mistakes_are_one_line_exit_2(capsys, argv, message):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


# --------------------------------------------------------------------------- train


def test_train_flower_prints_accuracies(capsys):
    code, out, err = run_cli(capsys, "train", "--data", "flower", "--epochs", "3000",
                             "--no-progress")
    assert code == 0, err
    assert "Total parameters: 17" in out and "(4, 320)" in out  # summary for m = 320
    train = float(out.split("train accuracy:")[1].split("%")[0])
    test = float(out.split("test accuracy:")[1].split("%")[0])
    assert train > 85 and test > 80


def test_train_deep_digits_save_and_plot(capsys, tmp_path):
    model_path = tmp_path / "digits.npz"
    plot_path = tmp_path / "cost.png"
    code, out, err = run_cli(
        capsys, "train", "--data", "digits", "--digit", "3", "--model", "deep",
        "--layers", "20,7,5", "--optimizer", "adam", "--epochs", "5", "--batch-size", "64",
        "--seed", "0", "--no-progress", "--save", str(model_path), "--plot", str(plot_path),
    )
    assert code == 0, err
    assert "MLP [64, 20, 7, 5, 1]" in out
    assert float(out.split("test accuracy:")[1].split("%")[0]) > 90
    model = nn.load_model(model_path)
    assert model.layer_dims == [64, 20, 7, 5, 1]
    if importlib.util.find_spec("matplotlib"):
        assert plot_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("argv", [
    ["--data", "xor", "--epochs", "300", "--optimizer", "momentum"],
    ["--data", "parity", "--bits", "3", "--layers", "6", "--epochs", "300"],
    ["--data", "breast_cancer", "--model", "logistic", "--epochs", "50"],
    ["--data", "digits", "--epochs", "2", "--dtype", "float32"],
])
def test_train_each_data_set(capsys, argv):
    code, out, err = run_cli(capsys, "train", *argv, "--no-progress")
    assert code == 0, err
    assert "train accuracy" in out and "test accuracy" in out


def test_train_plot_without_matplotlib_says_how_to_install(capsys, monkeypatch, tmp_path):
    for name in [name for name in sys.modules if name.split(".")[0] == "matplotlib"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    code, _, err = run_cli(capsys, "train", "--epochs", "1", "--plot", str(tmp_path / "c.png"))
    assert code == 2
    assert "pip install" in err and "matplotlib" in err


@pytest.mark.parametrize("argv, message", [
    (["--layers", "4,x"], "--layers must be comma-separated positive integers"),
    (["--model", "logistic", "--layers", "3"], "does not apply to --model logistic"),
    (["--model", "shallow", "--layers", "4,4"], "one hidden layer"),
    (["--lr", "-0.1"], "--lr must be a positive number"),
    (["--epochs", "0"], "--epochs must be at least 1"),
    (["--batch-size", "0"], "--batch-size"),
    (["--digit", "3"], "--digit applies to --data digits only"),
    (["--data", "digits", "--digit", "12"], "--digit must be 0..9"),
    (["--test-size", "1.5"], "--test-size"),
    (["--plot", "cost.xyz"], "unknown picture format"),
])
def test_train_user_mistakes_are_one_line_exit_2(capsys, argv, message):
    if "--plot" in argv and not importlib.util.find_spec("matplotlib"):
        pytest.skip("matplotlib is not installed")
    with np.errstate(all="ignore"):
        code, _, err = run_cli(capsys, "train", "--no-progress", *argv)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


def test_train_a_diverging_cost_is_a_user_error(capsys, monkeypatch):
    def diverging_fit(*args, **kwargs):
        raise FloatingPointError("fit: the cost became nan in epoch 3; the learning rate is "
                                 "probably too large")

    monkeypatch.setattr(nn, "fit", diverging_fit)
    code, _, err = run_cli(capsys, "train", "--lr", "50", "--no-progress")
    assert code == 2
    assert "try a smaller --lr (now 50)" in err and len(err.strip().splitlines()) == 1


def test_train_deep_on_the_default_data_gets_its_own_learning_rate(capsys):
    # The flower's default lr 1.2 is the shallow tanh network's; a deep ReLU network
    # with it ends near 60% (and the student concludes that depth hurts).
    code, out, err = run_cli(capsys, "train", "--model", "deep", "--epochs", "2000",
                             "--no-progress")
    assert code == 0, err
    assert "training: sgd, lr 0.1," in out
    assert float(out.split("test accuracy:")[1].split("%")[0]) > 80
    code, out, err = run_cli(capsys, "train", "--model", "deep", "--epochs", "2000", "--lr",
                             "1.2", "--no-progress")
    assert code == 0, err
    assert float(out.split("test accuracy:")[1].split("%")[0]) < 70  # what 1.2 gave
    assert "warning" not in out


@pytest.mark.parametrize("argv, lr", [
    ([], "1.2"),  # the flower's own shallow network
    (["--model", "logistic"], "0.5"),
    (["--data", "breast_cancer", "--model", "shallow"], "1"),
    (["--data", "digits", "--model", "shallow"], "0.01"),  # digits train with Adam
    (["--optimizer", "adam"], "0.01"),
])
def test_train_default_learning_rate_per_model(capsys, argv, lr):
    code, out, err = run_cli(capsys, "train", *argv, "--epochs", "1", "--no-progress")
    assert code == 0, err
    assert f", lr {lr}, " in out


def test_train_says_when_the_cost_goes_up(capsys):
    code, out, err = run_cli(capsys, "train", "--lr", "1000", "--epochs", "100",
                             "--no-progress")
    assert code == 0, err
    assert ("warning: the cost went up from 0.778 to 309: the learning rate 1000 is too "
            "large; try 1.2") in out
    code, out, err = run_cli(capsys, "train", "--epochs", "100", "--no-progress")
    assert code == 0 and "warning" not in out


# --------------------------------------------------------------------------- demo


def test_deep_network_demo(capsys):
    from autograd_lite.commands.demo_deep import deep_network_demo

    result = deep_network_demo(epochs=5, progress=False)
    out = capsys.readouterr().out
    assert result.passed
    assert result.test_accuracy > 0.9
    assert "MLP [64, 20, 7, 5, 1]" in out and "dW4" in out and "PASSED" in out
