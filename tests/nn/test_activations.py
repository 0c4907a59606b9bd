"""Tests for nn.activations: values, gradients, PReLU's learned slope, Step's zero gradient."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Value
from autograd.testing import gradcheck
from nn import activations as A

RNG = np.random.default_rng(0)


def _away_from_zero(*shape: int) -> np.ndarray:
    """Inputs in +-[0.1, 2]: finite differences never straddle a kink at 0."""
    x = RNG.uniform(0.1, 2.0, size=shape)
    return x * RNG.choice([-1.0, 1.0], size=shape)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# (module, reference in numpy)
CASES: list[tuple[nn.Module, Callable[[np.ndarray], np.ndarray]]] = [
    (nn.Sigmoid(), _sigmoid),
    (nn.Tanh(), np.tanh),
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.LeakyReLU(), lambda x: np.where(x > 0, x, 0.01 * x)),
    (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    (nn.PReLU(), lambda x: np.where(x > 0, x, 0.25 * x)),
    (nn.ELU(), lambda x: np.where(x > 0, x, np.exp(x) - 1)),
    (nn.ELU(0.5), lambda x: np.where(x > 0, x, 0.5 * (np.exp(x) - 1))),
    (nn.Softplus(), lambda x: np.log1p(np.exp(x))),
    (nn.Softmax(), _softmax),
    (nn.Softmax(axis=0), lambda x: _softmax(x, axis=0)),
    (nn.LogSoftmax(), lambda x: np.log(_softmax(x))),
    (nn.Step(), lambda x: (x > 0).astype(x.dtype)),
    (nn.Identity(), lambda x: x),
]
IDS = [f"{type(m).__name__}-{m.extra_repr()}" for m, _ in CASES]


@pytest.mark.parametrize(("module", "reference"), CASES, ids=IDS)
def test_values_match_numpy_and_keep_float32(
    module: nn.Module, reference: Callable[[np.ndarray], np.ndarray]
) -> None:
    x = _away_from_zero(4, 5).astype(np.float32)
    out = module(Value(x))
    np.testing.assert_allclose(out.data, reference(x.astype(np.float64)), rtol=1e-5, atol=1e-6)
    assert out.dtype == np.float32
    assert module.output_shape((5,)) == (5,)


@pytest.mark.parametrize(("module", "reference"), CASES, ids=IDS)
def test_gradcheck(module: nn.Module, reference: Callable[[np.ndarray], np.ndarray]) -> None:
    x = _away_from_zero(3, 4)
    w = RNG.uniform(0.5, 1.5, size=(3, 4))
    module = copy.deepcopy(module).to(np.float64)  # the shared CASES stay float32
    assert gradcheck(lambda v: (module(v) * w).sum(), x, atol=1e-6, rtol=1e-4)


FUNCTIONS: list[tuple[Callable[..., Any], Callable[[np.ndarray], np.ndarray]]] = [
    (A.sigmoid, _sigmoid),
    (A.tanh, np.tanh),
    (A.relu, lambda x: np.maximum(x, 0)),
    (A.leaky_relu, lambda x: np.where(x > 0, x, 0.01 * x)),
    (A.elu, lambda x: np.where(x > 0, x, np.exp(x) - 1)),
    (A.softplus, lambda x: np.log1p(np.exp(x))),
    (A.softmax, _softmax),
    (A.log_softmax, lambda x: np.log(_softmax(x))),
    (A.step, lambda x: (x > 0).astype(x.dtype)),
    (A.linear, lambda x: x),
]


@pytest.mark.parametrize(("fn", "reference"), FUNCTIONS, ids=[f.__name__ for f, _ in FUNCTIONS])
def test_functions_on_values_and_raw_arrays(
    fn: Callable[..., Any], reference: Callable[[np.ndarray], np.ndarray]
) -> None:
    x = _away_from_zero(3, 4)
    np.testing.assert_allclose(fn(Value(x)).data, reference(x), rtol=1e-10)
    raw = fn(x)
    assert not isinstance(raw, Value)
    np.testing.assert_allclose(raw, reference(x), rtol=1e-10)


def test_prelu_function_gradcheck_in_x_and_slope() -> None:
    x = _away_from_zero(4, 3)
    assert gradcheck(lambda v, a: (A.prelu(v, a) * x).sum(), x, np.array([0.3]))
    assert gradcheck(lambda v, a: (A.prelu(v, a) * x).sum(), x, np.array([0.1, 0.2, 0.3]))
    x4 = _away_from_zero(2, 3, 2, 2)  # channels on axis 1
    assert gradcheck(lambda v, a: (A.prelu(v, a) * x4).sum(), x4, np.array([0.1, 0.2, 0.3]))


def test_prelu_per_feature_slopes() -> None:
    act = nn.PReLU(num_parameters=3, init=0.1)
    assert act.weight.shape == (3,) and act.weight.dtype == np.float32
    act.weight.data = np.array([0.1, 0.2, 0.3], np.float32)
    x = -np.ones((2, 3), np.float32)
    np.testing.assert_allclose(act(Value(x)).data, [[-0.1, -0.2, -0.3]] * 2, rtol=1e-6)
    assert [n for n, _ in act.named_parameters()] == ["weight"]
    with pytest.raises(ValueError, match="3 slopes need inputs with 3 features"):
        act(Value(np.ones((2, 4), np.float32)))
    with pytest.raises(ValueError, match="num_parameters must be >= 1"):
        nn.PReLU(0)


def test_prelu_slope_changes_in_training() -> None:
    nn.manual_seed(0)
    x = RNG.normal(size=(64, 2)).astype(np.float32)
    y = (x[:, :1] - 0.5 * np.abs(x[:, 1:])).astype(np.float32)  # needs a non-zero slope
    model = nn.Sequential(nn.Linear(2, 8), nn.PReLU(num_parameters=8), nn.Linear(8, 1))
    slope = model[1].weight
    start = slope.data.copy()
    opt = nn.Adam(model.parameters(), lr=0.02)
    first = None
    for _ in range(100):
        loss = nn.MSELoss()(model(x), y)
        first = loss.item() if first is None else first
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert slope.grad is not None and np.any(slope.grad != 0)
    assert np.abs(slope.data - start).max() > 0.01
    assert first is not None and loss.item() < 0.5 * first


def test_step_forward_and_exactly_zero_gradient() -> None:
    x = Value(np.array([[-2.0, -0.0, 0.0, 1e-9, 3.0, np.inf, -np.inf]], np.float32))
    out = A.step(x)
    np.testing.assert_array_equal(out.data, [[0, 0, 0, 1, 1, 1, 0]])
    assert out.dtype == np.float32
    (out * 5.0).sum().backward()
    assert x.grad is not None and x.grad.dtype == np.float32
    assert np.all(x.grad == 0) and not np.any(np.isnan(x.grad))


def test_step_is_piecewise_constant_to_gradcheck() -> None:
    assert gradcheck(lambda v: A.step(v).sum(), _away_from_zero(3, 3))


def test_sigmoid_and_softplus_are_stable_for_huge_inputs() -> None:
    x = Value(np.array([-1e4, -50.0, 0.0, 50.0, 1e4], np.float32))
    for fn in (A.sigmoid, A.softplus, A.tanh, A.elu):
        out = fn(x)
        out.sum().backward()
        assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(x.grad))
        x.grad = None
    np.testing.assert_allclose(A.sigmoid(x).data, [0, 0, 0.5, 1, 1], atol=1e-7)
    np.testing.assert_allclose(A.softplus(x).data[[0, 2, 4]], [0, np.log(2), 1e4], rtol=1e-6)


def test_get_activation_names_modules_callables() -> None:
    names = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "softplus", "softmax"]
    names += ["step", "linear"]
    kinds = [type(nn.get_activation(n)).__name__ for n in names]
    assert kinds == [
        "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softplus", "Softmax",
        "Step", "Identity",
    ]  # fmt: skip
    assert nn.get_activation("ReLU").key == "relu"
    assert nn.get_activation("prelu") is not nn.get_activation("prelu")  # fresh each time
    relu = nn.ReLU()
    assert nn.get_activation(relu) is relu
    assert isinstance(nn.get_activation(None), nn.Identity)
    wrapped = nn.get_activation(lambda v: v * 2)
    assert isinstance(wrapped, nn.Lambda) and wrapped(3.0) == 6.0
    with pytest.raises(ValueError) as info:
        nn.get_activation("swishy")
    for name in names:
        assert repr(name) in str(info.value)
    with pytest.raises(TypeError):
        nn.get_activation(3)  # type: ignore[arg-type]


def test_activation_layer_wraps_any_spec() -> None:
    layer = nn.Activation("tanh")
    x = _away_from_zero(2, 3)
    np.testing.assert_allclose(layer(Value(x)).data, np.tanh(x))
    assert layer.output_shape((3,)) == (3,)
    assert "Tanh" in repr(layer)


def test_reprs() -> None:
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.PReLU(4)) == "PReLU(num_parameters=4)"
    assert repr(nn.Softmax()) == "Softmax(axis=-1)"
    assert repr(nn.Step()) == "Step()"


def test_softmax_takes_pytorchs_dim_for_axis() -> None:
    x = RNG.normal(size=(3, 4))
    np.testing.assert_allclose(nn.Softmax(dim=0)(Value(x)).data, _softmax(x, axis=0))
    np.testing.assert_allclose(nn.Softmax(dim=1)(Value(x)).data, _softmax(x, axis=1))
    np.testing.assert_allclose(
        nn.LogSoftmax(dim=0)(Value(x)).data, np.log(_softmax(x, axis=0)), rtol=1e-12
    )
    np.testing.assert_allclose(A.softmax(Value(x), dim=0).data, _softmax(x, axis=0))
    np.testing.assert_allclose(A.log_softmax(x, dim=0), np.log(_softmax(x, axis=0)))
    assert repr(nn.Softmax(dim=0)) == "Softmax(axis=0)"
    assert nn.LogSoftmax(1).axis == 1  # positional, as nn.Softmax(1) in PyTorch
    for make in (nn.Softmax, nn.LogSoftmax):
        with pytest.raises(TypeError, match=r"axis=1.*dim=0.*not both"):
            make(axis=1, dim=0)
    with pytest.raises(TypeError, match=r"softmax: .*not both"):
        A.softmax(x, axis=1, dim=1)
