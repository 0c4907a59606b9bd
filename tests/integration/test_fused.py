"""Fused primitives give the results of the compositions they replace."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Value
from autograd.node import keywords_of


def _mlp_grads(fused: bool, seed: int = 0) -> tuple[float, list[np.ndarray]]:
    nn.manual_seed(seed)
    model = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 5))
    rng = np.random.default_rng(seed)
    x = Value(rng.standard_normal((8, 20)).astype(np.float32), requires_grad=False)
    y = rng.integers(0, 5, 8)
    if fused:
        loss = nn.CrossEntropyLoss()(model(x), y)
    else:  # the same network spelled with unfused operations
        l1, l2 = model[0], model[2]
        h = (x @ l1.weight + l1.bias).relu()
        z = h @ l2.weight + l2.bias
        loss = -(z.log_softmax(axis=-1)[np.arange(8), y]).mean()
    loss.backward()
    return loss.item(), [p.grad for p in model.parameters()]


def test_fused_mlp_step_equals_unfused_within_float32_tolerance():
    loss_f, grads_f = _mlp_grads(fused=True)
    loss_u, grads_u = _mlp_grads(fused=False)
    assert abs(loss_f - loss_u) < 1e-6
    for gf, gu in zip(grads_f, grads_u):
        assert gf.dtype == gu.dtype == np.float32
        np.testing.assert_allclose(gf, gu, rtol=1e-5, atol=1e-7)


def test_linear_matches_matmul_plus_bias_for_1d_2d_and_batched_inputs():
    rng = np.random.default_rng(1)
    w, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    for shape in ((4,), (5, 4), (2, 5, 4)):
        x = rng.standard_normal(shape)
        vals = []
        for fused in (True, False):
            xv, wv, bv = Value(x), Value(w), Value(b)
            out = ag.linear(xv, wv, bv) if fused else xv @ wv + bv
            (out * np.arange(out.size).reshape(out.shape)).sum().backward()
            vals.append((out.data, xv.grad, wv.grad, bv.grad))
        for a, c in zip(*vals):
            np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-12)


def test_softmax_cross_entropy_matches_log_softmax_and_is_stable():
    z = np.array([[1e4, 0.0, -1e4], [0.5, 0.1, -0.3]])
    y = np.array([2, 0])
    zf, zu = Value(z), Value(z)
    fused = ag.softmax_cross_entropy(zf, labels=y)
    unfused = -(zu.log_softmax(axis=-1)[np.arange(2), y]).mean()
    fused.backward()
    unfused.backward()
    np.testing.assert_allclose(fused.data, unfused.data)
    np.testing.assert_allclose(zf.grad, zu.grad, atol=1e-15)
    assert np.isfinite(zf.grad).all()


def test_softmax_cross_entropy_agrees_for_few_and_many_classes():
    # Few classes take a transposed layout, many the plain one: both equal log_softmax.
    rng = np.random.default_rng(2)
    for classes in (3, 128, 129, 300):
        z = rng.standard_normal((6, classes)) * 5
        y = rng.integers(0, classes, 6)
        zf, zu = Value(z), Value(z)
        fused = ag.softmax_cross_entropy(zf, labels=y)
        unfused = -(zu.log_softmax(axis=-1)[np.arange(6), y]).mean()
        fused.backward()
        unfused.backward()
        np.testing.assert_allclose(fused.data, unfused.data, rtol=1e-12)
        np.testing.assert_allclose(zf.grad, zu.grad, rtol=1e-10, atol=1e-15)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's inf - inf warnings
def test_softmax_cross_entropy_with_infinite_logits_matches_log_softmax():
    # A +inf logit at the label and elsewhere, and a row of -inf: the general path.
    z = np.array([[np.inf, 0.0, 1.0], [0.0, np.inf, 1.0], [-np.inf, -np.inf, -np.inf]])
    for y in (np.array([0, 0, 1]), np.array([1, 2, 0])):
        fused = ag.softmax_cross_entropy(z, labels=y)
        unfused = -(ag.log_softmax(z, axis=-1)[np.arange(3), y]).mean()
        np.testing.assert_equal(fused, unfused)


def test_cross_entropy_saves_its_exponentials_for_the_gradient_and_keeps_them_intact():
    rng = np.random.default_rng(3)
    z = rng.standard_normal((5, 4))
    y = rng.integers(0, 4, 5)
    loss = ag.softmax_cross_entropy(z, y)  # raw data: the loss alone, nothing saved
    assert np.ndim(loss) == 0
    zv = Value(z)
    node = ag.softmax_cross_entropy(zv, labels=y)
    kw = keywords_of(node)
    assert kw is not None and kw["saved"] is not None
    assert "saved" not in ag.draw_dot(node).source  # pictures leave it out
    node.backward(retain_graph=True)
    first = zv.grad.copy()
    zv.grad = None
    node.backward()  # the saved arrays were not changed by the first backward
    np.testing.assert_array_equal(zv.grad, first)
    # The gradient from the saved exponentials equals the one computed afresh.
    rule = ag.OPS["softmax_cross_entropy"].vjps[0]
    fresh = rule(1.0, node.data, z, y)
    np.testing.assert_allclose(first, fresh, rtol=1e-14)
