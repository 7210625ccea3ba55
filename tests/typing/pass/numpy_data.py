"""What pyright (no plugin) and mypy (with it) both see: numpy dtypes, comparisons and
matmul keeping literal dims, whatever the operands' tapes."""

from __future__ import annotations

from typing import Any, assert_type
from typing import Literal as L

import numpy as np
from numpy.typing import NDArray

import shaped as sh

AnyRank = tuple[Any, ...]
dev = sh.Cpu(seed=0)

# dtypes from numpy's own stubs
assert_type(dev.tensor(np.zeros((3, 4))), sh.Tensor[AnyRank, sh.Float64])
assert_type(dev.tensor(np.zeros((3, 4), dtype=np.float32)), sh.Tensor[AnyRank, sh.Float32])
singles: NDArray[np.float32] = np.zeros(4, dtype=np.float32)
counts: NDArray[np.int64] = np.arange(4, dtype=np.int64)
flags: NDArray[np.bool_] = np.ones(4, dtype=np.bool_)
assert_type(dev.tensor(singles), sh.Tensor[AnyRank, sh.Float32])
assert_type(dev.tensor(counts), sh.Tensor[AnyRank, sh.Int64])
assert_type(dev.tensor(flags), sh.Tensor[AnyRank, sh.Bool])
assert_type(dev.tensor(np.zeros(4), dtype=sh.Float32), sh.Tensor[AnyRank, sh.Float32])
unknown: NDArray[Any] = np.zeros(4)
assert_type(dev.tensor(unknown), sh.Tensor[AnyRank, Any])
assert_type(dev.tensor(unknown, dtype=sh.Float64), sh.Tensor[AnyRank, sh.Float64])

# comparisons with a scalar or a same-shape tensor keep the shape
x: sh.Tensor[tuple[L[4], L[3]]] = dev.randn((4, 3))
assert_type(x > 0.5, sh.Tensor[tuple[L[4], L[3]], sh.Bool])
assert_type(x <= 0, sh.Tensor[tuple[L[4], L[3]], sh.Bool])
assert_type(x == x, sh.Tensor[tuple[L[4], L[3]], sh.Bool])
assert_type(x.trace() != 1.0, sh.Tensor[tuple[L[4], L[3]], sh.Bool])

# matmul keeps literal dims whichever side carries the tape
w: sh.Tensor[tuple[L[3], L[5]]] = dev.randn((3, 5))
traced = sh.Tensor[tuple[L[4], L[5]], sh.Float32, sh.Cpu, sh.OwnedTape]
assert_type(x @ w, sh.Tensor[tuple[L[4], L[5]]])
assert_type(x.trace() @ w, traced)
assert_type(x @ w.trace(), traced)
assert_type(x.trace() @ w.trace(), traced)
batch: sh.Tensor[tuple[L[2], L[4], L[3]]] = dev.randn((2, 4, 3))
stacked: sh.Tensor[tuple[L[2], L[3], L[5]]] = dev.randn((2, 3, 5))
batched = sh.Tensor[tuple[L[2], L[4], L[5]], sh.Float32, sh.Cpu, sh.OwnedTape]
assert_type(batch @ w.trace(), batched)
assert_type(batch @ stacked, sh.Tensor[tuple[L[2], L[4], L[5]]])
assert_type(batch.trace() @ stacked, batched)
assert_type(batch @ stacked.trace(), batched)
(x @ w.trace()).sum().backward()
