"""Pictures of computation graphs: J = 3(a + bc) as the course draws it.

    >>> import autograd_lite as al, visualize
    >>> a = al.Tensor(5.0, requires_grad=True, name="a")
    >>> b = al.Tensor(3.0, requires_grad=True, name="b")
    >>> c = al.Tensor(2.0, requires_grad=True, name="c")
    >>> J = 3 * (a + b * c)
    >>> J.backward()
    >>> dot = visualize.draw_graph(J)      # a graphviz.Digraph; shows inline in Jupyter
    >>> "dJ/db = 6" in dot.source
    True

Every tensor is a box with its name, its value (or its shape, when large) and,
once backward has run, its gradient dJ/dx; every primitive op is a small circle;
edges follow the forward pass. Unnamed intermediates get the letters u, v, p, ...
in forward order (never a name of the graph nor a course symbol such as w: see
:mod:`visualize.names`); numbers such as the 3 of 3v are drawn as constants,
without a gradient.

A network's graph (its tensors named by ``nn``: W^[l], b^[l], Z^[l], A^[l]) is drawn
layer by layer: one row per layer, Z^[l] = W^[l] A^[l-1] + b^[l] -> A^[l] = g(Z^[l]),
with the layer's parameters just above it; the input reads A^[0] = X and the labels
of the cost read Y.

The graph is read only through the public, read-only names of Tensor (``op``,
``parents``, ``name``, ``data``, ``grad``, ``is_leaf``, ``requires_grad``,
``shape``), and every walk over it uses an explicit stack: a chain of 100,000 ops
never meets Python's recursion limit.
"""

from __future__ import annotations

import html
import math
import re
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import graphviz
import numpy as np

from autograd_lite import Tensor
from visualize.dot_program import dot_available, svg_of
from visualize.names import course_names

#: Nodes (tensors and ops) drawn by default; the rest are summed up in a "… N more" node.
DEFAULT_MAX_NODES = 150
#: More nodes than this are never drawn: Graphviz would take minutes and the picture is unreadable.
HARD_LIMIT = 5000
#: Arrays with at most this many elements are written out; larger ones show their shape.
SMALL_SIZE = 6

RANKDIRS = ("LR", "RL", "TB", "BT")

#: A name that puts a tensor in layer l: W1, b2, Z[3], W^[1], A^[2].
LAYER_NAME = re.compile(r"[A-Za-z_]+\^?\[?(\d+)\]?")
#: The names ``nn`` layers give what they compute: a graph holding one is a network's.
NETWORK_NAME = re.compile(r"[ZA]\^\[(\d+)\]")
#: Costs whose second operand is the labels Y.
COST_OPS = ("binary_cross_entropy", "binary_cross_entropy_with_logits",
            "softmax_cross_entropy", "squared_error", "cross_entropy")

# Colours: inputs blue, intermediates yellow, the output green, gradients dark red.
FILL_INPUT = "#dbeafe"
FILL_DATA = "#f3f4f6"
FILL_INTERMEDIATE = "#fef9c3"
FILL_OUTPUT = "#dcfce7"
FILL_OP = "#e5e7eb"
FILL_HIGHLIGHT = "#fee2e2"
COLOR_GRAD = "#b91c1c"
COLOR_HIGHLIGHT = "#dc2626"
COLOR_MUTED = "#6b7280"
#: Helvetica where it exists; elsewhere Arial's metric twin (Liberation Sans on Linux), the
#: font a browser draws for Helvetica. Graphviz alone maps "Helvetica" to its generic
#: sans-serif (DejaVu Sans here, 10-20 % wider), so its labels were placed for a font the
#: browser never draws; with this list Graphviz measures the font that is drawn.
FONT = "Helvetica,Arial,sans-serif"

_ASCII = str.maketrans({"−": "-", "·": "*", "…": "...", "ᵀ": ".T", "×": "*", "÷": "/",
                        "²": "^2", "≤": "<="})


class GraphTooLargeError(ValueError):
    """The graph has more nodes than can be drawn; the message says how to draw part of it."""


# --------------------------------------------------------------------------- walking

def forward_order(root: Tensor) -> list[Tensor]:
    """Every tensor ``root`` depends on (leaves too), parents before children.

    Parents are visited left to right, so for an expression this is the order in
    which its operations ran. Iterative: an explicit stack of parent iterators.
    """
    order: list[Tensor] = []
    seen = {id(root)}
    stack = [(root, iter(root.parents))]
    while stack:
        tensor, parents = stack[-1]
        for parent in parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append((parent, iter(parent.parents)))
                break
        else:
            stack.pop()
            order.append(tensor)
    return order


