"""RMSprop, as torch.optim.RMSprop (square_avg starts at 0; eps outside the square root)."""

from __future__ import annotations

from typing import Any, ClassVar

from shaped.optim.optimizer import Hyper, Optimizer, Params, grad_of, lerp_
from shaped.tape import Array


class RMSprop(Optimizer):
    """RMSprop: `v = alpha * v + (1 - alpha) * g * g`; `avg = sqrt(v) + eps` (centered:
    `sqrt(v - mean_g**2) + eps` with `mean_g = lerp(mean_g, g, 1 - alpha)`);
    `p -= lr * g / avg`, or with momentum `buf = momentum * buf + g / avg; p -= lr * buf`.

    As torch.optim.RMSprop: `square_avg` starts at 0 (no bias correction), eps is added
    outside the square root, `weight_decay` is L2 (`g = grad + weight_decay * p`), and
    `maximize` ascends. State: "step", "square_avg", "momentum_buffer" (momentum > 0),
    "grad_avg" (centered).
    """

    _state_kinds: ClassVar[dict[str, str]] = {
        "step": "scalar",
        "square_avg": "param",
        "momentum_buffer": "param",
        "grad_avg": "param",
    }
    alpha: Hyper[float] = Hyper()
    eps: Hyper[float] = Hyper()
    momentum: Hyper[float] = Hyper()
    centered: Hyper[bool] = Hyper()
    weight_decay: Hyper[float] = Hyper()
    maximize: Hyper[bool] = Hyper()

    def __init__(
        self,
        model: Params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
        centered: bool = False,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "momentum": momentum,
            "centered": centered,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(model, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        self._real(group, "lr")
        self._real(group, "alpha")
        self._real(group, "eps")
        self._real(group, "momentum")
        self._flags(group, "centered", "maximize")
        self._real(group, "weight_decay")

    def _init_state(self, xp: Any, param: Array, group: dict[str, Any]) -> dict[str, Any]:
        state = {"step": 0.0, "square_avg": xp.zeros_like(param)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = xp.zeros_like(param)
        if group["centered"]:
            state["grad_avg"] = xp.zeros_like(param)
        return state

    def _step(
        self, xp: Any, param: Array, grad: Array, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        alpha, lr, momentum = group["alpha"], group["lr"], group["momentum"]
        state["step"] += 1.0
        grad = grad_of(xp, param, grad, group)
        square_avg = state["square_avg"]
        square_avg *= alpha
        scratch = xp.multiply(grad, 1 - alpha, out=self._buffer(xp, param))
        scratch *= grad
        square_avg += scratch
        if group["centered"]:
            grad_avg = state.get("grad_avg")
            if grad_avg is None:  # centered switched on after the first steps
                grad_avg = state["grad_avg"] = xp.zeros_like(param)
            lerp_(xp, grad_avg, grad, 1 - alpha, scratch)
            xp.multiply(grad_avg, grad_avg, out=scratch)
            avg = xp.subtract(square_avg, scratch, out=scratch)
            xp.sqrt(avg, out=avg)
        else:
            avg = xp.sqrt(square_avg, out=scratch)
        avg += group["eps"]
        if momentum > 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = xp.zeros_like(param)
            buf *= momentum
            buf += xp.divide(grad, avg, out=avg)
            change = xp.multiply(buf, -lr, out=avg)
        else:
            change = xp.divide(grad, avg, out=avg)
            change *= -lr
        param += change
