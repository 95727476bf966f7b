"""The tutorials' plumbing: where pictures go, fast mode, the gallery and its numbers.

Nothing here is part of the lessons' teaching; it keeps each lesson short, and it lives
in the package so that a lesson needs nothing beside itself: one lesson file uploaded
alone to Colab (after ``pip install "autograd-lite[plots,data]"``) runs as it is.

- Pictures go to ``out/<lesson>/`` next to the lesson file (``tutorials/out/`` for the
  lessons of this repository; in a notebook, next to the notebook), or to
  ``$TUTORIAL_OUT/<lesson>/`` when that variable is set.
- Fast mode (``FAST=1``, or ``CI`` set, as on a CI server) trains for fewer epochs;
  every lesson still shows its point.
- With ``GALLERY=1`` or the ``--gallery`` flag, the pictures a lesson marks for the
  gallery are also copied to ``gallery/`` next to the lesson (``tutorials/gallery/``, the
  pictures README.md shows), each with the numbers behind it (``<picture>.json``), which
  a test compares with a fresh run. ``GALLERY_DIR=folder`` sends them elsewhere.
- BLAS runs single-threaded (the matrices are small; threads only add overhead) unless
  ``OPENBLAS_NUM_THREADS`` is set; the lessons give the same numbers either way.
- Figures are closed once saved. In a script, matplotlib draws off-screen (the Agg
  backend); in Jupyter the saved picture is shown inline.
- Lesson figures are saved at ``visualize.DEFAULT_DPI`` (150). A gallery copy over
  :data:`GALLERY_MAX_BYTES` is re-encoded with a palette of 256 colours.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

#: True inside a Jupyter kernel (where pictures are also shown inline).
IN_NOTEBOOK = "ipykernel" in sys.modules

if not IN_NOTEBOOK:
    import matplotlib

    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy  # noqa: E402  (load NumPy's BLAS before limiting its threads)

from visualize import DEFAULT_DPI, dot_available, render  # noqa: E402

__all__ = [
    "FAST", "GALLERY", "IN_NOTEBOOK", "Lesson", "gallery_dir", "lesson_folder", "montage",
    "output_dir", "pick", "render_graph", "rounded",
]

#: A gallery PNG larger than this is re-encoded with 256 colours, and warned about if it
#: is still larger (tutorials/README.md shows them all).
GALLERY_MAX_BYTES = 200_000

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


#: Fast mode: fewer epochs (``FAST=1`` or ``CI`` set).
FAST = _flag("FAST") or _flag("CI")
#: Gallery mode: copy the marked pictures and their numbers to the gallery.
GALLERY = _flag("GALLERY") or "--gallery" in sys.argv


def pick(fast: Any, full: Any) -> Any:
    """``fast`` in fast mode, ``full`` otherwise (epochs, sweep sizes, repeats)."""
    return fast if FAST else full


def lesson_folder() -> Path:
    """The folder of the running lesson: the script's folder, or the working directory
    in a notebook (Jupyter starts a notebook's kernel in the notebook's folder)."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if main_file and not IN_NOTEBOOK:
        return Path(main_file).resolve().parent
    return Path.cwd()


def output_dir(lesson: str) -> Path:
    """The folder this lesson writes its pictures to (created if needed)."""
    base = os.environ.get("TUTORIAL_OUT")
    root = Path(base) if base else lesson_folder() / "out"
    folder = root / lesson
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def gallery_dir() -> Path:
    """Where gallery pictures are copied: ``$GALLERY_DIR``, else ``gallery/`` beside the
    lesson."""
    base = os.environ.get("GALLERY_DIR")
    return Path(base) if base else lesson_folder() / "gallery"


