"""A neuron and a small MLP made of scalar Values, trained by hand, with pictures.

Every number here is one graph node holding a Python float, as in micrograd: a neuron
is tanh(w . x + b) spelled out with + and *, so its graph can be read node by node.
The script

1. builds one neuron with two inputs, backpropagates, prints the backward pass step by
   step (`autograd.explain_backward`), and draws its graph with data and grad in every
   node (out/scalar_neuron/neuron.svg);
2. trains a 3-4-4-1 MLP of such neurons on four points with gradient descent, printing
   the loss, and draws the graph of the loss of one point after the last step
   (out/scalar_neuron/mlp.svg, parameters labelled L0.N1.w2 and so on). Dozens of
   operations deep, it runs top to bottom, scaled to 1,920 px wide: a slide's width.

    python examples/scalar_neuron.py [--steps 40] [--out out/scalar_neuron]

Without the Graphviz program `dot` the DOT sources (.gv) are still written, and the
message says how to install it. No `nn` here: only the engine.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
from collections.abc import Sequence

import autograd as ag
import autograd.install  # one clear ImportError if HIPS autograd shares the environment
from autograd import Value
from autograd.debug.render import render


class Neuron:
    """tanh(sum_i w_i x_i + b) (or without tanh for a linear output), one node per op."""

    def __init__(self, n_in: int, rng: random.Random, name: str, tanh: bool = True) -> None:
        self.w = [Value(rng.uniform(-1.0, 1.0), name=f"{name}.w{i}") for i in range(n_in)]
        self.b = Value(0.0, name=f"{name}.b")
        self.tanh = tanh

    def __call__(self, xs: Sequence[Value | float]) -> Value:
        act = self.b
        for w, x in zip(self.w, xs):
            act = act + w * x
        return act.tanh() if self.tanh else act

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]


class MLP:
    """Layers of neurons; every layer but the last one uses tanh."""

    def __init__(self, sizes: Sequence[int], seed: int = 0) -> None:
        rng = random.Random(seed)
        self.layers = [
            [Neuron(n_in, rng, f"L{k}.N{j}", tanh=k < len(sizes) - 2) for j in range(n_out)]
            for k, (n_in, n_out) in enumerate(itertools.pairwise(sizes))
        ]

    def __call__(self, xs: Sequence[Value | float]) -> Value:
        out: list[Value | float] = list(xs)
        for layer in self.layers:
            out = [neuron(out) for neuron in layer]
        assert isinstance(out[0], Value)
        return out[0]

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for n in layer for p in n.parameters()]


# Four points in 3-D and their targets (+1 or -1).
POINTS = [[1.0, -2.0, 0.5], [-1.5, 0.5, 2.0], [0.5, 1.5, -1.0], [2.0, 1.0, 1.0]]
TARGETS = [1.0, -1.0, -1.0, 1.0]


def draw(root: Value, path: str, **kwargs: object) -> str:
    """Render root's graph to `path`; without `dot`, say so and return the .gv path."""
    import graphviz

    dot = ag.draw_graph(root, **kwargs)  # type: ignore[arg-type]
    try:
        return render(dot, path)
    except graphviz.ExecutableNotFound as exc:
        print(f"  (not rendered: {exc})")
        return os.path.splitext(path)[0] + ".gv"


def one_neuron(out_dir: str) -> str:
    """A neuron with two inputs: the step-by-step backward pass and its picture."""
    x1, x2 = Value(2.0, name="x1"), Value(1.0, name="x2")
    w1, w2 = Value(-0.5, name="w1"), Value(1.5, name="w2")
    b = Value(0.25, name="b")
    x1w1 = x1 * w1
    x1w1.name = "x1w1"
    x2w2 = x2 * w2
    x2w2.name = "x2w2"
    s = x1w1 + x2w2
    s.name = "s"
    n = s + b
    n.name = "n"
    o = n.tanh()
    o.name = "o"
    print("== One neuron: o = tanh(x1*w1 + x2*w2 + b) ==\n")
    print(ag.explain_backward(o))
    o.backward()  # now every node's .grad is filled in for the picture
    return draw(o, os.path.join(out_dir, "neuron.svg"))


def train(steps: int, lr: float, out_dir: str) -> tuple[list[float], str]:
    """Gradient descent on the four points; the loss curve and the picture's path."""
    model = MLP([3, 4, 4, 1], seed=0)
    params = model.parameters()
    print(f"\n== MLP 3-4-4-1 of scalar Values ({len(params)} parameters) on 4 points ==\n")
    losses = []
    for step in range(steps):
        loss: Value = sum(((model(x) - y) ** 2 for x, y in zip(POINTS, TARGETS)), Value(0.0))
        for p in params:
            p.zero_grad()
        loss.backward()
        for p in params:
            p.data = p.data - lr * p.grad
        losses.append(loss.data)
        if step % 10 == 0 or step == steps - 1:
            print(f"  step {step:3d}  loss {loss.data:.4f}")
    preds = [model(x).data for x in POINTS]
    print("  predictions " + ", ".join(f"{p:+.3f}" for p in preds) + f"  targets {TARGETS}")
    # The loss of one point: every parameter appears once, about 200 nodes in all.
    one = (model(POINTS[0]) - TARGETS[0]) ** 2
    one.name = "loss[0]"
    one.backward()
    return losses, draw(one, os.path.join(out_dir, "mlp.svg"))


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--out", default=os.path.join("out", "scalar_neuron"))
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    neuron = one_neuron(args.out)
    losses, mlp = train(args.steps, args.lr, args.out)
    print(f"\npictures: {neuron}, {mlp}")
    return {"neuron": neuron, "mlp": mlp, "losses": losses}


if __name__ == "__main__":
    main()
