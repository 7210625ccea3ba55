"""Elementwise ops with numpy broadcasting: forward and VJP side by side.

A Python scalar operand stays a Python scalar (numpy keeps the tensor's dtype, NEP 50), so
`x * 2.0` is one array op and one record with a single input. numpy gives rank-0 results as
scalars: each op keeps them 0-d arrays (`rank0`). Ops that make inf and NaN from finite
inputs run `quiet` and their VJPs `quietly` (no RuntimeWarnings, as torch; ~0.2 us each);
+ - * are the hot path and stay unwrapped (backward() itself runs quiet).
"""

from __future__ import annotations

import math
from typing import Any

from shaped import shapes
from shaped.devices import quiet, quietly, rank0
from shaped.dtypes import Bool, float_only, not_bool, not_float
from shaped.errors import DtypeError
from shaped.ops.core import (
    Array,
    attach,
    binary,
    broadcast_check,
    check_same,
    operands,
    pass_both,
    scalar,
    sum_to,
    unary,
)
from shaped.tape import LEAF, new_key, sole_owner
from shaped.tensor import Tensor

Tn = Tensor[Any, Any, Any, Any]
_new = object.__new__


def _number(op: str, x: Tn, value: object) -> Any:
    """A scalar operand checked against the tensor's dtype (raises for float with int tensors)."""
    if type(value) is float and x._data.dtype.kind == "f":  # the common case, checked fast
        return value
    return scalar(op, value, x)._data


def add(a: Tn, b: object) -> Any:
    if b.__class__ is not Tensor:
        data = a._data + _number("add", a, b)
        return unary(a, data if data.ndim else rank0(data), lambda g, needs: (g,))
    x, y = a._data, b._data
    # the hottest op: checks inlined, identity tests first (full checks only on a mismatch)
    if a._device is not b._device or x.dtype is not y.dtype:
        check_same("add", (a, b))
    xs = x.shape
    if xs == y.shape:
        vjp: Any = pass_both
    else:
        ys = y.shape
        shapes.broadcast("add", xs, ys)
        vjp = lambda g, needs: (sum_to(g, xs), sum_to(g, ys))  # noqa: E731
    data = x + y
    if not data.ndim:
        data = rank0(data)
    out = _new(Tensor)
    out._data, out._device, out._tape, out._key, out._origin = data, a._device, None, None, None
    tape = a._tape
    if tape is None:
        tape = b._tape
        if tape is None:  # no tape: keep the op only if a parameter is in it (w1 + w2)
            return out if a._origin is None and b._origin is None else attach(out, (a, b), vjp)
    elif b._tape is not None and b._tape is not tape:
        return attach(out, (a, b), vjp)  # two tapes: merge them
    ka, kb = a._key, b._key
    if (
        tape.into is not None
        or tape.consumed
        or ka is None
        or kb is None
        or x.dtype.kind != "f"
        or (a._origin is not None and a._origin is not LEAF)  # made from parameters: replay
        or (b._origin is not None and b._origin is not LEAF)
    ):
        return attach(out, (a, b), vjp)
    # one open tape, float operands with keys: core._record, inlined for the hottest op
    out._key = key = new_key()
    out._tape = tape
    sources = tape.sources
    tape.records.append((key, (ka, kb), (ka not in sources, kb not in sources), vjp))
    return out


def sub(a: Tn, b: object) -> Any:
    if not isinstance(b, Tensor):
        data = a._data - _number("sub", a, b)
        return unary(a, data if data.ndim else rank0(data), lambda g, needs: (g,))
    a, b = operands("sub", a, b)
    x, y = a._data, b._data
    broadcast_check("sub", x, y)
    data = x - y
    return binary(
        a,
        b,
        data if data.ndim else rank0(data),
        lambda g, needs: (sum_to(g, x.shape), sum_to(-g, y.shape)),
    )


def rsub(a: Tn, b: object) -> Any:
    return unary(a, rank0(_number("sub", a, b) - a._data), lambda g, needs: (-g,))


def mul(a: Tn, b: object) -> Any:
    if not isinstance(b, Tensor):
        c = _number("mul", a, b)
        data = a._data * c
        return unary(a, data if data.ndim else rank0(data), lambda g, needs: (g * c,))
    a, b = operands("mul", a, b)
    x, y = a._data, b._data
    broadcast_check("mul", x, y)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, Array | None]:
        return (
            sum_to(g * y, x.shape) if needs[0] else None,
            sum_to(g * x, y.shape) if needs[1] else None,
        )

    data = x * y
    return binary(a, b, data if data.ndim else rank0(data), vjp)


def _divisor(op: str, value: object) -> float:
    """A Python number dividing an int or bool tensor (the division is Float32, so any number)."""
    if not isinstance(value, (int, float)):
        raise TypeError(
            f"{op}: expected a tensor or a Python number, got {type(value).__name__}; "
            "wrap arrays with dev.tensor(...)"
        )
    return float(value)


