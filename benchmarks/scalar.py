"""Scalar level: a micrograd-style MLP 2-16-16-1 training step on 100 two-moons
points (ReLU, hinge loss, SGD), beside the same step written by hand in plain
Python floats (forward, backward and update, no graph); and the backward pass
of a 1,000,000-node chain.
"""

from __future__ import annotations

import gc
import random
import time
from typing import Any

import numpy as np

from autograd import Value
from autograd.backprop import toposort
from benchmarks.harness import Result, compare

SIZES = (2, 16, 16, 1)
LR = 0.05
# Steps timed together in each round. With the garbage collector on, one step
# costs anything from 0.85x to 1.25x the average, depending on whether one of
# the collector's full passes (about one every two or three steps) lands in it:
# a round of one step would sample that cycle, not the cost a training loop pays.
STEPS_PER_ROUND = 6


def moons(n: int = 100, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n // 2)
    upper = np.stack([np.cos(t), np.sin(t)], 1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1)
    x = np.concatenate([upper, lower]) + rng.normal(0, 0.1, (n, 2))
    y = [-1.0] * (n // 2) + [1.0] * (n // 2)
    return x.tolist(), y


def init_weights(seed: int = 0) -> list[tuple[list[list[float]], list[float]]]:
    rnd = random.Random(seed)
    return [
        ([[rnd.uniform(-1, 1) for _ in range(SIZES[i])] for _ in range(SIZES[i + 1])],
         [0.0] * SIZES[i + 1])
        for i in range(len(SIZES) - 1)
    ]  # fmt: skip


class EngineMLP:
    """The network built from scalar Values, as in micrograd."""

    node: Any = Value  # the node type (benchmarks.floor runs the same step on another)

    def __init__(self, weights: Any) -> None:
        node = self.node
        self.layers = [
            ([[node(w) for w in row] for row in W], [node(c) for c in b]) for W, b in weights
        ]
        self.params = [p for W, b in self.layers for row in W for p in row] + [
            p for _, b in self.layers for p in b
        ]

    def forward(self, x: list[Any]) -> Any:
        last = len(self.layers) - 1
        for i, (W, b) in enumerate(self.layers):
            out = []
            for row, bias in zip(W, b):
                act = bias
                for w, xi in zip(row, x):
                    act = act + w * xi
                out.append(act if i == last else act.relu())
            x = out
        return x[0]

    def loss(self, xs: list[list[float]], ys: list[float]) -> Any:
        """Mean hinge loss over the points (the forward pass of a step)."""
        total: Any = self.node(0.0)
        for x, y in zip(xs, ys):
            total = total + (1 - y * self.forward(x)).relu()
        return total * (1.0 / len(xs))

    def graph_nodes(self, xs: list[list[float]], ys: list[float]) -> int:
        """How many nodes one step's graph has (the graph is dropped afterwards)."""
        return len(toposort(self.loss(xs, ys)))

    def step(self, xs: list[list[float]], ys: list[float]) -> Any:
        loss = self.loss(xs, ys)
        for p in self.params:
            p.grad = None
        loss.backward()
        for p in self.params:
            p.data -= LR * p.grad
        return loss


def plain_step(weights: Any, xs: list[list[float]], ys: list[float]) -> float:
    """The same step in plain floats: forward, hand-written backward, update."""
    n = len(xs)
    grads = [([[0.0] * len(r) for r in W], [0.0] * len(b)) for W, b in weights]
    total = 0.0
    last = len(weights) - 1
    for x, y in zip(xs, ys):
        acts = [x]
        pres = []
        for i, (W, b) in enumerate(weights):
            pre = []
            for row, bias in zip(W, b):
                s = bias
                for w, xi in zip(row, acts[-1]):
                    s += w * xi
                pre.append(s)
            pres.append(pre)
            acts.append(pre if i == last else [v if v > 0 else 0.0 for v in pre])
        margin = 1 - y * acts[-1][0]
        if margin <= 0:
            continue
        total += margin
        delta = [-y / n]
        for i in range(last, -1, -1):
            W, _ = weights[i]
            gW, gb = grads[i]
            if i != last:
                delta = [d if p > 0 else 0.0 for d, p in zip(delta, pres[i])]
            inp = acts[i]
            back = [0.0] * len(inp)
            for j, (row, d) in enumerate(zip(W, delta)):
                gb[j] += d
                grow = gW[j]
                for k, xi in enumerate(inp):
                    grow[k] += d * xi
                    back[k] += d * row[k]
            delta = back
    for (W, b), (gW, gb) in zip(weights, grads):
        for row, grow in zip(W, gW):
            for k in range(len(row)):
                row[k] -= LR * grow[k]
        for j in range(len(b)):
            b[j] -= LR * gb[j]
    return total / n


def run(rounds: int = 7) -> list[Result]:
    xs, ys = moons()
    model = EngineMLP(init_weights())
    nodes = model.graph_nodes(xs, ys)
    weights = init_weights()
    results = []
    # The second row pauses the cyclic garbage collector during each step: what the
    # collector's passes over the growing graph cost (the graph itself has no cycles
    # and is freed by reference counting either way).
    for name, wrap, note, gc_label in (
        (
            "scalar MLP 2-16-16-1 step, 100 points",
            lambda f: f,
            "reference: same step in plain Python floats; {nodes} nodes, ",
            " (GC on)",
        ),
        (
            "scalar MLP step, garbage collector paused",
            gc_paused,
            "reference: the same, plain floats; ",
            "",
        ),
    ):
        r = compare(
            name,
            wrap(lambda: model.step(xs, ys)),
            wrap(lambda: plain_step(weights, xs, ys)),
            rounds=rounds,
            repeat=STEPS_PER_ROUND,
        )
        per_node = r.engine_s / nodes * 1e6
        r.extra = {"nodes": nodes, "us_per_node": per_node}
        r.note = note.format(nodes=nodes) + f"{per_node:.2f} us/node{gc_label}"
        results.append(r)
    return [*results, chain_backward()]


def gc_paused(fn: Any) -> Any:
    """fn wrapped so that the cyclic garbage collector is paused while it runs."""

    def run() -> None:
        gc.disable()
        try:
            fn()
        finally:
            gc.enable()

    return run


def chain_backward(n: int = 1_000_000) -> Result:
    """Backward of an n-node chain, beside building it (the forward)."""
    x = Value(1.0)
    y = x
    t0 = time.perf_counter()
    for _ in range(n):
        y = y * 1.0
    t1 = time.perf_counter()
    y.backward()
    t2 = time.perf_counter()
    return Result(
        f"backward of a {n:,}-node chain",
        t2 - t1,
        t1 - t0,
        note=f"reference: building the chain; {(t2 - t1) / n * 1e6:.2f} us/node backward",
    )
