"""PyTorch's keys and layouts for a model's weights: the mapping between our state dict
and the ``state_dict()`` of the same architecture written with ``torch.nn``.

Two things differ, and nothing else:

- **Layout.** A fully connected layer stores its weight as (in, out) here (``x @ W``
  needs no transpose) and as (out_features, in_features) in PyTorch. `Linear.weight` and
  `Dense.kernel` are transposed on the way out and back; biases, PReLU slopes and the
  parameters of any other module keep their shapes.
- **Keys.** A `Dense` is PyTorch's ``Linear``: its ``kernel`` is called ``weight``. Inside
  a chain of layers (a `Sequential`), a Dense with an activation is two layers in
  PyTorch, ``Linear`` then the activation, so it takes two positions and every later
  layer moves up by one: ``Sequential(Dense(16, "relu"), Dense(3, "prelu"))`` has the keys
  of ``torch.nn.Sequential(Linear, ReLU, Linear, PReLU)``: ``0.weight``, ``0.bias``,
  ``2.weight``, ``2.bias``, ``3.weight``. (Outside a chain a Dense's activation keeps its
  own name, ``<dense>.activation``.) Keras' ``Activation(spec)`` layer is the activation
  it wraps. Every other module and parameter keeps its dotted name, so a model written
  as a class with the attribute names of its PyTorch twin has its keys.

`torch_entries` lists the correspondence, one `Entry` per parameter (including those of
a Dense that is not built yet, whose shapes are still unknown); `to_torch` and
`from_torch` convert whole state dicts with it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from nn.activations import Activation
from nn.layers import Dense, Linear
from nn.module import Module, Parameter

__all__ = ["Entry", "from_torch", "to_torch", "torch_entries", "torch_shape"]


class Entry(NamedTuple):
    """One parameter: its key here, its key in PyTorch, whether PyTorch stores it
    transposed, and the Parameter (None for a Dense not built yet)."""

    key: str
    torch_key: str
    transposed: bool
    param: Parameter | None


def torch_shape(entry: Entry) -> tuple[int, ...] | None:
    """The shape PyTorch stores the entry's parameter in (None while it is unbuilt)."""
    if entry.param is None:
        return None
    shape = tuple(entry.param.shape)
    return shape[::-1] if entry.transposed else shape


def _chain(module: Module) -> list[Module] | None:
    """The layers of a chain (a Sequential says it is one through `_layer_chain`, the
    hook nn.keras reads too), else None. Read by name: the containers sit above here."""
    hook = getattr(module, "_layer_chain", None)
    return hook() if callable(hook) else None


def _chain_prefixes(layers: list[Module], torch_prefix: str) -> dict[str, str]:
    """Member name -> PyTorch prefix for the layers of a chain, where a Dense with an
    activation takes two positions. The activation's own prefix is keyed
    ``"<i>.activation"``."""
    prefixes: dict[str, str] = {}
    position = 0
    for i, layer in enumerate(layers):
        prefixes[str(i)] = f"{torch_prefix}{position}."
        position += 1
        if isinstance(layer, Dense) and layer.activation is not None:
            prefixes[f"{i}.activation"] = f"{torch_prefix}{position}."
            position += 1
    return prefixes


class _Frame(NamedTuple):
    """A module being walked: its prefixes here and in PyTorch, and its members."""

    module: Module
    prefix: str
    torch_prefix: str
    members: Iterator[tuple[str, Parameter | Module]]


def _parameter_name(module: Module, name: str) -> tuple[str, bool]:
    """PyTorch's name of a module's own parameter, and whether it is transposed."""
    if isinstance(module, Dense) and name == "kernel":
        return "weight", True
    if isinstance(module, Linear) and name == "weight":
        return "weight", True
    return name, False


