"""nn's namespace shows its public API only, and its modules import one way: the building
blocks -> nn.keras -> nn.containers -> nn, with no cycle (imports inside functions count)."""

from __future__ import annotations

import ast
from pathlib import Path

import nn

NN = Path(nn.__file__).resolve().parent


def test_dir_shows_public_names_only() -> None:
    names = dir(nn)
    private = [
        n for n in names if n.startswith("_") and not (n.startswith("__") and n.endswith("__"))
    ]
    assert private == []
    assert not {"Any", "annotations", "importlib", "arguments"} & set(names)
    assert set(nn.__all__) <= set(names)
    for name in ("Any", "annotations", "importlib"):
        assert not hasattr(nn, name)


def test_every_public_name_is_there() -> None:
    for name in nn.__all__:
        assert getattr(nn, name) is not None
    assert {"Sequential", "MLP", "Dense", "Model", "TrainingMixin", "plot_model"} <= set(dir(nn))


def test_the_keras_modules_keep_their_names_in_nn() -> None:
    assert nn.callbacks is nn.keras.callbacks and nn.metrics is nn.keras.metrics
    assert nn.training is nn.keras.training and nn.progress is nn.keras.progress
    assert nn.callbacks.GradientFlow is nn.keras.callbacks.gradflow.GradientFlow
    assert nn.callbacks.EarlyStopping.__module__ == "nn.keras.callbacks.monitoring"
    assert nn.Sequential.__module__ == "nn.containers"
    assert issubclass(nn.Sequential, nn.TrainingMixin)


def _modules() -> dict[str, Path]:
    found = {}
    for path in NN.rglob("*.py"):
        parts = ["nn", *path.relative_to(NN).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """The nn modules `path` imports anywhere in its code, as module names."""
    is_package = path.name == "__init__.py"
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            targets = [f"{base}.{a.name}" for a in node.names]
            targets = [t if t in modules else base for t in targets]
        else:
            continue
        out |= {t for t in targets if t in modules and t != name}
    return out


def _rank(module: str) -> int:
    """0: the building blocks; 1: nn.keras; 2: nn.containers; 3: the nn namespace."""
    if module == "nn":
        return 3
    if module == "nn.containers":
        return 2
    if module == "nn.keras" or module.startswith("nn.keras."):
        return 1
    return 0


def test_imports_flow_one_way() -> None:
    modules = _modules()
    upward = [
        f"{name} imports {target}"
        for name, path in modules.items()
        for target in _imports(path, name, modules)
        if _rank(target) > _rank(name)
    ]
    assert upward == []


def test_no_import_cycles_in_nn() -> None:
    modules = _modules()
    graph = {name: _imports(path, name, modules) for name, path in modules.items()}
    # A package importing its own submodules is layout: its submodules' imports of the
    # package itself are what would make a cycle, and the rank test refuses those.
    for name in graph:
        graph[name] = {t for t in graph[name] if not name.startswith(t + ".")}
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            raise AssertionError("import cycle: " + " -> ".join([*path[path.index(node) :], node]))
        if node in done:
            return
        for target in sorted(graph[node]):
            visit(target, [*path, node])
        done.add(node)

    for name in sorted(graph):
        visit(name, [])
