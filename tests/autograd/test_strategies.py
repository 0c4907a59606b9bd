"""The hypothesis strategies of `autograd.testing.strategies` produce what they promise."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import find, given
from hypothesis import strategies as st

from autograd import OPS, Primitive
from autograd.ops.base import Check
from autograd.testing import strategies as S


@given(S.floats(-2.0, 0.5))
def test_floats_are_finite_python_floats_in_range(x: float) -> None:
    assert type(x) is float
    assert -2.0 <= x <= 0.5


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@given(data=st.data())
def test_arrays_have_shape_dtype_and_bounds(dtype: Any, data: st.DataObject) -> None:
    shape = data.draw(S.shapes(max_dims=3, max_side=3))
    x = data.draw(S.arrays(shape, dtype, lo=0.2, hi=3.0))
    assert x.shape == shape
    assert x.dtype == dtype
    assert np.all(np.isfinite(x))
    assert np.all((x >= 0.2) & (x <= 3.0))


@given(S.shapes(min_dims=1, max_dims=4, min_side=2, max_side=5, max_size=40))
def test_shapes_respect_their_bounds(shape: tuple[int, ...]) -> None:
    assert 1 <= len(shape) <= 4
    assert all(2 <= n <= 5 for n in shape)
    assert int(np.prod(shape)) <= 40


@given(S.broadcastable_shapes(n=3, max_size=12))
def test_broadcastable_shapes_broadcast(shapes: tuple[tuple[int, ...], ...]) -> None:
    assert len(shapes) == 3
    result = np.broadcast_shapes(*shapes)
    assert int(np.prod(result)) <= 12
    for shape in shapes:  # really usable: arrays of these shapes combine
        np.broadcast_to(np.zeros(shape), result)


def test_broadcastable_shapes_mix_ranks_and_size_one_axes() -> None:
    find(S.broadcastable_shapes(), lambda s: len(s[0]) != len(s[1]))
    # An axis of 1 in one shape meets a longer axis in the other.
    find(
        S.broadcastable_shapes(min_dims=1),
        lambda s: any(a == 1 and b > 1 for a, b in zip(s[0][::-1], s[1][::-1])),
    )


KINKS = (-1.0, 0.0, 0.05, 1.0)


def _distance(x: Any, kinks: tuple[float, ...]) -> Any:
    d = np.asarray(x, dtype=np.float64)
    return np.min(np.abs(d[..., None] - np.asarray(kinks)), axis=-1)


@given(S.floats(-3.0, 3.0))
def test_away_from_keeps_a_float_a_margin_away(x: float) -> None:
    y = S.away_from(x, KINKS, margin=0.1, lo=-3.0, hi=3.0)
    assert type(y) is float
    assert _distance(y, KINKS) >= 0.1
    assert -3.0 <= y <= 3.0
    if _distance(x, KINKS) >= 0.1 * 1.01:  # values already far away stay put
        assert y == x


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@given(data=st.data())
def test_away_from_nudges_arrays_and_strategies(dtype: Any, data: st.DataObject) -> None:
    x = data.draw(S.away_from(S.arrays((3, 4), dtype), KINKS, margin=0.1, lo=-3.0, hi=3.0))
    assert x.shape == (3, 4)
    assert x.dtype == dtype
    assert np.all(_distance(x, KINKS) >= 0.1)
    assert np.all((x >= -3.0) & (x <= 3.0))


def test_away_from_moves_to_the_nearer_edge_inside_the_bounds() -> None:
    assert S.away_from(0.01, (0.0,), margin=0.1) == pytest.approx(0.1, rel=0.01)
    assert S.away_from(-0.01, (0.0,), margin=0.1) == pytest.approx(-0.1, rel=0.01)
    # The nearer edge is outside [lo, hi]: take the other one.
    assert S.away_from(0.2, (0.25,), margin=0.1, lo=0.2) == pytest.approx(0.35, rel=0.01)
    with pytest.raises(ValueError, match="away_from"):
        S.away_from(0.5, (0.5,), margin=0.1, lo=0.45, hi=0.55)


def test_every_op_kind_has_a_builder() -> None:
    missing = {n: op.check.kind for n, op in OPS.items() if op.check.kind not in S.BUILDERS}
    assert not missing


@pytest.mark.parametrize(
    ("name", "level"), [(n, lv) for n in sorted(OPS) for lv in OPS[n].check.levels]
)
@given(data=st.data())
def test_op_inputs_fit_their_op(name: str, level: str, data: st.DataObject) -> None:
    args, kw = data.draw(S.op_inputs(name, level, max_size=12))
    check = OPS[name].check
    values = [
        a for a in args if type(a) is float or (isinstance(a, np.ndarray) and a.dtype.kind == "f")
    ]
    assert values, "every op has a differentiable input"
    for v in values:
        if level == "scalar":
            assert type(v) is float
        elif type(v) is not float:  # binary ops mix in a Python float now and then
            assert v.dtype == np.float64
            assert v.size <= 12
    if level == "tensor" and check.kind != "binary":
        assert all(isinstance(v, np.ndarray) for v in values)
    if check.kinks:
        for v in values:
            assert np.all(_distance(v, check.kinks) >= 0.01)
    if check.kind in ("unary", "binary", "where", "reduction"):
        for i, v in enumerate(values):
            lo, hi = check.domains[i] if check.domains else check.domain
            assert np.all((np.asarray(v) >= lo) & (np.asarray(v) <= hi))
    OPS[name](*args, **kw)  # the keywords fit the generated shapes


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@given(data=st.data())
def test_apart_binary_inputs_never_tie(name: str, data: st.DataObject) -> None:
    (a, b), _ = data.draw(S.op_inputs(name, "tensor"))
    gaps = np.abs(np.ravel(a)[:, None] - np.ravel(b)[None, :])
    assert np.all(gaps >= 0.01)


@pytest.mark.parametrize("name", ["max", "min"])
@given(data=st.data())
def test_apart_reduction_elements_never_tie(name: str, data: st.DataObject) -> None:
    (x,), _ = data.draw(S.op_inputs(name, "tensor"))
    flat = np.ravel(x)
    gaps = np.abs(flat[:, None] - flat[None, :]) + np.eye(flat.size)
    assert np.all(gaps >= 0.01)


@given(data=st.data())
def test_op_inputs_float32(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(n for n in OPS if "tensor" in OPS[n].check.levels)))
    args, _ = data.draw(S.op_inputs(name, "tensor", dtype=np.float32))
    floats = [a for a in args if isinstance(a, np.ndarray) and a.dtype.kind == "f"]
    assert floats
    assert all(a.dtype == np.float32 for a in floats)


def _index_parts(index: Any) -> tuple[Any, ...]:
    return index if isinstance(index, tuple) else (index,)


def test_getitem_indices_cover_numpy_indexing() -> None:
    strategy = S.op_inputs("getitem", "tensor")

    def has(pred: Any) -> Any:
        return lambda ak: any(pred(p) for p in _index_parts(ak[1]["index"]))

    find(strategy, has(lambda p: p is Ellipsis))
    find(strategy, has(lambda p: p is None))
    find(strategy, has(lambda p: isinstance(p, int)))
    find(strategy, has(lambda p: isinstance(p, slice) and p.step is not None and p.step < 0))
    find(strategy, has(lambda p: isinstance(p, np.ndarray) and p.dtype == np.bool_))
    find(
        strategy,
        has(
            lambda p: (
                isinstance(p, np.ndarray) and p.dtype.kind == "i" and len(set(p.ravel())) < p.size
            )
        ),
    )


@given(S.op_inputs("untake", "tensor"))
def test_untake_gradient_has_the_indexed_shape(args_kw: Any) -> None:
    (g,), kw = args_kw
    assert g.shape == np.zeros(kw["shape"])[kw["index"]].shape
    assert kw["dtype"] == g.dtype


def test_op_inputs_errors_are_clear() -> None:
    new_kind = Primitive("brand_new", lambda x: x, Check(kind="brand_new_kind"))
    with pytest.raises(ValueError, match="no input builder for kind 'brand_new_kind'"):
        S.op_inputs(new_kind, "tensor")
    with pytest.raises(ValueError, match="serves levels"):
        S.op_inputs("matmul", "scalar")
    with pytest.raises(ValueError, match="no Check"):
        S.op_inputs(Primitive("bare", lambda x: x), "tensor")
