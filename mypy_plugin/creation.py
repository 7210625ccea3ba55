"""Hooks for creating tensors on a device: literal shapes and dtypes from the values written."""

from __future__ import annotations

from mypy.nodes import (
    Expression,
    FloatExpr,
    IntExpr,
    ListExpr,
    NameExpr,
    TupleExpr,
    UnaryExpr,
)
from mypy.plugin import MethodContext
from mypy.types import Instance, Type, get_proper_type

from .tensor_hooks import MethodHook, _ints, _named_arg, _value, run_rule
from .types import UNKNOWN, make_tensor, named, shape_of, tensor_info
from shaped import shapes
from shaped.shapes import Shape


def _skeleton(expr: Expression) -> object:
    """A nested list literal as Python values (numbers replaced by their kind), or UNKNOWN."""
    if isinstance(expr, (ListExpr, TupleExpr)):
        items = [_skeleton(item) for item in expr.items]
        return UNKNOWN if any(i is UNKNOWN for i in items) else items
    if isinstance(expr, UnaryExpr) and expr.op in ("-", "+"):
        return _skeleton(expr.expr)
    if isinstance(expr, IntExpr):
        return 0
    if isinstance(expr, FloatExpr):
        return 0.0
    if isinstance(expr, NameExpr) and expr.fullname in ("builtins.True", "builtins.False"):
        return False
    return UNKNOWN


def _kinds(value: object) -> set[type]:
    if isinstance(value, list):
        return set().union(*(_kinds(item) for item in value)) if value else set()
    return {type(value)}


def tensor(ctx: MethodContext) -> Type:
    """dev.tensor([[1.0, 2.0], [3.0, 4.0]]) is Tensor[tuple[L[2], L[2]]] (ints Int64, floats Float32)."""
    result = tensor_info(ctx.default_return_type)
    data = _named_arg(ctx, "data", 0)
    if result is None or data is None or data[0] is None:
        return ctx.default_return_type
    skeleton = _skeleton(data[0])
    if skeleton is UNKNOWN:
        return ctx.default_return_type
    shape = run_rule(ctx, shapes.nested_shape, skeleton)
    dtype = None
    if _named_arg(ctx, "dtype", 1) is None:
        kinds = _kinds(skeleton)
        name = "Float32" if float in kinds or not kinds else "Int64" if int in kinds else "Bool"
        dtype = named(ctx.api, f"shaped.dtypes.{name}")
    return make_tensor(ctx.api, result.instance, shape, dtype)


def _number_dtype(ctx: MethodContext, types: list[Type]) -> Type | None:
    """The dtype the run time infers from Python numbers: any float gives Float32, ints Int64."""
    names = set()
    for typ in types:
        proper = get_proper_type(typ)
        names.add(proper.type.fullname if isinstance(proper, Instance) else None)
    if names == {"builtins.bool"}:
        return named(ctx.api, "shaped.dtypes.Bool")
    if "builtins.float" in names and names <= {"builtins.float", "builtins.int"}:
        return named(ctx.api, "shaped.dtypes.Float32")
    if names == {"builtins.int"}:
        return named(ctx.api, "shaped.dtypes.Int64")
    return None


def _shaped_by(op: str, argument: str, *, filled: bool = False) -> MethodHook:
    """zeros/ones/full/randn/rand: the shape argument's literal ints become the dims."""

    def hook(ctx: MethodContext) -> Type:
        result = tensor_info(ctx.default_return_type)
        arg = _named_arg(ctx, argument, 0)
        if result is None or arg is None:
            return ctx.default_return_type
        value = _value(ctx, argument, 0, UNKNOWN)
        dims = _ints((value,) if isinstance(value, int) else value)
        if dims is None:  # some dims are not literal: read each one's type (`n: int` is unknown)
            dims = shape_of(arg[1])
        if dims is None:
            return ctx.default_return_type
        if run_rule(ctx, shapes.created, op, dims) is None:
            return make_tensor(ctx.api, result.instance, None)
        dtype = None
        fill = _named_arg(ctx, "value", 1) if filled else None
        if fill is not None and _named_arg(ctx, "dtype", 2) is None:  # full(shape, 7): Int64
            dtype = _number_dtype(ctx, [fill[1]])
        return make_tensor(ctx.api, result.instance, dims, dtype)

    return hook


def arange(ctx: MethodContext) -> Type:
    """arange(5) has 5 elements; ints give Int64 (as at run time), any float Float32."""
    result = tensor_info(ctx.default_return_type)
    if result is None:
        return ctx.default_return_type
    given = [_named_arg(ctx, name, i) for i, name in enumerate(("start", "stop", "step"))]
    dtype = None
    if _named_arg(ctx, "dtype", 3) is None:
        dtype = _number_dtype(ctx, [arg[1] for arg in given if arg is not None])
    start, stop = _value(ctx, "start", 0, UNKNOWN), _value(ctx, "stop", 1, None)
    step = _value(ctx, "step", 2, 1)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, step)) or not (
        stop is None or isinstance(stop, int)
    ):
        return make_tensor(ctx.api, result.instance, (None,), dtype)
    assert isinstance(start, int) and isinstance(step, int)
    low, high = (0, start) if stop is None else (start, stop)
    count = len(range(low, high, step)) if step else None
    return make_tensor(ctx.api, result.instance, (count,), dtype)


def eye(ctx: MethodContext) -> Type:
    result = tensor_info(ctx.default_return_type)
    n, m = _value(ctx, "n", 0, UNKNOWN), _value(ctx, "m", 1, None)
    if result is None:
        return ctx.default_return_type
    rows = n if isinstance(n, int) else None
    cols = rows if m is None else m if isinstance(m, int) else None
    shape: Shape = (rows, cols)
    return make_tensor(ctx.api, result.instance, shape)


DEVICE_HOOKS: dict[str, MethodHook] = {
    "tensor": tensor,
    **{op: _shaped_by(op, "shape") for op in ("zeros", "ones", "randn", "rand")},
    "full": _shaped_by("full", "shape", filled=True),
    "arange": arange,
    "eye": eye,
}
