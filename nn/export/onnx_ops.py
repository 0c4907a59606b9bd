"""How each layer and activation of nn becomes ONNX nodes.

`GraphBuilder` collects nodes and initializers (the weights) with the onnx package's
helper API; `add_layer` appends one layer's nodes to it, chosen by the layer's exact
class (a subclass may compute something else, so it is not taken for its base). The
operators are those of ONNX's default domain at the opset `nn.export.onnx_graph` states:

    Linear, Dense      MatMul with the (in, out) weight as it is, then Add of the bias
                       (then the Dense's activation)
    Flatten            Flatten(axis=1);  Dropout, Identity: Identity (inference)
    ReLU, Sigmoid, Tanh, Softmax(axis), LogSoftmax(axis): the ops of those names
    LeakyReLU          LeakyRelu(alpha);  PReLU: PRelu with the learned slopes
    ELU                Elu(alpha);  Softplus: Softplus
    Step               Cast(Greater(x, 0)): 1 where x > 0, else 0

In float64, LeakyRelu's and Elu's float32 ``alpha`` attributes would round the slope,
and onnxruntime has no float64 Elu or Softplus kernels, so there the three are written
with elementary ops and float64 constants instead (PRelu; Where over Exp; Relu plus the
log of 1 + exp(-|x|)), computing the same numbers. A layer with no counterpart (Lambda,
a custom Module) raises UnsupportedLayerError naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nn.activations import (
    ELU,
    Activation,
    Identity,
    Lambda,
    LeakyReLU,
    LogSoftmax,
    PReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Step,
    Tanh,
)
from nn.layers import Dense, Dropout, Flatten, Linear
from nn.module import Module

__all__ = ["GraphBuilder", "UnsupportedLayerError", "add_layer", "supported"]


class UnsupportedLayerError(TypeError):
    """A layer that has no ONNX counterpart here."""


class GraphBuilder:
    """ONNX nodes and initializers under construction, in one float dtype."""

    def __init__(self, helper: Any, numpy_helper: Any, dtype: np.dtype[Any]) -> None:
        self.helper = helper
        self.numpy_helper = numpy_helper
        self.dtype = dtype
        self.elem_type = helper.np_dtype_to_tensor_dtype(dtype)
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []

    def constant(self, name: str, value: Any) -> str:
        """An initializer holding ``value`` in the graph's dtype; returns its name."""
        array = np.ascontiguousarray(np.asarray(value, dtype=self.dtype))
        self.initializers.append(self.numpy_helper.from_array(array, name))
        return name

    def op(self, op_type: str, inputs: list[str], name: str, **attributes: Any) -> str:
        """A node ``op_type(inputs)`` named ``name``; returns its output's name."""
        output = f"{name}:out"
        self.nodes.append(self.helper.make_node(op_type, inputs, [output], name=name, **attributes))
        return output


Builder = Callable[[GraphBuilder, Any, str, str, int], str]


def _simple(op_type: str) -> Builder:
    """An activation that is one ONNX op of no attributes."""

    def build(g: GraphBuilder, layer: Any, x: str, name: str, rank: int) -> str:
        return g.op(op_type, [x], f"{name}/{op_type}")

    return build


def _affine(g: GraphBuilder, layer: Any, x: str, name: str, rank: int) -> str:
    # MatMul takes any number of leading axes, as our `x @ W` does (Gemm only 2-D).
    weight = layer.kernel if isinstance(layer, Dense) else layer.weight
    assert weight is not None  # the model is built (checked before any layer is added)
    w = g.constant(f"{name}.weight", weight.data)
    y = g.op("MatMul", [x, w], f"{name}/MatMul")
    if layer.bias is not None:
        y = g.op("Add", [y, g.constant(f"{name}.bias", layer.bias.data)], f"{name}/Add")
    if isinstance(layer, Dense) and layer.activation is not None:
        y = add_layer(g, layer.activation, y, f"{name}.activation", rank)
    return y


def _identity(g: GraphBuilder, layer: Any, x: str, name: str, rank: int) -> str:
    return g.op("Identity", [x], f"{name}/Identity")


def _flatten(g: GraphBuilder, layer: Any, x: str, name: str, rank: int) -> str:
    return g.op("Flatten", [x], f"{name}/Flatten", axis=1)


def _softmax(g: GraphBuilder, layer: Any, x: str, name: str, rank: int) -> str:
    op_type = "Softmax" if isinstance(layer, Softmax) else "LogSoftmax"
    return g.op(op_type, [x], f"{name}/{op_type}", axis=int(layer.axis))


