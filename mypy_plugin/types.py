"""Reading and building shaped's types inside mypy: tensor shapes, dtypes, devices, tapes.

A shape is a tuple of dims: an int where the type has `Literal[n]`, None where it has `int`,
`Any` or a TypeVar. `None` for the whole shape means the rank is unknown.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import NamedTuple

from mypy.errorcodes import ErrorCode
from mypy.nodes import (
    Context,
    EllipsisExpr,
    Expression,
    IntExpr,
    ListExpr,
    MemberExpr,
    NameExpr,
    OpExpr,
    SliceExpr,
    TupleExpr,
    TypeInfo,
    UnaryExpr,
    Var,
)
from mypy.plugin import CheckerPluginInterface
from mypy.types import (
    AnyType,
    Instance,
    LiteralType,
    NoneType,
    ProperType,
    TupleType,
    Type,
    TypeOfAny,
    TypeVarType,
    get_proper_type,
)

from shaped import dtypes
from shaped.dtypes import DType
from shaped.shapes import Shape

from . import symbols

TENSOR = "shaped.tensor.Tensor"
DTYPES = "shaped.dtypes"
NO_TAPE = "shaped.dtypes.NoTape"
OWNED_TAPE = "shaped.dtypes.OwnedTape"

SHAPE = ErrorCode("shape", "A tensor shape does not fit the op", "shaped")
DTYPE = ErrorCode("dtype", "Tensors of different dtypes meet in one op", "shaped")
DEVICE = ErrorCode("device", "Tensors on different devices meet in one op", "shaped")
NO_TAPE_CODE = ErrorCode("no-tape", "backward() on a tensor that carries no tape", "shaped")


class TensorInfo(NamedTuple):
    """What a Tensor type says: its shape (None: rank unknown), dtype, device and tape."""

    shape: Shape | None
    dtype: ProperType
    device: ProperType
    tape: ProperType
    instance: Instance


def dim_of(item: Type) -> int | None:
    """A dim from a type: Literal[n] (or an int known to be literal) is n; a TypeVar is its
    probe while symbols.probing (see symbols.py); all else unknown."""
    item = get_proper_type(item)
    if isinstance(item, LiteralType) and isinstance(item.value, int):
        return int(item.value)
    if isinstance(item, Instance) and item.last_known_value is not None:
        return dim_of(item.last_known_value)
    if isinstance(item, TypeVarType) and symbols.probing():
        return symbols.probe(item)
    return None


def shape_of(shape_type: Type) -> Shape | None:
    shape_type = get_proper_type(shape_type)
    if isinstance(shape_type, TupleType):
        if any(_is_unpack(item) for item in shape_type.items):
            return None
        return tuple(dim_of(item) for item in shape_type.items)
    return None


def _is_unpack(item: Type) -> bool:
    return type(item).__name__ == "UnpackType"


def tensor_info(typ: Type) -> TensorInfo | None:
    """The parts of a Tensor type, or None when the type is not (exactly) a tensor."""
    typ = get_proper_type(typ)
    if not isinstance(typ, Instance) or not typ.type.has_base(TENSOR):
        return None
    tensor = typ if typ.type.fullname == TENSOR else _as_tensor(typ)
    if tensor is None or len(tensor.args) != 4:
        return None
    shape, dtype, device, tape = tensor.args
    return TensorInfo(
        shape_of(shape),
        get_proper_type(dtype),
        get_proper_type(device),
        get_proper_type(tape),
        tensor,
    )


def _as_tensor(typ: Instance) -> Instance | None:
    from mypy.maptype import map_instance_to_supertype

    base = next((b for b in typ.type.mro if b.fullname == TENSOR), None)
    return None if base is None else map_instance_to_supertype(typ, base)


def class_name(typ: ProperType) -> str | None:
    """The full name of a concrete class type (dtype, device or tape marker), else None."""
    return typ.type.fullname if isinstance(typ, Instance) else None


def dtype_marker(typ: ProperType) -> type[DType] | None:
    """shaped's run-time dtype class for a known dtype type (Float32, Bool, ...), else None."""
    name = class_name(typ)
    if name is None or not name.startswith(DTYPES + "."):
        return None
    marker = getattr(dtypes, name.rsplit(".", 1)[-1], None)
    return marker if isinstance(marker, type) and issubclass(marker, DType) else None


def short(typ: ProperType) -> str:
    name = class_name(typ)
    return name.rsplit(".", 1)[-1] if name else str(typ)


def int_type(api: CheckerPluginInterface) -> Instance:
    return api.named_generic_type("builtins.int", [])


def shape_type(api: CheckerPluginInterface, shape: Shape | None) -> Type:
    """tuple[Literal[2], int] from (2, None); tuple[Any, ...] for an unknown rank."""
    if shape is None:
        return api.named_generic_type("builtins.tuple", [AnyType(TypeOfAny.special_form)])
    integer = int_type(api)
    # a dim computed from TypeVars (H_out of a conv on H) is `int`, as pure typing says: a
    # forward that declares it H is wrong unless the size really is H (padding)
    items: list[Type] = [
        integer
        if d is None
        else symbols.variable(d) or integer
        if symbols.is_symbolic(d)
        else LiteralType(d, fallback=integer)
        for d in shape
    ]
    return TupleType(items, fallback=api.named_generic_type("builtins.tuple", [integer]))


KEEP = "keep"  # make_tensor: keep `like`'s shape type as it is (a TypeVar, say)


def make_tensor(
    api: CheckerPluginInterface,
    like: Instance,
    shape: Shape | str | None,
    dtype: Type | None = None,
    device: Type | None = None,
    tape: Type | None = None,
) -> Instance:
    """A Tensor type like `like` (a Tensor instance from tensor_info) with parts replaced."""
    args = list(like.args)
    if not isinstance(shape, str):
        args[0] = shape_type(api, shape)
    for i, value in ((1, dtype), (2, device), (3, tape)):
        if value is not None:
            args[i] = value
    return Instance(like.type, args)


