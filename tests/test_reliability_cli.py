"""Reliability of the command line (issue 16): no traceback, whatever the user types.

Each test here failed on the code before the issue: a traceback (OverflowError, OSError,
ArrayMemoryError, ValueError), a refusal after the work instead of before, or a wrong
message. The fuzzer of the expression language is in ``test_fuzz_cli.py``.
"""

from __future__ import annotations

import errno
import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from autograd_lite import data, nn
from autograd_lite.cli import main
from autograd_lite.expression import MAX_DEPTH, ExpressionError, parse_expression

REPO = Path(__file__).resolve().parent.parent
HUGE_INTEGER = "9" * 400  # more than float64's 1.8e308
LONG_NAME = "x" * 300  # more than the 255 bytes a file name may have
needs_matplotlib = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None, reason="matplotlib is not installed"
)


def run_cli(capsys, *argv):
    with np.errstate(all="ignore"):
        code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code, err, *fragments):
    assert code == 2, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    for fragment in fragments:
        assert fragment in err, err


@pytest.fixture
def dot_on_path(monkeypatch):
    """A ``dot`` program as far as the checks before drawing can tell (none is run)."""
    real_which = shutil.which
    monkeypatch.setattr(
        shutil, "which",
        lambda name, *args, **kw: "/usr/bin/dot" if name == "dot" else real_which(name),
    )


# ----------------------------------------------------------- numbers in expressions


@pytest.mark.parametrize("expression", [
    f"a * {HUGE_INTEGER}",
    f"-{HUGE_INTEGER} * a",
    f"clip(a, 0, {HUGE_INTEGER})",
    f"clip(a, -{HUGE_INTEGER}, 1)",
    f"leaky_relu(a, {HUGE_INTEGER})",
    "clip(a, 0, 1e999)",
])
def test_a_400_digit_integer_is_refused_in_one_line(capsys, expression):
    code, out, err = run_cli(capsys, "graph", "--", expression, "a=1")
    assert_one_line_error(code, err, "too large for float64")
    assert out == ""


@pytest.mark.parametrize("expression", ["a*1e308*10", "a*b*10", "a*b + a*b", "-a*b - a*b"])
def test_an_overflow_on_python_floats_is_refused_like_any_other(capsys, expression):
    """The ops compute 0-d values on Python floats, where NumPy's error state does not
    look; the graph command refuses their overflow as it refuses exp(1000)."""
    code, out, err = run_cli(capsys, "graph", "--", expression, "a=1e308", "b=1e308")
    if expression == "a*1e308*10":
        code, out, err = run_cli(capsys, "graph", "--", expression, "a=1")
    assert_one_line_error(code, err, "too large for float64 (overflow)")
    assert out == ""


def test_a_null_byte_or_a_control_character_is_named(capsys):
    code, _, err = run_cli(capsys, "graph", "a + \x00b", "a=1", "b=2")
    assert_one_line_error(code, err, "'\\x00', which is not a printable character")
    code, _, err = run_cli(capsys, "graph", "a + b\x1b[2J", "a=1", "b=2")
    assert_one_line_error(code, err, "'\\x1b'")


def test_a_message_quoting_several_lines_of_the_expression_is_one_line(capsys):
    code, _, err = run_cli(capsys, "graph", "(a +\nfoo(\nb))", "a=1", "b=2")
    assert_one_line_error(code, err, "unknown function 'foo' in 'foo( b)'")


# ------------------------------------------------------------------- long names


def test_an_output_name_longer_than_255_bytes_is_refused(capsys, tmp_path):
    code, out, err = run_cli(capsys, "graph", "a*b", "a=1", "b=2",
                             "-o", str(tmp_path / f"{LONG_NAME}.dot"))
    assert_one_line_error(code, err, "-o ", "304 bytes long", "at most 255")
    assert out == "" and list(tmp_path.iterdir()) == []


def test_a_folder_name_longer_than_255_bytes_is_refused(capsys, tmp_path, dot_on_path):
    code, _, err = run_cli(capsys, "graph", "a*b", "a=1", "b=2",
                           "-o", str(tmp_path / LONG_NAME / "J.dot"))
    assert_one_line_error(code, err, "300 bytes long")
    code, out, err = run_cli(capsys, "graph", "a*b", "a=1", "b=2",
                             "--frames", str(tmp_path / LONG_NAME))
    assert_one_line_error(code, err, "--frames ", "300 bytes long")
    assert out == "" and list(tmp_path.iterdir()) == []


