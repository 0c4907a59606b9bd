"""PyTorch-named losses give PyTorch's numbers, at saturated and extreme inputs too
(issue 20): each loss's value and gradient against PyTorch's documented formula (and,
where PyTorch's backward is its own formula, that one, from ATen's Loss.cpp), written
out in numpy here. The Keras-named losses keep Keras' numerics (probabilities clipped
at 1e-7), checked at the end."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd import Value
from nn import losses as L
from nn import torch_losses as T

DTYPES = [np.float64, np.float32]
REDUCTIONS = ["mean", "sum", "none"]
# PyTorch's EPSILON in binary_cross_entropy_backward: `constexpr float EPSILON = 1e-12`.
TORCH_BCE_EPSILON = float(np.float32(1e-12))


def _reduced(per_element: np.ndarray, reduction: str) -> Any:
    if reduction == "mean":
        return per_element.mean()
    return per_element.sum() if reduction == "sum" else per_element


def _scale(shape: tuple[int, ...], reduction: str) -> float:
    """d(reduced)/d(element): 1/N for the mean (N elements), 1 otherwise."""
    return 1.0 / int(np.prod(shape)) if reduction == "mean" else 1.0


def _run(loss: Callable[..., Any], pred: np.ndarray, target: Any) -> tuple[Any, Any]:
    """The loss's value and the gradient of its sum with respect to `pred`."""
    v = Value(pred.copy())
    out = loss(v, target)
    autograd.sum(out).backward()
    return out.data, v.grad


def _close(actual: Any, expected: Any, dtype: Any) -> None:
    rtol = 2e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=1e-30)


# --- BCELoss: the log clamped at -100; the gradient (p - y) / max(p (1 - p), 1e-12) -------

P_EXTREME = [0.0, 1e-45, 1e-30, 9.357623e-14, 1e-12, 1e-7, 0.3, 0.5, 1 - 1e-7, 1 - 1e-12, 1.0]


def _torch_bce(p: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's binary_cross_entropy forward and backward (per element, unreduced)."""
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), -100)
        log_q = np.maximum(np.log1p(-p), -100)
    loss = (y - 1) * log_q - y * log_p
    grad = (p - y) / np.maximum((1 - p) * p, p.dtype.type(TORCH_BCE_EPSILON))
    return loss, grad


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_loss_is_pytorchs_at_every_extreme(dtype: Any, reduction: str) -> None:
    p = np.array([[a] * 3 for a in P_EXTREME], dtype=dtype)
    y = np.array([[0.0, 0.25, 1.0]] * len(P_EXTREME), dtype=dtype)
    loss, grad = _torch_bce(p, y)
    value, g = _run(nn.BCELoss(reduction=reduction), p, y)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(g))
    _close(value, _reduced(loss, reduction), dtype)
    _close(g, grad * _scale(p.shape, reduction), dtype)
    assert value.dtype == dtype and g.dtype == dtype


@pytest.mark.parametrize("dtype", DTYPES)
def test_a_confidently_wrong_saturated_sigmoid_keeps_learning_as_in_pytorch(dtype: Any) -> None:
    z = Value(np.array([-30.0, 30.0], dtype))
    t = np.array([1.0, 0.0])
    loss = nn.BCELoss()(autograd.sigmoid(z), t)
    loss.backward()
    s = (1 / (1 + np.exp(-z.data.astype(np.float64)))).astype(dtype)  # what sigmoid gives
    _, grad_p = _torch_bce(s, t.astype(dtype))
    expected = grad_p / 2 * s * (1 - s)  # the mean, then the sigmoid's derivative
    _close(z.grad, expected, dtype)
    assert z.grad[0] == pytest.approx(-0.0468, abs=5e-4)  # not 0, as a clip at 1e-7 gave
    if dtype == np.float64:
        assert z.grad[1] == pytest.approx(0.0468, abs=5e-4)


def test_bce_loss_records_its_gradient_for_gradients_of_gradients() -> None:
    p = Value(np.array([0.2, 0.7, 0.9]))
    y = np.array([0.0, 1.0, 0.3])
    (g,) = autograd.gradients(nn.BCELoss()(p, y), [p], create_graph=True)
    autograd.sum(g).backward()
    d = p.data
    expected = (d * d - 2 * d * y + y) / (d * d * (1 - d) ** 2) / 3  # d/dp of the rule
    np.testing.assert_allclose(p.grad, expected, rtol=1e-12)


