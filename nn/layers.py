"""Layers: Linear (PyTorch), Dense (Keras), Flatten, Dropout, and the functions behind them
that `nn.functional` shares (`affine`, `dropout`).

A fully connected layer computes ``y = x @ W + b`` for a batch ``x`` of shape (N, in), with
``W`` of shape (in, out) and ``b`` of shape (out,) broadcast over the batch: one node of the
engine's fused ``linear`` primitive. The batch itself is never a graph node (the
DataLoader gives it ``requires_grad=False``) and numpy inputs are cast once to the weights'
dtype, so a float64 array cannot silently turn a float32 network into a float64 one.

Shapes given to ``build`` / ``output_shape`` leave out the batch axis: a Dense on vectors of
64 features has input shape (64,) and output shape (units,). The containers that chain
layers (Sequential, MLP) are in nn.containers.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import numpy as np

import autograd
from autograd import Value
from autograd.convert import numbers_of
from nn import init as initializers
from nn.activations import get_activation
from nn.module import Module, Parameter, Shape

__all__ = ["Dense", "Dropout", "Flatten", "Linear", "affine", "dropout", "dropout_probability"]

ActivationSpec = str | Module | Callable[[Any], Any] | None


def layer_size(who: str, what: str, value: Any) -> int:
    """`value` as a positive int (a size of a layer); TypeError or ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{who}: {what} must be an int, got {type(value).__name__} {value!r}")
    if value <= 0:
        raise ValueError(f"{who}: {what} must be a positive int, got {value}")
    return int(value)


def affine(who: str, x: Any, w: Any, b: Any, n_in: int) -> Any:
    """x @ w + b (w: (in, out), b: (out,) broadcast over the batch, or None), as the
    engine's fused `linear` primitive: one graph node, the bias added in place.

    The batch is first given the layer's dtype: raw data (lists, int or float64
    arrays) is cast, and so is a constant Value; a Value that requires grad is left as
    it is. The input size is not checked up front: the matrix product checks it
    anyway, and its failure is turned into a message that names the layer. (Input that
    is not numbers at all is named by `Module.__call__`, once this has failed.)
    """
    dtype = (w.data if isinstance(w, Value) else w).dtype
    if isinstance(x, Value):
        d = x.data
        # (`is not` first: equal dtypes are mostly one object, and `!=` costs more)
        cast = type(d) is not float and d.dtype is not dtype and d.dtype != dtype
        if cast and not x.requires_grad:
            x = Value(d.astype(dtype), requires_grad=False)
    elif not (isinstance(x, np.ndarray) and x.dtype == dtype):
        if isinstance(x, list | tuple):  # Values that need gradients: refused, not cast
            x = numbers_of(x, who)
        x = np.asarray(x, dtype=dtype)
    try:
        return x @ w if b is None else autograd.linear(x, w, b)
    except ValueError:
        shape = x.shape if isinstance(x, Value) else np.shape(x)
        raise ValueError(
            f"{who}: expected inputs with {n_in} features (last axis), got shape {shape}"
        ) from None


