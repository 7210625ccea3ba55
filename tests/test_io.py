"""sh.save / sh.load: both formats, dtypes, atomic writes, corrupt and missing files."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import shaped as sh
from shaped import io as shio

dev = sh.Cpu()
FORMATS = [".npz", ".safetensors"]


def sample() -> dict[str, Any]:
    rng = np.random.default_rng(0)
    return {
        "f64": dev.tensor(rng.standard_normal((2, 3))),
        "f32": dev.tensor(rng.standard_normal((4,)).astype(np.float32)),
        "f16": dev.tensor(rng.standard_normal((2, 2)).astype(np.float16)),
        "i64": dev.tensor(np.arange(6).reshape(3, 2)),
        "i32": dev.tensor(np.arange(5, dtype=np.int32)),
        "bool": dev.tensor([True, False, True]),
        "scalar": dev.tensor(np.array(3.5)),
        "empty": dev.zeros((0, 3)),
        "strided": dev.tensor(np.arange(12.0).reshape(3, 4)).mT,  # non-contiguous
        "layer.0/weight": dev.ones((2, 2)),
    }


@pytest.mark.parametrize("suffix", FORMATS)
def test_round_trip(tmp_path: Path, suffix: str) -> None:
    tensors = sample()
    path = tmp_path / f"ckpt{suffix}"
    sh.save(tensors, path)
    loaded = sh.load(path)
    assert set(loaded) == set(tensors)
    for name, tensor in tensors.items():
        got = loaded[name]
        assert got.dtype is tensor.dtype, name
        assert got.shape == tensor.shape, name
        assert got.device == sh.Cpu()
        np.testing.assert_array_equal(got.numpy(), tensor.numpy(), err_msg=name)
    loaded["f64"].copy_(dev.zeros((2, 3), dtype=sh.Float64))  # loaded data is writable
    assert sh.load(str(path), device=sh.Cpu())["i64"].tolist() == [[0, 1], [2, 3], [4, 5]]
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temp files left


@pytest.mark.parametrize("suffix", FORMATS)
def test_round_trip_empty_and_overwrite(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"ckpt{suffix}"
    sh.save({}, path)
    assert sh.load(path) == {}
    sh.save({"a": dev.ones((2,))}, path)
    sh.save({"b": dev.zeros((3,))}, path)  # replaces the old file
    assert list(sh.load(path)) == ["b"]


def test_npz_is_plain_numpy(tmp_path: Path) -> None:
    path = tmp_path / "ckpt.NPZ"  # the suffix is case-insensitive
    sh.save({"w": dev.ones((2, 2)), "file": dev.zeros((1,))}, path)
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["file", "w"]
        np.testing.assert_array_equal(archive["w"], np.ones((2, 2), np.float32))


def test_safetensors_is_readable_by_safetensors(tmp_path: Path) -> None:
    from safetensors.numpy import load_file

    path = tmp_path / "ckpt.safetensors"
    sh.save({"w": dev.ones((2, 2))}, path)
    np.testing.assert_array_equal(load_file(str(path))["w"], np.ones((2, 2), np.float32))


@pytest.mark.parametrize(
    ("suffix", "writer"), [(".npz", "_write_npz"), (".safetensors", "_write_safetensors")]
)
def test_save_is_atomic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, writer: str
) -> None:
    path = tmp_path / f"ckpt{suffix}"
    sh.save({"good": dev.ones((3,))}, path)
    before = path.read_bytes()
    real = getattr(shio, writer)

    def crash(tmp: str, arrays: Any) -> None:
        real(tmp, arrays)  # a complete temporary file...
        with open(tmp, "r+b") as f:
            f.truncate(10)  # ...cut short, as by a crash part way through
        raise OSError("disk full")

    monkeypatch.setattr(shio, writer, crash)
    with pytest.raises(OSError, match="disk full"):
        sh.save({"new": dev.zeros((1000,))}, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    assert sh.load(path)["good"].tolist() == [1.0, 1.0, 1.0]


def test_interrupted_save_leaves_no_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(tmp: str, arrays: Any) -> None:
        Path(tmp).write_bytes(b"PK partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(shio, "_write_npz", interrupt)
    with pytest.raises(KeyboardInterrupt):
        sh.save({"a": dev.ones((2,))}, tmp_path / "new.npz")
    assert list(tmp_path.iterdir()) == []


def test_saved_file_mode_follows_umask(tmp_path: Path) -> None:
    path = tmp_path / "ckpt.npz"
    old = os.umask(0o022)
    try:
        sh.save({"a": dev.ones((2,))}, path)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("suffix", FORMATS)
def test_truncated_file_raises_checkpoint_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"ckpt{suffix}"
    sh.save({"w": dev.ones((50, 50))}, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(shio.CheckpointError, match="corrupt or not a") as info:
        sh.load(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("suffix", FORMATS)
def test_garbage_file_raises_checkpoint_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"junk{suffix}"
    path.write_bytes(b"this is not a checkpoint at all")
    with pytest.raises(shio.CheckpointError, match="junk"):
        sh.load(path)


def test_npy_under_npz_suffix_and_unsupported_dtype(tmp_path: Path) -> None:
    single = tmp_path / "one.npz"
    with open(single, "wb") as f:
        np.save(f, np.ones(3))
    with pytest.raises(shio.CheckpointError, match="not a checkpoint"):
        sh.load(single)
    odd = tmp_path / "odd.npz"
    np.savez(odd, x=np.zeros(3, np.uint8))
    with pytest.raises(shio.CheckpointError, match="uint8"):
        sh.load(odd)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.npz"
    with pytest.raises(FileNotFoundError, match=r"nope\.npz"):
        sh.load(path)


def test_bad_suffix(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"'\.npz' or '\.safetensors'"):
        sh.save({"a": dev.ones((1,))}, tmp_path / "ckpt.pt")
    with pytest.raises(ValueError, match=r"'\.npz' or '\.safetensors'"):
        sh.load(tmp_path / "ckpt")
    assert list(tmp_path.iterdir()) == []


def test_bad_keys_and_values(tmp_path: Path) -> None:
    path = tmp_path / "ckpt.npz"
    with pytest.raises(TypeError, match="keys must be strings"):
        sh.save({1: dev.ones((1,))}, path)  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="not a tensor"):
        sh.save({"a": np.ones(3)}, path)  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="mapping"):
        sh.save([dev.ones((1,))], path)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_missing_safetensors_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    path = tmp_path / "ckpt.safetensors"
    with pytest.raises(ImportError, match=r"pip install shaped\[safetensors\]"):
        sh.save({"a": dev.ones((1,))}, path)
    with pytest.raises(ImportError, match=r"pip install shaped\[safetensors\]"):
        sh.load(path)
    assert list(tmp_path.iterdir()) == []
    sh.save({"a": dev.ones((1,))}, tmp_path / "ckpt.npz")  # .npz needs nothing extra
