"""Activation functions, as plain functions on Values and as Modules, and lookup by name.

Each function composes the engine's primitives (no new ones), so it works on Values and on
raw numpy arrays alike and its gradient comes from the engine. Each Module's forward calls
its function (as do `nn.functional`'s PyTorch-named ones), so there is one code path:

    sigmoid(x)    = 1 / (1 + e^-x)                   (stable for large |x|)
    tanh(x)
    relu(x)       = max(0, x)
    leaky_relu(x) = x if x > 0 else slope * x        (slope 0.01, PyTorch's default)
    prelu(x, a)   = x if x > 0 else a * x            (a learned; PReLU holds it)
    elu(x)        = x if x > 0 else alpha (e^x - 1)  (alpha 1.0)
    softplus(x)   = log(1 + e^x)                     (stable for large |x|)
    softmax(x)    = e^x / sum(e^x) along an axis     (``axis``, or PyTorch's ``dim``)
    step(x)       = 1 if x > 0 else 0                (Heaviside; gradient 0)
    linear(x)     = x

`get_activation(name)` turns the names "sigmoid", "tanh", "relu", "leaky_relu", "prelu",
"elu", "softplus", "softmax", "step", "linear" (or a Module, or any callable) into a Module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import Value
from nn.arguments import lookup
from nn.module import Module, Parameter, Shape

__all__ = [
    "ELU",
    "Activation",
    "Identity",
    "Lambda",
    "LeakyReLU",
    "LogSoftmax",
    "PReLU",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Step",
    "Tanh",
    "elu",
    "get_activation",
    "leaky_relu",
    "linear",
    "log_softmax",
    "prelu",
    "relu",
    "sigmoid",
    "softmax",
    "softplus",
    "step",
    "tanh",
]


# --- functions --------------------------------------------------------------------------


def sigmoid(x: Any) -> Any:
    """1 / (1 + e^-x); d/dx = s (1 - s)."""
    return autograd.sigmoid(x)


def tanh(x: Any) -> Any:
    """tanh(x); d/dx = 1 - tanh(x)^2."""
    return autograd.tanh(x)


def relu(x: Any) -> Any:
    """max(0, x); d/dx = 1 for x > 0, else 0."""
    return autograd.relu(x)


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Any:
    """x for x > 0, else negative_slope * x."""
    return autograd.leaky_relu(x, negative_slope=negative_slope)


def prelu(x: Any, weight: Any) -> Any:
    """x for x > 0, else a * x, with ``weight`` = a of shape (1,) or (channels,).

    Channels are axis 1 (PyTorch's layout): for inputs of more than two dimensions the
    per-channel slopes are reshaped to (C, 1, ..., 1) to broadcast there.
    d/dx = 1 or a;  d/da = x where x <= 0, else 0 (summed over the shared positions).
    """
    ndim = np.ndim(x.data if isinstance(x, Value) else x)
    size = int(np.size(weight.data if isinstance(weight, Value) else weight))
    if ndim > 2 and size > 1:
        weight = autograd.reshape(weight, shape=(size,) + (1,) * (ndim - 2))
    return autograd.where(x > 0, x, x * weight)


def elu(x: Any, alpha: float = 1.0) -> Any:
    """x for x > 0, else alpha (e^x - 1)."""
    return autograd.elu(x, alpha=alpha)


def softplus(x: Any) -> Any:
    """log(1 + e^x), computed without overflow; d/dx = sigmoid(x)."""
    return autograd.softplus(x)


def _axis(who: str, axis: int | None, dim: int | None) -> int:
    """The axis given as ``axis`` (Keras' and numpy's name) or ``dim`` (PyTorch's), -1 if
    neither; both at once is a TypeError, since they could disagree."""
    if dim is None:
        return -1 if axis is None else int(axis)
    if axis is not None:
        raise TypeError(
            f"{who}: got axis={axis!r} and dim={dim!r}; dim is PyTorch's name for axis, "
            "give one, not both"
        )
    return int(dim)


def softmax(x: Any, axis: int | None = None, *, dim: int | None = None) -> Any:
    """e^x / sum(e^x) along ``axis`` (or ``dim``, PyTorch's name; the last by default),
    shifted by the max, so large inputs are safe."""
    return autograd.softmax(x, axis=_axis("softmax", axis, dim))


def log_softmax(x: Any, axis: int | None = None, *, dim: int | None = None) -> Any:
    """x - logsumexp(x) along ``axis`` (or ``dim``, PyTorch's name; the last by default)."""
    return autograd.log_softmax(x, axis=_axis("log_softmax", axis, dim))


def step(x: Any) -> Any:
    """Heaviside step: 1 where x > 0, else 0. Its derivative is 0 wherever it exists.

    The output is the 0/1 data plus ``clip(x, -1, 1) * 0``: a term that is exactly zero
    in the forward pass (the clip keeps inf * 0 from making nan) and whose gradient is
    exactly zero, so the node stays connected to x and backward runs through it, handing
    every input the zero gradient that a step function has. That is why a network of
    steps cannot learn by gradient descent.
    """
    data = x.data if isinstance(x, Value) else np.asarray(x)
    if type(data) is float:
        heaviside: Any = 1.0 if data > 0 else 0.0
    else:
        heaviside = (data > 0).astype(data.dtype)
    if not isinstance(x, Value):
        return heaviside
    return autograd.clip(x, lo=-1.0, hi=1.0) * 0.0 + heaviside


def linear(x: Any) -> Any:
    """The identity: Keras' "linear" activation."""
    return x


# --- modules ------------------------------------------------------------------------------


class Activation(Module):
    """Base of the activation modules: an elementwise map that keeps the shape.

    ``key`` is the name `get_activation` knows it by. Constructed directly,
    ``Activation(spec)`` is Keras' Activation layer: it applies ``get_activation(spec)``.

    An input that is not numbers (a string, None, a ragged list) gets a message naming
    the module, from `Module.__call__` once forward has failed: a correct call pays
    nothing for the check.
    """

    key = ""
    _names_bad_inputs = True

    def __init__(self, activation: str | Module | Callable[[Any], Any] | None = None) -> None:
        super().__init__()
        if type(self) is Activation:
            self.fn = get_activation(activation)

    def forward(self, x: Any) -> Any:
        return self.fn(x)

    def output_shape(self, input_shape: Shape) -> Shape | None:
        if type(self) is Activation:
            return self.fn.output_shape(input_shape)
        return tuple(input_shape)

    def build(self, input_shape: Shape) -> None:
        if type(self) is Activation:
            self.fn.build(input_shape)


class Identity(Activation):
    """Returns its input unchanged (the "linear" activation)."""

    key = "linear"

    def forward(self, x: Any) -> Any:
        return x


class Sigmoid(Activation):
    """1 / (1 + e^-x), elementwise."""

    key = "sigmoid"

    def forward(self, x: Any) -> Any:
        return sigmoid(x)


class Tanh(Activation):
    """tanh(x), elementwise."""

    key = "tanh"

    def forward(self, x: Any) -> Any:
        return tanh(x)


class ReLU(Activation):
    """max(0, x), elementwise."""

    key = "relu"

    def forward(self, x: Any) -> Any:
        return relu(x)


class LeakyReLU(Activation):
    """x for x > 0, else negative_slope * x (default 0.01, as PyTorch)."""

    key = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, x: Any) -> Any:
        return leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class PReLU(Activation):
    """x for x > 0, else a * x, with the slope a learned (He et al., 2015).

    ``num_parameters=1`` shares one slope across all inputs (PyTorch's default);
    ``num_parameters=n`` learns one per feature (axis 1, the channel axis). The slope
    starts at ``init`` (0.25, PyTorch's). He et al. recommend no weight decay on it; our
    optimizers have no parameter groups, so leave weight_decay at 0 to follow that.
    """

    key = "prelu"

    def __init__(self, num_parameters: int = 1, init: float = 0.25) -> None:
        super().__init__()
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, int | np.integer):
            raise TypeError(f"PReLU: num_parameters must be an int, got {num_parameters!r}")
        if num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be >= 1, got {num_parameters}")
        self.num_parameters = int(num_parameters)
        self.weight = Parameter(np.full(self.num_parameters, init), dtype=self._dtype)

    def forward(self, x: Any) -> Any:
        n = self.num_parameters
        if n > 1:
            shape = x.shape if isinstance(x, Value) else np.shape(x)
            if len(shape) < 2 or shape[1] != n:
                raise ValueError(
                    f"PReLU: {n} slopes need inputs with {n} features on axis 1, got "
                    f"shape {tuple(shape)}"
                )
        return prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(Activation):
    """x for x > 0, else alpha (e^x - 1) (alpha 1.0)."""

    key = "elu"

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = float(alpha)

    def forward(self, x: Any) -> Any:
        return elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Softplus(Activation):
    """log(1 + e^x), elementwise and stable."""

    key = "softplus"

    def forward(self, x: Any) -> Any:
        return softplus(x)


class Softmax(Activation):
    """e^x / sum(e^x) along ``axis`` (the last by default). ``dim`` is PyTorch's name for
    it: ``Softmax(dim=1)`` is ``Softmax(axis=1)``."""

    key = "softmax"

    def __init__(self, axis: int | None = None, *, dim: int | None = None) -> None:
        super().__init__()
        self.axis = _axis("Softmax", axis, dim)

    def forward(self, x: Any) -> Any:
        return softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Activation):
    """log(softmax(x)) along ``axis`` (the last by default; ``dim`` is PyTorch's name for
    it), computed as x - logsumexp(x)."""

    key = "log_softmax"

    def __init__(self, axis: int | None = None, *, dim: int | None = None) -> None:
        super().__init__()
        self.axis = _axis("LogSoftmax", axis, dim)

    def forward(self, x: Any) -> Any:
        return log_softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class Step(Activation):
    """The Heaviside step of the first perceptrons: 1 where x > 0, else 0.

    Kept to show why gradient descent needs smooth activations: its gradient is exactly
    zero everywhere (see `step`), so nothing before it ever changes.
    """

    key = "step"

    def forward(self, x: Any) -> Any:
        return step(x)


class Lambda(Activation):
    """Wraps any function of one Value as an activation module."""

    def __init__(self, fn: Callable[[Any], Any], name: str | None = None) -> None:
        super().__init__()
        self.function = fn
        self.key = str(name or getattr(fn, "__name__", "lambda"))

    _names_bad_inputs = False  # the user's function reports its own errors

    def forward(self, x: Any) -> Any:
        return self.function(x)

    def extra_repr(self) -> str:
        return self.key


_BY_NAME: dict[str, type[Activation]] = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "prelu": PReLU,
    "elu": ELU,
    "softplus": Softplus,
    "softmax": Softmax,
    "step": Step,
    "linear": Identity,
}


def get_activation(spec: str | Module | Callable[[Any], Any] | None) -> Module:
    """A fresh activation Module for a name, the Module itself, or a wrapped callable.

    None means "linear" (the identity). An unknown name raises ValueError listing the
    known ones.
    """
    if spec is None:
        return Identity()
    if isinstance(spec, str):
        return lookup(_BY_NAME, spec, "activation")()
    if isinstance(spec, Module):
        return spec
    if callable(spec):
        return Lambda(spec)
    raise TypeError(
        f"activation must be a name, a Module, a callable or None, got {type(spec).__name__}"
    )