# --------------------------------------------------------------------------- text

def format_number(x: float, digits: int = 4) -> str:
    """A number as the course writes it: 33, not 33.0; 0.1192 to ``digits`` figures."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == int(x) and abs(x) < 1e6:
        return str(int(x))
    return f"{x:.{digits}g}"


def format_array(value: Any, digits: int = 4, small: int = SMALL_SIZE) -> str | None:
    """The values of a small array (``[1, 2]``), a number for one element, None if large."""
    array = np.asarray(value)
    if array.size == 1:
        return format_number(array.reshape(()).item(), digits)
    if array.size > small or array.ndim > 2 or array.size == 0:
        return None
    if array.ndim == 1:
        return "[" + ", ".join(format_number(x, digits) for x in array) + "]"
    rows = ("[" + ", ".join(format_number(x, digits) for x in row) + "]" for row in array)
    return "[" + ", ".join(rows) + "]"


def format_shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def to_ascii(text: str) -> str:
    """Replace the picture's typographic signs (−, ·, …, ², ≤) by ASCII (-, *, ..., ^2, <=)."""
    return text.translate(_ASCII)


def op_symbol(t: Tensor) -> str:
    """The symbol drawn in the circle of the op that made ``t``: + for add, × for mul, exp
    for exp (the primitive's ``symbol``, else its name)."""
    primitive = t.primitive
    if primitive is None:
        return ""
    return primitive.symbol or primitive.name


def _gradient_array(grad: Any) -> np.ndarray | None:
    if grad is None:
        return None
    return np.asarray(grad.data if isinstance(grad, Tensor) else grad)


# --------------------------------------------------------------------------- the layout

