"""The graph node `Value` and the machinery that records operations on it.

A `Value` holds `data` (a Python float at scalar level, a numpy array at tensor
level) and, after a backward pass, `grad` of the same shape and dtype. Every
operation is a `Primitive`: a forward function on raw data plus one gradient
rule per input, registered once in the table `OPS`. Calling a primitive on
raw data returns raw data; calling it on Values computes the forward on their
data and, when gradients are wanted, returns a new node that remembers its
inputs and keyword arguments (`_x`, `_y`, see `inputs_of`) and its primitive
(`_op`).

Gradient rules receive `(g, out, *inputs, **kw)`: the gradient arriving from
above, the output and the inputs. A plain backward passes raw data; a backward
that records itself (create_graph=True) passes the Values themselves, so the
same rule builds a differentiable graph of the gradient.

Nodes hold no reference to themselves (no closures, `__slots__`), so a graph
is freed by reference counting as soon as its output is dropped, without the
garbage collector.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import numbers
import pickle
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

Data = float | np.ndarray | np.generic
Rule = Callable[..., Any]

# Whether operations are recorded; `graph.no_grad` switches it.
_GRAD_ENABLED = True
# The data clock: it ticks at every `.data` assignment (and where `new_epoch` is
# called), not at node creation. A node's `_stamp` is the clock's reading when it was
# created or its data last assigned, so an input never has a larger stamp than a node
# computed from it, unless its data changed after that node was computed: backward
# checks exactly that. Nodes made in one epoch share its int object: a node has no
# int of its own (it was a fifth of a scalar node's memory, and garbage-collector
# work), and the backward order comes from a depth-first walk, not from stamps.
_CLOCK = 0
# Set by `anomaly.detect_anomaly`: a callable run on each new node (or None).
_ANOMALY_HOOK: Callable[[Value], None] | None = None

# The table of every primitive, by name: what tests and pictures iterate.
OPS: dict[str, Primitive] = {}


def as_data(x: Any, what: str = "data") -> Data:
    """Convert user input to engine data: float stays float, float arrays keep
    their dtype, ints/bools/lists become float64, other kinds raise TypeError."""
    t = type(x)
    if t is float:
        return x
    if t is int or t is bool:
        return float(x)
    if isinstance(x, Value):
        return x._data
    if isinstance(x, np.ndarray | np.generic):
        kind = x.dtype.kind
        if kind == "f":
            return x
        if kind in "iub":
            return x.astype(np.float64)
        raise TypeError(f"Value: {what} must hold real numbers, got an array of dtype {x.dtype}")
    if isinstance(x, float):  # float subclasses
        return float(x)
    if isinstance(x, list | tuple):
        try:
            arr = np.asarray(x, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"Value: cannot turn this {t.__name__} into numbers: {exc}") from None
        return arr
    raise TypeError(
        f"Value: {what} must be a float, an int, a list or a numpy array, got {t.__name__}"
    )


def shape_of(x: Any) -> tuple[int, ...]:
    """Shape of raw data or of a Value (() for a Python float)."""
    if isinstance(x, Value):
        x = x._data
    t = type(x)
    if t is np.ndarray:
        return x.shape  # type: ignore[no-any-return]
    return () if t is float else np.shape(x)


def data_of(x: Any) -> Any:
    """The raw data of a Value, or `x` itself."""
    return x._data if isinstance(x, Value) else x


class Primitive:
    """One operation of the engine: a forward function and its gradient rules.

    `vjps[i](g, out, *inputs, **kw)` returns the gradient for input i (None for
    an input that is never differentiated, such as `where`'s condition).
    Variadic primitives (concatenate, stack) give `vjp_all` instead, returning
    the gradients of all inputs at once. `check` carries what the property
    tests need to know: input domains, kinks, which levels the op serves.

    A primitive made with `saves=True` keeps something its forward computed
    for its rules (as PyTorch's save_for_backward): its forward function
    returns `(out, saved)`, callers get `out` only, and a recorded node hands
    `saved` (raw data, or None) to the rules as the keyword `saved`.
    """

    def __init__(
        self,
        name: str,
        fn: Callable[..., Any],
        check: Any = None,
        format_error: Callable[..., str] | None = None,
        released: bool = False,
        saves: bool = False,
    ) -> None:
        if not released and not _engine_function(fn):
            fn = _checked_forward(name, fn, saves)
        self.name = name
        self.fn = fn
        self.saves = saves
        self.vjps: tuple[Rule | None, ...] | None = None
        self.vjp_all: Rule | None = None
        self.check = check
        self.format_error = format_error
        # The rule-less twin that a node points to once backward released it,
        # so that pictures still name the op and a second backward can tell.
        self.released: Primitive = (
            self if released else Primitive(name, fn, check, format_error, True, saves)
        )
        # The twin with the rules, reachable from either: a replay of a released graph
        # (explain_backward) reads the node's own rules, not whatever OPS has by that name.
        self.live: Primitive = self
        self.released.live = self
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn

    def defvjp(self, *rules: Rule | None) -> None:
        """Register one gradient rule per positional input.

        The backward loop computes `passthrough`, `times_y` and `times_x` itself, on
        the knowledge that the engine's sums and products of Python floats took Python
        floats. A primitive defined outside the engine may not keep that promise, so it
        gets the same rules as plain functions, which backward calls and checks."""
        if _caller_module(2).startswith("autograd."):
            self.vjps = rules
        else:
            self.vjps = tuple(_AS_PLAIN_RULE.get(id(r), r) for r in rules)

    def defvjp_all(self, rule: Rule) -> None:
        """Register one rule returning the gradients of all inputs (variadic ops)."""
        self.vjp_all = rule

    def __call__(self, *args: Any, **kw: Any) -> Any:
        if not (kw or self.saves):
            n = len(args)
            if n == 2:
                return apply2(self, args[0], args[1])
            if n == 1:
                return apply1(self, args[0])
            if n == 3:  # linear(x, w, b): apply() handles raw data too
                return apply(self, args, kw)
        for a in args:
            if isinstance(a, Value):
                return apply(self, args, kw)
        try:  # raw data in, raw data out: nothing to record
            out = self.fn(*args, **kw)
        except ValueError as exc:
            raise ValueError(_format_error(self, args, kw, exc)) from _cause(self, exc)
        except TypeError as exc:
            raise TypeError(_type_error_text(self, args, kw, exc)) from _cause(self, exc)
        return out[0] if self.saves else out

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
    first of sub): the incoming gradient passes through unchanged.

    It is an ordinary rule, but the backward loop recognises it and skips the call
    (half of a scalar network's nodes are additions, each with two such rules). The
    loop also takes it that a two-input primitive with this rule gives a Python float
    only from Python numbers, as Python's + and - do: a float gradient then reaches
    each input Value as it is."""
    return g


def times_y(g: Any, out: Any, x: Any, y: Any) -> Any:
    """The gradient rule of x in the product x * y: g * y.

    Like `passthrough`, an ordinary rule that the backward loop recognises: it
    computes g * y there without the call (a product is half of a scalar network)."""
    return g * y


def times_x(g: Any, out: Any, x: Any, y: Any) -> Any:
    """The gradient rule of y in the product x * y: g * x (recognised, as `times_y`)."""
    return g * x


def _plain(rule: Rule) -> Rule:
    """`rule` as another function object, which the backward loop does not recognise:
    it calls it, and fits what it gives (keywords, which these rules do not read, are
    dropped)."""

    def plain(g: Any, out: Any, *inputs: Any, **kw: Any) -> Any:
        return rule(g, out, *inputs)

    return plain


# The shortcut rules as plain functions, for primitives defined outside the engine
# (see `Primitive.defvjp`); keyed by id, since a rule may be any callable.
_AS_PLAIN_RULE: dict[int, Rule] = {id(r): _plain(r) for r in (passthrough, times_y, times_x)}


def _cause(op: Primitive, exc: BaseException) -> BaseException | None:
    """What an op's error message is raised from: nothing for the engine's own ops (the
    message says it all), the original error, with the user's own lines, for others."""
    return None if _engine_function(op.fn) else exc


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


def _caller_module(depth: int) -> str:
    """The module name of the code `depth` frames up (definition time only)."""
    return str(sys._getframe(depth).f_globals.get("__name__", ""))


def _engine_function(fn: Callable[..., Any]) -> bool:
    """Whether `fn` is one of the engine's own forwards (or Python's operators)."""
    module = getattr(fn, "__module__", None) or ""
    return module.startswith("autograd.") or module in ("_operator", "operator")


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
) -> Callable[[Callable[..., Any]], Primitive]:
    """Decorator: turn a forward function on raw data into a registered primitive.

    `doc` (the math) replaces the function's docstring: for a forward function that
    is not written in Python (``operator.add``), whose docstring says nothing of it."""

    def wrap(fn: Callable[..., Any]) -> Primitive:
        old = OPS.get(name)
        if old is not None and not _same_definition(old.fn, fn):
            # (the same definition run again, as a notebook cell is, replaces it)
            raise ValueError(
                f"primitive {name!r} is defined twice (first in {_where(old.fn)}); "
                "choose another name, or use Primitive(name, fn) for one not registered"
            )
        op = Primitive(name, fn, check, format_error, saves=saves)
        if doc is not None:
            op.__doc__ = op.released.__doc__ = doc
        OPS[name] = op
        return op

    return wrap


def _shapes_text(args: Sequence[Any]) -> str:
    shaped = (Value, np.ndarray, np.generic, float)
    return " and ".join(str(shape_of(a)) for a in args if isinstance(a, shaped))


def _format_error(op: Primitive, datas: Sequence[Any], kw: dict[str, Any], exc: Exception) -> str:
    if op.format_error is not None:
        return op.format_error(*datas, **kw)
    return f"{op.name}: shapes {_shapes_text(datas)}: {exc}"


def _type_error_text(
    op: Primitive, datas: Sequence[Any], kw: dict[str, Any], exc: Exception
) -> str:
    """The message of a TypeError raised by `op`'s forward (the error path of `apply`,
    `apply1`, `apply2` and raw calls): numpy's own (a ufunc's loop signature, "'float'
    object cannot be interpreted as an integer") names neither the op nor the argument.
    A message that already starts with the op's name is kept as it is."""
    text = str(exc)
    if text.startswith(f"{op.name}:"):
        return text
    shapes = _shapes_text(datas) or "(none)"
    inputs = f"input shape{'s' if ' and ' in shapes else ''} {shapes}"
    if "axis" in kw and not _is_axis(kw["axis"]):
        axis = kw["axis"]
        return (
            f"{op.name}: axis must be None, an int or a tuple of ints, got {axis!r} "
            f"({type(axis).__name__}); {inputs}"
        )
    kinds = ", ".join(_kind_of(d) for d in datas)
    given = "".join(f", {k}={v!r}" for k, v in kw.items() if k != "saved")
    return f"{op.name}: cannot compute this from {kinds} ({inputs}{given}): {exc}"


def _is_axis(axis: Any) -> bool:
    """Whether `axis` has the type of a reduction's axis (None, an int, ints in a tuple)."""
    ints = int | np.integer
    if axis is None or isinstance(axis, ints):
        return True
    return isinstance(axis, tuple) and all(isinstance(a, ints) for a in axis)


def _kind_of(x: Any) -> str:
    """What an operand is, for messages: 'a Value of shape (2, 3) (float64)', 'a str'."""
    if isinstance(x, Value):
        return f"a Value of shape {x.shape} ({x.dtype})"
    if isinstance(x, np.ndarray | np.generic):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    if type(x) is float:
        return "a float"
    return f"a {type(x).__name__}"


# The operand types that Value's operators convert or refuse before the forward (one
# set lookup tests them all: see `_operator`). np.float64 becomes the Python float it
# subclasses; a complex number is refused, because its result would be complex.
_RECAST = frozenset({np.float64, complex, np.complex64, np.complex128, np.clongdouble})


def _complex_operand_error(op: Primitive, value: Value, other: Any) -> TypeError:
    return TypeError(
        f"{op.name}: the operand {other!r} ({type(other).__name__}) would make the result "
        f"complex, with {_kind_of(value)}; the engine differentiates real numbers only "
        "(keep a complex quantity as two real Values, its real and imaginary parts)"
    )


def _bad_operand(op: Primitive, value: Value, other: Any, reflected: bool, exc: Exception) -> Any:
    """The error path of Value's operators, once the forward raised a TypeError.

    An operand that is not a number at all (a string, None, an object) gets
    NotImplemented, so that Python raises its own "unsupported operand type(s) for +:
    'Value' and 'str'" (after trying the operand's reflected method, as for any type).
    A list or tuple is converted as `Value` converts data (a scalar Value's float does
    not combine with a list, where a tensor Value's array does, through numpy): the
    operator then runs again on the array. Numbers that still do not combine (an array
    of strings) raise a TypeError naming the op and both operands."""
    if isinstance(other, list | tuple):
        try:
            return as_data(other)
        except TypeError:
            pass
    elif not isinstance(other, numbers.Number | np.ndarray | np.generic | Value):
        return NotImplemented
    pair = (other, value) if reflected else (value, other)
    raise TypeError(
        f"{op.name}: cannot combine {_kind_of(pair[0])} and {_kind_of(pair[1])}: {exc}"
    ) from None


# What a node's `_y` slot holds: its second input, when it has two inputs and no
# keywords (the first is in `_x`); or a marker: _ONE, one input (in `_x`; a leaf that
# needs a gradient has no input and no op); _MANY, three or more inputs, or a second
# input that is None (a tuple in `_x`); _KW, keyword arguments (`_x` holds the pair
# (inputs tuple, keywords dict)); or None: a Value that needs no gradient, so
# `requires_grad` is `_y is not None`. Scalar nodes carry no tuple, and no slot for
# keywords or the requires_grad flag: a small node is what the garbage collector's
# passes over a growing graph cost least on (they cost by the byte and the slot).
# `type(y) is Marker` tells a marker from an input in one test.


class Marker:
    """A named constant of the node layout. It stays itself when a Value is copied
    or pickled (a plain `object()` would come back as another object, and a copied
    leaf would seem to have inputs)."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"<autograd.value.{self._name}>"

    def __reduce__(self) -> str:
        return self._name  # pickled by reference to the module's constant

    def __copy__(self) -> Marker:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Marker:
        return self


_ONE = Marker("_ONE")
_MANY = Marker("_MANY")
_KW = Marker("_KW")


class Retained(int):
    """The stamp of an inner node that `retain_grad` asked to keep its gradient: the
    same number (every comparison of stamps is unchanged), of a type that says so.
    The flag rides on the stamp because a node has no slot to spare for it (a slot
    more is memory and collector work on every node) and `grad` stays a plain slot."""

    __slots__ = ()


def inputs_of(node: Value) -> tuple[Any, ...]:
    """A node's inputs (Values and raw constants), in order; () for a leaf."""
    y = node._y
    if y is _ONE:
        return () if node._op is None else (node._x,)
    if y is _MANY:
        return node._x  # type: ignore[no-any-return]
    if y is _KW:
        return node._x[0]  # type: ignore[no-any-return]
    return () if y is None else (node._x, y)


def keywords_of(node: Value) -> dict[str, Any] | None:
    """The keyword arguments a node's primitive was called with (None if none)."""
    return node._x[1] if node._y is _KW else None  # type: ignore[no-any-return]


def inputs_first(values: Sequence[Value]) -> list[Value]:
    """`values`, each after those of its inputs (direct or not) that are among them.

    A depth-first walk from each value in turn, inputs in argument order, listing a
    node when all its inputs are listed (post-order); the reading order of pictures and
    explanations. The walk passes through Values that are not among `values` too."""
    wanted = {id(v) for v in values}
    seen: set[int] = set()
    order: list[Value] = []
    for start in values:
        stack: list[tuple[Value, bool]] = [(start, False)]
        while stack:
            node, opened = stack.pop()
            if opened:
                if id(node) in wanted:
                    order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            for p in reversed(inputs_of(node)):
                if isinstance(p, Value) and id(p) not in seen:
                    stack.append((p, False))
    return order


def _record(out: Data, x: Any, y: Any, op: Primitive | None) -> Value:
    """A new node computed by `op` from inputs `x`, `y` (laid out as `inputs_of`
    reads them); with op None, a constant (no input needs a gradient, or recording
    is off). Value's operators make their nodes themselves, field for field as here
    (see `_operator`)."""
    node = _new_value(Value)
    node._data = out
    node.grad = None
    node._x = x
    node._y = y
    node._op = op
    node._stamp = _CLOCK
    node._g = None
    if _ANOMALY_HOOK is not None and op is not None:
        _ANOMALY_HOOK(node)
    return node


def new_epoch() -> None:
    """Tick the data clock. Nodes made from now on get a larger stamp than every node
    alive, so a node recorded by (id, stamp) just before is never mistaken for a later
    Value that reuses its id (the module-call records and anomaly mode rely on this)."""
    global _CLOCK
    _CLOCK += 1


def _constant(out: Data) -> Value:
    return _record(out, None, None, None)


def apply(op: Primitive, args: tuple[Any, ...], kw: dict[str, Any]) -> Any:
    """Run `op` forward; record a node when an input Value requires a gradient.

    All-raw arguments give a raw result: that is how the gradient rules run
    on plain data during an ordinary backward pass.
    """
    datas = []
    has_value = False
    needs_grad = False
    for a in args:
        if isinstance(a, Value):
            has_value = True
            needs_grad = needs_grad or a._y is not None  # a.requires_grad
            datas.append(a._data)
        else:
            datas.append(a)
    try:
        out = op.fn(*datas, **kw) if kw else op.fn(*datas)
    except ValueError as exc:
        raise ValueError(_format_error(op, datas, kw, exc)) from _cause(op, exc)
    except TypeError as exc:
        raise TypeError(_type_error_text(op, datas, kw, exc)) from _cause(op, exc)
    if op.saves:
        out, saved = out
        if needs_grad and _GRAD_ENABLED:
            kw = {**kw, "saved": saved}
    if not has_value:
        return out
    if needs_grad and _GRAD_ENABLED:
        if kw:
            return _record(out, (args, kw), _KW, op)
        n = len(args)
        if n == 1:
            return _record(out, args[0], _ONE, op)
        if n == 2 and args[1] is not None:
            return _record(out, args[0], args[1], op)
        return _record(out, args, _MANY, op)
    return _constant(out)


def apply1(op: Primitive, x: Any) -> Any:
    """`apply` for a one-input primitive without keywords (the hot path of methods)."""
    d = x._data if isinstance(x, Value) else x
    try:
        out = op.fn(d)
    except ValueError as exc:
        raise ValueError(_format_error(op, (d,), {}, exc)) from _cause(op, exc)
    except TypeError as exc:
        raise TypeError(_type_error_text(op, (d,), {}, exc)) from _cause(op, exc)
    if not isinstance(x, Value):
        return out
    if x._y is not None and _GRAD_ENABLED:  # x.requires_grad
        return _record(out, x, _ONE, op)
    return _constant(out)


def apply2(op: Primitive, a: Any, b: Any) -> Any:
    """`apply` for a two-input primitive without keywords (the hot path of operators)."""
    va = isinstance(a, Value)
    vb = isinstance(b, Value)
    ad = a._data if va else a
    bd = b._data if vb else b
    try:
        out = op.fn(ad, bd)
    except ValueError as exc:
        raise ValueError(_format_error(op, (ad, bd), {}, exc)) from _cause(op, exc)
    except TypeError as exc:
        raise TypeError(_type_error_text(op, (ad, bd), {}, exc)) from _cause(op, exc)
    # `_y is not None` is requires_grad read from its slot (see the markers above).
    if _GRAD_ENABLED and ((va and a._y is not None) or (vb and b._y is not None)):
        return _record(out, a, b, op) if b is not None else _record(out, (a, b), _MANY, op)
    if va or vb:
        return _constant(out)
    return out


_new_value = object.__new__

# The binary operators of Value: the stem of each method's name and the primitive
# behind it; each stem gives a method and its reflected twin (``__add__``,
# ``__radd__``). `bind_operators` makes them once the primitives exist (autograd.ops
# imports this module).
_OPERATORS = {
    "add": "add",
    "sub": "sub",
    "mul": "mul",
    "truediv": "div",
    "pow": "power",
    "matmul": "matmul",
}


def _operator(name: str, op: Primitive, reflected: bool) -> Callable[[Value, Any], Value]:
    """The method `name` of Value, a binary operator (``__add__``, ``__radd__``, ...).

    It is `apply2` with the first operand known to be a Value, written out rather
    than calling apply2, and so is the new node (`_record`'s body, field for field):
    operators build most of a scalar graph, where a call per node is measurable (the
    call to `_record` was 4% of the instructions of a scalar training step). The
    primitive and its forward function are the method's own variables: reading them
    from a table or an attribute at each call cost 0.015 us per node.
    """
    fn = op.fn

    def method(self: Value, other: Any) -> Value:
        vo = isinstance(other, Value)
        if vo:
            od = other._data
        elif type(other) is float:  # the common constant: one test
            od = other
        elif type(other) in _RECAST:
            # np.float64 or a complex number: one set lookup for both, made only for a
            # constant that is not a Python float (arrays, ints, numpy scalars).
            if type(other) is not np.float64:
                # A complex constant would give a complex node, whose gradients come
                # back as zeros with a mere ComplexWarning: refused here. (A complex
                # numpy array is not tested here, on the path of every array operand:
                # backward refuses the complex gradient it gives, naming this op.)
                raise _complex_operand_error(op, self, other)
            # A subclass of Python's float (np.sqrt(4.0) gives one), and a constant like
            # a Python float: it must not promote float32 data to float64 as numpy
            # would, nor make a scalar-level result a numpy scalar.
            other = od = float(other)
        else:
            od = other
        try:
            out = fn(od, self._data) if reflected else fn(self._data, od)
        except ValueError as exc:
            datas = (od, self._data) if reflected else (self._data, od)
            raise ValueError(_format_error(op, datas, {}, exc)) from None
        except TypeError as exc:  # operands that are not numbers (tested only now)
            other = _bad_operand(op, self, other, reflected, exc)
            if other is NotImplemented:
                return NotImplemented
            return method(self, other)  # a list, converted to an array
        # requires_grad of self or other, read from its slot (see the markers above)
        if _GRAD_ENABLED and (self._y is not None or (vo and other._y is not None)):
            node = _new_value(Value)
            node._data = out
            node.grad = None
            if reflected:
                node._x = other
                node._y = self
            else:
                node._x = self
                node._y = other
            node._op = op
            node._stamp = _CLOCK
            node._g = None
            if _ANOMALY_HOOK is not None:
                _ANOMALY_HOOK(node)
            return node
        return _constant(out)

    method.__name__ = name
    method.__qualname__ = f"Value.{name}"
    method.__doc__ = f"The {op.name} primitive{', operands swapped' if reflected else ''}."
    return method


class Value:
    """A node of the computation graph: data, grad, and how it was computed.

    `grad` is the gradient backward accumulated here (None before any), of the data's
    shape and dtype. Every leaf that requires it keeps it, and so does every node at
    scalar level (data a Python float), as in micrograd. At tensor level an inner node
    keeps it only when asked, as in PyTorch: `retain_grad()` before backward, or
    ``backward(inner_grads=True)`` for every node of the graph (an array kept on every
    inner node until the graph is dropped would double a training step's transient
    memory).

    >>> a, b = Value(2.0), Value(-3.0)
    >>> c = (a * b + b ** 2).tanh()
    >>> c.backward()
    >>> round(a.grad, 4), round(b.grad, 4)
    (-0.0296, -0.0395)
    """

    __slots__ = (
        "_data",
        "_g",
        "_name",
        "_op",
        "_stamp",
        "_x",
        "_y",
        "grad",
    )
    # Make numpy defer to Value's reflected operators (`array * value`).
    __array_ufunc__ = None

    _data: Any  # a Python float or a numpy array/scalar
    grad: Any  # which nodes keep it: see the class docstring
    _name: str | None  # unset (not None) until a name is given: see `name`
    _x: Any
    _y: Any
    _op: Primitive | None
    _stamp: int
    _g: Any

    def __init__(self, data: Any, requires_grad: bool = True, name: str | None = None) -> None:
        self._data = as_data(data)
        self.grad = None
        if name is not None:
            self._name = name
        self._x = None
        self._y = _ONE if requires_grad else None
        self._op = None
        self._stamp = _CLOCK
        self._g = None  # gradient in flight during a backward pass

    # --- data and its description -------------------------------------------------
    @property
    def name(self) -> str | None:
        """A label for pictures and printing (None if none was given)."""
        # The slot stays unset until a name is given: a node is made without storing
        # one, and the garbage collector's passes skip an unset slot.
        try:
            return self._name
        except AttributeError:
            return None

    @name.setter
    def name(self, name: str | None) -> None:
        self._name = name

    @property
    def data(self) -> Any:
        """The value: a Python float (scalar level) or a numpy array."""
        return self._data

    @data.setter
    def data(self, new: Any) -> None:
        self._data = as_data(new)
        self.data_changed()

    def __setstate__(self, state: Any) -> None:
        """Restore a copied or unpickled Value (its slots, and the dict of a subclass).

        Its stamp is a reading of the clock of the process that pickled it: the clock
        here is moved on to it, so that data changed from now on reads as changed after
        the graph was computed, in this process as in that one."""
        attrs, slots = state if isinstance(state, tuple) else (state, None)
        for key, value in (attrs or {}).items():
            setattr(self, key, value)
        for key, value in (slots or {}).items():
            object.__setattr__(self, key, value)
        global _CLOCK
        stamp = getattr(self, "_stamp", 0)
        if stamp > _CLOCK:
            _CLOCK = int(stamp)

    def data_changed(self) -> None:
        """Tell the engine that `.data` was modified in place (as an optimizer does):
        a graph computed before then refuses to backpropagate through this Value,
        as it does after an assignment to `.data`."""
        global _CLOCK
        _CLOCK += 1
        self._stamp = _CLOCK if type(self._stamp) is not Retained else Retained(_CLOCK)

    def retain_grad(self) -> None:
        """Keep this inner node's gradient in `.grad` on every backward through it, as
        PyTorch's `retain_grad` (nothing to do for a leaf, or at scalar level, where
        every node keeps it)."""
        if self._y is None:
            raise RuntimeError(
                "retain_grad: this Value does not require grad (a constant, or computed "
                "under no_grad), so no gradient ever reaches it"
            )
        if self._op is not None and type(self._stamp) is not Retained:
            self._stamp = Retained(self._stamp)

    @property
    def requires_grad(self) -> bool:
        """Whether gradients flow to this Value: set for leaves (a constant has it
        False), and True for every node computed from Values that have it."""
        return self._y is not None

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self._op is not None:
            if not flag:
                raise RuntimeError(
                    f"requires_grad: only a leaf's flag can be changed, and this Value is the "
                    f"output of '{self.op}'; use .detach() for a copy outside the graph"
                )
            return
        self._y = _ONE if flag else None

    @property
    def shape(self) -> tuple[int, ...]:
        d = self._data
        return () if type(d) is float else d.shape

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        d = self._data
        return 1 if type(d) is float else int(d.size)

    @property
    def dtype(self) -> np.dtype[Any]:
        d = self._data
        return np.dtype(np.float64) if type(d) is float else d.dtype

    @property
    def op(self) -> str:
        """Name of the operation that produced this node ('' for a leaf)."""
        return "" if self._op is None else self._op.name

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Values this node was computed from (constants left out)."""
        return tuple(p for p in inputs_of(self) if isinstance(p, Value))

    @property
    def is_leaf(self) -> bool:
        return self._op is None

    def item(self) -> float:
        """The data as a Python float (the Value must hold one element)."""
        d = self._data
        if type(d) is float:
            return d
        if d.size != 1:
            raise ValueError(
                f"item: only a one-element Value converts, this one has shape {d.shape}"
            )
        return float(d.reshape(()))

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (a 0-d array for a scalar)."""
        return np.asarray(self._data)

    def detach(self) -> Value:
        """A new constant Value sharing this one's data, outside any graph."""
        return Value(self._data, requires_grad=False, name=self.name)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (`.grad` becomes None)."""
        self.grad = None

    def backward(
        self,
        grad: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inner_grads: bool | None = None,
    ) -> None:
        """Backpropagate from this node, accumulating `.grad` on the leaves.

        A scalar output needs no `grad`; otherwise pass the gradient of the
        final result with respect to this output. The graph is released
        afterwards unless `retain_graph=True` (the default when create_graph).

        Which inner nodes keep their gradient in `.grad` (see `Value`): by default those
        at scalar level and those that asked with `retain_grad()`; every one with
        ``inner_grads=True`` (for a picture of a tensor graph's gradients); only those
        that asked with ``inner_grads=False``.
        """
        # The whole entry point is here, not a call to graph.backward: this is the
        # path every training step takes, and a call frame less is measurable on
        # small graphs.
        if self._y is None:  # not self.requires_grad
            raise RuntimeError(
                "backward: this Value does not require grad (it is a constant or was "
                "computed under no_grad), so there is no graph to backpropagate through"
            )
        if retain_graph is None:
            retain_graph = create_graph
        seed = _graph._seed(self, grad, "backward", create_graph)
        _graph._propagate(self, seed, retain_graph, create_graph, True, inner_grads)

    def __repr__(self) -> str:
        d = self._data
        extra = f", name={self.name!r}" if self.name else ""
        if type(d) is float:
            g = self.grad
            gtext = "" if g is None else f", grad={_short(g)}"
            return f"Value({d:.6g}{gtext}{extra})"
        op = f", op={self._op.name}" if self._op is not None else ""
        if d.size <= 6:
            body = np.array2string(np.asarray(d), precision=4, separator=", ")
            return f"Value({body}, dtype={d.dtype}{op}{extra})"
        return f"Value(shape={d.shape}, dtype={d.dtype}{op}{extra})"

    def __bool__(self) -> bool:
        raise TypeError(
            "Value: truth value is ambiguous for a graph node; compare `.data` or use .item()"
        )

    def __len__(self) -> int:
        d = self._data
        if type(d) is float or d.ndim == 0:
            raise TypeError("len() of a scalar Value")
        return int(d.shape[0])

    def __float__(self) -> float:
        return self.item()

    __hash__ = object.__hash__

    # --- comparisons: plain boolean data, no gradient --------------------------------
    def __lt__(self, other: Any) -> Any:
        return self._data < data_of(other)

    def __le__(self, other: Any) -> Any:
        return self._data <= data_of(other)

    def __gt__(self, other: Any) -> Any:
        return self._data > data_of(other)

    def __ge__(self, other: Any) -> Any:
        return self._data >= data_of(other)

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return self._data == data_of(other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return self._data != data_of(other)

    # --- arithmetic: the operators of the ops table, made by `_operator` and set by
    # `bind_operators` once the primitives exist (declared here for type checkers) ---
    if TYPE_CHECKING:

        def __add__(self, other: Any) -> Value: ...
        def __radd__(self, other: Any) -> Value: ...
        def __sub__(self, other: Any) -> Value: ...
        def __rsub__(self, other: Any) -> Value: ...
        def __mul__(self, other: Any) -> Value: ...
        def __rmul__(self, other: Any) -> Value: ...
        def __truediv__(self, other: Any) -> Value: ...
        def __rtruediv__(self, other: Any) -> Value: ...
        def __pow__(self, other: Any) -> Value: ...
        def __rpow__(self, other: Any) -> Value: ...
        def __matmul__(self, other: Any) -> Value: ...
        def __rmatmul__(self, other: Any) -> Value: ...

    def __neg__(self) -> Value:
        return apply1(_ops.neg, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _ops.abs(self)

    def __getitem__(self, index: Any) -> Value:
        return _ops.getitem(self, index=_ops.as_index(index))

    # --- elementwise -------------------------------------------------------------
    def exp(self) -> Value:
        return apply1(_ops.exp, self)

    def log(self) -> Value:
        return apply1(_ops.log, self)

    def sqrt(self) -> Value:
        return apply1(_ops.sqrt, self)

    def abs(self) -> Value:
        return _ops.abs(self)

    def sin(self) -> Value:
        return apply1(_ops.sin, self)

    def cos(self) -> Value:
        return apply1(_ops.cos, self)

    def tanh(self) -> Value:
        return apply1(_ops.tanh, self)

    def sigmoid(self) -> Value:
        return apply1(_ops.sigmoid, self)

    def relu(self) -> Value:
        return apply1(_ops.relu, self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        return _ops.leaky_relu(self, negative_slope=negative_slope)

    def elu(self, alpha: float = 1.0) -> Value:
        return _ops.elu(self, alpha=alpha)

    def softplus(self) -> Value:
        return apply1(_ops.softplus, self)

    def clip(self, lo: float | None = None, hi: float | None = None) -> Value:
        return _ops.clip(self, lo=lo, hi=hi)

    def maximum(self, other: Any) -> Value:
        return _ops.maximum(self, other)

    def minimum(self, other: Any) -> Value:
        return _ops.minimum(self, other)

    def astype(self, dtype: Any) -> Value:
        return _ops.astype(self, dtype=np.dtype(dtype))

    # --- reductions ---------------------------------------------------------------
    def sum(self, axis: Any = None, keepdims: bool = False) -> Value:
        return _reduce(_ops.sum, self, axis, keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Value:
        return _reduce(_ops.mean, self, axis, keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Value:
        return _reduce(_ops.max, self, axis, keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Value:
        return _reduce(_ops.min, self, axis, keepdims)

    def var(self, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Value:
        return _ops.var(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def logsumexp(self, axis: Any = -1, keepdims: bool = False) -> Value:
        return _ops.logsumexp(self, axis=axis, keepdims=keepdims)

    def softmax(self, axis: int = -1) -> Value:
        return _ops.softmax(self, axis=axis)

    def log_softmax(self, axis: int = -1) -> Value:
        return _ops.log_softmax(self, axis=axis)

    # --- shape --------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Value:
        if len(shape) == 1 and isinstance(shape[0], tuple | list):
            shape = tuple(shape[0])
        return _ops.reshape(self, shape=tuple(shape))

    def transpose(self, *axes: Any) -> Value:
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], tuple | list)):
            axes = tuple(axes[0] or ())
        return _ops.transpose(self, axes=tuple(axes) if axes else None)

    @property
    def T(self) -> Value:
        return _ops.transpose(self)

    def broadcast_to(self, shape: Sequence[int]) -> Value:
        return _ops.broadcast_to(self, shape=tuple(shape))

    def squeeze(self, axis: Any = None) -> Value:
        return _ops.squeeze(self, axis=axis)

    def expand_dims(self, axis: Any) -> Value:
        return _ops.expand_dims(self, axis=axis)

    def flatten(self) -> Value:
        return _ops.reshape(self, shape=(-1,))


def _reduce(op: Primitive, x: Value, axis: Any, keepdims: bool) -> Value:
    """A reduction method's call: over everything it is recorded without keywords,
    so that the one-input fast paths of the forward and the backward apply."""
    if axis is None and not keepdims:
        return apply1(op, x)
    return op(x, axis=axis, keepdims=keepdims)


def _short(x: Any) -> str:
    if isinstance(x, Value):
        return f"Value({_short(x._data)})"
    if isinstance(x, float):
        return f"{x:.6g}"
    return f"array{np.shape(x)}"


from autograd import graph as _graph  # noqa: E402
from autograd import ops as _ops  # noqa: E402  (these modules import this one)


def bind_operators(ops: Any) -> None:
    """Called by autograd.ops once every primitive exists: make Value's operators."""
    for stem, op_name in _OPERATORS.items():
        op = getattr(ops, op_name)
        for reflected in (False, True):
            name = f"__r{stem}__" if reflected else f"__{stem}__"
            setattr(Value, name, _operator(name, op, reflected))
