"""Losses: every loss by its import path, and the Keras-named losses that `get_loss` finds.

This module is where users import losses from. The PyTorch-style losses, functions and
Modules called predictions first, live in `nn.torch_losses` (their formulas are listed
there) and are re-exported here:

    mse_loss, l1_loss, binary_cross_entropy, binary_cross_entropy_with_logits,
    cross_entropy, nll_loss;  MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss,
    CrossEntropyLoss, NLLLoss

Targets are numpy arrays (or lists, or constant Values); they never become graph nodes
that need gradients. Float targets are cast to the predictions' dtype, so a float64 label
array cannot promote a float32 network (`nn.loss_inputs`). Errors name the loss and say
what was wrong: mismatched batch sizes or shapes, float labels where class indices are
needed, labels out of range; arguments that are not numbers at all (strings, None, ragged
lists) are named as such (for the Keras classes, by `Module.__call__`).

Keras-style losses, defined here (for ``compile``; `get_loss` finds them by Keras' names):

    MeanSquaredError             "mse", "mean_squared_error"
    MeanAbsoluteError            "mae", "mean_absolute_error"
    BinaryCrossentropy           "binary_crossentropy"
    CategoricalCrossentropy      "categorical_crossentropy"          (one-hot targets)
    SparseCategoricalCrossentropy "sparse_categorical_crossentropy"  (integer labels)

They follow Keras: they are called as ``loss(y_true, y_pred)`` (targets FIRST, the
opposite of the PyTorch-style modules), and the cross-entropies take probabilities
unless built with ``from_logits=True``; probabilities are clipped to [1e-7, 1 - 1e-7].
``reduction="none"`` gives one value per sample (the mean over a sample's outputs), as in
Keras. Integer labels may come as floats holding whole numbers, or as a column (N, 1).
Keras also rescales categorical probabilities to sum to one; for the softmax outputs the
loss is meant for that changes neither the value nor the gradient, so it is left out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import Value
from autograd.node import keywords_of
from nn.arguments import lookup
from nn.loss_inputs import (
    EPSILON,
    check_probabilities,
    check_probability_targets,
    class_labels,
    float_target,
    log_softmax,
    pick_at_labels,
    reduce,
    shape_of,
)
from nn.module import Module
from nn.torch_losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    Loss,
    MSELoss,
    NLLLoss,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
    sparse_cross_entropy,
)

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "CrossEntropyLoss",
    "L1Loss",
    "MSELoss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "NLLLoss",
    "SparseCategoricalCrossentropy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "get_loss",
    "known_losses",
    "l1_loss",
    "mse_loss",
    "nll_loss",
]


def _keras_reduce(who: str, loss: Any, reduction: str) -> Any:
    """Keras' reductions of elementwise or per-sample losses.

    "none" gives one value per sample (the mean over a sample's outputs); "sum" adds those
    up; "mean" is their mean, which for equal-sized samples is the mean of all elements.
    """
    if reduction == "mean":
        return autograd.mean(loss)
    per_sample = autograd.mean(loss, axis=-1) if len(shape_of(loss)) >= 2 else loss
    return reduce(who, per_sample, reduction)


def _sparse_labels(who: str, y_pred: Any, y_true: Any) -> np.ndarray:
    """Integer class labels as Keras accepts them: a column (N, 1) becomes (N,), and
    floats or booleans holding whole numbers become int64."""
    raw = y_true.data if isinstance(y_true, Value) else y_true
    labels = np.asarray(raw)
    pshape = shape_of(y_pred)
    if labels.ndim >= 1 and labels.ndim == len(pshape) and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    if labels.dtype.kind == "b":
        labels = labels.astype(np.int64)
    elif labels.dtype.kind == "f":
        whole = np.isfinite(labels) & (labels == np.floor(labels))
        if not whole.all():
            bad = int(np.flatnonzero(~whole.reshape(-1))[0])
            raise ValueError(
                f"{who}: labels must be whole numbers (class indices), got "
                f"{labels.reshape(-1)[bad]} at position {bad}"
            )
        labels = labels.astype(np.int64)
    return labels


def _logits_under(y_pred: Any, op: str) -> Any:
    """The logits z that probabilities y_pred were computed from, when y_pred is the
    recorded output of `op` ("softmax" over the last axis, or "sigmoid"); else None.

    Cross-entropy of probabilities clips p to [1e-7, 1 - 1e-7], and the clip's gradient
    is zero outside that range: a sample whose true class got p < 1e-7 (a confident
    mistake, the very sample to learn from) would stop contributing. From z the loss
    needs no clip and its gradient is exact (softmax(z) - onehot); Keras' TensorFlow
    backend does the same for a softmax or sigmoid output layer.
    """
    if not isinstance(y_pred, Value) or y_pred.op != op:
        return None
    (z,) = y_pred.parents
    if op == "softmax":
        axis = (keywords_of(y_pred) or {}).get("axis", -1)
        if axis not in (-1, z.ndim - 1):
            return None
    return z


class _KerasLoss(Loss):
    """Base of the Keras-style losses: ``loss(y_true, y_pred)``, targets first.

    ``name`` is Keras' name; ``from_logits`` says what the predictions are;
    ``target_kind`` ("regression", "binary", "categorical" or "sparse") tells ``fit``
    which checks to run on all the targets before training starts.
    """

    y_true_first = True
    name = ""
    target_kind = ""
    from_logits = False
    _names_bad_inputs = True  # y_true or y_pred that is not numbers (see Module.__call__)

    def __init__(self, from_logits: bool = False, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.from_logits = bool(from_logits)

    def forward(self, y_true: Any, y_pred: Any) -> Any:
        raise NotImplementedError

    def extra_repr(self) -> str:
        parts = ["from_logits=True"] if self.from_logits else []
        if self.reduction != "mean":
            parts.append(f"reduction={self.reduction!r}")
        return ", ".join(parts)


class MeanSquaredError(_KerasLoss):
    """Keras' "mse": mean((y_pred - y_true)^2)."""

    name = "mean_squared_error"
    target_kind = "regression"

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__(False, reduction)

    def forward(self, y_true: Any, y_pred: Any) -> Any:
        d = y_pred - float_target("MeanSquaredError", y_pred, y_true)
        return _keras_reduce("MeanSquaredError", d * d, self.reduction)


class MeanAbsoluteError(_KerasLoss):
    """Keras' "mae": mean(|y_pred - y_true|)."""

    name = "mean_absolute_error"
    target_kind = "regression"

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__(False, reduction)

    def forward(self, y_true: Any, y_pred: Any) -> Any:
        d = y_pred - float_target("MeanAbsoluteError", y_pred, y_true)
        return _keras_reduce("MeanAbsoluteError", autograd.abs(d), self.reduction)


class BinaryCrossentropy(_KerasLoss):
    """Keras' "binary_crossentropy": targets in [0, 1] against probabilities (clipped to
    [1e-7, 1 - 1e-7]) or, with ``from_logits=True``, logits (the stable softplus form).
    Probabilities that a recorded sigmoid just made are taken from its logits, unclipped
    (see `_logits_under`).
    Probabilities outside [0, 1] raise ValueError, as in PyTorch (Keras would clip them
    silently, to a zero gradient)."""

    name = "binary_crossentropy"
    target_kind = "binary"

    @property
    def reads_graph(self) -> bool:  # type: ignore[override]
        return not self.from_logits

    def forward(self, y_true: Any, y_pred: Any) -> Any:
        who = "BinaryCrossentropy"
        t = float_target(who, y_pred, y_true)
        check_probability_targets(who, t)
        z = y_pred if self.from_logits else _logits_under(y_pred, "sigmoid")
        if z is not None:
            loss = autograd.softplus(z) - z * t
        else:
            check_probabilities(
                who, "y_pred", y_pred, "for logits use from_logits=True (or BCEWithLogitsLoss)"
            )
            p = autograd.clip(y_pred, lo=EPSILON, hi=1.0 - EPSILON)
            loss = -(t * autograd.log(p) + (1.0 - t) * autograd.log(1.0 - p))
        return _keras_reduce(who, loss, self.reduction)


class CategoricalCrossentropy(_KerasLoss):
    """Keras' "categorical_crossentropy": one-hot (or soft) targets (N, C) against
    probabilities (clipped) or, with ``from_logits=True``, logits (through log_softmax):
    mean_i(-sum_c y_ic log p_ic). Probabilities that a recorded softmax over the last
    axis just made are taken from its logits, unclipped (see `_logits_under`)."""

    name = "categorical_crossentropy"
    target_kind = "categorical"

    @property
    def reads_graph(self) -> bool:  # type: ignore[override]
        return not self.from_logits

    def forward(self, y_true: Any, y_pred: Any) -> Any:
        who = "CategoricalCrossentropy"
        pshape, tshape = shape_of(y_pred), shape_of(y_true)
        if len(pshape) == 2 and pshape[1] > 1 and tshape != pshape and tshape[:1] == pshape[:1]:
            raise ValueError(
                f"{who}: targets have shape {tshape} but predictions {pshape}; this loss "
                "takes one-hot targets of the predictions' shape (for integer labels use "
                "SparseCategoricalCrossentropy / 'sparse_categorical_crossentropy')"
            )
        t = float_target(who, y_pred, y_true)
        check_probability_targets(who, t)
        z = y_pred if self.from_logits else _logits_under(y_pred, "softmax")
        if z is not None:
            logp = log_softmax(z)
        else:
            logp = autograd.log(autograd.clip(y_pred, lo=EPSILON, hi=1.0 - EPSILON))
        return _keras_reduce(who, -autograd.sum(t * logp, axis=-1), self.reduction)


class SparseCategoricalCrossentropy(_KerasLoss):
    """Keras' "sparse_categorical_crossentropy": integer labels (N,) against
    probabilities (N, C) (clipped) or, with ``from_logits=True``, logits:
    mean_i(-log p_i[y_i]). Probabilities that a recorded softmax over the last axis just
    made are taken from its logits, unclipped (see `_logits_under`)."""

    name = "sparse_categorical_crossentropy"
    target_kind = "sparse"

    @property
    def reads_graph(self) -> bool:  # type: ignore[override]
        return not self.from_logits

    def forward(self, y_true: Any, y_pred: Any) -> Any:
        who = "SparseCategoricalCrossentropy"
        labels = class_labels(who, y_pred, _sparse_labels(who, y_pred, y_true))
        z = y_pred if self.from_logits else _logits_under(y_pred, "softmax")
        if z is not None:
            return sparse_cross_entropy(who, z, labels, self.reduction)
        logp = autograd.log(autograd.clip(y_pred, lo=EPSILON, hi=1.0 - EPSILON))
        return pick_at_labels(who, logp, labels, self.reduction)


_LOSSES_BY_NAME: dict[str, Callable[[], Module]] = {
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}


def known_losses() -> list[str]:
    """The names `get_loss` accepts."""
    return list(_LOSSES_BY_NAME)


def get_loss(spec: str | Module | Callable[..., Any]) -> Module | Callable[..., Any]:
    """A fresh Keras-style loss for a Keras name (probabilities in, ``from_logits=False``),
    or the loss Module or function itself.

    An unknown name raises ValueError listing the known ones.
    """
    if isinstance(spec, str):
        return lookup(_LOSSES_BY_NAME, spec, "loss")()
    if isinstance(spec, type):  # callable, but calling it would build a loss, not apply one
        raise TypeError(f"loss is the class {spec.__name__}; pass an instance, {spec.__name__}()")
    if isinstance(spec, Module) or callable(spec):
        return spec
    raise TypeError(
        f"a loss must be a name, a loss Module or a function, got {type(spec).__name__}"
    )
