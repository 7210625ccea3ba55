"""Adaptive 1-d pooling: the shape mistakes mypy reports with the rule's message."""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped import nn
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
signal: sh.Tensor[tuple[L[2], L[4], L[32]]] = dev.randn((2, 4, 32))
img: sh.Tensor[tuple[L[8], L[3], L[32], L[32]]] = dev.randn((8, 3, 32, 32))
empty: sh.Tensor[tuple[L[2], L[4], L[0]]] = dev.randn((2, 4, 0))

F.adaptive_avg_pool1d(img, 2)  # type: ignore[shape]  # E: adaptive_avg_pool1d: input must be (N, C, L) or (C, L), got (8, 3, 32, 32)
F.adaptive_max_pool1d(signal, 0)  # type: ignore[shape]  # E: adaptive_max_pool1d: output_size must be >= 1, got 0
F.adaptive_avg_pool1d(empty, 1)  # type: ignore[shape]  # E: adaptive_avg_pool1d: L must not be zero, got input (2, 4, 0)
nn.AdaptiveAvgPool1d(4)(img)  # type: ignore[shape]  # E: adaptive_avg_pool1d: input must be (N, C, L) or (C, L), got (8, 3, 32, 32)
nn.AdaptiveMaxPool1d(2)(empty)  # type: ignore[shape]  # E: adaptive_max_pool1d: L must not be zero, got input (2, 4, 0)
nn.AdaptiveMaxPool1d(0)  # type: ignore[shape]  # E: AdaptiveMaxPool1d: output_size must be at least 1, got 0
wrong: sh.Tensor[tuple[L[2], L[4], L[7]]] = F.adaptive_avg_pool1d(signal, 8)  # type: ignore[assignment]  # E: Incompatible types in assignment
volume: sh.Tensor[tuple[L[2], L[3], L[8], L[8], L[8]]] = dev.randn((2, 3, 8, 8, 8))
kernel: sh.Tensor[tuple[L[4], L[3], L[3], L[3], L[3]]] = dev.randn((4, 3, 3, 3, 3))
F.conv3d(signal, kernel)  # type: ignore[shape]  # E: conv3d: input must be (N, C, D, H, W) or (C, D, H, W), got (2, 4, 32)
F.conv3d(volume, kernel, dilation=4)  # type: ignore[shape]  # E: conv3d: D_out = (8 + 2*0 - 4*(3-1) - 1)//1 + 1 = 0
F.conv3d(volume, kernel, stride=2, padding="same")  # type: ignore[shape]  # E: conv3d: padding='same' is not supported for strided convolutions
nn.Conv3d(4, 8, 3)(volume)  # type: ignore[shape]  # E: expects 4*1 = 4 input channels, got 3
