"""Callbacks: hook order, EarlyStopping, ModelCheckpoint, LearningRateScheduler, CSVLogger,
History. (TerminateOnNaN: test_terminate_on_nan.py.)"""

from __future__ import annotations

import csv
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
from nn.datasets import make_moons
from nn.keras.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    History,
    LearningRateScheduler,
    ModelCheckpoint,
    TerminateOnNaN,
)
from tests.nn.keras_models import same_weights


def make_model(seed: int = 0) -> nn.Sequential:
    nn.manual_seed(seed)
    return nn.Sequential(nn.Dense(8, activation="tanh", input_dim=2), nn.Dense(1, "sigmoid"))


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray]:
    return make_moons(64, noise=0.1, seed=0)


def compiled(lr: float = 0.1) -> nn.Sequential:
    model = make_model()
    model.compile(nn.SGD(lr=lr), "binary_crossentropy", metrics=["accuracy"])
    return model


class Script(Callback):
    """Overwrites a figure of each epoch's logs with scripted values (callbacks run in
    order on one logs dict, so those after it see them) and keeps each epoch's weights."""

    def __init__(self, key: str, values: list[float]) -> None:
        super().__init__()
        self.key, self.values = key, values
        self.weights: list[dict[str, np.ndarray]] = []

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        logs[self.key] = self.values[epoch]
        self.weights.append(self.model.state_dict())


# --- the order of the hooks ------------------------------------------------------------------


def test_hooks_run_in_keras_order_with_params(data: Any) -> None:
    calls: list[str] = []

    class Recorder(Callback):
        def on_train_begin(self, logs: Any = None) -> None:
            calls.append("train_begin")

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            calls.append(f"epoch_begin {epoch}")

        def on_batch_begin(self, batch: int, logs: Any = None) -> None:
            calls.append(f"batch_begin {batch}")

        def on_batch_end(self, batch: int, logs: Any = None) -> None:
            calls.append(f"batch_end {batch} {sorted(logs)}")

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            calls.append(f"epoch_end {epoch} {sorted(logs)}")

        def on_train_end(self, logs: Any = None) -> None:
            calls.append("train_end")

    x, y = data
    rec = Recorder()
    model = compiled()
    model.fit(x, y, epochs=2, batch_size=40, validation_split=0.25, callbacks=[rec], verbose=0)
    batch_logs = "['accuracy', 'loss']"
    epoch_logs = "['accuracy', 'loss', 'val_accuracy', 'val_loss']"
    assert calls == [
        "train_begin",
        "epoch_begin 0", "batch_begin 0", f"batch_end 0 {batch_logs}",
        "batch_begin 1", f"batch_end 1 {batch_logs}", f"epoch_end 0 {epoch_logs}",
        "epoch_begin 1", "batch_begin 0", f"batch_end 0 {batch_logs}",
        "batch_begin 1", f"batch_end 1 {batch_logs}", f"epoch_end 1 {epoch_logs}",
        "train_end",
    ]  # fmt: skip
    assert rec.model is model
    assert {k: rec.params[k] for k in ("epochs", "steps", "samples", "verbose")} == {
        "epochs": 2, "steps": 2, "samples": 48, "verbose": 0,
    }  # fmt: skip


def test_a_callback_can_stop_training_inside_an_epoch(data: Any) -> None:
    class StopAtBatch(Callback):
        steps_seen: list[int]

        def on_batch_end(self, batch: int, logs: Any = None) -> None:
            if batch == 2:
                self.model.stop_training = True

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            self.steps_seen = [self.params["epoch_steps"], self.params["steps"]]

    x, y = data
    stop = StopAtBatch()
    hist = compiled().fit(x, y, epochs=5, batch_size=8, callbacks=[stop], verbose=0)
    assert len(hist.history["loss"]) == 1
    assert stop.steps_seen == [3, 8]


def test_batch_hooks_are_only_called_where_defined() -> None:
    from nn.keras.callbacks.base import overrides

    assert not overrides(History(), "on_batch_end")
    assert not overrides(EarlyStopping(), "on_batch_begin")
    assert overrides(TerminateOnNaN(), "on_batch_end")


# --- EarlyStopping ---------------------------------------------------------------------------


def test_early_stopping_stops_and_restores_the_best_weights(data: Any) -> None:
    x, y = data
    script = Script("val_loss", [1.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1])
    stop = EarlyStopping(patience=2, restore_best_weights=True)
    model = compiled()
    hist = model.fit(x, y, epochs=8, validation_split=0.25, callbacks=[script, stop], verbose=0)
    assert len(hist.history["loss"]) == 4  # best at epoch 1, two more without improvement
    assert hist.history["val_loss"] == [1.0, 0.5, 0.6, 0.7]
    assert (stop.best_epoch, stop.stopped_epoch, stop.best) == (1, 3, 0.5)
    assert same_weights(model, script.weights[1])
    assert not same_weights(model, script.weights[3])


