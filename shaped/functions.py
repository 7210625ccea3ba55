"""Functions over several tensors: concat, stack, where, matmul, and from_dlpack.

Every input shares one device and one dtype (no implicit moves or promotion), and the tapes
of traced inputs merge into the result's, as for a binary op.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, overload

from typing_extensions import TypeVar

from shaped import shapes
from shaped.dtypes import BY_NAME, Bool, NoTape, OwnedTape
from shaped.errors import DeviceError, DtypeError
from shaped.ops import linalg
from shaped.ops.core import Array, check_same, nary, scalar, sum_to
from shaped.tensor import Tensor

if TYPE_CHECKING:
    from shaped.devices import Device

__all__ = [
    "addmm",
    "baddbmm",
    "bmm",
    "concat",
    "einsum",
    "from_dlpack",
    "matmul",
    "outer",
    "stack",
    "where",
]

D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")
AnyShape = tuple[Any, ...]
Tn = Tensor[Any, Any, Any, Any]

# The overloads of concat and stack: inputs with one tape type keep it; a mix of traced and
# untraced inputs gives a traced result. mypy joins a literal list of tensors with different
# tape types to list[object], so the last overload takes any tensors (dtype and device Any).


def _tensors(op: str, tensors: Sequence[Any]) -> list[Tn]:
    if isinstance(tensors, Tensor):
        raise TypeError(f"{op}: expected a sequence of tensors, got a single tensor")
    out = list(tensors)
    for i, t in enumerate(out):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: element {i} is a {type(t).__name__}, not a tensor")
    if out:
        check_same(op, out)
    return out


@overload
def concat(  # pyright: ignore[reportOverlappingOverload]  (Any tapes match both)
    tensors: Sequence[Tensor[Any, D, Dev, T]], axis: int = 0
) -> Tensor[AnyShape, D, Dev, T]: ...
@overload
def concat(
    tensors: Sequence[Tensor[Any, D, Dev, NoTape] | Tensor[Any, D, Dev, OwnedTape]], axis: int = 0
) -> Tensor[AnyShape, D, Dev, OwnedTape]: ...
@overload
def concat(
    tensors: Sequence[Tensor[Any, Any, Any, Any]], axis: int = 0
) -> Tensor[AnyShape, Any, Any, OwnedTape]: ...
def concat(tensors: Sequence[Tensor[Any, Any, Any, Any]], axis: int = 0) -> Any:
    """Join along an existing axis; every other dim must agree (torch.cat)."""
    items = _tensors("concat", tensors)
    arrays = [t._data for t in items]
    shapes.concat([a.shape for a in arrays], axis)
    pos = axis % arrays[0].ndim
    xp = items[0]._device.xp
    ends: list[int] = []
    total = 0
    for a in arrays[:-1]:
        total += a.shape[pos]
        ends.append(total)

    def vjp(g: Array, needs: tuple[bool, ...]) -> list[Array | None]:
        parts = xp.split(g, ends, axis=pos)
        return [p if need else None for p, need in zip(parts, needs, strict=True)]

    return nary(items, xp.concatenate(arrays, axis=pos), vjp)


@overload
def stack(  # pyright: ignore[reportOverlappingOverload]  (Any tapes match both)
    tensors: Sequence[Tensor[Any, D, Dev, T]], axis: int = 0
) -> Tensor[AnyShape, D, Dev, T]: ...
@overload
def stack(
    tensors: Sequence[Tensor[Any, D, Dev, NoTape] | Tensor[Any, D, Dev, OwnedTape]], axis: int = 0
) -> Tensor[AnyShape, D, Dev, OwnedTape]: ...
@overload
def stack(
    tensors: Sequence[Tensor[Any, Any, Any, Any]], axis: int = 0
) -> Tensor[AnyShape, Any, Any, OwnedTape]: ...
def stack(tensors: Sequence[Tensor[Any, Any, Any, Any]], axis: int = 0) -> Any:
    """Join along a new axis; every shape must be equal (torch.stack)."""
    items = _tensors("stack", tensors)
    arrays = [t._data for t in items]
    shapes.stack([a.shape for a in arrays], axis)
    pos = axis % (arrays[0].ndim + 1)
    xp = items[0]._device.xp
    lead = (slice(None),) * pos

    def vjp(g: Array, needs: tuple[bool, ...]) -> list[Array | None]:
        return [g[(*lead, i)] if need else None for i, need in enumerate(needs)]

    return nary(items, xp.stack(arrays, axis=pos), vjp)


@overload
def where(cond: Tensor[Any, Bool, Dev, Any], a: float, b: float) -> Tensor[AnyShape, Any, Dev]: ...
@overload
def where(
    cond: Tensor[Any, Bool, Dev, Any], a: Tensor[Any, D, Dev, T], b: Tensor[Any, D, Dev, T] | float
) -> Tensor[AnyShape, D, Dev, T]: ...
@overload
def where(
    cond: Tensor[Any, Bool, Dev, Any], a: float, b: Tensor[Any, D, Dev, T]
) -> Tensor[AnyShape, D, Dev, T]: ...
@overload
def where(
    cond: Tensor[Any, Bool, Dev, Any], a: Tensor[Any, D, Dev, Any], b: Tensor[Any, D, Dev, Any]
) -> Tensor[AnyShape, D, Dev, OwnedTape]: ...
def where(cond: Tn, a: Any, b: Any) -> Any:
    """`a` where cond is True, `b` elsewhere, all three broadcast; a and b may be Python numbers."""
    if not isinstance(cond, Tensor):
        raise TypeError(f"where: cond must be a Bool tensor, got {type(cond).__name__}")
    if cond._data.dtype.kind != "b":
        raise DtypeError(
            f"where: cond must be a Bool tensor, got {cond.dtype.__name__}; compare to make one, "
            "e.g. x > 0"
        )
    device = cond._device
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        like = a if isinstance(a, Tensor) else b
        ta = a if isinstance(a, Tensor) else scalar("where", a, like)
        tb = b if isinstance(b, Tensor) else scalar("where", b, like)
        check_same("where", (ta, tb))
    else:
        ta, tb = _scalar_pair(a, b, device)
    if ta._device is not device:
        raise DeviceError(
            f"where: cond on {device!r} but the values on {ta._device!r}; "
            f"move cond with .to({ta._device!r})"
        )
    c, x, y = cond._data, ta._data, tb._data
    shapes.broadcast("where", c.shape, x.shape, y.shape)
    xp = device.xp
    out = xp.where(c, x, y)
    inputs = [cond] + [t for t in (a, b) if isinstance(t, Tensor)]
    slots = [isinstance(a, Tensor), isinstance(b, Tensor)]

    def vjp(g: Array, needs: tuple[bool, ...]) -> list[Array | None]:
        zero = xp.zeros((), dtype=g.dtype)
        grads: list[Array | None] = [None]
        wanted = iter(needs[1:])
        if slots[0]:
            grads.append(sum_to(xp.where(c, g, zero), x.shape) if next(wanted) else None)
        if slots[1]:
            grads.append(sum_to(xp.where(c, zero, g), y.shape) if next(wanted) else None)
        return grads

    return nary(inputs, out, vjp)


def _scalar_pair(a: object, b: object, device: Device) -> tuple[Tn, Tn]:
    """Two Python numbers as rank-0 tensors: Float32 if either is a float, else Int64 or Bool."""
    for value in (a, b):
        if not isinstance(value, (bool, int, float)):
            raise TypeError(
                f"where: expected tensors or Python numbers, got {type(value).__name__}"
            )
    if isinstance(a, float) or isinstance(b, float):
        name = "float32"
    elif isinstance(a, bool) and isinstance(b, bool):
        name = "bool"
    else:
        name = "int64"
    xp = device.xp
    return (
        Tensor._wrap(xp.asarray(a, dtype=name), device),
        Tensor._wrap(xp.asarray(b, dtype=name), device),
    )


@overload
def matmul(  # pyright: ignore[reportOverlappingOverload]  (Any tapes match both)
    a: Tensor[Any, D, Dev, T], b: Tensor[Any, D, Dev, T]
) -> Tensor[AnyShape, D, Dev, T]: ...
@overload
def matmul(
    a: Tensor[Any, D, Dev, Any], b: Tensor[Any, D, Dev, Any]
) -> Tensor[AnyShape, D, Dev, OwnedTape]: ...
def matmul(a: Tn, b: Tn) -> Any:
    """PyTorch's matmul (`a @ b`): 1-D operands are promoted then squeezed; batch dims broadcast."""
    if not isinstance(a, Tensor):
        raise TypeError(f"matmul: expected a tensor on the left, got {type(a).__name__}")
    return linalg.matmul(a, b)


