"""Elementwise math and activations: shape, dtype and device mistakes, with the run time's texts."""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[2], L[3]]] = dev.randn((2, 3))
y: sh.Tensor[tuple[L[4]]] = dev.randn((4,))
x64: sh.Tensor[tuple[L[2], L[3]], sh.Float64] = dev.randn((2, 3), dtype=sh.Float64)
ints: sh.Tensor[tuple[L[4]], sh.Int64] = dev.tensor([1, 2, 3, 4])
mask: sh.Tensor[tuple[L[4]], sh.Bool] = ints > 2
img: sh.Tensor[tuple[L[8], L[4], L[5], L[5]]] = dev.randn((8, 4, 5, 5))

x.atan2(y)  # type: ignore[shape]  # E: atan2: shapes (2, 3) and (4,) do not broadcast
x.logaddexp(x64)  # type: ignore[dtype]  # E: logaddexp: dtypes differ (Float32 and Float64)
x // y  # type: ignore[shape]  # E: floor_divide: shapes (2, 3) and (4,) do not broadcast
x % y  # type: ignore[shape]  # E: remainder: shapes (2, 3) and (4,) do not broadcast
mask // mask  # type: ignore[dtype]  # E: floor_divide: Bool tensors have no floor_divide
ints & y  # type: ignore[dtype]  # E: bitwise_and: dtypes differ (Int64 and Float32)
x & x  # type: ignore[dtype]  # E: bitwise_and: needs a Bool or integer tensor, got Float32
_ = ~x  # type: ignore[dtype]  # E: bitwise_not: needs a Bool or integer tensor, got Float32
mask | ints  # type: ignore[dtype]  # E: bitwise_or: dtypes differ (Bool and Int64)
x.lerp(y, 0.5)  # type: ignore[shape]  # E: lerp: shapes (2, 3) and (4,) do not broadcast
x.lerp(x, y)  # type: ignore[shape]  # E: lerp: shapes (2, 3) and (2, 3) and (4,) do not broadcast
x.clamp(y, 1.0)  # type: ignore[shape]  # E: clamp: shapes (2, 3) and (4,) do not broadcast
ints.tan()  # type: ignore[dtype]  # E: tan: needs a floating-point tensor, got Int64
ints.rsqrt()  # type: ignore[dtype]  # E: rsqrt: needs a floating-point tensor, got Int64
mask.floor()  # type: ignore[dtype]  # E: floor: Bool tensors have no floor
x.softmax(2)  # type: ignore[shape]  # E: softmax: axis 2 is out of range for a tensor of rank 2
F.silu(ints)  # type: ignore[dtype]  # E: silu: needs a floating-point tensor, got Int64
F.hardswish(mask)  # type: ignore[dtype]  # E: hardswish: needs a floating-point tensor, got Bool
F.softmin(x, 3)  # type: ignore[shape]  # E: softmin: axis 3 is out of range for a tensor of rank 2
F.glu(x)  # type: ignore[shape]  # E: glu: axis -1 has size 3, which is odd
F.glu(img, 4)  # type: ignore[shape]  # E: glu: axis 4 is out of range for a tensor of rank 4
F.prelu(img, y.reshape(2, 2))  # type: ignore[shape]  # E: prelu: weight must have rank 1
F.prelu(img, dev.randn((3,)))  # type: ignore[shape]  # E: prelu: weight has 3 slopes but x of shape (8, 4, 5, 5) has 4 channels
img.prelu(dev.randn((3,)))  # type: ignore[shape]  # E: prelu: weight has 3 slopes
sh.nn.Sequential(sh.nn.Linear(3, 8), sh.nn.SiLU(), sh.nn.Linear(4, 2))(x)  # type: ignore[shape]  # E: Sequential layer 2 (Linear[4, 2]): linear: Linear[4, 2] expects (..., 4), got (2, 8)
