"""What nn.init, nn.utils and sh.data give: init keeps the tensor's type, clip_grad_norm_
returns a rank-0 tensor, pad_sequence keeps the trailing dims, DataLoader batches are
typed by what the dataset yields (realize gives them literal dims)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, assert_type
from typing import Literal as L

import numpy as np
from numpy.typing import NDArray

import shaped as sh
from shaped import data, nn
from shaped.nn import init, utils

AnyRank = tuple[Any, ...]
Batch = sh.Tensor[AnyRank, Any, Any]
dev = sh.Cpu(seed=0)

# init functions return the tensor they fill, typed as it is
lin = nn.Linear(4, 3)
assert_type(init.kaiming_uniform_(lin.weight), sh.Tensor[tuple[L[3], L[4]], sh.Float32, Any])
assert_type(
    init.zeros_(dev.zeros((2, 5), dtype=sh.Float64)), sh.Tensor[tuple[L[2], L[5]], sh.Float64]
)
assert_type(init.orthogonal_(dev.zeros((6, 2)), gain=2.0), sh.Tensor[tuple[L[6], L[2]]])
assert_type(init.trunc_normal_(dev.zeros((3,)), std=0.02), sh.Tensor[tuple[L[3]]])
assert_type(init.dirac_(dev.zeros((4, 4, 3, 3))), sh.Tensor[tuple[L[4], L[4], L[3], L[3]]])
assert_type(init.calculate_gain("relu"), float)
assert_type(init.calculate_fan_in_and_fan_out(lin.weight), tuple[int, int])

# clipping returns the total norm as a rank-0 tensor
grads = lin(dev.randn((2, 4)).trace()).sum().backward()
assert_type(utils.clip_grad_norm_(lin, grads, max_norm=1.0), sh.Tensor[tuple[()], Any, Any])
assert_type(nn.utils.clip_grad_value_(lin.parameters(), grads, 0.1), None)
assert_type(utils.parameters_to_vector(lin), sh.Tensor[tuple[int], Any, Any])

# checkpoint has the function's result type (a module's forward: pass the bound method)
block = nn.Sequential(nn.Linear(4, 4), nn.Tanh())
xs = dev.randn((2, 4)).trace()
assert_type(
    utils.checkpoint(lin.forward, xs),
    sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, sh.OwnedTape],
)
assert_type(utils.checkpoint(block, xs), Any)

# pad_sequence: (L, B, *rest) with the trailing dims, dtype, device and tape kept
words = [dev.zeros((3, 8)).realize((3, 8)), dev.zeros((5, 8)).realize((5, 8))]
assert_type(utils.pad_sequence(words), sh.Tensor[tuple[int, int, L[8]]])
traced = [w.trace() for w in words]
assert_type(
    utils.rnn.pad_sequence(traced, batch_first=True),
    sh.Tensor[tuple[int, int, L[8]], sh.Float32, sh.Cpu, sh.OwnedTape],
)


# batches by what the dataset yields
class Pairs(data.Dataset[tuple[NDArray[np.float32], int]]):
    def __len__(self) -> int:
        return 8

    def __getitem__(self, index: int) -> tuple[NDArray[np.float32], int]:
        return np.zeros((1, 28, 28), dtype=np.float32), index


class Records(data.Dataset[dict[str, NDArray[np.float64]]]):
    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> dict[str, NDArray[np.float64]]:
        return {"x": np.zeros(3)}


pairs = data.DataLoader(Pairs(), batch_size=4, shuffle=True)
assert_type(pairs, data.DataLoader[tuple[Batch, ...]])
assert_type(iter(pairs), Iterator[tuple[Batch, ...]])
images, labels = next(iter(pairs))
assert_type(images.realize((4, 1, 28, 28)), sh.Tensor[tuple[L[4], L[1], L[28], L[28]], Any, Any])
assert_type(data.DataLoader(Records(), batch_size=2), data.DataLoader[dict[str, Batch]])
assert_type(
    data.DataLoader(data.TensorDataset(np.zeros((4, 2))), 2), data.DataLoader[tuple[Batch, ...]]
)
assert_type(data.DataLoader(Pairs(), batch_size=None), data.DataLoader[Any])


def labels_only(batch: list[tuple[NDArray[np.float32], int]]) -> list[int]:
    return [label for _, label in batch]


assert_type(
    data.DataLoader(Pairs(), batch_size=4, collate_fn=labels_only), data.DataLoader[list[int]]
)
train, test = data.random_split(Pairs(), [0.5, 0.5])
assert_type(train, data.Subset[tuple[NDArray[np.float32], int]])
assert_type(list(data.BatchSampler(data.SequentialSampler(train), 3, False)), list[list[int]])
assert_type(len(data.DataLoader(train, batch_size=3)), int)
