"""The digits CNN (sklearn's load_digits), one epoch in shaped and in PyTorch, side by side.

    python benchmarks/digits.py [--threads 2] [--epochs 10]

Same model, initial weights, data order, Adam and batch 64 on both sides; prints the epoch
times, their ratio (shaped/torch, target <= 1.5) and both test accuracies (target >= 97%).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load() -> tuple[Any, Any, Any, Any]:
    """Digits as (N, 1, 8, 8) float32 in [0, 1], split 80/20 with a fixed seed."""
    import numpy as np
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]
    order = np.random.default_rng(0).permutation(len(images))
    images, labels = images[order], digits.target[order].astype(np.int64)
    cut = int(0.8 * len(images))
    return images[:cut], labels[:cut], images[cut:], labels[cut:]


def shaped_model() -> Any:
    import shaped as sh
    from shaped import nn

    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, device=sh.Cpu(seed=0)),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, device=sh.Cpu(seed=1)),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(128, 10, device=sh.Cpu(seed=2)),
    )


def torch_model(weights: list[Any], features: int = 128) -> Any:
    """The same CNN in torch.nn with the given weights (numpy arrays, in parameters() order);
    `features` is Flatten's size: 128 for 8x8 digits, 1568 for 28x28 images."""
    import torch

    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(features, 10),
    )
    with torch.no_grad():
        for parameter, value in zip(model.parameters(), weights):
            parameter.copy_(torch.tensor(value))
    return model


def measure(epochs: int) -> dict[str, float]:
    """Median epoch seconds of both, and both test accuracies after `epochs` epochs.

    Thread counts are set by the caller before numpy and torch are imported.
    """
    import numpy as np
    import torch

    import shaped as sh
    from shaped import losses, optim

    x_train, y_train, x_test, y_test = load()
    ours = shaped_model()
    theirs = torch_model([p.numpy() for p in ours.parameters()])
    adam = optim.Adam(ours, lr=1e-2)
    torch_adam = torch.optim.Adam(theirs.parameters(), lr=1e-2)
    dev = sh.Cpu()
    tx_test = torch.tensor(x_test)
    times: dict[str, list[float]] = {"shaped": [], "torch": []}
    for epoch in range(epochs):
        order = np.random.default_rng(epoch).permutation(len(x_train))
        batches = [order[i : i + 64] for i in range(0, len(order), 64)]
        start = time.perf_counter()
        for index in batches:
            grads = ours.alloc_grads()
            loss = losses.cross_entropy(
                ours(dev.tensor(x_train[index]).traced(grads)), dev.tensor(y_train[index])
            )
            adam.update(ours, loss.backward())
        times["shaped"].append(time.perf_counter() - start)
        start = time.perf_counter()
        for index in batches:
            torch_adam.zero_grad()
            out = theirs(torch.tensor(x_train[index]))
            torch.nn.functional.cross_entropy(out, torch.tensor(y_train[index])).backward()
            torch_adam.step()
        times["torch"].append(time.perf_counter() - start)
    accuracy = float((ours(dev.tensor(x_test)).argmax(axis=1).numpy() == y_test).mean())
    with torch.no_grad():
        torch_accuracy = float((theirs(tx_test).argmax(1).numpy() == y_test).mean())
    return {
        "shaped_epoch_s": float(np.median(times["shaped"])),
        "torch_epoch_s": float(np.median(times["torch"])),
        "shaped_accuracy": accuracy,
        "torch_accuracy": torch_accuracy,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=15)
    args = parser.parse_args()
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(args.threads)
    import torch

    torch.set_num_threads(args.threads)
    result = measure(args.epochs)
    ours_epoch, theirs_epoch = result["shaped_epoch_s"], result["torch_epoch_s"]
    print(f"threads={args.threads}  epochs={args.epochs}  batch 64, Adam(lr=1e-2)")
    print(f"epoch time   shaped {ours_epoch * 1e3:7.1f} ms   torch {theirs_epoch * 1e3:7.1f} ms   "
          f"ratio {ours_epoch / theirs_epoch:.2f} (target <= 1.5)")  # fmt: skip
    print(f"test accuracy shaped {result['shaped_accuracy']:.1%}   "
          f"torch {result['torch_accuracy']:.1%} (target >= 97%)")  # fmt: skip


if __name__ == "__main__":
    main()
