"""Movement ops (reshape, permute, indexing, take, pad, ...) against torch: values and gradients."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

import shaped as sh
from tests.oracle import arrays, check, float_dtypes, shapes

DTYPES = [np.float64, np.float32]
dev = sh.Cpu()


def noncontiguous(shape: tuple[int, ...], dtype: Any = np.float64, seed: int = 0) -> np.ndarray:
    """An array of `shape` that is a strided view (every other element of a larger array)."""
    big = arrays((*shape[:-1], 2 * shape[-1]) if shape else (2,), dtype, seed)
    out = big[..., ::2] if shape else big[0]
    assert shape == () or not out.flags.c_contiguous or out.size <= 1
    return np.asarray(out) if shape else np.array(out)


def traced_grad(fn: Any, a: np.ndarray, upstream: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Our op's output and the gradient of sum(out * upstream) with respect to the input."""
    grads = sh.Gradients()
    x = dev.tensor(a).traced(grads)
    out = fn(x)
    (out * dev.tensor(upstream)).sum().backward()
    return out.numpy(), grads[x].numpy()


# ---------------------------------------------------------------- reshape and flatten


@given(shapes(), float_dtypes)
def test_reshape_matches_torch(shape: tuple[int, ...], dtype: Any) -> None:
    a = arrays(shape, dtype)
    check(lambda t: t.reshape(-1), lambda t: t.reshape(-1), a)
    check(
        lambda t: t.reshape(tuple(reversed(shape))), lambda t: t.reshape(tuple(reversed(shape))), a
    )


def test_reshape_rank0_and_zero_size() -> None:
    check(lambda t: t.reshape(()), lambda t: t.reshape(()), arrays(()))
    check(lambda t: t.reshape(1, 1), lambda t: t.reshape(1, 1), arrays(()))
    check(lambda t: t.reshape(-1), lambda t: t.reshape(-1), arrays(()))
    check(lambda t: t.reshape(1, 1).reshape(()), lambda t: t.reshape(1, 1).reshape(()), arrays(()))
    check(lambda t: t.reshape(3, 0), lambda t: t.reshape(3, 0), arrays((0, 3)))
    check(lambda t: t.reshape(-1, 3), lambda t: t.reshape(-1, 3), arrays((0, 3)))
    check(lambda t: t.reshape(-1), lambda t: t.reshape(-1), arrays((2, 0, 4)))


def test_reshape_errors_and_view() -> None:
    x = dev.tensor(arrays((2, 3)))
    with pytest.raises(sh.ShapeError, match="6 elements"):
        x.reshape(4, 2)
    with pytest.raises(sh.ShapeError, match="only one -1"):
        x.reshape(-1, -1)
    assert np.shares_memory(x.reshape(3, 2)._data, x._data)


@given(shapes(), float_dtypes, st.data())
def test_flatten_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    a = arrays(shape, dtype)
    n = max(len(shape), 1)
    start = data.draw(st.integers(-n, n - 1))
    end = data.draw(st.integers(-n, n - 1))
    if shape and start % n > end % n:
        with pytest.raises(sh.ShapeError, match="comes after"):
            dev.tensor(a).flatten(start, end)
        return
    check(lambda t: t.flatten(start, end), lambda t: t.flatten(start, end), a)


def test_flatten_noncontiguous_and_errors() -> None:
    a = noncontiguous((2, 3, 4))
    check(lambda t: t.flatten(), lambda t: t.flatten(), a)
    check(lambda t: t.flatten(1), lambda t: t.flatten(1), a)
    with pytest.raises(sh.ShapeError, match=r"valid axes are -3..2"):
        dev.tensor(a).flatten(3)


# ---------------------------------------------------------------- permute and transposes


@given(shapes(), float_dtypes, st.data())
def test_permute_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    order = tuple(data.draw(st.permutations(range(len(shape)))))
    a = arrays(shape, dtype)
    check(lambda t: t.permute(order), lambda t: t.permute(*order), a)
    check(lambda t: t.permute(order), lambda t: t.permute(order), a)  # one tuple
    check(lambda t: t.permute(order), lambda t: t.permute(list(order)), a)  # one list


