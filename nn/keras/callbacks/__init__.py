"""Callbacks: objects that `fit` calls at the start and end of training, of each
epoch and of each batch (the Keras convention), and the standard ones.

`fit` calls `set_model(model)` and `set_params(params)` first, then the hooks in
this order: on_train_begin, (on_epoch_begin, (on_batch_begin, on_batch_end)*,
on_epoch_end)*, on_train_end. `logs` is a dict of the current figures
("loss", metrics, and at epoch end their "val_" twins); in on_batch_end they are
the running means over the epoch so far. A callback stops training by setting
`model.stop_training = True`; `fit` looks at it after every batch and every epoch.
Epochs and batches are counted from 0 here, as in Keras; messages printed for people
count from 1, as the progress lines do.

`fit` calls a batch hook only on callbacks that override it, so callbacks that watch
epochs alone cost nothing per batch.

The standard callbacks:

- `History`: the per-epoch lists that `fit` returns (``history.history["loss"]``).
- `EarlyStopping`: stop when a monitored figure stops improving; optionally put back
  the weights of the best epoch.
- `ModelCheckpoint`: save the weights (atomically, through ``save_weights``; the whole
  model through ``save`` with ``save_weights_only=False``) after each epoch, or only
  when the monitored figure improved; the path may hold fields such as
  ``"{epoch:02d}"`` or ``"{val_loss:.4f}"``.
- `TerminateOnNaN`: stop at the first nan or inf loss and keep the weights that produced
  the last finite one.
- `LearningRateScheduler`: set the optimizer's learning rate at each epoch's start from
  ``schedule(epoch, lr)``.
- `CSVLogger`: one CSV row per epoch.
- `GradientFlow`: per-layer gradient norms per batch and epoch, to see vanishing
  gradients (also usable in a hand-written loop).

One module per job: `base` (the protocol and History), `monitoring` (EarlyStopping,
ModelCheckpoint), `terminate_on_nan`, `lr_scheduler`, `csv_logger`, `gradflow`.
"""

from nn.keras.callbacks.base import Callback, History, overrides
from nn.keras.callbacks.csv_logger import CSVLogger
from nn.keras.callbacks.gradflow import GradientFlow
from nn.keras.callbacks.lr_scheduler import LearningRateScheduler
from nn.keras.callbacks.monitoring import EarlyStopping, ModelCheckpoint
from nn.keras.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = [
    "CSVLogger",
    "Callback",
    "EarlyStopping",
    "GradientFlow",
    "History",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "TerminateOnNaN",
    "overrides",
]
