"""What every op uses: operand checks, making results, recording onto the tape.

An op computes its output array, then calls `unary`, `binary` or `nary` with a VJP closure
`vjp(g, needs) -> grads per input`. Untraced inputs cost two attribute tests; a traced input
moves its tape to the result (merging tapes when both operands carry one). Without a tape, an
op on a parameter (or on what untraced ops made from one) keeps a `Node` instead, recorded
onto the first tape its result meets (see shaped/tape.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shaped import shapes
from shaped import tape as _tape
from shaped.dtypes import mismatch
from shaped.errors import DeviceError, DtypeError
from shaped.tape import LEAF, VJP, Array, Node, Tape, merge, new_key, owner
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


def _remember(out: Tensor[Any, Any, Any, Any], inputs: tuple[Any, ...], vjp: VJP) -> Any:
    """An untraced result made from a parameter: keep the op, so the parameter still gets its
    gradient when `out` meets a tape (`replay`). Inputs that are plain data are not kept."""
    if out._data.dtype.kind == "f":
        kept = tuple(t if t._origin is not None else None for t in inputs)
        out._origin = Node(kept, vjp, _tape.last_write)
    return out


def replay(tape: Tape, t: Tensor[Any, Any, Any, Any]) -> int:
    """Record the untraced ops that made t (each once per tape, oldest first) onto the tape
    that t has met; t's key there. Raises if one of them saved a parameter that an optimizer
    has since changed in place (a view of it, such as `w.T`, follows the change instead)."""
    done = tape.replayed
    node = t._origin
    assert node is not None and node is not LEAF
    hit = done.get(id(node))
    if hit is not None:
        return hit[1]
    leaves, written = tape.leaves, _tape._written
    stack: list[tuple[Tensor[Any, Any, Any, Any], bool]] = [(t, False)]
    while stack:  # depth first, without recursion: a chain may be any length
        u, ready = stack.pop()
        node = u._origin
        assert node is not None
        if id(node) in done:
            continue
        if not ready:
            stack.append((u, True))
            stack += [
                (v, False)
                for v in node.inputs
                if v is not None and v._origin is not None and v._origin is not LEAF
            ]
            continue
        keys: list[int | None] = []
        below: list[int] = []  # the leaf keys under this node
        for v in node.inputs:
            origin = None if v is None else v._origin
            if v is None or origin is None:  # plain data by now (requires_grad_(False))
                keys.append(None)
                continue
            k = v._key_() if origin is LEAF else done[id(origin)][1]
            under = (k,) if origin is LEAF else leaves[k]
            keys.append(k)
            below += under
            # a parameter under v changed in place after this op ran: only a view of it follows
            if any(written.get(leaf, 0) > node.since for leaf in under) and owner(
                u._data
            ) is not owner(v._data):
                raise _tape.stale(derived=True)
        assert node.vjp is not None
        sources = tape.sources
        key = new_key()
        needs = tuple(k is not None and k not in sources for k in keys)
        tape.records.append((key, tuple(keys), needs, node.vjp))
        done[id(node)] = (node, key)
        leaves[key] = tuple(dict.fromkeys(below))
    return done[id(t._origin)][1]


def _record(out: Tensor[Any, Any, Any, Any], tape: Tape, inputs: tuple[Any, ...], vjp: VJP) -> Any:
    """Put `out` on the tape with one record (unrolled for one and two inputs: the hot path)."""
    if tape.consumed:
        tape.check_open()
    derived: dict[int, int] | None = None  # slot -> key of an input made from parameters
    for slot, t in enumerate(inputs):
        origin = t._origin
        if origin is not None and origin is not LEAF and t._tape is None:
            if derived is None:
                derived = {}
            derived[slot] = replay(tape, t)
    out._key = key = new_key()
    out._tape = tape
    sources = tape.sources
    if derived is not None:
        slots = [
            (derived[i], True) if i in derived else _slot(t, sources) for i, t in enumerate(inputs)
        ]
        tape.records.append((key, tuple(k for k, _ in slots), tuple(n for _, n in slots), vjp))
    elif len(inputs) == 2:
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
    out._data, out._device, out._tape, out._key, out._origin = data, x._device, None, None, None
    tape = x._tape
    if tape is None:
        if x._origin is not None and data.dtype.kind == "f":  # made from a parameter: keep it
            out._origin = Node((x,), vjp, _tape.last_write)
        return out
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
        if (a._origin is not None or b._origin is not None) and data.dtype.kind == "f":
            kept = (a if a._origin is not None else None, b if b._origin is not None else None)
            out._origin = Node(kept, vjp, _tape.last_write)
        return out
    return attach(out, (a, b), vjp)


def attach(out: Tensor[Any, Any, Any, Any], inputs: tuple[Any, ...], vjp: VJP) -> Any:
    """Put a fresh result on the (merged) tape of its inputs; without one, remember the op if
    an input is a parameter or was made from one."""
    tape: Tape | None = None
    for t in inputs:
        if t._tape is not None:
            tape = t._tape.root() if tape is None else merge(tape, t._tape)
    if tape is not None:
        return _record(out, tape, inputs, vjp)
    for t in inputs:
        if t._origin is not None:
            return _remember(out, inputs, vjp)
    return out


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