def test_early_stopping_without_restore_keeps_the_last_weights(data: Any) -> None:
    x, y = data
    script = Script("val_loss", [1.0, 1.0, 1.0])
    stop = EarlyStopping(patience=0)  # the first epoch without improvement stops
    model = compiled()
    hist = model.fit(x, y, epochs=3, validation_split=0.25, callbacks=[script, stop], verbose=0)
    assert len(hist.history["loss"]) == 2 and stop.stopped_epoch == 1
    assert same_weights(model, script.weights[-1])


def test_early_stopping_min_delta_and_mode(data: Any) -> None:
    x, y = data
    script = Script("val_loss", [1.0, 0.95, 0.93, 0.5])
    stop = EarlyStopping(min_delta=0.1, patience=1)
    compiled().fit(x, y, epochs=4, validation_split=0.25, callbacks=[script, stop], verbose=0)
    assert stop.stopped_epoch == 1  # 0.95 is not better than 1.0 by more than 0.1

    script = Script("val_accuracy", [0.5, 0.6, 0.55, 0.7])
    stop = EarlyStopping(monitor="val_accuracy", patience=1)  # "auto": accuracies go up
    compiled().fit(x, y, epochs=4, validation_split=0.25, callbacks=[script, stop], verbose=0)
    assert (stop.best_epoch, stop.stopped_epoch) == (1, 2)

    script = Script("val_loss", [0.5, 0.6, 0.7])
    stop = EarlyStopping(mode="max", patience=1)
    compiled().fit(x, y, epochs=3, validation_split=0.25, callbacks=[script, stop], verbose=0)
    assert stop.stopped_epoch is None and stop.best == 0.7
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="up")


def test_early_stopping_on_a_missing_figure_warns_and_does_nothing(data: Any) -> None:
    x, y = data
    with pytest.warns(UserWarning, match="'val_loss' is not among .* validation_split"):
        hist = compiled().fit(x, y, epochs=3, callbacks=[EarlyStopping()], verbose=0)
    assert len(hist.history["loss"]) == 3


def test_early_stopping_on_a_real_plateau(data: Any) -> None:
    x, y = data
    stop = EarlyStopping(monitor="loss", min_delta=1.0, patience=2, verbose=1)
    hist = compiled().fit(x, y, epochs=20, callbacks=[stop], verbose=0)
    assert len(hist.history["loss"]) == 3 and stop.stopped_epoch == 2


def test_terminate_on_nan_leaves_a_healthy_run_alone(data: Any) -> None:
    x, y = data
    hist = compiled().fit(x, y, epochs=3, callbacks=[TerminateOnNaN()], verbose=0)
    assert len(hist.history["loss"]) == 3


# --- ModelCheckpoint -------------------------------------------------------------------------


def test_checkpoints_every_epoch_with_templates_and_load_back(data: Any, tmp_path: Path) -> None:
    x, y = data
    ckpt = ModelCheckpoint(tmp_path / "ckpt" / "w-{epoch:02d}-{val_loss:.4f}.npz")
    model = compiled()
    hist = model.fit(x, y, epochs=3, validation_split=0.25, callbacks=[ckpt], verbose=0)
    names = sorted(os.listdir(tmp_path / "ckpt"))
    expected = [f"w-{e + 1:02d}-{v:.4f}.npz" for e, v in enumerate(hist.history["val_loss"])]
    assert names == expected  # and no temporary files left behind
    fresh = nn.Sequential(nn.Dense(8, activation="tanh"), nn.Dense(1, "sigmoid"))
    fresh.load_weights(ckpt.saved[-1])  # lazy layers build from the file's shapes
    assert same_weights(fresh, model.state_dict())
    assert np.array_equal(fresh.predict(x), model.predict(x))


def test_checkpoint_save_best_only_writes_only_improvements(data: Any, tmp_path: Path) -> None:
    x, y = data
    script = Script("val_loss", [1.0, 0.8, 0.9, 0.7, 0.75])
    every = ModelCheckpoint(tmp_path / "e{epoch}.npz", save_best_only=True)
    best = ModelCheckpoint(tmp_path / "best.npz", save_best_only=True)
    model = compiled()
    model.fit(x, y, epochs=5, validation_split=0.25, callbacks=[script, every, best], verbose=0)
    assert sorted(os.listdir(tmp_path)) == ["best.npz", "e1.npz", "e2.npz", "e4.npz"]
    assert every.best == 0.7 and len(best.saved) == 3
    fresh = make_model(seed=1)
    fresh.load_weights(tmp_path / "best.npz")
    assert same_weights(fresh, script.weights[3])


def test_checkpoint_template_naming_an_unknown_figure(data: Any, tmp_path: Path) -> None:
    x, y = data
    ckpt = ModelCheckpoint(tmp_path / "w-{val_acc:.2f}.npz", monitor="loss")
    with pytest.raises(ValueError, match=r"'val_acc'.*known: epoch, loss, accuracy"):
        compiled().fit(x, y, epochs=1, callbacks=[ckpt], verbose=0)


# --- LearningRateScheduler -------------------------------------------------------------------


