"""The 2-D layers with per-axis sizes (`nn.Conv2d(3, 16, (3, 5), stride=(1, 2))`) and the
pools' ceil_mode / dilation / count_include_pad, against torch.nn's layers: values and the
gradients of the input, the weight and the bias (torch's layer runs on our weights)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from shaped import nn
from shaped.errors import ShapeError
from tests.oracle import arrays, check, float_dtypes

L = Literal
pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
dev = sh.Cpu(seed=0)
pairs = st.tuples(st.integers(1, 3), st.integers(1, 3))


def sizes(draw: Any, low: int, high: int) -> Any:
    """An int or a pair, as torch's layers take them."""
    if draw(st.booleans()):
        return draw(st.integers(low, high))
    return (draw(st.integers(low, high)), draw(st.integers(low, high)))


def two(value: Any) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else value


def batch_of(draw: Any) -> tuple[int, ...]:
    return draw(st.sampled_from([(), (0,), (1,), (2,)]))


def tol(dtype: Any) -> dict[str, Any]:
    return {"rtol": 1e-6, "atol": 1e-9} if dtype == np.float64 else {"rtol": 1e-4, "atol": 1e-4}


def check_layer(ours: Any, theirs: torch.nn.Module, x: np.ndarray, **kw: Any) -> None:
    """ours against theirs run on our weight and bias: values, and the gradients of x, weight
    and bias (torch.func.functional_call puts our parameters into torch's layer)."""
    params = ours.weight, ours.bias
    weight = ours.weight.numpy()
    bias = None if ours.bias is None else ours.bias.numpy()

    def run_ours(t: Any, w: Any, b: Any = None) -> Any:
        ours.weight, ours.bias = w, b
        return ours(t)

    def run_theirs(t: Any, w: Any, b: Any = None) -> Any:
        params = {"weight": w} if b is None else {"weight": w, "bias": b}
        return torch.func.functional_call(theirs, params, (t,))

    assert tuple(theirs.weight.shape) == weight.shape  # type: ignore[union-attr]
    try:
        if bias is None:
            check(run_theirs, run_ours, x, weight, **kw)
        else:
            check(run_theirs, run_ours, x, weight, bias, **kw)
    finally:
        ours.weight, ours.bias = params


def torch_dtype(dtype: Any) -> torch.dtype:
    return torch.float64 if dtype == np.float64 else torch.float32


def sh_dtype(dtype: Any) -> Any:
    return sh.Float64 if dtype == np.float64 else sh.Float32


# ---------------------------------------------------------------- Conv2d, ConvTranspose2d


