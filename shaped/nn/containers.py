"""Containers, as torch.nn's: `Identity`, `ModuleList`, `ModuleDict`.

`ModuleList` and `ModuleDict` register their modules as submodules named by position or key
(`layers.0.weight`, `heads.query.weight`), so parameters, buffers, `state_dict`, `to`,
`train`/`eval` and `repr` see them. Both are generic in their element type, so
`for layer in self.layers: x = layer(x)` and `self.heads["query"](x)` are typed by the layer.
"""

# Identity defines __call__ (so both checkers read its signature) where Module's is typed by
# forward through a self type: the override is deliberate.
# pyright: reportIncompatibleMethodOverride=false
# mypy: disable-error-code="override"

from __future__ import annotations

import operator
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import TYPE_CHECKING, Any, Generic, Self, overload

from typing_extensions import TypeVar

from shaped.nn.module import Module
from shaped.tensor import Tensor

__all__ = ["Identity", "ModuleDict", "ModuleList"]

S = TypeVar("S", bound=tuple[Any, ...])
D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")
M = TypeVar("M", bound=Module, default=Module)
Item = TypeVar("Item")


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. for a removed head).

    Accepts and ignores any constructor arguments, as torch.nn.Identity does.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__()

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return x

    forward = __call__


def _module(where: str, module: Item) -> Item:
    if not isinstance(module, Module):
        raise TypeError(
            f"{where}: expected a Module, got {type(module).__name__}; wrap functions in a "
            "Module subclass (or use the activation modules, sh.nn.ReLU())"
        )
    return module


class ModuleList(Module, Generic[M]):
    """A list of modules, registered as submodules named by position (`layers.0.weight`).

    As torch.nn.ModuleList: indexing, iteration, `len`, slicing (a ModuleList of the same
    modules), `append`, `extend`, `insert`, `pop`, `+`, `+=`. Generic in its element type, so
    `for layer in self.layers: x = layer(x)` and `self.layers[0](x)` are checked as that layer.
    mypy with shaped's plugin reads the type from the items (`[Linear(4, 8), Linear(8, 8)]` is
    `ModuleList[Linear[int, L[8]]]`, layers of different classes their common base); pyright
    gives a union and widens literal sizes to int unless the attribute is annotated,
    `self.layers: nn.ModuleList[nn.Linear[L[64], L[64]]] = nn.ModuleList(...)`. It has no
    forward: call its modules.
    """

    def __init__(self, modules: Iterable[M] | None = None) -> None:
        super().__init__()
        self._items: list[M] = []
        if modules is not None:
            self.extend(modules)

    def _members(self) -> Iterator[tuple[str, object]]:
        for index, module in enumerate(self._items):
            yield str(index), module
        for name, value in vars(self).items():
            if name != "_items":
                yield name, value

    def _index(self, index: int) -> int:
        try:
            index = operator.index(index)  # numpy integers too, as torch
        except TypeError:
            raise TypeError(
                f"ModuleList indices must be integers or slices, not {type(index).__name__}"
            ) from None
        size = len(self._items)
        if not -size <= index < size:
            raise IndexError(f"ModuleList index {index} is out of range (length {size})")
        return index % size

    @overload
    def __getitem__(self, index: int) -> M: ...
    @overload
    def __getitem__(self, index: slice) -> ModuleList[M]: ...
    def __getitem__(self, index: int | slice) -> M | ModuleList[M]:
        if isinstance(index, slice):
            return ModuleList(self._items[index])
        return self._items[self._index(index)]

    def __setitem__(self, index: int, module: M) -> None:
        self._items[self._index(index)] = _module("ModuleList", module)

    def __delitem__(self, index: int | slice) -> None:
        if isinstance(index, slice):
            del self._items[index]
        else:
            del self._items[self._index(index)]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[M]:
        return iter(self._items)

    def __iadd__(self, modules: Iterable[M]) -> Self:
        return self.extend(modules)

    def __add__(self, other: Iterable[M]) -> ModuleList[M]:
        return ModuleList([*self._items, *other])

    def append(self, module: M) -> Self:
        """Add `module` at the end; returns the list."""
        self._items.append(_module("ModuleList.append", module))
        return self

    def extend(self, modules: Iterable[M]) -> Self:
        """Add each of `modules` at the end; returns the list."""
        if not isinstance(modules, Iterable):
            raise TypeError(
                f"ModuleList.extend: expected an iterable of modules, got {type(modules).__name__}"
            )
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: M) -> None:
        """Insert `module` before position `index` (as list.insert)."""
        self._items.insert(index, _module("ModuleList.insert", module))

    def pop(self, index: int = -1) -> M:
        """Remove and return the module at `index` (the last by default)."""
        return self._items.pop(self._index(index))

    def _repr_lines(self) -> list[str]:
        """torch's: runs of equal modules are shown once, `(0-2): 3 x Linear(...)`."""
        name = type(self).__name__
        blocks: list[tuple[int, int, list[str], int]] = []  # first, last, lines, params each
        for index, module in enumerate(self._items):
            lines = module._repr_lines()
            if blocks and blocks[-1][2] == lines:
                blocks[-1] = (blocks[-1][0], index, lines, blocks[-1][3])
            else:
                blocks.append((index, index, lines, module.num_params()))
        if not blocks:
            return [f"{name}()"]
        out = [f"{name}("]
        for first, last, lines, params in blocks:
            shown = list(lines)
            label = f"({first})" if first == last else f"({first}-{last}): {last - first + 1} x"
            if params:
                each = " each" if first != last else ""
                shown[-1] += f"  # {params:,} param{'' if params == 1 else 's'}{each}"
            out.append(f"  {label}{':' if first == last else ''} {shown[0]}")
            out += ["  " + line for line in shown[1:]]
        return [*out, ")"]


