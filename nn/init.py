"""Weight initializers: fresh numpy arrays drawn from one shared, seedable generator.

Every initializer has the signature ``f(shape, dtype=np.float32, rng=None) -> np.ndarray``
(a few take extra scale arguments after ``shape``) and returns a new array of exactly the
requested shape and dtype. Random draws come from ``rng`` when given, otherwise from the
module's shared ``numpy.random.Generator``; ``manual_seed`` replaces that generator, so one
call makes a whole run (initial weights, dataset noise, DataLoader shuffles) reproducible.

Formulas follow Keras (the names are Keras' names) and, for ``torch_linear_uniform``,
PyTorch. For a weight of shape ``(fan_in, fan_out)`` (this library stores a dense kernel as
``(in, out)``, like Keras):

    glorot_uniform  U(-l, l),  l = sqrt(6 / (fan_in + fan_out))
    glorot_normal   N(0, s^2) truncated at 2 s', s = sqrt(2 / (fan_in + fan_out))
    he_uniform      U(-l, l),  l = sqrt(6 / fan_in)
    he_normal       N(0, s^2) truncated, s = sqrt(2 / fan_in)
    lecun_normal    N(0, s^2) truncated, s = sqrt(1 / fan_in)
    torch_linear_uniform  U(-b, b), b = 1 / sqrt(fan_in)

Keras draws all three "normal" variance-scaling initializers from a normal distribution
truncated at two standard deviations, and widens it first (s' = s / 0.8796...) so that the
truncated distribution still has standard deviation s; we do the same. The plain ``normal``
initializer is not truncated (Keras' RandomNormal is not either).
"""

from __future__ import annotations

import copy
import math
import operator
from typing import Any, Final, Literal, Protocol

import numpy as np
import numpy.typing as npt

from nn.arguments import float_dtype, lookup

__all__ = [
    "Initializer",
    "compute_fans",
    "get",
    "get_generator",
    "get_rng_state",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "manual_seed",
    "normal",
    "ones",
    "seeded_generator",
    "set_rng_state",
    "torch_linear_uniform",
    "uniform",
    "zeros",
]

Shape = tuple[int, ...]

# Standard deviation of a standard normal truncated to [-2, 2]:
# sqrt(1 - 2 * 2 * phi(2) / (2 * Phi(2) - 1)), phi/Phi the normal pdf/cdf. Dividing the
# wanted std by it before truncating makes the truncated draws have the wanted std.
_TRUNCATED_STD: Final = 0.87962566103423978
_TRUNCATE_AT: Final = 2.0


class Initializer(Protocol):
    """What ``get`` returns and layers accept: ``f(shape, *, dtype, rng) -> np.ndarray``."""

    def __call__(
        self,
        shape: Shape,
        *,
        dtype: npt.DTypeLike = ...,
        rng: np.random.Generator | None = ...,
    ) -> np.ndarray: ...


class _GeneratorHolder:
    """Holds the shared generator, so ``manual_seed`` can replace it without ``global``."""

    __slots__ = ("generator",)

    def __init__(self) -> None:
        # Unseeded (OS entropy) until manual_seed is called, like numpy's own default.
        self.generator: np.random.Generator = np.random.default_rng()


_HOLDER: Final = _GeneratorHolder()


