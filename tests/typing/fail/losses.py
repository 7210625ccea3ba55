"""Loss mistakes: batch and class dims, soft targets, reductions."""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped import losses

dev = sh.Cpu(seed=0)
logits: sh.Tensor[tuple[L[32], L[10]]] = dev.randn((32, 10))
labels: sh.Tensor[tuple[L[32]], sh.Int64] = dev.zeros((32,), dtype=sh.Int64)
targets: sh.Tensor[tuple[L[32], L[10]]] = dev.randn((32, 10))

# class-index targets: (N,) for (N, C) logits, (N, d1) for (N, C, d1)
losses.cross_entropy(logits, dev.zeros((64,), dtype=sh.Int64))  # type: ignore[shape]  # E: cross_entropy: logits (32, 10) need class-index targets of shape (32,), got (64,)
losses.cross_entropy(logits, labels.unsqueeze(1))  # type: ignore[shape]  # E: need class-index targets of shape (32,), got (32, 1)
losses.nll_loss(logits, dev.zeros((10,), dtype=sh.Int64))  # type: ignore[shape]  # E: nll_loss: logits (32, 10) need class-index targets of shape (32,), got (10,)
losses.cross_entropy(logits.sum(), labels)  # type: ignore[shape]  # E: logits must be (N, C, ...) or (C,), got ()
seg = dev.randn((4, 5, 8, 8))
losses.cross_entropy(seg, dev.zeros((4, 8, 7), dtype=sh.Int64))  # type: ignore[shape]  # E: need class-index targets of shape (4, 8, 8), got (4, 8, 7)

# probability targets and pairwise losses: shapes must be equal, no silent broadcasting
losses.cross_entropy(logits, dev.randn((32, 9)))  # type: ignore[shape]  # E: cross_entropy: input shape (32, 10) and target shape (32, 9) differ
losses.mse_loss(logits, targets[:, :1])  # type: ignore[shape]  # E: mse_loss: input shape (32, 10) and target shape (32, 1) differ; they must be equal (reshape the target, e.g. target.reshape(input.shape))
losses.mse_loss(logits.sum(axis=1), labels.to(sh.Float32).unsqueeze(1))  # type: ignore[shape]  # E: input shape (32,) and target shape (32, 1) differ
losses.l1_loss(logits, targets.T)  # type: ignore[shape]  # E: l1_loss: input shape (32, 10) and target shape (10, 32) differ
losses.huber_loss(logits, targets[0], delta=0.5)  # type: ignore[shape]  # E: huber_loss: input shape (32, 10) and target shape (10,) differ
losses.smooth_l1_loss(logits, targets.flatten(), beta=0.5)  # type: ignore[shape]  # E: smooth_l1_loss: input shape (32, 10) and target shape (320,) differ
losses.binary_cross_entropy_with_logits(logits, targets[:16])  # type: ignore[shape]  # E: binary_cross_entropy_with_logits: input shape (32, 10) and target shape (16, 10) differ
losses.kl_div(logits, targets.unsqueeze(0))  # type: ignore[shape]  # E: kl_div: input shape (32, 10) and target shape (1, 32, 10) differ

# reductions: "mean", "sum" or "none"
losses.mse_loss(logits, targets, reduction="avg")  # type: ignore[shape]  # E: reduction must be 'mean', 'sum' or 'none', got 'avg'
losses.cross_entropy(logits, labels, reduction="Mean")  # type: ignore[shape]  # E: got 'Mean'
losses.kl_div(logits, targets, reduction="batchmean")  # type: ignore[shape]  # E: got 'batchmean'
losses.mse_loss(logits, targets, reduction="sum")