def test_a_path_longer_than_the_system_allows_is_refused(capsys, tmp_path):
    deep = tmp_path.joinpath(*["d" * 200] * 25, "J.dot")  # 5,000 bytes, each part legal
    code, _, err = run_cli(capsys, "graph", "a*b", "a=1", "b=2", "-o", str(deep))
    assert_one_line_error(code, err, "the path is", "bytes long")


def test_demo_and_train_refuse_long_names_before_any_work(capsys, tmp_path):
    code, out, err = run_cli(capsys, "demo", "--no-progress", "--out", str(tmp_path / LONG_NAME))
    assert_one_line_error(code, err, "--out ", "300 bytes long")
    assert out == ""
    code, out, err = run_cli(capsys, "train", "--no-progress", "--epochs", "1",
                             "--save", str(tmp_path / f"{LONG_NAME}.npz"))
    assert_one_line_error(code, err, "--save ", "304 bytes long")
    assert out == ""  # refused before the data, the model and the training


@needs_matplotlib
def test_train_plot_refuses_a_long_name_before_training(capsys, tmp_path):
    code, out, err = run_cli(capsys, "train", "--no-progress", "--epochs", "1",
                             "--plot", str(tmp_path / f"{LONG_NAME}.png"))
    assert_one_line_error(code, err, "--plot ", "304 bytes long")
    assert out == ""


# ------------------------------------------------------------------------ memory


@pytest.mark.parametrize("argv", [
    ["train", "--no-progress", "--data", "digits", "--layers", "200000,200000"],
    ["train", "--no-progress", "--model", "deep", "--layers", "200000,200000"],
    ["train", "--no-progress", "--model", "shallow", "--layers", "99999999999999999999999999"],
    ["train", "--no-progress", "--data", "xor", "--examples", "200000000000"],
    ["check", "--layers", "200000,200000"],
    ["check", "--examples", "200000000000"],
])
def test_sizes_that_cannot_fit_in_memory_are_refused_before_allocating(
    capsys, monkeypatch, argv
):
    def never(*args, **kwargs):
        raise AssertionError("allocated before the memory check")

    monkeypatch.setattr(nn, "MLP", never)
    for name in ("planar_flower", "xor", "digits"):
        monkeypatch.setattr(data, name, never)
    code, out, err = run_cli(capsys, *argv)
    assert_one_line_error(code, err, "of memory, more than the", "available")
    assert ("--layers" in err) != ("--examples" in err)  # the option to change
    assert out == ""


def test_the_memory_estimate_counts_every_parameter():
    from autograd_lite.commands import memory  # new in issue 16

    dims = [64, 200_000, 200_000, 10]
    parameters = 64 * 200_000 + 200_000 + 200_000 * 200_000 + 200_000 + 200_000 * 10 + 10
    m = 1797
    units = sum(dims)
    # At least the parameters and their gradients, and the activations Z and A of every
    # layer for the m examples, all in float64.
    assert memory.training_bytes(dims, m) >= 8 * (2 * parameters + 2 * units * m)
    assert memory.training_bytes(dims, m, "adam") >= memory.training_bytes(dims, m) + 8 * (
        2 * parameters
    )
    # ... and not absurdly more: the demo's network needs well under 100 MiB.
    assert memory.training_bytes([64, 20, 7, 5, 1], m, "adam") < 100 * 2**20


def test_the_memory_check_uses_what_is_available(capsys, monkeypatch):
    from autograd_lite.commands import memory  # new in issue 16

    # 10 MiB "available": the course's flower network fits, a [2, 2000, 2000, 1] does not.
    monkeypatch.setattr(memory, "available_memory", lambda: 10 * 2**20)
    code, _, err = run_cli(capsys, "train", "--no-progress", "--epochs", "1")
    assert code == 0, err
    code, out, err = run_cli(capsys, "train", "--no-progress", "--epochs", "1",
                             "--model", "deep", "--layers", "2000,2000")
    assert_one_line_error(code, err, "10 MiB available", "use smaller --layers")
    assert out == ""
    # Where the system does not say, nothing is refused in advance.
    monkeypatch.setattr(memory, "available_memory", lambda: None)
    code, _, err = run_cli(capsys, "train", "--no-progress", "--epochs", "1",
                           "--model", "deep", "--layers", "200,200")
    assert code == 0, err


