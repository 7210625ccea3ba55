"""matmul (2-D, batched, 1-D), sh.matmul, .T, .mT and F.linear."""

from __future__ import annotations

from typing import Literal as L
from typing import assert_type

import shaped as sh
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
a: sh.Tensor[tuple[L[2], L[3]]] = dev.randn((2, 3))
b: sh.Tensor[tuple[L[3], L[4]]] = dev.randn((3, 4))
v: sh.Tensor[tuple[L[3]]] = dev.randn((3,))
u: sh.Tensor[tuple[L[2]]] = dev.randn((2,))
batched: sh.Tensor[tuple[L[8], L[2], L[3]]] = dev.randn((8, 2, 3))
stacked: sh.Tensor[tuple[L[8], L[3], L[4]]] = dev.randn((8, 3, 4))
broad: sh.Tensor[tuple[L[5], L[1], L[3], L[4]]] = dev.randn((5, 1, 3, 4))
grads = sh.Gradients()

assert_type(a @ b, sh.Tensor[tuple[L[2], L[4]]])
assert_type(batched @ b, sh.Tensor[tuple[L[8], L[2], L[4]]])
assert_type(batched @ stacked, sh.Tensor[tuple[L[8], L[2], L[4]]])
assert_type(a @ stacked, sh.Tensor[tuple[L[8], L[2], L[4]]])
assert_type(batched @ broad, sh.Tensor[tuple[L[5], L[8], L[2], L[4]]])
assert_type(a @ v, sh.Tensor[tuple[L[2]]])
assert_type(v @ b, sh.Tensor[tuple[L[4]]])
assert_type(v @ v, sh.Tensor[tuple[()]])
assert_type(u @ a, sh.Tensor[tuple[L[3]]])
assert_type(batched @ v, sh.Tensor[tuple[L[8], L[2]]])
assert_type(u @ batched, sh.Tensor[tuple[L[8], L[3]]])
assert_type(sh.matmul(a, b), sh.Tensor[tuple[L[2], L[4]]])
assert_type(sh.matmul(batched, v), sh.Tensor[tuple[L[8], L[2]]])
assert_type(a.traced(grads) @ b, sh.Tensor[tuple[L[2], L[4]], sh.Float32, sh.Cpu, sh.OwnedTape])
assert_type(a @ b.trace(), sh.Tensor[tuple[L[2], L[4]], sh.Float32, sh.Cpu, sh.OwnedTape])
assert_type(sh.matmul(a, b.trace()), sh.Tensor[tuple[L[2], L[4]], sh.Float32, sh.Cpu, sh.OwnedTape])

# transposes
assert_type(a.T, sh.Tensor[tuple[L[3], L[2]]])
assert_type(v.T, sh.Tensor[tuple[L[3]]])
assert_type(broad.T, sh.Tensor[tuple[L[4], L[3], L[1], L[5]]])
assert_type(a.mT, sh.Tensor[tuple[L[3], L[2]]])
assert_type(broad.mT, sh.Tensor[tuple[L[5], L[1], L[4], L[3]]])
assert_type(b.T @ a.T, sh.Tensor[tuple[L[4], L[2]]])
assert_type(batched @ batched.mT, sh.Tensor[tuple[L[8], L[2], L[2]]])

# linear: weight (out, in) as PyTorch stores it; batch dims pass through
w: sh.Tensor[tuple[L[10], L[3]]] = dev.randn((10, 3))
bias: sh.Tensor[tuple[L[10]]] = dev.zeros((10,))
assert_type(F.linear(a, w), sh.Tensor[tuple[L[2], L[10]]])
assert_type(F.linear(a, w, bias), sh.Tensor[tuple[L[2], L[10]]])
assert_type(F.linear(batched, w, bias), sh.Tensor[tuple[L[8], L[2], L[10]]])
assert_type(F.linear(v, w), sh.Tensor[tuple[L[10]]])
assert_type(
    F.linear(a.trace(), w, bias), sh.Tensor[tuple[L[2], L[10]], sh.Float32, sh.Cpu, sh.OwnedTape]
)
assert_type(F.linear(a.to(sh.Float64), w.to(sh.Float64)), sh.Tensor[tuple[L[2], L[10]], sh.Float64])
