"""Adaptive 1-d pooling: the output length is the given one, batch and channels kept."""

from __future__ import annotations

from typing import Literal as L
from typing import assert_type

import shaped as sh
from shaped import nn
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
signal: sh.Tensor[tuple[L[2], L[4], L[32]]] = dev.randn((2, 4, 32))
cl: sh.Tensor[tuple[L[4], L[9]]] = dev.randn((4, 9))
Owned = sh.OwnedTape

assert_type(F.adaptive_avg_pool1d(signal, 8), sh.Tensor[tuple[L[2], L[4], L[8]]])
assert_type(F.adaptive_max_pool1d(signal, (3,)), sh.Tensor[tuple[L[2], L[4], L[3]]])
assert_type(F.adaptive_max_pool1d(cl, 20), sh.Tensor[tuple[L[4], L[20]]])
assert_type(
    F.adaptive_avg_pool1d(signal.trace(), 1),
    sh.Tensor[tuple[L[2], L[4], L[1]], sh.Float32, sh.Cpu, Owned],
)
assert_type(nn.AdaptiveAvgPool1d(5), nn.AdaptiveAvgPool1d[L[5]])
assert_type(nn.AdaptiveMaxPool1d(2), nn.AdaptiveMaxPool1d[L[2]])
assert_type(nn.AdaptiveAvgPool1d(5)(signal), sh.Tensor[tuple[L[2], L[4], L[5]]])
assert_type(nn.AdaptiveMaxPool1d(3)(cl), sh.Tensor[tuple[L[4], L[3]]])

assert F.adaptive_avg_pool1d(signal, 8).shape == (2, 4, 8)
assert nn.AdaptiveMaxPool1d(3)(cl).shape == (4, 3)

volume: sh.Tensor[tuple[L[2], L[3], L[8], L[9], L[10]]] = dev.randn((2, 3, 8, 9, 10))
kernel: sh.Tensor[tuple[L[4], L[3], L[3], L[3], L[3]]] = dev.randn((4, 3, 3, 3, 3))
assert_type(F.conv3d(volume, kernel), sh.Tensor[tuple[L[2], L[4], L[6], L[7], L[8]]])
assert_type(
    F.conv3d(volume, kernel, stride=(1, 2, 3), padding=1),
    sh.Tensor[tuple[L[2], L[4], L[8], L[5], L[4]]],
)
assert_type(nn.Conv3d(3, 4, 3)(volume), sh.Tensor[tuple[L[2], L[4], L[6], L[7], L[8]]])
assert F.conv3d(volume, kernel, stride=(1, 2, 3), padding=1).shape == (2, 4, 8, 5, 4)