def test_available_memory_is_a_positive_number_of_bytes():
    from autograd_lite.commands import memory  # new in issue 16

    available = memory.available_memory()
    if sys.platform.startswith("linux"):
        assert isinstance(available, int) and available > 0
    assert memory.format_bytes(1536) == "1.5 KiB"
    assert memory.format_bytes(298 * 2**30) == "298 GiB"


def test_what_no_estimate_foresaw_is_still_one_line(capsys, monkeypatch):
    import autograd_lite.commands.demo as demo

    def out_of_memory(args):
        raise MemoryError("Unable to allocate 298. GiB for an array with shape (200000, 200000)")

    monkeypatch.setattr(demo, "run", out_of_memory)
    code, _, err = run_cli(capsys, "demo")
    assert_one_line_error(code, err, "out of memory: Unable to allocate 298. GiB")


def test_what_the_system_refuses_is_one_line(capsys, monkeypatch):
    import autograd_lite.commands.demo as demo

    def disk_full(args):
        raise OSError(errno.ENOSPC, "No space left on device", "out/J.svg")

    monkeypatch.setattr(demo, "run", disk_full)
    code, _, err = run_cli(capsys, "demo")
    assert_one_line_error(code, err, "No space left on device (out/J.svg)")


# ------------------------------------------------------------------ seeds, numbers


@pytest.mark.parametrize("argv", [
    ["train", "--seed", "4294967296"],
    ["train", "--data", "parity", "--seed", "4294967296"],
    ["train", "--data", "parity", "--seed", "-1"],
    ["check", "--seed", "4294967296"],
    ["check", "--seed", "-1"],
])
def test_a_seed_out_of_range_names_the_range(capsys, argv):
    code, out, err = run_cli(capsys, *argv)
    assert_one_line_error(code, err, "--seed must be an integer from 0 to 4294967295")
    assert out == ""


def test_the_largest_seed_is_accepted(capsys):
    code, _, err = run_cli(capsys, "train", "--data", "parity", "--bits", "2", "--epochs", "1",
                           "--no-progress", "--seed", "4294967295")
    assert code == 0, err


@pytest.mark.parametrize("argv, message", [
    (["train", "--examples", "0"], "--examples must be an even number >= 2"),
    (["train", "--examples", "3"], "--examples must be an even number >= 2"),
    (["train", "--data", "xor", "--examples", "0"], "--examples must be at least 4"),
    (["check", "--tol", "inf"], "--tol must be a positive number"),
    (["demo", "--a", "nan"], "--a must be a finite number"),
    (["demo", "--c", "inf"], "--c must be a finite number"),
])
def test_other_numbers_out_of_range_are_refused(capsys, argv, message):
    code, out, err = run_cli(capsys, *argv)
    assert_one_line_error(code, err, message)
    assert out == ""


# --------------------------------------------------------------- nesting, not length


def test_a_flat_sum_of_101_terms_is_accepted(capsys):
    """a + a + ... + a is one level (it parses as a left-deep tree, 101 levels)."""
    code, out, err = run_cli(capsys, "graph", "+".join(["a"] * 101), "a=1")
    assert code == 0, err
    assert "dJ/da = 101" in out


def test_the_longest_flat_chains_go_through_every_step(capsys, tmp_path):
    """500 terms (the 1,000-character limit): parsing, the text, the graph, the picture."""
    expression = "-".join(["a"] * 250) + "*" + "/".join(["b"] * 249)
    code, out, err = run_cli(capsys, "graph", expression, "a=2", "b=1",
                             "-o", str(tmp_path / "J.dot"))
    assert code == 0, err
    assert "dJ/da = -248" in out and (tmp_path / "J.dot").exists()