class Linear(Module):
    """PyTorch's fully connected layer: ``y = x @ weight + bias``.

    ``weight`` has shape (in_features, out_features) (the transpose of PyTorch's storage,
    so the forward needs no transpose); ``weight`` and ``bias`` start as U(-b, b) with
    b = 1 / sqrt(in_features), PyTorch's default.
    """

    _names_bad_inputs = True  # (see Module.__call__)

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__()
        self.in_features = layer_size("Linear", "in_features", in_features)
        self.out_features = layer_size("Linear", "out_features", out_features)
        fan_in = self.in_features
        self.weight = Parameter(
            initializers.torch_linear_uniform((fan_in, self.out_features), fan_in=fan_in)
        )
        self.bias: Parameter | None = (
            Parameter(initializers.torch_linear_uniform((self.out_features,), fan_in=fan_in))
            if bias
            else None
        )

    def forward(self, x: Any) -> Any:
        return affine("Linear", x, self.weight, self.bias, self.in_features)

    def declared_input_shape(self) -> Shape | None:
        return (self.in_features,)

    def output_shape(self, input_shape: Shape) -> Shape | None:
        if not input_shape or input_shape[-1] != self.in_features:
            raise ValueError(
                f"Linear: input shape {tuple(input_shape)} does not end in {self.in_features}"
            )
        return (*input_shape[:-1], self.out_features)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Dense(Module):
    """Keras' fully connected layer: ``y = activation(x @ kernel + bias)``.

    ``kernel`` (shape (in, units)) starts from ``kernel_initializer`` (Glorot uniform) and
    ``bias`` (units,) from ``bias_initializer`` (zeros), both drawn from nn.init's shared
    generator. With ``input_dim`` (or Keras' ``input_shape=(in,)``) the weights are made
    at once; without it they are made at the first call, from the size of the input's
    last axis (Keras' deferred build). A `Sequential` also builds it as soon as the layer
    before it knows its output size.

    The activation is a name (see `get_activation`), a Module or a callable; an unknown
    name raises ValueError here, at construction. ``units <= 0`` raises ValueError.
    """

    _names_bad_inputs = True  # (see Module.__call__)

    def __init__(
        self,
        units: int,
        activation: ActivationSpec = None,
        use_bias: bool = True,
        kernel_initializer: str | initializers.Initializer = "glorot_uniform",
        bias_initializer: str | initializers.Initializer = "zeros",
        input_dim: int | None = None,
        input_shape: Sequence[int] | None = None,
    ) -> None:
        super().__init__()
        self.units = layer_size("Dense", "units", units)
        self.activation_name = activation if isinstance(activation, str) else None
        # None stays None: no identity node in the graph for a linear layer.
        self.activation = None if activation is None else get_activation(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.input_dim: int | None = None
        self.kernel: Parameter | None = None
        self.bias: Parameter | None = None
        self._built = False
        if input_shape is not None:  # Keras' other spelling: the shape of one sample
            if input_dim is not None:
                raise TypeError("Dense: give input_dim or input_shape, not both")
            if not isinstance(input_shape, tuple | list) or len(input_shape) != 1:
                raise ValueError(
                    f"Dense: input_shape is the shape of one sample, a 1-tuple such as "
                    f"(784,), got {input_shape!r} (flatten images first: nn.Flatten)"
                )
            input_dim = input_shape[0]
        if input_dim is not None:
            self.build((layer_size("Dense", "input_dim", input_dim),))

    @property
    def weight(self) -> Parameter | None:
        """The kernel, under PyTorch's name."""
        return self.kernel

    def build(self, input_shape: Shape, _given: Collection[str] = ()) -> None:
        """Make kernel (in, units) and bias (units,) for inputs of ``input_shape``.

        (Those named in `_given` start as zeros, drawing nothing from the generator: a
        load is about to replace them.)"""
        if not input_shape:
            raise ValueError("Dense: needs inputs with a feature axis, got shape ()")
        fan_in = layer_size("Dense", "input size", input_shape[-1])
        if self._built:
            if fan_in != self.input_dim:
                raise ValueError(
                    f"Dense: built for {self.input_dim} input features, got shape "
                    f"{tuple(input_shape)}"
                )
            return
        dtype = self._dtype

        def weight(name: str, init: initializers.Initializer, shape: Shape) -> Parameter:
            data = np.zeros(shape, dtype) if name in _given else init(shape, dtype=dtype)
            return Parameter(data, dtype=dtype)

        self.input_dim = fan_in
        self.kernel = weight("kernel", self.kernel_initializer, (fan_in, self.units))
        if self.use_bias:
            self.bias = weight("bias", self.bias_initializer, (self.units,))
        self._built = True
        if self.activation is not None:
            self.activation.build((self.units,))

    def _build_from_state(self, prefix: str, state: Mapping[str, Any]) -> None:
        kernel = state.get(prefix + "kernel")
        if kernel is not None and np.ndim(kernel) == 2:
            given = [name for name in ("kernel", "bias") if prefix + name in state]
            self.build((int(np.shape(kernel)[0]),), given)

    def forward(self, x: Any) -> Any:
        if not self._built:
            # Keras builds from a batch (min_ndim=2): the input size read off a lone
            # sample's axis would build the layer for the wrong size, for good.
            shape = x.shape if isinstance(x, Value | np.ndarray) else np.shape(x)
            if len(shape) < 2:
                raise ValueError(
                    f"Dense: builds at its first call from a batch (N, features), got shape "
                    f"{tuple(shape)}; for one sample pass x[None]"
                )
            self.build((int(shape[-1]),))
        assert self.kernel is not None and self.input_dim is not None  # built above
        y = affine("Dense", x, self.kernel, self.bias, self.input_dim)
        return y if self.activation is None else self.activation(y)

    def declared_input_shape(self) -> Shape | None:
        return None if self.input_dim is None else (self.input_dim,)

    def output_shape(self, input_shape: Shape) -> Shape | None:
        if not input_shape:
            raise ValueError("Dense: needs inputs with a feature axis, got shape ()")
        if self.input_dim is not None and input_shape[-1] != self.input_dim:
            raise ValueError(
                f"Dense: built for {self.input_dim} input features, got shape {tuple(input_shape)}"
            )
        return (*input_shape[:-1], self.units)

    def __repr__(self) -> str:
        parts = [f"units={self.units}"]
        if self.activation is not None:
            name = (
                self.activation_name or getattr(self.activation, "key", "") or repr(self.activation)
            )
            parts.append(f"activation={name!r}")
        if not self.use_bias:
            parts.append("use_bias=False")
        if self.input_dim is not None:
            parts.append(f"input_dim={self.input_dim}")
        return f"Dense({', '.join(parts)})"


class Flatten(Module):
    """Reshape (N, d1, d2, ...) to (N, d1 * d2 * ...): keeps the batch axis."""

    _names_bad_inputs = True  # (see Module.__call__)

    def forward(self, x: Any) -> Any:
        shape = x.shape if isinstance(x, Value) else np.shape(x)
        if len(shape) == 0:
            raise ValueError("Flatten: expects a batch, got a scalar")
        return autograd.reshape(x, shape=(shape[0], -1))

    def output_shape(self, input_shape: Shape) -> Shape | None:
        return (math.prod(input_shape),)


class Dropout(Module):
    """While training, zero each element with probability ``p`` and scale the others by
    1 / (1 - p) (inverted dropout); in evaluation, pass the input through unchanged.

    The scaling keeps each element's expected value, so nothing changes between the two
    modes: ``model.train()`` / ``model.eval()`` switch them (``fit`` trains in the first,
    and ``evaluate`` and ``predict`` run in the second). The mask is drawn from nn's shared
    generator (``manual_seed`` repeats it) and multiplies the input as a constant: the
    graph shows one product, whose gradient is the same mask. PyTorch's
    ``Dropout(p=0.5)``; Keras' ``Dropout(rate)`` is the same (``rate=`` is accepted).
    """

    _names_bad_inputs = True  # (see Module.__call__)

    def __init__(self, p: float | None = None, *, rate: float | None = None) -> None:
        super().__init__()
        if p is not None and rate is not None:
            raise TypeError("Dropout: give p (PyTorch) or rate (Keras), not both")
        value = rate if p is None else p
        self.p: float = dropout_probability("Dropout", 0.5 if value is None else value)

    def forward(self, x: Any) -> Any:
        return dropout(x, self.p, self.training)

    def output_shape(self, input_shape: Shape) -> Shape | None:
        return tuple(input_shape)

    def extra_repr(self) -> str:
        return f"p={self.p}"


def dropout_probability(who: str, p: Any) -> float:
    """`p` as a float in [0, 1]; a TypeError (not a number) or ValueError naming `who`."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise TypeError(f"{who}: p must be a number, got {type(p).__name__}")
    rate = float(p)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"{who}: p must be a probability in [0, 1], got {p!r}")
    return rate


def dropout(x: Any, p: float, training: bool) -> Any:
    """Inverted dropout (see `Dropout`): x times a mask of 0 (probability p) and
    1 / (1 - p), drawn from nn's shared generator; x itself when not training or p = 0.

    `p` was checked by `dropout_probability`. The mask is a constant of x's float dtype
    (float64 for other data), so the graph shows one product whose gradient is the mask.
    """
    if not training or p == 0.0:
        return x
    data = x.data if isinstance(x, Value) else np.asarray(x)
    dtype = data.dtype if isinstance(data, np.ndarray) and data.dtype.kind == "f" else None
    keep = initializers.get_generator().random(np.shape(data)) >= p
    if p == 1.0:  # everything dropped (1 / (1 - p) would be inf)
        return x * np.zeros(np.shape(data), dtype=dtype or np.float64)
    mask = keep.astype(dtype or np.float64)
    mask *= 1.0 / (1.0 - p)
    return x * mask
