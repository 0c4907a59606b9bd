"""Checking what `fit`, `evaluate` and `predict` are given, before the first batch runs.

x and y must be rectangular arrays of numbers with a non-empty batch axis of the same
length. One forward pass of two samples (no graph recorded) shows that the model accepts
x, builds lazy layers and gives the output shape; the targets are checked against it as
the loss needs them (whole-number class labels within the number of outputs,
probabilities within [0, 1], matching shapes, no nan), and the loss is tried on those two
samples. A mistake thus fails with a message that names it, not halfway through an epoch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd
from autograd import Value
from nn.data import as_array
from nn.keras.base import Compiled, KerasBase

__all__ = ["as_nonempty_array", "check_targets", "loss_number", "prepare", "probe"]


def as_nonempty_array(who: str, what: str, data: Any) -> np.ndarray:
    """A numeric numpy array with a non-empty batch axis; clear errors otherwise."""
    arr = as_array(who, what, data)
    if arr.shape[0] == 0:
        raise ValueError(f"{who}: {what} is empty")
    return arr


def loss_number(loss: Any) -> float:
    return loss.item() if isinstance(loss, Value) else float(loss)


# --- the targets against the loss ---------------------------------------------------------


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask.reshape(-1))[0])


def _is_label_column(y: np.ndarray) -> bool:
    """Shape (N,) or (N, 1): one class label per sample."""
    return y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1)


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
    if kind == "class":
        kind = "sparse" if _is_label_column(y) else "categorical"
    if kind == "sparse":
        return _class_labels(who, y, out_shape, ys)
    if kind in ("categorical", "binary", "regression"):
        _check_same_shape(who, kind, y, out_shape, ys)
        if kind != "regression":
            _check_within_0_1(who, y, ys)
        return y.astype(dtype, copy=False)
    return y


def _class_labels(who: str, y: np.ndarray, out_shape: tuple[int, ...], ys: str) -> np.ndarray:
    """Integer class labels as int64, checked to be whole and within the outputs."""
    outputs = out_shape[1:]
    if len(outputs) != 1:
        raise ValueError(
            f"{who}: class labels need model outputs of shape (batch, classes), the "
            f"model gives {out_shape}"
        )
    classes = outputs[0]
    if not _is_label_column(y):
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


def _check_same_shape(
    who: str, kind: str, y: np.ndarray, out_shape: tuple[int, ...], ys: str
) -> None:
    """Targets of the outputs' shape per sample ((N,) against (N, 1) counts as the same)."""
    per_sample = tuple(y.shape[1:])
    outputs = out_shape[1:]
    same = per_sample == outputs or (
        math.prod(per_sample) == math.prod(outputs) == 1  # (N,) against (N, 1)
    )
    if same:
        return
    hint = (
        " (for integer labels use 'sparse_categorical_crossentropy')"
        if kind == "categorical" and y.ndim == 1
        else ""
    )
    raise ValueError(
        f"{who}: targets of shape {per_sample} per sample ({ys} has shape {y.shape}) do "
        f"not match the model's outputs of shape {outputs} per sample{hint}"
    )


def _check_within_0_1(who: str, y: np.ndarray, ys: str) -> None:
    outside = (y < 0) | (y > 1)
    if outside.any():
        bad = _first_bad(outside)
        raise ValueError(
            f"{who}: the loss takes targets in [0, 1] (labels or probabilities), "
            f"got {y.reshape(-1)[bad]} at flat position {bad} of {ys}"
        )


# --- the model on two samples ---------------------------------------------------------------


def _one_axis_hint(x: np.ndarray, what: str) -> str:
    """For 1-D x, which is read as that many samples of shape (): how to pass one sample."""
    if x.ndim != 1:
        return ""
    return (
        f" ({what} of shape {x.shape} is read as {x.shape[0]} samples of shape (); for one "
        f"sample of {x.shape[0]} features pass {what}[None] or {what}.reshape(1, -1))"
    )


