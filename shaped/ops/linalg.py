"""matmul and the fused linear op (one record for x @ weight.T + bias)."""

from __future__ import annotations

import math
from typing import Any

from typing_extensions import TypeVar, TypeVarTuple

from shaped import shapes
from shaped.ops.core import Array, binary, check_same, nary, sum_to
from shaped.tensor import Tensor

Tn = Tensor[Any, Any, Any, Any]
B = TypeVarTuple("B")
I = TypeVar("I")  # noqa: E741  (in_features, as in the type Linear[I, O])
O = TypeVar("O")  # noqa: E741
D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")


def matmul(a: Tn, b: Tn) -> Any:
    """PyTorch's matmul: 1-D operands are promoted then squeezed; batch dims broadcast."""
    if not isinstance(b, Tensor):
        raise TypeError(f"matmul: expected a tensor on the right, got {type(b).__name__}")
    if b._device is not a._device or b._data.dtype != a._data.dtype:
        check_same("matmul", (a, b))
    x, y = a._data, b._data
    if x.ndim == 2 and y.ndim == 2:
        if x.shape[1] != y.shape[0]:
            shapes.matmul(x.shape, y.shape)  # raises with the arithmetic

        def vjp2(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, Array | None]:
            return (g @ y.T if needs[0] else None, x.T @ g if needs[1] else None)

        return binary(a, b, x @ y, vjp2)
    shapes.matmul(x.shape, y.shape)

    xp = a._device.xp

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, Array | None]:
        g = xp.asarray(g)  # a 1-D @ 1-D product is a numpy scalar
        x2 = x[None, :] if x.ndim == 1 else x
        y2 = y[:, None] if y.ndim == 1 else y
        g2 = g[..., None] if y.ndim == 1 else g  # restore N first, then M in front of it
        g2 = g2[..., None, :] if x.ndim == 1 else g2
        ga = sum_to(g2 @ y2.swapaxes(-1, -2), x2.shape).reshape(x.shape) if needs[0] else None
        gb = sum_to(x2.swapaxes(-1, -2) @ g2, y2.shape).reshape(y.shape) if needs[1] else None
        return ga, gb

    return binary(a, b, xp.asarray(x @ y), vjp)  # 1-D @ 1-D: a 0-d array, not numpy's scalar


def linear(
    x: Tensor[tuple[*B, I], D, Dev, T],
    weight: Tensor[tuple[O, I], D, Dev, Any],
    bias: Tensor[tuple[O], D, Dev, Any] | None = None,
) -> Tensor[tuple[*B, O], D, Dev, T]:
    """y = x @ weight.T + bias for x (*B, I), weight (O, I), bias (O,): one record, one GEMM each way."""
    inputs = (x, weight) if bias is None else (x, weight, bias)
    check_same("linear", inputs, weights=True)
    data, w = x._data, weight._data
    if (
        data.ndim == 0
        or w.ndim != 2
        or data.shape[-1] != w.shape[1]
        or (bias is not None and bias._data.shape != (w.shape[0],))
    ):
        shapes.linear(data.shape, w.shape, None if bias is None else bias._data.shape)
    # explicit row counts: reshape(-1, 0) of an empty array is ambiguous to numpy
    rows = math.prod(data.shape[:-1])
    flat = data.reshape(rows, w.shape[1]) if data.ndim != 2 else data
    out = flat @ w.T
    if bias is not None:
        out += bias._data  # out is fresh: add in place
    if data.ndim != 2:
        out = out.reshape(*data.shape[:-1], w.shape[0])

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        g2 = g.reshape(rows, w.shape[0]) if g.ndim != 2 else g
        gx = None
        if needs[0]:  # reshape only when needed: a fresh array (no view) can be reused later
            gx = g2 @ w if data.ndim == 2 else (g2 @ w).reshape(data.shape)
        gw = g2.T @ flat if needs[1] else None
        if bias is None:
            return gx, gw
        return gx, gw, (g2.sum(axis=0) if needs[2] else None)

    return nary(inputs, out, vjp)  # type: ignore[no-any-return]
