"""An install that explains itself: extras, install hints, and HIPS autograd's clash.

HIPS autograd (PyPI's ``autograd``) installs a package named `autograd`, as this project
does. The clash is rebuilt here without a network: copies of this project's packages
in a temporary folder, with a package shaped like HIPS autograd's (its ``__init__.py``
importing ``autograd.core`` and friends) in the same folder or on another sys.path
entry, then each entry point is imported in a fresh interpreter. Every one must fail
with one ImportError that names the clash and the fix, not with an error from inside
an import.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENTRY_POINTS = ["import nn", "import autograd.testing", "import autograd.debug"]

# A package shaped like HIPS autograd 1.9: the modules its __init__.py imports.
HIPS_FILES = {
    "__init__.py": (
        "from autograd.core import primitive_with_deprecation_warnings as primitive\n"
        "from .builtins import dict, isinstance, list, tuple, type\n"
        "from .differential_operators import grad, jacobian, value_and_grad\n"
    ),
    "core.py": "def primitive_with_deprecation_warnings(f):\n    return f\n",
    "builtins.py": "dict, isinstance, list, tuple, type = dict, isinstance, list, tuple, type\n",
    "differential_operators.py": "grad = jacobian = value_and_grad = None\n",
    "tracer.py": "",
    "wrap_util.py": "",
    "numpy/__init__.py": "from autograd.core import primitive_with_deprecation_warnings\n",
}


def copy_project(site: Path) -> None:
    """This project's packages, as a non-editable install lays them out."""
    for package in ("autograd", "nn"):
        shutil.copytree(
            ROOT / package,
            site / package,
            ignore=shutil.ignore_patterns("__pycache__"),
            dirs_exist_ok=True,
        )


def add_hips(site: Path, dist_info: bool = False) -> None:
    """HIPS autograd's files into `site` (over this project's __init__.py if there)."""
    for name, text in HIPS_FILES.items():
        path = site / "autograd" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if dist_info:
        meta = site / "autograd-1.9.1.dist-info"
        meta.mkdir()
        (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: autograd\nVersion: 1.9.1\n")


def run(code: str, *path: Path, script: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`code` (or `script`) in a fresh interpreter whose `autograd` and `nn` come from
    `path` only: started outside the checkout, which is left off sys.path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in path)}
    args = [str(script)] if script is not None else ["-c", code]
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=path[0], timeout=120
    )


