"""Hooks for shaped's functions: nn.functional, losses, concat/stack/where/matmul."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mypy import errorcodes
from mypy.maptype import map_instance_to_supertype
from mypy.messages import format_type
from mypy.nodes import (
    ARG_STAR,
    ARG_STAR2,
    CallExpr,
    Expression,
    ListExpr,
    MemberExpr,
    NameExpr,
    StarExpr,
    TupleExpr,
)
from mypy.plugin import FunctionContext, FunctionSigContext, MethodContext, MethodSigContext
from mypy.types import (
    AnyType,
    FunctionLike,
    Instance,
    LiteralType,
    NoneType,
    TupleType,
    Type,
    TypeOfAny,
    UnionType,
    get_proper_type,
)

from shaped import dtypes, shapes
from shaped.shapes import Shape

from . import layers_loss
from .tensor_hooks import keep_symbolic, not_bool_method, run_rule
from .types import (
    DTYPE,
    KEEP,
    UNKNOWN,
    TensorInfo,
    check_same_kind,
    class_name,
    dtype_marker,
    literal_value,
    make_tensor,
    merge_tapes,
    named,
    tensor_info,
)

Context = FunctionContext | MethodContext
SAME = "same"  # a rule's result: shaped like the first input, whatever its shape type
NUMBERS = ("builtins.float", "builtins.int", "builtins.bool")
ITERABLE = "typing.Iterable"


class Call:
    """The arguments of one call by parameter name, with their types and literal values.

    A parameter filled from `*args` or `**kwargs` is unknown: no tensor, no literal value."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.by_name: dict[str, tuple[Expression, Type]] = {}
        self.unknown: set[str] = set()
        names = getattr(ctx, "callee_arg_names", None) or []
        for i, (kinds, exprs, types) in enumerate(zip(ctx.arg_kinds, ctx.args, ctx.arg_types)):
            if not exprs or i >= len(names) or not names[i]:
                continue
            if kinds[0] in (ARG_STAR, ARG_STAR2):
                self.unknown.add(names[i])
            else:
                self.by_name[names[i]] = (exprs[0], types[0])

    def tensor(self, name: str) -> TensorInfo | None:
        arg = self.by_name.get(name)
        return None if arg is None else tensor_info(arg[1])

    def unknown_tensor(self, name: str) -> bool:
        """Whether the argument may be a tensor that the checker knows nothing about (Any, or
        filled from *args): its dtype, device and tape are unknown, never another operand's."""
        if name in self.unknown:
            return True
        arg = self.by_name.get(name)
        return arg is not None and isinstance(get_proper_type(arg[1]), AnyType)

    def value(self, name: str, default: object) -> object:
        if name in self.unknown:
            return UNKNOWN
        arg = self.by_name.get(name)
        return default if arg is None else literal_value(*arg)

    def expr(self, name: str) -> Expression | None:
        arg = self.by_name.get(name)
        return None if arg is None else arg[0]


def _result(
    ctx: Context,
    shape: Shape | str | None,
    inputs: list[TensorInfo | None],
    dtype: Type | None = None,
    *,
    unknown: bool = False,
    dtype_inputs: list[TensorInfo | None] | None = None,
) -> Type:
    """The declared result with the computed shape (SAME: the first input's shape type, a
    user's TypeVar say); dtype, device and tape from the inputs (the relaxed signature lost
    them): the first input's, and the tape of any traced one.

    Only what is known goes in: `unknown` says some tensor operand is Any (it may carry a
    tape, so only a known OwnedTape settles the tape), and the dtype comes from `dtype_inputs`
    (default: all inputs), the operands that share the result's dtype; none known: Any."""
    result = tensor_info(ctx.default_return_type)
    known = [t for t in inputs if t is not None]
    if not known:  # nothing known about the inputs (Any): say nothing either
        return AnyType(TypeOfAny.special_form) if result is not None else ctx.default_return_type
    anything = AnyType(TypeOfAny.special_form)
    tape: Type = anything if unknown else known[0].tape
    for other in known if unknown else known[1:]:
        tape = merge_tapes(ctx.api, get_proper_type(tape), other.tape)
    if dtype is None and result is not None and class_name(result.dtype):
        dtype = result.dtype
    if dtype is None:
        sharing = known if dtype_inputs is None else [t for t in dtype_inputs if t is not None]
        dtype = sharing[0].dtype if sharing else anything
    like = result.instance if result is not None and shape != KEEP else known[0].instance
    if shape == SAME:
        like = like.copy_modified(args=[known[0].instance.args[0], *like.args[1:]])
        shape = KEEP
    return make_tensor(ctx.api, like, shape, dtype, known[0].device, tape)


