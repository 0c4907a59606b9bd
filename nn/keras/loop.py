"""The training loop of `fit`: epochs of mini-batches with the callbacks' hooks around them.

Each batch is the PyTorch step (forward, loss, ``zero_grad``, ``backward``, ``step``) plus
running sums of the loss and metrics on plain numbers, so the figures of an epoch are
means weighted by batch size. A batch whose loss is nan or inf is not applied (its update
would write nan into every weight) and stops training: with a warning, or, when
TerminateOnNaN is among the callbacks, through it (it also restores the weights of the
last batch with a finite loss). Hooks run in Keras' order (see nn.keras.callbacks); a
batch hook is called only on callbacks that override it.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from autograd import Value
from nn.data import DataLoader
from nn.keras.base import Compiled, KerasBase
from nn.keras.callbacks.base import Callback, Logs, overrides
from nn.keras.callbacks.terminate_on_nan import TerminateOnNaN
from nn.keras.evaluation import measure
from nn.keras.metrics import Metric

__all__ = ["TrainingLoop"]


class TrainingLoop:
    """One `fit` call's epochs: the model, what `compile` settled, the batches, the
    resolved metrics, the callbacks (in calling order), the ``params`` they were given
    and the validation set (or None)."""

    def __init__(
        self,
        model: KerasBase,
        state: Compiled,
        loader: DataLoader,
        metrics: list[Metric],
        callbacks: list[Callback],
        params: dict[str, Any],
        validation: tuple[np.ndarray, np.ndarray] | None,
        batch_size: int,
    ) -> None:
        self.model = model
        self.state = state
        self.loader = loader
        self.metrics = metrics
        self.names = [m.name for m in metrics]
        self.callbacks = callbacks
        self.params = params
        self.validation = validation
        self.batch_size = batch_size
        # Without TerminateOnNaN (which also restores the last good weights), a nan or
        # inf loss still stops training, with a warning: never a silent nan run.
        self.guarded = any(isinstance(cb, TerminateOnNaN) for cb in callbacks)

    def run(self, initial_epoch: int, epochs: int) -> None:
        """Epochs ``initial_epoch`` to ``epochs - 1``, or until a callback or a
        non-finite loss sets ``model.stop_training``."""
        model, opt, cbs = self.model, self.state.optimizer, self.callbacks
        for cb in cbs:
            cb.on_train_begin({})
        for epoch in range(initial_epoch, epochs):
            opt.set_epoch(epoch)  # a Schedule given as lr follows the epoch
            model.train()
            for cb in cbs:
                cb.on_epoch_begin(epoch, {})
            seen, loss_sum, sums, batches = self._batches(epoch)
            logs = self._logs(seen, loss_sum, sums)
            if self.validation is not None:
                logs.update(self._validation_logs(*self.validation))
            self.params["epoch_steps"] = batches
            for cb in cbs:
                cb.on_epoch_end(epoch, logs)
            self.params["epoch_steps"] = self.params["steps"]
            if model.stop_training:
                break
        for cb in cbs:
            cb.on_train_end({})

    def _logs(self, seen: int, loss_sum: float, sums: list[float]) -> Logs:
        """The running means: "loss" and each metric."""
        logs: Logs = {"loss": loss_sum / seen}
        for name, s in zip(self.names, sums):
            logs[name] = s / seen
        return logs

    def _validation_logs(self, x_val: np.ndarray, y_val: np.ndarray) -> Logs:
        """The "val_" figures (loss and metrics) measured on the whole validation set."""
        figures = measure(self.model, self.state, self.metrics, x_val, y_val, self.batch_size)
        return {"val_" + name: value for name, value in zip(["loss", *self.names], figures)}

    def _batches(self, epoch: int) -> tuple[int, float, list[float], int]:
        """One epoch's batches: (samples seen, loss sum, metric sums, batches run).

        This is the per-batch path: it adds to a bare PyTorch loop only one ``item()``,
        a finite check, a few float additions, the metrics' numpy sums, and the batch
        hooks of the callbacks that define them (none by default).
        """
        model, loader, cbs = self.model, self.loader, self.callbacks
        opt, loss_call = self.state.optimizer, self.state.loss_call
        sums_of = [m.batch_sum for m in self.metrics]
        begin_hooks = [cb.on_batch_begin for cb in cbs if overrides(cb, "on_batch_begin")]
        end_hooks = [cb.on_batch_end for cb in cbs if overrides(cb, "on_batch_end")]
        isfinite = math.isfinite
        seen, loss_sum, batch = 0, 0.0, 0
        sums = [0.0] * len(sums_of)
        for xb, yb in loader:
            for hook in begin_hooks:
                hook(batch, {})
            out = model(xb)
            loss = loss_call(out, yb)
            value = loss.item()
            if isfinite(value):
                opt.zero_grad()
                loss.backward()
                opt.step()
            elif not self.guarded:
                _warn_non_finite(value, epoch, batch, xb)
                model.stop_training = True
            n = yb.shape[0]
            seen += n
            loss_sum += value * n
            if sums_of:
                pred = out.data
                for i, batch_sum in enumerate(sums_of):
                    sums[i] += batch_sum(yb, pred)
            batch += 1
            if end_hooks:
                logs = self._logs(seen, loss_sum, sums)
                for hook in end_hooks:
                    hook(batch - 1, logs)
            if model.stop_training:
                break
        return seen, loss_sum, sums, batch


def _warn_non_finite(value: float, epoch: int, batch: int, xb: Any) -> None:
    warnings.warn(
        f"fit: the loss became {value} at epoch {epoch + 1}, batch {batch + 1}"
        f"{_bad_inputs(xb)}; training stopped without applying that batch (add "
        "nn.callbacks.TerminateOnNaN() to also restore the weights of the "
        "last batch with a finite loss)",
        RuntimeWarning,
        # The user's fit call: here <- _batches <- run <- fit_model <- TrainingMixin.fit.
        stacklevel=6,
    )


def _bad_inputs(xb: Any) -> str:
    """Why a batch's loss may be nan or inf when its inputs are to blame (error path)."""
    data = xb.data if isinstance(xb, Value) else np.asarray(xb)
    bad = ~np.isfinite(data)
    if not bad.any():
        return ""
    return f" (that batch's inputs hold {int(bad.sum())} nan or inf values: clean the data)"
