"""Callbacks: objects that `fit` calls at the start and end of training, of each
epoch and of each batch (the Keras convention), and the standard ones.

`fit` calls `set_model(model)` and `set_params(params)` first, then the hooks in
this order: on_train_begin, (on_epoch_begin, (on_batch_begin, on_batch_end)*,
on_epoch_end)*, on_train_end. `logs` is a dict of the current figures
("loss", metrics, and at epoch end their "val_" twins); in on_batch_end they are
the running means over the epoch so far. A callback stops training by setting
`model.stop_training = True`; `fit` looks at it after every batch and every epoch.
Epochs and batches are counted from 0 here, as in Keras; messages printed for people
count from 1, as the progress lines do.

`fit` calls a batch hook only on callbacks that override it, so callbacks that watch
epochs alone cost nothing per batch.

The standard callbacks:

- `History`: the per-epoch lists that `fit` returns (``history.history["loss"]``).
- `EarlyStopping`: stop when a monitored figure stops improving; optionally put back
  the weights of the best epoch.
- `ModelCheckpoint`: save the weights (atomically, through ``save_weights``) after each
  epoch, or only when the monitored figure improved; the path may hold fields such as
  ``"{epoch:02d}"`` or ``"{val_loss:.4f}"``.
- `TerminateOnNaN`: stop at the first nan or inf loss and keep the weights that produced
  the last finite one.
- `LearningRateScheduler`: set the optimizer's learning rate at each epoch's start from
  ``schedule(epoch, lr)``.
- `CSVLogger`: one CSV row per epoch.
"""

from __future__ import annotations

import csv
import difflib
import inspect
import math
import os
import warnings
from collections.abc import Callable
from typing import Any, TextIO

import numpy as np

from nn.memory import aligned_copy

__all__ = [
    "CSVLogger",
    "Callback",
    "EarlyStopping",
    "GradientFlow",
    "History",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "TerminateOnNaN",
]

Logs = dict[str, Any]


class Callback:
    """Base class: every hook does nothing; override the ones you need."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        """Training settings from fit: ``epochs``, ``steps`` (batches per epoch),
        ``samples`` (training samples), ``verbose``; and ``epoch_steps``, the batches
        actually run in the epoch that ends, set just before on_epoch_end (smaller than
        ``steps`` when training stopped mid-epoch)."""
        self.params = params

    def on_train_begin(self, logs: Logs | None = None) -> None:
        pass

    def on_train_end(self, logs: Logs | None = None) -> None:
        pass

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        pass

    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        pass

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        pass


def overrides(callback: Callback, hook: str) -> bool:
    """True when ``callback``'s class redefines ``hook`` (so calling it can matter)."""
    return getattr(type(callback), hook) is not getattr(Callback, hook)


class History(Callback):
    """Records the epoch logs: ``history["loss"][i]`` is the loss of the i-th epoch run.

    ``epoch`` lists the epoch indices (they start at ``initial_epoch``). `fit` makes one
    per call, returns it and also keeps it as ``model.history``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[Any]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


# --- monitoring a figure -----------------------------------------------------------------


def _improves(mode: str, monitor: str) -> str:
    """ "min" or "max" for ``mode``; "auto" means max for accuracies, min otherwise."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        return "max" if "acc" in monitor or "auc" in monitor else "min"
    return mode


class _Monitor:
    """The best value of a monitored figure so far, and whether a new one beats it by
    more than ``min_delta``. nan never counts as an improvement."""

    def __init__(self, who: str, monitor: str, mode: str, min_delta: float) -> None:
        self.who = who
        self.monitor = monitor
        self.mode = _improves(mode, monitor)
        self.min_delta = abs(float(min_delta))
        self.best = math.inf if self.mode == "min" else -math.inf
        self._warned = False

    def reset(self) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf

    def current(self, logs: Logs | None) -> float | None:
        """The monitored value in ``logs``; None (with one warning) when it is absent."""
        value = (logs or {}).get(self.monitor)
        if value is None:
            if not self._warned:
                self._warned = True
                names = list(logs or {})
                known = ", ".join(repr(k) for k in names)
                close = difflib.get_close_matches(self.monitor, names, n=1)
                if self.monitor.startswith("val_") and not any(k.startswith("val_") for k in names):
                    hint = " (validation figures need validation_split or validation_data)"
                elif close:
                    hint = f"; did you mean {close[0]!r}?"
                else:
                    hint = ""
                warnings.warn(
                    f"{self.who}: monitor {self.monitor!r} is not among the figures of this "
                    f"epoch ({known}){hint}; it does nothing",
                    stacklevel=3,
                )
            return None
        return float(value)

    def improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved for ``patience`` epochs.

    An improvement is a value better than the best so far by more than ``min_delta``
    (lower for losses, higher for accuracies with ``mode="auto"``). With
    ``restore_best_weights`` the weights of the best epoch are copied at that epoch and
    put back when training ends, whether it stopped early or ran all its epochs (Keras 3
    does the same). ``stopped_epoch`` (0-based) is the epoch it stopped at, or None;
    ``best_epoch`` the best one.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        restore_best_weights: bool = False,
    ) -> None:
        super().__init__()
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an int >= 0, got {patience!r}")
        self._watch = _Monitor("EarlyStopping", monitor, mode, min_delta)
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.restore_best_weights = bool(restore_best_weights)
        self.wait = 0
        self.stopped_epoch: int | None = None
        self.best_epoch: int | None = None
        self.best_weights: dict[str, np.ndarray] | None = None

    @property
    def best(self) -> float:
        return self._watch.best

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._watch.reset()
        self.wait = 0
        self.stopped_epoch = self.best_epoch = None
        self.best_weights = None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        value = self._watch.current(logs)
        if value is None:
            return
        if self._watch.improved(value):
            self._watch.best = value
            self.best_epoch = epoch
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.model.state_dict()  # copies
            return
        # wait counts epochs without improvement; as in Keras, patience 0 and 1 both stop
        # at the first such epoch.
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.stopped_epoch is not None and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            assert self.best_epoch is not None
            if self.verbose:
                print(f"Restoring the weights of the best epoch: {self.best_epoch + 1}")
            self.model.load_state_dict(self.best_weights)


