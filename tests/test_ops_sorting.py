"""Sorting, scans and the reductions added for issue 11 against torch: values and gradients.

prod, any, all, x.max(dim)/x.min(dim) (the pair), sort, argsort, topk, cumsum, cumprod, and
the reductions over axis 0 or -1 of a rank-0 tensor that torch accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from tests.oracle import arrays, check, float_dtypes, shapes
from tests.test_reduce import shape_and_axis, torch_dims

dev = sh.Cpu(seed=0)
Fn = Callable[..., Any]


@st.composite
def shape_and_dim(draw: st.DrawFn, min_side: int = 0) -> tuple[tuple[int, ...], int]:
    """A shape and one axis of it, maybe negative (0 or -1 for rank 0, as torch allows)."""
    shape = draw(shapes(min_side=min_side))
    ndim = max(len(shape), 1)
    axis = draw(st.integers(0, ndim - 1))
    return shape, axis - ndim if draw(st.booleans()) else axis


def distinct(shape: tuple[int, ...], dtype: Any, seed: int) -> np.ndarray:
    """Values without ties (a permutation of a range, scaled), so orders are unique."""
    n = int(np.prod(shape))
    values = np.random.default_rng(seed).permutation(n).astype(dtype) / 4 - n / 8
    return values.reshape(shape)


def with_zeros(shape: tuple[int, ...], dtype: Any, seed: int) -> np.ndarray:
    """Random values with some exact zeros (the awkward case for products)."""
    a = arrays(shape, dtype, seed, -2.0, 2.0)
    return np.where(np.random.default_rng(seed + 1).random(shape) < 0.25, 0, a).astype(dtype)


# ---------------------------------------------------------------- prod, any, all


def torch_prod(t: torch.Tensor, axis: Any, keepdim: bool) -> torch.Tensor:
    """torch's prod over several dims: one dim at a time, the last first."""
    if axis is None and not keepdim:
        return t.prod()
    for d in sorted((d % max(t.ndim, 1) for d in torch_dims(axis, t.ndim)), reverse=True):
        t = t.prod(d, keepdim=keepdim)
    return t


@settings(max_examples=60, deadline=None)
@given(shape_and_axis(), st.booleans(), float_dtypes, st.integers(0, 2**16), st.booleans())
def test_prod_matches_torch(
    sa: tuple[tuple[int, ...], Any], keepdims: bool, dtype: Any, seed: int, zeros: bool
) -> None:
    shape, axis = sa
    x = with_zeros(shape, dtype, seed) if zeros else arrays(shape, dtype, seed, 0.5, 1.5)
    check(lambda t: torch_prod(t, axis, keepdims), lambda a: a.prod(axis, keepdims), x)


def test_prod_gradient_with_one_and_two_zeros() -> None:
    x = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 4.0]])
    check(lambda t: t.prod(1), lambda a: a.prod((1,)), x)
    check(lambda t: t.prod(), lambda a: a.prod(), x[0])
    check(lambda t: t.prod(), lambda a: a.prod(), x[1])


def test_prod_of_ints_and_bools_is_int64() -> None:
    x = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32)
    check(lambda t: t.prod(1), lambda a: a.prod(axis=1), x)
    check(lambda t: t.prod(), lambda a: a.prod(), x > 2)


@settings(max_examples=40, deadline=None)
@given(shape_and_axis(), st.booleans(), st.integers(0, 2**16), st.sampled_from(["any", "all"]))
def test_any_all_match_torch(
    sa: tuple[tuple[int, ...], Any], keepdims: bool, seed: int, op: str
) -> None:
    shape, axis = sa
    x = with_zeros(shape, np.float64, seed)
    dims = torch_dims(axis, len(shape))
    ours = lambda a: getattr(a, op)(axis, keepdims)  # noqa: E731
    theirs = lambda t: getattr(t, op)(dims, keepdim=keepdims) if dims else t != 0  # noqa: E731
    if axis is None and not keepdims:
        theirs = lambda t: getattr(t, op)()  # noqa: E731
    check(theirs, ours, x, grad=False)
    check(theirs, ours, x > 0, grad=False)


# ---------------------------------------------------------------- rank 0: axis 0 and -1


