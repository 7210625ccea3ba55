"""Hooks for modules: literal hyper-parameters from constructor calls, each layer's shape
rule on call, Sequential chains (the first layer that does not fit, with its index), and
architectures written as types for `build_module`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from mypy.checker import TypeChecker
from mypy.expandtype import expand_type_by_instance
from mypy.maptype import map_instance_to_supertype
from mypy.nodes import ArgKind, Decorator, Expression, TempNode, TypeAlias, TypeInfo, Var
from mypy.plugin import (
    ClassDefContext,
    FunctionContext,
    FunctionSigContext,
    MethodContext,
    MethodSigContext,
)
from mypy.type_visitor import TypeTranslator
from mypy.typeops import bind_self
from mypy.types import (
    AnyType,
    CallableType,
    FunctionLike,
    Instance,
    LiteralType,
    Overloaded,
    ProperType,
    TupleType,
    Type,
    TypeAliasType,
    TypeOfAny,
    TypeType,
    TypeVarType,
    UninhabitedType,
    UnionType,
    get_proper_type,
)

from shaped import shapes
from shaped.dtypes import mismatch
from shaped.errors import ShapeError
from shaped.shapes import Shape, fmt

from . import (
    layers_containers,
    layers_loss,
    layers_norms,
    layers_recurrent,
    layers_spatial,
    layers_transformer,
)
from .tensor_hooks import _args, run_rule
from .types import (
    DEVICE,
    DTYPE,
    KEEP,
    SHAPE,
    dim_of,
    dtype_marker,
    int_type,
    literal_value,
    make_tensor,
    merge_tapes,
    short,
    tensor_info,
)

MODULE = "shaped.nn.module.Module"
SEQUENTIAL = "shaped.nn.sequential.Sequential"
LAYERS = "shaped.nn.layers"
# issue 12's layer families: each keeps its plugin tables in its own file, merged below
LAYER_FAMILIES = (
    layers_containers,
    layers_recurrent,
    layers_transformer,
    layers_norms,
    layers_spatial,
    layers_loss,
)


def is_layer_module(module_name: str) -> bool:
    """A built-in layer's module (shaped.nn.layers and the family files beside it)."""
    return module_name.startswith("shaped.nn.") and module_name not in (
        "shaped.nn.module",
        "shaped.nn.sequential",
        "shaped.nn.functional",
    )


# ---------------------------------------------------------------- constructors


def constructor(ctx: FunctionContext) -> Type:
    """`Linear(784, 128)` is `Linear[L[784], L[128]]`: each type parameter takes the literal
    value of the constructor argument annotated with it (a default that names another
    parameter, as MaxPool2d's stride does, follows that one)."""
    result = get_proper_type(ctx.default_return_type)
    # issue 12: containers: Sequential(OrderedDict(...)), ModuleList([...]), ModuleDict({...})
    contained = layers_containers.named_sequential(ctx)
    contained = contained or layers_containers.container_constructor(ctx)
    if contained is not None:
        return contained
    if not isinstance(result, Instance) or not result.args:
        return ctx.default_return_type
    init = result.type.get_method("__init__")
    init_type = get_proper_type(init.type) if init is not None else None
    if isinstance(init_type, Overloaded):  # the last overload is the general one (I, O)
        init_type = init_type.items[-1]
    if not isinstance(init_type, CallableType):
        return ctx.default_return_type
    values: dict[str, object] = {}
    for names, exprs, types in zip(ctx.arg_names, ctx.args, ctx.arg_types):
        for name, expr, typ in zip(names, exprs, types):
            if name is not None:
                values[name] = literal_value(expr, typ)
    positional = [
        literal_value(expr, typ)
        for names, exprs, types in zip(ctx.arg_names, ctx.args, ctx.arg_types)
        for name, expr, typ in zip(names, exprs, types)
        if name is None
    ]
    params = init_type.arg_names[1:]
    for name, value in zip(params, positional):
        if name is not None:
            values.setdefault(name, value)
    _check_sizes(ctx, result.type, values)
    type_vars = result.type.defn.type_vars
    args = list(result.args)
    literal_by_var: dict[str, Type] = {}
    for param, declared in zip(init_type.arg_names, init_type.arg_types):
        declared = get_proper_type(declared)
        if isinstance(declared, UnionType):  # `stride: PoolStride | None = None`
            items = [get_proper_type(t) for t in declared.items]
            variables = [t for t in items if isinstance(t, TypeVarType)]
            declared = variables[0] if len(variables) == 1 else declared
        if not isinstance(declared, TypeVarType) or param not in values:
            continue
        index = next((i for i, tv in enumerate(type_vars) if tv.name == declared.name), None)
        size = _size_type(ctx, values[param])
        if index is None or size is None:
            continue
        args[index] = size
        literal_by_var[declared.name] = args[index]
    passed = {
        getattr(get_proper_type(declared), "name", None)
        for param, declared in zip(init_type.arg_names, init_type.arg_types)
        if param in values
    }
    for i, arg in enumerate(args):
        proper = get_proper_type(arg)
        if isinstance(proper, UninhabitedType):  # a size given as a plain int (relaxed)
            args[i] = int_type(ctx.api)
        elif isinstance(proper, AnyType) and i < len(type_vars):
            # the pyright overload leaves stride & co. Any: the default when not given
            default = get_proper_type(getattr(type_vars[i], "default", None))
            if type_vars[i].name in passed:
                args[i] = int_type(ctx.api)
            elif isinstance(default, (LiteralType, Instance)):
                args[i] = default
    for i, tv in enumerate(type_vars):  # defaults that refer to another parameter
        default = get_proper_type(getattr(tv, "default", None))
        if isinstance(default, TypeVarType) and default.name in literal_by_var:
            if not isinstance(get_proper_type(args[i]), LiteralType | TupleType):
                args[i] = literal_by_var[default.name]
    _untyped_options(ctx, result.type, init_type, values, args)
    _weightless(result.type, values, args)
    return result.copy_modified(args=args)


