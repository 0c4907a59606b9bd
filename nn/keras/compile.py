"""What `compile` settles: the optimizer, the loss and the metrics, each checked and named.

The loss becomes a call of (model output, targets) whatever its own argument order, with
what it takes as predictions (logits, probabilities, log-probabilities, or any numbers)
and what its targets are; `fit` checks targets against that, and `compile` warns when
the model's last activation contradicts it (a softmax before a loss that applies one
itself, a linear output before a loss that takes probabilities).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

from nn import losses as L
from nn.activations import Activation
from nn.arguments import lookup
from nn.keras.base import Compiled, KerasBase, LossCall, layer_chain
from nn.keras.metrics import Metric, align_ranks, get_metric
from nn.layers import Dense, Linear
from nn.module import Module
from nn.optim import SGD, Adam, Optimizer

__all__ = ["compile_settings"]

_OPTIMIZERS: dict[str, Callable[[], Optimizer]] = {"sgd": SGD, "adam": Adam}

# What a loss takes as predictions ("logits", "probabilities", "log_probabilities" or
# None for any numbers) and what its targets are ("regression", "binary", "categorical",
# "sparse", or "class": sparse or categorical, as the targets' shape says).
_MODULE_TRAITS: list[tuple[type, str | None, str]] = [
    (L.CrossEntropyLoss, "logits", "class"),
    (L.NLLLoss, "log_probabilities", "sparse"),
    (L.BCELoss, "probabilities", "binary"),
    (L.BCEWithLogitsLoss, "logits", "binary"),
    (L.MSELoss, None, "regression"),
    (L.L1Loss, None, "regression"),
]
# The PyTorch-style loss functions, called as fn(pred, target).
_FUNCTION_TRAITS: dict[Callable[..., Any], tuple[str | None, str]] = {
    L.cross_entropy: ("logits", "class"),
    L.nll_loss: ("log_probabilities", "sparse"),
    L.binary_cross_entropy: ("probabilities", "binary"),
    L.binary_cross_entropy_with_logits: ("logits", "binary"),
    L.mse_loss: (None, "regression"),
    L.l1_loss: (None, "regression"),
}
_PROBABILITY_OUTPUTS = frozenset({"softmax", "sigmoid"})
_UNBOUNDED_OUTPUTS = frozenset(
    {"linear", "relu", "leaky_relu", "prelu", "elu", "softplus", "tanh", "log_softmax"}
)


def compile_settings(
    model: KerasBase, optimizer: Any, loss: Any, metrics: Sequence[Any] | str | None
) -> Compiled:
    """Resolve the three choices, warn about a last layer that contradicts the loss, and
    bind the optimizer to the model; errors name `compile`."""
    _reject_class("optimizer", optimizer)  # (a loss class: get_loss refuses it)
    opt = _resolve_optimizer(optimizer)
    loss_obj, call, loss_name = _resolve_loss(loss)
    found = _resolve_metrics(metrics)
    expects, kind = _loss_traits(loss_obj)
    _warn_on_contradiction(model, loss_name, expects)
    opt.bind(model)
    settings = Compiled(opt, loss_obj, call, loss_name, expects, kind, found)
    settings.given = list(model.parameters())
    return settings


def _resolve_metrics(metrics: Sequence[Any] | str | None) -> list[Metric]:
    one = isinstance(metrics, str | type | Metric) or callable(metrics)
    specs: list[Any] = [metrics] if one else list(metrics or [])
    found: list[Metric] = []
    for spec in specs:
        _reject_class("metrics", spec, "holds")
        try:
            found.append(get_metric(spec))
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"compile: {exc}") from None
    names = [m.name for m in found]
    clash = [n for n in names if n == "loss" or names.count(n) > 1]
    if clash:
        raise ValueError(f"compile: metric names must be unique and not 'loss', got {names}")
    return found


def _loss_traits(loss: Any) -> tuple[str | None, str | None]:
    """(what the loss takes as predictions, what its targets are); Nones if unknown."""
    kind = getattr(loss, "target_kind", "")
    if getattr(loss, "y_true_first", False) and kind:  # the Keras-style classes
        if kind == "regression":
            return None, kind
        return ("logits" if loss.from_logits else "probabilities"), kind
    for cls, expects, kind in _MODULE_TRAITS:
        if isinstance(loss, cls):
            return expects, kind
    traits = _FUNCTION_TRAITS.get(loss) if callable(loss) else None
    return traits if traits is not None else (None, None)


def _resolve_loss(spec: Any) -> tuple[Any, LossCall, str]:
    """The loss object, a function of (model output, targets), and a name for messages."""
    if spec is None:
        raise ValueError(
            "compile: give a loss, e.g. loss='sparse_categorical_crossentropy'; known names: "
            + ", ".join(repr(n) for n in L.known_losses())
        )
    try:
        loss = L.get_loss(spec)
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"compile: {exc}") from None
    name = type(loss).__name__ if isinstance(loss, Module) else getattr(loss, "__name__", "loss")
    if isinstance(loss, Module) and not getattr(loss, "y_true_first", False):
        return loss, loss, name
    if not isinstance(loss, Module) and loss in _FUNCTION_TRAITS:
        return loss, loss, name
    if isinstance(loss, Module):  # the Keras-style classes, which handle shapes themselves

        def call(out: Any, y: Any) -> Any:  # Keras order: targets first
            return loss(y, out)

        return loss, call, name

    def call_function(out: Any, y: Any) -> Any:
        # A user function sees y_true and y_pred at the same rank, as Keras hands them
        # over: (N,) targets against (N, 1) outputs would otherwise broadcast to (N, N)
        # in ``y_pred - y_true`` and silently train on the wrong loss.
        return loss(*align_ranks(y, out))

    return loss, call_function, name


def _reject_class(what: str, spec: Any, verb: str = "is") -> None:
    """A class where an instance belongs (``loss=nn.CrossEntropyLoss``) is callable, so
    it would be taken for a function and fail later with a confusing message."""
    if isinstance(spec, type):
        name = spec.__name__
        raise TypeError(f"compile: {what} {verb} the class {name}; pass an instance, {name}()")


def _resolve_optimizer(spec: Any) -> Optimizer:
    if isinstance(spec, Optimizer):
        return spec
    if isinstance(spec, str):
        hint = " (or pass an Optimizer object such as nn.SGD(lr=0.1, momentum=0.9))"
        return lookup(_OPTIMIZERS, spec, "optimizer", "compile", hint)()
    raise TypeError(f"compile: optimizer must be a name or an Optimizer, got {type(spec).__name__}")


def _output_activation(model: Module) -> str | None:
    """The name of the activation the model's output goes through last ("linear" for
    none), when the model is a chain of layers whose end can be read; None if unknown."""
    last: Any = model
    while (chain := layer_chain(last)) is not None:
        if not chain:
            return None
        last = chain[-1]
    if isinstance(last, Dense):
        if last.activation is None:
            return "linear"
        last = last.activation
    if isinstance(last, Linear):
        return "linear"
    while type(last) is Activation:  # Keras' Activation("softmax") wraps the real one
        last = last.fn
    if isinstance(last, Activation):
        return last.key or None
    return None


def _contradiction(act: str, loss_name: str, expects: str) -> str | None:
    """What is wrong when a last layer's `act` meets a loss that `expects` this; None
    when nothing is."""
    if expects == "logits" and act in _PROBABILITY_OUTPUTS:
        return (
            f"the last layer applies {act}, but the loss {loss_name} takes logits "
            f"(from_logits=True) and applies {act} itself: it would be applied twice. "
            f"Remove the {act} activation, or use the loss with from_logits=False."
        )
    if expects == "probabilities" and act in _UNBOUNDED_OUTPUTS:
        return (
            f"the last layer's output is {act}, not probabilities, but the loss "
            f"{loss_name} takes probabilities (from_logits=False). Give the last layer "
            "activation='softmax' (or 'sigmoid' for one output), or build the loss with "
            "from_logits=True."
        )
    if (
        expects == "log_probabilities"
        and act != "log_softmax"
        and (act in _PROBABILITY_OUTPUTS or act in _UNBOUNDED_OUTPUTS)
    ):
        return (
            f"the last layer's output is {act}, but the loss {loss_name} takes "
            "log-probabilities; end the model with nn.LogSoftmax() (or use "
            "nn.CrossEntropyLoss on logits)."
        )
    return None


def _warn_on_contradiction(model: Module, loss_name: str, expects: str | None) -> None:
    act = _output_activation(model)
    if act is None or expects is None:
        return
    message = _contradiction(act, loss_name, expects)
    if message:
        # The user's compile call: here <- compile_settings <- TrainingMixin.compile.
        warnings.warn(f"compile: {message}", UserWarning, stacklevel=4)
