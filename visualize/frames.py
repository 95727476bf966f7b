"""The backward pass, one picture per step: the chain rule as the course writes it.

    >>> frames = visualize.backward_frames(J)          # J = 3(a + bc)
    >>> print("\\n".join(frames[-1].lines))
    u = b·c: the upstream gradient dJ/du = 3 meets u's local derivatives
    dJ/db = dJ/du · c = 3 · 2 = 6
    dJ/dc = dJ/du · b = 3 · 3 = 9

Step 0 seeds dJ/dJ = 1 at the output. Each later step takes one op node, in reverse
topological order (right to left), highlights it, and writes, for each of its
inputs, upstream × local = downstream with the real numbers; gradients appear in
the picture as they become known. Frames can be written as numbered SVG files, one
self-contained HTML page that steps through them (Prev/Next), or an animated GIF.

The steps are the engine's own walk (``al.backward_pass``): each edge's share is the
gradient the engine passes along it, and its local derivative is written from the
op's primitive (``derivative_text``); nothing is derived twice.
"""

from __future__ import annotations

import html
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import graphviz
import numpy as np

import autograd_lite as al
from autograd_lite import Tensor
from autograd_lite.files import atomic_folder, atomic_write
from visualize.dot_program import (
    GraphvizNotFoundError,
    dot_available,
    missing_dot_message,
    run_dot,
)
from visualize.graph import (
    FONT,
    GraphLayout,
    dot_text,
    format_array,
    format_shape,
    forward_order,
    to_ascii,
)
from visualize.steady import CAPTION_GAP, lay_out, measure, pin_corners

#: Most steps drawn by default: one picture per op, each of the whole graph, is readable
#: (and quick for Graphviz to draw) only for small graphs.
DEFAULT_MAX_STEPS = 30
#: The name of the node that holds a frame's chain rule, above the graph.
CAPTION = "caption"

@dataclass
class BackwardStep:
    """One step of the backward pass (without its picture).

    ``node`` is the tensor whose op is processed (the output at step 0); ``lines`` the
    chain rule at this step; ``edge_labels`` maps id(input) -> its local derivative;
    ``known`` the gradients dJ/dx known after the step (by id); ``fresh`` the ids whose
    gradient this step changed.
    """

    index: int
    node: Tensor
    lines: list[str]
    edge_labels: dict[int, str] = field(default_factory=dict)
    known: dict[int, np.ndarray] = field(default_factory=dict)
    fresh: set[int] = field(default_factory=set)

    @property
    def ascii_lines(self) -> list[str]:
        """``lines`` with * for ·, for terminals."""
        return [to_ascii(line) for line in self.lines]


@dataclass
class BackwardFrame:
    """The picture of one step: ``graph`` (a graphviz.Digraph, the chain-rule ``lines``
    as its caption) and ``bare``, the same picture without the caption (for a page that
    prints the lines itself; None when the frames were made without Graphviz).
    ``node_id`` is the highlighted node's name in the DOT source and the SVG (``t6``)."""

    step: int
    total: int
    node_name: str
    lines: list[str]
    graph: graphviz.Digraph
    bare: graphviz.Digraph | None = None
    node_id: str = ""

    @property
    def source(self) -> str:
        """The DOT source of the picture (it holds the chain-rule text as its caption)."""
        return self.graph.source

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return self.graph._repr_mimebundle_(include=include, exclude=exclude)


# --------------------------------------------------------------------------- local derivatives

def local_derivative_text(layout: GraphLayout, node: Tensor, position: int) -> str | None:
    """dnode/dinput at ``position`` as the course writes it (``c`` for u = bc, input b),
    from the node's primitive, as a factor of the chain rule: in parentheses when it is
    a sum, a difference or starts with a minus sign, so that ``dJ/dJ · (1 - J²)`` and
    ``dL/dL · (-1)`` read right."""
    text = _derivative_text(layout, node, position)
    return None if text is None else _as_factor(text)


