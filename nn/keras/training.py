"""Training the Keras way: compile, fit, evaluate, predict and summary, for any Module.

`TrainingMixin` adds the five methods to a Module class; `nn.Sequential` (and so `nn.MLP`)
has it, and `Model` is a Module base class that has it, for models written as classes::

    class Net(nn.Model):                    # or: class Net(nn.TrainingMixin, nn.Module)
        def __init__(self):
            super().__init__()
            self.hidden = nn.Dense(64, activation="relu", input_dim=2)
            self.out = nn.Dense(1, activation="sigmoid")

        def forward(self, x):
            return self.out(self.hidden(x))

A mixin rather than a wrapper, so the model trained by `fit` is the object the user built:
its parameter names, ``state_dict`` and saved weights are the same whether it is trained
by `fit` or by a hand-written PyTorch-style loop, and both styles can take turns on it.
The mixin keeps its state in one plain attribute (never a Module or Parameter), so
`compile` adds nothing to ``parameters()``, ``state_dict()`` or the module tree.

compile(optimizer, loss, metrics)
    ``optimizer``: "sgd" (lr 0.01), "adam" (lr 0.001) or an Optimizer, which `compile`
    binds to the model (late binding: layers built later are picked up). ``loss``: a
    Keras name ("mse", "mae", "binary_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy": probabilities in), a loss Module (the Keras-style
    classes of nn.losses, called as loss(y_true, y_pred); the PyTorch-style ones such as
    CrossEntropyLoss, called as loss(pred, target) and taking logits), or a function.
    A function is called as ``fn(y_true, y_pred)`` (Keras' order), except the loss
    functions of nn.losses (``mse_loss``, ``cross_entropy``, ...), which keep their own
    (pred, target) order. ``metrics``: names, Metric objects or functions (nn.metrics).
    Unknown names raise ValueError listing the known ones. A last layer whose activation
    contradicts the loss (softmax or sigmoid before a loss that takes logits; a linear or
    ReLU output before one that takes probabilities) gives a warning. Afterwards
    ``model.optimizer``, ``model.compiled_loss`` and ``model.metrics_names`` tell what
    was chosen.

fit(x, y, batch_size=32, epochs=1, verbose=1, callbacks=None, validation_split=0.0,
    validation_data=None, shuffle=True, class_weight=None, sample_weight=None,
    initial_epoch=0) -> History
    Keras' order, so ``fit(x, y, 32, 10)`` is 10 epochs of batches of 32, as in Keras.
    ``class_weight`` and ``sample_weight`` are there to keep that order; they are not
    supported (anything but None raises ValueError).
    Before the first batch, `fit` checks the arguments and the data: x and y must be
    rectangular arrays of numbers of the same length; one forward pass of two samples
    (no graph recorded) shows that the model accepts x and gives the output shape, which
    the targets are checked against as the loss needs them (class labels whole numbers
    within the number of outputs, probabilities within [0, 1], matching shapes, no nan),
    and the loss is tried on those two samples. ``validation_split`` takes the last
    fraction of the samples, before any shuffling, as Keras does. The training loop
    itself is the PyTorch loop over an nn.DataLoader, plus running sums of the loss and
    metrics on plain numbers; a batch whose loss is nan or inf is not applied, and it
    stops training with a warning naming the epoch and batch (TerminateOnNaN also puts
    back the weights of the last batch with a finite loss).

evaluate(x, y, batch_size=32, verbose=1, sample_weight=None, *, return_dict=False)
    -> loss, or [loss, *metrics] (Keras' positional order; no sample weights)
predict(x, batch_size=32, verbose=0) -> numpy array, computed under ``autograd.no_grad()``
    (silent by default; verbose=1 prints one line when done, as `evaluate` does). x of a
    single sample without its batch axis, e.g. (4,) for a model of 4 inputs, raises a
    ValueError saying so and suggesting x[None].
summary() -> prints layer name (type), output shape and parameter count, then the totals.
get_layer(name=None, index=None) -> a layer, by its name (``layer.name``) or position.
save(path) -> the whole model in one file; ``nn.load_model(path)`` reads it back
    (see nn.keras.saving).

This module is the API: each method checks nothing itself and hands over to the module
that does the job (nn.keras.compile, fit and loop, evaluation, summary); they share the
state declared by `nn.keras.base.KerasBase`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nn.export.onnx_graph import export_model
from nn.keras.base import KerasBase
from nn.keras.callbacks.base import Callback, History
from nn.keras.compile import compile_settings
from nn.keras.evaluation import evaluate, predict
from nn.keras.fit import fit_model
from nn.keras.saving import save_model
from nn.keras.summary import get_layer, summary
from nn.module import Module
from nn.optim import Optimizer
from nn.state_dict import PathLike

__all__ = ["Model", "TrainingMixin"]


class TrainingMixin(KerasBase):
    """compile / fit / evaluate / predict / summary for a Module class.

    Put it before Module in the bases: ``class Net(TrainingMixin, Module)`` (or derive
    from `Model`, which is exactly that). It defines no ``__init__`` and keeps its state
    in class-level defaults until `compile` and `fit` set them.
    """

    def compile(
        self,
        optimizer: str | Optimizer = "sgd",
        loss: Any = None,
        metrics: Sequence[Any] | str | None = None,
    ) -> None:
        """Choose the optimizer, the loss and the metrics (see the module docstring)."""
        self._compiled = compile_settings(self, optimizer, loss, metrics)
        self.optimizer = self._compiled.optimizer

    @property
    def compiled_loss(self) -> Any:
        """The loss chosen by `compile`, as an object (None before). Not called ``loss``:
        a model class may well keep its own ``self.loss``."""
        return None if self._compiled is None else self._compiled.loss

    @property
    def metrics_names(self) -> list[str]:
        """The names of the figures `evaluate` returns, in order: "loss", then the metrics."""
        metrics = [] if self._compiled is None else self._compiled.metrics
        return ["loss", *(m.name for m in metrics)]

    def fit(
        self,
        x: Any,
        y: Any = None,
        batch_size: int | None = 32,
        epochs: int = 1,
        verbose: int | str = 1,
        callbacks: Sequence[Callback] | Callback | None = None,
        validation_split: float = 0.0,
        validation_data: tuple[Any, Any] | None = None,
        shuffle: bool = True,
        class_weight: Any = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
    ) -> History:
        """Train for ``epochs`` epochs of mini-batches; returns the History.

        ``history.history`` maps "loss", each metric and (with validation data) their
        "val_" twins to one value per epoch: the training figures are means over the
        epoch's batches (weighted by batch size), the validation ones are measured on the
        whole validation set after the epoch. See the module docstring for the checks.
        """
        _unsupported("fit", class_weight=class_weight, sample_weight=sample_weight)
        return fit_model(
            self, x, y, epochs=epochs, batch_size=batch_size,
            validation_split=validation_split, validation_data=validation_data,
            shuffle=shuffle, callbacks=callbacks, verbose=verbose, initial_epoch=initial_epoch,
        )  # fmt: skip

    def evaluate(
        self,
        x: Any,
        y: Any = None,
        batch_size: int | None = 32,
        verbose: int | str = 1,
        sample_weight: Any = None,
        *,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """The mean loss over (x, y), or [loss, *metrics] when there are metrics (a dict
        with ``return_dict``). ``verbose=1`` prints one line, as Keras does."""
        _unsupported("evaluate", sample_weight=sample_weight)
        return evaluate(self, x, y, batch_size, verbose, return_dict)

    def predict(self, x: Any, batch_size: int | None = 32, verbose: int | str = 0) -> np.ndarray:
        """The model's outputs for x as a numpy array, batch by batch, in eval mode and
        under ``autograd.no_grad()`` (no graph is recorded).

        ``verbose`` as in Keras (0, 1, 2 or "auto"), but silent by default: 1, 2 and
        "auto" print one line when done, ``"3/3 - 0s 1ms/step"``, like `evaluate`.
        """
        return predict(self, x, batch_size, verbose)

    def summary(self, print_fn: Callable[[str], Any] | None = None) -> None:
        """Print a table of the layers: name (type), output shape (None for the batch
        axis, "?" while unknown) and parameter count; then the total, trainable and
        non-trainable counts. A Sequential whose first layer knows its input size (e.g.
        ``Dense(..., input_dim=64)``) has every count before it sees any data."""
        summary(self, print_fn)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Module:
        """The layer called ``name`` (its ``.name``), or the one at position ``index``
        (``model.layers[index]`` for a Sequential; for a model class, its direct
        submodules in the order assigned). ValueError, naming the layers there are, when
        there is no such layer; give one of the two, not both."""
        return get_layer(self, name, index)

    def save(self, path: PathLike) -> None:
        """Write the whole model to ``path`` in one file, atomically: the architecture,
        the layer names, the weights, and the compile settings with the optimizer's
        state (its step counts, momentum buffers, learning-rate schedule). No pickle:
        JSON and .npy arrays in a zip archive. Any path is used as given (``.nnz`` is
        the suggested suffix). ``nn.load_model(path)`` reads it back, in this process
        or another, into a model that predicts the same and trains on the same way.
        See `nn.keras.saving`."""
        save_model(self, path)

    def export(
        self,
        filepath: str | os.PathLike[str],
        format: str = "onnx",  # noqa: A002 (Keras' name for it)
        *,
        input_shape: Sequence[int] | None = None,
    ) -> None:
        """Write the model for other runtimes, as Keras' ``model.export``: ``format="onnx"``
        (the only format) writes an ONNX file, opset 17, with a dynamic batch axis, for a
        Sequential or MLP of nn's layers and activations (see `nn.export.onnx_graph`).
        ``input_shape`` (no batch axis) is needed only when the model does not know it."""
        shape = self._expected_input_shape() if input_shape is None else input_shape
        export_model(self, filepath, format, self._layer_chain(), shape)


def _unsupported(who: str, **given: Any) -> None:
    """Keras arguments kept for their place in the order, refused when given."""
    for key, value in given.items():
        if value is not None:
            raise ValueError(f"{who}: {key} is not supported (it must stay None)")


class Model(TrainingMixin, Module):
    """A Module with compile / fit / evaluate / predict / summary: derive models from it
    (define ``__init__`` and ``forward`` as for any Module)."""
