"""Gradient checkpointing, as torch.utils.checkpoint.checkpoint: keep only a segment's
output, and run its forward again during backward to get the gradients.

```python
class Net(nn.Module):
    def forward(self, x):
        x = utils.checkpoint(self.block1, x)   # block1's activations are not kept
        return self.head(x)
```

How it sits on the tape: the segment runs once into a scratch tape, which says which
parameters (and other leaves) it reads; that tape is then dropped with every activation
it saved, and the segment goes onto the caller's tape as one record whose VJP runs the
segment again (traced, into a fresh `Gradients`) and pulls the upstream gradient back
through it. Parameters get their gradients in the caller's `Gradients` as without
checkpointing; a traced input's deferred gradient runs the segment again when read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, overload

from shaped.devices import _CUDA_PLACES, CPU
from shaped.errors import TapeError
from shaped.nn.module import Module
from shaped.ops.core import _slot
from shaped.tape import Gradients, Tape, merge, new_key
from shaped.tensor import Tensor

__all__ = ["checkpoint"]

MYPY = False  # True for mypy (a name it knows), False at run time and for other checkers
R = TypeVar("R")
A1 = TypeVar("A1")
A2 = TypeVar("A2")


def _generators(fn: object, args: tuple[Any, ...]) -> list[Any]:
    """The RNGs the segment may draw from: each device's, and those of the modules in it."""
    found = {id(CPU.rng): CPU.rng}
    for place in _CUDA_PLACES.values():
        found[id(place.rng)] = place.rng
    owners = [fn, getattr(fn, "__self__", None), *args]
    for owner in owners:
        if isinstance(owner, Module):
            for module in owner.modules():
                device = getattr(module, "_device", None)
                rng = getattr(device, "rng", None)
                if rng is not None:
                    found[id(rng)] = rng
    return [rng for rng in found.values() if hasattr(getattr(rng, "bit_generator", None), "state")]


def _states(generators: list[Any]) -> list[Any]:
    return [rng.bit_generator.state for rng in generators]


def _restore(generators: list[Any], states: list[Any]) -> None:
    for rng, state in zip(generators, states, strict=True):
        rng.bit_generator.state = state


if MYPY:  # mypy solves no forward's own TypeVars through a module object: Any, not Never

    @overload
    def checkpoint(
        function: Module,
        *args: Any,
        use_reentrant: bool | None = None,
        preserve_rng_state: bool = True,
        **kwargs: Any,
    ) -> Any: ...
    @overload
    def checkpoint(
        function: Callable[[A1], R],
        arg1: A1,
        /,
        *,
        use_reentrant: bool | None = None,
        preserve_rng_state: bool = True,
    ) -> R: ...
    @overload
    def checkpoint(
        function: Callable[[A1, A2], R],
        arg1: A1,
        arg2: A2,
        /,
        *,
        use_reentrant: bool | None = None,
        preserve_rng_state: bool = True,
    ) -> R: ...
    @overload
    def checkpoint(
        function: Callable[..., R],
        *args: Any,
        use_reentrant: bool | None = None,
        preserve_rng_state: bool = True,
        **kwargs: Any,
    ) -> R: ...
    def checkpoint(
        function: Callable[..., R],
        *args: Any,
        use_reentrant: bool | None = None,
        preserve_rng_state: bool = True,
        **kwargs: Any,
    ) -> R:
        """`function(*args, **kwargs)`, its activations computed again in backward (the
        full docstring is on the run-time definition below)."""
        return _checkpoint(function, args, kwargs, preserve_rng_state)


