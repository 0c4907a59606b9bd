"""What a recorded graph node holds, and the clock that versions its data.

`Node` is the base of `Value`: it declares the fields, each named for the one
thing it holds. A leaf (a Value made by the user) has no op and no inputs; a node
made by an operation remembers the primitive (`_op`), its inputs in argument order
(`_inputs`: Values and raw constants) and its keyword arguments (`_kwargs`), which
is all that backward needs to run that primitive's gradient rules later.

Nodes hold no reference to themselves (no closures; `__slots__`), so a graph is
freed by reference counting as soon as its output is dropped, without the
garbage collector.

The mutation contract, in two parts: a recorded rule reads at backward exactly the
data it would have read at the forward pass, or backward refuses.

- In-place writes: the arrays a live recorded node's rules read are read-only
  (frozen.py), so such a write, announced or not, fails at the write.
- Assignments: the version clock is how backward notices a Value's data was
  replaced after it was used. Every node records the clock's reading when it was
  computed (`_computed_at`), and every change of a Value's data (an assignment to
  `.data`, or `data_changed()` after an in-place write) ticks the clock and gives
  that Value the new reading as its `_version`. An input whose version is newer than
  the node computed from it was changed after the node read it; a node whose own
  version is newer than its computation had its output changed after the rules that
  read it were recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar


class Clock:
    """A counter that ticks at every change of data (see the module docstring)."""

    __slots__ = ("now",)

    def __init__(self) -> None:
        self.now = 0

    def tick(self) -> int:
        """Move the clock on and return the new reading."""
        self.now += 1
        return self.now

    def catch_up(self, reading: int) -> None:
        """Move the clock on to `reading` if it is behind it (a node unpickled from a
        process whose clock ran further keeps its version order in this one)."""
        if reading > self.now:
            self.now = reading


CLOCK = Clock()


class Node:
    """The fields of one graph node. `Value` adds the methods users call."""

    __slots__ = (
        "_computed_at",  # the clock's reading when this node was computed (or made)
        "_data",  # a Python float (scalar level) or a numpy array (tensor level)
        "_frozen",  # a recorded node's hold on the arrays its rules read (frozen.py)
        "_inputs",  # the primitive's positional arguments: Values and raw constants
        "_kwargs",  # the primitive's keyword arguments; None when it had none
        "_name",  # a label for pictures and printing, or None
        "_op",  # the Primitive that computed this node; None for a leaf
        "_requires_grad",  # whether gradients flow to this node
        "_retains_grad",  # whether an inner node keeps its gradient (retain_grad)
        "_version",  # the clock's reading when the data was made or last changed
        "grad",  # the gradient backward accumulated here, or None
    )

    _data: Any
    _frozen: Any  # a frozen.Frozen, or None (frozen.py sits beside this module)
    grad: Any
    _op: Any  # a Primitive (primitive.py, a layer above), or None
    _inputs: tuple[Any, ...]
    _kwargs: dict[str, Any] | None
    _requires_grad: bool
    _version: int
    _computed_at: int
    _retains_grad: bool
    _name: str | None

    # The class of the nodes that operations on this node make. value.py sets it to
    # Value, so that operations on a subclass (nn.Parameter) make plain Values. It is
    # read here, below Value, because recording (record.py) makes nodes but cannot
    # import value.py, which is built on it.
    _output_class: type[Node]

    def __getstate__(self) -> Any:
        """The slots to copy or pickle, less the hold on read-only arrays: a copy's
        arrays are its own (see frozen.py)."""
        state: Any = super().__getstate__()  # (a subclass's dict or None, the slots)
        attrs, slots = state
        kept = {key: value for key, value in (slots or {}).items() if key != "_frozen"}
        return attrs, kept

    def __setstate__(self, state: Any) -> None:
        """Restore a copied or unpickled node (its slots, and a subclass's dict). Its
        version is a reading of the clock of the process that made it: this process's
        clock catches up, so that data changed from now on reads as newer."""
        attrs, slots = state if isinstance(state, tuple) else (state, None)
        for key, value in (attrs or {}).items():
            setattr(self, key, value)
        for key, value in (slots or {}).items():
            object.__setattr__(self, key, value)
        CLOCK.catch_up(max(self._version, self._computed_at))


def inputs_of(node: Node) -> tuple[Any, ...]:
    """A node's inputs (Values and raw constants), in argument order; () for a leaf."""
    return node._inputs


def keywords_of(node: Node) -> dict[str, Any] | None:
    """The keyword arguments a node's primitive was called with (None if none)."""
    return node._kwargs


AnyNode = TypeVar("AnyNode", bound=Node)


def inputs_first(values: Sequence[AnyNode]) -> list[AnyNode]:
    """`values`, each after those of its inputs (direct or not) that are among them.

    A depth-first walk from each value in turn, inputs in argument order, listing a
    node when all its inputs are listed (post-order); the reading order of pictures and
    explanations. The walk passes through nodes that are not among `values` too."""
    wanted = {id(v) for v in values}
    seen: set[int] = set()
    order: list[AnyNode] = []
    for start in values:
        stack: list[tuple[Any, bool]] = [(start, False)]
        while stack:
            node, inputs_listed = stack.pop()
            if inputs_listed:
                if id(node) in wanted:
                    order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            for p in reversed(node._inputs):
                if isinstance(p, Node) and id(p) not in seen:
                    stack.append((p, False))
    return order
