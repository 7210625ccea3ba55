"""Plugin tables for the spatial layers (ConvTranspose1d, 3-D pools, Upsample, padding layers) (issue 12).

Merged into modules.py: LAYER_RULES (a layer's output shape from its size type arguments,
without the parameters' dtype PD, and its input shape), SHAPE_KEEPING (layers whose output
has the input's shape), WEIGHT_OPS (the op that meets the parameters first, as the run
time's DtypeError names it). Keys are the classes' full names. This file may not import
modules.py (it imports this one).

MaxUnpool1d/2d/3d are not here: their output_size is a call argument, so their calls are
typed by their signatures (int sizes).
"""

from __future__ import annotations

from collections.abc import Callable

from shaped import shapes, shapes_nn
from shaped.shapes import Shape

LayerRule = Callable[[list[int | None], Shape], Shape | None]

SPATIAL = "shaped.nn.spatial"


def _unknown(x: Shape, count: int) -> Shape:
    """x with its last `count` dims unknown (the rest is still checked by the rule)."""
    return (*x[:-count], *(None for _ in range(count))) if len(x) >= count else x


def _pool3d(op: str) -> LayerRule:
    def rule(a: list[int | None], x: Shape) -> Shape | None:
        k, stride, pad = a
        if k is None or stride is None or pad is None:  # the rank is still checked
            return shapes.pool3d(op, _unknown(x, 3), 1, 1, 0)
        return shapes.pool3d(op, x, k, stride, pad)

    return rule


def _conv_transpose(op: str, count: int) -> LayerRule:
    def rule(a: list[int | None], x: Shape) -> Shape | None:
        cin, cout, k, stride, pad = a
        if k is None or stride is None or pad is None:  # channels still checked and kept
            weight = (cin, cout, *(1 for _ in range(count)))
            return _unknown(shapes.conv_transpose_nd(op, _unknown(x, count), weight), count)
        return shapes.conv_transpose_nd(op, x, (cin, cout, *(k for _ in range(count))), stride, pad)

    return rule


_MODES = {"Zero": "constant", "Constant": "constant", "Reflection": "reflect"}
_MODES |= {"Replication": "replicate", "Circular": "circular"}


def _padding(layer: str, mode: str) -> LayerRule:
    return lambda a, x: shapes_nn.padding_layer(layer, x, tuple(a), mode)


def _upsample(layer: str, mode: str | None) -> LayerRule:
    return lambda a, x: shapes_nn.upsample(layer, x, a[0], a[1], mode)


LAYER_RULES: dict[str, LayerRule] = {
    f"{SPATIAL}.MaxPool3d": _pool3d("max_pool3d"),
    f"{SPATIAL}.AvgPool3d": _pool3d("avg_pool3d"),
    f"{SPATIAL}.ConvTranspose1d": _conv_transpose("conv_transpose1d", 1),
    f"{SPATIAL}.ConvTranspose3d": _conv_transpose("conv_transpose3d", 3),
    f"{SPATIAL}.Upsample": _upsample("Upsample", None),
    f"{SPATIAL}.UpsamplingNearest2d": _upsample("UpsamplingNearest2d", "nearest"),
    f"{SPATIAL}.UpsamplingBilinear2d": _upsample("UpsamplingBilinear2d", "bilinear"),
    **{
        f"{SPATIAL}.{kind}Pad{n}d": _padding(f"{kind}Pad{n}d", mode)
        for kind, mode in _MODES.items()
        for n in (1, 2, 3)
    },
}
SHAPE_KEEPING: set[str] = set()
WEIGHT_OPS: dict[str, str] = {
    f"{SPATIAL}.ConvTranspose1d": "conv_transpose1d",
    f"{SPATIAL}.ConvTranspose3d": "conv_transpose3d",
}
