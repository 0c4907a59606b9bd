"""Tests for nn.containers: Sequential (the container protocol, shapes carried forward,
lazy layers built) and MLP."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from tests.nn.layer_checks import check_module_gradients, random_batch

# --- Sequential -----------------------------------------------------------------------------


def test_sequential_container_protocol() -> None:
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    model = nn.Sequential(a, b)
    assert len(model) == 2 and model[0] is a and model[-1] is b
    assert list(model) == [a, b]
    assert model.append(c) is model and len(model) == 3 and model[2] is c
    sub = model[1:]
    assert isinstance(sub, nn.Sequential) and list(sub) == [b, c]
    assert nn.Sequential([a, b]).layers == [a, b]
    with pytest.raises(TypeError, match="Modules"):
        nn.Sequential(a, "relu")  # type: ignore[arg-type]


def test_sequential_forward_chains_layers() -> None:
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    x = random_batch(4, 2)
    h = np.tanh(x @ model[0].weight.data + model[0].bias.data)
    np.testing.assert_allclose(
        model(x).data, h @ model[2].weight.data + model[2].bias.data, rtol=1e-5
    )


def test_sequential_propagates_input_dim_so_every_dense_builds() -> None:
    model = nn.Sequential(
        nn.Dense(16, activation="relu", input_dim=8),
        nn.Dense(4, activation="tanh"),
        nn.Dense(2),
    )
    assert model.built
    assert [p.shape for p in model.parameters()] == [(8, 16), (16,), (16, 4), (4,), (4, 2), (2,)]
    assert model.count_params() == 8 * 16 + 16 + 16 * 4 + 4 + 4 * 2 + 2
    assert model.output_shape((8,)) == (2,)


def test_sequential_add_after_build_builds_the_new_layer() -> None:
    model = nn.Sequential(nn.Dense(4, input_dim=3))
    model.add(nn.ReLU())
    model.add(nn.Dense(2))
    assert model.built and model[2].kernel.shape == (4, 2)


def test_sequential_without_input_dim_builds_at_first_call_or_build() -> None:
    model = nn.Sequential(nn.Dense(4, activation="relu"), nn.Dense(2))
    assert not model.built and model.parameters() == []
    model(random_batch(3, 6))
    assert model.built and model[0].kernel.shape == (6, 4)
    other = nn.Sequential(nn.Flatten(), nn.Dense(5), nn.Dense(1))
    other.build((2, 3))
    assert other.built and other[1].kernel.shape == (6, 5)
    assert other.output_shape((2, 3)) == (1,)


def test_sequential_rejects_incompatible_known_shapes() -> None:
    with pytest.raises(ValueError, match=r"input shape \(3,\) does not end in 4"):
        nn.Sequential(nn.Linear(2, 3), nn.Linear(4, 1))


def test_sequential_gradcheck() -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Dense(2, input_dim=4), nn.Softplus())
    check_module_gradients(model, random_batch(4, 3))


# --- MLP, Flatten, Identity -----------------------------------------------------------------


def test_mlp_structure() -> None:
    model = nn.MLP([2, 8, 8, 1], activation="tanh", output_activation="sigmoid")
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Linear", "Tanh", "Linear", "Tanh", "Linear", "Sigmoid"]
    assert model(random_batch(5, 2)).shape == (5, 1)
    assert [n for n, _ in model.named_parameters()][:2] == ["0.weight", "0.bias"]
    prelu_mlp = nn.MLP([2, 3, 3, 1], activation="prelu")
    slopes = [m.weight for m in prelu_mlp if isinstance(m, nn.PReLU)]
    assert len(slopes) == 2 and slopes[0] is not slopes[1]  # one fresh slope per layer
    with pytest.raises(ValueError, match="at least an input and an output"):
        nn.MLP([3])
    with pytest.raises(ValueError, match="shared"):
        nn.MLP([2, 3, 1], activation=nn.PReLU())


def test_mlp_gradcheck() -> None:
    nn.manual_seed(0)
    check_module_gradients(nn.MLP([3, 4, 2], activation="elu"), random_batch(3, 3))


def test_append_of_a_layer_that_does_not_fit_leaves_the_model_as_it_was() -> None:
    model = nn.Sequential(nn.Linear(4, 8))
    with pytest.raises(ValueError, match="Linear"):
        model.append(nn.Linear(5, 2))
    assert len(model) == 1
    assert model(np.ones((2, 4))).shape == (2, 8)
