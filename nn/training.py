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

fit(x, y, *, epochs=1, batch_size=32, validation_split=0.0, validation_data=None,
    shuffle=True, callbacks=None, verbose=1, initial_epoch=0) -> History
    Everything after ``y`` is keyword-only: Keras' positional order (batch_size before
    epochs) differs from this one, and a silent swap would train for 32 epochs of 10.
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

evaluate(x, y, batch_size=32, verbose=1) -> loss, or [loss, *metrics]
predict(x, batch_size=32, verbose=0) -> numpy array, computed under ``autograd.no_grad()``
    (silent by default; verbose=1 prints one line when done, as `evaluate` does). x of a
    single sample without its batch axis, e.g. (4,) for a model of 4 inputs, raises a
    ValueError saying so and suggesting x[None].
summary() -> prints layer (type), output shape and parameter count, then the totals.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

import autograd
from autograd import Value
from nn import losses as L
from nn.activations import Activation
from nn.arguments import lookup, positive_int
from nn.callbacks import Callback, History, TerminateOnNaN, overrides
from nn.checks import as_nonempty_array, check_targets, loss_number
from nn.data import DataLoader
from nn.metrics import Metric, align_ranks, get_metric
from nn.module import Module
from nn.optim import SGD, Adam, Optimizer
from nn.progress import check_verbose, format_logs, format_timing, make_progress

__all__ = ["Model", "TrainingMixin"]

if TYPE_CHECKING:
    # To the type checker the mixin is a Module, so its methods may use the Module API;
    # at run time it is a plain class placed before Module in the bases.
    _MixinBase = Module
else:
    _MixinBase = object

LossCall = Callable[[Any, Any], Any]

_OPTIMIZERS: dict[str, Callable[[], Optimizer]] = {"sgd": SGD, "adam": Adam}

# What a loss takes as predictions ("logits", "probabilities", "log_probabilities" or
# None for any numbers) and what its targets are ("regression", "binary", "categorical",
# "sparse", or "class": sparse or categorical, as the targets' shape says).
_MODULE_TRAITS: list[tuple[type, str | None, str]] = [
    (L.CrossEntropyLoss, "logits", "class"),
    (L.NLLLoss, "log_probabilities", "sparse"),
    (L.BCELoss, "probabilities", "binary"),
    (L.BCEWithLogitsLoss, "logits", "binary"),
    (L.MSELoss, None, "regression"),
    (L.L1Loss, None, "regression"),
]
# The PyTorch-style loss functions, called as fn(pred, target).
_FUNCTION_TRAITS: dict[Callable[..., Any], tuple[str | None, str]] = {
    L.cross_entropy: ("logits", "class"),
    L.nll_loss: ("log_probabilities", "sparse"),
    L.binary_cross_entropy: ("probabilities", "binary"),
    L.binary_cross_entropy_with_logits: ("logits", "binary"),
    L.mse_loss: (None, "regression"),
    L.l1_loss: (None, "regression"),
}
_PROBABILITY_OUTPUTS = frozenset({"softmax", "sigmoid"})
_UNBOUNDED_OUTPUTS = frozenset(
    {"linear", "relu", "leaky_relu", "prelu", "elu", "softplus", "tanh", "log_softmax"}
)


@dataclass
class _Compiled:
    """What `compile` settled, kept in one attribute that the module walk ignores."""

    optimizer: Optimizer
    loss: Any
    loss_call: LossCall
    loss_name: str
    expects: str | None
    target_kind: str | None
    metrics: list[Metric] = field(default_factory=list)
    # The model's parameters the optimizer has been given (at compile, and by fit since):
    # one not among them belongs to a layer added since, for fit to add. (The objects,
    # not their ids: a copy of the model maps them to its own.)
    given: list[Any] = field(default_factory=list)


def _loss_traits(loss: Any) -> tuple[str | None, str | None]:
    """(what the loss takes as predictions, what its targets are); Nones if unknown."""
    kind = getattr(loss, "target_kind", "")
    if getattr(loss, "y_true_first", False) and kind:  # the Keras-style classes
        if kind == "regression":
            return None, kind
        return ("logits" if loss.from_logits else "probabilities"), kind
    for cls, expects, kind in _MODULE_TRAITS:
        if isinstance(loss, cls):
            return expects, kind
    traits = _FUNCTION_TRAITS.get(loss) if callable(loss) else None
    return traits if traits is not None else (None, None)


