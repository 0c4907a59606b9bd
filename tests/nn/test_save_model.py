"""model.save and nn.load_model: a model saved whole loads in a fresh process into one that
predicts the same bit for bit and goes on training exactly as the original would have;
every layer, activation, loss, metric, optimizer and schedule round-trips; what the file
holds (JSON and .npy members, no pickle)."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import textwrap
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
from nn import activations, containers, layers

ROOT = Path(__file__).resolve().parents[2]


def _data(n: int = 48) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(np.int64) + (x[:, 3] > 1).astype(np.int64)
    return x, y


def _classifier() -> nn.Sequential:
    return nn.Sequential(
        nn.Dense(8, activation="relu", input_dim=4),
        nn.Dense(8, activation=nn.PReLU(8)),
        nn.Dense(8, activation=nn.LeakyReLU(0.2)),
        nn.Dense(3, activation="softmax"),
    )


def _fresh_python(code: str) -> str:
    """Run `code` in a new interpreter (nothing shared with this one); its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


# --- a fresh process -------------------------------------------------------------------------


def test_a_model_loaded_in_a_fresh_process_predicts_the_same_bit_for_bit(tmp_path: Path) -> None:
    x, y = _data()
    nn.manual_seed(0)
    model = _classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, 16, 3, 0)
    path = tmp_path / "model.nnz"
    model.save(path)
    np.save(tmp_path / "x.npy", x)
    out = _fresh_python(f"""
        import json, numpy as np, nn
        model = nn.load_model({str(path)!r})
        np.save({str(tmp_path / "pred.npy")!r}, model.predict(np.load({str(tmp_path / "x.npy")!r})))
        print(json.dumps([model.name, [layer.name for layer in model.layers],
                          model.metrics_names, type(model.optimizer).__name__]))
    """)
    expected = model.predict(x)
    loaded = np.load(tmp_path / "pred.npy")
    assert loaded.dtype == expected.dtype == np.float32
    assert np.array_equal(loaded, expected)  # bit for bit
    names = [layer.name for layer in model.layers]
    assert json.loads(out) == [model.name, names, ["loss", "accuracy"], "Adam"]


