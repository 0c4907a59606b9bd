"""Function transforms: grad, value_and_grad, jacobian, hessian, hvp, vjp.

Each transform takes a Python function of Values and returns a new function.
Given raw floats/arrays it returns raw results; given Values (as happens when
transforms are nested, `grad(grad(f))`) it returns Values whose graphs reach
back to its inputs, so an outer transform can differentiate the result again.

Every differentiated argument is first passed through a fresh `identity`
node: the transform differentiates with respect to that node, so a function
that closes over an outer transform's variable is never confused with its own
argument (the "perturbation confusion" of nested differentiation).

A transform records its function's graph whatever the caller's mode, as
torch.func does: `grad(f)(x)` inside `no_grad()` is the gradient, not zeros.
The caller's `no_grad` still holds for what the transform returns: no result
reaches back into a graph (given Values, the results are Values that require
no gradient). A `no_grad` inside the function is the function's own business
and is respected, so a transform called there gives its caller a constant.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd.backprop import gradients
from autograd.ops.arithmetic import identity
from autograd.ops.shape import reshape, stack
from autograd.record import enable_grad, is_grad_enabled
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
    whether results keep their graphs (nested), come back raw, or come back as
    Values outside any graph (given Values under the caller's no_grad).

    Used as a context manager around the function's evaluation and its
    gradients: recording is on inside, and the caller's mode is restored on
    the way out, exceptions included.
    """

    def __init__(self, args: tuple[Any, ...], nums: tuple[int, ...]) -> None:
        # Read before recording is turned on: the caller's mode decides whether the
        # results may carry a graph back to the caller.
        self.recording = is_grad_enabled()
        self.values = _DEPTH > 0 or any(isinstance(a, Value) and a.requires_grad for a in args)
        self.nested = self.recording and self.values
        self.args = list(args)
        self.xs: list[Value] = []
        for i in nums:
            a = args[i]
            if self.nested and isinstance(a, Value) and a.requires_grad:
                x = identity(a)  # linked to the caller's graph (the caller records)
            else:
                x = Value(_raw(a), requires_grad=True)
            self.args[i] = x
            self.xs.append(x)
        self._mode = enable_grad()

    def __enter__(self) -> _Call:
        self._mode.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._mode.__exit__(*exc)

    def run(self, f: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        global _DEPTH
        _DEPTH += 1
        try:
            return f(*self.args, **kwargs)
        finally:
            _DEPTH -= 1

    def grads(self, out: Any, seed: Any = None, keep: bool | None = None) -> list[Any]:
        """d out / d x for each variable (zeros where out does not depend on x),
        recorded when the results keep their graphs (`keep`, default `nested`)."""
        if not (isinstance(out, Value) and out.requires_grad):
            return [_zeros(x) for x in self.xs]
        keep = self.nested if keep is None else keep
        return gradients(out, self.xs, grad_output=seed, create_graph=keep, retain_graph=True)

    def result(self, x: Any, keep: bool | None = None) -> Any:
        """x as the caller receives it: as it is when it keeps its graph (`keep`,
        default `nested`), raw for raw inputs, else a Value that requires no grad."""
        if self.nested if keep is None else keep:
            return x
        if not self.values:
            return _raw(x)
        return Value(_raw(x), requires_grad=False)


def _zeros(x: Value) -> Any:
    return 0.0 if type(x.data) is float else np.zeros_like(x.data)


def _check_output(out: Any, who: str) -> None:
    """f must return a Value or real numbers (raw numbers: a constant function,
    whose derivative is zero as in JAX). Anything else is a mistake to report:
    None (a missing return), a string, a list (of Values or not)."""
    if isinstance(out, Value):
        return
    if isinstance(out, int | float) and not isinstance(out, bool):
        return
    if isinstance(out, np.ndarray | np.generic) and out.dtype.kind in "fiu":
        return
    if out is None:
        what = "None (does the function miss a return statement?)"
    elif isinstance(out, np.ndarray | np.generic):
        what = f"an array of dtype {out.dtype}"
    else:
        what = f"a {type(out).__name__}"
    hint = ""
    if isinstance(out, list | tuple):
        hint = " (stack or sum a list of Values into one Value)"
    raise TypeError(
        f"{who}: the function must return a Value (or a number), but it returned {what}{hint}"
    )


def _check_scalar(out: Any, who: str) -> None:
    _check_output(out, who)
    d = _raw(out)
    if type(d) is not float and np.size(d) != 1:
        raise ValueError(
            f"{who}: the function must return a scalar, but it returned shape {np.shape(d)}; "
            "use jacobian or vjp for non-scalar outputs"
        )


def _results(call: _Call, x: Any) -> Any:
    """x (nested in tuples, lists, dicts) with every Value in it as the caller receives
    the transform's value (`_Call.result`): raw for raw inputs, out of the graph under
    the caller's no_grad, as it is when nested."""
    if isinstance(x, Value):
        return call.result(x)
    if isinstance(x, tuple | list):
        return type(x)(_results(call, v) for v in x)
    if isinstance(x, dict):
        return {k: _results(call, v) for k, v in x.items()}
    return x


def value_and_grad(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """f and its gradient at once: returns `(value, grad)`, or
    `((value, aux), grad)` when `has_aux` (f returns `(value, aux)`). With a
    tuple of argnums the gradient is a tuple, one entry per argument."""
    return _value_and_grad(f, argnums, has_aux, "value_and_grad")


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The gradient of a scalar function with respect to argument(s) `argnums`.

    f must return a Value holding one element. A function that returns raw
    numbers is a constant to this transform and gets zeros, as in JAX: that
    includes returning `.data` of a Value, which drops its graph. None, strings
    and lists raise TypeError."""
    vg = _value_and_grad(f, argnums, False, "grad")

    def grad_f(*args: Any, **kwargs: Any) -> Any:
        return vg(*args, **kwargs)[1]

    return grad_f


def _value_and_grad(
    f: Callable[..., Any], argnums: int | Sequence[int], has_aux: bool, who: str
) -> Callable[..., Any]:
    def value_and_grad_f(*args: Any, **kwargs: Any) -> Any:
        with _Call(args, _argnums(argnums, len(args), who)) as call:
            res = call.run(f, kwargs)
            if has_aux and not (isinstance(res, tuple | list) and len(res) == 2):
                raise TypeError(
                    f"{who}: with has_aux=True the function must return a pair "
                    f"(output, aux), but it returned a {type(res).__name__}"
                )
            out, aux = (res[0], res[1]) if has_aux else (res, None)
            _check_scalar(out, who)
            gs = tuple(call.result(g) for g in call.grads(out))
        g: Any = gs[0] if isinstance(argnums, int) else gs
        value = call.result(out)
        return ((value, _results(call, aux)), g) if has_aux else (value, g)

    return value_and_grad_f


def vjp(f: Callable[..., Any], *args: Any) -> tuple[Any, Callable[[Any], Any]]:
    """`(f(*args), vjp_fn)` where vjp_fn(v) returns v^T J for each argument:
    the gradient of sum(v * f) with respect to every argument, as a tuple.

    vjp_fn honours the mode it is called in as well: under no_grad its results
    carry no graph even where vjp's own call would have kept one."""
    with _Call(args, tuple(range(len(args)))) as call:
        out = call.run(f, {})
        _check_output(out, "vjp")

    def vjp_fn(v: Any) -> tuple[Any, ...]:
        keep = call.nested and is_grad_enabled()
        return tuple(call.result(g, keep) for g in call.grads(out, v, keep))

    return call.result(out), vjp_fn


def jacobian(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The Jacobian: J[i..., j...] = d out[i...] / d x[j...], of shape
    out.shape + x.shape; one reverse pass per output element."""

    def jacobian_f(*args: Any, **kwargs: Any) -> Any:
        with _Call(args, _argnums(argnums, len(args), "jacobian")) as call:
            out = call.run(f, kwargs)
            _check_output(out, "jacobian")
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
            jacs = tuple(
                call.result(_assemble(r, oshape, x, call.nested)) for r, x in zip(rows, call.xs)
            )
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
