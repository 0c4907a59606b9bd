"""Progress output of `fit`: a live bar on a terminal, one line per epoch elsewhere.

``verbose=0`` prints nothing. ``verbose=2`` prints one line per epoch. ``verbose=1`` (the
default, also ``"auto"``) draws a live bar per epoch with tqdm when the output stream is a
terminal, and otherwise prints the same one line per epoch as ``verbose=2``: a log file,
CI or a notebook that captures output gets a readable record instead of thousands of
carriage-return frames (the complaint users have about Keras' bars). tqdm comes with the
``examples`` extra; it is imported only when a bar is drawn, and without it a terminal
gets the one-line form.

The line (figures in alphabetical order, as Keras 3 shows them; the training figures are
means over the epoch, the "val_" ones are measured after it)::

    Epoch 3/10 - 45/45 - 0s 3ms/step - accuracy: 0.9123 - loss: 0.2874 - val_accuracy: ...

The live bar prints ``Epoch 3/10`` and then, redrawn at most ten times a second::

    12/45 [========......................] - 1s - ETA: 2s - accuracy: 0.9011 - loss: 0.3107

showing batches done, the time spent and left, and the running means, cut to the
terminal's width (a wrapped line cannot be redrawn in place). At the epoch's end the bar
is replaced by the full line, kept: ``45/45 [====...] - 2s 3ms/step - accuracy: ...``.
The one-line form costs nothing per batch (it has no batch hook at all, so `fit` never
calls it); the bar reads the clock once per batch and formats its figures only when it
redraws.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from nn.keras.callbacks.base import Callback, Logs

__all__ = [
    "EpochLines",
    "LiveBar",
    "check_verbose",
    "format_logs",
    "format_timing",
    "make_progress",
]

# Seconds between two redraws of the live bar, and its width in characters.
REFRESH_S = 0.1
BAR_WIDTH = 30


def check_verbose(verbose: Any, who: str = "fit") -> int:
    """0, 1 or 2 for ``verbose`` (``"auto"`` and True mean 1); ValueError otherwise."""
    if verbose == "auto" or verbose is True:
        return 1
    if verbose is False:
        return 0
    if isinstance(verbose, int) and verbose in (0, 1, 2):
        return int(verbose)
    raise ValueError(f"{who}: verbose must be 0, 1, 2 or 'auto', got {verbose!r}")


def format_logs(logs: Logs) -> str:
    """``"accuracy: 0.9123 - loss: 0.2874"``: every numeric figure, alphabetically."""
    parts = []
    for key in sorted(logs):
        value = logs[key]
        if isinstance(value, int | float):
            v = float(value)
            text = f"{v:.4f}" if v == 0 or abs(v) >= 1e-3 or v != v else f"{v:.4e}"
            parts.append(f"{key}: {text}")
    return " - ".join(parts)


def format_timing(seconds: float, steps: int) -> str:
    """``"2s 3ms/step"``: whole seconds, then the mean time of a batch."""
    per = seconds / steps if steps else 0.0
    if per >= 1:
        unit = f"{per:.0f}s/step"
    elif per >= 1e-3:
        unit = f"{per * 1e3:.0f}ms/step"
    else:
        unit = f"{per * 1e6:.0f}us/step"
    return f"{seconds:.0f}s {unit}"


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


def _load_tqdm() -> Any:
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm


def make_progress(verbose: int, stream: TextIO | None = None) -> Callback | None:
    """The progress callback for ``verbose`` (0, 1 or 2) writing to ``stream``
    (sys.stdout, looked up now so redirections apply), or None for silence."""
    if verbose == 0:
        return None
    out = sys.stdout if stream is None else stream
    if verbose == 1 and _is_terminal(out):
        tqdm = _load_tqdm()
        if tqdm is not None:
            return LiveBar(out, tqdm)
    return EpochLines(out)


class EpochLines(Callback):
    """One line per epoch, written when the epoch (and its validation) is done."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream
        self._t0 = 0.0

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        elapsed = time.perf_counter() - self._t0
        steps = self.params.get("steps", 0)
        done = self.params.get("epoch_steps", steps)
        figures = format_logs(logs or {})
        line = (
            f"Epoch {epoch + 1}/{self.params.get('epochs', '?')} - {done}/{steps} - "
            f"{format_timing(elapsed, done)}" + (f" - {figures}" if figures else "")
        )
        self.stream.write(line + "\n")
        self.stream.flush()


class _Text:
    """Text handed to tqdm as its postfix. tqdm puts ", " before a str postfix but
    formats other objects as they are (tqdm issue #382), so our " - " separators stay."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __format__(self, spec: str) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


class LiveBar(Callback):
    """A tqdm bar per epoch, redrawn at most every `REFRESH_S` seconds."""

    BAR_FORMAT = f"{{n_fmt}}/{{total_fmt}} [{{bar:{BAR_WIDTH}}}]{{postfix}}"

    def __init__(self, stream: TextIO, tqdm: Any) -> None:
        super().__init__()
        self.stream = stream
        self._tqdm = tqdm
        self._bar: Any = None
        self._t0 = self._last = 0.0
        self._drawn = 0

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self.stream.write(f"Epoch {epoch + 1}/{self.params.get('epochs', '?')}\n")
        self._bar = self._tqdm(
            total=self.params.get("steps"),
            file=self.stream,
            bar_format=self.BAR_FORMAT,
            ascii=".=",
            mininterval=0,  # we decide when to draw (every REFRESH_S), tqdm draws then
            dynamic_ncols=False,
            leave=False,  # on_epoch_end writes the lasting line
        )
        self._bar.postfix = _Text("")
        self._t0 = self._last = time.perf_counter()
        self._drawn = 0

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        now = time.perf_counter()
        if now - self._last < REFRESH_S or self._bar is None:
            return  # the common case: one clock read per batch, no formatting
        self._last = now
        done = batch + 1
        spent = now - self._t0
        left = spent / done * (self._bar.total - done) if self._bar.total else 0.0
        figures = format_logs(logs or {})
        self._bar.postfix = _Text(f" - {spent:.0f}s - ETA: {left:.0f}s - {figures}")
        self._bar.update(done - self._drawn)
        self._drawn = done

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self._bar is None:
            return
        elapsed = time.perf_counter() - self._t0
        steps = self._bar.total or 0
        done = self.params.get("epoch_steps", steps)
        # The live bar is cut to the terminal's width (a wrapped line cannot be redrawn
        # in place); it is erased and the epoch's full line is written in its place.
        self._bar.close()
        self._bar = None
        filled = round(BAR_WIDTH * done / steps) if steps else BAR_WIDTH
        figures = format_logs(logs or {})
        self.stream.write(
            f"{done}/{steps} [{'=' * filled}{'.' * (BAR_WIDTH - filled)}] - "
            f"{format_timing(elapsed, done)}" + (f" - {figures}" if figures else "") + "\n"
        )
        self.stream.flush()

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self._bar is not None:  # training ended inside an epoch (an exception)
            self._bar.close()
            self._bar = None
