"""``.safetensors`` weight files in PyTorch's keys and layouts.

safetensors is the weights format PyTorch, JAX and the model hubs share: a JSON header
naming each tensor's dtype, shape and byte range, then the raw bytes. Nothing in it can
run code, unlike a pickle. `save` writes a model's weights under the keys and in the
layouts of its ``torch.nn`` twin (`nn.export.torch_layout`), so that::

    torch_model.load_state_dict(safetensors.torch.load_file(path), strict=True)

loads a model trained here, and `load` reads a file saved from that PyTorch model
(``safetensors.torch.save_file(torch_model.state_dict(), path)``). ``Module.save_weights``
and ``Module.load_weights`` call these two for paths ending in ``.safetensors``.

The file is written atomically (`nn.state_dict.atomic_write`), with the metadata
``{"format": "pt"}`` that PyTorch tools look for. A load checks everything before it
changes anything: the file must be a complete safetensors file (else ValueError naming
the path), each tensor the shape PyTorch would store the parameter in (else
StateDictError naming the key and both shapes) and, with ``strict``, the key sets equal.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any

import numpy as np

from nn.export.torch_layout import Entry, from_torch, to_torch, torch_entries, torch_shape
from nn.module import LoadResult, Module
from nn.state_dict import StateDictError, atomic_write, key_set_error

__all__ = ["load", "read", "save"]

# What the header's metadata says: the tensors are PyTorch's (transformers reads it).
METADATA = {"format": "pt"}


def _safetensors(who: str) -> ModuleType:
    """The safetensors package's numpy API, or an ImportError saying how to get it."""
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError(
            f"{who}: .safetensors files need the safetensors package: "
            'pip install "autograd-nn[interop]" (or pip install safetensors)'
        ) from None
    return safetensors.numpy


def save(model: Module, path: str) -> None:
    """Write ``model``'s weights to ``path`` in PyTorch's keys and layouts, atomically.
    ValueError for a model whose layers are not all built yet."""
    st = _safetensors("save_weights")
    try:
        arrays = to_torch(model)
    except ValueError as exc:
        raise ValueError(f"save_weights({path!r}): {exc}") from None
    data = st.save(arrays, metadata=METADATA)
    atomic_write(path, lambda f: f.write(data), "save_weights")


def read(path: str) -> dict[str, np.ndarray]:
    """Every tensor of the safetensors file ``path``, as numpy arrays; ValueError naming
    the path for anything that is not a complete safetensors file numpy can hold."""
    st = _safetensors("load_weights")
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_weights: no such file: {path!r}")
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except IsADirectoryError:
        raise ValueError(f"load_weights: {path!r} is a folder, not a weights file") from None
    try:
        arrays: dict[str, np.ndarray] = st.load(raw)
    except Exception as exc:  # SafetensorError for a bad header; KeyError 'BF16'
        hint = (
            "; numpy has no bfloat16: save the PyTorch model in float32 (model.float())"
            if any(name in str(exc).lower() for name in ("bfloat16", "bf16"))
            else ""
        )
        raise ValueError(
            f"load_weights: {path!r} is not a safetensors weights file this can read "
            f"({type(exc).__name__}: {exc}){hint}"
        ) from None
    return arrays


def _check_shapes(entries: list[Entry], state: dict[str, np.ndarray], who: str) -> None:
    """StateDictError for the first tensor whose shape is not the one PyTorch stores the
    parameter in (both shapes named, and our own key and shape where they differ)."""
    for e in entries:
        want = torch_shape(e)
        if want is None or e.torch_key not in state:
            continue
        got = tuple(np.shape(state[e.torch_key]))
        if got != want:
            ours = (
                f" (PyTorch's (out, in) layout of {e.key!r}, {tuple(reversed(want))} here)"
                if e.transposed
                else ""
            )
            raise StateDictError(
                f"{who}: shape mismatch for {e.torch_key!r}: the model has {want}{ours}, "
                f"the file has {got}"
            )


def load(model: Module, path: str, strict: bool = True) -> LoadResult:
    """Load the safetensors file ``path`` (PyTorch's keys and layouts) into ``model``.

    Shapes are checked in the file's layout, then (with ``strict``) the keys; only then
    is anything assigned, through ``model.load_state_dict`` (which builds lazy layers
    from the shapes). The result names missing and unexpected keys as the file does.
    """
    who = f"load_weights({path!r})"
    state = read(path)
    entries = torch_entries(model)
    _check_shapes(entries, state, who)
    expected = {e.torch_key for e in entries}
    missing = [e.torch_key for e in entries if e.torch_key not in state]
    unexpected = [key for key in state if key not in expected]
    if strict and (missing or unexpected):
        raise key_set_error(who, "the file", missing, unexpected)
    converted: dict[str, Any] = from_torch(entries, state)
    try:
        model.load_state_dict(converted, strict=strict)
    except StateDictError as exc:
        raise StateDictError(f"{who}: {exc}") from None
    return LoadResult(missing, unexpected)
