"""visualize: the computation graph, the backward frames, networks, rendering, plots."""

import importlib
import os
import re
import shutil
import sys
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd_lite as al
import visualize
from visualize.frames import backward_steps
from visualize.graph import GraphLayout, forward_order

# The submodule (visualize.render, the attribute, is the function render).
render_module = importlib.import_module("visualize.render")

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed"
)


def course_graph(retain=True):
    """J = 3(a + bc) with a = 5, b = 3, c = 2, built as the course writes it."""
    a = al.Tensor(5.0, requires_grad=True, name="a")
    b = al.Tensor(3.0, requires_grad=True, name="b")
    c = al.Tensor(2.0, requires_grad=True, name="c")
    u = b * c
    u.name = "u"
    v = a + u
    v.name = "v"
    J = 3 * v
    J.name = "J"
    if retain:
        u.retain_grad()
        v.retain_grad()
        J.retain_grad()
    return J, a, b, c, u, v


@pytest.fixture
def no_dot(monkeypatch):
    """Pretend Graphviz's dot program is not installed."""
    real_which = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda name, *args, **kw: None if name == "dot" else real_which(name)
    )


# --------------------------------------------------------------------------- draw_graph

def test_dot_source_holds_names_values_and_gradients():
    J, *_ = course_graph()
    J.backward()
    source = visualize.draw_graph(J).source
    for text in ("<B>J = 3·v = 33</B>", "<B>a = 5</B>", "<B>u = b·c = 6</B>",
                 "<B>v = a + u = 11</B>", "dJ/da = 3", "dJ/db = 6", "dJ/dc = 9", "dJ/du = 3",
                 "dJ/dv = 3", "dJ/dJ = 1"):
        assert text in source, text
    # One op node per primitive, edges in the direction of the forward pass.
    assert source.count("shape=circle") == 3
    assert "t2 -> op4" in source and "op4 -> t4" in source


def test_constants_are_drawn_without_gradient():
    J, *_ = course_graph()
    J.backward()
    source = visualize.draw_graph(J).source
    constant_line = next(line for line in source.splitlines() if line.strip().startswith("t0 "))
    assert "label=<3>" in constant_line and "dashed" in constant_line
    assert "dJ/d3" not in source


def test_before_backward_there_are_no_gradients_and_intermediates_need_retain_grad():
    J, *_ = course_graph(retain=False)
    assert "dJ/d" not in visualize.draw_graph(J).source
    J.backward()
    source = visualize.draw_graph(J).source
    assert "dJ/da = 3" in source and "dJ/du" not in source


def test_unnamed_tensors_get_readable_names():
    x = al.Tensor(2.0, requires_grad=True)
    y = al.Tensor(3.0, requires_grad=True)
    out = al.exp(x * y) - x
    source = visualize.draw_graph(out).source
    for text in ("<B>x1 = ", "<B>x2 = ", "<B>u = x1·x2", "<B>v = exp(u)",
                 "<B>J = v - x1"):
        assert text in source, text


def test_show_data_and_show_grad_switch_rows_off():
    J, *_ = course_graph()
    J.backward()
    source = visualize.draw_graph(J, show_data=False, show_grad=False).source
    assert "dJ/da" not in source and "= 33" not in source
    assert "<TD><B>u = b·c</B></TD></TR></TABLE>>" in source
    assert "rankdir=TB" in visualize.draw_graph(J, rankdir="TB").source
    with pytest.raises(ValueError, match="rankdir"):
        visualize.draw_graph(J, rankdir="sideways")
    with pytest.raises(TypeError, match="expected a Tensor"):
        visualize.draw_graph([1, 2])


def test_large_values_show_their_shape_small_ones_their_values():
    W = al.Tensor(np.ones((3, 200)), requires_grad=True, name="W")
    v = al.Tensor([1.0, 2.0], requires_grad=True, name="v")
    J = (W * 2).sum() + (v * v).sum()
    J.backward()
    source = visualize.draw_graph(J).source
    assert "shape (3, 200)" in source and "dJ/dW: shape (3, 200)" in source
    assert "<B>v = [1, 2]</B>" in source and "dJ/dv = [2, 4]" in source


