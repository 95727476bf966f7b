"""The course's picture of a network: input units, hidden layers of units, the output.

    >>> dot = visualize.draw_network([2, 4, 1])       # n_x = 2, n^[1] = 4, n^[2] = 1
    >>> dot = visualize.draw_network(model)           # an nn.MLP / nn.Sequential of Dense

A model is read through a small duck-typed protocol, so any object works that has
``.layers``, a list of layers each with ``n_in``, ``n_out`` and ``activation`` (a
name or None) - such as ``nn.Sequential`` of ``nn.Dense`` - or ``.layer_dims``, or
that *is* a list of layer sizes ``[n_x, n^[1], ..., n^[L]]``. A layer without
``n_in``/``n_out`` (a stand-alone activation) names the activation of the layer before.
Each layer is a box labelled with its size and activation, and the shapes of
W^[l] (n^[l], n^[l-1]) and b^[l] (n^[l], 1); a layer of more than ``max_units``
units shows its first few, a "⋮" and its last.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import graphviz

from visualize.graph import (
    COLOR_MUTED,
    FILL_INPUT,
    FILL_INTERMEDIATE,
    FILL_OUTPUT,
    FONT,
    dot_text,
)

#: Layers with more units than this are abbreviated.
DEFAULT_MAX_UNITS = 6


@dataclass(frozen=True)
class LayerSpec:
    """One layer of the picture: its size and activation (None for the input)."""

    size: int
    activation: str | None


def _is_size(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_network(obj: Any) -> bool:
    """Whether :func:`draw_network` can read ``obj`` (layer sizes or a model with layers)."""
    if isinstance(obj, (list, tuple)):
        return bool(obj) and all(_is_size(n) for n in obj)
    return hasattr(obj, "layers") or hasattr(obj, "layer_dims")


def _activation_name(activation: Any) -> str | None:
    if activation is None:
        return None
    if isinstance(activation, str):
        return activation
    return getattr(activation, "__name__", None) or type(activation).__name__.lower()


def network_layers(model: Any) -> list[LayerSpec]:
    """The layers of ``model`` as sizes and activations, the input first."""
    if isinstance(model, (list, tuple)):
        sizes = list(model)
        if not all(_is_size(n) for n in sizes):
            raise TypeError("draw_network: layer sizes must be integers, like [2, 4, 1]")
        specs = [LayerSpec(n, None) for n in sizes]
    else:
        layers = getattr(model, "layers", None)
        if layers is None:
            dims = getattr(model, "layer_dims", None)
            if dims is None:
                raise TypeError(
                    "draw_network: expected a list of layer sizes [n_x, n1, ..., nL] or a model "
                    f"with .layers (each with n_in, n_out, activation); got {type(model).__name__}"
                )
            specs = network_layers(list(dims))
            hidden = _activation_name(getattr(model, "hidden", None))
            output = _activation_name(getattr(model, "output", None))
            last = len(specs) - 1
            return [
                spec if i == 0 else LayerSpec(spec.size, output if i == last else hidden)
                for i, spec in enumerate(specs)
            ]
        specs = _specs_from_layers(list(layers))
    if len(specs) < 2:
        raise ValueError(
            "draw_network: a network needs an input size and at least one layer, like [2, 4, 1]"
        )
    for index, spec in enumerate(specs):
        if spec.size < 1:
            raise ValueError(f"draw_network: layer {index} has {spec.size} units; need >= 1")
    return specs


def _specs_from_layers(layers: Sequence[Any]) -> list[LayerSpec]:
    specs: list[LayerSpec] = []
    for number, layer in enumerate(layers, start=1):
        n_in, n_out = getattr(layer, "n_in", None), getattr(layer, "n_out", None)
        if n_in is None or n_out is None:
            if not specs:
                raise ValueError(
                    f"draw_network: layer {number} ({type(layer).__name__}) has no n_in/n_out "
                    "and no layer before it to belong to"
                )
            name = _activation_name(getattr(layer, "activation", None)) or (
                type(layer).__name__.lower()
            )
            specs[-1] = LayerSpec(specs[-1].size, name)
            continue
        if not specs:
            specs.append(LayerSpec(int(n_in), None))
        elif specs[-1].size != n_in:
            raise ValueError(
                f"draw_network: layer {len(specs)} has n_in = {n_in}, but the layer before it "
                f"has {specs[-1].size} units (W^[l] is (n^[l], n^[l-1]))"
            )
        activation = _activation_name(getattr(layer, "activation", None)) or "linear"
        specs.append(LayerSpec(int(n_out), activation))
    if not specs:
        raise ValueError("draw_network: the model has no layers")
    return specs


def _shown_units(size: int, max_units: int) -> list[int | None]:
    """Unit numbers to draw (1-based); None stands for the "⋮" of the units left out."""
    if size <= max_units:
        return list(range(1, size + 1))
    return [*range(1, max_units - 1), None, size]


def _unit_label(layer: int, unit: int) -> str:
    """x_1 for an input, a^[l]_i for unit i of layer l (HTML-like label)."""
    if layer == 0:
        return f"<x<SUB>{unit}</SUB>>"
    return f"<a<SUP>[{layer}]</SUP><SUB>{unit}</SUB>>"


def draw_network(
    model: Any,
    *,
    max_units: int = DEFAULT_MAX_UNITS,
    rankdir: str = "LR",
    title: str | None = None,
) -> graphviz.Digraph:
    """The course's picture of ``model``: a column of units per layer, fully connected.

    ``model`` is a list of layer sizes ``[n_x, n^[1], ..., n^[L]]`` or an object with
    ``.layers`` (each having ``n_in``, ``n_out``, ``activation``) or ``.layer_dims``.
    Every layer is labelled with its size, activation and the shapes of its W and b;
    a layer of more than ``max_units`` units is abbreviated to its first units, a "⋮"
    and its last unit.
    """
    if not isinstance(max_units, int) or max_units < 3:
        raise ValueError("draw_network: max_units must be an integer of at least 3")
    if rankdir not in ("LR", "TB"):
        raise ValueError("draw_network: rankdir must be 'LR' (left to right) or 'TB' (top down)")
    specs = network_layers(model)
    last = len(specs) - 1
    dot = graphviz.Digraph(name="network")
    # Positions are computed here and pinned (neato honours pos="x,y!"): Graphviz's dot
    # layout would reorder the units of a column to reduce edge crossings.
    dot.attr(layout="neato", bgcolor="white", fontname=FONT, splines="false", pad="0.3",
             outputorder="edgesfirst")
    if title:
        dot.attr(label=dot_text(title), labelloc="t", fontsize="14")
    dot.attr("node", fontname=FONT, fontsize="11", shape="circle", width="0.6",
             fixedsize="true", style="filled")
    dot.attr("edge", color="#9ca3af", arrowsize="0.4", penwidth="0.7")
    vertical = rankdir in ("TB", "BT")
    columns: list[list[str]] = []
    tallest = max(len(_shown_units(spec.size, max_units)) for spec in specs)
    for layer, spec in enumerate(specs):
        shown = _shown_units(spec.size, max_units)
        names: list[str] = []
        for row, unit in enumerate(shown):
            offset = (len(shown) - 1) / 2 - row
            position = _position(layer * COLUMN_GAP, offset * ROW_GAP, vertical)
            if unit is None:
                name = f"L{layer}_more"
                left_out = spec.size - (max_units - 1)
                dot.node(name, label=f"⋮ {left_out} more", shape="plaintext", fixedsize="false",
                         style="", fontcolor=COLOR_MUTED, pos=position)
            else:
                name = f"L{layer}_{unit}"
                fill = FILL_INPUT if layer == 0 else (
                    FILL_OUTPUT if layer == last else FILL_INTERMEDIATE
                )
                dot.node(name, label=_unit_label(layer, unit), fillcolor=fill, pos=position)
            names.append(name)
        # A plaintext label is centred on its position: lower the longer captions so
        # that all captions start at the same height.
        caption = _caption(specs, layer)
        lines = caption.count("<BR/>") + 1
        caption_at = -((tallest - 1) / 2 * ROW_GAP + 0.55 + lines * 0.09)
        dot.node(f"L{layer}_caption", label=caption, shape="plaintext",
                 fixedsize="false", style="", fontcolor="#374151",
                 pos=_position(layer * COLUMN_GAP, caption_at, vertical))
        columns.append(names)
    for layer in range(1, len(columns)):
        sources = [n for n in columns[layer - 1] if not n.endswith("_more")]
        targets = [n for n in columns[layer] if not n.endswith("_more")]
        for source in sources:
            for target in targets:
                dot.edge(source, target)
    if specs[last].size == 1:
        dot.node("yhat", label="ŷ", shape="plaintext", fixedsize="false", style="",
                 fontsize="14", pos=_position(last * COLUMN_GAP + 1.1, 0.0, vertical))
        dot.edge(columns[last][0], "yhat", color="#374151", arrowsize="0.6")
    return dot


#: Inches between layers and between units of a layer.
COLUMN_GAP = 2.2
ROW_GAP = 0.7


def _position(x: float, y: float, vertical: bool) -> str:
    return f"{-y:.3f},{-x:.3f}!" if vertical else f"{x:.3f},{y:.3f}!"


def _caption(specs: Sequence[LayerSpec], layer: int) -> str:
    """The label under a layer: its kind, size, activation and the shapes of W and b."""
    spec = specs[layer]
    if layer == 0:
        rows = ["<B>input</B>", f"n<SUB>x</SUB> = {spec.size}"]
    else:
        kind = "output" if layer == len(specs) - 1 else "hidden"
        rows = [f"<B>{kind} layer {layer}</B>", f"n<SUP>[{layer}]</SUP> = {spec.size}"]
        if spec.activation:
            rows.append(html.escape(spec.activation))
        previous = specs[layer - 1].size
        rows.append(f"W<SUP>[{layer}]</SUP> ({spec.size}, {previous})")
        rows.append(f"b<SUP>[{layer}]</SUP> ({spec.size}, 1)")
    return "<" + "<BR/>".join(rows) + ">"
