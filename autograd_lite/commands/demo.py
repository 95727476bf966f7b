"""``autograd-lite demo``: the course's first computation graph, J = 3(a + bc)."""

from __future__ import annotations

import argparse
import math

from autograd_lite.commands import UserError
from autograd_lite.commands.demo_graph import EXPRESSION
from autograd_lite.commands.graph import compute, print_result
from autograd_lite.commands.paths import check_output_folder
from autograd_lite.expression import ExpressionError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--a", type=float, default=5.0, help="value of a (default 5)")
    parser.add_argument("--b", type=float, default=3.0, help="value of b (default 3)")
    parser.add_argument("--c", type=float, default=2.0, help="value of c (default 2)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--out", default="out", help="folder for the pictures (default out)")


def computation_graph_demo(a_value: float, b_value: float, c_value: float) -> None:
    """Forward and backward through u = bc, v = a + u, J = 3v, printing each step.

    The lines are those of ``autograd-lite graph "J = 3*(a + b*c)"``: one derivation,
    written from the ops' own derivatives, for both commands.
    """
    values = {"a": a_value, "b": b_value, "c": c_value}
    try:
        result = compute(EXPRESSION, values)
    except ExpressionError as err:
        raise UserError(str(err)) from None
    print("The computation graph J = 3(a + bc):")
    print_result(result, values)


def run(args: argparse.Namespace) -> int:
    for option in ("a", "b", "c"):
        value = getattr(args, option)
        if not math.isfinite(value):
            raise UserError(f"--{option} must be a finite number; got {value}")
    check_output_folder(args.out, "--out")
    computation_graph_demo(args.a, args.b, args.c)
    from autograd_lite.commands.demo_deep import deep_network_demo
    from autograd_lite.commands.demo_graph import graph_demo

    graph_demo(args.out, values={"a": args.a, "b": args.b, "c": args.c})
    print()

    result = deep_network_demo(progress=not args.no_progress)
    return 0 if result.passed else 1
