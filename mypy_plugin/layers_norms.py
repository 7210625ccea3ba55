"""Plugin tables for the normalization, dropout, embedding and other layers (issue 12).

Merged into modules.py: LAYER_RULES (a layer's output shape from its size type arguments,
without the parameters' dtype PD, and its input shape), SHAPE_KEEPING (layers whose output
has the input's shape), WEIGHT_OPS (the op that meets the parameters first, as the run
time's DtypeError names it). Keys are the classes' full names. This file may not import
modules.py (it imports this one).

Bilinear's two inputs are typed by CALL_HOOKS; Unflatten (sizes that are not type
arguments) through its own `__call__` signature.
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.plugin import MethodContext
from mypy.types import Instance, Type, get_proper_type

from shaped import shapes, shapes_nn
from shaped.dtypes import mismatch
from shaped.shapes import Shape

from .tensor_hooks import _named_arg, run_rule
from .types import DTYPE, dim_of, dtype_marker, make_tensor, merge_tapes, tensor_info

LayerRule = Callable[[list[int | None], Shape], Shape | None]

NORMS = "shaped.nn.norms"
LAYERS = "shaped.nn.layers"


def _same(a: list[int | None], x: Shape) -> Shape | None:
    return x


def _batch_norm(layer: str, ranks: tuple[int, ...]) -> LayerRule:
    """BatchNorm*d: the rank first, then the channels on axis 1 (the run time's order)."""

    def rule(a: list[int | None], x: Shape) -> Shape | None:
        shapes_nn.norm_rank(layer, x, ranks)
        return shapes.batch_norm(x, a[0] if a else None)

    return rule


def _instance_norm(layer: str, spatial: int) -> LayerRule:
    # the channels are checked at run time only: with affine=False (torch's default, not in
    # the type) a mismatch is just a warning there, as in torch
    return lambda a, x: shapes_nn.channel_norm(layer, x, spatial)


_SHAPE_KEEPING_ACTIVATIONS = (
    "Hardshrink",
    "Softshrink",
    "Tanhshrink",
    "Threshold",
    "RReLU",
    "AlphaDropout",
)

LAYER_RULES: dict[str, LayerRule] = {
    f"{NORMS}.GroupNorm": lambda a, x: shapes_nn.group_norm(x, a[0], a[1]),
    f"{NORMS}.InstanceNorm1d": _instance_norm("InstanceNorm1d", 1),
    f"{NORMS}.InstanceNorm2d": _instance_norm("InstanceNorm2d", 2),
    f"{NORMS}.InstanceNorm3d": _instance_norm("InstanceNorm3d", 3),
    f"{NORMS}.RMSNorm": lambda a, x: shapes.normalized("rms_norm", x, (a[0],)),
    f"{NORMS}.BatchNorm3d": _batch_norm("BatchNorm3d", (5,)),
    f"{LAYERS}.BatchNorm1d": _batch_norm("BatchNorm1d", (2, 3)),
    f"{LAYERS}.BatchNorm2d": _batch_norm("BatchNorm2d", (4,)),
    f"{NORMS}.Dropout1d": lambda a, x: shapes_nn.channel_dropout("dropout1d", x, 1),
    f"{NORMS}.Dropout3d": lambda a, x: shapes_nn.channel_dropout("dropout3d", x, 3),
    f"{NORMS}.Dropout2d": lambda a, x: shapes_nn.feature_dropout("dropout2d", x),
    f"{NORMS}.FeatureAlphaDropout": lambda a, x: shapes_nn.feature_dropout(
        "feature_alpha_dropout", x
    ),
    f"{NORMS}.Softmax2d": lambda a, x: shapes_nn.softmax2d(x),
    **{f"{NORMS}.{name}": _same for name in _SHAPE_KEEPING_ACTIVATIONS},
}

SHAPE_KEEPING: set[str] = {
    name for name in LAYER_RULES if not name.startswith(LAYERS)
}  # every layer above keeps its input's shape

WEIGHT_OPS: dict[str, str] = {
    f"{NORMS}.GroupNorm": "group_norm",
    f"{NORMS}.RMSNorm": "rms_norm",
    f"{NORMS}.BatchNorm3d": "batch_norm",
}


# ---------------------------------------------------------------- Bilinear: two inputs


def _bilinear_call(ctx: MethodContext) -> Type:
    """`bilinear(x1, x2)`: both inputs checked against Bilinear[I1, I2, O] with shapes_nn's
    rule (the run time's message), the parameters' dtype against the data's, either tape."""
    module = get_proper_type(ctx.type)
    first, second = _named_arg(ctx, "x1", 0), _named_arg(ctx, "x2", 1)
    if not isinstance(module, Instance) or first is None or second is None:
        return ctx.default_return_type
    x1, x2 = tensor_info(first[1]), tensor_info(second[1])
    if x1 is None or x2 is None:
        return ctx.default_return_type
    args = {tv.name: get_proper_type(a) for tv, a in zip(module.type.defn.type_vars, module.args)}
    params = args.get("PD")
    want = dtype_marker(params) if params is not None else None
    for x in (x1, x2):
        have = dtype_marker(x.dtype)
        if have is not None and want is not None and have is not want:
            ctx.api.fail(
                mismatch("bilinear", have.__name__, want.__name__, weights=True),
                ctx.context,
                code=DTYPE,
            )
            break
    tape = merge_tapes(ctx.api, x1.tape, x2.tape)
    shape = None
    if x1.shape is not None and x2.shape is not None:
        weight = tuple(dim_of(args[k]) if k in args else None for k in ("O", "I1", "I2"))
        shape = run_rule(ctx, shapes_nn.bilinear, x1.shape, x2.shape, weight)
    return make_tensor(ctx.api, x1.instance, shape, params, tape=tape)


CALL_HOOKS: dict[str, Callable[[MethodContext], Type]] = {f"{NORMS}.Bilinear": _bilinear_call}