@quiet  # a gradient g / 0 is inf or NaN, as torch, without numpy's RuntimeWarning
def _divide(g: Array, by: Any) -> Array:
    return g / by


@quiet  # x / 0 is inf or NaN, as torch, without numpy's RuntimeWarning
def div(a: Tn, b: object) -> Any:
    if not isinstance(b, Tensor):
        x = a._data
        if x.dtype.kind == "f":
            c = _number("div", a, b)
        else:  # ints and bools: torch's true division gives Float32
            x, c = x.astype("float32"), _divisor("div", b)
        data = x / c
        return unary(a, data if data.ndim else rank0(data), lambda g, needs: (_divide(g, c),))
    a, b = operands("div", a, b)
    x, y = a._data, b._data
    broadcast_check("div", x, y)
    if x.dtype.kind != "f":  # ints and bools: torch's true division gives Float32 (no gradient)
        x, y = x.astype("float32"), y.astype("float32")
    out = x / y
    if not out.ndim:
        out = rank0(out)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, Array | None]:
        return quietly(
            lambda: (
                sum_to(g / y, x.shape) if needs[0] else None,
                sum_to(-g * out / y, y.shape) if needs[1] else None,
            )
        )

    return binary(a, b, out, vjp)


@quiet
def rdiv(a: Tn, b: object) -> Any:
    x = a._data
    if x.dtype.kind == "f":
        c = _number("div", a, b)
    else:  # ints and bools: torch's true division gives Float32
        x, c = x.astype("float32"), _divisor("div", b)
    out = rank0(c / x)
    return unary(a, out, lambda g, needs: quietly(lambda: (-g * out / x,)))


def neg(a: Tn) -> Any:
    return unary(a, rank0(-a._data), lambda g, needs: (-g,))


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


def _float_only(op: str, x: Tn) -> Array:
    """The data of a float tensor; ints would silently become float64 in numpy, so they raise."""
    data = x._data
    if data.dtype.kind != "f":  # the fast test; the message is the rule the plugin shares
        raise DtypeError(float_only(op, x.dtype) or op)
    return data


# ---------------------------------------------------------------- powers


@quiet
def pow_(a: Tn, b: object) -> Any:
    xp = a._device.xp
    if not isinstance(b, Tensor):
        c = _number("pow", a, b)
        x = a._data
        zero_exponent = b == 0  # the Python number: `c` may be a device array (no sync here)

        def vjp_scalar(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
            if zero_exponent:  # torch: a zero exponent gives a zero gradient, even at x = 0
                return (xp.zeros_like(g),)
            return quietly(lambda: (g * (c * x ** (c - 1)),))

        return unary(a, rank0(x**c), vjp_scalar)
    a, b = operands("pow", a, b)
    x, y = a._data, b._data
    broadcast_check("pow", x, y)
    out = rank0(x**y)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, Array | None]:
        # torch's masks: d/dx is 0 where y == 0; d/dy is 0 where x == 0 and y >= 0
        return quietly(
            lambda: (
                sum_to(xp.where(y == 0, 0, g * (y * x ** (y - 1))), x.shape) if needs[0] else None,
                sum_to(xp.where((x == 0) & (y >= 0), 0, g * (out * xp.log(x))), y.shape)
                if needs[1]
                else None,
            )
        )

    return binary(a, b, out, vjp)


@quiet
def rpow(a: Tn, b: object) -> Any:
    """scalar ** tensor: d/dx = out * log(c), and 0 where c == 0 and x >= 0 (as torch)."""
    xp = a._device.xp
    c = _number("pow", a, b)
    x = a._data
    out = rank0(c**x)
    log_c = -math.inf if c == 0 else math.log(c) if c > 0 else math.nan

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        grad = quietly(lambda: g * (out * log_c))
        return (xp.where(x >= 0, 0, grad) if c == 0 else grad,)

    return unary(a, out, vjp)


# ---------------------------------------------------------------- maximum, minimum


def _extreme(op: str, a: Tn, b: object) -> Any:
    """maximum/minimum: the larger (smaller) operand takes the gradient, ties split it half/half."""
    xp = a._device.xp
    high = op == "maximum"
    if isinstance(b, Tensor):
        a, b = operands(op, a, b)
        y = b._data
        broadcast_check(op, a._data, y)
    else:
        y = _number(op, a, b)
    x = a._data
    out = rank0(xp.maximum(x, y) if high else xp.minimum(x, y))

    def grad(g: Array, mine: Array, other: Array) -> Array:
        # torch's masks; a NaN operand neither ties nor loses, so both sides get the gradient
        loses = mine < other if high else mine > other
        return sum_to(xp.where(loses, 0, xp.where(mine == other, g / 2, g)), mine.shape)

    if not isinstance(b, Tensor):
        return unary(a, out, lambda g, needs: (grad(g, x, y),))
    return binary(
        a,
        b,
        out,
        lambda g, needs: (
            grad(g, x, y) if needs[0] else None,
            grad(g, y, x) if needs[1] else None,
        ),
    )


def maximum(a: Tn, b: object) -> Any:
    return _extreme("maximum", a, b)