def named(api: CheckerPluginInterface, fullname: str) -> Instance:
    """An instance of a class by its full name, looked up in its own module."""
    module, _, name = fullname.rpartition(".")
    modules = getattr(api, "modules", {})
    node = modules[module].names[name].node if module in modules else None
    if isinstance(node, TypeInfo):
        return Instance(node, [])
    return api.named_generic_type(fullname, [])


def merge_tapes(api: CheckerPluginInterface, a: ProperType, b: ProperType) -> Type:
    """The result's tape: owned if either operand's is; the same when both agree."""
    if isinstance(a, AnyType) or isinstance(b, AnyType):
        # an operand of unknown tape may carry one: only a known OwnedTape settles it
        known = b if isinstance(a, AnyType) else a
        if class_name(known) == OWNED_TAPE:
            return known
        return AnyType(TypeOfAny.special_form)
    names = {class_name(a), class_name(b)}
    if OWNED_TAPE in names:
        return named(api, OWNED_TAPE)
    if names == {NO_TAPE}:
        return a
    if class_name(b) == NO_TAPE:
        return a
    if class_name(a) == NO_TAPE:
        return b
    return a if str(a) == str(b) else AnyType(TypeOfAny.special_form)


def check_same_kind(
    api: CheckerPluginInterface,
    op: str,
    first: TensorInfo,
    other: TensorInfo,
    context: Context,
) -> bool:
    """Report [dtype] or [device] when both are known and differ; True when they fit."""
    for kind, code, a, b in (
        ("dtypes", DTYPE, first.dtype, other.dtype),
        ("devices", DEVICE, first.device, other.device),
    ):
        na, nb = class_name(a), class_name(b)
        if na and nb and na != nb:
            if code is DTYPE:
                fix = f"there is no implicit promotion: convert one with .to(sh.{short(a)})"
            else:
                fix = f"move one with .to(sh.{short(a)}())"
            api.fail(f"{op}: {kind} differ ({short(a)} and {short(b)}); {fix}", context, code=code)
            return False
    return True


# ---------------------------------------------------------------- literal values of arguments


def literal_int(expr: Expression | None, typ: Type | None) -> int | None:
    """An int argument known statically: a literal, a Final constant, or arithmetic on them
    (`16 * 5 * 5`, `4 * N_EMBD`, `C // N_HEAD`, `-(2 + 1)`)."""
    if typ is not None:
        value = dim_of(typ)
        if value is not None:
            return value
    return folded_int(expr) if expr is not None else None


_FOLDED_OPS: dict[str, Callable[[int, int], int]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "//": operator.floordiv,
    "%": operator.mod,
}


def folded_int(expr: Expression) -> int | None:
    """The int an expression of int literals and Final int names always has, else None."""
    if isinstance(expr, IntExpr):
        return expr.value
    if isinstance(expr, (NameExpr, MemberExpr)) and isinstance(expr.node, Var):
        value = expr.node.final_value if expr.node.is_final else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(expr, UnaryExpr) and expr.op in ("-", "+"):
        value = folded_int(expr.expr)
        return None if value is None else (-value if expr.op == "-" else value)
    if isinstance(expr, OpExpr) and expr.op in _FOLDED_OPS:
        left, right = folded_int(expr.left), folded_int(expr.right)
        if left is None or right is None or (expr.op in ("//", "%") and right == 0):
            return None
        return _FOLDED_OPS[expr.op](left, right)
    return None


UNKNOWN = object()


def literal_value(expr: Expression | None, typ: Type | None) -> object:
    """An int, None, a tuple of ints, a bool or a str known statically; UNKNOWN otherwise."""
    proper = get_proper_type(typ) if typ is not None else None
    if isinstance(proper, NoneType):
        return None
    if isinstance(expr, NameExpr) and expr.fullname in ("builtins.True", "builtins.False"):
        return expr.fullname == "builtins.True"
    if isinstance(proper, LiteralType):
        return proper.value
    if isinstance(proper, Instance) and proper.last_known_value is not None:
        return proper.last_known_value.value
    if isinstance(expr, (TupleExpr, ListExpr)) or isinstance(proper, TupleType):
        exprs = expr.items if isinstance(expr, (TupleExpr, ListExpr)) else []
        types = proper.items if isinstance(proper, TupleType) else []
        count = max(len(exprs), len(types))
        values = [
            literal_value(
                exprs[i] if i < len(exprs) else None, types[i] if i < len(types) else None
            )
            for i in range(count)
        ]
        return UNKNOWN if any(v is UNKNOWN for v in values) else tuple(values)
    value = literal_int(expr, typ)
    return UNKNOWN if value is None else value


def index_key(expr: Expression) -> tuple[object, ...] | None:
    """A basic-indexing key with literal parts (ints, slices, None, ...); None if not literal."""
    parts = expr.items if isinstance(expr, TupleExpr) else [expr]
    key: list[object] = []
    for part in parts:
        if isinstance(part, EllipsisExpr):
            key.append(Ellipsis)
        elif isinstance(part, NameExpr) and part.fullname == "builtins.None":
            key.append(None)
        elif isinstance(part, SliceExpr):
            bounds: list[int | None] = []
            for bound in (part.begin_index, part.end_index, part.stride):
                if bound is None:
                    bounds.append(None)
                    continue
                value = literal_int(bound, None)
                if value is None:
                    return None
                bounds.append(value)
            key.append(slice(*bounds))
        else:
            value = literal_int(part, None)
            if value is None:
                return None
            key.append(value)
    return tuple(key)
