"""The plugin class: it only dispatches, through tables, to hooks kept by concern."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from mypy.nodes import TypeInfo
from mypy.plugin import (
    AttributeContext,
    ClassDefContext,
    FunctionContext,
    FunctionSigContext,
    MethodContext,
    MethodSigContext,
    Plugin,
    ReportConfigContext,
)
from mypy.types import FunctionLike, Type

from . import (
    creation,
    functions,
    modules,
    ops_conv,
    ops_indexing,
    ops_linalg,
    ops_math,
    ops_shaping,
    ops_sorting,
    symbols,
    tensor_hooks,
)
from .types import TENSOR

DEVICE = "shaped.devices.Device"
FAMILIES = (ops_indexing, ops_shaping, ops_sorting, ops_math, ops_linalg, ops_conv)
# each family's tables, merged (a name defined twice is a bug: the first family wins)
MethodHook = Callable[[MethodContext], Type]
FAMILY_METHODS: dict[str, MethodHook] = {
    k: v for f in reversed(FAMILIES) for k, v in f.METHOD_HOOKS.items()
}
FAMILY_FUNCTIONS: dict[str, Callable[[FunctionContext], Type]] = {
    k: v for f in reversed(FAMILIES) for k, v in f.FUNCTION_HOOKS.items()
}
FAMILY_DEVICE: dict[str, MethodHook] = {
    k: v for f in reversed(FAMILIES) for k, v in f.DEVICE_HOOKS.items()
}
FAMILY_RELAXED: set[str] = {name for f in FAMILIES for name in f.RELAXED}
# Tests set this so that a bug in a hook fails loudly; users get the default type instead
DEBUG = os.environ.get("SHAPED_PLUGIN_DEBUG") == "1"
H = TypeVar("H", bound=Callable[..., object])


def safe(hook: H | None) -> H | None:
    """A hook that never crashes mypy: on an internal error it returns mypy's own answer."""
    if hook is None or DEBUG:
        return hook
    inner = hook

    def guarded(ctx: Any) -> Any:
        try:
            return inner(ctx)
        except Exception:
            default = getattr(ctx, "default_return_type", None)
            if default is None:
                default = getattr(ctx, "default_signature", None)
            if default is None:
                default = getattr(ctx, "default_attr_type", None)
            return default

    return guarded  # type: ignore[return-value]


def _symbolic(hook: H | None) -> H | None:
    """A hook that keeps dims named by TypeVars (see symbols.py)."""
    return None if hook is None else symbols.keeping_variables(hook)  # type: ignore[arg-type, return-value]


_advised: list[bool] = []  # the redefinition advice is given once per mypy process
ADVICE = (
    "shaped: add `allow_redefinition = true` to your mypy configuration (beside `plugins`), "
    "so that `x = layer(x)` may give x a new shape; without it mypy reports each such "
    "rebinding as an [assignment] error"
)


def _advising(hook: H | None) -> H | None:
    """A module-call hook that tells a configuration without allow_redefinition what to add."""
    if hook is None:
        return None
    inner = hook

    def advised(ctx: Any) -> Any:
        options = getattr(ctx.api, "options", None)
        if not _advised and options is not None and not options.allow_redefinition:
            _advised.append(True)
            ctx.api.note(ADVICE, ctx.context)
        return inner(ctx)

    return advised  # type: ignore[return-value]


def _fingerprint() -> str:
    """A hash of the plugin's and the shape rules' sources: mypy's cache follows their changes."""
    import shaped.shapes
    import shaped.shapes_nn

    digest = hashlib.sha256()
    rules = [Path(shaped.shapes.__file__), Path(shaped.shapes_nn.__file__)]
    sources = [*sorted(Path(__file__).parent.glob("*.py")), *rules]
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

    def _get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        if fullname in functions.LOSS_HOOKS:
            return functions.LOSS_HOOKS[fullname]
        found = self._class_and_method(fullname)
        if found is None:
            return None
        info, method = found
        if info.has_base(TENSOR):
            if method in FAMILY_METHODS:
                return tensor_hooks._keeping_symbolic(FAMILY_METHODS[method])
            return tensor_hooks.METHOD_HOOKS.get(method)
        if info.has_base(DEVICE):
            if method == "build_module":
                return modules.build_module
            if method in FAMILY_DEVICE:
                return FAMILY_DEVICE[method]
            return creation.DEVICE_HOOKS.get(method)
        if info.has_base(modules.MODULE):
            if method in ("__call__", "forward") and modules.handles_call(info):
                return _advising(modules.call)
            if modules.is_user_method(info, method):
                return _advising(modules.user_call(method))
        return None

    def _get_method_signature_hook(
        self, fullname: str
    ) -> Callable[[MethodSigContext], FunctionLike] | None:
        if fullname in functions.LOSS_HOOKS:
            return functions.relax_method_signature
        found = self._class_and_method(fullname)
        if found is not None and found[0].has_base(modules.MODULE):
            info, method = found
            if method in ("__call__", "forward") and modules.handles_call(info):
                return functions.relax_method_signature
            if modules.is_user_method(info, method):
                return modules.user_call_signature(method)
        if found is not None and found[0].has_base(TENSOR):
            if found[1] in tensor_hooks.SIGNATURE_HOOKS or found[1] in FAMILY_RELAXED:
                return tensor_hooks.relax_signature
        if found is not None and found[0].has_base(DEVICE) and found[1] == "tensor":
            return creation.tensor_signature
        return None

    def _get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        found = self._class_and_method(fullname)
        if found is not None and found[0].has_base(TENSOR):
            return tensor_hooks.ATTRIBUTE_HOOKS.get(found[1])
        return None

    def _get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        if fullname in functions.FUNCTION_HOOKS:
            return functions.FUNCTION_HOOKS[fullname]
        if fullname in FAMILY_FUNCTIONS:
            return functions._keeping_symbolic(FAMILY_FUNCTIONS[fullname])
        node = self.lookup_fully_qualified(fullname)
        if node is not None and isinstance(node.node, TypeInfo):
            if node.node.has_base(modules.MODULE) and node.node.defn.type_vars:
                return modules.constructor
        return None

    def _get_function_signature_hook(
        self, fullname: str
    ) -> Callable[[FunctionSigContext], FunctionLike] | None:
        if fullname in functions.FUNCTION_HOOKS or fullname in FAMILY_RELAXED:
            return functions.relax_signature
        node = self.lookup_fully_qualified(fullname)
        if node is not None and isinstance(node.node, TypeInfo):
            if node.node.has_base(modules.MODULE) and node.node.defn.type_vars:
                return modules.constructor_signature
        return None

    def get_base_class_hook(self, fullname: str) -> Callable[[ClassDefContext], None] | None:
        node = self.lookup_fully_qualified(fullname)
        if node is not None and isinstance(node.node, TypeInfo):
            if node.node.has_base(modules.MODULE):
                return safe(modules.allow_call_alias)
        return None

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        return safe(_symbolic(self._get_method_hook(fullname)))

    def get_method_signature_hook(
        self, fullname: str
    ) -> Callable[[MethodSigContext], FunctionLike] | None:
        return safe(self._get_method_signature_hook(fullname))

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        return safe(_symbolic(self._get_attribute_hook(fullname)))

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        return safe(_symbolic(self._get_function_hook(fullname)))

    def get_function_signature_hook(
        self, fullname: str
    ) -> Callable[[FunctionSigContext], FunctionLike] | None:
        return safe(self._get_function_signature_hook(fullname))