# Norms built without parameters have no parameters' dtype: data of any float dtype fits
WEIGHTLESS = {
    "LayerNorm": "elementwise_affine",
    "RMSNorm": "elementwise_affine",
    "GroupNorm": "affine",
}


def _weightless(info: TypeInfo, values: dict[str, object], args: list[Type]) -> None:
    option = WEIGHTLESS.get(info.name) if is_layer_module(info.module_name) else None
    if option is None or values.get(option) is not False:
        return
    names = [tv.name for tv in info.defn.type_vars]
    if PARAM_DTYPE in names:
        args[names.index(PARAM_DTYPE)] = AnyType(TypeOfAny.special_form)


def _size_type(ctx: FunctionContext, value: object) -> Type | None:
    """A literal size as a type argument: `L[3]`, or `tuple[L[3], L[5]]` for a per-axis pair."""
    if isinstance(value, bool):  # a flag in the type (issue 12: recurrent, batch_first): L[True]
        return LiteralType(value, fallback=ctx.api.named_generic_type("builtins.bool", []))
    if isinstance(value, int):
        return LiteralType(value, fallback=int_type(ctx.api))
    if isinstance(value, tuple) and len(value) == 2:
        items = [_size_type(ctx, v) for v in value]
        if all(isinstance(item, LiteralType) for item in items):
            fallback = ctx.api.named_generic_type("builtins.tuple", [int_type(ctx.api)])
            return TupleType([item for item in items if item is not None], fallback=fallback)
    return None


# Options that change a layer's output size but are not in its type: given with another
# value than the default, the layer's stride is typed `int`, so its output H/W/L are `int`
# (never a wrong literal); the run time computes them.
UNTYPED_OPTIONS: dict[str, dict[str, tuple[object, ...]]] = {
    "ConvTranspose2d": {"output_padding": (0, (0, 0)), "dilation": (1, (1, 1))},
    "MaxPool2d": {"dilation": (1, (1, 1)), "ceil_mode": (False,)},
    "AvgPool2d": {"ceil_mode": (False,)},
    "MaxPool1d": {"dilation": (1,), "ceil_mode": (False,)},
    "AvgPool1d": {"ceil_mode": (False,)},
}


def _untyped_options(
    ctx: FunctionContext,
    info: TypeInfo,
    init: CallableType,
    values: dict[str, object],
    args: list[Type],
) -> None:
    options = UNTYPED_OPTIONS.get(info.name) if is_layer_module(info.module_name) else None
    if not options or not any(
        name in values and values[name] not in defaults for name, defaults in options.items()
    ):
        return
    declared = next(
        (t for name, t in zip(init.arg_names, init.arg_types) if name == "stride"), None
    )
    proper = get_proper_type(declared) if declared is not None else None
    if isinstance(proper, UnionType):  # `stride: PoolStride | None`
        proper = next(
            (t for t in map(get_proper_type, proper.items) if isinstance(t, TypeVarType)), None
        )
    names = [tv.name for tv in info.defn.type_vars]
    if isinstance(proper, TypeVarType) and proper.name in names:
        args[names.index(proper.name)] = int_type(ctx.api)


def _check_sizes(ctx: FunctionContext, info: TypeInfo, values: dict[str, object]) -> None:
    """The run-time constructor rule of a built-in layer, on its literal sizes."""
    if not is_layer_module(info.module_name) or info.name not in shapes.LAYER_SIZES:
        return
    sizes = {
        name: value
        for name, value in values.items()
        if (isinstance(value, int) and not isinstance(value, bool))
        or (
            isinstance(value, tuple)
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        )
    }
    try:
        shapes.layer_sizes(info.name, cast("dict[str, int | tuple[int, ...] | None]", sizes))
    except ShapeError as error:
        ctx.api.fail(str(error), ctx.context, code=SHAPE)


def _is_flag(variable: TypeVarType) -> bool:
    """A TypeVar bound to bool (issue 12: recurrent's BatchFirst): no int is a flag."""
    bound = get_proper_type(variable.upper_bound)
    return isinstance(bound, Instance) and bound.type.fullname == "builtins.bool"


def constructor_signature(ctx: FunctionSigContext) -> FunctionLike:
    """A size parameter typed by a class TypeVar also takes a plain `int` (`28 * 28`, `n`):
    the constructor hook reads its literal value, and a type context (`Linear[L[784], ...]`)
    cannot turn an int expression into a false [arg-type]."""
    signature = ctx.default_signature
    contained = layers_containers.container_signature(ctx)  # issue 12: ModuleList, ModuleDict
    if contained is not None:
        return contained
    result = get_proper_type(signature.ret_type) if isinstance(signature, CallableType) else None
    if not isinstance(signature, CallableType) or not isinstance(result, Instance):
        return signature
    # the class's own parameters only: an overload's `SI` (bound to sizes.Size, for pyright)
    # must stay as it is, or overload matching would pick the first for any int
    own = {tv.name for tv in result.type.defn.type_vars}
    integer = int_type(ctx.api)
    arg_types = [
        UnionType([typ, integer])
        if isinstance(proper := get_proper_type(typ), TypeVarType)
        and proper.name in own
        and not _is_flag(proper)
        else typ
        for typ in signature.arg_types
    ]
    return signature.copy_modified(arg_types=arg_types)


