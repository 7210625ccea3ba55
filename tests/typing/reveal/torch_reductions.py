"""torch's spellings of the reductions: `dim=`, `keepdim=`, and a list of axes."""

from typing import Literal as L
from typing import assert_type

import shaped as sh

dev = sh.Cpu()
x = dev.randn((4, 5, 6))

assert_type(x.sum(dim=1), sh.Tensor[tuple[L[4], L[6]]])
assert_type(x.sum(dim=[0, 2]), sh.Tensor[tuple[L[5]]])
assert_type(x.mean(dim=-1, keepdim=True), sh.Tensor[tuple[L[4], L[5], L[1]]])
assert_type(x.mean(1, keepdim=True), sh.Tensor[tuple[L[4], L[1], L[6]]])
assert_type(x.var(dim=(0, 1)), sh.Tensor[tuple[L[6]]])
assert_type(x.std(dim=2, keepdim=True), sh.Tensor[tuple[L[4], L[5], L[1]]])
assert_type(x.prod(dim=0), sh.Tensor[tuple[L[5], L[6]]])
assert_type(x.logsumexp(dim=-1), sh.Tensor[tuple[L[4], L[5]]])
assert_type(x.argmax(dim=1), sh.Tensor[tuple[L[4], L[6]], sh.Int64])
assert_type(x.argmin(dim=1, keepdim=True), sh.Tensor[tuple[L[4], L[1], L[6]], sh.Int64])
assert_type((x > 0).any(dim=2), sh.Tensor[tuple[L[4], L[5]], sh.Bool])
assert_type((x > 0).all(dim=0, keepdim=True), sh.Tensor[tuple[L[1], L[5], L[6]], sh.Bool])
assert_type(x.sum(axis=[0]), sh.Tensor[tuple[L[5], L[6]]])
assert_type(x.sum(), sh.Tensor[tuple[()]])
assert_type(x.flatten(start_dim=1), sh.Tensor[tuple[L[4], L[30]]])
assert_type(x.flatten(0, end_dim=1), sh.Tensor[tuple[L[20], L[6]]])
assert_type(x.sum().squeeze(0), sh.Tensor[tuple[()]])
counts = dev.tensor([[1, 2], [3, 4]])
assert_type(counts.sum(dtype=sh.Float32), sh.Tensor[tuple[()]])
assert_type(counts.sum(dim=1, dtype=sh.Float64), sh.Tensor[tuple[L[2]], sh.Float64])
assert_type(counts.mean(dtype=sh.Float32), sh.Tensor[tuple[()]])
assert_type(counts.prod(1, dtype=sh.Int32), sh.Tensor[tuple[L[2]], sh.Int32])
assert_type(counts.sum(1), sh.Tensor[tuple[L[2]], sh.Int64])
