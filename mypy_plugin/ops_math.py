"""Hooks for elementwise math and activations (issue 11 items 4 and 5).

plugin.py dispatches through these tables: a Tensor method by name, a function by its full
name, a Device method by name. A name in RELAXED gets a signature that accepts any operand,
so its hook reports [shape]/[dtype]/[device] instead of mypy's [arg-type].

Same-shape ops whose pure signature is already exact (sign, isnan, nan_to_num, ...) need no
hook: the checks here are the dtype rules (float-only, not Bool, not float) and the shape
rules of the ops that broadcast (atan2, //, %, & | ^, lerp, clamp with tensor bounds), halve
an axis (glu) or take per-channel weights (prelu).
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.plugin import FunctionContext, MethodContext
from mypy.types import AnyType, Type, TypeOfAny, get_proper_type

from shaped import dtypes, shapes

from .tensor_hooks import (
    _args,
    _named_arg,
    _value,
    elementwise,
    float_method,
    not_bool_method,
    reflected,
    run_rule,
)
from .types import (
    DTYPE,
    KEEP,
    NO_TAPE,
    UNKNOWN,
    TensorInfo,
    check_same_kind,
    dtype_marker,
    make_tensor,
    merge_tapes,
    named,
    tensor_info,
)

MethodHook = Callable[[MethodContext], Type]
FunctionHook = Callable[[FunctionContext], Type]


def _dtype_rule(
    ctx: MethodContext | FunctionContext,
    op: str,
    me: TensorInfo | None,
    message: Callable[[str, type[dtypes.DType]], str | None],
) -> None:
    """Report the run time's dtype message (float-only, not Bool, not float) as [dtype]."""
    marker = dtype_marker(me.dtype) if me is not None else None
    text = message(op, marker) if marker is not None else None
    if text is not None:
        ctx.api.fail(text, ctx.context, code=DTYPE)


def _first_arg(ctx: FunctionContext) -> TensorInfo | None:
    return tensor_info(ctx.arg_types[0][0]) if ctx.arg_types and ctx.arg_types[0] else None


def _checked(
    op: str, hook: MethodHook, message: Callable[[str, type[dtypes.DType]], str | None]
) -> MethodHook:
    """A broadcasting binary hook with the op's dtype rule checked on the left operand."""

    def wrapped(ctx: MethodContext) -> Type:
        _dtype_rule(ctx, op, tensor_info(ctx.type), message)
        return hook(ctx)

    return wrapped


def _untraced(hook: MethodHook) -> MethodHook:
    """& | ^ give a tensor of the operands' dtype without a tape (no gradient)."""

    def wrapped(ctx: MethodContext) -> Type:
        result = hook(ctx)
        info = tensor_info(result)
        if info is None:
            return result
        return make_tensor(ctx.api, info.instance, KEEP, tape=named(ctx.api, NO_TAPE))

    return wrapped


def _invert(ctx: MethodContext) -> Type:
    _dtype_rule(ctx, "bitwise_not", tensor_info(ctx.type), dtypes.not_float)
    return ctx.default_return_type


def _along_axis(op: str) -> MethodHook:
    """softmax/log_softmax as methods: float only, and a literal axis must exist."""

    def hook(ctx: MethodContext) -> Type:
        me = tensor_info(ctx.type)
        _dtype_rule(ctx, op, me, dtypes.float_only)
        axis = _value(ctx, "axis", 0, -1)
        if me is not None and me.shape is not None and isinstance(axis, int):
            # a rank-0 tensor is one class: axis -1 or 0, as at run time (and in torch)
            run_rule(ctx, shapes.normalize_axis, op, axis, max(len(me.shape), 1))
        return ctx.default_return_type

    return hook


def _lerp(ctx: MethodContext) -> Type:
    """start.lerp(end, weight): the three broadcast; dtype and device agree; tapes merge."""
    me = tensor_info(ctx.type)
    if me is None:
        return ctx.default_return_type
    _dtype_rule(ctx, "lerp", me, dtypes.float_only)
    end_arg, weight_arg = _named_arg(ctx, "end", 0), _named_arg(ctx, "weight", 1)
    operands = [tensor_info(arg[1]) if arg is not None else None for arg in (end_arg, weight_arg)]
    if end_arg is None or any(
        arg is not None and isinstance(get_proper_type(arg[1]), AnyType)
        for arg in (end_arg, weight_arg)
    ):
        return make_tensor(ctx.api, me.instance, None, tape=AnyType(TypeOfAny.special_form))
    return _broadcast_with(ctx, "lerp", me, [t for t in operands if t is not None])


