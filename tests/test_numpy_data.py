"""numpy data as PyTorch users feed it: dtypes kept, the dtype fix named, creation checks."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import shaped as sh
from shaped import dtypes, nn, shapes
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
FIX = "convert the data with dev.tensor(array, dtype=sh.Float32) or x.to(sh.Float32)"


@pytest.mark.parametrize(
    ("numpy_dtype", "dtype"),
    [
        (np.float64, sh.Float64),
        (np.float32, sh.Float32),
        (np.float16, sh.Float16),
        (np.int64, sh.Int64),
        (np.int32, sh.Int32),
        (np.bool_, sh.Bool),
    ],
)
def test_an_array_keeps_its_dtype_and_dtype_converts(numpy_dtype: Any, dtype: Any) -> None:
    array = np.ones((2, 3), dtype=numpy_dtype)
    assert dev.tensor(array).dtype is dtype
    assert dev.tensor(array, dtype=sh.Float32).dtype is sh.Float32
    assert dev.tensor(np.ones((), dtype=numpy_dtype)).shape == ()


def test_float64_data_meeting_float32_weights_says_to_convert_the_data() -> None:
    data = dev.tensor(np.random.default_rng(0).standard_normal((8, 4)))
    message = dtypes.mismatch("linear", "Float64", "Float32", weights=True)
    assert FIX in message
    with pytest.raises(sh.DtypeError) as error:
        F.linear(data, dev.randn((2, 4)))
    assert str(error.value) == message
    with pytest.raises(sh.DtypeError, match=re.escape(FIX)):
        nn.Linear(4, 2)(data)
    images = dev.tensor(np.zeros((1, 1, 5, 5)))
    for call in (
        lambda: F.conv2d(images, dev.randn((2, 1, 3, 3))),
        lambda: nn.Conv2d(1, 2, 3)(images),
        lambda: nn.ConvTranspose2d(1, 2, 3)(images),
        lambda: nn.LayerNorm(4)(data),
        lambda: F.layer_norm(data, dev.ones((4,)), None),
        lambda: nn.BatchNorm1d(4)(data),
    ):
        with pytest.raises(sh.DtypeError, match=re.escape("convert the data with dev.tensor")):
            call()
    nn.Linear(4, 2)(data.to(sh.Float32))


def test_other_dtype_mismatches_keep_their_message() -> None:
    x, x64 = dev.zeros((2,)), dev.zeros((2,), dtype=sh.Float64)
    with pytest.raises(sh.DtypeError, match=r"convert one with \.to\(sh\.Float32\)"):
        x + x64
    # the weights disagree among themselves: converting the data would not help
    with pytest.raises(sh.DtypeError, match="no implicit promotion") as error:
        F.linear(dev.zeros((3, 2)), dev.zeros((4, 2)), dev.zeros((4,), dtype=sh.Float64))
    assert "convert the data" not in str(error.value)


def test_creation_checks_are_the_rules_the_plugin_runs() -> None:
    with pytest.raises(sh.ShapeError, match=r"^arange: step must not be 0$"):
        dev.arange(0, 10, 0)
    with pytest.raises(sh.ShapeError, match=r"^arange: step must not be 0$"):
        dev.arange(1.0, 2.0, 0.0)
    with pytest.raises(sh.ShapeError, match=r"^eye: negative dimension in shape \(-2, -2\)"):
        dev.eye(-2)
    with pytest.raises(sh.ShapeError, match=r"^eye: negative dimension in shape \(3, -1\)"):
        dev.eye(3, -1)
    with pytest.raises(sh.DtypeError, match=r"^randn: needs a float dtype, got Int64$"):
        dev.randn((2,), dtype=sh.Int64)
    with pytest.raises(sh.DtypeError, match=r"^rand: needs a float dtype, got Bool$"):
        dev.rand((2,), sh.Bool)
    assert dev.eye(0).shape == (0, 0)


@given(st.integers(-20, 20), st.integers(-20, 20), st.integers(-5, 5).filter(bool))
def test_arange_rule_counts_as_numpy(start: int, stop: int, step: int) -> None:
    assert shapes.arange(start, stop, step) == np.arange(start, stop, step).shape
    assert dev.arange(start, stop, step).shape == np.arange(start, stop, step).shape


def test_arange_rule_with_unknown_bounds() -> None:
    assert shapes.arange(None, 5, 1) == (None,)
    assert shapes.arange(0.0, 1.0, 0.25) == (None,)
    with pytest.raises(sh.ShapeError):
        shapes.arange(None, None, 0)


def test_joined_many_keeps_every_dim_but_the_joined_one() -> None:
    assert shapes.joined_many("stack", [(3, 4)], 0) == (None, 3, 4)
    assert shapes.joined_many("stack", [(3, 4)], -1) == (3, 4, None)
    assert shapes.joined_many("concat", [(3, 4)], 1) == (3, None)
    assert shapes.joined_many("concat", [(3, 4)], 0) == (None, 4)
    with pytest.raises(sh.ShapeError, match="out of range"):
        shapes.joined_many("stack", [(3,)], 2)
    with pytest.raises(sh.ShapeError, match="rank-0"):
        shapes.joined_many("concat", [()], 0)
