"""Code as PyTorch users write it: numpy data, creation sizes, randn's dtype."""

from __future__ import annotations

from typing import Literal as L

import numpy as np

import shaped as sh
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
weight: sh.Tensor[tuple[L[2], L[4]]] = dev.randn((2, 4))
kernel: sh.Tensor[tuple[L[2], L[1], L[3], L[3]]] = dev.randn((2, 1, 3, 3))

# numpy's default float is float64, shaped's Float32: the most common real dtype bug
data = dev.tensor(np.random.default_rng(0).standard_normal((8, 4)))
F.linear(data, weight)  # type: ignore[dtype]  # E: linear: dtypes differ (Float64 and Float32); the weights are Float32: convert the data with dev.tensor(array, dtype=sh.Float32) or x.to(sh.Float32)
images = dev.tensor(np.zeros((1, 1, 5, 5)))
F.conv2d(images, kernel)  # type: ignore[dtype]  # E: conv2d: dtypes differ (Float64 and Float32); the weights are Float32: convert the data
F.layer_norm(data, dev.ones((4,)), None)  # type: ignore[dtype]  # E: layer_norm: dtypes differ (Float64 and Float32); the weights are Float32
data * dev.ones((8, 4))  # type: ignore[dtype]  # E: mul: dtypes differ (Float64 and Float32); there is no implicit promotion
F.linear(dev.tensor(np.zeros((8, 4)), dtype=sh.Float32), weight)
F.linear(data.to(sh.Float32), weight)
F.linear(dev.tensor(np.zeros((8, 4), dtype=np.float32)), weight)

# sizes and steps the run time rejects, with its messages
dev.eye(-2)  # type: ignore[shape]  # E: eye: negative dimension in shape (-2, -2); sizes are >= 0 (use 0 for empty)
dev.eye(3, -1)  # type: ignore[shape]  # E: eye: negative dimension in shape (3, -1)
dev.arange(0, 10, 0)  # type: ignore[shape]  # E: arange: step must not be 0
dev.arange(5, step=0)  # type: ignore[shape]  # E: arange: step must not be 0
dev.zeros((2, -1))  # type: ignore[shape]  # E: zeros: negative dimension in shape (2, -1)
dev.full((-3,), 1.0)  # type: ignore[shape]  # E: full: negative dimension in shape (-3,)
dev.randn((2,), dtype=sh.Int64)  # type: ignore[dtype]  # E: randn: needs a float dtype, got Int64
dev.rand((2,), sh.Bool)  # type: ignore[dtype]  # E: rand: needs a float dtype, got Bool
dev.eye(0)
dev.arange(0, 10, -1)
dev.randn((2,), dtype=sh.Float64)

# joining nothing
sh.stack([])  # type: ignore[shape]  # E: stack: needs at least one tensor
sh.concat(())  # type: ignore[shape]  # E: concat: needs at least one tensor
