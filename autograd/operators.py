"""Value's binary operators (+ - * / ** @ and their reflected twins): each calls a
primitive of the ops table, after turning the other operand into engine data.

A Python float or a Value goes straight to the primitive; np.float64 becomes the
Python float it subclasses, and any numpy scalar does beside a scalar-level Value
(whose nodes hold Python floats); a list becomes an array; a complex number is
refused; an operand that is no number gets NotImplemented, as Python's protocol asks.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.convert import as_data
from autograd.errors import complex_operand_error, operands_error
from autograd.node import Node
from autograd.record import apply

_NO_KEYWORDS: dict[str, Any] = {}

# The constant operands that Value's operators convert or refuse before the forward:
# np.float64 becomes the Python float it subclasses (numpy would promote float32 data
# to float64 for it, and make a scalar-level result a numpy scalar); a complex number
# is refused, because its result would be complex.
_RECAST = frozenset({np.float64, complex, np.complex64, np.complex128, np.clongdouble})


def binary_operator(op: Any, reflected: bool = False) -> Callable[[Any, Any], Any]:
    """The method of Value for a binary operator: `op(value, other)`, or
    `op(other, value)` when `reflected` (``__radd__``). An operand that is no number
    gets NotImplemented, so that Python raises its own "unsupported operand type(s) for
    +: 'Value' and 'str'" after trying the operand's reflected method."""

    def method(value: Node, other: Any) -> Any:
        kind = type(other)
        if kind is not float and not isinstance(other, Node):
            if kind in _RECAST:
                if kind is not np.float64:
                    raise complex_operand_error(op, value, other)
                other = float(other)
            elif isinstance(other, np.generic) and type(value._data) is float:
                # a numpy scalar (float32, int64) with the scalar level: as the Python
                # number it holds, so that the node keeps a Python float
                other = as_data(other.item())
            elif isinstance(other, list | tuple):
                try:
                    other = as_data(other)
                except TypeError as exc:
                    raise _operands_error(op, value, other, reflected, exc) from None
            elif not isinstance(other, numbers.Number | np.ndarray | np.generic):
                return NotImplemented
        try:
            return apply(op, (other, value) if reflected else (value, other), _NO_KEYWORDS)
        except TypeError as exc:
            # apply() words the forward's error from the data; here both operands are known
            raise _operands_error(op, value, other, reflected, _original(exc)) from None

    method.__doc__ = f"The {op.name} primitive{', operands swapped' if reflected else ''}."
    return method


def _operands_error(op: Any, value: Node, other: Any, reflected: bool, exc: Exception) -> TypeError:
    first, second = (other, value) if reflected else (value, other)
    return operands_error(op, first, second, exc)


def _original(exc: Exception) -> Exception:
    """The error a forward raised, before apply() worded it from the data alone."""
    context = exc.__context__
    return context if isinstance(context, Exception) else exc
