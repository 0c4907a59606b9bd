"""Random-graph fuzzing: expressions of up to 30 operations drawn from the engine's
own table, over mutually broadcastable shapes, checked against finite differences
to first and second order.

Which operations take part is read from `autograd.OPS` (elementwise unary and
binary kinds, reductions, the softmax family), so a new primitive of those kinds
is fuzzed the day it is added. Inputs are kept in each operation's domain by a
smooth map (lo + (hi - lo) * sigmoid(x)), values stay bounded (a tanh squashes
anything that grows past 3), and an example whose evaluation point lies within
1e-3 of a kink (relu at 0, maximum where its inputs meet, ...) is rejected, since
finite differences are meaningless there.

CI runs 500 examples with a fixed seed; `FUZZ_EXAMPLES=20000 pytest
tests/autograd/test_fuzz.py` runs more. Failures that hypothesis shrinks are kept
as regular tests at the bottom of this file.
"""

from __future__ import annotations

import inspect
import os
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import autograd as ag
from autograd import OPS, Value
from autograd.testing import gradcheck, gradgradcheck
from autograd.testing import strategies as S

KINK_MARGIN = 1e-3
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "500" if os.environ.get("CI") else "100"))

UNARY = sorted(n for n, op in OPS.items() if op.check.kind == "unary")
BINARY = sorted(n for n, op in OPS.items() if op.check.kind == "binary")
REDUCE = sorted(n for n, op in OPS.items() if op.check.kind == "reduction")
SOFT = sorted(n for n, op in OPS.items() if op.check.kind == "softmax")


def _step_strategy() -> st.SearchStrategy[tuple[str, str, int, int, int]]:
    """(kind, op name, first operand index, second operand index, kwargs choice)."""
    idx = st.integers(0, 10_000)
    return st.one_of(
        st.tuples(st.just("unary"), st.sampled_from(UNARY), idx, idx, idx),
        st.tuples(st.just("binary"), st.sampled_from(BINARY), idx, idx, idx),
        st.tuples(st.just("reduction"), st.sampled_from(REDUCE), idx, idx, idx),
        st.tuples(st.just("softmax"), st.sampled_from(SOFT), idx, idx, idx),
    )


@st.composite
def programs(draw: st.DrawFn) -> tuple[list[Any], list[tuple[str, str, int, int, int]]]:
    n_inputs = draw(st.integers(1, 3))
    if draw(st.booleans()):
        shapes = [()] * n_inputs  # scalar level: Python floats
        inputs: list[Any] = [draw(S.floats(-2, 2)) for _ in shapes]
    else:
        shapes = draw(S.broadcastable_shapes(n_inputs, max_dims=2, max_side=3))
        inputs = [draw(S.arrays(s, lo=-2, hi=2)) for s in shapes]
    steps = draw(st.lists(_step_strategy(), min_size=1, max_size=30))
    return inputs, steps


class Rejected(Exception):
    """The evaluation point sits on a kink: finite differences do not apply."""


def _into_domain(x: Any, lo: float, hi: float) -> Any:
    if (lo, hi) == (-3.0, 3.0):
        return x
    return lo + (hi - lo) * ag.sigmoid(x)


def _near(a: Any, points: tuple[float, ...]) -> bool:
    d = np.asarray(a.data if isinstance(a, Value) else a)
    return any(np.any(np.abs(d - p) < KINK_MARGIN) for p in points)


def _apart(a: Any, b: Any) -> bool:
    da = np.asarray(a.data if isinstance(a, Value) else a)
    db = np.asarray(b.data if isinstance(b, Value) else b)
    return bool(np.all(np.abs(da - db) > KINK_MARGIN))


def _distinct(x: Any, axis: Any) -> bool:
    """No two elements that one max/min compares are within the margin."""
    d = np.asarray(x.data if isinstance(x, Value) else x)
    d = np.sort(d.ravel()) if axis is None else np.sort(d, axis=axis)
    return bool(np.all(np.abs(np.diff(d, axis=-1)) > KINK_MARGIN))