def minimum(a: Tn, b: object) -> Any:
    return _extreme("minimum", a, b)


# ---------------------------------------------------------------- unary math


def abs_(x: Tn) -> Any:
    data = x._data
    xp = x._device.xp

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        # torch's sgn: 0 at 0 and at NaN
        return (xp.where(data > 0, g, 0) - xp.where(data < 0, g, 0),)

    return unary(x, rank0(xp.abs(data)), vjp)


# exp(1000) is inf, log(0) -inf, sqrt(-1) NaN, and their gradients inf or NaN, as torch: these
# ops run quiet, their VJPs quietly (no numpy RuntimeWarnings)


@quiet
def exp(x: Tn) -> Any:
    out = rank0(x._device.xp.exp(_float_only("exp", x)))
    return unary(x, out, lambda g, needs: quietly(lambda: (g * out,)))


@quiet
def log(x: Tn) -> Any:
    data = _float_only("log", x)
    return unary(x, rank0(x._device.xp.log(data)), lambda g, needs: (_divide(g, data),))


@quiet
def sqrt(x: Tn) -> Any:
    out = rank0(x._device.xp.sqrt(_float_only("sqrt", x)))
    return unary(x, out, lambda g, needs: (_divide(g, 2 * out),))


@quiet
def square(x: Tn) -> Any:
    data = x._data
    return unary(x, rank0(data * data), lambda g, needs: quietly(lambda: (2 * g * data,)))


@quiet
def sin(x: Tn) -> Any:
    data = _float_only("sin", x)
    xp = x._device.xp
    return unary(x, rank0(xp.sin(data)), lambda g, needs: quietly(lambda: (g * xp.cos(data),)))


@quiet
def cos(x: Tn) -> Any:
    data = _float_only("cos", x)
    xp = x._device.xp
    return unary(x, rank0(xp.cos(data)), lambda g, needs: quietly(lambda: (-g * xp.sin(data),)))


def tanh(x: Tn) -> Any:
    out = rank0(x._device.xp.tanh(_float_only("tanh", x)))
    return unary(x, out, lambda g, needs: (g * (1 - out * out),))


def sigmoid(x: Tn) -> Any:
    data = _float_only("sigmoid", x)
    xp = x._device.xp
    e = xp.exp(-xp.abs(data))  # never overflows: 1/(1+e) for x >= 0, e/(1+e) below
    out = rank0(xp.where(data >= 0, 1, e) / (1 + e))
    return unary(x, out, lambda g, needs: (g * (out * (1 - out)),))


def relu(x: Tn) -> Any:
    data = x._data
    if data.dtype.kind == "b":  # numpy would give Int64; torch refuses bools
        raise DtypeError(not_bool("relu", Bool) or "relu")
    xp = x._device.xp
    out = xp.maximum(data, 0)  # NaN stays NaN, as torch
    if not out.ndim:
        out = rank0(out)
    # torch's threshold_backward: zero where out <= 0, so x = 0 gets 0 and NaN passes g;
    # out is >= 0 or NaN, so `out != 0` is that mask (a multiply is 10x faster than where)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        if sole_owner(g):  # nothing else holds g: mask it in place, one array fewer
            xp.multiply(g, out != 0, out=g)
            return (g,)
        return (g * (out != 0),)

    return unary(x, out, vjp)


def leaky_relu(x: Tn, negative_slope: float) -> Any:
    data = _float_only("leaky_relu", x)
    xp = x._device.xp
    up = data > 0
    return unary(
        x,
        rank0(xp.where(up, data, data * negative_slope)),
        lambda g, needs: (xp.where(up, g, g * negative_slope),),
    )


def clamp(x: Tn, min: float | None, max: float | None) -> Any:
    """Limit to [min, max] (max wins where min > max); the gradient passes where min <= x <= max."""
    if min is None and max is None:
        raise TypeError("clamp: at least one of min and max must not be None")
    data = x._data
    xp = x._device.xp
    out, inside = data, None
    if min is not None:
        low = _number("clamp", x, min)
        out, inside = xp.maximum(out, low), data >= low
    if max is not None:
        high = _number("clamp", x, max)
        out, below = xp.minimum(out, high), data <= high
        inside = below if inside is None else inside & below
    return unary(x, rank0(out), lambda g, needs: (xp.where(inside, g, 0),))


# ---------------------------------------------------------------- gelu and erf

# W. J. Cody's coefficients (Math. Comp. 23, 1969; netlib specfun CALERF): erf on [0, 0.46875],
# erfc(y) exp(y^2) on [0.46875, 4] and, in 1/y^2, on [4, inf)
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)  # fmt: skip
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03)  # fmt: skip
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)  # fmt: skip
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03)  # fmt: skip
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)  # fmt: skip
_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)  # fmt: skip
_SQRPI = 5.6418958354775628695e-1  # 1/sqrt(pi)