class GraphLayout:
    """What a picture of ``root``'s graph shows: nodes, display names, the drawn part.

    Built once per root and shared by :func:`draw_graph` and the backward frames, so
    every picture of one graph uses the same names and the same nodes.
    """

    def __init__(
        self,
        root: Tensor,
        max_nodes: int | None = DEFAULT_MAX_NODES,
        group_by: str | Callable[[Tensor], Any] | None = None,
        caller: str = "draw_graph",
    ) -> None:
        if not isinstance(root, Tensor):
            raise TypeError(f"{caller}: expected a Tensor; got {type(root).__name__}")
        if max_nodes is not None and (not isinstance(max_nodes, int) or max_nodes < 3):
            raise ValueError(f"{caller}: max_nodes must be an integer of at least 3 or None")
        self.root = root
        self.order = forward_order(root)
        self.position = {id(t): i for i, t in enumerate(self.order)}
        self.is_network = any(NETWORK_NAME.fullmatch(t.name or "") for t in self.order)
        self.data_names = self._data_names() if self.is_network else {}
        self.total_nodes = sum(1 if t.is_leaf else 2 for t in self.order)
        limit = HARD_LIMIT if max_nodes is None else max_nodes
        if limit > HARD_LIMIT or (max_nodes is None and self.total_nodes > HARD_LIMIT):
            hint = (
                f" Pass max_nodes=<= {HARD_LIMIT:,} to draw the nodes nearest the output and "
                "a '… N more' marker for the rest."
                if caller == "draw_graph"
                else ""
            )
            raise GraphTooLargeError(
                f"{caller}: the graph has {self.total_nodes:,} nodes (tensors and ops); at most "
                f"{HARD_LIMIT:,} can be drawn.{hint}"
            )
        self.names = self._display_names()
        self.output_name = self.names[id(root)]
        self.kept = self._keep(limit)
        self.omitted = self.total_nodes - sum(
            1 if t.is_leaf else 2 for t in self.order if id(t) in self.kept
        )
        if group_by == "auto":
            group_by = "layer" if self.is_network else None
        #: One row per layer (group_by="layer"), parameters shown alike (see shows_values).
        self.layered = group_by == "layer"
        #: The layer l of each tensor in a layer (group_by="layer").
        self.layer_of: dict[int, int] = {}
        self.groups = self._groups(group_by) if group_by is not None else {}
        self.small_parameters = all(
            format_array(t.data) is not None for t in self.order if self._is_layer_parameter(t)
        )

    # ----------------------------------------------------------------- names
    def _data_names(self) -> dict[int, str]:
        """A network's unnamed data in the course's names: the input of Z^[1]'s linear
        step is A^[0] (= X), the labels a cost compares with are Y."""
        found: dict[int, str] = {}
        for t in self.order:
            if t.is_leaf or len(t.parents) < 2:
                continue
            operand = t.parents[1]
            if not (operand.is_leaf and not operand.requires_grad and not operand.name):
                continue
            if t.op == "linear" and t.name == "Z^[1]":
                found.setdefault(id(operand), "A^[0]")
            elif t.op in COST_OPS:
                found.setdefault(id(operand), "Y")
        return found

    def _display_names(self) -> dict[int, str]:
        taken = {t.name for t in self.order if t.name}
        names: dict[int, str] = {}
        if self.root.name:
            names[id(self.root)] = self.root.name
        else:
            names[id(self.root)] = "J" if "J" not in taken else "out"
            taken.add(names[id(self.root)])
        letters = course_names(taken)
        leaf_index = 0
        for t in self.order:
            if id(t) in names:
                continue
            if t.name:
                names[id(t)] = t.name
            elif id(t) in self.data_names:
                names[id(t)] = self.data_names[id(t)]
            elif not t.is_leaf:
                names[id(t)] = next(letters)
            elif t.requires_grad:
                leaf_index += 1
                while f"x{leaf_index}" in taken:
                    leaf_index += 1
                names[id(t)] = f"x{leaf_index}"
            else:
                names[id(t)] = self.constant_text(t)
        return names

    @staticmethod
    def constant_text(t: Tensor) -> str:
        shown = format_array(t.data)
        return shown if shown is not None else f"const {format_shape(t.shape)}"

    def is_constant(self, t: Tensor) -> bool:
        """A leaf that needs no gradient and has no name: a number of the formula
        (a network's input X and labels Y are data, not constants)."""
        return t.is_leaf and not t.requires_grad and not t.name and id(t) not in self.data_names

    def _is_layer_parameter(self, t: Tensor) -> bool:
        return self.layered and t.is_leaf and t.requires_grad and id(t) in self.groups

    def shows_values(self, t: Tensor) -> bool:
        """Whether ``t``'s box writes its values (and its gradient's), or only its shape.

        Small arrays (at most ``SMALL_SIZE`` numbers) show their values, larger ones their
        shape; in a network drawn by layer, the parameters are shown alike: all by value
        when every one is small, else all by shape (a number stays a number).
        """
        if format_array(t.data) is None:
            return False
        return t.ndim == 0 or self.small_parameters or not self._is_layer_parameter(t)

    def name(self, t: Tensor) -> str:
        return self.names[id(t)]

    def operand(self, t: Tensor) -> str:
        """A tensor's name as an operand of a formula (negative constants in parentheses)."""
        text = self.names[id(t)]
        if self.is_constant(t) and (text.startswith("-") or " " in text):
            return f"({text})"
        return text

    def formula(self, t: Tensor) -> str:
        """The right-hand side that made ``t``: ``a + u`` for v = a + u, ``exp(z)`` for exp."""
        operands = [self.operand(p) for p in t.parents]
        op = t.op or ""
        template = t.primitive.formula if t.primitive is not None else None
        if template is not None and template.count("{") == len(operands):
            return template.format(*operands)
        return f"{op}({', '.join(operands)})"

    def gradient_name(self, t: Tensor) -> str:
        return f"d{self.output_name}/d{self.names[id(t)]}"

    # ----------------------------------------------------------------- what is drawn
    def _keep(self, limit: int) -> set[int]:
        """The tensors nearest the output (breadth first from it) that fit in ``limit`` nodes."""
        if self.total_nodes <= limit:
            return {id(t) for t in self.order}
        kept: set[int] = set()
        used = 0
        queue = deque([self.root])
        queued = {id(self.root)}
        limit -= 1  # room for the "… N more" marker
        while queue:
            t = queue.popleft()
            cost = 1 if t.is_leaf else 2
            if used + cost > limit:
                break
            used += cost
            kept.add(id(t))
            for parent in t.parents:
                if id(parent) not in queued:
                    queued.add(id(parent))
                    queue.append(parent)
        return kept

    def _groups(self, group_by: str | Callable[[Tensor], Any]) -> dict[int, str]:
        if callable(group_by):
            found = {}
            for t in self.order:
                group = group_by(t)
                if group is not None:
                    found[id(t)] = str(group)
            return found
        if group_by != "layer":
            raise ValueError(
                f"draw_graph: group_by must be 'layer', 'auto', a function of a tensor, or None; "
                f"got {group_by!r}"
            )
        # A tensor named like W1, b2, Z[3], W^[1] belongs to that layer; an unnamed result
        # belongs to the latest layer among its inputs (W2 @ A1 is in layer 2).
        layers: dict[int, int] = {}
        for t in self.order:
            match = LAYER_NAME.fullmatch(t.name or "")
            if match:
                layers[id(t)] = int(match.group(1))
            elif not t.is_leaf and not self.is_network:  # nn names every tensor of a layer
                found = [layers[id(p)] for p in t.parents if id(p) in layers]
                if found:
                    layers[id(t)] = max(found)
        self.layer_of = layers
        return {key: f"layer {layer}" for key, layer in layers.items()}

    # ----------------------------------------------------------------- drawing
    def tensor_label(
        self,
        t: Tensor,
        grad: Any,
        show_data: bool,
        show_grad: bool,
        pending: bool = False,
        fresh: bool = False,
    ) -> str:
        """The HTML-like label of a tensor's box."""
        if self.is_constant(t):
            return f"<{html.escape(self.names[id(t)])}>"
        # Every line is one run of one font: a bold name beside a plain value would be two
        # SVG texts placed with Graphviz's font metrics, which overlap in a browser whose
        # font is wider. The first line (name, formula, value) is bold as a whole.
        head = html.escape(self.names[id(t)])
        if not t.is_leaf:
            head += " = " + html.escape(self.formula(t))
        elif self.data_names.get(id(t)) == "A^[0]":
            head += " = X"
        rows = []
        small = self.shows_values(t)
        value = format_array(t.data) if show_data and small else None
        if value is not None:
            head += " = " + html.escape(value)
        rows.append(f"<B>{head}</B>")
        if show_data and value is None:
            shape = f"shape {format_shape(t.shape)}"
            rows.append(f'<FONT POINT-SIZE="10" COLOR="{COLOR_MUTED}">{shape}</FONT>')
        if show_grad and t.requires_grad:
            array = _gradient_array(grad)
            name = html.escape(self.gradient_name(t))
            if array is not None:
                shown = format_array(array) if small or array.ndim == 0 else None
                text = f"{name} = {html.escape(shown)}" if shown is not None else (
                    f"{name}: shape {format_shape(array.shape)}"
                )
                if fresh:
                    text = f"<B>{text}</B>"
                rows.append(f'<FONT COLOR="{COLOR_GRAD}">{text}</FONT>')
            elif pending:
                rows.append(f'<FONT COLOR="{COLOR_MUTED}">{name} = ?</FONT>')
        return _stacked(rows)

    def digraph(
        self,
        grad_of: Callable[[Tensor], Any],
        show_data: bool = True,
        show_grad: bool = True,
        rankdir: str | None = "LR",
        *,
        title: str | None = None,
        caption_lines: list[str] | None = None,
        highlight: Tensor | None = None,
        edge_labels: Mapping[int, str] | None = None,
        fresh: frozenset[int] | set[int] = frozenset(),
        pending: bool = False,
        every_edge_label: Mapping[int, Mapping[int, str]] | None = None,
        node_attrs: Mapping[str, Mapping[str, str]] | None = None,
        edge_attrs: Callable[[int], Mapping[str, str]] | None = None,
    ) -> graphviz.Digraph:
        """Build the Digraph; ``highlight`` and ``edge_labels`` (parent id -> text) serve
        the backward frames. ``rankdir`` None: top to bottom for a network drawn by layer
        (a row per layer), else left to right.

        For a layout shared by several pictures (:mod:`visualize.steady`):
        ``every_edge_label`` (child id -> parent id -> text) labels every edge, not only
        the highlighted node's; ``node_attrs`` (node name, ``t3``/``op3`` -> attributes)
        and ``edge_attrs`` (the edge's number, in the order they are drawn -> attributes)
        add Graphviz attributes such as sizes and positions."""
        if rankdir is None:
            rankdir = "TB" if self.layered else "LR"
        if rankdir not in RANKDIRS:
            raise ValueError(f"draw_graph: rankdir must be one of {', '.join(RANKDIRS)}")
        dot = graphviz.Digraph(name=self.output_name)
        dot.attr(
            rankdir=rankdir,
            bgcolor="white",
            fontname=FONT,
            nodesep="0.25",
            ranksep="0.3",
            pad="0.2",
        )
        if title:
            dot.attr(label=dot_text(title), labelloc="t", labeljust="l", fontsize="14")
        elif caption_lines:
            # "\l" ends a left-justified line in a DOT label.
            text = "".join(dot_text(line) + "\\l" for line in caption_lines)
            dot.attr(label=text, labelloc="t", labeljust="l", fontsize="13")
        dot.attr("node", fontname=FONT, fontsize="12")
        dot.attr("edge", color="#4b5563", arrowsize="0.6", fontname=FONT, fontsize="10")
        drawn = [t for t in self.order if id(t) in self.kept]
        if self.layered:  # layer 1 first, then 2, ...: Graphviz keeps that order
            drawn.sort(key=lambda t: self.layer_of.get(id(t), 0))
        clusters: dict[str, list[Tensor]] = {}
        for t in drawn:
            clusters.setdefault(self.groups.get(id(t), ""), []).append(t)
        for number, (group, members) in enumerate(clusters.items()):
            if not group:
                self._add_nodes(dot, members, grad_of, show_data, show_grad, highlight,
                                fresh, pending, node_attrs or {})
                continue
            with dot.subgraph(name=f"cluster_{number}") as cluster:
                cluster.attr(label=dot_text(group), style="rounded,dashed", color=COLOR_MUTED,
                             fontcolor=COLOR_MUTED, fontname=FONT)
                if not self.layered:
                    self._add_nodes(cluster, members, grad_of, show_data, show_grad,
                                    highlight, fresh, pending, node_attrs or {})
                    continue
                # A layer is one rank: Z^[l] = W^[l] A^[l-1] + b^[l] -> A^[l] = g(Z^[l]) in a
                # row, its parameters (leaves) on the rank just before it, beside its input.
                leaves = sorted((t for t in members if t.is_leaf), key=self.name)  # W, b
                with cluster.subgraph() as above:
                    above.attr(rank="same")
                    self._add_nodes(above, leaves, grad_of, show_data, show_grad,
                                    highlight, fresh, pending, node_attrs or {})
                    for left, right in zip(leaves, leaves[1:]):  # W^[l] left of b^[l]
                        above.edge(f"t{self.position[id(left)]}",
                                   f"t{self.position[id(right)]}", style="invis")
                with cluster.subgraph() as row:
                    row.attr(rank="same")
                    self._add_nodes(row, [t for t in members if not t.is_leaf], grad_of,
                                    show_data, show_grad, highlight, fresh, pending,
                                    node_attrs or {})
        self._add_edges(dot, drawn, highlight, edge_labels or {}, every_edge_label or {},
                        edge_attrs)
        if self.layered:
            self._stack_layers(dot, drawn)
        return dot

    def _stack_layers(self, dot: graphviz.Digraph, drawn: list[Tensor]) -> None:
        """Rows one under the other, left-aligned: an invisible edge from each layer's first
        op to the next layer's, the edges between layers (A^[l] into layer l+1) left free
        (``constraint=false`` in :meth:`_add_edges`)."""
        tops: dict[int, str] = {}
        rows: dict[int, str] = {}
        for t in drawn:
            layer = self.layer_of.get(id(t))
            if layer is None:
                continue
            if t.is_leaf:
                tops.setdefault(layer, f"t{self.position[id(t)]}")
            else:
                rows.setdefault(layer, f"op{self.position[id(t)]}")
        layers = sorted(rows)
        for layer in layers:  # one group: Graphviz keeps the chain between them straight
            dot.node(rows[layer], group="layer rows")
        for upper, lower in zip(layers, layers[1:]):
            # Two ranks down (the parameters' rank between), straight down: left-aligned.
            dot.edge(rows[upper], rows[lower], style="invis", weight="20",
                     minlen="2" if lower in tops else "1")

    def _add_nodes(
        self,
        dot: graphviz.Digraph,
        tensors: list[Tensor],
        grad_of: Callable[[Tensor], Any],
        show_data: bool,
        show_grad: bool,
        highlight: Tensor | None,
        fresh: frozenset[int] | set[int],
        pending: bool,
        node_attrs: Mapping[str, Mapping[str, str]],
    ) -> None:
        for t in tensors:
            index = self.position[id(t)]
            grad = grad_of(t) if show_grad and t.requires_grad else None
            label = self.tensor_label(t, grad, show_data, show_grad, pending, id(t) in fresh)
            attrs = {"shape": "box", "style": "rounded,filled", "margin": "0.12,0.06"}
            if self.is_constant(t):
                attrs.update(style="rounded,dashed", fontcolor=COLOR_MUTED, color=COLOR_MUTED,
                             tooltip="constant (no gradient)")
            elif t is self.root:
                attrs.update(fillcolor=FILL_OUTPUT, penwidth="2")
            elif not t.is_leaf:
                attrs.update(fillcolor=FILL_INTERMEDIATE)
            elif t.requires_grad:
                attrs.update(fillcolor=FILL_INPUT)
            else:
                attrs.update(fillcolor=FILL_DATA)
            if highlight is not None and t is highlight:
                attrs.update({"fillcolor": FILL_HIGHLIGHT, "color": COLOR_HIGHLIGHT,
                              "penwidth": "3", "class": "highlight"})
            attrs.update(node_attrs.get(f"t{index}", {}))
            dot.node(f"t{index}", label=label, **attrs)
            if not t.is_leaf:
                symbol = op_symbol(t)
                # A one-sign op (+, ×) is a small circle; a named one (exp, relu) an ellipse.
                op_attrs = {"shape": "circle" if len(symbol) <= 2 else "ellipse",
                            "style": "filled", "fillcolor": FILL_OP, "width": "0.3",
                            "height": "0.3", "margin": "0.02",
                            "fontsize": "11" if len(symbol) <= 2 else "10",
                            "tooltip": t.op or ""}
                if highlight is not None and t is highlight:
                    op_attrs.update(color=COLOR_HIGHLIGHT, penwidth="2.5",
                                    fillcolor=FILL_HIGHLIGHT)
                op_attrs.update(node_attrs.get(f"op{index}", {}))
                dot.node(f"op{index}", label=dot_text(symbol), **op_attrs)

    def _crosses_layers(self, parent: Tensor, child: Tensor) -> bool:
        """An edge from one layer into a later one: A^[l] into Z^[l+1]'s linear step."""
        upper, lower = self.layer_of.get(id(parent)), self.layer_of.get(id(child))
        return upper is not None and lower is not None and upper < lower

    def _add_edges(
        self,
        dot: graphviz.Digraph,
        drawn: list[Tensor],
        highlight: Tensor | None,
        edge_labels: Mapping[int, str],
        every_edge_label: Mapping[int, Mapping[int, str]],
        edge_attrs: Callable[[int], Mapping[str, str]] | None,
    ) -> None:
        marker_edges: list[str] = []
        number = 0

        def extra() -> Mapping[str, str]:
            nonlocal number
            number += 1
            return edge_attrs(number - 1) if edge_attrs is not None else {}

        for t in drawn:
            if t.is_leaf:
                continue
            index = self.position[id(t)]
            chosen = t is highlight
            labels = edge_labels if chosen else every_edge_label.get(id(t), {})
            seen_parents: set[int] = set()
            for parent in t.parents:
                if id(parent) not in self.kept:
                    marker_edges.append(f"op{index}")
                    continue
                attrs: dict[str, str] = {}
                if chosen:
                    attrs.update(color=COLOR_HIGHLIGHT, penwidth="2")
                if id(parent) in labels and id(parent) not in seen_parents:
                    attrs.update(label=dot_text(labels[id(parent)]))
                    if chosen:
                        attrs.update(fontcolor=COLOR_HIGHLIGHT)
                seen_parents.add(id(parent))
                if self.layered and self._crosses_layers(parent, t):
                    attrs.update(constraint="false", weight="0")
                attrs.update(extra())
                dot.edge(f"t{self.position[id(parent)]}", f"op{index}", **attrs)
            out_attrs = {"color": COLOR_HIGHLIGHT, "penwidth": "2"} if chosen else {}
            out_attrs.update(extra())
            dot.edge(f"op{index}", f"t{index}", **out_attrs)
        if self.omitted:
            dot.node(
                "more",
                label=dot_text(f"… {self.omitted:,} more nodes"),
                shape="box",
                style="dashed",
                color=COLOR_MUTED,
                fontcolor=COLOR_MUTED,
                tooltip="nodes left out; pass a larger max_nodes to draw more",
            )
            for target in dict.fromkeys(marker_edges):
                dot.edge("more", target, style="dashed", color=COLOR_MUTED, weight="0")


