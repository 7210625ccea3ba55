"""Hooks for convolution and pooling options (issue 11 item 8).

plugin.py dispatches through these tables: a Tensor method by name, a function by its full
name, a Device method by name. A name in RELAXED gets a signature that accepts any operand,
so its hook reports [shape]/[dtype]/[device] instead of mypy's [arg-type].
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.plugin import FunctionContext, MethodContext
from mypy.types import Instance, LiteralType, Type, get_proper_type

from shaped import shapes
from shaped.errors import ShapeError
from shaped.shapes import Shape

from . import modules
from .functions import Call, _hook, _ints_or_none, _pool, _same_kind
from .tensor_hooks import run_rule
from .types import SHAPE, UNKNOWN, literal_value


def _adaptive(op: str) -> Callable[[Call], Shape | None]:
    def rule(call: Call) -> Shape | None:
        x = call.tensor("x")
        size = _ints_or_none(call.value("output_size", UNKNOWN))
        if x is None or x.shape is None or size is UNKNOWN:
            return None
        return run_rule(call.ctx, shapes.adaptive_pool2d, op, x.shape, size)

    return rule


def _adaptive1d(op: str) -> Callable[[Call], Shape | None]:
    def rule(call: Call) -> Shape | None:
        x = call.tensor("x")
        size = _ints_or_none(call.value("output_size", UNKNOWN))
        if x is None or x.shape is None or size is UNKNOWN:
            return None
        return run_rule(call.ctx, shapes.adaptive_pool1d, op, x.shape, size)

    return rule


def _pixel_shuffle(call: Call) -> Shape | None:
    x = call.tensor("x")
    factor = call.value("upscale_factor", UNKNOWN)
    if x is None or x.shape is None or not isinstance(factor, int):
        return None
    return run_rule(call.ctx, shapes.pixel_shuffle, x.shape, factor)


def _conv1d(call: Call) -> Shape | None:
    x, weight, bias = call.tensor("x"), call.tensor("weight"), call.tensor("bias")
    if not _same_kind(call.ctx, "conv1d", [x, weight, bias], weights=True):
        return None
    if x is None or weight is None or x.shape is None or weight.shape is None:
        return None
    options = {
        name: _ints_or_none(call.value(name, default))
        for name, default in (("stride", 1), ("padding", 0), ("dilation", 1), ("groups", 1))
    }
    if any(v is UNKNOWN for v in options.values()):
        return None
    bias_shape = bias.shape if bias is not None else None
    return run_rule(call.ctx, shapes.conv1d, x.shape, weight.shape, bias=bias_shape, **options)


def _conv3d(call: Call) -> Shape | None:
    x, weight, bias = call.tensor("x"), call.tensor("weight"), call.tensor("bias")
    if not _same_kind(call.ctx, "conv3d", [x, weight, bias], weights=True):
        return None
    if x is None or weight is None or x.shape is None or weight.shape is None:
        return None
    options = {
        name: _ints_or_none(call.value(name, default))
        for name, default in (("stride", 1), ("padding", 0), ("dilation", 1), ("groups", 1))
    }
    if any(v is UNKNOWN for v in options.values()):
        return None
    bias_shape = bias.shape if bias is not None else None
    return run_rule(call.ctx, shapes.conv3d, x.shape, weight.shape, bias=bias_shape, **options)


def _pool1d(op: str) -> Callable[[Call], Shape | None]:
    return _pool(op, shapes.pool1d)


def _interpolate(call: Call) -> Shape | None:
    x = call.tensor("x")
    size = call.value("size", None)
    size = size if size is None else _ints_or_none(size)
    scale = call.value("scale_factor", None)
    mode, corners = call.value("mode", "nearest"), call.value("align_corners", None)
    if x is None or x.shape is None or size is UNKNOWN or UNKNOWN in (mode, corners):
        return None
    if scale is not None and not (
        isinstance(scale, (int, float)) or (isinstance(scale, tuple) and UNKNOWN not in scale)
    ):
        # a float scale is not a literal to mypy: the rule checks the rest, the sizes are int
        out = run_rule(call.ctx, shapes.interpolate, x.shape, size, 1.0, mode, corners)
        return None if out is None else (*out[:2], *(None for _ in out[2:]))
    return run_rule(call.ctx, shapes.interpolate, x.shape, size, scale, mode, corners)


def _blocks_rule(folding: bool) -> Callable[[Call], Shape | None]:
    def rule(call: Call) -> Shape | None:
        x = call.tensor("x")
        names = (("kernel_size", UNKNOWN), ("dilation", 1), ("padding", 0), ("stride", 1))
        options = {name: _ints_or_none(call.value(name, default)) for name, default in names}
        if folding:
            options["output_size"] = _ints_or_none(call.value("output_size", UNKNOWN))
        if x is None or x.shape is None or any(v is UNKNOWN for v in options.values()):
            return None
        return run_rule(call.ctx, shapes.fold if folding else shapes.unfold, x.shape, **options)

    return rule


def _conv_constructor(layer: str) -> Callable[[FunctionContext], Type]:
    """`Conv2d(3, 16, 3, padding="same")` is `Conv2d[..., Pad=L[1], ...]`: "same" with an even
    total d*(k-1) is that symmetric int padding (as the layer stores it), "valid" is 0; a
    strided "same" is reported as at run time."""

    def hook(ctx: FunctionContext) -> Type:
        result = get_proper_type(modules.constructor(ctx))
        call = Call(ctx)
        padding = call.value("padding", 0)
        if not isinstance(result, Instance) or padding not in ("same", "valid"):
            return result
        kernel, stride = call.value("kernel_size", UNKNOWN), call.value("stride", 1)
        dilation = call.value("dilation", 1)
        if padding == "same" and isinstance(stride, int) and stride != 1:
            message = f"{layer}: padding='same' is not supported for strided convolutions"
            ctx.api.fail(message, ctx.context, code=SHAPE)
            return result
        names = [tv.name for tv in result.type.defn.type_vars]
        if "Pad" not in names:
            return result
        if padding == "valid":
            value = 0
        elif isinstance(kernel, int) and isinstance(dilation, int):
            total = dilation * (kernel - 1)
            if total % 2:
                return result  # asymmetric: the padding is "same", the type's Pad an int
            value = total // 2
        else:
            return result
        args = list(result.args)
        args[names.index("Pad")] = LiteralType(
            value, fallback=ctx.api.named_generic_type("builtins.int", [])
        )
        return result.copy_modified(args=args)

    return hook


def _adaptive_constructor(layer: str) -> Callable[[FunctionContext], Type]:
    return lambda ctx: _adaptive_type(ctx, layer)


def _adaptive_type(ctx: FunctionContext, layer: str) -> Type:
    """`AdaptiveAvgPool2d((1, 2))` is `AdaptiveAvgPool2d[L[1], L[2]]`, `(7)` is `[L[7], L[7]]`:
    the output size's literals become the type arguments (the generic hook reads ints only)."""
    result = get_proper_type(modules.constructor(ctx))
    if not isinstance(result, Instance) or len(result.args) != 2 or not ctx.args[0]:
        return result
    value = literal_value(ctx.args[0][0], ctx.arg_types[0][0])
    pair = (value, value) if isinstance(value, int) else value
    if not (isinstance(pair, tuple) and len(pair) == 2):
        return result
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in pair):
        return result
    try:
        shapes.adaptive_pool2d(layer, (None, None, None), pair)
    except ShapeError as error:
        ctx.api.fail(str(error), ctx.context, code=SHAPE)
        return result
    fallback = ctx.api.named_generic_type("builtins.int", [])
    return result.copy_modified(args=[LiteralType(v, fallback=fallback) for v in pair])


