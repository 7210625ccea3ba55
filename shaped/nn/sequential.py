"""`Sequential`: the tuple-sequential module (dfdx's tuples of modules)."""

# Each layer defines __call__ (so both checkers read its overloads) where Module's is typed by
# forward through a self type: the override is deliberate.
# pyright: reportIncompatibleMethodOverride=false
# mypy: disable-error-code="override"

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, cast, overload

from typing_extensions import TypeVar, TypeVarTuple

from shaped.errors import ShapeError
from shaped.nn.module import Module
from shaped.tensor import Tensor

__all__ = ["Sequential"]

Ms = TypeVarTuple("Ms")
D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")
Layer = TypeVar("Layer", bound=Module)


def _describe(layer: Module) -> str:
    """Linear[500, 10]: the class with the sizes its type parameters name."""
    sizes = [getattr(layer, name, None) for name in type(layer)._type_args]
    shown = ", ".join(str(size) for size in sizes if isinstance(size, int))
    return f"{type(layer).__name__}[{shown}]" if shown else type(layer).__name__


class Sequential(tuple[*Ms], Module):
    """Layers applied in order: `Sequential(Linear(784, 128), ReLU(), Linear(128, 10))`.

    A tuple of its layers (it indexes, unpacks, nests and slices like one; a slice is a
    Sequential) with the Module API: parameters are named by position, `0.weight`, `2.bias`.
    `Sequential[Linear[L[784], L[128]], ReLU]` is also an architecture for `build_module`.

    As torch, `Sequential(OrderedDict([("conv1", Conv2d(1, 20, 5)), ("relu1", ReLU())]))` names
    its layers: parameters `conv1.weight`, attribute access `seq.conv1`, indexing still by
    position. Statically such a Sequential is a tuple of its layers' common type, and its
    output's shape is not computed (`Tensor[tuple[Any, ...], ...]`): the run time checks it.
    """

    _names: tuple[str, ...] | None = None  # the OrderedDict's keys, when built from one

    @overload
    def __new__(cls, layers: Mapping[Any, Layer], /) -> Sequential[*tuple[Layer, ...]]: ...
    @overload
    def __new__(cls, *layers: *Ms) -> Sequential[*Ms]: ...
    # mypy 2.4 cannot match *args to an overload with *Ms (a false [misc]); pyright can
    def __new__(cls, *layers: *tuple[Any, ...]) -> Any:  # type: ignore[misc]
        names = None
        if len(layers) == 1 and isinstance(layers[0], Mapping):  # torch takes an OrderedDict
            names = tuple(layers[0])
            for name in names:
                if not isinstance(name, str) or name == "" or "." in name:
                    raise KeyError(
                        f"Sequential: layer names must be non-empty strs without '.', got {name!r}"
                    )
            layers = tuple(layers[0].values())
        for index, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(
                    f"Sequential: layer {index} is a {type(layer).__name__}, not a module; wrap "
                    "functions in a Module subclass (or use the activation modules, "
                    "sh.nn.ReLU())"
                )
        self = tuple.__new__(cls, layers)
        if names is not None:
            self._names = names
        return self

    @overload
    def __init__(self: Sequential[*tuple[Layer, ...]], layers: Mapping[Any, Layer], /) -> None: ...
    @overload
    def __init__(self, *layers: *Ms) -> None: ...
    def __init__(self, *layers: *tuple[Any, ...]) -> None:  # type: ignore[misc]
        Module.__init__(self)

    def __getnewargs__(self) -> tuple[Any, ...]:
        return tuple(self)  # copy and pickle call __new__(cls, *layers)

    def __call__(self, x: Tensor[Any, D, Dev, T]) -> Tensor[tuple[Any, ...], D, Dev, T]:
        """x through each layer in turn."""
        for index, layer in enumerate(cast("tuple[Any, ...]", self)):
            try:
                x = layer(x)
            except ShapeError as error:  # name the layer, as the mypy plugin does
                raise ShapeError(
                    f"Sequential layer {index} ({_describe(layer)}): {error}"
                ) from None
        return x

    forward = __call__

    if TYPE_CHECKING:

        def __getattr__(self, name: str) -> Module:
            """`seq.conv1`: a layer of a Sequential built from an OrderedDict, by its name."""
            ...

    else:  # checkers keep tuple's precise per-index types

        def __getitem__(self, index):
            item = tuple.__getitem__(self, index)
            if not isinstance(index, slice):
                return item
            if self._names is None:
                return Sequential(*item)
            return Sequential(OrderedDict(zip(self._names[index], item)))  # names kept, as torch

        def __getattr__(self, name):  # seq.conv1, for a Sequential built from an OrderedDict
            names = self._names
            if names is not None and name in names:
                return tuple.__getitem__(self, names.index(name))
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _members(self) -> Iterator[tuple[str, object]]:
        names = self._names
        for index, layer in enumerate(cast("tuple[object, ...]", self)):
            yield (str(index) if names is None else names[index]), layer
        yield from super()._members()

    def __repr__(self) -> str:
        return Module.__repr__(self)
