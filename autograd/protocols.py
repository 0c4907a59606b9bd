"""How a Value answers Python's and numpy's protocols where a plain number or array
would answer differently: repr, iteration, format specs, and numpy functions; and the
methods PyTorch users reach for that read a Value's data rather than compute from it
(argmax, argmin, tolist) or set a leaf's flag (requires_grad_).

numpy calls `Value.__array_ufunc__` for every ufunc given a Value, including the
ones behind an array's operators (`array * value` is `np.multiply(array, value)`).
Those go to Value's own operators, so that they convert their operands as `value *
array` does. Any other numpy function on a Value is refused with the name of the
engine's function that keeps the graph: numpy would see only an opaque object.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd.node import Node
from autograd.primitives import OPS

# numpy's ufunc behind each Python operator: the Value method for a Value on its left,
# and the one for a Value on its right.
_OPERATOR_METHODS: dict[Any, tuple[str, str]] = {
    np.add: ("__add__", "__radd__"),
    np.subtract: ("__sub__", "__rsub__"),
    np.multiply: ("__mul__", "__rmul__"),
    np.true_divide: ("__truediv__", "__rtruediv__"),
    np.power: ("__pow__", "__rpow__"),
    np.matmul: ("__matmul__", "__rmatmul__"),
    np.less: ("__lt__", "__gt__"),
    np.less_equal: ("__le__", "__ge__"),
    np.greater: ("__gt__", "__lt__"),
    np.greater_equal: ("__ge__", "__le__"),
    np.equal: ("__eq__", "__eq__"),
    np.not_equal: ("__ne__", "__ne__"),
}

# numpy's names where the engine's function has another.
_ENGINE_NAMES = {"negative": "neg", "absolute": "abs", "true_divide": "div", "subtract": "sub"}


def array_ufunc(value: Node, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
    """`Value.__array_ufunc__`: an operator's ufunc goes to Value's operator; any other
    use of a numpy function on a Value is refused, naming the engine's function."""
    methods = _OPERATOR_METHODS.get(ufunc)
    if methods is not None and method == "__call__" and not kwargs and len(inputs) == 2:
        left, right = inputs
        if left is value:
            return getattr(value, methods[0])(right)
        return getattr(value, methods[1])(left)
    name = _ENGINE_NAMES.get(ufunc.__name__, ufunc.__name__)
    instead = (
        f"use autograd.{name}(...), which records it"
        if name in OPS and OPS[name].builtin
        else "write it with the engine's operations"
    )
    raise TypeError(
        f"numpy's {ufunc.__name__} cannot follow a Value's graph (its gradient would be "
        f"lost); {instead}, or apply numpy to .data for the plain numbers"
    )


def iterate(value: Node) -> Iterator[Any]:
    """`Value.__iter__`: the elements along the first axis, each a Value in the graph;
    a 0-d Value is not iterable (as a 0-d numpy array and a PyTorch scalar tensor)."""
    d = value._data
    if type(d) is float or d.ndim == 0:
        raise TypeError("iteration over a 0-d Value (a single number): use .item()")
    for i in range(d.shape[0]):
        yield value[i]  # type: ignore[index]


def format_value(value: Node, spec: str) -> str:
    """`Value.__format__`: an empty spec prints the Value; any other formats its number,
    for a Value of one element (numpy refuses a spec for several)."""
    if not spec:
        return str(value)
    d = value._data
    if type(d) is not float and d.size != 1:
        raise TypeError(
            f"unsupported format string {spec!r} for a Value of shape {d.shape}: only a "
            "one-element Value formats as a number"
        )
    return format(float(np.reshape(d, ())) if type(d) is not float else d, spec)


def represent(value: Node) -> str:
    """`Value.__repr__`: the number with its gradient at scalar level; up to six
    elements, or the shape, with the dtype and the op at tensor level."""
    d = value._data
    extra = f", name={value._name!r}" if value._name else ""
    if type(d) is float:
        g = value.grad
        gtext = "" if g is None else f", grad={_short(g)}"
        return f"Value({d:.6g}{gtext}{extra})"
    op = f", op={value._op.name}" if value._op is not None else ""
    if d.size <= 6:
        body = np.array2string(np.asarray(d), precision=4, separator=", ")
        return f"Value({body}, dtype={d.dtype}{op}{extra})"
    return f"Value(shape={d.shape}, dtype={d.dtype}{op}{extra})"