@pytest.mark.parametrize("expression", [
    "-" * (MAX_DEPTH + 1) + "a",                      # unary signs
    "a**" * MAX_DEPTH + "a",                          # a tower of powers
    "a*(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH,        # parentheses, each a level
    "-(" * 30 + "a**-" * 40 + "a" + ")" * 30,         # all of them mixed
])
def test_real_nesting_deeper_than_the_limit_is_refused_cleanly(expression):
    with pytest.raises(ExpressionError, match=f"nests (operations|parentheses) more than "
                                              f"{MAX_DEPTH} deep"):
        parse_expression(expression)


def test_nesting_at_the_limit_runs_without_recursion_error(capsys):
    expression = "-" * (MAX_DEPTH - 2) + "exp(a)"  # 98 signs, exp, a: 100 levels
    code, out, err = run_cli(capsys, "graph", "--", expression, "a=0")
    assert code == 0, err
    assert "dJ/da = 1" in out


# ------------------------------------------------------- one rule for output paths


def test_every_output_path_gets_its_missing_folders(capsys, tmp_path):
    """The rule (README, "The command line"): missing folders are made, as mkdir -p."""
    code, _, err = run_cli(capsys, "graph", "a*b", "a=1", "b=2",
                           "-o", str(tmp_path / "g" / "new" / "J.dot"))
    assert code == 0, err
    assert (tmp_path / "g" / "new" / "J.dot").is_file()
    code, _, err = run_cli(capsys, "train", "--no-progress", "--epochs", "1",
                           "--save", str(tmp_path / "t" / "new" / "model.npz"))
    assert code == 0, err
    assert nn.load_model(tmp_path / "t" / "new" / "model.npz").layer_dims == [2, 4, 1]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_frames_and_the_demo_pictures_get_their_missing_folders(capsys, tmp_path):
    code, _, err = run_cli(capsys, "graph", "a*b", "a=1", "b=2",
                           "--frames", str(tmp_path / "f" / "new"))
    assert code == 0, err
    assert (tmp_path / "f" / "new" / "index.html").is_file()
    from autograd_lite.commands.demo_graph import graph_demo

    graph_demo(tmp_path / "d" / "new", echo=None)
    assert (tmp_path / "d" / "new" / "J.svg").is_file()


@needs_matplotlib
def test_train_plot_gets_its_missing_folders(capsys, tmp_path):
    code, _, err = run_cli(capsys, "train", "--no-progress", "--epochs", "2",
                           "--plot", str(tmp_path / "p" / "new" / "cost.png"))
    assert code == 0, err
    assert (tmp_path / "p" / "new" / "cost.png").is_file()


def test_a_bad_save_path_fails_before_any_training_output(capsys, tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    code, out, err = run_cli(capsys, "train", "--epochs", "1", "--no-progress",
                             "--save", str(a_file / "sub" / "model.npz"))
    assert_one_line_error(code, err, "--save ", "is a file, so no folder can be made in it")
    assert out == ""
    code, out, err = run_cli(capsys, "train", "--epochs", "1", "--no-progress",
                             "--save", str(tmp_path))
    assert_one_line_error(code, err, "is a folder; give a file name")
    assert out == ""


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root may write anywhere")
def test_a_folder_without_write_permission_is_refused_before_work(capsys, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, out, err = run_cli(capsys, "train", "--epochs", "1", "--no-progress",
                                 "--save", str(locked / "new" / "model.npz"))
        assert_one_line_error(code, err, "no permission to make a folder in")
        assert out == ""
        code, out, err = run_cli(capsys, "graph", "a*b", "a=1", "b=2",
                                 "-o", str(locked / "J.dot"))
        assert_one_line_error(code, err, "no permission to write into")
    finally:
        locked.chmod(0o700)


def test_paths_that_are_files_or_folders_the_wrong_way_round(capsys, tmp_path, dot_on_path):
    a_file = tmp_path / "frames"
    a_file.write_text("")
    code, _, err = run_cli(capsys, "graph", "a*b", "a=1", "b=2", "--frames", str(a_file))
    assert_one_line_error(code, err, "is a file; give a folder")
    a_folder = tmp_path / "J.svg"
    a_folder.mkdir()
    code, _, err = run_cli(capsys, "graph", "a*b", "a=1", "b=2", "-o", str(a_folder))
    assert_one_line_error(code, err, "is a folder; give a file name")
    code, _, err = run_cli(capsys, "demo", "--out", str(a_file))
    assert_one_line_error(code, err, "is a file; give a folder")


# ----------------------------------------------------- a plain install, no extras

# Run first in the child: every import of an optional package fails, as after a plain
# `pip install .` without extras.
BLOCKED = ("sklearn", "matplotlib", "PIL", "scipy")
BLOCK_EXTRAS = textwrap.dedent(f"""
    import sys
    from importlib.abc import MetaPathFinder

    BLOCKED = {BLOCKED!r}

    class NotInstalled(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    sys.meta_path.insert(0, NotInstalled())
""")


@pytest.fixture(scope="module")
def without_extras(tmp_path_factory):
    """Run ``python -m autograd_lite ARGS`` with the optional packages unimportable."""
    folder = tmp_path_factory.mktemp("no_extras")
    (folder / "sitecustomize.py").write_text(BLOCK_EXTRAS)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(folder), str(REPO)]),
               MPLBACKEND="Agg")

    def run(*args: str, cwd: Path = folder) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "autograd_lite", *args],
                              capture_output=True, text=True, env=env, cwd=cwd, timeout=300)

    check = run("train", "--plot", "c.png", "--epochs", "1")
    assert "matplotlib" in check.stderr, "the blocker is not in place: " + check.stderr
    return run


