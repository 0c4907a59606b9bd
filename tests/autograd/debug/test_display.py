"""What Jupyter shows for a Value, a worked backward pass and a picture (also without
the Graphviz program `dot`), and how wide pictures get.

Display goes through IPython's own formatter, as a notebook cell's last line does.
Tests that lay a picture out with `dot` fail (not skip) when the CI environment variable
is set and `dot` is missing.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import graphviz
import numpy as np
import pytest
from IPython.core.formatters import DisplayFormatter

import autograd as ag
import nn
from autograd import Value
from autograd.debug.layout import SLIDE_WIDTH_IN
from autograd.debug.render import DISPLAY_HINT, render
from tests.autograd.debug.graphs import micrograd_expression

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
SLIDE_PT = SLIDE_WIDTH_IN * 72  # 1,920 px at 96 dpi, as an SVG from graphviz writes it


def shown(obj: Any) -> dict[str, Any]:
    """What a notebook shows for `obj` as a cell's last line: mimetype -> data."""
    data, _ = DisplayFormatter().format(obj)
    return data


def require_dot() -> None:
    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but the Graphviz program 'dot' is not installed")
        pytest.skip("the Graphviz program 'dot' is not installed (apt-get install graphviz)")


def svg_width_pt(svg: str) -> float:
    m = re.search(r'<svg width="([\d.]+)pt"', svg)
    assert m is not None, svg[:300]
    return float(m.group(1))


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scalar_mlp_loss() -> Value:
    """The loss of one point through examples/scalar_neuron.py's 3-4-4-1 MLP, after
    backward: about 200 scalar nodes, dozens of operations deep."""
    example = load_example("scalar_neuron")
    model = example.MLP([3, 4, 4, 1], seed=0)
    loss = (model(example.POINTS[0]) - example.TARGETS[0]) ** 2
    loss.backward()
    return loss


# --- explain_backward as a cell's last line -------------------------------------------


def test_explanation_shows_its_steps_not_a_count() -> None:
    L = micrograd_expression()["L"]
    ex = ag.explain_backward(L)
    data = shown(ex)
    page = data["text/html"]
    assert page.startswith("<pre>") and page.endswith("</pre>")
    for line in str(ex).splitlines():
        assert line.replace("'", "&#x27;") in page
    assert "step 3: e = a * b   (mul)" in data["text/plain"]  # IPython's terminal too
    assert data["text/plain"] == str(ex)
    assert repr(ex) == "<BackwardExplanation of L: 3 steps>"  # plain repr stays short


def test_one_step_shows_itself() -> None:
    ex = ag.explain_backward(micrograd_expression()["L"])
    data = shown(ex[1])
    assert data["text/plain"] == str(ex[1])
    assert "step 2: d = e + c   (add)" in data["text/html"]


def test_html_of_an_explanation_escapes_names() -> None:
    a = Value(2.0, name="<a&b>")
    ex = ag.explain_backward((a * a).tanh())
    page = shown(ex)["text/html"]
    assert "&lt;a&amp;b&gt;" in page and "<a&b>" not in page


# --- a Value as a cell's last line ------------------------------------------------------


def test_scalar_value_shows_name_data_grad_and_op() -> None:
    v = micrograd_expression()
    v["L"].backward()
    page = shown(v["e"])["text/html"]
    assert "Value <b>e</b>" in page
    assert "data <b>-6.0000</b>" in page and "grad <b>-2.0000</b>" in page
    assert "op <code>mul</code>" in page
    leaf = shown(v["a"])["text/html"]
    assert "data <b>2.0000</b>" in leaf and "grad <b>6.0000</b>" in leaf and "leaf" in leaf
    assert len(page) < 300  # one small line
    assert shown(v["e"])["text/plain"] == repr(v["e"])


def test_tensor_value_shows_shape_summaries_and_constants() -> None:
    w = Value(np.arange(12.0).reshape(3, 4), name="w")
    y = (w * 2.0).sum()
    page = shown(w)["text/html"]
    assert "(3, 4) float64" in page and "mean 5.5000" in page and "grad <b>None</b>" in page
    y.backward()
    assert "grad <b>norm 6.9282</b>" in shown(w)["text/html"]
    assert "op <code>sum</code>" in shown(y)["text/html"]
    c = Value(np.ones(2), requires_grad=False)
    assert "constant" in shown(c)["text/html"] and "grad" not in shown(c)["text/html"]
    assert "&lt;" in shown(Value(1.0, name="<x>"))["text/html"]


