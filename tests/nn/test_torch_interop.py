"""PyTorch reads the .safetensors files save_weights writes, and writes files load_weights
reads: a model trained here loads into its torch.nn twin with strict=True and predicts
the same, for every activation that has a torch.nn counterpart, in the PyTorch style
(Linear, activation) and the Keras style (Dense(activation=...)); and the other way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import safetensors.torch
import torch

import nn

# Ours and PyTorch's, built alike: (our activation, its Keras name or None, torch's).
ACTIVATIONS: dict[str, tuple[Callable[[], nn.Module], str | None, Callable[[], Any]]] = {
    "relu": (nn.ReLU, "relu", torch.nn.ReLU),
    "sigmoid": (nn.Sigmoid, "sigmoid", torch.nn.Sigmoid),
    "tanh": (nn.Tanh, "tanh", torch.nn.Tanh),
    "leaky_relu": (lambda: nn.LeakyReLU(0.2), None, lambda: torch.nn.LeakyReLU(0.2)),
    "leaky_relu default": (nn.LeakyReLU, "leaky_relu", torch.nn.LeakyReLU),
    "prelu": (nn.PReLU, "prelu", torch.nn.PReLU),
    "prelu per feature": (lambda: nn.PReLU(6), None, lambda: torch.nn.PReLU(6)),
    "elu": (lambda: nn.ELU(0.5), None, lambda: torch.nn.ELU(0.5)),
    "elu default": (nn.ELU, "elu", torch.nn.ELU),
    "softplus": (nn.Softplus, "softplus", torch.nn.Softplus),
    "softmax": (lambda: nn.Softmax(dim=1), "softmax", lambda: torch.nn.Softmax(dim=1)),
    "log_softmax": (lambda: nn.LogSoftmax(dim=1), None, lambda: torch.nn.LogSoftmax(dim=1)),
    "identity": (nn.Identity, "linear", torch.nn.Identity),
}

RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 4)).astype(np.float32)
Y = np.stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2], np.abs(X[:, 3])], axis=1).astype(np.float32)


def _ours(name: str, style: str) -> nn.Sequential:
    activation, keras_name, _ = ACTIVATIONS[name]
    if style == "pytorch":
        return nn.Sequential(nn.Linear(4, 6), activation(), nn.Dropout(0.1), nn.Linear(6, 3))
    spec: Any = keras_name if keras_name is not None else activation()
    return nn.Sequential(nn.Dense(6, activation=spec, input_dim=4), nn.Dropout(0.1), nn.Dense(3))


def _theirs(name: str) -> torch.nn.Sequential:
    activation = ACTIVATIONS[name][2]
    linear = torch.nn.Linear
    return torch.nn.Sequential(linear(4, 6), activation(), torch.nn.Dropout(0.1), linear(6, 3))


def _trained(model: nn.Sequential) -> nn.Sequential:
    """A few steps of fit, so that every weight (PReLU's slopes too) has moved."""
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, Y, epochs=2, batch_size=16, verbose=0)
    return model


def _torch_predict(model: torch.nn.Module, x: np.ndarray) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy()


def largest_difference(a: np.ndarray, b: np.ndarray) -> float:
    assert a.shape == b.shape
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))


@pytest.mark.parametrize("style", ["pytorch", "keras"])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_a_model_trained_here_loads_into_pytorch_and_predicts_the_same(
    name: str, style: str, tmp_path: Path
) -> None:
    nn.manual_seed(0)
    model = _trained(_ours(name, style))
    if name.startswith("prelu"):  # the slopes were learned, not left at 0.25
        slopes = model[0].activation if style == "keras" else model[1]
        assert not np.allclose(slopes.weight.data, 0.25)
    path = tmp_path / "model.safetensors"
    model.save_weights(path)
    twin = _theirs(name)
    result = twin.load_state_dict(safetensors.torch.load_file(str(path)), strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    x = RNG.normal(size=(32, 4)).astype(np.float32)
    assert largest_difference(_torch_predict(twin, x), model.predict(x)) < 1e-5


@pytest.mark.parametrize("style", ["pytorch", "keras"])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_weights_saved_from_pytorch_load_here_and_predict_the_same(
    name: str, style: str, tmp_path: Path
) -> None:
    torch.manual_seed(1)
    twin = _theirs(name)
    with torch.no_grad():  # slopes that differ from the default, to see them move
        for p in twin.parameters():
            p.add_(0.1 * torch.randn_like(p))
    path = tmp_path / "from_torch.safetensors"
    safetensors.torch.save_file(twin.state_dict(), str(path))
    nn.manual_seed(0)
    model = _ours(name, style)
    assert model.load_weights(path) == nn.LoadResult([], [])
    x = RNG.normal(size=(32, 4)).astype(np.float32)
    assert largest_difference(model.predict(x), _torch_predict(twin, x)) < 1e-5


def test_images_flattened_and_a_model_written_as_a_class(tmp_path: Path) -> None:
    class Net(nn.Model):
        def __init__(self) -> None:
            super().__init__()
            self.flatten = nn.Flatten()
            self.fc1 = nn.Linear(12, 8)
            self.act = nn.PReLU(8)
            self.fc2 = nn.Linear(8, 2)

        def forward(self, x: Any) -> Any:
            return self.fc2(self.act(self.fc1(self.flatten(x))))

    class TorchNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.flatten = torch.nn.Flatten()
            self.fc1 = torch.nn.Linear(12, 8)
            self.act = torch.nn.PReLU(8)
            self.fc2 = torch.nn.Linear(8, 2)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.fc2(self.act(self.fc1(self.flatten(x))))

    nn.manual_seed(0)
    model = Net()
    images = RNG.normal(size=(16, 3, 4)).astype(np.float32)
    model.compile(optimizer="adam", loss="mse")
    model.fit(images, RNG.normal(size=(16, 2)).astype(np.float32), epochs=2, verbose=0)
    path = tmp_path / "net.safetensors"
    model.save_weights(path)
    twin = TorchNet()
    twin.load_state_dict(safetensors.torch.load_file(str(path)), strict=True)
    assert largest_difference(_torch_predict(twin, images), model.predict(images)) < 1e-5

    torch.manual_seed(2)
    safetensors.torch.save_file(TorchNet().state_dict(), str(path))
    model.load_weights(path)
    twin2 = TorchNet()
    twin2.load_state_dict(safetensors.torch.load_file(str(path)))
    assert largest_difference(model.predict(images), _torch_predict(twin2, images)) < 1e-5


def test_pytorch_files_that_do_not_fit_name_the_key_and_both_shapes(tmp_path: Path) -> None:
    torch.manual_seed(0)
    path = tmp_path / "t.safetensors"
    safetensors.torch.save_file(torch.nn.Sequential(torch.nn.Linear(5, 6)).state_dict(), str(path))
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6))
    before = model.state_dict()
    with pytest.raises(nn.StateDictError, match=r"'0\.weight'.*\(6, 4\).*\(6, 5\)"):
        model.load_weights(path)
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())


def test_bfloat16_files_are_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "bf16.safetensors"
    twin = torch.nn.Sequential(torch.nn.Linear(4, 6)).to(torch.bfloat16)
    safetensors.torch.save_file(twin.state_dict(), str(path))
    with pytest.raises(ValueError, match=r"bf16\.safetensors.*model\.float\(\)"):
        nn.Sequential(nn.Linear(4, 6)).load_weights(path)
