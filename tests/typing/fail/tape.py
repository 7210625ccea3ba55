"""backward() only on a rank-0 traced loss: the [no-tape] and [shape] mistakes."""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped import losses
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[32], L[784]]] = dev.randn((32, 784))
w: sh.Tensor[tuple[L[10], L[784]]] = dev.randn((10, 784))
y: sh.Tensor[tuple[L[32], L[10]]] = dev.randn((32, 10))
grads = sh.Gradients()

# forgot .traced(grads): parameters never carry a tape, so nothing recorded the forward pass
F.linear(x, w).relu().mean().backward()  # type: ignore[no-tape]  # E: loss has no tape: call .traced(grads) on an input before the forward pass
losses.mse_loss(F.linear(x, w), y).backward()  # type: ignore[no-tape]  # E: loss has no tape
x.sum().backward()  # type: ignore[no-tape]  # E: loss has no tape

# traced, then the tape dropped on the way
F.linear(x.traced(grads).detach(), w).mean().backward()  # type: ignore[no-tape]  # E: loss has no tape

# forgot .mean(): the loss is not a scalar
out = F.linear(x.traced(grads), w)
out.backward()  # type: ignore[shape]  # E: backward() needs a scalar loss, got shape (32, 10): reduce with .mean() or .sum()
out.sum(axis=1).backward()  # type: ignore[shape]  # E: got shape (32,)
out.mean(axis=0, keepdims=True).backward()  # type: ignore[shape]  # E: got shape (1, 10)
out.sum(axis=(0, 1), keepdims=True).backward()  # type: ignore[shape]  # E: got shape (1, 1)
losses.mse_loss(out, y, reduction="none").backward()  # type: ignore[shape]  # E: got shape (32, 10)
out.max(axis=-1).backward()  # type: ignore[shape]  # E: got shape (32,)

# both mistakes: the missing tape is what gets reported (trace first, then reduce)
F.linear(x, w).backward()  # type: ignore[no-tape]  # E: loss has no tape

# the fixed versions
out.mean().backward()
losses.mse_loss(F.linear(x.traced(grads), w), y).backward()
