"""Reductions over axes: sum, mean, max, min, var, std, logsumexp, argmax, argmin.

numpy gives a full reduction as a scalar: results are kept 0-d arrays (`rank0`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from shaped import shapes
from shaped.devices import quiet, quietly, rank0
from shaped.dtypes import float_only
from shaped.errors import DtypeError
from shaped.ops.core import Array, unary
from shaped.tensor import Tensor

Tn = Tensor[Any, Any, Any, Any]
Axis = int | tuple[int, ...] | None


def _expand(g: Array, shape: tuple[int, ...], axes: tuple[int, ...], keepdims: bool) -> Array:
    """Put the reduced axes back into g as size-1 axes, so it broadcasts against the input."""
    if keepdims or not axes:
        return g
    return g.reshape([1 if i in axes else d for i, d in enumerate(shape)])


@quiet  # inf + -inf is NaN, as torch
def sum_(x: Tn, axis: Axis, keepdims: bool) -> Any:
    data = x._data
    shape = data.shape
    shapes.reduce("sum", shape, axis, keepdims)
    axes = shapes.normalize_axes("sum", axis, data.ndim)
    xp = x._device.xp

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        return (xp.broadcast_to(_expand(g, shape, axes, keepdims), shape),)

    # bools and ints sum to Int64, as torch
    dtype = "int64" if data.dtype.kind in "biu" else None
    return unary(x, rank0(data.sum(axis=axes, keepdims=keepdims, dtype=dtype)), vjp)


def _float_only(op: str, x: Tn) -> Array:
    """The data of a float tensor: torch refuses these reductions on ints (no promotion here)."""
    data = x._data
    if data.dtype.kind != "f":  # the fast test; the message is the rule the plugin shares
        raise DtypeError(float_only(op, x.dtype) or op)
    return data


def _count(shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    return math.prod(shape[a] for a in axes)


@quiet
def mean(x: Tn, axis: Axis, keepdims: bool) -> Any:
    data = _float_only("mean", x)
    shape = data.shape
    out_shape = shapes.reduce("mean", shape, axis, keepdims)
    axes = shapes.normalize_axes("mean", axis, data.ndim)
    count = _count(shape, axes)
    xp = x._device.xp

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        scaled = g / count if count else g  # no count: the input, and its gradient, are empty
        return (xp.broadcast_to(_expand(scaled, shape, axes, keepdims), shape),)

    if not count:  # the mean of nothing is NaN, as torch (numpy would warn)
        return unary(x, xp.full(out_shape, math.nan, dtype=data.dtype), vjp)
    return unary(x, rank0(data.mean(axis=axes, keepdims=keepdims)), vjp)


def _extremum(op: str, x: Tn, axis: Axis, keepdims: bool) -> Any:
    """max/min: tied elements share the gradient evenly (torch's amax/amin rule); a NaN result
    sends it to the NaN elements, as torch's x.max() and x.max(dim) do (amax's NaN row is a
    0/0 of its tie count, not a choice)."""
    data = x._data
    shape = data.shape
    shapes.reduce(op, shape, axis, keepdims)
    shapes.reduce_nonempty(op, shape, axis)
    axes = shapes.normalize_axes(op, axis, data.ndim)
    out = rank0(
        data.max(axis=axes, keepdims=keepdims)
        if op == "max"
        else data.min(axis=axes, keepdims=keepdims)
    )
    xp = x._device.xp

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        best = _expand(out, shape, axes, keepdims)
        mask = data == best
        if data.dtype.kind == "f":  # NaN propagates into the result: the NaN elements are it
            mask |= xp.isnan(data) & xp.isnan(best)
        count = mask.sum(axis=axes, keepdims=True, dtype=data.dtype)  # >= 1: never 0/0
        return (_expand(g, shape, axes, keepdims) / count * mask,)

    return unary(x, out, vjp)


def max_(x: Tn, axis: Axis, keepdims: bool) -> Any:
    return _extremum("max", x, axis, keepdims)


def min_(x: Tn, axis: Axis, keepdims: bool) -> Any:
    return _extremum("min", x, axis, keepdims)


@quiet  # N - correction <= 0 divides by zero: inf and NaN, as torch
def _variance(
    op: str, x: Tn, axis: Axis, keepdims: bool, correction: int
) -> tuple[Array, Callable[[Array], Array]]:
    """var's value and gradient map; the divisor is max(0, N - correction), as torch."""
    data = _float_only(op, x)
    shape = data.shape
    shapes.reduce(op, shape, axis, keepdims)
    axes = shapes.normalize_axes(op, axis, data.ndim)
    n = _count(shape, axes)
    dev = data - data.sum(axis=axes, keepdims=True) / max(n, 1)
    out = rank0((dev * dev).sum(axis=axes, keepdims=keepdims) / max(n - correction, 0))
    xp = x._device.xp
    dof = n - correction

    def grad(g: Array) -> Array:
        g = _expand(g, shape, axes, keepdims)
        if dof <= 0 and (axis is None or not shape):
            # torch's full-reduction rule: NaN where x equals the mean, inf elsewhere
            return quietly(lambda: g * xp.where(dev == 0, math.nan, math.inf))
        # with axes torch divides by N - correction itself (negative when correction > N)
        return quietly(lambda: g * (math.inf if dof == 0 else 2 / dof) * dev)

    return out, grad


