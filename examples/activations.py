"""Which activation, and why do deep sigmoid networks stop learning? A study on digits.

Trains the same deep MLP, 64-(128 x 8)-10 with Glorot-uniform weights and zero biases
(Keras' Dense defaults), once per activation: step, sigmoid, tanh, ReLU, leaky ReLU,
PReLU and ELU, with plain SGD (lr 0.01, batch 32) on scikit-learn's 8x8 digits. Prints a
table of the final test accuracy, the ratio of the first to the last hidden layer's
weight-gradient norm at initialisation (full training set, before any step), and the
slopes PReLU learned; writes one figure with the training curves, the gradient norm of
every layer at initialisation, the first/last ratio during training (from the
GradientFlow callback), and each activation beside its derivative, the derivative
computed by the engine (backward through the activation).

    python examples/activations.py                  # 20 epochs, all activations
    python examples/activations.py --epochs 5 --activations sigmoid,relu

The loop is written by hand (DataLoader, SGD), as in PyTorch. The figure goes to
out/activations/activations.png, the numbers to results.json and the table, as
markdown, to table.md (``--out`` changes the folder; ``--markdown PATH`` writes the
table there too). The documentation shows the table of a full run, made by

    python examples/activations.py --markdown docs/generated/activations.md

so its numbers are this script's. The whole study takes about a minute at most on two cores.

What to look for: step gets no gradient below the output layer (only that last linear
layer learns, a little above chance); deep sigmoid with Glorot scaling stays at chance,
with a first/last gradient ratio of order 1e-5, as Glorot and Bengio describe; tanh and
ELU train well; the ReLU family starts slowly, because Glorot scaling halves the signal
at every rectifier layer (``--init he_uniform``, as He et al. propose, fixes that).
PReLU's learned slopes move away from their start at 0.25.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import autograd as ag
import nn
from nn.keras.callbacks import GradientFlow

# name -> a fresh activation module (PReLU: one learned slope per layer, 0.25 at start).
ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "step": nn.Step,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "prelu": nn.PReLU,
    "elu": nn.ELU,
}


def build(
    activation: str,
    hidden: int,
    width: int,
    init: str = "glorot_uniform",
    n_in: int = 64,
    n_out: int = 10,
) -> nn.Module:
    """Dense(width) + activation, `hidden` times, then Dense(n_out) giving logits."""
    layers: list[nn.Module] = []
    size = n_in
    for _ in range(hidden):
        dense = nn.Dense(width, input_dim=size, kernel_initializer=init)
        layers += [dense, ACTIVATIONS[activation]()]
        size = width
    layers.append(nn.Dense(n_out, input_dim=size, kernel_initializer=init))
    return nn.Sequential(*layers)


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    with ag.no_grad():
        logits = model(ag.Value(x, requires_grad=False)).data
    return float((logits.argmax(axis=1) == y).mean())


def init_gradient_norms(model: nn.Module, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Weight-gradient norm of every layer before training, over the whole training set."""
    loss = nn.CrossEntropyLoss()(model(ag.Value(x, requires_grad=False)), y)
    model.zero_grad()
    loss.backward()
    norms = GradientFlow().record(model)
    model.zero_grad()
    return norms


def train_one(
    activation: str,
    data: Any,
    epochs: int,
    hidden: int,
    width: int,
    lr: float,
    batch: int,
    seed: int,
    init: str = "glorot_uniform",
) -> dict[str, Any]:
    """Train one network; its curves, gradient figures and (PReLU) learned slopes."""
    (x_train, y_train), (x_test, y_test) = data
    nn.manual_seed(seed)  # the same weights for every activation
    model = build(activation, hidden, width, init)
    norms = init_gradient_norms(model, x_train, y_train)
    names = list(norms)  # kernels, input side first; the last one is the output layer
    ratio = norms[names[0]] / norms[names[-2]] if norms[names[-2]] > 0 else 0.0

    loader = nn.DataLoader(x_train, y_train, batch_size=batch, shuffle=True, seed=seed)
    opt = nn.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    flow = GradientFlow()
    losses, accs = [], []
    start = time.perf_counter()
    for _ in range(epochs):
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            flow.record(model)
            opt.step()
            total += float(loss.data) * len(yb)
            count += len(yb)
        flow.end_epoch()
        losses.append(total / count)
        accs.append(accuracy(model, x_test, y_test))
    slopes = [float(m.weight.data[0]) for m in model.modules() if isinstance(m, nn.PReLU)]
    during = [flow.ratio_first_last(epoch=e, first=names[0], last=names[-2]) for e in range(epochs)]
    return {
        "activation": activation,
        "test_accuracy": accs[-1] if accs else accuracy(model, x_test, y_test),
        "train_loss": losses[-1] if losses else math.nan,
        "accuracy_curve": accs,
        "loss_curve": losses,
        "init_norms": norms,
        "init_ratio": ratio,
        "ratio_curve": during,
        "prelu_slopes": slopes,
        "seconds": time.perf_counter() - start,
        "model": model,
    }


