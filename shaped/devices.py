"""Devices own the array namespace (numpy or cupy) and a random generator, and create tensors."""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, overload

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
    dtype_of,
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
F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")
DX = TypeVar("DX")  # a tensor's dtype, unbounded: users' own TypeVars fit it

_SUPPORTED = ", ".join(BY_NAME)
AnyShape = tuple[Any, ...]
_E = TypeVar("_E")
# a Python scalar or nested lists/tuples of them, up to rank 4 (what dev.tensor reads)
_Nested: TypeAlias = (
    _E
    | Sequence[_E]
    | Sequence[Sequence[_E]]
    | Sequence[Sequence[Sequence[_E]]]
    | Sequence[Sequence[Sequence[Sequence[_E]]]]
)

# numpy 2 keeps its floating-point error state in a context variable: setting it directly
# costs ~0.2 us, `np.errstate` ~1.5 us (measured); other numpy versions get np.errstate
try:
    _ERRSTATE = getattr(importlib.import_module("numpy._core.umath"), "_extobj_contextvar", None)
except ImportError:
    _ERRSTATE = None
if _ERRSTATE is not None:
    with np.errstate(all="ignore"):
        _SILENT_STATE = _ERRSTATE.get()


def quiet(op: F) -> F:
    """`op` without numpy's RuntimeWarnings (divide by zero, invalid value, overflow): torch
    is silent and gives inf and NaN, and so do these ops. cupy has no such warnings."""
    if _ERRSTATE is None:
        return np.errstate(all="ignore")(op)
    set_state, reset_state, silent = _ERRSTATE.set, _ERRSTATE.reset, _SILENT_STATE

    def run(*args: Any) -> Any:  # positional only: ~0.1 us less than with **kwargs
        token = set_state(silent)
        try:
            return op(*args)
        finally:
            reset_state(token)

    return run  # type: ignore[return-value]


def quietly(body: Callable[[], R]) -> R:
    """body() without numpy's RuntimeWarnings: for a VJP, so the cost (~0.2 us) is paid when
    backward runs it, not by every forward op."""
    if _ERRSTATE is None:
        with np.errstate(all="ignore"):
            return body()
    token = _ERRSTATE.set(_SILENT_STATE)
    try:
        return body()
    finally:
        _ERRSTATE.reset(token)


def rank0(data: Any) -> Any:
    """numpy gives rank-0 results as scalars (`a.sum()`); a tensor holds a real 0-d array, so
    that np.asarray(loss), DLPack and in-place updates work on it."""
    return np.asarray(data) if isinstance(data, np.generic) else data


