"""State dicts and weight files: checking a state against a model's parameters, and the
``.npz`` file format that `Module.save_weights` and `Module.load_weights` use.

A state dict maps dotted parameter names (``"fc.weight"``) to arrays. Loading one checks
everything first (shapes always; with ``strict`` the key sets too; that the arrays hold
numbers) and only then hands back arrays to assign, so a failed load changes nothing.

Weights are saved as an ``.npz`` archive of named arrays, written atomically (a temporary
file in the same folder, renamed over the target with ``os.replace``: `atomic_write`, which
every file nn writes goes through) and read back with ``allow_pickle=False``, so a file can
neither run code nor be left half-written.

Other file formats are chosen by the path's suffix: `nn.export` registers ``.safetensors``
here (`register_weights_format`), and `weights_format` finds it for a path. They sit above
the layers, since they need to know them; this module stays below, so the table is how
`Module.save_weights` reaches them.

`nn.module` calls these functions from the Module methods of the same names; nothing
here needs to know what a Module is.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Mapping
from typing import IO, Any, NamedTuple

import numpy as np

from autograd import Value
from nn.memory import aligned_copy

__all__ = [
    "LoadResult",
    "PathLike",
    "StateDictError",
    "WeightsFormat",
    "arrays_to_load",
    "atomic_write",
    "key_set_error",
    "read_weights",
    "register_weights_format",
    "unbuilt_layer_error",
    "weights_format",
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
        raise key_set_error("load_state_dict", "the state", missing, unexpected)
    arrays = {
        key: _numbers(key, state_dict[key], p.dtype)
        for key, p in params.items()
        if key in state_dict
    }
    return arrays, LoadResult(missing, unexpected)


def key_set_error(
    who: str, source: str, missing: list[str], unexpected: list[str]
) -> StateDictError:
    """The error of a strict load whose keys differ from the model's: it names the first
    key on one side only (`source` says where the keys come from: "the state", "the
    file"), then lists them all."""
    first = (missing or unexpected)[0]
    return StateDictError(
        f"{who}: key {first!r} is "
        + (f"missing from {source}" if missing else "not in the model")
        + _key_summary(missing, unexpected)
    )


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


def atomic_write(path: PathLike, write: Callable[[IO[bytes]], Any], who: str) -> None:
    """Create or replace the file ``path`` with what ``write`` writes to a binary file.

    It goes to a temporary file in the same folder, is flushed to disk, and only then is
    renamed over ``path`` (``os.replace`` is atomic on one file system), so a crash or an
    error at any moment leaves either the old file or the new one, never a mix, and no
    temporary file. The path is used exactly as given. ``who`` names the operation in the
    error for a folder that does not exist.
    """
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"{who}: the folder {folder!r} of {target!r} does not exist; create "
            "it first (os.makedirs)"
        )
    suffix = os.path.splitext(target)[1]
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)  # never leave the temporary file behind
        raise


def write_weights(path: PathLike, arrays: Mapping[str, Any]) -> None:
    """Write named arrays to ``path`` as an .npz archive, atomically (`atomic_write`).
    The path is used exactly as given (no ".npz" is appended)."""
    atomic_write(path, lambda f: np.savez(f, **arrays), "save_weights")


class WeightsFormat(NamedTuple):
    """A weights file format other than .npz: how it saves a whole module's weights to a
    path, ``save(module, path)``, and loads them, ``load(module, path, strict)``. It
    gets the module itself, since its keys and layouts may differ from the state
    dict's (PyTorch's, for .safetensors)."""

    save: Callable[[Any, str], None]
    load: Callable[[Any, str, bool], LoadResult]


_FORMATS: dict[str, WeightsFormat] = {}


def register_weights_format(suffix: str, fmt: WeightsFormat) -> None:
    """Make `save_weights` and `load_weights` use ``fmt`` for paths ending in ``suffix``
    (".safetensors"; letter case is ignored)."""
    _FORMATS[suffix.lower()] = fmt


def weights_format(path: str) -> WeightsFormat | None:
    """The registered format for the suffix of ``path``, or None (then .npz)."""
    return _FORMATS.get(os.path.splitext(path)[1].lower())


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
