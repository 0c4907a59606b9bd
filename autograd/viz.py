"""Pictures of computation graphs: `draw_graph` (alias `draw_dot`) and `render`.

`draw_graph(root)` walks the graph behind a Value (iteratively, newest node first) and
returns a `graphviz.Digraph`: one record per Value (its name, data and grad for a scalar;
shape, dtype and a summary for a tensor), one small node per operation, and edges
input -> op -> output. The Digraph shows itself in Jupyter and renders through the system
`dot` program (`.render("step", format="svg")`).

Big graphs stay readable: with ``collapse="modules"`` and a ``model``, each layer call is
drawn as one box standing in for the nodes it produced (see `autograd.modulecalls`).

graphviz (the Python package) is imported only when a picture is drawn, so the engine
imports numpy alone.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd.modulecalls import (
    Box,
    box_inputs,
    call_key,
    module_boxes,
    param_count,
)
from autograd.node import inputs_first, inputs_of, keywords_of
from autograd.value import Value

if TYPE_CHECKING:
    import graphviz

__all__ = [
    "INSTALL_HINT",
    "draw_dot",
    "draw_graph",
    "new_digraph",
    "op_label",
    "record_label",
    "render",
    "short_ids",
    "summarize",
]

# Fill of a Value whose data or grad holds nan or inf (and its border).
WARNING_FILL = "#ff9a9a"
WARNING_BORDER = "#c00000"
CONSTANT_FILL = "#eeeeee"
BOX_FILL = "#dde8f7"
# Gradient-magnitude scale (color_by_grad): pale for the smallest |grad|, dark for the largest.
_PALE = (247, 251, 255)
_DARK = (8, 69, 148)

INSTALL_HINT = (
    "the Graphviz program 'dot' was not found on PATH; the DOT source was written to {source}. "
    "Install Graphviz to render it: apt-get install graphviz (Debian/Ubuntu), "
    "brew install graphviz (macOS), conda install -c conda-forge graphviz, or "
    "https://graphviz.org/download/ (Windows); then run: dot -T{fmt} {source} -o {target}"
)

# Operators drawn as their symbol, as micrograd users know them; the rest by name.
_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "matmul": "@", "power": "**"}


# --- text --------------------------------------------------------------------------------


def fmt_number(x: float, small: float = 1e-3) -> str:
    """A number as micrograd prints it (4 decimals), in e-notation when that would hide
    it: at 1e5 and above, and below `small` (1e-2 keeps four significant figures, for
    arithmetic a reader checks by hand)."""
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x != 0.0 and (abs(x) < small or abs(x) >= 1e5):
        return f"{x:.3e}"
    return f"{x:.4f}"


def summarize(x: Any, stats: str = "data", small: float = 1e-3) -> str:
    """A short description of raw data: the number itself, or shape statistics of an array.

    stats="data" gives mean and std (what activations look like); stats="grad" gives the
    L2 norm (how much signal arrives). Arrays of up to 3 elements are printed in full.
    Numbers are written by `fmt_number` (`small` as there).
    """
    if isinstance(x, Value):
        x = x.data
    if isinstance(x, float | int | np.floating) or np.ndim(x) == 0:
        return fmt_number(float(x), small)
    a = np.asarray(x)
    if a.size <= 3:
        return "[" + ", ".join(fmt_number(float(v), small) for v in a.ravel()) + "]"
    a64 = a.astype(np.float64, copy=False)
    with np.errstate(all="ignore"):
        if stats == "grad":
            return f"norm {fmt_number(float(np.sqrt(np.sum(a64 * a64))), small)}"
        mean, std = float(a64.mean()), float(a64.std())
        return f"mean {fmt_number(mean, small)} std {fmt_number(std, small)}"


def _finite(x: Any) -> bool:
    if x is None:
        return True
    if isinstance(x, float):
        return math.isfinite(x)
    return bool(np.all(np.isfinite(x)))


def _magnitude(g: Any) -> float:
    """|g| for a scalar, the L2 norm for an array (0.0 when there is no gradient)."""
    if g is None:
        return 0.0
    a = np.asarray(g, dtype=np.float64)
    return float(np.sqrt(np.sum(a * a)))


def _short_kw(kw: dict[str, Any] | None, limit: int = 28) -> str:
    """Keyword arguments as `axis=1, keepdims=True`, or '' when they would not fit."""
    if not kw:
        return ""
    parts = []
    for k, v in kw.items():
        if v is None or v is False or k == "saved":
            continue  # defaults such as axis=None, keepdims=False say nothing; nor does
            # what a primitive saved for its gradient
        text = f"array{np.shape(v)}" if isinstance(v, np.ndarray) else repr(v)
        parts.append(f"{k}={text}")
    joined = ", ".join(parts)
    return joined if len(joined) <= limit else ""


def op_label(node: Value) -> str:
    """What an op node says: a symbol for + - * / @ **, else the op's name, with short
    keyword arguments (`sum(axis=1)`)."""
    name = node.op
    kw = _short_kw(keywords_of(node))
    if kw:
        return f"{name}({kw})"
    return _SYMBOLS.get(name, name)


def _esc(text: str) -> str:
    """Escape the characters that structure a graphviz record label."""
    out = text.replace("\\", "\\\\")
    for ch in '{}|<>"':
        out = out.replace(ch, "\\" + ch)
    return out


def _record(fields: list[str], rankdir: str, horizontal: bool = True) -> str:
    """A record label with fields side by side (as in micrograd's ``a | data | grad``)
    or stacked (horizontal=False), whatever the rankdir.

    Graphviz lays a record's top level out perpendicular to the rank direction and each
    pair of braces flips it, so the braces needed depend on rankdir.
    """
    body = " | ".join(fields)
    top_vertical = rankdir in ("LR", "RL")
    return "{ " + body + " }" if horizontal == top_vertical else body


def record_label(fields: list[str], rankdir: str = "LR", horizontal: bool = True) -> str:
    """A graphviz record label of plain-text fields (escaped here), side by side or
    stacked whatever the rankdir; for other pictures of the project (nn.plot_model)."""
    return _record([_esc(f) for f in fields], rankdir, horizontal)


def _stacked(fields: list[str]) -> str:
    """A nested field whose parts stack against their parent's direction."""
    return "{ " + " | ".join(fields) + " }"


def short_ids(nodes: Iterable[Value]) -> dict[int, str]:
    """Names `v1, v2, ...` for nodes, numbered inputs before outputs (`inputs_first`),
    so a picture and `explain_backward` of the same graph name unnamed nodes alike."""
    return {id(v): f"v{i}" for i, v in enumerate(inputs_first(list(nodes)), start=1)}


# --- the picture -------------------------------------------------------------------------


def _too_big(max_nodes: int, collapse: str | None) -> ValueError:
    hint = (
        "pass a larger max_nodes="
        if collapse
        else 'pass collapse="modules" with model=<your model> to draw each layer call as '
        "one box, or a larger max_nodes="
    )
    return ValueError(
        f"draw_graph: the graph has more than max_nodes={max_nodes} nodes (values, "
        "operations and constants); graphviz would take minutes to lay it out and the "
        f"picture would not be readable. {hint}"
    )


class _Walk:
    """The nodes to draw, found iteratively from the root (no recursion)."""

    def __init__(
        self, root: Value, boxes: dict[tuple[int, int], Box], max_nodes: int, collapse: Any
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
                if id(box) not in self.boxes:
                    self.boxes[id(box)] = box
                    count += 1
                self.box_of[id(v)] = box
                box.outputs.append(v)
                for p in box_inputs(v, box, boxes):
                    if all(p is not q for q in box.inputs):
                        box.inputs.append(p)
                    stack.append(p)
            else:
                self.values[id(v)] = v
                ins = inputs_of(v)
                count += 1 + (1 if v._op is not None else 0)
                count += sum(1 for p in ins if not isinstance(p, Value))
                stack.extend(p for p in ins if isinstance(p, Value))
            if count > max_nodes:
                raise _too_big(max_nodes, collapse)


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
    - ``rankdir``: "LR" (left to right, micrograd's layout) by default, "TB" (top to
      bottom) by default when collapsing: a chain of a dozen layer boxes then stays within
      one screen.

    Works after backward too: the released graph keeps its structure and op names.
    """
    if collapse not in (None, "modules"):
        raise ValueError(f'draw_graph: collapse must be None or "modules", got {collapse!r}')
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph: root must be a Value, got {type(root).__name__}")
    if rankdir is None:
        rankdir = "TB" if collapse else "LR"
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f'draw_graph: rankdir must be "LR", "RL", "TB" or "BT", got {rankdir!r}')
    boxes: dict[tuple[int, int], Box] = {}
    if collapse == "modules":
        if model is None:
            raise ValueError('draw_graph: collapse="modules" needs model=<the model>')
        boxes = module_boxes(model)
    walk = _Walk(root, boxes, max_nodes, collapse)
    if collapse == "modules" and not walk.boxes:
        raise ValueError(
            'draw_graph: collapse="modules" found no module call of the model in this '
            "graph; draw the graph right after the step that built it (a module called "
            "again since then forgets the earlier call)"
        )

    param_names: dict[int, str] = {}
    if model is not None:
        param_names = {id(p): n for n, p in model.named_parameters()}
    # One reading order (inputs before outputs) for the Values drawn and the boxes.
    outputs = [o for b in walk.boxes.values() for o in b.outputs]
    ordered = inputs_first([*walk.values.values(), *outputs])
    place = {id(v): i for i, v in enumerate(ordered)}
    values = [v for v in ordered if id(v) in walk.values]
    ids = short_ids(values)  # also the graphviz node ids: the DOT source is reproducible
    drawn_boxes = sorted(walk.boxes.values(), key=lambda b: min(place[id(o)] for o in b.outputs))
    box_ids = {id(b): f"m{i}" for i, b in enumerate(drawn_boxes, start=1)}
    any_grad = show_grad and any(v.grad is not None for v in values)
    # A backward that went through this graph released it (unless retain_graph=True):
    # only then does a node's missing gradient mean "not kept", and only then are the
    # leaves' gradients known to come from this graph.
    op = root._op
    released = op is not None and op.released is op
    style = _Style(rankdir, show_data, any_grad, color_by_grad, values, released)

    def node_of(v: Value) -> str:
        box = walk.box_of.get(id(v))
        return box_ids[id(box)] if box is not None else ids[id(v)]

    graph_attr = {"rankdir": rankdir}
    if collapse:
        graph_attr["ranksep"] = "0.3"  # a chain of boxes: keep it within a screen
    dot = _classes()[0](graph_attr=graph_attr, node_attr={"fontname": "Helvetica"})
    for v in values:
        vid = ids[id(v)]
        name = param_names.get(id(v)) or v.name or vid
        dot.node(vid, style.value_label(v, name), **style.value_attrs(v, name))
        if v._op is None:
            continue
        opn = f"{vid}_op"
        dot.node(opn, _esc(op_label(v)), shape="ellipse", fontsize="11", tooltip=v.op)
        dot.edge(opn, vid)
        for j, p in enumerate(inputs_of(v)):
            if isinstance(p, Value):
                dot.edge(node_of(p), opn)
            else:  # a raw number or array given to the op: drawn small
                cn = f"{vid}_c{j}"
                dot.node(cn, _esc(summarize(p)), shape="plaintext", fontsize="9")
                dot.edge(cn, opn, style="dotted")
    for box in drawn_boxes:
        bid = box_ids[id(box)]
        dot.node(bid, style.box_label(box), **style.box_attrs(box))
        for v in box.inputs:
            dot.edge(node_of(v), bid)
    legend = style.legend()
    if legend:
        dot.node("legend", "\\l".join(legend) + "\\l", shape="note", fontsize="10")
    return dot


class _Style:
    """Labels and colours of the nodes of one picture."""

    def __init__(
        self,
        rankdir: str,
        show_data: bool,
        show_grad: bool,
        by_grad: bool,
        values: list[Value],
        released: bool,
    ) -> None:
        self.rankdir = rankdir
        self.show_data = show_data
        self.show_grad = show_grad
        self.by_grad = by_grad
        self.warned = False
        logs = []
        if by_grad:
            for v in values:
                m = _magnitude(v.grad)
                if m > 0 and math.isfinite(m):
                    logs.append(math.log10(m))
        self.lo, self.hi = (min(logs), max(logs)) if logs else (0.0, 0.0)
        self.has_scale = bool(logs)
        # After a backward through this graph, an inner tensor node without a gradient
        # did not keep it (see Value): its label says so, and the legend says how.
        self.released = released
        self.unkept = show_grad and released and any(_unkept(v) for v in values)
        # Before one (or after one that retained the graph), the leaves' gradients are
        # whatever .grad holds: perhaps from an earlier graph, before an optimizer step.
        self.earlier = show_grad and not released and any(v._op is None for v in values)

    def value_label(self, v: Value, name: str) -> str:
        scalar = type(v.data) is float or np.ndim(v.data) == 0
        fields = [] if scalar else [f"{v.shape} {v.dtype}"]
        if self.show_data:
            fields.append("data " + summarize(v.data))
        if self.show_grad and v.requires_grad:  # a constant never gets a gradient
            fields.append(self.grad_text(v))
        if scalar:  # micrograd's  a | data 2.0000 | grad -0.0296
            return _record([_esc(f) for f in [name, *fields]], self.rankdir)
        # a tensor: the name, and beside it shape, data and grad stacked
        return _record([_esc(name), _stacked([_esc(f) for f in fields])], self.rankdir)

    def grad_text(self, v: Value) -> str:
        if v.grad is not None:
            return "grad " + summarize(v.grad, "grad")
        return "grad not kept" if self.released and _unkept(v) else "grad None"

    def value_attrs(self, v: Value, name: str) -> dict[str, str]:
        attrs = {"shape": "record", "tooltip": _tooltip(v, name, self.grad_text(v))}
        if not (_finite(v.data) and _finite(v.grad)):
            attrs.update(style="filled", fillcolor=WARNING_FILL, color=WARNING_BORDER)
            attrs["penwidth"] = "2"
            self.warned = True
        elif self.by_grad and v.grad is not None:
            attrs.update(style="filled", **self._grad_colors(_magnitude(v.grad)))
        elif not v.requires_grad:
            attrs.update(style="filled,dashed", fillcolor=CONSTANT_FILL)
        return attrs

    def box_label(self, box: Box) -> str:
        ins = ", ".join(str(s) for s in box.record.input_shapes) or "raw data"
        outs = ", ".join(str(s) for s in box.record.output_shapes)
        kind = type(box.module).__name__
        act = getattr(box.module, "activation_name", None)  # Dense(…, activation="relu")
        count = param_count(box.module)
        fields = [
            f"{box.name}: {kind}" + (f" ({act})" if isinstance(act, str) else ""),
            f"in {ins}",
            f"out {outs}",
            f"{count:,} param" + ("" if count == 1 else "s"),
        ]
        grads = [o.grad for o in box.outputs if o.grad is not None]
        if self.show_grad and grads:
            fields.append("grad out " + summarize(grads[0], "grad"))
        # fields across the flow: a chain of boxes stays narrow
        horizontal = self.rankdir in ("TB", "BT")
        return _record([_esc(f) for f in fields], self.rankdir, horizontal)

    def box_attrs(self, box: Box) -> dict[str, str]:
        kind = type(box.module).__name__
        attrs = {"shape": "record", "style": "filled,rounded", "fillcolor": BOX_FILL}
        attrs["tooltip"] = f"module {box.name} ({kind}): its last call, drawn as one box"
        if not all(_finite(o.data) and _finite(o.grad) for o in box.outputs):
            attrs.update(fillcolor=WARNING_FILL, color=WARNING_BORDER)
            self.warned = True
        return attrs

    def _grad_colors(self, mag: float) -> dict[str, str]:
        if mag <= 0 or not math.isfinite(mag):
            return {"fillcolor": CONSTANT_FILL}
        lo, hi = self.lo, self.hi
        t = 0.5 if hi <= lo else (math.log10(mag) - lo) / (hi - lo)
        rgb = [round(a + (b - a) * t) for a, b in zip(_PALE, _DARK)]
        fill = "#{:02x}{:02x}{:02x}".format(*rgb)
        return {"fillcolor": fill, "fontcolor": "white" if t > 0.55 else "black"}

    def legend(self) -> list[str]:
        lines = []
        if self.warned:
            lines.append("red: nan or inf in data or grad")
        if self.by_grad and self.has_scale:
            lines.append(f"fill: |grad| from {10**self.lo:.1e} (pale) to {10**self.hi:.1e} (dark)")
        if self.unkept:
            lines.append("inner gradients not kept: backward(inner_grads=True) keeps them")
        if self.earlier:
            lines.append(
                "no backward through this graph yet (or it was retained): leaf grads are "
                "what .grad holds, perhaps from an earlier graph"
            )
        return lines


def _unkept(v: Value) -> bool:
    """An inner tensor node without a gradient: backward does not keep one by default."""
    return v._op is not None and v.grad is None and v.requires_grad and type(v.data) is not float


draw_dot = draw_graph


def _tooltip(v: Value, name: str, grad: str) -> str:
    kind = "leaf" if v._op is None else f"output of {v.op}"
    const = ", constant (requires_grad=False)" if not v.requires_grad else ""
    parts = [f"{name}: {kind}{const}", f"shape {v.shape} {v.dtype}", f"data {summarize(v.data)}"]
    parts.append(grad)
    if not _finite(v.data):
        parts.append("data has nan/inf")
    if not _finite(v.grad):
        parts.append("grad has nan/inf")
    return "; ".join(parts)


# --- rendering ---------------------------------------------------------------------------

_CLASSES: tuple[Any, Any] | None = None


def _classes() -> tuple[Any, Any]:
    """The Digraph subclass that draw_graph returns and the error for a missing `dot`.

    Made once, on first use, because both derive from graphviz classes and graphviz is
    imported lazily.
    """
    global _CLASSES
    if _CLASSES is not None:
        return _CLASSES
    _import_graphviz()  # a clear message when the package is missing
    import graphviz

    class GraphvizNotInstalled(graphviz.ExecutableNotFound):  # type: ignore[misc]
        """`dot` is missing: the message says where the source is and how to install it."""

        def __init__(self, message: str) -> None:
            RuntimeError.__init__(self, message)

    class GraphPicture(graphviz.Digraph):  # type: ignore[misc]
        """graphviz.Digraph; render() without `dot` keeps the source and says what to install."""

        def render(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().render(*args, **kwargs)
            except graphviz.ExecutableNotFound:
                source = self.filepath
                fmt = kwargs.get("format") or self.format
                target = kwargs.get("outfile") or f"{source}.{fmt}"
                raise GraphvizNotInstalled(
                    INSTALL_HINT.format(source=source, fmt=fmt, target=target)
                ) from None

    for cls in (GraphvizNotInstalled, GraphPicture):  # named as if defined at top level
        cls.__qualname__ = cls.__name__
    _CLASSES = (GraphPicture, GraphvizNotInstalled)
    return _CLASSES


def new_digraph(**kwargs: Any) -> graphviz.Digraph:
    """An empty graphviz.Digraph whose render() explains how to install a missing `dot`."""
    return _classes()[0](**kwargs)


def _import_graphviz() -> Any:
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            "pictures need the graphviz Python package: pip install graphviz (and, to render "
            "them, the Graphviz program 'dot': apt-get install graphviz, brew install "
            "graphviz or conda install -c conda-forge graphviz)"
        ) from None
    return graphviz


def render(
    dot: graphviz.Digraph,
    path: str | os.PathLike[str],
    format: str | None = None,  # noqa: A002  (graphviz's own name for it)
) -> str:
    """Write `dot` to `path` (format from the extension: .svg, .png, .pdf; default svg).

    The DOT source is saved beside it as ``<path without extension>.gv`` first, so it
    stays on disk when the `dot` program is missing; then the error (a subclass of
    graphviz.ExecutableNotFound) says how to install Graphviz. Returns the output path.
    """
    graphviz = _import_graphviz()

    target = os.fspath(path)
    stem, ext = os.path.splitext(target)
    fmt = format or ext.lstrip(".") or "svg"
    if not ext:
        target = f"{target}.{fmt}"
    folder = os.path.dirname(os.path.abspath(target))
    os.makedirs(folder, exist_ok=True)
    source = stem + ".gv"
    with open(source, "w", encoding="utf-8") as f:
        f.write(dot.source)
    try:
        graphviz.render("dot", fmt, source, outfile=target, quiet=True)
    except graphviz.ExecutableNotFound:
        error = _classes()[1]
        raise error(INSTALL_HINT.format(source=source, fmt=fmt, target=target)) from None
    return target