@settings(deadline=None, max_examples=40)
@given(dtype=float_dtypes, data=st.data())
def test_conv2d_layer_per_axis_sizes_match_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    kernel, stride = sizes(draw, 1, 4), sizes(draw, 1, 3)
    padding, dilation = sizes(draw, 0, 2), sizes(draw, 1, 2)
    groups, bias = draw(st.sampled_from([1, 2])), draw(st.booleans())
    (kh, kw), (ph, pw), (dh, dw) = two(kernel), two(padding), two(dilation)
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), 8))
    w = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), 8))
    kw_args: dict[str, Any] = {
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": groups,
        "bias": bias,
    }
    ours = nn.Conv2d(4, 6, kernel, dtype=sh_dtype(dtype), **kw_args)
    theirs = torch.nn.Conv2d(4, 6, kernel, dtype=torch_dtype(dtype), **kw_args)
    assert repr(ours) == repr(theirs)
    x = arrays((*batch_of(draw), 4, h, w), dtype, seed=draw(st.integers(0, 9)))
    check_layer(ours, theirs, x, **tol(dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kernel", [(3, 5), (2, 3), (4, 4), (1, 2)])
def test_conv2d_layer_per_axis_padding_same_matches_torch(dtype: Any, kernel: Any) -> None:
    ours = nn.Conv2d(3, 4, kernel, padding="same", dilation=(1, 2), dtype=sh_dtype(dtype))
    theirs = torch.nn.Conv2d(
        3, 4, kernel, padding="same", dilation=(1, 2), dtype=torch_dtype(dtype)
    )
    x = arrays((2, 3, 7, 9), dtype)
    check_layer(ours, theirs, x, **tol(dtype))
    assert ours(dev.tensor(x)).shape == (2, 4, 7, 9)


@settings(deadline=None, max_examples=40)
@given(dtype=float_dtypes, data=st.data())
def test_conv_transpose2d_layer_per_axis_sizes_match_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    kernel, stride, dilation = sizes(draw, 1, 3), sizes(draw, 1, 3), sizes(draw, 1, 2)
    (sh_, sw), (dh, dw) = two(stride), two(dilation)
    out_pad = (
        draw(st.integers(0, max(sh_, dh) - 1)),
        draw(st.integers(0, max(sw, dw) - 1)),
    )
    (kh, kw) = two(kernel)
    padding = (draw(st.integers(0, dh * (kh - 1) // 2)), draw(st.integers(0, dw * (kw - 1) // 2)))
    groups, bias = draw(st.sampled_from([1, 2])), draw(st.booleans())
    kw_args: dict[str, Any] = {
        "stride": stride,
        "padding": padding,
        "output_padding": out_pad,
        "dilation": dilation,
        "groups": groups,
        "bias": bias,
    }
    ours = nn.ConvTranspose2d(4, 6, kernel, dtype=sh_dtype(dtype), **kw_args)
    theirs = torch.nn.ConvTranspose2d(4, 6, kernel, dtype=torch_dtype(dtype), **kw_args)
    assert repr(ours) == repr(theirs)
    x = arrays((*batch_of(draw), 4, draw(st.integers(1, 5)), draw(st.integers(1, 5))), dtype)
    check_layer(ours, theirs, x, **tol(dtype))


# ---------------------------------------------------------------- pools


@settings(deadline=None, max_examples=60)
@given(dtype=float_dtypes, data=st.data())
def test_max_pool2d_layer_options_match_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    kernel = sizes(draw, 1, 3)
    (kh, kw) = two(kernel)
    stride = draw(st.one_of(st.none(), st.integers(1, 3), pairs))
    dilation, ceil_mode = sizes(draw, 1, 2), draw(st.booleans())
    (dh, dw) = two(dilation)
    # dilated windows with padding may hold only padding: shaped refuses them (not torch's -inf)
    padding = (
        draw(st.integers(0, kh // 2 if dh == 1 else 0)),
        draw(st.integers(0, kw // 2 if dw == 1 else 0)),
    )
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * padding[0]), 8))
    w = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * padding[1]), 8))
    kw_args = {"stride": stride, "padding": padding, "dilation": dilation, "ceil_mode": ceil_mode}
    x = arrays((*batch_of(draw), 3, h, w), dtype, seed=draw(st.integers(0, 9)))
    check(torch.nn.MaxPool2d(kernel, **kw_args), nn.MaxPool2d(kernel, **kw_args), x)


@settings(deadline=None, max_examples=60)
@given(dtype=float_dtypes, data=st.data())
def test_avg_pool2d_layer_options_match_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    kernel = sizes(draw, 1, 3)
    (kh, kw) = two(kernel)
    stride = draw(st.one_of(st.none(), st.integers(1, 3), pairs))
    padding = (draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2)))
    kw_args = {
        "stride": stride,
        "padding": padding,
        "ceil_mode": draw(st.booleans()),
        "count_include_pad": draw(st.booleans()),
    }
    h = draw(st.integers(max(1, kh - 2 * padding[0]), 8))
    w = draw(st.integers(max(1, kw - 2 * padding[1]), 8))
    x = arrays((*batch_of(draw), 3, h, w), dtype, seed=draw(st.integers(0, 9)))
    check(torch.nn.AvgPool2d(kernel, **kw_args), nn.AvgPool2d(kernel, **kw_args), x, **tol(dtype))


@settings(deadline=None, max_examples=40)
@given(dtype=float_dtypes, data=st.data())
def test_pool1d_layer_options_match_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    k = draw(st.integers(1, 4))
    stride = draw(st.one_of(st.none(), st.integers(1, 3)))
    dilation = draw(st.integers(1, 3))
    padding = draw(st.integers(0, k // 2 if dilation == 1 else 0))  # as in the 2-D test
    ceil_mode, include = draw(st.booleans()), draw(st.booleans())
    length = draw(st.integers(max(1, dilation * (k - 1) + 1 - 2 * padding), 12))
    x = arrays((*batch_of(draw), 3, length), dtype, seed=draw(st.integers(0, 9)))
    options = {"stride": stride, "padding": padding, "ceil_mode": ceil_mode}
    check(
        torch.nn.MaxPool1d(k, dilation=dilation, **options),  # type: ignore[arg-type]
        nn.MaxPool1d(k, dilation=dilation, **options),  # type: ignore[arg-type]
        x,
    )
    length = draw(st.integers(max(1, k - 2 * padding), 12))
    x = arrays((*batch_of(draw), 3, length), dtype, seed=draw(st.integers(0, 9)))
    check(
        torch.nn.AvgPool1d(k, count_include_pad=include, **options),  # type: ignore[arg-type]
        nn.AvgPool1d(k, count_include_pad=include, **options),  # type: ignore[arg-type]
        x,
        **tol(dtype),
    )


# ---------------------------------------------------------------- construction, build_module


def test_per_axis_sizes_are_checked_each() -> None:
    with pytest.raises(ShapeError, match=r"Conv2d: kernel_size must be at least 1, got \(3, 0\)"):
        nn.Conv2d(3, 4, (3, 0))
    with pytest.raises(ShapeError, match=r"stride must be at least 1, got \(0, 1\)"):
        nn.ConvTranspose2d(3, 4, 2, stride=(0, 1))
    with pytest.raises(ShapeError, match=r"padding must be at least 0, got \(1, -1\)"):
        nn.MaxPool2d(3, padding=(1, -1))
    with pytest.raises(ShapeError, match=r"dilation must be at least 1, got \(1, 0\)"):
        nn.MaxPool2d(3, dilation=(1, 0))
    with pytest.raises(TypeError, match="kernel_size must be an int or a pair of ints"):
        nn.AvgPool2d((2, 2, 2))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="kernel_size must be an int"):
        nn.MaxPool1d((2, 2))  # type: ignore[arg-type]
    sh.shapes.layer_sizes("Conv2d", {"kernel_size": (1, 1), "padding": (0, 2)})
    with pytest.raises(ShapeError, match=r"padding must be at least 0, got \(0, -2\)"):
        sh.shapes.layer_sizes("Conv2d", {"kernel_size": (1, 1), "padding": (0, -2)})
    with pytest.raises(ShapeError, match="padding='same' is not supported for strided"):
        nn.Conv2d(3, 4, (3, 5), stride=(1, 2), padding="same")


def test_build_module_reads_per_axis_sizes() -> None:
    arch = tuple[
        nn.Conv2d[L[3], L[8], tuple[L[3], L[5]], tuple[L[1], L[2]], tuple[L[1], L[2]]],
        nn.MaxPool2d[tuple[L[2], L[1]]],
        nn.ConvTranspose2d[L[8], L[4], tuple[L[4], L[2]], tuple[L[2], L[1]]],
        nn.AvgPool2d[L[2], tuple[L[1], L[2]]],
    ]
    model = dev.build_module(arch)
    conv, pool, up, avg = model
    assert (conv.kernel_size, conv.stride, conv.padding) == ((3, 5), (1, 2), (1, 2))
    assert conv.weight.shape == (8, 3, 3, 5)
    assert (pool.kernel_size, pool.stride) == ((2, 1), (2, 1))
    assert up.weight.shape == (8, 4, 4, 2)
    assert (avg.kernel_size, avg.stride) == (2, (1, 2))
    out = model(dev.randn((2, 3, 12, 16)))
    ref = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, (3, 5), stride=(1, 2), padding=(1, 2)),
        torch.nn.MaxPool2d((2, 1)),
        torch.nn.ConvTranspose2d(8, 4, (4, 2), stride=(2, 1)),
        torch.nn.AvgPool2d(2, stride=(1, 2)),
    )(torch.zeros(2, 3, 12, 16))
    assert out.shape == tuple(ref.shape)