def _derivative_text(layout: GraphLayout, node: Tensor, position: int) -> str | None:
    """dnode/dinput at ``position`` as the primitive writes it (None: no text)."""
    primitive = node.primitive
    if primitive is None:
        return None
    operands = [layout.operand(p) for p in node.parents]
    return primitive.derivative_text(position, layout.name(node), operands, node)


def _as_factor(text: str) -> str:
    """``text`` as a factor of a product: in parentheses when it starts with a minus sign
    or is a sum or a difference outside any parentheses (``1 - J²``, not ``a·(1 - a)``)."""
    if text.startswith("-") or _top_level_sum(text):
        return f"({text})"
    return text


def _top_level_sum(text: str) -> bool:
    """Whether ``text`` has a `` + `` or `` - `` outside parentheses and brackets."""
    depth = 0
    for i, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth == 0 and char in "+-" and text[i - 1:i] == " " and text[i + 1:i + 2] == " ":
            return True
    return False


def _factor(text: str) -> str:
    """A number as the right factor of a product: ``3 · (-1)``, not ``3 · -1``."""
    return f"({text})" if text.startswith("-") else text


def _local_values(node: Tensor) -> list[Any]:
    """dnode/dinput per input, as numbers (the VJP with upstream 1), for a one-element node."""
    ones = np.ones(node.shape, dtype=node.dtype)
    values = []
    for parent, local in zip(node.parents, al.vjp(node, ones, replay=True)):
        if local is not None and np.size(local) == parent.data.size:
            local = np.asarray(local).reshape(parent.shape)
        values.append(local)
    return values


# --------------------------------------------------------------------------- the steps

def backward_steps(
    t: Tensor,
    grad: Any = None,
    *,
    max_steps: int | None = DEFAULT_MAX_STEPS,
    layout: GraphLayout | None = None,
) -> tuple[GraphLayout, list[BackwardStep]]:
    """The backward pass of ``t`` step by step, as text and gradients (no pictures).

    Returns the layout (names, nodes) and the steps: step 0 seeds dt/dt (1 for a
    tensor with one element, else ``grad``), then one step per op in reverse
    topological order. Nothing is accumulated into any ``.grad``.
    """
    if not isinstance(t, Tensor):
        raise TypeError(f"backward_frames: expected a Tensor; got {type(t).__name__}")
    order = layout.order if layout is not None else forward_order(t)
    ops = [node for node in order if not node.is_leaf]
    if max_steps is not None and len(ops) > max_steps:
        raise ValueError(
            f"backward_frames: the graph has {len(ops):,} ops, one picture each; at most "
            f"max_steps={max_steps} are drawn. Draw the whole graph with draw_graph (which "
            "abbreviates it), or pass a larger max_steps"
        )
    if layout is None:
        layout = GraphLayout(t, max_nodes=None, caller="backward_frames")
    root = layout.root
    if not root.requires_grad:
        raise RuntimeError(
            f"backward_frames: {layout.output_name} does not require grad, so there is no "
            "backward pass to show; create the inputs with requires_grad=True"
        )
    seed = _seed(root, grad, layout.output_name)
    out_name = layout.output_name
    known: dict[int, np.ndarray] = {id(root): seed}
    seed_text = format_array(seed)
    seed_line = (
        f"d{out_name}/d{out_name} = {seed_text}"
        if seed.size == 1
        else f"d{out_name}/d{out_name} = the given gradient, shape {format_shape(seed.shape)}"
    )
    steps = [
        BackwardStep(
            0,
            root,
            [f"Start at the output: {seed_line}"],
            known=dict(known),
            fresh={id(root)},
        )
    ]
    for walked in al.backward_pass(root, seed, retain_graph=True, replay=True):
        steps.append(_step(layout, len(steps), walked, known))
    return layout, steps


def _seed(root: Tensor, grad: Any, name: str) -> np.ndarray:
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"backward_frames: {name} has shape {root.shape}; pass grad= an array of that "
                "shape, or reduce it to one number first (.sum() or .mean())"
            )
        return np.ones(root.shape, dtype=root.dtype)
    seed = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=root.dtype)
    if seed.shape != root.shape:
        raise RuntimeError(
            f"backward_frames: grad has shape {seed.shape} but {name} has shape {root.shape}"
        )
    return seed


