"""shaped: tensors whose shape, dtype, device and tape are checked by mypy before they run.

Names resolve lazily (PEP 562), so `import shaped.shapes` (which the mypy plugin does)
never imports numpy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from shaped.dtypes import Bool, Float16, Float32, Float64, Int32, Int64, NoTape, OwnedTape
from shaped.errors import (
    AxisError,
    CheckpointError,
    DeviceError,
    DtypeError,
    ShapeError,
    TapeError,
)

if TYPE_CHECKING:
    from shaped import data, losses, nn, optim
    from shaped.devices import Cpu, Cuda
    from shaped.functions import (
        addmm,
        baddbmm,
        bmm,
        concat,
        einsum,
        from_dlpack,
        matmul,
        outer,
        stack,
        std_mean,
        var_mean,
        where,
    )
    from shaped.io import load, save
    from shaped.ops.shaping import meshgrid
    from shaped.ops.sorting import ValuesIndices
    from shaped.tape import Gradients
    from shaped.tensor import Tensor
    from shaped.transforms import grad, value_and_grad

_LAZY = {
    "Tensor": "shaped.tensor",
    "Gradients": "shaped.tape",
    "Cpu": "shaped.devices",
    "Cuda": "shaped.devices",
    "concat": "shaped.functions",
    "stack": "shaped.functions",
    "where": "shaped.functions",
    "matmul": "shaped.functions",
    "from_dlpack": "shaped.functions",
    "einsum": "shaped.functions",
    "outer": "shaped.functions",
    "bmm": "shaped.functions",
    "addmm": "shaped.functions",
    "baddbmm": "shaped.functions",
    "meshgrid": "shaped.ops.shaping",
    "std_mean": "shaped.functions",
    "grad": "shaped.transforms",
    "value_and_grad": "shaped.transforms",
    "var_mean": "shaped.functions",
    "ValuesIndices": "shaped.ops.sorting",
    "save": "shaped.io",
    "load": "shaped.io",
}
_SUBMODULES = {"nn", "losses", "optim", "data"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return import_module(f"shaped.{name}")
    raise AttributeError(f"module 'shaped' has no attribute {name!r}")


__all__ = [
    "Bool",
    "CheckpointError",
    "Cpu",
    "Cuda",
    "DeviceError",
    "DtypeError",
    "Float16",
    "Float32",
    "Float64",
    "Gradients",
    "Int32",
    "Int64",
    "NoTape",
    "OwnedTape",
    "ShapeError",
    "AxisError",
    "TapeError",
    "Tensor",
    "ValuesIndices",
    "concat",
    "einsum",
    "outer",
    "bmm",
    "addmm",
    "baddbmm",
    "data",
    "from_dlpack",
    "load",
    "losses",
    "matmul",
    "meshgrid",
    "nn",
    "optim",
    "save",
    "grad",
    "value_and_grad",
    "std_mean",
    "var_mean",
    "stack",
    "where",
]
