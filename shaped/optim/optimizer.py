"""What every optimizer shares: parameter groups, reading gradients, per-parameter state.

A subclass says which hyper-parameters a group holds and how they are checked
(`_check_group`), how a parameter's state starts (`_init_state`), and how one step updates
the parameter's array in place from (grad, state, group) (`_step`). In place, as
torch.optim: views and other tensors that share the parameter's memory (`w.T` made once)
see the new values. The tape's deferred gradients (a traced input's, computed when read)
keep the old values: the update first tells the tape (`before_write`), which copies what
they still need.

Parameter groups are torch's: `opt.param_groups` is a list of dicts, each with "params" (a
list of tensors) and every hyper-parameter; write to them between updates (schedulers do).
A model given as the parameters (`Sgd(model, lr=0.1)`, or `{"params": model}` in a group)
is read afresh at each update and at `state_dict()`, so its group always holds the model's
current parameters.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from numbers import Real
from operator import is_
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar, overload

from shaped.tape import Gradients, before_write

if TYPE_CHECKING:
    from typing import Self

    from shaped.tape import Array
    from shaped.tensor import Tensor

V = TypeVar("V")
_ONE_ARGUMENT: Any = object()  # update(grads): the second argument was left out

# torch's implementation switches: accepted in a loaded state dict and dropped (no effect here)
TORCH_ONLY_KEYS = frozenset({"foreach", "fused", "capturable", "differentiable"})


class HasParameters(Protocol):
    """What an optimizer needs of a model: its parameters, read afresh at every update."""

    def parameters(self) -> Iterable[Tensor[Any, Any, Any, Any]]: ...


ParamGroup = Mapping[str, Any]
Params = HasParameters | Iterable["Tensor[Any, Any, Any, Any] | ParamGroup"]
StateDict = dict[str, Any]


class Hyper(Generic[V]):
    """A hyper-parameter read from param group 0; assigning sets it in every group.

    `opt.lr = 0.01` checks the value and writes it into every group (and the defaults, so a
    group added later gets it too); to give groups different values write
    `opt.param_groups[i]["lr"]`.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type) -> Self: ...
    @overload
    def __get__(self, obj: Optimizer, owner: type) -> V: ...
    def __get__(self, obj: Optimizer | None, owner: type) -> Self | V:
        if obj is None:
            return self
        groups = obj.param_groups
        value: V = (groups[0] if groups else obj.defaults)[self.name]
        return value

    def __set__(self, obj: Optimizer, value: V) -> None:
        checked = [obj._checked({**group, self.name: value}) for group in obj.param_groups]
        defaults = obj._checked({**obj.defaults, "params": [], self.name: value})
        for group, new in zip(obj.param_groups, checked):
            group[self.name] = new[self.name]
        obj.defaults[self.name] = defaults[self.name]


