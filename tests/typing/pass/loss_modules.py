"""Loss modules and the losses of F, as PyTorch users write them: clean under mypy --strict
(with the plugin) and basedpyright, and they run."""

from __future__ import annotations

from typing import Any, TypeVar, assert_type
from typing import Literal as L

import shaped as sh
from shaped import nn
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
features: sh.Tensor[tuple[L[8], L[20]]] = dev.randn((8, 20))
labels = dev.tensor([1, 0, 3, 4, 2, 2, 4, 0])
model = nn.Sequential(nn.Linear(20, 32, device=dev), nn.ReLU(), nn.Linear(32, 5, device=dev))
Scalar = sh.Tensor[tuple[()], sh.Float32, sh.Cpu, sh.OwnedTape]

# a training step with a criterion, torch-style
criterion = nn.CrossEntropyLoss(weight=dev.ones((5,)), label_smoothing=0.1)
opt = sh.optim.Sgd(model, lr=0.1)
for _ in range(2):
    grads = model.alloc_grads()
    loss = criterion(model(features.traced(grads)), labels)
    assert_type(loss, Scalar)
    opt.update(model, loss.backward())
print(criterion, criterion.state_dict().keys())

# every reduction: a scalar by default, per item with "none"
logits = model(features)
per_item = nn.CrossEntropyLoss(reduction="none")(logits, labels)
print(per_item.shape, nn.NLLLoss(ignore_index=0)(logits.log_softmax(-1), labels).item())
summed = nn.CrossEntropyLoss(reduction="sum")(logits, labels)
assert_type(summed, sh.Tensor[tuple[()]])

# regression and binary losses: the target is shaped like the input
targets: sh.Tensor[tuple[L[8], L[5]]] = dev.rand((8, 5))
for pair in (nn.MSELoss(), nn.L1Loss(), nn.HuberLoss(delta=0.5), nn.SmoothL1Loss(beta=0.5)):
    print(type(pair).__name__, pair(logits, targets).item())
bce = nn.BCEWithLogitsLoss(pos_weight=dev.full((5,), 2.0))
print(bce(logits, targets).item(), nn.BCELoss()(logits.sigmoid(), targets).item())
print(nn.KLDivLoss(log_target=True)(logits.log_softmax(-1), targets.log_softmax(-1)).item())
print(nn.PoissonNLLLoss()(logits, targets).item(), nn.SoftMarginLoss()(logits, targets).item())
signs = (targets > 0.5).to(sh.Float32) * 2 - 1
print(nn.HingeEmbeddingLoss(margin=0.5)(logits, signs).item())
print(nn.MultiLabelSoftMarginLoss()(logits, (targets > 0.5).to(sh.Float32)).item())
print(nn.MultiMarginLoss(margin=0.5)(logits, labels).item())

# embedding losses take two inputs and a target of 1 and -1
first, second = dev.randn((8, 16)), dev.randn((8, 16))
pairs = dev.tensor([1.0, -1.0, 1.0, 1.0, -1.0, -1.0, 1.0, -1.0])
print(nn.CosineEmbeddingLoss(margin=0.2)(first, second, pairs).item())
print(nn.MarginRankingLoss(margin=0.1)(first[:, 0], second[:, 0], pairs).item())
triplet = nn.TripletMarginLoss(margin=1.0, p=2.0)
grads = sh.Gradients()
triplet(first.traced(grads), second, dev.randn((8, 16))).backward()
variance = dev.rand((8, 5)) + 0.1
print(nn.GaussianNLLLoss(full=True)(logits, targets, variance).item())

# CTC: log_probs (T, N, C), padded targets, lengths as lists
log_probs = dev.randn((30, 2, 6)).log_softmax(-1)
tokens = dev.tensor([[1, 2, 3, 2], [4, 5, 0, 0]])
ctc = nn.CTCLoss(blank=0, zero_infinity=True)
print(ctc(log_probs, tokens, [30, 25], [4, 2]).item())

# the same losses through F, as torch's F.cross_entropy & co.
step_grads = sh.Gradients()
traced = logits.traced(step_grads)
loss = F.cross_entropy(traced, labels, weight=dev.ones((5,)), ignore_index=0)
assert_type(loss, Scalar)
both: Any = F.binary_cross_entropy_with_logits(logits, targets, pos_weight=dev.ones((5,)))
print(both.item(), F.nll_loss(logits.log_softmax(-1), labels, reduction="sum").item())
print(F.ctc_loss(log_probs, tokens, [30, 25], [4, 2], reduction="sum").item())
print(F.triplet_margin_loss(first, second, second, swap=True).item())
loss.backward()

# a criterion in a generic step function and as a module attribute
B = TypeVar("B", bound=int)


def batch_loss(
    scores: sh.Tensor[tuple[B, L[5]], sh.Float32, sh.Cpu, sh.OwnedTape],
    classes: sh.Tensor[tuple[B], sh.Int64],
) -> sh.Tensor[tuple[()], sh.Float32, sh.Cpu, sh.OwnedTape]:
    return nn.CrossEntropyLoss()(scores, classes)


class Trainer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Linear(20, 5, device=dev)
        self.criterion = nn.CrossEntropyLoss(label_smoothing=0.05)

    def forward(
        self,
        x: sh.Tensor[tuple[int, L[20]], sh.Float32, sh.Cpu, sh.OwnedTape],
        y: sh.Tensor[tuple[int], sh.Int64],
    ) -> sh.Tensor[tuple[()], sh.Float32, sh.Cpu, sh.OwnedTape]:
        return self.criterion(self.net(x), y)


trainer = Trainer()
trainer_grads = trainer.alloc_grads()
print(batch_loss(model(features.traced(trainer_grads)), labels).item())
trainer(features.traced(trainer_grads), labels).backward()