def _rational(t: Array, num: tuple[float, ...], den: tuple[float, ...]) -> Array:
    """Cody's nested evaluation: num[-1] is the leading numerator term, den is monic."""
    xnum, xden = num[-1] * t, t
    for p, q in zip(num[:-2], den[:-1]):
        xnum, xden = (xnum + p) * t, (xden + q) * t
    return (xnum + num[-2]) / (xden + den[-1])


# float32 erf: x P(x^2) / Q(x^2) on [-3.92, 3.92] (erf rounds to +-1 in float32 beyond 3.8325),
# degrees 5 and 5, fit (weighted linearised minimax, float64) to relative error 1.9e-8, run in
# float64 arithmetic (in float32 its rounding alone costs 3.7e-7): 7.7e-8 after the rounding to
# float32, 0.8 ulp (torch's float32 erf: 6.4e-8; Cody's coefficients in float32: 3.5e-7)
_ERF_CLIP = 3.92
_ERF_P = (1.128379146359002, 0.1903847432221722, 0.0527452589537216, 0.003764544019867269,
          0.0002848351134066232, 2.0499392176209644e-06)  # fmt: skip
_ERF_Q = (1.0, 0.5020568317501138, 0.11409960341069973, 0.014967059190494928,
          0.0011622329774910781, 3.808769690442535e-05)  # fmt: skip


def _polynomial(xp: Any, t: Array, coefficients: tuple[float, ...]) -> Array:
    """sum(c_k t^k) by Horner's rule, in place in one new array (2 passes a degree)."""
    acc = xp.multiply(t, coefficients[-1], out=xp.empty_like(t))
    for c in coefficients[-2:0:-1]:
        xp.add(acc, c, out=acc)
        xp.multiply(acc, t, out=acc)
    return xp.add(acc, coefficients[0], out=acc)


def _erf_float32(xp: Any, x: Array) -> Array:
    """erf of a float32 array in 26 float64 passes; NaN stays NaN, +-inf gives +-1."""
    y = x.astype(xp.float64)
    xp.clip(y, -_ERF_CLIP, _ERF_CLIP, out=y)
    q = xp.multiply(y, y, out=xp.empty_like(y))
    num = _polynomial(xp, q, _ERF_P)
    xp.multiply(num, y, out=num)
    xp.divide(num, _polynomial(xp, q, _ERF_Q), out=num)
    return num.astype(xp.float32)


def erf(xp: Any, x: Array) -> Array:
    """The error function in x's dtype, relative error about 1e-16 (Cody's three intervals);
    float32 to 7.7e-8 by a rational approximation (`_erf_float32`)."""
    if x.dtype == xp.float32:
        return _erf_float32(xp, x)
    y = xp.abs(x)
    small = xp.minimum(y, 0.46875)
    near = xp.clip(y, 0.46875, 4.0)
    far = xp.clip(y, 4.0, 27.0)  # erfc(27) underflows to 0; clipping keeps inf out
    inv = 1 / (far * far)
    w = xp.where(y <= 4.0, near, far)
    r = xp.where(y <= 4.0, _rational(near, _C, _D), (_SQRPI - inv * _rational(inv, _P, _Q)) / far)
    s = xp.trunc(w * 16) / 16  # splits exp(-w^2) to keep its rounding error small
    erfc = xp.exp(-s * s) * xp.exp(-(w - s) * (w + s)) * r
    return xp.where(
        y <= 0.46875, x * _rational(small * small, _A, _B), xp.copysign((0.5 - erfc) + 0.5, x)
    )


_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_BETA = math.sqrt(2 / math.pi)
_KAPPA = 0.044715


# float32 GELU: Phi(x) = 1 - h(|x|) for x >= 0 and h(|x|) below, h(a) = erfc(a/sqrt2)/2 =
# exp(-a^2/2) R(a). 2 R(a) = erfcx(a/sqrt2) is a degree-7 polynomial in v = a/(a + 3) in [0, 1),
# fit (Lawson's weighted minimax, float64) to relative error 4e-8 on |x| <= 3, 1.2e-6 on
# 3..5, 4e-5 beyond: enough for float32 where h matters (x >= 0 needs h's absolute error only;
# x < 0 gives x h, whose relative error torch's 1 + erf(x/sqrt2) loses entirely by x = -10).
# exp(-x^2/2) is the gradient's too, so forward and backward share it.
_GELU_C = 1.5  # 3 in units of |x|/2, the variable the code holds
_GELU_Q = (1.0000000400423796, -2.3936610446936584, 2.106577899630966, -0.5774737239477054,
           -0.2938227157468615, 0.034369961587491685, 0.22024930142962923,
           -0.0964361618312351)  # fmt: skip
_SIGN32 = -(2**31)  # the float32 sign bit as an int32


