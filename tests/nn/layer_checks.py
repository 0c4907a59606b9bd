"""Checks shared by the tests of layers and containers: gradients of a module's output
with respect to its input and every parameter, and random batches."""

from __future__ import annotations

from typing import Any

import numpy as np

import nn
from autograd import Value
from autograd.testing import gradcheck

RNG = np.random.default_rng(0)


def _owner_and_attr(module: nn.Module, dotted: str) -> tuple[Any, str]:
    """The object holding a dotted parameter name's last part, and that part."""
    *path, last = dotted.split(".")
    obj: Any = module
    for part in path:
        obj = obj[int(part)] if isinstance(obj, nn.Sequential | list) else getattr(obj, part)
    return obj, last


def check_module_gradients(module: nn.Module, x: np.ndarray) -> None:
    """gradcheck of sum(w * module(x)) with respect to x and every parameter, in float64.

    The random weights w make every output element matter differently, so a gradient
    routed to the wrong place cannot cancel out in the sum.
    """
    module.to(np.float64)
    names = [n for n, _ in module.named_parameters()]
    start = [p.data.copy() for _, p in module.named_parameters()]
    w = RNG.uniform(0.5, 1.5, size=np.shape(module(x.astype(np.float64)).data))

    def f(xv: Value, *params: Value) -> Value:
        for name, p in zip(names, params):
            owner, attr = _owner_and_attr(module, name)
            setattr(owner, attr, p)
        return (module(xv) * w).sum()

    assert gradcheck(f, x.astype(np.float64), *start, atol=1e-6, rtol=1e-4)


def random_batch(*shape: int) -> np.ndarray:
    return RNG.normal(size=shape).astype(np.float32)
