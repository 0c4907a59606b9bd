"""Every Python block of README.md and docs/ runs as written.

Each Markdown file gets a fresh interpreter (tests/docs/run_markdown.py) that runs its
Python blocks top to bottom in one namespace, in a fresh temporary working directory, with
the repository on PYTHONPATH: what a reader pasting the page's blocks in order would see.
Pages whose code draws pictures need the `dot` program: without it they are skipped, and
fail when the CI environment variable is set.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).resolve().parent / "run_markdown.py"
# Code that hands a graph to the `dot` program (rendering a picture, plotting a model).
NEEDS_DOT = re.compile(r"\.render\(|\.pipe\(|\.view\(|plot_model\(")


def load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_markdown", RUNNER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("run_markdown", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


runner = load_runner()


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def runnable_code(path: Path) -> str:
    blocks = runner.extract_blocks(path.read_text(encoding="utf-8"))
    return "\n".join(b.code for b in blocks if b.runs)


def require_dot() -> None:
    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but the Graphviz program 'dot' is not installed")
        pytest.skip("the Graphviz program 'dot' is not installed (apt-get install graphviz)")


def run_markdown(path: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    cmd = [sys.executable, str(RUNNER), str(path)]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


PAGES = [p for p in markdown_files() if runnable_code(p)]


@pytest.mark.parametrize("path", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_python_blocks_run_top_to_bottom(path: Path, tmp_path: Path) -> None:
    if NEEDS_DOT.search(runnable_code(path)):
        require_dot()
    done = run_markdown(path, tmp_path)
    assert done.returncode == 0, f"{path.relative_to(ROOT)}:\n{done.stdout}\n{done.stderr}"
    assert "Python blocks ran" in done.stdout


def test_the_readme_has_runnable_examples_and_nothing_held_back() -> None:
    blocks = runner.extract_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    python = [b for b in blocks if b.lang in runner.RUNNABLE]
    assert len(python) >= 3
    assert all(b.runs for b in python), "every README example runs: none is marked norun"
