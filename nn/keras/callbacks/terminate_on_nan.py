"""`TerminateOnNaN`: stop at the first nan or inf loss and keep the weights that gave the
last finite one."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nn.keras.callbacks.base import Callback, Logs
from nn.memory import aligned_copy

__all__ = ["TerminateOnNaN"]


class TerminateOnNaN(Callback):
    """Stop at the first batch whose loss is nan or inf, keeping good weights.

    Good weights are those that produced the last finite loss. Before each batch the
    weights are copied into a spare buffer; after a batch with a finite loss that buffer
    becomes the "good" one (the two buffers swap, so nothing is allocated per batch). At a
    non-finite loss the good copy is written back, which undoes the update of the last
    finite batch too: those weights never showed a finite loss (a huge step can leave
    them inf or merely absurd). If the very first batch fails, the initial weights are
    kept. `fit` itself never applies the update of a batch whose loss is not finite, so
    nan gradients never reach the weights.

    The message (printed, and kept as ``message``) names the epoch and the batch, counted
    from 1 as the progress lines count them; ``stopped_epoch`` and ``stopped_batch`` are
    0-based. The optimizer's state (momentum, Adam's moments) is not rolled back.
    """

    def __init__(self) -> None:
        super().__init__()
        self._params: list[Any] = []
        self._good: list[np.ndarray] = []
        self._spare: list[np.ndarray] = []
        self._has_good = False
        self._epoch = 0
        self._last_good: tuple[int, int] | None = None
        self.stopped_epoch: int | None = None
        self.stopped_batch: int | None = None
        self.message = ""

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._params = []
        self._has_good = False
        self._last_good = None
        self.stopped_epoch = self.stopped_batch = None
        self.message = ""

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._epoch = epoch
        # The parameter list is read once per epoch (fit builds lazy layers before the
        # first batch); a model that grew since gets new buffers.
        params = self.model.parameters()
        if [p.shape for p in params] != [p.shape for p in self._params]:
            self._params = params
            self._spare = [p.data.copy() for p in params]
            self._good = [p.data.copy() for p in params]
            self._has_good = False
        else:
            self._params = params

    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        for buf, p in zip(self._spare, self._params):
            np.copyto(buf, p.data)

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        if math.isfinite(loss):
            self._good, self._spare = self._spare, self._good
            self._has_good = True
            self._last_good = (self._epoch, batch)
            return
        kept = self._good if self._has_good else self._spare
        for buf, p in zip(kept, self._params):
            p.data = aligned_copy(buf)
        if self._last_good is None:
            where = "the weights it started with"
        else:
            e, b = self._last_good
            where = f"the weights that gave the last finite loss (epoch {e + 1}, batch {b + 1})"
        self.stopped_epoch, self.stopped_batch = self._epoch, batch
        self.message = (
            f"TerminateOnNaN: the loss became {loss} at epoch {self._epoch + 1}, batch "
            f"{batch + 1}; training stopped, and the model keeps {where}"
        )
        print(self.message)
        self.model.stop_training = True
