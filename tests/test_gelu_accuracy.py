"""GELU's exact (erf) form and erf: accuracy against float64 math on dense grids, and torch.

float32 GELU has its own fast path (shaped/ops/elementwise.py, `_gelu_float32`): these tests
bound its error against the float64 reference, value and gradient, on a dense grid with the
tails to +-14 (where exp(-x^2/2) leaves float32), through NaN and infinities, and compare it
with torch on the same inputs; float32 erf likewise (`_erf_float32`). float64 keeps Cody's
erf, checked here to float64 rounding.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as tF
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from tests.oracle import check

dev = sh.Cpu()
SQRT1_2 = math.sqrt(0.5)


def reference(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GELU and its derivative in float64 from math.erfc (Phi(x) = erfc(-x/sqrt2)/2)."""
    x64 = x.astype(np.float64)
    phi = np.array([0.5 * math.erfc(-v * SQRT1_2) for v in x64.ravel()]).reshape(x64.shape)
    pdf = np.exp(-0.5 * x64 * x64) / math.sqrt(2 * math.pi)
    return x64 * phi, phi + x64 * pdf


def ours(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    grads = sh.Gradients()
    t = dev.tensor(x).traced(grads)
    out = t.gelu()
    value = out.numpy()
    return value, out.sum().backward()[t].numpy()


def grid(dtype: Any) -> np.ndarray:
    """Dense in [-14, 14], denser around 0, and the float32 spacing near 0."""
    return np.concatenate(
        [np.linspace(-14, 14, 280_001), np.linspace(-1e-3, 1e-3, 20_001), [0.0, -0.0]]
    ).astype(dtype)


def test_float32_gelu_against_float64_math() -> None:
    x = grid(np.float32)
    value, grad = ours(x)
    assert value.dtype == grad.dtype == np.float32
    want, want_grad = reference(x)
    error = np.abs(value - want)
    relative = error / np.maximum(np.abs(want), 1e-300)
    assert error.max() < 2.5e-7  # half a float32 ulp at 4: the rounding of the result itself
    assert relative[x > 0].max() < 4e-7  # a few ulp where Phi is 1 - h
    assert relative[x >= -3].max() < 1e-6  # x Phi(x) for x < 0 without 1 + erf's cancellation
    assert relative[x >= -8].max() < 2e-5  # torch's own float32 GELU: 1.0 at -10
    assert np.abs(grad - want_grad).max() < 1.5e-7  # torch's: about 3e-7


def test_float32_gelu_tails_and_specials() -> None:
    x = np.array([-1e30, -40.0, -14.5, -13.0, 13.0, 40.0, 1e30, 3e38, -0.0], dtype=np.float32)
    value, grad = ours(x)
    want, want_grad = reference(x)
    np.testing.assert_allclose(value, want, rtol=1e-6, atol=1e-38)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-6, atol=1e-30)
    special = np.array([np.nan, -np.inf, np.inf], dtype=np.float32)
    torch_value = tF.gelu(torch.tensor(special)).numpy()
    value, grad = ours(special)
    np.testing.assert_array_equal(value, torch_value)  # float32 torch: NaN at both infinities
    assert np.isnan(grad).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gelu_matches_torch_on_the_grid(dtype: Any) -> None:
    x = grid(dtype)[::7]
    if dtype == np.float32:  # torch's float32 GELU is off by up to 1.2e-6 itself (at x = 3.5)
        check(tF.gelu, lambda t: t.gelu(), x)
    else:
        check(tF.gelu, lambda t: t.gelu(), x, rtol=1e-6, atol=1e-12)


def test_float64_gelu_to_float64_rounding() -> None:
    # float64 keeps 0.5 x (1 + erf(x/sqrt2)): float64 rounding of 1 + erf for x << 0
    x = grid(np.float64)[::5]
    value, grad = ours(x)
    want, want_grad = reference(x)
    np.testing.assert_allclose(value, want, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_erf_against_float64_math(dtype: Any) -> None:
    x = np.concatenate([np.linspace(-10, 10, 200_001), np.linspace(-1e-3, 1e-3, 2_001)])
    x = x.astype(dtype)
    want = np.array([math.erf(v) for v in x.astype(np.float64)])
    got = dev.tensor(x).erf().numpy()
    relative = np.abs(got - want) / np.maximum(np.abs(want), 1e-300)
    # float32: a rational approximation run in float64, 7.7e-8 (torch's float32 erf: 6.4e-8)
    assert relative.max() < (1e-7 if dtype == np.float32 else 1e-15)
    assert np.abs(got - want).max() < (6e-8 if dtype == np.float32 else 3e-16)


def test_float32_erf_specials_and_torch() -> None:
    x = np.array([np.nan, -np.inf, np.inf, -0.0, 0.0, 1e-30, 3.8, 3.84, -3.9, 5.0], np.float32)
    got = dev.tensor(x).erf().numpy()
    np.testing.assert_array_equal(got[1:3], [-1.0, 1.0])
    assert np.isnan(got[0]) and np.signbit(got[3]) and not np.signbit(got[4])
    np.testing.assert_allclose(got, torch.erf(torch.tensor(x)).numpy(), rtol=1e-7, atol=0)
    grid = np.linspace(-5, 5, 4001).astype(np.float32)
    check(torch.erf, lambda t: t.erf(), grid, rtol=1e-6, atol=1e-7)
    check(torch.erf, lambda t: t.erf(), np.array(0.75, dtype=np.float32))


@settings(max_examples=25, deadline=None)
@given(
    shape=st.lists(st.integers(0, 5), min_size=0, max_size=3).map(tuple),
    seed=st.integers(0, 2**16),
    transposed=st.booleans(),
)
def test_float32_gelu_matches_torch_on_any_shape(
    shape: tuple[int, ...], seed: int, transposed: bool
) -> None:
    x = (np.random.default_rng(seed).standard_normal(shape) * 4).astype(np.float32)
    if transposed:
        x = x.T  # non-contiguous when rank >= 2
    check(tF.gelu, lambda t: t.gelu(), x)
    check(tF.gelu, lambda t: t.gelu(), x.astype(np.float64))
    check(torch.erf, lambda t: t.erf(), x)
