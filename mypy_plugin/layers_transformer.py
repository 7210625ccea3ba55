"""Plugin tables for the transformer stacks (TransformerEncoder, TransformerDecoderLayer, TransformerDecoder) (issue 12).

Merged into modules.py: LAYER_RULES (a layer's output shape from its size type arguments,
without the parameters' dtype PD, and its input shape), SHAPE_KEEPING (layers whose output
has the input's shape), WEIGHT_OPS (the op that meets the parameters first, as the run
time's DtypeError names it). Keys are the classes' full names. This file may not import
modules.py (it imports this one).
"""

from __future__ import annotations

from collections.abc import Callable

from shaped import shapes
from shaped.shapes import Shape

LayerRule = Callable[[list[int | None], Shape], Shape | None]

ENCODER = "shaped.nn.transformer.TransformerEncoder"

# TransformerEncoder[Dim, Heads, Ff] reads (..., Dim) and keeps the shape, as its layers do.
# The decoder layer and stack are typed by their signatures instead: the module-call hook
# builds its result from the first argument alone, which would give a decoder fed an
# untraced tgt and a traced memory an untraced type (and `loss.backward()` a false
# [no-tape]); their shapes are checked at run time (shapes_nn.transformer_decoder).
LAYER_RULES: dict[str, LayerRule] = {
    ENCODER: lambda a, x: shapes.features("TransformerEncoder", x, a[0] if a else None),
}
SHAPE_KEEPING: set[str] = {ENCODER}
WEIGHT_OPS: dict[str, str] = {ENCODER: "linear"}
