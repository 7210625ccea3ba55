"""Arrays in, batches out: `batches` cuts numpy arrays into shuffled mini-batches of tensors, and
`read_idx` reads MNIST's IDX files (plain or gzipped).

```python
images = sh.data.read_idx("train-images-idx3-ubyte.gz").astype(np.float32) / 255
labels = sh.data.read_idx("train-labels-idx1-ubyte.gz").astype(np.int64)
rng = np.random.default_rng(0)  # one generator: a new order every epoch
for epoch in range(3):
    for x, y in sh.data.batches(images, labels, batch_size=128, seed=rng):
        ...
```
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from shaped.devices import CPU, Device
from shaped.dtypes import BY_NAME
from shaped.errors import DtypeError, ShapeError
from shaped.tensor import Tensor

NDArray = np.ndarray[Any, np.dtype[Any]]
Batch = tuple[Tensor[tuple[Any, ...], Any, Any], ...]

__all__ = ["Batches", "batches", "read_idx"]


class Batches:
    """An iterator of batches (a tuple of tensors each) that also knows how many it yields."""

    def __init__(self, batches: Iterator[Batch], count: int) -> None:
        self._batches = batches
        self._count = count

    def __iter__(self) -> Batches:
        return self

    def __next__(self) -> Batch:
        return next(self._batches)

    def __len__(self) -> int:
        """The number of batches in the epoch (as len() of a torch DataLoader)."""
        return self._count


def batches(
    *arrays: Any,
    batch_size: int,
    shuffle: bool = True,
    seed: int | np.random.Generator | None = 0,
    drop_last: bool = False,
    device: Device | None = None,
) -> Batches:
    """One epoch of mini-batches: a tuple with one tensor per array, cut along axis 0.

    `seed` is an int (the same order on every call) or a `numpy.random.Generator` (pass
    the same generator every epoch for a new order each time). The last partial batch is
    kept unless `drop_last`. Arrays keep their dtype (float64 stays Float64); tensors go to
    `device` (default `sh.Cpu()`). Arguments are checked here, before the first batch.
    """
    if not arrays:
        raise TypeError("batches: pass at least one array, e.g. batches(images, labels, ...)")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batches: batch_size must be an int, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"batches: batch_size must be at least 1, got {batch_size}")
    if device is not None and not isinstance(device, Device):
        raise TypeError(
            f"batches: device must be a device object such as sh.Cpu() or sh.Cuda(0), got "
            f"{device!r}"
        )
    place = (CPU if device is None else device)._place()
    # native byte order up front: batches are wrapped without a second copy
    hosts = [np.asarray(array) for array in arrays]
    hosts = [h if h.dtype.isnative else h.astype(h.dtype.newbyteorder("=")) for h in hosts]
    for i, host in enumerate(hosts):
        if host.ndim == 0:
            raise ShapeError(f"batches: array {i} is a scalar; every array needs a sample axis 0")
        if host.dtype.name not in BY_NAME:
            raise DtypeError(
                f"batches: array {i} has dtype {host.dtype}, which tensors cannot hold; "
                f"convert it first, e.g. array.astype(np.float32) (supported: "
                f"{', '.join(BY_NAME)})"
            )
    lengths = [len(host) for host in hosts]
    if len(set(lengths)) > 1:
        raise ShapeError(
            "batches: the arrays have different lengths along axis 0 "
            f"({', '.join(map(str, lengths))}); every array needs one row per sample"
        )
    n = lengths[0]
    count = n // batch_size if drop_last else math.ceil(n / batch_size)
    order = None
    if shuffle:  # drawn now: epochs made from one generator take its draws in call order
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        order = rng.permutation(n)
    return Batches(_epoch(hosts, int(batch_size), count, order, place), count)


def _epoch(
    hosts: list[NDArray],
    batch_size: int,
    count: int,
    order: NDArray | None,
    place: Device,
) -> Iterator[Batch]:
    on_host = place.xp is np
    for start in range(0, count * batch_size, batch_size):
        if order is None:
            rows: slice = slice(start, start + batch_size)
            # slices are views of the caller's arrays: the tensor gets its own copy
            yield tuple(place.tensor(host[rows]) for host in hosts)
        else:
            picked = order[start : start + batch_size]
            # fancy indexing already made a fresh array: on the host, wrap it without a copy
            yield tuple(
                Tensor._wrap(host[picked], place) if on_host else place.tensor(host[picked])
                for host in hosts
            )


# IDX type codes (yann.lecun.com/exdb/mnist): data is big-endian
_IDX_DTYPES: dict[int, np.dtype[Any]] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path: str | os.PathLike[str]) -> NDArray:
    """An IDX file (MNIST's format; gzipped too) as a numpy array of its shape and dtype.

    Bytes come back as uint8 (convert before `batches`, e.g. `.astype(np.float32) / 255`);
    other types in native byte order. A malformed file raises ValueError saying why.
    """
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":  # gzip's magic number; IDX files start with two zero bytes
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise ValueError(
                f"read_idx: {path}: corrupt or truncated gzip data ({error})"
            ) from None
    if len(raw) < 4:
        raise ValueError(
            f"read_idx: {path}: {len(raw)} bytes is too short for the 4-byte IDX magic number"
        )
    if raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(
            f"read_idx: {path}: bad magic number 0x{raw[:4].hex()}: an IDX file starts with "
            "two zero bytes and a type code 08, 09, 0b, 0c, 0d or 0e"
        )
    dtype, ndim = _IDX_DTYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(
            f"read_idx: {path}: truncated header: {ndim} dimensions need {header} bytes, "
            f"the file has {len(raw)}"
        )
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = math.prod(shape) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(
            f"read_idx: {path}: wrong size: shape {shape} of {dtype.newbyteorder('=')} needs "
            f"{expected} data bytes, the file has {len(raw) - header}"
        )
    data = np.frombuffer(raw, dtype=dtype, count=math.prod(shape), offset=header)
    out: NDArray = data.reshape(shape).astype(dtype.newbyteorder("="))  # a writable copy
    return out
