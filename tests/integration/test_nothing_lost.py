"""Nothing lost: interrupted saves leave the previous file intact and loadable,
checkpoints are never replaced by partial ones, files never load through pickle."""

import os

import numpy as np
import pytest

import nn


def _model_and_data():
    nn.manual_seed(0)
    x, y = nn.datasets.make_moons(96, noise=0.1, seed=0)
    model = nn.Sequential(nn.Dense(8, activation="tanh", input_dim=2), nn.Dense(2))
    model.compile(
        optimizer=nn.SGD(lr=0.1),
        loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model, x, y


@pytest.mark.parametrize("written", [0, 10, 200])
def test_interrupted_save_at_any_point_keeps_previous_file(tmp_path, monkeypatch, written):
    model, _, _ = _model_and_data()
    path = tmp_path / "weights.npz"
    model.save_weights(path)
    before = path.read_bytes()
    real_savez = np.savez

    def failing_savez(file, *args, **kwargs):
        real_savez(file, *args, **kwargs)
        file.truncate(written)  # the write got this far...
        raise OSError("interrupted")  # ...then the disk filled up / the process was killed

    monkeypatch.setattr(np, "savez", failing_savez)
    for p in model.parameters():
        p.data = p.data + 1
    with pytest.raises(OSError, match="interrupted"):
        model.save_weights(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["weights.npz"]
    model.load_weights(path)  # still loadable


def test_checkpoint_is_never_replaced_by_a_partial_one(tmp_path, monkeypatch):
    model, x, y = _model_and_data()
    path = tmp_path / "best.npz"
    ckpt = nn.callbacks.ModelCheckpoint(str(path), monitor="loss", save_best_only=True)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[ckpt])
    good = path.read_bytes()

    def failing_savez(file, *args, **kwargs):
        file.write(b"PK\x03\x04 partial")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", failing_savez)
    with pytest.raises(OSError, match="disk full"):
        model.fit(x, y, epochs=3, verbose=0, callbacks=[ckpt])
    monkeypatch.undo()
    assert path.read_bytes() == good
    model.load_weights(path)


def test_weights_files_never_load_through_pickle(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, **{"0.weight": np.array([object()], dtype=object)})
    model = nn.Sequential(nn.Linear(2, 2))
    with pytest.raises(ValueError, match=r"evil\.npz"):
        model.load_weights(path)
