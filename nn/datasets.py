"""Datasets: toy 2-D problems, scikit-learn's digits, and IDX files (MNIST, Fashion-MNIST).

Toy problems (``make_moons``, ``make_circles``, ``make_spirals``, ``make_xor``) return
``(x, y)`` with ``x`` float32 of shape ``(n, 2)`` and ``y`` int64 labels of shape ``(n,)``,
shuffled, with classes as balanced as ``n`` allows (counts differ by at most one). A given
``seed`` fixes the arrays; ``seed=None`` draws from ``nn.init``'s shared generator, so
``nn.manual_seed`` governs it.

``load_digits`` and ``load_mnist`` return ``((x_train, y_train), (x_test, y_test))``.
``load_idx`` reads one IDX file, the format MNIST is distributed in.

Only numpy is imported here at import time: scikit-learn (for digits) and tqdm (for
download progress bars) are imported when needed, and downloads use the standard library.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import math
import os
import tempfile
import urllib.error
import urllib.request
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Final, NamedTuple, Protocol

import numpy as np

from nn.arguments import positive_int
from nn.init import get_generator

__all__ = [
    "MNIST_CHECKSUMS",
    "MNIST_FILES",
    "MNIST_URLS",
    "MNIST_URL_ENV",
    "DownloadError",
    "FileChecksum",
    "load_digits",
    "load_idx",
    "load_mnist",
    "make_circles",
    "make_moons",
    "make_spirals",
    "make_xor",
]

Pair = tuple[np.ndarray, np.ndarray]
Split = tuple[Pair, Pair]
PathLike = str | os.PathLike[str]


# --- shared checks and the final shuffle -----------------------------------------------


def _generator(fn: str, seed: int | None) -> np.random.Generator:
    """A fresh generator for an int seed; the shared one (``nn.manual_seed``) for None."""
    if seed is None:
        return get_generator()
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"{fn}: seed must be None or a non-negative int, got {seed!r}")
    return np.random.default_rng(int(seed))


def _check_noise(fn: str, noise: float) -> float:
    if not (math.isfinite(noise) and noise >= 0.0):
        raise ValueError(f"{fn}: noise must be a finite number >= 0, got {noise!r}")
    return float(noise)


def _split_evenly(n: int, parts: int) -> list[int]:
    """Sizes of ``parts`` groups summing to ``n`` that differ by at most one."""
    return [n // parts + (1 if k < n % parts else 0) for k in range(parts)]


def _finish(x: np.ndarray, y: np.ndarray, noise: float, gen: np.random.Generator) -> Pair:
    """Add N(0, noise^2) to each coordinate, shuffle, and cast to float32 / int64.

    The points are built class by class; shuffling matters because a Keras-style
    ``validation_split`` takes the last rows and would otherwise see a single class.
    """
    if noise > 0.0:
        x = x + gen.normal(0.0, noise, size=x.shape)
    order = gen.permutation(y.shape[0])
    return x[order].astype(np.float32), y[order].astype(np.int64)


# --- toy 2-D problems -----------------------------------------------------------------


def make_moons(n_samples: int = 100, noise: float = 0.0, seed: int | None = None) -> Pair:
    """Two interleaving half circles (scikit-learn's layout).

    Class 0: (cos t, sin t), class 1: (1 - cos t, 1/2 - sin t), t evenly spaced in [0, pi];
    then Gaussian noise of std ``noise`` on each coordinate.
    """
    n = positive_int("make_moons", "n_samples", n_samples)
    noise = _check_noise("make_moons", noise)
    gen = _generator("make_moons", seed)
    n_outer, n_inner = _split_evenly(n, 2)
    t_outer = np.linspace(0.0, math.pi, n_outer)
    t_inner = np.linspace(0.0, math.pi, n_inner)
    outer = np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1)
    inner = np.stack([1.0 - np.cos(t_inner), 0.5 - np.sin(t_inner)], axis=1)
    y = np.repeat([0, 1], [n_outer, n_inner])
    return _finish(np.concatenate([outer, inner]), y, noise, gen)


def make_circles(
    n_samples: int = 100, noise: float = 0.0, factor: float = 0.5, seed: int | None = None
) -> Pair:
    """A circle of radius 1 (class 0) around one of radius ``factor`` (class 1).

    Points are evenly spaced in angle on each circle, then Gaussian noise of std ``noise``
    is added to each coordinate. ``factor`` must lie in [0, 1), as in scikit-learn.
    """
    n = positive_int("make_circles", "n_samples", n_samples)
    noise = _check_noise("make_circles", noise)
    if not 0.0 <= factor < 1.0:
        raise ValueError(f"make_circles: factor must be in [0, 1), got {factor!r}")
    gen = _generator("make_circles", seed)
    n_outer, n_inner = _split_evenly(n, 2)
    t_outer = np.linspace(0.0, 2.0 * math.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0.0, 2.0 * math.pi, n_inner, endpoint=False)
    outer = np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1)
    inner = factor * np.stack([np.cos(t_inner), np.sin(t_inner)], axis=1)
    y = np.repeat([0, 1], [n_outer, n_inner])
    return _finish(np.concatenate([outer, inner]), y, noise, gen)


# How far each spiral arm winds, in turns, between radius 0.1 and 1; and where arms start
# (at radius 0 all arms would meet in one point carrying every label).
_SPIRAL_TURNS: Final = 1.0
_SPIRAL_START: Final = 0.1


def make_spirals(
    n_samples: int = 100, n_classes: int = 2, noise: float = 0.0, seed: int | None = None
) -> Pair:
    """``n_classes`` interleaved spiral arms, one per class.

    Arm k: radius r evenly spaced in [0.1, 1], angle 2 pi (k / n_classes + r), so each arm
    winds once and the arms are rotated copies of each other; then Gaussian noise of std
    ``noise`` on each coordinate.
    """
    n = positive_int("make_spirals", "n_samples", n_samples)
    k_classes = positive_int("make_spirals", "n_classes", n_classes)
    noise = _check_noise("make_spirals", noise)
    gen = _generator("make_spirals", seed)
    counts = _split_evenly(n, k_classes)
    arms = []
    for k, count in enumerate(counts):
        r = np.linspace(_SPIRAL_START, 1.0, count)
        theta = 2.0 * math.pi * (k / k_classes + _SPIRAL_TURNS * r)
        arms.append(np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1))
    y = np.repeat(np.arange(k_classes), counts)
    return _finish(np.concatenate(arms), y, noise, gen)


# Points keep this distance from both axes, so the four clusters are separable at noise 0.
_XOR_MARGIN: Final = 0.1


def make_xor(n_samples: int = 100, noise: float = 0.0, seed: int | None = None) -> Pair:
    """Points in the four quadrants, labelled by the xor of their coordinates' signs.

    Label = (x0 > 0) xor (x1 > 0): quadrants I and III are class 0, II and IV class 1.
    Each quadrant gets n/4 points (up to rounding) whose |x0|, |x1| are uniform in
    [0.1, 1); the label is fixed before Gaussian noise of std ``noise`` is added, so noise
    can carry a point across an axis (label noise, as in scikit-learn's make_moons).
    """
    n = positive_int("make_xor", "n_samples", n_samples)
    noise = _check_noise("make_xor", noise)
    gen = _generator("make_xor", seed)
    counts = _split_evenly(n, 4)
    # Quadrants I, II, III, IV; the order gives the rounding remainder to labels 0, 1, 0.
    signs = np.repeat(np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]]), counts, 0)
    magnitudes = gen.uniform(_XOR_MARGIN, 1.0, size=(n, 2))
    x = signs * magnitudes
    y = (x[:, 0] > 0) != (x[:, 1] > 0)
    return _finish(x, y, noise, gen)


# --- scikit-learn's digits ------------------------------------------------------------


def _stratified_split(
    y: np.ndarray, test_size: float, gen: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a stratified split: each class gives round(test_size * n_c) to the test set.

    Rounding per class keeps every class's share of train and test within one sample of
    its share of the whole. Both index arrays are shuffled, so classes are interleaved.
    """
    train_parts: list[np.ndarray] = []
    test_parts: list[np.ndarray] = []
    for label in np.unique(y):
        members = gen.permutation(np.flatnonzero(y == label))
        n_test = math.floor(test_size * members.size + 0.5)  # round half up, not to even
        test_parts.append(members[:n_test])
        train_parts.append(members[n_test:])
    return gen.permutation(np.concatenate(train_parts)), gen.permutation(np.concatenate(test_parts))


def load_digits(test_size: float = 0.2, seed: int | None = 0) -> Split:
    """scikit-learn's 8x8 digits (1,797 images, 10 classes), split stratified by class.

    Returns ``((x_train, y_train), (x_test, y_test))``: x float32 of shape ``(n, 64)``,
    pixel values 0..16 divided by 16 into [0, 1]; y int64 in 0..9. The split is the same
    for the same ``seed`` (None: draw from the shared generator). Needs scikit-learn, which
    bundles the data (no download).
    """
    if not (isinstance(test_size, (float, int)) and 0.0 < test_size < 1.0):
        raise ValueError(f"load_digits: test_size must be a fraction in (0, 1), got {test_size!r}")
    gen = _generator("load_digits", seed)
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError as exc:
        raise ImportError(
            "load_digits needs scikit-learn, which ships the digits data: "
            "pip install scikit-learn (or install this project with its 'examples' extra, "
            "pip install -e '.[examples]')"
        ) from exc
    bunch = sklearn_load_digits()
    x = (np.asarray(bunch.data, dtype=np.float64) / 16.0).astype(np.float32)
    y = np.asarray(bunch.target, dtype=np.int64)
    train, test = _stratified_split(y, float(test_size), gen)
    if train.size == 0 or test.size == 0:
        raise ValueError(f"load_digits: test_size={test_size} leaves an empty train or test set")
    return (x[train], y[train]), (x[test], y[test])


# --- IDX files ------------------------------------------------------------------------

# IDX type byte -> element type as stored (big-endian for multi-byte types).
_IDX_TYPES: Final[dict[int, np.dtype]] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC: Final = b"\x1f\x8b"


def _read_maybe_gzipped(fn: str, path: Path) -> bytes:
    """The file's bytes, decompressed when it is named ``*.gz`` or starts with 1f 8b."""
    raw = path.read_bytes()
    if raw[:2] != _GZIP_MAGIC and not path.name.endswith(".gz"):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:  # bad header, cut-off stream, bad CRC
        raise ValueError(f"{fn}: {path} is not a valid gzip file: {exc}") from exc


def _read_idx(path: PathLike, fn: str = "load_idx") -> tuple[int, np.ndarray]:
    """Parse an IDX file into ``(magic, array)``; the magic as a big-endian uint32.

    Layout: bytes 0, 0, type code, ndim; ndim big-endian uint32 sizes; the elements in C
    order. Any mismatch between the sizes and the data length is an error, both ways.
    """
    path = Path(path)
    data = _read_maybe_gzipped(fn, path)
    if len(data) < 4:
        raise ValueError(
            f"{fn}: {path}: expected a 4-byte IDX magic number, found only {len(data)} bytes"
        )
    if data[0] != 0 or data[1] != 0:
        raise ValueError(
            f"{fn}: {path}: expected an IDX magic number starting with two zero bytes, "
            f"found {data[:4].hex(' ')}"
        )
    code, ndim = data[2], data[3]
    if code not in _IDX_TYPES:
        known = ", ".join(f"0x{c:02X} ({dt.name})" for c, dt in _IDX_TYPES.items())
        raise ValueError(f"{fn}: {path}: unknown IDX type code 0x{code:02X}; expected {known}")
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise ValueError(
            f"{fn}: {path}: truncated header: expected {header_size} bytes for {ndim} "
            f"dimension sizes, found {len(data)}"
        )
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    stored = _IDX_TYPES[code]
    count = math.prod(shape)  # Python ints: no overflow for large shapes
    expected, found = count * stored.itemsize, len(data) - header_size
    if found != expected:
        problem = "truncated data" if found < expected else "trailing bytes after the data"
        raise ValueError(
            f"{fn}: {path}: {problem}: expected {expected} data bytes for shape {shape} of "
            f"{stored.name}, found {found}"
        )
    elements = np.frombuffer(data, dtype=stored, count=count, offset=header_size)
    # astype copies: the result is writable, owns its memory, and is in native byte order.
    array = elements.reshape(shape).astype(stored.newbyteorder("="))
    return int.from_bytes(data[:4], "big"), array


def load_idx(path: PathLike) -> np.ndarray:
    """Read an IDX file (gzipped or not) into a native-byte-order array of its shape.

    Type codes: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64.
    A wrong magic, an unknown type code, or a data length that does not match the
    dimensions (too short or too long) raises ValueError naming the file.
    """
    return _read_idx(path)[1]


# --- MNIST and Fashion-MNIST ----------------------------------------------------------

MNIST_FILES: Final = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)

# Default mirrors, one per kind; yann.lecun.com itself often refuses downloads. Overridden
# by load_mnist's base_url, then by the environment variable MNIST_URL_ENV. A "{kind}" in
# an override is replaced by the kind, so one variable can serve both kinds.
MNIST_URLS: Final[dict[str, str]] = {
    "mnist": "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "fashion": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
}
MNIST_URL_ENV: Final = "AUTOGRAD_MNIST_URL"


class FileChecksum(NamedTuple):
    """What a downloaded file must match; None skips that check."""

    size: int | None
    sha256: str | None


# Expected size and SHA-256 of each file, per kind. Not computed here (this code never
# downloaded them): taken from the checksums tensorflow_datasets records for the same
# mirrors (url_checksums/mnist.txt and fashion_mnist.txt); the sizes also match those
# published with the datasets. Pass checksums={} to load_mnist to skip verification.
MNIST_CHECKSUMS: Final[dict[str, dict[str, FileChecksum]]] = {
    "mnist": {
        "train-images-idx3-ubyte.gz": FileChecksum(
            9912422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
        ),
        "train-labels-idx1-ubyte.gz": FileChecksum(
            28881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
        ),
        "t10k-images-idx3-ubyte.gz": FileChecksum(
            1648877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
        ),
        "t10k-labels-idx1-ubyte.gz": FileChecksum(
            4542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
        ),
    },
    "fashion": {
        "train-images-idx3-ubyte.gz": FileChecksum(
            26421880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"
        ),
        "train-labels-idx1-ubyte.gz": FileChecksum(
            29515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"
        ),
        "t10k-images-idx3-ubyte.gz": FileChecksum(
            4422102, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"
        ),
        "t10k-labels-idx1-ubyte.gz": FileChecksum(
            5148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"
        ),
    },
}

_IMAGES_MAGIC: Final = 2051  # 0x00000803: uint8, 3 dims (count, rows, cols)
_LABELS_MAGIC: Final = 2049  # 0x00000801: uint8, 1 dim (count)
_TIMEOUT_S: Final = 30.0  # per network operation, so a dead mirror fails instead of hanging
_CHUNK: Final = 1 << 16


class DownloadError(OSError):
    """A download failed or did not verify; nothing was left at the destination."""


class _ProgressBar(Protocol):
    def update(self, n: int) -> object: ...

    def close(self) -> None: ...


def _progress_bar(enabled: bool, total: int | None, label: str) -> _ProgressBar | None:
    """A tqdm byte counter when asked for and tqdm is installed; otherwise no output."""
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    bar: _ProgressBar = tqdm(total=total, unit="B", unit_scale=True, desc=label)
    return bar


def _mnist_base_url(kind: str, base_url: str | None) -> str:
    url = base_url or os.environ.get(MNIST_URL_ENV) or MNIST_URLS[kind]
    url = url.replace("{kind}", kind)
    return url if url.endswith("/") else url + "/"


def _fetch(url: str, out_fd: int, label: str, progress: bool) -> tuple[int, str, int | None]:
    """Stream ``url`` into the open file ``out_fd``; return (size, sha256, announced size)."""
    digest = hashlib.sha256()
    size = 0
    try:
        with (
            os.fdopen(out_fd, "wb") as out,
            urllib.request.urlopen(url, timeout=_TIMEOUT_S) as response,
        ):
            length = response.headers.get("Content-Length")
            announced = int(length) if length is not None and length.isdigit() else None
            bar = _progress_bar(progress, announced, label)
            try:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
            finally:
                if bar is not None:
                    bar.close()
    except urllib.error.HTTPError as exc:
        raise DownloadError(
            f"load_mnist: downloading {url} failed: HTTP {exc.code} {exc.reason}"
        ) from exc
    except (OSError, http.client.HTTPException) as exc:  # URLError, timeouts, cut connections
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise DownloadError(f"load_mnist: downloading {url} failed: {reason!r}") from exc
    return size, digest.hexdigest(), announced


def _download(url: str, dest: Path, expected: FileChecksum | None, progress: bool) -> None:
    """Download ``url`` to ``dest`` atomically, verifying it against ``expected``.

    The bytes go to a temporary file in the same folder, renamed into place only after
    they verify; on any failure (or Ctrl-C) the temporary file is removed.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        size, sha256, announced = _fetch(url, fd, dest.name, progress)
        skip = "nothing was saved; retry, or pass checksums={} to skip verification"
        if announced is not None and size != announced:
            raise DownloadError(
                f"load_mnist: download of {url} was cut short: the server announced "
                f"{announced} bytes, received {size}; nothing was saved"
            )
        if expected is not None and expected.size is not None and size != expected.size:
            raise DownloadError(
                f"load_mnist: {url}: expected {expected.size} bytes, received {size}; {skip}"
            )
        if (
            expected is not None
            and expected.sha256 is not None
            and sha256 != expected.sha256.lower()
        ):
            raise DownloadError(
                f"load_mnist: {url}: expected SHA-256 {expected.sha256}, got {sha256}; {skip}"
            )
        os.replace(tmp, dest)  # atomic on one filesystem: dest is whole or absent
    finally:
        tmp.unlink(missing_ok=True)


def _load_mnist_pair(images_path: Path, labels_path: Path) -> Pair:
    """Read an images/labels file pair, checking their magics and that their counts match."""
    checks = ((images_path, _IMAGES_MAGIC, "images"), (labels_path, _LABELS_MAGIC, "labels"))
    arrays = []
    for path, want, what in checks:
        magic, array = _read_idx(path, "load_mnist")
        if magic != want:
            raise ValueError(
                f"load_mnist: {path}: expected the {what} magic number {want} "
                f"(0x{want:08X}), found {magic} (0x{magic:08X})"
            )
        arrays.append(array)
    images, labels = arrays
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"load_mnist: {images_path} holds {images.shape[0]} images but {labels_path} "
            f"holds {labels.shape[0]} labels"
        )
    return images, labels.astype(np.int64)


def load_mnist(
    root: PathLike,
    kind: str = "mnist",
    download: bool = False,
    base_url: str | None = None,
    progress: bool = True,
    checksums: Mapping[str, FileChecksum] | None = None,
) -> Split:
    """Load MNIST (``kind="mnist"``) or Fashion-MNIST (``kind="fashion"``) from ``root/kind/``.

    Returns ``((x_train, y_train), (x_test, y_test))``: x uint8 of shape ``(n, 28, 28)``
    with values 0..255 (60,000 train, 10,000 test), y int64 in 0..9. Scaling is left to
    the caller, typically ``x.reshape(len(x), -1).astype(np.float32) / 255``.

    The four standard gzipped files are read from the folder. Missing ones raise
    FileNotFoundError unless ``download=True``, which fetches them from ``base_url``, else
    ``$AUTOGRAD_MNIST_URL``, else ``MNIST_URLS[kind]`` (a ``{kind}`` in the URL is
    replaced by the kind), with a tqdm progress bar when ``progress`` and tqdm is
    installed. Each download must match ``checksums`` (file name -> FileChecksum; default
    ``MNIST_CHECKSUMS[kind]``, ``{}`` to skip) before it is moved into place; otherwise
    DownloadError is raised and no file is left behind. Files already present are used
    as they are.
    """
    if kind not in MNIST_URLS:
        raise ValueError(f"load_mnist: kind must be one of {sorted(MNIST_URLS)}, got {kind!r}")
    folder = Path(root) / kind
    paths = [folder / name for name in MNIST_FILES]
    missing = [path for path in paths if not path.is_file()]
    if missing and not download:
        listed = ", ".join(str(path) for path in missing)
        raise FileNotFoundError(
            f"load_mnist: missing {listed}; pass download=True to fetch the files "
            f"from {_mnist_base_url(kind, base_url)}"
        )
    if missing:
        base = _mnist_base_url(kind, base_url)
        expected = MNIST_CHECKSUMS[kind] if checksums is None else checksums
        folder.mkdir(parents=True, exist_ok=True)
        for path in missing:
            _download(base + path.name, path, expected.get(path.name), progress)
    train_images, train_labels, test_images, test_labels = paths
    return (
        _load_mnist_pair(train_images, train_labels),
        _load_mnist_pair(test_images, test_labels),
    )
