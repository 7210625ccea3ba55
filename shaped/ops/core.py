"""What every op uses: operand checks, making results, recording onto the tape.

An op computes its output array, then calls `unary`, `binary` or `nary` with a VJP closure
`vjp(g, needs) -> grads per input`. Untraced inputs cost one attribute test; a traced input
moves its tape to the result (merging tapes when both operands carry one).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shaped import shapes
from shaped.dtypes import mismatch
from shaped.errors import DeviceError, DtypeError
from shaped.tape import VJP, Array, Tape, merge, new_key
from shaped.tensor import Tensor

__all__ = [
    "Array",
    "VJP",
    "binary",
    "check_same",
    "nary",
    "operands",
    "sum_to",
    "unary",
]


_new = object.__new__


def new_tensor(data: Array, device: Any) -> Tensor[Any, Any, Any, Any]:
    """A tensor without a tape (the hot path: no checks, no key until one is needed)."""
    out = _new(Tensor)
    out._data, out._device, out._tape, out._key, out._origin = data, device, None, None, None
    return out


def _slot(t: Tensor[Any, Any, Any, Any], sources: set[int]) -> tuple[int | None, bool]:
    """An input's gradient key, and whether backward computes its gradient now."""
    if t._data.dtype.kind != "f":
        return None, False  # ints and bools get no gradient
    k = t._key
    if k is None:
        k = t._key = new_key()
    return k, k not in sources  # traced inputs (sources) are deferred until read


# An untraced one-input op on a float tensor remembers where it came from, so that
# `x @ w.T` or `x * log_std.exp()` with a parameter w still gives w its gradient: when
# the result meets a tape, the op is recorded onto it first. Chains stop at this depth, so
# a loop like `t = t * 0.5` cannot keep every earlier tensor alive.
ORIGIN_DEPTH = 8


def origin_of(x: Tensor[Any, Any, Any, Any], vjp: VJP) -> tuple[Any, VJP, int] | None:
    """The `_origin` of an untraced result of a one-input op on x: (x, vjp, depth)."""
    if x._data.dtype.kind != "f":
        return None
    before = x._origin
    depth = 1 if before is None else before[2] + 1
    return (x, vjp, depth) if depth <= ORIGIN_DEPTH else None


def replay(tape: Tape, t: Tensor[Any, Any, Any, Any]) -> None:
    """Record the untraced ops that made t (oldest first) onto the tape that t has met."""
    origin = t._origin
    assert origin is not None
    x, vjp, _ = origin
    if x._origin is not None:
        replay(tape, x)
    kx, need = _slot(x, tape.sources)
    kt = t._key
    if kt is None:
        kt = t._key = new_key()
    tape.records.append((kt, (kx,), (need,), vjp))


def _record(out: Tensor[Any, Any, Any, Any], tape: Tape, inputs: tuple[Any, ...], vjp: VJP) -> Any:
    """Put `out` on the tape with one record (unrolled for one and two inputs: the hot path)."""
    if tape.consumed:
        tape.check_open()
    for t in inputs:
        if t._origin is not None and t._tape is None:
            replay(tape, t)
    out._key = key = new_key()
    out._tape = tape
    sources = tape.sources
    if len(inputs) == 2:
        a, b = inputs
        ka, kb = a._key, b._key
        if ka is None or kb is None or a._data.dtype.kind != "f" or b._data.dtype.kind != "f":
            (ka, na), (kb, nb) = _slot(a, sources), _slot(b, sources)
        else:  # both float and keyed already: the common case inside a traced computation
            na, nb = ka not in sources, kb not in sources
        tape.records.append((key, (ka, kb), (na, nb), vjp))
    elif len(inputs) == 1:
        ka, na = _slot(inputs[0], sources)
        tape.records.append((key, (ka,), (na,), vjp))
    else:
        slots = [_slot(t, sources) for t in inputs]
        tape.records.append((key, tuple(k for k, _ in slots), tuple(n for _, n in slots), vjp))
    return out


def unary(x: Tensor[Any, Any, Any, Any], data: Array, vjp: VJP) -> Any:
    """The result of a one-input op; `vjp(g, needs)` returns a 1-tuple."""
    out = _new(Tensor)
    out._data, out._device, out._tape, out._key = data, x._device, None, None
    tape = x._tape
    if tape is None:
        out._origin = origin_of(x, vjp)
        return out
    out._origin = None
    while tape.into is not None:
        tape = tape.into
    return _record(out, tape, (x,), vjp)


