"""Shape and dtype mistakes in einsum, outer, bmm, addmm, baddbmm and F.cosine_similarity."""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
a: sh.Tensor[tuple[L[8], L[2], L[3]]] = dev.randn((8, 2, 3))
b: sh.Tensor[tuple[L[8], L[3], L[4]]] = dev.randn((8, 3, 4))
c: sh.Tensor[tuple[L[4], L[3], L[4]]] = dev.randn((4, 3, 4))
m: sh.Tensor[tuple[L[2], L[3]]] = dev.randn((2, 3))
n: sh.Tensor[tuple[L[3], L[4]]] = dev.randn((3, 4))
u: sh.Tensor[tuple[L[2]]] = dev.randn((2,))
rect: sh.Tensor[tuple[L[2], L[3]]] = dev.randn((2, 3))
counts = dev.tensor([[1, 2], [3, 4]])

# einsum: letters must agree, one term per operand, one letter per dim
sh.einsum("bij,bjk->bik", a, c)  # type: ignore[shape]  # E: einsum: 'bij,bjk->bik': subscript b has size 4 for operand 1 (4, 3, 4), which does not broadcast with the size 8 seen before
sh.einsum("ij,jk->ik", m, m)  # type: ignore[shape]  # E: subscript j has size 2 for operand 1
sh.einsum("ii->i", rect)  # type: ignore[shape]  # E: subscript i is repeated for operand 0 (2, 3) but its sizes differ (2 != 3)
sh.einsum("ij,jk->ik", m)  # type: ignore[shape]  # E: einsum: fewer operands were given (1) than the equation 'ij,jk->ik' names (2)
sh.einsum("ijk", m)  # type: ignore[shape]  # E: operand 0 has 2 dims but its subscripts 'ijk' name 3 and there is no ellipsis
sh.einsum("ij->ii", m)  # type: ignore[shape]  # E: output subscript i appears more than once
sh.einsum("ij->k", m)  # type: ignore[shape]  # E: output subscript k appears in no input's subscripts
sh.einsum("i1", m)  # type: ignore[shape]  # E: invalid subscript '1' in operand 0
sh.einsum("...i,...i", a, n)  # type: ignore[shape]  # E: subscript an ellipsis dim has size 3 for operand 1

# outer and bmm: ranks and sizes
sh.outer(m, u)  # type: ignore[shape]  # E: outer: needs two 1-D tensors, got (2, 3) and (2,)
m.outer(u)  # type: ignore[shape]  # E: outer: needs two 1-D tensors
sh.bmm(a, c)  # type: ignore[shape]  # E: bmm: (8, 2, 3) and (4, 3, 4): batch sizes 8 != 4
a.bmm(a)  # type: ignore[shape]  # E: bmm: (8, 2, 3) @ (8, 2, 3): inner dims 3 != 2
sh.bmm(m, n)  # type: ignore[shape]  # E: bmm: needs two 3-D tensors (B, N, M) and (B, M, P), got (2, 3) and (3, 4)

# addmm and baddbmm: the product's inner dims, and the added tensor broadcasts to the product
sh.addmm(u, m, n)  # type: ignore[shape]  # E: addmm: input (2,) does not broadcast to the product's shape (2, 4)
sh.addmm(u, m, m)  # type: ignore[shape]  # E: addmm: (2, 3) @ (2, 3): inner dims 3 != 2
n.addmm(n, n)  # type: ignore[shape]  # E: addmm: (3, 4) @ (3, 4): inner dims 4 != 3
sh.baddbmm(m, a, b)  # type: ignore[shape]  # E: baddbmm: input (2, 3) does not broadcast to the product's shape (8, 2, 4)
u.baddbmm(a, c)  # type: ignore[shape]  # E: baddbmm: (8, 2, 3) and (4, 3, 4): batch sizes 8 != 4

# cosine_similarity: broadcasting, the dim, float inputs
F.cosine_similarity(m, n)  # type: ignore[shape]  # E: cosine_similarity: shapes (2, 3) and (3, 4) do not broadcast
F.cosine_similarity(m, m, dim=2)  # type: ignore[shape]  # E: cosine_similarity: axis 2 is out of range for a tensor of rank 2
F.cosine_similarity(m, m, axis=-3)  # type: ignore[shape]  # E: cosine_similarity: axis -3 is out of range
F.cosine_similarity(counts, counts)  # type: ignore[dtype]  # E: cosine_similarity: needs a floating-point tensor, got Int64

# one dtype for every operand: no implicit promotion
sh.bmm(a, b.to(sh.Float64))  # type: ignore[dtype]  # E: bmm: dtypes differ (Float32 and Float64); there is no implicit promotion
sh.einsum("bij,bjk->bik", a, b.to(sh.Float64))  # type: ignore[misc]  # E: Cannot infer value of type parameter "D" of "einsum"
m.addmm(m, n.to(sh.Float64))  # type: ignore[dtype]  # E: addmm: dtypes differ (Float32 and Float64)
