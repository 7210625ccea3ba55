"""Ops of the third round (found missing by tinygrad's test_ops.py), against torch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from tests.oracle import check

RNG = np.random.default_rng(0)
FLOATS = [np.float32, np.float64]
dev = sh.Cpu()


def data(shape: tuple[int, ...], dtype: Any = np.float64) -> np.ndarray:
    return RNG.uniform(-3, 3, size=shape).astype(dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    ("a", "b"), [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 3), (4, 1)), ((), ())]
)
def test_copysign(a: tuple[int, ...], b: tuple[int, ...], dtype: Any) -> None:
    x, y = data(a, dtype), data(b, dtype)
    if x.size:
        x.flat[0] = 0.0  # the gradient at zero is zero, as torch
    check(torch.copysign, lambda s, t: s.copysign(t), x, y)
    check(lambda s: torch.copysign(s, -1.0), lambda s: s.copysign(-1.0), x)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(("a", "b"), [((3, 4), (3, 4)), ((3, 4), (4,)), ((0, 4), (4,))])
def test_fmod_and_remainder(a: tuple[int, ...], b: tuple[int, ...], dtype: Any) -> None:
    x, y = data(a, dtype), data(b, dtype) + 4.0 * np.sign(data(b, dtype))
    check(torch.fmod, lambda s, t: s.fmod(t), x, y)
    check(torch.remainder, lambda s, t: s.remainder(t), x, y)
    check(lambda s: torch.fmod(s, 1.5), lambda s: s.fmod(1.5), x)


def test_fmod_of_integers_and_by_zero() -> None:
    x, y = np.array([-7, 7, 5, -4]), np.array([3, -3, 2, 2])
    np.testing.assert_array_equal(
        dev.tensor(x).fmod(dev.tensor(y)).numpy(), torch.fmod(torch.tensor(x), torch.tensor(y))
    )
    with pytest.raises(ZeroDivisionError, match="fmod: integer division by zero"):
        dev.tensor(x).fmod(dev.tensor(np.array([1, 0, 1, 1])))


@pytest.mark.parametrize("equal_nan", [False, True])
def test_isclose_and_allclose(equal_nan: bool) -> None:
    x = np.array([1.0, 1.0 + 1e-6, 2.0, np.nan, np.inf, -np.inf, 0.0])
    y = np.array([1.0, 1.0, 2.1, np.nan, np.inf, np.inf, 1e-9])
    expected = torch.isclose(torch.tensor(x), torch.tensor(y), equal_nan=equal_nan).numpy()
    got = dev.tensor(x).isclose(dev.tensor(y), equal_nan=equal_nan)
    assert got.dtype is sh.Bool
    np.testing.assert_array_equal(got.numpy(), expected)
    assert dev.tensor(x[:3]).allclose(dev.tensor(x[:3]))
    assert not dev.tensor(x[:3]).allclose(dev.tensor(y[:3]))


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_])
@pytest.mark.parametrize("op", ["logical_and", "logical_or", "logical_xor"])
def test_logical_ops(op: str, dtype: Any) -> None:
    x = (RNG.integers(-1, 2, size=(3, 4))).astype(dtype)
    y = (RNG.integers(-1, 2, size=(4,))).astype(dtype)
    expected = getattr(torch, op)(torch.tensor(x), torch.tensor(y)).numpy()
    np.testing.assert_array_equal(getattr(dev.tensor(x), op)(dev.tensor(y)).numpy(), expected)
    np.testing.assert_array_equal(
        dev.tensor(x).logical_not().numpy(), torch.logical_not(torch.tensor(x)).numpy()
    )


def test_bitwise_not() -> None:
    x = np.array([0, 5, -3])
    np.testing.assert_array_equal(
        dev.tensor(x).bitwise_not().numpy(), torch.bitwise_not(torch.tensor(x)).numpy()
    )
    with pytest.raises(sh.DtypeError, match="bitwise_not"):
        dev.randn((2,)).bitwise_not()


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    ("shape", "mask"), [((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (3, 4)), ((2, 0), (2, 0))]
)
def test_masked_select(shape: tuple[int, ...], mask: tuple[int, ...], dtype: Any) -> None:
    m = RNG.random(mask) > 0.5
    torch_mask = torch.tensor(m)
    check(
        lambda t: torch.masked_select(t, torch_mask),
        lambda t: t.masked_select(dev.tensor(m)),
        data(shape, dtype),
    )


def test_masked_select_needs_a_bool_mask() -> None:
    with pytest.raises(sh.DtypeError, match="masked_select: mask must be a Bool tensor"):
        dev.randn((2, 3)).masked_select(dev.randn((2, 3)))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    ("shape", "offset", "axes"),
    [
        ((4, 4), 0, (0, 1)),
        ((3, 5), 1, (0, 1)),
        ((3, 5), -2, (0, 1)),
        ((2, 3, 4), 0, (-1, 0)),
        ((2, 3, 4), 1, (1, 2)),
        ((3, 3), 5, (0, 1)),
    ],
)
def test_diagonal(shape: tuple[int, ...], offset: int, axes: tuple[int, int], dtype: Any) -> None:
    check(
        lambda t: torch.diagonal(t, offset, *axes),
        lambda t: t.diagonal(offset, dim1=axes[0], dim2=axes[1]),
        data(shape, dtype),
    )


def test_diagonal_rejects_one_axis_twice() -> None:
    with pytest.raises(sh.ShapeError, match="axis1 and axis2 must differ"):
        dev.randn((3, 3)).diagonal(0, 1, 1)


@pytest.mark.parametrize(
    ("shape", "axis", "sizes"),
    [((6, 4), 0, (2, 3)), ((6, 4), -1, (2, -1)), ((2, 12), 1, (3, 2, 2))],
)
def test_unflatten(shape: tuple[int, ...], axis: int, sizes: tuple[int, ...]) -> None:
    check(lambda t: t.unflatten(axis, sizes), lambda t: t.unflatten(axis, sizes), data(shape))


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 9),
    size=st.integers(0, 4),
    step=st.integers(1, 3),
    lead=st.integers(0, 3),
    dtype=st.sampled_from(FLOATS),
)
def test_unfold_windows(n: int, size: int, step: int, lead: int, dtype: Any) -> None:
    size = min(size, n)
    x = data((lead, n, 2), dtype) if lead else data((n,), dtype)
    axis = 1 if lead else 0
    check(lambda t: t.unfold(axis, size, step), lambda t: t.unfold(axis, size, step), x)


def test_unfold_of_a_scalar_and_a_too_large_window() -> None:
    check(lambda t: t.unfold(0, 1, 1), lambda t: t.unfold(0, 1, 1), np.array(2.5))
    with pytest.raises(sh.ShapeError, match="size 5 is larger than axis 0"):
        dev.randn((4,)).unfold(0, 5, 1)


@pytest.mark.parametrize("name", ["std_mean", "var_mean"])
@pytest.mark.parametrize("dim", [None, 0, (0, 1)])
def test_std_mean_and_var_mean(name: str, dim: Any) -> None:
    x = data((3, 4, 2))

    def theirs(t: torch.Tensor) -> torch.Tensor:
        spread, mean = getattr(torch, name)(t, dim=dim, keepdim=True)
        return spread * 2 + mean

    def ours(t: sh.Tensor[Any, Any, Any, Any]) -> sh.Tensor[Any, Any, Any, Any]:
        spread, mean = getattr(sh, name)(t, dim=dim, keepdim=True)
        return spread * 2 + mean

    check(theirs, ours, x)


@pytest.mark.parametrize(
    ("shape", "pad", "mode"),
    [
        ((2, 3, 6), (-1, 2), "constant"),
        ((2, 3, 6), (2, -1), "reflect"),
        ((2, 3, 6), (2, -1), "replicate"),
        ((2, 3, 6), (2, -1), "circular"),
        ((2, 3, 6), (-3, -3), "constant"),
        ((2, 3, 5, 6), (1, 1, -1, -1), "reflect"),
        ((2, 3, 5, 6), (-3, 4, 1, -2), "constant"),
        ((2, 3, 5, 6), (1, -2, -1, 3), "circular"),
        ((3, 3, 3, 3), (-1, 2, 2, -1), "reflect"),
        ((3, 3, 3, 3), (-1, 2, 2, -1), "replicate"),
        ((1, 1, 5, 5), (3, -5, 1, -5), "reflect"),
        ((1, 6), (-2, 1), "circular"),
    ],
)
def test_negative_padding_crops_as_in_torch(
    shape: tuple[int, ...], pad: tuple[int, ...], mode: str
) -> None:
    check(
        lambda t: torch.nn.functional.pad(t, pad, mode=mode),
        lambda t: sh.nn.functional.pad(t, pad, mode=mode),
        data(shape),
    )


def test_cropping_more_than_an_axis_holds_is_an_error() -> None:
    with pytest.raises(sh.ShapeError, match=r"removes 4 elements from axis 1 of \(2, 3\)"):
        sh.nn.functional.pad(dev.randn((2, 3)), (-2, -2))


def test_linspace_refuses_bool_as_torch() -> None:
    with pytest.raises(sh.DtypeError, match=r"linspace: dtype sh\.Bool is not supported"):
        dev.linspace(0, 1, 3, dtype=sh.Bool)
    with pytest.raises(RuntimeError):
        torch.linspace(0, 1, 3, dtype=torch.bool)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_scatter_reduce(reduce: str, include_self: bool, axis: int, dtype: Any) -> None:
    x = data((4, 5), dtype)
    src = data((3, 4), dtype)
    index = RNG.integers(0, x.shape[axis], size=(3, 4))
    if reduce in ("amax", "amin"):  # ties share the gradient: make some exact ties
        src[0, 0] = src[1, 0]
        index[1, 0] = index[0, 0]
    if reduce == "prod":  # zeros: the gradient is exact there, as torch's
        src[2, 1] = 0.0
        x[1, 1] = 0.0
    check(
        lambda t, s: t.scatter_reduce(
            axis, torch.tensor(index), s, reduce, include_self=include_self
        ),
        lambda t, s: t.scatter_reduce(
            axis, dev.tensor(index), s, reduce, include_self=include_self
        ),
        x,
        src,
    )


def test_scatter_reduce_of_integers_and_bad_arguments() -> None:
    x, src = np.arange(6).reshape(2, 3), np.array([[5, 1, 7]])
    index = np.array([[1, 0, 1]])
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        expected = torch.tensor(x).scatter_reduce(0, torch.tensor(index), torch.tensor(src), reduce)
        got = dev.tensor(x).scatter_reduce(0, dev.tensor(index), dev.tensor(src), reduce)
        np.testing.assert_array_equal(got.numpy(), expected.numpy())
    with pytest.raises(ValueError, match="reduce must be one of sum, prod, mean, amax, amin"):
        dev.tensor(x).scatter_reduce(0, dev.tensor(index), dev.tensor(src), "max")


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter:UserWarning")
@pytest.mark.parametrize("reduce", ["add", "multiply"])
def test_scatter_with_torch_reduce(reduce: str) -> None:
    x, src = data((3, 4)), data((2, 4))
    index = RNG.integers(0, 3, size=(2, 4))
    expected = torch.tensor(x).scatter(0, torch.tensor(index), torch.tensor(src), reduce=reduce)
    got = dev.tensor(x).scatter(0, dev.tensor(index), dev.tensor(src), reduce=reduce)
    np.testing.assert_allclose(got.numpy(), expected.numpy())
    scalar = torch.tensor(x).scatter(0, torch.tensor(index), 2.0, reduce=reduce)
    np.testing.assert_allclose(
        dev.tensor(x).scatter(0, dev.tensor(index), 2.0, reduce=reduce).numpy(), scalar.numpy()
    )


# ---------------------------------------------------------------- torch's F.scaled_dot_product_attention

TF = torch.nn.functional
F = sh.nn.functional


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"is_causal": True},
        {"scale": 0.3},
        {"enable_gqa": True},
        {"is_causal": True, "enable_gqa": True},
    ],
    ids=str,
)
def test_attention_options_as_torch(options: dict[str, Any], dtype: Any) -> None:
    kv_heads = 2 if options.get("enable_gqa") else 4
    q = data((2, 4, 5, 8), dtype)
    k, v = data((2, kv_heads, 5, 8), dtype), data((2, kv_heads, 5, 3), dtype)
    check(
        lambda a, b, c: TF.scaled_dot_product_attention(a, b, c, **options),
        lambda a, b, c: F.scaled_dot_product_attention(a, b, c, **options),
        q,
        k,
        v,
    )


@pytest.mark.parametrize("dtype", FLOATS)
def test_attention_masks_as_torch(dtype: Any) -> None:
    q, k, v = data((2, 5, 8), dtype), data((2, 6, 8), dtype), data((2, 6, 3), dtype)
    bias = data((5, 6), dtype)  # a float mask is added to the scores, and gets a gradient
    check(
        lambda a, b, c, m: TF.scaled_dot_product_attention(a, b, c, attn_mask=m),
        lambda a, b, c, m: F.scaled_dot_product_attention(a, b, c, attn_mask=m),
        q,
        k,
        v,
        bias,
    )
    allowed = RNG.random((2, 5, 6)) > 0.3  # torch's Bool attn_mask: True takes part
    check(
        lambda a, b, c: TF.scaled_dot_product_attention(a, b, c, attn_mask=torch.tensor(allowed)),
        lambda a, b, c: F.scaled_dot_product_attention(a, b, c, attn_mask=dev.tensor(allowed)),
        q,
        k,
        v,
    )


def test_attention_dropout_is_torchs_with_the_same_mask() -> None:
    q, k, v = data((2, 5, 8)), data((2, 6, 8)), data((2, 6, 3))
    p = 0.25
    rng = sh.Cpu().randn(())._device.rng  # the device's RNG, which dropout draws from
    state = rng.bit_generator.state
    grads = sh.Gradients()
    ours = [dev.tensor(a).traced(grads) for a in (q, k, v)]
    out = F.scaled_dot_product_attention(*ours, dropout_p=p)
    upstream = RNG.standard_normal(out.shape)
    got = (out * dev.tensor(upstream)).sum().backward()
    rng.bit_generator.state = state  # the same draws, to build torch's reference
    keep = torch.tensor(rng.random((2, 5, 6)) >= p)
    theirs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    weights = torch.softmax(theirs[0] @ theirs[1].mT / np.sqrt(8), dim=-1)
    reference = (weights * keep / (1 - p)) @ theirs[2]
    (reference * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(out.numpy(), reference.detach().numpy(), rtol=1e-10)
    for mine, torch_input in zip(ours, theirs):
        np.testing.assert_allclose(got[mine].numpy(), torch_input.grad.numpy(), rtol=1e-9)


def test_attention_argument_errors() -> None:
    q = dev.randn((1, 4, 3, 8))
    with pytest.raises(ValueError, match="give is_causal=True or a mask, not both"):
        F.scaled_dot_product_attention(q, q, q, is_causal=True, attn_mask=dev.randn((3, 3)))
    with pytest.raises(sh.ShapeError, match="q's 4 heads to be a multiple of k's 3"):
        kv = dev.randn((1, 3, 3, 8))
        F.scaled_dot_product_attention(q, kv, kv, enable_gqa=True)
    with pytest.raises(sh.DtypeError, match="mask must be Bool"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=dev.tensor([[1, 0, 1]]))
