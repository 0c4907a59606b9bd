"""Conversion of user input to engine data, and reading data off nodes.

Engine data is a Python float (scalar level) or a real numpy array or scalar
(tensor level). Integers and booleans become float64, as in numpy's true
division; float arrays keep their dtype, so float32 stays float32.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.node import Node

Data = float | np.ndarray | np.generic


def as_data(x: Any, what: str = "data") -> Data:
    """Convert user input to engine data: float stays float, float arrays keep
    their dtype, ints/bools/lists become float64, other kinds raise TypeError."""
    t = type(x)
    if t is float:
        return x  # type: ignore[no-any-return]
    if t is int or t is bool:
        return float(x)
    if isinstance(x, Node):
        return x._data  # type: ignore[no-any-return]
    if isinstance(x, np.ndarray | np.generic):
        kind = x.dtype.kind
        if kind == "f":
            return x
        if kind in "iub":
            return x.astype(np.float64)
        raise TypeError(f"Value: {what} must hold real numbers, got an array of dtype {x.dtype}")
    if isinstance(x, float):  # float subclasses
        return float(x)
    if isinstance(x, list | tuple):
        x = numbers_of(x, "Value")
        try:
            arr = np.asarray(x, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"Value: cannot turn this {t.__name__} into numbers: {exc}") from None
        return arr
    raise TypeError(
        f"Value: {what} must be a float, an int, a list or a numpy array, got {t.__name__}"
    )


def shape_of(x: Any) -> tuple[int, ...]:
    """Shape of raw data or of a Value (() for a Python float)."""
    if isinstance(x, Node):
        x = x._data
    t = type(x)
    if t is np.ndarray:
        return x.shape  # type: ignore[no-any-return]
    return () if t is float else np.shape(x)


def data_of(x: Any) -> Any:
    """The raw data of a Value, or `x` itself."""
    return x._data if isinstance(x, Node) else x


def numbers_of(items: list[Any] | tuple[Any, ...], who: str) -> Any:
    """A (nested) list or tuple with every Value in it replaced by its data, for a
    conversion to an array; a Value that requires a gradient is refused instead, since
    the array would drop its graph without a word."""
    if not any(isinstance(i, Node | list | tuple) for i in items):
        return items  # plain numbers: the common case, looked at once
    out = []
    for i in items:
        if isinstance(i, Node):
            if i._requires_grad:
                raise TypeError(
                    f"{who}: a list holding Values that require a gradient would lose "
                    "their graph in an array; use autograd.stack([...]) (or "
                    "autograd.concatenate) to join them into one Value"
                )
            i = i._data
        elif isinstance(i, list | tuple):
            i = numbers_of(i, who)
        out.append(i)
    return out
