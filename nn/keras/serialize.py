"""Objects as JSON-ready values and back: the configuration half of a model file.

A value is kept as JSON's own types where it is one (None, bools, numbers, strings,
lists); everything else becomes a small tagged dict, ``{"__nn__": kind, ...}``:

    module     a Module: its class and the arguments its constructor was called with
               (`nn.construction`), themselves encoded; a module met again (one layer
               used twice) is a ``ref`` to the first, so sharing survives the round trip
    object     a Metric, a Schedule: its class and its constructor's arguments, read
               back from the attributes of the same names
    function   a named function (an initializer, a loss function, a Lambda's function),
               by module and qualified name
    tuple, dict, dtype, array (an array kept beside the JSON, in the same file)

Decoding looks classes up among those already defined in this process (`find_class`,
and the subclasses of Metric, Schedule and Optimizer) and functions in nn and autograd;
anything else must be passed in ``custom_objects``, as in Keras. Nothing a file names
is ever imported, and nothing is unpickled.
"""

from __future__ import annotations

import inspect
import sys
import types
from collections.abc import Mapping
from typing import Any

import numpy as np

from nn.construction import find_class
from nn.keras.metrics import Metric
from nn.module import Module
from nn.optim import Optimizer
from nn.schedules import Schedule

__all__ = ["Decoder", "Encoder", "class_ref", "find_subclass"]

TAG = "__nn__"
# The bases whose subclasses an "object" may be, by the name a file gives them.
_OBJECT_BASES: dict[str, type] = {"Metric": Metric, "Schedule": Schedule}
# Modules whose functions a file may name without custom_objects.
_TRUSTED = ("nn", "autograd")


def class_ref(cls: type) -> dict[str, str]:
    return {"module": cls.__module__, "name": cls.__qualname__}


def find_subclass(
    base: type, ref: Mapping[str, Any], custom_objects: Mapping[str, Any]
) -> type | None:
    """The subclass of `base` (or `base` itself) that `ref` names: one given in
    `custom_objects` under its name or qualified name, else one defined in this process."""
    name = str(ref.get("name", ""))
    for key in (name, name.rpartition(".")[2]):
        given = custom_objects.get(key)
        if isinstance(given, type) and issubclass(given, base):
            return given
    if base is Module:
        found = find_class(str(ref.get("module", "")), name)
        return found if isinstance(found, type) and issubclass(found, Module) else None
    stack = [base]
    while stack:  # every subclass, however deep
        cls = stack.pop()
        if cls.__module__ == ref.get("module") and cls.__qualname__ == name:
            return cls
        stack.extend(cls.__subclasses__())
    return None


class Encoder:
    """Encodes values; arrays go to ``arrays`` under ``prefix`` + a number."""

    def __init__(self, arrays: dict[str, np.ndarray], prefix: str) -> None:
        self.arrays = arrays
        self.prefix = prefix
        self.seen: dict[int, int] = {}  # id(module) -> its number in this encoding
        self.functions: dict[str, Any] = {}  # the functions met, by qualified name

    def value(self, v: Any, where: str) -> Any:
        """`v` as a JSON-ready value; ValueError naming `where` if it cannot be saved."""
        if v is None or isinstance(v, bool | int | float | str):
            return v
        if isinstance(v, np.generic) and not isinstance(v, np.void):
            return v.item()
        if isinstance(v, Module):
            return self.module(v, where)
        if isinstance(v, list):
            return [self.value(item, f"{where}[{i}]") for i, item in enumerate(v)]
        if isinstance(v, tuple):
            return {TAG: "tuple", "items": self.value(list(v), where)}
        if isinstance(v, dict):
            if not all(isinstance(k, str) for k in v):
                raise ValueError(f"{where}: a dict with keys other than str cannot be saved")
            return {
                TAG: "dict",
                "items": {k: self.value(x, f"{where}[{k!r}]") for k, x in v.items()},
            }
        if isinstance(v, np.ndarray):
            key = f"{self.prefix}{len(self.arrays)}"
            self.arrays[key] = v
            return {TAG: "array", "key": key}
        if isinstance(v, np.dtype):
            return {TAG: "dtype", "name": v.str}
        if isinstance(v, Metric | Schedule):
            return self.obj(v, where)
        if isinstance(v, types.FunctionType | types.BuiltinFunctionType):
            return self.function(v, where)
        raise ValueError(f"{where}: a {type(v).__name__} cannot be saved in a model file")

    def module(self, m: Module, where: str) -> dict[str, Any]:
        if id(m) in self.seen:
            return {TAG: "ref", "id": self.seen[id(m)]}
        self.seen[id(m)] = number = len(self.seen)
        given = m._config_args()
        at = f"{where} ({type(m).__name__} {m.name!r})"
        return {
            TAG: "module",
            "id": number,
            "class": class_ref(type(m)),
            "args": [self.value(a, f"{at} argument {i}") for i, a in enumerate(given.args)],
            "kwargs": {k: self.value(a, f"{at} argument {k!r}") for k, a in given.kwargs.items()},
        }

    def obj(self, o: Metric | Schedule, where: str) -> dict[str, Any]:
        """Its constructor's arguments, read back from the attributes of the same names."""
        base = next(name for name, b in _OBJECT_BASES.items() if isinstance(o, b))
        kwargs: dict[str, Any] = {}
        for p in list(inspect.signature(type(o).__init__).parameters.values())[1:]:
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            if not hasattr(o, p.name):
                if p.default is p.empty:
                    raise ValueError(
                        f"{where}: {type(o).__name__} keeps no attribute {p.name!r} for its "
                        "constructor argument of that name, so it cannot be saved"
                    )
                continue
            kwargs[p.name] = self.value(getattr(o, p.name), f"{where} {p.name}")
        return {TAG: "object", "base": base, "class": class_ref(type(o)), "kwargs": kwargs}

    def function(self, fn: Any, where: str) -> dict[str, Any]:
        name = getattr(fn, "__qualname__", getattr(fn, "__name__", ""))
        if "<lambda>" in name:
            raise ValueError(
                f"{where}: a lambda cannot be saved in a model file; use a function defined "
                "with def, and give it to load_model(custom_objects={name: function})"
            )
        self.functions[name] = fn
        return {TAG: "function", "module": getattr(fn, "__module__", None), "name": name}


