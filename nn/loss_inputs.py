"""What every loss does before and after its formula: read the arguments, then reduce.

Before: targets become data (or a constant Value) of the predictions' dtype and shape, so
a float64 label array cannot promote a float32 network, and a target of shape (N,)
against predictions of shape (N, 1) is reshaped to (N, 1) rather than broadcast to
(N, N). Class labels are checked for dtype, shape and range, probabilities for lying in
[0, 1]. Errors name the loss (``who``) and say what was wrong.

After: the elementwise loss is reduced as PyTorch's ``reduction`` says ("mean", "sum" or
"none"); `pick_at_labels` reduces log-probabilities at integer labels.

Both the PyTorch-style losses (`nn.torch_losses`) and the Keras-named ones (`nn.losses`)
build on these.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np

import autograd
from autograd import Value
from nn.arguments import holds_complex

__all__ = [
    "EPSILON",
    "REDUCTIONS",
    "check_batch",
    "check_probabilities",
    "check_probability_targets",
    "check_real",
    "check_reduction",
    "class_labels",
    "dtype_of",
    "float_target",
    "log_softmax",
    "pick_at_labels",
    "reduce",
    "shape_of",
]

# Keras' fuzz factor for probabilities; PyTorch clamps log(p) at -100 instead.
EPSILON: Final = 1e-7
REDUCTIONS: Final = ("mean", "sum", "none")


def shape_of(x: Any) -> tuple[int, ...]:
    """The shape of a Value, an array, a list or a Python float."""
    d = x.data if isinstance(x, Value) else x
    if type(d) is np.ndarray:
        return d.shape  # type: ignore[no-any-return]
    return () if type(d) is float else tuple(np.shape(d))


def dtype_of(x: Any) -> np.dtype[Any]:
    """The dtype of a Value, an array or a list; float64 for a Python float."""
    d = x.data if isinstance(x, Value) else x
    return np.dtype(np.float64) if type(d) is float else np.asarray(d).dtype


def check_reduction(who: str, reduction: str) -> None:
    """A ValueError naming `who` unless `reduction` is one of `REDUCTIONS`."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{who}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def reduce(who: str, loss: Any, reduction: str) -> Any:
    """The mean or the sum of an elementwise loss, or the loss itself ("none")."""
    if reduction == "mean":
        return autograd.mean(loss)
    if reduction == "sum":
        return autograd.sum(loss)
    check_reduction(who, reduction)
    return loss


def check_real(who: str, pred: Any) -> None:
    """A TypeError for complex predictions, which the formulas would otherwise turn into
    complex losses or cast to real numbers, dropping the imaginary parts. (Each loss's
    error path, `check_numbers`, then names the argument.)"""
    if holds_complex(pred):
        raise TypeError(f"{who}: predictions must be real numbers, got {dtype_of(pred)} data")


def check_batch(who: str, pred_shape: tuple[int, ...], target_shape: tuple[int, ...]) -> None:
    """A ValueError when predictions and targets have different numbers of rows."""
    if pred_shape and target_shape and pred_shape[0] != target_shape[0]:
        raise ValueError(
            f"{who}: batch sizes differ: predictions have {pred_shape[0]} rows (shape "
            f"{pred_shape}), targets have {target_shape[0]} (shape {target_shape})"
        )


def float_target(who: str, pred: Any, target: Any) -> Any:
    """Targets as data (or a Value) of the predictions' dtype and shape."""
    check_real(who, pred)
    pshape = shape_of(pred)
    if isinstance(target, Value):
        t: Any = target
        tshape = target.shape
        if not target.requires_grad and target.dtype != dtype_of(pred):
            t = np.asarray(target.data, dtype=dtype_of(pred))  # a constant: pred's dtype
    else:
        arr = np.asarray(target)
        if arr.dtype.kind not in "fiub":
            raise TypeError(f"{who}: targets must be numbers, got an array of dtype {arr.dtype}")
        t = arr.astype(dtype_of(pred), copy=False)
        tshape = t.shape
    check_batch(who, pshape, tshape)
    if tshape != pshape:
        if int(np.prod(tshape)) == int(np.prod(pshape)) and (
            (*tshape, 1) == pshape or (*pshape, 1) == tshape
        ):
            # (N,) against (N, 1): the same numbers; reshape rather than broadcast to (N, N).
            t = autograd.reshape(t, shape=pshape)
        else:
            raise ValueError(
                f"{who}: predictions have shape {pshape} but targets have shape {tshape}"
            )
    return t


def check_probability_targets(who: str, t: Any) -> None:
    """A ValueError unless every target lies in [0, 1]."""
    d = t.data if isinstance(t, Value) else t
    if np.size(d) and (np.min(d) < 0 or np.max(d) > 1):
        raise ValueError(
            f"{who}: targets must lie in [0, 1], got values from {np.min(d)} to {np.max(d)}"
        )


