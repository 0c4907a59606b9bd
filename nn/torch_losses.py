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

PyTorch's options come with them: a class ``weight``, ``ignore_index`` and
``label_smoothing`` for cross_entropy (the first two for nll_loss), an elementwise
``weight`` for both binary cross-entropies and ``pos_weight`` for the logits form
(their formulas are in `nn.loss_options`). The Modules take ``weight`` first, as
PyTorch's do, and the others by keyword.

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
    check_probabilities,
    check_probability_targets,
    check_reduction,
    float_target,
    log_softmax,
    pick_at_labels,
    reduce,
    shape_of,
)
from nn.loss_options import (
    check_ignore_index,
    check_label_smoothing,
    class_weights,
    elementwise_weight,
    labels_kept,
    option_array,
    soft_cross_entropy,
    weighted_pick,
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


def binary_cross_entropy(
    pred: Any, target: Any, reduction: str = "mean", weight: Any = None
) -> Any:
    """PyTorch's binary cross-entropy of probabilities p against targets y in [0, 1]:
    -(y max(log p, -100) + (1 - y) max(log(1 - p), -100)), with PyTorch's gradient
    (p - y) / max(p (1 - p), 1e-12) (the engine's `binary_cross_entropy` primitive),
    times ``weight`` (any shape that broadcasts to p's) if given.

    p must lie in [0, 1] (ValueError otherwise, as in PyTorch); for logits use
    `binary_cross_entropy_with_logits`.
    """
    who = "binary_cross_entropy"
    try:
        t = float_target(who, pred, target)
        check_probability_targets(who, t)
        check_probabilities(who, "pred", pred, _BCE_FIX)
        loss = autograd.binary_cross_entropy(pred, t)
        w = elementwise_weight(who, "weight", weight, pred)
        return reduce(who, loss if w is None else loss * w, reduction)
    except (TypeError, ValueError):
        check_numbers(who, pred=pred, target=target)
        raise


def binary_cross_entropy_with_logits(
    logits: Any, target: Any, reduction: str = "mean", weight: Any = None, pos_weight: Any = None
) -> Any:
    """softplus(z) - z y = max(z, 0) - z y + log(1 + e^-|z|): stable for any z.
    d/dz = sigmoid(z) - y.

    ``pos_weight`` p (say (C,), one per output) weighs the positive term, PyTorch's
    (1 - y) z + (1 + (p - 1) y) softplus(-z); ``weight`` multiplies the result. Both
    broadcast to z's shape.
    """
    who = "binary_cross_entropy_with_logits"
    try:
        t = float_target(who, logits, target)
        check_probability_targets(who, t)
        p = elementwise_weight(who, "pos_weight", pos_weight, logits)
        if p is None:
            loss = autograd.softplus(logits) - logits * t
        else:
            loss = (1.0 - t) * logits + (1.0 + (p - 1.0) * t) * autograd.softplus(-logits)
        w = elementwise_weight(who, "weight", weight, logits)
        return reduce(who, loss if w is None else loss * w, reduction)
    except (TypeError, ValueError):
        check_numbers(who, logits=logits, target=target)
        raise


def cross_entropy(
    logits: Any,
    target: Any,
    reduction: str = "mean",
    weight: Any = None,
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> Any:
    """Cross-entropy of logits (N, C) against integer labels (N,) or target
    probabilities (N, C), through log_softmax (stable for logits of 1e4).

    Integer labels (N,) (or a column (N, 1)): mean_i(-log_softmax(z_i)[y_i]);
    probabilities (N, C) (one-hot or soft, float or int):
    mean_i(-sum_c y_ic log_softmax(z_i)_c). d/dz = (softmax(z) - y) / N.

    PyTorch's options: ``weight`` (C,) weighs each class (the mean becomes the weighted
    mean over labels), labels equal to ``ignore_index`` add nothing, and
    ``label_smoothing`` e mixes the targets with the uniform distribution, (1 - e) y +
    e / C (see `nn.loss_options`).
    """
    who = "cross_entropy"
    try:
        ignore_index = check_ignore_index(who, ignore_index)
        smoothing = check_label_smoothing(who, label_smoothing)
        if not (type(target) is np.ndarray and target.ndim == 1):  # labels (N,): common
            target = _label_column_as_labels(logits, target)
            if len(shape_of(target)) == 2 and len(shape_of(logits)) == 2:
                options = (weight, ignore_index, smoothing)
                return soft_cross_entropy(who, logits, target, reduction, *options)
        labels, keep = labels_kept(who, logits, target, ignore_index)
        w = class_weights(who, weight, logits)
        if keep is None and w is None and not smoothing:
            return sparse_cross_entropy(who, logits, labels, reduction)
        return weighted_pick(who, log_softmax(logits), labels, keep, w, smoothing, reduction)
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


def sparse_cross_entropy(who: str, logits: Any, labels: np.ndarray, reduction: str) -> Any:
    """Cross-entropy of logits at checked integer labels.

    The mean goes through the engine's fused `softmax_cross_entropy` (one node, gradient
    softmax - onehot); other reductions through log_softmax.
    """
    if reduction == "mean" and labels.shape[0] > 0:
        return autograd.softmax_cross_entropy(logits, labels=labels)
    return pick_at_labels(who, log_softmax(logits), labels, reduction)


def nll_loss(
    log_probs: Any,
    target: Any,
    reduction: str = "mean",
    weight: Any = None,
    ignore_index: int = -100,
) -> Any:
    """Negative log-likelihood of log-probabilities (N, C) (e.g. from log_softmax)
    at integer labels (N,): mean_i(-logp_i[y_i]); with PyTorch's class ``weight`` (C,)
    (a weighted mean) and ``ignore_index`` as `cross_entropy`."""
    who = "nll_loss"
    try:
        labels, keep = labels_kept(who, log_probs, target, check_ignore_index(who, ignore_index))
        w = class_weights(who, weight, log_probs)
        if keep is None and w is None:
            return pick_at_labels(who, log_probs, labels, reduction)
        return weighted_pick(who, log_probs, labels, keep, w, 0.0, reduction)
    except (TypeError, ValueError):
        check_numbers(who, log_probs=log_probs, target=target)
        raise


# --- modules ---------------------------------------------------------------------------


class Loss(Module):
    """A loss as a Module: ``loss_fn(pred, target)`` returns a scalar Value.

    A PyTorch-style loss takes PyTorch's arguments (``weight`` first, the others by
    keyword) and hands its options to its function on every call: the same code path.
    """

    # Whether the loss reads the graph behind its predictions (the Keras cross-entropies
    # take probabilities from the logits under them): then an evaluation must record that
    # graph too, to compute the same loss as training.
    reads_graph = False
    # The options beyond reduction, with their defaults: repr shows those that differ.
    _options: tuple[tuple[str, Any], ...] = ()

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def options(self) -> dict[str, Any]:
        """The options beyond reduction, by name, as the function takes them."""
        return {name: getattr(self, name) for name, _ in self._options}

    def extra_repr(self) -> str:
        parts = []
        for name, default in self._options:
            value = getattr(self, name)
            if isinstance(value, np.ndarray):
                shown = np.array2string(value, separator=", ") if value.size <= 6 else ""
                parts.append(f"{name}={shown or f'<array of shape {value.shape}>'}")
            elif value != default:
                parts.append(f"{name}={value!r}")
        if self.reduction != "mean":
            parts.append(f"reduction={self.reduction!r}")
        return ", ".join(parts)


class MSELoss(Loss):
    """Mean squared error (see `mse_loss`)."""

    def forward(self, pred: Any, target: Any) -> Any:
        return _renamed("MSELoss", mse_loss, pred, target, self.reduction)


class L1Loss(Loss):
    """Mean absolute error (see `l1_loss`)."""

    def forward(self, pred: Any, target: Any) -> Any:
        return _renamed("L1Loss", l1_loss, pred, target, self.reduction)


class BCELoss(Loss):
    """PyTorch's binary cross-entropy of probabilities in [0, 1], its log clamped at -100,
    times ``weight`` if given (see `binary_cross_entropy`); predictions outside [0, 1]
    raise ValueError (use BCEWithLogitsLoss for logits)."""

    _options = (("weight", None),)

    def __init__(self, weight: Any = None, *, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight = option_array("BCELoss", "weight", weight)

    def forward(self, pred: Any, target: Any) -> Any:
        fn = binary_cross_entropy
        return _renamed("BCELoss", fn, pred, target, self.reduction, **self.options())


class BCEWithLogitsLoss(Loss):
    """Binary cross-entropy of logits, stable, with PyTorch's ``weight`` and
    ``pos_weight`` (see `binary_cross_entropy_with_logits`)."""

    _options = (("weight", None), ("pos_weight", None))

    def __init__(
        self, weight: Any = None, *, reduction: str = "mean", pos_weight: Any = None
    ) -> None:
        super().__init__(reduction)
        self.weight = option_array("BCEWithLogitsLoss", "weight", weight)
        self.pos_weight = option_array("BCEWithLogitsLoss", "pos_weight", pos_weight)

    def forward(self, logits: Any, target: Any) -> Any:
        fn = binary_cross_entropy_with_logits
        return _renamed("BCEWithLogitsLoss", fn, logits, target, self.reduction, **self.options())


class CrossEntropyLoss(Loss):
    """Cross-entropy of logits against integer labels or probabilities, with PyTorch's
    class ``weight``, ``ignore_index`` and ``label_smoothing`` (see `cross_entropy`)."""

    _options = (("weight", None), ("ignore_index", -100), ("label_smoothing", 0.0))

    def __init__(
        self,
        weight: Any = None,
        *,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(reduction)
        self.weight = option_array("CrossEntropyLoss", "weight", weight)
        self.ignore_index = check_ignore_index("CrossEntropyLoss", ignore_index)
        self.label_smoothing = check_label_smoothing("CrossEntropyLoss", label_smoothing)

    def forward(self, logits: Any, target: Any) -> Any:
        fn = cross_entropy
        return _renamed("CrossEntropyLoss", fn, logits, target, self.reduction, **self.options())


class NLLLoss(Loss):
    """Negative log-likelihood of log-probabilities at integer labels, with PyTorch's
    class ``weight`` and ``ignore_index`` (see `nll_loss`)."""

    _options = (("weight", None), ("ignore_index", -100))

    def __init__(
        self, weight: Any = None, *, ignore_index: int = -100, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction)
        self.weight = option_array("NLLLoss", "weight", weight)
        self.ignore_index = check_ignore_index("NLLLoss", ignore_index)

    def forward(self, log_probs: Any, target: Any) -> Any:
        fn = nll_loss
        return _renamed("NLLLoss", fn, log_probs, target, self.reduction, **self.options())


def _renamed(
    who: str, fn: Callable[..., Any], pred: Any, target: Any, reduction: str, **options: Any
) -> Any:
    """Call a loss function; errors name the module the user called, not the function."""
    try:
        return fn(pred, target, reduction, **options)
    except (ValueError, TypeError) as exc:
        text = str(exc)
        name = fn.__name__ + ":"
        if text.startswith(name):
            raise type(exc)(who + ":" + text[len(name) :]) from None
        raise
