"""Hooks for indexing and masking, and creation (issue 11 items 1 and 6).

plugin.py dispatches through these tables: a Tensor method by name, a function by its full
name, a Device method by name. A name in RELAXED gets a signature that accepts any operand,
so its hook reports [shape]/[dtype]/[device] instead of mypy's [arg-type].
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.nodes import Expression, ListExpr, NameExpr, TupleExpr
from mypy.plugin import FunctionContext, MethodContext
from mypy.types import TupleType, Type, get_proper_type

from shaped import dtypes, shapes
from shaped.shapes import IndexArray, Shape

from .creation import _check_sampled, _shaped_by
from .tensor_hooks import (
    _args,
    _dims,
    _getitem,
    _named_arg,
    _shape_method,
    _value,
    run_rule,
)
from .types import (
    DTYPE,
    UNKNOWN,
    TensorInfo,
    class_name,
    dtype_marker,
    index_key,
    literal_value,
    make_tensor,
    tensor_info,
)

MethodHook = Callable[[MethodContext], Type]
BOOL = "shaped.dtypes.Bool"


# ---------------------------------------------------------------- x[idx], x[mask]


def _list_part(expr: ListExpr) -> IndexArray | None:
    """[0, 2] is an index of shape (2,); [True, False, True] a mask with 2 True."""
    flags = [e.fullname for e in expr.items if isinstance(e, NameExpr)]
    if flags and len(flags) == len(expr.items):
        if all(f in ("builtins.True", "builtins.False") for f in flags):
            return IndexArray((len(flags),), True, flags.count("builtins.True"))
        return None
    if any(isinstance(e, (ListExpr, TupleExpr)) for e in expr.items):
        return None  # nested lists: let run time decide
    return IndexArray((len(expr.items),))


def _key_part(expr: Expression | None, typ: Type) -> list[object] | None:
    """One part of a key as the shape rule takes it; None if unknown."""
    info = tensor_info(typ)
    if info is not None:
        marker = dtype_marker(info.dtype)
        message = shapes.index_dtype(marker.__name__) if marker is not None else None
        if message is not None:
            return [message]
        if info.shape is None:
            return None
        return [IndexArray(info.shape, class_name(info.dtype) == BOOL)]
    if isinstance(expr, ListExpr):
        part = _list_part(expr)
        return None if part is None else [part]
    if expr is None:
        return None
    basic = index_key(expr)
    return None if basic is None else list(basic)


def _advanced_key(ctx: MethodContext) -> tuple[object, ...] | None:
    args = _args(ctx)
    if not args:
        return None
    expr, typ = args[0]
    proper = get_proper_type(typ)
    if isinstance(expr, TupleExpr) and isinstance(proper, TupleType):
        pairs = list(zip(expr.items, proper.items, strict=False))
        if len(pairs) != len(expr.items):
            return None
    else:
        pairs = [(expr, typ)] if expr is not None else []
    key: list[object] = []
    for item_expr, item_type in pairs:
        part = _key_part(item_expr, item_type)
        if part is None:
            return None
        key.extend(part)
    return tuple(key)


def _index(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    key = _advanced_key(ctx)
    wrong = [k for k in key or () if isinstance(k, str)]  # an index tensor's dtype message
    if wrong:
        ctx.api.fail(wrong[0], ctx.context, code=DTYPE)
        return None
    if key is None or not any(isinstance(k, IndexArray) for k in key):
        return _getitem(me, ctx)
    return run_rule(ctx, shapes.advanced_index, me.shape, key)


# ---------------------------------------------------------------- gather, scatter, masks


def _index_shape(ctx: MethodContext, name: str, position: int) -> Shape | None:
    arg = _named_arg(ctx, name, position)
    info = tensor_info(arg[1]) if arg is not None else None
    return None if info is None else info.shape


def _axis(ctx: MethodContext, position: int) -> int | None:
    """numpy's `axis` (by keyword or position) or torch's `dim=`."""
    axis = _value(ctx, "dim", 99, None)
    if axis is None:
        axis = _value(ctx, "axis", position, UNKNOWN)
    return axis if isinstance(axis, int) and not isinstance(axis, bool) else None


def _gather(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    index, axis = _index_shape(ctx, "index", 1), _axis(ctx, 0)
    if index is None or axis is None:
        return None
    return run_rule(ctx, shapes.gather, me.shape, index, axis)


def _take_along_axis(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    index, axis = _index_shape(ctx, "indices", 0), _axis(ctx, 1)
    if index is None or axis is None:
        return None
    return run_rule(ctx, shapes.take_along_axis, me.shape, index, axis)


def _index_select(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    index, axis = _index_shape(ctx, "index", 1), _axis(ctx, 0)
    if index is None or axis is None:
        return None
    return run_rule(ctx, shapes.index_select, me.shape, index, axis)


def _scatter(op: str) -> MethodHook:
    def rule(me: TensorInfo, ctx: MethodContext) -> Shape | None:
        index, axis = _index_shape(ctx, "index", 1), _axis(ctx, 0)
        src_arg = _named_arg(ctx, "src", 2)
        src_info = tensor_info(src_arg[1]) if src_arg is not None else None
        if index is None or axis is None or (src_info is not None and src_info.shape is None):
            return me.shape
        src = None if src_info is None else src_info.shape
        return run_rule(ctx, shapes.scatter, op, me.shape, index, src, axis) or me.shape

    def hook(ctx: MethodContext) -> Type:
        me, result = tensor_info(ctx.type), tensor_info(ctx.default_return_type)
        if me is None or result is None or me.shape is None:
            return ctx.default_return_type
        return make_tensor(ctx.api, result.instance, rule(me, ctx))

    return hook


def _masked_fill(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    mask = _index_shape(ctx, "mask", 0)
    if mask is not None:
        run_rule(ctx, shapes.masked_fill, me.shape, mask)
    return me.shape


def _nonzero(ctx: MethodContext) -> Type:
    me, result = tensor_info(ctx.type), tensor_info(ctx.default_return_type)
    if me is None or result is None or me.shape is None:
        return ctx.default_return_type
    return make_tensor(ctx.api, result.instance, shapes.nonzero(me.shape))


# ---------------------------------------------------------------- creation


def _sampled_like(op: str) -> MethodHook:
    """randn_like/rand_like: x's dtype (or dtype=) must be a float one, as at run time."""

    def hook(ctx: MethodContext) -> Type:
        if _named_arg(ctx, "dtype", 1) is not None:
            _check_sampled(ctx, op)
            return ctx.default_return_type
        arg = _named_arg(ctx, "x", 0)
        info = tensor_info(arg[1]) if arg is not None else None
        marker = dtype_marker(info.dtype) if info is not None else None
        message = dtypes.sampled(op, marker) if marker is not None else None
        if message is not None:
            ctx.api.fail(message, ctx.context, code=DTYPE)
        return ctx.default_return_type

    return hook


