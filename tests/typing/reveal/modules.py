"""Modules under the plugin, as DESIGN.md describes them.

Constructing by value keeps literals (`Linear(784, 128)` is `Linear[L[784], L[128]]`),
calling a module runs its shape rule, `Sequential` threads the input through each layer and
`build_module` builds an architecture written as a type.
"""

from __future__ import annotations

from typing import Any, assert_type
from typing import Literal as L

import shaped as sh
from shaped import nn

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[64], L[784]]] = dev.randn((64, 784))
images: sh.Tensor[tuple[L[64], L[1], L[28], L[28]]] = dev.randn((64, 1, 28, 28))
Owned = sh.OwnedTape

# construction by value keeps the literal sizes; defaults fill the rest
linear = nn.Linear(784, 128)
assert_type(linear, nn.Linear[L[784], L[128]])
conv = nn.Conv2d(1, 32, 3, stride=1, padding=1)
assert_type(conv, nn.Conv2d[L[1], L[32], L[3], L[1], L[1], L[1], L[1]])
assert_type(nn.Conv2d(3, 16, 5), nn.Conv2d[L[3], L[16], L[5], L[1], L[0], L[1], L[1]])
assert_type(
    nn.Conv2d(4, 8, 3, stride=2, padding=1, dilation=2, groups=2),
    nn.Conv2d[L[4], L[8], L[3], L[2], L[1], L[2], L[2]],
)
assert_type(nn.MaxPool2d(2), nn.MaxPool2d[L[2], L[2], L[0]])
assert_type(nn.MaxPool2d(3, stride=1, padding=1), nn.MaxPool2d[L[3], L[1], L[1]])
assert_type(nn.AvgPool2d(2), nn.AvgPool2d[L[2], L[2], L[0]])
assert_type(nn.ConvTranspose2d(8, 4, 2, stride=2), nn.ConvTranspose2d[L[8], L[4], L[2], L[2], L[0]])
assert_type(nn.LayerNorm(128), nn.LayerNorm[L[128]])
assert_type(nn.BatchNorm2d(32), nn.BatchNorm2d[L[32]])
assert_type(nn.Embedding(1000, 64), nn.Embedding[L[1000], L[64]])
assert_type(nn.MultiHeadAttention(64, 8), nn.MultiHeadAttention[L[64], L[8]])
assert_type(linear.weight, sh.Tensor[tuple[L[128], L[784]], sh.Float32, Any])
assert_type(nn.Linear(784, 128, dtype=sh.Float64), nn.Linear[L[784], L[128], sh.Float64])
assert_type(nn.Linear(784, 128).to(sh.Float64), nn.Linear[L[784], L[128], sh.Float64])

# calling a module: its shape rule, with dtype, device and tape passing through
assert_type(linear(x), sh.Tensor[tuple[L[64], L[128]]])
assert_type(linear.forward(x), sh.Tensor[tuple[L[64], L[128]]])
assert_type(linear(x.trace()), sh.Tensor[tuple[L[64], L[128]], sh.Float32, sh.Cpu, Owned])
assert_type(conv(images), sh.Tensor[tuple[L[64], L[32], L[28], L[28]]])
assert_type(nn.Conv2d(1, 16, 5)(images), sh.Tensor[tuple[L[64], L[16], L[24], L[24]]])
assert_type(nn.MaxPool2d(2)(conv(images)), sh.Tensor[tuple[L[64], L[32], L[14], L[14]]])
assert_type(nn.AvgPool2d(4)(images), sh.Tensor[tuple[L[64], L[1], L[7], L[7]]])
assert_type(
    nn.ConvTranspose2d(1, 4, 2, stride=2)(images), sh.Tensor[tuple[L[64], L[4], L[56], L[56]]]
)
assert_type(nn.Flatten()(images), sh.Tensor[tuple[L[64], L[784]]])
assert_type(nn.ReLU()(x), sh.Tensor[tuple[L[64], L[784]]])
assert_type(nn.GELU()(x), sh.Tensor[tuple[L[64], L[784]]])
assert_type(nn.Softmax()(x), sh.Tensor[tuple[L[64], L[784]]])
assert_type(nn.Dropout(0.1)(x), sh.Tensor[tuple[L[64], L[784]]])
assert_type(nn.LayerNorm(784)(x), sh.Tensor[tuple[L[64], L[784]]])
assert_type(nn.BatchNorm2d(1)(images), sh.Tensor[tuple[L[64], L[1], L[28], L[28]]])
tokens = dev.tensor([[1, 2, 3], [4, 5, 6]])
assert_type(nn.Embedding(10, 16)(tokens), sh.Tensor[tuple[L[2], L[3], L[16]]])
seq: sh.Tensor[tuple[L[2], L[10], L[64]]] = dev.randn((2, 10, 64))
assert_type(nn.MultiHeadAttention(64, 8)(seq), sh.Tensor[tuple[L[2], L[10], L[64]]])
assert_type(nn.TransformerEncoderLayer(64, 8, 256)(seq), sh.Tensor[tuple[L[2], L[10], L[64]]])

