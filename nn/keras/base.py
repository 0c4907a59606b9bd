"""What a model trained the Keras way keeps, shared by the nn.keras modules.

`Compiled` holds what `compile` settled. `KerasBase` declares the state that `compile` and
`fit` keep on the model (class-level defaults, so the mixin needs no ``__init__``) and the
facts about the model's inputs that the checks, `summary` and `plot_model` read: its
dtype, the input shape it expects, and whether it is a chain of layers. `TrainingMixin`
(nn.keras.training) derives from it and adds the public methods; the functions behind
those methods take a `KerasBase`, so they reach this state without importing the mixin.
The underscored members are shared by the nn.keras modules, not meant for users.

A model that is a plain chain of layers (a `Sequential`) says so by overriding
`_layer_chain`; nn.keras reads the layers from it and never imports the containers
that sit above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from nn.keras.callbacks.base import History
from nn.keras.metrics import Metric
from nn.module import Module
from nn.optim import Optimizer

__all__ = ["Compiled", "KerasBase", "LossCall", "layer_chain"]

if TYPE_CHECKING:
    # To the type checker the mixin is a Module, so its methods may use the Module API;
    # at run time it is a plain class placed before Module in the bases.
    _MixinBase = Module
else:
    _MixinBase = object

LossCall = Callable[[Any, Any], Any]


@dataclass
class Compiled:
    """What `compile` settled, kept in one attribute that the module walk ignores."""

    optimizer: Optimizer
    loss: Any
    loss_call: LossCall
    loss_name: str
    expects: str | None
    target_kind: str | None
    metrics: list[Metric] = field(default_factory=list)
    # The model's parameters the optimizer has been given (at compile, and by fit since):
    # one not among them belongs to a layer added since, for fit to add. (The objects,
    # not their ids: a copy of the model maps them to its own.)
    given: list[Any] = field(default_factory=list)


class KerasBase(_MixinBase):
    """The state and input facts of a Keras-trained model (see the module docstring)."""

    _compiled: Compiled | None = None
    _seen_input_shape: tuple[int, ...] | None = None
    #: The optimizer chosen by `compile` (a plain attribute, as in Keras; callbacks such
    #: as LearningRateScheduler read it). `fit` itself uses the one `compile` bound.
    optimizer: Optimizer | None = None
    stop_training: bool = False
    history: History | None = None

    def _layer_chain(self) -> list[Module] | None:
        """The layers data flows through one after another, when the model is such a
        chain (`Sequential` overrides this); None when it is not."""
        return None

    def _state(self, who: str) -> Compiled:
        if self._compiled is None:
            raise RuntimeError(
                f"{who}: the model is not compiled; call model.compile(optimizer=..., "
                "loss=...) first"
            )
        return self._compiled

    def _dtype_now(self) -> np.dtype[Any]:
        for p in self.parameters():
            return np.dtype(p.dtype)
        return np.dtype(self._dtype)

    def _expected_input_shape(self) -> tuple[int, ...] | None:
        """The per-sample input shape the model was declared with or last accepted."""
        declared = self.declared_input_shape()
        return tuple(declared) if declared is not None else self._seen_input_shape


def layer_chain(module: Module) -> list[Module] | None:
    """The layers of `module` in the order data flows through them, when it is a chain
    of layers (a Sequential); None for any other module."""
    return module._layer_chain() if isinstance(module, KerasBase) else None
