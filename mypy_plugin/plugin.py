"""The plugin class: it only dispatches, through tables, to hooks kept by concern."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from mypy.nodes import TypeInfo
from mypy.plugin import (
    AttributeContext,
    FunctionContext,
    FunctionSigContext,
    MethodContext,
    MethodSigContext,
    Plugin,
    ReportConfigContext,
)
from mypy.types import FunctionLike, Type

from mypy_plugin import creation, functions, tensor_hooks
from mypy_plugin.types import TENSOR

DEVICE = "shaped.devices.Device"


def _fingerprint() -> str:
    """A hash of the plugin's and the shape rules' sources: mypy's cache follows their changes."""
    import shaped.shapes

    digest = hashlib.sha256()
    sources = [*sorted(Path(__file__).parent.glob("*.py")), Path(shaped.shapes.__file__)]
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()


class ShapedPlugin(Plugin):
    """Checks shaped's tensor shapes, dtypes, devices and tapes (codes shape, dtype, device, no-tape)."""

    _fingerprint = _fingerprint()

    def report_config_data(self, ctx: ReportConfigContext) -> str:
        return self._fingerprint

    def _class_and_method(self, fullname: str) -> tuple[TypeInfo, str] | None:
        class_name, _, method = fullname.rpartition(".")
        node = self.lookup_fully_qualified(class_name)
        if node is None or not isinstance(node.node, TypeInfo):
            return None
        return node.node, method

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        if fullname in functions.LOSS_HOOKS:
            return functions.LOSS_HOOKS[fullname]
        found = self._class_and_method(fullname)
        if found is None:
            return None
        info, method = found
        if info.has_base(TENSOR):
            return tensor_hooks.METHOD_HOOKS.get(method)
        if info.has_base(DEVICE):
            return creation.DEVICE_HOOKS.get(method)
        return None

    def get_method_signature_hook(
        self, fullname: str
    ) -> Callable[[MethodSigContext], FunctionLike] | None:
        if fullname in functions.LOSS_HOOKS:
            return functions.relax_method_signature
        found = self._class_and_method(fullname)
        if found is not None and found[0].has_base(TENSOR):
            if found[1] in tensor_hooks.SIGNATURE_HOOKS:
                return tensor_hooks.relax_signature
        return None

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        found = self._class_and_method(fullname)
        if found is not None and found[0].has_base(TENSOR):
            return tensor_hooks.ATTRIBUTE_HOOKS.get(found[1])
        return None

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        return functions.FUNCTION_HOOKS.get(fullname)

    def get_function_signature_hook(
        self, fullname: str
    ) -> Callable[[FunctionSigContext], FunctionLike] | None:
        return functions.relax_signature if fullname in functions.FUNCTION_HOOKS else None
