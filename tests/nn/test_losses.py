"""Tests for nn.losses: values, gradients, stability at 1e4, dtype, and clear errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Value
from autograd.testing import gradcheck
from nn import losses as L
from nn import torch_losses
from tests.nn.not_numbers import NOT_NUMBERS

RNG = np.random.default_rng(0)
N, C = 6, 4


def _log_softmax(z: np.ndarray) -> np.ndarray:
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def _labels() -> np.ndarray:
    return RNG.integers(0, C, size=N)


# --- values against numpy formulas ---------------------------------------------------------


def test_mse_and_l1() -> None:
    p, y = RNG.normal(size=(N, 3)), RNG.normal(size=(N, 3))
    assert nn.MSELoss()(Value(p), y).item() == pytest.approx(np.mean((p - y) ** 2))
    assert nn.L1Loss()(Value(p), y).item() == pytest.approx(np.mean(np.abs(p - y)))
    assert L.mse_loss(Value(p), y, reduction="sum").item() == pytest.approx(np.sum((p - y) ** 2))
    per = L.l1_loss(Value(p), y, reduction="none")
    np.testing.assert_allclose(per.data, np.abs(p - y))


def test_bce_on_probabilities_and_its_log_clamp() -> None:
    p = RNG.uniform(0.05, 0.95, size=(N, 1))
    y = RNG.integers(0, 2, size=(N, 1)).astype(float)
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert nn.BCELoss()(Value(p), y).item() == pytest.approx(expected)
    # p = 0 or 1 exactly: each log clamped at -100 (PyTorch's BCELoss), finite loss and
    # gradient (no nan). (tests/nn/test_torch_loss_numerics.py checks every extreme.)
    edge = Value(np.array([[0.0], [1.0], [0.0], [1.0]]))
    target = np.array([[1.0], [0.0], [0.0], [1.0]])
    loss = nn.BCELoss()(edge, target)
    assert loss.item() == pytest.approx((100 + 100 + 0 + 0) / 4)
    loss.backward()
    assert np.all(np.isfinite(edge.grad))


def test_bce_with_logits_matches_formula_and_is_stable() -> None:
    z = RNG.normal(size=(N, 2)) * 3
    y = RNG.uniform(size=(N, 2))
    expected = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    assert nn.BCEWithLogitsLoss()(Value(z), y).item() == pytest.approx(expected)
    big = Value(np.array([[1e4], [-1e4], [1e4], [-1e4]], np.float32))
    loss = nn.BCEWithLogitsLoss()(big, np.array([1, 0, 0, 1]))
    assert loss.item() == pytest.approx(1e4 / 2)  # two right (0 each), two wrong (1e4 each)
    loss.backward()
    np.testing.assert_allclose(big.grad.ravel(), [0, 0, 0.25, -0.25])


def test_cross_entropy_with_integer_labels_one_hot_and_probabilities() -> None:
    z, y = RNG.normal(size=(N, C)), _labels()
    expected = -np.mean(_log_softmax(z)[np.arange(N), y])
    assert nn.CrossEntropyLoss()(Value(z), y).item() == pytest.approx(expected)
    one_hot = np.eye(C)[y]
    assert nn.CrossEntropyLoss()(Value(z), one_hot).item() == pytest.approx(expected)
    assert nn.CrossEntropyLoss()(Value(z), one_hot.astype(int)).item() == pytest.approx(expected)
    soft = RNG.dirichlet(np.ones(C), size=N)
    expected_soft = -np.mean((soft * _log_softmax(z)).sum(axis=1))
    assert nn.CrossEntropyLoss()(Value(z), soft).item() == pytest.approx(expected_soft)
    column = y[:, None]  # Keras-style sparse labels of shape (N, 1)
    assert nn.CrossEntropyLoss()(Value(z), column).item() == pytest.approx(expected)
    per = L.cross_entropy(Value(z), y, reduction="none")
    np.testing.assert_allclose(per.data, -_log_softmax(z)[np.arange(N), y])


def test_nll_loss_after_log_softmax_equals_cross_entropy() -> None:
    z, y = RNG.normal(size=(N, C)), _labels()
    logp = nn.LogSoftmax()(Value(z))
    assert nn.NLLLoss()(logp, y).item() == pytest.approx(nn.CrossEntropyLoss()(Value(z), y).item())
    assert L.nll_loss(Value(z), y, reduction="sum").item() == pytest.approx(
        -z[np.arange(N), y].sum()
    )


def test_cross_entropy_is_stable_for_logits_of_1e4() -> None:
    z = Value(np.array([[1e4, -1e4, 0.0], [0.0, 1e4, 1e4]], np.float32))
    loss = nn.CrossEntropyLoss()(z, np.array([0, 0]))
    # row 0 right (loss 0); row 1 wrong: logsumexp - 0 = 1e4 + log 2
    assert loss.item() == pytest.approx((1e4 + np.log(2)) / 2)
    loss.backward()
    assert np.all(np.isfinite(z.grad))
    # float32 spacing near 1e4 is about 1e-3, so log_softmax there is good to about 5e-4
    np.testing.assert_allclose(z.grad, np.array([[0, 0, 0], [-0.5, 0.25, 0.25]]), atol=1e-3)


# --- gradients -------------------------------------------------------------------------------


def _target(kind: str) -> Any:
    if kind == "labels":
        return _labels()
    if kind == "probs":
        return RNG.dirichlet(np.ones(C), size=N)
    if kind == "binary":
        return RNG.uniform(size=(N, C))
    return RNG.normal(size=(N, C))


GRAD_CASES: list[tuple[str, Callable[..., Any], str, Callable[[np.ndarray], np.ndarray]]] = [
    ("mse", nn.MSELoss(), "real", lambda z: z),
    ("l1", nn.L1Loss(), "real", lambda z: z),
    ("bce", nn.BCELoss(), "binary", lambda z: 1 / (1 + np.exp(-z))),
    ("bce_logits", nn.BCEWithLogitsLoss(), "binary", lambda z: z),
    ("ce_labels", nn.CrossEntropyLoss(), "labels", lambda z: z),
    ("ce_probs", nn.CrossEntropyLoss(), "probs", lambda z: z),
    ("nll", nn.NLLLoss(), "labels", _log_softmax),
]


@pytest.mark.parametrize(
    ("loss", "kind", "make_input"), [c[1:] for c in GRAD_CASES], ids=[c[0] for c in GRAD_CASES]
)
def test_gradcheck(loss: Callable[..., Any], kind: str, make_input: Callable[..., Any]) -> None:
    x = make_input(RNG.normal(size=(N, C)))
    target = _target(kind)
    if kind == "real":  # keep |pred - target| away from L1's kink at 0
        target = x + RNG.choice([-1.0, 1.0], size=x.shape) * RNG.uniform(0.1, 1.0, size=x.shape)
    assert gradcheck(lambda v: loss(v, target), x, atol=1e-6, rtol=1e-4)


def test_bce_with_logits_gradient_is_sigmoid_minus_y_over_n() -> None:
    z = Value(RNG.normal(size=(N, 1)))
    y = RNG.integers(0, 2, size=N)
    nn.BCEWithLogitsLoss()(z, y).backward()
    expected = (1 / (1 + np.exp(-z.data.ravel())) - y) / N
    np.testing.assert_allclose(z.grad.ravel(), expected, rtol=1e-10)


# --- dtypes and shapes -------------------------------------------------------------------------


@pytest.mark.parametrize("loss", [nn.MSELoss(), nn.L1Loss(), nn.BCELoss(), nn.BCEWithLogitsLoss()])
def test_float64_targets_do_not_promote_float32_predictions(loss: nn.Module) -> None:
    p = Value(RNG.uniform(0.1, 0.9, size=(N, 1)).astype(np.float32))
    out = loss(p, RNG.integers(0, 2, size=(N, 1)).astype(np.float64))
    assert out.dtype == np.float32
    out.backward()
    assert p.grad.dtype == np.float32
    assert loss(p, Value(np.ones((N, 1)), requires_grad=False)).dtype == np.float32


def test_cross_entropy_keeps_float32() -> None:
    z = Value(RNG.normal(size=(N, C)).astype(np.float32))
    assert nn.CrossEntropyLoss()(z, _labels()).dtype == np.float32
    assert nn.CrossEntropyLoss()(z, np.eye(C)[_labels()]).dtype == np.float32


def test_column_predictions_with_flat_targets_are_not_broadcast() -> None:
    p = RNG.normal(size=(N, 1))
    y = RNG.normal(size=N)
    expected = np.mean((p.ravel() - y) ** 2)  # not the (N, N) broadcast mean
    assert nn.MSELoss()(Value(p), y).item() == pytest.approx(expected)
    assert nn.MSELoss()(Value(p.ravel()), y[:, None]).item() == pytest.approx(expected)


# --- errors ----------------------------------------------------------------------------------


def test_labels_out_of_range_name_the_label_and_the_class_count() -> None:
    z = Value(RNG.normal(size=(3, C)))
    with pytest.raises(
        ValueError, match=r"CrossEntropyLoss: label 4 at position 1 is out of range for 4 classes"
    ):
        nn.CrossEntropyLoss()(z, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match="label -1 at position 2"):
        nn.NLLLoss()(z, np.array([0, 1, -1]))


def test_float_labels_where_class_indices_are_needed() -> None:
    z = Value(RNG.normal(size=(3, C)))
    with pytest.raises(
        TypeError,
        match=r"CrossEntropyLoss: class labels must be integers, got dtype float64.*astype\(int\)",
    ):
        nn.CrossEntropyLoss()(z, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(TypeError, match=r"NLLLoss: class labels must be integers.*Value"):
        nn.NLLLoss()(z, Value(np.array([0, 1, 2])))
    with pytest.raises(TypeError, match="integers, got dtype bool"):
        nn.CrossEntropyLoss()(z, np.array([True, False, True]))


def test_mismatched_batch_sizes_say_which() -> None:
    z = Value(RNG.normal(size=(3, C)))
    with pytest.raises(
        ValueError, match="CrossEntropyLoss: batch sizes differ: scores have 3 rows, labels have 2"
    ):
        nn.CrossEntropyLoss()(z, np.array([0, 1]))
    with pytest.raises(
        ValueError, match=r"CrossEntropyLoss: batch sizes differ: predictions have 3 rows"
    ):
        nn.CrossEntropyLoss()(z, np.eye(C)[:2])
    with pytest.raises(
        ValueError, match=r"MSELoss: batch sizes differ: predictions have 3 rows.*targets have 5"
    ):
        nn.MSELoss()(z, np.zeros((5, C)))
    with pytest.raises(
        ValueError,
        match=r"BCELoss: predictions have shape \(3, 4\) but targets have shape \(3, 2\)",
    ):
        nn.BCELoss()(z, np.zeros((3, 2)))


def test_other_misuse() -> None:
    with pytest.raises(ValueError, match=r"expects scores of shape \(batch, classes\)"):
        nn.CrossEntropyLoss()(Value(np.zeros(4)), np.array([1]))
    with pytest.raises(ValueError, match=r"integer labels must have shape \(2,\)"):
        nn.CrossEntropyLoss()(Value(np.zeros((2, 3))), np.zeros((2, 1, 1), int))
    with pytest.raises(ValueError, match=r"logits have shape \(2, 3\) but target prob"):
        nn.CrossEntropyLoss()(Value(np.zeros((2, 3))), np.zeros((2, 2), int))
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 1\]"):
        nn.BCELoss()(Value(np.full((2, 1), 0.5)), np.array([[0.0], [2.0]]))
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.MSELoss(reduction="average")
    with pytest.raises(TypeError, match="MSELoss: target must be numbers"):
        nn.MSELoss()(Value(np.zeros(2)), np.array(["a", "b"]))


# --- probabilities out of range --------------------------------------------------------


def test_bce_rejects_predictions_outside_0_1_instead_of_a_zero_gradient() -> None:
    # Logits given to a probability loss: the clip would give exactly zero gradient.
    p = Value(np.array([[-1.0], [2.0]]))
    y = np.array([[1.0], [0.0]])
    pattern = (
        r"BCELoss: pred must hold probabilities in \[0, 1\], got values from -1\.0 to "
        r"2\.0 \(shape \(2, 1\)\).*BCEWithLogitsLoss"
    )
    with pytest.raises(ValueError, match=pattern):
        nn.BCELoss()(p, y)
    with pytest.raises(ValueError, match=r"^binary_cross_entropy: pred must hold"):
        L.binary_cross_entropy(p, y)
    with pytest.raises(
        ValueError, match=r"BinaryCrossentropy: y_pred must hold probabilities.*from_logits=True"
    ):
        L.BinaryCrossentropy()(y, p)
    with pytest.raises(ValueError, match=r"got values from 0\.5 to 1\.5"):
        nn.BCELoss()(Value(np.array([[0.5], [1.5]])), y)
    # Logits are what BCEWithLogitsLoss and from_logits=True take.
    assert np.isfinite(nn.BCEWithLogitsLoss()(p, y).item())
    assert np.isfinite(L.BinaryCrossentropy(from_logits=True)(y, p).item())


def test_bce_accepts_the_ends_of_0_1_and_leaves_nan_to_the_nan_checks() -> None:
    edge = Value(np.array([[0.0], [1.0]]))
    assert np.isfinite(nn.BCELoss()(edge, np.array([[0.0], [1.0]])).item())
    # nan is not "out of range": the loss is nan, which fit's nan stop reports.
    bad = Value(np.array([[np.nan], [0.5]]))
    assert np.isnan(nn.BCELoss()(bad, np.array([[1.0], [0.0]])).item())
    assert np.isnan(L.BinaryCrossentropy()(np.array([[1.0], [0.0]]), bad).item())


def test_get_loss_rejects_a_class() -> None:
    with pytest.raises(
        TypeError, match=r"^loss is the class MSELoss; pass an instance, MSELoss\(\)"
    ):
        L.get_loss(nn.MSELoss)  # type: ignore[arg-type]


# --- probabilities straight from a softmax or sigmoid: computed from the logits -------


def _grad_of(loss_fn: Any, z: np.ndarray, y: Any, activation: Any) -> tuple[float, np.ndarray]:
    zv = Value(z)
    loss = loss_fn(y, activation(zv))
    loss.backward()
    return loss.item(), zv.grad


@pytest.mark.parametrize(
    "loss_cls, y",
    [
        (nn.SparseCategoricalCrossentropy, np.array([1, 2])),
        (nn.CategoricalCrossentropy, np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_categorical_losses_of_a_softmax_output_learn_from_confident_mistakes(
    loss_cls: Any, y: np.ndarray, dtype: Any
) -> None:
    # The true classes get p = e^-17 / (1 + 2 e^-17) < 1e-7: clipped, the gradient was 0.
    z = np.array([[17.0, 0.0, 0.0], [0.5, -1.0, 2.0]], dtype=dtype)
    loss, grad = _grad_of(loss_cls(), z, y, nn.Softmax())
    ref_loss, ref_grad = _grad_of(loss_cls(from_logits=True), z, y, lambda v: v)
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-5, atol=1e-7)
    assert loss == pytest.approx(ref_loss, rel=1e-6)
    assert grad[0, 0] == pytest.approx(0.5, rel=1e-5)  # (1 - 0) / batch of 2


def test_binary_crossentropy_of_a_sigmoid_output_learns_from_confident_mistakes() -> None:
    z = np.array([[20.0], [-0.3]])
    y = np.array([[0.0], [1.0]])
    loss, grad = _grad_of(nn.BinaryCrossentropy(), z, y, nn.Sigmoid())
    ref_loss, ref_grad = _grad_of(nn.BinaryCrossentropy(from_logits=True), z, y, lambda v: v)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-12)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    assert grad[0, 0] == pytest.approx(0.5, rel=1e-8)  # sigmoid(20) - 0, over a batch of 2


def test_a_softmax_over_another_axis_is_read_as_probabilities() -> None:
    z = np.array([[2.0, 0.0], [0.0, 1.0]])
    p = nn.Softmax(axis=0)(Value(z))
    loss = nn.SparseCategoricalCrossentropy()(np.array([0, 1]), p)
    expected = -np.mean(np.log(p.data[[0, 1], [0, 1]]))
    assert loss.item() == pytest.approx(expected, rel=1e-12)


# --- arguments that are not numbers: errors name the loss, the argument and what was given --


_P = np.full((2, 2), 0.5)
_Z = np.full((2, 3), 1.0 / 3.0)
_LABELS = np.array([0, 1])
_ONE_HOT = np.eye(3)[[0, 1]]

# name: (loss, argument names in call order, good arguments in call order)
LOSSES: dict[str, tuple[Callable[[], Any], tuple[str, str], tuple[Any, Any]]] = {
    "MSELoss": (nn.MSELoss, ("pred", "target"), (_P, _P)),
    "L1Loss": (nn.L1Loss, ("pred", "target"), (_P, _P)),
    "BCELoss": (nn.BCELoss, ("pred", "target"), (_P, _P)),
    "BCEWithLogitsLoss": (nn.BCEWithLogitsLoss, ("logits", "target"), (_P, _P)),
    "CrossEntropyLoss": (nn.CrossEntropyLoss, ("logits", "target"), (_Z, _LABELS)),
    "NLLLoss": (nn.NLLLoss, ("log_probs", "target"), (np.log(_Z), _LABELS)),
    "MeanSquaredError": (nn.MeanSquaredError, ("y_true", "y_pred"), (_P, _P)),
    "MeanAbsoluteError": (nn.MeanAbsoluteError, ("y_true", "y_pred"), (_P, _P)),
    "BinaryCrossentropy": (nn.BinaryCrossentropy, ("y_true", "y_pred"), (_P, _P)),
    "CategoricalCrossentropy": (
        nn.CategoricalCrossentropy,
        ("y_true", "y_pred"),
        (_ONE_HOT, _Z),
    ),
    "SparseCategoricalCrossentropy": (
        nn.SparseCategoricalCrossentropy,
        ("y_true", "y_pred"),
        (_LABELS, _Z),
    ),
}


@pytest.mark.parametrize("case", list(NOT_NUMBERS))
@pytest.mark.parametrize("position", [0, 1])
@pytest.mark.parametrize("name", list(LOSSES))
def test_a_loss_given_an_argument_that_is_not_numbers_says_so(
    name: str, position: int, case: str
) -> None:
    make, names, good = LOSSES[name]
    data, error, message = NOT_NUMBERS[case]
    args = [Value(a) if names[i] not in ("target", "y_true") else a for i, a in enumerate(good)]
    args[position] = data
    with pytest.raises(error, match=rf"^{name}: {names[position]} {message}"):
        make()(*args)


def test_the_loss_functions_name_themselves_and_the_argument() -> None:
    with pytest.raises(ValueError, match=r"^mse_loss: target must be a rectangular array"):
        L.mse_loss(Value(np.zeros((2, 2))), [[1, 2], [3]])
    with pytest.raises(TypeError, match=r"^cross_entropy: logits must be numbers, got None"):
        L.cross_entropy(None, _LABELS)
    with pytest.raises(TypeError, match=r"^nll_loss: target must be numbers, got str 'ab'"):
        L.nll_loss(Value(np.log(_Z)), "ab")


def test_errors_about_numbers_keep_their_own_message_in_losses() -> None:
    # Numbers that do not fit still get the loss's own message, not one about types.
    with pytest.raises(ValueError, match=r"^MSELoss: batch sizes differ"):
        nn.MSELoss()(Value(np.zeros((2, 2))), [[1, 2], [3, 4], [5, 6]])
    with pytest.raises(TypeError, match=r"^CrossEntropyLoss: class labels must be integers"):
        nn.CrossEntropyLoss()(Value(_Z), [0.5, 1.0])


def test_every_loss_is_importable_from_nn_losses() -> None:
    for name in L.__all__:
        assert getattr(L, name) is not None
    for name in ("MSELoss", "CrossEntropyLoss", "cross_entropy", "nll_loss"):
        assert getattr(L, name) is getattr(torch_losses, name)
    assert isinstance(L.SparseCategoricalCrossentropy(), torch_losses.Loss)


# --- PyTorch's options on the Modules --------------------------------------------------------


def test_loss_modules_keep_and_show_their_options() -> None:
    w = np.array([1.0, 2.0, 0.5])
    ce = nn.CrossEntropyLoss(w, ignore_index=0, label_smoothing=0.1, reduction="sum")
    assert repr(ce) == (
        "CrossEntropyLoss(weight=[1. , 2. , 0.5], ignore_index=0, label_smoothing=0.1, "
        "reduction='sum')"
    )
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.BCEWithLogitsLoss(pos_weight=np.ones(10))) == (
        "BCEWithLogitsLoss(pos_weight=<array of shape (10,)>)"
    )
    assert ce.options() == {"weight": ce.weight, "ignore_index": 0, "label_smoothing": 0.1}
    w[0] = 5.0  # the Module keeps its own copy, read-only
    assert ce.weight[0] == 1.0 and not ce.weight.flags.writeable
    assert nn.NLLLoss(weight=Value(w, requires_grad=False)).weight.tolist() == w.tolist()


def test_loss_module_option_errors_name_the_module() -> None:
    with pytest.raises(TypeError, match=r"CrossEntropyLoss: weight must be a constant"):
        nn.CrossEntropyLoss(Value(np.ones(3)))
    with pytest.raises(TypeError, match=r"NLLLoss: ignore_index must be an int, got float"):
        nn.NLLLoss(ignore_index=1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"CrossEntropyLoss: label_smoothing must be a number"):
        nn.CrossEntropyLoss(label_smoothing="0.1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"BCEWithLogitsLoss: pos_weight of shape \(3,\)"):
        nn.BCEWithLogitsLoss(pos_weight=np.ones(3))(Value(np.zeros((2, 2))), np.ones((2, 2)))
    with pytest.raises(TypeError, match=r"positional argument"):
        nn.CrossEntropyLoss(None, -100)  # type: ignore[misc]


def test_weighted_losses_keep_float32() -> None:
    z = Value(RNG.normal(size=(N, C)).astype(np.float32))
    loss = nn.CrossEntropyLoss(np.linspace(0.5, 2.0, C), label_smoothing=0.1)(z, _labels())
    loss.backward()
    assert loss.dtype == np.float32 and z.grad.dtype == np.float32
    b = Value(RNG.normal(size=(N, 2)).astype(np.float32))
    out = nn.BCEWithLogitsLoss(np.ones(2), pos_weight=np.array([2.0, 3.0]))(b, np.ones((N, 2)))
    assert out.dtype == np.float32
