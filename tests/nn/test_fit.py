"""fit: it learns (Keras- and PyTorch-style models and losses), its History, validation
split and data, reproducibility, non-finite losses, layers added after compile, resuming;
the demo."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
from nn.datasets import make_moons
from tests.nn.keras_models import Counter, moons_model

ROOT = Path(__file__).resolve().parents[2]


# --- fit learns ------------------------------------------------------------------------------


def test_fit_on_two_moons_reaches_097_validation_accuracy(moons: Any) -> None:
    x, y = moons
    model = moons_model()
    model.compile(optimizer=nn.Adam(lr=0.01), loss="binary_crossentropy", metrics=["accuracy"])
    hist = model.fit(x, y, epochs=40, batch_size=32, validation_split=0.25, verbose=0)
    assert hist.history["val_accuracy"][-1] >= 0.97
    assert hist.history["loss"][-1] < 0.25 * hist.history["loss"][0]


def test_pytorch_style_model_and_loss_train_with_fit(moons: Any) -> None:
    x, y = moons
    nn.manual_seed(0)
    model = nn.MLP([2, 16, 16, 2], activation="relu")  # logits out
    model.compile(optimizer=nn.Adam(lr=0.02), loss=nn.CrossEntropyLoss(), metrics=["accuracy"])
    hist = model.fit(x, y, epochs=30, validation_split=0.25, verbose=0)
    assert hist.history["val_accuracy"][-1] >= 0.97
    # ... and the hand-written loop can take over the same model and optimizer.
    opt = model.optimizer
    assert opt is not None
    for xb, yb in nn.DataLoader(x, y):
        loss = nn.CrossEntropyLoss()(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert np.all(np.isfinite(model.predict(x)))


def test_a_model_class_uses_the_mixin(moons: Any) -> None:
    class Net(nn.Model):
        def __init__(self) -> None:
            super().__init__()
            self.hidden = nn.Dense(16, activation="tanh", input_dim=2)
            self.out = nn.Dense(1, activation="sigmoid")

        def forward(self, x: Any) -> Any:
            return self.out(self.hidden(x))

    x, y = moons
    nn.manual_seed(0)
    net = Net()
    net.compile(optimizer=nn.Adam(lr=0.02), loss="binary_crossentropy", metrics=["accuracy"])
    hist = net.fit(x, y, epochs=30, verbose=0)
    assert hist.history["accuracy"][-1] > 0.9
    assert [n for n, _ in net.named_parameters()] == [
        "hidden.kernel", "hidden.bias", "out.kernel", "out.bias",
    ]  # fmt: skip
    assert isinstance(nn.Sequential(), nn.TrainingMixin)


def test_compile_adds_nothing_to_the_module_tree(moons: Any) -> None:
    model = moons_model()
    before = (list(model.state_dict()), [n for n, _ in model.named_modules()], repr(model))
    model.compile("adam", nn.BCELoss(), metrics=["accuracy"])
    model.fit(*moons, epochs=1, verbose=0)
    after = (list(model.state_dict()), [n for n, _ in model.named_modules()], repr(model))
    assert before == after


def test_lists_are_accepted(moons: Any) -> None:
    x, y = moons
    model = moons_model()
    model.compile("adam", "binary_crossentropy")
    hist = model.fit(x[:64].tolist(), y[:64].tolist(), epochs=2, verbose=0)
    assert len(hist.history["loss"]) == 2
    assert model.predict(x[:3].tolist()).shape == (3, 1)


def _trained_with(moons: Any, fit: Any) -> tuple[list[float], list[np.ndarray]]:
    nn.manual_seed(3)
    model = moons_model()
    model.compile("sgd", "binary_crossentropy")
    hist = fit(model, moons[0][:100], moons[1][:100])
    return hist.history["loss"], model.get_weights()


def test_fit_takes_keras_positional_order(moons: Any) -> None:
    # Keras: fit(x, y, batch_size, epochs, verbose, callbacks, validation_split,
    # validation_data, shuffle): 3 epochs of batches of 10, not 10 epochs of 3.
    loss, weights = _trained_with(
        moons, lambda m, x, y: m.fit(x, y, 10, 3, 0, None, 0.2, None, False)
    )
    keyword_loss, keyword_weights = _trained_with(
        moons,
        lambda m, x, y: m.fit(
            x, y, batch_size=10, epochs=3, verbose=0, validation_split=0.2, shuffle=False
        ),
    )
    assert len(loss) == 3 and loss == keyword_loss
    assert all(np.array_equal(a, b) for a, b in zip(weights, keyword_weights))
    other_loss, _ = _trained_with(moons, lambda m, x, y: m.fit(x, y, 3, 10, 0, None, 0.2))
    assert len(other_loss) == 10


def test_fit_and_evaluate_refuse_sample_and_class_weights(moons: Any) -> None:
    model = moons_model()
    model.compile("sgd", "binary_crossentropy")
    x, y = moons[0][:20], moons[1][:20]
    with pytest.raises(ValueError, match="fit: class_weight is not supported"):
        model.fit(x, y, 10, 1, 0, None, 0.0, None, True, {0: 1.0, 1: 2.0})
    with pytest.raises(ValueError, match="fit: sample_weight is not supported"):
        model.fit(x, y, sample_weight=np.ones(20))
    with pytest.raises(ValueError, match="evaluate: sample_weight is not supported"):
        model.evaluate(x, y, 10, 0, np.ones(20))
    # Keras' order for evaluate and predict: (x, y, batch_size, verbose), (x, batch_size, verbose)
    assert model.evaluate(x, y, 7, 0) == pytest.approx(model.evaluate(x, y, verbose=0))
    assert np.array_equal(model.predict(x, 7, 0), model.predict(x))
    with pytest.raises(TypeError):
        model.evaluate(x, y, 7, 0, None, True)  # type: ignore[misc]  # return_dict: keyword


# --- History ---------------------------------------------------------------------------------


def test_history_keys_and_lengths(moons: Any) -> None:
    x, y = moons
    model = moons_model()
    model.compile("adam", "binary_crossentropy", metrics=["accuracy", "mae"])
    hist = model.fit(x, y, epochs=4, validation_split=0.2, verbose=0)
    assert list(hist.history) == ["loss", "accuracy", "mae", "val_loss", "val_accuracy", "val_mae"]
    assert all(len(v) == 4 for v in hist.history.values())
    assert hist.epoch == [0, 1, 2, 3]
    assert model.history is hist
    assert all(isinstance(v, float) for values in hist.history.values() for v in values)
    again = model.fit(x, y, epochs=5, initial_epoch=3, verbose=0)  # resume: epochs 3 and 4
    assert again.epoch == [3, 4] and list(again.history) == ["loss", "accuracy", "mae"]


def test_training_figures_are_sample_weighted_epoch_means() -> None:
    """The epoch loss is the mean of the batch losses weighted by batch size (the last
    batch is smaller), the same as what a recorder of each batch's loss computes."""
    x = np.arange(10, dtype=np.float32).reshape(10, 1)
    y = 2 * x
    nn.manual_seed(0)
    model = nn.Sequential(nn.Dense(1, input_dim=1))
    model.compile(nn.SGD(lr=0.0), "mse")  # lr 0: every batch sees the same weights
    hist = model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    pred = model.predict(x)
    assert hist.history["loss"][0] == pytest.approx(np.mean((pred - y) ** 2), rel=1e-6)


