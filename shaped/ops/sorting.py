"""Sorting, picks and scans along one axis: x.max(dim), sort, argsort, topk, kthvalue,
median, cumsum, cumprod, logcumsumexp, cummax, cummin.

Ops that give values with their indices return `ValuesIndices`, a named pair like torch's
`torch.return_types.max`: `values, indices = x.sort()` or `x.sort().values`. The indices are
Int64 and carry no tape; the gradient of the values goes to the elements they were taken from.
A rank-0 tensor has axis 0 (or -1), as in torch.
"""

from __future__ import annotations

from typing import Any, Generic, NamedTuple, TypeVar

from shaped import shapes
from shaped.devices import quiet, rank0
from shaped.dtypes import float_only
from shaped.errors import DtypeError
from shaped.ops.core import Array, unary
from shaped.tensor import Tensor

Tn = Tensor[Any, Any, Any, Any]
ValuesT = TypeVar("ValuesT")
IndicesT = TypeVar("IndicesT")


class ValuesIndices(NamedTuple, Generic[ValuesT, IndicesT]):
    """(values, indices), as torch's return types of max(dim), sort, topk, kthvalue, median,
    cummax: unpack them or name them."""

    values: ValuesT
    indices: IndicesT


def pick_axis(op: str, axis: int | None, dim: int | None, default: int | None = None) -> int:
    """`axis` (numpy's name) or `dim` (torch's), one implementation: not both."""
    if axis is not None and dim is not None:
        raise TypeError(f"{op}: give axis or dim, not both (they are the same argument)")
    chosen = axis if axis is not None else dim if dim is not None else default
    if chosen is None:
        raise TypeError(f"{op}: missing the axis: x.{op}(axis) (or dim=...)")
    return chosen


def _last(xp: Any, data: Array, axis: int | None) -> Array:
    """The data with `axis` moved last (a rank-0 tensor becomes one element on one axis)."""
    return data.reshape(1) if axis is None else xp.moveaxis(data, axis, -1)


def _back(xp: Any, data: Array, axis: int | None) -> Array:
    """Undo `_last`: the axis back in its place (rank 0 again for a rank-0 input)."""
    return data.reshape(()) if axis is None else xp.moveaxis(data, -1, axis)


def _pair(values: Tn, indices: Array, device: Any) -> ValuesIndices[Any, Any]:
    return ValuesIndices(values, Tensor._wrap(rank0(indices.astype("int64")), device))


def _gather(x: Tn, order: Array, axis: int | None, keep: int) -> ValuesIndices[Any, Any]:
    """x's values at the first `keep` of `order` (a permutation of the last axis of the moved
    data) with their indices; the gradient goes back through the inverse permutation."""
    data = x._data
    xp = x._device.xp
    taken = order[..., :keep]
    values = xp.take_along_axis(_last(xp, data, axis), taken, axis=-1)
    inverse = xp.argsort(order, axis=-1)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        g = _last(xp, g, axis)
        rest = order.shape[-1] - g.shape[-1]
        if rest:  # the elements not kept get no gradient
            g = xp.concatenate([g, xp.zeros((*g.shape[:-1], rest), dtype=g.dtype)], axis=-1)
        return (_back(xp, xp.take_along_axis(g, inverse, axis=-1), axis),)

    out = unary(x, rank0(_back(xp, values, axis)), vjp)
    return _pair(out, _back(xp, taken, axis), x._device)


def _order(xp: Any, moved: Array, descending: bool) -> Array:
    """A stable argsort along the last axis; NaN sorts as the largest value, as torch."""
    if not descending:
        return xp.argsort(moved, axis=-1, kind="stable")
    # sort the reversed data ascending and reverse that: ties keep their order, NaN comes first
    n = moved.shape[-1]
    return n - 1 - xp.flip(xp.argsort(xp.flip(moved, -1), axis=-1, kind="stable"), -1)


