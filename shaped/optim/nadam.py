"""NAdam and RAdam, as torch.optim."""

from __future__ import annotations

from typing import Any, ClassVar

from shaped.optim.optimizer import Hyper, Optimizer, Params, grad_of, lerp_
from shaped.tape import Array


class _AdamFamily(Optimizer):
    """What NAdam and RAdam share: betas, eps, L2 or decoupled weight decay, maximize."""

    betas: Hyper[tuple[float, float]] = Hyper()
    eps: Hyper[float] = Hyper()
    weight_decay: Hyper[float] = Hyper()
    decoupled_weight_decay: Hyper[bool] = Hyper()
    maximize: Hyper[bool] = Hyper()

    def _check_group(self, group: dict[str, Any]) -> None:
        self._real(group, "lr")
        self._betas(group)
        self._real(group, "eps")
        self._real(group, "weight_decay")
        self._flags(group, "decoupled_weight_decay", "maximize")

    def _moments(
        self, xp: Any, param: Array, grad: Array, state: dict[str, Any], group: dict[str, Any]
    ) -> tuple[Array, Array]:
        """Weight decay, then the two running moments (as Adam); the gradient used and the
        scratch buffer."""
        beta1, beta2 = group["betas"]
        if group["decoupled_weight_decay"] and group["weight_decay"] != 0:
            param *= 1 - group["lr"] * group["weight_decay"]
            grad = xp.negative(grad) if group["maximize"] else grad
        else:
            grad = grad_of(xp, param, grad, group)
        scratch = self._buffer(xp, param)
        lerp_(xp, state["exp_avg"], grad, 1 - beta1, scratch)
        exp_avg_sq = state["exp_avg_sq"]
        exp_avg_sq *= beta2
        xp.multiply(grad, 1 - beta2, out=scratch)
        scratch *= grad
        exp_avg_sq += scratch
        return grad, scratch


class NAdam(_AdamFamily):
    """NAdam: Adam with Nesterov momentum, `mu_t = beta1 * (1 - 0.5 * 0.96**(t *
    momentum_decay))`; `p -= lr * ((1 - mu_t) / (1 - prod mu) * g + mu_{t+1} /
    (1 - prod mu * mu_{t+1}) * m) / (sqrt(v / (1 - beta2**t)) + eps)`.

    As torch.optim.NAdam (lr 2e-3, momentum_decay 4e-3): `weight_decay` is L2 unless
    `decoupled_weight_decay` (then `p *= 1 - lr * weight_decay`), `maximize` ascends, and
    the running product of mu is kept in float32 as torch keeps it. State: "step",
    "mu_product", "exp_avg", "exp_avg_sq".
    """

    _state_kinds: ClassVar[dict[str, str]] = {
        "step": "scalar",
        "mu_product": "scalar",
        "exp_avg": "param",
        "exp_avg_sq": "param",
    }
    momentum_decay: Hyper[float] = Hyper()

    def __init__(
        self,
        model: Params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
        }
        super().__init__(model, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        self._real(group, "momentum_decay")

    def _init_state(self, xp: Any, param: Array, group: dict[str, Any]) -> dict[str, Any]:
        return {
            "step": 0.0,
            "mu_product": 1.0,
            "exp_avg": xp.zeros_like(param),
            "exp_avg_sq": xp.zeros_like(param),
        }

    def _step(
        self, xp: Any, param: Array, grad: Array, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        lr, (beta1, beta2), decay = group["lr"], group["betas"], group["momentum_decay"]
        step = state["step"] = state["step"] + 1.0
        bias_correction2 = 1 - beta2**step
        grad, scratch = self._moments(xp, param, grad, state, group)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * decay)))
        # torch keeps mu_product in a float32 scalar tensor
        mu_product = state["mu_product"] = float(xp.float32(state["mu_product"]) * xp.float32(mu))
        mu_product_next = mu_product * mu_next
        denom = xp.divide(state["exp_avg_sq"], bias_correction2, out=scratch)
        xp.sqrt(denom, out=denom)
        denom += group["eps"]
        change = xp.divide(grad, denom, out=self._buffer(xp, param, 1))
        change *= -lr * (1.0 - mu) / (1.0 - mu_product)
        param += change
        change = xp.divide(state["exp_avg"], denom, out=change)
        change *= -lr * mu_next / (1.0 - mu_product_next)
        param += change


class RAdam(_AdamFamily):
    """RAdam: Adam whose step is rectified by `r_t` once the SMA length `rho_t > 5`, and is
    `p -= lr * m / (1 - beta1**t)` (no second moment) before.

    As torch.optim.RAdam (lr 1e-3): `weight_decay` is L2 unless `decoupled_weight_decay`,
    `maximize` ascends. State: "step", "exp_avg", "exp_avg_sq".
    """

    _state_kinds: ClassVar[dict[str, str]] = {
        "step": "scalar",
        "exp_avg": "param",
        "exp_avg_sq": "param",
    }

    def __init__(
        self,
        model: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
        }
        super().__init__(model, defaults)

    def _init_state(self, xp: Any, param: Array, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0.0, "exp_avg": xp.zeros_like(param), "exp_avg_sq": xp.zeros_like(param)}

    def _step(
        self, xp: Any, param: Array, grad: Array, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        lr, (beta1, beta2) = group["lr"], group["betas"]
        step = state["step"] = state["step"] + 1.0
        _, scratch = self._moments(xp, param, grad, state, group)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        # torch: p -= (m / bc1) * lr * (sqrt(bc2) / (sqrt(v) + eps)) * rect
        change = xp.divide(state["exp_avg"], bias_correction1, out=self._buffer(xp, param, 1))
        change *= lr
        if rho_t > 5.0:
            rect = (
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            ) ** 0.5
            adaptive = xp.sqrt(state["exp_avg_sq"], out=scratch)
            adaptive += group["eps"]
            xp.divide(bias_correction2**0.5, adaptive, out=adaptive)
            change *= adaptive
            change *= rect
        param -= change
