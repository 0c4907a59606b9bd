"""What CPython itself allows: a bare reverse-mode engine beside this one.

`Bare` is the least a graph-recording engine can be in Python: a node with
six slots, the gradient rules of four operations written inline in its
backward loop (no ops table, no calls), no checks (no stale data, no
anomaly mode, no requires_grad), no names, nothing for pictures. It still does
what makes it an engine: one node per operation, a topological order found at
backward time, gradients kept on every node, and each leaf owning its gradient
array. Whatever it costs, any engine of this shape costs at least that much on
this interpreter, so its figures are the floor under the targets:

- the scalar MLP step (2-16-16-1 on 100 points, as in the scalar suite), in
  microseconds per node with the garbage collector on and paused;
- forward+backward of a 1-element add, beside numpy's add and its gradient;
- the tensor-level MLP step at batch 32 (784-256-128-10, as in the tensor
  suite), where `BareTensor` does the same: a node per dense layer, ReLU and
  softmax cross-entropy, with this engine's own numpy arithmetic, and nothing
  else (no modules, no checks, no records for pictures).

Run it alone with `python -m benchmarks --only floor`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import nn
from autograd import OPS, Value
from benchmarks import tensor
from benchmarks.harness import Result, compare
from benchmarks.scalar import STEPS_PER_ROUND, EngineMLP, gc_paused, init_weights, moons

_new = object.__new__

# Operation codes of Bare nodes; their rules are written inline in `backward`.
_LEAF, _ADD, _MUL, _RSUB, _RELU = range(5)


class Bare:
    """A featureless graph node: data, grad and the inputs of one operation."""

    __slots__ = ("_g", "_op", "_x", "_y", "data", "grad")

    def __init__(self, data: Any) -> None:
        self.data = data
        self.grad: Any = None
        self._x: Any = None
        self._y: Any = None
        self._op = _LEAF
        self._g: Any = None

    @staticmethod
    def _node(data: Any, op: int, x: Any, y: Any) -> Bare:
        n = _new(Bare)
        n.data = data
        n.grad = None
        n._x = x
        n._y = y
        n._op = op
        n._g = None
        return n

    def __add__(self, other: Any) -> Bare:
        od = other.data if type(other) is Bare else other
        return Bare._node(self.data + od, _ADD, self, other)

    __radd__ = __add__

    def __mul__(self, other: Any) -> Bare:
        od = other.data if type(other) is Bare else other
        return Bare._node(self.data * od, _MUL, self, other)

    __rmul__ = __mul__

    def __rsub__(self, other: float) -> Bare:  # other - self
        return Bare._node(other - self.data, _RSUB, self, other)

    def relu(self) -> Bare:
        d = self.data
        return Bare._node(d if d > 0 else 0.0, _RELU, self, None)

    def backward(self) -> None:
        d = self.data
        if type(d) is float:
            seed: Any = 1.0
        else:
            seed = d.copy()
            seed.fill(1)
        nodes = _post_order(self, Bare, True)
        self._g = seed
        for n in reversed(nodes):
            g = n._g
            n._g = None
            if g is _PENDING:  # nothing reached it
                continue
            op = n._op
            if op == _LEAF:
                if type(g) is np.ndarray:
                    g = g.copy()  # the leaf's own array
                n.grad = g if n.grad is None else n.grad + g
                continue
            n.grad = g
            x, y = n._x, n._y
            # Each rule inline, its gradient summed into the input's pending total.
            if op == _ADD:
                gx = gy = g
            elif op == _MUL:
                if type(y) is Bare:
                    gx = g * y.data
                    gy = g * x.data
                else:
                    gx = g * y
            elif op == _RSUB:
                gx = -g
            else:  # relu
                gx = g if n.data > 0 else 0.0
            pg = x._g
            x._g = gx if pg is _PENDING else pg + gx
            if type(y) is Bare:
                pg = y._g
                y._g = gy if pg is _PENDING else pg + gy


_OPEN: Any = object()
_PENDING: Any = object()


def _post_order(root: Any, node: type, pair: bool) -> list[Any]:
    """The nodes of a bare graph, each after its inputs: the depth-first walk of this
    engine, marks in the `_g` slot. A Bare node keeps its two inputs in `_x` and `_y`
    (pair=True); a BareTensor node a tuple of them in `_x`. Leaves (op `_LEAF`) are
    listed as soon as they are found."""
    nodes = []
    stack = [root]
    while stack:
        n = stack.pop()
        mark = n._g
        if mark is not None:
            if mark is _OPEN:
                n._g = _PENDING
                nodes.append(n)
            continue
        n._g = _OPEN
        stack.append(n)
        for p in (n._y, n._x) if pair else reversed(n._x):
            if type(p) is node and p._g is None:
                if p._op == _LEAF:  # no inputs: listed at once
                    p._g = _PENDING
                    nodes.append(p)
                else:
                    stack.append(p)
    return nodes


class BareMLP(EngineMLP):
    """The scalar suite's network and step, on Bare nodes."""

    node = Bare


