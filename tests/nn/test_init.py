"""Tests for nn.init: shapes, dtypes, bounds, spreads, seeding and lookup by name."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn import init

# (fan_in, fan_out) = (400, 600): 240,000 draws, so a sample std lands within about 0.3%
# of the true one and a 1.5% tolerance never flakes.
BIG = (400, 600)
FAN_IN, FAN_OUT = BIG
REL_TOL = 0.015

RANDOM: list[Callable[..., np.ndarray]] = [
    init.uniform,
    init.normal,
    init.glorot_uniform,
    init.glorot_normal,
    init.he_uniform,
    init.he_normal,
    init.lecun_normal,
    init.torch_linear_uniform,
]
ALL: list[Callable[..., np.ndarray]] = [init.zeros, init.ones, *RANDOM]
NAMES = [
    "zeros",
    "ones",
    "uniform",
    "normal",
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "lecun_normal",
]


def _name(fn: Callable[..., np.ndarray]) -> str:
    return getattr(fn, "__name__", repr(fn))


@pytest.mark.parametrize("fn", ALL, ids=_name)
def test_default_dtype_is_float32_and_shape_is_kept(fn: Callable[..., np.ndarray]) -> None:
    w = fn((3, 5))
    assert w.dtype == np.float32
    assert w.shape == (3, 5)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("fn", ALL, ids=_name)
def test_requested_dtype_is_returned(fn: Callable[..., np.ndarray], dtype: type) -> None:
    w = fn((4, 2), dtype=dtype, rng=np.random.default_rng(0))
    assert w.dtype == dtype
    assert w.shape == (4, 2)


@given(
    shape=st.lists(st.integers(1, 5), min_size=0, max_size=4).map(tuple),
    fn=st.sampled_from(ALL),
)
@settings(max_examples=60, deadline=None)
def test_any_shape_gives_finite_float32(
    shape: tuple[int, ...], fn: Callable[..., np.ndarray]
) -> None:
    w = fn(shape, rng=np.random.default_rng(1))
    assert w.shape == shape
    assert w.dtype == np.float32
    assert np.all(np.isfinite(w))


def test_zeros_and_ones_values() -> None:
    assert not init.zeros((3, 2)).any()
    assert np.all(init.ones((3, 2)) == 1.0)


@pytest.mark.parametrize(
    ("fn", "limit"),
    [
        (init.uniform, 0.05),
        (partial(init.uniform, low=-0.3, high=0.3), 0.3),
        (init.glorot_uniform, math.sqrt(6.0 / (FAN_IN + FAN_OUT))),
        (init.he_uniform, math.sqrt(6.0 / FAN_IN)),
        (init.torch_linear_uniform, 1.0 / math.sqrt(FAN_IN)),
    ],
    ids=["uniform", "uniform_custom", "glorot_uniform", "he_uniform", "torch_linear_uniform"],
)
def test_uniform_bounds_and_spread(fn: Callable[..., np.ndarray], limit: float) -> None:
    w = fn(BIG, rng=np.random.default_rng(0))
    bound = np.float32(limit)  # rounding to float32 may reach the limit itself
    assert w.min() >= -bound and w.max() <= bound
    assert w.min() < -0.99 * limit and w.max() > 0.99 * limit  # the whole range is used
    # U(-l, l) has std l / sqrt(3) and mean 0.
    assert w.std() == pytest.approx(limit / math.sqrt(3.0), rel=REL_TOL)
    assert abs(w.mean()) < 5 * limit / math.sqrt(3.0 * w.size)


@pytest.mark.parametrize(
    ("fn", "std"),
    [
        (init.glorot_normal, math.sqrt(2.0 / (FAN_IN + FAN_OUT))),
        (init.he_normal, math.sqrt(2.0 / FAN_IN)),
        (init.lecun_normal, math.sqrt(1.0 / FAN_IN)),
    ],
    ids=["glorot_normal", "he_normal", "lecun_normal"],
)
def test_truncated_normals_have_stated_std_and_cut_tails(
    fn: Callable[..., np.ndarray], std: float
) -> None:
    w = fn(BIG, rng=np.random.default_rng(0))
    assert w.std() == pytest.approx(std, rel=REL_TOL)
    assert abs(w.mean()) < 5 * std / math.sqrt(w.size)
    # Keras truncates at 2 std of the widened distribution std / 0.8796...
    cut = 2.0 * std / 0.87962566103423978
    assert np.abs(w).max() <= np.float32(cut)
    assert np.abs(w).max() > 0.99 * cut  # values reach the cut: it is a cut, not a squeeze


def test_truncation_constant_is_std_of_truncated_standard_normal() -> None:
    # Var of N(0, 1) restricted to [-a, a] is 1 - 2 a phi(a) / (2 Phi(a) - 1).
    a = 2.0
    pdf = math.exp(-a * a / 2.0) / math.sqrt(2.0 * math.pi)
    mass = math.erf(a / math.sqrt(2.0))
    assert math.sqrt(1.0 - 2.0 * a * pdf / mass) == pytest.approx(0.87962566103423978, abs=1e-15)


def test_normal_is_not_truncated_and_honours_mean_and_std() -> None:
    w = init.normal(BIG, mean=1.0, std=0.5, rng=np.random.default_rng(0))
    assert w.mean() == pytest.approx(1.0, abs=0.01)
    assert w.std() == pytest.approx(0.5, rel=REL_TOL)
    assert np.abs(w - 1.0).max() > 3 * 0.5  # 240,000 untruncated draws pass 3 std


def test_default_normal_std() -> None:
    assert init.normal(BIG, rng=np.random.default_rng(0)).std() == pytest.approx(0.05, rel=REL_TOL)


def test_one_dimensional_shape_uses_its_length_as_both_fans() -> None:
    n = 200_000
    w = init.he_normal((n,), rng=np.random.default_rng(0))
    assert w.std() == pytest.approx(math.sqrt(2.0 / n), rel=REL_TOL)
    w = init.glorot_uniform((n,), rng=np.random.default_rng(0))
    assert np.abs(w).max() <= np.float32(math.sqrt(6.0 / (2 * n)))


def test_compute_fans() -> None:
    assert init.compute_fans((3, 5)) == (3, 5)
    assert init.compute_fans((7,)) == (7, 7)
    assert init.compute_fans(()) == (1, 1)
    assert init.compute_fans((3, 3, 4, 8)) == (36, 72)  # channels-last conv kernel


def test_torch_linear_uniform_bias_takes_the_weights_fan_in() -> None:
    b = init.torch_linear_uniform((50_000,), fan_in=400, rng=np.random.default_rng(0))
    assert np.abs(b).max() <= np.float32(1.0 / 20.0)
    assert np.abs(b).max() > 0.99 / 20.0


@pytest.mark.parametrize("fn", RANDOM, ids=_name)
def test_manual_seed_makes_draws_repeat(fn: Callable[..., np.ndarray]) -> None:
    init.manual_seed(123)
    first = fn((4, 5))
    init.manual_seed(123)
    again = fn((4, 5))
    init.manual_seed(124)
    other = fn((4, 5))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_manual_seed_replaces_the_shared_generator() -> None:
    init.manual_seed(7)
    first = init.get_generator().random(3)
    init.manual_seed(7)
    np.testing.assert_array_equal(init.get_generator().random(3), first)


def test_explicit_rng_leaves_the_shared_generator_alone() -> None:
    init.manual_seed(5)
    expected = init.get_generator().random()
    init.manual_seed(5)
    init.glorot_uniform((3, 3), rng=np.random.default_rng(0))
    assert init.get_generator().random() == expected


def test_same_seed_gives_same_values_in_every_dtype() -> None:
    w64 = init.he_normal((5, 6), dtype=np.float64, rng=np.random.default_rng(3))
    w32 = init.he_normal((5, 6), dtype=np.float32, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(w64.astype(np.float32), w32)


@pytest.mark.parametrize("seed", [-1, 1.5, True, "1"])
def test_manual_seed_rejects_bad_seeds(seed: object) -> None:
    with pytest.raises((TypeError, ValueError), match="manual_seed"):
        init.manual_seed(seed)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", NAMES)
def test_get_maps_names_to_functions(name: str) -> None:
    assert init.get(name) is getattr(init, name)


def test_get_returns_callables_unchanged() -> None:
    custom = partial(init.uniform, low=-1.0, high=1.0)
    assert init.get(custom) is custom


def test_get_unknown_name_lists_known_names() -> None:
    with pytest.raises(ValueError, match="glorot_unifrom") as info:
        init.get("glorot_unifrom")
    for name in NAMES:
        assert name in str(info.value)


def test_get_rejects_non_callables() -> None:
    with pytest.raises(TypeError, match="get"):
        init.get(3)  # type: ignore[arg-type]


def test_bad_arguments_name_the_function_and_values() -> None:
    with pytest.raises(ValueError, match=r"glorot_uniform.*\(3, -1\)"):
        init.glorot_uniform((3, -1))
    with pytest.raises(TypeError, match=r"he_normal.*shape"):
        init.he_normal("abc")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"he_uniform.*floating.*int32"):
        init.he_uniform((3, 3), dtype=np.int32)
    with pytest.raises(ValueError, match=r"he_normal.*fan_in.*\(0, 5\)"):
        init.he_normal((0, 5))
    with pytest.raises(ValueError, match=r"uniform.*low=1\.0, high=0\.0"):
        init.uniform((2,), low=1.0, high=0.0)
    with pytest.raises(ValueError, match=r"normal.*std=-1\.0"):
        init.normal((2,), std=-1.0)
    with pytest.raises(ValueError, match=r"torch_linear_uniform.*fan_in.*0"):
        init.torch_linear_uniform((2,), fan_in=0)


def test_empty_shape_with_nonzero_fans_is_fine() -> None:
    assert init.glorot_uniform((0, 5)).shape == (0, 5)
    assert init.zeros((0,)).shape == (0,)