def derivative(act: nn.Module, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and f'(x) from the engine: backward of sum(f(x)) gives f'(x) elementwise."""
    xv = ag.Value(x)
    y = act(xv)
    ag.sum(y).backward()
    return np.asarray(y.data), np.asarray(xv.grad)


def table(results: Sequence[dict[str, Any]]) -> str:
    head = f"{'activation':<11} {'test acc':>8} {'train loss':>10} {'grad ratio at init':>19}"
    lines = [head + "   PReLU slopes", "-" * (len(head) + 15)]
    for r in results:
        slopes = " ".join(f"{s:.3f}" for s in r["prelu_slopes"]) or "-"
        lines.append(
            f"{r['activation']:<11} {r['test_accuracy']:>8.4f} {r['train_loss']:>10.4f} "
            f"{r['init_ratio']:>19.3e}   {slopes}"
        )
    return "\n".join(lines)


def _ratio_text(ratio: float) -> str:
    """A gradient ratio as the table shows it: 0 exactly, small ones in e-notation."""
    if ratio == 0:
        return "0"
    return f"{ratio:.1e}" if abs(ratio) < 0.01 else f"{ratio:.2f}"


def markdown_table(
    results: Sequence[dict[str, Any]], args: argparse.Namespace, command: str, sizes: str
) -> str:
    """The results as a markdown table, headed by the command and settings that made it
    (the documentation includes this file, so its numbers are a run's)."""
    lines = [
        "<!-- Written by examples/activations.py: rerun the command below to change it. -->",
        "",
        f"Made by `{command}`: MLP 64-({args.width} x {args.hidden})-10, {args.init} "
        f"weights, SGD lr {args.lr}, batch {args.batch_size}, {args.epochs} epochs, "
        f"seed {args.seed}; digits: {sizes}.",
        "",
        "| activation | test accuracy | final training loss "
        "| gradient norm at init, first / last hidden layer | PReLU slopes learned |",
        "|---|---:|---:|---:|---|",
    ]
    for r in results:
        slopes = r["prelu_slopes"]
        learned = f"{min(slopes):.2f} to {max(slopes):.2f} (from 0.25)" if slopes else ""
        lines.append(
            f"| {r['activation']} | {r['test_accuracy']:.3f} | {r['train_loss']:.3f} "
            f"| {_ratio_text(r['init_ratio'])} | {learned} |"
        )
    return "\n".join(lines) + "\n"


def _write_text(path: str, text: str) -> None:
    """Write `text` to `path` atomically: a failed write leaves the old file as it was."""
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f".{os.path.basename(path)}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def figure(results: Sequence[dict[str, Any]], path: str, args: argparse.Namespace) -> None:
    """One PNG: curves, gradient norms per layer, ratio over training, f and f'."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    n = len(results)
    fig = Figure(figsize=(max(16.0, 2.4 * n), 9.5), layout="constrained")
    FigureCanvasAgg(fig)
    upper, lower = fig.subfigures(2, 1, height_ratios=[1.15, 1])
    axes = upper.subplots(1, 4)
    for r in results:
        label = r["activation"]
        epochs = np.arange(1, len(r["accuracy_curve"]) + 1)
        axes[0].plot(epochs, r["accuracy_curve"], marker="o", ms=3, label=label)
        axes[1].plot(epochs, r["loss_curve"], marker="o", ms=3, label=label)
        norms = np.array(list(r["init_norms"].values()), dtype=np.float64)
        axes[2].plot(
            np.arange(1, norms.size + 1),
            np.where(norms > 0, norms, np.nan),
            marker="o",
            ms=3,
            label=label,
        )
        ratios = np.asarray(r["ratio_curve"], dtype=np.float64)
        axes[3].plot(epochs, np.where(ratios > 0, ratios, np.nan), marker="o", ms=3, label=label)
    axes[0].set(title="test accuracy", xlabel="epoch", ylim=(0, 1))
    axes[0].axhline(0.1, color="grey", lw=0.8, ls=":")  # chance level
    axes[1].set(title="training loss", xlabel="epoch")
    axes[2].set(title="|grad W| per layer at init", xlabel="layer (input -> output)")
    axes[3].set(title="|grad W| first / last hidden", xlabel="epoch")
    axes[2].set_yscale("log")
    axes[3].set_yscale("log")
    for ax in axes:
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    lower.suptitle("each activation f (solid) and its derivative f' (dashed), from backward")
    bottom = lower.subplots(1, n, squeeze=False)[0]
    xs = np.linspace(-4.0, 4.0, 401)
    for ax, r in zip(bottom, results):
        act = next(
            (m for m in r["model"].modules() if isinstance(m, nn.PReLU)),
            ACTIVATIONS[r["activation"]](),
        )  # PReLU: the slope learned by the first hidden layer
        f, df = derivative(act, xs)
        ax.plot(xs, f, label="f(x)")
        ax.plot(xs, df, label="f'(x)", ls="--")
        ax.set_title(r["activation"])
        ax.axhline(0, color="grey", lw=0.5)
        ax.set_ylim(-1.5, 2.5)
    bottom[0].legend(fontsize=7, loc="upper left")
    fig.suptitle(
        f"Activations on digits: 64-({args.width} x {args.hidden})-10, {args.init}, "
        f"SGD lr {args.lr}, batch {args.batch_size}"
    )
    fig.savefig(path, dpi=100)


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument(
        "--activations",
        default=",".join(ACTIVATIONS),
        help="comma-separated subset of: " + ", ".join(ACTIVATIONS),
    )
    parser.add_argument("--hidden", type=int, default=8, help="hidden layers")
    parser.add_argument("--width", type=int, default=128, help="units per hidden layer")
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--init",
        default="glorot_uniform",
        help="kernel initializer (e.g. he_uniform for the ReLU family)",
    )
    parser.add_argument("--out", default=os.path.join("out", "activations"))
    parser.add_argument(
        "--no-figure", action="store_true", help="write the tables only, not the figure"
    )
    parser.add_argument(
        "--markdown",
        default=None,
        help="also write the markdown table here (the docs: docs/generated/activations.md)",
    )
    args = parser.parse_args(argv)
    given = sys.argv[1:] if argv is None else list(argv)
    command = shlex.join(["python", "examples/activations.py", *given])
    names = [a.strip() for a in args.activations.split(",") if a.strip()]
    unknown = [a for a in names if a not in ACTIVATIONS]
    if unknown:
        parser.error(f"unknown activation(s) {unknown}; known: {', '.join(ACTIVATIONS)}")

    data = nn.datasets.load_digits(seed=args.seed)
    sizes = f"{len(data[0][1])} train, {len(data[1][1])} test"
    print(
        f"digits: {sizes}; MLP 64-({args.width} x "
        f"{args.hidden})-10, {args.init}, SGD lr {args.lr}, batch {args.batch_size}, "
        f"{args.epochs} epochs"
    )
    results = []
    for name in names:
        r = train_one(
            name,
            data,
            args.epochs,
            args.hidden,
            args.width,
            args.lr,
            args.batch_size,
            args.seed,
            args.init,
        )
        print(f"  {name:<11} test accuracy {r['test_accuracy']:.4f}  ({r['seconds']:.1f} s)")
        results.append(r)
    print()
    print(table(results))
    print("grad ratio: |dL/dW| of the first hidden layer / of the last hidden layer, at init")

    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "activations.png")
    if not args.no_figure:
        figure(results, path, args)
    summary = [{k: v for k, v in r.items() if k != "model"} for r in results]
    with open(os.path.join(args.out, "results.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    md = markdown_table(results, args, command, sizes)
    _write_text(os.path.join(args.out, "table.md"), md)
    if args.markdown:
        _write_text(args.markdown, md)
        print(f"table: {args.markdown}")
    if not args.no_figure:
        print(f"figure: {path}")
    return results


if __name__ == "__main__":
    main()
