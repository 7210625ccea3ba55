"""Per-axis layer sizes: wrong sizes and mismatched inputs, reported with the rule's message."""

from typing import Literal as L

import shaped as sh
from shaped import nn

dev = sh.Cpu()
img = dev.zeros((8, 3, 32, 32))

nn.Conv2d(3, 16, (3, 0))  # type: ignore[shape]  # E: Conv2d: kernel_size must be at least 1, got (3, 0)
nn.MaxPool2d(2, stride=(1, 0))  # type: ignore[shape]  # E: MaxPool2d: stride must be at least 1, got (1, 0)
nn.Conv2d(4, 16, (3, 5))(img)  # type: ignore[shape]  # E: conv2d: weight (16, 4, 3, 5) expects 4*1 = 4 input channels, got 3
nn.Conv2d(3, 16, (3, 40))(img)  # type: ignore[shape]  # E: conv2d: W_out = (32 + 2*0 - 1*(40-1) - 1)//1 + 1 = -7
nn.MaxPool2d((2, 3), padding=(1, 2))(img)  # type: ignore[shape]  # E: max_pool2d: padding (1, 2) must be at most half the kernel size (2, 3)
nn.MaxPool2d(2, ceil_mode=True)(dev.zeros((8, 32, 32, 3, 1)))  # type: ignore[shape]  # E: max_pool2d: input must be (N, C, H, W) or (C, H, W)
bad = dev.build_module(
    tuple[nn.Conv2d[L[3], L[8], tuple[L[3], L[5]]], nn.Conv2d[L[16], L[8], L[3]]]
)
bad(img)  # type: ignore[shape]  # E: Sequential layer 1 (Conv2d[16, 8, 3, 1, 0, 1, 1]): conv2d: weight (8, 16, 3, 3) expects 16*1 = 16 input channels, got 8 (input (8, 8, 30, 28))
