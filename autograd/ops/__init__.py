"""The ops table: every primitive of the engine, grouped by kind in its modules.

Each module defines its primitives in one place each (forward, gradient rules and
the math in the docstring) and registers them in `OPS`; this package exports every
one of them by its name, so adding a primitive is adding it to its module.
Modules are imported in the order of their rules' cross-references: shape primitives
first, then arithmetic, elementwise functions, reductions and fused ones.
"""

from autograd.ops import shape  # noqa: I001  (the order of the cross-references)
from autograd.ops import arithmetic, elementwise, reductions, fused
from autograd.primitives import OPS, Primitive, builtin_ops

__all__ = list(builtin_ops())
globals().update({name: OPS[name] for name in __all__})

_MODULES = (shape, arithmetic, elementwise, reductions, fused)


def __getattr__(name: str) -> Primitive:
    """Only reached for a name that is not a primitive (those are set above); it tells
    type checkers that this module's attributes are the table's primitives."""
    raise AttributeError(f"module 'autograd.ops' has no primitive {name!r}")
