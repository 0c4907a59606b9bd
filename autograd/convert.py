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
