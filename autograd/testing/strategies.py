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

The blocks live in `values` and `shapes`, the builders in `inputs` and `indices`;
this module gathers them and chooses a builder for a primitive.

This module imports hypothesis, which the engine itself does not need: import
it only from tests, after ``pip install "autograd-nn[testing]"``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:
    from hypothesis import strategies as st
except ImportError:  # the engine does not need hypothesis: only property tests do
    raise ImportError(
        "autograd.testing.strategies needs hypothesis, which autograd-nn installs only with "
        'its testing extra: pip install "autograd-nn[testing]" (or pip install hypothesis)'
    ) from None

from autograd.ops.base import Check
from autograd.primitives import OPS, Primitive
from autograd.testing.indices import index_result_shape
from autograd.testing.inputs import BUILDERS, SCALAR_KINDS, Args, Ctx, Kwargs, axes_of
from autograd.testing.shapes import broadcastable_shapes, shapes
from autograd.testing.values import DEFAULT_MARGIN, arrays, away_from, floats

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
    choices = [kw for kw in check.kwargs if level == "tensor" or not axes_of(kw)]
    if not choices:
        raise ValueError(f"op_inputs: primitive {prim.name!r} has no kwargs usable at {level!r}")
    ctx = Ctx(prim.name, check, level, np.dtype(dtype), max_size)

    @st.composite
    def build_inputs(draw: st.DrawFn) -> tuple[Args, Kwargs]:
        kw = dict(draw(st.sampled_from(choices)))
        return build(draw, ctx, kw)

    return build_inputs()
