"""Layer names as Keras gives them: ``dense``, ``dense_1``, ``re_lu``, ...

Every Module gets a name when it is constructed: the one passed as ``name=``, or the
snake_case form of its class name followed by a counter that is kept per prefix for the
whole process (the first Dense is ``dense``, the next ``dense_1``), as Keras does. A
model's ``get_layer(name)`` and ``summary()`` use these names; parameter names in state
dicts stay PyTorch's dotted paths (``"0.weight"``) and do not depend on them.

`clear_session` starts the counters again (Keras' ``keras.utils.clear_session``).
`counters_state` and `restore_counters` let a model loader leave the counters as it
found them, and `reserve` keeps automatic names from repeating the names of a loaded
model.
"""

from __future__ import annotations

import re
import threading

__all__ = [
    "auto_name",
    "check_name",
    "clear_session",
    "counters_state",
    "reserve",
    "restore_counters",
    "snake_case",
]

_LOCK = threading.Lock()
_COUNTS: dict[str, int] = {}  # prefix -> how many automatic names it has given

# A lower-case letter or digit followed by an upper-case one starts a word ("LeakyReLU":
# Leaky|ReLU); so does an upper-case letter followed by one that starts a lower-case
# run ("ReLU" -> Re|LU keeps "LU" together), Keras' way of splitting class names.
_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Za-z])(?=[A-Z][a-z])")


def snake_case(class_name: str) -> str:
    """``"Dense"`` -> ``"dense"``, ``"LeakyReLU"`` -> ``"leaky_re_lu"`` (Keras' prefixes)."""
    cleaned = re.sub(r"\W+", "", class_name)
    return _WORD_START.sub("_", cleaned).lower() or "module"


def auto_name(class_name: str) -> str:
    """The next automatic name for a module of this class: ``prefix``, then
    ``prefix_1``, ``prefix_2``, ... (one counter per prefix, for the whole process)."""
    prefix = snake_case(class_name)
    with _LOCK:
        n = _COUNTS.get(prefix, 0)
        _COUNTS[prefix] = n + 1
    return prefix if n == 0 else f"{prefix}_{n}"


def check_name(who: str, name: object) -> str:
    """`name` as a layer name: a non-empty str without "/" (Keras' rule: the slash
    separates scopes); TypeError or ValueError naming `who` otherwise."""
    if not isinstance(name, str):
        raise TypeError(f"{who}: name must be a str, got {type(name).__name__} {name!r}")
    if not name or "/" in name:
        raise ValueError(f"{who}: name must be a non-empty str without '/', got {name!r}")
    return name


def clear_session() -> None:
    """Start the automatic names again: the next Dense is ``dense`` (as Keras'
    ``clear_session``). Layers made before keep their names."""
    with _LOCK:
        _COUNTS.clear()


def counters_state() -> dict[str, int]:
    """A copy of the counters, for `restore_counters`."""
    with _LOCK:
        return dict(_COUNTS)


def restore_counters(state: dict[str, int]) -> None:
    """Put the counters back as `counters_state` found them."""
    with _LOCK:
        _COUNTS.clear()
        _COUNTS.update(state)


_NUMBERED = re.compile(r"^(?P<prefix>.+?)(?:_(?P<n>[0-9]+))?$")


def reserve(names: list[str]) -> None:
    """Move each counter past the names given (``dense_3`` moves ``dense`` to 4), so
    that layers made afterwards do not take the names of a model just loaded."""
    with _LOCK:
        for name in names:
            match = _NUMBERED.match(name)
            if match is None:
                continue
            prefix, n = match["prefix"], int(match["n"] or 0)
            _COUNTS[prefix] = max(_COUNTS.get(prefix, 0), n + 1)
