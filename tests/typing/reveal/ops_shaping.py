"""Shape and movement, more: repeat, expand, view, split/chunk/unbind (a tuple typed per
piece), tril/triu, flip, roll, narrow, movedim, repeat_interleave, diag, pad modes, F.pad,
meshgrid, numel and size."""

from __future__ import annotations

from typing import Any, TypeVar, assert_type
from typing import Literal as L

import shaped as sh
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[2], L[3], L[4]]] = dev.randn((2, 3, 4))
m: sh.Tensor[tuple[L[1], L[3]]] = dev.randn((1, 3))
v: sh.Tensor[tuple[L[3]]] = dev.randn((3,))
w: sh.Tensor[tuple[L[2]]] = dev.randn((2,))
n: int = 5
u: sh.Tensor[tuple[int, L[4]]] = dev.randn((n, 4))
Owned = sh.OwnedTape
F64 = sh.Float64
T2 = sh.Tensor[tuple[L[2], L[2]]]

# repeat (torch: tile; extra sizes add leading axes), expand (-1 keeps), expand_as
assert_type(x.repeat(2, 1, 1), sh.Tensor[tuple[L[4], L[3], L[4]]])
assert_type(x.repeat(2, 1, 1, 2), sh.Tensor[tuple[L[2], L[2], L[3], L[8]]])
assert_type(x.repeat((1, 2, 3)), sh.Tensor[tuple[L[2], L[6], L[12]]])
assert_type(m.expand(4, -1), sh.Tensor[tuple[L[4], L[3]]])
assert_type(m.expand(2, 5, 3), sh.Tensor[tuple[L[2], L[5], L[3]]])
assert_type(m.expand((2, 3)), sh.Tensor[tuple[L[2], L[3]]])
assert_type(m.expand_as(dev.zeros((2, 5, 3))), sh.Tensor[tuple[L[2], L[5], L[3]]])
assert_type(m.expand_as(dev.zeros((5, 3))), sh.Tensor[tuple[L[5], L[3]]])
assert_type(m.expand(n, 3), sh.Tensor[tuple[int, L[3]]])

# view, view_as, reshape_as (aliases of reshape), contiguous, clone
assert_type(x.view(6, -1), sh.Tensor[tuple[L[6], L[4]]])
assert_type(x.view((4, 6)), sh.Tensor[tuple[L[4], L[6]]])
assert_type(x.view(-1), sh.Tensor[tuple[L[24]]])
assert_type(x.view_as(dev.zeros((4, 6))), sh.Tensor[tuple[L[4], L[6]]])
assert_type(x.reshape_as(dev.zeros((24,))), sh.Tensor[tuple[L[24]]])
assert_type(x.contiguous(), sh.Tensor[tuple[L[2], L[3], L[4]]])
assert_type(x.trace().clone(), sh.Tensor[tuple[L[2], L[3], L[4]], sh.Float32, sh.Cpu, Owned])

# split, chunk, unbind: one tensor type per piece
a0, a1 = x.split(2, 2)
assert_type(a0, sh.Tensor[tuple[L[2], L[3], L[2]]])
assert_type(a1, sh.Tensor[tuple[L[2], L[3], L[2]]])
b0, b1 = x.split(2, dim=1)
assert_type(b0, sh.Tensor[tuple[L[2], L[2], L[4]]])
assert_type(b1, sh.Tensor[tuple[L[2], L[1], L[4]]])
assert_type(
    x.split([1, 3], axis=-1),
    tuple[sh.Tensor[tuple[L[2], L[3], L[1]]], sh.Tensor[tuple[L[2], L[3], L[3]]]],
)
c0, c1 = x.chunk(3, 2)  # ceil(4/3) = 2 per chunk: two chunks, as torch
assert_type(c0, sh.Tensor[tuple[L[2], L[3], L[2]]])
assert_type(c1, sh.Tensor[tuple[L[2], L[3], L[2]]])
assert_type(
    x.chunk(2), tuple[sh.Tensor[tuple[L[1], L[3], L[4]]], sh.Tensor[tuple[L[1], L[3], L[4]]]]
)
r0, r1 = x.unbind()
assert_type(r0, sh.Tensor[tuple[L[3], L[4]]])
e0, e1, e2, e3 = x.unbind(dim=-1)
assert_type(e3, sh.Tensor[tuple[L[2], L[3]]])
assert_type(u.unbind(0), tuple[sh.Tensor[tuple[Any, ...]], ...])  # how many is unknown
assert_type(x.trace().chunk(2)[0], sh.Tensor[tuple[L[1], L[3], L[4]], sh.Float32, sh.Cpu, Owned])
s0, s1 = u.split(2, 1)
assert_type(s0, sh.Tensor[tuple[int, L[2]]])

