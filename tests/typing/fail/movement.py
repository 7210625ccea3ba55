"""Shape mistakes in reshape, permute, axes, indexing, concat/stack and friends: [shape]."""

from __future__ import annotations

from typing import Final
from typing import Literal as L

import shaped as sh

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[2], L[3], L[4]]] = dev.randn((2, 3, 4))
m: sh.Tensor[tuple[L[4], L[3]]] = dev.randn((4, 3))
v: sh.Tensor[tuple[L[3]]] = dev.randn((3,))
idx = dev.tensor([0, 2, 1])
HIDDEN: Final = 5

# reshape: the element counts must agree
x.reshape(4, 5)  # type: ignore[shape]  # E: reshape: cannot reshape (2, 3, 4) (2*3*4 = 24 elements) into (4, 5) (4*5 = 20 elements)
x.reshape((6, 5))  # type: ignore[shape]  # E: (6*5 = 30 elements)
x.reshape(5, -1)  # type: ignore[shape]  # E: 24 is not divisible by 5
x.reshape(HIDDEN, -1)  # type: ignore[shape]  # E: 24 is not divisible by 5
x.reshape(-1, -1)  # type: ignore[shape]  # E: only one -1 is allowed
x.reshape(2, -3)  # type: ignore[shape]  # E: negative size
x.flatten().reshape(25)  # type: ignore[shape]  # E: cannot reshape (24,)

# permute and transpose
x.permute(0, 0, 1)  # type: ignore[shape]  # E: permute: axes (0, 0, 1) must name each axis once
x.permute(1, 0)  # type: ignore[shape]  # E: permute: got 2 axes (1, 0) for a tensor of rank 3; name every axis once
x.permute(0, 1, 3)  # type: ignore[shape]  # E: permute: axis 3 is out of range
x.transpose(0, 3)  # type: ignore[shape]  # E: transpose: axis 3 is out of range for a tensor of rank 3; valid axes are -3..2
_ = v.mT  # type: ignore[shape]  # E: mT: needs at least 2 dims, got (3,); use .T for vectors

# axes out of range
x.sum(axis=3)  # type: ignore[shape]  # E: sum: axis 3 is out of range for a tensor of rank 3; valid axes are -3..2
x.mean(axis=-4)  # type: ignore[shape]  # E: mean: axis -4 is out of range
x.max(axis=(0, 5))  # type: ignore[shape]  # E: max: axis 5 is out of range
x.sum(axis=(1, -2))  # type: ignore[shape]  # E: sum: axis (1, -2) repeats an axis
x.argmax(axis=3)  # type: ignore[shape]  # E: argmax: axis 3 is out of range
x.var(axis=7)  # type: ignore[shape]  # E: var: axis 7 is out of range
x.logsumexp(3)  # type: ignore[shape]  # E: logsumexp: axis 3 is out of range
x.unsqueeze(4)  # type: ignore[shape]  # E: unsqueeze: axis 4 is out of range for a tensor of rank 3; valid axes are -4..3
x.squeeze(3)  # type: ignore[shape]  # E: squeeze: axis 3 is out of range
x.flatten(1, 3)  # type: ignore[shape]  # E: flatten: axis 3 is out of range
x.flatten(2, 1)  # type: ignore[shape]  # E: flatten: start_axis 2 comes after end_axis 1
x.take(idx, axis=3)  # type: ignore[shape]  # E: take: axis 3 is out of range

# indexing
x[2]  # type: ignore[shape]  # E: index: index 2 is out of range for axis 0 of size 2 (shape (2, 3, 4)); valid indices are -2..1
x[:, -4]  # type: ignore[shape]  # E: index -4 is out of range for axis 1 of size 3
x[0, 0, 0, 0]  # type: ignore[shape]  # E: index: too many indices for a tensor of rank 3: got 4
x[..., 0, ...]  # type: ignore[shape]  # E: only one ... (Ellipsis) is allowed
x[None, 1, :, 4]  # type: ignore[shape]  # E: index 4 is out of range for axis 2 of size 4

