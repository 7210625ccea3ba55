"""sh.data: batch counts, shuffling, dtypes and errors of `batches`; `read_idx` on small files."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import shaped as sh
from shaped import data

IDX_CODES = {
    np.uint8: 0x08,
    np.int8: 0x09,
    np.int16: 0x0B,
    np.int32: 0x0C,
    np.float32: 0x0D,
    np.float64: 0x0E,
}


def test_submodule_resolves() -> None:
    assert sh.data is data


# ---------------------------------------------------------------- batches


@pytest.mark.parametrize(
    ("n", "batch_size", "drop_last", "sizes"),
    [
        (10, 3, False, [3, 3, 3, 1]),
        (10, 3, True, [3, 3, 3]),
        (9, 3, False, [3, 3, 3]),
        (9, 3, True, [3, 3, 3]),
        (2, 5, False, [2]),
        (2, 5, True, []),
        (0, 4, False, []),
        (7, 1, True, [1] * 7),
    ],
)
def test_batch_counts(n: int, batch_size: int, drop_last: bool, sizes: list[int]) -> None:
    x = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    epoch = data.batches(x, batch_size=batch_size, drop_last=drop_last)
    assert len(epoch) == len(sizes)
    got = [batch[0].shape for batch in epoch]
    assert got == [(size, 2) for size in sizes]


def test_unshuffled_keeps_order() -> None:
    x = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    xs, ys = zip(*data.batches(x, y, batch_size=4, shuffle=False))
    np.testing.assert_array_equal(np.concatenate([t.numpy() for t in xs]), x)
    np.testing.assert_array_equal(np.concatenate([t.numpy() for t in ys]), y)


def order_of(epoch: data.Batches) -> list[int]:
    return [int(i) for (batch,) in epoch for i in batch.numpy()]


def test_every_sample_once_per_epoch_and_pairs_kept() -> None:
    images = np.arange(23 * 3 * 2, dtype=np.float64).reshape(23, 3, 2)
    labels = np.arange(23)
    seen = []
    for x, y in data.batches(images, labels, batch_size=5, seed=4):
        assert x.shape[1:] == (3, 2)
        np.testing.assert_array_equal(x.numpy(), images[y.numpy()])  # rows stay paired
        seen.extend(y.tolist())
    assert sorted(seen) == list(range(23))
    assert seen != list(range(23))  # shuffled


def test_same_seed_same_order() -> None:
    labels = np.arange(50)
    first = order_of(data.batches(labels, batch_size=8, seed=7))
    assert first == order_of(data.batches(labels, batch_size=8, seed=7))
    assert first != order_of(data.batches(labels, batch_size=8, seed=8))
    expected = np.random.default_rng(7).permutation(50).tolist()
    assert first == expected


def test_generator_seed_gives_a_new_order_each_epoch() -> None:
    labels = np.arange(50)
    rng = np.random.default_rng(0)
    epochs = [order_of(data.batches(labels, batch_size=16, seed=rng)) for _ in range(3)]
    assert epochs[0] != epochs[1] != epochs[2]
    assert all(sorted(epoch) == list(range(50)) for epoch in epochs)
    rng = np.random.default_rng(0)  # the same generator state replays the same epochs
    assert epochs == [order_of(data.batches(labels, batch_size=16, seed=rng)) for _ in range(3)]


def test_drop_last_drops_the_partial_shuffled_batch() -> None:
    labels = np.arange(10)
    kept = order_of(data.batches(labels, batch_size=4, seed=1, drop_last=True))
    assert len(kept) == 8
    assert kept == np.random.default_rng(1).permutation(10)[:8].tolist()


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize(
    ("dtype", "kind"),
    [
        (np.float64, sh.Float64),
        (np.float32, sh.Float32),
        (np.float16, sh.Float16),
        (np.int64, sh.Int64),
        (np.int32, sh.Int32),
        (np.bool_, sh.Bool),
    ],
)
def test_dtype_kept(dtype: Any, kind: Any, shuffle: bool) -> None:
    array = (np.arange(12) % 3).astype(dtype).reshape(6, 2)
    for (batch,) in data.batches(array, batch_size=4, shuffle=shuffle):
        assert batch.dtype is kind
        assert batch.device == sh.Cpu()


def test_big_endian_input_becomes_native() -> None:
    array = np.arange(6, dtype=">f8").reshape(3, 2)
    (batch,) = next(iter(data.batches(array, batch_size=3, seed=0)))
    assert batch.dtype is sh.Float64
    assert batch.numpy().dtype.isnative
    assert sorted(batch.numpy()[:, 0].tolist()) == [0.0, 2.0, 4.0]


def test_single_array_yields_one_tuples_on_the_device() -> None:
    device = sh.Cpu(seed=3)
    batches = list(data.batches(np.zeros((5, 2)), batch_size=2, device=device))
    assert [len(batch) for batch in batches] == [1, 1, 1]
    assert all(batch[0].device == device for batch in batches)


@pytest.mark.parametrize("shuffle", [True, False])
def test_batches_do_not_alias_the_source(shuffle: bool) -> None:
    source = np.arange(8.0).reshape(4, 2)
    (batch,) = next(iter(data.batches(source, batch_size=4, shuffle=shuffle)))
    before = batch.numpy()
    source[:] = -1.0
    np.testing.assert_array_equal(batch.numpy(), before)
    batch.copy_(np.zeros((4, 2)))
    assert (source == -1.0).all()


def test_lists_are_accepted() -> None:
    (x, y), *_ = data.batches([[1.0, 2.0], [3.0, 4.0]], [0, 1], batch_size=2, shuffle=False)
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert y.dtype is sh.Int64


def test_mismatched_lengths() -> None:
    with pytest.raises(sh.ShapeError, match=r"different lengths along axis 0 \(10, 9\)"):
        data.batches(np.zeros((10, 2)), np.zeros(9), batch_size=2)


@pytest.mark.parametrize(
    ("arrays", "kwargs", "error", "message"),
    [
        ((), {"batch_size": 2}, TypeError, "at least one array"),
        ((np.zeros(4),), {"batch_size": 0}, ValueError, "at least 1, got 0"),
        ((np.zeros(4),), {"batch_size": 2.0}, TypeError, "batch_size must be an int"),
        ((np.zeros(()),), {"batch_size": 2}, sh.ShapeError, "array 0 is a scalar"),
        (
            (np.zeros(4), np.zeros(4, dtype=np.uint8)),
            {"batch_size": 2},
            sh.DtypeError,
            r"array 1 has dtype uint8.*astype\(np.float32\)",
        ),
    ],
)
def test_bad_arguments_fail_at_the_call(
    arrays: tuple[Any, ...], kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        data.batches(*arrays, **kwargs)  # no iteration: checked before the first batch


# ---------------------------------------------------------------- read_idx


def idx_bytes(array: np.ndarray, code: int | None = None) -> bytes:
    """An IDX file's bytes: magic (0, 0, type code, ndim), big-endian sizes, big-endian data."""
    code = IDX_CODES[array.dtype.type] if code is None else code
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def test_ubyte_images(tmp_path: Path) -> None:
    images = np.random.default_rng(0).integers(0, 256, (3, 4, 5)).astype(np.uint8)
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(idx_bytes(images))
    assert path.read_bytes()[:4] == b"\x00\x00\x08\x03"  # MNIST's image magic
    got = data.read_idx(path)
    assert got.dtype == np.uint8
    assert got.shape == (3, 4, 5)
    np.testing.assert_array_equal(got, images)


