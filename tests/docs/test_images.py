"""The pictures the README and the docs show are drawn by a script in the repository."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_neuron_picture_is_drawn_from_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but the Graphviz program 'dot' is not installed")
        pytest.skip("the Graphviz program 'dot' is not installed (apt-get install graphviz)")
    spec = importlib.util.spec_from_file_location(
        "make_images", ROOT / "docs/images/make_images.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    o = script.neuron()
    assert o.data == pytest.approx(0.9562, abs=1e-4) and o.grad == 1.0
    monkeypatch.setattr(script, "HERE", tmp_path)
    script.main()
    assert [p.name for p in tmp_path.iterdir()] == ["neuron.svg"]  # the picture, nothing beside
    svg = (tmp_path / "neuron.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for label in ("x1", "w2", "tanh", "grad 0.1284"):  # dw1 = (1 - o^2) x1
        assert label in svg
    assert (ROOT / "docs/images/neuron.svg").read_text().count('<g id="node') == svg.count(
        '<g id="node'
    )
