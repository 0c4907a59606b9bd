"""The benchmark runner works end to end (its figures are not checked: speed is
measured by running the suite, never asserted by a test)."""

import json
import math
import mmap
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from benchmarks.harness import compare


def test_runner_runs_a_suite_in_its_own_process_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    cmd = [sys.executable, "-m", "benchmarks", "--only", "tensor-1thread", "--rounds", "1"]
    done = subprocess.run([*cmd, "--json", str(out)], capture_output=True, text=True, check=True)
    report = json.loads(out.read_text())
    names = [r["name"] for r in report["results"]]
    assert names == [
        f"MLP 784-256-128-10 SGD step, batch {b}, one BLAS thread" for b in (32, 256, 2048)
    ]
    for row in report["results"]:
        assert row["engine_s"] > 0 and row["reference_s"] > 0
        assert math.isclose(row["ratio"], row["engine_s"] / row["reference_s"])
        assert set(row["extra"]["faults_per_call"]) == {"engine", "reference"}
        assert "page faults per step" in row["note"]
    assert set(report["meta"]) >= {"python", "numpy", "cpus"}
    assert "one BLAS thread" in done.stdout  # the table


def test_torch_reference_refuses_politely_when_it_cannot_run_fairly() -> None:
    # Without PyTorch, or without OPENBLAS_NUM_THREADS=1, it says why and stops at once.
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    cmd = [sys.executable, "-m", "benchmarks.torch_reference"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert done.returncode == 1
    assert "benchmarks.torch_reference:" in done.stderr


def test_the_bare_engine_of_the_floor_benchmark_computes_the_same_step() -> None:
    # Its figures are a floor only if it does the same work: same loss, same gradients.
    from benchmarks.floor import BareMLP
    from benchmarks.scalar import EngineMLP, init_weights, moons

    xs, ys = moons(20)
    engine, bare = EngineMLP(init_weights()), BareMLP(init_weights())
    losses, grads = [], []
    for model in (engine, bare):
        losses.append(model.step(xs, ys).data)  # forward, backward and one update
        grads.append([p.grad for p in model.params])
    assert losses[0] == losses[1] and losses[0] > 0
    assert grads[0] == grads[1] and any(g != 0 for g in grads[0])
    assert [p.data for p in engine.params] == [p.data for p in bare.params]


def test_the_bare_tensor_engine_of_the_floor_benchmark_computes_the_same_step() -> None:
    # The same for the tensor floor: same loss, same gradients, same updated weights.
    import nn
    from autograd import Value
    from benchmarks import tensor
    from benchmarks.floor import BareTensor, bare_mlp_step

    x, y = tensor.make_batch(32)
    model = tensor.make_model()
    bare = [BareTensor(p.data.copy()) for p in model.parameters()]
    step = tensor.engine_step(
        model, nn.SGD(model.parameters(), lr=tensor.LR), nn.CrossEntropyLoss()
    )
    loss = step(Value(x, requires_grad=False), y)
    bare_loss = bare_mlp_step(bare, x, y)
    assert loss.data == bare_loss.data and loss.data > 0
    for p, b in zip(model.parameters(), bare):
        assert p.grad.shape == b.grad.shape and np.any(p.grad != 0)
        np.testing.assert_array_equal(p.grad, b.grad)
        np.testing.assert_array_equal(p.data, b.data)


def test_micrograd_reference_says_so_when_micrograd_is_missing() -> None:
    code = (
        "import sys; sys.modules['micrograd'] = None\n"  # as if it were not installed
        "from benchmarks.micrograd_reference import main; raise SystemExit(main([]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    assert "benchmarks.micrograd_reference: micrograd is not installed" in done.stderr


def test_micrograd_reference_times_the_engine_in_a_process_of_its_own() -> None:
    cmd = [sys.executable, "-m", "benchmarks.micrograd_reference", "--only", "engine"]
    done = subprocess.run([*cmd, "--rounds", "1"], capture_output=True, text=True, check=True)
    assert 0 < float(done.stdout) < 1000  # microseconds per node


def test_the_harness_counts_the_page_faults_of_each_side() -> None:
    def fresh_pages() -> None:  # maps 64 new pages and touches each once
        with mmap.mmap(-1, 64 * mmap.PAGESIZE) as m:
            for i in range(0, len(m), mmap.PAGESIZE):
                m[i] = 1

    r = compare("pages", fresh_pages, lambda: None, rounds=5, repeat=3)
    faults = r.extra["faults_per_call"]
    assert faults["engine"] >= 32 and faults["reference"] == 0
