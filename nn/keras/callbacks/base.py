"""The callback protocol: the hooks `fit` calls (`Callback`), which of them a callback
overrides (`overrides`), and `History`, the callback whose record `fit` returns."""

from __future__ import annotations

from typing import Any

__all__ = ["Callback", "History", "Logs", "overrides"]

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
