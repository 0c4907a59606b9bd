"""Inputs of every legal kind get the right answer, illegal ones a clear error; never a
silently wrong number (issue 20): class labels of any integer dtype and byte order,
optimizer states the constructor would refuse, complex data given to a layer or loss."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Value
from nn import losses as L
from nn import torch_losses as T
from nn.keras import metrics as M

# --- class labels of any integer dtype and byte order -----------------------------------

LABEL_DTYPES = ["<i8", ">i8", ">i4", "<i4", ">i2", "i1", "u1", "<u2", ">u2", ">u4", "u8", ">u8"]
LOGITS = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 3.0], [-2.0, 4.0, 1.0], [0.0, 0.0, 0.0]])
LABELS = np.array([0, 2, 1, 2])

# Each loss of labels, as a function of (labels, logits) returning the loss and the
# gradient of the logits.
LABEL_LOSSES: dict[str, Callable[[Any, Value], Any]] = {
    "CrossEntropyLoss": lambda y, z: nn.CrossEntropyLoss()(z, y),
    "CrossEntropyLoss column": lambda y, z: nn.CrossEntropyLoss()(z, y.reshape(-1, 1)),
    "cross_entropy sum": lambda y, z: T.cross_entropy(z, y, reduction="sum"),
    "cross_entropy none": lambda y, z: T.cross_entropy(z, y, reduction="none").sum(),
    "NLLLoss": lambda y, z: nn.NLLLoss()(nn.LogSoftmax()(z), y),
    "nll_loss sum": lambda y, z: T.nll_loss(nn.LogSoftmax()(z), y, reduction="sum"),
    "SparseCategoricalCrossentropy logits": lambda y, z: L.SparseCategoricalCrossentropy(
        from_logits=True
    )(y, z),
    "SparseCategoricalCrossentropy softmax": lambda y, z: L.SparseCategoricalCrossentropy()(
        y, nn.Softmax()(z)
    ),
    "SparseCategoricalCrossentropy probabilities": lambda y, z: L.SparseCategoricalCrossentropy()(
        y, nn.Softmax()(z) * 1.0
    ),
    "sparse_categorical_crossentropy none": lambda y, z: L.get_loss(
        "sparse_categorical_crossentropy"
    )(y, nn.Softmax()(z)),
}


def _loss_and_grad(fn: Callable[[Any, Value], Any], labels: np.ndarray) -> tuple[Any, Any]:
    z = Value(LOGITS.copy())
    loss = fn(labels, z)
    loss.backward()
    return loss.item(), z.grad


@pytest.mark.parametrize("dtype", LABEL_DTYPES)
@pytest.mark.parametrize("name", sorted(LABEL_LOSSES))
def test_labels_of_every_integer_dtype_and_byte_order_give_the_same_loss(
    name: str, dtype: str
) -> None:
    fn = LABEL_LOSSES[name]
    loss, grad = _loss_and_grad(fn, LABELS.astype(dtype))
    ref_loss, ref_grad = _loss_and_grad(fn, LABELS.astype(np.intp))
    assert loss == ref_loss
    np.testing.assert_array_equal(grad, ref_grad)


@pytest.mark.parametrize("dtype", [">i4", ">i8", ">i2", "i1"])
@pytest.mark.parametrize("bad, shown", [(3, "3"), (-1, "-1"), (100, "100")])
def test_out_of_range_labels_of_any_byte_order_are_named(dtype: str, bad: int, shown: str) -> None:
    labels = np.array([0, bad, 1, 2], dtype=dtype)
    z = Value(LOGITS.copy())
    for call in (lambda: nn.CrossEntropyLoss()(z, labels), lambda: nn.NLLLoss()(z, labels)):
        with pytest.raises(ValueError, match=rf"label {shown} at position 1 is out of range"):
            call()


def test_huge_unsigned_labels_are_named_not_wrapped() -> None:
    labels = np.array([0, 2**64 - 1, 1, 2], dtype=">u8")
    with pytest.raises(ValueError, match=rf"label {2**64 - 1} at position 1 is out of range"):
        nn.CrossEntropyLoss()(Value(LOGITS.copy()), labels)


@pytest.mark.parametrize("dtype", LABEL_DTYPES)
def test_accuracy_metrics_and_fit_read_labels_of_any_byte_order(dtype: str) -> None:
    labels = LABELS.astype(dtype)
    assert M.SparseCategoricalAccuracy()(labels, LOGITS) == 0.75
    assert M.get_metric("accuracy").resolve(LOGITS.shape, labels, False)(labels, LOGITS) == 0.75
    x = np.random.default_rng(0).normal(size=(8, 3)).astype(np.float32)
    y = np.concatenate([LABELS, LABELS]).astype(dtype)
    nn.manual_seed(0)
    model = nn.Sequential(nn.Dense(3, activation="softmax", input_dim=3))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=1, batch_size=4, verbose=0, shuffle=False)
    assert np.isfinite(history.history["loss"][0])
    assert len(model.evaluate(x, y, verbose=0)) == 2


# --- optimizer states the constructor refuses ---------------------------------------------


def _state(opt: nn.Optimizer, **hyperparams: Any) -> dict[str, Any]:
    state = opt.state_dict()
    state["hyperparams"] = {**state["hyperparams"], **hyperparams}
    return state


NESTEROV = "SGD: nesterov needs momentum > 0 and dampening = 0"


@pytest.mark.parametrize(
    "cls, given, bad, message",
    [
        (nn.SGD, {}, {"nesterov": True}, NESTEROV),
        (nn.SGD, {"momentum": 0.9, "nesterov": True}, {"dampening": 0.5}, NESTEROV),
        (nn.SGD, {}, {"momentum": -0.5}, "SGD: momentum must be a finite number >= 0"),
        (nn.SGD, {}, {"weight_decay": np.nan}, "SGD: weight_decay must be a finite number"),
        (nn.Adam, {}, {"betas": (1.0, 0.999)}, r"Adam: betas must lie in \[0, 1\)"),
        (nn.Adam, {}, {"eps": -1.0}, "Adam: eps must be a finite number >= 0"),
        (nn.Adam, {}, {"weight_decay": np.inf}, "Adam: weight_decay must be a finite number"),
    ],
    ids=["nesterov-without-momentum", "nesterov-with-dampening", "momentum", "sgd-decay",
         "betas", "eps", "adam-decay"],
)  # fmt: skip
def test_load_state_dict_refuses_what_the_constructor_refuses(
    cls: type[nn.Optimizer], given: dict[str, Any], bad: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):  # the constructor's own message
        cls(**given, **bad)
    opt = cls([nn.Parameter(np.ones(2))], **given)
    before = (repr(opt), opt.state_dict())
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(_state(opt, **bad))
    assert repr(opt) == before[0]  # nothing changed
    assert opt.state_dict()["hyperparams"] == before[1]["hyperparams"]


def test_load_state_dict_refuses_a_bad_rate_and_changes_nothing() -> None:
    p = nn.Parameter(np.ones(2))
    opt = nn.SGD([p], lr=0.1, momentum=0.9)
    p.grad = np.ones(2, np.float32)
    opt.step()
    state = opt.state_dict()
    state["lr"] = -1.0
    fresh = nn.SGD([p], lr=0.5)
    with pytest.raises(ValueError, match=r"SGD: lr must be a finite number >= 0, got -1\.0"):
        fresh.load_state_dict(state)
    assert fresh.lr == 0.5 and fresh.momentum == 0.0 and fresh.state_dict()["state"] == [{}]


def test_load_state_dict_still_loads_good_settings() -> None:
    p = nn.Parameter(np.ones(2))
    source = nn.SGD([p], lr=0.2, momentum=0.9, nesterov=True, weight_decay=0.01)
    target = nn.SGD([p], lr=0.5)
    target.load_state_dict(source.state_dict())
    assert (target.lr, target.momentum, target.nesterov, target.weight_decay) == (
        0.2,
        0.9,
        True,
        0.01,
    )
    adam = nn.Adam([p])
    adam.load_state_dict(nn.Adam([p], betas=[0.5, 0.6], eps=1e-6).state_dict())  # type: ignore[arg-type]
    assert adam.betas == (0.5, 0.6) and adam.eps == 1e-6


# --- complex data is refused by layers and losses -------------------------------------------

COMPLEX = np.array([[1 + 2j, 3 - 1j], [0.5j, 2.0 + 0j]])
REAL = np.ones((2, 2))


def _modules() -> dict[str, Callable[[], nn.Module]]:
    return {
        "Linear": lambda: nn.Linear(2, 3),
        "Dense": lambda: nn.Dense(3, input_dim=2),
        "Dense lazy": lambda: nn.Dense(3),
        "Sequential": lambda: nn.Sequential(nn.Linear(2, 3), nn.ReLU()),
        "MLP": lambda: nn.MLP([2, 3, 1]),
        "Flatten": nn.Flatten,
        "Dropout": nn.Dropout,
        **{
            name: getattr(nn, name)
            for name in [
                "Sigmoid",
                "Tanh",
                "ReLU",
                "LeakyReLU",
                "PReLU",
                "ELU",
                "Softplus",
                "Softmax",
                "LogSoftmax",
                "Step",
                "Identity",
            ]
        },
    }


@pytest.mark.parametrize("name", sorted(_modules()))
@pytest.mark.parametrize("data", [COMPLEX, COMPLEX.astype(np.complex64), COMPLEX.tolist()])
def test_complex_input_to_a_layer_is_refused_naming_it(name: str, data: Any) -> None:
    module = _modules()[name]()
    who = {"Dense lazy": "Dense", "Sequential": "Linear", "MLP": "Linear"}.get(name, name)
    with pytest.raises(TypeError, match=rf"^{who}: x must be real numbers.*complex"):
        module(data)
    if name == "Dense lazy":
        assert not module.built  # refused before it built its weights


LOSS_CALLS: dict[str, tuple[Callable[..., Any], str]] = {
    "MSELoss": (lambda a, b: nn.MSELoss()(a, b), "pred"),
    "L1Loss": (lambda a, b: nn.L1Loss()(a, b), "pred"),
    "BCEWithLogitsLoss": (lambda a, b: nn.BCEWithLogitsLoss()(a, b), "logits"),
    "CrossEntropyLoss": (lambda a, b: nn.CrossEntropyLoss()(a, np.array([0, 1])), "logits"),
    "NLLLoss": (lambda a, b: nn.NLLLoss()(a, np.array([0, 1])), "log_probs"),
    "mse_loss": (T.mse_loss, "pred"),
    "l1_loss": (T.l1_loss, "pred"),
    "binary_cross_entropy_with_logits": (T.binary_cross_entropy_with_logits, "logits"),
    "cross_entropy": (lambda a, b: T.cross_entropy(a, np.array([0, 1])), "logits"),
    "nll_loss": (lambda a, b: T.nll_loss(a, np.array([0, 1])), "log_probs"),
    "MeanSquaredError": (lambda a, b: L.MeanSquaredError()(b, a), "y_pred"),
    "MeanAbsoluteError": (lambda a, b: L.MeanAbsoluteError()(b, a), "y_pred"),
    "BinaryCrossentropy": (lambda a, b: L.BinaryCrossentropy(from_logits=True)(b, a), "y_pred"),
    "CategoricalCrossentropy": (
        lambda a, b: L.CategoricalCrossentropy(from_logits=True)(b * 0.5, a),
        "y_pred",
    ),
    "SparseCategoricalCrossentropy": (
        lambda a, b: L.SparseCategoricalCrossentropy(from_logits=True)(np.array([0, 1]), a),
        "y_pred",
    ),
}


@pytest.mark.parametrize("name", sorted(LOSS_CALLS))
def test_complex_predictions_given_to_a_loss_are_refused_naming_it(name: str) -> None:
    call, arg = LOSS_CALLS[name]
    with pytest.raises(TypeError, match=rf"^{name}: {arg} must be real numbers.*complex128"):
        call(COMPLEX, REAL)


def test_complex_probabilities_given_to_bce_are_refused() -> None:
    p = np.array([[0.5 + 0.1j, 0.5]])
    with pytest.raises(TypeError, match=r"^BCELoss: pred must be real numbers.*complex"):
        nn.BCELoss()(p, np.ones((1, 2)))
    with pytest.raises(TypeError, match=r"^BinaryCrossentropy: y_pred must be real numbers"):
        L.BinaryCrossentropy()(np.ones((1, 2)), p)
