"""Hooks for convolution and pooling options (issue 11 item 8).

plugin.py dispatches through these tables: a Tensor method by name, a function by its full
name, a Device method by name. A name in RELAXED gets a signature that accepts any operand,
so its hook reports [shape]/[dtype]/[device] instead of mypy's [arg-type].
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from mypy.nodes import TypeInfo
from mypy.plugin import FunctionContext, MethodContext
from mypy.types import (
    AnyType,
    Instance,
    LiteralType,
    TupleType,
    Type,
    TypeOfAny,
    UnionType,
    get_proper_type,
)

from shaped import shapes
from shaped.errors import ShapeError
from shaped.shapes import Shape

from . import modules
from .functions import Call, _hook, _ints_or_none, _pool, _same_kind
from .tensor_hooks import run_rule
from .types import DTYPE, SHAPE, UNKNOWN, dtype_marker, int_type, literal_value, tensor_info


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


# ---------------------------------------------------------------- issue 12: spatial


def _with_indices(op: str, rule_fn: Callable[..., Shape]) -> Callable[[FunctionContext], Type]:
    """max_pool1d/2d/3d: the pooled tensor, or with return_indices=True the pair (values,
    indices), the indices Int64 without a tape, shaped like the values. A return_indices the
    checker cannot read keeps the signature's union."""
    values_hook = _hook(_pool(op, rule_fn), ("x",))

    def hook(ctx: FunctionContext) -> Type:
        # every overload runs the rule: one that reported nothing would hide the error
        default = get_proper_type(ctx.default_return_type)
        flag = Call(ctx).value("return_indices", False)
        items = default.items if isinstance(default, UnionType) else [default]
        pairs = [t for t in map(get_proper_type, items) if isinstance(t, TupleType)]
        values = get_proper_type(values_hook(ctx))
        if flag is False:
            return values
        got = tensor_info(values)
        declared = tensor_info(pairs[0].items[1]) if pairs and len(pairs[0].items) == 2 else None
        if got is None or declared is None:  # x unknown: so is the result
            return AnyType(TypeOfAny.special_form)
        shape, device = got.instance.args[0], got.instance.args[2]
        indices = declared.instance.copy_modified(
            args=[shape, declared.instance.args[1], device, declared.instance.args[3]]
        )
        pair = pairs[0].copy_modified(items=[values, indices])
        return pair if flag is True else UnionType([values, pair])

    return hook


def _conv_transpose(op: str) -> Callable[[Call], Shape | None]:
    def rule(call: Call) -> Shape | None:
        x, weight, bias = call.tensor("x"), call.tensor("weight"), call.tensor("bias")
        if not _same_kind(call.ctx, op, [x, weight, bias], weights=True):
            return None
        if x is None or weight is None or x.shape is None or weight.shape is None:
            return None
        names = (("stride", 1), ("padding", 0), ("output_padding", 0), ("groups", 1))
        options = {name: _ints_or_none(call.value(name, default)) for name, default in names}
        options["dilation"] = _ints_or_none(call.value("dilation", 1))
        if any(v is UNKNOWN for v in options.values()):
            return None
        bias_shape = bias.shape if bias is not None else None
        return run_rule(
            call.ctx,
            shapes.conv_transpose_nd,
            op,
            x.shape,
            weight.shape,
            bias=bias_shape,
            **options,
        )

    return rule


def _unpool(op: str, count: int) -> Callable[[Call], Shape | None]:
    def rule(call: Call) -> Shape | None:
        x, indices = call.tensor("x"), call.tensor("indices")
        if indices is not None:
            marker = dtype_marker(get_proper_type(indices.dtype))
            if marker is not None and marker.name != "int64":
                call.ctx.api.fail(
                    f"{op}: indices must be Int64 (max_pool's return_indices), got "
                    f"{marker.__name__}",
                    call.ctx.context,
                    code=DTYPE,
                )
                return None
        names = (("kernel_size", UNKNOWN), ("stride", None), ("padding", 0))
        options = {name: call.value(name, default) for name, default in names}
        options = {n: v if v is None else _ints_or_none(v) for n, v in options.items()}
        size = call.value("output_size", None)
        size = size if size is None else _ints_or_none(size)
        if x is None or x.shape is None or indices is None or indices.shape is None:
            return None
        if UNKNOWN in options.values():
            return None
        if size is UNKNOWN:  # the checks without the sizes: the spatial dims are int
            out = run_rule(call.ctx, shapes.max_unpool, op, x.shape, indices.shape, **options)
            return None if out is None else (*out[:-count], *(None for _ in range(count)))
        return run_rule(
            call.ctx, shapes.max_unpool, op, x.shape, indices.shape, output_size=size, **options
        )

    return rule


