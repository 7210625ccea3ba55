"""numpy data and unknown operands: dtypes from numpy's stubs, and unknown never made wrong."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar, assert_type
from typing import Literal as L

import numpy as np
from numpy.typing import NDArray

import shaped as sh
from shaped import losses
from shaped.nn import functional as F

S = TypeVar("S", bound=tuple[Any, ...])
AnyRank = tuple[Any, ...]
dev = sh.Cpu(seed=0)
rng = np.random.default_rng(0)

# an array keeps its dtype (float64 stays Float64); the rank is known only at run time
assert_type(dev.tensor(rng.standard_normal((3, 4))), sh.Tensor[AnyRank, sh.Float64])
assert_type(dev.tensor(np.zeros((3, 4))), sh.Tensor[AnyRank, sh.Float64])
halves: NDArray[np.float16] = np.zeros(3, dtype=np.float16)
singles: NDArray[np.float32] = np.zeros(3, dtype=np.float32)
counts: NDArray[np.int64] = np.arange(3, dtype=np.int64)
small_counts: NDArray[np.int32] = np.arange(3, dtype=np.int32)
flags: NDArray[np.bool_] = np.ones(3, dtype=np.bool_)
assert_type(dev.tensor(halves), sh.Tensor[AnyRank, sh.Float16])
assert_type(dev.tensor(singles), sh.Tensor[AnyRank, sh.Float32])
assert_type(dev.tensor(counts), sh.Tensor[AnyRank, sh.Int64])
assert_type(dev.tensor(small_counts), sh.Tensor[AnyRank, sh.Int32])
assert_type(dev.tensor(flags), sh.Tensor[AnyRank, sh.Bool])
# dtype= converts
assert_type(dev.tensor(np.zeros((3, 4)), dtype=sh.Float32), sh.Tensor[AnyRank])
assert_type(dev.tensor(counts, dtype=sh.Float64), sh.Tensor[AnyRank, sh.Float64])
# an array of unknown dtype: the dtype stays unknown, the device and tape stay known
unknown: NDArray[Any] = np.zeros(3)
untyped: np.ndarray[Any, Any] = np.zeros(3, dtype=np.float32)
assert_type(dev.tensor(unknown), sh.Tensor[AnyRank, Any])
assert_type(dev.tensor(untyped), sh.Tensor[AnyRank, Any])
assert_type(dev.tensor(unknown, dtype=sh.Float32), sh.Tensor[AnyRank])

frame: sh.Tensor[tuple[L[3], L[4]], sh.Float64] = dev.randn((3, 4), dtype=sh.Float64)
Clip = sh.Tensor[tuple[L[3], L[4]], sh.Float64, sh.Cpu, sh.OwnedTape]
frames: list[Clip] = [frame.trace(), frame.trace()]
weight: sh.Tensor[tuple[L[5], L[4]]] = dev.randn((5, 4))
indices = dev.tensor([1, 0, 2])


def joined(
    clips: list[sh.Tensor[tuple[L[3], L[4]], sh.Float64, sh.Cpu, sh.OwnedTape]],
    steps: Sequence[sh.Tensor[tuple[L[4]]]],
    generic: list[sh.Tensor[S, sh.Float64]],
    pair: tuple[sh.Tensor[tuple[L[4]]], sh.Tensor[tuple[L[4]]]],
) -> None:
    """A list or sequence of tensors: the element type, the joined axis's size unknown."""
    assert_type(
        sh.stack(clips), sh.Tensor[tuple[int, L[3], L[4]], sh.Float64, sh.Cpu, sh.OwnedTape]
    )
    assert_type(sh.concat(clips), sh.Tensor[tuple[int, L[4]], sh.Float64, sh.Cpu, sh.OwnedTape])
    assert_type(sh.stack(steps, axis=-1), sh.Tensor[tuple[L[4], int]])
    assert_type(sh.concat(steps), sh.Tensor[tuple[int]])
    assert_type(sh.stack([*steps, dev.zeros((4,))]), sh.Tensor[tuple[int, L[4]]])
    assert_type(sh.stack(generic), sh.Tensor[AnyRank, sh.Float64])
    assert_type(sh.stack(pair), sh.Tensor[tuple[L[2], L[4]]])


def any_operands(a: Any, x: sh.Tensor[tuple[L[2], L[4]]]) -> None:
    """An Any operand: its dtype, device and tape are unknown, never another operand's."""
    assert_type(losses.cross_entropy(a, indices), sh.Tensor[tuple[()], Any, sh.Cpu, Any])
    losses.cross_entropy(a, indices).backward()  # it may carry a tape: no [no-tape]
    assert_type(losses.mse_loss(a, x), sh.Tensor[tuple[()], sh.Float32, sh.Cpu, Any])
    assert_type(F.linear(a, weight), sh.Tensor[AnyRank, sh.Float32, sh.Cpu, Any])
    assert_type(F.linear(x.trace(), a), sh.Tensor[AnyRank, sh.Float32, sh.Cpu, sh.OwnedTape])
    assert_type(F.embedding(indices, a), sh.Tensor[AnyRank, Any, sh.Cpu, Any])
    assert_type(sh.where(x > 0.0, a, a), sh.Tensor[AnyRank, Any, sh.Cpu, Any])
    assert_type(sh.where(x > 0.0, a, x), sh.Tensor[AnyRank, sh.Float32, sh.Cpu, Any])
    assert_type(sh.stack([x, a]), sh.Tensor[AnyRank, sh.Float32, sh.Cpu, Any])
    assert_type(F.linear(a, a), Any)


def star_arguments(args: Any, parts: tuple[list[sh.Tensor[tuple[L[4]]]], int]) -> None:
    """Arguments from *args: nothing is read from them, nothing is made up."""
    assert_type(F.linear(*args), Any)
    assert_type(sh.stack(*parts), Any)


assert_type(sh.stack(frames), sh.Tensor[tuple[int, L[3], L[4]], sh.Float64, sh.Cpu, sh.OwnedTape])
