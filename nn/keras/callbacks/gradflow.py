"""GradientFlow: per-layer gradient norms during training, to see vanishing gradients.

After every batch's backward pass it records the L2 norm of the gradient of each
layer's weight (every parameter with two or more axes: a Linear's ``weight``, a Dense's
``kernel``), named by its dotted name (``"0.weight"``, ``"2.weight"``, ...). Norms are kept
per batch (`batch_history`) and averaged per epoch (`history`); `plot` draws them over
epochs on a log scale, where a first layer whose gradients are orders of magnitude below
the last one's is plain to see.

Two ways to drive it:

    model.fit(x, y, callbacks=[GradientFlow()])        # Keras: hooks do the work

    flow = GradientFlow()                               # a hand-written loop
    for epoch in range(epochs):
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            flow.record(model)                          # after backward, before the next zero_grad
            opt.step()
        flow.end_epoch()

A parameter without a gradient at recording time (unused, or gradients already cleared)
is recorded as nan, so every name's list has one entry per batch.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from nn.keras.callbacks.base import Callback
from nn.module import Module

__all__ = ["GradientFlow"]


def _norm(g: Any) -> float:
    """L2 norm of a gradient, accumulated in float64 (float32 squares of tiny values
    underflow long before the gradients themselves do)."""
    if g is None:
        return math.nan
    a = np.asarray(g, dtype=np.float64)
    return float(np.sqrt(np.sum(a * a)))


class GradientFlow(Callback):
    """Records per-layer gradient norms per batch and their mean per epoch.

    ``include="weights"`` (default) tracks parameters with two or more axes, one per
    fully connected layer; ``include="all"`` tracks every parameter (biases, PReLU
    slopes too).

    Attributes: ``names`` (tracked parameters, input side first), ``batch_history``
    (name -> norm per batch, all epochs), ``history`` (name -> mean norm per epoch).
    """

    def __init__(self, include: str = "weights") -> None:
        super().__init__()
        if include not in ("weights", "all"):
            raise ValueError(f'GradientFlow: include must be "weights" or "all", got {include!r}')
        self.include = include
        self.names: list[str] = []
        self.batch_history: dict[str, list[float]] = {}
        self.history: dict[str, list[float]] = {}
        self._epoch: dict[str, list[float]] = {}  # norms of the epoch in progress

    # --- recording ----------------------------------------------------------------------
    def _tracked(self, model: Module) -> list[tuple[str, Any]]:
        return [
            (name, p)
            for name, p in model.named_parameters()
            if self.include == "all" or p.ndim >= 2
        ]

    def record(self, model: Module | None = None) -> dict[str, float]:
        """Record the gradient norms of `model` (default: the callback's model) now.

        Call it after ``backward()`` and before the gradients are cleared. Returns the
        norms of this batch by name.
        """
        if model is None:
            model = self.model
        elif self.model is None:
            self.model = model
        if model is None:
            raise ValueError("GradientFlow.record: no model; pass one or call set_model first")
        done = max((len(v) for v in self.batch_history.values()), default=0)
        norms: dict[str, float] = {}
        for name, p in self._tracked(model):
            if name not in self.batch_history:
                self.names.append(name)
                # a layer that appears late (lazy build) gets nan for the batches before
                self.batch_history[name] = [math.nan] * done
            norm = _norm(p.grad)
            norms[name] = norm
            self.batch_history[name].append(norm)
            self._epoch.setdefault(name, []).append(norm)
        return norms

    def end_epoch(self) -> dict[str, float]:
        """Close an epoch: append the mean of its batch norms to `history` (returned)."""
        epochs_done = max((len(v) for v in self.history.values()), default=0)
        means: dict[str, float] = {}
        for name in self.names:
            values = [v for v in self._epoch.get(name, []) if not math.isnan(v)]
            means[name] = sum(values) / len(values) if values else math.nan
            self.history.setdefault(name, [math.nan] * epochs_done).append(means[name])
        self._epoch = {}
        return means

    # --- Keras hooks ----------------------------------------------------------------------
    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch = {}

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.record()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.end_epoch()

    # --- reading ------------------------------------------------------------------------
    def ratio_first_last(
        self,
        epoch: int = -1,
        batch: int | None = None,
        first: str | None = None,
        last: str | None = None,
    ) -> float:
        """Norm of the first tracked layer divided by the last one's.

        From `history` at ``epoch`` (default: the last epoch), or from `batch_history` at
        ``batch`` when given (``batch=0``: the gradients at initialisation). ``first`` and
        ``last`` pick other names. Far below 1: the gradients vanish toward the input.
        """
        if not self.names:
            raise ValueError("GradientFlow: nothing recorded yet")
        a = first if first is not None else self.names[0]
        b = last if last is not None else self.names[-1]
        table = self.batch_history if batch is not None else self.history
        index = batch if batch is not None else epoch
        if not table.get(a) or not table.get(b):
            raise ValueError(
                "GradientFlow: no completed epoch yet; pass batch= or call end_epoch()"
            )
        top, bottom = table[a][index], table[b][index]
        if bottom == 0.0:
            return math.inf if top > 0 else math.nan
        return top / bottom

    def plot(self, path: str | os.PathLike[str] | None = None, ax: Any = None) -> Any:
        """Draw the norms per layer over epochs (over batches before any epoch ends) on a
        log scale; returns the matplotlib Axes.

        With ``ax`` it draws there. With ``path`` it saves a figure through the Agg
        backend (no display needed; the format comes from the extension).
        """
        if not self.names:
            raise ValueError("GradientFlow.plot: nothing recorded yet")
        per_epoch = bool(self.history) and bool(next(iter(self.history.values())))
        table = self.history if per_epoch else self.batch_history
        fig = None
        if ax is None:
            if path is not None:  # a figure of its own, off screen: no pyplot state
                from matplotlib.backends.backend_agg import FigureCanvasAgg
                from matplotlib.figure import Figure

                fig = Figure(figsize=(7, 4.5))
                FigureCanvasAgg(fig)
                ax = fig.add_subplot()
            else:
                import matplotlib.pyplot as plt

                _, ax = plt.subplots(figsize=(7, 4.5))
        import matplotlib as mpl

        cmap = mpl.colormaps["viridis"]
        n = len(self.names)
        for i, name in enumerate(self.names):
            ys = np.asarray(table[name], dtype=np.float64)
            xs = np.arange(1, ys.size + 1)
            ys = np.where(ys > 0, ys, np.nan)  # zero norms cannot sit on a log axis
            color = cmap(i / max(n - 1, 1))
            marker = "o" if ys.size < 30 else None
            ax.plot(xs, ys, marker=marker, ms=3, label=name, color=color)
        ax.set_yscale("log")
        ax.set_xlabel("epoch" if per_epoch else "batch")
        ax.set_ylabel("gradient norm (L2)")
        ax.set_title("Gradient norm per layer (input side dark, output side light)")
        ax.legend(fontsize=7, ncol=2 if n > 6 else 1)
        if fig is not None and path is not None:
            fig.tight_layout()
            fig.savefig(os.fspath(path), dpi=120)
        return ax