def _step(
    layout: GraphLayout,
    index: int,
    walked: Any,
    known: dict[int, np.ndarray],
) -> BackwardStep:
    """The text of one step of the engine's walk (an ``al.BackwardStep``)."""
    node, upstream = walked.node, np.asarray(walked.upstream)
    out = layout.output_name
    name = layout.name(node)
    scalar = node.data.size == 1
    contributions = [None if c is None else np.asarray(c) for c in walked.shares]
    locals_ = _local_values(node) if scalar else None
    up_text = format_array(upstream)
    lines = [
        f"{name} = {layout.formula(node)}: the upstream gradient d{out}/d{name}"
        + (f" = {up_text}" if up_text is not None else f", shape {format_shape(upstream.shape)}")
        + f" meets {name}'s local derivatives"
    ]
    edge_labels: dict[int, str] = {}
    fresh: set[int] = set()
    for position, (parent, contribution) in enumerate(zip(node.parents, contributions)):
        if contribution is None:
            continue
        pname = layout.name(parent)
        written = _derivative_text(layout, node, position) or f"d{name}/d{pname}"
        symbol = _as_factor(written)
        before = known.get(id(parent))
        total = contribution if before is None else before + contribution
        known[id(parent)] = total
        fresh.add(id(parent))
        down_text = format_array(contribution)
        if scalar and locals_ is not None:
            local_text = format_array(locals_[position])
            product = (
                f" = {up_text} · {_factor(local_text)} = {down_text}"
                if local_text is not None and down_text is not None
                else f", shape {format_shape(contribution.shape)}"
            )
            edge_labels[id(parent)] = (
                f"d{name}/d{pname} = {written}"
                + (f" = {local_text}" if local_text is not None and local_text != written else "")
            )
        else:
            shapes = f" ({node.op}: {format_shape(upstream.shape)} → {format_shape(parent.shape)})"
            product = shapes + (f" = {down_text}" if down_text is not None else "")
            edge_labels[id(parent)] = f"d{name}/d{pname} = {written}"
        chain = f"d{out}/d{name} · {symbol}"
        if before is None:
            lines.append(f"d{out}/d{pname} = {chain}{product}")
        else:
            total_text = format_array(total)
            so = f", so d{out}/d{pname} = {total_text}" if total_text is not None else ""
            lines.append(f"d{out}/d{pname} += {chain}{product}{so}")
    return BackwardStep(index, node, lines, edge_labels, dict(known), fresh)


# --------------------------------------------------------------------------- the frames

def backward_frames(
    t: Tensor,
    grad: Any = None,
    *,
    max_steps: int | None = DEFAULT_MAX_STEPS,
    show_data: bool = True,
    rankdir: str = "LR",
) -> list[BackwardFrame]:
    """One picture per step of the backward pass of ``t``.

    Frame 0 seeds dJ/dJ = 1 at the output; each later frame highlights the op being
    processed (right to left), labels its input edges with their local derivatives,
    and writes the chain rule of that step with the real numbers
    (``dJ/db = dJ/du · c = 3 · 2 = 6``) as its caption. Gradients not yet reached show
    as ``?``. The graph must not have been freed by a plain ``backward()`` when it has
    ops with hidden parameters (``x**2``, axes); ``.grad`` is never changed.
    Refuses graphs with more than ``max_steps`` ops. Write the frames with
    :func:`write_frames`, :func:`frames_to_html` or :func:`frames_to_gif`.

    With Graphviz's ``dot`` installed, every frame has the same layout (laid out once,
    :mod:`visualize.steady`): the same size, every node at the same place, only colours
    and labels change. Without it the frames are DOT sources laid out one by one.
    """
    layout, steps = backward_steps(t, grad, max_steps=max_steps)
    total = len(steps) - 1
    captions = [[_header(layout, step, total), *step.lines] for step in steps]

    def draw(step: BackwardStep, **options: Any) -> graphviz.Digraph:
        return layout.digraph(
            lambda tensor, known=step.known: known.get(id(tensor)),
            show_data,
            True,
            rankdir,
            highlight=step.node,
            edge_labels=step.edge_labels,
            fresh=step.fresh,
            pending=True,
            **options,
        )

    if dot_available():
        graphs, bare = _steady_graphs(layout, steps, captions, draw)
    else:
        graphs = [draw(step, caption_lines=caption) for step, caption in zip(steps, captions)]
        bare = [None] * len(steps)
    return [
        BackwardFrame(step.index, total, layout.name(step.node), step.lines, graph, plain,
                      f"t{layout.position[id(step.node)]}")
        for step, graph, plain in zip(steps, graphs, bare)
    ]


