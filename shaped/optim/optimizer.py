"""What every optimizer shares: walking the parameters, reading gradients, per-parameter state.

A subclass says how to start a parameter's state (`_new_state`) and how one step updates the
parameter's array in place from (grad, state) (`_step`). In place, as torch.optim: views and
other tensors that share the parameter's memory (`w.T` made once) see the new values. The
tape's deferred gradients (a traced input's, computed when read) keep the old values: the
update first tells the tape (`before_write`), which copies what they still need.
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Real
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from shaped.tape import Gradients, before_write

if TYPE_CHECKING:
    from shaped.tape import Array
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
        _check_model(type(self).__name__, model)
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
        """Step every parameter of `model` that has a gradient in `grads`, in place."""
        name = type(self).__name__
        if not isinstance(grads, Gradients):
            swapped = isinstance(model, Gradients)
            raise TypeError(
                f"{name}.update: expected update(model, grads) with grads the Gradients that "
                f"loss.backward() returns, got {_shown(grads):.60}"
                + ("; the arguments are swapped" if swapped else "")
            )
        _check_model(f"{name}.update", model)
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
            xp, array = param._device.xp, param._data
            state = states.get(key)
            if state is None:
                state = states[key] = self._new_state(xp, array)
            before_write(key, array)
            self._step(xp, array, grad, state)

    def _new_state(self, xp: Any, param: Array) -> State:
        raise NotImplementedError  # each optimizer says what it keeps per parameter

    def _step(self, xp: Any, param: Array, grad: Array, state: State) -> None:
        raise NotImplementedError  # each optimizer has its own update rule, written into param

    def _check(self, name: str, value: float, low: float = 0.0, high: float | None = None) -> float:
        """A hyper-parameter as a Python float (numpy scalars would promote float32 params)."""
        value = self._number(name, value)
        if not value >= low or (high is not None and not value < high):
            bound = f"in [{low}, {high})" if high is not None else f">= {low}"
            raise ValueError(f"{type(self).__name__}: invalid {name} {value}: it must be {bound}")
        return value

    def _number(self, name: str, value: object) -> float:
        """A real number as a Python float, or a TypeError naming the argument."""
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"{type(self).__name__}: {name} must be a number, got {_shown(value)}")
        return float(value)

    def _flag(self, name: str, value: object) -> bool:
        """An on/off setting: a bool (numpy's too, or 0 and 1), or a TypeError naming it."""
        if type(value).__name__ not in ("bool", "bool_") and not (
            isinstance(value, int) and value in (0, 1)
        ):
            raise TypeError(
                f"{type(self).__name__}: {name} must be True or False, got {_shown(value)}"
            )
        return bool(value)

    def __repr__(self) -> str:
        settings = ", ".join(
            f"{name.lstrip('_')}={value!r}"
            for name, value in vars(self).items()
            if name != "_states"
        )
        return f"{type(self).__name__}({settings})"


def _shown(value: object) -> str:
    """A bad argument for an error message: its value (cut short) and its type."""
    return "None" if value is None else f"{value!r:.40} ({type(value).__name__})"


def _check_model(where: str, model: object) -> None:
    if not callable(getattr(model, "parameters", None)):
        hint = (
            "; pass the model itself (its parameters are read again at each update)"
            if isinstance(model, Iterable)
            else ""
        )
        raise TypeError(
            f"{where}: the model needs a parameters() method returning its tensors, got "
            f"{'None' if model is None else type(model).__name__}{hint}"
        )


def lerp_(xp: Any, start: Array, end: Array, weight: float, scratch: Array) -> None:
    """start.lerp_(end, weight) with torch's two formulas (the small-weight one below 0.5)."""
    xp.subtract(end, start, out=scratch)
    if abs(weight) < 0.5:
        scratch *= weight
        start += scratch
    else:
        scratch *= 1.0 - weight
        xp.subtract(end, scratch, out=start)
