"""sh.grad keeps the differentiated argument's type; has_aux adds the aux's."""

from typing import Literal as L
from typing import assert_type

import shaped as sh

dev = sh.Cpu()
W = sh.Tensor[tuple[L[784], L[128]]]


def loss(w: W, x: sh.Tensor[tuple[L[32], L[784]]]) -> sh.Tensor[tuple[()]]:
    return (x @ w).square().mean()


def loss_and_out(
    w: W, x: sh.Tensor[tuple[L[32], L[784]]]
) -> tuple[sh.Tensor[tuple[()]], sh.Tensor[tuple[L[32], L[128]]]]:
    out = x @ w
    return out.square().mean(), out


w, x = dev.randn((784, 128)), dev.randn((32, 784))
assert_type(sh.grad(loss)(w, x), W)
value, gradient = sh.value_and_grad(loss)(w, x)
assert_type(gradient, W)
assert_type(value.shape, tuple[()])
assert_type(sh.grad(loss_and_out, has_aux=True)(w, x)[0], W)
assert_type(sh.grad(loss_and_out, has_aux=True)(w, x)[1], sh.Tensor[tuple[L[32], L[128]]])
