"""Valid programs over einsum, outer, bmm, addmm, baddbmm and F.cosine_similarity: clean under
mypy with the plugin and under pyright, and they run."""

from __future__ import annotations

from typing import Literal as L

from typing_extensions import TypeVar

import shaped as sh
from shaped.nn import functional as F

T = TypeVar("T")
Batch = TypeVar("Batch")

dev = sh.Cpu(seed=0)
grads = sh.Gradients()
q: sh.Tensor[tuple[L[4], L[6], L[8]]] = dev.randn((4, 6, 8))
k: sh.Tensor[tuple[L[4], L[5], L[8]]] = dev.randn((4, 5, 8))
weight: sh.Tensor[tuple[L[8], L[3]]] = dev.randn((8, 3))
bias: sh.Tensor[tuple[L[3]]] = dev.zeros((3,))
x: sh.Tensor[tuple[L[6], L[8]]] = dev.randn((6, 8))


def attention_scores(
    queries: sh.Tensor[tuple[Batch, L[6], L[8]], sh.Float32, sh.Cpu, T],
    keys: sh.Tensor[tuple[Batch, L[5], L[8]], sh.Float32, sh.Cpu, T],
) -> sh.Tensor[tuple[Batch, L[6], L[5]], sh.Float32, sh.Cpu, T]:
    """A user's generic block: the batch and the tape pass through bmm."""
    return queries.bmm(keys.mT) * (1 / 8**0.5)


scores: sh.Tensor[tuple[L[4], L[6], L[5]]] = sh.einsum("bqd,bkd->bqk", q, k)
same: sh.Tensor[tuple[L[4], L[6], L[5]]] = attention_scores(q, k)
via_bmm: sh.Tensor[tuple[L[4], L[6], L[5]]] = sh.bmm(q, k.mT)
traced = sh.einsum("bqd,bkd->bqk", q.traced(grads), k)
loss = traced.sum()
projected: sh.Tensor[tuple[L[6], L[3]]] = sh.addmm(bias, x, weight)
scaled: sh.Tensor[tuple[L[6], L[3]]] = bias.addmm(x, weight, beta=0.5, alpha=2.0)
batched: sh.Tensor[tuple[L[4], L[6], L[5]]] = scores.baddbmm(q, k.mT, beta=0.0)
outer: sh.Tensor[tuple[L[3], L[8]]] = bias.outer(x[0])
outer_fn: sh.Tensor[tuple[L[3], L[8]]] = sh.outer(bias, x[0])
similarity: sh.Tensor[tuple[L[4], L[6]]] = F.cosine_similarity(q, q, dim=-1)
rows: sh.Tensor[tuple[L[6]]] = F.cosine_similarity(x, x)
trace: sh.Tensor[tuple[()]] = sh.einsum("ii", dev.eye(3))
grads = loss.backward()
assert grads[q].shape == (4, 6, 8)
assert scores.shape == same.shape == via_bmm.shape == batched.shape == (4, 6, 5)
assert projected.shape == scaled.shape == (6, 3)
assert outer.shape == outer_fn.shape == (3, 8)
assert similarity.shape == (4, 6) and rows.shape == (6,) and trace.shape == ()
