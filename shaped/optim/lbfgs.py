"""L-BFGS, as torch.optim.LBFGS: `opt.step(closure)` with a closure returning (loss, grads)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shaped.optim.optimizer import Optimizer, ParamGroup, Params, _closure_result, _scalar
from shaped.tape import Array, Gradients, before_write

Closure = Callable[[], tuple[Any, Gradients]]


class LBFGS(Optimizer):
    """L-BFGS over all parameters as one flat vector, torch.optim.LBFGS's algorithm.

    ```python
    opt = sh.optim.LBFGS(model, lr=1, line_search_fn="strong_wolfe")

    def closure():
        grads = model.alloc_grads()
        loss = losses.mse_loss(model(x.traced(grads)), y)
        return loss, loss.backward()

    loss = opt.step(closure)   # the loss of the first evaluation, as torch returns
    ```

    The closure re-evaluates the loss and returns it with its gradients (torch's closure
    calls `backward()` and returns the loss; here the gradients travel back with it). One
    param group only (as torch); `update(model, grads)` is refused, since one gradient is
    not enough. Defaults as torch: lr 1, max_iter 20, max_eval max_iter * 5 // 4,
    tolerance_grad 1e-7, tolerance_change 1e-9, history_size 100, line_search_fn None or
    "strong_wolfe". A parameter without a gradient counts as a zero gradient, as torch.
    """

    def __init__(
        self,
        model: Params,
        lr: float = 1.0,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_iter * 5 // 4 if max_eval is None else max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(model, defaults)

    def add_param_group(self, param_group: ParamGroup) -> None:
        if self.param_groups:
            raise ValueError(
                "LBFGS doesn't support per-parameter options (parameter groups): give it all "
                "the parameters in one group"
            )
        super().add_param_group(param_group)

    def _check_group(self, group: dict[str, Any]) -> None:
        self._real(group, "lr")
        for name in ("max_iter", "max_eval", "history_size"):
            value = group[name]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"LBFGS: {name} must be an int >= 1, got {value!r}")
        self._real(group, "tolerance_grad")
        self._real(group, "tolerance_change")
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(
                f"LBFGS: line_search_fn must be None or 'strong_wolfe', got "
                f"{group['line_search_fn']!r}"
            )

    def update(self, model: Any, grads: Any = None) -> None:
        raise TypeError(
            "LBFGS.update: L-BFGS evaluates the loss several times per step: call "
            "opt.step(closure) with a closure that returns (loss, loss.backward())"
        )

    # ------------------------------------------------------------ flat views

    def _params(self) -> list[Any]:
        self._refresh()
        params = self.param_groups[0]["params"]
        if not params:
            raise ValueError("LBFGS.step: the optimizer has no parameters")
        return list(params)

    def _flat_grad(self, xp: Any, params: list[Any], grads: Gradients) -> Array:
        views = []
        for param in params:
            grad = grads.array(param)
            views.append(xp.zeros(param._data.size, param._data.dtype) if grad is None else grad)
        return xp.concatenate([v.reshape(-1) for v in views])

    def _add_grad(self, xp: Any, params: list[Any], step_size: Any, update: Array) -> None:
        offset = 0
        for param in params:
            array = param._data
            before_write(param._key_(), array)
            part = update[offset : offset + array.size].reshape(array.shape)
            array += xp.multiply(part, step_size)
            offset += array.size

    def _set_params(self, params: list[Any], values: list[Array]) -> None:
        for param, value in zip(params, values):
            before_write(param._key_(), param._data)
            param._data[...] = value

    # ------------------------------------------------------------ the step

    def step(self, closure: Closure) -> Any:
        """Run up to max_iter L-BFGS iterations; returns the first evaluation's loss."""
        params = self._params()
        xp = params[0]._device.xp
        group = self.param_groups[0]
        lr, max_iter, max_eval = float(group["lr"]), group["max_iter"], group["max_eval"]
        tolerance_grad = float(group["tolerance_grad"])
        tolerance_change = float(group["tolerance_change"])
        history_size, line_search_fn = group["history_size"], group["line_search_fn"]

        def evaluate() -> tuple[Any, float, Array]:
            loss, grads = _closure_result("LBFGS", closure())
            value = float(loss.item() if hasattr(loss, "item") else loss)
            return loss, value, self._flat_grad(xp, params, grads)

        # as torch, the state lives with the first parameter
        state = self._state.setdefault(params[0]._key_(), {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss, loss, flat_grad = evaluate()
        current_evals = 1
        state["func_evals"] += 1
        opt_cond = xp.abs(flat_grad).max() <= tolerance_grad
        if opt_cond:
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag = state.get("H_diag")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # the descent direction
            if state["n_iter"] == 1:
                d = xp.negative(flat_grad)
                old_dirs, old_stps, ro = [], [], []
                h_diag = 1
            else:
                assert old_dirs is not None and old_stps is not None and ro is not None
                assert d is not None and t is not None
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / y.dot(y)
                num_old = len(old_dirs)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                q = xp.negative(flat_grad)
                for i in range(num_old - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q += old_dirs[i] * -al[i]
                d = r = q * h_diag
                for i in range(num_old):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r += old_stps[i] * (al[i] - be_i)

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                prev_flat_grad[...] = flat_grad
            prev_loss = loss

            # the step length
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / xp.abs(flat_grad).sum()) * lr
            else:
                t = lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                x_init = [p._data.copy() for p in params]

                def obj_func(x: list[Array], step: Any, direction: Array) -> tuple[float, Array]:
                    self._add_grad(xp, params, step, direction)
                    _, value, grad = evaluate()
                    self._set_params(params, x)
                    return value, grad

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    xp, obj_func, x_init, t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals,
                )  # fmt: skip
                self._add_grad(xp, params, t, d)
                opt_cond = xp.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(xp, params, t, d)
                if n_iter != max_iter:
                    # re-evaluated only if not the last iteration, as torch
                    _, loss, flat_grad = evaluate()
                    opt_cond = xp.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1

            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if xp.abs(d * t).max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state.update(
            d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
            prev_flat_grad=prev_flat_grad, prev_loss=prev_loss,
        )  # fmt: skip
        return orig_loss

    # ------------------------------------------------------------ state dict

    def _export_value(self, value: Any) -> Any:
        if value is None or type(value) in (bool, int, float):
            return value
        if isinstance(value, list):
            return [self._export_value(v) for v in value]
        return super()._export_value(value)

    def _import_state(
        self, name: str, index: int, param: Any, entries: Mapping[str, Any]
    ) -> dict[str, Any]:
        params = self._params()
        if index != 0 or param is not params[0]:
            raise ValueError(f"{name}: L-BFGS keeps its state with parameter 0, got {index}")
        xp, dtype = param._device.xp, param._data.dtype
        numel = sum(p._data.size for p in params)

        def vector(key: str, value: Any) -> Array:
            shape = tuple(getattr(value, "shape", ()))
            if shape != (numel,):
                raise ValueError(
                    f"{name}: {key!r} has shape {shape}, the parameters hold {numel} numbers"
                )
            return xp.array(xp.asarray(value), dtype=dtype, copy=True)

        def number(key: str, value: Any) -> Any:
            if value is None or type(value) in (int, float):
                return value
            _scalar(name, index, key, value)
            return xp.asarray(value, dtype=dtype)[()]

        out: dict[str, Any] = {}
        for key, value in entries.items():
            if key in ("func_evals", "n_iter"):
                out[key] = int(value)
            elif key in ("d", "prev_flat_grad"):
                out[key] = None if value is None else vector(key, value)
            elif key in ("old_dirs", "old_stps"):
                out[key] = [vector(key, v) for v in value]
            elif key in ("ro", "al"):
                out[key] = [number(key, v) for v in value]
            elif key in ("t", "H_diag", "prev_loss"):
                out[key] = number(key, value)
            else:
                raise ValueError(f"{name}: {key!r} is not L-BFGS state")
        lengths = {len(out.get(k, ())) for k in ("old_dirs", "old_stps", "ro")}
        if len(lengths) > 1:
            raise ValueError(f"{name}: old_dirs, old_stps and ro differ in length")
        return out


def _cubic_interpolate(
    xp: Any, x1: Any, f1: Any, g1: Any, x2: Any, f2: Any, g2: Any, bounds: Any = None
) -> Any:
    """The minimum of the cubic through two points with their slopes, kept within bounds."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = xp.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(
    xp: Any,
    obj_func: Callable[[list[Array], Any, Array], tuple[float, Array]],
    x: list[Array],
    t: Any,
    d: Array,
    f: float,
    g: Array,
    gtd: Any,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, Array, Any, int]:
    """torch's strong-Wolfe line search (from torch/optim's lswolfe.lua), step for step."""
    d_norm = xp.abs(d).max()
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = g_new.dot(d)

    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    bracket: list[Any] = []
    bracket_f: list[Any] = []
    bracket_g: list[Array] = []
    bracket_gtd: list[Any] = []
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(
            xp, t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step)
        )
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom: refine the bracket until a point meets the conditions
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(
            xp, bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new

    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals
