"""Reductions (sum, mean, max, min, var) and the softmax family along an axis.

A reduction's gradient is the incoming gradient put back on the reduced axes
(`_kept`) and broadcast over them (`_spread`, or the broadcasting of the
product with the local derivative). logsumexp, softmax and log_softmax
subtract the maximum first, so inputs of 1e4 neither overflow nor lose their
differences.
"""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from autograd.node import Node
from autograd.ops.base import Check, data_of, dtype_of, kept_shape, primitive, shape_of
from autograd.ops.elementwise import exp
from autograd.ops.shape import broadcast_to, reshape

_AXES: tuple[dict[str, Any], ...] = (
    {},
    {"axis": 0},
    {"axis": -1, "keepdims": True},
    {"axis": (0, 1)},
)
REDUCTION = Check(kind="reduction", kwargs=_AXES)


def _kept(g: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    """g (the gradient of a reduction of x over `axis`) with the reduced axes back as
    size 1, so that it broadcasts against x."""
    if keepdims or axis is None:  # already broadcasts: same number of axes, or 0-d
        return g
    kept = kept_shape(shape_of(x), axis)
    if isinstance(g, Node):
        return reshape(g, shape=kept)
    return np.reshape(g, kept)


def _spread(g: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    """g (the gradient of a reduction over `axis`) broadcast back to x's shape."""
    g = _kept(g, x, axis, keepdims)
    if isinstance(g, Node):
        return broadcast_to(g, shape=shape_of(x))
    out = np.empty(shape_of(x), np.result_type(g))  # raw data: a new, writable array
    out[...] = g
    return out


def _scalar(reduce: Any, x: float, axis: Any) -> float:
    """The reduction of a Python float (x itself) over `axis`, once numpy has accepted
    that axis for a 0-d array: its reductions take axis 0 or -1 there (mean and var
    none), and refuse the rest with an AxisError (a ValueError, which names the op)."""
    if axis is not None:
        reduce(np.asarray(x), axis=axis)
    return x


def _count(x: Any, out: Any) -> int:
    """How many elements of x went into each element of out."""
    return int(np.size(data_of(x))) // builtins.max(1, int(np.size(data_of(out))))


@primitive("sum", REDUCTION)
def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Sum over `axis` (all axes when None).  d/dx_i = 1."""
    if type(x) is float:
        return x if axis is None else _scalar(np.add.reduce, x, axis)
    # The ufunc's reduce: np.sum without its Python-level wrapper.
    return np.add.reduce(x, axis=axis, keepdims=keepdims)  # type: ignore[call-overload]


def _sum_grad(g: Any, out: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return g if type(data_of(x)) is float else _spread(g, x, axis, keepdims)


sum.defvjp(_sum_grad)


@primitive("mean", REDUCTION)
def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Mean over `axis`.  d/dx_i = 1 / n, n the number of elements averaged."""
    if type(x) is float:
        return x if axis is None else _scalar(np.mean, x, axis)
    return np.mean(x, axis=axis, keepdims=keepdims)


def _mean_grad(g: Any, out: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    if type(data_of(x)) is float:
        return g
    return _spread(g / _count(x, out), x, axis, keepdims)


mean.defvjp(_mean_grad)


def _extreme_grad(g: Any, out: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Gradient of max/min: shared equally among the elements that attain it."""
    if type(data_of(x)) is float:
        return g
    d, o = data_of(x), data_of(out)
    hit = d == (o if keepdims else np.reshape(o, kept_shape(d.shape, axis)))
    share = (hit / np.sum(hit, axis=axis, keepdims=True)).astype(dtype_of(x), copy=False)
    return _kept(g, x, axis, keepdims) * share


@primitive("max", Check(kind="reduction", kwargs=_AXES, apart=True))
def max(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Largest element over `axis`.  d/dx_i = 1 at the maximum (shared on ties)."""
    if type(x) is float:
        return x if axis is None else _scalar(np.max, x, axis)
    return np.max(x, axis=axis, keepdims=keepdims)


max.defvjp(_extreme_grad)


@primitive("min", Check(kind="reduction", kwargs=_AXES, apart=True))
def min(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Smallest element over `axis`.  d/dx_i = 1 at the minimum (shared on ties)."""
    if type(x) is float:
        return x if axis is None else _scalar(np.min, x, axis)
    return np.min(x, axis=axis, keepdims=keepdims)


min.defvjp(_extreme_grad)


@primitive("var", Check(kind="reduction", kwargs=({}, {"axis": 0}, {"axis": -1, "ddof": 1})))
def var(x: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Any:
    """Variance over `axis`: sum((x - mean)^2) / (n - ddof) (population when ddof=0).
    d/dx_i = 2 (x_i - mean) / (n - ddof).

    As numpy, n - ddof <= 0 divides by 0: inf, or nan where the sum is 0 (the
    gradient is then inf or nan likewise)."""
    if type(x) is float:
        if ddof == 0 and axis is None:
            return 0.0
        return float(np.var(x, axis=axis, ddof=ddof))
    return np.var(x, axis=axis, ddof=ddof, keepdims=keepdims)


def _var_grad(
    g: Any, out: Any, x: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False
) -> Any:
    if type(data_of(x)) is float:  # one element: n = 1, and x - mean = 0
        return g * (0.0 if ddof < 1 else math.nan)
    dof = _count(x, out) - ddof
    # numpy divides by max(n - ddof, 0): by 0 it gives inf, and nan where x_i = mean
    scale = 2 / dof if dof > 0 else math.inf
    centred = x - mean(x, axis=axis, keepdims=True)
    return _kept(g, x, axis, keepdims) * centred * scale


var.defvjp(_var_grad)


_SOFT = Check(kind="softmax", levels=("tensor",), kwargs=({}, {"axis": 0}))


def _logsumexp_raw(x: Any, axis: Any, keepdims: bool) -> Any:
    x = np.asarray(x)
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)  # (-inf over an empty axis)
    if not np.isfinite(m).all():
        # An all -inf slice has max -inf; shifting by it would give nan, by 0 gives -inf.
        m = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):  # log(0) = -inf: a sum of nothing, or of e^-inf
        r = m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))
    return r if keepdims else r.squeeze(axis=axis)


@primitive(
    "logsumexp", Check(kind="softmax", levels=("tensor",), kwargs=({}, {"axis": 0}, {"axis": None}))
)
def logsumexp(x: Any, axis: Any = -1, keepdims: bool = False) -> Any:
    """log(sum(e^x)) over `axis`, as m + log(sum(e^(x - m))) with m = max(x).
    d/dx = softmax(x) = e^(x - out). Of a Python float: the float itself (one element)."""
    if type(x) is float:
        return x if axis is None else _scalar(np.max, x, axis)
    return _logsumexp_raw(x, axis, keepdims)


def _logsumexp_grad(g: Any, out: Any, x: Any, axis: Any = -1, keepdims: bool = False) -> Any:
    if type(data_of(x)) is float:  # the float itself: d/dx = 1
        return g
    shape = shape_of(x)
    if not keepdims:
        out = reshape(out, shape=kept_shape(shape, axis))
    return _kept(g, x, axis, keepdims) * exp(x - out)


logsumexp.defvjp(_logsumexp_grad)


@primitive("softmax", _SOFT)
def softmax(x: Any, axis: int = -1) -> Any:
    """e^x / sum(e^x) along `axis`, computed from x - max(x).
    d/dx: s * (g - sum(g * s)) with s = out (the Jacobian diag(s) - s s^T applied to g)."""
    e = np.exp(x - np.max(x, axis=axis, keepdims=True, initial=-np.inf))
    return e / np.sum(e, axis=axis, keepdims=True)


softmax.defvjp(lambda g, out, x, axis=-1: out * (g - sum(g * out, axis=axis, keepdims=True)))


@primitive("log_softmax", _SOFT)
def log_softmax(x: Any, axis: int = -1) -> Any:
    """x - logsumexp(x) along `axis`.  d/dx: g - e^out * sum(g)."""
    return x - _logsumexp_raw(x, axis, True)


log_softmax.defvjp(lambda g, out, x, axis=-1: g - exp(out) * sum(g, axis=axis, keepdims=True))
