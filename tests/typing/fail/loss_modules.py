"""Loss module mistakes: criterion(input, target) is checked as the loss function is."""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped import nn
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
logits: sh.Tensor[tuple[L[32], L[10]]] = dev.randn((32, 10))
labels: sh.Tensor[tuple[L[32]], sh.Int64] = dev.zeros((32,), dtype=sh.Int64)
targets: sh.Tensor[tuple[L[32], L[10]]] = dev.rand((32, 10))
criterion = nn.CrossEntropyLoss()

# the same messages as losses.cross_entropy
criterion(logits, dev.zeros((64,), dtype=sh.Int64))  # type: ignore[shape]  # E: cross_entropy: logits (32, 10) need class-index targets of shape (32,), got (64,)
criterion(logits, labels.unsqueeze(1))  # type: ignore[shape]  # E: need class-index targets of shape (32,), got (32, 1)
nn.NLLLoss()(logits, dev.zeros((10,), dtype=sh.Int64))  # type: ignore[shape]  # E: nll_loss: logits (32, 10) need class-index targets of shape (32,), got (10,)
criterion(logits, dev.randn((32, 9)))  # type: ignore[shape]  # E: cross_entropy: input shape (32, 10) and target shape (32, 9) differ
criterion.forward(logits.sum(), labels)  # type: ignore[shape]  # E: logits must be (N, C, ...) or (C,), got ()
nn.CrossEntropyLoss(reduction="none")(logits, labels[:16])  # type: ignore[shape]  # E: got (16,)
nn.MSELoss()(logits, targets[:, :1])  # type: ignore[shape]  # E: mse_loss: input shape (32, 10) and target shape (32, 1) differ; they must be equal (reshape the target, e.g. target.reshape(input.shape))
nn.BCEWithLogitsLoss()(logits, targets.T)  # type: ignore[shape]  # E: binary_cross_entropy_with_logits: input shape (32, 10) and target shape (10, 32) differ
nn.MSELoss()(logits, targets.to(sh.Float64))  # type: ignore[dtype]  # E: mse_loss: dtypes differ (Float32 and Float64); there is no implicit promotion
nn.HuberLoss(delta=0.5)(logits, targets[0])  # type: ignore[shape]  # E: huber_loss: input shape (32, 10) and target shape (10,) differ

# the tape: a loss of untraced data cannot go backward; "none" is not a scalar
criterion(logits, labels).backward()  # type: ignore[no-tape]  # E: loss has no tape: call .traced(grads) on an input
grads = sh.Gradients()
per_item = nn.CrossEntropyLoss(reduction="none")(logits.traced(grads), labels)
per_item.backward()  # type: ignore[shape]  # E: backward() needs a scalar loss, got shape (32,): reduce with .mean() or .sum()
nn.L1Loss(reduction="sum")(logits, targets).backward()  # type: ignore[no-tape]  # E: loss has no tape

# losses of more operands
first, second = dev.randn((8, 16)), dev.randn((8, 16))
nn.CosineEmbeddingLoss()(first, second, dev.ones((4,)))  # type: ignore[shape]  # E: cosine_embedding_loss: inputs (8, 16) need a target of shape (8,) (one 1 or -1 per row), got (4,)
nn.CosineEmbeddingLoss()(first, second[:, :8], dev.ones((8,)))  # type: ignore[shape]  # E: input shape (8, 16) and target shape (8, 8) differ
nn.TripletMarginLoss()(first, second, dev.randn((8,)))  # type: ignore[shape]  # E: triplet_margin_loss: the inputs must have the same number of dims, got anchor (8, 16), positive (8, 16), negative (8,)
nn.MarginRankingLoss()(first[:, 0], second[:, 0], dev.ones((8, 1)))  # type: ignore[shape]  # E: margin_ranking_loss: the inputs must have the same number of dims
nn.GaussianNLLLoss()(first, second, dev.ones((8, 4)))  # type: ignore[shape]  # E: gaussian_nll_loss: var of shape (8, 4) does not fit the input (8, 16)
log_probs = dev.randn((30, 2, 6)).log_softmax(-1)
tokens = dev.zeros((2, 4), dtype=sh.Int64)
nn.CTCLoss()(log_probs, tokens, [30, 25, 20], [4, 2])  # type: ignore[shape]  # E: ctc_loss: input_lengths must have one length per batch item, shape (2,) for log_probs (30, 2, 6), got (3,)
F.ctc_loss(log_probs[:, 0], tokens, 30, 4)  # type: ignore[shape]  # E: ctc_loss: targets must be padded (N, S) or concatenated
F.triplet_margin_loss(first, second, first, reduction="avg")  # type: ignore[shape]  # E: reduction must be 'mean', 'sum' or 'none', got 'avg'
F.cross_entropy(logits, labels, reduction="Mean", label_smoothing=0.1)  # type: ignore[shape]  # E: got 'Mean'
F.margin_ranking_loss(first, second.to(sh.Float64), first)  # type: ignore[dtype]  # E: margin_ranking_loss: dtypes differ (Float32 and Float64)

# the reduction is a literal, checked where the module is made
nn.CrossEntropyLoss(reduction="avg")  # type: ignore[arg-type]  # E: Argument "reduction" to "CrossEntropyLoss" has incompatible type "Literal['avg']"

# torch's options of the functions: a per-class weight is (C,), of the logits' dtype
F.cross_entropy(logits, labels, weight=dev.ones((9,)))  # type: ignore[shape]  # E: cross_entropy: weight must be a 1-D tensor of one value per class, shape (10,), got (9,)
F.nll_loss(logits, labels, weight=dev.ones((10,), dtype=sh.Float64))  # type: ignore[dtype]  # E: nll_loss: dtypes differ (Float32 and Float64)