def _same_kind(
    ctx: Context, op: str, tensors: list[TensorInfo | None], *, weights: bool = False
) -> bool:
    """[dtype] or [device] when known kinds differ. `weights`: the first tensor is the data,
    the others weights, so the message says to convert the data (as at run time)."""
    known = [t for t in tensors if t is not None]
    if weights and tensors and tensors[0] is not None:
        names = [class_name(t.dtype) for t in known]
        if all(names) and len(set(names)) > 1:
            short = [name.rsplit(".", 1)[-1] for name in names if name]
            agree = len(set(short[1:])) == 1
            other = next(n for n in short[1:] if n != short[0])
            message = dtypes.mismatch(op, short[0], other, weights=agree)
            ctx.api.fail(message, ctx.context, code=DTYPE)
            return False
    return all(check_same_kind(ctx.api, op, known[0], t, ctx.context) for t in known[1:])


def _shapes_known(*tensors: TensorInfo | None) -> bool:
    return all(t is not None and t.shape is not None for t in tensors)


def _check_operands(call: Call, op: str, operands: tuple[str, ...]) -> None:
    """The relaxed signature takes any object where a tensor goes: say so for what is not one.
    A name ending in `?` may also be None, in `#` a Python number."""
    options = call.ctx.api.options
    for spec in operands:
        name = spec.rstrip("?#")
        arg = call.by_name.get(name)
        if arg is None:
            continue
        proper = get_proper_type(arg[1])
        items = proper.items if isinstance(proper, UnionType) else [proper]
        for item in map(get_proper_type, items):
            if isinstance(item, NoneType) and spec.endswith("?"):
                continue
            if isinstance(item, LiteralType | Instance) and tensor_info(item) is None:
                fullname = (item.fallback if isinstance(item, LiteralType) else item).type.fullname
                if spec.endswith("#") and fullname in NUMBERS:
                    continue
            elif not isinstance(item, NoneType):
                continue  # a tensor, Any, a TypeVar: the rules below handle it
            call.ctx.api.fail(
                f'{op}: argument "{name}" must be a Tensor, got {format_type(arg[1], options)}',
                call.ctx.context,
                code=errorcodes.ARG_TYPE,
            )
            break


def _hook(
    rule: Callable[[Call], Shape | str | None],
    operands: tuple[str, ...],
    lead: tuple[str, ...] = (),
    dtype: Callable[[Call], Type | None] | None = None,
    other_dtype: tuple[str, ...] = (),
) -> Callable[[Context], Type]:
    """A function hook: `rule` gives the shape; the result's dtype and device are those of the
    first tensor among the `lead` arguments, else of the first tensor argument; operands in
    `other_dtype` (a Bool cond, Int64 indices) do not give the result's dtype."""

    def hook(ctx: Context) -> Type:
        call = Call(ctx)
        _check_operands(call, _callee_name(ctx), operands)
        shape = rule(call)
        order = [
            *(n for n in lead if n in call.by_name),
            *(n for n in call.by_name if n not in lead),
        ]
        listed, count_known = _items(call, "tensors")
        names = [spec.rstrip("?#") for spec in operands]
        unknown = any(call.unknown_tensor(name) for name in names)
        unknown = unknown or call.unknown_tensor("tensors") or None in listed
        if not listed and not count_known and "tensors" in (*call.by_name, *call.unknown):
            unknown = True  # a sequence of tensors the checker cannot read
        inputs = [
            (name, info)
            for name in order
            if (info := tensor_info(call.by_name[name][1])) is not None
        ]
        known: list[TensorInfo | None] = [*listed, *(info for _, info in inputs)]
        sharing: list[TensorInfo | None] = [
            *listed,
            *(info for name, info in inputs if name not in other_dtype),
        ]
        return _result(
            ctx,
            shape,
            known,
            None if dtype is None else dtype(call),
            unknown=unknown,
            dtype_inputs=sharing,
        )

    return hook


