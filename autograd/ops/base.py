"""Shared pieces of the ops table: test metadata and helpers for gradient rules.

Helpers here accept raw data and Values alike, so a rule written with them
runs on raw floats/arrays in a plain backward and on Values in a recording one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd.convert import data_of, shape_of
from autograd.primitives import Primitive
from autograd.primitives import primitive as _register

__all__ = [
    "Check",
    "primitive",
    "data_of",
    "shape_of",
    "ndim_of",
    "dtype_of",
    "scalar_or_nan",
    "kept_shape",
    "normalize_axes",
    "sign",
]


@dataclass(frozen=True)
class Check:
    """What the property tests need to know to exercise a primitive.

    kind:    the input builder in `autograd.testing.strategies` ("unary",
             "binary", "reduction", "matmul", ...).
    domain:  interval the differentiable inputs are drawn from; `domains`
             gives one interval per input where they differ.
    kinks:   points where the derivative jumps; inputs are kept away from them.
    apart:   binary ops whose kink is where the inputs meet (maximum).
    levels:  "scalar" (Python floats) and/or "tensor" (numpy arrays).
    kwargs:  keyword arguments to try.
    order:   highest derivative order that exists and is checked.
    """

    kind: str = "unary"
    domain: tuple[float, float] = (-3.0, 3.0)
    domains: tuple[tuple[float, float], ...] | None = None
    kinks: tuple[float, ...] = ()
    apart: bool = False
    levels: tuple[str, ...] = ("scalar", "tensor")
    kwargs: tuple[dict[str, Any], ...] = field(default_factory=lambda: ({},))
    order: int = 2


def primitive(
    name: str,
    check: Check,
    format_error: Callable[..., str] | None = None,
    saves: bool = False,
    doc: str | None = None,
    variadic: bool = False,
) -> Callable[[Callable[..., Any]], Primitive]:
    """Register one of the engine's own primitives: `autograd.primitive` with
    builtin=True, which declares its forward trusted and its errors the engine's own."""
    return _register(name, check, format_error, saves, doc, builtin=True, variadic=variadic)


def ndim_of(x: Any) -> int:
    return len(shape_of(x))


def dtype_of(x: Any) -> np.dtype[Any]:
    d = data_of(x)
    return np.dtype(np.float64) if type(d) is float else d.dtype


def scalar_or_nan(
    fn: Callable[[float], float], np_fn: Callable[[Any], Any]
) -> Callable[[Any], Any]:
    """Forward of a unary math function: `math` on Python floats (fast, stays a
    float), numpy on arrays. Where `math` raises (log of a negative number,
    exp overflow) the numpy result is returned, so both levels behave as numpy."""

    def forward(x: Any) -> Any:
        if type(x) is float:
            try:
                return fn(x)
            except (ValueError, OverflowError):
                with np.errstate(all="ignore"):
                    return float(np_fn(x))
        return np_fn(x)

    return forward


def kept_shape(shape: tuple[int, ...], axis: Any) -> tuple[int, ...]:
    """Shape of a reduction over `axis` with keepdims=True (for a reduction whose
    forward accepted the axis)."""
    if not shape:  # numpy reduces a 0-d array over axis 0 or -1 too: still 0-d
        return ()
    axes = normalize_axes(axis, len(shape))
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def normalize_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """Axis argument (None, int or tuple, negatives allowed) as sorted positive ints."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int | np.integer):
        axis = (axis,)
    out = []
    for a in axis:
        a = int(a)
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(a, ndim)
        out.append(a % ndim)
    return tuple(sorted(out))


def sign(x: Any) -> Any:
    """Sign of the raw data (-1, 0 or 1) in its own float type; no gradient."""
    d = data_of(x)
    if type(d) is float:
        return float((d > 0) - (d < 0))
    return np.sign(d)


def safe_float_div(a: float, b: float) -> float:
    """a / b on Python floats with numpy's answer for b == 0 (inf or nan)."""
    try:
        return a / b
    except ZeroDivisionError:
        with np.errstate(all="ignore"):
            return float(np.divide(a, b))


def safe_float_pow(a: float, b: float) -> float:
    """a ** b on Python floats with numpy's answers: nan for a negative base
    with a fractional exponent, inf for 0 ** negative or overflow."""
    try:
        r = a**b
    except (ZeroDivisionError, OverflowError):
        with np.errstate(all="ignore"):
            return float(np.power(a, b))
    return r if type(r) is float else math.nan
