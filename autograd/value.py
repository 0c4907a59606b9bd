"""`Value`: a number or an array that remembers how it was computed.

A `Value` holds `data` (a Python float at scalar level, a numpy array at tensor
level) and, after a backward pass, `grad` of the same shape and dtype. Every
operator and method below is a one-line call of a primitive of the ops table
(`autograd.ops`), which computes the forward and records the node
(`record.apply`); `backward()` runs the chain rule back through those records
(`backward.py`). The fields a node holds are declared in `node.py`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from autograd import backprop, ops, protocols
from autograd.convert import as_data, data_of
from autograd.node import CLOCK, Node
from autograd.operators import binary_operator
from autograd.ops.shape import as_index
from autograd.protocols import array_ufunc, format_value, iterate, represent
from autograd.record import constant


class Value(Node):
    """A node of the computation graph: data, grad, and how it was computed.

    `grad` is the gradient backward accumulated here (None before any), of the data's
    shape and dtype. Every leaf that requires it keeps it, and so does every node at
    scalar level (data a Python float), as in micrograd. At tensor level an inner node
    keeps it only when asked, as in PyTorch: `retain_grad()` before backward, or
    ``backward(inner_grads=True)`` for every node of the graph (an array kept on every
    inner node until the graph is dropped would double a training step's transient
    memory).

    >>> a, b = Value(2.0), Value(-3.0)
    >>> c = (a * b + b ** 2).tanh()
    >>> c.backward()
    >>> round(a.grad, 4), round(b.grad, 4)
    (-0.0296, -0.0395)
    """

    __slots__ = ()

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """numpy's operators reach Value's own; other numpy functions name the engine's
        (see `protocols.py`)."""
        return array_ufunc(self, ufunc, method, *inputs, **kwargs)

    def __init__(self, data: Any, requires_grad: bool = True, name: str | None = None) -> None:
        d = as_data(data)
        if type(d) is np.ndarray and (d is data or isinstance(data, Node)):
            # The engine owns its arrays, as torch.tensor copies: an optimizer's step
            # never writes into the caller's array, nor into another Value's.
            d = d.copy()
        self._data = d
        self.grad = None
        self._op = None
        self._inputs = ()
        self._kwargs = None
        self._requires_grad = bool(requires_grad)
        self._version = self._computed_at = CLOCK.now
        self._retains_grad = False
        self._name = name

    # --- data and its description -------------------------------------------------
    @property
    def name(self) -> str | None:
        """A label for pictures and printing (None if none was given)."""
        return self._name

    @name.setter
    def name(self, name: str | None) -> None:
        self._name = name

    @property
    def data(self) -> Any:
        """The value: a Python float (scalar level) or a numpy array."""
        return self._data

    @data.setter
    def data(self, new: Any) -> None:
        """Assign new data (an array is taken as it is, as PyTorch's `.data =`; `Value()`
        copies). A graph computed before then refuses to backpropagate through it."""
        self._data = as_data(new)
        self.data_changed()

    def data_changed(self) -> None:
        """Tell the engine that `.data` was modified in place (as an optimizer does):
        a graph computed before then refuses to backpropagate through this Value,
        as it does after an assignment to `.data`. (While a graph reads the array, an
        in-place write fails at the write instead: see frozen.py.)"""
        self._version = CLOCK.tick()

    def retain_grad(self) -> None:
        """Keep this inner node's gradient in `.grad` on every backward through it, as
        PyTorch's `retain_grad` (nothing to do for a leaf, or at scalar level, where
        every node keeps it)."""
        if not self._requires_grad:
            raise RuntimeError(
                "retain_grad: this Value does not require grad (a constant, or computed "
                "under no_grad), so no gradient ever reaches it"
            )
        if self._op is not None:
            self._retains_grad = True

    @property
    def requires_grad(self) -> bool:
        """Whether gradients flow to this Value: set for leaves (a constant has it
        False), and True for every node computed from Values that have it."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self._op is not None:
            if not flag:
                raise RuntimeError(
                    f"requires_grad: only a leaf's flag can be changed, and this Value is the "
                    f"output of '{self.op}'; use .detach() for a copy outside the graph"
                )
            return
        self._requires_grad = bool(flag)

    @property
    def shape(self) -> tuple[int, ...]:
        d = self._data
        return () if type(d) is float else d.shape

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        d = self._data
        return 1 if type(d) is float else int(d.size)

    @property
    def dtype(self) -> np.dtype[Any]:
        d = self._data
        return np.dtype(np.float64) if type(d) is float else d.dtype

    @property
    def op(self) -> str:
        """Name of the operation that produced this node ('' for a leaf)."""
        return "" if self._op is None else self._op.name

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Values this node was computed from (constants left out)."""
        return tuple(p for p in self._inputs if isinstance(p, Value))

    @property
    def is_leaf(self) -> bool:
        return self._op is None

    def item(self) -> float:
        """The data as a Python float (the Value must hold one element)."""
        d = self._data
        if type(d) is float:
            return d
        if d.size != 1:
            raise ValueError(
                f"item: only a one-element Value converts, this one has shape {d.shape}"
            )
        return float(d.reshape(()))

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (a 0-d array for a scalar)."""
        return np.asarray(self._data)

    def detach(self) -> Value:
        """A new constant Value sharing this one's data, outside any graph, as PyTorch's
        `detach` shares storage: a write to one is seen by the other. While a recorded
        graph reads the array, neither can write it (frozen.py)."""
        detached = constant(self, self._data)
        detached._name = self.name
        return detached

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (`.grad` becomes None)."""
        self.grad = None

    def backward(
        self,
        grad: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inner_grads: bool | None = None,
    ) -> None:
        """Backpropagate from this node, accumulating `.grad` on the leaves.

        A scalar output needs no `grad`; otherwise pass the gradient of the
        final result with respect to this output. The graph is released
        afterwards unless `retain_graph=True` (the default when create_graph).

        Which inner nodes keep their gradient in `.grad` (see `Value`): by default those
        at scalar level and those that asked with `retain_grad()`; every one with
        ``inner_grads=True`` (for a picture of a tensor graph's gradients); only those
        that asked with ``inner_grads=False``.
        """
        backprop.backward(self, grad, retain_graph, create_graph, inner_grads)

    def __repr__(self) -> str:
        return represent(self)

    def __bool__(self) -> bool:
        raise TypeError(
            "Value: truth value is ambiguous for a graph node; compare `.data` or use .item()"
        )

    def __len__(self) -> int:
        d = self._data
        if type(d) is float or d.ndim == 0:
            raise TypeError("len() of a scalar Value")
        return int(d.shape[0])

    def __float__(self) -> float:
        """The number of a one-element Value, outside the graph (as PyTorch's float())."""
        return self.item()

    def __iter__(self) -> Iterator[Value]:
        return iterate(self)

    def __format__(self, spec: str) -> str:
        return format_value(self, spec)

    def __round__(self, ndigits: int | None = None) -> Any:
        """round() of a one-element Value's number: an int, or a float with ndigits."""
        return round(self.item(), ndigits)

    __hash__ = object.__hash__

    # PyTorch's names for reading the data and setting a leaf's flag (protocols.py)
    argmax = protocols.argmax
    argmin = protocols.argmin
    tolist = protocols.tolist
    requires_grad_ = protocols.requires_grad_

    # --- comparisons: plain boolean data, no gradient --------------------------------
    def __lt__(self, other: Any) -> Any:
        return self._data < data_of(other)

    def __le__(self, other: Any) -> Any:
        return self._data <= data_of(other)

    def __gt__(self, other: Any) -> Any:
        return self._data > data_of(other)

    def __ge__(self, other: Any) -> Any:
        return self._data >= data_of(other)

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return self._data == data_of(other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return self._data != data_of(other)

    # --- arithmetic: each operator is a primitive of the ops table (see `operators.py`) ---
    __add__ = binary_operator(ops.add)
    __radd__ = binary_operator(ops.add, reflected=True)
    __sub__ = binary_operator(ops.sub)
    __rsub__ = binary_operator(ops.sub, reflected=True)
    __mul__ = binary_operator(ops.mul)
    __rmul__ = binary_operator(ops.mul, reflected=True)
    __truediv__ = binary_operator(ops.div)
    __rtruediv__ = binary_operator(ops.div, reflected=True)
    __pow__ = binary_operator(ops.power)
    __rpow__ = binary_operator(ops.power, reflected=True)
    __matmul__ = binary_operator(ops.matmul)
    __rmatmul__ = binary_operator(ops.matmul, reflected=True)

    def __neg__(self) -> Value:
        return ops.neg(self)  # type: ignore[no-any-return]

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return ops.abs(self)  # type: ignore[no-any-return]

    def __getitem__(self, index: Any) -> Value:
        return ops.getitem(self, index=as_index(index))  # type: ignore[no-any-return]

    # --- elementwise -------------------------------------------------------------
    def exp(self) -> Value:
        return ops.exp(self)  # type: ignore[no-any-return]

    def log(self) -> Value:
        return ops.log(self)  # type: ignore[no-any-return]

    def sqrt(self) -> Value:
        return ops.sqrt(self)  # type: ignore[no-any-return]

    def abs(self) -> Value:
        return ops.abs(self)  # type: ignore[no-any-return]

    def sin(self) -> Value:
        return ops.sin(self)  # type: ignore[no-any-return]

    def cos(self) -> Value:
        return ops.cos(self)  # type: ignore[no-any-return]

    def tanh(self) -> Value:
        return ops.tanh(self)  # type: ignore[no-any-return]

    def sigmoid(self) -> Value:
        return ops.sigmoid(self)  # type: ignore[no-any-return]

    def relu(self) -> Value:
        return ops.relu(self)  # type: ignore[no-any-return]

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        return ops.leaky_relu(self, negative_slope=negative_slope)  # type: ignore[no-any-return]

    def elu(self, alpha: float = 1.0) -> Value:
        return ops.elu(self, alpha=alpha)  # type: ignore[no-any-return]

    def softplus(self) -> Value:
        return ops.softplus(self)  # type: ignore[no-any-return]

    def clip(self, lo: float | None = None, hi: float | None = None) -> Value:
        return ops.clip(self, lo=lo, hi=hi)  # type: ignore[no-any-return]

    def maximum(self, other: Any) -> Value:
        return ops.maximum(self, other)  # type: ignore[no-any-return]

    def minimum(self, other: Any) -> Value:
        return ops.minimum(self, other)  # type: ignore[no-any-return]

    def astype(self, dtype: Any) -> Value:
        return ops.astype(self, dtype=np.dtype(dtype))  # type: ignore[no-any-return]

    # --- reductions ---------------------------------------------------------------
    def sum(self, axis: Any = None, keepdims: bool = False) -> Value:
        return ops.sum(self, axis=axis, keepdims=keepdims)  # type: ignore[no-any-return]

    def mean(self, axis: Any = None, keepdims: bool = False) -> Value:
        return ops.mean(self, axis=axis, keepdims=keepdims)  # type: ignore[no-any-return]

    def max(self, axis: Any = None, keepdims: bool = False) -> Value:
        return ops.max(self, axis=axis, keepdims=keepdims)  # type: ignore[no-any-return]

    def min(self, axis: Any = None, keepdims: bool = False) -> Value:
        return ops.min(self, axis=axis, keepdims=keepdims)  # type: ignore[no-any-return]

    def var(self, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Value:
        return ops.var(self, axis=axis, ddof=ddof, keepdims=keepdims)  # type: ignore[no-any-return]

    def logsumexp(self, axis: Any = -1, keepdims: bool = False) -> Value:
        return ops.logsumexp(self, axis=axis, keepdims=keepdims)  # type: ignore[no-any-return]

    def softmax(self, axis: int = -1) -> Value:
        return ops.softmax(self, axis=axis)  # type: ignore[no-any-return]

    def log_softmax(self, axis: int = -1) -> Value:
        return ops.log_softmax(self, axis=axis)  # type: ignore[no-any-return]

    # --- shape --------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Value:
        if len(shape) == 1 and isinstance(shape[0], tuple | list):
            shape = tuple(shape[0])
        return ops.reshape(self, shape=tuple(shape))  # type: ignore[no-any-return]

    def transpose(self, *axes: Any) -> Value:
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], tuple | list)):
            axes = tuple(axes[0] or ())
        return ops.transpose(self, axes=tuple(axes) if axes else None)  # type: ignore[no-any-return]

    @property
    def T(self) -> Value:
        return ops.transpose(self)  # type: ignore[no-any-return]

    def broadcast_to(self, shape: Sequence[int]) -> Value:
        return ops.broadcast_to(self, shape=tuple(shape))  # type: ignore[no-any-return]

    def squeeze(self, axis: Any = None) -> Value:
        return ops.squeeze(self, axis=axis)  # type: ignore[no-any-return]

    def expand_dims(self, axis: Any) -> Value:
        return ops.expand_dims(self, axis=axis)  # type: ignore[no-any-return]

    def flatten(self) -> Value:
        return ops.reshape(self, shape=(-1,))  # type: ignore[no-any-return]


Value._output_class = Value
