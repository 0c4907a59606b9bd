"""summary: layers, output shapes and parameter counts, before and after data."""

from __future__ import annotations

from typing import Any

import numpy as np

import nn

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
