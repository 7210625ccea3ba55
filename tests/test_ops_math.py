"""Issue 11 items 4 and 5 against torch: elementwise math and activations, values and gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from shaped.errors import DtypeError, ShapeError, TapeError
from shaped.nn import functional as F
from tests.oracle import arrays, broadcastable, check, float_dtypes, shapes

dev = sh.Cpu(seed=0)
Fn = Callable[..., Any]

# name: (torch_fn, our_fn, low, high): inputs drawn from [low, high)
UNARY: dict[str, tuple[Fn, Fn, float, float]] = {
    "floor": (torch.floor, lambda x: x.floor(), -3, 3),
    "ceil": (torch.ceil, lambda x: x.ceil(), -3, 3),
    "round": (torch.round, lambda x: x.round(), -3, 3),
    "trunc": (torch.trunc, lambda x: x.trunc(), -3, 3),
    "sign": (torch.sign, lambda x: x.sign(), -2, 2),
    "erf": (torch.erf, lambda x: x.erf(), -3, 3),
    "tan": (torch.tan, lambda x: x.tan(), -1.3, 1.3),
    "sinh": (torch.sinh, lambda x: x.sinh(), -3, 3),
    "cosh": (torch.cosh, lambda x: x.cosh(), -3, 3),
    "asinh": (torch.asinh, lambda x: x.asinh(), -3, 3),
    "acosh": (torch.acosh, lambda x: x.acosh(), 1.1, 4),
    "atanh": (torch.atanh, lambda x: x.atanh(), -0.9, 0.9),
    "asin": (torch.asin, lambda x: x.asin(), -0.9, 0.9),
    "acos": (torch.acos, lambda x: x.acos(), -0.9, 0.9),
    "atan": (torch.atan, lambda x: x.atan(), -3, 3),
    "exp2": (torch.exp2, lambda x: x.exp2(), -3, 3),
    "log2": (torch.log2, lambda x: x.log2(), 0.1, 4),
    "log10": (torch.log10, lambda x: x.log10(), 0.1, 4),
    "log1p": (torch.log1p, lambda x: x.log1p(), -0.9, 3),
    "expm1": (torch.expm1, lambda x: x.expm1(), -3, 3),
    "rsqrt": (torch.rsqrt, lambda x: x.rsqrt(), 0.2, 4),
    "reciprocal": (torch.reciprocal, lambda x: x.reciprocal(), 0.2, 4),
    "nan_to_num": (torch.nan_to_num, lambda x: x.nan_to_num(), -2, 2),
    "softmax": (lambda t: t.softmax(-1), lambda x: x.softmax(), -3, 3),
    "log_softmax": (lambda t: t.log_softmax(-1), lambda x: x.log_softmax(), -3, 3),
    "mod_scalar": (lambda t: t % 0.7, lambda x: x % 0.7, -3, 3),
    "mod_negative": (lambda t: t % -0.7, lambda x: x % -0.7, -3, 3),
    "atan2_scalar": (
        lambda t: t.atan2(torch.tensor(0.5, dtype=t.dtype)),
        lambda x: x.atan2(0.5),
        -2,
        2,
    ),
    "logaddexp_scalar": (
        lambda t: t.logaddexp(torch.tensor(0.5, dtype=t.dtype)),
        lambda x: x.logaddexp(0.5),
        -3,
        3,
    ),
    "clamp_tensor_bounds": (
        lambda t: t.clamp(t * 0 - 0.5, t * 0 + 0.5),
        lambda x: x.clamp(x * 0 - 0.5, x * 0 + 0.5),
        -2,
        2,
    ),
    # activations (F.)
    "silu": (TF.silu, F.silu, -5, 5),
    "elu": (TF.elu, F.elu, -3, 3),
    "elu_alpha": (lambda t: TF.elu(t, 0.5), lambda x: F.elu(x, alpha=0.5), -3, 3),
    "selu": (TF.selu, F.selu, -3, 3),
    "celu": (lambda t: TF.celu(t, 0.7), lambda x: F.celu(x, 0.7), -3, 3),
    "softplus": (TF.softplus, F.softplus, -5, 5),
    "softplus_beta": (
        lambda t: TF.softplus(t, 2.0, 3.0),
        lambda x: F.softplus(x, beta=2.0, threshold=3.0),
        -3,
        3,
    ),
    "mish": (TF.mish, F.mish, -5, 5),
    "hardswish": (TF.hardswish, F.hardswish, -5, 5),
    "hardsigmoid": (TF.hardsigmoid, F.hardsigmoid, -5, 5),
    "hardtanh": (TF.hardtanh, F.hardtanh, -2, 2),
    "hardtanh_range": (
        lambda t: TF.hardtanh(t, -0.5, 1.5),
        lambda x: F.hardtanh(x, -0.5, 1.5),
        -2,
        2,
    ),
    "relu6": (TF.relu6, F.relu6, -2, 8),
    "logsigmoid": (TF.logsigmoid, F.logsigmoid, -6, 6),
    "softsign": (TF.softsign, F.softsign, -3, 3),
    "softmin": (lambda t: TF.softmin(t, -1), F.softmin, -3, 3),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(max_examples=10, deadline=None)
@given(shape=shapes(), dtype=float_dtypes, seed=st.integers(0, 99))
def test_unary(name: str, shape: tuple[int, ...], dtype: Any, seed: int) -> None:
    torch_fn, our_fn, low, high = UNARY[name]
    check(torch_fn, our_fn, arrays(shape, dtype, seed, low, high), seed=seed)


@settings(max_examples=15, deadline=None)
@given(shapes_=broadcastable(), dtype=float_dtypes, seed=st.integers(0, 99))
def test_floordiv_values(shapes_: Any, dtype: Any, seed: int) -> None:
    """Values only: floor division has no gradient in torch (see below)."""
    sa, sb = shapes_.input_shapes
    a, b = arrays(sa, dtype, seed, -3, 3), arrays(sb, dtype, seed + 1, 0.3, 3)
    check(lambda x, y: x // y, lambda x, y: x // y, a, b, grad=False)
    check(lambda x: x // 0.7, lambda x: x // 0.7, a, grad=False)
    check(lambda y: 2.5 // y, lambda y: 2.5 // y, b, grad=False)
    check(lambda y: 2.5 % y, lambda y: 2.5 % y, b, grad=False)


# exact kinks and branch points, where torch's backward formulas choose a side
KINKS = np.array([-7.0, -3.0, -2.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5, 3.0, 6.0, 7.0, -0.0])


@pytest.mark.parametrize(
    "name",
    [
        "sign",
        "elu",
        "selu",
        "celu",
        "hardswish",
        "hardsigmoid",
        "hardtanh",
        "relu6",
        "softplus_beta",
        "round",
        "floor",
        "mod_scalar",
        "clamp_tensor_bounds",
        "logsigmoid",
        "silu",
        "mish",
    ],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_unary_at_kinks(name: str, dtype: Any) -> None:
    torch_fn, our_fn, _, _ = UNARY[name]
    check(torch_fn, our_fn, KINKS.astype(dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_activations_stay_finite_at_large_magnitudes(dtype: Any) -> None:
    x = np.array([-800.0, -100.0, -30.0, 0.0, 30.0, 100.0, 800.0]).astype(dtype)
    for name in ("silu", "elu", "selu", "celu", "softplus", "mish", "logsigmoid", "softsign"):
        torch_fn, our_fn, _, _ = UNARY[name]
        check(torch_fn, our_fn, x)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_special_values(dtype: Any) -> None:
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0]).astype(dtype)
    for name in ("floor", "sign", "erf", "tan", "atan", "exp2", "expm1", "nan_to_num", "sinh"):
        torch_fn, our_fn, _, _ = UNARY[name]
        check(torch_fn, our_fn, x)
    check(lambda t: torch.nan_to_num(t, 1.0, 2.0, -3.0), lambda t: t.nan_to_num(1.0, 2.0, -3.0), x)
    t = torch.tensor(x)
    for method in ("isnan", "isinf", "isfinite"):
        ours = getattr(dev.tensor(x), method)()
        assert ours.dtype is sh.Bool
        np.testing.assert_array_equal(ours.numpy(), getattr(t, method)().numpy())


# name: (torch_fn, our_fn, low_a, low_b)
BINARY: dict[str, tuple[Fn, Fn, float, float]] = {
    "atan2": (torch.atan2, lambda a, b: a.atan2(b), -2, -2),
    "logaddexp": (torch.logaddexp, lambda a, b: a.logaddexp(b), -3, -3),
    "mod": (torch.remainder, lambda a, b: a % b, -3, 0.3),
    "lerp": (lambda a, b: torch.lerp(a, b, 0.3), lambda a, b: a.lerp(b, 0.3), -2, -2),
    "clamp_min": (lambda a, b: a.clamp(min=b), lambda a, b: a.clamp(min=b), -2, -2),
    "clamp_max": (lambda a, b: a.clamp(max=b), lambda a, b: a.clamp(max=b), -2, -2),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=15, deadline=None)
@given(shapes_=broadcastable(), dtype=float_dtypes, swap=st.booleans(), seed=st.integers(0, 99))
def test_binary_broadcasting(name: str, shapes_: Any, dtype: Any, swap: bool, seed: int) -> None:
    torch_fn, our_fn, low_a, low_b = BINARY[name]
    sa, sb = shapes_.input_shapes[::-1] if swap else shapes_.input_shapes
    a = arrays(sa, dtype, seed, low_a, 3)
    b = arrays(sb, dtype, seed + 1, low_b, 3)
    check(torch_fn, our_fn, a, b, seed=seed)


@settings(max_examples=15, deadline=None)
@given(shapes_=broadcastable(3), dtype=float_dtypes, seed=st.integers(0, 99))
def test_three_operands(shapes_: Any, dtype: Any, seed: int) -> None:
    sa, sb, sc = shapes_.input_shapes
    a, b, c = (arrays(s, dtype, seed + i) for i, s in enumerate((sa, sb, sc)))
    # torch's lerp does not broadcast its first operand: give it the full shape
    full = np.broadcast_to(a, np.broadcast_shapes(sa, sb, sc)).copy()
    check(torch.lerp, lambda x, y, w: x.lerp(y, w), full, b, c, seed=seed)
    check(
        lambda x, lo, hi: x.clamp(lo, hi),
        lambda x, lo, hi: x.clamp(lo, hi),
        full,
        b,
        c + 1.0,
        seed=seed,
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_clamp_tensor_bounds_ties_and_crossed(dtype: Any) -> None:
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, 0.3]).astype(dtype)
    low = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 1.0]).astype(dtype)
    high = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.0]).astype(dtype)  # the last pair is crossed
    check(lambda a, b, c: a.clamp(b, c), lambda a, b, c: a.clamp(b, c), x, low, high)
    # torch takes no number beside a tensor bound: it gets a rank-0 tensor
    one, zero = torch.tensor(1.0, dtype=torch.float64), torch.tensor(0.0, dtype=torch.float64)
    check(lambda a, b: a.clamp(b, one.to(a.dtype)), lambda a, b: a.clamp(b, 1.0), x, low)
    check(lambda a, c: a.clamp(zero.to(a.dtype), c), lambda a, c: a.clamp(0.0, c), x, high)


def test_mod_and_floordiv_follow_python_signs() -> None:
    a = np.array([-7.0, -3.0, -0.5, 0.0, 0.5, 3.0, 7.0])
    b = np.array([2.0, -2.0, 2.0, -2.0, 2.0, -2.0, 2.0])
    check(torch.remainder, lambda x, y: x % y, a, b)
    check(lambda x, y: x // y, lambda x, y: x // y, a, b, grad=False)
    check(lambda y: 5.0 // y, lambda y: 5.0 // y, b, grad=False)
    ints = np.array([-7, -3, 0, 3, 7])
    div = np.array([2, -2, 3, -4, 5])
    check(lambda x, y: x // y, lambda x, y: x // y, ints, div)
    check(lambda x, y: x % y, lambda x, y: x % y, ints, div)
    check(lambda x: x // -2, lambda x: x // -2, ints)
    check(lambda x: 7 % x, lambda x: 7 % x, div)


def test_floordiv_has_no_gradient_as_in_torch() -> None:
    x = dev.tensor(np.array([1.5, -2.5])).trace()
    with pytest.raises(TapeError, match="floor_divide has no gradient"):
        (x // 2.0).sum().backward()
    with pytest.raises(TapeError, match="remainder of a number by a tensor has no gradient"):
        (2.0 % (dev.tensor(np.array([1.5, -2.5])).trace() * 1.0)).sum().backward()
    with pytest.raises(ZeroDivisionError):
        dev.tensor(np.array([1, 2])) // 0


@settings(max_examples=20, deadline=None)
@given(shapes_=broadcastable(), kind=st.sampled_from(["bool", "int64", "int32"]))
def test_logical_and_bitwise(shapes_: Any, kind: str) -> None:
    sa, sb = shapes_.input_shapes
    rng = np.random.default_rng(0)
    if kind == "bool":
        a, b = rng.random(sa) > 0.5, rng.random(sb) > 0.5
    else:
        a, b = rng.integers(-8, 8, sa).astype(kind), rng.integers(-8, 8, sb).astype(kind)
    for op in ("__and__", "__or__", "__xor__"):
        check(lambda x, y, op=op: getattr(x, op)(y), lambda x, y, op=op: getattr(x, op)(y), a, b)
    check(lambda x: ~x, lambda x: ~x, a)
    scalar = True if kind == "bool" else 5
    check(lambda x: x & scalar, lambda x: x & scalar, a)
    check(lambda x: scalar | x, lambda x: scalar | x, a)
    check(lambda x: scalar ^ x, lambda x: scalar ^ x, a)


def test_int_rounding_and_sign() -> None:
    ints = np.array([-3, 0, 2, 5])
    for name in ("floor", "ceil", "round", "trunc", "sign"):
        check(getattr(torch, name), lambda x, n=name: getattr(x, n)(), ints)
    check(torch.sign, lambda x: x.sign(), np.array([True, False]))


def test_dtypes_refused_as_torch_does() -> None:
    floats, ints, bools = (
        dev.tensor(arrays((3,))),
        dev.tensor(np.array([1, 2])),
        dev.tensor(np.array([True])),
    )
    with pytest.raises(DtypeError, match="bitwise_and: needs a Bool or integer tensor"):
        _ = floats & floats
    with pytest.raises(DtypeError, match="bitwise_or: an int scalar with a Bool tensor"):
        _ = bools | 1
    with pytest.raises(DtypeError, match="bitwise_not"):
        _ = ~floats
    with pytest.raises(DtypeError, match="floor: Bool tensors"):
        bools.floor()
    for op in (lambda t: t.tan(), lambda t: t.erf(), lambda t: F.silu(t), lambda t: t.rsqrt()):
        with pytest.raises(DtypeError, match="needs a floating-point tensor"):
            op(ints)
    with pytest.raises(DtypeError):
        floats.atan2(floats.to(sh.Float32))


# ---------------------------------------------------------------- glu and prelu


@settings(max_examples=25, deadline=None)
@given(
    shape=shapes(min_dims=1, max_side=4),
    dtype=float_dtypes,
    seed=st.integers(0, 99),
    data=st.data(),
)
def test_glu(shape: tuple[int, ...], dtype: Any, seed: int, data: Any) -> None:
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    shape = tuple(2 * d if i == axis % len(shape) else d for i, d in enumerate(shape))
    check(
        lambda t: TF.glu(t, axis),
        lambda x: F.glu(x, axis=axis),
        arrays(shape, dtype, seed),
        seed=seed,
    )


def test_glu_needs_an_even_axis() -> None:
    with pytest.raises(ShapeError, match="glu: axis -1 has size 3, which is odd"):
        F.glu(dev.tensor(arrays((2, 3))))


@settings(max_examples=25, deadline=None)
@given(
    shape=shapes(min_dims=0, max_side=4),
    dtype=float_dtypes,
    seed=st.integers(0, 99),
    per_channel=st.booleans(),
)
def test_prelu(shape: tuple[int, ...], dtype: Any, seed: int, per_channel: bool) -> None:
    channels = shape[1] if per_channel and len(shape) >= 2 else 1
    x, w = arrays(shape, dtype, seed), arrays((channels,), dtype, seed + 1)
    check(TF.prelu, F.prelu, x, w, seed=seed)
    check(TF.prelu, lambda a, b: a.prelu(b), x, w, seed=seed)


def test_prelu_weight_size() -> None:
    with pytest.raises(ShapeError, match="prelu: weight has 3 slopes but x of shape"):
        F.prelu(dev.tensor(arrays((2, 4))), dev.tensor(arrays((3,))))


# ---------------------------------------------------------------- modules


MODULES: list[tuple[Any, Any]] = [
    (sh.nn.SiLU(), torch.nn.SiLU()),
    (sh.nn.Mish(), torch.nn.Mish()),
    (sh.nn.SELU(), torch.nn.SELU()),
    (sh.nn.ELU(0.5), torch.nn.ELU(0.5)),
    (sh.nn.CELU(0.5), torch.nn.CELU(0.5)),
    (sh.nn.Softplus(2.0, 5.0), torch.nn.Softplus(2.0, 5.0)),
    (sh.nn.Hardswish(), torch.nn.Hardswish()),
    (sh.nn.Hardsigmoid(), torch.nn.Hardsigmoid()),
    (sh.nn.Hardtanh(-0.5, 0.5), torch.nn.Hardtanh(-0.5, 0.5)),
    (sh.nn.ReLU6(), torch.nn.ReLU6()),
    (sh.nn.LogSigmoid(), torch.nn.LogSigmoid()),
    (sh.nn.Softsign(), torch.nn.Softsign()),
    (sh.nn.Softmin(1), torch.nn.Softmin(1)),
    (sh.nn.GLU(1), torch.nn.GLU(1)),
]


@pytest.mark.parametrize("pair", MODULES, ids=lambda p: type(p[0]).__name__)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_modules(pair: tuple[Any, Any], dtype: Any) -> None:
    ours, theirs = pair
    check(theirs, ours, arrays((3, 4, 2), dtype, 0, -4, 4))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_prelu_module_learns_its_slopes(dtype: Any) -> None:
    sh_dtype = sh.Float64 if dtype == np.float64 else sh.Float32
    ours = sh.nn.PReLU(3, dtype=sh_dtype)
    theirs = torch.nn.PReLU(3, dtype=torch.float64 if dtype == np.float64 else torch.float32)
    assert repr(ours) == "PReLU(num_parameters=3)"
    x = arrays((2, 3, 4), dtype)
    grads = ours.alloc_grads()
    out = ours(dev.tensor(x).traced(grads))
    out.sum().backward()
    ref = theirs(torch.tensor(x))
    ref.sum().backward()
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-5)
    assert theirs.weight.grad is not None
    np.testing.assert_allclose(grads[ours.weight].numpy(), theirs.weight.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(ours.weight.numpy(), 0.25)


def test_module_reprs() -> None:
    assert repr(sh.nn.ELU(0.5)) == "ELU(alpha=0.5)"
    assert repr(sh.nn.Hardtanh()) == "Hardtanh(min_val=-1.0, max_val=1.0)"
    assert repr(sh.nn.Softplus()) == "Softplus(beta=1.0, threshold=20.0)"
    assert repr(sh.nn.GLU()) == "GLU(axis=-1)"
