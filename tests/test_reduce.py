"""Reductions against torch: values and gradients over any axes, ties, NaN, empty axes, dtypes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from shaped.tensor import Tensor
from tests.oracle import arrays, check, float_dtypes, shapes

dev = sh.Cpu(seed=0)
Fn = Callable[..., Any]
Axis = int | tuple[int, ...] | None


@st.composite
def shape_and_axis(draw: st.DrawFn, min_side: int = 0) -> tuple[tuple[int, ...], Axis]:
    """A shape and an axis: None, an int (maybe negative) or a non-empty tuple of distinct axes."""
    shape = draw(shapes(min_side=min_side))
    ndim = len(shape)
    if ndim == 0 or draw(st.booleans()):
        return shape, None
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    signed = [a - ndim if draw(st.booleans()) else a for a in axes]
    return shape, signed[0] if len(signed) == 1 and draw(st.booleans()) else tuple(signed)


def torch_dims(axis: Axis, ndim: int) -> tuple[int, ...]:
    """torch's dim for our axis (None means every axis)."""
    if axis is None:
        return tuple(range(ndim))
    return (axis,) if isinstance(axis, int) else axis


def sample(shape: tuple[int, ...], dtype: Any, seed: int, transposed: bool) -> np.ndarray:
    """Random values, optionally as a transposed (non-C-contiguous) view of the same shape."""
    if transposed and len(shape) >= 2:
        return arrays(shape[::-1], dtype, seed).T
    return arrays(shape, dtype, seed)


def tied(shape: tuple[int, ...], dtype: Any, seed: int) -> np.ndarray:
    """Values from {-1, 0, 1}: many exact ties."""
    return np.asarray(np.round(arrays(shape, dtype, seed, -1.4, 1.4)), dtype=dtype)


def empty_reduction(shape: tuple[int, ...], axis: Axis) -> bool:
    return any(shape[d] == 0 for d in torch_dims(axis, len(shape)))


# name: (torch reduction (t, dims, keepdim), our reduction (x, axis, keepdims), needs non-empty)
REDUCTIONS: dict[str, tuple[Fn, Fn, bool]] = {
    "sum": (lambda t, d, k: t.sum(d, keepdim=k), lambda x, a, k: x.sum(a, k), False),
    "mean": (lambda t, d, k: t.mean(d, keepdim=k), lambda x, a, k: x.mean(a, k), False),
    "max": (lambda t, d, k: t.amax(d, keepdim=k), lambda x, a, k: x.max(axis=a, keepdims=k), True),
    "min": (lambda t, d, k: t.amin(d, keepdim=k), lambda x, a, k: x.min(axis=a, keepdims=k), True),
    "var": (lambda t, d, k: t.var(d, keepdim=k), lambda x, a, k: x.var(a, k), False),
    "var_0": (
        lambda t, d, k: t.var(d, keepdim=k, correction=0),
        lambda x, a, k: x.var(a, k, correction=0),
        False,
    ),
    "var_2": (
        lambda t, d, k: t.var(d, keepdim=k, correction=2),
        lambda x, a, k: x.var(a, k, correction=2),
        False,
    ),
    "std": (lambda t, d, k: t.std(d, keepdim=k), lambda x, a, k: x.std(a, k), False),
    "std_0": (
        lambda t, d, k: t.std(d, keepdim=k, correction=0),
        lambda x, a, k: x.std(a, k, correction=0),
        False,
    ),
    "logsumexp": (
        lambda t, d, k: t.logsumexp(d, keepdim=k),
        lambda x, a, k: x.logsumexp(a, k),
        False,
    ),
}


def run(name: str, data: np.ndarray, axis: Axis, keepdims: bool, seed: int = 0) -> None:
    torch_fn, our_fn, nonempty = REDUCTIONS[name]
    dims = torch_dims(axis, data.ndim)
    if nonempty and empty_reduction(data.shape, axis):
        with pytest.raises(sh.ShapeError, match="size 0"):
            our_fn(dev.tensor(data), axis, keepdims)
        return
    if axis is None and name.startswith(("var", "std")):
        dims = None  # type: ignore[assignment]  # torch's full-reduction gradient rule differs
    check(
        lambda t: torch_fn(t, dims, keepdims), lambda x: our_fn(x, axis, keepdims), data, seed=seed
    )


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # var with N <= correction is inf or NaN
@pytest.mark.filterwarnings("ignore::UserWarning")  # torch warns about the same
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@settings(max_examples=30)
@given(
    case=shape_and_axis(),
    keepdims=st.booleans(),
    dtype=float_dtypes,
    transposed=st.booleans(),
    seed=st.integers(0, 99),
)
def test_reductions(
    name: str,
    case: tuple[tuple[int, ...], Axis],
    keepdims: bool,
    dtype: Any,
    transposed: bool,
    seed: int,
) -> None:
    shape, axis = case
    run(name, sample(shape, dtype, seed, transposed), axis, keepdims, seed)


