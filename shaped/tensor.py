"""`Tensor[S, D, Dev, T]`: an array with its shape, dtype, device and tape in its type.

The signatures here are pure typing, read by every checker: they carry dtype, device, tape
and every shape that needs no arithmetic. Where a result needs arithmetic they say `int`
(rank known) or `tuple[Any, ...]` (rank unknown); the mypy plugin computes the real shape
with the same rules the runtime runs (`shaped.shapes`). The methods delegate to the op
modules in `shaped.ops`, where each op's forward and VJP sit together.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Generic, Literal, overload

from numpy import asarray as _asarray
from numpy import generic as _numpy_scalar
from typing_extensions import TypeVar, TypeVarTuple

from shaped.dtypes import (
    BY_NAME,
    Bool,
    DType,
    Float16,
    Float32,
    Float64,
    Int32,
    Int64,
    NoTape,
    OwnedTape,
)
from shaped.errors import DeviceError, ShapeError

if TYPE_CHECKING:
    import numpy as np

    from shaped.devices import Cpu, Device
    from shaped.tape import Gradients, Node, Tape
else:
    Cpu = "shaped.devices.Cpu"  # the default of Dev; resolved only by type checkers

S = TypeVar("S", bound=tuple[Any, ...], covariant=True)
D = TypeVar("D", default=Float32)
Dev = TypeVar("Dev", default="Cpu")
T = TypeVar("T", default=NoTape)

S2 = TypeVar("S2", bound=tuple[Any, ...])
D2 = TypeVar("D2", bound=DType)
Dev2 = TypeVar("Dev2", bound="Device")
# true division keeps a float dtype and gives Float32 for these, as torch; an unknown (Any)
# dtype meets the float overload first, so it stays unknown rather than guessed Float32
FloatD = TypeVar("FloatD", Float16, Float32, Float64)
IntD = TypeVar("IntD", Int32, Int64, Bool)
M = TypeVar("M")
K = TypeVar("K")
N = TypeVar("N")
B = TypeVarTuple("B")

Axis = int | tuple[int, ...] | None
MYPY = False  # True for mypy (a name it knows), False at run time and for other checkers
AnyShape = tuple[Any, ...]


class Tensor(Generic[S, D, Dev, T]):
    """An n-dimensional array on a device, with the gradient tape moving through its ops.

    Create tensors with a device (`sh.Cpu().tensor(...)`, `.zeros(...)`, `.randn(...)`).
    """

    __slots__ = ("_data", "_device", "_key", "_origin", "_tape")

    _data: Any
    _device: Device
    _tape: Tape | None
    _key: int | None
    # LEAF for a parameter, the untraced op that made it from parameters, or None (shaped/tape.py)
    _origin: Node | None

    def __init__(self) -> None:
        raise TypeError("create tensors with a device: sh.Cpu().tensor(data), .zeros(shape), ...")

    @classmethod
    def _wrap(
        cls, data: Any, device: Device, tape: Tape | None = None
    ) -> Tensor[Any, Any, Any, Any]:
        if isinstance(data, _numpy_scalar):  # numpy's rank-0 results: a tensor holds a 0-d array
            data = _asarray(data)
        out = object.__new__(cls)
        out._data = data
        out._device = device
        out._tape = tape
        out._key = None
        out._origin = None
        return out

    def _key_(self) -> int:
        from shaped.tape import new_key

        if self._key is None:
            self._key = new_key()
        return self._key

    # ------------------------------------------------------------ properties

    @property
    def shape(self) -> S:
        """The run-time shape, a tuple of ints (typed by the shape parameter)."""
        return self._data.shape

    @property
    def dtype(self) -> type[DType]:
        """The dtype marker class, e.g. `sh.Float32`."""
        return BY_NAME[self._data.dtype.name]

    @property
    def device(self) -> Device:
        return self._device

    @property
    def ndim(self) -> int:
        return int(self._data.ndim)

    def __len__(self) -> int:
        if not self._data.ndim:
            raise TypeError("len() of a rank-0 tensor")
        return int(self._data.shape[0])

    def __iter__(self) -> Iterator[Tensor[tuple[Any, ...], D, Dev, T]]:
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        import numpy as np

        body = np.array2string(self.numpy(), separator=", ", prefix="tensor(")
        extras = [f"dtype={self.dtype.__name__}", f"device={self._device!r}"]
        if self._tape is not None:
            extras.append("tape=OwnedTape")
        return f"tensor({body}, {', '.join(extras)})"

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ValueError(
                f"the truth value of a tensor with {self._data.size} elements is ambiguous; "
                "use .any() style reductions such as (x > 0).sum().item()"
            )
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    # ------------------------------------------------------------ data out

    def numpy(self) -> np.ndarray[Any, Any]:
        """A host copy of the data as a numpy array."""
        import numpy as np

        data = self._data
        return data.get() if hasattr(data, "get") else np.array(data)  # numpy scalars too

    def item(self) -> float:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ShapeError(
                f"item(): needs a tensor with one element, got shape {tuple(self._data.shape)}"
            )
        return self._data.item()

    def tolist(self) -> Any:
        """Nested Python lists (a number for a rank-0 tensor)."""
        return self.numpy().tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray[Any, Any]:
        """The data as a numpy array (CPU only): a view unless `copy` or a new dtype asks for one,
        so np.asarray(loss) and plt.plot([loss0, loss1]) work. `copy=False` never copies."""
        if self._device.xp.__name__ != "numpy":
            raise DeviceError(
                f"a tensor on {self._device!r} cannot become a numpy array implicitly: "
                "call .numpy() for a host copy"
            )
        data = _asarray(self._data)
        if dtype is not None and data.dtype != dtype:
            if copy is False:
                raise ValueError(
                    f"__array__: converting {self.dtype.__name__} to {dtype} needs a copy, and "
                    "copy=False was given; pass copy=None"
                )
            return data.astype(dtype)
        return data.copy() if copy else data

    def __dlpack__(self, **kwargs: Any) -> Any:
        """Zero-copy export (torch.from_dlpack(x), np.from_dlpack(x), cupy.from_dlpack(x))."""
        return self._device.xp.asarray(self._data).__dlpack__(**kwargs)

    def __dlpack_device__(self) -> tuple[int, int]:
        return self._device.xp.asarray(self._data).__dlpack_device__()

    def __format__(self, spec: str) -> str:
        """f"{loss:.3f}" formats a rank-0 tensor's value, as torch; other shapes take no spec."""
        if not self._data.ndim:
            return format(self.item(), spec)
        if not spec:
            return str(self)
        raise TypeError(
            f"format spec {spec!r} needs a rank-0 tensor, got shape {tuple(self._data.shape)}: "
            "format x.item() of one element, or x.tolist()"
        )

    def copy_(self, src: Tensor[Any, Any, Any, Any] | Any) -> None:
        """Overwrite the data in place, outside any tape; `src` has the same shape."""
        from shaped.ops.core import check_same

        if isinstance(src, Tensor):
            if src._device is not self._device:
                check_same("copy_", (self, src))
            src = src._data
        elif self._device.xp.__name__ != "numpy" and hasattr(src, "shape"):
            src = self._device.xp.asarray(src)  # cupy's setitem takes cupy arrays, not numpy's
        shape = tuple(getattr(src, "shape", ()))
        if shape != tuple(self._data.shape):
            raise ShapeError(
                f"copy_: source shape {shape} differs from the tensor's {tuple(self._data.shape)}"
            )
        from shaped.tape import before_write

        before_write(self._key, self._data)  # deferred gradients keep the values they read
        self._data[...] = src

    # ------------------------------------------------------------ moving, tape

    @overload
    def to(self, target: Dev2) -> Tensor[S, D, Dev2, T]: ...
    @overload
    def to(self, target: type[D2]) -> Tensor[S, D2, Dev, T]: ...
    def to(self, target: Any) -> Any:
        """Move to a device (`x.to(sh.Cuda())`) or convert the dtype (`x.to(sh.Float64)`)."""
        return _movement.to(self, target)

    def realize(self, shape: S2) -> Tensor[S2, D, Dev, T]:
        """Check the run-time shape and return the tensor typed with it (dfdx's realize)."""
        from shaped import shapes

        shapes.realize(tuple(self._data.shape), shape)
        return self  # type: ignore[return-value]

    def traced(self, grads: Gradients) -> Tensor[S, D, Dev, OwnedTape]:
        """The same data with a tape recording into `grads`; `grads[x]` names this tensor too."""
        from shaped.tape import Gradients, Tape

        if not isinstance(grads, Gradients):
            raise TypeError(
                f"traced: expected a Gradients to record into, got "
                f"{'None' if grads is None else type(grads).__name__}; pass "
                "sh.Gradients() or model.alloc_grads(), or call .trace() for a fresh one"
            )
        tape = Tape(grads)
        out = Tensor._wrap(self._data, self._device, tape)
        out._key = self._key_()
        if self._tape is None:
            tape.sources.add(out._key)
        else:
            from shaped.tape import merge

            out._tape = merge(self._tape, tape)
        return out

    def trace(self) -> Tensor[S, D, Dev, OwnedTape]:
        """`traced` into a fresh `Gradients`."""
        from shaped.tape import Gradients

        return self.traced(Gradients())

    def detach(self) -> Tensor[S, D, Dev, NoTape]:
        """The same data without a tape (and a new gradient identity)."""
        return Tensor._wrap(self._data, self._device)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor[S, D, Dev, T]:
        """Make this tensor a parameter (in place, returns it), as torch's `requires_grad_()`:
        its gradient then reaches it through ops made before the trace too (`w.T`, `w1 + w2`).
        Module attributes are parameters already; `requires_grad_(False)` makes one plain data.
        """
        from shaped.tape import mark_leaf

        mark_leaf(self, requires_grad)
        return self

    if MYPY:  # mypy reads this one: shaped's plugin reports [no-tape] and [shape] with the fix

        def backward(self) -> Gradients:
            """Gradients of this scalar loss with respect to every traced input and parameter."""
            from shaped.devices import quiet
            from shaped.tape import backward

            return quiet(backward)(self)  # inf and NaN in VJPs without numpy's RuntimeWarnings

    else:  # pyright reads the self type: only a rank-0 traced tensor has backward()

        def backward(self: Tensor[tuple[()], D, Dev, OwnedTape]) -> Gradients:
            """Gradients of this scalar loss with respect to every traced input and parameter."""
            from shaped.devices import quiet
            from shaped.tape import backward

            return quiet(backward)(self)  # inf and NaN in VJPs without numpy's RuntimeWarnings

    # ------------------------------------------------------------ arithmetic

    @overload
    def __add__(self, other: float | Tensor[S, D, Dev, NoTape]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __add__(self, other: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __add__(self, other: Tensor[S, D, Dev, OwnedTape]) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def __add__(self, other: Tensor[Any, D, Dev, NoTape]) -> Tensor[tuple[Any, ...], D, Dev, T]: ...
    @overload
    def __add__(
        self, other: Tensor[Any, D, Dev, OwnedTape]
    ) -> Tensor[tuple[Any, ...], D, Dev, OwnedTape]: ...
    @overload
    def __add__(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[tuple[Any, ...], D, Dev, Any]: ...
    def __add__(self, other: Any) -> Any:
        return _elementwise.add(self, other)

    @overload
    def __sub__(self, other: float | Tensor[S, D, Dev, NoTape]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __sub__(self, other: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __sub__(self, other: Tensor[S, D, Dev, OwnedTape]) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def __sub__(self, other: Tensor[Any, D, Dev, NoTape]) -> Tensor[tuple[Any, ...], D, Dev, T]: ...
    @overload
    def __sub__(
        self, other: Tensor[Any, D, Dev, OwnedTape]
    ) -> Tensor[tuple[Any, ...], D, Dev, OwnedTape]: ...
    @overload
    def __sub__(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[tuple[Any, ...], D, Dev, Any]: ...
    def __sub__(self, other: Any) -> Any:
        return _elementwise.sub(self, other)

    @overload
    def __mul__(self, other: float | Tensor[S, D, Dev, NoTape]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __mul__(self, other: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __mul__(self, other: Tensor[S, D, Dev, OwnedTape]) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def __mul__(self, other: Tensor[Any, D, Dev, NoTape]) -> Tensor[tuple[Any, ...], D, Dev, T]: ...
    @overload
    def __mul__(
        self, other: Tensor[Any, D, Dev, OwnedTape]
    ) -> Tensor[tuple[Any, ...], D, Dev, OwnedTape]: ...
    @overload
    def __mul__(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[tuple[Any, ...], D, Dev, Any]: ...
    def __mul__(self, other: Any) -> Any:
        return _elementwise.mul(self, other)

    @overload
    def __truediv__(
        self: Tensor[S, FloatD, Dev, T], other: float | Tensor[S, FloatD, Dev, NoTape]
    ) -> Tensor[S, FloatD, Dev, T]: ...
    @overload  # ints and bools divide to Float32, as torch's true division
    def __truediv__(
        self: Tensor[S, IntD, Dev, T], other: float | Tensor[S, IntD, Dev, NoTape]
    ) -> Tensor[S, Float32, Dev, T]: ...
    @overload
    def __truediv__(
        self: Tensor[Any, IntD, Dev, Any], other: Tensor[Any, IntD, Dev, Any]
    ) -> Tensor[AnyShape, Float32, Dev, Any]: ...
    @overload
    def __truediv__(self, other: float | Tensor[S, D, Dev, NoTape]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __truediv__(self, other: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __truediv__(self, other: Tensor[S, D, Dev, OwnedTape]) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def __truediv__(
        self, other: Tensor[Any, D, Dev, NoTape]
    ) -> Tensor[tuple[Any, ...], D, Dev, T]: ...
    @overload
    def __truediv__(
        self, other: Tensor[Any, D, Dev, OwnedTape]
    ) -> Tensor[tuple[Any, ...], D, Dev, OwnedTape]: ...
    @overload
    def __truediv__(
        self, other: Tensor[Any, D, Dev, Any]
    ) -> Tensor[tuple[Any, ...], D, Dev, Any]: ...
    def __truediv__(self, other: Any) -> Any:
        return _elementwise.div(self, other)

    @overload
    def __pow__(self, other: float | Tensor[S, D, Dev, NoTape]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __pow__(self, other: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __pow__(self, other: Tensor[S, D, Dev, OwnedTape]) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def __pow__(self, other: Tensor[Any, D, Dev, NoTape]) -> Tensor[tuple[Any, ...], D, Dev, T]: ...
    @overload
    def __pow__(
        self, other: Tensor[Any, D, Dev, OwnedTape]
    ) -> Tensor[tuple[Any, ...], D, Dev, OwnedTape]: ...
    @overload
    def __pow__(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[tuple[Any, ...], D, Dev, Any]: ...
    def __pow__(self, other: Any) -> Any:
        return _elementwise.pow_(self, other)

    @overload
    def maximum(self, other: float | Tensor[S, D, Dev, NoTape]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def maximum(self, other: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def maximum(self, other: Tensor[S, D, Dev, OwnedTape]) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def maximum(self, other: Tensor[Any, D, Dev, NoTape]) -> Tensor[tuple[Any, ...], D, Dev, T]: ...
    @overload
    def maximum(
        self, other: Tensor[Any, D, Dev, OwnedTape]
    ) -> Tensor[tuple[Any, ...], D, Dev, OwnedTape]: ...
    @overload
    def maximum(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[tuple[Any, ...], D, Dev, Any]: ...
    def maximum(self, other: Any) -> Any:
        return _elementwise.maximum(self, other)

    @overload
    def minimum(self, other: float | Tensor[S, D, Dev, NoTape]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def minimum(self, other: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def minimum(self, other: Tensor[S, D, Dev, OwnedTape]) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def minimum(self, other: Tensor[Any, D, Dev, NoTape]) -> Tensor[tuple[Any, ...], D, Dev, T]: ...
    @overload
    def minimum(
        self, other: Tensor[Any, D, Dev, OwnedTape]
    ) -> Tensor[tuple[Any, ...], D, Dev, OwnedTape]: ...
    @overload
    def minimum(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[tuple[Any, ...], D, Dev, Any]: ...
    def minimum(self, other: Any) -> Any:
        return _elementwise.minimum(self, other)

    def __radd__(self, other: float) -> Tensor[S, D, Dev, T]:
        return _elementwise.add(self, other)

    def __rsub__(self, other: float) -> Tensor[S, D, Dev, T]:
        return _elementwise.rsub(self, other)

    def __rmul__(self, other: float) -> Tensor[S, D, Dev, T]:
        return _elementwise.mul(self, other)

    @overload
    def __rtruediv__(
        self: Tensor[S, FloatD, Dev, T], other: float
    ) -> Tensor[S, FloatD, Dev, T]: ...
    @overload
    def __rtruediv__(self: Tensor[S, IntD, Dev, T], other: float) -> Tensor[S, Float32, Dev, T]: ...
    @overload
    def __rtruediv__(self, other: float) -> Tensor[S, D, Dev, T]: ...
    def __rtruediv__(self, other: float) -> Any:
        return _elementwise.rdiv(self, other)

    def __rpow__(self, other: float) -> Tensor[S, D, Dev, T]:
        return _elementwise.rpow(self, other)

    def __neg__(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.neg(self)

    @overload
    def __matmul__(
        self: Tensor[tuple[M, K], D, Dev, T], other: Tensor[tuple[K, N], D, Dev, NoTape]
    ) -> Tensor[tuple[M, N], D, Dev, T]: ...
    @overload  # mypy: a batch *B of () would overlap; the results agree then
    def __matmul__(  # type: ignore[overload-overlap]
        self: Tensor[tuple[M, K], D, Dev, T], other: Tensor[tuple[K, N], D, Dev, T]
    ) -> Tensor[tuple[M, N], D, Dev, T]: ...
    @overload
    def __matmul__(
        self: Tensor[tuple[M, K], D, Dev, Any], other: Tensor[tuple[K, N], D, Dev, OwnedTape]
    ) -> Tensor[tuple[M, N], D, Dev, OwnedTape]: ...
    @overload
    def __matmul__(
        self: Tensor[tuple[*B, M, K], D, Dev, T], other: Tensor[tuple[K, N], D, Dev, NoTape]
    ) -> Tensor[tuple[*B, M, N], D, Dev, T]: ...
    @overload
    def __matmul__(
        self: Tensor[tuple[*B, M, K], D, Dev, Any], other: Tensor[tuple[K, N], D, Dev, OwnedTape]
    ) -> Tensor[tuple[*B, M, N], D, Dev, OwnedTape]: ...
    @overload
    def __matmul__(
        self: Tensor[tuple[*B, M, K], D, Dev, T],
        other: Tensor[tuple[*B, K, N], D, Dev, NoTape],
    ) -> Tensor[tuple[*B, M, N], D, Dev, T]: ...
    @overload
    def __matmul__(
        self: Tensor[tuple[*B, M, K], D, Dev, T],
        other: Tensor[tuple[*B, K, N], D, Dev, T],
    ) -> Tensor[tuple[*B, M, N], D, Dev, T]: ...
    @overload
    def __matmul__(
        self: Tensor[tuple[*B, M, K], D, Dev, Any],
        other: Tensor[tuple[*B, K, N], D, Dev, OwnedTape],
    ) -> Tensor[tuple[*B, M, N], D, Dev, OwnedTape]: ...
    @overload
    def __matmul__(self, other: Tensor[Any, D, Dev, NoTape]) -> Tensor[AnyShape, D, Dev, T]: ...
    @overload
    def __matmul__(self, other: Tensor[Any, D, Dev, T]) -> Tensor[AnyShape, D, Dev, T]: ...
    @overload
    def __matmul__(
        self, other: Tensor[Any, D, Dev, OwnedTape]
    ) -> Tensor[AnyShape, D, Dev, OwnedTape]: ...
    @overload
    def __matmul__(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, D, Dev, Any]: ...
    def __matmul__(self, other: Any) -> Any:
        return _linalg.matmul(self, other)

    # comparisons give Bool tensors without a tape (they have no gradient)
    @overload  # type: ignore[override]
    def __eq__(self, other: float | Tensor[S, D, Dev, Any]) -> Tensor[S, Bool, Dev]: ...
    @overload
    def __eq__(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, Bool, Dev]: ...
    def __eq__(self, other: Any) -> Any:
        return _elementwise.compare("eq", self, other)

    @overload  # type: ignore[override]
    def __ne__(self, other: float | Tensor[S, D, Dev, Any]) -> Tensor[S, Bool, Dev]: ...
    @overload
    def __ne__(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, Bool, Dev]: ...
    def __ne__(self, other: Any) -> Any:
        return _elementwise.compare("ne", self, other)

    @overload
    def __lt__(self, other: float | Tensor[S, D, Dev, Any]) -> Tensor[S, Bool, Dev]: ...
    @overload
    def __lt__(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, Bool, Dev]: ...
    def __lt__(self, other: Any) -> Any:
        return _elementwise.compare("lt", self, other)

    @overload
    def __le__(self, other: float | Tensor[S, D, Dev, Any]) -> Tensor[S, Bool, Dev]: ...
    @overload
    def __le__(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, Bool, Dev]: ...
    def __le__(self, other: Any) -> Any:
        return _elementwise.compare("le", self, other)

    @overload
    def __gt__(self, other: float | Tensor[S, D, Dev, Any]) -> Tensor[S, Bool, Dev]: ...
    @overload
    def __gt__(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, Bool, Dev]: ...
    def __gt__(self, other: Any) -> Any:
        return _elementwise.compare("gt", self, other)

    @overload
    def __ge__(self, other: float | Tensor[S, D, Dev, Any]) -> Tensor[S, Bool, Dev]: ...
    @overload
    def __ge__(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, Bool, Dev]: ...
    def __ge__(self, other: Any) -> Any:
        return _elementwise.compare("ge", self, other)

    # ------------------------------------------------------------ elementwise

    def abs(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.abs_(self)

    def exp(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.exp(self)

    def log(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.log(self)

    def sqrt(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.sqrt(self)

    def square(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.square(self)

    def sin(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.sin(self)

    def cos(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.cos(self)

    def tanh(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.tanh(self)

    def sigmoid(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.sigmoid(self)

    def relu(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.relu(self)

    def gelu(self, approximate: Literal["none", "tanh"] = "none") -> Tensor[S, D, Dev, T]:
        """GELU; "none" is the exact erf form, "tanh" PyTorch's tanh approximation."""
        return _elementwise.gelu(self, approximate)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor[S, D, Dev, T]:
        return _elementwise.leaky_relu(self, negative_slope)

    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor[S, D, Dev, T]:
        """Limit values to [min, max]; the gradient passes where min <= x <= max, as torch."""
        return _elementwise.clamp(self, min, max)

    # ------------------------------------------------------------ reductions

    @overload
    def sum(
        self, axis: None = None, keepdims: Literal[False] = False
    ) -> Tensor[tuple[()], D, Dev, T]: ...
    @overload
    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor[AnyShape, D, Dev, T]: ...
    def sum(self, axis: Axis = None, keepdims: bool = False) -> Any:
        return _reduce.sum_(self, axis, keepdims)

    @overload
    def mean(
        self, axis: None = None, keepdims: Literal[False] = False
    ) -> Tensor[tuple[()], D, Dev, T]: ...
    @overload
    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor[AnyShape, D, Dev, T]: ...
    def mean(self, axis: Axis = None, keepdims: bool = False) -> Any:
        return _reduce.mean(self, axis, keepdims)

    @overload
    def max(
        self, axis: None = None, keepdims: Literal[False] = False
    ) -> Tensor[tuple[()], D, Dev, T]: ...
    @overload
    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor[AnyShape, D, Dev, T]: ...
    def max(self, axis: Axis = None, keepdims: bool = False) -> Any:
        """Largest value; ties share the gradient evenly (torch's amax rule)."""
        return _reduce.max_(self, axis, keepdims)

    @overload
    def min(
        self, axis: None = None, keepdims: Literal[False] = False
    ) -> Tensor[tuple[()], D, Dev, T]: ...
    @overload
    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor[AnyShape, D, Dev, T]: ...
    def min(self, axis: Axis = None, keepdims: bool = False) -> Any:
        """Smallest value; ties share the gradient evenly (torch's amin rule)."""
        return _reduce.min_(self, axis, keepdims)

    @overload
    def var(
        self, axis: None = None, keepdims: Literal[False] = False, correction: int = 1
    ) -> Tensor[tuple[()], D, Dev, T]: ...
    @overload
    def var(
        self, axis: Axis = None, keepdims: bool = False, correction: int = 1
    ) -> Tensor[AnyShape, D, Dev, T]: ...
    def var(self, axis: Axis = None, keepdims: bool = False, correction: int = 1) -> Any:
        """Variance with Bessel's correction by default (correction=1), as torch.var."""
        return _reduce.var(self, axis, keepdims, correction)

    @overload
    def std(
        self, axis: None = None, keepdims: Literal[False] = False, correction: int = 1
    ) -> Tensor[tuple[()], D, Dev, T]: ...
    @overload
    def std(
        self, axis: Axis = None, keepdims: bool = False, correction: int = 1
    ) -> Tensor[AnyShape, D, Dev, T]: ...
    def std(self, axis: Axis = None, keepdims: bool = False, correction: int = 1) -> Any:
        return _reduce.std(self, axis, keepdims, correction)

    def logsumexp(
        self, axis: int | tuple[int, ...], keepdims: bool = False
    ) -> Tensor[AnyShape, D, Dev, T]:
        """log(sum(exp(x))) along `axis`, computed stably."""
        return _reduce.logsumexp(self, axis, keepdims)

    @overload
    def argmax(
        self, axis: None = None, keepdims: Literal[False] = False
    ) -> Tensor[tuple[()], Int64, Dev]: ...
    @overload
    def argmax(
        self, axis: int | None = None, keepdims: bool = False
    ) -> Tensor[AnyShape, Int64, Dev]: ...
    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Any:
        """Index of the first largest value (of the flattened tensor when axis is None)."""
        return _reduce.argmax(self, axis, keepdims)

    @overload
    def argmin(
        self, axis: None = None, keepdims: Literal[False] = False
    ) -> Tensor[tuple[()], Int64, Dev]: ...
    @overload
    def argmin(
        self, axis: int | None = None, keepdims: bool = False
    ) -> Tensor[AnyShape, Int64, Dev]: ...
    def argmin(self, axis: int | None = None, keepdims: bool = False) -> Any:
        return _reduce.argmin(self, axis, keepdims)

    # ------------------------------------------------------------ shape

    @overload
    def reshape(self, shape: tuple[int, ...] | list[int], /) -> Tensor[AnyShape, D, Dev, T]: ...
    @overload
    def reshape(self, d0: int, /) -> Tensor[tuple[int], D, Dev, T]: ...
    @overload
    def reshape(self, d0: int, d1: int, /) -> Tensor[tuple[int, int], D, Dev, T]: ...
    @overload
    def reshape(self, d0: int, d1: int, d2: int, /) -> Tensor[tuple[int, int, int], D, Dev, T]: ...
    @overload
    def reshape(
        self, d0: int, d1: int, d2: int, d3: int, /
    ) -> Tensor[tuple[int, int, int, int], D, Dev, T]: ...
    @overload
    def reshape(self, *shape: int) -> Tensor[AnyShape, D, Dev, T]: ...
    def reshape(self, *shape: Any) -> Any:
        """A new shape with the same elements; one -1 is inferred. `reshape((2, 3))` works too."""
        return _movement.reshape(self, shape)

    @overload
    def flatten(self) -> Tensor[tuple[int], D, Dev, T]: ...
    @overload
    def flatten(self, start_axis: int = 0, end_axis: int = -1) -> Tensor[AnyShape, D, Dev, T]: ...
    def flatten(self, start_axis: int = 0, end_axis: int = -1) -> Any:
        """Merge axes start_axis..end_axis (inclusive) into one."""
        return _movement.flatten(self, start_axis, end_axis)

    @overload
    def permute(self, axes: tuple[int, ...] | list[int], /) -> Tensor[AnyShape, D, Dev, T]: ...
    @overload
    def permute(self, a0: int, a1: int, /) -> Tensor[tuple[int, int], D, Dev, T]: ...
    @overload
    def permute(self, a0: int, a1: int, a2: int, /) -> Tensor[tuple[int, int, int], D, Dev, T]: ...
    @overload
    def permute(
        self, a0: int, a1: int, a2: int, a3: int, /
    ) -> Tensor[tuple[int, int, int, int], D, Dev, T]: ...
    @overload
    def permute(self, *axes: int) -> Tensor[AnyShape, D, Dev, T]: ...
    def permute(self, *axes: Any) -> Any:
        """Reorder the axes (`permute(0, 2, 1)`; a single tuple works too)."""
        return _movement.permute(self, axes)

    def transpose(self, axis0: int, axis1: int) -> Tensor[AnyShape, D, Dev, T]:
        """Swap two axes."""
        return _movement.transpose(self, axis0, axis1)

    def unsqueeze(self, axis: int) -> Tensor[AnyShape, D, Dev, T]:
        """Insert a size-1 axis."""
        return _movement.unsqueeze(self, axis)

    def squeeze(self, axis: int | tuple[int, ...] | None = None) -> Tensor[AnyShape, D, Dev, T]:
        """Drop size-1 axes: all of them, or those named (others stay, as in PyTorch)."""
        return _movement.squeeze(self, axis)

    def broadcast_to(self, shape: S2) -> Tensor[S2, D, Dev, T]:
        """Expand size-1 axes (and add leading ones) to `shape`, as numpy's broadcast_to."""
        return _movement.broadcast_to(self, shape)

    def take(
        self, indices: Tensor[Any, Int64, Dev, Any], axis: int | None = None
    ) -> Tensor[AnyShape, D, Dev, T]:
        """Gather along `axis` with Int64 indices, as np.take (flattened when axis is None)."""
        return _movement.take(self, indices, axis)

    def pad(self, widths: Any, value: float = 0.0) -> Tensor[AnyShape, D, Dev, T]:
        """Pad with a constant; widths numpy-style ((before, after), ...) per axis."""
        return _movement.pad(self, widths, value)

    def __getitem__(self, key: Any) -> Tensor[AnyShape, D, Dev, T]:
        """Basic indexing: ints, slices, None and ..."""
        return _movement.getitem(self, key)

    # ------------------------------------------------------------ indexing and masking (ops/indexing.py)

    # ------------------------------------------------------------ shape and movement, more (ops/movement.py, ops/shaping.py)

    # ------------------------------------------------------------ reductions and sorting, more (ops/reduce.py, ops/sorting.py)

    # ------------------------------------------------------------ elementwise math and activations, more (ops/elementwise.py, ops/activations.py)

    # ------------------------------------------------------------ linear algebra, more (ops/linalg.py)

    @property
    def mT(self) -> Tensor[AnyShape, D, Dev, T]:
        """The last two axes swapped (a batch of matrices transposed)."""
        return _movement.matrix_transpose(self)

    # .T last: below this line the name T means the property, not the tape parameter
    @property
    def T(self) -> Tensor[AnyShape, D, Dev, T]:
        """All axes reversed (numpy's .T)."""
        return _movement.permute(self, tuple(range(self._data.ndim))[::-1])


from shaped.ops import elementwise as _elementwise  # noqa: E402  (the ops import Tensor)
from shaped.ops import linalg as _linalg  # noqa: E402
from shaped.ops import movement as _movement  # noqa: E402
from shaped.ops import reduce as _reduce  # noqa: E402

__all__ = ["Tensor"]

# The hottest operators call their op directly: the typed methods above are what checkers
# read; binding the functions saves a Python call per op (measured: ~0.1 us of ~1.2 us).
for _name, _function in {
    "__add__": _elementwise.add,
    "__radd__": _elementwise.add,
    "__mul__": _elementwise.mul,
    "__rmul__": _elementwise.mul,
    "__sub__": _elementwise.sub,
    "__truediv__": _elementwise.div,
    "__matmul__": _linalg.matmul,
}.items():
    setattr(Tensor, _name, _function)
