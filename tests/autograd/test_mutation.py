"""The mutation contract: a change to data that a recorded rule will read is refused
at the write or detected at backward, never turned into a wrong gradient.

- The arrays a live recorded node reads (its inputs' data, raw constant arrays, its
  own output) are read-only until backward releases the node or the graph is dropped
  (autograd/frozen.py): an in-place write, announced or not, fails at the write.
- Every assignment to `.data` ticks the Value's version; backward refuses a node whose
  input, or whose own output, was assigned after the node was computed.
- `Value(array)` copies the array (the engine owns its data): writing the caller's
  array afterwards changes nothing in the graph, and an optimizer's step never
  writes into it.
- `detach()` shares the array, as PyTorch's does; while a graph reads it, neither
  Value can write it, and an optimizer's step gives the original a new array.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import autograd as ag
import nn
from autograd import Value

CHANGED = r"changed in place|\.data assigned"

# Every primitive whose rule reads its own output (the list), as a function of x.
READS_OUTPUT = {
    "exp": ag.exp,
    "sqrt": ag.sqrt,
    "tanh": ag.tanh,
    "sigmoid": ag.sigmoid,
    "div": lambda x: 1.0 / x,
    "power": lambda x: 2.0**x,
    "softmax": lambda x: ag.softmax(x),
    "log_softmax": lambda x: ag.log_softmax(x),
    "logsumexp": lambda x: ag.logsumexp(x, keepdims=True),
    "elu": lambda x: ag.elu(x - 1.0),
}


@pytest.mark.parametrize("name", sorted(READS_OUTPUT))
@pytest.mark.parametrize("how", ["assigned", "in place"])
def test_a_nodes_own_output_changed_after_the_forward_is_refused(name: str, how: str) -> None:
    x = Value(np.array([0.5, 1.5]))
    h = READS_OUTPUT[name](x)
    if how == "in place":  # impossible: the array is read-only while the graph lives
        with pytest.raises(ValueError, match="read-only"):
            h.data[...] *= 10
        return
    h.data = h.data * 10
    with pytest.raises(RuntimeError, match=CHANGED):
        (h * 1.0).sum().backward()


def test_the_callers_array_is_never_written_by_the_engine() -> None:
    w0 = np.array([1.0, 2.0, 3.0])
    w = Value(w0)
    (w * w).sum().backward()
    nn.SGD([w], lr=0.1).step()
    np.testing.assert_array_equal(w0, [1.0, 2.0, 3.0])
    np.testing.assert_allclose(w.data, [0.8, 1.6, 2.4])


def test_writing_the_callers_array_after_the_forward_changes_no_gradient() -> None:
    x0 = np.array([1.0, 2.0])
    x = Value(x0)
    y = (x * x).sum()
    x0[0] = 100.0  # the caller's array, not the Value's
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_an_optimizer_step_on_a_value_whose_detached_copy_is_in_a_graph() -> None:
    a = Value(np.array([1.0, 2.0]))
    c = a.detach()
    x = Value(np.array([3.0, 4.0]))
    y = (x * c).sum()
    (a * a).sum().backward()
    nn.SGD([a], lr=0.5).step()  # writes a new array for `a`: c keeps the old one
    with pytest.raises(ValueError, match="read-only"):
        c.data[0] = 5.0  # y's graph reads it
    y.backward()
    np.testing.assert_array_equal(x.grad, [1.0, 2.0])
    np.testing.assert_array_equal(c.data, [1.0, 2.0])


# --- the fuzzer learns mutation ---------------------------------------------------------

UNARY = [ag.tanh, ag.sigmoid, ag.exp, lambda v: v * v, ag.softplus]
BINARY = [lambda a, b: a * b, lambda a, b: a + b, lambda a, b: a - b * 0.5]
CHANGES = [
    "assign",
    "in place, announced",
    "in place, unannounced",
    "caller's array",
    "optimizer step on a source",
]


def _run(leaves: list[Value], steps: list[tuple[int, int, int]]) -> tuple[list[Value], Value]:
    """A random program over `leaves`: each step applies a unary or binary op to nodes
    of the pool; the output sums every node."""
    pool = list(leaves)
    for kind, i, j in steps:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        if kind % 2:
            pool.append(UNARY[kind % len(UNARY)](a))
        else:
            pool.append(BINARY[kind % len(BINARY)](a, b))
    total = pool[0].sum()
    for v in pool[1:]:
        total = total + v.sum()
    return pool, total


def _graph(arrays: list[Any], steps: list[tuple[int, int, int]]) -> tuple[Any, ...]:
    """The program on Values made from `arrays` (which require a gradient) and on
    detached copies of further Values (constants, as a target network's weights)."""
    xs = [Value(a) for a in arrays]
    sources = [Value(np.copy(a) if isinstance(a, np.ndarray) else a) for a in arrays]
    constants = [s.detach() for s in sources]
    pool, out = _run(xs + constants, steps)
    return xs, sources, pool, out


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.sampled_from(["scalar", "tensor"]),
    st.lists(st.floats(-1, 1), min_size=1, max_size=3),
    st.lists(st.tuples(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)), max_size=8),
    st.sampled_from(CHANGES),
    st.integers(0, 99),
)
def test_random_programs_with_a_data_change_give_the_forward_time_gradient_or_raise(
    level: str, numbers: list[float], steps: list[tuple[int, int, int]], change: str, pick: int
) -> None:
    def arrays() -> list[Any]:
        return [np.array([x, -x, 0.5 * x]) if level == "tensor" else x for x in numbers]

    clean_xs, _, _, clean = _graph(arrays(), steps)
    clean.backward()  # the gradient of the data as it was at forward time
    given_arrays = arrays()
    xs, sources, pool, out = _graph(given_arrays, steps)
    try:
        _change(change, pool[pick % len(pool)], given_arrays, sources)
    except ValueError as exc:  # a write into a read-only array: refused at the write
        assert "read-only" in str(exc)
        event(f"{change}: refused at the write")
        return
    # A tensor node that needs a gradient is read by a recorded sum: it cannot change.
    target = pool[pick % len(pool)]
    wrote_in_place = level == "tensor" and change.startswith("in place")
    assert not (wrote_in_place and target.requires_grad), "a write was let through"
    if level == "scalar" and change == "in place, unannounced":
        event(f"{change}: a float cannot change in place")
    try:
        out.backward()
    except RuntimeError as exc:  # detected at backward, with the documented message
        assert "changed in place" in str(exc) or ".data assigned" in str(exc), exc
        event(f"{change}: refused at backward")
        return
    for x, clean_x in zip(xs, clean_xs):
        np.testing.assert_array_equal(x.grad, clean_x.grad)
    event(f"{change}: the forward-time gradient")


