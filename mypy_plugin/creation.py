"""Hooks for creating tensors on a device: literal shapes and dtypes from the values written."""

from __future__ import annotations

from typing import Any

from mypy.nodes import (
    CallExpr,
    Expression,
    FloatExpr,
    IntExpr,
    ListExpr,
    NameExpr,
    TupleExpr,
    UnaryExpr,
)
from mypy.plugin import MethodContext, MethodSigContext
from mypy.types import (
    AnyType,
    CallableType,
    FunctionLike,
    Instance,
    Type,
    TypeOfAny,
    TypeType,
    get_proper_type,
)

from shaped import dtypes, shapes
from shaped.errors import ShapeError
from shaped.shapes import Shape

from .tensor_hooks import MethodHook, _ints, _named_arg, _value, run_rule
from .types import (
    DTYPE,
    NO_TAPE,
    SHAPE,
    UNKNOWN,
    TensorInfo,
    dtype_marker,
    make_tensor,
    named,
    shape_of,
    tensor_info,
)


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
    if skeleton is UNKNOWN:  # an array: the overloads read its dtype from numpy's stubs
        return _from_array(ctx, result, data)
    try:  # a ragged list was reported once, by tensor_signature
        shape: Shape | None = shapes.nested_shape(skeleton)
    except ShapeError:
        shape = None
    dtype = None
    if _named_arg(ctx, "dtype", 1) is None:
        kinds = _kinds(skeleton)
        name = "Float32" if float in kinds or not kinds else "Int64" if int in kinds else "Bool"
        dtype = named(ctx.api, f"shaped.dtypes.{name}")
    return make_tensor(ctx.api, result.instance, shape, dtype)


def tensor_signature(ctx: MethodSigContext) -> FunctionLike:
    """A ragged list is reported here, once: the method hook runs on every overload mypy
    tries, and an error there would make each of them fail to match."""
    data = ctx.args[0][0] if ctx.args and ctx.args[0] else None
    skeleton = _skeleton(data) if data is not None else UNKNOWN
    if skeleton is not UNKNOWN:
        try:
            shapes.nested_shape(skeleton)
        except ShapeError as error:
            ctx.api.fail(str(error), ctx.context, code=SHAPE)
    return ctx.default_signature


def _from_array(
    ctx: MethodContext, result: TensorInfo, data: tuple[Expression | None, Type]
) -> Type:
    """An array: rank unknown, the dtype numpy's stubs give (the overloads read it), no tape.

    An array of unknown dtype (`NDArray[Any]`) matches several overloads, which mypy would
    erase to Tensor[Any, Any, Any, Any]: every match answers the same here, so the device and
    the tape stay known and the dtype stays unknown, never a guessed one."""
    if _named_arg(ctx, "dtype", 1) is not None:
        return ctx.default_return_type
    typ = data[1]
    if isinstance(data[0], CallExpr):  # np.zeros(..., dtype=np.float32): inferred in context
        typ = _without_context(ctx, data[0])
    dtype = _array_dtype(ctx, typ)
    if dtype is None and not _unknown_dtype(typ):
        return ctx.default_return_type
    dtype = dtype or AnyType(TypeOfAny.special_form)
    return make_tensor(ctx.api, result.instance, None, dtype, ctx.type, named(ctx.api, NO_TAPE))


def _without_context(ctx: MethodContext, expr: Expression) -> Type:
    """An argument's type inferred on its own: mypy infers a generic call such as
    `np.zeros(3, dtype=np.float32)` in the context of each overload, which loses its dtype."""
    api: Any = ctx.api
    with api.msg.filter_errors(), api.local_type_map:
        return api.expr_checker.accept(expr)  # type: ignore[no-any-return]


