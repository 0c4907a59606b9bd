"""nn: a small neural-network library built on the autograd engine.

PyTorch-style building blocks (Module, Parameter, Linear, Sequential, losses, SGD/Adam,
DataLoader) and Keras-style ones (Dense with deferred build, activations by name),
working on the same models:

    import nn
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = nn.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    for xb, yb in nn.DataLoader(x, y, batch_size=32):
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()

and the Keras training methods on any Sequential (or any `nn.Model` subclass):

    model = nn.Sequential(nn.Dense(128, activation="relu", input_dim=64),
                          nn.Dense(10, activation="softmax"))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, validation_split=0.1,
                        callbacks=[nn.callbacks.EarlyStopping(patience=3)])
    model.save("model.nnz")                  # architecture, weights, optimizer state
    model = nn.load_model("model.nnz")       # in this process or another

Submodules: ``nn.functional`` (PyTorch's ``torch.nn.functional`` names: ``import
nn.functional as F``), ``nn.init`` (initializers, ``manual_seed``), ``nn.activations``,
``nn.losses`` (also the loss functions and the Keras-style losses), ``nn.optim``, ``nn.data``,
``nn.layers``, ``nn.containers`` (Sequential, MLP), ``nn.export`` (``.safetensors`` weights
in PyTorch's layout, ONNX export), ``nn.module``, ``nn.memory``
(parameters on cache lines), ``nn.keras`` (the Keras-style training, whose modules
``nn.training`` (compile/fit/evaluate/predict/summary), ``nn.callbacks``, ``nn.metrics``
and ``nn.progress`` are also reachable as attributes of nn), and ``nn.datasets``
(imported on first use).

Imports flow one way: module, layers, activations, losses, optim, init and data ->
keras -> containers -> this namespace. ``dir(nn)`` lists the public names only.
"""

from importlib import import_module as _import_module

# First of all: `autograd` must be this project's engine, not HIPS autograd (the same
# import name); otherwise one ImportError says so and what to do (see nn.engine).
from nn import engine as _engine  # noqa: F401

# isort: split
from autograd.anomaly import skip_frames_from as _skip_frames_from
from nn import (
    activations,
    containers,
    data,
    export,
    functional,
    init,
    keras,
    layers,
    losses,
    memory,
    module,
    optim,
)
from nn.activations import (
    ELU,
    Activation,
    Identity,
    Lambda,
    LeakyReLU,
    LogSoftmax,
    PReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Step,
    Tanh,
    get_activation,
)
from nn.containers import MLP, Sequential
from nn.data import DataLoader
from nn.init import get_rng_state, manual_seed, set_rng_state
from nn.keras import (
    Model,
    TrainingMixin,
    callbacks,
    clear_session,
    load_model,
    metrics,
    plot_model,
    progress,
    training,
)
from nn.layers import Dense, Dropout, Flatten, Linear
from nn.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CrossEntropyLoss,
    L1Loss,
    MeanAbsoluteError,
    MeanSquaredError,
    MSELoss,
    NLLLoss,
    SparseCategoricalCrossentropy,
)
from nn.module import LoadResult, Module, Parameter, StateDictError
from nn.optim import SGD, Adam, CosineDecay, ExponentialDecay, Optimizer, Schedule, StepDecay

_skip_frames_from(__file__)  # anomaly mode reports the user's line, not one inside nn

__all__ = [
    "clear_session", "load_model", "plot_model",
    "ELU", "MLP", "SGD", "Activation", "Adam", "BCELoss", "BCEWithLogitsLoss",
    "BinaryCrossentropy", "CategoricalCrossentropy", "CosineDecay",
    "CrossEntropyLoss", "DataLoader", "Dense", "Dropout", "ExponentialDecay", "Flatten",
    "Identity",
    "L1Loss", "Lambda", "LeakyReLU", "Linear", "LoadResult", "LogSoftmax", "MSELoss",
    "MeanAbsoluteError", "MeanSquaredError", "Model",
    "Module", "NLLLoss", "Optimizer", "PReLU", "Parameter", "ReLU", "Schedule", "Sequential",
    "Sigmoid", "Softmax", "Softplus", "SparseCategoricalCrossentropy", "StateDictError",
    "Step", "StepDecay", "Tanh", "TrainingMixin",
    "activations", "callbacks", "containers", "data", "datasets", "export", "functional",
    "get_activation",
    "get_rng_state", "init", "keras", "layers", "losses", "manual_seed", "memory", "metrics",
    "module", "optim", "progress", "set_rng_state", "training",
]  # fmt: skip

# Submodules imported on first attribute access (datasets pulls in urllib, gzip, ...).
_LAZY = ("datasets",)


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return _import_module(f"nn.{name}")
    raise AttributeError(f"module 'nn' has no attribute {name!r}")


def __dir__() -> list[str]:
    # The public API and the module's dunders only: not the helpers imported above, nor
    # the implementation modules (nn.arguments, ...) that importing nn sets as attributes.
    dunders = [name for name in globals() if name.startswith("__") and name.endswith("__")]
    return sorted([*__all__, *dunders])
