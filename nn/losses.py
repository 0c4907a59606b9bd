"""Loss functions, as functions and as Modules, averaged over the batch.

With predictions p (or logits z) and targets y, elementwise losses average over every
element (PyTorch's reduction="mean"; for one output per sample that is the batch mean):

    mse_loss                            mean((p - y)^2)
    l1_loss                             mean(|p - y|)
    binary_cross_entropy                mean(-(y log p + (1 - y) log(1 - p))),
                                        p clipped to [1e-7, 1 - 1e-7] (Keras' epsilon)
    binary_cross_entropy_with_logits    mean(softplus(z) - z y)
                                        = mean(max(z, 0) - z y + log(1 + e^-|z|))
    cross_entropy (integer labels)      mean_i(-log_softmax(z_i)[y_i])
    cross_entropy (probability targets) mean_i(-sum_c y_ic log_softmax(z_i)_c)
    nll_loss                            mean_i(-logp_i[y_i])

BCE clips p instead of clamping log p at -100 (PyTorch's way) because the clip's
gradient is zero outside [eps, 1 - eps], so p = 0 or 1 gives a finite loss and a zero
gradient, never inf * 0 = nan; inside that range both conventions agree. Predictions
outside [0, 1] (logits, usually) raise a ValueError, as PyTorch's BCELoss does, instead
of being clipped to a loss with zero gradient; nan is left to the nan checks.

Targets are numpy arrays (or lists, or constant Values); they never become graph nodes
that need gradients. Float targets are cast to the predictions' dtype, so a float64 label
array cannot promote a float32 network. A target of shape (N,) against predictions of
shape (N, 1) is reshaped to (N, 1) (not broadcast to (N, N)). Errors name the loss and
say what was wrong: mismatched batch sizes or shapes, float labels where class indices
are needed, labels out of range; arguments that are not numbers at all (strings, None,
ragged lists) are named as such, by `check_numbers` in each loss function's ``except``
clause (for the Keras classes, by `Module.__call__`), so the check costs a correct call
nothing.

Keras-style losses (for ``compile``; `get_loss` finds them by Keras' names):

    MeanSquaredError             "mse", "mean_squared_error"
    MeanAbsoluteError            "mae", "mean_absolute_error"
    BinaryCrossentropy           "binary_crossentropy"
    CategoricalCrossentropy      "categorical_crossentropy"          (one-hot targets)
    SparseCategoricalCrossentropy "sparse_categorical_crossentropy"  (integer labels)

They follow Keras: they are called as ``loss(y_true, y_pred)`` (targets FIRST, the
opposite of the PyTorch-style modules above), and the cross-entropies take probabilities
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
from nn.arguments import check_numbers, lookup
from nn.module import Module

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

# Keras' fuzz factor for probabilities; PyTorch clamps log(p) at -100 instead.
EPSILON = 1e-7
_REDUCTIONS = ("mean", "sum", "none")


def _shape(x: Any) -> tuple[int, ...]:
    d = x.data if isinstance(x, Value) else x
    if type(d) is np.ndarray:
        return d.shape  # type: ignore[no-any-return]
    return () if type(d) is float else tuple(np.shape(d))


def _dtype(x: Any) -> np.dtype[Any]:
    d = x.data if isinstance(x, Value) else x
    return np.dtype(np.float64) if type(d) is float else np.asarray(d).dtype


def _reduce(who: str, loss: Any, reduction: str) -> Any:
    if reduction == "mean":
        return autograd.mean(loss)
    if reduction == "sum":
        return autograd.sum(loss)
    if reduction == "none":
        return loss
    raise ValueError(f"{who}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _check_batch(who: str, pred_shape: tuple[int, ...], target_shape: tuple[int, ...]) -> None:
    if pred_shape and target_shape and pred_shape[0] != target_shape[0]:
        raise ValueError(
            f"{who}: batch sizes differ: predictions have {pred_shape[0]} rows (shape "
            f"{pred_shape}), targets have {target_shape[0]} (shape {target_shape})"
        )


def _float_target(who: str, pred: Any, target: Any) -> Any:
    """Targets as data (or a Value) of the predictions' dtype and shape."""
    pshape = _shape(pred)
    if isinstance(target, Value):
        t: Any = target
        tshape = target.shape
        if not target.requires_grad and target.dtype != _dtype(pred):
            t = np.asarray(target.data, dtype=_dtype(pred))  # a constant: pred's dtype
    else:
        arr = np.asarray(target)
        if arr.dtype.kind not in "fiub":
            raise TypeError(f"{who}: targets must be numbers, got an array of dtype {arr.dtype}")
        t = arr.astype(_dtype(pred), copy=False)
        tshape = t.shape
    _check_batch(who, pshape, tshape)
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