# --- validation_split ------------------------------------------------------------------------


def test_validation_split_takes_the_last_fraction_before_shuffling(moons: Any) -> None:
    x, y = moons
    x = x.copy()
    x[300:] = np.nan  # the last quarter: poison that training must never see
    model = moons_model()
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    seen = Counter()
    hist = model.fit(x, y, epochs=3, validation_split=0.25, shuffle=True, callbacks=[seen],
                     verbose=0)  # fmt: skip
    assert seen.params["samples"] == 300
    assert seen.params["steps"] == 10  # ceil(300 / 32)
    assert all(np.isfinite(hist.history["loss"]))  # shuffling never mixed the last rows in
    assert all(np.isnan(hist.history["val_loss"]))  # ... they are the validation set


def test_validation_figures_equal_evaluate_on_the_last_rows(moons: Any) -> None:
    x, y = moons
    model = moons_model()
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    hist = model.fit(x, y, epochs=2, validation_split=0.1, verbose=0)
    split = int(np.floor(len(x) * 0.9))
    loss, acc = model.evaluate(x[split:], y[split:], verbose=0)  # type: ignore[misc]
    assert hist.history["val_loss"][-1] == pytest.approx(loss, rel=1e-12)
    assert hist.history["val_accuracy"][-1] == acc