# ---------------------------------------------------------------- calling a module


PARAM_DTYPE = "PD"  # the layers' type parameter for their parameters' dtype


def _sizes(module: Instance) -> list[Type]:
    """A layer's size arguments: its type arguments less the parameters' dtype."""
    names = [tv.name for tv in module.type.defn.type_vars]
    return [arg for name, arg in zip(names, module.args) if name != PARAM_DTYPE]


def param_dtype(module: Instance) -> ProperType | None:
    """The dtype a built-in layer's parameters have, as its type says (None: it has none)."""
    for tv, arg in zip(module.type.defn.type_vars, module.args):
        if tv.name == PARAM_DTYPE:
            return get_proper_type(arg)
    return None


def _dims(module: Instance) -> list[int | None]:
    return [dim_of(arg) for arg in _sizes(module)]


def _per_axis(arg: Type) -> int | tuple[int, int] | None:
    """A 2-D layer's size argument: `L[3]` is 3, `tuple[L[3], L[5]]` is (3, 5); else None."""
    proper = get_proper_type(arg)
    if isinstance(proper, TupleType):
        dims = [dim_of(item) for item in proper.items]
        if len(dims) == 2 and dims[0] is not None and dims[1] is not None:
            return dims[0], dims[1]
        return None
    return dim_of(arg)


LayerRule = Callable[[list[int | None], Shape], Shape | None]
PerAxis = int | tuple[int, int] | None
PerAxisRule = Callable[[list[PerAxis], Shape], Shape | None]


def _unknown_hw(x: Shape) -> Shape:
    """x with its last two dims unknown (the channels are still checked by the caller)."""
    return (*x[:-2], None, None) if len(x) >= 2 else x


def _linear(a: list[int | None], x: Shape) -> Shape | None:
    return shapes.linear(x, (a[1], a[0]))


def _conv(a: list[PerAxis], x: Shape) -> Shape | None:
    cin, cout, k, stride, pad, dil, groups = a
    if not isinstance(groups, int) or isinstance(cin, tuple) or isinstance(cout, tuple):
        return None
    per_group = None if cin is None else cin // groups
    if k is None or stride is None or pad is None or dil is None:
        # sizes not known statically (`stride: int`): channels are still checked and kept
        out = shapes.conv2d(_unknown_hw(x), (cout, per_group, 1, 1), 1, 0, 1, groups)
        return _unknown_hw(out)
    kh, kw = (k, k) if isinstance(k, int) else k
    return shapes.conv2d(x, (cout, per_group, kh, kw), stride, pad, dil, groups)


def _conv_transpose(a: list[PerAxis], x: Shape) -> Shape | None:
    cin, cout, k, stride, pad = a
    if isinstance(cin, tuple) or isinstance(cout, tuple):
        return None
    if k is None or stride is None or pad is None:  # channels still checked and kept
        return _unknown_hw(shapes.conv_transpose2d(_unknown_hw(x), (cin, cout, 1, 1)))
    kh, kw = (k, k) if isinstance(k, int) else k
    return shapes.conv_transpose2d(x, (cin, cout, kh, kw), stride, pad)


def _pool(op: str) -> PerAxisRule:
    def rule(a: list[PerAxis], x: Shape) -> Shape | None:
        k, stride, pad = a
        if k is None or stride is None or pad is None:  # the rank is still checked
            return shapes.pool2d(op, _unknown_hw(x), 1, 1, 0)
        return shapes.pool2d(op, x, k, stride, pad)

    return rule


def _conv1d(a: list[int | None], x: Shape) -> Shape | None:
    cin, cout, k, stride, pad, dil, groups = a
    if groups is None:
        return None
    per_group = None if cin is None else cin // groups
    if k is None or stride is None or pad is None or dil is None:  # channels still checked
        out = shapes.conv1d((*x[:-1], None) if x else x, (cout, per_group, k or 1), 1, 0, 1, groups)
        return (*out[:-1], None)
    return shapes.conv1d(x, (cout, per_group, k), stride, pad, dil, groups)


def _conv3d(a: list[int | None], x: Shape) -> Shape | None:
    cin, cout, k, stride, pad, dil, groups = a
    if groups is None:
        return None
    per_group = None if cin is None else cin // groups
    if k is None or stride is None or pad is None or dil is None:  # channels still checked
        spatial = (*x[:-3], None, None, None) if len(x) >= 3 else x
        out = shapes.conv3d(spatial, (cout, per_group, 1, 1, 1), 1, 0, 1, groups)
        return (*out[:-3], None, None, None)
    return shapes.conv3d(x, (cout, per_group, k, k, k), stride, pad, dil, groups)


def _pool1d(op: str) -> LayerRule:
    def rule(a: list[int | None], x: Shape) -> Shape | None:
        k, stride, pad = a
        if k is None or stride is None or pad is None:  # the rank is still checked
            return shapes.pool1d(op, (*x[:-1], None) if x else x, 1, 1, 0)
        return shapes.pool1d(op, x, k, stride, pad)

    return rule


