"""``autograd-lite graph``: the expression, every derivative, the picture and the frames."""

import math
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd_lite.cli import main
from autograd_lite.commands.demo_graph import graph_demo
from visualize.graph import format_number

REPO = Path(__file__).resolve().parent.parent
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed"
)
COURSE = ["graph", "J = 3*(a + b*c)", "a=5", "b=3", "c=2"]


@pytest.fixture
def no_dot(monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda name, *args, **kw: None if name == "dot" else real_which(name)
    )


def test_prints_the_forward_pass_the_chain_rule_and_every_derivative(capsys):
    assert main(COURSE) == 0
    out = capsys.readouterr().out
    for line in (
        "J = 3 * (a + b * c)   with a = 5, b = 3, c = 2",
        "  u = b*c = 6",
        "  v = a + u = 11",
        "  J = 3*v = 33",
        "  dJ/dv = dJ/dJ * 3 = 1 * 3 = 3",
        "  dJ/db = dJ/du * c = 3 * 2 = 6",
        "  dJ/dc = dJ/du * b = 3 * 3 = 9",
        "  dJ/da = 3",
        "  dJ/db = 6",
        "  dJ/dc = 9",
        "  dJ/du = 3",
        "  dJ/dv = 3",
    ):
        assert line in out.splitlines(), line
    out.encode("ascii")  # printable on any terminal


def test_writes_the_dot_source_without_graphviz(tmp_path, capsys, no_dot):
    path = tmp_path / "J.dot"
    assert main([*COURSE, "-o", str(path)]) == 0
    source = path.read_text()
    for text in ("<B>J = 3·v = 33</B>", "<B>a = 5</B>", "<B>u = b·c = 6</B>",
                 "<B>v = a + u = 11</B>", "dJ/da = 3", "dJ/db = 6", "dJ/dc = 9", "dJ/du = 3"):
        assert text in source, text
    assert f"Wrote {path}" in capsys.readouterr().out


@needs_dot
def test_writes_a_valid_svg(tmp_path):
    path = tmp_path / "J.svg"
    assert main([*COURSE, "-o", str(path)]) == 0
    root = ET.parse(path).getroot()
    texts = [el.text for el in root.iter() if el.tag.endswith("text")]
    for text in ("dJ/da = 3", "dJ/db = 6", "dJ/dc = 9", "dJ/du = 3", "dJ/dv = 3"):
        assert text in texts


def test_a_picture_without_graphviz_is_a_clear_error_and_writes_nothing(tmp_path, capsys, no_dot):
    assert main([*COURSE, "-o", str(tmp_path / "J.svg")]) == 2
    err = capsys.readouterr().err
    assert "dot" in err and "apt-get install graphviz" in err and len(err.splitlines()) == 1
    assert main([*COURSE, "--frames", str(tmp_path / "frames")]) == 2
    assert list(tmp_path.iterdir()) == []


