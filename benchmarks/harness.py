"""Timing harness: interleaved rounds, medians, ratios against a reference.

Each workload is a pair (engine, reference) of zero-argument callables doing
the same work. Rounds alternate between them, so a slow moment of a shared
machine hits both, and which one goes first alternates too; each figure is the
median over rounds. The minor page faults of each side are counted too (in
`Result.extra`): memory that the allocator hands back to the system and takes
again every call shows there, as time that no profile of Python code explains.
"""

from __future__ import annotations

import gc
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Result:
    """One row of the table: both medians (seconds) and their ratio."""

    name: str
    engine_s: float
    reference_s: float
    unit: str = "s"
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.engine_s / self.reference_s if self.reference_s else float("nan")

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ratio"] = self.ratio
        return d


def time_once(fn: Callable[[], Any], repeat: int = 1) -> float:
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - t0) / repeat


def minor_faults() -> int:
    """Minor page faults of this process so far (pages mapped in without disk I/O)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def compare(
    name: str,
    engine: Callable[[], Any],
    reference: Callable[[], Any],
    rounds: int = 7,
    repeat: int = 1,
    warmup: int = 1,
    note: str = "",
) -> Result:
    """Median time of engine and reference over interleaved rounds (GC on)."""
    for _ in range(warmup):
        engine()
        reference()
    gc.collect()
    times: dict[str, list[float]] = {"engine": [], "reference": []}
    faults: dict[str, list[int]] = {"engine": [], "reference": []}
    sides = {"engine": engine, "reference": reference}
    for i in range(rounds):
        # Which of the two runs first alternates (ABBA): whatever the first one leaves
        # behind (caches, sleeping BLAS threads) weighs on both equally.
        for side in ("engine", "reference") if i % 2 == 0 else ("reference", "engine"):
            f0 = minor_faults()
            times[side].append(time_once(sides[side], repeat))
            faults[side].append(minor_faults() - f0)
    # Per call in a median round, like the times: the heap's growth in the first
    # rounds is not what every call costs.
    extra = {"faults_per_call": {s: statistics.median(n) / repeat for s, n in faults.items()}}
    return Result(
        name,
        statistics.median(times["engine"]),
        statistics.median(times["reference"]),
        note=note,
        extra=extra,
    )


def fmt_time(s: float) -> str:
    if s >= 1:
        return f"{s:.3f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3f} ms"
    return f"{s * 1e6:.2f} us"


def print_table(results: list[Result]) -> None:
    w = max(len(r.name) for r in results) + 2
    print(f"{'workload':<{w}}{'engine':>14}{'reference':>14}{'ratio':>9}  note")
    for r in results:
        if r.unit == "s":
            e, ref = fmt_time(r.engine_s), fmt_time(r.reference_s)
        else:
            e, ref = f"{r.engine_s:.2f} {r.unit}", f"{r.reference_s:.2f} {r.unit}"
        print(f"{r.name:<{w}}{e:>14}{ref:>14}{r.ratio:>8.2f}x  {r.note}")
