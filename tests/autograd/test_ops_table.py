"""Table-driven property tests: every primitive of `autograd.OPS`, at every level it serves.

For each primitive and each level in its `check.levels`, hypothesis draws
inputs with `autograd.testing.strategies.op_inputs` and checks that

- the forward value equals a numpy reference implementation (`REFERENCES`,
  one per op: a primitive without a reference fails `test_every_op_has_a_reference`);
- gradcheck passes for the gradient of `(op(*args, **kw) * w).sum()`, with a
  fixed random weight `w` of the output's shape so that each output element
  counts differently;
- gradgradcheck passes when `check.order >= 2`;
- float32 inputs give float32 outputs and float32 gradients (tensor level);
- at scalar level outputs and gradients are exactly Python floats.

Only differentiable inputs (floats and float arrays) become Values; the rest
(where's condition) stay raw. A new primitive is tested the day it is added:
it needs a reference here and an input builder for its kind in the strategies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import OPS, Value
from autograd.testing import gradcheck, gradgradcheck
from autograd.testing.strategies import op_inputs


def _sum_to(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    lead = x.ndim - len(shape)
    r = x.sum(axis=tuple(range(lead)))
    return r.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True)


def _untake(g: Any, index: Any, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    # Where each element of x[index] comes from, as flat positions; sum g into them.
    where = np.arange(int(np.prod(shape)), dtype=np.intp).reshape(shape)[index]
    flat = np.bincount(np.ravel(where), weights=np.ravel(g), minlength=int(np.prod(shape)))
    return flat.reshape(shape).astype(dtype)


def _logsumexp(x: Any, axis: Any = -1, keepdims: bool = False) -> Any:
    return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))


def _softmax(x: Any, axis: int = -1) -> Any:
    e = np.exp(x)
    return e / np.sum(e, axis=axis, keepdims=True)


# numpy reference of every primitive, called with the primitive's own arguments.
REFERENCES: dict[str, Callable[..., Any]] = {
    "abs": np.abs,
    "add": np.add,
    "astype": lambda x, dtype: np.asarray(x).astype(dtype),
    "binary_cross_entropy": lambda p, y: (
        -(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log1p(-p), -100))
    ),
    "broadcast_to": lambda x, shape: np.broadcast_to(x, shape),
    "clip": lambda x, lo=None, hi=None: np.clip(x, lo, hi),
    "concatenate": lambda *xs, axis=0: np.concatenate(xs, axis=axis),
    "cos": np.cos,
    "div": np.divide,
    "elu": lambda x, alpha=1.0: np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1)),
    "exp": np.exp,
    "expand_dims": lambda x, axis: np.expand_dims(x, axis),
    "getitem": lambda x, index: np.asarray(x)[index],
    "identity": lambda x: x,
    "linear": lambda x, w, b: np.matmul(x, w) + b,
    "leaky_relu": lambda x, negative_slope=0.01: np.where(x > 0, x, negative_slope * x),
    "log": np.log,
    "log1p": np.log1p,
    "log_softmax": lambda x, axis=-1: np.log(_softmax(x, axis)),
    "logsumexp": _logsumexp,
    "matmul": np.matmul,
    "max": lambda x, axis=None, keepdims=False: np.max(x, axis=axis, keepdims=keepdims),
    "maximum": np.maximum,
    "mean": lambda x, axis=None, keepdims=False: np.mean(x, axis=axis, keepdims=keepdims),
    "min": lambda x, axis=None, keepdims=False: np.min(x, axis=axis, keepdims=keepdims),
    "minimum": np.minimum,
    "mul": np.multiply,
    "neg": np.negative,
    "power": np.power,
    "relu": lambda x: np.maximum(x, 0.0),
    "reshape": lambda x, shape: np.reshape(x, shape),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "sin": np.sin,
    "softmax": _softmax,
    "softmax_cross_entropy": lambda z, labels: (
        -np.mean(np.log(_softmax(z))[np.arange(len(labels)), labels])
    ),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "sqrt": np.sqrt,
    "squeeze": lambda x, axis=None: np.squeeze(x, axis),
    "stack": lambda *xs, axis=0: np.stack(xs, axis=axis),
    "sub": np.subtract,
    "sum": lambda x, axis=None, keepdims=False: np.sum(x, axis=axis, keepdims=keepdims),
    "sum_to": _sum_to,
    "tanh": np.tanh,
    "transpose": lambda x, axes=None: np.transpose(x, axes),
    "untake": _untake,
    "var": lambda x, axis=None, ddof=0, keepdims=False: np.var(
        x, axis=axis, ddof=ddof, keepdims=keepdims
    ),
    "where": np.where,
}

CASES = [(name, level) for name in sorted(OPS) for level in OPS[name].check.levels]
SECOND_ORDER = [(name, level) for name, level in CASES if OPS[name].check.order >= 2]
TENSOR_OPS = [name for name, level in CASES if level == "tensor"]
SCALAR_OPS = [name for name, level in CASES if level == "scalar"]


def _differentiable(x: Any) -> bool:
    """Python floats and float arrays become Values; anything else stays raw."""
    return type(x) is float or (isinstance(x, np.ndarray) and x.dtype.kind == "f")


def _with_values(args: tuple[Any, ...], values: list[Any]) -> list[Any]:
    """args with the differentiable ones replaced, in order, by `values`."""
    it = iter(values)
    return [next(it) if _differentiable(a) else a for a in args]


def _weights(out: Any) -> Any:
    """Fixed random weights of out's shape and dtype (a float for a float)."""
    rng = np.random.default_rng(20240521)
    if type(out) is float:
        return float(rng.uniform(0.5, 1.5))
    return rng.uniform(0.5, 1.5, np.shape(out)).astype(np.asarray(out).dtype)


