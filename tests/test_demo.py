"""The README's first example and the demo command."""

import autograd_lite as al
from autograd_lite.cli import main
from autograd_lite.commands.demo import computation_graph_demo


def test_J_equals_3_times_a_plus_bc():
    a = al.Tensor(5.0, requires_grad=True, name="a")
    b = al.Tensor(3.0, requires_grad=True, name="b")
    c = al.Tensor(2.0, requires_grad=True, name="c")
    J = 3 * (a + b * c)
    J.backward()
    # Hand-derived: dJ/da = 3, dJ/db = 3c, dJ/dc = 3b.
    assert J.item() == 33.0
    assert (a.grad.item(), b.grad.item(), c.grad.item()) == (3.0, 6.0, 9.0)


def test_demo_command_prints_every_derivative(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    # Issue 14: demo writes the derivation of `graph` (its own hand-written lines are gone).
    assert "  J = 3*v = 33" in out.splitlines()
    for line in ("dJ/da = dJ/dv * 1 = 3 * 1 = 3", "= 6", "= 9"):
        assert line in out


def test_demo_and_graph_print_the_same_derivation(capsys):
    """One derivation for both commands: the demo's lines are graph's, word for word."""
    computation_graph_demo(1.0, -2.0, 0.5)  # what `demo --a 1 --b -2 --c 0.5` prints first
    demo = capsys.readouterr().out.splitlines()
    assert main(["graph", "J = 3*(a + b*c)", "a=1", "b=-2", "c=0.5"]) == 0
    graph = capsys.readouterr().out.splitlines()
    start = demo.index(graph[0])
    assert demo[start:start + len(graph)] == graph
    # The numbers, against the hand-derived dJ/da = 3, dJ/db = 3c, dJ/dc = 3b.
    assert "  dJ/da = 3" in graph and "  dJ/db = 1.5" in graph and "  dJ/dc = -6" in graph
    assert "  dJ/dc = dJ/du * b = 3 * (-2) = -6" in graph
