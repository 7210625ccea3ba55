"""Valid programs over nn.functional, losses and the top-level functions: clean under both checkers."""

from __future__ import annotations

from typing import Any, assert_type
from typing import Literal as L

import shaped as sh
from shaped import losses
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
images: sh.Tensor[tuple[L[8], L[1], L[28], L[28]]] = dev.randn((8, 1, 28, 28))
kernel: sh.Tensor[tuple[L[4], L[1], L[3], L[3]]] = dev.randn((4, 1, 3, 3))
weight: sh.Tensor[tuple[L[10], L[2704]]] = dev.randn((10, 2704))
bias: sh.Tensor[tuple[L[10]]] = dev.zeros((10,))
labels = dev.tensor([1, 2, 3, 4, 5, 6, 7, 8])

grads = sh.Gradients()
features = F.conv2d(images.traced(grads), kernel, padding=0).relu()
pooled = F.max_pool2d(features, 2)
averaged = F.avg_pool2d(features, 2)
logits = F.linear(features.flatten(1), weight, bias)
loss = losses.cross_entropy(logits, labels)

probs = F.softmax(logits, axis=-1)
logp = F.log_softmax(logits, axis=1)
dropped = F.dropout(logits, 0.5, True)
normed = F.layer_norm(logits, dev.ones((10,)), dev.zeros((10,)))
tokens = dev.tensor([[1, 2], [3, 4]])
table: sh.Tensor[tuple[L[5], L[16]]] = dev.randn((5, 16))
embedded = F.embedding(tokens, table)
q: sh.Tensor[tuple[L[2], L[4], L[16]]] = dev.randn((2, 4, 16))
attended = F.scaled_dot_product_attention(q, q, q)
activations = (F.relu(q), F.gelu(q), F.tanh(q), F.sigmoid(q), F.leaky_relu(q))

targets: sh.Tensor[tuple[L[8], L[10]]] = dev.randn((8, 10))
for value in (
    losses.mse_loss(logits, targets),
    losses.l1_loss(logits, targets),
    losses.huber_loss(logits, targets, delta=0.5),
    losses.smooth_l1_loss(logits, targets, beta=0.5),
    losses.binary_cross_entropy_with_logits(logits, targets.sigmoid()),
    losses.kl_div(logp, probs.detach()),
    losses.nll_loss(logp, labels),
):
    print(value.item())
per_item = losses.mse_loss(logits, targets, reduction="none")

joined = sh.concat([targets, targets], axis=0)
stacked = sh.stack([targets, targets])
chosen = sh.where(targets > 0.0, targets, 0.0)
product = sh.matmul(targets, dev.randn((10, 3)))
tensors: dict[str, sh.Tensor[Any, Any, Any, Any]] = {"targets": targets}
assert_type(loss.backward(), sh.Gradients)  # last: backward consumes the tape
