"""Fused primitives: common compositions done as one node.

A dense layer `x @ W + b` and softmax cross-entropy are the bulk of every
network step; binary cross-entropy of probabilities is one node with PyTorch's
numerics (its BCELoss). As single nodes they cost one graph node instead of several and
skip intermediate arrays (the bias is added in place; the cross-entropy
gradient is softmax minus one-hot in one expression, with its reductions over
the classes laid out the fast way for numpy). Their results equal the unfused
compositions within float tolerance (tests check this).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.ops.arithmetic import matmul
from autograd.ops.base import Check, data_of, dtype_of, ndim_of, primitive, shape_of
from autograd.ops.elementwise import log, log1p, maximum
from autograd.ops.reductions import _logsumexp_raw, softmax
from autograd.ops.shape import reshape, sum_to, transpose


def _linear_error(x: Any, w: Any, b: Any) -> str:
    return (
        f"linear: input of shape {shape_of(x)}, weight {shape_of(w)} and bias "
        f"{shape_of(b)} do not fit (expected x (..., in), weight (in, out), bias (out,))"
    )


@primitive("linear", Check(kind="linear", levels=("tensor",)), format_error=_linear_error)
def linear(x: Any, w: Any, b: Any) -> Any:
    """x @ W + b with W of shape (in, out): a dense layer as one node.

    d/dx = g @ W^T,  d/dW = x^T @ g (batch axes folded into the rows),
    d/db = g summed over the batch axes."""
    if type(w) is not np.ndarray or type(b) is not np.ndarray:
        raise ValueError("linear: weight and bias must be arrays")
    if w.ndim != 2 or b.shape[-1:] != w.shape[1:]:
        raise ValueError("bad shapes")  # apply() turns this into the message below
    out = np.matmul(x, w)
    if out.dtype == b.dtype:
        out += b  # in place: no second (batch, out) array
        return out
    return out + b  # mixed dtypes: let numpy promote


# Each rule has a raw-array fast path (plain numpy, the common case of a training
# step) beside the engine-operation form that a recording backward needs.


def _linear_grad_x(g: Any, out: Any, x: Any, w: Any, b: Any) -> Any:
    if type(g) is np.ndarray and type(w) is np.ndarray:
        return g @ w.T
    return matmul(g, transpose(w))


def _linear_grad_w(g: Any, out: Any, x: Any, w: Any, b: Any) -> Any:
    if type(g) is np.ndarray and type(x) is np.ndarray and x.ndim == 2:
        return x.T @ g
    n_in, n_out = shape_of(w)
    if ndim_of(x) != 2:  # fold batch axes (or add the missing one) into rows
        x = reshape(x, shape=(-1, n_in))
        g = reshape(g, shape=(-1, n_out))
    return matmul(transpose(x), g)


def _linear_grad_b(g: Any, out: Any, x: Any, w: Any, b: Any) -> Any:
    # The gradient summed over the batch here, by `sum_to` (the one place that
    # unbroadcasts): handed on as it came, it would reach the engine's general fitting
    # of gradients to shapes, which takes a dozen more Python calls per step.
    if type(g) is np.ndarray and type(b) is np.ndarray:
        return sum_to.fn(g, b.shape)
    return sum_to(g, shape=shape_of(b))


linear.defvjp(_linear_grad_x, _linear_grad_w, _linear_grad_b)


def _labels_error(z: Any, labels: Any) -> str:
    """The message of softmax_cross_entropy's refusal. The forward only raises (its
    checks are the cheapest that catch every bad input); what exactly is wrong, down to
    the first label out of range, is worked out here, on the error path."""
    zs = shape_of(z)
    if type(data_of(z)) is not np.ndarray or len(zs) != 2:
        return (
            "softmax_cross_entropy: the logits must be a 2-D array (batch, classes), got "
            f"a {type(z).__name__} of shape {zs}"
        )
    head = f"softmax_cross_entropy: logits of shape {zs}"
    n, c = zs
    want = f"need integer labels of shape ({n},) with values in [0, {c})"
    try:
        y = np.asarray(labels)
    except ValueError:  # a ragged list
        return f"{head} {want}; got labels that do not form an array: {labels!r}"
    got = f"got labels of shape {y.shape} and dtype {y.dtype}"
    if y.dtype.kind not in "iu" or y.shape != (n,):
        return f"{head} {want}; {got}"
    outside = np.flatnonzero((y < 0) | (y >= c))
    if outside.size:
        i = int(outside[0])
        return f"{head} {want}; got label {y[i]} at position {i} (labels of shape {y.shape})"
    return f"{head} {want}; {got}"


@primitive(
    "softmax_cross_entropy",
    Check(kind="softmax_cross_entropy", levels=("tensor",)),
    format_error=lambda z, labels: _labels_error(z, labels),
    saves=True,
)
def softmax_cross_entropy(z: Any, labels: np.ndarray) -> Any:
    """mean_i(logsumexp(z_i) - z_i[y_i]) for logits (N, C) and integer labels (N,)
    in [0, C): cross-entropy as one node, stable for logits of 1e4.
    d/dz = (softmax(z) - onehot(y)) / N.

    The exponentials and their sums are saved for the gradient, which then needs
    no second pass over the logits."""
    if type(labels) is not np.ndarray:  # a list: the array numpy makes of it
        labels = np.asarray(labels)
    # Bad labels are refused, not read from the end (-1) or past it. This runs at every
    # training step, so the check is the cheapest that catches them all: the minimum
    # here, and a label past the last class makes the indexing below raise.
    if (
        type(z) is not np.ndarray
        or z.ndim != 2
        or labels.shape != z.shape[:1]
        or labels.dtype.kind not in "iu"  # (bool labels would index as a mask)
        or np.minimum.reduce(labels, initial=0) < 0
    ):
        raise ValueError("bad labels")  # apply() turns this into _labels_error's message
    n = z.shape[0]
    # logsumexp(z_i) - z_i[y_i] = logsumexp(s_i) - s_i[y_i] for s_i = z_i - max(z_i),
    # whose exponentials cannot overflow.
    s, axis = _shifted(z)
    try:
        picked = _at_labels(s, axis, labels)
    except IndexError:  # a label >= C
        raise ValueError("bad labels") from None
    e = np.exp(s)
    sums = np.add.reduce(e, axis, keepdims=True)
    loss = np.add.reduce(np.log(sums.reshape(-1)) - picked) / n
    if not math.isfinite(loss):  # infinite logits: the general logsumexp handles them
        loss = np.add.reduce(_logsumexp_raw(z, -1, False) - z[np.arange(n), labels]) / n
        return loss, None
    return loss, (e, sums, axis)


# Up to this many classes the shifted logits are laid out transposed, classes along
# axis 0: numpy reduces a short contiguous last axis slowly (a row maximum over 10
# classes costs about as much as 100 elementwise operations), while a reduction over
# axis 0 runs as whole-row vector operations. Above it the plain layout is faster.
_TRANSPOSED_UP_TO = 128


def _shifted(z: np.ndarray) -> tuple[np.ndarray, int]:
    """z minus each row's maximum, as a new array, and the axis of its classes."""
    if z.shape[1] <= _TRANSPOSED_UP_TO:
        s = z.T.copy()
        s -= np.maximum.reduce(s, 0)
        return s, 0
    return z - np.maximum.reduce(z, 1, keepdims=True), 1


