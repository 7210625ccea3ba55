"""Shape and movement ops as users write them: clean under mypy with the plugin and under
pyright (pure typing: same-shape ops keep the shape, computed ones give `int` dims)."""

from __future__ import annotations

from typing import Any, TypeVar
from typing import Literal as L

import shaped as sh
from shaped.nn import functional as F

B = TypeVar("B", bound=int)
dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[2], L[3], L[4]]] = dev.randn((2, 3, 4))
v: sh.Tensor[tuple[L[3]]] = dev.randn((3,))

# same-shape ops keep the literal shape under both checkers
lower: sh.Tensor[tuple[L[2], L[3], L[4]]] = x.tril()
upper: sh.Tensor[tuple[L[2], L[3], L[4]]] = x.triu(1)
flipped: sh.Tensor[tuple[L[2], L[3], L[4]]] = x.flip(dims=(0, 1))
rolled: sh.Tensor[tuple[L[2], L[3], L[4]]] = x.roll(1, axis=2)
copied: sh.Tensor[tuple[L[2], L[3], L[4]]] = x.clone().contiguous()
like: sh.Tensor[tuple[L[4], L[6]]] = x.view_as(dev.zeros((4, 6)))
grown: sh.Tensor[tuple[L[2], L[3], L[4]]] = x[:, :1].expand_as(x)

# computed shapes: fixed-rank annotations with literal dims (the plugin computes them)
tiled: sh.Tensor[tuple[int, int, int]] = x.repeat(1, 2, 1)
wide: sh.Tensor[tuple[int, int]] = x.view(6, -1)
moved: sh.Tensor[tuple[L[3], L[4], L[2]]] = x.movedim(0, -1).realize((3, 4, 2))
first, rest = x.split([1, 2], dim=1)
head: sh.Tensor[tuple[Any, ...]] = first
pieces = x.chunk(2, 2)
halves: list[sh.Tensor[tuple[Any, ...]]] = list(pieces)
rows = [row.sum() for row in x.unbind(0)]
padded = F.pad(x, (1, 1, 2, 2), mode="reflect")
edge = x.pad(((0, 0), (1, 1), (1, 1)), mode="replicate")
grid_i, grid_j = sh.meshgrid(v, dev.randn((5,)))
count: int = x.numel() + x.size(1)
dims: tuple[L[2], L[3], L[4]] = x.size()


def batch_diagonals(t: sh.Tensor[tuple[B, L[4], L[4]]]) -> sh.Tensor[tuple[B, L[4], L[4]]]:
    """A generic batch dim passes through same-shape ops."""
    return t.tril() + t.triu(1).flip(dims=(1, 2))


def last_halves(t: sh.Tensor[tuple[B, L[8]]]) -> sh.Tensor[tuple[Any, ...]]:
    _, second = t.chunk(2, dim=1)
    return second.narrow(1, 0, 2).repeat_interleave(2, dim=1)


n = x.size(0)
n = n + 1  # a size is a plain int in a variable
out = batch_diagonals(dev.randn((3, 4, 4)))
tail = last_halves(dev.randn((3, 8)))
loss = sum((p.sum() for p in x.trace().split(1, 0)), dev.zeros(()).trace()).mean()
grads = loss.backward()
assert tail.shape == (3, 4) and out.shape == (3, 4, 4) and count == 27 and n == 3
assert moved.shape == (3, 4, 2) and padded.shape == (2, 7, 6) and grid_j.shape == (3, 5)
