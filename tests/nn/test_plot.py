"""plot_model: layer boxes with names, shapes and parameter counts, written to a file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import graphviz
import numpy as np
import pytest

import nn
from autograd import Value
from nn.keras.plot import plot_model


def plot(model: nn.Module, path: Path, **kwargs: object) -> graphviz.Digraph:
    """plot_model, tolerating a missing `dot` outside CI (the .gv source is still written)."""
    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but the Graphviz program 'dot' is not installed")
        with pytest.raises(graphviz.ExecutableNotFound, match="install"):
            plot_model(model, path, **kwargs)  # type: ignore[arg-type]
        assert path.with_suffix(".gv").exists()
        pytest.skip("the Graphviz program 'dot' is not installed; source checked only")
    return plot_model(model, path, **kwargs)  # type: ignore[arg-type]


def test_keras_style_model_png(tmp_path: Path) -> None:
    nn.manual_seed(0)
    nn.clear_session()  # layers are drawn by name: dense, dense_1, ...
    model = nn.Sequential(nn.Dense(64, activation="relu", input_dim=32), nn.Dense(10), nn.Softmax())
    path = tmp_path / "model.png"
    dot = plot(model, path)
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.png"]  # only the picture
    src = dot.source
    assert "dense: Dense (relu)" in src and "dense_1: Dense" in src and "softmax: Softmax" in src
    assert "in (None, 32)" in src and "out (None, 64)" in src and "out (None, 10)" in src
    assert "2,112 params" in src and "650 params" in src
    assert "Sequential: 2,762 params (2,762 trainable)" in src
    assert src.count(" -> ") == 3  # input -> 0 -> 1 -> 2


def test_svg_mentions_layers_and_shapes(tmp_path: Path) -> None:
    nn.manual_seed(0)
    nn.clear_session()
    model = nn.MLP([4, 8, 3])
    path = tmp_path / "mlp.svg"
    plot(model, path)
    text = path.read_text(encoding="utf-8")
    assert "<svg" in text
    for needle in [
        "linear: Linear",
        "re_lu: ReLU",
        "linear_1: Linear",
        "(None, 4)",
        "(None, 8)",
        "40 params",
    ]:
        assert needle in text


def test_unbuilt_model_shows_question_marks(tmp_path: Path) -> None:
    model = nn.Sequential(nn.Dense(16, activation="tanh"), nn.Dense(2))
    dot = plot(model, tmp_path / "lazy.svg")
    assert "in ? | out ? | ? params" in dot.source
    assert "not built yet" in dot.source


def test_show_shapes_false_and_custom_module(tmp_path: Path) -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Linear(3, 5, name="body")
            self.head = nn.Linear(5, 1, name="head")

        def forward(self, x: Value) -> Value:
            return self.head(self.body(x).tanh())

    net = Net()
    net(Value(np.ones((2, 3), dtype=np.float32), requires_grad=False))
    dot = plot(net, tmp_path / "net.svg")
    assert "body: Linear" in dot.source and "head: Linear" in dot.source
    assert "out (None, 5)" in dot.source and "out (None, 1)" in dot.source
    dot = plot(net, tmp_path / "net2.svg", show_shapes=False)
    assert "None" not in dot.source


def test_rejects_non_modules(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"nn\.Module"):
        plot_model("model", tmp_path / "x.png")  # type: ignore[arg-type]
