"""Is the `autograd` package being imported this project's engine? One clear error if not.

This project's engine is the import package `autograd`, installed by the distribution
``autograd-nn``. HIPS autograd, on PyPI as ``autograd``, installs a package of the same
name. pip does not stop the two from sharing an environment: the one installed second
writes its ``autograd/__init__.py`` over the other's, in whichever order, and
uninstalling either deletes that shared file, leaving the other without it. What
follows is an error from deep inside an import that says nothing of the reason.

Importing this module checks the environment and raises `EngineClashError` (an
ImportError) naming the clash and the fix when

- HIPS autograd's modules (``tracer.py``, ``numpy/``, ...) lie beside this package's
  own: both were installed into one folder;
- a distribution named ``autograd`` is installed anywhere on ``sys.path`` (HIPS
  autograd shadowing this package, or shadowed by it);
- this package's ``__init__.py`` is gone (a package of the same name was uninstalled
  over it);
- the package `autograd` being imported lies in another folder than this file (another
  `autograd` found first on the path).

`autograd/__init__.py` imports it first; so do `nn`, `autograd.testing`,
`autograd.debug` and the examples, which can be reached while HIPS autograd's
``__init__.py`` stands in for this package's (then this module still loads from the
shared folder). It imports nothing of the engine, and only the standard library.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

__all__ = ["EngineClashError", "check_environment", "clash_message"]

DISTRIBUTION = "autograd-nn"
# Modules of HIPS autograd that this package does not have: any of them beside this
# file means both were installed into one folder.
_HIPS_MODULES = ("tracer.py", "wrap_util.py", "differential_operators.py", "numpy")

_FIX = (
    "The two cannot share an environment. Keep HIPS autograd in a separate virtual "
    "environment (python -m venv ...), and repair this one: pip uninstall -y autograd "
    f"{DISTRIBUTION}, then install {DISTRIBUTION} again the way you did before "
    "(pip install from its checkout or wheel)."
)


class EngineClashError(ImportError):
    """The `autograd` package on the path is not (only) this project's engine."""


_OVERWRITTEN = (
    "Whichever was installed second overwrote the other's autograd/__init__.py, and "
    "uninstalling either deletes that file."
)
_SHADOWED = "Whichever comes first on sys.path hides the other."


def clash_message(evidence: str, shared_folder: bool = True) -> str:
    """The one message of every clash: what was found, why it breaks, what to do."""
    why = _OVERWRITTEN if shared_folder else _SHADOWED
    return (
        f"{DISTRIBUTION} cannot be imported: its engine is the package 'autograd', the "
        "import name of HIPS autograd (pip install autograd) as well, and HIPS autograd "
        f"is installed in this environment too ({evidence}). {why} {_FIX}"
    )


def _hips_modules(folder: str) -> list[str]:
    return [name for name in _HIPS_MODULES if os.path.exists(os.path.join(folder, name))]


def _autograd_distributions() -> list[str]:
    """Metadata folders of a distribution named exactly ``autograd`` on sys.path (this
    project's is ``autograd_nn-*``); a listing of each folder, no import machinery."""
    found = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            stem, _, kind = name.rpartition(".")
            if kind in ("dist-info", "egg-info") and stem.split("-")[0].lower() == "autograd":
                found.append(os.path.join(entry, name))
    return found


def _same_folder(package: ModuleType, here: str) -> bool:
    """Whether `package` is imported from the folder of the file `here`, as written or
    with links resolved (an editable install may link files, not folders)."""
    folders = getattr(package, "__path__", None) or []
    mine = {os.path.dirname(os.path.abspath(here)), os.path.dirname(os.path.realpath(here))}
    return any(os.path.abspath(f) in mine or os.path.realpath(f) in mine for f in folders)


def check_environment() -> None:
    """Raise EngineClashError when `autograd` cannot be this project's engine alone."""
    folder = os.path.dirname(os.path.realpath(__file__))
    if not os.path.exists(os.path.join(folder, "__init__.py")):
        raise EngineClashError(
            f"{DISTRIBUTION} cannot be imported: its file {folder}{os.sep}__init__.py is "
            "missing, deleted when a package of the same import name (HIPS autograd, "
            f"pip install autograd) was uninstalled over it. {_FIX}"
        )
    hips = _hips_modules(folder)
    if hips:
        raise EngineClashError(
            clash_message(f"its {', '.join(hips)} lie beside this package's modules in {folder}")
        )
    package = sys.modules.get("autograd")
    if package is not None and not _same_folder(package, __file__):
        found = getattr(package, "__file__", None) or "a package without __init__.py"
        raise EngineClashError(
            clash_message(f"the package 'autograd' imported is {found}", shared_folder=False)
        )
    dists = _autograd_distributions()
    if dists:
        raise EngineClashError(clash_message(f"installed as {', '.join(dists)}", False))


check_environment()
