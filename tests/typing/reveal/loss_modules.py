"""Loss modules: criterion(input, target) is typed as the loss function is (mypy with the plugin).

"mean" and "sum" give a scalar, "none" the per-item shape; the result keeps the input's tape."""

from __future__ import annotations

from typing import Literal as L
from typing import TypeVar, assert_type

import shaped as sh
from shaped import losses, nn
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
logits: sh.Tensor[tuple[L[8], L[10]]] = dev.randn((8, 10))
targets: sh.Tensor[tuple[L[8], L[10]]] = dev.rand((8, 10))
labels: sh.Tensor[tuple[L[8]], sh.Int64] = dev.tensor([1, 0, 3, 9, 2, 2, 4, 7])
Scalar = sh.Tensor[tuple[()]]
Rows = sh.Tensor[tuple[L[8]]]
Items = sh.Tensor[tuple[L[8], L[10]]]
Owned = sh.OwnedTape

# the reduction is the module's type parameter, from the constructor's literal argument
assert_type(nn.CrossEntropyLoss(), nn.CrossEntropyLoss[L["mean"]])
assert_type(nn.CrossEntropyLoss(reduction="none"), nn.CrossEntropyLoss[L["none"]])
assert_type(nn.MSELoss(reduction="sum"), nn.MSELoss[L["sum"]])
assert_type(nn.CrossEntropyLoss()(logits, labels), Scalar)
assert_type(nn.CrossEntropyLoss(reduction="sum")(logits, labels), Scalar)
assert_type(nn.CrossEntropyLoss(reduction="none")(logits, labels), Rows)
assert_type(nn.CrossEntropyLoss(label_smoothing=0.1)(logits, targets), Scalar)
assert_type(nn.CrossEntropyLoss(reduction="none")(logits, targets), Rows)
assert_type(nn.NLLLoss(weight=dev.ones((10,)))(logits.log_softmax(-1), labels), Scalar)
assert_type(nn.NLLLoss(reduction="none")(logits, labels), Rows)
assert_type(nn.MultiMarginLoss(reduction="none")(logits, labels), Rows)
assert_type(nn.MultiLabelSoftMarginLoss(reduction="none")(logits, targets), Rows)
seg: sh.Tensor[tuple[L[2], L[5], L[4], L[4]]] = dev.randn((2, 5, 4, 4))
seg_labels: sh.Tensor[tuple[L[2], L[4], L[4]], sh.Int64] = dev.zeros((2, 4, 4), dtype=sh.Int64)
assert_type(
    nn.CrossEntropyLoss(reduction="none")(seg, seg_labels), sh.Tensor[tuple[L[2], L[4], L[4]]]
)

# losses of an input and a target of its shape
assert_type(nn.MSELoss()(logits, targets), Scalar)
assert_type(nn.MSELoss(reduction="none")(logits, targets), Items)
assert_type(nn.L1Loss(reduction="none")(logits, targets), Items)
assert_type(nn.HuberLoss(reduction="none", delta=0.5)(logits, targets), Items)
assert_type(nn.SmoothL1Loss(beta=0.5)(logits, targets), Scalar)
assert_type(nn.BCELoss(reduction="none")(logits.sigmoid(), targets), Items)
assert_type(nn.BCEWithLogitsLoss(pos_weight=dev.ones((10,)))(logits, targets), Scalar)
assert_type(nn.KLDivLoss(reduction="sum")(logits.log_softmax(-1), targets), Scalar)
assert_type(nn.SoftMarginLoss(reduction="none")(logits, targets), Items)
assert_type(nn.PoissonNLLLoss(reduction="none")(logits, targets), Items)
assert_type(nn.HingeEmbeddingLoss(reduction="none")(logits, targets), Items)