def _linear(call: Call) -> Shape | None:
    x, weight, bias = call.tensor("x"), call.tensor("weight"), call.tensor("bias")
    if not _same_kind(call.ctx, "linear", [x, weight, bias], weights=True) or not _shapes_known(
        x, weight
    ):
        return None
    assert x is not None and weight is not None
    bias_shape = bias.shape if bias is not None else None
    return run_rule(call.ctx, shapes.linear, x.shape, weight.shape, bias_shape)


def _ints_or_none(value: object) -> Any:
    if value in ("same", "valid"):  # conv2d's padding strings: the rule reads them
        return value
    if isinstance(value, int) or (
        isinstance(value, tuple) and all(isinstance(v, int) for v in value)
    ):
        return value
    return UNKNOWN


def _conv(transposed: bool) -> Callable[[Call], Shape | None]:
    def rule(call: Call) -> Shape | None:
        op = "conv_transpose2d" if transposed else "conv2d"
        x, weight, bias = call.tensor("x"), call.tensor("weight"), call.tensor("bias")
        if not _same_kind(call.ctx, op, [x, weight, bias], weights=True) or not _shapes_known(
            x, weight
        ):
            return None
        assert x is not None and weight is not None
        options = {
            name: _ints_or_none(call.value(name, default))
            for name, default in (("stride", 1), ("padding", 0), ("dilation", 1), ("groups", 1))
        }
        if transposed:
            options["output_padding"] = _ints_or_none(call.value("output_padding", 0))
        if any(v is UNKNOWN for v in options.values()):
            return None
        rule_fn = shapes.conv_transpose2d if transposed else shapes.conv2d
        bias_shape = bias.shape if bias is not None else None
        return run_rule(call.ctx, rule_fn, x.shape, weight.shape, bias=bias_shape, **options)

    return rule


def _pool(op: str, rule_fn: Callable[..., Shape] = shapes.pool2d) -> Callable[[Call], Shape | None]:
    """max/avg pools (2d by default; ops_conv passes shapes.pool1d)."""

    def rule(call: Call) -> Shape | None:
        x = call.tensor("x")
        kernel = _ints_or_none(call.value("kernel_size", UNKNOWN))
        stride = call.value("stride", None)
        stride = stride if stride is None else _ints_or_none(stride)
        padding = _ints_or_none(call.value("padding", 0))
        ceil_mode = call.value("ceil_mode", False)
        dilation = _ints_or_none(call.value("dilation", 1))
        if (
            x is None
            or x.shape is None
            or UNKNOWN in (kernel, stride, padding, ceil_mode, dilation)
        ):
            return None
        return run_rule(
            call.ctx, rule_fn, op, x.shape, kernel, stride, padding, ceil_mode, dilation
        )

    return rule


def _softmax(op: str) -> Callable[[Call], Shape | str | None]:
    def rule(call: Call) -> Shape | str | None:
        x, axis = call.tensor("x"), call.value("axis", -1)
        if x is None or x.shape is None or not isinstance(axis, int):
            return None if x is None else SAME
        # a rank-0 tensor is one class: axis -1 or 0, as at run time (and in torch)
        run_rule(call.ctx, shapes.normalize_axis, op, axis, max(len(x.shape), 1))
        return x.shape

    return rule


