"""The checks a call of one of nn's own modules makes on its arguments, on the error path
only: which argument is not numbers, and complex input refused.

`Module.__call__` runs them for the modules that set ``_names_bad_inputs`` (nn's layers,
activations and losses); they take the module only to name it and read its forward's
signature.
"""

from __future__ import annotations

import inspect
from typing import Any

from nn.arguments import check_numbers, holds_complex

__all__ = ["name_bad_inputs", "refuse_complex"]


def name_bad_inputs(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """The error path of a module call whose forward failed: raise the error that names
    the module, the argument and what it holds, for an argument that is not numbers
    (`check_numbers`); return, for the caller to re-raise forward's own error, if all are.
    The check runs here, once, so a correct call pays nothing for it."""
    try:
        bound = inspect.signature(module.forward).bind(*args, **kwargs).arguments
    except TypeError:  # the call itself did not fit forward: forward's error says so
        return
    check_numbers(type(module).__name__, **bound)


def refuse_complex(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """A TypeError naming the module, the argument and its dtype when an argument holds
    complex numbers, as Value refuses them (numpy would cast them to real numbers, dropping
    their imaginary parts without a word). Called on every call of nn's own modules: a
    Value argument costs one isinstance check."""
    for data in (*args, *kwargs.values()) if kwargs else args:
        if holds_complex(data):
            name_bad_inputs(module, args, kwargs)  # names the argument: raises
            raise TypeError(f"{type(module).__name__}: complex input is refused (use real numbers)")
