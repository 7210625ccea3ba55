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
P = TypeVar("P")  # a batch dim (bmm, baddbmm)

Axis = int | tuple[int, ...] | list[int] | None
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
        Module attributes are parameters already. `requires_grad_(False)` freezes it: it gets
        no gradient (`p in grads` is False, optimizers skip it), even where it meets a tape.
        """
        from shaped.tape import mark_leaf

        mark_leaf(self, requires_grad)
        return self

    @property
    def requires_grad(self) -> bool:
        """Whether this tensor gets (or passes on) a gradient: a parameter, a traced tensor, or
        one computed from them, and not frozen. Assign False to freeze, as in torch."""
        from shaped.tape import frozen

        return (self._origin is not None or self._tape is not None) and self._key not in frozen

    @requires_grad.setter
    def requires_grad(self, requires_grad: bool) -> None:
        from shaped.tape import mark_leaf

        mark_leaf(self, requires_grad)

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

    @overload
    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor[S, D, Dev, T]: ...
    @overload
    def clamp(
        self,
        min: float | Tensor[Any, D, Dev, Any] | None = None,
        max: float | Tensor[Any, D, Dev, Any] | None = None,
    ) -> Tensor[AnyShape, D, Dev, Any]: ...
    def clamp(self, min: Any = None, max: Any = None) -> Any:
        """Limit values to [min, max] (numbers, or tensors that broadcast with x); the gradient
        passes where min <= x <= max, as torch, and to a tensor bound where that bound wins."""
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            return _elementwise.clamp_tensors(self, min, max)
        return _elementwise.clamp(self, min, max)

    # ------------------------------------------------------------ reductions

    @overload
    def sum(
        self,
        axis: None = None,
        keepdims: Literal[False] = False,
        *,
        dim: None = None,
        keepdim: Literal[False] = False,
        dtype: None = None,
    ) -> Tensor[tuple[()], D, Dev, T]: ...
    @overload
    def sum(
        self,
        axis: None = None,
        keepdims: Literal[False] = False,
        *,
        dim: None = None,
        keepdim: Literal[False] = False,
        dtype: type[D2],
    ) -> Tensor[tuple[()], D2, Dev, T]: ...
    @overload
    def sum(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: Axis = None,
        keepdim: bool = False,
        dtype: None = None,
    ) -> Tensor[AnyShape, D, Dev, T]: ...
    @overload
    def sum(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: Axis = None,
        keepdim: bool = False,
        dtype: type[D2],
    ) -> Tensor[AnyShape, D2, Dev, T]: ...
    def sum(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: Axis = None,
        keepdim: bool = False,
        dtype: type[DType] | None = None,
    ) -> Any:
        """Sum over `axis` (torch's `dim=`, `keepdim=` too); ints and bools give Int64;
        `dtype=` converts first, as torch."""
        axis, keepdims = _reduce.torch_axis("sum", axis, keepdims, dim, keepdim)
        x = self if dtype is None else self.to(dtype)  # torch's dtype=: converted first
        out = _reduce.sum_(x, axis, keepdims)
        return out if dtype is None or out.dtype is dtype else out.to(dtype)

    @overload
    def mean(
        self,
        axis: None = None,
        keepdims: Literal[False] = False,
        *,
        dim: None = None,
        keepdim: Literal[False] = False,
        dtype: None = None,
    ) -> Tensor[tuple[()], D, Dev, T]: ...
    @overload
    def mean(
        self,
        axis: None = None,
        keepdims: Literal[False] = False,
        *,
        dim: None = None,
        keepdim: Literal[False] = False,
        dtype: type[D2],
    ) -> Tensor[tuple[()], D2, Dev, T]: ...
    @overload
    def mean(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: Axis = None,
        keepdim: bool = False,
        dtype: None = None,
    ) -> Tensor[AnyShape, D, Dev, T]: ...
    @overload
    def mean(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: Axis = None,
        keepdim: bool = False,
        dtype: type[D2],
    ) -> Tensor[AnyShape, D2, Dev, T]: ...
    def mean(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: Axis = None,
        keepdim: bool = False,
        dtype: type[DType] | None = None,
    ) -> Any:
        """Mean over `axis` (torch's `dim=`, `keepdim=` too); floats only (`dtype=`
        converts first, as torch)."""
        axis, keepdims = _reduce.torch_axis("mean", axis, keepdims, dim, keepdim)
        x = self if dtype is None else self.to(dtype)  # torch's dtype=: converted first
        out = _reduce.mean(x, axis, keepdims)
        return out if dtype is None or out.dtype is dtype else out.to(dtype)

    @overload
    def max(
        self, axis: None = None, keepdims: Literal[False] = False
    ) -> Tensor[tuple[()], D, Dev, T]: ...
    @overload
    def max(  # an int first is torch's dim: the pair
        self, dim: int, /, keepdim: bool = False
    ) -> _sorting.ValuesIndices[Tensor[AnyShape, D, Dev, T], Tensor[AnyShape, Int64, Dev]]: ...
    @overload
    def max(
        self, *, dim: int, keepdim: bool = False
    ) -> _sorting.ValuesIndices[Tensor[AnyShape, D, Dev, T], Tensor[AnyShape, Int64, Dev]]: ...
    @overload
    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor[AnyShape, D, Dev, T]: ...
    def max(self, *args: Any, **kwargs: Any) -> Any:
        """Largest value; ties share the gradient evenly (torch's amax rule).

        numpy's spelling `x.max(axis=1)` gives the values; torch's `x.max(1)` or
        `x.max(dim=1, keepdim=False)` gives the pair `(values, indices)` of torch's
        `x.max(dim)`, the index of the first largest value, its gradient to that element.
        """
        return _reduce.extremum_call("max", self, args, kwargs)

    @overload
    def min(
        self, axis: None = None, keepdims: Literal[False] = False
    ) -> Tensor[tuple[()], D, Dev, T]: ...
    @overload
    def min(  # an int first is torch's dim: the pair
        self, dim: int, /, keepdim: bool = False
    ) -> _sorting.ValuesIndices[Tensor[AnyShape, D, Dev, T], Tensor[AnyShape, Int64, Dev]]: ...
    @overload
    def min(
        self, *, dim: int, keepdim: bool = False
    ) -> _sorting.ValuesIndices[Tensor[AnyShape, D, Dev, T], Tensor[AnyShape, Int64, Dev]]: ...
    @overload
    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor[AnyShape, D, Dev, T]: ...
    def min(self, *args: Any, **kwargs: Any) -> Any:
        """Smallest value; ties share the gradient evenly (torch's amin rule).

        numpy's spelling `x.min(axis=1)` gives the values; torch's `x.min(1)` or
        `x.min(dim=1, keepdim=False)` gives the pair `(values, indices)` of torch's
        `x.min(dim)`, the index of the first smallest value, its gradient to that element.
        """
        return _reduce.extremum_call("min", self, args, kwargs)

    @overload
    def var(
        self,
        axis: None = None,
        keepdims: Literal[False] = False,
        correction: int = 1,
        *,
        dim: None = None,
        keepdim: Literal[False] = False,
    ) -> Tensor[tuple[()], D, Dev, T]: ...
    @overload
    def var(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        correction: int = 1,
        *,
        dim: Axis = None,
        keepdim: bool = False,
    ) -> Tensor[AnyShape, D, Dev, T]: ...
    def var(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        correction: int = 1,
        *,
        dim: Axis = None,
        keepdim: bool = False,
    ) -> Any:
        """Variance with Bessel's correction by default (correction=1), as torch.var (torch's
        `dim=`, `keepdim=` too)."""
        axis, keepdims = _reduce.torch_axis("var", axis, keepdims, dim, keepdim)
        return _reduce.var(self, axis, keepdims, correction)

    @overload
    def std(
        self,
        axis: None = None,
        keepdims: Literal[False] = False,
        correction: int = 1,
        *,
        dim: None = None,
        keepdim: Literal[False] = False,
    ) -> Tensor[tuple[()], D, Dev, T]: ...
    @overload
    def std(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        correction: int = 1,
        *,
        dim: Axis = None,
        keepdim: bool = False,
    ) -> Tensor[AnyShape, D, Dev, T]: ...
    def std(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        correction: int = 1,
        *,
        dim: Axis = None,
        keepdim: bool = False,
    ) -> Any:
        """Standard deviation, correction=1 by default as torch.std (`dim=`, `keepdim=` too)."""
        axis, keepdims = _reduce.torch_axis("std", axis, keepdims, dim, keepdim)
        return _reduce.std(self, axis, keepdims, correction)

    def logsumexp(
        self,
        axis: int | tuple[int, ...] | list[int] | None = None,
        keepdims: bool = False,
        *,
        dim: int | tuple[int, ...] | list[int] | None = None,
        keepdim: bool = False,
    ) -> Tensor[AnyShape, D, Dev, T]:
        """log(sum(exp(x))) along `axis` (all elements when None; torch's `dim=`, `keepdim=`
        too), computed stably."""
        axis, keepdims = _reduce.torch_axis("logsumexp", axis, keepdims, dim, keepdim)
        return _reduce.logsumexp(self, axis, keepdims)

    @overload
    def argmax(
        self,
        axis: None = None,
        keepdims: Literal[False] = False,
        *,
        dim: None = None,
        keepdim: Literal[False] = False,
    ) -> Tensor[tuple[()], Int64, Dev]: ...
    @overload
    def argmax(
        self,
        axis: int | None = None,
        keepdims: bool = False,
        *,
        dim: int | None = None,
        keepdim: bool = False,
    ) -> Tensor[AnyShape, Int64, Dev]: ...
    def argmax(
        self,
        axis: int | None = None,
        keepdims: bool = False,
        *,
        dim: int | None = None,
        keepdim: bool = False,
    ) -> Any:
        """Index of the first largest value (of the flattened tensor when axis is None;
        torch's `dim=`, `keepdim=` too)."""
        axis, keepdims = _reduce.torch_axis("argmax", axis, keepdims, dim, keepdim)
        return _reduce.argmax(self, axis, keepdims)  # type: ignore[arg-type]

    @overload
    def argmin(
        self,
        axis: None = None,
        keepdims: Literal[False] = False,
        *,
        dim: None = None,
        keepdim: Literal[False] = False,
    ) -> Tensor[tuple[()], Int64, Dev]: ...
    @overload
    def argmin(
        self,
        axis: int | None = None,
        keepdims: bool = False,
        *,
        dim: int | None = None,
        keepdim: bool = False,
    ) -> Tensor[AnyShape, Int64, Dev]: ...
    def argmin(
        self,
        axis: int | None = None,
        keepdims: bool = False,
        *,
        dim: int | None = None,
        keepdim: bool = False,
    ) -> Any:
        """Index of the first smallest value (torch's `dim=`, `keepdim=` too)."""
        axis, keepdims = _reduce.torch_axis("argmin", axis, keepdims, dim, keepdim)
        return _reduce.argmin(self, axis, keepdims)  # type: ignore[arg-type]

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
    def flatten(
        self,
        start_axis: int = 0,
        end_axis: int = -1,
        *,
        start_dim: int | None = None,
        end_dim: int | None = None,
    ) -> Tensor[AnyShape, D, Dev, T]: ...
    def flatten(
        self,
        start_axis: int = 0,
        end_axis: int = -1,
        *,
        start_dim: int | None = None,
        end_dim: int | None = None,
    ) -> Any:
        """Merge axes start_axis..end_axis (inclusive) into one (torch's `start_dim=`,
        `end_dim=` too)."""
        start = start_axis if start_dim is None else start_dim
        end = end_axis if end_dim is None else end_dim
        return _movement.flatten(self, start, end)

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

    def pad(
        self,
        widths: Any,
        value: float = 0.0,
        mode: Literal["constant", "reflect", "replicate", "circular"] = "constant",
    ) -> Tensor[AnyShape, D, Dev, T]:
        """Pad with numpy-style widths ((before, after), ...) per axis: with a constant, or
        torch's "reflect", "replicate" (numpy's edge) or "circular" (numpy's wrap) modes."""
        return _movement.pad(self, widths, value, mode)

    def __getitem__(self, key: Any) -> Tensor[AnyShape, D, Dev, T]:
        """Ints, slices, None and ... (a view); integer tensors, lists and Bool masks as torch."""
        return _indexing.getitem(self, key)

    # ------------------------------------------------------------ indexing and masking (ops/indexing.py)

    @overload
    def gather(self, axis: int, index: Tensor[S2, Int64, Dev, Any]) -> Tensor[S2, D, Dev, T]: ...
    @overload
    def gather(self, *, dim: int, index: Tensor[S2, Int64, Dev, Any]) -> Tensor[S2, D, Dev, T]: ...
    def gather(self, axis: Any = None, index: Any = None, *, dim: Any = None) -> Any:
        """torch.gather: out[i][j] = x[index[i][j]][j] along axis 0; shaped like `index`
        (torch's `dim=` too)."""
        return _indexing.gather(self, _indexing.axis_or_dim("gather", axis, dim), index)

    def take_along_axis(
        self, indices: Tensor[Any, Int64, Dev, Any], axis: int
    ) -> Tensor[AnyShape, D, Dev, T]:
        """np.take_along_axis (torch.take_along_dim): the other axes broadcast."""
        return _indexing.take_along_axis(self, indices, axis)

    @overload
    def index_select(
        self, axis: int, index: Tensor[Any, Int64, Dev, Any]
    ) -> Tensor[AnyShape, D, Dev, T]: ...
    @overload
    def index_select(
        self, *, dim: int, index: Tensor[Any, Int64, Dev, Any]
    ) -> Tensor[AnyShape, D, Dev, T]: ...
    def index_select(self, axis: Any = None, index: Any = None, *, dim: Any = None) -> Any:
        """torch.index_select: the entries of `axis` named by a 1-D index, in its order
        (torch's `dim=` too)."""
        axis = _indexing.axis_or_dim("index_select", axis, dim)
        return _indexing.index_select(self, axis, index)

    @overload
    def scatter_add(
        self, axis: int, index: Tensor[Any, Int64, Dev, Any], src: Tensor[Any, D, Dev, NoTape]
    ) -> Tensor[S, D, Dev, T]: ...
    @overload
    def scatter_add(
        self, axis: int, index: Tensor[Any, Int64, Dev, Any], src: Tensor[Any, D, Dev, Any]
    ) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def scatter_add(
        self, *, dim: int, index: Tensor[Any, Int64, Dev, Any], src: Tensor[Any, D, Dev, NoTape]
    ) -> Tensor[S, D, Dev, T]: ...
    @overload
    def scatter_add(
        self, *, dim: int, index: Tensor[Any, Int64, Dev, Any], src: Tensor[Any, D, Dev, Any]
    ) -> Tensor[S, D, Dev, OwnedTape]: ...
    def scatter_add(
        self, axis: Any = None, index: Any = None, src: Any = None, *, dim: Any = None
    ) -> Any:
        """torch.scatter_add: a copy with src[i][j] added at [index[i][j]][j] (axis 0; torch's
        `dim=` too)."""
        axis = _indexing.axis_or_dim("scatter_add", axis, dim)
        return _indexing.scatter_add(self, axis, index, src)

    @overload
    def scatter(
        self,
        axis: int,
        index: Tensor[Any, Int64, Dev, Any],
        src: float | Tensor[Any, D, Dev, NoTape],
    ) -> Tensor[S, D, Dev, T]: ...
    @overload
    def scatter(
        self, axis: int, index: Tensor[Any, Int64, Dev, Any], src: Tensor[Any, D, Dev, Any]
    ) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def scatter(
        self,
        *,
        dim: int,
        index: Tensor[Any, Int64, Dev, Any],
        src: float | Tensor[Any, D, Dev, NoTape],
    ) -> Tensor[S, D, Dev, T]: ...
    @overload
    def scatter(
        self, *, dim: int, index: Tensor[Any, Int64, Dev, Any], src: Tensor[Any, D, Dev, Any]
    ) -> Tensor[S, D, Dev, OwnedTape]: ...
    def scatter(
        self,
        axis: Any = None,
        index: Any = None,
        src: Any = None,
        *,
        dim: Any = None,
        reduce: Any = None,
    ) -> Any:
        """torch.scatter: a copy with src (a tensor or a number) written at the indexed places
        (torch's `dim=` too); torch's `reduce="add"` or `"multiply"` combines instead (for a
        tensor src: `scatter_reduce` with "sum" or "prod")."""
        axis = _indexing.axis_or_dim("scatter", axis, dim)
        if reduce is None:
            return _indexing.scatter(self, axis, index, src)
        combine = {"add": "sum", "multiply": "prod"}.get(reduce)
        if combine is None:
            raise ValueError(f"scatter: reduce must be 'add' or 'multiply', got {reduce!r}")
        if not isinstance(src, Tensor):
            src = self.new_full(index.shape, src)
        return _indexing.scatter_reduce(self, axis, index, src, combine, True)

    @overload
    def scatter_reduce(
        self,
        axis: int,
        index: Tensor[Any, Int64, Dev, Any],
        src: Tensor[Any, D, Dev, NoTape],
        reduce: str,  # "sum", "prod", "mean", "amax" or "amin" (a Literal would hide [shape])
        *,
        include_self: bool = True,
    ) -> Tensor[S, D, Dev, T]: ...
    @overload
    def scatter_reduce(
        self,
        axis: int,
        index: Tensor[Any, Int64, Dev, Any],
        src: Tensor[Any, D, Dev, Any],
        reduce: str,  # "sum", "prod", "mean", "amax" or "amin" (a Literal would hide [shape])
        *,
        include_self: bool = True,
    ) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def scatter_reduce(
        self,
        *,
        dim: int,
        index: Tensor[Any, Int64, Dev, Any],
        src: Tensor[Any, D, Dev, Any],
        reduce: str,  # "sum", "prod", "mean", "amax" or "amin" (a Literal would hide [shape])
        include_self: bool = True,
    ) -> Tensor[S, D, Dev, Any]: ...
    def scatter_reduce(
        self,
        axis: Any = None,
        index: Any = None,
        src: Any = None,
        reduce: Any = None,
        *,
        include_self: bool = True,
        dim: Any = None,
    ) -> Any:
        """torch.scatter_reduce: src combined into the indexed places by `reduce` ("sum",
        "prod", "mean", "amax", "amin"), with self's value too when include_self (torch's
        `dim=` too); gradients as torch's."""
        axis = _indexing.axis_or_dim("scatter_reduce", axis, dim)
        return _indexing.scatter_reduce(self, axis, index, src, reduce, include_self)

    def masked_fill(self, mask: Tensor[Any, Bool, Dev, Any], value: float) -> Tensor[S, D, Dev, T]:
        """`value` where the Bool mask (broadcast to this shape) is True, as torch."""
        return _indexing.masked_fill(self, mask, value)

    def nonzero(self) -> Tensor[tuple[int, int], Int64, Dev]:
        """Coordinates of the nonzero elements, one row each: (count, rank), Int64."""
        return _indexing.nonzero(self)

    @overload
    def unique(
        self,
        sorted: bool = True,
        return_inverse: Literal[False] = False,
        return_counts: Literal[False] = False,
        dim: None = None,
    ) -> Tensor[tuple[int], D, Dev]: ...
    @overload
    def unique(
        self,
        sorted: bool = True,
        *,
        return_inverse: Literal[True],
        return_counts: Literal[False] = False,
        dim: None = None,
    ) -> tuple[Tensor[tuple[int], D, Dev], Tensor[S, Int64, Dev]]: ...
    @overload
    def unique(
        self,
        sorted: bool = True,
        return_inverse: Literal[False] = False,
        *,
        return_counts: Literal[True],
        dim: None = None,
    ) -> tuple[Tensor[tuple[int], D, Dev], Tensor[tuple[int], Int64, Dev]]: ...
    @overload
    def unique(
        self,
        sorted: bool = True,
        *,
        return_inverse: Literal[True],
        return_counts: Literal[True],
        dim: None = None,
    ) -> tuple[
        Tensor[tuple[int], D, Dev], Tensor[S, Int64, Dev], Tensor[tuple[int], Int64, Dev]
    ]: ...
    @overload
    def unique(
        self,
        sorted: bool = True,
        return_inverse: bool = False,
        return_counts: bool = False,
        dim: None = None,
    ) -> Tensor[tuple[int], D, Dev] | tuple[Tensor[Any, Any, Dev], ...]: ...
    def unique(
        self,
        sorted: bool = True,
        return_inverse: bool = False,
        return_counts: bool = False,
        dim: None = None,
    ) -> Any:
        """The distinct values, sorted, as a 1-D tensor (torch.unique; no gradient). With
        return_inverse=True / return_counts=True a tuple, as torch: (values, inverse of this
        shape, counts), the ones asked for. Only dim=None."""
        return _indexing.unique(self, sorted, return_inverse, return_counts, dim)

    @overload
    def bincount(
        self, weights: None = None, minlength: int = 0
    ) -> Tensor[tuple[int], Int64, Dev]: ...
    @overload
    def bincount(
        self, weights: Tensor[Any, D2, Dev, Any], minlength: int = 0
    ) -> Tensor[tuple[int], D2, Dev]: ...
    def bincount(self, weights: Any = None, minlength: int = 0) -> Any:
        """Occurrences of each value 0..max of a 1-D Int tensor, or the sums of Float32 or
        Float64 `weights`, of their dtype (as torch; no gradient)."""
        return _indexing.bincount(self, weights, minlength)

    @overload
    def new_zeros(self, shape: S2, dtype: None = None) -> Tensor[S2, D, Dev]: ...
    @overload
    def new_zeros(self, shape: S2, dtype: type[D2]) -> Tensor[S2, D2, Dev]: ...
    def new_zeros(self, shape: Any, dtype: Any = None) -> Any:
        """Zeros on this tensor's device, of its dtype unless `dtype` is given."""
        return self._device.zeros(shape, dtype=self.dtype if dtype is None else dtype)

    @overload
    def new_ones(self, shape: S2, dtype: None = None) -> Tensor[S2, D, Dev]: ...
    @overload
    def new_ones(self, shape: S2, dtype: type[D2]) -> Tensor[S2, D2, Dev]: ...
    def new_ones(self, shape: Any, dtype: Any = None) -> Any:
        """Ones on this tensor's device, of its dtype unless `dtype` is given."""
        return self._device.ones(shape, dtype=self.dtype if dtype is None else dtype)

    @overload
    def new_full(self, shape: S2, value: float, dtype: None = None) -> Tensor[S2, D, Dev]: ...
    @overload
    def new_full(self, shape: S2, value: float, dtype: type[D2]) -> Tensor[S2, D2, Dev]: ...
    def new_full(self, shape: Any, value: float, dtype: Any = None) -> Any:
        """`value` everywhere, on this tensor's device, of its dtype unless `dtype` is given."""
        return self._device.full(shape, value, dtype=self.dtype if dtype is None else dtype)

    # ------------------------------------------------------------ shape and movement, more (ops/movement.py, ops/shaping.py)

    @overload
    def view(self, shape: tuple[int, ...] | list[int], /) -> Tensor[AnyShape, D, Dev, T]: ...
    @overload
    def view(self, d0: int, /) -> Tensor[tuple[int], D, Dev, T]: ...
    @overload
    def view(self, d0: int, d1: int, /) -> Tensor[tuple[int, int], D, Dev, T]: ...
    @overload
    def view(self, d0: int, d1: int, d2: int, /) -> Tensor[tuple[int, int, int], D, Dev, T]: ...
    @overload
    def view(
        self, d0: int, d1: int, d2: int, d3: int, /
    ) -> Tensor[tuple[int, int, int, int], D, Dev, T]: ...
    @overload
    def view(self, *shape: int) -> Tensor[AnyShape, D, Dev, T]: ...
    def view(self, *shape: Any) -> Any:
        """torch's name for reshape (one implementation; numpy copies where a view cannot be)."""
        return _movement.reshape(self, shape)

    def view_as(self, other: Tensor[S2, Any, Any, Any]) -> Tensor[S2, D, Dev, T]:
        """reshape to `other`'s shape."""
        return _movement.reshape(self, tuple(other._data.shape))

    def reshape_as(self, other: Tensor[S2, Any, Any, Any]) -> Tensor[S2, D, Dev, T]:
        """reshape to `other`'s shape."""
        return _movement.reshape(self, tuple(other._data.shape))

    @overload
    def expand(self, shape: tuple[int, ...] | list[int], /) -> Tensor[AnyShape, D, Dev, T]: ...
    @overload
    def expand(self, d0: int, /) -> Tensor[tuple[int], D, Dev, T]: ...
    @overload
    def expand(self, d0: int, d1: int, /) -> Tensor[tuple[int, int], D, Dev, T]: ...
    @overload
    def expand(self, d0: int, d1: int, d2: int, /) -> Tensor[tuple[int, int, int], D, Dev, T]: ...
    @overload
    def expand(
        self, d0: int, d1: int, d2: int, d3: int, /
    ) -> Tensor[tuple[int, int, int, int], D, Dev, T]: ...
    @overload
    def expand(self, *sizes: int) -> Tensor[AnyShape, D, Dev, T]: ...
    def expand(self, *sizes: Any) -> Any:
        """torch's expand: size-1 axes broadcast to the sizes, -1 keeps a dim, new axes lead."""
        return _shaping.expand(self, sizes)

    def expand_as(self, other: Tensor[S2, Any, Any, Any]) -> Tensor[S2, D, Dev, T]:
        """expand to `other`'s shape."""
        return _shaping.expand(self, (tuple(other._data.shape),))

    @overload
    def repeat(self, sizes: tuple[int, ...] | list[int], /) -> Tensor[AnyShape, D, Dev, T]: ...
    @overload
    def repeat(self, r0: int, /) -> Tensor[tuple[int], D, Dev, T]: ...
    @overload
    def repeat(self, r0: int, r1: int, /) -> Tensor[tuple[int, int], D, Dev, T]: ...
    @overload
    def repeat(self, r0: int, r1: int, r2: int, /) -> Tensor[tuple[int, int, int], D, Dev, T]: ...
    @overload
    def repeat(
        self, r0: int, r1: int, r2: int, r3: int, /
    ) -> Tensor[tuple[int, int, int, int], D, Dev, T]: ...
    @overload
    def repeat(self, *sizes: int) -> Tensor[AnyShape, D, Dev, T]: ...
    def repeat(self, *sizes: Any) -> Any:
        """torch's x.repeat(2, 3): tile along each axis; extra leading sizes add axes."""
        return _shaping.repeat(self, sizes)

    def contiguous(self) -> Tensor[S, D, Dev, T]:
        """The data in C order (this tensor itself when it already is)."""
        return _shaping.copy(self, contiguous=True)

    def clone(self) -> Tensor[S, D, Dev, T]:
        """A copy of the data; the gradient flows back through it."""
        return _shaping.copy(self, contiguous=False)

    def split(
        self,
        split_size_or_sections: int | list[int] | tuple[int, ...],
        axis: int = 0,
        *,
        dim: int | None = None,
    ) -> tuple[Tensor[AnyShape, D, Dev, T], ...]:
        """torch.split: pieces of split_size along `axis` (the last smaller), or of the sizes."""
        axis = _shaping.pick_axis("split", axis, dim, 0)
        return _shaping.split(self, split_size_or_sections, axis)

    def chunk(
        self, chunks: int, axis: int = 0, *, dim: int | None = None
    ) -> tuple[Tensor[AnyShape, D, Dev, T], ...]:
        """torch.chunk: at most `chunks` pieces of ceil(size/chunks) along `axis`."""
        axis = _shaping.pick_axis("chunk", axis, dim, 0)
        return _shaping.split(self, chunks, axis, op="chunk")

    def unbind(
        self, axis: int = 0, *, dim: int | None = None
    ) -> tuple[Tensor[AnyShape, D, Dev, T], ...]:
        """One tensor per index of `axis`, without that axis (torch.unbind)."""
        return _shaping.unbind(self, _shaping.pick_axis("unbind", axis, dim, 0))

    def tril(self, diagonal: int = 0) -> Tensor[S, D, Dev, T]:
        """Zero the elements above diagonal `diagonal` of the last two axes."""
        return _shaping.triangle(self, diagonal, upper=False)

    def triu(self, diagonal: int = 0) -> Tensor[S, D, Dev, T]:
        """Zero the elements below diagonal `diagonal` of the last two axes."""
        return _shaping.triangle(self, diagonal, upper=True)

    def flip(
        self,
        axis: int | tuple[int, ...] | list[int] | None = None,
        *more: int,
        dims: int | tuple[int, ...] | list[int] | None = None,
    ) -> Tensor[S, D, Dev, T]:
        """Reverse the order along `axis` (every axis for None, as np.flip; torch's dims=, and
        torch's varargs `x.flip(0, 1)`)."""
        if more:
            if not isinstance(axis, int):
                raise TypeError(f"flip: give the axes as ints or one tuple, got {axis!r}, {more}")
            axis = (axis, *more)
        return _shaping.flip(self, _shaping.pick_axis("flip", axis, dims))

    def roll(
        self,
        shifts: int | tuple[int, ...] | list[int],
        axis: int | tuple[int, ...] | list[int] | None = None,
        *,
        dims: int | tuple[int, ...] | list[int] | None = None,
    ) -> Tensor[S, D, Dev, T]:
        """Shift elements cyclically along `axis` (the flattened tensor for None; torch's dims=)."""
        return _shaping.roll(self, shifts, _shaping.pick_axis("roll", axis, dims))

    def narrow(self, axis: int, start: int, length: int) -> Tensor[AnyShape, D, Dev, T]:
        """`length` elements of `axis` from `start` (torch.narrow; a view's gradient)."""
        return _shaping.narrow(self, axis, start, length)

    def movedim(
        self,
        source: int | tuple[int, ...] | list[int],
        destination: int | tuple[int, ...] | list[int],
    ) -> Tensor[AnyShape, D, Dev, T]:
        """Move axes to new positions, the others keeping their order (np.moveaxis)."""
        return _shaping.movedim(self, source, destination)

    def moveaxis(
        self,
        source: int | tuple[int, ...] | list[int],
        destination: int | tuple[int, ...] | list[int],
    ) -> Tensor[AnyShape, D, Dev, T]:
        """numpy's name for movedim (one implementation)."""
        return _shaping.movedim(self, source, destination)

    def repeat_interleave(
        self,
        repeats: int | Tensor[Any, Int64, Dev, Any],
        axis: int | None = None,
        *,
        dim: int | None = None,
    ) -> Tensor[AnyShape, D, Dev, T]:
        """Repeat each element `repeats` times along `axis` (the flattened tensor for None);
        an Int64 tensor gives a count per element (or one count for all), as torch."""
        return _shaping.repeat_interleave(
            self, repeats, _shaping.pick_axis("repeat_interleave", axis, dim)
        )

    def diag(self, diagonal: int = 0) -> Tensor[AnyShape, D, Dev, T]:
        """torch.diag: a vector becomes a square matrix, a matrix gives a diagonal."""
        return _shaping.diag(self, diagonal)

    def numel(self) -> int:
        """The number of elements."""
        return _shaping.numel(self)

    @overload
    def size(self) -> S: ...
    @overload
    def size(self, axis: int) -> int: ...
    @overload
    def size(self, *, dim: int) -> int: ...
    def size(self, axis: int | None = None, *, dim: int | None = None) -> Any:
        """The shape, or the size of one axis (torch's x.size(dim))."""
        return _shaping.size(self, _shaping.pick_axis("size", axis, dim))

    # ------------------------------------------------------------ reductions and sorting, more (ops/reduce.py, ops/sorting.py)

    @overload
    def prod(
        self,
        axis: None = None,
        keepdims: Literal[False] = False,
        *,
        dim: None = None,
        keepdim: Literal[False] = False,
        dtype: None = None,
    ) -> Tensor[tuple[()], D, Dev, T]: ...
    @overload
    def prod(
        self,
        axis: None = None,
        keepdims: Literal[False] = False,
        *,
        dim: None = None,
        keepdim: Literal[False] = False,
        dtype: type[D2],
    ) -> Tensor[tuple[()], D2, Dev, T]: ...
    @overload
    def prod(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: Axis = None,
        keepdim: bool = False,
        dtype: None = None,
    ) -> Tensor[AnyShape, D, Dev, T]: ...
    @overload
    def prod(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: Axis = None,
        keepdim: bool = False,
        dtype: type[D2],
    ) -> Tensor[AnyShape, D2, Dev, T]: ...
    def prod(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: Axis = None,
        keepdim: bool = False,
        dtype: type[DType] | None = None,
    ) -> Any:
        """Product of the elements (ints and bools give Int64, as torch; torch's `dim=`,
        `keepdim=`, `dtype=` too); the gradient is exact where elements are 0."""
        axis, keepdims = _reduce.torch_axis("prod", axis, keepdims, dim, keepdim)
        x = self if dtype is None else self.to(dtype)  # torch's dtype=: converted first
        out = _reduce.prod(x, axis, keepdims)
        return out if dtype is None or out.dtype is dtype else out.to(dtype)

    @overload
    def any(
        self,
        axis: None = None,
        keepdims: Literal[False] = False,
        *,
        dim: None = None,
        keepdim: Literal[False] = False,
    ) -> Tensor[tuple[()], Bool, Dev]: ...
    @overload
    def any(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: Axis = None,
        keepdim: bool = False,
    ) -> Tensor[AnyShape, Bool, Dev]: ...
    def any(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: Axis = None,
        keepdim: bool = False,
    ) -> Any:
        """Whether any element is nonzero (True), as a Bool tensor without a tape."""
        axis, keepdims = _reduce.torch_axis("any", axis, keepdims, dim, keepdim)
        return _reduce.any_(self, axis, keepdims)

    @overload
    def all(
        self,
        axis: None = None,
        keepdims: Literal[False] = False,
        *,
        dim: None = None,
        keepdim: Literal[False] = False,
    ) -> Tensor[tuple[()], Bool, Dev]: ...
    @overload
    def all(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: Axis = None,
        keepdim: bool = False,
    ) -> Tensor[AnyShape, Bool, Dev]: ...
    def all(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: Axis = None,
        keepdim: bool = False,
    ) -> Any:
        """Whether every element is nonzero (True), as a Bool tensor without a tape."""
        axis, keepdims = _reduce.torch_axis("all", axis, keepdims, dim, keepdim)
        return _reduce.all_(self, axis, keepdims)

    @overload
    def cumsum(self, axis: int, /) -> Tensor[S, D, Dev, T]: ...
    @overload
    def cumsum(self, *, axis: int) -> Tensor[S, D, Dev, T]: ...
    @overload
    def cumsum(self, *, dim: int) -> Tensor[S, D, Dev, T]: ...
    def cumsum(self, axis: int | None = None, *, dim: int | None = None) -> Any:
        """Running sum along `axis` (torch's `dim=` too); ints and bools give Int64, as torch."""
        return _sorting.cumsum(self, _sorting.pick_axis("cumsum", axis, dim))

    @overload
    def cumprod(self, axis: int, /) -> Tensor[S, D, Dev, T]: ...
    @overload
    def cumprod(self, *, axis: int) -> Tensor[S, D, Dev, T]: ...
    @overload
    def cumprod(self, *, dim: int) -> Tensor[S, D, Dev, T]: ...
    def cumprod(self, axis: int | None = None, *, dim: int | None = None) -> Any:
        """Running product along `axis` (torch's `dim=` too); the gradient is exact at zeros."""
        return _sorting.cumprod(self, _sorting.pick_axis("cumprod", axis, dim))

    @overload
    def logcumsumexp(self, axis: int, /) -> Tensor[S, D, Dev, T]: ...
    @overload
    def logcumsumexp(self, *, axis: int) -> Tensor[S, D, Dev, T]: ...
    @overload
    def logcumsumexp(self, *, dim: int) -> Tensor[S, D, Dev, T]: ...
    def logcumsumexp(self, axis: int | None = None, *, dim: int | None = None) -> Any:
        """log(cumsum(exp(x))) along `axis` (torch's `dim=` too), stable for any range; floats."""
        return _sorting.logcumsumexp(self, _sorting.pick_axis("logcumsumexp", axis, dim))

    def cummax(
        self, axis: int | None = None, *, dim: int | None = None
    ) -> _sorting.ValuesIndices[Tensor[S, D, Dev, T], Tensor[S, Int64, Dev]]:
        """`(values, indices)` of the running maximum along `axis` (torch's `dim=` too), as
        torch's x.cummax(dim): the latest index on ties; NaN wins from where it appears."""
        return _sorting.cumextremum("cummax", self, _sorting.pick_axis("cummax", axis, dim))

    def cummin(
        self, axis: int | None = None, *, dim: int | None = None
    ) -> _sorting.ValuesIndices[Tensor[S, D, Dev, T], Tensor[S, Int64, Dev]]:
        """`(values, indices)` of the running minimum along `axis` (torch's `dim=` too)."""
        return _sorting.cumextremum("cummin", self, _sorting.pick_axis("cummin", axis, dim))

    def sort(
        self,
        axis: int | None = None,
        descending: bool = False,
        *,
        stable: bool = False,
        dim: int | None = None,
    ) -> _sorting.ValuesIndices[Tensor[S, D, Dev, T], Tensor[S, Int64, Dev]]:
        """`(values, indices)` sorted along `axis` (default -1; torch's `dim=` too), as torch's
        x.sort(); always stable (ties keep their order); NaN sorts as the largest value."""
        return _sorting.sort(self, _sorting.pick_axis("sort", axis, dim, -1), descending)

    def argsort(
        self,
        axis: int | None = None,
        descending: bool = False,
        *,
        stable: bool = False,
        dim: int | None = None,
    ) -> Tensor[S, Int64, Dev]:
        """The indices that sort along `axis` (default -1; torch's `dim=` too); stable."""
        return _sorting.argsort(self, _sorting.pick_axis("argsort", axis, dim, -1), descending)

    def topk(
        self,
        k: int,
        axis: int | None = None,
        largest: bool = True,
        sorted: bool = True,
        *,
        dim: int | None = None,
    ) -> _sorting.ValuesIndices[Tensor[AnyShape, D, Dev, T], Tensor[AnyShape, Int64, Dev]]:
        """`(values, indices)` of the k largest (smallest with largest=False) along `axis`
        (default -1; torch's `dim=` too), in order, as torch's x.topk(k)."""
        return _sorting.topk(self, k, _sorting.pick_axis("topk", axis, dim, -1), largest)

    def kthvalue(
        self,
        k: int,
        axis: int | None = None,
        keepdims: bool = False,
        *,
        dim: int | None = None,
        keepdim: bool = False,
    ) -> _sorting.ValuesIndices[Tensor[AnyShape, D, Dev, T], Tensor[AnyShape, Int64, Dev]]:
        """`(values, indices)` of the k-th smallest (k from 1) along `axis` (default -1; torch's
        `dim=`, `keepdim=` too), as torch's x.kthvalue(k); NaN counts as the largest."""
        axis = _sorting.pick_axis("kthvalue", axis, dim, -1)
        return _sorting.kthvalue(self, k, axis, keepdims or keepdim)

    @overload
    def median(self) -> Tensor[tuple[()], D, Dev, T]: ...
    @overload
    def median(
        self, dim: int, /, keepdim: bool = False
    ) -> _sorting.ValuesIndices[Tensor[AnyShape, D, Dev, T], Tensor[AnyShape, Int64, Dev]]: ...
    @overload
    def median(
        self, *, dim: int, keepdim: bool = False
    ) -> _sorting.ValuesIndices[Tensor[AnyShape, D, Dev, T], Tensor[AnyShape, Int64, Dev]]: ...
    def median(self, *args: Any, **kwargs: Any) -> Any:
        """torch's median: the lower median (no mean of the two middle values, unlike numpy),
        of all elements, or `(values, indices)` along `dim`. NaN anywhere gives NaN."""
        return _sorting.median_call(self, args, kwargs)

    @overload
    def norm(
        self, p: float | str = 2, axis: None = None, keepdims: Literal[False] = False
    ) -> Tensor[tuple[()], D, Dev, T]: ...
    @overload
    def norm(
        self,
        p: float | str = 2,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: Axis = None,
        keepdim: bool = False,
    ) -> Tensor[AnyShape, D, Dev, T]: ...
    def norm(
        self,
        p: float | str = 2,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: Axis = None,
        keepdim: bool = False,
    ) -> Any:
        """torch's x.norm(p=2, dim=None, keepdim=False): the vector p-norm over `axis` (numpy's
        name; torch's `dim=` too), all elements by default; p may be 1, 2, inf, -inf, 0, any
        other number, or 'fro' (the 2-norm). A zero norm passes a zero gradient, as torch."""
        if axis is not None and dim is not None:
            raise TypeError("norm: give axis or dim, not both (they are the same argument)")
        axis, keepdims = _reduce.torch_axis("norm", axis, keepdims, dim, keepdim)
        return _reduce.norm(self, p, axis, keepdims)

    # ------------------------------------------------------------ elementwise math and activations, more (ops/elementwise.py, ops/activations.py)

    def floor(self) -> Tensor[S, D, Dev, T]:
        """Round down; ints stay as they are; the gradient is zero, as torch."""
        return _elementwise.floor(self)

    def ceil(self) -> Tensor[S, D, Dev, T]:
        """Round up; ints stay as they are; the gradient is zero, as torch."""
        return _elementwise.ceil(self)

    def round(self) -> Tensor[S, D, Dev, T]:
        """Round half to even (as torch and numpy); the gradient is zero."""
        return _elementwise.round_(self)

    def trunc(self) -> Tensor[S, D, Dev, T]:
        """Round towards zero; the gradient is zero, as torch."""
        return _elementwise.trunc(self)

    def sign(self) -> Tensor[S, D, Dev, T]:
        """-1, 0 or 1 (0 for NaN); the gradient is zero, as torch."""
        return _elementwise.sign(self)

    def erf(self) -> Tensor[S, D, Dev, T]:
        """The error function, accurate to float64 rounding."""
        return _elementwise.erf_(self)

    def tan(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.tan(self)

    def sinh(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.sinh(self)

    def cosh(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.cosh(self)

    def asinh(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.asinh(self)

    def acosh(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.acosh(self)

    def atanh(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.atanh(self)

    def asin(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.asin(self)

    def acos(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.acos(self)

    def atan(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.atan(self)

    def exp2(self) -> Tensor[S, D, Dev, T]:
        """2 ** x."""
        return _elementwise.exp2(self)

    def log2(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.log2(self)

    def log10(self) -> Tensor[S, D, Dev, T]:
        return _elementwise.log10(self)

    def log1p(self) -> Tensor[S, D, Dev, T]:
        """log(1 + x), accurate for small x."""
        return _elementwise.log1p(self)

    def expm1(self) -> Tensor[S, D, Dev, T]:
        """exp(x) - 1, accurate for small x."""
        return _elementwise.expm1(self)

    def rsqrt(self) -> Tensor[S, D, Dev, T]:
        """1 / sqrt(x)."""
        return _elementwise.rsqrt(self)

    def reciprocal(self) -> Tensor[S, D, Dev, T]:
        """1 / x (float tensors; torch would promote ints)."""
        return _elementwise.reciprocal(self)

    def isnan(self) -> Tensor[S, Bool, Dev]:
        """Where x is NaN (a Bool tensor without a tape)."""
        return _elementwise.isnan(self)

    def isinf(self) -> Tensor[S, Bool, Dev]:
        """Where x is +inf or -inf (a Bool tensor without a tape)."""
        return _elementwise.isinf(self)

    def isfinite(self) -> Tensor[S, Bool, Dev]:
        """Where x is neither NaN nor infinite (a Bool tensor without a tape)."""
        return _elementwise.isfinite(self)

    def nan_to_num(
        self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
    ) -> Tensor[S, D, Dev, T]:
        """NaN, +inf and -inf replaced (by default 0 and the dtype's extremes, as torch)."""
        return _elementwise.nan_to_num(self, nan, posinf, neginf)

    @overload
    def atan2(self, other: float | Tensor[S, D, Dev, NoTape]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def atan2(self, other: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def atan2(self, other: Tensor[S, D, Dev, OwnedTape]) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def atan2(self, other: Tensor[Any, D, Dev, NoTape]) -> Tensor[AnyShape, D, Dev, T]: ...
    @overload
    def atan2(
        self, other: Tensor[Any, D, Dev, OwnedTape]
    ) -> Tensor[AnyShape, D, Dev, OwnedTape]: ...
    @overload
    def atan2(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, D, Dev, Any]: ...
    def atan2(self, other: Any) -> Any:
        """The angle of the point (other, self) in (-pi, pi], as torch.atan2(self, other)."""
        return _elementwise.atan2(self, other)

    @overload
    def logaddexp(self, other: float | Tensor[S, D, Dev, NoTape]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def logaddexp(self, other: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def logaddexp(self, other: Tensor[S, D, Dev, OwnedTape]) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def logaddexp(self, other: Tensor[Any, D, Dev, NoTape]) -> Tensor[AnyShape, D, Dev, T]: ...
    @overload
    def logaddexp(
        self, other: Tensor[Any, D, Dev, OwnedTape]
    ) -> Tensor[AnyShape, D, Dev, OwnedTape]: ...
    @overload
    def logaddexp(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, D, Dev, Any]: ...
    def logaddexp(self, other: Any) -> Any:
        """log(exp(self) + exp(other)), computed stably."""
        return _elementwise.logaddexp(self, other)

    # ------------------------------------------------------------ third round (tinygrad's test_ops)

    @overload
    def copysign(self, other: float | Tensor[S, D, Dev, NoTape]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def copysign(self, other: Tensor[S, D, Dev, Any]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def copysign(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, D, Dev, T]: ...
    def copysign(self, other: Any) -> Any:
        """|self| with the sign of `other` (torch.copysign); floats. Only self gets a gradient,
        as in torch."""
        return _elementwise.copysign(self, other)

    @overload
    def fmod(self, other: float | Tensor[S, D, Dev, NoTape]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def fmod(self, other: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def fmod(self, other: Tensor[S, D, Dev, OwnedTape]) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def fmod(self, other: Tensor[Any, D, Dev, NoTape]) -> Tensor[AnyShape, D, Dev, T]: ...
    @overload
    def fmod(
        self, other: Tensor[Any, D, Dev, OwnedTape]
    ) -> Tensor[AnyShape, D, Dev, OwnedTape]: ...
    @overload
    def fmod(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, D, Dev, Any]: ...
    def fmod(self, other: Any) -> Any:
        """The remainder with the dividend's sign (C's fmod, torch.fmod); `%` and
        `remainder` take the divisor's sign."""
        return _elementwise.fmod(self, other)

    @overload
    def remainder(self, other: float | Tensor[S, D, Dev, NoTape]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def remainder(self, other: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def remainder(self, other: Tensor[S, D, Dev, OwnedTape]) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def remainder(self, other: Tensor[Any, D, Dev, NoTape]) -> Tensor[AnyShape, D, Dev, T]: ...
    @overload
    def remainder(
        self, other: Tensor[Any, D, Dev, OwnedTape]
    ) -> Tensor[AnyShape, D, Dev, OwnedTape]: ...
    @overload
    def remainder(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, D, Dev, Any]: ...
    def remainder(self, other: Any) -> Any:
        """self % other, the divisor's sign (torch.remainder)."""
        return _elementwise.mod(self, other)

    @overload
    def isclose(
        self,
        other: float | Tensor[S, D, Dev, Any],
        rtol: float = 1e-05,
        atol: float = 1e-08,
        equal_nan: bool = False,
    ) -> Tensor[S, Bool, Dev]: ...
    @overload
    def isclose(
        self,
        other: Tensor[Any, D, Dev, Any],
        rtol: float = 1e-05,
        atol: float = 1e-08,
        equal_nan: bool = False,
    ) -> Tensor[AnyShape, Bool, Dev]: ...
    def isclose(
        self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> Any:
        """|self - other| <= atol + rtol * |other| (torch.isclose): Bool, without a tape."""
        return _elementwise.isclose(self, other, rtol, atol, equal_nan)

    def allclose(
        self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> bool:
        """Whether every element is close (torch.allclose): a Python bool."""
        return bool(_elementwise.isclose(self, other, rtol, atol, equal_nan)._data.all())

    def logical_not(self) -> Tensor[S, Bool, Dev]:
        """Where self is zero: Bool for any dtype, without a tape (torch.logical_not)."""
        return _elementwise.logical_not(self)

    def bitwise_not(self) -> Tensor[S, D, Dev]:
        """~self: logical not of Bool, bitwise not of integers (torch.bitwise_not)."""
        return _elementwise.invert(self)

    @overload
    def logical_and(self, other: Tensor[S, D, Dev, Any]) -> Tensor[S, Bool, Dev]: ...
    @overload
    def logical_and(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, Bool, Dev]: ...
    def logical_and(self, other: Any) -> Any:
        """Both nonzero (torch.logical_and): Bool, without a tape; one dtype on both sides."""
        return _elementwise.logical("and", self, other)

    @overload
    def logical_or(self, other: Tensor[S, D, Dev, Any]) -> Tensor[S, Bool, Dev]: ...
    @overload
    def logical_or(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, Bool, Dev]: ...
    def logical_or(self, other: Any) -> Any:
        """Either nonzero (torch.logical_or): Bool, without a tape."""
        return _elementwise.logical("or", self, other)

    @overload
    def logical_xor(self, other: Tensor[S, D, Dev, Any]) -> Tensor[S, Bool, Dev]: ...
    @overload
    def logical_xor(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, Bool, Dev]: ...
    def logical_xor(self, other: Any) -> Any:
        """Exactly one nonzero (torch.logical_xor): Bool, without a tape."""
        return _elementwise.logical("xor", self, other)

    def masked_select(self, mask: Tensor[Any, Bool, Dev, Any]) -> Tensor[tuple[int], D, Dev, T]:
        """The elements where the Bool mask (broadcast with self) is True, as a 1-d tensor
        whose length is known at run time (torch.masked_select)."""
        return _indexing.masked_select(self, mask)

    def diagonal(
        self,
        offset: int = 0,
        axis1: int = 0,
        axis2: int = 1,
        *,
        dim1: int | None = None,
        dim2: int | None = None,
    ) -> Tensor[AnyShape, D, Dev, T]:
        """The diagonal of the axis1/axis2 planes as the last axis (np.diagonal; torch's
        `dim1=`, `dim2=` too); offset > 0 is above the main diagonal."""
        first = axis1 if dim1 is None else dim1
        second = axis2 if dim2 is None else dim2
        return _shaping.diagonal(self, offset, first, second)

    def unflatten(
        self, axis: int, sizes: tuple[int, ...] | list[int]
    ) -> Tensor[AnyShape, D, Dev, T]:
        """Axis `axis` split into `sizes` (one may be -1), as torch's x.unflatten(dim, sizes)."""
        return _shaping.unflatten(self, axis, sizes)

    def unfold(self, dimension: int, size: int, step: int) -> Tensor[AnyShape, D, Dev, T]:
        """torch's x.unfold(dimension, size, step): windows of `size` every `step` along
        `dimension` (that axis counts the windows; a new last axis holds each one). For
        torch's F.unfold (im2col) use sh.nn.functional.unfold."""
        return _shaping.unfold_windows(self, dimension, size, step)

    @overload
    def __floordiv__(self, other: float | Tensor[S, D, Dev, NoTape]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __floordiv__(self, other: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __floordiv__(self, other: Tensor[S, D, Dev, OwnedTape]) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def __floordiv__(self, other: Tensor[Any, D, Dev, NoTape]) -> Tensor[AnyShape, D, Dev, T]: ...
    @overload
    def __floordiv__(
        self, other: Tensor[Any, D, Dev, OwnedTape]
    ) -> Tensor[AnyShape, D, Dev, OwnedTape]: ...
    @overload
    def __floordiv__(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, D, Dev, Any]: ...
    def __floordiv__(self, other: Any) -> Any:
        """Floor division (rounds towards -inf, as torch and Python); it has no gradient."""
        return _elementwise.floordiv(self, other)

    def __rfloordiv__(self, other: float) -> Tensor[S, D, Dev, T]:
        return _elementwise.rfloordiv(self, other)

    @overload
    def __mod__(self, other: float | Tensor[S, D, Dev, NoTape]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __mod__(self, other: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __mod__(self, other: Tensor[S, D, Dev, OwnedTape]) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def __mod__(self, other: Tensor[Any, D, Dev, NoTape]) -> Tensor[AnyShape, D, Dev, T]: ...
    @overload
    def __mod__(
        self, other: Tensor[Any, D, Dev, OwnedTape]
    ) -> Tensor[AnyShape, D, Dev, OwnedTape]: ...
    @overload
    def __mod__(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, D, Dev, Any]: ...
    def __mod__(self, other: Any) -> Any:
        """The remainder with the divisor's sign (Python's %, torch.remainder)."""
        return _elementwise.mod(self, other)

    def __rmod__(self, other: float) -> Tensor[S, D, Dev, T]:
        """number % tensor; it has no gradient, as in torch."""
        return _elementwise.rmod(self, other)

    @overload
    def __and__(self, other: int | Tensor[S, D, Dev, Any]) -> Tensor[S, D, Dev]: ...
    @overload
    def __and__(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, D, Dev]: ...
    def __and__(self, other: Any) -> Any:
        """Logical and of Bool tensors, bitwise and of integer ones (no gradient, no tape)."""
        return _elementwise.bitwise("and", self, other)

    @overload
    def __or__(self, other: int | Tensor[S, D, Dev, Any]) -> Tensor[S, D, Dev]: ...
    @overload
    def __or__(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, D, Dev]: ...
    def __or__(self, other: Any) -> Any:
        """Logical or of Bool tensors, bitwise or of integer ones (no gradient, no tape)."""
        return _elementwise.bitwise("or", self, other)

    @overload
    def __xor__(self, other: int | Tensor[S, D, Dev, Any]) -> Tensor[S, D, Dev]: ...
    @overload
    def __xor__(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[AnyShape, D, Dev]: ...
    def __xor__(self, other: Any) -> Any:
        """Logical xor of Bool tensors, bitwise xor of integer ones (no gradient, no tape)."""
        return _elementwise.bitwise("xor", self, other)

    def __rand__(self, other: int) -> Tensor[S, D, Dev]:
        return _elementwise.bitwise("and", self, other, reflected=True)

    def __ror__(self, other: int) -> Tensor[S, D, Dev]:
        return _elementwise.bitwise("or", self, other, reflected=True)

    def __rxor__(self, other: int) -> Tensor[S, D, Dev]:
        return _elementwise.bitwise("xor", self, other, reflected=True)

    def __invert__(self) -> Tensor[S, D, Dev]:
        """Logical not of a Bool tensor, bitwise not of an integer one (no tape)."""
        return _elementwise.invert(self)

    @overload
    def lerp(
        self, end: Tensor[S, D, Dev, NoTape], weight: float | Tensor[S, D, Dev, NoTape]
    ) -> Tensor[S, D, Dev, T]: ...
    @overload
    def lerp(
        self, end: Tensor[S, D, Dev, Any], weight: float | Tensor[S, D, Dev, Any]
    ) -> Tensor[S, D, Dev, Any]: ...
    @overload
    def lerp(
        self, end: Tensor[Any, D, Dev, Any], weight: float | Tensor[Any, D, Dev, Any]
    ) -> Tensor[AnyShape, D, Dev, Any]: ...
    def lerp(self, end: Any, weight: Any) -> Any:
        """self + weight * (end - self); the three broadcast together."""
        return _elementwise.lerp(self, end, weight)

    def softmax(self, axis: int = -1) -> Tensor[S, D, Dev, T]:
        """exp(x) / sum(exp(x)) along `axis` (torch's `dim`), as F.softmax."""
        return _nn.softmax(self, axis)

    def log_softmax(self, axis: int = -1) -> Tensor[S, D, Dev, T]:
        """x - logsumexp(x) along `axis`, computed stably, as F.log_softmax."""
        return _nn.log_softmax(self, axis)

    def prelu(self, weight: Tensor[Any, D, Dev, Any]) -> Tensor[S, D, Dev, Any]:
        """x where x > 0, weight * x elsewhere; weight has 1 or C = x.shape[1] values."""
        return _activations.prelu(self, weight)

    # ------------------------------------------------------------ linear algebra, more (ops/linalg.py)

    @overload
    def outer(
        self: Tensor[tuple[M], D, Dev, T], other: Tensor[tuple[N], D, Dev, NoTape]
    ) -> Tensor[tuple[M, N], D, Dev, T]: ...
    @overload
    def outer(
        self: Tensor[tuple[M], D, Dev, T], other: Tensor[tuple[N], D, Dev, T]
    ) -> Tensor[tuple[M, N], D, Dev, T]: ...
    @overload
    def outer(
        self: Tensor[tuple[M], D, Dev, Any], other: Tensor[tuple[N], D, Dev, OwnedTape]
    ) -> Tensor[tuple[M, N], D, Dev, OwnedTape]: ...
    @overload
    def outer(self, other: Tensor[Any, D, Dev, NoTape]) -> Tensor[tuple[int, int], D, Dev, T]: ...
    @overload
    def outer(self, other: Tensor[Any, D, Dev, T]) -> Tensor[tuple[int, int], D, Dev, T]: ...
    @overload
    def outer(
        self, other: Tensor[Any, D, Dev, OwnedTape]
    ) -> Tensor[tuple[int, int], D, Dev, OwnedTape]: ...
    @overload
    def outer(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[tuple[int, int], D, Dev, Any]: ...
    def outer(self, other: Any) -> Any:
        """torch.outer: this vector (N,) and `other` (M,) give (N, M), out[i, j] = x[i] * y[j]."""
        return _linalg.outer(self, other)

    @overload
    def bmm(
        self: Tensor[tuple[P, M, K], D, Dev, T], other: Tensor[tuple[P, K, N], D, Dev, NoTape]
    ) -> Tensor[tuple[P, M, N], D, Dev, T]: ...
    @overload
    def bmm(
        self: Tensor[tuple[P, M, K], D, Dev, T], other: Tensor[tuple[P, K, N], D, Dev, T]
    ) -> Tensor[tuple[P, M, N], D, Dev, T]: ...
    @overload
    def bmm(
        self: Tensor[tuple[P, M, K], D, Dev, Any], other: Tensor[tuple[P, K, N], D, Dev, OwnedTape]
    ) -> Tensor[tuple[P, M, N], D, Dev, OwnedTape]: ...
    @overload
    def bmm(
        self, other: Tensor[Any, D, Dev, NoTape]
    ) -> Tensor[tuple[int, int, int], D, Dev, T]: ...
    @overload
    def bmm(self, other: Tensor[Any, D, Dev, T]) -> Tensor[tuple[int, int, int], D, Dev, T]: ...
    @overload
    def bmm(
        self, other: Tensor[Any, D, Dev, OwnedTape]
    ) -> Tensor[tuple[int, int, int], D, Dev, OwnedTape]: ...
    @overload
    def bmm(self, other: Tensor[Any, D, Dev, Any]) -> Tensor[tuple[int, int, int], D, Dev, Any]: ...
    def bmm(self, other: Any) -> Any:
        """torch.bmm: (B, N, M) @ (B, M, P) gives (B, N, P); no broadcasting (use @ for that)."""
        return _linalg.bmm(self, other)

    @overload
    def addmm(
        self: Tensor[Any, D, Dev, T],
        mat1: Tensor[tuple[M, K], D, Dev, T],
        mat2: Tensor[tuple[K, N], D, Dev, T],
        *,
        beta: float = 1,
        alpha: float = 1,
    ) -> Tensor[tuple[M, N], D, Dev, T]: ...
    @overload
    def addmm(
        self,
        mat1: Tensor[tuple[M, K], D, Dev, Any],
        mat2: Tensor[tuple[K, N], D, Dev, Any],
        *,
        beta: float = 1,
        alpha: float = 1,
    ) -> Tensor[tuple[M, N], D, Dev, OwnedTape]: ...
    @overload
    def addmm(
        self,
        mat1: Tensor[Any, D, Dev, Any],
        mat2: Tensor[Any, D, Dev, Any],
        *,
        beta: float = 1,
        alpha: float = 1,
    ) -> Tensor[tuple[int, int], D, Dev, Any]: ...
    def addmm(self, mat1: Any, mat2: Any, *, beta: float = 1, alpha: float = 1) -> Any:
        """torch.addmm: beta * self + alpha * (mat1 @ mat2), mat1 (N, M), mat2 (M, P); self
        broadcasts to (N, P). beta=0 ignores self (its NaN and inf do not propagate)."""
        return _linalg.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    @overload
    def baddbmm(
        self: Tensor[Any, D, Dev, T],
        batch1: Tensor[tuple[P, M, K], D, Dev, T],
        batch2: Tensor[tuple[P, K, N], D, Dev, T],
        *,
        beta: float = 1,
        alpha: float = 1,
    ) -> Tensor[tuple[P, M, N], D, Dev, T]: ...
    @overload
    def baddbmm(
        self,
        batch1: Tensor[tuple[P, M, K], D, Dev, Any],
        batch2: Tensor[tuple[P, K, N], D, Dev, Any],
        *,
        beta: float = 1,
        alpha: float = 1,
    ) -> Tensor[tuple[P, M, N], D, Dev, OwnedTape]: ...
    @overload
    def baddbmm(
        self,
        batch1: Tensor[Any, D, Dev, Any],
        batch2: Tensor[Any, D, Dev, Any],
        *,
        beta: float = 1,
        alpha: float = 1,
    ) -> Tensor[tuple[int, int, int], D, Dev, Any]: ...
    def baddbmm(self, batch1: Any, batch2: Any, *, beta: float = 1, alpha: float = 1) -> Any:
        """torch.baddbmm: beta * self + alpha * bmm(batch1, batch2), batch1 (B, N, M), batch2
        (B, M, P); self broadcasts to (B, N, P). beta=0 ignores self."""
        return _linalg.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    @property
    def mT(self) -> Tensor[AnyShape, D, Dev, T]:
        """The last two axes swapped (a batch of matrices transposed)."""
        return _movement.matrix_transpose(self)

    # .T last: below this line the name T means the property, not the tape parameter
    @property
    def T(self) -> Tensor[AnyShape, D, Dev, T]:
        """All axes reversed (numpy's .T)."""
        return _movement.permute(self, tuple(range(self._data.ndim))[::-1])


from shaped.ops import activations as _activations  # noqa: E402
from shaped.ops import elementwise as _elementwise  # noqa: E402  (the ops import Tensor)
from shaped.ops import indexing as _indexing  # noqa: E402
from shaped.ops import linalg as _linalg  # noqa: E402
from shaped.ops import movement as _movement  # noqa: E402
from shaped.ops import nn as _nn  # noqa: E402
from shaped.ops import reduce as _reduce  # noqa: E402
from shaped.ops import shaping as _shaping  # noqa: E402
from shaped.ops import sorting as _sorting  # noqa: E402

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
