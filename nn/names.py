"""Looking things up by name: activations, initializers, losses, metrics, optimizers.

One place for the rule every name table follows: names are matched without regard
to case, and an unknown name raises a ValueError that lists the known ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

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
