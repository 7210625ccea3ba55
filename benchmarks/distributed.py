"""Data-parallel steps per second, shaped.distributed beside torch DistributedDataParallel (gloo).

    python benchmarks/distributed.py             # runs itself on 1 and 2 ranks, prints the table
    mpiexec -n 2 python benchmarks/distributed.py --worker   # one measurement

Weak scaling: each rank keeps its batch (MLP 784-256-128-10 at 256 per rank, the digits CNN at
64), one thread per rank; efficiency = (steps/s per rank on 2 ranks) / (steps/s on 1 rank).
torch runs the same model under DDP with the gloo backend in the same processes, its ranks
and rendezvous taken from MPI.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

STEPS = 30


def shaped_rate(case: str) -> float:
    import shaped as sh
    from shaped import distributed as dist
    from shaped import losses, nn, optim

    dev = sh.Cpu(seed=dist.rank())
    if case == "mlp":
        net = nn.Sequential(
            nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)
        )
        x, y = dev.randn((256, 784)), dev.randint(0, 10, (256,))
    else:
        net = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(128, 10),
        )  # fmt: skip
        x, y = dev.randn((64, 1, 8, 8)), dev.randint(0, 10, (64,))
    model = dist.DataParallel(net)
    opt = optim.Sgd(model, lr=0.01, momentum=0.9)
    grads = model.alloc_grads()

    def step() -> None:
        loss = losses.cross_entropy(model(x.traced(grads)), y)
        opt.update(model, model.sync(loss.backward()))
        model.zero_grads(grads)

    for _ in range(3):
        step()
    dist.barrier()
    start = time.perf_counter()
    for _ in range(STEPS):
        step()
    dist.barrier()
    return STEPS / (time.perf_counter() - start)


def _shared_free_port() -> int:
    """A free TCP port chosen by rank 0 and told to every rank (for gloo's rendezvous)."""
    import socket

    from mpi4py import MPI

    port = None
    if MPI.COMM_WORLD.Get_rank() == 0:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    return int(MPI.COMM_WORLD.bcast(port, root=0))


def torch_rate(case: str) -> float:
    import torch
    import torch.distributed as tdist
    from torch import nn as tnn

    from shaped import distributed as dist

    torch.set_num_threads(1)
    if not tdist.is_initialized():
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ["MASTER_PORT"] = str(_shared_free_port())
        tdist.init_process_group("gloo", rank=dist.rank(), world_size=dist.world_size())
    torch.manual_seed(dist.rank())
    if case == "mlp":
        net: tnn.Module = tnn.Sequential(
            tnn.Linear(784, 256), tnn.ReLU(), tnn.Linear(256, 128), tnn.ReLU(), tnn.Linear(128, 10)
        )
        x, y = torch.randn(256, 784), torch.randint(0, 10, (256,))
    else:
        net = tnn.Sequential(
            tnn.Conv2d(1, 16, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
            tnn.Conv2d(16, 32, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
            tnn.Flatten(), tnn.Linear(128, 10),
        )  # fmt: skip
        x, y = torch.randn(64, 1, 8, 8), torch.randint(0, 10, (64,))
    model = tnn.parallel.DistributedDataParallel(net)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step() -> None:
        opt.zero_grad()
        tnn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    for _ in range(3):
        step()
    tdist.barrier()
    start = time.perf_counter()
    for _ in range(STEPS):
        step()
    tdist.barrier()
    return STEPS / (time.perf_counter() - start)


def worker() -> None:
    from shaped import distributed as dist

    dist.init()
    rates = {
        f"{lib} {case}": fn(case)
        for case in ("mlp", "cnn")
        for lib, fn in (("shaped", shaped_rate), ("torch", torch_rate))
    }
    if dist.rank() == 0:
        print(json.dumps({"ranks": dist.world_size(), "rates": rates}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help="measure in this process group")
    args = parser.parse_args()
    if args.worker:
        worker()
        return
    mpiexec = str(Path(sys.executable).parent / "mpiexec")
    runs = {}
    for ranks in (1, 2):
        out = subprocess.run(
            [mpiexec, "-n", str(ranks), sys.executable, __file__, "--worker"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        runs[ranks] = json.loads(out.strip().splitlines()[-1])["rates"]
    print(f"{'case':<12} {'1 rank':>10} {'2 ranks':>10} {'efficiency':>11}   (steps/s per rank)")
    for name in runs[1]:
        one, two = runs[1][name], runs[2][name]
        print(f"{name:<12} {one:>10.1f} {two:>10.1f} {two / one:>10.0%}")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
