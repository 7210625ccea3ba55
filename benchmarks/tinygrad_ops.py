"""Run tinygrad's own op tests (`test/backend/test_ops.py`) through shaped and count the outcome.

    python benchmarks/tinygrad_ops.py PATH/TO/tinygrad/test/backend/test_ops.py [-k NAME] [-v]

A test suite nobody here wrote: each of its cases computes an op with torch and with
tinygrad's `Tensor` API and compares values and gradients. Here `tinygrad` is a thin shim
whose `Tensor` wraps a shaped tensor and forwards every method by its name, so a case runs
on shaped exactly where shaped has the op under torch's or tinygrad's common spelling. The
shim only translates what is mechanical (creation, dtypes, `.gradient(*inputs)`, tinygrad's
any-rank `conv2d`/`max_pool2d`, flat torch-style pad widths); it computes nothing itself.

Each case ends as one of:
- pass: every comparison held;
- fail: a comparison failed, or shaped raised on input torch accepts;
- missing: shaped lacks a name that torch has (a real gap);
- tinygrad-only: the case uses a name torch does not have (tinygrad's own API), or tinygrad
  internals; not shaped's to run.
Not part of the test run: tinygrad's file is not vendored (fetch it from tinygrad's repo).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import re
import sys
import traceback
import types
import unittest
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import shaped as sh
from shaped import losses
from shaped.nn import functional as F

DEVICE = sh.Cpu(seed=0)


class MissingOp(AttributeError):
    """shaped (or the shim) has no such name."""


# ---------------------------------------------------------------- dtypes


class DType:
    def __init__(self, name: str, numpy: Any, shaped: Any) -> None:
        self.name, self.np, self.sh = name, np.dtype(numpy), shaped

    def __repr__(self) -> str:
        return f"dtypes.{self.name}"


def _dtypes() -> types.SimpleNamespace:
    table = {
        "float32": (np.float32, sh.Float32),
        "float16": (np.float16, sh.Float16),
        "float64": (np.float64, sh.Float64),
        "int32": (np.int32, sh.Int32),
        "int64": (np.int64, sh.Int64),
        "bool": (np.bool_, sh.Bool),
    }
    space = types.SimpleNamespace(**{n: DType(n, *v) for n, v in table.items()})
    for alias, name in (
        ("float", "float32"),
        ("half", "float16"),
        ("double", "float64"),
        ("int", "int32"),
        ("long", "int64"),
        ("default_float", "float32"),
        ("default_int", "int32"),
    ):
        setattr(space, alias, getattr(space, name))
    for unsupported in ("uint8", "int8", "int16", "uint16", "uint32", "uint64", "bfloat16"):
        setattr(space, unsupported, DType(unsupported, np.float32, None))
    space.is_float = lambda d: d.np.kind == "f"
    space.is_int = lambda d: d.np.kind in "iu"
    space.is_unsigned = lambda d: d.np.kind == "u"
    space.from_np = lambda d: next(v for v in vars(space).values() if getattr(v, "np", None) == d)
    return space


dtypes = _dtypes()


def _shaped_dtype(dtype: Any) -> Any:
    if isinstance(dtype, str):
        dtype = getattr(dtypes, dtype)
    if isinstance(dtype, DType):
        if dtype.sh is None:
            raise MissingOp(f"dtype {dtype.name}")
        return dtype.sh
    return dtype


def _to_np_dtype(dtype: DType) -> Any:
    return dtype.np


# ---------------------------------------------------------------- the Tensor shim


TORCH_DTYPES = {
    torch.float32: sh.Float32,
    torch.float16: sh.Float16,
    torch.float64: sh.Float64,
    torch.int32: sh.Int32,
    torch.int64: sh.Int64,
    torch.bool: sh.Bool,
}


def _unwrap(value: Any) -> Any:
    if isinstance(value, Tensor):
        return value.t
    if isinstance(value, torch.dtype):  # a lambda written for both libraries names torch's
        return TORCH_DTYPES.get(value, value)
    if (isinstance(value, list | tuple) and not isinstance(value, tuple)) or type(value) is tuple:
        return type(value)(_unwrap(v) for v in value)
    if isinstance(value, DType):
        return _shaped_dtype(value)
    return value


def _wrap(value: Any) -> Any:
    if isinstance(value, sh.Tensor):
        return Tensor(value)
    if isinstance(value, tuple):
        return tuple(_wrap(v) for v in value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return _wrap(fn(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()}))


def _from_data(data: Any, dtype: Any = None) -> sh.Tensor[Any, Any, Any, Any]:
    if isinstance(data, sh.Tensor):
        return data
    array = np.asarray(data)
    if array.dtype == np.int64 and not isinstance(data, np.ndarray):
        array = array.astype(np.int32)  # tinygrad's default int
    if array.dtype == np.float64 and not isinstance(data, np.ndarray):
        array = array.astype(np.float32)
    if dtype is not None:
        array = array.astype(dtype.np)
        if dtype.sh is None:
            raise MissingOp(f"dtype {dtype.name}")
    if array.dtype in (np.uint8, np.int8, np.int16):
        raise MissingOp(f"dtype {array.dtype}")
    tensor = DEVICE.tensor(array)
    # traced, so that `.gradient(*inputs)` can read the inputs' gradients afterwards
    return tensor.trace() if array.dtype.kind == "f" else tensor


def _rank_dispatch(kind: str, rank: int) -> Callable[..., Any]:
    name = {1: f"{kind}1d", 2: f"{kind}2d", 3: f"{kind}3d"}.get(rank)
    fn = getattr(F, name, None) if name else None
    if fn is None:
        raise MissingOp(f"F.{kind} for {rank} spatial dims")
    return fn


def _pad(x: Tensor, padding: Any, mode: str = "constant", value: float = 0.0) -> Tensor:
    if padding and all(isinstance(p, int) for p in padding):  # torch's flat (left, right, ...)
        return _call(F.pad, x, tuple(padding), mode=mode, value=value)
    # tinygrad's ((before, after) or None per axis): torch's flat widths, last axis first
    widths = tuple((0, 0) if p is None else p for p in padding)
    flat = tuple(v for pair in reversed(widths) for v in pair)
    return _call(F.pad, x, flat, mode=mode, value=value)


def _div(x: Any, y: Any, rounding_mode: str | None = None) -> Any:
    if rounding_mode is None:
        return x / y
    if rounding_mode == "floor":
        return x // y
    quotient = (x / y).trunc()  # torch keeps an integer dtype for integer operands
    return quotient if quotient.dtype == x.dtype else quotient.cast(x.dtype)


SPECIAL: dict[str, Callable[..., Any]] = {
    "realize": lambda self, *a: self,
    "contiguous": lambda self: self,
    # integer results compare as int32, tinygrad's default int (shaped's indices are Int64)
    "numpy": lambda self: (lambda a: a.astype(np.int32) if a.dtype == np.int64 else a)(
        self.t.numpy()
    ),
    "float": lambda self: _call(lambda t: t.to(sh.Float32), self),
    "half": lambda self: _call(lambda t: t.to(sh.Float16), self),
    "double": lambda self: _call(lambda t: t.to(sh.Float64), self),
    "int": lambda self: _call(lambda t: t.to(sh.Int32), self),
    "long": lambda self: _call(lambda t: t.to(sh.Int64), self),
    "bool": lambda self: _call(lambda t: t.to(sh.Bool), self),
    "cast": lambda self, dtype: _call(lambda t: t.to(_shaped_dtype(dtype)), self),
    "neg": lambda self: -self,
    "add": lambda self, other: self + other,
    "sub": lambda self, other: self - other,
    "mul": lambda self, other: self * other,
    "pow": lambda self, other: self**other,
    "div": _div,
    "matmul": lambda self, other: self @ other,
    "dot": lambda self, other: self @ other,
    "clip": lambda self, min_=None, max_=None: _call(lambda t: t.clamp(min_, max_), self),
    "pad": _pad,
    "where": lambda self, a, b: _call(sh.where, self, a, b),
    "conv2d": lambda self, weight, bias=None, groups=1, stride=1, dilation=1, padding=0: _call(
        _rank_dispatch("conv", self.ndim - 2),
        self,
        weight,
        bias,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
    ),
    "conv_transpose2d": lambda self, weight, bias=None, groups=1, stride=1, dilation=1, padding=0, output_padding=0: (
        _call(
            _rank_dispatch("conv_transpose", self.ndim - 2),
            self,
            weight,
            bias,
            stride=stride,
            padding=padding,
            output_padding=output_padding,
            groups=groups,
            dilation=dilation,
        )
    ),
    "max_pool2d": lambda self, kernel_size=(2, 2), stride=None, dilation=1, padding=0, ceil_mode=False, return_indices=False: (
        _call(
            _rank_dispatch("max_pool", len(kernel_size) if isinstance(kernel_size, tuple) else 2),
            self,
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            ceil_mode=ceil_mode,
            **({"return_indices": True} if return_indices else {}),
        )
    ),
    "avg_pool2d": lambda self, kernel_size=(2, 2), stride=None, dilation=1, padding=0, ceil_mode=False, count_include_pad=True: (
        _call(
            _rank_dispatch("avg_pool", len(kernel_size) if isinstance(kernel_size, tuple) else 2),
            self,
            kernel_size,
            stride=stride,
            padding=padding,
            ceil_mode=ceil_mode,
            count_include_pad=count_include_pad,
        )
    ),
    "interpolate": lambda self, size, mode="linear", align_corners=False: _call(
        F.interpolate,
        self,
        size=size,
        # tinygrad's "linear" is n-linear over every spatial axis
        mode={4: "bilinear", 5: "trilinear"}.get(self.ndim, mode) if mode == "linear" else mode,
        **({"align_corners": align_corners} if "linear" in mode or "cubic" in mode else {}),
    ),
    "scaled_dot_product_attention": lambda self, key, value, attn_mask=None, **kw: _call(
        F.scaled_dot_product_attention, self, key, value, attn_mask=attn_mask, **kw
    ),
    "sparse_categorical_crossentropy": lambda self, y, ignore_index=-1, label_smoothing=0.0, reduction="mean": (
        _call(
            losses.cross_entropy,
            self,
            y,
            ignore_index=ignore_index,
            label_smoothing=label_smoothing,
            reduction=reduction,
        )
    ),
    "gradient": lambda self, *targets: self._gradient(*targets),
    "cat": lambda self, *others, dim=0: _call(sh.concat, [self, *others], axis=dim),
    "full_like": lambda self, value, **kw: CLASS_FUNCTIONS["full_like"](self, value, **kw),
}

# the functions that tinygrad calls on the class (`Tensor.stack(a, b)`), not on a tensor
CLASS_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "stack": lambda *ts, dim=0: _call(
        sh.stack,
        list(ts[0]) if len(ts) == 1 and isinstance(ts[0], list | tuple) else list(ts),
        axis=dim,
    ),
    "cat": lambda *ts, dim=0: _call(sh.concat, list(ts), axis=dim),
    "einsum": lambda formula, *operands, **kw: _call(
        sh.einsum,
        formula,
        *(operands[0] if len(operands) == 1 and isinstance(operands[0], list) else operands),
    ),
    "zeros": lambda *shape, dtype=None, **kw: _creation("zeros", shape, dtype),
    "ones": lambda *shape, dtype=None, **kw: _creation("ones", shape, dtype),
    "empty": lambda *shape, dtype=None, **kw: _creation("zeros", shape, dtype),
    "randn": lambda *shape, dtype=None, **kw: _creation("randn", shape, dtype),
    "rand": lambda *shape, dtype=None, **kw: _creation("rand", shape, dtype),
    "full": lambda shape, value, dtype=None, **kw: _wrap(
        DEVICE.full(tuple(shape), value, **_dtype_kw(dtype, value))
    ),
    "arange": lambda *a, dtype=None, **kw: _wrap(DEVICE.arange(*a, **_dtype_kw(dtype, None))),
    "linspace": lambda *a, dtype=None, **kw: _wrap(DEVICE.linspace(*a, **_dtype_kw(dtype, None))),
    "eye": lambda *a, dtype=None, **kw: _wrap(DEVICE.eye(*a, **_dtype_kw(dtype, None))),
    "full_like": lambda x, value, dtype=None, **kw: _wrap(
        DEVICE.full_like(x.t, value, **_dtype_kw(dtype, None))
    ),
    "zeros_like": lambda x, dtype=None, **kw: _wrap(
        DEVICE.zeros_like(x.t, **_dtype_kw(dtype, None))
    ),
    "ones_like": lambda x, dtype=None, **kw: _wrap(DEVICE.ones_like(x.t, **_dtype_kw(dtype, None))),
}


def _dtype_kw(dtype: Any, value: Any) -> dict[str, Any]:
    if isinstance(dtype, str):
        dtype = getattr(dtypes, dtype)
    if dtype is None:
        return {"dtype": sh.Int32} if isinstance(value, int) and not isinstance(value, bool) else {}
    return {"dtype": _shaped_dtype(dtype)}


def _creation(name: str, shape: tuple[Any, ...], dtype: Any) -> Tensor:
    if len(shape) == 1 and isinstance(shape[0], tuple | list):
        shape = tuple(shape[0])
    if any(not isinstance(s, int) or s < 0 for s in shape):
        raise ValueError(f"negative or non-int dims {shape}")
    return _wrap(getattr(DEVICE, name)(tuple(shape), **_dtype_kw(dtype, None)))


class _Meta(type):
    def __getattr__(cls, name: str) -> Any:
        if name in CLASS_FUNCTIONS:
            return CLASS_FUNCTIONS[name]
        if name.startswith("_"):
            raise AttributeError(name)
        # Tensor.maximum(a, b) is a.maximum(b)
        return lambda self, *a, **k: getattr(self, name)(*a, **k)


class Tensor(metaclass=_Meta):
    """tinygrad's `Tensor` over a shaped tensor: every method is forwarded by its name."""

    def __init__(self, data: Any, dtype: Any = None, device: Any = None, **_: Any) -> None:
        if isinstance(data, Tensor):
            data = data.t
        self.t = _from_data(data, dtype)

    def _gradient(self, *targets: Tensor) -> list[Tensor]:
        grads = self.t.backward()
        out = []
        for target in targets:
            try:
                out.append(Tensor(grads[target.t]))
            except KeyError:
                out.append(Tensor(DEVICE.zeros_like(target.t.detach())))
        return out

    def __getattr__(self, name: str) -> Any:
        if name in SPECIAL:
            return types.MethodType(SPECIAL[name], self)
        if name.startswith("_"):
            raise AttributeError(name)
        attr = getattr(self.t, name, None)
        if attr is None:  # tinygrad's methods are torch's functions: F.celu(x), F.one_hot(x)
            for namespace in (F, losses, sh):
                function = getattr(namespace, name, None)
                if callable(function):
                    return lambda *a, **k: _call(function, self, *a, **k)
            raise MissingOp(name)
        if not callable(attr):
            return _wrap(attr)
        return lambda *a, **k: _call(attr, *a, **k)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.t.shape)

    @property
    def ndim(self) -> int:
        return self.t.ndim

    @property
    def dtype(self) -> Any:
        return dtypes.from_np(np.dtype(self.t.numpy().dtype))

    @property
    def requires_grad(self) -> bool:
        return True

    def __getitem__(self, index: Any) -> Any:
        return _call(lambda t, i: t[i], self, index)

    def __len__(self) -> int:
        return self.shape[0]

    def __repr__(self) -> str:
        return f"<shim {self.t!r}>"


