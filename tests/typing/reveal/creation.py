"""Creating tensors: literal shapes and dtypes from the values written, `Final` constants."""

from __future__ import annotations

from typing import Final, assert_type
from typing import Literal as L

import shaped as sh

dev = sh.Cpu(seed=0)
Int64 = sh.Int64
Bool = sh.Bool
Float64 = sh.Float64

# nested lists: the shape is the nesting; floats give Float32, ints Int64, bools Bool
assert_type(dev.tensor([[1.0, 2.0], [3.0, 4.0]]), sh.Tensor[tuple[L[2], L[2]]])
assert_type(dev.tensor([1.0, 2.0, 3.0]), sh.Tensor[tuple[L[3]]])
assert_type(dev.tensor([[1, 2, 3]]), sh.Tensor[tuple[L[1], L[3]], Int64])
assert_type(dev.tensor([[[1], [2]], [[3], [4]]]), sh.Tensor[tuple[L[2], L[2], L[1]], Int64])
assert_type(dev.tensor([True, False]), sh.Tensor[tuple[L[2]], Bool])
assert_type(dev.tensor([[1, 2.5], [-3, 4]]), sh.Tensor[tuple[L[2], L[2]]])
assert_type(dev.tensor([-1, +2]), sh.Tensor[tuple[L[2]], Int64])
assert_type(dev.tensor(3.5), sh.Tensor[tuple[()]])
assert_type(dev.tensor(7), sh.Tensor[tuple[()], Int64])
assert_type(dev.tensor([]), sh.Tensor[tuple[L[0]]])
assert_type(dev.tensor(((1, 2), (3, 4))), sh.Tensor[tuple[L[2], L[2]], Int64])
assert_type(dev.tensor([[1, 2]], dtype=sh.Float64), sh.Tensor[tuple[L[1], L[2]], Float64])
assert_type(dev.tensor([1.0, 0.0], dtype=sh.Bool), sh.Tensor[tuple[L[2]], Bool])

# zeros/ones/full/randn/rand take a shape tuple; dtype= converts
assert_type(dev.zeros((2, 3)), sh.Tensor[tuple[L[2], L[3]]])
assert_type(dev.zeros(()), sh.Tensor[tuple[()]])
assert_type(dev.ones((4,)), sh.Tensor[tuple[L[4]]])
assert_type(dev.ones((2, 3), dtype=sh.Int64), sh.Tensor[tuple[L[2], L[3]], Int64])
assert_type(dev.zeros((1, 2, 3, 4, 5)), sh.Tensor[tuple[L[1], L[2], L[3], L[4], L[5]]])
assert_type(dev.full((2, 3), 7.0), sh.Tensor[tuple[L[2], L[3]]])
assert_type(dev.full((2,), 7), sh.Tensor[tuple[L[2]], Int64])
assert_type(dev.full((2,), True), sh.Tensor[tuple[L[2]], Bool])
assert_type(dev.full((2, 2), 0.5, dtype=sh.Float64), sh.Tensor[tuple[L[2], L[2]], Float64])
assert_type(dev.randn((3, 4)), sh.Tensor[tuple[L[3], L[4]]])
assert_type(dev.randn((3, 4), dtype=sh.Float64), sh.Tensor[tuple[L[3], L[4]], Float64])
assert_type(dev.rand((5,)), sh.Tensor[tuple[L[5]]])
assert_type(dev.rand((2, 2), sh.Float16), sh.Tensor[tuple[L[2], L[2]], sh.Float16])

# arange counts its elements; eye is n x m
assert_type(dev.arange(5), sh.Tensor[tuple[L[5]], Int64])
assert_type(dev.arange(2, 5), sh.Tensor[tuple[L[3]], Int64])
assert_type(dev.arange(0, 10, 3), sh.Tensor[tuple[L[4]], Int64])
assert_type(dev.arange(10, 0, -3), sh.Tensor[tuple[L[4]], Int64])
assert_type(dev.arange(5, 2), sh.Tensor[tuple[L[0]], Int64])
assert_type(dev.arange(0.0, 1.0, 0.25), sh.Tensor[tuple[int]])
assert_type(dev.eye(3), sh.Tensor[tuple[L[3], L[3]]])
assert_type(dev.eye(2, 4), sh.Tensor[tuple[L[2], L[4]]])
assert_type(dev.eye(3, dtype=sh.Float64), sh.Tensor[tuple[L[3], L[3]], Float64])

# Final constants are literals; an `int` is a run-time dim
BATCH: Final = 32
HIDDEN: Final = 128
features: int = 784
assert_type(dev.zeros((BATCH, HIDDEN)), sh.Tensor[tuple[L[32], L[128]]])
assert_type(dev.randn((BATCH, features)), sh.Tensor[tuple[L[32], int]])
assert_type(dev.zeros((features,)), sh.Tensor[tuple[int]])
assert_type(dev.eye(HIDDEN), sh.Tensor[tuple[L[128], L[128]]])
assert_type(dev.eye(features), sh.Tensor[tuple[int, int]])
assert_type(dev.arange(HIDDEN), sh.Tensor[tuple[L[128]], Int64])
assert_type(dev.arange(features), sh.Tensor[tuple[int], Int64])
assert_type(dev.zeros((BATCH, HIDDEN)).reshape(HIDDEN, -1), sh.Tensor[tuple[L[128], L[32]]])
assert_type(dev.zeros((BATCH, HIDDEN)).sum(axis=-1), sh.Tensor[tuple[L[32]]])


def on_gpu(gpu: sh.Cuda) -> None:
    """Each device creates tensors typed with itself (not run: no GPU needed)."""
    assert_type(gpu.zeros((2, 3)), sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cuda])
    assert_type(gpu.tensor([1, 2]), sh.Tensor[tuple[L[2]], Int64, sh.Cuda])
    assert_type(gpu.arange(4), sh.Tensor[tuple[L[4]], Int64, sh.Cuda])
