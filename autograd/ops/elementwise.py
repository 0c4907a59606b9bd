"""Elementwise primitives: powers, exponentials, trigonometry, activations, selection.

Every function here works on Python floats (with `math`, staying a float) and
on numpy arrays (keeping their dtype). Gradient rules use only operators and
functions that accept raw data and Values alike, so they also differentiate
themselves when backward records its own graph.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from autograd.node import Node
from autograd.ops.arithmetic import div
from autograd.ops.base import (
    Check,
    data_of,
    dtype_of,
    primitive,
    safe_float_pow,
    scalar_or_nan,
    sign,
)

POSITIVE = Check(domain=(0.2, 3.0))

# Forwards on floats (math) and arrays (numpy), built once.
_exp = scalar_or_nan(math.exp, np.exp)
_log = scalar_or_nan(math.log, np.log)
_log1p = scalar_or_nan(math.log1p, np.log1p)
_sqrt = scalar_or_nan(math.sqrt, np.sqrt)
_sin = scalar_or_nan(math.sin, np.sin)
_cos = scalar_or_nan(math.cos, np.cos)
_tanh = scalar_or_nan(math.tanh, np.tanh)


@primitive("power", Check(kind="binary", domains=((0.5, 2.0), (-2.0, 2.0))))
def power(a: Any, b: Any) -> Any:
    """a ** b.  d/da = b * a^(b-1),  d/db = a^b * log(a) = out * log(a).

    A negative base with a fractional exponent gives nan, as in numpy. At a zero
    exponent d/da is 0 (a^0 is the constant 1, even at a = 0, where b * a^(b-1) would
    be 0 * inf), and at a zero base d/db is 0 (as PyTorch and JAX give; log(0) is
    -inf), so that the derivatives of a polynomial are finite at 0 to every order."""
    if type(a) is int:
        a = float(a)
    if type(b) is int:
        b = float(b)
    if type(a) is float and type(b) is float:
        return safe_float_pow(a, b)
    return np.power(a, b)


def _power_grad_base(g: Any, out: Any, a: Any, b: Any) -> Any:
    t = type(b)
    if t is float or t is int:  # a constant exponent (or raw data): decided now
        if b == 0:
            return g * 0.0
        return g * b * power(a, b - 1)
    # An array or recorded exponent. Where a and b are both 0, b * a^(b-1) is 0 * inf:
    # the exponent there is replaced by 1 (b * a^0 = 0, finite, with finite derivatives).
    # Nothing infinite is computed and then masked away (its gradient would be
    # 0 * inf = nan), and elsewhere b passes unchanged, so the derivatives in b stay
    # exact (d/db of b a^(b-1) at b = 0 is 1/a, not 0).
    both_zero = (data_of(a) == 0) & (data_of(b) == 0)
    return g * b * power(a, where(both_zero, 1.0, b) - 1)


def _power_grad_exponent(g: Any, out: Any, a: Any, b: Any) -> Any:
    # out * log(a) with a = 0 replaced by 1: 0 there (out = 0^b), where log(0) would
    # give 0 * -inf; its own derivatives are then finite too.
    t = type(a)
    if t is float or t is int:
        return g * out * log(1.0 if a == 0 else float(a))
    return g * out * log(where(data_of(a) == 0, 1.0, a))


power.defvjp(_power_grad_base, _power_grad_exponent)


@primitive("exp", Check(domain=(-3.0, 3.0)))
def exp(x: Any) -> Any:
    """e^x.  d/dx = e^x = out."""
    return _exp(x)


exp.defvjp(lambda g, out, x: g * out)


@primitive("log", POSITIVE)
def log(x: Any) -> Any:
    """Natural logarithm (nan below 0, -inf at 0, as numpy).  d/dx = 1 / x."""
    return _log(x)


log.defvjp(lambda g, out, x: div(g, x))


@primitive("log1p", Check(domain=(-0.5, 3.0)))
def log1p(x: Any) -> Any:
    """log(1 + x), exact for x near 0 where 1 + x would round (nan below -1, -inf
    at -1, as numpy).  d/dx = 1 / (1 + x)."""
    return _log1p(x)


log1p.defvjp(lambda g, out, x: div(g, 1 + x))


@primitive("sqrt", POSITIVE)
def sqrt(x: Any) -> Any:
    """Square root (nan below 0, as numpy).  d/dx = 1 / (2 sqrt(x)) = 1 / (2 out)."""
    return _sqrt(x)


sqrt.defvjp(lambda g, out, x: div(g, 2 * out))


@primitive("abs", Check(kinks=(0.0,)))
def abs(x: Any) -> Any:
    """|x|.  d/dx = sign(x) (0 at 0)."""
    try:
        return x.__abs__()
    except AttributeError:  # a list, as relu and exp take
        return np.abs(x)


abs.defvjp(lambda g, out, x: g * sign(x))


@primitive("sin", Check())
def sin(x: Any) -> Any:
    """sin(x).  d/dx = cos(x)."""
    return _sin(x)


sin.defvjp(lambda g, out, x: g * cos(x))  # type: ignore[has-type]


@primitive("cos", Check())
def cos(x: Any) -> Any:
    """cos(x).  d/dx = -sin(x)."""
    return _cos(x)


cos.defvjp(lambda g, out, x: -(g * sin(x)))


@primitive("tanh", Check())
def tanh(x: Any) -> Any:
    """tanh(x).  d/dx = 1 - tanh(x)^2 = 1 - out^2."""
    return _tanh(x)


tanh.defvjp(lambda g, out, x: g * (1 - out * out))


def _sigmoid_float(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # x < 0: exp cannot overflow here
    return e / (1.0 + e)


@primitive("sigmoid", Check())
def sigmoid(x: Any) -> Any:
    """1 / (1 + e^-x), computed as e^x / (1 + e^x) for x < 0 so that no exp
    overflows.  d/dx = s (1 - s) with s = out."""
    if type(x) is float:
        return _sigmoid_float(x)
    if type(x) is not np.ndarray:  # a list, as relu and exp take (for the test x >= 0)
        x = np.asarray(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


sigmoid.defvjp(lambda g, out, x: g * (out * (1 - out)))


@primitive("relu", Check(kinks=(0.0,)))
def relu(x: Any) -> Any:
    """max(x, 0).  d/dx = 1 for x > 0, else 0."""
    if type(x) is float:
        return 0.0 if x <= 0.0 else x
    return np.maximum(x, 0)


relu.defvjp(lambda g, out, x: g * (x > 0))


def _number(op: str, name: str, v: Any, hint: str, x: Any, none: bool = False) -> Any:
    """A hyperparameter checked to be a plain real number (or None where `none`), as a
    Python float (or int), or a real numpy array for array data `x` (one value per
    element or channel, broadcast as numpy does, in x's dtype); a TypeError naming the
    op and the argument otherwise.

    Hyperparameters get no gradient (they are keywords, not inputs): a Value would
    be taken apart element by element by numpy into an object array, silently."""
    if v is None and none:
        return None
    if isinstance(v, numbers.Real):  # (a Value is not one)
        # A Python number: a numpy scalar would promote float32 data to float64.
        return v if type(v) is int else float(v)
    if isinstance(v, np.ndarray) and v.dtype.kind in "biuf" and isinstance(x, np.ndarray):
        return v.astype(x.dtype, copy=False) if x.dtype.kind == "f" else v
    kind = "a Value" if isinstance(v, Node) else type(v).__name__
    if isinstance(v, np.ndarray):
        kind = f"an array of dtype {v.dtype}" + (
            " for scalar-level data" if type(x) is float else ""
        )
    either = " or None" if none else ""
    raise TypeError(
        f"{op}: {name} must be a number{either} (or, for array data, a real array), got "
        f"{kind}; {hint}"
    )


_SLOPE_HINT = "for a learned slope use nn.prelu (nn.PReLU), which differentiates through it"
_ALPHA_HINT = "for a learned alpha write where(x > 0, x, alpha * (x.exp() - 1))"
_BOUND_HINT = (
    "clip's bounds get no gradient; to differentiate through a bound use "
    "maximum(x, lo) and minimum(x, hi)"
)


@primitive("leaky_relu", Check(kinks=(0.0,), kwargs=({}, {"negative_slope": 0.2})))
def leaky_relu(x: Any, negative_slope: float = 0.01) -> Any:
    """x for x > 0, else negative_slope * x (a plain number).  d/dx = 1 or negative_slope."""
    if type(negative_slope) is not float:
        negative_slope = _number("leaky_relu", "negative_slope", negative_slope, _SLOPE_HINT, x)
    if type(x) is float:
        return x if x > 0 else negative_slope * x
    if type(x) is not np.ndarray:  # a list, as relu and exp take
        x = np.asarray(x)
    return np.where(x > 0, x, x * negative_slope)


leaky_relu.defvjp(
    lambda g, out, x, negative_slope=0.01: where(x > 0, g, g * negative_slope)  # type: ignore[has-type]
)


@primitive("elu", Check(kinks=(0.0,), kwargs=({}, {"alpha": 0.5})))
def elu(x: Any, alpha: float = 1.0) -> Any:
    """x for x > 0, else alpha (e^x - 1) (expm1 keeps small x exact; alpha a plain
    number).  d/dx = 1 for x > 0, else alpha e^x = out + alpha."""
    if type(alpha) is not float:
        alpha = _number("elu", "alpha", alpha, _ALPHA_HINT, x)
    if type(x) is float:
        return x if x > 0 else alpha * math.expm1(x)
    if type(x) is not np.ndarray:  # a list, as relu and exp take
        x = np.asarray(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


elu.defvjp(lambda g, out, x, alpha=1.0: where(x > 0, g, g * (out + alpha)))  # type: ignore[has-type]


@primitive("softplus", Check())
def softplus(x: Any) -> Any:
    """log(1 + e^x), computed as max(x, 0) + log1p(e^-|x|) so that no exp
    overflows.  d/dx = sigmoid(x)."""
    if type(x) is float:
        return (x if x > 0 else 0.0) + math.log1p(math.exp(-x if x > 0 else x))
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


softplus.defvjp(lambda g, out, x: g * sigmoid(x))


@primitive("clip", Check(kinks=(-1.0, 1.0), kwargs=({"lo": -1.0, "hi": 1.0},)))
def clip(x: Any, lo: float | None = None, hi: float | None = None) -> Any:
    """x limited to [lo, hi] (plain numbers; either may be None).
    d/dx = 1 inside, 0 outside."""
    if type(lo) is not float:
        lo = _number("clip", "lo", lo, _BOUND_HINT, x, none=True)
    if type(hi) is not float:
        hi = _number("clip", "hi", hi, _BOUND_HINT, x, none=True)
    if type(x) is float:
        if lo is not None and x < lo:
            return float(lo)
        if hi is not None and x > hi:
            return float(hi)
        return x
    return np.clip(x, lo, hi)


def _clip_grad(g: Any, out: Any, x: Any, lo: float | None = None, hi: float | None = None) -> Any:
    d = data_of(x)
    inside = True if lo is None else d >= lo
    if hi is not None:
        inside = inside & (d <= hi)
    return g * inside


clip.defvjp(_clip_grad)


def _share(win: Any, lose: Any, like: Any) -> Any:
    """1 where `win` is the larger, 1/2 on ties, else 0; in the dtype of `like`."""
    w, v = data_of(win), data_of(lose)
    if type(w) is float and type(v) is float:
        return 1.0 if w > v else (0.5 if w == v else 0.0)
    return ((w > v) + 0.5 * (w == v)).astype(dtype_of(like), copy=False)


@primitive("maximum", Check(kind="binary", apart=True))
def maximum(a: Any, b: Any) -> Any:
    """Elementwise larger of a and b.  d/da = 1 where a > b, 1/2 on ties, else 0."""
    if type(a) is float and type(b) is float:
        return a if a >= b else b
    return np.maximum(a, b)


maximum.defvjp(lambda g, out, a, b: g * _share(a, b, g), lambda g, out, a, b: g * _share(b, a, g))


@primitive("minimum", Check(kind="binary", apart=True))
def minimum(a: Any, b: Any) -> Any:
    """Elementwise smaller of a and b.  d/da = 1 where a < b, 1/2 on ties, else 0."""
    if type(a) is float and type(b) is float:
        return a if a <= b else b
    return np.minimum(a, b)


minimum.defvjp(lambda g, out, a, b: g * _share(b, a, g), lambda g, out, a, b: g * _share(a, b, g))


@primitive("where", Check(kind="where"))
def where(cond: Any, a: Any, b: Any) -> Any:
    """a where cond holds (read as booleans), else b, with numpy broadcasting.
    d/da = 1 where cond, d/db = 1 elsewhere, d/dcond = 0 (a step in cond)."""
    if not isinstance(cond, bool | np.bool_):
        cond = np.asarray(cond, dtype=bool)
    if type(a) is float and type(b) is float and np.ndim(cond) == 0:
        return a if cond else b
    return np.where(cond, a, b)


where.defvjp(
    lambda g, out, cond, a, b: g * 0.0,
    lambda g, out, cond, a, b: where(cond, g, 0.0),
    lambda g, out, cond, a, b: where(cond, 0.0, g),
)


@primitive("astype", Check(kind="astype", levels=("tensor",)))
def astype(x: Any, dtype: np.dtype[Any]) -> Any:
    """x converted to a float dtype.  d/dx = 1 (the gradient converted back)."""
    return np.asarray(x).astype(dtype)


astype.defvjp(lambda g, out, x, dtype: astype(g, dtype=dtype_of(x)))
