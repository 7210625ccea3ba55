"""Module checkpoints: save/load round trips, and every bad checkpoint is refused with its fix
before anything changes (the model is left exactly as it was)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import shaped as sh
from shaped import io as shio
from shaped import nn
from shaped.io import CheckpointError

FORMATS = [".npz", ".safetensors"]


def make_model(seed: int, dtype: Any = sh.Float32) -> nn.Sequential[Any, Any, Any, Any]:
    dev = sh.Cpu(seed=seed)
    return nn.Sequential(
        nn.Linear(4, 6, device=dev, dtype=dtype),
        nn.BatchNorm1d(6, device=dev, dtype=dtype),
        nn.ReLU(),
        nn.Linear(6, 3, device=dev, dtype=dtype),
    )


def trained(seed: int) -> nn.Sequential[Any, Any, Any, Any]:
    """A model whose running statistics moved too, so buffers are checked as well."""
    model = make_model(seed)
    model(sh.Cpu(seed=seed).randn((8, 4)))
    return model


def snapshot(model: nn.Module) -> dict[str, np.ndarray]:
    return {name: tensor.numpy().copy() for name, tensor in model.state_dict().items()}


def assert_state(model: nn.Module, expected: dict[str, np.ndarray]) -> None:
    got = snapshot(model)
    assert list(got) == list(expected)
    for name, array in expected.items():
        assert got[name].dtype == array.dtype, name
        np.testing.assert_array_equal(got[name], array, err_msg=name)


def refused(model: nn.Module, path: Path, *fragments: str, strict: bool = True) -> str:
    """Loading `path` raises CheckpointError naming each fragment and leaves the model as it was."""
    before = snapshot(model)
    with pytest.raises(CheckpointError) as error:
        model.load(path, strict=strict)
    message = str(error.value)
    for fragment in fragments:
        assert fragment in message, message
    assert_state(model, before)
    return message


@pytest.mark.parametrize("suffix", FORMATS)
def test_round_trip(tmp_path: Path, suffix: str) -> None:
    source, target = trained(1), make_model(2)
    path = tmp_path / f"model{suffix}"
    source.save(path)
    weight = target[0].weight
    assert target.load(path) is target
    assert_state(target, snapshot(source))
    assert target[0].weight is weight  # same identity: gradients and optimizers still name it
    x = sh.Cpu().randn((5, 4))
    source.eval(), target.eval()
    np.testing.assert_array_equal(source(x).numpy(), target(x).numpy())
    assert set(sh.load(path)) == set(source.state_dict())  # a plain checkpoint of named tensors


def test_round_trip_float64_and_state_dict(tmp_path: Path) -> None:
    source, target = make_model(1, sh.Float64), make_model(2, sh.Float64)
    result = target.load_state_dict(source.state_dict())
    assert result == nn.LoadResult([], [])
    assert_state(target, snapshot(source))
    path = tmp_path / "wide.npz"
    source.save(str(path))
    assert make_model(3, sh.Float64).load(str(path))[0].weight.dtype is sh.Float64


def save_edited(path: Path, model: nn.Module, **changes: Any) -> None:
    """model's state with entries replaced (or removed when None), saved to path."""
    state: dict[str, Any] = dict(model.state_dict())
    for name, value in changes.items():
        name = name.replace("__", ".")
        if value is None:
            del state[name]
        else:
            state[name] = value
    sh.save(state, path)


