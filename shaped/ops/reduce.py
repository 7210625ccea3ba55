"""Reductions over axes: sum, mean, max, min, var, std, logsumexp, argmax, argmin, prod, any, all.

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
from shaped.ops.sorting import extremum_dim
from shaped.tensor import Tensor

Tn = Tensor[Any, Any, Any, Any]
Axis = int | tuple[int, ...] | None


def _expand(g: Array, shape: tuple[int, ...], axes: tuple[int, ...], keepdims: bool) -> Array:
    """Put the reduced axes back into g as size-1 axes, so it broadcasts against the input."""
    if keepdims or not axes:
        return g
    return g.reshape([1 if i in axes else d for i, d in enumerate(shape)])


def torch_axis(
    op: str, axis: Any, keepdims: bool, dim: Any, keepdim: bool
) -> tuple[int | tuple[int, ...] | None, bool]:
    """numpy's (axis, keepdims) from either spelling; torch's `dim=[0, 1]` list is a tuple."""
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{op}: got both axis={axis!r} and dim={dim!r}; pass one of them")
        axis = dim
    if isinstance(axis, list):
        axis = tuple(axis)
    return axis, bool(keepdims or keepdim)


@quiet  # inf + -inf is NaN, as torch
def sum_(x: Tn, axis: Axis, keepdims: bool) -> Any:
    data = x._data
    shape = data.shape
    shapes.reduce("sum", shape, axis, keepdims)
    axes = shapes.reduction_axes("sum", axis, data.ndim)
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
    axes = shapes.reduction_axes("mean", axis, data.ndim)
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
    axes = shapes.reduction_axes(op, axis, data.ndim)
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
    axes = shapes.reduction_axes(op, axis, data.ndim)
    n = _count(shape, axes)
    dev = data - data.sum(axis=axes, keepdims=True) / max(n, 1)
    out = rank0((dev * dev).sum(axis=axes, keepdims=keepdims) / max(n - correction, 0))
    xp = x._device.xp
    dof = n - correction

    def grad(g: Array) -> Array:
        g = _expand(g, shape, axes, keepdims)
        if dof <= 0 and (axis is None or not shape):
            # torch's full-reduction rule: NaN where x equals the mean, inf elsewhere
            nan_or_inf = xp.where(dev == 0, math.nan, math.inf).astype(dev.dtype)
            return quietly(lambda: g * nan_or_inf)
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
    axes = shapes.reduction_axes("logsumexp", axis, data.ndim)
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
    axis = None if not data.ndim else axis  # axis 0 or -1 of a rank-0 tensor, as torch
    return Tensor._wrap(rank0(pick(axis=axis, keepdims=keepdims)).astype("int64"), x._device)


def argmax(x: Tn, axis: int | None, keepdims: bool) -> Any:
    return _arg("argmax", x, axis, keepdims)


def argmin(x: Tn, axis: int | None, keepdims: bool) -> Any:
    return _arg("argmin", x, axis, keepdims)


@quiet  # inf * 0 is NaN, as torch
def prod(x: Tn, axis: Axis, keepdims: bool) -> Any:
    """The product; the gradient is out / x, and where x is 0, the product of the others."""
    data = x._data
    shape = data.shape
    shapes.reduce("prod", shape, axis, keepdims)
    axes = shapes.reduction_axes("prod", axis, data.ndim)
    xp = x._device.xp
    dtype = "int64" if data.dtype.kind in "biu" else None  # ints and bools give Int64, as torch
    out = rank0(data.prod(axis=axes, keepdims=keepdims, dtype=dtype))

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        g = _expand(g, shape, axes, keepdims)
        zero = data == 0
        zeros = zero.sum(axis=axes, keepdims=True)
        # the product of the others: out / x where x != 0; the nonzero product for a lone zero
        others = xp.where(zero, 1, data).prod(axis=axes, keepdims=True)
        at_zero = xp.where(zeros == 1, others, 0)
        full = _expand(out, shape, axes, keepdims)
        return (g * xp.where(zero, at_zero, full / xp.where(zero, 1, data)),)

    return unary(x, out, vjp)


def _logical(op: str, x: Tn, axis: Axis, keepdims: bool) -> Any:
    """any/all: a Bool result without a tape, for any dtype (nonzero is True), as torch."""
    data = x._data
    shapes.reduce(op, data.shape, axis, keepdims)
    axes = shapes.reduction_axes(op, axis, data.ndim)
    pick = data.any if op == "any" else data.all
    return Tensor._wrap(rank0(pick(axis=axes, keepdims=keepdims)), x._device)


def any_(x: Tn, axis: Axis, keepdims: bool) -> Any:
    return _logical("any", x, axis, keepdims)


def all_(x: Tn, axis: Axis, keepdims: bool) -> Any:
    return _logical("all", x, axis, keepdims)


def extremum_call(op: str, x: Tn, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """x.max(...) as numpy and torch spell it. `axis=` (numpy) gives the values; an int first
    argument or `dim=` (torch) gives the pair (values, indices), as torch's x.max(dim), so
    `values, indices = x.max(1)` means what it means in torch."""
    if len(args) > 2:
        raise TypeError(f"{op}() takes at most 2 positional arguments, got {len(args)}")
    torch_style = "dim" in kwargs or "keepdim" in kwargs or (args and _is_int(args[0]))
    names = ("dim", "keepdim") if torch_style else ("axis", "keepdims")
    given = dict(zip(names, args))
    for name, value in kwargs.items():
        if name not in names or name in given:
            raise TypeError(
                f"{op}() got an unexpected or repeated argument {name!r}; use axis=/keepdims= "
                "for the values, dim=/keepdim= (or an int first) for (values, indices)"
            )
        given[name] = value
    keep = given.get(names[1], False)
    if not torch_style:
        return _extremum(op, x, given.get("axis"), keep)
    if "dim" not in given:
        raise TypeError(f"{op}(keepdim=...) needs dim=: x.{op}(dim=1, keepdim=True)")
    return extremum_dim(op, x, given["dim"], keep)


def _is_int(value: object) -> bool:
    return not isinstance(value, bool) and hasattr(type(value), "__index__")


def norm(x: Tn, p: float | str, axis: Axis, keepdims: bool) -> Any:
    """torch's x.norm(p, dim, keepdim): the vector p-norm over the axes (all of them by default);
    'fro' is p=2. Gradients as torch's: 0 where the norm is 0; ties share the inf-norm's."""
    data = _float_only("norm", x)
    shape = data.shape
    if p == "fro":
        p = 2.0
    if isinstance(p, str) or isinstance(p, bool) or not isinstance(p, (int, float)):
        raise ValueError(f"norm: p must be a number, inf, -inf or 'fro', got {p!r}")
    order = float(p)
    out_shape = shapes.reduce("norm", shape, axis, keepdims)
    if math.isinf(order):
        shapes.reduce_nonempty("norm", shape, axis)
    axes = shapes.reduction_axes("norm", axis, data.ndim)
    xp = x._device.xp
    size = abs(data)
    if order == 2:
        out = xp.sqrt((data * data).sum(axis=axes, keepdims=keepdims))
    elif order == 1:
        out = size.sum(axis=axes, keepdims=keepdims)
    elif order == math.inf:
        out = size.max(axis=axes, keepdims=keepdims)
    elif order == -math.inf:
        out = size.min(axis=axes, keepdims=keepdims)
    elif order == 0:
        out = (data != 0).sum(axis=axes, keepdims=keepdims, dtype=data.dtype)
    else:
        out = quietly(lambda: (size**order).sum(axis=axes, keepdims=keepdims) ** (1 / order))
    out = rank0(xp.asarray(out).reshape(out_shape))

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        g = _expand(g, shape, axes, keepdims)
        full = _expand(out, shape, axes, keepdims)
        return (quietly(lambda: _norm_grad(xp, data, size, order, g, full, axes)),)

    return unary(x, out, vjp)


def _norm_grad(
    xp: Any, data: Array, size: Array, order: float, g: Array, full: Array, axes: tuple[int, ...]
) -> Array:
    """torch's norm_backward, branch by branch."""
    if order == 0:
        return xp.zeros_like(data)
    if order == 1:
        return xp.sign(data) * g
    if math.isinf(order):  # amax/amin of |x|: ties (and NaN) share the gradient
        mask = (size == full) | xp.isnan(size)
        return xp.sign(data) * (g / mask.sum(axis=axes, keepdims=True, dtype=data.dtype) * mask)
    if order < 1:
        scaled = xp.sign(data) * xp.where(data == 0, 0, size ** (order - 1))
        return scaled * g * full ** (1 - order)
    scale = xp.where(full == 0, 0, g / full ** (order - 1))
    if order < 2:
        return xp.sign(data) * size ** (order - 1) * scale
    return data * size ** (order - 2) * scale
