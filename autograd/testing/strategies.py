"""Hypothesis strategies for property tests of the engine and of users' own code.

Building blocks:

- `floats(lo, hi)`: finite Python floats in [lo, hi].
- `arrays(shape, dtype, lo, hi)`: numpy arrays of finite values in [lo, hi].
- `shapes(...)`: array shapes; `broadcastable_shapes(n, ...)`: tuples of `n`
  mutually broadcastable shapes (different ranks and size-1 axes included).
- `away_from(values, kinks, margin)`: values (or a strategy of them) moved at
  least `margin` away from the points where a function has a kink or a pole.
  Values are nudged, never filtered, so hypothesis never runs out of examples.
- `op_inputs(op, level)`: `(args, kwargs)` for any primitive of `autograd.OPS`,
  built from the primitive's `Check` metadata. `Check.kind` selects a builder
  in `BUILDERS`; a primitive of a kind with no builder makes `op_inputs` raise,
  so a new primitive fails its table-driven tests until a builder exists.

This module imports hypothesis, which the engine itself does not need: import
it only from tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd.ops.base import Check
from autograd.primitives import OPS, Primitive

__all__ = [
    "BUILDERS",
    "DEFAULT_MARGIN",
    "arrays",
    "away_from",
    "broadcastable_shapes",
    "floats",
    "index_result_shape",
    "op_inputs",
    "shapes",
]

Shape = tuple[int, ...]
Args = tuple[Any, ...]
Kwargs = dict[str, Any]

DEFAULT_MARGIN = 0.1
# Forbidden zones are made this much wider than the margin, so that rounding
# the nudged value (to float32, say) cannot bring it back inside the margin.
_WIDEN = 1.001


# --- floats, arrays and shapes ------------------------------------------------------


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
def _sub_shape(draw: st.DrawFn, full: Shape, min_dims: int = 0) -> Shape:
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
    return tuple(draw(_sub_shape(full)) for _ in range(n))


# --- keeping values away from kinks and poles -----------------------------------------


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


def _spread(values: Any, margin: float, lo: float | None, hi: float | None) -> Any:
    """Elements moved (in order) at least `margin` away from all earlier ones,
    so that no two are within `margin` of each other: no ties."""
    if isinstance(values, float):
        return values
    arr = np.asarray(values)
    flat = arr.astype(np.float64).ravel()
    for i in range(1, flat.size):
        flat[i] = _allowed_point(float(flat[i]), flat[:i], margin, lo, hi)
    return flat.reshape(arr.shape).astype(arr.dtype)


# --- inputs of the primitives ---------------------------------------------------------


@dataclass(frozen=True)
class _Ctx:
    """What a builder knows: the primitive's check, the level, the dtype to
    produce, and the most elements any one generated input may hold."""

    name: str
    check: Check
    level: str
    dtype: np.dtype[Any]
    max_size: int

    @property
    def scalar(self) -> bool:
        return self.level == "scalar"

    def domain(self, i: int = 0) -> tuple[float, float]:
        """Interval of the i-th differentiable input."""
        doms = self.check.domains
        return doms[i] if doms is not None and i < len(doms) else self.check.domain

    def margin(self, count: int = 1, i: int = 0) -> float:
        """The margin from kinks (or between values that must stay apart),
        shrunk when `count` forbidden zones would not fit in the domain."""
        lo, hi = self.domain(i)
        return min(DEFAULT_MARGIN, (hi - lo) / (4 * max(count, 1)))

    def value(self, draw: st.DrawFn, shape: Shape | None, i: int = 0) -> Any:
        """One differentiable input: a float at scalar level (shape None),
        else an array of `shape`; drawn from domain i, away from the kinks."""
        lo, hi = self.domain(i)
        v: Any = draw(floats(lo, hi) if shape is None else arrays(shape, self.dtype, lo, hi))
        if self.check.kinks:
            v = away_from(v, self.check.kinks, self.margin(len(self.check.kinks), i), lo, hi)
        return v

    def shape_or_none(self, draw: st.DrawFn, **kw: Any) -> Shape | None:
        return None if self.scalar else draw(shapes(max_size=self.max_size, **kw))


Builder = Callable[[st.DrawFn, _Ctx, Kwargs], tuple[Args, Kwargs]]
BUILDERS: dict[str, Builder] = {}
SCALAR_KINDS = {"unary", "binary", "where", "reduction"}


def _builder(kind: str) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        BUILDERS[kind] = fn
        return fn

    return register


def _axes_of(kw: Kwargs) -> tuple[int, ...]:
    """The axes named by an `axis` keyword (none for a missing or None axis)."""
    axis = kw.get("axis")
    if axis is None:
        return ()
    return tuple(axis) if isinstance(axis, tuple | list) else (int(axis),)


def _dims_needed(kw: Kwargs) -> int:
    """The fewest axes an array must have for the `axis` keyword to fit."""
    return max((a + 1 if a >= 0 else -a for a in _axes_of(kw)), default=0)


@_builder("unary")
def _unary(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    return (ctx.value(draw, ctx.shape_or_none(draw)),), kw


@_builder("binary")
def _binary(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    sa: Shape | None = None
    sb: Shape | None = None
    if not ctx.scalar:
        sa, sb = draw(broadcastable_shapes(2, max_size=ctx.max_size))
        # Now and then one operand is a Python float: a scalar Value in a tensor graph.
        mix = draw(st.sampled_from(["arrays"] * 4 + ["float first", "float second"]))
        if mix == "float first":
            sa = None
        elif mix == "float second":
            sb = None
    a = ctx.value(draw, sa, 0)
    b = ctx.value(draw, sb, 1)
    if ctx.check.apart:
        lo, hi = ctx.domain(1)
        b = away_from(b, np.ravel(a), ctx.margin(int(np.size(a)), 1), lo, hi)
    return (a, b), kw


@_builder("where")
def _where(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    if ctx.scalar:
        return (draw(st.booleans()), ctx.value(draw, None, 0), ctx.value(draw, None, 1)), kw
    sc, sa, sb = draw(broadcastable_shapes(3, max_size=ctx.max_size))
    cond = draw(hnp.arrays(np.bool_, sc))
    return (cond, ctx.value(draw, sa, 0), ctx.value(draw, sb, 1)), kw


@_builder("reduction")
def _reduction(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    if ctx.scalar:
        return (ctx.value(draw, None),), kw
    ndim = _dims_needed(kw)
    ddof = int(kw.get("ddof", 0))
    room = max(1, ctx.max_size // (ddof + 1))
    shape = list(draw(shapes(min_dims=ndim, max_dims=max(ndim, 3), max_size=room)))
    if ddof:
        # n - ddof must stay positive: lengthen the first reduced axis if needed.
        axes = [a % len(shape) for a in _axes_of(kw)] or list(range(len(shape)))
        count = math.prod(shape[a] for a in axes)
        if count <= ddof and axes:
            shape[axes[0]] *= ddof + 1
    x = ctx.value(draw, tuple(shape))
    if ctx.check.apart:
        lo, hi = ctx.domain()
        x = _spread(x, ctx.margin(int(np.size(x))), lo, hi)
    return (x,), kw


@_builder("softmax")
def _softmax(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    # The default axis is -1, so at least one axis unless the axis is None.
    ndim = 0 if "axis" in kw and kw["axis"] is None else max(1, _dims_needed(kw))
    shape = draw(shapes(min_dims=ndim, max_dims=max(ndim, 3), max_size=ctx.max_size))
    return (ctx.value(draw, shape),), kw


@_builder("matmul")
def _matmul(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    m, k, n = (draw(st.integers(1, 3)) for _ in range(3))
    rank_a, rank_b = draw(
        st.sampled_from([(1, 1), (2, 1), (1, 2), (2, 2), (3, 3), (3, 2), (2, 3), (3, 1), (1, 3)])
    )
    batch_a: Shape = ()
    batch_b: Shape = ()
    if max(rank_a, rank_b) == 3:
        room = max(1, ctx.max_size // (max(m, n) * k))
        batch_a, batch_b = draw(broadcastable_shapes(2, 1, 2, 1, 3, max_size=room))
        batch_a = (batch_a or (1,)) if rank_a == 3 else ()
        batch_b = (batch_b or (1,)) if rank_b == 3 else ()
    sa = (*batch_a, m, k) if rank_a >= 2 else (k,)
    sb = (*batch_b, k, n) if rank_b >= 2 else (k,)
    return (ctx.value(draw, sa, 0), ctx.value(draw, sb, 1)), kw


@_builder("linear")
def _linear(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    """x of shape (..., in) (1-D to 3-D), weight (in, out), bias (out,)."""
    n_in, n_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    batch = draw(shapes(max_dims=2, max_size=max(1, ctx.max_size // n_in)))
    x = ctx.value(draw, (*batch, n_in), 0)
    return (x, ctx.value(draw, (n_in, n_out), 1), ctx.value(draw, (n_out,), 2)), kw


@_builder("softmax_cross_entropy")
def _softmax_cross_entropy(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    """Logits (N, C) and integer labels (N,) in [0, C)."""
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    labels = draw(hnp.arrays(np.intp, (n,), elements=st.integers(0, c - 1)))
    return (ctx.value(draw, (n, c)), labels), kw


def _factor(n: int) -> list[int]:
    out, p = [], 2
    while n > 1:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out


@_builder("reshape")
def _reshape(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    shape = draw(shapes(max_size=ctx.max_size))
    factors = _factor(math.prod(shape))
    ndim = draw(st.integers(1 if factors else 0, 4))
    new = [1] * ndim
    for f in factors:
        new[draw(st.integers(0, ndim - 1))] *= f
    if ndim > 0 and draw(st.booleans()):
        new[draw(st.integers(0, ndim - 1))] = -1
    return (ctx.value(draw, shape),), {**kw, "shape": tuple(new)}


@_builder("transpose")
def _transpose(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    shape = draw(shapes(max_size=ctx.max_size))
    nd = len(shape)
    axes: tuple[int, ...] | None = None
    if draw(st.booleans()):
        perm = draw(st.permutations(range(nd)))
        axes = tuple(a - nd if draw(st.booleans()) else a for a in perm)
    return (ctx.value(draw, shape),), {**kw, "axes": axes}


@_builder("broadcast_to")
def _broadcast_to(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    full = draw(shapes(max_size=ctx.max_size))
    return (ctx.value(draw, draw(_sub_shape(full))),), {**kw, "shape": full}


@_builder("sum_to")
def _sum_to(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    full = draw(shapes(max_size=ctx.max_size))
    return (ctx.value(draw, full),), {**kw, "shape": draw(_sub_shape(full))}


@_builder("squeeze")
def _squeeze(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    base = list(draw(shapes(max_dims=2, max_size=ctx.max_size)))
    for _ in range(draw(st.integers(0, 2))):
        base.insert(draw(st.integers(0, len(base))), 1)
    shape = tuple(base)
    ones = [i for i, n in enumerate(shape) if n == 1]
    axis: Any = None
    choice = draw(st.sampled_from(["none", "int", "tuple"]))
    if ones and choice != "none":
        picked = draw(st.lists(st.sampled_from(ones), min_size=1, unique=True))
        picked = [a - len(shape) if draw(st.booleans()) else a for a in picked]
        axis = picked[0] if choice == "int" else tuple(picked)
    return (ctx.value(draw, shape),), {**kw, "axis": axis}


@_builder("expand_dims")
def _expand_dims(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    shape = draw(shapes(max_size=ctx.max_size))
    count = draw(st.integers(1, 2))
    out_nd = len(shape) + count
    where = draw(st.lists(st.integers(0, out_nd - 1), min_size=count, max_size=count, unique=True))
    where = [a - out_nd if draw(st.booleans()) else a for a in where]
    axis: Any = where[0] if count == 1 and draw(st.booleans()) else tuple(where)
    return (ctx.value(draw, shape),), {**kw, "axis": axis}


@_builder("concatenate")
def _concatenate(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    count = draw(st.integers(1, 3))
    base = list(draw(shapes(min_dims=1, max_size=max(1, ctx.max_size // count))))
    axis = draw(st.integers(-len(base), len(base) - 1))
    rest = math.prod(base) // base[axis]
    xs = []
    for _ in range(count):
        base[axis] = draw(st.integers(1, max(1, min(3, ctx.max_size // (count * rest)))))
        xs.append(ctx.value(draw, tuple(base)))
    return tuple(xs), {**kw, "axis": axis}


@_builder("stack")
def _stack(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    count = draw(st.integers(1, 3))
    shape = draw(shapes(max_size=max(1, ctx.max_size // count)))
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    return tuple(ctx.value(draw, shape) for _ in range(count)), {**kw, "axis": axis}


def index_result_shape(shape: Shape, index: Any) -> Shape:
    """The shape of `x[index]` for an array x of `shape`."""
    return np.empty(shape)[index].shape  # type: ignore[no-any-return]


def _is_full(part: Any) -> bool:
    return isinstance(part, slice) and part == slice(None)


@st.composite
def _indices(draw: st.DrawFn, shape: Shape) -> Any:
    """An index for an array of `shape`: ints, slices, None and Ellipsis, plus at
    most one kind of advanced index: a boolean mask over one or more axes, or
    integer arrays (one shared shape, repeated and negative entries) on some axes."""
    nd = len(shape)
    used = draw(st.integers(0, nd))  # how many leading axes the index addresses
    advanced = draw(st.sampled_from(["none", "mask", "ints"]))
    int_shape = draw(st.sampled_from([(), (1,), (3,), (2, 2)]))
    parts: list[Any] = []
    mask_done = False
    axis = 0
    while axis < used:
        n = shape[axis]
        if advanced == "mask" and not mask_done and draw(st.booleans()):
            span = draw(st.integers(1, min(2, used - axis)))
            parts.append(draw(hnp.arrays(np.bool_, shape[axis : axis + span])))
            mask_done = True
            axis += span
            continue
        kind = draw(st.sampled_from(["int", "slice", "full", "ints"]))
        if kind == "ints" and advanced == "ints":
            parts.append(draw(hnp.arrays(np.intp, int_shape, elements=st.integers(-n, n - 1))))
        elif kind == "int":
            parts.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            bound = st.none() | st.integers(-n - 1, n + 1)
            step = draw(st.sampled_from([None, 1, 2, -1, -2]))
            parts.append(slice(draw(bound), draw(bound), step))
        else:
            parts.append(slice(None))
        axis += 1
    # Insert new axes, and let an Ellipsis stand for a run of full slices (or none).
    for _ in range(draw(st.integers(0, 2))):
        parts.insert(draw(st.integers(0, len(parts))), None)
    if draw(st.booleans()):
        # An Ellipsis takes every axis the other parts leave; address them all
        # first, so that it stands for exactly the slices it replaces.
        parts.extend([slice(None)] * (nd - used))
        full = [i for i, p in enumerate(parts) if _is_full(p)]
        start = draw(st.sampled_from(full)) if len(full) > 0 and draw(st.booleans()) else None
        if start is None:
            parts.insert(draw(st.integers(0, len(parts))), Ellipsis)
        else:
            stop = start
            while stop < len(parts) and _is_full(parts[stop]):
                stop += 1
            stop = draw(st.integers(start + 1, stop))
            parts[start:stop] = [Ellipsis]
    if len(parts) == 1 and draw(st.booleans()):
        return parts[0]
    return tuple(parts)


@_builder("getitem")
def _getitem(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    shape = draw(shapes(max_size=ctx.max_size))
    index = draw(_indices(shape))
    return (ctx.value(draw, shape),), {**kw, "index": index}


@_builder("untake")
def _untake(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    shape = draw(shapes(max_size=ctx.max_size))
    # g has the indexed shape, which integer-array indices can make larger than x.
    index = draw(
        _indices(shape).filter(lambda i: int(np.prod(index_result_shape(shape, i))) <= ctx.max_size)
    )
    g = ctx.value(draw, index_result_shape(shape, index))
    return (g,), {**kw, "index": index, "shape": shape, "dtype": ctx.dtype}


@_builder("astype")
def _astype(draw: st.DrawFn, ctx: _Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    shape = draw(shapes(max_size=ctx.max_size))
    target = draw(st.sampled_from([np.dtype(np.float64), np.dtype(np.float32)]))
    return (ctx.value(draw, shape),), {**kw, "dtype": target}


def op_inputs(
    op: Primitive | str,
    level: str = "tensor",
    dtype: Any = np.float64,
    max_size: int = 12,
) -> st.SearchStrategy[tuple[Args, Kwargs]]:
    """`(args, kwargs)` for calling the primitive `op` (or its name in OPS).

    At level "scalar" differentiable inputs are Python floats, at "tensor"
    arrays of `dtype` holding at most `max_size` elements each (a binary op
    now and then gets one Python float operand at tensor level too). Non-
    differentiable inputs (where's condition) are booleans; keywords such as
    `axis`, `shape` and `index` are plain Python values. `op.check` drives
    everything: its kind picks the builder, its domains and kinks the
    values, its kwargs the keywords (those naming an axis are left out at
    scalar level, and tensors get enough axes for them).

    Raises ValueError for an op without a check, a level the op does not
    serve, or a kind with no builder in BUILDERS.
    """
    prim = OPS[op] if isinstance(op, str) else op
    check = prim.check
    if not isinstance(check, Check):
        raise ValueError(f"op_inputs: primitive {prim.name!r} has no Check metadata")
    if level not in ("scalar", "tensor"):
        raise ValueError(f"op_inputs: level must be 'scalar' or 'tensor', got {level!r}")
    if level not in check.levels:
        raise ValueError(
            f"op_inputs: primitive {prim.name!r} serves levels {check.levels}, not {level!r}"
        )
    build = BUILDERS.get(check.kind)
    if build is None:
        raise ValueError(
            f"op_inputs: no input builder for kind {check.kind!r} (primitive {prim.name!r}); "
            f"add one to autograd.testing.strategies.BUILDERS (known kinds: "
            f"{', '.join(sorted(BUILDERS))})"
        )
    if level == "scalar" and check.kind not in SCALAR_KINDS:
        raise ValueError(
            f"op_inputs: kind {check.kind!r} (primitive {prim.name!r}) has no scalar-level builder"
        )
    choices = [kw for kw in check.kwargs if level == "tensor" or not _axes_of(kw)]
    if not choices:
        raise ValueError(f"op_inputs: primitive {prim.name!r} has no kwargs usable at {level!r}")
    ctx = _Ctx(prim.name, check, level, np.dtype(dtype), max_size)

    @st.composite
    def build_inputs(draw: st.DrawFn) -> tuple[Args, Kwargs]:
        kw = dict(draw(st.sampled_from(choices)))
        return build(draw, ctx, kw)

    return build_inputs()
