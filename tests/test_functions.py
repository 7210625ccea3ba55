"""concat, stack, where, matmul and from_dlpack: values, gradients, tape merging, errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import shaped as sh
from shaped.devices import Device
from tests.oracle import arrays, broadcastable, check, float_dtypes, shapes

DTYPES = [np.float64, np.float32]
dev = sh.Cpu()
F32 = sh.Tensor[Any, sh.Float32, sh.Cpu]


def zeros(shape: tuple[int, ...]) -> F32:
    return dev.zeros(shape, dtype=sh.Float32)


# ---------------------------------------------------------------- concat


@given(shapes(min_dims=1, max_dims=3), float_dtypes, st.data())
def test_concat_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    sizes = data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=4))
    parts = []
    for i, size in enumerate(sizes):
        s = list(shape)
        s[axis] = size
        parts.append(arrays(tuple(s), dtype, seed=i))
    check(
        lambda *ts: torch.cat(ts, axis),
        lambda *ts: sh.concat(ts, axis),
        *parts,
    )
    check(lambda *ts: torch.cat(ts, axis), lambda *ts: sh.concat(list(ts), axis=axis), *parts)


@pytest.mark.parametrize("dtype", DTYPES)
def test_concat_noncontiguous_and_repeated_input(dtype: Any) -> None:
    a = arrays((3, 8), dtype)[:, ::2]
    b = arrays((4, 3), dtype, seed=1).T
    check(lambda x, y: torch.cat([x, y, x], 0), lambda x, y: sh.concat([x, y, x], 0), a, b)
    check(lambda x, y: torch.cat([x, y], 1), lambda x, y: sh.concat([x, y], 1), a, b)


def test_concat_errors() -> None:
    a = zeros((2, 3))
    with pytest.raises(sh.ShapeError, match=r"tensor 2 has shape \(2, 4\).*axis 1 differs"):
        sh.concat([a, a, zeros((2, 4))], 0)
    with pytest.raises(sh.ShapeError, match=r"tensor 1 has shape \(3,\), rank 1"):
        sh.concat([a, zeros((3,))])
    with pytest.raises(sh.ShapeError, match=r"valid axes are -2..1"):
        sh.concat([a, a], 2)
    with pytest.raises(sh.ShapeError, match="at least one"):
        sh.concat([])
    with pytest.raises(sh.ShapeError, match="rank-0"):
        sh.concat([zeros(()), zeros(())])
    with pytest.raises(sh.DtypeError, match="Float32 and Float64"):
        sh.concat([a, dev.zeros((2, 3), dtype=sh.Float64)])
    with pytest.raises(TypeError, match="element 1"):
        sh.concat([a, np.zeros((2, 3))])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="single tensor"):
        sh.concat(a)  # type: ignore[call-overload]


# ---------------------------------------------------------------- stack


@given(shapes(max_dims=3), float_dtypes, st.data())
def test_stack_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    count = data.draw(st.integers(1, 4))
    parts = [arrays(shape, dtype, seed=i) for i in range(count)]
    check(lambda *ts: torch.stack(ts, axis), lambda *ts: sh.stack(ts, axis), *parts)


def test_stack_noncontiguous_and_errors() -> None:
    a = arrays((3, 8))[:, ::2]
    check(lambda x, y: torch.stack([x, y, x], 1), lambda x, y: sh.stack([x, y, x], 1), a, a.copy())
    t = zeros((2, 3))
    with pytest.raises(
        sh.ShapeError, match=r"tensor 1 has shape \(3, 2\) but tensor 0 has \(2, 3\)"
    ):
        sh.stack([t, zeros((3, 2))])
    with pytest.raises(sh.ShapeError, match=r"valid axes are -3..2"):
        sh.stack([t, t], 3)
    with pytest.raises(sh.DtypeError, match="no implicit promotion"):
        sh.stack([t, dev.zeros((2, 3), dtype=sh.Float16)])
    with pytest.raises(sh.ShapeError, match="at least one"):
        sh.stack([])


# ---------------------------------------------------------------- where


@given(broadcastable(3), float_dtypes)
def test_where_matches_torch(shapes3: Any, dtype: Any) -> None:
    cshape, ashape, bshape = shapes3.input_shapes
    cond = np.random.default_rng(5).random(cshape) > 0.5
    a, b = arrays(ashape, dtype, seed=1), arrays(bshape, dtype, seed=2)
    check(torch.where, sh.where, cond, a, b)


@pytest.mark.parametrize("dtype", DTYPES)
def test_where_with_scalars(dtype: Any) -> None:
    a = arrays((3, 4), dtype)[:, ::2]
    check(lambda x: torch.where(x > 0, x, 0.5), lambda x: sh.where(x > 0, x, 0.5), a)
    check(lambda x: torch.where(x > 0, -1.0, x), lambda x: sh.where(x > 0, -1.0, x), a)
    check(lambda x: torch.where(x > 0, x, 2), lambda x: sh.where(x > 0, x, 2), a)
    out = sh.where(dev.tensor([True, False]), 1.0, 0.0)
    assert out.dtype is sh.Float32 and out.tolist() == [1.0, 0.0]
    assert sh.where(dev.tensor([True, False]), 3, 4).dtype is sh.Int64
    ints = sh.where(dev.tensor([True, False]), dev.tensor([1, 2]), 7)
    assert ints.dtype is sh.Int64 and ints.tolist() == [1, 7]


def test_where_errors() -> None:
    x = zeros((2, 3))
    cond = x > 0
    with pytest.raises(sh.DtypeError, match="Bool tensor"):
        sh.where(x, x, x)  # type: ignore[arg-type]
    with pytest.raises(sh.DtypeError, match="dtypes differ"):
        sh.where(cond, x, dev.zeros((2, 3), dtype=sh.Float64))  # type: ignore[misc]
    with pytest.raises(sh.DtypeError, match="float scalar"):
        sh.where(cond, dev.tensor([[1, 2, 3], [4, 5, 6]]), 0.5)
    with pytest.raises(sh.ShapeError, match="do not broadcast"):
        sh.where(cond, x, zeros((4,)))
    with pytest.raises(TypeError, match="Python numbers"):
        sh.where(cond, "a", 1.0)  # type: ignore[call-overload]


# ---------------------------------------------------------------- tapes merge


def test_concat_stack_where_merge_tapes() -> None:
    grads = sh.Gradients()
    a0, b0, c0 = arrays((2, 3)), arrays((2, 3), seed=1), arrays((2, 3), seed=2)
    a = dev.tensor(a0).traced(grads)
    b = dev.tensor(b0).traced(grads)  # a second tape into the same Gradients
    other = sh.Gradients()
    c = dev.tensor(c0).traced(other)  # a tape into another Gradients
    joined = sh.concat([a, b], 0)  # (4, 3)
    stacked = sh.stack([a, c], 0)  # (2, 2, 3)
    chosen = sh.where(a > 0, b, c)  # (2, 3)
    loss = (joined * 2.0).sum() + (stacked * 3.0).sum() + (chosen * 5.0).sum()
    got = loss.backward()
    assert got is grads
    np.testing.assert_allclose(grads[a].numpy(), np.full((2, 3), 5.0))
    np.testing.assert_allclose(grads[b].numpy(), 2.0 + np.where(a0 > 0, 5.0, 0.0))
    np.testing.assert_allclose(other[c].numpy(), 3.0 + np.where(a0 > 0, 0.0, 5.0))


def test_untraced_inputs_record_nothing() -> None:
    a = zeros((2, 3))
    assert sh.concat([a, a])._tape is None
    assert sh.stack([a, a])._tape is None
    assert sh.where(a > 0, a, 1.0)._tape is None
    traced = zeros((2, 3)).trace()
    assert sh.concat([a, traced])._tape is not None
    assert sh.where(a > 0, traced, 1.0)._tape is not None
    assert sh.stack([traced, a])._tape is not None


def test_device_mix_raises() -> None:
    class Elsewhere(Device):
        """A second host device, so that tensors differ by place."""

        def __init__(self) -> None:
            self.index = 7
            self.xp = np
            self.rng = np.random.default_rng(0)

        def _place(self) -> Device:
            return self

    other: Any = Elsewhere().zeros((2, 3))
    here = zeros((2, 3))
    with pytest.raises(sh.DeviceError, match="different devices"):
        sh.concat([here, other])
    with pytest.raises(sh.DeviceError, match="different devices"):
        sh.stack([here, other])
    with pytest.raises(sh.DeviceError):
        sh.where(here > 0, other, other)


# ---------------------------------------------------------------- matmul and from_dlpack


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("ashape", "bshape"),
    [((2, 3), (3, 4)), ((3,), (3, 2)), ((1, 2, 3), (4, 3, 2)), ((2, 2, 3), (3,))],
)
def test_matmul_matches_torch(ashape: Any, bshape: Any, dtype: Any) -> None:
    check(torch.matmul, sh.matmul, arrays(ashape, dtype), arrays(bshape, dtype, seed=1))


def test_matmul_errors() -> None:
    with pytest.raises(sh.ShapeError, match="inner dims 3 != 4"):
        sh.matmul(zeros((2, 3)), zeros((4, 2)))
    with pytest.raises(sh.DtypeError):
        sh.matmul(zeros((2, 3)), dev.zeros((3, 2), dtype=sh.Float64))  # type: ignore[misc]


def test_from_dlpack_is_zero_copy() -> None:
    host = np.arange(6.0).reshape(2, 3)
    t = sh.from_dlpack(host)
    assert t.device == sh.Cpu() and t.dtype is sh.Float64 and t.shape == (2, 3)
    assert np.shares_memory(t._data, host)
    theirs = torch.arange(4, dtype=torch.int64)
    t2 = sh.from_dlpack(theirs)
    assert t2.dtype is sh.Int64
    theirs[0] = 9
    assert t2.tolist() == [9, 1, 2, 3]  # shares torch's memory
    back = torch.utils.dlpack.from_dlpack(t)
    assert back.data_ptr() == host.ctypes.data
    t3 = sh.from_dlpack(dev.ones((2,)))
    assert t3.tolist() == [1.0, 1.0]
    with pytest.raises(sh.DtypeError, match="uint8"):
        sh.from_dlpack(np.zeros(3, np.uint8))
