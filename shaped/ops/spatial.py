"""Pooling over 1, 2 or 3 spatial axes with torch's indices, 3-D pooling, unpooling, and
transposed 1-D and 3-D convolution (PyTorch semantics).

Every window is a strided view of the padded input, one array operation per kernel offset
(as conv.py's pools): a max pool keeps, per output cell, the offset of its winning cell (one
byte), so the VJP and the indices torch returns come from the same choice; conv.py's
values-only 1-d and 2-d max pools share first_max and route_max_grad. The transposed 3-D convolution is one GEMM per
group and a scatter-add of the kernel's offsets; its VJP is the gather and the transposed
GEMMs. conv.py imports this module, so this one reads conv.py's helpers when called.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Literal, overload

from typing_extensions import TypeVar

from shaped import shapes
from shaped.dtypes import Int64, NoTape, float_only
from shaped.errors import DeviceError, DtypeError
from shaped.ops.core import Array, check_same, nary, unary
from shaped.tensor import Tensor

__all__ = [
    "avg_pool3d",
    "conv_transpose1d",
    "conv_transpose3d",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
]

D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")

One = int | tuple[int]
Pair = int | tuple[int, int]
Triple = int | tuple[int, int, int]
Tn = Tensor[Any, Any, Any, Any]
Indices = Tensor[tuple[Any, ...], Int64, Dev, NoTape]


def _each(value: int | tuple[int, ...], count: int) -> tuple[int, ...]:
    return (value,) * count if isinstance(value, int) else tuple(value)


def _window(offset: int, step: int, count: int) -> slice:
    """Positions offset, offset + step, ..., count of them."""
    return slice(offset, offset + step * (count - 1) + 1, step)


class _Windows:
    """The windows of a pooling over the last `count` axes: kernel k, stride s, padding p,
    dilation d, out cells per axis; the input padded by p before and p plus ceil_mode's
    overhang after."""

    def __init__(
        self,
        size: tuple[int, ...],
        out: tuple[int, ...],
        k: tuple[int, ...],
        s: tuple[int, ...],
        p: tuple[int, ...],
        d: tuple[int, ...],
    ) -> None:
        self.size, self.out, self.k, self.s, self.p, self.d = size, out, k, s, p, d
        spans = [di * (ki - 1) + 1 for ki, di in zip(k, d)]
        self.after = [
            pi + max(0, (o - 1) * si + span - (n + 2 * pi))
            for n, o, si, pi, span in zip(size, out, s, p, spans)
        ]
        self.padded = tuple(n + pi + a for n, pi, a in zip(size, p, self.after))
        self.offsets = list(itertools.product(*(range(ki) for ki in k)))
        self.inner = (Ellipsis, *(slice(pi, pi + n) for pi, n in zip(p, size)))

    def view(self, offset: tuple[int, ...]) -> tuple[Any, ...]:
        """The index of the cells that offset `offset` of every window reads."""
        return (
            Ellipsis,
            *(_window(o * di, si, m) for o, di, si, m in zip(offset, self.d, self.s, self.out)),
        )

    def pad(self, xp: Any, data: Array, value: float) -> Array:
        if self.padded == self.size:
            return data
        out = xp.full((*data.shape[: -len(self.size)], *self.padded), value, dtype=data.dtype)
        out[self.inner] = data
        return out

    def crop(self, grad: Array) -> Array:
        return grad if self.padded == self.size else grad[self.inner]


def _geometry(
    op: str,
    data: Array,
    count: int,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    ceil_mode: bool,
    dilation: Any,
) -> _Windows:
    """The shape rule of the pooling, then its windows."""
    if count == 1:
        rule = shapes.pool1d(op, data.shape, kernel_size, stride, padding, ceil_mode, dilation)
    elif count == 2:
        rule = shapes.pool2d(op, data.shape, kernel_size, stride, padding, ceil_mode, dilation)
    else:
        rule = shapes.pool3d(op, data.shape, kernel_size, stride, padding, ceil_mode, dilation)
    k = _each(kernel_size, count)
    s = k if stride is None else _each(stride, count)
    out = tuple(int(n) for n in rule[-count:] if n is not None)
    return _Windows(data.shape[-count:], out, k, s, _each(padding, count), _each(dilation, count))


def first_max(xp: Any, padded: Array, views: list[tuple[Any, ...]]) -> tuple[Array, Array]:
    """The maximum over the cells `padded[view]` of every view (one per window offset, in
    row-major order) and the offset of each window's first maximum, as torch's kernels choose:
    a later cell wins only when greater, a NaN beats everything and a later NaN an earlier one.
    Each offset is one strided copy into a contiguous buffer, where the comparisons run
    (several times faster than on strided views). NaN costs a second scan, only when present."""
    best, pick = _scan(xp, padded, views, nan=False)
    if best.dtype.kind == "f" and xp.isnan(best.sum()):  # NaN propagated: scan again for it
        best, pick = _scan(xp, padded, views, nan=True)
    return best, pick


def _scan(xp: Any, padded: Array, views: list[tuple[Any, ...]], nan: bool) -> tuple[Array, Array]:
    best = padded[views[0]].copy()
    pick = xp.zeros(best.shape, dtype=xp.uint8 if len(views) < 256 else xp.int32)
    cells = xp.empty_like(best)
    take = xp.empty(best.shape, dtype=bool)
    step = xp.empty_like(pick)
    isnan = xp.empty(best.shape, dtype=bool) if nan else None
    for i, view in enumerate(views[1:], 1):
        cells[...] = padded[view]
        xp.greater(cells, best, out=take)
        if isnan is not None:
            xp.isnan(cells, out=isnan)
            xp.logical_or(take, isnan, out=take)
        xp.maximum(best, cells, out=best)  # NaN propagates: a NaN best stays NaN
        # offsets only grow, so the last offset that took the lead is the largest one
        xp.multiply(take, step.dtype.type(i), out=step)
        xp.maximum(pick, step, out=pick)
    return best, pick


def dead_windows(xp: Any, best: Array, pick: Array, win: _Windows) -> None:
    """Windows whose maximum is -inf (every cell inside the input is -inf) pick their first
    cell inside the input, as torch does, not a padding cell (which would lose the gradient)."""
    if best.dtype.kind != "f" or not any(win.p) or not best.size:
        return
    dead = best == -xp.inf
    if not dead.any():
        return
    count = len(win.k)
    first = xp.zeros((1,) * count, dtype=xp.int64)
    for axis, (o, si, pi, di) in enumerate(zip(win.out, win.s, win.p, win.d)):
        start = xp.arange(o) * si - pi
        shape = [1] * count
        shape[axis] = o
        first = first * win.k[axis] + xp.maximum(0, -(start // di)).reshape(shape)
    xp.copyto(pick, xp.broadcast_to(first, pick.shape).astype(pick.dtype), where=dead)


def route_max_grad(
    xp: Any, g: Array, pick: Array, views: list[tuple[Any, ...]], padded: tuple[int, ...],
    overlap: bool, tiled: bool,
) -> Array:  # fmt: skip
    """The max pool's input gradient (padded shape): g to each window's picked cell. Disjoint
    windows write their cells once (`tiled`: they cover the input, so no zeros pass either);
    overlapping ones add. An inf or NaN in g is selected, not multiplied (inf * 0 is nan)."""
    if g.size and not xp.isfinite(g.sum()):
        grad = xp.zeros(padded, dtype=g.dtype)
        for i, view in enumerate(views):
            grad[view] += xp.where(pick == i, g, 0)
        return grad
    grad = (xp.empty if tiled else xp.zeros)(padded, dtype=g.dtype)
    hit = xp.empty(pick.shape, dtype=bool)
    share = xp.empty(g.shape, dtype=g.dtype) if overlap else None
    for i, view in enumerate(views):
        xp.equal(pick, i, out=hit)
        if share is None:  # each cell belongs to one window at most: written once
            xp.multiply(g, hit, out=grad[view])
        else:
            xp.multiply(g, hit, out=share)
            grad[view] += share
    return grad


def _max_with_indices(
    op: str,
    x: Tensor[Any, D, Dev, T],
    count: int,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    ceil_mode: bool,
    dilation: Any,
    want_indices: bool,
) -> Any:
    """The max pool over the last `count` axes, and (want_indices) torch's indices into the
    flattened input cells of each plane. Each window's first maximum in row-major order wins
    (its last NaN if it has one; padding never), as torch's kernels choose."""
    data = x._data
    win = _geometry(op, data, count, kernel_size, stride, padding, ceil_mode, dilation)
    xp = x._device.xp
    low = -xp.inf if data.dtype.kind == "f" else xp.iinfo(data.dtype).min
    padded = win.pad(xp, data, low)
    views = [win.view(offset) for offset in win.offsets]
    best, pick = first_max(xp, padded, views)
    dead_windows(xp, best, pick, win)
    padded_shape = padded.shape
    del padded
    overlap = any(si < ki for si, ki in zip(win.s, win.k)) or any(di != 1 for di in win.d)
    tiled = (
        not overlap
        and padded_shape[-count:] == win.size
        and all(o * ki == n for o, ki, n in zip(win.out, win.k, win.size))
    )

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        return (win.crop(route_max_grad(xp, g, pick, views, padded_shape, overlap, tiled)),)

    values = unary(x, best, vjp)
    if not want_indices:
        return values
    flat = xp.zeros(pick.shape, dtype=xp.int64)
    rest = pick.astype(xp.int64)
    for axis in reversed(range(count)):  # the offset's digits, last axis first
        digit, rest = rest % win.k[axis], rest // win.k[axis]
        shape = [1] * count
        shape[axis] = win.out[axis]
        start = (xp.arange(win.out[axis]) * win.s[axis] - win.p[axis]).reshape(shape)
        flat += (start + digit * win.d[axis]) * math.prod(win.size[axis + 1 :])
    return values, Tensor._wrap(flat, x._device)


