""".safetensors weights: save_weights/load_weights choose the format by the suffix and
write PyTorch's keys and layouts (a fully connected weight (out, in), a Dense with an
activation two positions of a chain); a file that does not fit raises StateDictError
naming the key and both shapes, a file that is not one raises ValueError naming the
path, and a failed load or save changes nothing. (PyTorch itself reading and writing
these files: test_torch_interop.py.)"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import safetensors.numpy

import nn
from nn.export.torch_layout import to_torch, torch_entries


def _weights(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.copy() for k, v in model.state_dict().items()}


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(
        a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]) for k in a
    )


def _keras() -> nn.Sequential:
    nn.manual_seed(0)
    return nn.Sequential(
        nn.Dense(6, activation="relu", input_dim=4),
        nn.Dense(5, activation="prelu"),
        nn.Dropout(0.2),
        nn.Dense(3, activation="softmax"),
    )


def _keras_lazy() -> nn.Sequential:
    return nn.Sequential(
        nn.Dense(6, activation="relu"),
        nn.Dense(5, activation="prelu"),
        nn.Dropout(0.2),
        nn.Dense(3, activation="softmax"),
    )


X = np.random.default_rng(1).normal(size=(7, 4)).astype(np.float32)


def test_keys_and_layouts_are_pytorchs(tmp_path: Path) -> None:
    model = _keras()
    path = tmp_path / "model.safetensors"
    model.save_weights(path)
    stored = safetensors.numpy.load_file(str(path))
    # Dense(relu) is Linear, ReLU: two positions; Dense(prelu) is Linear, PReLU; then
    # Dropout; the last Dense is Linear, Softmax.
    assert sorted(stored) == sorted(
        ["0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "5.weight", "5.bias"]
    )
    assert np.array_equal(stored["0.weight"], model[0].kernel.data.T)
    assert stored["0.weight"].shape == (6, 4) and stored["0.weight"].dtype == np.float32
    assert np.array_equal(stored["3.weight"], model[1].activation.weight.data)
    assert np.array_equal(stored["5.bias"], model[3].bias.data)
    with open(path, "rb") as f:
        header = f.read(200)
    assert b'"__metadata__":{"format":"pt"}' in header


def test_pytorch_style_models_keep_their_positions() -> None:
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.PReLU(4), nn.Linear(4, 2), nn.LogSoftmax(dim=1))
    arrays = to_torch(model)
    assert list(arrays) == ["0.weight", "0.bias", "1.weight", "2.weight", "2.bias"]
    assert arrays["0.weight"].shape == (4, 3) and arrays["0.weight"].flags.c_contiguous
    assert np.array_equal(arrays["2.weight"], model[2].weight.data.T)


def test_nested_chains_wrappers_and_classes_are_keyed_as_in_pytorch() -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Sequential(nn.Dense(3, activation="tanh", input_dim=2), nn.Flatten())
            self.act = nn.Activation("prelu")  # Keras' Activation layer: the PReLU itself
            self.head = nn.Dense(1, activation="elu", input_dim=3)  # outside a chain

        def forward(self, x: object) -> object:
            return self.head(self.act(self.body(x)))

    keys = {e.key: (e.torch_key, e.transposed) for e in torch_entries(Net())}
    assert keys == {
        "body.0.kernel": ("body.0.weight", True),
        "body.0.bias": ("body.0.bias", False),
        "act.fn.weight": ("act.weight", False),
        "head.kernel": ("head.weight", True),
        "head.bias": ("head.bias", False),
    }
    outer = nn.Sequential(nn.Dense(4, activation="relu", input_dim=2), _keras())
    torch_keys = [e.torch_key for e in torch_entries(outer)]
    assert torch_keys[:3] == ["0.weight", "0.bias", "2.0.weight"]
    assert "2.3.weight" in torch_keys and "2.5.bias" in torch_keys


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_round_trip_loads_the_same_weights_into_a_lazy_model(tmp_path: Path, dtype: type) -> None:
    model = _keras().to(dtype)
    path = tmp_path / "w.safetensors"
    model.save_weights(path)
    other = _keras_lazy().to(dtype)
    rng = nn.get_rng_state()
    assert other.load_weights(path) == nn.LoadResult([], [])
    assert nn.get_rng_state() == rng  # built from the file: no random weights drawn
    assert _same(_weights(other), _weights(model))
    assert np.array_equal(other.predict(X), model.predict(X))


def test_other_suffixes_still_write_npz_and_the_suffix_ignores_case(tmp_path: Path) -> None:
    model = _keras()
    for name in ("w.npz", "w.weights", "w"):
        model.save_weights(tmp_path / name)
        with np.load(tmp_path / name) as archive:
            assert sorted(archive.files) == sorted(model.state_dict())
    model.save_weights(tmp_path / "w.SafeTensors")
    assert "0.weight" in safetensors.numpy.load_file(str(tmp_path / "w.SafeTensors"))
    assert sorted(os.listdir(tmp_path)) == ["w", "w.SafeTensors", "w.npz", "w.weights"]


def test_a_file_of_another_architecture_names_the_key_and_both_shapes(tmp_path: Path) -> None:
    path = tmp_path / "w.safetensors"
    _keras().save_weights(path)
    nn.manual_seed(3)
    wider = nn.Sequential(nn.Dense(6, activation="relu", input_dim=5), nn.Dense(2))
    before = _weights(wider)
    with pytest.raises(nn.StateDictError) as info:
        wider.load_weights(path)
    message = str(info.value)
    assert "w.safetensors" in message and "'0.weight'" in message
    assert "(6, 5)" in message and "(6, 4)" in message and "'0.kernel'" in message
    assert _same(_weights(wider), before)


def test_strict_keys_and_a_non_strict_load(tmp_path: Path) -> None:
    model = _keras()
    path = tmp_path / "w.safetensors"
    arrays = to_torch(model)
    safetensors.numpy.save_file({**arrays, "9.weight": np.ones(2, np.float32)}, str(path))
    other = _keras_lazy()
    with pytest.raises(nn.StateDictError, match=r"key '9\.weight' is not in the model"):
        other.load_weights(path)
    assert not other.built
    assert other.load_weights(path, strict=False) == nn.LoadResult([], ["9.weight"])
    assert _same(_weights(other), _weights(model))

    del arrays["3.weight"]  # the PReLU's slope
    safetensors.numpy.save_file(arrays, str(path))
    third = _keras_lazy()
    with pytest.raises(nn.StateDictError, match=r"key '3\.weight' is missing from the file"):
        third.load_weights(path)
    assert not third.built
    assert third.load_weights(path, strict=False) == nn.LoadResult(["3.weight"], [])


def test_an_unbuilt_model_is_not_saved_and_the_old_file_stays(tmp_path: Path) -> None:
    path = tmp_path / "w.safetensors"
    _keras().save_weights(path)
    old = path.read_bytes()
    with pytest.raises(ValueError, match=r"layer '0' \(Dense\) is not built yet"):
        _keras_lazy().save_weights(path)
    assert path.read_bytes() == old and os.listdir(tmp_path) == ["w.safetensors"]


def test_a_save_that_fails_while_writing_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.safetensors"
    _keras().save_weights(path)
    old = path.read_bytes()

    def fail(*args: object, **kwargs: object) -> bytes:
        raise OSError("disk full")

    monkeypatch.setattr(safetensors.numpy, "save", fail)
    with pytest.raises(OSError, match="disk full"):
        nn.Sequential(nn.Dense(2, input_dim=2)).save_weights(path)
    assert path.read_bytes() == old and os.listdir(tmp_path) == ["w.safetensors"]


def _load(model: nn.Module, path: Path) -> str:
    """Load `path`: "loaded", or "refused" with a ValueError naming the path and the
    model as it was (its weights, built or not, and nn's random generator)."""
    before, built, rng = _weights(model), model.built, nn.get_rng_state()
    try:
        model.load_weights(path)
    except ValueError as exc:
        assert str(path) in str(exc)
        assert _same(_weights(model), before) and model.built == built
        assert nn.get_rng_state() == rng
        return "refused"
    return "loaded"


def test_every_truncation_and_foreign_file_raises_value_error_naming_the_path(
    tmp_path: Path,
) -> None:
    source = tmp_path / "w.safetensors"
    _keras().save_weights(source)
    raw = source.read_bytes()
    bad = tmp_path / "bad.safetensors"
    nn.manual_seed(5)
    model = _keras()
    for n in range(len(raw)):
        bad.write_bytes(raw[:n])
        assert _load(model, bad) == "refused", f"{n} of {len(raw)} bytes loaded"
    npz = tmp_path / "w.npz"
    _keras().save_weights(npz)
    complex_file = safetensors.numpy.save({"0.weight": np.ones((6, 4), np.complex64)})
    foreign = {
        "empty": b"",
        "text": b"these are not weights\n",
        "an npz archive": npz.read_bytes(),
        "a header longer than the file": (10**6).to_bytes(8, "little") + b"{}",
        "complex numbers": complex_file,
    }
    for name, data in foreign.items():
        bad.write_bytes(data)
        assert _load(model, bad) == "refused", name
        lazy = _keras_lazy()
        assert _load(lazy, bad) == "refused" and not lazy.built, name
    (tmp_path / "folder.safetensors").mkdir()
    with pytest.raises(ValueError, match="is a folder"):
        model.load_weights(tmp_path / "folder.safetensors")
    with pytest.raises(FileNotFoundError, match="no such file"):
        model.load_weights(tmp_path / "missing.safetensors")


def test_single_byte_corruptions_of_the_header_load_or_change_nothing(tmp_path: Path) -> None:
    source = tmp_path / "w.safetensors"
    saved = _keras()
    saved.save_weights(source)
    raw = source.read_bytes()
    header_end = 8 + int.from_bytes(raw[:8], "little")
    bad = tmp_path / "bad.safetensors"
    outcomes = {"loaded": 0, "refused": 0}
    for i in range(header_end):  # the tensor bytes carry no checksum: any value loads
        corrupt = bytearray(raw)
        corrupt[i] ^= 0x5A
        bad.write_bytes(bytes(corrupt))
        nn.manual_seed(5)
        model = _keras()
        outcome = _load(model, bad)
        outcomes[outcome] += 1
    assert outcomes["refused"] > outcomes["loaded"] >= 0
