"""Advanced indexing, gather/scatter, masks and creation against torch: values and gradients."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from tests.oracle import arrays, check, float_dtypes, shapes

dev = sh.Cpu()
DTYPES = [np.float64, np.float32]


def indices(data: st.DataObject, shape: tuple[int, ...], size: int, *, low: int = 0) -> np.ndarray:
    """Int64 indices of `shape` into an axis of `size` (from `low`: -size lets them wrap)."""
    if size == 0:
        return np.zeros(shape, dtype=np.int64)
    seed = data.draw(st.integers(0, 2**16))
    return np.random.default_rng(seed).integers(low, size, shape).astype(np.int64)


def smaller(data: st.DataObject, shape: tuple[int, ...], free: int | None) -> tuple[int, ...]:
    """A shape no larger than `shape` on every axis (axis `free` any size up to 4)."""
    dims = []
    for d, n in enumerate(shape):
        dims.append(data.draw(st.integers(0, 4 if d == free else n)))
    return tuple(dims)


# ---------------------------------------------------------------- x[idx], x[mask]


@given(shapes(min_dims=1, max_dims=3), float_dtypes, st.data())
def test_index_with_an_integer_tensor_matches_torch(
    shape: tuple[int, ...], dtype: Any, data: st.DataObject
) -> None:
    a = arrays(shape, dtype)
    axis = data.draw(st.integers(0, len(shape) - 1))
    idx_shape = data.draw(shapes(max_dims=2, max_side=3))
    if shape[axis] == 0:
        idx_shape = (0,)
    idx = indices(data, idx_shape, shape[axis], low=-shape[axis])
    lead = (slice(None),) * axis
    check(lambda t, i: t[(*lead, i)], lambda t, i: t[(*lead, i)], a, idx)


@given(shapes(min_dims=2, max_dims=4, max_side=4), float_dtypes, st.data())
def test_index_with_several_tensors_and_ints_matches_torch(
    shape: tuple[int, ...], dtype: Any, data: st.DataObject
) -> None:
    a = arrays(shape, dtype)
    key: list[Any] = []
    for n in shape:
        kind = data.draw(st.sampled_from(["slice", "int", "tensor", "list"] if n else ["slice"]))
        if kind == "int":
            key.append(data.draw(st.integers(-n, n - 1)))
        elif kind == "tensor":
            key.append(indices(data, (2,), n, low=-n))
        elif kind == "list":
            key.append([data.draw(st.integers(-n, n - 1)) for _ in range(2)])
        else:
            key.append(slice(None, None, data.draw(st.sampled_from([1, 2]))))
    tensors = [i for i, k in enumerate(key) if isinstance(k, np.ndarray)]

    def ours(t: Any, *idx: Any) -> Any:
        parts = list(key)
        for pos, i in zip(tensors, idx):
            parts[pos] = i
        return t[tuple(parts)]

    check(ours, ours, a, *(key[i] for i in tensors))


@given(shapes(min_dims=1, max_dims=3), float_dtypes, st.data())
def test_index_with_a_mask_matches_torch(
    shape: tuple[int, ...], dtype: Any, data: st.DataObject
) -> None:
    a = arrays(shape, dtype)
    start = data.draw(st.integers(0, len(shape) - 1))
    end = data.draw(st.integers(start + 1, len(shape)))
    seed = data.draw(st.integers(0, 99))
    mask = np.random.default_rng(seed).random(shape[start:end]) > 0.5
    lead = (slice(None),) * start
    check(lambda t, m: t[(*lead, m)], lambda t, m: t[(*lead, m)], a, mask)


@pytest.mark.parametrize("dtype", DTYPES)
def test_index_forms_match_torch(dtype: Any) -> None:
    a = arrays((2, 3, 4), dtype)
    i, j = np.array([1, 0, 1]), np.array([[0, 3], [2, 2]])
    check(lambda t: t[0, :, [0, 1]], lambda t: t[0, :, [0, 1]], a)  # ints select first
    check(lambda t: t[[0, 1], :, 0], lambda t: t[[0, 1], :, 0], a)
    check(lambda t, i: t[i, ..., i], lambda t, i: t[i, ..., i], a, i)
    check(lambda t, j: t[:, None, :, j], lambda t, j: t[:, None, :, j], a, j)
    check(lambda t: t[t > 0], lambda t: t[t > 0], a)
    check(lambda t: t[[True, False]], lambda t: t[[True, False]], a)
    check(lambda t, j: t[1, j], lambda t, j: t[1, j], a, np.array([[2, 0]]))
    check(lambda t, k: t[k], lambda t, k: t[k], a, np.array(1))  # a 0-d index is an int
    check(lambda t: t[[]], lambda t: t[[]], a)


def test_index_errors() -> None:
    x = dev.randn((2, 3))
    with pytest.raises(sh.ShapeError, match="index 3 is out of range for axis 1 of size 3"):
        x[:, dev.tensor([0, 3])]
    with pytest.raises(sh.ShapeError, match=r"shapes \(2,\) and \(3,\) do not broadcast"):
        x[dev.tensor([0, 1]), dev.tensor([0, 1, 2])]
    with pytest.raises(sh.ShapeError, match=r"mask of shape \(3,\) does not match"):
        x[dev.tensor([True, False, True])]
    with pytest.raises(sh.DtypeError, match="must be integers"):
        x[dev.tensor([0.0, 1.0])]


# ---------------------------------------------------------------- gather and friends


@given(shapes(min_dims=1, max_dims=3), float_dtypes, st.data())
def test_gather_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    idx_shape = smaller(data, shape, axis % len(shape))
    if shape[axis] == 0:
        idx_shape = (*idx_shape[: axis % len(shape)], 0, *idx_shape[axis % len(shape) + 1 :])
    idx = indices(data, idx_shape, shape[axis])
    check(lambda t, i: t.gather(axis, i), lambda t, i: t.gather(axis, i), arrays(shape, dtype), idx)


@given(shapes(min_dims=1, max_dims=3, min_side=1), float_dtypes, st.data())
def test_take_along_axis_matches_torch(
    shape: tuple[int, ...], dtype: Any, data: st.DataObject
) -> None:
    axis = data.draw(st.integers(0, len(shape) - 1))
    # other axes: the tensor's size or 1 (broadcast); the indexed axis any size
    idx_shape = tuple(
        data.draw(st.integers(0, 4)) if d == axis else data.draw(st.sampled_from([1, n]))
        for d, n in enumerate(shape)
    )
    idx = indices(data, idx_shape, shape[axis], low=-shape[axis])
    # the tensor may broadcast too: some of its other axes of size 1
    shape = tuple(
        n if d == axis else data.draw(st.sampled_from([1, n])) for d, n in enumerate(shape)
    )
    check(
        lambda t, i: torch.take_along_dim(t, i, axis),
        lambda t, i: t.take_along_axis(i, axis),
        arrays(shape, dtype),
        idx,
    )


@given(shapes(min_dims=1, max_dims=3), float_dtypes, st.data())
def test_index_select_matches_torch(
    shape: tuple[int, ...], dtype: Any, data: st.DataObject
) -> None:
    axis = data.draw(st.integers(0, len(shape) - 1))
    count = data.draw(st.integers(0, 5)) if shape[axis] else 0
    idx = indices(data, (count,), shape[axis])
    check(
        lambda t, i: t.index_select(axis, i),
        lambda t, i: t.index_select(axis, i),
        arrays(shape, dtype),
        idx,
    )


@given(shapes(min_dims=1, max_dims=3), float_dtypes, st.data())
def test_scatter_add_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    axis = data.draw(st.integers(0, len(shape) - 1))
    idx_shape = smaller(data, shape, axis)
    if shape[axis] == 0:
        idx_shape = (*idx_shape[:axis], 0, *idx_shape[axis + 1 :])
    idx = indices(data, idx_shape, shape[axis])  # repeated indices add up
    check(
        lambda t, i, s: t.scatter_add(axis, i, s),
        lambda t, i, s: t.scatter_add(axis, i, s),
        arrays(shape, dtype),
        idx,
        arrays(idx_shape, dtype, seed=1),
    )
    # src may be larger than the index (torch's backward then fails: values only)
    src_shape = tuple(n + data.draw(st.integers(0, 1)) for n in idx_shape)
    check(
        lambda t, i, s: t.scatter_add(axis, i, s),
        lambda t, i, s: t.scatter_add(axis, i, s),
        arrays(shape, dtype),
        idx,
        arrays(src_shape, dtype, seed=1),
        grad=False,
    )


@settings(max_examples=30)
@given(shapes(min_dims=1, max_dims=3), float_dtypes, st.data())
def test_scatter_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    axis = data.draw(st.integers(0, len(shape) - 1))
    idx_shape = smaller(data, shape, None)  # no larger than the axis: indices can be unique
    seed = data.draw(st.integers(0, 99))
    # torch leaves repeated indices undefined: a distinct index per place along the axis
    order = np.argsort(np.random.default_rng(seed).random(shape), axis=axis)
    idx = order[tuple(slice(0, n) for n in idx_shape)].astype(np.int64)
    src = arrays(idx_shape, dtype, seed=1)
    check(
        lambda t, i, s: t.scatter(axis, i, s),
        lambda t, i, s: t.scatter(axis, i, s),
        arrays(shape, dtype),
        idx,
        src,
    )
    check(
        lambda t, i: t.scatter(axis, i, 2.5),
        lambda t, i: t.scatter(axis, i, 2.5),
        arrays(shape, dtype),
        idx,
    )


def test_gather_and_scatter_errors() -> None:
    m = dev.randn((3, 4))
    with pytest.raises(sh.ShapeError, match="gather: index -1 is out of range for axis 0"):
        m.gather(0, dev.tensor([[-1, 0, 0, 0]]))
    with pytest.raises(sh.ShapeError, match="index_select: index 3 is out of range"):
        m.index_select(0, dev.tensor([3]))
    with pytest.raises(sh.DtypeError, match="integer tensor"):
        m.gather(0, dev.tensor([[0.0]]))
    with pytest.raises(sh.DtypeError, match="dtypes differ"):
        m.scatter_add(0, dev.tensor([[0]]), dev.randn((1, 1), dtype=sh.Float64))
    with pytest.raises(TypeError, match="src must be a tensor"):
        m.scatter_add(0, dev.tensor([[0]]), 1.0)  # type: ignore[call-overload]


# ---------------------------------------------------------------- masks


@given(shapes(max_dims=3), float_dtypes, st.data())
def test_masked_fill_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(shape)))  # the mask covers trailing axes, some of size 1
    mask_shape = tuple(data.draw(st.sampled_from([1, n])) for n in shape[cut:])
    mask = np.random.default_rng(data.draw(st.integers(0, 99))).random(mask_shape) > 0.5
    value = data.draw(st.sampled_from([0.0, -1.5, float("-inf")]))
    check(
        lambda t, m: t.masked_fill(m, value),
        lambda t, m: t.masked_fill(m, value),
        arrays(shape, dtype),
        mask,
    )


def test_masked_fill_ints_and_errors() -> None:
    ints = np.array([[1, 2], [3, 4]])
    check(lambda t: t.masked_fill(t > 2, 0), lambda t: t.masked_fill(t > 2, 0), ints)
    x = dev.randn((2, 3))
    with pytest.raises(sh.ShapeError, match="does not broadcast to the tensor's shape"):
        x.masked_fill(dev.randn((2, 2, 3)) > 0, 0.0)
    with pytest.raises(sh.DtypeError, match="mask must be a Bool tensor"):
        x.masked_fill(x, 0.0)  # type: ignore[arg-type]


def test_where_takes_python_numbers() -> None:
    a = arrays((3, 4))
    check(lambda t: torch.where(t > 0, t, 0.0), lambda t: sh.where(t > 0, t, 0.0), a)
    check(lambda t: torch.where(t > 0, 1.0, t), lambda t: sh.where(t > 0, 1.0, t), a)


@given(shapes(max_dims=3), st.sampled_from([np.float64, np.float32, np.int64, np.bool_]))
def test_nonzero_matches_torch(shape: tuple[int, ...], dtype: Any) -> None:
    a = (np.random.default_rng(0).random(shape) > 0.5).astype(dtype)
    check(torch.nonzero, lambda t: t.nonzero(), a, grad=False)


# ---------------------------------------------------------------- creation


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_like_creators_match_torch(dtype: Any) -> None:
    a = np.ones((2, 0, 3) if dtype is np.int64 else (2, 3), dtype=dtype)
    check(torch.zeros_like, dev.zeros_like, a, grad=False)
    check(torch.ones_like, dev.ones_like, a, grad=False)
    check(lambda t: torch.full_like(t, 7), lambda t: dev.full_like(t, 7), a, grad=False)
    check(
        lambda t: torch.zeros_like(t, dtype=torch.float64),
        lambda t: dev.zeros_like(t, sh.Float64),
        a,
        grad=False,
    )
    check(lambda t: t.new_zeros((4, 1)), lambda t: t.new_zeros((4, 1)), a, grad=False)
    check(lambda t: t.new_ones((0, 2)), lambda t: t.new_ones((0, 2)), a, grad=False)
    check(lambda t: t.new_full((3,), 2), lambda t: t.new_full((3,), 2), a, grad=False)


@pytest.mark.parametrize("dtype", [sh.Float64, sh.Float32])
def test_sampled_like(dtype: Any) -> None:
    x = dev.zeros((500, 4), dtype=dtype)
    for sample in (dev.randn_like(x), dev.rand_like(x)):
        assert sample.shape == (500, 4) and sample.dtype is dtype
    assert 0.0 <= dev.rand_like(x).numpy().min() and dev.rand_like(x).numpy().max() < 1.0
    assert abs(float(dev.randn_like(x).numpy().mean())) < 0.2
    with pytest.raises(sh.DtypeError, match="randn_like: needs a float dtype, got Int64"):
        dev.randn_like(dev.zeros((2,), dtype=sh.Int64))


@pytest.mark.parametrize("steps", [0, 1, 2, 7, 50])
def test_linspace_matches_torch(steps: int) -> None:
    for dtype, torch_dtype in ((sh.Float32, torch.float32), (sh.Float64, torch.float64)):
        ours = dev.linspace(-1.5, 3.0, steps, dtype).numpy()
        theirs = torch.linspace(-1.5, 3.0, steps, dtype=torch_dtype).numpy()
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)
    with pytest.raises(sh.ShapeError, match="steps must be at least 0"):
        dev.linspace(0.0, 1.0, -1)


def test_empty_randint_randperm() -> None:
    assert dev.empty((2, 0)).shape == (2, 0) and dev.empty((3,), sh.Int64).dtype is sh.Int64
    ints = dev.randint(-3, 5, (1000,))
    theirs = torch.randint(-3, 5, (1000,))
    assert ints.numpy().dtype == theirs.numpy().dtype
    assert ints.numpy().min() == -3 and ints.numpy().max() == 4
    assert dev.randint(0, 2, (2, 0)).shape == (2, 0)
    order = dev.randperm(20)
    assert order.numpy().dtype == torch.randperm(20).numpy().dtype
    assert sorted(order.tolist()) == list(range(20)) and dev.randperm(0).shape == (0,)
    assert sh.Cpu(seed=3).randperm(10).tolist() == sh.Cpu(seed=3).randperm(10).tolist()
    with pytest.raises(ValueError, match="low < high"):
        dev.randint(3, 3, (2,))


# ---------------------------------------------------------------- counting, one-hot, sampling


@given(shapes(max_dims=3), st.integers(1, 6), st.data())
def test_one_hot_matches_torch(shape: tuple[int, ...], classes: int, data: st.DataObject) -> None:
    idx = indices(data, shape, classes)
    check(
        lambda t: torch.nn.functional.one_hot(t, classes),
        lambda t: sh.nn.functional.one_hot(t, classes),
        idx,
    )
    if idx.size:
        check(torch.nn.functional.one_hot, sh.nn.functional.one_hot, idx)


def test_one_hot_errors() -> None:
    with pytest.raises(sh.ShapeError, match="index 3 is out of range"):
        sh.nn.functional.one_hot(dev.tensor([0, 3]), 3)
    with pytest.raises(sh.ShapeError, match="cannot infer the number of classes"):
        sh.nn.functional.one_hot(dev.zeros((0,), dtype=sh.Int64))
    with pytest.raises(sh.DtypeError, match="must be an Int64 tensor"):
        sh.nn.functional.one_hot(dev.zeros((2,)), 3)  # type: ignore[arg-type]


@given(st.integers(0, 30), st.integers(0, 8), float_dtypes, st.data())
def test_bincount_matches_torch(size: int, minlength: int, dtype: Any, data: st.DataObject) -> None:
    values = indices(data, (size,), 6)
    check(torch.bincount, lambda t: t.bincount(), values)
    check(
        lambda t: torch.bincount(t, minlength=minlength),
        lambda t: t.bincount(minlength=minlength),
        values,
    )
    if not size:  # torch gives Int64 for empty input with weights; shaped keeps their dtype
        return
    check(
        lambda t, w: torch.bincount(t, w, minlength),
        lambda t, w: t.bincount(w, minlength),
        values,
        arrays((size,), dtype),
        grad=False,
    )


@given(shapes(max_dims=3), st.sampled_from([np.float64, np.float32, np.int64]))
def test_unique_matches_torch(shape: tuple[int, ...], dtype: Any) -> None:
    a = np.random.default_rng(0).integers(-3, 3, shape).astype(dtype)
    check(torch.unique, lambda t: t.unique(), a, grad=False)


def test_bincount_errors() -> None:
    with pytest.raises(sh.ShapeError, match="needs a 1-D tensor"):
        dev.zeros((2, 2), dtype=sh.Int64).bincount()
    with pytest.raises(ValueError, match="must not be negative"):
        dev.tensor([1, -1]).bincount()
    with pytest.raises(sh.DtypeError, match="integer tensor"):
        dev.zeros((2,)).bincount()


@pytest.mark.parametrize("replacement", [True, False])
def test_multinomial_draws_like_torch(replacement: bool) -> None:
    weights = np.array([[1.0, 0.0, 6.0, 3.0]] * 4000)
    ours = dev.multinomial(dev.tensor(weights), 2, replacement).numpy()
    theirs = torch.multinomial(torch.tensor(weights), 2, replacement).numpy()
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    assert not (ours == 1).any()  # a zero weight is never drawn
    first = np.bincount(ours[:, 0], minlength=4) / len(ours)
    expected = np.bincount(theirs[:, 0], minlength=4) / len(theirs)
    np.testing.assert_allclose(first, expected, atol=0.04)
    if not replacement:
        assert (ours[:, 0] != ours[:, 1]).all()
    one = dev.multinomial(dev.tensor([0.2, 0.8]), 5, replacement=True)
    assert one.shape == (5,) and one.numpy().max() <= 1
    with pytest.raises(sh.ShapeError, match="without replacement"):
        dev.multinomial(dev.tensor([0.2, 0.8]), 3)
    with pytest.raises(ValueError, match="positive sum"):
        dev.multinomial(dev.zeros((3,)), 1)


def test_torch_dim_keyword() -> None:
    a, grid = arrays((3, 4)), np.array([[0, 1, 2, 0], [2, 2, 1, 0]])
    check(lambda t, i: t.gather(dim=0, index=i), lambda t, i: t.gather(dim=0, index=i), a, grid)
    check(
        lambda t, i: t.index_select(dim=1, index=i[0]),
        lambda t, i: t.index_select(dim=1, index=i[0]),
        a,
        grid,
    )
    src = arrays((2, 4), seed=1)
    check(
        lambda t, i, s: t.scatter_add(dim=0, index=i, src=s),
        lambda t, i, s: t.scatter_add(dim=0, index=i, src=s),
        a,
        grid,
        src,
    )
    with pytest.raises(TypeError, match="give axis or dim, not both"):
        dev.tensor(a).gather(0, dev.tensor(grid), dim=0)  # type: ignore[call-overload]


@pytest.mark.parametrize("dtype", DTYPES)
def test_non_contiguous_and_rank0_inputs(dtype: Any) -> None:
    strided = arrays((3, 8), dtype)[:, ::2]  # a (3, 4) view with a stride
    grid = np.array([[0, 1, 2, 0], [2, 2, 1, 0]])
    check(lambda t, i: t.gather(0, i), lambda t, i: t.gather(0, i), strided, grid)
    check(lambda t, i: t[i], lambda t, i: t[i], strided, grid)
    check(lambda t: t[t > 0], lambda t: t[t > 0], strided)
    check(lambda t: t.masked_fill(t < 0, 1.0), lambda t: t.masked_fill(t < 0, 1.0), strided)
    check(
        lambda t, i, s: t.scatter_add(1, i, s),
        lambda t, i, s: t.scatter_add(1, i, s),
        strided,
        grid[:, :2],
        strided[:2, ::2],
    )
    scalar, zero = arrays((), dtype), np.array(0)
    check(lambda t, i: t.gather(0, i), lambda t, i: t.gather(0, i), scalar, zero)
    check(lambda t: t.masked_fill(t > 9, 0.0), lambda t: t.masked_fill(t > 9, 0.0), scalar)
    check(lambda t: t[None][[0, 0]], lambda t: t[None][[0, 0]], scalar)
