"""Adagrad and Adadelta, as torch.optim."""

from __future__ import annotations

from typing import Any, ClassVar

from shaped.optim.optimizer import Hyper, Optimizer, Params, grad_of
from shaped.tape import Array


class Adagrad(Optimizer):
    """Adagrad: `sum += g * g`; `p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(sum) + eps)`.

    As torch.optim.Adagrad (lr 1e-2, eps 1e-10): `sum` starts at
    `initial_accumulator_value`, `weight_decay` is L2, `maximize` ascends. State: "step",
    "sum" (made at a parameter's first update; torch makes it at construction, with the
    same values).
    """

    _state_kinds: ClassVar[dict[str, str]] = {"step": "scalar", "sum": "param"}
    lr_decay: Hyper[float] = Hyper()
    weight_decay: Hyper[float] = Hyper()
    initial_accumulator_value: Hyper[float] = Hyper()
    eps: Hyper[float] = Hyper()
    maximize: Hyper[bool] = Hyper()

    def __init__(
        self,
        model: Params,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "maximize": maximize,
        }
        super().__init__(model, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "lr_decay", "eps", "weight_decay", "initial_accumulator_value"):
            self._real(group, name)
        self._flags(group, "maximize")

    def _init_state(self, xp: Any, param: Array, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0.0, "sum": xp.full_like(param, group["initial_accumulator_value"])}

    def _step(
        self, xp: Any, param: Array, grad: Array, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        step = state["step"] = state["step"] + 1.0
        grad = grad_of(xp, param, grad, group)
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        total = state["sum"]
        scratch = xp.multiply(grad, grad, out=self._buffer(xp, param))
        total += scratch
        std = xp.sqrt(total, out=scratch)
        std += group["eps"]
        change = xp.divide(grad, std, out=std)
        change *= -clr
        param += change


class Adadelta(Optimizer):
    """Adadelta: `v = rho * v + (1 - rho) * g * g`;
    `delta = sqrt(u + eps) / sqrt(v + eps) * g`; `u = rho * u + (1 - rho) * delta**2`;
    `p -= lr * delta`.

    As torch.optim.Adadelta (lr 1.0, rho 0.9, eps 1e-6): `weight_decay` is L2, `maximize`
    ascends. State: "step", "square_avg", "acc_delta".
    """

    _state_kinds: ClassVar[dict[str, str]] = {
        "step": "scalar",
        "square_avg": "param",
        "acc_delta": "param",
    }
    rho: Hyper[float] = Hyper()
    eps: Hyper[float] = Hyper()
    weight_decay: Hyper[float] = Hyper()
    maximize: Hyper[bool] = Hyper()

    def __init__(
        self,
        model: Params,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(model, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        self._real(group, "lr")
        self._real(group, "rho", high=1.0, closed=True)
        self._real(group, "eps")
        self._real(group, "weight_decay")
        self._flags(group, "maximize")

    def _init_state(self, xp: Any, param: Array, group: dict[str, Any]) -> dict[str, Any]:
        return {
            "step": 0.0,
            "square_avg": xp.zeros_like(param),
            "acc_delta": xp.zeros_like(param),
        }

    def _step(
        self, xp: Any, param: Array, grad: Array, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        rho, eps = group["rho"], group["eps"]
        state["step"] += 1.0
        grad = grad_of(xp, param, grad, group)
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        scratch = xp.multiply(grad, 1 - rho, out=self._buffer(xp, param))
        scratch *= grad
        square_avg *= rho
        square_avg += scratch
        std = xp.add(square_avg, eps, out=scratch)
        xp.sqrt(std, out=std)
        delta = xp.add(acc_delta, eps, out=self._buffer(xp, param, 1))
        xp.sqrt(delta, out=delta)
        delta /= std
        delta *= grad
        acc_delta *= rho
        xp.multiply(delta, 1 - rho, out=scratch)
        scratch *= delta
        acc_delta += scratch
        delta *= -group["lr"]
        param += delta
