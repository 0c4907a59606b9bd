"""Backpropagation step by step: `explain_backward` makes the chain rule visible.

It replays the backward pass of a small graph in the engine's own order (newest node
first) and records every step: the node and its operation, the gradient arriving from
above (d root / d node), the local derivative of the operation for each input
(d node / d input), and the product added to that input's gradient. Printed, the result
reads as a worked example, and so does the result shown as a notebook cell's last line:

    step 2: d = e + c   (add)
      from above   dL/dd = -2.0000
      e   local dd/de = 1.0000   dL/de += -2.0000 * 1.0000 = -2.0000

The replay computes its own gradients from the same gradient rules the engine uses, on
raw data; it never touches `.grad` (nor the graph), so it works before or after
`backward()`, also on a graph that backward has released.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd.backprop import fit
from autograd.debug.notebook import preformatted_html, pretty
from autograd.debug.text import SYMBOLS, short_ids, short_kw, summarize
from autograd.node import inputs_first, inputs_of, keywords_of
from autograd.value import Value

__all__ = ["BackwardExplanation", "BackwardStep", "InputStep", "explain_backward"]


@dataclass
class InputStep:
    """What one step does for one input of the node.

    ``local`` is d(node)/d(input) (a number at scalar level; None for tensors, where it
    is a Jacobian); ``contribution`` is what is added to the input's gradient (None when
    the input is a constant that gets no gradient).
    """

    name: str
    input: Any
    local: Any
    contribution: Any

    @property
    def is_constant(self) -> bool:
        return self.contribution is None


@dataclass
class BackwardStep:
    """One node of the backward pass: the gradient arriving and what goes to each input."""

    index: int
    node: Value
    name: str
    op: str
    expression: str
    upstream: Any
    arrivals: int  # how many consumers' contributions were summed into `upstream`
    inputs: list[InputStep] = field(default_factory=list)
    root_name: str = "L"

    def lines(self) -> list[str]:
        """The step as text: a heading, the gradient from above, one line per input."""
        r = self.root_name
        out = [f"step {self.index}: {self.name} = {self.expression}   ({self.op})"]
        summed = f"   (sum of {self.arrivals} contributions)" if self.arrivals > 1 else ""
        upstream = _num(self.upstream, "grad")
        out.append(f"  from above   {_d(r, self.name)} = {upstream}{summed}")
        rows: list[tuple[str, str, str]] = []
        for i in self.inputs:
            if i.is_constant:
                rows.append((i.name, "constant: no gradient", ""))
            elif i.local is None:  # a tensor: the rule gives the product directly
                rows.append(
                    (
                        i.name,
                        f"{_d(r, i.name)} += vector-Jacobian product of {self.op}",
                        f"= {_num(i.contribution, 'grad')}",
                    )
                )
            else:
                local = _num(i.local)
                rows.append(
                    (
                        i.name,
                        f"local {_d(self.name, i.name)} = {local}",
                        f"{_d(r, i.name)} += {upstream} * {local} = {_num(i.contribution)}",
                    )
                )
        w0 = max((len(a) for a, _, _ in rows), default=0)
        w1 = max((len(b) for _, b, _ in rows), default=0)
        for a, b, c in rows:
            out.append(f"  {a:<{w0}}  {b:<{w1}}   {c}".rstrip())
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:  # a notebook cell's last line shows the step
        return preformatted_html(str(self))

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # and so does IPython's terminal
        pretty(self, p, cycle)


class BackwardExplanation:
    """The ordered steps of a backward pass (a sequence of `BackwardStep`); print it."""

    def __init__(
        self,
        root: Value,
        root_name: str,
        steps: list[BackwardStep],
        grads: dict[int, Any],
        leaves: list[tuple[str, Value]],
    ) -> None:
        self.root = root
        self.root_name = root_name
        self.steps = steps
        self._grads = grads
        self._leaves = leaves

    def grad(self, v: Value) -> Any:
        """d root / d v as the replay computed it (None if v is not on a path to root)."""
        return self._grads.get(id(v))

    @property
    def gradients(self) -> dict[str, Any]:
        """Name -> gradient of every leaf that needs one (the result of backward)."""
        return {name: self._grads.get(id(v)) for name, v in self._leaves}

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[BackwardStep]:
        return iter(self.steps)

    def __getitem__(self, i: int) -> BackwardStep:
        return self.steps[i]

    def __str__(self) -> str:
        r = self.root_name
        lines = [
            f"Backward pass through {r}: {_count(len(self.steps), 'step')}, newest node first.",
            f"Each step takes the gradient arriving at a node from above, {_d(r, 'node')}, "
            "multiplies it",
            "by the local derivative of the node's operation, d(node)/d(input), and adds "
            "the product",
            f"to {_d(r, 'input')} (the chain rule).",
            "",
            f"start: {_d(r, r)} = {_num(self._grads[id(self.root)])}",
        ]
        for step in self.steps:
            lines.append("")
            lines.extend(step.lines())
        if self._leaves:
            lines.append("")
            grads = ", ".join(
                f"{_d(r, name)} = {_num(self._grads.get(id(v), 0.0), 'grad')}"
                for name, v in self._leaves
            )
            lines.append(f"result: {grads}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<BackwardExplanation of {self.root_name}: {_count(len(self.steps), 'step')}>"

    def _repr_html_(self) -> str:  # a notebook cell's last line shows every step
        return preformatted_html(str(self))

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # and so does IPython's terminal
        pretty(self, p, cycle)


def _num(x: Any, stats: str = "data") -> str:
    """`summarize`, in e-notation below 1e-2 rather than 1e-3: fixed decimals would
    print 0.0013 for 0.001341, and a reader who multiplies the printed factors should
    get (nearly) the printed product."""
    return summarize(x, stats, small=1e-2)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _d(top: str, bottom: str) -> str:
    """d top / d bottom, with parentheses around names longer than one letter."""
    t = top if len(top) == 1 else f"({top})"
    b = bottom if len(bottom) == 1 else f"({bottom})"
    return f"d{t}/d{b}"


def _expression(node: Value, names: list[str]) -> str:
    op = node.op
    sym = SYMBOLS.get(op)
    if sym is not None and len(names) == 2 and not keywords_of(node):
        return f"{names[0]} {sym} {names[1]}"
    if op == "neg" and len(names) == 1:
        return f"-{names[0]}"
    kw = short_kw(keywords_of(node), limit=40)
    return f"{op}({', '.join(names + ([kw] if kw else []))})"


def _collect(root: Value, max_nodes: int) -> list[Value]:
    """Every Value of the graph, each before its inputs (a topological order), without
    recursion."""
    seen = {id(root): root}
    stack = [root]
    while stack:
        node = stack.pop()
        for p in inputs_of(node):
            if isinstance(p, Value) and id(p) not in seen:
                seen[id(p)] = p
                stack.append(p)
                if len(seen) > max_nodes:
                    raise ValueError(
                        f"explain_backward: the graph has more than max_nodes={max_nodes} "
                        "Values; a step-by-step account stops being readable long before "
                        "that. Explain a smaller expression (one neuron, one layer), draw "
                        "this one with draw_graph, or pass a larger max_nodes="
                    )
    return inputs_first(list(seen.values()))[::-1]


def explain_backward(root: Value, max_nodes: int = 40) -> BackwardExplanation:
    """Replay the backward pass of `root`'s graph and return its steps, in order.

    Each step holds the node, its op, the gradient from above, and for each input the
    local derivative and the product added to the input's gradient. ``str()`` of the
    result is a worked example of the chain rule. The root must hold one number.
    Graphs of more than ``max_nodes`` Values are refused with ValueError. `.grad` is not
    touched: the replay keeps its own gradients (see `BackwardExplanation.grad`).
    """
    _check_root(root)
    order = _collect(root, max_nodes)
    ids = short_ids(order)
    names = {id(v): v.name or ids[id(v)] for v in order}
    root_name = names[id(root)]
    d = root.data
    grads: dict[int, Any] = {id(root): 1.0 if type(d) is float else np.ones_like(d)}
    arrivals: dict[int, int] = {}
    steps: list[BackwardStep] = []
    for node in order:
        g = grads.get(id(node))
        if g is None or node.is_leaf or not node.requires_grad:
            continue
        step = _step(node, g, names, root_name, len(steps) + 1, arrivals.get(id(node), 1))
        for i in step.inputs:
            if i.is_constant:
                continue
            key = id(i.input)
            prev = grads.get(key)
            grads[key] = i.contribution if prev is None else prev + i.contribution
            arrivals[key] = arrivals.get(key, 0) + 1
        steps.append(step)
    leaves = [(names[id(v)], v) for v in reversed(order) if v.is_leaf and v.requires_grad]
    return BackwardExplanation(root, root_name, steps, grads, leaves)


def _check_root(root: Any) -> None:
    """Refuse a root that backward itself would refuse: not a Value, more than one
    number, or a constant."""
    if not isinstance(root, Value):
        raise TypeError(f"explain_backward: root must be a Value, got {type(root).__name__}")
    if root.size != 1:
        raise ValueError(
            f"explain_backward: the root has shape {root.shape}; start from one number "
            "(for example .sum() or .mean() of it)"
        )
    if not root.requires_grad:
        raise ValueError("explain_backward: the root does not require grad (a constant)")


def _step(
    node: Value, g: Any, names: dict[int, str], root_name: str, index: int, arrivals: int
) -> BackwardStep:
    """The step at `node`, where the gradient `g` arrived: what it passes to each input."""
    ins = inputs_of(node)
    in_names = [names[id(p)] if isinstance(p, Value) else summarize(p) for p in ins]
    step = BackwardStep(
        index=index,
        node=node,
        name=names[id(node)],
        op=node.op,
        expression=_expression(node, in_names),
        upstream=g,
        arrivals=arrivals,
        root_name=root_name,
    )
    for p, name, (local, gi) in zip(ins, in_names, _input_gradients(node, ins, g)):
        step.inputs.append(InputStep(name, p, local, gi))
    return step


def _input_gradients(node: Value, ins: tuple[Any, ...], g: Any) -> list[tuple[Any, Any]]:
    """(local derivative, contribution) per input; (None, None) for a constant input."""
    assert node._op is not None
    # After backward the node points to its op's rule-less twin; `live` leads back to the
    # primitive itself (also one made outside OPS, or sharing a name with a built-in).
    op = node._op.live
    if op.vjps is None and op.vjp_all is None:
        raise ValueError(
            f"explain_backward: primitive {op.name!r} has no gradient rule "
            "(give it one with defvjp or defvjp_all)"
        )
    args = [p.data if isinstance(p, Value) else p for p in ins]
    out = node.data
    kw = keywords_of(node) or {}
    scalar = type(g) is float and all(type(a) is float for a in args)
    every = op.vjp_all(g, out, *args, **kw) if op.vjps is None else None  # type: ignore[misc]
    result: list[tuple[Any, Any]] = []
    for i, p in enumerate(ins):
        if not (isinstance(p, Value) and p.requires_grad):
            result.append((None, None))
            continue
        if every is not None:
            result.append((None, fit(every[i], p)))
            continue
        rule = op.vjps[i]  # type: ignore[index]
        if rule is None:
            result.append((None, None))
            continue
        contribution = fit(rule(g, out, *args, **kw), p)
        local = rule(1.0, out, *args, **kw) if scalar else None
        result.append((local, contribution))
    return result
