"""`CSVLogger`: one row of a CSV file per epoch, flushed as it is written."""

from __future__ import annotations

import csv
import os
from typing import Any, TextIO

from nn.keras.callbacks.base import Callback, Logs

__all__ = ["CSVLogger"]


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
