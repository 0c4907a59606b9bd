"""How Values and worked backward passes show themselves in Jupyter.

IPython shows a cell's last value through the first rich form the object offers:
``_repr_html_`` in a notebook, ``_repr_pretty_`` in the IPython terminal, and only then
``repr``. A Value shows its data, gradient and operation on one line (`value_html`); the
result of `explain_backward` shows its steps (`preformatted_html`), where its repr would
only count them.

`Value` gets its ``_repr_html_`` here rather than in `value.py`: the engine's node knows
nothing of notebooks, and this package is imported with `autograd` (as every picture
and explanation is), so every Value has it.
"""

from __future__ import annotations

import html
from typing import Any

from autograd.debug.text import summarize
from autograd.value import Value

__all__ = ["preformatted_html", "value_html"]

# One line, the look of a code span: small beside a cell's other output.
_LINE_STYLE = "font-family: monospace; white-space: nowrap"


def _field(label: str, text: str) -> str:
    return f"{label} <b>{html.escape(text)}</b>"


def value_html(value: Value) -> str:
    """A Value as one line of HTML: name, data, gradient and operation (micrograd's
    ``a | data 2.0000 | grad -0.0296``, with the op that made it), the shape and dtype
    before them for a tensor. Arrays are summarized as in pictures: up to 3 elements in
    full, else mean and std (data) or norm (gradient)."""
    d = value.data
    parts = ["Value"]
    if value.name:
        parts.append(f"<b>{html.escape(value.name)}</b>")
    if type(d) is not float:
        parts.append(html.escape(f"{d.shape} {d.dtype}"))
    fields = [_field("data", summarize(d))]
    if value.requires_grad:
        g = value.grad
        fields.append(_field("grad", "None" if g is None else summarize(g, "grad")))
    else:
        fields.append("constant")
    fields.append(f"op <code>{html.escape(value.op)}</code>" if not value.is_leaf else "leaf")
    return f'<span style="{_LINE_STYLE}">{" ".join(parts)}: {" · ".join(fields)}</span>'


def preformatted_html(text: str) -> str:
    """Text whose columns line up (a worked backward pass) as HTML, kept as printed."""
    return f"<pre>{html.escape(text)}</pre>"


def _value_repr_html(self: Value) -> str:
    return value_html(self)


def pretty(obj: Any, p: Any, cycle: bool) -> None:
    """``_repr_pretty_`` for objects whose str() is their full account: IPython's
    terminal prints it (repr in a reference cycle, which these never hold)."""
    p.text(repr(obj) if cycle else str(obj))


Value._repr_html_ = _value_repr_html  # type: ignore[attr-defined]