def sort(x: Tn, axis: int, descending: bool) -> ValuesIndices[Any, Any]:
    """Sorted values and where they came from; stable, NaN last (first when descending)."""
    data = x._data
    shapes.scan("sort", data.shape, axis)
    pos = shapes.dim_axis("sort", data.shape, axis)
    xp = x._device.xp
    order = _order(xp, _last(xp, data, pos), descending)
    return _gather(x, order, pos, order.shape[-1])


def argsort(x: Tn, axis: int, descending: bool) -> Any:
    data = x._data
    shapes.scan("argsort", data.shape, axis)
    pos = shapes.dim_axis("argsort", data.shape, axis)
    xp = x._device.xp
    order = _order(xp, _last(xp, data, pos), descending)
    return Tensor._wrap(rank0(_back(xp, order, pos).astype("int64")), x._device)


def topk(x: Tn, k: int, axis: int, largest: bool) -> ValuesIndices[Any, Any]:
    """The k largest (or smallest) along the axis, in order; ties keep their order."""
    data = x._data
    shapes.topk(data.shape, k, axis)
    pos = shapes.dim_axis("topk", data.shape, axis)
    xp = x._device.xp
    order = _order(xp, _last(xp, data, pos), largest)
    return _gather(x, order, pos, 1 if pos is None else k)  # rank 0: the element, as torch


def _select(x: Tn, pos: int, index: Array, keepdims: bool) -> ValuesIndices[Any, Any]:
    """The values at `index` (kept as a size-1 axis `pos`) with their indices; the gradient
    goes to those elements only, as torch's value-selecting reductions."""
    data = x._data
    shape = data.shape
    xp = x._device.xp
    out = xp.take_along_axis(data, index, axis=pos)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        g = g if keepdims else xp.expand_dims(g, pos)
        along = xp.arange(shape[pos]).reshape([-1 if i == pos else 1 for i in range(len(shape))])
        return (xp.where(along == index, g, xp.zeros((), dtype=g.dtype)),)

    if keepdims:
        return _pair(unary(x, out, vjp), index, x._device)
    return _pair(unary(x, rank0(xp.squeeze(out, pos)), vjp), xp.squeeze(index, pos), x._device)


def _element(x: Tn) -> ValuesIndices[Any, Any]:
    """A rank-0 tensor's pick along its axis 0: the element itself, at index 0."""
    xp = x._device.xp
    return _pair(unary(x, x._data, lambda g, needs: (g,)), xp.zeros((), "int64"), x._device)


def extremum_dim(op: str, x: Tn, axis: int, keepdims: bool) -> ValuesIndices[Any, Any]:
    """torch's x.max(dim): the values and the index of the first maximum (the first NaN if
    any); the gradient goes to that element only, as torch."""
    data = x._data
    shapes.reduce_dim(op, data.shape, axis, keepdims)
    pos = shapes.dim_axis(op, data.shape, axis)
    if pos is None:
        return _element(x)
    index = (data.argmax if op == "max" else data.argmin)(axis=pos, keepdims=True)
    return _select(x, pos, index, keepdims)


def kthvalue(x: Tn, k: int, axis: int, keepdims: bool) -> ValuesIndices[Any, Any]:
    """The k-th smallest along the axis (k from 1) and its index; NaN counts as the largest."""
    data = x._data
    shapes.kthvalue(data.shape, k, axis, keepdims)
    pos = shapes.dim_axis("kthvalue", data.shape, axis)
    if pos is None:
        return _element(x)
    xp = x._device.xp
    order = xp.argsort(data, axis=pos, kind="stable")
    return _select(x, pos, xp.take(order, [k - 1], axis=pos), keepdims)


