"""autograd: a small reverse-mode automatic differentiation engine.

`Value` is the one node type: its data is a Python float (scalar level) or a
numpy array (tensor level). Every primitive of the ops table is a function here
(and most are methods or operators of Value); given only raw numbers or arrays,
the functions return raw results (a raw operand is a constant).
"""

# First of all: one clear ImportError when HIPS autograd, whose import name is also
# `autograd`, shares this environment (see autograd.install).
from autograd import install as _install  # noqa: F401
from autograd import ops
from autograd.anomaly import AnomalyError, detect_anomaly
from autograd.backprop import backward, gradients
from autograd.debug.explain import explain_backward
from autograd.debug.pictures import draw_dot, draw_graph  # graphviz is imported only when drawing
from autograd.errors import GraphReleasedError
from autograd.functional import grad, hessian, hvp, jacobian, value_and_grad, vjp
from autograd.ops import *  # noqa: F403  (every primitive of the table, by its name)
from autograd.primitives import OPS, Primitive, passthrough, primitive, times_x, times_y
from autograd.record import enable_grad, is_grad_enabled, no_grad
from autograd.value import Value

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


def __getattr__(name: str) -> Primitive:
    """Only reached for a name that is not defined above; it tells type checkers that
    the primitives exported by `from autograd.ops import *` are Primitives."""
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")