def _layer_norm(call: Call) -> Shape | str | None:
    x, weight, bias = call.tensor("x"), call.tensor("weight"), call.tensor("bias")
    if not _same_kind(call.ctx, "layer_norm", [x, weight, bias], weights=True) or x is None:
        return None
    covered = weight if weight is not None else bias
    if x.shape is not None and covered is not None and covered.shape is not None:
        run_rule(call.ctx, shapes.normalized, "layer_norm", x.shape, covered.shape)
    return SAME


def _embedding(call: Call) -> Shape | None:
    indices, weight = call.tensor("indices"), call.tensor("weight")
    if not _shapes_known(indices, weight):
        return None
    assert indices is not None and weight is not None
    return run_rule(call.ctx, shapes.embedding, indices.shape, weight.shape)


def _attention(call: Call) -> Shape | None:
    q, k, v, mask = (call.tensor(n) for n in ("q", "k", "v", "mask"))
    mask = mask or call.tensor("attn_mask")  # torch's name for the same argument
    if not _same_kind(call.ctx, "scaled_dot_product_attention", [q, k, v]):
        return None
    if not _shapes_known(q, k, v):
        return None
    assert q is not None and k is not None and v is not None
    gqa = call.value("enable_gqa", False)
    if not isinstance(gqa, bool):
        return None
    mask_shape = mask.shape if mask is not None else None
    return run_rule(call.ctx, shapes.attention, q.shape, k.shape, v.shape, mask_shape, gqa)


def _items(call: Call, name: str) -> tuple[list[TensorInfo | None], bool]:
    """The tensors of the sequence argument of concat/stack, and whether their count is known:
    a literal list or tuple (or a tuple type) gives each item, a `list[Tensor[...]]` or other
    sequence its element type once. None for an item that is not known to be a tensor."""
    expr, arg = call.expr(name), call.by_name.get(name)
    if arg is None:
        return [], False
    api: Any = call.ctx.api
    if isinstance(expr, (ListExpr, TupleExpr)):
        items: list[TensorInfo | None] = []
        for item in expr.items:
            if isinstance(item, StarExpr):  # [*frames, x]: frames' element, a count unknown
                return [*items, *_items_of_type(api.get_expression_type(item.expr))[0]], False
            items.append(tensor_info(api.get_expression_type(item)))
        return items, True
    return _items_of_type(arg[1])


def _items_of_type(typ: Type) -> tuple[list[TensorInfo | None], bool]:
    proper = get_proper_type(typ)
    if isinstance(proper, TupleType):
        return [tensor_info(item) for item in proper.items], True
    if not isinstance(proper, Instance) or tensor_info(proper) is not None:
        return [], False
    iterable = next((base for base in proper.type.mro if base.fullname == ITERABLE), None)
    if iterable is None:
        return [], False
    element = map_instance_to_supertype(proper, iterable).args[0]
    return [tensor_info(element)], False


def _joined(op: str) -> Callable[[Call], Shape | None]:
    def rule(call: Call) -> Shape | None:
        items, count_known = _items(call, "tensors")
        axis = call.value("axis", 0)
        rule_fn = shapes.concat if op == "concat" else shapes.stack
        if not items and count_known:  # sh.stack([]): "needs at least one tensor", as at run time
            return run_rule(call.ctx, rule_fn, [], axis if isinstance(axis, int) else 0)
        if not items or not _same_kind(call.ctx, op, items) or not isinstance(axis, int):
            return None
        if not all(t is not None and t.shape is not None for t in items):
            return None
        known = [t.shape for t in items if t is not None and t.shape is not None]
        if count_known:
            return run_rule(call.ctx, rule_fn, known, axis)
        # a sequence of unknown length: every dim but the joined one is known
        return run_rule(call.ctx, shapes.joined_many, op, known, axis)

    return rule


