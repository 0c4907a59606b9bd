"""A non-finite loss: TerminateOnNaN stops at it and keeps the weights of the last finite
one; without it, fit stops with a warning that names the epoch, the batch and bad inputs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import nn
from nn.keras.callbacks import Callback, TerminateOnNaN
from tests.nn.keras_models import same_weights

# --- TerminateOnNaN --------------------------------------------------------------------------


class Watch(Callback):
    """Records the weights at the start of every batch and the running loss after it."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[int, float, list[np.ndarray]]] = []
        self._w: list[np.ndarray] = []

    def on_batch_begin(self, batch: int, logs: Any = None) -> None:
        self._w = [p.data.copy() for p in self.model.parameters()]

    def on_batch_end(self, batch: int, logs: Any = None) -> None:
        self.rows.append((batch, logs["loss"], self._w))


def _regression(n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 4)).astype(np.float32)
    return x, (x @ np.ones((4, 1))).astype(np.float32)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's overflow warnings
def test_terminate_on_nan_stops_and_keeps_the_last_good_weights(capsys: Any) -> None:
    x, y = _regression()
    nn.manual_seed(0)
    model = nn.Sequential(nn.Dense(8, activation="relu", input_dim=4), nn.Dense(1))
    model.compile(nn.SGD(lr=0.5), "mse")  # far too large: the weights blow up
    watch, stop = Watch(), TerminateOnNaN()
    hist = model.fit(x, y, epochs=3, batch_size=10, callbacks=[watch, stop], verbose=0)

    losses = [loss for _, loss, _ in watch.rows]
    assert not np.isfinite(losses[-1]) and all(np.isfinite(losses[:-1]))
    assert len(losses) >= 3  # some good steps were taken before it blew up
    assert len(hist.history["loss"]) == 1 and not np.isfinite(hist.history["loss"][0])
    # The model holds exactly the weights that produced the last finite loss.
    _, _, good = watch.rows[-2]
    now = [p.data for p in model.parameters()]
    assert all(np.all(np.isfinite(w)) for w in now)
    assert all(np.array_equal(a, b) for a, b in zip(now, good))
    assert all(w.ctypes.data % nn.memory.CACHE_LINE == 0 for w in now)  # on cache lines
    # The message names the epoch and the batch (counted from 1).
    bad = len(losses)
    assert (stop.stopped_epoch, stop.stopped_batch) == (0, bad - 1)
    assert f"epoch 1, batch {bad};" in stop.message
    assert f"(epoch 1, batch {bad - 1})" in stop.message
    assert stop.message in capsys.readouterr().out


def test_terminate_on_nan_at_a_poisoned_batch() -> None:
    x, y = _regression(100)
    x[45] = np.nan  # batch 4 of batch size 10, without shuffling
    nn.manual_seed(0)
    model = nn.Sequential(nn.Dense(1, input_dim=4))
    model.compile(nn.SGD(lr=0.01), "mse")
    watch, stop = Watch(), TerminateOnNaN()
    model.fit(x, y, epochs=2, batch_size=10, shuffle=False, callbacks=[watch, stop], verbose=0)
    assert [b for b, _, _ in watch.rows] == [0, 1, 2, 3, 4]
    assert stop.stopped_batch == 4
    _, _, good = watch.rows[3]
    assert all(np.array_equal(p.data, w) for p, w in zip(model.parameters(), good))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf * 0 in the matmul
def test_terminate_on_nan_at_the_first_batch_keeps_the_initial_weights() -> None:
    x, y = _regression(40)
    x[0] = np.inf
    nn.manual_seed(0)
    model = nn.Sequential(nn.Dense(1, input_dim=4))
    before = model.state_dict()
    model.compile(nn.SGD(lr=0.01), "mse")
    stop = TerminateOnNaN()
    model.fit(x, y, epochs=2, batch_size=10, shuffle=False, callbacks=[stop], verbose=0)
    assert stop.stopped_batch == 0 and "the weights it started with" in stop.message
    assert same_weights(model, before)


def test_a_nan_loss_from_nan_inputs_says_so() -> None:
    x, y = _regression(40)
    x[15] = np.nan
    model = nn.Sequential(nn.Dense(1, input_dim=4))
    model.compile(nn.SGD(lr=0.01), "mse")
    with pytest.warns(RuntimeWarning, match="batch 2 .*inputs hold 4 nan or inf values") as caught:
        model.fit(x, y, epochs=1, batch_size=10, shuffle=False, verbose=0)
    assert caught[0].filename == __file__  # the user's fit call, not a line inside nn
