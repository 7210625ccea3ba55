# ruff: noqa: B023  (the lambdas run inside the loop iteration that defines them)
"""Spatial ops and layers against torch: 3-d pools, max pools with indices, unpooling,
transposed 1-d and 3-d convolutions, trilinear interpolation, Upsample and the padding layers."""

from __future__ import annotations

from typing import Any
from typing import Literal as L

import numpy as np
import pytest
import torch
import torch.nn.functional as tF
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from shaped import nn
from shaped.errors import DtypeError, ShapeError
from shaped.nn import functional as F
from tests.oracle import arrays, check, float_dtypes

DTYPES = [np.float64, np.float32]
dev = sh.Cpu(seed=0)
SETTINGS = settings(max_examples=25, deadline=None)


def tol(dtype: Any) -> dict[str, float]:
    return {"rtol": 1e-6, "atol": 1e-9} if dtype == np.float64 else {"rtol": 1e-4, "atol": 1e-4}


def _per_axis(draw: Any, low: int, high: int, count: int = 3) -> Any:
    if draw(st.booleans()):
        return draw(st.integers(low, high))
    return tuple(draw(st.integers(low, high)) for _ in range(count))


def _each(value: Any, count: int = 3) -> tuple[int, ...]:
    return (value,) * count if isinstance(value, int) else tuple(value)


def _pool_case(draw: Any, count: int, dilated: bool) -> tuple[dict[str, Any], tuple[int, ...]]:
    """Pooling options and a spatial size that gives a non-empty output with no window of
    padding only (torch and shaped both refuse those)."""
    kernel = _per_axis(draw, 1, 3, count)
    pad = tuple(draw(st.integers(0, k // 2)) for k in _each(kernel, count))
    stride = draw(st.one_of(st.none(), st.just(_per_axis(draw, 1, 3, count))))
    dilation = _per_axis(draw, 1, 2, count) if dilated else 1
    options: dict[str, Any] = {"kernel_size": kernel, "stride": stride, "padding": pad}
    options["ceil_mode"] = draw(st.booleans())
    if dilated:
        options["dilation"] = dilation
    size = tuple(
        di * (k - 1) + 1 + draw(st.integers(0, 3))
        for k, di in zip(_each(kernel, count), _each(dilation, count))
    )
    return options, size


def _torch_pool(fn: Any, options: dict[str, Any]) -> Any:
    return lambda t: fn(t, **options)


# ---------------------------------------------------------------- 3-d pooling


@SETTINGS
@given(dtype=float_dtypes, data=st.data())
def test_max_pool3d_matches_torch(dtype: Any, data: st.DataObject) -> None:
    options, size = _pool_case(data.draw, 3, dilated=True)
    batch = data.draw(st.sampled_from([(), (1,), (2,), (0,)]))
    x = arrays((*batch, 2, *size), dtype, seed=data.draw(st.integers(0, 9)))
    check(_torch_pool(tF.max_pool3d, options), _torch_pool(F.max_pool3d, options), x)
    indices = {**options, "return_indices": True}
    check(
        lambda t: tF.max_pool3d(t, **indices)[1],
        lambda t: F.max_pool3d(t, **indices)[1],
        x,
        grad=False,
    )
    check(lambda t: tF.max_pool3d(t, **indices)[0], lambda t: F.max_pool3d(t, **indices)[0], x)


@SETTINGS
@given(dtype=float_dtypes, data=st.data())
def test_avg_pool3d_matches_torch(dtype: Any, data: st.DataObject) -> None:
    options, size = _pool_case(data.draw, 3, dilated=False)
    options["count_include_pad"] = data.draw(st.booleans())
    if data.draw(st.booleans()):
        options["divisor_override"] = data.draw(st.integers(1, 9))
    batch = data.draw(st.sampled_from([(), (1,), (2,), (0,)]))
    x = arrays((*batch, 3, *size), dtype, seed=data.draw(st.integers(0, 9)))
    check(_torch_pool(tF.avg_pool3d, options), _torch_pool(F.avg_pool3d, options), x, **tol(dtype))


def test_pool3d_ties_nan_and_non_contiguous() -> None:
    ties = np.zeros((1, 2, 4, 4, 4))  # every cell ties: the first of each window wins
    ties[0, 1, 1, 2, 3] = np.nan  # a NaN window keeps NaN, its gradient goes to the NaN
    for options in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1}):
        check(_torch_pool(tF.max_pool3d, options), _torch_pool(F.max_pool3d, options), ties)
        with_indices = {**options, "return_indices": True}
        check(
            lambda t: tF.max_pool3d(t, **with_indices)[1],
            lambda t: F.max_pool3d(t, **with_indices)[1],
            ties,
            grad=False,
        )
    x = arrays((5, 6, 4, 3, 2)).transpose(4, 3, 2, 1, 0)  # non-contiguous
    check(lambda t: tF.avg_pool3d(t, 2, 1), lambda t: F.avg_pool3d(t, 2, 1), x)
    check(lambda t: tF.max_pool3d(t, (1, 2, 3)), lambda t: F.max_pool3d(t, (1, 2, 3)), x)


def test_pool3d_errors_as_torch() -> None:
    x = dev.zeros((1, 2, 4, 4, 4))
    with pytest.raises(ShapeError, match=r"input must be \(N, C, D, H, W\) or \(C, D, H, W\)"):
        F.max_pool3d(dev.zeros((4, 4, 4)), 2)
    with pytest.raises(RuntimeError, match="4D or 5D"):
        tF.max_pool3d(torch.zeros(4, 4, 4), 2)
    with pytest.raises(ShapeError, match=r"padding .* must be at most half the kernel size"):
        F.avg_pool3d(x, 2, padding=(0, 2, 0))
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        tF.avg_pool3d(torch.zeros(1, 2, 4, 4, 4), 2, padding=(0, 2, 0))
    with pytest.raises(ShapeError, match=r"D_out = .* the input is smaller than the kernel"):
        F.max_pool3d(x, (5, 1, 1))
    with pytest.raises(ShapeError, match="kernel_size must be an int or a 3-tuple"):
        F.max_pool3d(x, (2, 2))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="divisor_override must be >= 1"):
        F.avg_pool3d(x, 2, divisor_override=0)
    with pytest.raises(RuntimeError, match="divisor must be not zero"):
        tF.avg_pool3d(torch.zeros(1, 2, 4, 4, 4), 2, divisor_override=0)
    with pytest.raises(DtypeError, match=r"avg_pool3d.*floating-point"):
        F.avg_pool3d(dev.zeros((1, 2, 2, 2, 2), dtype=sh.Int64), 2)


