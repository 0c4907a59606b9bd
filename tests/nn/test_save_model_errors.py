"""model.save and nn.load_model when something is wrong: files that are not saved models,
unknown layer classes and functions, what cannot be saved; a failed load changes nothing
and an interrupted save keeps the old file; a model class of one's own in a fresh
process."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
from nn import naming

ROOT = Path(__file__).resolve().parents[2]


def _saved(tmp_path: Path, name: str = "m.nnz") -> tuple[nn.Sequential, Path]:
    nn.manual_seed(0)
    model = nn.Sequential(nn.Dense(4, activation="relu", input_dim=3), nn.Dense(2))
    model.compile(nn.SGD(lr=0.1, momentum=0.9), "mse", ["mae"])
    model.fit(np.ones((8, 3)), np.zeros((8, 2)), 4, 1, 0)
    path = tmp_path / name
    model.save(path)
    return model, path


def _rewritten(path: Path, target: Path, change: Any) -> Path:
    """A copy of the model file at `path` whose members `change(name, data)` rewrote."""
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(target, "w") as out:
        for name in z.namelist():
            data = change(name, z.read(name))
            if data is not None:
                out.writestr(name, data)
    return target


def _config_with(old: str, new: str) -> Any:
    def change(name: str, data: bytes) -> bytes:
        return data.replace(old.encode(), new.encode()) if name == "config.json" else data

    return change


def _nothing_changes(load: Any) -> None:
    """`load()` fails with ValueError, and leaves nn's random stream and names as they were."""
    rng, counters = nn.get_rng_state(), naming.counters_state()
    with pytest.raises(ValueError) as caught:
        load()
    assert nn.get_rng_state() == rng and naming.counters_state() == counters
    return caught.value  # type: ignore[return-value]


# --- files that are not saved models ----------------------------------------------------------


def test_a_file_that_is_not_a_saved_model_is_refused_naming_the_path(tmp_path: Path) -> None:
    text = tmp_path / "notes.nnz"
    text.write_text("not a model")
    weights = tmp_path / "weights.npz"
    nn.Sequential(nn.Linear(2, 2)).save_weights(weights)
    _, path = _saved(tmp_path)
    truncated = tmp_path / "truncated.nnz"
    truncated.write_bytes(path.read_bytes()[:-200])
    other_json = _rewritten(path, tmp_path / "other.nnz", _config_with('"nn.model"', '"other"'))
    cases = [
        (text, "is not a saved model"),
        (weights, "no config.json .*load_weights"),
        (truncated, "is not a saved model"),
        (other_json, "not a saved model's configuration"),
    ]
    for bad, why in cases:
        error = _nothing_changes(lambda bad=bad: nn.load_model(bad))
        assert str(bad) in str(error) and re.search(why, str(error)), error
    with pytest.raises(FileNotFoundError, match="no such file"):
        nn.load_model(tmp_path / "missing.nnz")


def test_an_unknown_layer_class_is_named_and_nothing_changes(tmp_path: Path) -> None:
    _, path = _saved(tmp_path)
    bad = _rewritten(path, tmp_path / "bad.nnz", _config_with('"Dense"', '"Dense9"'))
    error = _nothing_changes(lambda: nn.load_model(bad))
    assert str(bad) in str(error) and "unknown layer class nn.layers.Dense9" in str(error)
    elsewhere = _rewritten(path, tmp_path / "else.nnz", _config_with('"nn.layers"', '"pkg.x"'))
    assert "pkg.x.Dense" in str(_nothing_changes(lambda: nn.load_model(elsewhere)))


def test_weights_that_do_not_fit_fail_late_and_still_change_nothing(tmp_path: Path) -> None:
    _, path = _saved(tmp_path)

    def smaller(name: str, data: bytes) -> bytes:
        if name != "weights/0.kernel.npy":
            return data
        buffer = io.BytesIO()
        np.save(buffer, np.zeros((2, 4), np.float32))
        return buffer.getvalue()

    bad = _rewritten(path, tmp_path / "bad.nnz", smaller)
    error = _nothing_changes(lambda: nn.load_model(bad))
    assert "0.kernel" in str(error) and "(3, 4)" in str(error) and "(2, 4)" in str(error)
    no_optimizer = _rewritten(path, tmp_path / "opt.nnz", _config_with('"SGD"', '"Adagrad"'))
    assert "optimizer class nn.optim.Adagrad" in str(
        _nothing_changes(lambda: nn.load_model(no_optimizer))
    )
    newer = _rewritten(path, tmp_path / "v2.nnz", _config_with('"version": 1', '"version": 2'))
    assert "version 2" in str(_nothing_changes(lambda: nn.load_model(newer)))


