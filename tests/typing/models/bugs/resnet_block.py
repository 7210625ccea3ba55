"""The bugs of torchvision's BasicBlock written generic in its channels, each caught before
it runs.

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
Tp = TypeVar("Tp")
Maps = sh.Tensor[tuple[N, Cin, int, int], sh.Float32, sh.Cpu, Tp]


def conv3x3(
    in_planes: Cin, out_planes: Cout, stride: int = 1
) -> nn.Conv2d[Cin, Cout, L[3], int, L[1]]:
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


class BasicBlockNoDownsample(nn.Module, Generic[Cin, Cout]):
    """torchvision's forward with downsample=None: the identity still has Cin channels."""

    def __init__(self, inplanes: Cin, planes: Cout, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)

    def forward(self, x: Maps[N, Cin, Tp]) -> Maps[N, Cout, Tp]:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out + identity  # type: ignore[shape]  # E: Cout
        return self.relu(out)


class BasicBlockConv2FromInput(nn.Module, Generic[Cin, Cout]):
    """conv2 applied to the block's input instead of conv1's output."""

    def __init__(self, inplanes: Cin, planes: Cout) -> None:
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)

    def forward(self, x: Maps[N, Cin, Tp]) -> Maps[N, Cout, Tp]:
        out = self.bn1(self.conv1(x)).relu()
        self.conv2(x)  # type: ignore[shape]  # E: Cin
        out = self.bn2(self.conv2(out))
        return out.relu()


class BasicBlockWrongNorm(nn.Module, Generic[Cin, Cout]):
    """bn1 normalizes Cin channels; conv1 gives Cout."""

    def __init__(self, inplanes: Cin, planes: Cout) -> None:
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.bn1_right = nn.BatchNorm2d(planes)

    def forward(self, x: Maps[N, Cin, Tp]) -> Maps[N, Cout, Tp]:
        out = self.conv1(x)
        self.bn1(out)  # type: ignore[shape]  # E: Cin
        return self.bn1_right(out).relu()


dev = sh.Cpu(seed=0)
block = BasicBlockNoDownsample(64, 64)
# a stage of 128 channels fed the 64-channel maps of the stage before
BasicBlockNoDownsample(128, 128)(dev.randn((2, 64, 8, 8)))  # type: ignore[shape]  # E: got (2, 64, 8, 8)
# BatchNorm2d of the wrong width at a concrete size
nn.BatchNorm2d(128)(dev.randn((2, 64, 8, 8)))  # type: ignore[shape]  # E: BatchNorm[128] expects 128 channels on axis 1, got (2, 64, 8, 8)