def _gelu_float32(x: Tn, data: Array) -> Any:
    """Exact-form GELU for float32 in 25 passes over memory, each in place (`out=`); 9 back.

    out = x Phi(x) = (|x| + x)/2 - |x| h(|x|): no cancellation on either side of 0, and no
    select (numpy's `where` on a mixed sign mask costs 40 passes in branch misses)."""
    xp = x._device.xp
    q = xp.empty_like(data)
    xp.multiply(data, -0.5, out=q)  # -x/2
    b = xp.abs(q, out=xp.empty_like(data))  # |x|/2
    e = xp.multiply(q, data, out=xp.empty_like(data))
    xp.exp(e, out=e)  # exp(-x^2/2), kept for the gradient
    v = xp.add(b, _GELU_C, out=xp.empty_like(data))
    xp.divide(b, v, out=v)  # |x|/(|x| + 3)
    r = _polynomial(xp, v, _GELU_Q)
    xp.multiply(r, e, out=r)  # 2 h(|x|) = erfc(|x|/sqrt2), kept for the gradient
    out = xp.subtract(b, q, out=q)  # (|x| + x)/2: relu(x) without overflow
    xp.multiply(b, r, out=v)
    xp.subtract(out, v, out=out)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        # Phi + x phi = (1 + sign(x) (1 - 2h))/2 + x phi; sign(x) moved in as the sign bit
        u = xp.subtract(1.0, r, out=xp.empty_like(r))  # out=: 0-d arrays stay arrays
        bits = u.view(xp.int32)
        xp.bitwise_xor(bits, xp.bitwise_and(data.view(xp.int32), _SIGN32), out=bits)
        d = xp.multiply(data, e, out=xp.empty_like(r))
        xp.multiply(d, 2 * _INV_SQRT_2PI, out=d)
        xp.add(d, u, out=d)
        xp.add(d, 1.0, out=d)
        xp.multiply(d, 0.5, out=d)
        return (xp.multiply(d, g, out=d),)

    return unary(x, rank0(out), lambda g, needs: quietly(lambda: vjp(g, needs)))


@quiet  # x^3 can overflow in the tanh form, and inf * 0 in the gradient: NaN, as torch
def gelu(x: Tn, approximate: str) -> Any:
    """torch's formulas: x * Phi(x), or 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    data = _float_only("gelu", x)
    xp = x._device.xp
    if approximate == "none" and data.dtype == xp.float32:
        return _gelu_float32(x, data)
    if approximate == "none":
        cdf = 0.5 * (1 + erf(xp, data * _SQRT1_2))
        pdf = _INV_SQRT_2PI * xp.exp(-0.5 * data * data)
        return unary(
            x, rank0(data * cdf), lambda g, needs: quietly(lambda: (g * (cdf + data * pdf),))
        )
    if approximate != "tanh":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    sq = data * data
    t = xp.tanh(_BETA * (data + _KAPPA * sq * data))

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        inner = _BETA * (1 + 3 * _KAPPA * sq)
        return quietly(lambda: (g * (0.5 * (1 + t) + 0.5 * data * (1 - t * t) * inner),))

    return unary(x, rank0(0.5 * data * (1 + t)), vjp)


# ---------------------------------------------------------------- more unary math (issue 11)


def _float_unary(op: str, forward: Any, derivative: Any) -> Any:
    """A float-only elementwise op: `forward(xp, x)`, and `derivative(xp, x, out)` = d out/dx."""

    @quiet  # tan(pi/2), log2(0), acosh(0.5): inf and NaN as torch, without RuntimeWarnings
    def run(x: Tn) -> Any:
        data = _float_only(op, x)
        xp = x._device.xp
        out = rank0(forward(xp, data))
        return unary(x, out, lambda g, needs: quietly(lambda: (g * derivative(xp, data, out),)))

    run.__name__ = run.__qualname__ = op
    return run


_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRTPI = 2 / math.sqrt(math.pi)

tan = _float_unary("tan", lambda xp, x: xp.tan(x), lambda xp, x, out: 1 + out * out)
sinh = _float_unary("sinh", lambda xp, x: xp.sinh(x), lambda xp, x, out: xp.cosh(x))
cosh = _float_unary("cosh", lambda xp, x: xp.cosh(x), lambda xp, x, out: xp.sinh(x))
asinh = _float_unary(
    "asinh", lambda xp, x: xp.arcsinh(x), lambda xp, x, out: 1 / xp.sqrt(x * x + 1)
)
acosh = _float_unary(
    "acosh", lambda xp, x: xp.arccosh(x), lambda xp, x, out: 1 / xp.sqrt((x - 1) * (x + 1))
)
atanh = _float_unary("atanh", lambda xp, x: xp.arctanh(x), lambda xp, x, out: 1 / (1 - x * x))
asin = _float_unary("asin", lambda xp, x: xp.arcsin(x), lambda xp, x, out: 1 / xp.sqrt(1 - x * x))
acos = _float_unary("acos", lambda xp, x: xp.arccos(x), lambda xp, x, out: -1 / xp.sqrt(1 - x * x))
atan = _float_unary("atan", lambda xp, x: xp.arctan(x), lambda xp, x, out: 1 / (1 + x * x))
exp2 = _float_unary("exp2", lambda xp, x: xp.exp2(x), lambda xp, x, out: out * _LN2)
log2 = _float_unary("log2", lambda xp, x: xp.log2(x), lambda xp, x, out: 1 / (x * _LN2))
log10 = _float_unary("log10", lambda xp, x: xp.log10(x), lambda xp, x, out: 1 / (x * _LN10))
log1p = _float_unary("log1p", lambda xp, x: xp.log1p(x), lambda xp, x, out: 1 / (1 + x))
expm1 = _float_unary("expm1", lambda xp, x: xp.expm1(x), lambda xp, x, out: out + 1)
rsqrt = _float_unary(
    "rsqrt", lambda xp, x: 1 / xp.sqrt(x), lambda xp, x, out: -0.5 * out * out * out
)
reciprocal = _float_unary("reciprocal", lambda xp, x: 1 / x, lambda xp, x, out: -out * out)
erf_ = _float_unary(
    "erf", lambda xp, x: erf(xp, x), lambda xp, x, out: _TWO_OVER_SQRTPI * xp.exp(-x * x)
)


def _rounding(op: str, name: str) -> Any:
    """floor, ceil, round (half to even), trunc: ints stay as they are, Bool is refused (as
    torch); the gradient is zero everywhere, as torch's."""

    def run(x: Tn) -> Any:
        data = x._data
        if data.dtype.kind == "b":
            raise DtypeError(not_bool(op, Bool) or op)
        xp = x._device.xp
        out = rank0(getattr(xp, name)(data) if data.dtype.kind == "f" else data.copy())
        return unary(x, out, lambda g, needs: (xp.zeros_like(g),))

    run.__name__ = run.__qualname__ = op
    return run


