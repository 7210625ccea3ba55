"""Gradient clipping, as `torch.nn.utils.clip_grad_norm_` and `clip_grad_value_`.

shaped keeps gradients in the `Gradients` that `loss.backward()` returns, not on the
parameters, so these take the model (or its parameters) and the gradients, in the order
`opt.update(model, grads)` takes them:

```python
grads = loss.backward()
total = nn.utils.clip_grad_norm_(model, grads, max_norm=1.0)   # torch: (model.parameters(), 1.0)
opt.update(model, grads)
```
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from shaped.errors import DeviceError
from shaped.tape import Gradients
from shaped.tensor import Tensor

if TYPE_CHECKING:
    from shaped.tape import Array

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]

AnyTensor = Tensor[Any, Any, Any, Any]


class HasParameters(Protocol):
    """A model: anything with a parameters() method (every sh.nn.Module)."""

    def parameters(self) -> Iterable[AnyTensor]: ...


Parameters = HasParameters | Iterable[AnyTensor] | AnyTensor


def _parameters(where: str, parameters: object, grads: object) -> list[AnyTensor]:
    """The distinct tensors named by a model, an iterable of tensors or one tensor."""
    if not isinstance(grads, Gradients):
        swapped = isinstance(parameters, Gradients)
        raise TypeError(
            f"{where}: expected ({'model' if swapped else 'parameters'}, grads, ...) with grads "
            f"the Gradients that loss.backward() returns, got {type(grads).__name__}"
            + ("; the first two arguments are swapped" if swapped else "")
        )
    method = getattr(parameters, "parameters", None)
    if isinstance(parameters, Tensor):
        items: Iterable[object] = [parameters]
    elif callable(method):
        items = method()
    elif isinstance(parameters, Iterable):
        items = parameters
    else:
        raise TypeError(
            f"{where}: the first argument is the model, its parameters() or a tensor, got "
            f"{type(parameters).__name__}"
        )
    seen: set[int] = set()
    out: list[AnyTensor] = []
    for tensor in items:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"{where}: parameters must be tensors, got {type(tensor).__name__}")
        key = tensor._key_()
        if key not in seen:  # a tied parameter is clipped once
            seen.add(key)
            out.append(tensor)
    return out


def _with_grads(where: str, parameters: object, grads: object) -> list[tuple[AnyTensor, Array]]:
    """(parameter, gradient array) for each parameter that has a gradient."""
    pairs = []
    params = _parameters(where, parameters, grads)
    assert isinstance(grads, Gradients)
    for param in params:
        array = grads.array(param)
        if array is not None:
            pairs.append((param, array))
    return pairs


def _order(norm_type: float | str) -> float:
    order = float(norm_type)  # torch accepts "inf" too
    if math.isnan(order):
        raise ValueError("clip_grad_norm_: norm_type is NaN; use 2.0, 1.0 or float('inf')")
    return order


def _vector_norm(xp: Any, array: Array, order: float) -> Array:
    """torch.linalg.vector_norm of the flattened array, in its dtype (rank 0)."""
    flat = xp.abs(array.reshape(-1))
    if order == math.inf:
        return flat.max() if flat.size else xp.zeros((), dtype=array.dtype)
    if order == -math.inf:
        return flat.min() if flat.size else xp.asarray(math.inf, dtype=array.dtype)
    if order == 0:
        return xp.asarray(xp.count_nonzero(flat), dtype=array.dtype)
    if order == 1:
        return flat.sum()
    if order == 2:
        return xp.sqrt(xp.dot(flat, flat))
    return xp.sum(flat**order) ** (1.0 / order)


def _total(
    where: str, arrays: list[Array], device: Any, order: float, error_if_nonfinite: bool
) -> AnyTensor:
    if not arrays:
        return Tensor._wrap(device.xp.zeros((), dtype="float32"), device)
    xp = device.xp
    dtype = xp.result_type(*arrays)
    norms = xp.stack([_vector_norm(xp, a, order).astype(dtype) for a in arrays])
    total = _vector_norm(xp, norms, order)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(
            f"{where}: the total norm of order {order} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor._wrap(xp.asarray(total), device)


def _device(where: str, pairs: list[tuple[AnyTensor, Array]]) -> Any:
    devices = {param._device for param, _ in pairs}
    if len(devices) > 1:
        raise DeviceError(
            f"{where}: the parameters are on several devices ({', '.join(map(repr, devices))}); "
            "clip each device's parameters separately"
        )
    return next(iter(devices)) if devices else None


def get_total_norm(
    tensors: Iterable[AnyTensor] | AnyTensor,
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor[tuple[()], Any, Any]:
    """The norm of the norms of `tensors` (e.g. gradients `grads[p]`), as torch's
    `get_total_norm`: a rank-0 tensor in their dtype; 0.0 (Float32, CPU) for none."""
    from shaped.devices import CPU

    items = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    pairs = [(t, t._data) for t in items]
    device = _device("get_total_norm", pairs) or CPU
    arrays = [a for _, a in pairs]
    return _total("get_total_norm", arrays, device, _order(norm_type), error_if_nonfinite)


def clip_grads_with_norm_(
    parameters: Parameters,
    grads: Gradients,
    max_norm: float,
    total_norm: AnyTensor | float,
    foreach: bool | None = None,
) -> None:
    """Scale the gradients by min(1, max_norm / (total_norm + 1e-6)), as torch's
    `clip_grads_with_norm_` (with a total norm from `get_total_norm`)."""
    pairs = _with_grads("clip_grads_with_norm_", parameters, grads)
    _scale(grads, pairs, max_norm, total_norm)


def _scale(
    grads: Gradients,
    pairs: list[tuple[AnyTensor, Array]],
    max_norm: float,
    total_norm: AnyTensor | float,
) -> None:
    if not pairs:
        return
    xp = pairs[0][0]._device.xp
    total = total_norm._data if isinstance(total_norm, Tensor) else xp.asarray(total_norm)
    coef = xp.minimum(float(max_norm) / (total + 1e-6), 1.0)  # in the norm's dtype, as torch
    for param, array in pairs:
        # a new array, not `*=`: a gradient may be a read-only broadcast or shared by two entries
        grads._arrays[param._key_()] = array * coef.astype(array.dtype)


def clip_grad_norm_(
    parameters: Parameters,
    grads: Gradients,
    max_norm: float,
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor[tuple[()], Any, Any]:
    """Scale the parameters' gradients in `grads` so that their total norm is at most
    `max_norm`, and return the total norm before clipping, as torch.nn.utils.clip_grad_norm_.

    `parameters` is the model, its parameters() or one tensor; the total norm is the
    `norm_type` norm of the per-gradient norms (`float("inf")`: the largest |g|). Every
    gradient is multiplied by min(1, max_norm / (total + 1e-6)), computed in the gradients'
    dtype. A non-finite total raises only with `error_if_nonfinite=True`. Parameters without
    a gradient in `grads` are skipped; `foreach` is accepted for torch's signature.
    """
    where = "clip_grad_norm_"
    pairs = _with_grads(where, parameters, grads)
    device = _device(where, pairs)
    if device is None:
        from shaped.devices import CPU

        device = CPU
    total = _total(where, [a for _, a in pairs], device, _order(norm_type), error_if_nonfinite)
    _scale(grads, pairs, max_norm, total)
    return total


def clip_grad_value_(
    parameters: Parameters,
    grads: Gradients,
    clip_value: float,
    foreach: bool | None = None,
) -> None:
    """Clamp each of the parameters' gradients in `grads` to [-clip_value, clip_value], as
    torch.nn.utils.clip_grad_value_."""
    pairs = _with_grads("clip_grad_value_", parameters, grads)
    value = float(clip_value)
    for param, array in pairs:
        xp = param._device.xp
        grads._arrays[param._key_()] = xp.clip(array, -value, value)
