"""The benchmark rows: each builds a shaped step, a torch step and a numpy floor step.

shaped is written as the README and examples write it: `nn.Sequential` or an `nn.Module`
subclass, `sh.losses`, an `sh.optim` optimizer with `opt.update(model, grads)`, and one
`grads = model.alloc_grads()` reused with `model.zero_grads(grads)` each step (the digits
epoch allocates fresh gradients each step, as examples/04 does). torch is written as its
users write it: `nn.Module`, `opt.zero_grad()`, `loss.backward()`, `opt.step()`. All three
start from the same weights (torch and the floor load the shaped model's state dict) and
see the same data. Every step returns its loss (no `.item()` unless the example calls it).

Import this only after the thread counts are set (benchmarks/run.py does that).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from floor import cnn_floor, mlp_floor, resnet_floor, transformer_floor

import shaped as sh
from shaped import losses, nn, optim

Steps = dict[str, Callable[[], Any]]
tnn = torch.nn
TF = torch.nn.functional


def arrays(model: Any) -> list[Any]:
    """Copies of a shaped model's parameters, in state_dict order (the floor's own weights)."""
    return [p.numpy().copy() for p in model.parameters()]


def load_torch(net: Any, model: Any) -> Any:
    state = {k: torch.tensor(np.asarray(v.numpy())) for k, v in model.state_dict().items()}
    net.load_state_dict(state)
    return net


def shaped_step(model: Any, opt: Any, loss_fn: Callable[[Any, Any], Any], x: Any, y: Any) -> Any:
    """The README's loop body, gradients reused."""
    grads = model.alloc_grads()

    def step() -> Any:
        loss = loss_fn(model(x.traced(grads)), y)
        opt.update(model, loss.backward())
        model.zero_grads(grads)
        return loss

    return step


def torch_step(net: Any, opt: Any, loss_fn: Callable[[Any, Any], Any], x: Any, y: Any) -> Any:
    def step() -> Any:
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


# ---------------------------------------------------------------- MLP and CNN


def mlp(batch: int) -> Steps:
    dev = sh.Cpu(seed=0)
    model = nn.Sequential(
        nn.Linear(784, 256, device=dev), nn.ReLU(),
        nn.Linear(256, 128, device=dev), nn.ReLU(),
        nn.Linear(128, 10, device=dev),
    )  # fmt: skip
    net = load_torch(
        tnn.Sequential(tnn.Linear(784, 256), tnn.ReLU(), tnn.Linear(256, 128), tnn.ReLU(),
                       tnn.Linear(128, 10)), model)  # fmt: skip
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 784)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    lr = 0.01
    return {
        "shaped": shaped_step(model, optim.Sgd(model, lr=lr), losses.cross_entropy,
                              dev.tensor(x), dev.tensor(y)),
        "torch": torch_step(net, torch.optim.SGD(net.parameters(), lr=lr), TF.cross_entropy,
                            torch.tensor(x), torch.tensor(y)),
        "floor": mlp_floor(arrays(model), x, y, lr),
    }  # fmt: skip


