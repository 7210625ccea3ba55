"""Stochastic gradient descent with momentum, as torch.optim.SGD."""

from __future__ import annotations

from typing import Any

from shaped.optim.optimizer import HasParameters, Optimizer
from shaped.tape import Array


class SgdState:
    __slots__ = ("momentum_buffer",)

    def __init__(self) -> None:
        self.momentum_buffer: Array | None = None  # made from the first gradient, as torch


class Sgd(Optimizer[SgdState]):
    """SGD: `g = grad + weight_decay * p`; `buf = momentum * buf + (1 - dampening) * g`;
    `p -= lr * (g + momentum * buf if nesterov else buf)`.

    As torch.optim.SGD: the first step sets `buf = g` (no dampening on it), and nesterov
    needs momentum > 0 and zero dampening.
    """

    def __init__(
        self,
        model: HasParameters,
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        dampening: float = 0.0,
    ) -> None:
        super().__init__(model, lr)
        self.momentum = self._check("momentum", momentum)
        self.dampening = self._number("dampening", dampening)
        self.nesterov = self._flag("nesterov", nesterov)
        self.weight_decay = self._check("weight_decay", weight_decay)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                f"Sgd: nesterov needs momentum > 0 and dampening 0, got momentum={self.momentum} "
                f"and dampening={self.dampening}: pass momentum=0.9 (say) or nesterov=False"
            )

    def _new_state(self, xp: Any, param: Array) -> SgdState:
        return SgdState()

    def _step(self, xp: Any, param: Array, grad: Array, state: SgdState) -> None:
        if self.weight_decay != 0:
            decayed = xp.multiply(param, self.weight_decay)
            decayed += grad
            grad = decayed
        momentum = self.momentum
        if momentum != 0:
            buf = state.momentum_buffer
            if buf is None:
                buf = state.momentum_buffer = xp.array(grad, copy=True)  # an array, never a view
            else:
                buf *= momentum
                buf += grad if self.dampening == 0 else xp.multiply(grad, 1.0 - self.dampening)
            if self.nesterov:
                ahead = xp.multiply(buf, momentum)
                ahead += grad
                grad = ahead
            else:
                grad = buf
        param += xp.multiply(grad, -self.lr)
