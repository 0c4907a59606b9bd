"""A whole model as a configuration plus named arrays, and the model rebuilt from them.

`describe` gives what `nn.keras.saving` writes: a JSON-ready dict (the architecture as
the constructor calls that make it, every module's name, dtypes, eval-mode and frozen
flags, the compile settings with the optimizer's hyperparameters, learning-rate schedule
and step count) and the arrays beside it (the state dict under ``weights/``, the
optimizer's per-parameter buffers under ``optimizer/``). `rebuild` makes the model again
from both: constructed afresh, weights loaded exactly (dtype kept), compiled, and its
optimizer given back its state, so training goes on as it would have.

`describe` rebuilds the architecture at once and compares it with the model, so that a
model whose structure its constructor calls do not reproduce (an attribute reassigned
after construction) is refused when saving, not discovered when loading.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np

from nn import init, naming
from nn.keras.base import KerasBase
from nn.keras.serialize import Decoder, Encoder, class_ref, optimizer_class
from nn.memory import aligned_copy
from nn.module import Module

__all__ = ["FORMAT", "VERSION", "describe", "rebuild", "side_effects_undone"]

FORMAT = "nn.model"  # the configuration's "format" entry: what marks a model file
VERSION = 1
WEIGHTS = "weights/"
OPTIMIZER = "optimizer/"


@contextmanager
def side_effects_undone() -> Iterator[None]:
    """Constructing layers draws their first weights from nn's shared generator and
    takes automatic names: put both back as they were, so that rebuilding a model leaves
    the random stream and later layers' names as they would have been."""
    rng, counters = init.get_rng_state(), naming.counters_state()
    try:
        yield
    finally:
        init.set_rng_state(rng)
        naming.restore_counters(counters)


