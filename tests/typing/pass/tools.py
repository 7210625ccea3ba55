"""A training loop as a PyTorch user writes it: a Dataset, DataLoader, nn.init through
model.modules(), clip_grad_norm_ between backward and the optimizer step, pad_sequence,
gradient checkpointing.
Clean under mypy (with the plugin) and pyright, and runnable."""

from __future__ import annotations

import math
from typing import Final, TypeVar
from typing import Literal as L

import numpy as np
from numpy.typing import NDArray

import shaped as sh
from shaped import data, losses, nn, optim
from shaped.nn import init, utils

BATCH: Final = 8
N = TypeVar("N")  # the batch
Tp = TypeVar("Tp")  # the tape
dev = sh.Cpu(seed=0)


class Digits(data.Dataset[tuple[NDArray[np.float32], int]]):
    """Images (1, 8, 8) and their labels, one sample per index."""

    def __init__(self, n: int) -> None:
        rng = np.random.default_rng(0)
        self.images = rng.standard_normal((n, 1, 8, 8)).astype(np.float32)
        self.labels = rng.integers(0, 10, n)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[NDArray[np.float32], int]:
        return self.images[index], int(self.labels[index])


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 8 * 8, 10)

    def forward(
        self, x: sh.Tensor[tuple[N, L[1], L[8], L[8]], sh.Float32, sh.Cpu, Tp]
    ) -> sh.Tensor[tuple[N, L[10]], sh.Float32, sh.Cpu, Tp]:
        # the conv runs again in backward instead of keeping its output for it
        h: sh.Tensor[tuple[N, L[4], int, int], sh.Float32, sh.Cpu, Tp] = utils.checkpoint(
            self.conv, x
        )
        return self.fc(h.relu().flatten(1))


def init_weights(module: nn.Module) -> None:
    if isinstance(module, nn.Linear):
        init.kaiming_uniform_(module.weight, a=math.sqrt(5))
        if module.bias is not None:
            init.zeros_(module.bias)
    elif isinstance(module, nn.Conv2d):
        init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")


model = Net()
for module in model.modules():  # torch's model.apply(init_weights)
    init_weights(module)
weight: sh.Tensor[tuple[L[10], L[256]]] = init.xavier_uniform_(
    model.fc.weight, gain=init.calculate_gain("tanh")
)
init.trunc_normal_(model.fc.weight, std=0.02, generator=dev)
init.orthogonal_(model.fc.weight)

train, valid = data.random_split(Digits(40), [0.8, 0.2], seed=0)
loader = data.DataLoader(train, batch_size=BATCH, shuffle=True, drop_last=True, seed=0)
adam = optim.Adam(model, lr=1e-3)
grads = model.alloc_grads()
for epoch in range(2):
    for images, labels in loader:  # len(loader) == 4 batches
        x = images.realize((BATCH, 1, 8, 8)).to(sh.Float32)
        y = labels.realize((BATCH,)).to(sh.Int64)
        model.zero_grads(grads)
        loss = losses.cross_entropy(model(x.traced(grads)), y)
        grads = loss.backward()
        total = utils.clip_grad_norm_(model, grads, max_norm=1.0)
        nn.utils.clip_grad_value_(model.parameters(), grads, 0.5)
        adam.update(model, grads)
        print(f"epoch {epoch} loss {loss.item():.3f} grad norm {total.item():.3f}")

# tensors and arrays straight into a TensorDataset
pairs = data.TensorDataset(dev.randn((20, 3)), np.arange(20))
for features, targets in data.DataLoader(pairs, batch_size=5):
    assert features.shape[1:] == (3,) and len(targets) == 5


# a typed collate_fn types the batches itself
def pad_batch(batch: list[sh.Tensor[tuple[int]]]) -> sh.Tensor[tuple[int, int]]:
    return utils.pad_sequence(batch, batch_first=True)


class Sentences(data.Dataset[sh.Tensor[tuple[int]]]):
    def __len__(self) -> int:
        return 6

    def __getitem__(self, index: int) -> sh.Tensor[tuple[int]]:
        return dev.randn((index + 1,)).realize((index + 1,))


padded_loader = data.DataLoader(Sentences(), batch_size=3, collate_fn=pad_batch)
for padded in padded_loader:
    assert padded.shape[0] == 3

vec = utils.parameters_to_vector(model.parameters())
utils.vector_to_parameters(vec * 0.5, model)
sampler = data.DistributedSampler(train, num_replicas=2, rank=0, shuffle=True, seed=0)
sampler.set_epoch(1)
sharded = data.DataLoader(train, batch_size=4, sampler=sampler)
assert len(sharded) == 4


# torch's spelling without type arguments: a Dataset[Any], batches of Any
class Plain(data.Dataset):
    def __len__(self) -> int:
        return 3

    def __getitem__(self, index: int) -> float:
        return float(index)


plain_loader: data.DataLoader = data.DataLoader(Plain(), batch_size=2)
assert [batch.tolist() for batch in plain_loader] == [[0.0, 1.0], [2.0]]
