"""The gradient tape and `Gradients`, with dfdx's semantics.

A tape is a list of records `(out_key, in_keys, needs, vjp)` in creation order; keys come
from one counter, so a record's out_key is also its place in time and two tapes merge by
sorting. `vjp(g, needs)` returns one gradient (or None) per input; `needs[i]` says which
are wanted now (ints and bools never; traced inputs later, see below).
Gradients of traced inputs are computed only when read (`grads[x]`): a training step that
never reads them skips, e.g., the first layer's input-gradient GEMM, as PyTorch does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import count
from sys import getrefcount
from typing import TYPE_CHECKING, Any, TypeVar

from shaped.errors import TapeError

if TYPE_CHECKING:
    from shaped.devices import Device
    from shaped.dtypes import NoTape
    from shaped.tensor import Tensor

Array = Any  # a numpy or cupy ndarray
VJP = Callable[[Array, tuple[bool, ...]], Sequence[Array | None]]
Record = tuple[int, tuple[int | None, ...], tuple[bool, ...], VJP]

S = TypeVar("S", bound=tuple[Any, ...])
D = TypeVar("D")
Dev = TypeVar("Dev")

new_key = count(1).__next__


def _references(g: Array) -> int:
    return getrefcount(g)


def _calibrate() -> int:
    """References to g inside a one-input VJP that backward() called with its own g."""

    def vjp(g: Array) -> int:
        return _references(g)

    g = bytearray(1)  # backward's local name (the grad map entry was popped)
    return vjp(g)


_SOLE = _calibrate()


def sole_owner(g: Array) -> bool:
    """Whether a one-input VJP may write its result into g: backward() holds the only
    reference to g and g owns its memory (not a view of another array).

    Only for VJPs of one-input ops: backward() calls them only when their input's gradient
    is wanted now, so no deferred gradient is left holding the g they overwrite.
    """
    return getrefcount(g) <= _SOLE and getattr(g, "base", g) is None


class Tape:
    """Records of one traced computation. Merged tapes forward to the one that absorbed them."""

    __slots__ = ("consumed", "grads", "into", "linked", "records", "sources")

    def __init__(self, grads: Gradients) -> None:
        self.records: list[Record] = []
        self.grads = grads
        self.sources: set[int] = set()  # keys of traced inputs: their gradients are deferred
        self.into: Tape | None = None
        self.consumed = False
        self.linked: list[Gradients] = []  # Gradients of tapes merged into this one

    def root(self) -> Tape:
        tape = self
        while tape.into is not None:
            tape = tape.into
        return tape

    def check_open(self) -> None:
        if self.consumed:
            raise TapeError(
                "this tape was consumed by backward(): run the forward pass again on an input "
                "traced with .traced(grads)"
            )


def merge(a: Tape, b: Tape) -> Tape:
    """One tape for both operands: b's records move into a, and b forwards to a."""
    a, b = a.root(), b.root()
    if a is b:
        return a
    a.check_open()
    b.check_open()
    late = b.records and a.records and b.records[0][0] < a.records[-1][0]
    a.records += b.records
    if late:
        a.records.sort(key=lambda record: record[0])
    a.sources |= b.sources
    for grads in (b.grads, *b.linked):
        if grads is not a.grads and all(grads is not g for g in a.linked):
            a.linked.append(grads)
    b.records, b.into = [], a
    return a


def backward(loss: Tensor[tuple[()], Any, Any, Any]) -> Gradients:
    """Run the VJPs in reverse creation order into the tape's Gradients; consume the tape."""
    if loss._tape is None:
        raise TapeError("loss has no tape: call .traced(grads) on an input before the forward pass")
    if loss._data.ndim != 0:
        shape = tuple(loss._data.shape)
        raise TapeError(
            f"backward() needs a scalar loss, got shape {shape}: reduce with .mean() or .sum()"
        )
    tape = loss._tape.root()
    tape.check_open()
    xp = loss._device.xp
    grad_map: dict[int, Array] = {loss._key_(): xp.ones((), dtype=loss._data.dtype)}
    deferred: list[tuple[int, VJP, Array, int, int]] = []
    pop, get = grad_map.pop, grad_map.get
    owned: set[int] = set()  # keys whose array was allocated here by a sum
    records = tape.records
    tape.consumed = True
    while records:
        # popping frees each record's saved arrays once its VJP has run, as torch frees nodes
        out_key, in_keys, needs, vjp = records.pop()
        g = pop(out_key, None)  # complete: every consumer of out_key came later
        if g is None:
            continue
        results = vjp(g, needs) if True in needs else ()
        for slot, key in enumerate(in_keys):
            if key is None:
                continue
            if not needs[slot]:
                deferred.append((key, vjp, g, slot, len(in_keys)))
                continue
            grad = results[slot]
            if grad is not None:
                old = get(key)
                if old is None:
                    grad_map[key] = grad
                elif key in owned:  # a sum this loop made: nothing else holds it, add in place
                    old += grad
                else:
                    grad_map[key] = old + grad
                    owned.add(key)
        # hold no gradient past its record: a later one-input VJP may then write into it
        results, grad, old = (), None, None
    for grads in (tape.grads, *tape.linked):
        for key, grad in grad_map.items():
            grads._accumulate(key, grad, loss._device)
        for key, vjp, g, slot, n in deferred:
            grads._defer(key, vjp, g, slot, n, loss._device)
    return tape.grads