def test_permute_negative_axes_view_and_errors() -> None:
    a = noncontiguous((2, 3, 4))
    check(lambda t: t.permute(2, 0, 1), lambda t: t.permute(-1, 0, -2), a)
    x = dev.tensor(a)
    assert np.shares_memory(x.permute(2, 0, 1)._data, x._data)
    with pytest.raises(sh.ShapeError, match="rank 3"):
        x.permute(0, 1)
    with pytest.raises(sh.ShapeError, match="each axis once"):
        x.permute(0, 1, 1)
    with pytest.raises(sh.ShapeError, match=r"valid axes are -3..2"):
        x.permute(0, 1, 3)


@pytest.mark.parametrize("dtype", DTYPES)
def test_transpose_T_and_mT(dtype: Any) -> None:
    a = noncontiguous((2, 3, 4, 5), dtype)
    check(lambda t: t.transpose(0, 2), lambda t: t.transpose(0, 2), a)
    check(lambda t: t.transpose(-1, 1), lambda t: t.transpose(-1, 1), a)
    check(lambda t: t.transpose(1, 1), lambda t: t.transpose(1, 1), a)
    check(lambda t: t.mT, lambda t: t.mT, a)
    check(lambda t: t.permute(3, 2, 1, 0), lambda t: t.T, a)
    check(lambda t: t.mT, lambda t: t.mT, arrays((3, 0), dtype))
    check(lambda t: t, lambda t: t.T, arrays((), dtype))
    check(lambda t: t, lambda t: t.T, arrays((4,), dtype))
    x = dev.tensor(a)
    assert np.shares_memory(x.transpose(0, 1)._data, x._data)
    assert np.shares_memory(x.mT._data, x._data)
    with pytest.raises(sh.ShapeError, match=r"valid axes are -4..3"):
        x.transpose(0, 4)
    with pytest.raises(sh.ShapeError, match="at least 2 dims"):
        _ = dev.tensor(arrays((3,))).mT


# ---------------------------------------------------------------- unsqueeze and squeeze


@given(shapes(max_dims=3), float_dtypes, st.data())
def test_unsqueeze_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    check(lambda t: t.unsqueeze(axis), lambda t: t.unsqueeze(axis), arrays(shape, dtype))


def test_unsqueeze_errors() -> None:
    with pytest.raises(sh.ShapeError, match=r"valid axes are -3..2"):
        dev.tensor(arrays((2, 3))).unsqueeze(3)
    x = dev.tensor(arrays((2, 3)))
    assert np.shares_memory(x.unsqueeze(1)._data, x._data)


@given(shapes(max_side=2), float_dtypes, st.data())
def test_squeeze_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    a = arrays(shape, dtype)
    check(lambda t: t.squeeze(), lambda t: t.squeeze(), a)
    if shape:
        axis = data.draw(st.integers(-len(shape), len(shape) - 1))
        check(lambda t: t.squeeze(axis), lambda t: t.squeeze(axis), a)
        axes = tuple(data.draw(st.sets(st.integers(0, len(shape) - 1))))
        check(lambda t: t.squeeze(axes), lambda t: t.squeeze(axes), a)


def test_squeeze_pytorch_semantics_and_errors() -> None:
    a = noncontiguous((1, 3, 1, 2))
    x = dev.tensor(a)
    assert x.squeeze(1).shape == (1, 3, 1, 2)  # size 3: left alone, as PyTorch
    assert x.squeeze((0, 1)).shape == (3, 1, 2)
    assert x.squeeze().shape == (3, 2)
    assert np.shares_memory(x.squeeze()._data, x._data)
    check(lambda t: t.squeeze(-2), lambda t: t.squeeze(-2), a)
    with pytest.raises(sh.ShapeError, match=r"valid axes are -4..3"):
        x.squeeze(4)
    with pytest.raises(sh.ShapeError, match="repeats"):
        x.squeeze((0, -4))


