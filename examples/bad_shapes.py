"""The classic mistakes, each caught by mypy with shaped's plugin before anything runs.

Check: mypy examples/bad_shapes.py (the plugin is enabled in pyproject.toml).
Each mistake is one line, silenced by its own error code; `# E:` is the exact message mypy
prints for it once the `# type: ignore` is taken away (tests/test_examples.py checks every
one, so the text quoted here and in the README is what you will see). At run time each
line raises the same message as a `sh.ShapeError` / `DtypeError` / `DeviceError` /
`TapeError`. This file is not numbered: it is not one of the runnable examples.

pyright (no plugin) reads the same annotations: it reports the tape, dtype and device
mistakes too (the lines with a `# pyright: ignore`); the shape arithmetic is the plugin's.
"""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped import losses, nn
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
images: sh.Tensor[tuple[L[64], L[1], L[28], L[28]]] = dev.randn((64, 1, 28, 28))
labels: sh.Tensor[tuple[L[64]], sh.Int64] = dev.zeros((64,), dtype=sh.Int64)
x: sh.Tensor[tuple[L[32], L[784]]] = dev.randn((32, 784))
weight: sh.Tensor[tuple[L[10], L[784]]] = dev.randn((10, 784))  # (out, in), as PyTorch
logits: sh.Tensor[tuple[L[32], L[10]]] = dev.randn((32, 10))
grads = sh.Gradients()

# The first MNIST convnet: two 5x5 convs and two pools leave 20*4*4 = 320 features, not the
# 500 someone guessed. The plugin follows the batch through every layer and names the one
# that does not fit, with the arithmetic.
Net = tuple[
    nn.Conv2d[L[1], L[10], L[5]],  # 28 -> 24
    nn.MaxPool2d[L[2]],  # -> 12
    nn.ReLU,
    nn.Conv2d[L[10], L[20], L[5]],  # -> 8
    nn.MaxPool2d[L[2]],  # -> 4
    nn.ReLU,
    nn.Flatten,  # -> 20*4*4 = 320
    nn.Linear[L[500], L[10]],
]
net = dev.build_module(Net)
net(images)  # type: ignore[shape]  # E: Sequential layer 7 (Linear[500, 10]): linear: Linear[500, 10] expects (..., 500), got (64, 320): the last dim 320 != in_features 500: flatten gave 20*4*4 = 320

# matmul's inner dims must agree. Linear stores its weight (out, in) as PyTorch does:
# x @ weight.T, or F.linear(x, weight), but not both transposes and not neither.
x @ weight  # type: ignore[shape]  # E: matmul: (32, 784) @ (10, 784): inner dims 784 != 10
F.linear(x, weight.T)  # type: ignore[shape]  # E: linear: Linear[10, 784] expects (..., 10), got (32, 784): the last dim 784 != in_features 10

# broadcasting: a reduction without keepdims=True drops the axis, so (32, 10) meets (32,)
logits - logits.max(axis=1)  # type: ignore[shape]  # E: sub: shapes (32, 10) and (32,) do not broadcast: axis -1 has sizes 10 and 32 (each pair of trailing dims must be equal or 1); reshape or unsqueeze one operand
logits - logits.max(axis=1, keepdims=True)  # the fix: (32, 10) - (32, 1)

# a reshape that does not keep the number of elements (784 mistyped)
images.reshape(64, 748)  # type: ignore[shape]  # E: reshape: cannot reshape (64, 1, 28, 28) (64*1*28*28 = 50176 elements) into (64, 748) (64*748 = 47872 elements)

# forgot .traced(grads): parameters carry no tape, so nothing recorded the forward pass
losses.cross_entropy(F.linear(x, weight), labels[:32]).backward()  # type: ignore[no-tape]  # pyright: ignore[reportAttributeAccessIssue]  # E: loss has no tape: call .traced(grads) on an input before the forward pass

# forgot .mean(): reduction="none" keeps one loss per example
losses.cross_entropy(F.linear(x.traced(grads), weight), labels[:32], reduction="none").backward()  # type: ignore[shape]  # E: backward() needs a scalar loss, got shape (32,): reduce with .mean() or .sum()

# the loss's batch: 64 labels for 32 rows of logits (the last batch, or the wrong slice)
losses.cross_entropy(logits, labels)  # type: ignore[shape]  # E: cross_entropy: logits (32, 10) need class-index targets of shape (32,), got (64,)
losses.mse_loss(logits, dev.randn((64, 10)))  # type: ignore[shape]  # E: mse_loss: input shape (32, 10) and target shape (64, 10) differ; they must be equal (reshape the target, e.g. target.reshape(input.shape))

# numpy's default float is float64: no implicit promotion, convert one side explicitly
x64 = dev.randn((32, 784), dtype=sh.Float64)
x + x64  # type: ignore[dtype]  # pyright: ignore[reportOperatorIssue]  # E: add: dtypes differ (Float32 and Float64); there is no implicit promotion: convert one with .to(sh.Float32)


# a tensor on the GPU meeting one on the host: move one explicitly with .to(device)
def on_gpu(batch: sh.Tensor[tuple[L[32], L[784]], sh.Float32, sh.Cuda]) -> None:
    batch + x  # type: ignore[device]  # pyright: ignore[reportOperatorIssue]  # E: add: devices differ (Cuda and Cpu); move one with .to(sh.Cuda())
    F.linear(batch, weight)  # type: ignore[device]  # pyright: ignore[reportArgumentType]  # E: linear: devices differ (Cuda and Cpu); move one with .to(sh.Cuda())