class Gradients:
    """Leaf gradients by tensor identity: `grads[param]`, `grads[x]` for a traced input x.

    Gradients accumulate across backward() calls until zeroed, as in dfdx and PyTorch.
    """

    __slots__ = ("_arrays", "_devices", "_pending", "_zero")

    def __init__(self) -> None:
        self._arrays: dict[int, Array] = {}
        self._devices: dict[int, Device] = {}
        self._zero: dict[int, tuple[tuple[int, ...], Any]] = {}  # key -> (shape, dtype)
        self._pending: dict[int, list[tuple[VJP, Array, int, int]]] = {}

    def __getitem__(self, tensor: Tensor[S, D, Dev, Any]) -> Tensor[S, D, Dev, NoTape]:
        from shaped.tensor import Tensor

        array = self.array(tensor)
        if array is None:
            raise KeyError(
                "no gradient for this tensor: it was not used in a traced computation that "
                "reached backward() (trace an input with .traced(grads), or alloc_grads())"
            )
        return Tensor._wrap(array, tensor._device)

    def get(self, tensor: Tensor[S, D, Dev, Any]) -> Tensor[S, D, Dev, NoTape] | None:
        """The gradient, or None if the tensor got none."""
        return self[tensor] if tensor._key in self else None

    def __contains__(self, tensor: object) -> bool:
        key = getattr(tensor, "_key", tensor)
        return key in self._arrays or key in self._zero or key in self._pending

    def __len__(self) -> int:
        return len(self._arrays.keys() | self._zero.keys() | self._pending.keys())

    def __repr__(self) -> str:
        return f"Gradients({len(self)} tensors)"

    def array(self, tensor: Tensor[Any, Any, Any, Any]) -> Array | None:
        """The raw gradient array (no copy), or None; optimizers read gradients through this."""
        return self._array_of(tensor._key)

    def _array_of(self, key: int | None) -> Array | None:
        if key is None:
            return None
        if key in self._pending:
            for vjp, g, slot, n in self._pending.pop(key):
                mask = tuple(i == slot for i in range(n))
                self._add(key, vjp(g, mask)[slot])
        array = self._arrays.get(key)
        if array is None and key in self._zero:
            shape, dtype = self._zero[key]
            array = self._devices[key].xp.zeros(shape, dtype=dtype)
            self._arrays[key] = array
            del self._zero[key]
        return array

    def _add(self, key: int, grad: Array) -> None:
        if key in self._zero:
            del self._zero[key]  # a zeroed entry takes the new gradient as it is: no add
            self._arrays[key] = grad
            return
        old = self._arrays.get(key)
        self._arrays[key] = grad if old is None else old + grad

    def _accumulate(self, key: int, grad: Array, device: Device) -> None:
        self._devices[key] = device
        if key in self._pending:
            self._array_of(key)
        self._add(key, grad)

    def _defer(self, key: int, vjp: VJP, g: Array, slot: int, n: int, device: Device) -> None:
        self._devices[key] = device
        self._pending.setdefault(key, []).append((vjp, g, slot, n))

    def _alloc(self, tensor: Tensor[Any, Any, Any, Any]) -> None:
        """An entry that reads as zeros (nothing is allocated until it is read)."""
        key = tensor._key_()
        self._devices[key] = tensor._device
        self._arrays.pop(key, None)
        self._pending.pop(key, None)
        self._zero[key] = (tuple(tensor._data.shape), tensor._data.dtype)

    def _zero_all(self) -> None:
        for key in list(self._arrays.keys() | self._pending.keys()):
            array = self._arrays.pop(key, None)
            self._pending.pop(key, None)
            if array is not None:
                self._zero[key] = (tuple(array.shape), array.dtype)
