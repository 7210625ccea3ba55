"""Ops that move or select elements: reshape, permute, indexing, concat, ..., and `to`."""

from __future__ import annotations

from typing import Any

from shaped import shapes
from shaped.devices import Device, quietly, rank0
from shaped.dtypes import DType, dtype_repr, marker_for
from shaped.errors import DeviceError, DtypeError, ShapeError
from shaped.ops.core import Array, attach, sum_to, unary
from shaped.tensor import Tensor

Tn = Tensor[Any, Any, Any, Any]


def to(x: Tn, target: Any) -> Any:
    """A device move or a dtype conversion; the gradient flows back through either."""
    data = x._data
    if isinstance(target, Device):
        place = target._place()
        if place is x._device:
            return x
        host = data.get() if hasattr(data, "get") else data
        out = Tensor._wrap(place.xp.asarray(host), place)
        source = x._device

        def vjp_move(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
            host_g = g.get() if hasattr(g, "get") else g
            return (source.xp.asarray(host_g),)

        return attach(out, (x,), vjp_move)
    if isinstance(target, type) and issubclass(target, DType):
        if data.dtype.name == target.name:
            return x
        old = data.dtype
        # a float64 beyond float16's range becomes inf, as torch (no RuntimeWarning)
        out = quietly(lambda: data.astype(target.name))
        return unary(x, out, lambda g, needs: (g.astype(old),))
    if isinstance(target, str) and target.lower().startswith(("cpu", "cuda")):
        raise TypeError(
            f"to: devices are objects: write .to(sh.Cpu()) or .to(sh.Cuda(0)), got {target!r}"
        )
    marker = None if isinstance(target, (int, float)) else marker_for(target)
    if marker is not None:  # np.float32, "float32", torch.float32, float
        raise TypeError(
            f"to: {dtype_repr(target)} is not one of shaped's dtypes; "
            f"write .to(sh.{marker.__name__})"
        )
    raise TypeError(
        f"to: expected a device (sh.Cpu(), sh.Cuda()) or a dtype (sh.Float64), got {target!r}"
    )


def reshape(x: Tn, shape: tuple[Any, ...]) -> Any:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    data = x._data
    new = shapes.reshape(data.shape, shape)
    old = data.shape
    return unary(x, data.reshape(new), lambda g, needs: (g.reshape(old),))


def flatten(x: Tn, start_axis: int = 0, end_axis: int = -1) -> Any:
    data = x._data
    new = shapes.flatten(data.shape, start_axis, end_axis)
    old = data.shape
    return unary(x, data.reshape(new), lambda g, needs: (g.reshape(old),))


def permute(x: Tn, axes: tuple[Any, ...]) -> Any:
    """`axes` as given to Tensor.permute: the axes, or a 1-tuple holding a tuple or list of them."""
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = tuple(axes[0])
    data = x._data
    shapes.permute(data.shape, axes)
    ndim = data.ndim
    order = tuple(a % ndim for a in axes) if ndim else ()
    inverse = [0] * ndim
    for i, a in enumerate(order):
        inverse[a] = i
    back = tuple(inverse)
    xp = x._device.xp
    return unary(x, xp.transpose(data, order), lambda g, needs: (xp.transpose(g, back),))


def transpose(x: Tn, axis0: int, axis1: int) -> Any:
    data = x._data
    shapes.transpose(data.shape, axis0, axis1)
    xp = x._device.xp
    return unary(
        x, xp.swapaxes(data, axis0, axis1), lambda g, needs: (xp.swapaxes(g, axis0, axis1),)
    )


def matrix_transpose(x: Tn) -> Any:
    data = x._data
    shapes.matrix_transpose(data.shape)
    xp = x._device.xp
    return unary(x, xp.swapaxes(data, -1, -2), lambda g, needs: (xp.swapaxes(g, -1, -2),))


def unsqueeze(x: Tn, axis: int) -> Any:
    data = x._data
    pos = shapes.normalize_axis("unsqueeze", axis, data.ndim, extra=1)
    old = data.shape
    xp = x._device.xp
    return unary(x, xp.expand_dims(data, pos), lambda g, needs: (g.reshape(old),))


def squeeze(x: Tn, axis: int | tuple[int, ...] | None = None) -> Any:
    """PyTorch's squeeze: a named axis whose size is not 1 is left alone."""
    data = x._data
    old = data.shape
    if axis is None:
        drop = tuple(i for i, d in enumerate(old) if d == 1)
    elif not old:  # axis 0 or -1 of a scalar, as torch
        drop = shapes.reduction_axes("squeeze", axis, 0)
    else:
        drop = tuple(a for a in shapes.normalize_axes("squeeze", axis, data.ndim) if old[a] == 1)
    xp = x._device.xp
    return unary(x, xp.squeeze(data, axis=drop), lambda g, needs: (g.reshape(old),))


def broadcast_to(x: Tn, shape: Any) -> Any:
    """numpy's broadcast_to (a read-only view); a -1 keeps that dim; the gradient sums back."""
    target = (shape,) if isinstance(shape, int) else tuple(shape)
    data = x._data
    old = data.shape
    new = shapes.broadcast_to(old, target)
    xp = x._device.xp
    return unary(x, xp.broadcast_to(data, new), lambda g, needs: (sum_to(g, old),))


def take(x: Tn, indices: Any, axis: int | None = None) -> Any:
    """np.take with an integer index tensor; negative indices wrap, out-of-range ones raise."""
    if not isinstance(indices, Tensor):
        raise TypeError(
            f"take: indices must be an Int64 tensor, got {type(indices).__name__}; "
            "make one with dev.tensor([...])"
        )
    if indices._device is not x._device:
        raise DeviceError(
            f"take: indices on {indices._device!r} but the tensor on {x._device!r}; "
            f"move them with .to({x._device!r})"
        )
    idx = indices._data
    if idx.dtype.kind not in "iu":
        raise DtypeError(
            f"take: indices must be an integer tensor (sh.Int64), got {indices.dtype.__name__}"
        )
    data = x._data
    old = data.shape
    shapes.take(old, idx.shape, axis)
    xp = x._device.xp
    pos = None if axis is None else shapes.normalize_axis("take", axis, data.ndim)
    size = int(data.size) if pos is None else int(old[pos])
    if idx.size:
        low, high = int(idx.min()), int(idx.max())
        if low < -size or high >= size:
            bad = int((idx.ravel()[(idx.ravel() < -size) | (idx.ravel() >= size)])[0])
            where = "the flattened tensor" if pos is None else f"axis {axis}"
            raise ShapeError(
                f"take: index {bad} is out of range for {where} of size {size} "
                f"(shape {shapes.fmt(old)}); valid indices are {-size}..{size - 1}"
            )
        if low < 0:
            idx = xp.where(idx < 0, idx + size, idx)
    if pos is None:
        out = rank0(data.reshape(-1)[idx])  # a 0-d index picks a scalar: keep a 0-d array

        def vjp_flat(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
            grad = xp.zeros(size, dtype=g.dtype)
            xp.add.at(grad, idx, g)
            return (grad.reshape(old),)

        return unary(x, out, vjp_flat)
    lead = (slice(None),) * pos
    out = rank0(data[(*lead, idx)])

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        grad = xp.zeros(old, dtype=g.dtype)
        xp.add.at(grad, (*lead, idx), g)
        return (grad,)

    return unary(x, out, vjp)


def _pad_pairs(widths: Any, shape: tuple[int, ...]) -> list[tuple[int, int]]:
    """numpy's pad widths (an int, one (before, after) pair, or a pair per axis), one per axis."""
    if isinstance(widths, int):
        raw: list[Any] = [(widths, widths)]
    else:
        try:
            items = list(widths)
            if len(items) == 2 and all(isinstance(w, int) for w in items):
                raw = [tuple(items)]
            else:
                raw = [tuple(w) for w in items]
        except TypeError:
            raise ShapeError(
                f"pad: widths must be an int, a (before, after) pair, or one pair per axis "
                f"((before, after), ...), got {widths!r}"
            ) from None
    shapes.pad(shape, raw)
    if len(raw) == 1 and len(shape) != 1:
        raw = raw * len(shape)
    return [(int(b), int(a)) for b, a in raw]


def pad(x: Tn, widths: Any, value: float = 0.0, mode: str = "constant") -> Any:
    """Padding with numpy-style widths: a constant (the gradient is the centre region of g),
    or torch's "reflect", "replicate" and "circular" modes."""
    data = x._data
    pairs = _pad_pairs(widths, data.shape)
    if mode != "constant":
        shapes.pad_mode(data.shape, pairs, mode)
        if value != 0.0:  # torch refuses a value with these modes too
            raise ValueError(f"pad: mode {mode!r} takes no value; only 'constant' pads with one")
        return _pad_gather(x, pairs, mode)
    if data.dtype.kind != "f" and not float(value).is_integer():
        raise DtypeError(
            f"pad: value {value!r} does not fit a {x.dtype.__name__} tensor; pad with an integer "
            "or convert the tensor with .to(sh.Float32)"
        )
    xp = x._device.xp
    out = xp.pad(data, pairs, mode="constant", constant_values=value) if pairs else data.copy()
    region = tuple(slice(b, b + d) for (b, _), d in zip(pairs, data.shape, strict=True))
    return unary(x, out, lambda g, needs: (g[region],))


_NUMPY_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _pad_gather(x: Tn, pairs: list[tuple[int, int]], mode: str) -> Any:
    """Non-constant padding as a gather along each padded axis: the gradient scatters back,
    adding where one input element fills several places."""
    import numpy as np

    data = x._data
    xp = x._device.xp
    old = data.shape
    picks = []  # (axis, indices into that axis), in the order they apply
    for axis, ((before, after), size) in enumerate(zip(pairs, old, strict=True)):
        if before or after:
            host = np.pad(np.arange(size), (before, after), mode=_NUMPY_MODE[mode])  # type: ignore[call-overload]
            picks.append((axis, xp.asarray(host)))
    out = data
    for axis, idx in picks:
        out = xp.take(out, idx, axis=axis)
    if not picks:
        out = data.copy()

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        for axis, idx in reversed(picks):
            shape = list(g.shape)
            shape[axis] = old[axis]
            grad = xp.zeros(shape, dtype=g.dtype)
            xp.add.at(grad, (*(slice(None),) * axis, idx), g)
            g = grad
        return (g,)

    return unary(x, out, vjp)


def getitem(x: Tn, key: Any) -> Any:
    """Basic indexing (ints, slices with any step, None, ...): a view, as numpy."""
    parts = key if isinstance(key, tuple) else (key,)
    parts = tuple(_index_part(k) for k in parts)
    data = x._data
    shapes.index(data.shape, parts)
    if Ellipsis not in parts:
        parts = (*parts, Ellipsis)  # numpy gives a 0-d array, not a scalar, with a ...
    old = data.shape
    xp = x._device.xp

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        grad = xp.zeros(old, dtype=g.dtype)
        grad[parts] = g
        return (grad,)

    return unary(x, data[parts], vjp)


def _index_part(k: Any) -> Any:
    if k is None or k is Ellipsis or isinstance(k, (slice, int, Tensor)):
        return k
    try:
        return k.__index__()  # numpy integers and 0-d integer arrays
    except (AttributeError, TypeError):
        return k  # the shape rule names what is not supported