def _optimizers() -> dict[str, Callable[[], nn.Optimizer]]:
    return {
        "sgd-nesterov": lambda: nn.SGD(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
        "adam-step-decay": lambda: nn.Adam(lr=nn.StepDecay(0.01, step_size=2, gamma=0.5)),
        "sgd-cosine": lambda: nn.SGD(lr=nn.CosineDecay(0.1, total_epochs=5), momentum=0.5),
        "adam-exponential": lambda: nn.Adam(
            lr=nn.ExponentialDecay(0.02, decay_rate=0.5, staircase=True), betas=(0.8, 0.99)
        ),
    }


@pytest.mark.parametrize("which", list(_optimizers()))
def test_training_goes_on_in_a_fresh_process_as_it_would_have(which: str, tmp_path: Path) -> None:
    x, y = _data()
    first, more = 2, 3

    def compiled() -> nn.Sequential:
        nn.manual_seed(1)
        model = _classifier()
        model.compile(_optimizers()[which](), "sparse_categorical_crossentropy", ["accuracy"])
        return model

    straight = compiled()
    history = straight.fit(x, y, 16, first + more, 0, shuffle=False).history
    resumed = compiled()
    resumed.fit(x, y, 16, first, 0, shuffle=False)
    path, data = tmp_path / "half.nnz", tmp_path / "data.npz"
    resumed.save(path)
    np.savez(data, x=x, y=y)
    out = _fresh_python(f"""
        import json, numpy as np, nn
        data = np.load({str(data)!r})
        model = nn.load_model({str(path)!r})
        hist = model.fit(data["x"], data["y"], 16, {first + more}, 0, shuffle=False,
                         initial_epoch={first})
        model.save_weights({str(tmp_path / "end.npz")!r})
        print(json.dumps(hist.history))
    """)
    end = np.load(tmp_path / "end.npz")
    for key, value in straight.state_dict().items():
        assert np.array_equal(end[key], value), key  # the same numbers, bit for bit
    resumed_history = json.loads(out)
    assert resumed_history["loss"] == history["loss"][first:]
    assert resumed_history["accuracy"] == history["accuracy"][first:]


def test_the_optimizer_state_comes_back_whole(tmp_path: Path) -> None:
    x, y = _data()
    nn.manual_seed(2)
    model = _classifier()
    model.compile(nn.Adam(lr=nn.StepDecay(0.01, step_size=1)), "sparse_categorical_crossentropy")
    model.fit(x, y, 16, 3, 0)
    model.save(tmp_path / "m.nnz")
    loaded = nn.load_model(tmp_path / "m.nnz")
    assert isinstance(loaded, nn.Sequential) and loaded.optimizer is not None
    assert model.optimizer is not None
    before, after = model.optimizer.state_dict(), loaded.optimizer.state_dict()
    assert after["schedule"] == before["schedule"] == {"epoch": 2}
    assert after["hyperparams"] == before["hyperparams"] and after["lr"] == before["lr"]
    steps = [s["step"] for s in after["state"]]
    assert steps == [s["step"] for s in before["state"]] == [9] * len(model.parameters())
    for a, b in zip(after["state"], before["state"]):
        assert np.array_equal(a["exp_avg"], b["exp_avg"])
        assert np.array_equal(a["exp_avg_sq"], b["exp_avg_sq"])
    schedule = loaded.optimizer.schedule
    assert isinstance(schedule, nn.StepDecay) and (schedule.step_size, schedule.gamma) == (1, 0.1)
    # The optimizer updates the loaded model's own parameters, in the saved order.
    assert [id(p) for p in loaded.optimizer.params] == [id(p) for p in loaded.parameters()]


# --- every layer and activation --------------------------------------------------------------

# One example of each layer nn offers, built to take (N, 3) inputs; the names are classes.
EXAMPLES: dict[str, Callable[[], nn.Module]] = {
    "Linear": lambda: nn.Linear(3, 4, bias=False),
    "Dense": lambda: nn.Dense(
        4, "tanh", use_bias=True, kernel_initializer=nn.init.he_normal,
        bias_initializer="ones", input_shape=(3,), name="wide",
    ),
    "Flatten": nn.Flatten,
    "Dropout": lambda: nn.Dropout(rate=0.25),
    "Activation": lambda: nn.Activation(nn.ELU(alpha=0.3)),
    "Identity": nn.Identity,
    "Sigmoid": nn.Sigmoid,
    "Tanh": nn.Tanh,
    "ReLU": nn.ReLU,
    "LeakyReLU": lambda: nn.LeakyReLU(negative_slope=0.3),
    "PReLU": lambda: nn.PReLU(3, init=-0.5),
    "ELU": lambda: nn.ELU(0.7),
    "Softplus": nn.Softplus,
    "Softmax": lambda: nn.Softmax(dim=1),
    "LogSoftmax": lambda: nn.LogSoftmax(axis=-1),
    "Step": nn.Step,
    "Lambda": lambda: nn.Lambda(nn.activations.softplus, name="soft"),
    "Sequential": lambda: nn.Sequential(nn.Dense(5, activation="elu"), nn.Dense(2)),
    "MLP": lambda: nn.MLP([3, 6, 2], activation="sigmoid", output_activation=nn.LogSoftmax(dim=1)),
}  # fmt: skip


def _offered() -> set[str]:
    found = set()
    for module in (layers, activations, containers):
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, type) and issubclass(obj, nn.Module):
                found.add(name)
    return found


def test_the_examples_cover_every_layer_nn_offers() -> None:
    assert _offered() <= set(EXAMPLES), sorted(_offered() - set(EXAMPLES))


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_every_layer_round_trips(kind: str, tmp_path: Path) -> None:
    nn.manual_seed(3)
    layer = EXAMPLES[kind]()
    model = nn.Sequential(nn.Linear(3, 3), layer)
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    model(x)  # builds what builds lazily
    model.save(tmp_path / "m.nnz")
    loaded = nn.load_model(tmp_path / "m.nnz")
    assert isinstance(loaded, nn.Sequential)
    again = loaded[1]
    assert type(again) is type(layer) and repr(again) == repr(layer)
    assert [(p, m.name) for p, m in loaded.named_modules()] == [
        (p, m.name) for p, m in model.named_modules()
    ]
    assert loaded.state_dict().keys() == model.state_dict().keys()
    assert all(np.array_equal(a, b) for a, b in zip(loaded.get_weights(), model.get_weights()))
    assert np.array_equal(loaded.predict(x), model.predict(x))


def test_shared_layers_frozen_weights_eval_mode_and_dtype_round_trip(tmp_path: Path) -> None:
    shared = nn.Linear(3, 3)
    model = nn.Sequential(shared, nn.Tanh(), shared, nn.Dense(2, input_dim=3)).to(np.float64)
    model[3].bias.requires_grad = False  # type: ignore[union-attr]
    model[1].eval()
    model.save(tmp_path / "m.nnz")
    loaded = nn.load_model(tmp_path / "m.nnz")
    assert isinstance(loaded, nn.Sequential)
    assert loaded[0] is loaded[2]  # still one layer, used twice
    assert all(p.dtype == np.float64 for p in loaded.parameters())
    assert [n for n, p in loaded.named_parameters() if not p.requires_grad] == ["3.bias"]
    assert [m.training for m in loaded] == [True, False, True, True]
    x = np.random.default_rng(1).normal(size=(4, 3))
    assert np.array_equal(loaded(x).data, model(x).data)


