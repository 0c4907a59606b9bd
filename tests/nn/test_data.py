"""Tests for nn.DataLoader: batch counts, drop_last, reshuffling, seeds, dtypes, errors."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Value


def _data(n: int = 10) -> tuple[np.ndarray, np.ndarray]:
    x = np.arange(n * 2, dtype=np.float64).reshape(n, 2)
    return x, np.arange(n)


@pytest.mark.parametrize(
    ("n", "batch", "drop_last", "sizes"),
    [
        (10, 3, False, [3, 3, 3, 1]),
        (10, 3, True, [3, 3, 3]),
        (9, 3, False, [3, 3, 3]),
        (9, 3, True, [3, 3, 3]),
        (2, 5, False, [2]),
        (2, 5, True, []),
    ],
)
def test_batch_counts_and_sizes(n: int, batch: int, drop_last: bool, sizes: list[int]) -> None:
    x, y = _data(n)
    loader = nn.DataLoader(x, y, batch_size=batch, drop_last=drop_last, seed=0)
    assert len(loader) == len(sizes)
    got = [len(yb) for _, yb in loader]
    assert got == sizes
    for xb, yb in loader:
        np.testing.assert_array_equal(xb.data[:, 0] / 2, yb)  # rows and labels stay paired


def test_default_batch_size_is_32_and_shuffles() -> None:
    x, y = _data(100)
    loader = nn.DataLoader(x, y)
    assert loader.batch_size == 32 and loader.shuffle and len(loader) == 4


def test_batches_are_constant_float32_values_and_integer_labels() -> None:
    x, y = _data()
    xb, yb = next(iter(nn.DataLoader(x, y.astype(np.int32), batch_size=4)))
    assert isinstance(xb, Value) and not xb.requires_grad and xb.dtype == np.float32
    assert isinstance(yb, np.ndarray) and yb.dtype == np.int64
    floats = next(iter(nn.DataLoader(x, y.astype(np.float64), batch_size=4)))[1]
    assert floats.dtype == np.float32  # float targets follow the inputs' dtype
    x64 = next(iter(nn.DataLoader(x, batch_size=4, dtype=np.float64)))
    assert x64.dtype == np.float64


def test_without_labels_yields_values_only() -> None:
    x, _ = _data()
    batches = list(nn.DataLoader(x, batch_size=4, shuffle=False))
    assert all(isinstance(b, Value) for b in batches)
    np.testing.assert_array_equal(np.concatenate([b.data for b in batches]), x)


def test_no_shuffle_keeps_order() -> None:
    x, y = _data()
    labels = np.concatenate([yb for _, yb in nn.DataLoader(x, y, batch_size=3, shuffle=False)])
    np.testing.assert_array_equal(labels, y)


def test_each_epoch_is_a_fresh_permutation() -> None:
    x, y = _data(50)
    loader = nn.DataLoader(x, y, batch_size=7, seed=1)
    epochs = [np.concatenate([yb for _, yb in loader]) for _ in range(3)]
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order), y)  # every sample exactly once
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[1], epochs[2])
    assert not np.array_equal(epochs[0], y)


def test_seed_reproduces_the_sequence_of_epochs() -> None:
    x, y = _data(40)

    def run(seed: int) -> list[np.ndarray]:
        loader = nn.DataLoader(x, y, batch_size=8, seed=seed)
        return [np.concatenate([yb for _, yb in loader]) for _ in range(3)]

    for a, b in zip(run(5), run(5)):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(run(5)[0], run(6)[0])


def test_manual_seed_governs_loaders_without_a_seed() -> None:
    x, y = _data(40)

    def run() -> list[np.ndarray]:
        nn.manual_seed(11)
        loader = nn.DataLoader(x, y, batch_size=8)
        return [np.concatenate([yb for _, yb in loader]) for _ in range(2)]

    for a, b in zip(run(), run()):
        np.testing.assert_array_equal(a, b)


def test_drop_last_with_shuffle_drops_different_samples_each_epoch() -> None:
    x, y = _data(10)
    loader = nn.DataLoader(x, y, batch_size=4, drop_last=True, seed=0)
    seen = [set(np.concatenate([yb for _, yb in loader]).tolist()) for _ in range(5)]
    assert all(len(s) == 8 for s in seen)
    assert len(set.union(*seen)) > 8


def test_errors() -> None:
    x, y = _data()
    with pytest.raises(ValueError, match="x has 10 rows, y has 9"):
        nn.DataLoader(x, y[:9])
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        nn.DataLoader(x, y, batch_size=0)
    with pytest.raises(TypeError, match="batch_size must be an int"):
        nn.DataLoader(x, y, batch_size=2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="x must be numbers, got ndarray of dtype <U1"):
        nn.DataLoader(np.array(["a", "b"]))
    with pytest.raises(ValueError, match="batch axis"):
        nn.DataLoader(np.float32(3.0))
    with pytest.raises(TypeError, match="floating-point"):
        nn.DataLoader(x, dtype=np.int32)


def test_lists_are_accepted_and_repr() -> None:
    loader = nn.DataLoader([[0, 1], [1, 0], [1, 1]], [1, 1, 0], batch_size=2, shuffle=False)
    xb, yb = next(iter(loader))
    assert xb.dtype == np.float32 and yb.dtype == np.int64
    assert "samples=3" in repr(loader) and "batches=2" in repr(loader)


def test_an_object_array_of_numbers_is_read_as_floats_and_others_are_named() -> None:
    loader = nn.DataLoader(np.array([[1, 2.5]] * 3, dtype=object), batch_size=3, shuffle=False)
    (xb,) = list(loader)
    np.testing.assert_array_equal(xb.data, [[1.0, 2.5]] * 3)
    with pytest.raises(TypeError, match=r"x must be numbers, .* holding None at flat position 1"):
        nn.DataLoader(np.array([[1, None]] * 3, dtype=object))
