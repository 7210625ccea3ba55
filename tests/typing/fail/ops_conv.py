"""Convolution and pooling options: the shape mistakes mypy reports with their arithmetic."""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped import nn
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
img: sh.Tensor[tuple[L[8], L[3], L[32], L[32]]] = dev.randn((8, 3, 32, 32))
w: sh.Tensor[tuple[L[16], L[3], L[3], L[3]]] = dev.randn((16, 3, 3, 3))
flat: sh.Tensor[tuple[L[8], L[100]]] = dev.randn((8, 100))
empty: sh.Tensor[tuple[L[8], L[3], L[0], L[32]]] = dev.randn((8, 3, 0, 32))

# adaptive average pooling
F.adaptive_avg_pool2d(flat, 1)  # type: ignore[shape]  # E: adaptive_avg_pool2d: input must be (N, C, H, W) or (C, H, W), got (8, 100)
F.adaptive_avg_pool2d(img, (0, 2))  # type: ignore[shape]  # E: adaptive_avg_pool2d: output_size must be >= 1, got (0, 2)
F.adaptive_avg_pool2d(empty, 1)  # type: ignore[shape]  # E: adaptive_avg_pool2d: H must not be zero, got input (8, 3, 0, 32)
nn.AdaptiveAvgPool2d((1, 1))(flat)  # type: ignore[shape]  # E: adaptive_avg_pool2d: input must be (N, C, H, W) or (C, H, W), got (8, 100)
nn.AdaptiveAvgPool2d(0)  # type: ignore[shape]  # E: AdaptiveAvgPool2d: output_size must be >= 1, got (0, 0)
F.adaptive_max_pool2d(flat, 2)  # type: ignore[shape]  # E: adaptive_max_pool2d: input must be (N, C, H, W) or (C, H, W), got (8, 100)
nn.AdaptiveMaxPool2d((2, 0))  # type: ignore[shape]  # E: AdaptiveMaxPool2d: output_size must be >= 1, got (2, 0)

# pixel_shuffle
F.pixel_shuffle(img, 2)  # type: ignore[shape]  # E: pixel_shuffle: channels 3 are not divisible by upscale_factor**2 = 2*2 = 4
F.pixel_shuffle(flat, 2)  # type: ignore[shape]  # E: pixel_shuffle: input must be (*, C*r*r, H, W) (rank >= 3), got (8, 100)
F.pixel_shuffle(img, 0)  # type: ignore[shape]  # E: pixel_shuffle: upscale_factor must be an int >= 1, got 0
nn.PixelShuffle(2)(img)  # type: ignore[shape]  # E: pixel_shuffle: channels 3 are not divisible by upscale_factor**2 = 2*2 = 4
nn.PixelShuffle(0)  # type: ignore[shape]  # E: PixelShuffle: upscale_factor must be at least 1, got 0

# padding="same"
F.conv2d(img, w, padding="same", stride=2)  # type: ignore[shape]  # E: conv2d: padding='same' is not supported for strided convolutions
F.conv2d(img, dev.randn((16, 3, 40, 3)), padding="same")
F.conv2d(img, dev.randn((16, 4, 3, 3)), padding="same")  # type: ignore[shape]  # E: conv2d: weight (16, 4, 3, 3) expects 4*1 = 4 input channels, got 3 (input (8, 3, 32, 32))

# conv1d and the 1-d pools
seq: sh.Tensor[tuple[L[8], L[4], L[50]]] = dev.randn((8, 4, 50))
F.conv1d(seq, dev.randn((6, 3, 5)))  # type: ignore[shape]  # E: conv1d: weight (6, 3, 5) expects 3*1 = 3 input channels, got 4 (input (8, 4, 50))
F.conv1d(img, dev.randn((6, 3, 5)))  # type: ignore[shape]  # E: conv1d: input must be (N, C, L) or (C, L), got (8, 3, 32, 32)
F.conv1d(seq, dev.randn((6, 4, 51)))  # type: ignore[shape]  # E: conv1d: L_out = (50 + 2*0 - 1*(51-1) - 1)//1 + 1 = 0
F.conv1d(seq, dev.randn((6, 4, 3)), stride=2, padding="same")  # type: ignore[shape]  # E: conv1d: padding='same' is not supported for strided convolutions
F.conv1d(seq, dev.randn((6, 4, 3)), dev.randn((5,)))  # type: ignore[shape]  # E: conv1d: bias must be (6,), got (5,)
F.max_pool1d(seq, 51)  # type: ignore[shape]  # E: max_pool1d: L_out = (50 + 2*0 - 51)//51 + 1 = 0: the input is smaller than the kernel
F.avg_pool1d(seq, 2, padding=2)  # type: ignore[shape]  # E: avg_pool1d: padding 2 must be at most half the kernel size 2
F.max_pool1d(dev.randn((50,)), 2)  # type: ignore[shape]  # E: max_pool1d: input must be (N, C, L) or (C, L), got (50,)
nn.Conv1d(3, 6, 5)(seq)  # type: ignore[shape]  # E: conv1d: weight (6, 3, 5) expects 3*1 = 3 input channels, got 4 (input (8, 4, 50))
nn.Conv1d(4, 6, 5, groups=4)  # type: ignore[shape]  # E: Conv1d: in_channels (4) and out_channels (6) must both be divisible by groups (4)
nn.MaxPool1d(51)(seq)  # type: ignore[shape]  # E: max_pool1d: L_out = (50 + 2*0 - 51)//51 + 1 = 0