def _weighted_loss(
    name: str, args: tuple[Any, ...], kw: dict[str, Any]
) -> tuple[Callable[..., Any], list[Any]]:
    """f(*differentiable inputs) = (op(...) * w).sum(), and those inputs."""
    op = OPS[name]
    w = _weights(op(*args, **kw))

    def f(*values: Value) -> Value:
        return (op(*_with_values(args, list(values)), **kw) * w).sum()

    return f, [a for a in args if _differentiable(a)]


def _tolerances(name: str, args: tuple[Any, ...], kw: dict[str, Any]) -> dict[str, float]:
    """Finite differences through a float32 output (astype) need a wider step."""
    if np.result_type(OPS[name](*args, **kw)) == np.float32:
        return {"eps": 1e-2, "atol": 1e-3, "rtol": 1e-3}
    return {}


def test_every_op_has_a_reference() -> None:
    untested = sorted(set(OPS) - set(REFERENCES))
    stale = sorted(set(REFERENCES) - set(OPS))
    assert not untested, f"primitives without a numpy reference in REFERENCES: {untested}"
    assert not stale, f"REFERENCES names primitives that OPS no longer has: {stale}"


@pytest.mark.parametrize(("name", "level"), CASES)
@given(data=st.data())
def test_forward_matches_numpy(name: str, level: str, data: st.DataObject) -> None:
    args, kw = data.draw(op_inputs(name, level), label="args, kwargs")
    expected = REFERENCES[name](*args, **kw)
    raw = OPS[name](*args, **kw)
    values = [Value(a) for a in args if _differentiable(a)]
    node = OPS[name](*_with_values(args, values), **kw)
    assert isinstance(node, Value)
    for out in (raw, node.data):
        assert np.shape(out) == np.shape(expected)
        np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
        if level == "scalar":
            assert type(out) is float
        else:
            assert np.result_type(out) == np.result_type(expected)


@pytest.mark.parametrize(("name", "level"), CASES)
@given(data=st.data())
def test_gradcheck(name: str, level: str, data: st.DataObject) -> None:
    args, kw = data.draw(op_inputs(name, level), label="args, kwargs")
    f, inputs = _weighted_loss(name, args, kw)
    assert gradcheck(f, *inputs, **_tolerances(name, args, kw))


@pytest.mark.parametrize(("name", "level"), SECOND_ORDER)
@given(data=st.data())
def test_gradgradcheck(name: str, level: str, data: st.DataObject) -> None:
    args, kw = data.draw(op_inputs(name, level), label="args, kwargs")
    f, inputs = _weighted_loss(name, args, kw)
    assert gradgradcheck(f, *inputs, **_tolerances(name, args, kw))


@pytest.mark.parametrize("name", TENSOR_OPS)
@given(data=st.data())
def test_float32_stays_float32(name: str, data: st.DataObject) -> None:
    args, kw = data.draw(op_inputs(name, "tensor", dtype=np.float32), label="args, kwargs")
    values = [Value(a) for a in args if _differentiable(a)]
    # Python floats (a binary op's occasional scalar operand) are weak, as in numpy.
    assert all(v.dtype == np.float32 for v in values if type(v.data) is not float)
    out = OPS[name](*_with_values(args, values), **kw)
    want = np.dtype(kw["dtype"]) if name == "astype" else np.dtype(np.float32)
    assert out.dtype == want
    np.testing.assert_allclose(out.data, REFERENCES[name](*args, **kw), rtol=1e-5, atol=1e-6)
    loss = (out * _weights(out.data)).sum()
    assert loss.dtype == want
    loss.backward()
    for v in values:
        assert np.shape(v.grad) == v.shape
        if type(v.data) is float:
            assert type(v.grad) is float
        else:
            assert np.result_type(v.grad) == np.float32


@pytest.mark.parametrize("name", SCALAR_OPS)
@given(data=st.data())
def test_scalar_level_gives_floats(name: str, data: st.DataObject) -> None:
    args, kw = data.draw(op_inputs(name, "scalar"), label="args, kwargs")
    values = [Value(a) for a in args if _differentiable(a)]
    out = OPS[name](*_with_values(args, values), **kw)
    assert type(out.data) is float
    loss = out * _weights(out.data)
    assert type(loss.data) is float
    loss.backward()
    for v in values:
        assert type(v.grad) is float
