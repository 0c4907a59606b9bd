"""The table of primitives, grouped by kind; every one is registered in `OPS`.

Import order matters only for the gradient rules' cross-references: shape
primitives first, then arithmetic, elementwise functions and reductions.
"""

import sys

import autograd.value as _value
from autograd.ops.arithmetic import add, div, identity, matmul, mul, neg, sub
from autograd.ops.elementwise import (
    abs,
    astype,
    clip,
    cos,
    elu,
    exp,
    leaky_relu,
    log,
    maximum,
    minimum,
    power,
    relu,
    sigmoid,
    sin,
    softplus,
    sqrt,
    tanh,
    where,
)
from autograd.ops.fused import linear, softmax_cross_entropy
from autograd.ops.reductions import (
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    softmax,
    sum,
    var,
)
from autograd.ops.shape import (
    as_index,  # noqa: F401  (used by Value.__getitem__, not exported)
    broadcast_to,
    concatenate,
    expand_dims,
    getitem,
    reshape,
    squeeze,
    stack,
    sum_to,
    transpose,
    untake,
)

__all__ = [
    "abs",
    "add",
    "astype",
    "broadcast_to",
    "clip",
    "concatenate",
    "cos",
    "div",
    "elu",
    "exp",
    "expand_dims",
    "getitem",
    "identity",
    "leaky_relu",
    "linear",
    "log",
    "log_softmax",
    "logsumexp",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mul",
    "neg",
    "power",
    "relu",
    "reshape",
    "sigmoid",
    "sin",
    "softmax",
    "softmax_cross_entropy",
    "softplus",
    "sqrt",
    "squeeze",
    "stack",
    "sub",
    "sum",
    "sum_to",
    "tanh",
    "transpose",
    "untake",
    "var",
    "where",
]

_value.bind_operators(sys.modules[__name__])
