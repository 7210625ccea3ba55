"""`Module`: the base of every layer and of users' models, PyTorch-style.

A module's parameters are the float tensors among its attributes, found by walking them in
assignment order (into submodules, and into lists, tuples and dicts of them): there is
nothing to register. Each is marked as a parameter (a leaf, see shaped/tape.py), so its
gradient reaches it through any ops, those made before the trace too (`w.T`, `w1 + w2`).
Buffers (state that is saved and moved but not trained, such as BatchNorm's running
statistics) are named with `register_buffer`; integer and bool tensors are buffers too.
`m(x)` calls `m.forward(x)` directly, without an extra Python frame.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    NamedTuple,
    ParamSpec,
    Protocol,
    Self,
    TypeVar,
)

from shaped import io
from shaped.dtypes import BY_NAME, DType
from shaped.errors import DtypeError
from shaped.io import CheckpointError
from shaped.tape import LEAF, Gradients, before_write
from shaped.tensor import Tensor

if TYPE_CHECKING:
    from shaped.devices import Device

__all__ = ["LoadResult", "Module"]

AnyTensor = Tensor[Any, Any, Any, Any]
P = ParamSpec("P")
R = TypeVar("R", covariant=True)


class _HasForward(Protocol[P, R]):
    """What `Module.__call__` reads its signature from: the subclass's `forward`."""

    def forward(self, *args: P.args, **kwargs: P.kwargs) -> R: ...