def rounded(value: Any, digits: int = 4) -> Any:
    """``value`` with every float rounded to ``digits`` significant digits (NumPy scalars
    and arrays become plain lists and numbers), for the numbers behind a picture.

    Four digits: a run at another BLAS thread count sums in another order, and the last
    bits of a float differ; four digits of a well-conditioned run do not.
    """
    if isinstance(value, Mapping):
        return {str(k): rounded(v, digits) for k, v in value.items()}
    if isinstance(value, numpy.ndarray):
        return rounded(value.tolist(), digits)
    if isinstance(value, (list, tuple)):
        return [rounded(v, digits) for v in value]
    if isinstance(value, (bool, numpy.bool_)):
        return bool(value)
    if isinstance(value, (int, numpy.integer)):
        return int(value)
    if isinstance(value, (float, numpy.floating)):
        value = float(value)
        if not math.isfinite(value) or value == 0.0:
            return value if math.isfinite(value) else str(value)
        return float(f"{value:.{digits}g}")
    return value


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
        """Where ``filename`` goes in this lesson's output folder."""
        return self.out / filename

    def savefig(self, fig: Any, filename: str, gallery: bool = False, dpi: float = DEFAULT_DPI,
                numbers: Mapping[str, Any] | None = None) -> None:
        """Save a matplotlib figure and close it; in a notebook, show the saved picture.

        ``numbers``: what the picture shows (final costs, accuracies...), written beside it
        as ``<picture>.json`` and copied to the gallery with it. Returns nothing, so that
        a notebook cell ending with it shows no stray value.
        """
        path = self.path(filename)
        # No date in the file: the same figure gives the same bytes on every run.
        metadata = {"Date": None} if path.suffix in (".svg", ".pdf") else None
        fig.savefig(path, dpi=dpi, bbox_inches="tight", metadata=metadata)
        plt.close(fig)
        # In a notebook the saved file itself is shown (what the gallery gets, at its dpi),
        # not the figure through matplotlib's inline backend, which shows nothing with
        # some pairs of matplotlib and matplotlib-inline (3.8 and 0.2).
        self.saved_file(path, gallery, numbers)

    def saved_file(self, path: Path | str, gallery: bool = False,
                   numbers: Mapping[str, Any] | None = None) -> Path:
        """Record a picture written by something else (Graphviz, a helper), or by
        :meth:`savefig`; show it in a notebook."""
        path = Path(path)
        self._done(path, gallery, numbers)
        if IN_NOTEBOOK and path.suffix in (".svg", ".png", ".gif"):
            from IPython.display import SVG, Image, display

            display(SVG(filename=str(path)) if path.suffix == ".svg" else Image(str(path)))
        return path

    def _done(self, path: Path, gallery: bool, numbers: Mapping[str, Any] | None) -> None:
        self.saved.append(path)
        print(f"  wrote {path.name}")
        numbers_path = None
        if numbers is not None:
            numbers_path = path.with_name(path.name + ".json")
            header = {"lesson": self.name, "picture": path.name, "fast": FAST}
            text = json.dumps({**header, **rounded(dict(numbers))},
                              indent=1, sort_keys=True, ensure_ascii=False)
            numbers_path.write_text(text + "\n", encoding="utf-8")
        if gallery and GALLERY:
            folder = gallery_dir()
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{self.name.split('_')[0]}_{path.name}"
            shutil.copyfile(path, target)
            if numbers_path is not None:
                shutil.copyfile(numbers_path, target.with_name(target.name + ".json"))
            size = target.stat().st_size
            if size > GALLERY_MAX_BYTES and target.suffix == ".png":
                size = _with_fewer_colours(target)
            if size > GALLERY_MAX_BYTES:
                print(f"  WARNING: gallery picture {target.name} is {size // 1000} KB (> 200 KB)")
            print(f"  copied to {folder.name}/{target.name}")

    def finish(self) -> None:
        """Say how long the lesson took and how many pictures it wrote."""
        seconds = time.perf_counter() - self.started
        print(f"[{self.name}] done in {seconds:.1f} s; {len(self.saved)} pictures in {self.out}")


def _with_fewer_colours(png: Path) -> int:
    """Write ``png`` again with a palette of 256 colours (a plot has few; a 150-dpi gallery
    picture shrinks to about a third); returns its new size in bytes."""
    from PIL import Image  # Pillow comes with matplotlib

    with Image.open(png) as image:
        fewer = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT,
                                              dither=Image.Dither.NONE)
    fewer.save(png, optimize=True, dpi=(DEFAULT_DPI, DEFAULT_DPI))
    return png.stat().st_size


def render_graph(lesson: Lesson, graph: Any, stem: str, fmt: str = "svg", gallery: bool = False,
                 numbers: Mapping[str, Any] | None = None) -> None:
    """Write a graph picture (a Digraph, a Tensor or a model) as ``stem.fmt``.

    Uses :func:`visualize.render`. Without Graphviz's ``dot`` program it writes the
    DOT source ``stem.dot`` instead and says how to get the picture.
    """
    if dot_available():
        lesson.saved_file(render(graph, lesson.path(f"{stem}.{fmt}")), gallery, numbers)
        return
    path = render(graph, lesson.path(f"{stem}.dot"))
    print(f"  Graphviz's dot program is missing, so {stem} is written as DOT source; "
          "install it ('sudo apt-get install graphviz' or 'brew install graphviz') for pictures")
    lesson.saved_file(path, numbers=numbers)


def montage(lesson: Lesson, paths: Iterable[Path | str], filename: str, ncols: int,
            gallery: bool = False, width: float = 4.0, dpi: float = DEFAULT_DPI,
            numbers: Mapping[str, Any] | None = None) -> None:
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
    lesson.savefig(fig, filename, gallery=gallery, dpi=dpi, numbers=numbers)
