"""`Sequential`: the tuple-sequential module (dfdx's tuples of modules)."""

# Each layer defines __call__ (so both checkers read its overloads) where Module's is typed by
# forward through a self type: the override is deliberate.
# pyright: reportIncompatibleMethodOverride=false
# mypy: disable-error-code="override"

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from typing_extensions import TypeVar, TypeVarTuple

from shaped.errors import ShapeError
from shaped.nn.module import Module
from shaped.tensor import Tensor

__all__ = ["Sequential"]

Ms = TypeVarTuple("Ms")
D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")


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
    """

    def __new__(cls, *layers: *Ms) -> Sequential[*Ms]:
        for index, layer in enumerate(cast("tuple[object, ...]", layers)):
            if not isinstance(layer, Module):
                raise TypeError(
                    f"Sequential: layer {index} is a {type(layer).__name__}, not a module; wrap "
                    "functions in a Module subclass (or use the activation modules, sh.nn.ReLU())"
                )
        return tuple.__new__(cls, layers)  # type: ignore[arg-type]

    def __init__(self, *layers: *Ms) -> None:
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

    if not TYPE_CHECKING:  # checkers keep tuple's precise per-index types

        def __getitem__(self, index):
            item = tuple.__getitem__(self, index)
            return Sequential(*item) if isinstance(index, slice) else item

    def _members(self) -> Iterator[tuple[str, object]]:
        for index, layer in enumerate(cast("tuple[object, ...]", self)):
            yield str(index), layer
        yield from super()._members()

    def __repr__(self) -> str:
        return Module.__repr__(self)
