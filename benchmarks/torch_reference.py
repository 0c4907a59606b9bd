"""PyTorch eager beside this engine and the hand-written numpy step, for context.

Not part of `python -m benchmarks`: PyTorch is not a dependency. With PyTorch
installed, run

    OPENBLAS_NUM_THREADS=1 python -m benchmarks.torch_reference

It times one SGD step of the same MLP 784-256-128-10 (ReLU, cross-entropy,
float32) three ways at batch 32, 256 and 2048, interleaved as in the suite, and
prints the ratios. Everything runs on one thread: interleaved, the thread pools
of two BLAS libraries on the same cores spin while the other works, which
would slow both and measure that instead.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import nn
from autograd import Value
from benchmarks.harness import compare
from benchmarks.tensor import (
    LR,
    SIZES,
    engine_step,
    make_batch,
    make_model,
    numpy_step,
)


def torch_step(batch: int) -> Any:
    """The step in PyTorch eager, as its tutorials write it."""
    import torch

    x, y = make_batch(batch)
    layers: list[Any] = []
    for i in range(len(SIZES) - 1):
        layers.append(torch.nn.Linear(SIZES[i], SIZES[i + 1]))
        if i < len(SIZES) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step() -> None:
        loss = loss_fn(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def ratios(batch: int, rounds: int = 21) -> tuple[float, float, float]:
    """(engine / numpy, torch / numpy, engine / torch) for one batch size."""
    x, y = make_batch(batch)
    model = make_model()
    params = [p.data for p in model.parameters()]  # shared, as in the tensor suite
    step = engine_step(model, nn.SGD(model.parameters(), lr=LR), nn.CrossEntropyLoss())
    xv = Value(x, requires_grad=False)
    repeat = {32: 20, 256: 4, 2048: 1}[batch]
    ours = compare("engine", lambda: step(xv, y), lambda: numpy_step(params, x, y), rounds, repeat)
    theirs = compare("torch", torch_step(batch), lambda: numpy_step(params, x, y), rounds, repeat)
    return ours.ratio, theirs.ratio, ours.engine_s / theirs.engine_s


def main() -> int:
    try:
        import torch
    except ImportError:
        print("benchmarks.torch_reference: PyTorch is not installed", file=sys.stderr)
        return 1
    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        print("benchmarks.torch_reference: set OPENBLAS_NUM_THREADS=1", file=sys.stderr)
        return 1
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, one thread; numpy and the engine, one BLAS thread")
    print(f"{'batch':>6} {'engine / numpy':>15} {'torch / numpy':>14} {'engine / torch':>15}")
    for batch in (32, 256, 2048):
        e, t, et = ratios(batch)
        print(f"{batch:>6} {e:>14.2f}x {t:>13.2f}x {et:>14.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
