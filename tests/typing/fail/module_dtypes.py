"""Layers carry their parameters' dtype (Float32 unless dtype= or .to() says otherwise):
data of another float dtype is [dtype], with the run time's message."""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped import nn

dev = sh.Cpu(seed=0)
x64: sh.Tensor[tuple[L[8], L[4]], sh.Float64] = dev.randn((8, 4), dtype=sh.Float64)
x32: sh.Tensor[tuple[L[8], L[4]]] = dev.randn((8, 4))
images64 = dev.randn((2, 3, 8, 8), dtype=sh.Float64)

nn.Linear(4, 2)(x64)  # type: ignore[dtype]  # E: linear: dtypes differ (Float64 and Float32); the weights are Float32: convert the data with dev.tensor(array, dtype=sh.Float32) or x.to(sh.Float32)
nn.Linear(4, 2, dtype=sh.Float64)(x32)  # type: ignore[dtype]  # E: linear: dtypes differ (Float32 and Float64); the weights are Float64
nn.Linear(4, 2).to(sh.Float64)(x32)  # type: ignore[dtype]  # E: linear: dtypes differ (Float32 and Float64)
nn.Conv2d(3, 4, 3)(images64)  # type: ignore[dtype]  # E: conv2d: dtypes differ (Float64 and Float32)
nn.LayerNorm(4)(x64)  # type: ignore[dtype]  # E: layer_norm: dtypes differ (Float64 and Float32)
nn.Sequential(nn.Linear(4, 8), nn.ReLU())(x64)  # type: ignore[dtype]  # E: Sequential layer 0 (Linear[4, 8]): linear: dtypes differ (Float64 and Float32)
nn.Sequential(nn.Linear(4, 8, dtype=sh.Float64), nn.Linear(8, 2))(x64)  # type: ignore[dtype]  # E: Sequential layer 1 (Linear[8, 2]): linear: dtypes differ (Float64 and Float32)

# matching dtypes are clean, and the result has the parameters' dtype
y64: sh.Tensor[tuple[L[8], L[2]], sh.Float64] = nn.Linear(4, 2, dtype=sh.Float64)(x64)
y32: sh.Tensor[tuple[L[8], L[2]], sh.Float32] = nn.Linear(4, 2)(x32)
