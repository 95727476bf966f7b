"""One layout for many pictures of the same graph: the backward frames stand still.

Graphviz lays out each picture on its own, so a label that grows by one digit
("dJ/db = ?" becomes "dJ/db = 6") moves every node and changes the picture's size. The
frames of a backward pass are therefore laid out once:

1. :func:`measure` runs ``dot -Tjson`` on every frame (one run for all of them) and
   keeps, per node, the largest width and height it takes in any frame;
2. :func:`lay_out` lays out one graph whose nodes have those fixed sizes and whose
   edges carry every label that any frame shows, and reads back the node positions,
   the edge curves and the edge-label positions (``dot -Tjson``);
3. :meth:`SteadyLayout.node_attrs` and :meth:`SteadyLayout.edge_attrs` pin every frame
   to them: fixed sizes, ``pos="x,y!"``, the edges' ``pos``/``lp``, drawn by Graphviz's
   ``nop2`` engine (``neato -n2``: positions as given, in points), and two invisible
   corner points that fix the picture's bounding box.

Only colours and labels then change between frames; their width, height and node
positions are identical.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import graphviz

from visualize.dot_program import run_dot

__all__ = ["SteadyLayout", "measure", "lay_out", "pin_corners", "CAPTION_GAP"]

#: Points between the caption and the graph below it.
CAPTION_GAP = 12.0


def _json_documents(text: str) -> list[dict]:
    """The JSON objects that ``dot -Tjson`` wrote one after the other (one per graph)."""
    decoder = json.JSONDecoder()
    documents, position = [], 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return documents
        document, position = decoder.raw_decode(text, position)
        documents.append(document)


def _round_up(inches: float) -> float:
    """Sizes come back rounded to 1/10,000 inch: round up to 1/100 so that no label is cut."""
    return math.ceil(inches * 100 + 1e-6) / 100


def measure(graphs: Sequence[graphviz.Digraph], what: str) -> dict[str, tuple[float, float]]:
    """The largest (width, height), in inches, that each node takes in any of ``graphs``
    (every graph laid out in one run of ``dot``)."""
    source = "\n".join(graph.source for graph in graphs)
    sizes: dict[str, tuple[float, float]] = {}
    for document in _json_documents(run_dot(source, "json", what).decode("utf-8")):
        for node in document.get("objects", []):
            if "width" not in node or "height" not in node:
                continue  # a subgraph (cluster), not a node
            width, height = float(node["width"]), float(node["height"])
            old = sizes.get(node["name"], (0.0, 0.0))
            sizes[node["name"]] = (max(old[0], width), max(old[1], height))
    return {name: (_round_up(w), _round_up(h)) for name, (w, h) in sizes.items()}


@dataclass(frozen=True)
class SteadyLayout:
    """Where everything of a graph is: node sizes (inches) and centres (points), each
    edge's curve and label position (by the edge's number, in the order drawn), and the
    bounding box (points, lower-left at 0, 0)."""

    sizes: Mapping[str, tuple[float, float]]
    positions: Mapping[str, tuple[float, float]]
    edges: Sequence[Mapping[str, str]]
    width: float
    height: float

    def node_attrs(self) -> dict[str, dict[str, str]]:
        """Graphviz attributes pinning every node: its fixed size and its centre."""
        return {
            name: {
                "width": f"{self.sizes[name][0]:g}",
                "height": f"{self.sizes[name][1]:g}",
                "fixedsize": "true",
                "pos": f"{x:.2f},{y:.2f}!",
            }
            for name, (x, y) in self.positions.items()
            if name in self.sizes
        }

    def edge_attrs(self, number: int) -> dict[str, str]:
        """Graphviz attributes pinning edge ``number``: its curve and its label's place."""
        return dict(self.edges[number]) if number < len(self.edges) else {}


def lay_out(graph: graphviz.Digraph, what: str) -> SteadyLayout:
    """Lay ``graph`` out once with ``dot`` (its nodes given fixed sizes, its edges all
    their labels) and read back where everything went."""
    (document,) = _json_documents(run_dot(graph.source, "json", what).decode("utf-8"))
    sizes: dict[str, tuple[float, float]] = {}
    positions: dict[str, tuple[float, float]] = {}
    names: dict[int, str] = {}
    for node in document.get("objects", []):
        if "pos" not in node:
            continue
        names[node["_gvid"]] = node["name"]
        x, y = (float(v) for v in node["pos"].split(","))
        positions[node["name"]] = (x, y)
        sizes[node["name"]] = (float(node["width"]), float(node["height"]))
    numbered: dict[int, dict[str, str]] = {}
    for edge in document.get("edges", []):
        number = int(edge["id"].removeprefix("e"))  # given by the caller, in drawing order
        pins = {"pos": edge["pos"]}
        if "lp" in edge:
            pins["lp"] = edge["lp"]
        numbered[number] = pins
    edges = [numbered[k] for k in range(len(numbered))]
    x0, y0, x1, y1 = (float(v) for v in document["bb"].split(","))
    if (x0, y0) != (0.0, 0.0):
        raise RuntimeError(f"{what}: unexpected bounding box {document['bb']} from dot")
    return SteadyLayout(sizes, positions, edges, x1, y1)


def pin_corners(graph: graphviz.Digraph, width: float, height: float) -> None:
    """Two invisible points at (0, 0) and (width, height): the picture's bounding box is
    then the same whatever labels a frame shows inside it."""
    for name, (x, y) in (("corner_0", (0.0, 0.0)), ("corner_1", (width, height))):
        graph.node(name, label="", shape="point", style="invis", width="0", height="0",
                   fixedsize="true", pos=f"{x:.2f},{y:.2f}!")
