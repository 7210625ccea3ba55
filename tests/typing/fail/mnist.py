"""The bugs of a first MNIST convnet, each caught before it runs.

Expected errors are `# type: ignore[code]` on their line (mypy runs with --warn-unused-ignores,
so an error that stops firing fails the test); `# E:` gives a part of the expected message.
"""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped import losses
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
images: sh.Tensor[tuple[L[64], L[1], L[28], L[28]]] = dev.randn((64, 1, 28, 28))
labels: sh.Tensor[tuple[L[64]], sh.Int64] = dev.zeros((64,), dtype=sh.Int64)
conv1 = dev.randn((16, 1, 5, 5))
conv2 = dev.randn((32, 16, 3, 3))
grads = sh.Gradients()

# conv 5x5 (28 -> 24), pool 2 (-> 12): 16*12*12 = 2304 features, not the 16*24*24 = 9216
# someone computed before adding the pool
features = F.max_pool2d(F.conv2d(images, conv1).relu(), 2)
fc_wrong = dev.randn((10, 9216))
F.linear(features.flatten(1), fc_wrong)  # type: ignore[shape]  # E: Linear[9216, 10] expects (..., 9216), got (64, 2304)
fc = dev.randn((10, 2304))
logits = F.linear(features.flatten(1), fc)

# flatten() with no start axis also merges the batch axis
F.linear(features.flatten(), fc)  # type: ignore[shape]  # E: the last dim 147456 != in_features 2304

# the weight transposed: Linear stores (out, in) as PyTorch does
F.linear(features.flatten(1), fc.T)  # type: ignore[shape]  # E: Linear[10, 2304] expects (..., 10)

# the second conv expects 16 channels; feeding it the raw images
F.conv2d(images, conv2)  # type: ignore[shape]  # E: expects 16*1 = 16 input channels, got 1

# a 3x3 conv on the 1x1 map that four pools leave
tiny = F.max_pool2d(F.max_pool2d(F.max_pool2d(F.max_pool2d(images, 2), 2), 2), 2)
F.conv2d(tiny, dev.randn((4, 1, 3, 3)))  # type: ignore[shape]  # E: H_out = (1 + 2*0 - 1*(3-1) - 1)//1 + 1 = -1

# pooling a 12x12 map with a 16x16 window
F.max_pool2d(features, 16)  # type: ignore[shape]  # E: H_out = (12 + 2*0 - 16)//16 + 1 = 0

# the training step forgot .traced(grads): nothing was recorded
loss = losses.cross_entropy(logits, labels)
loss.backward()  # type: ignore[no-tape]  # E: loss has no tape: call .traced(grads) on an input

# reduction="none" and no .mean(): a loss per example
traced = F.linear(F.max_pool2d(F.conv2d(images.traced(grads), conv1), 2).flatten(1), fc)
per_example = losses.cross_entropy(traced, labels, reduction="none")
per_example.backward()  # type: ignore[shape]  # E: backward() needs a scalar loss, got shape (64,): reduce with .mean() or .sum()
per_example.mean().backward()

# the last batch has 32 labels; the logits still 64 rows
short_labels: sh.Tensor[tuple[L[32]], sh.Int64] = dev.zeros((32,), dtype=sh.Int64)
losses.cross_entropy(logits, short_labels)  # type: ignore[shape]  # E: need class-index targets of shape (64,), got (32,)

# one-hot targets with the wrong class count
one_hot: sh.Tensor[tuple[L[64], L[100]]] = dev.zeros((64, 100))
losses.cross_entropy(logits, one_hot)  # type: ignore[shape]  # E: input shape (64, 10) and target shape (64, 100) differ

# images reshaped for an MLP with a mistyped size
images.reshape(64, 748)  # type: ignore[shape]  # E: into (64, 748) (64*748 = 47872 elements)
images.reshape(-1, 748)  # type: ignore[shape]  # E: 50176 is not divisible by 748
mlp_in = images.reshape(64, 784)

# accuracy: argmax over the wrong axis, then compared with the labels
predicted = logits.argmax(axis=0)
_ = predicted == labels  # type: ignore[shape]  # E: shapes (10,) and (64,) do not broadcast
(logits.argmax(axis=1) == labels).sum()
