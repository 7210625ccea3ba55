"""Plugin tables for the normalization, dropout, embedding and other layers (issue 12).

Merged into modules.py: LAYER_RULES (a layer's output shape from its size type arguments,
without the parameters' dtype PD, and its input shape), SHAPE_KEEPING (layers whose output
has the input's shape), WEIGHT_OPS (the op that meets the parameters first, as the run
time's DtypeError names it). Keys are the classes' full names. This file may not import
modules.py (it imports this one).

Bilinear (two inputs) and Unflatten (sizes that are not type arguments) are not here: mypy
types their calls through their own `__call__` signatures.
"""

from __future__ import annotations

from collections.abc import Callable

from shaped import shapes, shapes_nn
from shaped.shapes import Shape

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
