"""End-to-end training: XOR, two moons, digits; the Step network that cannot learn;
reproducibility under nn.manual_seed; float32 throughout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
from nn.datasets import make_moons

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_Y = np.array([0, 1, 1, 0])


def _fit(
    model: nn.Module,
    opt: nn.Optimizer,
    loss_fn: nn.Module,
    x: np.ndarray,
    y: np.ndarray,
    epochs: int,
    batch_size: int = 32,
) -> list[float]:
    """The PyTorch-style loop of the issue; returns the mean loss of each epoch."""
    history = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for xb, yb in nn.DataLoader(x, y, batch_size=batch_size):
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
            count += len(yb)
        history.append(total / count)
    return history


def _accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    out = model(x).data
    pred = out.argmax(axis=1) if out.shape[1] > 1 else (out[:, 0] > 0.5).astype(int)
    return float((pred == y).mean())


def test_mlp_learns_xor_perfectly() -> None:
    nn.manual_seed(0)
    model = nn.MLP([2, 8, 1], activation="tanh", output_activation="sigmoid")
    opt = nn.SGD(model.parameters(), lr=0.5, momentum=0.9)
    _fit(model, opt, nn.BCELoss(), XOR_X, XOR_Y, epochs=300, batch_size=4)
    assert _accuracy(model, XOR_X, XOR_Y) == 1.0


def test_keras_style_dense_model_learns_xor_with_cross_entropy() -> None:
    nn.manual_seed(1)
    model = nn.Sequential(nn.Dense(16, activation="relu", input_dim=2), nn.Dense(2))
    opt = nn.Adam(model.parameters(), lr=0.05)
    _fit(model, opt, nn.CrossEntropyLoss(), XOR_X, XOR_Y, epochs=200, batch_size=4)
    assert _accuracy(model, XOR_X, XOR_Y) == 1.0


def test_mlp_learns_two_moons() -> None:
    nn.manual_seed(0)
    x, y = make_moons(300, noise=0.1, seed=0)
    x_test, y_test = make_moons(200, noise=0.1, seed=1)
    model = nn.MLP([2, 16, 16, 2], activation="relu")
    opt = nn.Adam(model.parameters(), lr=0.02)
    history = _fit(model, opt, nn.CrossEntropyLoss(), x, y, epochs=40)
    assert history[-1] < 0.25 * history[0]
    assert _accuracy(model, x_test, y_test) >= 0.97


def _perceptron_net(activation: str) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(2, 4),
        nn.get_activation(activation),
        nn.Linear(4, 1),
        nn.get_activation(activation),
    )


def test_step_network_gets_zero_gradients_and_does_not_learn_but_sigmoid_does() -> None:
    results = {}
    for activation in ("step", "sigmoid"):
        nn.manual_seed(3)
        model = _perceptron_net(activation)
        start = [p.data.copy() for p in model.parameters()]
        opt = nn.SGD(model.parameters(), lr=2.0, momentum=0.9)
        losses = []
        for _ in range(500):
            loss = nn.MSELoss()(model(XOR_X), XOR_Y.astype(np.float32))
            opt.zero_grad()
            loss.backward()
            if activation == "step":
                for p in model.parameters():
                    assert p.grad is not None  # backward reached every weight ...
                    assert np.all(p.grad == 0)  # ... with exactly zero
            opt.step()
            losses.append(loss.item())
        moved = max(float(np.abs(p.data - s).max()) for p, s in zip(model.parameters(), start))
        results[activation] = (losses, moved, _accuracy(model, XOR_X, XOR_Y))
    step_losses, step_moved, step_acc = results["step"]
    assert step_moved == 0.0 and len(set(step_losses)) == 1  # nothing changes, ever
    assert step_acc < 1.0
    sig_losses, sig_moved, sig_acc = results["sigmoid"]
    assert sig_moved > 0 and sig_losses[-1] < 0.1 * sig_losses[0] and sig_acc == 1.0


def _seeded_run() -> tuple[list[float], list[np.ndarray]]:
    nn.manual_seed(1234)
    x, y = make_moons(128)  # the noise and the shuffles also come from the seed
    x = x + nn.init.normal(x.shape, std=0.1)
    model = nn.Sequential(nn.Dense(8, activation="tanh", input_dim=2), nn.Dense(2))
    opt = nn.SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = _fit(model, opt, nn.CrossEntropyLoss(), x, y, epochs=3, batch_size=16)
    return history, [p.data.copy() for p in model.parameters()]


def test_manual_seed_gives_identical_losses_and_weights() -> None:
    (h1, w1), (h2, w2) = _seeded_run(), _seeded_run()
    assert h1 == h2
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)


def test_everything_stays_float32() -> None:
    nn.manual_seed(0)
    x, y = make_moons(64, noise=0.1, seed=0)
    model = nn.Sequential(nn.Linear(2, 8), nn.PReLU(), nn.Dense(2, activation="elu"))
    for opt in (nn.SGD(model.parameters(), lr=0.1, momentum=0.9), nn.Adam(model.parameters())):
        for xb, yb in nn.DataLoader(x.astype(np.float64), y, batch_size=16):
            out = model(xb)
            loss = nn.CrossEntropyLoss()(out, yb)
            assert out.dtype == np.float32 and loss.dtype == np.float32
            opt.zero_grad()
            loss.backward()
            assert xb.grad is None  # the batch is not a graph node that collects gradients
            opt.step()
        for p in model.parameters():
            assert p.dtype == np.float32 and p.grad.dtype == np.float32
        for state in opt.state_dict()["state"]:
            for v in state.values():
                assert not isinstance(v, np.ndarray) or v.dtype == np.float32


def test_digits_pytorch_style_loop_and_saved_weights(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    (x_train, y_train), (x_test, y_test) = nn.datasets.load_digits()
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = nn.SGD(model.parameters(), lr=0.1, momentum=0.9)
    _fit(model, opt, nn.CrossEntropyLoss(), x_train, y_train, epochs=10)
    accuracy = _accuracy(model, x_test, y_test)
    assert accuracy >= 0.92  # 0.94 to 0.97 over seeds 0-4
    path = tmp_path / "digits.npz"
    model.save_weights(path)
    restored: Any = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    restored.load_weights(path)
    assert _accuracy(restored, x_test, y_test) == accuracy
