"""nn.functional: PyTorch's names and signatures, the same numbers and gradients as the
Modules (to the bit: one code path), numpy's formulas, and errors that name the function,
the argument and the shapes. Where torch is installed, its signatures and numbers too."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Value
from autograd.testing import gradcheck

RNG = np.random.default_rng(0)
NAMES = [
    "relu", "leaky_relu", "elu", "sigmoid", "tanh", "softmax", "log_softmax", "linear",
    "dropout", "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
]  # fmt: skip

# torch.nn.functional's parameters in torch 2.13 (name, default; EMPTY: none), from its
# documentation; `test_the_table_is_torchs` checks it against torch where it is installed.
E = inspect.Parameter.empty
_LOSS_TAIL = [("size_average", None), ("reduce", None), ("reduction", "mean")]
TORCH = {
    "relu": [("input", E), ("inplace", False)],
    "leaky_relu": [("input", E), ("negative_slope", 0.01), ("inplace", False)],
    "elu": [("input", E), ("alpha", 1.0), ("inplace", False)],
    "sigmoid": [("input", E)],
    "tanh": [("input", E)],
    "softmax": [("input", E), ("dim", None), ("_stacklevel", 3), ("dtype", None)],
    "log_softmax": [("input", E), ("dim", None), ("_stacklevel", 3), ("dtype", None)],
    "linear": [("input", E), ("weight", E), ("bias", None)],
    "dropout": [("input", E), ("p", 0.5), ("training", True), ("inplace", False)],
    "cross_entropy": [
        ("input", E), ("target", E), ("weight", None), ("size_average", None),
        ("ignore_index", -100), ("reduce", None), ("reduction", "mean"), ("label_smoothing", 0.0),
    ],
    "nll_loss": [
        ("input", E), ("target", E), ("weight", None), ("size_average", None),
        ("ignore_index", -100), ("reduce", None), ("reduction", "mean"),
    ],
    "mse_loss": [("input", E), ("target", E), *_LOSS_TAIL, ("weight", None)],
    "l1_loss": [("input", E), ("target", E), *_LOSS_TAIL, ("weight", None)],
    "binary_cross_entropy": [("input", E), ("target", E), ("weight", None), *_LOSS_TAIL],
    "binary_cross_entropy_with_logits": [
        ("input", E), ("target", E), ("weight", None), *_LOSS_TAIL, ("pos_weight", None),
    ],
}  # fmt: skip


def _torch() -> Any:
    """torch, where installed (the interop extra brings it); CI must have it."""
    try:
        import torch
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI is set but torch (the interop extra) is not installed")
        pytest.skip("torch is not installed (pip install -e '.[interop]')")
    return torch


# --- the namespace and the signatures ----------------------------------------------------


def test_import_styles_and_namespace() -> None:
    assert nn.functional is F
    assert "functional" in dir(nn) and "functional" in nn.__all__
    assert sorted(F.__all__) == sorted(NAMES)
    for name in NAMES:
        assert callable(getattr(F, name))


@pytest.mark.parametrize("name", NAMES)
def test_parameters_keep_torchs_names_positions_and_defaults(name: str) -> None:
    """Positional parameters are a prefix of PyTorch's, in its order, with its defaults;
    keyword-only ones are PyTorch's names with its defaults. So any call that works here
    means what it means in PyTorch (the rest is a TypeError, never another meaning)."""
    ours = list(inspect.signature(getattr(F, name)).parameters.values())
    torch_params = TORCH[name]
    positional = [p for p in ours if p.kind is p.POSITIONAL_OR_KEYWORD]
    keyword = [p for p in ours if p.kind is p.KEYWORD_ONLY]
    assert len(positional) + len(keyword) == len(ours)  # no *args, **kwargs
    assert [(p.name, p.default) for p in positional] == torch_params[: len(positional)]
    for p in keyword:
        assert (p.name, p.default) in torch_params
    if name.endswith(("loss", "entropy", "logits")):  # every option but the deprecated ones
        offered = {p.name for p in ours}
        left_out = {"size_average", "reduce"} | (
            {"weight"} if name in ("mse_loss", "l1_loss") else set()
        )
        assert offered == {n for n, _ in torch_params} - left_out


def test_the_table_is_torchs() -> None:
    torch = _torch()
    for name in NAMES:
        fn = getattr(torch.nn.functional, name)
        try:
            params = inspect.signature(fn).parameters.values()
        except ValueError:  # a builtin (linear): its documented signature
            assert fn.__doc__.lstrip().startswith("linear(input, weight, bias=None)")
            continue
        assert [(p.name, p.default) for p in params] == TORCH[name], name


# --- one code path: each function and its Module give the same bits ----------------------


def _grads_of(run: Callable[..., Any], *leaves: Value, seed: Any = None) -> tuple[Any, ...]:
    """run()'s output data and the gradients of `leaves` after backward from it (with an
    upstream gradient `seed` for a non-scalar output)."""
    for leaf in leaves:
        leaf.zero_grad()
    out = run()
    if seed is None and out.shape != ():  # the same for both runs: made from the shape
        seed = np.linspace(-1.0, 2.0, out.size).reshape(out.shape).astype(out.dtype)
    out.backward(seed)
    return (out.data, *(leaf.grad for leaf in leaves))


def _same_bits(a: tuple[Any, ...], b: tuple[Any, ...]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        x, y = np.asarray(x), np.asarray(y)
        assert x.dtype == y.dtype and x.shape == y.shape
        assert x.tobytes() == y.tobytes()


ACTIVATIONS = [
    (lambda x: F.relu(x), nn.ReLU()),
    (lambda x: F.leaky_relu(x, 0.2), nn.LeakyReLU(0.2)),
    (lambda x: F.leaky_relu(x), nn.LeakyReLU()),
    (lambda x: F.elu(x, alpha=0.5), nn.ELU(0.5)),
    (lambda x: F.sigmoid(x), nn.Sigmoid()),
    (lambda x: F.tanh(x), nn.Tanh()),
    (lambda x: F.softmax(x, dim=1), nn.Softmax(dim=1)),
    (lambda x: F.softmax(x, 0), nn.Softmax(dim=0)),
    (lambda x: F.log_softmax(x, dim=-1), nn.LogSoftmax(dim=-1)),
    (lambda x: F.log_softmax(x, dim=0), nn.LogSoftmax(dim=0)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("function", "module"), ACTIVATIONS)
def test_activation_is_its_module(function: Callable[..., Any], module: Any, dtype: Any) -> None:
    x = Value(RNG.normal(scale=3.0, size=(5, 4)).astype(dtype))
    seed = RNG.normal(size=(5, 4)).astype(dtype)
    _same_bits(
        _grads_of(lambda: function(x), x, seed=seed), _grads_of(lambda: module(x), x, seed=seed)
    )


def _labels() -> np.ndarray:
    return np.array([0, 2, 1, 2, 0])


def _probs(shape: tuple[int, ...]) -> np.ndarray:
    return RNG.uniform(0.01, 0.99, size=shape)


LOSSES = [
    ("mse_loss", nn.MSELoss, lambda: RNG.normal(size=(5, 3)), lambda: RNG.normal(size=(5, 3))),
    ("l1_loss", nn.L1Loss, lambda: RNG.normal(size=(5, 3)), lambda: RNG.normal(size=(5, 3))),
    ("binary_cross_entropy", nn.BCELoss, lambda: _probs((5, 1)), lambda: _probs((5, 1))),
    (
        "binary_cross_entropy_with_logits",
        nn.BCEWithLogitsLoss,
        lambda: RNG.normal(scale=4.0, size=(5, 2)),
        lambda: RNG.integers(0, 2, size=(5, 2)).astype(float),
    ),
    ("cross_entropy", nn.CrossEntropyLoss, lambda: RNG.normal(size=(5, 3)), _labels),
    (
        "cross_entropy",
        nn.CrossEntropyLoss,
        lambda: RNG.normal(size=(5, 3)),
        lambda: RNG.dirichlet(np.ones(3), size=5),
    ),
    (
        "nll_loss",
        nn.NLLLoss,
        lambda: np.log(RNG.dirichlet(np.ones(3), size=5)),
        _labels,
    ),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(("name", "module", "make_input", "make_target"), LOSSES)
def test_loss_is_its_module(
    name: str, module: Any, make_input: Any, make_target: Any, reduction: str
) -> None:
    x, target = Value(make_input()), make_target()
    loss_fn = module(reduction=reduction)
    function = getattr(F, name)
    ours = _grads_of(lambda: function(x, target, reduction=reduction), x)
    theirs = _grads_of(lambda: loss_fn(x, target), x)
    _same_bits(ours, theirs)


W3 = np.array([0.5, 2.0, 1.25])
LABELS_IGNORED = np.array([0, -100, 2, 1, -100])
W_ROWS, W2 = np.array([[1.0], [2], [0], [1], [3]]), np.array([2.0, 1.0])
POS = {"pos_weight": np.array([3.0, 0.5])}
OPTIONS = [  # (function, Module, input, target, weight, other options)
    ("cross_entropy", nn.CrossEntropyLoss, (5, 3), _labels(), W3, {}),
    ("cross_entropy", nn.CrossEntropyLoss, (5, 3), _labels(), None, {"ignore_index": 2}),
    ("cross_entropy", nn.CrossEntropyLoss, (5, 3), LABELS_IGNORED, None, {}),
    ("cross_entropy", nn.CrossEntropyLoss, (5, 3), _labels(), None, {"label_smoothing": 0.2}),
    (
        "cross_entropy",
        nn.CrossEntropyLoss,
        (5, 3),
        LABELS_IGNORED,
        W3,
        {"label_smoothing": 0.1, "ignore_index": -100},
    ),
    ("cross_entropy", nn.CrossEntropyLoss, (5, 3), "probabilities", W3, {"label_smoothing": 0.3}),
    ("nll_loss", nn.NLLLoss, (5, 3), LABELS_IGNORED, W3, {}),
    ("nll_loss", nn.NLLLoss, (5, 3), _labels(), W3, {"ignore_index": 0}),
    ("binary_cross_entropy", nn.BCELoss, (5, 2), "binary", W_ROWS, {}),
    ("binary_cross_entropy_with_logits", nn.BCEWithLogitsLoss, (5, 2), "binary", None, POS),
    ("binary_cross_entropy_with_logits", nn.BCEWithLogitsLoss, (5, 2), "binary", W2, POS),
]  # fmt: skip


def _option_case(name: str, shape: tuple[int, ...], target: Any) -> tuple[np.ndarray, Any]:
    if name == "binary_cross_entropy":
        return _probs(shape), RNG.integers(0, 2, size=shape).astype(float)
    x = RNG.normal(scale=2.0, size=shape)
    if name == "nll_loss":
        x = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    if isinstance(target, str):
        target = (
            RNG.dirichlet(np.ones(shape[1]), size=shape[0])
            if target == "probabilities"
            else RNG.integers(0, 2, size=shape).astype(float)
        )
    return x, target


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(("name", "module", "shape", "target", "weight", "options"), OPTIONS)
def test_loss_options_are_the_modules(
    name: str,
    module: Any,
    shape: Any,
    target: Any,
    weight: Any,
    options: Any,
    reduction: str,
    dtype: Any,
) -> None:
    """PyTorch's options (weight by position, the rest by keyword) reach the function by
    the same path from F and from the Module."""
    data, t = _option_case(name, shape, target)
    x = Value(data.astype(dtype))
    function = getattr(F, name)
    loss_fn = module(weight, reduction=reduction, **options)
    ours = _grads_of(lambda: function(x, t, weight, reduction=reduction, **options), x)
    theirs = _grads_of(lambda: loss_fn(x, t), x)
    _same_bits(ours, theirs)
    assert np.asarray(ours[0]).dtype == dtype  # float64 options keep a float32 loss float32


def _reference_cross_entropy(
    z: np.ndarray,
    labels: np.ndarray,
    weight: Any,
    ignore_index: int,
    smoothing: float,
    reduction: str,
) -> Any:
    """PyTorch's documented formula, row by row."""
    n, c = z.shape
    w = np.ones(c) if weight is None else weight
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    losses, total = [], 0.0
    for i in range(n):
        if labels[i] == ignore_index:
            losses.append(0.0)
            continue
        y = labels[i]
        nll = -w[y] * logp[i, y]
        smooth = -(w * logp[i]).sum() / c
        losses.append((1 - smoothing) * nll + smoothing * smooth)
        total += w[y]
    if reduction == "none":
        return np.array(losses)
    return sum(losses) if reduction == "sum" else sum(losses) / total


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("weight", [None, W3])
def test_cross_entropy_options_against_the_formula(
    reduction: str, smoothing: float, weight: Any
) -> None:
    z = RNG.normal(size=(6, 3))
    labels = np.array([2, 0, 1, 1, 0, 2])
    options = {"ignore_index": 1, "label_smoothing": smoothing}
    got = F.cross_entropy(Value(z), labels, weight, reduction=reduction, **options)
    expected = _reference_cross_entropy(z, labels, weight, 1, smoothing, reduction)
    np.testing.assert_allclose(got.data, expected, rtol=1e-12)
    scalar = "sum" if reduction == "none" else reduction  # gradcheck needs a number
    gradcheck(lambda v: F.cross_entropy(v, labels, weight, reduction=scalar, **options), z)


