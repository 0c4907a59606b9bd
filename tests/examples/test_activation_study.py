"""The activation study writes its results as a markdown table, the table the documentation
includes (docs/generated/activations.md): a tiny run checks the format; the committed
tables are checked to have the format the script writes now, one of their rows is run
again, and the Pictures page is checked to include them, so the numbers the docs show
are the script's."""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "docs" / "generated"
HEADER = (
    "| activation | test accuracy | final training loss "
    "| gradient norm at init, first / last hidden layer | PReLU slopes learned |"
)
SEPARATOR = "|---|---:|---:|---:|---|"
NUMBER = r"\d+\.\d{3}"
RATIO = r"0|\d+\.\d{2}|\d\.\de[-+]\d\d"
ROW = re.compile(
    rf"^\| (?P<name>[a-z_]+) \| (?P<acc>{NUMBER}) \| (?P<loss>{NUMBER}) "
    rf"\| (?P<ratio>{RATIO}) \| (?P<slopes>|\d+\.\d\d to \d+\.\d\d \(from 0\.25\)) \|$"
)


def load_study() -> ModuleType:
    path = ROOT / "examples" / "activations.py"
    spec = importlib.util.spec_from_file_location("example_activations_table", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def table_rows(text: str) -> list[re.Match[str]]:
    """The rows of a study table, each checked against the format (a failure names it)."""
    lines = text.splitlines()
    assert lines[0].startswith("<!-- Written by examples/activations.py"), lines[0]
    assert lines[2].startswith("Made by `python examples/activations.py"), lines[2]
    start = lines.index(HEADER)
    assert lines[start + 1] == SEPARATOR
    rows = []
    for line in lines[start + 2 :]:
        match = ROW.match(line)
        assert match is not None, f"a row not in the table's format: {line!r}"
        rows.append(match)
    return rows


def check_values(rows: list[re.Match[str]]) -> None:
    for row in rows:
        assert 0.0 <= float(row["acc"]) <= 1.0
        assert float(row["loss"]) >= 0.0
        assert float(row["ratio"]) >= 0.0
        # Only PReLU learns slopes, and the table says from where to where.
        assert bool(row["slopes"]) == (row["name"] == "prelu")
        if row["slopes"]:
            low, high = (float(s) for s in re.findall(r"\d+\.\d\d", row["slopes"])[:2])
            assert low <= high


def test_a_tiny_study_writes_its_markdown_table(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    study = load_study()
    out = tmp_path / "out"
    md = tmp_path / "docs" / "table.md"
    argv = ["--epochs", "1", "--activations", "step,tanh,prelu", "--hidden", "2"]
    argv += ["--width", "8", "--out", str(out), "--markdown", str(md)]
    results = study.main(argv)
    text = md.read_text(encoding="utf-8")
    assert (out / "table.md").read_text(encoding="utf-8") == text
    assert not list(md.parent.glob(".*.tmp"))  # written atomically, nothing left beside it
    rows = table_rows(text)
    check_values(rows)
    assert [r["name"] for r in rows] == ["step", "tanh", "prelu"]
    # The table's numbers are the run's, rounded as shown.
    for row, result in zip(rows, results):
        assert float(row["acc"]) == pytest.approx(result["test_accuracy"], abs=5e-4)
        assert float(row["loss"]) == pytest.approx(result["train_loss"], abs=5e-4)
    assert rows[0]["ratio"] == "0"  # a step network gets no gradient below its output layer
    assert "MLP 64-(8 x 2)-10, glorot_uniform weights" in text
    assert "1 epochs" in text
    assert shlex.join(["python", "examples/activations.py", *argv]) in text


def test_a_failed_table_write_keeps_the_old_table(tmp_path: Path) -> None:
    study = load_study()
    target = tmp_path / "table.md"
    target.write_text("old table\n", encoding="utf-8")
    with pytest.raises(TypeError):
        study._write_text(str(target), None)  # the text cannot be written
    assert target.read_text(encoding="utf-8") == "old table\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.md"]  # no temporary file left
    study._write_text(str(target), "new table\n")
    assert target.read_text(encoding="utf-8") == "new table\n"


@pytest.mark.parametrize("name", ["activations.md", "activations-he_uniform.md"])
def test_the_committed_tables_have_the_scripts_format(name: str) -> None:
    text = (GENERATED / name).read_text(encoding="utf-8")
    rows = table_rows(text)
    check_values(rows)
    study = load_study()
    assert [r["name"] for r in rows] == list(study.ACTIVATIONS)
    # The command the table names is one the script accepts, and it wrote this file.
    command = re.search(r"Made by `([^`]+)`", text)
    assert command is not None
    words = shlex.split(command[1])
    assert words[:2] == ["python", "examples/activations.py"]
    assert words[words.index("--markdown") + 1] == f"docs/generated/{name}"


@pytest.mark.parametrize("name", ["activations.md", "activations-he_uniform.md"])
def test_the_docs_tables_gradient_ratios_come_again_from_the_script(
    name: str, tmp_path: Path
) -> None:
    """The script run with the settings a docs table names, for no epochs (training takes
    minutes): every activation's gradient ratio at initialisation is the table's."""
    pytest.importorskip("sklearn")
    text = (GENERATED / name).read_text(encoding="utf-8")
    command = re.search(r"Made by `([^`]+)`", text)
    assert command is not None
    argv = shlex.split(command[1])[2:]
    at = argv.index("--markdown")
    argv = [*argv[:at], *argv[at + 2 :], "--epochs", "0", "--no-figure", "--out", str(tmp_path)]
    study = load_study()
    results = study.main(argv)
    rows = table_rows(text)
    assert [r["activation"] for r in results] == [r["name"] for r in rows]
    for result, row in zip(results, rows):
        assert study._ratio_text(result["init_ratio"]) == row["ratio"], row["name"]
    assert not (tmp_path / "activations.png").exists()  # --no-figure: the tables only
    assert (tmp_path / "table.md").exists()


def test_the_pictures_page_includes_the_tables() -> None:
    page = (ROOT / "docs" / "pictures.md").read_text(encoding="utf-8")
    for name in ("activations.md", "activations-he_uniform.md"):
        assert f'--8<-- "docs/generated/{name}"' in page
    # No table of the study's numbers typed in by hand: only the included ones.
    assert "| leaky_relu |" not in page and "| leaky ReLU |" not in page
