"""Walking the recorded graph backwards: topological order, backward, gradients.

The order is built with an explicit stack (no recursion), so a chain of a
million operations backpropagates under Python's default recursion limit.
Gradients are routed in one loop: each node's rule gives one gradient per
input, which `_fit` sums back to the input's shape and dtype (the engine's
single unbroadcast) before adding it to that input's running total.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from sys import getrefcount
from typing import Any

import numpy as np

import autograd.value as _v
from autograd import anomaly as _anomaly
from autograd import ops as _ops  # attributes read at call time: ops import this module
from autograd.value import (
    _KW,
    _MANY,
    _ONE,
    Marker,
    Retained,
    Value,
    as_data,
    passthrough,
    shape_of,
    times_x,
    times_y,
)


class no_grad(contextlib.ContextDecorator):
    """Context manager and decorator under which no operation is recorded.

    ``@no_grad()`` and ``@no_grad`` both decorate. Each entry saves the mode it found on
    a stack of its own, so one object may be entered again before it exits (a decorated
    function that calls itself, an object kept and nested) and still restore each mode.
    The mode is one for the whole process, not one per thread.
    """

    _enabled = False
    _prev: list[bool]

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        self = super().__new__(cls)
        self._prev = []
        if func is None:
            return self
        return self(func)  # @no_grad without parentheses: the decorated function

    def __enter__(self) -> None:
        self._prev.append(_v._GRAD_ENABLED)
        _v._GRAD_ENABLED = self._enabled

    def __exit__(self, *exc: object) -> None:
        _v._GRAD_ENABLED = self._prev.pop()


class enable_grad(no_grad):
    """Context manager and decorator that turns recording back on inside no_grad."""

    _enabled = True


def is_grad_enabled() -> bool:
    return _v._GRAD_ENABLED


def toposort(root: Value) -> list[Value]:
    """Nodes that need a gradient, each before the nodes it was computed from."""
    order = _collect(root)
    for node in order:
        node._g = None
    return order


def _collect(root: Value) -> list[Value]:
    """The nodes that need a gradient, each before the nodes it was computed from,
    each marked as pending.

    A depth-first walk with an explicit stack (no recursion) lists each node after
    its inputs (post-order); reversed, that is the order backward needs. The marks
    live in the `_g` slot (cheaper than a set of ids): None for a node not reached
    yet, _OPEN while its inputs are being walked, then _PENDING, which the backward
    pass replaces with the node's gradient. A node is pushed on the stack once more
    when it is opened, so that it is popped again, and listed, after its inputs.
    A leaf has no inputs: it is listed as soon as it is found, never pushed (in a
    small graph most nodes are leaves). A two-input node whose inputs are all listed
    already is listed at once too, without the second pop: in a network that is most
    products of a weight (a leaf) and an activation (listed by the first product
    that reached it).
    """
    order: list[Value] = []
    stack = [root]
    try:
        while stack:
            node = stack.pop()
            mark = node._g
            if mark is not None:
                if mark is _OPEN:  # popped the second time: all its inputs are listed
                    node._g = _PENDING
                    order.append(node)
                continue  # already listed (reached by two paths)
            x, y = node._x, node._y
            # The layouts of inputs (see value.inputs_of) spelled out: no tuple is built
            # per node. The last input is pushed first: inputs are walked in order.
            if type(y) is Marker:  # one input, or a tuple of them
                node._g = _OPEN
                stack.append(node)
                if y is _ONE:
                    # (`_y is not None` is requires_grad read from its slot: value.py)
                    if x is not None and x._y is not None and x._g is None:  # a Value
                        if x._op is None:
                            x._g = _PENDING
                            order.append(x)
                        else:
                            stack.append(x)
                    continue
                for p in reversed(x if y is _MANY else x[0]):
                    if isinstance(p, Value) and p._y is not None and p._g is None:
                        if p._op is None:
                            p._g = _PENDING
                            order.append(p)
                        else:
                            stack.append(p)
                continue
            # Two inputs: the node is opened (pushed below them) only if one is pushed.
            # (Deciding both inputs first and opening in one place costs 2% more
            # instructions per scalar step: the open is spelled out twice instead.)
            opened = False
            if isinstance(y, Value) and y._y is not None and y._g is None:
                if y._op is None:
                    y._g = _PENDING
                    order.append(y)
                else:
                    node._g = _OPEN
                    stack.append(node)
                    stack.append(y)
                    opened = True
            if isinstance(x, Value) and x._y is not None and x._g is None:
                if x._op is None:
                    x._g = _PENDING
                    order.append(x)
                else:
                    if not opened:
                        node._g = _OPEN
                        stack.append(node)
                        opened = True
                    stack.append(x)
            if not opened:  # every input listed: so is the node, now
                node._g = _PENDING
                order.append(node)
    except BaseException:  # an interrupt: leave no mark behind (marked nodes are in these)
        for node in order + stack:
            node._g = None
        raise
    order.reverse()
    return order


# Marks of _collect: a node whose inputs are being walked, and a node listed that has
# not received a gradient yet.
_OPEN: Any = object()
_PENDING: Any = object()


def _fit(g: Any, target: Value) -> Any:
    """Sum a gradient back to `target`'s shape and give it target's dtype."""
    d = target._data
    gd = g._data if isinstance(g, Value) else g
    if type(d) is float:
        return g if type(gd) is float else _ops.sum_to(g, shape=None)
    if type(g) is float:  # a raw Python float reaching a numpy input: of the input's type
        g = gd = d.dtype.type(g)  # (so a gradient's type tells its node's level)
    if type(gd) is float:  # a recorded Python float reaching a numpy input
        gshape: tuple[int, ...] = ()
        gdtype = _FLOAT64
    else:
        gshape, gdtype = gd.shape, gd.dtype
    if gshape != d.shape:
        # Raw data goes straight to the forward function (nothing to record).
        sum_to = _ops.sum_to.fn if type(g) is np.ndarray else _ops.sum_to
        g = sum_to(g, shape=d.shape)
    if gdtype != d.dtype:
        if gdtype.kind == "c":  # (the dtypes differ: this is already the rare path)
            raise TypeError(
                f"a complex gradient ({gdtype}) for real data ({d.dtype}): a complex "
                "constant entered the graph at this node, and the engine differentiates "
                "real numbers only"
            )
        g = _ops.astype(g, dtype=d.dtype)
    return g


_FLOAT64 = np.dtype(np.float64)


class GraphReleasedError(RuntimeError):
    """Backward through a graph whose first backward did not retain it."""


def _released_error(node: Value) -> GraphReleasedError:
    return GraphReleasedError(
        f"backward: the graph through this '{node.op}' node was already used by a "
        "backward pass and released; pass retain_graph=True to the first backward "
        "to backpropagate through it again"
    )


# The seed of each one-element output shape and dtype, made once (read-only: the
# engine never writes into a gradient it was handed, and a leaf that receives the
# seed itself gets a copy, as it does any array held elsewhere).
_ONES: dict[tuple[tuple[int, ...], np.dtype[Any]], np.ndarray] = {}


def _seed(root: Value, grad: Any, who: str, create_graph: bool) -> Any:
    """The gradient that starts backward: 1 for a scalar, else the one given (its data,
    when no graph of the gradients is recorded: rules then run on raw data)."""
    d = root._data
    if grad is None:
        if type(d) is float:
            return 1.0
        try:
            one = _ONES.get((d.shape, d.dtype))
        except AttributeError:  # neither a float nor numpy data: a Python complex
            raise TypeError(
                f"{who}: the output is complex ({d!r}), computed by '{root.op}' from a "
                "complex constant; the engine differentiates real numbers only"
            ) from None
        if one is not None:
            return one
        if d.size != 1:
            raise ValueError(
                f"{who}: output has shape {d.shape}; backward without a gradient works "
                "only for a scalar output, so pass grad= (an array of that shape) or "
                "reduce the output first (for example .sum() or .mean())"
            )
        if d.ndim == 0:
            return d.dtype.type(1)  # a numpy scalar output (a mean, a sum): a scalar seed
        one = d.copy()  # a one-element array of d's shape and dtype (faster than np.ones)
        one.fill(1)
        one.flags.writeable = False
        _ONES[d.shape, d.dtype] = one
        return one
    if isinstance(grad, Value):
        gshape = grad.shape
    else:
        grad = as_data(grad, "grad")
        gshape = shape_of(grad)
    if gshape != shape_of(d):
        raise ValueError(f"{who}: grad has shape {gshape} but the output has shape {shape_of(d)}")
    if isinstance(grad, Value):
        if create_graph:
            return grad
        grad = grad._data
    return _fit(grad, root)


def _changed_error(node: Value, p: Value) -> RuntimeError:
    return RuntimeError(
        f"backward: an input of this '{node.op}' node (shape {p.shape}) had its "
        ".data assigned (or changed in place, as an optimizer step does) after the "
        "node was computed, so the gradients through this node would be wrong; "
        "recompute the forward pass after changing data"
    )


def _propagate(
    root: Value,
    seed: Any,
    retain_graph: bool,
    create_graph: bool,
    store: bool,
    inner_grads: bool | None = None,
    wanted: set[int] | None = None,
) -> dict[int, Any]:
    """Run the gradient rules from root to the leaves.

    Each node's incoming gradient is summed in its `_g` slot while the pass
    runs. store=True also accumulates it into the `.grad` of the leaves and of
    the inner nodes that keep theirs (`inner_grads`, see `Value.backward`);
    otherwise the gradients of the nodes whose ids are in `wanted` are returned
    by id.
    """
    # Which inner nodes keep their gradient: every one, those at scalar level (the
    # default), or none but those that asked (retain_grad); see `_KEEP`.
    try:
        scalars, every = _KEEP[inner_grads]
    except (KeyError, TypeError):
        raise TypeError(
            f"backward: inner_grads must be None, True or False, got {inner_grads!r}"
        ) from None
    keep_scalars = store and scalars
    # Whether other nodes keep theirs by a test of their data: every node, or with
    # create_graph (a recorded gradient is a Value, not a float) those at scalar level.
    other = every or (scalars and create_graph)
    order = _collect(root)
    found: dict[int, Any] = {}
    checking = _v._ANOMALY_HOOK is not None
    # The fast path (see below) runs plain rules on raw data; recording the gradient's
    # graph and anomaly mode's checks of every gradient take the general path.
    fast = not (create_graph or checking)
    prev = _v._GRAD_ENABLED
    _v._GRAD_ENABLED = create_graph
    root._g = seed
    gi: Any = None  # the gradient a rule gave last
    node = root
    try:
        for node in order:
            g = node._g
            node._g = None
            if g is _PENDING:  # nothing reached this node (a zero gradient)
                continue
            op = node._op
            if op is None:  # a leaf
                if store:
                    if node.grad is None:
                        # A leaf's .grad is an array of its own, as optimizers and users
                        # may change it in place: not a view (it may be read-only, or
                        # another node's gradient), not an array held elsewhere (add
                        # hands one gradient to both inputs; a grad= given to backward
                        # belongs to the caller). Unshared, it has two references here
                        # (`g` and the argument), three when `gi` still holds it.
                        owned = 2 + (g is gi)
                        if type(g) is np.ndarray and (g.base is not None or getrefcount(g) > owned):
                            g = g.copy()
                        node.grad = g
                    else:
                        node.grad = _accumulate(node.grad, g, 2)
                elif wanted is not None and id(node) in wanted:
                    found[id(node)] = g
                continue
            # A raw gradient has the type of its node's data (`_fit` sees to it): a Python
            # float is a node at scalar level.
            scalar = type(g) is float
            # Kept at scalar level (micrograd's every node), not at tensor level unless
            # asked: an array per inner node held until the graph is dropped doubles a
            # step's transient memory (PyTorch keeps none). The scalar level first.
            if scalar and keep_scalars and node.grad is None:
                node.grad = g
            elif store:
                had = node.grad
                if had is not None:
                    node.grad = had + g
                else:
                    asked = type(node._stamp) is Retained  # by retain_grad
                    if asked or (other and (every or type(node._data) is float)):
                        node.grad = g
            elif wanted is not None and id(node) in wanted:
                found[id(node)] = g
            rules = op.vjps
            x, y = node._x, node._y
            stamp = node._stamp
            if fast and y is not _KW and rules is not None:
                # The common case spelled out (raw data, no keywords): no argument list
                # for one or two inputs (their rules are never None). A Python float
                # gradient for a Python float input (the scalar level) is summed right
                # here, without a call to _send: that call was a tenth of a scalar
                # backward. Anything else (arrays, changed data) goes through _send.
                # The rule `passthrough` (a derivative of 1) is not called, nor are a
                # product's `times_y` and `times_x`: their g * y and g * x are computed
                # here.
                if y is _ONE:
                    # (x requires grad unless it is a leaf that has turned it off since)
                    if x._y is not None:
                        xd = x._data
                        r = rules[0]
                        gi = g if r is passthrough else r(g, node._data, xd)  # type: ignore[misc]
                        if type(gi) is float and type(xd) is float and x._stamp <= stamp:
                            pg = x._g
                            x._g = gi if pg is _PENDING else pg + gi
                        else:
                            _send(node, x, gi, stamp, checking, 0)
                elif y is not _MANY:
                    xv = isinstance(x, Value)
                    yv = isinstance(y, Value)
                    # A sum or a product (Python's + - *) that gave a Python float took
                    # Python numbers (a Value holds a float or numpy data): its input
                    # Values hold floats unless changed since (the stamp tells). So a
                    # float gradient for one of them fits it as it is, with no test of
                    # the input's type: g itself (a derivative of 1 at scalar level), or
                    # a product g * y that came out a float. Any other rule's result is
                    # tested in full.
                    if xv and x._y is not None:  # x.requires_grad
                        r = rules[0]
                        if r is times_y:
                            gi = g * (y._data if yv else y)
                            fits = type(gi) is float
                        elif r is passthrough:  # a sum: the data is not read
                            gi = g
                            fits = scalar
                        else:
                            xd = x._data
                            yd = y._data if yv else y
                            gi = r(g, node._data, xd, yd)  # type: ignore[misc]
                            fits = type(gi) is float and type(xd) is float
                        if fits and x._stamp <= stamp:
                            pg = x._g
                            x._g = gi if pg is _PENDING else pg + gi
                        else:
                            _send(node, x, gi, stamp, checking, 0)
                    elif xv and x._stamp > stamp:  # a constant the other rule reads
                        raise _changed_error(node, x)
                    if yv and y._y is not None:
                        r = rules[1]
                        if r is times_x:
                            gi = g * (x._data if xv else x)
                            fits = type(gi) is float
                        elif r is passthrough:
                            gi = g
                            fits = scalar
                        else:
                            xd = x._data if xv else x
                            yd = y._data
                            gi = r(g, node._data, xd, yd)  # type: ignore[misc]
                            fits = type(gi) is float and type(yd) is float
                        if fits and y._stamp <= stamp:
                            pg = y._g
                            y._g = gi if pg is _PENDING else pg + gi
                        else:
                            _send(node, y, gi, stamp, checking, 1)
                    elif yv and y._stamp > stamp:
                        raise _changed_error(node, y)
                else:
                    datas = []  # a loop, not a comprehension (a function call in 3.11)
                    for p in x:
                        datas.append(p._data if isinstance(p, Value) else p)
                    for i, p in enumerate(x):
                        if isinstance(p, Value):
                            if p._y is not None:
                                r = rules[i]
                                gi = g if r is passthrough else r(g, node._data, *datas)  # type: ignore[misc]
                                _send(node, p, gi, stamp, checking, i)
                            elif p._stamp > stamp:  # a constant the rules read
                                raise _changed_error(node, p)
                if not retain_graph:
                    node._op = op.released
                continue
            if rules is None and op.vjp_all is None:
                if op.released is not op:  # a live primitive that was never given rules
                    raise NotImplementedError(
                        f"backward: the primitive '{op.name}' has no gradient rule; give it "
                        f"one with {op.name}.defvjp(...) (or defvjp_all)"
                    )
                raise _released_error(node)
            kw = _NO_KW
            if y is _KW:
                parents, kw = x
            else:
                parents = x if y is _MANY else (x,) if y is _ONE else (x, y)
            args: Sequence[Any]
            if create_graph:
                args = parents
                out: Any = node
            else:
                args = []
                for p in parents:
                    args.append(p._data if isinstance(p, Value) else p)
                out = node._data
            if rules is None:
                all_grads = op.vjp_all(g, out, *args, **kw)  # type: ignore[misc]
            for i, p in enumerate(parents):
                if not isinstance(p, Value):
                    continue
                if p._y is None:  # a constant, which the rules may read
                    if p._stamp > stamp:
                        raise _changed_error(node, p)
                    continue
                if rules is None:
                    gi = all_grads[i]
                else:
                    gi = rules[i](g, out, *args, **kw)  # type: ignore[misc]
                _send(node, p, gi, stamp, checking, i)
            if not retain_graph:
                node._op = op.released
                if y is _KW and op.saves:
                    # What the forward saved for the rule is of no use once the rules are
                    # released: freed now, not when the output is dropped. (The node's
                    # own dict: `apply` made it for this node.)
                    kw.pop("saved", None)
    except BaseException as exc:
        for n in order:  # leave no gradient in flight behind
            n._g = None
        if type(exc) in (TypeError, IndexError, AttributeError) and not str(exc).startswith(
            "backward:"
        ):
            # Python's own words from inside a gradient rule (a user's primitive, most
            # likely): name the node, and say what a rule must be. (Only these exact
            # types are made anew; any other exception keeps its type and its fields.)
            raise type(exc)(_rule_error_text(node, exc)) from exc
        raise
    finally:
        _v._GRAD_ENABLED = prev
    return found


def _rule_error_text(node: Value, exc: BaseException) -> str:
    op = node._op
    rules = None if op is None else op.vjps
    n = len(_v.inputs_of(node))
    if rules is not None and len(rules) < n:
        hint = f"defvjp gave {len(rules)} rules for the node's {n} inputs"
    elif rules is not None and None in rules:
        hint = "defvjp gave None for an input that needs a gradient"
    elif op is not None and not _v._engine_function(op.fn):
        hint = (
            "each rule given to defvjp is a function of (g, out, *inputs) that returns the "
            "gradient of its input, written with the engine's operations (autograd.cos, not "
            "np.cos) so that create_graph can record it"
        )
    else:
        hint = "an error inside the engine's own rule: please report it"
    return (
        f"backward: the gradient rule of this '{node.op}' node raised "
        f"{type(exc).__name__}: {exc} ({hint})"
    )


_NO_KW: dict[str, Any] = {}

# For each `inner_grads`, which inner nodes keep their gradient: (scalars, every).
# `scalars` keeps those at scalar level: with a raw gradient (a Python float) that is
# one test, made once per node in `_propagate`; a recorded gradient (a Value, with
# create_graph) is tested on the node's data. `every` keeps all. A node that asked
# (retain_grad: its stamp is `Retained`) keeps it whatever `inner_grads` says.
_KEEP: dict[bool | None, tuple[bool, bool]] = {
    None: (True, False),
    True: (True, True),
    False: (False, False),
}


def _send(node: Value, p: Value, gi: Any, stamp: int, checking: bool, i: int) -> None:
    """Add gradient `gi` (from `node`) to input `p`'s running total, fitted to p."""
    if p._stamp > stamp:
        raise _changed_error(node, p)
    if checking:
        _anomaly.check_gradient(node, i, gi)
    pd = p._data
    try:  # (free in Python 3.11 until something raises)
        if type(pd) is float:
            if type(gi) is not float:
                gi = _fit(gi, p)
        elif type(gi) is not np.ndarray or gi.shape != pd.shape or gi.dtype is not pd.dtype:
            gi = _fit(gi, p)  # (equal dtypes are mostly one object; _fit compares them fully)
    except (ValueError, TypeError) as exc:  # a shape that cannot fit; a complex gradient
        kind = TypeError if isinstance(exc, TypeError) else ValueError
        raise kind(
            f"backward: the gradient rule of this '{node.op}' node gave its input {i} "
            f"(shape {p.shape}) a gradient that does not fit it: {exc}"
        ) from None
    pg = p._g
    # Held by the slot, `pg` and the argument: no one else sees it.
    p._g = gi if pg is _PENDING else _accumulate(pg, gi, 3)


