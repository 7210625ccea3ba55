"""Checkpoints never give silent wrong results: every name round-trips, a damaged file is
refused by its checksum, a killed save's temporary is cleaned up by the next save, files from
other tools (no checksum, torch's bfloat16) load, and bad paths or devices say the fix."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import shaped as sh
from shaped import io as shio
from shaped import nn
from shaped.io import CheckpointError

dev = sh.Cpu()
FORMATS = [".npz", ".safetensors"]
posix_only = pytest.mark.skipif(os.name != "posix", reason="leftovers are only removed on POSIX")


def make_model(seed: int) -> nn.Sequential[Any, Any, Any]:
    device = sh.Cpu(seed=seed)
    return nn.Sequential(nn.Linear(4, 6, device=device), nn.ReLU(), nn.Linear(6, 3, device=device))


def snapshot(model: nn.Module) -> dict[str, np.ndarray]:
    return {name: tensor.numpy().copy() for name, tensor in model.state_dict().items()}


def assert_unchanged(model: nn.Module, before: dict[str, np.ndarray]) -> None:
    after = snapshot(model)
    assert list(after) == list(before)
    for name, array in before.items():
        np.testing.assert_array_equal(after[name], array, err_msg=name)


def tensors() -> dict[str, Any]:
    rng = np.random.default_rng(0)
    return {
        "w": dev.tensor(rng.standard_normal((20, 30)).astype(np.float32)),
        "b": dev.tensor(rng.standard_normal(30)),
        "i": dev.tensor(np.arange(10)),
        "flags": dev.tensor([True, False, True]),
    }


def as_arrays(loaded: dict[str, Any]) -> dict[str, np.ndarray]:
    return {name: tensor.numpy() for name, tensor in loaded.items()}


def same(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> bool:
    return sorted(got) == sorted(want) and all(
        got[k].dtype == want[k].dtype and np.array_equal(got[k], want[k]) for k in want
    )


def safetensors_data_start(data: bytes) -> int:
    return 8 + int.from_bytes(data[:8], "little")


# ---------------------------------------------------------------- 8: names round-trip


@pytest.mark.parametrize("suffix", FORMATS)
def test_npz_keys_k_and_k_npy_roundtrip(tmp_path: Path, suffix: str) -> None:
    names = ["k", "k.npy", "k.npy.npy", "k.NPY", "", "/abs", "a/../b", "a\\b", "ü€", " sp ", "x\n"]
    saved = {name: dev.full((index + 1,), float(index)) for index, name in enumerate(names)}
    path = tmp_path / f"names{suffix}"
    sh.save(saved, path)
    loaded = sh.load(path)
    assert sorted(loaded) == sorted(names)
    for name, tensor in saved.items():
        np.testing.assert_array_equal(loaded[name].numpy(), tensor.numpy(), err_msg=repr(name))


def test_names_a_format_cannot_store_are_refused_at_save(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"'a\\x00b' cannot be stored in a \.npz") as info:
        sh.save({"a\0b": dev.ones((1,)), "a": dev.ones((1,))}, tmp_path / "nul.npz")
    assert "save as .safetensors" in str(info.value)
    with pytest.raises(ValueError, match="'__metadata__' is reserved by the safetensors"):
        sh.save({"__metadata__": dev.ones((1,))}, tmp_path / "meta.safetensors")
    for suffix in FORMATS:
        with pytest.raises(ValueError, match="lone surrogate"):
            sh.save({"\udc80": dev.ones((1,))}, tmp_path / f"surrogate{suffix}")
    assert list(tmp_path.iterdir()) == []  # refused before anything is written
    sh.save({"a\0b": dev.ones((1,))}, tmp_path / "nul.safetensors")  # the other format holds it
    assert list(sh.load(tmp_path / "nul.safetensors")) == ["a\0b"]
    sh.save({"__metadata__": dev.ones((1,))}, tmp_path / "meta.npz")
    assert list(sh.load(tmp_path / "meta.npz")) == ["__metadata__"]


# ---------------------------------------------------------------- 9: foreign .npz members


def test_npz_member_not_npy(tmp_path: Path) -> None:
    source, model = make_model(1), make_model(2)
    path = tmp_path / "odd.npz"
    source.save(path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("notes.txt", "trained for 3 epochs")
    before = snapshot(model)
    with pytest.raises(CheckpointError, match=r"'notes\.txt' is not a \.npy array") as info:
        model.load(path)
    assert str(path) in str(info.value)
    assert_unchanged(model, before)
    with pytest.raises(CheckpointError, match=r"notes\.txt"):
        sh.load(path)
    plain: dict[str, Any] = {"0.weight": np.ones((6, 4), np.float32)}
    np.savez(tmp_path / "plain.npz", **plain)
    with zipfile.ZipFile(tmp_path / "plain.npz", "a") as archive:
        archive.writestr("0.bias.npy", b"not an array")  # a .npy name holding no array
    with pytest.raises(CheckpointError, match="corrupt"):
        model.load(tmp_path / "plain.npz")
    assert_unchanged(model, before)


# ---------------------------------------------------------------- 10: killed saves


_STALLED_SAVE = """
import sys, time
import shaped as sh
from shaped import io as shio