floor = _rounding("floor", "floor")
ceil = _rounding("ceil", "ceil")
round_ = _rounding("round", "round")
trunc = _rounding("trunc", "trunc")


def sign(x: Tn) -> Any:
    """-1, 0 or 1 (0 for NaN; a Bool tensor is itself, as torch); the gradient is zero."""
    data = x._data
    xp = x._device.xp
    if data.dtype.kind == "b":
        out = data.copy()
    elif data.dtype.kind == "f":
        out = xp.where(xp.isnan(data), 0, xp.sign(data)).astype(data.dtype)
    else:
        out = xp.sign(data)
    out = rank0(out)
    return unary(x, out, lambda g, needs: (xp.zeros_like(g),))


def _flags(op: str, test: Any) -> Any:
    """isnan, isinf, isfinite: a Bool tensor without a tape (no gradient), for any dtype."""

    def run(x: Tn) -> Any:
        return Tensor._wrap(rank0(test(x._device.xp, x._data)), x._device)

    run.__name__ = run.__qualname__ = op
    return run


isnan = _flags("isnan", lambda xp, x: xp.isnan(x))
isinf = _flags("isinf", lambda xp, x: xp.isinf(x))
isfinite = _flags("isfinite", lambda xp, x: xp.isfinite(x))


def nan_to_num(
    x: Tn, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Any:
    """NaN, +inf, -inf replaced (by default 0 and the dtype's largest and smallest finite
    values, as torch); the gradient passes where x is finite. Ints and bools are unchanged."""
    data = x._data
    xp = x._device.xp
    if data.dtype.kind != "f":
        return unary(x, rank0(data.copy()), lambda g, needs: (g,))
    out = rank0(xp.nan_to_num(data, nan=nan, posinf=posinf, neginf=neginf))
    finite = xp.isfinite(data)
    return unary(x, out, lambda g, needs: (xp.where(finite, g, 0),))


# ---------------------------------------------------------------- more binary math (issue 11)


def _pair(op: str, a: Tn, b: object, *, reflected: bool = False) -> tuple[Tn, Tn]:
    """Both operands as tensors of one dtype and device, in the order of the expression."""
    if isinstance(b, Tensor):
        a, b = operands(op, a, b)
        broadcast_check(op, a._data, b._data)
        return a, b
    other = scalar(op, b, a)
    return (other, a) if reflected else (a, other)


def _binary_result(a: Tn, b: Tn, out: Array, grads: Any) -> Any:
    """`grads(g) -> (d a, d b)` unbroadcast to each operand; a scalar operand has no tape."""
    xs, ys = a._data.shape, b._data.shape

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, Array | None]:
        ga, gb = quietly(lambda: grads(g, needs))
        return (
            sum_to(ga, xs) if needs[0] and ga is not None else None,
            sum_to(gb, ys) if needs[1] and gb is not None else None,
        )

    return binary(a, b, rank0(out), vjp)


@quiet  # atan2(0, 0) is 0 with a NaN gradient, as torch
def atan2(a: Tn, b: object) -> Any:
    """The angle of (b, a): torch.atan2(input=a, other=b), in (-pi, pi]."""
    a, b = _pair("atan2", a, b)
    y, x = _float_only("atan2", a), b._data
    xp = a._device.xp
    denom = x * x + y * y
    return _binary_result(a, b, xp.arctan2(y, x), lambda g, needs: (g * x / denom, -g * y / denom))


