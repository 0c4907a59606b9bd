"""Tools for users' own tests: check gradients against finite differences.

`gradcheck(f, *inputs)` compares the engine's reverse-mode gradient of a
scalar function with central finite differences computed in float64;
`gradgradcheck` does the same for second derivatives. Hypothesis strategies
for property tests live in `autograd.testing.strategies` (needs hypothesis).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd.graph import gradients
from autograd.value import Value

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck", "numerical_gradient"]


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


def _default_eps(d: Any) -> float:
    """Step size from the input's precision: about the cube root of its machine
    epsilon, where central differences balance truncation and rounding."""
    dtype = np.float64 if type(d) is float else d.dtype
    return float(np.finfo(dtype).eps) ** (1 / 3)


def _as64(d: Any) -> Any:
    return d if type(d) is float else np.array(d, dtype=np.float64)


def _scalar_out(out: Any, who: str) -> float:
    d = out.data if isinstance(out, Value) else out
    if np.size(d) != 1:
        raise ValueError(f"{who}: f must return a scalar, got shape {np.shape(d)}")
    return float(np.asarray(d, dtype=np.float64).reshape(()))


def numerical_gradient(
    f: Callable[..., Any], inputs: Sequence[Any], i: int, eps: float | None = None
) -> Any:
    """d f / d inputs[i] by central differences, every input in float64."""
    base = [_as64(_data(x)) for x in inputs]
    x0 = base[i]
    h = _default_eps(_data(inputs[i])) if eps is None else eps

    def at(xi: Any) -> float:
        args = [Value(xi if j == i else b, requires_grad=True) for j, b in enumerate(base)]
        return _scalar_out(f(*args), "gradcheck")

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


def _compare(name: str, i: int, analytic: Any, numeric: Any, atol: float, rtol: float) -> None:
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    if a.shape != n.shape:
        raise GradcheckError(f"{name}: input {i}: gradient has shape {a.shape}, expected {n.shape}")
    err = np.abs(a - n)
    bad = ~(err <= atol + rtol * np.abs(n))  # ~(<=) also catches nan
    if bad.any():
        score = np.where(np.isnan(err), np.inf, err - rtol * np.abs(n))
        idx = np.unravel_index(int(np.argmax(score)), a.shape) if a.ndim else ()
        where = f", element {tuple(int(j) for j in idx)}" if a.ndim else ""
        raise GradcheckError(
            f"{name}: input {i} (shape {a.shape}){where}: reverse mode gives "
            f"{a[idx]:.8g}, finite differences give {n[idx]:.8g} "
            f"(error {err[idx]:.3g}; atol {atol:g}, rtol {rtol:g}; "
            f"{int(bad.sum())} of {a.size} elements differ)"
        )


def _leaves(inputs: Sequence[Any]) -> list[Value]:
    return [Value(_data(x), requires_grad=True) for x in inputs]


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
    leaves = _leaves(inputs)
    out = f(*leaves)
    _scalar_out(out, name)
    if isinstance(out, Value) and out.requires_grad:
        analytic = gradients(out, leaves)
    else:  # the output does not depend on the inputs at all
        analytic = [0.0 if type(v.data) is float else np.zeros_like(v.data) for v in leaves]
    for i in range(len(inputs)):
        numeric = numerical_gradient(f, inputs, i, eps)
        _compare(name, i, analytic[i], numeric, atol, rtol)
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
    differences of that first derivative. Same report as gradcheck."""
    return _check("gradgradcheck", _first_derivative_probe(f, inputs), inputs, eps, atol, rtol)
