"""Checking plain arguments: names looked up in tables, counts that must be ints.

One place for the rules every name table follows (names are matched without regard
to case, and an unknown name raises a ValueError that lists the known ones) and for
counts such as sample numbers and schedule periods (an int of at least a minimum,
bools refused).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import numpy as np

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


def positive_int(who: str, what: str, value: Any, minimum: int = 1) -> int:
    """`value` as an int of at least `minimum`; a ValueError naming it otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{who}: {what} must be an int >= {minimum}, got {value!r}")
    return int(value)