@pytest.mark.parametrize("suffix", FORMATS)
def test_missing_key(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"missing{suffix}"
    save_edited(path, trained(1), **{"3__bias": None})
    model = make_model(2)
    refused(model, path, "missing '3.bias'", "shape (3,), Float32", "strict=False", "unchanged")
    result = model.load_state_dict(sh.load(path), strict=False)
    assert result.missing_keys == ["3.bias"] and result.unexpected_keys == []
    np.testing.assert_array_equal(model[3].weight.numpy(), trained(1)[3].weight.numpy())


@pytest.mark.parametrize("suffix", FORMATS)
def test_unexpected_key(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"unexpected{suffix}"
    source = trained(1)
    save_edited(path, source, **{"4__weight": sh.Cpu().ones((2, 2))})
    model = make_model(2)
    refused(model, path, "unexpected '4.weight'", "pass strict=False to ignore it")
    assert model.load(path, strict=False) is model
    assert_state(model, snapshot(source))
    result = make_model(3).load_state_dict(sh.load(path), strict=False)
    assert result == nn.LoadResult([], ["4.weight"])


@pytest.mark.parametrize("suffix", FORMATS)
def test_wrong_shape(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"shape{suffix}"
    save_edited(path, trained(1), **{"0__weight": sh.Cpu().zeros((5, 4))})
    model = make_model(2)
    refused(model, path, "'0.weight' has shape (5, 4) in the checkpoint but (6, 4) in the model")
    # the mismatch is an error without strict too, as in torch
    refused(model, path, "'0.weight' has shape", strict=False)


@pytest.mark.parametrize("suffix", FORMATS)
def test_wrong_dtype(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"dtype{suffix}"
    make_model(1, sh.Float64).save(path)
    message = refused(
        make_model(2),
        path,
        "'0.weight' is Float64 in the checkpoint but Float32 in the model",
        "dtype=sh.Float64",
    )
    assert "8 problems" in message  # every float tensor is listed, each on its own line
    assert message.count("\n  - ") == 8


@pytest.mark.parametrize("suffix", FORMATS)
def test_truncated_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"truncated{suffix}"
    trained(1).save(path)
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.truncate(size // 2)
    refused(make_model(2), path, "corrupt", str(path))


def test_several_problems_are_listed_together(tmp_path: Path) -> None:
    path = tmp_path / "several.npz"
    save_edited(
        path,
        trained(1),
        **{"0__bias": None, "3__weight": sh.Cpu().zeros((3, 7)), "extra": sh.Cpu().ones((1,))},
    )
    message = refused(make_model(2), path, "3 problems", "missing '0.bias'", "'extra'", "(3, 7)")
    assert message.startswith(f"cannot load {str(path)!r} into Sequential")


def test_corrupt_entries_in_a_mapping_are_refused() -> None:
    model = make_model(2)
    state: dict[str, Any] = dict(trained(1).state_dict())
    state["0.weight"] = "not a tensor"
    state["0.bias"] = np.zeros(6, dtype=np.complex64)
    before = snapshot(model)
    with pytest.raises(CheckpointError) as error:
        model.load_state_dict(state)
    assert "'0.weight' is a str, not a tensor or array" in str(error.value)
    assert "'0.bias' has dtype complex64, which shaped does not support" in str(error.value)
    assert_state(model, before)
    arrays = {name: t.numpy() for name, t in trained(1).state_dict().items()}
    model.load_state_dict(arrays)  # numpy arrays load as tensors do
    assert_state(model, snapshot(trained(1)))
    arrays["0.weight"] = np.asfortranarray(arrays["0.weight"])  # any layout loads
    model.load_state_dict(arrays)
    arrays["0.weight"][...] = 7.0  # the model holds its own copy
    assert model[0].weight._data.flags.c_contiguous and not (model[0].weight.numpy() == 7).any()
    with pytest.raises(TypeError, match="expected a mapping"):
        model.load_state_dict([("0.weight", arrays["0.weight"])])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("suffix", "writer"), [(".npz", "_write_npz"), (".safetensors", "_write_safetensors")]
)
def test_interrupted_save_keeps_the_old_file(
    tmp_path: Path, suffix: str, writer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / f"model{suffix}"
    old = trained(1)
    old.save(path)
    original = path.read_bytes()
    write = getattr(shio, writer)

    def crash_part_way(target: str, arrays: dict[str, np.ndarray]) -> None:
        write(target, arrays)
        with open(target, "r+b") as f:
            f.truncate(os.path.getsize(target) // 3)
        raise KeyboardInterrupt  # as if the process were stopped mid-write

    monkeypatch.setattr(shio, writer, crash_part_way)
    with pytest.raises(KeyboardInterrupt):
        trained(2).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == original
    assert os.listdir(tmp_path) == [path.name]  # the temporary file is gone
    assert_state(make_model(3).load(path), snapshot(old))


def test_missing_file_and_unknown_suffix(tmp_path: Path) -> None:
    model = make_model(1)
    before = snapshot(model)
    with pytest.raises(FileNotFoundError):
        model.load(tmp_path / "absent.npz")
    with pytest.raises(ValueError, match="suffix"):
        model.save(tmp_path / "model.pt")
    assert_state(model, before)
