"""Models, callbacks and checks shared by the tests of nn.keras."""

from __future__ import annotations

from typing import Any

import numpy as np

import nn


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


def same_weights(model: nn.Module, state: dict[str, np.ndarray]) -> bool:
    """Whether the model's weights equal those of the state dict, name by name."""
    now = model.state_dict()
    return now.keys() == state.keys() and all(np.array_equal(now[k], state[k]) for k in now)