RANK0: dict[str, tuple[Fn, Fn]] = {
    "sum": (lambda t, d: t.sum(d), lambda a, d: a.sum(d)),
    "mean": (lambda t, d: t.mean(d), lambda a, d: a.mean(axis=d)),
    "max": (lambda t, d: t.amax(d), lambda a, d: a.max(axis=d)),
    "min": (lambda t, d: t.amin(d), lambda a, d: a.min(axis=d)),
    "prod": (lambda t, d: torch_prod(t, d, False), lambda a, d: a.prod(d)),
    "logsumexp": (lambda t, d: t.logsumexp(d), lambda a, d: a.logsumexp(d)),
    "std": (lambda t, d: t.std(d, correction=0), lambda a, d: a.std(d, correction=0)),
}


@pytest.mark.parametrize("axis", [0, -1, (0,), (-1,)])
@pytest.mark.parametrize("op", sorted(RANK0))
def test_reductions_of_a_rank0_tensor_over_axis_0_or_minus_1(op: str, axis: Any) -> None:
    theirs, ours = RANK0[op]
    check(lambda t: theirs(t, axis), lambda a: ours(a, axis), np.array(1.5))


@pytest.mark.parametrize("op", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [0, -1])
def test_argmax_of_a_rank0_tensor_over_axis_0(op: str, axis: int) -> None:
    check(lambda t: getattr(t, op)(axis), lambda a: getattr(a, op)(axis), np.array(2.0))


@pytest.mark.parametrize("axis", [1, -2, (0, 0)])
def test_rank0_still_refuses_other_axes(axis: Any) -> None:
    x = dev.tensor(np.array(1.0))
    with pytest.raises(sh.ShapeError, match=r"sum: axis"):
        x.sum(axis)


# ---------------------------------------------------------------- x.max(dim): the pair


@settings(max_examples=60, deadline=None)
@given(
    shape_and_dim(min_side=1),
    st.booleans(),
    float_dtypes,
    st.integers(0, 2**16),
    st.sampled_from(["max", "min"]),
    st.booleans(),
)
def test_max_dim_gives_values_and_indices_as_torch(
    sd: tuple[tuple[int, ...], int], keepdim: bool, dtype: Any, seed: int, op: str, ties: bool
) -> None:
    shape, dim = sd
    x = (
        np.round(arrays(shape, dtype, seed, -1.4, 1.4)).astype(dtype)
        if ties
        else arrays(shape, dtype, seed)
    )
    check(
        lambda t: getattr(t, op)(dim, keepdim=keepdim).values,
        lambda a: getattr(a, op)(dim=dim, keepdim=keepdim).values,
        x,
    )
    check(
        lambda t: getattr(t, op)(dim, keepdim).indices,
        lambda a: getattr(a, op)(dim, keepdim).indices,
        x,
        grad=False,
    )


def test_max_dim_over_empty_rows_and_nan() -> None:
    x = np.zeros((0, 3))
    check(lambda t: t.max(1).values, lambda a: a.max(1).values, x)
    y = np.array([[1.0, np.nan, 3.0, np.nan], [2.0, 5.0, 1.0, 0.0]])
    check(lambda t: t.max(1).values, lambda a: a.max(1).values, y)
    check(lambda t: t.min(dim=1).indices, lambda a: a.min(dim=1).indices, y, grad=False)


def test_max_spellings_keep_their_meanings() -> None:
    x = dev.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
    values, indices = x.max(1)
    assert values.tolist() == [5.0, 6.0] and indices.tolist() == [1, 2]
    assert x.max(dim=1).indices.tolist() == [1, 2]
    assert x.max(axis=1).tolist() == [5.0, 6.0]  # numpy's spelling: the values
    assert x.max((0, 1)).tolist() == 6.0 and x.max().tolist() == 6.0
    assert x.max(axis=1, keepdims=True).shape == (2, 1)
    assert x.min(0, True).values.shape == (1, 3)
    with pytest.raises(TypeError, match="unexpected or repeated argument 'keepdims'"):
        x.max(1, keepdims=True)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="needs dim="):
        x.max(keepdim=True)  # type: ignore[call-overload]
    with pytest.raises(sh.ShapeError, match="cannot reduce over axis 0 of size 0"):
        dev.zeros((0, 2)).max(dim=0)


# ---------------------------------------------------------------- sort, argsort, topk


