"""Plugin tables for the containers (Identity, ModuleList, ModuleDict) (issue 12).

Merged into modules.py: LAYER_RULES (a layer's output shape from its size type arguments,
without the parameters' dtype PD, and its input shape), SHAPE_KEEPING (layers whose output
has the input's shape), WEIGHT_OPS (the op that meets the parameters first, as the run
time's DtypeError names it). Keys are the classes' full names. This file may not import
modules.py (it imports this one).

ModuleList and ModuleDict have no forward: calling one of their modules is typed by that
module's own type (their `__getitem__`/`__iter__` give the element type), so they need no rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from mypy import errorcodes as codes
from mypy.checker import TypeChecker
from mypy.join import join_type_list
from mypy.maptype import map_instance_to_supertype
from mypy.messages import format_type
from mypy.nodes import (
    DictExpr,
    DictionaryComprehension,
    Expression,
    GeneratorExpr,
    ListComprehension,
    ListExpr,
    SetComprehension,
    SetExpr,
    StarExpr,
    TupleExpr,
)
from mypy.plugin import FunctionContext, FunctionSigContext
from mypy.subtypes import is_same_type, is_subtype
from mypy.types import (
    AnyType,
    CallableType,
    FunctionLike,
    Instance,
    LiteralType,
    ProperType,
    TupleType,
    Type,
    TypeOfAny,
    UnpackType,
    get_proper_type,
)

from shaped.shapes import Shape

SEQUENTIAL = "shaped.nn.sequential.Sequential"
LayerRule = Callable[[list[int | None], Shape], Shape | None]


def _identity(sizes: list[int | None], x: Shape) -> Shape:
    return x


LAYER_RULES: dict[str, LayerRule] = {"shaped.nn.containers.Identity": _identity}
SHAPE_KEEPING: set[str] = {"shaped.nn.containers.Identity"}
WEIGHT_OPS: dict[str, str] = {}


def named_sequential(ctx: FunctionContext) -> Type | None:
    """`Sequential(OrderedDict([...]))`: a Sequential of any length whose layers have the
    mapping's value type (None for any other call). mypy cannot solve the overload's self
    type, whose layers are a TypeVar unpacked (`Sequential[*tuple[Layer, ...]]`)."""
    if len(ctx.arg_types) != 1 or len(ctx.arg_types[0]) != 1:
        return None
    arg = get_proper_type(ctx.arg_types[0][0])
    if not isinstance(arg, Instance) or not arg.type.has_base("typing.Mapping"):
        return None
    mapping = next(base for base in arg.type.mro if base.fullname == "typing.Mapping")
    value = map_instance_to_supertype(arg, mapping).args[1]
    result = get_proper_type(ctx.default_return_type)
    sequential = result.partial_fallback if isinstance(result, TupleType) else result
    if not isinstance(sequential, Instance) or sequential.type.fullname != SEQUENTIAL:
        return None
    layers = UnpackType(ctx.api.named_generic_type("builtins.tuple", [value]))
    return Instance(sequential.type, [layers])


# ---------------------------------------------------------------- ModuleList / ModuleDict

CONTAINERS = ("shaped.nn.containers.ModuleList", "shaped.nn.containers.ModuleDict")
MODULE = "shaped.nn.module.Module"


def container_signature(ctx: FunctionSigContext) -> FunctionLike | None:
    """`ModuleList(...)` / `ModuleDict(...)` take any object here: mypy would join a list of
    layers with different sizes (`[Linear(4, 8), Linear(8, 8)]`) to `object`, which the element
    type's bound refuses; `container_constructor` types the result from the items instead."""
    signature = ctx.default_signature
    result = get_proper_type(signature.ret_type) if isinstance(signature, CallableType) else None
    if not isinstance(result, Instance) or result.type.fullname not in CONTAINERS:
        return None
    assert isinstance(signature, CallableType)
    anything = ctx.api.named_generic_type("builtins.object", [])  # Any as context would
    return signature.copy_modified(arg_types=[anything] * len(signature.arg_types))  # leak in


