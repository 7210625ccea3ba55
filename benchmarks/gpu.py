"""shaped on sh.Cuda() against PyTorch eager on CUDA, side by side in one process.

    python benchmarks/gpu.py [--min-time 1.0]

Cases: the MLP 784-4096-4096-10 training step at batch 4096 (cross_entropy, SGD), the small
CNN step at batch 256, and an 8192x8192 float32 matmul through shaped against cupy.matmul.
Both libraries are synchronized before every clock reading; each case is warmed up first.
Prints each case's median time, the ratio and its target. Not part of the tests.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere
from benchmarks import digits

NO_GPU = (
    "benchmarks/gpu.py needs cupy and an NVIDIA GPU (pip install shaped[cuda]); "
    "nothing was measured"
)


def _gpu_present() -> bool:
    try:
        import cupy
    except Exception:  # not installed, or its CUDA libraries fail to load
        return False
    try:
        return int(cupy.cuda.runtime.getDeviceCount()) > 0
    except Exception:  # no driver
        return False


def _torch_cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def synchronize() -> None:
    """Wait for both libraries' queued GPU work."""
    import cupy

    cupy.cuda.Device().synchronize()
    if _torch_cuda():
        import torch

        torch.cuda.synchronize()


def median_time(fn: Callable[[], Any], min_time: float, repeat: int = 7, warmup: int = 3) -> float:
    """Median seconds per call over `repeat` synchronized batches lasting about min_time in all."""
    for _ in range(warmup):  # kernel compilation, cuBLAS handles, memory pools
        fn()
    synchronize()
    start = time.perf_counter()
    fn()
    synchronize()
    once = max(time.perf_counter() - start, 1e-7)
    inner = max(1, int(min_time / repeat / once))
    samples = []
    for _ in range(repeat):
        synchronize()
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        synchronize()
        samples.append((time.perf_counter() - start) / inner)
    samples.sort()
    return samples[len(samples) // 2]


# ---------------------------------------------------------------- cases


def mlp_step(batch: int = 4096) -> tuple[Callable[[], None], Callable[[], None]]:
    """One SGD step of an MLP 784-4096-4096-10 with cross_entropy, the same weights in both."""
    import numpy as np
    import torch

    import shaped as sh
    from shaped import losses, nn, optim

    dev = sh.Cuda(0, seed=0)
    model = nn.Sequential(
        nn.Linear(784, 4096, device=dev),
        nn.ReLU(),
        nn.Linear(4096, 4096, device=dev),
        nn.ReLU(),
        nn.Linear(4096, 10, device=dev),
    )
    opt = optim.Sgd(model, lr=0.01)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 784)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    sx, sy = dev.tensor(x), dev.tensor(y)

    def shaped_step() -> None:
        grads = model.alloc_grads()
        loss = losses.cross_entropy(model(sx.traced(grads)), sy)
        opt.update(model, loss.backward())

    reference = torch.nn.Sequential(
        torch.nn.Linear(784, 4096),
        torch.nn.ReLU(),
        torch.nn.Linear(4096, 4096),
        torch.nn.ReLU(),
        torch.nn.Linear(4096, 10),
    ).cuda()
    with torch.no_grad():
        for theirs, ours in zip(reference.parameters(), model.parameters()):
            theirs.copy_(torch.from_numpy(ours.numpy()))
    torch_opt = torch.optim.SGD(reference.parameters(), lr=0.01)
    tx, ty = torch.from_numpy(x).cuda(), torch.from_numpy(y).cuda()

    def torch_step() -> None:
        torch_opt.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(reference(tx), ty).backward()
        torch_opt.step()

    return shaped_step, torch_step


