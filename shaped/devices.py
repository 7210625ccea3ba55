"""Devices own the array namespace (numpy or cupy) and a random generator, and create tensors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, overload

import numpy as np

from shaped import _malloc, shapes  # noqa: F401  (_malloc tunes the allocator on import)
from shaped.dtypes import (
    BY_NAME,
    Bool,
    DType,
    Float16,
    Float32,
    Float64,
    Int32,
    Int64,
    sampled,
)
from shaped.errors import DeviceError, DtypeError, ShapeError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from shaped.nn.build import M, Ms
    from shaped.nn.sequential import Sequential
    from shaped.tensor import Tensor

Dev = TypeVar("Dev", bound="Device")
S = TypeVar("S", bound=tuple[Any, ...])
D = TypeVar("D", bound=DType)

_SUPPORTED = ", ".join(BY_NAME)
AnyShape = tuple[Any, ...]

if TYPE_CHECKING:

    class _UnknownScalar(np.generic):
        """No array has this dtype: an array of unknown dtype (`NDArray[Any]`) matches it."""


class Device:
    """Where data lives. The seed only seeds this object's RNG: devices compare by place."""

    xp: Any
    rng: Any
    index: int

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.index == getattr(other, "index", None)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.index))

    def _place(self) -> Device:
        """The canonical object for this device; tensors keep it so devices compare with `is`."""
        raise NotImplementedError  # each device kind says what its canonical object is

    # ------------------------------------------------------------ creation

    # numpy arrays keep their dtype, read from numpy's own stubs; an array whose dtype the
    # checker does not know meets `_UnknownScalar` first, so it is never given a guessed one
    @overload
    def tensor(self: Dev, data: Any, dtype: type[D]) -> Tensor[AnyShape, D, Dev]: ...
    @overload
    def tensor(
        self: Dev, data: np.ndarray[Any, np.dtype[_UnknownScalar]], dtype: None = None
    ) -> Tensor[AnyShape, Any, Dev]: ...
    @overload  # mypy: a class deriving float64 and float32 would overlap (numpy has none)
    def tensor(  # type: ignore[overload-overlap]
        self: Dev, data: NDArray[np.float64], dtype: None = None
    ) -> Tensor[AnyShape, Float64, Dev]: ...
    @overload
    def tensor(
        self: Dev, data: NDArray[np.float32], dtype: None = None
    ) -> Tensor[AnyShape, Float32, Dev]: ...
    @overload
    def tensor(
        self: Dev, data: NDArray[np.float16], dtype: None = None
    ) -> Tensor[AnyShape, Float16, Dev]: ...
    @overload
    def tensor(
        self: Dev, data: NDArray[np.int64], dtype: None = None
    ) -> Tensor[AnyShape, Int64, Dev]: ...
    @overload
    def tensor(
        self: Dev, data: NDArray[np.int32], dtype: None = None
    ) -> Tensor[AnyShape, Int32, Dev]: ...
    @overload
    def tensor(
        self: Dev, data: NDArray[np.bool_], dtype: None = None
    ) -> Tensor[AnyShape, Bool, Dev]: ...
    @overload
    def tensor(self: Dev, data: Any, dtype: None = None) -> Tensor[AnyShape, Any, Dev]: ...
    def tensor(self, data: Any, dtype: type[DType] | None = None) -> Tensor[Any, Any, Any]:
        """A tensor copied from a nested list, a scalar, or an array (numpy, cupy, dlpack).

        Lists of ints give Int64, of floats Float32, of bools Bool; arrays keep their dtype.
        """
        from shaped.tensor import Tensor

        if isinstance(data, Tensor):
            array = data._data if data._device is self._place() else _to_host(data._data)
        elif isinstance(data, (list, tuple, int, float, bool)) and not isinstance(data, np.generic):
            shapes.nested_shape(data)  # ragged lists fail here with the offending row
            if dtype is None:
                dtype = _infer_dtype(data)
            array = data
        else:
            array = data
            if self.xp is np and hasattr(data, "__cuda_array_interface__") and hasattr(data, "get"):
                array = data.get()  # a cupy array onto the host: numpy refuses implicit copies
            if dtype is None:
                kind = BY_NAME.get(np.dtype(getattr(data, "dtype", np.float64)).name)
                if kind is None:
                    raise DtypeError(
                        f"tensor: arrays of dtype {data.dtype} are not supported; pass dtype= "
                        f"one of sh.{', sh.'.join(c.__name__ for c in BY_NAME.values())}"
                    )
                dtype = kind
        name = (dtype or Float32).name
        try:
            out = self.xp.array(array, dtype=name, copy=True)
        except (TypeError, ValueError) as error:
            raise DtypeError(f"tensor: cannot convert the data to {name}: {error}") from None
        return Tensor._wrap(out, self._place())

    @overload
    def zeros(self: Dev, shape: S, dtype: type[Float32] = ...) -> Tensor[S, Float32, Dev]: ...
    @overload
    def zeros(self: Dev, shape: S, dtype: type[D]) -> Tensor[S, D, Dev]: ...
    def zeros(self, shape: Any, dtype: type[DType] = Float32) -> Any:
        """A tensor of zeros; `shape` is a tuple of ints."""
        return self._fill("zeros", shape, dtype, 0)

    @overload
    def ones(self: Dev, shape: S, dtype: type[Float32] = ...) -> Tensor[S, Float32, Dev]: ...
    @overload
    def ones(self: Dev, shape: S, dtype: type[D]) -> Tensor[S, D, Dev]: ...
    def ones(self, shape: Any, dtype: type[DType] = Float32) -> Any:
        """A tensor of ones."""
        return self._fill("ones", shape, dtype, 1)

    @overload
    def full(self: Dev, shape: S, value: float, dtype: None = None) -> Tensor[S, Any, Dev]: ...
    @overload
    def full(self: Dev, shape: S, value: float, dtype: type[D]) -> Tensor[S, D, Dev]: ...
    def full(self, shape: Any, value: float, dtype: type[DType] | None = None) -> Any:
        """A tensor filled with `value` (dtype from the value if not given, as torch.full)."""
        if dtype is None:
            dtype = _infer_dtype(value)
        return self._fill("full", shape, dtype, value)

    @overload  # dtype given first: the plugin's [dtype] error for an Int64 one is then the only one
    def randn(self: Dev, shape: S, dtype: type[D]) -> Tensor[S, D, Dev]: ...
    @overload
    def randn(self: Dev, shape: S, dtype: type[Float32] = ...) -> Tensor[S, Float32, Dev]: ...
    def randn(self, shape: Any, dtype: type[DType] = Float32) -> Any:
        """Standard normal samples from this device's RNG."""
        shape = _check_shape("randn", shape)
        _need_float("randn", dtype)
        data = self.rng.standard_normal(shape, dtype=_sample_dtype(dtype))
        return self._wrap(data.astype(dtype.name, copy=False))

    @overload  # dtype given first: the plugin's [dtype] error for an Int64 one is then the only one
    def rand(self: Dev, shape: S, dtype: type[D]) -> Tensor[S, D, Dev]: ...
    @overload
    def rand(self: Dev, shape: S, dtype: type[Float32] = ...) -> Tensor[S, Float32, Dev]: ...
    def rand(self, shape: Any, dtype: type[DType] = Float32) -> Any:
        """Uniform samples in [0, 1) from this device's RNG."""
        shape = _check_shape("rand", shape)
        _need_float("rand", dtype)
        data = self.rng.random(shape, dtype=_sample_dtype(dtype))
        return self._wrap(data.astype(dtype.name, copy=False))

    def arange(
        self: Dev,
        start: float,
        stop: float | None = None,
        step: float = 1,
        dtype: type[DType] | None = None,
    ) -> Tensor[tuple[int], Any, Dev]:
        """Evenly spaced values in [start, stop); Int64 for ints, Float32 otherwise."""
        if dtype is None:
            dtype = _infer_dtype([start, stop if stop is not None else 0, step])
        args = (0, start, step) if stop is None else (start, stop, step)
        shapes.arange(*args)  # a step of 0 fails here, as in the plugin
        return self._wrap(self.xp.arange(*args, dtype=dtype.name))

    @overload
    def eye(
        self: Dev, n: int, m: int | None = None, dtype: type[Float32] = ...
    ) -> Tensor[tuple[int, int], Float32, Dev]: ...
    @overload
    def eye(
        self: Dev, n: int, m: int | None, dtype: type[D]
    ) -> Tensor[tuple[int, int], D, Dev]: ...
    @overload
    def eye(self: Dev, n: int, *, dtype: type[D]) -> Tensor[tuple[int, int], D, Dev]: ...
    def eye(self, n: int, m: int | None = None, dtype: type[DType] = Float32) -> Any:
        """The identity matrix, n x m (m defaults to n)."""
        _check_shape("eye", (n, n if m is None else m))
        return self._wrap(self.xp.eye(n, m, dtype=dtype.name))

    @overload
    def build_module(
        self, arch: type[tuple[*Ms]], *, dtype: type[DType] = Float32
    ) -> Sequential[*Ms]: ...
    @overload
    def build_module(self, arch: type[M], *, dtype: type[DType] = Float32) -> M: ...
    @overload
    def build_module(self, arch: object, *, dtype: type[DType] = Float32) -> Any: ...
    def build_module(self, arch: object, *, dtype: type[DType] = Float32) -> Any:
        """Build an architecture written as a type, its parameters drawn from this device's RNG.

        `arch` is a tuple of module types (a `Sequential` of them), a `Sequential[...]` type,
        or a module type such as `sh.nn.Linear[L[784], L[128]]`; sizes are `Literal`s.
        """
        from shaped.nn.build import build_module

        return build_module(arch, self, dtype=dtype)

    def _fill(
        self, op: str, shape: Any, dtype: type[DType], value: float
    ) -> Tensor[Any, Any, Any, Any]:
        shape = _check_shape(op, shape)
        return self._wrap(self.xp.full(shape, value, dtype=dtype.name))

    def _wrap(self, data: Any) -> Tensor[Any, Any, Any, Any]:
        from shaped.tensor import Tensor

        return Tensor._wrap(data, self._place())


