"""MNIST and Fashion-MNIST: the four standard files, fetched from a mirror when asked,
verified against known sizes and SHA-256 sums, and read into arrays.

A download streams into a temporary file in the destination folder and is renamed into
place only after it verifies, so an interrupted or corrupted download leaves nothing
behind. Only the standard library downloads; tqdm draws a progress bar when installed.
Everything here is importable from `nn.datasets` too.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Final, NamedTuple, Protocol

import numpy as np

from nn.idx import PathLike, read_idx

__all__ = [
    "MNIST_CHECKSUMS",
    "MNIST_FILES",
    "MNIST_URLS",
    "MNIST_URL_ENV",
    "DownloadError",
    "FileChecksum",
    "load_mnist",
]

Pair = tuple[np.ndarray, np.ndarray]
Split = tuple[Pair, Pair]

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
        magic, array = read_idx(path, "load_mnist")
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