@quiet  # logaddexp(-inf, -inf) is -inf, and its gradient NaN, as torch
def logaddexp(a: Tn, b: object) -> Any:
    """log(exp(a) + exp(b)), computed stably."""
    a, b = _pair("logaddexp", a, b)
    x, y = _float_only("logaddexp", a), b._data
    xp = a._device.xp
    out = xp.logaddexp(x, y)
    return _binary_result(a, b, out, lambda g, needs: (g * xp.exp(x - out), g * xp.exp(y - out)))


def _integer_divisor(op: str, divisor: Tn) -> None:
    """Ints divided by zero: torch raises ZeroDivisionError, numpy would give 0 and a warning."""
    data = divisor._data
    if data.dtype.kind in "iub" and bool((data == 0).any()):
        raise ZeroDivisionError(f"{op}: integer division by zero")


def _no_gradient(op: str) -> Any:
    def vjp(g: Array, needs: tuple[bool, ...]) -> Any:
        from shaped.errors import TapeError

        raise TapeError(
            f"{op} has no gradient (torch has none either): compute it on .detach()ed tensors, "
            "or use (a / b).floor() inside the traced computation where a zero gradient is meant"
        )

    return vjp


@quiet  # x // 0.0 is +-inf or NaN, as torch
def _floordiv(a: Tn, b: Tn) -> Any:
    x, y = a._data, b._data
    if x.dtype.kind == "b":
        raise DtypeError(not_bool("floor_divide", Bool) or "floor_divide")
    _integer_divisor("floor_divide", b)
    return binary(a, b, rank0(a._device.xp.floor_divide(x, y)), _no_gradient("floor_divide"))


def floordiv(a: Tn, b: object) -> Any:
    """a // b rounds towards -inf (torch's floor division); it has no gradient, as in torch."""
    return _floordiv(*_pair("floor_divide", a, b))


def rfloordiv(a: Tn, b: object) -> Any:
    return _floordiv(*_pair("floor_divide", a, b, reflected=True))


@quiet  # x % 0.0 is NaN, as torch
def _mod(a: Tn, b: Tn) -> Any:
    x, y = a._data, b._data
    if x.dtype.kind == "b":
        raise DtypeError(not_bool("remainder", Bool) or "remainder")
    _integer_divisor("remainder", b)
    xp = a._device.xp
    # torch's remainder: d/da = 1, d/db = -floor(a / b)
    return _binary_result(
        a, b, xp.remainder(x, y), lambda g, needs: (g, -g * xp.floor_divide(x, y))
    )


def mod(a: Tn, b: object) -> Any:
    """a % b with the sign of b (Python's and torch's remainder)."""
    return _mod(*_pair("remainder", a, b))


@quiet
def rmod(a: Tn, b: object) -> Any:
    """number % tensor: torch has no gradient for it, so backward raises here too."""
    c, x = _pair("remainder", a, b, reflected=True)
    if x._data.dtype.kind == "b":
        raise DtypeError(not_bool("remainder", Bool) or "remainder")
    _integer_divisor("remainder", x)
    out = rank0(a._device.xp.remainder(c._data, x._data))
    return unary(x, out, _no_gradient("remainder of a number by a tensor"))


_BITWISE = {
    "and": lambda xp, x, y: xp.bitwise_and(x, y),
    "or": lambda xp, x, y: xp.bitwise_or(x, y),
    "xor": lambda xp, x, y: xp.bitwise_xor(x, y),
}


def bitwise(op: str, a: Tn, b: object, *, reflected: bool = False) -> Any:
    """& | ^ on Bool (logical) and integer (bitwise) tensors; no gradient, no tape."""
    if type(b) is int and a._data.dtype.kind == "b":  # torch would promote to Int64
        raise DtypeError(
            f"bitwise_{op}: an int scalar with a Bool tensor; use True or False, or convert the "
            "tensor with .to(sh.Int64) first"
        )
    a, b = _pair(f"bitwise_{op}", a, b, reflected=reflected)
    if a._data.dtype.kind == "f":
        raise DtypeError(not_float(f"bitwise_{op}", a.dtype) or op)
    xp = a._device.xp
    return Tensor._wrap(rank0(_BITWISE[op](xp, a._data, b._data)), a._device)


def invert(x: Tn) -> Any:
    """~x: logical not of a Bool tensor, bitwise not of an integer one."""
    if x._data.dtype.kind == "f":
        raise DtypeError(not_float("bitwise_not", x.dtype) or "bitwise_not")
    return Tensor._wrap(rank0(x._device.xp.invert(x._data)), x._device)


