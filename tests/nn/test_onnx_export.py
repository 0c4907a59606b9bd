"""model.export(path, format="onnx"): every layer and activation nn offers, run in
onnxruntime at batch sizes 1, 3 and 32 against model.predict; the file passes
onnx.checker, states opset 17, has a dynamic batch axis and the model's dtype; a layer
without a counterpart, a model that is not a chain, an unbuilt model or an unknown format
raise errors that name them, and leave an existing file as it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import nn
from nn.export.onnx_graph import IR_VERSION, OPSET
from nn.export.onnx_ops import UnsupportedLayerError

BATCHES = (1, 3, 32)


def _run(path: Path, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (out,) = session.run(["output"], {"input": x})
    return np.asarray(out)


def largest_difference(model: nn.Sequential, path: Path, shape: tuple[int, ...]) -> float:
    """The largest |onnxruntime - predict| over batches of 1, 3 and 32 samples of
    ``shape``, with inputs spread over [-4, 4] (both sides of every kink)."""
    rng = np.random.default_rng(0)
    dtype = model.parameters()[0].dtype
    worst = 0.0
    for n in BATCHES:
        x = rng.uniform(-4, 4, size=(n, *shape)).astype(dtype)
        ours, theirs = model.predict(x), _run(path, x)
        assert theirs.shape == ours.shape and theirs.dtype == ours.dtype
        worst = max(worst, float(np.max(np.abs(theirs - ours))))
    return worst


def _prelu_trained() -> nn.PReLU:
    layer = nn.PReLU(5)
    layer.weight.data = np.array([-0.3, 0.0, 0.1, 0.7, 1.5], np.float32)  # learned slopes
    return layer


LAYERS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "prelu": nn.PReLU,
    "prelu learned per feature": _prelu_trained,
    "elu": lambda: nn.ELU(0.7),
    "softplus": nn.Softplus,
    "softmax": nn.Softmax,
    "softmax axis 1": lambda: nn.Softmax(dim=1),
    "log_softmax": nn.LogSoftmax,
    "step": nn.Step,
    "identity": nn.Identity,
    "dropout": lambda: nn.Dropout(0.5),
    "keras activation layer": lambda: nn.Activation("tanh"),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_each_layer_runs_in_onnxruntime_as_predict(name: str, tmp_path: Path) -> None:
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), LAYERS[name](), nn.Linear(5, 3, bias=False))
    path = tmp_path / "m.onnx"
    model.export(path, format="onnx")
    assert largest_difference(model, path, (4,)) < 1e-5


KERAS_NAMES = ["relu", "sigmoid", "tanh", "leaky_relu", "prelu", "elu", "softplus", "softmax"]


@pytest.mark.parametrize("activation", [*KERAS_NAMES, "step", "linear"])
def test_dense_layers_with_each_activation_name(activation: str, tmp_path: Path) -> None:
    nn.manual_seed(0)
    model = nn.Sequential(
        nn.Dense(8, activation=activation, input_dim=4), nn.Dense(3, use_bias=False)
    )
    path = tmp_path / "m.onnx"
    model.export(path, format="onnx")
    assert largest_difference(model, path, (4,)) < 1e-5


def test_a_model_trained_here_with_every_kind_of_layer(tmp_path: Path) -> None:
    nn.manual_seed(0)
    rng = np.random.default_rng(1)
    images = rng.normal(size=(96, 2, 3, 4)).astype(np.float32)
    labels = (images.reshape(96, -1).sum(axis=1) > 0).astype(np.int64)
    model = nn.Sequential(
        nn.PReLU(2),  # per-channel slopes on (N, 2, 3, 4): channel axis 1
        nn.Flatten(),
        nn.Dense(16, activation="elu"),
        nn.Dropout(0.3),
        nn.Sequential(nn.Linear(16, 8), nn.LeakyReLU()),  # a chain inside the chain
        nn.Dense(8, activation="prelu"),
        nn.Dense(2, activation="softmax"),
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(images, labels, epochs=2, batch_size=16, verbose=0)
    assert not np.allclose(model[0].weight.data, 0.25)  # PReLU's slopes were learned
    path = tmp_path / "trained.onnx"
    model.export(path, format="onnx")  # its input shape is the one fit saw
    assert largest_difference(model, path, (2, 3, 4)) < 1e-5


def test_an_mlp_and_the_file_it_writes(tmp_path: Path) -> None:
    nn.manual_seed(0)
    model = nn.MLP([4, 16, 16, 3], activation="tanh", output_activation="softmax")
    path = tmp_path / "mlp.onnx"
    model.export(path)  # "onnx" is the default format
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert [(o.domain, o.version) for o in proto.opset_import] == [("", OPSET)] == [("", 17)]
    assert proto.ir_version == IR_VERSION
    (x,), (y,) = proto.graph.input, proto.graph.output
    assert [d.dim_param or d.dim_value for d in x.type.tensor_type.shape.dim] == ["batch", 4]
    assert [d.dim_param or d.dim_value for d in y.type.tensor_type.shape.dim] == ["batch", 3]
    assert x.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert largest_difference(model, path, (4,)) < 1e-5


def test_float64_models_export_in_float64(tmp_path: Path) -> None:
    nn.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(4, 6), nn.ELU(0.7), nn.Linear(6, 6), nn.Softplus(), nn.Linear(6, 6),
        nn.LeakyReLU(0.013), nn.Linear(6, 3), nn.LogSoftmax(dim=1),
    ).to("float64")  # fmt: skip
    path = tmp_path / "f64.onnx"
    model.export(path, format="onnx")
    elem = onnx.load(str(path)).graph.input[0].type.tensor_type.elem_type
    assert elem == onnx.TensorProto.DOUBLE
    assert largest_difference(model, path, (4,)) < 1e-12


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softplus_elu_and_step_at_extreme_inputs(dtype: str, tmp_path: Path) -> None:
    # onnxruntime's Elu takes e^x - 1 where ours takes expm1: near 0 they part by about
    # one float32 rounding of 1, absolutely.
    atol = 1e-7 if dtype == "float32" else 1e-15
    x = np.array([[-1e4, -100.0, -1e-3, 0.0, 1e-3, 100.0, 1e4]], dtype=dtype)
    for layer in (nn.Softplus(), nn.ELU(), nn.Step()):
        model = nn.Sequential(layer).to(dtype)
        path = tmp_path / "extreme.onnx"
        model.export(path, input_shape=(7,))
        out = _run(path, x)
        assert np.all(np.isfinite(out))
        np.testing.assert_allclose(out, model.predict(x), rtol=1e-6, atol=atol)


def _existing(tmp_path: Path) -> Path:
    path = tmp_path / "old.onnx"
    path.write_bytes(b"the old file")
    return path


def _unchanged(path: Path) -> bool:
    return path.read_bytes() == b"the old file" and sorted(
        p.name for p in path.parent.iterdir()
    ) == ["old.onnx"]


@pytest.mark.parametrize(
    ("layer", "named"),
    [
        (lambda: nn.Lambda(np.square, name="square"), r"layer '1' \(Lambda 'square'\)"),
        (lambda: nn.Dense(3, activation=np.cos, input_dim=5), r"'1\.activation' \(Lambda 'cos'\)"),
        (lambda: nn.Activation(np.sin), r"layer '1\.fn' \(Lambda 'sin'\)"),
    ],
)
def test_a_layer_without_a_counterpart_is_named(
    layer: Callable[[], nn.Module], named: str, tmp_path: Path
) -> None:
    model = nn.Sequential(nn.Linear(4, 5), layer())
    path = _existing(tmp_path)
    with pytest.raises(UnsupportedLayerError, match=named + ".*export are Linear, Dense"):
        model.export(path, format="onnx")
    assert _unchanged(path)


def test_a_custom_module_is_named(tmp_path: Path) -> None:
    class Doubler(nn.Module):
        def forward(self, x: Any) -> Any:
            return x * 2

        def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
            return input_shape

    path = _existing(tmp_path)
    with pytest.raises(TypeError, match=r"layer '0' \(Doubler\) has no ONNX counterpart"):
        nn.Sequential(Doubler(), nn.Linear(4, 2)).export(path, input_shape=(4,))
    assert _unchanged(path)


def test_models_that_cannot_be_exported_say_why(tmp_path: Path) -> None:
    class Net(nn.Model):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(4, 2)

        def forward(self, x: Any) -> Any:
            return self.fc(x)

    path = _existing(tmp_path)
    with pytest.raises(TypeError, match="Net is not a chain of layers"):
        Net().export(path, format="onnx", input_shape=(4,))
    lazy = nn.Sequential(nn.Dense(3))
    with pytest.raises(ValueError, match="not built yet"):
        lazy.export(path)
    with pytest.raises(ValueError, match="unknown format 'tf_saved_model'"):
        nn.Sequential(nn.Linear(4, 2)).export(path, format="tf_saved_model")
    with pytest.raises(ValueError, match="input shape is unknown"):
        nn.Sequential(nn.ReLU()).export(path)
    assert _unchanged(path)
    lazy(np.ones((2, 6), np.float32))  # built by a call: now it knows its input
    lazy.export(path)
    assert largest_difference(lazy, path, (6,)) < 1e-5