def _stacked(rows: list[str]) -> str:
    """An HTML-like label with one table row per line: Graphviz then gives each line the
    full height of its font, so lines never share their text boxes (with ``<BR/>`` they
    are a font size apart, and the font's box is taller than that)."""
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>>'


def dot_text(text: str) -> str:
    """Plain text for a DOT label: backslashes would start DOT escapes, so double them."""
    return text.replace("\\", "\\\\")


# --------------------------------------------------------------------------- public API

def draw_graph(
    t: Tensor,
    show_data: bool = True,
    show_grad: bool = True,
    rankdir: str | None = None,
    *,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    group_by: str | Callable[[Tensor], Any] | None = "auto",
    title: str | None = None,
) -> graphviz.Digraph:
    """The computation graph of ``t`` as a :class:`graphviz.Digraph`.

    A box per tensor - its name (unnamed intermediates get u, v, p, ... in forward
    order), the formula that made it (``v = a + u``), its value (or shape, when it has
    more than a few elements) and, when ``.grad`` is set, its gradient ``dJ/dx`` - and
    a circle per primitive op, with edges in the direction of the forward pass.
    Numbers of the formula (the 3 of 3v) are dashed boxes without a gradient.
    Intermediate tensors have a gradient to show only after ``retain_grad()``.

    The graph of a network made by ``nn`` reads as the course writes it, one row per
    layer: Z^[1] = W^[1] A^[0] + b^[1] -> A^[1] = tanh(Z^[1]), ..., the parameters
    W^[l], b^[l] above their layer, the input as A^[0] = X and the labels as Y.

    Parameters
    ----------
    show_data, show_grad: whether to write values and gradients. Small arrays show
        their values, larger ones their shape; a network's parameters are shown alike
        (all values, or all shapes when any is large).
    rankdir: "LR" (left to right, the course's way), "TB", "RL" or "BT"; None (the
        default): "TB" for a network drawn by layer (a row per layer), else "LR".
    max_nodes: at most this many nodes (tensors plus ops) are drawn, those nearest the
        output; the rest are counted in a "… N more nodes" box. None draws everything
        but refuses (:class:`GraphTooLargeError`) beyond ``HARD_LIMIT`` nodes.
    group_by: "layer" draws each layer in a box, on one rank (tensors named W1, b1,
        W^[1], Z^[1], ... and what is computed from them); "auto" (the default) does so
        for a network made by ``nn`` (whose tensors are named Z^[l], A^[l]); or a function
        tensor -> group label; None: no group.
    title: a caption above the picture.

    Render it with :func:`visualize.render`, or let Jupyter show it inline.
    """
    layout = GraphLayout(t, max_nodes=max_nodes, group_by=group_by)
    return layout.digraph(_kept_grad, show_data, show_grad, rankdir, title=title)


