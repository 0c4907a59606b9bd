"""Arithmetic primitives: + - * / unary minus and the matrix product.

Each gradient rule returns the gradient for one input at the broadcast shape
of the output; the engine sums it back to the input's shape (backprop.fit), so no
rule here deals with broadcasting.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from autograd.ops.base import Check, ndim_of, primitive, safe_float_div, shape_of
from autograd.ops.shape import expand_dims, squeeze, transpose
from autograd.primitives import passthrough, times_x, times_y

BINARY = Check(kind="binary")


# The forward of add, sub, mul and neg is Python's operator itself: it keeps a Python
# float a float and a numpy array's dtype, and a C function is the fastest forward
# for the scalar level, which calls it once per node.

add = primitive("add", BINARY, doc="a + b.  d/da = 1, d/db = 1.")(operator.add)
add.defvjp(passthrough, passthrough)

sub = primitive("sub", BINARY, doc="a - b.  d/da = 1, d/db = -1.")(operator.sub)
sub.defvjp(passthrough, lambda g, out, a, b: -g)

mul = primitive("mul", BINARY, doc="x * y.  d/dx = y, d/dy = x.")(operator.mul)
mul.defvjp(times_y, times_x)


@primitive("div", Check(kind="binary", domains=((-3.0, 3.0), (0.5, 3.0))))
def div(a: Any, b: Any) -> Any:
    """a / b.  d/da = 1 / b, d/db = -a / b^2 = -out / b.

    Division by zero gives inf or nan as in numpy, at both levels."""
    if type(a) is float and type(b) is float:
        return safe_float_div(a, b)
    return a / b


div.defvjp(lambda g, out, a, b: div(g, b), lambda g, out, a, b: -div(g * out, b))


@primitive("identity", Check())
def identity(x: Any) -> Any:
    """x itself, as a new node.  d/dx = 1.

    The function transforms (grad, jacobian, ...) differentiate with respect
    to a fresh identity node of each input, so nested transforms never mix
    up their variables."""
    return x


identity.defvjp(passthrough)


neg = primitive("neg", Check(), doc="-x.  d/dx = -1.")(operator.neg)
neg.defvjp(lambda g, out, x: -g)


def _matmul_error(a: Any, b: Any) -> str:
    sa, sb = shape_of(a), shape_of(b)
    if len(sa) == 0 or len(sb) == 0:
        return f"matmul: operands must have at least one dimension, got shapes {sa} and {sb}"
    return f"matmul: shapes {sa} and {sb} are not aligned"


@primitive("matmul", Check(kind="matmul", levels=("tensor",)), format_error=_matmul_error)
def matmul(a: Any, b: Any) -> Any:
    """a @ b with numpy's rules for 1-D, 2-D and batched operands.

    For 2-D operands: d/da = g @ b^T, d/db = a^T @ g. A 1-D operand is treated
    as a row (left) or column (right) vector whose extra axis is then dropped;
    batch axes broadcast and the engine sums them back."""
    return np.matmul(a, b)  # numpy refuses 0-d operands; apply() words the error


def _mT(x: Any) -> Any:
    """Swap the last two axes."""
    n = ndim_of(x)
    return transpose(x, axes=(*range(n - 2), n - 1, n - 2))


def _as_matrices(g: Any, a: Any, b: Any) -> tuple[Any, Any, Any]:
    """Give 1-D operands (and the gradient) the axis that matmul dropped.

    The gradient gets the column axis back before the row axis: for 1-D @ 1-D
    it is a 0-d array, where axis -2 exists only once axis -1 does."""
    if ndim_of(b) == 1:
        b = expand_dims(b, axis=-1)
        g = expand_dims(g, axis=-1)
    if ndim_of(a) == 1:
        a = expand_dims(a, axis=0)
        g = expand_dims(g, axis=-2)
    return g, a, b


def _matmul_grad_a(g: Any, out: Any, a: Any, b: Any) -> Any:
    if type(b) is np.ndarray and type(a) is np.ndarray and a.ndim == 2 and b.ndim == 2:
        return g @ b.T  # raw matrices: numpy directly
    if ndim_of(a) == 2 and ndim_of(b) == 2:
        return matmul(g, _mT(b))
    g2, _, b2 = _as_matrices(g, a, b)
    da = matmul(g2, _mT(b2))
    return squeeze(da, axis=-2) if ndim_of(a) == 1 else da


def _matmul_grad_b(g: Any, out: Any, a: Any, b: Any) -> Any:
    if type(b) is np.ndarray and type(a) is np.ndarray and a.ndim == 2 and b.ndim == 2:
        return a.T @ g
    if ndim_of(a) == 2 and ndim_of(b) == 2:
        return matmul(_mT(a), g)
    g2, a2, _ = _as_matrices(g, a, b)
    db = matmul(_mT(a2), g2)
    return squeeze(db, axis=-1) if ndim_of(b) == 1 else db


matmul.defvjp(_matmul_grad_a, _matmul_grad_b)
