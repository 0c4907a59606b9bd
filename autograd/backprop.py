"""Backpropagation: the chain rule run over the recorded graph, from an output back
to the leaves.

1. `toposort` lists the nodes that need a gradient, each before the nodes it was
   computed from (an explicit stack, no recursion: a chain of a million operations
   backpropagates under Python's default recursion limit).
2. `backpropagate` walks that list once. Each node's gradient is complete when its
   turn comes (every node that used it came earlier); its primitive's rules turn it
   into one gradient per input (the chain rule), `fit` sums each back to its input's
   shape and dtype (the engine's single unbroadcast), and it is added to that
   input's running total.

Both levels take the same path: a rule's arithmetic works on Python floats and
numpy arrays alike, and, with create_graph, on Values (which records the gradient's
own graph, for gradients of gradients).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import anomaly, ops
from autograd.convert import as_data, shape_of
from autograd.errors import (
    changed_error,
    complex_gradient_error,
    misfit_error,
    no_rule_error,
    output_changed_error,
    released_error,
    rule_error_text,
    seed_complex_error,
    seed_not_scalar_error,
)
from autograd.node import Node
from autograd.record import GRAD_MODE, constant


def toposort(root: Node) -> list[Node]:
    """The nodes that need a gradient, each before the nodes it was computed from.

    A depth-first walk lists each node after its inputs (post-order); reversed, every
    node comes before its inputs. A node is pushed a second time, marked, when it is
    opened, so that it is listed when popped again, after all its inputs."""
    order: list[Node] = []
    visited: set[Node] = set()  # (a node hashes by identity)
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, inputs_listed = stack.pop()
        if inputs_listed:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for p in reversed(node._inputs):  # the first input is walked first
            if isinstance(p, Node) and p._requires_grad and p not in visited:
                stack.append((p, False))
    order.reverse()
    return order


def backpropagate(
    root: Node,
    seed: Any,
    retain_graph: bool,
    create_graph: bool,
    inner_grads: bool | None = None,
    wanted: set[Node] | None = None,
) -> dict[Node, Any]:
    """Run the chain rule from `root` (whose gradient is `seed`) to the leaves.

    Without `wanted`, each leaf's gradient is added to its `.grad`, and so is that of
    each inner node that keeps it (`keeps_grad`), once the whole pass has succeeded: a
    pass that fails changes no `.grad`. With `wanted`, no `.grad` changes: the
    gradients of those nodes are returned."""
    order = toposort(root)
    grads: dict[Node, Any] = {root: seed}  # each node's running total
    found: dict[Node, Any] = {}  # the complete gradients to store or to return
    checking = anomaly.MODE.enabled  # anomaly mode: every gradient checked for nan/inf
    was_recording = GRAD_MODE.enabled
    GRAD_MODE.enabled = create_graph  # with create_graph, rules record their own graph
    node = root
    try:
        for node in order:
            g = grads.pop(node, None)
            if g is None:  # no path from root carried a gradient here
                continue
            keep = keeps_grad(node, inner_grads) if wanted is None else node in wanted
            if keep:  # stored in .grad once the pass succeeds, or returned
                found[node] = g
            if node._op is None:  # a leaf: nothing further back
                continue
            for i, p, gi in vjp(node, g, create_graph):  # the chain rule, input by input
                if checking:
                    anomaly.check_gradient(node, i, gi)
                gi = fit(gi, p, node, i)
                total = grads.get(p)
                grads[p] = gi if total is None else total + gi
            if not retain_graph:
                _release(node)
    except (TypeError, IndexError, AttributeError) as exc:
        if _python_words(exc):
            raise type(exc)(rule_error_text(node, exc)) from exc
        raise
    finally:
        GRAD_MODE.enabled = was_recording
    if wanted is None:
        _store(found, seed)
    return found


def _python_words(exc: Exception) -> bool:
    """Whether an error is Python's own words from inside a gradient rule (a user's
    primitive, most likely), which backward says again naming the node and what a rule
    must be. Only these exact types are made anew (a subclass keeps its type and its
    fields), and the engine's own messages ("backward: ...") stay as they are."""
    return type(exc) in (TypeError, IndexError, AttributeError) and not str(exc).startswith(
        "backward:"
    )


