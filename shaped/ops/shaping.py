"""Shape and movement ops, more: repeat, split/chunk/unbind, tril/triu, flip, roll, expand,
narrow, movedim, repeat_interleave, meshgrid, diag, contiguous and clone.

Each op checks its rule from `shaped.shapes`, computes its array with `xp`, and returns
through `unary`/`nary` with its VJP beside it. Ops that give several tensors (split, chunk,
unbind, meshgrid) make each piece its own op, so each piece's gradient flows back alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, overload

from typing_extensions import TypeVar

from shaped import shapes
from shaped.errors import DtypeError, ShapeError
from shaped.ops import movement
from shaped.ops.core import Array, check_same, nary, sum_to, unary
from shaped.tensor import Tensor

Tn = Tensor[Any, Any, Any, Any]


def pick_axis(op: str, axis: Any, dim: Any, default: Any = None) -> Any:
    """numpy's `axis=` or torch's `dim=` (one implementation, either spelling)."""
    if dim is not None:
        if axis is not None and axis != default and axis != dim:
            raise TypeError(f"{op}: give axis= or dim=, not both")
        return dim
    return default if axis is None else axis


def _sizes(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """`f(2, 3)` or `f((2, 3))` as (2, 3)."""
    if len(values) == 1 and isinstance(values[0], (tuple, list)):
        return tuple(values[0])
    return values


def _slice_of(x: Tn, region: tuple[Any, ...]) -> Any:
    """x[region] as its own op: the gradient lands in that region of zeros."""
    data = x._data
    old = data.shape
    xp = x._device.xp

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        grad = xp.zeros(old, dtype=g.dtype)
        grad[region] = g
        return (grad,)

    return unary(x, data[region], vjp)


def repeat(x: Tn, sizes: tuple[Any, ...]) -> Any:
    """torch's x.repeat(2, 3): tile the tensor; the gradient sums the tiles."""
    if not sizes:
        raise TypeError("repeat: give the sizes, e.g. x.repeat(2, 3) or x.repeat(()) for rank 0")
    reps = tuple(int(r) for r in _sizes(sizes))
    data = x._data
    new = shapes.repeat(data.shape, reps)
    xp = x._device.xp
    padded = (1,) * (len(reps) - data.ndim) + tuple(data.shape)
    out = xp.tile(data.reshape(padded), reps) if reps else data.copy()
    old = data.shape
    # the output viewed as (r0, d0, r1, d1, ...): summing the r axes undoes the tiling
    split = tuple(v for r, d in zip(reps, padded) for v in (r, d))

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        summed = g.reshape(split).sum(axis=tuple(range(0, 2 * len(reps), 2)))
        return (summed.reshape(old),)

    assert out.shape == new
    return unary(x, out, vjp)


def split(x: Tn, sections: Any, axis: int, op: str = "split") -> tuple[Any, ...]:
    """torch.split (an int size, or a list of sizes) and torch.chunk (op="chunk")."""
    if not isinstance(sections, int):
        sections = [int(s) for s in sections]
    data = x._data
    pieces = shapes.split(op, data.shape, sections, axis)
    assert pieces is not None
    pos = axis % data.ndim
    lead = (slice(None),) * pos
    out = []
    start = 0
    for piece in pieces:
        size = int(piece[pos] or 0)
        out.append(_slice_of(x, (*lead, slice(start, start + size))))
        start += size
    return tuple(out)


def unbind(x: Tn, axis: int) -> tuple[Any, ...]:
    data = x._data
    shapes.unbind(data.shape, axis)
    pos = axis % data.ndim
    lead = (slice(None),) * pos
    return tuple(_slice_of(x, (*lead, i, Ellipsis)) for i in range(data.shape[pos]))


def triangle(x: Tn, diagonal: int, upper: bool) -> Any:
    """tril/triu: zero above (below) diagonal `diagonal` of the last two axes."""
    op = "triu" if upper else "tril"
    data = x._data
    shapes.triangle(op, data.shape)
    xp = x._device.xp
    keep = xp.triu if upper else xp.tril
    return unary(x, keep(data, diagonal), lambda g, needs: (keep(g, diagonal),))


