"""Hooks for linear algebra (issue 11 item 7).

plugin.py dispatches through these tables: a Tensor method by name, a function by its full
name, a Device method by name. A name in RELAXED gets a signature that accepts any operand,
so its hook reports [shape]/[dtype]/[device] instead of mypy's [arg-type].
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.plugin import FunctionContext, MethodContext
from mypy.types import Type

METHOD_HOOKS: dict[str, Callable[[MethodContext], Type]] = {}
FUNCTION_HOOKS: dict[str, Callable[[FunctionContext], Type]] = {}
DEVICE_HOOKS: dict[str, Callable[[MethodContext], Type]] = {}
RELAXED: set[str] = set()
