"""The main demo: teach a small network to read handwritten digits, the Keras way.

    make demo                    # or: python examples/demo.py [--epochs N] [--out DIR]

It loads scikit-learn's 8x8 digits (bundled with it, no download), scales each pixel with
the training set's mean and spread, and trains an MLP 64-256-10 with Adam: a live progress
bar per epoch on a terminal, one line per epoch otherwise. Then it prints the accuracy on
the held-out test images and a few predictions, and draws the loss and accuracy curves
(training and validation) into out/demo/curves.png. A few seconds on two cores.

The engine itself (scalar and tensor Values, derivatives of derivatives) has its own
tour: examples/engine_tour.py.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

import nn
from nn.datasets import load_digits

DEFAULT_OUT = Path("out/demo")


def digit_art(image: np.ndarray) -> list[str]:
    """An 8x8 image in [0, 1] as 8 lines of text, darker pixels as denser characters."""
    shades = " .:-=+*#%@"
    return ["".join(shades[min(int(v * 10), 9)] * 2 for v in row) for row in image.reshape(8, 8)]


def plot_curves(history: dict[str, list[float]], path: Path) -> Path:
    """Loss and accuracy per epoch, training and validation, side by side, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # draw to a file; no display needed
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    for ax, key, title in ((ax_loss, "loss", "loss"), (ax_acc, "accuracy", "accuracy")):
        ax.plot(epochs, history[key], label="training (mean over the epoch)")
        ax.plot(epochs, history["val_" + key], label="validation (after the epoch)")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend()
    ax_loss.set_yscale("log")
    fig.suptitle("MLP 64-256-10 on 8x8 digits")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description="Train an MLP on digits with compile/fit.")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the picture")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2))
    args = ap.parse_args(argv)
    t0 = time.perf_counter()

    (x_train, y_train), (x_test, y_test) = load_digits()
    # Scale with the training set's statistics only: the test set stays unseen.
    mean, spread = x_train.mean(axis=0), x_train.std(axis=0) + 0.01
    x_train_s = (x_train - mean) / spread
    x_test_s = (x_test - mean) / spread
    print(f"digits: {len(x_train)} training and {len(x_test)} test images of 8x8 pixels")

    nn.manual_seed(args.seed)
    model = nn.Sequential(
        nn.Dense(256, activation="relu", input_dim=64),
        nn.Dense(10, activation="softmax"),
    )
    model.compile(
        optimizer=nn.Adam(lr=3e-3, weight_decay=1e-4),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.summary()
    history = model.fit(
        x_train_s, y_train, epochs=args.epochs, batch_size=32, validation_split=0.1,
        verbose=args.verbose,
    )  # fmt: skip

    test_loss, test_accuracy = model.evaluate(x_test_s, y_test, verbose=0)  # type: ignore[misc]
    print(f"\ntest accuracy: {test_accuracy:.4f} (loss {test_loss:.4f})")

    probs = model.predict(x_test_s[:6])
    print("\na few test images and what the network reads:")
    arts = [digit_art(img) for img in x_test[:6]]
    for line in range(8):
        print("   ".join(art[line] for art in arts))
    print("   ".join(f"read {int(p.argmax())} ({p.max():.0%})".ljust(16) for p in probs))
    print("   ".join(f"label {int(t)}".ljust(16) for t in y_test[:6]))

    figure = plot_curves(history.history, args.out / "curves.png")
    seconds = time.perf_counter() - t0
    print(f"\nloss and accuracy curves: {figure}   ({seconds:.1f} s in all)")
    return {
        "test_accuracy": float(test_accuracy),
        "test_loss": float(test_loss),
        "figure": os.fspath(figure),
        "history": history.history,
        "seconds": seconds,
    }


if __name__ == "__main__":
    main()