def flip(x: Tn, axes: Any) -> Any:
    data = x._data
    shapes.flip(data.shape, axes)
    named = tuple(range(data.ndim)) if axes is None else axes
    xp = x._device.xp
    if not data.ndim:
        return unary(x, data.copy(), lambda g, needs: (g,))
    return unary(x, xp.flip(data, named).copy(), lambda g, needs: (xp.flip(g, named),))


def roll(x: Tn, shifts: Any, axes: Any) -> Any:
    """torch.roll; no axes rolls the flattened tensor and restores the shape."""
    data = x._data
    shapes.roll(data.shape, shifts, axes)
    xp = x._device.xp
    back = tuple(-s for s in shifts) if isinstance(shifts, (tuple, list)) else -shifts
    if data.size == 0:
        return unary(x, data.copy(), lambda g, needs: (g,))
    return unary(x, xp.roll(data, shifts, axes), lambda g, needs: (xp.roll(g, back, axes),))


def expand(x: Tn, sizes: tuple[Any, ...]) -> Any:
    """torch's expand (a broadcast view; -1 keeps a dim); the gradient sums back."""
    if not sizes:
        raise TypeError("expand: give the sizes, e.g. x.expand(4, -1) or x.expand(()) for rank 0")
    target = tuple(int(s) for s in _sizes(sizes))
    data = x._data
    old = data.shape
    new = shapes.expand(old, target)
    xp = x._device.xp
    return unary(x, xp.broadcast_to(data, new), lambda g, needs: (sum_to(g, old),))


def copy(x: Tn, contiguous: bool) -> Any:
    """clone() (always a copy) or contiguous() (a C-ordered array; the same tensor if it is)."""
    data = x._data
    xp = x._device.xp
    if contiguous:
        if data.flags.c_contiguous:
            return x
        out = xp.ascontiguousarray(data)
    else:
        out = data.copy()
    return unary(x, out, lambda g, needs: (g,))


def narrow(x: Tn, axis: int, start: int, length: int) -> Any:
    data = x._data
    shapes.narrow(data.shape, axis, start, length)
    pos = axis % data.ndim
    begin = start % data.shape[pos] if start < 0 else start
    return _slice_of(x, (*(slice(None),) * pos, slice(begin, begin + length)))


def movedim(x: Tn, source: Any, destination: Any) -> Any:
    data = x._data
    shapes.movedim(data.shape, source, destination)
    xp = x._device.xp
    return unary(
        x,
        xp.moveaxis(data, source, destination),
        lambda g, needs: (xp.moveaxis(g, destination, source),),
    )


def repeat_interleave(x: Tn, repeats: int | Tn, axis: int | None) -> Any:
    """Each element `repeats` times (np.repeat); the gradient sums each run of copies."""
    if isinstance(repeats, Tensor):
        return _repeat_counts(x, repeats, axis)
    if isinstance(repeats, bool) or not isinstance(repeats, int):
        raise TypeError(
            f"repeat_interleave: repeats must be an int or an Int64 tensor, got "
            f"{type(repeats).__name__}"
        )
    data = x._data
    old = data.shape
    shapes.repeat_interleave(old, repeats, axis)
    xp = x._device.xp
    if axis is None:
        out = xp.repeat(data.reshape(-1), repeats)
        count = int(data.size)
        return unary(x, out, lambda g, needs: (g.reshape(count, repeats).sum(axis=1).reshape(old),))
    pos = axis % data.ndim
    runs = (*old[:pos], old[pos], repeats, *old[pos + 1 :])
    out = xp.repeat(data, repeats, axis=pos)
    return unary(x, out, lambda g, needs: (g.reshape(runs).sum(axis=pos + 1),))