def _same(a: list[int | None], x: Shape) -> Shape | None:
    return x


def _features(layer: str) -> LayerRule:
    return lambda a, x: shapes.features(layer, x, a[0] if a else None)


# shape-keeping activations of issue 11 (GLU halves an axis set at run time: no rule)
ACTIVATIONS_MORE = (
    "SiLU", "Mish", "SELU", "ELU", "CELU", "Softplus", "Hardswish", "Hardsigmoid", "Hardtanh",
    "ReLU6", "LogSigmoid", "Softsign", "Softmin", "PReLU",
)  # fmt: skip
LAYER_RULES: dict[str, LayerRule] = {
    f"{LAYERS}.Linear": _linear,
    # Flatten's static result assumes torch's defaults (start_axis=1), as Flatten() has
    f"{LAYERS}.Flatten": lambda a, x: shapes.flatten(x, 1) if len(x) > 1 else x,
    f"{LAYERS}.LayerNorm": lambda a, x: shapes.normalized("layer_norm", x, (a[0],)),
    f"{LAYERS}.BatchNorm1d": lambda a, x: shapes.batch_norm(x, a[0]),
    f"{LAYERS}.BatchNorm2d": lambda a, x: shapes.batch_norm(x, a[0]),
    f"{LAYERS}.Embedding": lambda a, x: shapes.embedding(x, (a[0], a[1])),
    f"{LAYERS}.MultiHeadAttention": _features("MultiHeadAttention"),
    f"{LAYERS}.TransformerEncoderLayer": _features("TransformerEncoderLayer"),
    **{
        f"{LAYERS}.{name}": _same
        for name in ("ReLU", "GELU", "Tanh", "Sigmoid", "LeakyReLU", "Softmax", "LogSoftmax")
    },
    f"{LAYERS}.Dropout": _same,
    **{f"{LAYERS}.{name}": _same for name in ACTIVATIONS_MORE},  # issue 11 item 5
    f"{LAYERS}.AdaptiveAvgPool2d": lambda a, x: shapes.adaptive_pool2d(
        "adaptive_avg_pool2d", x, (a[0], a[1])
    ),
    f"{LAYERS}.AdaptiveMaxPool2d": lambda a, x: shapes.adaptive_pool2d(
        "adaptive_max_pool2d", x, (a[0], a[1])
    ),
    f"{LAYERS}.PixelShuffle": lambda a, x: shapes.pixel_shuffle(x, a[0]),
    f"{LAYERS}.Conv1d": _conv1d,
    f"{LAYERS}.MaxPool1d": _pool1d("max_pool1d"),
    f"{LAYERS}.AvgPool1d": _pool1d("avg_pool1d"),
    f"{LAYERS}.AdaptiveAvgPool1d": lambda a, x: shapes.adaptive_pool1d(
        "adaptive_avg_pool1d", x, a[0]
    ),
    f"{LAYERS}.AdaptiveMaxPool1d": lambda a, x: shapes.adaptive_pool1d(
        "adaptive_max_pool1d", x, a[0]
    ),
    f"{LAYERS}.Conv3d": _conv3d,
    f"{LAYERS}.Unfold": lambda a, x: None if None in a else shapes.unfold(x, *a),  # type: ignore[arg-type]
    f"{LAYERS}.Fold": lambda a, x: None if None in a else shapes.fold(x, *a),  # type: ignore[arg-type]
}

for _family in LAYER_FAMILIES:
    LAYER_RULES.update(_family.LAYER_RULES)
# layers whose call is typed by a hook of their own (issue 12: recurrent's tuples)
CALL_HOOKS: dict[str, Callable[[MethodContext], Type]] = {
    name: hook for f in LAYER_FAMILIES for name, hook in getattr(f, "CALL_HOOKS", {}).items()
}

# the 2-D layers whose sizes may be per-axis pairs (`tuple[L[3], L[5]]`)
PER_AXIS_RULES: dict[str, PerAxisRule] = {
    f"{LAYERS}.Conv2d": _conv,
    f"{LAYERS}.ConvTranspose2d": _conv_transpose,
    f"{LAYERS}.MaxPool2d": _pool("max_pool2d"),
    f"{LAYERS}.AvgPool2d": _pool("avg_pool2d"),
}


def _name(module: Instance) -> str:
    """Linear[784, 128] as a user writes it (literal dims shown as numbers)."""
    if not module.args:
        return module.type.name
    parts = []
    for arg in _sizes(module):
        dim = _per_axis(arg)
        proper = get_proper_type(arg)
        parts.append(
            str(dim)
            if dim is not None
            else _name(proper)
            if isinstance(proper, Instance)
            else "int"
        )
    return f"{module.type.name}[{', '.join(parts)}]"


def _layers(module: Instance) -> list[ProperType] | None:
    """The layer types of a Sequential (its tuple base's items)."""
    tuple_base = module.type.tuple_type
    if tuple_base is None:
        return None
    from mypy.expandtype import expand_type_by_instance

    expanded = get_proper_type(expand_type_by_instance(tuple_base, module))
    if not isinstance(expanded, TupleType):
        return None
    return [get_proper_type(item) for item in expanded.items]


class Mismatch(Exception):
    """A layer of a chain did not fit: the message names the layer."""


