"""Module calls as units of a graph: what `draw_graph(collapse="modules")` draws as boxes.

A module remembers its last call that built a graph as a `CallRecord`
(``module._last_call``, left by ``nn.Module.__call__`` through `record_call`): the id,
version and shape of its input and output Values, not the Values, so no graph is
kept alive by it. The nodes a call produced are those reachable backwards from its
output, stopping at its inputs. The engine never imports `nn`: a model is anything with
``named_modules()`` and ``named_parameters()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd.node import CLOCK
from autograd.value import Value

# A reference to a Value that does not keep it alive: (id, version, shape). Recording a
# call ticks the version clock, so every Value made afterwards has a larger
# version: a later Value that reuses the id of a recorded one is never taken for it.
Ref = tuple[int, int, tuple[int, ...]]


def call_key(v: Value) -> tuple[int, int]:
    return id(v), v._computed_at


class CallRecord:
    """What one module call leaves behind for pictures: references to its input and
    output Values (id, version, shape), never the Values themselves.

    ``nn.Module.__call__`` stores the record of its last call that built a graph as
    ``module._last_call``. Holding no Value, it keeps no graph alive: a graph is still
    freed the moment its output is dropped. `draw_graph(collapse="modules")` recognises
    the call's output in a graph by id and version, and finds its inputs by walking back
    from it; `nn.plot_model` reads the shapes.
    """

    __slots__ = ("inputs", "outputs")

    def __init__(self, inputs: tuple[Ref, ...], outputs: tuple[Ref, ...]) -> None:
        self.inputs = inputs
        self.outputs = outputs

    @property
    def input_shapes(self) -> list[tuple[int, ...]]:
        return [r[2] for r in self.inputs]

    @property
    def output_shapes(self) -> list[tuple[int, ...]]:
        return [r[2] for r in self.outputs]

    def __repr__(self) -> str:
        return f"CallRecord(inputs {self.input_shapes}, outputs {self.output_shapes})"


def _ref(v: Value) -> Ref:
    d = v._data
    return id(v), v._computed_at, () if type(d) is float else d.shape


def _refs(values: Any) -> tuple[Ref, ...]:
    """References to the Values among `values` that are in a graph."""
    return tuple(_ref(v) for v in values if isinstance(v, Value) and v._requires_grad)


def record_call(args: tuple[Any, ...], kwargs: dict[str, Any], out: Any) -> CallRecord | None:
    """A CallRecord of a call with these arguments and result, or None when the result
    is not a Value in a graph (under no_grad, or a constant): nothing to draw then.

    Recording ticks the version clock, so that every Value made afterwards has a larger
    version than those the record refers to."""
    outs = _refs(out if isinstance(out, tuple | list) else (out,))
    if not outs:
        return None
    ins = tuple(_ref(a) for a in (*args, *kwargs.values()) if isinstance(a, Value))
    CLOCK.tick()
    return CallRecord(ins, outs)


@dataclass
class Box:
    """One module call drawn as one box."""

    name: str
    module: Any
    record: CallRecord
    inputs: list[Value] = field(default_factory=list)  # found in the graph
    outputs: list[Value] = field(default_factory=list)


def _direct_params(module: Any) -> list[Any]:
    return [p for n, p in module.named_parameters() if "." not in n]


def _has_children(module: Any) -> bool:
    if hasattr(module, "named_children"):
        return any(True for _ in module.named_children())
    return sum(1 for _ in module.named_modules()) > 1


def module_boxes(model: Any) -> dict[tuple[int, int], Box]:
    """(id, version) of a call's output -> its box, for the outermost "layers" of `model`
    that recorded a call.

    A layer is a module that owns parameters directly or has no submodules (Linear,
    Dense with its activation inside, ReLU, a loss); containers such as Sequential are
    opened up. A call whose output is one of its inputs (Identity) draws nothing.
    """
    named = list(model.named_modules())
    layers: list[str] = []
    for name, mod in named:
        if name == "" and _has_children(mod):
            continue  # the model itself is opened up, never one box
        if (_direct_params(mod) or not _has_children(mod)) and not any(
            name.startswith(p + ".") or p == "" for p in layers
        ):
            layers.append(name)
    by_name = dict(named)
    boxes: dict[tuple[int, int], Box] = {}
    for name in layers:
        rec = getattr(by_name[name], "_last_call", None)
        if not isinstance(rec, CallRecord) or not rec.outputs:
            continue
        in_keys = {r[:2] for r in rec.inputs}
        if any(r[:2] in in_keys for r in rec.outputs):
            continue
        box = Box(name, by_name[name], rec)
        for r in rec.outputs:
            boxes.setdefault((r[0], r[1]), box)
    return boxes


def box_inputs(out: Value, box: Box, boxes: dict[tuple[int, int], Box]) -> list[Value]:
    """The Values where a call's graph begins, walking back from its output `out`.

    The walk stops at the call's recorded inputs and at outputs of other boxes; all
    it passes (the call's own ops, its parameters, constants) is inside the box.
    """
    stop = {r[:2] for r in box.record.inputs}
    found: list[Value] = []
    seen = {id(out)}
    stack = [out]
    while stack:
        node = stack.pop()
        for p in node._inputs:
            if not isinstance(p, Value) or id(p) in seen:
                continue
            seen.add(id(p))
            k = call_key(p)
            if k in stop or (k in boxes and boxes[k] is not box):
                found.append(p)
            else:
                stack.append(p)
    return found


def param_count(module: Any) -> int:
    if hasattr(module, "count_params"):
        return int(module.count_params())
    return sum(int(np.size(p.data)) for _, p in module.named_parameters())
