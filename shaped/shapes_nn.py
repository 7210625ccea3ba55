"""Shape rules of the layers added by issue 12, written once for the run time and the plugin.

The ground floor, as shapes.py (standard library only, the plugin imports it without numpy):
each rule takes shapes (dims are ints, None where known only at run time) and returns the
result shape or raises ShapeError with a message that says the fix.
"""

from __future__ import annotations

from shaped.errors import ShapeError
from shaped.shapes import Dim, Shape, fmt

__all__ = ["Dim", "Shape", "ShapeError", "fmt"]


# ---------------------------------------------------------------- containers


# ---------------------------------------------------------------- recurrent


# ---------------------------------------------------------------- transformer


# ---------------------------------------------------------------- norms


# ---------------------------------------------------------------- spatial


# ---------------------------------------------------------------- loss
