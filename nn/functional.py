"""PyTorch's ``torch.nn.functional`` names and signatures for what nn computes.

    import nn.functional as F
    h = F.relu(F.linear(x, w1, b1))                  # w1 of shape (out, in), PyTorch's
    loss = F.cross_entropy(F.linear(h, w2, b2), y)

Each function calls the same code as its Module: ``F.relu(x)`` and ``nn.ReLU()(x)``
run `nn.activations.relu`, ``F.cross_entropy`` and ``nn.CrossEntropyLoss`` run
`nn.torch_losses.cross_entropy`, ``F.linear`` and ``nn.Linear`` run `nn.layers.affine`,
``F.dropout`` and ``nn.Dropout`` run `nn.layers.dropout`; so outputs and gradients agree
to the bit. Arguments keep PyTorch's names, positions and defaults, with these
differences, each an error rather than a silent change:

- ``inplace=True`` is refused: a Value is never modified in place (use the result).
- ``softmax`` and ``log_softmax`` need ``dim``: PyTorch's choice without it is
  deprecated, and guessing an axis would be silent.
- The losses take ``weight`` by position, as PyTorch, and every other option
  (``reduction``, ``ignore_index``, ``label_smoothing``, ``pos_weight``) by keyword
  only: PyTorch's deprecated ``size_average`` and ``reduce`` come before them. The
  ``weight`` of mse_loss and l1_loss is not offered.
- ``linear`` takes ``weight`` in PyTorch's layout (out_features, in_features) and
  computes ``input @ weight.T + bias`` (nn.Linear stores the transpose, (in, out), so
  ``F.linear(x, layer.weight.T, layer.bias)`` is ``layer(x)``).

Errors name the function, the argument and the shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import Value
from nn import activations, layers, torch_losses
from nn.arguments import check_numbers
from nn.loss_inputs import shape_of

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "dropout",
    "elu",
    "l1_loss",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]


# --- activations ---------------------------------------------------------------------


def _no_inplace(who: str, inplace: bool) -> None:
    if inplace:
        raise ValueError(
            f"{who}: inplace=True is not supported (a Value is never changed in place); "
            f"use the result, y = F.{who}(x)"
        )


def _elementwise(who: str, fn: Callable[..., Any], input: Any, *args: Any) -> Any:
    """fn(input, *args); an input that is not numbers is named on the error path."""
    try:
        return fn(input, *args)
    except (TypeError, ValueError):
        check_numbers(who, input=input)
        raise


def relu(input: Any, inplace: bool = False) -> Any:
    """max(0, input), elementwise (`nn.ReLU`)."""
    _no_inplace("relu", inplace)
    return _elementwise("relu", activations.relu, input)


def leaky_relu(input: Any, negative_slope: float = 0.01, inplace: bool = False) -> Any:
    """input where positive, else negative_slope * input (`nn.LeakyReLU`)."""
    _no_inplace("leaky_relu", inplace)
    return _elementwise("leaky_relu", activations.leaky_relu, input, float(negative_slope))


def elu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Any:
    """input where positive, else alpha (e^input - 1) (`nn.ELU`)."""
    _no_inplace("elu", inplace)
    return _elementwise("elu", activations.elu, input, float(alpha))


def sigmoid(input: Any) -> Any:
    """1 / (1 + e^-input), elementwise and stable (`nn.Sigmoid`)."""
    return _elementwise("sigmoid", activations.sigmoid, input)


def tanh(input: Any) -> Any:
    """tanh(input), elementwise (`nn.Tanh`)."""
    return _elementwise("tanh", activations.tanh, input)


def _dim(who: str, input: Any, dim: int | None) -> int:
    """`dim` checked against the input's number of axes (PyTorch's rule: -ndim..ndim-1,
    and 0 or -1 for a 0-d input)."""
    if dim is None:
        raise TypeError(
            f"{who}: give dim, the axis to normalize over (dim=-1 for the last); PyTorch's "
            "choice of an axis without it is deprecated"
        )
    if isinstance(dim, bool) or not isinstance(dim, int | np.integer):
        raise TypeError(f"{who}: dim must be an int, got {type(dim).__name__} {dim!r}")
    ndim = len(shape_of(input))
    if not -max(ndim, 1) <= dim < max(ndim, 1):
        raise IndexError(
            f"{who}: dim {dim} is out of range for an input of shape {shape_of(input)} "
            f"(dims -{max(ndim, 1)}..{max(ndim, 1) - 1})"
        )
    return int(dim)


def softmax(input: Any, dim: int | None = None) -> Any:
    """e^input / sum(e^input) along `dim`, shifted by the max (`nn.Softmax(dim)`)."""
    return _elementwise("softmax", activations.softmax, input, _dim("softmax", input, dim))


def log_softmax(input: Any, dim: int | None = None) -> Any:
    """input - logsumexp(input) along `dim` (`nn.LogSoftmax(dim)`)."""
    axis = _dim("log_softmax", input, dim)
    return _elementwise("log_softmax", activations.log_softmax, input, axis)


# --- layers --------------------------------------------------------------------------


def _as_parameter_data(x: Any) -> Any:
    """A Value as it is; anything else as a float array (a constant)."""
    if isinstance(x, Value):
        return x
    arr = np.asarray(x)
    return arr if arr.dtype.kind == "f" else arr.astype(np.float64)


def linear(input: Any, weight: Any, bias: Any = None) -> Any:
    """input @ weight.T + bias, with weight of shape (out_features, in_features) as in
    PyTorch, and bias of shape (out_features,) or None (`nn.Linear`'s computation)."""
    check_numbers("linear", weight=weight, **({} if bias is None else {"bias": bias}))
    weight = _as_parameter_data(weight)
    wshape = shape_of(weight)
    if len(wshape) != 2:
        raise ValueError(
            f"linear: weight must have shape (out_features, in_features), got shape {wshape}"
        )
    out_features, in_features = wshape
    if bias is not None:
        bias = _as_parameter_data(bias)
        if shape_of(bias) != (out_features,):
            raise ValueError(
                f"linear: bias must have shape ({out_features},) (out_features of weight "
                f"{wshape}), got shape {shape_of(bias)}"
            )
    check_numbers("linear", input=input)
    ishape = shape_of(input)
    if not ishape or ishape[-1] != in_features:
        raise ValueError(
            f"linear: input of shape {ishape} does not fit weight of shape {wshape} "
            f"(out_features, in_features): its last axis must be {in_features}"
        )
    # nn.Linear keeps (in, out): the transpose is one more node, whose gradient is the
    # transpose of the one the layer's weight gets.
    return layers.affine("linear", input, autograd.transpose(weight), bias, in_features)


def dropout(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> Any:
    """Zero each element with probability p and scale the rest by 1 / (1 - p) while
    `training` (PyTorch's default here is True, unlike the Module, which follows
    ``model.train()`` / ``model.eval()``); the input itself otherwise (`nn.Dropout`)."""
    _no_inplace("dropout", inplace)
    rate = layers.dropout_probability("dropout", p)
    return _elementwise("dropout", layers.dropout, input, rate, bool(training))


# --- losses --------------------------------------------------------------------------


def _loss(
    who: str, fn: Callable[..., Any], input: Any, target: Any, reduction: str, **options: Any
) -> Any:
    """fn(input, target, reduction, **options); arguments that are not numbers named as
    PyTorch names them."""
    try:
        return fn(input, target, reduction, **options)
    except (TypeError, ValueError):
        check_numbers(who, input=input, target=target)
        raise


def mse_loss(input: Any, target: Any, *, reduction: str = "mean") -> Any:
    """mean((input - target)^2) (`nn.MSELoss`)."""
    return _loss("mse_loss", torch_losses.mse_loss, input, target, reduction)


def l1_loss(input: Any, target: Any, *, reduction: str = "mean") -> Any:
    """mean(|input - target|) (`nn.L1Loss`)."""
    return _loss("l1_loss", torch_losses.l1_loss, input, target, reduction)


def binary_cross_entropy(
    input: Any, target: Any, weight: Any = None, *, reduction: str = "mean"
) -> Any:
    """Binary cross-entropy of probabilities in [0, 1], logs clamped at -100 as in
    PyTorch, times ``weight`` (`nn.BCELoss`)."""
    fn = torch_losses.binary_cross_entropy
    return _loss("binary_cross_entropy", fn, input, target, reduction, weight=weight)


def binary_cross_entropy_with_logits(
    input: Any, target: Any, weight: Any = None, *, reduction: str = "mean", pos_weight: Any = None
) -> Any:
    """Binary cross-entropy of logits, stable, with ``weight`` and ``pos_weight``
    (`nn.BCEWithLogitsLoss`)."""
    fn = torch_losses.binary_cross_entropy_with_logits
    who = "binary_cross_entropy_with_logits"
    return _loss(who, fn, input, target, reduction, weight=weight, pos_weight=pos_weight)


def cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Any:
    """Cross-entropy of logits (N, C) against integer labels (N,) or probabilities
    (N, C), with class ``weight``, ``ignore_index`` and ``label_smoothing``
    (`nn.CrossEntropyLoss`)."""
    options = {"weight": weight, "ignore_index": ignore_index, "label_smoothing": label_smoothing}
    return _loss("cross_entropy", torch_losses.cross_entropy, input, target, reduction, **options)


def nll_loss(
    input: Any,
    target: Any,
    weight: Any = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Any:
    """Negative log-likelihood of log-probabilities (N, C) at integer labels (N,), with
    class ``weight`` and ``ignore_index`` (`nn.NLLLoss`)."""
    options = {"weight": weight, "ignore_index": ignore_index}
    return _loss("nll_loss", torch_losses.nll_loss, input, target, reduction, **options)
