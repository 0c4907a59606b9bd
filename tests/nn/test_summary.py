"""summary: layers, output shapes and parameter counts, before and after data."""

from __future__ import annotations

from typing import Any

import numpy as np

import nn

# --- summary ---------------------------------------------------------------------------------


def test_summary_counts_parameters_before_any_data() -> None:
    nn.clear_session()  # automatic names start again: dense, dense_1, ...
    model = nn.Sequential(
        nn.Dense(32, activation="relu", input_dim=8), nn.Dense(16), nn.ReLU(), nn.Dense(3)
    )
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert 'Model: "sequential"' in text
    assert "Layer (type)" in text and "Output Shape" in text and "Param #" in text
    rows = [line.split() for line in lines if line.startswith(("dense", "re_lu"))]
    assert rows == [
        ["dense", "(Dense)", "(None,", "32)", "288"],
        ["dense_1", "(Dense)", "(None,", "16)", "528"],
        ["re_lu_1", "(ReLU)", "(None,", "16)", "0"],  # re_lu: the first Dense's activation
        ["dense_2", "(Dense)", "(None,", "3)", "51"],
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

    nn.clear_session()
    lines: list[str] = []
    Net().summary(print_fn=lines.append)
    assert lines[0] == 'Model: "net"'  # the class name in snake_case, as Keras names models
    assert any(line.startswith("dense (Dense)") and line.endswith("16") for line in lines)
    assert any(line.startswith("dense_1 (Dense)") and "unbuilt" in line for line in lines)


def test_summary_shows_given_names_that_get_layer_finds() -> None:
    model = nn.Sequential(
        nn.Dense(4, activation="relu", input_dim=3, name="hidden"),
        nn.Dropout(0.5, name="drop"),
        nn.Dense(2, name="logits"),
    )
    model.name = "classifier"
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    assert lines[0] == 'Model: "classifier"'
    labels = [line.split("  ")[0] for line in lines if "(None," in line]
    assert labels == ["hidden (Dense)", "drop (Dropout)", "logits (Dense)"]
    for label in labels:
        name = label.split(" ")[0]
        assert model.get_layer(name).name == name
