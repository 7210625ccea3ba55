"""Shape and dtype mistakes in advanced indexing, gather/scatter, masks and creation."""

from __future__ import annotations

from typing import Literal as L

import shaped as sh

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[2], L[3], L[4]]] = dev.randn((2, 3, 4))
m: sh.Tensor[tuple[L[3], L[4]]] = dev.randn((3, 4))
idx: sh.Tensor[tuple[L[5]], sh.Int64] = dev.tensor([0, 1, 1, 0, 1])
pair: sh.Tensor[tuple[L[2]], sh.Int64] = dev.tensor([0, 1])
grid: sh.Tensor[tuple[L[2], L[4]], sh.Int64] = dev.tensor([[0, 1, 2, 0], [2, 2, 1, 0]])
wide: sh.Tensor[tuple[L[2], L[5]], sh.Int64] = dev.zeros((2, 5), dtype=sh.Int64)
mask: sh.Tensor[tuple[L[3], L[4]], sh.Bool] = m > 0
ints = dev.tensor([1, 2, 3])

# index tensors broadcast together; a mask covers the axes it indexes
x[idx, :, pair]  # type: ignore[shape]  # E: index: shapes (5,) and (2,) do not broadcast
x[mask]  # type: ignore[shape]  # E: index: mask of shape (3, 4) does not match the indexed axes (2, 3) of (2, 3, 4)
x[idx, idx, idx, idx]  # type: ignore[shape]  # E: index: too many indices for a tensor of rank 3: got 4
m[0, [True, False]]  # type: ignore[shape]  # E: index: mask of shape (2,) does not match the indexed axes (4,)

# gather: same rank, an index no larger than the tensor off the gathered axis
m.gather(0, idx)  # type: ignore[shape]  # E: gather: index of rank 1 for a tensor of rank 2
m.gather(0, wide)  # type: ignore[shape]  # E: gather: index (2, 5) is larger than the tensor (3, 4) on axis 1 (5 > 4)
m.gather(2, grid)  # type: ignore[shape]  # E: gather: axis 2 is out of range for a tensor of rank 2
m.take_along_axis(wide, 0)  # type: ignore[shape]  # E: take_along_axis: shapes (4,) and (5,) do not broadcast
m.index_select(0, grid)  # type: ignore[shape]  # E: index_select: index must be 1-D, got shape (2, 4)
m.scatter_add(0, wide, dev.randn((2, 5)))  # type: ignore[shape]  # E: scatter_add: index (2, 5) is larger than the tensor (3, 4) on axis 1 (5 > 4)
m.scatter_add(0, grid, dev.randn((1, 4)))  # type: ignore[shape]  # E: scatter_add: index (2, 4) is larger than src on axis 0
m.scatter(0, idx, 1.0)  # type: ignore[shape]  # E: scatter: index (5,) and the tensor (3, 4) must have the same rank
m.masked_fill(x > 0, 0.0)  # type: ignore[shape]  # E: masked_fill: mask (2, 3, 4) does not broadcast to the tensor's shape (3, 4)
m.masked_fill(dev.ones((4, 3)) > 0, 0.0)  # type: ignore[shape]  # E: masked_fill: shapes (3, 4) and (4, 3) do not broadcast

# creation: sizes are not negative; sampling needs a float dtype
dev.linspace(0.0, 1.0, -1)  # type: ignore[shape]  # E: linspace: steps must be at least 0, got -1
dev.randperm(-2)  # type: ignore[shape]  # E: randperm
dev.randint(0, 5, (2, -1))  # type: ignore[shape]  # E: randint
dev.randn_like(ints)  # type: ignore[dtype]  # E: randn_like: needs a float dtype, got Int64
dev.rand_like(m, dtype=sh.Int64)  # type: ignore[dtype]  # E: rand_like
m.new_zeros((2, -3))  # type: ignore[shape]  # E: new_zeros

# counting, one-hot and sampling
grid.bincount()  # type: ignore[shape]  # E: bincount: needs a 1-D tensor, got shape (2, 4)
idx.bincount(dev.ones((4,)))  # type: ignore[shape]  # E: bincount: weights (4,) must have the tensor's shape (5,)
sh.nn.functional.one_hot(idx, -3)  # type: ignore[shape]  # E: one_hot: num_classes must be -1 or at least 0, got -3
dev.multinomial(m, 5)  # type: ignore[shape]  # E: multinomial: cannot draw 5 samples from 4 categories without replacement; pass replacement=True
dev.multinomial(x, 1)  # type: ignore[shape]  # E: multinomial: needs 1-D or 2-D probabilities, got shape (2, 3, 4)
m[dev.tensor([0.0, 1.0])]  # type: ignore[dtype]  # E: index: index tensors must be integers (sh.Int64) or a Bool mask, got Float32
m.gather(dim=0, index=wide)  # type: ignore[shape]  # E: gather: index (2, 5) is larger than the tensor (3, 4) on axis 1 (5 > 4)
m.index_select(dim=3, index=idx)  # type: ignore[shape]  # E: index_select: axis 3 is out of range
