"""micrograd beside this engine on the scalar step, for context.

Not part of `python -m benchmarks`: micrograd is not a dependency. With it
installed (`pip install micrograd`), run

    python -m benchmarks.micrograd_reference

It times the scalar suite's training step (MLP 2-16-16-1 on 100 two-moons
points, ReLU, hinge loss, SGD) with the suite's own network class, once with
micrograd's `Value` as its node and once with this engine's, garbage collector
on, and prints microseconds per node of the step's graph and the ratio. Each
engine runs in a process of its own: micrograd's nodes form reference cycles
(each keeps a closure over itself), and the collector work they leave behind
would otherwise land in whatever runs next in the same process.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
from typing import Any

from benchmarks.scalar import LR, STEPS_PER_ROUND, EngineMLP, init_weights, moons


class MicrogradMLP(EngineMLP):
    """The scalar suite's network on micrograd's Value."""

    def __init__(self, weights: Any) -> None:
        from micrograd.engine import Value as MicrogradValue

        self.node = MicrogradValue
        super().__init__(weights)

    def step(self, xs: list[list[float]], ys: list[float]) -> Any:
        loss = self.loss(xs, ys)
        for p in self.params:
            p.grad = 0.0  # micrograd's gradients start at zero, not None
        loss.backward()
        for p in self.params:
            p.data -= LR * p.grad
        return loss


def us_per_node(which: str, rounds: int) -> float:
    """Median over rounds of STEPS_PER_ROUND steps, in microseconds per node."""
    xs, ys = moons()
    nodes = EngineMLP(init_weights()).graph_nodes(xs, ys)
    model = MicrogradMLP(init_weights()) if which == "micrograd" else EngineMLP(init_weights())
    model.step(xs, ys)
    gc.collect()
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(STEPS_PER_ROUND):
            model.step(xs, ys)
        times.append((time.perf_counter() - t0) / STEPS_PER_ROUND)
    return statistics.median(times) / nodes * 1e6


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.micrograd_reference")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of six steps per engine")
    ap.add_argument("--only", choices=("micrograd", "engine"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.only:  # a child process: one engine, one figure
        print(json.dumps(us_per_node(args.only, args.rounds)))
        return 0
    try:
        import micrograd  # noqa: F401
    except ImportError:
        print(
            "benchmarks.micrograd_reference: micrograd is not installed (pip install micrograd)",
            file=sys.stderr,
        )
        return 1
    figures = {}
    for which in ("micrograd", "engine"):
        cmd = [sys.executable, "-m", "benchmarks.micrograd_reference", "--only", which]
        cmd += ["--rounds", str(args.rounds)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        figures[which] = float(done.stdout)
    print("scalar MLP 2-16-16-1 step on 100 points, garbage collector on, us per node")
    print(f"micrograd {figures['micrograd']:.2f}  engine {figures['engine']:.2f}  ", end="")
    print(f"micrograd / engine {figures['micrograd'] / figures['engine']:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