def _broadcast_with(ctx: MethodContext, op: str, me: TensorInfo, others: list[TensorInfo]) -> Type:
    """x broadcast with tensor operands: their kinds must agree; the tapes merge."""
    tape: Type = me.tape
    for other in others:
        if not check_same_kind(ctx.api, op, me, other, ctx.context):
            return make_tensor(ctx.api, me.instance, None, tape=AnyType(TypeOfAny.special_form))
        tape = merge_tapes(ctx.api, get_proper_type(tape), other.tape)
    shape_list = [me.shape, *(t.shape for t in others)]
    if any(s is None for s in shape_list):
        return make_tensor(ctx.api, me.instance, KEEP if not others else None, tape=tape)
    shape = run_rule(ctx, shapes.broadcast, op, *shape_list)
    return make_tensor(ctx.api, me.instance, shape, tape=tape)


def _clamp(ctx: MethodContext) -> Type:
    """clamp with number or tensor bounds: tensor bounds broadcast with x."""
    me = tensor_info(ctx.type)
    if me is None:
        return ctx.default_return_type
    bounds = [_named_arg(ctx, name, i) for i, name in enumerate(("min", "max"))]
    others = [tensor_info(arg[1]) for arg in bounds if arg is not None]
    if not any(t is not None for t in others):
        return ctx.default_return_type  # number bounds: typed as x by the signature
    if any(arg is not None and isinstance(get_proper_type(arg[1]), AnyType) for arg in bounds):
        return make_tensor(ctx.api, me.instance, None, tape=AnyType(TypeOfAny.special_form))
    return _broadcast_with(ctx, "clamp", me, [t for t in others if t is not None])


def _prelu_shape(
    ctx: MethodContext | FunctionContext, x: TensorInfo | None, weight: TensorInfo | None
) -> Type | None:
    """prelu's result: typed as x with the tapes merged; None when nothing is known."""
    if x is None:
        return None
    _dtype_rule(ctx, "prelu", x, dtypes.float_only)
    if weight is None:
        return make_tensor(ctx.api, x.instance, KEEP, tape=AnyType(TypeOfAny.special_form))
    tape = merge_tapes(ctx.api, x.tape, weight.tape)
    if not check_same_kind(ctx.api, "prelu", x, weight, ctx.context):
        return make_tensor(ctx.api, x.instance, KEEP, tape=tape)
    if x.shape is not None and weight.shape is not None:
        run_rule(ctx, shapes.prelu, x.shape, weight.shape)
    return make_tensor(ctx.api, x.instance, KEEP, tape=tape)


def _prelu_method(ctx: MethodContext) -> Type:
    args = _args(ctx)
    weight = tensor_info(args[0][1]) if args else None
    result = _prelu_shape(ctx, tensor_info(ctx.type), weight)
    return ctx.default_return_type if result is None else result


def _prelu_function(ctx: FunctionContext) -> Type:
    weight = (
        tensor_info(ctx.arg_types[1][0]) if len(ctx.arg_types) > 1 and ctx.arg_types[1] else None
    )
    result = _prelu_shape(ctx, _first_arg(ctx), weight)
    return ctx.default_return_type if result is None else result


def _function_axis(ctx: FunctionContext, default: int) -> object:
    names = getattr(ctx, "callee_arg_names", None) or []
    if "axis" in names:
        i = names.index("axis")
        if i < len(ctx.args) and ctx.args[i]:
            from .types import literal_value

            return literal_value(ctx.args[i][0], ctx.arg_types[i][0])
    return default


def _float_function(op: str) -> FunctionHook:
    """F.silu, F.elu, ...: typed as x by the signature; Bool and Int tensors are [dtype]."""

    def hook(ctx: FunctionContext) -> Type:
        _dtype_rule(ctx, op, _first_arg(ctx), dtypes.float_only)
        return ctx.default_return_type

    return hook


