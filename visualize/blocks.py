"""The course's "building blocks of a deep network": forward and backward, layer by layer.

    >>> dot = visualize.draw_building_blocks(model, X)     # the real shapes of X's batch
    >>> visualize.render(dot, "blocks.png")

For each layer l, the picture has two blocks, one above the other::

    a^[l-1] --> [ forward l: W^[l], b^[l] ] --> a^[l]          (left to right)
                          |  cache z^[l]
                          v
    da^[l-1] <-- [ backward l ] <-- da^[l]                     (right to left)
                       |      |
                    dW^[l]  db^[l]

The forward row starts at a^[0] = X and ends at a^[L] = ŷ and the cost; the backward
row starts at da^[L] and hands dW^[l], db^[l] to the update W^[l] := W^[l] - α dW^[l].
Every arrow carries its tensor's shape: a^[l], z^[l], da^[l] are (n^[l], m), dW^[l]
(n^[l], n^[l-1]) like W^[l], db^[l] (n^[l], 1) like b^[l].

The model is read as :func:`visualize.draw_network` reads it (``.layers`` of Dense
layers, ``.layer_dims``, or a list of layer sizes). Positions are computed here and
pinned, so every layer's blocks line up. Labels are plain text, one run per line.
"""

from __future__ import annotations

from typing import Any

import graphviz
import numpy as np

from visualize.graph import (
    COLOR_GRAD,
    COLOR_MUTED,
    FILL_INPUT,
    FILL_INTERMEDIATE,
    FONT,
    dot_text,
)
from visualize.network import LayerSpec, network_layers

__all__ = ["draw_building_blocks"]

#: Inches between the centres of two layers' blocks, and between the two rows.
COLUMN_GAP = 4.0
ROW_GAP = 2.6
FILL_BACKWARD = "#fee2e2"
COLOR_FORWARD = "#1f2937"

#: The derivative g'(z) of each activation, as the course writes it.
DERIVATIVES = {
    "sigmoid": "a(1 − a)",
    "tanh": "1 − a²",
    "relu": "1 if z > 0, else 0",
    "leaky_relu": "1 if z > 0, else slope",
    "linear": "1",
}


def _examples(X: Any, n_x: int) -> int | str:
    """m, the number of examples (columns) of X; "m" when X is None."""
    if X is None:
        return "m"
    if isinstance(X, (int, np.integer)) and not isinstance(X, bool):
        if X < 1:
            raise ValueError(f"draw_building_blocks: m must be at least 1 example; got {X}")
        return int(X)
    shape = np.shape(getattr(X, "data", X))
    if len(shape) != 2 or shape[0] != n_x:
        raise ValueError(
            f"draw_building_blocks: X must be (n_x, m) = ({n_x}, m), one example per column; "
            f"got shape {shape}"
        )
    return int(shape[1])


def _shape(*dims: int | str) -> str:
    return "(" + ", ".join(str(d) for d in dims) + ")"


def _pos(x: float, y: float) -> str:
    return f"{x:.3f},{y:.3f}!"


def _forward_label(layer: int, spec: LayerSpec) -> str:
    g = spec.activation or "linear"
    out = f"a^[{layer}] = z^[{layer}]" if g == "linear" else f"a^[{layer}] = {g}(z^[{layer}])"
    return "\n".join([
        f"forward, layer {layer}",
        f"W^[{layer}], b^[{layer}]",
        f"z^[{layer}] = W^[{layer}] a^[{layer - 1}] + b^[{layer}]",
        out,
    ])


def _backward_label(layer: int, spec: LayerSpec) -> str:
    g = spec.activation or "linear"
    derivative = DERIVATIVES.get(g, f"{g}′(z)")
    return "\n".join([
        f"backward, layer {layer}",
        f"dz^[{layer}] = da^[{layer}] ∗ g′(z^[{layer}])",
        f"g′(z) = {derivative}",
        f"dW^[{layer}] = (1/m) dz^[{layer}] a^[{layer - 1}]ᵀ",
        f"db^[{layer}] = (1/m) Σ dz^[{layer}]",
        f"da^[{layer - 1}] = W^[{layer}]ᵀ dz^[{layer}]",
    ])


