"""The bugs of the small UNet, each caught before it runs.

Expected errors are `# type: ignore[code]` on their line (mypy runs with --warn-unused-ignores,
so an error that stops firing fails the test); `# E:` gives a part of the expected message.
"""

from __future__ import annotations

from typing import Generic, TypeVar
from typing import Literal as L

import shaped as sh
from shaped import nn

Cin = TypeVar("Cin")
Cout = TypeVar("Cout")
N = TypeVar("N")
H = TypeVar("H")
W = TypeVar("W")
Tp = TypeVar("Tp")
Input = sh.Tensor[tuple[N, L[1], L[32], L[32]], sh.Float32, sh.Cpu, Tp]
Output = sh.Tensor[tuple[N, L[2], L[32], L[32]], sh.Float32, sh.Cpu, Tp]


class DoubleConv(nn.Module, Generic[Cin, Cout]):
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


class DoubleConvUnpadded(nn.Module, Generic[Cin, Cout]):
    """The original paper's unpadded 3x3 convolutions: H and W shrink by 4."""

    def __init__(self, in_channels: Cin, out_channels: Cout) -> None:
        super().__init__()
        self.double_conv = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, kernel_size=3),
            nn.ReLU(),
            nn.Conv2d(out_channels, out_channels, kernel_size=3),
            nn.ReLU(),
        )

    def forward(
        self, x: sh.Tensor[tuple[N, Cin, H, W], sh.Float32, sh.Cpu, Tp]
    ) -> sh.Tensor[tuple[N, Cout, H, W], sh.Float32, sh.Cpu, Tp]:
        return self.double_conv(x)  # type: ignore[return-value]  # E: expected "Tensor[tuple[N, Cout, H, W]


class UNetWrongSkip(nn.Module):
    """The second up concatenates the 16x16 skip x2 instead of the 32x32 x1."""

    def __init__(self) -> None:
        super().__init__()
        self.inc = DoubleConv(1, 16)
        self.down1 = nn.Sequential(nn.MaxPool2d(2), DoubleConv(16, 32))
        self.down2 = nn.Sequential(nn.MaxPool2d(2), DoubleConv(32, 64))
        self.up1 = nn.ConvTranspose2d(64, 32, kernel_size=2, stride=2)
        self.conv1 = DoubleConv(64, 32)
        self.up2 = nn.ConvTranspose2d(32, 16, kernel_size=2, stride=2)
        self.conv2 = DoubleConv(48, 16)
        self.outc = nn.Conv2d(16, 2, kernel_size=1)

    def forward(self, x: Input[N, Tp]) -> Output[N, Tp]:
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x = self.conv1(sh.concat([x2, self.up1(x3)], axis=1))
        x = self.up2(x)
        sh.concat([x2, x], axis=1)  # type: ignore[shape]  # E: concat
        x = self.conv2(sh.concat([x1, x, x1], axis=1))
        return self.outc(x)


class UNetConcatNotCounted(nn.Module):
    """conv1 built for the up-sampled 32 channels, forgetting the skip's 32 concatenated to them."""

    def __init__(self) -> None:
        super().__init__()
        self.inc = DoubleConv(1, 16)
        self.down1 = nn.Sequential(nn.MaxPool2d(2), DoubleConv(16, 32))
        self.down2 = nn.Sequential(nn.MaxPool2d(2), DoubleConv(32, 64))
        self.up1 = nn.ConvTranspose2d(64, 32, kernel_size=2, stride=2)
        self.conv1 = DoubleConv(32, 32)
        self.conv1_right = DoubleConv(64, 32)
        self.up2 = nn.ConvTranspose2d(32, 16, kernel_size=2, stride=2)
        self.conv2 = DoubleConv(32, 16)
        self.outc = nn.Conv2d(16, 2, kernel_size=1)

    def forward(self, x: Input[N, Tp]) -> Output[N, Tp]:
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        skip = sh.concat([x2, self.up1(x3)], axis=1)
        self.conv1(skip)  # type: ignore[shape]  # E: got (N, 64, 16, 16)
        x = self.up2(self.conv1_right(skip))
        x = self.conv2(sh.concat([x1, x], axis=1))
        return self.outc(x)


dev = sh.Cpu(seed=0)
inc = DoubleConv(1, 16)
# RGB images into a 1-channel UNet
inc(dev.randn((2, 3, 32, 32)))  # type: ignore[shape]  # E: got (2, 3, 32, 32)
# the up-convolution's channels: ConvTranspose2d(64, 32) fed the 32-channel level
nn.ConvTranspose2d(64, 32, kernel_size=2, stride=2)(dev.randn((2, 32, 16, 16)))  # type: ignore[shape]  # E: 64
# skip connections of different resolutions
sh.concat([dev.randn((2, 16, 32, 32)), dev.randn((2, 16, 16, 16))], axis=1)  # type: ignore[shape]  # E: concat
