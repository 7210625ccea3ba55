"""`build_module`: an architecture written as a type, built on a device (dfdx's build_module).

```python
Mlp = tuple[sh.nn.Linear[L[784], L[128]], sh.nn.ReLU, sh.nn.Linear[L[128], L[10]]]
model = dev.build_module(Mlp)      # Sequential(Linear(784, 128), ReLU(), Linear(128, 10))
```

The `Literal` type arguments are read at run time (typing.get_origin / get_args) and given
to the constructor in type-parameter order; type arguments that are module types (as in
`Residual[Linear[L[64], L[64]]]`) are built themselves; nested tuples become nested
Sequentials. Parameters are drawn from the device's RNG.
"""

from __future__ import annotations

import inspect
import typing
from typing import TYPE_CHECKING, Any, get_args, get_origin, overload

import typing_extensions
from typing_extensions import TypeVar, TypeVarTuple

from shaped.dtypes import DType, Float32
from shaped.nn.module import Module
from shaped.nn.sequential import Sequential

if TYPE_CHECKING:
    from shaped.devices import Device

__all__ = ["build_module"]

Ms = TypeVarTuple("Ms")
M = TypeVar("M", bound=Module)

_LITERALS = (typing.Literal, typing_extensions.Literal)


# with another dtype= the layers' dtype differs from their types' (Float32 by default):
# pure typing cannot rewrite them, so that call is Any there (the plugin rewrites them)
@overload
def build_module(
    arch: type[tuple[*Ms]], device: Device | None = None, *, dtype: type[Float32] = Float32
) -> Sequential[*Ms]: ...
@overload
def build_module(
    arch: type[M], device: Device | None = None, *, dtype: type[Float32] = Float32
) -> M: ...
@overload
def build_module(
    arch: object, device: Device | None = None, *, dtype: type[DType] = Float32
) -> Any: ...
def build_module(
    arch: object, device: Device | None = None, *, dtype: type[DType] = Float32
) -> Any:
    """Build `arch` (a tuple of module types, a `Sequential[...]` type, or a module type).

    Parameters are drawn from `device`'s RNG (the layers' default device when None) with
    the float `dtype`, unless a layer's type names its own (`Linear[L[4], L[8], sh.Float64]`). A size given as `int` instead of a `Literal` is a TypeError naming it.
    """
    return _build(arch, device, dtype, "")


def _build(arch: object, device: Device | None, dtype: type[DType], path: str) -> Any:
    """`path` names the layer being built as its parameters will be named ("3.1")."""
    where = f" (layer {path})" if path else ""
    origin, args = get_origin(arch), get_args(arch)
    if origin is None:
        origin = arch
    if origin is tuple or (isinstance(origin, type) and issubclass(origin, Sequential)):
        if ... in args:
            raise TypeError(
                f"build_module{where}: {_name(arch)} has no fixed length; list the layers, "
                "e.g. tuple[Linear[L[4], L[8]], ReLU]"
            )
        return Sequential(
            *(
                _build(layer, device, dtype, f"{path}.{i}" if path else str(i))
                for i, layer in enumerate(args)
            )
        )
    if not (isinstance(origin, type) and issubclass(origin, Module)):
        raise TypeError(
            f"build_module{where}: expected a module type, a tuple of module types or a "
            f"Sequential[...] type, got {_name(arch)}"
        )
    values, own_dtype = _type_values(origin, args, device, dtype, path)
    if own_dtype is not None and own_dtype is not Float32:  # `Linear[L[4], L[8], sh.Float64]`
        dtype = own_dtype
    names = origin._type_args
    accepted = inspect.signature(origin).parameters
    extras: dict[str, Any] = {}
    if device is not None and ("device" in accepted or _takes_kwargs(accepted)):
        extras["device"] = device
    if "dtype" in accepted or _takes_kwargs(accepted):
        extras["dtype"] = dtype
    if names:
        return origin(**dict(zip(names, values)), **extras)
    return origin(*values, **extras)


