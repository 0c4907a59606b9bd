"""A short tour of the engine: scalar level, tensor level, derivatives of derivatives.

Run with `python examples/engine_tour.py` (the main demo, `make demo`, trains a network).
"""

import numpy as np

import autograd as ag
import autograd.install  # one clear ImportError if HIPS autograd shares the environment
from autograd import Value


def scalar_tour() -> None:
    print("== Scalar level: every node is a Python float ==")
    a, b = Value(2.0, name="a"), Value(-3.0, name="b")
    c = (a * b + b**2).tanh()
    c.backward()
    print(f"c = tanh(a*b + b^2) = {c.data:.6f}")
    print(f"dc/da = {a.grad:.6f}   dc/db = {b.grad:.6f}")


def tensor_tour() -> None:
    print("\n== Tensor level: numpy arrays, broadcasting, matmul ==")
    rng = np.random.default_rng(0)
    x = Value(rng.standard_normal((32, 3)).astype(np.float32), requires_grad=False)
    W = Value(rng.standard_normal((3, 4)).astype(np.float32), name="W")
    bias = Value(np.zeros(4, dtype=np.float32), name="bias")
    for step in range(5):
        loss = ((x @ W + bias).relu() ** 2).mean()
        W.zero_grad()
        bias.zero_grad()
        loss.backward()
        W.data = W.data - 0.1 * W.grad
        bias.data = bias.data - 0.1 * bias.grad
        print(f"step {step}: loss {loss.item():.4f}  (dtype {loss.dtype}, W.grad {W.grad.shape})")


def higher_order_tour() -> None:
    print("\n== Derivatives of derivatives ==")
    d4 = ag.grad(ag.grad(ag.grad(ag.grad(lambda t: t.sin()))))(1.0)
    print(f"4th derivative of sin at 1.0 = {d4:.6f} (sin(1.0) = {np.sin(1.0):.6f})")

    def rosenbrock(v: Value) -> Value:
        return (1 - v[0]) ** 2 + 100 * (v[1] - v[0] ** 2) ** 2

    print("Hessian of Rosenbrock at (1, 2):")
    print(ag.hessian(rosenbrock)(np.array([1.0, 2.0])))


if __name__ == "__main__":
    scalar_tour()
    tensor_tour()
    higher_order_tour()
