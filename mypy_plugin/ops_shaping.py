"""Hooks for shape and movement (issue 11 item 2).

plugin.py dispatches through these tables: a Tensor method by name, a function by its full
name, a Device method by name. A name in RELAXED gets a signature that accepts any operand,
so its hook reports [shape]/[dtype]/[device] instead of mypy's [arg-type].

Each hook reads the literal arguments, runs the runtime's rule from `shaped.shapes`, and
returns the result type: split, chunk, unbind and meshgrid give a tuple typed per piece.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mypy.nodes import ARG_POS, ListExpr, StarExpr, TupleExpr
from mypy.plugin import FunctionContext, MethodContext
from mypy.types import Instance, LiteralType, TupleType, Type, get_proper_type

from shaped import shapes
from shaped.shapes import Shape

from . import symbols
from .functions import Call, _same_kind
from .tensor_hooks import (
    _actuals,
    _args,
    _dims,
    _ints,
    _named_arg,
    _pad,
    _reshape,
    _shape_method,
    run_rule,
)
from .types import UNKNOWN, TensorInfo, int_type, literal_value, make_tensor, tensor_info

MethodHook = Callable[[MethodContext], Type]


def _value(
    ctx: MethodContext, name: str, position: int, default: object, alias: str = ""
) -> object:
    """A literal argument by keyword (numpy's name or torch's `alias`) or position."""
    for arg_name, expr, typ in _actuals(ctx) or []:
        if alias and arg_name == alias:
            return literal_value(expr, typ)
    arg = _named_arg(ctx, name, position)
    return default if arg is None else literal_value(*arg)


def _axes(value: object) -> bool:
    """An int, a tuple of ints or None: an axis argument known statically."""
    if value is None or isinstance(value, int):
        return True
    return isinstance(value, tuple) and all(isinstance(v, int) for v in value)


def _sizes(ctx: MethodContext) -> tuple[int | None, ...] | None:
    """`f(2, 3)` or `f((2, 3))`: the sizes, a non-literal one unknown; None if the count is."""
    args = _args(ctx)
    if len(args) == 1:
        value = literal_value(*args[0])
        if isinstance(value, tuple) or isinstance(get_proper_type(args[0][1]), TupleType):
            return _dims(args[0])
        return _ints((value,))
    return _ints(tuple(literal_value(*arg) for arg in args))


def _axis_size(shape: Shape, axis: int) -> int | None:
    """The size of `axis` when it is in range (the rule reports it otherwise)."""
    return shape[axis] if -len(shape) <= axis < len(shape) else None


def _pieces(ctx: MethodContext | FunctionContext, like: Instance, pieces: list[Shape]) -> Type:
    """A tuple type with one tensor type per piece (the pure signature's if not a tuple)."""
    items: list[Type] = [make_tensor(ctx.api, like, piece) for piece in pieces]
    fallback = get_proper_type(ctx.default_return_type)
    if not isinstance(fallback, Instance):
        return ctx.default_return_type
    return TupleType(items, fallback=fallback)


# ---------------------------------------------------------------- one result


def _repeat(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    sizes = _sizes(ctx)
    return None if sizes is None else run_rule(ctx, shapes.repeat, me.shape, sizes)


def _expand(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    sizes = _sizes(ctx)
    return None if sizes is None else run_rule(ctx, shapes.expand, me.shape, sizes)


def _like_other(rule: Callable[..., Shape]) -> MethodHook:
    """view_as, reshape_as, expand_as: the pure result has `other`'s shape; check the rule."""

    def hook(ctx: MethodContext) -> Type:
        me = tensor_info(ctx.type)
        args = _args(ctx)
        other = tensor_info(args[0][1]) if args else None
        if me is None or other is None or me.shape is None or other.shape is None:
            return ctx.default_return_type
        shape = run_rule(ctx, rule, me.shape, other.shape)
        return (
            ctx.default_return_type if shape is None else make_tensor(ctx.api, me.instance, shape)
        )

    return hook


def _triangle(op: str) -> MethodHook:
    def hook(ctx: MethodContext) -> Type:
        me = tensor_info(ctx.type)
        if me is not None and me.shape is not None:
            run_rule(ctx, shapes.triangle, op, me.shape)
        return ctx.default_return_type

    return hook


def _flip(ctx: MethodContext) -> Type:
    me = tensor_info(ctx.type)
    axes = _value(ctx, "axis", 0, None, alias="dims")
    positional = [arg for arg in _actuals(ctx) or [] if arg[0] is None]
    if len(positional) > 1:  # torch's x.flip(0, 1)
        axes = tuple(literal_value(expr, typ) for _name, expr, typ in positional)
    if me is not None and me.shape is not None and _axes(axes):
        run_rule(ctx, shapes.flip, me.shape, axes)
    return ctx.default_return_type


def _roll(ctx: MethodContext) -> Type:
    me = tensor_info(ctx.type)
    shifts = _value(ctx, "shifts", 0, UNKNOWN)
    axes = _value(ctx, "axis", 1, None, alias="dims")
    if me is not None and me.shape is not None and _axes(shifts) and shifts is not None:
        if _axes(axes):
            run_rule(ctx, shapes.roll, me.shape, shifts, axes)
    return ctx.default_return_type


def _narrow(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    axis, start = _value(ctx, "axis", 0, UNKNOWN), _value(ctx, "start", 1, UNKNOWN)
    length = _value(ctx, "length", 2, UNKNOWN)
    if not isinstance(axis, int):
        return None
    if not isinstance(start, int) or not isinstance(length, int):
        # the axis is known: so is the rank, and the other dims
        out = list(run_rule(ctx, shapes.narrow, me.shape, axis, 0, 0) or [])
        if not out:
            return None
        out[axis % len(out)] = length if isinstance(length, int) else None
        return tuple(out)
    return run_rule(ctx, shapes.narrow, me.shape, axis, start, length)


def _movedim(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    source, destination = _value(ctx, "source", 0, UNKNOWN), _value(ctx, "destination", 1, UNKNOWN)
    if not _axes(source) or not _axes(destination) or source is None or destination is None:
        return None
    return run_rule(ctx, shapes.movedim, me.shape, source, destination)


def _repeat_interleave(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    repeats = _value(ctx, "repeats", 0, UNKNOWN)
    axis = _value(ctx, "axis", 1, None, alias="dim")
    if axis is not None and not isinstance(axis, int):
        return None
    counts = _named_arg(ctx, "repeats", 0)
    counts_info = tensor_info(counts[1]) if counts is not None else None
    if counts_info is not None:  # a count per element: their sum is known at run time only
        counts_shape = () if counts_info.shape is None else counts_info.shape  # () checks none
        return run_rule(ctx, shapes.repeat_interleave_counts, me.shape, counts_shape, axis)
    if not isinstance(repeats, int):  # the rank is known; the repeated axis's size is not
        out = run_rule(ctx, shapes.repeat_interleave, me.shape, 1, axis)
        if out is None:
            return None
        pos = 0 if axis is None else axis % len(me.shape or (0,))
        return tuple(None if i == pos else d for i, d in enumerate(out))
    return run_rule(ctx, shapes.repeat_interleave, me.shape, repeats, axis)


def _diag(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    diagonal = _value(ctx, "diagonal", 0, 0)
    if not isinstance(diagonal, int):
        rank = len(me.shape or ())
        return run_rule(ctx, shapes.diag, tuple(None for _ in range(rank)), 0)
    return run_rule(ctx, shapes.diag, me.shape, diagonal)


def _pad_with_mode(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    """pad's widths rule (tensor_hooks), then the mode's limits (reflect < size, ...)."""
    out = _pad(me, ctx)
    mode = _value(ctx, "mode", 2, "constant")
    widths = _value(ctx, "widths", 0, UNKNOWN)
    if out is None or not isinstance(mode, str) or mode == "constant":
        return out
    if isinstance(widths, int):
        widths = ((widths, widths),)
    if isinstance(widths, tuple) and len(widths) == 2 and all(isinstance(w, int) for w in widths):
        widths = (widths,)
    return run_rule(ctx, shapes.pad_mode, me.shape, widths, mode)


# ---------------------------------------------------------------- several results


def _split(op: str) -> MethodHook:
    def hook(ctx: MethodContext) -> Type:
        me = tensor_info(ctx.type)
        sections = _value(ctx, "chunks" if op == "chunk" else "split_size_or_sections", 0, UNKNOWN)
        axis = _value(ctx, "axis", 1, 0, alias="dim")
        if me is None or me.shape is None or not isinstance(axis, int):
            return ctx.default_return_type
        if not isinstance(sections, int) and not (
            isinstance(sections, tuple) and all(isinstance(s, int) for s in sections)
        ):
            return ctx.default_return_type
        size = _axis_size(me.shape, axis)
        if size is not None and symbols.is_symbolic(size) and isinstance(sections, int):
            return ctx.default_return_type  # how many pieces a TypeVar dim makes is unknown
        pieces = run_rule(ctx, shapes.split, op, me.shape, sections, axis)
        return ctx.default_return_type if pieces is None else _pieces(ctx, me.instance, pieces)

    return hook


def _unbind(ctx: MethodContext) -> Type:
    me = tensor_info(ctx.type)
    axis = _value(ctx, "axis", 0, 0, alias="dim")
    if me is None or me.shape is None or not isinstance(axis, int):
        return ctx.default_return_type
    size = _axis_size(me.shape, axis)
    if size is not None and symbols.is_symbolic(size):
        return ctx.default_return_type  # a TypeVar dim: how many pieces is unknown
    pieces = run_rule(ctx, shapes.unbind, me.shape, axis)
    return ctx.default_return_type if pieces is None else _pieces(ctx, me.instance, pieces)


def _meshgrid(ctx: FunctionContext) -> Type:
    """sh.meshgrid(a, b) or sh.meshgrid([a, b]): one tensor type per input, each with its tape."""
    indexing: object = "ij"
    infos: list[TensorInfo | None] = []
    api: Any = ctx.api
    for names, kinds, exprs, types in zip(ctx.arg_names, ctx.arg_kinds, ctx.args, ctx.arg_types):
        for name, kind, expr, typ in zip(names, kinds, exprs, types):
            if name == "indexing":
                indexing = literal_value(expr, typ)
            elif kind != ARG_POS:
                return ctx.default_return_type  # *tensors: how many is unknown
            elif isinstance(expr, (ListExpr, TupleExpr)):
                if any(isinstance(item, StarExpr) for item in expr.items):
                    return ctx.default_return_type
                infos.extend(tensor_info(api.get_expression_type(item)) for item in expr.items)
            elif tensor_info(typ) is not None:
                infos.append(tensor_info(typ))
            else:
                return ctx.default_return_type  # a list of unknown length
    known = [i for i in infos if i is not None]
    if not known or len(known) != len(infos) or not isinstance(indexing, str):
        return ctx.default_return_type
    if not _same_kind(ctx, "meshgrid", list(infos)) or any(i.shape is None for i in known):
        return ctx.default_return_type
    pieces = run_rule(ctx, shapes.meshgrid, [i.shape for i in known], indexing)
    if pieces is None:
        return ctx.default_return_type
    items: list[Type] = [make_tensor(ctx.api, i.instance, p) for i, p in zip(known, pieces)]
    fallback = get_proper_type(ctx.default_return_type)
    return TupleType(items, fallback=fallback) if isinstance(fallback, Instance) else fallback


def _functional_pad(ctx: FunctionContext) -> Type:
    """F.pad(x, (left, right, top, bottom, ...), mode): torch's flat widths, last axis first."""
    call = Call(ctx)
    me = call.tensor("input")
    flat, mode = call.value("pad", UNKNOWN), call.value("mode", "constant")
    if me is None:
        return ctx.default_return_type
    if me.shape is None or not isinstance(flat, tuple) or not isinstance(mode, str):
        return make_tensor(ctx.api, me.instance, None)
    if not all(isinstance(p, int) for p in flat):
        return make_tensor(ctx.api, me.instance, None)
    rule = run_rule(ctx, shapes.functional_pad, me.shape, flat, mode)
    return make_tensor(ctx.api, me.instance, None if rule is None else rule[2])


# ---------------------------------------------------------------- sizes


def _literal_int(ctx: MethodContext, value: int | None) -> Type:
    """`int` that remembers its literal value (as mypy types `n = 3`), so sizes computed from
    it stay literal while a variable holding it stays a plain int."""
    if value is None or symbols.is_symbolic(value):  # a TypeVar dim: its size is unknown
        return ctx.default_return_type
    integer = int_type(ctx.api)
    return integer.copy_modified(last_known_value=LiteralType(value, fallback=integer))


def _numel(ctx: MethodContext) -> Type:
    me = tensor_info(ctx.type)
    if me is None or me.shape is None:
        return ctx.default_return_type
    return _literal_int(ctx, shapes.numel(me.shape))


def _size(ctx: MethodContext) -> Type:
    me = tensor_info(ctx.type)
    axis = _value(ctx, "axis", 0, None, alias="dim")
    if me is None or me.shape is None or axis is None or not isinstance(axis, int):
        return ctx.default_return_type
    return _literal_int(ctx, run_rule(ctx, shapes.size, me.shape, axis))


# ---------------------------------------------------------------- third round (tinygrad's test_ops)


def _diagonal(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    offset = _value(ctx, "offset", 0, 0)
    first = _value(ctx, "axis1", 1, 0, alias="dim1")
    second = _value(ctx, "axis2", 2, 1, alias="dim2")
    if not all(isinstance(v, int) for v in (offset, first, second)):
        return None
    return run_rule(ctx, shapes.diagonal, me.shape, offset, first, second)


def _unfold(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    axis, size = _value(ctx, "dimension", 0, UNKNOWN), _value(ctx, "size", 1, UNKNOWN)
    step = _value(ctx, "step", 2, UNKNOWN)
    if not all(isinstance(v, int) for v in (axis, size, step)):
        return None
    return run_rule(ctx, shapes.unfold_windows, me.shape, axis, size, step)


def _unflatten(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    from shaped import shapes_nn

    axis, sizes = _value(ctx, "axis", 0, UNKNOWN), _value(ctx, "sizes", 1, UNKNOWN)
    if isinstance(sizes, list):
        sizes = tuple(sizes)
    if not isinstance(axis, int) or not isinstance(sizes, tuple):
        return None
    if not all(isinstance(s, int) for s in sizes):
        return None
    return run_rule(ctx, shapes_nn.unflatten, me.shape, axis, sizes)


METHOD_HOOKS: dict[str, Callable[[MethodContext], Type]] = {
    "view": _shape_method(_reshape),
    "view_as": _like_other(shapes.reshape),
    "reshape_as": _like_other(shapes.reshape),
    "expand": _shape_method(_expand),
    "expand_as": _like_other(shapes.expand),
    "repeat": _shape_method(_repeat),
    "split": _split("split"),
    "chunk": _split("chunk"),
    "unbind": _unbind,
    "tril": _triangle("tril"),
    "triu": _triangle("triu"),
    "flip": _flip,
    "roll": _roll,
    "narrow": _shape_method(_narrow),
    "movedim": _shape_method(_movedim),
    "moveaxis": _shape_method(_movedim),
    "repeat_interleave": _shape_method(_repeat_interleave),
    "diag": _shape_method(_diag),
    "pad": _shape_method(_pad_with_mode),
    "numel": _numel,
    "size": _size,
    "diagonal": _shape_method(_diagonal),
    "unfold": _shape_method(_unfold),
    "unflatten": _shape_method(_unflatten),
}
FUNCTION_HOOKS: dict[str, Callable[[FunctionContext], Type]] = {
    "shaped.ops.shaping.meshgrid": _meshgrid,
    "shaped.ops.shaping.functional_pad": _functional_pad,
}
DEVICE_HOOKS: dict[str, Callable[[MethodContext], Type]] = {}
RELAXED: set[str] = {"shaped.ops.shaping.meshgrid"}
