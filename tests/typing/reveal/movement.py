"""reshape, flatten, permute, transpose, (un)squeeze, broadcast_to, take, pad, indexing,
concat, stack, where and realize."""

from __future__ import annotations

from typing import Literal as L
from typing import assert_type

import shaped as sh

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[2], L[3], L[4]]] = dev.randn((2, 3, 4))
m: sh.Tensor[tuple[L[1], L[3], L[1]]] = dev.randn((1, 3, 1))
v: sh.Tensor[tuple[L[3]]] = dev.randn((3,))
Owned = sh.OwnedTape

# reshape: sizes, a tuple, one -1
assert_type(x.reshape(6, 4), sh.Tensor[tuple[L[6], L[4]]])
assert_type(x.reshape((4, 6)), sh.Tensor[tuple[L[4], L[6]]])
assert_type(x.reshape(-1), sh.Tensor[tuple[L[24]]])
assert_type(x.reshape(2, -1), sh.Tensor[tuple[L[2], L[12]]])
assert_type(x.reshape((-1, 3, 2)), sh.Tensor[tuple[L[4], L[3], L[2]]])
assert_type(x.reshape(1, 2, 1, 12), sh.Tensor[tuple[L[1], L[2], L[1], L[12]]])
assert_type(x.sum().reshape(1), sh.Tensor[tuple[L[1]]])
assert_type(x.sum(axis=(0, 1)).reshape(2, 2), sh.Tensor[tuple[L[2], L[2]]])
assert_type(v[:1].reshape(()), sh.Tensor[tuple[()]])

# flatten merges start..end (inclusive)
assert_type(x.flatten(), sh.Tensor[tuple[L[24]]])
assert_type(x.flatten(1), sh.Tensor[tuple[L[2], L[12]]])
assert_type(x.flatten(0, 1), sh.Tensor[tuple[L[6], L[4]]])
assert_type(x.flatten(start_axis=-2), sh.Tensor[tuple[L[2], L[12]]])
assert_type(x.flatten(end_axis=-2), sh.Tensor[tuple[L[6], L[4]]])
assert_type(x.flatten(1, 1), sh.Tensor[tuple[L[2], L[3], L[4]]])
assert_type(x.sum().flatten(), sh.Tensor[tuple[L[1]]])

# permute, transpose
assert_type(x.permute(2, 0, 1), sh.Tensor[tuple[L[4], L[2], L[3]]])
assert_type(x.permute((2, 0, 1)), sh.Tensor[tuple[L[4], L[2], L[3]]])
assert_type(x.permute([2, 0, 1]), sh.Tensor[tuple[L[4], L[2], L[3]]])
assert_type(x.reshape([4, -1]), sh.Tensor[tuple[L[4], L[6]]])
assert_type(x.permute(-1, -2, -3), sh.Tensor[tuple[L[4], L[3], L[2]]])
assert_type(x.permute(*(0, 2, 1)), sh.Tensor[tuple[L[2], L[4], L[3]]])
assert_type(x.transpose(0, 2), sh.Tensor[tuple[L[4], L[3], L[2]]])
assert_type(x.transpose(-1, -2), sh.Tensor[tuple[L[2], L[4], L[3]]])
assert_type(x.transpose(1, 1), sh.Tensor[tuple[L[2], L[3], L[4]]])

# unsqueeze, squeeze (a named axis of size != 1 stays, as in PyTorch)
assert_type(x.unsqueeze(0), sh.Tensor[tuple[L[1], L[2], L[3], L[4]]])
assert_type(x.unsqueeze(3), sh.Tensor[tuple[L[2], L[3], L[4], L[1]]])
assert_type(x.unsqueeze(-1), sh.Tensor[tuple[L[2], L[3], L[4], L[1]]])
assert_type(x.unsqueeze(-4), sh.Tensor[tuple[L[1], L[2], L[3], L[4]]])
assert_type(m.squeeze(), sh.Tensor[tuple[L[3]]])
assert_type(m.squeeze(0), sh.Tensor[tuple[L[3], L[1]]])
assert_type(m.squeeze(axis=-1), sh.Tensor[tuple[L[1], L[3]]])
assert_type(m.squeeze(axis=(0, 2)), sh.Tensor[tuple[L[3]]])
assert_type(m.squeeze(1), sh.Tensor[tuple[L[1], L[3], L[1]]])
assert_type(x.squeeze(), sh.Tensor[tuple[L[2], L[3], L[4]]])

# broadcast_to (a -1 keeps the dim), take (Int64 indices replace the axis)
assert_type(m.broadcast_to((2, 3, 5)), sh.Tensor[tuple[L[2], L[3], L[5]]])
assert_type(v.broadcast_to((4, 3)), sh.Tensor[tuple[L[4], L[3]]])
assert_type(m.broadcast_to((6, -1, 3, 2)), sh.Tensor[tuple[L[6], L[1], L[3], L[2]]])
indices = dev.tensor([2, 0, 1, 1, 0])
rows = dev.tensor([[0, 1], [1, 0]])
assert_type(x.take(indices, axis=2), sh.Tensor[tuple[L[2], L[3], L[5]]])
assert_type(x.take(rows, 1), sh.Tensor[tuple[L[2], L[2], L[2], L[4]]])
assert_type(x.take(dev.tensor([1, 0, 1]), axis=-3), sh.Tensor[tuple[L[3], L[3], L[4]]])
assert_type(x.take(rows), sh.Tensor[tuple[L[2], L[2]]])