def apply(module: ProperType, x: Shape, where: str = "") -> Shape | None:
    """The output shape of `module` on input shape `x`; None when it cannot be known.

    Raises ShapeError with the offending layer named (and its index inside Sequentials).
    """
    if isinstance(module, TupleType):  # a Sequential inside a Sequential: its layer tuple
        module = module.partial_fallback
    if not isinstance(module, Instance):
        return None
    fullname = module.type.fullname
    if module.type.has_base(SEQUENTIAL):
        layers = _layers(module)
        if layers is None:
            return None
        shape: Shape | None = x
        before: Shape | None = None  # the previous layer's input, to explain a Flatten
        for index, layer in enumerate(layers):
            if shape is None:
                return None
            label = f"{where}Sequential layer {index} ({_layer_name(layer)}): "
            try:
                shape, before = apply(layer, shape, label), shape
            except ShapeError as error:
                previous = layers[index - 1] if index else None
                if _is_flatten(previous) and before is not None and len(before) > 1:
                    dims = before[1:]
                    raise ShapeError(
                        f"{error}: flatten gave {shapes._times(dims)} = {shapes._product(dims)}"
                    ) from None
                raise
        return shape
    if fullname == f"{LAYERS}.Residual":
        inner = get_proper_type(module.args[0]) if module.args else None
        out = apply(inner, x, where + "Residual: ") if inner is not None else None
        if out is not None:
            try:
                shapes.residual(x, out)
            except ShapeError as error:
                raise ShapeError(f"{where}{error}") from None
        return x
    per_axis = PER_AXIS_RULES.get(fullname)
    rule = LAYER_RULES.get(fullname)
    if rule is None and per_axis is None:
        return _through_forward(module, x, where) if module.type.has_base(MODULE) else None
    try:
        if per_axis is not None:
            return per_axis([_per_axis(arg) for arg in _sizes(module)], x)
        assert rule is not None
        return rule(_dims(module), x)
    except ShapeError as error:
        raise ShapeError(f"{where}{error}") from None


def _through_forward(module: Instance, x: Shape, where: str) -> Shape | None:
    """A user module inside a Sequential: x against forward's first parameter, and the shape
    its return type declares (TypeVars bound from x); None when forward says too little."""
    signature = forward_signature(module)
    if not isinstance(signature, CallableType) or not signature.arg_types:
        return None
    formal = get_proper_type(_shape_arg(signature.arg_types[0]))
    declared = get_proper_type(_shape_arg(signature.ret_type))
    if not isinstance(formal, TupleType) or any(_unpacked(t) for t in formal.items):
        return None
    expected = f"{where}{module.type.name}.forward expects {_shape_text(formal)}, got {fmt(x)}"
    if len(formal.items) != len(x):
        raise ShapeError(f"{expected}: rank {len(x)} != {len(formal.items)}")
    bound: dict[str, int | None] = {}
    for axis, (item, have) in enumerate(zip(formal.items, x)):
        proper = get_proper_type(item)
        if isinstance(proper, TypeVarType):
            first = bound.setdefault(proper.name, have)
            if first is not None and have is not None and first != have:
                raise ShapeError(f"{expected}: dim {axis} is {have}, but {proper.name} is {first}")
            bound[proper.name] = first if first is not None else have
            continue
        want = dim_of(item)
        if want is not None and have is not None and want != have:
            raise ShapeError(f"{expected}: dim {axis} is {have}, not {want}")
    if not isinstance(declared, TupleType) or any(_unpacked(t) for t in declared.items):
        return None
    out: list[int | None] = []
    for item in declared.items:
        proper = get_proper_type(item)
        out.append(bound.get(proper.name) if isinstance(proper, TypeVarType) else dim_of(item))
    return tuple(out)


def _shape_arg(typ: Type) -> Type | None:
    info = tensor_info(typ)
    return info.instance.args[0] if info is not None else None


def _is_flatten(layer: ProperType | None) -> bool:
    return isinstance(layer, Instance) and layer.type.fullname == f"{LAYERS}.Flatten"


def _layer_name(layer: ProperType) -> str:
    if isinstance(layer, TupleType):
        layer = layer.partial_fallback
    return _name(layer) if isinstance(layer, Instance) else str(layer)


def call(ctx: MethodContext) -> Type:
    """Calling a module: its input is checked against its type parameters."""
    module = get_proper_type(ctx.type)
    args = _args(ctx)
    if not isinstance(module, Instance) or not args:
        return ctx.default_return_type
    if module.type.fullname in CALL_HOOKS:  # issue 12: layers whose call returns a tuple
        return CALL_HOOKS[module.type.fullname](ctx)
    x = tensor_info(args[0][1])
    if x is None:
        return AnyType(TypeOfAny.special_form)
    if module.type.fullname == f"{LAYERS}.Embedding":  # token ids are integers
        marker = dtype_marker(x.dtype)
        if marker is not None and marker.name not in ("int32", "int64"):
            ctx.api.fail(
                f"embedding: indices must be integers (sh.Int64), got {marker.__name__}: token "
                f"ids index rows; convert them with .to(sh.Int64)",
                ctx.context,
                code=DTYPE,
            )
    # the signature was relaxed, so the result is built from x: its device and tape, and
    # the dtype of the last layer with parameters (x's own when there is none)
    try:
        dtype = dtype_through(module, x.dtype)
    except DtypeMismatch as error:
        ctx.api.fail(str(error), ctx.context, code=DTYPE)
        dtype = None
    # mha(q, k, v): a tape on any tensor argument moves to the result, as at run time
    tape: Type = x.tape
    for _name, other_type in args[1:]:
        other = tensor_info(other_type)
        if other is not None:
            tape = merge_tapes(ctx.api, get_proper_type(tape), other.tape)
    if x.shape is None:  # a rank unknown here (a user's TypeVar): shape-keeping layers keep it
        keep = KEEP if _keeps_shape(module) else None
        return make_tensor(ctx.api, x.instance, keep, dtype, tape=tape)
    shape = run_rule(ctx, apply, module, x.shape)
    return make_tensor(ctx.api, x.instance, shape, dtype, tape=tape)


