"""Checking plain arguments: names looked up in tables, counts that must be ints, data
that must be numbers.

One place for the rules every name table follows (names are matched without regard
to case, and an unknown name raises a ValueError that lists the known ones), for
counts such as sample numbers and schedule periods (an int of at least a minimum,
bools refused), for rates and factors (a finite float >= 0), and for saying why data
handed to a layer or a loss is not numbers (`check_numbers`).
"""

from __future__ import annotations

import math
import numbers
import reprlib
from collections.abc import Mapping, Sized
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from autograd import Value
from autograd.convert import numbers_of

T = TypeVar("T")


def lookup(table: Mapping[str, T], name: str, what: str, who: str = "", hint: str = "") -> T:
    """table[name] (case-insensitive); an unknown name raises ValueError naming the
    known ones, e.g. "compile: unknown loss 'typo'; known names: 'mse', ..."."""
    found = table.get(name.lower())
    if found is None:
        known = ", ".join(repr(n) for n in table)
        prefix = f"{who}: " if who else ""
        raise ValueError(f"{prefix}unknown {what} {name!r}; known names: {known}{hint}")
    return found


def float_dtype(who: str, dtype: npt.DTypeLike, unknown_hint: str = "") -> np.dtype[Any]:
    """`dtype` as a numpy floating-point dtype; a TypeError naming `who` otherwise
    (`unknown_hint` ends the message when numpy knows no such dtype at all)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"{who}: dtype must be a floating-point type (np.float32, 'float64', ...), "
            f"got {dtype!r}{unknown_hint}"
        ) from None
    if dt.kind != "f":
        raise TypeError(f"{who}: dtype must be a floating-point type, got {dt}")
    return dt


def positive_int(who: str, what: str, value: Any, minimum: int = 1) -> int:
    """`value` as an int of at least `minimum`; a ValueError naming it otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{who}: {what} must be an int >= {minimum}, got {value!r}")
    return int(value)


def nonnegative_float(who: str, what: str, value: Any) -> float:
    """`value` as a finite float of at least 0 (a rate, a decay factor); a ValueError
    naming it otherwise."""
    v = float(value)
    if not (math.isfinite(v) and v >= 0.0):
        raise ValueError(f"{who}: {what} must be a finite number >= 0, got {value!r}")
    return v


def check_numbers(who: str, /, **arguments: Any) -> None:
    """Raise a TypeError or ValueError for the first argument that is not numbers (an
    array of them, or one); return if every one is.

    Meant for error paths: a layer or a loss runs numpy on its inputs as they are and
    calls this in its ``except`` clause, so a correct call pays nothing for it; if it
    returns, the inputs were numbers after all, and the caller re-raises its own error.
    Arguments are passed by name, ``check_numbers("Linear", x=x)``, and the message
    names ``who``, the argument and what it holds: ValueError for nested lists of
    different lengths (numpy's type for them), TypeError for strings, None, dicts and
    any item that is not a real number (what float() raises). Values always hold numbers.
    """
    for what, data in arguments.items():
        error = _not_numbers(who, what, data)
        if error is not None:
            raise error from None  # numpy's message says nothing the new one does not


def _not_numbers(who: str, what: str, data: Any) -> TypeError | ValueError | None:
    """The error for `data` that is not numbers; None when it is."""
    if isinstance(data, Value):
        return None
    if isinstance(data, list | tuple):
        try:  # Values that need gradients would lose their graph in an array
            numbers_of(data, f"{who}: {what}")
        except TypeError as exc:
            return exc
    try:
        arr = np.asarray(data)
    except (TypeError, ValueError) as exc:  # numpy >= 1.24 refuses ragged nesting
        return type(exc)(
            f"{who}: {what} must be a rectangular array of numbers, got {_ragged(data, exc)}"
        )
    if arr.dtype.kind in "biuf":
        return None
    # Look at the items as given (an object array's own, or the strings, dates... of a
    # typed one) for the first that is not a real number.
    items = (arr if arr.dtype == object else arr.astype(object)).reshape(-1)
    at = next((i for i, item in enumerate(items) if not isinstance(item, numbers.Real)), None)
    if at is None:
        return None  # an object array of numbers
    bad = items[at]
    complex_hint = f"; {_COMPLEX}" if isinstance(bad, numbers.Complex) else ""
    real = "real " if complex_hint else ""
    if arr.ndim == 0:
        return TypeError(f"{who}: {what} must be {real}numbers, got {_item(data)}{complex_hint}")
    given = (
        f"ndarray of dtype {arr.dtype} and shape {arr.shape}"
        if isinstance(data, np.ndarray)
        else f"{type(data).__name__} of shape {arr.shape}"
    )
    if isinstance(bad, Sized) and not isinstance(bad, str | bytes):  # ragged rows as objects
        return ValueError(
            f"{who}: {what} must be a rectangular array of numbers, got {given} holding "
            f"{_item(bad)} at flat position {at}"
        )
    return TypeError(
        f"{who}: {what} must be {real}numbers, got {given} holding {_item(bad)} at flat "
        f"position {at}{complex_hint}"
    )


_COMPLEX = (
    "complex data is refused, as Value refuses it, rather than losing its imaginary part "
    "(pass .real, .imag or abs() of it, whichever you mean)"
)


def holds_complex(data: Any) -> bool:
    """Whether `data` (anything a layer or loss is given) holds complex numbers.

    Cheap where it runs on every call: a Value (which never holds complex numbers) or a
    float costs one check, an array one dtype read; lists are read as numpy reads them.
    """
    if isinstance(data, Value) or type(data) is float:
        return False
    if type(data) is np.ndarray:
        return data.dtype.kind == "c"  # type: ignore[no-any-return]
    if isinstance(data, numbers.Complex) and not isinstance(data, numbers.Real):
        return True
    if isinstance(data, list | tuple):
        try:
            return np.asarray(data).dtype.kind == "c"  # type: ignore[no-any-return]
        except (TypeError, ValueError):  # ragged or not numbers: for check_numbers to name
            return False
    return False


def _item(value: Any) -> str:
    """A value for a message: its type and a repr cut short (a long list is not printed)."""
    return "None" if value is None else f"{type(value).__name__} {reprlib.repr(value)}"


def _ragged(data: Any, exc: Exception) -> str:
    """What numpy could not read as one array: for a list or tuple, the first row that
    differs from row 0 ("row 0 has 3 items, row 1 has 1 item"); otherwise numpy's reason."""
    name = type(data).__name__
    if not isinstance(data, list | tuple) or not data:
        return f"{name} that numpy cannot read as an array ({exc})"

    def size(row: Any) -> str:
        if isinstance(row, Sized) and not isinstance(row, str | bytes):
            return f"has {len(row)} item{'' if len(row) == 1 else 's'}"
        return f"is a single {type(row).__name__}"

    first = size(data[0])
    for i, row in enumerate(data[1:], 1):
        if size(row) != first:
            return f"a ragged {name}: row 0 {first}, row {i} {size(row)}"
    return f"a ragged {name}: its {len(data)} rows hold nested lists of different lengths"