def draw_building_blocks(
    model: Any,
    X: Any = None,
    *,
    title: str | None = None,
) -> graphviz.Digraph:
    """The course's building-blocks figure of ``model``, with the real shapes.

    Per layer l, a forward block (in a^[l-1], out a^[l], cache z^[l]) above its
    backward block (in da^[l], out da^[l-1], dW^[l], db^[l]); forward arrows run left
    to right on top, backward arrows right to left below, and every arrow is labelled
    with its tensor and shape.

    ``model``: an ``nn.MLP`` / ``nn.Sequential`` of ``nn.Dense`` (or anything
    :func:`visualize.draw_network` reads, such as ``[n_x, n^[1], ..., n^[L]]``).
    ``X``: the input (n_x, m), or the number of examples m; None writes m.
    Returns a ``graphviz.Digraph``; write it with :func:`visualize.render`.
    """
    specs = network_layers(model)
    m = _examples(X, specs[0].size)
    L = len(specs) - 1
    dot = graphviz.Digraph(name="building_blocks")
    dot.attr(layout="neato", bgcolor="white", fontname=FONT, splines="true", pad="0.3",
             outputorder="edgesfirst")
    if title:
        dot.attr(label=dot_text(title), labelloc="t", fontsize="16")
    dot.attr("node", fontname=FONT, fontsize="12", shape="box", style="rounded,filled",
             margin="0.15,0.08")
    dot.attr("edge", fontname=FONT, fontsize="11", arrowsize="0.7", penwidth="1.3")
    top, bottom = 0.0, -ROW_GAP
    plain = {"shape": "plaintext", "style": "", "margin": "0.02"}

    dot.node("input", f"a^[0] = X\n{_shape(specs[0].size, m)}", pos=_pos(0, top),
             fillcolor=FILL_INPUT)
    dot.node("da0", f"da^[0]\n{_shape(specs[0].size, m)}\n(not needed)", pos=_pos(0, bottom),
             fontcolor=COLOR_MUTED, **plain)
    dot.node("update", "update every layer:  W^[l] := W^[l] − α dW^[l],   "
             "b^[l] := b^[l] − α db^[l]", pos=_pos((L + 1) * COLUMN_GAP / 2, bottom - 2.4),
             fontcolor=COLOR_GRAD, fontsize="13", **plain)
    for layer in range(1, L + 1):
        spec, n_prev = specs[layer], specs[layer - 1].size
        x = layer * COLUMN_GAP
        dot.node(f"fwd{layer}", _forward_label(layer, spec), pos=_pos(x, top),
                 fillcolor=FILL_INTERMEDIATE, color=COLOR_FORWARD)
        dot.node(f"bwd{layer}", _backward_label(layer, spec), pos=_pos(x, bottom),
                 fillcolor=FILL_BACKWARD, color=COLOR_GRAD)
        source = "input" if layer == 1 else f"fwd{layer - 1}"
        dot.edge(source, f"fwd{layer}", label=f"a^[{layer - 1}]\n{_shape(n_prev, m)}")
        # The cache's words beside its arrow (an edge label would sit on the line).
        dot.node(f"cache{layer}", f"cache z^[{layer}]\n{_shape(spec.size, m)}",
                 pos=_pos(x - 0.62, (top + bottom) / 2), fontcolor=COLOR_MUTED, **plain)
        dot.edge(f"fwd{layer}", f"bwd{layer}", style="dashed", color=COLOR_MUTED)
        if layer == 1:
            dot.edge("bwd1", "da0", color=COLOR_MUTED, style="dashed")
        else:
            dot.edge(f"bwd{layer}", f"bwd{layer - 1}",
                     label=f"da^[{layer - 1}]\n{_shape(n_prev, m)}", color=COLOR_GRAD,
                     fontcolor=COLOR_GRAD)
        for offset, (name, shape) in ((-0.55, ("dW", _shape(spec.size, n_prev))),
                                      (0.55, ("db", _shape(spec.size, 1)))):
            node = f"{name}{layer}"
            dot.node(node, f"{name}^[{layer}]\n{shape}", pos=_pos(x + offset, bottom - 1.6),
                     fontcolor=COLOR_GRAD, **plain)
            dot.edge(f"bwd{layer}", node, color=COLOR_GRAD)
    end = (L + 1) * COLUMN_GAP - 0.6
    n_out = specs[L].size
    dot.node("cost", f"ŷ = a^[{L}]\ncost J(ŷ, y)", pos=_pos(end, top), fillcolor="#dcfce7",
             penwidth="2")
    dot.edge(f"fwd{L}", "cost", label=f"a^[{L}]\n{_shape(n_out, m)}")
    dot.node("daL", f"da^[{L}]\n{_shape(n_out, m)}", pos=_pos(end, bottom),
             fontcolor=COLOR_GRAD, **plain)
    dot.node("dJ", f"dJ/da^[{L}]", pos=_pos(end - 0.5, (top + bottom) / 2),
             fontcolor=COLOR_GRAD, **plain)
    dot.edge("cost", "daL", color=COLOR_GRAD)
    dot.edge("daL", f"bwd{L}", color=COLOR_GRAD)
    return dot
