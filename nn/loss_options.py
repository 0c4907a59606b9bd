"""PyTorch's loss options beyond ``reduction``: class weights, an ignored label, label
smoothing, and the elementwise weights of binary cross-entropy.

With log-probabilities logp (N, C), integer labels y, class weights w (C,) (ones if none),
kept rows k_i (0 where y_i is the ignored label) and smoothing e, PyTorch's
cross-entropy of row i is

    loss_i = -(1 - e) w[y_i] k_i logp[i, y_i]  -  (e / C) k_i sum_c w_c logp[i, c]

and its mean divides the sum by sum_i w[y_i] k_i (not by N): the weighted mean. That is
one sum, sum(logp * M), with M zero except for those coefficients (`weighted_pick`), so
the gradient is M (through log_softmax, softmax - targets), one product as in
`nn.loss_inputs.pick_at_labels`. nll_loss is the same with e = 0. Every option is a
constant: a Value that requires grad is refused rather than cut from its graph.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

import autograd
from autograd import Value
from nn.arguments import check_numbers
from nn.loss_inputs import (
    check_batch,
    check_probability_targets,
    check_reduction,
    class_labels,
    dtype_of,
    float_target,
    log_softmax,
    reduce,
    shape_of,
)

__all__ = [
    "check_ignore_index",
    "option_array",
    "soft_cross_entropy",
    "check_label_smoothing",
    "class_weights",
    "elementwise_weight",
    "labels_kept",
    "weighted_pick",
]


def _constant(who: str, name: str, value: Any, dtype: np.dtype[Any]) -> np.ndarray:
    """`value` as an array of `dtype`; a TypeError for a Value that requires grad (its
    graph would be lost) or for data that is not numbers."""
    if isinstance(value, Value):
        if value.requires_grad:
            raise TypeError(
                f"{who}: {name} must be a constant (an array, or a Value that does not "
                "require grad); this one requires grad"
            )
        value = value.data
    check_numbers(who, **{name: value})
    return np.asarray(value, dtype=dtype)


def option_array(who: str, name: str, value: Any) -> np.ndarray | None:
    """A loss Module's array option (``weight``, ``pos_weight``) as its own read-only
    float64 array; None for none. Each call casts it to the predictions' dtype."""
    if value is None:
        return None
    arr = np.array(_constant(who, name, value, np.dtype(np.float64)))
    arr.flags.writeable = False
    return arr


def class_weights(who: str, weight: Any, scores: Any) -> np.ndarray | None:
    """One weight per class, (C,) for scores (N, C), in the scores' dtype; None for none."""
    if weight is None:
        return None
    w = _constant(who, "weight", weight, dtype_of(scores))
    classes = shape_of(scores)[-1:]
    if w.shape != classes:
        raise ValueError(
            f"{who}: weight must have one value per class, shape {classes} for scores of "
            f"shape {shape_of(scores)}, got shape {w.shape}"
        )
    return w


def elementwise_weight(who: str, name: str, weight: Any, pred: Any) -> np.ndarray | None:
    """A weight that broadcasts to the predictions' shape (binary cross-entropy's
    ``weight`` and ``pos_weight``), in their dtype; None for none."""
    if weight is None:
        return None
    w = _constant(who, name, weight, dtype_of(pred))
    pshape = shape_of(pred)
    try:
        fits = np.broadcast_shapes(w.shape, pshape) == pshape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{who}: {name} of shape {w.shape} does not broadcast to the predictions' "
            f"shape {pshape}"
        )
    return w


def check_label_smoothing(who: str, label_smoothing: Any) -> float:
    """`label_smoothing` as a float in [0, 1]; ValueError (TypeError) naming `who`."""
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, numbers.Real):
        raise TypeError(
            f"{who}: label_smoothing must be a number, got {type(label_smoothing).__name__}"
        )
    e = float(label_smoothing)
    if not 0.0 <= e <= 1.0:
        raise ValueError(f"{who}: label_smoothing must be in [0, 1], got {label_smoothing!r}")
    return e


