"""conv2d, conv_transpose2d, max_pool2d and avg_pool2d against torch.nn.functional."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as tF
from hypothesis import given
from hypothesis import strategies as st

import shaped as sh
from shaped.ops import conv
from shaped.tensor import Tensor
from tests.oracle import arrays, check, float_dtypes

DTYPES = [np.float64, np.float32]
dev = sh.Cpu(seed=0)


def tol(dtype: Any) -> dict[str, Any]:
    """float64: rtol 1e-6; float32: rtol 1e-4 (atol for sums of a few hundred products)."""
    return {"rtol": 1e-6, "atol": 1e-9} if dtype == np.float64 else {"rtol": 1e-4, "atol": 1e-4}


def conv_case(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, dtype: Any, **kw: Any) -> None:
    if b is None:
        check(
            lambda t, u: tF.conv2d(t, u, None, **kw),
            lambda t, u: conv.conv2d(t, u, None, **kw),
            x,
            w,
            **tol(dtype),
        )
    else:
        check(
            lambda t, u, v: tF.conv2d(t, u, v, **kw),
            lambda t, u, v: conv.conv2d(t, u, v, **kw),
            x,
            w,
            b,
            **tol(dtype),
        )


def transpose_case(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None, dtype: Any, **kw: Any
) -> None:
    if b is None:
        check(
            lambda t, u: tF.conv_transpose2d(t, u, None, **kw),
            lambda t, u: conv.conv_transpose2d(t, u, None, **kw),
            x,
            w,
            **tol(dtype),
        )
    else:
        check(
            lambda t, u, v: tF.conv_transpose2d(t, u, v, **kw),
            lambda t, u, v: conv.conv_transpose2d(t, u, v, **kw),
            x,
            w,
            b,
            **tol(dtype),
        )


# ---------------------------------------------------------------- conv2d


@given(dtype=float_dtypes, data=st.data())
def test_conv2d_matches_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    groups = draw(st.integers(1, 3))
    channels = groups * draw(st.integers(1, 2))
    filters = groups * draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    size = [
        draw(st.integers(max(1, dilation[i] * (kernel[i] - 1) + 1 - 2 * padding[i]), 8))
        for i in range(2)
    ]
    batch = draw(st.sampled_from([(), (1,), (2,), (3,)]))
    x = arrays((*batch, channels, *size), dtype, seed=1)
    w = arrays((filters, channels // groups, *kernel), dtype, seed=2)
    b = arrays((filters,), dtype, seed=3) if draw(st.booleans()) else None
    conv_case(x, w, b, dtype, stride=stride, padding=padding, dilation=dilation, groups=groups)


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv2d_int_arguments_and_small_cnn_shapes(dtype: Any) -> None:
    conv_case(
        arrays((4, 1, 12, 12), dtype), arrays((5, 1, 3, 3), dtype, seed=1), None, dtype, padding=1
    )
    conv_case(
        arrays((2, 6, 7, 7), dtype),
        arrays((4, 6, 3, 3), dtype, seed=1),
        arrays((4,), dtype, seed=2),
        dtype,
        stride=2,
        padding=1,
        dilation=2,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv2d_unbatched(dtype: Any) -> None:
    x = arrays((3, 6, 5), dtype)
    w = arrays((4, 3, 2, 3), dtype, seed=1)
    b = arrays((4,), dtype, seed=2)
    conv_case(x, w, b, dtype, padding=(1, 0))
    conv_case(x, w, b, dtype, stride=(2, 1))
    out = conv.conv2d(dev.tensor(x), dev.tensor(w), dev.tensor(b), padding=(1, 0))
    assert out.shape == (4, 7, 3)


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv2d_non_contiguous_inputs(dtype: Any) -> None:
    x = arrays((2, 3, 9, 7), dtype).transpose(0, 1, 3, 2)
    w = arrays((4, 3, 3, 2), dtype, seed=1)[:, :, ::-1]
    assert not x.flags.c_contiguous and not w.flags.c_contiguous
    assert not dev.tensor(x)._data.flags.c_contiguous  # the layout reaches the op
    conv_case(x, w, arrays((4,), dtype, seed=2), dtype, padding=1)
    conv_case(x, w, None, dtype, stride=2)
    strided = arrays((2, 3, 10, 12), dtype)[:, :, ::2, 1::2]
    conv_case(strided, arrays((2, 3, 2, 2), dtype), None, dtype, padding=(0, 1))


def test_conv2d_zero_batch_and_one_by_one_kernel() -> None:
    conv_case(arrays((0, 2, 4, 4)), arrays((3, 2, 3, 3), seed=1), None, np.float64, padding=1)
    conv_case(arrays((2, 4, 3, 5)), arrays((6, 4, 1, 1), seed=1), arrays((6,)), np.float64)


def test_conv2d_skips_the_input_gradient_when_not_needed() -> None:
    x = dev.tensor(arrays((2, 3, 6, 6)))
    w = dev.tensor(arrays((4, 3, 3, 3), seed=1)).traced(sh.Gradients())
    out = conv.conv2d(x, w, padding=1)
    assert out._tape is not None
    vjp = out._tape.root().records[-1][-1]
    gx, gw = vjp(np.ones(out.shape), (False, True))
    assert gx is None and gw is not None and gw.shape == (4, 3, 3, 3)


# ---------------------------------------------------------------- conv_transpose2d


@given(dtype=float_dtypes, data=st.data())
def test_conv_transpose2d_matches_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    groups = draw(st.integers(1, 3))
    in_channels = groups * draw(st.integers(1, 2))
    per_group = draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    output_padding = tuple(draw(st.integers(0, max(stride[i], dilation[i]) - 1)) for i in range(2))
    size = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    padding = tuple(
        draw(
            st.integers(
                0,
                min(
                    2,
                    ((size[i] - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + output_padding[i])
                    // 2,
                ),
            )
        )
        for i in range(2)
    )
    batch = draw(st.sampled_from([(), (1,), (2,)]))
    x = arrays((*batch, in_channels, *size), dtype, seed=1)
    w = arrays((in_channels, per_group, *kernel), dtype, seed=2)
    b = arrays((per_group * groups,), dtype, seed=3) if draw(st.booleans()) else None
    transpose_case(
        x,
        w,
        b,
        dtype,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        groups=groups,
        dilation=dilation,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv_transpose2d_unbatched_and_non_contiguous(dtype: Any) -> None:
    x = arrays((2, 4, 5, 6), dtype).transpose(0, 1, 3, 2)
    w = arrays((4, 3, 3, 3), dtype, seed=1)
    b = arrays((3,), dtype, seed=2)
    transpose_case(x, w, b, dtype, stride=2, padding=1, output_padding=1)
    transpose_case(x, w, None, dtype)
    transpose_case(x[0], w, b, dtype, stride=(1, 2), padding=(0, 1))


def test_conv_transpose2d_is_the_adjoint_of_conv2d() -> None:
    """<conv2d(x), y> == <x, conv_transpose2d(y)> with the same weight and geometry."""
    x, w = arrays((2, 4, 9, 8)), arrays((6, 2, 3, 2), seed=1)
    kw: dict[str, Any] = {"stride": (2, 3), "padding": (1, 1), "dilation": (2, 1), "groups": 2}
    y = conv.conv2d(dev.tensor(x), dev.tensor(w), **kw).numpy()
    r = arrays(y.shape, seed=2)
    back = conv.conv_transpose2d(dev.tensor(r), dev.tensor(w), output_padding=(0, 2), **kw)
    assert back.shape == x.shape
    np.testing.assert_allclose((y * r).sum(), (x * back.numpy()).sum(), rtol=1e-10)


# ---------------------------------------------------------------- pooling


@given(dtype=float_dtypes, data=st.data())
def test_pools_match_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = draw(st.sampled_from([None, 1, 2, 3, (1, 2), (2, 1)]))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    size = [draw(st.integers(max(1, kernel[i] - 2 * padding[i]), 8)) for i in range(2)]
    batch = draw(st.sampled_from([(), (1,), (2, 3), (2, 1)]))
    x = arrays((*batch, *size), dtype, seed=draw(st.integers(0, 9)))
    if len(batch) == 0:
        x = x[None]
    check(
        lambda t: tF.max_pool2d(t, kernel, stride, padding),
        lambda t: conv.max_pool2d(t, kernel, stride, padding),
        x,
        **tol(dtype),
    )
    check(
        lambda t: tF.avg_pool2d(t, kernel, stride, padding),
        lambda t: conv.avg_pool2d(t, kernel, stride, padding),
        x,
        **tol(dtype),
    )


TIE_CASES: list[tuple[Any, Any, Any]] = [
    (2, None, 0),
    (3, 1, 1),
    (3, 2, 1),
    ((2, 3), (1, 2), (1, 1)),
    (2, 1, 0),
]


@pytest.mark.parametrize(("kernel", "stride", "padding"), TIE_CASES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_max_pool2d_ties_go_to_the_first_maximum(
    kernel: Any, stride: Any, padding: Any, dtype: Any
) -> None:
    equal = np.full((2, 3, 7, 8), 1.5, dtype=dtype)
    repeats = np.random.default_rng(0).integers(0, 3, (2, 3, 7, 8)).astype(dtype)
    few = np.random.default_rng(1).integers(-1, 1, (3, 6, 6)).astype(dtype)  # unbatched
    for x in (equal, repeats, few, repeats.transpose(0, 1, 3, 2)):
        check(
            lambda t: tF.max_pool2d(t, kernel, stride, padding),
            lambda t: conv.max_pool2d(t, kernel, stride, padding),
            x,
        )


def test_pools_unbatched_and_non_contiguous() -> None:
    x = arrays((3, 8, 9)).transpose(0, 2, 1)
    for fn, ours in ((tF.max_pool2d, conv.max_pool2d), (tF.avg_pool2d, conv.avg_pool2d)):
        check(lambda t, f=fn: f(t, 3, 2, 1), lambda t, g=ours: g(t, 3, 2, 1), x)
        check(lambda t, f=fn: f(t, (2, 3)), lambda t, g=ours: g(t, (2, 3)), x[None])


def test_avg_pool2d_counts_padding_in_the_divisor() -> None:
    out = conv.avg_pool2d(dev.tensor(np.ones((1, 1, 2, 2))), 2, 1, 1).numpy()
    np.testing.assert_allclose(out[0, 0], [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])


def test_pools_keep_dtype_and_device() -> None:
    x = dev.tensor(arrays((2, 2, 4, 4), np.float32))
    for op in (conv.max_pool2d, conv.avg_pool2d):
        out: Tensor[Any, Any, Any, Any] = op(x, 2)
        assert out.numpy().dtype == np.float32 and out._device is x._device


# ---------------------------------------------------------------- errors


def test_channel_mismatch_names_the_arithmetic() -> None:
    x = dev.tensor(arrays((2, 3, 8, 8)))
    with pytest.raises(sh.ShapeError, match=r"expects 2\*1 = 2 input channels, got 3"):
        conv.conv2d(x, dev.tensor(arrays((4, 2, 3, 3))))
    with pytest.raises(sh.ShapeError, match="not divisible by groups=2"):
        conv.conv2d(x, dev.tensor(arrays((4, 1, 3, 3))), groups=2)
    with pytest.raises(sh.ShapeError, match="expects 4 input channels, got 3"):
        conv.conv_transpose2d(x, dev.tensor(arrays((4, 2, 3, 3))))
    with pytest.raises(sh.ShapeError, match=r"bias must be \(4,\)"):
        conv.conv2d(x, dev.tensor(arrays((4, 3, 3, 3))), dev.tensor(arrays((5,))))


def test_too_small_input_names_the_arithmetic() -> None:
    x = dev.tensor(arrays((1, 2, 4, 4)))
    with pytest.raises(sh.ShapeError, match=r"H_out = \(4 \+ 2\*0 - 1\*\(5-1\) - 1\)//1 \+ 1 = 0"):
        conv.conv2d(x, dev.tensor(arrays((3, 2, 5, 3))))
    with pytest.raises(sh.ShapeError, match=r"W_out = \(4 \+ 2\*0 - 2\*\(3-1\) - 1\)//1 \+ 1 = 0"):
        conv.conv2d(x, dev.tensor(arrays((3, 2, 1, 3))), dilation=2)
    with pytest.raises(sh.ShapeError, match=r"H_out = \(4 \+ 2\*0 - 5\)//1 \+ 1 = 0"):
        conv.max_pool2d(x, 5, 1)
    with pytest.raises(sh.ShapeError, match=r"W_out = \(4 \+ 2\*0 - 5\)//5 \+ 1 = 0"):
        conv.avg_pool2d(x, (1, 5))
    with pytest.raises(
        sh.ShapeError, match=r"H_out = \(4-1\)\*1 - 2\*2 \+ 1\*\(1-1\) \+ 0 \+ 1 = 0"
    ):
        conv.conv_transpose2d(x, dev.tensor(arrays((2, 1, 1, 1))), padding=2)


def test_bad_ranks_and_arguments() -> None:
    x = dev.tensor(arrays((2, 8, 8)))
    with pytest.raises(sh.ShapeError, match=r"input must be \(N, C, H, W\) or \(C, H, W\)"):
        conv.conv2d(dev.tensor(arrays((8, 8))), dev.tensor(arrays((1, 1, 3, 3))))
    with pytest.raises(sh.ShapeError, match="weight must be"):
        conv.conv2d(x, dev.tensor(arrays((1, 2, 3))))
    with pytest.raises(sh.ShapeError, match="stride must be >= 1"):
        conv.conv2d(x, dev.tensor(arrays((1, 2, 3, 3))), stride=0)
    with pytest.raises(sh.ShapeError, match=r"padding .* must be at most half the kernel"):
        conv.max_pool2d(x, 2, padding=2)
    with pytest.raises(sh.ShapeError, match="output_padding 2 must be smaller"):
        conv.conv_transpose2d(x, dev.tensor(arrays((2, 1, 3, 3))), stride=2, output_padding=2)


def test_dtype_mismatch() -> None:
    x = dev.tensor(arrays((1, 2, 5, 5), np.float32))
    w = dev.tensor(arrays((3, 2, 3, 3), np.float64))
    with pytest.raises(sh.DtypeError, match="dtypes differ"):
        conv.conv2d(x, w)
    with pytest.raises(sh.DtypeError, match="dtypes differ"):
        conv.conv2d(x, w.to(sh.Float32), dev.tensor(arrays((3,), np.float64)))
    with pytest.raises(sh.DtypeError, match="dtypes differ"):
        conv.conv_transpose2d(x, dev.tensor(arrays((2, 3, 3, 3), np.float64)))


def test_max_pool2d_nan_propagates_and_its_last_nan_gets_the_gradient() -> None:
    nan = np.nan
    x = np.array(
        [[[[nan, 1.0, nan, 2.0], [1.0, 5.0, 5.0, 3.0]], [[0.0, nan, 1.0, 1.0], [2, 2, 2, 2]]]]
    )
    for kernel, stride in (((1, 4), None), ((2, 2), 1), ((2, 3), (1, 1)), ((1, 2), None)):
        grads = sh.Gradients()
        ours_x = dev.tensor(x).traced(grads)
        ours = conv.max_pool2d(ours_x, kernel, stride)
        upstream = arrays(ours.shape, seed=3)
        got = (ours * dev.tensor(upstream)).sum().backward()
        theirs = torch.tensor(x, requires_grad=True)
        ref = tF.max_pool2d(theirs, kernel, stride)
        (ref * torch.tensor(upstream)).sum().backward()  # type: ignore[no-untyped-call]
        np.testing.assert_array_equal(ours.numpy(), ref.detach().numpy())
        assert theirs.grad is not None
        np.testing.assert_allclose(got[ours_x].numpy(), theirs.grad.numpy(), rtol=1e-12)