def scalar_floor(rounds: int) -> list[Result]:
    """The scalar MLP step: this engine beside Bare, per node, GC on and paused."""
    xs, ys = moons()
    engine, bare = EngineMLP(init_weights()), BareMLP(init_weights())
    nodes = engine.graph_nodes(xs, ys)
    results = []
    for label, wrap in (("GC on", lambda f: f), ("GC paused", gc_paused)):
        r = compare(
            f"scalar MLP step vs the bare engine, {label}",
            wrap(lambda: engine.step(xs, ys)),
            wrap(lambda: bare.step(xs, ys)),
            rounds=rounds,
            repeat=STEPS_PER_ROUND,
        )
        e, b = r.engine_s / nodes * 1e6, r.reference_s / nodes * 1e6
        r.extra = {"nodes": nodes, "engine_us_per_node": e, "bare_us_per_node": b}
        r.note = f"reference: bare engine; {e:.2f} vs {b:.2f} us/node"
        results.append(r)
    return results


def add_floor(rounds: int) -> list[Result]:
    """Forward+backward of a 1-element add: this engine and Bare, each beside numpy."""
    a, b = np.array([0.5]), np.array([1.5])
    ones = np.ones(1)
    va, vb = Value(a), Value(b)
    ba, bb = Bare(a), Bare(b)

    def engine() -> None:
        va.grad = vb.grad = None
        (va + vb).backward()

    def bare() -> None:
        ba.grad = bb.grad = None
        (ba + bb).backward()

    def numpy_add() -> None:
        a + b
        ones.copy()
        ones.copy()

    r = compare("add (1,) forward+backward, engine vs bare", engine, bare, rounds, repeat=2000)
    floor = compare("bare", bare, numpy_add, rounds, repeat=2000)
    ours = compare("engine", engine, numpy_add, rounds, repeat=2000)
    r.extra = {"engine_vs_numpy": ours.ratio, "bare_vs_numpy": floor.ratio}
    r.note = (
        f"reference: bare engine; vs numpy's add and gradient: engine {ours.ratio:.2f}x, "
        f"bare {floor.ratio:.2f}x"
    )
    return [r]


# Operation codes of BareTensor nodes (a leaf is `_LEAF`, as for Bare: the walk they
# share tells leaves by it); their rules are written inline in `backward`.
_T_LINEAR, _T_RELU, _T_XENT = range(_RELU + 1, _RELU + 4)

# This engine's own forward functions and cross-entropy rule on raw arrays: the bare
# step does the engine's numpy arithmetic, so the two differ only in Python work.
_LINEAR = OPS["linear"].fn
_XENT = OPS["softmax_cross_entropy"].fn
_XENT_GRAD = OPS["softmax_cross_entropy"].vjps[0]  # type: ignore[index]