def check_ignore_index(who: str, ignore_index: Any) -> int:
    """`ignore_index` as an int; TypeError naming `who` otherwise."""
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, int | np.integer):
        raise TypeError(
            f"{who}: ignore_index must be an int, got {type(ignore_index).__name__} "
            f"{ignore_index!r}"
        )
    return int(ignore_index)


def soft_cross_entropy(
    who: str,
    logits: Any,
    target: Any,
    reduction: str,
    weight: Any,
    ignore_index: int,
    smoothing: float,
) -> Any:
    """Cross-entropy of logits (N, C) against target probabilities of the same shape,
    smoothed ((1 - e) y + e / C) and weighted per class as PyTorch does (the mean stays
    over the N rows). There is no label to ignore: an ``ignore_index`` other than
    PyTorch's default is refused, as PyTorch refuses it."""
    if ignore_index != -100:
        raise ValueError(
            f"{who}: ignore_index={ignore_index} is for integer labels; probability "
            "targets have no label to ignore"
        )
    tshape, sshape = shape_of(target), shape_of(logits)
    check_batch(who, sshape, tshape)
    if tshape != sshape:
        raise ValueError(
            f"{who}: logits have shape {sshape} but target probabilities have shape {tshape}"
        )
    t = float_target(who, logits, target)
    check_probability_targets(who, t)
    if smoothing:
        t = t * (1.0 - smoothing) + smoothing / sshape[1]
    w = class_weights(who, weight, logits)
    if w is not None:
        t = t * w
    return reduce(who, -autograd.sum(t * log_softmax(logits), axis=-1), reduction)


def labels_kept(
    who: str, scores: Any, target: Any, ignore_index: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """Checked labels for scores (N, C), the ignored ones replaced by 0, and the mask of
    the rows kept (None when no label is `ignore_index`)."""
    raw = target.data if isinstance(target, Value) else target
    labels = raw if type(raw) is np.ndarray else np.asarray(raw)
    if labels.dtype.kind in "iu":  # other dtypes: class_labels says what is wrong
        ignored = labels == ignore_index
        if ignored.any():
            return class_labels(who, scores, np.where(ignored, 0, labels)), ~ignored
    return class_labels(who, scores, target), None


def weighted_pick(
    who: str,
    logp: Any,
    labels: np.ndarray,
    keep: np.ndarray | None,
    weight: np.ndarray | None,
    label_smoothing: float,
    reduction: str,
) -> Any:
    """PyTorch's cross-entropy (nll_loss with label_smoothing 0) of log-probabilities
    (N, C) at checked labels, with class weights, kept rows and smoothing (see above).

    The mean of a batch with no row kept is nan (0 / 0), as in PyTorch.
    """
    check_reduction(who, reduction)
    n, c = shape_of(logp)
    if n == 0:  # an empty batch: a nan mean, a zero sum, as PyTorch
        return reduce(who, -logp[labels, labels], reduction)
    dtype = dtype_of(logp)
    per_class = np.ones(c, dtype) if weight is None else weight
    rows = per_class[labels] if keep is None else per_class[labels] * keep
    coef = np.zeros((n, c), dtype)
    coef[np.arange(n), labels] = (1.0 - label_smoothing) * rows
    if label_smoothing:
        kept = 1.0 if keep is None else keep[:, None]
        coef += (label_smoothing / c) * per_class * kept
    if reduction == "mean":
        with np.errstate(divide="ignore", invalid="ignore"):  # nothing kept: nan, as PyTorch
            coef /= rows.sum()
    d = logp.data if isinstance(logp, Value) else logp
    if not np.isfinite(d).all():  # -inf where the coefficient is 0: 0, not nan
        logp = autograd.where(coef != 0, logp, 0.0)
    if reduction == "none":
        return autograd.sum(logp * -coef, axis=-1)
    return autograd.sum(logp * -coef)