def manual_seed(seed: int) -> None:
    """Replace the shared generator by ``numpy.random.default_rng(seed)``.

    Everything that draws from the shared generator afterwards (initializers called without
    ``rng``, datasets called with ``seed=None``, DataLoader shuffles) repeats exactly for the
    same seed and the same sequence of calls.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"manual_seed: seed must be non-negative, got {seed}")
    _HOLDER.generator = np.random.default_rng(int(seed))


def get_generator() -> np.random.Generator:
    """Return the shared generator.

    Call this at the moment of drawing rather than keeping the result: ``manual_seed``
    installs a new generator object, and a kept reference would miss the reseed.
    """
    return _HOLDER.generator


def get_rng_state() -> dict[str, Any]:
    """The shared generator's state (PyTorch's ``torch.get_rng_state``): save it with a
    checkpoint, and `set_rng_state` makes the shuffles after a resume the ones an
    uninterrupted run would have drawn."""
    return copy.deepcopy(dict(_HOLDER.generator.bit_generator.state))


def set_rng_state(state: dict[str, Any]) -> None:
    """Put the shared generator back in a state `get_rng_state` returned."""
    try:
        _HOLDER.generator.bit_generator.state = copy.deepcopy(state)
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(
            f"set_rng_state: not a state that get_rng_state returned ({exc})"
        ) from None


def seeded_generator(who: str, seed: int | None) -> np.random.Generator:
    """A fresh generator for an int seed; the shared one (``manual_seed``) for None."""
    if seed is None:
        return get_generator()
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"{who}: seed must be None or a non-negative int, got {seed!r}")
    return np.random.default_rng(int(seed))


def _generator(rng: np.random.Generator | None) -> np.random.Generator:
    return _HOLDER.generator if rng is None else rng


def _as_shape(fn: str, shape: Shape | int) -> Shape:
    """Check ``shape`` and return it as a tuple of Python ints (a bare int means 1-D)."""
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    try:
        dims = tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(f"{fn}: shape must be a tuple of ints, got {shape!r}") from None
    if any(d < 0 for d in dims):
        raise ValueError(f"{fn}: shape must have non-negative dimensions, got {dims}")
    return dims


def compute_fans(shape: Shape) -> tuple[int, int]:
    """Return ``(fan_in, fan_out)`` of a weight of the given shape.

    2-D ``(in, out)``: ``(in, out)``. 1-D ``(n,)``: ``(n, n)``. 0-D: ``(1, 1)``. More dims
    (a channels-last convolution kernel ``(*receptive, in, out)``, Keras' layout): each fan
    is multiplied by the receptive field size ``prod(receptive)``.
    """
    dims = _as_shape("compute_fans", shape)
    if len(dims) == 0:
        return 1, 1
    if len(dims) == 1:
        return dims[0], dims[0]
    receptive = math.prod(dims[:-2])
    return dims[-2] * receptive, dims[-1] * receptive


def zeros(
    shape: Shape, dtype: npt.DTypeLike = np.float32, rng: np.random.Generator | None = None
) -> np.ndarray:
    """All zeros (Keras' bias default). ``rng`` is accepted for a uniform signature."""
    return np.zeros(_as_shape("zeros", shape), dtype=np.dtype(dtype))


def ones(
    shape: Shape, dtype: npt.DTypeLike = np.float32, rng: np.random.Generator | None = None
) -> np.ndarray:
    """All ones. ``rng`` is accepted for a uniform signature."""
    return np.ones(_as_shape("ones", shape), dtype=np.dtype(dtype))


def uniform(
    shape: Shape,
    low: float = -0.05,
    high: float = 0.05,
    dtype: npt.DTypeLike = np.float32,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """U(low, high): Keras' RandomUniform (defaults -0.05, 0.05).

    Values lie in [low, high] once rounded to ``dtype`` (rounding can reach ``high``).
    """
    dims = _as_shape("uniform", shape)
    dt = float_dtype("uniform", dtype)
    if not (math.isfinite(low) and math.isfinite(high) and low <= high):
        raise ValueError(f"uniform: need finite low <= high, got low={low}, high={high}")
    # Draw in float64 and cast once: the same seed then gives the same values in any dtype.
    return _generator(rng).uniform(low, high, size=dims).astype(dt, copy=False)


def normal(
    shape: Shape,
    mean: float = 0.0,
    std: float = 0.05,
    dtype: npt.DTypeLike = np.float32,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """N(mean, std^2), not truncated: Keras' RandomNormal (defaults 0.0, 0.05)."""
    dims = _as_shape("normal", shape)
    dt = float_dtype("normal", dtype)
    if not (math.isfinite(mean) and math.isfinite(std) and std >= 0.0):
        raise ValueError(f"normal: need finite mean and std >= 0, got mean={mean}, std={std}")
    return _generator(rng).normal(mean, std, size=dims).astype(dt, copy=False)


def _truncated_standard_normal(dims: Shape, gen: np.random.Generator) -> np.ndarray:
    """N(0, 1) restricted to [-2, 2], by redrawing every value outside until none is left.

    A normal draw lies within two standard deviations with probability 0.954, so each
    round redraws only the few values still outside, and a handful of rounds suffice
    even for large arrays.
    """
    values = gen.standard_normal(size=dims)
    flat = values.reshape(-1)  # a view: writes land in ``values``
    outside = np.flatnonzero(np.abs(flat) > _TRUNCATE_AT)
    while outside.size:
        flat[outside] = gen.standard_normal(outside.size)
        outside = outside[np.abs(flat[outside]) > _TRUNCATE_AT]
    return values


def _variance_scaling(
    fn: str,
    shape: Shape,
    scale: float,
    mode: Literal["fan_in", "fan_avg"],
    distribution: Literal["uniform", "truncated_normal"],
    dtype: npt.DTypeLike,
    rng: np.random.Generator | None,
) -> np.ndarray:
    """Keras' VarianceScaling: draw with variance ``scale / n``, n the chosen fan.

    uniform: U(-l, l) with l = sqrt(3 * scale / n) (a uniform of half-width l has variance
    l^2 / 3). truncated_normal: std sqrt(scale / n), truncated at two (widened) stds.
    """
    dims = _as_shape(fn, shape)
    dt = float_dtype(fn, dtype)
    fan_in, fan_out = compute_fans(dims)
    n = fan_in if mode == "fan_in" else (fan_in + fan_out) / 2.0
    if n <= 0:
        raise ValueError(f"{fn}: {mode} of shape {dims} is 0; the scale 1/{mode} is undefined")
    variance = scale / n
    gen = _generator(rng)
    if distribution == "uniform":
        limit = math.sqrt(3.0 * variance)
        values = gen.uniform(-limit, limit, size=dims)
    else:
        values = _truncated_standard_normal(dims, gen) * (math.sqrt(variance) / _TRUNCATED_STD)
    return values.astype(dt, copy=False)


def glorot_uniform(
    shape: Shape, dtype: npt.DTypeLike = np.float32, rng: np.random.Generator | None = None
) -> np.ndarray:
    """Glorot/Xavier uniform (Keras' Dense default): U(-l, l), l = sqrt(6 / (fan_in + fan_out))."""
    return _variance_scaling("glorot_uniform", shape, 1.0, "fan_avg", "uniform", dtype, rng)


def glorot_normal(
    shape: Shape, dtype: npt.DTypeLike = np.float32, rng: np.random.Generator | None = None
) -> np.ndarray:
    """Glorot/Xavier normal: std sqrt(2 / (fan_in + fan_out)), truncated at 2 std (Keras)."""
    return _variance_scaling("glorot_normal", shape, 1.0, "fan_avg", "truncated_normal", dtype, rng)


def he_uniform(
    shape: Shape, dtype: npt.DTypeLike = np.float32, rng: np.random.Generator | None = None
) -> np.ndarray:
    """He/Kaiming uniform, for ReLU layers: U(-l, l), l = sqrt(6 / fan_in)."""
    return _variance_scaling("he_uniform", shape, 2.0, "fan_in", "uniform", dtype, rng)


def he_normal(
    shape: Shape, dtype: npt.DTypeLike = np.float32, rng: np.random.Generator | None = None
) -> np.ndarray:
    """He/Kaiming normal: std sqrt(2 / fan_in), truncated at 2 std like Keras' he_normal.

    (PyTorch's kaiming_normal_ does not truncate; the std is the same either way.)
    """
    return _variance_scaling("he_normal", shape, 2.0, "fan_in", "truncated_normal", dtype, rng)


def lecun_normal(
    shape: Shape, dtype: npt.DTypeLike = np.float32, rng: np.random.Generator | None = None
) -> np.ndarray:
    """LeCun normal (for SELU nets): std sqrt(1 / fan_in), truncated at 2 std (Keras)."""
    return _variance_scaling("lecun_normal", shape, 1.0, "fan_in", "truncated_normal", dtype, rng)


def torch_linear_uniform(
    shape: Shape,
    fan_in: int | None = None,
    dtype: npt.DTypeLike = np.float32,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """PyTorch nn.Linear's default for weight and bias: U(-b, b), b = 1 / sqrt(fan_in).

    ``fan_in`` defaults to ``compute_fans(shape)[0]``, right for a weight ``(in, out)``. A
    bias of shape ``(out,)`` must pass the weight's ``fan_in`` explicitly, as PyTorch does.
    """
    dims = _as_shape("torch_linear_uniform", shape)
    dt = float_dtype("torch_linear_uniform", dtype)
    if fan_in is None:
        fan_in = compute_fans(dims)[0]
    if isinstance(fan_in, bool) or not isinstance(fan_in, (int, np.integer)) or fan_in <= 0:
        raise ValueError(
            f"torch_linear_uniform: fan_in must be a positive int, got {fan_in!r} (shape {dims})"
        )
    bound = 1.0 / math.sqrt(fan_in)
    return _generator(rng).uniform(-bound, bound, size=dims).astype(dt, copy=False)


_BY_NAME: Final[dict[str, Initializer]] = {
    "zeros": zeros,
    "ones": ones,
    "uniform": uniform,
    "normal": normal,
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "lecun_normal": lecun_normal,
}


def get(initializer: str | Initializer) -> Initializer:
    """Resolve an initializer given by name (Keras' names) or return a callable unchanged.

    Known names: zeros, ones, uniform, normal, glorot_uniform, glorot_normal, he_uniform,
    he_normal, lecun_normal. ``torch_linear_uniform`` is not among them because a bias
    needs its weight's fan_in; call it directly.
    """
    if isinstance(initializer, str):
        return lookup(_BY_NAME, initializer, "initializer", "get")
    if callable(initializer):
        return initializer
    raise TypeError(
        f"get: initializer must be a name or a callable, got {type(initializer).__name__} "
        f"{initializer!r}"
    )
