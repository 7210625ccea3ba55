"""Convolution and pooling options against torch: adaptive average pooling, pixel_shuffle,
conv2d's padding="same"/"valid", and their layers."""

from __future__ import annotations

import functools
from typing import Any

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
pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
dev = sh.Cpu(seed=0)


def tol(dtype: Any) -> dict[str, Any]:
    return {"rtol": 1e-6, "atol": 1e-9} if dtype == np.float64 else {"rtol": 1e-4, "atol": 1e-4}


# ---------------------------------------------------------------- adaptive_avg_pool2d


@given(dtype=float_dtypes, data=st.data())
def test_adaptive_avg_pool2d_matches_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    batch = draw(st.sampled_from([(), (0,), (1,), (2,)]))
    chans = draw(st.integers(1, 3))  # torch's backward refuses C = 0 (its forward allows it)
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    size: Any = (
        draw(st.integers(1, 10))
        if draw(st.booleans())
        else (draw(st.integers(1, 10)), draw(st.integers(1, 10)))
    )
    x = arrays((*batch, chans, h, w), dtype, seed=draw(st.integers(0, 9)))
    check(
        lambda t: tF.adaptive_avg_pool2d(t, size),
        lambda t: F.adaptive_avg_pool2d(t, size),
        x,
        **tol(dtype),
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_adaptive_avg_pool2d_global_and_non_contiguous(dtype: Any) -> None:
    x = arrays((3, 4, 7, 6), dtype).transpose(0, 1, 3, 2)
    check(lambda t: tF.adaptive_avg_pool2d(t, 1), lambda t: F.adaptive_avg_pool2d(t, 1), x)
    check(
        lambda t: tF.adaptive_avg_pool2d(t, (3, 5)),
        lambda t: F.adaptive_avg_pool2d(t, (3, 5)),
        x,
        **tol(dtype),
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_adaptive_avg_pool2d_layer_matches_torch(dtype: Any) -> None:
    x = arrays((2, 3, 10, 7), dtype)
    for size in ((1, 1), 4, (2, 3)):
        ours = nn.AdaptiveAvgPool2d(size)
        theirs = torch.nn.AdaptiveAvgPool2d(size)
        check(theirs, ours, x, **tol(dtype))


def test_adaptive_avg_pool2d_errors_as_torch() -> None:
    with pytest.raises(ShapeError, match="H must not be zero"):
        F.adaptive_avg_pool2d(dev.zeros((2, 3, 0, 4)), 2)
    with pytest.raises(ShapeError, match="output_size must be >= 1"):
        F.adaptive_avg_pool2d(dev.zeros((2, 3, 4, 4)), (0, 2))
    with pytest.raises(ShapeError, match=r"input must be \(N, C, H, W\)"):
        F.adaptive_avg_pool2d(dev.zeros((4, 4)), 2)
    with pytest.raises(DtypeError, match="floating-point"):
        F.adaptive_avg_pool2d(dev.tensor([[[1, 2], [3, 4]]]), 1)
    with pytest.raises(ShapeError, match="output_size must be >= 1"):
        nn.AdaptiveAvgPool2d(0)
    with pytest.raises(TypeError, match="output_size must be an int or a pair"):
        nn.AdaptiveAvgPool2d((1, 2, 3))  # type: ignore[call-overload]
    with pytest.raises(RuntimeError, match="non-zero size"):
        tF.adaptive_avg_pool2d(torch.zeros(2, 3, 0, 4), 2)


def test_adaptive_avg_pool2d_layer_builds_from_its_type() -> None:
    from typing import Literal as L

    built = dev.build_module(nn.AdaptiveAvgPool2d[L[2], L[3]])
    assert built.output_size == (2, 3)
    assert dev.build_module(nn.AdaptiveAvgPool2d[L[4]]).output_size == (4, 4)
    assert repr(nn.AdaptiveAvgPool2d((1, 1))) == "AdaptiveAvgPool2d(output_size=1)"


@given(dtype=float_dtypes, data=st.data())
def test_adaptive_max_pool2d_matches_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    batch = draw(st.sampled_from([(), (0,), (1,), (2,)]))
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    size: Any = (
        draw(st.integers(1, 10))
        if draw(st.booleans())
        else (draw(st.integers(1, 10)), draw(st.integers(1, 10)))
    )
    x = arrays((*batch, draw(st.integers(1, 3)), h, w), dtype, seed=draw(st.integers(0, 9)))
    check(
        lambda t: tF.adaptive_max_pool2d(t, size),
        lambda t: F.adaptive_max_pool2d(t, size),
        x,
    )


def test_adaptive_max_pool2d_layer_ties_nan_and_errors() -> None:
    x = arrays((2, 3, 10, 7), np.float32)
    check(torch.nn.AdaptiveMaxPool2d((3, 2)), nn.AdaptiveMaxPool2d((3, 2)), x)
    ties = np.zeros((1, 1, 4, 4))  # every cell ties: the first of each window gets the gradient
    ties[0, 0, 1, 2] = np.nan  # and a NaN window keeps NaN
    check(lambda t: tF.adaptive_max_pool2d(t, 3), lambda t: F.adaptive_max_pool2d(t, 3), ties)
    with pytest.raises(DtypeError, match="floating-point"):
        F.adaptive_max_pool2d(dev.tensor([[[1, 2], [3, 4]]]), 1)
    with pytest.raises(RuntimeError, match="not implemented for 'Long'"):
        tF.adaptive_max_pool2d(torch.ones(1, 2, 2, dtype=torch.long), 1)
    assert repr(nn.AdaptiveMaxPool2d((2, 3))) == "AdaptiveMaxPool2d(output_size=(2, 3))"


# ---------------------------------------------------------------- pixel_shuffle


@given(dtype=float_dtypes, data=st.data())
def test_pixel_shuffle_matches_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    r = draw(st.integers(1, 3))
    batch = draw(st.sampled_from([(), (0,), (2,), (2, 1)]))
    chans = draw(st.integers(0, 2)) * r * r
    h, w = draw(st.integers(0, 4)), draw(st.integers(0, 4))
    x = arrays((*batch, chans, h, w), dtype, seed=draw(st.integers(0, 9)))
    if x.size:
        check(lambda t: tF.pixel_shuffle(t, r), lambda t: F.pixel_shuffle(t, r), x)
        return
    # torch's backward fails on any zero-size input: values against torch, the gradient's shape
    check(lambda t: tF.pixel_shuffle(t, r), lambda t: F.pixel_shuffle(t, r), x, grad=False)
    traced = dev.tensor(x).trace()
    grads = F.pixel_shuffle(traced, r).sum().backward()
    assert grads[traced].shape == x.shape


def test_pixel_shuffle_layer_ints_and_errors() -> None:
    x = arrays((2, 8, 3, 2), np.float32)
    check(torch.nn.PixelShuffle(2), nn.PixelShuffle(2), x)
    ints = np.arange(2 * 9 * 2 * 2).reshape(2, 9, 2, 2)
    ours = F.pixel_shuffle(dev.tensor(ints), 3).numpy()
    np.testing.assert_array_equal(ours, tF.pixel_shuffle(torch.tensor(ints), 3).numpy())
    with pytest.raises(ShapeError, match=r"channels 3 are not divisible by upscale_factor\*\*2"):
        F.pixel_shuffle(dev.zeros((1, 3, 2, 2)), 2)
    with pytest.raises(ShapeError, match="rank >= 3"):
        F.pixel_shuffle(dev.zeros((4, 2)), 2)
    with pytest.raises(ShapeError, match="upscale_factor must be at least 1"):
        nn.PixelShuffle(0)
    assert repr(nn.PixelShuffle(2)) == "PixelShuffle(upscale_factor=2)"


# ---------------------------------------------------------------- conv2d padding="same"


@given(dtype=float_dtypes, data=st.data())
def test_conv2d_padding_same_matches_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    groups = draw(st.integers(1, 2))
    channels = groups * draw(st.integers(1, 2))
    filters = groups * draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    batch = draw(st.sampled_from([(), (0,), (1,), (2,)]))
    size = (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    x = arrays((*batch, channels, *size), dtype, seed=1)
    w = arrays((filters, channels // groups, *kernel), dtype, seed=2)
    b = arrays((filters,), dtype, seed=3)
    mode = draw(st.sampled_from(["same", "valid"]))
    if mode == "valid" and any(
        n < d * (k - 1) + 1 for n, k, d in zip(size, kernel, dilation, strict=True)
    ):
        mode = "same"
    kw = {"padding": mode, "dilation": dilation, "groups": groups}
    check(
        lambda t, u, v: tF.conv2d(t, u, v, **kw),
        lambda t, u, v: F.conv2d(t, u, v, **kw),
        x,
        w,
        b,
        **tol(dtype),
    )


def test_conv2d_padding_same_refuses_strides_as_torch() -> None:
    x, w = dev.zeros((1, 2, 5, 5)), dev.zeros((3, 2, 3, 3))
    with pytest.raises(ShapeError, match="padding='same' is not supported for strided"):
        F.conv2d(x, w, stride=2, padding="same")
    with pytest.raises(RuntimeError, match="padding='same' is not supported for strided"):
        tF.conv2d(torch.zeros(1, 2, 5, 5), torch.zeros(3, 2, 3, 3), stride=2, padding="same")
    with pytest.raises(ValueError, match="padding must be an int, a pair, 'same' or 'valid'"):
        F.conv2d(x, w, padding="full")  # type: ignore[arg-type]


# ---------------------------------------------------------------- conv1d and the 1-d pools


@given(dtype=float_dtypes, data=st.data())
def test_conv1d_matches_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    groups = draw(st.integers(1, 2))
    channels = groups * draw(st.integers(1, 2))
    filters = groups * draw(st.integers(1, 2))
    k, d = draw(st.integers(1, 4)), draw(st.integers(1, 2))
    same = draw(st.booleans())
    s = 1 if same else draw(st.integers(1, 3))
    p: Any = "same" if same else draw(st.integers(0, 2))
    least = 1 if same else max(1, d * (k - 1) + 1 - 2 * p)
    length = draw(st.integers(least, 9))
    batch = draw(st.sampled_from([(), (0,), (1,), (2,)]))
    x = arrays((*batch, channels, length), dtype, seed=1)
    w = arrays((filters, channels // groups, k), dtype, seed=2)
    kw = {"stride": s, "padding": p, "dilation": d, "groups": groups}
    if draw(st.booleans()):
        b = arrays((filters,), dtype, seed=3)
        check(
            lambda t, u, v: tF.conv1d(t, u, v, **kw),
            lambda t, u, v: F.conv1d(t, u, v, **kw),
            x,
            w,
            b,
            **tol(dtype),
        )
    else:
        check(
            lambda t, u: tF.conv1d(t, u, None, **kw),
            lambda t, u: F.conv1d(t, u, None, **kw),
            x,
            w,
            **tol(dtype),
        )


@pytest.mark.parametrize("op", ["max_pool1d", "avg_pool1d"])
@given(dtype=float_dtypes, data=st.data())
def test_pool1d_matches_torch(op: str, dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    k = draw(st.integers(1, 4))
    stride = draw(st.sampled_from([None, 1, 2, 3]))
    padding = draw(st.integers(0, k // 2))
    length = draw(st.integers(max(1, k - 2 * padding), 10))
    batch = draw(st.sampled_from([(), (0,), (2,)]))
    chans = draw(st.integers(1, 3))
    x = arrays((*batch, chans, length), dtype, seed=draw(st.integers(0, 9)))
    theirs, ours = getattr(tF, op), getattr(F, op)
    check(
        lambda t: theirs(t, k, stride, padding),
        lambda t: ours(t, k, stride, padding),
        x,
        **tol(dtype),
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_1d_layers_match_torch(dtype: Any) -> None:
    torch.manual_seed(0)
    x = arrays((3, 4, 20), dtype)
    sd = sh.Float64 if dtype == np.float64 else sh.Float32
    td = torch.float64 if dtype == np.float64 else torch.float32
    for kw in ({}, {"stride": 2, "padding": 1}, {"padding": "same", "dilation": 2}, {"groups": 2}):
        ours = nn.Conv1d(4, 6, 3, dtype=sd, **kw)  # type: ignore[call-overload]
        theirs = torch.nn.Conv1d(4, 6, 3, dtype=td, **kw)
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(ours.weight.numpy()))
            assert theirs.bias is not None and ours.bias is not None
            theirs.bias.copy_(torch.tensor(ours.bias.numpy()))
        assert ours.weight.shape == tuple(theirs.weight.shape)
        out = ours(dev.tensor(x))
        np.testing.assert_allclose(
            out.numpy(), theirs(torch.tensor(x)).detach().numpy(), **tol(dtype)
        )
    check(torch.nn.MaxPool1d(3, stride=2, padding=1), nn.MaxPool1d(3, stride=2, padding=1), x)
    check(torch.nn.AvgPool1d(4), nn.AvgPool1d(4), x, **tol(dtype))
    # "same" with an even total padding is stored (and typed) as that int; else as "same"
    assert repr(nn.Conv1d(4, 6, 3, padding="same")) == repr(torch.nn.Conv1d(4, 6, 3, padding=1))
    assert repr(nn.Conv1d(4, 6, 4, padding="same")) == repr(
        torch.nn.Conv1d(4, 6, 4, padding="same")
    )
    assert repr(nn.Conv1d(4, 6, 3, stride=2, padding=1, bias=False)) == repr(
        torch.nn.Conv1d(4, 6, 3, stride=2, padding=1, bias=False)
    )


def test_conv1d_gradients_through_the_layer() -> None:
    layer = nn.Conv1d(2, 3, 3, padding=1, dtype=sh.Float64)
    x = arrays((2, 2, 7), np.float64)
    theirs = torch.nn.Conv1d(2, 3, 3, padding=1, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(layer.weight.numpy()))
        assert theirs.bias is not None and layer.bias is not None
        theirs.bias.copy_(torch.tensor(layer.bias.numpy()))
    theirs(torch.tensor(x)).square().sum().backward()
    grads = layer(dev.tensor(x).trace()).square().sum().backward()
    assert theirs.weight.grad is not None
    np.testing.assert_allclose(grads[layer.weight].numpy(), theirs.weight.grad.numpy(), rtol=1e-9)


def test_conv1d_and_pool1d_errors_as_torch() -> None:
    x, w = dev.zeros((1, 2, 5)), dev.zeros((3, 2, 3))
    with pytest.raises(ShapeError, match="padding='same' is not supported for strided"):
        F.conv1d(x, w, stride=2, padding="same")
    with pytest.raises(ShapeError, match=r"input must be \(N, C, L\) or \(C, L\)"):
        F.conv1d(dev.zeros((1, 2, 5, 5)), w)
    with pytest.raises(ShapeError, match=r"expects 3\*1 = 3 input channels, got 2"):
        F.conv1d(x, dev.zeros((3, 3, 3)))
    with pytest.raises(ShapeError, match="padding 2 must be at most half the kernel size 3"):
        F.max_pool1d(x, 3, padding=2)
    with pytest.raises(RuntimeError, match="padding should be at most half of kernel size"):
        tF.max_pool1d(torch.zeros(1, 2, 5), 3, padding=2)
    with pytest.raises(ShapeError, match="padding='same' is not supported for strided"):
        nn.Conv1d(2, 3, 3, stride=2, padding="same")  # type: ignore[call-overload]


# ---------------------------------------------------------------- interpolate


@given(dtype=float_dtypes, data=st.data())
def test_interpolate_matches_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    spatial = draw(st.integers(1, 2))
    mode = draw(st.sampled_from(["nearest", "linear" if spatial == 1 else "bilinear"]))
    batch = draw(st.integers(0, 2))
    dims = tuple(draw(st.integers(1, 6)) for _ in range(spatial))
    kw: dict[str, Any] = {"mode": mode}
    if mode != "nearest":
        kw["align_corners"] = draw(st.sampled_from([None, False, True]))
    if draw(st.booleans()):
        kw["size"] = tuple(draw(st.integers(1, 9)) for _ in range(spatial))
    else:
        scale = draw(st.sampled_from([0.5, 1.0, 1.5, 2.0, 2.5, 3.0]))
        if any(int(n * scale) < 1 for n in dims):
            scale = 2.0
        kw["scale_factor"] = scale
    x = arrays((batch, draw(st.integers(1, 3)), *dims), dtype, seed=draw(st.integers(0, 9)))
    check(
        lambda t: tF.interpolate(t, **kw),
        lambda t: F.interpolate(t, **kw),
        x,
        **tol(dtype),
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_interpolate_common_upsampling_and_per_axis_scales(dtype: Any) -> None:
    x = arrays((2, 3, 8, 6), dtype)
    for kw in (
        {"scale_factor": 2, "mode": "nearest"},
        {"scale_factor": 2, "mode": "bilinear", "align_corners": False},
        {"size": (16, 12), "mode": "bilinear", "align_corners": True},
        {"scale_factor": (1.5, 0.5)},
        {"size": 5},
    ):
        theirs = functools.partial(tF.interpolate, **kw)
        ours = functools.partial(F.interpolate, **kw)
        check(theirs, ours, x, **tol(dtype))


def test_interpolate_errors_as_torch() -> None:
    x = dev.zeros((1, 2, 3, 4))
    with pytest.raises(ShapeError, match="exactly one of size or scale_factor"):
        F.interpolate(x)
    with pytest.raises(ShapeError, match="bilinear mode needs 4D input"):
        F.interpolate(dev.zeros((1, 2, 3)), size=2, mode="bilinear")
    with pytest.raises(ShapeError, match="align_corners option can only be set"):
        F.interpolate(x, size=2, align_corners=True)
    with pytest.raises(ShapeError, match="input and output sizes must be > 0"):
        F.interpolate(x, scale_factor=0.1)
    with pytest.raises(RuntimeError, match="sizes should be greater than 0"):
        tF.interpolate(torch.zeros(1, 2, 3, 4), scale_factor=0.1)
    with pytest.raises(DtypeError, match="floating-point"):
        F.interpolate(dev.tensor([[[1, 2]]]), size=3)


# ---------------------------------------------------------------- ceil_mode, count_include_pad


@pytest.mark.parametrize("op", ["max_pool2d", "avg_pool2d"])
@given(dtype=float_dtypes, data=st.data())
def test_pool2d_ceil_mode_and_count_include_pad_match_torch(
    op: str, dtype: Any, data: st.DataObject
) -> None:
    draw = data.draw
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    size = [draw(st.integers(max(1, k[i] - 2 * padding[i]), 9)) for i in range(2)]
    batch = draw(st.sampled_from([(), (0,), (2,)]))
    x = arrays((*batch, draw(st.integers(1, 2)), *size), dtype, seed=draw(st.integers(0, 9)))
    kw: dict[str, Any] = {"ceil_mode": draw(st.booleans())}
    if op == "avg_pool2d":
        kw["count_include_pad"] = draw(st.booleans())
    theirs, ours = getattr(tF, op), getattr(F, op)
    check(
        lambda t: theirs(t, k, stride, padding, **kw),
        lambda t: ours(t, k, stride, padding, **kw),
        x,
        **tol(dtype),
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_pool1d_ceil_mode_and_count_include_pad_match_torch(dtype: Any) -> None:
    x = arrays((2, 3, 10), dtype)
    for k, s, p in ((3, 2, 1), (2, 3, 0), (4, 3, 2)):
        named = dict(zip(NAMES, (k, s, p), strict=True))
        check(
            functools.partial(tF.max_pool1d, kernel_size=k, stride=s, padding=p, ceil_mode=True),
            functools.partial(F.max_pool1d, kernel_size=k, stride=s, padding=p, ceil_mode=True),
            x,
        )
        for include in (True, False):
            kw = {"ceil_mode": True, "count_include_pad": include}
            check(
                functools.partial(tF.avg_pool1d, **named, **kw),
                functools.partial(F.avg_pool1d, **named, **kw),
                x,
                **tol(dtype),
            )


NAMES = ("kernel_size", "stride", "padding")


# ---------------------------------------------------------------- unfold, fold


@given(dtype=float_dtypes, data=st.data())
def test_unfold_and_fold_match_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    size = tuple(draw(st.integers(max(1, d[i] * (k[i] - 1) + 1 - 2 * p[i]), 8)) for i in range(2))
    batch = draw(st.sampled_from([(), (0,), (1,), (2,)]))
    chans = draw(st.integers(1, 3))
    kw = {"kernel_size": k, "dilation": d, "padding": p, "stride": s}
    x = arrays((*batch, chans, *size), dtype, seed=draw(st.integers(0, 9)))
    check(lambda t: tF.unfold(t, **kw), lambda t: F.unfold(t, **kw), x, **tol(dtype))
    cols = tF.unfold(torch.tensor(x), **kw).numpy()
    check(
        lambda t: tF.fold(t, size, **kw),
        lambda t: F.fold(t, size, **kw),
        cols,
        **tol(dtype),
    )


def test_fold_errors_as_torch() -> None:
    with pytest.raises(ShapeError, match="input has 10 blocks, but output_size"):
        F.fold(dev.zeros((1, 9, 10)), (5, 5), 3)
    with pytest.raises(RuntimeError):
        tF.fold(torch.zeros(1, 9, 10), (5, 5), 3)
    with pytest.raises(ShapeError, match="not divisible by the kernel's 3\\*3 = 9"):
        F.fold(dev.zeros((1, 8, 9)), (5, 5), 3)


@pytest.mark.parametrize("dtype", DTYPES)
def test_avg_pool_layers_count_include_pad_match_torch(dtype: Any) -> None:
    x2, x1 = arrays((2, 3, 7, 6), dtype), arrays((2, 3, 9), dtype)
    for include in (True, False):
        check(
            torch.nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=include),
            nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=include),
            x2,
            **tol(dtype),
        )
        check(
            torch.nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=include),
            nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=include),
            x1,
            **tol(dtype),
        )


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv2d_layer_padding_same_and_valid_match_torch(dtype: Any) -> None:
    sd = sh.Float64 if dtype == np.float64 else sh.Float32
    td = torch.float64 if dtype == np.float64 else torch.float32
    x = arrays((2, 3, 7, 6), dtype)
    for k, d, pad in ((3, 1, "same"), (4, 1, "same"), (5, 2, "same"), (2, 1, "valid")):
        ours = nn.Conv2d(3, 4, k, padding=pad, dilation=d, dtype=sd)
        theirs = torch.nn.Conv2d(3, 4, k, padding=pad, dilation=d, dtype=td)
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(ours.weight.numpy()))
            assert theirs.bias is not None and ours.bias is not None
            theirs.bias.copy_(torch.tensor(ours.bias.numpy()))
        grads = sh.Gradients()
        out = ours(dev.tensor(x).traced(grads))
        ref = theirs(torch.tensor(x))
        np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), **tol(dtype))
        ref.square().sum().backward()
        got = out.square().sum().backward()
        assert theirs.weight.grad is not None
        np.testing.assert_allclose(
            got[ours.weight].numpy(), theirs.weight.grad.numpy(), **tol(dtype)
        )
    assert "padding=same" in repr(nn.Conv2d(3, 4, 4, padding="same"))
    with pytest.raises(ShapeError, match="padding='same' is not supported for strided"):
        nn.Conv2d(3, 4, 3, stride=2, padding="same")


# ---------------------------------------------------------------- max pooling dilation


@given(dtype=float_dtypes, data=st.data())
def test_max_pool_dilation_matches_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    d = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    ceil = draw(st.booleans())
    size = [draw(st.integers(max(1, d[i] * (k[i] - 1) + 1 - 2 * p[i]), 9)) for i in range(2)]
    batch = draw(st.sampled_from([(), (0,), (2,)]))
    x = arrays((*batch, 2, *size), dtype, seed=draw(st.integers(0, 9)))
    kw = {"kernel_size": k, "stride": s, "padding": p, "dilation": d, "ceil_mode": ceil}
    try:
        F.max_pool2d(dev.tensor(x), **kw)
    except ShapeError as error:  # a window of padding only: refused (torch's gradient is arbitrary)
        assert "holds only padding" in str(error)
        return
    check(lambda t: tF.max_pool2d(t, **kw), lambda t: F.max_pool2d(t, **kw), x)
    kw1 = {name: v[1] if isinstance(v, tuple) else v for name, v in kw.items()}
    x1 = x.reshape(*x.shape[:-2], size[0] * size[1])
    try:
        F.max_pool1d(dev.tensor(x1), **kw1)
    except ShapeError as error:
        assert "holds only padding" in str(error)
        return
    check(lambda t: tF.max_pool1d(t, **kw1), lambda t: F.max_pool1d(t, **kw1), x1)


def test_max_pool_window_of_padding_only_is_refused() -> None:
    x = dev.zeros((1, 1, 6, 1))
    with pytest.raises(
        ShapeError, match=r"along W, window 0 \(cells -1\.\.1 by 2\) holds only padding"
    ):
        F.max_pool2d(x, (1, 2), (2, 1), (0, 1), dilation=2)
