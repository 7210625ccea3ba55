"""The digits CNN trained data-parallel over MPI: each rank takes its share of every epoch.

Run: mpiexec -n 2 python examples/07_data_parallel.py [--epochs 10] [--smoke]
(one process works too: `python examples/07_data_parallel.py`). Needs the [mpi] extra:
pip install 'shaped[mpi]'. `DataParallel` broadcasts rank 0's parameters, `sync` averages
the gradients over the ranks in buckets, and `DistributedSampler` gives each rank a disjoint
share of each shuffled epoch, so every rank steps identically.
"""

from __future__ import annotations

import argparse
from typing import Any
from typing import Literal as L

import numpy as np
from sklearn.datasets import load_digits  # type: ignore[import-untyped]  # pyright: ignore[reportMissingImports]

import shaped as sh
from shaped import data, losses, nn, optim
from shaped import distributed as dist

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--smoke", action="store_true", help="one short epoch")
args = parser.parse_args()

dist.init()
rank, size = dist.rank(), dist.world_size()
Cnn = tuple[
    nn.Conv2d[L[1], L[16], L[3], L[1], L[1]],
    nn.ReLU,
    nn.MaxPool2d[L[2]],
    nn.Conv2d[L[16], L[32], L[3], L[1], L[1]],
    nn.ReLU,
    nn.MaxPool2d[L[2]],
    nn.Flatten,
    nn.Linear[L[128], L[10]],
]
model = dist.DataParallel(sh.Cpu(seed=rank).build_module(Cnn))  # rank 0's weights everywhere
opt = optim.Adam(model, lr=3e-3)

pixels, labels = load_digits(return_X_y=True)
images = (pixels / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
train = data.TensorDataset(images[:1400], labels[:1400].astype(np.int64))
sampler = data.DistributedSampler(train, shuffle=True, seed=0)  # rank and size from MPI
loader = data.DataLoader(train, batch_size=32, sampler=sampler, drop_last=True)

epochs = 1 if args.smoke else args.epochs
for epoch in range(epochs):
    sampler.set_epoch(epoch)  # a new shuffle each epoch, the same on every rank
    total, steps = 0.0, 0
    for step, (x, y) in enumerate(loader):
        grads = model.alloc_grads()
        batch: sh.Tensor[Any, Any, Any, Any] = x
        loss = losses.cross_entropy(model(batch.realize((32, 1, 8, 8)).traced(grads)), y)
        opt.update(model, model.sync(loss.backward()))  # the averaged gradients
        total, steps = total + loss.item(), steps + 1
        if args.smoke and step == 4:
            break
    if rank == 0:
        print(f"epoch {epoch + 1}: mean loss on rank 0's share {total / max(steps, 1):.4f}")

test_images = sh.Cpu().tensor(images[1400:]).realize((len(images) - 1400, 1, 8, 8))
accuracy = (model(test_images).argmax(axis=1).numpy() == labels[1400:]).mean()
if rank == 0:
    print(f"{size} rank(s): test accuracy {accuracy:.3f}")
