"""Learning-rate schedules: a learning rate for each epoch.

A `Schedule` is a small object mapping an epoch index (0-based) to a learning rate with
``lr_at(epoch)``; it keeps a current ``epoch`` that ``step()`` advances. Give one as an
optimizer's ``lr`` (``SGD(params, lr=StepDecay(0.1, step_size=10))``) and the optimizer
reads ``schedule.lr_at(schedule.epoch)`` at every step; advance it once per epoch with
``opt.schedule.step()`` (PyTorch's ``scheduler.step()``), or set it with
``opt.set_epoch(e)`` (what a ``fit`` loop with ``initial_epoch`` does). Schedules are
also callables ``s(epoch)``, so they fit a Keras-style LearningRateScheduler callback.

    StepDecay         lr0 * gamma ** (epoch // step_size)          (PyTorch's StepLR)
    ExponentialDecay  lr0 * decay_rate ** (epoch / decay_epochs)   (Keras', in epochs)
    CosineDecay       half a cosine from lr0 down to min_lr over total_epochs
"""

from __future__ import annotations

import math
from typing import Any

from nn.arguments import nonnegative_float, positive_int

__all__ = ["CosineDecay", "ExponentialDecay", "Schedule", "StepDecay"]


class Schedule:
    """A learning rate per epoch: ``lr_at(epoch)``; ``epoch`` is the current one."""

    def __init__(self, initial_lr: float) -> None:
        self.initial_lr = nonnegative_float(type(self).__name__, "initial_lr", initial_lr)
        self.epoch = 0

    def lr_at(self, epoch: int) -> float:
        raise NotImplementedError

    def __call__(self, epoch: int) -> float:
        return self.lr_at(epoch)

    @property
    def lr(self) -> float:
        """The learning rate of the current epoch."""
        return self.lr_at(self.epoch)

    def step(self) -> float:
        """Move to the next epoch; returns its learning rate."""
        self.epoch += 1
        return self.lr

    def state_dict(self) -> dict[str, Any]:
        return {"epoch": self.epoch}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.epoch = int(state["epoch"])


class StepDecay(Schedule):
    """lr0 * gamma ** (epoch // step_size): divide by 1/gamma every step_size epochs
    (PyTorch's StepLR)."""

    def __init__(self, initial_lr: float, step_size: int, gamma: float = 0.1) -> None:
        super().__init__(initial_lr)
        self.step_size = positive_int("StepDecay", "step_size", step_size)
        self.gamma = nonnegative_float("StepDecay", "gamma", gamma)

    def lr_at(self, epoch: int) -> float:
        return self.initial_lr * self.gamma ** (epoch // self.step_size)


class ExponentialDecay(Schedule):
    """lr0 * decay_rate ** (epoch / decay_epochs), the exponent floored when
    ``staircase`` (Keras' ExponentialDecay counted in epochs; with decay_epochs=1 it is
    PyTorch's ExponentialLR with gamma = decay_rate)."""

    def __init__(
        self,
        initial_lr: float,
        decay_rate: float,
        decay_epochs: int = 1,
        staircase: bool = False,
    ) -> None:
        super().__init__(initial_lr)
        self.decay_rate = nonnegative_float("ExponentialDecay", "decay_rate", decay_rate)
        self.decay_epochs = positive_int("ExponentialDecay", "decay_epochs", decay_epochs)
        self.staircase = bool(staircase)

    def lr_at(self, epoch: int) -> float:
        e = epoch / self.decay_epochs
        return self.initial_lr * self.decay_rate ** (math.floor(e) if self.staircase else e)


class CosineDecay(Schedule):
    """min_lr + (lr0 - min_lr) (1 + cos(pi t / T)) / 2 with t = min(epoch, T):
    half a cosine from lr0 down to min_lr over ``total_epochs`` = T, then flat
    (PyTorch's CosineAnnealingLR closed form; Keras' CosineDecay with
    alpha = min_lr / lr0)."""

    def __init__(self, initial_lr: float, total_epochs: int, min_lr: float = 0.0) -> None:
        super().__init__(initial_lr)
        self.total_epochs = positive_int("CosineDecay", "total_epochs", total_epochs)
        self.min_lr = nonnegative_float("CosineDecay", "min_lr", min_lr)

    def lr_at(self, epoch: int) -> float:
        t = min(max(epoch, 0), self.total_epochs)
        cos = (1.0 + math.cos(math.pi * t / self.total_epochs)) / 2.0
        return self.min_lr + (self.initial_lr - self.min_lr) * cos


def lr_argument(who: str, lr: float | Schedule | None, learning_rate: Any, default: float) -> Any:
    """An optimizer's rate given as PyTorch's ``lr`` or Keras' ``learning_rate`` (not
    both: TypeError naming `who`), or `default` if neither."""
    if learning_rate is not None:
        if lr is not None:
            raise TypeError(f"{who}: give lr or learning_rate, not both")
        return learning_rate
    return default if lr is None else lr
