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