def check_divisor(op: str, divisor_override: object) -> None:
    """avg_pool's divisor_override: None, or an int >= 1 (torch refuses zero)."""
    if divisor_override is None:
        return
    if isinstance(divisor_override, bool) or not isinstance(divisor_override, int):
        raise TypeError(f"{op}: divisor_override must be an int, got {divisor_override!r}")
    if divisor_override < 1:
        raise ValueError(f"{op}: divisor_override must be >= 1, got {divisor_override}")


def _avg(
    op: str,
    x: Tensor[Any, D, Dev, T],
    count: int,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: int | None,
) -> Any:
    """The mean of each window over the last `count` axes; the divisor counts the zero padding
    (count_include_pad) or the input's cells only, never ceil_mode's overhang; or it is
    divisor_override."""
    data = x._data
    if data.dtype.kind != "f":
        raise DtypeError(float_only(op, x.dtype) or op)
    check_divisor(op, divisor_override)
    win = _geometry(op, data, count, kernel_size, stride, padding, ceil_mode, 1)
    xp = x._device.xp
    padded = win.pad(xp, data, 0.0)
    views = [win.view(offset) for offset in win.offsets]
    out = padded[views[0]].copy()
    for view in views[1:]:
        out += padded[view]
    divisor: Any = math.prod(win.k)
    overhang = any(a != pi for a, pi in zip(win.after, win.p))
    if divisor_override is not None:
        divisor = divisor_override
    elif overhang or (not count_include_pad and any(win.p)):
        counted = xp.zeros(win.padded, dtype=data.dtype)  # the cells each window counts
        if count_include_pad:
            counted[tuple(slice(0, n + 2 * pi) for n, pi in zip(win.size, win.p))] = 1
        else:
            counted[win.inner] = 1
        divisor = sum(counted[view] for view in views)
    out /= divisor
    padded_shape = padded.shape
    del padded

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        share = g / divisor
        grad = xp.zeros(padded_shape, dtype=g.dtype)
        for view in views:
            grad[view] += share
        return (win.crop(grad),)

    return unary(x, out, vjp)