class BareTensor:
    """A featureless tensor node: the least an engine can do for the MLP step."""

    __slots__ = ("_g", "_op", "_saved", "_x", "data", "grad")

    def __init__(
        self, data: Any, op: int = _LEAF, inputs: tuple[Any, ...] = (), saved: Any = None
    ) -> None:
        self.data = data
        self.grad: Any = None
        self._x = inputs
        self._op = op
        self._saved = saved
        self._g: Any = None

    def backward(self) -> None:
        nodes = _post_order(self, BareTensor, False)
        self._g = 1.0
        for n in reversed(nodes):
            g = n._g
            n._g = None
            if g is _PENDING:
                continue
            op = n._op
            if op == _LEAF:  # the rules below make a new array for each leaf: no copy
                n.grad = g if n.grad is None else n.grad + g
                continue
            if op == _T_LINEAR:
                x, w, b = n._x
                xd = x.data if type(x) is BareTensor else x
                grads = [(w, xd.T @ g), (b, np.add.reduce(g, 0))]
                if type(x) is BareTensor:
                    grads.append((x, g @ w.data.T))
            elif op == _T_RELU:
                (x,) = n._x
                grads = [(x, g * (x.data > 0))]
            else:  # softmax cross-entropy
                z, labels = n._x
                grads = [(z, _XENT_GRAD(g, n.data, z.data, labels, saved=n._saved))]
            for p, gp in grads:
                pg = p._g
                p._g = gp if pg is _PENDING else pg + gp


def bare_linear(x: Any, w: BareTensor, b: BareTensor) -> BareTensor:
    xd = x.data if type(x) is BareTensor else x
    return BareTensor(_LINEAR(xd, w.data, b.data), _T_LINEAR, (x, w, b))


def bare_relu(x: BareTensor) -> BareTensor:
    return BareTensor(np.maximum(x.data, 0), _T_RELU, (x,))


def bare_cross_entropy(z: BareTensor, labels: np.ndarray) -> BareTensor:
    loss, saved = _XENT(z.data, labels)
    return BareTensor(loss, _T_XENT, (z, labels), saved)


def bare_mlp_step(params: list[BareTensor], x: np.ndarray, y: np.ndarray) -> BareTensor:
    """The tensor suite's SGD step (MLP 784-256-128-10) on BareTensor nodes."""
    w1, b1, w2, b2, w3, b3 = params
    h = bare_relu(bare_linear(bare_relu(bare_linear(x, w1, b1)), w2, b2))
    loss = bare_cross_entropy(bare_linear(h, w3, b3), y)
    for p in params:
        p.grad = None
    loss.backward()
    for p in params:
        p.data -= tensor.LR * p.grad
    return loss


def tensor_floor(rounds: int) -> list[Result]:
    """The tensor suite's MLP step at batch 32: this engine beside BareTensor, each
    beside the hand-written step. All three update the same weight arrays."""
    x, y = tensor.make_batch(32)
    model = tensor.make_model()
    params = [p.data for p in model.parameters()]
    bare_params = [BareTensor(a) for a in params]
    step = tensor.engine_step(
        model, nn.SGD(model.parameters(), lr=tensor.LR), nn.CrossEntropyLoss()
    )
    xv = Value(x, requires_grad=False)

    def engine() -> None:
        step(xv, y)

    def bare() -> None:
        bare_mlp_step(bare_params, x, y)

    def hand() -> None:
        tensor.numpy_step(params, x, y)

    n = 3 * rounds  # many short rounds, as in the tensor suite
    r = compare("MLP step, batch 32, engine vs bare", engine, bare, rounds=n, repeat=20)
    floor = compare("bare", bare, hand, rounds=n, repeat=20)
    ours = compare("engine", engine, hand, rounds=n, repeat=20)
    r.extra = {"engine_vs_numpy": ours.ratio, "bare_vs_numpy": floor.ratio}
    r.note = (
        f"reference: bare engine; vs the hand-written step: engine {ours.ratio:.2f}x, "
        f"bare {floor.ratio:.2f}x"
    )
    return [r]


def run(rounds: int = 7) -> list[Result]:
    return scalar_floor(rounds) + add_floor(rounds) + tensor_floor(rounds)
