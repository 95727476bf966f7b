"""Reliability of saves: a save killed with SIGKILL leaves the old file and nothing else,
permissions survive a re-save, long names save, and the frames folder is replaced whole.

The kills are real: a child process saves, and is killed with SIGKILL while it writes.
To kill it at a known moment, the child (not the library) slows one of the calls the
save makes: it tells the test that it is inside it, then sleeps.
"""

from __future__ import annotations

import os
import random
import re
import select
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import autograd_lite
import visualize
from autograd_lite import files, nn

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="SIGKILL, process ids and permissions are POSIX"
)

ROOT = Path(autograd_lite.__file__).resolve().parent.parent
TEMPORARY = re.compile(r"\..*\.[0-9]+\.[0-9a-f]{8}\.tmp")


def start(script: str, *args: str) -> subprocess.Popen:
    """Run ``script`` in a new Python process that imports this tree's packages."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )


def wait_for(process: subprocess.Popen, word: str, timeout: float = 120.0) -> None:
    """Block until the child prints a line starting with ``word``."""
    while True:
        ready, _, _ = select.select([process.stdout], [], [], timeout)
        if not ready:
            process.kill()
            raise AssertionError(f"the child never said {word!r}")
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"the child ended before {word!r}: {process.stderr.read()}")
        if line.startswith(word):
            return


def kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait()  # reaped: its process id no longer exists
    process.stdout.close()
    process.stderr.close()


def leftovers(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if TEMPORARY.fullmatch(name))


def model(seed: int) -> nn.MLP:
    return nn.MLP([3, 4, 1], seed=seed)


# A child that saves model(2) over the path in argv[1], but stops midway: np.savez writes
# part of the archive, says so, and sleeps until it is killed.
SAVE_THAT_STOPS_MIDWAY = """
    import sys, time
    import numpy as np
    from autograd_lite import nn
    {setup}
    def savez_that_stops(file, *args, **kwargs):
        file.write(b"PK\\x03\\x04 the first part of the archive")
        file.flush()
        print("writing", flush=True)
        time.sleep(600)
    np.savez = savez_that_stops
    nn.MLP([3, 4, 1], seed=2).save(sys.argv[1])
"""


@pytest.mark.skipif(not hasattr(os, "O_TMPFILE"), reason="unnamed files are Linux's O_TMPFILE")
def test_a_save_killed_while_writing_leaves_the_old_file_and_nothing_else(tmp_path):
    path = tmp_path / "model.npz"
    model(1).save(path)
    old = path.read_bytes()
    child = start(SAVE_THAT_STOPS_MIDWAY.format(setup=""), str(path))
    wait_for(child, "writing")
    kill(child)
    assert os.listdir(tmp_path) == ["model.npz"]  # no temporary, named or not
    assert path.read_bytes() == old


def test_a_killed_save_without_unnamed_files_is_cleaned_up_by_the_next_save(tmp_path):
    """Where the system has no O_TMPFILE, the temporary is named: the next save in the
    folder removes it once its process is gone, and leaves live processes' alone."""
    path = tmp_path / "model.npz"
    model(1).save(path)
    no_unnamed_files = "import os\n    if hasattr(os, 'O_TMPFILE'): del os.O_TMPFILE"
    child = start(SAVE_THAT_STOPS_MIDWAY.format(setup=no_unnamed_files), str(path))
    wait_for(child, "writing")
    named = leftovers(tmp_path)
    assert len(named) == 1 and f".{child.pid}." in named[0]
    model(3).save(tmp_path / "other.npz")  # the child still runs: its temporary stays
    assert leftovers(tmp_path) == named
    kill(child)
    nn.MLP([2, 1]).save(tmp_path / "other.npz")  # any save in the folder cleans up
    assert sorted(os.listdir(tmp_path)) == ["model.npz", "other.npz"]
    np.testing.assert_array_equal(nn.load_model(path).state_dict()["W1"],
                                  model(1).state_dict()["W1"])


def test_saves_killed_at_random_moments_never_leave_a_broken_file_or_temporaries(tmp_path):
    """Unpatched saves of a 2.6 MB model in a loop, killed at random moments."""
    path = tmp_path / "model.npz"
    script = """
        import sys
        from autograd_lite import nn
        model = nn.MLP([400, 400, 400, 1], seed=0)
        model.save(sys.argv[1])
        print("saved", flush=True)
        while True:
            model.save(sys.argv[1])
    """
    expected = nn.MLP([400, 400, 400, 1], seed=0).state_dict()
    rng = random.Random(0)
    for _ in range(2):
        child = start(script, str(path))
        wait_for(child, "saved")
        select.select([], [], [], rng.uniform(0.05, 0.3))  # let it save a few more times
        kill(child)
        loaded = nn.load_model(path).state_dict()  # complete: the old or the new one
        for name, value in expected.items():
            np.testing.assert_array_equal(loaded[name], value)
        nn.MLP([2, 1]).save(tmp_path / "small.npz")
        assert sorted(os.listdir(tmp_path)) == ["model.npz", "small.npz"]


