"""RMSprop, as torch.optim.RMSprop (square_avg starts at 0; eps outside the square root)."""

from __future__ import annotations

from typing import Any

from shaped.optim.optimizer import HasParameters, Optimizer, lerp_
from shaped.tape import Array


class RMSpropState:
    __slots__ = ("grad_avg", "momentum_buffer", "square_avg")

    def __init__(self, xp: Any, param: Array) -> None:
        self.square_avg: Array = xp.zeros_like(param)
        self.grad_avg: Array | None = None  # made on first use: only `centered` keeps it
        self.momentum_buffer: Array | None = None  # only momentum > 0 keeps it


class RMSprop(Optimizer[RMSpropState]):
    """RMSprop: `v = alpha * v + (1 - alpha) * g * g`; `avg = sqrt(v) + eps` (centered:
    `sqrt(v - mean_g**2) + eps` with `mean_g = lerp(mean_g, g, 1 - alpha)`);
    `p -= lr * g / avg`, or with momentum `buf = momentum * buf + g / avg; p -= lr * buf`.

    As torch.optim.RMSprop: `square_avg` starts at 0 (no bias correction), eps is added
    outside the square root, and `weight_decay` is L2 (`g = grad + weight_decay * p`).
    """

    def __init__(
        self,
        model: HasParameters,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
        centered: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(model, lr)
        self.alpha = self._check("alpha", alpha)
        self.eps = self._check("eps", eps)
        self.momentum = self._check("momentum", momentum)
        self.centered = self._flag("centered", centered)
        self.weight_decay = self._check("weight_decay", weight_decay)

    def _new_state(self, xp: Any, param: Array) -> RMSpropState:
        return RMSpropState(xp, param)

    def _step(self, xp: Any, param: Array, grad: Array, state: RMSpropState) -> None:
        alpha = self.alpha
        if self.weight_decay != 0:
            decayed = xp.multiply(param, self.weight_decay)
            decayed += grad
            grad = decayed
        square_avg = state.square_avg
        square_avg *= alpha
        scratch = xp.multiply(grad, 1 - alpha, out=xp.empty_like(square_avg))
        scratch *= grad
        square_avg += scratch
        if self.centered:
            grad_avg = state.grad_avg
            if grad_avg is None:
                grad_avg = state.grad_avg = xp.zeros_like(square_avg)
            lerp_(xp, grad_avg, grad, 1 - alpha, scratch)
            xp.multiply(grad_avg, grad_avg, out=scratch)
            avg = xp.subtract(square_avg, scratch, out=scratch)
            xp.sqrt(avg, out=avg)
        else:
            avg = xp.sqrt(square_avg, out=scratch)
        avg += self.eps
        if self.momentum > 0:
            buf = state.momentum_buffer
            if buf is None:
                buf = state.momentum_buffer = xp.zeros_like(square_avg)
            buf *= self.momentum
            buf += xp.divide(grad, avg, out=avg)
            change = xp.multiply(buf, -self.lr, out=avg)
        else:
            change = xp.divide(xp.multiply(grad, -self.lr), avg, out=avg)
        param += change