# ---------------------------------------------------------------- max pools, with indices


@overload
def max_pool1d(
    x: Tensor[Any, D, Dev, T],
    kernel_size: One,
    stride: One | None = None,
    padding: One = 0,
    ceil_mode: bool = False,
    dilation: One = 1,
    *,
    return_indices: Literal[False] = False,
) -> Tensor[tuple[Any, ...], D, Dev, T]: ...
@overload
def max_pool1d(
    x: Tensor[Any, D, Dev, T],
    kernel_size: One,
    stride: One | None = None,
    padding: One = 0,
    ceil_mode: bool = False,
    dilation: One = 1,
    *,
    return_indices: Literal[True],
) -> tuple[Tensor[tuple[Any, ...], D, Dev, T], Indices[Dev]]: ...
@overload
def max_pool1d(
    x: Tensor[Any, D, Dev, T],
    kernel_size: One,
    stride: One | None = None,
    padding: One = 0,
    ceil_mode: bool = False,
    dilation: One = 1,
    *,
    return_indices: bool,
) -> (
    Tensor[tuple[Any, ...], D, Dev, T] | tuple[Tensor[tuple[Any, ...], D, Dev, T], Indices[Dev]]
): ...
def max_pool1d(
    x: Tn,
    kernel_size: One,
    stride: One | None = None,
    padding: One = 0,
    ceil_mode: bool = False,
    dilation: One = 1,
    *,
    return_indices: bool = False,
) -> Any:
    """The maximum of each window of (N, C, L) or (C, L) (padding -inf), as torch's max_pool1d;
    return_indices=True also gives each maximum's position along L (Int64, torch's indices,
    for max_unpool1d). Note the order: ceil_mode comes before dilation here."""
    if return_indices:
        return _max_with_indices(
            "max_pool1d", x, 1, kernel_size, stride, padding, ceil_mode, dilation, True
        )
    from shaped.ops import conv

    return conv._max_pool1d(x, kernel_size, stride, padding, ceil_mode, dilation)