# interpolate
F.interpolate(img)  # type: ignore[shape]  # E: interpolate: exactly one of size or scale_factor must be given
F.interpolate(img, size=4, scale_factor=2)  # type: ignore[shape]  # E: interpolate: exactly one of size or scale_factor must be given
F.interpolate(seq, size=4, mode="bilinear")  # type: ignore[shape]  # E: interpolate: got 3D input, but bilinear mode needs 4D input
F.interpolate(img, size=4, mode="linear")  # type: ignore[shape]  # E: interpolate: got 4D input, but linear mode needs 3D input
F.interpolate(img, size=4, align_corners=True)  # type: ignore[shape]  # E: interpolate: align_corners option can only be set with the interpolating modes
F.interpolate(img, size=(2, 2, 2))  # type: ignore[shape]  # E: interpolate: size (2, 2, 2) must have 2 dims for input (8, 3, 32, 32)
F.interpolate(empty, size=2)  # type: ignore[shape]  # E: interpolate: input and output sizes must be > 0, got input (0, 32) and output (2, 2)
F.interpolate(flat, size=2)  # type: ignore[shape]  # E: interpolate: input must be (N, C, L) or (N, C, H, W), got (8, 100)
F.interpolate(img, scale_factor=2.5, mode="linear")  # type: ignore[shape]  # E: interpolate: got 4D input, but linear mode needs 3D input

# ceil_mode: the output size the plugin checks is the rounded-up one
odd: sh.Tensor[tuple[L[8], L[3], L[33], L[33]]] = dev.randn((8, 3, 33, 33))
ceiled: sh.Tensor[tuple[L[8], L[3], L[16], L[16]]]
ceiled = F.max_pool2d(odd, 2, ceil_mode=True)  # type: ignore[assignment]  # E: "Tensor[tuple[Literal[8], Literal[3], Literal[17], Literal[17]], Float32, Cpu, NoTape]"

# unfold and fold
F.unfold(flat, 2)  # type: ignore[shape]  # E: unfold: input must be (N, C, H, W) or (C, H, W), got (8, 100)
F.unfold(img, 33)  # type: ignore[shape]  # E: unfold: H_out = (32 + 2*0 - 1*(33-1) - 1)//1 + 1 = 0
F.fold(dev.randn((8, 27, 100)), (32, 32), 3)  # type: ignore[shape]  # E: fold: input has 100 blocks, but output_size (32, 32) with this kernel, padding and stride gives 900
F.fold(dev.randn((8, 28, 900)), (32, 32), 3)  # type: ignore[shape]  # E: fold: input dim 28 is not divisible by the kernel's 3*3 = 9
F.fold(img, 32, 3)  # type: ignore[shape]  # E: fold: input must be (N, C*kH*kW, L) or (C*kH*kW, L), got (8, 3, 32, 32)

# the layers' padding="same"
nn.Conv2d(3, 8, 3, stride=2, padding="same")  # type: ignore[shape]  # E: Conv2d: padding='same' is not supported for strided convolutions
nn.Conv1d(3, 8, 3, stride=2, padding="same")  # type: ignore[shape]  # E: Conv1d: padding='same' is not supported for strided convolutions
nn.Conv2d(4, 8, 3, padding="same")(img)  # type: ignore[shape]  # E: conv2d: weight (8, 4, 3, 3) expects 4*1 = 4 input channels, got 3

# max pooling dilation
F.max_pool2d(img, 3, dilation=16)  # type: ignore[shape]  # E: max_pool2d: H_out = (32 + 2*0 - 16*(3-1) - 1)//3 + 1 = 0
F.max_pool1d(seq, 3, dilation=30)  # type: ignore[shape]  # E: max_pool1d: L_out = (50 + 2*0 - 30*(3-1) - 1)//3 + 1 = -3
