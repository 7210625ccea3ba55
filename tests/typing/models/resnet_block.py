"""torchvision's ResNet `BasicBlock`, generic in its channels, used with concrete sizes.

Upstream: https://github.com/pytorch/vision/blob/main/torchvision/models/resnet.py
torchvision's one class covers two cases: `downsample=None` when the block keeps its
channels (and stride 1), a 1x1 conv + BatchNorm `downsample` when it changes them. Typed
generically those are two types: `out + identity` adds a `Cout`-channel tensor to the
`Cin`-channel input, which is only right when the types say `Cin` and `Cout` are equal.
So `BasicBlock[Cin, Cout]` always brings the identity to `Cout` channels through its
`downsample` branch, and `IdentityBlock[C]` is torchvision's `downsample=None` case over
one channel TypeVar. Spatial dims are `int` in the signatures (a stride-2 conv halves them).
Differences, each shaped's spelling: `nn.ReLU()` for `nn.ReLU(inplace=True)`;
`out = out + identity` for `out += identity`; keyword `stride=` and `padding=`.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar, assert_type
from typing import Literal as L

import shaped as sh
from shaped import losses, nn, optim

Cin = TypeVar("Cin")
Cout = TypeVar("Cout")
C = TypeVar("C")
N = TypeVar("N")
Tp = TypeVar("Tp")

Maps = sh.Tensor[tuple[N, C, int, int], sh.Float32, sh.Cpu, Tp]  # (N, C, H, W)


def conv3x3(
    in_planes: Cin, out_planes: Cout, stride: int = 1
) -> nn.Conv2d[Cin, Cout, L[3], int, L[1]]:
    """3x3 convolution with padding"""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_planes: Cin, out_planes: Cout, stride: int = 1) -> nn.Conv2d[Cin, Cout, L[1], int]:
    """1x1 convolution"""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class Downsample(nn.Module, Generic[Cin, Cout]):
    """`nn.Sequential(conv1x1(inplanes, planes, stride), norm_layer(planes))` of _make_layer."""

    def __init__(self, inplanes: Cin, planes: Cout, stride: int = 1) -> None:
        super().__init__()
        self.conv = conv1x1(inplanes, planes, stride)
        self.bn = nn.BatchNorm2d(planes)

    def forward(self, x: Maps[N, Cin, Tp]) -> Maps[N, Cout, Tp]:
        return self.bn(self.conv(x))


class BasicBlock(nn.Module, Generic[Cin, Cout]):
    expansion: int = 1

    def __init__(
        self, inplanes: Cin, planes: Cout, stride: int, downsample: Downsample[Cin, Cout]
    ) -> None:
        super().__init__()
        # Both self.conv1 and self.downsample layers downsample the input when stride != 1
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Maps[N, Cin, Tp]) -> Maps[N, Cout, Tp]:
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)

        identity = self.downsample(x)

        out = out + identity
        out = self.relu(out)

        return out


class IdentityBlock(nn.Module, Generic[C]):
    """torchvision's BasicBlock with downsample=None: stride 1, channels kept."""

    expansion: int = 1

    def __init__(self, planes: C) -> None:
        super().__init__()
        self.conv1 = conv3x3(planes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)

    def forward(self, x: Maps[N, C, Tp]) -> Maps[N, C, Tp]:
        identity = x

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)

        out = out + identity
        out = self.relu(out)

        return out


# resnet18's layer2: 64 -> 128 channels at stride 2, then a block that keeps 128
dev = sh.Cpu(seed=0)
first = BasicBlock(64, 128, 2, Downsample(64, 128, stride=2))
assert_type(first, BasicBlock[L[64], L[128]])
second = IdentityBlock(128)
assert_type(second, IdentityBlock[L[128]])
assert_type(first.conv1, nn.Conv2d[L[64], L[128], L[3], int, L[1]])

x = dev.randn((2, 64, 8, 8))
h = first(x)
assert_type(h, sh.Tensor[tuple[L[2], L[128], int, int], sh.Float32, sh.Cpu, sh.NoTape])
y = second(h)
assert_type(y, sh.Tensor[tuple[L[2], L[128], int, int], sh.Float32, sh.Cpu, sh.NoTape])
assert y.shape == (2, 128, 4, 4)


# one training step through resnet18's layer2 and a classifier head
class Layer2(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.block0 = BasicBlock(64, 128, 2, Downsample(64, 128, stride=2))
        self.block1 = IdentityBlock(128)
        self.fc = nn.Linear(128, 10)

    def forward(self, x: Maps[N, L[64], Tp]) -> sh.Tensor[tuple[N, L[10]], sh.Float32, sh.Cpu, Tp]:
        x = self.block0(x)
        x = self.block1(x)
        return self.fc(x.mean(axis=(2, 3)))  # adaptive average pooling to 1x1, then flatten


model = Layer2()
sgd = optim.Sgd(model, lr=0.1, momentum=0.9)
grads = model.alloc_grads()
logits = model(x.traced(grads))
assert_type(logits, sh.Tensor[tuple[L[2], L[10]], sh.Float32, sh.Cpu, sh.OwnedTape])
loss = losses.cross_entropy(logits, dev.tensor([3, 7]))
grads = loss.backward()
sgd.update(model, grads)
gradient = grads[model.block0.conv1.weight]
assert_type(gradient, sh.Tensor[tuple[L[128], Any, L[3], L[3]], sh.Float32, Any])
print(f"ResNet blocks: loss {loss.item():.3f}, conv1 grad {gradient.shape}")
