"""torch's spellings of the reductions (`dim=`, `keepdim=`, a list of dims) against torch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import shaped as sh
from tests.oracle import check

RNG = np.random.default_rng(0)
DIMS: list[Any] = [0, -1, (0, 2), [1, 2]]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("dim", DIMS, ids=str)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "logsumexp"])
def test_reductions_take_dim_and_keepdim(name: str, dim: Any, keepdim: bool, dtype: Any) -> None:
    x = RNG.standard_normal((3, 4, 5)).astype(dtype)
    check(
        lambda t: getattr(t, name)(dim=dim, keepdim=keepdim),
        lambda t: getattr(t, name)(dim=dim, keepdim=keepdim),
        x,
    )


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("name", ["prod", "argmax", "argmin"])
def test_single_dim_reductions(name: str, keepdim: bool) -> None:
    x = RNG.standard_normal((3, 4, 5))
    check(
        lambda t: getattr(t, name)(dim=1, keepdim=keepdim),
        lambda t: getattr(t, name)(dim=1, keepdim=keepdim),
        x,
        grad=name == "prod",
    )


@pytest.mark.parametrize("name", ["any", "all"])
def test_any_all_dim(name: str) -> None:
    x = RNG.standard_normal((3, 4, 5)) > 0
    expected = getattr(torch.from_numpy(x), name)(dim=2, keepdim=True).numpy()
    got = getattr(sh.Cpu().tensor(x), name)(dim=2, keepdim=True).numpy()
    np.testing.assert_array_equal(got, expected)


def test_positional_keepdims_and_list_axis() -> None:
    x = RNG.standard_normal((3, 4, 5))
    check(lambda t: t.sum([0, 2], True), lambda t: t.sum([0, 2], True), x)
    check(lambda t: t.mean(1, True), lambda t: t.mean(axis=[1], keepdims=True), x)


def test_axis_and_dim_together_is_an_error() -> None:
    x = sh.Cpu().randn((2, 3))
    with pytest.raises(TypeError, match="both axis=0 and dim=1"):
        x.sum(0, dim=1)


def test_flatten_takes_start_dim_and_end_dim() -> None:
    x = RNG.standard_normal((2, 3, 4, 5))
    check(lambda t: t.flatten(start_dim=1), lambda t: t.flatten(start_dim=1), x)
    check(lambda t: t.flatten(1, end_dim=2), lambda t: t.flatten(1, end_dim=2), x)


@pytest.mark.parametrize("axis", [0, -1])
def test_squeeze_of_a_scalar_along_axis_0_or_minus_1(axis: int) -> None:
    check(lambda t: t.squeeze(axis), lambda t: t.squeeze(axis), np.array(1.5))


def test_squeeze_of_a_scalar_along_another_axis_is_an_error() -> None:
    with pytest.raises(sh.ShapeError, match="axis 1 is out of range for a tensor of rank 0"):
        sh.Cpu().randn(()).squeeze(1)


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.sum(dim=3),
        lambda t: t.squeeze(5),
        lambda t: t.cumsum(dim=-4),
        lambda t: sh.stack([t, t], axis=77),
    ],
)
def test_an_axis_out_of_range_is_an_index_error_as_in_torch(call: Any) -> None:
    """torch raises IndexError ("Dimension out of range"); shaped's AxisError is both."""
    x = sh.Cpu().randn((2, 3, 4))
    with pytest.raises(IndexError, match="out of range") as caught:
        call(x)
    assert isinstance(caught.value, sh.ShapeError)


def test_torch_raises_index_error_for_the_same_axis() -> None:
    with pytest.raises(IndexError):
        torch.zeros(2, 3, 4).sum(dim=3)


@pytest.mark.parametrize(
    "key",
    [
        ((1, 0), slice(None), 2),
        ((0,),),
        (((0,),),),
        (1, (2, 1, 0), None, slice(1, 3)),
        ((1, 0, -1), (2, 1, 0)),
    ],
    ids=str,
)
def test_a_tuple_inside_an_index_is_a_list_of_indices_as_in_torch(key: Any) -> None:
    x = RNG.standard_normal((2, 5, 6, 3))
    check(lambda t: t[key], lambda t: t[key], x)


@pytest.mark.parametrize("name", ["sum", "mean", "prod"])
def test_reductions_take_torchs_dtype(name: str) -> None:
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    check(
        lambda t: getattr(t, name)(dim=1, dtype=torch.float64),
        lambda t: getattr(t, name)(dim=1, dtype=sh.Float64),
        x,
    )
    ints = np.arange(6).reshape(2, 3).astype(np.int32)
    expected = getattr(torch.tensor(ints), name)(dtype=torch.float32).numpy()
    got = getattr(sh.Cpu().tensor(ints), name)(dtype=sh.Float32).numpy()
    np.testing.assert_allclose(got, expected)
    assert got.dtype == expected.dtype
