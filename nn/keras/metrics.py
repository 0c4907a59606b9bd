"""Metrics that `fit` and `evaluate` report beside the loss, and lookup by name.

A metric works on raw numpy arrays, never on graph nodes: ``batch_sum(y_true, y_pred)``
returns the sum of its per-sample values over one batch. `fit` adds these sums up and
divides by the number of samples seen, which gives the running mean of the epoch that the
progress bar shows and the exact mean over the data at the end of it, however the last
batch is sized. Calling a metric, ``m(y_true, y_pred)``, gives the mean over the samples.

Names (`get_metric`), as in Keras:

    "accuracy", "acc"                picks one of the three below from the shapes
    "binary_accuracy"                (y_pred > threshold) == y_true, threshold 0.5
    "categorical_accuracy"           argmax(y_pred) == argmax(y_true)  (one-hot targets)
    "sparse_categorical_accuracy"    argmax(y_pred) == y_true          (integer labels)
    "mse", "mean_squared_error"      mean over a sample's outputs of (y_pred - y_true)^2
    "mae", "mean_absolute_error"     mean over a sample's outputs of |y_pred - y_true|

"accuracy" decides the way Keras does, once the output shape is known (`resolve`): one
output per sample means binary accuracy; labels with fewer axes than the output (or a
column of labels against several outputs) mean sparse categorical accuracy; otherwise
categorical accuracy. When the loss takes logits (``from_logits=True``), binary accuracy
thresholds at 0 instead of 0.5, since sigmoid(z) > 0.5 exactly when z > 0 (Keras leaves
this to the user, who then reads an accuracy computed at the wrong threshold).

A function ``fn(y_true, y_pred)`` returning per-sample values (or their mean) is a metric
too; it is named after the function. As in Keras, it sees the two arrays at the same rank
(`align_ranks`): targets of shape (N,) against outputs of shape (N, 1) come as (N, 1), so
``y_pred - y_true`` is (N, 1), not a broadcast (N, N).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nn.arguments import lookup

__all__ = [
    "Accuracy",
    "align_ranks",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "FunctionMetric",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "Metric",
    "SparseCategoricalAccuracy",
    "get_metric",
    "known_metrics",
]


def align_ranks(y_true: Any, y_pred: Any) -> tuple[Any, Any]:
    """``(y_true, y_pred)`` at the same rank when their ranks differ by one and the
    larger has a last axis of size 1, as Keras' ``squeeze_or_expand_to_same_rank`` does
    before calling a loss or metric function: the rank-1 one gets a trailing axis ((N,)
    against (N, 1) becomes (N, 1)); otherwise that size-1 axis is squeezed. Anything else
    (integer labels (N,) against scores (N, C), equal ranks) is returned as it is.

    Works on numpy arrays and on Values alike (both have ``shape`` and ``reshape``; a
    Value's reshape is recorded, so the gradient flows back through it). Written for
    the per-batch path: two shape reads and a comparison when nothing changes.
    """
    t_shape = np.shape(y_true) if not hasattr(y_true, "shape") else y_true.shape
    p_shape = np.shape(y_pred) if not hasattr(y_pred, "shape") else y_pred.shape
    extra = len(t_shape) - len(p_shape)
    if extra == 1 and t_shape[-1] == 1:
        if len(p_shape) == 1:
            y_pred = _reshape(y_pred, (*p_shape, 1))
        else:
            y_true = _reshape(y_true, t_shape[:-1])
    elif extra == -1 and p_shape[-1] == 1:
        if len(t_shape) == 1:
            y_true = _reshape(y_true, (*t_shape, 1))
        else:
            y_pred = _reshape(y_pred, p_shape[:-1])
    return y_true, y_pred


def _reshape(a: Any, shape: tuple[int, ...]) -> Any:
    """A Value's or an array's own reshape (a Value's keeps the graph); lists via numpy."""
    return a.reshape(shape) if hasattr(a, "reshape") else np.reshape(a, shape)


def _rows(a: np.ndarray, n: int) -> np.ndarray:
    """``a`` as (n, k): one row of outputs per sample (a view when possible)."""
    return a.reshape(n, -1)


class Metric:
    """Base class: a name and the sum of per-sample values over a batch."""

    name: str = "metric"

    def __init__(self, name: str | None = None) -> None:
        if name is not None:
            self.name = str(name)

    def batch_sum(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        """Sum over the batch of this metric's per-sample values."""
        raise NotImplementedError

    def resolve(
        self, output_shape: tuple[int, ...], y_true: np.ndarray, from_logits: bool
    ) -> Metric:
        """The metric to use for outputs of ``output_shape`` (with the batch axis) and
        targets like ``y_true``; a metric that needs no choosing returns itself."""
        return self

    def __call__(self, y_true: Any, y_pred: Any) -> float:
        """Mean over the samples of the batch."""
        t, p = np.asarray(y_true), np.asarray(y_pred)
        n = p.shape[0] if p.ndim else 1
        return self.batch_sum(t, p) / n if n else float("nan")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class BinaryAccuracy(Metric):
    """Share of outputs on the right side of ``threshold``: (y_pred > t) == (y_true > 0.5).

    Several outputs per sample (multi-label) count as the mean over them, as in Keras.
    """

    name = "binary_accuracy"

    def __init__(self, name: str | None = None, threshold: float = 0.5) -> None:
        super().__init__(name)
        self.threshold = float(threshold)

    def batch_sum(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        n = y_pred.shape[0]
        p = _rows(y_pred, n) > self.threshold
        t = _rows(y_true, n) > 0.5
        return int(np.count_nonzero(p == t)) / p.shape[1]

    def __repr__(self) -> str:
        return f"BinaryAccuracy(name={self.name!r}, threshold={self.threshold})"


class CategoricalAccuracy(Metric):
    """Share of samples whose largest output is at the largest target (one-hot targets)."""

    name = "categorical_accuracy"

    def batch_sum(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return float(np.count_nonzero(y_pred.argmax(axis=-1) == y_true.argmax(axis=-1)))


class SparseCategoricalAccuracy(Metric):
    """Share of samples whose largest output is at the integer label."""

    name = "sparse_categorical_accuracy"

    def batch_sum(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        labels = y_true.reshape(y_pred.shape[:-1])  # (N, 1) columns as (N,)
        return float(np.count_nonzero(y_pred.argmax(axis=-1) == labels))


class Accuracy(Metric):
    """Keras' "accuracy": binary, categorical or sparse, decided by `resolve`.

    Calling it before it is resolved decides from the arrays given.
    """

    name = "accuracy"

    def resolve(
        self, output_shape: tuple[int, ...], y_true: np.ndarray, from_logits: bool
    ) -> Metric:
        out = tuple(output_shape)
        if len(out) <= 1 or out[-1] == 1:
            return BinaryAccuracy(self.name, threshold=0.0 if from_logits else 0.5)
        tshape = np.shape(y_true)
        if len(tshape) < len(out) or (len(tshape) == len(out) and tshape[-1] == 1):
            return SparseCategoricalAccuracy(self.name)
        if tuple(tshape[1:]) != out[1:]:
            raise ValueError(
                f"{self.name}: cannot compare outputs of shape {out[1:]} per sample with "
                f"targets of shape {tuple(tshape[1:])} per sample"
            )
        return CategoricalAccuracy(self.name)

    def batch_sum(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return self.resolve(y_pred.shape, y_true, False).batch_sum(y_true, y_pred)


class MeanSquaredError(Metric):
    """Mean over each sample's outputs of (y_pred - y_true)^2, summed over the batch."""

    name = "mean_squared_error"

    def batch_sum(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        n = y_pred.shape[0]
        d = _rows(y_pred, n) - _rows(y_true, n)
        return float(np.mean(d * d, axis=1).sum())


class MeanAbsoluteError(Metric):
    """Mean over each sample's outputs of |y_pred - y_true|, summed over the batch."""

    name = "mean_absolute_error"

    def batch_sum(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        n = y_pred.shape[0]
        return float(np.mean(np.abs(_rows(y_pred, n) - _rows(y_true, n)), axis=1).sum())


class FunctionMetric(Metric):
    """A function ``fn(y_true, y_pred)`` of numpy arrays as a metric.

    It may return one value per sample (summed here) or a single mean (scaled by the
    batch size), so both styles of Keras custom metric work. The arrays come at the same
    rank (`align_ranks`), as Keras hands them to a metric function.
    """

    def __init__(
        self, fn: Callable[[np.ndarray, np.ndarray], Any], name: str | None = None
    ) -> None:
        super().__init__(name or getattr(fn, "__name__", "metric"))
        self.fn = fn

    def batch_sum(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        n = y_pred.shape[0]
        value = np.asarray(self.fn(*align_ranks(y_true, y_pred)), dtype=np.float64)
        if value.ndim == 0:
            return float(value) * n
        if value.shape[0] != n:
            raise ValueError(
                f"metric {self.name!r}: returned shape {value.shape}; expected one value "
                f"per sample ({n}) or a single mean"
            )
        return float(value.sum())


_BY_NAME: dict[str, Callable[[str], Metric]] = {
    "accuracy": Accuracy,
    "acc": Accuracy,
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
}


def known_metrics() -> list[str]:
    """The names `get_metric` accepts."""
    return list(_BY_NAME)


def get_metric(spec: str | Metric | Callable[[np.ndarray, np.ndarray], Any]) -> Metric:
    """A Metric for a name (named as given, e.g. "acc" reports as "acc"), a Metric
    (returned as it is) or a function ``fn(y_true, y_pred)``.

    An unknown name raises ValueError listing the known ones.
    """
    if isinstance(spec, Metric):
        return spec
    if isinstance(spec, str):
        return lookup(_BY_NAME, spec, "metric")(spec)
    if isinstance(spec, type):  # callable, but not a function of (y_true, y_pred)
        raise TypeError(f"metric is the class {spec.__name__}; pass an instance, {spec.__name__}()")
    if callable(spec):
        return FunctionMetric(spec)
    raise TypeError(f"a metric must be a name, a Metric or a function, got {type(spec).__name__}")
