"""The mypy plugin's namespaced entry point: `plugins = ["shaped.mypy"]`.

A user's own `mypy_plugin.py` on the path cannot shadow it (numpy and pydantic namespace
theirs the same way): the plugin package installed beside `shaped` is loaded from its own
files, under a private module name. Importing this imports mypy and `shaped.shapes`, never
numpy.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

_NAME = "shaped._mypy_plugin"


def _plugin_package() -> ModuleType:
    if _NAME in sys.modules:
        return sys.modules[_NAME]
    folder = Path(__file__).resolve().parent.parent / "mypy_plugin"
    spec = importlib.util.spec_from_file_location(
        _NAME, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"shaped.mypy: the plugin package is missing from {folder}")
    package = importlib.util.module_from_spec(spec)
    sys.modules[_NAME] = package
    spec.loader.exec_module(package)
    return package


plugin = _plugin_package().plugin

__all__ = ["plugin"]
