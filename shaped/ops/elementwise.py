"""Elementwise ops with numpy broadcasting: forward and VJP side by side.

A Python scalar operand stays a Python scalar (numpy keeps the tensor's dtype, NEP 50), so
`x * 2.0` is one array op and one record with a single input.
"""

from __future__ import annotations

from typing import Any

from shaped.ops.core import Array, binary, broadcast_check, operands, scalar, sum_to, unary
from shaped.tensor import Tensor

Tn = Tensor[Any, Any, Any, Any]


def _number(op: str, x: Tn, value: object) -> Any:
    """A scalar operand checked against the tensor's dtype (raises for float with int tensors)."""
    if type(value) is float and x._data.dtype.kind == "f":  # the common case, checked fast
        return value
    return scalar(op, value, x)._data


def add(a: Tn, b: object) -> Any:
    if not isinstance(b, Tensor):
        return unary(a, a._data + _number("add", a, b), lambda g, needs: (g,))
    a, b = operands("add", a, b)
    x, y = a._data, b._data
    broadcast_check("add", x, y)
    return binary(a, b, x + y, lambda g, needs: (sum_to(g, x.shape), sum_to(g, y.shape)))


def sub(a: Tn, b: object) -> Any:
    if not isinstance(b, Tensor):
        return unary(a, a._data - _number("sub", a, b), lambda g, needs: (g,))
    a, b = operands("sub", a, b)
    x, y = a._data, b._data
    broadcast_check("sub", x, y)
    return binary(a, b, x - y, lambda g, needs: (sum_to(g, x.shape), sum_to(-g, y.shape)))


def rsub(a: Tn, b: object) -> Any:
    return unary(a, _number("sub", a, b) - a._data, lambda g, needs: (-g,))


def mul(a: Tn, b: object) -> Any:
    if not isinstance(b, Tensor):
        c = _number("mul", a, b)
        return unary(a, a._data * c, lambda g, needs: (g * c,))
    a, b = operands("mul", a, b)
    x, y = a._data, b._data
    broadcast_check("mul", x, y)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, Array | None]:
        return (
            sum_to(g * y, x.shape) if needs[0] else None,
            sum_to(g * x, y.shape) if needs[1] else None,
        )

    return binary(a, b, x * y, vjp)


def div(a: Tn, b: object) -> Any:
    if not isinstance(b, Tensor):
        c = _number("div", a, b)
        return unary(a, a._data / c, lambda g, needs: (g / c,))
    a, b = operands("div", a, b)
    x, y = a._data, b._data
    broadcast_check("div", x, y)
    out = x / y

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, Array | None]:
        return (
            sum_to(g / y, x.shape) if needs[0] else None,
            sum_to(-g * out / y, y.shape) if needs[1] else None,
        )

    return binary(a, b, out, vjp)


def rdiv(a: Tn, b: object) -> Any:
    c = _number("div", a, b)
    x = a._data
    out = c / x
    return unary(a, out, lambda g, needs: (-g * out / x,))


def neg(a: Tn) -> Any:
    return unary(a, -a._data, lambda g, needs: (-g,))


_COMPARE = {
    "eq": lambda x, y: x == y,
    "ne": lambda x, y: x != y,
    "lt": lambda x, y: x < y,
    "le": lambda x, y: x <= y,
    "gt": lambda x, y: x > y,
    "ge": lambda x, y: x >= y,
}


def compare(op: str, a: Tn, b: object) -> Any:
    """A Bool tensor without a tape: comparisons have no gradient."""
    if isinstance(b, Tensor):
        a, b = operands(op, a, b)
        broadcast_check(op, a._data, b._data)
        other = b._data
    else:
        other = _number(op, a, b)
    return Tensor._wrap(_COMPARE[op](a._data, other), a._device)