def mse_loss(pred: Any, target: Any, reduction: str = "mean") -> Any:
    """mean((pred - target)^2)."""
    try:
        t = _float_target("mse_loss", pred, target)
        diff = pred - t
        return _reduce("mse_loss", diff * diff, reduction)
    except (TypeError, ValueError):
        check_numbers("mse_loss", pred=pred, target=target)
        raise


def l1_loss(pred: Any, target: Any, reduction: str = "mean") -> Any:
    """mean(|pred - target|) (mean absolute error)."""
    try:
        t = _float_target("l1_loss", pred, target)
        return _reduce("l1_loss", autograd.abs(pred - t), reduction)
    except (TypeError, ValueError):
        check_numbers("l1_loss", pred=pred, target=target)
        raise


def _check_probability_targets(who: str, t: Any) -> None:
    d = t.data if isinstance(t, Value) else t
    if np.size(d) and (np.min(d) < 0 or np.max(d) > 1):
        raise ValueError(
            f"{who}: targets must lie in [0, 1], got values from {np.min(d)} to {np.max(d)}"
        )


def _check_probabilities(who: str, arg: str, pred: Any, fix: str) -> None:
    """Predictions given as probabilities must lie in [0, 1], as PyTorch's BCELoss says.

    Outside it the clip below has zero gradient: logits passed here by mistake would
    give a finite loss that never moves. One min and one max over the predictions; a
    nan makes both nan and both comparisons false, so nan is left to the nan checks
    (fit stops on a nan loss with its own message).
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


_BCE_FIX = "for logits use BCEWithLogitsLoss (or BinaryCrossentropy(from_logits=True))"


def binary_cross_entropy(pred: Any, target: Any, reduction: str = "mean") -> Any:
    """-(y log p + (1 - y) log(1 - p)) with p clipped to [1e-7, 1 - 1e-7].

    p must lie in [0, 1] (ValueError otherwise, as in PyTorch); for logits use
    `binary_cross_entropy_with_logits`.
    """
    who = "binary_cross_entropy"
    try:
        t = _float_target(who, pred, target)
        _check_probability_targets(who, t)
        _check_probabilities(who, "pred", pred, _BCE_FIX)
        p = autograd.clip(pred, lo=EPSILON, hi=1.0 - EPSILON)
        loss = -(t * autograd.log(p) + (1.0 - t) * autograd.log(1.0 - p))
        return _reduce(who, loss, reduction)
    except (TypeError, ValueError):
        check_numbers(who, pred=pred, target=target)
        raise


def binary_cross_entropy_with_logits(logits: Any, target: Any, reduction: str = "mean") -> Any:
    """softplus(z) - z y = max(z, 0) - z y + log(1 + e^-|z|): stable for any z.

    d/dz = sigmoid(z) - y.
    """
    who = "binary_cross_entropy_with_logits"
    try:
        t = _float_target(who, logits, target)
        _check_probability_targets(who, t)
        return _reduce(who, autograd.softplus(logits) - logits * t, reduction)
    except (TypeError, ValueError):
        check_numbers(who, logits=logits, target=target)
        raise


def _class_labels(who: str, scores: Any, target: Any) -> np.ndarray:
    """Integer labels checked against scores of shape (N, C): dtype, shape, range."""
    sshape = _shape(scores)
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
    if n:
        # One reduction checks both ends: seen as unsigned, a negative label is huge.
        unsigned = labels.view(_UNSIGNED[labels.itemsize]) if labels.dtype.kind == "i" else labels
        if int(np.maximum.reduce(unsigned)) >= c:
            bad = int(np.flatnonzero((labels < 0) | (labels >= c))[0])
            raise ValueError(
                f"{who}: label {int(labels[bad])} at position {bad} is out of range for "
                f"{c} classes (labels must be in 0..{c - 1})"
            )
    return labels


# The unsigned dtype of each integer size, for the label range check above.
_UNSIGNED = {n: np.dtype(f"u{n}") for n in (1, 2, 4, 8)}


def _pick(who: str, logp: Any, labels: np.ndarray, reduction: str) -> Any:
    """-logp[i, labels[i]] for each row, reduced.

    Computed as sum(logp * w) with w zero except w[i, labels[i]] = -1/N (mean), -1 (sum):
    one product and one sum, whose backward is a plain multiply. Indexing logp[i, y_i]
    would need a scatter with np.add.at in backward, measurably slower at small batches.
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{who}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    n = labels.shape[0]
    if n == 0:
        return _reduce(who, -logp[labels, labels], reduction)  # empty: nan mean, 0 sum
    weights = np.zeros(_shape(logp), dtype=_dtype(logp))
    weights[np.arange(n), labels] = -1.0 / n if reduction == "mean" else -1.0
    if reduction == "none":
        return autograd.sum(logp * weights, axis=-1)
    return autograd.sum(logp * weights)


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
            return _sparse_cross_entropy(who, logits, _class_labels(who, logits, target), reduction)
        tshape = _shape(target)
        sshape = _shape(logits)
        if len(tshape) == 2 and tshape[1] == 1 and len(sshape) == 2 and sshape[1] > 1:
            # Integer labels as a column (N, 1), as Keras' sparse losses accept them.
            raw = target.data if isinstance(target, Value) else target
            if np.asarray(raw).dtype.kind in "iu":
                target = np.asarray(raw).reshape(-1)
                tshape = target.shape
        if len(tshape) == 2 and len(sshape) == 2:
            _check_batch(who, sshape, tshape)
            if tshape != sshape:
                raise ValueError(
                    f"{who}: logits have shape {sshape} but target probabilities have shape "
                    f"{tshape}"
                )
            t = _float_target(who, logits, target)
            _check_probability_targets(who, t)
            logp = autograd.log_softmax(logits, axis=-1)
            return _reduce(who, -autograd.sum(t * logp, axis=-1), reduction)
        labels = _class_labels(who, logits, target)
        return _sparse_cross_entropy(who, logits, labels, reduction)
    except (TypeError, ValueError):
        check_numbers(who, logits=logits, target=target)
        raise


