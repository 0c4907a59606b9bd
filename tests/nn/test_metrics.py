"""Metrics: how "accuracy" picks binary / categorical / sparse, their values, sums that
add up across batches, names, and what fit and evaluate report with them."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from nn.keras.metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    FunctionMetric,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalAccuracy,
    get_metric,
    known_metrics,
)

PROBS = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.5, 0.3], [0.4, 0.4, 0.2]])
LABELS = np.array([0, 2, 0, 1])  # argmax of PROBS: 0, 2, 1, 0 -> 2 of 4 right


# --- how "accuracy" resolves -----------------------------------------------------------------


def test_accuracy_with_one_output_is_binary_at_half() -> None:
    m = Accuracy().resolve((5, 1), np.zeros(5), from_logits=False)
    assert isinstance(m, BinaryAccuracy) and m.threshold == 0.5 and m.name == "accuracy"


def test_accuracy_on_logits_thresholds_at_zero() -> None:
    m = Accuracy().resolve((5, 1), np.zeros((5, 1)), from_logits=True)
    assert isinstance(m, BinaryAccuracy) and m.threshold == 0.0


def test_accuracy_with_integer_labels_is_sparse() -> None:
    assert isinstance(Accuracy().resolve((4, 3), LABELS, False), SparseCategoricalAccuracy)
    column = LABELS.reshape(-1, 1)
    assert isinstance(Accuracy().resolve((4, 3), column, False), SparseCategoricalAccuracy)


def test_accuracy_with_one_hot_targets_is_categorical() -> None:
    m = Accuracy("acc").resolve((4, 3), np.eye(3)[LABELS], False)
    assert isinstance(m, CategoricalAccuracy) and m.name == "acc"


def test_accuracy_with_mismatched_targets_raises() -> None:
    with pytest.raises(ValueError, match="cannot compare"):
        Accuracy().resolve((4, 3), np.zeros((4, 5)), False)


# --- values ----------------------------------------------------------------------------------


def test_sparse_and_categorical_accuracy_values() -> None:
    assert SparseCategoricalAccuracy()(LABELS, PROBS) == 0.5
    assert SparseCategoricalAccuracy()(LABELS.reshape(-1, 1), PROBS) == 0.5
    assert CategoricalAccuracy()(np.eye(3)[LABELS], PROBS) == 0.5
    assert Accuracy()(LABELS, PROBS) == 0.5  # unresolved: decides from the arrays


def test_binary_accuracy_values_and_threshold() -> None:
    p = np.array([[0.9], [0.4], [0.6], [0.1]])
    y = np.array([1, 1, 0, 0])
    assert BinaryAccuracy()(y, p) == 0.5
    assert BinaryAccuracy(threshold=0.05)(y, p) == 0.5  # every p above: 1, 1, 1, 1
    assert BinaryAccuracy(threshold=0.95)(y, p) == 0.5
    logits = np.array([2.0, -1.0, 0.5, -3.0])
    assert BinaryAccuracy(threshold=0.0)(np.array([1, 0, 1, 0]), logits) == 1.0


def test_binary_accuracy_of_several_outputs_is_the_mean_over_them() -> None:
    p = np.array([[0.9, 0.2], [0.8, 0.7]])
    y = np.array([[1, 1], [1, 1]])
    assert BinaryAccuracy()(y, p) == 0.75


def test_batch_sums_add_up_to_the_mean_over_all_samples() -> None:
    rng = np.random.default_rng(0)
    p = rng.random((50, 4))
    y = rng.integers(0, 4, 50)
    m = SparseCategoricalAccuracy()
    total = sum(m.batch_sum(y[i : i + 7], p[i : i + 7]) for i in range(0, 50, 7))
    assert total / 50 == pytest.approx(m(y, p))


def test_mse_and_mae_are_per_sample_means() -> None:
    p = np.array([[1.0, 2.0], [3.0, 5.0]])
    y = np.array([[1.0, 0.0], [3.0, 3.0]])
    assert MeanSquaredError()(y, p) == pytest.approx(np.mean((p - y) ** 2))
    assert MeanAbsoluteError()(y, p) == pytest.approx(np.mean(np.abs(p - y)))
    # (N,) targets against (N, 1) outputs: the same numbers, not a broadcast to (N, N).
    assert MeanSquaredError()(np.array([1.0, 2.0]), np.array([[2.0], [2.0]])) == 0.5


def test_function_metrics_per_sample_or_mean() -> None:
    def per_sample(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.abs(y_true - y_pred)

    def mean_only(y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return float(np.mean(np.abs(y_true - y_pred)))

    y, p = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    assert get_metric(per_sample)(y, p) == pytest.approx(1.0)
    assert get_metric(mean_only)(y, p) == pytest.approx(1.0)
    assert get_metric(per_sample).name == "per_sample"

    def bad(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.zeros(2)

    with pytest.raises(ValueError, match="one value per sample"):
        FunctionMetric(bad).batch_sum(y, p)


# --- names -----------------------------------------------------------------------------------


def test_names_and_aliases() -> None:
    assert get_metric("acc").name == "acc"
    assert isinstance(get_metric("Accuracy"), Accuracy)
    assert isinstance(get_metric("mse"), MeanSquaredError)
    assert isinstance(get_metric("mean_absolute_error"), MeanAbsoluteError)
    m = SparseCategoricalAccuracy()
    assert get_metric(m) is m
    assert "sparse_categorical_accuracy" in known_metrics()


def test_unknown_metric_lists_known_names() -> None:
    with pytest.raises(ValueError, match=r"unknown metric 'accurcy'.*'accuracy'.*'mae'"):
        get_metric("accurcy")
    with pytest.raises(TypeError, match="metric must be"):
        get_metric(3)  # type: ignore[arg-type]


# --- through fit and evaluate ----------------------------------------------------------------


def _blobs(n: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = (np.eye(3)[y] * 3 + rng.standard_normal((n, 3))).astype(np.float32)
    return x, y


def test_fit_reports_sparse_accuracy_and_evaluate_matches_argmax() -> None:
    x, y = _blobs()
    nn.manual_seed(0)
    model = nn.Sequential(nn.Dense(3, activation="softmax", input_dim=3))
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy", "mse"])
    hist = model.fit(x, y, epochs=2, verbose=0)
    assert set(hist.history) == {"loss", "accuracy", "mse"}
    _, acc, _ = model.evaluate(x, y, verbose=0)  # type: ignore[misc]
    assert acc == pytest.approx(np.mean(model.predict(x).argmax(1) == y))


def test_one_hot_targets_get_categorical_accuracy() -> None:
    x, y = _blobs()
    nn.manual_seed(0)
    model = nn.Sequential(nn.Dense(3, activation="softmax", input_dim=3))
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, np.eye(3)[y], epochs=1, verbose=0)
    _, acc = model.evaluate(x, np.eye(3)[y], verbose=0)  # type: ignore[misc]
    assert acc == pytest.approx(np.mean(model.predict(x).argmax(1) == y))


def test_binary_accuracy_on_logits_uses_threshold_zero_in_fit() -> None:
    x, y = _blobs()
    yb = (y == 0).astype(np.float32)
    nn.manual_seed(0)
    model = nn.Sequential(nn.Dense(1, input_dim=3))
    model.compile("adam", nn.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(x, yb, epochs=1, verbose=0)
    _, acc = model.evaluate(x, yb, verbose=0)  # type: ignore[misc]
    logits = model.predict(x)[:, 0]
    assert acc == pytest.approx(np.mean((logits > 0) == (yb > 0.5)))


def test_a_function_metric_gets_targets_of_the_outputs_rank() -> None:
    y = np.array([0.5, 1.0, -2.0])
    mae = FunctionMetric(lambda yt, yp: np.abs(yp - yt).mean(-1))
    assert mae(y, y[:, None]) == 0.0  # (N,) against (N, 1): not broadcast to (N, N)
    assert mae(y[:, None], y) == 0.0
    labels = np.array([0, 2, 1])  # integer labels against several outputs: unchanged
    probs = np.eye(3)[labels]
    hit = FunctionMetric(lambda yt, yp: (yp.argmax(-1) == yt).astype(float))
    assert hit(labels, probs) == 1.0


def test_get_metric_rejects_a_class() -> None:
    with pytest.raises(TypeError, match=r"^metric is the class Accuracy; pass an instance"):
        get_metric(Accuracy)  # type: ignore[arg-type]
