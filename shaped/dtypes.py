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


def sampled(op: str, dtype: type[DType]) -> str | None:
    """The error message of randn/rand asked for a dtype that is not a float one."""
    if dtype.is_float:
        return None
    return f"{op}: needs a float dtype, got {dtype.__name__}"
