"""``model.export(path, format="onnx")``: a chain of layers as an ONNX file.

ONNX is the interchange format that onnxruntime, browsers (onnxruntime-web), phones and
most inference servers run. The file holds the graph of one inference pass (dropout is
the identity, as in ``predict``) with the weights as initializers:

- **opset 17** of ONNX's default domain (``OPSET``), IR version 8 (``IR_VERSION``), so
  that onnxruntime 1.14 and later, and most other runtimes of the last years, load it;
- one input ``"input"`` of shape (batch, *the model's input shape*) and one output
  ``"output"``; the batch axis is dynamic (named ``"batch"``), every other axis fixed;
- the dtype of the model's parameters (float32 by default; float64 too).

It is built with the onnx package's helper API (``onnx.helper``, ``onnx.numpy_helper``),
checked with ``onnx.checker.check_model(full_check=True)`` (which also runs ONNX's shape
inference) and written atomically. Which layer becomes which ops: `nn.export.onnx_ops`.
Models of other shapes (a class with its own ``forward``) raise TypeError: their forward
is Python code, not a chain of known layers.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np

from nn.export.onnx_ops import GraphBuilder, add_layer
from nn.module import Module
from nn.state_dict import PathLike, atomic_write

__all__ = ["FORMATS", "IR_VERSION", "OPSET", "export_model", "to_onnx"]

OPSET = 17
IR_VERSION = 8
FORMATS = ("onnx",)


def _onnx() -> ModuleType:
    """The onnx package, or an ImportError saying how to get it."""
    try:
        import onnx
        import onnx.checker
        import onnx.helper
        import onnx.numpy_helper
    except ImportError:
        raise ImportError(
            'export: ONNX export needs the onnx package: pip install "autograd-nn[interop]" '
            "(or pip install onnx)"
        ) from None
    return onnx


def _flat_layers(layers: Sequence[Module], prefix: str = "") -> list[tuple[str, Module]]:
    """The layers with their dotted names, a nested chain (a Sequential inside a
    Sequential) opened up into its own layers."""
    out: list[tuple[str, Module]] = []
    for i, layer in enumerate(layers):
        hook = getattr(layer, "_layer_chain", None)  # the containers sit above here
        inner = hook() if callable(hook) else None
        if inner is not None:
            out.extend(_flat_layers(inner, f"{prefix}{i}."))
        else:
            out.append((f"{prefix}{i}", layer))
    return out


def _shapes(
    layers: list[tuple[str, Module]], input_shape: tuple[int, ...]
) -> list[tuple[int, ...]]:
    """The per-sample shape entering each layer, then the output's."""
    shapes = [input_shape]
    for name, layer in layers:
        shape = layer.output_shape(shapes[-1])
        if shape is None:
            raise ValueError(
                f"export: the output shape of layer {name!r} ({type(layer).__name__}) for "
                f"inputs {shapes[-1]} is unknown"
            )
        shapes.append(tuple(shape))
    return shapes


def _dtype(model: Module) -> np.dtype[Any]:
    for p in model.parameters():
        return np.dtype(p.dtype)
    return np.dtype(model._dtype)


def to_onnx(
    model: Module,
    layers: Sequence[Module] | None,
    input_shape: Sequence[int] | None,
) -> Any:
    """The ``onnx.ModelProto`` of ``model``, a chain of ``layers`` taking samples of
    ``input_shape`` (no batch axis), checked by ``onnx.checker``."""
    onnx = _onnx()
    kind = type(model).__name__
    if layers is None:
        raise TypeError(
            f"export: {kind} is not a chain of layers; ONNX export covers Sequential and "
            "MLP models (a model with its own forward is Python code the file cannot hold)"
        )
    if not model.built:
        raise ValueError(
            "export: the model is not built yet (its weights do not exist); give the first "
            "layer input_dim, or call the model on a batch first"
        )
    if input_shape is None:
        raise ValueError(
            "export: the model's input shape is unknown; pass input_shape=(features,) or "
            "call the model on a batch first"
        )
    flat = _flat_layers(layers)
    shapes = _shapes(flat, tuple(int(n) for n in input_shape))
    dtype = _dtype(model)
    g = GraphBuilder(onnx.helper, onnx.numpy_helper, dtype)
    x = "input"
    for (layer_name, layer), shape in zip(flat, shapes):
        x = add_layer(g, layer, x, layer_name, len(shape) + 1)
    g.nodes.append(onnx.helper.make_node("Identity", [x], ["output"], name="output"))

    def value_info(tensor: str, shape: tuple[int, ...]) -> Any:
        return onnx.helper.make_tensor_value_info(tensor, g.elem_type, ["batch", *shape])

    graph = onnx.helper.make_graph(
        g.nodes,
        kind,
        [value_info("input", shapes[0])],
        [value_info("output", shapes[-1])],
        g.initializers,
    )
    proto = onnx.helper.make_model(
        graph,
        opset_imports=[onnx.helper.make_opsetid("", OPSET)],
        producer_name="autograd-nn",
        ir_version=IR_VERSION,
    )
    onnx.checker.check_model(proto, full_check=True)
    return proto


def export_model(
    model: Module,
    path: PathLike,
    format: str,  # noqa: A002 (Keras' name for it)
    layers: Sequence[Module] | None,
    input_shape: Sequence[int] | None,
) -> None:
    """Write ``model`` (a chain of ``layers``) to ``path`` in ``format`` ("onnx"),
    atomically. See the module docstring for what the file holds."""
    if format not in FORMATS:
        raise ValueError(
            f"export: unknown format {format!r}; the formats are {', '.join(FORMATS)} "
            "(for weights alone: save_weights with a .safetensors or .npz path)"
        )
    target = os.fspath(path)
    proto = to_onnx(model, layers, input_shape)
    data = proto.SerializeToString()
    atomic_write(target, lambda f: f.write(data), "export")