@settings(max_examples=60, deadline=None)
@given(shape_and_dim(), st.booleans(), float_dtypes, st.integers(0, 2**16))
def test_sort_and_argsort_match_torch(
    sd: tuple[tuple[int, ...], int], descending: bool, dtype: Any, seed: int
) -> None:
    shape, dim = sd
    x = distinct(shape, dtype, seed)
    check(
        lambda t: t.sort(dim, descending).values,
        lambda a: a.sort(dim, descending).values,
        x,
    )
    check(
        lambda t: t.sort(dim=dim, descending=descending).indices,
        lambda a: a.sort(dim=dim, descending=descending).indices,
        x,
        grad=False,
    )
    check(
        lambda t: t.argsort(dim, descending=descending),
        lambda a: a.argsort(axis=dim, descending=descending),
        x,
        grad=False,
    )


@pytest.mark.parametrize("descending", [False, True])
def test_sort_with_ties_and_nan_is_stable_as_torch_stable(descending: bool) -> None:
    x = np.array([[2.0, 1.0, 2.0, np.nan, 1.0, np.nan], [0.0, 0.0, -1.0, 3.0, 3.0, 0.0]])
    check(
        lambda t: t.sort(stable=True, dim=-1, descending=descending).indices,
        lambda a: a.sort(-1, descending=descending, stable=True).indices,
        x,
        grad=False,
    )
    check(
        lambda t: t.sort(stable=True, dim=-1, descending=descending).values,
        lambda a: a.sort(-1, descending=descending).values,
        x,
    )
    check(
        lambda t: t.argsort(stable=True, dim=-1, descending=descending),
        lambda a: a.argsort(-1, descending, stable=True),
        x,
        grad=False,
    )


@settings(max_examples=60, deadline=None)
@given(shape_and_dim(), st.data(), st.booleans(), float_dtypes, st.integers(0, 2**16))
def test_topk_matches_torch(
    sd: tuple[tuple[int, ...], int], data: st.DataObject, largest: bool, dtype: Any, seed: int
) -> None:
    shape, dim = sd
    size = shape[dim] if shape else 1
    k = data.draw(st.integers(0, size))
    x = distinct(shape, dtype, seed)
    check(
        lambda t: t.topk(k, dim, largest=largest).values,
        lambda a: a.topk(k, dim, largest=largest).values,
        x,
    )
    check(
        lambda t: t.topk(k, dim=dim, largest=largest).indices,
        lambda a: a.topk(k, dim=dim, largest=largest).indices,
        x,
        grad=False,
    )


def test_topk_refuses_k_beyond_the_axis() -> None:
    with pytest.raises(sh.ShapeError, match=r"topk: k=4 is out of range for axis -1 of size 3"):
        dev.zeros((2, 3)).topk(4)
    with pytest.raises(TypeError, match="give axis or dim, not both"):
        dev.zeros((2, 3)).topk(1, 0, dim=0)


# ---------------------------------------------------------------- cumsum, cumprod


@settings(max_examples=60, deadline=None)
@given(shape_and_dim(), float_dtypes, st.integers(0, 2**16), st.booleans())
def test_cumsum_and_cumprod_match_torch(
    sd: tuple[tuple[int, ...], int], dtype: Any, seed: int, zeros: bool
) -> None:
    shape, dim = sd
    x = with_zeros(shape, dtype, seed) if zeros else arrays(shape, dtype, seed)
    check(lambda t: t.cumsum(dim), lambda a: a.cumsum(dim), x)
    check(lambda t: t.cumprod(dim=dim), lambda a: a.cumprod(dim=dim), x)
    check(lambda t: t.cumprod(dim), lambda a: a.cumprod(axis=dim), x)
    check(lambda t: t.logcumsumexp(dim), lambda a: a.logcumsumexp(dim), x)


def test_cumprod_gradient_at_several_zeros() -> None:
    x = np.array([[2.0, 0.0, 3.0, 0.0, 4.0], [0.0, 1.5, 2.0, 0.5, 3.0], [1.0, 2.0, 3.0, 4.0, 0.0]])
    check(lambda t: t.cumprod(1), lambda a: a.cumprod(1), x)
    check(lambda t: t.cumprod(0), lambda a: a.cumprod(0), x)


def test_cumsum_of_ints_and_bools_is_int64() -> None:
    x = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32)
    check(lambda t: t.cumsum(1), lambda a: a.cumsum(1), x)
    check(lambda t: t.cumprod(0), lambda a: a.cumprod(0), x)
    check(lambda t: t.cumsum(0), lambda a: a.cumsum(0), x > 2)