@overload
def max_pool2d(
    x: Tensor[Any, D, Dev, T],
    kernel_size: Pair,
    stride: Pair | None = None,
    padding: Pair = 0,
    ceil_mode: bool = False,
    dilation: Pair = 1,
    *,
    return_indices: Literal[False] = False,
) -> Tensor[tuple[Any, ...], D, Dev, T]: ...
@overload
def max_pool2d(
    x: Tensor[Any, D, Dev, T],
    kernel_size: Pair,
    stride: Pair | None = None,
    padding: Pair = 0,
    ceil_mode: bool = False,
    dilation: Pair = 1,
    *,
    return_indices: Literal[True],
) -> tuple[Tensor[tuple[Any, ...], D, Dev, T], Indices[Dev]]: ...
@overload
def max_pool2d(
    x: Tensor[Any, D, Dev, T],
    kernel_size: Pair,
    stride: Pair | None = None,
    padding: Pair = 0,
    ceil_mode: bool = False,
    dilation: Pair = 1,
    *,
    return_indices: bool,
) -> (
    Tensor[tuple[Any, ...], D, Dev, T] | tuple[Tensor[tuple[Any, ...], D, Dev, T], Indices[Dev]]
): ...
def max_pool2d(
    x: Tn,
    kernel_size: Pair,
    stride: Pair | None = None,
    padding: Pair = 0,
    ceil_mode: bool = False,
    dilation: Pair = 1,
    *,
    return_indices: bool = False,
) -> Any:
    """The maximum of each window (padding is -inf; NaN propagates). The gradient goes to each
    window's first maximum in row-major order (to its last NaN if it has one), as in PyTorch.
    ceil_mode rounds the output size up: the last windows may hang over the padded input;
    dilation spaces the window's cells. return_indices=True also gives each maximum's flat
    index into its H*W plane (Int64, torch's indices, for max_unpool2d)."""
    if return_indices:
        return _max_with_indices(
            "max_pool2d", x, 2, kernel_size, stride, padding, ceil_mode, dilation, True
        )
    from shaped.ops import conv

    return conv._max_pool2d(x, kernel_size, stride, padding, ceil_mode, dilation)


