"""Issue 12's normalization, dropout, embedding, Unflatten, Bilinear and activation layers,
written as PyTorch users write them: clean under mypy (with the plugin) and pyright."""

from typing import Literal as L
from typing import TypeVar

import shaped as sh
from shaped import nn
from shaped.nn import functional as F

N = TypeVar("N")
T = TypeVar("T")
dev = sh.Cpu()
img = dev.randn((8, 6, 16, 16))
seq = dev.randn((8, 6, 20))
vol = dev.randn((2, 4, 3, 8, 8))


class Block(nn.Module):
    """A conv block with GroupNorm, channel dropout and an RMS-normalized head."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(6, 12, 3, padding=1)
        self.norm = nn.GroupNorm(3, 12)
        self.drop = nn.Dropout2d(0.1)
        self.inorm = nn.InstanceNorm2d(12, affine=True)
        self.flat = nn.Flatten()
        self.head = nn.Linear(12 * 16 * 16, 32)
        self.rms = nn.RMSNorm(32)

    def forward(
        self, x: sh.Tensor[tuple[N, L[6], L[16], L[16]], sh.Float32, sh.Cpu, T]
    ) -> sh.Tensor[tuple[N, L[32]], sh.Float32, sh.Cpu, T]:
        h = self.drop(self.norm(self.conv(x)).relu())
        h = self.inorm(h)
        return self.rms(self.head(self.flat(h)))


block = Block()
out = block(img)
grads = block.alloc_grads()
loss = block(img.traced(grads)).square().mean()
loss.backward()

gn: nn.GroupNorm[L[2], L[6]] = nn.GroupNorm(2, 6)
g = gn(img)
i1 = nn.InstanceNorm1d(6)(seq)
i3 = nn.InstanceNorm3d(4, track_running_stats=True)(vol)
bn1 = nn.BatchNorm1d(6, affine=False, momentum=None)(seq)
bn3: nn.BatchNorm3d[L[4]] = nn.BatchNorm3d(4)
b3 = bn3(vol)
rms: nn.RMSNorm[L[20]] = nn.RMSNorm(20, eps=1e-6)
r = rms(seq)
ln = nn.LayerNorm(20, elementwise_affine=True, bias=False)(seq)
ln2 = nn.LayerNorm((6, 20))(seq)
d1 = nn.Dropout1d(0.2)(seq)
d3 = nn.Dropout3d(0.2)(vol)
a = nn.AlphaDropout(0.1)(seq)
fa = nn.FeatureAlphaDropout(0.1)(img)
acts = nn.Sequential(
    nn.Hardshrink(), nn.Softshrink(0.3), nn.Tanhshrink(), nn.Threshold(0.1, 0.0), nn.RReLU()
)
y = acts(seq)
s2 = nn.Softmax2d()(img)
unflat = nn.Unflatten(1, (2, 3))(seq)
bil: nn.Bilinear[L[20], L[5], L[7]] = nn.Bilinear(20, 5, 7)
pair = bil(seq, dev.randn((8, 6, 5)))
emb = nn.Embedding(100, 16, padding_idx=0, max_norm=1.0)
tokens = dev.tensor([[1, 0, 5]])
e = emb(tokens)
pre = nn.Embedding.from_pretrained(dev.randn((10, 4)), freeze=True)
p = pre(tokens)

f1 = F.group_norm(img, 3, gn.weight, gn.bias)
f2 = F.instance_norm(seq)
f3 = F.rms_norm(seq, 20, rms.weight)
f4 = F.dropout1d(seq, 0.3, training=True)
f5 = F.dropout2d(img, 0.3)
f6 = F.dropout3d(vol, 0.3)
f7 = F.alpha_dropout(seq, 0.3, training=True)
f8 = F.feature_alpha_dropout(img, 0.3, training=True)
f9 = F.bilinear(seq, dev.randn((8, 6, 5)), bil.weight, bil.bias)
f10 = F.hardshrink(seq) + F.softshrink(seq, 0.2) + F.tanhshrink(seq) + F.threshold(seq, 0.0, 1.0)
f11 = F.rrelu(seq, training=True)
f12 = F.embedding(tokens, emb.weight)

# built without parameters, a norm takes data of any float dtype
doubles = sh.Cpu().randn((2, 8), dtype=sh.Float64)
plain = nn.LayerNorm(8, elementwise_affine=False)(doubles)
grouped = nn.GroupNorm(2, 8, affine=False)(sh.Cpu().randn((2, 8, 4), dtype=sh.Float64))
print(plain.shape, grouped.shape)
