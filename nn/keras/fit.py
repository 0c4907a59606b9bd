"""`fit`: check the arguments and the data, set aside the validation set, give the
optimizer the parameters of layers added since `compile`, wire up the callbacks
(progress first, History last), then run the `TrainingLoop`.

Every check runs before the first batch (see nn.keras.checks). ``validation_split``
takes the last fraction of the samples, before any shuffling, as Keras does: the same
samples every epoch and every run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from nn.arguments import positive_int
from nn.data import DataLoader
from nn.keras.base import Compiled, KerasBase
from nn.keras.callbacks.base import Callback, History
from nn.keras.checks import prepare
from nn.keras.loop import TrainingLoop
from nn.keras.progress import check_verbose, make_progress

__all__ = ["fit_model"]

_Arrays = tuple[np.ndarray, np.ndarray]


def fit_model(
    model: KerasBase,
    x: Any,
    y: Any,
    *,
    epochs: int,
    batch_size: int | None,
    validation_split: float,
    validation_data: tuple[Any, Any] | None,
    shuffle: bool,
    callbacks: Sequence[Callback] | Callback | None,
    verbose: int | str,
    initial_epoch: int,
) -> History:
    """Train `model` as `TrainingMixin.fit` describes; returns the History."""
    who = "fit"
    state = model._state(who)
    epochs = positive_int(who, "epochs", epochs, minimum=0)
    initial_epoch = positive_int(who, "initial_epoch", initial_epoch, minimum=0)
    batch_size = 32 if batch_size is None else positive_int(who, "batch_size", batch_size)
    verbose = check_verbose(verbose, who)
    cbs = _callback_list(who, callbacks)
    if not (isinstance(validation_split, int | float) and 0.0 <= validation_split < 1.0):
        raise ValueError(f"{who}: validation_split must be in [0, 1), got {validation_split!r}")

    x_all, y_all, out_shape = prepare(model, who, state, x, y)
    (x_all, y_all), validation = _set_aside_validation(
        model, state, (x_all, y_all), validation_data, validation_split
    )
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError(f"{who}: the model has no trainable parameters")
    _add_new_parameters(model, state)

    metrics = [m.resolve(out_shape, y_all, state.expects == "logits") for m in state.metrics]
    loader = DataLoader(
        x_all, y_all, batch_size=batch_size, shuffle=shuffle, dtype=model._dtype_now()
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
        cb.set_model(model)
        cb.set_params(params)
    model.history = history
    model.stop_training = False
    loop = TrainingLoop(model, state, loader, metrics, all_cbs, params, validation, batch_size)
    try:
        loop.run(initial_epoch, epochs)
    finally:
        if progress is not None:
            progress.on_train_end()  # closes a live bar even after an exception
    return history


def _callback_list(who: str, callbacks: Sequence[Callback] | Callback | None) -> list[Callback]:
    """The callbacks as a list; one callback on its own is a list of one (Keras wants
    the list)."""
    cbs = [callbacks] if isinstance(callbacks, Callback) else list(callbacks or [])
    for cb in cbs:
        if not isinstance(cb, Callback):
            raise TypeError(
                f"{who}: callbacks must be nn.callbacks.Callback objects, got {type(cb).__name__}"
            )
    return cbs


def _set_aside_validation(
    model: KerasBase,
    state: Compiled,
    data: _Arrays,
    validation_data: tuple[Any, Any] | None,
    validation_split: float,
) -> tuple[_Arrays, _Arrays | None]:
    """(the training arrays, the validation arrays or None): ``validation_data`` checked
    as the training data is, or the last ``validation_split`` of ``data``."""
    who = "fit"
    if validation_data is not None:
        if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
            raise ValueError(
                f"{who}: validation_data must be a pair (x_val, y_val) (sample weights "
                "are not supported)"
            )
        x_val, y_val, _ = prepare(
            model, who, state, validation_data[0], validation_data[1], "validation x"
        )
        return data, (x_val, y_val)
    if validation_split == 0.0:
        return data, None
    x_all, y_all = data
    n = x_all.shape[0]
    split_at = math.floor(n * (1.0 - validation_split))  # Keras' rounding
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"{who}: validation_split={validation_split} of {n} samples leaves "
            f"{split_at} for training and {n - split_at} for validation; both "
            "need at least one"
        )
    return (x_all[:split_at], y_all[:split_at]), (x_all[split_at:], y_all[split_at:])


def _add_new_parameters(model: KerasBase, state: Compiled) -> None:
    """Layers added since compile (model.add) are trained too: the optimizer takes up
    their parameters, with fresh state (Keras 3 would refuse). Only theirs: one the
    optimizer was given and then not (bind to a subset, to freeze) stays out."""
    given = {id(p) for p in state.given}
    added = [p for p in model.parameters() if id(p) not in given]
    if added:
        state.optimizer.add_params(added)
        state.given.extend(added)
