"""Activations beyond relu/gelu (issue 11 item 5): forward and VJP side by side, torch's formulas.

Each is float-only (ints would silently become float64 in numpy). The branch points follow
torch's backward formulas exactly, so gradients at the kinks (x == 0, x == +-3, ...) match.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import TypeVar

from shaped import shapes
from shaped.devices import quiet, quietly, rank0
from shaped.ops.core import Array, binary, check_same, sum_to, unary
from shaped.ops.elementwise import _float_only
from shaped.ops.nn import softmax
from shaped.tensor import Tensor

__all__ = [
    "celu",
    "elu",
    "glu",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "logsigmoid",
    "mish",
    "prelu",
    "relu6",
    "selu",
    "silu",
    "softmin",
    "softplus",
    "softsign",
]

S = TypeVar("S", bound=tuple[Any, ...])
D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")
Tn = Tensor[Any, Any, Any, Any]
AnyShape = tuple[Any, ...]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _sigmoid(xp: Any, x: Array) -> Array:
    e = xp.exp(-xp.abs(x))  # never overflows
    return xp.where(x >= 0, 1, e) / (1 + e)


def _result(x: Tn, out: Array, derivative: Any) -> Tn:
    """A unary result whose VJP is g * derivative() (computed when backward runs)."""
    # a derivative built from Python floats (xp.where(inside, 1 / 6, 0)) is float64: keep g's dtype
    result: Tn = unary(
        x,
        rank0(out),
        lambda g, needs: quietly(lambda: ((g * derivative()).astype(g.dtype, copy=False),)),
    )
    return result


@quiet
def silu(x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
    """x * sigmoid(x) (swish)."""
    data = _float_only("silu", x)
    xp = x._device.xp
    s = _sigmoid(xp, data)
    return _result(x, data * s, lambda: s * (1 + data * (1 - s)))


@quiet  # exp of large x in the unused branch: inf, discarded by where
def _elu(x: Tensor[S, D, Dev, T], alpha: float = 1.0) -> Tensor[S, D, Dev, T]:
    """x where x > 0, alpha * (exp(x) - 1) elsewhere."""
    data = _float_only("elu", x)
    xp = x._device.xp
    up = data > 0
    neg = alpha * xp.exp(xp.minimum(data, 0))
    return _result(x, xp.where(up, data, neg - alpha), lambda: xp.where(up, 1, neg))


def elu(x: Tensor[S, D, Dev, T], alpha: float = 1.0) -> Tensor[S, D, Dev, T]:
    """x where x > 0, alpha * (exp(x) - 1) elsewhere."""
    return _elu(x, alpha)


@quiet
def selu(x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
    """scale * elu(x, alpha) with torch's self-normalising constants."""
    data = _float_only("selu", x)
    xp = x._device.xp
    up = data > 0
    neg = _SELU_ALPHA * xp.exp(xp.minimum(data, 0))
    out = _SELU_SCALE * xp.where(up, data, neg - _SELU_ALPHA)
    return _result(x, out, lambda: _SELU_SCALE * xp.where(up, 1, neg))


@quiet
def _celu(x: Tensor[S, D, Dev, T], alpha: float = 1.0) -> Tensor[S, D, Dev, T]:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    data = _float_only("celu", x)
    xp = x._device.xp
    up = data > 0
    e = xp.exp(xp.minimum(data, 0) / alpha)
    return _result(x, xp.where(up, data, alpha * (e - 1)), lambda: xp.where(up, 1, e))


def celu(x: Tensor[S, D, Dev, T], alpha: float = 1.0) -> Tensor[S, D, Dev, T]:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    return _celu(x, alpha)


@quiet
def _softplus(
    x: Tensor[S, D, Dev, T], beta: float = 1.0, threshold: float = 20.0
) -> Tensor[S, D, Dev, T]:
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (as torch)."""
    data = _float_only("softplus", x)
    xp = x._device.xp
    z = data * beta
    linear = z > threshold
    out = xp.where(linear, data, xp.logaddexp(0, z) / beta)
    return _result(x, out, lambda: xp.where(linear, 1, _sigmoid(xp, z)))


def softplus(
    x: Tensor[S, D, Dev, T], beta: float = 1.0, threshold: float = 20.0
) -> Tensor[S, D, Dev, T]:
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (as torch)."""
    return _softplus(x, beta, threshold)