def cnn_step(batch: int = 256) -> tuple[Callable[[], None], Callable[[], None]]:
    """conv 1->16 k3 p1, relu, pool 2, conv 16->32 k3 p1, relu, pool 2, flatten, linear 1568->10."""
    import numpy as np
    import torch

    import shaped as sh
    from shaped import losses, nn, optim

    dev = sh.Cuda(0, seed=0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, device=dev),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, device=dev),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(1568, 10, device=dev),
    )
    opt = optim.Sgd(model, lr=0.01)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    sx, sy = dev.tensor(x), dev.tensor(y)

    def shaped_step() -> None:
        grads = model.alloc_grads()
        loss = losses.cross_entropy(model(sx.traced(grads)), sy)
        opt.update(model, loss.backward())

    weights = [p.numpy() for p in model.parameters()]
    reference = digits.torch_model(weights, features=1568).cuda()
    torch_opt = torch.optim.SGD(reference.parameters(), lr=0.01)
    tx, ty = torch.from_numpy(x).cuda(), torch.from_numpy(y).cuda()

    def torch_step() -> None:
        torch_opt.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(reference(tx), ty).backward()
        torch_opt.step()

    return shaped_step, torch_step


def matmul(n: int = 8192) -> tuple[Callable[[], None], Callable[[], None]]:
    """An n x n float32 product through shaped (`a @ b`) and through cupy.matmul directly."""
    import cupy

    import shaped as sh

    dev = sh.Cuda(0, seed=0)
    a, b = dev.randn((n, n)), dev.randn((n, n))
    ca, cb = a._data, b._data

    def ours() -> None:
        a @ b

    def theirs() -> None:
        cupy.matmul(ca, cb)

    return ours, theirs


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-time", type=float, default=1.0, help="seconds per measurement")
    args = parser.parse_args()
    if not _gpu_present():
        sys.exit(NO_GPU)
    import cupy

    import shaped as sh

    name = cupy.cuda.runtime.getDeviceProperties(0)["name"]
    name = name.decode() if isinstance(name, bytes) else str(name)
    print(f"device: {name}; cupy {cupy.__version__}; shaped on {sh.Cuda()!r}")
    if _torch_cuda():
        import torch

        # full float32 on both sides (cupy uses TF32 only with CUPY_TF32=1)
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        print(f"torch {torch.__version__}, eager, TF32 off")
    else:
        print("torch has no CUDA build here: the torch cases are skipped (install a CUDA torch)")

    rows: list[tuple[str, str, str, str, str, str]] = []
    failed = False
    if _torch_cuda():
        for label, make, target in (
            ("MLP 784-4096-4096-10 step, batch 4096", mlp_step, 1.3),
            ("small CNN step, batch 256", cnn_step, 2.0),
        ):
            ours, theirs = make()
            t_ours = median_time(ours, args.min_time)
            t_theirs = median_time(theirs, args.min_time)
            ratio = t_ours / t_theirs
            ok = ratio <= target
            failed |= not ok
            rows.append(
                (
                    label,
                    f"{t_ours * 1e3:.2f} ms",
                    f"{t_theirs * 1e3:.2f} ms (torch)",
                    f"{ratio:.2f}x",
                    f"<= {target}x",
                    "ok" if ok else "MISSED",
                )
            )
    n = 8192
    ours, theirs = matmul(n)
    t_ours = median_time(ours, args.min_time)
    t_theirs = median_time(theirs, args.min_time)
    flops = 2.0 * n**3
    fraction = t_theirs / t_ours
    ok = fraction >= 0.9
    failed |= not ok
    rows.append(
        (
            f"matmul {n}x{n} float32",
            f"{flops / t_ours / 1e12:.1f} TFLOP/s",
            f"{flops / t_theirs / 1e12:.1f} TFLOP/s (cupy)",
            f"{fraction:.0%} of cupy",
            ">= 90%",
            "ok" if ok else "MISSED",
        )
    )
    headers = ("case", "shaped", "reference", "ratio", "target", "")
    widths = [max(len(row[i]) for row in (headers, *rows)) for i in range(len(headers))]
    for row in (headers, *rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