def test_scans_need_an_axis_in_range() -> None:
    with pytest.raises(sh.ShapeError, match="cumsum: axis 2 is out of range"):
        dev.zeros((2, 3)).cumsum(2)
    with pytest.raises(TypeError, match="cumsum: missing the axis"):
        dev.zeros((2, 3)).cumsum()  # type: ignore[call-overload]


# ---------------------------------------------------------------- norm, F.normalize

NORMS = [2, 1, 3, 0.5, 0, "fro", float("inf"), float("-inf")]


@settings(max_examples=80, deadline=None)
@given(
    shape_and_axis(),
    st.booleans(),
    float_dtypes,
    st.integers(0, 2**16),
    st.sampled_from(NORMS),
    st.booleans(),
)
def test_norm_matches_torch(
    sa: tuple[tuple[int, ...], Any], keepdim: bool, dtype: Any, seed: int, p: Any, zeros: bool
) -> None:
    shape, axis = sa
    infinite = isinstance(p, float) and np.isinf(p)
    if infinite and any(shape[d] == 0 for d in torch_dims(axis, len(shape))):
        return  # torch refuses an inf-norm of nothing, and so does shaped (below)
    x = with_zeros(shape, dtype, seed) if zeros else arrays(shape, dtype, seed)
    if zeros and isinstance(p, (int, float)) and 0 < p < 1:
        x = np.where(x == 0, 0.5, x).astype(dtype)  # torch's gradient is NaN at 0 for p < 1
    dims = None if axis is None else torch_dims(axis, len(shape))
    # torch's 'fro' takes at most two dims; shaped's is the 2-norm over any number
    torch_p = 2 if p == "fro" and dims is not None and len(dims) > 2 else p
    check(
        lambda t: t.norm(torch_p, dims, keepdim), lambda a: a.norm(p, dim=axis, keepdim=keepdim), x
    )


def test_norm_spellings_and_ties() -> None:
    x = np.array([[3.0, -4.0, 4.0], [0.0, 0.0, 0.0]])
    check(lambda t: t.norm(dim=1), lambda a: a.norm(axis=1), x)
    check(lambda t: t.norm(float("inf"), 1, True), lambda a: a.norm(np.inf, 1, True), x)
    check(lambda t: t.norm(), lambda a: a.norm(), x)
    with pytest.raises(sh.ShapeError, match="size 0"):
        dev.zeros((2, 0)).norm(np.inf, 1)
    with pytest.raises(sh.DtypeError):
        dev.tensor([1, 2]).norm()
    with pytest.raises(ValueError, match="p must be a number"):
        dev.zeros((2,)).norm("nuc")


@settings(max_examples=40, deadline=None)
@given(shape_and_dim(), float_dtypes, st.integers(0, 2**16), st.sampled_from([2.0, 1.0, 3.0]))
def test_normalize_matches_torch(
    sd: tuple[tuple[int, ...], int], dtype: Any, seed: int, p: float
) -> None:
    shape, dim = sd
    if not shape:
        return  # torch's F.normalize needs an axis to normalize along
    x = arrays(shape, dtype, seed)
    x = np.where(abs(x) < 0.1, 0.5, x).astype(dtype)  # float32 cancels to noise near 0
    F = sh.nn.functional
    check(lambda t: torch.nn.functional.normalize(t, p, dim), lambda a: F.normalize(a, p, dim), x)


def test_normalize_of_a_zero_row_divides_by_eps() -> None:
    x = np.array([[0.0, 0.0, 0.0], [3.0, 0.0, -4.0]])
    F = sh.nn.functional
    check(lambda t: torch.nn.functional.normalize(t), lambda a: F.normalize(a), x)
    check(lambda t: torch.nn.functional.normalize(t, eps=0.1), lambda a: F.normalize(a, eps=0.1), x)


# ---------------------------------------------------------------- kthvalue, median


@settings(max_examples=60, deadline=None)
@given(shape_and_dim(min_side=1), st.data(), st.booleans(), float_dtypes, st.integers(0, 2**16))
def test_kthvalue_matches_torch(
    sd: tuple[tuple[int, ...], int], data: st.DataObject, keepdim: bool, dtype: Any, seed: int
) -> None:
    shape, dim = sd
    k = data.draw(st.integers(1, shape[dim] if shape else 1))
    x = distinct(shape, dtype, seed)
    check(
        lambda t: t.kthvalue(k, dim, keepdim).values,
        lambda a: a.kthvalue(k, dim, keepdim).values,
        x,
    )
    check(
        lambda t: t.kthvalue(k, dim=dim, keepdim=keepdim).indices,
        lambda a: a.kthvalue(k, dim=dim, keepdim=keepdim).indices,
        x,
        grad=False,
    )


