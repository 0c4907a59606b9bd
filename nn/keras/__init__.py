"""Training the Keras way, for any Module: compile, fit, evaluate, predict, summary,
callbacks, metrics, progress output and plot_model.

It sits above nn's building blocks (module, layers, activations, losses, optim, init,
data) and below the containers (`nn.Sequential`, `nn.MLP`), which inherit its
`TrainingMixin`; it never imports them (a chain of layers makes itself known through
`KerasBase._layer_chain`). Modules, one job each:

    training     the API: TrainingMixin (compile/fit/evaluate/predict/summary), Model
    base         the state those methods share on the model (KerasBase, Compiled)
    compile      resolving the optimizer, loss and metrics; the loss/activation warning
    checks       what fit/evaluate/predict check before the first batch
    fit          fit's arguments, validation set and callbacks; loop: the epochs
    evaluation   evaluate, predict, and the measurement validation shares
    summary      the layer table, and get_layer
    saving       model.save and load_model: the whole model in one file; the
                 configuration it holds in model_config, the values in serialize
    plot         plot_model
    callbacks    the hooks fit calls and the standard callbacks (GradientFlow among them)
    metrics      accuracy and error metrics, by name
    progress     fit's progress bar or lines
"""

from nn.keras import callbacks, metrics, progress, training
from nn.keras.plot import plot_model
from nn.keras.saving import load_model, save_model
from nn.keras.training import Model, TrainingMixin
from nn.naming import clear_session

__all__ = [
    "Model",
    "TrainingMixin",
    "callbacks",
    "clear_session",
    "load_model",
    "metrics",
    "plot_model",
    "progress",
    "save_model",
    "training",
]