def _untyped_constructor(
    options: Mapping[str, tuple[object, ...]],
) -> Callable[[FunctionContext], Type]:
    """A layer with options that change its output sizes but are not in its type (dilation,
    ceil_mode, output_padding): given another value than the default, its Stride is `int`,
    so the plugin's output sizes are int (never a wrong literal)."""

    def hook(ctx: FunctionContext) -> Type:
        result = get_proper_type(modules.constructor(ctx))
        if not isinstance(result, Instance):
            return result
        call = Call(ctx)
        given = [call.value(name, defaults[0]) for name, defaults in options.items()]
        if all(value in defaults for value, defaults in zip(given, options.values())):
            return result
        names = [tv.name for tv in result.type.defn.type_vars]
        stride = next((n for n in ("Stride", "PoolStride") if n in names), None)
        if stride is None:
            return result
        args = list(result.args)
        args[names.index(stride)] = int_type(ctx.api)
        return result.copy_modified(args=args)

    return hook


def _indices_constructor(
    base: Callable[[FunctionContext], Type], target: str
) -> Callable[[FunctionContext], Type]:
    """`MaxPool2d(2, return_indices=True)` is a `MaxPool2dWithIndices[...]` (what the run time
    builds too), whose call gives (values, indices) by its signature."""

    def hook(ctx: FunctionContext) -> Type:
        result = get_proper_type(base(ctx))
        if Call(ctx).value("return_indices", False) is not True or not isinstance(result, Instance):
            return result
        module, _, name = target.rpartition(".")
        found = getattr(ctx.api, "modules", {}).get(module)
        node = found.names.get(name) if found is not None else None
        if node is None or not isinstance(node.node, TypeInfo):
            return result
        return Instance(node.node, list(result.args))

    return hook


def _pad_constructor(layer: str, count: int) -> Callable[[FunctionContext], Type]:
    """`ZeroPad2d(1)` is `ZeroPad2d[L[1], L[1], L[1], L[1]]`, `ZeroPad2d((0, 1, 2, 3))` is
    `ZeroPad2d[L[0], L[1], L[2], L[3]]`: torch's padding tuple as the type's sides; sides the
    checker cannot read are int."""

    def hook(ctx: FunctionContext) -> Type:
        result = get_proper_type(ctx.default_return_type)
        if not isinstance(result, Instance) or len(result.args) != 2 * count:
            return ctx.default_return_type
        padding = Call(ctx).value("padding", UNKNOWN)
        if isinstance(padding, int) and not isinstance(padding, bool):
            padding = (padding,) * 2 * count
        integer = int_type(ctx.api)
        if not (
            isinstance(padding, tuple)
            and len(padding) == 2 * count
            and all(isinstance(v, int) and not isinstance(v, bool) for v in padding)
        ):
            return result.copy_modified(args=[integer] * (2 * count))
        try:
            shapes.layer_sizes(layer, {"padding": padding})
        except ShapeError as error:
            ctx.api.fail(str(error), ctx.context, code=SHAPE)
            return result.copy_modified(args=[integer] * (2 * count))
        return result.copy_modified(args=[LiteralType(v, fallback=integer) for v in padding])

    return hook


_PAD_LAYERS = {
    f"{kind}Pad{n}d": n
    for kind in ("Zero", "Constant", "Reflection", "Replication", "Circular")
    for n in (1, 2, 3)
}
SPATIAL = "shaped.ops.spatial"
_TRANSPOSED = {"output_padding": (0, (0,), (0, 0, 0)), "dilation": (1, (1,), (1, 1, 1))}

