"""Neural-network building blocks: `sh.nn.functional` (as `F`)."""

from __future__ import annotations

from shaped.nn import functional

__all__ = ["functional"]