def run_program(
    inputs: list[Value],
    steps: list[tuple[str, str, int, int, int]],
    plan: list[bool],
    first: bool = False,
) -> Value:
    """Evaluate the program on `inputs`; the result is a weighted sum (a scalar).

    The first run checks kinks and decides where values need
    squashing, appending those decisions to the plan; later runs (the finite
    differences) follow the plan, so no decision flips between nearby points.
    """
    decisions = plan
    step_no = 0
    pool: list[Any] = list(inputs)
    for kind, name, i, j, k in steps:
        op = OPS[name]
        check = op.check
        a = pool[i % len(pool)]
        domains = check.domains or (check.domain, check.domain)
        if kind == "unary":
            a = _into_domain(a, *check.domain)
            if first and _near(a, check.kinks):
                raise Rejected
            kw = check.kwargs[k % len(check.kwargs)]
            out = op(a, **kw)
        elif kind == "binary":
            b = pool[j % len(pool)]
            a, b = _into_domain(a, *domains[0]), _into_domain(b, *domains[1])
            if first and check.apart and not _apart(a, b):
                raise Rejected
            out = op(a, b)
        elif kind == "reduction":
            if np.ndim(a.data if isinstance(a, Value) else a) == 0:
                continue
            axis = -1 if k % 2 else None
            if first and check.apart and not _distinct(a, axis):
                raise Rejected
            kw: dict[str, Any] = {"axis": axis, "keepdims": True}
            if name == "var" and np.shape(a.data)[-1 if axis == -1 else 0] < 2 and axis == -1:
                continue
            out = op(a, **kw)
        else:  # softmax family along the last axis (logsumexp keeps the axis)
            if np.ndim(a.data if isinstance(a, Value) else a) == 0:
                continue
            keeps = "keepdims" in inspect.signature(op.fn).parameters
            out = op(a, axis=-1, keepdims=True) if keeps else op(a, axis=-1)
        if first:
            decisions.append(bool(np.abs(np.asarray(out.data)).max() > 3))
        if decisions[step_no]:
            out = ag.tanh(out / 3) * 3  # keep values in a range where nothing overflows
        step_no += 1
        pool.append(out)
    total: Any = 0.0
    for n, v in enumerate(pool[len(inputs) :] or pool):
        w = np.linspace(0.5, 1.5, int(np.size(v.data))).reshape(np.shape(v.data))
        total = total + (v * (w if np.ndim(v.data) else float(w)) * (1 + 0.1 * n)).sum()
    return total if isinstance(total, Value) else Value(total)


def check_program(inputs: list[Any], steps: list[tuple[str, str, int, int, int]]) -> None:
    plan: list[bool] = []
    try:
        # Kinks are tested at the forward values; finite differences move them by
        # about 1e-5, well inside the 1e-3 margin.
        run_program([Value(x) for x in inputs], steps, plan, first=True)
    except Rejected:
        assume(False)

    def f(*xs: Value) -> Value:
        return run_program(list(xs), steps, plan)

    gradcheck(f, *inputs, atol=1e-5, rtol=1e-3)
    gradgradcheck(f, *inputs, atol=1e-4, rtol=1e-3)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(programs())
def test_random_programs_match_finite_differences(program: Any) -> None:
    inputs, steps = program
    check_program(inputs, steps)


def test_fuzzer_draws_from_the_ops_table() -> None:
    assert {"tanh", "exp", "log", "relu"} <= set(UNARY)
    assert {"add", "mul", "div", "maximum", "power"} <= set(BINARY)
    assert {"sum", "max", "var"} <= set(REDUCE) and {"softmax", "log_softmax"} <= set(SOFT)


@pytest.mark.parametrize(
    "inputs, steps",
    [
        # A product through a reduction reused twice (the diamond that a topological
        # order must get right).
        ([np.array([0.5, -1.0, 2.0])], [("reduction", "sum", 0, 0, 1), ("binary", "mul", 0, 1, 0)]),
    ],
)
def test_shrunk_examples(inputs: list[Any], steps: list[tuple[str, str, int, int, int]]) -> None:
    check_program(inputs, steps)


@pytest.mark.parametrize("seed", range(12))
def test_thirty_operation_programs(seed: int) -> None:
    """Full-length programs (hypothesis favours short ones), fixed seeds."""
    rng = np.random.default_rng(seed)
    pools = [("unary", UNARY), ("binary", BINARY), ("reduction", REDUCE), ("softmax", SOFT)]
    for _ in range(50):  # skip programs whose evaluation point lands on a kink
        steps = []
        for _ in range(30):
            kind, names = pools[int(rng.integers(len(pools)))]
            name = names[int(rng.integers(len(names)))]
            steps.append((kind, name, *(int(v) for v in rng.integers(0, 1000, 3))))
        inputs = [rng.uniform(-2, 2, (2, 3)), rng.uniform(-2, 2, (3,))]
        plan: list[bool] = []
        try:
            run_program([Value(x) for x in inputs], steps, plan, first=True)
        except Rejected:
            continue
        check_program(inputs, steps)
        return
    pytest.fail("no kink-free program in 50 attempts")


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(programs())
def test_backward_and_gradients_give_the_same_gradients_bit_for_bit(
    program: tuple[list[Any], list[tuple[str, str, int, int, int]]],
) -> None:
    # One chain-rule loop serves both: backward() stores into .grad, gradients()
    # collects. Same order, same additions: the results are identical, not just close.
    inputs, steps = program
    xs = [Value(x) for x in inputs]
    try:
        out = run_program(xs, steps, [], first=True)
    except Rejected:
        assume(False)
    collected = ag.gradients(out, xs, retain_graph=True)
    out.backward()
    for x, g in zip(xs, collected):
        stored = np.zeros_like(g) if x.grad is None else x.grad
        np.testing.assert_array_equal(stored, g)