def check_probabilities(who: str, arg: str, pred: Any, fix: str) -> None:
    """Predictions given as probabilities must lie in [0, 1], as PyTorch's BCELoss says.

    Outside it the clip the losses apply has zero gradient: logits passed there by
    mistake would give a finite loss that never moves. One min and one max over the
    predictions; a nan makes both nan and both comparisons false, so nan is left to the
    nan checks (fit stops on a nan loss with its own message).
    """
    d = pred.data if isinstance(pred, Value) else pred
    if type(d) is not np.ndarray:
        d = np.asarray(d)
    if d.size == 0:
        return
    lo, hi = d.min(), d.max()
    if lo < 0 or hi > 1:
        raise ValueError(
            f"{who}: {arg} must hold probabilities in [0, 1], got values from {lo} to {hi} "
            f"(shape {d.shape}); {fix}"
        )


def class_labels(who: str, scores: Any, target: Any) -> np.ndarray:
    """Integer labels checked against scores of shape (N, C): dtype, shape, range.

    Labels of any integer dtype and byte order (uint8, big-endian int32, ...) come back
    as native np.intp, the type numpy indexes with."""
    check_real(who, scores)
    sshape = shape_of(scores)
    if len(sshape) != 2:
        raise ValueError(f"{who}: expects scores of shape (batch, classes), got shape {sshape}")
    n, c = sshape
    raw = target.data if isinstance(target, Value) else target
    labels = raw if type(raw) is np.ndarray else np.asarray(raw)
    if labels.dtype.kind not in "iu":
        hint = (
            " (a Value always holds floats: pass labels as a numpy integer array)"
            if isinstance(target, Value)
            else " (cast them with .astype(int), or pass one-hot targets of shape (N, C))"
        )
        raise TypeError(
            f"{who}: class labels must be integers, got dtype {labels.dtype} with shape "
            f"{labels.shape}{hint}"
        )
    if labels.ndim != 1:
        raise ValueError(f"{who}: integer labels must have shape ({n},), got {labels.shape}")
    if labels.shape[0] != n:
        raise ValueError(
            f"{who}: batch sizes differ: scores have {n} rows, labels have {labels.shape[0]}"
        )
    if not labels.dtype.isnative:  # big-endian labels: the range check reads numbers
        labels = labels.astype(labels.dtype.newbyteorder("="))
    if n:
        _check_label_range(who, labels, c)
    return labels if labels.dtype == _INTP else labels.astype(_INTP)  # (in range: exact)


_INTP: Final = np.dtype(np.intp)
# The unsigned dtype of each integer size, for the label range check below.
_UNSIGNED: Final = {n: np.dtype(f"u{n}") for n in (1, 2, 4, 8)}


def _check_label_range(who: str, labels: np.ndarray, classes: int) -> None:
    """A ValueError naming the first label outside 0..classes-1 (labels in native order)."""
    # One reduction checks both ends: seen as unsigned, a negative label is huge.
    unsigned = labels.view(_UNSIGNED[labels.itemsize]) if labels.dtype.kind == "i" else labels
    if int(np.maximum.reduce(unsigned)) >= classes:
        bad = int(np.flatnonzero((labels < 0) | (labels >= classes))[0])
        raise ValueError(
            f"{who}: label {int(labels[bad])} at position {bad} is out of range for "
            f"{classes} classes (labels must be in 0..{classes - 1})"
        )


def log_softmax(logits: Any) -> Any:
    """log_softmax over the last axis of logits shifted by each row's maximum, computed
    as PyTorch computes it, (z - max) - log(sum(e^(z - max))). The shift is a constant,
    so the gradient is the same; without it, z - logsumexp(z) loses the digits of the
    log-sum at huge logits (1e30 + log 2 rounds to 1e30, giving log-probabilities of 0
    for two tied classes; at 1e4 in float32, a relative error of 1e-4)."""
    d = logits.data if isinstance(logits, Value) else np.asarray(logits)
    if type(d) is np.ndarray and d.size:
        m = np.max(d, axis=-1, keepdims=True)
        if not np.isfinite(m).all():  # an all -inf row stays -inf, not nan
            m = np.where(np.isfinite(m), m, 0)
        logits = logits - m
    return autograd.log_softmax(logits, axis=-1)


def pick_at_labels(who: str, logp: Any, labels: np.ndarray, reduction: str) -> Any:
    """-logp[i, labels[i]] for each row, reduced.

    Computed as sum(logp * w) with w zero except w[i, labels[i]] = -1/N (mean), -1 (sum):
    one product and one sum, whose backward is a plain multiply. Indexing logp[i, y_i]
    instead would need a scatter (np.add.at) in backward, which costs more than that
    multiply at the batch sizes training uses. Log-probabilities of -inf away from the
    labels (classes masked out, as PyTorch's NLLLoss allows) would make 0 * -inf = nan
    there: then the entries away from the labels are zeroed first (`where`), and the
    loss is PyTorch's, finite.
    """
    check_reduction(who, reduction)
    n = labels.shape[0]
    if n == 0:
        return reduce(who, -logp[labels, labels], reduction)  # empty: nan mean, 0 sum
    weights = np.zeros(shape_of(logp), dtype=dtype_of(logp))
    weights[np.arange(n), labels] = -1.0 / n if reduction == "mean" else -1.0
    d = logp.data if isinstance(logp, Value) else logp
    if not np.isfinite(d).all():
        logp = autograd.where(weights != 0, logp, 0.0)
    if reduction == "none":
        return autograd.sum(logp * weights, axis=-1)
    return autograd.sum(logp * weights)