def test_parameters_display_alike() -> None:
    layer = nn.Linear(2, 3)
    assert "(2, 3) float32" in shown(layer.weight)["text/html"]


# --- a picture as a cell's last line ----------------------------------------------------


def test_picture_without_dot_shows_the_install_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    picture = ag.draw_graph(micrograd_expression()["L"])
    monkeypatch.setenv("PATH", str(tmp_path))  # `dot` cannot be found
    data = shown(picture)
    assert data == {"text/plain": DISPLAY_HINT}
    assert "apt-get install graphviz" in DISPLAY_HINT and "brew install graphviz" in DISPLAY_HINT
    assert "Traceback" not in capsys.readouterr().err
    # the rich forms graphviz offers, called directly, raise the same message
    for method in ("_repr_image_svg_xml", "_repr_image_png", "pipe"):
        with pytest.raises(graphviz.ExecutableNotFound) as err:
            getattr(picture, method)()
        assert str(err.value) == DISPLAY_HINT
    # nn.plot_model's pictures are the same kind (it writes the DOT source, then says so)
    model = nn.Sequential(nn.Dense(3, input_dim=2))
    with pytest.raises(graphviz.ExecutableNotFound, match="apt-get install graphviz"):
        nn.plot_model(model, tmp_path / "model.svg")
    assert (tmp_path / "model.gv").exists()


def test_picture_with_dot_shows_an_svg() -> None:
    require_dot()
    L = micrograd_expression()["L"]
    L.backward()
    svg = shown(ag.draw_graph(L))["image/svg+xml"]
    assert "<svg" in svg and "grad 6.0000" in svg


# --- files ----------------------------------------------------------------------------------


def test_a_failed_render_leaves_the_old_picture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "g.svg"
    target.write_text("old picture")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(graphviz.ExecutableNotFound, match=r"g\.gv"):
        render(ag.draw_graph(micrograd_expression()["L"]), target)
    assert target.read_text() == "old picture"
    assert sorted(os.listdir(tmp_path)) == ["g.gv", "g.svg"]


def test_render_replaces_a_picture_and_writes_nothing_else(tmp_path: Path) -> None:
    require_dot()
    target = tmp_path / "g.png"
    target.write_text("old picture")
    render(ag.draw_graph(micrograd_expression()["L"]), target)
    assert target.read_bytes()[:4] == b"\x89PNG"
    assert os.listdir(tmp_path) == ["g.png"]


# --- how wide pictures get ------------------------------------------------------------------


def test_a_deep_graph_runs_top_to_bottom_a_shallow_one_left_to_right() -> None:
    deep = ag.draw_graph(scalar_mlp_loss())
    assert deep.graph_attr["rankdir"] == "TB"
    shallow = ag.draw_graph(micrograd_expression()["L"])
    assert shallow.graph_attr["rankdir"] == "LR"  # micrograd's layout, where it fits
    assert ag.draw_graph(scalar_mlp_loss(), rankdir="LR").graph_attr["rankdir"] == "LR"
    for picture in (deep, shallow):
        assert picture.graph_attr["size"].startswith(f"{SLIDE_WIDTH_IN:g},")


def test_scalar_records_stack_their_fields_when_the_picture_runs_down() -> None:
    L = micrograd_expression()["L"]
    L.backward()
    across = ag.draw_graph(L, rankdir="LR").source
    down = ag.draw_graph(L, rankdir="TB").source
    assert 'label="{ L | data -8.0000 | grad 1.0000 }"' in across
    assert 'label="{ L | data -8.0000 | grad 1.0000 }"' in down  # braces flip it in TB
    assert "rankdir=TB" in down and "rankdir=LR" in across


def test_example_pictures_fit_a_slide(tmp_path: Path) -> None:
    require_dot()
    example = load_example("scalar_neuron")
    result = example.main(["--steps", "2", "--out", str(tmp_path)])
    for key in ("neuron", "mlp"):
        svg = Path(str(result[key])).read_text(encoding="utf-8")
        assert svg_width_pt(svg) <= SLIDE_PT
    # without the cap the MLP would be wider than a slide: the direction alone is not enough
    picture = ag.draw_graph(scalar_mlp_loss())
    del picture.graph_attr["size"]
    assert svg_width_pt(picture.pipe(format="svg", encoding="utf-8")) > SLIDE_PT
    # laid out left to right (micrograd's way) it would be several slides wide
    wide = ag.draw_graph(scalar_mlp_loss(), rankdir="LR")
    del wide.graph_attr["size"]
    assert svg_width_pt(wide.pipe(format="svg", encoding="utf-8")) > 4 * SLIDE_PT
