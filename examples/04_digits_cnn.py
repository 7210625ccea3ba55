"""A small CNN on scikit-learn's 8x8 digits: train, test, save a checkpoint and load it back.

Run: python examples/04_digits_cnn.py [--epochs 15] [--checkpoint PATH] [--plot PATH] [--smoke]
The architecture is a type; mypy with shaped's plugin follows a batch through every layer
(conv 8x8 -> pool 4x4 -> conv -> pool 2x2 -> flatten 32*2*2 = 128 -> Linear[128, 10]), so
a wrong size in the alias is a [shape] error naming the layer before anything runs.
`--plot` needs matplotlib: pip install shaped[plot].
"""

from __future__ import annotations

import argparse
import importlib
import tempfile
import time
from pathlib import Path
from typing import Any
from typing import Literal as L

import numpy as np

# neither ships type information for mypy (tqdm's stubs come with pyright); the pyright
# comments cover a checker run outside the environment these are installed in
from sklearn.datasets import load_digits  # type: ignore[import-untyped]  # pyright: ignore[reportMissingImports]
from tqdm import tqdm  # type: ignore[import-untyped]  # pyright: ignore[reportMissingModuleSource]

import shaped as sh
from shaped import losses, nn, optim

# Conv2d[in, out, kernel, stride, padding]; MaxPool2d's stride defaults to its kernel size
Cnn = tuple[
    nn.Conv2d[L[1], L[16], L[3], L[1], L[1]],  # (N, 1, 8, 8) -> (N, 16, 8, 8)
    nn.ReLU,
    nn.MaxPool2d[L[2]],  # -> (N, 16, 4, 4)
    nn.Conv2d[L[16], L[32], L[3], L[1], L[1]],  # -> (N, 32, 4, 4)
    nn.ReLU,
    nn.MaxPool2d[L[2]],  # -> (N, 32, 2, 2)
    nn.Flatten,  # -> (N, 128)
    nn.Linear[L[128], L[10]],  # -> (N, 10) logits
]
Images = sh.Tensor[tuple[int, L[1], L[8], L[8]], Any, Any, Any]  # a batch of any size
Array = np.ndarray[Any, Any]


def load() -> tuple[Array, Array, Array, Array]:
    """Digits as (N, 1, 8, 8) float32 in [0, 1] and int64 labels, split 80/20 with a fixed seed."""
    pixels, labels = load_digits(return_X_y=True)
    images = (pixels / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    order = np.random.default_rng(0).permutation(len(images))
    images, labels = images[order], labels[order].astype(np.int64)
    cut = int(0.8 * len(images))
    return images[:cut], labels[:cut], images[cut:], labels[cut:]


def as_images(batch: sh.Tensor[Any, Any, Any, Any]) -> Images:
    """Data from numpy has shape tuple[Any, ...]: realize checks it and types it (N, 1, 8, 8)."""
    return batch.realize((len(batch), 1, 8, 8))


def predict(model: nn.Sequential[*Cnn], images: Array) -> Array:
    logits = model(as_images(sh.Cpu().tensor(images)))  # mypy: Tensor[tuple[int, L[10]], ...]
    return logits.argmax(axis=1).numpy()


def plot(path: str, train_loss: list[float], test_accuracy: list[float]) -> None:
    try:  # optional: imported only when a plot is asked for
        pyplot: Any = importlib.import_module("matplotlib.pyplot")
    except ImportError:
        raise SystemExit(
            "--plot needs matplotlib, which shaped does not install by default: "
            "pip install shaped[plot]"
        ) from None
    pyplot.switch_backend("Agg")  # write a file, open no window
    epochs = range(1, len(train_loss) + 1)
    figure, (left, right) = pyplot.subplots(1, 2, figsize=(9, 3.5))
    left.plot(epochs, train_loss, marker="o")
    left.set(xlabel="epoch", ylabel="mean train loss", title="cross-entropy", yscale="log")
    right.plot(epochs, [100 * a for a in test_accuracy], marker="o", color="tab:green")
    right.set(xlabel="epoch", ylabel="test accuracy (%)", title="accuracy")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--checkpoint", help="where to save the model (default: a temp dir)")
    parser.add_argument("--plot", metavar="PATH", help="write a PNG of the training curves")
    parser.add_argument("--smoke", action="store_true", help="one epoch of 3 batches")
    args = parser.parse_args()
    epochs, batches_per_epoch = (1, 3) if args.smoke else (args.epochs, None)

    x_train, y_train, x_test, y_test = load()
    dev = sh.Cpu(seed=0)
    model = dev.build_module(Cnn)
    print(model)
    adam = optim.Adam(model, lr=1e-2)
    rng = np.random.default_rng(0)  # one generator: a new shuffle every epoch
    train_loss: list[float] = []
    test_accuracy: list[float] = []
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        batches = sh.data.batches(x_train, y_train, batch_size=64, seed=rng, device=dev)
        progress = tqdm(batches, desc=f"epoch {epoch:2d}/{epochs}", unit="batch", leave=False)
        total, step = 0.0, 0
        for step, (images, labels) in enumerate(progress, 1):
            grads = model.alloc_grads()
            logits = model(as_images(images).traced(grads))  # mypy: (int, L[10]), OwnedTape
            loss = losses.cross_entropy(logits, labels)
            adam.update(model, loss.backward())
            total += loss.item()
            # refresh=False: tqdm redraws on its own clock, with the batch count up to date
            progress.set_postfix(loss=f"{total / step:.3f}", refresh=False)
            if step == batches_per_epoch:
                break
        train_loss.append(total / step)
        test_accuracy.append(float((predict(model, x_test) == y_test).mean()))
        print(f"epoch {epoch:2d}  loss {train_loss[-1]:.4f}  test accuracy {test_accuracy[-1]:.1%}")
    elapsed = time.perf_counter() - start
    predictions = predict(model, x_test)
    accuracy = float((predictions == y_test).mean())
    print(f"test accuracy {accuracy:.1%} on {len(y_test)} digits ({elapsed:.1f} s training)")

    # A checkpoint is the state dict in an .npz; load it into a freshly built model.
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(args.checkpoint or Path(scratch) / "digits_cnn.npz")
        model.save(path)
        fresh = sh.Cpu(seed=1).build_module(Cnn)  # different initial weights...
        fresh.load(path)  # ...replaced by the saved ones (names, shapes, dtypes checked)
        reloaded = predict(fresh, x_test)
        same = bool(np.array_equal(predictions, reloaded))
        print(f"saved {path.name} ({path.stat().st_size:,} bytes); reloaded model agrees: {same}")
    if not same:
        raise SystemExit("the reloaded model's predictions differ from the trained model's")
    if args.plot:
        plot(args.plot, train_loss, test_accuracy)


if __name__ == "__main__":
    main()