class Cpu(Device):
    """The host, computing with numpy. `Cpu(seed=0)` seeds this object's RNG."""

    def __init__(self, seed: int | None = 0) -> None:
        self.index = 0
        self.seed = seed
        self.xp = np
        self.rng = np.random.default_rng(seed)

    def _place(self) -> Device:
        return CPU

    def __repr__(self) -> str:
        return "Cpu()"


class Cuda(Device):
    """An NVIDIA GPU through cupy (`pip install shaped[cuda]`)."""

    def __init__(self, index: int = 0, seed: int | None = 0) -> None:
        try:
            import cupy
        except ImportError:
            raise DeviceError(
                "Cuda needs cupy: install it with `pip install shaped[cuda]` (CUDA 12) or "
                "`pip install shaped[cuda13]` (CUDA 13)"
            ) from None
        try:
            count = cupy.cuda.runtime.getDeviceCount()
        except Exception as error:  # cupy raises its own CUDARuntimeError without a driver
            raise DeviceError(
                f"Cuda({index}): no usable CUDA device ({error}); check `nvidia-smi`, and that "
                "the cupy wheel matches the driver's CUDA version (shaped[cuda] is CUDA 12, "
                "shaped[cuda13] CUDA 13)"
            ) from None
        if not 0 <= index < count:
            raise DeviceError(f"Cuda({index}): there are {count} CUDA devices")
        self.index = index
        self.seed = seed
        self.xp = cupy
        with cupy.cuda.Device(index):
            self.rng = cupy.random.default_rng(seed)

    def _place(self) -> Device:
        place = _CUDA_PLACES.get(self.index)
        if place is None:
            place = _CUDA_PLACES[self.index] = self
        return place

    def __repr__(self) -> str:
        return f"Cuda({self.index})"


