"""The notebooks of examples/notebooks run, top to bottom, on a fresh Jupyter kernel.

Each notebook is executed by nbclient on a kernel started for it alone (nothing carries
over from another notebook or from this process), in a fresh temporary working directory:
the notebooks read no files beside them, and hypothesis' cache (`.hypothesis/` in the
working directory) stays out of the repository. A cell that raises fails the test with the
cell and its traceback; the notebooks assert what they teach (hand-computed gradients, an
MLP that learns, a gradient that vanishes), so a wrong result fails too.

Outputs are not stored: the notebooks are committed with every output cleared, and a test
checks it. Stored outputs would go stale with every change of the engine (numbers, timings,
pictures), make every diff noisy and weigh hundreds of KB per notebook (graphs, figures),
while these tests execute every notebook from scratch anyway. In Jupyter, "Run All" shows
everything in a few seconds.

Notebooks that draw computation graphs need the Graphviz program `dot`: without it they are
skipped, and fail when the CI environment variable is set (CI installs graphviz).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

try:
    import nbclient
    import nbformat
except ImportError:
    if os.environ.get("CI"):  # CI installs the dev extra, which brings the notebooks extra
        raise
    pytest.skip(
        "the notebooks extra is not installed: pip install -e '.[notebooks]'",
        allow_module_level=True,
    )

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "examples" / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
# A guard against a hung kernel, not a speed test: each notebook runs in seconds.
CELL_TIMEOUT_S = 300
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # IPython colours its tracebacks


def code_of(nb: Any) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def draws_graphs(nb: Any) -> bool:
    return "draw_graph(" in code_of(nb) or "plot_model(" in code_of(nb)


def require_dot() -> None:
    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but the Graphviz program 'dot' is not installed")
        pytest.skip("the Graphviz program 'dot' is not installed (apt-get install graphviz)")


@pytest.fixture
def kernel_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel inherits this environment: this checkout first on its path (the package
    is installed editable by `make test`; this also covers a run without that install),
    and matplotlib's inline backend, as in Jupyter (not a backend forced on the tests)."""
    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), path])))
    monkeypatch.delenv("MPLBACKEND", raising=False)


def execute(nb: Any, cwd: Path) -> Any:
    """Run every cell of `nb` on a new kernel; fail with the cell and traceback of an error."""
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        failure = ANSI.sub("", str(exc))  # reported below, without the exception chain
    else:
        return nb
    pytest.fail(failure, pytrace=False)


def outputs(nb: Any) -> list[Any]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def test_there_are_at_least_four_notebooks() -> None:
    names = [p.name for p in NOTEBOOKS]
    assert len(names) >= 4, names
    assert names == sorted(names) and all(re.match(r"\d\d_\w+\.ipynb$", n) for n in names)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_valid_and_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    stale = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.outputs or c.execution_count is not None)
    ]
    assert not stale, (
        f"{path.name}: cells {stale} keep outputs; clear them before committing "
        "(Jupyter: Edit > Clear Outputs of All Cells)"
    )
    # Written for learners: prose between the code, and a title first.
    kinds = [c.cell_type for c in nb.cells]
    assert kinds[0] == "markdown" and nb.cells[0].source.startswith("# ")
    assert kinds.count("markdown") >= kinds.count("code") / 2


@pytest.mark.usefixtures("kernel_env")
def test_a_fresh_kernel_imports_this_checkout(tmp_path: Path) -> None:
    probe = nbformat.v4.new_notebook()
    probe.cells.append(
        nbformat.v4.new_code_cell(
            "import sys, autograd, nn\nprint(sys.executable)\n"
            "print(autograd.__file__)\nprint(nn.__file__)"
        )
    )
    lines = execute(probe, tmp_path).cells[0].outputs[0].text.split()
    executable, autograd_file, nn_file = (Path(line) for line in lines)
    # The kernel is this interpreter (the project's environment), importing this tree.
    assert executable.resolve() == Path(sys.executable).resolve()
    assert Path(autograd_file).resolve().is_relative_to(ROOT)
    assert Path(nn_file).resolve().is_relative_to(ROOT)


@pytest.mark.usefixtures("kernel_env")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_on_a_fresh_kernel(path: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    if draws_graphs(nb):
        require_dot()
    execute(nb, tmp_path)
    shown = outputs(nb)
    errors = [o for o in shown if o.output_type == "error"]
    assert not errors, f"{path.name}: " + ANSI.sub("", "\n".join(o.ename for o in errors))
    if draws_graphs(nb):  # the pictures were rendered, not just built
        assert any("image/svg+xml" in o.get("data", {}) for o in shown), path.name
    # The notebooks write no files (pictures are shown, not saved), only hypothesis' cache.
    assert [p.name for p in tmp_path.iterdir() if p.name != ".hypothesis"] == []
