"""Reductions and sorting: prod, any/all, x.max(dim) as a pair, sort, argsort, topk, scans."""

from __future__ import annotations

from typing import Literal as L
from typing import assert_type

import shaped as sh

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[2], L[3], L[4]]] = dev.randn((2, 3, 4))
Int64 = sh.Int64
Bool = sh.Bool
Owned = sh.OwnedTape
T2 = sh.Tensor[tuple[L[2], L[4]]]
I2 = sh.Tensor[tuple[L[2], L[4]], Int64]

# numpy's axis= keeps giving the values; torch's int first or dim= gives (values, indices)
assert_type(x.max(axis=1), T2)
assert_type(x.max(1), sh.ValuesIndices[T2, I2])
assert_type(x.min(dim=1), sh.ValuesIndices[T2, I2])
assert_type(x.max(-1, True).values, sh.Tensor[tuple[L[2], L[3], L[1]]])
assert_type(x.max(dim=0, keepdim=True).indices, sh.Tensor[tuple[L[1], L[3], L[4]], Int64])
values, indices = x.max(1)
assert_type(values, T2)
assert_type(indices, I2)
assert_type(x.max((0, 1)), sh.Tensor[tuple[L[4]]])
assert_type(x.trace().max(1).values, sh.Tensor[tuple[L[2], L[4]], sh.Float32, sh.Cpu, Owned])

# prod, any, all: reductions; ints and bools multiply to Int64; any/all give Bool
assert_type(x.prod(), sh.Tensor[tuple[()]])
assert_type(x.prod(axis=(0, 2), keepdims=True), sh.Tensor[tuple[L[1], L[3], L[1]]])
assert_type(dev.tensor([[1, 2], [3, 4]]).prod(1), sh.Tensor[tuple[L[2]], Int64])
assert_type((x > 0.0).prod(), sh.Tensor[tuple[()], Int64])
assert_type(x.any(), sh.Tensor[tuple[()], Bool])
assert_type((x > 0.0).all(axis=-1), sh.Tensor[tuple[L[2], L[3]], Bool])
assert_type(x.trace().any(0, True), sh.Tensor[tuple[L[1], L[3], L[4]], Bool])

# rank 0: axis 0 and -1 exist, as in torch
s: sh.Tensor[tuple[()]] = dev.randn(())
assert_type(s.sum(0), sh.Tensor[tuple[()]])
assert_type(s.max(axis=-1), sh.Tensor[tuple[()]])
assert_type(s.max(0).indices, sh.Tensor[tuple[()], Int64])

# scans keep the shape; ints and bools sum to Int64
assert_type(x.cumsum(1), sh.Tensor[tuple[L[2], L[3], L[4]]])
assert_type(x.cumprod(dim=-1), sh.Tensor[tuple[L[2], L[3], L[4]]])
assert_type((x > 0.0).cumsum(axis=0), sh.Tensor[tuple[L[2], L[3], L[4]], Int64])

# sort, argsort, topk
X = sh.Tensor[tuple[L[2], L[3], L[4]]]
IX = sh.Tensor[tuple[L[2], L[3], L[4]], Int64]
assert_type(x.sort(), sh.ValuesIndices[X, IX])
assert_type(x.sort(0, descending=True).values, X)
assert_type(x.argsort(dim=1), IX)
assert_type(
    x.topk(2),
    sh.ValuesIndices[sh.Tensor[tuple[L[2], L[3], L[2]]], sh.Tensor[tuple[L[2], L[3], L[2]], Int64]],
)
assert_type(x.topk(3, dim=1).values, sh.Tensor[tuple[L[2], L[3], L[4]]])
assert_type(x.topk(1, 0, largest=False).indices, sh.Tensor[tuple[L[1], L[3], L[4]], Int64])
k = int("2")
assert_type(x.topk(k).values, sh.Tensor[tuple[L[2], L[3], int]])

# norm: torch's (p, dim, keepdim) with numpy's axis too; F.normalize keeps the shape
F = sh.nn.functional
assert_type(x.norm(), sh.Tensor[tuple[()]])
assert_type(x.norm(2, 1), sh.Tensor[tuple[L[2], L[4]]])
assert_type(x.norm(1, dim=(0, 2), keepdim=True), sh.Tensor[tuple[L[1], L[3], L[1]]])
assert_type(x.norm("fro", axis=-1), sh.Tensor[tuple[L[2], L[3]]])
assert_type(x.trace().norm(p=float("inf")), sh.Tensor[tuple[()], sh.Float32, sh.Cpu, Owned])
assert_type(F.normalize(x, dim=-1), sh.Tensor[tuple[L[2], L[3], L[4]]])

# kthvalue and median: the pair along a dim; median() of everything is a scalar
assert_type(
    x.kthvalue(2),
    sh.ValuesIndices[sh.Tensor[tuple[L[2], L[3]]], sh.Tensor[tuple[L[2], L[3]], Int64]],
)
assert_type(x.kthvalue(1, dim=0, keepdim=True).values, sh.Tensor[tuple[L[1], L[3], L[4]]])
assert_type(x.kthvalue(3, 1, True).indices, sh.Tensor[tuple[L[2], L[1], L[4]], Int64])
assert_type(x.median(), sh.Tensor[tuple[()]])
assert_type(x.median(1), sh.ValuesIndices[T2, I2])
assert_type(x.median(dim=-1, keepdim=True).values, sh.Tensor[tuple[L[2], L[3], L[1]]])
assert_type(x.logcumsumexp(-1), sh.Tensor[tuple[L[2], L[3], L[4]]])
assert_type(
    x.trace().logcumsumexp(dim=0), sh.Tensor[tuple[L[2], L[3], L[4]], sh.Float32, sh.Cpu, Owned]
)
assert_type(x.cummax(1), sh.ValuesIndices[X, IX])
assert_type(x.cummin(dim=-1).indices, IX)