def cnn_models(features: int, dev: sh.Cpu) -> tuple[Any, Any]:
    """conv 1->16, ReLU, pool, conv 16->32, ReLU, pool, flatten, linear: shaped's and torch's."""
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, device=dev), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, device=dev), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(features, 10, device=dev),
    )  # fmt: skip
    net = tnn.Sequential(
        tnn.Conv2d(1, 16, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Conv2d(16, 32, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Flatten(), tnn.Linear(features, 10),
    )  # fmt: skip
    return model, load_torch(net, model)


def cnn(batch: int = 64) -> Steps:
    dev = sh.Cpu(seed=0)
    model, net = cnn_models(1568, dev)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    lr = 0.01
    floor = cnn_floor(arrays(model), lr)
    return {
        "shaped": shaped_step(model, optim.Sgd(model, lr=lr), losses.cross_entropy,
                              dev.tensor(x), dev.tensor(y)),
        "torch": torch_step(net, torch.optim.SGD(net.parameters(), lr=lr), TF.cross_entropy,
                            torch.tensor(x), torch.tensor(y)),
        "floor": lambda: floor(x, y),
    }  # fmt: skip


DIGITS_NOTE: list[str] = []


def digits_data() -> tuple[Any, Any]:
    """sklearn's digits as (N, 1, 8, 8) float32 and int64 labels, the 80% train split;
    random data of the same shape and range where sklearn is not installed."""
    try:
        from sklearn.datasets import load_digits  # type: ignore[import-untyped]

        pixels, labels = load_digits(return_X_y=True)
    except ImportError:
        DIGITS_NOTE.append("sklearn missing: random data of the digits' shape (1797, 8x8)")
        rng = np.random.default_rng(0)
        pixels, labels = rng.integers(0, 17, (1797, 64)), rng.integers(0, 10, 1797)
    images = (pixels / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    order = np.random.default_rng(0).permutation(len(images))
    cut = int(0.8 * len(images))
    return images[order][:cut], labels[order][:cut].astype(np.int64)


def digits_epoch() -> Steps:
    """One epoch as examples/04 trains it: shuffled batches of 64, fresh gradients, Adam 1e-2,
    loss.item() every step. torch and the floor shuffle with an index permutation."""
    x_train, y_train = digits_data()
    dev = sh.Cpu(seed=0)
    model, net = cnn_models(128, dev)
    adam = optim.Adam(model, lr=1e-2)
    torch_adam = torch.optim.Adam(net.parameters(), lr=1e-2)
    floor = cnn_floor(arrays(model), 1e-2, optimizer="adam")
    rng = np.random.default_rng(0)
    tx, ty = torch.tensor(x_train), torch.tensor(y_train)

    def ours() -> float:
        total = 0.0
        for images, labels in sh.data.batches(x_train, y_train, batch_size=64, seed=rng,
                                              device=dev):  # fmt: skip
            grads = model.alloc_grads()
            logits = model(images.realize((len(images), 1, 8, 8)).traced(grads))
            loss = losses.cross_entropy(logits, labels)
            adam.update(model, loss.backward())
            total += loss.item()
        return total

    def theirs() -> float:
        total = 0.0
        for index in torch.randperm(len(tx)).split(64):
            torch_adam.zero_grad()
            loss = TF.cross_entropy(net(tx[index]), ty[index])
            loss.backward()
            torch_adam.step()
            total += loss.item()
        return total

    def floor_epoch() -> float:
        order = rng.permutation(len(x_train))
        return sum(
            floor(x_train[i], y_train[i]) for i in np.split(order, range(64, len(order), 64))
        )

    return {"shaped": ours, "torch": theirs, "floor": floor_epoch}


# ---------------------------------------------------------------- transformer and ResNet


def transformer() -> Steps:
    """TransformerEncoderLayer(64, 4, 256), GELU, dropout 0, batch_first, on (32, 16, 64);
    mse against a random target; Adam 1e-3."""
    dev = sh.Cpu(seed=0)
    model = nn.TransformerEncoderLayer(64, 4, 256, dropout=0.0, activation="gelu", device=dev)
    net = tnn.TransformerEncoderLayer(64, 4, 256, dropout=0.0, activation="gelu",
                                      batch_first=True)  # fmt: skip
    load_torch(net, model)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 16, 64)).astype(np.float32)
    t = rng.standard_normal((32, 16, 64)).astype(np.float32)
    lr = 1e-3
    return {
        "shaped": shaped_step(model, optim.Adam(model, lr=lr), losses.mse_loss,
                              dev.tensor(x), dev.tensor(t)),
        "torch": torch_step(net, torch.optim.Adam(net.parameters(), lr=lr), TF.mse_loss,
                            torch.tensor(x), torch.tensor(t)),
        "floor": transformer_floor(arrays(model), x, t, 4, lr),
    }  # fmt: skip


class Block(nn.Module):
    """A ResNet basic block, as a user writes one: relu(bn2(conv2(relu(bn1(conv1(x))))) + x)."""

    def __init__(self, channels: int, device: sh.Cpu) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False, device=device)
        self.bn1 = nn.BatchNorm2d(channels, device=device)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False, device=device)
        self.bn2 = nn.BatchNorm2d(channels, device=device)

    def forward(self, x: Any) -> Any:
        h = self.bn1(self.conv1(x)).relu()
        return (self.bn2(self.conv2(h)) + x).relu()


class TorchBlock(tnn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = tnn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = tnn.BatchNorm2d(channels)
        self.conv2 = tnn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = tnn.BatchNorm2d(channels)

    def forward(self, x: Any) -> Any:
        h = self.bn1(self.conv1(x)).relu()
        return (self.bn2(self.conv2(h)) + x).relu()


def resnet() -> Steps:
    """The block on (32, 32, 16, 16), mse against a random target, SGD 0.01."""
    model = Block(32, sh.Cpu(seed=0))
    net = load_torch(TorchBlock(32), model)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 32, 16, 16)).astype(np.float32)
    t = rng.standard_normal((32, 32, 16, 16)).astype(np.float32)
    dev, lr = sh.Cpu(), 0.01
    buffers = [model.bn1.running_mean, model.bn1.running_var, model.bn2.running_mean,
               model.bn2.running_var]  # fmt: skip
    return {
        "shaped": shaped_step(model, optim.Sgd(model, lr=lr), losses.mse_loss,
                              dev.tensor(x), dev.tensor(t)),
        "torch": torch_step(net, torch.optim.SGD(net.parameters(), lr=lr), TF.mse_loss,
                            torch.tensor(x), torch.tensor(t)),
        "floor": resnet_floor(arrays(model), [b.numpy().copy() for b in buffers], x, t, lr),
    }  # fmt: skip


# ---------------------------------------------------------------- single ops

CHAIN = 100  # the traced row times a chain of CHAIN adds and reports per op


def op_untraced() -> Steps:
    dev = sh.Cpu(seed=0)
    a, b = dev.randn((10,)), dev.randn((10,))
    ta, tb = torch.randn(10), torch.randn(10)
    na, nb = a.numpy(), b.numpy()
    return {"shaped": lambda: a + b, "torch": lambda: ta + tb, "floor": lambda: na + nb}


def op_traced() -> Steps:
    """Forward and backward of a chain of CHAIN adds on 10 floats; both operands get gradients
    (the floor: numpy adds forward, a gradient accumulated per add backward)."""
    dev = sh.Cpu(seed=0)
    a, b = dev.randn((10,)), dev.randn((10,))
    ta, tb = torch.randn(10, requires_grad=True), torch.randn(10, requires_grad=True)
    na, nb = a.numpy(), b.numpy()

    def ours() -> Any:
        h = a.trace()
        for _ in range(CHAIN):
            h = h + b
        return h.sum().backward()

    def theirs() -> Any:
        ta.grad = tb.grad = None
        h = ta
        for _ in range(CHAIN):
            h = h + tb
        h.sum().backward()

    def floor() -> Any:
        h = na
        for _ in range(CHAIN):
            h = h + nb
        g, gb = np.ones_like(na), np.zeros_like(nb)
        for _ in range(CHAIN):
            gb += g
        return h.sum(), gb

    return {"shaped": ours, "torch": theirs, "floor": floor}
