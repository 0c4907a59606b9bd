"""autograd: a small reverse-mode automatic differentiation engine.

`Value` is the one node type: its data is a Python float (scalar level) or a
numpy array (tensor level). Every operation below is a method or operator of
Value and a function here; given only raw numbers or arrays, the functions
return raw results (a raw operand is a constant).
"""

from autograd import ops
from autograd.anomaly import AnomalyError, detect_anomaly
from autograd.debug.explain import explain_backward
from autograd.debug.pictures import draw_dot, draw_graph  # graphviz is imported only when drawing
from autograd.functional import grad, hessian, hvp, jacobian, value_and_grad, vjp
from autograd.graph import (
    GraphReleasedError,
    backward,
    enable_grad,
    gradients,
    is_grad_enabled,
    no_grad,
)
from autograd.ops import *  # noqa: F403  (every primitive, as listed in ops.__all__)
from autograd.value import OPS, Primitive, Value, passthrough, primitive, times_x, times_y

__all__ = [
    *ops.__all__,
    "OPS",
    "AnomalyError",
    "GraphReleasedError",
    "Primitive",
    "Value",
    "backward",
    "detect_anomaly",
    "draw_dot",
    "draw_graph",
    "enable_grad",
    "explain_backward",
    "grad",
    "gradients",
    "hessian",
    "hvp",
    "is_grad_enabled",
    "jacobian",
    "no_grad",
    "passthrough",
    "primitive",
    "times_x",
    "times_y",
    "value_and_grad",
    "vjp",
]