def _repeat_counts(x: Tn, repeats: Tn, axis: int | None) -> Any:
    """repeat_interleave with a count per element: a gather, whose gradient adds back."""
    if repeats._device is not x._device:
        check_same("repeat_interleave", (x, repeats))
    counts = repeats._data
    if counts.dtype.kind not in "iu":
        raise DtypeError(
            f"repeat_interleave: repeats must be an integer tensor (sh.Int64), got "
            f"{repeats.dtype.__name__}"
        )
    data = x._data
    old = data.shape
    shapes.repeat_interleave_counts(old, counts.shape, axis)
    xp = x._device.xp
    source = data.reshape(-1) if axis is None else data
    pos = 0 if axis is None else axis % data.ndim
    size = source.shape[pos]
    if counts.size and int(counts.min()) < 0:
        raise ShapeError("repeat_interleave: repeats must be non-negative")
    index = xp.repeat(xp.arange(size), xp.broadcast_to(counts.reshape(-1), (size,)))
    out = xp.take(source, index, axis=pos)
    lead = (slice(None),) * pos

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        grad = xp.zeros(source.shape, dtype=g.dtype)
        xp.add.at(grad, (*lead, index), g)
        return (grad.reshape(old),)

    return unary(x, out, vjp)


def _meshgrid(tensors: Sequence[Tn], indexing: str) -> tuple[Any, ...]:
    """torch.meshgrid: output i holds input i along its axis, broadcast over the others."""
    items = list(tensors)
    if not items:
        raise TypeError("meshgrid: needs at least one tensor")
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"meshgrid: element {i} is a {type(t).__name__}, not a tensor")
    check_same("meshgrid", items)
    grid = shapes.meshgrid([t._data.shape for t in items], indexing)[0]
    count = len(items)
    out = []
    for i, t in enumerate(items):
        axis = (1 - i if i < 2 else i) if indexing == "xy" and count > 1 else i
        view = [1] * count
        view[axis] = int(grid[axis] or 0)
        xp = t._device.xp
        data = xp.broadcast_to(t._data.reshape(view), grid)
        old = t._data.shape
        others = tuple(a for a in range(count) if a != axis)

        def vjp(g: Array, needs: tuple[bool, ...], old: Any = old, others: Any = others) -> Any:
            return [g.sum(axis=others).reshape(old)]

        out.append(nary([t], data, vjp))
    return tuple(out)


def diag(x: Tn, diagonal: int) -> Any:
    """torch.diag: vector -> matrix with it on a diagonal, matrix -> that diagonal."""
    data = x._data
    old = data.shape
    shapes.diag(old, diagonal)
    xp = x._device.xp
    if data.ndim == 1:
        return unary(x, xp.diag(data, diagonal), lambda g, needs: (xp.diagonal(g, diagonal),))

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        grad = xp.zeros(old, dtype=g.dtype)
        rows = xp.arange(g.shape[0]) + max(-diagonal, 0)
        grad[rows, rows + diagonal] = g
        return (grad,)

    return unary(x, xp.diagonal(data, diagonal).copy(), vjp)


def numel(x: Tn) -> int:
    return int(x._data.size)


def size(x: Tn, axis: int | None) -> Any:
    if axis is None:
        return tuple(x._data.shape)
    return shapes.size(x._data.shape, axis)


# ---------------------------------------------------------------- functions

D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")


@overload
def meshgrid(
    tensors: Sequence[Tensor[Any, D, Dev, T]], /, *, indexing: Literal["ij", "xy"] = "ij"
) -> tuple[Tensor[tuple[Any, ...], D, Dev, T], ...]: ...
@overload
def meshgrid(
    *tensors: Tensor[Any, D, Dev, T], indexing: Literal["ij", "xy"] = "ij"
) -> tuple[Tensor[tuple[Any, ...], D, Dev, T], ...]: ...
def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Any, ...]:
    """torch.meshgrid of 1-d (or 0-d) tensors, given as arguments or as one list: output i
    holds input i along axis i, repeated over the others. indexing="ij" (the default, as
    torch) or "xy" (the first two axes swapped, as numpy's default)."""
    items = tensors[0] if len(tensors) == 1 and not isinstance(tensors[0], Tensor) else tensors
    return _meshgrid(list(items), indexing)


