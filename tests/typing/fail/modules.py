"""Module mistakes, each reported where the module is called, with the failing layer's index
inside a Sequential (nested ones included).

Expected errors are `# type: ignore[code]` on their line (mypy runs with --warn-unused-ignores,
so an error that stops firing fails the test); `# E:` gives a part of the expected message.
"""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped import nn

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[64], L[784]]] = dev.randn((64, 784))
images: sh.Tensor[tuple[L[64], L[1], L[28], L[28]]] = dev.randn((64, 1, 28, 28))
seq: sh.Tensor[tuple[L[2], L[10], L[64]]] = dev.randn((2, 10, 64))

nn.Linear(784, 128)(dev.randn((64, 100)))  # type: ignore[shape]  # E: Linear[784, 128] expects (..., 784), got (64, 100)
nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(100, 10))(x)  # type: ignore[shape]  # E: Sequential layer 2 (Linear[100, 10])
nn.Conv2d(3, 8, 3)(images)  # type: ignore[shape]  # E: expects 3*1 = 3 input channels, got 1
dev.build_module(tuple[nn.Linear[L[784], L[128]], nn.Linear[L[64], L[10]]])(x)  # type: ignore[shape]  # E: layer 1
nn.Sequential(nn.Sequential(nn.Linear(784, 100), nn.ReLU()), nn.Linear(128, 10))(x)  # type: ignore[shape]  # E: Sequential layer 1 (Linear[128, 10])
nn.Sequential(nn.Sequential(nn.Linear(784, 100), nn.Linear(128, 10)))(x)  # type: ignore[shape]  # E: Sequential layer 0
nn.LayerNorm(128)(x)  # type: ignore[shape]  # E: normalized shape (128,) must match the trailing dims of the input (64, 784)
nn.BatchNorm2d(3)(images)  # type: ignore[shape]  # E: BatchNorm[3] expects 3 channels on axis 1, got (64, 1, 28, 28)
nn.MultiHeadAttention(32, 4)(seq)  # type: ignore[shape]  # E: MultiHeadAttention[32, ...] expects (..., 32), got (2, 10, 64)
nn.Residual(nn.Linear(784, 10))(x)  # type: ignore[shape]  # E: Residual adds its input (64, 784) to the inner output (64, 10)
nn.MaxPool2d(3, stride=1)(dev.randn((1, 1, 2, 2)))  # type: ignore[shape]  # E: max_pool2d
nn.Flatten()(images) + dev.randn((64, 10))  # type: ignore[shape]  # E: add: shapes (64, 784) and (64, 10)
dev.build_module(nn.Linear[L[784], L[10]])(images)  # type: ignore[shape]  # E: Linear[784, 10] expects (..., 784), got (64, 1, 28, 28)

# the right calls: no error
nn.Sequential(nn.Sequential(nn.Linear(784, 100), nn.ReLU()), nn.Linear(100, 10))(x)
nn.LayerNorm(784)(x)
nn.MultiHeadAttention(64, 4)(seq)
nn.Residual(nn.Linear(784, 784))(x)
nn.MaxPool2d(3, stride=1, padding=1)(dev.randn((1, 1, 2, 2)))