class ModelCheckpoint(Callback):
    """Save the model's weights after each epoch with ``model.save_weights(path)``.

    ``filepath`` may hold ``str.format`` fields: ``epoch`` (counted from 1, as Keras does)
    and any figure of the epoch's logs, e.g. ``"ckpt/w-{epoch:02d}-{val_loss:.4f}.npz"``.
    With ``save_best_only`` a file is written only when ``monitor`` improved on the best so
    far (so a fixed path always holds the best weights). The save is atomic: a crash leaves
    the previous file or the new one, never a mix. Missing folders are created. ``saved``
    lists the paths written, in order. Only weights are saved (an architecture is code
    here), so Keras' ``save_weights_only=True`` is accepted and False refused.
    """

    def __init__(
        self,
        filepath: str | os.PathLike[str],
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        mode: str = "auto",
        save_weights_only: bool = True,
    ) -> None:
        super().__init__()
        if not save_weights_only:
            raise ValueError(
                "ModelCheckpoint: save_weights_only=False would save the whole model, and "
                "only weights are saved (model.save_weights); rebuild the model in code and "
                "load them with model.load_weights"
            )
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = bool(save_best_only)
        self._watch = _Monitor("ModelCheckpoint", monitor, mode, 0.0)
        self.saved: list[str] = []

    @property
    def best(self) -> float:
        return self._watch.best

    def _path(self, epoch: int, logs: Logs) -> str:
        try:
            return self.filepath.format(epoch=epoch + 1, **logs)
        except KeyError as exc:
            known = ", ".join(["epoch", *logs])
            raise ValueError(
                f"ModelCheckpoint: filepath {self.filepath!r} names the field {exc.args[0]!r}, "
                f"which this epoch does not have (known: {known})"
            ) from None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self.save_best_only:
            value = self._watch.current(logs)
            if value is None or not self._watch.improved(value):
                return
            previous = self._watch.best
            self._watch.best = value
            if self.verbose:
                print(
                    f"Epoch {epoch + 1}: {self.monitor} improved from {previous:.5f} to "
                    f"{value:.5f}, saving the weights"
                )
        path = self._path(epoch, logs)
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        self.model.save_weights(path)
        self.saved.append(path)
        if self.verbose and not self.save_best_only:
            print(f"Epoch {epoch + 1}: saving the weights to {path}")


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


class CSVLogger(Callback):
    """Write each epoch's logs as a row of a CSV file: "epoch" (0-based, as Keras
    writes it), then the figures in alphabetical order.

    The file is flushed after every row, so it can be watched during training. With
    ``append`` rows go after an existing file's (its header is not repeated).
    """

    def __init__(
        self, filename: str | os.PathLike[str], separator: str = ",", append: bool = False
    ) -> None:
        super().__init__()
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = bool(append)
        self.keys: list[str] | None = None
        self._file: TextIO | None = None
        self._writer: Any = None
        self._header_needed = True

    def on_train_begin(self, logs: Logs | None = None) -> None:
        exists = os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        self._header_needed = not (self.append and exists)
        folder = os.path.dirname(self.filename)
        if folder:
            os.makedirs(folder, exist_ok=True)
        self._file = open(self.filename, "a" if self.append else "w", newline="")  # noqa: SIM115
        self._writer = csv.writer(self._file, delimiter=self.separator)
        self.keys = None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self._file is None:
            return
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self._header_needed:
                self._writer.writerow(["epoch", *self.keys])
        self._writer.writerow([epoch, *(logs.get(k, "") for k in self.keys)])
        self._file.flush()

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


# GradientFlow lives in its own module (it subclasses Callback, defined above).
from nn.gradflow import GradientFlow  # noqa: E402
