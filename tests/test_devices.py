"""Creating tensors, moving them, and the errors for bad input."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest
import torch

import shaped as sh

dev = sh.Cpu(seed=0)


def test_nested_lists_infer_shape_and_dtype_like_torch() -> None:
    cases: list[object] = [[[1.0, 2.0], [3.0, 4.0]], [1, 2, 3], [True, False], 3.5, 7, [[]], []]
    for data in cases:
        ours, theirs = dev.tensor(data), torch.tensor(data)
        assert ours.shape == tuple(theirs.shape)
        assert ours.numpy().dtype == theirs.numpy().dtype, data
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_ragged_list_names_the_row() -> None:
    with pytest.raises(
        sh.ShapeError,
        match=r"ragged nested list: element 0 has shape \(2,\) but element 1 has shape \(1,\)",
    ):
        dev.tensor([[1.0, 2.0], [3.0]])


def test_non_numbers_are_rejected() -> None:
    with pytest.raises(sh.DtypeError, match="is not a number"):
        dev.tensor([1.0, "a"])


def test_arrays_keep_their_dtype_and_are_copied() -> None:
    data = np.arange(6, dtype=np.float64).reshape(2, 3)
    t = dev.tensor(data)
    assert t.dtype is sh.Float64 and t.shape == (2, 3)
    data[0, 0] = 100.0
    assert t.numpy()[0, 0] == 0.0
    assert dev.tensor(data, dtype=sh.Float32).dtype is sh.Float32
    scalar = dev.tensor(np.array(2.5))
    assert scalar.shape == () and scalar.item() == 2.5
    with pytest.raises(sh.DtypeError, match="dtype="):
        dev.tensor(np.zeros(3, dtype=np.uint8))


def test_creation_functions() -> None:
    assert dev.zeros((2, 3)).numpy().tolist() == [[0.0] * 3] * 2
    assert dev.ones((2,), dtype=sh.Float64).dtype is sh.Float64
    assert dev.full((2, 2), 7.0).numpy().tolist() == [[7.0, 7.0], [7.0, 7.0]]
    assert dev.full((1,), 3).dtype is sh.Int64
    assert dev.arange(5).numpy().tolist() == [0, 1, 2, 3, 4]
    assert dev.arange(0.0, 1.0, 0.5).dtype is sh.Float32
    np.testing.assert_array_equal(dev.eye(3).numpy(), np.eye(3, dtype=np.float32))
    assert dev.eye(2, 3).shape == (2, 3)
    r = sh.Cpu(seed=1).randn((1000,))
    assert r.dtype is sh.Float32 and abs(float(r.numpy().mean())) < 0.15
    u = dev.rand((1000,), dtype=sh.Float64)
    assert u.dtype is sh.Float64 and 0.0 <= u.numpy().min() and u.numpy().max() < 1.0
    with pytest.raises(sh.ShapeError, match="negative dimension"):
        dev.zeros((2, -1))
    with pytest.raises(sh.DtypeError, match="float dtype"):
        dev.randn((2,), dtype=sh.Int64)


def test_seeds_are_reproducible_and_devices_compare_by_place() -> None:
    a = sh.Cpu(seed=3).randn((4,)).numpy()
    b = sh.Cpu(seed=3).randn((4,)).numpy()
    np.testing.assert_array_equal(a, b)
    assert sh.Cpu(seed=0) == sh.Cpu(seed=1)
    mixed = sh.Cpu(seed=0).ones((2,)) + sh.Cpu(seed=1).ones((2,))
    assert mixed.numpy().tolist() == [2.0, 2.0]


def test_dtype_mismatch_names_the_fix() -> None:
    a = dev.ones((2,))
    b = dev.ones((2,), dtype=sh.Float64)
    with pytest.raises(sh.DtypeError, match=r"Float32 and Float64.*\.to\(sh\.Float32\)"):
        a + b
    assert (a + b.to(sh.Float32)).dtype is sh.Float32


def test_mixed_devices_are_an_error() -> None:
    class OtherPlace(sh.Cpu):  # a second place, numpy underneath: stands in for a GPU
        def _place(self) -> sh.Cpu:
            return self

    a = dev.ones((2,))
    b = OtherPlace().ones((2,))
    with pytest.raises(sh.DeviceError, match=r"different devices.*\.to\("):
        a + b


def test_cuda_without_cupy_names_the_extra() -> None:
    try:
        import cupy  # noqa: F401
    except ImportError:
        with pytest.raises(sh.DeviceError, match=r"pip install shaped\[cuda\]"):
            sh.Cuda()
    else:
        pytest.skip("cupy is installed: the GPU tests cover Cuda")


def test_cuda_without_a_driver_says_what_to_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """cupy installed but no GPU or driver: the error names the check and the extras."""

    def no_driver() -> int:
        raise RuntimeError("cudaErrorInsufficientDriver")

    runtime = types.SimpleNamespace(getDeviceCount=no_driver)
    fake = types.SimpleNamespace(cuda=types.SimpleNamespace(runtime=runtime))
    monkeypatch.setitem(sys.modules, "cupy", fake)
    with pytest.raises(sh.DeviceError, match=r"no usable CUDA device.*nvidia-smi.*cuda13"):
        sh.Cuda()


def test_data_out() -> None:
    t = dev.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert np.asarray(t).shape == (2, 2)
    assert t.ndim == 2 and len(t) == 2
    assert [row.tolist() for row in t] == [[1.0, 2.0], [3.0, 4.0]]
    np.testing.assert_array_equal(np.from_dlpack(t), t.numpy())
    assert "Float32" in repr(t) and "tape" not in repr(t)
    assert "OwnedTape" in repr(t.trace())
    with pytest.raises(sh.ShapeError, match="one element"):
        t.item()


def test_copy_in_place() -> None:
    t = dev.zeros((2, 2))
    t.copy_(dev.ones((2, 2)))
    t.copy_(np.full((2, 2), 3.0))
    assert t.numpy().tolist() == [[3.0, 3.0], [3.0, 3.0]]
    with pytest.raises(sh.ShapeError, match="source shape"):
        t.copy_(np.zeros(3))


def test_realize_checks_the_runtime_shape() -> None:
    t = dev.zeros((2, 3))
    assert t.realize((2, 3)) is t
    with pytest.raises(sh.ShapeError, match=r"has shape \(2, 3\), not \(3, 2\)"):
        t.realize((3, 2))


def test_to_dtype_carries_gradients() -> None:
    x = dev.tensor([1.0, 2.0])
    grads = sh.Gradients()
    (x.traced(grads).to(sh.Float64) * 3.0).sum().backward()
    assert grads[x].dtype is sh.Float32
    assert grads[x].tolist() == [3.0, 3.0]


def test_nan_flows_through_like_torch() -> None:
    data = np.array([np.nan, 1.0, -2.0], dtype=np.float32)
    ours = (dev.tensor(data) * 2.0 + 1.0).numpy()
    theirs = (torch.tensor(data) * 2.0 + 1.0).numpy()
    np.testing.assert_array_equal(ours, theirs)
