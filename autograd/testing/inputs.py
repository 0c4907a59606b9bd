"""Inputs of the primitives, one builder per kind of primitive (`Check.kind`).

A builder draws `(args, kwargs)` that a primitive of its kind accepts: shapes that fit
together (broadcastable operands, matching inner sizes of a matmul, an axis the array
has), values in the primitive's domain and away from its kinks, and keywords that make
sense together. `BUILDERS` maps each kind to its builder; `op_inputs` in
`autograd.testing.strategies` picks one from a primitive's `Check`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd.ops.base import Check
from autograd.testing.indices import index_result_shape, indices
from autograd.testing.shapes import Shape, broadcastable_shapes, shapes, sub_shape
from autograd.testing.values import DEFAULT_MARGIN, arrays, away_from, floats, spread

__all__ = ["BUILDERS", "SCALAR_KINDS", "Args", "Builder", "Ctx", "Kwargs", "axes_of"]

Args = tuple[Any, ...]
Kwargs = dict[str, Any]


@dataclass(frozen=True)
class Ctx:
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


Builder = Callable[[st.DrawFn, Ctx, Kwargs], tuple[Args, Kwargs]]
BUILDERS: dict[str, Builder] = {}
# The kinds whose builders can also draw Python floats (scalar level); the others
# need arrays (an axis, a shape, an index).
SCALAR_KINDS = {"unary", "binary", "where", "reduction"}


def _builder(kind: str) -> Callable[[Builder], Builder]:
    """Register the decorated function as the builder of `kind`."""

    def register(fn: Builder) -> Builder:
        BUILDERS[kind] = fn
        return fn

    return register


def axes_of(kw: Kwargs) -> tuple[int, ...]:
    """The axes named by an `axis` keyword (none for a missing or None axis)."""
    axis = kw.get("axis")
    if axis is None:
        return ()
    return tuple(axis) if isinstance(axis, tuple | list) else (int(axis),)


def _dims_needed(kw: Kwargs) -> int:
    """The fewest axes an array must have for the `axis` keyword to fit."""
    return max((a + 1 if a >= 0 else -a for a in axes_of(kw)), default=0)


@_builder("unary")
def _unary(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    return (ctx.value(draw, ctx.shape_or_none(draw)),), kw


@_builder("binary")
def _binary(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
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
def _where(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    if ctx.scalar:
        return (draw(st.booleans()), ctx.value(draw, None, 0), ctx.value(draw, None, 1)), kw
    sc, sa, sb = draw(broadcastable_shapes(3, max_size=ctx.max_size))
    cond = draw(hnp.arrays(np.bool_, sc))
    return (cond, ctx.value(draw, sa, 0), ctx.value(draw, sb, 1)), kw


@_builder("reduction")
def _reduction(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    if ctx.scalar:
        return (ctx.value(draw, None),), kw
    ndim = _dims_needed(kw)
    ddof = int(kw.get("ddof", 0))
    room = max(1, ctx.max_size // (ddof + 1))
    shape = list(draw(shapes(min_dims=ndim, max_dims=max(ndim, 3), max_size=room)))
    if ddof:
        # n - ddof must stay positive: lengthen the first reduced axis if needed.
        axes = [a % len(shape) for a in axes_of(kw)] or list(range(len(shape)))
        count = math.prod(shape[a] for a in axes)
        if count <= ddof and axes:
            shape[axes[0]] *= ddof + 1
    x = ctx.value(draw, tuple(shape))
    if ctx.check.apart:
        lo, hi = ctx.domain()
        x = spread(x, ctx.margin(int(np.size(x))), lo, hi)
    return (x,), kw


@_builder("softmax")
def _softmax(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    # The default axis is -1, so at least one axis unless the axis is None.
    ndim = 0 if "axis" in kw and kw["axis"] is None else max(1, _dims_needed(kw))
    shape = draw(shapes(min_dims=ndim, max_dims=max(ndim, 3), max_size=ctx.max_size))
    return (ctx.value(draw, shape),), kw


@_builder("matmul")
def _matmul(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
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
def _linear(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    """x of shape (..., in) (1-D to 3-D), weight (in, out), bias (out,)."""
    n_in, n_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    batch = draw(shapes(max_dims=2, max_size=max(1, ctx.max_size // n_in)))
    x = ctx.value(draw, (*batch, n_in), 0)
    return (x, ctx.value(draw, (n_in, n_out), 1), ctx.value(draw, (n_out,), 2)), kw


@_builder("softmax_cross_entropy")
def _softmax_cross_entropy(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
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
def _reshape(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
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
def _transpose(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    shape = draw(shapes(max_size=ctx.max_size))
    nd = len(shape)
    axes: tuple[int, ...] | None = None
    if draw(st.booleans()):
        perm = draw(st.permutations(range(nd)))
        axes = tuple(a - nd if draw(st.booleans()) else a for a in perm)
    return (ctx.value(draw, shape),), {**kw, "axes": axes}


@_builder("broadcast_to")
def _broadcast_to(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    full = draw(shapes(max_size=ctx.max_size))
    return (ctx.value(draw, draw(sub_shape(full))),), {**kw, "shape": full}


@_builder("sum_to")
def _sum_to(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    full = draw(shapes(max_size=ctx.max_size))
    return (ctx.value(draw, full),), {**kw, "shape": draw(sub_shape(full))}


@_builder("squeeze")
def _squeeze(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
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
def _expand_dims(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    shape = draw(shapes(max_size=ctx.max_size))
    count = draw(st.integers(1, 2))
    out_nd = len(shape) + count
    where = draw(st.lists(st.integers(0, out_nd - 1), min_size=count, max_size=count, unique=True))
    where = [a - out_nd if draw(st.booleans()) else a for a in where]
    axis: Any = where[0] if count == 1 and draw(st.booleans()) else tuple(where)
    return (ctx.value(draw, shape),), {**kw, "axis": axis}


@_builder("concatenate")
def _concatenate(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
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
def _stack(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    count = draw(st.integers(1, 3))
    shape = draw(shapes(max_size=max(1, ctx.max_size // count)))
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    return tuple(ctx.value(draw, shape) for _ in range(count)), {**kw, "axis": axis}


@_builder("getitem")
def _getitem(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    shape = draw(shapes(max_size=ctx.max_size))
    index = draw(indices(shape))
    return (ctx.value(draw, shape),), {**kw, "index": index}


@_builder("untake")
def _untake(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    shape = draw(shapes(max_size=ctx.max_size))
    # g has the indexed shape, which integer-array indices can make larger than x.
    index = draw(
        indices(shape).filter(lambda i: int(np.prod(index_result_shape(shape, i))) <= ctx.max_size)
    )
    g = ctx.value(draw, index_result_shape(shape, index))
    return (g,), {**kw, "index": index, "shape": shape, "dtype": ctx.dtype}


@_builder("astype")
def _astype(draw: st.DrawFn, ctx: Ctx, kw: Kwargs) -> tuple[Args, Kwargs]:
    shape = draw(shapes(max_size=ctx.max_size))
    target = draw(st.sampled_from([np.dtype(np.float64), np.dtype(np.float32)]))
    return (ctx.value(draw, shape),), {**kw, "dtype": target}