@overload
def max_pool3d(
    x: Tensor[Any, D, Dev, T],
    kernel_size: Triple,
    stride: Triple | None = None,
    padding: Triple = 0,
    ceil_mode: bool = False,
    dilation: Triple = 1,
    *,
    return_indices: Literal[False] = False,
) -> Tensor[tuple[Any, ...], D, Dev, T]: ...
@overload
def max_pool3d(
    x: Tensor[Any, D, Dev, T],
    kernel_size: Triple,
    stride: Triple | None = None,
    padding: Triple = 0,
    ceil_mode: bool = False,
    dilation: Triple = 1,
    *,
    return_indices: Literal[True],
) -> tuple[Tensor[tuple[Any, ...], D, Dev, T], Indices[Dev]]: ...
@overload
def max_pool3d(
    x: Tensor[Any, D, Dev, T],
    kernel_size: Triple,
    stride: Triple | None = None,
    padding: Triple = 0,
    ceil_mode: bool = False,
    dilation: Triple = 1,
    *,
    return_indices: bool,
) -> (
    Tensor[tuple[Any, ...], D, Dev, T] | tuple[Tensor[tuple[Any, ...], D, Dev, T], Indices[Dev]]
): ...
def max_pool3d(
    x: Tn,
    kernel_size: Triple,
    stride: Triple | None = None,
    padding: Triple = 0,
    ceil_mode: bool = False,
    dilation: Triple = 1,
    *,
    return_indices: bool = False,
) -> Any:
    """The maximum of each kD x kH x kW window of (N, C, D, H, W) or (C, D, H, W), as torch's
    max_pool3d: padding -inf, stride defaults to the kernel, ceil_mode rounds up, dilation
    spaces the cells; the gradient goes to each window's first maximum (its last NaN).
    return_indices=True also gives the flat index into each D*H*W volume (Int64)."""
    return _max_with_indices(
        "max_pool3d", x, 3, kernel_size, stride, padding, ceil_mode, dilation, return_indices
    )


