"""Dims named by type variables (`N`, `Cin`, `Cout` in users' generic code), kept symbolic.

The shape rules compute on ints. To run them on a dim named by a TypeVar, a hook is run with
each TypeVar dim standing for a *probe*: a large number no real program uses, distinct for
each TypeVar. A result dim equal to a probe is that TypeVar (a batch dim passed through
Linear, a pool, a norm); a result computed from probes (`H_out` of a conv on `H`) is `int`.

A TypeVar dim is a dim that may be any size, as in mypy and dfdx: two distinct TypeVars are
different dims, and a TypeVar is not a particular literal (only 1 broadcasts against it). So
a rule that fails on the probes, where it passes with the TypeVars unknown, reports the
mismatch with the probes written back as names (`Cout` and `Cin`); generic code that only
works for one size should say that size.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from mypy.types import LiteralType, TupleType, Type, TypeVarType, get_proper_type

BASE = 1 << 40  # probes are BASE + k * STEP: far from any real size and from each other
STEP = 1 << 20

_probes: dict[object, int] = {}  # a TypeVar's id -> its probe
_variables: dict[int, TypeVarType] = {}  # probe -> the TypeVar
_mode: list[str] = []  # non-empty while a hook runs on probes


def probing() -> bool:
    return bool(_mode)


def probe(variable: TypeVarType) -> int:
    """The probe that stands for `variable` in the current run."""
    if variable.id not in _probes:
        _probes[variable.id] = BASE + STEP * (len(_probes) + 1)
        _variables[_probes[variable.id]] = variable
    return _probes[variable.id]


def is_symbolic(dim: int) -> bool:
    """A dim computed from probes (a probe itself, or arithmetic on one)."""
    return dim >= BASE // 2


def variable(dim: int) -> TypeVarType | None:
    """The TypeVar a result dim is, when it is exactly a probe."""
    return _variables.get(dim)


@contextmanager
def running(mode: str) -> Iterator[None]:
    _mode.append(mode)
    try:
        yield
    finally:
        _mode.pop()


def names(text: str) -> str:
    """A message with each probe written as its TypeVar's name."""

    def name(match: re.Match[str]) -> str:
        found = _variables.get(int(match.group()))
        return found.name if found is not None else "(a size computed from TypeVars)"

    return re.sub(r"\d{13,}", name, text)


def has_variables(types: list[Type]) -> bool:
    """Whether any tensor (or module) type among `types` names a dim by a TypeVar."""
    return any(_names_variable(t, 0) for t in types)


def _names_variable(typ: Type, depth: int) -> bool:
    proper = get_proper_type(typ)
    if depth > 3:
        return False
    if isinstance(proper, TypeVarType):
        return depth > 0  # a whole argument that is a TypeVar is no dim
    if isinstance(proper, TupleType):
        return any(_names_variable(item, depth + 1) for item in proper.items)
    args = getattr(proper, "args", ())
    return any(_names_variable(arg, depth + 1) for arg in args)


def _merged(symbolic: Type, plain: Type) -> Type:
    """The probed result, except that a dim known only because a probe stood for a TypeVar
    (`x[:3]` on `(N,)` gives 3 only when N >= 3) stays as unknown as without probes."""
    from .types import tensor_info

    sym, known = tensor_info(symbolic), tensor_info(plain)
    if sym is None or known is None:
        return symbolic
    sym_shape, known_shape = (get_proper_type(t.instance.args[0]) for t in (sym, known))
    if not isinstance(sym_shape, TupleType) or not isinstance(known_shape, TupleType):
        return symbolic
    if len(sym_shape.items) != len(known_shape.items):
        return plain
    items = [
        k if isinstance(get_proper_type(s), LiteralType) and not _literal(k) else s
        for s, k in zip(sym_shape.items, known_shape.items)
    ]
    shape = sym_shape.copy_modified(items=items)
    return sym.instance.copy_modified(args=[shape, *sym.instance.args[1:]])


def _literal(typ: Type) -> bool:
    return isinstance(get_proper_type(typ), LiteralType)


class Failure(NamedTuple):
    message: str
    kwargs: dict[str, Any]


class _Recorder:
    """Stands in for the checker's API while a hook runs on probes: errors are kept."""

    def __init__(self, api: Any) -> None:
        self._api = api
        self.failures: list[Failure] = []

    def fail(self, msg: str, ctx: Any, **kwargs: Any) -> None:
        self.failures.append(Failure(str(msg), kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._api, name)


def _run(hook: Callable[[Any], Type], ctx: Any, mode: str | None) -> tuple[Type, list[Failure]]:
    recorder = _Recorder(ctx.api)
    quiet = ctx._replace(api=recorder)
    if mode is None:
        return hook(quiet), recorder.failures
    with running(mode):
        return hook(quiet), recorder.failures


def keeping_variables(hook: Callable[[Any], Type]) -> Callable[[Any], Type]:
    """`hook` run so that TypeVar dims pass through it and distinct ones are told apart."""

    def wrapped(ctx: Any) -> Type:
        inputs = [ctx.type] if hasattr(ctx, "type") else []
        inputs += [typ for types in getattr(ctx, "arg_types", []) for typ in types]
        if probing() or not has_variables(inputs):
            return hook(ctx)
        symbolic, failures = _run(hook, ctx, "distinct")
        result, unknown_failures = _run(hook, ctx, None)
        if not failures:
            return _merged(symbolic, result)
        if not unknown_failures:  # the rule fails on what the TypeVars say: report it, by name
            unknown_failures = [f._replace(message=names(f.message)) for f in failures]
        for failure in unknown_failures:
            ctx.api.fail(failure.message, ctx.context, **failure.kwargs)
        return result

    return wrapped
