"""Shape primitives: reshape, transpose, broadcasting, squeezing, joining, indexing.

These move numbers around without changing them, so each gradient rule moves
the gradient back: reshape undoes reshape, transpose applies the inverse
permutation, broadcast_to and sum_to are each other's gradients, and indexing
scatters the gradient into zeros (`untake`), adding where indices repeat.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.ops.base import Check, data_of, dtype_of, ndim_of, primitive, shape_of

TENSOR = ("tensor",)


@primitive("reshape", Check(kind="reshape", levels=TENSOR))
def reshape(x: Any, shape: tuple[int, ...]) -> Any:
    """x viewed with a new shape (numpy rules, one -1 allowed). d/dx: reshape back."""
    return np.reshape(x, shape)


reshape.defvjp(lambda g, out, x, shape: reshape(g, shape=shape_of(x)))


@primitive("transpose", Check(kind="transpose", levels=TENSOR))
def transpose(x: Any, axes: tuple[int, ...] | None = None) -> Any:
    """Axes permuted (reversed when axes is None). d/dx: the inverse permutation."""
    if axes is None and type(x) is np.ndarray:
        return x.T  # the method skips numpy's Python-level wrapper
    return np.transpose(x, axes)


def _transpose_grad(g: Any, out: Any, x: Any, axes: tuple[int, ...] | None = None) -> Any:
    if axes is None:
        return transpose(g)
    inverse = tuple(int(i) for i in np.argsort([a % len(axes) for a in axes]))
    return transpose(g, axes=inverse)


transpose.defvjp(_transpose_grad)


@primitive("broadcast_to", Check(kind="broadcast_to", levels=TENSOR))
def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    """x repeated along new or size-1 axes. d/dx: the gradient summed back (sum_to)."""
    return np.broadcast_to(x, shape)


broadcast_to.defvjp(lambda g, out, x, shape: sum_to(g, shape=shape_of(x)))  # type: ignore[has-type]


def _sum_to_error(x: Any, shape: tuple[int, ...] | None) -> str:
    return (
        f"sum_to: cannot sum shape {shape_of(x)} to shape {shape}: numpy broadcasting "
        f"does not make {shape_of(x)} from {shape}"
    )


@primitive("sum_to", Check(kind="sum_to", levels=TENSOR), _sum_to_error)
def sum_to(x: Any, shape: tuple[int, ...] | None) -> Any:
    """Sum x down to `shape` (a shape x broadcasts from); shape None sums to a
    Python float. This is the one place where gradients are unbroadcast, so it
    also refuses a gradient whose shape broadcasting cannot have made from `shape`.
    d/dx: broadcast_to the original shape."""
    if shape is None:
        return x if type(x) is float else float(np.sum(x))
    if type(x) is not np.ndarray:
        x = np.asarray(x)
    xs = x.shape
    if xs == shape:
        return x
    lead = len(xs) - len(shape)
    if xs[lead:] == shape:  # only leading axes to remove (a bias gradient): one sum,
        # through the ufunc itself (x.sum adds a Python-level wrapper)
        return np.add.reduce(x, _LEADING[lead] if lead < len(_LEADING) else tuple(range(lead)))
    if lead < 0:  # more axes wanted than the gradient has
        raise ValueError(_sum_to_error(x, shape))
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and xs[lead + i] != 1
    )
    r = x.sum(axis=axes, keepdims=True)
    # Checked once, after the sum (nothing added on the valid path but this test):
    # an axis of `shape` that is neither 1 nor the gradient's own was left unsummed.
    if r.shape[lead:] != shape:
        raise ValueError(_sum_to_error(x, shape))
    return r.reshape(shape) if lead else r


_LEADING = tuple(tuple(range(n)) for n in range(8))  # axes (0, ..., n-1), made once


sum_to.defvjp(lambda g, out, x, shape: broadcast_to(g, shape=shape_of(x)))


@primitive("squeeze", Check(kind="squeeze", levels=TENSOR))
def squeeze(x: Any, axis: int | tuple[int, ...] | None = None) -> Any:
    """x without size-1 axes (all of them, or those named). d/dx: reshape back."""
    return np.squeeze(x, axis)


squeeze.defvjp(lambda g, out, x, axis=None: reshape(g, shape=shape_of(x)))


@primitive("expand_dims", Check(kind="expand_dims", levels=TENSOR))
def expand_dims(x: Any, axis: int | tuple[int, ...]) -> Any:
    """x with new size-1 axes inserted at `axis`. d/dx: reshape back."""
    return np.expand_dims(x, axis)


expand_dims.defvjp(lambda g, out, x, axis: reshape(g, shape=shape_of(x)))


def _join_error(name: str) -> Any:
    def message(*xs: Any, axis: int = 0) -> str:
        shapes = ", ".join(str(shape_of(x)) for x in xs)
        return f"{name}: cannot join shapes {shapes} along axis {axis}"

    return message


@primitive(
    "concatenate",
    Check(kind="concatenate", levels=TENSOR),
    _join_error("concatenate"),
    variadic=True,
)
def concatenate(*xs: Any, axis: int = 0) -> Any:
    """A list of Values (or arrays) joined along an existing axis, as np.concatenate.
    d/dx_i: the slice of g that came from x_i."""
    return np.concatenate(xs, axis=axis)


def _concatenate_grads(g: Any, out: Any, *xs: Any, axis: int = 0) -> list[Any]:
    ax = axis % ndim_of(out)
    grads, start = [], 0
    for x in xs:
        n = shape_of(x)[ax]
        grads.append(getitem(g, index=(slice(None),) * ax + (slice(start, start + n),)))
        start += n
    return grads


concatenate.defvjp_all(_concatenate_grads)


@primitive("stack", Check(kind="stack", levels=TENSOR), _join_error("stack"), variadic=True)
def stack(*xs: Any, axis: int = 0) -> Any:
    """A list of same-shaped Values (or arrays) joined along a new axis, as np.stack.
    d/dx_i: g's i-th slice on that axis."""
    return np.stack(xs, axis=axis)


