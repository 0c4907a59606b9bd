"""Containers: `Sequential` (layers applied one after the other) and `MLP` (a Sequential of
Linear layers with activations between).

They sit above nn.keras: a Sequential has the Keras training methods of
`nn.keras.training.TrainingMixin`, and tells nn.keras that it is a chain of layers
(`_layer_chain`), so that `summary`, `plot_model` and `compile`'s check of the last
activation can read its layers without nn.keras importing this module.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any, overload

from nn.activations import Activation, get_activation
from nn.construction import ConstructorArgs
from nn.keras.training import TrainingMixin
from nn.layers import ActivationSpec, Linear, layer_size
from nn.module import Module, Parameter, Shape

__all__ = ["MLP", "Sequential"]


class Sequential(TrainingMixin, Module):
    """Layers applied one after the other; ``model[i]`` is the i-th layer.

    It has the Keras training methods of `nn.keras.training.TrainingMixin`: ``compile``,
    ``fit``, ``evaluate``, ``predict`` and ``summary``.

    ``Sequential(a, b, c)`` (PyTorch) and ``Sequential([a, b, c])`` (Keras) are the same.

    Parameters are named by position: ``"0.weight"``, ``"2.bias"``. Whenever a layer's input
    size becomes known (a first layer with ``input_dim``/``in_features``, or a call to
    ``build``), the shapes are carried forward and every lazily built layer after it is
    built at once, so parameters can be counted before any data is seen.
    """

    def __init__(self, *layers: Module | Sequence[Module]) -> None:
        super().__init__()
        items: Sequence[Any] = layers
        if len(layers) == 1 and isinstance(layers[0], list | tuple):
            items = layers[0]  # Keras' Sequential([layer, ...])
        self._layers: list[Module] = []
        taken: dict[str, Module] = {}
        for layer in items:
            self._check(layer, taken)
            self._layers.append(layer)
        self._propagate()

    def _check(self, layer: Any, taken: dict[str, Module] | None = None) -> None:
        """TypeError for what is not a Module; ValueError for a name that another layer
        has (`taken`: the layers so far by name, kept up to date here)."""
        if not isinstance(layer, Module):
            raise TypeError(f"Sequential: layers must be Modules, got {type(layer).__name__}")
        # Names find layers (get_layer): two different layers may not share one. The same
        # layer twice (its weights shared) is one layer, one name. A copy of a layer
        # (copy.deepcopy, PyTorch's way to repeat a block) shares its automatic name: it
        # takes a fresh one; names given with name= must differ.
        if taken is None:
            taken = {other.name: other for other in self._layers}
        other = taken.setdefault(layer.name, layer)
        if other is not layer and layer._name_is_automatic:
            layer._rename_automatically()
            other = taken.setdefault(layer.name, layer)
        if other is not layer:
            raise ValueError(
                f"Sequential: the layer names must be unique, and {layer.name!r} is "
                f"already the name of a layer of this model ({type(other).__name__}); "
                "give one of them another name (name=...)"
            )

    def _members(self) -> Iterator[tuple[str, Parameter | Module]]:
        for i, layer in enumerate(self._layers):
            yield str(i), layer
        # Anything else a subclass or a training mixin attaches is found as usual.
        for name, member in super()._members():
            if not name.startswith("_layers."):
                yield name, member

    def _propagate(self, input_shape: Shape | None = None) -> Shape | None:
        """Carry known shapes forward, building lazy layers; the final shape or None."""
        shape = input_shape
        for layer in self._layers:
            if shape is None:
                shape = layer.declared_input_shape()
                if shape is None:
                    if layer.built:
                        continue  # e.g. an activation before any size is known
                    return None
            layer.build(shape)
            shape = layer.output_shape(shape)
            if shape is None:
                return None
        return shape

    def append(self, layer: Module) -> Sequential:
        """Add a layer at the end (built at once if its input size is known); returns self."""
        self._check(layer)
        self._layers.append(layer)
        try:
            self._propagate()
        except Exception:  # a layer that does not fit: the model stays as it was
            self._layers.pop()
            raise
        return self

    add = append  # Keras' name

    def forward(self, x: Any) -> Any:
        for layer in self._layers:
            x = layer(x)
        return x

    def build(self, input_shape: Shape) -> None:
        """Build every layer for inputs of ``input_shape`` (no batch axis)."""
        self._propagate(tuple(input_shape))

    def declared_input_shape(self) -> Shape | None:
        for layer in self._layers:
            shape = layer.declared_input_shape()
            if shape is not None or not isinstance(layer, Activation):
                return shape  # only shape-keeping activations may come before it
        return None

    def output_shape(self, input_shape: Shape) -> Shape | None:
        shape: Shape | None = tuple(input_shape)
        for layer in self._layers:
            if shape is None:
                return None
            shape = layer.output_shape(shape)
        return shape

    @overload
    def __getitem__(self, index: int) -> Module: ...

    @overload
    def __getitem__(self, index: slice) -> Sequential: ...

    def __getitem__(self, index: int | slice) -> Module | Sequential:
        if isinstance(index, slice):
            return Sequential(*self._layers[index])
        return self._layers[index]

    def __len__(self) -> int:
        return len(self._layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._layers)

    @property
    def layers(self) -> list[Module]:
        """The layers, in order (a copy of the list)."""
        return list(self._layers)

    def _layer_chain(self) -> list[Module]:
        return self.layers

    def _config_args(self) -> ConstructorArgs:
        # Its layers as they are now (model.add included); a subclass such as MLP is made
        # from its own constructor's arguments.
        if type(self) is Sequential:
            return ConstructorArgs(tuple(self._layers))
        return super()._config_args()


class MLP(Sequential):
    """A multilayer perceptron: Linear layers of the given sizes with activations between.

    ``MLP([2, 16, 16, 1])`` is Linear(2, 16), act, Linear(16, 16), act, Linear(16, 1),
    then ``output_activation`` if one is given. ``activation`` and ``output_activation``
    are names or Modules as for `get_activation`; a fresh module is made per position,
    so PReLU slopes are not shared between layers.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: ActivationSpec = "relu",
        output_activation: ActivationSpec = None,
    ) -> None:
        sizes = [layer_size("MLP", "each size", s) for s in sizes]
        if len(sizes) < 2:
            raise ValueError(f"MLP: need at least an input and an output size, got {sizes}")
        if isinstance(activation, Module) and any(True for _ in activation.parameters()):
            raise ValueError(
                "MLP: pass a name (or a parameter-free Module) as activation; one Module "
                "instance with parameters would be shared by every layer"
            )
        layers: list[Module] = []
        for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
            layers.append(Linear(n_in, n_out))
            if i < len(sizes) - 2:
                layers.append(get_activation(activation))
        if output_activation is not None:
            layers.append(get_activation(output_activation))
        super().__init__(*layers)
        self.sizes = sizes

    def extra_repr(self) -> str:
        return f"sizes={self.sizes}"