def _resolve_loss(spec: Any) -> tuple[Any, LossCall, str]:
    """The loss object, a function of (model output, targets), and a name for messages."""
    if spec is None:
        raise ValueError(
            "compile: give a loss, e.g. loss='sparse_categorical_crossentropy'; known names: "
            + ", ".join(repr(n) for n in L.known_losses())
        )
    try:
        loss = L.get_loss(spec)
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"compile: {exc}") from None
    name = type(loss).__name__ if isinstance(loss, Module) else getattr(loss, "__name__", "loss")
    if isinstance(loss, Module) and not getattr(loss, "y_true_first", False):
        return loss, loss, name
    if not isinstance(loss, Module) and loss in _FUNCTION_TRAITS:
        return loss, loss, name
    if isinstance(loss, Module):  # the Keras-style classes, which handle shapes themselves

        def call(out: Any, y: Any) -> Any:  # Keras order: targets first
            return loss(y, out)

        return loss, call, name

    def call_function(out: Any, y: Any) -> Any:
        # A user function sees y_true and y_pred at the same rank, as Keras hands them
        # over: (N,) targets against (N, 1) outputs would otherwise broadcast to (N, N)
        # in ``y_pred - y_true`` and silently train on the wrong loss.
        return loss(*align_ranks(y, out))

    return loss, call_function, name


def _reject_class(what: str, spec: Any, verb: str = "is") -> None:
    """A class where an instance belongs (``loss=nn.CrossEntropyLoss``) is callable, so
    it would be taken for a function and fail later with a confusing message."""
    if isinstance(spec, type):
        name = spec.__name__
        raise TypeError(f"compile: {what} {verb} the class {name}; pass an instance, {name}()")


def _resolve_optimizer(spec: Any) -> Optimizer:
    if isinstance(spec, Optimizer):
        return spec
    if isinstance(spec, str):
        hint = " (or pass an Optimizer object such as nn.SGD(lr=0.1, momentum=0.9))"
        return lookup(_OPTIMIZERS, spec, "optimizer", "compile", hint)()
    raise TypeError(f"compile: optimizer must be a name or an Optimizer, got {type(spec).__name__}")


def _output_activation(model: Module) -> str | None:
    """The name of the activation the model's output goes through last ("linear" for
    none), when the model is a Sequential whose end can be read; None if unknown."""
    from nn.layers import Dense, Linear, Sequential  # nn.layers imports this module

    last: Any = model
    while isinstance(last, Sequential):
        if len(last) == 0:
            return None
        last = last[-1]
    if isinstance(last, Dense):
        if last.activation is None:
            return "linear"
        last = last.activation
    if isinstance(last, Linear):
        return "linear"
    while type(last) is Activation:  # Keras' Activation("softmax") wraps the real one
        last = last.fn
    if isinstance(last, Activation):
        return last.key or None
    return None


def _warn_on_contradiction(model: Module, loss_name: str, expects: str | None) -> None:
    act = _output_activation(model)
    if act is None or expects is None:
        return
    message = None
    if expects == "logits" and act in _PROBABILITY_OUTPUTS:
        message = (
            f"the last layer applies {act}, but the loss {loss_name} takes logits "
            f"(from_logits=True) and applies {act} itself: it would be applied twice. "
            f"Remove the {act} activation, or use the loss with from_logits=False."
        )
    elif expects == "probabilities" and act in _UNBOUNDED_OUTPUTS:
        message = (
            f"the last layer's output is {act}, not probabilities, but the loss "
            f"{loss_name} takes probabilities (from_logits=False). Give the last layer "
            "activation='softmax' (or 'sigmoid' for one output), or build the loss with "
            "from_logits=True."
        )
    elif (
        expects == "log_probabilities"
        and act != "log_softmax"
        and (act in _PROBABILITY_OUTPUTS or act in _UNBOUNDED_OUTPUTS)
    ):
        message = (
            f"the last layer's output is {act}, but the loss {loss_name} takes "
            "log-probabilities; end the model with nn.LogSoftmax() (or use "
            "nn.CrossEntropyLoss on logits)."
        )
    if message:
        warnings.warn(f"compile: {message}", UserWarning, stacklevel=3)


# --- the mixin ------------------------------------------------------------------------------


