"""Reductions and sorting as PyTorch users write them: clean under mypy and pyright alike."""

from __future__ import annotations

from typing import Any, TypeVar, assert_type
from typing import Literal as L

import shaped as sh

S = TypeVar("S", bound=tuple[Any, ...])
Dt = TypeVar("Dt")
Dv = TypeVar("Dv")
Tp = TypeVar("Tp")

dev = sh.Cpu(seed=0)
logits: sh.Tensor[tuple[L[8], L[10]]] = dev.randn((8, 10))

# torch's idioms: a pair that unpacks, or names its parts
values, indices = logits.max(1)
best: sh.Tensor[tuple[L[8]]] = values
predicted: sh.Tensor[tuple[L[8]], sh.Int64] = indices
assert_type(logits.max(dim=1).indices.ndim, int)
top: sh.Tensor[tuple[L[8], L[3]]] = logits.topk(3).values
low: sh.Tensor[tuple[L[8], L[1]], sh.Int64] = logits.min(1, keepdim=True).indices
peak: sh.Tensor[tuple[L[8]]] = logits.max(axis=1)  # numpy's spelling: the values

# sort and scans keep the shape in pure typing too
ordered = logits.sort(descending=True)
assert_type(ordered.values, sh.Tensor[tuple[L[8], L[10]]])
assert_type(ordered.indices, sh.Tensor[tuple[L[8], L[10]], sh.Int64])
assert_type(logits.argsort(dim=-1), sh.Tensor[tuple[L[8], L[10]], sh.Int64])
assert_type(logits.cumsum(1), sh.Tensor[tuple[L[8], L[10]]])
assert_type(logits.cumprod(dim=0), sh.Tensor[tuple[L[8], L[10]]])

# reductions to a scalar, and Bool tests
total: sh.Tensor[tuple[()]] = logits.prod()
assert_type(logits.any(), sh.Tensor[tuple[()], sh.Bool])
assert_type((logits > 0.0).all(), sh.Tensor[tuple[()], sh.Bool])
rows_ok: sh.Tensor[tuple[L[8]], sh.Bool] = (logits > -5.0).all(axis=1)


def accuracy(
    scores: sh.Tensor[tuple[int, int], Dt, Dv, Tp], labels: sh.Tensor[tuple[int], sh.Int64, Dv]
) -> float:
    """Generic code: the indices of a traced tensor carry no tape."""
    _, guess = scores.max(1)
    return float((guess == labels).to(sh.Float32).mean().item())


def sorted_rows(x: sh.Tensor[S, Dt, Dv, Tp]) -> sh.Tensor[S, Dt, Dv, Tp]:
    return x.sort(dim=-1).values


assert 0.0 <= accuracy(logits.trace(), dev.tensor([0, 1, 2, 3, 4, 5, 6, 7])) <= 1.0
assert sorted_rows(logits).shape == (8, 10)
assert best.shape == (8,) and predicted.shape == (8,) and top.shape == (8, 3)
assert low.shape == (8, 1) and peak.shape == (8,) and total.shape == () and rows_ok.shape == (8,)
norms: sh.Tensor[tuple[L[8]]] = logits.norm(dim=1)
unit = sh.nn.functional.normalize(logits, dim=-1)
assert_type(unit, sh.Tensor[tuple[L[8], L[10]]])
assert norms.shape == (8,)
middle, where = logits.median(1)
second: sh.Tensor[tuple[L[8]]] = logits.kthvalue(2, dim=1).values
assert_type(logits.median(), sh.Tensor[tuple[()]])
assert middle.shape == (8,) and where.shape == (8,) and second.shape == (8,)
assert_type(logits.logcumsumexp(dim=1), sh.Tensor[tuple[L[8], L[10]]])
running, at = logits.cummax(dim=1)
assert_type(running, sh.Tensor[tuple[L[8], L[10]]])
assert_type(logits.cummin(0).indices, sh.Tensor[tuple[L[8], L[10]], sh.Int64])
assert at.shape == (8, 10)
pair: sh.ValuesIndices[sh.Tensor[tuple[L[8]]], sh.Tensor[tuple[L[8]], sh.Int64]] = logits.max(1)
assert pair.values.shape == (8,) and pair.indices.shape == (8,)
