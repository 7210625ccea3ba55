"""Hooks for Tensor's methods and operators: each runs the runtime's own shape rule.

Every hook follows one pattern: read the literal dims, run the rule from `shaped.shapes`,
report its message as `[shape]` or return the result type with the computed dims. Unknown
dims, unknown ranks and `Any` never cause an error: the result degrades instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from mypy import errorcodes
from mypy.nodes import ARG_STAR, ARG_STAR2, Expression, StarExpr, TupleExpr
from mypy.plugin import AttributeContext, FunctionContext, MethodContext, MethodSigContext
from mypy.types import (
    AnyType,
    FunctionLike,
    Instance,
    TupleType,
    Type,
    TypeOfAny,
    TypeVarType,
    get_proper_type,
)

from shaped import dtypes, shapes
from shaped.errors import ShapeError
from shaped.shapes import Shape

from .types import (
    DTYPE,
    DTYPES,
    KEEP,
    NO_TAPE,
    NO_TAPE_CODE,
    OWNED_TAPE,
    SHAPE,
    UNKNOWN,
    TensorInfo,
    _is_unpack,
    check_same_kind,
    class_name,
    dtype_marker,
    index_key,
    literal_value,
    make_tensor,
    merge_tapes,
    named,
    shape_of,
    short,
    tensor_info,
)

MethodHook = Callable[[MethodContext], Type]
R = TypeVar("R")


Actual = tuple[str | None, Expression | None, Type]


def _actuals(ctx: MethodContext) -> list[Actual] | None:
    """Every actual argument as (keyword, expression, type), in order. A `*args` of a known
    tuple type is spread into its items; None when a `*args` or `**kwargs` hides how many."""
    out: list[Actual] = []
    seen: set[int] = set()  # a *args maps to several formals: it is listed under each
    for names, kinds, exprs, types in zip(ctx.arg_names, ctx.arg_kinds, ctx.args, ctx.arg_types):
        for name, kind, expr, typ in zip(names, kinds, exprs, types):
            if kind == ARG_STAR2:
                return None
            if kind != ARG_STAR:
                out.append((name, expr, typ))
                continue
            if id(expr) in seen:
                continue
            seen.add(id(expr))
            items = get_proper_type(typ)
            if not isinstance(items, TupleType) or any(_is_unpack(t) for t in items.items):
                return None
            spread: list[Expression | None] = []
            if isinstance(expr, TupleExpr) and not any(isinstance(e, StarExpr) for e in expr.items):
                spread = list(expr.items)
            if len(spread) != len(items.items):
                spread = [None] * len(items.items)
            out.extend((None, e, t) for e, t in zip(spread, items.items))
    return out


def _args(ctx: MethodContext) -> list[tuple[Expression | None, Type]]:
    """Every actual argument with its type, in order (overload items differ in their formals)."""
    return [(expr, typ) for _name, expr, typ in _actuals(ctx) or []]


def _named_arg(
    ctx: MethodContext, name: str, position: int
) -> tuple[Expression | None, Type] | None:
    """An argument by keyword, or by position among the positional ones."""
    actuals = _actuals(ctx) or []
    for arg_name, expr, typ in actuals:
        if arg_name == name:
            return expr, typ
    positional = [(expr, typ) for arg_name, expr, typ in actuals if arg_name is None]
    return positional[position] if position < len(positional) else None


def _value(ctx: MethodContext, name: str, position: int, default: object) -> object:
    arg = _named_arg(ctx, name, position)
    return default if arg is None else literal_value(*arg)


def run_rule(ctx: Any, rule: Callable[..., R], *args: Any, **kwargs: Any) -> R | None:
    """The rule's result, or None after reporting its ShapeError as [shape]."""
    try:
        return rule(*args, **kwargs)
    except ShapeError as error:
        ctx.api.fail(str(error), ctx.context, code=SHAPE)
        return None
    except (TypeError, ValueError, IndexError):  # odd literal arguments: let run time decide
        return None