# ---------------------------------------------------------------- broadcast_to


@given(st.data(), float_dtypes)
def test_broadcast_to_matches_torch(data: st.DataObject, dtype: Any) -> None:
    target = data.draw(shapes(max_dims=4, max_side=3))
    keep = len(target) - data.draw(st.integers(0, len(target)))
    source = tuple(d if data.draw(st.booleans()) else 1 for d in target[len(target) - keep :])
    a = arrays(source, dtype)
    check(lambda t: t.expand(target), lambda t: t.broadcast_to(target), a)


def test_broadcast_to_minus_one_view_and_errors() -> None:
    a = noncontiguous((3, 1))
    check(lambda t: t.expand(2, -1, 4), lambda t: t.broadcast_to((2, -1, 4)), a)
    x = dev.tensor(a)
    assert np.shares_memory(x.broadcast_to((2, 3, 4))._data, x._data)
    with pytest.raises(sh.ShapeError, match="axis 1 has size 3"):
        x.broadcast_to((2, 4, 4))
    with pytest.raises(sh.ShapeError, match="fewer dims"):
        x.broadcast_to((3,))


# ---------------------------------------------------------------- take


def _torch_take_axis(axis: int) -> Any:
    def fn(t: torch.Tensor, i: torch.Tensor) -> torch.Tensor:
        pos = axis % t.ndim
        n = t.shape[pos]
        flat = t.index_select(pos, (i % n if n else i).reshape(-1))
        return flat.reshape((*t.shape[:pos], *i.shape, *t.shape[pos + 1 :]))

    return fn


@given(shapes(min_dims=1, max_dims=3, min_side=1), shapes(max_dims=2), float_dtypes, st.data())
def test_take_axis_matches_torch(
    shape: tuple[int, ...], ishape: tuple[int, ...], dtype: Any, data: st.DataObject
) -> None:
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[axis]
    idx = np.random.default_rng(1).integers(-n, n, ishape)  # negatives and repeats
    check(_torch_take_axis(axis), lambda t, i: t.take(i, axis), arrays(shape, dtype), idx)


@given(shapes(max_dims=3, min_side=1), shapes(max_dims=2), float_dtypes)
def test_take_flat_matches_torch(
    shape: tuple[int, ...], ishape: tuple[int, ...], dtype: Any
) -> None:
    n = int(np.prod(shape))
    idx = np.random.default_rng(2).integers(-n, n, ishape)
    check(lambda t, i: torch.take(t, i % n), lambda t, i: t.take(i), arrays(shape, dtype), idx)


def test_take_repeated_indices_accumulate_and_noncontiguous() -> None:
    a = noncontiguous((3, 4))
    idx = np.array([1, 1, 1, 0, -1])
    check(_torch_take_axis(1), lambda t, i: t.take(i, 1), a, idx)
    check(_torch_take_axis(0), lambda t, i: t.take(i, 0), a, np.array([[2, 2], [2, 0]]))
    _, grad = traced_grad(lambda x: x.take(dev.tensor([0, 0, 0]), 0), np.ones(2), np.ones(3))
    np.testing.assert_array_equal(grad, [3.0, 0.0])
    check(_torch_take_axis(0), lambda t, i: t.take(i, 0), arrays((0, 2)), np.zeros(0, np.int64))
    check(
        _torch_take_axis(1), lambda t, i: t.take(i, 1), arrays((3, 2)), np.zeros((2, 0), np.int64)
    )


