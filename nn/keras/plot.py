"""`plot_model`: a picture of a network's layers, shapes and parameter counts (Keras-style).

Each layer is one box: its name and type (with the activation of a Dense), its input
and output shapes, with None for the batch axis as Keras writes it, and its parameter
count; boxes are joined in the order data flows through a chain of layers (a
`Sequential`). Shapes come from the layers' own hooks (``declared_input_shape``,
``output_shape``), so a model is drawn before it has seen any data; where a shape
cannot be known yet (a lazily built model that was never called), the box says "?". For
a model that is not a Sequential, its direct submodules are drawn in attribute order,
with the shapes of their last call when there was one.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from autograd.debug.dot import record_label
from autograd.debug.modulecalls import CallRecord
from autograd.debug.render import new_digraph, render
from nn.keras.base import layer_chain
from nn.layers import Dense
from nn.module import Module, Shape

if TYPE_CHECKING:
    import graphviz

__all__ = ["plot_model"]

_LAYER_FILL = "#dde8f7"


def _fmt(shape: Shape | None) -> str:
    """A shape with the batch axis as None, Keras-style: (None, 64); "?" when unknown."""
    if shape is None:
        return "?"
    return "(" + ", ".join(["None", *(str(d) for d in shape)]) + ")"


def _title(name: str, layer: Module) -> str:
    kind = type(layer).__name__
    if isinstance(layer, Dense) and layer.activation is not None:
        act = layer.activation_name or getattr(layer.activation, "key", "") or "custom"
        kind = f"{kind} ({act})"
    return f"{name}: {kind}" if name else kind


def _recorded_shapes(layer: Module) -> tuple[Shape | None, Shape | None]:
    """Input and output shapes (batch axis dropped) of the layer's last recorded call."""
    rec = layer.__dict__.get("_last_call")
    if not isinstance(rec, CallRecord) or not rec.outputs:
        return None, None
    ins = tuple(rec.input_shapes[0][1:]) if rec.inputs else None
    return ins, tuple(rec.output_shapes[0][1:])


def _safe_output_shape(layer: Module, shape: Shape | None) -> Shape | None:
    if shape is None:
        return None
    try:
        return layer.output_shape(shape)
    except ValueError:  # shapes that do not fit: the picture shows "?" instead of failing
        return None


def _rows(model: Module) -> list[tuple[str, Module, Shape | None, Shape | None]]:
    """(name, layer, input shape, output shape) for each layer drawn."""
    rows: list[tuple[str, Module, Shape | None, Shape | None]] = []
    chain = layer_chain(model)
    if chain is not None:
        shape = model.declared_input_shape()
        if shape is None and chain:
            shape = _recorded_shapes(chain[0])[0]
        for layer in chain:
            out = _safe_output_shape(layer, shape)
            if out is None:
                out = _recorded_shapes(layer)[1]
            rows.append((layer.name, layer, shape, out))
            shape = out
        return rows
    # Each layer by its name (what get_layer takes, as Keras' picture shows it).
    children = [(child.name, child) for _, child in model.named_children()]
    if not children:
        children = [("", model)]
    for name, layer in children:
        ins = layer.declared_input_shape()
        rec_in, rec_out = _recorded_shapes(layer)
        ins = ins if ins is not None else rec_in
        out = _safe_output_shape(layer, ins)
        rows.append((name, layer, ins, out if out is not None else rec_out))
    return rows


def plot_model(
    model: Module,
    path: str | os.PathLike[str] = "model.png",
    show_shapes: bool = True,
    rankdir: str = "TB",
) -> graphviz.Digraph:
    """Draw `model` as a chain of layer boxes and write it to `path`.

    The format comes from the extension (.png, .svg, .pdf); only that file is written.
    Returns the graphviz.Digraph (it shows itself in Jupyter). When the Graphviz program
    `dot` is missing the DOT source is written instead (``.gv``) and the error says how
    to install it.
    """
    if not isinstance(model, Module):
        raise TypeError(f"plot_model: expects an nn.Module, got {type(model).__name__}")
    rows = _rows(model)
    dot = new_digraph(
        graph_attr={"rankdir": rankdir, "ranksep": "0.3"},
        node_attr={"fontname": "Helvetica", "shape": "record"},
    )
    horizontal = rankdir in ("TB", "BT")  # fields across the flow: the chain stays narrow
    first_in = rows[0][2] if rows else None
    fields = ["input"] + ([_fmt(first_in)] if show_shapes else [])
    dot.node("input", record_label(fields, rankdir, horizontal), style="rounded")
    prev = "input"
    for i, (name, layer, ins, out) in enumerate(rows):
        fields = [_title(name, layer)]
        if show_shapes:
            fields += [f"in {_fmt(ins)}", f"out {_fmt(out)}"]
        count = layer.count_params()
        plural = "" if count == 1 else "s"
        fields.append(f"{count:,} param{plural}" if layer.built else "? params")
        node = f"layer{i}"
        dot.node(
            node,
            record_label(fields, rankdir, horizontal),
            style="filled,rounded",
            fillcolor=_LAYER_FILL,
            tooltip=repr(layer),
        )
        dot.edge(prev, node)
        prev = node
    if model.built:
        total = model.count_params()
        trainable = model.count_params(trainable_only=True)
        caption = f"{type(model).__name__}: {total:,} params ({trainable:,} trainable)"
    else:
        caption = f"{type(model).__name__}: not built yet (input size unknown)"
    dot.attr(label=caption, labelloc="b", fontname="Helvetica")
    render(dot, path)
    return dot
