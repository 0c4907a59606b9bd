"""Callbacks that watch one figure of the epoch's logs: `EarlyStopping` stops training
when it stops improving, `ModelCheckpoint` saves the weights (every epoch, or when it
improved). `_Monitor` keeps the best value so far for both."""

from __future__ import annotations

import difflib
import math
import os
import warnings

import numpy as np

from nn.keras.callbacks.base import Callback, Logs

__all__ = ["EarlyStopping", "ModelCheckpoint"]


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
    """Save the model's weights after each epoch with ``model.save_weights(path)``, or
    with ``save_weights_only=False`` the whole model with ``model.save(path)`` (architecture,
    weights and optimizer state: ``nn.load_model(path)`` resumes from it).

        ``filepath`` may hold ``str.format`` fields: ``epoch`` (counted from 1, as Keras does)
        and any figure of the epoch's logs, e.g. ``"ckpt/w-{epoch:02d}-{val_loss:.4f}.npz"``.
        With ``save_best_only`` a file is written only when ``monitor`` improved on the best so
        far (so a fixed path always holds the best weights). The save is atomic: a crash leaves
        the previous file or the new one, never a mix. Missing folders are created. ``saved``
        lists the paths written, in order. Weights only is the default here (Keras' is the
        whole model).
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
        self.save_weights_only = bool(save_weights_only)
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
        what = "the weights" if self.save_weights_only else "the model"
        if self.save_best_only:
            value = self._watch.current(logs)
            if value is None or not self._watch.improved(value):
                return
            previous = self._watch.best
            self._watch.best = value
            if self.verbose:
                print(
                    f"Epoch {epoch + 1}: {self.monitor} improved from {previous:.5f} to "
                    f"{value:.5f}, saving {what}"
                )
        path = self._path(epoch, logs)
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
        self.saved.append(path)
        if self.verbose and not self.save_best_only:
            print(f"Epoch {epoch + 1}: saving {what} to {path}")
