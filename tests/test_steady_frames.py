"""The backward frames stand still: one layout for every frame, one text run per line,
the step's text printed once on the page. (The browser's view: tests/test_browser.py.)"""

import io
import re
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd_lite as al
import visualize
from visualize.dot_program import run_dot

pytestmark = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed"
)

SVG = "{http://www.w3.org/2000/svg}"


def course_J():
    a = al.Tensor(5.0, requires_grad=True, name="a")
    b = al.Tensor(3.0, requires_grad=True, name="b")
    c = al.Tensor(2.0, requires_grad=True, name="c")
    return 3 * (a + b * c)


def logistic_loss():
    """One example of logistic regression: labels that change width a lot (?, 0.1192, ...)."""
    x1 = al.Tensor(1.5, name="x1")
    x2 = al.Tensor(-2.0, name="x2")
    w1 = al.Tensor(0.3, requires_grad=True, name="w1")
    w2 = al.Tensor(-0.7, requires_grad=True, name="w2")
    b = al.Tensor(0.1, requires_grad=True, name="b")
    a = al.sigmoid(w1 * x1 + w2 * x2 + b)
    return -(1.0 * al.log(a) + (1 - 1.0) * al.log(1 - a))


def several_paths():
    a = al.Tensor(2.0, requires_grad=True, name="a")
    return al.exp(a) * a - a / (a * a + 1)  # a feeds four ops, x*x has a doubled edge


def matrices():
    rng = np.random.default_rng(0)
    W = al.Tensor(rng.normal(size=(2, 3)), requires_grad=True, name="W")
    X = al.Tensor(rng.normal(size=(3, 4)), name="X")
    b = al.Tensor(np.zeros((2, 1)), requires_grad=True, name="b")
    return al.sigmoid(W @ X + b).mean()


GRAPHS = [course_J, logistic_loss, several_paths, matrices]


def svg_size(root):
    return root.get("width"), root.get("height"), root.get("viewBox")


def node_geometry(root):
    """Each node's title (t3, op3, ...) -> the coordinates of its outline."""
    shapes = {}
    for group in root.iter(f"{SVG}g"):
        if "node" not in (group.get("class") or "").split():
            continue
        title = group.find(f"{SVG}title").text
        outline = [
            (el.tag, el.get("points") or el.get("d") or f"{el.get('cx')},{el.get('cy')}")
            for el in group
            if el.tag in (f"{SVG}polygon", f"{SVG}path", f"{SVG}ellipse")
        ]
        shapes[title] = outline
    return shapes


@pytest.mark.parametrize("build", GRAPHS, ids=lambda f: f.__name__)
def test_every_frame_has_the_same_size_and_node_positions(tmp_path, build):
    frames = visualize.backward_frames(build())
    written = visualize.write_frames(frames, tmp_path / "frames")
    roots = [ET.parse(path).getroot() for path in written if path.suffix == ".svg"]
    assert len(roots) == len(frames) >= 4
    assert len({svg_size(root) for root in roots}) == 1, [svg_size(r) for r in roots]
    geometry = [node_geometry(root) for root in roots]
    assert len(geometry[0]) >= 7 and "caption" in geometry[0]
    for later in geometry[1:]:
        assert later == geometry[0]
    # The page's pictures (without caption) are steady too, and smaller than the frames.
    page = (tmp_path / "frames" / "index.html").read_text()
    sizes = set(re.findall(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', page))
    assert len(sizes) == 1
    (width, height), = sizes
    frame_width, frame_height = (float(v.removesuffix("pt")) for v in svg_size(roots[0])[:2])
    assert float(width) <= frame_width and float(height) < frame_height


def test_the_gif_frames_are_drawn_the_same_size(tmp_path):
    PIL = pytest.importorskip("PIL.Image")
    frames = visualize.backward_frames(logistic_loss())
    sizes = {PIL.open(io.BytesIO(run_dot(f.source, "png"))).size for f in frames}
    assert len(sizes) == 1
    gif = visualize.frames_to_gif(frames, tmp_path / "backward.gif")
    with PIL.open(gif) as image:
        assert image.n_frames == len(frames) and image.size == sizes.pop()


def test_only_colours_and_labels_change_between_frames():
    frames = visualize.backward_frames(course_J())
    pinned = [re.findall(r'(\w+) \[.*?pos="([\d.,!]+)"', f.source) for f in frames]
    assert pinned[0] and all(p == pinned[0] for p in pinned)
    assert all('layout=nop2' in f.source for f in frames)


@pytest.mark.parametrize("build", GRAPHS, ids=lambda f: f.__name__)
def test_every_line_of_a_label_is_one_text_run(build):
    """A bold name beside a plain value is two SVG texts placed with Graphviz's font
    metrics, which overlap in a browser whose font is wider: one text per line."""
    for frame in visualize.backward_frames(build()):
        root = ET.fromstring(run_dot(frame.source, "svg"))
        for group in root.iter(f"{SVG}g"):
            if (group.get("class") or "").split()[:1] != ["node"]:
                continue
            baselines = [text.get("y") for text in group.iter(f"{SVG}text")]
            assert len(baselines) == len(set(baselines)), (
                group.find(f"{SVG}title").text, [t.text for t in group.iter(f"{SVG}text")]
            )


def test_the_page_prints_each_steps_text_once(tmp_path):
    frames = visualize.backward_frames(course_J())
    page = visualize.frames_to_html(frames, tmp_path / "page.html").read_text()
    for frame in frames:
        assert page.count(f"Step {frame.step} of 3") == 1
        for line in frame.lines:
            assert page.count(line.replace("'", "&#x27;")) == 1, line
    pictures = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert len(pictures) == 4
    assert not any("chain rule" in picture or "Step " in picture for picture in pictures)
    # Each frame names the node it highlights; the picture marks that node.
    nodes = re.findall(r'data-node="(\w+)" data-name="(\w+)"', page)
    assert [name for _, name in nodes] == ["J", "J", "v", "u"]
    for (node, _), picture in zip(nodes, pictures):
        highlighted = re.findall(r'class="node highlight">\s*<title>(\w+)</title>', picture)
        assert highlighted == [node]


def test_without_dot_the_frames_are_laid_out_one_by_one(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    frames = visualize.backward_frames(course_J())
    assert all(frame.bare is None and "pos=" not in frame.source for frame in frames)
    assert "dJ/db = dJ/du · c = 3 · 2 = 6" in frames[3].source
