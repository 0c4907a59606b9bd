"""Callbacks: objects that `fit` calls at the start and end of training, of each
epoch and of each batch (the Keras convention).

`fit` calls `set_model(model)` and `set_params(params)` first, then the hooks in
this order: on_train_begin, (on_epoch_begin, (on_batch_begin, on_batch_end)*,
on_epoch_end)*, on_train_end. `logs` is a dict of the current figures
("loss", metrics, and at epoch end their "val_" twins). A callback stops
training by setting `model.stop_training = True`.
"""

from __future__ import annotations

from typing import Any


class Callback:
    """Base class: every hook does nothing; override the ones you need."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        """Training settings from fit: epochs, steps (batches per epoch), verbose."""
        self.params = params

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        pass
