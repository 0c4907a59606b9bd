"""Progress output: one line per epoch when stdout is not a terminal (or verbose=2), a
live tqdm bar on a terminal, silence with verbose=0; the line's format."""

from __future__ import annotations

import contextlib
import io
import re
from typing import Any

import numpy as np
import pytest

import nn
from nn.datasets import make_moons
from nn.keras import progress
from nn.keras.callbacks.base import overrides


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def make_model() -> nn.Sequential:
    nn.manual_seed(0)
    model = nn.Sequential(nn.Dense(8, activation="relu", input_dim=2), nn.Dense(2, "softmax"))
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray]:
    return make_moons(100, noise=0.1, seed=0)


LINE = re.compile(
    r"^Epoch (\d+)/3 - 3/3 - \d+s \d+(us|ms)/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}"
    r" - val_accuracy: \d\.\d{4} - val_loss: \d\.\d{4}$"
)


def test_not_a_terminal_gives_one_line_per_epoch(data: Any, capsys: Any) -> None:
    make_model().fit(*data, epochs=3, validation_split=0.2, verbose=1)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 3 and "\r" not in out
    assert [LINE.match(line).group(1) for line in lines] == ["1", "2", "3"]  # type: ignore[union-attr]


def test_verbose_2_is_one_line_per_epoch_even_on_a_terminal(data: Any) -> None:
    term = FakeTerminal()
    with contextlib.redirect_stdout(term):
        make_model().fit(*data, epochs=3, validation_split=0.2, verbose=2)
    lines = term.getvalue().splitlines()
    assert len(lines) == 3 and all(LINE.match(line) for line in lines)


def test_verbose_0_is_silent(data: Any, capsys: Any) -> None:
    model = make_model()
    model.fit(*data, epochs=2, validation_split=0.2, verbose=0)
    model.evaluate(data[0], data[1], verbose=0)
    model.predict(data[0])
    assert capsys.readouterr().out == ""


def test_a_terminal_gets_a_live_bar(data: Any, monkeypatch: Any) -> None:
    pytest.importorskip("tqdm")
    monkeypatch.setattr(progress, "REFRESH_S", 0.0)  # redraw after every batch
    term = FakeTerminal()
    with contextlib.redirect_stdout(term):
        make_model().fit(*data, epochs=2, batch_size=20, validation_split=0.2, verbose=1)
    out = term.getvalue()
    assert out.startswith("Epoch 1/2\n") and "Epoch 2/2\n" in out
    assert "\r" in out  # redrawn in place
    assert re.search(
        r"2/4 \[=+\.+\] - \d+s - ETA: \d+s - accuracy: \d\.\d{4} - loss: \d\.\d{4}", out
    )
    finals = re.findall(
        r"4/4 \[={30}\] - \d+s \d+(?:us|ms)/step - accuracy: .* - val_loss: \S+\n", out
    )
    assert len(finals) == 2  # each epoch's bar ends as a full line with the validation figures


def test_a_terminal_without_tqdm_gets_lines(data: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(progress, "_load_tqdm", lambda: None)
    term = FakeTerminal()
    with contextlib.redirect_stdout(term):
        make_model().fit(*data, epochs=3, validation_split=0.2, verbose=1)
    lines = term.getvalue().splitlines()
    assert len(lines) == 3 and all(LINE.match(line) for line in lines)


def test_the_line_form_costs_nothing_per_batch() -> None:
    assert isinstance(progress.make_progress(1, io.StringIO()), progress.EpochLines)
    assert not overrides(progress.EpochLines(io.StringIO()), "on_batch_end")
    assert not overrides(progress.EpochLines(io.StringIO()), "on_batch_begin")
    assert progress.make_progress(0, FakeTerminal()) is None


def test_evaluate_prints_one_line(data: Any, capsys: Any) -> None:
    model = make_model()
    model.evaluate(data[0], data[1], batch_size=50)
    out = capsys.readouterr().out
    assert re.fullmatch(r"2/2 - \d+s \d+(us|ms)/step - accuracy: \S+ - loss: \S+\n", out)


def test_stopping_mid_epoch_shows_the_batches_run(data: Any, capsys: Any) -> None:
    class Stop(nn.callbacks.Callback):
        def on_batch_end(self, batch: int, logs: Any = None) -> None:
            if batch == 1:
                self.model.stop_training = True

    make_model().fit(*data, epochs=3, batch_size=10, callbacks=[Stop()], verbose=2)
    assert capsys.readouterr().out.startswith("Epoch 1/3 - 2/10 - ")


def test_format_helpers() -> None:
    logs = {"val_loss": 0.25, "loss": 0.5, "accuracy": 0.91234, "lr": 1e-5, "note": "x"}
    assert progress.format_logs(logs) == (
        "accuracy: 0.9123 - loss: 0.5000 - lr: 1.0000e-05 - val_loss: 0.2500"
    )
    assert progress.format_logs({"loss": float("nan")}) == "loss: nan"
    assert progress.format_timing(2.4, 800) == "2s 3ms/step"
    assert progress.format_timing(0.01, 100) == "0s 100us/step"
    assert progress.format_timing(12.0, 4) == "12s 3s/step"


def test_check_verbose() -> None:
    assert [progress.check_verbose(v) for v in (0, 1, 2, "auto", True, False)] == [
        0, 1, 2, 1, 1, 0,
    ]  # fmt: skip
    for bad in (3, -1, "loud", 1.5):
        with pytest.raises(ValueError, match="verbose must be"):
            progress.check_verbose(bad)