class Decoder:
    """Decodes what `Encoder` made; ``arrays`` holds the arrays read from the file."""

    def __init__(self, arrays: Mapping[str, np.ndarray], custom_objects: Mapping[str, Any]):
        self.arrays = arrays
        self.custom = custom_objects
        self.made: dict[int, Module] = {}

    def value(self, v: Any) -> Any:
        if isinstance(v, list):
            return [self.value(item) for item in v]
        if not isinstance(v, dict):
            return v
        kind = v.get(TAG)
        if kind == "tuple":
            return tuple(self.value(v["items"]))
        if kind == "dict":
            return {k: self.value(x) for k, x in v["items"].items()}
        if kind == "array":
            return self.arrays[v["key"]]
        if kind == "dtype":
            return np.dtype(v["name"])
        if kind == "ref":
            return self.made[v["id"]]
        if kind == "module":
            return self.module(v)
        if kind == "object":
            return self.obj(v)
        if kind == "function":
            return self.function(v)
        raise ValueError(f"unknown entry {kind!r} in the configuration")

    def module(self, v: Mapping[str, Any]) -> Module:
        ref = v["class"]
        cls = find_subclass(Module, ref, self.custom)
        if cls is None:
            raise ValueError(_unknown("layer class", ref))
        args = self.value(v["args"])
        kwargs = {k: self.value(x) for k, x in v["kwargs"].items()}
        try:
            made = cls(*args, **kwargs)
        except Exception as exc:  # the constructor's own check: say which layer
            raise ValueError(f"rebuilding a {ref['name']}: {type(exc).__name__}: {exc}") from None
        self.made[v["id"]] = made
        return made

    def obj(self, v: Mapping[str, Any]) -> Any:
        base = _OBJECT_BASES.get(v.get("base", ""))
        cls = None if base is None else find_subclass(base, v["class"], self.custom)
        if cls is None:
            raise ValueError(_unknown(f"{v.get('base')} class", v["class"]))
        return cls(**{k: self.value(x) for k, x in v["kwargs"].items()})

    def function(self, v: Mapping[str, Any]) -> Any:
        module, name = str(v.get("module")), str(v["name"])
        for key in (name, name.rpartition(".")[2]):
            if callable(self.custom.get(key)):
                return self.custom[key]
        found: Any = sys.modules.get(module) if module.partition(".")[0] in _TRUSTED else None
        for part in name.split(".") if found is not None else ():
            found = getattr(found, part, None)
        if not callable(found):
            raise ValueError(_unknown("function", v))
        return found


def _unknown(what: str, ref: Mapping[str, Any]) -> str:
    name = ref.get("name")
    return (
        f"unknown {what} {ref.get('module')}.{name}: define or import it before loading, "
        f"or pass load_model(..., custom_objects={{{name!r}: ...}})"
    )


def optimizer_class(ref: Mapping[str, Any], custom_objects: Mapping[str, Any]) -> type:
    cls = find_subclass(Optimizer, ref, custom_objects)
    if cls is None:
        raise ValueError(_unknown("optimizer class", ref))
    return cls
