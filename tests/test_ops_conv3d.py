"""Pooling and convolution options against torch, more: adaptive 1-d pooling and its layers."""

from __future__ import annotations

from typing import Any
from typing import Literal as L

import numpy as np
import pytest
import torch
import torch.nn.functional as tF
from hypothesis import given
from hypothesis import strategies as st

import shaped as sh
from shaped import nn
from shaped.errors import DtypeError, ShapeError
from shaped.nn import functional as F
from tests.oracle import arrays, check, float_dtypes

DTYPES = [np.float64, np.float32]
dev = sh.Cpu(seed=0)


def tol(dtype: Any) -> dict[str, float]:
    return {"rtol": 1e-6, "atol": 1e-9} if dtype == np.float64 else {"rtol": 1e-4, "atol": 1e-4}


# ---------------------------------------------------------------- adaptive 1-d pooling


@given(dtype=float_dtypes, data=st.data())
def test_adaptive_pool1d_matches_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    batch = draw(st.sampled_from([(), (0,), (1,), (2,)]))
    length = draw(st.integers(1, 12))
    size: Any = draw(st.integers(1, 14))
    size = (size,) if draw(st.booleans()) else size
    x = arrays((*batch, draw(st.integers(1, 3)), length), dtype, seed=draw(st.integers(0, 9)))
    check(
        lambda t: tF.adaptive_avg_pool1d(t, size),
        lambda t: F.adaptive_avg_pool1d(t, size),
        x,
        **tol(dtype),
    )
    check(
        lambda t: tF.adaptive_max_pool1d(t, size),
        lambda t: F.adaptive_max_pool1d(t, size),
        x,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_adaptive_pool1d_layers_match_torch(dtype: Any) -> None:
    x = arrays((2, 3, 11), dtype)
    for size in (1, 4, 11, 15):
        check(torch.nn.AdaptiveAvgPool1d(size), nn.AdaptiveAvgPool1d(size), x, **tol(dtype))
        check(torch.nn.AdaptiveMaxPool1d(size), nn.AdaptiveMaxPool1d(size), x)
    chw = arrays((3, 5), dtype).T  # non-contiguous (C, L)
    check(torch.nn.AdaptiveAvgPool1d(2), nn.AdaptiveAvgPool1d(2), chw, **tol(dtype))


def test_adaptive_max_pool1d_ties_and_nan() -> None:
    ties = np.zeros((1, 2, 6))  # every cell ties: the first of each window gets the gradient
    ties[0, 1, 2] = np.nan  # and a NaN window keeps NaN
    check(lambda t: tF.adaptive_max_pool1d(t, 4), lambda t: F.adaptive_max_pool1d(t, 4), ties)


def test_adaptive_pool1d_errors_as_torch() -> None:
    with pytest.raises(ShapeError, match="L must not be zero"):
        F.adaptive_avg_pool1d(dev.zeros((2, 3, 0)), 2)
    with pytest.raises(RuntimeError, match="non-zero size"):
        tF.adaptive_avg_pool1d(torch.zeros(2, 3, 0), 2)
    with pytest.raises(ShapeError, match=r"input must be \(N, C, L\) or \(C, L\)"):
        F.adaptive_max_pool1d(dev.zeros((7,)), 2)
    with pytest.raises(RuntimeError, match="2 to 3 dimensions"):
        tF.adaptive_max_pool1d(torch.zeros(7), 2)
    with pytest.raises(ShapeError, match="output_size must be >= 1"):
        F.adaptive_avg_pool1d(dev.zeros((2, 3, 4)), 0)
    with pytest.raises(ShapeError, match="output_size must be an int or a 1-tuple"):
        F.adaptive_avg_pool1d(dev.zeros((2, 3, 4)), (1, 2))  # type: ignore[arg-type]
    with pytest.raises(DtypeError, match=r"adaptive_avg_pool1d.*floating-point"):
        F.adaptive_avg_pool1d(dev.tensor([[1, 2, 3]]), 1)
    with pytest.raises(DtypeError, match=r"adaptive_max_pool1d.*floating-point"):
        F.adaptive_max_pool1d(dev.tensor([[1, 2, 3]]), 1)
    with pytest.raises(RuntimeError, match="not implemented for 'Long'"):
        tF.adaptive_max_pool1d(torch.ones(1, 3, dtype=torch.long), 1)
    with pytest.raises(ShapeError, match="output_size must be at least 1"):
        nn.AdaptiveAvgPool1d(0)
    with pytest.raises(TypeError, match="output_size must be an int"):
        nn.AdaptiveMaxPool1d("2")


def test_adaptive_pool1d_layers_build_from_their_type() -> None:
    assert dev.build_module(nn.AdaptiveAvgPool1d[L[3]]).output_size == 3
    assert dev.build_module(nn.AdaptiveMaxPool1d[L[1]]).output_size == 1
    assert repr(nn.AdaptiveAvgPool1d(4)) == "AdaptiveAvgPool1d(output_size=4)"
    assert repr(nn.AdaptiveMaxPool1d(2)) == "AdaptiveMaxPool1d(output_size=2)"


# ---------------------------------------------------------------- conv3d


def _per_axis(draw: Any, low: int, high: int) -> Any:
    if draw(st.booleans()):
        return draw(st.integers(low, high))
    return tuple(draw(st.integers(low, high)) for _ in range(3))


def _three(value: Any) -> tuple[int, int, int]:
    return (value,) * 3 if isinstance(value, int) else value


@given(dtype=float_dtypes, data=st.data())
def test_conv3d_matches_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    groups = draw(st.integers(1, 2))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(3))
    dilation = _per_axis(draw, 1, 2)
    padding: Any = draw(st.sampled_from(["same", "valid", "ints"]))
    stride = 1 if padding == "same" else _per_axis(draw, 1, 2)
    if padding == "ints":
        padding = _per_axis(draw, 0, 2)
    pads = (0, 0, 0) if isinstance(padding, str) else _three(padding)
    # each spatial size at least the dilated kernel less the padding, so the output is not empty
    size = tuple(
        max(1, di * (k - 1) + 1 - 2 * p) + draw(st.integers(0, 3))
        for k, di, p in zip(kernel, _three(dilation), pads)
    )
    batch = draw(st.sampled_from([(), (1,), (2,)]))
    seed = draw(st.integers(0, 9))
    x = arrays((*batch, cin, *size), dtype, seed=seed)
    weight = arrays((cout, cin // groups, *kernel), dtype, seed=seed + 1)
    bias = arrays((cout,), dtype, seed=seed + 2)
    options = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    if draw(st.booleans()):
        check(
            lambda t, w, b: tF.conv3d(t, w, b, **options),
            lambda t, w, b: F.conv3d(t, w, b, **options),
            x,
            weight,
            bias,
            **tol(dtype),
        )
    else:
        check(
            lambda t, w: tF.conv3d(t, w, **options),
            lambda t, w: F.conv3d(t, w, **options),
            x,
            weight,
            **tol(dtype),
        )


@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
@pytest.mark.parametrize("dtype", DTYPES)
def test_conv3d_layer_matches_torch(dtype: Any) -> None:
    x = arrays((2, 4, 5, 6, 7), dtype)
    cases: list[dict[str, Any]] = [
        {"kernel_size": 3},
        {"kernel_size": (1, 2, 3), "stride": (2, 1, 1), "padding": (0, 1, 1), "groups": 2},
        {"kernel_size": 2, "padding": "same", "dilation": (1, 2, 1), "bias": False},
        {"kernel_size": 3, "padding": "valid", "stride": 2},
    ]
    for options in cases:
        ours = nn.Conv3d(4, 6, dtype=sh.Float64 if dtype == np.float64 else sh.Float32, **options)
        theirs = torch.nn.Conv3d(4, 6, dtype=torch.float64, **options)
        with torch.no_grad():
            theirs.weight.copy_(torch.from_numpy(ours.weight.numpy().astype(np.float64)))
            if ours.bias is not None:
                theirs.bias.copy_(torch.from_numpy(ours.bias.numpy().astype(np.float64)))
        assert ours.weight.shape == tuple(theirs.weight.shape)
        expect = theirs(torch.from_numpy(x.astype(np.float64))).detach().numpy()
        got = ours(dev.tensor(x)).numpy()
        np.testing.assert_allclose(got, expect, **tol(dtype))
    bound = 1 / np.sqrt(4 * 27)
    layer = nn.Conv3d(4, 2, 3)
    assert np.abs(layer.weight.numpy()).max() <= bound and layer.bias is not None
    assert repr(nn.Conv3d(4, 6, (1, 2, 3), stride=2, padding=1)) == (
        "Conv3d(4, 6, kernel_size=(1, 2, 3), stride=(2, 2, 2), padding=(1, 1, 1))"
    )
    chw = arrays((4, 5, 5, 5), np.float32)  # unbatched
    assert nn.Conv3d(4, 2, 3)(dev.tensor(chw)).shape == (2, 3, 3, 3)


def test_conv3d_layer_builds_from_its_type() -> None:
    built = dev.build_module(nn.Conv3d[L[3], L[8], L[3], L[1], L[1]])
    assert built.weight.shape == (8, 3, 3, 3, 3) and built.padding == 1
    assert built(dev.randn((2, 3, 4, 4, 4))).shape == (2, 8, 4, 4, 4)


def test_conv3d_errors_as_torch() -> None:
    x, w = dev.zeros((1, 4, 5, 5, 5)), dev.zeros((6, 4, 3, 3, 3))
    with pytest.raises(ShapeError, match=r"input must be \(N, C, D, H, W\)"):
        F.conv3d(dev.zeros((4, 5, 5)), w)
    with pytest.raises(RuntimeError, match=r"Expected 4D .* or 5D"):
        tF.conv3d(torch.zeros(4, 5, 5), torch.zeros(6, 4, 3, 3, 3))
    with pytest.raises(ShapeError, match="expects 4\\*1 = 4 input channels, got 3"):
        F.conv3d(dev.zeros((1, 3, 5, 5, 5)), w)
    with pytest.raises(ShapeError, match="D_out = "):
        F.conv3d(dev.zeros((1, 4, 2, 5, 5)), w)
    with pytest.raises(RuntimeError, match="Kernel size can't be greater than actual input size"):
        tF.conv3d(torch.zeros(1, 4, 2, 5, 5), torch.zeros(6, 4, 3, 3, 3))
    with pytest.raises(ShapeError, match="padding='same' is not supported for strided"):
        F.conv3d(x, w, padding="same", stride=2)
    with pytest.raises(ShapeError, match="padding='same' is not supported for strided"):
        nn.Conv3d(4, 6, 3, padding="same", stride=2)
    with pytest.raises(ShapeError, match="out channels 6 are not divisible by groups=4"):
        F.conv3d(x, dev.zeros((6, 1, 3, 3, 3)), groups=4)
    with pytest.raises(ShapeError, match=r"bias must be \(6,\), got \(5,\)"):
        F.conv3d(x, w, dev.zeros((5,)))
    with pytest.raises(ShapeError, match="stride must be an int or a 3-tuple"):
        F.conv3d(x, w, stride=(1, 1))  # type: ignore[arg-type]
    with pytest.raises(DtypeError, match="conv3d"):
        F.conv3d(x, w.to(sh.Float64))
    with pytest.raises(DtypeError, match=r"conv3d.*floating-point"):
        F.conv3d(
            dev.tensor(np.zeros((1, 1, 1, 1, 1), np.int64)),
            dev.tensor(np.zeros((1, 1, 1, 1, 1), np.int64)),
        )
    with pytest.raises(
        ShapeError, match=r"Conv3d: in_channels .* must both be divisible by groups"
    ):
        nn.Conv3d(4, 6, 3, groups=4)
    with pytest.raises(TypeError, match="kernel_size must be an int or a 3-tuple"):
        nn.Conv3d(4, 6, (3, 3))  # type: ignore[arg-type]
