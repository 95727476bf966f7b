"""``autograd-lite graph "J = 3*(a + b*c)" a=5 b=3 c=2 -o J.svg``: draw a computation graph.

The expression - or a program, statements separated by ``;`` or newlines, such as the
course's logistic regression ``"z = w1*x1 + w2*x2 + b; a = sigmoid(z); L = -(y*log(a) +
(1-y)*log(1-a))"``, whose last statement is the output - is read with :mod:`ast` (see
:mod:`autograd_lite.expression`; nothing is ever evaluated as Python), run forward and
backward, every derivative dJ/dx is printed - of the inputs, of the named steps and of
the intermediates u, v, p, ... - and the picture is written, its format taken from the
suffix (.svg, .png, .pdf through Graphviz's ``dot``; .dot without it). ``--frames DIR``
writes the backward pass as numbered SVG pictures and an ``index.html`` that steps
through them. The chain rule is written from the ops' own derivatives (the backward
frames' text), as ``autograd-lite demo`` writes it too.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograd_lite import Tensor
from autograd_lite.commands import UserError
from autograd_lite.commands.paths import check_output_file, check_output_folder
from autograd_lite.expression import ExpressionError, evaluate, parse_expression, parse_values


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "expression",
        help='the expression, optionally named: "J = 3*(a + b*c)" (numbers, names, '
        "+ - * / **, exp log sqrt abs tanh sigmoid relu leaky_relu maximum minimum clip), "
        'or a program, statements separated by ";" or newlines, the last one the output: '
        '"z = w*x + b; a = sigmoid(z); L = -(y*log(a) + (1-y)*log(1-a))"; '
        'one that starts with "-" goes after "--"',
    )
    parser.add_argument(
        "values", nargs="*", metavar="NAME=VALUE", help="the value of each variable: a=5 b=3"
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE",
        help="write the picture: .svg, .png, .pdf (need Graphviz's dot) or .dot",
    )
    parser.add_argument(
        "--frames", metavar="DIR",
        help="write the backward pass step by step: DIR/frame_000.svg, ... and DIR/index.html",
    )
    parser.add_argument(
        "--no-values", action="store_true", help="leave values out of the picture"
    )


@dataclass
class GraphResult:
    """The forward and backward pass of an expression or program, ready to print and draw.

    ``expression`` is the program as it is printed (``J = 3 * (a + b * c)``; statements
    joined by ``; ``).
    """

    expression: str
    output: Tensor
    tensors: dict[str, Tensor]
    forward_lines: list[str]
    chain_lines: list[str]
    derivative_lines: list[str]


def compute(expression: str, values: dict[str, float]) -> GraphResult:
    """Parse, run forward and backward; raise :class:`ExpressionError` for any mistake."""
    from visualize.frames import backward_steps
    from visualize.graph import GraphLayout, format_array, to_ascii

    parsed = parse_expression(expression)
    output, tensors = evaluate(parsed, values)
    for t in tensors.values():
        if not t.is_leaf:
            t.retain_grad()
    # Kept for the frames, which ask the engine for each step's local derivatives. An
    # infinite derivative (sqrt at 0) is a true answer, reported below, not a warning.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        output.backward(retain_graph=True)
    layout = GraphLayout(output, max_nodes=None, caller="graph")
    forward_lines = []
    for t in layout.order:
        if not t.is_leaf:
            value = format_array(t.data, digits=6)
            forward_lines.append(to_ascii(f"{layout.name(t)} = {layout.formula(t)} = {value}"))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        _, steps = backward_steps(output, max_steps=None, layout=layout)
    chain_lines = [line for step in steps for line in step.ascii_lines[1 if step.index else 0:]]
    name = parsed.output_name
    derivative_lines = []
    for key, t in tensors.items():
        if t is output:
            continue
        grad = format_array(t.grad, digits=10) if t.grad is not None else "0"
        note = ""
        if t.grad is not None and not np.all(np.isfinite(t.grad)):
            note = f"   (not finite: {name} is not differentiable in {key} at this point)"
        derivative_lines.append(f"d{name}/d{key} = {grad}{note}")
    return GraphResult(
        parsed.program, output, tensors, forward_lines, chain_lines, derivative_lines
    )


def print_result(
    result: GraphResult, values: dict[str, float], echo: Callable[[str], None] = print
) -> None:
    """The forward pass, the chain rule step by step and every derivative, as lines."""
    given = ", ".join(f"{key} = {value:g}" for key, value in values.items())
    echo(f"{result.expression}   with {given}")
    echo("Forward pass (left to right):")
    for line in result.forward_lines:
        echo(f"  {line}")
    echo("Backward pass (right to left), the chain rule:")
    for line in result.chain_lines:
        echo(f"  {line}")
    echo(f"Derivatives d{result.output.name}/dx:")
    for line in result.derivative_lines:
        echo(f"  {line}")


def _check_output(path: str | None, what: str) -> None:
    from visualize.render import PICTURE_FORMATS, dot_available, format_of, missing_dot_message

    if path is None:
        return
    try:
        fmt = format_of(path)
    except ValueError as err:
        raise UserError(str(err).removeprefix("render: ")) from None
    if fmt in PICTURE_FORMATS and not dot_available():
        raise UserError(missing_dot_message(f"{what} {path}"))
    check_output_file(path, "-o")


def write_outputs(
    result: GraphResult,
    output_path: str | os.PathLike[str] | None,
    frames_dir: str | os.PathLike[str] | None,
    show_data: bool = True,
) -> list[Path]:
    """Write the picture and the frames; return the paths written."""
    import visualize

    written: list[Path] = []
    if output_path is not None:
        picture = visualize.draw_graph(result.output, show_data=show_data)
        written.append(visualize.render(picture, output_path))
    if frames_dir is not None:
        frames = visualize.backward_frames(result.output, show_data=show_data)
        fmt = "svg" if visualize.dot_available() else "dot"
        written.extend(visualize.write_frames(frames, frames_dir, format=fmt))
    return written


def run(args: argparse.Namespace) -> int:
    _check_output(args.output, "writing")
    if args.frames is not None:
        from visualize.render import dot_available, missing_dot_message

        if not dot_available():
            raise UserError(missing_dot_message(f"--frames {args.frames} (SVG pictures)"))
        check_output_folder(args.frames, "--frames")
    try:
        values = parse_values(args.values)
        result = compute(args.expression, values)
    except ExpressionError as err:
        raise UserError(str(err)) from None
    if args.frames is not None:
        from visualize.frames import DEFAULT_MAX_STEPS

        steps = sum(1 for t in result.tensors.values() if not t.is_leaf)
        if steps > DEFAULT_MAX_STEPS:
            raise UserError(
                f"--frames draws one picture of the whole graph per op; this expression has "
                f"{steps} ops and at most {DEFAULT_MAX_STEPS} are drawn (-o draws the graph alone)"
            )
    print_result(result, values)
    try:
        written = write_outputs(result, args.output, args.frames, show_data=not args.no_values)
    except (OSError, RuntimeError, ValueError) as err:
        raise UserError(str(err)) from None
    if args.output is not None:
        print(f"Wrote {written[0]}")
    if args.frames is not None:
        count = sum(1 for path in written if path.name.startswith("frame_"))
        index = Path(args.frames) / "index.html"
        print(f"Wrote {count} frames of the backward pass in {args.frames} (open {index})")
    return 0
