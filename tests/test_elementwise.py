"""Elementwise ops against torch: values and gradients, broadcasting, scalars, dtypes, NaN."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from shaped.tensor import Tensor
from tests.oracle import arrays, broadcastable, check, float_dtypes, shapes

dev = sh.Cpu(seed=0)
Fn = Callable[..., Any]


def sample(
    shape: tuple[int, ...],
    dtype: Any,
    seed: int,
    transposed: bool,
    low: float = -2.0,
    high: float = 2.0,
) -> np.ndarray:
    """Random values, optionally as a transposed (non-C-contiguous) view of the same shape."""
    if transposed and len(shape) >= 2:
        return arrays(shape[::-1], dtype, seed, low, high).T
    return arrays(shape, dtype, seed, low, high)


def tied(shape: tuple[int, ...], dtype: Any, seed: int) -> np.ndarray:
    """Values from {-1, 0, 1}: many exact ties."""
    return np.asarray(np.round(arrays(shape, dtype, seed, -1.4, 1.4)), dtype=dtype)


# ---------------------------------------------------------------- unary ops and scalars

# name: (torch_fn, our_fn, low, high)
UNARY: dict[str, tuple[Fn, Fn, float, float]] = {
    "neg": (lambda t: -t, lambda x: -x, -2, 2),
    "abs": (torch.abs, lambda x: x.abs(), -2, 2),
    "exp": (torch.exp, lambda x: x.exp(), -2, 2),
    "log": (torch.log, lambda x: x.log(), 0.1, 3),
    "sqrt": (torch.sqrt, lambda x: x.sqrt(), 0.1, 3),
    "square": (torch.square, lambda x: x.square(), -2, 2),
    "sin": (torch.sin, lambda x: x.sin(), -4, 4),
    "cos": (torch.cos, lambda x: x.cos(), -4, 4),
    "tanh": (torch.tanh, lambda x: x.tanh(), -3, 3),
    "sigmoid": (torch.sigmoid, lambda x: x.sigmoid(), -6, 6),
    "relu": (torch.relu, lambda x: x.relu(), -2, 2),
    "gelu": (F.gelu, lambda x: x.gelu(), -5, 5),
    "gelu_tanh": (lambda t: F.gelu(t, approximate="tanh"), lambda x: x.gelu("tanh"), -5, 5),
    "leaky_relu": (F.leaky_relu, lambda x: x.leaky_relu(), -2, 2),
    "leaky_relu_0.2": (lambda t: F.leaky_relu(t, 0.2), lambda x: x.leaky_relu(0.2), -2, 2),
    "clamp": (lambda t: t.clamp(-0.5, 1.0), lambda x: x.clamp(-0.5, 1.0), -2, 2),
    "clamp_min": (lambda t: t.clamp(min=0.3), lambda x: x.clamp(min=0.3), -2, 2),
    "clamp_max": (lambda t: t.clamp(max=-0.3), lambda x: x.clamp(max=-0.3), -2, 2),
    "clamp_int_bounds": (lambda t: t.clamp(-1, 1), lambda x: x.clamp(-1, 1), -2, 2),
    "add_scalar": (lambda t: t + 1.5, lambda x: x + 1.5, -2, 2),
    "radd": (lambda t: 1.5 + t, lambda x: 1.5 + x, -2, 2),
    "sub_scalar": (lambda t: t - 1.5, lambda x: x - 1.5, -2, 2),
    "rsub": (lambda t: 1.5 - t, lambda x: 1.5 - x, -2, 2),
    "mul_scalar": (lambda t: t * -2.5, lambda x: x * -2.5, -2, 2),
    "rmul": (lambda t: -2.5 * t, lambda x: -2.5 * x, -2, 2),
    "mul_int_scalar": (lambda t: t * 3, lambda x: x * 3, -2, 2),
    "div_scalar": (lambda t: t / 4.0, lambda x: x / 4.0, -2, 2),
    "rtruediv": (lambda t: 2.0 / t, lambda x: 2.0 / x, 0.2, 3),
    "pow_2": (lambda t: t**2, lambda x: x**2, -2, 2),
    "pow_3.0": (lambda t: t**3.0, lambda x: x**3.0, -2, 2),
    "pow_0.5": (lambda t: t**0.5, lambda x: x**0.5, 0.1, 3),
    "pow_-1.5": (lambda t: t**-1.5, lambda x: x**-1.5, 0.2, 3),
    "pow_0": (lambda t: t**0.0, lambda x: x**0.0, -2, 2),
    "rpow": (lambda t: 2.0**t, lambda x: 2.0**x, -2, 2),
    "rpow_int": (lambda t: 3**t, lambda x: 3**x, -2, 2),
    "rpow_0.5": (lambda t: 0.5**t, lambda x: 0.5**x, -2, 2),
    "maximum_scalar": (
        lambda t: torch.maximum(t, torch.tensor(0.25, dtype=t.dtype)),
        lambda x: x.maximum(0.25),
        -2,
        2,
    ),
    "minimum_scalar": (
        lambda t: torch.minimum(t, torch.tensor(0.25, dtype=t.dtype)),
        lambda x: x.minimum(0.25),
        -2,
        2,
    ),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(max_examples=12)
@given(shape=shapes(), dtype=float_dtypes, transposed=st.booleans(), seed=st.integers(0, 99))
def test_unary(name: str, shape: tuple[int, ...], dtype: Any, transposed: bool, seed: int) -> None:
    torch_fn, our_fn, low, high = UNARY[name]
    check(torch_fn, our_fn, sample(shape, dtype, seed, transposed, low, high), seed=seed)


@pytest.mark.parametrize("name", ["abs", "relu", "clamp", "maximum_scalar", "minimum_scalar"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_unary_at_kinks(name: str, dtype: Any) -> None:
    torch_fn, our_fn, _, _ = UNARY[name]
    x = np.array([-1.0, -0.5, 0.0, 0.25, 1.0, 2.0, -0.0], dtype=dtype)
    check(torch_fn, our_fn, x)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_is_stable_at_large_magnitudes(dtype: Any) -> None:
    x = np.array([-800.0, -100.0, -30.0, 0.0, 30.0, 100.0, 800.0]).astype(dtype)
    with np.errstate(over="raise"):
        check(torch.sigmoid, lambda t: t.sigmoid(), x)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_float64_everywhere(approximate: str) -> None:
    x = np.concatenate([np.linspace(-10, 10, 4001), [-30.0, -12.0, 12.0, 30.0, 0.0]])
    check(
        lambda t: F.gelu(t, approximate=approximate),
        lambda t: t.gelu(approximate),  # type: ignore[arg-type]
        x,
        rtol=1e-6,
        atol=1e-12,
    )


def test_gelu_rejects_unknown_approximation() -> None:
    with pytest.raises(ValueError, match="approximate"):
        dev.tensor(arrays((3,))).gelu("fast")  # type: ignore[arg-type]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf and NaN are the point here
@pytest.mark.parametrize("base", [0.0, 2.0, -2.0])
def test_pow_edge_values(base: float) -> None:
    """0 ** 0, 0 ** negative, negative ** fractional: values and both gradients as torch."""
    a = np.array([0.0, 0.0, 0.0, 2.0, -1.0, 0.0, base])
    b = np.array([0.0, 1.0, -1.0, 0.0, 0.5, 2.0, 0.5])
    check(lambda x, y: x**y, lambda x, y: x**y, a, b)
    check(lambda x: x**0.0, lambda x: x**0.0, a)
    check(lambda x: x**1.0, lambda x: x**1.0, a)
    check(lambda y: base**y, lambda y: base**y, b)


# ---------------------------------------------------------------- binary tensor ops

# name: (torch_fn, our_fn, low_a, low_b); positive lows keep div and pow in their domains
BINARY: dict[str, tuple[Fn, Fn, float, float]] = {
    "add": (torch.add, lambda a, b: a + b, -2, -2),
    "sub": (torch.sub, lambda a, b: a - b, -2, -2),
    "mul": (torch.mul, lambda a, b: a * b, -2, -2),
    "div": (torch.div, lambda a, b: a / b, -2, 0.3),
    "pow": (torch.pow, lambda a, b: a**b, 0.3, -2),
    "maximum": (torch.maximum, lambda a, b: a.maximum(b), -2, -2),
    "minimum": (torch.minimum, lambda a, b: a.minimum(b), -2, -2),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=20)
@given(
    shapes_=broadcastable(),
    dtype=float_dtypes,
    transposed=st.booleans(),
    swap=st.booleans(),
    seed=st.integers(0, 99),
)
def test_binary_broadcasting(
    name: str, shapes_: Any, dtype: Any, transposed: bool, swap: bool, seed: int
) -> None:
    torch_fn, our_fn, low_a, low_b = BINARY[name]
    sa, sb = shapes_.input_shapes[::-1] if swap else shapes_.input_shapes
    a = sample(sa, dtype, seed, transposed, low_a, 2)
    b = sample(sb, dtype, seed + 1, not transposed, low_b, 2)
    check(torch_fn, our_fn, a, b, seed=seed)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@settings(max_examples=20)
@given(shapes_=broadcastable(), dtype=float_dtypes, seed=st.integers(0, 99))
def test_maximum_minimum_ties_split_half(name: str, shapes_: Any, dtype: Any, seed: int) -> None:
    torch_fn, our_fn, _, _ = BINARY[name]
    sa, sb = shapes_.input_shapes
    check(torch_fn, our_fn, tied(sa, dtype, seed), tied(sb, dtype, seed + 1), seed=seed)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "maximum", "minimum", "pow"])
def test_binary_with_traced_right_operand_only(name: str) -> None:
    torch_fn, our_fn, _, _ = BINARY[name]
    a, b = arrays((3, 1), low=0.5), arrays((4,), seed=1, low=0.5)
    grads = sh.Gradients()
    bt = dev.tensor(b).traced(grads)
    out = our_fn(dev.tensor(a), bt)
    tb = torch.tensor(b, requires_grad=True)
    ref = torch_fn(torch.tensor(a), tb)
    ref.sum().backward()
    out.sum().backward()
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-12)
    assert tb.grad is not None
    np.testing.assert_allclose(grads[bt].numpy(), tb.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_on_strided_views(name: str) -> None:
    """Data that is a strided slice in memory (not a copy) gives the same values and gradients."""
    torch_fn, our_fn, low_a, low_b = BINARY[name]
    big_a, big_b = arrays((4, 6), low=max(low_a, 0.3)), arrays((3, 8), seed=1, low=low_b)
    a, b = big_a[:, ::2], big_b[:, ::2].T  # (4, 3) each, neither C- nor F-contiguous
    assert not a.flags.c_contiguous and not b.flags.c_contiguous
    grads = sh.Gradients()
    at, bt = Tensor._wrap(a, dev).traced(grads), Tensor._wrap(b, dev).traced(grads)
    out = our_fn(at, bt)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    ref = torch_fn(ta, tb)
    (ref * ref).sum().backward()
    (out * out).sum().backward()
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-12)
    assert ta.grad is not None and tb.grad is not None
    np.testing.assert_allclose(grads[at].numpy(), ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(grads[bt].numpy(), tb.grad.numpy(), rtol=1e-12)


# ---------------------------------------------------------------- NaN and infinities

NAN = np.array([np.nan, -1.0, 0.0, 1.0, np.nan, 2.0])
OTHER = np.array([1.0, np.nan, 0.0, np.nan, np.nan, -1.0])


@pytest.mark.parametrize(
    "name", ["abs", "relu", "sigmoid", "tanh", "leaky_relu", "clamp", "clamp_min", "gelu", "square"]
)
def test_nan_flows_through_unary_like_torch(name: str) -> None:
    torch_fn, our_fn, _, _ = UNARY[name]
    check(torch_fn, our_fn, NAN)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf and NaN are the point here
@pytest.mark.parametrize("name", sorted(BINARY))
def test_nan_flows_through_binary_like_torch(name: str) -> None:
    torch_fn, our_fn, _, _ = BINARY[name]
    check(torch_fn, our_fn, np.abs(NAN) if name == "pow" else NAN, OTHER)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf and NaN are the point here
@pytest.mark.parametrize("name", ["exp", "tanh", "sigmoid", "relu", "abs", "gelu", "gelu_tanh"])
def test_infinities(name: str) -> None:
    torch_fn, our_fn, _, _ = UNARY[name]
    check(
        torch_fn, our_fn, np.array([-np.inf, -3.0, 0.5, np.inf]), grad=name in ("tanh", "sigmoid")
    )


# ---------------------------------------------------------------- comparisons

COMPARE: dict[str, tuple[Fn, Fn]] = {
    "eq": (torch.eq, lambda a, b: a == b),
    "ne": (torch.ne, lambda a, b: a != b),
    "lt": (torch.lt, lambda a, b: a < b),
    "le": (torch.le, lambda a, b: a <= b),
    "gt": (torch.gt, lambda a, b: a > b),
    "ge": (torch.ge, lambda a, b: a >= b),
}


@pytest.mark.parametrize("name", sorted(COMPARE))
@settings(max_examples=15)
@given(shapes_=broadcastable(), dtype=float_dtypes, seed=st.integers(0, 99))
def test_comparisons_give_bool_without_tape(name: str, shapes_: Any, dtype: Any, seed: int) -> None:
    torch_fn, our_fn = COMPARE[name]
    sa, sb = shapes_.input_shapes
    a, b = tied(sa, dtype, seed), tied(sb, dtype, seed + 1)
    check(torch_fn, our_fn, a, b)  # Bool output: values and dtype only
    out = our_fn(dev.tensor(a).trace(), dev.tensor(b))
    assert out.dtype is sh.Bool and out._tape is None


@pytest.mark.parametrize("name", sorted(COMPARE))
def test_comparisons_with_scalars(name: str) -> None:
    torch_fn, our_fn = COMPARE[name]
    x = np.array([[-1.0, 0.0], [0.5, 2.0]])
    check(lambda t: torch_fn(t, 0.5), lambda t: our_fn(t, 0.5), x, grad=False)
    check(lambda t: torch_fn(t, 0), lambda t: our_fn(t, 0), x, grad=False)
    ints = np.array([-1, 0, 3])
    check(lambda t: torch_fn(t, 0), lambda t: our_fn(t, 0), ints)
    with pytest.raises(sh.DtypeError):
        our_fn(dev.tensor(ints), 0.5)


# ---------------------------------------------------------------- integers

INT_OPS: dict[str, tuple[Fn, Fn]] = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "maximum": (torch.maximum, lambda a, b: a.maximum(b)),
    "minimum": (torch.minimum, lambda a, b: a.minimum(b)),
    "abs": (lambda a, b: a.abs() + b, lambda a, b: a.abs() + b),
    "relu": (lambda a, b: a.relu() * b, lambda a, b: a.relu() * b),
    "square": (lambda a, b: a.square() - b, lambda a, b: a.square() - b),
    "clamp": (lambda a, b: a.clamp(-1, 2) + b, lambda a, b: a.clamp(-1, 2) + b),
    "pow": (lambda a, b: a.abs() ** 2 + 3 ** b.abs(), lambda a, b: a.abs() ** 2 + 3 ** b.abs()),
    "scalars": (lambda a, b: 2 - a * 3 + 1 + b, lambda a, b: 2 - a * 3 + 1 + b),
}


@pytest.mark.parametrize("name", sorted(INT_OPS))
def test_int64_ops(name: str) -> None:
    torch_fn, our_fn = INT_OPS[name]
    a = np.array([[-3, 0, 2], [5, -1, 1]], dtype=np.int64)
    b = np.array([1, -2, 2], dtype=np.int64)
    check(torch_fn, our_fn, a, b)


@pytest.mark.parametrize(
    "op",
    [
        lambda x: x.exp(),
        lambda x: x.log(),
        lambda x: x.sqrt(),
        lambda x: x.sin(),
        lambda x: x.cos(),
        lambda x: x.tanh(),
        lambda x: x.sigmoid(),
        lambda x: x.gelu(),
        lambda x: x.leaky_relu(),
    ],
)
def test_float_only_ops_refuse_ints(op: Fn) -> None:
    with pytest.raises(sh.DtypeError, match=r"\.to\("):
        op(dev.tensor([1, 2, 3]))


# ---------------------------------------------------------------- errors and dtypes


@pytest.mark.parametrize("name", sorted(BINARY))
def test_dtype_mismatch_raises(name: str) -> None:
    _, our_fn, _, _ = BINARY[name]
    a = dev.tensor(arrays((2, 3), np.float32))
    b = dev.tensor(arrays((2, 3), np.float64))
    with pytest.raises(sh.DtypeError, match=r"\.to\("):
        our_fn(a, b)
    with pytest.raises(sh.DtypeError, match=r"\.to\("):
        our_fn(b, a)


@pytest.mark.parametrize(
    "op",
    [
        lambda x: x + 1.5,
        lambda x: 1.5 + x,
        lambda x: x - 1.5,
        lambda x: 1.5 - x,
        lambda x: x * 1.5,
        lambda x: 1.5 * x,
        lambda x: x**1.5,
        lambda x: 1.5**x,
        lambda x: x.maximum(1.5),
        lambda x: x.minimum(1.5),
        lambda x: x.clamp(min=0.5),
        lambda x: x.clamp(max=0.5),
        lambda x: x < 1.5,
    ],
)
def test_float_scalar_with_int64_tensor_raises(op: Fn) -> None:
    with pytest.raises(sh.DtypeError, match=r"\.to\("):
        op(dev.tensor([1, 2, 3]))


@pytest.mark.parametrize("name", [*sorted(BINARY), "eq", "lt"])
def test_shapes_that_do_not_broadcast_raise(name: str) -> None:
    our_fn = BINARY[name][1] if name in BINARY else COMPARE[name][1]
    with pytest.raises(sh.ShapeError, match="broadcast"):
        our_fn(dev.tensor(arrays((2, 3))), dev.tensor(arrays((4,))))


def test_clamp_needs_a_bound() -> None:
    with pytest.raises(TypeError, match="min and max"):
        dev.tensor(arrays((3,))).clamp()


def test_non_number_operand_raises() -> None:
    with pytest.raises(TypeError, match="str"):
        dev.tensor(arrays((3,))) * "2"  # type: ignore[operator]


@pytest.mark.parametrize("name", sorted(UNARY))
def test_float32_stays_float32_through_gradients(name: str) -> None:
    _, our_fn, low, high = UNARY[name]
    grads = sh.Gradients()
    x = dev.tensor(arrays((2, 3), np.float32, low=low, high=high)).traced(grads)
    out = our_fn(x)
    assert out.dtype is sh.Float32
    out.sum().backward()
    assert grads[x].dtype is sh.Float32


@pytest.mark.parametrize("name", sorted(BINARY))
def test_float32_binary_gradients_stay_float32(name: str) -> None:
    _, our_fn, _, _ = BINARY[name]
    grads = sh.Gradients()
    a = dev.tensor(arrays((2, 3), np.float32, low=0.5)).traced(grads)
    b = dev.tensor(arrays((3,), np.float32, seed=1, low=0.5)).traced(grads)
    out = our_fn(a, b)
    out.sum().backward()
    assert out.dtype is sh.Float32
    assert grads[a].dtype is sh.Float32 and grads[b].dtype is sh.Float32
    assert grads[b].shape == (3,)