def relax_signature(ctx: MethodSigContext) -> FunctionLike:
    """Accept any operand: the method hook checks dtype, device and shape with shaped's codes."""
    # object, not Any: an Any context would make mypy infer Any for the argument's own TypeVars
    anything = ctx.api.named_generic_type("builtins.object", [])
    return ctx.default_signature.copy_modified(
        arg_types=[anything] * len(ctx.default_signature.arg_types)
    )


def _scalar_ok(ctx: MethodContext, op: str, me: TensorInfo, other: Type) -> bool:
    proper = get_proper_type(other)
    if isinstance(proper, AnyType):
        return True
    if not isinstance(proper, Instance):
        return _bad_operand(ctx, op, other)
    name = proper.type.fullname
    if name == "builtins.float" and op != "div" and class_name(me.dtype) in INTEGRAL:
        ctx.api.fail(
            f"{op}: a float scalar with a {short(me.dtype)} tensor; a scalar takes the tensor's "
            "dtype: convert the tensor with .to(sh.Float32) first",
            ctx.context,
            code=DTYPE,
        )
        return False
    if name in ("builtins.float", "builtins.int", "builtins.bool"):
        return True
    return _bad_operand(ctx, op, other)


INTEGRAL = ("shaped.dtypes.Int32", "shaped.dtypes.Int64", "shaped.dtypes.Bool")


def _division_dtype(ctx: MethodContext, op: str, me: TensorInfo) -> Type | None:
    """Float32 for a true division of ints or bools (by any number), as torch; else None."""
    if op == "div" and class_name(me.dtype) in INTEGRAL:
        return named(ctx.api, f"{DTYPES}.Float32")
    return None


def _bad_operand(ctx: MethodContext, op: str, other: Type) -> bool:
    ctx.api.fail(
        f"{op}: unsupported operand {other}; expected a Tensor or a Python number",
        ctx.context,
        code=errorcodes.OPERATOR,
    )
    return False


def elementwise(op: str, *, compare: bool = False) -> MethodHook:
    """Broadcasting binary ops: dtype and device must agree; the tape moves to the result."""

    def hook(ctx: MethodContext) -> Type:
        me = tensor_info(ctx.type)
        args = _args(ctx)
        if me is None or not args:
            return ctx.default_return_type
        _other_expr, other_type = args[0]
        other = tensor_info(other_type)
        # comparisons give Bool; a true division of ints or bools gives Float32, as torch
        dtype = named(ctx.api, "shaped.dtypes.Bool") if compare else _division_dtype(ctx, op, me)
        no_tape = named(ctx.api, NO_TAPE) if compare else None
        if isinstance(get_proper_type(other_type), AnyType):  # any tensor, any tape, or a number
            owned = class_name(me.tape) == OWNED_TAPE
            unknown = no_tape or (me.tape if owned else AnyType(TypeOfAny.special_form))
            return make_tensor(ctx.api, me.instance, None, dtype, tape=unknown)
        if other is None:  # a Python number: the result is shaped like the tensor
            _scalar_ok(ctx, op, me, other_type)
            return make_tensor(ctx.api, me.instance, KEEP, dtype, tape=no_tape)
        tape = no_tape or merge_tapes(ctx.api, me.tape, other.tape)
        if not check_same_kind(ctx.api, op, me, other, ctx.context):
            return make_tensor(ctx.api, me.instance, None, dtype, tape=tape)
        known_dtype, device = known_kind(me, other)
        if dtype is None and known_dtype is not None:  # the left's dtype unknown: the right's
            dtype = _division_dtype(ctx, op, other) or known_dtype
        if me.shape is not None and other.shape is not None:
            shape = run_rule(ctx, shapes.broadcast, op, me.shape, other.shape)
            return make_tensor(ctx.api, me.instance, shape, dtype, device, tape)
        # unknown ranks: the same shape type on both sides (a user's TypeVar) is kept
        same = str(me.instance.args[0]) == str(other.instance.args[0])
        return make_tensor(ctx.api, me.instance, KEEP if same else None, dtype, device, tape)

    return hook


