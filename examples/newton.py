"""Minimise the Rosenbrock function with Newton's method and with gradient descent.

Newton's method needs second derivatives: `ag.hessian` builds the 2x2 Hessian
by differentiating the gradient; `--hvp` instead solves H p = -g with
conjugate gradients using only Hessian-vector products (`ag.hvp`), the way
Newton steps scale to many parameters. Both runs start at (-1.2, 1) and stop
when f(x) < 1e-8.

    python examples/newton.py [--hvp]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np

import autograd as ag
import autograd.install  # one clear ImportError if HIPS autograd shares the environment

TOL = 1e-8


def rosenbrock(x: ag.Value) -> ag.Value:
    """f(a, b) = (1 - a)^2 + 100 (b - a^2)^2, minimum 0 at (1, 1)."""
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def f(x: np.ndarray) -> float:
    return float(rosenbrock(ag.Value(x, requires_grad=False)).data)


def conjugate_gradient(hvp: Callable[[np.ndarray], np.ndarray], b: np.ndarray) -> np.ndarray:
    """Solve H p = b with Hessian-vector products only (H never formed)."""
    p = np.zeros_like(b)
    r = b.copy()
    d = r.copy()
    for _ in range(len(b) * 2):
        Hd = hvp(d)
        alpha = (r @ r) / (d @ Hd)
        p += alpha * d
        r_new = r - alpha * Hd
        if np.linalg.norm(r_new) < 1e-12:
            break
        d = r_new + (r_new @ r_new) / (r @ r) * d
        r = r_new
    return p


def newton(x0: np.ndarray, use_hvp: bool, max_iter: int = 100) -> tuple[np.ndarray, int]:
    grad, hess, hvp = ag.grad(rosenbrock), ag.hessian(rosenbrock), ag.hvp(rosenbrock)
    x = x0.copy()
    for it in range(1, max_iter + 1):
        g = grad(x)
        if use_hvp:
            step = conjugate_gradient(lambda v, x=x: hvp(x, v), -g)
        else:
            step = np.linalg.solve(hess(x), -g)
        t = 1.0  # backtracking keeps each step a descent step far from the minimum
        while f(x + t * step) > f(x) + 1e-4 * t * (g @ step) and t > 1e-10:
            t /= 2
        x = x + t * step
        print(
            f"  newton {it:3d}: f = {f(x):.3e}  |grad| = {np.linalg.norm(grad(x)):.3e}  step {t:g}"
        )
        if f(x) < TOL:
            return x, it
    return x, max_iter


def gradient_descent(
    x0: np.ndarray, lr: float = 1e-3, max_iter: int = 50_000
) -> tuple[np.ndarray, int]:
    grad = ag.grad(rosenbrock)
    x = x0.copy()
    for it in range(1, max_iter + 1):
        x = x - lr * grad(x)
        if it % 5000 == 0 or it == 1:
            print(f"  gd {it:6d}: f = {f(x):.3e}")
        if f(x) < TOL:
            print(f"  gd {it:6d}: f = {f(x):.3e}")
            return x, it
    return x, max_iter


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--hvp", action="store_true", help="Newton steps by CG on Hessian-vector products"
    )
    args = ap.parse_args(argv)
    x0 = np.array([-1.2, 1.0])
    print(f"Newton's method ({'hvp + conjugate gradients' if args.hvp else 'full Hessian'}):")
    xn, itn = newton(x0, args.hvp)
    print("Gradient descent (lr 1e-3):")
    xg, itg = gradient_descent(x0)
    print(f"\nNewton: {itn} iterations, x = {xn}, f = {f(xn):.2e}")
    status = "reached" if f(xg) < TOL else "did not reach"
    print(f"Gradient descent: {itg} iterations ({status} f < {TOL:g}), x = {xg}, f = {f(xg):.2e}")


if __name__ == "__main__":
    main()
