"""Anomaly mode: find the first operation that produced a nan or an inf.

Inside `with detect_anomaly():` every recorded node remembers the file and
line of the user's code that created it, and its forward output is checked;
backward checks every gradient a rule returns. The first nan or inf raises
`AnomalyError` naming the operation, its input shapes and that line. Outside
the context nothing is recorded and nothing is checked, so normal runs pay
nothing.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd.convert import shape_of
from autograd.node import CLOCK, Node


def _dir_prefix(path: str) -> str:
    """`path` as compared with frames' files; the trailing separator keeps /a/lib from
    also covering /a/library."""
    return os.path.join(os.path.normcase(os.path.abspath(path)), "")


# Directories whose frames are library code rather than the user's: autograd's own, and
# those of libraries built on it, which register themselves with `skip_frames_from` (nn
# does, in its __init__). autograd cannot name them: they import it, not it them.
_LIBRARY_DIRS: tuple[str, ...] = (_dir_prefix(os.path.dirname(os.path.abspath(__file__))),)


def skip_frames_from(path: str | os.PathLike[str]) -> None:
    """Treat code under the directory `path` as library code: the "created at" site
    of a node is the innermost frame outside every such directory, so a nan made inside
    a layer is reported at the user's line that called the layer.

    `path` is a directory, or a file whose directory is meant (a package passes its
    ``__file__``). Registering a directory again changes nothing.
    """
    p = os.fspath(path)
    if os.path.isfile(p):
        p = os.path.dirname(p)
    elif not os.path.isdir(p):
        raise ValueError(f"skip_frames_from: {p!r} is neither a directory nor a file")
    global _LIBRARY_DIRS
    prefix = _dir_prefix(p)
    if prefix not in _LIBRARY_DIRS:
        _LIBRARY_DIRS = (*_LIBRARY_DIRS, prefix)


class AnomalyError(FloatingPointError):
    """A nan or inf appeared in a forward value or a gradient."""


def _user_site() -> str:
    """'file:line' of the innermost frame outside every library directory."""
    frame = sys._getframe(2)
    libs = _LIBRARY_DIRS
    while frame is not None and os.path.normcase(
        os.path.abspath(frame.f_code.co_filename)
    ).startswith(libs):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _bad(x: Any) -> str | None:
    """'nan' or 'inf' when raw data or a Value holds one, else None."""
    d = x._data if isinstance(x, Node) else x
    if type(d) is float:
        return "nan" if d != d else ("inf" if d in (np.inf, -np.inf) else None)
    arr = np.asarray(d)
    if arr.dtype.kind != "f" or np.isfinite(arr).all():
        return None
    return "nan" if np.isnan(arr).any() else "inf"


# Where each node made in anomaly mode was created: id -> (version, 'file:line'). Kept
# beside the nodes rather than in them, so that normal runs pay nothing per node. Each
# entry ticks the version clock, so the version tells a live node from an earlier one
# that had the same id.
_SITES: dict[int, tuple[int, str]] = {}


def creation_site(node: Node) -> str | None:
    """'file:line' of the user code that created `node` in anomaly mode, else None."""
    entry = _SITES.get(id(node))
    return entry[1] if entry is not None and entry[0] == node._computed_at else None


def _describe(node: Node) -> str:
    shapes = ", ".join(
        str(shape_of(p)) if isinstance(p, Node | np.ndarray | float) else type(p).__name__
        for p in node._inputs
    )
    site = creation_site(node) or "<created outside detect_anomaly>"
    return f"'{node._op.name}' (input shapes {shapes}), created at {site}"


class AnomalyMode:
    """Whether anomaly mode is on: read by recording (`on_new_node`) and by backward
    (`check_gradient`); switched by `detect_anomaly`. One for the whole process."""

    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = False


MODE = AnomalyMode()


def on_new_node(node: Node) -> None:
    """Called by recording in anomaly mode for each new node: remember where the user
    created it, and refuse a forward output that holds nan or inf."""
    _SITES[id(node)] = (node._computed_at, _user_site())
    CLOCK.tick()
    kind = _bad(node)
    if kind is not None:
        raise AnomalyError(f"detect_anomaly: the forward output of {_describe(node)} holds {kind}")


def check_gradient(node: Node, i: int, grad: Any) -> None:
    """Called by backward in anomaly mode for each gradient a rule returns."""
    kind = _bad(grad)
    if kind is not None:
        raise AnomalyError(
            f"detect_anomaly: the backward of {_describe(node)} gave {kind} in the "
            f"gradient of input {i}"
        )


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise at the first nan or inf, naming the operation and where it was created."""
    was_enabled = MODE.enabled
    MODE.enabled = True
    try:
        yield
    finally:
        MODE.enabled = was_enabled
