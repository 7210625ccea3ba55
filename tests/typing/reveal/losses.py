"""Every loss with each reduction: "mean" and "sum" give a scalar, "none" the per-item shape."""

from __future__ import annotations

from typing import Literal as L
from typing import assert_type

import shaped as sh
from shaped import losses
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
logits: sh.Tensor[tuple[L[8], L[10]]] = dev.randn((8, 10))
targets: sh.Tensor[tuple[L[8], L[10]]] = dev.rand((8, 10))
labels = dev.tensor([1, 0, 3, 9, 2, 2, 4, 7])
Scalar = sh.Tensor[tuple[()]]
Rows = sh.Tensor[tuple[L[8]]]
Items = sh.Tensor[tuple[L[8], L[10]]]
Owned = sh.OwnedTape

assert_type(losses.mse_loss(logits, targets), Scalar)
assert_type(losses.mse_loss(logits, targets, reduction="sum"), Scalar)
assert_type(losses.mse_loss(logits, targets, reduction="none"), Items)
assert_type(losses.l1_loss(logits, targets), Scalar)
assert_type(losses.l1_loss(logits, targets, "sum"), Scalar)
assert_type(losses.l1_loss(logits, targets, reduction="none"), Items)
assert_type(losses.huber_loss(logits, targets, delta=0.5), Scalar)
assert_type(losses.huber_loss(logits, targets, reduction="sum", delta=2.0), Scalar)
assert_type(losses.huber_loss(logits, targets, reduction="none"), Items)
assert_type(losses.smooth_l1_loss(logits, targets, beta=0.5), Scalar)
assert_type(losses.smooth_l1_loss(logits, targets, reduction="sum"), Scalar)
assert_type(losses.smooth_l1_loss(logits, targets, "none", beta=0.5), Items)
assert_type(losses.binary_cross_entropy_with_logits(logits, targets), Scalar)
assert_type(losses.binary_cross_entropy_with_logits(logits, targets, reduction="sum"), Scalar)
assert_type(losses.binary_cross_entropy_with_logits(logits, targets, reduction="none"), Items)
log_probs = F.log_softmax(logits, axis=-1)
assert_type(losses.kl_div(log_probs, targets), Scalar)
assert_type(losses.kl_div(log_probs, targets, reduction="sum"), Scalar)
assert_type(losses.kl_div(log_probs, targets, reduction="none"), Items)

# class losses: Int64 indices (N,) for logits (N, C), or probabilities shaped like the logits
assert_type(losses.cross_entropy(logits, labels), Scalar)
assert_type(losses.cross_entropy(logits, labels, reduction="sum"), Scalar)
assert_type(losses.cross_entropy(logits, labels, reduction="none"), Rows)
assert_type(losses.cross_entropy(logits, targets, reduction="none"), Rows)
assert_type(losses.cross_entropy(logits, targets), Scalar)
assert_type(losses.nll_loss(logits, labels), Scalar)
assert_type(losses.nll_loss(logits, labels, reduction="sum"), Scalar)
assert_type(losses.nll_loss(logits, labels, reduction="none"), Rows)
assert_type(losses.cross_entropy(logits[0], labels[0]), Scalar)
seg: sh.Tensor[tuple[L[2], L[5], L[4], L[4]]] = dev.randn((2, 5, 4, 4))
seg_labels: sh.Tensor[tuple[L[2], L[4], L[4]], sh.Int64] = dev.zeros((2, 4, 4), dtype=sh.Int64)
assert_type(
    losses.cross_entropy(seg, seg_labels, reduction="none"), sh.Tensor[tuple[L[2], L[4], L[4]]]
)
assert_type(losses.nll_loss(seg, seg_labels), Scalar)

# the tape comes from the traced side, input or target
grads = sh.Gradients()
traced = logits.traced(grads)
assert_type(losses.mse_loss(traced, targets), sh.Tensor[tuple[()], sh.Float32, sh.Cpu, Owned])
assert_type(
    losses.mse_loss(logits, targets.traced(grads)), sh.Tensor[tuple[()], sh.Float32, sh.Cpu, Owned]
)
assert_type(losses.cross_entropy(traced, labels), sh.Tensor[tuple[()], sh.Float32, sh.Cpu, Owned])
assert_type(
    losses.cross_entropy(traced, labels, reduction="none"),
    sh.Tensor[tuple[L[8]], sh.Float32, sh.Cpu, Owned],
)
assert_type(
    losses.l1_loss(traced, targets, reduction="none").mean(),
    sh.Tensor[tuple[()], sh.Float32, sh.Cpu, Owned],
)
assert_type(
    losses.mse_loss(logits.to(sh.Float64), targets.to(sh.Float64)), sh.Tensor[tuple[()], sh.Float64]
)
assert_type(losses.cross_entropy(traced, labels).backward(), sh.Gradients)