class TrainingMixin(_MixinBase):
    """compile / fit / evaluate / predict / summary for a Module class.

    Put it before Module in the bases: ``class Net(TrainingMixin, Module)`` (or derive
    from `Model`, which is exactly that). It defines no ``__init__`` and keeps its state
    in class-level defaults until `compile` and `fit` set them.
    """

    _compiled: _Compiled | None = None
    _seen_input_shape: tuple[int, ...] | None = None
    #: The optimizer chosen by `compile` (a plain attribute, as in Keras; callbacks such
    #: as LearningRateScheduler read it). `fit` itself uses the one `compile` bound.
    optimizer: Optimizer | None = None
    stop_training: bool = False
    history: History | None = None

    # --- compile -------------------------------------------------------------------------
    def compile(
        self,
        optimizer: str | Optimizer = "sgd",
        loss: Any = None,
        metrics: Sequence[Any] | str | None = None,
    ) -> None:
        """Choose the optimizer, the loss and the metrics (see the module docstring)."""
        _reject_class("optimizer", optimizer)  # (a loss class: get_loss refuses it)
        opt = _resolve_optimizer(optimizer)
        loss_obj, call, loss_name = _resolve_loss(loss)
        one = isinstance(metrics, str | type | Metric) or callable(metrics)
        specs: list[Any] = [metrics] if one else list(metrics or [])
        found: list[Metric] = []
        for spec in specs:
            _reject_class("metrics", spec, "holds")
            try:
                found.append(get_metric(spec))
            except (ValueError, TypeError) as exc:
                raise type(exc)(f"compile: {exc}") from None
        names = [m.name for m in found]
        clash = [n for n in names if n == "loss" or names.count(n) > 1]
        if clash:
            raise ValueError(f"compile: metric names must be unique and not 'loss', got {names}")
        expects, kind = _loss_traits(loss_obj)
        _warn_on_contradiction(self, loss_name, expects)
        opt.bind(self)
        self._compiled = _Compiled(opt, loss_obj, call, loss_name, expects, kind, found)
        self._compiled.given = list(self.parameters())
        self.optimizer = opt

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

    def _state(self, who: str) -> _Compiled:
        if self._compiled is None:
            raise RuntimeError(
                f"{who}: the model is not compiled; call model.compile(optimizer=..., "
                "loss=...) first"
            )
        return self._compiled

    # --- checking inputs before anything runs ---------------------------------------------
    def _dtype_now(self) -> np.dtype[Any]:
        for p in self.parameters():
            return np.dtype(p.dtype)
        return np.dtype(self._dtype)

    def _expected_input_shape(self) -> tuple[int, ...] | None:
        """The per-sample input shape the model was declared with or last accepted."""
        declared = self.declared_input_shape()
        return tuple(declared) if declared is not None else self._seen_input_shape

    def _single_sample(self, who: str, x: np.ndarray, what: str) -> str | None:
        """The message for x that is one sample without its batch axis (Keras' "expected
        shape=(None, 4), found shape=(4,)"), or None when x is not that."""
        expected = self._expected_input_shape()
        if expected is None or tuple(x.shape) != expected:
            return None
        fix = f"{what}[None] or {what}.reshape(1, -1)" if x.ndim == 1 else f"{what}[None]"
        return (
            f"{who}: the model expects {what} of shape {(None, *expected)}, got {what} of "
            f"shape {x.shape}: one sample without the batch axis? pass {fix}"
        )

    def _probe(self, who: str, x: np.ndarray, what: str = "x") -> tuple[Any, tuple[int, ...]]:
        """Run two samples through the model without recording a graph (this also builds
        lazy layers); return the output and its shape, or raise a ValueError naming x's
        shape."""
        # Checked first: the probe below would cut a lone sample (4,) to "a batch" (2,)
        # and the layer's complaint about shape (2,) would contradict the x given.
        single = self._single_sample(who, x, what)
        if single is not None:
            raise ValueError(single)
        k = min(2, x.shape[0])
        xb = Value(x[:k].astype(self._dtype_now(), copy=False), requires_grad=False)
        try:
            with autograd.no_grad():
                out = self(xb)
        except (ValueError, TypeError, IndexError) as exc:
            expected = self._expected_input_shape()
            wants = "" if expected is None else f"; it expects {(None, *expected)}"
            raise ValueError(
                f"{who}: the model does not accept {what} of shape {x.shape} ({x.shape[1:]} "
                f"per sample{wants}): {exc}{_one_axis_hint(x, what)}"
            ) from None
        shape = tuple(np.shape(out.data if isinstance(out, Value) else out))
        if not shape or shape[0] != k:
            raise ValueError(
                f"{who}: the model's output for {k} samples has shape {shape}, without a "
                f"batch axis first{_one_axis_hint(x, what)}"
            )
        self._seen_input_shape = tuple(int(d) for d in x.shape[1:])
        return out, shape

    def _prepare(
        self, who: str, state: _Compiled, x: Any, y: Any, what: str = "x"
    ) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
        """Checked arrays (x in the model's dtype, y as the loss takes it) and the output
        shape; every error surfaces here, before any batch runs."""
        ys = "y" if what == "x" else what.replace("x", "y")
        xa = as_nonempty_array(who, what, x)
        if y is None:
            raise ValueError(f"{who}: {ys} (the targets) is missing")
        ya = as_nonempty_array(who, ys, y)
        if xa.shape[0] != ya.shape[0]:
            raise ValueError(
                f"{who}: {what} and {ys} have different lengths: {what} has {xa.shape[0]} "
                f"samples, {ys} has {ya.shape[0]}"
            )
        out, out_shape = self._probe(who, xa, what)
        dtype = self._dtype_now()
        ya = check_targets(who, state.target_kind, ya, out_shape, dtype, ys)
        xa = xa.astype(dtype, copy=False)
        # The loss itself on the probe's samples: catches what the checks above cannot know.
        try:
            with autograd.no_grad():
                value = state.loss_call(out, ya[: out_shape[0]])
        except (ValueError, TypeError, IndexError) as exc:
            raise ValueError(
                f"{who}: the loss {state.loss_name} rejects {ys} of shape {ya.shape} with "
                f"model outputs of shape {out_shape}: {exc}"
            ) from None
        if not isinstance(value, Value) or value.size != 1:
            got = type(value).__name__ if not isinstance(value, Value) else f"shape {value.shape}"
            raise ValueError(
                f"{who}: the loss {state.loss_name} must return a single-number Value "
                f"(built from engine operations, mean-reduced), got {got}"
            )
        return xa, ya, out_shape

    # --- fit --------------------------------------------------------------------------------
    def fit(
        self,
        x: Any,
        y: Any = None,
        *,
        epochs: int = 1,
        batch_size: int | None = 32,
        validation_split: float = 0.0,
        validation_data: tuple[Any, Any] | None = None,
        shuffle: bool = True,
        callbacks: Sequence[Callback] | Callback | None = None,
        verbose: int | str = 1,
        initial_epoch: int = 0,
    ) -> History:
        """Train for ``epochs`` epochs of mini-batches; returns the History.

        ``history.history`` maps "loss", each metric and (with validation data) their
        "val_" twins to one value per epoch: the training figures are means over the
        epoch's batches (weighted by batch size), the validation ones are measured on the
        whole validation set after the epoch. See the module docstring for the checks.
        """
        who = "fit"
        state = self._state(who)
        epochs = positive_int(who, "epochs", epochs, minimum=0)
        initial_epoch = positive_int(who, "initial_epoch", initial_epoch, minimum=0)
        batch_size = 32 if batch_size is None else positive_int(who, "batch_size", batch_size)
        verbose = check_verbose(verbose, who)
        # One callback on its own is taken as a list of one (Keras wants the list).
        cbs = [callbacks] if isinstance(callbacks, Callback) else list(callbacks or [])
        for cb in cbs:
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"{who}: callbacks must be nn.callbacks.Callback objects, got "
                    f"{type(cb).__name__}"
                )
        if not (isinstance(validation_split, int | float) and 0.0 <= validation_split < 1.0):
            raise ValueError(f"{who}: validation_split must be in [0, 1), got {validation_split!r}")

        x_all, y_all, out_shape = self._prepare(who, state, x, y)
        x_val = y_val = None
        if validation_data is not None:
            if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
                raise ValueError(
                    f"{who}: validation_data must be a pair (x_val, y_val) (sample weights "
                    "are not supported)"
                )
            x_val, y_val, _ = self._prepare(
                who, state, validation_data[0], validation_data[1], "validation x"
            )
        elif validation_split > 0.0:
            n = x_all.shape[0]
            split_at = math.floor(n * (1.0 - validation_split))  # Keras' rounding
            if split_at == 0 or split_at == n:
                raise ValueError(
                    f"{who}: validation_split={validation_split} of {n} samples leaves "
                    f"{split_at} for training and {n - split_at} for validation; both "
                    "need at least one"
                )
            # The last fraction, before shuffling: the same samples every epoch and run.
            x_val, y_val = x_all[split_at:], y_all[split_at:]
            x_all, y_all = x_all[:split_at], y_all[:split_at]
        if not any(p.requires_grad for p in self.parameters()):
            raise ValueError(f"{who}: the model has no trainable parameters")
        # Layers added since compile (model.add) are trained too: the optimizer takes up
        # their parameters, with fresh state (Keras 3 would refuse). Only theirs: one the
        # optimizer was given and then not (bind to a subset, to freeze) stays out.
        given = {id(p) for p in state.given}
        added = [p for p in self.parameters() if id(p) not in given]
        if added:
            state.optimizer.add_params(added)
            state.given.extend(added)

        metrics = [m.resolve(out_shape, y_all, state.expects == "logits") for m in state.metrics]
        loader = DataLoader(
            x_all, y_all, batch_size=batch_size, shuffle=shuffle, dtype=self._dtype_now()
        )
        history = History()
        progress = make_progress(verbose)
        # Progress first (it times the epoch), History last (it sees what others add).
        all_cbs = ([progress] if progress is not None else []) + cbs + [history]
        params = {
            "epochs": epochs,
            "steps": len(loader),
            "samples": loader.num_samples,
            "verbose": verbose,
            "epoch_steps": len(loader),
        }
        for cb in all_cbs:
            cb.set_model(self)
            cb.set_params(params)
        self.history = history
        self.stop_training = False
        try:
            self._train_loop(
                state, loader, metrics, all_cbs, params, epochs, initial_epoch,
                x_val, y_val, batch_size,
            )  # fmt: skip
        finally:
            if progress is not None:
                progress.on_train_end()  # closes a live bar even after an exception
        return history

    def _train_loop(
        self,
        state: _Compiled,
        loader: DataLoader,
        metrics: list[Metric],
        cbs: list[Callback],
        params: dict[str, Any],
        epochs: int,
        initial_epoch: int,
        x_val: np.ndarray | None,
        y_val: np.ndarray | None,
        batch_size: int,
    ) -> None:
        """The epochs. Per batch this adds to a bare loop only: one ``item()``, a finite
        check, a few float additions, the metrics' numpy sums, and calls to the batch
        hooks of the callbacks that define them (none by default)."""
        opt, loss_call = state.optimizer, state.loss_call
        names = [m.name for m in metrics]
        sums_of = [m.batch_sum for m in metrics]
        begin_hooks = [cb.on_batch_begin for cb in cbs if overrides(cb, "on_batch_begin")]
        end_hooks = [cb.on_batch_end for cb in cbs if overrides(cb, "on_batch_end")]
        isfinite = math.isfinite
        # Without TerminateOnNaN (which also restores the last good weights), a nan or
        # inf loss still stops training, with a warning: never a silent nan run.
        guarded = any(isinstance(cb, TerminateOnNaN) for cb in cbs)
        for cb in cbs:
            cb.on_train_begin({})
        for epoch in range(initial_epoch, epochs):
            opt.set_epoch(epoch)  # a Schedule given as lr follows the epoch
            self.train()
            for cb in cbs:
                cb.on_epoch_begin(epoch, {})
            seen, loss_sum, batch = 0, 0.0, 0
            sums = [0.0] * len(metrics)
            for xb, yb in loader:
                for hook in begin_hooks:
                    hook(batch, {})
                out = self(xb)
                loss = loss_call(out, yb)
                value = loss.item()
                if isfinite(value):  # a nan/inf loss would write nan into every weight
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                elif not guarded:
                    warnings.warn(
                        f"fit: the loss became {value} at epoch {epoch + 1}, batch {batch + 1}"
                        f"{_bad_inputs(xb)}; training stopped without applying that batch (add "
                        "nn.callbacks.TerminateOnNaN() to also restore the weights of the "
                        "last batch with a finite loss)",
                        RuntimeWarning,
                        stacklevel=3,
                    )
                    self.stop_training = True
                n = yb.shape[0]
                seen += n
                loss_sum += value * n
                if sums_of:
                    pred = out.data
                    for i, batch_sum in enumerate(sums_of):
                        sums[i] += batch_sum(yb, pred)
                batch += 1
                if end_hooks:
                    logs = {"loss": loss_sum / seen}
                    for name, s in zip(names, sums):
                        logs[name] = s / seen
                    for hook in end_hooks:
                        hook(batch - 1, logs)
                if self.stop_training:
                    break
            epoch_logs: dict[str, Any] = {"loss": loss_sum / seen}
            for name, s in zip(names, sums):
                epoch_logs[name] = s / seen
            if x_val is not None and y_val is not None:
                figures = self._measure(state, metrics, x_val, y_val, batch_size)
                for name, v in zip(["loss", *names], figures):
                    epoch_logs["val_" + name] = v
            params["epoch_steps"] = batch
            for cb in cbs:
                cb.on_epoch_end(epoch, epoch_logs)
            params["epoch_steps"] = params["steps"]
            if self.stop_training:
                break
        for cb in cbs:
            cb.on_train_end({})

    def _measure(
        self,
        state: _Compiled,
        metrics: list[Metric],
        x: np.ndarray,
        y: np.ndarray,
        batch_size: int,
    ) -> list[float]:
        """Mean loss and metrics over (x, y) in eval mode, recording no graph unless the
        loss reads one: a cross-entropy of probabilities takes the logits off a recorded
        softmax or sigmoid, as it does in training (`nn.losses._logits_under`); without
        the graph it would clip the probabilities instead and report another loss."""
        was_training = self.training
        self.eval()
        loss_sum, sums, n_all = 0.0, [0.0] * len(metrics), x.shape[0]
        # (A loss of the user's own may call one that does: only the losses known not to
        # read the graph are computed without it.)
        recording = getattr(state.loss, "reads_graph", True)
        # Recorded whatever the parameters (a frozen model too): the batch is a variable.
        # The module records that pictures read stay those of the last training step.
        records = [(m, vars(m).get("_last_call")) for m in self.modules()] if recording else []
        try:
            with autograd.enable_grad() if recording else autograd.no_grad():
                for start in range(0, n_all, batch_size):
                    xb = Value(x[start : start + batch_size], requires_grad=recording)
                    yb = y[start : start + batch_size]
                    out = self(xb)
                    n = yb.shape[0]
                    loss_sum += loss_number(state.loss_call(out, yb)) * n
                    pred = out.data if isinstance(out, Value) else np.asarray(out)
                    for i, m in enumerate(metrics):
                        sums[i] += m.batch_sum(yb, pred)
        finally:
            self.train(was_training)
            for module, record in records:
                if record is None:
                    vars(module).pop("_last_call", None)
                else:
                    vars(module)["_last_call"] = record
        return [loss_sum / n_all, *(s / n_all for s in sums)]

    # --- evaluate and predict ------------------------------------------------------------------
    def evaluate(
        self,
        x: Any,
        y: Any = None,
        batch_size: int | None = 32,
        verbose: int | str = 1,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """The mean loss over (x, y), or [loss, *metrics] when there are metrics (a dict
        with ``return_dict``). ``verbose=1`` prints one line, as Keras does."""
        who = "evaluate"
        state = self._state(who)
        batch_size = 32 if batch_size is None else positive_int(who, "batch_size", batch_size)
        verbose = check_verbose(verbose, who)
        xa, ya, out_shape = self._prepare(who, state, x, y)
        metrics = [m.resolve(out_shape, ya, state.expects == "logits") for m in state.metrics]
        t0 = time.perf_counter()
        figures = self._measure(state, metrics, xa, ya, batch_size)
        named = dict(zip(["loss", *(m.name for m in metrics)], figures))
        if verbose:
            steps = -(-xa.shape[0] // batch_size)
            timing = format_timing(time.perf_counter() - t0, steps)
            print(f"{steps}/{steps} - {timing} - {format_logs(named)}")
        if return_dict:
            return named
        return figures[0] if len(figures) == 1 else figures

    def predict(self, x: Any, batch_size: int | None = 32, verbose: int | str = 0) -> np.ndarray:
        """The model's outputs for x as a numpy array, batch by batch, in eval mode and
        under ``autograd.no_grad()`` (no graph is recorded).

        ``verbose`` as in Keras (0, 1, 2 or "auto"), but silent by default: 1, 2 and
        "auto" print one line when done, ``"3/3 - 0s 1ms/step"``, like `evaluate`.
        """
        who = "predict"
        batch_size = 32 if batch_size is None else positive_int(who, "batch_size", batch_size)
        verbose = check_verbose(verbose, who)
        t0 = time.perf_counter()
        xa = as_nonempty_array(who, "x", x)
        self._probe(who, xa)  # shape errors name x, before any batch
        xa = xa.astype(self._dtype_now(), copy=False)
        was_training = self.training
        self.eval()
        outs = []
        try:
            with autograd.no_grad():
                for start in range(0, xa.shape[0], batch_size):
                    out = self(Value(xa[start : start + batch_size], requires_grad=False))
                    outs.append(np.asarray(out.data if isinstance(out, Value) else out))
        finally:
            self.train(was_training)
        if verbose:
            steps = len(outs)
            print(f"{steps}/{steps} - {format_timing(time.perf_counter() - t0, steps)}")
        return np.concatenate(outs, axis=0)

    # --- summary -------------------------------------------------------------------------------
    def summary(self, print_fn: Callable[[str], Any] | None = None) -> None:
        """Print a table of the layers: name (type), output shape (None for the batch
        axis, "?" while unknown) and parameter count; then the total, trainable and
        non-trainable counts. A Sequential whose first layer knows its input size (e.g.
        ``Dense(..., input_dim=64)``) has every count before it sees any data."""
        emit = print if print_fn is None else print_fn
        rows = [("Layer (type)", "Output Shape", "Param #")]
        rows += self._summary_rows()
        widths = [max(len(r[i]) for r in rows) + 3 for i in range(3)]
        widths[0] = max(widths[0], 30)
        widths[1] = max(widths[1], 22)
        total_width = sum(widths)
        params = self.parameters()
        total = sum(p.size for p in params)
        trainable = sum(p.size for p in params if p.requires_grad)
        size = sum(p.data.nbytes for p in params)
        emit(f'Model: "{type(self).__name__}"')
        emit("_" * total_width)
        header, *body = ["".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
        emit(header)
        emit("=" * total_width)
        for line in body:
            emit(line)
        emit("=" * total_width)
        emit(f"Total params: {total:,} ({_bytes(size)})")
        emit(f"Trainable params: {trainable:,}")
        emit(f"Non-trainable params: {total - trainable:,}")
        if not self.built:
            emit(
                "Some layers are not built yet: their parameters are counted once the model "
                "sees data (or model.build(input_shape) is called)."
            )
        emit("_" * total_width)

    def _summary_rows(self) -> list[tuple[str, str, str]]:
        from nn.layers import Sequential  # nn.layers imports this module

        rows: list[tuple[str, str, str]] = []
        if isinstance(self, Sequential):
            shape = self.declared_input_shape() or self._seen_input_shape
            for i, layer in enumerate(self.layers):
                if shape is None:
                    shape = layer.declared_input_shape()
                out = None
                if shape is not None:
                    try:
                        out = layer.output_shape(shape)
                    except ValueError:
                        out = None
                rows.append((f"{i} ({type(layer).__name__})", _shape_text(out), _count(layer)))
                shape = out
            return rows
        for name, child in self.named_children():
            rows.append((f"{name} ({type(child).__name__})", "?", _count(child)))
        return rows


def _bad_inputs(xb: Any) -> str:
    """Why a batch's loss may be nan or inf when its inputs are to blame (error path)."""
    data = xb.data if isinstance(xb, Value) else np.asarray(xb)
    bad = ~np.isfinite(data)
    if not bad.any():
        return ""
    return f" (that batch's inputs hold {int(bad.sum())} nan or inf values: clean the data)"


def _one_axis_hint(x: np.ndarray, what: str) -> str:
    """For 1-D x, which is read as that many samples of shape (): how to pass one sample."""
    if x.ndim != 1:
        return ""
    return (
        f" ({what} of shape {x.shape} is read as {x.shape[0]} samples of shape (); for one "
        f"sample of {x.shape[0]} features pass {what}[None] or {what}.reshape(1, -1))"
    )


def _shape_text(shape: tuple[int, ...] | None) -> str:
    return "?" if shape is None else str((None, *shape))


def _count(layer: Module) -> str:
    n = layer.count_params()
    return f"{n:,}" if layer.built else f"{n:,} (unbuilt)"


def _bytes(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    size = float(n)
    for unit in ("KB", "MB"):
        size /= 1024
        if size < 1024:
            return f"{size:.2f} {unit}"
    return f"{size / 1024:.2f} GB"


class Model(TrainingMixin, Module):
    """A Module with compile / fit / evaluate / predict / summary: derive models from it
    (define ``__init__`` and ``forward`` as for any Module)."""
