"""Ops that move or select elements: reshape, permute, indexing, concat, ..., and `to`."""

from __future__ import annotations

from typing import Any

from shaped import shapes
from shaped.devices import Device
from shaped.dtypes import DType
from shaped.ops.core import Array, unary
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

        if x._tape is not None:
            from shaped.ops.core import _record

            _record(out, x._tape.root(), (x,), vjp_move)
        return out
    if isinstance(target, type) and issubclass(target, DType):
        if data.dtype.name == target.name:
            return x
        old = data.dtype
        return unary(x, data.astype(target.name), lambda g, needs: (g.astype(old),))
    raise TypeError(f"to: expected a device (sh.Cpu(), sh.Cuda()) or a dtype (sh.Float64), got {target!r}")


def reshape(x: Tn, shape: tuple[Any, ...]) -> Any:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    data = x._data
    new = shapes.reshape(data.shape, shape)
    old = data.shape
    return unary(x, data.reshape(new), lambda g, needs: (g.reshape(old),))
