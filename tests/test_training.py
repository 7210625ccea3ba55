"""End to end: a small CNN trains on sklearn's digits, and follows torch step for step."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.datasets import load_digits

import shaped as sh
from benchmarks.digits import torch_model
from shaped import losses, nn, optim


def digits() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    data = load_digits()
    images = (data.images / 16.0).astype(np.float32)[:, None]
    order = np.random.default_rng(0).permutation(len(images))
    images, labels = images[order], data.target[order].astype(np.int64)
    return images[:1400], labels[:1400], images[1400:], labels[1400:]


def cnn() -> nn.Sequential:  # type: ignore[type-arg]
    dev = sh.Cpu(seed=0)
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, device=dev),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, device=dev),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(128, 10, device=dev),
    )


def test_cnn_learns_digits() -> None:
    x_train, y_train, x_test, y_test = digits()
    model = cnn()
    adam = optim.Adam(model, lr=1e-2)
    first = last = 0.0
    for epoch in range(4):
        total = 0.0
        for xb, yb in sh.data.batches(x_train, y_train, batch_size=64, seed=epoch):
            grads = model.alloc_grads()
            loss = losses.cross_entropy(model(xb.traced(grads)), yb)
            adam.update(model, loss.backward())
            total += loss.item()
        first = total if epoch == 0 else first
        last = total
    accuracy = (model(sh.Cpu().tensor(x_test)).argmax(axis=1).numpy() == y_test).mean()
    assert last < 0.5 * first, (first, last)
    assert accuracy > 0.9, accuracy


def test_training_follows_torch_step_for_step() -> None:
    x_train, y_train, _, _ = digits()
    model = cnn()
    reference = torch_model([p.numpy() for p in model.parameters()])
    adam = optim.Adam(model, lr=1e-3)
    torch_adam = torch.optim.Adam(reference.parameters(), lr=1e-3)
    dev = sh.Cpu()
    for step in range(5):
        xb, yb = x_train[step * 32 : (step + 1) * 32], y_train[step * 32 : (step + 1) * 32]
        grads = model.alloc_grads()
        loss = losses.cross_entropy(model(dev.tensor(xb).traced(grads)), dev.tensor(yb))
        adam.update(model, loss.backward())
        torch_adam.zero_grad()
        torch_loss = torch.nn.functional.cross_entropy(
            reference(torch.tensor(xb)), torch.tensor(yb)
        )
        torch_loss.backward()  # type: ignore[no-untyped-call]
        torch_adam.step()
        np.testing.assert_allclose(loss.item(), torch_loss.item(), rtol=1e-4)
    for theirs, ours in zip(reference.parameters(), model.parameters()):
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-3, atol=1e-5)