def _sized(op: str, name: str, position: int) -> MethodHook:
    """linspace(start, end, steps) and randperm(n): one dim, the literal count."""

    def hook(ctx: MethodContext) -> Type:
        result = tensor_info(ctx.default_return_type)
        count = _value(ctx, name, position, UNKNOWN)
        if result is None:
            return ctx.default_return_type
        size = count if isinstance(count, int) and not isinstance(count, bool) else None
        rule = shapes.linspace if op == "linspace" else lambda n: shapes.created(op, (n,))
        return make_tensor(ctx.api, result.instance, run_rule(ctx, rule, size) or (None,))

    return hook


def _randint(ctx: MethodContext) -> Type:
    result = tensor_info(ctx.default_return_type)
    second = _named_arg(ctx, "high", 1)  # torch's randint(high, shape): the shape comes second
    torch_form = second is not None and isinstance(get_proper_type(second[1]), TupleType)
    dims = _dims(_named_arg(ctx, "shape", 1 if torch_form else 2))
    if result is None or dims is None:
        return ctx.default_return_type
    shape = run_rule(ctx, shapes.created, "randint", dims)
    return make_tensor(ctx.api, result.instance, shape)


# ---------------------------------------------------------------- counting, one-hot, sampling


def _bincount(ctx: MethodContext) -> Type:
    me = tensor_info(ctx.type)
    minlength = _value(ctx, "minlength", 1, 0)
    if me is None or me.shape is None or not isinstance(minlength, int):
        return ctx.default_return_type
    weights = _index_shape(ctx, "weights", 0)
    run_rule(ctx, shapes.bincount, me.shape, weights, minlength)
    return ctx.default_return_type


def _one_hot(ctx: FunctionContext) -> Type:
    """F.one_hot(indices, n): the indices' dims and a last one of n (-1: known at run time)."""
    indices = ctx.arg_types[0][0] if ctx.arg_types and ctx.arg_types[0] else None
    result = tensor_info(ctx.default_return_type)
    info = tensor_info(indices) if indices is not None else None
    if info is None or result is None or info.shape is None:
        return ctx.default_return_type
    count: object = -1
    if len(ctx.args) > 1 and ctx.args[1]:
        count = literal_value(ctx.args[1][0], ctx.arg_types[1][0])
    classes = count if isinstance(count, int) and not isinstance(count, bool) else None
    shape = run_rule(ctx, shapes.one_hot, info.shape, classes)
    return make_tensor(ctx.api, result.instance, shape)


def _multinomial(ctx: MethodContext) -> Type:
    result = tensor_info(ctx.default_return_type)
    probs = _index_shape(ctx, "probs", 0)
    count = _value(ctx, "num_samples", 1, UNKNOWN)
    replacement = _value(ctx, "replacement", 2, False)
    if result is None or probs is None or not isinstance(replacement, bool):
        return ctx.default_return_type
    samples = count if isinstance(count, int) and not isinstance(count, bool) else None
    shape = run_rule(ctx, shapes.multinomial, probs, samples, replacement)
    return make_tensor(ctx.api, result.instance, shape)


METHOD_HOOKS: dict[str, Callable[[MethodContext], Type]] = {
    "__getitem__": _shape_method(_index),
    "gather": _shape_method(_gather),
    "take_along_axis": _shape_method(_take_along_axis),
    "index_select": _shape_method(_index_select),
    "scatter_add": _scatter("scatter_add"),
    "scatter": _scatter("scatter"),
    "scatter_reduce": _scatter("scatter_reduce"),
    "masked_fill": _shape_method(_masked_fill),
    "nonzero": _nonzero,
    "new_zeros": _shaped_by("new_zeros", "shape"),
    "new_ones": _shaped_by("new_ones", "shape"),
    "new_full": _shaped_by("new_full", "shape"),
    "bincount": _bincount,
}
FUNCTION_HOOKS: dict[str, Callable[[FunctionContext], Type]] = {
    "shaped.ops.indexing.one_hot": _one_hot,
}
DEVICE_HOOKS: dict[str, Callable[[MethodContext], Type]] = {
    "randn_like": _sampled_like("randn_like"),
    "rand_like": _sampled_like("rand_like"),
    "empty": _shaped_by("empty", "shape"),
    "linspace": _sized("linspace", "steps", 2),
    "randperm": _sized("randperm", "n", 0),
    "randint": _randint,
    "multinomial": _multinomial,
}
RELAXED: set[str] = set()
