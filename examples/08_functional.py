"""Functional gradients in rax's (and JAX's) style: a model is a pure function of its
parameters, and `sh.grad` gives gradients with the parameters' own structure and types.

Run: python examples/08_functional.py [--smoke]
The loop reads as rax's: `loss = model(params, x, y); grads = grad(...); params = update(...)`.
It runs on the same tape as everything else (each parameter leaf is traced for the call), so
every op's gradient is the one tested against torch. A module works as params too: its
gradients come back as a copy of the module holding them.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Literal as L

import shaped as sh
from shaped import losses, nn, optim

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--smoke", action="store_true", help="a few steps only")
parser.add_argument("--steps", type=int, default=300)
args = parser.parse_args()
steps = 5 if args.smoke else args.steps

dev = sh.Cpu(seed=0)
Batch = L[64]


@dataclasses.dataclass
class Mlp:
    """The parameters as a dataclass: sh.grad returns an Mlp of gradients."""

    w1: sh.Tensor[tuple[L[2], L[32]]]
    b1: sh.Tensor[tuple[L[32]]]
    w2: sh.Tensor[tuple[L[32], L[2]]]
    b2: sh.Tensor[tuple[L[2]]]


def forward(params: Mlp, x: sh.Tensor[tuple[Batch, L[2]]]) -> sh.Tensor[tuple[Batch, L[2]]]:
    hidden = (x @ params.w1 + params.b1).tanh()  # (64, 32): checked by mypy with the plugin
    return hidden @ params.w2 + params.b2


def loss_fn(
    params: Mlp, x: sh.Tensor[tuple[Batch, L[2]]], y: sh.Tensor[tuple[Batch], sh.Int64]
) -> sh.Tensor[tuple[()]]:
    return losses.cross_entropy(forward(params, x), y)


# points in a square, as a classification task: is a point above the sine curve?
x = dev.rand((64, 2)) * 4 - 2
labels = (x[:, 1] > (x[:, 0] * 1.5).sin()).to(sh.Int64)
y: sh.Tensor[tuple[Batch], sh.Int64] = labels.realize((64,))

params = Mlp(
    w1=dev.randn((2, 32)) * 0.5,
    b1=dev.zeros((32,)),
    w2=dev.randn((32, 2)) * 0.2,
    b2=dev.zeros((2,)),
)
for step in range(steps):
    loss, grads = sh.value_and_grad(loss_fn)(params, x, y)  # grads: an Mlp of gradients
    params = optim.sgd_step(params, grads, lr=0.5)  # new parameters, as in JAX
    if step % 100 == 0 or step == steps - 1:
        accuracy = (forward(params, x).argmax(axis=1) == y).to(sh.Float32).mean()
        print(f"step {step:3d}  loss {loss.item():.4f}  accuracy {accuracy.item():.2f}")

# The same with a module as the parameters: the gradients are a module of gradients.
model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 2))


def module_loss(
    m: nn.Module, data: sh.Tensor[tuple[Batch, L[2]]], target: sh.Tensor[tuple[Batch], sh.Int64]
) -> sh.Tensor[tuple[()]]:
    return losses.cross_entropy(m(data), target)


module_grads = sh.grad(module_loss)(model, x, y)
print("module gradients:", [(name, g.shape) for name, g in module_grads.named_parameters()])
