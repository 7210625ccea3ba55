"""Broadcasting, scalars, comparisons and unary ops: shapes, dtypes, devices and tapes."""

from __future__ import annotations

from typing import Literal as L
from typing import assert_type

import shaped as sh

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[2], L[3]]] = dev.randn((2, 3))
row: sh.Tensor[tuple[L[3]]] = dev.randn((3,))
col: sh.Tensor[tuple[L[2], L[1]]] = dev.randn((2, 1))
batch: sh.Tensor[tuple[L[5], L[1], L[3]]] = dev.randn((5, 1, 3))
scalar = x.sum()
grads = sh.Gradients()
xt = x.traced(grads)

# broadcasting: trailing dims align, 1 stretches, batch dims lead
assert_type(x + x, sh.Tensor[tuple[L[2], L[3]]])
assert_type(x + row, sh.Tensor[tuple[L[2], L[3]]])
assert_type(row + x, sh.Tensor[tuple[L[2], L[3]]])
assert_type(x - col, sh.Tensor[tuple[L[2], L[3]]])
assert_type(col * row, sh.Tensor[tuple[L[2], L[3]]])
assert_type(x / batch, sh.Tensor[tuple[L[5], L[2], L[3]]])
assert_type(batch.abs() ** col, sh.Tensor[tuple[L[5], L[2], L[3]]])
assert_type(x + scalar, sh.Tensor[tuple[L[2], L[3]]])
assert_type(scalar * row, sh.Tensor[tuple[L[3]]])
assert_type(x.maximum(col), sh.Tensor[tuple[L[2], L[3]]])
assert_type(row.minimum(batch), sh.Tensor[tuple[L[5], L[1], L[3]]])

# Python numbers take the tensor's dtype and shape, on either side
assert_type(x + 1.0, sh.Tensor[tuple[L[2], L[3]]])
assert_type(x * 2, sh.Tensor[tuple[L[2], L[3]]])
assert_type(2.0 - x, sh.Tensor[tuple[L[2], L[3]]])
assert_type(1.0 / x, sh.Tensor[tuple[L[2], L[3]]])
assert_type(2.0**x, sh.Tensor[tuple[L[2], L[3]]])
assert_type(-x, sh.Tensor[tuple[L[2], L[3]]])
ints = dev.tensor([1, 2, 3])
assert_type(ints * 2, sh.Tensor[tuple[L[3]], sh.Int64])
assert_type(ints + ints, sh.Tensor[tuple[L[3]], sh.Int64])

# comparisons give Bool tensors with no tape
assert_type(x > 0.0, sh.Tensor[tuple[L[2], L[3]], sh.Bool])
assert_type(x == row, sh.Tensor[tuple[L[2], L[3]], sh.Bool])
assert_type(col <= row, sh.Tensor[tuple[L[2], L[3]], sh.Bool])
assert_type(xt != 0.0, sh.Tensor[tuple[L[2], L[3]], sh.Bool])
assert_type(xt >= xt, sh.Tensor[tuple[L[2], L[3]], sh.Bool])

# unary ops keep everything
assert_type(x.abs().sqrt().exp().log(), sh.Tensor[tuple[L[2], L[3]]])
assert_type(x.square().sin().cos().tanh().sigmoid(), sh.Tensor[tuple[L[2], L[3]]])
assert_type(x.relu().gelu().gelu("tanh").leaky_relu(0.2), sh.Tensor[tuple[L[2], L[3]]])
assert_type(x.clamp(min=0.0, max=1.0), sh.Tensor[tuple[L[2], L[3]]])

# the tape moves to the result from either side; dtypes and devices carry through
Owned = sh.OwnedTape
assert_type(xt, sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, Owned])
assert_type(xt + row, sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, Owned])
assert_type(row + xt, sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, Owned])
assert_type(batch * xt, sh.Tensor[tuple[L[5], L[2], L[3]], sh.Float32, sh.Cpu, Owned])
assert_type(2.0 * xt, sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, Owned])
assert_type(xt.exp().maximum(x), sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, Owned])
assert_type(x.minimum(xt), sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, Owned])
assert_type(xt.detach(), sh.Tensor[tuple[L[2], L[3]]])
assert_type(x.trace() * xt, sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, Owned])
x64 = x.to(sh.Float64)
assert_type(x64, sh.Tensor[tuple[L[2], L[3]], sh.Float64])
assert_type(x64 + row.to(sh.Float64), sh.Tensor[tuple[L[2], L[3]], sh.Float64])
assert_type(x64 * 0.5, sh.Tensor[tuple[L[2], L[3]], sh.Float64])
assert_type(x64.traced(grads) + 1.0, sh.Tensor[tuple[L[2], L[3]], sh.Float64, sh.Cpu, Owned])
assert_type(x.to(sh.Cpu()), sh.Tensor[tuple[L[2], L[3]]])


def on_gpu(g: sh.Tensor[tuple[L[2], L[3]], sh.Float16, sh.Cuda]) -> None:
    """The device parameter flows through like the dtype (not run: no GPU needed)."""
    assert_type(g + g.sum(axis=0), sh.Tensor[tuple[L[2], L[3]], sh.Float16, sh.Cuda])
    assert_type(g > 0.0, sh.Tensor[tuple[L[2], L[3]], sh.Bool, sh.Cuda])
    assert_type(x.to(sh.Cuda()) * 2.0, sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cuda])
    assert_type(g.to(sh.Cpu()).to(sh.Float32) + x, sh.Tensor[tuple[L[2], L[3]]])