def _where(call: Call) -> Shape | None:
    """cond, a and b broadcast together; a Python number counts as shape ()."""
    parts = {name: call.tensor(name) for name in ("cond", "a", "b")}
    cond = parts["cond"]
    kind = class_name(cond.dtype) if cond is not None else None
    if kind is not None and kind != "shaped.dtypes.Bool":  # the relaxed signature let it in
        call.ctx.api.fail(
            f"where: cond must be a Bool tensor, got {kind.rsplit('.', 1)[-1]}; compare to make "
            "one, e.g. x > 0",
            call.ctx.context,
            code=DTYPE,
        )
    if not _same_kind(call.ctx, "where", [parts["a"], parts["b"]]):
        return None
    dims: list[Shape] = []
    for name, info in parts.items():
        if info is not None:
            if info.shape is None:
                return None
            dims.append(info.shape)
            continue
        arg = call.by_name.get(name)
        proper = get_proper_type(arg[1]) if arg is not None else None
        if not isinstance(proper, Instance) or proper.type.fullname not in NUMBERS:
            return None
        dims.append(())
    return run_rule(call.ctx, shapes.broadcast, "where", *dims)


def _where_dtype(call: Call) -> Type | None:
    """Two Python numbers give Float32 if either is a float, Bool if both are bools, else Int64."""
    if call.tensor("a") is not None or call.tensor("b") is not None:
        return None
    names = set()
    for name in ("a", "b"):
        arg = call.by_name.get(name)
        proper = get_proper_type(arg[1]) if arg is not None else None
        names.add(proper.type.fullname if isinstance(proper, Instance) else None)
    if not names <= set(NUMBERS):
        return None
    kind = "Float32" if "builtins.float" in names else "Bool" if names == {NUMBERS[2]} else "Int64"
    return named(call.ctx.api, f"shaped.dtypes.{kind}")


def _matmul(call: Call) -> Shape | None:
    a, b = call.tensor("a"), call.tensor("b")
    if not _same_kind(call.ctx, "matmul", [a, b]) or not _shapes_known(a, b):
        return None
    assert a is not None and b is not None
    return run_rule(call.ctx, shapes.matmul, a.shape, b.shape)


def _callee_name(ctx: Context) -> str:
    callee = ctx.context.callee if isinstance(ctx.context, CallExpr) else None
    if isinstance(callee, (NameExpr, MemberExpr)):
        return callee.name
    return "loss"


def _is_float(info: TensorInfo | None) -> bool:
    marker = dtype_marker(info.dtype) if info is not None else None
    return marker is not None and marker.is_float


ReductionOf = Callable[[Context, Call], object]


def _reduction_argument(ctx: Context, call: Call) -> object:
    return call.value("reduction", "mean")


def _loss(
    class_targets: bool, op_name: str | None = None, reduction_of: ReductionOf | None = None
) -> Callable[[Context], Type]:
    """Losses: batch and class dims must agree; 'none' keeps the per-item shape. A loss
    module's call names its function (`op_name`) and reads its reduction from its type."""

    def hook(ctx: Context) -> Type:
        call = Call(ctx)
        op = op_name or _callee_name(ctx)
        _check_operands(call, op, ("input", "target"))
        x, target = call.tensor("input"), call.tensor("target")
        reduction = (reduction_of or _reduction_argument)(ctx, call)
        if x is None or target is None:  # an Any operand: a reduced loss is still a scalar
            # the loss has the input's dtype; a float target shares it, class indices do not
            sharing = [x] if class_targets and not _is_float(target) else [x, target]
            return _result(
                ctx,
                () if reduction in ("mean", "sum") else None,
                [x, target],
                unknown=call.unknown_tensor("input") or call.unknown_tensor("target"),
                dtype_inputs=sharing,
            )
        target_dtype = class_name(target.dtype)
        index_target = class_targets and target_dtype in (
            "shaped.dtypes.Int64",
            "shaped.dtypes.Int32",
        )
        if class_targets and target_dtype is None and x.shape is not None:
            # dtype unknown (Any, a TypeVar): class indices have one axis fewer than the logits
            index_target = target.shape is not None and len(target.shape) == len(x.shape) - 1
        inputs: list[TensorInfo | None] = [x] if index_target else [x, target]
        if not index_target and not _same_kind(ctx, op, [x, target]):
            return _result(ctx, None, inputs)
        if class_targets:
            _class_weight(ctx, call, op, x)
        per_item: Shape | None = None
        if x.shape is not None and target.shape is not None:
            if index_target:
                per_item = run_rule(ctx, shapes.class_target, op, x.shape, target.shape)
            else:
                per_item = run_rule(ctx, shapes.same_shape, op, x.shape, target.shape)
                if class_targets and per_item is not None:  # probabilities: drop the class axis
                    per_item = (per_item[0], *per_item[2:]) if len(per_item) > 1 else ()
        if not isinstance(reduction, str):
            return _result(ctx, None, inputs)
        if reduction != "none":
            return _result(ctx, run_rule(ctx, shapes.loss_output, (), reduction), inputs)
        return _result(ctx, per_item, inputs)

    return hook