@needs_dot
def test_frames_are_written_for_each_step(tmp_path, capsys):
    folder = tmp_path / "frames"
    assert main([*COURSE, "--frames", str(folder)]) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["frame_000.svg", "frame_001.svg", "frame_002.svg", "frame_003.svg",
                     "index.html"]
    last = " ".join(el.text or "" for el in ET.parse(folder / "frame_003.svg").getroot().iter())
    assert "dJ/db = dJ/du · c = 3 · 2 = 6" in last and "dJ/dc = dJ/du · b = 3 · 3 = 9" in last
    assert "Wrote 4 frames" in capsys.readouterr().out


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os').system('touch {marker}')",
        "a.__class__",
        "x[0]",
        "lambda: 1",
        "open('{marker}', 'w')",
        "9**9**9",
        "9**9**9 * a",
        "-" * 100_000 + "1",
        "(" * 10_000 + "1" + ")" * 10_000,
    ],
)
def test_hostile_expressions_are_refused_with_one_line_and_no_effect(expression, tmp_path, capsys):
    marker = tmp_path / "pwned"
    start = time.perf_counter()
    # "--": an expression starting with "-" would otherwise be read as an option.
    code = main(["graph", "-o", str(tmp_path / "J.dot"), "--",
                 expression.replace("{marker}", str(marker)), "a=1"])
    assert code == 2
    assert time.perf_counter() - start < 2
    err = capsys.readouterr().err
    assert err.startswith("autograd-lite graph: ") and len(err.splitlines()) == 1
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["J = a*b", "a=1"], "no value for b"),
        (["J = a*b", "a=1", "b=2", "c=3"], "c is not in the expression"),
        (["J = a*b", "a=1", "b=x"], "must be a number"),
        (["J = a*b", "a=1", "b"], "not NAME=VALUE"),
        (["J = 1/a", "a=0"], "division by zero"),
        (["+".join(["a*b"] * 20), "a=1", "b=2", "--frames", "never"], "at most 30"),
        (["J = a*b", "a=1", "b=2", "-o", "J.bmp"], "unknown picture format"),
    ],
)
def test_user_mistakes_exit_2_with_a_clear_message(args, message, capsys):
    assert main(["graph", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.splitlines()) == 1


def test_console_script_never_shows_a_traceback(tmp_path):
    marker = tmp_path / "pwned"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    # As the console script runs it (python -m autograd_lite.cli would make cli.py __main__,
    # with a UserError class of its own).
    entry = "import sys; from autograd_lite.cli import main; sys.exit(main())"
    done = subprocess.run(
        [sys.executable, "-c", entry, "graph", f"__import__('os').system('touch {marker}')"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("autograd-lite graph: this call is not allowed")
    assert "Traceback" not in done.stderr
    assert not marker.exists()


def test_graph_is_registered_in_the_cli(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "graph" in capsys.readouterr().out


def test_graph_demo_writes_the_picture_and_frames(tmp_path):
    lines = []
    written = graph_demo(tmp_path / "out", echo=lines.append)
    suffix = ".svg" if shutil.which("dot") else ".dot"
    assert written[0] == tmp_path / "out" / f"J{suffix}"
    assert (tmp_path / "out" / "frames" / "index.html").exists()
    assert (tmp_path / "out" / "frames" / f"frame_003{suffix}").exists()
    assert any("Wrote" in line for line in lines)


def test_graph_demo_without_graphviz_writes_dot_files(tmp_path, no_dot):
    lines = []
    written = graph_demo(tmp_path, echo=lines.append)
    assert written[0].name == "J.dot" and "dJ/db = 6" in written[0].read_text()
    assert sorted(p.name for p in (tmp_path / "frames").iterdir())[-1] == "index.html"
    assert any("apt-get install graphviz" in line for line in lines)


def test_an_infinite_derivative_is_reported_without_a_numpy_warning(tmp_path, capsys):
    import warnings

    from autograd_lite.cli import main

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["graph", "J = sqrt(a)", "a=0", "-o", str(tmp_path / "J.dot")]) == 0
    out = capsys.readouterr().out
    assert "dJ/da = inf" in out and "not differentiable" in out


# ------------------------------------------------- the course's logistic regression (issue 14)

LOGISTIC = "z = w1*x1 + w2*x2 + b; a = sigmoid(z); L = -(y*log(a) + (1-y)*log(1-a))"


def _printed_derivatives(out):
    """{name: value} from the "Derivatives dL/dx:" section."""
    section = out.split("Derivatives dL/dx:\n")[1]
    found = {}
    for line in section.splitlines():
        line = line.strip()
        if not line.startswith("dL/d"):
            break
        name, value = line.removeprefix("dL/d").split(" = ")
        assert name not in found, f"dL/d{name} printed twice"
        found[name] = float(value.split()[0])
    return found


@pytest.mark.parametrize("values", [
    dict(w1=0.5, w2=-0.3, b=0.1, x1=1.0, x2=2.0, y=1.0),   # SPEC.md's example
    dict(w1=1.5, w2=0.25, b=-0.7, x1=-2.0, x2=3.0, y=0.0),
    dict(w1=-0.2, w2=0.8, b=0.3, x1=0.4, x2=-1.1, y=1.0),
])
def test_the_course_logistic_regression_graph_from_one_command(values, tmp_path, capsys):
    """Issue 14, done when: printed and drawn from one command, dz = a - y, dw1 = x1·dz,
    dw2 = x2·dz, db = dz and da = -y/a + (1-y)/(1-a), against those formulas."""
    picture = tmp_path / "L.dot"
    args = ["graph", LOGISTIC, *(f"{k}={v!r}" for k, v in values.items()), "-o", str(picture)]
    assert main(args) == 0
    out = capsys.readouterr().out
    # The formulas, computed here independently of the engine.
    w1, w2, b, x1, x2, y = (values[k] for k in ("w1", "w2", "b", "x1", "x2", "y"))
    z = w1 * x1 + w2 * x2 + b
    a = 1 / (1 + math.exp(-z))
    dz = a - y
    expected = {"a": -y / a + (1 - y) / (1 - a), "z": dz, "w1": x1 * dz, "w2": x2 * dz, "b": dz}
    printed = _printed_derivatives(out)
    for name, value in expected.items():
        assert printed[name] == pytest.approx(value, rel=1e-9, abs=1e-12), name
    # The loss itself, and the derivation in the user's names.
    loss = -(y * math.log(a) + (1 - y) * math.log(1 - a))
    lines = out.splitlines()
    assert lines[0].startswith(
        "z = w1 * x1 + w2 * x2 + b; a = sigmoid(z); L = -(y * log(a) + (1 - y) * log(1 - a))"
    )
    forward = {line.split(" = ")[0].strip(): line for line in lines if line.startswith("  ")
               and " = " in line}
    assert forward["z"].startswith("  z = p + b = ") and forward["a"].startswith(
        "  a = sigmoid(z) = ")
    assert float(forward["L"].rsplit(" = ", 1)[1]) == pytest.approx(loss, rel=1e-5)
    assert any(line.startswith("  dL/dz = dL/da * a*(1 - a) = ") for line in lines)
    # No generated name is a course symbol, and the user's names are all there.
    generated = set(printed) - {"w1", "w2", "b", "x1", "x2", "y", "z", "a"}
    assert generated and not generated & {"w", "b", "x", "y", "z", "a", "W", "X", "Z", "A",
                                          "J", "L"}
    # Drawn from the same command: one node per statement, one sigmoid, the same numbers.
    source = picture.read_text()
    assert source.count('label="σ"') + source.count("label=sigmoid") == 1
    for name in ("z", "a", "L"):
        assert source.count(f"<B>{name} = ") == 1, name
    for name in ("z", "a", "w1", "w2", "b"):
        shown = format_number(expected[name])
        assert f"dL/d{name} = {shown}" in source, (name, shown)


@needs_dot
def test_the_logistic_regression_frames_step_through_every_op(tmp_path, capsys):
    folder = tmp_path / "frames"
    assert main(["graph", LOGISTIC, "w1=0.5", "w2=-0.3", "b=0.1", "x1=1", "x2=2", "y=1",
                 "--frames", str(folder)]) == 0
    svgs = sorted(folder.glob("frame_*.svg"))
    assert len(svgs) == 14  # the seed and 13 ops: nothing duplicated
    text = " ".join(" ".join(el.text or "" for el in ET.parse(svg).getroot().iter())
                    for svg in svgs)
    assert "dL/dz = dL/da · a·(1 - a) = -2 · 0.25 = -0.5" in text
    assert "da/dz = a·(1 - a) = 0.25" in text
    assert "∂" not in text and "∂" not in (folder / "index.html").read_text()
    assert "Wrote 14 frames" in capsys.readouterr().out


@pytest.mark.parametrize("args, line", [
    (["J = tanh(z)", "z=0.5"], "  dJ/dz = dJ/dJ * (1 - J^2) = 1 * 0.7864 = 0.7864"),
    (["J = -a", "a=2"], "  dJ/da = dJ/dJ * (-1) = 1 * (-1) = -1"),
    (["J = a/b", "a=1", "b=2"], "  dJ/db = dJ/dJ * (-a/b^2) = 1 * (-0.25) = -0.25"),
    (["J = maximum(a, b)", "a=1", "b=1"],
     "  dJ/da = dJ/dJ * ([a > b] + 0.5*[a = b]) = 1 * 0.5 = 0.5"),
    (["J = maximum(a, b)", "a=1", "b=1"],
     "  dJ/db = dJ/dJ * ([b > a] + 0.5*[b = a]) = 1 * 0.5 = 0.5"),
    (["J = maximum(a, b)", "a=2", "b=1"], "  dJ/db = dJ/dJ * [b > a] = 1 * 0 = 0"),
    (["J = minimum(a, b)", "a=3", "b=3"],
     "  dJ/da = dJ/dJ * ([a < b] + 0.5*[a = b]) = 1 * 0.5 = 0.5"),
    (["z = 2*x; J = z*z", "x=3"], "  dJ/dz = dJ/dJ * z = 1 * 6 = 6"),
    (["J = leaky_relu(z, 0.2)", "z=-1"],
     "  dJ/dz = dJ/dJ * ([z > 0] + 0.2*[z <= 0]) = 1 * 0.2 = 0.2"),
])
def test_the_chain_rule_is_written_in_one_notation_with_its_parentheses(args, line, capsys):
    """Issue 14: tanh's 1 - J² in parentheses, a negative factor too, the tie rule of
    maximum as it is computed (0.5 each), d and never ∂."""
    assert main(["graph", *args]) == 0
    out = capsys.readouterr().out
    assert line in out.splitlines()
    assert "∂" not in out
    out.encode("ascii")


def test_a_log_of_zero_is_reported_as_such(capsys):
    assert main(["graph", "J = log(a)", "a=0"]) == 2
    err = capsys.readouterr().err
    assert "log of 0 is -inf" in err and "division" not in err and len(err.splitlines()) == 1


def test_every_primitives_derivative_text_is_in_the_courses_notation():
    """One notation in the ops' metadata itself: d (never ∂), Iverson brackets for
    conditions (never a Python ``x if c else y``)."""
    from autograd_lite.ops import primitives

    texts = [(p.name, d) for p in primitives().values() for d in p.derivatives if d]
    assert len(texts) > 20
    for name, text in texts:
        assert "∂" not in text and " if " not in text and " else " not in text, (name, text)
