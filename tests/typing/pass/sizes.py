"""Layers built by value keep their literal sizes under both checkers (pyright: the common
sizes of shaped/nn/sizes.py; mypy's plugin: every size), so no layer is annotated twice."""

from __future__ import annotations

from typing import Final, assert_type
from typing import Literal as L

import shaped as sh
from shaped import nn

dev = sh.Cpu(seed=0)
HIDDEN: Final = 128

fc1 = nn.Linear(784, HIDDEN)
assert_type(fc1, nn.Linear[L[784], L[128]])
emb = nn.Embedding(27, 10)
assert_type(emb, nn.Embedding[L[27], L[10]])
assert_type(nn.LayerNorm(64), nn.LayerNorm[L[64]])
assert_type(nn.BatchNorm2d(16), nn.BatchNorm2d[L[16]])
assert_type(nn.BatchNorm1d(32), nn.BatchNorm1d[L[32]])
assert_type(nn.MultiHeadAttention(64, 4), nn.MultiHeadAttention[L[64], L[4]])
assert_type(nn.TransformerEncoderLayer(64, 4, 256), nn.TransformerEncoderLayer[L[64], L[4], L[256]])

x = dev.randn((8, 784))
assert_type(fc1(x), sh.Tensor[tuple[L[8], L[128]], sh.Float32, sh.Cpu, sh.NoTape])
ids: sh.Tensor[tuple[L[4], L[3]], sh.Int64] = dev.zeros((4, 3), dtype=sh.Int64)
vectors: sh.Tensor[tuple[L[4], L[3], L[10]], sh.Float32] = emb(ids)

conv = nn.Conv2d(3, 16, 5)
features: sh.Tensor[tuple[L[2], L[16], int, int]] = conv(dev.randn((2, 3, 28, 28)))
up = nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1)
image: sh.Tensor[tuple[L[2], L[8], int, int]] = up(features)


def width(n: int) -> nn.Linear[int, L[10]]:
    return nn.Linear(n, 10)  # a run-time size is int; the other keeps its literal
