# ruff: noqa: B023  (the lambdas run inside the loop iteration that defines them)
"""The fast paths of max pooling and batch norm against torch: the saved first-maximum offset
of max_pool1d/2d (ties, NaN, -inf windows, overlapping and dilated windows, padding,
ceil_mode, a non-finite upstream gradient) and batch_norm's fused per-channel passes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as tF
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from shaped.nn import functional as F
from tests.oracle import arrays, check

DTYPES = [np.float64, np.float32]
dev = sh.Cpu(seed=0)
SETTINGS = settings(max_examples=25, deadline=None)


def _tied(shape: tuple[int, ...], dtype: Any, seed: int, specials: bool) -> np.ndarray:
    """Values from {0, 1, 2}: most windows hold ties; with specials, some NaN and -inf too."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, shape).astype(dtype)
    if specials:
        x[rng.random(shape) < 0.05] = np.nan
        x[rng.random(shape) < 0.1] = -np.inf
    return x


@st.composite
def _pool_options(draw: Any, count: int) -> tuple[dict[str, Any], tuple[int, ...]]:
    """max_pool options (overlapping, dilated, padded, ceil_mode) and a spatial size that gives
    a non-empty output."""
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(count))
    options: dict[str, Any] = {
        "kernel_size": kernel,
        "stride": draw(st.one_of(st.none(), st.tuples(*[st.integers(1, 3)] * count))),
        "padding": tuple(draw(st.integers(0, k // 2)) for k in kernel),
        "dilation": tuple(draw(st.integers(1, 2)) for _ in range(count)),
        "ceil_mode": draw(st.booleans()),
    }
    size = tuple(
        d * (k - 1) + 1 + draw(st.integers(0, 4)) for k, d in zip(kernel, options["dilation"])
    )
    if count == 1:
        options = {k: v[0] if isinstance(v, tuple) else v for k, v in options.items()}
    return options, size


POOLS = {1: (tF.max_pool1d, F.max_pool1d), 2: (tF.max_pool2d, F.max_pool2d),
         3: (tF.max_pool3d, F.max_pool3d)}  # fmt: skip


@SETTINGS
@given(
    dtype=st.sampled_from(DTYPES),
    count=st.sampled_from([1, 2, 3]),
    specials=st.booleans(),
    indices=st.booleans(),
    seed=st.integers(0, 99),
    data=st.data(),
)
def test_max_pool_ties_nan_and_windows_match_torch(
    dtype: Any, count: int, specials: bool, indices: bool, seed: int, data: st.DataObject
) -> None:
    """Values and gradients (and torch's indices) of max_pool1d/2d/3d on tied values."""
    options, size = data.draw(_pool_options(count))
    batch = data.draw(st.sampled_from([(), (2,), (0,)]))
    x = _tied((*batch, 3, *size), dtype, seed, specials)
    torch_fn, ours = POOLS[count]
    if not indices:
        check(lambda t: torch_fn(t, **options), lambda t: ours(t, **options), x)
        return
    both = {**options, "return_indices": True}
    check(lambda t: torch_fn(t, **both)[0], lambda t: ours(t, **both)[0], x)
    check(lambda t: torch_fn(t, **both)[1], lambda t: ours(t, **both)[1], x, grad=False)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "options",
    [
        {"kernel_size": 2},  # the CNN's pools: windows that tile the input
        {"kernel_size": 3, "stride": 1},  # overlapping: gradients add
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": (2, 3), "stride": (1, 2), "dilation": (2, 1), "ceil_mode": True},
        {"kernel_size": 3, "stride": 2, "ceil_mode": True},
        {"kernel_size": 2, "stride": 3},  # gaps between windows get no gradient
    ],
)
def test_max_pool2d_relu_zeros_match_torch(dtype: Any, options: dict[str, Any]) -> None:
    """After a ReLU most windows tie at 0: each gradient goes to the first zero."""
    x = np.maximum(arrays((2, 3, 9, 10), dtype, seed=3), 0)
    x[0, 0, :3] = 0.0  # whole windows of zeros
    check(lambda t: tF.max_pool2d(t, **options), lambda t: F.max_pool2d(t, **options), x)


def test_max_pool2d_nan_goes_to_the_last_nan() -> None:
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = np.nan  # two NaNs in the first window: the last one
    x[0, 0, 2:, 2:] = 5.0  # a tie of 5s
    x[0, 0, 3, 3] = np.nan
    for options in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1}):
        check(lambda t: tF.max_pool2d(t, **options), lambda t: F.max_pool2d(t, **options), x)


@pytest.mark.parametrize("dtype", DTYPES)
def test_max_pool2d_minus_inf_windows_send_to_their_first_input_cell(dtype: Any) -> None:
    """A window of -inf and padding: torch sends its gradient to its first cell inside the
    input (not lost in the padding)."""
    x = np.full((1, 2, 5, 5), -np.inf, dtype)
    x[0, 1, 2, 2] = 1.0
    for options in (
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": 3, "stride": 1, "padding": 1, "dilation": 2},
        {"kernel_size": 2, "padding": 1, "ceil_mode": True},
    ):
        check(lambda t: tF.max_pool2d(t, **options), lambda t: F.max_pool2d(t, **options), x)