def functional_pad(
    input: Tensor[Any, D, Dev, T],
    pad: Sequence[int],
    mode: Literal["constant", "reflect", "replicate", "circular"] = "constant",
    value: float | None = None,
) -> Tensor[tuple[Any, ...], D, Dev, T]:
    """torch's F.pad: `pad` is flat, (before, after) pairs from the last axis back, so
    F.pad(x, (1, 1, 2, 2)) pads the last axis by 1 and the one before it by 2; a negative
    width crops that side, as torch."""
    widths, crops, _ = shapes.functional_pad(input.shape, [int(p) for p in pad], mode)
    fill = 0.0 if value is None else value

    def crop(x: Any) -> Any:
        if not any(b or a for b, a in crops):
            return x
        return x[tuple(slice(b, d - a) for (b, a), d in zip(crops, x.shape, strict=True))]

    if mode == "circular":  # torch wraps the cropped tensor
        return movement.pad(crop(input), widths, fill, mode)  # type: ignore[no-any-return]
    return crop(movement.pad(input, widths, fill, mode))  # type: ignore[no-any-return]


# ---------------------------------------------------------------- third round (tinygrad's test_ops)


def diagonal(x: Tn, offset: int, axis1: int, axis2: int) -> Any:
    """The diagonal of the axis1/axis2 planes, appended as the last axis (torch.diagonal,
    np.diagonal); the gradient is placed back on that diagonal."""
    data, xp = x._data, x._device.xp
    shapes.diagonal(data.shape, offset, axis1, axis2)
    first = shapes.normalize_axis("diagonal", axis1, data.ndim)
    second = shapes.normalize_axis("diagonal", axis2, data.ndim)
    out = xp.diagonal(data, offset, first, second)
    old = data.shape

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        grad = xp.zeros(old, dtype=g.dtype)
        planes = xp.moveaxis(grad, (first, second), (-2, -1))  # a view: writes reach grad
        steps = xp.arange(g.shape[-1])
        planes[..., steps + max(-offset, 0), steps + max(offset, 0)] = g
        return (grad,)

    return unary(x, out, vjp)


def unflatten(x: Tn, axis: int, sizes: Sequence[int]) -> Any:
    """Axis `axis` split into `sizes` (one may be -1), as torch's x.unflatten(dim, sizes)."""
    from shaped import shapes_nn

    out = shapes_nn.unflatten(x._data.shape, axis, tuple(int(s) for s in sizes))
    return x.reshape(tuple(int(d) for d in out if d is not None))


def unfold_windows(x: Tn, axis: int, size: int, step: int) -> Any:
    """torch's x.unfold(dimension, size, step): the windows of `size` elements every `step`
    along `axis` (that axis counts the windows, a new last axis holds each window)."""
    data, xp = x._data, x._device.xp
    out_shape = shapes.unfold_windows(data.shape, axis, size, step)
    if not data.ndim:  # a scalar is one window of its one element
        return unary(x, data.reshape((1,))[:size], lambda g, needs: (g.sum().reshape(()),))
    at = shapes.normalize_axis("unfold", axis, data.ndim)
    windows = int(out_shape[at])  # type: ignore[arg-type]
    picks = xp.arange(windows)[:, None] * step + xp.arange(size)[None, :]
    out = xp.moveaxis(xp.moveaxis(data, at, -1)[..., picks], -2, at)
    old = data.shape

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        grad = xp.zeros(old, dtype=g.dtype)
        moved = xp.moveaxis(grad, at, -1)  # a view of grad
        per_window = xp.moveaxis(g, at, -2)  # (..., windows, size)
        for j in range(size):  # windows overlap: add one window position at a time
            moved[..., picks[:, j]] += per_window[..., j]
        return (grad,)

    return unary(x, out, vjp)