def _softmin(ctx: FunctionContext) -> Type:
    x = _first_arg(ctx)
    _dtype_rule(ctx, "softmin", x, dtypes.float_only)
    axis = _function_axis(ctx, -1)
    if x is not None and x.shape is not None and isinstance(axis, int) and axis is not UNKNOWN:
        run_rule(ctx, shapes.normalize_axis, "softmin", axis, max(len(x.shape), 1))
    return ctx.default_return_type


def _glu(ctx: FunctionContext) -> Type:
    x = _first_arg(ctx)
    _dtype_rule(ctx, "glu", x, dtypes.float_only)
    result = tensor_info(ctx.default_return_type)
    axis = _function_axis(ctx, -1)
    if x is None or result is None or x.shape is None or not isinstance(axis, int):
        return ctx.default_return_type
    return make_tensor(ctx.api, result.instance, run_rule(ctx, shapes.glu, x.shape, axis))


FLOAT_METHODS = (
    "erf tan sinh cosh asinh acosh atanh asin acos atan exp2 log2 log10 log1p expm1 rsqrt "
    "reciprocal"
).split()
ROUNDING = ("floor", "ceil", "round", "trunc")
ACTIVATIONS = (
    "silu elu selu celu softplus mish hardswish hardsigmoid hardtanh relu6 logsigmoid softsign"
).split()


METHOD_HOOKS: dict[str, MethodHook] = {
    **{name: float_method(name) for name in FLOAT_METHODS},
    **{name: not_bool_method(name) for name in ROUNDING},
    "softmax": _along_axis("softmax"),
    "log_softmax": _along_axis("log_softmax"),
    "atan2": _checked("atan2", elementwise("atan2"), dtypes.float_only),
    "logaddexp": _checked("logaddexp", elementwise("logaddexp"), dtypes.float_only),
    "__floordiv__": _checked("floor_divide", elementwise("floor_divide"), dtypes.not_bool),
    "__rfloordiv__": _checked("floor_divide", reflected("floor_divide"), dtypes.not_bool),
    "__mod__": _checked("remainder", elementwise("remainder"), dtypes.not_bool),
    "__rmod__": _checked("remainder", reflected("remainder"), dtypes.not_bool),
    **{
        f"__{op}__": _untraced(
            _checked(f"bitwise_{op}", elementwise(f"bitwise_{op}"), dtypes.not_float)
        )
        for op in ("and", "or", "xor")
    },
    **{
        f"__r{op}__": _untraced(
            _checked(f"bitwise_{op}", reflected(f"bitwise_{op}"), dtypes.not_float)
        )
        for op in ("and", "or", "xor")
    },
    "__invert__": _invert,
    "bitwise_not": _invert,
    "copysign": _checked("copysign", elementwise("copysign"), dtypes.float_only),
    "fmod": _checked("fmod", elementwise("fmod"), dtypes.not_bool),
    "remainder": _checked("remainder", elementwise("remainder"), dtypes.not_bool),
    "isclose": elementwise("isclose", compare=True),
    **{f"logical_{op}": elementwise(f"logical_{op}", compare=True) for op in ("and", "or", "xor")},
    "lerp": _lerp,
    "clamp": _clamp,
    "prelu": _prelu_method,
}
ACTIVATIONS_MODULE = "shaped.ops.activations"
FUNCTION_HOOKS: dict[str, FunctionHook] = {
    **{f"{ACTIVATIONS_MODULE}.{name}": _float_function(name) for name in ACTIVATIONS},
    f"{ACTIVATIONS_MODULE}.softmin": _softmin,
    f"{ACTIVATIONS_MODULE}.glu": _glu,
    f"{ACTIVATIONS_MODULE}.prelu": _prelu_function,
}
DEVICE_HOOKS: dict[str, MethodHook] = {}
# the broadcasting binary ops: their pure overloads would give [arg-type]/[operator] for a
# shape or dtype mismatch, so the hooks report it with shaped's codes and messages
RELAXED: set[str] = {
    "copysign",
    "fmod",
    "remainder",
    "isclose",
    "logical_and",
    "logical_or",
    "logical_xor",
    "atan2",
    "logaddexp",
    "__floordiv__",
    "__mod__",
    "__and__",
    "__or__",
    "__xor__",
    "lerp",
    "clamp",
}