def test_learning_rate_scheduler_with_epoch_and_lr(data: Any) -> None:
    x, y = data
    seen: list[float] = []

    def halve(epoch: int, lr: float) -> float:
        seen.append(lr)
        return lr if epoch == 0 else lr / 2

    model = compiled(lr=0.4)
    hist = model.fit(x, y, epochs=3, callbacks=[LearningRateScheduler(halve)], verbose=0)
    assert seen == [0.4, 0.4, 0.2]
    assert hist.history["learning_rate"] == [0.4, 0.2, 0.1]
    assert model.optimizer is not None and model.optimizer.lr == 0.1


def test_learning_rate_scheduler_with_epoch_only_and_schedule_objects(data: Any) -> None:
    x, y = data
    hist = compiled().fit(
        x, y, epochs=3, callbacks=[LearningRateScheduler(lambda e: 0.1 * (e + 1))], verbose=0
    )
    assert hist.history["learning_rate"] == pytest.approx([0.1, 0.2, 0.3])
    step = nn.StepDecay(1.0, step_size=2, gamma=0.5)
    hist = compiled().fit(x, y, epochs=4, callbacks=[LearningRateScheduler(step)], verbose=0)
    assert hist.history["learning_rate"] == [1.0, 1.0, 0.5, 0.5]


def test_learning_rate_scheduler_rejects_bad_rates(data: Any) -> None:
    x, y = data
    with pytest.raises(ValueError, match="returned -1"):
        compiled().fit(x, y, callbacks=[LearningRateScheduler(lambda e: -1)], verbose=0)
    with pytest.raises(TypeError):
        LearningRateScheduler(0.1)  # type: ignore[arg-type]


def test_an_optimizer_schedule_follows_fit_epochs(data: Any) -> None:
    x, y = data
    model = make_model()
    opt = nn.SGD(lr=nn.StepDecay(0.1, step_size=1, gamma=0.5))
    model.compile(opt, "binary_crossentropy")
    rates: list[float] = []

    class Rate(Callback):
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            rates.append(opt.lr)

    model.fit(x, y, epochs=4, initial_epoch=1, callbacks=[Rate()], verbose=0)
    assert rates == [0.05, 0.025, 0.0125]


# --- CSVLogger and History -------------------------------------------------------------------


def test_csv_logger_writes_a_row_per_epoch_and_appends(data: Any, tmp_path: Path) -> None:
    x, y = data
    path = tmp_path / "logs" / "train.csv"
    model = compiled()
    hist = model.fit(x, y, epochs=3, validation_split=0.25, callbacks=[CSVLogger(path)], verbose=0)
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [r[0] for r in rows[1:]] == ["0", "1", "2"]
    assert [float(r[2]) for r in rows[1:]] == hist.history["loss"]
    model.fit(x, y, epochs=5, initial_epoch=3, validation_split=0.25,
              callbacks=[CSVLogger(path, append=True)], verbose=0)  # fmt: skip
    rows = list(csv.reader(path.open()))
    assert len(rows) == 6 and [r[0] for r in rows[1:]] == ["0", "1", "2", "3", "4"]


def test_history_records_every_figure() -> None:
    h = History()
    h.on_epoch_end(0, {"loss": 1.0, "acc": 0.5})
    h.on_epoch_end(1, {"loss": 0.5, "acc": 0.75})
    assert h.history == {"loss": [1.0, 0.5], "acc": [0.5, 0.75]} and h.epoch == [0, 1]
    assert "epochs=2" in repr(h)


def test_no_warnings_in_a_plain_run(data: Any) -> None:
    x, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled().fit(x, y, epochs=2, validation_split=0.25, verbose=0,
                       callbacks=[EarlyStopping(), TerminateOnNaN()])  # fmt: skip


def test_model_checkpoint_saves_the_whole_model_without_save_weights_only(
    data: Any, tmp_path: Path
) -> None:
    x, y = data
    model = compiled()
    ckpt = ModelCheckpoint(tmp_path / "m-{epoch}.nnz", save_weights_only=False)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[ckpt])
    assert ckpt.saved == [str(tmp_path / "m-1.nnz"), str(tmp_path / "m-2.nnz")]
    loaded = nn.load_model(ckpt.saved[-1])  # architecture, weights and optimizer: resumable
    assert isinstance(loaded, nn.Sequential) and loaded.optimizer is not None
    assert np.array_equal(loaded.predict(x), model.predict(x))


def test_callbacks_given_one_callback_and_a_misspelt_monitor(data: Any) -> None:
    x, y = data
    stop = EarlyStopping(monitor="los", patience=1)
    with pytest.warns(UserWarning, match="'los' is not among .*did you mean 'loss'"):
        hist = compiled().fit(x, y, epochs=2, callbacks=stop, verbose=0)  # not in a list
    assert len(hist.history["loss"]) == 2


def test_learning_rate_scheduler_refuses_to_replace_a_schedule(data: Any) -> None:
    x, y = data
    model = compiled()
    model.compile(nn.SGD(lr=nn.StepDecay(0.1, 1, 0.5)), "binary_crossentropy")
    with pytest.raises(TypeError, match="LearningRateScheduler: the optimizer's lr is already"):
        model.fit(x, y, epochs=1, callbacks=[LearningRateScheduler(lambda e, lr: lr)], verbose=0)
