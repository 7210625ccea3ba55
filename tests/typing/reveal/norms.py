"""The result types of issue 12's normalization, dropout, Bilinear and activation layers under
mypy with the plugin (and their run-time shapes, when run)."""

from typing import Any, assert_type
from typing import Literal as L

import shaped as sh
from shaped import nn
from shaped.nn import functional as F

dev = sh.Cpu()
img = dev.randn((8, 6, 16, 16))
seq = dev.randn((8, 6, 20))
vol = dev.randn((2, 4, 3, 8, 8))
seq64 = dev.randn((8, 6, 20), dtype=sh.Float64)

assert_type(nn.GroupNorm(3, 6), nn.GroupNorm[L[3], L[6]])
assert_type(nn.GroupNorm(3, 6)(img), sh.Tensor[tuple[L[8], L[6], L[16], L[16]]])
assert_type(nn.InstanceNorm1d(6), nn.InstanceNorm1d[L[6]])
assert_type(nn.InstanceNorm1d(6)(seq64), sh.Tensor[tuple[L[8], L[6], L[20]], sh.Float64])
assert_type(nn.InstanceNorm2d(6, affine=True)(img), sh.Tensor[tuple[L[8], L[6], L[16], L[16]]])
assert_type(nn.InstanceNorm3d(4)(vol), sh.Tensor[tuple[L[2], L[4], L[3], L[8], L[8]]])
assert_type(nn.BatchNorm3d(4), nn.BatchNorm3d[L[4]])
assert_type(nn.BatchNorm3d(4)(vol), sh.Tensor[tuple[L[2], L[4], L[3], L[8], L[8]]])
assert_type(nn.BatchNorm1d(6, momentum=None)(seq), sh.Tensor[tuple[L[8], L[6], L[20]]])
assert_type(nn.RMSNorm(20), nn.RMSNorm[L[20]])
assert_type(nn.RMSNorm(20)(seq), sh.Tensor[tuple[L[8], L[6], L[20]]])
assert_type(
    nn.RMSNorm(20, dtype=sh.Float64)(seq64), sh.Tensor[tuple[L[8], L[6], L[20]], sh.Float64]
)
assert_type(nn.LayerNorm(20, bias=False)(seq), sh.Tensor[tuple[L[8], L[6], L[20]]])
assert_type(nn.Dropout1d(0.5)(seq), sh.Tensor[tuple[L[8], L[6], L[20]]])
assert_type(nn.Dropout2d(0.5)(img), sh.Tensor[tuple[L[8], L[6], L[16], L[16]]])
assert_type(nn.Dropout3d(0.5)(vol), sh.Tensor[tuple[L[2], L[4], L[3], L[8], L[8]]])
assert_type(nn.AlphaDropout(0.5)(seq), sh.Tensor[tuple[L[8], L[6], L[20]]])
assert_type(nn.Softmax2d()(img), sh.Tensor[tuple[L[8], L[6], L[16], L[16]]])
assert_type(nn.Hardshrink()(seq), sh.Tensor[tuple[L[8], L[6], L[20]]])
assert_type(nn.Threshold(0.1, 0.0)(seq64), sh.Tensor[tuple[L[8], L[6], L[20]], sh.Float64])
chain = nn.Sequential(nn.Softshrink(), nn.Tanhshrink(), nn.RReLU(), nn.Linear(20, 4))
assert_type(chain(seq), sh.Tensor[tuple[L[8], L[6], L[4]]])
norms = nn.Sequential(nn.Conv2d(6, 8, 3), nn.GroupNorm(4, 8), nn.InstanceNorm2d(8), nn.Flatten())
assert_type(norms(img), sh.Tensor[tuple[L[8], L[1568]]])
bil = nn.Bilinear(20, 5, 7)
assert_type(bil, nn.Bilinear[L[20], L[5], L[7]])
assert_type(bil(seq, dev.randn((8, 6, 5))), sh.Tensor[tuple[L[8], L[6], L[7]]])
grads = bil.alloc_grads()
assert_type(
    bil(seq.traced(grads), dev.randn((8, 6, 5))),
    sh.Tensor[tuple[L[8], L[6], L[7]], sh.Float32, sh.Cpu, sh.OwnedTape],
)
assert_type(nn.Unflatten(1, (2, 3))(seq), sh.Tensor[tuple[Any, ...]])
tokens = dev.tensor([[1, 0, 5]])
assert_type(nn.Embedding(10, 4, padding_idx=0)(tokens), sh.Tensor[tuple[L[1], L[3], L[4]]])
assert_type(
    nn.Embedding.from_pretrained(dev.randn((10, 4), dtype=sh.Float64)),
    nn.Embedding[L[10], L[4], sh.Float64],
)
assert_type(F.group_norm(img, 3), sh.Tensor[tuple[L[8], L[6], L[16], L[16]]])
assert_type(F.rms_norm(seq64, 20), sh.Tensor[tuple[L[8], L[6], L[20]], sh.Float64])
assert_type(F.instance_norm(seq), sh.Tensor[tuple[L[8], L[6], L[20]]])
assert_type(F.dropout1d(seq, 0.2), sh.Tensor[tuple[L[8], L[6], L[20]]])
assert_type(F.hardshrink(seq, 0.1), sh.Tensor[tuple[L[8], L[6], L[20]]])
built = dev.build_module(tuple[nn.GroupNorm[L[2], L[6]], nn.Dropout2d, nn.Hardshrink])
assert_type(built(img), sh.Tensor[tuple[L[8], L[6], L[16], L[16]]])

# built without parameters, a norm takes data of any float dtype (no false [dtype])
doubles = sh.Cpu().randn((2, 8), dtype=sh.Float64)
assert_type(
    nn.LayerNorm(8, elementwise_affine=False)(doubles), sh.Tensor[tuple[L[2], L[8]], sh.Float64]
)
assert_type(
    nn.RMSNorm(8, elementwise_affine=False)(doubles), sh.Tensor[tuple[L[2], L[8]], sh.Float64]
)
assert_type(
    nn.Bilinear(4, 6, 3)(sh.Cpu().randn((5, 4)), sh.Cpu().randn((5, 6)).trace()),
    sh.Tensor[tuple[L[5], L[3]], sh.Float32, sh.Cpu, sh.OwnedTape],
)
