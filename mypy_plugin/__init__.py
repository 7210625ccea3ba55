"""shaped's mypy plugin: `plugins = ["mypy_plugin"]` in the mypy configuration.

Importing it imports mypy and `shaped.shapes` (standard library only), never numpy.
"""

from __future__ import annotations

from mypy.plugin import Plugin

from .plugin import ShapedPlugin


def plugin(version: str) -> type[Plugin]:
    return ShapedPlugin
