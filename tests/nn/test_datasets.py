"""Tests for nn.datasets: toy problems, digits, IDX parsing and MNIST loading/downloading.

The download tests run a real HTTP server on 127.0.0.1 (a free port, one thread) that
serves small generated IDX files, and count the requests it gets.
"""

from __future__ import annotations

import gzip
import hashlib
import struct
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from nn import datasets, idx, init, mnist, toy_datasets

# --- toy problems ----------------------------------------------------------------------

MAKERS: dict[str, tuple[Callable[..., tuple[np.ndarray, np.ndarray]], int]] = {
    "moons": (datasets.make_moons, 2),
    "circles": (datasets.make_circles, 2),
    "spirals2": (datasets.make_spirals, 2),
    "spirals3": (partial(datasets.make_spirals, n_classes=3), 3),
    "xor": (datasets.make_xor, 2),
}


@pytest.fixture(params=sorted(MAKERS))
def maker(
    request: pytest.FixtureRequest,
) -> tuple[Callable[..., tuple[np.ndarray, np.ndarray]], int]:
    return MAKERS[request.param]


@pytest.mark.parametrize("n", [1, 7, 100, 101])
def test_toy_shapes_dtypes_and_balance(
    maker: tuple[Callable[..., tuple[np.ndarray, np.ndarray]], int], n: int
) -> None:
    make, n_classes = maker
    x, y = make(n_samples=n, noise=0.1, seed=0)
    assert x.shape == (n, 2) and x.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=n_classes)
    assert counts.size == n_classes
    assert counts.max() - counts.min() <= 1
    assert np.all(np.isfinite(x))


def test_toy_seeds_repeat_and_differ(
    maker: tuple[Callable[..., tuple[np.ndarray, np.ndarray]], int],
) -> None:
    make, _ = maker
    x1, y1 = make(n_samples=60, noise=0.2, seed=3)
    x2, y2 = make(n_samples=60, noise=0.2, seed=3)
    x3, _ = make(n_samples=60, noise=0.2, seed=4)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(x1, x3)


def test_toy_seed_none_follows_manual_seed(
    maker: tuple[Callable[..., tuple[np.ndarray, np.ndarray]], int],
) -> None:
    make, _ = maker
    init.manual_seed(11)
    x1, y1 = make(n_samples=40, noise=0.1)
    init.manual_seed(11)
    x2, y2 = make(n_samples=40, noise=0.1)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)


def test_toy_data_is_shuffled(
    maker: tuple[Callable[..., tuple[np.ndarray, np.ndarray]], int],
) -> None:
    make, _ = maker
    _, y = make(n_samples=100, seed=0)
    assert np.any(np.diff(y) < 0)  # not sorted by class


def test_moons_geometry_without_noise() -> None:
    x, y = datasets.make_moons(n_samples=50, seed=0)
    outer, inner = x[y == 0].astype(np.float64), x[y == 1].astype(np.float64)
    np.testing.assert_allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0, atol=1e-6)
    assert np.all(outer[:, 1] >= -1e-6) and np.all(inner[:, 1] <= 0.5 + 1e-6)


def test_circles_geometry_without_noise() -> None:
    x, y = datasets.make_circles(n_samples=50, factor=0.3, seed=0)
    radius = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0, atol=1e-6)
    np.testing.assert_allclose(radius[y == 1], 0.3, atol=1e-6)


def test_spirals_geometry_without_noise() -> None:
    x, _ = datasets.make_spirals(n_samples=90, n_classes=3, seed=0)
    radius = np.hypot(x[:, 0], x[:, 1])
    assert radius.min() == pytest.approx(0.1, abs=1e-6)
    assert radius.max() == pytest.approx(1.0, abs=1e-6)


def test_xor_labels_are_xor_of_signs_without_noise() -> None:
    x, y = datasets.make_xor(n_samples=200, seed=0)
    np.testing.assert_array_equal(y, (x[:, 0] > 0) != (x[:, 1] > 0))
    assert np.all(np.abs(x) >= 0.1 - 1e-7) and np.all(np.abs(x) < 1.0)
    quadrants = 2 * (x[:, 0] < 0) + (x[:, 1] < 0)
    assert np.bincount(quadrants).tolist() == [50, 50, 50, 50]