def _stack_grads(g: Any, out: Any, *xs: Any, axis: int = 0) -> list[Any]:
    ax = axis % ndim_of(out)
    return [getitem(g, index=(slice(None),) * ax + (i,)) for i in range(len(xs))]


stack.defvjp_all(_stack_grads)


def as_index(index: Any) -> Any:
    """An index as numpy reads it, with every sequence made an array: Values are
    replaced by their data (indices carry no gradient), and a list, or a list or tuple
    inside the index tuple, becomes an integer (or boolean) array. Then `untake` sees
    every integer array, and adds up the gradients of indices that repeat."""
    if isinstance(index, tuple):
        return tuple(_as_index_part(i) for i in index)
    if isinstance(index, list):  # a top-level tuple is a multi-axis index; a list is not
        return _as_index_part(index)
    return data_of(index)


def _as_index_part(part: Any) -> Any:
    """One component of an index: a list or tuple as the array numpy makes of it."""
    if isinstance(part, list | tuple):
        try:
            arr = np.asarray(part)
        except ValueError:  # ragged: left for numpy's own indexing error
            return part
        if arr.size == 0 and arr.dtype.kind == "f":
            arr = arr.astype(np.intp)  # numpy reads [] as an empty integer index
        return arr
    return data_of(part)


def _has_advanced(index: Any) -> bool:
    """True when the index may select an element twice (integer arrays, or the lists
    and tuples that numpy reads as such when `getitem` is called without `as_index`)."""
    items = index if isinstance(index, tuple) else (index,)
    for i in items:
        if isinstance(i, np.ndarray):
            if i.dtype.kind != "b":
                return True
        elif isinstance(i, list | tuple):
            return True
    return False


@primitive("getitem", Check(kind="getitem", levels=TENSOR))
def getitem(x: Any, index: Any) -> Any:
    """x[index] with numpy's basic and advanced indexing.
    d/dx: g scattered into zeros at the indexed places (untake)."""
    if type(x) is float:
        raise TypeError("getitem: a scalar Value (a Python float) cannot be indexed")
    try:
        return x[index]
    except IndexError as exc:  # still an IndexError, for code that catches one
        raise IndexError(
            f"getitem: index {_index_text(index)} is not valid for data of shape "
            f"{np.shape(x)}: {exc}"
        ) from None


def _index_text(index: Any) -> str:
    """An index as the user wrote it, about: arrays (lists are made arrays by
    `as_index`) by their values, anything else by its repr."""
    if isinstance(index, np.ndarray):
        return np.array2string(index, threshold=20)
    if isinstance(index, tuple):
        return (
            "(" + ", ".join(_index_text(i) for i in index) + ("," if len(index) == 1 else "") + ")"
        )
    return repr(index)


getitem.defvjp(
    lambda g, out, x, index: untake(  # type: ignore[has-type]
        g, index=index, shape=shape_of(x), dtype=dtype_of(x)
    )
)


@primitive("untake", Check(kind="untake", levels=TENSOR))
def untake(g: Any, index: Any, shape: tuple[int, ...], dtype: Any) -> Any:
    """Zeros of `shape` with g added at x[index]: repeated indices accumulate.
    d/dg: g'[index]."""
    z = np.zeros(shape, dtype=dtype)
    if _has_advanced(index):
        np.add.at(z, index, g)
    else:
        z[index] = g
    return z


untake.defvjp(lambda g, out, x, index, shape, dtype: getitem(g, index=index))
