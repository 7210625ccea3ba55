"""Tensors, broadcasting, shapes in types, and a traced computation with its gradients.

Run: python examples/01_tensors.py
Every tensor's type says its shape, dtype, device and tape; the comments show what a type
checker infers (pyright as written; mypy with shaped's plugin computes the `int` dims too).
"""

from __future__ import annotations

from typing import Literal as L

import shaped as sh

dev = sh.Cpu(seed=0)

# Creation: a nested list gives its shape; floats give Float32, ints Int64.
x: sh.Tensor[tuple[L[2], L[3]]] = dev.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
bias: sh.Tensor[tuple[L[3]]] = dev.tensor([0.5, -0.5, 1.0])
w: sh.Tensor[tuple[L[3], L[4]]] = dev.randn((3, 4))
print("x =", x)

# Broadcasting works as in numpy: (2, 3) + (3,) -> (2, 3).
shifted = x + bias
print("x + bias =", shifted.tolist())

# matmul keeps literal dims: (2, 3) @ (3, 4) -> Tensor[tuple[L[2], L[4]]]
h = x @ w
print("x @ w has shape", h.shape)

# Reductions: a full reduction gives a rank-0 tensor, Tensor[tuple[()]].
print("mean of x =", x.mean().item())

# Tracing: x.traced(grads) carries an OwnedTape; every op on it moves the tape to its result.
grads = sh.Gradients()
xt = x.traced(grads)  # Tensor[tuple[L[2], L[3]], Float32, Cpu, OwnedTape]
loss = ((xt @ w).relu() * 0.5 + xt.sum()).mean()  # Tensor[tuple[()], ..., OwnedTape]
grads = loss.backward()
print("loss =", round(loss.item(), 4))
print("d loss / d x =", grads[x].numpy().round(3).tolist())
print("d loss / d w has shape", grads[w].shape)

# Forgetting to trace is caught before running: `x.mean().backward()` is a type error
# (mypy with shaped's plugin: [no-tape]; pyright: the self type needs OwnedTape), and at run time:
try:
    x.mean().backward()  # type: ignore[no-tape]  # pyright: ignore[reportAttributeAccessIssue]
except sh.TapeError as error:
    print("TapeError:", error)