def test_toy_argument_errors_name_function_and_value() -> None:
    with pytest.raises(ValueError, match=r"make_moons: n_samples.*0"):
        datasets.make_moons(n_samples=0)
    with pytest.raises(ValueError, match=r"make_xor: noise.*-1"):
        datasets.make_xor(noise=-1.0)
    with pytest.raises(ValueError, match=r"make_circles: factor.*1\.0"):
        datasets.make_circles(factor=1.0)
    with pytest.raises(ValueError, match=r"make_spirals: n_classes.*0"):
        datasets.make_spirals(n_classes=0)
    with pytest.raises(ValueError, match=r"make_moons: seed.*-3"):
        datasets.make_moons(seed=-3)


# --- digits ---------------------------------------------------------------------------


def test_stratified_split_keeps_class_shares() -> None:
    y = np.repeat(np.arange(4), [100, 50, 30, 20])
    train, test = datasets._stratified_split(y, 0.25, np.random.default_rng(0))
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(y.size))
    assert np.bincount(y[test]).tolist() == [25, 13, 8, 5]  # round half up: 12.5 -> 13


@pytest.fixture(scope="module")
def digits() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    pytest.importorskip("sklearn")
    return datasets.load_digits()


def test_digits_shapes_dtypes_and_range(
    digits: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> None:
    (x_train, _), (x_test, _) = digits
    assert x_train.shape[0] + x_test.shape[0] == 1797
    assert x_test.shape[0] == pytest.approx(0.2 * 1797, abs=10)
    for x, y in digits:
        assert x.dtype == np.float32 and x.shape[1:] == (64,)
        assert y.dtype == np.int64 and y.shape == (x.shape[0],)
        assert x.min() == 0.0 and x.max() == 1.0
        assert set(np.unique(y).tolist()) == set(range(10))


def test_digits_split_is_stratified(
    digits: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> None:
    (_, y_train), (_, y_test) = digits
    share_train = np.bincount(y_train, minlength=10) / y_train.size
    share_test = np.bincount(y_test, minlength=10) / y_test.size
    assert np.abs(share_train - share_test).max() < 0.01


def test_digits_split_is_deterministic_per_seed(
    digits: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> None:
    (x_train, y_train), (x_test, _) = datasets.load_digits(seed=0)
    np.testing.assert_array_equal(x_train, digits[0][0])
    np.testing.assert_array_equal(y_train, digits[0][1])
    np.testing.assert_array_equal(x_test, digits[1][0])
    (x_other, _), _ = datasets.load_digits(seed=1)
    assert not np.array_equal(x_other, x_train)


def test_digits_rejects_bad_test_size() -> None:
    with pytest.raises(ValueError, match=r"load_digits: test_size.*1\.5"):
        datasets.load_digits(test_size=1.5)


def test_digits_without_sklearn_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules makes the import raise ImportError.
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        datasets.load_digits()


# --- IDX files ------------------------------------------------------------------------

IDX_CODES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(np.int16),
    0x0C: np.dtype(np.int32),
    0x0D: np.dtype(np.float32),
    0x0E: np.dtype(np.float64),
}


def idx_bytes(array: np.ndarray, code: int) -> bytes:
    """Encode an array as IDX, independently of the reader under test."""
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(IDX_CODES[code].newbyteorder(">")).tobytes(order="C")


def sample_array(code: int, shape: tuple[int, ...]) -> np.ndarray:
    dtype = IDX_CODES[code]
    rng = np.random.default_rng(code)
    if dtype.kind == "f":
        return rng.normal(0.0, 1e3, size=shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("code", sorted(IDX_CODES), ids=lambda c: f"0x{c:02X}")
def test_idx_round_trip(tmp_path: Path, code: int, gz: bool) -> None:
    array = sample_array(code, (3, 4, 5))
    data = idx_bytes(array, code)
    path = tmp_path / ("a.idx.gz" if gz else "a.idx")
    path.write_bytes(gzip.compress(data) if gz else data)
    loaded = datasets.load_idx(path)
    assert loaded.dtype == IDX_CODES[code] and loaded.dtype.isnative
    assert loaded.flags.writeable
    np.testing.assert_array_equal(loaded, array)


@pytest.mark.parametrize("shape", [(), (7,), (0, 28, 28), (2, 3, 2, 2)])
def test_idx_shapes(tmp_path: Path, shape: tuple[int, ...]) -> None:
    array = sample_array(0x0C, shape)
    path = tmp_path / "a.idx"
    path.write_bytes(idx_bytes(array, 0x0C))
    np.testing.assert_array_equal(datasets.load_idx(str(path)), array)


def test_idx_gzip_is_detected_by_magic_too(tmp_path: Path) -> None:
    array = sample_array(0x08, (4, 4))
    path = tmp_path / "no-suffix"
    path.write_bytes(gzip.compress(idx_bytes(array, 0x08)))
    np.testing.assert_array_equal(datasets.load_idx(path), array)


def _write(tmp_path: Path, data: bytes, name: str = "bad.idx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_idx_wrong_magic(tmp_path: Path) -> None:
    good = idx_bytes(sample_array(0x08, (2, 2)), 0x08)
    path = _write(tmp_path, b"\x01" + good[1:])
    with pytest.raises(ValueError, match=r"bad\.idx.*two zero bytes.*found 01 00 08 02"):
        datasets.load_idx(path)


def test_idx_unknown_type_code(tmp_path: Path) -> None:
    good = idx_bytes(sample_array(0x08, (2, 2)), 0x08)
    path = _write(tmp_path, good[:2] + b"\x0a" + good[3:])
    with pytest.raises(ValueError, match=r"bad\.idx.*unknown IDX type code 0x0A.*0x08 \(uint8\)"):
        datasets.load_idx(path)


def test_idx_truncated_data(tmp_path: Path) -> None:
    good = idx_bytes(sample_array(0x0B, (3, 4)), 0x0B)
    path = _write(tmp_path, good[:-5])
    with pytest.raises(ValueError, match=r"bad\.idx.*truncated.*expected 24 .*\(3, 4\).*found 19"):
        datasets.load_idx(path)


def test_idx_truncated_header(tmp_path: Path) -> None:
    good = idx_bytes(sample_array(0x08, (3, 4)), 0x08)
    with pytest.raises(ValueError, match="truncated header"):
        datasets.load_idx(_write(tmp_path, good[:9]))
    with pytest.raises(ValueError, match="found only 3 bytes"):
        datasets.load_idx(_write(tmp_path, good[:3]))


def test_idx_trailing_bytes(tmp_path: Path) -> None:
    good = idx_bytes(sample_array(0x0D, (2, 2)), 0x0D)
    path = _write(tmp_path, good + b"\x00")
    with pytest.raises(ValueError, match=r"bad\.idx.*trailing.*expected 16 .*found 17"):
        datasets.load_idx(path)


def test_idx_bad_gzip(tmp_path: Path) -> None:
    good = idx_bytes(sample_array(0x08, (30, 30)), 0x08)
    with pytest.raises(ValueError, match=r"bad\.idx\.gz is not a valid gzip file"):
        datasets.load_idx(_write(tmp_path, good, "bad.idx.gz"))  # named .gz, not gzip
    cut = gzip.compress(good)[:-20]
    with pytest.raises(ValueError, match="not a valid gzip file"):
        datasets.load_idx(_write(tmp_path, cut, "cut.idx.gz"))


# --- MNIST from a folder --------------------------------------------------------------

N_TRAIN, N_TEST = 6, 4


def mnist_files(n_train: int = N_TRAIN, n_test: int = N_TEST, seed: int = 0) -> dict[str, bytes]:
    """The four gzipped files of a tiny MNIST lookalike, by file name."""
    rng = np.random.default_rng(seed)
    files = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        files[f"{prefix}-images-idx3-ubyte.gz"] = gzip.compress(idx_bytes(images, 0x08))
        files[f"{prefix}-labels-idx1-ubyte.gz"] = gzip.compress(idx_bytes(labels, 0x08))
    return files


def write_folder(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def check_matches(
    loaded: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    files: dict[str, bytes],
) -> None:
    for (x, y), prefix in zip(loaded, ("train", "t10k"), strict=True):
        want_x = np.frombuffer(gzip.decompress(files[f"{prefix}-images-idx3-ubyte.gz"])[16:], "u1")
        want_y = np.frombuffer(gzip.decompress(files[f"{prefix}-labels-idx1-ubyte.gz"])[8:], "u1")
        assert x.dtype == np.uint8 and x.shape == (want_y.size, 28, 28)
        assert y.dtype == np.int64
        np.testing.assert_array_equal(x.reshape(-1), want_x)
        np.testing.assert_array_equal(y, want_y)


@pytest.mark.parametrize("kind", ["mnist", "fashion"])
def test_mnist_from_local_folder(tmp_path: Path, kind: str) -> None:
    files = mnist_files()
    write_folder(tmp_path / kind, files)
    loaded = datasets.load_mnist(tmp_path, kind=kind)
    check_matches(loaded, files)
    assert loaded[0][0].shape == (N_TRAIN, 28, 28) and loaded[1][0].shape == (N_TEST, 28, 28)


def test_mnist_missing_files_say_to_download(tmp_path: Path) -> None:
    files = mnist_files()
    del files["t10k-labels-idx1-ubyte.gz"]
    write_folder(tmp_path / "mnist", files)
    with pytest.raises(FileNotFoundError, match=r"t10k-labels-idx1-ubyte\.gz.*download=True"):
        datasets.load_mnist(tmp_path)


def test_mnist_unknown_kind(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"load_mnist: kind.*'fashion'.*'kmnist'"):
        datasets.load_mnist(tmp_path, kind="kmnist")


def test_mnist_wrong_magic_is_reported(tmp_path: Path) -> None:
    files = mnist_files()
    files["train-labels-idx1-ubyte.gz"] = files["t10k-images-idx3-ubyte.gz"]
    write_folder(tmp_path / "mnist", files)
    with pytest.raises(ValueError, match=r"train-labels.*labels magic number 2049.*found 2051"):
        datasets.load_mnist(tmp_path)


def test_mnist_count_mismatch_is_reported(tmp_path: Path) -> None:
    files = mnist_files()
    files["t10k-labels-idx1-ubyte.gz"] = mnist_files(n_test=N_TEST + 1)["t10k-labels-idx1-ubyte.gz"]
    write_folder(tmp_path / "mnist", files)
    with pytest.raises(ValueError, match=f"{N_TEST} images but .* {N_TEST + 1} labels"):
        datasets.load_mnist(tmp_path)


# --- MNIST downloads from a local server ----------------------------------------------


@dataclass
class Mirror:
    """A tiny HTTP server's content and what it was asked for."""

    url: str = ""
    files: dict[str, bytes] = field(default_factory=dict)  # URL path -> body
    announce: dict[str, int] = field(default_factory=dict)  # URL path -> Content-Length
    requests: list[str] = field(default_factory=list)

    def serve(self, kind: str, files: dict[str, bytes]) -> str:
        """Publish ``files`` under /kind/ and return that folder's URL."""
        self.files.update({f"/{kind}/{name}": data for name, data in files.items()})
        return f"{self.url}/{kind}/"


@pytest.fixture
def mirror(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mirror]:
    state = Mirror()

    class Handler(BaseHTTPRequestHandler):
        timeout = 5  # a stuck client cannot hold the server thread

        def do_GET(self) -> None:
            state.requests.append(self.path)
            body = state.files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(state.announce.get(self.path, len(body))))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # keep test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.delenv(datasets.MNIST_URL_ENV, raising=False)
    monkeypatch.setattr(mnist, "_TIMEOUT_S", 5.0)
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def checksums_of(files: dict[str, bytes]) -> dict[str, datasets.FileChecksum]:
    return {
        name: datasets.FileChecksum(len(data), hashlib.sha256(data).hexdigest())
        for name, data in files.items()
    }


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_then_reuse_cache(tmp_path: Path, mirror: Mirror) -> None:
    files = mnist_files()
    url = mirror.serve("mnist", files)
    loaded = datasets.load_mnist(
        tmp_path, download=True, base_url=url, progress=False, checksums=checksums_of(files)
    )
    check_matches(loaded, files)
    assert len(mirror.requests) == 4
    assert leftovers(tmp_path / "mnist") == sorted(files)  # no temporary files left
    again = datasets.load_mnist(tmp_path, download=True, base_url=url, progress=False)
    check_matches(again, files)
    assert len(mirror.requests) == 4  # served from the folder, not downloaded again


def test_download_only_missing_files(tmp_path: Path, mirror: Mirror) -> None:
    files = mnist_files()
    url = mirror.serve("mnist", files)
    write_folder(tmp_path / "mnist", {k: v for k, v in files.items() if "train" in k})
    datasets.load_mnist(tmp_path, download=True, base_url=url, progress=False, checksums={})
    assert sorted(mirror.requests) == [
        "/mnist/t10k-images-idx3-ubyte.gz",
        "/mnist/t10k-labels-idx1-ubyte.gz",
    ]


def test_download_url_from_environment(
    tmp_path: Path, mirror: Mirror, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = mnist_files()
    mirror.serve("fashion", files)
    monkeypatch.setenv(datasets.MNIST_URL_ENV, mirror.url + "/{kind}")
    loaded = datasets.load_mnist(
        tmp_path, kind="fashion", download=True, progress=False, checksums={}
    )
    check_matches(loaded, files)
    assert all(path.startswith("/fashion/") for path in mirror.requests)


def test_download_with_progress_bar(
    tmp_path: Path, mirror: Mirror, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("tqdm")
    files = mnist_files()
    url = mirror.serve("mnist", files)
    datasets.load_mnist(tmp_path, download=True, base_url=url, checksums=checksums_of(files))
    assert "train-images-idx3-ubyte.gz" in capsys.readouterr().err


def test_download_checks_the_built_in_table_by_default(tmp_path: Path, mirror: Mirror) -> None:
    url = mirror.serve("mnist", mnist_files())  # not the real files: sizes differ
    with pytest.raises(datasets.DownloadError, match="expected 9912422 bytes"):
        datasets.load_mnist(tmp_path, download=True, base_url=url, progress=False)
    assert leftovers(tmp_path / "mnist") == []


def test_truncated_download_leaves_nothing(tmp_path: Path, mirror: Mirror) -> None:
    files = mnist_files()
    name = "train-images-idx3-ubyte.gz"
    url = mirror.serve("mnist", {**files, name: files[name][:-100]})
    with pytest.raises(datasets.DownloadError, match=rf"{name}: expected \d+ bytes, received"):
        datasets.load_mnist(
            tmp_path, download=True, base_url=url, progress=False, checksums=checksums_of(files)
        )
    assert leftovers(tmp_path / "mnist") == []  # neither the final file nor a temporary one


def test_corrupted_download_fails_the_checksum(tmp_path: Path, mirror: Mirror) -> None:
    files = mnist_files()
    name = "train-labels-idx1-ubyte.gz"
    corrupted = bytes([files[name][0] ^ 0xFF]) + files[name][1:]  # same size
    url = mirror.serve("mnist", {**files, name: corrupted})
    with pytest.raises(datasets.DownloadError, match=rf"{name}: expected SHA-256"):
        datasets.load_mnist(
            tmp_path, download=True, base_url=url, progress=False, checksums=checksums_of(files)
        )
    assert name not in leftovers(tmp_path / "mnist")
    assert not any(entry.endswith(".part") for entry in leftovers(tmp_path / "mnist"))


def test_connection_cut_short_is_caught_without_checksums(tmp_path: Path, mirror: Mirror) -> None:
    files = mnist_files()
    url = mirror.serve("mnist", files)
    path = "/mnist/train-images-idx3-ubyte.gz"
    mirror.announce[path] = len(files["train-images-idx3-ubyte.gz"]) + 1000
    with pytest.raises(datasets.DownloadError, match=r"train-images-idx3-ubyte\.gz"):
        datasets.load_mnist(tmp_path, download=True, base_url=url, progress=False, checksums={})
    assert leftovers(tmp_path / "mnist") == []


def test_missing_file_on_server_is_a_clear_error(tmp_path: Path, mirror: Mirror) -> None:
    url = mirror.url + "/nowhere/"
    with pytest.raises(datasets.DownloadError, match=r"nowhere/train-images.*HTTP 404"):
        datasets.load_mnist(tmp_path, download=True, base_url=url, progress=False)
    assert leftovers(tmp_path / "mnist") == []


def test_interrupted_download_removes_the_temporary_file(
    tmp_path: Path, mirror: Mirror, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Interrupting:
        def update(self, n: int) -> None:
            raise KeyboardInterrupt

        def close(self) -> None:
            pass

    monkeypatch.setattr(mnist, "_progress_bar", lambda *args: Interrupting())
    url = mirror.serve("mnist", mnist_files())
    with pytest.raises(KeyboardInterrupt):
        datasets.load_mnist(tmp_path, download=True, base_url=url, checksums={})
    assert leftovers(tmp_path / "mnist") == []


def test_every_dataset_is_importable_from_nn_datasets() -> None:
    for name in datasets.__all__:
        assert getattr(datasets, name) is not None
    assert datasets.make_moons is toy_datasets.make_moons
    assert datasets.load_idx is idx.load_idx
    assert datasets.load_mnist is mnist.load_mnist
