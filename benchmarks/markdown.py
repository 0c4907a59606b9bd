"""The benchmark results as a Markdown table, for the documentation's Performance page.

`python -m benchmarks --json benchmarks/latest.json` writes the table to
docs/generated/benchmarks.md as well, so the page shows the run that was saved;
`python -m benchmarks.markdown` renders it again from the saved JSON without running
anything (the test suite checks that the two agree).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from benchmarks.harness import fmt_time

ROOT = Path(__file__).resolve().parents[1]
LATEST_JSON = ROOT / "benchmarks" / "latest.json"
GENERATED_MD = ROOT / "docs" / "generated" / "benchmarks.md"


def _figure(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return fmt_time(value) if unit == "s" else f"{value:.1f} {unit}"


def _ratio(row: dict[str, Any]) -> str:
    ratio = row.get("ratio")
    if ratio is None or not math.isfinite(ratio):
        return ""
    return f"{ratio:.2f}x"


def _cell(text: str) -> str:
    """Table cells may not hold a pipe or a line break."""
    return text.replace("|", "\\|").replace("\n", " ")


def render(report: dict[str, Any], source: str = "benchmarks/latest.json") -> str:
    """The report's rows as a Markdown table, headed by the machine they ran on."""
    meta = report.get("meta", {})
    lines = [
        f"<!-- Generated from {source} by benchmarks/markdown.py: do not edit by hand. -->",
        "",
        f"Measured with Python {meta.get('python', '?')}, numpy {meta.get('numpy', '?')}, "
        f"{meta.get('machine', '?')}, {meta.get('cpus', '?')} CPUs "
        f"(`{source}`, {len(report['results'])} workloads).",
        "",
        "| workload | engine | reference | ratio | note |",
        "|---|---:|---:|---:|---|",
    ]
    for row in report["results"]:
        unit = row.get("unit", "s")
        cells = [
            row["name"],
            _figure(row["engine_s"], unit),
            _figure(row["reference_s"], unit),
            _ratio(row),
            row.get("note", ""),
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def write(json_path: Path = LATEST_JSON, md_path: Path = GENERATED_MD) -> Path:
    """Render the report saved at `json_path` into `md_path`."""
    report = json.loads(Path(json_path).read_text())
    try:
        source = Path(json_path).resolve().relative_to(ROOT).as_posix()
    except ValueError:  # a report saved outside the repository: name the file only
        source = Path(json_path).name
    md_path = Path(md_path)
    md_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.write_text(render(report, source))
    return md_path


def markdown_path_for(json_path: str | None, explicit: str | None) -> Path | None:
    """Where `python -m benchmarks` writes the table: given, or the docs' for latest.json."""
    if explicit:
        return Path(explicit)
    if json_path and Path(json_path).resolve() == LATEST_JSON:
        return GENERATED_MD
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.markdown", description=__doc__)
    ap.add_argument("--json", default=str(LATEST_JSON), help="the saved report")
    ap.add_argument("--out", default=str(GENERATED_MD), help="the Markdown file to write")
    args = ap.parse_args(argv)
    print(f"wrote {write(Path(args.json), Path(args.out))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
