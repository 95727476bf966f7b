"""The course's two commonest slips warn by default, with the fix, on the user's line.

1. A (1, m) and a Y (m, 1): ``A - Y`` broadcasts to (m, m) (al.BroadcastWarning).
2. ``w = w - lr * w.grad``: w becomes a non-leaf whose ``.grad`` is None
   (al.NonLeafGradWarning, as PyTorch warns).

Correct course code never sees either.
"""

from __future__ import annotations

import copy
import inspect
import warnings

import numpy as np
import pytest

import autograd_lite as al
import visualize
from autograd_lite import data, nn, optim
from autograd_lite.cli import main

TRAPS = (al.BroadcastWarning, al.NonLeafGradWarning)


def _line_of(marker: str, function) -> int:
    lines, start = inspect.getsourcelines(function)
    return start + next(i for i, line in enumerate(lines) if marker in line)


# ------------------------------------------------------------------ 1. the transposed Y

def test_a_minus_a_transposed_y_warns_with_the_op_the_shapes_and_the_fix():
    A = al.Tensor(np.full((1, 4), 0.5), requires_grad=True)
    Y = np.array([[1.0], [0.0], [1.0], [0.0]])  # (m, 1): should be (1, m)

    def cost():
        return ((A - Y) ** 2).mean()  # the trap

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        J = cost()
    assert J.shape == ()  # it still computes (what NumPy computes): only a warning
    assert len(caught) == 1
    w = caught[0]
    assert w.category is al.BroadcastWarning and issubclass(w.category, UserWarning)
    assert w.filename == __file__ and w.lineno == _line_of("the trap", cost)
    message = str(w.message)
    for text in ("sub: (1, 4) and (4, 1) broadcast to (4, 4)",
                 "same shape", "transpose the (4, 1) one (Y.T)",
                 "reshape it to (1, 4) (Y.reshape(1, -1))",
                 "warnings.filterwarnings('ignore', category=al.BroadcastWarning)"):
        assert text in message, text


@pytest.mark.parametrize("name, make", [
    ("add", lambda A, Y: A + Y),
    ("sub", lambda A, Y: Y - A),  # the array on the left: the reflected operator
    ("mul", lambda A, Y: A * al.Tensor(Y)),
    ("div", lambda A, Y: A / Y),
    ("pow", lambda A, Y: A ** Y),
    ("maximum", lambda A, Y: al.maximum(A, Y)),
    ("minimum", lambda A, Y: al.minimum(Y, A)),
    ("where", lambda A, Y: al.where(np.ones((3, 3), bool), A, Y)),
])
def test_every_elementwise_op_of_two_operands_warns(name, make):
    A = al.Tensor(np.full((1, 3), 0.5), requires_grad=True)
    Y = np.full((3, 1), 2.0)
    with pytest.warns(al.BroadcastWarning, match=rf"^{name}: \((1, 3|3, 1)\) and"):
        out = make(A, Y)
    assert out.shape == (3, 3)


def test_the_warning_is_shown_once_per_line_of_user_code():
    A = al.Tensor(np.ones((1, 3)), requires_grad=True)
    Y = np.ones((3, 1))

    def loop():
        for _ in range(5):
            (A - Y).sum()  # first line
            (A * Y).sum()  # second line

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")  # Python's default action: once per location
        loop()
        loop()
    assert [w.lineno for w in caught] == [_line_of("first line", loop),
                                         _line_of("second line", loop)]