# --- functions ---------------------------------------------------------------------------------


def halved_error(y_true: Any, y_pred: Any) -> Any:
    return ((y_pred - y_true) ** 2).mean() * 0.5


def squared(x: Any) -> Any:
    return x * x


def test_a_function_of_ones_own_loads_through_custom_objects(tmp_path: Path) -> None:
    model = nn.Sequential(nn.Dense(2, activation=squared, input_dim=3), nn.Lambda(abs))
    model.compile("sgd", halved_error)
    model.save(tmp_path / "m.nnz")
    functions = {"halved_error": halved_error, "squared": squared, "abs": abs}
    loaded = nn.load_model(tmp_path / "m.nnz", custom_objects=functions)
    assert isinstance(loaded, nn.Sequential) and loaded.compiled_loss is halved_error
    x = np.linspace(-1, 1, 6).reshape(2, 3)
    assert np.array_equal(loaded.predict(x), model.predict(x))
    # A function outside nn and autograd is never looked up by the name the file gives.
    with pytest.raises(ValueError, match=r"unknown function .*squared.*custom_objects"):
        nn.load_model(tmp_path / "m.nnz")


def test_what_cannot_be_saved_is_refused_before_the_file_is_touched(tmp_path: Path) -> None:
    path = tmp_path / "m.nnz"
    path.write_bytes(b"the old file")
    lambda_model = nn.Sequential(nn.Dense(2, activation=lambda v: v * 2, input_dim=3))
    with pytest.raises(ValueError, match=r"m\.nnz.*dense.*lambda cannot be saved"):
        lambda_model.save(path)

    class Net(nn.Model):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(3, 2)

        def forward(self, x: Any) -> Any:
            return self.fc(x)

    net = Net()
    net.fc = nn.Linear(3, 5)  # changed after construction: Net() would not make it again
    with pytest.raises(ValueError, match="constructor calls do not make it again"):
        net.save(path)
    assert path.read_bytes() == b"the old file"
    assert [p.name for p in tmp_path.iterdir()] == ["m.nnz"]


# --- an interrupted save -----------------------------------------------------------------------


def test_an_interrupted_save_keeps_the_old_file(tmp_path: Path, monkeypatch: Any) -> None:
    model, path = _saved(tmp_path)
    old = path.read_bytes()
    real = np.lib.format.write_array
    written: list[int] = []

    def failing(*args: Any, **kwargs: Any) -> None:
        if len(written) == 2:  # midway: two members written, then the disk fills up
            raise OSError(28, "No space left on device")
        written.append(1)
        real(*args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", failing)
    model.fit(np.ones((8, 3)), np.zeros((8, 2)), 4, 1, 0)
    with pytest.raises(OSError, match="No space left"):
        model.save(path)
    assert len(written) == 2
    assert path.read_bytes() == old  # the old file, whole
    assert [p.name for p in tmp_path.iterdir()] == ["m.nnz"]  # no temporary file left
    monkeypatch.undo()
    assert isinstance(nn.load_model(path), nn.Sequential)


# --- a model class of one's own ----------------------------------------------------------------


def test_a_model_class_of_ones_own_loads_once_its_module_is_imported(tmp_path: Path) -> None:
    (tmp_path / "my_models.py").write_text(
        textwrap.dedent("""
            import nn

            class TwoHeads(nn.Model):
                def __init__(self, width, name=None):
                    super().__init__(name=name)
                    self.body = nn.Dense(width, activation="tanh", input_dim=3)
                    self.head = nn.Dense(2)

                def forward(self, x):
                    return self.head(self.body(x))
        """)
    )
    script = textwrap.dedent(f"""
        import sys, json, numpy as np
        sys.path.insert(0, {str(tmp_path)!r})
        import nn
        if sys.argv[1] == "save":
            import my_models
            nn.manual_seed(5)
            model = my_models.TwoHeads(6, name="heads")
            model.compile("adam", "mse")
            model.fit(np.ones((4, 3)), np.zeros((4, 2)), 2, 2, 0)
            model.save("own.nnz")
            np.save("pred.npy", model.predict(np.eye(3)))
        else:
            if sys.argv[1] == "import":
                import my_models
            try:
                model = nn.load_model("own.nnz")
            except ValueError as exc:
                print(json.dumps(str(exc)))
            else:
                same = np.array_equal(model.predict(np.eye(3)), np.load("pred.npy"))
                print(json.dumps([model.name, model.get_layer(index=0).name, same]))
    """)

    def run(step: str) -> Any:
        done = subprocess.run(
            [sys.executable, "-c", script, step],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout else None

    run("save")
    assert "unknown layer class my_models.TwoHeads" in run("no-import")
    assert run("import") == ["heads", "dense", True]
