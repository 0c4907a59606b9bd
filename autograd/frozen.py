"""Arrays a live graph reads are read-only: an unannounced write cannot happen.

numpy arrays have no version counter, so a write such as ``x.data[0] = 5`` between
the forward and the backward pass would leave no trace, and the gradient rules would
read the new numbers. The engine prevents it instead of guessing: when a node is
recorded at the tensor level, the arrays its rules may read (the data of its inputs,
raw constant arrays among them, and its own output) become read-only, and they stay
so while some recorded node that reads them lives. A write to one of them fails at
the write, with numpy's ``ValueError: assignment destination is read-only``.

Each recorded node holds a `Frozen` token. The token goes when the node's rules can
no longer run: when backward releases the node (``retain_graph=False``, the
default), or when the graph is dropped. The last token that froze an array makes it
writable again, so that after ``loss.backward()`` an optimizer (or the micrograd
idiom ``p.data -= lr * p.grad``) updates parameters in place.

Writable views: an array's ``base`` chain is frozen with it (a view read by a rule
cannot then change through the array it views), but numpy gives no way to reach views
made *before* the freeze; a write through such a view escapes. Assigning ``.data``
and announcing an in-place write with ``data_changed()`` are caught by the version
clock instead (node.py).

Scalar level nodes hold Python floats, which cannot change: they hold no token.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# id(array) -> how many live tokens froze it. Only arrays that were writable when first
# frozen are counted: the others were read-only already, and stay so.
_FROZEN_BY: dict[int, int] = {}

# ndarray.setflags with `write` given by position: half the cost of the keyword, on
# every recorded tensor node. (numpy's stubs declare it keyword-only; numpy takes both.)
_set_writeable: Any = np.ndarray.setflags


class Frozen:
    """The arrays one recorded node made read-only; they thaw when it goes."""

    __slots__ = ("arrays",)

    def __init__(self, datas: list[Any], out: Any) -> None:
        arrays: list[np.ndarray] = []
        counts = _FROZEN_BY
        for d in (*datas, out):
            while type(d) is np.ndarray:  # the array, then what it is a view of
                key = id(d)
                if key in counts:
                    counts[key] += 1
                    arrays.append(d)
                elif d.flags.writeable:
                    _set_writeable(d, False)
                    counts[key] = 1
                    arrays.append(d)
                # else read-only already (np.broadcast_to's views are): its base may not be
                d = d.base
        self.arrays = arrays

    def __del__(self) -> None:
        counts = _FROZEN_BY
        stuck = []
        for d in reversed(self.arrays):  # an array's bases come after it: they thaw first
            key = id(d)
            count = counts.pop(key, 1) - 1
            if count:
                counts[key] = count
                continue
            try:
                _set_writeable(d, True)
            except ValueError:  # its base is still read-only
                stuck.append(d)
        # numpy makes a view writable only when its base is: retry, round by round. A view
        # whose base another token still holds stays read-only.
        while stuck:
            left = []
            for d in stuck:
                try:
                    _set_writeable(d, True)
                except ValueError:
                    left.append(d)
            if len(left) == len(stuck):
                break
            stuck = left


def freeze(datas: list[Any], out: Any) -> Frozen | None:
    """A token keeping the arrays among `datas` and `out` read-only while it lives;
    None when there are none."""
    token = Frozen(datas, out)
    return token if token.arrays else None
