"""The plugin's exact sizes for the spatial ops and layers (int where an option is not in the
type, or a value is not a literal)."""

from typing import Literal as L
from typing import assert_type

import shaped as sh
from shaped import nn
from shaped.nn import functional as F

dev = sh.Cpu()
vol = dev.zeros((2, 3, 8, 16, 16))
img = dev.zeros((2, 3, 32, 32))
seq = dev.zeros((2, 4, 50))

Vol = sh.Tensor[tuple[L[2], L[3], L[4], L[8], L[8]]]
assert_type(F.max_pool3d(vol, 2), Vol)
assert_type(F.max_pool3d(vol, (2, 4, 4), padding=1), sh.Tensor[tuple[L[2], L[3], L[5], L[4], L[4]]])
assert_type(
    F.max_pool3d(vol, 3, stride=2, ceil_mode=True), sh.Tensor[tuple[L[2], L[3], L[4], L[8], L[8]]]
)
assert_type(
    F.avg_pool3d(vol, 3, stride=2, padding=1), sh.Tensor[tuple[L[2], L[3], L[4], L[8], L[8]]]
)
values, indices = F.max_pool3d(vol, 2, return_indices=True)
assert_type(values, Vol)
assert_type(indices, sh.Tensor[tuple[L[2], L[3], L[4], L[8], L[8]], sh.Int64])
assert_type(
    F.max_pool2d(img, 2, return_indices=True),
    tuple[
        sh.Tensor[tuple[L[2], L[3], L[16], L[16]]],
        sh.Tensor[tuple[L[2], L[3], L[16], L[16]], sh.Int64],
    ],
)
pooled, where = F.max_pool2d(img, 3, stride=2, padding=1, return_indices=True)
assert_type(pooled, sh.Tensor[tuple[L[2], L[3], L[16], L[16]]])
assert_type(where, sh.Tensor[tuple[L[2], L[3], L[16], L[16]], sh.Int64])
assert_type(F.max_pool2d(img, 2), sh.Tensor[tuple[L[2], L[3], L[16], L[16]]])
line, line_where = F.max_pool1d(seq, 2, return_indices=True)
assert_type(line, sh.Tensor[tuple[L[2], L[4], L[25]]])
assert_type(line_where, sh.Tensor[tuple[L[2], L[4], L[25]], sh.Int64])
grads = sh.Gradients()
traced_values, traced_where = F.max_pool2d(img.traced(grads), 2, return_indices=True)
assert_type(
    traced_values, sh.Tensor[tuple[L[2], L[3], L[16], L[16]], sh.Float32, sh.Cpu, sh.OwnedTape]
)
assert_type(traced_where, sh.Tensor[tuple[L[2], L[3], L[16], L[16]], sh.Int64, sh.Cpu, sh.NoTape])

assert_type(
    F.max_unpool2d(pooled, where, 3, stride=2, padding=1),
    sh.Tensor[tuple[L[2], L[3], L[31], L[31]]],
)
assert_type(
    F.max_unpool2d(pooled, where, 3, stride=2, padding=1, output_size=(32, 32)),
    sh.Tensor[tuple[L[2], L[3], L[32], L[32]]],
)
assert_type(F.max_unpool1d(line, line_where, 2), sh.Tensor[tuple[L[2], L[4], L[50]]])
assert_type(F.max_unpool3d(values, indices, 2), sh.Tensor[tuple[L[2], L[3], L[8], L[16], L[16]]])

w1 = dev.zeros((4, 6, 3))
assert_type(F.conv_transpose1d(seq, w1, stride=2), sh.Tensor[tuple[L[2], L[6], L[101]]])
assert_type(
    F.conv_transpose1d(seq, w1, stride=2, padding=1, output_padding=1),
    sh.Tensor[tuple[L[2], L[6], L[100]]],
)
w3 = dev.zeros((3, 5, 3, 3, 3))
assert_type(
    F.conv_transpose3d(vol, w3, stride=2, padding=1, output_padding=1),
    sh.Tensor[tuple[L[2], L[5], L[16], L[32], L[32]]],
)
assert_type(
    F.interpolate(vol, scale_factor=2, mode="trilinear"),
    sh.Tensor[tuple[L[2], L[3], L[16], L[32], L[32]]],
)
assert_type(
    F.interpolate(vol, size=(4, 5, 6), mode="nearest"),
    sh.Tensor[tuple[L[2], L[3], L[4], L[5], L[6]]],
)

