"""The step-by-step backward pass (explain_backward)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Value
from tests.autograd.debug.graphs import micrograd_expression


def test_explain_backward_micrograd_expression_step_by_step() -> None:
    v = micrograd_expression()
    ex = ag.explain_backward(v["L"])
    assert len(ex) == 3
    expected = [  # node, op, from above, [(input, local derivative, product)]
        ("L", "mul", 1.0, [("d", -2.0, -2.0), ("f", 4.0, 4.0)]),
        ("d", "add", -2.0, [("e", 1.0, -2.0), ("c", 1.0, -2.0)]),
        ("e", "mul", -2.0, [("a", -3.0, 6.0), ("b", 2.0, -4.0)]),
    ]
    for step, (name, op, upstream, inputs) in zip(ex, expected):
        assert step.name == name and step.op == op and step.node is v[name]
        assert step.upstream == pytest.approx(upstream)
        got = [(i.name, i.local, i.contribution) for i in step.inputs]
        assert [g[0] for g in got] == [i[0] for i in inputs]
        for (_, local, product), (_, want_local, want_product) in zip(got, inputs):
            assert local == pytest.approx(want_local)
            assert product == pytest.approx(want_product)
    assert ex.gradients == pytest.approx({"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0})
    lines = str(ex).splitlines()
    for line in [
        "start: dL/dL = 1.0000",
        "step 1: L = d * f   (mul)",
        "  from above   dL/dL = 1.0000",
        "  d  local dL/dd = -2.0000   dL/dd += 1.0000 * -2.0000 = -2.0000",
        "  f  local dL/df = 4.0000    dL/df += 1.0000 * 4.0000 = 4.0000",
        "step 2: d = e + c   (add)",
        "  from above   dL/dd = -2.0000",
        "  e  local dd/de = 1.0000   dL/de += -2.0000 * 1.0000 = -2.0000",
        "  c  local dd/dc = 1.0000   dL/dc += -2.0000 * 1.0000 = -2.0000",
        "step 3: e = a * b   (mul)",
        "  from above   dL/de = -2.0000",
        "  a  local de/da = -3.0000   dL/da += -2.0000 * -3.0000 = 6.0000",
        "  b  local de/db = 2.0000    dL/db += -2.0000 * 2.0000 = -4.0000",
        "result: dL/da = 6.0000, dL/db = -4.0000, dL/dc = -2.0000, dL/df = 4.0000",
    ]:
        assert line in lines
    assert all(x.grad is None for x in v.values())  # .grad untouched


def test_explain_backward_after_backward_matches_engine() -> None:
    x = Value(0.7, name="x")
    y = (x * x + x.sin()).tanh() / 2.0
    ex_before = ag.explain_backward(y)
    y.backward()  # releases the graph; the replay finds the rules in OPS
    ex_after = ag.explain_backward(y)
    assert ex_before.gradients["x"] == pytest.approx(x.grad)
    assert ex_after.gradients["x"] == pytest.approx(x.grad)
    assert str(ex_before) == str(ex_after)


def test_explain_backward_sums_contributions_of_a_shared_node() -> None:
    x = Value(3.0, name="x")
    y = x * x + 2.0 * x
    y.name = "y"
    z = y * y
    z.name = "z"
    ex = ag.explain_backward(z)
    step_y = next(s for s in ex if s.name == "y")
    assert step_y.arrivals == 2 and step_y.upstream == pytest.approx(30.0)
    assert "dz/dy = 30.0000   (sum of 2 contributions)" in str(ex)
    assert "2.0000  constant: no gradient" in str(ex)
    assert ex.gradients["x"] == pytest.approx(2 * 15.0 * (2 * 3.0 + 2.0))


def test_explain_backward_tensors_give_vector_jacobian_products() -> None:
    W = Value(np.array([[1.0, -2.0], [0.5, 3.0]]), name="W")
    y = (W * W).sum()
    ex = ag.explain_backward(y)
    np.testing.assert_allclose(ex.grad(W), 2 * W.data)
    assert "vector-Jacobian product of mul" in str(ex)


def test_explain_backward_refuses_big_graphs_and_non_scalars() -> None:
    x = Value(1.0)
    y = x
    for _ in range(50):
        y = y + 1.0
    with pytest.raises(ValueError, match="max_nodes=40"):
        ag.explain_backward(y)
    assert len(ag.explain_backward(y, max_nodes=100)) == 50
    with pytest.raises(ValueError, match="shape"):
        ag.explain_backward(Value(np.ones(3)) * 2.0)


def test_explain_backward_prints_factors_whose_product_is_the_printed_result():
    p = Value(2.0, name="p")
    text = str(ag.explain_backward((p * p).tanh()))
    # tanh'(4) = 1.341e-3: with fixed decimals it read 0.0013, and 0.0013 * 2 is not 0.0027.
    assert "d(v3)/dp += 1.341e-03 * 2.0000 = 2.682e-03" in text
    assert "2 steps" in text
    assert "1 step," in str(ag.explain_backward(Value(2.0, name="a").tanh()))


def test_explain_backward_after_backward_uses_an_unregistered_primitives_own_rule() -> None:
    # A primitive made with the public Primitive + defvjp is not in the ops table: after
    # backward released the graph, explain must still find its rule (it raised KeyError).
    triple = ag.Primitive("mytriple", lambda x: 3.0 * x)
    triple.defvjp(lambda g, out, x: 3.0 * g)
    x = Value(2.0, name="x")
    y = triple(x)
    y.backward()
    ex = ag.explain_backward(y)
    assert ex[0].op == "mytriple"
    assert ex[0].inputs[0].local == 3.0
    assert ex.gradients == {"x": 3.0} and x.grad == 3.0


def test_explain_backward_after_backward_ignores_a_builtin_of_the_same_name() -> None:
    # Named like the built-in exp but with its own rule: a lookup by name gave exp's
    # derivative (exp(2) * ... = 10.0) where this op's own is 5.0, silently.
    fivefold = ag.Primitive("exp", lambda x: 5.0 * x)
    fivefold.defvjp(lambda g, out, x: 5.0 * g)
    x = Value(2.0, name="x")
    y = fivefold(x)
    before = ag.explain_backward(y)
    y.backward()
    after = ag.explain_backward(y)
    assert before[0].inputs[0].local == after[0].inputs[0].local == 5.0
    assert after.grad(x) == x.grad == 5.0
    assert "+= 1.0000 * 5.0000 = 5.0000" in str(after)
