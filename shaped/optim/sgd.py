"""Stochastic gradient descent with momentum, as torch.optim.SGD."""

from __future__ import annotations

from typing import Any, ClassVar

from shaped.optim.optimizer import Hyper, Optimizer, Params, grad_of
from shaped.tape import Array


class Sgd(Optimizer):
    """SGD: `g = grad + weight_decay * p`; `buf = momentum * buf + (1 - dampening) * g`;
    `p -= lr * (g + momentum * buf if nesterov else buf)`.

    As torch.optim.SGD (default lr 1e-3): the first step sets `buf = g` (no dampening on
    it), nesterov needs momentum > 0 and zero dampening, and `maximize` ascends. State:
    "momentum_buffer" when momentum != 0.
    """

    _state_kinds: ClassVar[dict[str, str]] = {"momentum_buffer": "param"}
    momentum: Hyper[float] = Hyper()
    dampening: Hyper[float] = Hyper()
    nesterov: Hyper[bool] = Hyper()
    weight_decay: Hyper[float] = Hyper()
    maximize: Hyper[bool] = Hyper()

    def __init__(
        self,
        model: Params,
        lr: float = 1e-3,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        dampening: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        super().__init__(model, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        self._real(group, "lr")
        self._real(group, "momentum")
        group["dampening"] = self._number("dampening", group["dampening"])
        self._real(group, "weight_decay")
        self._flags(group, "nesterov", "maximize")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"Sgd: nesterov needs momentum > 0 and dampening 0, got momentum="
                f"{group['momentum']} and dampening={group['dampening']}: pass momentum=0.9 "
                "(say) or nesterov=False"
            )

    def _init_state(self, xp: Any, param: Array, group: dict[str, Any]) -> dict[str, Any]:
        return {}  # the momentum buffer is made from the first gradient, as torch

    def _step(
        self, xp: Any, param: Array, grad: Array, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        grad = grad_of(xp, param, grad, group)
        momentum = group["momentum"]
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = xp.array(grad, copy=True)  # never a view
            else:
                buf *= momentum
                dampening = group["dampening"]
                if dampening == 0:
                    buf += grad
                else:
                    scratch = xp.multiply(grad, 1.0 - dampening, out=self._buffer(xp, param))
                    buf += scratch
            if group["nesterov"]:
                scratch = xp.multiply(buf, momentum, out=self._buffer(xp, param))
                scratch += grad
                grad = scratch
            else:
                grad = buf
        scratch = xp.multiply(grad, -group["lr"], out=self._buffer(xp, param, 1))
        param += scratch