def _sparse_cross_entropy(who: str, logits: Any, labels: np.ndarray, reduction: str) -> Any:
    """Mean cross-entropy of logits at integer labels as the engine's fused
    `softmax_cross_entropy` (one node, gradient softmax - onehot); other reductions
    through log_softmax."""
    if reduction == "mean" and labels.shape[0] > 0:
        return autograd.softmax_cross_entropy(logits, labels=labels)
    return _pick(who, autograd.log_softmax(logits, axis=-1), labels, reduction)


def nll_loss(log_probs: Any, target: Any, reduction: str = "mean") -> Any:
    """Negative log-likelihood of log-probabilities (N, C) (e.g. from log_softmax)
    at integer labels (N,): mean_i(-logp_i[y_i])."""
    who = "nll_loss"
    try:
        labels = _class_labels(who, log_probs, target)
        return _pick(who, log_probs, labels, reduction)
    except (TypeError, ValueError):
        check_numbers(who, log_probs=log_probs, target=target)
        raise


class _Loss(Module):
    """A loss as a Module: ``loss_fn(pred, target)`` returns a scalar Value."""

    # Whether the loss reads the graph behind its predictions (`_logits_under`): then an
    # evaluation must record that graph too, to compute the same loss as training.
    reads_graph = False

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"{type(self).__name__}: reduction must be one of {_REDUCTIONS}, got {reduction!r}"
            )
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error (see `mse_loss`)."""

    def forward(self, pred: Any, target: Any) -> Any:
        return _renamed("MSELoss", mse_loss, pred, target, self.reduction)


class L1Loss(_Loss):
    """Mean absolute error (see `l1_loss`)."""

    def forward(self, pred: Any, target: Any) -> Any:
        return _renamed("L1Loss", l1_loss, pred, target, self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities in [0, 1] (see `binary_cross_entropy`);
    predictions outside [0, 1] raise ValueError (use BCEWithLogitsLoss for logits)."""

    def forward(self, pred: Any, target: Any) -> Any:
        return _renamed("BCELoss", binary_cross_entropy, pred, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of logits, stable (see `binary_cross_entropy_with_logits`)."""

    def forward(self, logits: Any, target: Any) -> Any:
        return _renamed(
            "BCEWithLogitsLoss", binary_cross_entropy_with_logits, logits, target, self.reduction
        )


class CrossEntropyLoss(_Loss):
    """Cross-entropy of logits against integer labels or probabilities (`cross_entropy`)."""

    def forward(self, logits: Any, target: Any) -> Any:
        return _renamed("CrossEntropyLoss", cross_entropy, logits, target, self.reduction)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities at integer labels (`nll_loss`)."""

    def forward(self, log_probs: Any, target: Any) -> Any:
        return _renamed("NLLLoss", nll_loss, log_probs, target, self.reduction)


def _renamed(who: str, fn: Any, pred: Any, target: Any, reduction: str) -> Any:
    """Call a loss function; errors name the module the user called, not the function."""
    try:
        return fn(pred, target, reduction)
    except (ValueError, TypeError) as exc:
        text = str(exc)
        name = fn.__name__ + ":"
        if text.startswith(name):
            raise type(exc)(who + ":" + text[len(name) :]) from None
        raise


# --- Keras-style losses ----------------------------------------------------------------


def _keras_reduce(who: str, loss: Any, reduction: str) -> Any:
    """Keras' reductions of elementwise or per-sample losses.

    "none" gives one value per sample (the mean over a sample's outputs); "sum" adds those
    up; "mean" is their mean, which for equal-sized samples is the mean of all elements.
    """
    if reduction == "mean":
        return autograd.mean(loss)
    per_sample = autograd.mean(loss, axis=-1) if len(_shape(loss)) >= 2 else loss
    return _reduce(who, per_sample, reduction)


def _sparse_labels(who: str, y_pred: Any, y_true: Any) -> np.ndarray:
    """Integer class labels as Keras accepts them: a column (N, 1) becomes (N,), and
    floats or booleans holding whole numbers become int64."""
    raw = y_true.data if isinstance(y_true, Value) else y_true
    labels = np.asarray(raw)
    pshape = _shape(y_pred)
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


class _KerasLoss(_Loss):
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
        d = y_pred - _float_target("MeanSquaredError", y_pred, y_true)
        return _keras_reduce("MeanSquaredError", d * d, self.reduction)


class MeanAbsoluteError(_KerasLoss):
    """Keras' "mae": mean(|y_pred - y_true|)."""

    name = "mean_absolute_error"
    target_kind = "regression"

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__(False, reduction)

    def forward(self, y_true: Any, y_pred: Any) -> Any:
        d = y_pred - _float_target("MeanAbsoluteError", y_pred, y_true)
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
        t = _float_target(who, y_pred, y_true)
        _check_probability_targets(who, t)
        z = y_pred if self.from_logits else _logits_under(y_pred, "sigmoid")
        if z is not None:
            loss = autograd.softplus(z) - z * t
        else:
            _check_probabilities(
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
        pshape, tshape = _shape(y_pred), _shape(y_true)
        if len(pshape) == 2 and pshape[1] > 1 and tshape != pshape and tshape[:1] == pshape[:1]:
            raise ValueError(
                f"{who}: targets have shape {tshape} but predictions {pshape}; this loss "
                "takes one-hot targets of the predictions' shape (for integer labels use "
                "SparseCategoricalCrossentropy / 'sparse_categorical_crossentropy')"
            )
        t = _float_target(who, y_pred, y_true)
        _check_probability_targets(who, t)
        z = y_pred if self.from_logits else _logits_under(y_pred, "softmax")
        if z is not None:
            logp = autograd.log_softmax(z, axis=-1)
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
        labels = _class_labels(who, y_pred, _sparse_labels(who, y_pred, y_true))
        z = y_pred if self.from_logits else _logits_under(y_pred, "softmax")
        if z is not None:
            return _sparse_cross_entropy(who, z, labels, self.reduction)
        logp = autograd.log(autograd.clip(y_pred, lo=EPSILON, hi=1.0 - EPSILON))
        return _pick(who, logp, labels, self.reduction)


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