# tril, triu, flip, roll: the shape stays
assert_type(x.tril(), sh.Tensor[tuple[L[2], L[3], L[4]]])
assert_type(x.triu(1), sh.Tensor[tuple[L[2], L[3], L[4]]])
assert_type(x.flip(0), sh.Tensor[tuple[L[2], L[3], L[4]]])
assert_type(x.flip(dims=(0, 2)), sh.Tensor[tuple[L[2], L[3], L[4]]])
assert_type(x.roll(1), sh.Tensor[tuple[L[2], L[3], L[4]]])
assert_type(x.roll((1, -1), dims=(0, 1)), sh.Tensor[tuple[L[2], L[3], L[4]]])

# narrow, movedim, repeat_interleave, diag
assert_type(x.narrow(2, 1, 2), sh.Tensor[tuple[L[2], L[3], L[2]]])
assert_type(x.narrow(-1, -3, 3), sh.Tensor[tuple[L[2], L[3], L[3]]])
assert_type(x.movedim(0, -1), sh.Tensor[tuple[L[3], L[4], L[2]]])
assert_type(x.movedim((0, 1), (2, 0)), sh.Tensor[tuple[L[3], L[4], L[2]]])
assert_type(x.moveaxis(-1, 0), sh.Tensor[tuple[L[4], L[2], L[3]]])
assert_type(x.repeat_interleave(2, dim=1), sh.Tensor[tuple[L[2], L[6], L[4]]])
assert_type(x.repeat_interleave(2), sh.Tensor[tuple[L[48]]])
assert_type(x.repeat_interleave(n, 0), sh.Tensor[tuple[int, L[3], L[4]]])
assert_type(x.repeat_interleave(dev.tensor([1, 0, 2]), 1), sh.Tensor[tuple[L[2], int, L[4]]])
assert_type(v.diag(), sh.Tensor[tuple[L[3], L[3]]])
assert_type(v.diag(-1), sh.Tensor[tuple[L[4], L[4]]])
assert_type(x[0].diag(), sh.Tensor[tuple[L[3]]])
assert_type(x[0].diag(2), sh.Tensor[tuple[L[2]]])

# pad modes, and F.pad's flat widths from the last axis back
assert_type(x.pad(((0, 0), (2, 2), (1, 3)), mode="reflect"), sh.Tensor[tuple[L[2], L[7], L[8]]])
assert_type(x.pad(1, mode="replicate"), sh.Tensor[tuple[L[4], L[5], L[6]]])
assert_type(x.pad(((0, 0), (3, 3), (0, 0)), mode="circular"), sh.Tensor[tuple[L[2], L[9], L[4]]])
assert_type(F.pad(x, (1, 2)), sh.Tensor[tuple[L[2], L[3], L[7]]])
assert_type(F.pad(x, (1, 1, 2, 2), mode="reflect"), sh.Tensor[tuple[L[2], L[7], L[6]]])
assert_type(
    F.pad(x.to(F64), (0, 0, 0, 0, 1, 0), value=1.0), sh.Tensor[tuple[L[3], L[3], L[4]], F64]
)

# meshgrid: "ij" by default, as torch; "xy" swaps the first two axes
g0, g1 = sh.meshgrid(v, w)
assert_type(g0, sh.Tensor[tuple[L[3], L[2]]])
assert_type(g1, sh.Tensor[tuple[L[3], L[2]]])
h0, h1 = sh.meshgrid([v, w.trace()], indexing="xy")
assert_type(h0, sh.Tensor[tuple[L[2], L[3]]])
assert_type(h1, sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, Owned])

# numel and size: ints that keep their literal value for the shapes built from them
assert_type(x.numel(), L[24])
assert_type(x.size(1), L[3])
assert_type(x.size(), tuple[L[2], L[3], L[4]])
assert_type(dev.zeros((x.size(-1), x.numel())), sh.Tensor[tuple[L[4], L[24]]])
assert_type(dev.zeros((u.size(0), u.size(dim=1))), sh.Tensor[tuple[int, L[4]]])

B = TypeVar("B", bound=int)


def generic(t: sh.Tensor[tuple[B, L[4]]]) -> None:
    """A TypeVar dim: kept where it passes through, never split into a guessed count."""
    assert_type(t.split(2, 1), tuple[sh.Tensor[tuple[B, L[2]]], sh.Tensor[tuple[B, L[2]]]])
    assert_type(t.unbind(0), tuple[sh.Tensor[tuple[Any, ...]], ...])
    assert_type(t.chunk(2, 0), tuple[sh.Tensor[tuple[Any, ...]], ...])
    assert_type(t.repeat(1, 2), sh.Tensor[tuple[B, L[8]]])
    assert_type(t.flip(0).tril(), sh.Tensor[tuple[B, L[4]]])
    assert_type(t.numel(), int)
    assert_type(t.size(0), int)
    assert_type(t.size(1), L[4])


generic(dev.randn((3, 4)))