def test_bce_loss_target_gradient_is_pytorchs() -> None:
    p = np.array([0.2, 0.7, 0.9])
    y = Value(np.array([0.0, 1.0, 0.3]))
    nn.BCELoss(reduction="sum")(Value(p, requires_grad=False), y).backward()
    np.testing.assert_allclose(y.grad, np.log1p(-p) - np.log(p), rtol=1e-12)


# --- BCEWithLogitsLoss: (1 - y) z - log_sigmoid(z); gradient sigmoid(z) - y --------------

Z_EXTREME = [-1e4, -100.0, -40.0, -30.0, -1.0, 0.0, 1.0, 30.0, 40.0, 100.0, 1e4]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_is_pytorchs_at_every_extreme(dtype: Any, reduction: str) -> None:
    z = np.array([[a] * 3 for a in Z_EXTREME], dtype=dtype)
    y = np.array([[0.0, 0.3, 1.0]] * len(Z_EXTREME), dtype=dtype)
    log_sigmoid = np.minimum(z, 0) - np.log1p(np.exp(-np.abs(z)))
    loss = (1 - y) * z - log_sigmoid
    with np.errstate(over="ignore"):  # e^1e4 = inf: sigmoid 0, as it is
        sigmoid = (1 / (1 + np.exp(-z.astype(np.float64)))).astype(dtype)  # then rounded
    grad = sigmoid - y
    value, g = _run(nn.BCEWithLogitsLoss(reduction=reduction), z, y)
    # Rounding differs where the result is far below its terms (a loss of 4e-18 beside
    # z = 40; sigmoid(30) - 1 = -9e-14): agreement to a few units of the terms' last
    # digit there, relative agreement elsewhere.
    eps, scale = np.finfo(dtype).eps, _scale(z.shape, reduction)
    np.testing.assert_allclose(value, _reduced(loss, reduction), rtol=2e-6, atol=400 * eps)
    np.testing.assert_allclose(g, grad * scale, rtol=2e-6, atol=4 * eps * scale)


# --- CrossEntropyLoss and NLLLoss: logsumexp(z) - z[y]; gradient softmax - onehot --------

LOGITS_EXTREME = np.array(
    [
        [1e4, -1e4, 0.0, 5.0],  # right, confidently
        [1e4, -1e4, 0.0, 5.0],  # wrong by 2e4
        [-np.inf, 0.0, 1.0, -np.inf],  # classes masked out with -inf
        [1e30, 1e30, -1e30, 0.0],  # ties at a huge logit
        [0.0, 0.0, 0.0, 0.0],
        [-1e4, -1e4 + 1, -1e4 + 2, -1e4 + 3],  # all very negative
    ]
)
LABELS_EXTREME = np.array([0, 1, 2, 1, 3, 0])


