"""Pictures of networks in the course's notation, the building blocks, sharp PNGs and plots.

Issue 14: an MLP's graph reads Z^[1], A^[1], Z^[2], A^[2]; a model's graph is compact;
the building-blocks figure is drawn from a model; PNGs are at least 150 dpi; plots have
legends, colour bars and whole-number iteration ticks.
"""

import re
import struct
import xml.etree.ElementTree as ET
import zlib

import numpy as np
import pytest

import visualize
from autograd_lite import nn
from tests.test_visualize import course_graph, needs_dot


def png_chunks(data: bytes) -> dict[bytes, bytes]:
    """The chunks of a PNG by type (an independent reader: the PNG format, nothing else)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, position = {}, 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        chunks.setdefault(kind, body)
        position += 12 + length
    return chunks


def png_dpi_and_size(data: bytes) -> tuple[float, tuple[int, int]]:
    chunks = png_chunks(data)
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    x, y, unit = struct.unpack(">IIB", chunks[b"pHYs"])
    assert unit == 1 and x == y  # pixels per metre, square pixels
    return x * 0.0254, (width, height)


# --------------------------------------------------------------------------- nn names

def test_layers_name_what_they_compute_in_the_course_notation():
    X = np.random.default_rng(0).standard_normal((2, 5))
    model = nn.MLP([2, 3, 1], hidden="tanh", seed=0)
    A2 = model(X)
    assert A2.name == "A^[2]" and A2.op == "sigmoid"
    Z2 = A2.parents[0]
    assert Z2.name == "Z^[2]" and Z2.op == "linear"
    W2, A1, b2 = Z2.parents
    assert (W2.name, A1.name, b2.name) == ("W^[2]", "A^[1]", "b^[2]")
    Z1 = A1.parents[0]
    assert Z1.name == "Z^[1]" and [p.name for p in (Z1.parents[0], Z1.parents[2])] == [
        "W^[1]", "b^[1]"]
    # A linear output layer: A^[L] = Z^[L], named Z^[L].
    logits = nn.MLP([2, 3, 1], hidden="relu", output=None, seed=0)(X)
    assert logits.name == "Z^[2]"
    # Each forward pass names its own tensors; the keys of the parameters stay W1, b1, ...
    assert model(X) is not A2 and model(X).name == "A^[2]"
    assert [k for k, _ in model.named_parameters()] == ["W1", "b1", "W2", "b2"]


# --------------------------------------------------------------------------- dpi

@needs_dot
def test_render_png_is_150_dpi_by_default_and_dpi_changes_it(tmp_path):
    J = course_graph()[0]
    J.backward()
    dpi, size = png_dpi_and_size(visualize.render(J, tmp_path / "J.png").read_bytes())
    assert dpi == pytest.approx(150, abs=0.1)
    dpi_72, size_72 = png_dpi_and_size(visualize.render(J, tmp_path / "J72.png", dpi=72)
                                       .read_bytes())
    assert dpi_72 == pytest.approx(72, abs=0.1)
    # The same picture with more pixels: the sizes scale with the resolution.
    assert size[0] / size_72[0] == pytest.approx(150 / 72, rel=0.03)
    assert size[1] / size_72[1] == pytest.approx(150 / 72, rel=0.05)
    dpi_300, _ = png_dpi_and_size(visualize.render([2, 3, 1], tmp_path / "n.png", dpi=300)
                                  .read_bytes())
    assert dpi_300 == pytest.approx(300, abs=0.1)
    for bad in (0, -5, "high", True):
        with pytest.raises(ValueError, match="dpi"):
            visualize.render(J, tmp_path / "bad.png", dpi=bad)
    assert not (tmp_path / "bad.png").exists()


def test_plots_are_150_dpi_by_default(tmp_path):
    pytest.importorskip("matplotlib")
    path = visualize.plot_costs([0.7, 0.5, 0.4], tmp_path / "cost.png")
    assert png_dpi_and_size(path.read_bytes())[0] == pytest.approx(150, abs=0.5)
    path = visualize.plot_costs([0.7, 0.5, 0.4], tmp_path / "cost72.png", dpi=72)
    assert png_dpi_and_size(path.read_bytes())[0] == pytest.approx(72, abs=0.5)
    X = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 2.0]])
    Y = np.array([[0.0, 1.0, 1.0]])
    path = visualize.plot_decision_boundary(lambda g: g[0] > 1, X, Y, tmp_path / "b.png",
                                            resolution=10)
    assert png_dpi_and_size(path.read_bytes())[0] == pytest.approx(150, abs=0.5)
    with pytest.raises(ValueError, match="dpi"):
        visualize.plot_costs([0.7], tmp_path / "c.png", dpi=-1)


# --------------------------------------------------------------------------- plots

def svg_texts(path) -> list[str]:
    """The texts matplotlib drew in an SVG (it writes each one as a comment)."""
    return [t.strip() for t in re.findall(r"<!--(.*?)-->", path.read_text(), re.S)]


def svg_ids(path) -> set[str]:
    return {e.get("id") for e in ET.parse(path).iter() if e.get("id")}


def test_cost_plot_of_a_short_run_has_whole_number_iteration_ticks(tmp_path):
    pytest.importorskip("matplotlib")
    path = visualize.plot_costs([0.69, 0.5, 0.41, 0.36], tmp_path / "cost.svg")
    texts = svg_texts(path)
    assert "iterations" in texts and "cost J" in texts
    ticks = [t for t in texts if re.fullmatch(r"[\d.]+", t)]
    x_ticks = [t for t in ticks if "." not in t]
    assert {"0", "1", "2", "3"} <= set(x_ticks)
    assert not {"0.5", "1.5", "2.5", "0.0", "1.0"} & set(ticks)  # no fractional iterations
    assert "legend_1" not in svg_ids(path)  # one curve: nothing to tell apart


def test_cost_plot_of_several_runs_has_a_legend(tmp_path):
    pytest.importorskip("matplotlib")
    runs = {"learning rate 0.1": [0.7, 0.4, 0.3], "learning rate 0.01": [0.7, 0.65, 0.6]}
    path = visualize.plot_costs(runs, tmp_path / "costs.svg", every=100)
    assert "legend_1" in svg_ids(path)
    texts = svg_texts(path)
    assert "learning rate 0.1" in texts and "learning rate 0.01" in texts
    assert {"0", "100", "200"} <= set(texts)
    with pytest.raises(ValueError, match="no costs to plot for 'b'"):
        visualize.plot_costs({"a": [1.0], "b": []}, tmp_path / "c.png")


def test_decision_boundary_has_a_colour_bar_and_a_legend_of_the_labels(tmp_path):
    pytest.importorskip("matplotlib")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 30))
    Y = (X[0:1] > 0).astype(float)
    path = visualize.plot_decision_boundary(
        lambda g: 1 / (1 + np.exp(-g[0])), X, Y, tmp_path / "boundary.svg", resolution=20)
    ids = svg_ids(path)
    assert "legend_1" in ids and "axes_2" in ids  # axes_2: the colour bar's axes
    texts = svg_texts(path)
    assert "y = 0" in texts and "y = 1" in texts and "prediction ŷ" in texts


# --------------------------------------------------------------------------- a model's graph

def mlp_output_and_cost(dims, m=400, hidden="tanh"):
    """A^[L] = model(X) and the cost J (backward done). J's graph may reach Z^[L] directly:
    binary_cross_entropy of a sigmoid output is computed from its logits."""
    model = nn.MLP(dims, hidden=hidden, seed=0)
    X = np.random.default_rng(1).standard_normal((dims[0], m))
    Y = (np.random.default_rng(2).random((1, m)) > 0.5).astype(float)
    A = model(X)
    J = nn.binary_cross_entropy(A, Y)
    J.backward()
    return A, J


def mlp_cost(dims, m=400, hidden="tanh"):
    return mlp_output_and_cost(dims, m, hidden)[1]


def node_labels(source: str) -> dict[str, str]:
    """DOT node name -> its label, read from the DOT source."""
    found = {}
    for line in source.splitlines():
        match = re.match(r"\s*(\w+) \[label=(<.*>|\S+) ", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def test_mlp_graph_reads_the_course_notation():
    A, J = mlp_output_and_cost([2, 4, 1])
    network = "\n".join(node_labels(visualize.draw_graph(A, show_grad=False).source).values())
    cost = "\n".join(node_labels(visualize.draw_graph(J).source).values())
    layers = (
        "<B>Z^[1] = W^[1] A^[0] + b^[1]",
        "<B>A^[1] = tanh(Z^[1])",
        "<B>Z^[2] = W^[2] A^[1] + b^[2]",
        "<B>A^[0] = X",
        "<B>W^[1]", "<B>b^[1]", "<B>W^[2]", "<B>b^[2]",
    )
    for expected in (*layers, "<B>A^[2] = sigmoid(Z^[2])"):
        assert expected in network, expected
    for expected in (*layers, "<B>Y", "dJ/dW^[1]", "dJ/db^[2]"):
        assert expected in cost, expected
    assert re.search(r"<B>J = binary_cross_entropy\w*\((A|Z)\^\[2\], Y\)", cost)
    for labels in (network, cost):
        assert "const (" not in labels  # X and Y are data with names, not anonymous constants
        assert not re.search(r"<B>[uvwpqrs][ <]", labels)  # no generated letters


def parameter_labels(source: str) -> list[str]:
    return [label for label in node_labels(source).values()
            if re.search(r"<B>[Wb]\^\[\d\][ <]", label)]


def test_a_models_parameters_show_all_values_or_all_shapes():
    # W^[1] (4, 2) is larger than a few numbers: every parameter shows its shape, even
    # W^[2] (1, 4) and b^[2] (1, 1), and so do their gradients.
    labels = parameter_labels(visualize.draw_graph(mlp_cost([2, 4, 1])).source)
    assert len(labels) == 4
    for label in labels:
        assert "shape (" in label and ": shape (" in label, label
        assert " = [" not in label and not re.search(r"\] = -?\d", label), label
    # All small: every parameter shows its values.
    labels = parameter_labels(visualize.draw_graph(mlp_cost([1, 2, 1], m=3)).source)
    assert len(labels) == 4
    for label in labels:
        assert "shape" not in label and re.search(r"\] = \S", label), label


@needs_dot
def test_a_models_graph_is_one_row_per_layer_aligned_and_compact():
    import json

    from visualize.dot_program import run_dot

    dims = [2, 20, 7, 5, 1]
    dot = visualize.draw_graph(mlp_output_and_cost(dims)[0])
    layout = json.loads(run_dot(dot.source, "json"))
    nodes = {o["label"]: tuple(map(float, o["pos"].split(","))) for o in layout["objects"]
             if "pos" in o}

    def at(prefix):
        (position,) = [xy for label, xy in nodes.items() if prefix in label]
        return position

    rows, starts = [], []
    for l in range(1, len(dims)):
        z, a = at(f"<B>Z^[{l}] "), at(f"<B>A^[{l}] ")
        assert z[1] == a[1] and z[0] < a[0]  # one rank: Z^[l] then A^[l], left to right
        w, b = at(f"<B>W^[{l}]"), at(f"<B>b^[{l}]")
        assert w[1] == b[1] > z[1] and w[0] < b[0]  # the parameters just above their layer
        rows.append(z[1])
        starts.append(z[0])
    assert rows == sorted(rows, reverse=True)  # layer 1 on top, then 2, ... (y grows up)
    assert max(starts) - min(starts) < 1  # the rows start under one another: no staircase
    width, height = (float(v) for v in layout["bb"].split(",")[2:])
    # On main: 1984 x 355 pt for two layers, a staircase; here four layers fit in a page.
    assert width < 900 and height < 900, (width, height)


# --------------------------------------------------------------------------- building blocks

def dot_nodes(dot) -> dict[str, dict[str, str]]:
    """DOT node name -> its attributes (label, pos), read statement by statement."""
    nodes = {}
    for statement in dot.body:
        match = re.fullmatch(r"\t(\w+) \[(.*)\]\s*", statement, flags=re.S)
        if match:
            attrs = dict(re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)', match.group(2)))
            nodes[match.group(1)] = {k: v.strip('"') for k, v in attrs.items()}
    return nodes


def dot_edges(dot) -> list[tuple[str, str, str]]:
    """(tail, head, label) of every edge, read statement by statement."""
    edges = []
    for statement in dot.body:
        match = re.fullmatch(r"\t(\w+) -> (\w+)(?: \[(.*)\])?\s*", statement, flags=re.S)
        if match:
            label = re.search(r'label="((?:[^"\\]|\\.)*)"', match.group(3) or "")
            edges.append((match.group(1), match.group(2), label.group(1) if label else ""))
    return edges


def xy(node: dict[str, str]) -> tuple[float, float]:
    x, y = node["pos"].rstrip("!").split(",")
    return float(x), float(y)


def test_building_blocks_have_each_layers_blocks_with_the_real_shapes():
    dims, m = [2, 4, 3, 1], 400
    model = nn.MLP(dims, hidden="tanh", seed=0)
    dot = visualize.draw_building_blocks(model, np.ones((2, m)))
    nodes, edges = dot_nodes(dot), dot_edges(dot)
    by_label = {label: (tail, head) for tail, head, label in edges if label}
    for l in range(1, len(dims)):
        n, n_prev = dims[l], dims[l - 1]
        forward, backward = nodes[f"fwd{l}"], nodes[f"bwd{l}"]
        assert f"z^[{l}] = W^[{l}] a^[{l - 1}] + b^[{l}]" in forward["label"]
        assert f"dW^[{l}] = (1/m) dz^[{l}] a^[{l - 1}]ᵀ" in backward["label"]
        assert f"da^[{l - 1}] = W^[{l}]ᵀ dz^[{l}]" in backward["label"]
        # Forward above backward, in the same column.
        assert xy(forward)[0] == xy(backward)[0] and xy(forward)[1] > xy(backward)[1]
        # In: a^[l-1] (n^[l-1], m), from the left.
        tail, head = by_label[f"a^[{l - 1}]\n({n_prev}, {m})"]
        assert head == f"fwd{l}" and xy(nodes[tail])[0] < xy(forward)[0]
        # The cache z^[l] (n^[l], m) goes down from the forward block to the backward one.
        assert nodes[f"cache{l}"]["label"] == f"cache z^[{l}]\n({n}, {m})"
        assert (f"fwd{l}", f"bwd{l}", "") in edges
        # Out of the backward block: dW^[l] like W^[l], db^[l] like b^[l], below it.
        assert nodes[f"dW{l}"]["label"] == f"dW^[{l}]\n({n}, {n_prev})"
        assert nodes[f"db{l}"]["label"] == f"db^[{l}]\n({n}, 1)"
        assert (f"bwd{l}", f"dW{l}", "") in edges and xy(nodes[f"dW{l}"])[1] < xy(backward)[1]
        if l > 1:  # da^[l-1] (n^[l-1], m) flows right to left into the layer before
            tail, head = by_label[f"da^[{l - 1}]\n({n_prev}, {m})"]
            assert (tail, head) == (f"bwd{l}", f"bwd{l - 1}")
            assert xy(nodes[head])[0] < xy(nodes[tail])[0]
    # The cost hands da^[L] to the last backward block, from the right.
    assert nodes["daL"]["label"] == "da^[3]\n(1, 400)"
    assert ("daL", "bwd3", "") in edges and xy(nodes["daL"])[0] > xy(nodes["bwd3"])[0]
    assert "tanh(z^[1])" in nodes["fwd1"]["label"] and "sigmoid(z^[3])" in nodes["fwd3"]["label"]


def test_building_blocks_check_the_input_and_accept_m():
    model = nn.MLP([3, 2, 1], seed=0)
    source = visualize.draw_building_blocks(model, 7).source
    assert "(3, 7)" in source and "dW^[1]\n(2, 3)" in source
    assert "(3, m)" in visualize.draw_building_blocks(model).source
    with pytest.raises(ValueError, match=r"X must be \(n_x, m\) = \(3, m\).*\(7, 3\)"):
        visualize.draw_building_blocks(model, np.ones((7, 3)))
    with pytest.raises(ValueError, match="at least 1"):
        visualize.draw_building_blocks(model, 0)


@needs_dot
def test_building_blocks_render(tmp_path):
    model = nn.MLP([2, 4, 1], hidden="tanh", seed=0)
    svg = visualize.render(visualize.draw_building_blocks(model, np.ones((2, 10))),
                           tmp_path / "blocks.svg")
    texts = [t.text for t in ET.parse(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert "forward, layer 2" in texts and "backward, layer 1" in texts and "(4, 2)" in texts


def test_train_draws_the_building_blocks_of_its_model(tmp_path, capsys):
    from autograd_lite.cli import main

    path = tmp_path / "pictures" / "blocks.dot"
    code = main(["train", "--data", "xor", "--epochs", "2", "--no-progress",
                 "--blocks", str(path)])
    out = capsys.readouterr().out
    assert code == 0 and f"saved the building blocks to {path}" in out
    source = path.read_text()
    assert "forward, layer 2" in source and "backward, layer 1" in source
    assert "(2, 160)" in source and "dW^[1]\n(4, 2)" in source  # xor: 160 training examples
    bad = tmp_path / "blocks.bmp"
    assert main(["train", "--data", "xor", "--epochs", "2", "--no-progress",
                 "--blocks", str(bad)]) == 2
    captured = capsys.readouterr()
    assert "--blocks" in captured.err and "unknown picture format 'bmp'" in captured.err
    assert "Traceback" not in captured.err and "training:" not in captured.out
    assert not bad.exists()


@needs_dot
def test_a_deep_models_graph_cut_to_max_nodes_keeps_its_rows_aligned():
    import json

    from visualize.dot_program import run_dot

    J = mlp_cost([4] + [3] * 29 + [1], m=50)
    layout = json.loads(run_dot(visualize.draw_graph(J, max_nodes=40).source, "json"))
    starts = {}
    for o in layout["objects"]:
        match = re.search(r"<B>Z\^\[(\d+)\] ", o.get("label", ""))
        if match and "pos" in o:
            starts[int(match.group(1))] = float(o["pos"].split(",")[0])
    assert len(starts) >= 4 and 30 in starts  # the layers nearest the cost are drawn
    assert max(starts.values()) - min(starts.values()) < 1, starts  # no staircase