# joining
sh.concat([m, x])  # type: ignore[shape]  # E: concat: tensor 1 has shape (2, 3, 4), rank 3, but tensor 0 has (4, 3), rank 2; all tensors need the same rank
sh.concat([m, m.T])  # type: ignore[shape]  # E: concat: tensor 1 has shape (3, 4) but tensor 0 has (4, 3): axis 1 differs (4 != 3); only axis 0 may differ
sh.concat([m, dev.randn((4, 5))], axis=0)  # type: ignore[shape]  # E: axis 1 differs (5 != 3)
sh.concat([m, m], axis=2)  # type: ignore[shape]  # E: concat: axis 2 is out of range
sh.concat([v.sum(), v.sum()])  # type: ignore[shape]  # E: cannot concatenate rank-0 tensors; use stack
sh.stack([m, m.T])  # type: ignore[shape]  # E: stack: tensor 1 has shape (3, 4) but tensor 0 has (4, 3); stacked tensors must all have the same shape
sh.stack([m, m], axis=3)  # type: ignore[shape]  # E: stack: axis 3 is out of range for a tensor of rank 2; valid axes are -3..2
sh.concat([m, dev.randn((5, 3))], axis=0)
sh.stack([v, v], axis=-1)

# broadcasting
m + x  # type: ignore[shape]  # E: add: shapes (4, 3) and (2, 3, 4) do not broadcast: axis -2 has sizes 4 and 3
x * dev.randn((3, 1, 4))  # type: ignore[shape]  # E: axis -3 has sizes 2 and 3
_ = x > dev.randn((3,))  # type: ignore[shape]  # E: gt: shapes (2, 3, 4) and (3,) do not broadcast
x.broadcast_to((2, 6, 4))  # type: ignore[shape]  # E: broadcast_to: cannot broadcast (2, 3, 4) to (2, 6, 4): axis 1 has size 3, which is neither 6 nor 1
x.broadcast_to((3, 4))  # type: ignore[shape]  # E: to fewer dims
sh.where(x > 0.0, x, m)  # type: ignore[shape]  # E: where: shapes
x + dev.randn((3, 1))
x + v.unsqueeze(-1)

# matmul
x @ m.T  # type: ignore[shape]  # E: matmul: (2, 3, 4) @ (3, 4): inner dims 4 != 3
m @ m  # type: ignore[shape]  # E: matmul: (4, 3) @ (4, 3): inner dims 3 != 4
v @ m  # type: ignore[shape]  # E: matmul: (3,) @ (4, 3): inner dims 3 != 4
m @ v.sum()  # type: ignore[shape]  # E: both operands need at least 1 dim; use * for scalars
x @ dev.randn((3, 4, 5))  # type: ignore[shape]  # E: matmul: shapes (2,) and (3,) do not broadcast
sh.matmul(m, m)  # type: ignore[shape]  # E: inner dims 3 != 4
m.T @ m

# padding, realize
x.pad(((1, 1), (2, 2)))  # type: ignore[shape]  # E: pad: got 2 (before, after) pairs for a tensor of rank 3; give one pair per axis
x.pad(((0, 0), (0, -1), (0, 0)))  # type: ignore[shape]  # E: widths must be non-negative
x.realize((2, 4, 3))  # type: ignore[shape]  # E: realize: the tensor has shape (2, 3, 4), not (2, 4, 3); check the data, or realize the shape it really has
x.realize((24,))  # type: ignore[shape]  # E: not (24,)
x.flatten().realize((24,))

# creation
dev.tensor([[1.0, 2.0], [3.0]])  # type: ignore[shape]  # E: tensor: ragged nested list: element 0 has shape (2,) but element 1 has shape (1,); every row must have the same length
dev.tensor([[[1], [2]], [[3]]])  # type: ignore[shape]  # E: ragged nested list

# creation: sizes are >= 0
dev.zeros((2, -3))  # type: ignore[shape]  # E: zeros: negative dimension in shape (2, -3); sizes are >= 0 (use 0 for empty)
dev.full((-1,), 2.0)  # type: ignore[shape]  # E: full: negative dimension in shape (-1,)
dev.randn((0, 3))