def reflected(op: str) -> MethodHook:
    """`2.0 - x`: the scalar is on the left, the result is shaped like the tensor."""

    def hook(ctx: MethodContext) -> Type:
        me = tensor_info(ctx.type)
        args = _args(ctx)
        if me is None or not args:
            return ctx.default_return_type
        _scalar_ok(ctx, op, me, args[0][1])
        return make_tensor(ctx.api, me.instance, KEEP, _division_dtype(ctx, op, me))

    return hook


def matmul(ctx: MethodContext) -> Type:
    me = tensor_info(ctx.type)
    args = _args(ctx)
    if me is None or not args:
        return ctx.default_return_type
    other = tensor_info(args[0][1])
    if other is None:
        proper = get_proper_type(args[0][1])
        if not isinstance(proper, AnyType):
            _bad_operand(ctx, "matmul", args[0][1])
        return make_tensor(ctx.api, me.instance, None)
    tape = merge_tapes(ctx.api, me.tape, other.tape)
    if not check_same_kind(ctx.api, "matmul", me, other, ctx.context):
        return make_tensor(ctx.api, me.instance, None, tape=tape)
    shape = None
    if me.shape is not None and other.shape is not None:
        shape = run_rule(ctx, shapes.matmul, me.shape, other.shape)
    dtype, device = known_kind(me, other)
    return make_tensor(ctx.api, me.instance, shape, dtype, device, tape)


def known_kind(me: TensorInfo, other: TensorInfo) -> tuple[Type | None, Type | None]:
    """The dtype and device of a result whose operands fit: where the left one's is unknown
    (a module's weight on any device) the right one's (None: the left one's)."""
    dtype = other.dtype if isinstance(me.dtype, AnyType) else None
    device = other.device if isinstance(me.device, AnyType) else None
    return dtype, device


NOT_POSITIONAL = 1 << 30  # torch's dim= and keepdim= are keyword-only here


def _axis_and_keepdims(ctx: MethodContext) -> tuple[object, object]:
    """A reduction's (axis, keepdims), numpy's names or torch's `dim=`/`keepdim=`."""
    axis = _value(ctx, "axis", 0, None)
    if axis is None:
        axis = _value(ctx, "dim", NOT_POSITIONAL, None)
    if isinstance(axis, list):
        axis = tuple(axis)
    keepdims = _value(ctx, "keepdims", 1, False)
    keepdim = _value(ctx, "keepdim", NOT_POSITIONAL, False)
    if isinstance(keepdims, bool) and isinstance(keepdim, bool):
        return axis, keepdims or keepdim
    return axis, UNKNOWN


def reduction(op: str) -> MethodHook:
    """sum/mean/max/... over literal axes; argmax/argmin keep their Int64 result type."""

    def hook(ctx: MethodContext) -> Type:
        me = tensor_info(ctx.type)
        result = tensor_info(ctx.default_return_type)
        if me is None or result is None or _actuals(ctx) is None:
            return ctx.default_return_type
        axis, keepdims = _axis_and_keepdims(ctx)
        if axis is UNKNOWN or not isinstance(keepdims, bool) or me.shape is None:
            return ctx.default_return_type
        shape = run_rule(ctx, shapes.reduce, op, me.shape, axis, keepdims)
        if shape is not None and op in ("max", "min", "argmax", "argmin"):
            run_rule(ctx, shapes.reduce_nonempty, op, me.shape, axis)
        marker = dtype_marker(me.dtype)
        if _named_arg(ctx, "dtype", NOT_POSITIONAL) is not None:  # dtype=: converted first
            marker = dtype_marker(result.dtype)
            if marker is not None and op in FLOAT_ONLY:
                check_float(ctx, op, marker)
            return make_tensor(ctx.api, result.instance, shape)
        if marker is not None and op == "sum":  # bools and ints sum to Int64
            summed = dtypes.sum_dtype(marker).__name__
            return make_tensor(
                ctx.api, result.instance, shape, dtype=named(ctx.api, f"{DTYPES}.{summed}")
            )
        if marker is not None and op in FLOAT_ONLY:
            check_float(ctx, op, marker)
        return make_tensor(ctx.api, result.instance, shape)

    return hook