def _kept_grad(tensor: Tensor) -> Any:
    """``.grad`` where backward keeps one (reading it elsewhere warns: it is always None)."""
    return tensor.grad if tensor.is_leaf or tensor.retains_grad else None


def _tensor_repr_mimebundle(
    self: Tensor, include: Any = None, exclude: Any = None
) -> dict[str, str]:
    """Jupyter's rich display of a Tensor: its computation graph as SVG (text otherwise)."""
    bundle = {"text/plain": repr(self)}
    if self.is_leaf:
        return bundle
    if dot_available():
        try:
            bundle["image/svg+xml"] = svg_of(draw_graph(self))
        except (RuntimeError, ValueError):  # too large or dot failed: the text still shows
            pass
    return bundle


def enable_notebook_display(enabled: bool = True) -> None:
    """Show a Tensor that is the output of a graph as its picture in Jupyter.

    Installs (or, with ``enabled=False``, removes) a ``_repr_mimebundle_`` method on
    the Tensor class: a non-leaf tensor displays as the SVG of :func:`draw_graph` when
    Graphviz's ``dot`` is installed, and as its usual text otherwise. A
    ``graphviz.Digraph`` (what :func:`draw_graph` returns) already shows inline.
    """
    if enabled:
        Tensor._repr_mimebundle_ = _tensor_repr_mimebundle  # type: ignore[attr-defined]
    elif getattr(Tensor, "_repr_mimebundle_", None) is _tensor_repr_mimebundle:
        del Tensor._repr_mimebundle_  # type: ignore[attr-defined]