def _child_prefix(frame: _Frame, name: str, overrides: Mapping[str, str]) -> str:
    """PyTorch's prefix of the submodule ``name`` of ``frame.module``."""
    if frame.prefix + name in overrides:  # a layer of a chain, or a Dense's activation
        return overrides[frame.prefix + name]
    if type(frame.module) is Activation and name == "fn":  # Keras' Activation(spec)
        return frame.torch_prefix
    return f"{frame.torch_prefix}{name}."


def _unbuilt_entries(frame: _Frame) -> list[Entry]:
    """The parameters a Dense will have once built, under their future keys."""
    layer = frame.module
    if not isinstance(layer, Dense) or layer.kernel is not None:
        return []
    entries = [Entry(frame.prefix + "kernel", frame.torch_prefix + "weight", True, None)]
    if layer.use_bias:
        entries.append(Entry(frame.prefix + "bias", frame.torch_prefix + "bias", False, None))
    return entries


def _chain_overrides(frame: _Frame) -> dict[str, str]:
    """Our module path -> PyTorch prefix for the layers of ``frame.module`` when it is a
    chain of layers (a Sequential); empty otherwise."""
    layers = _chain(frame.module)
    if layers is None:
        return {}
    prefixes = _chain_prefixes(layers, frame.torch_prefix)
    return {frame.prefix + key: value for key, value in prefixes.items()}


def torch_entries(model: Module) -> list[Entry]:
    """Every parameter of ``model`` with its PyTorch key, in `named_parameters` order
    (a shared one once), followed by those of Dense layers not built yet."""
    entries: list[Entry] = []
    root = _Frame(model, "", "", model._members())
    overrides = _chain_overrides(root)  # our module path -> PyTorch prefix, where they differ
    unbuilt = _unbuilt_entries(root)
    seen: set[int] = {id(model)}
    # The walk of `Module.named_parameters`, carrying PyTorch's prefix beside ours.
    stack = [root]
    while stack:
        frame = stack[-1]
        item = next(frame.members, None)
        if item is None:
            stack.pop()
            continue
        name, member = item
        if id(member) in seen:
            continue
        seen.add(id(member))
        if isinstance(member, Parameter):
            torch_name, transposed = _parameter_name(frame.module, name)
            entries.append(
                Entry(frame.prefix + name, frame.torch_prefix + torch_name, transposed, member)
            )
            continue
        child = _Frame(
            member,
            f"{frame.prefix}{name}.",
            _child_prefix(frame, name, overrides),
            member._members(),
        )
        overrides.update(_chain_overrides(child))
        unbuilt.extend(_unbuilt_entries(child))
        stack.append(child)
    return entries + unbuilt


def to_torch(model: Module) -> dict[str, np.ndarray]:
    """``model``'s weights under PyTorch's keys and in its layouts (copies, C order):
    what ``torch.nn``'s twin of the architecture returns from ``state_dict()``.

    Raises ValueError for a model with layers not built yet (their shapes are unknown).
    """
    entries = torch_entries(model)
    arrays: dict[str, np.ndarray] = {}
    for e in entries:
        if e.param is None:
            layer = e.key.rsplit(".", 1)[0] if "." in e.key else "(the model)"
            raise ValueError(
                f"to_torch: layer {layer!r} (Dense) is not built yet, so its weights do not "
                "exist; call the model on a batch first (or give input_dim)"
            )
        data = np.asarray(e.param.data)
        arrays[e.torch_key] = np.ascontiguousarray(data.T if e.transposed else data)
    return arrays


def from_torch(entries: list[Entry], state: Mapping[str, Any]) -> dict[str, Any]:
    """The arrays of a PyTorch-keyed ``state`` under our keys and in our layouts, for the
    entries it holds (the others are left out; keys it holds that no entry knows too)."""
    converted: dict[str, Any] = {}
    for e in entries:
        if e.torch_key in state:
            arr = state[e.torch_key]
            converted[e.key] = np.asarray(arr).T if e.transposed else arr
    return converted
