"""Valid programs with adaptive 1-d pooling: clean under mypy and pyright."""

from __future__ import annotations

from typing import Any, TypeVar
from typing import Literal as L

import shaped as sh
from shaped import nn
from shaped.nn import functional as F

N = TypeVar("N")
dev = sh.Cpu(seed=0)
signal: sh.Tensor[tuple[L[2], L[4], L[32]]] = dev.randn((2, 4, 32))

grads = sh.Gradients()
traced = signal.traced(grads)
loss = F.adaptive_avg_pool1d(traced, 8).sum() + F.adaptive_max_pool1d(traced, (3,)).sum()
loss.backward()
assert grads[signal].shape == (2, 4, 32)

averaged: sh.Tensor[tuple[L[2], L[4], L[1]]] = nn.AdaptiveAvgPool1d(1)(signal)
maxed: sh.Tensor[tuple[L[2], L[4], L[5]]] = nn.AdaptiveMaxPool1d(5)(signal)
functional: sh.Tensor[tuple[L[2], L[4], int]] = F.adaptive_max_pool1d(signal, 6)
unknown: sh.Tensor[Any] = F.adaptive_avg_pool1d(signal, 3)
assert averaged.shape == (2, 4, 1) and maxed.shape == (2, 4, 5) and functional.shape == (2, 4, 6)
assert unknown.shape == (2, 4, 3)


def head(x: sh.Tensor[tuple[N, L[4], int]]) -> sh.Tensor[tuple[N, L[4], L[1]]]:
    """Global average pooling over the length, generic in the batch."""
    return nn.AdaptiveAvgPool1d(1)(x)


assert head(signal).shape == (2, 4, 1)

volume: sh.Tensor[tuple[L[2], L[3], L[8], L[8], L[8]]] = dev.randn((2, 3, 8, 8, 8))
kernel: sh.Tensor[tuple[L[4], L[3], L[3], L[3], L[3]]] = dev.randn((4, 3, 3, 3, 3))
conv3 = nn.Conv3d(3, 4, 3, padding=1)
features: sh.Tensor[tuple[L[2], L[4], int, int, int]] = conv3(volume)
strided: sh.Tensor[tuple[L[2], L[4], L[3], L[3], L[3]]] = F.conv3d(volume, kernel, stride=2)
kept: sh.Tensor[tuple[L[2], L[4], L[8], L[8], L[8]]] = F.conv3d(volume, kernel, padding="same")
assert features.shape == (2, 4, 8, 8, 8) and strided.shape == (2, 4, 3, 3, 3)
assert kept.shape == (2, 4, 8, 8, 8)