def _log_softmax(z: np.ndarray) -> np.ndarray:
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def _torch_cross_entropy(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    logp = _log_softmax(z)
    rows = np.arange(len(y))
    onehot = np.zeros_like(z)
    onehot[rows, y] = 1
    return -logp[rows, y], np.exp(logp) - onehot


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_is_pytorchs_at_every_extreme(dtype: Any, reduction: str) -> None:
    z = LOGITS_EXTREME.astype(dtype)
    loss, grad = _torch_cross_entropy(z.astype(np.float64), LABELS_EXTREME)
    value, g = _run(nn.CrossEntropyLoss(reduction=reduction), z, LABELS_EXTREME)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(g))
    scale = 1 / len(z) if reduction == "mean" else 1.0
    _close(value, _reduced(loss, reduction).astype(dtype), dtype)
    np.testing.assert_allclose(g, grad * scale, rtol=2e-6, atol=1e-7 if dtype == np.float32 else 0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_of_probability_targets_is_pytorchs(dtype: Any) -> None:
    z = LOGITS_EXTREME[[0, 1, 3, 4, 5]].astype(dtype)
    t = np.array([[0.7, 0.1, 0.1, 0.1], [0, 1, 0, 0], [0.5, 0.5, 0, 0], [0.25] * 4, [0, 0, 0, 1]])
    logp = _log_softmax(z.astype(np.float64))
    value, g = _run(nn.CrossEntropyLoss(), z, t)
    _close(value, -(t * logp).sum(axis=1).mean(), dtype)
    expected = (np.exp(logp) * t.sum(axis=1, keepdims=True) - t) / len(z)
    np.testing.assert_allclose(g, expected, rtol=2e-6, atol=1e-7 if dtype == np.float32 else 0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_nll_loss_reads_only_the_labelled_entries_as_pytorch_does(
    dtype: Any, reduction: str
) -> None:
    # -inf away from the labels (masked classes) and huge values: PyTorch picks -logp[i, y_i]
    # and its gradient is -1 there, 0 elsewhere, whatever the other entries hold.
    logp = np.array(
        [[-0.5, -np.inf, -1e30, -2.0], [-np.inf, -1e-3, -np.inf, -np.inf], [-1e4, -3.0, -1.0, 0.0]],
        dtype=dtype,
    )
    y = np.array([0, 1, 2])
    rows = np.arange(3)
    value, g = _run(nn.NLLLoss(reduction=reduction), logp, y)
    _close(value, _reduced(-logp[rows, y], reduction), dtype)
    expected = np.zeros_like(logp)
    expected[rows, y] = -1 / 3 if reduction == "mean" else -1
    np.testing.assert_array_equal(g, expected.astype(dtype))


def test_nll_loss_of_a_minus_infinite_label_entry_is_infinite_as_in_pytorch() -> None:
    logp = Value(np.array([[-np.inf, 0.0], [0.0, -np.inf]]))
    loss = nn.NLLLoss()(logp, np.array([0, 0]))
    loss.backward()
    assert loss.item() == np.inf
    np.testing.assert_array_equal(logp.grad, [[-0.5, 0], [-0.5, 0]])


# --- MSELoss and L1Loss -----------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_mse_and_l1_are_pytorchs_at_every_extreme(dtype: Any, reduction: str) -> None:
    big = 1e150 if dtype == np.float64 else 1e18
    x = np.array([[big, -big, 0.0, 1e-30, 3.0, 2.0]], dtype=dtype)
    y = np.array([[0.0, big, 0.0, -1e-30, 3.0, 1.0]], dtype=dtype)
    d = x - y
    value, g = _run(nn.MSELoss(reduction=reduction), x, y)
    _close(value, _reduced(d * d, reduction), dtype)
    _close(g, 2 * d * _scale(x.shape, reduction), dtype)
    value, g = _run(nn.L1Loss(reduction=reduction), x, y)
    _close(value, _reduced(np.abs(d), reduction), dtype)
    _close(g, np.sign(d) * _scale(x.shape, reduction), dtype)  # sign(0) = 0, as PyTorch


def test_mse_overflows_to_inf_with_a_finite_gradient_as_in_pytorch() -> None:
    x = Value(np.array([1e200, -1e200]))
    with np.errstate(over="ignore"):
        loss = nn.MSELoss()(x, np.zeros(2))
    loss.backward()
    assert loss.item() == np.inf
    np.testing.assert_allclose(x.grad, [1e200, -1e200])


def test_every_pytorch_named_loss_is_checked_here() -> None:
    named = {n for n in T.__all__ if n[0].isupper() and n != "Loss"}
    assert named == {
        "BCELoss",
        "BCEWithLogitsLoss",
        "CrossEntropyLoss",
        "L1Loss",
        "MSELoss",
        "NLLLoss",
    }


# --- the Keras-named losses keep Keras' numerics --------------------------------------


def test_keras_binary_crossentropy_keeps_keras_clip_at_1e_7() -> None:
    p = np.array([[0.0], [1.0], [1e-9], [0.5]])
    y = np.array([[1.0], [0.0], [1.0], [1.0]])
    v = Value(p.copy())
    loss = nn.losses.get_loss("binary_crossentropy")(y, v)
    loss.backward()
    clipped = np.clip(p, 1e-7, 1 - 1e-7)
    expected = -(y * np.log(clipped) + (1 - y) * np.log(1 - clipped)).mean()
    assert loss.item() == pytest.approx(expected, rel=1e-12)
    np.testing.assert_array_equal(v.grad[:3], 0)  # outside the clip: Keras' zero gradient
    assert L.BinaryCrossentropy()(y, v).item() == loss.item()
