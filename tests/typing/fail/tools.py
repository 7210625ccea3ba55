"""Mistakes a PyTorch user makes with nn.init, nn.utils and sh.data, caught statically:
torch's argument order for clip_grad_norm_ (shaped needs the Gradients), a
mode that is not a string, a dataset without __len__, a device given as a string."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

import shaped as sh
from shaped import data, nn
from shaped.nn import init, utils

dev = sh.Cpu(seed=0)
model = nn.Linear(4, 2)
grads = model(dev.randn((3, 4)).trace()).sum().backward()


class NoLen(data.Dataset[int]):
    def __getitem__(self, index: int) -> int:
        return index


class Stream(data.IterableDataset[int]):
    def __iter__(self) -> Iterator[int]:
        return iter(range(3))


utils.clip_grad_norm_(model.parameters(), 1.0, 2.0)  # type: ignore[arg-type]  # E: Argument 2 to "clip_grad_norm_" has incompatible type "float"; expected "Gradients"
utils.clip_grad_value_(grads, model, 0.5)  # type: ignore[arg-type]  # E: Argument 1 to "clip_grad_value_"
init.kaiming_uniform_(model.weight, mode=3)  # type: ignore[arg-type]  # E: Argument "mode" to "kaiming_uniform_"
init.uniform_(np.zeros((2, 2)))  # type: ignore[type-var]  # E: Value of type variable "T" of "uniform_"
init.normal_(model.weight, generator=7)  # type: ignore[arg-type]  # E: Argument "generator" to "normal_"
utils.pad_sequence(dev.zeros((2, 3)), batch_first=True)  # type: ignore[arg-type]  # E: Argument 1 to "pad_sequence"
data.DataLoader(NoLen(), batch_size=2)  # type: ignore[call-overload]  # E: No overload variant of "DataLoader" matches
data.DataLoader(Stream(), device="cpu")  # type: ignore[call-overload]  # E: No overload variant