def _header(layout: GraphLayout, step: BackwardStep, total: int) -> str:
    if step.index == 0:
        return f"Backward pass of {layout.output_name}, step 0 of {total}"
    return f"Step {step.index} of {total}: the chain rule at {layout.name(step.node)}"


def _caption_node(graph: graphviz.Digraph, lines: Sequence[str], **attrs: str) -> None:
    """The chain rule of the step as a node of left-justified lines (``\\l`` ends a line)."""
    text = "".join(dot_text(line) + "\\l" for line in lines)
    graph.node(CAPTION, label=text, shape="plaintext", fontname=FONT, fontsize="13",
               labelloc="t", **attrs)


def _steady_graphs(
    layout: GraphLayout,
    steps: Sequence[BackwardStep],
    captions: Sequence[Sequence[str]],
    draw: Callable[..., graphviz.Digraph],
) -> tuple[list[graphviz.Digraph], list[graphviz.Digraph]]:
    """Every frame pinned to one layout: with its caption above the graph, and bare."""
    what = "backward_frames: laying out the frames"
    free = []
    for step, caption in zip(steps, captions):
        graph = draw(step)
        _caption_node(graph, caption)
        free.append(graph)
    sizes = measure(free, what)
    caption_size = sizes.pop(CAPTION)
    every_label = {id(step.node): step.edge_labels for step in steps[1:]}
    fixed = {
        name: {"width": f"{w:g}", "height": f"{h:g}", "fixedsize": "true"}
        for name, (w, h) in sizes.items()
    }
    # Every edge carries the label it has in any frame, so that the layout leaves room for it.
    skeleton = draw(steps[-1], every_edge_label=every_label, node_attrs=fixed,
                    edge_attrs=lambda number: {"id": f"e{number}"})
    placed = lay_out(skeleton, what)
    caption_width, caption_height = caption_size[0] * 72, caption_size[1] * 72
    full_width = max(placed.width, caption_width)
    full_height = placed.height + CAPTION_GAP + caption_height
    graphs, bare = [], []
    for step, caption in zip(steps, captions):
        graph = draw(step, node_attrs=placed.node_attrs(), edge_attrs=placed.edge_attrs)
        graph.attr(layout="nop2")
        _caption_node(
            graph, caption, width=f"{caption_size[0]:g}", height=f"{caption_size[1]:g}",
            fixedsize="true",
            pos=f"{caption_width / 2:.2f},{placed.height + CAPTION_GAP + caption_height / 2:.2f}!",
        )
        pin_corners(graph, full_width, full_height)
        graphs.append(graph)
        plain = draw(step, node_attrs=placed.node_attrs(), edge_attrs=placed.edge_attrs)
        plain.attr(layout="nop2")
        pin_corners(plain, placed.width, placed.height)
        bare.append(plain)
    return graphs, bare


# --------------------------------------------------------------------------- writing

