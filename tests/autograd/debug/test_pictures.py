"""Graph pictures (draw_graph).

The DOT source is checked directly (node and edge counts, labels); rendering uses the
real `dot` program: when the CI environment variable is set and `dot` is missing, the
rendering test fails instead of skipping, so CI cannot silently lose it.
"""

from __future__ import annotations

import copy
import gc
import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import graphviz
import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Value
from autograd.debug.render import render
from autograd.debug.style import WARNING_FILL
from tests.autograd.debug.graphs import micrograd_expression

# --- helpers ------------------------------------------------------------------------------


def nodes_and_edges(dot: graphviz.Digraph) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Node id -> label, and (tail, head) edges, read from the DOT source."""
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str]] = []
    for line in dot.body:
        line = line.strip()
        m = re.match(r"^(\S+) -> (\S+)", line)
        if m:
            edges.append((m.group(1), m.group(2)))
            continue
        m = re.match(r'^(\S+) \[label=("(?:[^"\\]|\\.)*"|\S+)', line)
        if m:
            nodes[m.group(1)] = m.group(2).strip('"')
    return nodes, edges


def require_dot() -> None:
    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but the Graphviz program 'dot' is not installed")
        pytest.skip("the Graphviz program 'dot' is not installed (apt-get install graphviz)")


# --- DOT source of small graphs -----------------------------------------------------------


def test_micrograd_expression_nodes_edges_and_labels() -> None:
    v = micrograd_expression()
    v["L"].backward()
    dot = ag.draw_graph(v["L"])
    assert isinstance(dot, graphviz.Digraph)
    nodes, edges = nodes_and_edges(dot)
    values = {k: lab for k, lab in nodes.items() if not k.endswith("_op")}
    ops = {k: lab for k, lab in nodes.items() if k.endswith("_op")}
    assert len(values) == 7 and len(ops) == 3
    assert len(edges) == 9  # 3 op -> output, 6 input -> op
    labels = set(values.values())
    for text in [
        "{ a | data 2.0000 | grad 6.0000 }",
        "{ b | data -3.0000 | grad -4.0000 }",
        "{ c | data 10.0000 | grad -2.0000 }",
        "{ e | data -6.0000 | grad -2.0000 }",
        "{ d | data 4.0000 | grad -2.0000 }",
        "{ f | data -2.0000 | grad 4.0000 }",
        "{ L | data -8.0000 | grad 1.0000 }",
    ]:
        assert text in labels
    assert sorted(ops.values()) == ["*", "*", "+"]
    assert ag.draw_dot is ag.draw_graph


def test_edges_run_input_op_output() -> None:
    a, b = Value(1.5, name="a"), Value(2.0, name="b")
    out = a * b
    dot = ag.draw_graph(out)
    nodes, edges = nodes_and_edges(dot)
    ids = {lab.split(" | ")[0].strip("{ "): k for k, lab in nodes.items() if "data" in lab}
    op = next(k for k in nodes if k.endswith("_op"))
    assert (ids["a"], op) in edges and (ids["b"], op) in edges
    assert (op, ids["v3"]) in edges  # the unnamed output gets a short id


def test_before_backward_no_grad_field_and_show_flags() -> None:
    v = micrograd_expression()
    nodes, _ = nodes_and_edges(ag.draw_graph(v["L"]))
    assert all("grad" not in lab for lab in nodes.values())
    v["L"].backward()
    nodes, _ = nodes_and_edges(ag.draw_graph(v["L"], show_data=False))
    assert "{ a | grad 6.0000 }" in nodes.values()
    nodes, _ = nodes_and_edges(ag.draw_graph(v["L"], show_grad=False))
    assert "{ a | data 2.0000 }" in nodes.values()


def test_tensor_labels_shapes_summaries_and_kwargs() -> None:
    x = Value(np.arange(12, dtype=np.float32).reshape(4, 3), requires_grad=False, name="x")
    W = Value(np.ones((3, 2), dtype=np.float32), name="W")
    y = (x @ W).sum(axis=1).mean()
    y.backward()
    source = ag.draw_graph(y).source
    assert "(4, 3) float32" in source and "(3, 2) float32" in source
    assert "data mean 5.5000 std 3.4521" in source  # x: 0..11
    # W.grad[k, j] = mean over rows of x[:, k] = [4.5, 5.5, 6.5] in both columns
    assert f"grad norm {np.sqrt(2 * (4.5**2 + 5.5**2 + 6.5**2)):.4f}" in source
    assert 'label="sum(axis=1)"' in source and 'label="@"' in source
    assert 'style="filled,dashed"' in source  # the constant batch is grey


def test_raw_constants_drawn_small() -> None:
    a = Value(3.0, name="a")
    y = a * 2.0 + 1.0
    nodes, edges = nodes_and_edges(ag.draw_graph(y))
    consts = [k for k in nodes if "_c" in k]
    assert sorted(nodes[k] for k in consts) == ["1.0000", "2.0000"]
    assert "fontsize=9 shape=plaintext" in ag.draw_graph(y).source
    assert len(edges) == 2 + 4


def test_parameters_labelled_with_dotted_names() -> None:
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    x = Value(np.ones((2, 3), dtype=np.float32), requires_grad=False)
    loss = model(x).sum()
    loss.backward()
    source = ag.draw_graph(loss, model=model, rankdir="LR").source
    for name in ["0.weight", "0.bias", "2.weight", "2.bias"]:
        assert f"{{ {name} |" in source


def test_draws_after_backward_released_graph() -> None:
    a = Value(0.5, name="a")
    y = a.tanh().exp()
    y.backward()  # releases the graph: the op twins have no rules
    source = ag.draw_graph(y).source
    assert "label=tanh" in source and "label=exp" in source


def test_node_ids_are_reproducible() -> None:
    first = ag.draw_graph(micrograd_expression()["L"]).source
    second = ag.draw_graph(micrograd_expression()["L"]).source
    assert first == second


def test_unnamed_nodes_are_numbered_inputs_before_outputs() -> None:
    c = Value(3.0)  # made first, used last
    b, a = Value(2.0), Value(1.0)
    out = (a * b + a.exp()) * c
    nodes, edges = nodes_and_edges(ag.draw_graph(out))
    number = {k: int(k[1:]) for k in nodes if re.fullmatch(r"v\d+", k)}
    assert sorted(number.values()) == list(range(1, 8))  # a, b, a*b, exp, +, c, out
    ops = {k for k in nodes if k.endswith("_op")}
    into = {(t, h) for t, h in edges if t in number and h in ops}
    for op in ops:
        (result,) = (h for t, h in edges if t == op)
        assert all(number[t] < number[result] for t, h in into if h == op)


def test_a_later_value_that_reuses_the_id_of_a_call_output_is_not_taken_for_it() -> None:
    lin = nn.Linear(2, 2)
    out = lin(Value(np.ones((1, 2))))
    oid = id(out)
    del out  # the call's graph is freed; its record stays on the module
    # CPython's allocator hands out every freed block of a size before it takes new
    # memory: among enough later Values, one reuses the output's address.
    later = [Value(1.0) for _ in range(10_000)]
    reused = [v for v in later if id(v) == oid]
    assert reused
    with pytest.raises(ValueError, match="found no module call"):
        ag.draw_graph(reused[0], collapse="modules", model=lin)


# --- big graphs ---------------------------------------------------------------------------


def test_max_nodes_error_suggests_what_applies_to_the_graph() -> None:
    x = Value(1.0, name="x")
    y = x
    for _ in range(300):
        y = y + 1.0
    # a hand-built scalar graph: no modules to collapse
    with pytest.raises(ValueError, match=r"max_nodes=100.*draw a smaller part") as err:
        ag.draw_graph(y, max_nodes=100)
    assert "collapse" not in str(err.value) and "one neuron" in str(err.value)
    # a graph that came from modules: the collapsed view
    nn.manual_seed(0)
    model = nn.Sequential(*[nn.Linear(3, 3) for _ in range(30)])
    loss = model(np.ones((2, 3), dtype=np.float32)).sum()
    for kwargs in ({}, {"model": model}):
        with pytest.raises(ValueError, match=r'collapse="modules" with model='):
            ag.draw_graph(loss, max_nodes=50, **kwargs)
    with pytest.raises(ValueError, match=r"max_nodes=3\b.*output of one layer") as err:
        ag.draw_graph(loss, max_nodes=3, collapse="modules", model=model)
    assert "collapse=" not in str(err.value)
    # a tensor graph built by hand
    t = Value(np.ones(3))
    for _ in range(60):
        t = t * 2.0
    with pytest.raises(ValueError, match="an intermediate Value") as err:
        ag.draw_graph(t, max_nodes=50)
    assert "collapse" not in str(err.value)


def test_max_nodes_error_is_fast_on_a_huge_chain() -> None:
    x = Value(np.ones(2))
    y = x
    for _ in range(50_000):
        y = y * 1.0
    with pytest.raises(ValueError, match="max_nodes"):
        ag.draw_graph(y)  # stops walking at 500 nodes


def test_long_chain_without_recursion() -> None:
    x = Value(0.1, name="x")
    y = x
    for _ in range(3000):
        y = y + x
    nodes, _ = nodes_and_edges(ag.draw_graph(y, max_nodes=20_000))
    assert len(nodes) == 3001 + 3000 * 1  # values and ops (no raw constants)


def mlp_step(hidden: int = 6) -> tuple[nn.Module, Value]:
    nn.manual_seed(0)
    model = nn.MLP([8] + [16] * hidden + [3])
    x = Value(np.random.default_rng(0).normal(size=(5, 8)).astype(np.float32), requires_grad=False)
    loss = nn.CrossEntropyLoss()(model(x), np.array([0, 1, 2, 0, 1]))
    loss.backward(inner_grads=True)  # the boxes show their outputs' gradients
    return model, loss


def test_collapse_modules_draws_each_layer_as_one_box() -> None:
    model, loss = mlp_step(hidden=6)
    full, _ = nodes_and_edges(ag.draw_graph(loss, max_nodes=2000))
    dot = ag.draw_graph(loss, collapse="modules", model=model)
    nodes, edges = nodes_and_edges(dot)
    boxes = {k: lab for k, lab in nodes.items() if re.fullmatch(r"m\d+", k)}
    assert len(boxes) == 13  # 7 Linear + 6 ReLU
    assert len(nodes) <= 25 < len(full)
    labels = " ".join(boxes.values())
    for i in range(0, 13, 2):
        assert f"{i}: Linear" in labels
    assert "1: ReLU" in labels and "11: ReLU" in labels
    assert "in (5, 8)" in labels and "out (5, 16)" in labels and "out (5, 3)" in labels
    assert "144 params" in labels  # 8*16 + 16
    assert "grad out norm" in labels
    assert "matmul" not in dot.source and '"@"' not in dot.source
    # the boxes form a chain from the batch to the loss
    chain = [(a, b) for a, b in edges if a in boxes and b in boxes]
    assert len(chain) == 12
    assert "rankdir=TB" in dot.source  # a tall chain fits a screen


def test_collapse_keeps_dense_activation_inside_its_box() -> None:
    nn.manual_seed(0)
    model = nn.Sequential(nn.Dense(8, activation="relu", input_dim=4), nn.Dense(2))
    x = Value(np.ones((3, 4), dtype=np.float32), requires_grad=False)
    loss = model(x).sum()
    loss.backward()
    nodes, _ = nodes_and_edges(ag.draw_graph(loss, collapse="modules", model=model))
    boxes = [lab for k, lab in nodes.items() if re.fullmatch(r"m\d+", k)]
    assert len(boxes) == 2
    assert any(lab.startswith("0: Dense") for lab in boxes)
    assert not any("ReLU" in lab for lab in boxes)


def test_collapse_needs_model_and_a_matching_call() -> None:
    model, loss = mlp_step(hidden=1)
    with pytest.raises(ValueError, match="needs model"):
        ag.draw_graph(loss, collapse="modules")
    with pytest.raises(ValueError, match='collapse must be None or "modules"'):
        ag.draw_graph(loss, collapse="layers", model=model)
    model(Value(np.ones((2, 8), dtype=np.float32), requires_grad=False))  # a newer call
    with pytest.raises(ValueError, match="right after the step"):
        ag.draw_graph(loss, collapse="modules", model=model)


def test_module_call_record_keeps_no_graph_alive() -> None:
    nn.manual_seed(0)
    lin = nn.Linear(2, 3)
    x = Value(np.ones((1, 2), dtype=np.float32), requires_grad=False)
    out = lin(x)
    rec = lin._last_call
    assert rec.input_shapes == [(1, 2)] and rec.output_shapes == [(1, 3)]
    assert not any(isinstance(o, Value) for o in gc.get_referents(rec))
    ref = out  # the output is freed by reference counting alone
    alive = sum(1 for o in gc.get_objects() if isinstance(o, Value))
    del out, ref
    assert sum(1 for o in gc.get_objects() if isinstance(o, Value)) < alive
    assert [n for n, _ in lin.named_parameters()] == ["weight", "bias"]
    assert "_last_call" not in repr(lin)
    assert copy.deepcopy(lin)._last_call.output_shapes == [(1, 3)]
    pickle.loads(pickle.dumps(lin))
    with ag.no_grad():
        lin(x)
    assert lin._last_call is rec  # nothing recorded under no_grad


# --- warnings and colours -----------------------------------------------------------------


def test_nan_and_inf_are_drawn_in_the_warning_colour() -> None:
    a = Value(0.0, name="a")
    y = a.log()  # -inf
    y.name = "y"
    z = y * 0.0  # nan
    source = ag.draw_graph(z).source
    assert source.count(WARNING_FILL) == 2
    assert "nan or inf" in source  # the legend
    assert "data -inf" in source and "data nan" in source
    ok = ag.draw_graph(Value(1.0) * 2.0).source
    assert WARNING_FILL not in ok and "legend" not in ok


def test_nan_in_gradient_only_is_flagged() -> None:
    a = Value(0.0, name="a")
    y = a.sqrt()  # d/da = 1 / (2 sqrt(0)) = inf
    y.backward()
    nodes, _ = nodes_and_edges(ag.draw_graph(y))
    assert "{ a | data 0.0000 | grad inf }" in nodes.values()
    assert "grad has nan/inf" in ag.draw_graph(y).source  # the tooltip


def test_inner_gradients_not_kept_are_labelled_so() -> None:
    w = Value(np.full(3, 0.5), name="w")
    h = (w * 2.0).sum()
    before = ag.draw_graph(h).source
    assert "not kept" not in before  # no backward yet: nothing to explain
    h.backward()
    source = ag.draw_graph(h).source
    assert source.count("grad not kept") == 4  # two inner nodes: labels and tooltips
    assert "backward(inner_grads=True) keeps them" in source  # the legend
    assert "| grad [2.0000, 2.0000, 2.0000]" in source  # the leaf's, as always
    h2 = (w * 2.0).sum()
    h2.backward(inner_grads=True)
    assert "not kept" not in ag.draw_graph(h2).source


def test_color_by_grad_fills_by_magnitude() -> None:
    w = Value(np.full(3, 0.5), name="w")
    y = ((w * 1e-4).sum() * 100.0).tanh()
    y.backward(inner_grads=True)
    source = ag.draw_graph(y, color_by_grad=True).source
    assert "fill: |grad|" in source
    fills = set(re.findall(r'fillcolor="(#[0-9a-f]{6})"', source))
    assert len(fills) >= 3


# --- rendering ----------------------------------------------------------------------------


def test_render_svg_with_dot(tmp_path: Path) -> None:
    require_dot()
    L = micrograd_expression()["L"]
    L.backward()
    out = render(ag.draw_graph(L), os.path.join(str(tmp_path), "micrograd.svg"))
    text = Path(out).read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "grad 6.0000" in text
    # the Digraph's own render, as users call it
    path = ag.draw_graph(L).render(os.path.join(str(tmp_path), "step"), format="png")
    assert Path(path).read_bytes()[:4] == b"\x89PNG"
    # only what was asked for: no DOT source beside the pictures, no temporary file
    assert sorted(os.listdir(tmp_path)) == ["micrograd.svg", "step.png"]


def test_missing_dot_keeps_source_and_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` on PATH
    dot = ag.draw_graph(micrograd_expression()["L"])
    target = os.path.join(str(tmp_path), "g.svg")
    with pytest.raises(graphviz.ExecutableNotFound, match="apt-get install graphviz") as err:
        render(dot, target)
    assert "brew install graphviz" in str(err.value)
    assert os.path.exists(os.path.join(str(tmp_path), "g.gv"))
    with pytest.raises(graphviz.ExecutableNotFound, match="conda install") as err:
        dot.render(os.path.join(str(tmp_path), "h"), format="svg")
    # graphviz's source file, named as DOT source (not like the picture)
    assert os.path.exists(os.path.join(str(tmp_path), "h.gv"))
    assert not os.path.exists(os.path.join(str(tmp_path), "h"))
    assert "h.gv" in str(err.value) and "-o " in str(err.value)
    assert not os.path.exists(target)


def test_importing_autograd_does_not_import_graphviz() -> None:
    code = "import sys, autograd; print('graphviz' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    )  # fmt: skip
    assert out.stdout.strip() == "False"


def test_a_graph_not_yet_backpropagated_says_its_leaf_grads_may_be_older() -> None:
    w = Value(np.full(3, 0.5), name="w")
    (w * 2.0).sum().backward()  # an earlier step leaves w.grad behind
    w.data = w.data - 0.1 * w.grad
    h = (w * 3.0).sum()  # a new graph: no backward through it yet
    source = ag.draw_graph(h).source
    assert "not kept" not in source  # its inner nodes were never given a gradient
    assert "grad None" in source
    assert "no backward through this graph yet" in source  # the legend
    h.backward()
    source = ag.draw_graph(h).source
    assert "no backward through this graph yet" not in source
    assert "grad not kept" in source


def test_the_collapsed_and_the_plain_view_describe_the_loss_alike() -> None:
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))
    loss = nn.CrossEntropyLoss()(model(np.ones((2, 4))), np.array([0, 2]))
    loss.backward()
    plain = ag.draw_graph(loss, model=model).source
    boxed = ag.draw_graph(loss, model=model, collapse="modules").source
    assert "output of softmax_cross_entropy; shape () float32; data" in boxed
    for source in (plain, boxed):
        line = next(ln for ln in source.splitlines() if "output of softmax_cross_entropy" in ln)
        assert "grad not kept" in line
