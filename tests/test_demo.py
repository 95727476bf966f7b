"""The README's first example and the demo command."""

import autograd_lite as al
from autograd_lite.cli import main


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
    assert "J = 3*v = 3 * 11 = 33" in out
    for line in ("dJ/da = dJ/dv * dv/da = 3 * 1 = 3", "= 6", "= 9"):
        assert line in out
