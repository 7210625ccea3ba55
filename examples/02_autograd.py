"""Autograd: traced inputs, a tape that moves with each result, gradients looked up by tensor.

Run: python examples/02_autograd.py [--smoke]
PyTorch marks tensors with `requires_grad=True`; shaped marks the *computation* instead:
`x.traced(grads)` gives the same data carrying a tape (`OwnedTape` in its type), every op
on it moves the tape to its result, and `loss.backward()` fills `grads`. The comments show
what the checkers infer (pyright as written; mypy with shaped's plugin computes every dim).
"""

from __future__ import annotations

import argparse
from typing import Literal as L

import shaped as sh

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--smoke", action="store_true", help="accepted for the CI run; this is fast")
parser.parse_args()

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[3]]] = dev.tensor([1.0, 2.0, 3.0])
w: sh.Tensor[tuple[L[3]]] = dev.tensor([0.5, -1.0, 2.0])

# 1. A traced input. `grads` is where the gradients will land (dfdx's Gradients).
grads = sh.Gradients()
xt = x.traced(grads)  # Tensor[tuple[L[3]], Float32, Cpu, OwnedTape]: same data, with a tape
# The tape moves to every result, from either operand: w carries none, xt does.
left = xt * w  # Tensor[tuple[L[3]], Float32, Cpu, OwnedTape]
right = w * xt  # Tensor[tuple[L[3]], Float32, Cpu, OwnedTape]: no "tape on the left" rule
# Reusing a traced tensor records every use: xt appears three times below.
loss = (left + right + xt * xt).sum()  # Tensor[tuple[()], Float32, Cpu, OwnedTape]
grads = loss.backward()  # only a rank-0 traced tensor has backward()
# d/dx sum(2*w*x + x^2) = 2*w + 2*x; grads[x] and grads[xt] name the same entry
print("loss =", loss.item())  # values stay readable after backward()
print("grads[x] =", grads[x].tolist(), "(2*w + 2*x)")
print("grads[xt] is the same entry:", grads[xt].tolist() == grads[x].tolist())
# w was never traced, yet it took part: like a parameter, it gets a gradient too
print("grads[w] =", grads[w].tolist(), "(2*x)")

# 2. Two traced inputs: their tapes merge into one, and one backward() fills both.
a: sh.Tensor[tuple[L[2], L[3]]] = dev.randn((2, 3))
b: sh.Tensor[tuple[L[3], L[4]]] = dev.randn((3, 4))
product = a.trace() @ b.trace()  # Tensor[tuple[L[2], L[4]], Float32, Cpu, OwnedTape]
both = product.mean().backward()
print("grads[a].shape =", both[a].shape, " grads[b].shape =", both[b].shape)

# 3. detach() drops the tape: the detached branch is a constant for the gradient
# (torch's .detach()). Here d/dx sum(x * stop(x)) = x, not 2*x.
grads = sh.Gradients()
xt = x.traced(grads)
constant = xt.detach()  # Tensor[tuple[L[3]], Float32, Cpu, NoTape]
grads = (xt * constant).sum().backward()
print("with detach, grads[x] =", grads[x].tolist(), "(x)")

# 4. A tape is consumed by backward(): a second call is a clear error, not a silent zero.
loss = (x.trace() ** 2).sum()
loss.backward()
try:
    loss.backward()
except sh.TapeError as error:
    print("second backward() -> TapeError:", error)

# 5. Forgetting to trace: nothing recorded the forward pass, so there is nothing to
# differentiate. mypy with shaped's plugin says, before anything runs:
#   error: loss has no tape: call .traced(grads) on an input before the forward pass  [no-tape]
# and pyright reports that backward() needs `self: Tensor[tuple[()], ..., OwnedTape]`.
untraced = (x * w).sum()  # Tensor[tuple[()], Float32, Cpu, NoTape]
try:
    untraced.backward()  # type: ignore[no-tape]  # pyright: ignore[reportAttributeAccessIssue]
except sh.TapeError as error:
    print("forgot .traced(grads) -> TapeError:", error)
