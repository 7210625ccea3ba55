"""GELU (exact erf form) and erf, forward and forward + backward, shaped against torch.

    python benchmarks/gelu.py [--threads 1] [--shape 32 16 256] [--dtype float32] [--quick]

Each row times one call pattern on the same random input, shaped and torch taking turns,
repeat after repeat (so load on a shared machine hits both alike), and prints the median
microseconds per call of each, the min..max over the repeats, and shaped/torch. The traced
rows run the op and pull a ones-like upstream gradient back through it, as a training step
does (shaped: `traced(grads)`, `backward`; torch: `requires_grad`, `backward(gradient=)`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def set_threads(n: int) -> None:
    """Before numpy or torch is imported: BLAS and OpenMP read these when they load."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(n)


def time_pair(
    sides: dict[str, Callable[[], Any]], min_time: float, repeat: int
) -> dict[str, list[float]]:
    """Seconds per call of each side, one sample per repeat; the sides take turns."""
    inner = {}
    for side, fn in sides.items():
        fn()
        start = time.perf_counter()
        fn()
        inner[side] = max(1, int(min_time / repeat / max(time.perf_counter() - start, 1e-7)))
    samples: dict[str, list[float]] = {side: [] for side in sides}
    for _ in range(repeat):
        for side, fn in sides.items():
            start = time.perf_counter()
            for _ in range(inner[side]):
                fn()
            samples[side].append((time.perf_counter() - start) / inner[side])
    return samples


def rows(shape: tuple[int, ...], dtype: str) -> dict[str, dict[str, Callable[[], Any]]]:
    """name -> {"shaped": call, "torch": call}."""
    import numpy as np
    import torch
    import torch.nn.functional as tf

    import shaped as sh

    data = np.random.default_rng(0).standard_normal(shape).astype(dtype) * 2
    dev = sh.Cpu()
    x = dev.tensor(data)
    tx = torch.tensor(data)
    up = torch.ones(shape, dtype=tx.dtype)

    def traced(op: Callable[[Any], Any]) -> Callable[[], Any]:
        def step() -> Any:
            grads = sh.Gradients()
            return op(x.traced(grads)).sum().backward()

        return step

    def torch_traced(op: Callable[[Any], Any]) -> Callable[[], Any]:
        def step() -> Any:
            t = tx.detach().requires_grad_()
            op(t).backward(gradient=up)
            return t.grad

        return step

    return {
        "gelu forward": {"shaped": lambda: x.gelu(), "torch": lambda: tf.gelu(tx)},
        "gelu forward+backward": {
            "shaped": traced(lambda t: t.gelu()),
            "torch": torch_traced(tf.gelu),
        },
        "erf forward": {"shaped": lambda: x.erf(), "torch": lambda: torch.erf(tx)},
        "erf forward+backward": {
            "shaped": traced(lambda t: t.erf()),
            "torch": torch_traced(torch.erf),
        },
        "gelu tanh forward+backward": {
            "shaped": traced(lambda t: t.gelu("tanh")),
            "torch": torch_traced(lambda t: tf.gelu(t, approximate="tanh")),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--shape", type=int, nargs="+", default=[32, 16, 256])
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--quick", action="store_true", help="shorter timing runs")
    args = parser.parse_args()
    set_threads(args.threads)
    import torch

    torch.set_num_threads(args.threads)
    min_time, repeat = (0.2, 5) if args.quick else (1.0, 9)
    shape = tuple(args.shape)
    print(
        f"{args.dtype} {shape}, {args.threads} thread(s); microseconds per call, median (min..max)"
    )
    print(f"{'case':28} {'shaped':>22} {'torch':>22} {'ratio':>6}")
    for name, sides in rows(shape, args.dtype).items():
        samples = time_pair(sides, min_time, repeat)
        cells = []
        for side in ("shaped", "torch"):
            s = sorted(samples[side])
            cells.append(f"{s[len(s) // 2] * 1e6:8.1f} ({s[0] * 1e6:.0f}..{s[-1] * 1e6:.0f})")
        ratio = sorted(samples["shaped"])[repeat // 2] / sorted(samples["torch"])[repeat // 2]
        print(f"{name:28} {cells[0]:>22} {cells[1]:>22} {ratio:6.2f}")


if __name__ == "__main__":
    main()
