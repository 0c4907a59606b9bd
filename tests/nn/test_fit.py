"""The Keras-style training API: compile, fit, evaluate, predict, summary; the
Keras-style losses it names; reproducibility; checks that run before any batch; the demo."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd import Value
from autograd.testing import gradcheck
from nn import losses as L
from nn.datasets import make_moons

ROOT = Path(__file__).resolve().parents[2]


class Counter(nn.callbacks.Callback):
    """Counts what fit ran: proves that bad inputs fail before any batch."""

    def __init__(self) -> None:
        super().__init__()
        self.train_begins = 0
        self.batches = 0

    def on_train_begin(self, logs: Any = None) -> None:
        self.train_begins += 1

    def on_batch_begin(self, batch: int, logs: Any = None) -> None:
        self.batches += 1


def moons_model(seed: int = 0, out: int = 1) -> nn.Sequential:
    nn.manual_seed(seed)
    act = "sigmoid" if out == 1 else "softmax"
    return nn.Sequential(
        nn.Dense(16, activation="relu", input_dim=2),
        nn.Dense(16, activation="relu"),
        nn.Dense(out, activation=act),
    )


@pytest.fixture(scope="module")
def moons() -> tuple[np.ndarray, np.ndarray]:
    return make_moons(400, noise=0.1, seed=0)


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


def test_fit_arguments_after_y_are_keyword_only(moons: Any) -> None:
    model = moons_model()
    model.compile("sgd", "binary_crossentropy")
    with pytest.raises(TypeError):
        model.fit(moons[0], moons[1], 10)  # type: ignore[misc]


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


# --- checks before the first batch -----------------------------------------------------------


def _bad_fit_cases() -> list[tuple[str, dict[str, Any], type, str]]:
    x, y = make_moons(40, seed=0)
    val = "validation_data"
    return [
        ("lengths", {"x": x, "y": y[:30]}, ValueError,
         "different lengths: x has 40 samples, y has 30"),
        ("features", {"x": np.zeros((40, 3)), "y": y}, ValueError,
         r"does not accept x of shape \(40, 3\)"),
        ("label range", {"x": x, "y": np.where(y == 1, 2, 0)}, ValueError,
         r"label 2 at position \d+ of y is out of range.*0\.\.1"),
        ("negative label", {"x": x, "y": y - 1}, ValueError, "label -1 at position 0"),
        ("fractional label", {"x": x, "y": y + 0.5}, ValueError, "whole numbers, got 0.5"),
        ("nan label", {"x": x, "y": np.where(y == 1, np.nan, 0.0)}, ValueError, "y holds nan"),
        ("ragged x", {"x": [[1.0, 2.0], [3.0]] * 20, "y": y}, ValueError, "rectangular array"),
        ("text x", {"x": np.array([["a", "b"]] * 40), "y": y}, TypeError, "x must be numbers"),
        ("empty", {"x": np.zeros((0, 2)), "y": np.zeros(0, dtype=int)}, ValueError, "x is empty"),
        ("missing y", {"x": x, "y": None}, ValueError, r"y \(the targets\) is missing"),
        ("val lengths", {"x": x, "y": y, val: (x, y[:5])}, ValueError,
         "validation x and validation y have different lengths"),
        ("val labels", {"x": x, "y": y, val: (x, y + 5)}, ValueError,
         "of validation y is out of range"),
        ("val triple", {"x": x, "y": y, val: (x, y, y)}, ValueError, "a pair"),
        ("split 1", {"x": x, "y": y, "validation_split": 1.0}, ValueError,
         r"validation_split must be in \[0, 1\)"),
        ("split tiny", {"x": x[:1], "y": y[:1], "validation_split": 0.1}, ValueError,
         "both need at least one"),
        ("batch size", {"x": x, "y": y, "batch_size": 0}, ValueError,
         "batch_size must be an int >= 1"),
        ("epochs", {"x": x, "y": y, "epochs": -1}, ValueError, "epochs must be an int >= 0"),
        ("verbose", {"x": x, "y": y, "verbose": 3}, ValueError, "verbose must be 0, 1, 2"),
        ("callback type", {"x": x, "y": y, "callbacks": [print]}, TypeError, "callbacks must be"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "kwargs", "error", "match"), _bad_fit_cases(), ids=[c[0] for c in _bad_fit_cases()]
)
def test_bad_inputs_raise_before_any_batch(
    name: str, kwargs: dict[str, Any], error: type, match: str
) -> None:
    model = nn.Sequential(nn.Dense(8, activation="relu", input_dim=2), nn.Dense(2, "softmax"))
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    counter = Counter()
    kwargs = {"verbose": 0, **kwargs}
    cbs = kwargs.pop("callbacks", [])
    x, y = kwargs.pop("x"), kwargs.pop("y")
    with pytest.raises(error, match=match):
        model.fit(x, y, callbacks=[*cbs, counter], **kwargs)
    assert counter.train_begins == 0 and counter.batches == 0


@pytest.mark.parametrize(
    ("loss", "units", "y", "match"),
    [
        ("binary_crossentropy", 1, np.array([0, 2] * 20), r"targets in \[0, 1\].*got 2"),
        ("categorical_crossentropy", 3, np.array([0, 1] * 20),
         "use 'sparse_categorical_crossentropy'"),
        ("mse", 1, np.zeros((40, 3)), r"shape \(3,\) per sample .* outputs of shape \(1,\)"),
        ("sparse_categorical_crossentropy", 3, np.zeros((40, 3)), "integer class labels"),
    ],
)  # fmt: skip
def test_targets_are_checked_against_the_loss(
    loss: str, units: int, y: np.ndarray, match: str
) -> None:
    x, _ = make_moons(40, seed=0)
    model = nn.Sequential(nn.Dense(units, activation="sigmoid", input_dim=2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a sigmoid before categorical losses warns
        model.compile("sgd", loss)
    counter = Counter()
    with pytest.raises(ValueError, match=match):
        model.fit(x, y, callbacks=[counter], verbose=0)
    assert counter.batches == 0


def test_fit_before_compile_raises() -> None:
    with pytest.raises(RuntimeError, match="not compiled"):
        moons_model().fit(np.zeros((4, 2)), np.zeros(4))


def test_loss_that_returns_no_value_is_caught_before_training() -> None:
    model = moons_model()
    model.compile("sgd", loss=lambda y_true, y_pred: 0.0)
    with pytest.raises(ValueError, match="single-number Value"):
        model.fit(np.zeros((4, 2)), np.zeros(4), verbose=0)
    model.compile("sgd", nn.BCELoss(reduction="none"))
    with pytest.raises(ValueError, match="single-number Value"):
        model.fit(np.zeros((4, 2)), np.zeros(4), verbose=0)


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


# --- compile ---------------------------------------------------------------------------------


def test_unknown_names_at_compile_list_the_known_ones() -> None:
    model = moons_model()
    with pytest.raises(
        ValueError, match=r"unknown loss 'msee'.*'mse'.*'sparse_categorical_crossentropy'"
    ):
        model.compile("sgd", "msee")
    with pytest.raises(ValueError, match=r"unknown metric 'accurcy'.*'accuracy'"):
        model.compile("sgd", "mse", metrics=["accurcy"])
    with pytest.raises(ValueError, match=r"unknown optimizer 'rmsprop'.*'sgd', 'adam'"):
        model.compile("rmsprop", "mse")
    with pytest.raises(ValueError, match="give a loss"):
        model.compile("sgd")
    with pytest.raises(ValueError, match="unique"):
        model.compile("sgd", "mse", metrics=["mae", "mae"])


def test_compile_resolves_names() -> None:
    model = moons_model()
    model.compile("Adam", "binary_crossentropy", metrics="accuracy")
    assert isinstance(model.optimizer, nn.Adam) and model.optimizer.lr == 1e-3
    assert isinstance(model.compiled_loss, nn.BinaryCrossentropy)
    assert not model.compiled_loss.from_logits
    assert model.metrics_names == ["loss", "accuracy"]
    model.compile("sgd", "mse")
    assert isinstance(model.optimizer, nn.SGD) and model.optimizer.lr == 0.01


def _warns(model: nn.Sequential, loss: Any) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.compile("sgd", loss)
    return [str(w.message) for w in caught]


def test_compile_warns_when_softmax_meets_a_loss_on_logits() -> None:
    model = nn.Sequential(nn.Dense(4, "relu", input_dim=2), nn.Dense(3, "softmax"))
    (msg,) = _warns(model, nn.SparseCategoricalCrossentropy(from_logits=True))
    assert "softmax" in msg and "twice" in msg
    assert _warns(model, nn.CrossEntropyLoss())
    wrapped = nn.Sequential(nn.Dense(3, input_dim=2), nn.Activation("softmax"))
    assert _warns(wrapped, nn.CategoricalCrossentropy(from_logits=True))
    sigmoid = nn.Sequential(nn.Dense(1, "sigmoid", input_dim=2))
    assert _warns(sigmoid, nn.BCEWithLogitsLoss())


def test_compile_warns_when_a_linear_output_meets_a_probability_loss() -> None:
    linear = nn.Sequential(nn.Dense(4, "relu", input_dim=2), nn.Dense(3))
    (msg,) = _warns(linear, "sparse_categorical_crossentropy")
    assert "linear" in msg and "from_logits=True" in msg
    assert _warns(nn.MLP([2, 4, 1]), "binary_crossentropy")
    assert _warns(nn.MLP([2, 4, 1]), nn.BCELoss())


def test_compile_is_quiet_when_output_and_loss_agree() -> None:
    softmax = nn.Sequential(nn.Dense(3, "softmax", input_dim=2))
    linear = nn.Sequential(nn.Dense(3, input_dim=2))
    assert _warns(softmax, "sparse_categorical_crossentropy") == []
    assert _warns(linear, nn.SparseCategoricalCrossentropy(from_logits=True)) == []
    assert _warns(linear, nn.CrossEntropyLoss()) == []
    assert _warns(linear, "mse") == []
    assert _warns(nn.MLP([2, 3], output_activation="sigmoid"), "binary_crossentropy") == []


# --- losses by Keras name and in Keras' argument order ---------------------------------------


def test_keras_losses_match_the_formulas() -> None:
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((6, 4))
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    labels = rng.integers(0, 4, 6)
    onehot = np.eye(4)[labels]
    sig = 1 / (1 + np.exp(-logits[:, 0]))
    yb = (labels > 1).astype(float)
    pick = p[np.arange(6), labels]

    def val(v: Any) -> float:
        return float(v.data if isinstance(v, autograd.Value) else v)

    scce = val(L.SparseCategoricalCrossentropy()(labels, p))
    assert scce == pytest.approx(-np.log(pick).mean())
    scce_logits = val(L.SparseCategoricalCrossentropy(from_logits=True)(labels, logits))
    assert scce_logits == pytest.approx(-np.log(pick).mean())
    assert val(L.CategoricalCrossentropy()(onehot, p)) == pytest.approx(-np.log(pick).mean())
    cce_logits = val(L.CategoricalCrossentropy(from_logits=True)(onehot, logits))
    assert cce_logits == pytest.approx(-np.log(pick).mean())
    bce = -(yb * np.log(sig) + (1 - yb) * np.log(1 - sig)).mean()
    assert val(L.BinaryCrossentropy()(yb, sig)) == pytest.approx(bce)
    assert val(L.BinaryCrossentropy(from_logits=True)(yb, logits[:, 0])) == pytest.approx(bce)
    assert val(L.MeanSquaredError()(onehot, p)) == pytest.approx(np.mean((p - onehot) ** 2))
    assert val(L.MeanAbsoluteError()(onehot, p)) == pytest.approx(np.mean(np.abs(p - onehot)))


def test_keras_losses_take_labels_as_floats_or_columns_and_reduce_per_sample() -> None:
    p = autograd.Value(np.array([[0.8, 0.2], [0.3, 0.7]]))
    ref = L.SparseCategoricalCrossentropy()(np.array([0, 1]), p).item()
    assert ref == pytest.approx(-np.log([0.8, 0.7]).mean())
    assert L.SparseCategoricalCrossentropy()(np.array([0.0, 1.0]), p).item() == ref
    assert L.SparseCategoricalCrossentropy()(np.array([[0], [1]]), p).item() == ref
    with pytest.raises(ValueError, match="whole numbers"):
        L.SparseCategoricalCrossentropy()(np.array([0.5, 1.0]), p)
    per = L.MeanSquaredError(reduction="none")(np.zeros((2, 2)), p)
    assert per.shape == (2,)
    assert per.data == pytest.approx(np.mean(p.data**2, axis=1))
    assert L.CategoricalCrossentropy(reduction="none")(np.eye(2), p).shape == (2,)


def test_keras_loss_gradients_are_right() -> None:
    rng = np.random.default_rng(1)
    z = rng.standard_normal((5, 3))
    labels = rng.integers(0, 3, 5)
    gradcheck(lambda v: L.SparseCategoricalCrossentropy(from_logits=True)(labels, v), z)
    gradcheck(lambda v: L.SparseCategoricalCrossentropy()(labels, v.softmax(axis=-1)), z)
    gradcheck(lambda v: L.CategoricalCrossentropy()(np.eye(3)[labels], v.softmax(axis=-1)), z)
    gradcheck(lambda v: L.BinaryCrossentropy(from_logits=True)(labels % 2, v[:, 0]), z)


def test_get_loss_by_name() -> None:
    assert isinstance(L.get_loss("mse"), L.MeanSquaredError)
    assert isinstance(L.get_loss("MEAN_ABSOLUTE_ERROR"), L.MeanAbsoluteError)
    a, b = L.get_loss("binary_crossentropy"), L.get_loss("binary_crossentropy")
    assert a is not b  # a fresh object each time
    module = nn.MSELoss()
    assert L.get_loss(module) is module
    assert set(L.known_losses()) >= {"mse", "mae", "categorical_crossentropy"}
    with pytest.raises(ValueError, match="known names"):
        L.get_loss("hinge")
    with pytest.raises(TypeError):
        L.get_loss(3)  # type: ignore[arg-type]


def test_loss_functions_in_either_order() -> None:
    x = np.linspace(-1, 1, 40, dtype=np.float32).reshape(-1, 1)
    y = 3 * x + 1

    def keras_style_mse(y_true: Any, y_pred: Any) -> Any:  # Keras' order: targets first
        return ((y_pred - y_true) ** 2).mean()

    for loss in (keras_style_mse, L.mse_loss, nn.MSELoss(), "mse"):
        nn.manual_seed(0)
        model = nn.Sequential(nn.Dense(1, input_dim=1))
        model.compile(nn.SGD(lr=0.3), loss)
        hist = model.fit(x, y, epochs=30, batch_size=8, verbose=0)
        assert hist.history["loss"][-1] < 1e-3, loss


# --- evaluate and predict --------------------------------------------------------------------


def test_evaluate_matches_a_manual_computation(moons: Any) -> None:
    x, y = moons
    model = moons_model(out=2)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose=0)
    p = model(x).data.astype(np.float64)
    manual_loss = -np.log(np.clip(p[np.arange(len(y)), y], 1e-7, 1 - 1e-7)).mean()
    manual_acc = np.mean(p.argmax(1) == y)
    loss, acc = model.evaluate(x, y, batch_size=7, verbose=0)  # type: ignore[misc]
    assert loss == pytest.approx(manual_loss, rel=1e-5)
    assert acc == manual_acc
    assert model.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(
        {"loss": manual_loss, "accuracy": manual_acc}, rel=1e-5
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    assert isinstance(model.evaluate(x, y, verbose=0), float)  # no metrics: one number


def test_predict_returns_numpy_without_recording_a_graph(moons: Any) -> None:
    x, _ = moons
    grad_enabled: list[bool] = []

    def spy(v: Any) -> Any:
        grad_enabled.append(autograd.is_grad_enabled())
        return v

    nn.manual_seed(0)
    model = nn.Sequential(nn.Dense(4, "relu", input_dim=2), nn.Lambda(spy), nn.Dense(2))
    out = model.predict(x, batch_size=64)
    assert isinstance(out, np.ndarray) and out.shape == (len(x), 2)
    assert out.dtype == np.float32
    assert grad_enabled and not any(grad_enabled)  # every batch ran under no_grad
    assert np.allclose(out, model(x).data, atol=1e-6)
    assert all(p.grad is None for p in model.parameters())
    assert model.training  # the mode it had before


# --- summary ---------------------------------------------------------------------------------


def test_summary_counts_parameters_before_any_data() -> None:
    model = nn.Sequential(
        nn.Dense(32, activation="relu", input_dim=8), nn.Dense(16), nn.ReLU(), nn.Dense(3)
    )
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert 'Model: "Sequential"' in text
    assert "Layer (type)" in text and "Output Shape" in text and "Param #" in text
    rows = [line.split() for line in lines if line.startswith(("0 ", "1 ", "2 ", "3 "))]
    assert rows == [
        ["0", "(Dense)", "(None,", "32)", "288"],
        ["1", "(Dense)", "(None,", "16)", "528"],
        ["2", "(ReLU)", "(None,", "16)", "0"],
        ["3", "(Dense)", "(None,", "3)", "51"],
    ]
    assert "Total params: 867 (3.39 KB)" in text
    assert "Trainable params: 867" in text and "Non-trainable params: 0" in text


def test_summary_of_a_lazy_model_fills_in_after_data(capsys: Any) -> None:
    model = nn.Sequential(nn.Dense(5, activation="relu"), nn.Dense(2))
    model.summary()
    before = capsys.readouterr().out
    assert "? " in before and "(unbuilt)" in before and "Total params: 0" in before
    model.predict(np.zeros((3, 4)))
    model.summary()
    after = capsys.readouterr().out
    assert "(None, 5)" in after and "(None, 2)" in after and "Total params: 37" in after


def test_summary_counts_non_trainable_parameters() -> None:
    model = nn.Sequential(nn.Dense(4, input_dim=3), nn.Dense(2))
    model[0].bias.requires_grad = False  # type: ignore[union-attr]
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    assert "Total params: 26 (104 B)" in lines
    assert "Trainable params: 22" in lines and "Non-trainable params: 4" in lines


def test_summary_of_a_model_class_lists_its_children() -> None:
    class Net(nn.Model):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Dense(4, input_dim=3)
            self.head = nn.Dense(1)

        def forward(self, x: Any) -> Any:
            return self.head(self.body(x))

    lines: list[str] = []
    Net().summary(print_fn=lines.append)
    assert any(line.startswith("body (Dense)") and line.endswith("16") for line in lines)
    assert any(line.startswith("head (Dense)") and "unbuilt" in line for line in lines)


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


# --- BCE on logits, custom functions, classes for instances, predict ------------------------


def test_fit_with_bce_on_a_linear_output_names_the_loss_and_the_fix() -> None:
    x, y = make_moons(64, seed=0)
    nn.manual_seed(0)
    model = nn.Sequential(nn.Dense(1, input_dim=2))  # logits, not probabilities
    with pytest.warns(UserWarning, match="not probabilities"):
        model.compile("sgd", nn.BCELoss())
    with pytest.raises(ValueError, match=r"fit: the loss BCELoss.*BCEWithLogitsLoss"):
        model.fit(x * 10, y, epochs=1, verbose=0)


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


def _regression(n: int = 64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3))
    w = np.array([1.0, -2.0, 0.5])
    return x, x @ w, w  # targets of shape (n,), as Keras users pass them


def test_a_custom_loss_function_gets_targets_of_the_outputs_rank() -> None:
    x, y, w = _regression()
    seen: list[tuple[tuple[int, ...], tuple[int, ...]]] = []

    def my_mse(y_true: Any, y_pred: Any) -> Any:
        seen.append((np.shape(y_true), y_pred.shape))
        return autograd.mean((y_pred - y_true) ** 2)  # (N,) - (N, 1) would be (N, N)

    nn.manual_seed(0)
    model = nn.Sequential(nn.Dense(1, input_dim=3))
    model.compile(optimizer=nn.SGD(lr=0.1), loss=my_mse)
    hist = model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    assert all(len(t) == len(p) == 2 for t, p in seen)
    assert hist.history["loss"][-1] < 1e-3
    np.testing.assert_allclose(model[0].kernel.data[:, 0], w, atol=0.02)
    assert model.evaluate(x, y, verbose=0) < 1e-3


def test_a_custom_loss_function_on_outputs_of_shape_n_gets_them_as_a_column() -> None:
    class Flat(nn.Model):  # outputs (N,) against targets (N, 1): Keras expands y_pred
        def __init__(self) -> None:
            super().__init__()
            self.dense = nn.Dense(1, input_dim=3)

        def forward(self, x: Any) -> Any:
            return autograd.reshape(self.dense(x), shape=(-1,))

    x, y, _ = _regression()
    seen: list[tuple[int, ...]] = []

    def my_mse(y_true: Any, y_pred: Any) -> Any:
        seen.append(y_pred.shape)
        return autograd.mean((y_pred - y_true) ** 2)

    nn.manual_seed(0)
    model = Flat()
    model.compile(optimizer=nn.SGD(lr=0.1), loss=my_mse)
    hist = model.fit(x, y[:, None], epochs=30, verbose=0)
    assert hist.history["loss"][-1] < 1e-3 and all(s[-1:] == (1,) for s in seen)


def test_a_custom_loss_on_class_labels_gets_them_unchanged() -> None:
    x, y = make_moons(64, seed=0)
    seen: list[tuple[int, ...]] = []

    def sparse(y_true: Any, y_pred: Any) -> Any:
        seen.append(np.shape(y_true))
        return L.cross_entropy(y_pred, y_true)

    model = nn.Sequential(nn.Dense(2, input_dim=2))
    model.compile("sgd", loss=sparse)
    model.fit(x, y.astype(int), epochs=1, batch_size=64, verbose=0)
    assert seen and all(s in ((2,), (64,)) for s in seen)


def test_a_custom_metric_function_gets_targets_of_the_outputs_rank() -> None:
    x, y, w = _regression()
    model = nn.Sequential(nn.Dense(1, input_dim=3, use_bias=False))
    model[0].kernel.data[:] = w[:, None]  # a perfect model
    model.compile("sgd", "mse", metrics=[lambda yt, yp: np.abs(yp - yt).mean(-1)])
    loss, mae = model.evaluate(x, y, verbose=0)  # type: ignore[misc]
    assert loss == pytest.approx(0.0, abs=1e-10) and mae == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"loss": nn.CrossEntropyLoss}, "loss is the class CrossEntropyLoss; pass an instance, "
         "CrossEntropyLoss()"),
        ({"loss": nn.SparseCategoricalCrossentropy}, "loss is the class "
         "SparseCategoricalCrossentropy; pass an instance, SparseCategoricalCrossentropy()"),
        ({"loss": "mse", "metrics": [nn.metrics.Accuracy]}, "metrics holds the class Accuracy; "
         "pass an instance, Accuracy()"),
        ({"loss": "mse", "metrics": nn.metrics.Accuracy}, "metrics holds the class Accuracy"),
        ({"loss": "mse", "optimizer": nn.SGD}, "optimizer is the class SGD; pass an instance, "
         "SGD()"),
    ],
)  # fmt: skip
def test_compile_rejects_a_class_where_an_instance_belongs(kwargs: Any, message: str) -> None:
    model = nn.Sequential(nn.Dense(3, input_dim=2))
    with pytest.raises(TypeError) as info:
        model.compile(**kwargs)
    assert str(info.value).startswith("compile: " + message)


def test_predict_takes_keras_verbose_and_batch_size(capsys: Any) -> None:
    x, _ = make_moons(70, seed=0)
    model = moons_model()
    quiet = model.predict(x, verbose=0, batch_size=16)
    assert capsys.readouterr().out == ""
    assert np.array_equal(quiet, model.predict(x))
    loud = model.predict(x, batch_size=32, verbose=1)
    out = capsys.readouterr().out
    assert np.array_equal(loud, quiet)
    assert out.startswith("3/3 - ") and out.endswith("/step\n") and out.count("\n") == 1
    model.predict(x, verbose="auto")
    assert capsys.readouterr().out.startswith("3/3 - ")
    with pytest.raises(ValueError, match=r"predict: verbose must be 0, 1, 2 or 'auto'"):
        model.predict(x, verbose=3)


def test_predict_on_one_sample_without_the_batch_axis_says_so() -> None:
    x = np.ones((5, 4))
    model = nn.Sequential(nn.Dense(1, input_dim=4))
    pattern = (
        r"predict: the model expects x of shape \(None, 4\), got x of shape \(4,\): "
        r"one sample without the batch axis\? pass x\[None\] or x\.reshape\(1, -1\)"
    )
    with pytest.raises(ValueError, match=pattern):
        model.predict(x[0])
    lazy = nn.Sequential(nn.Dense(1))  # the input size is known once it has seen data
    lazy.predict(x)
    with pytest.raises(ValueError, match=pattern):
        lazy.predict(x[0])
    assert model.predict(x[0][None]).shape == (1, 1)


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


@pytest.mark.parametrize(
    "activation, loss, y",
    [
        ("softmax", "sparse_categorical_crossentropy", np.array([1, 0])),
        ("sigmoid", "binary_crossentropy", np.array([[0.0], [1.0]])),
    ],
)
def test_evaluate_computes_the_loss_training_computes(activation: str, loss: str, y: Any) -> None:
    # A confident mistake (logit 30): from the logits the loss is exact, where clipped
    # probabilities would cap it near 16. Training and evaluation must agree.
    units = 3 if activation == "softmax" else 1
    model = nn.Sequential(nn.Dense(units, activation=activation, input_dim=2))
    model.compile("sgd", loss)
    kernel = np.zeros((2, units), np.float32)
    kernel[0, 0] = 30.0
    model.set_weights([kernel, np.zeros(units, np.float32)])
    x = np.array([[1.0, 0.0], [1.0, 0.0]], np.float32)
    trained = nn.losses.get_loss(loss)(y, model(Value(x, requires_grad=False))).item()
    assert trained > 14.9
    assert model.evaluate(x, y, verbose=0) == pytest.approx(trained, rel=1e-6)
    assert all(p.grad is None for p in model.parameters())  # nothing backpropagated


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


def test_evaluate_of_a_frozen_model_computes_the_loss_training_computes() -> None:
    model = nn.Sequential(nn.Dense(3, activation="softmax", input_dim=2))
    model.compile("sgd", "sparse_categorical_crossentropy")
    kernel = np.zeros((2, 3), np.float32)
    kernel[0, 0] = 30.0
    model.set_weights([kernel, np.zeros(3, np.float32)])
    x, y = np.array([[1.0, 0.0], [1.0, 0.0]], np.float32), np.array([1, 0])
    loss = model.evaluate(x, y, verbose=0)
    model.requires_grad_(False)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(loss) and loss > 14.9
    assert all("_last_call" not in vars(m) for m in model.modules())  # no records left


def test_evaluate_with_a_loss_function_of_ones_own_matches_training() -> None:
    scce = nn.SparseCategoricalCrossentropy()
    model = nn.Sequential(nn.Dense(3, activation="softmax", input_dim=2))
    model.compile("sgd", loss=lambda yt, yp: scce(yt, yp))
    kernel = np.zeros((2, 3), np.float32)
    kernel[0, 0] = 30.0
    model.set_weights([kernel, np.zeros(3, np.float32)])
    x, y = np.array([[1.0, 0.0], [1.0, 0.0]], np.float32), np.array([1, 0])
    assert model.evaluate(x, y, verbose=0) == pytest.approx(15.0, rel=1e-5)