class DtypeMismatch(Exception):
    """Data of one dtype meets a layer whose parameters have another."""


# the op that meets the parameters first, as the run time names it in its DtypeError
WEIGHT_OPS = {
    "Linear": "linear",
    "Conv2d": "conv2d",
    "ConvTranspose2d": "conv_transpose2d",
    "LayerNorm": "layer_norm",
    "BatchNorm1d": "batch_norm",
    "BatchNorm2d": "batch_norm",
    "MultiHeadAttention": "linear",
    "TransformerEncoderLayer": "linear",
}
for _family in LAYER_FAMILIES:
    WEIGHT_OPS.update({name.rpartition(".")[2]: op for name, op in _family.WEIGHT_OPS.items()})


def dtype_through(module: ProperType, dtype: ProperType, where: str = "") -> ProperType | None:
    """The dtype of `module`'s output for input of `dtype` (None: the input's); raises
    DtypeMismatch where known float data meets parameters of another known dtype."""
    if isinstance(module, TupleType):
        module = module.partial_fallback
    if not isinstance(module, Instance):
        return None
    if module.type.has_base(SEQUENTIAL):
        out: ProperType | None = None
        for index, layer in enumerate(_layers(module) or []):
            label = f"{where}Sequential layer {index} ({_layer_name(layer)}): "
            out = dtype_through(layer, dtype, label) or out
            dtype = out or dtype
        return out
    if module.type.fullname == f"{LAYERS}.Residual" and module.args:
        return dtype_through(get_proper_type(module.args[0]), dtype, where + "Residual: ")
    params = param_dtype(module) if is_layer_module(module.type.module_name) else None
    if params is None or isinstance(params, AnyType):  # no parameters: the data's dtype
        return None
    op = WEIGHT_OPS.get(module.type.name)
    have, want = dtype_marker(dtype), dtype_marker(params)
    if op is not None and have is not None and want is not None and have is not want:
        raise DtypeMismatch(where + mismatch(op, have.__name__, want.__name__, weights=True))
    return params


def _instance(layer: Instance | TupleType) -> Instance:
    """A nested Sequential's type is its layer tuple; its fallback is the Sequential."""
    return layer.partial_fallback if isinstance(layer, TupleType) else layer


def _keeps_shape(module: Instance) -> bool:
    name = module.type.fullname
    if name == f"{LAYERS}.Residual":
        return True
    if module.type.has_base(SEQUENTIAL):
        layers = _layers(module)
        return layers is not None and all(
            isinstance(layer, Instance | TupleType) and _keeps_shape(_instance(layer))
            for layer in layers
        )
    return name in SHAPE_KEEPING


SHAPE_KEEPING = {
    f"{LAYERS}.{name}"
    for name in (
        "ReLU", "GELU", "Tanh", "Sigmoid", "LeakyReLU", "Softmax", "LogSoftmax", "Dropout",
        "LayerNorm", "BatchNorm1d", "BatchNorm2d", "MultiHeadAttention", "TransformerEncoderLayer",
        *ACTIVATIONS_MORE,
    )
}  # fmt: skip
for _family in LAYER_FAMILIES:
    SHAPE_KEEPING |= _family.SHAPE_KEEPING


def handles_call(info: TypeInfo) -> bool:
    """Built-in layers, Residual and Sequential: user modules keep their own signatures."""
    return (
        info.fullname in LAYER_RULES
        or info.fullname in CALL_HOOKS
        or info.fullname in PER_AXIS_RULES
        or info.fullname == f"{LAYERS}.Residual"
        or (info.has_base(SEQUENTIAL))
    )


# ---------------------------------------------------------------- architectures as types


def build_module(ctx: MethodContext) -> Type:
    """dev.build_module(Arch): the module the type describes (a tuple alias is a Sequential)."""
    args = _args(ctx)
    if not args:
        return ctx.default_return_type
    expr, typ = args[0]
    node = getattr(expr, "node", None)
    if isinstance(node, TypeAlias):  # a tuple alias used as a value is typed _SpecialForm
        arch: ProperType | None = get_proper_type(node.target)
    else:
        arch = _arch_type(get_proper_type(typ))
    if arch is None:
        return ctx.default_return_type
    built = _module_for(ctx, arch)
    if built is None:
        return ctx.default_return_type
    given = next((typ for (name, typ) in _named_args(ctx) if name == "dtype"), None)
    dtype = get_proper_type(given) if given is not None else None
    if isinstance(dtype, CallableType) and dtype.is_type_obj():  # the class itself: sh.Float64
        dtype = get_proper_type(dtype.ret_type)
    elif isinstance(dtype, TypeType):
        dtype = get_proper_type(dtype.item)
    marker = dtype_marker(dtype) if dtype is not None else None
    if dtype is not None and marker is not None and marker.name != "float32":
        return _with_dtype(built, dtype)  # dtype= converts the layers of the default Float32
    return built


