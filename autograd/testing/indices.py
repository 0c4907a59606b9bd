"""Hypothesis strategy of numpy indices (for `getitem` and its gradient, `untake`).

An index mixes ints, slices (negative steps and out-of-range bounds included), None
(new axes) and an Ellipsis with at most one kind of advanced index: a boolean mask
over one or more axes, or integer arrays of one shared shape with repeated and negative
entries. Repeated entries are the case where a gradient must be added up, not written.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd.testing.shapes import Shape

__all__ = ["index_result_shape", "indices"]


def index_result_shape(shape: Shape, index: Any) -> Shape:
    """The shape of `x[index]` for an array x of `shape`."""
    return np.empty(shape)[index].shape  # type: ignore[no-any-return]


@st.composite
def indices(draw: st.DrawFn, shape: Shape) -> Any:
    """An index for an array of `shape`: ints, slices, None and Ellipsis, plus at
    most one kind of advanced index: a boolean mask over one or more axes, or
    integer arrays (one shared shape, repeated and negative entries) on some axes."""
    nd = len(shape)
    used = draw(st.integers(0, nd))  # how many leading axes the index addresses
    parts = _axis_parts(draw, shape, used)
    # Insert new axes, and let an Ellipsis stand for a run of full slices (or none).
    for _ in range(draw(st.integers(0, 2))):
        parts.insert(draw(st.integers(0, len(parts))), None)
    if draw(st.booleans()):
        _add_ellipsis(draw, parts, nd - used)
    if len(parts) == 1 and draw(st.booleans()):
        return parts[0]
    return tuple(parts)


def _axis_parts(draw: st.DrawFn, shape: Shape, used: int) -> list[Any]:
    """The parts that address the first `used` axes of `shape`, one per axis, except
    that a mask covers one or two axes."""
    advanced = draw(st.sampled_from(["none", "mask", "ints"]))
    int_shape = draw(st.sampled_from([(), (1,), (3,), (2, 2)]))
    parts: list[Any] = []
    mask_done = False
    axis = 0
    while axis < used:
        if advanced == "mask" and not mask_done and draw(st.booleans()):
            span = draw(st.integers(1, min(2, used - axis)))
            parts.append(draw(hnp.arrays(np.bool_, shape[axis : axis + span])))
            mask_done = True
            axis += span
            continue
        parts.append(_one_axis(draw, shape[axis], int_shape if advanced == "ints" else None))
        axis += 1
    return parts


def _one_axis(draw: st.DrawFn, n: int, int_shape: Shape | None) -> Any:
    """The part for one axis of `n` elements: an int, a slice, a full slice, or (where
    integer arrays are the advanced kind, `int_shape` given) an integer array."""
    kind = draw(st.sampled_from(["int", "slice", "full", "ints"]))
    if kind == "ints" and int_shape is not None:
        return draw(hnp.arrays(np.intp, int_shape, elements=st.integers(-n, n - 1)))
    if kind == "int":
        return draw(st.integers(-n, n - 1))
    if kind == "slice":
        bound = st.none() | st.integers(-n - 1, n + 1)
        step = draw(st.sampled_from([None, 1, 2, -1, -2]))
        return slice(draw(bound), draw(bound), step)
    return slice(None)


def _add_ellipsis(draw: st.DrawFn, parts: list[Any], rest: int) -> None:
    """Put an Ellipsis into `parts`, in place of a run of full slices or between two
    parts. `rest` is the number of trailing axes the parts do not address yet."""
    # An Ellipsis takes every axis the other parts leave; address them all
    # first, so that it stands for exactly the slices it replaces.
    parts.extend([slice(None)] * rest)
    full = [i for i, p in enumerate(parts) if _is_full(p)]
    start = draw(st.sampled_from(full)) if len(full) > 0 and draw(st.booleans()) else None
    if start is None:
        parts.insert(draw(st.integers(0, len(parts))), Ellipsis)
        return
    stop = start
    while stop < len(parts) and _is_full(parts[stop]):
        stop += 1
    stop = draw(st.integers(start + 1, stop))
    parts[start:stop] = [Ellipsis]


def _is_full(part: Any) -> bool:
    return isinstance(part, slice) and part == slice(None)
