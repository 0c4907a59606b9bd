"""Graphviz record labels: fields side by side or stacked, escaped.

A record is the node shape micrograd draws a Value with (``a | data 2.0000 | grad
-0.0296``). Its label is a small language of its own (``|`` separates fields, braces
nest them), so text from users (names, reprs of keywords) is escaped before it goes in.
"""

from __future__ import annotations

__all__ = ["esc", "record", "record_label", "stacked"]


def esc(text: str) -> str:
    """Escape the characters that structure a graphviz record label."""
    out = text.replace("\\", "\\\\")
    for ch in '{}|<>"':
        out = out.replace(ch, "\\" + ch)
    return out


def record(fields: list[str], rankdir: str, horizontal: bool = True) -> str:
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
    return record([esc(f) for f in fields], rankdir, horizontal)


def stacked(fields: list[str]) -> str:
    """A nested field whose parts stack against their parent's direction."""
    return "{ " + " | ".join(fields) + " }"
