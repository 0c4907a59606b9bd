"""`evaluate` and `predict`, and the measurement of the loss and metrics over a data set
that `evaluate` and `fit`'s validation share.

Both run the model batch by batch in eval mode (dropout off) and put the mode back
afterwards. `predict` records no graph; the measurement records one only when the loss
may read it (see `measure`).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

import autograd
from autograd import Value
from nn.arguments import positive_int
from nn.keras.base import Compiled, KerasBase
from nn.keras.checks import as_nonempty_array, loss_number, prepare, probe
from nn.keras.metrics import Metric
from nn.keras.progress import check_verbose, format_logs, format_timing

__all__ = ["evaluate", "measure", "predict"]


def measure(
    model: KerasBase,
    state: Compiled,
    metrics: list[Metric],
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int,
) -> list[float]:
    """Mean loss and metrics over (x, y) in eval mode, recording no graph unless the
    loss reads one: a cross-entropy of probabilities takes the logits off a recorded
    softmax or sigmoid, as it does in training (`nn.losses._logits_under`); without
    the graph it would clip the probabilities instead and report another loss."""
    was_training = model.training
    model.eval()
    loss_sum, sums, n_all = 0.0, [0.0] * len(metrics), x.shape[0]
    # (A loss of the user's own may call one that does: only the losses known not to
    # read the graph are computed without it.)
    recording = getattr(state.loss, "reads_graph", True)
    # Recorded whatever the parameters (a frozen model too): the batch is a variable.
    # The module records that pictures read stay those of the last training step.
    records = [(m, vars(m).get("_last_call")) for m in model.modules()] if recording else []
    try:
        with autograd.enable_grad() if recording else autograd.no_grad():
            for start in range(0, n_all, batch_size):
                xb = Value(x[start : start + batch_size], requires_grad=recording)
                yb = y[start : start + batch_size]
                out = model(xb)
                n = yb.shape[0]
                loss_sum += loss_number(state.loss_call(out, yb)) * n
                pred = out.data if isinstance(out, Value) else np.asarray(out)
                for i, m in enumerate(metrics):
                    sums[i] += m.batch_sum(yb, pred)
    finally:
        model.train(was_training)
        _restore_call_records(records)
    return [loss_sum / n_all, *(s / n_all for s in sums)]


def _restore_call_records(records: list[tuple[Any, Any]]) -> None:
    for module, record in records:
        if record is None:
            vars(module).pop("_last_call", None)
        else:
            vars(module)["_last_call"] = record


def evaluate(
    model: KerasBase,
    x: Any,
    y: Any,
    batch_size: int | None,
    verbose: int | str,
    return_dict: bool,
) -> float | list[float] | dict[str, float]:
    """The mean loss over (x, y), or [loss, *metrics] when there are metrics (a dict
    with ``return_dict``); ``verbose`` prints one line."""
    who = "evaluate"
    state = model._state(who)
    batch_size = 32 if batch_size is None else positive_int(who, "batch_size", batch_size)
    verbose = check_verbose(verbose, who)
    xa, ya, out_shape = prepare(model, who, state, x, y)
    metrics = [m.resolve(out_shape, ya, state.expects == "logits") for m in state.metrics]
    t0 = time.perf_counter()
    figures = measure(model, state, metrics, xa, ya, batch_size)
    named = dict(zip(["loss", *(m.name for m in metrics)], figures))
    if verbose:
        steps = -(-xa.shape[0] // batch_size)
        timing = format_timing(time.perf_counter() - t0, steps)
        print(f"{steps}/{steps} - {timing} - {format_logs(named)}")
    if return_dict:
        return named
    return figures[0] if len(figures) == 1 else figures


def predict(model: KerasBase, x: Any, batch_size: int | None, verbose: int | str) -> np.ndarray:
    """The model's outputs for x as a numpy array, batch by batch, in eval mode and
    under ``autograd.no_grad()``; ``verbose`` prints one line when done."""
    who = "predict"
    batch_size = 32 if batch_size is None else positive_int(who, "batch_size", batch_size)
    verbose = check_verbose(verbose, who)
    t0 = time.perf_counter()
    xa = as_nonempty_array(who, "x", x)
    probe(model, who, xa)  # shape errors name x, before any batch
    xa = xa.astype(model._dtype_now(), copy=False)
    was_training = model.training
    model.eval()
    outs = []
    try:
        with autograd.no_grad():
            for start in range(0, xa.shape[0], batch_size):
                out = model(Value(xa[start : start + batch_size], requires_grad=False))
                outs.append(np.asarray(out.data if isinstance(out, Value) else out))
    finally:
        model.train(was_training)
    if verbose:
        steps = len(outs)
        print(f"{steps}/{steps} - {format_timing(time.perf_counter() - t0, steps)}")
    return np.concatenate(outs, axis=0)
