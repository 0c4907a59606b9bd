"""What each node of a picture says and how it looks: labels, tooltips, colours, legend.

One `Style` serves one picture. It decides a Value's record (name, data, grad), a module
box's record, their fills (red for nan or inf, grey for constants, a blue scale for
gradient magnitude), and it remembers what it drew, so the legend explains only the
colours and notes that the picture contains.
"""

from __future__ import annotations

import math

import numpy as np

from autograd.debug.dot import esc, record, stacked
from autograd.debug.modulecalls import Box, param_count
from autograd.debug.text import finite, magnitude, summarize
from autograd.value import Value

__all__ = ["BOX_FILL", "CONSTANT_FILL", "WARNING_BORDER", "WARNING_FILL", "Style", "is_scalar"]

# Fill of a Value whose data or grad holds nan or inf (and its border).
WARNING_FILL = "#ff9a9a"
WARNING_BORDER = "#c00000"
CONSTANT_FILL = "#eeeeee"
BOX_FILL = "#dde8f7"
# Gradient-magnitude scale (color_by_grad): pale for the smallest |grad|, dark for the largest.
_PALE = (247, 251, 255)
_DARK = (8, 69, 148)


class Style:
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
        logs = _log_magnitudes(values) if by_grad else []
        self.lo, self.hi = (min(logs), max(logs)) if logs else (0.0, 0.0)
        self.has_scale = bool(logs)
        # After a backward through this graph, an inner tensor node without a gradient
        # did not keep it (see Value): its label says so, and the legend says how.
        self.released = released
        self.unkept = show_grad and released and any(_unkept(v) for v in values)
        # Before one (or after one that retained the graph), the leaves' gradients are
        # whatever .grad holds: perhaps from an earlier graph, before an optimizer step.
        self.earlier = show_grad and not released and any(v.is_leaf for v in values)

    def value_fields(self, v: Value) -> list[str]:
        """What a Value's record says besides its name: shape (of a tensor), data, grad."""
        fields = [] if is_scalar(v) else [f"{v.shape} {v.dtype}"]
        if self.show_data:
            fields.append("data " + summarize(v.data))
        if self.show_grad and v.requires_grad:  # a constant never gets a gradient
            fields.append(self.grad_text(v))
        return fields

    def value_label(self, v: Value, name: str) -> str:
        fields = self.value_fields(v)
        if is_scalar(v):
            # micrograd's  a | data 2.0000 | grad -0.0296  running left to right; stacked
            # when the picture runs top to bottom, so that a rank of them stays narrow
            across = self.rankdir in ("LR", "RL")
            return record([esc(f) for f in [name, *fields]], self.rankdir, across)
        # a tensor: the name, and beside it shape, data and grad stacked
        return record([esc(name), stacked([esc(f) for f in fields])], self.rankdir)

    def grad_text(self, v: Value) -> str:
        if v.grad is not None:
            return "grad " + summarize(v.grad, "grad")
        return "grad not kept" if self.released and _unkept(v) else "grad None"

    def value_attrs(self, v: Value, name: str) -> dict[str, str]:
        attrs = {"shape": "record", "tooltip": _tooltip(v, name, self.grad_text(v))}
        if not (finite(v.data) and finite(v.grad)):
            attrs.update(style="filled", fillcolor=WARNING_FILL, color=WARNING_BORDER)
            attrs["penwidth"] = "2"
            self.warned = True
        elif self.by_grad and v.grad is not None:
            attrs.update(style="filled", **self._grad_colors(magnitude(v.grad)))
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
        return record([esc(f) for f in fields], self.rankdir, horizontal)

    def box_attrs(self, box: Box) -> dict[str, str]:
        kind = type(box.module).__name__
        attrs = {"shape": "record", "style": "filled,rounded", "fillcolor": BOX_FILL}
        attrs["tooltip"] = f"module {box.name} ({kind}): its last call, drawn as one box"
        if not all(finite(o.data) and finite(o.grad) for o in box.outputs):
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


def _log_magnitudes(values: list[Value]) -> list[float]:
    """log10 |grad| of each Value with a finite, nonzero gradient: the colour scale's
    ends are the smallest and the largest of them."""
    logs = []
    for v in values:
        m = magnitude(v.grad)
        if m > 0 and math.isfinite(m):
            logs.append(math.log10(m))
    return logs


def is_scalar(v: Value) -> bool:
    """Whether `v` holds one number, drawn as micrograd draws a Value."""
    return type(v.data) is float or np.ndim(v.data) == 0


def _unkept(v: Value) -> bool:
    """An inner tensor node without a gradient: backward does not keep one by default."""
    return not v.is_leaf and v.grad is None and v.requires_grad and type(v.data) is not float


def _tooltip(v: Value, name: str, grad: str) -> str:
    kind = "leaf" if v.is_leaf else f"output of {v.op}"
    const = ", constant (requires_grad=False)" if not v.requires_grad else ""
    parts = [f"{name}: {kind}{const}", f"shape {v.shape} {v.dtype}", f"data {summarize(v.data)}"]
    parts.append(grad)
    if not finite(v.data):
        parts.append("data has nan/inf")
    if not finite(v.grad):
        parts.append("grad has nan/inf")
    return "; ".join(parts)
