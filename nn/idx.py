"""IDX files, the format MNIST is distributed in: reading one into a numpy array.

Layout: bytes 0, 0, a type code, the number of dimensions; one big-endian uint32 size per
dimension; then the elements in C order, big-endian. Files may be gzipped. Every
mismatch (magic, type code, data length either way) is a ValueError naming the file.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path
from typing import Final

import numpy as np

__all__ = ["load_idx", "read_idx"]

PathLike = str | os.PathLike[str]

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


def read_idx(path: PathLike, fn: str = "load_idx") -> tuple[int, np.ndarray]:
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
    return read_idx(path)[1]