def _operator(name: str) -> Callable[..., Any]:
    def method(self: Tensor, *args: Any) -> Any:
        fn = getattr(self.t, name, None)
        if fn is None:
            raise MissingOp(name)
        return _call(fn, *args)

    return method


for _name in (
    "__add__ __radd__ __sub__ __rsub__ __mul__ __rmul__ __truediv__ __rtruediv__ __pow__ "
    "__rpow__ __matmul__ __rmatmul__ __neg__ __abs__ __lt__ __le__ __gt__ __ge__ __eq__ "
    "__ne__ __floordiv__ __rfloordiv__ __mod__ __rmod__ __and__ __or__ __xor__ __invert__ "
    "__lshift__ __rshift__ __rand__ __ror__ __rxor__"
).split():
    setattr(Tensor, _name, _operator(_name))
Tensor.__hash__ = object.__hash__  # type: ignore[method-assign]


# ---------------------------------------------------------------- the fake tinygrad package


class _Renderer:
    def supported_dtypes(self) -> list[DType]:
        return [dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64]


class _Device:
    """tinygrad's `Device`: DEFAULT is the CPU, `Device["CPU"].renderer` says the dtypes."""

    DEFAULT = "CPU"

    def __getitem__(self, name: str) -> Any:
        return types.SimpleNamespace(renderer=_Renderer())


