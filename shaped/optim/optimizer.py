"""What every optimizer shares: walking the parameters, reading gradients, per-parameter state.

A subclass says how to start a parameter's state (`_new_state`) and how one step maps
(param, grad, state) to the new parameter array (`_step`). The step returns a NEW array
and `update` rebinds it: the tape may still hold the old array for a gradient that is read
later (a traced input's gradient is computed lazily from saved arrays).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from shaped.tape import Array, Gradients
    from shaped.tensor import Tensor

State = TypeVar("State")


class HasParameters(Protocol):
    """What an optimizer needs of a model: its parameters, read afresh at every update."""

    def parameters(self) -> Iterable[Tensor[Any, Any, Any, Any]]: ...


class Optimizer(Generic[State]):
    """Base of the optimizers: `opt.update(model, grads)` steps every parameter with a gradient.

    State is kept per parameter (by its gradient identity, as `grads[p]`); a parameter
    with no gradient in `grads` is left as it is, its state untouched, as in torch.optim.
    Set `opt.lr` between updates to schedule the learning rate.
    """

    def __init__(self, model: HasParameters, lr: float) -> None:
        if not callable(getattr(model, "parameters", None)):
            raise TypeError(
                f"{type(self).__name__}: the model needs a parameters() method returning its "
                f"tensors, got {type(model).__name__}"
            )
        self.lr = lr
        self._states: dict[int, State] = {}

    @property
    def lr(self) -> float:
        """The learning rate; assign to it between updates for a schedule."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = self._check("lr", value)

    def update(self, model: HasParameters, grads: Gradients) -> None:
        """Step every parameter of `model` that has a gradient in `grads` (in place)."""
        states = self._states
        seen: set[int] = set()
        for param in model.parameters():
            key = param._key_()
            if key in seen:  # a tied parameter listed twice steps once
                continue
            seen.add(key)
            grad = grads.array(param)
            if grad is None:
                continue
            state = states.get(key)
            if state is None:
                state = states[key] = self._new_state(param._device.xp, param._data)
            param._data = self._step(param._device.xp, param._data, grad, state)

    def _new_state(self, xp: Any, param: Array) -> State:
        raise NotImplementedError  # each optimizer says what it keeps per parameter

    def _step(self, xp: Any, param: Array, grad: Array, state: State) -> Array:
        raise NotImplementedError  # each optimizer has its own update rule

    def _check(self, name: str, value: float, low: float = 0.0, high: float | None = None) -> float:
        """A hyper-parameter as a Python float (numpy scalars would promote float32 params)."""
        value = float(value)
        if not value >= low or (high is not None and not value < high):
            bound = f"in [{low}, {high})" if high is not None else f">= {low}"
            raise ValueError(f"{type(self).__name__}: invalid {name} {value}: it must be {bound}")
        return value

    def __repr__(self) -> str:
        settings = ", ".join(
            f"{name.lstrip('_')}={value!r}"
            for name, value in vars(self).items()
            if name != "_states"
        )
        return f"{type(self).__name__}({settings})"


def lerp_(xp: Any, start: Array, end: Array, weight: float, scratch: Array) -> None:
    """start.lerp_(end, weight) with torch's two formulas (the small-weight one below 0.5)."""
    xp.subtract(end, start, out=scratch)
    if abs(weight) < 0.5:
        scratch *= weight
        start += scratch
    else:
        scratch *= 1.0 - weight
        xp.subtract(end, scratch, out=start)
