"""Pictures of computation graphs: `draw_graph` (alias `draw_dot`).

`draw_graph(root)` walks the graph behind a Value (iteratively, newest node first) and
returns a `graphviz.Digraph`: one record per Value (its name, data and grad for a scalar;
shape, dtype and a summary for a tensor), one small node per operation, and edges
input -> op -> output. The Digraph shows itself in Jupyter and renders through the system
`dot` program (`.render("step", format="svg")`, or `autograd.debug.render.render`).

Big graphs stay readable: with ``collapse="modules"`` and a ``model``, each layer call is
drawn as one box standing in for the nodes it produced (see `autograd.debug.modulecalls`).

This module puts the picture together; `walk` finds the nodes, `style` says what each
one shows, `dot` writes record labels, `render` holds graphviz (imported only when a
picture is drawn, so the engine imports numpy alone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from autograd.debug.dot import esc
from autograd.debug.layout import NodeSize, choose_rankdir
from autograd.debug.modulecalls import Box, module_boxes
from autograd.debug.render import new_digraph
from autograd.debug.style import Style, is_scalar
from autograd.debug.text import op_label, short_ids, summarize
from autograd.debug.walk import Walk
from autograd.node import inputs_first, inputs_of
from autograd.value import Value

if TYPE_CHECKING:
    import graphviz

__all__ = ["draw_dot", "draw_graph"]


def draw_graph(
    root: Value,
    rankdir: str | None = None,
    show_data: bool = True,
    show_grad: bool = True,
    max_nodes: int = 500,
    collapse: str | None = None,
    model: Any = None,
    color_by_grad: bool = False,
) -> graphviz.Digraph:
    """Draw the graph that computed `root` as a `graphviz.Digraph`.

    - Each Value is a record: its name (``.name``, the dotted parameter name when `model`
      is given, else a short id ``v1, v2, ...`` numbered inputs before outputs), then ``data`` and
      ``grad`` for a scalar (``a | data 2.0000 | grad -0.0296``), or shape, dtype, data
      mean/std and grad norm for a tensor. Constant Values (requires_grad=False) are grey;
      raw numbers and arrays given to an op are drawn small. Hover a node in an SVG for
      a tooltip with the full description.
    - Each operation is a small node (``+``, ``*``, ``tanh``, ``sum(axis=1)``) with edges
      input -> op -> output.
    - A Value with nan or inf in its data or grad is filled red (a legend says so).
    - ``color_by_grad=True`` fills each Value by the magnitude of its gradient on a log
      scale (pale: smallest, dark: largest), to see where gradients vanish.
    - At tensor level an inner node has a gradient to draw only if backward kept it:
      ``loss.backward(inner_grads=True)`` keeps every one (see `Value`). Otherwise, once
      a backward has gone through the graph (and released it), such nodes read "grad not
      kept" and the legend says how to keep them. Before that, the leaves' gradients
      are whatever their ``.grad`` holds, perhaps from an earlier graph (an earlier
      step), and the legend says so.
    - ``collapse="modules"`` with ``model`` draws each layer's last call as one box (name,
      type, input and output shapes, parameter count, output grad norm). Draw right after
      the step: a module called again since then no longer points into this graph, and
      its nodes are drawn one by one.
    - More than ``max_nodes`` drawn nodes raises ValueError before graphviz is involved.
    - ``rankdir``: "LR" (left to right, micrograd's layout) or "TB" (top to bottom) by
      default, whichever fits a slide better (a deep graph, such as an MLP of scalar
      Values, runs top to bottom; see `autograd.debug.layout`); "TB" when collapsing: a
      chain of a dozen layer boxes then stays within one screen. Each picture is at
      most 1,920 px (20 inches) wide: a wider drawing is scaled down to that width
      (graphviz's ``size`` attribute, in ``graph_attr``).

    Works after backward too: the released graph keeps its structure and op names.
    """
    chosen = _checked_rankdir(root, rankdir, collapse)
    boxes = _module_view(model) if collapse == "modules" else {}
    walk = Walk(root, boxes, max_nodes, collapse, model is not None)
    if collapse == "modules" and not walk.boxes:
        raise ValueError(
            'draw_graph: collapse="modules" found no module call of the model in this '
            "graph; draw the graph right after the step that built it (a module called "
            "again since then forgets the earlier call)"
        )
    picture = _Picture(walk, model)
    any_grad = show_grad and any(v.grad is not None for v in picture.values)
    style = Style(
        chosen or "LR", show_data, any_grad, color_by_grad, picture.values, _released(root)
    )
    if chosen is None:  # by the graph's shape: see `layout`
        style.rankdir = choose_rankdir(*picture.sizes(style))
    graph_attr = {"rankdir": style.rankdir}
    if collapse:
        graph_attr["ranksep"] = "0.3"  # a chain of boxes: keep it within a screen
    dot = new_digraph(graph_attr=graph_attr, node_attr={"fontname": "Helvetica"})
    picture.draw(dot, style)
    return dot


draw_dot = draw_graph


def _checked_rankdir(root: Any, rankdir: str | None, collapse: str | None) -> str | None:
    """Refuse arguments draw_graph cannot draw; the rank direction to use (None: to be
    chosen by the graph's shape)."""
    if collapse not in (None, "modules"):
        raise ValueError(f'draw_graph: collapse must be None or "modules", got {collapse!r}')
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph: root must be a Value, got {type(root).__name__}")
    if rankdir is None:
        return "TB" if collapse else None
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f'draw_graph: rankdir must be "LR", "RL", "TB" or "BT", got {rankdir!r}')
    return rankdir


def _module_view(model: Any) -> dict[tuple[int, int], Box]:
    """The boxes of the collapsed view: each module's last call, by the node it made."""
    if model is None:
        raise ValueError('draw_graph: collapse="modules" needs model=<the model>')
    return module_boxes(model)


def _released(root: Value) -> bool:
    """Whether a backward went through root's graph and released it (retain_graph=False).

    Only then does a node's missing gradient mean "not kept", and only then are the
    leaves' gradients known to come from this graph. A released node points to its
    primitive's rule-less twin, which is its own `released`.
    """
    op = root._op
    return op is not None and op.released is op


class _Picture:
    """The nodes of one picture in reading order, with their graphviz ids."""

    def __init__(self, walk: Walk, model: Any) -> None:
        self.box_of = walk.box_of
        self.param_names: dict[int, str] = {}
        if model is not None:
            self.param_names = {id(p): n for n, p in model.named_parameters()}
        # One reading order (inputs before outputs) for the Values drawn and the boxes.
        outputs = [o for b in walk.boxes.values() for o in b.outputs]
        ordered = inputs_first([*walk.values.values(), *outputs])
        place = {id(v): i for i, v in enumerate(ordered)}
        self.values = [v for v in ordered if id(v) in walk.values]
        # The short ids are also the graphviz node ids: the DOT source is reproducible.
        self.ids = short_ids(self.values)
        self.boxes = sorted(walk.boxes.values(), key=lambda b: min(place[id(o)] for o in b.outputs))
        self.box_ids = {id(b): f"m{i}" for i, b in enumerate(self.boxes, start=1)}

    def node_of(self, v: Value) -> str:
        """The graphviz node that shows `v`: its own record, or the box standing in."""
        box = self.box_of.get(id(v))
        return self.box_ids[id(box)] if box is not None else self.ids[id(v)]

    def sizes(self, style: Style) -> tuple[dict[str, NodeSize], list[tuple[str, str]]]:
        """The nodes the picture draws one by one (inputs first) with their sizes, and its
        edges: what `choose_rankdir` needs (the collapsed view's boxes are left out)."""
        sizes: dict[str, NodeSize] = {}
        edges: list[tuple[str, str]] = []
        for v in self.values:
            vid = self.ids[id(v)]
            if not v.is_leaf:
                opn = f"{vid}_op"
                for j, p in enumerate(inputs_of(v)):
                    if isinstance(p, Value):
                        edges.append((self.node_of(p), opn))
                    else:
                        sizes[f"{vid}_c{j}"] = NodeSize.label(summarize(p), fontsize=9)
                        edges.append((f"{vid}_c{j}", opn))
                sizes[opn] = NodeSize.label(op_label(v), fontsize=11)
                edges.append((opn, vid))
            name = self.param_names.get(id(v)) or v.name or vid
            fields = style.value_fields(v)
            scalar = is_scalar(v)
            sizes[vid] = (
                NodeSize.fields([name, *fields], True) if scalar else NodeSize.beside(name, fields)
            )
        return sizes, [(t, h) for t, h in edges if t in sizes]

    def draw(self, dot: graphviz.Digraph, style: Style) -> None:
        for v in self.values:
            self._draw_value(dot, style, v)
        for box in self.boxes:
            bid = self.box_ids[id(box)]
            dot.node(bid, style.box_label(box), **style.box_attrs(box))
            for v in box.inputs:
                dot.edge(self.node_of(v), bid)
        legend = style.legend()
        if legend:
            dot.node("legend", "\\l".join(legend) + "\\l", shape="note", fontsize="10")

    def _draw_value(self, dot: graphviz.Digraph, style: Style, v: Value) -> None:
        """`v`'s record and, for an op's output, the op node and the edges into it."""
        vid = self.ids[id(v)]
        name = self.param_names.get(id(v)) or v.name or vid
        dot.node(vid, style.value_label(v, name), **style.value_attrs(v, name))
        if v.is_leaf:
            return
        opn = f"{vid}_op"
        dot.node(opn, esc(op_label(v)), shape="ellipse", fontsize="11", tooltip=v.op)
        dot.edge(opn, vid)
        for j, p in enumerate(inputs_of(v)):
            if isinstance(p, Value):
                dot.edge(self.node_of(p), opn)
            else:  # a raw number or array given to the op: drawn small
                cn = f"{vid}_c{j}"
                dot.node(cn, esc(summarize(p)), shape="plaintext", fontsize="9")
                dot.edge(cn, opn, style="dotted")
