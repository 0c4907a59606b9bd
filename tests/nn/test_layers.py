"""Tests for nn.layers: Linear, Dense (eager and deferred build), Flatten, Dropout; inputs
that are not numbers."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd import Value
from tests.nn.layer_checks import check_module_gradients, random_batch
from tests.nn.not_numbers import NOT_NUMBERS

# --- Linear ---------------------------------------------------------------------------------


def test_linear_computes_x_at_w_plus_b_in_float32() -> None:
    nn.manual_seed(0)
    layer = nn.Linear(5, 3)
    assert layer.weight.shape == (5, 3) and layer.bias is not None and layer.bias.shape == (3,)
    x = random_batch(4, 5)
    out = layer(Value(x, requires_grad=False))
    np.testing.assert_allclose(out.data, x @ layer.weight.data + layer.bias.data, rtol=1e-6)
    assert out.dtype == np.float32
    assert out.op == "linear" and len(out.parents) == 3  # one fused node


def test_linear_init_is_pytorch_uniform() -> None:
    nn.manual_seed(1)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight.data, layer.bias.data):  # type: ignore[union-attr]
        assert np.abs(p).max() <= bound
        assert np.abs(p).max() > 0.95 * bound  # spread over the whole interval
    assert abs(float(layer.weight.data.std()) - bound / math.sqrt(3)) < 0.01 * bound


def test_linear_without_bias_and_input_casting() -> None:
    layer = nn.Linear(2, 2, bias=False)
    assert layer.bias is None and len(layer.parameters()) == 1
    out = layer(np.ones((3, 2), dtype=np.float64))  # float64 data is cast, not promoted
    assert out.dtype == np.float32
    assert layer([[1, 2]]).dtype == np.float32  # lists and ints too
    const64 = Value(np.ones((1, 2)), requires_grad=False)
    assert layer(const64).dtype == np.float32


def test_linear_errors() -> None:
    with pytest.raises(ValueError, match="in_features must be a positive int"):
        nn.Linear(0, 3)
    with pytest.raises(TypeError, match="out_features must be an int"):
        nn.Linear(2, 2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"expected inputs with 3 features.*\(2, 4\)"):
        nn.Linear(3, 1)(np.ones((2, 4)))


def test_linear_gradcheck() -> None:
    check_module_gradients(nn.Linear(4, 3), random_batch(5, 4))
    check_module_gradients(nn.Linear(3, 2, bias=False), random_batch(2, 3))


def test_input_batch_is_not_a_graph_node() -> None:
    layer = nn.Linear(3, 2)
    xb = Value(random_batch(4, 3), requires_grad=False)
    layer(xb).sum().backward()
    assert xb.grad is None
    assert layer.weight.grad is not None and layer.weight.grad.dtype == np.float32


# --- Dense ----------------------------------------------------------------------------------


def test_dense_with_input_dim_builds_at_once() -> None:
    nn.manual_seed(0)
    layer = nn.Dense(8, activation="relu", input_dim=4)
    assert layer.built and layer.kernel is not None and layer.kernel.shape == (4, 8)
    assert layer.bias is not None and np.all(layer.bias.data == 0)  # zeros, Keras' default
    limit = math.sqrt(6 / (4 + 8))
    assert np.abs(layer.kernel.data).max() <= limit
    assert layer.weight is layer.kernel
    assert [n for n, _ in layer.named_parameters()] == ["kernel", "bias"]


def test_dense_builds_at_first_call() -> None:
    layer = nn.Dense(3)
    assert not layer.built and layer.parameters() == []
    out = layer(random_batch(2, 5))
    assert layer.built and layer.kernel is not None and layer.kernel.shape == (5, 3)
    assert out.shape == (2, 3)
    with pytest.raises(ValueError, match=r"Dense: expected inputs with 5 features.*\(2, 4\)"):
        layer(random_batch(2, 4))


def test_dense_activation_and_bias_options() -> None:
    nn.manual_seed(0)
    layer = nn.Dense(3, activation="sigmoid", use_bias=False, input_dim=2)
    assert layer.bias is None
    x = random_batch(4, 2)
    expected = 1 / (1 + np.exp(-(x @ layer.kernel.data)))  # type: ignore[union-attr]
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-5)
    assert repr(layer) == "Dense(units=3, activation='sigmoid', use_bias=False, input_dim=2)"
    callable_act = nn.Dense(2, activation=autograd.tanh, input_dim=2)
    assert callable_act(np.zeros((1, 2), np.float32)).shape == (1, 2)


def test_dense_initializers_by_name_and_callable() -> None:
    layer = nn.Dense(4, kernel_initializer="ones", bias_initializer="ones", input_dim=2)
    assert np.all(layer.kernel.data == 1) and np.all(layer.bias.data == 1)  # type: ignore[union-attr]

    def halves(shape: tuple[int, ...], dtype: Any = np.float32, rng: Any = None) -> np.ndarray:
        return np.full(shape, 0.5, dtype=dtype)

    layer = nn.Dense(2, kernel_initializer=halves, input_dim=3)
    assert np.all(layer.kernel.data == 0.5)  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="unknown initializer 'nope'"):
        nn.Dense(2, kernel_initializer="nope")


@pytest.mark.parametrize("units", [0, -3])
def test_dense_rejects_non_positive_units(units: int) -> None:
    with pytest.raises(ValueError, match="units must be a positive int"):
        nn.Dense(units)


def test_dense_unknown_activation_raises_at_construction_listing_names() -> None:
    with pytest.raises(ValueError, match=r"unknown activation 'rectifier'.*'relu'.*'step'"):
        nn.Dense(4, activation="rectifier")


@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid", "softmax", "elu", "softplus", None])
def test_dense_gradcheck(act: str | None) -> None:
    nn.manual_seed(3)
    layer = nn.Dense(3, activation=act, input_dim=4, bias_initializer="normal")
    check_module_gradients(layer, random_batch(5, 4))


def test_flatten_and_identity() -> None:
    x = random_batch(2, 3, 4)
    flat = nn.Flatten()(Value(x))
    assert flat.shape == (2, 12)
    np.testing.assert_array_equal(flat.data, x.reshape(2, 12))
    assert nn.Flatten().output_shape((3, 4)) == (12,)
    v = Value(x)
    assert nn.Identity()(v) is v
    check_module_gradients(nn.Sequential(nn.Flatten(), nn.Linear(6, 2)), random_batch(2, 2, 3))


def test_manual_seed_gives_identical_weights() -> None:
    def build() -> list[np.ndarray]:
        nn.manual_seed(42)
        model = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Dense(2, input_dim=5))
        return [p.data.copy() for p in model.parameters()]

    first, second = build(), build()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    nn.manual_seed(43)
    third = nn.Sequential(nn.Linear(3, 5)).parameters()[0].data
    assert not np.array_equal(first[0], third)


def test_layers_keep_float32_parameters_and_gradients() -> None:
    makers: list[Callable[[], nn.Module]] = [
        lambda: nn.Linear(3, 2),
        lambda: nn.Dense(2, activation="relu", input_dim=3),
        lambda: nn.MLP([3, 4, 2], activation="prelu"),
    ]
    for make in makers:
        model = make()
        out = model(Value(random_batch(4, 3), requires_grad=False))
        out.sum().backward()
        for p in model.parameters():
            assert p.dtype == np.float32 and p.grad.dtype == np.float32


def test_a_lazy_dense_refuses_to_build_from_a_lone_sample() -> None:
    model = nn.Sequential(nn.Dense(3))
    with pytest.raises(ValueError, match=r"Dense: builds .* from a batch .*shape \(4,\)"):
        model(np.ones(4))
    assert not model.built
    assert model(np.ones((2, 4))).shape == (2, 3) and model[0].kernel.shape == (4, 3)


# --- inputs that are not numbers: errors name the layer, the argument and what was given ---

# numpy turns None inside an object array into nan when the layer casts its input (no
# error to catch without a check on every call), and Flatten only reshapes.
LAYER_CASES = ["ragged", "str", "None", "dict", "strings"]
FLATTEN_CASES = ["ragged", "str", "None", "dict"]


def _dense_built() -> nn.Module:
    return nn.Dense(2, input_dim=3)


LAYERS: dict[str, Callable[[], nn.Module]] = {
    "Linear": lambda: nn.Linear(3, 2),
    "Linear-no-bias": lambda: nn.Linear(3, 2, bias=False),
    "Dense": _dense_built,
    "Dense-lazy": lambda: nn.Dense(2),
    "Sequential": lambda: nn.Sequential(nn.Linear(3, 2), nn.ReLU()),
}


@pytest.mark.parametrize("case", LAYER_CASES)
@pytest.mark.parametrize("layer", list(LAYERS))
def test_a_layer_given_data_that_is_not_numbers_says_so(layer: str, case: str) -> None:
    data, error, message = NOT_NUMBERS[case]
    who = "Linear" if layer.startswith(("Linear", "Sequential")) else "Dense"
    with pytest.raises(error, match=rf"^{who}: x {message}"):
        LAYERS[layer]()(data)


@pytest.mark.parametrize("case", FLATTEN_CASES)
def test_flatten_given_data_that_is_not_numbers_says_so(case: str) -> None:
    data, error, message = NOT_NUMBERS[case]
    with pytest.raises(error, match=rf"^Flatten: x {message}"):
        nn.Flatten()(data)


ACTIVATIONS = [
    "ReLU",
    "Sigmoid",
    "Tanh",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "Softplus",
    "Softmax",
    "LogSoftmax",
    "Step",
]


@pytest.mark.parametrize("case", list(NOT_NUMBERS))
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_an_activation_given_data_that_is_not_numbers_says_so(name: str, case: str) -> None:
    data, error, message = NOT_NUMBERS[case]
    with pytest.raises(error, match=rf"^{name}: x {message}"):
        getattr(nn, name)()(data)


def test_errors_about_numbers_keep_their_own_message() -> None:
    # Numbers of the wrong shape still get the layer's own message, not one about types.
    with pytest.raises(ValueError, match=r"^Linear: expected inputs with 3 features"):
        nn.Linear(3, 2)([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match=r"^Linear: expected inputs with 3 features"):
        nn.Linear(3, 2)(5.0)
    with pytest.raises(ValueError, match=r"^Flatten: expects a batch"):
        nn.Flatten()(5.0)
    with pytest.raises(ValueError, match=r"^PReLU: 2 slopes need inputs with 2 features"):
        nn.PReLU(2)(np.ones((2, 3)))


def test_dense_takes_keras_input_shape() -> None:
    layer = nn.Dense(3, input_shape=(4,))
    assert layer.built and layer.kernel.shape == (4, 3)
    with pytest.raises(TypeError, match="input_dim or input_shape, not both"):
        nn.Dense(3, input_dim=4, input_shape=(4,))
    with pytest.raises(ValueError, match=r"input_shape is the shape of one sample.*nn\.Flatten"):
        nn.Dense(3, input_shape=(28, 28))


# --- Dropout ---------------------------------------------------------------------------


def test_dropout_drops_and_scales_while_training_and_passes_through_in_eval() -> None:
    nn.manual_seed(0)
    drop = nn.Dropout(0.25)
    x = Value(np.ones((200, 50), dtype=np.float32))
    y = drop(x)
    kept = y.data != 0
    assert y.dtype == np.float32
    assert abs(kept.mean() - 0.75) < 0.02  # about p of the elements dropped
    np.testing.assert_allclose(y.data[kept], 1 / 0.75)  # the others scaled
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.data)  # the gradient is the same mask
    drop.eval()
    assert drop(x) is x
    nn.manual_seed(0)
    np.testing.assert_array_equal(nn.Dropout(0.25)(x).data, y.data)  # manual_seed repeats it


def test_dropout_arguments_and_its_place_in_a_model() -> None:
    assert nn.Dropout(rate=0.1).p == 0.1  # Keras' name
    with pytest.raises(TypeError, match=r"p .* or rate .*not both"):
        nn.Dropout(0.3, rate=0.1)
    with pytest.raises(ValueError, match=r"Dropout: p must be a probability in \[0, 1\]"):
        nn.Dropout(1.5)
    assert not nn.Dropout(1.0)(np.ones(3)).any()
    nn.manual_seed(0)
    model = nn.Sequential(nn.Dense(8, activation="relu", input_dim=4), nn.Dropout(0.5), nn.Dense(2))
    assert model.output_shape((4,)) == (2,)
    model.compile("adam", loss=nn.CrossEntropyLoss())
    x = np.random.default_rng(0).standard_normal((32, 4))
    y = (x[:, 0] > 0).astype(int)
    model.fit(x, y, epochs=2, verbose=0)
    np.testing.assert_array_equal(model.predict(x), model.predict(x))  # eval: no dropout
    assert model.training  # fit leaves the model in training mode, as it found it


def test_dropout_takes_numpy_numbers_and_refuses_what_is_not_one() -> None:
    assert nn.Dropout(np.float32(0.25)).p == 0.25
    assert nn.Dropout().p == 0.5
    with pytest.raises(TypeError, match="not both"):
        nn.Dropout(0.5, rate=0.2)
    for bad in ("0.5", [0.5]):
        with pytest.raises(TypeError, match="Dropout: p must be a number"):
            nn.Dropout(bad)  # type: ignore[arg-type]