# pad: numpy-style ((before, after), ...); one pair for every axis
assert_type(x.pad(((0, 0), (1, 1), (2, 3))), sh.Tensor[tuple[L[2], L[5], L[9]]])
assert_type(x.pad(((1, 2),)), sh.Tensor[tuple[L[5], L[6], L[7]]])
assert_type(x.pad((1, 2)), sh.Tensor[tuple[L[5], L[6], L[7]]])
assert_type(x.pad(1, value=-1.0), sh.Tensor[tuple[L[4], L[5], L[6]]])
assert_type(v.pad(((2, 0),)), sh.Tensor[tuple[L[5]]])

# basic indexing: ints drop an axis, slices keep it (steps too), None adds one, ... fills
assert_type(x[0], sh.Tensor[tuple[L[3], L[4]]])
assert_type(x[-1, 2], sh.Tensor[tuple[L[4]]])
assert_type(x[1, 2, 3], sh.Tensor[tuple[()]])
assert_type(x[:, 1:3], sh.Tensor[tuple[L[2], L[2], L[4]]])
assert_type(x[:, ::2], sh.Tensor[tuple[L[2], L[2], L[4]]])
assert_type(x[..., ::-1], sh.Tensor[tuple[L[2], L[3], L[4]]])
assert_type(x[:, :, 1::2], sh.Tensor[tuple[L[2], L[3], L[2]]])
assert_type(x[:, -2:], sh.Tensor[tuple[L[2], L[2], L[4]]])
assert_type(x[:, 5:], sh.Tensor[tuple[L[2], L[0], L[4]]])
assert_type(x[:1, :100], sh.Tensor[tuple[L[1], L[3], L[4]]])
assert_type(x[None], sh.Tensor[tuple[L[1], L[2], L[3], L[4]]])
assert_type(x[..., None], sh.Tensor[tuple[L[2], L[3], L[4], L[1]]])
assert_type(x[:, None, 0], sh.Tensor[tuple[L[2], L[1], L[4]]])
assert_type(x[..., 0], sh.Tensor[tuple[L[2], L[3]]])
assert_type(x[0, ..., 1], sh.Tensor[tuple[L[3]]])
assert_type(x[...], sh.Tensor[tuple[L[2], L[3], L[4]]])
assert_type(x.trace()[0, ::2], sh.Tensor[tuple[L[2], L[4]], sh.Float32, sh.Cpu, Owned])

# concat along an existing axis, stack along a new one
y: sh.Tensor[tuple[L[2], L[5], L[4]]] = dev.randn((2, 5, 4))
assert_type(sh.concat([x, x]), sh.Tensor[tuple[L[4], L[3], L[4]]])
assert_type(sh.concat([x, y], axis=1), sh.Tensor[tuple[L[2], L[8], L[4]]])
assert_type(sh.concat((x, y, x), axis=-2), sh.Tensor[tuple[L[2], L[11], L[4]]])
assert_type(sh.concat([x], axis=2), sh.Tensor[tuple[L[2], L[3], L[4]]])
assert_type(sh.stack([x, x]), sh.Tensor[tuple[L[2], L[2], L[3], L[4]]])
assert_type(sh.stack([v, v, v], axis=1), sh.Tensor[tuple[L[3], L[3]]])
assert_type(sh.stack([x, x], axis=-1), sh.Tensor[tuple[L[2], L[3], L[4], L[2]]])
assert_type(sh.stack([v.sum(), v.sum()]), sh.Tensor[tuple[L[2]]])
assert_type(
    sh.concat([x, x.trace()]), sh.Tensor[tuple[L[4], L[3], L[4]], sh.Float32, sh.Cpu, Owned]
)
assert_type(sh.stack([v.trace(), v]), sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, Owned])

# where: cond, a and b broadcast; Python numbers count as shape ()
assert_type(sh.where(x > 0.0, x, 0.0), sh.Tensor[tuple[L[2], L[3], L[4]]])
assert_type(sh.where(m > 0.0, x[..., :1], v), sh.Tensor[tuple[L[2], L[3], L[3]]])
assert_type(sh.where(m > 0.0, 1.0, v), sh.Tensor[tuple[L[1], L[3], L[3]]])
assert_type(sh.where(x > 0.0, 1.0, 0.0), sh.Tensor[tuple[L[2], L[3], L[4]]])
assert_type(sh.where(x > 0.0, 1, 0), sh.Tensor[tuple[L[2], L[3], L[4]], sh.Int64])
assert_type(sh.where(x > 0.0, True, False), sh.Tensor[tuple[L[2], L[3], L[4]], sh.Bool])
assert_type(
    sh.where(x > 0.0, x.trace(), x), sh.Tensor[tuple[L[2], L[3], L[4]], sh.Float32, sh.Cpu, Owned]
)

# realize checks the run-time shape and gives it the literal type
assert_type(x.reshape(x.shape[0], -1), sh.Tensor[tuple[L[2], L[12]]])
rows_at_run_time: int = 2
flat = x.reshape(rows_at_run_time, -1)
assert_type(flat, sh.Tensor[tuple[int, int]])
assert_type(flat.realize((2, 12)), sh.Tensor[tuple[L[2], L[12]]])
assert_type(x.realize((2, 3, 4)), sh.Tensor[tuple[L[2], L[3], L[4]]])
assert_type(
    x.trace().realize((2, 3, 4)), sh.Tensor[tuple[L[2], L[3], L[4]], sh.Float32, sh.Cpu, Owned]
)
