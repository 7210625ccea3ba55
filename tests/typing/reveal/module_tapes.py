"""A module called on several tensors: a tape on any of them moves to the result."""

from typing import Literal as L
from typing import assert_type

import shaped as sh
from shaped import nn

dev = sh.Cpu()
mha = nn.MultiHeadAttention(16, 4)
query = dev.randn((2, 5, 16))
memory = dev.randn((2, 5, 16)).trace()
Owned = sh.OwnedTape

assert_type(
    mha(query, memory, memory), sh.Tensor[tuple[L[2], L[5], L[16]], sh.Float32, sh.Cpu, Owned]
)
assert_type(mha(query), sh.Tensor[tuple[L[2], L[5], L[16]]])
assert_type(mha(memory), sh.Tensor[tuple[L[2], L[5], L[16]], sh.Float32, sh.Cpu, Owned])
