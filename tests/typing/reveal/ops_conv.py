"""Convolution and pooling options: adaptive average pooling, pixel_shuffle, padding="same"."""

from __future__ import annotations

from typing import Literal as L
from typing import assert_type

import shaped as sh
from shaped import nn
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
img: sh.Tensor[tuple[L[8], L[4], L[28], L[28]]] = dev.randn((8, 4, 28, 28))
chw: sh.Tensor[tuple[L[4], L[7], L[5]]] = dev.randn((4, 7, 5))
w: sh.Tensor[tuple[L[6], L[4], L[3], L[3]]] = dev.randn((6, 4, 3, 3))
w_even: sh.Tensor[tuple[L[6], L[4], L[2], L[4]]] = dev.randn((6, 4, 2, 4))
Owned = sh.OwnedTape

# adaptive_avg_pool2d: the output size is the given one, batch and channels kept
assert_type(F.adaptive_avg_pool2d(img, (1, 1)), sh.Tensor[tuple[L[8], L[4], L[1], L[1]]])
assert_type(F.adaptive_avg_pool2d(img, 7), sh.Tensor[tuple[L[8], L[4], L[7], L[7]]])
assert_type(F.adaptive_avg_pool2d(chw, (3, 2)), sh.Tensor[tuple[L[4], L[3], L[2]]])
assert_type(
    F.adaptive_avg_pool2d(img.trace(), 1),
    sh.Tensor[tuple[L[8], L[4], L[1], L[1]], sh.Float32, sh.Cpu, Owned],
)
gap = nn.AdaptiveAvgPool2d((1, 1))
assert_type(gap, nn.AdaptiveAvgPool2d[L[1], L[1]])
assert_type(gap(img), sh.Tensor[tuple[L[8], L[4], L[1], L[1]]])
assert_type(nn.AdaptiveAvgPool2d(5), nn.AdaptiveAvgPool2d[L[5], L[5]])
assert_type(nn.AdaptiveAvgPool2d((2, 3))(chw), sh.Tensor[tuple[L[4], L[2], L[3]]])

assert_type(F.adaptive_max_pool2d(img, (2, 3)), sh.Tensor[tuple[L[8], L[4], L[2], L[3]]])
assert_type(nn.AdaptiveMaxPool2d(1), nn.AdaptiveMaxPool2d[L[1], L[1]])
assert_type(nn.AdaptiveMaxPool2d((4, 2))(chw), sh.Tensor[tuple[L[4], L[4], L[2]]])

# pixel_shuffle: (*, C*r*r, H, W) -> (*, C, H*r, W*r)
assert_type(F.pixel_shuffle(img, 2), sh.Tensor[tuple[L[8], L[1], L[56], L[56]]])
assert_type(F.pixel_shuffle(chw, 2), sh.Tensor[tuple[L[1], L[14], L[10]]])
shuffle = nn.PixelShuffle(2)
assert_type(shuffle, nn.PixelShuffle[L[2]])
assert_type(shuffle(img), sh.Tensor[tuple[L[8], L[1], L[56], L[56]]])

# conv2d padding="same" keeps H and W (an even kernel pads one more after); "valid" is 0
assert_type(F.conv2d(img, w, padding="same"), sh.Tensor[tuple[L[8], L[6], L[28], L[28]]])
assert_type(F.conv2d(img, w_even, padding="same"), sh.Tensor[tuple[L[8], L[6], L[28], L[28]]])
assert_type(
    F.conv2d(img, w, padding="same", dilation=2), sh.Tensor[tuple[L[8], L[6], L[28], L[28]]]
)
assert_type(F.conv2d(img, w, padding="valid"), sh.Tensor[tuple[L[8], L[6], L[26], L[26]]])

# conv1d: L_out = (L + 2p - d(k-1) - 1)//s + 1; the 1-d pools: (L + 2p - k)//s + 1
seq: sh.Tensor[tuple[L[8], L[4], L[50]]] = dev.randn((8, 4, 50))
w1: sh.Tensor[tuple[L[6], L[4], L[5]]] = dev.randn((6, 4, 5))
b1: sh.Tensor[tuple[L[6]]] = dev.zeros((6,))
assert_type(F.conv1d(seq, w1), sh.Tensor[tuple[L[8], L[6], L[46]]])
assert_type(F.conv1d(seq, w1, b1, stride=2, padding=2), sh.Tensor[tuple[L[8], L[6], L[25]]])
assert_type(F.conv1d(seq, w1, padding="same"), sh.Tensor[tuple[L[8], L[6], L[50]]])
assert_type(F.conv1d(seq, w1, dilation=3), sh.Tensor[tuple[L[8], L[6], L[38]]])
assert_type(F.conv1d(seq[0], w1), sh.Tensor[tuple[L[6], L[46]]])
assert_type(F.max_pool1d(seq, 2), sh.Tensor[tuple[L[8], L[4], L[25]]])
assert_type(F.avg_pool1d(seq, 3, stride=2, padding=1), sh.Tensor[tuple[L[8], L[4], L[25]]])
conv1 = nn.Conv1d(4, 6, 5, padding=2)
assert_type(conv1(seq), sh.Tensor[tuple[L[8], L[6], L[50]]])
assert_type(nn.Conv1d(4, 6, 5, stride=2)(seq), sh.Tensor[tuple[L[8], L[6], L[23]]])
assert_type(nn.MaxPool1d(2)(seq), sh.Tensor[tuple[L[8], L[4], L[25]]])
assert_type(nn.AvgPool1d(4, stride=2)(seq), sh.Tensor[tuple[L[8], L[4], L[24]]])
assert_type(
    F.conv1d(seq.trace(), w1), sh.Tensor[tuple[L[8], L[6], L[46]], sh.Float32, sh.Cpu, Owned]
)