FLOAT_ONLY = {"mean", "var", "std", "logsumexp", "exp", "log", "sqrt", "sin", "cos", "tanh"}
FLOAT_ONLY |= {"sigmoid", "gelu"}


def check_float(ctx: MethodContext, op: str, marker: type[dtypes.DType]) -> None:
    """[dtype] for a float-only op on a Bool or Int tensor, with the run time's message."""
    message = dtypes.float_only(op, marker)
    if message is not None:
        ctx.api.fail(message, ctx.context, code=DTYPE)


def not_bool_method(op: str) -> MethodHook:
    """relu: typed as x; a Bool tensor is a [dtype] error, with the run time's message."""

    def hook(ctx: MethodContext | FunctionContext) -> Type:
        if isinstance(ctx, MethodContext):
            x: Type | None = ctx.type
        else:
            x = ctx.arg_types[0][0] if ctx.arg_types and ctx.arg_types[0] else None
        me = tensor_info(x) if x is not None else None
        marker = dtype_marker(me.dtype) if me is not None else None
        message = dtypes.not_bool(op, marker) if marker is not None else None
        if message is not None:
            ctx.api.fail(message, ctx.context, code=DTYPE)
        if isinstance(ctx, FunctionContext):  # F.relu(x): typed as x (its signature was
            # relaxed, so mypy solved nothing); unknown stays unknown
            return me.instance if me is not None else AnyType(TypeOfAny.special_form)
        return ctx.default_return_type

    return hook


def float_method(op: str) -> MethodHook:
    """exp, log, ...: the result is typed as x; Bool and Int tensors are a [dtype] error."""

    def hook(ctx: MethodContext) -> Type:
        me = tensor_info(ctx.type)
        marker = dtype_marker(me.dtype) if me is not None else None
        if marker is not None:
            check_float(ctx, op, marker)
        return ctx.default_return_type

    return hook


def _shape_method(rule: Callable[[TensorInfo, MethodContext], Shape | None]) -> MethodHook:
    """A movement op: the result keeps dtype, device and tape; the rule gives the shape."""

    def hook(ctx: MethodContext) -> Type:
        me = tensor_info(ctx.type)
        if me is None or me.shape is None:  # rank unknown: the pure signature's result stands
            return ctx.default_return_type
        if _actuals(ctx) is None:  # x.reshape(*sizes) of unknown length: so is the rank
            return make_tensor(ctx.api, me.instance, None)
        return make_tensor(ctx.api, me.instance, rule(me, ctx))

    return hook


def _ints(values: object) -> tuple[int | None, ...] | None:
    """Literal ints (a non-literal int is an unknown dim); None if the rank itself is unknown."""
    if not isinstance(values, tuple):
        return None
    return tuple(v if isinstance(v, int) and not isinstance(v, bool) else None for v in values)


def _dims(arg: tuple[Expression | None, Type] | None) -> tuple[int | None, ...] | None:
    """A shape argument's dims: `(n, 784)` with `n: int` is (None, 784), an unknown dim and a
    known one; None if the rank itself is unknown (not a tuple)."""
    if arg is None:
        return None
    value = literal_value(*arg)
    return _ints(value) if isinstance(value, tuple) else shape_of(arg[1])