def _prelu_slopes(g: GraphBuilder, name: str, slopes: Any, rank: int) -> str:
    """PReLU's slopes shaped to broadcast over axis 1 (PyTorch's channel axis): (n,) for
    inputs (N, n), (n, 1, ..., 1) for more axes; ONNX broadcasts from the right."""
    slopes = np.asarray(slopes)
    if slopes.size > 1 and rank > 2:
        slopes = slopes.reshape((slopes.size,) + (1,) * (rank - 2))
    return g.constant(f"{name}.weight", slopes)


def _prelu(g: GraphBuilder, layer: Any, x: str, name: str, rank: int) -> str:
    slopes = _prelu_slopes(g, name, layer.weight.data, rank)
    return g.op("PRelu", [x, slopes], f"{name}/PRelu")


def _leaky_relu(g: GraphBuilder, layer: Any, x: str, name: str, rank: int) -> str:
    if g.dtype == np.float32:
        return g.op("LeakyRelu", [x], f"{name}/LeakyRelu", alpha=layer.negative_slope)
    slope = g.constant(f"{name}.negative_slope", [layer.negative_slope])
    return g.op("PRelu", [x, slope], f"{name}/PRelu")


def _elu(g: GraphBuilder, layer: Any, x: str, name: str, rank: int) -> str:
    if g.dtype == np.float32:
        return g.op("Elu", [x], f"{name}/Elu", alpha=layer.alpha)
    # alpha (e^x - 1) where x <= 0; Where picks x elsewhere (an overflowing e^x is inf,
    # never nan, and is not picked).
    zero, one = g.constant(f"{name}.zero", 0.0), g.constant(f"{name}.one", 1.0)
    alpha = g.constant(f"{name}.alpha", layer.alpha)
    positive = g.op("Greater", [x, zero], f"{name}/Greater")
    expm1 = g.op("Sub", [g.op("Exp", [x], f"{name}/Exp"), one], f"{name}/Sub")
    negative = g.op("Mul", [alpha, expm1], f"{name}/Mul")
    return g.op("Where", [positive, x, negative], f"{name}/Where")


def _softplus(g: GraphBuilder, layer: Any, x: str, name: str, rank: int) -> str:
    if g.dtype == np.float32:
        return g.op("Softplus", [x], f"{name}/Softplus")
    # max(x, 0) + log(1 + e^-|x|): no overflow for large |x|.
    one = g.constant(f"{name}.one", 1.0)
    minus_abs = g.op("Neg", [g.op("Abs", [x], f"{name}/Abs")], f"{name}/Neg")
    tail = g.op("Exp", [minus_abs], f"{name}/Exp")
    log = g.op("Log", [g.op("Add", [one, tail], f"{name}/Add1")], f"{name}/Log")
    return g.op("Add", [g.op("Relu", [x], f"{name}/Relu"), log], f"{name}/Add")


def _step(g: GraphBuilder, layer: Any, x: str, name: str, rank: int) -> str:
    positive = g.op("Greater", [x, g.constant(f"{name}.zero", 0.0)], f"{name}/Greater")
    return g.op("Cast", [positive], f"{name}/Cast", to=g.elem_type)


def _wrapped(g: GraphBuilder, layer: Any, x: str, name: str, rank: int) -> str:
    # Keras' Activation(spec) layer: the activation it wraps.
    return add_layer(g, layer.fn, x, f"{name}.fn", rank)


_BUILDERS: dict[type[Module], Builder] = {
    Linear: _affine,
    Dense: _affine,
    Flatten: _flatten,
    Dropout: _identity,
    Identity: _identity,
    ReLU: _simple("Relu"),
    Sigmoid: _simple("Sigmoid"),
    Tanh: _simple("Tanh"),
    Softmax: _softmax,
    LogSoftmax: _softmax,
    LeakyReLU: _leaky_relu,
    PReLU: _prelu,
    ELU: _elu,
    Softplus: _softplus,
    Step: _step,
    Activation: _wrapped,
}


def supported() -> list[str]:
    """The names of the layer classes that export, for error messages and docs."""
    return [cls.__name__ for cls in _BUILDERS]


def add_layer(g: GraphBuilder, layer: Module, x: str, name: str, rank: int) -> str:
    """Append the nodes computing ``layer`` (named ``name``) on the tensor ``x`` of
    ``rank`` axes; returns the output tensor's name."""
    build = _BUILDERS.get(type(layer))
    if build is None:
        what = type(layer).__name__
        if isinstance(layer, Lambda):
            what += f" {layer.key!r}"
        raise UnsupportedLayerError(
            f"export: layer {name!r} ({what}) has no ONNX counterpart; the layers that "
            f"export are {', '.join(supported())}"
        )
    return build(g, layer, x, name, rank)