# interpolate: the given size, or floor(in * scale_factor); a float scale is not a literal
assert_type(F.interpolate(img, size=(14, 56)), sh.Tensor[tuple[L[8], L[4], L[14], L[56]]])
assert_type(F.interpolate(img, scale_factor=2), sh.Tensor[tuple[L[8], L[4], L[56], L[56]]])
assert_type(
    F.interpolate(img, size=7, mode="bilinear", align_corners=True),
    sh.Tensor[tuple[L[8], L[4], L[7], L[7]]],
)
assert_type(F.interpolate(img, scale_factor=1.5), sh.Tensor[tuple[L[8], L[4], int, int]])
assert_type(F.interpolate(seq, size=25, mode="linear"), sh.Tensor[tuple[L[8], L[4], L[25]]])

# ceil_mode rounds the pooled size up (less a window starting in the right padding)
assert_type(F.max_pool2d(chw, 2, ceil_mode=True), sh.Tensor[tuple[L[4], L[4], L[3]]])
assert_type(
    F.avg_pool2d(img, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    sh.Tensor[tuple[L[8], L[4], L[15], L[15]]],
)
assert_type(F.max_pool1d(seq, 3, ceil_mode=True), sh.Tensor[tuple[L[8], L[4], L[17]]])
assert_type(F.avg_pool1d(seq, 4, 3, ceil_mode=True), sh.Tensor[tuple[L[8], L[4], L[17]]])

# unfold: (N, C*kH*kW, L) with L the number of blocks; fold sums them back
assert_type(F.unfold(img, 3), sh.Tensor[tuple[L[8], L[36], L[676]]])
assert_type(F.unfold(img, (2, 4), stride=2), sh.Tensor[tuple[L[8], L[32], L[182]]])
assert_type(F.unfold(chw, 2, padding=1), sh.Tensor[tuple[L[16], L[48]]])
cols: sh.Tensor[tuple[L[2], L[36], L[676]]] = dev.randn((2, 36, 676))
assert_type(F.fold(cols, (28, 28), 3), sh.Tensor[tuple[L[2], L[4], L[28], L[28]]])
assert_type(
    F.fold(F.unfold(img, 2, stride=2), 28, 2, stride=2), sh.Tensor[tuple[L[8], L[4], L[28], L[28]]]
)

assert_type(
    nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)(img),
    sh.Tensor[tuple[L[8], L[4], L[14], L[14]]],
)
assert_type(nn.AvgPool1d(2, count_include_pad=False)(seq), sh.Tensor[tuple[L[8], L[4], L[25]]])

# the layers' padding="same": an even total d*(k-1) is that int padding in the type
same3 = nn.Conv2d(4, 8, 3, padding="same")
assert_type(same3, nn.Conv2d[L[4], L[8], L[3], L[1], L[1]])
assert_type(same3(img), sh.Tensor[tuple[L[8], L[8], L[28], L[28]]])
assert_type(
    nn.Conv2d(4, 8, 5, padding="same", dilation=2)(img), sh.Tensor[tuple[L[8], L[8], L[28], L[28]]]
)
assert_type(nn.Conv2d(4, 8, 3, padding="valid")(img), sh.Tensor[tuple[L[8], L[8], L[26], L[26]]])
assert_type(nn.Conv2d(4, 8, 4, padding="same")(img), sh.Tensor[tuple[L[8], L[8], int, int]])
assert_type(nn.Conv1d(4, 6, 5, padding="same")(seq), sh.Tensor[tuple[L[8], L[6], L[50]]])

# max pooling dilation: the dilated kernel d*(k-1) + 1 slides
assert_type(F.max_pool2d(img, 3, 1, dilation=2), sh.Tensor[tuple[L[8], L[4], L[24], L[24]]])
assert_type(F.max_pool1d(seq, 2, 1, dilation=3), sh.Tensor[tuple[L[8], L[4], L[47]]])

# the values agree with the types at run time
assert F.adaptive_avg_pool2d(img, (3, 2)).shape == (8, 4, 3, 2)
assert gap(img).shape == (8, 4, 1, 1)
assert shuffle(img).shape == (8, 1, 56, 56)
assert F.conv2d(img, w_even, padding="same").shape == (8, 6, 28, 28)
assert conv1(seq).shape == (8, 6, 50)
assert nn.Conv1d(4, 6, 4, padding="same")(seq).shape == (8, 6, 50)