CPU = Cpu()
_CUDA_PLACES: dict[int, Cuda] = {}


def _to_host(array: Any) -> Any:
    return array.get() if hasattr(array, "get") else np.asarray(array)


def _infer_dtype(data: Any) -> type[DType]:
    """bool -> Bool, all ints -> Int64, any float -> Float32, as torch.tensor."""
    kinds: set[type] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, (bool, np.bool_)):
            kinds.add(bool)
        elif isinstance(item, (int, np.integer)):
            kinds.add(int)
        elif isinstance(item, (float, np.floating)):
            kinds.add(float)
        else:
            raise DtypeError(
                f"tensor: element {item!r} of type {type(item).__name__} is not a number; "
                "nested lists must hold only bools, ints or floats"
            )
    if float in kinds:
        return Float32
    if int in kinds:
        return Int64
    return Bool if kinds else Float32


def _check_shape(op: str, shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int):
        shape = (shape,)
    if not isinstance(shape, tuple) or not all(isinstance(d, (int, np.integer)) for d in shape):
        raise ShapeError(f"{op}: shape must be a tuple of ints, got {shape!r}")
    dims = tuple(int(d) for d in shape)
    shapes.created(op, dims)
    return dims


def _need_float(op: str, dtype: type[DType]) -> None:
    message = sampled(op, dtype)
    if message is not None:
        raise DtypeError(message)


def _sample_dtype(dtype: type[DType]) -> str:
    # numpy's generators sample float32 or float64 only
    return "float64" if dtype.name == "float64" else "float32"
