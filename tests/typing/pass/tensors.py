"""Valid programs: zero errors under mypy and pyright (pure typing, no plugin needed)."""

from __future__ import annotations

from typing import Any, TypeVar, assert_type
from typing import Literal as L

import shaped as sh

S = TypeVar("S", bound=tuple[Any, ...])
Dt = TypeVar("Dt")
Dv = TypeVar("Dv")
Tp = TypeVar("Tp")

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[2], L[3]]] = dev.zeros((2, 3))
row: sh.Tensor[tuple[L[3]]] = dev.ones((3,))
w: sh.Tensor[tuple[L[3], L[4]]] = dev.randn((3, 4))

# same-shape ops keep the shape; broadcasting is accepted and degrades to Any dims
same = x + x
assert_type(same, sh.Tensor[tuple[L[2], L[3]]])
wide = x + row
scaled = 2.0 * x - 1.0
assert_type(scaled, sh.Tensor[tuple[L[2], L[3]]])
assert_type(x.exp().relu().tanh(), sh.Tensor[tuple[L[2], L[3]]])

# matmul carries literal dims through pure typing
prod = x @ w
assert_type(prod, sh.Tensor[tuple[L[2], L[4]]])
batch: sh.Tensor[tuple[L[8], L[2], L[3]]] = dev.randn((8, 2, 3))
assert_type(batch @ w, sh.Tensor[tuple[L[8], L[2], L[4]]])

# the tape moves to results, from either side
grads = sh.Gradients()
xt = x.traced(grads)
assert_type(xt, sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, sh.OwnedTape])
assert_type(x * xt, sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, sh.OwnedTape])
assert_type(xt @ w, sh.Tensor[tuple[L[2], L[4]], sh.Float32, sh.Cpu, sh.OwnedTape])
loss = (xt @ w).relu().mean()
assert_type(loss, sh.Tensor[tuple[()], sh.Float32, sh.Cpu, sh.OwnedTape])
g = loss.backward()
grad_w: sh.Tensor[tuple[L[3], L[4]]] = g[w]

# dtypes and devices
x64 = dev.zeros((2, 3), dtype=sh.Float64)
back = x64.to(sh.Float32)
moved = x.to(sh.Cpu())
labels = (x > 0.0).sum(axis=1)
idx = x.argmax(axis=1)
idx_typed: sh.Tensor[tuple[Any, ...], sh.Int64, sh.Cpu] = idx


# user generic code over shape, dtype, device and tape
def double(t: sh.Tensor[S, Dt, Dv, Tp]) -> sh.Tensor[S, Dt, Dv, Tp]:
    return (t * 2.0).exp()


kept: sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, sh.OwnedTape] = double(x.trace())

# reshape / flatten give int dims when the rank is known
flat: sh.Tensor[tuple[int]] = x.reshape(6)
two: sh.Tensor[tuple[int, int]] = x.reshape(3, -1)
from_list = x.reshape([3, 2])  # a list or a tuple of sizes works too, as in torch
from_tuple = x.permute((1, 0))
realized = x.flatten().realize((6,))
anything: sh.Tensor[tuple[L[3], L[2]]] = x.T
