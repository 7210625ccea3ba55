"""Hooks for reductions and sorting (issue 11 items 3 and 9).

plugin.py dispatches through these tables: a Tensor method by name, a function by its full
name, a Device method by name. A name in RELAXED gets a signature that accepts any operand,
so its hook reports [shape]/[dtype]/[device] instead of mypy's [arg-type].

Ops that give `(values, indices)` (x.max(dim), sort, topk) are typed as the named pair
`ValuesIndices[values tensor, indices tensor]`: the hook fills in both tensors' shapes.
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.plugin import FunctionContext, MethodContext
from mypy.types import Instance, TupleType, Type, get_proper_type

from shaped import dtypes, shapes
from shaped.shapes import Shape

from .tensor_hooks import (
    NOT_POSITIONAL,
    _actuals,
    _named_arg,
    _value,
    check_float,
    reduction,
    run_rule,
)
from .types import (
    DTYPE,
    DTYPES,
    KEEP,
    UNKNOWN,
    dtype_marker,
    literal_value,
    make_tensor,
    named,
    tensor_info,
)

MethodHook = Callable[[MethodContext], Type]


def _keyword(ctx: MethodContext, name: str) -> object:
    """An argument given by keyword only (UNKNOWN when it is absent or not literal)."""
    for arg_name, expr, typ in _actuals(ctx) or []:
        if arg_name == name:
            return literal_value(expr, typ)
    return UNKNOWN


def _axis(ctx: MethodContext, position: int, default: object) -> object:
    """The axis, spelled `axis` (numpy) or `dim` (torch), by keyword or at `position`."""
    dim = _keyword(ctx, "dim")
    return dim if dim is not UNKNOWN else _value(ctx, "axis", position, default)


def _summed_dtype(ctx: MethodContext, like: Instance) -> Type | None:
    """Int64 for a sum-like op of ints or bools (prod, cumsum, cumprod), as torch; else None."""
    me = tensor_info(like)
    marker = dtype_marker(me.dtype) if me is not None else None
    if marker is None:
        return None
    return named(ctx.api, f"{DTYPES}.{dtypes.sum_dtype(marker).__name__}")


def _pair_type(ctx: MethodContext, values: Shape | None, indices: Shape | None) -> Type:
    """The default ValuesIndices[V, I] with the shapes of V and I filled in."""
    pair = get_proper_type(ctx.default_return_type)
    if not isinstance(pair, TupleType) or len(pair.items) != 2:
        return ctx.default_return_type
    value_info, index_info = (tensor_info(item) for item in pair.items)
    if value_info is None or index_info is None:
        return ctx.default_return_type
    items: list[Type] = [
        make_tensor(ctx.api, value_info.instance, values),
        make_tensor(ctx.api, index_info.instance, indices),
    ]
    fallback = pair.partial_fallback.copy_modified(args=items)
    return pair.copy_modified(items=items, fallback=fallback)


def extremum(op: str) -> MethodHook:
    """x.max(axis=...) gives the values (the reduction hook); x.max(1) or x.max(dim=1) gives
    the pair (values, indices), as torch."""
    values_hook = reduction(op)

    def hook(ctx: MethodContext) -> Type:
        actuals = _actuals(ctx)
        me = tensor_info(ctx.type)
        if actuals is None or me is None:
            return ctx.default_return_type
        if not isinstance(get_proper_type(ctx.default_return_type), TupleType):
            return values_hook(ctx)
        dim = _value(ctx, "dim", 0, UNKNOWN)
        keepdim = _value(ctx, "keepdim", 1, False)
        if me.shape is None or not isinstance(dim, int) or not isinstance(keepdim, bool):
            return ctx.default_return_type
        shape = run_rule(ctx, shapes.reduce_dim, op, me.shape, dim, keepdim)
        return _pair_type(ctx, shape, shape)

    return hook


def _scan(op: str, *, summed: bool) -> MethodHook:
    """cumsum, cumprod, logcumsumexp, argsort: the shape stays, the axis is checked; sums of ints are Int64."""

    def hook(ctx: MethodContext) -> Type:
        me = tensor_info(ctx.type)
        result = tensor_info(ctx.default_return_type)
        if me is None or result is None or _actuals(ctx) is None:
            return ctx.default_return_type
        axis = _axis(ctx, 0, -1)
        if me.shape is not None and isinstance(axis, int):
            run_rule(ctx, shapes.scan, op, me.shape, axis)
        marker = dtype_marker(me.dtype)
        if op == "logcumsumexp" and marker is not None:
            check_float(ctx, op, marker)
        dtype = _summed_dtype(ctx, me.instance) if summed else None
        return make_tensor(ctx.api, result.instance, me.shape, dtype=dtype)

    return hook


def _scan_pair(op: str) -> MethodHook:
    """sort, cummax, cummin: (values, indices) shaped like x; the axis must exist."""

    def hook(ctx: MethodContext) -> Type:
        me = tensor_info(ctx.type)
        axis = _axis(ctx, 0, -1)
        if me is None or me.shape is None or not isinstance(axis, int) or _actuals(ctx) is None:
            return ctx.default_return_type
        shape = run_rule(ctx, shapes.scan, op, me.shape, axis)
        return _pair_type(ctx, shape, shape)

    return hook


def topk(ctx: MethodContext) -> Type:
    me = tensor_info(ctx.type)
    k = _value(ctx, "k", 0, UNKNOWN)
    axis = _axis(ctx, 1, -1)
    if me is None or me.shape is None or not isinstance(axis, int) or _actuals(ctx) is None:
        return ctx.default_return_type
    if not isinstance(k, int):  # k known at run time only: that axis is unknown
        pos = run_rule(ctx, shapes.dim_axis, "topk", me.shape, axis)
        shape = (
            None if pos is None else tuple(None if i == pos else d for i, d in enumerate(me.shape))
        )
        return _pair_type(ctx, shape, shape) if pos is not None else ctx.default_return_type
    shape = run_rule(ctx, shapes.topk, me.shape, k, axis)
    return _pair_type(ctx, shape, shape)


def _keep(ctx: MethodContext, position: int) -> object:
    """keepdims (numpy, at `position`) or keepdim (torch, by keyword)."""
    keep = _keyword(ctx, "keepdim")
    return _value(ctx, "keepdims", position, False) if keep is UNKNOWN else keep


def kthvalue(ctx: MethodContext) -> Type:
    me = tensor_info(ctx.type)
    k, axis, keep = _value(ctx, "k", 0, UNKNOWN), _axis(ctx, 1, -1), _keep(ctx, 2)
    if me is None or me.shape is None or _actuals(ctx) is None:
        return ctx.default_return_type
    if not isinstance(axis, int) or not isinstance(keep, bool):
        return ctx.default_return_type
    if not isinstance(k, int):  # k known at run time only: the axis still goes
        shape = run_rule(ctx, shapes.reduce_dim, "kthvalue", me.shape, axis, keep)
    else:
        shape = run_rule(ctx, shapes.kthvalue, me.shape, k, axis, keep)
    return _pair_type(ctx, shape, shape)


def median(ctx: MethodContext) -> Type:
    """x.median() is a scalar (the signature says so); x.median(dim) is the pair."""
    me = tensor_info(ctx.type)
    if me is None or me.shape is None or _actuals(ctx) is None:
        return ctx.default_return_type
    dim, keep = _value(ctx, "dim", 0, UNKNOWN), _value(ctx, "keepdim", 1, False)
    if not isinstance(dim, int) or not isinstance(keep, bool):
        return ctx.default_return_type
    shape = run_rule(ctx, shapes.reduce_dim, "median", me.shape, dim, keep)
    return _pair_type(ctx, shape, shape)


def prod(ctx: MethodContext) -> Type:
    """A reduction whose ints and bools give Int64, as torch."""
    out = reduction("prod")(ctx)
    if _named_arg(ctx, "dtype", NOT_POSITIONAL) is not None:  # dtype=: converted first
        return out
    info = tensor_info(out)
    dtype = _summed_dtype(ctx, ctx.type) if isinstance(ctx.type, Instance) else None
    if info is None or dtype is None:
        return out
    return make_tensor(ctx.api, info.instance, KEEP, dtype=dtype)


def norm(ctx: MethodContext) -> Type:
    """x.norm(p, dim, keepdim): a reduction over `axis`/`dim` (position 1); floats only."""
    me = tensor_info(ctx.type)
    result = tensor_info(ctx.default_return_type)
    if me is None or result is None or _actuals(ctx) is None:
        return ctx.default_return_type
    marker = dtype_marker(me.dtype)
    if marker is not None:
        check_float(ctx, "norm", marker)
    axis = _axis(ctx, 1, None)
    keep = _keyword(ctx, "keepdim")
    keep = _value(ctx, "keepdims", 2, False) if keep is UNKNOWN else keep
    if axis is UNKNOWN or not isinstance(keep, bool) or me.shape is None:
        return ctx.default_return_type
    return make_tensor(
        ctx.api, result.instance, run_rule(ctx, shapes.reduce, "norm", me.shape, axis, keep)
    )


def normalize(ctx: FunctionContext) -> Type:
    """F.normalize(x, p, dim): typed as x; floats only; a literal dim must exist."""
    x = ctx.arg_types[0][0] if ctx.arg_types and ctx.arg_types[0] else None
    me = tensor_info(x) if x is not None else None
    if me is None:
        return ctx.default_return_type
    marker = dtype_marker(me.dtype)
    message = dtypes.float_only("normalize", marker) if marker is not None else None
    if message is not None:
        ctx.api.fail(message, ctx.context, code=DTYPE)
    dim: object = 1
    index = ctx.callee_arg_names.index("dim")
    if ctx.args[index]:
        dim = literal_value(ctx.args[index][0], ctx.arg_types[index][0])
    if me.shape is not None and isinstance(dim, int):
        run_rule(ctx, shapes.scan, "normalize", me.shape, dim)
    return ctx.default_return_type


METHOD_HOOKS: dict[str, Callable[[MethodContext], Type]] = {
    "max": extremum("max"),
    "min": extremum("min"),
    "prod": prod,
    "any": reduction("any"),
    "all": reduction("all"),
    "cumsum": _scan("cumsum", summed=True),
    "cumprod": _scan("cumprod", summed=True),
    "argsort": _scan("argsort", summed=False),
    "logcumsumexp": _scan("logcumsumexp", summed=False),
    "sort": _scan_pair("sort"),
    "cummax": _scan_pair("cummax"),
    "cummin": _scan_pair("cummin"),
    "topk": topk,
    "norm": norm,
    "kthvalue": kthvalue,
    "median": median,
}
FUNCTION_HOOKS: dict[str, Callable[[FunctionContext], Type]] = {
    "shaped.nn.functional.normalize": normalize,
}
DEVICE_HOOKS: dict[str, Callable[[MethodContext], Type]] = {}
RELAXED: set[str] = set()
