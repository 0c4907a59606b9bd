"""Function transforms: grad, value_and_grad, jacobian, hessian, hvp, vjp.

Each transform takes a Python function of Values and returns a new function.
Given raw floats/arrays it returns raw results; given Values (as happens when
transforms are nested, `grad(grad(f))`) it returns Values whose graphs reach
back to its inputs, so an outer transform can differentiate the result again.

Every differentiated argument is first passed through a fresh `identity`
node: the transform differentiates with respect to that node, so a function
that closes over an outer transform's variable is never confused with its own
argument (the "perturbation confusion" of nested differentiation).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd.graph import gradients
from autograd.ops.arithmetic import identity
from autograd.ops.shape import reshape, stack
from autograd.value import Value

# How many transforms are running; inside one, results must keep their graphs
# (a function may close over an outer transform's variables).
_DEPTH = 0


def _argnums(argnums: int | Sequence[int], n: int, who: str) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for i in nums:
        if not -n <= i < n:
            raise ValueError(f"{who}: argnums {i} is out of range for {n} positional arguments")
    return tuple(i % n for i in nums)


def _raw(x: Any) -> Any:
    return x.data if isinstance(x, Value) else x


class _Call:
    """One call of a transformed function: which inputs are variables, and
    whether results must stay Values (nested) or come back raw."""

    def __init__(self, args: tuple[Any, ...], nums: tuple[int, ...]) -> None:
        self.nested = _DEPTH > 0 or any(isinstance(a, Value) and a.requires_grad for a in args)
        self.args = list(args)
        self.xs: list[Value] = []
        for i in nums:
            a = args[i]
            if isinstance(a, Value) and a.requires_grad:
                x = identity(a)
            else:
                x = Value(_raw(a), requires_grad=True)
            self.args[i] = x
            self.xs.append(x)

    def run(self, f: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        global _DEPTH
        _DEPTH += 1
        try:
            return f(*self.args, **kwargs)
        finally:
            _DEPTH -= 1

    def grads(self, out: Any, seed: Any = None) -> list[Any]:
        """d out / d x for each variable (zeros where out does not depend on x)."""
        if not (isinstance(out, Value) and out.requires_grad):
            return [_zeros(x) for x in self.xs]
        return gradients(
            out, self.xs, grad_output=seed, create_graph=self.nested, retain_graph=True
        )

    def result(self, x: Any) -> Any:
        return x if self.nested else _raw(x)


def _zeros(x: Value) -> Any:
    return 0.0 if type(x.data) is float else np.zeros_like(x.data)


def _check_scalar(out: Any, who: str) -> None:
    d = _raw(out)
    if type(d) is not float and np.size(d) != 1:
        raise ValueError(
            f"{who}: the function must return a scalar, but it returned shape {np.shape(d)}; "
            "use jacobian or vjp for non-scalar outputs"
        )


def value_and_grad(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """f and its gradient at once: returns `(value, grad)`, or
    `((value, aux), grad)` when `has_aux` (f returns `(value, aux)`). With a
    tuple of argnums the gradient is a tuple, one entry per argument."""
    return _value_and_grad(f, argnums, has_aux, "value_and_grad")


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The gradient of a scalar function with respect to argument(s) `argnums`."""
    vg = _value_and_grad(f, argnums, False, "grad")

    def grad_f(*args: Any, **kwargs: Any) -> Any:
        return vg(*args, **kwargs)[1]

    return grad_f


def _value_and_grad(
    f: Callable[..., Any], argnums: int | Sequence[int], has_aux: bool, who: str
) -> Callable[..., Any]:
    def value_and_grad_f(*args: Any, **kwargs: Any) -> Any:
        call = _Call(args, _argnums(argnums, len(args), who))
        res = call.run(f, kwargs)
        out, aux = (res[0], res[1]) if has_aux else (res, None)
        _check_scalar(out, who)
        gs = tuple(call.result(g) for g in call.grads(out))
        g: Any = gs[0] if isinstance(argnums, int) else gs
        value = call.result(out)
        return ((value, aux), g) if has_aux else (value, g)

    return value_and_grad_f


def vjp(f: Callable[..., Any], *args: Any) -> tuple[Any, Callable[[Any], Any]]:
    """`(f(*args), vjp_fn)` where vjp_fn(v) returns v^T J for each argument:
    the gradient of sum(v * f) with respect to every argument, as a tuple."""
    call = _Call(args, tuple(range(len(args))))
    out = call.run(f, {})

    def vjp_fn(v: Any) -> tuple[Any, ...]:
        return tuple(call.result(g) for g in call.grads(out, v))

    return call.result(out), vjp_fn


def jacobian(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The Jacobian: J[i..., j...] = d out[i...] / d x[j...], of shape
    out.shape + x.shape; one reverse pass per output element."""

    def jacobian_f(*args: Any, **kwargs: Any) -> Any:
        call = _Call(args, _argnums(argnums, len(args), "jacobian"))
        out = call.run(f, kwargs)
        oshape = np.shape(_raw(out))
        odtype = np.asarray(_raw(out)).dtype
        rows: list[list[Any]] = [[] for _ in call.xs]
        for k in range(int(np.prod(oshape, dtype=np.int64))):
            seed: Any
            if oshape == ():
                seed = None
            else:
                seed = np.zeros(oshape, dtype=odtype)
                seed[np.unravel_index(k, oshape)] = 1
            for row, g in zip(rows, call.grads(out, seed)):
                row.append(g)
        jacs = tuple(_assemble(r, oshape, x, call.nested) for r, x in zip(rows, call.xs))
        return jacs[0] if isinstance(argnums, int) else jacs

    return jacobian_f


def _assemble(rows: list[Any], oshape: tuple[int, ...], x: Value, nested: bool) -> Any:
    shape = oshape + x.shape
    if nested and any(isinstance(r, Value) for r in rows):
        parts = [r if isinstance(r, Value) else Value(r, requires_grad=False) for r in rows]
        return reshape(stack(parts), shape=shape)
    j = np.stack([np.asarray(_raw(r)) for r in rows]).reshape(shape)
    return float(j) if shape == () and type(x.data) is float else j


def hessian(f: Callable[..., Any], argnums: int = 0) -> Callable[..., Any]:
    """The matrix of second derivatives, shape x.shape + x.shape: jacobian(grad(f))."""
    return jacobian(grad(f, argnums), argnums)


def hvp(f: Callable[..., Any]) -> Callable[[Any, Any], Any]:
    """hvp(f)(x, v) = H(x) @ v without forming H: the gradient of <grad f(x), v>
    (reverse over reverse), about the cost of two or three gradients."""

    def hvp_f(x: Any, v: Any) -> Any:
        g = grad(f)
        return grad(lambda y: (g(y) * _raw(v)).sum())(x)

    return hvp_f