def test_binary_options_against_the_formula() -> None:
    z = np.array([[-30.0, 0.5], [2.0, -1.0], [40.0, 0.0]])
    y = np.array([[1.0, 0.0], [0.3, 1.0], [0.0, 1.0]])
    pos, w = np.array([3.0, 0.5]), np.array([[2.0], [1.0], [0.5]])
    log_sig, log_one_minus = -np.logaddexp(0, -z), -np.logaddexp(0, z)
    expected = -w * (pos * y * log_sig + (1 - y) * log_one_minus)
    got = F.binary_cross_entropy_with_logits(Value(z), y, w, pos_weight=pos, reduction="none")
    np.testing.assert_allclose(got.data, expected, rtol=1e-12)
    gradcheck(lambda v: F.binary_cross_entropy_with_logits(v, y, w, pos_weight=pos), z)
    p = np.array([[0.1, 0.8], [0.5, 0.999]])
    t = np.array([[0.0, 1.0], [1.0, 0.0]])
    bce = -(t * np.log(p) + (1 - t) * np.log1p(-p))
    np.testing.assert_allclose(
        F.binary_cross_entropy(Value(p), t, np.array([1.0, 3.0])).data, (bce * [1.0, 3.0]).mean()
    )


def test_ignored_labels() -> None:
    z = Value(RNG.normal(size=(4, 3)))
    everything_ignored = F.cross_entropy(z, np.full(4, -100))
    assert np.isnan(everything_ignored.data)  # 0 / 0, as PyTorch
    assert F.cross_entropy(z, np.full(4, -100), reduction="sum").data == 0.0
    loss = F.cross_entropy(z, np.array([0, -100, 2, -100]))
    loss.backward()
    np.testing.assert_array_equal(z.grad[[1, 3]], 0.0)  # ignored rows get no gradient
    np.testing.assert_allclose(
        loss.data, F.cross_entropy(Value(z.data[[0, 2]]), np.array([0, 2])).data, rtol=1e-12
    )
    per_row = F.nll_loss(
        Value(np.log(np.full((3, 2), 0.5))), np.array([1, 7, 0]), ignore_index=7, reduction="none"
    )
    np.testing.assert_allclose(per_row.data, [np.log(2), 0.0, np.log(2)])


