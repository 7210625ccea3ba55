"""Shape mistakes in repeat, expand, view, split/chunk, tril, flip, roll, narrow, movedim,
diag, pad modes, F.pad, meshgrid and size: [shape] with the run time's message."""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[2], L[3], L[4]]] = dev.randn((2, 3, 4))
m: sh.Tensor[tuple[L[1], L[3]]] = dev.randn((1, 3))
v: sh.Tensor[tuple[L[3]]] = dev.randn((3,))

x.repeat(2, 2)  # type: ignore[shape]  # E: repeat: got 2 sizes (2, 2) for a tensor of rank 3; give at least one per axis
m.expand(2, 4)  # type: ignore[shape]  # E: expand: cannot broadcast (1, 3) to (2, 4): axis 1 has size 3, which is neither 4 nor 1
m.expand_as(x)  # type: ignore[shape]  # E: expand: cannot broadcast (1, 3) to (2, 3, 4)
x.view(5, -1)  # type: ignore[shape]  # E: reshape: cannot reshape (2, 3, 4) (2*3*4 = 24 elements) into (5, -1)
x.view_as(v)  # type: ignore[shape]  # E: into (3,) (3 = 3 elements)
x.split([1, 1], dim=1)  # type: ignore[shape]  # E: split: sizes (1, 1) sum to 2, but the axis has size 3
x.split(2, 3)  # type: ignore[shape]  # E: split: axis 3 is out of range for a tensor of rank 3
x.chunk(0)  # type: ignore[shape]  # E: chunk: the number of chunks must be positive, got 0
x.unbind(-4)  # type: ignore[shape]  # E: unbind: axis -4 is out of range
v.tril()  # type: ignore[shape]  # E: tril: needs at least 2 dims, got (3,)
v.triu(1)  # type: ignore[shape]  # E: triu: needs at least 2 dims
x.flip((0, 0))  # type: ignore[shape]  # E: flip: axis (0, 0) repeats an axis
x.flip(dims=3)  # type: ignore[shape]  # E: flip: axis 3 is out of range
x.roll((1, 2), 0)  # type: ignore[shape]  # E: roll: got 2 shifts for 1 axes; give one shift per axis
x.roll((1, 2))  # type: ignore[shape]  # E: roll: 2 shifts need as many axes, got none
x.narrow(1, 2, 2)  # type: ignore[shape]  # E: narrow: start 2 + length 2 = 4 exceeds the size 3 of axis 1
x.narrow(0, -3, 1)  # type: ignore[shape]  # E: narrow: start -3 is out of range for axis 0 of size 2
x.movedim((0, 1), 2)  # type: ignore[shape]  # E: movedim: got 2 source axes but 1 destinations
x.movedim(0, 0).movedim((1, 1), (0, 2))  # type: ignore[shape]  # E: movedim: axes (1, 1) -> (0, 2) repeat an axis
x.moveaxis(0, 3)  # type: ignore[shape]  # E: movedim: axis 3 is out of range for a tensor of rank 3
x.repeat_interleave(2, dim=3)  # type: ignore[shape]  # E: repeat_interleave: axis 3 is out of range
x.repeat_interleave(dev.tensor([1, 2]), dim=1)  # type: ignore[shape]  # E: repeat_interleave: 2 repeats for axis 1 of size 3; give one per element, or one for all
x.diag()  # type: ignore[shape]  # E: diag: needs a 1-d or 2-d tensor, got (2, 3, 4)
x.pad(((0, 0), (3, 0), (0, 0)), mode="reflect")  # type: ignore[shape]  # E: pad: reflect padding 3 must be less than the size 3 of axis 1
x.pad(((0, 0), (0, 0), (5, 0)), mode="circular")  # type: ignore[shape]  # E: pad: circular padding 5 must be at most the size 4 of axis 2
dev.zeros((2, 0)).pad(1, mode="replicate")  # type: ignore[shape]  # E: pad: replicate padding needs a non-empty axis 1, got size 0
F.pad(x, (1, 1, 1))  # type: ignore[shape]  # E: pad: the padding (1, 1, 1) must have an even length of at most 2*3
F.pad(x, (4, 4), mode="reflect")  # type: ignore[shape]  # E: pad: reflect padding 4 must be less than the size 4 of axis 2
sh.meshgrid(v, x)  # type: ignore[shape]  # E: meshgrid: tensor 1 has shape (2, 3, 4); every input must be 0-d or 1-d
sh.meshgrid(v, v.to(sh.Float64))  # type: ignore[dtype]  # E: meshgrid: dtypes differ (Float32 and Float64)
x.size(3)  # type: ignore[shape]  # E: size: axis 3 is out of range for a tensor of rank 3; valid axes are -3..2