class LoadResult(NamedTuple):
    """What `load_state_dict` did not match (always empty lists when strict), as torch."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of layers and models: subclass it, call `super().__init__()`, assign
    parameters and submodules as attributes, define `forward`.

    ```python
    class Mlp(sh.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.hidden = sh.nn.Linear(784, 128)
            self.out = sh.nn.Linear(128, 10)

        def forward(self, x):
            return self.out(self.hidden(x).relu())
    ```

    `model(x)` runs `forward`, and both checkers type the call by `forward`'s signature
    (pyright through `__call__`'s self type, mypy through shaped's plugin, which also reports
    a wrong input as `[shape]`, `[dtype]` or `[device]`): nothing else to write.
    """

    training: bool = True
    _buffer_names: frozenset[str] = frozenset()
    # the constructor arguments that the class's type parameters give, in order (build_module)
    _type_args: ClassVar[tuple[str, ...]] = ()

    def __init__(self) -> None:
        self.training = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # calling a module runs its forward with no extra frame; a subclass that overrides
        # forward (but not __call__) gets its own forward as __call__
        if "forward" in cls.__dict__ and "__call__" not in cls.__dict__:
            type.__setattr__(cls, "__call__", cls.__dict__["forward"])

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name not in self._buffer_names:
            for _, item in _open(name, value):
                if isinstance(item, Tensor):
                    _mark(item)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must define forward(self, ...)")

    def _call(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    if TYPE_CHECKING:
        # `net(x)` takes forward's signature in pure typing (pyright); the plugin does the same
        # for mypy, whose self-type binding gives up on a forward with TypeVars of its own
        def __call__(self: _HasForward[P, R], *args: P.args, **kwargs: P.kwargs) -> R: ...

    else:
        __call__ = _call

    # ------------------------------------------------------------ walking the attributes

    def _members(self) -> Iterator[tuple[str, object]]:
        """(name, value) of each attribute, in assignment order."""
        return iter(vars(self).items())

    def _direct(self) -> Iterator[tuple[str, Tensor[Any, Any, Any, Any] | Module]]:
        """This module's own tensors and child modules; containers are opened (`layers.0`)."""
        for name, value in self._members():
            yield from _open(name, value)

    def _is_buffer(self, name: str, tensor: AnyTensor) -> bool:
        return name in self._buffer_names or tensor._data.dtype.kind != "f"

    def _tensors(
        self, prefix: str = "", ancestors: tuple[int, ...] = ()
    ) -> Iterator[tuple[str, AnyTensor, bool]]:
        """(dotted name, tensor, is_buffer) for every tensor below, shared ones under each name."""
        inside = (*ancestors, id(self))
        for name, value in self._direct():
            if isinstance(value, Tensor):
                yield prefix + name, value, self._is_buffer(name, value)
            elif id(value) not in inside:  # a module that holds its parent is not walked again
                yield from value._tensors(f"{prefix}{name}.", inside)

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module ("") and every submodule, each once."""
        seen: set[int] = set()

        def visit(module: Module, name: str) -> Iterator[tuple[str, Module]]:
            seen.add(id(module))
            yield name, module
            for child_name, value in module._direct():
                if isinstance(value, Module) and id(value) not in seen:
                    yield from visit(value, f"{name}.{child_name}" if name else child_name)

        return visit(self, prefix)

    def modules(self) -> Iterator[Module]:
        """This module and every submodule, each once."""
        return (module for _, module in self.named_modules())

    def named_parameters(self) -> Iterator[tuple[str, AnyTensor]]:
        """(dotted name, tensor) for each parameter, in attribute-assignment order.

        A tensor shared by two attributes is yielded once, under its first name (as torch).
        """
        seen: set[int] = set()
        for name, tensor, is_buffer in self._tensors():
            if not is_buffer and id(tensor) not in seen:
                seen.add(id(tensor))
                _mark(tensor)  # one put into a list after assignment becomes a parameter here
                yield name, tensor

    def parameters(self) -> Iterator[AnyTensor]:
        """Every parameter once; optimizers read these."""
        return (tensor for _, tensor in self.named_parameters())

    def named_buffers(self) -> Iterator[tuple[str, AnyTensor]]:
        """(dotted name, tensor) for each buffer (running statistics and other state)."""
        seen: set[int] = set()
        for name, tensor, is_buffer in self._tensors():
            if is_buffer and id(tensor) not in seen:
                seen.add(id(tensor))
                yield name, tensor

    def buffers(self) -> Iterator[AnyTensor]:
        return (tensor for _, tensor in self.named_buffers())

    def register_buffer(self, name: str, tensor: AnyTensor) -> None:
        """Assign `tensor` as state that is saved, loaded and moved but not trained."""
        if not isinstance(tensor, Tensor):
            raise TypeError(
                f"register_buffer: {name!r} must be a tensor, got {type(tensor).__name__}"
            )
        self._buffer_names = self._buffer_names | {name}
        setattr(self, name, tensor)
        if tensor._origin is LEAF:  # a parameter until now: state from here on
            tensor._origin = None

    def num_params(self) -> int:
        """The number of parameter values (shared tensors counted once), as torch's sum of numel."""
        return sum(int(tensor._data.size) for tensor in self.parameters())

    # ------------------------------------------------------------ modes, gradients, devices

    def train(self, mode: bool = True) -> Self:
        """Training mode for this module and every submodule (Dropout drops, BatchNorm updates)."""
        for _, module in self.named_modules():
            module.training = mode
        return self

    def eval(self) -> Self:
        """Evaluation mode: `train(False)`."""
        return self.train(False)

    def alloc_grads(self) -> Gradients:
        """A `Gradients` with a zero entry for every parameter (nothing is allocated until read)."""
        grads = Gradients()
        for tensor in self.parameters():
            grads._alloc(tensor)
        return grads

    def zero_grads(self, grads: Gradients) -> None:
        """Zero this model's entries in `grads`, ready for the next backward().

        The gradients of tensors that no `alloc_grads` or `zero_grads` named (traced inputs,
        data) are dropped, so one `Gradients` reused step after step holds nothing of earlier
        steps: read `grads[x]` for an input before zeroing.
        """
        for tensor in self.parameters():
            grads._alloc(tensor)
        grads._drop_unallocated()

    def to(self, target: Device | type[DType]) -> Self:
        """Move every parameter and buffer to a device, or convert the float ones to a dtype.

        In place, as torch: each tensor keeps its identity (so `grads[p]` and optimizer state
        still name it); allocate new gradients after a move. Returns the module.
        """
        from shaped.devices import Device

        tensors = {id(t): t for _, t, _ in self._tensors()}.values()
        if isinstance(target, type) and issubclass(target, DType):
            if not target.is_float:
                raise DtypeError(
                    f"to: a module converts its float tensors only, got {target.__name__}; "
                    "use sh.Float16, sh.Float32 or sh.Float64"
                )
            for tensor in tensors:
                if tensor._data.dtype.kind == "f" and tensor._data.dtype.name != target.name:
                    tensor._data = tensor._data.astype(target.name)
            return self
        if not isinstance(target, Device):
            raise TypeError(
                f"to: expected a device (sh.Cpu(), sh.Cuda()) or a dtype (sh.Float64), "
                f"got {target!r}"
            )
        for tensor in tensors:
            moved = tensor.to(target)
            tensor._data, tensor._device = moved._data, moved._device
        for _, module in self.named_modules():
            module._moved_to(target)
        return self

    def _moved_to(self, device: Device) -> None:
        """Called on each module by `to(device)`; modules that draw random numbers switch RNG."""

    # ------------------------------------------------------------ state and checkpoints

    def state_dict(self) -> dict[str, AnyTensor]:
        """Every parameter and buffer by dotted name (the tensors themselves, not copies)."""
        return {name: tensor for name, tensor, _ in self._tensors()}

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> LoadResult:
        """Copy `state` (tensors or arrays by name) into the parameters and buffers; each tensor
        keeps its identity (so `grads[p]` and optimizer state still name it).

        Every name, shape and dtype is checked before anything changes: a problem raises
        `CheckpointError` listing each one with its fix, and leaves the model as it was.
        With `strict=False`, missing and unexpected names are returned instead (as torch).
        """
        return self._load(state, strict, "the state dict", owned=False)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write `state_dict()` to `path` (`.npz`, or `.safetensors` with the extra), atomically."""
        io.save(self.state_dict(), path)

    def load(self, path: str | os.PathLike[str], strict: bool = True) -> Self:
        """Read a checkpoint written by `save` into this model (checked as `load_state_dict`)."""
        self._load(io.load(path), strict, repr(os.fspath(path)), owned=True)
        return self

    def _load(self, state: Mapping[str, Any], strict: bool, source: str, owned: bool) -> LoadResult:
        """Check every entry, then rebind each tensor's data to its new array (as optimizers do:
        arrays that a tape saved stay intact). `owned`: the arrays are fresh, no copy needed."""
        if not isinstance(state, Mapping):
            raise TypeError(
                f"load_state_dict: expected a mapping of names to tensors, got {type(state).__name__}"
            )
        own = self.state_dict()
        missing = [name for name in own if name not in state]
        unexpected = [name for name in state if name not in own]
        problems: list[str] = []
        if strict:
            problems += [
                f"missing {name!r} ({_describe(own[name]._data)}): the checkpoint has no such "
                "tensor; load one saved from this architecture, or pass strict=False to keep "
                "the current value"
                for name in missing
            ]
            problems += [
                f"unexpected {name!r}: this model has no such tensor; check the architecture, "
                "or pass strict=False to ignore it"
                for name in unexpected
            ]
        writes: list[tuple[AnyTensor, Any]] = []
        for name, target in own.items():
            if name in state:
                problem, array = _checked_array(name, state[name], target, owned)
                if problem:
                    problems.append(problem)
                else:
                    writes.append((target, array))
        if problems:
            count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
            lines = "\n".join(f"  - {problem}" for problem in problems)
            raise CheckpointError(
                f"cannot load {source} into {type(self).__name__} ({count}; the model is "
                f"unchanged):\n{lines}"
            )
        for target, array in writes:  # every entry was checked: nothing can fail from here
            data = target._data
            if data.shape == array.shape and data.dtype == array.dtype and data.ndim:
                before_write(target._key, data)  # deferred gradients keep what they read
                data[...] = array  # in place, as torch: views of the parameter stay current
            else:
                target._data = array
        return LoadResult(missing, unexpected)

    # ------------------------------------------------------------ repr

    def extra_repr(self) -> str:
        """The settings shown inside `Name(...)`, as torch's extra_repr."""
        return ""

    def _children(self) -> list[tuple[str, Module]]:
        return [(name, value) for name, value in self._direct() if isinstance(value, Module)]

    def _repr_lines(self) -> list[str]:
        name, extra, children = type(self).__name__, self.extra_repr(), self._children()
        if not children:
            return [f"{name}({extra})"]
        lines = [f"{name}("] + ["  " + line for line in extra.split("\n") if extra]
        for child_name, child in children:
            child_lines = child._repr_lines()
            count = child.num_params()
            if count:
                child_lines[-1] += f"  # {_params(count)}"
            lines.append(f"  ({child_name}): {child_lines[0]}")
            lines += ["  " + line for line in child_lines[1:]]
        return [*lines, ")"]

    def __repr__(self) -> str:
        text = "\n".join(self._repr_lines())
        if self._children():  # a container: the total, as torch's model summaries give it
            text += f"\nTotal params: {self.num_params():,}"
        return text