def from_dlpack(obj: Any) -> Tensor[AnyShape, Any, Any]:
    """A tensor sharing memory with a DLPack producer (numpy, torch, cupy, ...): no copy.

    Host memory gives a `Cpu` tensor (through numpy); CUDA memory a `Cuda` tensor (through cupy).
    """
    from shaped.devices import CPU, Cuda

    kind, index = obj.__dlpack_device__() if hasattr(obj, "__dlpack_device__") else (1, 0)
    if int(kind) == 2:  # kDLCUDA
        try:
            import cupy
        except ImportError:
            raise DeviceError(
                "from_dlpack: the data is on a CUDA device, which needs cupy: "
                "install it with `pip install shaped[cuda]`"
            ) from None
        device: Device = Cuda(int(index))._place()
        data = cupy.from_dlpack(obj)
    elif int(kind) in (1, 3):  # kDLCPU, kDLCUDAHost
        import numpy

        device = CPU
        data = numpy.from_dlpack(obj)
    else:
        raise DeviceError(
            f"from_dlpack: DLPack device type {kind} is not supported; shaped takes host (CPU) "
            "and CUDA memory"
        )
    if data.dtype.name not in BY_NAME:
        names = ", ".join(f"sh.{c.__name__}" for c in BY_NAME.values())
        raise DtypeError(
            f"from_dlpack: dtype {data.dtype} is not supported; convert to one of {names}"
        )
    out: Tensor[AnyShape, Any, Any] = Tensor._wrap(data, device)
    return out


