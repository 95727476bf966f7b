"""Pictures of autograd-lite's computation graphs and networks, and training plots.

    >>> import autograd_lite as al, visualize
    >>> a = al.Tensor(5.0, requires_grad=True, name="a")
    >>> b = al.Tensor(3.0, requires_grad=True, name="b")
    >>> c = al.Tensor(2.0, requires_grad=True, name="c")
    >>> J = 3 * (a + b * c)
    >>> visualize.render(J, "J.dot")                       # doctest: +SKIP
    >>> frames = visualize.backward_frames(J)              # one picture per backward step
    >>> visualize.write_frames(frames, "frames")           # doctest: +SKIP

- :func:`draw_graph` - the computation graph of a tensor (a ``graphviz.Digraph``).
- :func:`render` - write it (or a network) as .dot, .svg, .png or .pdf, atomically.
- :func:`backward_frames` - the backward pass step by step, the chain rule with numbers;
  :func:`write_frames`, :func:`frames_to_html`, :func:`frames_to_gif` write them.
- :func:`draw_network` - the layers and units of a model.
- :func:`draw_building_blocks` - the course's forward and backward blocks of each layer,
  with the real shapes.
- :func:`enable_notebook_display` - Tensors shown as their graph in Jupyter.
- :func:`plot_costs`, :func:`plot_decision_boundary` - matplotlib plots (optional extra).

.svg, .png and .pdf need Graphviz's ``dot`` program; .dot files need nothing.
"""

from visualize.blocks import draw_building_blocks
from visualize.dot_program import DEFAULT_DPI, GraphvizNotFoundError, dot_available
from visualize.frames import (
    BackwardFrame,
    backward_frames,
    backward_steps,
    frames_to_gif,
    frames_to_html,
    write_frames,
)
from visualize.graph import GraphTooLargeError, draw_graph, enable_notebook_display
from visualize.network import draw_network
from visualize.plots import plot_costs, plot_decision_boundary
from visualize.render import render

__all__ = [
    "draw_graph",
    "render",
    "draw_network",
    "draw_building_blocks",
    "backward_frames",
    "backward_steps",
    "BackwardFrame",
    "write_frames",
    "frames_to_html",
    "frames_to_gif",
    "enable_notebook_display",
    "plot_costs",
    "plot_decision_boundary",
    "dot_available",
    "DEFAULT_DPI",
    "GraphvizNotFoundError",
    "GraphTooLargeError",
]