def _check_seed(device: str, seed: Any) -> Any:
    """A seed numpy's and cupy's generators accept: None or an int >= 0 (numpy objects pass)."""
    if seed is None or isinstance(seed, (np.random.Generator, np.random.SeedSequence)):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{device}: seed must be an int >= 0 or None, got {seed!r}")
    if seed < 0:
        raise ValueError(
            f"{device}: seed must be >= 0 (numpy's generators take no negative seeds), got "
            f"{seed}; use abs(seed) or seed % 2**32"
        )
    return seed


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
    # Python data, as the run time reads it: bools give Bool, ints Int64, floats Float32
    @overload  # mypy: an int value may be a bool (the run time reads the values: it agrees)
    def tensor(  # type: ignore[overload-overlap]
        self: Dev, data: _Nested[bool], dtype: None = None
    ) -> Tensor[AnyShape, Bool, Dev]: ...
    @overload
    def tensor(
        self: Dev, data: _Nested[int], dtype: None = None
    ) -> Tensor[AnyShape, Int64, Dev]: ...
    @overload
    def tensor(
        self: Dev, data: _Nested[float], dtype: None = None
    ) -> Tensor[AnyShape, Float32, Dev]: ...
    @overload
    def tensor(self: Dev, data: Any, dtype: None = None) -> Tensor[AnyShape, Any, Dev]: ...
    def tensor(self, data: Any, dtype: type[DType] | None = None) -> Tensor[Any, Any, Any]:
        """A tensor copied from a nested list, a scalar, or an array (numpy, cupy, and through
        DLPack a torch.Tensor or any other library's array).

        Lists of ints give Int64, of floats Float32, of bools Bool; arrays keep their dtype
        (torch.float32 gives Float32, ...). A torch tensor that requires grad is detached: the
        values are copied, torch's graph is not. `dtype` is a shaped dtype (sh.Float32).
        """
        from shaped.tensor import Tensor

        if dtype is not None:
            dtype = dtype_of("tensor", dtype)
        if isinstance(data, Tensor):
            array = data._data if data._device is self._place() else _to_host(data._data)
        elif isinstance(data, (list, tuple, int, float, bool)) and not isinstance(data, np.generic):
            shapes.nested_shape(data)  # ragged lists fail here with the offending row
            inferred = _infer_dtype(data)  # also with dtype=: a None in a list is no NaN
            dtype = inferred if dtype is None else dtype
            array = data
        else:
            array = self._foreign(data)
            if dtype is None:
                kind = BY_NAME.get(array.dtype.name)
                if kind is None:
                    raise DtypeError(
                        f"tensor: arrays of dtype {array.dtype} are not supported; pass dtype= "
                        f"one of sh.{', sh.'.join(c.__name__ for c in BY_NAME.values())}"
                    )
                dtype = kind
        name = (dtype or Float32).name
        try:  # a cast that overflows gives inf, as torch.tensor (no RuntimeWarning)
            out = quietly(lambda: self.xp.array(array, dtype=name, copy=True))
        except (TypeError, ValueError) as error:
            raise DtypeError(f"tensor: cannot convert the data to {name}: {error}") from None
        return Tensor._wrap(out, self._place())

    def _foreign(self, data: Any) -> Any:
        """An array (numpy, cupy, torch through DLPack, ...) for `tensor` to copy from."""
        if isinstance(data, (np.ndarray, np.generic)):
            return data
        if data is None or isinstance(data, (str, bytes, Mapping, set, frozenset)):
            raise TypeError(
                f"tensor: cannot make a tensor from {type(data).__name__} {data!r:.40}; pass "
                "a number, a nested list of numbers, or an array (numpy, cupy, torch)"
            )
        if hasattr(data, "__cuda_array_interface__") and hasattr(data, "get"):  # cupy
            return data.get() if self.xp is np else data  # numpy refuses implicit copies
        if hasattr(data, "__dlpack__") and not hasattr(data, "__array_interface__"):
            return _from_dlpack(self, data)
        array = np.asarray(data)
        if array.dtype.kind == "O":
            raise TypeError(
                f"tensor: cannot make a tensor from {type(data).__name__}; pass a number, a "
                "nested list of numbers, or an array (numpy, cupy, torch)"
            )
        return array

    @overload
    def zeros(self: Dev, shape: S, dtype: type[Float32] = ...) -> Tensor[S, Float32, Dev]: ...
    @overload
    def zeros(self: Dev, shape: S, dtype: type[D]) -> Tensor[S, D, Dev]: ...
    def zeros(self, shape: Any, dtype: type[DType] = Float32) -> Any:
        """A tensor of zeros; `shape` is a tuple of ints."""
        return self._fill("zeros", shape, dtype_of("zeros", dtype), 0)

    @overload
    def ones(self: Dev, shape: S, dtype: type[Float32] = ...) -> Tensor[S, Float32, Dev]: ...
    @overload
    def ones(self: Dev, shape: S, dtype: type[D]) -> Tensor[S, D, Dev]: ...
    def ones(self, shape: Any, dtype: type[DType] = Float32) -> Any:
        """A tensor of ones."""
        return self._fill("ones", shape, dtype_of("ones", dtype), 1)

    @overload
    def full(self: Dev, shape: S, value: float, dtype: None = None) -> Tensor[S, Any, Dev]: ...
    @overload
    def full(self: Dev, shape: S, value: float, dtype: type[D]) -> Tensor[S, D, Dev]: ...
    def full(self, shape: Any, value: float, dtype: type[DType] | None = None) -> Any:
        """A tensor filled with `value` (dtype from the value if not given, as torch.full).

        A finite value too large for the dtype raises OverflowError, as in torch."""
        dtype = _infer_dtype(value) if dtype is None else dtype_of("full", dtype)
        return self._fill("full", shape, dtype, _fill_value(value, dtype))

    @overload  # dtype given first: the plugin's [dtype] error for an Int64 one is then the only one
    def randn(self: Dev, shape: S, dtype: type[D]) -> Tensor[S, D, Dev]: ...
    @overload
    def randn(self: Dev, shape: S, dtype: type[Float32] = ...) -> Tensor[S, Float32, Dev]: ...
    def randn(self, shape: Any, dtype: type[DType] = Float32) -> Any:
        """Standard normal samples from this device's RNG."""
        shape = _check_shape("randn", shape)
        dtype = dtype_of("randn", dtype)
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
        dtype = dtype_of("rand", dtype)
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
        dtype = dtype_of("arange", dtype)
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
        return self._wrap(self.xp.eye(n, m, dtype=dtype_of("eye", dtype).name))

    # ---- creation like a tensor, and more creators (ops/indexing.py's family)

    @overload
    def zeros_like(
        self: Dev, x: Tensor[S, DX, Any, Any], dtype: None = None
    ) -> Tensor[S, DX, Dev]: ...
    @overload
    def zeros_like(self: Dev, x: Tensor[S, Any, Any, Any], dtype: type[D]) -> Tensor[S, D, Dev]: ...
    def zeros_like(self, x: Any, dtype: type[DType] | None = None) -> Any:
        """Zeros shaped like x, on this device, of x's dtype unless `dtype` is given."""
        return self.zeros(tuple(x.shape), x.dtype if dtype is None else dtype)

    @overload
    def ones_like(
        self: Dev, x: Tensor[S, DX, Any, Any], dtype: None = None
    ) -> Tensor[S, DX, Dev]: ...
    @overload
    def ones_like(self: Dev, x: Tensor[S, Any, Any, Any], dtype: type[D]) -> Tensor[S, D, Dev]: ...
    def ones_like(self, x: Any, dtype: type[DType] | None = None) -> Any:
        """Ones shaped like x, on this device, of x's dtype unless `dtype` is given."""
        return self.ones(tuple(x.shape), x.dtype if dtype is None else dtype)

    @overload
    def full_like(
        self: Dev, x: Tensor[S, DX, Any, Any], value: float, dtype: None = None
    ) -> Tensor[S, DX, Dev]: ...
    @overload
    def full_like(
        self: Dev, x: Tensor[S, Any, Any, Any], value: float, dtype: type[D]
    ) -> Tensor[S, D, Dev]: ...
    def full_like(self, x: Any, value: float, dtype: type[DType] | None = None) -> Any:
        """`value` everywhere, shaped like x, of x's dtype unless `dtype` is given (torch.full_like)."""
        return self.full(tuple(x.shape), value, x.dtype if dtype is None else dtype)

    @overload
    def randn_like(
        self: Dev, x: Tensor[S, DX, Any, Any], dtype: None = None
    ) -> Tensor[S, DX, Dev]: ...
    @overload
    def randn_like(self: Dev, x: Tensor[S, Any, Any, Any], dtype: type[D]) -> Tensor[S, D, Dev]: ...
    def randn_like(self, x: Any, dtype: type[DType] | None = None) -> Any:
        """Standard normal samples shaped like x (a float dtype: x's unless `dtype` is given)."""
        dtype = x.dtype if dtype is None else dtype_of("randn_like", dtype)
        _need_float("randn_like", dtype)
        return self.randn(tuple(x.shape), dtype)

    @overload
    def rand_like(
        self: Dev, x: Tensor[S, DX, Any, Any], dtype: None = None
    ) -> Tensor[S, DX, Dev]: ...
    @overload
    def rand_like(self: Dev, x: Tensor[S, Any, Any, Any], dtype: type[D]) -> Tensor[S, D, Dev]: ...
    def rand_like(self, x: Any, dtype: type[DType] | None = None) -> Any:
        """Uniform samples in [0, 1) shaped like x (a float dtype: x's unless `dtype` is given)."""
        dtype = x.dtype if dtype is None else dtype_of("rand_like", dtype)
        _need_float("rand_like", dtype)
        return self.rand(tuple(x.shape), dtype)

    @overload
    def empty(self: Dev, shape: S, dtype: type[Float32] = ...) -> Tensor[S, Float32, Dev]: ...
    @overload
    def empty(self: Dev, shape: S, dtype: type[D]) -> Tensor[S, D, Dev]: ...
    def empty(self, shape: Any, dtype: type[DType] = Float32) -> Any:
        """A tensor whose values are not to be read before they are written (zeros here)."""
        return self._fill("empty", shape, dtype_of("empty", dtype), 0)

    @overload
    def linspace(
        self: Dev, start: float, end: float, steps: int, dtype: type[Float32] = ...
    ) -> Tensor[tuple[int], Float32, Dev]: ...
    @overload
    def linspace(
        self: Dev, start: float, end: float, steps: int, dtype: type[D]
    ) -> Tensor[tuple[int], D, Dev]: ...
    def linspace(self, start: float, end: float, steps: int, dtype: type[DType] = Float32) -> Any:
        """`steps` evenly spaced values from start to end, both included (torch.linspace)."""
        dtype = dtype_of("linspace", dtype)
        shapes.linspace(steps)
        if dtype is Bool:  # torch: "linspace" not implemented for 'Bool'
            raise DtypeError(
                "linspace: dtype sh.Bool is not supported, as in torch: use a number dtype"
            )
        data = self.xp.linspace(start, end, steps, dtype="float64")
        return self._wrap(data.astype(dtype.name))  # ints truncate, as torch

    @overload
    def randint(
        self: Dev, low: int, high: int, shape: S, dtype: type[Int64] = ...
    ) -> Tensor[S, Int64, Dev]: ...
    @overload
    def randint(self: Dev, low: int, high: int, shape: S, dtype: type[D]) -> Tensor[S, D, Dev]: ...
    @overload
    def randint(self: Dev, high: int, shape: S, /) -> Tensor[S, Int64, Dev]: ...
    @overload
    def randint(self: Dev, high: int, shape: S, /, *, dtype: type[D]) -> Tensor[S, D, Dev]: ...
    def randint(
        self, low: int, high: Any = None, shape: Any = None, dtype: type[DType] = Int64
    ) -> Any:
        """Integers drawn uniformly from [low, high), from this device's RNG (torch.randint);
        torch's randint(high, shape) draws from [0, high)."""
        if isinstance(high, (tuple, list)):  # randint(high, shape[, dtype]) positionally
            low, high, shape, dtype = 0, low, high, dtype if shape is None else shape
        elif high is None:  # randint(high, shape=...)
            low, high = 0, low
        shape = _check_shape("randint", shape)
        dtype = dtype_of("randint", dtype)
        if high <= low:
            raise ValueError(f"randint: needs low < high, got low={low}, high={high}")
        data = self.rng.integers(low, high, size=shape, dtype="int64")
        return self._wrap(data.astype(dtype.name, copy=False))

    def multinomial(
        self: Dev, probs: Tensor[Any, Any, Any, Any], num_samples: int, replacement: bool = False
    ) -> Tensor[AnyShape, Int64, Dev]:
        """Category indices drawn with the (unnormalised) weights of each row of `probs`, as
        torch.multinomial: (categories,) or (rows, categories) to (..., num_samples), Int64."""
        data = probs._data
        if data.dtype.kind != "f":
            raise DtypeError(f"multinomial: probs must be floats, got {probs.dtype.__name__}")
        shapes.multinomial(tuple(data.shape), num_samples, replacement)
        xp, weights = self.xp, data.astype("float64")
        if weights.size and (bool((weights < 0).any()) or not bool(xp.isfinite(weights).all())):
            raise ValueError("multinomial: probabilities must be finite and not negative")
        total = weights.sum(axis=-1, keepdims=True)
        if bool((total <= 0).any()):
            raise ValueError("multinomial: each row of probs needs a positive sum")
        if not replacement and bool(((weights > 0).sum(axis=-1) < num_samples).any()):
            raise ValueError(
                f"multinomial: fewer than {num_samples} categories have a nonzero weight; "
                "pass replacement=True"
            )
        if replacement:  # inverse CDF: the first category whose cumulative weight passes u
            cdf = xp.cumsum(weights / total, axis=-1)
            draws = self.rng.random((*data.shape[:-1], num_samples))
            picked = (cdf[..., None, :] <= draws[..., :, None]).sum(axis=-1)
            picked = xp.minimum(picked, data.shape[-1] - 1)
        else:  # Gumbel top-k: the k largest of log(w) + Gumbel noise, without repeats
            gumbel = -xp.log(-xp.log(self.rng.random(data.shape) + 1e-300) + 1e-300)
            keys = quietly(lambda: xp.log(weights)) + gumbel  # a zero weight is never drawn
            picked = xp.argsort(-keys, axis=-1)[..., :num_samples]
        return self._wrap(picked.astype("int64"))

    @overload
    def randperm(self: Dev, n: int, dtype: type[Int64] = ...) -> Tensor[tuple[int], Int64, Dev]: ...
    @overload
    def randperm(self: Dev, n: int, dtype: type[D]) -> Tensor[tuple[int], D, Dev]: ...
    def randperm(self, n: int, dtype: type[DType] = Int64) -> Any:
        """A random permutation of 0..n-1, from this device's RNG (torch.randperm)."""
        _check_shape("randperm", (n,))
        order = self.xp.argsort(self.rng.random(n))
        return self._wrap(order.astype(dtype_of("randperm", dtype).name))

    # another dtype= makes the layers' dtype differ from their types' (Float32 by default):
    # pure typing cannot rewrite those, so that call is Any there (the plugin rewrites them)
    @overload
    def build_module(
        self, arch: type[tuple[*Ms]], *, dtype: type[Float32] = Float32
    ) -> Sequential[*Ms]: ...
    @overload
    def build_module(self, arch: type[M], *, dtype: type[Float32] = Float32) -> M: ...
    @overload
    def build_module(self, arch: object, *, dtype: type[DType] = Float32) -> Any: ...
    def build_module(self, arch: object, *, dtype: type[DType] = Float32) -> Any:
        """Build an architecture written as a type, its parameters drawn from this device's RNG.

        `arch` is a tuple of module types (a `Sequential` of them), a `Sequential[...]` type,
        or a module type such as `sh.nn.Linear[L[784], L[128]]`; sizes are `Literal`s.
        """
        from shaped.nn.build import build_module

        return build_module(arch, self, dtype=dtype_of("build_module", dtype))

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
        self.seed = _check_seed("Cpu", seed)
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
        self.seed = _check_seed("Cuda", seed)
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


