"""`LearningRateScheduler`: the optimizer's learning rate set at each epoch's start from
a function of the epoch."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

from nn.keras.callbacks.base import Callback, Logs

__all__ = ["LearningRateScheduler"]


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of each epoch.

    ``schedule(epoch, lr)`` (epoch 0-based, lr the current rate) or ``schedule(epoch)``
    returns the new rate; an `nn.optim.Schedule` object works as the one-argument form.
    The rate in use is added to each epoch's logs as "learning_rate" (as Keras 3 does).
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: schedule must be callable, got {schedule!r}")
        self.schedule = schedule
        self.verbose = verbose
        self._two_args = _takes_two_args(schedule)

    def on_train_begin(self, logs: Logs | None = None) -> None:
        schedule = self.model.optimizer.schedule
        if schedule is not None:  # assigning a rate would silently drop it (as Keras refuses)
            raise TypeError(
                f"LearningRateScheduler: the optimizer's lr is already a schedule "
                f"({type(schedule).__name__}), which this callback would replace at the "
                "first epoch; use one or the other"
            )

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        opt = self.model.optimizer
        lr = self.schedule(epoch, opt.lr) if self._two_args else self.schedule(epoch)
        try:
            value = float(lr)
        except (TypeError, ValueError):
            value = math.nan
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(
                f"LearningRateScheduler: the schedule returned {lr!r} for epoch {epoch}; "
                "a learning rate must be a finite number >= 0"
            )
        opt.lr = value
        if self.verbose:
            print(f"Epoch {epoch + 1}: learning rate set to {value:g}")

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.lr)


def _takes_two_args(fn: Callable[..., Any]) -> bool:
    """Whether ``fn`` can be called with (epoch, lr); decided once, from its signature,
    so a TypeError raised inside the user's function is never mistaken for the wrong
    number of arguments."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return True
    try:
        sig.bind(0, 0.0)
    except TypeError:
        return False
    return True