real = shio._write_npz

def write_then_stall(tmp, arrays):
    real(tmp, arrays)
    print(tmp, flush=True)
    time.sleep(600)  # killed here: the temporary is complete, the rename has not happened

shio._write_npz = write_then_stall
sh.save({"w": sh.Cpu().ones((1000,))}, sys.argv[1])
"""


def stalled_save(path: Path) -> tuple[subprocess.Popen[str], Path]:
    """A process part way through saving to `path`, and its temporary file."""
    process = subprocess.Popen(
        [sys.executable, "-c", _STALLED_SAVE, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    tmp = Path(process.stdout.readline().strip())
    assert tmp.parent == path.parent and tmp.exists(), tmp
    return process, tmp


@posix_only
def test_killed_save_leftovers_are_cleaned(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    sh.save({"old": dev.ones((2,))}, path)
    process, tmp = stalled_save(path)
    try:
        assert tmp.name.startswith(".model.npz.shaped-") and tmp.name.endswith(".tmp")
        sh.save({"new": dev.ones((2,))}, path)  # the other save is alive: its file stays
        assert tmp.exists()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        process.kill()
        process.wait()
    assert list(sh.load(path)) == ["new"]  # the killed save never replaced the checkpoint
    assert tmp.exists()  # SIGKILL left it behind...
    sh.save({"newer": dev.ones((2,))}, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "model.npz"
    ]  # ...the next save removed it
    assert list(sh.load(path)) == ["newer"]


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@posix_only
def test_leftover_with_dead_pid_is_removed_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    pid = dead_pid()
    leftover = Path(shio._temporary_path(str(path), pid=pid))
    leftover.write_bytes(b"half a checkpoint")
    mine = Path(shio._temporary_path(str(path)))  # this process is alive
    other_target = Path(shio._temporary_path(str(tmp_path / "other.safetensors"), pid=pid))
    other_host = tmp_path / leftover.name.replace(shio._host_tag(), "0" * 8)
    if other_host == leftover:
        other_host = tmp_path / leftover.name.replace(shio._host_tag(), "1" * 8)
    old_style = tmp_path / ".model.safetensors.abcd1234.tmp"
    lookalikes = [
        mine,
        other_target,
        other_host,
        old_style,
        tmp_path / (leftover.name + ".bak"),
        tmp_path / leftover.name.removeprefix("."),
        tmp_path / "model.safetensors.tmp",
    ]
    for keep in lookalikes:
        keep.write_bytes(b"keep me")
    as_directory = Path(shio._temporary_path(str(path), pid=pid))
    as_directory.mkdir()
    as_link = Path(shio._temporary_path(str(path), pid=pid))
    as_link.symlink_to(old_style)
    sh.save({"w": dev.ones((2,))}, path)
    assert not leftover.exists()
    for keep in lookalikes:
        assert keep.read_bytes() == b"keep me", keep.name
    assert as_directory.is_dir() and as_link.is_symlink()
    assert list(sh.load(path)) == ["w"]


# ---------------------------------------------------------------- 11: checksums


def test_safetensors_byte_flips_detected(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    sh.save(tensors(), path)
    original = path.read_bytes()
    start = safetensors_data_start(original)
    rng = np.random.default_rng(0)
    positions = rng.choice(np.arange(start, len(original)), size=60, replace=False)
    damaged = tmp_path / "damaged.safetensors"
    for position in positions:  # every byte of the data section is some tensor's data
        data = bytearray(original)
        data[position] ^= 1 << int(rng.integers(8))
        damaged.write_bytes(data)
        with pytest.raises(CheckpointError, match="do not match the SHA-256"):
            sh.load(damaged)


@pytest.mark.parametrize("suffix", FORMATS)
def test_byte_flips_anywhere_never_load_silently(tmp_path: Path, suffix: str) -> None:
    """Header, zip directory or data: a flip is refused, or what loads is exactly what was saved."""
    path = tmp_path / f"model{suffix}"
    sh.save(tensors(), path)
    original, want = path.read_bytes(), as_arrays(sh.load(path))
    rng = np.random.default_rng(1)
    damaged = tmp_path / f"damaged{suffix}"
    refused = 0
    positions = range(len(original)) if suffix == ".npz" else range(0, len(original), 3)
    for position in positions:
        data = bytearray(original)
        data[position] ^= 1 << int(rng.integers(8))
        damaged.write_bytes(data)
        try:
            got = as_arrays(sh.load(damaged))
        except CheckpointError:
            refused += 1
            continue
        assert same(got, want), f"flip at byte {position} of {len(original)} loaded wrong data"
    assert refused > 0.9 * len(positions)


@pytest.mark.parametrize("suffix", FORMATS)
def test_truncated_at_any_length_is_refused(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"model{suffix}"
    sh.save(tensors(), path)
    original = path.read_bytes()
    cut = tmp_path / f"cut{suffix}"
    for length in range(0, len(original), 7):
        cut.write_bytes(original[:length])
        with pytest.raises(CheckpointError):
            sh.load(cut)


def test_safetensors_without_digest_loads(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    arrays = {name: tensor.numpy() for name, tensor in tensors().items()}
    for metadata in (None, {"format": "pt", "note": "from another tool"}):
        path = tmp_path / "foreign.safetensors"
        save_file(arrays, str(path), metadata=metadata)
        assert same(as_arrays(sh.load(path)), arrays)
    np.savez(tmp_path / "foreign.npz", **arrays)  # numpy's own .npz: no digest either
    assert sorted(as_arrays(sh.load(tmp_path / "foreign.npz"))) == sorted(arrays)


@pytest.mark.parametrize("suffix", FORMATS)
def test_edited_checkpoint_is_refused(tmp_path: Path, suffix: str) -> None:
    """A tensor dropped from the file (or a name changed) no longer matches the digest."""
    path = tmp_path / f"model{suffix}"
    sh.save(tensors(), path)
    data = bytearray(path.read_bytes())
    if suffix == ".npz":  # rename a member in the local header and in the central directory
        data = bytearray(bytes(data).replace(b"flags.npy", b"flagz.npy"))
    else:  # rename a tensor in the JSON header (same length, offsets stay valid)
        data = bytearray(bytes(data).replace(b'"flags"', b'"flagz"'))
    path.write_bytes(data)
    with pytest.raises(CheckpointError, match="do not match the SHA-256"):
        sh.load(path)


@pytest.mark.parametrize("suffix", FORMATS)
def test_damaged_digest_name_is_refused(tmp_path: Path, suffix: str) -> None:
    """A file whose digest's own name was hit is not taken for one written without a digest."""
    path = tmp_path / f"model{suffix}"
    sh.save(tensors(), path)
    path.write_bytes(path.read_bytes().replace(b"shaped.sha256", b"shaped.sha2#6"))
    with pytest.raises(CheckpointError, match="do not match the SHA-256"):
        sh.load(path)