def test_inside_a_library_function_the_warning_points_at_the_callers_line():
    A = al.Tensor(np.ones((1, 3)), requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        al.maximum(A, np.ones((3, 1)))  # via ops
    assert caught[0].filename == __file__


def test_the_warning_follows_the_filters_to_silence_it_or_make_it_an_error():
    A = al.Tensor(np.ones((1, 3)), requires_grad=True)
    Y = np.ones((3, 1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=al.BroadcastWarning)
        A - Y
    assert caught == []
    with warnings.catch_warnings():
        warnings.simplefilter("error", al.BroadcastWarning)
        with pytest.raises(al.BroadcastWarning):
            A - Y


@pytest.mark.parametrize("a, b", [
    ((3, 5), (3, 1)),  # Z + b: b broadcast over the m columns
    ((1, 5), (1, 5)),  # A - Y the right way
    ((1, 1), (4, 4)),  # a number as a (1, 1)
    ((1, 1), (1, 1)),
    ((1, 3), (2, 1)),  # an outer product, but not a transposed Y (strict_shapes warns)
    ((5,), (5, 1)),  # rank 1: strict_shapes' RankOneWarning
    ((2, 1, 3), (2, 3, 1)),  # not 2-D
    ((), (4, 1)),
])
def test_no_warning_for_other_shapes(a, b):
    x = al.Tensor(np.ones(a), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x + np.ones(b)
        x * al.Tensor(np.ones(b))
        np.ones(b) - x
        al.maximum(x, np.ones(b))


def test_strict_shapes_does_not_warn_twice_and_keeps_its_wider_check():
    A = al.Tensor(np.ones((1, 3)), requires_grad=True)
    with warnings.catch_warnings(record=True) as caught, al.strict_shapes():
        warnings.simplefilter("always")
        A - np.ones((3, 1))
        A - np.ones((2, 1))
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2
    assert messages[0].startswith("sub: (1, 3) and (3, 1) broadcast to (3, 3)")
    assert messages[1].startswith("sub: broadcasting (1, 3) with (2, 1) gave (2, 3)")


# ------------------------------------------------------------------ 2. .grad of a non-leaf

def test_the_w_equals_w_minus_lr_grad_slip_warns_with_the_fix():
    X, Y = np.array([[1.0, 2.0, -1.0]]), np.array([[1.0, 0.0, 1.0]])

    def train():
        w = al.Tensor([[0.1]], requires_grad=True)
        for _ in range(2):
            J = nn.binary_cross_entropy(al.sigmoid(w.T @ X), Y)
            J.backward()
            w = w - 0.1 * w.grad  # the slip

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(TypeError):  # 0.1 * None, in the user's own line
            train()
    assert len(caught) == 1
    w = caught[0]
    assert w.category is al.NonLeafGradWarning and issubclass(w.category, UserWarning)
    assert w.filename == __file__ and w.lineno == _line_of("the slip", train)
    message = str(w.message)
    for text in (".grad of this tensor (shape (1, 1)) is None", "made by an op (sub)",
                 "retain_grad()", "`w = w - lr * w.grad`", "optim.SGD([w], lr).step()",
                 "`w.data -= lr * w.grad`", "no_grad()"):
        assert text in message, text


def test_the_warning_names_a_named_tensor():
    b = al.Tensor(2.0, requires_grad=True) * 3.0
    b.name = "b"
    with pytest.warns(al.NonLeafGradWarning, match=r"\.grad of 'b' \(shape \(\)\) is None"
                      r".*`b = b - lr \* b\.grad`"):
        assert b.grad is None


def test_no_warning_where_grad_is_kept():
    x = al.Tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad is None  # a leaf before backward: None, quietly
        y = (x * 2).retain_grad()
        assert y.grad is None  # retains: filled by the next backward
        z = y * y
        J = z.sum()
        J.backward()
        np.testing.assert_array_equal(y.grad, 2 * y.data)
        np.testing.assert_array_equal(x.grad, 8 * x.data)
        z.grad = np.ones(2)  # set by hand: read back as it is
        assert z.grad is not None
        J.zero_grad()  # walks every node: reads through the slot
        copy.deepcopy(J)
        with al.no_grad():
            n = x * 2  # not recorded: a leaf
        assert n.grad is None


def test_correct_course_code_sees_neither_warning():
    X, Y = data.planar_flower(m=40)
    with warnings.catch_warnings():
        for category in TRAPS:
            warnings.simplefilter("error", category)
        # Week 2, by hand: w (n_x, 1), b a number, A (1, m), the update in place.
        w = al.Tensor(np.zeros((2, 1)), requires_grad=True)
        b = al.Tensor(0.0, requires_grad=True)
        for _ in range(3):
            A = al.sigmoid(w.T @ X + b)
            J = -(Y * al.log(A) + (1 - Y) * al.log(1 - A)).mean()
            J.backward()
            w.data -= 0.1 * w.grad
            b.data -= 0.1 * b.grad
            w.grad = b.grad = None
        # The library's way, every loss, and the pictures of a graph.
        for loss, output, rows in ((nn.binary_cross_entropy, "sigmoid", 1),
                                   (nn.squared_error, None, 1), (nn.cross_entropy, None, 2)):
            Yk = np.vstack([Y, 1 - Y]) if rows == 2 else Y
            model = nn.MLP([2, 4, rows], hidden="relu", output=output, seed=0)
            nn.fit(model, X, Yk, loss, optim.Adam(model, lr=0.01), 3, batch_size=16,
                   progress=False)
            model.predict(X)
        visualize.draw_graph(J)
        assert main(["graph", "J = 3*(a + b*c)", "a=5", "b=3", "c=2"]) == 0