def _install_shim() -> None:
    def getenv(key: str, default: Any = 0) -> Any:
        value = os.environ.get(key)
        return default if value is None else type(default)(value)

    helpers = types.ModuleType("tinygrad.helpers")
    helpers.getenv = getenv  # type: ignore[attr-defined]
    helpers.DEBUG = 0  # type: ignore[attr-defined]
    helpers.IMAGE = 0  # type: ignore[attr-defined]
    helpers.DEV = types.SimpleNamespace(interface="CPU", value="CPU", renderer="CPU")  # type: ignore[attr-defined]
    helpers.Context = lambda **kw: contextlib.nullcontext()  # type: ignore[attr-defined]
    package = types.ModuleType("tinygrad")
    package.__path__ = []  # type: ignore[attr-defined]
    package.Tensor = Tensor  # type: ignore[attr-defined]
    package.dtypes = dtypes  # type: ignore[attr-defined]
    package.Device = _Device()  # type: ignore[attr-defined]
    tensor_module = types.ModuleType("tinygrad.tensor")
    tensor_module._to_np_dtype = _to_np_dtype  # type: ignore[attr-defined]
    tensor_module.Tensor = Tensor  # type: ignore[attr-defined]
    renderer = types.ModuleType("tinygrad.renderer")
    renderer.__path__ = []  # type: ignore[attr-defined]
    nir = types.ModuleType("tinygrad.renderer.nir")
    nir.NIRRenderer = type("NIRRenderer", (), {})  # type: ignore[attr-defined]
    for module in (package, helpers, tensor_module, renderer, nir):
        sys.modules[module.__name__] = module


