"""`save_model` and `load_model`: a whole model in one file, Keras' ``model.save`` and
``keras.models.load_model``.

The file is a zip archive (any path works; ``.nnz`` is the suggested suffix, "nn zip")
holding ``config.json``, readable as it is (``unzip -p model.nnz config.json``), and one
``.npy`` member per array: ``weights/<parameter name>.npy`` for the state dict and
``optimizer/<n>.npy`` for the optimizer's buffers. numpy reads it as an ``.npz`` too.
Nothing in it is pickled: the arrays are read with ``allow_pickle=False`` and the
configuration is JSON (see `nn.keras.model_config` for what it holds).

Saving goes through the atomic writer that ``save_weights`` uses (a temporary file in the
same folder, renamed over the target once complete), so an interrupted save leaves the
old file as it was. Loading reads and checks the whole file before building anything; a
file that is not a saved model, or that names a layer class this process does not know,
raises ValueError naming the path and what is wrong, and a failed load changes nothing
(not even nn's random stream or the automatic layer names).
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Mapping
from typing import IO, Any

import numpy as np

from nn.keras.model_config import FORMAT, VERSION, describe, rebuild
from nn.module import Module
from nn.state_dict import PathLike, atomic_write

__all__ = ["load_model", "save_model"]

CONFIG = "config.json"


def save_model(model: Module, path: PathLike) -> None:
    """Write `model` (architecture, weights, compile settings and optimizer state) to
    ``path`` in one file, atomically. ValueError (before anything is written) when part
    of the model cannot be saved: a lambda, an object of a kind the file cannot hold, a
    model its constructor calls do not make again."""
    try:
        config, arrays = describe(model)
    except ValueError as exc:
        raise ValueError(f"save({os.fspath(path)!r}): {exc}") from None
    text = json.dumps(config, indent=1)

    def write(f: IO[bytes]) -> None:
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as z:
            z.writestr(CONFIG, text)
            for key, arr in arrays.items():
                with z.open(f"{key}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, np.asarray(arr), allow_pickle=False)

    atomic_write(path, write, "save")


def load_model(
    path: PathLike,
    custom_objects: Mapping[str, Any] | None = None,
    compile: bool = True,  # noqa: A002 (Keras' name)
) -> Module:
    """The model saved at ``path`` by ``model.save``: same class, layer names, weights
    (bit for bit) and, with ``compile`` (the default), compiled with the same loss and
    metrics and an optimizer in the state it was saved in.

    Layer classes are found among those defined in this process (nn's own, and one of
    yours once its module has been imported); ``custom_objects`` maps names to classes
    or functions that are not (a custom loss function, a Lambda layer's function).
    """
    target = os.fspath(path)
    if not os.path.exists(target):
        raise FileNotFoundError(f"load_model: no such file: {target!r}")
    config, arrays = _read(target)
    try:
        return rebuild(config, arrays, dict(custom_objects or {}), compile)
    except KeyError as exc:  # an entry the configuration should have and has not
        raise ValueError(f"load_model({target!r}): the file lacks the entry {exc}") from None
    except (ValueError, TypeError) as exc:
        raise ValueError(f"load_model({target!r}): {exc}") from None


def _read(target: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The configuration and every array of the file, all read (and checked) now."""
    try:
        with zipfile.ZipFile(target) as z:
            names = z.namelist()
            if CONFIG not in names:
                hint = " (a weights file? load it with model.load_weights)" if names else ""
                raise ValueError(f"it holds no {CONFIG}{hint}")
            config = json.loads(z.read(CONFIG).decode("utf-8"))
            if not isinstance(config, dict) or config.get("format") != FORMAT:
                raise ValueError(f"its {CONFIG} is not a saved model's configuration")
            if config.get("version") != VERSION:
                raise ValueError(
                    f"it is a model file of version {config.get('version')!r}; this nn "
                    f"reads version {VERSION}"
                )
            arrays = {}
            for name in names:
                if name.endswith(".npy"):
                    with z.open(name) as member:
                        arrays[name[: -len(".npy")]] = np.lib.format.read_array(
                            member, allow_pickle=False
                        )
    except Exception as exc:  # zipfile, zlib, json and numpy raise a variety of types
        raise ValueError(
            f"load_model: {target!r} is not a saved model ({type(exc).__name__}: {exc})"
        ) from None
    return config, arrays
