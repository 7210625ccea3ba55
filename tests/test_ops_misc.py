"""Leftovers of issue 11 against torch: unique's inverse and counts, torch's randint(high,
shape), flip's varargs, and the Unfold/Fold layers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as tF
from hypothesis import given
from hypothesis import strategies as st

import shaped as sh
from shaped import nn
from shaped.nn import functional as F
from tests.oracle import arrays, check, float_dtypes, shapes

dev = sh.Cpu(seed=0)


# ---------------------------------------------------------------- unique


@given(shape=shapes(max_dims=3), dtype=st.sampled_from([np.float32, np.float64, np.int64]))
def test_unique_inverse_and_counts_match_torch(shape: tuple[int, ...], dtype: Any) -> None:
    a = (arrays(shape, np.float64) * 2).round().astype(dtype)  # a few repeated values

    def pick(i: int, **flags: bool) -> tuple[Any, Any]:
        return (
            lambda t: torch.unique(t, **flags)[i],
            lambda t: t.unique(**flags)[i],
        )

    for flags in ({"return_inverse": True}, {"return_counts": True}):
        for i in (0, 1):
            check(*pick(i, **flags), a, grad=False)
    both = {"return_inverse": True, "return_counts": True}
    for i in (0, 1, 2):
        check(*pick(i, **both), a, grad=False)
    check(lambda t: torch.unique(t, sorted=True), lambda t: t.unique(sorted=True), a, grad=False)


def test_unique_plain_and_refusals() -> None:
    x = dev.tensor(np.array([[3, 1], [3, 2]]))
    assert x.unique().tolist() == [1, 2, 3]
    values, inverse, counts = x.unique(False, True, True)  # positional, as torch
    assert values.tolist() == [1, 2, 3] and counts.tolist() == [1, 1, 2]
    assert inverse.tolist() == [[2, 0], [2, 1]]
    with pytest.raises(ValueError, match="only dim=None"):
        x.unique(dim=0)  # type: ignore[call-overload]


# ---------------------------------------------------------------- randint(high, shape)


@pytest.mark.parametrize("dtype", [sh.Int64, sh.Int32])
def test_randint_torch_form(dtype: Any) -> None:
    a = sh.Cpu(seed=3).randint(7, (200, 3), dtype=dtype)
    b = sh.Cpu(seed=3).randint(0, 7, (200, 3), dtype)
    assert a.shape == (200, 3) and a.dtype is dtype
    np.testing.assert_array_equal(a.numpy(), b.numpy())  # the same draw as low=0
    assert a.numpy().min() >= 0 and a.numpy().max() < 7
    assert set(np.unique(a.numpy())) == set(range(7))
    c = sh.Cpu(seed=3).randint(7, shape=(200, 3))  # type: ignore[call-overload]
    np.testing.assert_array_equal(c.numpy(), b.numpy().astype("int64"))
    assert sh.Cpu().randint(5, (0, 2)).shape == (0, 2)
    with pytest.raises(ValueError, match="low < high"):
        sh.Cpu().randint(0, (3,))


# ---------------------------------------------------------------- flip(0, 1)


@given(shape=shapes(min_dims=2), dtype=float_dtypes, data=st.data())
def test_flip_varargs_match_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    n = len(shape)
    axes = data.draw(
        st.lists(st.integers(-n, n - 1), min_size=2, max_size=n, unique_by=lambda a: a % n)
    )
    a = arrays(shape, dtype)
    check(lambda t: t.flip(*axes), lambda t: t.flip(*axes), a)


def test_flip_varargs_refuse_mixing() -> None:
    x = dev.randn((2, 3))
    with pytest.raises(TypeError, match="flip: give the axes"):
        x.flip((0,), 1)


# ---------------------------------------------------------------- Unfold / Fold layers

BLOCKS = [  # kernel_size, dilation, padding, stride
    (2, 1, 0, 1),
    (3, 1, 1, 2),
    ((2, 3), (1, 2), (1, 0), (2, 1)),
    (1, 1, 0, 1),
]


@pytest.mark.parametrize("options", BLOCKS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("batch", [(), (2,), (0,)])
def test_unfold_layer_matches_torch(options: tuple[Any, ...], dtype: Any, batch: Any) -> None:
    k, d, p, s = options
    x = arrays((*batch, 3, 7, 6), dtype)
    theirs = torch.nn.Unfold(k, d, p, s)
    check(theirs, nn.Unfold(k, d, p, s), x, grad=bool(batch != (0,)))


@pytest.mark.parametrize("options", BLOCKS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("batch", [(), (2,)])
def test_fold_layer_matches_torch(options: tuple[Any, ...], dtype: Any, batch: Any) -> None:
    k, d, p, s = options
    out = (7, 6)
    blocks = torch.nn.Unfold(k, d, p, s)(torch.zeros(1, 3, *out)).shape[1:]
    x = arrays((*batch, *blocks), dtype)
    check(torch.nn.Fold(out, k, d, p, s), nn.Fold(out, k, d, p, s), x)


def test_unfold_fold_layers_refuse_bad_sizes() -> None:
    with pytest.raises(sh.ShapeError, match="kernel_size must be >= 1"):
        nn.Unfold(0)
    with pytest.raises(TypeError, match="pair of ints"):
        nn.Fold((2, 3, 4), 2)
    assert "kernel_size=2, dilation=1, padding=1, stride=1" in repr(nn.Unfold(2, padding=1))


# ---------------------------------------------------------------- interpolate's other modes


@given(dtype=float_dtypes, data=st.data())
def test_interpolate_more_modes_match_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    mode = draw(st.sampled_from(["bicubic", "nearest-exact", "area"]))
    spatial = 2 if mode == "bicubic" else draw(st.sampled_from([1, 2]))
    batch = (draw(st.integers(0, 2)), draw(st.integers(1, 3)))
    sizes = tuple(draw(st.integers(1, 7)) for _ in range(spatial))
    x = arrays((*batch, *sizes), dtype, seed=draw(st.integers(0, 9)))
    corners = draw(st.sampled_from([None, True, False])) if mode == "bicubic" else None
    options: dict[str, Any] = {"mode": mode, "align_corners": corners}
    if draw(st.booleans()):
        options["size"] = tuple(draw(st.integers(1, 9)) for _ in range(spatial))
    else:  # scale factors that keep every output size >= 1
        options["scale_factor"] = draw(st.sampled_from([1.0, 1.5, 2.0, 3.0]))
    rtol, atol = (1e-6, 1e-9) if dtype == np.float64 else (1e-4, 1e-4)
    check(
        lambda t: tF.interpolate(t, **options),
        lambda t: F.interpolate(t, **options),
        x,
        grad=batch[0] > 0,
        rtol=rtol,
        atol=atol,
    )


@pytest.mark.parametrize("mode", ["nearest-exact", "area"])
def test_interpolate_more_modes_refuse_align_corners(mode: Any) -> None:
    with pytest.raises(sh.ShapeError, match="align_corners option can only be set"):
        F.interpolate(dev.randn((1, 1, 4, 4)), size=2, mode=mode, align_corners=True)
    with pytest.raises(sh.ShapeError, match="bicubic mode needs 4D input"):
        F.interpolate(dev.randn((1, 1, 4)), size=2, mode="bicubic")  # type: ignore[shape]