class Optimizer:
    """Base of the optimizers: `opt.update(model, grads)` steps every parameter with a gradient.

    State is kept per parameter (by its gradient identity, as `grads[p]`); a parameter
    with no gradient in `grads` is left as it is, its state untouched, as in torch.optim.
    Set `opt.lr` (every group) or `opt.param_groups[i]["lr"]` between updates to schedule
    the learning rate, or use `shaped.optim.lr_scheduler`.
    """

    # state entries: "param" (an array shaped like the parameter) or "scalar" (a number)
    _state_kinds: ClassVar[dict[str, str]] = {}
    lr: Hyper[float] = Hyper()

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        self.defaults: dict[str, Any] = {}
        self.param_groups: list[dict[str, Any]] = []
        self._models: dict[int, HasParameters] = {}  # id(group) -> the model it reads
        # id(group) -> (the model's parameter list, the group's list made from it, its items)
        self._listed: dict[int, tuple[list[Any], list[Any], tuple[Any, ...]]] = {}
        self._state: dict[int, dict[str, Any]] = {}  # parameter key -> its state
        self._scratch: dict[tuple[Any, ...], Array] = {}
        self.defaults = self._checked({**defaults, "params": []})
        del self.defaults["params"]
        if _is_model(params):
            self.add_param_group({"params": params})
            return
        if _is_tensor(params):
            raise TypeError(
                f"{type(self).__name__}: got one tensor as the parameters: pass a list of "
                "tensors ([tensor]), the model, or param group dicts"
            )
        if isinstance(params, Mapping) or not isinstance(params, Iterable):
            _check_model(type(self).__name__, params)
        items: list[Any] = list(params)  # type: ignore[arg-type]
        if not items:
            raise ValueError(
                f"{type(self).__name__}: got an empty parameter list: pass the model, its "
                "parameters(), or a list of param group dicts"
            )
        if all(isinstance(item, Mapping) for item in items):
            for item in items:
                self.add_param_group(item)
        else:
            self.add_param_group({"params": items})

    # ------------------------------------------------------------ groups

    def add_param_group(self, param_group: ParamGroup) -> None:
        """Add a group: a dict with "params" (a model, tensors, or one tensor) and any
        hyper-parameters; the ones it leaves out take the optimizer's defaults, as torch."""
        name = type(self).__name__
        if not isinstance(param_group, Mapping):
            raise TypeError(
                f"{name}.add_param_group: expected a dict with 'params', got {_shown(param_group)}"
            )
        if "params" not in param_group:
            raise ValueError(f"{name}.add_param_group: the group has no 'params' entry")
        source = param_group["params"]
        model = source if _is_model(source) else None
        group = self._checked({**self.defaults, **param_group})
        taken = {p._key_() for g in self.param_groups for p in g["params"]}
        if any(p._key_() in taken for p in group["params"]):
            raise ValueError(
                f"{name}: some parameters appear in more than one parameter group; give "
                "each parameter to one group"
            )
        self.param_groups.append(group)
        if model is not None:
            self._models[id(group)] = model

    def _checked(self, group: Mapping[str, Any]) -> dict[str, Any]:
        """A checked copy of a group: its tensors, and each hyper-parameter normalized."""
        out = {k: v for k, v in group.items() if k not in TORCH_ONLY_KEYS}
        out["params"] = _tensors(type(self).__name__, group["params"])
        missing = [k for k in self.defaults if k not in out]
        if missing and self.defaults:
            raise ValueError(f"{type(self).__name__}: the group lacks {', '.join(missing)}")
        self._check_group(out)
        return out

    def _check_group(self, group: dict[str, Any]) -> None:
        """Check and normalize a group's hyper-parameters in place (each optimizer's own)."""
        self._real(group, "lr")

    def _refresh(self) -> None:
        """Groups made from a model hold its current parameters.

        A shaped module gives them as one list that stays the same object while they do
        (`Module._parameter_list`): then the group's list is kept, unless it was changed."""
        listed = self._listed
        for group in self.param_groups:
            model = self._models.get(id(group))
            if model is None:
                continue
            read = getattr(model, "_parameter_list", None)
            if read is None:  # any object with parameters()
                group["params"] = _unique(model.parameters())
                continue
            params = read()
            last = listed.get(id(group))
            if last is not None and last[0] is params:
                given, items = last[1], last[2]
                held = group["params"]
                if held is given and len(held) == len(items) and all(map(is_, held, items)):
                    continue  # the same parameters as at the last update
            unique = group["params"] = _unique(params)
            listed[id(group)] = (params, unique, tuple(unique))

    # ------------------------------------------------------------ stepping

    @overload
    def update(self, grads: Gradients, /) -> None: ...
    @overload
    def update(self, model: HasParameters, grads: Gradients) -> None: ...
    def update(self, model: Any, grads: Any = _ONE_ARGUMENT) -> None:
        """Step every parameter that has a gradient in `grads`, in place.

        `update(model, grads)`: with one group made from a model (`Sgd(model)`), the
        parameters of the `model` given here; otherwise the groups' parameters (the model is
        only checked). `update(grads)`: the groups' parameters.
        """
        name = type(self).__name__
        if grads is _ONE_ARGUMENT:
            model, grads = None, model
        if not isinstance(grads, Gradients):
            swapped = isinstance(model, Gradients)
            raise TypeError(
                f"{name}.update: expected update(model, grads) or update(grads) with grads the "
                f"Gradients that loss.backward() returns, got {_shown(grads):.60}"
                + ("; the arguments are swapped" if swapped else "")
            )
        if model is not None:
            _check_model(f"{name}.update", model)
            groups = self.param_groups
            if len(groups) == 1 and id(groups[0]) in self._models:
                self._models[id(groups[0])] = model
        self._refresh()
        self._update(grads)

    def _update(self, grads: Gradients) -> None:
        states = self._state
        seen: set[int] = set()
        for group in self.param_groups:
            settings = _settings(group)
            for param in group["params"]:
                key = param._key or param._key_()  # _tensors gave every parameter its key
                if key in seen:  # a tied parameter listed twice steps once
                    continue
                seen.add(key)
                grad = grads.array(param)
                if grad is None:
                    continue
                xp, array = param._device.xp, param._data
                state = states.get(key)
                if state is None:
                    state = states[key] = self._init_state(xp, array, settings)
                before_write(key, array)
                self._step(xp, array, grad, state, settings)

    def step(self, closure: Callable[[], tuple[Any, Gradients]]) -> Any:
        """torch's `opt.step(closure)`: `closure()` returns `(loss, grads)` (it runs the
        forward pass and `loss.backward()`); the groups' parameters are updated with those
        gradients and the loss is returned."""
        loss, grads = _closure_result(type(self).__name__, closure())
        self.update(grads)
        return loss

    def _init_state(self, xp: Any, param: Array, group: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError  # each optimizer says what it keeps per parameter

    def _step(
        self, xp: Any, param: Array, grad: Array, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        raise NotImplementedError  # each optimizer has its own update rule, written into param

    def _buffer(self, xp: Any, like: Array, slot: int = 0) -> Array:
        """A scratch array shaped like `like`: a view of one flat buffer per slot and dtype,
        reused across parameters and steps (as large as the largest parameter)."""
        key = (slot, like.dtype, xp)
        flat = self._scratch.get(key)
        if flat is None or flat.size < like.size:
            flat = self._scratch[key] = xp.empty(max(like.size, 1), like.dtype)
        return flat[: like.size].reshape(like.shape)

    @property
    def state(self) -> Mapping[Tensor[Any, Any, Any, Any], dict[str, Any]]:
        """Each parameter's state, as torch's `opt.state[param]` (`["exp_avg"]`, `["step"]`):
        the live arrays (the step count a Python float); parameters not yet stepped are absent.
        """
        return _StateView(self)

    # ------------------------------------------------------------ state dict

    def state_dict(self) -> StateDict:
        """torch's layout: `{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}`.

        Indices number the parameters in group order. Arrays are numpy copies (from the GPU
        too), "step" a 0-d float32 array as torch's; the result does not change as training
        goes on. `optim.state_tensors` turns it into tensors for `sh.save`.
        """
        self._refresh()
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for param in group["params"]:
                ids.append(index.setdefault(param._key_(), len(index)))
            groups.append({**_copy(group, "params"), "params": ids})
        state = {
            index[key]: {k: self._export_value(v) for k, v in entries.items()}
            for key, entries in self._state.items()
            if key in index and entries
        }
        return {"state": dict(sorted(state.items())), "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Load `state_dict()`'s layout (also a torch optimizer's, tensors as numpy arrays).

        The groups keep their parameters and take the saved hyper-parameters; state arrays
        take each parameter's dtype and device. A state dict that does not fit (another
        number of groups or parameters, arrays of other shapes, unknown entries) raises
        ValueError naming what differs and leaves the optimizer as it was.
        """
        name = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping) or not {"state", "param_groups"} <= set(state_dict):
            raise ValueError(
                f"{name}: expected a dict with 'state' and 'param_groups' (from state_dict()), "
                f"got {_shown(state_dict)}"
            )
        self._refresh()
        saved_groups, saved_state = state_dict["param_groups"], state_dict["state"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}: the state dict has {len(saved_groups)} param groups, this optimizer "
                f"has {len(self.param_groups)}: build the optimizer with the same groups"
            )
        by_index: dict[int, Tensor[Any, Any, Any, Any]] = {}
        new_groups = []
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            ids = list(saved["params"])
            if len(ids) != len(group["params"]):
                raise ValueError(
                    f"{name}: param group {i} of the state dict has {len(ids)} parameters, "
                    f"this optimizer's has {len(group['params'])}"
                )
            for index, param in zip(ids, group["params"]):
                by_index[int(index)] = param
            new_groups.append(
                self._checked({**group, **_copy(saved, "params"), "params": group["params"]})
            )
        new_state: dict[int, dict[str, Any]] = {}
        for index, entries in saved_state.items():
            param = by_index.get(int(index))
            if param is None:
                raise ValueError(f"{name}: state for parameter {index}, which no group holds")
            new_state[param._key_()] = self._import_state(name, int(index), param, entries)
        for group, new in zip(self.param_groups, new_groups):
            group.clear()
            group.update(new)
        self._state = new_state

    def _export_value(self, value: Any) -> Any:
        return _export(value)

    def _import_state(
        self, name: str, index: int, param: Tensor[Any, Any, Any, Any], entries: Mapping[str, Any]
    ) -> dict[str, Any]:
        """One parameter's saved state, checked against the parameter and converted."""
        xp, array = param._device.xp, param._data
        out: dict[str, Any] = {}
        for key, value in entries.items():
            kind = self._state_kinds.get(key)
            if kind is None:
                raise ValueError(
                    f"{name}: parameter {index} has state {key!r}, which "
                    f"{type(self).__name__} does not keep (it keeps "
                    f"{', '.join(self._state_kinds)})"
                )
            if kind == "scalar":
                out[key] = _scalar(name, index, key, value)
            elif value is None:
                out[key] = None
            else:
                shape = tuple(getattr(value, "shape", ()))
                if shape != tuple(array.shape):
                    raise ValueError(
                        f"{name}: parameter {index}'s {key!r} has shape {shape}, the parameter "
                        f"has {tuple(array.shape)}"
                    )
                out[key] = xp.array(xp.asarray(value), dtype=array.dtype, copy=True)
        return out

    # ------------------------------------------------------------ checks

    def _real(
        self,
        group: dict[str, Any],
        name: str,
        low: float = 0.0,
        high: float | None = None,
        closed: bool = False,
    ) -> None:
        group[name] = self._check(name, group[name], low, high, closed)

    def _check(
        self,
        name: str,
        value: float,
        low: float = 0.0,
        high: float | None = None,
        closed: bool = False,
    ) -> float:
        """A hyper-parameter as a Python float (numpy scalars would promote float32 params)."""
        value = self._number(name, value)
        above = high is None or (value <= high if closed else value < high)
        if not value >= low or not above:
            bound = (
                f"in [{low}, {high}{']' if closed else ')'}" if high is not None else f">= {low}"
            )
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

    def _flags(self, group: dict[str, Any], *names: str) -> None:
        for name in names:
            group[name] = self._flag(name, group[name])

    def _betas(self, group: dict[str, Any], closed: bool = False) -> None:
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)):
            raise TypeError(
                f"{type(self).__name__}: betas must be a pair of floats such as (0.9, 0.999), "
                f"got {_shown(betas)}"
            )
        if len(betas) != 2:
            raise ValueError(f"{type(self).__name__}: betas must be a pair, got {betas!r}")
        group["betas"] = (
            self._check("betas[0]", betas[0], high=1.0),
            self._check("betas[1]", betas[1], high=1.0, closed=closed),
        )

    def __repr__(self) -> str:
        def shown(group: Mapping[str, Any]) -> str:
            return ", ".join(f"{k}={v!r}" for k, v in group.items() if k != "params")

        groups = self.param_groups or [self.defaults]
        if len(groups) == 1:
            return f"{type(self).__name__}({shown(groups[0])})"
        parts = "; ".join(f"group {i}: {shown(g)}" for i, g in enumerate(groups))
        return f"{type(self).__name__}({parts})"


