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

from typing import Any

from typing_extensions import TypeVar

from shaped import shapes
from shaped.ops.core import Array, check_same, nary, unary
from shaped.tensor import Tensor

__all__ = ["avg_pool2d", "conv2d", "conv_transpose2d", "max_pool2d"]

D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")

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
    padding: Pair = 0,
    dilation: Pair = 1,
    groups: int = 1,
) -> Tensor[tuple[Any, ...], D, Dev, Any]:
    """x (N, C, H, W) or (C, H, W), weight (F, C/groups, kH, kW), bias (F,) as torch's conv2d."""
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
    op: str, x: Array, kernel_size: Pair, stride: Pair | None, padding: Pair
) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], int, int]:
    result_shape = shapes.pool2d(op, x.shape, kernel_size, stride, padding)
    ho, wo = result_shape[-2], result_shape[-1]
    assert isinstance(ho, int) and isinstance(wo, int)
    k = _pair(kernel_size)
    return k, (k if stride is None else _pair(stride)), _pair(padding), ho, wo


def max_pool2d(
    x: Tensor[Any, D, Dev, T],
    kernel_size: Pair,
    stride: Pair | None = None,
    padding: Pair = 0,
) -> Tensor[tuple[Any, ...], D, Dev, T]:
    """The maximum of each window (padding is -inf; NaN propagates). The gradient goes to each
    window's first maximum in row-major order (to its last NaN if it has one), as in PyTorch."""
    data = x._data
    (kh, kw), (sh, sw), (ph, pw), ho, wo = _pool_geometry(
        "max_pool2d", data, kernel_size, stride, padding
    )
    xp = x._device.xp
    low = -xp.inf if data.dtype.kind == "f" else xp.iinfo(data.dtype).min
    padded = _pad(xp, data, ph, pw, low)
    windows = [(_window(i, sh, ho), _window(j, sw, wo)) for i in range(kh) for j in range(kw)]
    rows, cols = windows[0]
    out = padded[..., rows, cols].copy()
    for rows, cols in windows[1:]:
        xp.maximum(out, padded[..., rows, cols], out=out)
    h, w = data.shape[-2], data.shape[-1]
    overlap = sh < kh or sw < kw

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None]:
        grad = xp.zeros(padded.shape, dtype=g.dtype)
        free = xp.ones(out.shape, dtype=bool)  # windows whose maximum is not yet found
        hit = xp.empty(out.shape, dtype=bool)
        share = xp.empty(out.shape, dtype=g.dtype)

        def send(rows: slice, cols: slice, add: bool) -> None:
            xp.logical_and(hit, free, out=hit)
            xp.logical_xor(free, hit, out=free)
            # a multiply by the mask is several times faster than copyto(where=) in numpy
            if add:
                xp.multiply(g, hit, out=share)
                grad[..., rows, cols] += share
            else:  # first pass over disjoint windows: each cell is written exactly once
                xp.multiply(g, hit, out=grad[..., rows, cols])

        for rows, cols in windows:
            xp.equal(padded[..., rows, cols], out, out=hit)
            send(rows, cols, overlap)
        if out.dtype.kind == "f" and free.any():  # NaN windows: the last NaN, as PyTorch
            for rows, cols in reversed(windows):
                xp.isnan(padded[..., rows, cols], out=hit)
                send(rows, cols, True)
        return (_crop(grad, ph, pw, h, w),)

    return unary(x, out, vjp)  # type: ignore[no-any-return]


def avg_pool2d(
    x: Tensor[Any, D, Dev, T],
    kernel_size: Pair,
    stride: Pair | None = None,
    padding: Pair = 0,
) -> Tensor[tuple[Any, ...], D, Dev, T]:
    """The mean of each window; zero padding counts in the divisor (count_include_pad=True)."""
    data = x._data
    (kh, kw), (sh, sw), (ph, pw), ho, wo = _pool_geometry(
        "avg_pool2d", data, kernel_size, stride, padding
    )
    xp = x._device.xp
    padded = _pad(xp, data, ph, pw)
    windows = [(_window(i, sh, ho), _window(j, sw, wo)) for i in range(kh) for j in range(kw)]
    rows, cols = windows[0]
    out = padded[..., rows, cols].copy()
    for rows, cols in windows[1:]:
        out += padded[..., rows, cols]
    out /= kh * kw
    padded_shape = padded.shape
    h, w = data.shape[-2], data.shape[-1]
    del padded

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None]:
        share = g / (kh * kw)
        grad = xp.zeros(padded_shape, dtype=g.dtype)
        for rows, cols in windows:
            grad[..., rows, cols] += share
        return (_crop(grad, ph, pw, h, w),)

    return unary(x, out, vjp)  # type: ignore[no-any-return]
