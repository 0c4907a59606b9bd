"""DataLoader: mini-batches over numpy arrays, reshuffled every epoch.

Each iteration over a loader is one epoch. It yields ``(xb, yb)`` (or ``xb`` alone when
there are no labels): ``xb`` a Value with ``requires_grad=False`` (so the batch is never a
graph node that collects gradients), ``yb`` a plain numpy array, the form the losses
take. Inputs are cast once, at construction, to ``dtype`` (float32); integer labels stay
integers (int64), float targets become float32, so nothing promotes a float32 model to
float64.

Shuffling draws a fresh permutation every epoch. With ``seed`` the loader owns a
generator made from it, so the sequence of epochs repeats for the same seed; without it
each epoch draws from nn.init's shared generator, which ``nn.manual_seed`` seeds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd import Value
from nn.arguments import check_numbers, float_dtype
from nn.init import get_generator

__all__ = ["DataLoader"]


def as_array(who: str, what: str, data: Any) -> np.ndarray:
    """Data (arrays, lists, Values) as a numeric numpy array with a batch axis; errors
    that name the caller, the argument and what it holds otherwise (`check_numbers`)."""
    if isinstance(data, Value):
        data = data.data
    try:
        arr = np.asarray(data)
    except (ValueError, TypeError):  # ragged nesting
        check_numbers(who, **{what: data})
        raise
    if arr.dtype.kind not in "biuf":
        check_numbers(who, **{what: data})  # names the first item that is not a number
        arr = arr.astype(np.float64)  # an object array that holds numbers only
    if arr.ndim == 0:
        raise ValueError(f"{who}: {what} must have a batch axis, got a single number")
    return arr


class DataLoader:
    """Mini-batches of ``x`` (and ``y``) of ``batch_size`` rows.

    ``len(loader)`` is the number of batches per epoch: ceil(n / batch_size), or
    floor(n / batch_size) with ``drop_last`` (which drops the smaller last batch).
    """

    def __init__(
        self,
        x: Any,
        y: Any = None,
        batch_size: int = 32,
        shuffle: bool = True,
        drop_last: bool = False,
        seed: int | None = None,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        who = "DataLoader"
        if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
            raise TypeError(f"{who}: batch_size must be an int, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"{who}: batch_size must be >= 1, got {batch_size}")
        dt = float_dtype(who, dtype)
        xa = as_array(who, "x", x)
        self.x = xa if xa.dtype == dt else xa.astype(dt)
        self.y: np.ndarray | None = None
        if y is not None:
            ya = as_array(who, "y", y)
            if ya.shape[0] != self.x.shape[0]:
                raise ValueError(
                    f"{who}: x and y have different lengths: x has {self.x.shape[0]} rows, "
                    f"y has {ya.shape[0]}"
                )
            if ya.dtype.kind == "f" and ya.dtype != dt:
                ya = ya.astype(dt)
            elif ya.dtype.kind in "iu" and ya.dtype != np.int64:
                ya = ya.astype(np.int64)
            self.y = ya
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self._rng = None if seed is None else np.random.default_rng(seed)

    def __len__(self) -> int:
        n, b = self.x.shape[0], self.batch_size
        return n // b if self.drop_last else -(-n // b)

    @property
    def num_samples(self) -> int:
        return int(self.x.shape[0])

    def __iter__(self) -> Iterator[Any]:
        n, b = self.x.shape[0], self.batch_size
        order: np.ndarray | None = None
        if self.shuffle:
            rng = self._rng if self._rng is not None else get_generator()
            order = rng.permutation(n)
        stop = (n // b) * b if self.drop_last else n
        x, y = self.x, self.y
        for start in range(0, stop, b):
            if order is None:
                idx: Any = slice(start, start + b)  # views, no copy
            else:
                idx = order[start : start + b]
            xb = Value(x[idx], requires_grad=False)
            yield xb if y is None else (xb, y[idx])

    def __repr__(self) -> str:
        return (
            f"DataLoader(samples={self.num_samples}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, batches={len(self)})"
        )
