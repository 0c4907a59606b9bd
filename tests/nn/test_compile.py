"""compile: names resolved or refused with the known ones, classes where instances belong,
the warning when the last activation contradicts the loss; the Keras-style losses it
names, and loss and metric functions of one's own in Keras' argument order."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd.testing import gradcheck
from nn import losses as L
from nn.datasets import make_moons
from tests.nn.keras_models import moons_model

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


def test_the_compile_warning_points_at_the_users_call() -> None:
    model = nn.Sequential(nn.Dense(2, activation="softmax", input_dim=2))
    with pytest.warns(UserWarning, match="applied twice") as caught:
        model.compile("sgd", nn.CrossEntropyLoss())
    assert caught[0].filename == __file__


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
