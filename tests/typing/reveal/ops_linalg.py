"""einsum, outer, bmm, addmm, baddbmm and F.cosine_similarity: shapes computed by the plugin."""

from __future__ import annotations

from typing import Any, assert_type
from typing import Literal as L

import shaped as sh
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
grads = sh.Gradients()
a: sh.Tensor[tuple[L[8], L[2], L[3]]] = dev.randn((8, 2, 3))
b: sh.Tensor[tuple[L[8], L[3], L[4]]] = dev.randn((8, 3, 4))
m: sh.Tensor[tuple[L[2], L[3]]] = dev.randn((2, 3))
n: sh.Tensor[tuple[L[3], L[4]]] = dev.randn((3, 4))
u: sh.Tensor[tuple[L[2]]] = dev.randn((2,))
v: sh.Tensor[tuple[L[5]]] = dev.randn((5,))
bias: sh.Tensor[tuple[L[4]]] = dev.zeros((4,))
square: sh.Tensor[tuple[L[3], L[3]]] = dev.randn((3, 3))
wide: sh.Tensor[tuple[L[5], L[1], L[2], L[3]]] = dev.randn((5, 1, 2, 3))
n_rows: int = 6
rows: sh.Tensor[tuple[int, L[3]]] = dev.randn((n_rows, 3))

# einsum: explicit and implicit output, ellipsis, diagonals, broadcasting size-1 letters
assert_type(sh.einsum("bij,bjk->bik", a, b), sh.Tensor[tuple[L[8], L[2], L[4]]])
assert_type(sh.einsum("bij,bjk", a, b), sh.Tensor[tuple[L[2], L[4]]])  # b is summed
assert_type(sh.einsum("ij,jk", m, n), sh.Tensor[tuple[L[2], L[4]]])
assert_type(sh.einsum("ij->ji", m), sh.Tensor[tuple[L[3], L[2]]])
assert_type(sh.einsum("ij->", m), sh.Tensor[tuple[()]])
assert_type(sh.einsum("ii->i", square), sh.Tensor[tuple[L[3]]])
assert_type(sh.einsum("ii", square), sh.Tensor[tuple[()]])
assert_type(sh.einsum("i,j->ij", u, v), sh.Tensor[tuple[L[2], L[5]]])
assert_type(sh.einsum("...ij,...jk->...ik", wide, n), sh.Tensor[tuple[L[5], L[1], L[2], L[4]]])
assert_type(sh.einsum("...ij,jk", wide, n), sh.Tensor[tuple[L[5], L[1], L[2], L[4]]])
assert_type(sh.einsum("...ij->ij", wide), sh.Tensor[tuple[L[2], L[3]]])
assert_type(sh.einsum("bA", m), sh.Tensor[tuple[L[3], L[2]]])  # upper case first
assert_type(sh.einsum("ij,kj->ik", rows, m), sh.Tensor[tuple[int, L[2]]])
assert_type(
    sh.einsum("bij,bjk->bik", a.traced(grads), b),
    sh.Tensor[tuple[L[8], L[2], L[4]], sh.Float32, sh.Cpu, sh.OwnedTape],
)
assert_type(sh.einsum("ij->i", m.to(sh.Float64)), sh.Tensor[tuple[L[2]], sh.Float64])

# outer, bmm: functions and methods
assert_type(sh.outer(u, v), sh.Tensor[tuple[L[2], L[5]]])
assert_type(u.outer(v), sh.Tensor[tuple[L[2], L[5]]])
assert_type(u.outer(v.trace()), sh.Tensor[tuple[L[2], L[5]], sh.Float32, sh.Cpu, sh.OwnedTape])
assert_type(sh.bmm(a, b), sh.Tensor[tuple[L[8], L[2], L[4]]])
assert_type(a.bmm(b), sh.Tensor[tuple[L[8], L[2], L[4]]])
assert_type(a.trace().bmm(b), sh.Tensor[tuple[L[8], L[2], L[4]], sh.Float32, sh.Cpu, sh.OwnedTape])

# addmm, baddbmm: the added tensor broadcasts to the product
assert_type(sh.addmm(bias, m, n), sh.Tensor[tuple[L[2], L[4]]])
assert_type(bias.addmm(m, n, beta=0.5, alpha=2.0), sh.Tensor[tuple[L[2], L[4]]])
assert_type(
    sh.addmm(bias, m.trace(), n), sh.Tensor[tuple[L[2], L[4]], sh.Float32, sh.Cpu, sh.OwnedTape]
)
assert_type(sh.baddbmm(bias, a, b), sh.Tensor[tuple[L[8], L[2], L[4]]])
assert_type(bias.baddbmm(a, b, alpha=0.5), sh.Tensor[tuple[L[8], L[2], L[4]]])

# cosine_similarity: dim 1 by default, inputs broadcast
assert_type(F.cosine_similarity(m, m), sh.Tensor[tuple[L[2]]])
assert_type(F.cosine_similarity(a, a, dim=-1), sh.Tensor[tuple[L[8], L[2]]])
assert_type(F.cosine_similarity(a, a, axis=2), sh.Tensor[tuple[L[8], L[2]]])
assert_type(F.cosine_similarity(a, a, 0), sh.Tensor[tuple[L[2], L[3]]])
assert_type(F.cosine_similarity(wide, m, dim=0), sh.Tensor[tuple[L[1], L[2], L[3]]])
assert_type(
    F.cosine_similarity(m.trace(), m), sh.Tensor[tuple[L[2]], sh.Float32, sh.Cpu, sh.OwnedTape]
)
unknown: sh.Tensor[tuple[Any, ...]] = dev.randn((2, 3))
assert_type(F.cosine_similarity(unknown, unknown), sh.Tensor[tuple[Any, ...]])
some_vector: sh.Tensor[tuple[Any, ...]] = dev.randn((4,))
some_batch: sh.Tensor[tuple[Any, ...]] = dev.randn((2, 3, 3))
assert_type(some_vector.outer(some_vector), sh.Tensor[tuple[int, int]])
assert_type(sh.bmm(some_batch, some_batch), sh.Tensor[tuple[int, int, int]])
assert_type(sh.einsum("ij,kj", unknown, unknown), sh.Tensor[tuple[Any, ...]])
assert_type(sh.einsum("ij,jk", rows, n), sh.Tensor[tuple[int, L[4]]])
