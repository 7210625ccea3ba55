"""Plugin tables for the normalization, dropout, embedding and other layers (issue 12).

Merged into modules.py: LAYER_RULES (a layer's output shape from its size type arguments,
without the parameters' dtype PD, and its input shape), SHAPE_KEEPING (layers whose output
has the input's shape), WEIGHT_OPS (the op that meets the parameters first, as the run
time's DtypeError names it). Keys are the classes' full names. This file may not import
modules.py (it imports this one).
"""

from __future__ import annotations

from collections.abc import Callable

from shaped.shapes import Shape

LayerRule = Callable[[list[int | None], Shape], Shape | None]

LAYER_RULES: dict[str, LayerRule] = {}
SHAPE_KEEPING: set[str] = set()
WEIGHT_OPS: dict[str, str] = {}
