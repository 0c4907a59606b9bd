"""Run the benchmark suite: `python -m benchmarks [--json out.json] [--only NAME ...]`.

`--json benchmarks/latest.json` also renders the results as the Markdown table that the
documentation's Performance page includes (docs/generated/benchmarks.md); `--markdown
PATH` writes that table wherever asked.

Each suite runs in a fresh Python process, so that one suite's leftovers (a
fragmented heap after the scalar graphs, BLAS threads in some state) cannot
weigh on the next. The suite "tensor-1thread" repeats the MLP steps with one
BLAS thread: the engine's Python overhead then shows without the effects of
BLAS threads waking up between matrix products.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from benchmarks import fit, floor, markdown, memory, scalar, tensor
from benchmarks.harness import Result, print_table

SUITES: dict[str, Callable[[int], list[Result]]] = {
    "scalar": scalar.run,
    "tensor": tensor.run,
    "tensor-1thread": tensor.run_one_thread,
    "fit": fit.run,
    "memory": memory.run,
    "floor": floor.run,
}

# Environment of a suite's process beyond the caller's: one thread for every BLAS.
_ENV = {
    "tensor-1thread": {
        name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    }
}


def _run_isolated(name: str, rounds: int) -> list[Result]:
    """Run one suite in a child process and read its results back."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "results.json")
        cmd = [sys.executable, "-m", "benchmarks", "--in-process", "--only", name]
        cmd += ["--rounds", str(rounds), "--json", out]
        env = {**os.environ, **_ENV.get(name, {})}
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
        with open(out) as f:
            rows = json.load(f)["results"]
    results = []
    for row in rows:
        row.pop("ratio")
        results.append(Result(**row))
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--only", nargs="*", choices=list(SUITES), help="suites to run")
    ap.add_argument("--rounds", type=int, default=7, help="interleaved rounds per workload")
    ap.add_argument("--json", help="also write the results to this JSON file")
    ap.add_argument(
        "--markdown",
        help="also write the results as a Markdown table here (default for "
        "--json benchmarks/latest.json: docs/generated/benchmarks.md)",
    )
    ap.add_argument(
        "--in-process", action="store_true", help="run the suites in this process (no children)"
    )
    args = ap.parse_args(argv)
    results: list[Result] = []
    for name in args.only or list(SUITES):
        if args.in_process:
            results.extend(SUITES[name](args.rounds))
        else:  # progress from the parent only (a child's stderr is the caller's too)
            print(f"running {name} ...", file=sys.stderr)
            results.extend(_run_isolated(name, args.rounds))
    print_table(results)
    meta = {"python": platform.python_version(), "numpy": np.__version__,
            "machine": platform.machine(), "cpus": os.cpu_count()}  # fmt: skip
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "results": [r.as_dict() for r in results]}, f, indent=2)
    # The table for the docs, from the saved report itself (a child suite writes none).
    md_path = None if args.in_process else markdown.markdown_path_for(args.json, args.markdown)
    if md_path is not None and args.json:
        markdown.write(Path(args.json), md_path)
    elif md_path is not None:
        report = {"meta": meta, "results": [r.as_dict() for r in results]}
        md_path.parent.mkdir(parents=True, exist_ok=True)
        md_path.write_text(markdown.render(report, source="python -m benchmarks"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
