"""nn is built on this project's engine, the package `autograd`: make sure that is it.

HIPS autograd (PyPI's ``autograd``) has the same import name. Importing this module
(nn's first import) runs `require_engine`, `autograd.install`'s check, before nn imports
anything of the engine, so that a clash
gives one ImportError naming it and the fix, not an error from deep inside an import.
When another `autograd` is found first on the path (HIPS autograd in site-packages,
this project installed in editable mode), `autograd.install` is not reachable through
it: the check then runs from the file beside nn's own folder, where this project's
engine lies.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from types import ModuleType

__all__ = ["require_engine"]


def require_engine() -> None:
    """Raise an ImportError naming the clash when `autograd` is not this project's
    engine alone; import nothing of nn."""
    try:
        from autograd import install  # noqa: F401  (its import runs the check)
    except ImportError as exc:
        if type(exc).__name__ == "EngineClashError":
            raise
    else:
        return
    # Outside the except clause: one error, not one raised while handling another.
    other = sys.modules.get("autograd")
    found = getattr(other, "__file__", None) or "a package without __init__.py"
    beside = _install_beside_nn()  # raises when it finds the clash itself
    raise beside.EngineClashError(
        beside.clash_message(f"the package 'autograd' imported is {found}", False)
    )


def _install_beside_nn() -> ModuleType:
    """This project's autograd/install.py, loaded from its file (running its check)."""
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "autograd", "install.py")
    spec = importlib.util.spec_from_file_location("autograd_nn_install_check", path)
    if spec is None or spec.loader is None:
        raise ImportError(
            "nn needs the engine of autograd-nn (the package 'autograd' beside nn), which "
            f"is not installed: {path} is missing"
        )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


require_engine()
