"""The gradient tape and `Gradients`, with dfdx's semantics.

A tape is a list of records `(out_key, in_keys, needs, vjp)` in creation order; keys come
from one counter, so a record's out_key is also its place in time and two tapes merge by
sorting. `vjp(g, needs)` returns one gradient (or None) per input; `needs[i]` says which
are wanted now (ints and bools never; traced inputs later, see below).

Parameters never carry a tape. A parameter (a module's tensor, or one marked with
`requires_grad_()`) has `_origin = LEAF`, and an untraced op on one remembers how it made its
result (a `Node`), so `w.T` or `w1 + w2` computed before the trace still reaches w: when such
a tensor meets a tape, its nodes are recorded onto it (`ops.core.replay`). Plain data has no
node, so a loop like `t = t * 0.5` keeps nothing (it gets a gradient only where it meets a
tape itself, as dfdx gives every float leaf one).

A tensor frozen with `requires_grad_(False)` (`frozen` holds its key) gets no gradient at all,
as torch's requires_grad=False: backward() drops its slots from the records, so its VJPs skip
that work, and `Gradients` never has an entry for it.

Gradients of traced inputs are computed only when read (`grads[x]`): a training step that
never reads them skips, e.g., the first layer's input-gradient GEMM, as PyTorch does. They
stay right when an optimizer then updates the weights in place: `before_write` keeps a copy
of the old values for them, swapped in while they are computed. A record or a derived tensor
made before such a write that would see the new values raises instead.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from itertools import count
from sys import getrefcount
from typing import TYPE_CHECKING, Any, TypeVar

from shaped.errors import DtypeError, TapeError

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


def owner(array: Array) -> Array:
    """The array that owns the memory `array` views (itself if it owns it)."""
    base = getattr(array, "base", None)
    while base is not None and hasattr(base, "shape"):
        array, base = base, getattr(base, "base", None)
    return array


# ---------------------------------------------------------------- history of parameters


class Node:
    """How an untraced tensor that needs a gradient was made: the op's VJP and its inputs
    (None where an input needs no gradient). A parameter's node is `LEAF` (no op, no inputs).

    `since` is the stamp of the last in-place write before the op ran (`before_write`): a
    parameter written after it may have changed what the op saved.
    """

    __slots__ = ("inputs", "since", "vjp")

    def __init__(
        self, inputs: tuple[Tensor[Any, Any, Any, Any] | None, ...], vjp: VJP | None, since: int
    ) -> None:
        self.inputs = inputs
        self.vjp = vjp
        self.since = since

    def __reduce__(self) -> str | tuple[Any, ...]:
        # a copied or pickled parameter stays a parameter; a copy of a derived tensor is data
        return "LEAF" if self is LEAF else (_no_node, ())


def _no_node() -> None:
    return None


LEAF = Node((), None, 0)


def mark_leaf(tensor: Tensor[Any, Any, Any, Any], requires_grad: bool) -> None:
    """`Tensor.requires_grad_`: make a tensor a parameter (a leaf) or plain data again."""
    if tensor._tape is not None:
        raise TapeError(
            "requires_grad_: this tensor carries a tape (it is traced), so it gets its gradient "
            "already; call requires_grad_() on the untraced tensor, or .detach() it first"
        )
    origin = tensor._origin
    if origin is not None and origin is not LEAF:  # made by ops from parameters
        if not requires_grad:
            raise TapeError(
                "requires_grad_(False): this tensor was computed from parameters and passes its "
                "gradient on to them; use .detach() for a copy without that history"
            )
        return
    if tensor._data.dtype.kind != "f":
        if requires_grad:
            raise DtypeError(
                f"requires_grad_: only float tensors can have a gradient, got "
                f"{tensor.dtype.__name__}; convert with .to(sh.Float32) first"
            )
        return  # ints and bools never get one
    if requires_grad:
        tensor._origin = LEAF
        if tensor._key is not None:
            frozen.discard(tensor._key)
    else:
        tensor._origin = None
        frozen.add(tensor._key_())


# Keys of float tensors that `requires_grad_(False)` froze: they get no gradient, even where they
# meet a tape themselves (torch's requires_grad=False). backward() skips their VJP slots.
frozen: set[int] = set()


def is_frozen(tensor: Tensor[Any, Any, Any, Any]) -> bool:
    """Whether `requires_grad_(False)` froze this tensor."""
    return tensor._key in frozen


def _skip_frozen(records: list[Record]) -> dict[int, tuple[int | None, ...]]:
    """Take frozen tensors out of the records: their gradients are neither computed nor kept.
    Returns the changed records' inputs as they were (out_key -> in_keys): a deferred gradient
    still reads the frozen arrays, so an in-place write to one must keep their old values."""
    originals: dict[int, tuple[int | None, ...]] = {}
    for index, (out_key, in_keys, needs, vjp) in enumerate(records):
        if not frozen.isdisjoint(in_keys):
            kept = tuple(None if key in frozen else key for key in in_keys)
            wanted = tuple(need and key is not None for need, key in zip(needs, kept))
            records[index] = (out_key, kept, wanted, vjp)
            originals[out_key] = in_keys
    return originals


# ---------------------------------------------------------------- in-place writes

_written: dict[int, int] = {}  # leaf key -> stamp (a key) of its last in-place write
last_write = 0  # the largest stamp in _written


def before_write(key: int | None, array: Array) -> None:
    """Call before changing a leaf's array in place (optimizers do): deferred gradients that
    read it get a copy of its current values, and anything made before now that saved it
    raises instead of computing with the new values."""
    global last_write
    if key is None:
        return
    last_write = _written[key] = new_key()
    if not _watching:  # no Gradients holds a deferred gradient
        return
    copy = None
    for ref in list(_watching.values()):
        grads = ref()
        if grads is None:
            continue
        for deferred in grads._watch.pop(key, ()):
            if deferred.vjp is not None:  # not computed or dropped yet
                if copy is None:
                    copy = array.copy()
                deferred.saved.append((array, copy))


def stale(derived: bool) -> TapeError:
    """The error for a saved parameter that an optimizer has since updated in place."""
    if derived:
        return TapeError(
            "this tensor was computed from a parameter that an optimizer has since updated in "
            "place, and it does not follow the update (it is not a view of it): its gradient "
            "would mix old and new weights; compute it again after opt.update(...) (inside the "
            "forward pass), or .detach() it to use it as data"
        )
    return TapeError(
        "this loss's forward pass saved a parameter that an optimizer updated in place before "
        "backward(): its gradient would mix old and new weights; call backward() before "
        "opt.update(...), or run the forward pass again after it"
    )


def check_unchanged(records: Iterable[Record]) -> None:
    """Raise if a record saved a leaf that was written in place after the record was made."""
    written = _written
    for out_key, in_keys, _, _ in records:
        for key in in_keys:
            stamp = written.get(key) if key is not None else None
            if stamp is not None and stamp > out_key:
                raise stale(derived=False)


# ---------------------------------------------------------------- the tape


class Tape:
    """Records of one traced computation. Merged tapes forward to the one that absorbed them."""

    __slots__ = ("consumed", "grads", "into", "leaves", "linked", "records", "replayed", "sources")

    def __init__(self, grads: Gradients) -> None:
        self.records: list[Record] = []
        self.grads = grads
        self.sources: set[int] = set()  # keys of traced inputs: their gradients are deferred
        self.into: Tape | None = None
        self.consumed = False
        self.linked: list[Gradients] = []  # Gradients of tapes merged into this one
        # derived tensors recorded here: id(node) -> (node, key); key -> the leaf keys below it
        self.replayed: dict[int, tuple[Node, int]] = {}
        self.leaves: dict[int, tuple[int, ...]] = {}

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
    a.replayed = {**b.replayed, **a.replayed}
    a.leaves.update(b.leaves)
    for grads in (b.grads, *b.linked):
        if grads is not a.grads and all(grads is not g for g in a.linked):
            a.linked.append(grads)
    b.records, b.into, b.replayed, b.leaves = [], a, {}, {}
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
    records = tape.records
    if records and last_write > records[0][0]:  # a parameter was written during this forward
        check_unchanged(records)
    skipped = _skip_frozen(records) if frozen else None
    xp = loss._device.xp
    grad_map: dict[int, Array] = {loss._key_(): xp.ones((), dtype=loss._data.dtype)}
    deferred: list[tuple[int, VJP, Array, int, tuple[int | None, ...]]] = []
    pop, get = grad_map.pop, grad_map.get
    owned: set[int] = set()  # keys whose array was allocated here by a sum
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
                reads = skipped.get(out_key, in_keys) if skipped else in_keys
                deferred.append((key, vjp, g, slot, reads))
                continue
            grad = results[slot]
            if grad is not None:
                old = get(key)
                if old is None:
                    grad_map[key] = grad
                elif key in owned and old.ndim:  # a sum this loop made: add in place
                    old += grad  # (a rank-0 sum may be a numpy scalar: those are immutable)
                else:
                    grad_map[key] = old + grad
                    owned.add(key)
        # hold no gradient past its record: a later one-input VJP may then write into it
        results, grad, old = (), None, None
    leaves = tape.leaves
    tape.replayed, tape.leaves = {}, {}
    for grads in (tape.grads, *tape.linked):
        for key, grad in grad_map.items():
            grads._accumulate(key, grad, loss._device)
        for key, vjp, g, slot, in_keys in deferred:
            # the leaves whose arrays the VJP may have saved: an optimizer may write them
            reads = [k for i in in_keys if i is not None for k in leaves.get(i, (i,))]
            grads._defer(key, Deferred(vjp, g, slot, len(in_keys)), reads, loss._device)
    return tape.grads


# ---------------------------------------------------------------- Gradients


class Deferred:
    """A traced input's gradient, computed when read: one slot of a record's VJP.

    `saved` holds (array, copy of its values at backward) for the leaves written in place
    since; they are swapped in while the VJP runs, so the result is the one at the weights
    the forward pass used, as PyTorch's (computed at backward) is.
    """

    __slots__ = ("g", "n", "saved", "slot", "vjp")

    def __init__(self, vjp: VJP, g: Array, slot: int, n: int) -> None:
        self.vjp: VJP | None = vjp
        self.g = g
        self.slot = slot
        self.n = n
        self.saved: list[tuple[Array, Array]] = []

    def compute(self) -> Array:
        vjp, g, saved = self.vjp, self.g, self.saved
        assert vjp is not None
        mask = tuple(i == self.slot for i in range(self.n))
        if not saved:  # self holds g meanwhile: a VJP must not write into it (sole_owner)
            grad = vjp(g, mask)[self.slot]
            self.drop()
            return grad
        current = [(array, array.copy()) for array, _ in saved]
        try:
            for array, old in saved:
                array[...] = old
            grad = vjp(g, mask)[self.slot]
            if grad is not None and any(owner(grad) is owner(a) for a, _ in saved):
                grad = grad.copy()  # a view of a weight: keep the old values
        finally:
            for array, new in current:
                array[...] = new
        self.drop()
        return grad

    def drop(self) -> None:
        self.vjp = self.g = None
        self.saved = []


# Gradients holding deferred gradients that read leaves: before_write looks into these
# (by id, each a weak reference that takes itself out when its Gradients dies)
_watching: dict[int, weakref.ref[Gradients]] = {}


def _unwatched(key: int, ref: weakref.ref[Gradients]) -> None:
    if _watching.get(key) is ref:
        del _watching[key]


class Gradients:
    """Leaf gradients by tensor identity: `grads[param]`, `grads[x]` for a traced input x.

    Gradients accumulate across backward() calls until zeroed, as in dfdx and PyTorch.
    """

    __slots__ = ("__weakref__", "_allocated", "_arrays", "_devices", "_pending", "_watch", "_zero")

    def __init__(self) -> None:
        self._arrays: dict[int, Array] = {}
        self._devices: dict[int, Device] = {}
        self._zero: dict[int, tuple[tuple[int, ...], Any]] = {}  # key -> (shape, dtype)
        self._pending: dict[int, list[Deferred]] = {}
        self._watch: dict[int, list[Deferred]] = {}  # leaf key -> deferred gradients reading it
        self._allocated: set[int] = set()  # keys named by alloc_grads / zero_grads

    def __getitem__(self, tensor: Tensor[S, D, Dev, Any]) -> Tensor[S, D, Dev, NoTape]:
        from shaped.tensor import Tensor

        array = self.array(tensor)
        if array is None:
            if tensor._key in frozen:
                raise KeyError(
                    "no gradient for this tensor: it is frozen (requires_grad_(False) or "
                    "requires_grad = False), so it gets none; call .requires_grad_() to train it"
                )
            raise KeyError(
                "no gradient for this tensor: it was not used in a traced computation that "
                "reached backward() (trace an input with .traced(grads), or alloc_grads()); "
                "a tensor used through ops before the trace needs to be a parameter: a module's "
                "attribute, or marked with .requires_grad_()"
            )
        return Tensor._wrap(array, tensor._device)

    def get(self, tensor: Tensor[S, D, Dev, Any]) -> Tensor[S, D, Dev, NoTape] | None:
        """The gradient, or None if the tensor got none."""
        return self[tensor] if tensor._key in self else None

    def __contains__(self, tensor: object) -> bool:
        key = getattr(tensor, "_key", tensor)
        if key in frozen:
            return False
        return key in self._arrays or key in self._zero or key in self._pending

    def __len__(self) -> int:
        return len(self._arrays.keys() | self._zero.keys() | self._pending.keys())

    def __repr__(self) -> str:
        return f"Gradients({len(self)} tensors)"

    def array(self, tensor: Tensor[Any, Any, Any, Any]) -> Array | None:
        """The raw gradient array (no copy), or None (a frozen tensor's is always None);
        optimizers read gradients through this, and skip a tensor without one."""
        key = tensor._key
        return None if key in frozen else self._array_of(key)

    def _array_of(self, key: int | None) -> Array | None:
        if key is None:
            return None
        if key in self._pending:
            for deferred in self._pending.pop(key):
                self._add(key, deferred.compute())
            if not self._pending:
                self._unwatch()
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

    def _defer(self, key: int, deferred: Deferred, reads: list[int], device: Device) -> None:
        self._devices[key] = device
        self._pending.setdefault(key, []).append(deferred)
        watch = self._watch
        for leaf in dict.fromkeys(reads):
            watch.setdefault(leaf, []).append(deferred)
        if id(self) not in _watching:
            key = id(self)
            _watching[key] = weakref.ref(self, partial(_unwatched, key))

    def _drop_pending(self, key: int) -> None:
        for deferred in self._pending.pop(key, ()):
            deferred.drop()
        if not self._pending:
            self._unwatch()

    def _unwatch(self) -> None:
        """Nothing deferred is left: in-place writes need not look here any more."""
        if self._watch:
            self._watch.clear()
        _watching.pop(id(self), None)

    def _alloc(self, tensor: Tensor[Any, Any, Any, Any]) -> None:
        """An entry that reads as zeros (nothing is allocated until it is read)."""
        key = tensor._key_()
        self._devices[key] = tensor._device
        self._allocated.add(key)
        self._arrays.pop(key, None)
        self._drop_pending(key)
        self._zero[key] = (tuple(tensor._data.shape), tensor._data.dtype)

    def _zero_all(
        self, tensors: Iterable[Tensor[Any, Any, Any, Any]], forget_frozen: bool = False
    ) -> None:
        """`_alloc` each tensor that is not frozen (alloc_grads, zero_grads); a frozen one is
        skipped, or with `forget_frozen` loses its entry (`_forget`)."""
        devices, allocated, arrays, pending, zero = (
            self._devices,
            self._allocated,
            self._arrays,
            self._pending,
            self._zero,
        )
        for tensor in tensors:
            key = tensor._key
            if key is None:
                key = tensor._key_()
            elif key in frozen:
                if forget_frozen:
                    self._forget(tensor)
                continue
            devices[key] = tensor._device
            allocated.add(key)
            if key in arrays:
                del arrays[key]
            if key in pending:
                self._drop_pending(key)
            data = tensor._data
            zero[key] = (tuple(data.shape), data.dtype)

    def _forget(self, tensor: Tensor[Any, Any, Any, Any]) -> None:
        """No entry for this tensor (a frozen parameter's, at zero_grads)."""
        key = tensor._key
        if key is not None:
            self._allocated.discard(key)
            self._arrays.pop(key, None)
            self._zero.pop(key, None)
            self._drop_pending(key)

    def _drop_unallocated(self) -> None:
        """Forget the gradients of tensors that no alloc_grads / zero_grads named (traced
        inputs, data): a Gradients reused step after step keeps nothing of earlier steps."""
        keep = self._allocated
        for key in [k for k in self._arrays if k not in keep]:
            del self._arrays[key]
        for key in [k for k in self._pending if k not in keep]:
            self._drop_pending(key)
        for key in [k for k in self._devices if k not in keep]:
            del self._devices[key]
