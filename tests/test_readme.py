"""A newcomer's path: every command and snippet of README.md and tutorials/README.md works
from a fresh shell after ``make demo``, and the numbers the README states are printed.

The shell commands are the lines of the READMEs' command blocks (indented or fenced) that
start with a command a reader would type; each runs in ``bash`` from a fresh folder that
has the virtualenv as ``.venv`` and copies of the lessons, with the virtualenv *not* on
PATH (a fresh shell): either the README's ``source .venv/bin/activate`` comes first, or
the command names ``.venv/bin/...`` itself. Long trainings and the make targets are left
out, each for the reason given in :data:`SKIPPED`. The Python blocks of each README run
in order in one interpreter, as a reader pasting them would; a block that shows an error
on purpose must raise the error it shows.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
READMES = {"README.md": ROOT / "README.md", "tutorials/README.md": ROOT / "tutorials" / "README.md"}
#: The first word of a line that is a command to type.
COMMANDS = ("autograd-lite", "make", "source", "python", "jupytext", "pip", ".venv/", "FAST=",
            "TUTORIAL_OUT=", "GALLERY=")
#: Commands not run here, and why. A command is matched by its start.
SKIPPED = {
    "make demo": "the set-up this test assumes (and the demo runs below as autograd-lite demo)",
    "make test": "the test suite itself",
    ".venv/bin/python tutorials/week2_logistic_regression.py":
        "a full-length lesson (about 20 s); tests/test_tutorials.py runs every lesson in "
        "fast mode and tests/test_gallery.py compares them with the gallery",
    "python tutorials/week2_logistic_regression.py": "the same full-length lesson",
    "FAST=1 .venv/bin/python tutorials/week3_shallow_network.py":
        "tests/test_tutorials.py runs every lesson in fast mode",
    "make test-min": "the whole suite again, on the declared floors (.ci/run runs it)",
    "make lint": "ruff, the first step of make test",
    "make bench": "minutes of timing (speed is never measured in the tests)",
    "make gallery": "full runs of every lesson (minutes); tests/test_gallery.py and the "
                    "lesson tests compare the gallery's numbers with fresh runs",
    "make docs": "tests/test_docs_pictures.py draws docs/ afresh and compares it",
}


def venv() -> Path:
    """The virtualenv this test runs in (``.venv`` after ``make demo``)."""
    local = ROOT / ".venv"
    if (local / "bin" / "python").exists():
        return local
    if sys.prefix == sys.base_prefix:
        pytest.skip("not running in a virtualenv: the README's commands need one")
    return Path(sys.prefix)


def blocks(text: str) -> list[tuple[str, str]]:
    """(language, code) of every fenced block and every indented block."""
    found = []
    fenced = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
    for match in fenced.finditer(text):
        found.append((match.group(1), match.group(2)))
    rest = fenced.sub("", text)
    for match in re.finditer(r"(?:^(?: {4}.*)?\n)+", rest, re.M):
        code = textwrap.dedent(match.group(0)).strip("\n")
        if code.strip():
            found.append(("indented", code))
    return found


def shell_commands(text: str) -> list[str]:
    commands = []
    for language, code in blocks(text):
        if language not in ("indented", "bash", "sh", "shell"):
            continue
        code = re.sub(r"\\\n\s*", "", code)  # a command continued on the next line
        for line in code.splitlines():
            line = line.strip()
            if line.startswith("make "):  # "make lint       ruff alone": a target, described
                line = re.split(r"\s{2,}", line)[0]
            if line.startswith(COMMANDS):
                commands.append(re.split(r"\s+#\s", line)[0].strip())
    return commands


def python_blocks(text: str) -> list[str]:
    return [code for language, code in blocks(text) if language == "python"]


def all_commands() -> list[tuple[str, str]]:
    return [(name, command) for name, path in READMES.items()
            for command in shell_commands(path.read_text(encoding="utf-8"))]


def skip_reason(command: str) -> str | None:
    for start, reason in SKIPPED.items():
        if command.startswith(start):
            return reason
    return None


@pytest.fixture
def fresh_folder(tmp_path: Path) -> Path:
    """A folder as the reader's checkout after ``make demo``: .venv, the lessons, docs/."""
    (tmp_path / ".venv").symlink_to(venv(), target_is_directory=True)
    lessons = tmp_path / "tutorials"
    lessons.mkdir()
    for path in (ROOT / "tutorials").glob("*.py"):
        shutil.copy(path, lessons / path.name)
    (tmp_path / "docs").mkdir()
    return tmp_path


def fresh_shell_env(folder: Path) -> dict[str, str]:
    """A fresh shell: the virtualenv is not active, its bin folder not on PATH."""
    env = dict(os.environ)
    bin_dirs = {str(venv() / "bin"), str(Path(sys.executable).parent)}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p not in bin_dirs)
    for name in ("VIRTUAL_ENV", "FAST", "CI", "GALLERY", "GALLERY_DIR", "MPLBACKEND"):
        env.pop(name, None)
    # This checkout's package (the virtualenv may have another one installed editable).
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["TUTORIAL_OUT"] = str(folder / "lesson-pictures")
    return env


def run_shell(command: str, folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], cwd=folder, env=fresh_shell_env(folder),
                          capture_output=True, text=True, timeout=600)


