"""The plugin's exact output sizes for per-axis layer sizes (and int where an option is not
in the type: ceil_mode, dilation, output_padding)."""

from typing import Literal as L
from typing import assert_type

import shaped as sh
from shaped import nn

dev = sh.Cpu()
img = dev.zeros((8, 3, 32, 32))
seq = dev.zeros((8, 3, 50))

conv = nn.Conv2d(3, 16, (3, 5), stride=(1, 2), padding=(1, 2))
assert_type(
    conv,
    nn.Conv2d[L[3], L[16], tuple[L[3], L[5]], tuple[L[1], L[2]], tuple[L[1], L[2]], L[1], L[1]],
)
assert_type(conv(img), sh.Tensor[tuple[L[8], L[16], L[32], L[16]]])
assert_type(
    nn.Conv2d(3, 16, (3, 5), dilation=(2, 1))(img), sh.Tensor[tuple[L[8], L[16], L[28], L[28]]]
)
assert_type(
    nn.ConvTranspose2d(3, 4, (4, 2), stride=2)(img), sh.Tensor[tuple[L[8], L[4], L[66], L[64]]]
)
assert_type(
    nn.ConvTranspose2d(3, 4, 4, stride=2, output_padding=1)(img),
    sh.Tensor[tuple[L[8], L[4], int, int]],
)
assert_type(nn.MaxPool2d((2, 4))(img), sh.Tensor[tuple[L[8], L[3], L[16], L[8]]])
assert_type(
    nn.MaxPool2d((2, 4), stride=(1, 2), padding=(1, 1)),
    nn.MaxPool2d[tuple[L[2], L[4]], tuple[L[1], L[2]], tuple[L[1], L[1]]],
)
assert_type(
    nn.AvgPool2d(3, stride=(1, 2), padding=1)(img), sh.Tensor[tuple[L[8], L[3], L[32], L[16]]]
)
assert_type(nn.MaxPool2d(2, ceil_mode=True)(img), sh.Tensor[tuple[L[8], L[3], int, int]])
assert_type(nn.MaxPool2d(2, dilation=2), nn.MaxPool2d[L[2], int, L[0]])
assert_type(nn.AvgPool2d(2, ceil_mode=False)(img), sh.Tensor[tuple[L[8], L[3], L[16], L[16]]])
assert_type(nn.AvgPool2d(3, ceil_mode=True)(img), sh.Tensor[tuple[L[8], L[3], int, int]])
assert_type(nn.MaxPool1d(3, dilation=2)(seq), sh.Tensor[tuple[L[8], L[3], int]])
assert_type(nn.AvgPool1d(3, ceil_mode=True)(seq), sh.Tensor[tuple[L[8], L[3], int]])
assert_type(nn.AvgPool1d(5)(seq), sh.Tensor[tuple[L[8], L[3], L[10]]])
net = dev.build_module(
    tuple[nn.Conv2d[L[3], L[16], tuple[L[3], L[5]]], nn.MaxPool2d[tuple[L[2], L[1]]]]
)
assert_type(net(img), sh.Tensor[tuple[L[8], L[16], L[15], L[28]]])
