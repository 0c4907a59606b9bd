"""Parameter: a learnable Value that a Module owns, and clearing gradients of parameters.

A parameter's data is always its own numpy array, copied in (so later changes to the
array passed in do not reach it), float32 unless asked otherwise, and stored starting on
a 64-byte boundary (see `nn.memory`). `zero_grads` is what both `Module.zero_grad` and
the optimizers' ``zero_grad`` do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd import Value
from nn.arguments import float_dtype
from nn.memory import aligned_copy

__all__ = ["Parameter", "zero_grads"]


class Parameter(Value):
    """A learnable Value owned by a Module: always a numpy array, float32 by default.

    The data is copied, so later changes to the array passed in do not reach the
    parameter, into memory that starts on a 64-byte boundary (see `nn.memory`). Pass
    ``dtype=np.float64`` (or call ``Module.to``) for float64 work such as gradient
    checks.
    """

    __slots__ = ()

    def __init__(
        self,
        data: Any,
        requires_grad: bool = True,
        name: str | None = None,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        dt = float_dtype("Parameter", dtype)
        raw = data.data if isinstance(data, Value) else data
        try:
            arr = np.asarray(raw, dtype=dt)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"Parameter: cannot turn {type(raw).__name__} into numbers: {exc}"
            ) from None
        super().__init__(arr, requires_grad=requires_grad, name=name)
        self._data = aligned_copy(self._data)  # the parameter's own array, on a cache line

    def __setstate__(self, state: Any) -> None:
        # copy.deepcopy and pickle rebuild the object from its state (Value's way); the
        # data goes back on a cache line.
        super().__setstate__(state)
        if isinstance(self._data, np.ndarray):
            self._data = aligned_copy(self._data)

    def __repr__(self) -> str:
        d = self.data
        if d.size <= 6:
            body = np.array2string(d, precision=4, separator=", ")
            return f"Parameter({body}, dtype={d.dtype})"
        return f"Parameter(shape={d.shape}, dtype={d.dtype})"


def zero_grads(params: Iterable[Value], set_to_none: bool) -> None:
    """The gradients of `params` forgotten (None), or zeroed in place."""
    for p in params:
        g = p.grad
        if set_to_none or g is None:
            p.grad = None
        elif type(g) is np.ndarray and g.flags.writeable:
            g.fill(0)
        else:  # a float, a recorded gradient (a Value), or a read-only array
            d = g.data if isinstance(g, Value) else g
            p.grad = 0.0 if isinstance(d, float) else np.zeros_like(d)
