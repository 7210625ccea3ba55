"""Valid programs with the spatial layers (3-d pools, unpooling, transposed 1-d/3-d convs,
Upsample, padding layers): clean under mypy and pyright."""

from __future__ import annotations

from typing import Any, TypeVar
from typing import Literal as L

import shaped as sh
from shaped import nn
from shaped.nn import functional as F

N = TypeVar("N")
dev = sh.Cpu(seed=0)


class SegNetBlock(nn.Module):
    """Pool with indices, unpool with them: the SegNet pattern, as PyTorch users write it."""

    def __init__(self) -> None:
        super().__init__()
        self.pad = nn.ReflectionPad2d(1)
        self.conv = nn.Conv2d(3, 8, 3)
        self.pool = nn.MaxPool2d(2, stride=2, return_indices=True)
        self.unpool = nn.MaxUnpool2d(2)
        self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)

    def forward(
        self, x: sh.Tensor[tuple[N, L[3], L[32], L[32]]]
    ) -> sh.Tensor[tuple[N, L[8], int, int]]:
        features = self.conv(self.pad(x))
        pooled, indices = self.pool(features)
        restored = self.unpool(pooled, indices)
        again, _ = F.max_pool2d(features, 2, return_indices=True)
        return restored + self.up(pooled) + self.up(again)


class Decoder1d(nn.Module):
    """A transposed-convolution decoder over sequences."""

    def __init__(self) -> None:
        super().__init__()
        self.up = nn.ConvTranspose1d(16, 8, 4, stride=2, padding=1)
        self.pad = nn.ConstantPad1d((0, 1), 0.0)

    def forward(self, x: sh.Tensor[tuple[N, L[16], L[25]]]) -> sh.Tensor[tuple[N, L[8], int]]:
        return self.pad(self.up(x))


img: sh.Tensor[tuple[L[2], L[3], L[32], L[32]]] = dev.randn((2, 3, 32, 32))
out = SegNetBlock()(img)
assert out.shape == (2, 8, 32, 32)
seq: sh.Tensor[tuple[L[2], L[16], L[25]]] = dev.randn((2, 16, 25))
decoded = Decoder1d()(seq)
assert decoded.shape == (2, 8, 51)

volume: sh.Tensor[tuple[L[2], L[3], L[8], L[16], L[16]]] = dev.randn((2, 3, 8, 16, 16))
pooled3: sh.Tensor[tuple[L[2], L[3], int, int, int]] = nn.MaxPool3d(2)(volume)
averaged3: sh.Tensor[tuple[L[2], L[3], int, int, int]] = nn.AvgPool3d(3, stride=2, padding=1)(
    volume
)
values, where = F.max_pool3d(volume, 2, return_indices=True)
unpooled: sh.Tensor[tuple[L[2], L[3], int, int, int]] = F.max_unpool3d(values, where, 2)
up3 = nn.ConvTranspose3d(3, 4, 2, stride=2)
grown: sh.Tensor[tuple[L[2], L[4], int, int, int]] = up3(volume)
trilinear: sh.Tensor[tuple[L[2], L[3], int, int, int]] = F.interpolate(
    volume, scale_factor=2, mode="trilinear"
)
padded3: sh.Tensor[tuple[L[2], L[3], int, int, int]] = nn.ReplicationPad3d(1)(volume)
assert pooled3.shape == (2, 3, 4, 8, 8) and averaged3.shape == (2, 3, 4, 8, 8)
assert unpooled.shape == volume.shape and grown.shape == (2, 4, 16, 32, 32)
assert trilinear.shape == (2, 3, 16, 32, 32) and padded3.shape == (2, 3, 10, 18, 18)

grads = sh.Gradients()
traced = img.traced(grads)
top, indices = F.max_pool2d(traced, 2, return_indices=True)
loss = top.sum() + nn.ZeroPad2d((1, 0, 2, 0))(traced).mean() + nn.CircularPad2d(2)(traced).sum()
loss.backward()
assert grads[img].shape == (2, 3, 32, 32) and indices.dtype is sh.Int64

one, line_indices = F.max_pool1d(seq, 3, stride=2, return_indices=True)
restored1: sh.Tensor[tuple[L[2], L[16], int]] = nn.MaxUnpool1d(3, stride=2)(one, line_indices)
nearest: sh.Tensor[tuple[L[2], L[3], int, int]] = nn.UpsamplingNearest2d(scale_factor=2)(img)
bilinear: sh.Tensor[tuple[L[2], L[3], int, int]] = nn.UpsamplingBilinear2d(size=(7, 9))(img)
mirrored: sh.Tensor[tuple[L[2], L[16], int]] = nn.ReflectionPad1d(2)(seq)
anything: sh.Tensor[Any] = nn.Upsample(size=5)(img)
assert restored1.shape == (2, 16, 25) and nearest.shape == (2, 3, 64, 64)
assert bilinear.shape == (2, 3, 7, 9) and mirrored.shape == (2, 16, 29)
assert anything.shape == (2, 3, 5, 5)


def upsampled(x: sh.Tensor[tuple[N, L[3], L[32], L[32]]]) -> sh.Tensor[tuple[N, L[3], int, int]]:
    """A helper generic in the batch."""
    return nn.Upsample(scale_factor=2)(x)


assert upsampled(img).shape == (2, 3, 64, 64)
