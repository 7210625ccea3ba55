"""The shape rules alone: results, unknown dims, and messages that show the arithmetic."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given

from shaped import shapes
from shaped.errors import ShapeError
from tests.oracle import broadcastable


def test_rules_import_no_numpy() -> None:
    import subprocess

    code = "import sys, shaped.shapes; assert 'numpy' not in sys.modules, 'numpy imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


@given(broadcastable(3))
def test_broadcast_matches_numpy(case: object) -> None:
    inputs = case.input_shapes  # type: ignore[attr-defined]
    assert shapes.broadcast("add", *inputs) == np.broadcast_shapes(*inputs)


def test_broadcast_message_and_unknown_dims() -> None:
    with pytest.raises(
        ShapeError,
        match=r"add: shapes \(2, 3\) and \(4,\) do not broadcast: axis -1 has sizes 3 and 4",
    ):
        shapes.broadcast("add", (2, 3), (4,))
    assert shapes.broadcast("add", (None, 3), (2, 1)) == (2, 3)
    assert shapes.broadcast("add", (None,), (1,)) == (None,)


def test_matmul() -> None:
    with pytest.raises(
        ShapeError, match=r"matmul: \(32, 784\) @ \(500, 10\): inner dims 784 != 500"
    ):
        shapes.matmul((32, 784), (500, 10))
    assert shapes.matmul((8, 1, 2, 3), (5, 3, 4)) == (8, 5, 2, 4)
    assert shapes.matmul((3,), (3, 4)) == (4,)
    assert shapes.matmul((2, 3), (3,)) == (2,)
    assert shapes.matmul((3,), (3,)) == ()
    assert shapes.matmul((None, 3), (3, None)) == (None, None)


def test_reshape_flatten_and_friends() -> None:
    assert shapes.reshape((2, 3), (3, -1)) == (3, 2)
    with pytest.raises(
        ShapeError, match=r"\(2, 3\) \(2\*3 = 6 elements\) into \(4, -1\): 6 is not divisible by 4"
    ):
        shapes.reshape((2, 3), (4, -1))
    with pytest.raises(ShapeError, match=r"only one -1"):
        shapes.reshape((2, 3), (-1, -1))
    assert shapes.reshape((None, 3), (-1,)) == (None,)
    assert shapes.flatten((64, 20, 4, 4), 1) == (64, 320)
    assert shapes.permute((1, 2, 3), (2, 0, 1)) == (3, 1, 2)
    with pytest.raises(ShapeError, match="name each axis once"):
        shapes.permute((1, 2, 3), (0, 0, 1))
    assert shapes.squeeze((1, 3, 1)) == (3,)
    assert shapes.squeeze((1, 3, 1), 1) == (1, 3, 1)
    assert shapes.squeeze((None, 3)) is None
    assert shapes.unsqueeze((2, 3), -1) == (2, 3, 1)
    assert shapes.broadcast_to((3, 1), (2, 3, 4)) == (2, 3, 4)
    assert shapes.index((4, 5, 6), (0, slice(1, 3), None)) == (2, 1, 6)
    assert shapes.index((4, 5, 6), (Ellipsis, 0)) == (4, 5)
    with pytest.raises(ShapeError, match=r"index 4 is out of range for axis 0 of size 4"):
        shapes.index((4,), (4,))
    assert shapes.concat([(2, 3), (4, 3)], 0) == (6, 3)
    with pytest.raises(ShapeError, match=r"tensor 1 has shape \(4, 2\).*axis 1 differs"):
        shapes.concat([(2, 3), (4, 2)], 0)
    assert shapes.stack([(2, 3), (2, 3)], -1) == (2, 3, 2)
    assert shapes.pad((2, 3), [(1, 1), (0, 2)]) == (4, 5)


def test_axis_errors_name_the_valid_range() -> None:
    with pytest.raises(
        ShapeError,
        match=r"sum: axis 2 is out of range for a tensor of rank 2; valid axes are -2\.\.1",
    ):
        shapes.reduce("sum", (2, 3), 2, False)
    assert shapes.reduce("sum", (2, 3, 4), (0, 2), True) == (1, 3, 1)


def test_conv_and_pool_arithmetic() -> None:
    assert shapes.conv2d((64, 1, 28, 28), (32, 1, 5, 5)) == (64, 32, 24, 24)
    assert shapes.conv2d((1, 4, 9, 9), (6, 2, 3, 3), stride=2, padding=1, groups=2) == (1, 6, 5, 5)
    with pytest.raises(ShapeError, match=r"H_out = \(2 \+ 2\*0 - 1\*\(5-1\) - 1\)//1 \+ 1 = -2"):
        shapes.conv2d((1, 1, 2, 2), (1, 1, 5, 5))
    with pytest.raises(ShapeError, match=r"expects 1\*1 = 1 input channels, got 3"):
        shapes.conv2d((1, 3, 8, 8), (4, 1, 3, 3))
    assert shapes.conv_transpose2d((1, 4, 5, 5), (4, 2, 3, 3), stride=2, padding=1) == (1, 2, 9, 9)
    assert shapes.pool2d("max_pool2d", (8, 3, 28, 28), 2) == (8, 3, 14, 14)
    assert shapes.pool2d("max_pool2d", (8, 3, None, 28), 3, 1, 1) == (8, 3, None, 28)


def test_nn_rules() -> None:
    assert shapes.linear((64, 320), (10, 320), (10,)) == (64, 10)
    with pytest.raises(
        ShapeError, match=r"Linear\[500, 10\] expects \(\.\.\., 500\), got \(64, 320\)"
    ):
        shapes.linear((64, 320), (10, 500))
    assert shapes.class_target("cross_entropy", (8, 10), (8,)) == (8,)
    with pytest.raises(
        ShapeError, match=r"logits \(8, 10\) need class-index targets of shape \(8,\), got \(4,\)"
    ):
        shapes.class_target("cross_entropy", (8, 10), (4,))
    assert shapes.attention((2, 5, 8), (2, 7, 8), (2, 7, 3)) == (2, 5, 3)
    assert shapes.embedding((4, 9), (100, 16)) == (4, 9, 16)
    assert shapes.nested_shape([[1, 2], [3, 4], [5, 6]]) == (3, 2)
