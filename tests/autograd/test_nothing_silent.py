"""Nothing silent in the engine: ways a user could get a wrong number without an
error get the right answer or a clear error instead (Python protocols, conversions
that would drop a graph, a failed backward, empty axes, numpy scalar constants,
the aux of a transform)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import autograd as ag
from autograd import Value

# --- Python protocols, as numpy and PyTorch have them ---------------------------------


@pytest.mark.parametrize("data", [2.5, np.array(2.5)])
def test_iterating_over_a_zero_d_value_raises_as_numpy_does(data: Any) -> None:
    s = Value(data)
    with pytest.raises(TypeError, match="iteration over a 0-d Value"):
        list(s)
    with pytest.raises(TypeError, match="iteration over a 0-d Value"):
        sum(s)  # type: ignore[call-overload]


def test_iterating_over_a_vector_gives_its_elements_as_values_in_the_graph() -> None:
    v = Value(np.array([1.0, 2.0, 3.0]))
    items = list(v)
    assert len(items) == 3 and all(isinstance(i, Value) for i in items)
    sum(items, Value(0.0)).backward()
    np.testing.assert_array_equal(v.grad, [1.0, 1.0, 1.0])


@pytest.mark.parametrize("data", [0.123456, np.array([0.123456]), np.float32(0.123456)])
def test_format_specs_and_round_work_on_one_element_values(data: Any) -> None:
    v = Value(data)
    assert f"{v:.3f}" == "0.123" and format(v, ".1e") == "1.2e-01"
    assert round(v, 2) == 0.12 and round(Value(np.array(2.6))) == 3
    assert f"{v}" == str(v)


def test_a_format_spec_on_many_elements_is_refused_as_numpy_refuses_it() -> None:
    with pytest.raises(TypeError, match="format"):
        f"{Value(np.ones(3)):.2f}"


# --- conversions that would drop a graph ----------------------------------------------


def test_value_of_a_list_of_values_that_need_gradients_points_to_stack() -> None:
    a, b = Value(1.0), Value(2.0)
    with pytest.raises(TypeError, match=r"autograd\.stack"):
        Value([a, b])
    with pytest.raises(TypeError, match=r"autograd\.stack"):
        Value([[a], [b]])
    # constants carry no graph: their numbers are taken, as numpy takes them
    c = Value(3.0, requires_grad=False)
    np.testing.assert_array_equal(Value([c, 4.0]).data, [3.0, 4.0])


def test_an_op_given_a_list_of_values_points_to_stack() -> None:
    a, b = Value(1.0), Value(2.0)
    with pytest.raises(TypeError, match=r"autograd\.stack"):
        ag.exp([a, b])
    with pytest.raises(TypeError, match=r"autograd\.stack"):
        Value(np.ones(2)) * [a, b]


def test_a_layer_given_a_list_of_values_points_to_stack() -> None:
    import nn

    a, b = Value(1.0), Value(2.0)
    with pytest.raises(TypeError, match=r"autograd\.stack"):
        nn.Linear(2, 1)([a, b])
    out = nn.Linear(2, 1)(ag.stack([a, b]))
    out.sum().backward()
    assert a.grad is not None and b.grad is not None


def test_a_numpy_function_on_a_value_names_the_engines_function() -> None:
    v = Value(np.array([0.5, 1.0]))
    with pytest.raises(TypeError, match=r"autograd\.exp"):
        np.exp(v)
    with pytest.raises(TypeError, match=r"autograd\.maximum"):
        np.maximum(v, 0.0)
    # numpy's arithmetic operators on an array and a Value still reach Value's own
    w = np.array([2.0, 3.0]) * v
    assert isinstance(w, Value) and w.requires_grad


# --- a failed backward changes nothing --------------------------------------------------


def test_a_second_backward_through_a_released_graph_leaves_every_grad_as_it_was() -> None:
    x = Value(2.0)
    y = x * 3.0
    y.backward()
    grads = (x.grad, y.grad)
    with pytest.raises(ag.GraphReleasedError):
        y.backward()
    assert (x.grad, y.grad) == grads == (3.0, 1.0)


def test_a_backward_that_fails_half_way_leaves_every_grad_as_it_was() -> None:
    a, b, d = Value(np.ones(2)), Value(np.ones(2)), Value(np.ones(2))
    d.grad = np.full(2, 5.0)  # from an earlier backward
    c = a * 2.0
    y = (c * b + d * 2.0).sum()  # backward reaches d before c * b
    b.data = np.zeros(2)  # changed after c * b read it: the backward fails there
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()
    assert a.grad is None and b.grad is None
    np.testing.assert_array_equal(d.grad, [5.0, 5.0])


# --- empty axes --------------------------------------------------------------------------


def test_logsumexp_softmax_and_log_softmax_over_an_empty_axis_follow_numpy() -> None:
    x = Value(np.zeros((2, 0)))
    np.testing.assert_array_equal(ag.logsumexp(x, axis=-1).data, [-np.inf, -np.inf])
    assert ag.softmax(x, axis=-1).shape == (2, 0)
    assert ag.log_softmax(x, axis=-1).shape == (2, 0)
    ag.softmax(x, axis=-1).sum().backward()
    assert x.grad.shape == (2, 0)


# --- numpy scalar constants at scalar level ------------------------------------------------


@pytest.mark.parametrize("constant", [np.float32(2.0), np.float16(2.0), np.int64(2)])
def test_a_numpy_scalar_constant_keeps_the_scalar_level_in_python_floats(constant: Any) -> None:
    x = Value(1.5)
    for y in (x * constant, constant * x, x + constant, x**constant, constant - x):
        assert type(y.data) is float
    (x * constant).backward()
    assert type(x.grad) is float and x.grad == 2.0


def test_a_numpy_scalar_constant_keeps_a_tensors_dtype() -> None:
    x = Value(np.ones(2, dtype=np.float32))
    assert (x * np.float32(2.0)).dtype == np.float32


# --- transforms --------------------------------------------------------------------------------


def test_value_and_grad_gives_aux_without_a_graph_as_it_gives_the_value() -> None:
    def f(x: Value) -> tuple[Value, dict[str, Any]]:
        h = x * 2.0
        return h.sum(), {"h": h, "n": 3}

    (value, aux), g = ag.value_and_grad(f, has_aux=True)(np.array([1.0, 2.0]))
    assert type(value) is not Value and not isinstance(aux["h"], Value)
    np.testing.assert_array_equal(g, [2.0, 2.0])
    np.testing.assert_array_equal(aux["h"], [2.0, 4.0])
    assert aux["n"] == 3 and math.isclose(value, 6.0)


def test_float_of_a_value_that_requires_grad_gives_its_number() -> None:
    # As PyTorch's float(tensor): the number, outside the graph (documented).
    assert float(Value(np.array([0.25]))) == 0.25