METHOD_HOOKS: dict[str, Callable[[MethodContext], Type]] = {}
FUNCTION_HOOKS: dict[str, Callable[[FunctionContext], Type]] = {
    "shaped.ops.conv.adaptive_avg_pool2d": _hook(_adaptive("adaptive_avg_pool2d"), ("x",)),
    "shaped.ops.conv.pixel_shuffle": _hook(_pixel_shuffle, ("x",)),
    "shaped.nn.layers.AdaptiveAvgPool2d": _adaptive_constructor("AdaptiveAvgPool2d"),
    "shaped.nn.layers.Conv2d": _conv_constructor("Conv2d"),
    "shaped.nn.layers.Conv1d": _conv_constructor("Conv1d"),
    "shaped.nn.layers.AdaptiveMaxPool2d": _adaptive_constructor("AdaptiveMaxPool2d"),
    "shaped.ops.conv.conv1d": _hook(_conv1d, ("x", "weight", "bias?")),
    "shaped.ops.conv.avg_pool1d": _hook(_pool1d("avg_pool1d"), ("x",)),
    "shaped.ops.conv.interpolate": _hook(_interpolate, ("x",)),
    "shaped.ops.conv.unfold": _hook(_blocks_rule(False), ("x",)),
    "shaped.ops.conv.fold": _hook(_blocks_rule(True), ("x",)),
    "shaped.ops.conv.adaptive_max_pool2d": _hook(_adaptive("adaptive_max_pool2d"), ("x",)),
    "shaped.ops.conv.adaptive_avg_pool1d": _hook(_adaptive1d("adaptive_avg_pool1d"), ("x",)),
    "shaped.ops.conv.adaptive_max_pool1d": _hook(_adaptive1d("adaptive_max_pool1d"), ("x",)),
    "shaped.ops.conv.conv3d": _hook(_conv3d, ("x", "weight", "bias?")),
    "shaped.nn.layers.Conv3d": _conv_constructor("Conv3d"),
    # issue 12: spatial
    f"{SPATIAL}.max_pool1d": _with_indices("max_pool1d", shapes.pool1d),
    f"{SPATIAL}.max_pool2d": _with_indices("max_pool2d", shapes.pool2d),
    f"{SPATIAL}.max_pool3d": _with_indices("max_pool3d", shapes.pool3d),
    f"{SPATIAL}.avg_pool3d": _hook(_pool("avg_pool3d", shapes.pool3d), ("x",)),
    f"{SPATIAL}.conv_transpose1d": _hook(
        _conv_transpose("conv_transpose1d"), ("x", "weight", "bias?")
    ),
    f"{SPATIAL}.conv_transpose3d": _hook(
        _conv_transpose("conv_transpose3d"), ("x", "weight", "bias?")
    ),
    **{
        f"{SPATIAL}.max_unpool{n}d": _hook(
            _unpool(f"max_unpool{n}d", n), ("x", "indices"), other_dtype=("indices",)
        )
        for n in (1, 2, 3)
    },
    "shaped.nn.layers.MaxPool1d": _indices_constructor(
        modules.constructor, "shaped.nn.spatial.MaxPool1dWithIndices"
    ),
    "shaped.nn.layers.MaxPool2d": _indices_constructor(
        modules.constructor, "shaped.nn.spatial.MaxPool2dWithIndices"
    ),
    "shaped.nn.spatial.MaxPool3d": _indices_constructor(
        _untyped_constructor({"dilation": (1, (1, 1, 1)), "ceil_mode": (False,)}),
        "shaped.nn.spatial.MaxPool3dWithIndices",
    ),
    "shaped.nn.spatial.AvgPool3d": _untyped_constructor({"ceil_mode": (False,)}),
    "shaped.nn.spatial.ConvTranspose1d": _untyped_constructor(_TRANSPOSED),
    "shaped.nn.spatial.ConvTranspose3d": _untyped_constructor(_TRANSPOSED),
    **{
        f"shaped.nn.spatial.{layer}": _pad_constructor(layer, n) for layer, n in _PAD_LAYERS.items()
    },
}
DEVICE_HOOKS: dict[str, Callable[[MethodContext], Type]] = {}
RELAXED: set[str] = {
    f"shaped.ops.conv.{name}"
    for name in (
        "adaptive_avg_pool2d",
        "adaptive_max_pool2d",
        "pixel_shuffle",
        "conv1d",
        "avg_pool1d",
        "interpolate",
        "unfold",
        "fold",
        "adaptive_avg_pool1d",
        "adaptive_max_pool1d",
        "conv3d",
    )
} | {
    f"{SPATIAL}.{name}"
    for name in (
        "max_pool1d",
        "max_pool2d",
        "max_pool3d",
        "avg_pool3d",
        "conv_transpose1d",
        "conv_transpose3d",
        "max_unpool1d",
        "max_unpool2d",
        "max_unpool3d",
    )
}