@pytest.mark.parametrize("name", ["max", "min"])
@settings(max_examples=30)
@given(
    case=shape_and_axis(min_side=1),
    keepdims=st.booleans(),
    dtype=float_dtypes,
    seed=st.integers(0, 99),
)
def test_max_min_ties_share_the_gradient(
    name: str, case: tuple[tuple[int, ...], Axis], keepdims: bool, dtype: Any, seed: int
) -> None:
    shape, axis = case
    run(name, tied(shape, dtype, seed), axis, keepdims, seed)


# max and min with NaN: tests/test_values.py; numpy's warnings stay inside shaped, as torch's
@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "logsumexp"])
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
def test_nan_flows_through_like_torch(name: str, axis: Axis) -> None:
    x = np.array([[1.0, np.nan, 3.0], [2.0, 2.0, -1.0]])
    run(name, x, axis, False)
    run(name, x, axis, True)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # N <= correction: inf and NaN, as torch
@pytest.mark.filterwarnings("ignore::UserWarning")  # torch warns about the same
@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("correction", [0, 1, 2, 3])
@pytest.mark.parametrize("shape", [(1,), (2,), (3, 1), (2, 2), (0,), (2, 0)])
def test_var_std_small_counts(name: str, correction: int, shape: tuple[int, ...]) -> None:
    x = arrays(shape)
    for axis in (None, -1, 0):
        dims = None if axis is None else torch_dims(axis, len(shape))
        check(
            lambda t: getattr(t, name)(dims, correction=correction),  # noqa: B023
            lambda t: getattr(t, name)(axis, correction=correction),  # noqa: B023
            x,
        )


@pytest.mark.parametrize("correction", [0, 1])
def test_std_of_constant_rows_has_zero_gradient(correction: int) -> None:
    x = np.array([[1.5, 1.5, 1.5], [0.0, 1.0, 2.0]])
    check(lambda t: t.std(1, correction=correction), lambda t: t.std(1, correction=correction), x)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # log(0) for the -inf row, as torch
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_logsumexp_is_stable_and_handles_infinities(dtype: Any) -> None:
    x = np.array(
        [
            [1000.0, 1000.0, -1000.0],
            [-1000.0, -999.0, -1001.0],
            [-np.inf, -np.inf, -np.inf],
            [np.inf, 1.0, 2.0],
            [-np.inf, 0.0, 1.0],
        ],
        dtype=dtype,
    )
    for axis in (1, (0, 1)):
        dims = torch_dims(axis, 2)
        check(lambda t: t.logsumexp(dims), lambda t: t.logsumexp(axis), x)  # noqa: B023
    check(lambda t: t.logsumexp(1), lambda t: t.logsumexp(1), x[:2])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the oracle sums -inf with +inf
def test_logsumexp_over_an_empty_axis_is_minus_inf() -> None:
    x = np.zeros((2, 0))
    check(lambda t: t.logsumexp(1), lambda t: t.logsumexp(1), x)
    check(lambda t: t.logsumexp(0), lambda t: t.logsumexp(0), x)


# ---------------------------------------------------------------- argmax, argmin


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@settings(max_examples=30)
@given(
    shape=shapes(min_side=1),
    data=st.data(),
    keepdims=st.booleans(),
    dtype=float_dtypes,
    ties=st.booleans(),
    seed=st.integers(0, 99),
)
def test_argmax_argmin(
    name: str,
    shape: tuple[int, ...],
    data: st.DataObject,
    keepdims: bool,
    dtype: Any,
    ties: bool,
    seed: int,
) -> None:
    x = tied(shape, dtype, seed) if ties else sample(shape, dtype, seed, transposed=True)
    axis = data.draw(st.none() | st.integers(-len(shape), len(shape) - 1)) if shape else None
    check(
        lambda t: getattr(t, name)(axis, keepdim=keepdims),
        lambda t: getattr(t, name)(axis, keepdims),
        x,
    )
    out = getattr(dev.tensor(x).trace(), name)(axis, keepdims)
    assert out.dtype is sh.Int64 and out._tape is None


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin_first_of_ties_and_nan(name: str) -> None:
    x = np.array([[1.0, 3.0, 3.0, -1.0, -1.0], [0.0, np.nan, 5.0, np.nan, -9.0]])
    for axis in (None, 0, 1, -1):
        check(lambda t: getattr(t, name)(axis), lambda t: getattr(t, name)(axis), x)  # noqa: B023