assert_type(nn.MaxPool3d(2), nn.MaxPool3d[L[2], L[2], L[0]])
assert_type(nn.MaxPool3d(2)(vol), Vol)
assert_type(
    nn.MaxPool3d(3, stride=1, padding=1)(vol), sh.Tensor[tuple[L[2], L[3], L[8], L[16], L[16]]]
)
assert_type(nn.MaxPool3d(2, ceil_mode=True)(vol), sh.Tensor[tuple[L[2], L[3], int, int, int]])
assert_type(nn.MaxPool3d(2, dilation=2), nn.MaxPool3d[L[2], int, L[0]])
assert_type(nn.MaxPool3d((1, 2, 2))(vol), sh.Tensor[tuple[L[2], L[3], int, int, int]])
assert_type(nn.AvgPool3d(2)(vol), Vol)
assert_type(nn.AvgPool3d(2, divisor_override=3)(vol), Vol)
assert_type(nn.ConvTranspose1d(4, 8, 3, stride=2), nn.ConvTranspose1d[L[4], L[8], L[3], L[2], L[0]])
assert_type(nn.ConvTranspose1d(4, 8, 3, stride=2)(seq), sh.Tensor[tuple[L[2], L[8], L[101]]])
assert_type(nn.ConvTranspose1d(4, 8, 3, dilation=2)(seq), sh.Tensor[tuple[L[2], L[8], int]])
assert_type(
    nn.ConvTranspose3d(3, 8, 2, stride=2)(vol), sh.Tensor[tuple[L[2], L[8], L[16], L[32], L[32]]]
)
assert_type(
    nn.ConvTranspose3d(3, 8, 2, output_padding=1, stride=2)(vol),
    sh.Tensor[tuple[L[2], L[8], int, int, int]],
)
assert_type(
    nn.MaxUnpool2d(3, stride=2, padding=1)(pooled, where), sh.Tensor[tuple[L[2], L[3], int, int]]
)

assert_type(nn.Upsample(scale_factor=2), nn.Upsample[None, L[2]])
assert_type(
    nn.Upsample(scale_factor=2, mode="bilinear")(img), sh.Tensor[tuple[L[2], L[3], L[64], L[64]]]
)
assert_type(nn.Upsample(size=7)(seq), sh.Tensor[tuple[L[2], L[4], L[7]]])
assert_type(nn.Upsample(scale_factor=1.5)(img), sh.Tensor[tuple[L[2], L[3], int, int]])
assert_type(nn.Upsample(size=(3, 5))(img), sh.Tensor[tuple[L[2], L[3], int, int]])
assert_type(
    nn.Upsample(scale_factor=2, mode="trilinear")(vol),
    sh.Tensor[tuple[L[2], L[3], L[16], L[32], L[32]]],
)
assert_type(nn.UpsamplingNearest2d(scale_factor=2)(img), sh.Tensor[tuple[L[2], L[3], L[64], L[64]]])
assert_type(nn.UpsamplingBilinear2d(size=5)(img), sh.Tensor[tuple[L[2], L[3], L[5], L[5]]])

assert_type(nn.ZeroPad2d(1), nn.ZeroPad2d[L[1], L[1], L[1], L[1]])
assert_type(nn.ZeroPad2d((1, 2, 3, 4)), nn.ZeroPad2d[L[1], L[2], L[3], L[4]])
assert_type(nn.ZeroPad2d((1, 2, 3, 4))(img), sh.Tensor[tuple[L[2], L[3], L[39], L[35]]])
assert_type(nn.ZeroPad1d((0, 2))(seq), sh.Tensor[tuple[L[2], L[4], L[52]]])
assert_type(nn.ConstantPad3d(1, 0.5)(vol), sh.Tensor[tuple[L[2], L[3], L[10], L[18], L[18]]])
assert_type(nn.ConstantPad2d((1, 1, 0, 0), -1.0)(img), sh.Tensor[tuple[L[2], L[3], L[32], L[34]]])
assert_type(nn.ReflectionPad1d(2)(seq), sh.Tensor[tuple[L[2], L[4], L[54]]])
assert_type(
    nn.ReflectionPad3d((1, 0, 1, 0, 1, 0))(vol), sh.Tensor[tuple[L[2], L[3], L[9], L[17], L[17]]]
)
assert_type(nn.ReplicationPad2d(3)(img), sh.Tensor[tuple[L[2], L[3], L[38], L[38]]])
assert_type(nn.CircularPad1d(5)(seq), sh.Tensor[tuple[L[2], L[4], L[60]]])
assert_type(nn.CircularPad2d((2, 2, 0, 0))(img[0]), sh.Tensor[tuple[L[3], L[32], L[36]]])

net = nn.Sequential(nn.ZeroPad2d(1), nn.MaxPool2d(2), nn.Upsample(scale_factor=2))
assert_type(net(img), sh.Tensor[tuple[L[2], L[3], L[34], L[34]]])

# return_indices=True builds the layer whose call gives (values, indices); plain stays exact
assert_type(nn.MaxPool2d(2, return_indices=True), nn.MaxPool2dWithIndices[L[2], L[2], L[0]])
assert_type(nn.MaxPool2d(2, return_indices=False)(img), sh.Tensor[tuple[L[2], L[3], L[16], L[16]]])
layer_values, layer_where = nn.MaxPool2d(2, return_indices=True)(img)
assert_type(layer_values, sh.Tensor[tuple[L[2], L[3], int, int]])
assert_type(layer_where, sh.Tensor[tuple[L[2], L[3], int, int], sh.Int64])
seq_values, seq_where = nn.MaxPool1d(2, return_indices=True)(seq)
assert_type(seq_where, sh.Tensor[tuple[L[2], L[4], int], sh.Int64])
vol_values, vol_where = nn.MaxPool3d(2, return_indices=True)(vol)
assert_type(vol_values, sh.Tensor[tuple[L[2], L[3], int, int, int]])
assert_type(nn.MaxUnpool3d(2)(vol_values, vol_where), sh.Tensor[tuple[L[2], L[3], int, int, int]])