class _StateView(Mapping["Tensor[Any, Any, Any, Any]", dict[str, Any]]):
    """opt.state: per-parameter state looked up by the tensor (by identity, as torch)."""

    def __init__(self, optimizer: Optimizer) -> None:
        self._optimizer = optimizer

    def __getitem__(self, param: Tensor[Any, Any, Any, Any]) -> dict[str, Any]:
        key = getattr(param, "_key", None)
        entries = None if key is None else self._optimizer._state.get(key)
        if entries is None:
            raise KeyError(
                "this tensor has no optimizer state (not stepped yet, or not in a group)"
            )
        return entries

    def __iter__(self) -> Iterator[Tensor[Any, Any, Any, Any]]:
        self._optimizer._refresh()
        states = self._optimizer._state
        for group in self._optimizer.param_groups:
            for param in group["params"]:
                if param._key_() in states:
                    yield param

    def __len__(self) -> int:
        return sum(1 for _ in self)


# ---------------------------------------------------------------- helpers


def _is_model(value: object) -> bool:
    return callable(getattr(value, "parameters", None))


def _is_tensor(value: object) -> bool:
    from shaped.tensor import Tensor

    return isinstance(value, Tensor)


def _tensors(where: str, source: object) -> list[Tensor[Any, Any, Any, Any]]:
    """A group's parameters as a list of distinct tensors (a model's are read now)."""
    from shaped.tensor import Tensor

    if _is_model(source):
        return _unique(source.parameters())  # type: ignore[attr-defined]
    if isinstance(source, Tensor):
        return [source]
    if isinstance(source, (str, Mapping)) or not isinstance(source, Iterable):
        raise TypeError(
            f"{where}: a group's 'params' must be a model, tensors or one tensor, got "
            f"{_shown(source)}"
        )
    items = list(source)
    for item in items:
        if not isinstance(item, Tensor):
            raise TypeError(f"{where}: parameters must be tensors, got {_shown(item)}")
    return _unique(items)