@pytest.mark.parametrize("name", ["argmax", "argmin", "max", "min"])
def test_empty_reductions_without_identity_raise(name: str) -> None:
    x = dev.tensor(np.zeros((3, 0)))
    with pytest.raises(sh.ShapeError, match="size 0"):
        getattr(x, name)(axis=1)
    with pytest.raises(sh.ShapeError, match="size 0"):
        getattr(x, name)()
    assert getattr(x, name)(axis=0).shape == (0,)


# ---------------------------------------------------------------- dtypes and errors


@pytest.mark.parametrize("dtype", [np.bool_, np.int64, np.int32])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_sum_of_bools_and_ints_is_int64(dtype: Any, axis: Axis) -> None:
    x = np.array([[1, 0, 1], [1, 1, 0]]).astype(dtype)
    check(lambda t: t.sum(axis), lambda t: t.sum(axis), x)
    assert dev.tensor(x).sum(axis).dtype is sh.Int64


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_max_min_argmax_of_ints(dtype: Any) -> None:
    x = np.array([[3, -1, 3], [0, 2, 2]]).astype(dtype)
    for axis in (None, 0, 1):
        check(lambda t: t.amax(torch_dims(axis, 2)), lambda t: t.max(axis=axis), x)  # noqa: B023
        check(lambda t: t.amin(torch_dims(axis, 2)), lambda t: t.min(axis=axis), x)  # noqa: B023
        if dtype is not np.bool_:  # torch has no argmax for bools
            check(lambda t: t.argmax(axis), lambda t: t.argmax(axis), x)  # noqa: B023


@pytest.mark.parametrize("name", ["mean", "var", "std", "logsumexp"])
def test_float_only_reductions_refuse_ints(name: str) -> None:
    with pytest.raises(sh.DtypeError, match=r"\.to\("):
        getattr(dev.tensor([1, 2, 3]), name)(0)


@pytest.mark.parametrize(
    "name", ["sum", "mean", "max", "min", "var", "std", "logsumexp", "argmax", "argmin"]
)
@pytest.mark.parametrize("axis", [2, -3, (0, 5)])
def test_out_of_range_axis_raises(name: str, axis: Axis) -> None:
    if name.startswith("arg") and isinstance(axis, tuple):
        return  # argmax takes one axis
    with pytest.raises(sh.ShapeError, match="out of range"):
        getattr(dev.tensor(arrays((2, 3))), name)(axis)


@pytest.mark.parametrize("name", ["sum", "max", "var", "logsumexp"])
def test_repeated_axis_raises(name: str) -> None:
    with pytest.raises(sh.ShapeError, match="repeats"):
        getattr(dev.tensor(arrays((2, 3))), name)((1, -1))


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "var", "std"])
def test_full_reduction_results_behave_as_tensors(name: str) -> None:
    x = arrays((3, 4))
    grads = sh.Gradients()
    xt = dev.tensor(x).traced(grads)
    r = getattr(xt, name)()
    assert r.shape == () and r.numpy().shape == () and r.numpy().dtype == np.float64
    assert isinstance(r.item(), float)
    loss = (r * 2.0 + 1.0).square()
    loss.backward()
    tx = torch.tensor(x, requires_grad=True)
    ref = getattr(tx, "amax" if name == "max" else "amin" if name == "min" else name)()
    (ref * 2.0 + 1.0).square().backward()
    np.testing.assert_allclose(loss.numpy(), ((ref * 2.0 + 1.0) ** 2).detach().numpy(), rtol=1e-12)
    assert tx.grad is not None
    np.testing.assert_allclose(grads[xt].numpy(), tx.grad.numpy(), rtol=1e-9)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "var", "std", "logsumexp"])
def test_float32_gradients_stay_float32(name: str) -> None:
    grads = sh.Gradients()
    x = dev.tensor(arrays((3, 4), np.float32)).traced(grads)
    out = getattr(x, name)(axis=1)
    assert out.dtype is sh.Float32
    out.sum().backward()
    assert grads[x].dtype is sh.Float32


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "var", "std", "logsumexp"])
def test_strided_view_input(name: str) -> None:
    """Data that is a strided slice in memory (not a copy) reduces like its contiguous copy."""
    big = arrays((5, 8))
    view = big[::2, 1::3]
    grads = sh.Gradients()
    xt = Tensor._wrap(view, dev).traced(grads)
    tx = torch.tensor(np.ascontiguousarray(view), requires_grad=True)
    torch_fn, our_fn, _ = REDUCTIONS[name]
    out = our_fn(xt, 0, False)
    ref = torch_fn(tx, (0,), False)
    (out * out).sum().backward()
    (ref * ref).sum().backward()
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-12)
    assert tx.grad is not None
    np.testing.assert_allclose(grads[xt].numpy(), tx.grad.numpy(), rtol=1e-9)