def _change(change: str, target: Value, arrays: list[Any], sources: list[Value]) -> None:
    if change == "assign":
        target.data = target.data * 3.0 + 1.0
    elif change == "in place, announced":
        if type(target.data) is float:  # a Python float cannot change in place
            target.data = target.data * 3.0 + 1.0
        else:
            target.data[...] = target.data * 3.0 + 1.0
            target.data_changed()
    elif change == "in place, unannounced":
        if type(target.data) is not float:
            target.data[...] = target.data * 3.0 + 1.0
    elif change == "caller's array":
        for a in arrays:
            if isinstance(a, np.ndarray):
                a[...] = a * 3.0 + 1.0
    else:  # an optimizer's step on the Values the constants were detached from
        for s in sources:
            s.grad = np.ones_like(s.data) if isinstance(s.data, np.ndarray) else 1.0
        nn.SGD(sources, lr=0.5).step()


# --- read-only while a graph reads: when arrays freeze and thaw ---------------------------


def test_an_unannounced_write_between_forward_and_backward_is_refused() -> None:
    x = Value(np.array([1.0, 2.0]))
    y = (x * x).sum()
    with pytest.raises(ValueError, match="read-only"):
        x.data[0] = 5.0
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_the_micrograd_update_works_in_place_after_backward() -> None:
    w = Value(np.array([1.0, 2.0]))
    before = w.data
    (w * w).sum().backward()
    w.data -= 0.1 * w.grad  # the array is writable again: backward released the graph
    assert w.data is before
    np.testing.assert_allclose(w.data, [0.8, 1.6])