METHOD_HOOKS: dict[str, Callable[[MethodContext], Type]] = {}
FUNCTION_HOOKS: dict[str, Callable[[FunctionContext], Type]] = {
    "shaped.ops.conv.adaptive_avg_pool2d": _hook(_adaptive("adaptive_avg_pool2d"), ("x",)),
    "shaped.ops.conv.pixel_shuffle": _hook(_pixel_shuffle, ("x",)),
    "shaped.nn.layers.AdaptiveAvgPool2d": _adaptive_constructor("AdaptiveAvgPool2d"),
    "shaped.nn.layers.Conv2d": _conv_constructor("Conv2d"),
    "shaped.nn.layers.Conv1d": _conv_constructor("Conv1d"),
    "shaped.nn.layers.AdaptiveMaxPool2d": _adaptive_constructor("AdaptiveMaxPool2d"),
    "shaped.ops.conv.conv1d": _hook(_conv1d, ("x", "weight", "bias?")),
    "shaped.ops.conv.max_pool1d": _hook(_pool1d("max_pool1d"), ("x",)),
    "shaped.ops.conv.avg_pool1d": _hook(_pool1d("avg_pool1d"), ("x",)),
    "shaped.ops.conv.interpolate": _hook(_interpolate, ("x",)),
    "shaped.ops.conv.unfold": _hook(_blocks_rule(False), ("x",)),
    "shaped.ops.conv.fold": _hook(_blocks_rule(True), ("x",)),
    "shaped.ops.conv.adaptive_max_pool2d": _hook(_adaptive("adaptive_max_pool2d"), ("x",)),
    "shaped.ops.conv.adaptive_avg_pool1d": _hook(_adaptive1d("adaptive_avg_pool1d"), ("x",)),
    "shaped.ops.conv.adaptive_max_pool1d": _hook(_adaptive1d("adaptive_max_pool1d"), ("x",)),
    "shaped.ops.conv.conv3d": _hook(_conv3d, ("x", "weight", "bias?")),
    "shaped.nn.layers.Conv3d": _conv_constructor("Conv3d"),
}
DEVICE_HOOKS: dict[str, Callable[[MethodContext], Type]] = {}
RELAXED: set[str] = {
    f"shaped.ops.conv.{name}"
    for name in (
        "adaptive_avg_pool2d",
        "adaptive_max_pool2d",
        "pixel_shuffle",
        "conv1d",
        "max_pool1d",
        "avg_pool1d",
        "interpolate",
        "unfold",
        "fold",
        "adaptive_avg_pool1d",
        "adaptive_max_pool1d",
        "conv3d",
    )
}
