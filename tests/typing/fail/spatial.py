"""The spatial ops and layers: the shape mistakes mypy reports with the run time's message."""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped import nn
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
vol: sh.Tensor[tuple[L[2], L[3], L[8], L[8], L[8]]] = dev.randn((2, 3, 8, 8, 8))
img: sh.Tensor[tuple[L[2], L[3], L[4], L[4]]] = dev.randn((2, 3, 4, 4))
seq: sh.Tensor[tuple[L[2], L[4], L[10]]] = dev.randn((2, 4, 10))
w1: sh.Tensor[tuple[L[4], L[2], L[3]]] = dev.randn((4, 2, 3))

F.max_pool3d(seq, 2)  # type: ignore[shape]  # E: max_pool3d: input must be (N, C, D, H, W) or (C, D, H, W), got (2, 4, 10)
F.avg_pool3d(vol, 2, padding=(0, 2, 0))  # type: ignore[shape]  # E: avg_pool3d: padding (0, 2, 0) must be at most half the kernel size (2, 2, 2)
F.max_pool3d(vol, (9, 1, 1))  # type: ignore[shape]  # E: max_pool3d: D_out = (8 + 2*0 - 9)//9 + 1 = 0: the input is smaller than the kernel
F.max_pool2d(vol, 2, return_indices=True)  # type: ignore[shape]  # E: max_pool2d: input must be (N, C, H, W) or (C, H, W)
values, where = F.max_pool2d(img, 2, return_indices=True)
F.max_unpool2d(values, where, 2, output_size=(6, 6))  # type: ignore[shape]  # E: max_unpool2d: invalid output_size "(6, 6)" (dim 0 must be between 2 and 6)
F.max_unpool2d(values, values, 2)  # type: ignore[dtype]  # E: max_unpool2d: indices must be Int64 (max_pool's return_indices), got Float32
F.max_unpool2d(img, where, 2)  # type: ignore[shape]  # E: max_unpool2d: indices (2, 3, 2, 2) must have the input's shape (2, 3, 4, 4)
F.conv_transpose1d(dev.randn((2, 3, 10)), w1)  # type: ignore[shape]  # E: conv_transpose1d: weight (4, 2, 3) expects 4 input channels, got 3
F.conv_transpose1d(seq, w1, stride=2, output_padding=2)  # type: ignore[shape]  # E: conv_transpose1d: output_padding 2 must be smaller than stride or dilation
F.conv_transpose1d(seq, w1.to(sh.Float64))  # type: ignore[dtype]  # E: conv_transpose1d
F.conv_transpose3d(vol, dev.randn((3, 2, 3, 3)))  # type: ignore[shape]  # E: conv_transpose3d: weight must be (C_in, C_out/groups, kD, kH, kW), got (3, 2, 3, 3)
F.interpolate(img, scale_factor=2, mode="trilinear")  # type: ignore[shape]  # E: interpolate: got 4D input, but trilinear mode needs 5D input
nn.MaxPool3d(2)(seq)  # type: ignore[shape]  # E: max_pool3d: input must be (N, C, D, H, W) or (C, D, H, W), got (2, 4, 10)
nn.MaxPool3d(0)  # type: ignore[shape]  # E: MaxPool3d: kernel_size must be at least 1, got 0
nn.AvgPool3d(3, padding=2)(vol)  # type: ignore[shape]  # E: avg_pool3d: padding (2, 2, 2) must be at most half the kernel size (3, 3, 3)
nn.ConvTranspose1d(3, 8, 3)(seq)  # type: ignore[shape]  # E: conv_transpose1d: weight (3, 8, 3) expects 3 input channels, got 4
nn.ConvTranspose1d(3, 4, 2, groups=2)  # type: ignore[shape]  # E: ConvTranspose1d: in_channels (3) and out_channels (4) must both be divisible by groups (2)
nn.ConvTranspose1d(4, 8, 3)(seq.to(sh.Float64))  # type: ignore[dtype]  # E: conv_transpose1d
nn.ConvTranspose3d(4, 8, 2)(vol)  # type: ignore[shape]  # E: conv_transpose3d: weight (4, 8, 2, 2, 2) expects 4 input channels, got 3
nn.ReflectionPad2d(4)(img)  # type: ignore[shape]  # E: ReflectionPad2d: reflect padding 4 must be less than the size 4 of axis 2
nn.ReflectionPad2d(1)(dev.randn((4, 4)))  # type: ignore[shape]  # E: ReflectionPad2d: input must be (N, C, H, W) or (C, H, W), got (4, 4)
nn.CircularPad1d((0, 11))(seq)  # type: ignore[shape]  # E: CircularPad1d: circular padding 11 must be at most the size 10 of axis 2
nn.ZeroPad3d(1)(dev.randn((4, 4)))  # type: ignore[shape]  # E: ZeroPad3d: input must have at least 3 axes to pad, got (4, 4)
nn.ConstantPad2d(-1, 0.0)  # type: ignore[shape]  # E: ConstantPad2d: padding must be at least 0, got (-1, -1, -1, -1)
nn.Upsample(size=0)  # type: ignore[shape]  # E: Upsample: size must be at least 1, got 0
nn.UpsamplingBilinear2d(scale_factor=2)(vol)  # type: ignore[shape]  # E: UpsamplingBilinear2d: input must be 4-D (N, C, *spatial) for mode 'bilinear', got (2, 3, 8, 8, 8)
nn.Sequential(nn.ZeroPad1d(1), nn.MaxPool3d(2))(seq)  # type: ignore[shape]  # E: Sequential layer 1 (MaxPool3d[2, 2, 0]): max_pool3d: input must be (N, C, D, H, W) or (C, D, H, W), got (2, 4, 12)
wrong: sh.Tensor[tuple[L[2], L[3], L[4], L[4], L[5]]] = nn.MaxPool3d(2)(vol)  # type: ignore[assignment]  # E: Incompatible types in assignment