def _open(name: str, value: object) -> Iterator[tuple[str, Tensor[Any, Any, Any, Any] | Module]]:
    """The tensors and modules in an attribute value: itself, or inside a list/tuple/dict."""
    if isinstance(value, (Tensor, Module)):
        yield name, value
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _open(f"{name}.{index}", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield from _open(f"{name}.{key}", item)


def _mark(tensor: AnyTensor) -> None:
    """A module's float tensor without a tape is a parameter: a leaf of its own."""
    if tensor._origin is not LEAF and tensor._tape is None and tensor._data.dtype.kind == "f":
        tensor._origin = LEAF


def _params(count: int) -> str:
    return f"{count:,} param{'' if count == 1 else 's'}"


def _dtype_name(array: Any) -> str:
    kind = BY_NAME.get(getattr(array.dtype, "name", ""))
    return kind.__name__ if kind is not None else str(array.dtype)


def _describe(array: Any) -> str:
    return f"shape {tuple(array.shape)}, {_dtype_name(array)}"


def _checked_array(name: str, value: object, target: AnyTensor, owned: bool) -> tuple[str, Any]:
    """(problem, None) or ("", the value as a C-contiguous array of the target's, on its device)."""
    data: Any = value._data if isinstance(value, Tensor) else value
    if not hasattr(data, "shape") or not hasattr(data, "dtype"):
        return f"{name!r} is a {type(value).__name__}, not a tensor or array", None
    if getattr(data.dtype, "name", None) not in BY_NAME:
        return (
            f"{name!r} has dtype {data.dtype}, which shaped does not support "
            f"(supported: {', '.join(BY_NAME)})",
            None,
        )
    have, want = tuple(data.shape), tuple(target._data.shape)
    if have != want:
        return (
            f"{name!r} has shape {have} in the checkpoint but {want} in the model: build the "
            "model with the sizes the checkpoint was saved with",
            None,
        )
    if data.dtype != target._data.dtype:
        have_name, want_name = _dtype_name(data), _dtype_name(target._data)
        return (
            f"{name!r} is {have_name} in the checkpoint but {want_name} in the model: build the "
            f"model with dtype=sh.{have_name} (or model.to(sh.{have_name})), or convert the "
            f"checkpoint's tensors with .to(sh.{want_name})",
            None,
        )
    xp = target._device.xp
    try:
        if not (isinstance(value, Tensor) and value._device is target._device):
            data = data.get() if hasattr(data, "get") else data  # host, then onto the device
        if owned:  # not ascontiguousarray: numpy's makes rank 0 rank 1, cupy's refuses numpy
            return "", xp.asarray(data, order="C")
        return "", xp.array(data, copy=True, order="C")
    except Exception as error:  # a foreign array that cannot cross devices
        return f"{name!r} could not be read: {type(error).__name__}: {error}", None
