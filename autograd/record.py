"""Recording: the one path by which an operation runs and joins the graph.

`apply(op, args, kw)` runs a primitive's forward on the raw data of its arguments
and, when some input Value requires a gradient and recording is on, returns a new
node that remembers the primitive, the inputs and the keyword arguments. Every
operator, method and function of the engine ends here.

Grad mode (`no_grad`, `enable_grad`) switches recording off and on. It is one
switch for the whole process, not one per thread.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from autograd import anomaly
from autograd.convert import numbers_of
from autograd.errors import type_error_text, value_error_text
from autograd.frozen import freeze
from autograd.node import CLOCK, Node


class GradMode:
    """Whether operations are recorded (see the module docstring)."""

    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


GRAD_MODE = GradMode()


class no_grad(contextlib.ContextDecorator):
    """Context manager and decorator under which no operation is recorded.

    ``@no_grad()`` and ``@no_grad`` both decorate. Each entry saves the mode it found on
    a stack of its own, so one object may be entered again before it exits (a decorated
    function that calls itself, an object kept and nested) and still restore each mode.
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
        self._prev.append(GRAD_MODE.enabled)
        GRAD_MODE.enabled = self._enabled

    def __exit__(self, *exc: object) -> None:
        GRAD_MODE.enabled = self._prev.pop()


class enable_grad(no_grad):
    """Context manager and decorator that turns recording back on inside no_grad."""

    _enabled = True


def is_grad_enabled() -> bool:
    return GRAD_MODE.enabled


def apply(op: Any, args: tuple[Any, ...], kw: dict[str, Any]) -> Any:
    """Run primitive `op` forward on `args`; record a node when an input Value
    requires a gradient and recording is on.

    Arguments that are not Values are constants. All-raw arguments give a raw
    result: that is how gradient rules run on plain data during a backward pass.
    """
    datas = []
    first_value = None  # the first Value argument: operations on it make Values
    requires_grad = False
    for a in args:
        if isinstance(a, Node):
            if first_value is None:
                first_value = a
            if a._requires_grad:
                requires_grad = True
            datas.append(a._data)
        elif type(a) is list or type(a) is tuple:
            datas.append(numbers_of(a, op.name))  # a list of Values: refused, not flattened
        else:
            datas.append(a)
    out, saved = forward(op, datas, kw)
    if first_value is None:
        return out
    if not (requires_grad and GRAD_MODE.enabled):
        return constant(first_value, out)
    if saved is not None:
        kw = {**kw, "saved": saved}
    node = new_node(first_value, out, op, args, kw or None, requires_grad=True)
    if type(out) is not float:  # arrays can change in place (floats cannot): frozen.py
        node._frozen = freeze(datas, out)  # what its rules read, read-only while it lives
    if anomaly.MODE.enabled:
        anomaly.on_new_node(node)
    return node


def forward(op: Any, datas: list[Any], kw: dict[str, Any]) -> tuple[Any, Any]:
    """`op`'s forward on raw data: its output, and what it saved for its rules (None
    unless the primitive saves). Its errors are worded to name the op and the shapes."""
    try:
        out = op.fn(*datas, **kw) if kw else op.fn(*datas)
    except ValueError as exc:
        raise ValueError(value_error_text(op, datas, kw, exc)) from op.cause(exc)
    except TypeError as exc:
        raise TypeError(type_error_text(op, datas, kw, exc)) from op.cause(exc)
    return out if op.saves else (out, None)


def constant(like: Node, data: Any) -> Any:
    """A new leaf holding `data` that requires no gradient."""
    return new_node(like, data, None, (), None, requires_grad=False)


def new_node(
    like: Node,
    data: Any,
    op: Any,
    inputs: tuple[Any, ...],
    kwargs: dict[str, Any] | None,
    requires_grad: bool,
) -> Any:
    """A node of the class that operations on `like` make (`Node._output_class`: a
    Value, for Values and for subclasses such as nn.Parameter)."""
    node = object.__new__(like._output_class)
    node._data = data
    node.grad = None
    node._op = op
    node._inputs = inputs
    node._kwargs = kwargs
    node._requires_grad = requires_grad
    node._version = node._computed_at = CLOCK.now
    node._retains_grad = False
    node._name = None
    return node
