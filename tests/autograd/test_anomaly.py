"""Anomaly mode, the `where` trap, and nan-free gradients of composite ops."""

import importlib.util
import sys

import numpy as np
import pytest

import autograd as ag
from autograd import Value, anomaly
from autograd.anomaly import creation_site


def test_backward_nan_names_op_shapes_and_user_line():
    x = Value(np.array([0.0, 4.0]))
    with ag.detect_anomaly(), np.errstate(invalid="ignore", divide="ignore"):
        y = ag.where(x > 0, x.sqrt(), 0.0).sum()  # the naive pattern: nan at x = 0
        with pytest.raises(ag.AnomalyError) as info:
            y.backward()
    msg = str(info.value)
    assert "'sqrt'" in msg and "(2,)" in msg and "nan" in msg
    assert "test_anomaly.py:" in msg


def test_forward_nan_raises_at_the_operation():
    x = Value(np.array([-1.0, 2.0]))
    with (
        ag.detect_anomaly(),
        pytest.raises(ag.AnomalyError, match=r"forward output of 'log'"),
        np.errstate(invalid="ignore"),
    ):
        x.log()


def test_without_anomaly_mode_nothing_is_recorded():
    x = Value(np.array([1.0]))
    y = x.exp()
    assert creation_site(y) is None
    with ag.detect_anomaly():
        z = x.exp()
    assert "test_anomaly.py" in (creation_site(z) or "")


def test_a_later_node_that_reuses_the_id_of_a_recorded_one_has_no_site():
    x = Value(np.array([1.0]))
    with ag.detect_anomaly():
        z = x.exp()
    zid = id(z)
    del z
    # CPython's allocator hands out every freed block of a size before it takes new
    # memory: among enough later Values, one reuses z's address.
    later = [Value(1.0) for _ in range(10_000)]
    reused = [v for v in later if id(v) == zid]
    assert reused
    assert creation_site(reused[0]) is None


def test_where_trap_safe_pattern_gives_finite_gradient():
    x = Value(np.array([0.0, -1.0, 4.0]))
    with np.errstate(invalid="ignore", divide="ignore"):
        naive = ag.where(x > 0, x.sqrt(), 0.0).sum()
        naive.backward()
    assert np.isnan(x.grad[0])  # 0 * inf: what IEEE arithmetic (and PyTorch, JAX) give
    x.zero_grad()
    safe_x = ag.where(x > 0, x, 1.0)  # keep the untaken branch's input in its domain
    safe = ag.where(x > 0, safe_x.sqrt(), 0.0).sum()
    safe.backward()
    np.testing.assert_allclose(x.grad, [0.0, 0.0, 0.25])


@pytest.mark.parametrize("value", [-1e4, -30.0, 0.0, 30.0, 1e4])
def test_composite_ops_have_finite_gradients_at_extremes_and_kinks(value):
    x = Value(np.full(3, value))
    outs = [
        x.softplus(),
        x.elu(),
        x.sigmoid(),
        x.tanh(),
        x.clip(-1.0, 1.0),
        x.maximum(0.0),
        x.minimum(0.0),
        x.relu(),
        x.leaky_relu(),
        x.abs(),
        (x * np.array([1.0, -1.0, 0.5])).log_softmax(),
        (x * np.array([1.0, -1.0, 0.5])).softmax(),
        (x * np.array([1.0, -1.0, 0.5])).logsumexp(),
    ]
    for out in outs:
        x.zero_grad()
        assert np.isfinite(out.data).all(), out.op
        out.sum().backward()
        assert np.isfinite(x.grad).all(), out.op


@pytest.mark.parametrize("value", [-1e4, 0.0, 1e4])
def test_losses_have_finite_gradients_for_extreme_logits_and_probabilities(value):
    import nn

    z = Value(np.array([[value, -value], [0.0, value]]))
    for loss in (
        nn.CrossEntropyLoss()(z, np.array([0, 1])),
        nn.BCEWithLogitsLoss()(z, np.array([[1.0, 0.0], [0.0, 1.0]])),
        ag.softmax_cross_entropy(z, labels=np.array([1, 0])),
    ):
        z.zero_grad()
        loss.backward()
        assert np.isfinite(loss.data) and np.isfinite(z.grad).all()
    p = Value(np.array([[0.0, 1.0], [0.5, 1.0]]))  # probabilities at the ends of [0, 1]
    bce = nn.BCELoss()(p, np.array([[1.0, 0.0], [1.0, 1.0]]))
    bce.backward()
    assert np.isfinite(bce.data) and np.isfinite(p.grad).all()


def _line_after_this_call() -> int:
    """The line number just after the caller's line (where the call under test is)."""
    return sys._getframe(1).f_lineno + 1


def test_a_nan_made_inside_an_nn_layer_is_reported_at_the_users_line():
    import nn  # nn registers its package as library code: frames inside it are skipped

    layer = nn.Linear(2, 1)
    layer.weight.data = np.full_like(layer.weight.data, np.nan)
    with ag.detect_anomaly(), pytest.raises(ag.AnomalyError) as info:
        line = _line_after_this_call()
        layer(np.ones((3, 2)))
    msg = str(info.value)
    assert f"created at {__file__}:{line}" in msg
    assert "layers.py" not in msg


def test_skip_frames_from_makes_any_directory_library_code(tmp_path, monkeypatch):
    # Undo the registration afterwards: the registry is process-wide.
    monkeypatch.setattr(anomaly, "_LIBRARY_DIRS", anomaly._LIBRARY_DIRS)
    lib = tmp_path / "mylib"
    lib.mkdir()
    (lib / "helper.py").write_text("def make(x):\n    return x.log()\n")
    spec = importlib.util.spec_from_file_location("mylib_helper", lib / "helper.py")
    assert spec is not None and spec.loader is not None
    helper = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helper)
    x = Value(np.array([1.0, 2.0]))
    with ag.detect_anomaly():
        before = helper.make(x)
    assert creation_site(before) == f"{lib / 'helper.py'}:2"  # not yet library code
    anomaly.skip_frames_from(lib)
    with ag.detect_anomaly():
        line = _line_after_this_call()
        after = helper.make(x)
    assert creation_site(after) == f"{__file__}:{line}"
    with pytest.raises(ValueError, match="skip_frames_from"):
        anomaly.skip_frames_from(tmp_path / "missing")