def test_group_by_layer_draws_clusters():
    X = al.Tensor(np.ones((2, 5)), name="X")
    W1 = al.Tensor(np.ones((3, 2)), requires_grad=True, name="W1")
    b1 = al.Tensor(np.zeros((3, 1)), requires_grad=True, name="b1")
    W2 = al.Tensor(np.ones((1, 3)), requires_grad=True, name="W2")
    A1 = al.relu(W1 @ X + b1)
    J = al.sigmoid(W2 @ A1).mean()
    source = visualize.draw_graph(J, group_by="layer").source
    assert "subgraph cluster_" in source and "label=\"layer 1\"" in source
    assert "label=\"layer 2\"" in source
    custom = visualize.draw_graph(J, group_by=lambda t: "params" if t.is_leaf else None).source
    assert "label=params" in custom
    with pytest.raises(ValueError, match="group_by"):
        visualize.draw_graph(J, group_by="depth")


# --------------------------------------------------------------------------- big graphs

@pytest.fixture(scope="module")
def deep_chain():
    x = al.Tensor(1.0, requires_grad=True, name="x")
    y = x
    for _ in range(100_000):
        y = y * 1.0
    return y


def test_a_100000_op_chain_draws_with_a_node_limit_without_recursion(deep_chain):
    assert len(forward_order(deep_chain)) == 200_001
    dot = visualize.draw_graph(deep_chain, max_nodes=60)
    source = dot.source
    assert "more nodes" in source and "… 299,942 more nodes" in source
    declared = re.findall(r"^\t(?:t|op)\d+ \[", source, flags=re.MULTILINE)
    assert 50 <= len(declared) <= 59  # within the limit, with room for the "more" node


def test_a_100000_op_chain_is_refused_cleanly_without_a_limit(deep_chain):
    with pytest.raises(visualize.GraphTooLargeError, match="300,001 nodes"):
        visualize.draw_graph(deep_chain, max_nodes=None)
    with pytest.raises(ValueError, match="100,000 ops"):
        visualize.backward_frames(deep_chain)
    with pytest.raises(ValueError, match="max_nodes"):
        visualize.draw_graph(deep_chain, max_nodes=2)


@pytest.fixture(scope="module")
def wide_fan_in():
    """10,000 inputs into one stack node, and the same inputs through a 10,000-deep chain."""
    xs = [al.Tensor(float(i), requires_grad=True) for i in range(10_000)]
    stacked = al.stack(xs).sum()
    chained = xs[0]
    for x in xs[1:]:
        chained = chained + x * 2.0
    J = stacked + chained
    J.backward()
    return J, stacked


def test_a_10000_input_fan_in_draws_with_a_node_limit_without_recursion(wide_fan_in):
    J, stacked = wide_fan_in
    limit = sys.getrecursionlimit()
    # 10,000 inputs, 9,999 constants 2.0, 9,999 products, 9,999 sums, stack, sum, J.
    assert len(forward_order(J)) == 40_000
    start = time.perf_counter()
    source = visualize.draw_graph(J, max_nodes=60).source
    one_node = visualize.draw_graph(stacked, max_nodes=60).source
    assert time.perf_counter() - start < 5
    assert sys.getrecursionlimit() == limit
    assert "… 59,942 more nodes" in source
    declared = re.findall(r"^\t(?:t|op)\d+ \[", source, flags=re.MULTILINE)
    assert 50 <= len(declared) <= 59
    # One op with 10,000 inputs: the inputs that do not fit are one "more" box, one edge.
    assert "… 9,945 more nodes" in one_node and one_node.count("more ->") == 1
    with pytest.raises(visualize.GraphTooLargeError, match="60,001 nodes"):
        visualize.draw_graph(J, max_nodes=None)
    with pytest.raises(ValueError, match="20,001 ops"):
        visualize.backward_frames(J)


# --------------------------------------------------------------------------- render

def test_render_dot_needs_no_program(tmp_path, no_dot):
    J, *_ = course_graph()
    J.backward()
    path = visualize.render(J, tmp_path / "J.dot")
    assert path.read_text().startswith("digraph J {") and "dJ/db = 6" in path.read_text()
    assert visualize.render(J, tmp_path / "J.txt", format="dot").exists()


