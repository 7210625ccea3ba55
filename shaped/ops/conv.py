"""2-D convolution, transposed convolution and pooling (PyTorch semantics, NCHW or CHW).

Convolution gathers the kH*kW shifted (strided, dilated) windows of the padded input into one
channel-major buffer `cols` of shape (C, kH, kW, N, H_out, W'), so that each group is a
single GEMM: `weight (F, C*kH*kW) @ cols (C*kH*kW, N*H_out*W')`. The weight gradient is the
output gradient (F, N*H_out*W') @ cols.T; the input gradient is weight.T @ output gradient,
scattered back with kH*kW shifted adds. W' is W_out, except with stride 1, where it is the
padded width: each offset is then one long contiguous copy per image instead of H_out short
rows (3x faster gathers and scatters for 14x14 images, for a few junk columns in the GEMMs). The transposed convolution is the adjoint: its forward
is that scatter, its input gradient that gather. Pooling works on strided views, one array
operation per kernel offset; Python loops run over kernel offsets only.
"""

from __future__ import annotations

import functools
from typing import Any, Literal

from typing_extensions import TypeVar, TypeVarTuple

from shaped import shapes
from shaped.dtypes import float_only
from shaped.errors import DtypeError
from shaped.ops.core import Array, check_same, nary, unary
from shaped.ops.spatial import (
    _Windows,
    check_divisor,
    dead_windows,
    first_max,
    max_pool1d,
    max_pool2d,
    route_max_grad,
)
from shaped.tensor import Tensor

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose2d",
    "fold",
    "interpolate",
    "max_pool1d",
    "max_pool2d",
    "pixel_shuffle",
    "unfold",
]

D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")
B = TypeVarTuple("B")

Pair = int | tuple[int, int]
Tn = Tensor[Any, Any, Any, Any]


def _pair(value: Pair) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (value[0], value[1])


def _window(offset: int, step: int, count: int) -> slice:
    """Positions offset, offset + step, ..., count of them."""
    return slice(offset, offset + step * (count - 1) + 1, step)


def _pad(xp: Any, x: Array, ph: int, pw: int, value: float = 0.0) -> Array:
    """x (..., H, W) padded by ph rows and pw columns on each side with `value`."""
    if ph == 0 and pw == 0:
        return x
    h, w = x.shape[-2], x.shape[-1]
    out = xp.full((*x.shape[:-2], h + 2 * ph, w + 2 * pw), value, dtype=x.dtype)
    out[..., ph : ph + h, pw : pw + w] = x
    return out


def _cols_width(stride: tuple[int, int], padded_w: int, out_w: int) -> int:
    """The width of the column buffer: with stride 1 it holds whole padded rows (the columns
    past out_w are junk, cropped from results and zero in gradients), so that each kernel
    offset is one contiguous run per image; otherwise exactly out_w."""
    return padded_w if stride == (1, 1) else out_w


def _im2col(
    xp: Any,
    x: Array,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    out_hw: tuple[int, int],
) -> Array:
    """x (N, C, H, W) -> cols (C, kH, kW, N, H_out, width): one strided copy per offset."""
    n, c, h, w = x.shape
    (kh, kw), (ph, pw), (dh, dw), (ho, wo) = kernel, padding, dilation, out_hw
    hp, wp = h + 2 * ph, w + 2 * pw
    if stride == (1, 1):  # flat windows over whole padded rows; one spare row for the last
        padded = xp.zeros((n, c, hp + 1, wp), dtype=x.dtype)
        padded[:, :, ph : ph + h, pw : pw + w] = x
        flat = padded.reshape(n, c, (hp + 1) * wp).transpose(1, 0, 2)
        length = ho * wp
        cols = xp.empty((c, kh, kw, n, length), dtype=x.dtype)
        for i in range(kh):
            for j in range(kw):
                start = i * dh * wp + j * dw
                cols[:, i, j] = flat[:, :, start : start + length]
        return cols.reshape(c, kh, kw, n, ho, wp)
    sh, sw = stride
    source = _pad(xp, x, ph, pw).transpose(1, 0, 2, 3)
    cols = xp.empty((c, kh, kw, n, ho, wo), dtype=x.dtype)
    for i in range(kh):
        rows = _window(i * dh, sh, ho)
        for j in range(kw):
            cols[:, i, j] = source[:, :, rows, _window(j * dw, sw, wo)]
    return cols