def _named_args(ctx: MethodContext) -> list[tuple[str | None, Type]]:
    return [
        (name, typ)
        for names, types in zip(ctx.arg_names, ctx.arg_types)
        for name, typ in zip(names, types)
    ]


def _with_dtype(module: Type, dtype: Type) -> Type:
    """A built module type whose layers with the default Float32 parameters get `dtype`."""
    proper = get_proper_type(module)
    if isinstance(proper, TupleType):
        items = [_with_dtype(item, dtype) for item in proper.items]
        fallback = proper.partial_fallback.copy_modified(args=items)
        return TupleType(items, fallback=fallback)
    if not isinstance(proper, Instance):
        return module
    names = [tv.name for tv in proper.type.defn.type_vars]
    args = [
        dtype
        if name == PARAM_DTYPE
        and (marker := dtype_marker(get_proper_type(arg))) is not None
        and marker.name == "float32"
        else _with_dtype(arg, dtype)
        if isinstance(get_proper_type(arg), Instance | TupleType)
        else arg
        for name, arg in zip(names, proper.args)
    ]
    return proper.copy_modified(args=args)


def _arch_type(typ: ProperType) -> ProperType | None:
    if isinstance(typ, TypeType):
        return get_proper_type(typ.item)
    if isinstance(typ, Overloaded) and typ.is_type_obj():  # overloaded __init__
        return get_proper_type(typ.items[-1].ret_type)
    if isinstance(typ, CallableType) and typ.is_type_obj():  # a class object: its constructor
        return get_proper_type(typ.ret_type)
    return None


def _module_for(ctx: MethodContext, arch: ProperType) -> Type | None:
    if isinstance(arch, TupleType):
        layers = [_module_for(ctx, get_proper_type(item)) for item in arch.items]
        if any(layer is None for layer in layers):
            return None
        return _sequential_of(ctx, [layer for layer in layers if layer is not None])
    if isinstance(arch, Instance) and arch.type.has_base(MODULE):
        return arch
    return AnyType(TypeOfAny.special_form) if isinstance(arch, AnyType) else None


def _sequential_of(ctx: MethodContext, layers: list[Type]) -> Type:
    """Sequential[L1, L2, ...] as mypy spells a tuple subclass: the items, then the class."""
    node = ctx.api.modules["shaped.nn.sequential"].names["Sequential"].node  # type: ignore[attr-defined]
    assert isinstance(node, TypeInfo)
    return TupleType(layers, fallback=Instance(node, layers))


# ---------------------------------------------------------------- users' modules, through forward


def allow_call_alias(ctx: ClassDefContext) -> None:
    """`__call__ = forward` in a module class (as older shaped code wrote it) stays valid:
    Module's self-typed `__call__` would make mypy call it an incompatible override."""
    symbol = ctx.cls.info.names.get("__call__")
    if symbol is not None and isinstance(symbol.node, Var):
        symbol.node.allow_incompatible_override = True


def forward_signature(module: Instance, method: str = "forward") -> FunctionLike | None:
    """A user module's `forward` (or another method it defines), bound to `module` (its class's
    type arguments filled in); None when the method found is shaped's own (nothing to go by)."""
    for base in module.type.mro:
        symbol = base.names.get(method)
        if symbol is None:
            continue
        if base.fullname == MODULE or base.module_name.split(".")[0] == "shaped":
            return None
        node = symbol.node
        declared = node.var.type if isinstance(node, Decorator) else getattr(node, "type", None)
        declared = get_proper_type(declared) if declared is not None else None
        if not isinstance(declared, FunctionLike):
            return None
        bound = bind_self(declared, module)
        mapped = map_instance_to_supertype(module, base)
        signature = get_proper_type(expand_type_by_instance(bound, mapped))
        return signature if isinstance(signature, FunctionLike) else None
    return None


def is_user_method(info: TypeInfo, method: str) -> bool:
    """A method (or forward, through `net(x)`) that a user's module class defines itself."""
    name = "forward" if method == "__call__" else method
    found = info.get_containing_type_info(name)
    # issue 12: containers: nor a builtin's (tuple.__getitem__ of a Sequential[*tuple[M, ...]])
    return found is not None and found.module_name.split(".")[0] not in ("shaped", "builtins")


def user_call_signature(method: str) -> Callable[[MethodSigContext], FunctionLike]:
    """`net(x)` takes forward's parameters (`net.encode(x)` encode's), each accepting anything:
    user_call checks them."""
    target = "forward" if method == "__call__" else method

    def hook(ctx: MethodSigContext) -> FunctionLike:
        module = get_proper_type(ctx.type)
        signature = forward_signature(module, target) if isinstance(module, Instance) else None
        return _relaxed(ctx, signature)

    return hook


def _relaxed(ctx: MethodSigContext, signature: FunctionLike | None) -> FunctionLike:
    if not isinstance(signature, CallableType):
        return signature if signature is not None else ctx.default_signature
    anything = ctx.api.named_generic_type("builtins.object", [])
    return signature.copy_modified(
        arg_types=[anything] * len(signature.arg_types),
        ret_type=AnyType(TypeOfAny.special_form),
        variables=[],
    )


def user_call(method: str) -> Callable[[MethodContext], Type]:
    """`net(x)`: each tensor argument is checked against forward's parameter with shaped's
    codes; the result is forward's return type, its TypeVars solved by mypy."""
    target = "forward" if method == "__call__" else method

    def hook(ctx: MethodContext) -> Type:
        module = get_proper_type(ctx.type)
        signature = forward_signature(module, target) if isinstance(module, Instance) else None
        if not isinstance(module, Instance) or not isinstance(signature, CallableType):
            return ctx.default_return_type
        return _checked_call(ctx, signature, f"{module.type.name}.{target}")

    return hook