def test_the_readme_says_how_to_use_the_virtualenv():
    text = READMES["README.md"].read_text(encoding="utf-8")
    first = shell_commands(text)[:3]
    assert first[:2] == ["make demo", "make test"], first
    assert first[2] == "source .venv/bin/activate", first
    assert ".venv/bin/autograd-lite" in text


def test_commands_are_found():
    commands = [c for _, c in all_commands()]
    assert "autograd-lite demo" in commands
    assert any(c.startswith("autograd-lite train") for c in commands)
    assert any(c.startswith("FAST=1") for c in commands)
    stale = [start for start in SKIPPED if not any(c.startswith(start) for c in commands)]
    assert not stale, f"SKIPPED names commands the READMEs no longer have: {stale}"


@pytest.mark.parametrize("readme, command", all_commands())
def test_command_works_from_a_fresh_shell(readme, command, fresh_folder):
    reason = skip_reason(command)
    if reason:
        pytest.skip(f"{command!r}: {reason}")
    no_jupytext = shutil.which("jupytext", path=str(venv() / "bin")) is None
    if command.startswith("jupytext") and no_jupytext:
        pytest.skip("jupytext is not installed in the virtualenv (the test extra brings it)")
    if " -o " in command and ".svg" in command and shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is missing (the README says how to install it)")
    # As the README says: activate the virtualenv first, unless the command names it.
    line = command if command.startswith((".venv/", "source", "FAST=1 .venv")) else (
        f"source .venv/bin/activate && {command}")
    result = run_shell(line + (" --no-progress" if " train " in f" {command} " else ""),
                       fresh_folder)
    assert result.returncode == 0, f"{line}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr


def test_the_graph_output_shown_is_the_one_printed(fresh_folder):
    text = READMES["README.md"].read_text(encoding="utf-8")
    shown = next(code for language, code in blocks(text)
                 if language == "" and code.startswith("J = 3 * (a + b * c)"))
    result = run_shell('.venv/bin/autograd-lite graph "J = 3*(a + b*c)" a=5 b=3 c=2 '
                       "-o docs/J.dot", fresh_folder)
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    for line in shown.splitlines():
        if line.startswith("Wrote "):
            continue
        assert line in printed, f"the README shows {line!r}, which the command does not print"


def test_the_readme_accuracies_are_the_ones_printed(fresh_folder):
    text = READMES["README.md"].read_text(encoding="utf-8")
    stated = set(re.findall(r"test accuracy:\s+([0-9.]+%)", text))
    assert stated, "the README states no test accuracy"
    for command in ("autograd-lite demo --no-progress",
                    "autograd-lite train --data digits --digit 3 --no-progress"):
        result = run_shell(f".venv/bin/{command}", fresh_folder)
        assert result.returncode == 0, result.stderr
        printed = set(re.findall(r"test accuracy:\s+([0-9.]+%)", result.stdout))
        assert printed == stated, f"{command} prints {printed}; the README says {stated}"


DRIVER = r"""
import contextlib, io, json, sys, traceback, warnings
blocks = json.load(open(sys.argv[1]))
namespace = {"__name__": "__main__"}
results = []
for code in blocks:
    out, err = io.StringIO(), io.StringIO()
    error = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = lambda m, c, f, l, file=None, line=None: print(
                f"{c.__name__}: {m}", file=err)
            try:
                exec(compile(code, "<README>", "exec"), namespace)
            except Exception as e:
                error = f"{type(e).__name__}: {e}\n" + traceback.format_exc()
    results.append({"out": out.getvalue(), "err": err.getvalue(), "error": error})
json.dump(results, open(sys.argv[2], "w"))
"""


def expected_error(code: str) -> str | None:
    """The error a block shows on purpose, from its comments (``# AnomalyError: ...``)."""
    match = re.search(r"^# (\w+Error):", code, re.M)
    return match.group(1) if match else None


def printed_values(code: str) -> list[str]:
    """What the block's comments say a print shows: ``print(x)   # 12.0`` gives "12.0"."""
    return [m.group(1).split(":")[-1].strip()
            for m in re.finditer(r"^print\(.*\)\s+#\s*(.+)$", code, re.M)]


@pytest.mark.parametrize("readme", [name for name, path in READMES.items()
                                    if python_blocks(path.read_text(encoding="utf-8"))])
def test_python_snippets_run_in_order(readme, fresh_folder):
    codes = python_blocks(READMES[readme].read_text(encoding="utf-8"))
    (fresh_folder / "blocks.json").write_text(json.dumps(codes), encoding="utf-8")
    (fresh_folder / "driver.py").write_text(DRIVER, encoding="utf-8")
    result = run_shell(".venv/bin/python driver.py blocks.json results.json", fresh_folder)
    assert result.returncode == 0, result.stderr
    results = json.loads((fresh_folder / "results.json").read_text(encoding="utf-8"))
    for index, (code, got) in enumerate(zip(codes, results)):
        where = f"{readme}, Python block {index + 1}:\n{code}"
        wanted = expected_error(code)
        if wanted:
            assert got["error"] and got["error"].startswith(wanted), f"{where}\n{got}"
        else:
            assert got["error"] is None, f"{where}\n{got['error']}"
        for value in printed_values(code):
            assert value in got["out"], f"{where}\nprints {got['out']!r}, not {value!r}"
        for warning in re.findall(r"#\s*(\w+Warning):", code):
            assert warning in got["err"], f"{where}\nno {warning}: {got['err']!r}"
