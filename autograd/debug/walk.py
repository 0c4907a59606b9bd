"""The nodes a picture draws, found from its root without recursion.

The walk goes from the root to the leaves (newest node first) with an explicit stack, so
a deep graph draws as well as a shallow one. In the collapsed view (see
`autograd.debug.modulecalls`) a node that a module call produced is not drawn: the call's box
stands in for it, and the walk goes on from the box's inputs. The walk counts what would
be drawn and stops at ``max_nodes``, before graphviz gets a graph it would take minutes
to lay out.
"""

from __future__ import annotations

from typing import Any

from autograd.debug.modulecalls import Box, box_inputs, call_key
from autograd.node import inputs_of
from autograd.value import Value

__all__ = ["Walk", "too_big"]


def too_big(max_nodes: int, collapse: str | None, model: bool, seen: list[Value]) -> ValueError:
    """The error for a graph of more than `max_nodes` drawn nodes, suggesting what
    applies to this graph (`seen`: the Values met so far).

    The collapsed view is suggested only for a graph that came from modules: a model was
    given, or a Value met is of a subclass of Value (a module's parameter, such as
    nn.Parameter). A hand-built graph of scalar Values is drawn in a smaller part.
    """
    if collapse:
        hint = "draw a smaller part (the output of one layer) or pass a larger max_nodes="
    elif model or any(type(v) is not Value for v in seen):
        hint = (
            'pass collapse="modules" with model=<the model> to draw each layer call as '
            "one box, or a larger max_nodes="
        )
    elif seen and type(seen[0].data) is float:
        hint = (
            "a graph of scalar Values has a node per number: draw a smaller part (one "
            "neuron's output, the loss of one example) or pass a larger max_nodes="
        )
    else:
        hint = "draw a smaller part (an intermediate Value) or pass a larger max_nodes="
    return ValueError(
        f"draw_graph: the graph has more than max_nodes={max_nodes} nodes (values, "
        "operations and constants); graphviz would take minutes to lay it out and the "
        f"picture would not be readable. {hint}"
    )


class Walk:
    """The nodes to draw, found iteratively from the root (no recursion).

    `values` are the Values drawn one by one, `boxes` the module calls drawn as one box
    each, and `box_of` says which box stands in for a Value that a call produced.
    """

    def __init__(
        self,
        root: Value,
        boxes: dict[tuple[int, int], Box],
        max_nodes: int,
        collapse: Any,
        model: bool = False,
    ) -> None:
        self.values: dict[int, Value] = {}
        self.boxes: dict[int, Box] = {}  # id(box) -> box, the boxes drawn
        self.box_of: dict[int, Box] = {}  # id(output Value) -> its box
        count = 0
        seen: set[int] = set()
        stack = [root]
        while stack:
            v = stack.pop()
            if id(v) in seen:
                continue
            seen.add(id(v))
            box = boxes.get(call_key(v)) if boxes else None
            if box is not None:
                count += self._enter_box(v, box, boxes, stack)
            else:
                count += self._enter_value(v, stack)
            if count > max_nodes:
                raise too_big(max_nodes, collapse, model, [root, *self.values.values(), *stack])

    def _enter_box(
        self, v: Value, box: Box, boxes: dict[tuple[int, int], Box], stack: list[Value]
    ) -> int:
        """Let `box` stand in for `v`, and go on from the call's inputs; the number of
        nodes this adds to the picture (the box, the first time it is met)."""
        added = 0
        if id(box) not in self.boxes:
            self.boxes[id(box)] = box
            added = 1
        self.box_of[id(v)] = box
        box.outputs.append(v)
        for p in box_inputs(v, box, boxes):
            if all(p is not q for q in box.inputs):
                box.inputs.append(p)
            stack.append(p)
        return added

    def _enter_value(self, v: Value, stack: list[Value]) -> int:
        """Draw `v` itself, and go on from its inputs; the number of nodes this adds to
        the picture (the Value, its op node, and one small node per raw constant)."""
        self.values[id(v)] = v
        ins = inputs_of(v)
        stack.extend(p for p in ins if isinstance(p, Value))
        return 1 + (0 if v.is_leaf else 1) + sum(1 for p in ins if not isinstance(p, Value))
