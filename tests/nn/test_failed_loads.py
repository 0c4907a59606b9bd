"""A failed load changes nothing, and every file that is not a complete weights file of
the model raises the documented ValueError (issue 20): a lazy model stays unbuilt (no
fresh random weights left behind, no random numbers drawn), a built one keeps its
weights; single-byte corruptions, truncations and foreign files are swept."""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn


def _built() -> nn.Sequential:
    nn.manual_seed(0)
    return nn.Sequential(nn.Dense(3, activation="relu", input_dim=4), nn.Dense(2))


def _lazy() -> nn.Sequential:
    return nn.Sequential(nn.Dense(3, activation="relu"), nn.Dense(2))


def _weights(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.copy() for k, v in model.state_dict().items()}


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(
        a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]) for k in a
    )


@pytest.fixture
def saved(tmp_path: Path) -> tuple[Path, dict[str, np.ndarray]]:
    model = _built()
    path = tmp_path / "weights.npz"
    model.save_weights(path)
    return path, _weights(model)


BAD_STATES = {
    "bias shape": {"0.kernel": (4, 3), "0.bias": (5,), "1.kernel": (3, 2), "1.bias": (2,)},
    "second kernel shape": {"0.kernel": (4, 3), "0.bias": (3,), "1.kernel": (3, 7)},
    "missing key": {"0.kernel": (4, 3), "0.bias": (3,), "1.kernel": (3, 2)},
    "unexpected key": {
        **{"0.kernel": (4, 3), "0.bias": (3,), "1.kernel": (3, 2), "1.bias": (2,)},
        "2.kernel": (2, 2),
    },
}


@pytest.mark.parametrize("case", sorted(BAD_STATES))
def test_a_failed_load_leaves_a_lazy_model_unbuilt_and_the_generator_untouched(
    case: str, tmp_path: Path
) -> None:
    state = {k: np.ones(shape, np.float32) for k, shape in BAD_STATES[case].items()}
    model = _lazy()
    rng = nn.get_rng_state()
    with pytest.raises(nn.StateDictError):
        model.load_state_dict(state)
    assert not model.built and model.parameters() == []
    assert model[0].kernel is None and model[0].input_dim is None
    assert nn.get_rng_state() == rng
    # The same through a file; and the model still builds at its first call afterwards.
    np.savez(tmp_path / "bad.npz", **state)
    with pytest.raises(ValueError, match=r"load_weights\('.*bad\.npz'\)"):
        model.load_weights(tmp_path / "bad.npz")
    assert not model.built and nn.get_rng_state() == rng
    assert model(np.ones((2, 5), np.float32)).shape == (2, 2)


def test_a_failed_load_leaves_a_built_model_as_it_was(tmp_path: Path) -> None:
    model = _built()
    before = _weights(model)
    for case in BAD_STATES.values():
        with pytest.raises(nn.StateDictError):
            model.load_state_dict({k: np.full(s, 7.0) for k, s in case.items()})
        assert _same(_weights(model), before)


def test_a_lazy_model_loads_without_drawing_random_numbers(
    saved: tuple[Path, dict[str, np.ndarray]],
) -> None:
    path, weights = saved
    model = _lazy()
    rng = nn.get_rng_state()
    model.load_weights(path)
    assert model.built and _same(_weights(model), weights)
    assert nn.get_rng_state() == rng


def _load(model: nn.Module, path: Path, before: dict[str, np.ndarray]) -> str:
    """Load `path` into `model`: "loaded" (then the weights must be the saved ones) or
    "refused" (a ValueError; then the model must be as it was)."""
    try:
        model.load_weights(path)
    except ValueError:
        assert _same(_weights(model), before) and model.built == bool(before)
        return "refused"
    return "loaded"


