"""Run under `mpiexec -n 2`: 20 data-parallel SGD steps equal one process on the whole batch."""

from __future__ import annotations

import sys

import numpy as np

import shaped as sh
from shaped import distributed as dist
from shaped import losses, nn, optim

dist.init()
rank, size = dist.rank(), dist.world_size()


def build(seed: int) -> nn.Sequential:  # type: ignore[type-arg]
    dev = sh.Cpu(seed=seed)
    return nn.Sequential(nn.Linear(6, 16, device=dev), nn.Tanh(), nn.Linear(16, 3, device=dev))


# each rank builds from another seed: DataParallel must broadcast rank 0's parameters
model = dist.DataParallel(build(seed=rank), bucket_mb=0.0005)  # several buckets
reference = build(seed=0)  # the single-process run, on the concatenated batch
data = np.random.default_rng(7)
opt, ref_opt = optim.Sgd(model, lr=0.2, momentum=0.9), optim.Sgd(reference, lr=0.2, momentum=0.9)
dev = sh.Cpu()
for _step in range(20):
    x = data.standard_normal((8 * size, 6)).astype(np.float32)
    y = data.integers(0, 3, size=8 * size)
    mine = slice(8 * rank, 8 * (rank + 1))
    grads = model.alloc_grads()
    loss = losses.cross_entropy(model(dev.tensor(x[mine]).traced(grads)), dev.tensor(y[mine]))
    opt.update(model, model.sync(loss.backward()))
    ref_grads = reference.alloc_grads()
    ref_loss = losses.cross_entropy(reference(dev.tensor(x).traced(ref_grads)), dev.tensor(y))
    ref_opt.update(reference, ref_loss.backward())

for (name, p), (_, q) in zip(model.named_parameters(), reference.named_parameters()):
    everyone = dist.all_gather(p).numpy()
    assert np.array_equal(everyone[0], everyone[-1]), f"{name} differs between ranks"
    np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-5, atol=1e-6, err_msg=name)
# rank 0 saves, every rank loads the same checkpoint back
path = sys.argv[1]
model.save(path)
for p in model.parameters():
    p.copy_(p * 0)
model.load(path)
for (name, p), (_, q) in zip(model.named_parameters(), reference.named_parameters()):
    np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-5, atol=1e-6, err_msg=name)
total = dist.all_reduce(dev.tensor(np.array([rank + 1.0])), op="sum").item()
assert total == size * (size + 1) / 2
dist.barrier()
print(f"rank {rank} of {size}: OK")
