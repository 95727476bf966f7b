"""Shared plumbing for the lessons: where pictures go, fast mode, the gallery.

Nothing here is part of the lessons' teaching; it keeps each lesson short.

- Pictures go to ``tutorials/out/<lesson>/``, or to ``$TUTORIAL_OUT/<lesson>/``
  when that variable is set.
- Fast mode (``FAST=1``, or ``CI`` set, as on a CI server) trains for fewer
  epochs; every lesson still shows its point.
- With ``GALLERY=1`` or the ``--gallery`` flag, the pictures a lesson marks for
  the gallery are also copied to ``tutorials/gallery/`` (the ones README.md shows).
- BLAS runs single-threaded (the matrices are small; threads only add overhead).
- In a script, matplotlib draws off-screen (the Agg backend) and figures are closed
  once saved; in Jupyter they are also shown inline.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GALLERY_DIR = HERE / "gallery"
GALLERY_MAX_BYTES = 200_000

IN_NOTEBOOK = "ipykernel" in sys.modules

if not IN_NOTEBOOK:
    import matplotlib

    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy  # noqa: E402, F401  (load NumPy's BLAS before limiting its threads)

from visualize import dot_available, render  # noqa: E402

try:  # threadpoolctl comes with scikit-learn, which the lessons' data sets need
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None
if threadpool_limits is not None and not os.environ.get("OPENBLAS_NUM_THREADS"):
    # The lessons multiply small matrices, thousands of times: starting BLAS threads
    # for each product costs more than it saves (and they spin when cores are shared).
    threadpool_limits(limits=1, user_api="blas")


def _flag(name: str) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return value not in ("", "0", "false", "no", "off")


FAST = _flag("FAST") or _flag("CI")
GALLERY = _flag("GALLERY") or "--gallery" in sys.argv


def pick(fast, full):
    """``fast`` in fast mode, ``full`` otherwise (epochs, sweep sizes, repeats)."""
    return fast if FAST else full


def output_dir(lesson: str) -> Path:
    """The folder this lesson writes its pictures to (created if needed)."""
    base = os.environ.get("TUTORIAL_OUT")
    root = Path(base) if base else HERE / "out"
    folder = root / lesson
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Lesson:
    """Output folder, saved-picture bookkeeping and gallery copies for one lesson."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.out = output_dir(name)
        self.saved: list[Path] = []
        self.started = time.perf_counter()
        mode = "FAST mode (fewer epochs)" if FAST else "full mode"
        print(f"[{name}] {mode}; pictures go to {self.out}")

    def path(self, filename: str) -> Path:
        return self.out / filename

    def savefig(self, fig, filename: str, gallery: bool = False, dpi: int = 90) -> None:
        """Save a matplotlib figure; close it in a script, show it in a notebook.

        Returns nothing, so that a notebook cell ending with it shows no stray value.
        """
        path = self.path(filename)
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
        self._done(path, gallery)
        if IN_NOTEBOOK:
            plt.show()
        else:
            plt.close(fig)

    def saved_file(self, path: Path, gallery: bool = False) -> Path:
        """Record a picture written by something else (Graphviz, a helper)."""
        path = Path(path)
        self._done(path, gallery)
        if IN_NOTEBOOK and path.suffix in (".svg", ".png", ".gif"):
            from IPython.display import SVG, Image, display

            display(SVG(filename=str(path)) if path.suffix == ".svg" else Image(str(path)))
        return path

    def _done(self, path: Path, gallery: bool) -> None:
        self.saved.append(path)
        print(f"  wrote {path.name}")
        if gallery and GALLERY:
            GALLERY_DIR.mkdir(exist_ok=True)
            target = GALLERY_DIR / f"{self.name.split('_')[0]}_{path.name}"
            shutil.copyfile(path, target)
            size = target.stat().st_size
            if size > GALLERY_MAX_BYTES:
                print(f"  WARNING: gallery picture {target.name} is {size // 1000} KB (> 200 KB)")
            print(f"  copied to gallery/{target.name}")

    def finish(self) -> None:
        seconds = time.perf_counter() - self.started
        print(f"[{self.name}] done in {seconds:.1f} s; {len(self.saved)} pictures in {self.out}")


def render_graph(lesson: Lesson, graph, stem: str, fmt: str = "svg", gallery: bool = False) -> None:
    """Write a graph picture (a Digraph, a Tensor or a model) as ``stem.fmt``.

    Uses :func:`visualize.render`. Without Graphviz's ``dot`` program it writes the
    DOT source ``stem.dot`` instead and says how to get the picture.
    """
    if dot_available():
        lesson.saved_file(render(graph, lesson.path(f"{stem}.{fmt}")), gallery)
        return
    path = render(graph, lesson.path(f"{stem}.dot"))
    print(f"  Graphviz's dot program is missing, so {stem} is written as DOT source; "
          "install it ('sudo apt-get install graphviz' or 'brew install graphviz') for pictures")
    lesson.saved_file(path)


def montage(lesson: Lesson, paths, filename: str, ncols: int, gallery: bool = False,
            width: float = 4.0, dpi: int = 80) -> None:
    """Put several saved PNG pictures side by side in one figure (for the gallery)."""
    paths = list(paths)
    nrows = -(-len(paths) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, width * 0.72 * nrows),
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, path in zip(axes.ravel(), paths):
        ax.imshow(plt.imread(path))
    fig.subplots_adjust(wspace=0.02, hspace=0.02, left=0, right=1, top=1, bottom=0)
    lesson.savefig(fig, filename, gallery=gallery, dpi=dpi)
