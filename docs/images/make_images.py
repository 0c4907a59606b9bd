"""Draw the pictures the README and the documentation show, from the engine itself.

    python docs/images/make_images.py      # writes docs/images/neuron.svg

The neuron is the README's: o = tanh(x1 w1 + x2 w2 + b), after its backward pass, so
every box shows its data and its gradient. The SVG comes from Graphviz's `dot`
(`apt-get install graphviz`); only the picture is written, no DOT source beside it.
"""

from __future__ import annotations

from pathlib import Path

import autograd as ag
from autograd import Value

HERE = Path(__file__).resolve().parent


def neuron() -> Value:
    """One neuron with two inputs, backpropagated: the graph every tutorial starts from."""
    x1, x2 = Value(1.5, name="x1"), Value(-0.5, name="x2")
    w1, w2 = Value(0.8, name="w1"), Value(-1.2, name="w2")
    b = Value(0.1, name="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.name = "o"
    o.backward()
    return o


def main() -> None:
    svg = ag.draw_graph(neuron(), rankdir="LR").pipe(format="svg")
    (HERE / "neuron.svg").write_bytes(svg)
    print(f"wrote {HERE / 'neuron.svg'} ({len(svg):,} bytes)")


if __name__ == "__main__":
    main()