def describe(model: Module) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The configuration and arrays of `model` (see the module docstring); ValueError
    naming the layer and argument when something cannot be saved."""
    arrays: dict[str, np.ndarray] = {}
    modules = list(model.named_modules())
    params = list(model.named_parameters())
    encoder = Encoder(arrays, "config/")
    config: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "model": encoder.value(model, "the model"),
        "names": {path: m.name for path, m in modules},
        "given_names": [path for path, m in modules if not m._name_is_automatic],
        "dtypes": {path: m._dtype.str for path, m in modules},
        "eval": [path for path, m in modules if not m.training],
        "frozen": [name for name, p in params if not p.requires_grad],
        "built": model.built,
        "weights": [name for name, _ in params],
        "seen_input_shape": _seen_input_shape(model),
        "compile": _compile_config(model, dict(params), arrays),
    }
    for name, p in params:
        arrays[WEIGHTS + name] = np.asarray(p.data)
    _check_rebuilds(model, config, arrays, encoder.functions)
    return config, arrays


def _seen_input_shape(model: Module) -> list[int] | None:
    shape = model._seen_input_shape if isinstance(model, KerasBase) else None
    return None if shape is None else list(shape)


def _compile_config(
    model: Module, params: dict[str, Any], arrays: dict[str, np.ndarray]
) -> dict[str, Any] | None:
    state = model._compiled if isinstance(model, KerasBase) else None
    if state is None:
        return None
    enc = Encoder(arrays, OPTIMIZER)
    opt = state.optimizer
    name_of = {id(p): name for name, p in params.items()}
    held = opt.params
    foreign = [i for i, p in enumerate(held) if id(p) not in name_of]
    if foreign:
        raise ValueError(
            f"the optimizer holds {len(foreign)} parameter(s) that are not the model's "
            f"(positions {foreign}); bind it to the model's parameters to save it"
        )
    saved = opt.state_dict()
    return {
        "loss": enc.value(state.loss, "the loss"),
        "metrics": [enc.value(m, f"metric {m.name!r}") for m in state.metrics],
        "optimizer": {
            "class": class_ref(type(opt)),
            "lr": enc.value(opt.schedule if opt.schedule is not None else saved["lr"], "lr"),
            "hyperparams": enc.value(saved["hyperparams"], "the optimizer's settings"),
            "params": [name_of[id(p)] for p in held],
            "given": [name_of[id(p)] for p in state.given if id(p) in name_of],
            "state": enc.value(saved, "the optimizer's state"),
        },
    }


def _check_rebuilds(
    model: Module, config: dict[str, Any], arrays: dict[str, Any], functions: dict[str, Any]
) -> None:
    """Refuse, at save time, a model that its constructor calls do not make again (the
    functions it names are those met while encoding: loading may need custom_objects)."""
    with side_effects_undone():
        try:
            again = Decoder(arrays, functions).value(config["model"])
        except ValueError as exc:
            raise ValueError(f"the model cannot be rebuilt from its configuration: {exc}") from None
    ours = [(path, type(m)) for path, m in model.named_modules()]
    theirs = [(path, type(m)) for path, m in again.named_modules()]
    shapes = {name: p.shape for name, p in model.named_parameters()}
    odd = [name for name, p in again.named_parameters() if shapes.get(name) != p.shape]
    if ours == theirs and not odd:
        return
    if ours == theirs:
        detail = f"parameter {odd[0]!r} differs"
    else:
        n = min(len(ours), len(theirs))
        first = next((i for i in range(n) if ours[i] != theirs[i]), n)
        longer = ours if len(ours) > len(theirs) else theirs
        detail = f"module {(ours[first] if first < n else longer[n])[0]!r} differs"
    raise ValueError(
        f"the model's constructor calls do not make it again ({detail}: was a layer "
        "or attribute changed after construction?); build it with the layers it has"
    )


def rebuild(
    config: Mapping[str, Any],
    arrays: Mapping[str, np.ndarray],
    custom_objects: Mapping[str, Any],
    compile: bool,  # noqa: A002 (load_model's, Keras' name)
) -> Module:
    """The model `describe` described, with its weights, flags and compile settings.
    Whether it succeeds or fails, nn's random stream and automatic names are left as
    they were, except that later automatic names will not repeat the loaded ones."""
    with side_effects_undone():
        model = Decoder(arrays, custom_objects).value(config["model"])
        if not isinstance(model, Module):
            raise ValueError("the configuration does not describe a Module")
        for path, module in model.named_modules():
            if path in config["names"]:  # given, or automatic, as it was
                module._set_name(config["names"][path], path in config["given_names"])
            module._dtype = np.dtype(config["dtypes"].get(path, module._dtype))
            module.training = path not in config["eval"]
        _load_weights(model, config, arrays)
        if isinstance(model, KerasBase) and config.get("seen_input_shape") is not None:
            model._seen_input_shape = tuple(config["seen_input_shape"])
        if compile and config.get("compile") is not None:
            _compile(model, config["compile"], arrays, custom_objects)
    naming.reserve(list(config["names"].values()))
    return model


def _load_weights(model: Module, config: Mapping[str, Any], arrays: Mapping[str, Any]) -> None:
    state = {name: arrays[WEIGHTS + name] for name in config["weights"]}
    result = model.load_state_dict(state, strict=bool(config["built"]))
    if result.unexpected_keys:
        raise ValueError(f"the weights {result.unexpected_keys} belong to no layer of the model")
    frozen = set(config["frozen"])
    for name, p in model.named_parameters():
        saved = state.get(name)
        if saved is not None and saved.dtype != p.data.dtype:  # the saved dtype, exactly
            p.data = aligned_copy(saved, saved.dtype)
        p.requires_grad = name not in frozen


def _compile(
    model: Module,
    config: Mapping[str, Any],
    arrays: Mapping[str, np.ndarray],
    custom_objects: Mapping[str, Any],
) -> None:
    if not isinstance(model, KerasBase):
        raise ValueError(
            f"the file has compile settings, but a {type(model).__name__} has no compile"
        )
    dec = Decoder(arrays, custom_objects)
    spec = config["optimizer"]
    cls = optimizer_class(spec["class"], custom_objects)
    opt = cls(lr=dec.value(spec["lr"]), **dec.value(spec["hyperparams"]))
    loss, metrics = dec.value(config["loss"]), dec.value(config["metrics"])
    with warnings.catch_warnings():  # compile's warnings were given when it was first called
        warnings.simplefilter("ignore")
        model.compile(optimizer=opt, loss=loss, metrics=metrics)
    params = dict(model.named_parameters())
    missing = [n for n in [*spec["params"], *spec["given"]] if n not in params]
    if missing:
        raise ValueError(f"the optimizer's parameters {missing} are not the model's")
    if model.built:  # the optimizer's own list and order (it may hold a subset)
        opt.bind([params[n] for n in spec["params"]])
        assert model._compiled is not None  # compiled just above
        model._compiled.given = [params[n] for n in spec["given"]]
    opt.load_state_dict(dec.value(spec["state"]))
