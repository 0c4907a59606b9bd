"""Layer names as Keras gives them (dense, dense_1, ...; name= on every layer), unique in a
Sequential, independent of state dict keys; get_layer by name and by index."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import numpy as np
import pytest

import nn
from nn.naming import snake_case


def test_automatic_names_count_per_class_as_keras_does() -> None:
    nn.clear_session()
    made = [nn.Dense(2), nn.Dense(2), nn.Linear(2, 2), nn.Dense(2), nn.Dropout(0.1)]
    assert [m.name for m in made] == ["dense", "dense_1", "linear", "dense_2", "dropout"]
    model = nn.Sequential(nn.Dense(3, input_dim=2))
    assert (model.name, model[0].name) == ("sequential", "dense_3")
    nn.clear_session()
    assert nn.Dense(1).name == "dense"  # the counters start again; older layers keep theirs
    assert made[0].name == "dense"


@pytest.mark.parametrize(
    ("cls", "prefix"),
    [
        ("LeakyReLU", "leaky_re_lu"), ("PReLU", "p_re_lu"), ("ReLU", "re_lu"), ("ELU", "elu"),
        ("LogSoftmax", "log_softmax"), ("MLP", "mlp"),
        ("BCEWithLogitsLoss", "bce_with_logits_loss"),
        ("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy"), ("Net2", "net2"),
    ],
)  # fmt: skip
def test_prefixes_are_the_class_names_in_keras_snake_case(cls: str, prefix: str) -> None:
    assert snake_case(cls) == prefix


def test_names_are_unique_across_the_layers_made() -> None:
    made = [nn.Dense(2) for _ in range(30)] + [nn.ReLU() for _ in range(30)]
    assert len({m.name for m in made}) == 60


@pytest.mark.parametrize(
    "make",
    [
        lambda name: nn.Dense(3, name=name),
        lambda name: nn.Linear(2, 3, name=name),
        lambda name: nn.Dropout(0.2, name=name),
        lambda name: nn.Flatten(name=name),
        lambda name: nn.ReLU(name=name),
        lambda name: nn.PReLU(2, name=name),
        lambda name: nn.Softmax(dim=1, name=name),
        lambda name: nn.Activation("tanh", name=name),
        lambda name: nn.Sequential(nn.Dense(2), name=name),
        lambda name: nn.MLP([2, 3], name=name),
        lambda name: nn.Lambda(np.abs, name=name),  # its own name argument, the same name
    ],
)
def test_every_layer_takes_a_name(make: Any) -> None:
    layer = make("given")
    assert layer.name == "given"
    with pytest.raises(TypeError, match="name must be a str"):
        make(3)
    with pytest.raises(ValueError, match="without '/'"):
        make("a/b")


def test_a_class_of_ones_own_takes_a_name_either_way() -> None:
    class Passes(nn.Module):  # Keras' way: name goes on to the base class
        def __init__(self, units: int, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.fc = nn.Linear(2, units)

    class Ignores(nn.Module):  # PyTorch's way: no name parameter at all
        def __init__(self, units: int) -> None:
            super().__init__()
            self.fc = nn.Linear(2, units)

    assert Passes(3, name="p").name == "p" and Ignores(3, name="i").name == "i"
    assert Passes(3).name.startswith("passes") and Ignores(3).name.startswith("ignores")


def test_names_leave_state_dict_keys_alone(tmp_path: Any) -> None:
    model = nn.Sequential(nn.Dense(3, input_dim=2, name="hidden"), nn.Dense(1, name="out"))
    assert list(model.state_dict()) == ["0.kernel", "0.bias", "1.kernel", "1.bias"]
    model.save_weights(tmp_path / "w.npz")  # weight files load whatever the names
    other = nn.Sequential(nn.Dense(3, input_dim=2), nn.Dense(1))
    other.load_weights(tmp_path / "w.npz")
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), other.get_weights()))


def test_names_survive_copies_and_pickles() -> None:
    model = nn.Sequential(nn.Dense(3, input_dim=2, name="hidden"))
    for again in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert isinstance(again, nn.Sequential)
        assert (again.name, again[0].name) == (model.name, "hidden")


def test_a_sequential_refuses_two_layers_of_one_name() -> None:
    with pytest.raises(ValueError, match="'twin' is already the name of a layer"):
        nn.Sequential(nn.Dense(2, name="twin"), nn.Dense(2, name="twin"))
    model = nn.Sequential(nn.Dense(2, input_dim=2, name="twin"))
    with pytest.raises(ValueError, match="'twin'"):
        model.add(nn.ReLU(name="twin"))
    assert len(model) == 1  # unchanged
    shared = nn.Linear(2, 2)
    assert len(nn.Sequential(shared, nn.Tanh(), shared)) == 3  # one layer used twice: fine


def test_copies_of_a_block_take_fresh_automatic_names_in_a_sequential() -> None:
    nn.clear_session()
    block = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    # PyTorch's way to repeat a block: every copy shares the original's automatic name...
    copies = [copy.deepcopy(block) for _ in range(3)]
    assert {c.name for c in copies} == {"sequential"}
    model = nn.Sequential(*copies)
    # ... so the model gives each another: its layers stay unique, weights untouched.
    assert [c.name for c in model] == ["sequential", "sequential_2", "sequential_3"]
    assert all(np.array_equal(c[0].weight.data, block[0].weight.data) for c in model)
    given = nn.Dense(2, name="kept")
    with pytest.raises(ValueError, match="'kept' is already the name"):
        nn.Sequential(given, copy.deepcopy(given))  # a name given is never changed


def test_a_loaded_model_reserves_its_names(tmp_path: Any) -> None:
    nn.clear_session()
    nn.Sequential(nn.Dense(2, input_dim=2), nn.Dense(2), nn.Dense(2)).save(tmp_path / "m.nnz")
    nn.clear_session()  # as in a fresh process
    loaded = nn.load_model(tmp_path / "m.nnz")
    assert isinstance(loaded, nn.Sequential)
    assert [layer.name for layer in loaded] == ["dense", "dense_1", "dense_2"]
    loaded.add(nn.Dense(1))  # takes a name of its own, not one of the loaded layers'
    assert loaded[3].name == "dense_3"
    pair = nn.Sequential(loaded[0], copy.deepcopy(loaded[0]))  # automatic names still
    assert [layer.name for layer in pair] == ["dense", "dense_4"]


# --- get_layer -------------------------------------------------------------------------------


def test_get_layer_by_name_and_by_index() -> None:
    model = nn.Sequential(
        nn.Dense(4, input_dim=3, name="hidden"), nn.ReLU(name="act"), nn.Dense(2, name="out")
    )
    assert model.get_layer("act") is model[1]
    assert model.get_layer(name="out") is model[2]
    assert model.get_layer(index=0) is model[0] and model.get_layer(index=-1) is model[2]
    with pytest.raises(ValueError, match=r"no layer named 'outt'.*'hidden', 'act', 'out'"):
        model.get_layer("outt")
    with pytest.raises(ValueError, match="no layer at index 3: the model has 3 layers"):
        model.get_layer(index=3)
    with pytest.raises(ValueError, match="not both"):
        model.get_layer("out", 2)
    with pytest.raises(ValueError, match="give the name or the index"):
        model.get_layer()


def test_get_layer_of_a_model_class_finds_its_direct_submodules() -> None:
    class Net(nn.Model):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Dense(4, input_dim=3, name="body")
            self.head = nn.Dense(1, name="head")

        def forward(self, x: Any) -> Any:
            return self.head(self.body(x))

    net = Net()
    assert net.get_layer("head") is net.head and net.get_layer(index=0) is net.body
    with pytest.raises(ValueError, match="'body', 'head'"):
        net.get_layer("tail")
