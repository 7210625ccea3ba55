"""Adam (L2 weight decay added to the gradient), AdamW (decoupled) and Adamax, as torch.optim."""

from __future__ import annotations

from typing import Any, ClassVar

from shaped.optim.optimizer import Hyper, Optimizer, Params, grad_of, lerp_
from shaped.tape import Array


class Adam(Optimizer):
    """Adam: `m = lerp(m, g, 1 - beta1)`, `v = beta2 * v + (1 - beta2) * g * g`,
    `p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)`.

    `weight_decay` is L2, added to the gradient (`g = grad + weight_decay * p`) as in
    torch.optim.Adam; `decoupled_weight_decay=True` (or `AdamW`) shrinks `p *= 1 - lr *
    weight_decay` instead. `amsgrad` divides by the running maximum of `v`; `maximize`
    ascends. The step count `t` is per parameter. State: "step", "exp_avg", "exp_avg_sq"
    (and "max_exp_avg_sq" with amsgrad), as torch's.
    """

    _state_kinds: ClassVar[dict[str, str]] = {
        "step": "scalar",
        "exp_avg": "param",
        "exp_avg_sq": "param",
        "max_exp_avg_sq": "param",
    }
    betas: Hyper[tuple[float, float]] = Hyper()
    eps: Hyper[float] = Hyper()
    weight_decay: Hyper[float] = Hyper()
    amsgrad: Hyper[bool] = Hyper()
    maximize: Hyper[bool] = Hyper()
    decoupled_weight_decay: Hyper[bool] = Hyper()

    def __init__(
        self,
        model: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(model, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        self._real(group, "lr")
        self._betas(group)
        self._real(group, "eps")
        self._real(group, "weight_decay")
        self._flags(group, "amsgrad", "maximize", "decoupled_weight_decay")

    def _init_state(self, xp: Any, param: Array, group: dict[str, Any]) -> dict[str, Any]:
        state = {"step": 0.0, "exp_avg": xp.zeros_like(param), "exp_avg_sq": xp.zeros_like(param)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = xp.zeros_like(param)
        return state

    def _step(
        self, xp: Any, param: Array, grad: Array, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        step = state["step"] = state["step"] + 1.0
        if group["decoupled_weight_decay"] and group["weight_decay"] != 0:
            param *= 1 - lr * group["weight_decay"]
            grad = xp.negative(grad) if group["maximize"] else grad
        else:
            grad = grad_of(xp, param, grad, group)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        scratch = self._buffer(xp, param)
        lerp_(xp, exp_avg, grad, 1 - beta1, scratch)
        exp_avg_sq *= beta2
        xp.multiply(grad, 1 - beta2, out=scratch)
        scratch *= grad
        exp_avg_sq += scratch
        second = exp_avg_sq
        if group["amsgrad"]:
            second = state.get("max_exp_avg_sq")
            if second is None:  # amsgrad switched on after the first steps
                second = state["max_exp_avg_sq"] = xp.zeros_like(param)
            xp.maximum(second, exp_avg_sq, out=second)
        step_size = lr / (1 - beta1**step)
        # p += m / (sqrt(v) / (bc2 * -step_size) + eps / -step_size): torch's capturable form,
        # one pass fewer than dividing and scaling apart
        denom = xp.sqrt(second, out=scratch)
        denom *= 1 / ((1 - beta2**step) ** 0.5 * -step_size)
        denom += eps / -step_size
        param += xp.divide(exp_avg, denom, out=denom)


class AdamW(Adam):
    """Adam with decoupled weight decay: `p *= 1 - lr * weight_decay` before the Adam step,
    as torch.optim.AdamW (default weight_decay 1e-2)."""

    def __init__(
        self,
        model: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            model,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        group["decoupled_weight_decay"] = True  # as torch's AdamW, whatever was loaded


class Adamax(Optimizer):
    """Adamax: `m = lerp(m, g, 1 - beta1)`, `u = max(beta2 * u, |g| + eps)`,
    `p -= lr / (1 - beta1**t) * m / u`, as torch.optim.Adamax (default lr 2e-3).

    `weight_decay` is L2; `maximize` ascends. State: "step", "exp_avg", "exp_inf".
    """

    _state_kinds: ClassVar[dict[str, str]] = {
        "step": "scalar",
        "exp_avg": "param",
        "exp_inf": "param",
    }
    betas: Hyper[tuple[float, float]] = Hyper()
    eps: Hyper[float] = Hyper()
    weight_decay: Hyper[float] = Hyper()
    maximize: Hyper[bool] = Hyper()

    def __init__(
        self,
        model: Params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(model, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        self._real(group, "lr")
        self._betas(group)
        self._real(group, "eps")
        self._real(group, "weight_decay")
        self._flags(group, "maximize")

    def _init_state(self, xp: Any, param: Array, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0.0, "exp_avg": xp.zeros_like(param), "exp_inf": xp.zeros_like(param)}

    def _step(
        self, xp: Any, param: Array, grad: Array, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        (beta1, beta2), eps = group["betas"], group["eps"]
        step = state["step"] = state["step"] + 1.0
        grad = grad_of(xp, param, grad, group)
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        scratch = self._buffer(xp, param)
        lerp_(xp, exp_avg, grad, 1 - beta1, scratch)
        exp_inf *= beta2
        xp.abs(grad, out=scratch)
        scratch += eps
        xp.maximum(exp_inf, scratch, out=exp_inf)
        clr = group["lr"] / (1 - beta1**step)
        change = xp.divide(exp_avg, exp_inf, out=scratch)
        change *= -clr
        param += change
