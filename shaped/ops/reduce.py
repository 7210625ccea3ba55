"""Reductions over axes: sum, mean, max, min, var, std, logsumexp, argmax, argmin."""

from __future__ import annotations

from typing import Any

from shaped import shapes
from shaped.ops.core import Array, unary
from shaped.tensor import Tensor

Tn = Tensor[Any, Any, Any, Any]
Axis = int | tuple[int, ...] | None


def _expand(g: Array, shape: tuple[int, ...], axes: tuple[int, ...], keepdims: bool) -> Array:
    """Put the reduced axes back into g as size-1 axes, so it broadcasts against the input."""
    if keepdims or not axes:
        return g
    return g.reshape([1 if i in axes else d for i, d in enumerate(shape)])


def sum_(x: Tn, axis: Axis, keepdims: bool) -> Any:
    data = x._data
    shape = data.shape
    shapes.reduce("sum", shape, axis, keepdims)
    axes = shapes.normalize_axes("sum", axis, data.ndim)
    xp = x._device.xp

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        return (xp.broadcast_to(_expand(g, shape, axes, keepdims), shape),)

    return unary(x, data.sum(axis=axes, keepdims=keepdims), vjp)


def mean(x: Tn, axis: Axis, keepdims: bool) -> Any:
    data = x._data
    shape = data.shape
    shapes.reduce("mean", shape, axis, keepdims)
    axes = shapes.normalize_axes("mean", axis, data.ndim)
    count = 1
    for a in axes:
        count *= shape[a]
    xp = x._device.xp

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        return (xp.broadcast_to(_expand(g / count, shape, axes, keepdims), shape),)

    return unary(x, data.mean(axis=axes, keepdims=keepdims), vjp)