def _class_weight(ctx: Context, call: Call, op: str, x: TensorInfo) -> None:
    """cross_entropy's and nll_loss's weight: the logits' dtype and device, shape (C,)."""
    from shaped import shapes_nn

    weight = call.tensor("weight")
    if weight is None or not _same_kind(ctx, op, [x, weight]):
        return
    if x.shape and weight.shape is not None:
        classes = x.shape[0 if len(x.shape) == 1 else 1]
        run_rule(ctx, shapes_nn.class_weight, op, classes, weight.shape)


def relax_signature(ctx: FunctionSigContext | MethodSigContext) -> FunctionLike:
    """Tensor parameters accept any tensor: the hook reports dtype/device mix-ups by code."""
    # object, not Any: an Any context would make mypy infer Any for the argument's own TypeVars
    anything = ctx.api.named_generic_type("builtins.object", [])
    signature = ctx.default_signature
    relaxed = [anything if "Tensor[" in str(t) else t for t in signature.arg_types]
    return signature.copy_modified(arg_types=relaxed)


relax_method_signature = relax_signature


FUNCTION_HOOKS: dict[str, Callable[[Any], Type]] = {
    "shaped.ops.linalg.linear": _hook(_linear, ("x", "weight", "bias?")),
    "shaped.ops.conv.conv2d": _hook(_conv(False), ("x", "weight", "bias?")),
    "shaped.ops.conv.conv_transpose2d": _hook(_conv(True), ("x", "weight", "bias?")),
    "shaped.ops.conv.avg_pool2d": _hook(_pool("avg_pool2d"), ("x",)),
    "shaped.ops.nn.softmax": _hook(_softmax("softmax"), ("x",)),
    "shaped.ops.nn.log_softmax": _hook(_softmax("log_softmax"), ("x",)),
    "shaped.ops.nn.layer_norm": _hook(_layer_norm, ("x", "weight?", "bias?")),
    "shaped.ops.nn.embedding": _hook(
        _embedding, ("indices", "weight"), lead=("weight",), other_dtype=("indices",)
    ),
    # F.embedding with torch's padding_idx and max_norm (the same rule)
    "shaped.ops.norms.embedding": _hook(
        _embedding, ("indices", "weight"), lead=("weight",), other_dtype=("indices",)
    ),
    "shaped.ops.nn.scaled_dot_product_attention": _hook(_attention, ("q", "k", "v", "mask?")),
    "shaped.functions.concat": _hook(_joined("concat"), ()),
    "shaped.functions.stack": _hook(_joined("stack"), ()),
    "shaped.functions.where": _hook(
        _where, ("cond", "a#", "b#"), lead=("a", "b"), dtype=_where_dtype, other_dtype=("cond",)
    ),
    "shaped.functions.matmul": _hook(_matmul, ("a", "b")),
}


def _keeping_symbolic(hook: Callable[[Any], Type]) -> Callable[[Any], Type]:
    def wrapped(ctx: Context) -> Type:
        inputs = [typ for types in ctx.arg_types for typ in types]
        return keep_symbolic(hook(ctx), ctx.default_return_type, inputs)

    return wrapped


