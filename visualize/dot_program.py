"""Graphviz's ``dot`` program: whether it is installed, and running it on DOT source.

.svg, .png and .pdf pictures are drawn by ``dot``; .dot files need no program. Every
picture module (graphs, frames, networks, :func:`visualize.render`) runs ``dot`` here,
so every PNG it draws has the same resolution: :data:`DEFAULT_DPI` dots per inch
unless ``dpi=`` says otherwise (Graphviz's own default, 72, is too coarse for a slide).
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib

import graphviz

__all__ = [
    "DEFAULT_DPI",
    "DOT_TIMEOUT",
    "INSTALL_HINT",
    "GraphvizNotFoundError",
    "dot_available",
    "missing_dot_message",
    "run_dot",
    "svg_of",
]

INSTALL_HINT = (
    "install Graphviz: 'sudo apt-get install graphviz' (Debian/Ubuntu), "
    "'brew install graphviz' (macOS), 'conda install -c conda-forge graphviz', "
    "or see https://graphviz.org/download/"
)

#: Longest time, in seconds, that ``dot`` may take to draw one picture.
DOT_TIMEOUT = 120.0

#: Resolution of the PNG pictures, in dots per inch: sharp on a slide or a projector.
DEFAULT_DPI = 150

#: Formats made of pixels, whose resolution ``dpi`` sets.
BITMAP_FORMATS = ("png", "gif", "jpg", "jpeg", "bmp")


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's ``dot`` program is needed for a picture format but is not on PATH."""


def dot_available() -> bool:
    """Whether Graphviz's ``dot`` program is on PATH (needed for .svg, .png, .pdf)."""
    return shutil.which("dot") is not None


def missing_dot_message(what: str) -> str:
    """The one-line explanation used whenever ``dot`` is needed and missing."""
    return (
        f"{what} needs Graphviz's 'dot' program, which is not on PATH; {INSTALL_HINT}. "
        "A .dot file needs no program."
    )


def check_dpi(dpi: float | None, caller: str) -> float:
    """``dpi`` as a number of dots per inch (:data:`DEFAULT_DPI` for None); a clear
    ValueError for anything that is not a positive number."""
    if dpi is None:
        return DEFAULT_DPI
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not 0 < dpi <= 2400:
        raise ValueError(f"{caller}: dpi must be a number of dots per inch, 1 to 2400; got {dpi!r}")
    return dpi


def run_dot(
    source: str, fmt: str, what: str = "drawing the picture", dpi: float | None = None
) -> bytes:
    """Run ``dot -T<fmt>`` on DOT ``source`` and return the picture's bytes.

    A bitmap (PNG, GIF) is drawn at ``dpi`` dots per inch (:data:`DEFAULT_DPI` when
    None); vector formats (SVG, PDF) have no resolution and ignore it.
    """
    executable = shutil.which("dot")
    if executable is None:
        raise GraphvizNotFoundError(missing_dot_message(what))
    command = [executable, f"-T{fmt}"]
    if fmt.split(":")[0] in BITMAP_FORMATS:
        command.append(f"-Gdpi={check_dpi(dpi, what):g}")
    try:
        done = subprocess.run(
            command,
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=DOT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(
            f"{what}: Graphviz's dot took more than {DOT_TIMEOUT:g} s; the graph is too large "
            "to draw (draw fewer nodes, e.g. draw_graph(..., max_nodes=100))"
        ) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = message[-1] if message else f"exit status {done.returncode}"
        raise RuntimeError(f"{what}: Graphviz's dot failed: {detail}")
    if fmt.split(":")[0] == "png":
        return png_with_dpi(done.stdout, check_dpi(dpi, what))
    return done.stdout


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_with_dpi(png: bytes, dpi: float) -> bytes:
    """``png`` with a pHYs chunk saying its resolution, so that a slide or a word
    processor shows it at its true size (Graphviz draws the pixels but writes no pHYs).

    An existing pHYs chunk is replaced; bytes that are not a PNG come back unchanged.
    """
    if not png.startswith(_PNG_SIGNATURE) or png[12:16] != b"IHDR":
        return png
    per_metre = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)  # unit 1: the metre
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    header_end = 8 + 8 + 13 + 4  # signature, IHDR's length and type, its 13 bytes, its CRC
    chunks, position = [], header_end
    while position + 8 <= len(png):
        (length,) = struct.unpack(">I", png[position:position + 4])
        end = position + 12 + length
        if png[position + 4:position + 8] != b"pHYs":
            chunks.append(png[position:end])
        position = end
    return png[:header_end] + chunk + b"".join(chunks) + png[position:]


def svg_of(graph: graphviz.Digraph | graphviz.Graph) -> str:
    """The SVG text of ``graph`` (needs ``dot``)."""
    return run_dot(graph.source, "svg").decode("utf-8")
