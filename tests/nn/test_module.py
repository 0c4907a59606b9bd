"""Tests for nn.module: discovery, naming, modes, repr, state dicts and weight files."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Value
from nn import module, parameter, state_dict


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.scale = nn.Parameter(np.ones(4))

    def forward(self, x: Any) -> Any:
        return self.fc(x) * self.scale


class Net(nn.Module):
    """Parameters directly, in a list, in a dict and in a nested module."""

    def __init__(self) -> None:
        super().__init__()
        self.block = Block()
        self.heads = [nn.Linear(4, 2), nn.Linear(4, 1)]
        self.extra: dict[str, Any] = {"gate": nn.Parameter(np.zeros(2)), "act": nn.ReLU()}
        self.note = "not a parameter"
        self.numbers = [1, 2.0, "x"]

    def forward(self, x: Any) -> Any:
        h = self.extra["act"](self.block(x))
        return self.heads[0](h) + self.extra["gate"]


def test_parameter_is_a_float32_value_and_copies_its_data() -> None:
    raw = np.arange(6.0).reshape(2, 3)
    p = nn.Parameter(raw)
    assert isinstance(p, Value)
    assert p.dtype == np.float32 and p.requires_grad
    raw[0, 0] = 100.0
    assert p.data[0, 0] == 0.0
    assert nn.Parameter([1, 2]).dtype == np.float32
    assert nn.Parameter(raw, dtype=np.float64).dtype == np.float64
    assert isinstance(nn.Parameter(3.0).data, np.ndarray)
    with pytest.raises(TypeError, match="floating"):
        nn.Parameter(raw, dtype=np.int32)
    assert "Parameter" in repr(p)


def _starts_on_cache_lines(model: nn.Module) -> bool:
    return all(p.data.ctypes.data % nn.memory.CACHE_LINE == 0 for p in model.parameters())


def test_parameters_start_on_a_cache_line_wherever_they_come_from(tmp_path: Path) -> None:
    import copy
    import pickle

    model = nn.Sequential(nn.Linear(784, 256), nn.PReLU(), nn.Dense(10))
    model(np.ones((2, 784), np.float32))  # builds the Dense layer
    assert len(model.parameters()) == 5 and _starts_on_cache_lines(model)
    for p in model.parameters():  # an ordinary array of its own
        d = p.data
        assert type(d) is np.ndarray and d.flags.c_contiguous and d.flags.writeable
    raw = np.arange(12.0).reshape(3, 4)
    p = nn.Parameter(raw)
    assert p.data.ctypes.data % 64 == 0 and np.array_equal(p.data, raw)
    assert _starts_on_cache_lines(copy.deepcopy(model))
    again = pickle.loads(pickle.dumps(model))
    assert _starts_on_cache_lines(again)
    assert [n for n, _ in again.named_parameters()] == [n for n, _ in model.named_parameters()]
    model.to(np.float64)
    assert _starts_on_cache_lines(model)
    model.save_weights(tmp_path / "w.npz")
    fresh = nn.Sequential(nn.Linear(784, 256), nn.PReLU(), nn.Dense(10, input_dim=256)).to(
        np.float64
    )
    fresh.load_weights(tmp_path / "w.npz")
    assert _starts_on_cache_lines(fresh)
    assert all(
        np.array_equal(a.data, b.data) for a, b in zip(fresh.parameters(), model.parameters())
    )


def test_discovery_in_attributes_lists_and_dicts_with_dotted_names() -> None:
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == [
        "block.fc.weight",
        "block.fc.bias",
        "block.scale",
        "heads.0.weight",
        "heads.0.bias",
        "heads.1.weight",
        "heads.1.bias",
        "extra.gate",
    ]
    assert len(net.parameters()) == 8
    assert all(isinstance(p, nn.Parameter) for p in net.parameters())
    mods = dict(net.named_modules())
    assert list(mods) == ["", "block", "block.fc", "heads.0", "heads.1", "extra.act"]
    assert [type(m).__name__ for m in net.children()] == ["Block", "Linear", "Linear", "ReLU"]
    assert net.count_params() == (3 * 4 + 4 + 4) + (4 * 2 + 2) + (4 + 1) + 2


def test_sequential_names_layers_by_position() -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert [n for n, _ in model.named_parameters()] == [
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
    ]


def test_shared_parameter_and_shared_module_are_listed_once() -> None:
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.Tanh(), shared)
    assert len(model.parameters()) == 2
    assert len(list(model.modules())) == 3  # the Sequential, the Linear once, the Tanh


def test_cycles_do_not_recurse_forever() -> None:
    a = nn.Sequential(nn.Linear(2, 2))
    a.parent = a  # type: ignore[attr-defined]  # a module holding itself (e.g. a callback's back-reference)
    assert len(a.parameters()) == 2


def test_zero_grad_train_eval() -> None:
    net = Net()
    out = net(np.ones((5, 3), np.float32)).sum()
    out.backward()
    assert all(p.grad is not None for p in net.block.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    assert net.training and net.block.fc.training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_call_runs_forward_and_base_forward_is_abstract() -> None:
    class Twice(nn.Module):
        def forward(self, x: Any) -> Any:
            return x * 2

    assert Twice()(3.0) == 6.0
    with pytest.raises(NotImplementedError, match="Module does not define forward"):
        nn.Module()(1.0)


def test_subclass_without_super_init_still_works() -> None:
    class Bare(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(np.ones(2))

    b = Bare()
    assert b.training and len(b.parameters()) == 1


def test_unknown_attribute_raises_attribute_error_with_hint() -> None:
    net = Net()
    with pytest.raises(AttributeError, match=r"'Net' object has no attribute 'blok'.*'block'"):
        _ = net.blok
    assert not hasattr(net, "nothing_like_it")


def test_repr_is_nested_like_pytorch() -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): Sequential(\n"
        "    (0): ReLU()\n"
        "    (1): Linear(in_features=3, out_features=1, bias=True)\n"
        "  )\n"
        ")"
    )


def test_to_changes_dtype_of_parameters_and_later_builds() -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.Dense(2))
    model.to(np.float64)
    out = model(np.ones((1, 2)))
    assert all(p.dtype == np.float64 for p in model.parameters())
    assert out.dtype == np.float64
    with pytest.raises(TypeError):
        model.to(np.int64)


# --- state dicts ------------------------------------------------------------------------


def _model(seed: int = 0) -> nn.Sequential:
    nn.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


def test_state_dict_round_trip_copies_arrays() -> None:
    a, b = _model(0), _model(1)
    sd = a.state_dict()
    assert list(sd) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    sd["0.bias"][:] = 123.0  # a copy: the model is untouched
    assert not np.any(a[0].bias.data == 123.0)
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    np.testing.assert_array_equal(a(x).data, b(x).data)
    assert all(p.dtype == np.float32 for p in b.parameters())


def test_load_state_dict_reports_missing_and_unexpected_keys() -> None:
    model = _model()
    sd = model.state_dict()
    del sd["2.bias"]
    sd["3.weight"] = np.zeros((1, 1))
    with pytest.raises(
        nn.StateDictError, match=r"'2\.bias'.*missing.*unexpected keys: \['3\.weight'\]"
    ):
        model.load_state_dict(sd)
    before = model[0].weight.data.copy()
    sd["0.weight"] = np.ones((4, 8))
    result = model.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["2.bias"] and result.unexpected_keys == ["3.weight"]
    assert not np.array_equal(before, model[0].weight.data)


def test_shape_mismatch_names_the_key_and_both_shapes_and_changes_nothing() -> None:
    model = _model()
    before = model.state_dict()
    other = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 5)).state_dict()
    with pytest.raises(ValueError, match=r"'2\.weight'.*\(8, 3\).*\(8, 5\)"):
        model.load_state_dict(other)
    for key, arr in model.state_dict().items():
        np.testing.assert_array_equal(arr, before[key])


def test_load_state_dict_rejects_non_numeric_arrays() -> None:
    model = nn.Linear(1, 1)
    with pytest.raises(ValueError, match="not numbers"):
        model.load_state_dict({"weight": np.array([["a"]]), "bias": np.zeros(1)})


# --- weight files --------------------------------------------------------------------------


def test_save_and_load_weights_round_trip(tmp_path: Path) -> None:
    a, b = _model(0), _model(1)
    path = tmp_path / "w.npz"
    a.save_weights(path)
    b.load_weights(str(path))
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb
        np.testing.assert_array_equal(va, vb)
    assert sorted(os.listdir(tmp_path)) == ["w.npz"]  # no temporary file left
    with np.load(path, allow_pickle=False) as f:
        assert sorted(f.files) == sorted(a.state_dict())


def test_path_is_used_as_given(tmp_path: Path) -> None:
    model = _model()
    model.save_weights(tmp_path / "weights")
    assert (tmp_path / "weights").exists()
    model.load_weights(tmp_path / "weights")


def test_weights_load_into_an_unbuilt_dense_model(tmp_path: Path) -> None:
    nn.manual_seed(0)
    trained = nn.Sequential(nn.Dense(5, activation="relu", input_dim=3), nn.Dense(2))
    trained.save_weights(tmp_path / "d.npz")
    fresh = nn.Sequential(nn.Dense(5, activation="relu"), nn.Dense(2))
    assert not fresh.built
    fresh.load_weights(tmp_path / "d.npz")
    assert fresh.built
    x = np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(fresh(x).data, trained(x).data)


def test_foreign_architecture_names_first_mismatching_key(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3)).save_weights(path)
    with pytest.raises(ValueError, match=r"other\.npz.*'0\.weight'.*\(4, 8\).*\(4, 16\)"):
        _model().load_weights(path)


def test_truncated_file_gives_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "w.npz"
    _model().save_weights(path)
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 10, 30):
        bad = tmp_path / f"cut{cut}.npz"
        bad.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=re.escape(str(bad))):
            _model().load_weights(bad)


def test_corrupt_member_gives_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "w.npz"
    _model().save_weights(path)
    data = bytearray(path.read_bytes())
    second = data.find(b"PK\x03\x04", 4)  # the local header of the second array
    assert second > 0
    data[second : second + 4] = b"XXXX"
    bad = tmp_path / "corrupt.npz"
    bad.write_bytes(bytes(data))
    model = _model()
    before = model.state_dict()
    with pytest.raises(ValueError, match="truncated or corrupt"):
        model.load_weights(bad)
    for key, arr in model.state_dict().items():
        np.testing.assert_array_equal(arr, before[key])


@pytest.mark.parametrize("kind", ["text", "npy", "pickle_npz", "empty"])
def test_foreign_files_give_clear_errors(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"foreign_{kind}.npz"
    if kind == "text":
        path.write_text("hello, I am not a weights file\n")
    elif kind == "npy":
        with open(path, "wb") as f:
            np.save(f, np.zeros(3))
    elif kind == "pickle_npz":
        with open(path, "wb") as f:
            np.savez(f, obj=np.array([{"a": 1}], dtype=object))
    else:
        path.write_bytes(b"")
    with pytest.raises(ValueError, match=re.escape(str(path))):
        _model().load_weights(path)


def test_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope.npz"):
        _model().load_weights(tmp_path / "nope.npz")


def test_failed_save_leaves_previous_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.npz"
    good = _model(0)
    good.save_weights(path)
    original = path.read_bytes()

    def broken_savez(file: Any, *args: Any, **kwargs: Any) -> None:
        file.write(b"PK\x03\x04 half an archive")  # start writing, then crash
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        _model(1).save_weights(path)
    monkeypatch.undo()
    assert path.read_bytes() == original
    assert os.listdir(tmp_path) == ["w.npz"]  # the temporary file was removed
    restored = _model(2)
    restored.load_weights(path)
    np.testing.assert_array_equal(restored[0].weight.data, good[0].weight.data)


def test_failed_rename_leaves_previous_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.npz"
    _model(0).save_weights(path)
    original = path.read_bytes()

    def broken_replace(src: Any, dst: Any) -> None:
        raise KeyboardInterrupt  # interrupted at the very last moment

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(KeyboardInterrupt):
        _model(1).save_weights(path)
    monkeypatch.undo()
    assert path.read_bytes() == original
    assert os.listdir(tmp_path) == ["w.npz"]


def test_public_names_resolve() -> None:
    for name in nn.__all__:
        assert getattr(nn, name) is not None
    assert callable(nn.datasets.make_moons)  # imported on first use
    with pytest.raises(AttributeError, match="no attribute 'Conv2d'"):
        _ = nn.Conv2d  # type: ignore[attr-defined]


def test_to_cpu_is_the_identity_and_other_devices_are_refused() -> None:
    m = nn.Linear(2, 3)
    w = m.weight.data
    assert m.to("cpu") is m and m.weight.data is w
    with pytest.raises(TypeError, match=r"to: .*'cuda'.*'cpu' is the only device"):
        m.to("cuda")


def test_save_weights_into_a_missing_folder_names_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "w.npz"
    with pytest.raises(FileNotFoundError, match=r"save_weights: the folder .*missing"):
        nn.Linear(2, 3).save_weights(target)
    assert not (tmp_path / "missing").exists()


def test_apply_visits_children_before_their_parent_and_requires_grad_freezes() -> None:
    inner = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    model = nn.Sequential(inner, nn.Linear(3, 1))
    seen: list[nn.Module] = []
    assert model.apply(seen.append) is model
    assert seen == [inner[0], inner[1], inner, model[1], model]
    assert model.requires_grad_(False) is model
    assert not any(p.requires_grad for p in model.parameters())
    model.requires_grad_()
    assert all(p.requires_grad for p in model.parameters())


def test_module_zero_grad_can_zero_in_place() -> None:
    m = nn.Linear(2, 1)
    m(np.ones((1, 2))).sum().backward()
    g = m.weight.grad
    m.zero_grad(set_to_none=False)
    assert m.weight.grad is g and not g.any()
    m.zero_grad()
    assert m.weight.grad is None


def test_dtype_errors_name_the_caller() -> None:
    with pytest.raises(TypeError, match=r"^Parameter: dtype must be a floating-point type"):
        nn.Parameter(np.ones(2), dtype="no such type")
    with pytest.raises(TypeError, match=r"^to: dtype must be a floating-point type, got int32"):
        nn.Linear(2, 2).to(np.int32)


def test_get_and_set_weights_as_keras_has_them() -> None:
    nn.manual_seed(0)
    a = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    b = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    weights = a.get_weights()
    assert [w.shape for w in weights] == [(3, 4), (4,), (4, 2), (2,)]
    weights[0][0, 0] = 99.0  # copies: the model is untouched
    assert a[0].weight.data[0, 0] != 99.0
    b.set_weights(a.get_weights())
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    before = b.get_weights()
    with pytest.raises(ValueError, match=r"set_weights: expected 4 arrays .*0\.weight.*got 3"):
        b.set_weights(before[:3])
    with pytest.raises(ValueError):  # a wrong shape: nothing is changed
        b.set_weights([before[0], before[1], np.ones((2, 4)), before[3]])
    for w0, w1 in zip(before, b.get_weights()):
        np.testing.assert_array_equal(w0, w1)
    with pytest.raises(ValueError, match="set_weights: some layers are not built"):
        nn.Sequential(nn.Dense(2)).set_weights([])


def test_parameter_and_state_dict_names_are_importable_from_nn_module() -> None:
    assert module.Parameter is parameter.Parameter
    assert module.StateDictError is state_dict.StateDictError
    assert module.LoadResult is state_dict.LoadResult
    for name in module.__all__:
        assert getattr(module, name) is not None
