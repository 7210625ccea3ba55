"""This stop's layers, losses and tools as a PyTorch user writes them: an nn.Module subclass
called as net(x), `x = layer(x)` down forward, sizes like 16 * 5 * 5, a criterion module."""

from typing import Any, TypeVar
from typing import Literal as L

import numpy as np

import shaped as sh
from shaped import nn, optim
from shaped.data import DataLoader, TensorDataset
from shaped.nn import functional as F

N = TypeVar("N")
S = TypeVar("S")
T = TypeVar("T")


class LeNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.norm = nn.GroupNorm(2, 16)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.drop = nn.Dropout1d(0.1)
        self.fc2 = nn.Linear(120, 10)

    def forward(
        self, images: sh.Tensor[tuple[N, L[1], L[32], L[32]], sh.Float32, sh.Cpu, T]
    ) -> sh.Tensor[tuple[N, L[10]], sh.Float32, sh.Cpu, T]:
        # pyright cannot rebind an annotated parameter to another shape (a documented limit):
        # the rebinding starts at a local
        x = F.max_pool2d(F.relu(self.conv1(images)), 2)
        x = F.max_pool2d(F.relu(self.norm(self.conv2(x))), 2)
        x = x.flatten(1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


class Tagger(nn.Module):
    def __init__(self, vocab: int, dim: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=0)
        self.lstm = nn.LSTM(dim, 2 * dim, batch_first=True)
        self.head = nn.Linear(2 * dim, 5)

    def forward(
        self, tokens: sh.Tensor[tuple[N, S], sh.Int64, sh.Cpu, T]
    ) -> sh.Tensor[tuple[N, S, L[5]], sh.Float32, sh.Cpu, T]:
        x = self.embed(tokens)
        x, _ = self.lstm(x)
        return self.head(x)


net = LeNet()
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
opt = optim.Sgd(net.parameters(), lr=0.01, momentum=0.9)
scheduler = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
images = np.random.default_rng(0).standard_normal((8, 1, 32, 32)).astype(np.float32)
labels = np.arange(8) % 10
loader = DataLoader(TensorDataset(images, labels), batch_size=4, shuffle=True, drop_last=True)
loss: Any = None
for batch, target in loader:
    grads = net.alloc_grads()
    x: sh.Tensor[Any, Any, Any, Any] = batch
    loss = criterion(net(x.realize((4, 1, 32, 32)).to(sh.Float32).traced(grads)), target)
    grads = loss.backward()
    nn.utils.clip_grad_norm_(net, grads, 1.0)
    opt.update(net, grads)
scheduler.step()
tagger = Tagger(50, 16)
print(tagger(sh.Cpu().randint(0, 50, (2, 7))).shape, float(loss))
