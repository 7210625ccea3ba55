"""Functional gradients in rax's style: the gradients have the parameters' types."""

from typing import Literal as L

import shaped as sh
from shaped import losses, optim

dev = sh.Cpu(seed=0)
Params = tuple[sh.Tensor[tuple[L[4], L[8]]], sh.Tensor[tuple[L[8]]]]


def model(params: Params, x: sh.Tensor[tuple[L[16], L[4]]]) -> sh.Tensor[tuple[L[16], L[8]]]:
    weight, bias = params
    return (x @ weight + bias).relu()


def loss_fn(
    params: Params, x: sh.Tensor[tuple[L[16], L[4]]], y: sh.Tensor[tuple[L[16]], sh.Int64]
) -> sh.Tensor[tuple[()]]:
    return losses.cross_entropy(model(params, x), y)


params: Params = (dev.randn((4, 8)) * 0.1, dev.zeros((8,)))
x, y = dev.randn((16, 4)), dev.randint(0, 8, (16,))
for _step in range(3):
    grads: Params = sh.grad(loss_fn)(params, x, y)
    params = optim.sgd_step(params, grads, lr=0.5)
loss, grads = sh.value_and_grad(loss_fn)(params, x, y)
print(f"loss {loss.item():.3f}, weight gradient {grads[0].shape}")