def _checked_call(ctx: MethodContext, signature: CallableType, name: str) -> Type:
    reported = False
    for formal, formal_name, types in zip(signature.arg_types, signature.arg_names, ctx.arg_types):
        for actual in types:
            reported |= not _fits(ctx, f"{name}: {formal_name or 'input'}", formal, actual)
    seen: set[int] = set()
    args: list[Expression] = []
    kinds: list[ArgKind] = []
    names: list[str | None] = []
    for exprs, arg_kinds, arg_names, types in zip(
        ctx.args, ctx.arg_kinds, ctx.arg_names, ctx.arg_types
    ):
        for expr, kind, arg_name, typ in zip(exprs, arg_kinds, arg_names, types):
            if id(expr) in seen:  # a *args spread over several formals is listed under each
                continue
            seen.add(id(expr))
            args.append(TempNode(typ, context=expr))
            kinds.append(kind)
            names.append(arg_name)
    checker = cast(TypeChecker, ctx.api)  # a method hook's api is the type checker
    # no outer type context: the variable a result is assigned to must not pin forward's TypeVars
    checker.expr_checker.type_context.append(None)
    try:
        if reported:  # one mistake, one error: mypy's own [arg-type] would repeat it
            with checker.msg.filter_errors():
                result, _ = checker.expr_checker.check_call(
                    signature, args, kinds, ctx.context, names
                )
        else:
            result, _ = checker.expr_checker.check_call(signature, args, kinds, ctx.context, names)
    finally:
        checker.expr_checker.type_context.pop()
    return result.accept(_UnsolvedToAny())


class _UnsolvedToAny(TypeTranslator):
    """A TypeVar that no argument decides (an input of unknown shape) is Any, not Never."""

    def visit_uninhabited_type(self, t: UninhabitedType) -> Type:
        return AnyType(TypeOfAny.special_form)

    def visit_type_alias_type(self, t: TypeAliasType) -> Type:
        return t  # an alias is expanded where it is read, with its own arguments


def _fits(ctx: MethodContext, where: str, formal: Type, actual: Type) -> bool:
    """Report an actual tensor that cannot be the formal one: rank or literal dims ([shape]),
    dtype ([dtype]) or device ([device]). TypeVar dims bind to the first literal they meet."""
    expected, got = tensor_info(formal), tensor_info(actual)
    if expected is None or got is None:
        return True
    for kind, code, want, have in (
        ("dtype", DTYPE, expected.dtype, got.dtype),
        ("device", DEVICE, expected.device, got.device),
    ):
        if _concrete(want) and _concrete(have) and str(want) != str(have):
            fix = (
                f"convert the input with .to(sh.{short(want)}) (or create it with "
                f"dtype=sh.{short(want)})"
                if code is DTYPE
                else f"move the input with .to(sh.{short(want)}())"
            )
            ctx.api.fail(
                f"{where} expects {kind} {short(want)}, got {short(have)}: {fix}",
                ctx.context,
                code=code,
            )
            return False
    want_shape = get_proper_type(expected.instance.args[0])
    have_shape = get_proper_type(got.instance.args[0])
    if not isinstance(want_shape, TupleType) or not isinstance(have_shape, TupleType):
        return True
    if any(_unpacked(t) for t in (*want_shape.items, *have_shape.items)):
        return True
    shown = f"{where} expects {_shape_text(want_shape)}, got {_shape_text(have_shape)}"
    if len(want_shape.items) != len(have_shape.items):
        ctx.api.fail(
            f"{shown}: rank {len(have_shape.items)} != {len(want_shape.items)}",
            ctx.context,
            code=SHAPE,
        )
        return False
    bound: dict[str, tuple[int, int]] = {}  # TypeVar name -> (literal, axis it came from)
    for axis, (want_dim, have_dim) in enumerate(zip(want_shape.items, have_shape.items)):
        have = dim_of(have_dim)
        if have is None:
            continue
        want_proper = get_proper_type(want_dim)
        if isinstance(want_proper, TypeVarType):
            first = bound.setdefault(want_proper.name, (have, axis))
            if first[0] != have:
                ctx.api.fail(
                    f"{shown}: dim {axis} is {have}, but {want_proper.name} is {first[0]} "
                    f"(dim {first[1]})",
                    ctx.context,
                    code=SHAPE,
                )
                return False
            continue
        want = dim_of(want_dim)
        if want is not None and want != have:
            ctx.api.fail(f"{shown}: dim {axis} is {have}, not {want}", ctx.context, code=SHAPE)
            return False
    return True


def _concrete(typ: ProperType) -> bool:
    return isinstance(typ, Instance) and typ.type.fullname.startswith("shaped.")


def _unpacked(item: Type) -> bool:
    return type(item).__name__ == "UnpackType"


def _shape_text(shape: TupleType) -> str:
    dims = []
    for item in shape.items:
        dim, proper = dim_of(item), get_proper_type(item)
        dims.append(
            str(dim)
            if dim is not None
            else proper.name
            if isinstance(proper, TypeVarType)
            else "int"
        )
    return f"({', '.join(dims)}{',' if len(dims) == 1 else ''})"