def test_option_errors() -> None:
    z, labels = Value(np.zeros((2, 3))), np.array([0, 1])
    with pytest.raises(
        ValueError,
        match=r"cross_entropy: weight must have one value per class, shape \(3,\) .* \(2,\)",
    ):
        F.cross_entropy(z, labels, np.ones(2))
    with pytest.raises(TypeError, match=r"cross_entropy: weight must be a constant"):
        F.cross_entropy(z, labels, Value(np.ones(3)))
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\], got 1.5"):
        F.cross_entropy(z, labels, label_smoothing=1.5)
    with pytest.raises(TypeError, match=r"ignore_index must be an int"):
        F.nll_loss(z, labels, ignore_index=0.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"ignore_index=1 is for integer labels"):
        F.cross_entropy(z, np.full((2, 3), 1 / 3), ignore_index=1)
    with pytest.raises(ValueError, match=r"label 3 at position 1 is out of range"):
        F.cross_entropy(z, np.array([-100, 3]))  # ignored rows do not hide a bad label
    with pytest.raises(
        ValueError, match=r"pos_weight of shape \(3,\) does not broadcast .* \(2, 2\)"
    ):
        F.binary_cross_entropy_with_logits(
            Value(np.zeros((2, 2))), np.ones((2, 2)), pos_weight=np.ones(3)
        )
    with pytest.raises(TypeError, match=r"BCELoss: weight must be numbers"):
        nn.BCELoss("sum")  # PyTorch's first argument is weight; reduction is a keyword
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: label_smoothing must be in"):
        nn.CrossEntropyLoss(label_smoothing=-0.1)
    with pytest.raises(ValueError, match=r"NLLLoss: weight must have one value per class"):
        nn.NLLLoss(np.ones(4))(z, labels)