def vjp(node: Node, g: Any, create_graph: bool) -> list[tuple[int, Node, Any]]:
    """The chain rule at one node: from the gradient `g` of its output, the gradient
    of each input that needs one, as (position, input, gradient).

    Plain rules read raw data; with create_graph they read the Values themselves, so
    that what they compute is recorded (gradients of gradients)."""
    op = node._op
    rules = op.vjps
    if rules is None and op.vjp_all is None:
        raise released_error(node) if op is not op.live else no_rule_error(op)
    inputs = node._inputs
    args, out = _rule_arguments(node, create_graph)
    kw = node._kwargs or _NO_KEYWORDS
    every = op.vjp_all(g, out, *args, **kw) if rules is None else None
    grads = []
    for i, p in enumerate(inputs):
        if isinstance(p, Node) and p._requires_grad:
            gi = rules[i](g, out, *args, **kw) if every is None else every[i]
            grads.append((i, p, gi))
    return grads


_NO_KEYWORDS: dict[str, Any] = {}


def _rule_arguments(node: Node, create_graph: bool) -> tuple[list[Any], Any]:
    """What a node's rules read, its inputs and its output: raw data, or with
    create_graph the Values themselves. Refused when any of them changed since the
    node was computed (the mutation contract, node.py)."""
    if node._version > node._computed_at:  # its own data changed since it was computed
        raise output_changed_error(node)
    args = []
    for p in node._inputs:
        if isinstance(p, Node):
            if p._version > node._computed_at:  # its data changed after this node read it
                raise changed_error(node, p)
            args.append(p if create_graph else p._data)
        else:
            args.append(p)
    return args, (node if create_graph else node._data)


def fit(g: Any, target: Node, node: Node | None = None, i: int = 0) -> Any:
    """Sum gradient `g` back to `target`'s shape and give it target's dtype.

    Broadcasting in the forward pass (a bias added to every row) means a rule's
    gradient has the output's shape; this is the one place it is summed back to the
    input's (`sum_to`), for every edge of every graph. A gradient that cannot fit
    raises an error naming `node` and its input `i`, the target."""
    d = target._data
    if type(g) is float and type(d) is float:  # scalar level: nothing to fit
        return g
    try:
        return _fitted(g, d)
    except (ValueError, TypeError) as exc:  # a shape that cannot fit; a complex gradient
        if node is None:
            raise
        raise misfit_error(node, i, target, exc) from None


def _fitted(g: Any, d: Any) -> Any:
    gd = g._data if isinstance(g, Node) else g
    if type(d) is float:
        return g if type(gd) is float else ops.sum_to(g, shape=None)
    if type(g) is float:  # a Python float reaching a numpy input: of the input's type
        g = gd = d.dtype.type(g)
    gshape, gdtype = ((), np.dtype(np.float64)) if type(gd) is float else (gd.shape, gd.dtype)
    if gshape != d.shape:
        g = ops.sum_to(g, shape=d.shape)
    if gdtype != d.dtype:
        if gdtype.kind == "c":
            raise complex_gradient_error(gdtype, d.dtype)
        g = ops.astype(g, dtype=d.dtype)
    return g


def keeps_grad(node: Node, inner_grads: bool | None) -> bool:
    """Whether backward adds this node's gradient to its `.grad`: a leaf's always, an
    inner node's when it has one already, when it asked (retain_grad), and by
    `inner_grads`: None keeps those at scalar level (micrograd's every node; an array
    kept on every inner node would double a tensor step's memory, and PyTorch keeps
    none), True every one, False none."""
    if node._op is None or node.grad is not None or node._retains_grad:
        return True
    return inner_grads is True or (inner_grads is None and type(node._data) is float)


def _store(found: dict[Node, Any], seed: Any) -> None:
    """Add each node's gradient to its `.grad` (the nodes that keep theirs).

    A leaf's .grad is an array of its own, which optimizers and users may change in
    place: not the seed given to backward, not an array stored on another node too
    (add passes one gradient on to both inputs), not a view, not read-only."""
    held = {id(seed)}  # ids of the arrays held elsewhere: the seed, those stored so far
    for node, g in found.items():
        if node.grad is not None:
            node.grad = node.grad + g
            continue
        if (
            node._op is None
            and type(g) is np.ndarray
            and (id(g) in held or g.base is not None or not g.flags.writeable)
        ):
            g = g.copy()
        held.add(id(g))
        node.grad = g


def _release(node: Node) -> None:
    """Free what only a second backward would need: the node's rules (it points to the
    rule-less twin of its primitive, which still names it), and what its forward saved
    for them."""
    node._op = node._op.released
    node._frozen = None  # the arrays its rules read may change now (frozen.py)
    if node._kwargs is not None and "saved" in node._kwargs:
        node._kwargs = {k: v for k, v in node._kwargs.items() if k != "saved"} or None