@settings(max_examples=60, deadline=None)
@given(shape_and_dim(min_side=1), st.booleans(), float_dtypes, st.integers(0, 2**16))
def test_median_matches_torch(
    sd: tuple[tuple[int, ...], int], keepdim: bool, dtype: Any, seed: int
) -> None:
    shape, dim = sd
    x = distinct(shape, dtype, seed)
    check(lambda t: t.median(dim, keepdim).values, lambda a: a.median(dim, keepdim).values, x)
    check(
        lambda t: t.median(dim=dim, keepdim=keepdim).indices,
        lambda a: a.median(dim=dim, keepdim=keepdim).indices,
        x,
        grad=False,
    )
    check(lambda t: t.median(), lambda a: a.median(), x)


def test_median_and_kthvalue_with_nan_ties_and_nothing() -> None:
    x = np.array([[1.0, np.nan, 3.0, np.nan], [4.0, 2.0, 2.0, 1.0]])
    check(lambda t: t.median(1).values, lambda a: a.median(1).values, x)
    check(lambda t: t.median(1).indices, lambda a: a.median(1).indices, x, grad=False)
    check(lambda t: t.kthvalue(4, 1).indices, lambda a: a.kthvalue(4, 1).indices, x, grad=False)
    check(lambda t: t.median(), lambda a: a.median(), x)
    check(lambda t: t.median(), lambda a: a.median(), x[1])  # ties share the gradient
    check(lambda t: t.median(), lambda a: a.median(), np.zeros((0, 2)))
    with pytest.raises(sh.ShapeError, match="kthvalue: k=4 is out of range"):
        dev.zeros((2, 3)).kthvalue(4, 1)
    with pytest.raises(sh.ShapeError, match="median: cannot reduce over axis 1 of size 0"):
        dev.zeros((2, 0)).median(1)


def test_logcumsumexp_far_apart_and_infinite_values() -> None:
    x = np.array([[-1000.0, 0.0, 3.0, -np.inf, 800.0], [1.0, 2.0, 3.0, 4.0, 5.0]])
    check(lambda t: t.logcumsumexp(1), lambda a: a.logcumsumexp(dim=1), x)
    check(lambda t: t.logcumsumexp(0), lambda a: a.logcumsumexp(axis=0), x[:, :3])
    with pytest.raises(sh.DtypeError):
        dev.tensor([1, 2]).logcumsumexp(0)


# ---------------------------------------------------------------- cummax, cummin


@settings(max_examples=60, deadline=None)
@given(
    shape_and_dim(),
    float_dtypes,
    st.integers(0, 2**16),
    st.sampled_from(["cummax", "cummin"]),
    st.booleans(),
)
def test_cummax_cummin_match_torch(
    sd: tuple[tuple[int, ...], int], dtype: Any, seed: int, op: str, ties: bool
) -> None:
    shape, dim = sd
    x = (
        np.round(arrays(shape, dtype, seed, -1.4, 1.4)).astype(dtype)
        if ties
        else arrays(shape, dtype, seed)
    )
    check(lambda t: getattr(t, op)(dim).values, lambda a: getattr(a, op)(dim).values, x)
    check(
        lambda t: getattr(t, op)(dim=dim).indices,
        lambda a: getattr(a, op)(dim=dim).indices,
        x,
        grad=False,
    )


@pytest.mark.parametrize("op", ["cummax", "cummin"])
def test_cummax_cummin_with_nan_and_ints(op: str) -> None:
    x = np.array([[1.0, 3.0, 3.0, 2.0, np.nan, 5.0, np.nan], [4.0, 2.0, 2.0, 1.0, 0.0, 7.0, 7.0]])
    check(lambda t: getattr(t, op)(1).values, lambda a: getattr(a, op)(1).values, x)
    check(lambda t: getattr(t, op)(1).indices, lambda a: getattr(a, op)(1).indices, x, grad=False)
    ints = np.array([[3, 1, 3, 5, 5, 0]], dtype=np.int64)
    check(lambda t: getattr(t, op)(1).values, lambda a: getattr(a, op)(axis=1).values, ints)
    check(lambda t: getattr(t, op)(1).indices, lambda a: getattr(a, op)(1).indices, ints)