def test_a_model_with_layers_still_to_build_and_layers_added_round_trips(tmp_path: Path) -> None:
    model = nn.Sequential(nn.Dense(4, activation="relu"))
    model.add(nn.Dense(1, activation="sigmoid", name="out"))
    model.compile("sgd", "binary_crossentropy")
    model.save(tmp_path / "lazy.nnz")
    loaded = nn.load_model(tmp_path / "lazy.nnz")
    assert isinstance(loaded, nn.Sequential)
    assert not loaded.built and [layer.name for layer in loaded] == [m.name for m in model]
    x, y = _data()
    loaded.fit(x, y > 0, 16, 1, 0)  # builds, and the optimizer takes the new parameters up
    assert loaded.built and loaded.count_params() == 4 * 4 + 4 + 4 + 1


@pytest.mark.parametrize(
    "loss",
    [
        "mse",
        "mae",
        nn.CrossEntropyLoss(reduction="sum"),
        nn.SparseCategoricalCrossentropy(from_logits=True),
        nn.losses.cross_entropy,
    ],
    ids=["mse", "mae", "CrossEntropyLoss", "SparseCategoricalCrossentropy", "cross_entropy"],
)
def test_losses_and_metrics_round_trip(loss: Any, tmp_path: Path) -> None:
    nn.manual_seed(4)
    model = nn.Sequential(nn.Dense(3, input_dim=4))
    metrics = ["acc", nn.metrics.BinaryAccuracy(name="half", threshold=0.25), "mae"]
    model.compile(nn.SGD(lr=0.1), loss, metrics)
    x, y = _data()
    target = y if not isinstance(loss, str) else np.eye(3, dtype=np.float32)[y]
    model.save(tmp_path / "m.nnz")
    loaded = nn.load_model(tmp_path / "m.nnz")
    assert isinstance(loaded, nn.Sequential)
    assert type(loaded.compiled_loss) is type(model.compiled_loss)
    assert loaded.metrics_names == ["loss", "acc", "half", "mae"]
    assert loaded.evaluate(x, target, verbose=0) == model.evaluate(x, target, verbose=0)


def _loss_classes() -> list[str]:
    found = [getattr(nn.losses, name) for name in nn.losses.__all__]
    return [c.__name__ for c in found if isinstance(c, type) and issubclass(c, nn.Module)]


@pytest.mark.parametrize("kind", _loss_classes())
def test_every_loss_class_round_trips_with_its_settings(kind: str, tmp_path: Path) -> None:
    cls = getattr(nn.losses, kind)
    keras_style = "from_logits" in inspect.signature(cls).parameters
    loss = cls(from_logits=True, reduction="sum") if keras_style else cls(reduction="sum")
    model = nn.Sequential(nn.Dense(2, input_dim=3))
    with warnings.catch_warnings():  # a linear output before some of them: warned, once
        warnings.simplefilter("ignore")
        model.compile("sgd", loss)
    model.save(tmp_path / "m.nnz")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # loading does not warn again
        loaded = nn.load_model(tmp_path / "m.nnz")
    assert isinstance(loaded, nn.Sequential)
    assert type(loaded.compiled_loss) is cls and repr(loaded.compiled_loss) == repr(loss)


def test_load_model_without_compile_gives_an_uncompiled_model(tmp_path: Path) -> None:
    model = nn.Sequential(nn.Dense(2, input_dim=3))
    model.compile("adam", "mse")
    model.save(tmp_path / "m.nnz")
    loaded = nn.load_model(tmp_path / "m.nnz", compile=False)
    assert isinstance(loaded, nn.Sequential)
    assert loaded.optimizer is None and loaded.compiled_loss is None


# --- the file ------------------------------------------------------------------------------


def test_the_file_is_json_and_npy_members_read_without_pickle(tmp_path: Path) -> None:
    model = nn.Sequential(nn.Dense(2, input_dim=3, name="only"))
    model.compile(nn.SGD(lr=0.1, momentum=0.9), "mse")
    model.fit(np.ones((4, 3)), np.zeros((4, 2)), 4, 1, 0)
    path = tmp_path / "m.nnz"
    model.save(path)
    with zipfile.ZipFile(path) as z:
        config = json.loads(z.read("config.json"))
        members = sorted(z.namelist())
    assert config["format"] == "nn.model" and config["names"]["0"] == "only"
    assert members == [
        "config.json", "optimizer/0.npy", "optimizer/1.npy",
        "weights/0.bias.npy", "weights/0.kernel.npy",
    ]  # fmt: skip
    with np.load(path, allow_pickle=False) as archive:  # numpy reads it as an .npz
        assert np.array_equal(archive["weights/0.kernel"], model.get_layer("only").kernel.data)  # type: ignore[union-attr]
    assert [p.name for p in tmp_path.iterdir()] == ["m.nnz"]  # no temporary file left