# ---------------------------------------------------------------- linear algebra, more

M = TypeVar("M")
K = TypeVar("K")
N = TypeVar("N")
P = TypeVar("P")


@overload
def einsum(  # pyright: ignore[reportOverlappingOverload]  (Any tapes match both)
    subscripts: str, /, *operands: Tensor[Any, D, Dev, T]
) -> Tensor[AnyShape, D, Dev, T]: ...
@overload
def einsum(
    subscripts: str, /, *operands: Tensor[Any, D, Dev, Any]
) -> Tensor[AnyShape, D, Dev, OwnedTape]: ...
def einsum(subscripts: str, /, *operands: Tn) -> Any:
    """torch.einsum: `sh.einsum("bij,bjk->bik", a, b)`. A letter's sizes must agree (1
    broadcasts); `...` stands for the dims no letter names; without `->` the output is the
    letters seen once, sorted (upper case first), after the `...` dims. Under mypy the result
    shape comes from the subscripts when they are a literal string."""
    return linalg.einsum(subscripts, *operands)


@overload
def outer(  # pyright: ignore[reportOverlappingOverload]  (Any tapes match both)
    a: Tensor[tuple[M], D, Dev, T], b: Tensor[tuple[N], D, Dev, T]
) -> Tensor[tuple[M, N], D, Dev, T]: ...
@overload
def outer(
    a: Tensor[tuple[M], D, Dev, Any], b: Tensor[tuple[N], D, Dev, Any]
) -> Tensor[tuple[M, N], D, Dev, OwnedTape]: ...
@overload
def outer(
    a: Tensor[Any, D, Dev, Any], b: Tensor[Any, D, Dev, Any]
) -> Tensor[tuple[int, int], D, Dev, Any]: ...
def outer(a: Tn, b: Tn) -> Any:
    """torch.outer: a (N,) and b (M,) give (N, M), out[i, j] = a[i] * b[j]."""
    return linalg.outer(a, b)


@overload
def bmm(  # pyright: ignore[reportOverlappingOverload]  (Any tapes match both)
    a: Tensor[tuple[P, M, K], D, Dev, T], b: Tensor[tuple[P, K, N], D, Dev, T]
) -> Tensor[tuple[P, M, N], D, Dev, T]: ...
@overload
def bmm(
    a: Tensor[tuple[P, M, K], D, Dev, Any], b: Tensor[tuple[P, K, N], D, Dev, Any]
) -> Tensor[tuple[P, M, N], D, Dev, OwnedTape]: ...
@overload
def bmm(
    a: Tensor[Any, D, Dev, Any], b: Tensor[Any, D, Dev, Any]
) -> Tensor[tuple[int, int, int], D, Dev, Any]: ...
def bmm(a: Tn, b: Tn) -> Any:
    """torch.bmm: (B, N, M) @ (B, M, P) gives (B, N, P); no broadcasting (use @ for that)."""
    return linalg.bmm(a, b)


