"""Adam (L2 weight decay added to the gradient) and AdamW (decoupled), as torch.optim."""

from __future__ import annotations

from typing import Any

from shaped.optim.optimizer import HasParameters, Optimizer, _shown, lerp_
from shaped.tape import Array


class AdamState:
    __slots__ = ("exp_avg", "exp_avg_sq", "step")

    def __init__(self, xp: Any, param: Array) -> None:
        self.step = 0
        self.exp_avg: Array = xp.zeros_like(param)
        self.exp_avg_sq: Array = xp.zeros_like(param)


class Adam(Optimizer[AdamState]):
    """Adam: `m = lerp(m, g, 1 - beta1)`, `v = beta2 * v + (1 - beta2) * g * g`,
    `p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)`.

    `weight_decay` is L2, added to the gradient (`g = grad + weight_decay * p`) as in
    torch.optim.Adam; for decoupled decay use `AdamW`. The step count `t` is per parameter.
    """

    decoupled = False

    def __init__(
        self,
        model: HasParameters,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(model, lr)
        if not isinstance(betas, (tuple, list)):
            raise TypeError(
                f"{type(self).__name__}: betas must be a pair of floats such as (0.9, 0.999), "
                f"got {_shown(betas)}"
            )
        if len(betas) != 2:
            raise ValueError(f"{type(self).__name__}: betas must be a pair, got {betas!r}")
        self.betas = (
            self._check("betas[0]", betas[0], high=1.0),
            self._check("betas[1]", betas[1], high=1.0),
        )
        self.eps = self._check("eps", eps)
        self.weight_decay = self._check("weight_decay", weight_decay)

    def _new_state(self, xp: Any, param: Array) -> AdamState:
        return AdamState(xp, param)

    def _step(self, xp: Any, param: Array, grad: Array, state: AdamState) -> None:
        lr, (beta1, beta2) = self.lr, self.betas
        state.step += 1
        if self.weight_decay != 0:
            if self.decoupled:
                param *= 1 - lr * self.weight_decay
            else:
                decayed = xp.multiply(param, self.weight_decay)
                decayed += grad
                grad = decayed
        exp_avg, exp_avg_sq = state.exp_avg, state.exp_avg_sq
        scratch = xp.empty_like(exp_avg)
        lerp_(xp, exp_avg, grad, 1 - beta1, scratch)
        exp_avg_sq *= beta2
        xp.multiply(grad, 1 - beta2, out=scratch)
        scratch *= grad
        exp_avg_sq += scratch
        step_size = lr / (1 - beta1**state.step)
        bias_correction2_sqrt = (1 - beta2**state.step) ** 0.5
        denom = xp.sqrt(exp_avg_sq, out=scratch)
        denom /= bias_correction2_sqrt
        denom += self.eps
        change = xp.multiply(exp_avg, -step_size, out=xp.empty_like(exp_avg))
        change /= denom
        param += change


class AdamW(Adam):
    """Adam with decoupled weight decay: `p *= 1 - lr * weight_decay` before the Adam step,
    as torch.optim.AdamW (default weight_decay 1e-2)."""

    decoupled = True

    def __init__(
        self,
        model: HasParameters,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(model, lr, betas, eps, weight_decay)