def _col2im(
    xp: Any,
    cols: Array,
    x_shape: tuple[int, int, int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
) -> Array:
    """The adjoint of _im2col: cols (C, kH, kW, N, H_out, width) summed into (N, C, H, W)."""
    _, kh, kw, _, ho, width = cols.shape
    n, c, h, w = x_shape
    (ph, pw), (dh, dw) = padding, dilation
    hp, wp = h + 2 * ph, w + 2 * pw
    if stride == (1, 1):
        padded = xp.zeros((n, c, (hp + 1) * wp), dtype=cols.dtype)
        target = padded.transpose(1, 0, 2)
        length = ho * wp
        flat = cols.reshape(c, kh, kw, n, length)
        for i in range(kh):
            for j in range(kw):
                start = i * dh * wp + j * dw
                target[:, :, start : start + length] += flat[:, i, j]
        return _crop(padded.reshape(n, c, hp + 1, wp), ph, pw, h, w)
    sh, sw = stride
    padded = xp.zeros((n, c, hp, wp), dtype=cols.dtype)
    target = padded.transpose(1, 0, 2, 3)
    for i in range(kh):
        rows = _window(i * dh, sh, ho)
        for j in range(kw):
            target[:, :, rows, _window(j * dw, sw, width)] += cols[:, i, j]
    return _crop(padded, ph, pw, h, w)


def _crop(padded: Array, ph: int, pw: int, h: int, w: int) -> Array:
    if ph == 0 and pw == 0 and padded.shape[-2] == h and padded.shape[-1] == w:
        return padded
    return padded[..., ph : ph + h, pw : pw + w]


def _grouped(xp: Any, a: Array, b: Array) -> Array:
    """(G, M, K) @ (G, K, P) as one GEMM when G == 1."""
    if a.shape[0] == 1:
        return (a[0] @ b[0])[None]
    return xp.matmul(a, b)


def _to_nchw(xp: Any, out: Array, width: int, bias: Array | None) -> Array:
    """(F, N, H, W') -> a fresh (N, F, H, width), cropping W' and adding the bias in one pass."""
    f, n, h, _ = out.shape
    result = xp.empty((n, f, h, width), dtype=out.dtype)
    source = out[..., :width].transpose(1, 0, 2, 3)
    if bias is None:
        result[...] = source
    else:
        xp.add(source, bias[:, None, None], out=result)
    return result


def _channel_major(xp: Any, g: Array, width: int) -> Array:
    """(N, F, H, W) -> a contiguous (F, N*H*width), zero in the columns past W."""
    n, f, h, w = g.shape
    if width == w:
        return xp.ascontiguousarray(g.reshape(n, f, h * w).transpose(1, 0, 2)).reshape(f, -1)
    out = xp.zeros((f, n, h, width), dtype=g.dtype)
    out[..., :w] = g.transpose(1, 0, 2, 3)
    return out.reshape(f, -1)


def conv2d(
    x: Tensor[Any, D, Dev, T],
    weight: Tensor[Any, D, Dev, Any],
    bias: Tensor[Any, D, Dev, Any] | None = None,
    stride: Pair = 1,
    padding: Pair | Literal["same", "valid"] = 0,
    dilation: Pair = 1,
    groups: int = 1,
) -> Tensor[tuple[Any, ...], D, Dev, Any]:
    """x (N, C, H, W) or (C, H, W), weight (F, C/groups, kH, kW), bias (F,) as torch's conv2d.

    padding: an int, a pair, "valid" (0) or "same" (stride 1: the output keeps H and W; an odd
    total d*(k-1) puts the extra row or column after, as torch)."""
    if padding == "valid":
        padding = 0
    if padding == "same":
        shapes.conv2d(  # the checks, before any array is touched
            x._data.shape,
            weight._data.shape,
            stride,
            "same",
            dilation,
            groups,
            None if bias is None else bias._data.shape,
        )
        kernel = weight._data.shape[-2:]
        (ht, hb), (wl, wr) = shapes.same_padding("conv2d", kernel, stride, dilation)
        if ht == hb and wl == wr:
            return conv2d(x, weight, bias, stride, (ht, wl), dilation, groups)
        widths = [(0, 0)] * (x._data.ndim - 2) + [(ht, hb), (wl, wr)]
        return conv2d(x.pad(widths), weight, bias, stride, 0, dilation, groups)
    if isinstance(padding, str):
        raise ValueError(
            f"conv2d: padding must be an int, a pair, 'same' or 'valid', got {padding!r}"
        )
    inputs: tuple[Tn, ...] = (x, weight) if bias is None else (x, weight, bias)
    check_same("conv2d", inputs, weights=True)
    data, w = x._data, weight._data
    result_shape = shapes.conv2d(
        data.shape,
        w.shape,
        stride,
        padding,
        dilation,
        groups,
        None if bias is None else bias._data.shape,
    )
    xp = x._device.xp
    s, p, d = _pair(stride), _pair(padding), _pair(dilation)
    unbatched = data.ndim == 3
    x4 = data[None] if unbatched else data
    n, c, h, wd = x4.shape
    f, cg, kh, kw = w.shape
    ho, wo = result_shape[-2], result_shape[-1]
    assert isinstance(ho, int) and isinstance(wo, int)
    cols = _im2col(xp, x4, (kh, kw), s, p, d, (ho, wo))
    width = cols.shape[-1]
    cols = cols.reshape(groups, cg * kh * kw, n * ho * width)
    w3 = w.reshape(groups, f // groups, cg * kh * kw)
    out = _grouped(xp, w3, cols).reshape(f, n, ho, width)
    result = _to_nchw(xp, out, wo, None if bias is None else bias._data)
    del out

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        g4 = g[None] if unbatched else g
        g3 = _channel_major(xp, g4, width).reshape(groups, f // groups, n * ho * width)
        gx = gw = None
        if needs[0]:
            dcols = _grouped(xp, w3.transpose(0, 2, 1), g3).reshape(c, kh, kw, n, ho, width)
            gx = _col2im(xp, dcols, (n, c, h, wd), s, p, d)
            if unbatched:
                gx = gx[0]
        if needs[1]:
            gw = _grouped(xp, g3, cols.transpose(0, 2, 1)).reshape(w.shape)
        if bias is None:
            return gx, gw
        return gx, gw, (g4.sum(axis=(0, 2, 3)) if needs[2] else None)

    return nary(inputs, result[0] if unbatched else result, vjp)  # type: ignore[no-any-return]


def conv_transpose2d(
    x: Tensor[Any, D, Dev, T],
    weight: Tensor[Any, D, Dev, Any],
    bias: Tensor[Any, D, Dev, Any] | None = None,
    stride: Pair = 1,
    padding: Pair = 0,
    output_padding: Pair = 0,
    groups: int = 1,
    dilation: Pair = 1,
) -> Tensor[tuple[Any, ...], D, Dev, Any]:
    """x (N, C_in, H, W) or (C_in, H, W), weight (C_in, C_out/groups, kH, kW), bias (C_out,).

    The adjoint of conv2d in its input: H_out = (H-1)*s - 2p + d*(kH-1) + output_padding + 1.
    """
    inputs: tuple[Tn, ...] = (x, weight) if bias is None else (x, weight, bias)
    check_same("conv_transpose2d", inputs, weights=True)
    data, w = x._data, weight._data
    result_shape = shapes.conv_transpose2d(
        data.shape,
        w.shape,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
        None if bias is None else bias._data.shape,
    )
    xp = x._device.xp
    s, p, d = _pair(stride), _pair(padding), _pair(dilation)
    unbatched = data.ndim == 3
    x4 = data[None] if unbatched else data
    n, c, h, wd = x4.shape
    _, og, kh, kw = w.shape
    out_c = og * groups
    ho, wo = result_shape[-2], result_shape[-1]
    assert isinstance(ho, int) and isinstance(wo, int)
    width = _cols_width(s, wo + 2 * p[1], wd)
    w3 = w.reshape(groups, c // groups, og * kh * kw)
    x3 = _channel_major(xp, x4, width).reshape(groups, c // groups, n * h * width)
    cols = _grouped(xp, w3.transpose(0, 2, 1), x3).reshape(out_c, kh, kw, n, h, width)
    result = _col2im(xp, cols, (n, out_c, ho, wo), s, p, d)
    del cols
    if bias is not None:
        result += bias._data[:, None, None]  # a fresh buffer: add in place
    if result.base is not None:
        result = xp.ascontiguousarray(result)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        g4 = g[None] if unbatched else g
        gx = gw = None
        if needs[0] or needs[1]:
            gcols = _im2col(xp, g4, (kh, kw), s, p, d, (h, wd))
            gcols = gcols.reshape(groups, og * kh * kw, n * h * width)
            if needs[0]:
                gx = _to_nchw(xp, _grouped(xp, w3, gcols).reshape(c, n, h, width), wd, None)
                if unbatched:
                    gx = gx[0]
            if needs[1]:
                gw = _grouped(xp, x3, gcols.transpose(0, 2, 1)).reshape(w.shape)
        if bias is None:
            return gx, gw
        return gx, gw, (g4.sum(axis=(0, 2, 3)) if needs[2] else None)

    return nary(inputs, result[0] if unbatched else result, vjp)  # type: ignore[no-any-return]


def _pool_geometry(
    op: str,
    x: Array,
    kernel_size: Pair,
    stride: Pair | None,
    padding: Pair,
    ceil_mode: bool,
    dilation: Pair = 1,
) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], int, int]:
    result_shape = shapes.pool2d(op, x.shape, kernel_size, stride, padding, ceil_mode, dilation)
    ho, wo = result_shape[-2], result_shape[-1]
    assert isinstance(ho, int) and isinstance(wo, int)
    k = _pair(kernel_size)
    return k, (k if stride is None else _pair(stride)), _pair(padding), ho, wo


def _overhang(size: int, k: int, s: int, p: int, out: int) -> int:
    """How far ceil_mode's last window runs past the padded input (the cells it pads after)."""
    return max(0, (out - 1) * s + k - (size + 2 * p))


def _pad_after(xp: Any, x: Array, eh: int, ew: int, value: float) -> Array:
    """x (..., H, W) with eh rows and ew columns of `value` after: ceil_mode's overhang."""
    if eh == 0 and ew == 0:
        return x
    h, w = x.shape[-2], x.shape[-1]
    out = xp.full((*x.shape[:-2], h + eh, w + ew), value, dtype=x.dtype)
    out[..., :h, :w] = x
    return out


def _max_pool2d(
    x: Tensor[Any, D, Dev, T],
    kernel_size: Pair,
    stride: Pair | None = None,
    padding: Pair = 0,
    ceil_mode: bool = False,
    dilation: Pair = 1,
) -> Tensor[tuple[Any, ...], D, Dev, T]:
    """The maximum of each window (padding is -inf; NaN propagates). The gradient goes to each
    window's first maximum in row-major order (to its last NaN if it has one), as in PyTorch;
    the forward keeps that offset per window (one byte), the VJP routes g through it.
    ceil_mode rounds the output size up: the last windows may hang over the padded input;
    dilation spaces the window's cells."""
    data = x._data
    (kh, kw), (sh, sw), (ph, pw), ho, wo = _pool_geometry(
        "max_pool2d", data, kernel_size, stride, padding, ceil_mode, dilation
    )
    dh, dw = _pair(dilation)
    xp = x._device.xp
    low = -xp.inf if data.dtype.kind == "f" else xp.iinfo(data.dtype).min
    padded = _pad(xp, data, ph, pw, low)
    h, w = data.shape[-2], data.shape[-1]
    eh = _overhang(h, dh * (kh - 1) + 1, sh, ph, ho)
    ew = _overhang(w, dw * (kw - 1) + 1, sw, pw, wo)
    padded = _pad_after(xp, padded, eh, ew, low)
    views = [
        (Ellipsis, _window(i * dh, sh, ho), _window(j * dw, sw, wo))
        for i in range(kh)
        for j in range(kw)
    ]
    out, pick = first_max(xp, padded, views)
    if ph or pw:
        geometry = _Windows((h, w), (ho, wo), (kh, kw), (sh, sw), (ph, pw), (dh, dw))
        dead_windows(xp, out, pick, geometry)
    padded_shape = padded.shape
    del padded  # the VJP needs the picked offsets only
    overlap = sh < kh or sw < kw or (dh, dw) != (1, 1)  # dilated windows may share cells
    # disjoint windows that tile the input exactly write every cell of the gradient once
    tiled = not overlap and (ph, pw, eh, ew) == (0, 0, 0, 0) and (ho * kh, wo * kw) == (h, w)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None]:
        grad = route_max_grad(xp, g, pick, views, padded_shape, overlap, tiled)
        return (_crop(grad, ph, pw, h, w),)

    return unary(x, out, vjp)  # type: ignore[no-any-return]


def avg_pool2d(
    x: Tensor[Any, D, Dev, T],
    kernel_size: Pair,
    stride: Pair | None = None,
    padding: Pair = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor[tuple[Any, ...], D, Dev, T]:
    """The mean of each window. The divisor counts the zero padding (count_include_pad=True, the
    default) or only the input's cells; ceil_mode's overhang past the padding never counts;
    divisor_override replaces it."""
    check_divisor("avg_pool2d", divisor_override)
    data = x._data
    (kh, kw), (sh, sw), (ph, pw), ho, wo = _pool_geometry(
        "avg_pool2d", data, kernel_size, stride, padding, ceil_mode
    )
    xp = x._device.xp
    h, w = data.shape[-2], data.shape[-1]
    eh, ew = _overhang(h, kh, sh, ph, ho), _overhang(w, kw, sw, pw, wo)
    padded = _pad_after(xp, _pad(xp, data, ph, pw), eh, ew, 0.0)
    windows = [(_window(i, sh, ho), _window(j, sw, wo)) for i in range(kh) for j in range(kw)]
    rows, cols = windows[0]
    out = padded[..., rows, cols].copy()
    for rows, cols in windows[1:]:
        out += padded[..., rows, cols]
    divisor: Any = kh * kw if divisor_override is None else divisor_override
    if divisor_override is None and (eh or ew or (not count_include_pad and (ph or pw))):
        # the cells each window counts: a (H', W') mask pooled the same way
        counted = xp.zeros(padded.shape[-2:], dtype=data.dtype)
        if count_include_pad:
            counted[: h + 2 * ph, : w + 2 * pw] = 1
        else:
            counted[ph : ph + h, pw : pw + w] = 1
        divisor = sum(counted[rows, cols] for rows, cols in windows)
    out /= divisor
    padded_shape = padded.shape
    del padded

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None]:
        share = g / divisor
        grad = xp.zeros(padded_shape, dtype=g.dtype)
        for rows, cols in windows:
            grad[..., rows, cols] += share
        return (_crop(grad, ph, pw, h, w),)

    return unary(x, out, vjp)  # type: ignore[no-any-return]


# ---------------------------------------------------------------- convolution and pooling options


def _adaptive_matrix(xp: Any, size: int, out: int, dtype: Any) -> Array:
    """(out, size): row i averages input cells floor(i*size/out) .. ceil((i+1)*size/out) - 1."""
    m = xp.zeros((out, size), dtype=dtype)
    for i in range(out):
        start, stop = (i * size) // out, -(-((i + 1) * size) // out)
        m[i, start:stop] = 1.0 / (stop - start)
    return m


def adaptive_avg_pool2d(
    x: Tensor[tuple[*B, Any, Any], D, Dev, T], output_size: Pair
) -> Tensor[tuple[*B, int, int], D, Dev, T]:
    """The mean of each of oH x oW windows covering (N, C, H, W) or (C, H, W), as torch: window
    i spans floor(i*H/oH) .. ceil((i+1)*H/oH). Separable: A_h @ x @ A_w.T, so is its VJP."""
    op = "adaptive_avg_pool2d"
    data = x._data
    if data.dtype.kind != "f":
        raise DtypeError(float_only(op, x.dtype) or op)
    result_shape = shapes.adaptive_pool2d(op, data.shape, output_size)
    oh, ow = result_shape[-2], result_shape[-1]
    assert isinstance(oh, int) and isinstance(ow, int)
    xp = x._device.xp
    h, w = data.shape[-2], data.shape[-1]
    ah = _adaptive_matrix(xp, h, oh, data.dtype)
    aw_t = _adaptive_matrix(xp, w, ow, data.dtype).T
    out = xp.matmul(xp.matmul(ah, data), aw_t)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        return (xp.matmul(xp.matmul(ah.T, g), aw_t.T),)

    return unary(x, out, vjp)  # type: ignore[no-any-return]


def pixel_shuffle(
    x: Tensor[tuple[*B, Any, Any, Any], D, Dev, T], upscale_factor: int
) -> Tensor[tuple[*B, int, int, int], D, Dev, T]:
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r): out[..., c, h*r + i, w*r + j] = x[..., c*r*r + i*r + j,
    h, w], as torch.nn.functional.pixel_shuffle. The VJP is the inverse rearrangement."""
    data = x._data
    result_shape = shapes.pixel_shuffle(data.shape, upscale_factor)
    r = upscale_factor
    *batch, c, h, w = data.shape
    lead = len(batch)
    split = data.reshape(*batch, c // (r * r), r, r, h, w)
    order = (*range(lead), lead, lead + 3, lead + 1, lead + 4, lead + 2)
    out = split.transpose(order).reshape(result_shape)
    inverse = tuple(order.index(i) for i in range(len(order)))

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        parts = g.reshape(*batch, c // (r * r), h, r, w, r)
        return (parts.transpose(inverse).reshape(data.shape),)

    return unary(x, out, vjp)  # type: ignore[no-any-return]


One = int | tuple[int]


def _one(value: One | None) -> int | None:
    return value[0] if isinstance(value, tuple) else value


def conv1d(
    x: Tensor[Any, D, Dev, T],
    weight: Tensor[Any, D, Dev, Any],
    bias: Tensor[Any, D, Dev, Any] | None = None,
    stride: One = 1,
    padding: One | Literal["same", "valid"] = 0,
    dilation: One = 1,
    groups: int = 1,
) -> Tensor[tuple[Any, ...], D, Dev, Any]:
    """x (N, C, L) or (C, L), weight (F, C/groups, k), bias (F,), as torch's conv1d: conv2d
    over a height of one (its VJP too). padding: an int, "valid" or "same" (stride 1)."""
    check_same("conv1d", (x, weight) if bias is None else (x, weight, bias), weights=True)
    shapes.conv1d(
        x._data.shape,
        weight._data.shape,
        stride,
        padding,
        dilation,
        groups,
        None if bias is None else bias._data.shape,
    )
    if padding == "valid":
        padding = 0
    pad: Pair | Literal["same"] = "same"
    if not isinstance(padding, str):
        pad = (0, padding[0] if isinstance(padding, tuple) else padding)
    s, d = _one(stride), _one(dilation)
    assert s is not None and d is not None
    out = conv2d(x.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, s), pad, (1, d), groups)
    return out.squeeze(-2)


def _pool1d(
    op: str,
    pool: Any,
    x: Tensor[Any, D, Dev, T],
    kernel_size: One,
    stride: One | None,
    padding: One,
    **options: bool,
) -> Tensor[tuple[Any, ...], D, Dev, T]:
    shapes.pool1d(op, x._data.shape, kernel_size, stride, padding, options["ceil_mode"])
    k, s, p = _one(kernel_size), _one(stride), _one(padding)
    assert k is not None and p is not None
    out: Tensor[tuple[Any, ...], D, Dev, T] = pool(
        x.unsqueeze(-2), (1, k), (1, k if s is None else s), (0, p), **options
    )
    return out.squeeze(-2)


def _max_pool1d(
    x: Tensor[Any, D, Dev, T],
    kernel_size: One,
    stride: One | None = None,
    padding: One = 0,
    ceil_mode: bool = False,
    dilation: One = 1,
) -> Tensor[tuple[Any, ...], D, Dev, T]:
    """The maximum of each window of (N, C, L) or (C, L) (padding -inf), as torch's max_pool1d:
    max_pool2d over a height of one (its VJP too)."""
    d = dilation[0] if isinstance(dilation, tuple) else dilation
    shapes.pool1d("max_pool1d", x._data.shape, kernel_size, stride, padding, ceil_mode, d)
    pool = functools.partial(_max_pool2d, dilation=(1, d))
    return _pool1d("max_pool1d", pool, x, kernel_size, stride, padding, ceil_mode=ceil_mode)


def avg_pool1d(
    x: Tensor[Any, D, Dev, T],
    kernel_size: One,
    stride: One | None = None,
    padding: One = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor[tuple[Any, ...], D, Dev, T]:
    """The mean of each window of (N, C, L) or (C, L), as torch's avg_pool1d (count_include_pad:
    whether the zero padding counts in the divisor): avg_pool2d over a height of one."""
    return _pool1d(
        "avg_pool1d",
        avg_pool2d,
        x,
        kernel_size,
        stride,
        padding,
        ceil_mode=ceil_mode,
        count_include_pad=count_include_pad,
    )


def _resize_matrix(
    xp: Any, size: int, out: int, mode: str, align_corners: bool, scale: float | None, dtype: Any
) -> Array:
    """(out, size): row i holds the weights torch's interpolate gives the input cells for
    output cell i along one axis (a selection for nearest, two taps for linear, four for
    bicubic, a window's mean for area)."""
    m = xp.zeros((out, size), dtype=dtype)
    rows = xp.arange(out)
    if mode in ("nearest", "nearest-exact"):  # torch: floor(i * in/out) in float32
        step = xp.float32(size / out if scale is None else 1.0 / scale)  # 1/scale_factor if given
        at = rows.astype(xp.float32) + xp.float32(0.5 if mode == "nearest-exact" else 0.0)
        src = xp.minimum(xp.floor(at * step).astype(xp.int64), size - 1)
        m[rows, src] = 1
        return m
    if mode == "area":  # adaptive_avg_pool's windows
        for i, (start, end) in enumerate(_adaptive_bounds(size, out)):
            m[i, start:end] = 1.0 / (end - start)
        return m
    if mode == "bicubic":
        return _bicubic_matrix(xp, m, size, out, align_corners, scale)
    if align_corners:
        step = (size - 1) / (out - 1) if out > 1 else 0.0
        src = rows * step
    else:
        step = size / out if scale is None else 1.0 / scale
        src = xp.maximum((rows + 0.5) * step - 0.5, 0.0)
    low = xp.minimum(xp.floor(src).astype(xp.int64), size - 1)
    high = xp.minimum(low + 1, size - 1)
    frac = src - low
    m[rows, low] = 1.0 - frac  # one low tap per row: a plain assignment
    m[rows, high] += frac  # high == low at the last cell: the two taps add up to 1
    return m


def _bicubic_matrix(
    xp: Any, m: Array, size: int, out: int, align_corners: bool, scale: float | None
) -> Array:
    """torch's upsample_bicubic2d taps: cubic convolution with A = -0.75 over cells t-1..t+2
    of the source position (not clamped below 0, unlike linear), indices clamped to the edge."""
    rows = xp.arange(out)
    if align_corners:
        src = rows * ((size - 1) / (out - 1) if out > 1 else 0.0)
    else:
        src = (rows + 0.5) * (size / out if scale is None else 1.0 / scale) - 0.5
    floor = xp.floor(src)
    t = src - floor
    a = -0.75

    def near(d: Array) -> Array:  # |d| <= 1
        return ((a + 2) * d - (a + 3)) * d * d + 1

    def far(d: Array) -> Array:  # 1 < |d| < 2
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a

    for offset, weight in zip((-1, 0, 1, 2), (far(t + 1), near(t), near(1 - t), far(2 - t))):
        cells = xp.clip(floor.astype(xp.int64) + offset, 0, size - 1)
        m[rows, cells] += weight  # one tap per row at a time: clamped taps that meet add up
    return m


def interpolate(
    x: Tensor[Any, D, Dev, T],
    size: int | tuple[int, ...] | None = None,
    scale_factor: float | tuple[float, ...] | None = None,
    mode: Literal[
        "nearest", "nearest-exact", "area", "linear", "bilinear", "bicubic", "trilinear"
    ] = "nearest",
    align_corners: bool | None = None,
) -> Tensor[tuple[Any, ...], D, Dev, T]:
    """(N, C, L), (N, C, H, W) or (N, C, D, H, W) resized as torch.nn.functional.interpolate:
    "nearest", "nearest-exact" and "area" (adaptive_avg_pool; 1-d, 2-d or 3-d), "linear"
    (1-d), "bilinear" and "bicubic" (2-d, torch's A = -0.75), "trilinear" (3-d), with
    align_corners. Separable: each spatial axis is one matrix product, and so is the VJP."""
    op = "interpolate"
    data = x._data
    if data.dtype.kind != "f":
        raise DtypeError(float_only(op, x.dtype) or op)
    result_shape = shapes.interpolate(data.shape, size, scale_factor, mode, align_corners)
    xp = x._device.xp
    spatial = data.ndim - 2
    scales: tuple[float | None, ...] = (None,) * spatial
    if scale_factor is not None:
        scales = (
            tuple(scale_factor) if isinstance(scale_factor, tuple) else (scale_factor,) * spatial
        )
    mats = []
    for axis in range(spatial):
        n, out_n = data.shape[2 + axis], result_shape[2 + axis]
        assert isinstance(out_n, int)
        mats.append(
            _resize_matrix(xp, n, out_n, mode, bool(align_corners), scales[axis], data.dtype)
        )
    if spatial == 1:
        out = xp.matmul(data, mats[0].T)
    elif spatial == 2:
        out = xp.matmul(xp.matmul(mats[0], data), mats[1].T)
    else:  # depth first, over (D, H*W) planes; then height and width as in 2-d
        n, c, depth, h, w = data.shape
        deep = xp.matmul(mats[0], data.reshape(n, c, depth, h * w))
        deep = deep.reshape(n, c, mats[0].shape[0], h, w)
        out = xp.matmul(xp.matmul(mats[1], deep), mats[2].T)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        if spatial == 1:
            return (xp.matmul(g, mats[0]),)
        if spatial == 2:
            return (xp.matmul(xp.matmul(mats[0].T, g), mats[1]),)
        n, c, _, h, w = data.shape
        planes = xp.matmul(xp.matmul(mats[1].T, g), mats[2]).reshape(n, c, g.shape[2], h * w)
        return (xp.matmul(mats[0].T, planes).reshape(data.shape),)

    return unary(x, out, vjp)  # type: ignore[no-any-return]


def _adaptive_bounds(size: int, out: int) -> list[tuple[int, int]]:
    """Window i of `out` over `size` cells: floor(i*size/out) .. ceil((i+1)*size/out), as torch."""
    return [((i * size) // out, -(-((i + 1) * size) // out)) for i in range(out)]


def adaptive_max_pool2d(
    x: Tensor[tuple[*B, Any, Any], D, Dev, T], output_size: Pair
) -> Tensor[tuple[*B, int, int], D, Dev, T]:
    """The maximum of each of oH x oW windows tiling (N, C, H, W) or (C, H, W), the windows of
    adaptive_avg_pool2d, as torch. The gradient goes to each window's first maximum in
    row-major order (its last NaN if it has one), as torch's."""
    op = "adaptive_max_pool2d"
    data = x._data
    if data.dtype.kind != "f":
        raise DtypeError(float_only(op, x.dtype) or op)
    result_shape = shapes.adaptive_pool2d(op, data.shape, output_size)
    oh, ow = result_shape[-2], result_shape[-1]
    assert isinstance(oh, int) and isinstance(ow, int)
    xp = x._device.xp
    lead, (h, w) = data.shape[:-2], data.shape[-2:]
    out = xp.empty((*lead, oh, ow), dtype=data.dtype)
    flat_index = xp.empty((*lead, oh, ow), dtype=xp.int64)  # into the H*W cells, as torch's
    for i, (r0, r1) in enumerate(_adaptive_bounds(h, oh)):
        for j, (c0, c1) in enumerate(_adaptive_bounds(w, ow)):
            win = data[..., r0:r1, c0:c1].reshape(*lead, (r1 - r0) * (c1 - c0))
            pick = xp.argmax(win, axis=-1) if win.size else xp.zeros(lead, dtype=xp.int64)
            if data.dtype.kind == "f" and win.size:
                nan = xp.isnan(win)
                last_nan = win.shape[-1] - 1 - xp.argmax(nan[..., ::-1], axis=-1)
                pick = xp.where(nan.any(axis=-1), last_nan, pick)
            out[..., i, j] = xp.take_along_axis(win, pick[..., None], axis=-1)[..., 0]
            flat_index[..., i, j] = (r0 + pick // (c1 - c0)) * w + c0 + pick % (c1 - c0)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        grad = xp.zeros((*lead, h * w), dtype=g.dtype)
        rows = flat_index.reshape(-1, oh * ow)
        target = grad.reshape(-1, h * w)
        values = g.reshape(-1, oh * ow)
        for k in range(oh * ow):  # windows overlap: accumulate one window at a time
            cells = rows[:, k]
            target[xp.arange(target.shape[0]), cells] += values[:, k]
        return (grad.reshape(data.shape),)

    return unary(x, out, vjp)  # type: ignore[no-any-return]


def unfold(
    x: Tensor[Any, D, Dev, T],
    kernel_size: Pair,
    dilation: Pair = 1,
    padding: Pair = 0,
    stride: Pair = 1,
) -> Tensor[tuple[Any, ...], D, Dev, T]:
    """(N, C, H, W) or (C, H, W) -> (N, C*kH*kW, L), as torch.nn.functional.unfold (im2col):
    rows are channel-major, then kernel row, then kernel column. The VJP is fold."""
    data = x._data
    result_shape = shapes.unfold(data.shape, kernel_size, dilation, padding, stride)
    xp = x._device.xp
    k, d, p, s = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    unbatched = data.ndim == 3
    x4 = data[None] if unbatched else data
    n, c, h, w = x4.shape
    ho, wo = (_conv_out_size(h, k[0], s[0], p[0], d[0]), _conv_out_size(w, k[1], s[1], p[1], d[1]))
    cols = _im2col(xp, x4, k, s, p, d, (ho, wo))  # (C, kH, kW, N, H_out, width)
    width = cols.shape[-1]
    out = xp.ascontiguousarray(cols[..., :wo].transpose(3, 0, 1, 2, 4, 5))
    out = out.reshape(n, c * k[0] * k[1], ho * wo)
    del cols

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        g3 = g[None] if unbatched else g
        spread = xp.zeros((c, k[0], k[1], n, ho, width), dtype=g.dtype)
        spread[..., :wo] = g3.reshape(n, c, k[0], k[1], ho, wo).transpose(1, 2, 3, 0, 4, 5)
        gx = _col2im(xp, spread, (n, c, h, w), s, p, d)
        return (gx[0] if unbatched else gx,)

    assert result_shape[-1] == ho * wo
    return unary(x, out[0] if unbatched else out, vjp)  # type: ignore[no-any-return]


def _conv_out_size(size: int, k: int, s: int, p: int, d: int) -> int:
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def fold(
    x: Tensor[Any, D, Dev, T],
    output_size: Pair,
    kernel_size: Pair,
    dilation: Pair = 1,
    padding: Pair = 0,
    stride: Pair = 1,
) -> Tensor[tuple[Any, ...], D, Dev, T]:
    """(N, C*kH*kW, L) or (C*kH*kW, L) -> (N, C, H, W), as torch.nn.functional.fold (col2im):
    overlapping blocks add up. The adjoint of unfold, whose forward is its VJP."""
    data = x._data
    shapes.fold(data.shape, output_size, kernel_size, dilation, padding, stride)
    xp = x._device.xp
    k, d, p, s = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    h, w = _pair(output_size)
    unbatched = data.ndim == 2
    x3 = data[None] if unbatched else data
    n, rows, _ = x3.shape
    c = rows // (k[0] * k[1])
    ho, wo = (_conv_out_size(h, k[0], s[0], p[0], d[0]), _conv_out_size(w, k[1], s[1], p[1], d[1]))
    width = _cols_width(s, w + 2 * p[1], wo)
    spread = xp.zeros((c, k[0], k[1], n, ho, width), dtype=data.dtype)
    spread[..., :wo] = x3.reshape(n, c, k[0], k[1], ho, wo).transpose(1, 2, 3, 0, 4, 5)
    out = _col2im(xp, spread, (n, c, h, w), s, p, d)
    if out.base is not None:
        out = xp.ascontiguousarray(out)
    del spread

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        g4 = g[None] if unbatched else g
        cols = _im2col(xp, g4, k, s, p, d, (ho, wo))
        grad = cols[..., :wo].transpose(3, 0, 1, 2, 4, 5).reshape(n, rows, ho * wo)
        return (grad[0] if unbatched else grad,)

    return unary(x, out[0] if unbatched else out, vjp)  # type: ignore[no-any-return]


def _adaptive1d(
    op: str, pool: Any, x: Tensor[Any, D, Dev, T], output_size: One
) -> Tensor[tuple[Any, ...], D, Dev, T]:
    if x._data.dtype.kind != "f":
        raise DtypeError(float_only(op, x.dtype) or op)
    shapes.adaptive_pool1d(op, x._data.shape, output_size)
    size = _one(output_size)
    out: Tensor[tuple[Any, ...], D, Dev, T] = pool(x.unsqueeze(-2), (1, size))
    return out.squeeze(-2)


def adaptive_avg_pool1d(
    x: Tensor[tuple[*B, Any], D, Dev, T], output_size: One
) -> Tensor[tuple[*B, int], D, Dev, T]:
    """The mean of each of oL windows covering (N, C, L) or (C, L), as torch: window i spans
    floor(i*L/oL) .. ceil((i+1)*L/oL). adaptive_avg_pool2d over a height of one (its VJP too)."""
    return _adaptive1d("adaptive_avg_pool1d", adaptive_avg_pool2d, x, output_size)


def adaptive_max_pool1d(
    x: Tensor[tuple[*B, Any], D, Dev, T], output_size: One
) -> Tensor[tuple[*B, int], D, Dev, T]:
    """The maximum of each of oL windows covering (N, C, L) or (C, L), the windows of
    adaptive_avg_pool1d, as torch; the gradient goes to each window's first maximum."""
    return _adaptive1d("adaptive_max_pool1d", adaptive_max_pool2d, x, output_size)


Triple = int | tuple[int, int, int]


def _triple(value: Triple) -> tuple[int, int, int]:
    return (value,) * 3 if isinstance(value, int) else (value[0], value[1], value[2])


def conv3d(
    x: Tensor[Any, D, Dev, T],
    weight: Tensor[Any, D, Dev, Any],
    bias: Tensor[Any, D, Dev, Any] | None = None,
    stride: Triple = 1,
    padding: Triple | Literal["same", "valid"] = 0,
    dilation: Triple = 1,
    groups: int = 1,
) -> Tensor[tuple[Any, ...], D, Dev, Any]:
    """x (N, C, D, H, W) or (C, D, H, W), weight (F, C/groups, kD, kH, kW), bias (F,), as
    torch's conv3d. padding: an int, a 3-tuple, "valid" (0) or "same" (stride 1; an odd total
    d*(k-1) puts the extra plane after, as torch). One GEMM per group over the gathered
    windows; the VJP is the transposed GEMMs and a scatter-add of the windows."""
    op = "conv3d"
    inputs: tuple[Tn, ...] = (x, weight) if bias is None else (x, weight, bias)
    check_same(op, inputs, weights=True)
    data, w = x._data, weight._data
    if data.dtype.kind != "f":
        raise DtypeError(float_only(op, x.dtype) or op)
    shapes.conv3d(
        data.shape,
        w.shape,
        stride,
        padding,
        dilation,
        groups,
        None if bias is None else bias._data.shape,
    )
    xp = x._device.xp
    s, d = _triple(stride), _triple(dilation)
    kernel = w.shape[2:]
    if padding == "same":  # as torch: the odd one of each total d*(k-1) goes after
        totals = [di * (k - 1) for k, di in zip(kernel, d)]
        widths = tuple((t // 2, t - t // 2) for t in totals)
    else:
        widths = tuple((p, p) for p in _triple(0 if padding == "valid" else padding))
    unbatched = data.ndim == 4
    x5 = data[None] if unbatched else data
    n, c = x5.shape[:2]
    size = x5.shape[2:]
    f, cg = w.shape[:2]
    padded = xp.zeros((n, c, *(m + a + b for m, (a, b) in zip(size, widths))), dtype=data.dtype)
    inner = tuple(slice(a, a + m) for m, (a, _) in zip(size, widths))
    padded[(slice(None), slice(None), *inner)] = x5
    out_size = tuple(
        (pm - di * (k - 1) - 1) // si + 1 for pm, k, si, di in zip(padded.shape[2:], kernel, s, d)
    )
    offsets = [
        (i, j, k) for i in range(kernel[0]) for j in range(kernel[1]) for k in range(kernel[2])
    ]

    def windows(offset: tuple[int, int, int]) -> tuple[slice, ...]:
        return (
            slice(None),
            slice(None),
            *(_window(o * di, si, m) for o, di, si, m in zip(offset, d, s, out_size)),
        )

    cols = xp.empty((n, c, len(offsets), *out_size), dtype=data.dtype)
    for index, offset in enumerate(offsets):
        cols[:, :, index] = padded[windows(offset)]
    padded_shape = padded.shape
    del padded
    positions = out_size[0] * out_size[1] * out_size[2]
    cols = cols.reshape(n, groups, cg * len(offsets), positions)
    w3 = w.reshape(groups, f // groups, cg * len(offsets))
    out = xp.matmul(w3, cols).reshape(n, f, *out_size)  # (N, G, F/G, P): one GEMM per group
    if bias is not None:
        out += bias._data.reshape(f, 1, 1, 1)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        g4 = (g[None] if unbatched else g).reshape(n, groups, f // groups, positions)
        gx = gw = None
        if needs[0]:
            dcols = xp.matmul(w3.transpose(0, 2, 1), g4).reshape(n, c, len(offsets), *out_size)
            grad = xp.zeros(padded_shape, dtype=g.dtype)
            for index, offset in enumerate(offsets):  # windows overlap: one offset at a time
                grad[windows(offset)] += dcols[:, :, index]
            gx = grad[(slice(None), slice(None), *inner)]
            gx = gx[0] if unbatched else gx
        if needs[1]:
            gw = xp.matmul(g4, cols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(w.shape)
        if bias is None:
            return gx, gw
        return gx, gw, (g4.sum(axis=(0, 3)).reshape(f) if needs[2] else None)

    return nary(inputs, out[0] if unbatched else out, vjp)  # type: ignore[no-any-return]
