"""Tools for users' own tests: check gradients against finite differences.

`gradcheck(f, *inputs)` compares the engine's reverse-mode gradient of a
scalar function with central finite differences computed in float64;
`gradgradcheck` does the same for second derivatives. Hypothesis strategies
for property tests live in `autograd.testing.strategies` (needs hypothesis:
``pip install "autograd-nn[testing]"``).

Unlike PyTorch's gradcheck, which requires float64 inputs, these accept
float32 (and other float) inputs: the reverse-mode gradient is computed in
the inputs' own dtypes, while the differences are always computed in float64,
so the comparison allows for the rounding of the reverse pass in its own
precision (see `gradcheck` for the rule). Both checks ignore an outer
`no_grad`: they record the function's graph whatever the caller's mode.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

# First: one clear ImportError when HIPS autograd shares the environment (autograd.install).
from autograd import install as _install  # noqa: F401
from autograd.backprop import gradients
from autograd.record import enable_grad
from autograd.value import Value

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck", "numerical_gradient"]

# How far the rounding of a reverse pass may move a gradient's element, in units
# of its dtype's machine epsilon times the gradient's largest element (of that
# input). Rounding is relative to the size of the terms a rule combines, not to
# the element it gives: where terms cancel (the second derivative of a saturated
# tanh or sigmoid in float32) an element can be off by about ten such units, so
# a hundred leave a margin. That is 1.2e-5 of the largest element at float32 and
# 2.2e-14 at float64, where it changes nothing that atol would not.
ROUNDING_UNITS = 100


class GradcheckError(AssertionError):
    """A reverse-mode gradient disagrees with finite differences."""


def _data(x: Any) -> Any:
    d = x.data if isinstance(x, Value) else x
    if isinstance(d, int | float) and not isinstance(d, bool):
        return float(d)
    arr = np.asarray(d)
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    return arr


def _default_eps(dtype: np.dtype[Any]) -> float:
    """Step size for central differences computed in `dtype`: about the cube root
    of its machine epsilon, where truncation error (h**2) and rounding error
    (eps / h) balance, both then about eps**(2/3) relative."""
    return float(np.finfo(dtype).eps) ** (1 / 3)


def _as64(d: Any) -> Any:
    return d if type(d) is float else np.array(d, dtype=np.float64)


def _precision(d: Any) -> np.dtype[Any]:
    """The float dtype that data `d` was computed in (float64 for a Python float,
    or for integers, which a constant function may return)."""
    dtype = np.result_type(d)
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


def _least_precise(*dtypes: np.dtype[Any]) -> np.dtype[Any]:
    return max(dtypes, key=lambda t: float(np.finfo(t).eps))


def _scalar_data(out: Any, who: str) -> Any:
    """The one element of f's output as raw data of its own dtype."""
    if isinstance(out, Value):
        d = out.data
    elif isinstance(out, int | float | np.ndarray | np.generic) and not isinstance(out, bool):
        d = out  # raw numbers: a constant function
    else:
        raise TypeError(
            f"{who}: f must return a scalar Value, but it returned a {type(out).__name__}"
        )
    if np.size(d) != 1:
        raise ValueError(f"{who}: f must return a scalar, got shape {np.shape(d)}")
    return d if type(d) is float else np.asarray(d).reshape(())


def _evaluate(f: Callable[..., Any], args: Sequence[Any], who: str) -> Any:
    return _scalar_data(f(*[Value(a, requires_grad=True) for a in args]), who)


def _differences(f: Callable[..., Any], base: list[Any], i: int, h: float, who: str) -> Any:
    """d f / d base[i] by central differences with step h, base all float64."""
    x0 = base[i]

    def at(xi: Any) -> float:
        return float(_evaluate(f, [xi if j == i else b for j, b in enumerate(base)], who))

    if type(x0) is float:
        return (at(x0 + h) - at(x0 - h)) / (2 * h)
    grad = np.zeros_like(x0)
    for idx in np.ndindex(x0.shape):
        xp = x0.copy()
        xm = x0.copy()
        xp[idx] += h
        xm[idx] -= h
        grad[idx] = (at(xp) - at(xm)) / (2 * h)
    return grad


def numerical_gradient(
    f: Callable[..., Any], inputs: Sequence[Any], i: int, eps: float | None = None
) -> Any:
    """d f / d inputs[i] by central differences, every input in float64.

    The default step `eps` suits the precision f is evaluated in: float64 (the
    inputs are), unless f's output at those inputs is less precise (a function
    that casts to float32 inside), then that precision's: the cube root of its
    machine epsilon (6.1e-6 for float64, 4.9e-3 for float32).
    """
    base = [_as64(_data(x)) for x in inputs]
    if eps is None:
        eps = _default_eps(_precision(_evaluate(f, base, "numerical_gradient")))
    return _differences(f, base, i, eps, "numerical_gradient")


