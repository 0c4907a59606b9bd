"""Writing pictures to files, and saying what to install when Graphviz is missing.

graphviz (the Python package) is imported only here, and only when a picture is drawn
or written, so the engine imports numpy alone. When the system `dot` program is missing
the DOT source is kept on disk and the error says how to install Graphviz, both from
`render` and from `render()` of a picture that `draw_graph` returned.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import graphviz

__all__ = ["INSTALL_HINT", "new_digraph", "render"]

INSTALL_HINT = (
    "the Graphviz program 'dot' was not found on PATH; the DOT source was written to {source}. "
    "Install Graphviz to render it: apt-get install graphviz (Debian/Ubuntu), "
    "brew install graphviz (macOS), conda install -c conda-forge graphviz, or "
    "https://graphviz.org/download/ (Windows); then run: dot -T{fmt} {source} -o {target}"
)

_CLASSES: tuple[Any, Any] | None = None


def _classes() -> tuple[Any, Any]:
    """The Digraph subclass that draw_graph returns and the error for a missing `dot`.

    Made once, on first use, because both derive from graphviz classes and graphviz is
    imported lazily.
    """
    global _CLASSES
    if _CLASSES is not None:
        return _CLASSES
    _import_graphviz()  # a clear message when the package is missing
    import graphviz

    class GraphvizNotInstalled(graphviz.ExecutableNotFound):  # type: ignore[misc]
        """`dot` is missing: the message says where the source is and how to install it."""

        def __init__(self, message: str) -> None:
            RuntimeError.__init__(self, message)

    class GraphPicture(graphviz.Digraph):  # type: ignore[misc]
        """graphviz.Digraph; render() without `dot` keeps the source and says what to install."""

        def render(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().render(*args, **kwargs)
            except graphviz.ExecutableNotFound:
                source = self.filepath
                fmt = kwargs.get("format") or self.format
                target = kwargs.get("outfile") or f"{source}.{fmt}"
                raise GraphvizNotInstalled(
                    INSTALL_HINT.format(source=source, fmt=fmt, target=target)
                ) from None

    # Reprs and tracebacks then name them plainly, not as _classes.<locals>.GraphPicture.
    for cls in (GraphvizNotInstalled, GraphPicture):
        cls.__qualname__ = cls.__name__
    _CLASSES = (GraphPicture, GraphvizNotInstalled)
    return _CLASSES


def new_digraph(**kwargs: Any) -> graphviz.Digraph:
    """An empty graphviz.Digraph whose render() explains how to install a missing `dot`."""
    return _classes()[0](**kwargs)


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
    """Write `dot` to `path` (format from the extension: .svg, .png, .pdf; default svg).

    The DOT source is saved beside it as ``<path without extension>.gv`` first, so it
    stays on disk when the `dot` program is missing; then the error (a subclass of
    graphviz.ExecutableNotFound) says how to install Graphviz. Returns the output path.
    """
    graphviz = _import_graphviz()

    target = os.fspath(path)
    stem, ext = os.path.splitext(target)
    fmt = format or ext.lstrip(".") or "svg"
    if not ext:
        target = f"{target}.{fmt}"
    folder = os.path.dirname(os.path.abspath(target))
    os.makedirs(folder, exist_ok=True)
    source = stem + ".gv"
    with open(source, "w", encoding="utf-8") as f:
        f.write(dot.source)
    try:
        graphviz.render("dot", fmt, source, outfile=target, quiet=True)
    except graphviz.ExecutableNotFound:
        error = _classes()[1]
        raise error(INSTALL_HINT.format(source=source, fmt=fmt, target=target)) from None
    return target
