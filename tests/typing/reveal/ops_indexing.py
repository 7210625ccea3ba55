"""Indexing with tensors, lists and masks; gather, scatter, masks; creation like a tensor."""

from __future__ import annotations

from typing import Literal as L
from typing import assert_type

import shaped as sh

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[2], L[3], L[4]]] = dev.randn((2, 3, 4))
m: sh.Tensor[tuple[L[3], L[4]]] = dev.randn((3, 4))
idx: sh.Tensor[tuple[L[5]], sh.Int64] = dev.tensor([0, 1, 1, 0, 1])
grid: sh.Tensor[tuple[L[2], L[4]], sh.Int64] = dev.tensor([[0, 1, 2, 0], [2, 2, 1, 0]])
mask: sh.Tensor[tuple[L[3], L[4]], sh.Bool] = m > 0
Owned = sh.OwnedTape

# integer tensors and lists: their dims replace the axis they index (ints select first)
assert_type(x[idx], sh.Tensor[tuple[L[5], L[3], L[4]]])
assert_type(x[:, [0, 2]], sh.Tensor[tuple[L[2], L[2], L[4]]])
assert_type(x[0, :, idx], sh.Tensor[tuple[L[3], L[5]]])
assert_type(x[idx, :, idx], sh.Tensor[tuple[L[5], L[3]]])
assert_type(x[:, grid], sh.Tensor[tuple[L[2], L[2], L[4], L[4]]])
assert_type(x[..., idx[:4]], sh.Tensor[tuple[L[2], L[3], L[4]]])
# a mask's True count is known only at run time (a literal list of bools counts statically)
assert_type(m[mask], sh.Tensor[tuple[int]])
assert_type(x[:, mask], sh.Tensor[tuple[L[2], int]])
assert_type(x[[True, False]], sh.Tensor[tuple[L[1], L[3], L[4]]])
assert_type(x[0, 1:], sh.Tensor[tuple[L[2], L[4]]])  # basic keys as before

# gather is shaped like its index; take_along_axis broadcasts; index_select swaps one size
assert_type(m.gather(0, grid), sh.Tensor[tuple[L[2], L[4]]])
assert_type(m.take_along_axis(grid, 0), sh.Tensor[tuple[L[2], L[4]]])
assert_type(m.index_select(1, idx), sh.Tensor[tuple[L[3], L[5]]])
assert_type(m.index_select(0, idx), sh.Tensor[tuple[L[5], L[4]]])
# scatter and masked_fill keep the tensor's shape; a traced src carries its tape
src: sh.Tensor[tuple[L[2], L[4]]] = dev.randn((2, 4))
assert_type(m.scatter_add(0, grid, src), sh.Tensor[tuple[L[3], L[4]]])
assert_type(
    m.scatter_add(0, grid, src.trace()), sh.Tensor[tuple[L[3], L[4]], sh.Float32, sh.Cpu, Owned]
)
assert_type(m.scatter(0, grid, 1.0), sh.Tensor[tuple[L[3], L[4]]])
assert_type(m.masked_fill(mask, 0.0), sh.Tensor[tuple[L[3], L[4]]])
assert_type(m.masked_fill(mask[0], 0.0), sh.Tensor[tuple[L[3], L[4]]])
assert_type(x.nonzero(), sh.Tensor[tuple[int, L[3]], sh.Int64])

# creation
assert_type(dev.zeros_like(m), sh.Tensor[tuple[L[3], L[4]]])
assert_type(dev.ones_like(idx), sh.Tensor[tuple[L[5]], sh.Int64])
assert_type(dev.full_like(m, 2.0, sh.Float64), sh.Tensor[tuple[L[3], L[4]], sh.Float64])
assert_type(dev.randn_like(m), sh.Tensor[tuple[L[3], L[4]]])
assert_type(dev.rand_like(m, dtype=sh.Float64), sh.Tensor[tuple[L[3], L[4]], sh.Float64])
assert_type(dev.empty((2, 5)), sh.Tensor[tuple[L[2], L[5]]])
assert_type(dev.linspace(0.0, 1.0, 7), sh.Tensor[tuple[L[7]]])
assert_type(dev.randint(0, 10, (4, 2)), sh.Tensor[tuple[L[4], L[2]], sh.Int64])
assert_type(dev.randperm(6), sh.Tensor[tuple[L[6]], sh.Int64])
assert_type(m.new_zeros((2, 2)), sh.Tensor[tuple[L[2], L[2]]])
assert_type(idx.new_ones((3,)), sh.Tensor[tuple[L[3]], sh.Int64])
assert_type(m.new_full((1, 2), 5.0, sh.Float64), sh.Tensor[tuple[L[1], L[2]], sh.Float64])

# counting, one-hot and sampling: data-dependent sizes are int
assert_type(sh.nn.functional.one_hot(grid, 5), sh.Tensor[tuple[L[2], L[4], L[5]], sh.Int64])
assert_type(sh.nn.functional.one_hot(idx), sh.Tensor[tuple[L[5], int], sh.Int64])
assert_type(idx.bincount(), sh.Tensor[tuple[int], sh.Int64])
assert_type(idx.bincount(dev.ones((5,)), minlength=3), sh.Tensor[tuple[int]])
assert_type(m.unique(), sh.Tensor[tuple[int]])
probs: sh.Tensor[tuple[L[6], L[4]]] = dev.rand((6, 4))
assert_type(dev.multinomial(probs, 3), sh.Tensor[tuple[L[6], L[3]], sh.Int64])
assert_type(dev.multinomial(probs[0], 9, replacement=True), sh.Tensor[tuple[L[9]], sh.Int64])

# torch's dim= beside axis
assert_type(m.gather(dim=1, index=grid[:, :2]), sh.Tensor[tuple[L[2], L[2]]])
assert_type(m.index_select(dim=1, index=idx), sh.Tensor[tuple[L[3], L[5]]])
assert_type(m.scatter_add(dim=0, index=grid, src=src), sh.Tensor[tuple[L[3], L[4]]])
assert_type(m.scatter(dim=0, index=grid, src=0.5), sh.Tensor[tuple[L[3], L[4]]])