@pytest.mark.parametrize("options", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 1}])
def test_max_pool2d_non_finite_upstream_gradient_stays_in_its_cell(options: Any) -> None:
    """An inf or NaN upstream gradient reaches the window's maximum only (torch scatters it:
    the other cells keep 0, not inf * 0 = nan)."""
    x = arrays((1, 2, 6, 6), np.float32, seed=1)
    ours, theirs = dev.tensor(x), torch.tensor(x, requires_grad=True)
    out, ref = F.max_pool2d(ours.trace(), **options), tF.max_pool2d(theirs, **options)
    upstream = np.ones(ref.shape, np.float32)
    upstream[0, 0, 0, 0], upstream[0, 1, 1, 1] = np.inf, np.nan
    (ref * torch.tensor(upstream)).sum().backward()
    got = (out * dev.tensor(upstream)).sum().backward()[ours]
    assert theirs.grad is not None
    np.testing.assert_array_equal(got.numpy(), theirs.grad.numpy())


def test_max_pool2d_keeps_no_input_for_backward() -> None:
    """The backward needs the saved offsets only: the same gradient after the input changes."""
    x = arrays((2, 3, 8, 8), np.float32, seed=2)
    t = dev.tensor(x.copy())
    grads = sh.Gradients()
    traced = t.traced(grads)
    out = F.max_pool2d(traced, 2)
    t._data[...] = 0.0  # the pool saved its offsets, not a reference to this array
    got = out.sum().backward()[traced].numpy()
    theirs = torch.tensor(x, requires_grad=True)
    tF.max_pool2d(theirs, 2).sum().backward()
    assert theirs.grad is not None
    np.testing.assert_array_equal(got, theirs.grad.numpy())


# ---------------------------------------------------------------- batch_norm


@SETTINGS
@given(
    dtype=st.sampled_from(DTYPES),
    shape=st.sampled_from([(4, 3), (2, 3, 5), (3, 2, 4, 5), (2, 3, 2, 3, 2), (1, 2, 1, 1, 3)]),
    training=st.booleans(),
    affine=st.sampled_from(["both", "weight", "bias", "none"]),
    offset=st.sampled_from([0.0, 5.0]),
    seed=st.integers(0, 99),
)
def test_batch_norm_matches_torch(
    dtype: Any, shape: tuple[int, ...], training: bool, affine: str, offset: float, seed: int
) -> None:
    """Values, gradients of input, weight and bias, and the running statistics."""
    c = shape[1]
    x = arrays(shape, dtype, seed=seed) + dtype(offset)
    w, b = arrays((c,), dtype, seed=seed + 1), arrays((c,), dtype, seed=seed + 2)
    mean, var = arrays((c,), dtype, seed=3), arrays((c,), dtype, seed=4, low=0.5, high=2.0)
    ours_stats = [dev.tensor(mean.copy()), dev.tensor(var.copy())]
    torch_stats = [torch.tensor(mean.copy()), torch.tensor(var.copy())]
    keep_w, keep_b = affine in ("both", "weight"), affine in ("both", "bias")
    inputs = [x, *([w] if keep_w else []), *([b] if keep_b else [])]

    def split(rest: tuple[Any, ...]) -> tuple[Any, Any]:
        rest_list = list(rest)
        weight = rest_list.pop(0) if keep_w else None
        bias = rest_list.pop(0) if keep_b else None
        return weight, bias

    check(
        lambda t, *rest: tF.batch_norm(t, *torch_stats, *split(rest), training=training),
        lambda t, *rest: F.batch_norm(t, *ours_stats, *split(rest), training=training),
        *inputs,
    )
    for ours, theirs in zip(ours_stats, torch_stats):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_non_contiguous_and_empty_batch(dtype: Any) -> None:
    x = arrays((3, 4, 6, 5), dtype).transpose(0, 1, 3, 2)  # not contiguous
    w, b = arrays((4,), dtype, seed=1), arrays((4,), dtype, seed=2)
    check(
        lambda t, u, v: tF.batch_norm(t, None, None, u, v, training=True),
        lambda t, u, v: F.batch_norm(t, None, None, u, v, training=True),
        x,
        w,
        b,
    )
    mean, var = np.zeros(4, dtype), np.ones(4, dtype)
    empty = np.zeros((0, 4, 2, 2), dtype)
    check(
        lambda t, u, v: tF.batch_norm(t, torch.tensor(mean), torch.tensor(var), u, v),
        lambda t, u, v: F.batch_norm(t, dev.tensor(mean), dev.tensor(var), u, v),
        empty,
        w,
        b,
    )


def test_batch_norm_variance_has_no_cancellation() -> None:
    """float32 values near 1000 with a spread of 1: the variance is taken of the centred
    values (E[x^2] - E[x]^2 would lose it to rounding), as torch's float64 answer shows."""
    x = arrays((8, 3, 16, 16), np.float32, seed=5) + np.float32(1000.0)
    mean, var = dev.tensor(np.zeros(3, np.float32)), dev.tensor(np.ones(3, np.float32))
    out = F.batch_norm(dev.tensor(x), mean, var, training=True, momentum=1.0)
    theirs = torch.ones(3, dtype=torch.float64)
    ref = tF.batch_norm(torch.tensor(x, dtype=torch.float64), torch.zeros(3, dtype=torch.float64),
                        theirs, training=True, momentum=1.0)  # fmt: skip
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(var.numpy(), theirs.numpy(), rtol=1e-3)
