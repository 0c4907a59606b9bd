"""`summary`: a table of a model's layers, their output shapes and parameter counts, then
the total, trainable and non-trainable counts, as Keras prints it; and `get_layer`, which
finds a layer listed there by its name or position.

A chain of layers (a Sequential) is listed layer by layer with shapes carried forward
from the input size it declares or last accepted; any other model lists its direct
submodules, with "?" for shapes. Each row names the layer as Keras does, ``dense
(Dense)``: its ``name`` (what `get_layer` takes), then its class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nn.keras.base import KerasBase
from nn.module import Module

__all__ = ["get_layer", "layers_of", "summary"]


def summary(model: KerasBase, print_fn: Callable[[str], Any] | None = None) -> None:
    """Print the table through ``print_fn`` (``print`` by default)."""
    emit = print if print_fn is None else print_fn
    rows = [("Layer (type)", "Output Shape", "Param #")]
    rows += _rows(model)
    widths = [max(len(r[i]) for r in rows) + 3 for i in range(3)]
    widths[0] = max(widths[0], 30)
    widths[1] = max(widths[1], 22)
    total_width = sum(widths)
    params = model.parameters()
    total = sum(p.size for p in params)
    trainable = sum(p.size for p in params if p.requires_grad)
    size = sum(p.data.nbytes for p in params)
    emit(f'Model: "{model.name}"')
    emit("_" * total_width)
    header, *body = ["".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    emit(header)
    emit("=" * total_width)
    for line in body:
        emit(line)
    emit("=" * total_width)
    emit(f"Total params: {total:,} ({_bytes(size)})")
    emit(f"Trainable params: {trainable:,}")
    emit(f"Non-trainable params: {total - trainable:,}")
    if not model.built:
        emit(
            "Some layers are not built yet: their parameters are counted once the model "
            "sees data (or model.build(input_shape) is called)."
        )
    emit("_" * total_width)


def _rows(model: KerasBase) -> list[tuple[str, str, str]]:
    """(name (type), output shape, parameter count) per layer listed."""
    rows: list[tuple[str, str, str]] = []
    chain = model._layer_chain()
    if chain is None:
        for child in layers_of(model):
            rows.append((_label(child), "?", _count(child)))
        return rows
    shape = model.declared_input_shape() or model._seen_input_shape
    for layer in chain:
        if shape is None:
            shape = layer.declared_input_shape()
        out = None
        if shape is not None:
            try:
                out = layer.output_shape(shape)
            except ValueError:
                out = None
        rows.append((_label(layer), _shape_text(out), _count(layer)))
        shape = out
    return rows


def _label(layer: Module) -> str:
    return f"{layer.name} ({type(layer).__name__})"


def layers_of(model: KerasBase) -> list[Module]:
    """The layers summary lists: a chain's layers, or a model's direct submodules (each
    once, in the order assigned), as Keras' ``model.layers``."""
    chain = model._layer_chain()
    if chain is not None:
        return chain
    found: dict[int, Module] = {}
    for _, child in model.named_children():
        found.setdefault(id(child), child)
    return list(found.values())


def get_layer(model: KerasBase, name: str | None, index: int | None) -> Module:
    """Keras' ``get_layer``: by ``name`` or by ``index`` into `layers_of`, not both."""
    layers = layers_of(model)
    if name is not None and index is not None:
        raise ValueError(f"get_layer: give a name or an index, not both (got {name!r}, {index})")
    if index is not None:
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"get_layer: index must be an int, got {type(index).__name__}")
        if not -len(layers) <= index < len(layers):
            raise ValueError(
                f"get_layer: no layer at index {index}: the model has {len(layers)} layers"
            )
        return layers[index]
    if name is None:
        raise ValueError("get_layer: give the name or the index of a layer")
    for layer in layers:
        if layer.name == name:
            return layer
    known = ", ".join(repr(layer.name) for layer in layers) or "none"
    raise ValueError(f"get_layer: no layer named {name!r}; the model's layers are: {known}")


def _shape_text(shape: tuple[int, ...] | None) -> str:
    return "?" if shape is None else str((None, *shape))


def _count(layer: Module) -> str:
    n = layer.count_params()
    return f"{n:,}" if layer.built else f"{n:,} (unbuilt)"


def _bytes(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    size = float(n)
    for unit in ("KB", "MB"):
        size /= 1024
        if size < 1024:
            return f"{size:.2f} {unit}"
    return f"{size / 1024:.2f} GB"