else:  # pyright solves them: a module's forward's result

    @overload
    def checkpoint(
        function: Callable[[A1], R],
        arg1: A1,
        /,
        *,
        use_reentrant: bool | None = None,
        preserve_rng_state: bool = True,
    ) -> R: ...
    @overload
    def checkpoint(
        function: Callable[[A1, A2], R],
        arg1: A1,
        arg2: A2,
        /,
        *,
        use_reentrant: bool | None = None,
        preserve_rng_state: bool = True,
    ) -> R: ...
    @overload
    def checkpoint(
        function: Callable[..., R],
        *args: Any,
        use_reentrant: bool | None = None,
        preserve_rng_state: bool = True,
        **kwargs: Any,
    ) -> R: ...
    def checkpoint(
        function: Callable[..., R],
        *args: Any,
        use_reentrant: bool | None = None,
        preserve_rng_state: bool = True,
        **kwargs: Any,
    ) -> R:
        """`function(*args, **kwargs)` without keeping its activations for backward: they are
        computed again when backward reaches this segment (torch's non-reentrant checkpoint).

        The result is one tensor. Tensors that carry a tape must come in as arguments (a traced
        tensor reached through a closure is an error); parameters and other untraced tensors
        may be read from anywhere (a module's attributes). The RNGs of the devices and of the
        modules in `function` (a module or its bound method) are restored for the second run,
        so dropout draws the same mask, as torch's `preserve_rng_state=True`; pass
        `preserve_rng_state=False` to skip that. `use_reentrant` is accepted for torch's
        signature (this is torch's non-reentrant kind). Typing: the result has `function`'s
        return type (a module's `forward`'s under pyright; under mypy pass `block.forward` for
        it, a module object itself gives Any). BatchNorm in training mode updates its running
        statistics in both runs, as in torch. Without a traced argument, this is a plain call.
        """
        return _checkpoint(function, args, kwargs, preserve_rng_state)


def _checkpoint(
    function: Callable[..., R],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    preserve_rng_state: bool,
) -> R:
    # use_reentrant is torch's switch between two implementations; shaped has one
    taped = [a for a in args if isinstance(a, Tensor) and a._tape is not None]
    if not taped:
        return function(*args, **kwargs)
    generators = _generators(function, args) if preserve_rng_state else []
    before = _states(generators)

    def run(into: Gradients) -> tuple[Any, list[Tensor[Any, Any, Any, Any]]]:
        stand_ins: list[Tensor[Any, Any, Any, Any]] = []
        call_args: list[Any] = []
        for arg in args:
            if isinstance(arg, Tensor) and arg._tape is not None:
                stand_in = Tensor._wrap(arg._data, arg._device).traced(into)
                stand_ins.append(stand_in)
                call_args.append(stand_in)
            else:
                call_args.append(arg)
        return function(*call_args, **kwargs), stand_ins

    scratch = Gradients()
    out, stand_ins = run(scratch)
    if not isinstance(out, Tensor):
        raise TypeError(
            f"checkpoint: the function must return one tensor, got {type(out).__name__}; "
            "checkpoint each output's computation, or return them stacked"
        )
    inner: Tape | None = None if out._tape is None else out._tape.root()
    if inner is not None and (inner.linked or inner.grads is not scratch):
        raise TapeError(
            "checkpoint: the function used a traced tensor that is not one of its arguments; "
            "pass every traced tensor it reads as an argument"
        )
    if inner is None or not inner.records:
        return out  # type: ignore[return-value]  # nothing on a tape: nothing to recompute
    produced = {record[0] for record in inner.records}
    mine = {s._key for s in stand_ins}
    leaves = list(
        dict.fromkeys(
            key
            for _, in_keys, _, _ in inner.records
            for key in in_keys
            if key is not None and key not in produced and key not in mine
        )
    )
    device, dtype = out._device, out._data.dtype
    data = out._data
    del out, stand_ins, inner, scratch  # the activations go with the scratch tape

    tape = taped[0]._tape
    assert tape is not None
    tape = tape.root()
    for arg in taped[1:]:
        assert arg._tape is not None
        tape = merge(tape, arg._tape)
    tape.check_open()
    keys: list[int | None] = []
    needs: list[bool] = []
    sources = tape.sources
    for arg in taped:
        key, need = _slot(arg, sources)
        keys.append(key)
        needs.append(need)
    for key in leaves:
        keys.append(key)
        needs.append(key not in sources)
    count = len(taped)

    def vjp(g: Any, wanted: tuple[bool, ...]) -> list[Any]:
        current = _states(generators)  # the stream goes on from here after the second run
        _restore(generators, before)
        try:
            again, inputs = run(Gradients())
        finally:
            _restore(generators, current)
        seed = (again * Tensor._wrap(g, device)).sum()
        grads = seed.backward()
        results: list[Any] = [grads.array(inputs[i]) if wanted[i] else None for i in range(count)]
        results += [
            grads._array_of(key) if wanted[count + i] else None for i, key in enumerate(leaves)
        ]
        return results

    result = Tensor._wrap(data, device, tape)
    result._key = key = new_key()
    tape.records.append((key, tuple(keys), tuple(needs), vjp))
    assert result._data.dtype == dtype
    return result  # type: ignore[return-value]
