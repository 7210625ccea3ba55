"""Dtype and tape markers: each is a type parameter and the run-time object (`dtype=sh.Float64`).

Standard library only: the mypy plugin reads these names.
"""

from __future__ import annotations

from typing import ClassVar


class DType:
    """Base of the dtype markers; `name` is the numpy/cupy dtype name."""

    name: ClassVar[str] = ""
    is_float: ClassVar[bool] = False

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        BY_NAME[cls.name] = cls


BY_NAME: dict[str, type[DType]] = {}


class Float16(DType):
    name = "float16"
    is_float = True


class Float32(DType):
    name = "float32"
    is_float = True


class Float64(DType):
    name = "float64"
    is_float = True


class Int32(DType):
    name = "int32"


class Int64(DType):
    name = "int64"


class Bool(DType):
    name = "bool"


class NoTape:
    """The tape parameter of a tensor that records nothing (constants, parameters)."""


class OwnedTape:
    """The tape parameter of a tensor whose ops are recorded for backward()."""


# ------------------------------------------------------------ dtype rules (runtime and plugin)


def mismatch(op: str, first: str, other: str, *, weights: bool = False) -> str:
    """The message for two dtypes meeting in one op (names such as "Float32"). With `weights`,
    `first` is the data's and `other` a weight's (F.linear, conv, the layers): numpy's float64
    data meeting Float32 parameters is the usual case, so the fix converts the data."""
    if weights:
        return (
            f"{op}: dtypes differ ({first} and {other}); the weights are {other}: convert the "
            f"data with dev.tensor(array, dtype=sh.{other}) or x.to(sh.{other})"
        )
    return (
        f"{op}: dtypes differ ({first} and {other}); there is no implicit promotion: convert one "
        f"with .to(sh.{first})"
    )


def dtype_of(op: str, dtype: object) -> type[DType]:
    """`dtype` when it is one of shaped's markers (sh.Float32, ...); otherwise a TypeError that
    names the marker to write for numpy's, torch's or Python's spelling (np.float32, "float32",
    torch.float32, float)."""
    if isinstance(dtype, type) and issubclass(dtype, DType) and dtype is not DType:
        return dtype
    raise TypeError(bad_dtype(op, dtype))


# what numpy and torch mean by Python's types as dtypes
_PYTHON_TYPES = {"float": "float64", "int": "int64", "bool": "bool"}


def dtype_repr(dtype: object) -> str:
    """numpy.float32, float, 'float32', torch.float32: a dtype spelling as the user wrote it."""
    if isinstance(dtype, type):
        module = "" if dtype.__module__ == "builtins" else f"{dtype.__module__}."
        return f"{module}{dtype.__name__}"
    return repr(dtype)


def marker_for(dtype: object) -> type[DType] | None:
    """The marker that another spelling of a dtype means: np.float32, np.dtype("float32"),
    "float32" and torch.float32 mean Float32; Python's float means Float64, as in numpy and
    torch. None if it names no dtype shaped has."""
    if isinstance(dtype, str):
        name = dtype
    elif isinstance(dtype, type):
        name = dtype.__name__
    else:  # np.dtype("float32") has a name; torch.float32 prints as "torch.float32"
        name = str(getattr(dtype, "name", None) or dtype)
    name = name.removeprefix("torch.").removeprefix("numpy.").removeprefix("np.").lower()
    return BY_NAME.get(_PYTHON_TYPES.get(name, name))


def bad_dtype(op: str, dtype: object) -> str:
    """The message for a dtype that is not a shaped marker, with the marker to write."""
    supported = ", ".join(f"sh.{kind.__name__}" for kind in BY_NAME.values())
    marker = marker_for(dtype)
    if marker is None:
        return (
            f"{op}: dtype={dtype_repr(dtype)} is not a dtype shaped supports; use one of "
            f"{supported}"
        )
    return (
        f"{op}: dtype={dtype_repr(dtype)} is not one of shaped's dtypes (its dtypes are classes: "
        f"{supported}); write dtype=sh.{marker.__name__}"
    )


def sum_dtype(dtype: type[DType]) -> type[DType]:
    """What `sum` gives: bools and ints sum to Int64, as torch; floats keep their dtype."""
    return dtype if dtype.is_float else Int64


def float_only(op: str, dtype: type[DType]) -> str | None:
    """The error message of a float-only op (mean, var, exp, ...) on a non-float dtype."""
    if dtype.is_float:
        return None
    return (
        f"{op}: needs a floating-point tensor, got {dtype.__name__}; convert it with "
        ".to(sh.Float32) first"
    )


def not_bool(op: str, dtype: type[DType]) -> str | None:
    """The error message of an op torch refuses on Bool tensors (relu)."""
    if dtype is not Bool:
        return None
    return (
        f"{op}: Bool tensors have no {op} (torch refuses them too); convert with "
        ".to(sh.Float32) or .to(sh.Int64) first"
    )


def not_float(op: str, dtype: type[DType]) -> str | None:
    """The error message of a logical/bitwise op (& | ^ ~) on a float tensor (torch refuses)."""
    if not dtype.is_float:
        return None
    return (
        f"{op}: needs a Bool or integer tensor, got {dtype.__name__} (torch refuses floats "
        "too); compare first, e.g. (x > 0) & (y > 0)"
    )


def sampled(op: str, dtype: type[DType]) -> str | None:
    """The error message of randn/rand asked for a dtype that is not a float one."""
    if dtype.is_float:
        return None
    return f"{op}: needs a float dtype, got {dtype.__name__}"