def _short(x: Any) -> str:
    if isinstance(x, Node):
        return f"Value({_short(x._data)})"
    if isinstance(x, float):
        return f"{x:.6g}"
    return f"array{np.shape(x)}"


# --- PyTorch's methods that read a Value's data and record nothing ---------------------


def argmax(
    value: Node,
    axis: int | None = None,
    keepdims: bool = False,
    *,
    dim: int | None = None,
    keepdim: bool | None = None,
) -> Any:
    """`Value.argmax`: the index of the largest element (a Python int) with ``axis=None``,
    or an integer array of indices along ``axis`` (``dim`` and ``keepdim`` are PyTorch's
    names); the first where several tie, and a nan counts as the largest, as in numpy and
    PyTorch. A plain index, outside the graph."""
    return _arg_extreme("argmax", np.argmax, value, _axis("argmax", axis, dim), keepdims, keepdim)


def argmin(
    value: Node,
    axis: int | None = None,
    keepdims: bool = False,
    *,
    dim: int | None = None,
    keepdim: bool | None = None,
) -> Any:
    """`Value.argmin`: the index of the smallest element (see `argmax`)."""
    return _arg_extreme("argmin", np.argmin, value, _axis("argmin", axis, dim), keepdims, keepdim)


def _axis(who: str, axis: Any, dim: Any) -> Any:
    """The axis given as ``axis`` (numpy's name) or ``dim`` (PyTorch's): not both, since
    they could disagree."""
    if dim is None:
        return axis
    if axis is not None:
        raise TypeError(f"{who}: got axis={axis!r} and dim={dim!r}; give one, not both")
    return dim


def _arg_extreme(
    who: str, find: Any, value: Node, axis: Any, keepdims: bool, keepdim: bool | None
) -> Any:
    """numpy's `find` (argmax or argmin) on the data, its errors worded for a Value."""
    if axis is not None and (isinstance(axis, bool) or not isinstance(axis, int | np.integer)):
        raise TypeError(f"{who}: axis must be an int or None, got {type(axis).__name__} {axis!r}")
    d = np.asarray(value._data)
    try:
        found = find(d, axis=axis, keepdims=bool(keepdims if keepdim is None else keepdim))
    except np.exceptions.AxisError:
        raise np.exceptions.AxisError(
            f"{who}: axis {axis} is out of range for a Value of shape {d.shape}"
        ) from None
    except ValueError:  # numpy's "attempt to get argmax of an empty sequence"
        raise ValueError(f"{who}: the Value is empty (shape {d.shape}) along axis {axis}") from None
    return int(found) if np.ndim(found) == 0 else found


def tolist(value: Node) -> Any:
    """`Value.tolist`: the data as nested lists of Python floats (a Python float for a
    single number, 0-d or scalar level), as numpy's and PyTorch's `tolist`."""
    d = value._data
    return d if type(d) is float else d.tolist()


def requires_grad_(value: Node, requires_grad: bool = True) -> Node:
    """`Value.requires_grad_`: set whether gradients flow to this leaf, and return it
    (PyTorch's in-place setter). A computed Value's flag follows its inputs: asking one
    to stop is refused, as PyTorch refuses it (`detach()` gives a copy outside the
    graph); asking one that requires grad to require it changes nothing."""
    if not isinstance(requires_grad, bool | np.bool_):
        raise TypeError(
            f"requires_grad_: requires_grad must be a bool, got "
            f"{type(requires_grad).__name__} {requires_grad!r}"
        )
    if value._op is None:
        value._requires_grad = bool(requires_grad)
    elif not requires_grad:
        raise RuntimeError(
            f"requires_grad_: only a leaf's flag can be changed, and this Value is the output "
            f"of '{value._op.name}'; use .detach() for a copy outside the graph"
        )
    return value
