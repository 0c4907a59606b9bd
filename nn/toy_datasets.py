"""Toy 2-D classification problems: moons, circles, spirals and xor.

Each returns ``(x, y)`` with ``x`` float32 of shape ``(n, 2)`` and ``y`` int64 labels of
shape ``(n,)``, shuffled, with classes as balanced as ``n`` allows (counts differ by at
most one). A given ``seed`` fixes the arrays; ``seed=None`` draws from ``nn.init``'s
shared generator, so ``nn.manual_seed`` governs it. They are importable from
`nn.datasets` too.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from nn.arguments import positive_int
from nn.init import seeded_generator

__all__ = ["make_circles", "make_moons", "make_spirals", "make_xor"]

Pair = tuple[np.ndarray, np.ndarray]


def _check_noise(fn: str, noise: float) -> float:
    if not (math.isfinite(noise) and noise >= 0.0):
        raise ValueError(f"{fn}: noise must be a finite number >= 0, got {noise!r}")
    return float(noise)


def _split_evenly(n: int, parts: int) -> list[int]:
    """Sizes of ``parts`` groups summing to ``n`` that differ by at most one."""
    return [n // parts + (1 if k < n % parts else 0) for k in range(parts)]


def _finish(x: np.ndarray, y: np.ndarray, noise: float, gen: np.random.Generator) -> Pair:
    """Add N(0, noise^2) to each coordinate, shuffle, and cast to float32 / int64.

    The points are built class by class; shuffling matters because a Keras-style
    ``validation_split`` takes the last rows and would otherwise see a single class.
    """
    if noise > 0.0:
        x = x + gen.normal(0.0, noise, size=x.shape)
    order = gen.permutation(y.shape[0])
    return x[order].astype(np.float32), y[order].astype(np.int64)


def make_moons(n_samples: int = 100, noise: float = 0.0, seed: int | None = None) -> Pair:
    """Two interleaving half circles (scikit-learn's layout).

    Class 0: (cos t, sin t), class 1: (1 - cos t, 1/2 - sin t), t evenly spaced in [0, pi];
    then Gaussian noise of std ``noise`` on each coordinate.
    """
    n = positive_int("make_moons", "n_samples", n_samples)
    noise = _check_noise("make_moons", noise)
    gen = seeded_generator("make_moons", seed)
    n_outer, n_inner = _split_evenly(n, 2)
    t_outer = np.linspace(0.0, math.pi, n_outer)
    t_inner = np.linspace(0.0, math.pi, n_inner)
    outer = np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1)
    inner = np.stack([1.0 - np.cos(t_inner), 0.5 - np.sin(t_inner)], axis=1)
    y = np.repeat([0, 1], [n_outer, n_inner])
    return _finish(np.concatenate([outer, inner]), y, noise, gen)


def make_circles(
    n_samples: int = 100, noise: float = 0.0, factor: float = 0.5, seed: int | None = None
) -> Pair:
    """A circle of radius 1 (class 0) around one of radius ``factor`` (class 1).

    Points are evenly spaced in angle on each circle, then Gaussian noise of std ``noise``
    is added to each coordinate. ``factor`` must lie in [0, 1), as in scikit-learn.
    """
    n = positive_int("make_circles", "n_samples", n_samples)
    noise = _check_noise("make_circles", noise)
    if not 0.0 <= factor < 1.0:
        raise ValueError(f"make_circles: factor must be in [0, 1), got {factor!r}")
    gen = seeded_generator("make_circles", seed)
    n_outer, n_inner = _split_evenly(n, 2)
    t_outer = np.linspace(0.0, 2.0 * math.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0.0, 2.0 * math.pi, n_inner, endpoint=False)
    outer = np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1)
    inner = factor * np.stack([np.cos(t_inner), np.sin(t_inner)], axis=1)
    y = np.repeat([0, 1], [n_outer, n_inner])
    return _finish(np.concatenate([outer, inner]), y, noise, gen)


# How far each spiral arm winds, in turns, between radius 0.1 and 1; and where arms start
# (at radius 0 all arms would meet in one point carrying every label).
_SPIRAL_TURNS: Final = 1.0
_SPIRAL_START: Final = 0.1


def make_spirals(
    n_samples: int = 100, n_classes: int = 2, noise: float = 0.0, seed: int | None = None
) -> Pair:
    """``n_classes`` interleaved spiral arms, one per class.

    Arm k: radius r evenly spaced in [0.1, 1], angle 2 pi (k / n_classes + r), so each arm
    winds once and the arms are rotated copies of each other; then Gaussian noise of std
    ``noise`` on each coordinate.
    """
    n = positive_int("make_spirals", "n_samples", n_samples)
    k_classes = positive_int("make_spirals", "n_classes", n_classes)
    noise = _check_noise("make_spirals", noise)
    gen = seeded_generator("make_spirals", seed)
    counts = _split_evenly(n, k_classes)
    arms = []
    for k, count in enumerate(counts):
        r = np.linspace(_SPIRAL_START, 1.0, count)
        theta = 2.0 * math.pi * (k / k_classes + _SPIRAL_TURNS * r)
        arms.append(np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1))
    y = np.repeat(np.arange(k_classes), counts)
    return _finish(np.concatenate(arms), y, noise, gen)


# Points keep this distance from both axes, so the four clusters are separable at noise 0.
_XOR_MARGIN: Final = 0.1


def make_xor(n_samples: int = 100, noise: float = 0.0, seed: int | None = None) -> Pair:
    """Points in the four quadrants, labelled by the xor of their coordinates' signs.

    Label = (x0 > 0) xor (x1 > 0): quadrants I and III are class 0, II and IV class 1.
    Each quadrant gets n/4 points (up to rounding) whose |x0|, |x1| are uniform in
    [0.1, 1); the label is fixed before Gaussian noise of std ``noise`` is added, so noise
    can carry a point across an axis (label noise, as in scikit-learn's make_moons).
    """
    n = positive_int("make_xor", "n_samples", n_samples)
    noise = _check_noise("make_xor", noise)
    gen = seeded_generator("make_xor", seed)
    counts = _split_evenly(n, 4)
    # Quadrants I, II, III, IV; the order gives the rounding remainder to labels 0, 1, 0.
    signs = np.repeat(np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]]), counts, 0)
    magnitudes = gen.uniform(_XOR_MARGIN, 1.0, size=(n, 2))
    x = signs * magnitudes
    y = (x[:, 0] > 0) != (x[:, 1] > 0)
    return _finish(x, y, noise, gen)