def _svg_body(svg: str) -> str:
    """The <svg> element of dot's output, without the XML declaration and DOCTYPE."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def _svgs(sources: Sequence[str], what: str) -> list[str]:
    """The SVG of each DOT source, all drawn by one run of ``dot``."""
    marker = "<?xml"
    out = run_dot("\n".join(sources), "svg", what).decode("utf-8")
    svgs = [marker + part for part in out.split(marker)[1:]]
    if len(svgs) != len(sources):
        raise RuntimeError(f"{what}: Graphviz's dot drew {len(svgs)} of {len(sources)} pictures")
    return svgs


def _page_pictures(frames: Sequence[BackwardFrame], what: str) -> list[str]:
    """The frames' pictures for a page that prints the chain rule itself: without their
    caption when they have one (``bare``)."""
    sources = [(frame.bare if frame.bare is not None else frame.graph).source for frame in frames]
    return [_svg_body(svg) for svg in _svgs(sources, what)]


def write_frames(
    frames: Sequence[BackwardFrame],
    directory: str | os.PathLike[str],
    format: str = "svg",
) -> list[Path]:
    """Write ``frame_000.svg``, ``frame_001.svg``, ... and ``index.html`` into ``directory``.

    ``format="dot"`` writes DOT sources instead (no Graphviz program needed); its
    ``index.html`` then steps through the chain-rule text alone. Returns the paths.

    The folder is replaced as a whole (built next to it, then swapped in one step), so
    its page and its frames always come from the same run, even if the writing is
    interrupted. A folder that holds other files than frames is refused, not replaced.
    """
    if format not in ("svg", "dot"):
        raise ValueError(f"write_frames: format must be 'svg' or 'dot'; got {format!r}")
    if not frames:
        raise ValueError("write_frames: there are no frames to write")
    if format == "svg" and not dot_available():
        raise GraphvizNotFoundError(missing_dot_message("write_frames: writing SVG frames"))
    folder = Path(directory)
    _check_frames_folder(folder)
    width = max(3, len(str(len(frames) - 1)))
    names = [f"frame_{frame.step:0{width}d}.{format}" for frame in frames]
    pictures: list[str | None] = [None] * len(frames)
    if format == "svg":
        texts = _svgs([frame.source for frame in frames], "write_frames: drawing the frames")
        pictures = list(_page_pictures(frames, "write_frames: drawing the page"))
    else:
        texts = [frame.source for frame in frames]
    files = dict(zip(names, texts))
    files["index.html"] = _html_page(frames, pictures)

    def fill(building: Path) -> None:
        for name, text in files.items():
            (building / name).write_bytes(text.encode("utf-8"))

    atomic_folder(folder, fill)
    return [folder / name for name in files]


#: What a file browser leaves in a folder it showed: replaced with the folder, not refused.
_BROWSER_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def _is_frames_file(name: str) -> bool:
    stem, dot, suffix = name.partition(".")
    return name == "index.html" or name in _BROWSER_FILES or (
        dot == "." and suffix in ("svg", "dot") and stem.startswith("frame_")
        and stem.removeprefix("frame_").isdigit()
    )


def _check_frames_folder(folder: Path) -> None:
    """Refuse to replace a folder that holds anything else than frames and their page."""
    try:
        names = sorted(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return  # new, or a file: atomic_folder says so
    others = [name for name in names if not _is_frames_file(name)]
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        raise FileExistsError(
            f"write_frames: {os.fspath(folder)} holds other files than frames ({shown}); the "
            "frames replace their folder as a whole, so give a new or empty folder"
        )


def frames_to_html(
    frames: Sequence[BackwardFrame], path: str | os.PathLike[str], title: str | None = None
) -> Path:
    """One self-contained HTML page (inline SVGs, a little JavaScript) stepping through
    ``frames`` with Prev/Next buttons and the arrow keys. Needs Graphviz's ``dot``."""
    if not frames:
        raise ValueError("frames_to_html: there are no frames to write")
    if not dot_available():
        raise GraphvizNotFoundError(missing_dot_message("frames_to_html"))
    pictures: list[str | None] = list(_page_pictures(frames, "frames_to_html"))
    return atomic_write(path, _html_page(frames, pictures, title))


