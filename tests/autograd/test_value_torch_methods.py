"""Value's PyTorch-named methods: argmax / argmin (plain indices, no graph; numpy's
``axis``/``keepdims`` or PyTorch's ``dim``/``keepdim``), tolist, and requires_grad_
(PyTorch's rules: a leaf's flag changes, a computed Value's cannot be turned off)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Value

M = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]])


# --- argmax / argmin ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_arg_extremes_are_numpys(name: str, axis: int | None, keepdims: bool) -> None:
    v = Value(M)
    got = getattr(v, name)(axis, keepdims)
    expected = getattr(np, name)(M, axis=axis, keepdims=keepdims)
    if np.ndim(expected) == 0:
        assert type(got) is int and got == expected  # a plain Python int, as an index
    else:
        assert isinstance(got, np.ndarray) and got.dtype.kind == "i"
        np.testing.assert_array_equal(got, expected)
        assert got.shape == expected.shape
    assert getattr(v, name)(dim=axis, keepdim=keepdims) == pytest.approx(got)


def test_argmax_values() -> None:
    v = Value(M)
    assert v.argmax() == 3 and v.argmin() == 4  # flat indices, as numpy and PyTorch
    np.testing.assert_array_equal(v.argmax(axis=1), [1, 0])  # the first of a tie
    np.testing.assert_array_equal(v.argmin(dim=0), [0, 1, 0])
    assert v.argmax(dim=1, keepdim=True).shape == (2, 1)
    assert Value(np.array([1.0, np.nan, 3.0])).argmax() == 1  # nan counts as the largest
    assert Value(np.float32(2.5)).argmax() == 0  # 0-d
    assert Value(2.5).argmin() == 0  # scalar level
    logits = Value(np.random.default_rng(0).normal(size=(4, 10)).astype(np.float32))
    predictions = logits.argmax(axis=1)
    assert predictions.dtype == np.intp  # usable as labels and indices at once
    np.testing.assert_array_equal(logits.data[np.arange(4), predictions], logits.data.max(axis=1))


def test_arg_extremes_record_nothing() -> None:
    x = Value(M)
    y = x * 2.0
    i = y.argmax(axis=0)
    assert not isinstance(i, Value)
    y.sum().backward()  # the graph is untouched by the index
    np.testing.assert_array_equal(x.grad, np.full(M.shape, 2.0))


def test_arg_extreme_errors() -> None:
    v = Value(M)
    with pytest.raises(TypeError, match=r"argmax: got axis=0 and dim=1; give one, not both"):
        v.argmax(0, dim=1)
    with pytest.raises(
        np.exceptions.AxisError, match=r"argmin: axis 2 is out of range .* \(2, 3\)"
    ):
        v.argmin(axis=2)
    with pytest.raises(TypeError, match=r"argmax: axis must be an int or None, got float"):
        v.argmax(axis=1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"argmax: the Value is empty \(shape \(0,\)\)"):
        Value(np.zeros(0)).argmax()


# --- tolist ---------------------------------------------------------------------------


def test_tolist() -> None:
    assert Value(M).tolist() == [[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]]
    nested = Value(np.arange(8.0, dtype=np.float32).reshape(2, 2, 2)).tolist()
    assert nested == [[[0.0, 1.0], [2.0, 3.0]], [[4.0, 5.0], [6.0, 7.0]]]
    assert type(nested[1][1][1]) is float  # Python numbers, not numpy's
    zero_d = Value(np.array(1.5, dtype=np.float32)).tolist()
    assert type(zero_d) is float and zero_d == 1.5
    assert Value(-2.0).tolist() == -2.0 and type(Value(-2.0).tolist()) is float
    assert Value(np.zeros((0, 3))).tolist() == []
    y = Value(M) * 3.0
    assert y.tolist() == (M * 3.0).tolist() and y.op == "mul"  # no graph recorded


# --- requires_grad_ -------------------------------------------------------------------


def test_requires_grad_sets_a_leafs_flag_and_returns_it() -> None:
    x = Value(np.ones(3), requires_grad=False)
    assert x.requires_grad_() is x and x.requires_grad
    (x * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])
    assert x.requires_grad_(False) is x and not x.requires_grad
    assert not (x * 2.0).requires_grad  # a constant now: nothing is recorded
    s = Value(3.0).requires_grad_(False)
    assert not s.requires_grad and s.tolist() == 3.0


def test_requires_grad_on_computed_values_follows_pytorch() -> None:
    x = Value(np.ones(3))
    y = x * 2.0
    assert y.requires_grad_() is y and y.requires_grad  # already does: nothing changes
    with pytest.raises(RuntimeError, match=r"requires_grad_: only a leaf's flag .* 'mul'"):
        y.requires_grad_(False)
    assert y.requires_grad
    with autograd.no_grad():
        z = x * 2.0
    assert z.is_leaf and z.requires_grad_() is z and z.requires_grad  # as PyTorch's leaves
    with pytest.raises(TypeError, match=r"requires_grad_: requires_grad must be a bool, got int"):
        x.requires_grad_(1)  # type: ignore[arg-type]


def test_requires_grad_on_a_parameter() -> None:
    p = nn.Parameter(np.ones(2))
    assert p.requires_grad_(False) is p and not p.requires_grad
    assert p.requires_grad_(True).requires_grad
