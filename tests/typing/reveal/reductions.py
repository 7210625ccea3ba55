"""Reductions: axis None, an int, a negative int or a tuple; keepdims; Int64 for argmax."""

from __future__ import annotations

from typing import Literal as L
from typing import assert_type

import shaped as sh

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[2], L[3], L[4]]] = dev.randn((2, 3, 4))
Int64 = sh.Int64

assert_type(x.sum(), sh.Tensor[tuple[()]])
assert_type(x.sum(axis=0), sh.Tensor[tuple[L[3], L[4]]])
assert_type(x.sum(1), sh.Tensor[tuple[L[2], L[4]]])
assert_type(x.sum(axis=-1), sh.Tensor[tuple[L[2], L[3]]])
assert_type(x.sum(axis=(0, 2)), sh.Tensor[tuple[L[3]]])
assert_type(x.sum(axis=(-1, 0)), sh.Tensor[tuple[L[3]]])
assert_type(x.sum(axis=None, keepdims=True), sh.Tensor[tuple[L[1], L[1], L[1]]])
assert_type(x.sum(axis=1, keepdims=True), sh.Tensor[tuple[L[2], L[1], L[4]]])
assert_type(x.sum(0, True), sh.Tensor[tuple[L[1], L[3], L[4]]])
assert_type(x.sum(axis=()), sh.Tensor[tuple[L[2], L[3], L[4]]])
assert_type(x.mean(), sh.Tensor[tuple[()]])
assert_type(x.mean(axis=-2), sh.Tensor[tuple[L[2], L[4]]])
assert_type(x.mean(axis=(1, 2), keepdims=True), sh.Tensor[tuple[L[2], L[1], L[1]]])
assert_type(x.max(), sh.Tensor[tuple[()]])
assert_type(x.max(axis=2), sh.Tensor[tuple[L[2], L[3]]])
assert_type(x.min(axis=-3, keepdims=True), sh.Tensor[tuple[L[1], L[3], L[4]]])
assert_type(x.var(), sh.Tensor[tuple[()]])
assert_type(x.var(axis=0, correction=0), sh.Tensor[tuple[L[3], L[4]]])
assert_type(x.std(axis=(0, 1)), sh.Tensor[tuple[L[4]]])
assert_type(x.std(axis=-1, keepdims=True), sh.Tensor[tuple[L[2], L[3], L[1]]])
assert_type(x.logsumexp(-1), sh.Tensor[tuple[L[2], L[3]]])
assert_type(x.logsumexp((0, 1), keepdims=True), sh.Tensor[tuple[L[1], L[1], L[4]]])
assert_type(x.argmax(), sh.Tensor[tuple[()], Int64])
assert_type(x.argmax(axis=1), sh.Tensor[tuple[L[2], L[4]], Int64])
assert_type(x.argmin(axis=-1, keepdims=True), sh.Tensor[tuple[L[2], L[3], L[1]], Int64])
assert_type(x.sum(axis=0).sum(axis=0).sum(axis=0), sh.Tensor[tuple[()]])

# the tape survives reductions (argmax has no gradient: no tape)
xt = x.trace()
Owned = sh.OwnedTape
assert_type(xt.mean(), sh.Tensor[tuple[()], sh.Float32, sh.Cpu, Owned])
assert_type(xt.sum(axis=(0, 1)), sh.Tensor[tuple[L[4]], sh.Float32, sh.Cpu, Owned])
assert_type(
    xt.max(axis=1, keepdims=True), sh.Tensor[tuple[L[2], L[1], L[4]], sh.Float32, sh.Cpu, Owned]
)
assert_type(xt.argmax(axis=0), sh.Tensor[tuple[L[3], L[4]], Int64])
assert_type(xt.mean().backward(), sh.Gradients)

# bools and ints sum to Int64, as torch
assert_type((x > 0.0).sum(), sh.Tensor[tuple[()], Int64])
assert_type((x > 0.0).sum(axis=0), sh.Tensor[tuple[L[3], L[4]], Int64])
assert_type(dev.tensor([1, 2]).sum(), sh.Tensor[tuple[()], Int64])