def _unique(params: Iterable[Tensor[Any, Any, Any, Any]]) -> list[Tensor[Any, Any, Any, Any]]:
    seen: dict[int, Tensor[Any, Any, Any, Any]] = {}
    for param in params:
        seen.setdefault(param._key_(), param)
    return list(seen.values())


def _settings(group: Mapping[str, Any]) -> dict[str, Any]:
    """A group's hyper-parameters for one update: numbers as Python floats (a scheduler or a
    user may have written numpy scalars, which would promote float32 arithmetic)."""
    out = dict(group)
    for key, value in group.items():
        kind = type(value)
        if kind is float or kind is bool or kind is list or value is None:
            continue
        if kind is tuple:
            out[key] = tuple(float(v) if isinstance(v, Real) else v for v in value)
        elif isinstance(value, Real) and kind is not bool:
            out[key] = float(value)
    return out


def _copy(group: Mapping[str, Any], drop: str) -> dict[str, Any]:
    return {k: v for k, v in group.items() if k != drop}


def _export(value: Any) -> Any:
    """A state value for a state dict: a numpy copy of an array, numbers as torch keeps them."""
    import numpy as np  # a state dict holds numpy arrays, whatever the device

    if type(value) is float:  # step, mu_product: torch keeps them in float32 tensors
        return np.array(value, dtype=np.float32)
    if isinstance(value, list):
        return [_export(v) for v in value]
    if value is None or isinstance(value, int):
        return value
    host = value.get() if hasattr(value, "get") else value
    return np.array(host, copy=True)