def _from_dlpack(device: Device, data: Any) -> Any:
    """Another library's array (a torch.Tensor, say) through DLPack, without its autograd."""
    if getattr(data, "requires_grad", False):
        data = data.detach()  # tensor() copies the values; torch's graph does not come along
    xp = device.xp
    try:
        return xp.from_dlpack(data)
    except (BufferError, RuntimeError, TypeError, ValueError) as error:
        reason = error
    if xp is not np:  # host memory onto the GPU: through numpy
        try:
            return np.from_dlpack(data)
        except (BufferError, RuntimeError, TypeError, ValueError) as error:
            reason = error
    where = getattr(data, "device", "its device")
    raise DtypeError(
        f"tensor: cannot read a {type(data).__name__} of dtype {getattr(data, 'dtype', '?')} on "
        f"{where} into {device!r} through DLPack ({reason}); convert it first, e.g. torch's "
        "t.detach().cpu().float()"
    ) from None


def _fill_value(value: Any, dtype: type[DType]) -> Any:
    """`value` checked to fit `dtype`: torch.full raises rather than give inf or wrap around."""
    if dtype is Bool or isinstance(value, (bool, np.bool_)):
        return value
    if not isinstance(value, (int, float, np.number)):
        raise TypeError(f"full: value must be a number, got {type(value).__name__} {value!r:.40}")
    shown = (
        repr(value)
        if len(repr(value)) <= 30
        else f"{repr(value)[:12]}...({len(repr(value))} digits)"
    )
    integral = isinstance(value, (int, np.integer))
    finite = integral or math.isfinite(value)
    if dtype.is_float:
        largest = float(np.finfo(dtype.name).max)
        try:  # torch's rule: beyond the largest finite value raises (65505.0 in Float16 too)
            fits = not finite or abs(float(value)) <= largest
        except OverflowError:  # a Python int beyond float64
            fits = False
        if not fits:
            wider = {"float16": "sh.Float32", "float32": "sh.Float64"}.get(dtype.name)
            fix = f"use a wider dtype ({wider}), or pass" if wider else "pass"
            raise OverflowError(
                f"full: value {shown} does not fit {dtype.__name__} (largest finite value "
                f"{largest:g}); {fix} float('inf') if inf is meant"
            )
        return value
    if not finite:
        raise OverflowError(f"full: {shown} has no {dtype.__name__} value; use a float dtype")
    info = np.iinfo(dtype.name)
    if not info.min <= (int(value) if integral else math.trunc(float(value))) <= info.max:
        raise OverflowError(
            f"full: value {shown} does not fit {dtype.__name__} (range {info.min}..{info.max}); "
            "use sh.Int64 or a float dtype"
        )
    return value


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
