"""The mutation contract: a change to data that a recorded rule will read is detected
at backward (or refused at the write), never turned into a wrong gradient.

- Every change of a Value's data ticks its version (`.data = ...`, or
  `data_changed()` after an in-place write); backward refuses a node whose input, or
  whose own output, changed after the node was computed.
- `Value(array)` copies the array (the engine owns its data): writing the caller's
  array afterwards changes nothing in the graph, and an optimizer's step never
  writes into it.
- `detach()` shares the array read-only: a write by hand fails at the write, and an
  optimizer's step gives the original a new array.
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
    if how == "assigned":
        h.data = h.data * 10
    else:
        h.data[...] *= 10
        h.data_changed()
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
    y.backward()
    np.testing.assert_array_equal(x.grad, [1.0, 2.0])
    np.testing.assert_array_equal(c.data, [1.0, 2.0])
    with pytest.raises(ValueError, match="read-only"):
        c.data[0] = 5.0


# --- the fuzzer learns mutation ---------------------------------------------------------

UNARY = [ag.tanh, ag.sigmoid, ag.exp, lambda v: v * v, ag.softplus]
BINARY = [lambda a, b: a * b, lambda a, b: a + b, lambda a, b: a - b * 0.5]
CHANGES = ["assign", "in place, announced", "caller's array", "optimizer step on a source"]


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
    elif change == "caller's array":
        for a in arrays:
            if isinstance(a, np.ndarray):
                a[...] = a * 3.0 + 1.0
    else:  # an optimizer's step on the Values the constants were detached from
        for s in sources:
            s.grad = np.ones_like(s.data) if isinstance(s.data, np.ndarray) else 1.0
        nn.SGD(sources, lr=0.5).step()