def var(x: Tn, axis: Axis, keepdims: bool, correction: int) -> Any:
    out, grad = _variance("var", x, axis, keepdims, correction)
    return unary(x, out, lambda g, needs: (grad(g),))


def std(x: Tn, axis: Axis, keepdims: bool, correction: int) -> Any:
    v, grad = _variance("std", x, axis, keepdims, correction)
    xp = x._device.xp
    out = rank0(xp.sqrt(v))

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        zero = out == 0  # torch: a zero std passes a zero gradient, not inf
        return (grad(xp.where(zero, 0, g / (2 * xp.where(zero, 1, out)))),)

    return unary(x, out, vjp)


@quiet  # all -inf gives log(0) = -inf, as torch
def logsumexp(x: Tn, axis: Axis, keepdims: bool) -> Any:
    """log(sum(exp(x))) with the max taken out; infinite maxima are replaced by 0, as torch."""
    data = _float_only("logsumexp", x)
    shape = data.shape
    out_shape = shapes.reduce("logsumexp", shape, axis, keepdims)
    axes = shapes.normalize_axes("logsumexp", axis, data.ndim)
    xp = x._device.xp
    if any(shape[a] == 0 for a in axes):  # an empty sum: log(0) = -inf
        out = xp.full(out_shape, -math.inf, dtype=data.dtype)
    else:
        m = data.max(axis=axes, keepdims=True)
        m = xp.where(xp.isinf(m), 0, m)
        out = rank0((xp.log(xp.exp(data - m).sum(axis=axes, keepdims=True)) + m).reshape(out_shape))

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        expanded = _expand(out, shape, axes, keepdims)
        return quietly(lambda: (_expand(g, shape, axes, keepdims) * xp.exp(data - expanded),))

    return unary(x, out, vjp)


def _arg(op: str, x: Tn, axis: int | None, keepdims: bool) -> Any:
    """Int64 indices without a tape; None means the flattened tensor; ties give the first."""
    data = x._data
    shapes.reduce(op, data.shape, axis, keepdims)
    shapes.reduce_nonempty(op, data.shape, axis)
    pick = data.argmax if op == "argmax" else data.argmin  # the first NaN wins, as in torch
    return Tensor._wrap(rank0(pick(axis=axis, keepdims=keepdims)).astype("int64"), x._device)


def argmax(x: Tn, axis: int | None, keepdims: bool) -> Any:
    return _arg("argmax", x, axis, keepdims)


def argmin(x: Tn, axis: int | None, keepdims: bool) -> Any:
    return _arg("argmin", x, axis, keepdims)
