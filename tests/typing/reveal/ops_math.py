"""Elementwise math and activations (issue 11 items 4 and 5): shapes, dtypes and tapes."""

from __future__ import annotations

from typing import Literal as L
from typing import assert_type

import shaped as sh
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[2], L[3]]] = dev.randn((2, 3))
row: sh.Tensor[tuple[L[3]]] = dev.randn((3,))
col: sh.Tensor[tuple[L[2], L[1]]] = dev.randn((2, 1))
ints: sh.Tensor[tuple[L[4]], sh.Int64] = dev.tensor([1, 2, 3, 4])
mask: sh.Tensor[tuple[L[2], L[3]], sh.Bool] = x > 0
img: sh.Tensor[tuple[L[8], L[4], L[5], L[5]]] = dev.randn((8, 4, 5, 5))
slopes: sh.Tensor[tuple[L[4]]] = dev.randn((4,))
xt = x.trace()

# unary math keeps everything
assert_type(x.floor(), sh.Tensor[tuple[L[2], L[3]]])
assert_type(ints.round(), sh.Tensor[tuple[L[4]], sh.Int64])
assert_type(x.sign(), sh.Tensor[tuple[L[2], L[3]]])
assert_type(x.erf().tan().sinh().cosh().asinh(), sh.Tensor[tuple[L[2], L[3]]])
assert_type(x.exp2().log1p().expm1().rsqrt().reciprocal(), sh.Tensor[tuple[L[2], L[3]]])
assert_type(xt.atan().log2(), sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, sh.OwnedTape])
assert_type(x.isnan(), sh.Tensor[tuple[L[2], L[3]], sh.Bool])
assert_type(xt.isfinite(), sh.Tensor[tuple[L[2], L[3]], sh.Bool])
assert_type(x.nan_to_num(posinf=1.0), sh.Tensor[tuple[L[2], L[3]]])
assert_type(x.softmax(1), sh.Tensor[tuple[L[2], L[3]]])
assert_type(xt.log_softmax(), sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, sh.OwnedTape])

# broadcasting binary ops
assert_type(x.atan2(row), sh.Tensor[tuple[L[2], L[3]]])
assert_type(col.logaddexp(row), sh.Tensor[tuple[L[2], L[3]]])
assert_type(col // row, sh.Tensor[tuple[L[2], L[3]]])
assert_type(row % col, sh.Tensor[tuple[L[2], L[3]]])
assert_type(x % 2.0, sh.Tensor[tuple[L[2], L[3]]])
assert_type(2.0 % x, sh.Tensor[tuple[L[2], L[3]]])
assert_type(ints // 2, sh.Tensor[tuple[L[4]], sh.Int64])
assert_type(xt.atan2(col), sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, sh.OwnedTape])
assert_type(col.atan2(xt), sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, sh.OwnedTape])

# logical and bitwise: the operands' dtype, no tape
assert_type(mask & (x < 1), sh.Tensor[tuple[L[2], L[3]], sh.Bool])
assert_type(mask | True, sh.Tensor[tuple[L[2], L[3]], sh.Bool])
assert_type(~mask, sh.Tensor[tuple[L[2], L[3]], sh.Bool])
assert_type(ints ^ 3, sh.Tensor[tuple[L[4]], sh.Int64])
assert_type(6 & ints, sh.Tensor[tuple[L[4]], sh.Int64])

# lerp and clamp with tensor bounds broadcast their operands
assert_type(col.lerp(row, 0.5), sh.Tensor[tuple[L[2], L[3]]])
assert_type(x.lerp(x, col), sh.Tensor[tuple[L[2], L[3]]])
assert_type(xt.lerp(x, 0.5), sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, sh.OwnedTape])
assert_type(col.clamp(row, 1.0), sh.Tensor[tuple[L[2], L[3]]])
assert_type(x.clamp(min=col), sh.Tensor[tuple[L[2], L[3]]])
assert_type(x.clamp(-1.0, 1.0), sh.Tensor[tuple[L[2], L[3]]])

# activations
assert_type(F.silu(x), sh.Tensor[tuple[L[2], L[3]]])
assert_type(
    F.softplus(F.elu(xt, 0.5), beta=2.0),
    sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, sh.OwnedTape],
)
assert_type(F.hardtanh(F.mish(x), -2.0, 2.0), sh.Tensor[tuple[L[2], L[3]]])
assert_type(F.softmin(x, 0), sh.Tensor[tuple[L[2], L[3]]])
assert_type(F.glu(img, 1), sh.Tensor[tuple[L[8], L[2], L[5], L[5]]])
assert_type(F.glu(dev.randn((3, 6))), sh.Tensor[tuple[L[3], L[3]]])
assert_type(F.prelu(img, slopes), sh.Tensor[tuple[L[8], L[4], L[5], L[5]]])
assert_type(
    img.prelu(slopes.trace()),
    sh.Tensor[tuple[L[8], L[4], L[5], L[5]], sh.Float32, sh.Cpu, sh.OwnedTape],
)

# modules keep the shape, also in a Sequential
net = sh.nn.Sequential(sh.nn.Linear(3, 8), sh.nn.SiLU(), sh.nn.Hardswish(), sh.nn.Linear(8, 2))
assert_type(net(x), sh.Tensor[tuple[L[2], L[2]]])
assert_type(sh.nn.PReLU()(x), sh.Tensor[tuple[L[2], L[3]]])
assert_type(sh.nn.ELU(0.3)(xt), sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, sh.OwnedTape])