def test_int_labels(tmp_path: Path) -> None:
    labels = np.array([7, -2, 0, 2**31 - 1, -(2**31)], dtype=np.int32)
    path = tmp_path / "labels.idx"
    path.write_bytes(idx_bytes(labels))
    got = data.read_idx(str(path))
    assert got.dtype == np.dtype("int32") and got.dtype.isnative
    np.testing.assert_array_equal(got, labels)
    got[0] = 1  # a writable array of its own


@pytest.mark.parametrize("dtype", list(IDX_CODES))
def test_every_type_code(tmp_path: Path, dtype: Any) -> None:
    array = (np.arange(24) - 12).reshape(2, 3, 4).astype(dtype) * np.array(1.5).astype(dtype)
    path = tmp_path / "any.idx"
    path.write_bytes(idx_bytes(array))
    got = data.read_idx(path)
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, array)


def test_rank_zero_and_empty(tmp_path: Path) -> None:
    path = tmp_path / "scalar.idx"
    path.write_bytes(idx_bytes(np.array(2.5)))
    assert data.read_idx(path).shape == ()
    assert data.read_idx(path).item() == 2.5
    path.write_bytes(idx_bytes(np.zeros((0, 28), dtype=np.uint8)))
    assert data.read_idx(path).shape == (0, 28)


def test_gzip(tmp_path: Path) -> None:
    images = np.arange(60, dtype=np.uint8).reshape(3, 4, 5)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(images)))
    np.testing.assert_array_equal(data.read_idx(path), images)


def test_read_then_batch(tmp_path: Path) -> None:
    images = np.arange(60, dtype=np.uint8).reshape(3, 4, 5)
    labels = np.array([1, 0, 2], dtype=np.uint8)
    (tmp_path / "x").write_bytes(idx_bytes(images))
    (tmp_path / "y").write_bytes(idx_bytes(labels))
    x = data.read_idx(tmp_path / "x").astype(np.float32) / 255
    y = data.read_idx(tmp_path / "y").astype(np.int64)
    (xb, yb), *rest = data.batches(x, y, batch_size=3, shuffle=False)
    assert not rest
    assert (xb.dtype, yb.dtype, xb.shape) == (sh.Float32, sh.Int64, (3, 4, 5))


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (
            lambda raw: raw[:-1],
            r"wrong size: shape \(3, 4, 5\) of uint8 needs 60 data bytes, the file has 59",
        ),
        (lambda raw: raw + b"\x00", "wrong size.*the file has 61"),
        (lambda raw: raw[:10], r"truncated header: 3 dimensions need 16 bytes, the file has 10"),
        (lambda raw: raw[:3], "3 bytes is too short"),
        (lambda raw: b"\x01" + raw[1:], "bad magic number 0x01000803"),
        (lambda raw: raw[:2] + b"\x0a" + raw[3:], "bad magic number 0x00000a03"),
        (lambda raw: gzip.compress(raw)[:-12], "corrupt or truncated gzip"),
        (lambda raw: gzip.compress(raw[:-5]), "wrong size"),
    ],
)
def test_malformed_files(tmp_path: Path, mangle: Any, message: str) -> None:
    path = tmp_path / "broken-idx3-ubyte"
    path.write_bytes(mangle(idx_bytes(np.zeros((3, 4, 5), dtype=np.uint8))))
    with pytest.raises(ValueError, match=message) as info:
        data.read_idx(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        data.read_idx(tmp_path / "absent")
