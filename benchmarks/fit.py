"""Keras-style fit beside the hand-written PyTorch-style loop it wraps.

Workload: scikit-learn's digits (1,438 training images), an MLP 64-128-10 (ReLU, softmax,
sparse categorical cross-entropy on probabilities), SGD with momentum, batch 32. The
engine side is ``model.fit(..., verbose=1)`` with stdout redirected to a buffer (not a
terminal, so one progress line per epoch); the reference is the bare loop over an
nn.DataLoader with the same model, loss object and optimizer, keeping only the epoch's
mean loss. Both figures are per epoch; the target is fit within 1.15x of the loop.
Further rows have fit also report accuracy (the loop still computes the loss only), and
draw its live tqdm bar into a stream that says it is a terminal.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from typing import Any

import numpy as np

import nn
from benchmarks.harness import Result, compare

EPOCHS = 5  # per timed call; figures are divided by it


def make_model(seed: int = 0) -> nn.Sequential:
    nn.manual_seed(seed)
    return nn.Sequential(
        nn.Dense(128, activation="relu", input_dim=64), nn.Dense(10, activation="softmax")
    )


def loop_epochs(
    model: nn.Module, opt: nn.Optimizer, loss_fn: Any, x: np.ndarray, y: np.ndarray
) -> Callable[[], list[float]]:
    """The hand-written loop: EPOCHS epochs, returning each epoch's mean loss."""

    def run() -> list[float]:
        means = []
        for _ in range(EPOCHS):
            total, count = 0.0, 0
            for xb, yb in nn.DataLoader(x, y, batch_size=32):
                loss = loss_fn(yb, model(xb))  # a Keras-style loss: targets first
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += loss.item() * len(yb)
                count += len(yb)
            means.append(total / count)
        return means

    return run


class FakeTerminal(io.StringIO):
    """A buffer that claims to be a terminal, so fit draws its live bar into it."""

    def isatty(self) -> bool:
        return True


def fit_epochs(
    model: nn.Sequential, x: np.ndarray, y: np.ndarray, terminal: bool = False
) -> Callable[[], Any]:
    def run() -> Any:
        with contextlib.redirect_stdout(FakeTerminal() if terminal else io.StringIO()):
            return model.fit(x, y, epochs=EPOCHS, batch_size=32, verbose=1)

    return run


def run(rounds: int = 7) -> list[Result]:
    from nn.datasets import load_digits

    (x, y), _ = load_digits()
    results = []
    cases = [([], False, "loss"), (["accuracy"], False, "loss + accuracy"),
             (["accuracy"], True, "loss + accuracy, live bar")]  # fmt: skip
    for metrics, terminal, label in cases:
        ref_model = make_model()
        ref_opt = nn.SGD(ref_model.parameters(), lr=0.05, momentum=0.9)
        reference = loop_epochs(ref_model, ref_opt, nn.SparseCategoricalCrossentropy(), x, y)
        model = make_model()
        model.compile(
            optimizer=nn.SGD(lr=0.05, momentum=0.9),
            loss="sparse_categorical_crossentropy",
            metrics=metrics,
        )
        r = compare(
            f"fit on digits, MLP 64-128-10, batch 32, per epoch ({label})",
            fit_epochs(model, x, y, terminal),
            reference,
            rounds=rounds,
            note="reference: bare loop over nn.DataLoader; target at most 1.15x",
        )
        # The harness times EPOCHS epochs per call; report per epoch.
        r.engine_s /= EPOCHS
        r.reference_s /= EPOCHS
        results.append(r)
    return results