def test_the_demo_runs_on_a_plain_install(without_extras, tmp_path):
    done = without_extras("demo", "--no-progress", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "J = 3*v = 33" in done.stdout  # issue 14: the derivation of `graph`
    assert "test accuracy:" in done.stdout and "FAIL" not in done.stdout


@pytest.mark.parametrize("args, extra", [
    (("train", "--data", "breast_cancer"), "data"),
    (("train", "--epochs", "1", "--plot", "cost.png"), "plots"),
])
def test_a_command_that_needs_an_extra_names_it_in_one_line(without_extras, args, extra):
    done = without_extras(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert f'pip install "autograd-lite[{extra}]"' in done.stderr
    assert done.stdout == ""


def test_train_on_digits_needs_no_extra(without_extras):
    done = without_extras("train", "--data", "digits", "--digit", "3", "--epochs", "1",
                          "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "test accuracy" in done.stdout


def test_public_functions_that_need_an_extra_name_it(monkeypatch, tmp_path):
    import visualize

    for name in [name for name in sys.modules if name.split(".")[0] in BLOCKED]:
        monkeypatch.delitem(sys.modules, name)  # imported already: forget them
    for name in BLOCKED:
        monkeypatch.setitem(sys.modules, name, None)  # `import name` fails
    with pytest.raises(ImportError, match=r'pip install "autograd-lite\[data\]"'):
        data.breast_cancer()
    with pytest.raises(ImportError, match=r'pip install "autograd-lite\[plots\]"'):
        visualize.plot_costs([1.0, 0.5], tmp_path / "c.png")
    with pytest.raises(ImportError, match=r'pip install "autograd-lite\[plots\]"'):
        visualize.plot_decision_boundary(lambda X: X[0], np.zeros((2, 3)), np.zeros((1, 3)),
                                         tmp_path / "b.png")
    import autograd_lite as al

    J = al.Tensor(2.0, requires_grad=True) * 3
    J.backward()
    with pytest.raises(ImportError, match=r'pip install "autograd-lite\[plots\]"'):
        visualize.frames_to_gif(visualize.backward_frames(J), tmp_path / "b.gif")
    # The digits are bundled: no extra.
    assert data.digits()[0].shape == (64, 1437)


def test_every_data_file_of_the_package_is_installed():
    """pyproject's package-data covers every file that is not Python, so that a plain
    `pip install .` (not only an editable one) has the bundled digits."""
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]
    for package in ("autograd_lite", "visualize"):
        root = REPO / package
        data_files = {
            path.relative_to(root) for path in root.rglob("*")
            if path.is_file() and path.suffix not in (".py", ".pyc")
            and "__pycache__" not in path.parts
        }
        covered = {
            path.relative_to(root) for pattern in globs.get(package, [])
            for path in root.glob(pattern)
        }
        assert data_files <= covered, f"not installed: {sorted(map(str, data_files - covered))}"
    assert (REPO / "autograd_lite" / "datasets" / "digits.npz").is_file()
