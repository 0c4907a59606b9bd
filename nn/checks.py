"""Checking what `fit` and `evaluate` are given, before the first batch runs.

x and y must be rectangular arrays of numbers with a non-empty batch axis; targets
are checked against what the loss needs (whole-number class labels within the number
of outputs, probabilities within [0, 1], matching shapes, no nan), so that a mistake
fails with a message that names it instead of halfway through an epoch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Value
from nn.data import as_array


def as_nonempty_array(who: str, what: str, data: Any) -> np.ndarray:
    """A numeric numpy array with a non-empty batch axis; clear errors otherwise."""
    arr = as_array(who, what, data)
    if arr.shape[0] == 0:
        raise ValueError(f"{who}: {what} is empty")
    return arr


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask.reshape(-1))[0])


def check_targets(
    who: str,
    kind: str | None,
    y: np.ndarray,
    out_shape: tuple[int, ...],
    dtype: np.dtype[Any],
    ys: str = "y",
) -> np.ndarray:
    """Check every target (``ys`` names them in messages) against what the loss needs;
    return them in the form the loss takes best (class labels as int64, other targets in
    the model's dtype)."""
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        bad = _first_bad(~np.isfinite(y))
        raise ValueError(f"{who}: {ys} holds {y.reshape(-1)[bad]} at flat position {bad}")
    per_sample = tuple(y.shape[1:])
    outputs = out_shape[1:]
    if kind == "class":
        kind = "sparse" if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1) else "categorical"
    if kind == "sparse":
        if len(outputs) != 1:
            raise ValueError(
                f"{who}: class labels need model outputs of shape (batch, classes), the "
                f"model gives {out_shape}"
            )
        classes = outputs[0]
        if not (y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1)):
            raise ValueError(
                f"{who}: the loss takes integer class labels of shape ({y.shape[0]},), got "
                f"{ys} of shape {y.shape} (for one-hot targets use "
                "'categorical_crossentropy')"
            )
        labels = y.reshape(-1)
        if labels.dtype.kind == "f":
            whole = labels == np.floor(labels)
            if not whole.all():
                bad = _first_bad(~whole)
                raise ValueError(
                    f"{who}: class labels must be whole numbers, got {labels[bad]} at "
                    f"position {bad} of {ys}"
                )
        outside = (labels < 0) | (labels >= classes)
        if outside.any():
            bad = _first_bad(outside)
            raise ValueError(
                f"{who}: label {labels[bad]} at position {bad} of {ys} is out of range: the model "
                f"has {classes} outputs, so labels must be in 0..{classes - 1}"
            )
        return labels.astype(np.int64)
    if kind in ("categorical", "binary", "regression"):
        same = per_sample == outputs or (
            math.prod(per_sample) == math.prod(outputs) == 1  # (N,) against (N, 1)
        )
        if not same:
            hint = (
                " (for integer labels use 'sparse_categorical_crossentropy')"
                if kind == "categorical" and y.ndim == 1
                else ""
            )
            raise ValueError(
                f"{who}: targets of shape {per_sample} per sample ({ys} has shape {y.shape}) do "
                f"not match the model's outputs of shape {outputs} per sample{hint}"
            )
        if kind != "regression":
            outside = (y < 0) | (y > 1)
            if outside.any():
                bad = _first_bad(outside)
                raise ValueError(
                    f"{who}: the loss takes targets in [0, 1] (labels or probabilities), "
                    f"got {y.reshape(-1)[bad]} at flat position {bad} of {ys}"
                )
        return y.astype(dtype, copy=False)
    return y


def loss_number(loss: Any) -> float:
    return loss.item() if isinstance(loss, Value) else float(loss)
