"""Functional gradients, JAX's and rax's style, built on the tape: `sh.grad(loss_fn)(params, x, y)`.

`params` may be a tensor or any nesting of tuples, lists, dicts and dataclasses of tensors
(a pytree), or a module: the gradients come back with the same structure (a module's as a
copy of the module holding gradients in place of its parameters), so

    grads = sh.grad(loss_fn)(params, x, y)
    params = sh.optim.sgd_step(params, grads, lr=0.1)

runs as written. Each tensor leaf is traced for the call (`x.traced(grads)`), the loss's
`backward()` fills one `Gradients`, and the leaves' entries are put back in place; there is
no second autodiff engine. A leaf the loss does not depend on gets a zero gradient, as
`torch.func.grad` gives.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterator
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar, overload

from shaped.errors import TapeError
from shaped.tape import Gradients
from shaped.tensor import Tensor

__all__ = ["grad", "tree_leaves", "tree_map", "value_and_grad"]

A = TypeVar("A")
X = TypeVar("X")
P = ParamSpec("P")
Loss = Tensor[tuple[()], Any, Any, Any]


# ---------------------------------------------------------------- pytrees


def _is_module(value: object) -> bool:
    from shaped.nn.module import Module

    return isinstance(value, Module)


def tree_map(fn: Callable[[Tensor[Any, Any, Any, Any]], Any], tree: A) -> A:
    """`tree` with `fn` applied to each tensor leaf, in the same structure (tuples, lists,
    dicts, dataclasses; a module becomes a copy whose parameters are fn's results)."""
    return _mapped(fn, tree)  # type: ignore[no-any-return]


def _mapped(fn: Callable[[Tensor[Any, Any, Any, Any]], Any], tree: Any) -> Any:
    if isinstance(tree, Tensor):
        return fn(tree)
    if _is_module(tree):  # a copy of the module holding fn's results as its parameters
        clone = _structure_copy(tree)
        for name, param in list(tree.named_parameters()):
            _set_path(clone, name, fn(param), register=True)
        return clone
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):  # a NamedTuple
        return type(tree)(*(_mapped(fn, item) for item in tree))
    if isinstance(tree, (tuple, list)):
        return type(tree)(_mapped(fn, item) for item in tree)
    if isinstance(tree, dict):
        return type(tree)((key, _mapped(fn, value)) for key, value in tree.items())
    if dataclasses.is_dataclass(tree) and not isinstance(tree, type):
        changes = {f.name: _mapped(fn, getattr(tree, f.name)) for f in dataclasses.fields(tree)}
        return dataclasses.replace(tree, **changes)
    return tree  # numbers, strings, None: not differentiated, kept as they are


def _structure_copy(module: Any) -> Any:
    """A copy of the module tree whose tensors (and devices, RNGs) are shared, not copied: the
    caller then replaces the parameters."""
    memo: dict[int, Any] = {}
    for sub in module.modules():
        for value in vars(sub).values():
            if not _is_module(value) and not isinstance(value, (list, tuple, dict)):
                if isinstance(value, Tensor) or type(value).__module__.split(".")[0] in (
                    "shaped",
                    "numpy",
                    "cupy",
                ):
                    memo[id(value)] = value
    for leaf in module.parameters():
        memo[id(leaf)] = leaf
    return copy.deepcopy(module, memo)


def tree_leaves(tree: object) -> Iterator[Tensor[Any, Any, Any, Any]]:
    """The tensor leaves of a pytree, in the order tree_map visits them."""
    found: list[Tensor[Any, Any, Any, Any]] = []

    def collect(leaf: Tensor[Any, Any, Any, Any]) -> Tensor[Any, Any, Any, Any]:
        found.append(leaf)
        return leaf

    tree_map(collect, tree)
    return iter(found)


def _set_path(module: Any, dotted: str, value: object, *, register: bool = False) -> None:
    """module.a.b.weight = value: a plain swap for the call (restored after it), or, with
    `register`, through Module.__setattr__ (the tensor becomes the copy's parameter)."""
    *parents, name = dotted.split(".")
    owner = module
    for part in parents:
        indexed = part.isdigit() and isinstance(owner, (tuple, list))
        owner = owner[int(part)] if indexed else getattr(owner, part)
    if register:
        setattr(owner, name, value)
    else:
        object.__setattr__(owner, name, value)


# ---------------------------------------------------------------- grad, value_and_grad


def _traced(tree: A, grads: Gradients, keys: dict[int, Tensor[Any, Any, Any, Any]]) -> A:
    """The tree with each float leaf traced into `grads` (a module: its parameters swapped for
    traced copies, restored by _restore); `keys` maps each traced leaf to its source."""

    def trace(leaf: Tensor[Any, Any, Any, Any]) -> Tensor[Any, Any, Any, Any]:
        if leaf._data.dtype.kind != "f":
            return leaf  # ints and bools have no gradient
        traced = leaf.traced(grads)
        keys[id(traced)] = leaf
        return traced

    if _is_module(tree):  # the same module object, its parameters traced for the call
        for name, param in list(tree.named_parameters()):  # type: ignore[attr-defined]
            _set_path(tree, name, trace(param))
        return tree
    return tree_map(trace, tree)