def _gradient_seed(out_shape: tuple[int, ...]) -> np.ndarray:
    return RNG.normal(size=out_shape).astype(np.float32)


def test_linear_is_the_layer_with_its_weight_transposed() -> None:
    nn.manual_seed(0)
    layer = nn.Linear(4, 3)
    x = Value(RNG.normal(size=(6, 4)).astype(np.float32))
    seed = _gradient_seed((6, 3))
    leaves = (x, layer.weight, layer.bias)
    ours = _grads_of(lambda: F.linear(x, layer.weight.T, layer.bias), *leaves, seed=seed)
    theirs = _grads_of(lambda: layer(x), *leaves, seed=seed)
    _same_bits(ours, theirs)
    no_bias = nn.Linear(4, 3, bias=False)
    _same_bits(
        _grads_of(lambda: F.linear(x, no_bias.weight.T), x, no_bias.weight, seed=seed),
        _grads_of(lambda: no_bias(x), x, no_bias.weight, seed=seed),
    )


def test_linear_takes_pytorchs_layout() -> None:
    """weight (out, in): y = x W^T + b; dW = g^T x, db = sum g, dx = g W."""
    x = Value(RNG.normal(size=(6, 4)))
    w = Value(RNG.normal(size=(3, 4)))
    b = Value(RNG.normal(size=3))
    y = F.linear(x, w, b)
    np.testing.assert_allclose(y.data, x.data @ w.data.T + b.data, rtol=1e-12)
    g = RNG.normal(size=(6, 3))
    y.backward(g)
    np.testing.assert_allclose(w.grad, g.T @ x.data, rtol=1e-12)
    np.testing.assert_allclose(b.grad, g.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(x.grad, g @ w.data, rtol=1e-12)
    assert w.grad.shape == (3, 4)
    # a batch of any rank, raw arrays in and out (constants: no graph)
    raw = F.linear(RNG.normal(size=(2, 5, 4)), w.data, b.data)
    assert isinstance(raw, np.ndarray) and raw.shape == (2, 5, 3)
    # a layer given PyTorch's weight, transposed, computes the same numbers
    layer = nn.Linear(4, 3).to(np.float64)
    layer.weight.data = w.data.T.copy()
    layer.bias.data = b.data.copy()
    np.testing.assert_allclose(layer(x.data).data, y.data, rtol=1e-12)


@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_dropout_is_the_layer(p: float) -> None:
    x = Value(RNG.normal(size=(8, 5)).astype(np.float32))
    seed = _gradient_seed((8, 5))
    layer = nn.Dropout(p).train()
    nn.manual_seed(3)
    ours = _grads_of(lambda: F.dropout(x, p), x, seed=seed)  # training=True: PyTorch's default
    nn.manual_seed(3)
    theirs = _grads_of(lambda: layer(x), x, seed=seed)
    _same_bits(ours, theirs)
    assert F.dropout(x, p, training=False) is x and layer.eval()(x) is x


def test_dropout_statistics() -> None:
    """Kept elements are scaled by 1 / (1 - p), so the mean is kept."""
    nn.manual_seed(0)
    y = F.dropout(np.ones((200, 200)), p=0.25)
    kept = y[y != 0]
    np.testing.assert_allclose(kept, 1 / 0.75)
    assert abs(kept.size / y.size - 0.75) < 0.01


# --- numpy's formulas ----------------------------------------------------------------


def _softmax(z: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


ELEMENTWISE = [
    (lambda x: F.relu(x), lambda z: np.maximum(z, 0)),
    (lambda x: F.leaky_relu(x, 0.1), lambda z: np.where(z > 0, z, 0.1 * z)),
    (lambda x: F.elu(x, 2.0), lambda z: np.where(z > 0, z, 2.0 * np.expm1(z))),
    (lambda x: F.sigmoid(x), lambda z: 1 / (1 + np.exp(-z))),
    (lambda x: F.tanh(x), np.tanh),
    (lambda x: F.softmax(x, dim=1), lambda z: _softmax(z, 1)),
    (lambda x: F.softmax(x, dim=0), lambda z: _softmax(z, 0)),
    (lambda x: F.log_softmax(x, dim=1), lambda z: np.log(_softmax(z, 1))),
]


@pytest.mark.parametrize(("function", "reference"), ELEMENTWISE)
def test_activation_against_numpy(function: Any, reference: Any) -> None:
    z = RNG.normal(scale=2.0, size=(4, 6))
    np.testing.assert_allclose(function(Value(z)).data, reference(z), rtol=1e-12, atol=1e-15)
    raw = function(z)  # raw data in, raw data out
    assert not isinstance(raw, Value)
    np.testing.assert_allclose(raw, reference(z), rtol=1e-12, atol=1e-15)


def test_losses_against_numpy() -> None:
    z, y = RNG.normal(size=(6, 3)), RNG.normal(size=(6, 3))
    assert np.isclose(F.mse_loss(Value(z), y).data, np.mean((z - y) ** 2), rtol=1e-12)
    assert np.isclose(F.l1_loss(Value(z), y, reduction="sum").data, np.abs(z - y).sum())
    p, t = np.array([0.2, 0.9, 0.0, 1.0]), np.array([0.0, 1.0, 1.0, 1.0])
    with np.errstate(divide="ignore"):  # log(0) = -inf, clamped at -100 as in PyTorch
        bce = -(t * np.maximum(np.log(p), -100) + (1 - t) * np.maximum(np.log1p(-p), -100))
        np.testing.assert_allclose(F.binary_cross_entropy(Value(p), t, reduction="none").data, bce)
    logits = np.array([-50.0, -1.0, 0.0, 3.0, 60.0])
    target = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    expected = np.logaddexp(0, logits) - logits * target
    np.testing.assert_allclose(
        F.binary_cross_entropy_with_logits(Value(logits), target, reduction="none").data, expected
    )
    labels = np.array([2, 0, 1, 1, 0, 2])
    logp = np.log(_softmax(z, 1))
    x = Value(z)
    loss = F.cross_entropy(x, labels)
    assert np.isclose(loss.data, -logp[np.arange(6), labels].mean(), rtol=1e-12)
    loss.backward()
    np.testing.assert_allclose(x.grad, (_softmax(z, 1) - np.eye(3)[labels]) / 6, rtol=1e-10)
    assert np.isclose(
        F.nll_loss(Value(logp), labels, reduction="sum").data, -logp[np.arange(6), labels].sum()
    )


# --- errors --------------------------------------------------------------------------


def test_inplace_and_missing_dim_are_refused() -> None:
    x = Value(np.ones((2, 3)))
    for call in (
        lambda: F.relu(x, inplace=True),
        lambda: F.leaky_relu(x, 0.1, True),
        lambda: F.elu(x, inplace=True),
        lambda: F.dropout(x, inplace=True),
    ):
        with pytest.raises(ValueError, match=r"inplace=True is not supported"):
            call()
    with pytest.raises(TypeError, match=r"softmax: give dim"):
        F.softmax(x)
    with pytest.raises(TypeError, match=r"log_softmax: give dim"):
        F.log_softmax(x)
    with pytest.raises(IndexError, match=r"softmax: dim 2 is out of range .* shape \(2, 3\)"):
        F.softmax(x, dim=2)
    with pytest.raises(TypeError, match="dim must be an int"):
        F.softmax(x, dim=1.0)  # type: ignore[arg-type]


def test_linear_errors_name_the_argument_and_shapes() -> None:
    x, w = np.ones((5, 4)), np.ones((3, 4))
    with pytest.raises(ValueError, match=r"linear: weight must have shape \(out_features, in_"):
        F.linear(x, np.ones(4))
    with pytest.raises(
        ValueError, match=r"linear: bias must have shape \(3,\) .* got shape \(4,\)"
    ):
        F.linear(x, w, np.ones(4))
    with pytest.raises(
        ValueError, match=r"linear: input of shape \(5, 3\) does not fit weight of shape \(3, 4\)"
    ):
        F.linear(np.ones((5, 3)), w)
    with pytest.raises(ValueError, match=r"linear: input of shape \(4, 3\)"):
        F.linear(Value(np.ones((4, 3))), Value(w))  # the (in, out) layout by mistake
    with pytest.raises(TypeError, match=r"linear: input must be numbers"):
        F.linear("abc", w)
    with pytest.raises(TypeError, match=r"linear: weight must be numbers"):
        F.linear(x, None)


def test_loss_and_activation_errors_name_pytorchs_arguments() -> None:
    with pytest.raises(TypeError, match=r"mse_loss: input must be numbers"):
        F.mse_loss("abc", np.ones(3))
    with pytest.raises(TypeError, match=r"cross_entropy: target must be numbers"):
        F.cross_entropy(np.ones((2, 3)), ["a", "b"])
    with pytest.raises(ValueError, match=r"mse_loss: batch sizes differ.*\(3,\).*\(4,\)"):
        F.mse_loss(Value(np.ones(3)), np.ones(4))
    with pytest.raises(ValueError, match=r"nll_loss: label 5 at position 1 is out of range"):
        F.nll_loss(Value(np.zeros((2, 3))), np.array([0, 5]))
    with pytest.raises(ValueError, match=r"binary_cross_entropy: pred must hold probabilities"):
        F.binary_cross_entropy(Value(np.array([2.0])), np.array([1.0]))
    with pytest.raises(ValueError, match=r"reduction must be one of"):
        F.l1_loss(Value(np.ones(2)), np.ones(2), reduction="avg")
    with pytest.raises(TypeError, match=r"positional argument"):
        F.mse_loss(Value(np.ones(2)), np.ones(2), "sum")  # type: ignore[misc]
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'weight'"):
        F.mse_loss(np.ones(3), np.ones(3), weight=np.ones(3))  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"relu: input must be numbers"):
        F.relu("abc")
    with pytest.raises(ValueError, match=r"dropout: p must be a probability in \[0, 1\]"):
        F.dropout(np.ones(3), p=1.5)
    with pytest.raises(TypeError, match=r"dropout: p must be a number"):
        F.dropout(np.ones(3), p="half")  # type: ignore[arg-type]


# --- against torch, where it is installed ---------------------------------------------


def test_numbers_and_gradients_match_torch() -> None:
    torch = _torch()
    tf = torch.nn.functional
    z = RNG.normal(scale=2.0, size=(5, 3))
    labels = np.array([0, 2, 1, 2, 0])
    w, b = RNG.normal(size=(4, 3)), RNG.normal(size=4)
    cases: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any]]] = [
        ("relu", F.relu, tf.relu),
        ("leaky_relu", lambda x: F.leaky_relu(x, 0.3), lambda t: tf.leaky_relu(t, 0.3)),
        ("elu", F.elu, tf.elu),
        ("sigmoid", F.sigmoid, tf.sigmoid),
        ("tanh", F.tanh, tf.tanh),
        ("softmax", lambda x: F.softmax(x, 1), lambda t: tf.softmax(t, 1)),
        ("log_softmax", lambda x: F.log_softmax(x, 0), lambda t: tf.log_softmax(t, 0)),
        (
            "linear",
            lambda x: F.linear(x, w, b),
            lambda t: tf.linear(t, torch.tensor(w), torch.tensor(b)),
        ),
        (
            "cross_entropy",
            lambda x: F.cross_entropy(x, labels),
            lambda t: tf.cross_entropy(t, torch.tensor(labels)),
        ),
        (
            "nll_loss",
            lambda x: F.nll_loss(x, labels, reduction="sum"),
            lambda t: tf.nll_loss(t, torch.tensor(labels), reduction="sum"),
        ),
        (
            "mse_loss",
            lambda x: F.mse_loss(x, z[::-1]),
            lambda t: tf.mse_loss(t, torch.tensor(z[::-1].copy())),
        ),
        ("l1_loss", lambda x: F.l1_loss(x, z * 0), lambda t: tf.l1_loss(t, torch.tensor(z * 0))),
        (
            "binary_cross_entropy_with_logits",
            lambda x: F.binary_cross_entropy_with_logits(x, (z > 0) * 1.0),
            lambda t: tf.binary_cross_entropy_with_logits(t, torch.tensor((z > 0) * 1.0)),
        ),
    ]
    for name, ours, theirs in cases:
        x = Value(z.copy())
        t = torch.tensor(z, requires_grad=True)
        y, ty = ours(x), theirs(t)
        np.testing.assert_allclose(
            y.data, ty.detach().numpy(), rtol=1e-12, atol=1e-14, err_msg=name
        )
        g = np.ones(np.shape(y.data))
        y.backward(None if g.ndim == 0 else g)
        ty.backward(torch.tensor(g))
        np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-14, err_msg=name)
    with_options: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any]]] = [
        (
            "cross_entropy options",
            lambda x: F.cross_entropy(x, ignored, w3, ignore_index=1, label_smoothing=0.2),
            lambda t: tf.cross_entropy(
                t, torch.tensor(ignored), torch.tensor(w3), ignore_index=1, label_smoothing=0.2
            ),
        ),
        (
            "cross_entropy probabilities",
            lambda x: F.cross_entropy(x, soft, w3, label_smoothing=0.1, reduction="sum"),
            lambda t: tf.cross_entropy(
                t, torch.tensor(soft), torch.tensor(w3), label_smoothing=0.1, reduction="sum"
            ),
        ),
        (
            "nll_loss options",
            lambda x: F.nll_loss(x, ignored, w3, ignore_index=1, reduction="none"),
            lambda t: tf.nll_loss(
                t, torch.tensor(ignored), torch.tensor(w3), ignore_index=1, reduction="none"
            ),
        ),
        (
            "binary_cross_entropy_with_logits options",
            lambda x: F.binary_cross_entropy_with_logits(x, binary, rows, pos_weight=w3),
            lambda t: tf.binary_cross_entropy_with_logits(
                t, torch.tensor(binary), torch.tensor(rows), pos_weight=torch.tensor(w3)
            ),
        ),
    ]
    w3 = np.array([0.5, 2.0, 1.25])
    ignored = np.array([0, 1, 2, 2, 1])
    soft = RNG.dirichlet(np.ones(3), size=5)
    binary = (z > 0.5) * 1.0
    rows = np.linspace(0.5, 2.0, 5)[:, None]
    for name, ours, theirs in with_options:
        x = Value(z.copy())
        t = torch.tensor(z, requires_grad=True)
        y, ty = ours(x), theirs(t)
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12, err_msg=name)
        g = np.ones(np.shape(y.data))
        y.backward(None if g.ndim == 0 else g)
        ty.backward(torch.tensor(g))
        np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-14, err_msg=name)
    p = RNG.uniform(0.05, 0.95, size=(5, 3))
    x, t = Value(p.copy()), torch.tensor(p, requires_grad=True)
    y, ty = (
        F.binary_cross_entropy(x, p[::-1]),
        tf.binary_cross_entropy(t, torch.tensor(p[::-1].copy())),
    )
    y.backward()
    ty.backward()
    np.testing.assert_allclose(y.data, ty.item(), rtol=1e-12)
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12)