# ---------------------------------------------------------------- max pools with indices


@SETTINGS
@given(dtype=float_dtypes, data=st.data())
def test_max_pool_1d_2d_indices_match_torch(dtype: Any, data: st.DataObject) -> None:
    count = data.draw(st.sampled_from([1, 2]))
    options, size = _pool_case(data.draw, count, dilated=True)
    if count == 1:
        options = {k: v[0] if isinstance(v, tuple) else v for k, v in options.items()}
    batch = data.draw(st.sampled_from([(), (1,), (2,), (0,)]))
    x = arrays((*batch, 2, *size), dtype, seed=data.draw(st.integers(0, 9)))
    torch_fn, ours = (tF.max_pool1d, F.max_pool1d) if count == 1 else (tF.max_pool2d, F.max_pool2d)
    indices = {**options, "return_indices": True}
    check(lambda t: torch_fn(t, **indices)[1], lambda t: ours(t, **indices)[1], x, grad=False)
    check(lambda t: torch_fn(t, **indices)[0], lambda t: ours(t, **indices)[0], x)
    values, where = ours(dev.tensor(x), **indices)
    assert where.dtype is sh.Int64 and values.shape == where.shape
    assert where._tape is None


def test_max_pool2d_indices_ties_and_nan() -> None:
    ties = np.zeros((1, 1, 4, 5))
    ties[0, 0, 2, 3] = np.nan
    ties[0, 0, 0, 0] = -np.inf  # a window of -inf and padding: its first input cell
    for options in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1}):
        with_indices = {**options, "return_indices": True}
        for pool, ours in ((tF.max_pool2d, F.max_pool2d), (tF.max_pool1d, F.max_pool1d)):
            data = ties if pool is tF.max_pool2d else ties[0]
            check(
                lambda t: pool(t, **with_indices)[1],
                lambda t: ours(t, **with_indices)[1],
                data,
                grad=False,
            )
            check(lambda t: pool(t, **with_indices)[0], lambda t: ours(t, **with_indices)[0], data)


