"""evaluate and predict: the figures training computes, no graph recorded by predict,
Keras' verbose and batch_size."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd import Value
from nn.datasets import make_moons
from tests.nn.keras_models import moons_model

# --- evaluate and predict --------------------------------------------------------------------


def test_evaluate_matches_a_manual_computation(moons: Any) -> None:
    x, y = moons
    model = moons_model(out=2)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose=0)
    p = model(x).data.astype(np.float64)
    manual_loss = -np.log(np.clip(p[np.arange(len(y)), y], 1e-7, 1 - 1e-7)).mean()
    manual_acc = np.mean(p.argmax(1) == y)
    loss, acc = model.evaluate(x, y, batch_size=7, verbose=0)  # type: ignore[misc]
    assert loss == pytest.approx(manual_loss, rel=1e-5)
    assert acc == manual_acc
    assert model.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(
        {"loss": manual_loss, "accuracy": manual_acc}, rel=1e-5
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    assert isinstance(model.evaluate(x, y, verbose=0), float)  # no metrics: one number


def test_predict_returns_numpy_without_recording_a_graph(moons: Any) -> None:
    x, _ = moons
    grad_enabled: list[bool] = []

    def spy(v: Any) -> Any:
        grad_enabled.append(autograd.is_grad_enabled())
        return v

    nn.manual_seed(0)
    model = nn.Sequential(nn.Dense(4, "relu", input_dim=2), nn.Lambda(spy), nn.Dense(2))
    out = model.predict(x, batch_size=64)
    assert isinstance(out, np.ndarray) and out.shape == (len(x), 2)
    assert out.dtype == np.float32
    assert grad_enabled and not any(grad_enabled)  # every batch ran under no_grad
    assert np.allclose(out, model(x).data, atol=1e-6)
    assert all(p.grad is None for p in model.parameters())
    assert model.training  # the mode it had before


def test_predict_takes_keras_verbose_and_batch_size(capsys: Any) -> None:
    x, _ = make_moons(70, seed=0)
    model = moons_model()
    quiet = model.predict(x, verbose=0, batch_size=16)
    assert capsys.readouterr().out == ""
    assert np.array_equal(quiet, model.predict(x))
    loud = model.predict(x, batch_size=32, verbose=1)
    out = capsys.readouterr().out
    assert np.array_equal(loud, quiet)
    assert out.startswith("3/3 - ") and out.endswith("/step\n") and out.count("\n") == 1
    model.predict(x, verbose="auto")
    assert capsys.readouterr().out.startswith("3/3 - ")
    with pytest.raises(ValueError, match=r"predict: verbose must be 0, 1, 2 or 'auto'"):
        model.predict(x, verbose=3)


@pytest.mark.parametrize(
    "activation, loss, y",
    [
        ("softmax", "sparse_categorical_crossentropy", np.array([1, 0])),
        ("sigmoid", "binary_crossentropy", np.array([[0.0], [1.0]])),
    ],
)
def test_evaluate_computes_the_loss_training_computes(activation: str, loss: str, y: Any) -> None:
    # A confident mistake (logit 30): from the logits the loss is exact, where clipped
    # probabilities would cap it near 16. Training and evaluation must agree.
    units = 3 if activation == "softmax" else 1
    model = nn.Sequential(nn.Dense(units, activation=activation, input_dim=2))
    model.compile("sgd", loss)
    kernel = np.zeros((2, units), np.float32)
    kernel[0, 0] = 30.0
    model.set_weights([kernel, np.zeros(units, np.float32)])
    x = np.array([[1.0, 0.0], [1.0, 0.0]], np.float32)
    trained = nn.losses.get_loss(loss)(y, model(Value(x, requires_grad=False))).item()
    assert trained > 14.9
    assert model.evaluate(x, y, verbose=0) == pytest.approx(trained, rel=1e-6)
    assert all(p.grad is None for p in model.parameters())  # nothing backpropagated


def test_evaluate_of_a_frozen_model_computes_the_loss_training_computes() -> None:
    model = nn.Sequential(nn.Dense(3, activation="softmax", input_dim=2))
    model.compile("sgd", "sparse_categorical_crossentropy")
    kernel = np.zeros((2, 3), np.float32)
    kernel[0, 0] = 30.0
    model.set_weights([kernel, np.zeros(3, np.float32)])
    x, y = np.array([[1.0, 0.0], [1.0, 0.0]], np.float32), np.array([1, 0])
    loss = model.evaluate(x, y, verbose=0)
    model.requires_grad_(False)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(loss) and loss > 14.9
    assert all("_last_call" not in vars(m) for m in model.modules())  # no records left


def test_evaluate_with_a_loss_function_of_ones_own_matches_training() -> None:
    scce = nn.SparseCategoricalCrossentropy()
    model = nn.Sequential(nn.Dense(3, activation="softmax", input_dim=2))
    model.compile("sgd", loss=lambda yt, yp: scce(yt, yp))
    kernel = np.zeros((2, 3), np.float32)
    kernel[0, 0] = 30.0
    model.set_weights([kernel, np.zeros(3, np.float32)])
    x, y = np.array([[1.0, 0.0], [1.0, 0.0]], np.float32), np.array([1, 0])
    assert model.evaluate(x, y, verbose=0) == pytest.approx(15.0, rel=1e-5)