@quiet
def lerp(start: Tn, end: Tn, weight: object) -> Any:
    """start + weight * (end - start); weight is a number or a tensor (all three broadcast)."""
    start, end = operands("lerp", start, end)
    x, y = _float_only("lerp", start), end._data
    if isinstance(weight, Tensor):
        check_same("lerp", (start, end, weight))
        w = weight._data
        shapes.broadcast("lerp", x.shape, y.shape, w.shape)
        out = rank0(x + w * (y - x))

        def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
            return (
                sum_to(g * (1 - w), x.shape) if needs[0] else None,
                sum_to(g * w, y.shape) if needs[1] else None,
                sum_to(g * (y - x), w.shape) if needs[2] else None,
            )

        return attach(Tensor._wrap(out, start._device), (start, end, weight), vjp)
    c = _number("lerp", start, weight)
    shapes.broadcast("lerp", x.shape, y.shape)
    return _binary_result(start, end, x + c * (y - x), lambda g, needs: (g * (1 - c), g * c))


def clamp_tensors(x: Tn, min: object, max: object) -> Any:
    """clamp with tensor bounds (either may be a number or None): torch's masks for gradients,
    x where min <= x <= max, min where x < min < max, max where x > max or max < min."""
    if min is None and max is None:
        raise TypeError("clamp: at least one of min and max must not be None")
    data = x._data
    xp = x._device.xp
    inputs: list[Tn] = [x]
    bounds: list[Array | None] = []
    for bound in (min, max):
        if bound is None:
            bounds.append(None)
        elif isinstance(bound, Tensor):
            check_same("clamp", (x, bound))
            inputs.append(bound)
            bounds.append(bound._data)
        else:
            bounds.append(_number("clamp", x, bound))
    low, high = bounds
    shapes.broadcast("clamp", *(t._data.shape for t in inputs))
    out = data
    if low is not None:
        out = xp.maximum(out, low)
    if high is not None:
        out = xp.minimum(out, high)
    inside = xp.ones(data.shape, dtype=bool)
    if low is not None:
        inside = inside & (data >= low)
    if high is not None:
        inside = inside & (data <= high)
    masks: list[Array] = [inside]
    if isinstance(min, Tensor):
        below = data < low
        masks.append(below & (low < high) if high is not None else below)
    if isinstance(max, Tensor):
        above = data > high
        masks.append(above | (high < low) if low is not None else above)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        return tuple(
            sum_to(xp.where(mask, g, 0), t._data.shape) if need else None
            for mask, t, need in zip(masks, inputs, needs)
        )

    return attach(Tensor._wrap(rank0(out), x._device), tuple(inputs), vjp)


# ---------------------------------------------------------------- third round (tinygrad's test_ops)


def copysign(a: Tn, b: object) -> Any:
    """|a| with the sign of b, as torch.copysign (floats: torch would promote ints). The
    gradient reaches a (sign(a) * sign(result), 0 where a is 0); b gets none, as in torch."""
    a, b = _pair("copysign", a, b)
    x, y = _float_only("copysign", a), b._data
    xp = a._device.xp
    out = xp.copysign(x, y)

    def grads(g: Array, needs: tuple[bool, ...]) -> tuple[Array, Array | None]:
        slope = xp.where(x == 0, 0, xp.sign(x) * xp.copysign(xp.ones_like(out), out))
        return g * slope.astype(g.dtype, copy=False), xp.zeros_like(y) if needs[1] else None

    return _binary_result(a, b, out, grads)


@quiet  # fmod(x, 0.0) is NaN, as torch
def fmod(a: Tn, b: object) -> Any:
    """C's fmod: the remainder with the dividend's sign (torch.fmod; `%` is torch.remainder).
    d/da = 1, d/db = -trunc(a / b), as torch."""
    a, b = _pair("fmod", a, b)
    x, y = a._data, b._data
    if x.dtype.kind == "b":
        raise DtypeError(not_bool("fmod", Bool) or "fmod")
    _integer_divisor("fmod", b)
    xp = a._device.xp
    return _binary_result(a, b, xp.fmod(x, y), lambda g, needs: (g, -g * xp.trunc(x / y)))


def isclose(a: Tn, b: object, rtol: float, atol: float, equal_nan: bool) -> Any:
    """|a - b| <= atol + rtol * |b| elementwise (torch.isclose), a Bool tensor without a tape."""
    a, b = _pair("isclose", a, b)
    if rtol < 0 or atol < 0:
        raise ValueError(f"isclose: rtol and atol must be >= 0, got rtol={rtol}, atol={atol}")
    xp = a._device.xp
    out = xp.isclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return Tensor._wrap(rank0(out), a._device)


def logical_not(x: Tn) -> Any:
    """Where x is zero (False), for any dtype: a Bool tensor without a tape (torch.logical_not)."""
    return Tensor._wrap(rank0(x._device.xp.logical_not(x._data)), x._device)


_LOGICAL = {
    "and": lambda xp, x, y: xp.logical_and(x, y),
    "or": lambda xp, x, y: xp.logical_or(x, y),
    "xor": lambda xp, x, y: xp.logical_xor(x, y),
}


def logical(op: str, a: Tn, b: object) -> Any:
    """logical_and/or/xor: nonzero is True, for any dtype; Bool without a tape."""
    a, b = _pair(f"logical_{op}", a, b)
    xp = a._device.xp
    return Tensor._wrap(rank0(_LOGICAL[op](xp, a._data, b._data)), a._device)