def _at_labels(s: np.ndarray, axis: int, labels: np.ndarray) -> Any:
    """Each sample's entry at its label, s[i, labels[i]], in either layout."""
    rows = np.arange(labels.shape[0])
    return s[labels, rows] if axis == 0 else s[rows, labels]


def _softmax_cross_entropy_grad(
    g: Any, out: Any, z: Any, labels: np.ndarray, saved: Any = None
) -> Any:
    n, c = shape_of(z)
    if type(z) is np.ndarray:  # raw data: from the saved exponentials when there are some
        if saved is None:
            e, axis = _shifted(z)
            np.exp(e, out=e)
            sums = np.add.reduce(e, axis, keepdims=True)
        else:
            e, sums, axis = saved
        p = e * ((g / n) / sums)  # softmax * g / N (a new array: `saved` stays intact)
        rows = np.arange(n)
        if axis == 0:
            p[labels, rows] -= g / n
            return p.T  # back to (N, C); matrix products take it without a copy
        p[rows, labels] -= g / n
        return p
    onehot = np.zeros((n, c), dtype=dtype_of(z))
    onehot[np.arange(n), labels] = 1
    return (softmax(z, axis=-1) - onehot) * (g / n)


softmax_cross_entropy.defvjp(_softmax_cross_entropy_grad)


@primitive(
    "binary_cross_entropy",
    Check(kind="binary", domains=((0.05, 0.95), (0.0, 1.0))),
)
def binary_cross_entropy(p: Any, y: Any) -> Any:
    """PyTorch's BCELoss of probabilities p against targets y, elementwise:
    -(y max(log p, -100) + (1 - y) max(log(1 - p), -100)), log1p for log(1 - p).
    Every log is clamped before it is multiplied, so p = 0 or 1 gives a finite loss,
    never 0 * -inf = nan. d/dp = (p - y) / max(p (1 - p), 1e-12) (PyTorch's rule),
    d/dy = log(1 - p) - log(p)."""
    with np.errstate(divide="ignore"):  # log(0) = -inf, clamped at once
        log_p = maximum.fn(log.fn(p), -100.0)
        log_q = maximum.fn(log1p.fn(-p), -100.0)
    return (y - 1.0) * log_q - y * log_p


# PyTorch's EPSILON in its BCE backward: a C float, 1e-12 rounded to float32.
_BCE_EPSILON = float(np.float32(1e-12))


def _bce_grad_p(g: Any, out: Any, p: Any, y: Any) -> Any:
    """PyTorch's rule, d/dp = (p - y) / max(p (1 - p), 1e-12): the derivative of the
    unclamped formula wherever p (1 - p) >= 1e-12; past that (a saturated sigmoid), a
    finite slope, so a confidently wrong prediction still learns. Written with the
    engine's operations, so it also records itself (gradients of gradients)."""
    return g * (p - y) / maximum(p * (1.0 - p), _BCE_EPSILON)


def _bce_grad_y(g: Any, out: Any, p: Any, y: Any) -> Any:
    """PyTorch's rule for the target: d/dy = -logit(p) = log(1 - p) - log(p)."""
    return g * (log1p(-p) - log(p))


binary_cross_entropy.defvjp(_bce_grad_p, _bce_grad_y)
