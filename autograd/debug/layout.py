"""Which way a picture runs, chosen from the graph's shape, and how wide it may get.

A picture should fit a slide: 1,920 px wide at most (20 inches at 96 dpi, which an SVG
from graphviz writes as 1,440 pt). Two things keep it there:

- every picture carries graphviz's ``size`` attribute, `SLIDE_SIZE`: a drawing wider
  than the slide is scaled down to its width (never up). The height is left free, as a
  notebook scrolls down, not sideways;
- `choose_rankdir` picks the direction that needs the least scaling to fit a 16:9
  slide: left to right (micrograd's layout) for a shallow graph, top to bottom for a
  deep one, such as an MLP of scalar Values (dozens of operations from input to loss).

The choice comes from an estimate, not from a layout by `dot` (drawing must not need
it): each node's size from its text, and its rank (its column when the graph runs left
to right) from the edges, the way `dot` ranks a graph: each node one rank after its
latest input, and each input-less node (a leaf, a constant) just before its first
consumer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "SLIDE_HEIGHT_IN",
    "SLIDE_SIZE",
    "SLIDE_WIDTH_IN",
    "NodeSize",
    "choose_rankdir",
    "estimate_extent",
    "text_width",
]

SLIDE_WIDTH_IN = 20.0  # 1,920 px at 96 dpi
SLIDE_HEIGHT_IN = 11.25  # 16:9
# graphviz's "width,height" bound in inches; the height bound is far off on purpose.
SLIDE_SIZE = f"{SLIDE_WIDTH_IN:g},100"

_POINTS = 72.0  # graphviz lays out in points
# graphviz's defaults: space between ranks and between nodes of a rank, a node's
# smallest height; and how much room a record field takes around its text.
_RANKSEP = 0.5 * _POINTS
_NODESEP = 0.25 * _POINTS
_MIN_HEIGHT = 0.5 * _POINTS
_FIELD_PAD = 16.0
_ROW = 23.0


def text_width(text: str, fontsize: float = 14.0) -> float:
    """About how wide `text` is in Helvetica, in points (an average letter is a bit over
    half the font size wide)."""
    return 0.55 * fontsize * len(text)


@dataclass(frozen=True)
class NodeSize:
    """A node's width and height in points, when the picture runs left to right (lr)
    and when it runs top to bottom (tb): a record's fields may turn with the picture."""

    lr: tuple[float, float]
    tb: tuple[float, float]

    @staticmethod
    def fields(fields: Sequence[str], across: bool) -> NodeSize:
        """A record of `fields` side by side when the picture runs left to right and
        stacked when it runs top to bottom (across=True), or always stacked."""
        widths = [text_width(f) + _FIELD_PAD for f in fields]
        stacked = (max(widths), max(_MIN_HEIGHT, _ROW * len(fields)))
        side_by_side = (sum(widths), _MIN_HEIGHT)
        return NodeSize(side_by_side if across else stacked, stacked)

    @staticmethod
    def beside(name: str, fields: Sequence[str]) -> NodeSize:
        """A record of a name beside a stack of fields, whichever way the picture runs."""
        w = text_width(name) + max((text_width(f) for f in fields), default=0.0)
        size = (w + 2 * _FIELD_PAD, max(_MIN_HEIGHT, _ROW * len(fields)))
        return NodeSize(size, size)

    @staticmethod
    def label(text: str, fontsize: float = 14.0) -> NodeSize:
        """A node with one line of text (an operation, a constant)."""
        size = (max(0.75 * _POINTS, text_width(text, fontsize) + 24.0), _MIN_HEIGHT)
        return NodeSize(size, size)


def _ranks(nodes: Iterable[str], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Each node's rank as `dot` would place it: one after its latest input; a node with
    no input just before its first consumer. Nodes come inputs first."""
    order = list(nodes)
    inputs: dict[str, list[str]] = {n: [] for n in order}
    consumers: dict[str, list[str]] = {n: [] for n in order}
    for tail, head in edges:
        inputs[head].append(tail)
        consumers[tail].append(head)
    rank: dict[str, int] = {}
    for n in order:
        rank[n] = 1 + max((rank[p] for p in inputs[n]), default=-1)
    for n in order:
        if not inputs[n] and consumers[n]:
            rank[n] = min(rank[c] for c in consumers[n]) - 1
    return rank


def estimate_extent(
    sizes: dict[str, NodeSize], edges: Sequence[tuple[str, str]], rankdir: str
) -> tuple[float, float]:
    """About how wide and how tall (points) `dot` draws the graph running `rankdir`.

    `sizes` lists the nodes inputs first. Along the flow the ranks add up (each as
    thick as its thickest node); across it, the nodes of the fullest rank do.
    """
    rank = _ranks(sizes, edges)
    across_lr = rankdir in ("LR", "RL")
    by_rank: dict[int, list[tuple[float, float]]] = {}
    for n, size in sizes.items():
        w, h = size.lr if across_lr else size.tb
        along, across = (w, h) if across_lr else (h, w)
        by_rank.setdefault(rank[n], []).append((along, across))
    length = sum(max(a for a, _ in row) for row in by_rank.values())
    length += _RANKSEP * (len(by_rank) - 1)
    breadth = max(sum(c for _, c in row) + _NODESEP * (len(row) - 1) for row in by_rank.values())
    return (length, breadth) if across_lr else (breadth, length)


def _scale(extent: tuple[float, float]) -> float:
    """How much a drawing must shrink to fit a slide (1.0: it fits as it is)."""
    w, h = extent
    return min(1.0, SLIDE_WIDTH_IN * _POINTS / w, SLIDE_HEIGHT_IN * _POINTS / h)


def choose_rankdir(sizes: dict[str, NodeSize], edges: Sequence[tuple[str, str]]) -> str:
    """ "LR" or "TB": the direction in which the graph fits a slide with the least
    shrinking; "LR" when both fit."""
    if not sizes:
        return "LR"
    lr = _scale(estimate_extent(sizes, edges, "LR"))
    tb = _scale(estimate_extent(sizes, edges, "TB"))
    return "LR" if lr >= tb else "TB"