def frames_to_gif(
    frames: Sequence[BackwardFrame],
    path: str | os.PathLike[str],
    duration_ms: int = 1600,
) -> Path:
    """An animated GIF of ``frames`` (optional: needs Pillow and Graphviz's ``dot``)."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(
            'frames_to_gif needs Pillow: pip install "autograd-lite[plots]" (matplotlib '
            "brings it) or pip install pillow; write_frames needs neither"
        ) from None
    if not frames:
        raise ValueError("frames_to_gif: there are no frames to write")
    if not dot_available():
        raise GraphvizNotFoundError(missing_dot_message("frames_to_gif"))
    images = [
        Image.open(io.BytesIO(run_dot(frame.source, "png", "frames_to_gif"))).convert("RGB")
        for frame in frames
    ]
    width = max(image.width for image in images)
    height = max(image.height for image in images)
    canvases = []
    for image in images:
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(image, (0, 0))
        canvases.append(canvas)
    buffer = io.BytesIO()
    canvases[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=canvases[1:],
        duration=duration_ms,
        loop=0,
    )
    return atomic_write(path, buffer.getvalue())


_PAGE_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #111827; }
h1 { font-size: 1.3em; }
.controls { margin: 0.8em 0; }
.controls button { font-size: 1em; padding: 0.3em 0.9em; }
.chain { background: #f9fafb; border-left: 4px solid #b91c1c; padding: 0.6em 1em;
         font-size: 1.05em; white-space: pre-wrap; margin-bottom: 0.8em; }
.picture svg { max-width: 100%; height: auto; }
/* With the script, every step's text shares one cell and every picture another: the
   tallest text sets the height, so the picture below never moves between steps. */
.js .steps { display: grid; }
.js .frame { display: contents; }
.js .chain { grid-row: 1; grid-column: 1; visibility: hidden; }
.js .picture { grid-row: 2; grid-column: 1; visibility: hidden; }
.js .frame.active .chain, .js .frame.active .picture { visibility: visible; }
"""

_PAGE_SCRIPT = """
(function () {
  var frames = document.querySelectorAll('.frame');
  var current = 0;
  function show(k) {
    current = Math.max(0, Math.min(frames.length - 1, k));
    for (var i = 0; i < frames.length; i++) {
      frames[i].classList.toggle('active', i === current);
    }
    document.getElementById('prev').disabled = current === 0;
    document.getElementById('next').disabled = current === frames.length - 1;
  }
  document.getElementById('prev').onclick = function () { show(current - 1); };
  document.getElementById('next').onclick = function () { show(current + 1); };
  document.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowLeft') { show(current - 1); }
    if (e.key === 'ArrowRight') { show(current + 1); }
  });
  show(0);
})();
"""


def _html_page(
    frames: Sequence[BackwardFrame], pictures: Sequence[str | None], title: str | None = None
) -> str:
    """The page: a title, Prev/Next, and per step its chain rule (printed once, as HTML
    text, once) above its picture (without a caption). Each frame names its highlighted node
    (``data-node``: the picture's node id, ``data-name``: its name in the formulas)."""
    heading = title or f"The backward pass of {frames[0].node_name}, step by step"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(heading)}</title>",
        f"<style>{_PAGE_STYLE}</style>",
        "<script>document.documentElement.className = 'js';</script>",
        "</head><body>",
        f"<h1>{html.escape(heading)}</h1>",
        '<div class="controls"><button id="prev" type="button">&larr; Prev</button> '
        '<button id="next" type="button">Next &rarr;</button></div>',
        '<div class="steps">',
    ]
    for frame, picture in zip(frames, pictures):
        chain = html.escape("\n".join(frame.lines))
        parts.append(
            f'<div class="frame" id="step-{frame.step}" data-step="{frame.step}" '
            f'data-node="{html.escape(frame.node_id)}" data-name="{html.escape(frame.node_name)}">'
        )
        parts.append(
            f'<div class="chain"><strong>Step {frame.step} of {frame.total}</strong>\n{chain}</div>'
        )
        if picture is not None:
            parts.append(f'<div class="picture">{picture}</div>')
        else:
            parts.append(
                '<div class="picture"><p><em>Pictures need Graphviz\'s dot program; this page '
                "shows the chain rule alone. The DOT source of each step is in the frame_*.dot "
                "files.</em></p></div>"
            )
        parts.append("</div>")
    parts.append("</div>")
    parts.append(f"<script>{_PAGE_SCRIPT}</script>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
