"""``autograd-lite demo``: the course's first computation graph, J = 3(a + bc)."""

from __future__ import annotations

import argparse
import math

from autograd_lite import Tensor
from autograd_lite.commands import UserError
from autograd_lite.commands.paths import check_output_folder


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--a", type=float, default=5.0, help="value of a (default 5)")
    parser.add_argument("--b", type=float, default=3.0, help="value of b (default 3)")
    parser.add_argument("--c", type=float, default=2.0, help="value of c (default 2)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--out", default="out", help="folder for the pictures (default out)")


def computation_graph_demo(a_value: float, b_value: float, c_value: float) -> None:
    """Forward and backward through u = bc, v = a + u, J = 3v, printing each step."""
    a = Tensor(a_value, requires_grad=True, name="a")
    b = Tensor(b_value, requires_grad=True, name="b")
    c = Tensor(c_value, requires_grad=True, name="c")
    u = b * c
    u.name = "u"
    v = a + u
    v.name = "v"
    J = 3 * v
    J.name = "J"
    for t in (u, v, J):
        t.retain_grad()
    print("The computation graph J = 3(a + bc), forward pass (left to right):")
    print(f"  u = b*c = {b.item():g} * {c.item():g} = {u.item():g}")
    print(f"  v = a + u = {a.item():g} + {u.item():g} = {v.item():g}")
    print(f"  J = 3*v = 3 * {v.item():g} = {J.item():g}")
    J.backward()
    print("Backward pass (right to left), the chain rule:")
    print(f"  dJ/dv = {v.grad.item():g}")
    print(f"  dJ/du = dJ/dv * dv/du = {v.grad.item():g} * 1 = {u.grad.item():g}")
    print(f"  dJ/da = dJ/dv * dv/da = {v.grad.item():g} * 1 = {a.grad.item():g}")
    print(f"  dJ/db = dJ/du * du/db = {u.grad.item():g} * c = {b.grad.item():g}")
    print(f"  dJ/dc = dJ/du * du/dc = {u.grad.item():g} * b = {c.grad.item():g}")


def run(args: argparse.Namespace) -> int:
    for option in ("a", "b", "c"):
        value = getattr(args, option)
        if not math.isfinite(value):
            raise UserError(f"--{option} must be a finite number; got {value}")
    check_output_folder(args.out, "--out")
    computation_graph_demo(args.a, args.b, args.c)
    from autograd_lite.commands.demo_deep import deep_network_demo
    from autograd_lite.commands.demo_graph import graph_demo

    graph_demo(args.out)
    print()

    result = deep_network_demo(progress=not args.no_progress)
    return 0 if result.passed else 1