def seed_gradient(root: Node, grad: Any, who: str, create_graph: bool) -> Any:
    """The gradient that starts backward: 1 for a one-element output, else the one
    given (its data, when no graph of the gradients is recorded)."""
    d = root._data
    if grad is None:
        if type(d) is float:
            return 1.0
        if not isinstance(d, np.ndarray | np.generic):  # a Python complex
            raise seed_complex_error(who, root)
        if d.size != 1:
            raise seed_not_scalar_error(who, d.shape)
        return np.ones_like(d) if d.ndim else d.dtype.type(1)
    if isinstance(grad, Node):
        gshape = shape_of(grad)
    else:
        grad = as_data(grad, "grad")
        gshape = shape_of(grad)
    if gshape != shape_of(d):
        raise ValueError(f"{who}: grad has shape {gshape} but the output has shape {shape_of(d)}")
    if isinstance(grad, Node):
        if create_graph:
            return grad
        grad = grad._data
    return fit(grad, root)


def backward(
    root: Node,
    grad: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inner_grads: bool | None = None,
) -> None:
    """Accumulate d(root)/d(node) into `.grad` of the leaves that require it and of
    the inner nodes that keep theirs (see `Value.backward`)."""
    if not isinstance(root, Node):
        raise TypeError(f"backward: root is a {type(root).__name__}, not a Value")
    if not root._requires_grad:
        raise RuntimeError(
            "backward: this Value does not require grad (it is a constant or was "
            "computed under no_grad), so there is no graph to backpropagate through"
        )
    if inner_grads not in (None, True, False):
        raise TypeError(f"backward: inner_grads must be None, True or False, got {inner_grads!r}")
    if retain_graph is None:
        retain_graph = create_graph
    seed = seed_gradient(root, grad, "backward", create_graph)
    backpropagate(root, seed, retain_graph, create_graph, inner_grads)


def gradients(
    output: Node,
    inputs: Sequence[Node] | Node,
    grad_output: Any = None,
    create_graph: bool = False,
    retain_graph: bool | None = None,
) -> list[Any]:
    """d(output)/d(input) for each input, without touching any `.grad`.

    With create_graph=True the results are Values whose graphs can be
    differentiated again (a constant Value where the gradient depends on no recorded
    Value: x * 2 gives 2 whatever x is); otherwise they are raw floats/arrays. An input
    the output does not depend on gets zeros of its shape.
    """
    ins = _checked_inputs(output, inputs)
    if retain_graph is None:
        retain_graph = create_graph
    seed = seed_gradient(output, grad_output, "gradients", create_graph)
    found = backpropagate(output, seed, retain_graph, create_graph, wanted=set(ins))
    result = []
    handed = {id(seed)}  # ids of arrays the caller holds or that were returned already
    for x in ins:
        g = found.get(x)
        if g is None:
            d = x._data
            g = 0.0 if type(d) is float else np.zeros_like(d)
        elif type(g) is np.ndarray:
            # Each result an array of its own, as each leaf's .grad is: not the
            # grad_output given, not a view, not an array returned for another input.
            if id(g) in handed or g.base is not None:
                g = g.copy()
            handed.add(id(g))
        if create_graph and not isinstance(g, Node):
            # A gradient no rule computed from a recorded Value (the seed passed on by
            # add, or the zeros above) is raw data: a constant Value, as documented.
            g = constant(output, g)
        result.append(g)
    return result


def _checked_inputs(output: Node, inputs: Sequence[Node] | Node) -> list[Node]:
    """The inputs of `gradients` as a list, each checked to be a Value that requires
    grad, as the output must be."""
    if not isinstance(output, Node):
        raise TypeError(f"gradients: output must be a Value, got {type(output).__name__}")
    ins: list[Node] = [inputs] if isinstance(inputs, Node) else list(inputs)
    for i, x in enumerate(ins):
        if not isinstance(x, Node):
            raise TypeError(f"gradients: inputs[{i}] is a {type(x).__name__}, not a Value")
        if not x._requires_grad:
            raise ValueError(
                f"gradients: inputs[{i}] (shape {shape_of(x)}) has requires_grad=False, "
                "so no gradient is computed for it"
            )
    if not output._requires_grad:
        raise ValueError("gradients: the output does not depend on any Value that requires grad")
    return ins