def test_every_single_byte_corruption_loads_the_same_weights_or_raises_value_error(
    saved: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    path, weights = saved
    raw = path.read_bytes()
    bad = tmp_path / "corrupt.npz"
    model = _built()
    nn.manual_seed(1)
    model.load_state_dict({k: np.full(v.shape, 0.5, v.dtype) for k, v in weights.items()})
    before = _weights(model)
    outcomes = {"loaded": 0, "refused": 0}
    rng = np.random.default_rng(0)
    for i in range(len(raw)):  # every byte, flipped to its complement and to a random value
        for value in (raw[i] ^ 0xFF, int(rng.integers(256))):
            if value == raw[i]:
                continue
            corrupt = bytearray(raw)
            corrupt[i] = value
            bad.write_bytes(bytes(corrupt))
            outcome = _load(model, bad, before)
            outcomes[outcome] += 1
            if outcome == "loaded":
                assert _same(_weights(model), weights), f"byte {i} -> {value}: other weights"
                model.load_state_dict(before)
    assert outcomes["refused"] > outcomes["loaded"] > 0  # both happen: the sweep reached both


def test_single_byte_corruptions_leave_a_lazy_model_unbuilt_or_load_the_saved_weights(
    saved: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    path, weights = saved
    raw = path.read_bytes()
    bad = tmp_path / "corrupt.npz"
    for i in range(0, len(raw), 7):  # a deterministic sample of positions
        corrupt = bytearray(raw)
        corrupt[i] ^= 0xFF
        bad.write_bytes(bytes(corrupt))
        model = _lazy()
        if _load(model, bad, {}) == "loaded":
            assert _same(_weights(model), weights)
        else:
            assert not model.built


def test_every_truncation_raises_value_error(
    saved: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    path, _ = saved
    raw = path.read_bytes()
    bad = tmp_path / "short.npz"
    model = _built()
    before = _weights(model)
    for n in range(len(raw)):
        bad.write_bytes(raw[:n])
        assert _load(model, bad, before) == "refused", f"{n} of {len(raw)} bytes loaded"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _npz(**arrays: Any) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def _foreign(weights: dict[str, np.ndarray], raw: bytes) -> dict[str, bytes]:
    named = {k: v.astype(np.complex64) for k, v in weights.items()}
    return {
        "empty": b"",
        "text": b"these are not weights\n",
        "npy": _npy(np.ones(3)),
        "gzip of the file": gzip.compress(raw),
        "zip of text": _zip({"0.kernel.npy": b"not an array", "notes.txt": b"hello"}),
        "zip holding a text member named as a weight": _zip({"0.kernel": b"hello"}),
        "object arrays (pickle)": _npz(**{"0.kernel": np.array([None, 1], dtype=object)}),
        "complex arrays": _npz(**named),
        "string arrays": _npz(**{k: np.full(v.shape, "a") for k, v in weights.items()}),
        "bool arrays": _npz(**{k: np.ones(v.shape, bool) for k, v in weights.items()}),
        "structured arrays": _npz(
            **{k: np.zeros(v.shape, dtype=[("a", "f4")]) for k, v in weights.items()}
        ),
        "another architecture": _npz(**{k: np.ones((5, 5)) for k in weights}),
        "encrypted-flag zip": _encrypted_flag(raw),
        "appended to a text file": b"#!" + raw,
    }


def _encrypted_flag(raw: bytes) -> bytes:
    """The file with the "encrypted" bit set in each local and central header."""
    out = bytearray(raw)
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = out.find(sig)
        while start != -1:
            out[start + flag_at] |= 1
            start = out.find(sig, start + 4)
    return bytes(out)


def test_foreign_files_raise_value_error_and_change_nothing(
    saved: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    path, weights = saved
    model = _built()
    before = _weights(model)
    for name, data in _foreign(weights, path.read_bytes()).items():
        bad = tmp_path / "foreign.npz"
        bad.write_bytes(data)
        assert _load(model, bad, before) == "refused", name
        lazy = _lazy()
        assert _load(lazy, bad, {}) == "refused" and not lazy.built, name


def test_a_folder_or_a_missing_file(tmp_path: Path) -> None:
    model = _built()
    with pytest.raises(ValueError, match="is not a weights file"):
        model.load_weights(tmp_path)
    with pytest.raises(FileNotFoundError, match="no such file"):
        model.load_weights(tmp_path / "nothing.npz")
    assert not os.path.exists(tmp_path / "nothing.npz")


def test_compressed_archives_and_extra_bytes_after_the_archive_still_load(
    saved: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    path, weights = saved
    other = tmp_path / "compressed.npz"
    np.savez_compressed(other, **weights)
    for data in (other.read_bytes(), path.read_bytes() + b"trailing"):
        other.write_bytes(data)
        model = _lazy()
        model.load_weights(other)
        assert _same(_weights(model), weights)
