"""Mistakes with functional gradients: their types are the parameters' types."""

from typing import Literal as L

import shaped as sh

dev = sh.Cpu()


def loss(w: sh.Tensor[tuple[L[4], L[2]]], x: sh.Tensor[tuple[L[8], L[4]]]) -> sh.Tensor[tuple[()]]:
    return (x @ w).sum()


w, x = dev.randn((4, 2)), dev.randn((8, 4))
wrong: sh.Tensor[tuple[L[2], L[4]]] = sh.grad(loss)(w, x)  # type: ignore[assignment]  # E: Incompatible types in assignment
sh.grad(loss)(w, dev.randn((8, 5)))  # type: ignore[arg-type]  # E: Argument 2 has incompatible type
