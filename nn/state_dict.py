"""State dicts and weight files: checking a state against a model's parameters, and the
``.npz`` file format that `Module.save_weights` and `Module.load_weights` use.

A state dict maps dotted parameter names (``"fc.weight"``) to arrays. Loading one checks
everything first (shapes always; with ``strict`` the key sets too; that the arrays hold
numbers) and only then hands back arrays to assign, so a failed load changes nothing.

Weights are saved as an ``.npz`` archive of named arrays, written atomically (a temporary
file in the same folder, renamed over the target with ``os.replace``) and read back with
``allow_pickle=False``, so a file can neither run code nor be left half-written.

`nn.module` calls these functions from the Module methods of the same names; nothing
here needs to know what a Module is.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from autograd import Value
from nn.memory import aligned_copy

__all__ = [
    "LoadResult",
    "PathLike",
    "StateDictError",
    "arrays_to_load",
    "read_weights",
    "unbuilt_layer_error",
    "write_weights",
]

PathLike = str | os.PathLike[str]


class StateDictError(ValueError):
    """A state dict (or weights file) does not fit the module it is loaded into."""


class LoadResult(NamedTuple):
    """What `load_state_dict(strict=False)` could not match, as PyTorch reports it."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def arrays_to_load(
    params: Mapping[str, Value], state_dict: Mapping[str, Any], strict: bool
) -> tuple[dict[str, np.ndarray], LoadResult]:
    """The arrays of `state_dict` to assign to the parameters of the same names, each a
    fresh copy of its parameter's dtype, and the keys that did not match.

    Raises StateDictError naming the first mismatching key (and both shapes): a shape
    that differs, then (with ``strict``) a key on one side only, then data that is not
    numbers.
    """
    missing = [k for k in params if k not in state_dict]
    unexpected = [k for k in state_dict if k not in params]
    for key, p in params.items():
        if key in state_dict:
            shape = np.shape(state_dict[key])
            if shape != p.shape:
                raise StateDictError(
                    f"load_state_dict: shape mismatch for {key!r}: the model has "
                    f"{p.shape}, the state has {shape}" + _key_summary(missing, unexpected)
                )
    if strict and (missing or unexpected):
        first = (missing or unexpected)[0]
        raise StateDictError(
            f"load_state_dict: key {first!r} is "
            + ("missing from the state" if missing else "not in the model")
            + _key_summary(missing, unexpected)
        )
    arrays = {
        key: _numbers(key, state_dict[key], p.dtype)
        for key, p in params.items()
        if key in state_dict
    }
    return arrays, LoadResult(missing, unexpected)


def unbuilt_layer_error(name: str, kind: str) -> StateDictError:
    """The error of a strict load whose state holds none of the weights of a layer that
    builds at its first call (`kind` is its class): loading the rest would leave it
    unbuilt without a word."""
    return StateDictError(
        f"load_state_dict: layer {name or '(the model)'!r} ({kind}) builds at its first "
        "call and the state holds no weights for it; pass strict=False to load the others"
    )


def _numbers(key: str, raw: Any, dtype: np.dtype[Any]) -> np.ndarray:
    """A state entry (an array, a Value, nested lists) as a fresh array of `dtype`."""
    arr = np.asarray(raw.data if isinstance(raw, Value) else raw)
    if arr.dtype.kind not in "fiu":
        raise StateDictError(f"load_state_dict: {key!r} holds {arr.dtype} data, not numbers")
    return aligned_copy(arr, dtype)


def _key_summary(missing: list[str], unexpected: list[str]) -> str:
    parts = []
    if missing:
        parts.append(f"missing keys: {missing}")
    if unexpected:
        parts.append(f"unexpected keys: {unexpected}")
    return ("; " + "; ".join(parts)) if parts else ""


def write_weights(path: PathLike, arrays: Mapping[str, Any]) -> None:
    """Write named arrays to ``path`` as an .npz archive, atomically.

    The archive goes to a temporary file in the same folder, is flushed to disk, and
    only then renamed over ``path`` (``os.replace`` is atomic on one file system), so a
    crash at any moment leaves either the old file or the new one, never a mix. The
    path is used exactly as given (no ".npz" is appended).
    """
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"save_weights: the folder {folder!r} of {target!r} does not exist; create "
            "it first (os.makedirs)"
        )
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)  # never leave the temporary file behind
        raise


def read_weights(path: str) -> dict[str, np.ndarray]:
    """All arrays of an .npz archive, read without pickle; ValueError if it is not one,
    whatever is wrong with the file (a corrupted byte can make zipfile raise
    NotImplementedError, "zip file version ..."; an encrypted member RuntimeError)."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_weights: no such file: {path!r}")
    try:
        loaded = np.load(path, allow_pickle=False)
    except Exception as exc:  # zipfile alone raises BadZipFile, NotImplementedError, ...
        raise ValueError(
            f"load_weights: {path!r} is not a weights file (.npz archive): "
            f"{type(exc).__name__}: {exc}"
        ) from None
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise ValueError(
            f"load_weights: {path!r} holds a single .npy array, not an .npz archive of "
            "named weights"
        )
    try:
        with loaded:
            # Reading every member here surfaces truncation and corruption now, not later.
            return {key: loaded[key] for key in loaded.files}
    except Exception as exc:  # zipfile, zlib and numpy raise a variety of types
        raise ValueError(
            f"load_weights: {path!r} is truncated or corrupt ({type(exc).__name__}: {exc})"
        ) from None