def median_dim(x: Tn, axis: int, keepdims: bool) -> ValuesIndices[Any, Any]:
    """torch's x.median(dim): the lower median and its index; a row with NaN gives its first NaN."""
    data = x._data
    shapes.reduce_dim("median", data.shape, axis, keepdims)
    pos = shapes.dim_axis("median", data.shape, axis)
    if pos is None:
        return _element(x)
    xp = x._device.xp
    order = xp.argsort(data, axis=pos, kind="stable")
    index = xp.take(order, [(data.shape[pos] - 1) // 2], axis=pos)
    if data.dtype.kind == "f":
        nan = xp.isnan(data)
        first_nan = xp.argmax(nan, axis=pos, keepdims=True)
        index = xp.where(nan.any(axis=pos, keepdims=True), first_nan, index)
    return _select(x, pos, index, keepdims)


def median_call(x: Tn, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """x.median(), x.median(dim, keepdim) or x.median(dim=..., keepdim=...), as torch."""
    given = dict(zip(("dim", "keepdim"), args))
    if len(args) > 2 or kwargs.keys() - {"dim", "keepdim"} or given.keys() & kwargs.keys():
        raise TypeError("median() takes dim and keepdim: x.median(), x.median(dim, keepdim=False)")
    given.update(kwargs)
    if "dim" not in given:
        if given:
            raise TypeError("median(keepdim=...) needs dim=: x.median(dim=1, keepdim=True)")
        return median(x)
    return median_dim(x, given["dim"], given.get("keepdim", False))


def median(x: Tn) -> Any:
    """torch's x.median(): the lower median of all elements (NaN if any is NaN, or if there
    are none); the gradient is shared by the elements equal to it, as torch."""
    data = x._data
    xp = x._device.xp
    flat = data.reshape(-1)
    if not flat.size:
        out = xp.full((), xp.nan, dtype=data.dtype)
    elif data.dtype.kind == "f" and bool(xp.isnan(flat).any()):
        out = xp.full((), xp.nan, dtype=data.dtype)
    else:
        middle = (flat.size - 1) // 2
        out = xp.sort(flat)[middle : middle + 1].reshape(())  # a 0-d array, not a scalar

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        mask = (data == out) | (xp.isnan(data) & xp.isnan(out))
        count = mask.sum(dtype=data.dtype)
        return (xp.where(mask, g / xp.maximum(count, 1), xp.zeros((), dtype=data.dtype)),)

    return unary(x, out, vjp)


@quiet  # inf + -inf is NaN, as torch
def cumsum(x: Tn, axis: int) -> Any:
    data = x._data
    shapes.scan("cumsum", data.shape, axis)
    pos = shapes.dim_axis("cumsum", data.shape, axis)
    xp = x._device.xp
    dtype = "int64" if data.dtype.kind in "biu" else None  # ints and bools give Int64, as torch
    out = _back(xp, xp.cumsum(_last(xp, data, pos), axis=-1, dtype=dtype), pos)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        return (_back(xp, _reverse_cumsum(xp, _last(xp, g, pos)), pos),)

    return unary(x, rank0(out), vjp)


def _reverse_cumsum(xp: Any, a: Array) -> Array:
    """Sums from each position to the end of the last axis."""
    return xp.flip(xp.cumsum(xp.flip(a, -1), axis=-1), -1)


@quiet
def cumprod(x: Tn, axis: int) -> Any:
    """The running product; the gradient is exact where x has zeros, as torch's."""
    data = x._data
    shapes.scan("cumprod", data.shape, axis)
    pos = shapes.dim_axis("cumprod", data.shape, axis)
    xp = x._device.xp
    dtype = "int64" if data.dtype.kind in "biu" else None
    moved = _last(xp, data, pos)
    out_moved = xp.cumprod(moved, axis=-1, dtype=dtype)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        g = _last(xp, g, pos)
        zeros_so_far = xp.cumsum(moved == 0, axis=-1)
        before = zeros_so_far == 0  # no zero up to here: d out_j / d x_i = out_j / x_i
        first = (moved == 0) & (zeros_so_far == 1)
        grad = xp.where(before, _reverse_cumsum(xp, g * out_moved) / xp.where(before, moved, 1), 0)
        # at the first zero: the running product of the others, summed from there on
        others = xp.cumprod(xp.where(first, 1, moved), axis=-1)
        grad = xp.where(first, _reverse_cumsum(xp, g * others), grad)
        return (_back(xp, grad, pos),)

    return unary(x, rank0(_back(xp, out_moved, pos)), vjp)


def _log_scan(xp: Any, a: Array) -> Array:
    """log(cumsum(exp(a))) along the last axis without overflow: a Hillis-Steele scan of
    logaddexp (log2(n) steps), exact however far apart the values are."""
    step, n = 1, a.shape[-1]
    while step < n:
        a = xp.concatenate([a[..., :step], xp.logaddexp(a[..., :-step], a[..., step:])], axis=-1)
        step *= 2
    return a


@quiet  # -inf - -inf is NaN in the gradient, as torch's
def logcumsumexp(x: Tn, axis: int) -> Any:
    """log(cumsum(exp(x))) along `axis`, computed stably; the gradient as torch's, in log space
    with the positive and negative parts of g apart."""
    data = x._data
    dtype = x.dtype
    if data.dtype.kind != "f":
        raise DtypeError(float_only("logcumsumexp", dtype) or "logcumsumexp")
    shapes.scan("logcumsumexp", data.shape, axis)
    pos = shapes.dim_axis("logcumsumexp", data.shape, axis)
    xp = x._device.xp
    moved = _last(xp, data, pos)
    out = _log_scan(xp, moved)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        g = _last(xp, g, pos)
        parts = []
        for sign in (1, -1):
            log_g = xp.where(sign * g > 0, xp.log(xp.where(sign * g > 0, sign * g, 1)), -xp.inf)
            reverse = xp.flip(_log_scan(xp, xp.flip(log_g - out, -1)), -1)
            parts.append(xp.exp(reverse + moved))
        return (_back(xp, (parts[0] - parts[1]).astype(data.dtype), pos),)

    return unary(x, rank0(_back(xp, out, pos)), vjp)


def cumextremum(op: str, x: Tn, axis: int) -> ValuesIndices[Any, Any]:
    """torch's cummax/cummin: the running max (min) and the index where it was found, the
    latest on ties; NaN wins from where it appears. Each index gets the gradient of the
    outputs that took its value (a run of them: its index is where each run starts)."""
    data = x._data
    shapes.scan(op, data.shape, axis)
    pos = shapes.dim_axis(op, data.shape, axis)
    xp = x._device.xp
    values = _last(xp, data, pos)
    n = values.shape[-1]
    index = xp.broadcast_to(xp.arange(n), values.shape)
    step = 1
    while step < n:  # a Hillis-Steele scan: log2(n) steps of "the later one, unless smaller"
        early, late = values[..., :-step], values[..., step:]
        later = late >= early if op == "cummax" else late <= early
        if data.dtype.kind == "f":
            later = xp.isnan(late) | (~xp.isnan(early) & later)
        values = xp.concatenate([values[..., :step], xp.where(later, late, early)], axis=-1)
        chosen = xp.where(later, index[..., step:], index[..., :-step])
        index = xp.concatenate([index[..., :step], chosen], axis=-1)
        step *= 2

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        # each run of equal indices starts at its index: its gradient is the run's sum of g
        g = _last(xp, g, pos)
        if not n:  # an empty axis: nothing to send back
            return (_back(xp, g, pos),)
        starts = xp.concatenate(
            [xp.ones((*index.shape[:-1], 1), dtype=bool), index[..., 1:] != index[..., :-1]], -1
        )
        order = xp.argsort(~starts, axis=-1, kind="stable")  # the run starts first, in order
        count = starts.sum(axis=-1, keepdims=True)
        rank = xp.arange(n)
        tail = xp.flip(xp.cumsum(xp.flip(g, -1), axis=-1), -1)  # sum of g from i to the end
        head = xp.where(rank < count, xp.take_along_axis(tail, order, axis=-1), 0)
        after = xp.concatenate([head[..., 1:], xp.zeros_like(head[..., :1])], axis=-1)
        runs = (head - after).astype(g.dtype)  # k-th run's sum, at rank k
        return (_back(xp, xp.take_along_axis(runs, xp.argsort(order, axis=-1), axis=-1), pos),)

    out = unary(x, rank0(_back(xp, xp.ascontiguousarray(values), pos)), vjp)
    return _pair(out, _back(xp, index, pos), x._device)
