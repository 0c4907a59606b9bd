"""Memory: peak resident memory over 200 SGD steps of the MLP at batch 2048,
engine beside the hand-written numpy step (each in a fresh process), and the
engine's growth in resident memory over 1,000 steps (batch 256).
"""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.harness import Result

CHILD = """
import json, resource, sys
import numpy as np
from autograd import Value
from benchmarks.tensor import engine_step, make_batch, make_model, numpy_params, numpy_step, LR
import nn

kind, batch, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
x, y = make_batch(batch)
model = make_model()

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()

if kind == "engine":
    step = engine_step(model, nn.SGD(model.parameters(), lr=LR), nn.CrossEntropyLoss())
    xv = Value(x, requires_grad=False)
    run = lambda: step(xv, y)
else:
    params = numpy_params(model)
    del model
    run = lambda: numpy_step(params, x, y)
base = rss()
marks = []
for i in range(steps):
    run()
    if i in (steps // 10, steps - 1):
        marks.append(rss())
# VmHWM is this process's own high-water mark (ru_maxrss would carry the parent's
# peak across exec).
with open("/proc/self/status") as f:
    peak = next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM:"))
print(json.dumps({"peak": peak, "base": base, "early": marks[0], "late": marks[-1]}))
"""


def _child(kind: str, batch: int, steps: int) -> dict[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(batch), str(steps)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def run(rounds: int = 1) -> list[Result]:
    mib = 2**20
    eng = _child("engine", 2048, 200)
    ref = _child("numpy", 2048, 200)
    peak = Result(
        "peak RSS, 200 steps at batch 2048",
        eng["peak"] / mib,
        ref["peak"] / mib,
        unit="MiB",
        note=(
            "reference: hand-written numpy step; whole process. Above the RSS before the "
            f"first step: {(eng['peak'] - eng['base']) / mib:.1f} MiB vs "
            f"{(ref['peak'] - ref['base']) / mib:.1f} MiB"
        ),
    )
    long = _child("engine", 256, 1000)
    growth = Result(
        "RSS growth over 1,000 steps (batch 256)",
        (long["late"] - long["early"]) / mib,
        long["early"] / mib,
        unit="MiB",
        note="engine figure: growth from step 100 to 1,000; reference column: RSS at step 100",
    )
    return [peak, growth]
