"""Per-axis sizes on the 2-D layers and the pools' options: clean under mypy and pyright."""

from typing import Literal as L

import shaped as sh
from shaped import nn

dev = sh.Cpu()
img = dev.zeros((8, 3, 32, 32))

conv = nn.Conv2d(3, 16, (3, 5), stride=(1, 2), padding=(1, 2))
y = conv(img)
square: nn.Conv2d[L[3], L[16], L[5]] = nn.Conv2d(3, 16, 5)
annotated: nn.Conv2d[L[3], L[16], tuple[L[3], L[5]], L[1], tuple[L[1], L[2]]] = nn.Conv2d(
    3, 16, (3, 5), padding=(1, 2)
)
z: sh.Tensor[tuple[L[8], L[16], int, int]] = annotated(img)
up = nn.ConvTranspose2d(3, 4, (4, 2), stride=(2, 1), output_padding=(1, 0), dilation=(1, 2))
u = up(img)
pool: nn.MaxPool2d[L[2]] = nn.MaxPool2d(2)
p1 = pool(img)
p2 = nn.MaxPool2d((2, 3), stride=(1, 2), padding=(1, 1), dilation=2, ceil_mode=True)(img)
p3 = nn.AvgPool2d((2, 3), ceil_mode=True, count_include_pad=False)(img)
seq = dev.zeros((8, 3, 50))
p4 = nn.MaxPool1d(3, dilation=2, ceil_mode=True)(seq)
p5 = nn.AvgPool1d(3, ceil_mode=True, count_include_pad=False)(seq)
net = dev.build_module(
    tuple[nn.Conv2d[L[3], L[16], tuple[L[3], L[5]]], nn.MaxPool2d[tuple[L[2], L[1]]]]
)
out = net(img)