def test_render_without_dot_explains_how_to_install_and_writes_nothing(tmp_path, no_dot):
    J, *_ = course_graph()
    for name in ("J.svg", "J.png", "J.pdf"):
        with pytest.raises(visualize.GraphvizNotFoundError, match="apt-get install graphviz"):
            visualize.render(J, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_render_refuses_unknown_formats(tmp_path):
    J, *_ = course_graph()
    with pytest.raises(ValueError, match="unknown picture format"):
        visualize.render(J, tmp_path / "J.bmp")
    with pytest.raises(ValueError, match="no suffix"):
        visualize.render(J, tmp_path / "J")
    with pytest.raises(TypeError, match="expected a Tensor"):
        visualize.render(object(), tmp_path / "x.dot")


@needs_dot
def test_render_svg_png_pdf(tmp_path):
    J, *_ = course_graph()
    J.backward()
    svg = visualize.render(J, tmp_path / "J.svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    texts = " ".join(el.text or "" for el in root.iter() if el.tag.endswith("text"))
    for text in ("dJ/da = 3", "dJ/db = 6", "dJ/dc = 9", "33", "11"):
        assert text in texts
    assert visualize.render(J, tmp_path / "J.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert visualize.render(J, tmp_path / "J.pdf").read_bytes()[:5] == b"%PDF-"


def test_a_failed_render_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    J, *_ = course_graph()
    target = tmp_path / "J.svg"
    target.write_text("the old picture")
    monkeypatch.setattr(render_module, "dot_available", lambda: True)

    def broken(*args, **kwargs):
        raise RuntimeError("dot crashed")

    monkeypatch.setattr(render_module, "run_dot", broken)
    with pytest.raises(RuntimeError, match="dot crashed"):
        visualize.render(J, target)
    assert target.read_text() == "the old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["J.svg"]


def test_atomic_write_cleans_up_when_the_write_fails(tmp_path, monkeypatch):
    target = tmp_path / "out.dot"
    target.write_text("old")

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        render_module.atomic_write(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.dot"]


# --------------------------------------------------------------------------- frames

def test_one_frame_per_step_with_the_chain_rule_numbers():
    J, a, b, c, *_ = course_graph(retain=False)
    frames = visualize.backward_frames(J)
    assert [f.step for f in frames] == [0, 1, 2, 3]
    assert [f.node_name for f in frames] == ["J", "J", "v", "u"]
    assert frames[0].lines == ["Start at the output: dJ/dJ = 1"]
    assert "dJ/dv = dJ/dJ · 3 = 1 · 3 = 3" in frames[1].lines
    assert "dJ/da = dJ/dv · 1 = 3 · 1 = 3" in frames[2].lines
    assert "dJ/du = dJ/dv · 1 = 3 · 1 = 3" in frames[2].lines
    assert "dJ/db = dJ/du · c = 3 · 2 = 6" in frames[3].lines
    assert "dJ/dc = dJ/du · b = 3 · 3 = 9" in frames[3].lines
    # The picture holds the same text, the local derivatives on the edges, the node highlighted.
    last = frames[3].source
    assert "dJ/db = dJ/du · c = 3 · 2 = 6" in last and "du/db = c = 2" in last
    assert "∂" not in last  # issue 14: one notation, the course's d
    assert "penwidth=3" in last
    # Gradients appear as they become known.
    assert "dJ/db = ?" in frames[2].source and "dJ/db = 6" in last
    # Frames never touch .grad.
    assert a.grad is None and b.grad is None and c.grad is None


def test_frames_accumulate_gradients_from_several_paths():
    a = al.Tensor(2.0, requires_grad=True, name="a")
    J = al.exp(a) * a
    frames = visualize.backward_frames(J)
    text = "\n".join(line for f in frames for line in f.lines)
    assert "dJ/da = dJ/dJ · u = 1 · 7.389 = 7.389" in text
    assert "dJ/da += dJ/du · u = 2 · 7.389 = 14.78, so dJ/da = 22.17" in text


BUILDERS = [
    (lambda a, b: 3 * (a + b * a), [(), ()]),
    (lambda a: a * a * a - a / (a + 1), [()]),
    (lambda a: a**2 + a**3 + 2**a, [()]),
    (lambda a, b: al.where(np.array([True, False]), a, al.exp(a) * b).sum() + a.sum(),
     [(2,), (2,)]),
    (lambda a, b: al.concatenate([a, a * b, al.exp(a)]).sum(), [(3,), (3,)]),
    (lambda W, X, b: al.sigmoid(W @ X + b).mean(), [(2, 3), (3, 4), (2, 1)]),
    (lambda a: al.leaky_relu(a - 2.5, 0.1).sum() + al.clip(a, 2, 3).sum() + a.max(), [(5,)]),
    (lambda a: al.stack([a, a**2, a.T], axis=1).sum(), [(3,)]),
    (lambda a, b: (al.maximum(a, b) * al.minimum(a, b) / al.sqrt(al.abs(a)) - al.log(b)
                   + al.tanh(a) + al.relu(b)).sum(), [(2,), (2,)]),
    (lambda a: al.softmax(a, axis=0)[0, 0] + al.log_softmax(a, axis=1).sum(), [(2, 3)]),
]


@pytest.mark.parametrize("build, shapes", BUILDERS)
def test_frames_agree_with_the_engine(build, shapes):
    rng = np.random.default_rng(7)
    inputs = [al.Tensor(rng.normal(size=s) + 2.5, requires_grad=True) for s in shapes]
    J = build(*inputs)
    _, steps = backward_steps(J)
    J.backward()
    for t in inputs:
        np.testing.assert_allclose(steps[-1].known[id(t)], t.grad, rtol=1e-10, atol=1e-12)


def test_frames_of_a_freed_graph_with_hidden_parameters_are_a_clear_error():
    a = al.Tensor(2.0, requires_grad=True, name="a")
    J = (a**2).sum()
    J.backward()
    with pytest.raises(RuntimeError, match="freed"):
        visualize.backward_frames(J)
    # Ops without hidden parameters need only the values, which backward keeps.
    K = 3 * (a + a)
    K.backward()
    assert len(visualize.backward_frames(K)) == 3


def test_frames_of_a_non_scalar_output_need_grad():
    x = al.Tensor([1.0, 2.0], requires_grad=True, name="x")
    y = x * x
    with pytest.raises(RuntimeError, match="pass grad="):
        visualize.backward_frames(y)
    frames = visualize.backward_frames(y, grad=np.array([1.0, 1.0]))
    assert any("dJ/dx" in line for line in frames[1].lines)
    with pytest.raises(RuntimeError, match="does not require grad"):
        visualize.backward_frames(al.Tensor(1.0) * 2)


def test_write_frames_as_dot_without_the_program(tmp_path, no_dot):
    J, *_ = course_graph()
    frames = visualize.backward_frames(J)
    written = visualize.write_frames(frames, tmp_path / "frames", format="dot")
    names = sorted(p.name for p in written)
    assert names == ["frame_000.dot", "frame_001.dot", "frame_002.dot", "frame_003.dot",
                     "index.html"]
    page = (tmp_path / "frames" / "index.html").read_text()
    assert "dJ/db = dJ/du · c = 3 · 2 = 6" in page
    with pytest.raises(visualize.GraphvizNotFoundError):
        visualize.write_frames(frames, tmp_path / "svg")


@needs_dot
def test_write_frames_svg_and_html_page(tmp_path):
    J, *_ = course_graph()
    frames = visualize.backward_frames(J)
    folder = tmp_path / "frames"
    (folder).mkdir()
    (folder / "frame_009.svg").write_text("stale frame of an earlier run")
    written = visualize.write_frames(frames, folder)
    assert sorted(p.name for p in folder.iterdir()) == [
        "frame_000.svg", "frame_001.svg", "frame_002.svg", "frame_003.svg", "index.html"
    ]
    assert len(written) == 5
    for path in written[:-1]:
        ET.parse(path)
    text = " ".join(el.text or "" for el in ET.parse(written[-2]).getroot().iter())
    assert "dJ/db = dJ/du · c = 3 · 2 = 6" in text
    page = (folder / "index.html").read_text()
    assert page.count("<svg") == 4 and "Prev" in page and "Next" in page and "<script>" in page
    assert "<?xml" not in page and "src=" not in page  # self-contained
    single = visualize.frames_to_html(frames, tmp_path / "backward.html")
    assert single.read_text().count("<svg") == 4


@needs_dot
def test_frames_to_gif(tmp_path):
    pytest.importorskip("PIL")
    J, *_ = course_graph()
    gif = visualize.frames_to_gif(visualize.backward_frames(J), tmp_path / "backward.gif")
    from PIL import Image

    with Image.open(gif) as image:
        assert image.format == "GIF" and image.n_frames == 4


def test_frames_to_gif_without_pillow_says_so(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    J, *_ = course_graph()
    with pytest.raises(ImportError, match="pip install pillow"):
        visualize.frames_to_gif(visualize.backward_frames(J), tmp_path / "b.gif")


# --------------------------------------------------------------------------- networks

def test_draw_network_from_layer_sizes():
    source = visualize.draw_network([2, 4, 1]).source
    for unit in ("L0_1", "L0_2", "L1_1", "L1_4", "L2_1"):
        assert f"\t{unit} [" in source
    assert "L1_5" not in source
    assert "n<SUB>x</SUB> = 2" in source and "n<SUP>[1]</SUP> = 4" in source
    assert "W<SUP>[1]</SUP> (4, 2)" in source and "b<SUP>[2]</SUP> (1, 1)" in source
    assert source.count(" -> ") == 2 * 4 + 4 * 1 + 1  # fully connected, and ŷ


def test_draw_network_abbreviates_large_layers():
    source = visualize.draw_network([3, 500, 1], max_units=6).source
    assert "⋮ 495 more" in source
    shown = [line for line in source.splitlines()
             if line.strip().startswith("L1_") and "->" not in line]
    assert len(shown) == 6 + 1  # four units, the ⋮, the last unit, the caption
    assert "\tL1_500 [" in source and "n<SUP>[1]</SUP> = 500" in source
    assert source.count(" -> ") == 3 * 5 + 5 * 1 + 1


class FakeDense:
    def __init__(self, n_in, n_out, activation):
        self.n_in, self.n_out, self.activation = n_in, n_out, activation


class FakeReLU:
    pass


class FakeModel:
    def __init__(self, layers):
        self.layers = layers


def test_draw_network_reads_a_model_through_its_layers(tmp_path):
    model = FakeModel([FakeDense(2, 3, "relu"), FakeDense(3, 1, "sigmoid")])
    source = visualize.draw_network(model).source
    assert "relu" in source and "sigmoid" in source and "W<SUP>[2]</SUP> (1, 3)" in source
    linear_then_relu = FakeModel([FakeDense(2, 3, None), FakeReLU(), FakeDense(3, 1, None)])
    source = visualize.draw_network(linear_then_relu).source
    assert "fakerelu" in source and "linear" in source
    assert visualize.render(model, tmp_path / "net.dot").exists()

    class WithDims:
        layer_dims = [4, 5, 1]
        hidden, output = "tanh", "sigmoid"

    assert "tanh" in visualize.draw_network(WithDims()).source


def test_draw_network_errors():
    with pytest.raises(ValueError, match="n_in = 4"):
        visualize.draw_network(FakeModel([FakeDense(2, 3, "relu"), FakeDense(4, 1, None)]))
    with pytest.raises(ValueError, match="at least one layer"):
        visualize.draw_network([3])
    with pytest.raises(ValueError, match="0 units"):
        visualize.draw_network([3, 0, 1])
    with pytest.raises(TypeError):
        visualize.draw_network("3, 4")


@needs_dot
def test_network_picture_renders(tmp_path):
    path = visualize.render([2, 4, 1], tmp_path / "net.svg")
    assert ET.parse(path).getroot().tag.endswith("svg")


# --------------------------------------------------------------------------- notebooks

def test_enable_notebook_display(monkeypatch):
    J, *_ = course_graph()
    try:
        visualize.enable_notebook_display()
        bundle = J._repr_mimebundle_()
        assert "text/plain" in bundle
        if shutil.which("dot"):
            assert "<svg" in bundle["image/svg+xml"]
        leaf = J.parents[0]
        assert "image/svg+xml" not in leaf._repr_mimebundle_()
    finally:
        visualize.enable_notebook_display(False)
    assert not hasattr(al.Tensor, "_repr_mimebundle_")
    assert "_repr_mimebundle_" in dir(visualize.draw_graph(J))  # a Digraph shows inline


# --------------------------------------------------------------------------- plots

def test_plots_write_files(tmp_path):
    pytest.importorskip("matplotlib")
    costs = [0.69 * 0.9**i for i in range(30)]
    path = visualize.plot_costs(costs, tmp_path / "cost.png", every=100, learning_rate=0.01)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 40))
    Y = (X[0:1] + X[1:2] > 0).astype(float)
    path = visualize.plot_decision_boundary(
        lambda grid: (grid[0] + grid[1] > 0).astype(float), X, Y, tmp_path / "boundary.svg",
        resolution=30,
    )
    ET.parse(path)
    with pytest.raises(ValueError, match=r"X must be \(2, m\)"):
        visualize.plot_decision_boundary(lambda g: g[0], X.T, Y, tmp_path / "b.png")
    with pytest.raises(ValueError, match="one per column"):
        visualize.plot_decision_boundary(lambda g: g, X, Y, tmp_path / "b.png", resolution=5)
    with pytest.raises(ValueError, match="no costs"):
        visualize.plot_costs([], tmp_path / "c.png")
    with pytest.raises(ValueError, match=".png, .svg or .pdf"):
        visualize.plot_costs([1.0], tmp_path / "c.bmp")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["boundary.svg", "cost.png"]


def test_plots_without_matplotlib_say_how_to_install(tmp_path, monkeypatch):
    for name in ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"autograd-lite\[plots\]"):
        visualize.plot_costs([1.0, 0.5], tmp_path / "cost.png")


def test_layout_names_are_shared_by_pictures_and_frames():
    J, *_ = course_graph(retain=False)
    layout = GraphLayout(J)
    assert [layout.name(t) for t in layout.order] == ["3", "a", "b", "c", "u", "v", "J"]
    assert layout.formula(J) == "3·v"
