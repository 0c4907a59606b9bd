"""Short text about Values, shared by pictures and explanations.

Numbers as micrograd prints them, a one-line summary of an array, an operation's label
with its short keyword arguments, and names ``v1, v2, ...`` for unnamed nodes, so that a
picture and `explain_backward` of one graph describe it in the same words.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd.node import inputs_first, keywords_of
from autograd.value import Value

__all__ = [
    "SYMBOLS",
    "finite",
    "fmt_number",
    "magnitude",
    "op_label",
    "short_ids",
    "short_kw",
    "summarize",
]

# Operators drawn as their symbol, as micrograd users know them; the rest by name.
SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "matmul": "@", "power": "**"}


def fmt_number(x: float, small: float = 1e-3) -> str:
    """A number as micrograd prints it (4 decimals), in e-notation when that would hide
    it: at 1e5 and above, and below `small` (1e-2 keeps four significant figures, for
    arithmetic a reader checks by hand)."""
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x != 0.0 and (abs(x) < small or abs(x) >= 1e5):
        return f"{x:.3e}"
    return f"{x:.4f}"


def summarize(x: Any, stats: str = "data", small: float = 1e-3) -> str:
    """A short description of raw data: the number itself, or shape statistics of an array.

    stats="data" gives mean and std (what activations look like); stats="grad" gives the
    L2 norm (how much signal arrives). Arrays of up to 3 elements are printed in full.
    Numbers are written by `fmt_number` (`small` as there).
    """
    if isinstance(x, Value):
        x = x.data
    if isinstance(x, float | int | np.floating) or np.ndim(x) == 0:
        return fmt_number(float(x), small)
    a = np.asarray(x)
    if a.size <= 3:
        return "[" + ", ".join(fmt_number(float(v), small) for v in a.ravel()) + "]"
    a64 = a.astype(np.float64, copy=False)
    with np.errstate(all="ignore"):
        if stats == "grad":
            return f"norm {fmt_number(float(np.sqrt(np.sum(a64 * a64))), small)}"
        mean, std = float(a64.mean()), float(a64.std())
        return f"mean {fmt_number(mean, small)} std {fmt_number(std, small)}"


def finite(x: Any) -> bool:
    """Whether data or a gradient holds no nan or inf (a missing gradient holds none)."""
    if x is None:
        return True
    if isinstance(x, float):
        return math.isfinite(x)
    return bool(np.all(np.isfinite(x)))


def magnitude(g: Any) -> float:
    """|g| for a scalar, the L2 norm for an array (0.0 when there is no gradient)."""
    if g is None:
        return 0.0
    a = np.asarray(g, dtype=np.float64)
    return float(np.sqrt(np.sum(a * a)))


def short_kw(kw: dict[str, Any] | None, limit: int = 28) -> str:
    """Keyword arguments as `axis=1, keepdims=True`, or '' when they would not fit."""
    if not kw:
        return ""
    parts = []
    for k, v in kw.items():
        if v is None or v is False or k == "saved":
            continue  # defaults such as axis=None, keepdims=False say nothing; nor does
            # what a primitive saved for its gradient
        text = f"array{np.shape(v)}" if isinstance(v, np.ndarray) else repr(v)
        parts.append(f"{k}={text}")
    joined = ", ".join(parts)
    return joined if len(joined) <= limit else ""


def op_label(node: Value) -> str:
    """What an op node says: a symbol for + - * / @ **, else the op's name, with short
    keyword arguments (`sum(axis=1)`)."""
    name = node.op
    kw = short_kw(keywords_of(node))
    if kw:
        return f"{name}({kw})"
    return SYMBOLS.get(name, name)


def short_ids(nodes: Iterable[Value]) -> dict[int, str]:
    """Names `v1, v2, ...` for nodes, numbered inputs before outputs (`inputs_first`),
    so a picture and `explain_backward` of the same graph name unnamed nodes alike."""
    return {id(v): f"v{i}" for i, v in enumerate(inputs_first(list(nodes)), start=1)}