def binary(
    a: Tensor[Any, Any, Any, Any], b: Tensor[Any, Any, Any, Any], data: Array, vjp: VJP
) -> Any:
    """The result of a two-input op; the tape of either operand moves to it."""
    out = _new(Tensor)
    out._data, out._device, out._tape, out._key, out._origin = data, a._device, None, None, None
    if a._tape is None and b._tape is None:
        return out
    return attach(out, (a, b), vjp)


def attach(out: Tensor[Any, Any, Any, Any], inputs: tuple[Any, ...], vjp: VJP) -> Any:
    """Put a fresh result on the (merged) tape of its inputs."""
    tape: Tape | None = None
    for t in inputs:
        if t._tape is not None:
            tape = t._tape.root() if tape is None else merge(tape, t._tape)
    return out if tape is None else _record(out, tape, inputs, vjp)


def nary(inputs: Sequence[Tensor[Any, Any, Any, Any]], data: Array, vjp: VJP) -> Any:
    """The result of an op over any number of inputs (concat, stack, where, losses)."""
    return attach(new_tensor(data, inputs[0]._device), tuple(inputs), vjp)


def check_same(
    op: str, tensors: Sequence[Tensor[Any, Any, Any, Any]], *, weights: bool = False
) -> None:
    """One device and one dtype for all inputs: no implicit moves, no implicit promotion.

    `weights`: the first tensor is the data and the others are weights (parameters), so a
    dtype mismatch says to convert the data."""
    first = tensors[0]
    for t in tensors[1:]:
        if t._device is not first._device:
            raise DeviceError(
                f"{op}: tensors on different devices ({first._device!r} and {t._device!r}); "
                f"move one with .to({first._device!r})"
            )
        if t._data.dtype != first._data.dtype:
            # the weights agree among themselves: it is the data that needs converting
            agree = weights and len({w._data.dtype for w in tensors[1:]}) == 1
            raise DtypeError(mismatch(op, first.dtype.__name__, t.dtype.__name__, weights=agree))


def operands(
    op: str, a: Tensor[Any, Any, Any, Any], b: object
) -> tuple[Tensor[Any, Any, Any, Any], Tensor[Any, Any, Any, Any]]:
    """A tensor and a tensor or Python scalar as two tensors of one dtype and device."""
    if isinstance(b, Tensor):
        if b._device is not a._device or b._data.dtype != a._data.dtype:
            check_same(op, (a, b))
        return a, b
    return a, scalar(op, b, a)


def scalar(op: str, value: object, like: Tensor[Any, Any, Any, Any]) -> Tensor[Any, Any, Any, Any]:
    """A Python number as a rank-0 tensor of `like`'s dtype (a scalar takes the tensor's dtype)."""
    dtype = like._data.dtype
    if isinstance(value, bool) or (isinstance(value, int) and dtype.kind != "b"):
        pass
    elif isinstance(value, float):
        if dtype.kind != "f":
            raise DtypeError(
                f"{op}: a float scalar with a {like.dtype.__name__} tensor; a scalar takes the "
                "tensor's dtype: convert the tensor with .to(sh.Float32) first"
            )
    else:
        raise TypeError(
            f"{op}: expected a tensor or a Python number, got {type(value).__name__}; "
            "wrap arrays with dev.tensor(...)"
        )
    return Tensor._wrap(like._device.xp.asarray(value, dtype=dtype), like._device)


def sum_to(g: Array, shape: tuple[int, ...]) -> Array:
    """Undo broadcasting: sum g over the axes that broadcasting added or stretched."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, d in enumerate(shape) if d == 1 and g.shape[i + lead] != 1
    )
    out = g.sum(axis=axes, keepdims=True) if axes else g
    return out.reshape(shape) if lead or out.shape != shape else out


def pass_both(g: Array, needs: tuple[bool, ...]) -> tuple[Array, Array]:
    """The VJP of a same-shape add: the gradient passes to both operands unchanged."""
    return g, g


def broadcast_check(op: str, a: Array, b: Array) -> None:
    """The shape rule for a broadcasting binary op (cached; skipped when shapes are equal)."""
    if a.shape != b.shape:
        shapes.broadcast(op, a.shape, b.shape)