def _compare(
    name: str, i: int, analytic: Any, numeric: Any, atol: float, rtol: float, slack: float
) -> None:
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    if a.shape != n.shape:
        raise GradcheckError(f"{name}: input {i}: gradient has shape {a.shape}, expected {n.shape}")
    err = np.abs(a - n)
    bad = ~(err <= atol + slack + rtol * np.abs(n))  # ~(<=) also catches nan
    if bad.any():
        score = np.where(np.isnan(err), np.inf, err - rtol * np.abs(n))
        idx = np.unravel_index(int(np.argmax(score)), a.shape) if a.ndim else ()
        where = f", element {tuple(int(j) for j in idx)}" if a.ndim else ""
        raise GradcheckError(
            f"{name}: input {i} (shape {a.shape}, reverse mode in {np.result_type(analytic)})"
            f"{where}: reverse mode gives {a[idx]:.8g}, finite differences give {n[idx]:.8g} "
            f"(error {err[idx]:.3g}; atol {atol:g} + {slack:.3g} for rounding, rtol {rtol:g}; "
            f"{int(bad.sum())} of {a.size} elements differ)"
        )


def gradcheck(
    f: Callable[..., Any],
    *inputs: Any,
    eps: float | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check reverse-mode gradients of a scalar function against finite differences.

    `f` takes one Value per input and returns a scalar Value. Inputs may be
    floats, arrays or Values (their data is used). Raises GradcheckError
    naming the input, the worst element and both values; returns True.

    The reverse-mode gradient `a` is computed with the inputs in their own
    dtypes; the finite differences `n` with every input in float64, with step
    `eps` (by default suited to float64, see `numerical_gradient`). An element
    passes when

        |a - n| <= atol + rtol * |n| + slack

    where `slack` allows for rounding, which atol and rtol are not meant to:
    that of the reverse pass, ROUNDING_UNITS (100) machine epsilons of its
    precision times the largest |n| of that input, where the precision is the
    least precise of the input's dtype and f's output dtype; and that of the
    differences, machine epsilon of f's precision at float64 inputs times
    |f(x)| / eps. Both are negligible in float64, where the rule is PyTorch's.

    So a rule wrong by a factor 1 + d is caught on every element where
    (d - rtol) * |n| exceeds atol + slack: with the defaults, at float32 a 1%
    error wherever |n| is over 1.1e-3 and over 0.13% of the largest |n|, and
    at float64 wherever |n| is over 1.1e-3. A float32 gradient passes where
    its rounding stays within the slack; an ill-conditioned function can
    round past it in float32 (a second derivative that cancels to nearly
    zero, a saturated softmax): check it in float64, or pass a larger atol.
    """
    return _check("gradcheck", f, inputs, eps, atol, rtol)


def _check(
    name: str,
    f: Callable[..., Any],
    inputs: Sequence[Any],
    eps: float | None,
    atol: float,
    rtol: float,
) -> bool:
    if not inputs:
        raise ValueError(f"{name}: give at least one input")
    # Recording on whatever the caller's mode: under no_grad the reverse pass (and
    # gradgradcheck's first derivatives) would otherwise be zeros. Restored on exit.
    with enable_grad():
        leaves = [Value(_data(x), requires_grad=True) for x in inputs]
        out = f(*leaves)
        rev_out = _precision(_scalar_data(out, name))
        if isinstance(out, Value) and out.requires_grad:
            analytic = gradients(out, leaves)
        else:  # the output does not depend on the inputs at all
            analytic = [0.0 if type(v.data) is float else np.zeros_like(v.data) for v in leaves]
        base = [_as64(v.data) for v in leaves]
        f0 = _evaluate(f, base, name)
        work = _precision(f0)  # float64, unless f computes in less inside
        h = _default_eps(work) if eps is None else eps
        diff_slack = float(np.finfo(work).eps) * abs(float(f0)) / h
        for i, leaf in enumerate(leaves):
            numeric = _differences(f, base, i, h, name)
            rev = _least_precise(_precision(leaf.data), rev_out)
            scale = float(np.max(np.abs(numeric), initial=0.0))
            rev_slack = ROUNDING_UNITS * float(np.finfo(rev).eps) * scale
            _compare(name, i, analytic[i], numeric, atol, rtol, rev_slack + diff_slack)
    return True


def _first_derivative_probe(f: Callable[..., Any], inputs: Sequence[Any]) -> Callable[..., Any]:
    """h(x) = sum_i <w_i, df/dx_i(x)> for fixed random weights w_i: a scalar whose
    gradient holds every second derivative of f (H w), so gradcheck of h checks them."""
    rng = np.random.default_rng(0)
    weights = []
    for x in inputs:
        d = _data(x)
        weights.append(
            float(rng.uniform(0.5, 1.5)) if type(d) is float else rng.uniform(0.5, 1.5, np.shape(d))
        )

    def h(*xs: Value) -> Any:
        out = f(*xs)
        if not (isinstance(out, Value) and out.requires_grad):
            return Value(0.0)
        total: Any = 0.0
        for w, g in zip(weights, gradients(out, list(xs), create_graph=True)):
            total = total + (g * w).sum() if isinstance(g, Value) else total
        return total if isinstance(total, Value) else Value(total)

    return h


def gradgradcheck(
    f: Callable[..., Any],
    *inputs: Any,
    eps: float | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check second derivatives: the gradient of a random projection of the
    first derivative (recorded with create_graph=True) against finite
    differences of that first derivative. Same rule and report as gradcheck."""
    return _check("gradgradcheck", _first_derivative_probe(f, inputs), inputs, eps, atol, rtol)