def _reshape(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    args = _args(ctx)
    if len(args) == 1:
        value = literal_value(*args[0])
        if isinstance(value, tuple) or isinstance(get_proper_type(args[0][1]), TupleType):
            target = _dims(args[0])  # reshape((n, 784)): the rank is the tuple's length
        else:
            target = _ints((value,))
    else:
        target = _ints(tuple(literal_value(*arg) for arg in args))
    if target is None:
        return None
    if any(d is None for d in target) and -1 in target:
        return tuple(None for _ in target)
    return run_rule(ctx, shapes.reshape, me.shape, target)


def _flatten(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    start, end = _value(ctx, "start_axis", 0, 0), _value(ctx, "end_axis", 1, -1)
    start = _value(ctx, "start_dim", NOT_POSITIONAL, start)  # torch's names
    end = _value(ctx, "end_dim", NOT_POSITIONAL, end)
    if not isinstance(start, int) or not isinstance(end, int):
        return None
    return run_rule(ctx, shapes.flatten, me.shape, start, end)


def _permute(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    values = tuple(literal_value(*arg) for arg in _args(ctx))
    if len(values) == 1 and isinstance(values[0], tuple):
        values = values[0]
    if any(not isinstance(v, int) for v in values):
        return None
    return run_rule(ctx, shapes.permute, me.shape, values)


def _transpose(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    a, b = _value(ctx, "axis0", 0, UNKNOWN), _value(ctx, "axis1", 1, UNKNOWN)
    if not isinstance(a, int) or not isinstance(b, int):
        return None
    return run_rule(ctx, shapes.transpose, me.shape, a, b)


def _unsqueeze(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    axis = _value(ctx, "axis", 0, UNKNOWN)
    return run_rule(ctx, shapes.unsqueeze, me.shape, axis) if isinstance(axis, int) else None


def _squeeze(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    axis = _value(ctx, "axis", 0, None)
    if axis is UNKNOWN:
        return None
    return run_rule(ctx, shapes.squeeze, me.shape, axis)


def _broadcast_to(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    target = _dims(_named_arg(ctx, "shape", 0))
    return None if target is None else run_rule(ctx, shapes.broadcast_to, me.shape, target)


def _take(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    indices = _named_arg(ctx, "indices", 0)
    index_info = tensor_info(indices[1]) if indices else None
    axis = _value(ctx, "axis", 1, None)
    if index_info is None or index_info.shape is None or axis is UNKNOWN:
        return None
    return run_rule(ctx, shapes.take, me.shape, index_info.shape, axis)


def _pad(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    widths = _value(ctx, "widths", 0, UNKNOWN)
    if isinstance(widths, int):
        widths = ((widths, widths),)
    if not isinstance(widths, tuple):  # () is a width for each of a rank-0 tensor's no axes
        return None
    if all(isinstance(w, int) for w in widths) and len(widths) == 2:
        widths = (widths,)
    return run_rule(ctx, shapes.pad, me.shape, widths)


def _getitem(me: TensorInfo, ctx: MethodContext) -> Shape | None:
    args = _args(ctx)
    if not args:
        return None
    key = None if args[0][0] is None else index_key(args[0][0])
    return None if key is None else run_rule(ctx, shapes.index, me.shape, key)


def realize(ctx: MethodContext) -> Type:
    me = tensor_info(ctx.type)
    target = _dims(_named_arg(ctx, "shape", 0))
    if me is None or target is None or _actuals(ctx) is None:
        return ctx.default_return_type
    if me.shape is not None:
        run_rule(ctx, shapes.realize, me.shape, target)
    return make_tensor(ctx.api, me.instance, target)


def backward(ctx: MethodContext) -> Type:
    """Only a rank-0 traced tensor has backward(): [no-tape] and [shape] say which is missing."""
    me = tensor_info(ctx.type)
    if me is None:
        return ctx.default_return_type
    if class_name(me.tape) == NO_TAPE:
        ctx.api.fail(
            "loss has no tape: call .traced(grads) on an input before the forward pass",
            ctx.context,
            code=NO_TAPE_CODE,
        )
    elif me.shape:  # a known non-empty shape
        shown = shapes.fmt(me.shape)
        ctx.api.fail(
            f"backward() needs a scalar loss, got shape {shown}: reduce with .mean() or .sum()",
            ctx.context,
            code=SHAPE,
        )
    return ctx.default_return_type


def transposed(all_axes: bool) -> Callable[[AttributeContext], Type]:
    """.T reverses every axis; .mT swaps the last two."""

    def hook(ctx: AttributeContext) -> Type:
        me = tensor_info(ctx.type)
        if me is None or me.shape is None:
            return ctx.default_attr_type
        if all_axes:
            shape: Shape | None = me.shape[::-1]
        else:
            shape = run_rule(ctx, shapes.matrix_transpose, me.shape)
        return make_tensor(ctx.api, me.instance, shape)

    return hook


# ---------------------------------------------------------------- symbolic dims


def keep_symbolic(result: Type, default: Type, inputs: list[Type]) -> Type:
    """Dims the rules could not compute (`int` in `result`): the pure signature's where it names
    them by a user's TypeVar (dims named by TypeVars pass through the rules: see symbols.py)."""
    out, pure = tensor_info(result), tensor_info(default)
    shape = get_proper_type(out.instance.args[0]) if out is not None else None
    if out is None or not isinstance(shape, TupleType):
        return result
    pure_shape = get_proper_type(pure.instance.args[0]) if pure is not None else None
    named_dims = pure_shape.items if isinstance(pure_shape, TupleType) else []
    if len(named_dims) != len(shape.items):
        named_dims = []
    items: list[Type] = []
    for i, item in enumerate(shape.items):
        proper = get_proper_type(item)
        if not (isinstance(proper, Instance) and proper.type.fullname == "builtins.int"):
            items.append(item)
        elif named_dims and isinstance(get_proper_type(named_dims[i]), TypeVarType):
            items.append(named_dims[i])
        else:
            items.append(item)
    if items == shape.items:
        return result
    return out.instance.copy_modified(
        args=[shape.copy_modified(items=items), *out.instance.args[1:]]
    )


def _keeping_symbolic(hook: MethodHook) -> MethodHook:
    def wrapped(ctx: MethodContext) -> Type:
        inputs = [ctx.type, *(typ for types in ctx.arg_types for typ in types)]
        return keep_symbolic(hook(ctx), ctx.default_return_type, inputs)

    return wrapped


def _attribute_keeping_symbolic(
    hook: Callable[[AttributeContext], Type],
) -> Callable[[AttributeContext], Type]:
    def wrapped(ctx: AttributeContext) -> Type:
        return keep_symbolic(hook(ctx), ctx.default_attr_type, [ctx.type])

    return wrapped


BINARY = {
    "__add__": "add",
    "__sub__": "sub",
    "__mul__": "mul",
    "__truediv__": "div",
    "__pow__": "pow",
    "maximum": "maximum",
    "minimum": "minimum",
}
COMPARE = {
    "__eq__": "eq",
    "__ne__": "ne",
    "__lt__": "lt",
    "__le__": "le",
    "__gt__": "gt",
    "__ge__": "ge",
}
REFLECTED = {
    "__radd__": "add",
    "__rsub__": "sub",
    "__rmul__": "mul",
    "__rtruediv__": "div",
    "__rpow__": "pow",
}
REDUCTIONS = ("sum", "mean", "max", "min", "var", "std", "logsumexp", "argmax", "argmin")

_METHOD_HOOKS: dict[str, MethodHook] = {
    **{name: elementwise(op) for name, op in BINARY.items()},
    **{name: elementwise(op, compare=True) for name, op in COMPARE.items()},
    **{name: reflected(op) for name, op in REFLECTED.items()},
    **{name: reduction(name) for name in REDUCTIONS},
    "__matmul__": matmul,
    "reshape": _shape_method(_reshape),
    "flatten": _shape_method(_flatten),
    "permute": _shape_method(_permute),
    "transpose": _shape_method(_transpose),
    "unsqueeze": _shape_method(_unsqueeze),
    "squeeze": _shape_method(_squeeze),
    "broadcast_to": _shape_method(_broadcast_to),
    "take": _shape_method(_take),
    "pad": _shape_method(_pad),
    "__getitem__": _shape_method(_getitem),
    **{name: float_method(name) for name in FLOAT_ONLY - set(REDUCTIONS)},
    "relu": not_bool_method("relu"),
    "realize": realize,
    "backward": backward,
}
METHOD_HOOKS = {name: _keeping_symbolic(hook) for name, hook in _METHOD_HOOKS.items()}
SIGNATURE_HOOKS = {name for name in (*BINARY, *COMPARE, *REFLECTED, "__matmul__")}
ATTRIBUTE_HOOKS = {
    "T": _attribute_keeping_symbolic(transposed(True)),
    "mT": _attribute_keeping_symbolic(transposed(False)),
}
