"""Result types of the third round of ops (found missing by tinygrad's test_ops.py)."""

from typing import Literal as L
from typing import assert_type

import shaped as sh

dev = sh.Cpu()
x = dev.randn((3, 4))
row = dev.randn((4,))
traced = x.trace()

assert_type(x.copysign(row), sh.Tensor[tuple[L[3], L[4]]])
assert_type(traced.copysign(-1.0), sh.Tensor[tuple[L[3], L[4]], sh.Float32, sh.Cpu, sh.OwnedTape])
assert_type(x.fmod(row), sh.Tensor[tuple[L[3], L[4]]])
assert_type(x.remainder(2.0), sh.Tensor[tuple[L[3], L[4]]])
assert_type(x.isclose(row), sh.Tensor[tuple[L[3], L[4]], sh.Bool])
assert_type(traced.isclose(x), sh.Tensor[tuple[L[3], L[4]], sh.Bool])
assert_type((x > 0).logical_and(row > 0), sh.Tensor[tuple[L[3], L[4]], sh.Bool])
assert_type(x.logical_not(), sh.Tensor[tuple[L[3], L[4]], sh.Bool])
assert_type(x.masked_select(x > 0), sh.Tensor[tuple[int]])
assert_type(x.diagonal(), sh.Tensor[tuple[L[3]]])
assert_type(x.diagonal(1), sh.Tensor[tuple[L[3]]])
assert_type(dev.randn((2, 3, 4)).diagonal(0, dim1=-1, dim2=0), sh.Tensor[tuple[L[3], L[2]]])
assert_type(x.unfold(1, 2, 1), sh.Tensor[tuple[L[3], L[3], L[2]]])
assert_type(x.unfold(1, 3, 2), sh.Tensor[tuple[L[3], L[1], L[3]]])
assert_type(x.unflatten(1, (2, 2)), sh.Tensor[tuple[L[3], L[2], L[2]]])
assert_type(x.unflatten(1, (2, -1)), sh.Tensor[tuple[L[3], L[2], L[2]]])
assert_type(x.allclose(x), bool)
assert_type(sh.nn.functional.pad(x, (-1, 2)), sh.Tensor[tuple[L[3], L[5]]])
assert_type(sh.nn.functional.pad(x, (1, 1, -1, 0)), sh.Tensor[tuple[L[2], L[6]]])
index = dev.tensor([[0, 1, 2, 0]])
assert_type(x.scatter_reduce(0, index, dev.randn((1, 4)), "amax"), sh.Tensor[tuple[L[3], L[4]]])
assert_type(
    x.scatter_reduce(0, index, dev.randn((1, 4)).trace(), "sum", include_self=False),
    sh.Tensor[tuple[L[3], L[4]], sh.Float32, sh.Cpu, sh.OwnedTape],
)
heads = dev.randn((2, 4, 5, 8)).trace()
shared = dev.randn((2, 2, 6, 8))
assert_type(
    sh.nn.functional.scaled_dot_product_attention(heads, shared, shared, enable_gqa=True),
    sh.Tensor[tuple[L[2], L[4], L[5], L[8]], sh.Float32, sh.Cpu, sh.OwnedTape],
)
assert_type(
    sh.nn.functional.scaled_dot_product_attention(
        heads, heads, heads, dropout_p=0.1, is_causal=True
    ),
    sh.Tensor[tuple[L[2], L[4], L[5], L[8]], sh.Float32, sh.Cpu, sh.OwnedTape],
)
