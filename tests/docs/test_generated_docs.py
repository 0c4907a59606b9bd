"""Generated documentation: the Performance page's table is the saved benchmark run."""

from __future__ import annotations

import importlib
import json
import math
from pathlib import Path

import pytest

from benchmarks import markdown
from benchmarks.harness import Result

ROOT = Path(__file__).resolve().parents[2]


def test_the_docs_table_is_the_saved_benchmark_run() -> None:
    report = json.loads((ROOT / "benchmarks" / "latest.json").read_text())
    page = (ROOT / "docs" / "generated" / "benchmarks.md").read_text()
    assert page == markdown.render(report), "run `python -m benchmarks.markdown` to refresh it"
    assert len([line for line in page.splitlines() if line.startswith("| ")]) == (
        1 + len(report["results"])
    )
    assert '--8<-- "docs/generated/benchmarks.md"' in (ROOT / "docs/performance.md").read_text()


def test_rows_show_times_other_units_and_ratios() -> None:
    report = {
        "meta": {"python": "3.11.7", "numpy": "2.4.6", "machine": "x86_64", "cpus": 2},
        "results": [
            {"name": "a | b", "engine_s": 2.5e-4, "reference_s": 1e-4, "unit": "s",
             "note": "two\nlines", "ratio": 2.5},
            {"name": "peak RSS", "engine_s": 65.25, "reference_s": 59.5, "unit": "MiB",
             "note": "", "ratio": 65.25 / 59.5},
            {"name": "growth", "engine_s": 0.0, "reference_s": 0.0, "unit": "MiB",
             "note": "", "ratio": math.nan},
        ],
    }  # fmt: skip
    rows = [line for line in markdown.render(report).splitlines() if line.startswith("| ")][1:]
    assert rows[0] == "| a \\| b | 250.00 us | 100.00 us | 2.50x | two lines |"
    assert rows[1] == "| peak RSS | 65.2 MiB | 59.5 MiB | 1.10x |  |"
    assert rows[2] == "| growth | 0.0 MiB | 0.0 MiB |  |  |"
    assert "Python 3.11.7, numpy 2.4.6, x86_64, 2 CPUs" in markdown.render(report)


def test_the_table_goes_to_the_docs_only_for_the_saved_run(tmp_path: Path) -> None:
    assert markdown.markdown_path_for(str(markdown.LATEST_JSON), None) == markdown.GENERATED_MD
    assert markdown.markdown_path_for(str(tmp_path / "other.json"), None) is None
    assert markdown.markdown_path_for(None, None) is None
    assert markdown.markdown_path_for(None, str(tmp_path / "t.md")) == tmp_path / "t.md"


def test_a_benchmark_run_writes_its_table_from_its_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = importlib.import_module("benchmarks.__main__")

    def suite(rounds: int) -> list[Result]:
        return [Result("tiny workload", 3e-6, 1e-6, note=f"{rounds} rounds")]

    monkeypatch.setattr(runner, "SUITES", {"tiny": suite})
    monkeypatch.setattr(runner, "_run_isolated", lambda name, rounds: suite(rounds))
    out_json, out_md = tmp_path / "run.json", tmp_path / "run.md"
    args = ["--only", "tiny", "--rounds", "2", "--json", str(out_json), "--markdown", str(out_md)]
    assert runner.main(args) == 0
    table = out_md.read_text()
    assert table == markdown.render(json.loads(out_json.read_text()), "run.json")
    assert "| tiny workload | 3.00 us | 1.00 us | 3.00x | 2 rounds |" in table
