"""Valid programs with the convolution and pooling options: clean under mypy and pyright."""

from __future__ import annotations

from typing import Any, TypeVar, assert_type
from typing import Literal as L

import shaped as sh
from shaped import nn
from shaped.nn import functional as F

N = TypeVar("N")
dev = sh.Cpu(seed=0)
images: sh.Tensor[tuple[L[8], L[16], L[14], L[14]]] = dev.randn((8, 16, 14, 14))
kernel: sh.Tensor[tuple[L[4], L[16], L[3], L[3]]] = dev.randn((4, 16, 3, 3))

grads = sh.Gradients()
traced = images.traced(grads)
pooled = F.adaptive_avg_pool2d(traced, (1, 1))
shuffled = F.pixel_shuffle(traced, 4)
same = F.conv2d(traced, kernel, padding="same")
loss = pooled.sum() + shuffled.sum() + same.sum()
loss.backward()

max_pooled: sh.Tensor[tuple[L[8], L[16], L[2], L[2]]] = nn.AdaptiveMaxPool2d((2, 2))(images)
functional_max = F.adaptive_max_pool2d(images, 3)
assert max_pooled.shape == (8, 16, 2, 2) and functional_max.shape == (8, 16, 3, 3)
gap = nn.AdaptiveAvgPool2d((1, 1))
global_pooled: sh.Tensor[tuple[L[8], L[16], L[1], L[1]]] = gap(images)
up = nn.PixelShuffle(2)
upscaled: sh.Tensor[tuple[L[8], int, int, int]] = up(images)


def head(x: sh.Tensor[tuple[N, L[16], int, int]]) -> sh.Tensor[tuple[N, L[16], L[1], L[1]]]:
    """Global average pooling, generic in the batch (as a ResNet head)."""
    return nn.AdaptiveAvgPool2d((1, 1))(x)


signal: sh.Tensor[tuple[L[2], L[4], L[32]]] = dev.randn((2, 4, 32))
conv1 = nn.Conv1d(4, 8, 3, padding=1)
features: sh.Tensor[tuple[L[2], L[8], int], sh.Float32, sh.Cpu, sh.OwnedTape] = conv1(
    signal.traced(grads)
)
same_len = nn.Conv1d(4, 8, 4, padding="same")(signal)
halved: sh.Tensor[tuple[L[2], L[4], int]] = nn.MaxPool1d(2)(signal)
averaged: sh.Tensor[tuple[L[2], L[4], int]] = nn.AvgPool1d(3, stride=1, padding=1)(signal)
functional = F.conv1d(signal, dev.randn((8, 4, 5)), dev.zeros((8,)), stride=2)
pooled_1d = F.max_pool1d(signal, 2) + F.avg_pool1d(signal, 2)
assert features.shape == (2, 8, 32) and same_len.shape == (2, 8, 32)
assert halved.shape == (2, 4, 16) and averaged.shape == (2, 4, 32)
assert functional.shape == (2, 8, 14) and pooled_1d.shape == (2, 4, 16)

resized = F.interpolate(images, size=(28, 28), mode="bilinear", align_corners=False)
doubled = F.interpolate(images, scale_factor=2.0)
stretched = F.interpolate(signal, scale_factor=1.5, mode="linear")
assert resized.shape == (8, 16, 28, 28) and doubled.shape == (8, 16, 28, 28)
assert stretched.shape == (2, 4, 48)

patches = F.unfold(images, 2, stride=2)
restored = F.fold(patches, (14, 14), 2, stride=2)
assert patches.shape == (8, 64, 49) and restored.shape == (8, 16, 14, 14)

block = nn.Conv2d(16, 32, 3, padding="same")
blocked: sh.Tensor[tuple[L[8], L[32], int, int]] = block(images)
even = nn.Conv2d(16, 32, 4, padding="same", bias=False)(images)
avg_exclusive = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)(images)
assert blocked.shape == (8, 32, 14, 14) and even.shape == (8, 32, 14, 14)
assert avg_exclusive.shape == (8, 16, 14, 14)

pooled_any: sh.Tensor[Any] = F.adaptive_avg_pool2d(images, 3)
assert_type(gap, nn.AdaptiveAvgPool2d[L[1], L[1]])
assert head(images).shape == (8, 16, 1, 1)
assert upscaled.shape == (8, 4, 28, 28)
assert global_pooled.shape == (8, 16, 1, 1)
