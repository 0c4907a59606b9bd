"""Module: how a network finds, names, saves and restores its weights.

A `Parameter` (defined in `nn.parameter`, importable from here too) is a `Value` that a
`Module` owns (float32 unless asked otherwise). A `Module` needs no registration calls:
its parameters and submodules are found by walking its attributes, including those held
in lists, tuples and dicts, in the order they were assigned. Names are dotted paths, as
in PyTorch: ``"fc.weight"``, ``"blocks.0.bias"``, and ``"0.weight"`` for the first layer
of a `Sequential`.

State dicts and weight files (``state_dict``, ``load_state_dict``, ``save_weights``,
``load_weights``) are methods here; the checks and the ``.npz`` file format behind them
live in `nn.state_dict`.

Layers built lazily (a `Dense` without ``input_dim`` learns its input size at the first call)
take part through three small hooks: ``built``, ``build(input_shape)`` and
``output_shape(input_shape)``; shapes there leave out the batch axis.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd.debug.modulecalls import record_call
from nn.arguments import float_dtype
from nn.call_checks import name_bad_inputs, refuse_complex
from nn.construction import Constructed
from nn.memory import aligned_copy
from nn.parameter import Parameter, zero_grads
from nn.state_dict import (
    LoadResult,
    PathLike,
    StateDictError,
    arrays_to_load,
    read_weights,
    unbuilt_layer_error,
    weights_format,
    write_weights,
)

__all__ = ["LoadResult", "Module", "Parameter", "StateDictError", "UnbuiltParameters"]

Shape = tuple[int, ...]


class UnbuiltParameters(list[Parameter]):
    """The parameters of a module that has lazily built layers still to build: a list,
    plus the ``module`` they came from (see `Module.parameters`)."""

    def __init__(self, params: list[Parameter], module: Module) -> None:
        super().__init__(params)
        self.module = module


def _walk(prefix: str, value: Any) -> Iterator[tuple[str, Parameter | Module]]:
    """Parameters and Modules inside an attribute value, with their dotted names."""
    if isinstance(value, Parameter | Module):
        yield prefix, value
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _walk(f"{prefix}.{i}", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(f"{prefix}.{key}", item)


class Module(Constructed):
    """Base class of every layer and model.

    Subclasses assign Parameters and Modules as attributes in ``__init__`` and define
    ``forward``; calling the module runs ``forward``. ``super().__init__()`` is optional
    (every default lives on the class), but calling it is good form.

    Every module has a Keras-style ``name`` (``dense``, ``dense_1``; see `nn.naming`):
    any module class accepts ``name=`` in its constructor, and remembers the arguments
    its constructor was called with (`nn.construction`), which is how a model file
    records the architecture.
    """

    # Class-level defaults, so a subclass that skips super().__init__() still works.
    training: bool = True
    # False while a lazily built layer waits for its first input (see `built`).
    _built: bool = True
    # dtype of parameters that lazily built layers create (`to` changes it).
    _dtype: np.dtype[Any] = np.dtype(np.float32)
    # nn's own layers, activations and Keras losses: when forward fails, an argument
    # that is not numbers at all (a string, None, a ragged list) is named as such.
    _names_bad_inputs: bool = False

    def __init__(self, name: str | None = None) -> None:
        self.training = True
        if name is not None:  # a subclass passing its name= on (Keras' way)
            self.name = name

    # --- running -----------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._names_bad_inputs:
            refuse_complex(self, args, kwargs)
        try:
            out = self.forward(*args, **kwargs)
        except (TypeError, ValueError):
            if self._names_bad_inputs:
                name_bad_inputs(self, args, kwargs)
            raise
        # Remember which Values the call took and made (ids and shapes, not the Values:
        # no graph is kept alive), so that pictures can draw this module as one box.
        record = record_call(args, kwargs, out)
        if record is not None:
            self.__dict__["_last_call"] = record
        return out

    # --- discovery ---------------------------------------------------------------------
    def _members(self) -> Iterator[tuple[str, Parameter | Module]]:
        """Direct Parameters and submodules, named relative to this module.

        The default walks the instance attributes in assignment order; containers such
        as `Sequential` override it to name their items "0", "1", ...
        """
        for name, value in vars(self).items():
            yield from _walk(name, value)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct submodules with their names."""
        for name, member in self._members():
            if isinstance(member, Module):
                yield name, member

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module ("" by default) and every submodule below it, each once."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:  # iterative depth-first walk, children in order
            name, mod = stack.pop()
            if id(mod) in seen:
                continue
            seen.add(id(mod))
            yield name, mod
            kids = [(f"{name}.{n}" if name else n, m) for n, m in mod.named_children()]
            stack.extend(reversed(kids))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """Every Parameter below this module with its dotted name; a shared one once.

        The order is depth-first in attribute order (``fc.weight``, ``fc.bias``, then the
        next attribute), which is also the order of `parameters` and `state_dict`.
        """
        seen: set[int] = {id(self)}
        # An explicit stack of member iterators: no recursion, however deep the nesting.
        stack: list[tuple[str, Iterator[tuple[str, Parameter | Module]]]] = [("", self._members())]
        while stack:
            prefix, members = stack[-1]
            item = next(members, None)
            if item is None:
                stack.pop()
                continue
            name, member = item
            if id(member) in seen:
                continue
            seen.add(id(member))
            full = prefix + name
            if isinstance(member, Parameter):
                yield full, member
            else:
                stack.append((full + ".", member._members()))

    def parameters(self) -> list[Parameter]:
        """Every Parameter below this module, in a fixed order (a list, reusable).

        While a lazily built layer below still waits for its first input, the list is an
        `UnbuiltParameters` that remembers this module: an optimizer given it follows the
        module and takes up the parameters the layer creates later (as PyTorch's
        optimizers take up the parameters of its lazy modules).
        """
        params = [p for _, p in self.named_parameters()]
        return params if self.built else UnbuiltParameters(params, self)

    def count_params(self, trainable_only: bool = False) -> int:
        """How many numbers the parameters hold (only those with requires_grad if asked)."""
        return sum(p.size for p in self.parameters() if p.requires_grad or not trainable_only)

    def __getattr__(self, name: str) -> Any:
        # Only reached when ordinary lookup fails: say what does exist.
        if name.startswith("__"):
            raise AttributeError(name)
        known = [n for n in vars(self) if not n.startswith("_")]
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}{hint}")

    # --- training state ----------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient: ``.grad`` becomes None (PyTorch's default),
        or with ``set_to_none=False`` an existing gradient is filled with zeros."""
        zero_grads(self.parameters(), set_to_none)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` on every parameter (False freezes them); returns self."""
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every submodule and then on this module (PyTorch's order: a
        module after its children); returns self. The usual use is initialisation."""
        seen: set[int] = set()
        stack: list[tuple[Module, bool]] = [(self, False)]
        while stack:  # an explicit stack: no recursion, however deep the nesting
            m, children_done = stack.pop()
            if children_done:
                fn(m)
            elif id(m) not in seen:  # a shared module once
                seen.add(id(m))
                stack.append((m, True))
                stack.extend((c, False) for c in reversed(list(m.children())))
        return self

    def train(self, mode: bool = True) -> Module:
        """Set ``.training`` on this module and all submodules; returns self."""
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> Module:
        """Same as ``train(False)``."""
        return self.train(False)

    def to(self, dtype: npt.DTypeLike) -> Module:
        """Cast every parameter to a float dtype (e.g. float64 for gradient checks).

        ``to("cpu")`` returns the module unchanged, so that PyTorch code that moves a
        model to the CPU runs as it is: numpy arrays live there already.
        """
        if isinstance(dtype, str) and dtype.lower() == "cpu":
            return self
        dt = float_dtype(
            "to", dtype, "; the engine runs on numpy, on the CPU: 'cpu' is the only device"
        )
        for m in self.modules():
            m._dtype = dt  # read by layers that build their weights later
        for p in self.parameters():
            p.data = aligned_copy(p.data, dt)
            p.grad = None
        return self

    # --- lazy building -----------------------------------------------------------------
    @property
    def built(self) -> bool:
        """True when this module and all its submodules have their parameters."""
        return all(m._built for m in self.modules())

    def build(self, input_shape: Shape) -> None:
        """Create parameters for inputs of ``input_shape`` (no batch axis). Default: none."""

    def declared_input_shape(self) -> Shape | None:
        """The input shape (no batch axis) fixed at construction, when there is one."""
        return None

    def output_shape(self, input_shape: Shape) -> Shape | None:
        """The output shape for ``input_shape`` (no batch axes), or None if unknown."""
        return None

    def _build_from_state(self, prefix: str, state: Mapping[str, np.ndarray]) -> None:
        """Hook for lazy layers: build from the shapes in a state dict being loaded,
        by assigning attributes (a failed load puts the old ones back), drawing no random
        numbers for the weights the state holds (the load replaces them)."""

    # --- state ---------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """Name -> a copy of each parameter's array, in `named_parameters` order."""
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def get_weights(self) -> list[np.ndarray]:
        """Keras' view of `state_dict`: a copy of each parameter's array, in order."""
        return list(self.state_dict().values())

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Keras' `load_state_dict`: one array per parameter, in `get_weights` order,
        checked (count, shapes) before any is changed."""
        names = [name for name, _ in self.named_parameters()]
        if not self.built:
            raise ValueError(
                "set_weights: some layers are not built yet, so the model does not know "
                "all its parameters; call it on a batch first (or give input_dim)"
            )
        if len(weights) != len(names):
            raise ValueError(
                f"set_weights: expected {len(names)} arrays (the parameters in "
                f"get_weights order: {', '.join(names)}), got {len(weights)}"
            )
        self.load_state_dict(dict(zip(names, weights)))

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> LoadResult:
        """Copy arrays into the parameters of the same names, cast to their dtypes.

        Every check runs before anything is assigned, so a failed load changes nothing:
        lazily built layers that the state built are put back unbuilt. Shapes must always
        agree; with ``strict`` the key sets must be equal as well. Raises StateDictError
        naming the first mismatching key (and both shapes).
        """
        unbuilt = [(name, mod) for name, mod in self.named_modules() if not mod._built]
        # What building changes, kept to put back: a layer builds by assigning attributes.
        before = [(mod, dict(vars(mod))) for _, mod in unbuilt]
        try:
            for name, mod in unbuilt:
                mod._build_from_state(f"{name}." if name else "", state_dict)
            left = [(name, type(mod).__name__) for name, mod in unbuilt if not mod._built]
            if strict and left:  # the state holds none of its weights: not silently skipped
                raise unbuilt_layer_error(*left[0])
            params = dict(self.named_parameters())
            arrays, result = arrays_to_load(params, state_dict, strict)
        except BaseException:
            for mod, attributes in before:
                vars(mod).clear()
                vars(mod).update(attributes)
            raise
        for key, arr in arrays.items():
            params[key].data = arr
        return result

    def save_weights(self, path: PathLike) -> None:
        """Write the weights to ``path``, atomically: an .npz archive of the state dict,
        or, for a path ending in ``.safetensors``, a safetensors file with PyTorch's keys
        and layouts (see `nn.export.safetensors_weights`; needs the ``interop`` extra).

        The file goes to a temporary file in the same folder and is renamed over
        ``path`` only once complete, so a crash at any moment leaves either the old file
        or the new one, never a mix. The path is used exactly as given (no ".npz" is
        appended).
        """
        target = os.fspath(path)
        fmt = weights_format(target)
        if fmt is not None:
            fmt.save(self, target)
            return
        write_weights(target, self.state_dict())

    def load_weights(self, path: PathLike, strict: bool = True) -> LoadResult:
        """Read a file written by `save_weights` (never with pickle) and load it: an .npz
        archive, or a ``.safetensors`` file in PyTorch's keys and layouts (one saved from
        the same architecture in PyTorch loads too).

        A file that is not a complete weights file of its kind raises ValueError naming
        the path; one from another architecture raises StateDictError (a ValueError)
        naming the first mismatching key and both shapes. A failed load changes nothing.
        """
        target = os.fspath(path)
        fmt = weights_format(target)
        if fmt is not None:
            return fmt.load(self, target, strict)
        state = read_weights(target)
        try:
            return self.load_state_dict(state, strict=strict)
        except StateDictError as exc:
            raise StateDictError(f"load_weights({target!r}): {exc}") from None

    # --- printing ------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (its settings)."""
        return ""

    def __repr__(self) -> str:
        kids = list(self.named_children())
        extra = self.extra_repr()
        if not kids:
            return f"{type(self).__name__}({extra})"
        lines = [f"{type(self).__name__}("]
        if extra:
            lines.append(f"  {extra}")
        for name, child in kids:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        lines.append(")")
        return "\n".join(lines)
