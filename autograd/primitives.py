"""Primitives: an operation's forward function and its gradient rules, and the table
of all of them (`OPS`).

A primitive is defined once, in one place: its forward on raw data (a Python float
or a numpy array) and one gradient rule per input, registered with `defvjp`. A rule
receives `(g, out, *inputs, **kw)`, the gradient arriving from above, the output and
the inputs, and returns the gradient of its input. A plain backward passes raw data;
a backward that records itself (create_graph=True) passes the Values themselves, so
the same rule, written with the engine's own operations, builds a differentiable
graph of the gradient (gradients of gradients).

Calling a primitive on raw data returns raw data; calling it on Values records a
node (`record.apply`).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import pickle
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd.node import Node
from autograd.record import apply

Rule = Callable[..., Any]

# The table of every primitive, by name: what the package exports, and what tests and
# pictures iterate.
OPS: dict[str, Primitive] = {}


class Primitive:
    """One operation of the engine: a forward function and its gradient rules.

    `vjps[i](g, out, *inputs, **kw)` returns the gradient for input i (None for an
    input that is never differentiated). Variadic primitives (concatenate, stack) give
    `vjp_all` instead, returning the gradients of all inputs at once, and take their
    inputs as one list (`variadic`). `check` carries what the property tests need to
    know: input domains, kinks, which levels the op serves.

    A primitive made with `saves=True` keeps something its forward computed for its
    rules (as PyTorch's save_for_backward): its forward returns `(out, saved)`, callers
    get `out` only, and a recorded node hands `saved` to the rules as the keyword
    `saved`.

    `builtin` declares one of the engine's own primitives: its forward is trusted to
    return engine data, and its errors are the engine's own words. A primitive defined
    elsewhere has its forward's result checked, and its errors keep the user's lines
    (raised from the original error).
    """

    def __init__(
        self,
        name: str,
        fn: Callable[..., Any],
        check: Any = None,
        format_error: Callable[..., str] | None = None,
        saves: bool = False,
        builtin: bool = False,
        variadic: bool = False,
        _live: Primitive | None = None,
    ) -> None:
        if not builtin and _live is None:
            fn = _checked_forward(name, fn, saves)
        self.name = name
        self.fn = fn
        self.check = check
        self.format_error = format_error
        self.saves = saves
        self.builtin = builtin
        self.variadic = variadic
        self.vjps: tuple[Rule | None, ...] | None = None
        self.vjp_all: Rule | None = None
        # A backward that does not retain the graph points each node it passed to the
        # `released` twin: it has no rules, so a second backward can tell, and it keeps
        # the name for pictures. `live` leads back to the twin with the rules (a replay
        # of a released graph, explain_backward, reads the node's own rules).
        self.live: Primitive = _live or self
        self.released: Primitive = (
            self
            if _live is not None
            else Primitive(name, fn, check, format_error, saves, builtin, variadic, _live=self)
        )
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn

    def defvjp(self, *rules: Rule | None) -> None:
        """Register one gradient rule per positional input."""
        self.vjps = rules

    def defvjp_all(self, rule: Rule) -> None:
        """Register one rule returning the gradients of all inputs (variadic ops)."""
        self.vjp_all = rule

    def __call__(self, *args: Any, **kw: Any) -> Any:
        if self.variadic:
            args = _inputs_list(self.name, args)
        return apply(self, args, kw)

    def cause(self, exc: BaseException) -> BaseException | None:
        """What an error of this op's forward is raised from: nothing for the engine's
        own ops (the message says it all), the original error, with the user's own
        lines, for others."""
        return None if self.builtin else exc

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"

    # A primitive is a definition, shared by every node that uses it: copies of a graph
    # keep it, and pickles name it (by its name in OPS) rather than carry its functions.
    def __copy__(self) -> Primitive:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Primitive:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        if OPS.get(self.name) is not self.live:
            raise pickle.PicklingError(
                f"{self.name}: a graph through a primitive that is not registered (made "
                "with Primitive(...)) cannot be pickled; register it with @primitive, or "
                "pickle the data (.data)"
            )
        module = getattr(inspect.unwrap(self.fn), "__module__", None)
        return (_registered, (self.name, self is not self.live, module))


def _inputs_list(name: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """The inputs of a variadic primitive: one list of them (as np.concatenate takes),
    or the inputs themselves as positional arguments (as the ops table is called)."""
    if len(args) > 1 or (len(args) == 1 and isinstance(args[0], Node | np.ndarray)):
        return args
    if len(args) == 1 and isinstance(args[0], list | tuple) and len(args[0]) > 0:
        return tuple(args[0])
    raise TypeError(f"{name}: expects a non-empty list of Values or arrays")


def _registered(name: str, released: bool, module: str | None = None) -> Primitive:
    """The primitive a pickle names (its released twin, for a released node), after
    importing the module that defines it, as pickle imports a function's module."""
    op = OPS.get(name)
    if op is None and module and module != "__main__":
        with contextlib.suppress(ImportError):  # then the message below says what to do
            importlib.import_module(module)
        op = OPS.get(name)
    if op is None:
        raise pickle.UnpicklingError(
            f"the pickled graph uses the primitive {name!r}, which is not defined in this "
            "process; import the module that defines it first"
        )
    return op.released if released else op


def passthrough(g: Any, out: Any, *inputs: Any, **kw: Any) -> Any:
    """The gradient rule of an input whose derivative is 1 (both inputs of add, the
    first of sub): the incoming gradient passes through unchanged."""
    return g


def times_y(g: Any, out: Any, x: Any, y: Any) -> Any:
    """The gradient rule of x in the product x * y: g times the other factor, y."""
    return g * y


def times_x(g: Any, out: Any, x: Any, y: Any) -> Any:
    """The gradient rule of y in the product x * y: g times the other factor, x."""
    return g * x


def _same_definition(a: Callable[..., Any], b: Callable[..., Any]) -> bool:
    """The same definition run again (a notebook cell): same module and name, and, for a
    lambda (whose name all lambdas share), the same code at the same line."""
    where = _where(a)
    if where != _where(b):
        return False
    if "<lambda>" not in where:
        return True
    code_a = getattr(inspect.unwrap(a), "__code__", None)
    return code_a is not None and code_a == getattr(inspect.unwrap(b), "__code__", None)


def _where(fn: Callable[..., Any]) -> str:
    module = getattr(fn, "__module__", None) or "?"
    return f"{module}.{getattr(fn, '__qualname__', '?')}"


def _checked_forward(name: str, fn: Callable[..., Any], saves: bool) -> Callable[..., Any]:
    """A forward defined outside the engine, checked to give engine data: a Python
    float, or a real numpy array or scalar (with `saves`, the first of a pair)."""

    def forward(*args: Any, **kw: Any) -> Any:
        result = fn(*args, **kw)
        out = result[0] if saves and type(result) is tuple and len(result) == 2 else result
        if saves and out is result:
            raise TypeError(
                f"{name}: a primitive made with saves=True returns (out, saved), its "
                f"forward returned a {type(result).__name__}"
            )
        if type(out) is float or (
            isinstance(out, np.ndarray | np.generic) and out.dtype.kind == "f"
        ):
            return result
        what = (
            f"an array of dtype {out.dtype}"
            if isinstance(out, np.ndarray | np.generic)
            else f"an object of type {type(out).__name__}"
        )
        raise TypeError(
            f"{name}: the forward must return a float or a float array (one output per "
            f"primitive), it returned {what}"
        )

    return functools.wraps(fn)(forward)


def primitive(
    name: str,
    check: Any = None,
    format_error: Callable[..., str] | None = None,
    saves: bool = False,
    doc: str | None = None,
    builtin: bool = False,
    variadic: bool = False,
) -> Callable[[Callable[..., Any]], Primitive]:
    """Decorator: turn a forward function on raw data into a registered primitive.

    `doc` (the math) replaces the function's docstring: for a forward function that
    is not written in Python (``operator.add``), whose docstring says nothing of it.
    `builtin` is for the engine's own table (see `Primitive`)."""

    def wrap(fn: Callable[..., Any]) -> Primitive:
        old = OPS.get(name)
        if old is not None and not _same_definition(old.__wrapped__, fn):
            # (the same definition run again, as a notebook cell is, replaces it)
            raise ValueError(
                f"primitive {name!r} is defined twice (first in {_where(old.__wrapped__)}); "
                "choose another name, or use Primitive(name, fn) for one not registered"
            )
        op = Primitive(name, fn, check, format_error, saves, builtin, variadic)
        if doc is not None:
            op.__doc__ = op.released.__doc__ = doc
        OPS[name] = op
        return op

    return wrap


def builtin_ops() -> Sequence[str]:
    """The names of the engine's own primitives, in table order."""
    return [name for name, op in OPS.items() if op.builtin]
