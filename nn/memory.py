"""Where parameters live: arrays that start on a cache-line boundary.

numpy places an array's data wherever its allocator hands out memory, which is
16-byte aligned: a large array starts 16 bytes past a 64-byte cache line (glibc
serves it from pages of its own, after a 16-byte header), a smaller one on any
multiple of 16. The matrix products and updates of a small-batch training step run
fastest when the large weight matrices start on a 64-byte boundary (the README's
performance section has the measurements), so parameters are stored that way, as
PyTorch's CPU allocator stores every tensor. The array is an ordinary C-contiguous
numpy array (a view of a slightly larger byte buffer), so nothing else needs to know.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["CACHE_LINE", "aligned_copy"]

CACHE_LINE = 64  # bytes


def aligned_copy(a: np.ndarray, dtype: npt.DTypeLike | None = None) -> np.ndarray:
    """A C-contiguous copy of `a` (of its shape; of `dtype` if given, cast as
    ``astype`` casts) whose data starts on a 64-byte boundary."""
    dt = a.dtype if dtype is None else np.dtype(dtype)
    nbytes = a.size * dt.itemsize
    buf = np.empty(nbytes + CACHE_LINE, dtype=np.uint8)
    start = -buf.ctypes.data % CACHE_LINE
    out = buf[start : start + nbytes].view(dt).reshape(a.shape)
    np.copyto(out, a, casting="unsafe")
    return out