def test_remove_stale_temporaries_removes_only_dead_processes_temporaries(tmp_path):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    dead = int(finished.stdout)
    names = {
        "dead file": f".model.npz.{dead}.0123abcd.tmp",
        "dead folder": f".frames.{dead}.89abcdef.tmp",
        "live (this process)": f".model.npz.{os.getpid()}.0123abcd.tmp",
        "not ours": f".model.npz.{dead}.notes.tmp",
        "no pid": ".model.npz.tmp",
    }
    for label, name in names.items():
        if "folder" in label:
            (tmp_path / name).mkdir()
            (tmp_path / name / "index.html").write_text("old")
        else:
            (tmp_path / name).write_text(label)
    removed = files.remove_stale_temporaries(tmp_path)
    assert sorted(p.name for p in removed) == sorted([names["dead file"], names["dead folder"]])
    assert sorted(os.listdir(tmp_path)) == sorted(
        names[label] for label in ("live (this process)", "not ours", "no pid")
    )


def test_a_save_whose_unnamed_file_cannot_be_linked_copies_it_and_leaves_nothing(
    tmp_path, monkeypatch
):
    """Should linking the unnamed file fail (a file system that refuses it), its bytes
    are copied to a named temporary, which is renamed over the target as usual."""
    path = tmp_path / "model.npz"
    model(1).save(path)
    path.chmod(0o600)

    def link_refused(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", link_refused)
    model(2).save(path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["model.npz"]
    assert path.stat().st_mode & 0o777 == 0o600
    np.testing.assert_array_equal(nn.load_model(path).state_dict()["W1"],
                                  model(2).state_dict()["W1"])


# --------------------------------------------------------------------------- permissions


@pytest.fixture
def umask():
    """Set the umask for one test, and restore it."""
    previous = os.umask(0o022)
    yield os.umask
    os.umask(previous)


def test_a_re_saved_file_keeps_its_permissions(tmp_path, umask):
    path = tmp_path / "model.npz"
    model(1).save(path)
    path.chmod(0o600)
    model(2).save(path)
    assert path.stat().st_mode & 0o777 == 0o600
    picture = tmp_path / "J.dot"
    files.atomic_write(picture, "digraph {}")
    picture.chmod(0o640)
    files.atomic_write(picture, "digraph { a }")
    assert picture.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_umask_default(tmp_path, umask, mask, mode):
    umask(mask)
    model(1).save(tmp_path / "model.npz")
    assert (tmp_path / "model.npz").stat().st_mode & 0o777 == mode


def test_a_name_that_fits_but_not_with_a_temporary_suffix_still_saves(tmp_path):
    longest = os.pathconf(tmp_path, "PC_NAME_MAX")
    path = tmp_path / ("m" * (longest - len(".npz")) + ".npz")
    model(1).save(path)
    model(2).save(path)  # and over an existing file
    assert os.listdir(tmp_path) == [path.name]
    np.testing.assert_array_equal(nn.load_model(path).state_dict()["W1"],
                                  model(2).state_dict()["W1"])


# --------------------------------------------------------------------------- frames


def course_frames(expression: str):
    """The backward frames of the course's J = 3(a + bc), or of a longer J."""
    a = autograd_lite.Tensor(5.0, requires_grad=True, name="a")
    b = autograd_lite.Tensor(3.0, requires_grad=True, name="b")
    c = autograd_lite.Tensor(2.0, requires_grad=True, name="c")
    J = 3 * (a + b * c) if expression == "short" else (a * b + b * c + c * a) * 3 + a
    J.name = "J"
    return visualize.backward_frames(J)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_a_frames_folder_killed_while_written_is_the_old_one_whole(tmp_path):
    folder = tmp_path / "frames"
    visualize.write_frames(course_frames("short"), folder, format="dot")
    old = snapshot(folder)
    script = """
        import os, sys, time
        import autograd_lite as al
        import visualize
        a, b, c = (al.Tensor(v, requires_grad=True, name=n) for v, n in zip((5., 3., 2.), "abc"))
        J = (a * b + b * c + c * a) * 3 + a
        J.name = "J"
        frames = visualize.backward_frames(J)
        real_fsync, calls = os.fsync, []
        def fsync_that_stops(fd):
            calls.append(fd)
            if len(calls) == 3:  # two files of the new frames are on disk
                print("writing", flush=True)
                time.sleep(600)
            return real_fsync(fd)
        os.fsync = fsync_that_stops
        visualize.write_frames(frames, sys.argv[1], format="dot")
    """
    child = start(script, str(folder))
    wait_for(child, "writing")
    kill(child)
    assert snapshot(folder) == old  # never a page of one run beside frames of another
    new = course_frames("long")
    written = visualize.write_frames(new, folder, format="dot")
    assert sorted(os.listdir(tmp_path)) == ["frames"]  # the killed run's folder is gone
    assert sorted(p.name for p in written) == sorted(snapshot(folder))
    page = (folder / "index.html").read_text()
    assert f"Step 0 of {len(new) - 1}" in page and len(snapshot(folder)) == len(new) + 1


@pytest.mark.parametrize("exchange", ["renameat2", "two renames"])
def test_frames_replace_their_folder_and_keep_its_permissions(tmp_path, monkeypatch, exchange):
    if exchange == "two renames":  # systems without renameat2(RENAME_EXCHANGE)
        monkeypatch.setattr(files, "_renameat2", lambda: None)
    folder = tmp_path / "frames"
    visualize.write_frames(course_frames("long"), folder, format="dot")
    folder.chmod(0o700)
    written = visualize.write_frames(course_frames("short"), folder, format="dot")
    assert sorted(os.listdir(folder)) == sorted(p.name for p in written)  # no stale frames
    assert folder.stat().st_mode & 0o777 == 0o700
    assert os.listdir(tmp_path) == ["frames"]


def test_frames_refuse_a_folder_that_holds_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="holds other files than frames"):
        visualize.write_frames(course_frames("short"), tmp_path, format="dot")
    assert os.listdir(tmp_path) == ["notes.txt"]


# --------------------------------------------------------------------------- pickle, deepcopy


def leaves_of(t: autograd_lite.Tensor) -> list[autograd_lite.Tensor]:
    """The distinct leaves that require grad under ``t`` (walked without recursion)."""
    found, seen, stack = [], {id(t)}, [t]
    while stack:
        node = stack.pop()
        if node.is_leaf and node.requires_grad:
            found.append(node)
        for parent in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return found


def round_trips(t):
    import copy
    import pickle

    return {"pickle": pickle.loads(pickle.dumps(t)), "deepcopy": copy.deepcopy(t)}


def test_a_chain_of_5000_ops_pickles_and_deep_copies_with_the_same_gradients():
    """y_0 = x, y_k = 0.999 y_(k-1) + x (two ops a step, 2500 steps), J = Σ y_n:
    dJ/dx = 0.999^n + Σ_(j<n) 0.999^j for every element (by hand)."""
    n = 2500
    x = autograd_lite.Tensor([0.5, -1.0, 2.0], requires_grad=True, name="x")
    y = x
    for _ in range(n):
        y = y * 0.999 + x
    J = y.sum()
    copies = round_trips(J)
    expected = 0.999**n + sum(0.999**j for j in range(n))
    J.backward()
    np.testing.assert_allclose(x.grad, np.full(3, expected), rtol=1e-10)
    for how, J2 in copies.items():
        (x2,) = leaves_of(J2)  # x, used by 2501 ops, is still one tensor
        assert x2 is not x and x2.name == "x", how
        J2.backward()
        np.testing.assert_array_equal(x2.grad, x.grad)


def test_a_deep_create_graph_gradient_pickles_with_its_tensor():
    """x.grad after create_graph=True is itself a graph of hundreds of ops."""
    from autograd_lite.engine import gradients

    x = autograd_lite.Tensor([0.3, -0.2], requires_grad=True)
    y = x
    for _ in range(300):
        y = autograd_lite.tanh(y) * 1.01
    y.sum().backward(create_graph=True)
    (second,) = gradients(x.grad.sum(), [x], retain_graph=True)
    for how, x2 in round_trips(x).items():
        np.testing.assert_array_equal(x2.grad.data, x.grad.data)
        (second2,) = gradients(x2.grad.sum(), [x2])
        np.testing.assert_array_equal(second2, second, err_msg=how)


def test_shared_subgraphs_stay_shared_through_pickle_and_deepcopy():
    """u = ab is used three times by J = u·u + u; pickled with a, J still uses one u and
    that a: dJ/da = (2u + 1) b (by hand)."""
    import copy
    import pickle

    a = autograd_lite.Tensor(2.0, requires_grad=True, name="a")
    b = autograd_lite.Tensor(3.0, requires_grad=True, name="b")
    u = a * b
    J = u * u + u
    for J2, a2 in (pickle.loads(pickle.dumps((J, a))), copy.deepcopy((J, a))):
        square, u2 = J2.parents
        assert square.parents[0] is square.parents[1] is u2
        assert u2.parents[0] is a2
        J2.backward()
        assert a2.grad.item() == (2 * 6.0 + 1) * 3.0
    assert a.grad is None  # the originals are untouched