FUNCTION_HOOKS["shaped.nn.functional.relu"] = not_bool_method("relu")
FUNCTION_HOOKS = {name: _keeping_symbolic(hook) for name, hook in FUNCTION_HOOKS.items()}
PAIR_LOSS = _keeping_symbolic(_loss(False))
CLASS_LOSS = _keeping_symbolic(_loss(True))


# ---------------------------------------------------------------- losses of more operands (issue 12)


def _operand_shape(call: Call, name: str, like: Shape | None) -> Shape | None:
    """A loss operand's shape: a tensor's; a list or tuple of ints (CTC lengths) is (len,), an
    int (); a Python number (gaussian_nll_loss's var) is shaped like `like`; else unknown."""
    info = call.tensor(name)
    if info is not None:
        return info.shape
    arg = call.by_name.get(name)
    if arg is None or name in call.unknown:
        return None
    expr, typ = arg
    if isinstance(expr, ListExpr | TupleExpr) and not any(
        isinstance(item, StarExpr) for item in expr.items
    ):
        return (len(expr.items),)
    proper = get_proper_type(typ)
    fallback = proper.fallback if isinstance(proper, LiteralType) else proper
    if isinstance(fallback, Instance) and fallback.type.fullname == "builtins.int":
        return ()
    if isinstance(fallback, Instance) and fallback.type.fullname == "builtins.float":
        return like
    return None


def _drop_last(op: str, input: Shape, target: Shape) -> Shape:
    """multilabel_soft_margin_loss: input and target of one shape, one loss per row."""
    shape = shapes.same_shape(op, input, target)
    return shape[:-1]


def _same_labels(op: str, input: Shape, target: Shape) -> Shape:
    return shapes.same_shape(op, input, target)


def _multi_loss(
    operands: tuple[str, ...],
    rule: Callable[..., Shape],
    floats: tuple[str, ...],
    traced: tuple[str, ...],
    op_name: str | None = None,
    reduction_of: ReductionOf | None = None,
) -> Callable[[Context], Type]:
    """A loss of several operands: the `floats` share dtype and device, `rule(op, *shapes)`
    gives the per-item shape, the tape comes from the `traced` operands (labels compared to 1
    and -1 carry none), the dtype from the first operand."""

    def hook(ctx: Context) -> Type:
        call = Call(ctx)
        op = op_name or _callee_name(ctx)
        # gaussian_nll_loss's var may be a Python number
        specs = tuple(n + "#" if n == "var" else n for n in operands if n in floats)
        _check_operands(call, op, specs)
        infos = {name: call.tensor(name) for name in operands}
        reduction = (reduction_of or _reduction_argument)(ctx, call)
        tape_inputs = [infos[name] for name in traced]
        sharing = [infos[name] for name in floats]
        unknown = any(call.unknown_tensor(name) for name in traced)
        if not _same_kind(ctx, op, sharing):
            return _result(ctx, None, tape_inputs, unknown=unknown, dtype_inputs=sharing)
        first = infos[operands[0]]
        like = first.shape if first is not None else None
        found = [_operand_shape(call, name, like) for name in operands]
        per_item: Shape | None = None
        if all(shape is not None for shape in found):
            per_item = run_rule(ctx, rule, op, *found)
        if not isinstance(reduction, str):
            shape: Shape | None = None
        elif reduction != "none":
            shape = run_rule(ctx, shapes.loss_output, (), reduction)
        else:
            shape = per_item
        return _result(ctx, shape, tape_inputs, unknown=unknown, dtype_inputs=sharing)

    return hook


