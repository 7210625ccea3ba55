"""LeNet from the PyTorch 60-minute blitz ("Neural Networks"), ported line for line.

Upstream: https://pytorch.org/tutorials/beginner/blitz/neural_networks_tutorial.html
Differences, each shaped's spelling: `s4.flatten(1)` for `torch.flatten(s4, 1)`,
`losses.mse_loss` for `nn.MSELoss()`, `optim.Sgd(net, lr=0.01)` whose `update` is
`zero_grad()` + `step()`, and `dev.randn` for `torch.randn`.
"""

from __future__ import annotations

from typing import Literal as L
from typing import TypeVar, assert_type

import shaped as sh
from shaped import losses, nn, optim
from shaped.nn import functional as F

N = TypeVar("N")
Tp = TypeVar("Tp")


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        # 1 input image channel, 6 output channels, 5x5 square convolution kernel
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # an affine operation: y = Wx + b
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 5*5 from image dimension
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(
        self, input: sh.Tensor[tuple[N, L[1], L[32], L[32]], sh.Float32, sh.Cpu, Tp]
    ) -> sh.Tensor[tuple[N, L[10]], sh.Float32, sh.Cpu, Tp]:
        # Convolution layer C1: 1 input image channel, 6 output channels, 5x5 square
        # convolution, it uses RELU activation function, and outputs a Tensor with size
        # (N, 6, 28, 28), where N is the size of the batch
        c1 = F.relu(self.conv1(input))
        # Subsampling layer S2: 2x2 grid, purely functional, outputs a (N, 6, 14, 14) Tensor
        s2 = F.max_pool2d(c1, (2, 2))
        # Convolution layer C3: 6 input channels, 16 output channels, 5x5 square convolution,
        # it uses RELU activation function, and outputs a (N, 16, 10, 10) Tensor
        c3 = F.relu(self.conv2(s2))
        # Subsampling layer S4: 2x2 grid, purely functional, outputs a (N, 16, 5, 5) Tensor
        s4 = F.max_pool2d(c3, 2)
        # Flatten operation: purely functional, outputs a (N, 400) Tensor
        s4 = s4.flatten(1)
        # Fully connected layer F5: (N, 400) Tensor input, and outputs a (N, 120) Tensor
        f5 = F.relu(self.fc1(s4))
        # Fully connected layer F6: (N, 120) Tensor input, and outputs a (N, 84) Tensor
        f6 = F.relu(self.fc2(f5))
        # Gaussian layer OUTPUT: (N, 84) Tensor input, and outputs a (N, 10) Tensor
        output = self.fc3(f6)
        return output


dev = sh.Cpu(seed=0)
net = Net()
print(net)
params = list(net.parameters())
print(len(params))
print(params[0].shape)  # conv1's .weight

input = dev.randn((1, 1, 32, 32))
out = net(input)
assert_type(out, sh.Tensor[tuple[L[1], L[10]], sh.Float32, sh.Cpu, sh.NoTape])
print(out)

# the older tutorial flattened with x.view(-1, self.num_flat_features(x))
features = F.max_pool2d(F.relu(net.conv2(F.max_pool2d(F.relu(net.conv1(input)), 2))), 2)
assert_type(features.reshape(-1, 16 * 5 * 5), sh.Tensor[tuple[L[1], L[400]]])

# Loss Function
grads = net.alloc_grads()
output = net(input.traced(grads))
target = dev.randn((10,))  # a dummy target, for example
target = target.reshape(1, -1)  # make it the same shape as output
assert_type(target, sh.Tensor[tuple[L[1], L[10]]])
loss = losses.mse_loss(output, target)
assert_type(loss, sh.Tensor[tuple[()], sh.Float32, sh.Cpu, sh.OwnedTape])
print(loss)

# Backprop, then Update the weights
optimizer = optim.Sgd(net, lr=0.01)
grads = loss.backward()
print("conv1.weight.grad after backward", grads[net.conv1.weight].shape)
optimizer.update(net, grads)

# a batch of four at once: the batch is a TypeVar in forward
batch = dev.randn((4, 1, 32, 32))
assert_type(net(batch), sh.Tensor[tuple[L[4], L[10]], sh.Float32, sh.Cpu, sh.NoTape])