def test_digests_are_stored(tmp_path: Path) -> None:
    sh.save(tensors(), tmp_path / "a.safetensors")
    data = (tmp_path / "a.safetensors").read_bytes()
    header = json.loads(data[8 : safetensors_data_start(data)])
    assert len(header["__metadata__"]["shaped.sha256"]) == 64
    assert header["__metadata__"]["format"] == "pt"
    sh.save(tensors(), tmp_path / "a.npz")
    with zipfile.ZipFile(tmp_path / "a.npz") as archive:
        assert archive.comment.startswith(b"shaped.sha256=")
    with np.load(tmp_path / "a.npz") as archive:  # numpy reads it as ever
        assert sorted(archive.files) == sorted(tensors())


def test_torch_bfloat16_safetensors_loads(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file

    generator = torch.Generator().manual_seed(0)
    weights = torch.randn(6, 4, generator=generator).to(torch.bfloat16)
    weights[0, :3] = torch.tensor([float("inf"), float("-inf"), float("nan")])
    state = {
        "0.weight": weights,
        "0.bias": torch.randn(6, generator=generator).to(torch.bfloat16),
        "2.weight": torch.randn(3, 6, generator=generator).to(torch.bfloat16),
        "2.bias": torch.randn(3, generator=generator),  # float32 beside bfloat16
    }
    path = tmp_path / "torch_bf16.safetensors"
    save_file(state, str(path))
    loaded = sh.load(path)
    for name, tensor in state.items():
        assert loaded[name].dtype is sh.Float32, name
        np.testing.assert_array_equal(loaded[name].numpy(), tensor.float().numpy(), err_msg=name)
    model = make_model(1).load(path)  # a Float32 model takes them
    np.testing.assert_array_equal(model[2].weight.numpy(), state["2.weight"].float().numpy())


def test_unsupported_safetensors_dtype_says_so(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    path = tmp_path / "bytes.safetensors"
    save_file({"x": np.zeros(3, np.uint8)}, str(path))
    with pytest.raises(CheckpointError, match="'x' has dtype U8, which shaped does not support"):
        sh.load(path)


# ---------------------------------------------------------------- 12: paths and devices


@pytest.mark.parametrize("suffix", FORMATS)
def test_save_into_missing_directory(
    tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "runs" / "exp1" / f"model{suffix}"
    with pytest.raises(FileNotFoundError) as info:
        sh.save({"w": dev.ones((2,))}, target)
    message = str(info.value)
    assert repr(str(target.parent)) in message and "create it" in message, message
    assert "os.makedirs" in message and ".tmp" not in message, message
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"directory 'runs' \(.*runs\) does not exist"):
        make_model(1).save(f"runs/model{suffix}")
    (tmp_path / "taken.npz").mkdir()
    with pytest.raises(IsADirectoryError, match="is a directory: give a file path"):
        sh.save({"w": dev.ones((2,))}, tmp_path / "taken.npz")
    (tmp_path / "taken.npz").rmdir()
    assert list(tmp_path.iterdir()) == []


def test_load_device_must_be_a_device(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    sh.save({"w": dev.ones((2,))}, path)
    with pytest.raises(TypeError, match=r"got 'cpu'.*device=sh\.Cpu\(\)"):
        sh.load(path, device="cpu")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="call it"):
        sh.load(path, device=sh.Cpu)  # type: ignore[call-overload]
    assert sh.load(path, device=sh.Cpu(seed=3))["w"].device == sh.Cpu()