def test_validation_data_is_used_as_given(moons: Any) -> None:
    x, y = moons
    model = moons_model()
    model.compile("adam", "binary_crossentropy")
    hist = model.fit(x[:300], y[:300], epochs=2, validation_data=(x[300:], y[300:]), verbose=0)
    assert hist.history["val_loss"][-1] == pytest.approx(
        model.evaluate(x[300:], y[300:], verbose=0), rel=1e-12
    )


# --- reproducibility -------------------------------------------------------------------------


def test_the_same_seed_gives_identical_histories(moons: Any) -> None:
    x, y = moons

    def run() -> tuple[dict[str, list[float]], dict[str, np.ndarray]]:
        model = moons_model(seed=7)
        model.compile(nn.SGD(lr=0.1, momentum=0.9), "binary_crossentropy", metrics=["accuracy"])
        hist = model.fit(x, y, epochs=3, validation_split=0.2, shuffle=True, verbose=0)
        return hist.history, model.state_dict()

    (h1, w1), (h2, w2) = run(), run()
    assert h1 == h2
    assert all(np.array_equal(w1[k], w2[k]) for k in w1)


def test_a_batch_with_a_nan_loss_is_not_applied() -> None:
    x, y = make_moons(64, seed=0)
    x = x.copy()
    x[40] = np.nan  # batch 1 of 2 (no shuffling)
    model = moons_model()
    model.compile(nn.SGD(lr=0.1), "binary_crossentropy")
    with pytest.warns(RuntimeWarning, match="epoch 1, batch 2"):
        hist = model.fit(x, y, epochs=2, batch_size=32, shuffle=False, verbose=0)
    assert np.isnan(hist.history["loss"][0]) and len(hist.history["loss"]) == 1
    assert all(np.all(np.isfinite(p.data)) for p in model.parameters())


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_reaches_097_test_accuracy_and_draws_its_curves(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    pytest.importorskip("sklearn")
    spec = importlib.util.spec_from_file_location("demo", ROOT / "examples" / "demo.py")
    assert spec is not None and spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    result = demo.main(["--out", str(tmp_path / "demo"), "--verbose", "0"])
    assert result["test_accuracy"] >= 0.97
    figure = Path(result["figure"])
    assert figure.parent == tmp_path / "demo"
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(result["history"]["val_accuracy"]) == 30
    assert result["seconds"] < 30


def test_nan_loss_without_terminate_on_nan_stops_with_a_warning() -> None:
    nn.manual_seed(0)
    x, y = nn.datasets.make_moons(128, noise=0.1, seed=0)
    x = x.copy()
    x[70] = np.nan  # poisons the third batch of 32 (no shuffling)
    model = nn.Sequential(nn.Dense(8, activation="tanh", input_dim=2), nn.Dense(2))
    model.compile(
        optimizer=nn.SGD(lr=0.1),
        loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    batches = []

    class Count(nn.callbacks.Callback):
        def on_batch_end(self, batch: int, logs: Any = None) -> None:
            batches.append(batch)

    with pytest.warns(RuntimeWarning, match=r"epoch 1, batch 3"):
        history = model.fit(x, y, epochs=5, shuffle=False, verbose=0, callbacks=[Count()])
    assert batches == [0, 1, 2] and len(history.history["loss"]) == 1
    assert all(np.isfinite(p.data).all() for p in model.parameters())


def test_bce_with_nan_predictions_still_stops_at_the_nan_batch() -> None:
    x, y = make_moons(64, seed=0)
    x = x.copy()
    x[40] = np.nan  # batch 2 of 2, without shuffling: sigmoid(nan) is nan, not out of range
    model = moons_model()
    model.compile(nn.SGD(lr=0.1), nn.BCELoss())
    stop = nn.callbacks.TerminateOnNaN()
    model.fit(x, y, epochs=2, batch_size=32, shuffle=False, callbacks=[stop], verbose=0)
    assert (stop.stopped_epoch, stop.stopped_batch) == (0, 1)
    assert all(np.all(np.isfinite(p.data)) for p in model.parameters())


def test_a_layer_added_after_compile_is_trained_by_the_next_fit() -> None:
    nn.manual_seed(0)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((40, 3)), rng.integers(0, 2, 40)
    model = nn.Sequential(nn.Dense(8, activation="relu"), nn.Dense(4))
    model.compile("adam", loss=nn.CrossEntropyLoss())
    model.fit(x, y, epochs=1, verbose=0)
    model.add(nn.ReLU())
    model.add(nn.Dense(2))
    kernel = model[3].kernel.data.copy()
    model.fit(x, y, epochs=1, verbose=0)
    assert len(model.optimizer.params) == len(model.parameters()) == 6
    assert not np.array_equal(model[3].kernel.data, kernel)


def test_a_resumed_fit_with_shuffling_repeats_an_uninterrupted_one(tmp_path: Path) -> None:
    x, y = make_moons(64, noise=0.2, seed=0)

    def fresh() -> nn.Sequential:
        nn.manual_seed(0)
        model = nn.Sequential(nn.Dense(8, activation="tanh", input_dim=2), nn.Dense(2))
        model.compile(nn.Adam(lr=0.01), nn.CrossEntropyLoss())
        return model

    straight = fresh()
    expected = straight.fit(x, y, epochs=5, batch_size=16, verbose=0).history["loss"]

    first = fresh()
    first.fit(x, y, epochs=3, batch_size=16, verbose=0)
    first.save_weights(tmp_path / "w.npz")
    opt_state, rng_state = first.optimizer.state_dict(), nn.get_rng_state()
    nn.manual_seed(123)  # a new process would start from anything

    resumed = fresh()
    resumed.load_weights(tmp_path / "w.npz")
    resumed.optimizer.load_state_dict(opt_state)
    nn.set_rng_state(rng_state)
    rest = resumed.fit(x, y, epochs=5, initial_epoch=3, batch_size=16, verbose=0).history["loss"]
    assert rest == expected[3:]
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="set_rng_state: not a state"):
        nn.set_rng_state({"bit_generator": "nope"})


def _copy(model: Any) -> Any:
    import copy

    return copy.deepcopy(model)


def _pickled(model: Any) -> Any:
    import pickle

    return pickle.loads(pickle.dumps(model))


@pytest.mark.parametrize("clone", [lambda m: m, _copy, _pickled], ids=["same", "copy", "pickle"])
def test_fit_leaves_out_what_the_optimizer_was_bound_without(clone: Any) -> None:
    nn.manual_seed(0)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((32, 3)), rng.integers(0, 2, 32)
    model = nn.Sequential(nn.Dense(4, activation="relu", input_dim=3), nn.Dense(2))
    model.compile("sgd", loss=nn.CrossEntropyLoss())
    model.optimizer.bind(model[1].parameters())  # train the head only
    model = clone(model)
    body = model[0].kernel.data.copy()
    model.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(model[0].kernel.data, body)
    assert len(model.optimizer.params) == 2
