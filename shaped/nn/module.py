"""`Module`: the base of every layer and of users' models, PyTorch-style.

A module's parameters are the float tensors among its attributes, found by walking them in
assignment order (into submodules, and into lists, tuples and dicts of them): there is
nothing to register. Each is marked as a parameter (a leaf, see shaped/tape.py), so its
gradient reaches it through any ops, those made before the trace too (`w.T`, `w1 + w2`).
Buffers (state that is saved and moved but not trained, such as BatchNorm's running
statistics) are named with `register_buffer`; integer and bool tensors are buffers too.
`m(x)` calls `m.forward(x)` directly, without an extra Python frame; a module with forward
hooks is moved to a subclass whose `__call__` runs them (and back when the last is removed), so
modules without hooks pay nothing for them.

The walk's result (every tensor by dotted name) is kept per module and reused while nothing it
read has changed: each module's attributes (their identities), every list and dict it opened,
and a counter that `__setattr__`, `__delattr__`, `register_buffer`, `to`, `requires_grad_` and
`load_state_dict` advance. So `parameters()` costs a few checks per module, not a walk, and
optimizers and `zero_grads` read it at every step for next to nothing.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Iterator, Mapping
from itertools import count
from operator import is_
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
from shaped.tape import LEAF, Gradients, before_write, frozen
from shaped.tensor import Tensor

if TYPE_CHECKING:
    from shaped.devices import Device

__all__ = ["LoadResult", "Module", "RemovableHandle"]

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
        old = self.__dict__.get(name)
        super().__setattr__(name, value)
        if name not in self._buffer_names:
            for _, item in _open(name, value):
                if isinstance(item, Tensor):
                    _mark(item)
        if isinstance(value, _WALKED) or isinstance(old, _WALKED) or name == "_buffer_names":
            _changed()

    def __delattr__(self, name: str) -> None:
        super().__delattr__(name)
        _changed()

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

    # ------------------------------------------------------------ forward hooks

    def register_forward_pre_hook(
        self, hook: Callable[..., object], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Run `hook(module, args)` before each `module(...)`, as torch: it may return new
        args (a tuple, or one value for a one-argument call). With `with_kwargs=True` it is
        `hook(module, args, kwargs)` returning None or `(args, kwargs)`. `prepend=True` runs it
        before the hooks registered earlier. Calling `module.forward(x)` runs no hooks."""
        return _add_hook(self, "pre", hook, prepend, with_kwargs)

    def register_forward_hook(
        self, hook: Callable[..., object], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Run `hook(module, args, output)` after each `module(...)`, as torch: it may return a
        new output. With `with_kwargs=True` it is `hook(module, args, kwargs, output)`.
        `args` are those forward got (after the pre-hooks)."""
        return _add_hook(self, "post", hook, prepend, with_kwargs)

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

    def _walk(self) -> _Walk:
        """The walk's result, kept while nothing it read has changed (see the module doc)."""
        walk = self.__dict__.get(_WALK_KEY)
        if walk is None or not walk.valid():
            walk = _Walk(self)
            self.__dict__[_WALK_KEY] = walk  # not through __setattr__: nothing changed
        return walk

    def _parameter_list(self) -> list[AnyTensor]:
        """The parameters as one list, the same list object while they stay the same (what
        optimizers read at each update)."""
        params = self._walk().params
        _mark_all(params)
        return params

    def named_modules(
        self, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module ("") and every submodule, depth first in
        assignment order, each once (as torch; `remove_duplicate=False`: under each name)."""
        seen: set[int] = set()

        def visit(
            module: Module, name: str, inside: tuple[int, ...]
        ) -> Iterator[tuple[str, Module]]:
            seen.add(id(module))
            yield name, module
            for child_name, value in module._direct():
                if not isinstance(value, Module) or id(value) in inside:
                    continue  # a module that holds its parent is not walked again
                if remove_duplicate and id(value) in seen:
                    continue
                child = f"{name}.{child_name}" if name else child_name
                yield from visit(value, child, (*inside, id(value)))

        return visit(self, prefix, (id(self),))

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for each direct submodule, each once, in assignment order."""
        seen: set[int] = set()
        for name, value in self._direct():
            if isinstance(value, Module) and id(value) not in seen:
                seen.add(id(value))
                yield name, value

    def children(self) -> Iterator[Module]:
        """Each direct submodule once (not this module, not grandchildren)."""
        return (module for _, module in self.named_children())

    def add_module(self, name: str, module: Module | None) -> None:
        """Assign `module` as the submodule `name` (torch's add_module: `setattr` with checks)."""
        if not isinstance(name, str):
            raise TypeError(f"add_module: the name must be a str, got {type(name).__name__}")
        if module is not None and not isinstance(module, Module):
            raise TypeError(
                f"add_module: {name!r} must be a Module (or None), got {type(module).__name__}"
            )
        if name == "" or "." in name:
            raise KeyError(
                f"add_module: module name can't be empty or contain '.', got {name!r}; "
                "nest modules to make a dotted path"
            )
        if hasattr(self, name) and not isinstance(getattr(self, name), Module):
            raise KeyError(f"add_module: attribute {name!r} already exists")
        setattr(self, name, module)

    def register_module(self, name: str, module: Module | None) -> None:
        """Alias for `add_module`."""
        self.add_module(name, module)

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path `target` ("" is this module), as torch."""
        module, atoms, start = self, target.split(".") if target else [], 0
        while start < len(atoms):
            members = dict(module._direct())
            # the longest name first: a module in a list attribute is named `blocks.0`
            end = next(
                (e for e in range(len(atoms), start, -1) if ".".join(atoms[start:e]) in members),
                None,
            )
            if end is None:
                raise AttributeError(f"{type(module).__name__} has no attribute `{atoms[start]}`")
            value = members[".".join(atoms[start:end])]
            if not isinstance(value, Module):
                raise AttributeError(f"`{'.'.join(atoms[start:end])}` is not an nn.Module")
            module, start = value, end
        return module

    def get_parameter(self, target: str) -> AnyTensor:
        """The parameter at the dotted path `target` (`"encoder.0.weight"`), as torch."""
        return self._get_tensor(target, buffer=False)

    def get_buffer(self, target: str) -> AnyTensor:
        """The buffer at the dotted path `target` (`"norm.running_mean"`), as torch."""
        return self._get_tensor(target, buffer=True)

    def _get_tensor(self, target: str, buffer: bool) -> AnyTensor:
        for name, tensor, is_buffer in self._walk().entries:
            if name == target:
                if is_buffer is not buffer:
                    kind, other = ("buffer", "parameter") if buffer else ("parameter", "buffer")
                    raise AttributeError(
                        f"`{target}` is a {other}, not a {kind}: use get_{other}({target!r})"
                    )
                return tensor
        path, _, last = target.rpartition(".")
        owner = self.get_submodule(path) if path else self
        raise AttributeError(
            f"{type(owner).__name__} has no {'buffer' if buffer else 'parameter'} `{last}`"
        )

    def apply(self, fn: Callable[[Module], object]) -> Self:
        """Call `fn` on every submodule (children first, post-order as torch), then on this
        module; returns it. For initialisation: `model.apply(init_weights)`."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Self:
        """Freeze (False) or unfreeze every parameter, as torch: a frozen parameter gets no
        gradient, `alloc_grads`/`zero_grads` and optimizers skip it, and backward does not
        compute it. Returns the module."""
        for tensor in self.parameters():
            tensor.requires_grad_(requires_grad)
        _changed()
        return self

    def modules(self) -> Iterator[Module]:
        """This module and every submodule, each once."""
        return (module for _, module in self.named_modules())

    def named_parameters(self) -> Iterator[tuple[str, AnyTensor]]:
        """(dotted name, tensor) for each parameter, in attribute-assignment order.

        A tensor shared by two attributes is yielded once, under its first name (as torch).
        """
        walk = self._walk()
        _mark_all(walk.params)
        return iter(walk.named)

    def parameters(self) -> Iterator[AnyTensor]:
        """Every parameter once; optimizers read these."""
        return iter(self._parameter_list())

    def named_buffers(self) -> Iterator[tuple[str, AnyTensor]]:
        """(dotted name, tensor) for each buffer (running statistics and other state)."""
        return iter(self._walk().named_buffers)

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
        _changed()

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
        """A `Gradients` with a zero entry for every parameter that is not frozen (nothing is
        allocated until read)."""
        grads = Gradients()
        grads._zero_all(self._parameter_list())
        return grads

    def zero_grads(self, grads: Gradients) -> None:
        """Zero this model's entries in `grads`, ready for the next backward() (a frozen
        parameter's entry is dropped).

        The gradients of tensors that no `alloc_grads` or `zero_grads` named (traced inputs,
        data) are dropped, so one `Gradients` reused step after step holds nothing of earlier
        steps: read `grads[x]` for an input before zeroing.
        """
        # a parameter frozen since the last step loses its entry (as torch's None)
        grads._zero_all(self._parameter_list(), forget_frozen=True)
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
            _changed()
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
        _changed()
        return self

    def _moved_to(self, device: Device) -> None:
        """Called on each module by `to(device)`; modules that draw random numbers switch RNG."""

    # ------------------------------------------------------------ state and checkpoints

    def state_dict(self) -> dict[str, AnyTensor]:
        """Every parameter and buffer by dotted name (the tensors themselves, not copies)."""
        return {name: tensor for name, tensor, _ in self._walk().entries}

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
        _changed()
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


# ---------------------------------------------------------------- forward hooks


class _Hooks:
    """A hooked module's hooks by handle id, in the order they run: (hook, with_kwargs)."""

    __slots__ = ("post", "pre")

    def __init__(self) -> None:
        self.pre: dict[int, tuple[Callable[..., Any], bool]] = {}
        self.post: dict[int, tuple[Callable[..., Any], bool]] = {}


class RemovableHandle:
    """What `register_forward_hook` and `register_forward_pre_hook` return: `.remove()` takes
    the hook off (so does leaving `with handle:`), as torch's."""

    _ids = count()

    def __init__(self, module: Module, table: dict[int, tuple[Callable[..., Any], bool]]) -> None:
        self.id = next(self._ids)
        self._module = module
        self._table = table

    def remove(self) -> None:
        """Take the hook off; removing it twice does nothing."""
        self._table.pop(self.id, None)
        module = self._module
        hooks = module.__dict__.get("_forward_hooks")
        if hooks is not None and not hooks.pre and not hooks.post:  # the last one: plain again
            del module.__dict__["_forward_hooks"]
            unhooked = getattr(type(module), "_unhooked", None)
            if unhooked is not None:
                module.__class__ = unhooked

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


_HOOKED: dict[type[Module], type[Module]] = {}  # class -> its subclass that runs hooks


def _add_hook(
    module: Module, kind: str, hook: Callable[..., object], prepend: bool, with_kwargs: bool
) -> RemovableHandle:
    if not callable(hook):
        raise TypeError(f"forward hook must be callable, got {type(hook).__name__}")
    hooks = module.__dict__.get("_forward_hooks")
    if hooks is None:
        # `m(x)` looks __call__ up on the class: move the module to one that runs the hooks
        hooks = module.__dict__["_forward_hooks"] = _Hooks()
        module.__class__ = _hooked_class(type(module))
    table: dict[int, tuple[Callable[..., Any], bool]] = getattr(hooks, kind)
    handle = RemovableHandle(module, table)
    if prepend:
        earlier = list(table.items())
        table.clear()
        table[handle.id] = (hook, with_kwargs)
        table.update(earlier)
    else:
        table[handle.id] = (hook, with_kwargs)
    return handle


def _hooked_class(base: type[Module]) -> type[Module]:
    """`base` with a `__call__` that runs the instance's hooks around base's own (same name)."""
    hooked = _HOOKED.get(base)
    if hooked is None:
        namespace = {
            "__call__": _call_with_hooks,
            "_unhooked": base,
            "__module__": base.__module__,
            "__qualname__": base.__qualname__,
            "__doc__": base.__doc__,
        }
        hooked = _HOOKED[base] = type(base.__name__, (base,), namespace)
    return hooked


def _call_with_hooks(self: Module, *args: Any, **kwargs: Any) -> Any:
    hooks: _Hooks = self.__dict__["_forward_hooks"]
    for hook, with_kwargs in tuple(hooks.pre.values()):
        if with_kwargs:
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        "forward pre-hook registered with_kwargs=True must return None or a "
                        f"tuple (new_args, new_kwargs), got {type(result).__name__}"
                    )
                args, kwargs = result
        else:
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
    output = type(self)._unhooked.__call__(self, *args, **kwargs)  # type: ignore[attr-defined]
    for hook, with_kwargs in tuple(hooks.post.values()):
        result = hook(self, args, kwargs, output) if with_kwargs else hook(self, args, output)
        if result is not None:
            output = result
    return output


# ---------------------------------------------------------------- walking helpers

_WALK_KEY = "_shaped_walk"  # where a module keeps its _Walk (in its __dict__, never walked)
_generation = 0  # advanced by every change through the Module API that a walk may depend on


def _changed() -> None:
    """Every kept walk is stale from here on (it is made again when next read); each lets go
    of what it holds, so a replaced parameter is not kept alive by a walk nobody reads."""
    global _generation
    _generation += 1
    if _kept:
        for walk in list(_kept):
            walk.release()
        _kept.clear()


class _Walk:
    """A module's walk (`_tensors()`) and what it read, to tell whether it still holds.

    It read each module's `__dict__` (its size, and the attributes that can hold tensors or
    modules, by identity: so a swap through `object.__setattr__` is seen too), the lists and
    dicts it opened (their items by identity), and `_generation` (register_buffer, to, ...).
    Copied or pickled, it is stale (it names the original's tensors). (No __slots__: `_kept`
    holds walks by weak reference.)
    """

    def __init__(self, root: Module) -> None:
        self.generation = _generation
        self.modules: list[tuple[dict[str, Any], int, tuple[tuple[str, object], ...]]] = []
        self.containers: list[tuple[Any, tuple[object, ...] | None, tuple[object, ...]]] = []
        self._read(root)
        self.entries = list(root._tensors())
        self.named: list[tuple[str, AnyTensor]] = []
        self.named_buffers: list[tuple[str, AnyTensor]] = []
        seen: set[int] = set()
        for name, tensor, is_buffer in self.entries:
            if id(tensor) not in seen:
                seen.add(id(tensor))
                (self.named_buffers if is_buffer else self.named).append((name, tensor))
        self.params = [tensor for _, tensor in self.named]
        _kept.add(self)

    def release(self) -> None:
        """Stale for good, holding nothing (lists handed out before are left as they were)."""
        self.generation = -1
        self.modules, self.containers, self.entries = [], [], []
        self.named, self.named_buffers, self.params = [], [], []

    def _read(self, root: Module) -> None:
        """Record what the walk from `root` reads: every module below once, every container."""
        seen: set[int] = set()
        stack = [root]
        while stack:
            module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            attributes = module.__dict__
            kept = []
            for name, value in attributes.items():
                if isinstance(value, _WALKED) or name == "_buffer_names":
                    kept.append((name, value))
                    _containers(value, self.containers)
            size = len(attributes) - (_WALK_KEY in attributes)
            self.modules.append((attributes, size, tuple(kept)))
            stack.extend(value for _, value in module._direct() if isinstance(value, Module))

    def valid(self) -> bool:
        """Whether a walk now would find what this one found."""
        if self.generation != _generation:
            return False
        for attributes, size, kept in self.modules:
            if len(attributes) - (_WALK_KEY in attributes) != size:
                return False
            for name, value in kept:
                if attributes.get(name, _MISSING) is not value:
                    return False
        for container, keys, values in self.containers:
            if len(container) != len(values):
                return False
            if keys is None:
                if not all(map(is_, container, values)):
                    return False
            elif not all(map(is_, container, keys)) or not all(
                map(is_, container.values(), values)
            ):
                return False
        return True

    def __reduce__(self) -> tuple[Any, ...]:
        return (_stale_walk, ())


def _stale_walk() -> None:
    """What a copied or unpickled _Walk becomes: none (the copy walks afresh)."""
    return None


_MISSING = object()
_kept: weakref.WeakSet[_Walk] = weakref.WeakSet()  # the walks that are not released yet


def _containers(value: object, out: list[Any]) -> None:
    """The lists and dicts that `_open` would look into inside `value`, with their items."""
    if isinstance(value, list):
        out.append((value, None, tuple(value)))
        for item in value:
            _containers(item, out)
    elif isinstance(value, tuple) and not isinstance(value, Module):
        for item in value:
            _containers(item, out)
    elif isinstance(value, dict):
        out.append((value, tuple(value), tuple(value.values())))
        for key, item in value.items():
            if isinstance(key, str):
                _containers(item, out)


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


def _mark_all(params: list[AnyTensor]) -> None:
    """`_mark` each parameter that is not a leaf now (one put into a list after assignment,
    say): a module's float tensor is a parameter whenever it is read as one."""
    for tensor in params:
        if tensor._origin is not LEAF:
            _mark(tensor)


def _mark(tensor: AnyTensor) -> None:
    """A module's float tensor without a tape is a parameter: a leaf of its own (unless frozen)."""
    if (
        tensor._origin is not LEAF
        and tensor._tape is None
        and tensor._data.dtype.kind == "f"
        and tensor._key not in frozen
    ):
        tensor._origin = LEAF


_WALKED = (Tensor, Module, list, tuple, dict)  # attribute values a walk can look into


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