def container_constructor(ctx: FunctionContext) -> Type | None:
    """The element type of a new ModuleList/ModuleDict: the declared one where the result is
    assigned to an annotated target (each item is checked against it), else the items'
    common type: one class with its differing sizes as `int`, or their common base."""
    result = get_proper_type(ctx.default_return_type)
    if not isinstance(result, Instance) or result.type.fullname not in CONTAINERS:
        return None
    if not ctx.args or not ctx.args[0]:
        return result  # empty: the declared element type, or the default (Module)
    checker = cast(TypeChecker, ctx.api)
    is_dict = result.type.fullname.endswith("ModuleDict")
    items = _elements(checker, ctx.args[0][0], ctx.arg_types[0][0], is_dict)
    if not items:
        return result
    context = get_proper_type(checker.expr_checker.type_context[-1])
    if isinstance(context, Instance) and context.type.fullname in CONTAINERS and context.args:
        element = result.args[0]
        for index, item in enumerate(items):
            if not is_subtype(item, element) and not is_subtype(_widened(checker, item), element):
                ctx.api.fail(
                    f"{result.type.name} item {index} has incompatible type "
                    f"{format_type(item, checker.options)}; expected "
                    f"{format_type(element, checker.options)}",
                    ctx.context,
                    code=codes.ARG_TYPE,
                )
        return result
    return result.copy_modified(args=[_common(checker, items)])


def _elements(
    checker: TypeChecker, expr: Expression, typ: Type, is_dict: bool
) -> list[Type] | None:
    """The types of the modules a constructor argument holds (None: not known)."""
    if isinstance(expr, ListExpr | TupleExpr | SetExpr) and not is_dict:
        parts: list[Expression] = list(expr.items)
    elif isinstance(expr, ListComprehension | GeneratorExpr | SetComprehension) and not is_dict:
        generator = expr if isinstance(expr, GeneratorExpr) else expr.generator
        parts = [generator.left_expr]
    elif isinstance(expr, DictExpr) and is_dict:
        parts = [value for _, value in expr.items]
    elif isinstance(expr, DictionaryComprehension) and is_dict:
        parts = [expr.value]
    elif isinstance(expr, ListExpr | TupleExpr) and is_dict:  # [("query", Linear(...)), ...]
        pairs = [item for item in expr.items if isinstance(item, TupleExpr)]
        if len(pairs) != len(expr.items) or any(len(pair.items) != 2 for pair in pairs):
            return None
        parts = [pair.items[1] for pair in pairs]
    else:
        return _from_type(get_proper_type(typ), is_dict)
    if any(isinstance(part, StarExpr) for part in parts):
        return None
    found = [checker.lookup_type_or_none(part) for part in parts]
    return None if any(t is None for t in found) else [t for t in found if t is not None]


def _widened(checker: TypeChecker, item: Type) -> Type:
    """`Linear[L[4], L[6]]` as `Linear[int, int]`: a literal size fits a declared `int` one."""
    proper = get_proper_type(item)
    if not isinstance(proper, Instance):
        return item
    integer = checker.named_type("builtins.int")
    args = [integer if isinstance(get_proper_type(a), LiteralType) else a for a in proper.args]
    return proper.copy_modified(args=args)


def _from_type(typ: ProperType, is_dict: bool) -> list[Type] | None:
    """The element type of a variable passed in: a list's item, a mapping's value, another
    container's element."""
    if not isinstance(typ, Instance):
        return None
    if typ.type.fullname in CONTAINERS and typ.args:
        return [typ.args[0]]
    wanted = "typing.Mapping" if is_dict else "typing.Iterable"
    base = next((info for info in typ.type.mro if info.fullname == wanted), None)
    if base is None:
        return None
    mapped = map_instance_to_supertype(typ, base)
    element = get_proper_type(mapped.args[1] if is_dict else mapped.args[0])
    if not isinstance(element, Instance) or not element.type.has_base(MODULE):
        return None  # a list joined to object by mypy: nothing to go by
    return [element]


def _common(checker: TypeChecker, items: list[Type]) -> Type:
    """One class: its type arguments kept where the items agree (sizes that differ are `int`);
    several classes: their join, or Module."""
    proper = [get_proper_type(item) for item in items]
    first = proper[0]
    if all(is_same_type(item, first) for item in proper):
        return first
    instances = [item for item in proper if isinstance(item, Instance)]
    if len(instances) == len(proper) and all(i.type is instances[0].type for i in instances):
        args: list[Type] = []
        for index, arg in enumerate(instances[0].args):
            if all(is_same_type(i.args[index], arg) for i in instances):
                args.append(arg)
            elif all(isinstance(get_proper_type(i.args[index]), LiteralType) for i in instances):
                args.append(checker.named_type("builtins.int"))
            else:
                args.append(AnyType(TypeOfAny.special_form))
        return instances[0].copy_modified(args=args)
    joined = get_proper_type(join_type_list(items))
    if isinstance(joined, Instance) and joined.type.has_base(MODULE):
        return joined
    return checker.named_type(MODULE)