# ---------------------------------------------------------------- running and counting

TORCH_NAMES = (
    set(dir(torch.Tensor)) | set(dir(torch)) | set(dir(torch.nn.functional)) | {"cat", "stack"}
)


# Cases whose failure is tinygrad's own convention, not a gap in shaped (each checked by hand)
TINYGRAD_CONVENTIONS = {
    "test_isinf": "tinygrad's detect_positive/detect_negative arguments (torch has none)",
    "test_logcumsumexp": "tinygrad's default axis (torch's logcumsumexp needs dim)",
    "test_logcumsumexp_numerical": "tinygrad's default axis (torch's logcumsumexp needs dim)",
    "test_masked_select_size": "tinygrad's size= argument (torch has none)",
    "test_nonzero_size": "tinygrad's size= argument (torch has none)",
    "test_one_hot": "int32 indices (torch's one_hot takes int64 only, as shaped)",
    "test_reshape": "tinygrad's None dims in reshape",
    "test_negative_padding_conv2d": "tinygrad's per-side conv padding (torch: int or per axis)",
    "test_padded_conv3d": "tinygrad's per-side conv padding (torch: int or per axis)",
    "test_simple_padding_conv1d": "tinygrad's per-side conv padding (torch: int or per axis)",
    "test_simple_padding_conv2d": "tinygrad's per-side conv padding (torch: int or per axis)",
    "test_sigmoid_alt_extreme": "expects a 0 gradient where torch's is NaN too (shaped = torch)",
    "test_stack": "expects ValueError for a tuple beside tensors (torch raises TypeError too)",
    "test_sparse_categorical_crossentropy": "tinygrad's classes-last layout for (N, L, C)",
    "test_pad": "tinygrad wants a pair per axis; numpy's one pair pads every axis",
    "test_scatter_no_reduce_tensor_src": "tinygrad refuses reduce= with a tensor src; torch takes it",
    "test_sum_dtype_arg": "tinygrad's string dtypes (a bad one is its AttributeError)",
    "test_prod_dtype_arg": "tinygrad's string dtypes (a bad one is its AttributeError)",
    "test_slice_errors": "tinygrad's message text ('out of bounds'); shaped: 'out of range'",
}
# Cases that expect torch's RuntimeError where shaped raises its ShapeError (a ValueError)
# torch's F.nll_loss(input, target, weight): shaped's third positional argument is reduction
POSITIONAL_CONTRACT = {"test_nll_loss_weight", "test_nll_loss_3d_weight"}
ERROR_CLASS = {"test_cat", "test_dot", "test_broadcastdot", "test_slice_fancy_indexing_errors"}