def _restore(tree: object, originals: list[tuple[str, Tensor[Any, Any, Any, Any]]]) -> None:
    for name, param in originals:
        _set_path(tree, name, param)


def _gradient_tree(tree: A, grads: Gradients) -> A:
    """The gradient of each leaf of `tree`, in its structure (zeros where none reached it)."""

    def gradient(leaf: Tensor[Any, Any, Any, Any]) -> Tensor[Any, Any, Any, Any]:
        if leaf._data.dtype.kind != "f":
            return leaf
        array = grads.array(leaf)
        if array is None:
            return Tensor._wrap(leaf._device.xp.zeros_like(leaf._data), leaf._device)
        return Tensor._wrap(array, leaf._device)

    return tree_map(gradient, tree)


def _value_and_grads(
    fn: Callable[..., Any], argnums: int | tuple[int, ...], has_aux: bool, name: str
) -> Callable[..., tuple[Any, Any]]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums or any(not isinstance(n, int) or isinstance(n, bool) for n in nums):
        raise TypeError(f"{name}: argnums must be an int or a tuple of ints, got {argnums!r}")

    def wrapped(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        if any(not -len(args) <= n < len(args) for n in nums):
            raise TypeError(
                f"{name}: argnums {argnums!r} names an argument that was not given "
                f"({len(args)} positional arguments); pass the differentiated ones positionally"
            )
        grads = Gradients()
        keys: dict[int, Tensor[Any, Any, Any, Any]] = {}
        call_args = list(args)
        swapped: list[tuple[object, list[tuple[str, Tensor[Any, Any, Any, Any]]]]] = []
        for n in nums:
            if _is_module(args[n]):
                swapped.append((args[n], list(args[n].named_parameters())))
            call_args[n] = _traced(args[n], grads, keys)
        try:
            out = fn(*call_args, **kwargs)
        finally:
            for module, originals in swapped:
                _restore(module, originals)
        if has_aux and not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError(f"{name}: with has_aux=True the function must return (loss, aux)")
        loss, aux = out if has_aux else (out, None)
        if not isinstance(loss, Tensor) or loss.shape != ():
            shown = getattr(loss, "shape", type(loss).__name__)
            raise TypeError(
                f"{name}: the function must return a rank-0 loss tensor, got {shown}; reduce "
                "it with .mean() or .sum()" + ("" if has_aux else ", or pass has_aux=True")
            )
        if loss._tape is None:
            raise TapeError(
                f"{name}: the loss does not depend on the differentiated arguments "
                f"(argnums={argnums!r}): differentiate the arguments the loss is computed from"
            )
        filled = loss.backward()
        trees = tuple(_gradient_tree(args[n], filled) for n in nums)
        gradient = trees[0] if isinstance(argnums, int) else trees
        value = loss.detach()
        if has_aux:  # aux tensors come back without the call's (consumed) tape, as JAX's
            aux = tree_map(lambda t: t.detach() if t._tape is not None else t, aux)
        return ((value, aux) if has_aux else value), gradient

    return wrapped


@overload
def grad(
    fn: Callable[Concatenate[A, P], Loss], argnums: Literal[0] = 0, has_aux: Literal[False] = False
) -> Callable[Concatenate[A, P], A]: ...
@overload
def grad(
    fn: Callable[Concatenate[A, P], tuple[Loss, X]],
    argnums: Literal[0] = 0,
    *,
    has_aux: Literal[True],
) -> Callable[Concatenate[A, P], tuple[A, X]]: ...
@overload
def grad(
    fn: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]: ...
def grad(fn: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False) -> Any:
    """The gradient function of `fn` (JAX's and torch.func's grad): `sh.grad(loss_fn)(params,
    x, y)` gives d loss / d params shaped like params (a pytree: a tensor, tuples, lists, dicts,
    dataclasses, or a module). `argnums` picks the argument(s) (a tuple gives a tuple of
    gradients); with `has_aux=True`, fn returns (loss, aux) and grad returns (grads, aux)."""
    inner = _value_and_grads(fn, argnums, has_aux, "grad")

    def gradient(*args: Any, **kwargs: Any) -> Any:
        value, grads = inner(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads

    return gradient


@overload
def value_and_grad(
    fn: Callable[Concatenate[A, P], Loss], argnums: Literal[0] = 0, has_aux: Literal[False] = False
) -> Callable[Concatenate[A, P], tuple[Tensor[tuple[()], Any, Any], A]]: ...
@overload
def value_and_grad(
    fn: Callable[Concatenate[A, P], tuple[Loss, X]],
    argnums: Literal[0] = 0,
    *,
    has_aux: Literal[True],
) -> Callable[Concatenate[A, P], tuple[tuple[Tensor[tuple[()], Any, Any], X], A]]: ...
@overload
def value_and_grad(
    fn: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]: ...
def value_and_grad(
    fn: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Any:
    """`(loss, grads)` in one call (JAX's value_and_grad): the loss without a tape, the
    gradients as `grad` gives them; with has_aux, `((loss, aux), grads)`."""
    return _value_and_grads(fn, argnums, has_aux, "value_and_grad")
