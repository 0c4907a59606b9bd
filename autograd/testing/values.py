"""Hypothesis strategies of numbers: finite floats and arrays, kept away from kinks.

A gradient check is only meaningful where the function is smooth: finite differences
across a kink (relu at 0, abs at 0) or a pole (log at 0, div by 0) compare a one-sided
slope with a two-sided one. `away_from` moves values out of a margin around such points
instead of filtering them, so hypothesis never runs out of examples.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = ["DEFAULT_MARGIN", "arrays", "away_from", "floats", "spread"]

DEFAULT_MARGIN = 0.1
# Forbidden zones are made this much wider than the margin, so that rounding
# the nudged value (to float32, say) cannot bring it back inside the margin.
_WIDEN = 1.001


def floats(lo: float = -3.0, hi: float = 3.0) -> st.SearchStrategy[float]:
    """Finite Python floats in [lo, hi]."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def arrays(
    shape: int | Sequence[int],
    dtype: Any = np.float64,
    lo: float = -3.0,
    hi: float = 3.0,
) -> st.SearchStrategy[np.ndarray]:
    """numpy arrays of `shape` and float `dtype` with finite elements in [lo, hi]."""
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise ValueError(f"arrays: dtype must be a float dtype, got {dt}")
    shp = (shape,) if isinstance(shape, int) else tuple(int(n) for n in shape)
    # Bounds must be representable in the element width, or hypothesis refuses them.
    lo_w, hi_w = float(np.array(lo, dt)), float(np.array(hi, dt))
    lo_w = lo_w if lo_w >= lo else float(np.nextafter(dt.type(lo_w), dt.type(np.inf)))
    hi_w = hi_w if hi_w <= hi else float(np.nextafter(dt.type(hi_w), dt.type(-np.inf)))
    elements = st.floats(
        lo_w,
        hi_w,
        width=dt.itemsize * 8,
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=False,
    )
    return hnp.arrays(dt, shp, elements=elements)


def _allowed_point(
    x: float, points: np.ndarray, margin: float, lo: float | None, hi: float | None
) -> float:
    """x itself when it is at least `margin` from every point, else the nearest
    value that is (and lies in [lo, hi] where given)."""
    radius = margin * _WIDEN
    # Forbidden open intervals around the points, merged where they overlap.
    zones: list[list[float]] = []
    for p in np.sort(points):
        a, b = float(p) - radius, float(p) + radius
        if zones and a <= zones[-1][1]:
            zones[-1][1] = b
        else:
            zones.append([a, b])
    for a, b in zones:
        if a < x < b:
            candidates = [c for c in (a, b) if (lo is None or c >= lo) and (hi is None or c <= hi)]
            if not candidates:
                raise ValueError(
                    f"away_from: no value within [{lo}, {hi}] is {margin} away from "
                    f"the points {sorted(float(q) for q in points)}"
                )
            return min(candidates, key=lambda c: (abs(c - x), -c))
    return x


def _nudge(values: Any, points: Any, margin: float, lo: float | None, hi: float | None) -> Any:
    pts = np.asarray(points, dtype=np.float64).ravel()
    if pts.size == 0:
        return values
    if type(values) is float or type(values) is int:
        return _allowed_point(float(values), pts, margin, lo, hi)
    arr = np.asarray(values)
    flat = arr.astype(np.float64).ravel()
    moved = np.array([_allowed_point(float(v), pts, margin, lo, hi) for v in flat])
    return moved.reshape(arr.shape).astype(arr.dtype)


def away_from(
    values: Any,
    kinks: Sequence[float] | np.ndarray,
    margin: float = DEFAULT_MARGIN,
    lo: float | None = None,
    hi: float | None = None,
) -> Any:
    """Move values at least `margin` away from each of `kinks`.

    `values` is a float, an array, or a hypothesis strategy of either; a
    strategy gives a strategy (mapped, not filtered, so no health check
    fails). A value within `margin` of a kink moves to the nearer edge of the
    forbidden zone (zones of nearby kinks merge) that lies in [lo, hi];
    floats stay floats, arrays keep shape and dtype. Raises ValueError when
    no edge lies in [lo, hi]."""
    if isinstance(values, st.SearchStrategy):
        return values.map(lambda v: _nudge(v, kinks, margin, lo, hi))
    return _nudge(values, kinks, margin, lo, hi)


def spread(values: Any, margin: float, lo: float | None, hi: float | None) -> Any:
    """Elements moved (in order) at least `margin` away from all earlier ones,
    so that no two are within `margin` of each other: no ties."""
    if isinstance(values, float):
        return values
    arr = np.asarray(values)
    flat = arr.astype(np.float64).ravel()
    for i in range(1, flat.size):
        flat[i] = _allowed_point(float(flat[i]), flat[:i], margin, lo, hi)
    return flat.reshape(arr.shape).astype(arr.dtype)
