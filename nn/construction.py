"""What each module was constructed with: its class, its arguments and its name.

`Module` derives from `Constructed`, which hands every subclass (Module itself among
them) to `record_construction`: it wraps the class's own ``__init__`` so that the
outermost constructor call of an instance (not the ``super().__init__`` calls inside it)

- names the instance first (``name=`` if given, else an automatic name, `nn.naming`),
  taking ``name=`` out of the arguments when the class's ``__init__`` has no parameter
  of that name, so every layer accepts Keras' ``name=`` argument;
- and once the constructor has returned, keeps its positional and keyword arguments as
  a `ConstructorArgs` record.

One generic record rather than a ``get_config`` method per class: every layer, every
activation and every user subclass is covered without writing (and keeping in step) a
method per class, and the arguments are exactly those the class's own constructor takes
and checks. `nn.keras.serialize` turns the record into a model file's configuration and
calls the constructor again with it to rebuild the module.

The classes are also registered here by module and qualified name, so that a model file
names a class and loading looks it up among the classes already defined, importing
nothing that the file names.
"""

from __future__ import annotations

import functools
import inspect
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nn.naming import auto_name, check_name

__all__ = ["Constructed", "ConstructorArgs", "find_class", "record_construction"]


@dataclass(frozen=True)
class ConstructorArgs:
    """The arguments a module's constructor was called with (``name=`` left out when
    the constructor does not take it). Not a list or a dict, so that the module walk,
    which finds submodules inside those, never finds the arguments' modules twice."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)


_CLASSES: weakref.WeakValueDictionary[tuple[str, str], type] = weakref.WeakValueDictionary()


def find_class(module: str, qualname: str) -> type | None:
    """A module class defined (and still alive) in this process, by the module and
    qualified name it was defined with; None if there is none."""
    return _CLASSES.get((module, qualname))


def _takes_name(init: Callable[..., Any]) -> bool:
    try:
        return "name" in inspect.signature(init).parameters
    except (TypeError, ValueError):  # a builtin without a signature
        return False


def record_construction(cls: type) -> None:
    """Register `cls` and wrap the ``__init__`` it defines itself (if any) as the module
    docstring says."""
    _CLASSES[(cls.__module__, cls.__qualname__)] = cls
    init = cls.__dict__.get("__init__")
    if init is None or getattr(init, "_records_construction", False):
        return
    takes_name = _takes_name(init)

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        state = self.__dict__
        if "_init_args" in state or "_constructing" in state:  # a super().__init__ call
            init(self, *args, **kwargs)
            return
        given = kwargs.get("name") if takes_name else kwargs.pop("name", None)
        who = type(self).__name__
        state["_name"] = auto_name(who) if given is None else check_name(who, given)
        if given is not None:
            state["_name_given"] = True
        state["_constructing"] = True
        try:
            init(self, *args, **kwargs)
        finally:
            del state["_constructing"]
        state["_init_args"] = ConstructorArgs(args, kwargs)

    __init__._records_construction = True  # type: ignore[attr-defined]
    setattr(cls, "__init__", __init__)  # noqa: B010 (mypy refuses assigning a method)


class Constructed:
    """The base of `Module` that gives every instance its ``name`` and keeps its
    constructor arguments (see the module docstring)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        record_construction(cls)

    @property
    def name(self) -> str:
        """The layer's name: the one given as ``name=``, else Keras' automatic one (the
        class name in snake_case, then ``_1``, ``_2``, ... for later ones)."""
        found = self.__dict__.get("_name")
        if found is None:  # made without calling its class (copy.copy, __new__)
            found = self.__dict__["_name"] = auto_name(type(self).__name__)
        return str(found)

    @name.setter
    def name(self, value: str) -> None:
        self._set_name(value)

    def _set_name(self, value: str, given: bool = True) -> None:
        """Name it `value`: one given (the default), or one `nn.naming` chose."""
        self.__dict__["_name"] = check_name(type(self).__name__, value)
        if given:
            self.__dict__["_name_given"] = True
        else:
            self.__dict__.pop("_name_given", None)

    @property
    def _name_is_automatic(self) -> bool:
        """True while the name is one `nn.naming` chose, not one given."""
        return not self.__dict__.get("_name_given", False)

    def _rename_automatically(self) -> None:
        """A fresh automatic name: for a copy that would share its original's name."""
        self._set_name(auto_name(type(self).__name__), given=False)

    def _config_args(self) -> ConstructorArgs:
        """The arguments that construct this module again: those its constructor was
        called with (a container overrides this to give its layers as they are now)."""
        found = self.__dict__.get("_init_args")
        if found is None:
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: its constructor arguments are "
                "unknown (it was not made by calling its class)"
            )
        return found
