"""GradientFlow: per-layer gradient norms recorded per batch and averaged per epoch."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd import Value
from nn.keras.callbacks.gradflow import GradientFlow


def setup(seed: int = 0) -> tuple[nn.Module, list[tuple[Value, np.ndarray]]]:
    nn.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(4, 6), nn.Sigmoid(), nn.Linear(6, 5), nn.Sigmoid(), nn.Linear(5, 3)
    )
    rng = np.random.default_rng(seed)
    batches = [
        (
            Value(rng.normal(size=(8, 4)).astype(np.float32), requires_grad=False),
            rng.integers(0, 3, size=8),
        )
        for _ in range(3)
    ]
    return model, batches


def by_hand(model: nn.Module) -> dict[str, float]:
    return {
        name: float(np.linalg.norm(p.grad.astype(np.float64)))
        for name, p in model.named_parameters()
        if p.ndim >= 2
    }


def test_hand_loop_records_norms_that_match_by_hand() -> None:
    model, batches = setup()
    opt = nn.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    flow = GradientFlow()
    expected: list[dict[str, float]] = []
    for _ in range(2):
        for xb, yb in batches:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            got = flow.record(model)
            expected.append(by_hand(model))
            assert got == pytest.approx(expected[-1], rel=1e-6)
            opt.step()
        flow.end_epoch()
    assert flow.names == ["0.weight", "2.weight", "4.weight"]
    assert flow.model is model
    for name in flow.names:
        per_batch = [e[name] for e in expected]
        assert flow.batch_history[name] == pytest.approx(per_batch, rel=1e-6)
        assert flow.history[name] == pytest.approx(
            [np.mean(per_batch[:3]), np.mean(per_batch[3:])], rel=1e-6
        )
    first, last = flow.history["0.weight"][-1], flow.history["4.weight"][-1]
    assert flow.ratio_first_last() == pytest.approx(first / last)
    b0 = flow.batch_history
    assert flow.ratio_first_last(batch=0) == pytest.approx(b0["0.weight"][0] / b0["4.weight"][0])
    assert flow.ratio_first_last(epoch=0, last="2.weight") == pytest.approx(
        flow.history["0.weight"][0] / flow.history["2.weight"][0]
    )


def test_keras_hook_order() -> None:
    model, batches = setup(1)
    loss_fn = nn.CrossEntropyLoss()
    flow = GradientFlow(include="all")
    flow.set_model(model)
    flow.set_params({"epochs": 2, "steps": len(batches), "verbose": 0})
    flow.on_train_begin()
    expected = []
    for epoch in range(2):
        flow.on_epoch_begin(epoch)
        for i, (xb, yb) in enumerate(batches):
            flow.on_batch_begin(i)
            loss = loss_fn(model(xb), yb)
            model.zero_grad()
            loss.backward()
            expected.append({n: float(np.linalg.norm(p.grad)) for n, p in model.named_parameters()})
            flow.on_batch_end(i, {"loss": float(loss.data)})
        flow.on_epoch_end(epoch, {"loss": 0.0})
    flow.on_train_end()
    assert flow.names == [n for n, _ in model.named_parameters()]  # biases too
    for name in flow.names:
        assert len(flow.history[name]) == 2
        assert flow.batch_history[name] == pytest.approx([e[name] for e in expected], rel=1e-5)


def test_missing_gradient_is_nan_and_errors_are_clear() -> None:
    model, _ = setup()
    flow = GradientFlow()
    with pytest.raises(ValueError, match="nothing recorded"):
        flow.ratio_first_last()
    with pytest.raises(ValueError, match="no model"):
        flow.record()
    norms = flow.record(model)  # no backward yet
    assert all(math.isnan(v) for v in norms.values())
    with pytest.raises(ValueError, match="no completed epoch"):
        flow.ratio_first_last()
    with pytest.raises(ValueError, match="include"):
        GradientFlow(include="biases")


def test_vanishing_gradients_show_in_the_ratio() -> None:
    nn.manual_seed(0)
    deep = nn.Sequential(
        *[m for _ in range(6) for m in (nn.Dense(32, input_dim=32), nn.Sigmoid())],
        nn.Dense(3, input_dim=32),
    )
    x = Value(
        np.random.default_rng(0).normal(size=(64, 32)).astype(np.float32), requires_grad=False
    )
    loss = nn.CrossEntropyLoss()(deep(x), np.arange(64) % 3)
    loss.backward()
    flow = GradientFlow()
    flow.record(deep)
    assert flow.ratio_first_last(batch=0) < 1e-2


def test_plot_to_file_and_into_axes(tmp_path: Path) -> None:
    model, batches = setup()
    flow = GradientFlow()
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(2):
        for xb, yb in batches:
            model.zero_grad()
            loss_fn(model(xb), yb).backward()
            flow.record(model)
        flow.end_epoch()
    path = tmp_path / "flow.png"
    ax = flow.plot(path)
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"
    assert len(ax.get_lines()) == 3

    from matplotlib.figure import Figure

    fig = Figure()
    own = fig.add_subplot()
    assert flow.plot(ax=own) is own
    with pytest.raises(ValueError, match="nothing recorded"):
        GradientFlow().plot(tmp_path / "empty.png")


def test_records_through_fit_one_entry_per_layer_and_epoch() -> None:
    nn.manual_seed(0)
    x, y = nn.datasets.make_moons(128, noise=0.1, seed=0)
    model = nn.Sequential(
        nn.Dense(8, activation="sigmoid", input_dim=2),
        nn.Dense(8, activation="sigmoid"),
        nn.Dense(2, activation="softmax"),
    )
    model.compile(optimizer=nn.SGD(lr=0.1), loss="sparse_categorical_crossentropy")
    flow = nn.callbacks.GradientFlow()
    model.fit(x, y, epochs=3, batch_size=32, verbose=0, callbacks=[flow])
    assert len(flow.history) == 3  # the three Dense kernels
    for norms in flow.history.values():
        assert len(norms) == 3 and all(n > 0 and math.isfinite(n) for n in norms)
