"""Hooks for linear algebra (issue 11 item 7): einsum, outer, bmm, addmm, baddbmm and
F.cosine_similarity. Each reads the literal dims, runs the runtime's own rule from
`shaped.shapes` and reports its message as [shape]; unknown dims or ranks keep the pure
signature's result.

plugin.py dispatches through these tables: a Tensor method by name, a function by its full
name, a Device method by name. A name in RELAXED gets a signature that accepts any operand,
so its hook reports [shape]/[dtype]/[device] instead of mypy's [arg-type].
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from mypy.nodes import ARG_POS, StrExpr
from mypy.plugin import FunctionContext, MethodContext
from mypy.types import AnyType, Type, TypeOfAny, get_proper_type

from shaped import dtypes, shapes
from shaped.shapes import Shape

from .functions import Call
from .tensor_hooks import _named_arg, run_rule
from .types import (
    DTYPE,
    TensorInfo,
    check_same_kind,
    dtype_marker,
    literal_value,
    make_tensor,
    merge_tapes,
    tensor_info,
)

Rule = Callable[..., Shape]


def _result(
    ctx: MethodContext | FunctionContext,
    op: str,
    rule: Rule,
    tensors: Sequence[TensorInfo | None],
    *options: Any,
    rank: int | None = None,
) -> Type:
    """The rule's shape on the operands' literal dims; dtype, device and tape from the operands
    (a relaxed signature solved none of them). Unknown ranks give `rank` unknown dims."""
    known = [t for t in tensors if t is not None]
    if not known or tensor_info(ctx.default_return_type) is None:
        return AnyType(TypeOfAny.special_form)  # nothing known about the operands (Any)
    if not all(check_same_kind(ctx.api, op, known[0], t, ctx.context) for t in known[1:]):
        return _typed(ctx, known, None, unknown=len(known) != len(tensors))
    unknown_rank = None if rank is None else (None,) * rank
    if len(known) != len(tensors) or any(t.shape is None for t in known):
        return _typed(ctx, known, unknown_rank, unknown=len(known) != len(tensors))
    shape = run_rule(ctx, rule, *(t.shape for t in known), *options)
    return _typed(ctx, known, unknown_rank if shape is None else shape, unknown=False)


def _typed(
    ctx: MethodContext | FunctionContext,
    known: list[TensorInfo],
    shape: Shape | None,
    *,
    unknown: bool,
) -> Type:
    """A tensor of `shape` with the first known operand's dtype and device (a later one's
    where that is Any) and the merged tape; an Any operand may carry a tape (`unknown`)."""
    tape: Type = AnyType(TypeOfAny.special_form) if unknown else known[0].tape
    for other in known if unknown else known[1:]:
        tape = merge_tapes(ctx.api, get_proper_type(tape), other.tape)
    dtype = next((t.dtype for t in known if not isinstance(t.dtype, AnyType)), known[0].dtype)
    device = next((t.device for t in known if not isinstance(t.device, AnyType)), known[0].device)
    return make_tensor(ctx.api, known[0].instance, shape, dtype, device, tape)


def _method(
    op: str, rule: Rule, names: tuple[str, ...], rank: int
) -> Callable[[MethodContext], Type]:
    """x.op(a, b): the rule runs on (x, a, b) by position or keyword."""

    def hook(ctx: MethodContext) -> Type:
        tensors = [tensor_info(ctx.type)]
        for position, name in enumerate(names):
            arg = _named_arg(ctx, name, position)
            tensors.append(None if arg is None else tensor_info(arg[1]))
        return _result(ctx, op, rule, tensors, rank=rank)

    return hook


def _function(
    op: str, rule: Rule, names: tuple[str, ...], rank: int
) -> Callable[[FunctionContext], Type]:
    """sh.op(a, b, ...): the rule runs on the named tensor arguments."""

    def hook(ctx: FunctionContext) -> Type:
        call = Call(ctx)
        return _result(ctx, op, rule, [call.tensor(name) for name in names], rank=rank)

    return hook


def einsum(ctx: FunctionContext) -> Type:
    """sh.einsum("bij,bjk->bik", a, b): the shape from a literal equation and the operands."""
    if len(ctx.args) < 2 or len(ctx.args[0]) != 1:
        return ctx.default_return_type
    expr, typ = ctx.args[0][0], ctx.arg_types[0][0]
    subscripts = expr.value if isinstance(expr, StrExpr) else literal_value(expr, typ)
    if not isinstance(subscripts, str) or any(k != ARG_POS for k in ctx.arg_kinds[1]):
        return ctx.default_return_type  # an equation or an operand count known at run time
    tensors = [tensor_info(t) for t in ctx.arg_types[1]]
    return _result(ctx, "einsum", lambda *s: shapes.einsum(subscripts, *s), tensors)


def cosine_similarity(ctx: FunctionContext) -> Type:
    """F.cosine_similarity(x1, x2, axis=1) (or dim=): float tensors that broadcast, the axis reduced."""
    call = Call(ctx)
    x1, x2 = call.tensor("x1"), call.tensor("x2")
    marker = dtype_marker(x1.dtype) if x1 is not None else None
    message = dtypes.float_only("cosine_similarity", marker) if marker is not None else None
    if message is not None:
        ctx.api.fail(message, ctx.context, code=DTYPE)
        return ctx.default_return_type
    dim = call.value("dim", None)
    axis = call.value("axis", 1) if dim is None else dim
    if not isinstance(axis, int) or isinstance(axis, bool):
        return ctx.default_return_type
    return _result(ctx, "cosine_similarity", shapes.cosine_similarity, [x1, x2], axis)


METHOD_HOOKS: dict[str, Callable[[MethodContext], Type]] = {
    "outer": _method("outer", shapes.outer, ("other",), 2),
    "bmm": _method("bmm", shapes.bmm, ("other",), 3),
    "addmm": _method("addmm", shapes.addmm, ("mat1", "mat2"), 2),
    "baddbmm": _method("baddbmm", shapes.baddbmm, ("batch1", "batch2"), 3),
}
FUNCTION_HOOKS: dict[str, Callable[[FunctionContext], Type]] = {
    "shaped.functions.einsum": einsum,
    "shaped.functions.outer": _function("outer", shapes.outer, ("a", "b"), 2),
    "shaped.functions.bmm": _function("bmm", shapes.bmm, ("a", "b"), 3),
    "shaped.functions.addmm": _function("addmm", shapes.addmm, ("input", "mat1", "mat2"), 2),
    "shaped.functions.baddbmm": _function(
        "baddbmm", shapes.baddbmm, ("input", "batch1", "batch2"), 3
    ),
    "shaped.nn.functional.cosine_similarity": cosine_similarity,
}
DEVICE_HOOKS: dict[str, Callable[[MethodContext], Type]] = {}
# a hook's [shape] error inside mypy's overload matching would make it fall back to [arg-type]
# (and a wrong rank fails the pure overloads): these take any operand, and the hook checks it
RELAXED: set[str] = {
    "outer",
    "bmm",
    "addmm",
    "baddbmm",
    *(f"shaped.functions.{name}" for name in ("outer", "bmm", "addmm", "baddbmm")),
}