@overload
def addmm(  # pyright: ignore[reportOverlappingOverload]  (Any tapes match both)
    input: Tensor[Any, D, Dev, T],
    mat1: Tensor[tuple[M, K], D, Dev, T],
    mat2: Tensor[tuple[K, N], D, Dev, T],
    *,
    beta: float = 1,
    alpha: float = 1,
) -> Tensor[tuple[M, N], D, Dev, T]: ...
@overload
def addmm(
    input: Tensor[Any, D, Dev, Any],
    mat1: Tensor[tuple[M, K], D, Dev, Any],
    mat2: Tensor[tuple[K, N], D, Dev, Any],
    *,
    beta: float = 1,
    alpha: float = 1,
) -> Tensor[tuple[M, N], D, Dev, OwnedTape]: ...
@overload
def addmm(
    input: Tensor[Any, D, Dev, Any],
    mat1: Tensor[Any, D, Dev, Any],
    mat2: Tensor[Any, D, Dev, Any],
    *,
    beta: float = 1,
    alpha: float = 1,
) -> Tensor[tuple[int, int], D, Dev, Any]: ...
def addmm(input: Tn, mat1: Tn, mat2: Tn, *, beta: float = 1, alpha: float = 1) -> Any:
    """torch.addmm: beta * input + alpha * (mat1 @ mat2), mat1 (N, M), mat2 (M, P); input
    broadcasts to (N, P). beta=0 ignores input (its NaN and inf do not propagate)."""
    return linalg.addmm(input, mat1, mat2, beta=beta, alpha=alpha)


@overload
def baddbmm(  # pyright: ignore[reportOverlappingOverload]  (Any tapes match both)
    input: Tensor[Any, D, Dev, T],
    batch1: Tensor[tuple[P, M, K], D, Dev, T],
    batch2: Tensor[tuple[P, K, N], D, Dev, T],
    *,
    beta: float = 1,
    alpha: float = 1,
) -> Tensor[tuple[P, M, N], D, Dev, T]: ...
@overload
def baddbmm(
    input: Tensor[Any, D, Dev, Any],
    batch1: Tensor[tuple[P, M, K], D, Dev, Any],
    batch2: Tensor[tuple[P, K, N], D, Dev, Any],
    *,
    beta: float = 1,
    alpha: float = 1,
) -> Tensor[tuple[P, M, N], D, Dev, OwnedTape]: ...
@overload
def baddbmm(
    input: Tensor[Any, D, Dev, Any],
    batch1: Tensor[Any, D, Dev, Any],
    batch2: Tensor[Any, D, Dev, Any],
    *,
    beta: float = 1,
    alpha: float = 1,
) -> Tensor[tuple[int, int, int], D, Dev, Any]: ...
def baddbmm(input: Tn, batch1: Tn, batch2: Tn, *, beta: float = 1, alpha: float = 1) -> Any:
    """torch.baddbmm: beta * input + alpha * bmm(batch1, batch2), batch1 (B, N, M), batch2
    (B, M, P); input broadcasts to (B, N, P). beta=0 ignores input."""
    return linalg.baddbmm(input, batch1, batch2, beta=beta, alpha=alpha)


# ---------------------------------------------------------------- third round (tinygrad's test_ops)


def std_mean(
    x: Tensor[Any, D, Dev, T],
    axis: int | tuple[int, ...] | list[int] | None = None,
    *,
    correction: int = 1,
    keepdims: bool = False,
    dim: int | tuple[int, ...] | list[int] | None = None,
    keepdim: bool = False,
) -> tuple[Tensor[tuple[Any, ...], D, Dev, T], Tensor[tuple[Any, ...], D, Dev, T]]:
    """torch.std_mean: `(x.std(axis, correction=...), x.mean(axis))` in one call."""
    return (
        x.std(axis, keepdims, correction, dim=dim, keepdim=keepdim),
        x.mean(axis, keepdims, dim=dim, keepdim=keepdim),
    )


def var_mean(
    x: Tensor[Any, D, Dev, T],
    axis: int | tuple[int, ...] | list[int] | None = None,
    *,
    correction: int = 1,
    keepdims: bool = False,
    dim: int | tuple[int, ...] | list[int] | None = None,
    keepdim: bool = False,
) -> tuple[Tensor[tuple[Any, ...], D, Dev, T], Tensor[tuple[Any, ...], D, Dev, T]]:
    """torch.var_mean: `(x.var(axis, correction=...), x.mean(axis))` in one call."""
    return (
        x.var(axis, keepdims, correction, dim=dim, keepdim=keepdim),
        x.mean(axis, keepdims, dim=dim, keepdim=keepdim),
    )
