"""The bugs of the 60-minute blitz LeNet, each caught before it runs.

Expected errors are `# type: ignore[code]` on their line (mypy runs with --warn-unused-ignores,
so an error that stops firing fails the test); `# E:` gives a part of the expected message.
"""

from __future__ import annotations

from typing import Literal as L
from typing import TypeVar

import shaped as sh
from shaped import losses, nn
from shaped.nn import functional as F

N = TypeVar("N")
Tp = TypeVar("Tp")
Images = sh.Tensor[tuple[N, L[1], L[32], L[32]], sh.Float32, sh.Cpu, Tp]
Logits = sh.Tensor[tuple[N, L[10]], sh.Float32, sh.Cpu, Tp]


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input: Images[N, Tp]) -> Logits[N, Tp]:
        s2 = F.max_pool2d(F.relu(self.conv1(input)), (2, 2))
        s4 = F.max_pool2d(F.relu(self.conv2(s2)), 2).flatten(1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(s4)))))


class NetNoSecondPool(nn.Module):
    """S4 forgotten: 16*10*10 features reach the 16*5*5 Linear."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input: Images[N, Tp]) -> Logits[N, Tp]:
        s2 = F.max_pool2d(F.relu(self.conv1(input)), (2, 2))
        c3 = F.relu(self.conv2(s2)).flatten(1)
        f5 = F.relu(self.fc1(c3))  # type: ignore[shape]  # E: the last dim 1600 != in_features 400
        return self.fc3(F.relu(self.fc2(f5)))


class NetWrongFc2(nn.Module):
    """fc2 takes 100 features, fc1 gives 120."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(100, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input: Images[N, Tp]) -> Logits[N, Tp]:
        s2 = F.max_pool2d(F.relu(self.conv1(input)), (2, 2))
        s4 = F.max_pool2d(F.relu(self.conv2(s2)), 2).flatten(1)
        f5 = F.relu(self.fc1(s4))
        f6 = F.relu(self.fc2(f5))  # type: ignore[shape]  # E: the last dim 120 != in_features 100
        return self.fc3(f6)


dev = sh.Cpu(seed=0)
net = Net()
input = dev.randn((1, 1, 32, 32))

# MNIST's 28x28 images into LeNet, which expects 32x32
net(dev.randn((1, 1, 28, 28)))  # type: ignore[shape]  # E: got (1, 1, 28, 28)
# the 28x28 image's feature count, 16*4*4, in the older tutorial's view
features = F.max_pool2d(F.relu(net.conv2(F.max_pool2d(F.relu(net.conv1(input)), 2))), 2)
features.reshape(-1, 16 * 4 * 4)  # type: ignore[shape]  # E: 400 is not divisible by 256
# the dummy target not reshaped "to the same shape as output"
grads = net.alloc_grads()
output = net(input.traced(grads))
losses.mse_loss(output, dev.randn((10,)))  # type: ignore[shape]  # E: input shape (1, 10) and target shape (10,) differ
# backward on the output itself, as the tutorial's `out.backward(torch.randn(1, 10))`
output.backward()  # type: ignore[shape]  # E: backward() needs a scalar loss, got shape (1, 10)