def test_take_out_of_range_and_bad_indices() -> None:
    x = dev.tensor(arrays((3, 4)))
    with pytest.raises(sh.ShapeError, match=r"index 4 is out of range.*valid indices are -4..3"):
        x.take(dev.tensor([0, 4]), 1)
    with pytest.raises(sh.ShapeError, match=r"index -4 is out of range.*valid indices are -3..2"):
        x.take(dev.tensor([-4]), 0)
    with pytest.raises(sh.ShapeError, match=r"index 12 .*valid indices are -12..11"):
        x.take(dev.tensor([12]))
    with pytest.raises(sh.ShapeError, match=r"valid axes are -2..1"):
        x.take(dev.tensor([0]), 2)
    with pytest.raises(sh.DtypeError, match="Int64"):
        x.take(dev.tensor([0.0]), 0)
    with pytest.raises(TypeError, match="Int64 tensor"):
        x.take([0], 0)  # type: ignore[arg-type]


def test_take_int_tensor_has_no_gradient() -> None:
    x = dev.tensor(np.arange(6).reshape(2, 3))
    out = x.take(dev.tensor([2, 0]), 1)
    np.testing.assert_array_equal(out.numpy(), [[2, 0], [5, 3]])


# ---------------------------------------------------------------- pad


def _torch_pad(pairs: list[tuple[int, int]], value: float) -> Any:
    flat = [w for pair in reversed(pairs) for w in pair]  # torch: last axis first
    return lambda t: F.pad(t, flat, value=value)


@given(shapes(min_dims=1, max_dims=3, max_side=3), float_dtypes, st.data())
def test_pad_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    pairs = [(data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))) for _ in shape]
    value = data.draw(st.sampled_from([0.0, 1.5, -2.0]))
    check(_torch_pad(pairs, value), lambda t: t.pad(pairs, value), arrays(shape, dtype))


def test_pad_width_forms_noncontiguous_and_errors() -> None:
    a = noncontiguous((2, 3))
    check(_torch_pad([(1, 1), (1, 1)], 0.0), lambda t: t.pad(1), a)
    check(_torch_pad([(1, 2), (1, 2)], 0.0), lambda t: t.pad((1, 2)), a)
    check(_torch_pad([(1, 2), (1, 2)], 3.0), lambda t: t.pad(((1, 2),), 3.0), a)
    check(_torch_pad([(0, 0), (2, 0)], 0.0), lambda t: t.pad(((0, 0), (2, 0))), a)
    out, grad = traced_grad(lambda x: x.pad(()), np.array(2.0), np.array(3.0))
    assert out == 2.0 and grad == 3.0
    x = dev.tensor(a)
    with pytest.raises(sh.ShapeError, match="rank 2"):
        x.pad(((1, 1), (1, 1), (1, 1)))
    with pytest.raises(sh.ShapeError, match="non-negative"):
        x.pad(((1, -1), (0, 0)))
    with pytest.raises(sh.ShapeError, match="widths must be"):
        x.pad("ab")
    with pytest.raises(sh.DtypeError, match="does not fit"):
        dev.tensor([1, 2]).pad(1, 0.5)
    np.testing.assert_array_equal(dev.tensor([1, 2]).pad(1, 7.0).numpy(), [7, 1, 2, 7])


# ---------------------------------------------------------------- basic indexing

KEYS: list[Any] = [
    0,
    -1,
    (1, 2),
    (slice(None), 1),
    (slice(1, None), slice(None, None, 2)),
    (Ellipsis, 0),
    (None, 0, Ellipsis, None),
    (slice(None), None, slice(0, 1)),
    (1, 2, 3),
    (slice(5, 10),),
    (Ellipsis,),
    (),
    (slice(None, None, 3), Ellipsis, slice(-2, None)),
]


@pytest.mark.parametrize("key", KEYS, ids=repr)
@pytest.mark.parametrize("dtype", DTYPES)
def test_getitem_matches_torch(key: Any, dtype: Any) -> None:
    check(lambda t: t[key], lambda t: t[key], arrays((2, 3, 4), dtype))
    check(lambda t: t[key], lambda t: t[key], noncontiguous((2, 3, 4), dtype))