def _type_values(
    cls: type[Module], args: tuple[Any, ...], device: Device | None, dtype: type[DType], path: str
) -> tuple[list[Any], type[DType] | None]:
    """The constructor value of each type argument (a Literal's value, or the module built),
    and the parameters' dtype the type gives (a layer's `PD` argument), if any."""
    where = f" (layer {path})" if path else ""
    params: tuple[Any, ...] = getattr(cls, "__parameters__", ())
    args = args or params  # unsubscripted: only parameters with defaults can be filled
    names = cls._type_args or tuple(getattr(p, "__name__", str(p)) for p in params)
    given: dict[Any, Any] = {}  # type parameter -> its type argument
    values: list[Any] = []
    own_dtype: type[DType] | None = None
    for index, arg in enumerate(args):
        param = params[index] if index < len(params) else None
        if getattr(param, "__name__", None) == "PD":  # the parameters' dtype, not a size
            if isinstance(arg, type) and issubclass(arg, DType):
                own_dtype = arg
            continue
        name = names[index] if index < len(names) else f"#{index}"
        label = f"{cls.__name__}'s parameter {getattr(param, '__name__', index)} ({name})"
        # an unfilled parameter takes its default, which may name an earlier one
        # (MaxPool2d's stride defaults to its kernel size)
        while isinstance(arg, (typing.TypeVar, typing_extensions.TypeVar)):
            if arg in given:
                arg = given[arg]
            elif getattr(arg, "has_default", lambda: False)():
                arg = getattr(arg, "__default__")  # noqa: B009
            else:
                raise TypeError(
                    f"build_module{where}: {label} is not given: write the sizes as type "
                    f"arguments, e.g. {cls.__name__}[L[...], ...]"
                )
        if get_origin(arg) in _LITERALS:
            literal = get_args(arg)
            # a flag (LSTM's BatchFirst: a TypeVar bound to bool) takes L[True] or L[False]
            flag = getattr(param, "__bound__", None) is bool
            if len(literal) == 1 and flag and isinstance(literal[0], bool):
                values.append(literal[0])
                given[param] = arg
                continue
            if len(literal) != 1 or isinstance(literal[0], bool) or not isinstance(literal[0], int):
                raise TypeError(
                    f"build_module{where}: {label} must be one int Literal such as L[128], "
                    f"got {_name(arg)}"
                )
            values.append(literal[0])
        elif _literal_pair(arg) is not None:  # a per-axis size: tuple[L[3], L[5]]
            values.append(_literal_pair(arg))
        elif _is_module_type(arg):
            values.append(_build(arg, device, dtype, f"{path}.{name}" if path else name))
        else:
            raise TypeError(
                f"build_module{where}: {label} must be a Literal such as L[128], got "
                f"{_name(arg)}: build_module reads the sizes from the type"
            )
        given[param] = arg
    return values, own_dtype


def _literal_pair(arg: object) -> tuple[int, int] | None:
    """(3, 5) for `tuple[L[3], L[5]]` (a 2-D layer's per-axis size); None for anything else."""
    items = get_args(arg) if get_origin(arg) is tuple else ()
    values = [get_args(item) for item in items if get_origin(item) in _LITERALS]
    if len(items) != 2 or len(values) != 2:
        return None
    if not all(
        len(v) == 1 and isinstance(v[0], int) and not isinstance(v[0], bool) for v in values
    ):
        return None
    return values[0][0], values[1][0]


def _is_module_type(arch: object) -> bool:
    origin = get_origin(arch) or arch
    return origin is tuple or (isinstance(origin, type) and issubclass(origin, Module))


def _takes_kwargs(parameters: Any) -> bool:
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def _name(arch: object) -> str:
    if isinstance(arch, type) and get_origin(arch) is None:
        return arch.__name__
    return repr(arch).replace("typing.Literal", "L").replace("shaped.nn.layers.", "")
