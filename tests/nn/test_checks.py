"""What fit, evaluate and predict check before the first batch: the arrays, the targets
against the loss, the loss's result, one sample without its batch axis."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import nn
from nn.datasets import make_moons
from tests.nn.keras_models import Counter, moons_model

# --- checks before the first batch -----------------------------------------------------------


def _bad_fit_cases() -> list[tuple[str, dict[str, Any], type, str]]:
    x, y = make_moons(40, seed=0)
    val = "validation_data"
    return [
        ("lengths", {"x": x, "y": y[:30]}, ValueError,
         "different lengths: x has 40 samples, y has 30"),
        ("features", {"x": np.zeros((40, 3)), "y": y}, ValueError,
         r"does not accept x of shape \(40, 3\)"),
        ("label range", {"x": x, "y": np.where(y == 1, 2, 0)}, ValueError,
         r"label 2 at position \d+ of y is out of range.*0\.\.1"),
        ("negative label", {"x": x, "y": y - 1}, ValueError, "label -1 at position 0"),
        ("fractional label", {"x": x, "y": y + 0.5}, ValueError, "whole numbers, got 0.5"),
        ("nan label", {"x": x, "y": np.where(y == 1, np.nan, 0.0)}, ValueError, "y holds nan"),
        ("ragged x", {"x": [[1.0, 2.0], [3.0]] * 20, "y": y}, ValueError, "rectangular array"),
        ("text x", {"x": np.array([["a", "b"]] * 40), "y": y}, TypeError, "x must be numbers"),
        ("empty", {"x": np.zeros((0, 2)), "y": np.zeros(0, dtype=int)}, ValueError, "x is empty"),
        ("missing y", {"x": x, "y": None}, ValueError, r"y \(the targets\) is missing"),
        ("val lengths", {"x": x, "y": y, val: (x, y[:5])}, ValueError,
         "validation x and validation y have different lengths"),
        ("val labels", {"x": x, "y": y, val: (x, y + 5)}, ValueError,
         "of validation y is out of range"),
        ("val triple", {"x": x, "y": y, val: (x, y, y)}, ValueError, "a pair"),
        ("split 1", {"x": x, "y": y, "validation_split": 1.0}, ValueError,
         r"validation_split must be in \[0, 1\)"),
        ("split tiny", {"x": x[:1], "y": y[:1], "validation_split": 0.1}, ValueError,
         "both need at least one"),
        ("batch size", {"x": x, "y": y, "batch_size": 0}, ValueError,
         "batch_size must be an int >= 1"),
        ("epochs", {"x": x, "y": y, "epochs": -1}, ValueError, "epochs must be an int >= 0"),
        ("verbose", {"x": x, "y": y, "verbose": 3}, ValueError, "verbose must be 0, 1, 2"),
        ("callback type", {"x": x, "y": y, "callbacks": [print]}, TypeError, "callbacks must be"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "kwargs", "error", "match"), _bad_fit_cases(), ids=[c[0] for c in _bad_fit_cases()]
)
def test_bad_inputs_raise_before_any_batch(
    name: str, kwargs: dict[str, Any], error: type, match: str
) -> None:
    model = nn.Sequential(nn.Dense(8, activation="relu", input_dim=2), nn.Dense(2, "softmax"))
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    counter = Counter()
    kwargs = {"verbose": 0, **kwargs}
    cbs = kwargs.pop("callbacks", [])
    x, y = kwargs.pop("x"), kwargs.pop("y")
    with pytest.raises(error, match=match):
        model.fit(x, y, callbacks=[*cbs, counter], **kwargs)
    assert counter.train_begins == 0 and counter.batches == 0


@pytest.mark.parametrize(
    ("loss", "units", "y", "match"),
    [
        ("binary_crossentropy", 1, np.array([0, 2] * 20), r"targets in \[0, 1\].*got 2"),
        ("categorical_crossentropy", 3, np.array([0, 1] * 20),
         "use 'sparse_categorical_crossentropy'"),
        ("mse", 1, np.zeros((40, 3)), r"shape \(3,\) per sample .* outputs of shape \(1,\)"),
        ("sparse_categorical_crossentropy", 3, np.zeros((40, 3)), "integer class labels"),
    ],
)  # fmt: skip
def test_targets_are_checked_against_the_loss(
    loss: str, units: int, y: np.ndarray, match: str
) -> None:
    x, _ = make_moons(40, seed=0)
    model = nn.Sequential(nn.Dense(units, activation="sigmoid", input_dim=2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a sigmoid before categorical losses warns
        model.compile("sgd", loss)
    counter = Counter()
    with pytest.raises(ValueError, match=match):
        model.fit(x, y, callbacks=[counter], verbose=0)
    assert counter.batches == 0


def test_fit_before_compile_raises() -> None:
    with pytest.raises(RuntimeError, match="not compiled"):
        moons_model().fit(np.zeros((4, 2)), np.zeros(4))


def test_loss_that_returns_no_value_is_caught_before_training() -> None:
    model = moons_model()
    model.compile("sgd", loss=lambda y_true, y_pred: 0.0)
    with pytest.raises(ValueError, match="single-number Value"):
        model.fit(np.zeros((4, 2)), np.zeros(4), verbose=0)
    model.compile("sgd", nn.BCELoss(reduction="none"))
    with pytest.raises(ValueError, match="single-number Value"):
        model.fit(np.zeros((4, 2)), np.zeros(4), verbose=0)


# --- BCE on logits, custom functions, classes for instances, predict ------------------------


def test_fit_with_bce_on_a_linear_output_names_the_loss_and_the_fix() -> None:
    x, y = make_moons(64, seed=0)
    nn.manual_seed(0)
    model = nn.Sequential(nn.Dense(1, input_dim=2))  # logits, not probabilities
    with pytest.warns(UserWarning, match="not probabilities"):
        model.compile("sgd", nn.BCELoss())
    with pytest.raises(ValueError, match=r"fit: the loss BCELoss.*BCEWithLogitsLoss"):
        model.fit(x * 10, y, epochs=1, verbose=0)


def test_predict_on_one_sample_without_the_batch_axis_says_so() -> None:
    x = np.ones((5, 4))
    model = nn.Sequential(nn.Dense(1, input_dim=4))
    pattern = (
        r"predict: the model expects x of shape \(None, 4\), got x of shape \(4,\): "
        r"one sample without the batch axis\? pass x\[None\] or x\.reshape\(1, -1\)"
    )
    with pytest.raises(ValueError, match=pattern):
        model.predict(x[0])
    lazy = nn.Sequential(nn.Dense(1))  # the input size is known once it has seen data
    lazy.predict(x)
    with pytest.raises(ValueError, match=pattern):
        lazy.predict(x[0])
    assert model.predict(x[0][None]).shape == (1, 1)