def assert_one_clash_error(result: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert result.returncode != 0, result.stdout
    err = result.stderr
    assert err.count("Traceback") == 1, err  # one error, not one raised while handling another
    assert "During handling" not in err and "direct cause" not in err, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("autograd.install.EngineClashError: "), last
    for phrase in ("HIPS autograd", "separate virtual environment", *phrases):
        assert phrase in last, last


def test_without_hips_everything_imports(tmp_path: Path) -> None:
    copy_project(tmp_path)
    result = run("import nn, autograd.testing, autograd.debug; print(nn.__file__)", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(str(tmp_path))  # the copy, not the checkout


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_hips_installed_after_this_project(tmp_path: Path, entry: str) -> None:
    """HIPS's __init__.py over ours: the engine's own modules are reached through it.
    (`import autograd` alone then imports HIPS autograd: no code of ours runs.)"""
    copy_project(tmp_path)
    add_hips(tmp_path)
    assert_one_clash_error(run(entry, tmp_path), "tracer.py", "overwrote")


@pytest.mark.parametrize("entry", ["import autograd", *ENTRY_POINTS])
def test_this_project_installed_after_hips(tmp_path: Path, entry: str) -> None:
    """Our __init__.py over HIPS's, whose other modules stay beside ours."""
    add_hips(tmp_path)
    copy_project(tmp_path)
    assert_one_clash_error(run(entry, tmp_path), "tracer.py", "overwrote")


@pytest.mark.parametrize("order", ["hips first", "ours first"])
def test_examples_name_the_clash(tmp_path: Path, order: str) -> None:
    if order == "hips first":
        copy_project(tmp_path)
        add_hips(tmp_path)
    else:
        add_hips(tmp_path)
        copy_project(tmp_path)
    for example in ("scalar_neuron", "newton", "engine_tour", "demo", "activations"):
        result = run("", tmp_path, script=ROOT / "examples" / f"{example}.py")
        assert_one_clash_error(result)


def test_hips_uninstalled_over_this_project(tmp_path: Path) -> None:
    """Uninstalling HIPS autograd deletes the shared __init__.py: say so, and how to repair."""
    copy_project(tmp_path)
    (tmp_path / "autograd" / "__init__.py").unlink()
    for entry in ENTRY_POINTS:
        result = run(entry, tmp_path)
        assert_one_clash_error(result, "__init__.py is missing", "install autograd-nn again")


def test_hips_elsewhere_on_the_path(tmp_path: Path) -> None:
    """HIPS autograd in one folder, this project in another (an editable install)."""
    hips, ours = tmp_path / "site-packages", tmp_path / "checkout"
    add_hips(hips, dist_info=True)
    copy_project(ours)
    # HIPS first: its package hides ours; nn finds our check beside itself
    found = str(hips / "autograd" / "__init__.py")
    assert_one_clash_error(run("import nn", hips, ours), f"imported is {found}", "hides")
    # ours first: ours works, HIPS's distribution on the path is the evidence
    for entry in ["import autograd", *ENTRY_POINTS]:
        assert_one_clash_error(run(entry, ours, hips), "autograd-1.9.1.dist-info")


def test_another_autograd_without_metadata_is_named(tmp_path: Path) -> None:
    other, ours = tmp_path / "other", tmp_path / "checkout"
    (other / "autograd").mkdir(parents=True)
    (other / "autograd" / "__init__.py").write_text("")
    copy_project(ours)
    result = run("import nn", other, ours)
    assert_one_clash_error(result, str(other / "autograd" / "__init__.py"))


# --- extras and hints --------------------------------------------------------------------


PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def distribution() -> str:
    """The distribution's name: [project] name in pyproject.toml."""
    m = re.search(r'^\[project\]\n(?:.*\n)*?name = "([^"]+)"', PYPROJECT, re.M)
    assert m is not None
    return m.group(1)


def extra(name: str) -> str:
    """The text of one extra's list in [project.optional-dependencies]."""
    m = re.search(rf"^{name} = \[(.*?)\]$", PYPROJECT, re.M | re.S)
    assert m is not None, name
    return m.group(1)


def test_testing_extra_brings_hypothesis_and_dev_takes_it() -> None:
    assert re.search(r'"hypothesis[<>=!~]', extra("testing"))
    name = re.escape(distribution())
    assert re.search(rf'"{name}\[[a-z,]*\btesting\b[a-z,]*\]"', extra("dev")), extra("dev")


def test_strategies_without_hypothesis_name_the_extra() -> None:
    name = distribution()
    code = "import sys; sys.modules['hypothesis'] = None; import autograd.testing.strategies"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: autograd.testing.strategies needs hypothesis"), last
    assert f'pip install "{name}[testing]"' in last
    # gradcheck itself needs no hypothesis
    code = "import sys; sys.modules['hypothesis'] = None; import autograd.testing, nn"
    ok = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0, ok.stderr


def test_install_hints_work_outside_a_clone() -> None:
    """No message of the packages or examples tells a user to install from a checkout
    (pip install -e, '.[extra]'): extras are named by the distribution's name."""
    name = distribution()
    clone_only = re.compile(r"pip install -e|['\"]\.\[")
    extras = re.compile(r"([\w-]+)\[(\w+)\]")
    hints = 0
    for folder in ("autograd", "nn", "examples"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for line in text.splitlines():
                if "pip install" not in line:
                    continue
                hints += 1
                assert not clone_only.search(line), f"{path}: {line.strip()}"
                for dist, _ in extras.findall(line.split("pip install", 1)[1]):
                    assert dist == name, f"{path}: {line.strip()}"
    assert hints >= 3  # graphviz, hypothesis, scikit-learn at least