NBIT = "numpy._typing._nbit_base."
NUMPY_DTYPES = {  # numpy's scalar types as its stubs spell them: float32 is floating[_32Bit]
    ("numpy.float64", None): "Float64",
    ("numpy.floating", NBIT + "_64Bit"): "Float64",
    ("numpy.floating", NBIT + "_32Bit"): "Float32",
    ("numpy.floating", NBIT + "_16Bit"): "Float16",
    ("numpy.signedinteger", NBIT + "_64Bit"): "Int64",
    ("numpy.signedinteger", NBIT + "_32Bit"): "Int32",
    ("numpy.bool", None): "Bool",
}


def _array_dtype(ctx: MethodContext, typ: Type) -> Type | None:
    """shaped's dtype for a numpy array type of one of its six dtypes, else None."""
    proper = get_proper_type(typ)
    if not isinstance(proper, Instance) or proper.type.fullname != "numpy.ndarray":
        return None
    dtype = get_proper_type(proper.args[1]) if len(proper.args) == 2 else None
    scalar = get_proper_type(dtype.args[0]) if isinstance(dtype, Instance) and dtype.args else None
    if not isinstance(scalar, Instance):
        return None
    bits = get_proper_type(scalar.args[0]) if scalar.args else None
    key = (scalar.type.fullname, bits.type.fullname if isinstance(bits, Instance) else None)
    name = NUMPY_DTYPES.get(key)
    return None if name is None else named(ctx.api, f"shaped.dtypes.{name}")


def _unknown_dtype(data: Type) -> bool:
    """Any, or a numpy array whose dtype the checker does not know (NDArray[Any])."""
    proper = get_proper_type(data)
    if isinstance(proper, AnyType):
        return True
    if not isinstance(proper, Instance) or proper.type.fullname != "numpy.ndarray":
        return False
    dtype = get_proper_type(proper.args[1]) if len(proper.args) == 2 else None
    if isinstance(dtype, Instance) and dtype.type.fullname == "numpy.dtype" and dtype.args:
        dtype = get_proper_type(dtype.args[0])
    return isinstance(dtype, AnyType)


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
        if op in ("randn", "rand"):
            _check_sampled(ctx, op)
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
    bounds = (0, start, step) if stop is None else (start, stop, step)
    shape = run_rule(ctx, shapes.arange, *(None if v is UNKNOWN else v for v in bounds))
    return make_tensor(ctx.api, result.instance, shape or (None,), dtype)


def eye(ctx: MethodContext) -> Type:
    """eye(n, m) is n x m (m defaults to n); no size may be negative, as at run time."""
    result = tensor_info(ctx.default_return_type)
    n, m = _value(ctx, "n", 0, UNKNOWN), _value(ctx, "m", 1, None)
    if result is None:
        return ctx.default_return_type
    rows = n if isinstance(n, int) and not isinstance(n, bool) else None
    cols = rows if m is None else m if isinstance(m, int) and not isinstance(m, bool) else None
    shape = run_rule(ctx, shapes.created, "eye", (rows, cols))
    return make_tensor(ctx.api, result.instance, shape or (None, None))


def _check_sampled(ctx: MethodContext, op: str) -> None:
    """randn/rand draw floats only: another dtype is [dtype], with the run time's message."""
    arg = _named_arg(ctx, "dtype", 1)
    proper = get_proper_type(arg[1]) if arg is not None else None
    if isinstance(proper, CallableType) and proper.is_type_obj():  # the class itself: sh.Int64
        proper = TypeType(proper.ret_type)
    if not isinstance(proper, TypeType):
        return
    marker = dtype_marker(get_proper_type(proper.item))
    message = dtypes.sampled(op, marker) if marker is not None else None
    if message is not None:
        ctx.api.fail(message, ctx.context, code=DTYPE)


DEVICE_HOOKS: dict[str, MethodHook] = {
    "tensor": tensor,
    **{op: _shaped_by(op, "shape") for op in ("zeros", "ones", "randn", "rand")},
    "full": _shaped_by("full", "shape", filled=True),
    "arange": arange,
    "eye": eye,
}
