"""Reusing one `Gradients` against a fresh one each step, and the cost of untraced forwards.

    python benchmarks/gradient_reuse.py [--threads 2] [--steps 1000] [--quick]

Two training loops on the same models (the MLP 784-256-128-10 at batch 128 and the small CNN
at batch 64, SGD, a new input tensor each step as a data loader gives):

- fresh: `grads = model.alloc_grads()` every step;
- reuse: `grads = model.alloc_grads()` once, then `model.zero_grads(grads)` every step.

Prints the median step time of each, the memory that `steps` reuse steps of the MLP leave
allocated (tracemalloc: numpy reports its arrays to it), and the median time of an untraced
forward pass and of two untraced ops, which stay off the tape.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _set_threads(n: int) -> None:
    # BLAS reads these when numpy loads: set them before the import
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(n)


def median_time(fn: Callable[[], Any], min_time: float = 1.0, repeat: int = 9) -> float:
    """Median seconds per call over `repeat` batches of calls lasting about min_time/repeat each."""
    fn()
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    inner = max(1, int(min_time / repeat / once))
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - start) / inner)
    samples.sort()
    return samples[len(samples) // 2]


def models() -> dict[str, tuple[Any, tuple[int, ...], int]]:
    """name -> (model, input shape, batch)."""
    import shaped as sh
    from shaped import nn

    dev = sh.Cpu(seed=0)
    mlp = nn.Sequential(
        nn.Linear(784, 256, device=dev),
        nn.ReLU(),
        nn.Linear(256, 128, device=dev),
        nn.ReLU(),
        nn.Linear(128, 10, device=dev),
    )
    cnn = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, device=dev),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, device=dev),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(1568, 10, device=dev),
    )
    return {"mlp b128": (mlp, (784,), 128), "cnn b64": (cnn, (1, 28, 28), 64)}


def loops(model: Any, shape: tuple[int, ...], batch: int) -> dict[str, Callable[[], None]]:
    """One training step of each pattern; each step takes the next of 8 input batches."""
    import numpy as np

    import shaped as sh
    from shaped import losses, optim

    rng = np.random.default_rng(0)
    dev = sh.Cpu()
    inputs = [rng.standard_normal((batch, *shape)).astype(np.float32) for _ in range(8)]
    labels = dev.tensor(rng.integers(0, 10, batch))
    opt = optim.Sgd(model, lr=1e-3)
    count = [0]

    def next_input() -> Any:
        count[0] += 1
        return dev.tensor(inputs[count[0] % 8])  # a new tensor each step, as a loader gives

    def fresh() -> None:
        grads = model.alloc_grads()
        loss = losses.cross_entropy(model(next_input().traced(grads)), labels)
        opt.update(model, loss.backward())

    reused = model.alloc_grads()

    def reuse() -> None:
        loss = losses.cross_entropy(model(next_input().traced(reused)), labels)
        opt.update(model, loss.backward())
        model.zero_grads(reused)

    return {"fresh": fresh, "reuse": reuse}


def torch_steps() -> dict[str, Callable[[], None]]:
    """The same steps in PyTorch, reusing .grad with zero_grad() as its users do."""
    import torch
    from torch import nn as tnn

    torch.manual_seed(0)
    nets = {
        "mlp b128": (
            tnn.Sequential(
                tnn.Linear(784, 256), tnn.ReLU(), tnn.Linear(256, 128), tnn.ReLU(),
                tnn.Linear(128, 10),
            ),
            (784,),
            128,
        ),
        "cnn b64": (
            tnn.Sequential(
                tnn.Conv2d(1, 16, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
                tnn.Conv2d(16, 32, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
                tnn.Flatten(), tnn.Linear(1568, 10),
            ),
            (1, 28, 28),
            64,
        ),
    }  # fmt: skip
    steps: dict[str, Callable[[], None]] = {}
    for name, (net, shape, batch) in nets.items():
        inputs = [torch.randn(batch, *shape) for _ in range(8)]
        labels = torch.randint(0, 10, (batch,))
        opt = torch.optim.SGD(net.parameters(), lr=1e-3)
        count = [0]

        def step(net: Any = net, inputs: Any = inputs, labels: Any = labels, opt: Any = opt,
                 count: list[int] = count) -> None:  # fmt: skip
            count[0] += 1
            loss = torch.nn.functional.cross_entropy(net(inputs[count[0] % 8]), labels)
            loss.backward()
            opt.step()
            opt.zero_grad()

        steps[name] = step
    return steps


def reuse_memory(steps: int) -> tuple[float, float]:
    """MB left allocated after `steps` and after 2 * `steps` reuse steps of the MLP (tracemalloc)."""
    model, shape, batch = models()["mlp b128"]
    reuse = loops(model, shape, batch)["reuse"]
    for _ in range(20):  # warm up: optimizer state, caches
        reuse()
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    marks = []
    for _ in range(2):
        for _ in range(steps):
            reuse()
        gc.collect()
        marks.append((tracemalloc.get_traced_memory()[0] - base) / 2**20)
    tracemalloc.stop()
    return marks[0], marks[1]


def forwards() -> dict[str, Callable[[], Any]]:
    """Untraced work: a model's forward pass, and single ops on data and on a parameter."""
    import numpy as np

    import shaped as sh

    dev = sh.Cpu()
    rng = np.random.default_rng(1)
    cases: dict[str, Callable[[], Any]] = {}
    for name, (model, shape, batch) in models().items():
        x = dev.tensor(rng.standard_normal((batch, *shape)).astype(np.float32))
        cases[f"forward {name}"] = lambda model=model, x=x: model(x)
    a, b = dev.randn((10,)), dev.randn((10,))
    cases["a + b (10 floats, data)"] = lambda: a + b
    cases["a * 0.5 (10 floats, data)"] = lambda: a * 0.5
    weight = models()["mlp b128"][0][4].weight
    cases["weight.T (a parameter)"] = lambda: weight.T
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="shorter timings, 200 steps")
    args = parser.parse_args()
    _set_threads(args.threads)
    min_time = 0.3 if args.quick else 1.0
    steps = 200 if args.quick else args.steps

    torch_loops = torch_steps()
    print(f"step times (median, {args.threads} threads)")
    for name, (model, shape, batch) in models().items():
        times = {
            pattern: median_time(step, min_time)
            for pattern, step in loops(model, shape, batch).items()
        }
        ratio = times["reuse"] / times["fresh"]
        theirs = median_time(torch_loops[name], min_time)
        print(
            f"  {name:10s} fresh {times['fresh'] * 1e3:7.3f} ms   reuse "
            f"{times['reuse'] * 1e3:7.3f} ms   reuse/fresh {ratio:.2f}   torch (zero_grad) "
            f"{theirs * 1e3:7.3f} ms   reuse/torch {times['reuse'] / theirs:.2f}"
        )
    first, second = reuse_memory(steps)
    print(
        f"memory left by reuse steps of the MLP: {first:+.2f} MB after {steps}, "
        f"{second:+.2f} MB after {2 * steps}"
    )
    print("untraced (median)")
    for name, fn in forwards().items():
        seconds = median_time(fn, min_time)
        unit, scale = ("ms", 1e3) if seconds > 1e-4 else ("us", 1e6)
        print(f"  {name:28s} {seconds * scale:8.3f} {unit}")


if __name__ == "__main__":
    main()
