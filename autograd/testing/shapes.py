"""Hypothesis strategies of array shapes, alone or broadcastable together.

Shapes stay small (a few axes of a few elements, `max_size` in all) because every
example runs a finite-difference gradient check, one forward pass per element.
Broadcastable tuples include different ranks and size-1 axes, the cases where a
gradient must be summed back to its input's shape.
"""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["Shape", "broadcastable_shapes", "shapes", "sub_shape"]

Shape = tuple[int, ...]


@st.composite
def shapes(
    draw: st.DrawFn,
    min_dims: int = 0,
    max_dims: int = 3,
    min_side: int = 1,
    max_side: int = 4,
    max_size: int | None = None,
) -> Shape:
    """Array shapes of `min_dims`..`max_dims` axes, each of `min_side`..`max_side`
    elements; with `max_size`, at most that many elements in all (the number
    of axes is capped where min_side demands it)."""
    if max_size is not None:
        fit = 0  # the most axes of min_side that fit in max_size
        while fit < max_dims and min_side ** (fit + 1) <= max_size:
            fit += 1
        if fit < min_dims:
            raise ValueError(
                f"shapes: {min_dims} axes of at least {min_side} exceed max_size={max_size}"
            )
        max_dims = fit
    ndim = draw(st.integers(min_dims, max_dims))
    out: list[int] = []
    room = max_size
    for i in range(ndim):
        top = max_side
        if room is not None:
            # Leave room for the axes still to come, each at least min_side long.
            top = max(min_side, min(max_side, room // max(min_side, 1) ** (ndim - i - 1)))
        n = draw(st.integers(min_side, top))
        out.append(n)
        if room is not None:
            room //= max(n, 1)
    return tuple(out)


@st.composite
def sub_shape(draw: st.DrawFn, full: Shape, min_dims: int = 0) -> Shape:
    """A shape that broadcasts to `full`: leading axes dropped, others set to 1."""
    ndim = draw(st.integers(min(min_dims, len(full)), len(full)))
    tail = full[len(full) - ndim :]
    return tuple(1 if draw(st.booleans()) else n for n in tail)


@st.composite
def broadcastable_shapes(
    draw: st.DrawFn,
    n: int = 2,
    min_dims: int = 0,
    max_dims: int = 3,
    min_side: int = 1,
    max_side: int = 4,
    max_size: int | None = None,
) -> tuple[Shape, ...]:
    """Tuples of `n` mutually broadcastable shapes.

    A result shape is drawn first (with `shapes`); each of the n shapes keeps
    some of its trailing axes and sets some of them to 1, so ranks differ and
    size-1 axes appear (regardless of min_side). `max_size` bounds the
    broadcast result, hence every shape."""
    full = draw(shapes(min_dims, max_dims, min_side, max_side, max_size))
    return tuple(draw(sub_shape(full)) for _ in range(n))
