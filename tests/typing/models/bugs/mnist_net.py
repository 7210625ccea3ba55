"""The bugs of the pytorch/examples MNIST `Net`, each caught before it runs.

Expected errors are `# type: ignore[code]` on their line (mypy runs with --warn-unused-ignores,
so an error that stops firing fails the test); `# E:` gives a part of the expected message.
"""

from __future__ import annotations

from typing import Literal as L
from typing import TypeVar

import numpy as np

import shaped as sh
from shaped import losses, nn
from shaped.nn import functional as F

N = TypeVar("N")
Tp = TypeVar("Tp")
Images = sh.Tensor[tuple[N, L[1], L[28], L[28]], sh.Float32, sh.Cpu, Tp]
Logits = sh.Tensor[tuple[N, L[10]], sh.Float32, sh.Cpu, Tp]


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, stride=1)
        self.conv2 = nn.Conv2d(32, 64, 3, stride=1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x: Images[N, Tp]) -> Logits[N, Tp]:
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = x.flatten(1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, axis=1)
        return output


class NetFcBeforePool(nn.Module):
    """fc1 sized for 64*24*24 features, computed before max_pool2d(2) was added."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, stride=1)
        self.conv2 = nn.Conv2d(32, 64, 3, stride=1)
        self.fc1 = nn.Linear(64 * 24 * 24, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x: Images[N, Tp]) -> Logits[N, Tp]:
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = x.flatten(1)
        x = self.fc1(x)  # type: ignore[shape]  # E: the last dim 9216 != in_features 36864
        x = self.fc2(F.relu(x))
        return F.log_softmax(x, axis=1)


class NetWrongConv2(nn.Module):
    """conv2 copied from conv1: it takes 1 input channel, but conv1 makes 32."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, stride=1)
        self.conv2 = nn.Conv2d(1, 64, 3, stride=1)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x: Images[N, Tp]) -> Logits[N, Tp]:
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))  # type: ignore[shape]  # E: expects 1*1 = 1 input channels, got 32
        x = F.max_pool2d(x, 2).flatten(1)
        x = self.fc2(F.relu(self.fc1(x)))
        return F.log_softmax(x, axis=1)


class SmallNet(nn.Module):
    """One 5x5 conv and a pool: 16*12*12 features, but the Linear says 16*24*24."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 5)
        self.fc = nn.Linear(16 * 24 * 24, 10)

    def forward(self, x: Images[N, Tp]) -> Logits[N, Tp]:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        return self.fc(x.flatten(1))  # type: ignore[shape]  # E: the last dim 2304 != in_features 9216


dev = sh.Cpu(seed=0)
model = Net()
data = dev.randn((8, 1, 28, 28))
target = dev.tensor([7, 2, 1, 0, 4, 1, 4, 9])
grads = model.alloc_grads()

# flattened images (an MLP's input) into the conv net
model(dev.randn((64, 784)))  # type: ignore[shape]  # E: got (64, 784)
# the images without their channel axis
model(dev.randn((8, 28, 28)))  # type: ignore[shape]  # E: got (8, 28, 28)
# float64 numpy data into a Float32 model: no implicit promotion
model(dev.tensor(np.zeros((8, 1, 28, 28))))  # type: ignore[dtype]  # E: Float64
model(dev.tensor(np.zeros((8, 1, 28, 28)), dtype=sh.Float32))
# the training step forgot .traced(grads): nothing was recorded
losses.nll_loss(model(data), target).backward()  # type: ignore[no-tape]  # E: loss has no tape
# reduction="none" and no .mean(): a loss per example
per_example = losses.nll_loss(model(data.traced(grads)), target, reduction="none")
per_example.backward()  # type: ignore[shape]  # E: backward() needs a scalar loss, got shape (8,)
# the targets of the next batch
losses.nll_loss(model(data), target[:4])  # type: ignore[shape]  # E: need class-index targets of shape (8,), got (4,)