def test_a_graph_dropped_without_backward_gives_its_arrays_back() -> None:
    x = Value(np.array([1.0, 2.0]))
    y = ag.tanh(x * 2.0).sum()
    assert not x.data.flags.writeable
    del y
    assert x.data.flags.writeable


def test_retain_graph_keeps_the_arrays_read_only_until_the_graph_goes() -> None:
    x = Value(np.array([1.0, 2.0]))
    y = ag.exp(x).sum()
    y.backward(retain_graph=True)
    with pytest.raises(ValueError, match="read-only"):
        x.data[0] = 5.0
    y.backward()  # the second pass releases it
    x.data[0] = 5.0
    np.testing.assert_allclose(x.grad, 2 * np.exp([1.0, 2.0]))


def test_an_array_read_by_two_graphs_thaws_when_both_are_done() -> None:
    x = Value(np.array([1.0, 2.0]))
    y1, y2 = (x * 3.0).sum(), (x * x).sum()
    y1.backward()
    assert not x.data.flags.writeable  # y2 still reads it
    y2.backward()
    assert x.data.flags.writeable


def test_a_raw_constant_array_is_read_only_while_the_graph_reads_it() -> None:
    c = np.array([3.0, 4.0])
    x = Value(np.array([1.0, 2.0]))
    y = (x * c).sum()
    with pytest.raises(ValueError, match="read-only"):
        c[0] = 100.0
    y.backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])
    c[0] = 100.0  # the caller's array is writable again


def test_what_a_view_views_is_read_only_too() -> None:
    base = Value(np.arange(6.0), requires_grad=False)
    view = base.data.reshape(2, 3)  # taken after: frozen with what it views
    w = Value(np.ones((2, 3)))
    y = (w * Value(view, requires_grad=False)).sum()  # Value() copies: reads its own
    z = (w * base.reshape(2, 3)).sum()  # a constant view of base's array
    with pytest.raises(ValueError, match="read-only"):
        base.data[0] = 100.0
    z.backward()
    y.backward()
    np.testing.assert_array_equal(w.grad, 2 * np.arange(6.0).reshape(2, 3))


def test_an_array_that_was_read_only_stays_so() -> None:
    a = np.array([1.0, 2.0])
    a.flags.writeable = False
    x = Value(np.array([1.0, 2.0]))
    y = (x * a).sum()
    y.backward()
    assert not a.flags.writeable


def test_an_optimizer_step_while_another_graph_reads_the_weights_replaces_the_array() -> None:
    w = Value(np.array([1.0, 2.0]))
    x = Value(np.array([1.0, 1.0]))
    pending = (w * x).sum()  # reads w's array until backward
    (w * w).sum().backward()
    old = w.data
    nn.SGD([w], lr=0.1).step()
    assert w.data is not old  # written into a new array: the old one is still read
    np.testing.assert_array_equal(old, [1.0, 2.0])
    with pytest.raises(RuntimeError, match=CHANGED):  # the assignment is seen
        pending.backward()


def test_a_view_computed_by_an_op_is_writable_again_after_backward() -> None:
    x = Value(np.arange(6.0))
    y = x.reshape(2, 3)  # its data views x's array
    (y * y).sum().backward()
    assert x.data.flags.writeable and y.data.flags.writeable