def avg_pool3d(
    x: Tensor[Any, D, Dev, T],
    kernel_size: Triple,
    stride: Triple | None = None,
    padding: Triple = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor[tuple[Any, ...], D, Dev, T]:
    """The mean of each kD x kH x kW window of (N, C, D, H, W) or (C, D, H, W), as torch's
    avg_pool3d: the divisor counts the zero padding (count_include_pad=True, the default) or
    only the input's cells, never ceil_mode's overhang; divisor_override replaces it."""
    return _avg(  # type: ignore[no-any-return]
        "avg_pool3d",
        x,
        3,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
    )


# ---------------------------------------------------------------- unpooling


def _unpool(
    op: str,
    count: int,
    x: Tensor[Any, D, Dev, T],
    indices: Tn,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    output_size: Any,
) -> Any:
    """Each value put at its flat index in a zero (..., *out) volume; the VJP reads the
    gradient back at the same indices."""
    if indices._device is not x._device:
        raise DeviceError(
            f"{op}: the input and the indices are on different devices ({x._device!r} and "
            f"{indices._device!r}); move one with .to({x._device!r})"
        )
    if indices._data.dtype.name != "int64":
        raise DtypeError(
            f"{op}: indices must be Int64 (max_pool's return_indices), got {indices.dtype!r}"
        )
    data, where = x._data, indices._data
    size = None if output_size is None else tuple(int(n) for n in output_size)
    result_shape = shapes.max_unpool(
        op, data.shape, where.shape, kernel_size, stride, padding, size
    )
    xp = x._device.xp
    lead = data.shape[:-count]
    out_spatial = tuple(int(n) for n in result_shape[-count:] if n is not None)
    cells = math.prod(out_spatial)
    planes = math.prod(lead)
    flat = where.reshape(planes, -1)
    if flat.size and (int(flat.min()) < 0 or int(flat.max()) >= cells):
        bad = int(flat.max()) if int(flat.max()) >= cells else int(flat.min())
        raise ValueError(
            f"{op}: found an invalid max index {bad} (output volumes are of size "
            f"{'x'.join(map(str, out_spatial))}): pass the indices max_pool returned"
        )
    rows = xp.arange(planes)[:, None]
    out = xp.zeros((planes, cells), dtype=data.dtype)
    out[rows, flat] = data.reshape(planes, -1)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        return (g.reshape(planes, cells)[rows, flat].reshape(data.shape),)

    return unary(x, out.reshape(*lead, *out_spatial), vjp)


def max_unpool1d(
    x: Tensor[Any, D, Dev, T],
    indices: Tensor[Any, Int64, Dev, Any],
    kernel_size: One,
    stride: One | None = None,
    padding: One = 0,
    output_size: tuple[int, ...] | list[int] | None = None,
) -> Tensor[tuple[Any, ...], D, Dev, T]:
    """The inverse of max_pool1d with return_indices=True, as torch's max_unpool1d: each value
    of (N, C, L) or (C, L) goes to its index, zeros elsewhere; L_out = (L-1)*s - 2p + k, or
    output_size (strictly within a stride of that)."""
    return _unpool(  # type: ignore[no-any-return]
        "max_unpool1d", 1, x, indices, kernel_size, stride, padding, output_size
    )


def max_unpool2d(
    x: Tensor[Any, D, Dev, T],
    indices: Tensor[Any, Int64, Dev, Any],
    kernel_size: Pair,
    stride: Pair | None = None,
    padding: Pair = 0,
    output_size: tuple[int, ...] | list[int] | None = None,
) -> Tensor[tuple[Any, ...], D, Dev, T]:
    """The inverse of max_pool2d with return_indices=True, as torch's max_unpool2d: each value
    of (N, C, H, W) or (C, H, W) goes to its flat index in the H_out*W_out plane, zeros
    elsewhere; H_out = (H-1)*s - 2p + k, or output_size (strictly within a stride of that)."""
    return _unpool(  # type: ignore[no-any-return]
        "max_unpool2d", 2, x, indices, kernel_size, stride, padding, output_size
    )


def max_unpool3d(
    x: Tensor[Any, D, Dev, T],
    indices: Tensor[Any, Int64, Dev, Any],
    kernel_size: Triple,
    stride: Triple | None = None,
    padding: Triple = 0,
    output_size: tuple[int, ...] | list[int] | None = None,
) -> Tensor[tuple[Any, ...], D, Dev, T]:
    """The inverse of max_pool3d with return_indices=True, as torch's max_unpool3d (each value
    to its flat index in the D_out*H_out*W_out volume, zeros elsewhere)."""
    return _unpool(  # type: ignore[no-any-return]
        "max_unpool3d", 3, x, indices, kernel_size, stride, padding, output_size
    )


# ---------------------------------------------------------------- transposed convolutions


def conv_transpose1d(
    x: Tensor[Any, D, Dev, T],
    weight: Tensor[Any, D, Dev, Any],
    bias: Tensor[Any, D, Dev, Any] | None = None,
    stride: One = 1,
    padding: One = 0,
    output_padding: One = 0,
    groups: int = 1,
    dilation: One = 1,
) -> Tensor[tuple[Any, ...], D, Dev, Any]:
    """x (N, C_in, L) or (C_in, L), weight (C_in, C_out/groups, k), bias (C_out,), as torch's
    conv_transpose1d: L_out = (L-1)*s - 2p + d*(k-1) + output_padding + 1. conv_transpose2d
    over a height of one (its VJP too)."""
    from shaped.ops import conv

    op = "conv_transpose1d"
    check_same(op, (x, weight) if bias is None else (x, weight, bias), weights=True)
    shapes.conv_transpose_nd(
        op,
        x._data.shape,
        weight._data.shape,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
        None if bias is None else bias._data.shape,
    )
    s, p, o, d = (_each(v, 1)[0] for v in (stride, padding, output_padding, dilation))
    out = conv.conv_transpose2d(
        x.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, s), (0, p), (0, o), groups, (1, d)
    )
    return out.squeeze(-2)


