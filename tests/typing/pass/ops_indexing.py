"""Indexing, gather/scatter, masks and creation like a tensor: clean under mypy and pyright."""

from __future__ import annotations

from typing import Any, TypeVar
from typing import Literal as L

import shaped as sh

S = TypeVar("S", bound=tuple[Any, ...])
Dt = TypeVar("Dt")
Dv = TypeVar("Dv")

dev = sh.Cpu(seed=0)
m: sh.Tensor[tuple[L[3], L[4]]] = dev.randn((3, 4))
idx: sh.Tensor[tuple[L[2]], sh.Int64] = dev.tensor([2, 0])
grid: sh.Tensor[tuple[L[2], L[4]], sh.Int64] = dev.tensor([[0, 1, 2, 0], [2, 2, 1, 0]])
src: sh.Tensor[tuple[L[2], L[4]]] = dev.randn((2, 4))

# gather keeps the index's shape; masked_fill and scatter keep the tensor's, in pure typing too
picked: sh.Tensor[tuple[L[2], L[4]]] = m.gather(0, grid)
filled: sh.Tensor[tuple[L[3], L[4]]] = m.masked_fill(m > 0, 0.0)
added: sh.Tensor[tuple[L[3], L[4]]] = m.scatter_add(0, grid, src)
written: sh.Tensor[tuple[L[3], L[4]]] = m.scatter(0, grid, 1.0)
rows = m[idx]
masked = m[m > 0]
columns = m.index_select(1, idx)
along = m.take_along_axis(grid, 0)
coords: sh.Tensor[tuple[int, int], sh.Int64] = m.nonzero()

# a traced src carries its tape to the result
grads = sh.Gradients()
loss = m.scatter_add(0, grid, src.traced(grads)).sum()
_ = loss.backward()

# creation: *_like keeps x's shape and dtype
zeros: sh.Tensor[tuple[L[3], L[4]]] = dev.zeros_like(m)
ones: sh.Tensor[tuple[L[2]], sh.Int64] = dev.ones_like(idx)
sevens: sh.Tensor[tuple[L[3], L[4]], sh.Float64] = dev.full_like(m, 7.0, sh.Float64)
noise: sh.Tensor[tuple[L[3], L[4]]] = dev.randn_like(m)
uniform: sh.Tensor[tuple[L[3], L[4]]] = dev.rand_like(m)
grid_x: sh.Tensor[tuple[int], sh.Float32] = dev.linspace(-1.0, 1.0, 5)
labels: sh.Tensor[tuple[L[8]], sh.Int64] = dev.randint(0, 10, (8,))
order: sh.Tensor[tuple[int], sh.Int64] = dev.randperm(8)
blank: sh.Tensor[tuple[L[2], L[2]]] = dev.empty((2, 2))
fresh: sh.Tensor[tuple[L[2], L[5]]] = m.new_zeros((2, 5))

hot: sh.Tensor[tuple[L[2], L[4], int], sh.Int64] = sh.nn.functional.one_hot(grid, 3)
counts: sh.Tensor[tuple[int], sh.Int64] = idx.bincount(minlength=4)
values: sh.Tensor[tuple[int]] = m.unique()
draws = dev.multinomial(m.abs(), 2)


def like(x: sh.Tensor[S, Dt, Dv]) -> sh.Tensor[S, Dt, sh.Cpu]:
    """Users' own TypeVars fit zeros_like: the shape and dtype carry through."""
    return dev.zeros_like(x)


def fill_masked(x: sh.Tensor[S, Dt, Dv], mask: sh.Tensor[Any, sh.Bool, Dv]) -> sh.Tensor[S, Dt, Dv]:
    return x.masked_fill(mask, 0.0)


_ = like(m), fill_masked(m, m > 0)
_ = rows, masked, columns, along, coords, picked, filled, added, written
_ = hot, counts, values, draws
_ = zeros, ones, sevens, noise, uniform, grid_x, labels, order, blank, fresh
