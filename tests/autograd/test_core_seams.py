"""The seams between the core's modules: what a node holds (node.py), the one recording
path (record.py), the table and its exports (primitives.py, ops/), Value's operators
(operators.py) and the chain-rule loop (backprop.py)."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest

import autograd as ag
from autograd import Value, backprop, record
from autograd.node import CLOCK, Node, inputs_first, inputs_of, keywords_of


def test_a_recorded_node_names_its_primitive_inputs_and_keywords() -> None:
    x = Value(np.ones((2, 3)))
    y = x.sum(axis=0)
    assert y._op is ag.OPS["sum"] and y._inputs == (x,)
    assert y._kwargs == {"axis": 0, "keepdims": False} and keywords_of(y) == y._kwargs
    z = x * 2.0
    assert inputs_of(z) == (x, 2.0) and keywords_of(z) is None
    assert z._requires_grad and not z._retains_grad and z._version == CLOCK.now
    assert x._op is None and x._inputs == () and inputs_of(x) == ()


def test_apply_on_raw_data_gives_raw_data_and_on_constants_a_constant() -> None:
    assert record.apply(ag.OPS["mul"], (2.0, 3.0), {}) == 6.0
    c = Value(2.0, requires_grad=False)
    out = c * 3.0
    assert type(out) is Value and not out.requires_grad and out.is_leaf
    with ag.no_grad():
        w = Value(1.0) * 3.0
    assert not w.requires_grad and w.is_leaf


def test_operations_on_a_subclass_make_plain_values() -> None:
    class Tagged(Value):
        pass

    t = Tagged(2.0)
    assert type(t * 3.0) is Value and type(t + t) is Value and type(ag.exp(t)) is Value


def test_data_changes_tick_the_clock_and_only_the_changed_value_gets_the_new_version() -> None:
    a, b = Value(1.0), Value(2.0)
    c = a * b
    before = CLOCK.now
    a.data = 5.0
    assert a._version == CLOCK.now == before + 1 and b._version <= c._version
    with pytest.raises(RuntimeError, match="'mul' node"):
        c.backward()


def test_a_node_unpickled_from_a_process_with_a_later_clock_moves_this_clock_on() -> None:
    v = Value(1.0)
    v._version = CLOCK.now + 1000
    copy = pickle.loads(pickle.dumps(v))
    assert CLOCK.now >= copy._version


def test_inputs_first_lists_each_value_after_its_inputs() -> None:
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    assert inputs_first([d, c, b, a]) == [a, b, c, d]


def test_every_engine_primitive_is_exported_by_its_name_and_nothing_else_is() -> None:
    builtin = {name for name, op in ag.OPS.items() if op.builtin}
    assert set(ag.ops.__all__) == builtin
    for name in builtin:
        assert getattr(ag, name) is ag.OPS[name] and name in ag.__all__
    users = ag.Primitive("test_not_exported", lambda x: x * 2.0)
    assert not users.builtin and "test_not_exported" not in ag.ops.__all__


def test_a_variadic_primitive_takes_one_list_or_its_inputs_in_turn() -> None:
    a, b = Value(np.ones(2)), Value(np.zeros(2))
    np.testing.assert_array_equal(ag.concatenate([a, b]).data, [1, 1, 0, 0])
    np.testing.assert_array_equal(ag.concatenate(a, b).data, [1, 1, 0, 0])
    with pytest.raises(TypeError, match="stack: expects a non-empty list"):
        ag.stack([])


def test_where_gives_its_condition_a_zero_gradient() -> None:
    cond = Value(np.array([1.0, 0.0]))
    a, b = Value(np.array([2.0, 3.0])), Value(np.array([4.0, 5.0]))
    ag.where(cond, a, b).sum().backward()
    np.testing.assert_array_equal(cond.grad, [0.0, 0.0])
    np.testing.assert_array_equal(a.grad, [1.0, 0.0])
    np.testing.assert_array_equal(b.grad, [0.0, 1.0])


@pytest.mark.parametrize("other", ["text", None, object()])
def test_an_operand_that_is_no_number_gets_pythons_own_type_error(other: Any) -> None:
    with pytest.raises(TypeError, match="unsupported operand"):
        Value(1.0) + other
    with pytest.raises(TypeError, match="Value"):  # Python's words, or the str's own
        other * Value(np.ones(2))


def test_operators_convert_lists_and_numpy_float64_and_refuse_complex() -> None:
    v = Value(np.ones(2, dtype=np.float32))
    assert (v * np.float64(2.0)).dtype == np.float32  # taken as the Python float it is
    np.testing.assert_array_equal((Value(1.0) + [1, 2]).data, [2.0, 3.0])  # noqa: RUF005
    with pytest.raises(TypeError, match="complex"):
        v * 1j


def test_toposort_needs_no_recursion_and_puts_the_root_first() -> None:
    x = Value(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0
    order = backprop.toposort(y)
    assert order[0] is y and order[-1] is x and len(order) == 5001


def test_fit_sums_a_broadcast_gradient_back_and_names_a_gradient_that_cannot_fit() -> None:
    b = Value(np.zeros(3, dtype=np.float32))
    g = backprop.fit(np.ones((4, 3)), b)
    assert g.shape == (3,) and g.dtype == np.float32 and np.all(g == 4)
    node = Value(np.zeros(3)) + b
    with pytest.raises(ValueError, match="'add' node gave its input 1"):
        backprop.fit(np.ones((4, 2)), b, node, 1)


def test_a_leaf_never_keeps_an_array_it_does_not_own() -> None:
    # add passes one gradient on to both inputs unchanged, and grad= belongs to the
    # caller: each leaf gets an array of its own.
    a, b = Value(np.ones(3)), Value(np.ones(3))
    seed = np.full(3, 2.0)
    (a + b).backward(seed)
    assert a.grad is not b.grad and a.grad is not seed and b.grad is not seed
    a.grad *= 0.0
    np.testing.assert_array_equal(b.grad, seed)


def test_a_released_node_keeps_its_name_and_frees_what_its_forward_saved() -> None:
    z = Value(np.zeros((2, 3)))
    loss = ag.softmax_cross_entropy(z, np.array([0, 2]))
    assert "saved" in loss._kwargs
    loss.backward()
    assert loss.op == "softmax_cross_entropy" and loss._op is loss._op.live.released
    assert not loss._kwargs or "saved" not in loss._kwargs
    with pytest.raises(ag.GraphReleasedError):
        loss.backward()


def test_node_is_the_only_base_of_value_and_declares_every_field() -> None:
    assert Value.__mro__[1] is Node and Value.__slots__ == ()
    fields = {"_data", "grad", "_op", "_inputs", "_kwargs", "_requires_grad", "_version"}
    assert fields <= set(Node.__slots__)
