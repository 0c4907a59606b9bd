"""Datasets: toy 2-D problems, scikit-learn's digits, and IDX files (MNIST, Fashion-MNIST).

This module is where users find every dataset; each kind lives in a module of its own
and is re-exported here:

    make_moons, make_circles, make_spirals, make_xor    `nn.toy_datasets`
    load_digits                                         here (bundled by scikit-learn)
    load_idx                                            `nn.idx` (the file format)
    load_mnist, MNIST_*, FileChecksum, DownloadError    `nn.mnist` (files and downloads)

Toy problems return ``(x, y)`` with ``x`` float32 of shape ``(n, 2)`` and ``y`` int64
labels of shape ``(n,)``. ``load_digits`` and ``load_mnist`` return
``((x_train, y_train), (x_test, y_test))``. A ``seed`` of None draws from ``nn.init``'s
shared generator, so ``nn.manual_seed`` governs it.

Only numpy and the standard library are imported here at import time: scikit-learn (for
digits) and tqdm (for download progress bars) are imported when needed.
"""

from __future__ import annotations

import math

import numpy as np

from nn.idx import PathLike as PathLike  # re-exported: the path type the loaders accept
from nn.idx import load_idx
from nn.init import seeded_generator
from nn.mnist import (
    MNIST_CHECKSUMS,
    MNIST_FILES,
    MNIST_URL_ENV,
    MNIST_URLS,
    DownloadError,
    FileChecksum,
    Split,
    load_mnist,
)
from nn.toy_datasets import make_circles, make_moons, make_spirals, make_xor

__all__ = [
    "MNIST_CHECKSUMS",
    "MNIST_FILES",
    "MNIST_URLS",
    "MNIST_URL_ENV",
    "DownloadError",
    "FileChecksum",
    "load_digits",
    "load_idx",
    "load_mnist",
    "make_circles",
    "make_moons",
    "make_spirals",
    "make_xor",
]


def _stratified_split(
    y: np.ndarray, test_size: float, gen: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a stratified split: each class gives round(test_size * n_c) to the test set.

    Rounding per class keeps every class's share of train and test within one sample of
    its share of the whole. Both index arrays are shuffled, so classes are interleaved.
    """
    train_parts: list[np.ndarray] = []
    test_parts: list[np.ndarray] = []
    for label in np.unique(y):
        members = gen.permutation(np.flatnonzero(y == label))
        n_test = math.floor(test_size * members.size + 0.5)  # round half up, not to even
        test_parts.append(members[:n_test])
        train_parts.append(members[n_test:])
    return gen.permutation(np.concatenate(train_parts)), gen.permutation(np.concatenate(test_parts))


def load_digits(test_size: float = 0.2, seed: int | None = 0) -> Split:
    """scikit-learn's 8x8 digits (1,797 images, 10 classes), split stratified by class.

    Returns ``((x_train, y_train), (x_test, y_test))``: x float32 of shape ``(n, 64)``,
    pixel values 0..16 divided by 16 into [0, 1]; y int64 in 0..9. The split is the same
    for the same ``seed`` (None: draw from the shared generator). Needs scikit-learn, which
    bundles the data (no download).
    """
    if not (isinstance(test_size, (float, int)) and 0.0 < test_size < 1.0):
        raise ValueError(f"load_digits: test_size must be a fraction in (0, 1), got {test_size!r}")
    gen = seeded_generator("load_digits", seed)
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError as exc:
        raise ImportError(
            "load_digits needs scikit-learn, which ships the digits data: "
            "pip install scikit-learn (it comes with autograd-nn's examples extra too: "
            'pip install "autograd-nn[examples]")'
        ) from exc
    bunch = sklearn_load_digits()
    x = (np.asarray(bunch.data, dtype=np.float64) / 16.0).astype(np.float32)
    y = np.asarray(bunch.target, dtype=np.int64)
    train, test = _stratified_split(y, float(test_size), gen)
    if train.size == 0 or test.size == 0:
        raise ValueError(f"load_digits: test_size={test_size} leaves an empty train or test set")
    return (x[train], y[train]), (x[test], y[test])