def _scalar(name: str, index: int, key: str, value: Any) -> float:
    shape = tuple(getattr(value, "shape", ()))
    if shape != () or isinstance(value, bool):
        raise ValueError(f"{name}: parameter {index}'s {key!r} must be a number, got {value!r:.60}")
    number = float(value)
    if math.isnan(number):
        raise ValueError(f"{name}: parameter {index}'s {key!r} is nan")
    return number


def _closure_result(name: str, result: object) -> tuple[Any, Gradients]:
    if not isinstance(result, tuple) or len(result) != 2 or not isinstance(result[1], Gradients):
        raise TypeError(
            f"{name}.step: the closure must return (loss, grads): the loss and the Gradients "
            f"that loss.backward() returned, got {_shown(result)}"
        )
    return result[0], result[1]


def _shown(value: object) -> str:
    """A bad argument for an error message: its value (cut short) and its type."""
    return "None" if value is None else f"{value!r:.40} ({type(value).__name__})"


def _check_model(where: str, model: object) -> None:
    if not _is_model(model):
        raise TypeError(
            f"{where}: the model needs a parameters() method returning its tensors, got "
            f"{'None' if model is None else type(model).__name__}"
        )


def grad_of(xp: Any, param: Array, grad: Array, group: Mapping[str, Any]) -> Array:
    """The gradient a step uses: negated for `maximize`, plus `weight_decay * param` (L2).

    A new array when either applies (the gradient in `grads` is never written)."""
    decay = group["weight_decay"]
    if decay != 0:
        out = xp.multiply(param, decay)
        if group.get("maximize"):
            out -= grad
        else:
            out += grad
        return out
    return xp.negative(grad) if group.get("maximize") else grad


def lerp_(xp: Any, start: Array, end: Array, weight: float, scratch: Array) -> None:
    """start.lerp_(end, weight) with torch's two formulas (the small-weight one below 0.5)."""
    xp.subtract(end, start, out=scratch)
    if abs(weight) < 0.5:
        scratch *= weight
        start += scratch
    else:
        scratch *= 1.0 - weight
        xp.subtract(end, scratch, out=start)
