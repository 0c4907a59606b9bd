"""PyTorch-style losses: the functions (``mse_loss``, ...) and their Modules (``MSELoss``, ...).

They are called predictions first, ``loss(pred, target)``, as in PyTorch. With
predictions p (or logits z) and targets y, elementwise losses average over every element
(PyTorch's reduction="mean"; for one output per sample that is the batch mean):

    mse_loss                            mean((p - y)^2)
    l1_loss                             mean(|p - y|)
    binary_cross_entropy                mean(-(y max(log p, -100)
                                               + (1 - y) max(log(1 - p), -100)))
    binary_cross_entropy_with_logits    mean(softplus(z) - z y)
                                        = mean(max(z, 0) - z y + log(1 + e^-|z|))
    cross_entropy (integer labels)      mean_i(-log_softmax(z_i)[y_i])
    cross_entropy (probability targets) mean_i(-sum_c y_ic log_softmax(z_i)_c)
    nll_loss                            mean_i(-logp_i[y_i])

These are PyTorch's numbers, at saturated and extreme inputs too. Binary cross-entropy
is PyTorch's BCELoss exactly: each log clamped at -100 (so p = 0 or 1 gives a finite
loss), and PyTorch's gradient (p - y) / max(p (1 - p), 1e-12), which stays finite and
nonzero for a confidently wrong p (sigmoid(-30) for y = 1: it keeps learning, where a clip
of p at 1e-7, Keras' way and the Keras-named losses', gives exactly zero gradient). It is
one node with that rule (the engine's `binary_cross_entropy` primitive). Predictions
outside [0, 1] (logits, usually) raise a ValueError, as PyTorch's BCELoss does; nan is
left to the nan checks.

Arguments that are not numbers at all (strings, None, ragged lists) are named as such by
`check_numbers` in each function's ``except`` clause, so the check costs a correct call
nothing. A Module's errors name the Module the user called, not the function behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import Value
from nn.arguments import check_numbers
from nn.loss_inputs import (
    check_batch,
    check_probabilities,
    check_probability_targets,
    check_reduction,
    class_labels,
    float_target,
    log_softmax,
    pick_at_labels,
    reduce,
    shape_of,
)
from nn.module import Module

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "L1Loss",
    "Loss",
    "MSELoss",
    "NLLLoss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "l1_loss",
    "mse_loss",
    "nll_loss",
    "sparse_cross_entropy",
]


# --- functions -------------------------------------------------------------------------


def mse_loss(pred: Any, target: Any, reduction: str = "mean") -> Any:
    """mean((pred - target)^2)."""
    try:
        t = float_target("mse_loss", pred, target)
        diff = pred - t
        return reduce("mse_loss", diff * diff, reduction)
    except (TypeError, ValueError):
        check_numbers("mse_loss", pred=pred, target=target)
        raise


def l1_loss(pred: Any, target: Any, reduction: str = "mean") -> Any:
    """mean(|pred - target|) (mean absolute error)."""
    try:
        t = float_target("l1_loss", pred, target)
        return reduce("l1_loss", autograd.abs(pred - t), reduction)
    except (TypeError, ValueError):
        check_numbers("l1_loss", pred=pred, target=target)
        raise


_BCE_FIX = "for logits use BCEWithLogitsLoss (or BinaryCrossentropy(from_logits=True))"


def binary_cross_entropy(pred: Any, target: Any, reduction: str = "mean") -> Any:
    """PyTorch's binary cross-entropy of probabilities p against targets y in [0, 1]:
    -(y max(log p, -100) + (1 - y) max(log(1 - p), -100)), with PyTorch's gradient
    (p - y) / max(p (1 - p), 1e-12) (the engine's `binary_cross_entropy` primitive).

    p must lie in [0, 1] (ValueError otherwise, as in PyTorch); for logits use
    `binary_cross_entropy_with_logits`.
    """
    who = "binary_cross_entropy"
    try:
        t = float_target(who, pred, target)
        check_probability_targets(who, t)
        check_probabilities(who, "pred", pred, _BCE_FIX)
        return reduce(who, autograd.binary_cross_entropy(pred, t), reduction)
    except (TypeError, ValueError):
        check_numbers(who, pred=pred, target=target)
        raise


def binary_cross_entropy_with_logits(logits: Any, target: Any, reduction: str = "mean") -> Any:
    """softplus(z) - z y = max(z, 0) - z y + log(1 + e^-|z|): stable for any z.

    d/dz = sigmoid(z) - y.
    """
    who = "binary_cross_entropy_with_logits"
    try:
        t = float_target(who, logits, target)
        check_probability_targets(who, t)
        return reduce(who, autograd.softplus(logits) - logits * t, reduction)
    except (TypeError, ValueError):
        check_numbers(who, logits=logits, target=target)
        raise


def cross_entropy(logits: Any, target: Any, reduction: str = "mean") -> Any:
    """Cross-entropy of logits (N, C) against integer labels (N,) or target
    probabilities (N, C), through log_softmax (stable for logits of 1e4).

    Integer labels (N,) (or a column (N, 1)): mean_i(-log_softmax(z_i)[y_i]);
    probabilities (N, C) (one-hot or soft, float or int):
    mean_i(-sum_c y_ic log_softmax(z_i)_c). d/dz = (softmax(z) - y) / N.
    """
    who = "cross_entropy"
    try:
        if type(target) is np.ndarray and target.ndim == 1:  # labels (N,): the common case first
            return sparse_cross_entropy(who, logits, class_labels(who, logits, target), reduction)
        target = _label_column_as_labels(logits, target)
        tshape, sshape = shape_of(target), shape_of(logits)
        if len(tshape) == 2 and len(sshape) == 2:
            return _soft_cross_entropy(who, logits, target, reduction)
        labels = class_labels(who, logits, target)
        return sparse_cross_entropy(who, logits, labels, reduction)
    except (TypeError, ValueError):
        check_numbers(who, logits=logits, target=target)
        raise


def _label_column_as_labels(logits: Any, target: Any) -> Any:
    """Integer labels given as a column (N, 1), as Keras' sparse losses accept them,
    flattened to (N,); any other target unchanged."""
    tshape, sshape = shape_of(target), shape_of(logits)
    if len(tshape) == 2 and tshape[1] == 1 and len(sshape) == 2 and sshape[1] > 1:
        raw = target.data if isinstance(target, Value) else target
        if np.asarray(raw).dtype.kind in "iu":
            return np.asarray(raw).reshape(-1)
    return target


def _soft_cross_entropy(who: str, logits: Any, target: Any, reduction: str) -> Any:
    """Cross-entropy of logits (N, C) against target probabilities of the same shape."""
    tshape, sshape = shape_of(target), shape_of(logits)
    check_batch(who, sshape, tshape)
    if tshape != sshape:
        raise ValueError(
            f"{who}: logits have shape {sshape} but target probabilities have shape {tshape}"
        )
    t = float_target(who, logits, target)
    check_probability_targets(who, t)
    return reduce(who, -autograd.sum(t * log_softmax(logits), axis=-1), reduction)


def sparse_cross_entropy(who: str, logits: Any, labels: np.ndarray, reduction: str) -> Any:
    """Cross-entropy of logits at checked integer labels.

    The mean goes through the engine's fused `softmax_cross_entropy` (one node, gradient
    softmax - onehot); other reductions through log_softmax.
    """
    if reduction == "mean" and labels.shape[0] > 0:
        return autograd.softmax_cross_entropy(logits, labels=labels)
    return pick_at_labels(who, log_softmax(logits), labels, reduction)


def nll_loss(log_probs: Any, target: Any, reduction: str = "mean") -> Any:
    """Negative log-likelihood of log-probabilities (N, C) (e.g. from log_softmax)
    at integer labels (N,): mean_i(-logp_i[y_i])."""
    who = "nll_loss"
    try:
        labels = class_labels(who, log_probs, target)
        return pick_at_labels(who, log_probs, labels, reduction)
    except (TypeError, ValueError):
        check_numbers(who, log_probs=log_probs, target=target)
        raise


# --- modules ---------------------------------------------------------------------------


class Loss(Module):
    """A loss as a Module: ``loss_fn(pred, target)`` returns a scalar Value."""

    # Whether the loss reads the graph behind its predictions (the Keras cross-entropies
    # take probabilities from the logits under them): then an evaluation must record that
    # graph too, to compute the same loss as training.
    reads_graph = False

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(Loss):
    """Mean squared error (see `mse_loss`)."""

    def forward(self, pred: Any, target: Any) -> Any:
        return _renamed("MSELoss", mse_loss, pred, target, self.reduction)


class L1Loss(Loss):
    """Mean absolute error (see `l1_loss`)."""

    def forward(self, pred: Any, target: Any) -> Any:
        return _renamed("L1Loss", l1_loss, pred, target, self.reduction)


class BCELoss(Loss):
    """PyTorch's binary cross-entropy of probabilities in [0, 1], its log clamped at -100
    (see `binary_cross_entropy`); predictions outside [0, 1] raise ValueError (use
    BCEWithLogitsLoss for logits)."""

    def forward(self, pred: Any, target: Any) -> Any:
        return _renamed("BCELoss", binary_cross_entropy, pred, target, self.reduction)


class BCEWithLogitsLoss(Loss):
    """Binary cross-entropy of logits, stable (see `binary_cross_entropy_with_logits`)."""

    def forward(self, logits: Any, target: Any) -> Any:
        return _renamed(
            "BCEWithLogitsLoss", binary_cross_entropy_with_logits, logits, target, self.reduction
        )


class CrossEntropyLoss(Loss):
    """Cross-entropy of logits against integer labels or probabilities (`cross_entropy`)."""

    def forward(self, logits: Any, target: Any) -> Any:
        return _renamed("CrossEntropyLoss", cross_entropy, logits, target, self.reduction)


class NLLLoss(Loss):
    """Negative log-likelihood of log-probabilities at integer labels (`nll_loss`)."""

    def forward(self, log_probs: Any, target: Any) -> Any:
        return _renamed("NLLLoss", nll_loss, log_probs, target, self.reduction)


def _renamed(who: str, fn: Callable[..., Any], pred: Any, target: Any, reduction: str) -> Any:
    """Call a loss function; errors name the module the user called, not the function."""
    try:
        return fn(pred, target, reduction)
    except (ValueError, TypeError) as exc:
        text = str(exc)
        name = fn.__name__ + ":"
        if text.startswith(name):
            raise type(exc)(who + ":" + text[len(name) :]) from None
        raise