def _accumulate(total: Any, g: Any, owned: int) -> Any:
    """total + g, added into `total` in place when it is an array that nothing else
    holds (`owned`: its reference count then) and that has g's shape and dtype;
    a new result otherwise. Saves an array per extra edge where gradients meet."""
    if (
        type(total) is np.ndarray
        and type(g) is np.ndarray
        and total.base is None
        and getrefcount(total) <= owned + 1  # + 1: this function's own argument
        and total.flags.writeable
        and total.shape == g.shape
        and total.dtype == g.dtype
    ):
        total += g
        return total
    return total + g


def backward(
    root: Value,
    grad: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inner_grads: bool | None = None,
) -> None:
    """Accumulate d(root)/d(node) into `.grad` of the leaves that require it and of
    the inner nodes that keep theirs (the function form of `Value.backward`)."""
    if not isinstance(root, Value):
        raise TypeError(f"backward: root is a {type(root).__name__}, not a Value")
    root.backward(grad, retain_graph, create_graph, inner_grads)


def gradients(
    output: Value,
    inputs: Sequence[Value] | Value,
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
    try:
        needed = output.requires_grad
    except AttributeError:
        raise TypeError(f"gradients: output must be a Value, got {type(output).__name__}") from None
    ins: list[Value] = [inputs] if isinstance(inputs, Value) else list(inputs)
    for i, x in enumerate(ins):
        if not isinstance(x, Value):
            raise TypeError(f"gradients: inputs[{i}] is a {type(x).__name__}, not a Value")
        if not x.requires_grad:
            raise ValueError(
                f"gradients: inputs[{i}] (shape {x.shape}) has requires_grad=False, "
                "so no gradient is computed for it"
            )
    if not needed:
        raise ValueError("gradients: the output does not depend on any Value that requires grad")
    if retain_graph is None:
        retain_graph = create_graph
    seed = _seed(output, grad_output, "gradients", create_graph)
    found = _propagate(
        output, seed, retain_graph, create_graph, store=False, wanted={id(x) for x in ins}
    )
    result = []
    given = id(seed)
    handed: set[int] = set()  # ids of the arrays returned so far
    for x in ins:
        g = found.get(id(x))
        if g is None:
            d = x._data
            g = 0.0 if type(d) is float else np.zeros_like(d)
        elif type(g) is np.ndarray:
            # Each result an array of its own, as each leaf's .grad is: not the
            # grad_output given, not a view, not an array returned for another input
            # (add hands one gradient to both of its inputs).
            if id(g) == given or id(g) in handed or g.base is not None:
                g = g.copy()
            handed.add(id(g))
        if create_graph and not isinstance(g, Value):
            # A gradient that no rule computed from a recorded Value (the seed passed
            # on by add or x * 1, or the zeros above) is raw data: a constant Value,
            # as documented and as the caller differentiates it further.
            g = Value(g, requires_grad=False)
        result.append(g)
    return result