# Sequential threads the input through each layer; it is a tuple of its layers
mlp = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
assert_type(mlp, nn.Sequential[nn.Linear[L[784], L[128]], nn.ReLU, nn.Linear[L[128], L[10]]])
assert_type(mlp(x), sh.Tensor[tuple[L[64], L[10]]])
assert_type(mlp(x.trace()), sh.Tensor[tuple[L[64], L[10]], sh.Float32, sh.Cpu, Owned])
assert_type(mlp[0], nn.Linear[L[784], L[128]])
assert_type(mlp[2](mlp[0](x)), sh.Tensor[tuple[L[64], L[10]]])
first, _, last = mlp
assert_type(last, nn.Linear[L[128], L[10]])
cnn = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(64 * 7 * 7, 10),
)
assert_type(cnn(images), sh.Tensor[tuple[L[64], L[10]]])
nested = nn.Sequential(mlp, nn.Softmax())
assert_type(nested(x), sh.Tensor[tuple[L[64], L[10]]])
residual = nn.Residual(nn.Linear(784, 784))
assert_type(residual(x), sh.Tensor[tuple[L[64], L[784]]])


def any_batch(batch: sh.Tensor[tuple[int, L[784]]]) -> None:
    """A batch known only at run time passes through every layer as `int`."""
    assert_type(mlp(batch), sh.Tensor[tuple[int, L[10]]])
    assert_type(linear(batch), sh.Tensor[tuple[int, L[128]]])


# architectures as types, dfdx-style
Mlp = tuple[nn.Linear[L[784], L[128]], nn.ReLU, nn.Linear[L[128], L[10]]]
built = dev.build_module(Mlp)
assert_type(built, nn.Sequential[nn.Linear[L[784], L[128]], nn.ReLU, nn.Linear[L[128], L[10]]])
assert_type(built(x), sh.Tensor[tuple[L[64], L[10]]])
assert_type(dev.build_module(nn.Linear[L[784], L[10]])(x), sh.Tensor[tuple[L[64], L[10]]])
SeqArch = nn.Sequential[nn.Linear[L[784], L[32]], nn.GELU]
assert_type(dev.build_module(SeqArch)(x), sh.Tensor[tuple[L[64], L[32]]])
Cnn = tuple[
    nn.Conv2d[L[1], L[8], L[3]], nn.ReLU, nn.MaxPool2d[L[2]], nn.Flatten, nn.Linear[L[1352], L[10]]
]
assert_type(dev.build_module(Cnn)(images), sh.Tensor[tuple[L[64], L[10]]])

# the parameters' dtype from the type, or from build_module's dtype= for the default ones
assert_type(dev.build_module(nn.Linear[L[4], L[8], sh.Float64]), nn.Linear[L[4], L[8], sh.Float64])
built64 = dev.build_module(tuple[nn.Linear[L[4], L[8]], nn.ReLU], dtype=sh.Float64)
assert_type(built64[0], nn.Linear[L[4], L[8], sh.Float64])
assert built64[0].weight.dtype is sh.Float64

# a weight (device unknown in its type) meeting data keeps the data's known device
flat = images.flatten(1)
assert_type(linear.weight @ flat.T, sh.Tensor[tuple[L[128], L[64]], sh.Float32, sh.Cpu, sh.NoTape])
assert_type(flat @ linear.weight.T, sh.Tensor[tuple[L[64], L[128]], sh.Float32, sh.Cpu, sh.NoTape])