def conv_transpose3d(
    x: Tensor[Any, D, Dev, T],
    weight: Tensor[Any, D, Dev, Any],
    bias: Tensor[Any, D, Dev, Any] | None = None,
    stride: Triple = 1,
    padding: Triple = 0,
    output_padding: Triple = 0,
    groups: int = 1,
    dilation: Triple = 1,
) -> Tensor[tuple[Any, ...], D, Dev, Any]:
    """x (N, C_in, D, H, W) or (C_in, D, H, W), weight (C_in, C_out/groups, kD, kH, kW), bias
    (C_out,), as torch's conv_transpose3d: each D_out = (D-1)*s - 2p + d*(k-1) +
    output_padding + 1. The adjoint of conv3d in its input."""
    op = "conv_transpose3d"
    inputs: tuple[Tn, ...] = (x, weight) if bias is None else (x, weight, bias)
    check_same(op, inputs, weights=True)
    data, w = x._data, weight._data
    if data.dtype.kind != "f":
        raise DtypeError(float_only(op, x.dtype) or op)
    result_shape = shapes.conv_transpose_nd(
        op,
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
    s, p, d = _each(stride, 3), _each(padding, 3), _each(dilation, 3)
    unbatched = data.ndim == 4
    x5 = data[None] if unbatched else data
    n, c = x5.shape[:2]
    size = x5.shape[2:]
    og, kernel = w.shape[1], w.shape[2:]
    out_c = og * groups
    out_size = tuple(int(m) for m in result_shape[-3:] if m is not None)
    # the uncropped output: padding p is cut from both ends, output_padding's cells are zeros
    full = tuple(o + 2 * pi for o, pi in zip(out_size, p))
    offsets = list(itertools.product(*(range(k) for k in kernel)))

    def windows(offset: tuple[int, ...]) -> tuple[Any, ...]:
        return (
            slice(None),
            slice(None),
            *(_window(o * di, si, m) for o, di, si, m in zip(offset, d, s, size)),
        )

    inner = (slice(None), slice(None), *(slice(pi, pi + o) for pi, o in zip(p, out_size)))
    positions = math.prod(size)
    x4 = x5.reshape(n, groups, c // groups, positions)
    w3 = w.reshape(groups, c // groups, og * len(offsets))
    cols = xp.matmul(w3.transpose(0, 2, 1), x4).reshape(n, out_c, len(offsets), *size)
    buffer = xp.zeros((n, out_c, *full), dtype=data.dtype)
    for index, offset in enumerate(offsets):  # windows overlap: one offset at a time
        buffer[windows(offset)] += cols[:, :, index]
    del cols
    out = xp.ascontiguousarray(buffer[inner])
    del buffer
    if bias is not None:
        out += bias._data.reshape(out_c, 1, 1, 1)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        g5 = g[None] if unbatched else g
        gx = gw = None
        if needs[0] or needs[1]:
            padded = xp.zeros((n, out_c, *full), dtype=g.dtype)
            padded[inner] = g5
            gcols = xp.empty((n, out_c, len(offsets), *size), dtype=g.dtype)
            for index, offset in enumerate(offsets):
                gcols[:, :, index] = padded[windows(offset)]
            del padded
            gcols = gcols.reshape(n, groups, og * len(offsets), positions)
            if needs[0]:
                gx = xp.matmul(w3, gcols).reshape(x5.shape)
                gx = gx[0] if unbatched else gx
            if needs[1]:
                gw = xp.matmul(x4, gcols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(w.shape)
        if bias is None:
            return gx, gw
        return gx, gw, (g5.sum(axis=(0, 2, 3, 4)) if needs[2] else None)

    return nary(inputs, out[0] if unbatched else out, vjp)  # type: ignore[no-any-return]