def _loss_kinds(
    op_name: str | None = None, reduction_of: ReductionOf | None = None
) -> dict[str, Callable[[Any], Type]]:
    """Each kind of loss hook, for a function (op and reduction from the call) or a module."""
    from shaped import shapes_nn

    two, three = ("input", "target"), ("input1", "input2", "target")
    triple = ("anchor", "positive", "negative")
    gaussian = ("input", "target", "var")
    ctc = ("log_probs", "targets", "input_lengths", "target_lengths")
    kinds: dict[str, Callable[[Any], Type]] = {
        "pair": _loss(False, op_name, reduction_of),
        "class": _loss(True, op_name, reduction_of),
        "hinge": _multi_loss(two, _same_labels, ("input",), ("input",), op_name, reduction_of),
        "multilabel": _multi_loss(two, _drop_last, two, two, op_name, reduction_of),
        "cosine": _multi_loss(
            three, shapes_nn.cosine_embedding, three[:2], three[:2], op_name, reduction_of
        ),
        "ranking": _multi_loss(
            three, shapes_nn.margin_ranking, three, three, op_name, reduction_of
        ),
        "triplet": _multi_loss(
            triple, shapes_nn.triplet_margin, triple, triple, op_name, reduction_of
        ),
        "gaussian": _multi_loss(
            gaussian, shapes_nn.gaussian_nll, gaussian, gaussian, op_name, reduction_of
        ),
        "ctc": _multi_loss(ctc, shapes_nn.ctc, ctc[:1], ctc[:1], op_name, reduction_of),
    }
    return {kind: _keeping_symbolic(hook) for kind, hook in kinds.items()}


LOSS_KINDS = _loss_kinds()
# losses are callable objects (a Protocol gives each its overloads): their calls are methods
LOSS_HOOKS: dict[str, Callable[[Any], Type]] = {
    "shaped.losses._PairLoss.__call__": PAIR_LOSS,
    "shaped.losses._HuberLoss.__call__": PAIR_LOSS,
    "shaped.losses._SmoothL1Loss.__call__": PAIR_LOSS,
    "shaped.losses._ClassLoss.__call__": CLASS_LOSS,
    "shaped.losses_more._CrossEntropy.__call__": CLASS_LOSS,
    "shaped.losses_more._BinaryLoss.__call__": PAIR_LOSS,
    "shaped.losses_more._BinaryLogitsLoss.__call__": PAIR_LOSS,
    "shaped.losses_more._KlDivLoss.__call__": PAIR_LOSS,
    **{
        f"shaped.losses_more._{name}.__call__": LOSS_KINDS[kind]
        for name, kind in [
            ("SoftMarginLoss", "pair"),
            ("PoissonNllLoss", "pair"),
            ("HingeEmbeddingLoss", "hinge"),
            ("MultilabelSoftMarginLoss", "multilabel"),
            ("MultiMarginLoss", "class"),
            ("CosineEmbeddingLoss", "cosine"),
            ("MarginRankingLoss", "ranking"),
            ("TripletLoss", "triplet"),
            ("GaussianNllLoss", "gaussian"),
            ("CtcLoss", "ctc"),
        ]
    },
}


def _module_reduction(ctx: Context, call: Call) -> object:
    """A loss module's reduction: the literal of its type parameter R (UNKNOWN otherwise)."""
    module = get_proper_type(getattr(ctx, "type", None))
    if not isinstance(module, Instance):
        return UNKNOWN
    base = next((info for info in module.type.mro if info.fullname == LOSS_BASE), None)
    if base is None:
        return UNKNOWN
    mapped = map_instance_to_supertype(module, base)
    arg = get_proper_type(mapped.args[0]) if mapped.args else None
    if isinstance(arg, LiteralType) and isinstance(arg.value, str):
        return arg.value
    return UNKNOWN


LOSS_BASE = "shaped.nn.loss._Loss"
# criterion(logits, labels) and criterion.forward(...) are checked as the function is
for _module, (_kind, _op) in layers_loss.LOSS_MODULES.items():
    _hook_of_module = _loss_kinds(_op, _module_reduction)[_kind]
    LOSS_HOOKS[f"{_module}.__call__"] = LOSS_HOOKS[f"{_module}.forward"] = _hook_of_module
