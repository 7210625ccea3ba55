"""pytorch/examples mnist/main.py: `Net`, ported line for line.

Upstream: https://github.com/pytorch/examples/blob/main/mnist/main.py
Differences, each shaped's spelling: `nn.Conv2d(1, 32, 3, stride=1)` (stride is a keyword),
`x.flatten(1)` for `torch.flatten(x, 1)`, `axis=1` for `dim=1`, `sh.losses.nll_loss` for
`F.nll_loss`, and `optim.Sgd` for `optim.Adadelta` (which shaped does not have).
"""

from __future__ import annotations

from typing import Any, TypeVar, assert_type
from typing import Literal as L

import shaped as sh
from shaped import losses, nn, optim
from shaped.nn import functional as F

N = TypeVar("N")  # the batch
Tp = TypeVar("Tp")  # the tape: OwnedTape when training, NoTape at test time


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, stride=1)
        self.conv2 = nn.Conv2d(32, 64, 3, stride=1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(
        self, x: sh.Tensor[tuple[N, L[1], L[28], L[28]], sh.Float32, sh.Cpu, Tp]
    ) -> sh.Tensor[tuple[N, L[10]], sh.Float32, sh.Cpu, Tp]:
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


dev = sh.Cpu(seed=0)
model = Net()
data = dev.randn((8, 1, 28, 28))
target = dev.tensor([7, 2, 1, 0, 4, 1, 4, 9])
assert_type(target, sh.Tensor[tuple[L[8]], sh.Int64])

# test(): no tape
model.eval()
output = model(data)
assert_type(output, sh.Tensor[tuple[L[8], L[10]], sh.Float32, sh.Cpu, sh.NoTape])
pred = output.argmax(axis=1, keepdims=True)
assert_type(pred, sh.Tensor[tuple[L[8], L[1]], sh.Int64])
correct = (pred == target.reshape(8, 1)).sum().item()

# train(): one step
model.train()
optimizer = optim.Sgd(model, lr=0.01)
grads = model.alloc_grads()
output = model(data.traced(grads))
assert_type(output, sh.Tensor[tuple[L[8], L[10]], sh.Float32, sh.Cpu, sh.OwnedTape])
loss = losses.nll_loss(output, target)
assert_type(loss, sh.Tensor[tuple[()], sh.Float32, sh.Cpu, sh.OwnedTape])
grads = loss.backward()
assert_type(grads[model.fc1.weight], sh.Tensor[tuple[L[128], L[9216]], sh.Float32, Any])
optimizer.update(model, grads)
model.zero_grads(grads)
print(f"mnist Net: loss {loss.item():.3f}, {correct} correct, {model.num_params()} parameters")