@quiet
def mish(x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
    """x * tanh(softplus(x))."""
    data = _float_only("mish", x)
    xp = x._device.xp
    t = xp.tanh(xp.logaddexp(0, data))
    return _result(x, data * t, lambda: t + data * _sigmoid(xp, data) * (1 - t * t))


def hardswish(x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
    """x * relu6(x + 3) / 6."""
    data = _float_only("hardswish", x)
    xp = x._device.xp
    out = data * xp.clip(data + 3, 0, 6) / 6
    # torch: 0 up to -3 (inclusive), x / 3 + 0.5 below 3, 1 from 3 on
    return _result(x, out, lambda: xp.where(data <= -3, 0, xp.where(data < 3, data / 3 + 0.5, 1)))


def hardsigmoid(x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
    """relu6(x + 3) / 6."""
    data = _float_only("hardsigmoid", x)
    xp = x._device.xp
    inside = (data > -3) & (data < 3)
    return _result(x, xp.clip(data + 3, 0, 6) / 6, lambda: xp.where(inside, 1 / 6, 0))


def hardtanh(
    x: Tensor[S, D, Dev, T], min_val: float = -1.0, max_val: float = 1.0
) -> Tensor[S, D, Dev, T]:
    """x limited to [min_val, max_val]; the gradient is zero at and beyond the limits (torch)."""
    data = _float_only("hardtanh", x)
    xp = x._device.xp
    inside = (data > min_val) & (data < max_val)
    out = xp.minimum(xp.maximum(data, min_val), max_val)
    result: Tn = unary(x, rank0(out), lambda g, needs: (xp.where(inside, g, 0),))
    return result


def relu6(x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
    """min(max(x, 0), 6): torch's hardtanh(x, 0, 6)."""
    _float_only("relu6", x)
    return hardtanh(x, 0.0, 6.0)


@quiet
def logsigmoid(x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), stable at both ends."""
    data = _float_only("logsigmoid", x)
    xp = x._device.xp
    out = xp.minimum(data, 0) - xp.log1p(xp.exp(-xp.abs(data)))
    return _result(x, out, lambda: _sigmoid(xp, -data))


def softsign(x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
    """x / (1 + |x|)."""
    data = _float_only("softsign", x)
    xp = x._device.xp
    denom = 1 + xp.abs(data)
    return _result(x, data / denom, lambda: 1 / (denom * denom))


def softmin(x: Tensor[S, D, Dev, T], axis: int = -1) -> Tensor[S, D, Dev, T]:
    """softmax(-x) along `axis` (torch's `dim`)."""
    _float_only("softmin", x)
    return softmax(-x, axis)


@quiet
def _glu(x: Tensor[Any, D, Dev, T], axis: int = -1) -> Tensor[AnyShape, D, Dev, T]:
    """a * sigmoid(b), with a and b the two halves of `axis`."""
    data = _float_only("glu", x)
    xp = x._device.xp
    shapes.glu(data.shape, axis)
    ax = shapes.normalize_axis("glu", axis, data.ndim)
    half = data.shape[ax] // 2
    a, b = xp.split(data, [half], axis=ax)
    s = _sigmoid(xp, b)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        return (xp.concatenate([g * s, g * a * s * (1 - s)], axis=ax),)

    result: Tn = unary(x, rank0(a * s), vjp)
    return result


def glu(x: Tensor[Any, D, Dev, T], axis: int = -1) -> Tensor[AnyShape, D, Dev, T]:
    """a * sigmoid(b), with a and b the two halves of `axis` (torch's `dim`)."""
    return _glu(x, axis)


def prelu(x: Tensor[S, D, Dev, Any], weight: Tensor[Any, D, Dev, Any]) -> Tensor[S, D, Dev, Any]:
    """x where x > 0, weight * x elsewhere; one slope, or one per channel (axis 1 of x)."""
    data = _float_only("prelu", x)
    check_same("prelu", (x, weight), weights=True)
    xp = x._device.xp
    w = weight._data
    shapes.prelu(data.shape, w.shape)
    # the slopes along axis 1 (a single slope broadcasts everywhere)
    slopes = w.reshape((-1,) + (1,) * (data.ndim - 2)) if data.ndim >= 2 else w.reshape(())
    up = data > 0
    out = xp.where(up, data, slopes * data)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, Array | None]:
        grad_w = None
        if needs[1]:
            per = xp.where(up, 0, g * data)
            grad_w = sum_to(per, slopes.shape).reshape(w.shape)
        return (xp.where(up, g, g * slopes) if needs[0] else None, grad_w)

    result: Tn = binary(x, weight, rank0(out), vjp)
    return result
