"""Run the benchmark suite: `python -m benchmarks [--json out.json] [--only NAME ...]`."""

from __future__ import annotations

import argparse
import json
import platform
import sys
from collections.abc import Callable

import numpy as np

from benchmarks import fit, memory, scalar, tensor
from benchmarks.harness import Result, print_table

SUITES: dict[str, Callable[[int], list[Result]]] = {
    "scalar": scalar.run,
    "tensor": tensor.run,
    "fit": fit.run,
    "memory": memory.run,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--only", nargs="*", choices=sorted(SUITES), help="suites to run")
    ap.add_argument("--rounds", type=int, default=7, help="interleaved rounds per workload")
    ap.add_argument("--json", help="also write the results to this JSON file")
    args = ap.parse_args(argv)
    results: list[Result] = []
    for name in args.only or list(SUITES):
        print(f"running {name} ...", file=sys.stderr)
        results.extend(SUITES[name](args.rounds))
    print_table(results)
    if args.json:
        meta = {"python": platform.python_version(), "numpy": np.__version__,
                "machine": platform.machine()}  # fmt: skip
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "results": [r.as_dict() for r in results]}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
