"""A small UNet (two downs, two ups) in the style of milesial/Pytorch-UNet's unet_parts.

Upstream: https://github.com/milesial/Pytorch-UNet/blob/master/unet/unet_parts.py
`DoubleConv` is generic in its channels and keeps H and W ("same" 3x3 convolutions);
`Down` is MaxPool2d(2) then DoubleConv; the ups are ConvTranspose2d(k=2, stride=2) and a
DoubleConv over the skip connection concatenated on the channel axis.
Differences, each shaped's spelling: `sh.concat([x2, x1], axis=1)` for
`torch.cat([x2, x1], dim=1)`; `nn.ReLU()` for `nn.ReLU(inplace=True)`; the input is 32x32,
so no `F.pad` is needed to match the skip's size.
"""

from __future__ import annotations

from typing import Generic, TypeVar, assert_type
from typing import Literal as L

import shaped as sh
from shaped import losses, nn, optim

Cin = TypeVar("Cin")
Cout = TypeVar("Cout")
N = TypeVar("N")
H = TypeVar("H")
W = TypeVar("W")
Tp = TypeVar("Tp")


class DoubleConv(nn.Module, Generic[Cin, Cout]):
    """(convolution => [BN] => ReLU) * 2"""

    def __init__(self, in_channels: Cin, out_channels: Cout) -> None:
        super().__init__()
        self.double_conv = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(),
            nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(),
        )

    def forward(
        self, x: sh.Tensor[tuple[N, Cin, H, W], sh.Float32, sh.Cpu, Tp]
    ) -> sh.Tensor[tuple[N, Cout, H, W], sh.Float32, sh.Cpu, Tp]:
        return self.double_conv(x)


class UNet(nn.Module):
    def __init__(self, n_channels: int = 1, n_classes: int = 2) -> None:
        super().__init__()
        self.n_channels = n_channels
        self.n_classes = n_classes
        self.inc = DoubleConv(1, 16)
        self.down1 = nn.Sequential(nn.MaxPool2d(2), DoubleConv(16, 32))
        self.down2 = nn.Sequential(nn.MaxPool2d(2), DoubleConv(32, 64))
        self.up1 = nn.ConvTranspose2d(64, 64 // 2, kernel_size=2, stride=2)
        self.conv1 = DoubleConv(64, 32)
        self.up2 = nn.ConvTranspose2d(32, 32 // 2, kernel_size=2, stride=2)
        self.conv2 = DoubleConv(32, 16)
        self.outc = nn.Conv2d(16, 2, kernel_size=1)

    def forward(
        self, x: sh.Tensor[tuple[N, L[1], L[32], L[32]], sh.Float32, sh.Cpu, Tp]
    ) -> sh.Tensor[tuple[N, L[2], L[32], L[32]], sh.Float32, sh.Cpu, Tp]:
        x1 = self.inc(x)  # (N, 16, 32, 32)
        x2 = self.down1(x1)  # (N, 32, 16, 16)
        x3 = self.down2(x2)  # (N, 64, 8, 8)
        x = self.up1(x3)  # (N, 32, 16, 16)
        x = self.conv1(sh.concat([x2, x], axis=1))  # (N, 64, 16, 16) -> (N, 32, 16, 16)
        x = self.up2(x)  # (N, 16, 32, 32)
        x = self.conv2(sh.concat([x1, x], axis=1))  # (N, 32, 32, 32) -> (N, 16, 32, 32)
        logits = self.outc(x)
        return logits


dev = sh.Cpu(seed=0)
model = UNet(n_channels=1, n_classes=2)
assert_type(model.inc, DoubleConv[L[1], L[16]])
images = dev.randn((2, 1, 32, 32))
assert_type(
    model.inc(images), sh.Tensor[tuple[L[2], L[16], L[32], L[32]], sh.Float32, sh.Cpu, sh.NoTape]
)
assert_type(
    model.down1(model.inc(images)),
    sh.Tensor[tuple[L[2], L[32], L[16], L[16]], sh.Float32, sh.Cpu, sh.NoTape],
)
masks = model(images)
assert_type(masks, sh.Tensor[tuple[L[2], L[2], L[32], L[32]], sh.Float32, sh.Cpu, sh.NoTape])

# one training step: per-pixel cross-entropy over the 2 classes
grads = model.alloc_grads()
logits = model(images.traced(grads))
target = dev.zeros((2, 32, 32), dtype=sh.Int64)
per_pixel = logits.permute(0, 2, 3, 1).reshape(-1, 2)
assert_type(per_pixel, sh.Tensor[tuple[L[2048], L[2]], sh.Float32, sh.Cpu, sh.OwnedTape])
loss = losses.cross_entropy(per_pixel, target.reshape(-1))
adam = optim.Adam(model, lr=1e-3)
adam.update(model, loss.backward())
print(f"UNet: loss {loss.item():.3f}, {model.num_params()} parameters")
