"""Writing pictures to files and showing them in Jupyter; what to install when Graphviz
is missing.

graphviz (the Python package) is imported only here, and only when a picture is drawn
or written, so the engine imports numpy alone. Every picture the project draws is a
`GraphPicture` (a graphviz.Digraph): it renders and displays through the system `dot`
program, and without it says how to install Graphviz instead of showing graphviz's own
traceback, whether it is rendered to a file (`render`, or the picture's own
``render()``) or displayed as a cell's last line in Jupyter. Rendering writes the
picture asked for and nothing else; the DOT source is kept on disk (as ``.gv``) only
when `dot` is missing, so that it can be rendered later.
"""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING, Any

from autograd.debug.layout import SLIDE_SIZE

if TYPE_CHECKING:
    import graphviz

__all__ = ["DISPLAY_HINT", "INSTALL_HINT", "new_digraph", "render"]

_HOW_TO_INSTALL = (
    "Install Graphviz: apt-get install graphviz (Debian/Ubuntu), brew install graphviz "
    "(macOS), conda install -c conda-forge graphviz, or https://graphviz.org/download/ "
    "(Windows)"
)
INSTALL_HINT = (
    "the Graphviz program 'dot' was not found on PATH; the DOT source was written to "
    "{source}. " + _HOW_TO_INSTALL + "; then run: dot -T{fmt} {source} -o {target}"
)
DISPLAY_HINT = (
    "the Graphviz program 'dot' was not found on PATH, so this picture cannot be shown. "
    + _HOW_TO_INSTALL
    + "; then display it again. Its DOT source is the picture's .source attribute."
)

_CLASSES: tuple[Any, Any] | None = None


def _classes() -> tuple[Any, Any]:
    """The Digraph subclass that pictures are and the error for a missing `dot`.

    Made once, on first use, because both derive from graphviz classes and graphviz is
    imported lazily.
    """
    global _CLASSES
    if _CLASSES is not None:
        return _CLASSES
    _import_graphviz()  # a clear message when the package is missing
    import graphviz

    class GraphvizNotInstalled(graphviz.ExecutableNotFound):  # type: ignore[misc]
        """`dot` is missing: the message says how to install it (and where the source is)."""

        def __init__(self, message: str) -> None:
            RuntimeError.__init__(self, message)

    class GraphPicture(graphviz.Digraph):  # type: ignore[misc]
        """graphviz.Digraph that writes only the picture asked for, and without `dot`
        says what to install, in a file's place or in a notebook's output."""

        def render(self, *args: Any, **kwargs: Any) -> Any:
            # graphviz keeps the DOT source beside the picture, as a file named like the
            # picture without its extension; delete it unless asked to keep it.
            if len(args) < 4:  # cleanup is render's fourth parameter
                kwargs.setdefault("cleanup", True)
            try:
                return super().render(*args, **kwargs)
            except graphviz.ExecutableNotFound:
                source = _kept_source(self.filepath)
                fmt = kwargs.get("format") or self.format
                target = kwargs.get("outfile") or f"{os.path.splitext(source)[0]}.{fmt}"
                raise GraphvizNotInstalled(
                    INSTALL_HINT.format(source=source, fmt=fmt, target=target)
                ) from None

        def pipe(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().pipe(*args, **kwargs)
            except graphviz.ExecutableNotFound:
                raise GraphvizNotInstalled(DISPLAY_HINT) from None

        def _repr_mimebundle_(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
            # Jupyter shows what this returns; without `dot`, the message instead of a
            # traceback from inside graphviz.
            try:
                bundle: dict[str, Any] = super()._repr_mimebundle_(*args, **kwargs)
            except graphviz.ExecutableNotFound:
                return {"text/plain": DISPLAY_HINT}
            return bundle

    # Reprs and tracebacks then name them plainly, not as _classes.<locals>.GraphPicture.
    for cls in (GraphvizNotInstalled, GraphPicture):
        cls.__qualname__ = cls.__name__
    _CLASSES = (GraphPicture, GraphvizNotInstalled)
    return _CLASSES


def _kept_source(path: str) -> str:
    """The DOT source graphviz saved before it failed, given a ``.gv`` extension when it
    had none (a file named like the picture but holding DOT text misleads)."""
    if os.path.splitext(path)[1] or not os.path.exists(path):
        return path
    os.replace(path, path + ".gv")
    return path + ".gv"


def new_digraph(**kwargs: Any) -> graphviz.Digraph:
    """An empty picture (a graphviz.Digraph) at most a slide wide (see `layout`), whose
    render() and display in Jupyter explain how to install a missing `dot`."""
    graph_attr = dict(kwargs.pop("graph_attr", None) or {})
    graph_attr.setdefault("size", SLIDE_SIZE)
    return _classes()[0](graph_attr=graph_attr, **kwargs)


def _import_graphviz() -> Any:
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            "pictures need the graphviz Python package: pip install graphviz (and, to render "
            "them, the Graphviz program 'dot': apt-get install graphviz, brew install "
            "graphviz or conda install -c conda-forge graphviz)"
        ) from None
    return graphviz


def render(
    dot: graphviz.Digraph,
    path: str | os.PathLike[str],
    format: str | None = None,  # noqa: A002  (graphviz's own name for it)
) -> str:
    """Write the picture `dot` to `path` (format from the extension: .svg, .png, .pdf;
    default svg) and return the path written.

    Only that file is written, and only once `dot` has drawn the whole picture: an
    earlier file at `path` is replaced whole or left as it was. When the `dot` program
    is missing, the DOT source is saved as ``<path without extension>.gv`` instead, and
    the error (a subclass of graphviz.ExecutableNotFound) says how to install Graphviz.
    """
    graphviz = _import_graphviz()
    target = os.fspath(path)
    stem, ext = os.path.splitext(target)
    fmt = format or ext.lstrip(".") or "svg"
    if not ext:
        target = f"{target}.{fmt}"
    folder = os.path.dirname(os.path.abspath(target))
    os.makedirs(folder, exist_ok=True)
    try:
        data = graphviz.pipe("dot", fmt, dot.source.encode("utf-8"), quiet=True)
    except graphviz.ExecutableNotFound:
        source = stem + ".gv"
        with open(source, "w", encoding="utf-8") as f:
            f.write(dot.source)
        error = _classes()[1]
        raise error(INSTALL_HINT.format(source=source, fmt=fmt, target=target)) from None
    # A temporary file beside the target, then one rename: never half a picture.
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".picture-", suffix="." + fmt)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise
    return target
