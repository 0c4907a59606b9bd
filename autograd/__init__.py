"""autograd: a small reverse-mode automatic differentiation engine.

`Value` is the one node type: its data is a Python float (scalar level) or a
numpy array (tensor level). Every operation below is a method or operator of
Value and a function here; given only raw numbers or arrays, the functions
return raw results (a raw operand is a constant).
"""

from autograd.anomaly import AnomalyError, detect_anomaly
from autograd.functional import grad, hessian, hvp, jacobian, value_and_grad, vjp
from autograd.graph import GraphReleasedError, backward, enable_grad, gradients, is_grad_enabled, no_grad
from autograd.ops import (
    abs,
    add,
    astype,
    broadcast_to,
    clip,
    concatenate,
    cos,
    div,
    elu,
    exp,
    expand_dims,
    identity,
    leaky_relu,
    log,
    log_softmax,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mul,
    neg,
    power,
    relu,
    reshape,
    sigmoid,
    sin,
    softmax,
    softplus,
    sqrt,
    squeeze,
    stack,
    sub,
    sum,
    sum_to,
    tanh,
    transpose,
    var,
    where,
)
from autograd.value import OPS, Primitive, Value, primitive

__all__ = [
    "OPS", "AnomalyError", "GraphReleasedError", "Primitive", "Value", "abs", "add", "astype", "backward",
    "broadcast_to", "clip", "concatenate", "cos", "detect_anomaly", "div", "elu", "enable_grad", "exp",
    "expand_dims", "grad", "gradients", "hessian", "hvp", "identity", "jacobian", "is_grad_enabled", "leaky_relu", "log", "log_softmax",
    "logsumexp", "matmul", "max", "maximum", "mean", "min", "minimum", "mul", "neg",
    "no_grad", "power", "primitive", "relu", "reshape", "sigmoid", "sin", "softmax",
    "softplus", "sqrt", "squeeze", "stack", "sub", "sum", "sum_to", "tanh", "transpose",
    "value_and_grad", "var", "vjp", "where",
]  # fmt: skip