class ModuleDict(Module, Generic[M]):
    """A dict of modules, registered as submodules named by key (`heads.query.weight`).

    As torch.nn.ModuleDict: `d[key]`, `d[key] = m`, `del d[key]`, `key in d`, `len`,
    iteration over keys, `keys()`, `values()`, `items()`, `update(...)`, `pop(key)`, `clear()`,
    insertion order kept; `d.key` reads a module too. A key must be a non-empty str without
    '.' that is not an attribute of the dict (`"keys"`, `"training"` are refused, as torch).
    Generic in its element type, as `ModuleList` (`d.key` is typed as the element too).
    """

    def __init__(
        self, modules: Mapping[str, M] | ModuleDict[M] | Iterable[tuple[str, M]] | None = None
    ) -> None:
        super().__init__()
        self._items: dict[str, M] = {}
        if modules is not None:
            self.update(modules)

    def _members(self) -> Iterator[tuple[str, object]]:
        yield from self._items.items()
        for name, value in vars(self).items():
            if name != "_items":
                yield name, value

    def __getitem__(self, key: str) -> M:
        return self._items[key]

    def __setitem__(self, key: str, module: M) -> None:
        if not isinstance(key, str):
            raise TypeError(f"ModuleDict keys must be str, got {type(key).__name__}")
        if key == "" or "." in key:
            raise KeyError(
                f"ModuleDict: a key can't be empty or contain '.', got {key!r}; nest "
                "ModuleDicts to make a dotted path"
            )
        if key not in self._items and hasattr(self, key):
            raise KeyError(f"ModuleDict: attribute {key!r} already exists; use another key")
        self._items[key] = _module(f"ModuleDict[{key!r}]", module)

    def add_module(self, name: str, module: Module | None) -> None:
        """`d[name] = module`."""
        self[name] = module  # type: ignore[assignment]

    def __delitem__(self, key: str) -> None:
        del self._items[key]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def keys(self) -> KeysView[str]:
        return self._items.keys()

    def values(self) -> ValuesView[M]:
        return self._items.values()

    def items(self) -> ItemsView[str, M]:
        return self._items.items()

    def update(self, modules: Mapping[str, M] | ModuleDict[M] | Iterable[tuple[str, M]]) -> None:
        """Add (or replace) modules from a mapping, a ModuleDict or (key, module) pairs, in
        order."""
        if isinstance(modules, Mapping | ModuleDict):
            pairs: Iterable[Any] = modules.items()
        elif isinstance(modules, Iterable):
            pairs = modules
        else:
            raise TypeError(
                "ModuleDict.update: expected a mapping or an iterable of (key, module) pairs, "
                f"got {type(modules).__name__}"
            )
        for index, pair in enumerate(pairs):
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise ValueError(
                    f"ModuleDict.update: element {index} should be a (key, module) pair, got "
                    f"{type(pair).__name__}"
                    + (f" of length {len(pair)}" if hasattr(pair, "__len__") else "")
                )
            self[pair[0]] = pair[1]

    def pop(self, key: str) -> M:
        """Remove and return the module under `key`."""
        return self._items.pop(key)

    def clear(self) -> None:
        """Remove every module."""
        self._items.clear()

    if TYPE_CHECKING:

        def __getattr__(self, name: str) -> M: ...  # `d.query`, as torch

    else:

        def __getattr__(self, name):
            items = self.__dict__.get("_items")
            if items is not None and name in items:
                return items[name]
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

        def __setattr__(self, name, value):  # `d.key = module` is `d["key"] = module`, as torch
            if isinstance(value, Module) and "_items" in self.__dict__:
                self[name] = value
            else:
                super().__setattr__(name, value)

        def __delattr__(self, name):
            items = self.__dict__.get("_items")
            if items is not None and name in items:
                del items[name]
            else:
                super().__delattr__(name)
