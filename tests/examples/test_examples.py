"""The example scripts run end to end with tiny settings and write what they promise."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def have_dot() -> bool:
    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but the Graphviz program 'dot' is not installed")
        return False
    return True


def test_activations_study_tiny(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    example = load("activations")
    out = tmp_path / "act"
    results = example.main(
        [
            "--epochs",
            "1",
            "--activations",
            "sigmoid,prelu",
            "--hidden",
            "3",
            "--width",
            "16",
            "--out",
            str(out),
        ]
    )
    assert [r["activation"] for r in results] == ["sigmoid", "prelu"]
    assert (out / "activations.png").read_bytes()[:4] == b"\x89PNG"
    saved = json.loads((out / "results.json").read_text())
    assert saved[0]["activation"] == "sigmoid" and 0.0 <= saved[0]["test_accuracy"] <= 1.0
    assert len(results[1]["prelu_slopes"]) == 3  # one learned slope per hidden layer
    assert results[0]["init_ratio"] > 0
    text = capsys.readouterr().out
    assert "grad ratio at init" in text and "PReLU slopes" in text


def test_activations_rejects_unknown_names(tmp_path: Path) -> None:
    example = load("activations")
    with pytest.raises(SystemExit):
        example.main(["--activations", "swish", "--out", str(tmp_path)])


def test_scalar_neuron(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = load("scalar_neuron")
    out = tmp_path / "sn"
    result = example.main(["--steps", "3", "--out", str(out)])
    if have_dot():
        svg = (out / "neuron.svg").read_text(encoding="utf-8")
        assert "<svg" in svg and "data 0.6351" in svg and "grad 1.0000" in svg
        assert sorted(os.listdir(out)) == ["mlp.svg", "neuron.svg"]  # no DOT files beside
    else:
        assert (out / "neuron.gv").exists() and (out / "mlp.gv").exists()
    assert len(result["losses"]) == 3
    text = capsys.readouterr().out
    assert "step 1: o = tanh(n)" in text
    assert "do/d(w1) += 0.5966 * 2.0000 = 1.1932" in text