def _single_sample(model: KerasBase, who: str, x: np.ndarray, what: str) -> str | None:
    """The message for x that is one sample without its batch axis (Keras' "expected
    shape=(None, 4), found shape=(4,)"), or None when x is not that."""
    expected = model._expected_input_shape()
    if expected is None or tuple(x.shape) != expected:
        return None
    fix = f"{what}[None] or {what}.reshape(1, -1)" if x.ndim == 1 else f"{what}[None]"
    return (
        f"{who}: the model expects {what} of shape {(None, *expected)}, got {what} of "
        f"shape {x.shape}: one sample without the batch axis? pass {fix}"
    )


def probe(
    model: KerasBase, who: str, x: np.ndarray, what: str = "x"
) -> tuple[Any, tuple[int, ...]]:
    """Run two samples through the model without recording a graph (this also builds
    lazy layers); return the output and its shape, or raise a ValueError naming x's
    shape. The model remembers the input shape it accepted."""
    # Checked first: the probe below would cut a lone sample (4,) to "a batch" (2,)
    # and the layer's complaint about shape (2,) would contradict the x given.
    single = _single_sample(model, who, x, what)
    if single is not None:
        raise ValueError(single)
    k = min(2, x.shape[0])
    xb = Value(x[:k].astype(model._dtype_now(), copy=False), requires_grad=False)
    try:
        with autograd.no_grad():
            out = model(xb)
    except (ValueError, TypeError, IndexError) as exc:
        expected = model._expected_input_shape()
        wants = "" if expected is None else f"; it expects {(None, *expected)}"
        raise ValueError(
            f"{who}: the model does not accept {what} of shape {x.shape} ({x.shape[1:]} "
            f"per sample{wants}): {exc}{_one_axis_hint(x, what)}"
        ) from None
    shape = tuple(np.shape(out.data if isinstance(out, Value) else out))
    if not shape or shape[0] != k:
        raise ValueError(
            f"{who}: the model's output for {k} samples has shape {shape}, without a "
            f"batch axis first{_one_axis_hint(x, what)}"
        )
    model._seen_input_shape = tuple(int(d) for d in x.shape[1:])
    return out, shape


def prepare(
    model: KerasBase, who: str, state: Compiled, x: Any, y: Any, what: str = "x"
) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """Checked arrays (x in the model's dtype, y as the loss takes it) and the output
    shape; every error surfaces here, before any batch runs."""
    ys = "y" if what == "x" else what.replace("x", "y")
    xa = as_nonempty_array(who, what, x)
    if y is None:
        raise ValueError(f"{who}: {ys} (the targets) is missing")
    ya = as_nonempty_array(who, ys, y)
    if xa.shape[0] != ya.shape[0]:
        raise ValueError(
            f"{who}: {what} and {ys} have different lengths: {what} has {xa.shape[0]} "
            f"samples, {ys} has {ya.shape[0]}"
        )
    out, out_shape = probe(model, who, xa, what)
    dtype = model._dtype_now()
    ya = check_targets(who, state.target_kind, ya, out_shape, dtype, ys)
    xa = xa.astype(dtype, copy=False)
    _try_loss(who, state, out, ya, out_shape, ys)
    return xa, ya, out_shape


def _try_loss(
    who: str, state: Compiled, out: Any, y: np.ndarray, out_shape: tuple[int, ...], ys: str
) -> None:
    """The loss itself on the probe's samples: catches what the checks above cannot know."""
    try:
        with autograd.no_grad():
            value = state.loss_call(out, y[: out_shape[0]])
    except (ValueError, TypeError, IndexError) as exc:
        raise ValueError(
            f"{who}: the loss {state.loss_name} rejects {ys} of shape {y.shape} with "
            f"model outputs of shape {out_shape}: {exc}"
        ) from None
    if not isinstance(value, Value) or value.size != 1:
        got = type(value).__name__ if not isinstance(value, Value) else f"shape {value.shape}"
        raise ValueError(
            f"{who}: the loss {state.loss_name} must return a single-number Value "
            f"(built from engine operations, mean-reduced), got {got}"
        )