def classify(error: BaseException | None, name: str = "") -> str:
    if error is None:
        return "pass"
    if name.rpartition(".")[2] in TINYGRAD_CONVENTIONS:
        return "tinygrad-only"
    if name.rpartition(".")[2] in POSITIONAL_CONTRACT and isinstance(error, TypeError):
        return "by-design"
    if name.rpartition(".")[2] in ERROR_CLASS and isinstance(error, ValueError):
        return "by-design"
    if isinstance(error, MissingOp) or isinstance(error, AttributeError):
        name = str(error).split("'")[-2] if "'" in str(error) else str(error).split()[0]
        if isinstance(error, MissingOp) and (name in TORCH_NAMES or " " in str(error)):
            return "missing"
        return "tinygrad-only"
    if isinstance(error, NotImplementedError):
        return "missing"
    if (isinstance(error, sh.DtypeError) and "implicit promotion" in str(error)) or (
        isinstance(error, sh.DtypeError) and "scalar takes the tensor's dtype" in str(error)
    ):
        return "by-design"  # no implicit dtype promotion (DESIGN.md)
    if isinstance(error, sh.DtypeError) and "convert it with .to(" in str(error):
        return "by-design"
    return "fail"


def _name(test: unittest.TestCase) -> str:
    """TestOps.test_add: the class too, as two classes have a test_cast."""
    return ".".join(test.id().split(".")[-2:])