@pytest.mark.parametrize("dtype", DTYPES)
def test_max_pool2d_with_and_without_indices_agree(dtype: Any) -> None:
    x = arrays((2, 3, 9, 8), dtype)
    for options in (
        {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
        {"kernel_size": (2, 3), "dilation": (2, 1)},
    ):
        plain = F.max_pool2d(dev.tensor(x), **options)
        values, _ = F.max_pool2d(dev.tensor(x), **options, return_indices=True)
        np.testing.assert_array_equal(plain.numpy(), values.numpy())


# ---------------------------------------------------------------- unpooling


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("count", [1, 2, 3])
def test_max_unpool_matches_torch(dtype: Any, count: int) -> None:
    pool = {1: tF.max_pool1d, 2: tF.max_pool2d, 3: tF.max_pool3d}[count]
    unpool = {1: tF.max_unpool1d, 2: tF.max_unpool2d, 3: tF.max_unpool3d}[count]
    ours = {1: F.max_unpool1d, 2: F.max_unpool2d, 3: F.max_unpool3d}[count]
    size = (7, 6, 5)[:count]
    even = (6, 4, 2)[:count]  # pooled by 2 and unpooled to the default size, as it was
    for options, shape, output_size in (
        ({"kernel_size": 2}, even, None),
        ({"kernel_size": 2}, size, size),
        ({"kernel_size": 3, "stride": 2, "padding": 1}, size, size),
        ({"kernel_size": 2}, size, (2, 3, *size)),
    ):
        x = torch.tensor(arrays((2, 3, *shape), dtype))
        values, where = pool(x, **options, return_indices=True)
        got = dev.tensor(where.numpy())
        check(
            lambda t: unpool(t, where, **options, output_size=output_size),
            lambda t: ours(t, got, **options, output_size=output_size),
            values.numpy(),
        )
    unbatched, where = pool(torch.tensor(arrays((3, *size), dtype)), 2, return_indices=True)
    check(
        lambda t: unpool(t, where, 2, output_size=size),
        lambda t: ours(t, dev.tensor(where.numpy()), 2, output_size=size),
        unbatched.numpy(),
    )


def test_max_unpool_errors_as_torch() -> None:
    x, where = dev.zeros((1, 1, 2, 2)), dev.tensor(np.array([[[[0, 3], [8, 16]]]]))
    with pytest.raises(ValueError, match=r"invalid max index 16 .*4x4"):
        F.max_unpool2d(x, where, 2)
    with pytest.raises(RuntimeError, match="invalid max index: 16"):
        tF.max_unpool2d(torch.zeros(1, 1, 2, 2), torch.tensor([[[[0, 3], [8, 16]]]]), 2)
    with pytest.raises(
        ShapeError, match=r'invalid output_size "\(6, 6\)" \(dim 0 must be between 2 and 6\)'
    ):
        F.max_unpool2d(x, where, 2, output_size=(6, 6))
    with pytest.raises(
        ValueError, match=r'invalid output_size "\(6, 6\)" \(dim 0 must be between 2 and 6\)'
    ):
        tF.max_unpool2d(
            torch.zeros(1, 1, 2, 2),
            torch.zeros(1, 1, 2, 2, dtype=torch.long),
            2,
            output_size=(6, 6),
        )
    with pytest.raises(ShapeError, match=r"indices .* must have the input's shape"):
        F.max_unpool2d(x, dev.zeros((1, 1, 2, 3), dtype=sh.Int64), 2)
    with pytest.raises(DtypeError, match="indices must be Int64"):
        F.max_unpool2d(x, dev.zeros((1, 1, 2, 2)), 2)  # type: ignore[arg-type]


# ---------------------------------------------------------------- transposed convolutions


@SETTINGS
@given(dtype=float_dtypes, data=st.data())
def test_conv_transpose1d_matches_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    groups = draw(st.integers(1, 2))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 3))
    k, stride, dilation = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
    padding = draw(st.integers(0, 2))
    output_padding = draw(st.integers(0, max(stride, dilation) - 1))
    length = draw(st.integers(1, 6))
    if (length - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1 < 1:
        padding = 0
    batch = draw(st.sampled_from([(), (1,), (2,), (0,)]))
    seed = draw(st.integers(0, 9))
    x = arrays((*batch, cin, length), dtype, seed=seed)
    w = arrays((cin, cout // groups, k), dtype, seed=seed + 1)
    b = arrays((cout,), dtype, seed=seed + 2)
    options = {
        "stride": stride,
        "padding": padding,
        "output_padding": output_padding,
        "groups": groups,
        "dilation": dilation,
    }
    check(
        lambda t, w, b: tF.conv_transpose1d(t, w, b, **options),
        lambda t, w, b: F.conv_transpose1d(t, w, b, **options),
        x,
        w,
        b,
        **tol(dtype),
    )


@SETTINGS
@given(dtype=float_dtypes, data=st.data())
def test_conv_transpose3d_matches_torch(dtype: Any, data: st.DataObject) -> None:
    draw = data.draw
    groups = draw(st.integers(1, 2))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(3))
    stride, dilation = _per_axis(draw, 1, 2), _per_axis(draw, 1, 2)
    extra = tuple(
        draw(st.integers(0, max(s, d) - 1)) for s, d in zip(_each(stride), _each(dilation))
    )
    padding = tuple(
        draw(st.integers(0, (d * (k - 1)) // 2)) for k, d in zip(kernel, _each(dilation))
    )
    size = tuple(draw(st.integers(1, 3)) for _ in range(3))
    batch = draw(st.sampled_from([(), (1,), (2,)]))
    seed = draw(st.integers(0, 9))
    x = arrays((*batch, cin, *size), dtype, seed=seed)
    w = arrays((cin, cout // groups, *kernel), dtype, seed=seed + 1)
    b = arrays((cout,), dtype, seed=seed + 2)
    options = {"stride": stride, "padding": padding, "output_padding": extra, "groups": groups}
    options["dilation"] = dilation
    if draw(st.booleans()):
        check(
            lambda t, w, b: tF.conv_transpose3d(t, w, b, **options),
            lambda t, w, b: F.conv_transpose3d(t, w, b, **options),
            x,
            w,
            b,
            **tol(dtype),
        )
    else:
        check(
            lambda t, w: tF.conv_transpose3d(t, w, **options),
            lambda t, w: F.conv_transpose3d(t, w, **options),
            x,
            w,
            **tol(dtype),
        )


def test_conv_transpose_errors_as_torch() -> None:
    x, w = dev.zeros((1, 4, 5)), dev.zeros((4, 2, 3))
    with pytest.raises(ShapeError, match=r"conv_transpose1d: input must be \(N, C_in, L\)"):
        F.conv_transpose1d(dev.zeros((5,)), w)
    with pytest.raises(ShapeError, match="expects 4 input channels, got 3"):
        F.conv_transpose1d(dev.zeros((1, 3, 5)), w)
    with pytest.raises(RuntimeError, match=r"expected input.* to have 4 channels"):
        tF.conv_transpose1d(torch.zeros(1, 3, 5), torch.zeros(4, 2, 3))
    with pytest.raises(
        ShapeError, match="output_padding 2 must be smaller than stride or dilation"
    ):
        F.conv_transpose1d(x, w, stride=2, output_padding=2)
    with pytest.raises(
        RuntimeError, match="output padding must be smaller than either stride or dilation"
    ):
        tF.conv_transpose1d(torch.zeros(1, 4, 5), torch.zeros(4, 2, 3), stride=2, output_padding=2)
    with pytest.raises(ShapeError, match="bias must be"):
        F.conv_transpose3d(dev.zeros((1, 4, 2, 2, 2)), dev.zeros((4, 2, 1, 1, 1)), dev.zeros((3,)))
    with pytest.raises(ShapeError, match=r"weight must be \(C_in, C_out/groups, kD, kH, kW\)"):
        F.conv_transpose3d(dev.zeros((1, 4, 2, 2, 2)), dev.zeros((4, 2, 1, 1)))
    with pytest.raises(DtypeError, match="convert"):
        F.conv_transpose1d(x.to(sh.Float64), w)


# ---------------------------------------------------------------- interpolation in 3-d


@SETTINGS
@given(dtype=float_dtypes, data=st.data())
def test_interpolate_3d_matches_torch(dtype: Any, data: st.DataObject) -> None:
    mode = data.draw(st.sampled_from(["trilinear", "nearest", "nearest-exact", "area"]))
    corners = data.draw(st.sampled_from([None, True, False])) if mode == "trilinear" else None
    size = tuple(data.draw(st.integers(1, 5)) for _ in range(3))
    x = arrays((data.draw(st.integers(0, 2)), 2, *size), dtype, seed=data.draw(st.integers(0, 9)))
    if data.draw(st.booleans()):
        out: Any = tuple(data.draw(st.integers(1, 7)) for _ in range(3))
        check(
            lambda t: tF.interpolate(t, size=out, mode=mode, align_corners=corners),
            lambda t: F.interpolate(t, size=out, mode=mode, align_corners=corners),
            x,
            **tol(dtype),
        )
    else:
        scale = data.draw(st.sampled_from([2, (1.5, 2.0, 1.0)] + [0.5] * (min(size) >= 2)))
        check(
            lambda t: tF.interpolate(t, scale_factor=scale, mode=mode, align_corners=corners),
            lambda t: F.interpolate(t, scale_factor=scale, mode=mode, align_corners=corners),
            x,
            **tol(dtype),
        )


def test_interpolate_3d_errors_as_torch() -> None:
    with pytest.raises(ShapeError, match="got 4D input, but trilinear mode needs 5D input"):
        F.interpolate(dev.zeros((1, 2, 3, 4)), scale_factor=2, mode="trilinear")
    with pytest.raises(NotImplementedError, match="Got 4D input, but trilinear mode needs 5D"):
        tF.interpolate(torch.zeros(1, 2, 3, 4), scale_factor=2, mode="trilinear")
    with pytest.raises(ShapeError, match="got 5D input, but bilinear mode needs 4D input"):
        F.interpolate(dev.zeros((1, 2, 3, 4, 5)), scale_factor=2, mode="bilinear")


# ---------------------------------------------------------------- layers with parameters


def _trains_like_torch(ours: Any, theirs: Any, x: np.ndarray, dtype: Any) -> None:
    """torch's state_dict loads; forward, every gradient and three SGD steps agree."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    opt, torch_opt = sh.optim.Sgd(ours, lr=0.1), torch.optim.SGD(theirs.parameters(), lr=0.1)
    rng = np.random.default_rng(0)
    for _ in range(3):
        grads = ours.alloc_grads()
        data = dev.tensor(x)
        out = ours(data.traced(grads))
        torch_x = torch.tensor(x, requires_grad=True)
        expect = theirs(torch_x)
        np.testing.assert_allclose(out.numpy(), expect.detach().numpy(), **tol(dtype))
        upstream = rng.standard_normal(expect.shape).astype(dtype)
        grads = (out * dev.tensor(upstream)).sum().backward()
        (expect * torch.tensor(upstream)).sum().backward()
        assert torch_x.grad is not None
        np.testing.assert_allclose(grads[data].numpy(), torch_x.grad.numpy(), **tol(dtype))
        for name, param in ours.named_parameters():
            torch_grad = dict(theirs.named_parameters())[name].grad
            np.testing.assert_allclose(grads[param].numpy(), torch_grad.numpy(), **tol(dtype))
        opt.update(ours, grads)
        torch_opt.step()
        torch_opt.zero_grad()
    for name, param in ours.named_parameters():
        torch_param = dict(theirs.named_parameters())[name]
        np.testing.assert_allclose(param.numpy(), torch_param.detach().numpy(), **tol(dtype))


def _dtypes(dtype: Any) -> tuple[Any, Any]:
    return (sh.Float64, torch.float64) if dtype == np.float64 else (sh.Float32, torch.float32)


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv_transpose1d_layer_trains_like_torch(dtype: Any) -> None:
    ours_dtype, torch_dtype = _dtypes(dtype)
    cases: list[dict[str, Any]] = [
        {"kernel_size": 3},
        {"kernel_size": 4, "stride": 2, "padding": 1, "output_padding": 1, "groups": 2},
        {"kernel_size": (2,), "dilation": 2, "bias": False},
    ]
    for options in cases:
        ours = nn.ConvTranspose1d(4, 6, dtype=ours_dtype, **options)
        theirs = torch.nn.ConvTranspose1d(4, 6, dtype=torch_dtype, **options)
        assert ours.weight.shape == tuple(theirs.weight.shape)
        _trains_like_torch(ours, theirs, arrays((2, 4, 7), dtype), dtype)
    bound = 1 / np.sqrt(6 * 3)  # torch's fan_in: Cout/groups * k
    layer = nn.ConvTranspose1d(4, 6, 3)
    assert np.abs(layer.weight.numpy()).max() <= bound and layer.bias is not None
    assert np.abs(layer.weight.numpy()).max() > bound * 0.8  # drawn from the whole range
    assert np.abs(layer.bias.numpy()).max() <= bound
    for options in cases:
        assert repr(nn.ConvTranspose1d(4, 6, **options)) == repr(
            torch.nn.ConvTranspose1d(4, 6, **options)
        )
    assert nn.ConvTranspose1d(4, 2, 3)(dev.zeros((4, 5))).shape == (2, 7)  # unbatched


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv_transpose3d_layer_trains_like_torch(dtype: Any) -> None:
    ours_dtype, torch_dtype = _dtypes(dtype)
    cases: list[dict[str, Any]] = [
        {"kernel_size": 2, "stride": 2},
        {"kernel_size": (1, 2, 3), "stride": (2, 1, 1), "padding": (0, 1, 1), "groups": 2},
        {"kernel_size": 2, "output_padding": (1, 0, 0), "stride": (2, 1, 1), "bias": False},
    ]
    for options in cases:
        ours = nn.ConvTranspose3d(4, 2, dtype=ours_dtype, **options)
        theirs = torch.nn.ConvTranspose3d(4, 2, dtype=torch_dtype, **options)
        _trains_like_torch(ours, theirs, arrays((2, 4, 3, 4, 3), dtype), dtype)
        assert repr(nn.ConvTranspose3d(4, 2, **options)) == repr(
            torch.nn.ConvTranspose3d(4, 2, **options)
        )
    bound = 1 / np.sqrt(2 * 8)
    assert np.abs(nn.ConvTranspose3d(4, 2, 2).weight.numpy()).max() <= bound


def test_layers_build_from_their_type() -> None:
    built = dev.build_module(nn.ConvTranspose1d[L[3], L[8], L[4], L[2], L[1]])
    assert built.weight.shape == (3, 8, 4) and built.stride == 2 and built.padding == 1
    assert built(dev.randn((2, 3, 5))).shape == (2, 8, 10)
    pool = dev.build_module(nn.MaxPool3d[L[2]])
    assert pool.kernel_size == 2 and pool.stride == 2 and pool.padding == 0
    pad = dev.build_module(nn.ZeroPad2d[L[0], L[1], L[2], L[3]])
    assert pad.padding == (0, 1, 2, 3)
    assert dev.build_module(nn.ReflectionPad1d[L[2]]).padding == (2, 2)
    unpool = dev.build_module(nn.MaxUnpool2d[L[2]])
    assert unpool.kernel_size == (2, 2) and unpool.stride == (2, 2)


# ---------------------------------------------------------------- layers without parameters


@pytest.mark.parametrize("dtype", DTYPES)
def test_pool3d_layers_match_torch(dtype: Any) -> None:
    x = arrays((2, 3, 5, 6, 7), dtype)
    cases: list[dict[str, Any]] = [
        {"kernel_size": 2},
        {"kernel_size": (3, 2, 3), "stride": (1, 2, 2), "padding": (1, 0, 1)},
        {"kernel_size": 3, "stride": 2, "ceil_mode": True},
    ]
    for options in cases:
        check(torch.nn.MaxPool3d(**options), nn.MaxPool3d(**options), x)
        check(torch.nn.AvgPool3d(**options), nn.AvgPool3d(**options), x, **tol(dtype))
        assert repr(nn.MaxPool3d(**options)) == repr(torch.nn.MaxPool3d(**options))
        assert repr(nn.AvgPool3d(**options)) == repr(torch.nn.AvgPool3d(**options))
    check(torch.nn.MaxPool3d(2, dilation=2), nn.MaxPool3d(2, dilation=2), x)
    options = {"count_include_pad": False, "divisor_override": None, "padding": 1}
    check(torch.nn.AvgPool3d(3, **options), nn.AvgPool3d(3, **options), x, **tol(dtype))
    check(torch.nn.AvgPool3d(2, divisor_override=3), nn.AvgPool3d(2, divisor_override=3), x)
    check(torch.nn.MaxPool3d(2), nn.MaxPool3d(2), x[0])  # unbatched


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("count", [1, 2, 3])
def test_max_unpool_layers_match_torch(dtype: Any, count: int) -> None:
    pool = {1: torch.nn.MaxPool1d, 2: torch.nn.MaxPool2d, 3: torch.nn.MaxPool3d}[count]
    torch_unpool = {1: torch.nn.MaxUnpool1d, 2: torch.nn.MaxUnpool2d, 3: torch.nn.MaxUnpool3d}[
        count
    ]
    ours = {1: nn.MaxUnpool1d, 2: nn.MaxUnpool2d, 3: nn.MaxUnpool3d}[count]
    size = (7, 6, 5)[:count]
    values, where = pool(3, stride=2, padding=1, return_indices=True)(
        torch.tensor(arrays((2, 3, *size), dtype))
    )
    layer, theirs = ours(3, stride=2, padding=1), torch_unpool(3, stride=2, padding=1)
    check(
        lambda t: theirs(t, where, output_size=size),
        lambda t: layer(t, dev.tensor(where.numpy()), output_size=size),
        values.numpy(),
    )
    values, where = pool(3, stride=2, padding=1, return_indices=True)(
        torch.tensor(arrays((2, 3, *(5, 7, 3)[:count]), dtype))  # the default size comes back
    )
    check(lambda t: theirs(t, where), lambda t: layer(t, dev.tensor(where.numpy())), values.numpy())
    assert repr(layer) == repr(theirs)


@pytest.mark.parametrize("dtype", DTYPES)
def test_upsample_layers_match_torch(dtype: Any) -> None:
    line, img, vol = (
        arrays((2, 3, 5), dtype),
        arrays((2, 3, 4, 5), dtype),
        arrays((1, 2, 3, 4, 2), dtype),
    )
    cases: list[tuple[dict[str, Any], np.ndarray]] = [
        ({"scale_factor": 2}, img),
        ({"scale_factor": 2, "mode": "bilinear"}, img),
        ({"scale_factor": 1.5, "mode": "bilinear", "align_corners": True}, img),
        ({"size": (7, 3), "mode": "bicubic"}, img),
        ({"size": 9, "mode": "linear"}, line),
        ({"scale_factor": (2, 1, 3), "mode": "trilinear"}, vol),
        ({"size": 5, "mode": "nearest-exact"}, vol),
        ({"scale_factor": 0.5, "mode": "area"}, img),
    ]
    for options, x in cases:
        check(torch.nn.Upsample(**options), nn.Upsample(**options), x, **tol(dtype))
        assert repr(nn.Upsample(**options)) == repr(torch.nn.Upsample(**options))
    for options in ({"scale_factor": 2}, {"size": (3, 7)}, {"size": 6}):
        check(torch.nn.UpsamplingNearest2d(**options), nn.UpsamplingNearest2d(**options), img)
        check(
            torch.nn.UpsamplingBilinear2d(**options),
            nn.UpsamplingBilinear2d(**options),
            img,
            **tol(dtype),
        )
        assert repr(nn.UpsamplingBilinear2d(**options)) == repr(
            torch.nn.UpsamplingBilinear2d(**options)
        )


PADS = ["Zero", "Constant", "Reflection", "Replication", "Circular"]


@SETTINGS
@given(dtype=float_dtypes, data=st.data())
def test_padding_layers_match_torch(dtype: Any, data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(PADS))
    count = data.draw(st.integers(1, 3))
    size = tuple(data.draw(st.integers(2 if kind == "Reflection" else 1, 5)) for _ in range(count))
    widest = [(n - 1 if kind == "Reflection" else n) for n in size]
    sides = []
    for n in reversed(widest):  # torch's order: the last axis first
        sides += [data.draw(st.integers(0, min(n, 3))), data.draw(st.integers(0, min(n, 3)))]
    padding: Any = tuple(sides)
    if data.draw(st.booleans()) and len(set(sides)) == 1:
        padding = sides[0]
    batch = data.draw(
        st.sampled_from([(), (2,), (0,)] if kind in ("Zero", "Constant") else [(), (2,)])
    )
    x = arrays((*batch, 2, *size), dtype, seed=data.draw(st.integers(0, 9)))
    name = f"{kind}Pad{count}d"
    args = (padding, 1.5) if kind == "Constant" else (padding,)
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    check(theirs, ours, x)
    assert repr(ours) == repr(theirs)


def test_padding_layers_errors() -> None:
    with pytest.raises(
        ShapeError, match="ReflectionPad2d: reflect padding 3 must be less than the size 3"
    ):
        nn.ReflectionPad2d(3)(dev.zeros((1, 1, 3, 3)))
    with pytest.raises(
        RuntimeError, match="Padding size should be less than the corresponding input dimension"
    ):
        torch.nn.ReflectionPad2d(3)(torch.zeros(1, 1, 3, 3))
    with pytest.raises(
        ShapeError, match=r"ReflectionPad2d: input must be \(N, C, H, W\) or \(C, H, W\)"
    ):
        nn.ReflectionPad2d(1)(dev.zeros((3, 3)))
    with pytest.raises(ShapeError, match="ZeroPad3d: input must have at least 3 axes to pad"):
        nn.ZeroPad3d(1)(dev.zeros((3, 3)))
    with pytest.raises(
        ShapeError, match="CircularPad1d: circular padding 4 must be at most the size 3"
    ):
        nn.CircularPad1d((0, 4))(dev.zeros((1, 1, 3)))
    with pytest.raises(TypeError, match=r"ZeroPad2d: padding must be an int or a 4-tuple"):
        nn.ZeroPad2d((1, 2))  # type: ignore[arg-type]
    with pytest.raises(ShapeError, match="ConstantPad1d: padding must be at least 0, got -1"):
        nn.ConstantPad1d(-1, 0.0)
    assert nn.ZeroPad2d(1)(dev.zeros((3, 4))).shape == (5, 6)  # any rank of 2 or more, as torch
    assert torch.nn.ZeroPad2d(1)(torch.zeros(3, 4)).shape == (5, 6)


def test_spatial_layers_errors() -> None:
    with pytest.raises(ShapeError, match="MaxPool3d: kernel_size must be at least 1, got 0"):
        nn.MaxPool3d(0)
    with pytest.raises(TypeError, match="MaxPool3d: kernel_size must be an int or a 3-tuple"):
        nn.MaxPool3d((2, 2))  # type: ignore[arg-type]
    with pytest.raises(ShapeError, match=r"ConvTranspose1d: in_channels .* divisible by groups"):
        nn.ConvTranspose1d(3, 4, 2, groups=2)
    with pytest.raises(ValueError, match="Upsample: mode must be one of"):
        nn.Upsample(scale_factor=2, mode="cubic")  # type: ignore[arg-type]
    with pytest.raises(ShapeError, match="Upsample: size must be at least 1, got"):
        nn.Upsample(size=0)
    with pytest.raises(ShapeError, match="got 4D input, but trilinear mode needs 5D"):
        nn.Upsample(scale_factor=2, mode="trilinear")(dev.zeros((1, 1, 2, 2)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("count", [1, 2, 3])
def test_max_pool_layers_return_indices_as_torch(dtype: Any, count: int) -> None:
    theirs_class = {1: torch.nn.MaxPool1d, 2: torch.nn.MaxPool2d, 3: torch.nn.MaxPool3d}[count]
    ours_class = {1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d}[count]
    unpool_class = {1: nn.MaxUnpool1d, 2: nn.MaxUnpool2d, 3: nn.MaxUnpool3d}[count]
    x = arrays((2, 3, *(6, 5, 4)[:count]), dtype)
    for options in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1}):
        ours = ours_class(**options, return_indices=True)
        theirs = theirs_class(**options, return_indices=True)
        assert isinstance(ours, ours_class) and ours.return_indices
        check(lambda t: theirs(t)[1], lambda t: ours(t)[1], x, grad=False)
        check(lambda t: theirs(t)[0], lambda t: ours(t)[0], x)
        plain = ours_class(**options)
        assert not plain.return_indices and type(plain) is ours_class
        np.testing.assert_array_equal(plain(dev.tensor(x)).numpy(), ours(dev.tensor(x))[0].numpy())
    values, where = ours_class(2, return_indices=True)(dev.tensor(x))
    restored = unpool_class(2)(values, where, output_size=x.shape[2:])
    theirs_values, theirs_where = theirs_class(2, return_indices=True)(torch.tensor(x))
    unpool = {1: tF.max_unpool1d, 2: tF.max_unpool2d, 3: tF.max_unpool3d}[count]
    expect = unpool(theirs_values, theirs_where, 2, output_size=x.shape[2:]).numpy()
    np.testing.assert_array_equal(restored.numpy(), expect)


@pytest.mark.parametrize("dtype", DTYPES)
def test_avg_pool2d_divisor_override_matches_torch(dtype: Any) -> None:
    x = arrays((2, 3, 7, 6), dtype)
    for options in (
        {"kernel_size": 2, "divisor_override": 3},
        {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "divisor_override": 5},
    ):
        check(_torch_pool(tF.avg_pool2d, options), _torch_pool(F.avg_pool2d, options), x)
    with pytest.raises(ValueError, match="avg_pool2d: divisor_override must be >= 1"):
        F.avg_pool2d(dev.tensor(x), 2, divisor_override=0)