# more operands: rows of (N, D) inputs, CTC per sample
first: sh.Tensor[tuple[L[8], L[16]]] = dev.randn((8, 16))
second: sh.Tensor[tuple[L[8], L[16]]] = dev.randn((8, 16))
signs: sh.Tensor[tuple[L[8]]] = dev.ones((8,))
assert_type(nn.CosineEmbeddingLoss()(first, second, signs), Scalar)
assert_type(nn.CosineEmbeddingLoss(reduction="none")(first, second, signs), Rows)
assert_type(nn.MarginRankingLoss(reduction="none")(signs, signs, signs), Rows)
assert_type(nn.TripletMarginLoss(reduction="none")(first, second, second), Rows)
assert_type(nn.TripletMarginLoss(swap=True)(first, second, second), Scalar)
assert_type(nn.GaussianNLLLoss(reduction="none")(logits, targets, targets), Items)
assert_type(nn.GaussianNLLLoss(reduction="none")(logits, targets, targets[:, 0]), Items)
log_probs: sh.Tensor[tuple[L[30], L[2], L[6]]] = dev.randn((30, 2, 6)).log_softmax(-1)
tokens: sh.Tensor[tuple[L[2], L[4]], sh.Int64] = dev.tensor([[1, 2, 3, 2], [4, 5, 0, 0]])
assert_type(nn.CTCLoss()(log_probs, tokens, [30, 25], [4, 2]), Scalar)
assert_type(
    nn.CTCLoss(reduction="none")(log_probs, tokens, [30, 25], [4, 2]), sh.Tensor[tuple[L[2]]]
)

# the tape: the input's (a criterion of an untraced input has none, so .backward() is an error)
grads = sh.Gradients()
traced = logits.traced(grads)
criterion = nn.CrossEntropyLoss(weight=dev.ones((10,)))
assert_type(criterion(traced, labels), sh.Tensor[tuple[()], sh.Float32, sh.Cpu, Owned])
assert_type(criterion(logits, labels), sh.Tensor[tuple[()], sh.Float32, sh.Cpu, sh.NoTape])
assert_type(criterion.forward(traced, labels), sh.Tensor[tuple[()], sh.Float32, sh.Cpu, Owned])
assert_type(
    nn.MSELoss()(logits, targets.traced(grads)), sh.Tensor[tuple[()], sh.Float32, sh.Cpu, Owned]
)
assert_type(
    nn.TripletMarginLoss()(first, second.traced(grads), first),
    sh.Tensor[tuple[()], sh.Float32, sh.Cpu, Owned],
)
assert_type(
    nn.CosineEmbeddingLoss()(first, second, signs.traced(grads)),
    sh.Tensor[tuple[()], sh.Float32, sh.Cpu, sh.NoTape],
)
assert_type(
    nn.CTCLoss()(log_probs.traced(grads), tokens, [30, 25], [4, 2]),
    sh.Tensor[tuple[()], sh.Float32, sh.Cpu, Owned],
)
assert_type(
    nn.MSELoss(reduction="none")(logits.to(sh.Float64), targets.to(sh.Float64)),
    sh.Tensor[tuple[L[8], L[10]], sh.Float64],
)

# the functions, through sh.losses and F, with torch's options
assert_type(F.cross_entropy(logits, labels, weight=dev.ones((10,)), label_smoothing=0.2), Scalar)
assert_type(
    F.cross_entropy(traced, labels, reduction="none", ignore_index=3),
    sh.Tensor[tuple[L[8]], sh.Float32, sh.Cpu, Owned],
)
assert_type(F.nll_loss(logits, labels, reduction="none", ignore_index=0), Rows)
assert_type(F.binary_cross_entropy(logits.sigmoid(), targets, weight=targets), Scalar)
assert_type(losses.binary_cross_entropy_with_logits(logits, targets, reduction="none"), Items)
assert_type(F.kl_div(logits, targets, reduction="none", log_target=True), Items)
assert_type(F.margin_ranking_loss(signs, signs, signs, 0.5), Scalar)
assert_type(F.triplet_margin_loss(first, second, first, reduction="none"), Rows)
assert_type(F.gaussian_nll_loss(logits, targets, 1.0, reduction="none"), Items)
assert_type(F.poisson_nll_loss(logits, targets, log_input=False, reduction="none"), Items)
assert_type(F.hinge_embedding_loss(logits, targets, 0.5, "none"), Items)
assert_type(F.multi_margin_loss(logits, labels, reduction="none"), Rows)
assert_type(
    F.ctc_loss(log_probs, tokens, [30, 25], [4, 2], reduction="none"), sh.Tensor[tuple[L[2]]]
)

# a batch dim named by a TypeVar stays named
B = TypeVar("B", bound=int)


def per_row(
    scores: sh.Tensor[tuple[B, L[10]]], classes: sh.Tensor[tuple[B], sh.Int64]
) -> sh.Tensor[tuple[B]]:
    out = nn.CrossEntropyLoss(reduction="none")(scores, classes)
    assert_type(out, sh.Tensor[tuple[B]])
    return out


assert_type(per_row(logits, labels), Rows)
