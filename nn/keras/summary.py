"""`summary`: a table of a model's layers, their output shapes and parameter counts, then
the total, trainable and non-trainable counts, as Keras prints it.

A chain of layers (a Sequential) is listed layer by layer with shapes carried forward
from the input size it declares or last accepted; any other model lists its direct
submodules, with "?" for shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nn.keras.base import KerasBase
from nn.module import Module

__all__ = ["summary"]


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
    emit(f'Model: "{type(model).__name__}"')
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
        for name, child in model.named_children():
            rows.append((f"{name} ({type(child).__name__})", "?", _count(child)))
        return rows
    shape = model.declared_input_shape() or model._seen_input_shape
    for i, layer in enumerate(chain):
        if shape is None:
            shape = layer.declared_input_shape()
        out = None
        if shape is not None:
            try:
                out = layer.output_shape(shape)
            except ValueError:
                out = None
        rows.append((f"{i} ({type(layer).__name__})", _shape_text(out), _count(layer)))
        shape = out
    return rows


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