class Recorder(unittest.TestResult):
    def __init__(self) -> None:
        super().__init__()
        self.outcomes: dict[str, tuple[str, str]] = {}

    def _record(self, test: unittest.TestCase, error: BaseException | None, text: str) -> None:
        name = _name(test)
        if name in self.outcomes and self.outcomes[name][0] != "pass":
            return
        self.outcomes[name] = (classify(error, name), text)

    def addSuccess(self, test: unittest.TestCase) -> None:
        self._record(test, None, "")

    def addError(self, test: Any, err: Any) -> None:
        self._record(test, err[1], "".join(traceback.format_exception_only(err[0], err[1])))

    addFailure = addError

    def addSkip(self, test: Any, reason: str) -> None:
        self.outcomes[_name(test)] = ("skipped", reason)

    def addExpectedFailure(self, test: Any, err: Any) -> None:
        self.outcomes[_name(test)] = ("tinygrad-only", "expected failure")

    def addUnexpectedSuccess(self, test: Any) -> None:
        self._record(test, None, "")


def helper_test_exception(
    self: unittest.TestCase,
    shps: Any,
    torch_fxn: Callable[..., Any],
    tinygrad_fxn: Callable[..., Any] | None = None,
    expected: Any = None,
    forward_only: bool = False,
    exact: bool = False,
    vals: Any = None,
    low: float = -1.5,
    high: float = 1.5,
) -> None:
    """tinygrad's exception check, with shaped's own error classes: where torch raises
    `expected`, shaped must raise too, with any of its specific errors (ShapeError and
    DtypeError are ValueErrors; torch raises RuntimeError or IndexError)."""
    ts, tst = _MODULE.prepare_test_op(low, high, shps, vals, forward_only)
    with self.assertRaises(expected):
        torch_fxn(*ts)
    accepted = (ValueError, TypeError, IndexError, RuntimeError, AssertionError)
    with self.assertRaises(accepted):
        (tinygrad_fxn or torch_fxn)(*tst)


_MODULE: Any = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="tinygrad's test/backend/test_ops.py")
    parser.add_argument("-k", default="", help="only tests whose name contains this")
    parser.add_argument("-v", action="store_true", help="print every non-passing case")
    args = parser.parse_args()
    torch.set_num_threads(2)
    _install_shim()
    spec = importlib.util.spec_from_file_location("tinygrad_test_ops", args.path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    global _MODULE
    _MODULE = module
    module.TestOps.helper_test_exception = helper_test_exception
    suite = unittest.TestSuite()
    for test in unittest.defaultTestLoader.loadTestsFromModule(module):
        for case in test:  # type: ignore[attr-defined]
            if args.k in case.id():
                suite.addTest(case)
    result = Recorder()
    with np.errstate(all="ignore"), contextlib.redirect_stdout(open(os.devnull, "w")):
        suite.run(result)
    counts = Counter(kind for kind, _ in result.outcomes.values())
    if args.v:
        for name, (kind, text) in sorted(result.outcomes.items()):
            if kind != "pass":
                shown = re.sub(r"\s+", " ", text)[:160]
                print(f"{kind:14} {name}: {shown}")
    total = sum(counts.values())
    print(f"tinygrad test_ops.py through shaped: {total} cases")
    for kind in ("pass", "fail", "missing", "by-design", "tinygrad-only", "skipped"):
        print(f"  {kind:14} {counts.get(kind, 0)}")


if __name__ == "__main__":
    main()