@given(shapes(min_dims=1, max_dims=3), float_dtypes, st.data())
def test_getitem_slices_hypothesis(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    key = tuple(
        slice(
            data.draw(st.none() | st.integers(-6, 6)),
            data.draw(st.none() | st.integers(-6, 6)),
            data.draw(st.none() | st.integers(1, 3)),
        )
        for _ in shape
    )
    check(lambda t: t[key], lambda t: t[key], arrays(shape, dtype))


def test_getitem_rank0_and_views() -> None:
    check(lambda t: t[...], lambda t: t[...], arrays(()))
    check(lambda t: t[None], lambda t: t[None], arrays(()))
    x = dev.tensor(arrays((2, 3)))
    item = x[1, 2]
    assert item.shape == () and np.shares_memory(item._data, x._data)
    assert np.shares_memory(x[:, ::2]._data, x._data)
    assert x[np.int64(1)].shape == (3,)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "key",
    [(slice(None, None, -1),), (slice(None), slice(None, None, -2)), (slice(-1, 0, -1), 1)],
    ids=repr,
)
def test_getitem_negative_steps(key: Any, dtype: Any) -> None:
    a = noncontiguous((3, 4), dtype)
    expected = a[key]
    upstream = np.random.default_rng(3).standard_normal(expected.shape).astype(dtype)
    out, grad = traced_grad(lambda x: x[key], a, upstream)
    np.testing.assert_array_equal(out, expected)
    hand = np.zeros_like(a)
    hand[key] = upstream  # each selected element receives its upstream value
    np.testing.assert_array_equal(grad, hand)
    assert out.dtype == dtype and grad.dtype == dtype


def test_getitem_errors() -> None:
    x = dev.tensor(arrays((2, 3)))
    with pytest.raises(sh.ShapeError, match=r"index 3 is out of range for axis 1.*-3..2"):
        x[0, 3]
    with pytest.raises(sh.ShapeError, match="too many indices"):
        x[0, 0, 0]
    assert x[[0, 1]].shape == (2, 3)  # a list is an integer index (tests/test_ops_indexing.py)
    with pytest.raises(sh.ShapeError, match="take"):
        x[True]
    with pytest.raises(sh.ShapeError, match="only one"):
        x[..., 0, ...]


# ---------------------------------------------------------------- VJPs leave g alone


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.reshape(-1),
        lambda x: x.flatten(),
        lambda x: x.permute(1, 0, 2),
        lambda x: x.transpose(0, 2),
        lambda x: x.mT,
        lambda x: x.unsqueeze(0),
        lambda x: x.squeeze(),
        lambda x: x.broadcast_to((2, 2, 3, 4)),
        lambda x: x.take(dev.tensor([1, 1, 0]), 2),
        lambda x: x.take(dev.tensor([1, 1, 0])),
        lambda x: x.pad(((1, 0), (0, 2), (1, 1))),
        lambda x: x[:, ::-1, 1],
    ],
)
def test_vjps_do_not_mutate_g(fn: Any) -> None:
    x = dev.tensor(arrays((2, 3, 4))).traced(sh.Gradients())
    out = fn(x)
    tape = out._tape.root()
    vjp = tape.records[-1][-1]
    g = np.random.default_rng(0).standard_normal(out.shape)
    before = g.copy()
    (grad,) = vjp(g, (True,))
    np.testing.assert_array_equal(g, before)
    assert grad.shape == (2, 3, 4) and grad.dtype == g.dtype


def test_chained_movement_ops() -> None:
    def torch_fn(t: torch.Tensor) -> torch.Tensor:
        return F.pad(t.permute(2, 0, 1)[1:, None, :, ::2].flatten(2), (1, 0)).squeeze(1).mT

    def ours(t: Any) -> Any:
        return (
            t.permute(2, 0, 1)[1:, None, :, ::2]
            .flatten(2)
            .pad(((0, 0), (0, 0), (1, 0)))
            .squeeze(1)
            .mT
        )

    check(torch_fn, ours, arrays((2, 3, 4)))
