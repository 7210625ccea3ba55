"""The built-in layers, torch.nn's semantics, parameters and initial distributions.

Each layer is generic in its static hyper-parameters (`Linear[I, O]`, `Conv2d[Cin, Cout, K,
Stride, Pad, Dil, Groups]`, ...): `Literal` dims as type arguments, so an architecture can be
written as a type and built with `dev.build_module(...)`. Constructed by value, sizes are
positional in type-parameter order and the rest are keywords. Parameters are drawn from the
`device=` RNG (by default one shared `sh.Cpu()`) with torch's distributions, and stored as
torch stores them. The math is `shaped.nn.functional`'s fused ops.

The forward signatures are pure typing: dtype, device and tape pass through, and so do the
dims that need no arithmetic; computed dims are `int` (the mypy plugin computes them).
Overloads that accept `int` dims come after the exact ones: unknown is never an error.
"""

# Each layer defines __call__ (so both checkers read its overloads) where Module's is typed by
# forward through a self type: the override is deliberate.
# pyright: reportIncompatibleMethodOverride=false
# mypy: disable-error-code="override"

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Generic, Literal, Self, cast, overload

from typing_extensions import TypeVar, TypeVarTuple

import shaped.nn.functional as F
from shaped import shapes
from shaped.devices import CPU, Device
from shaped.dtypes import Bool, DType, Float32, Int64, NoTape, OwnedTape
from shaped.errors import DtypeError, ShapeError
from shaped.functions import where
from shaped.nn.module import Module
from shaped.nn.sizes import Size
from shaped.tensor import Tensor

__all__ = [
    "Conv3d",
    "AdaptiveAvgPool1d",
    "AdaptiveMaxPool1d",
    "CELU",
    "ELU",
    "GLU",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "LogSigmoid",
    "Mish",
    "PReLU",
    "ReLU6",
    "SELU",
    "SiLU",
    "Softmin",
    "Softplus",
    "Softsign",
    "AdaptiveAvgPool2d",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "ConvTranspose2d",
    "Dropout",
    "Embedding",
    "Flatten",
    "GELU",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MaxPool1d",
    "MaxPool2d",
    "MultiHeadAttention",
    "PixelShuffle",
    "Fold",
    "Unfold",
    "ReLU",
    "Residual",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "TransformerEncoderLayer",
]

# static hyper-parameters (class type parameters)
I = TypeVar("I")  # noqa: E741  (in features, as in the docs)
O = TypeVar("O")  # noqa: E741
Cin = TypeVar("Cin")
Cout = TypeVar("Cout")
K = TypeVar("K")
Stride = TypeVar("Stride", default=Literal[1])
Pad = TypeVar("Pad", default=Literal[0])
Dil = TypeVar("Dil", default=Literal[1])
Groups = TypeVar("Groups", default=Literal[1])
PoolK = TypeVar("PoolK")
PoolStride = TypeVar("PoolStride", default=PoolK)  # MaxPool2d[2] strides by 2, as torch
PoolPad = TypeVar("PoolPad", default=Literal[0])
Nf = TypeVar("Nf")  # LayerNorm's normalized size
C = TypeVar("C")
V = TypeVar("V")
E = TypeVar("E")
Dim = TypeVar("Dim")
Heads = TypeVar("Heads")
Ff = TypeVar("Ff")
Inner = TypeVar("Inner", bound=Module)
# sizes given by value keep their literal under pyright when they are in sizes.Size
SI = TypeVar("SI", bound=Size)
SO = TypeVar("SO", bound=Size)
SK = TypeVar("SK", bound=Size)
SA = TypeVar("SA", bound=Size)  # a per-axis kernel's second size: Conv2d(3, 16, (3, 5))
PD = TypeVar("PD", default=Float32)  # the parameters' dtype
MD = TypeVar("MD", bound=DType)

# per-call type parameters of forward
S = TypeVar("S", bound=tuple[Any, ...])
D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")
N = TypeVar("N")
B = TypeVarTuple("B")

AnyTensor = Tensor[Any, Any, Any, Any]
Mask = Tensor[Any, Bool, Any, Any]


# ---------------------------------------------------------------- construction helpers


def _device(layer: str, device: Device | None, dtype: type[DType]) -> Device:
    """The device whose RNG draws the parameters; checks the dtype is a float one."""
    if not (isinstance(dtype, type) and issubclass(dtype, DType) and dtype.is_float):
        raise DtypeError(
            f"{layer}: parameters need a float dtype (sh.Float32, sh.Float64 or sh.Float16), "
            f"got {dtype!r}"
        )
    if device is None:
        return CPU
    if not isinstance(device, Device):
        raise TypeError(f"{layer}: device must be a device such as sh.Cpu(), got {device!r}")
    return device


def _size(layer: str, name: str, value: Any) -> int:
    """A size argument as an int, at least its least value (shapes.LAYER_SIZES, as the plugin)."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"{layer}: {name} must be an int, got {value!r}")
    shapes.layer_sizes(layer, {name: int(value)})
    return int(value)


def _per_axis(layer: str, name: str, value: Any) -> int | tuple[int, int]:
    """A 2-D layer's size as torch takes it: an int for both axes or a pair (H, W), each
    element checked as `_size` checks an int (shapes.layer_sizes)."""
    if not isinstance(value, tuple):
        return _size(layer, name, value)
    if len(value) != 2 or not all(
        hasattr(v, "__index__") and not isinstance(v, bool) for v in value
    ):
        raise TypeError(f"{layer}: {name} must be an int or a pair of ints, got {value!r}")
    pair = (int(value[0]), int(value[1]))
    shapes.layer_sizes(layer, {name: pair})
    return pair


def _two(value: int | tuple[int, int]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else value


def _sample_dtype(dtype: type[DType]) -> str:
    return "float64" if dtype.name == "float64" else "float32"  # generators give these two


def _uniform(device: Device, shape: tuple[int, ...], bound: float, dtype: type[DType]) -> Any:
    """U(-bound, bound): torch's kaiming_uniform_(a=sqrt(5)) and xavier_uniform_ come to this."""
    sample = device.rng.random(shape, dtype=_sample_dtype(dtype))
    data = (sample * (2.0 * bound) - bound).astype(dtype.name, copy=False)
    return Tensor._wrap(data, device._place())


def _normal(device: Device, shape: tuple[int, ...], dtype: type[DType]) -> Any:
    data = device.rng.standard_normal(shape, dtype=_sample_dtype(dtype))
    return Tensor._wrap(data.astype(dtype.name, copy=False), device._place())


def _full(device: Device, shape: tuple[int, ...], value: float, dtype: type[DType]) -> Any:
    return device.full(shape, value, dtype)


def _like(x: Tensor[S, D, Dev, T], out: object) -> Tensor[S, D, Dev, T]:
    """`out` typed as x: the result of an op that keeps x's shape, dtype, device and tape."""
    return cast("Tensor[S, D, Dev, T]", out)


def _fan_in_bound(fan_in: int) -> float:
    """torch's bound for weights and biases of Linear and Conv: 1/sqrt(fan_in) (0 if empty)."""
    return 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0


def _same_device_rng(device: Device, x: AnyTensor) -> Any:
    """The module's RNG for a mask on x's device (x's own device RNG if the module was not moved)."""
    return device.rng if device._place() is x._device else None


# ---------------------------------------------------------------- linear and convolutions


class Linear(Module, Generic[I, O, PD]):
    """y = x @ weight.T + bias for x of shape (*B, I). Initialised like torch.nn.Linear.

    weight (O, I) and bias (O,) are drawn from U(-1/sqrt(I), 1/sqrt(I)).
    """

    _type_args = ("in_features", "out_features")

    weight: Tensor[tuple[O, I], PD, Any]
    bias: Tensor[tuple[O], PD, Any] | None

    @overload
    def __init__(
        self: Linear[SI, SO],
        in_features: SI,
        out_features: SO,
        *,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: Linear[SI, SO, MD],
        in_features: SI,
        out_features: SO,
        *,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self: Linear[SI, int],
        in_features: SI,
        out_features: int,
        *,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: Linear[int, SO],
        in_features: int,
        out_features: SO,
        *,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self,
        in_features: I,
        out_features: O,
        *,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        in_features: Any,
        out_features: Any,
        *,
        bias: bool = True,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        dev = _device("Linear", device, dtype)
        self.in_features = _size("Linear", "in_features", in_features)
        self.out_features = _size("Linear", "out_features", out_features)
        bound = _fan_in_bound(self.in_features)
        self.weight = _uniform(dev, (self.out_features, self.in_features), bound, dtype)
        self.bias = _uniform(dev, (self.out_features,), bound, dtype) if bias else None

    @overload
    def __call__(self, x: Tensor[tuple[*B, I], PD, Dev, T]) -> Tensor[tuple[*B, O], PD, Dev, T]: ...
    @overload
    def __call__(
        self, x: Tensor[tuple[*B, int], PD, Dev, T]
    ) -> Tensor[tuple[*B, O], PD, Dev, T]: ...
    def __call__(self, x: AnyTensor) -> Any:
        return F.linear(x, self.weight, self.bias)

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> Linear[I, O, MD]: ...
        def to(self, target: Any) -> Any: ...

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


def _same_or_size(
    layer: str, padding: Any, stride: int | tuple[int, int], total: int | tuple[int, int]
) -> int | tuple[int, int] | str:
    """A convolution layer's padding: an int, a pair, "valid" (0) or "same" (stride 1 only),
    which is total//2 per axis when each total padding d*(k-1) is even (the type says that)."""
    if padding == "valid":
        return 0
    if padding != "same":
        return _per_axis(layer, "padding", padding)
    if stride not in (1, (1, 1)):
        raise ShapeError(f"{layer}: padding='same' is not supported for strided convolutions")
    if isinstance(total, int):
        return total // 2 if total % 2 == 0 else "same"
    if total[0] % 2 or total[1] % 2:
        return "same"
    return total[0] // 2 if total[0] == total[1] else (total[0] // 2, total[1] // 2)


def _conv_repr(layer: Any, output_padding: int | tuple[int, int] = 0) -> str:
    k, s, p, d = layer.kernel_size, layer.stride, layer.padding, layer.dilation
    text = f"{layer.in_channels}, {layer.out_channels}, kernel_size={_two(k)}, stride={_two(s)}"
    if isinstance(p, str):
        text += f", padding={p}"
    elif _two(p) != (0, 0):
        text += f", padding={_two(p)}"
    if _two(d) != (1, 1):
        text += f", dilation={_two(d)}"
    if _two(output_padding) != (0, 0):
        text += f", output_padding={_two(output_padding)}"
    if layer.groups != 1:
        text += f", groups={layer.groups}"
    if layer.bias is None:
        text += ", bias=False"
    return text


class Conv2d(Module, Generic[Cin, Cout, K, Stride, Pad, Dil, Groups, PD]):
    """2-D convolution over (N, Cin, H, W) or (Cin, H, W), as torch.nn.Conv2d. kernel_size,
    stride, padding and dilation are an int (both axes) or a pair (H, W), in the type as
    `L[3]` or `tuple[L[3], L[5]]`; padding may also be "valid" or "same".

    weight (Cout, Cin/groups, kH, kW) and bias (Cout,) are drawn from U(-1/sqrt(fan_in),
    1/sqrt(fan_in)), fan_in = Cin/groups * kH * kW.
    H_out = (H + 2*padding - dilation*(kH-1) - 1)//stride + 1, per axis.
    """

    _type_args = (
        "in_channels",
        "out_channels",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "groups",
    )

    weight: Tensor[tuple[Cout, Any, K, K], PD, Any]
    bias: Tensor[tuple[Cout], PD, Any] | None

    @overload
    def __init__(
        self: Conv2d[SI, SO, SK, Any, Any, Any, Any],
        in_channels: SI,
        out_channels: SO,
        kernel_size: SK,
        *,
        stride: int | tuple[int, int] = ...,
        padding: int | tuple[int, int] | Literal["same", "valid"] = ...,
        dilation: int | tuple[int, int] = ...,
        groups: int = ...,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: Conv2d[SI, SO, SK, Any, Any, Any, Any, MD],
        in_channels: SI,
        out_channels: SO,
        kernel_size: SK,
        *,
        stride: int | tuple[int, int] = ...,
        padding: int | tuple[int, int] | Literal["same", "valid"] = ...,
        dilation: int | tuple[int, int] = ...,
        groups: int = ...,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self: Conv2d[SI, SO, tuple[SK, SA], Any, Any, Any, Any],
        in_channels: SI,
        out_channels: SO,
        kernel_size: tuple[SK, SA],
        *,
        stride: int | tuple[int, int] = ...,
        padding: int | tuple[int, int] | Literal["same", "valid"] = ...,
        dilation: int | tuple[int, int] = ...,
        groups: int = ...,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: Conv2d[SI, SO, tuple[SK, SA], Any, Any, Any, Any, MD],
        in_channels: SI,
        out_channels: SO,
        kernel_size: tuple[SK, SA],
        *,
        stride: int | tuple[int, int] = ...,
        padding: int | tuple[int, int] | Literal["same", "valid"] = ...,
        dilation: int | tuple[int, int] = ...,
        groups: int = ...,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self,
        in_channels: Cin,
        out_channels: Cout,
        kernel_size: K,
        *,
        stride: Stride = ...,
        padding: Pad = ...,
        dilation: Dil = ...,
        groups: Groups = ...,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        in_channels: Any,
        out_channels: Any,
        kernel_size: Any,
        *,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: Any = 1,
        bias: bool = True,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        dev = _device("Conv2d", device, dtype)
        self.in_channels = cin = _size("Conv2d", "in_channels", in_channels)
        self.out_channels = cout = _size("Conv2d", "out_channels", out_channels)
        self.kernel_size = _per_axis("Conv2d", "kernel_size", kernel_size)
        self.stride = _per_axis("Conv2d", "stride", stride)
        self.dilation = _per_axis("Conv2d", "dilation", dilation)
        (kh, kw), (dh, dw) = _two(self.kernel_size), _two(self.dilation)
        # "same" with even totals d*(k-1) is the symmetric padding they give; else the string
        totals = dh * (kh - 1) if (kh, dh) == (kw, dw) else (dh * (kh - 1), dw * (kw - 1))
        self.padding = _same_or_size("Conv2d", padding, self.stride, totals)
        self.groups = g = _size("Conv2d", "groups", groups)
        shapes.layer_sizes("Conv2d", {"in_channels": cin, "out_channels": cout, "groups": g})
        bound = _fan_in_bound(cin // g * kh * kw)
        self.weight = _uniform(dev, (cout, cin // g, kh, kw), bound, dtype)
        self.bias = _uniform(dev, (cout,), bound, dtype) if bias else None

    @overload
    def __call__(
        self, x: Tensor[tuple[N, Any, Any, Any], PD, Dev, T]
    ) -> Tensor[tuple[N, Cout, int, int], PD, Dev, T]: ...
    @overload
    def __call__(
        self, x: Tensor[tuple[Any, Any, Any], PD, Dev, T]
    ) -> Tensor[tuple[Cout, int, int], PD, Dev, T]: ...
    def __call__(self, x: AnyTensor) -> Any:
        return F.conv2d(
            x,
            self.weight,
            self.bias,
            self.stride,
            self.padding,  # type: ignore[arg-type]  # an int, or "same"
            self.dilation,
            self.groups,
        )

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> Conv2d[Cin, Cout, K, Stride, Pad, Dil, Groups, MD]: ...
        def to(self, target: Any) -> Any: ...

    def extra_repr(self) -> str:
        return _conv_repr(self)


class ConvTranspose2d(Module, Generic[Cin, Cout, K, Stride, Pad, PD]):
    """Transposed 2-D convolution, as torch.nn.ConvTranspose2d. kernel_size, stride, padding,
    output_padding and dilation are an int (both axes) or a pair (H, W); in the type, K,
    Stride and Pad are `L[4]` or `tuple[L[4], L[3]]`.

    weight (Cin, Cout/groups, kH, kW) and bias (Cout,) are drawn from U(-1/sqrt(fan_in),
    1/sqrt(fan_in)) with torch's fan_in = Cout/groups * kH * kW.
    H_out = (H-1)*stride - 2*padding + dilation*(kH-1) + output_padding + 1, per axis
    (output_padding and dilation are not in the type: the plugin's H_out, W_out are int
    when they are given).
    """

    _type_args = ("in_channels", "out_channels", "kernel_size", "stride", "padding")

    weight: Tensor[tuple[Cin, Any, K, K], PD, Any]
    bias: Tensor[tuple[Cout], PD, Any] | None

    @overload
    def __init__(
        self: ConvTranspose2d[SI, SO, SK, Any, Any],
        in_channels: SI,
        out_channels: SO,
        kernel_size: SK,
        *,
        stride: int | tuple[int, int] = ...,
        padding: int | tuple[int, int] = ...,
        output_padding: int | tuple[int, int] = 0,
        groups: int = 1,
        dilation: int | tuple[int, int] = 1,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: ConvTranspose2d[SI, SO, SK, Any, Any, MD],
        in_channels: SI,
        out_channels: SO,
        kernel_size: SK,
        *,
        stride: int | tuple[int, int] = ...,
        padding: int | tuple[int, int] = ...,
        output_padding: int | tuple[int, int] = 0,
        groups: int = 1,
        dilation: int | tuple[int, int] = 1,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self: ConvTranspose2d[SI, SO, tuple[SK, SA], Any, Any],
        in_channels: SI,
        out_channels: SO,
        kernel_size: tuple[SK, SA],
        *,
        stride: int | tuple[int, int] = ...,
        padding: int | tuple[int, int] = ...,
        output_padding: int | tuple[int, int] = 0,
        groups: int = 1,
        dilation: int | tuple[int, int] = 1,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: ConvTranspose2d[SI, SO, tuple[SK, SA], Any, Any, MD],
        in_channels: SI,
        out_channels: SO,
        kernel_size: tuple[SK, SA],
        *,
        stride: int | tuple[int, int] = ...,
        padding: int | tuple[int, int] = ...,
        output_padding: int | tuple[int, int] = 0,
        groups: int = 1,
        dilation: int | tuple[int, int] = 1,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self,
        in_channels: Cin,
        out_channels: Cout,
        kernel_size: K,
        *,
        stride: Stride = ...,
        padding: Pad = ...,
        output_padding: int | tuple[int, int] = 0,
        groups: int = 1,
        dilation: int | tuple[int, int] = 1,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        in_channels: Any,
        out_channels: Any,
        kernel_size: Any,
        *,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        dilation: Any = 1,
        bias: bool = True,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        layer = "ConvTranspose2d"
        dev = _device(layer, device, dtype)
        self.in_channels = cin = _size(layer, "in_channels", in_channels)
        self.out_channels = cout = _size(layer, "out_channels", out_channels)
        self.kernel_size = _per_axis(layer, "kernel_size", kernel_size)
        self.stride = _per_axis(layer, "stride", stride)
        self.padding = _per_axis(layer, "padding", padding)
        self.output_padding = _per_axis(layer, "output_padding", output_padding)
        self.groups = _size(layer, "groups", groups)
        self.dilation = _per_axis(layer, "dilation", dilation)
        shapes.layer_sizes(layer, {"in_channels": cin, "out_channels": cout, "groups": self.groups})
        kh, kw = _two(self.kernel_size)
        bound = _fan_in_bound(cout // self.groups * kh * kw)
        self.weight = _uniform(dev, (cin, cout // self.groups, kh, kw), bound, dtype)
        self.bias = _uniform(dev, (cout,), bound, dtype) if bias else None

    @overload
    def __call__(
        self, x: Tensor[tuple[N, Any, Any, Any], PD, Dev, T]
    ) -> Tensor[tuple[N, Cout, int, int], PD, Dev, T]: ...
    @overload
    def __call__(
        self, x: Tensor[tuple[Any, Any, Any], PD, Dev, T]
    ) -> Tensor[tuple[Cout, int, int], PD, Dev, T]: ...
    def __call__(self, x: AnyTensor) -> Any:
        return F.conv_transpose2d(
            x,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self.output_padding,
            self.groups,
            self.dilation,
        )

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> ConvTranspose2d[Cin, Cout, K, Stride, Pad, MD]: ...
        def to(self, target: Any) -> Any: ...

    def extra_repr(self) -> str:
        return _conv_repr(self, self.output_padding)


# ---------------------------------------------------------------- pooling and reshaping


class _Pool2d(Module, Generic[PoolK, PoolStride, PoolPad]):
    """A kH x kW window over the last two axes of (N, C, H, W) or (C, H, W); stride defaults
    to the kernel. kernel_size, stride and padding are an int or a pair (H, W), in the type as
    `L[2]` or `tuple[L[2], L[3]]`. ceil_mode (and MaxPool2d's dilation) are not in the type:
    when they are given, the plugin's H_out and W_out are int."""

    _type_args = ("kernel_size", "stride", "padding")
    _axes = 2  # MaxPool1d and AvgPool1d take one int per size

    def __init__(
        self,
        kernel_size: PoolK,
        *,
        stride: PoolStride | None = None,
        padding: PoolPad = 0,  # type: ignore[assignment]  # the TypeVar's default, L[0]
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        size = _per_axis if self._axes == 2 else _size
        self.kernel_size = size(name, "kernel_size", kernel_size)
        self.stride = self.kernel_size if stride is None else size(name, "stride", stride)
        self.padding = size(name, "padding", padding)
        self.ceil_mode = bool(ceil_mode)
        self.dilation: int | tuple[int, int] = 1

    def extra_repr(self) -> str:
        text = f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
        if self.dilation != 1:
            text += f", dilation={self.dilation}"
        return text + (", ceil_mode=True" if self.ceil_mode else "")


class MaxPool2d(_Pool2d[PoolK, PoolStride, PoolPad]):
    """The maximum of each kH x kW window; stride defaults to the kernel, as torch.nn.MaxPool2d.

    Padding is -inf; the gradient goes to each window's first maximum, as torch. dilation
    spaces the window's cells; ceil_mode rounds the output size up.
    """

    def __init__(
        self,
        kernel_size: PoolK,
        *,
        stride: PoolStride | None = None,
        padding: PoolPad = 0,  # type: ignore[assignment]  # the TypeVar's default, L[0]
        dilation: int | tuple[int, int] = 1,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__(kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode)
        self.dilation = _per_axis(type(self).__name__, "dilation", dilation)

    def __call__(
        self, x: Tensor[tuple[*B, Any, Any], D, Dev, T]
    ) -> Tensor[tuple[*B, int, int], D, Dev, T]:
        return F.max_pool2d(
            x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.dilation
        )

    forward = __call__


class AvgPool2d(_Pool2d[PoolK, PoolStride, PoolPad]):
    """The mean of each kH x kW window; zero padding counts in the divisor, as torch's default
    (count_include_pad=False: only the input's cells count); ceil_mode rounds the output size
    up (its overhang past the padding never counts)."""

    def __init__(
        self,
        kernel_size: PoolK,
        *,
        stride: PoolStride | None = None,
        padding: PoolPad = 0,  # type: ignore[assignment]  # the TypeVar's default, L[0]
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__(kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode)
        self.count_include_pad = count_include_pad

    def __call__(
        self, x: Tensor[tuple[*B, Any, Any], D, Dev, T]
    ) -> Tensor[tuple[*B, int, int], D, Dev, T]:
        return F.avg_pool2d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            count_include_pad=self.count_include_pad,
        )

    forward = __call__


class Flatten(Module):
    """Merge axes start_axis..end_axis (torch.nn.Flatten: the batch axis 0 is kept by default)."""

    def __init__(self, start_axis: int = 1, end_axis: int = -1) -> None:
        super().__init__()
        self.start_axis = start_axis
        self.end_axis = end_axis

    def __call__(self, x: Tensor[Any, D, Dev, T]) -> Tensor[tuple[Any, ...], D, Dev, T]:
        return x.flatten(self.start_axis, self.end_axis)

    forward = __call__

    def extra_repr(self) -> str:
        return f"start_axis={self.start_axis}, end_axis={self.end_axis}"


# ---------------------------------------------------------------- activations


class ReLU(Module):
    """max(x, 0)."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return x.relu()

    forward = __call__


class GELU(Module):
    """x * Phi(x): the exact erf form ("none"), or torch's tanh approximation ("tanh")."""

    def __init__(self, approximate: Literal["none", "tanh"] = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate: Literal["none", "tanh"] = approximate

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return x.gelu(self.approximate)

    forward = __call__

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Tanh(Module):
    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return x.tanh()

    forward = __call__


class Sigmoid(Module):
    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return x.sigmoid()

    forward = __call__


class LeakyReLU(Module):
    """x where x >= 0, negative_slope * x elsewhere."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return x.leaky_relu(self.negative_slope)

    forward = __call__

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class _AlongAxis(Module):
    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class Softmax(_AlongAxis):
    """exp(x) / sum(exp(x)) along `axis` (torch's `dim`)."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return _like(x, F.softmax(x, self.axis))

    forward = __call__


class LogSoftmax(_AlongAxis):
    """x - logsumexp(x) along `axis`, computed stably."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return _like(x, F.log_softmax(x, self.axis))

    forward = __call__


class Dropout(Module):
    """Inverted dropout in training (zero with probability p, scale the rest by 1/(1-p));
    the identity in eval. The mask comes from the module's device RNG (`device=`)."""

    def __init__(self, p: float = 0.5, *, device: Device | None = None) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p}")
        self.p = p
        self._device = _device("Dropout", device, Float32)

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.dropout(x, self.p, self.training, rng=_same_device_rng(self._device, x))

    forward = __call__

    def _moved_to(self, device: Device) -> None:
        self._device = device

    def extra_repr(self) -> str:
        return f"p={self.p}"


# ---------------------------------------------------------------- normalization, embedding


class LayerNorm(Module, Generic[Nf, PD]):
    """Normalize over the last axis (of size N), then scale by weight and shift by bias.

    weight starts at ones and bias at zeros; eps 1e-5, as torch.nn.LayerNorm(N).
    """

    _type_args = ("normalized_shape",)

    weight: Tensor[tuple[Nf], PD, Any]
    bias: Tensor[tuple[Nf], PD, Any]

    @overload
    def __init__(
        self: LayerNorm[SI],
        normalized_shape: SI,
        *,
        eps: float = 1e-5,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: LayerNorm[SI, MD],
        normalized_shape: SI,
        *,
        eps: float = 1e-5,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self,
        normalized_shape: Nf,
        *,
        eps: float = 1e-5,
        device: Device | None = None,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        normalized_shape: Any,
        *,
        eps: float = 1e-5,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        dev = _device("LayerNorm", device, dtype)
        self.normalized_shape = _size("LayerNorm", "normalized_shape", normalized_shape)
        self.eps = eps
        self.weight = _full(dev, (self.normalized_shape,), 1.0, dtype)
        self.bias = _full(dev, (self.normalized_shape,), 0.0, dtype)

    def __call__(self, x: Tensor[S, PD, Dev, T]) -> Tensor[S, PD, Dev, T]:
        return _like(x, F.layer_norm(x, self.weight, self.bias, self.eps))

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> LayerNorm[Nf, MD]: ...
        def to(self, target: Any) -> Any: ...

    def extra_repr(self) -> str:
        return f"({self.normalized_shape},), eps={self.eps}, elementwise_affine=True, bias=True"


class _BatchNorm(Module, Generic[C, PD]):
    """Per-channel batch normalization over axis 1, as torch.nn.BatchNorm*d.

    Training normalizes with the batch statistics and updates the running ones in place,
    with or without a tape: mean and the unbiased variance, momentum 0.1. Eval uses the
    running statistics. weight starts at ones, bias at zeros, running_var at ones.
    """

    _type_args = ("num_features",)
    _buffer_names = frozenset({"running_mean", "running_var", "num_batches_tracked"})
    _ranks: tuple[int, ...] = ()

    weight: Tensor[tuple[C], PD, Any]
    bias: Tensor[tuple[C], PD, Any]
    running_mean: Tensor[tuple[C], PD, Any]
    running_var: Tensor[tuple[C], PD, Any]
    num_batches_tracked: Tensor[tuple[()], Int64, Any]

    def __init__(
        self,
        num_features: C,
        *,
        eps: float = 1e-5,
        momentum: float = 0.1,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        name = type(self).__name__
        dev = _device(name, device, dtype)
        self.num_features = size = _size(name, "num_features", num_features)
        self.eps = eps
        self.momentum = momentum
        self.weight = _full(dev, (size,), 1.0, dtype)
        self.bias = _full(dev, (size,), 0.0, dtype)
        self.running_mean = _full(dev, (size,), 0.0, dtype)
        self.running_var = _full(dev, (size,), 1.0, dtype)
        self.num_batches_tracked = dev.zeros((), Int64)

    def __call__(self, x: Tensor[S, PD, Dev, T]) -> Tensor[S, PD, Dev, T]:
        if x.ndim not in self._ranks:
            ranks = " or ".join(f"{rank}-D" for rank in self._ranks)
            raise ShapeError(
                f"{type(self).__name__}: expected {ranks} input (N, C, ...), got shape "
                f"{tuple(x.shape)}"
            )
        if self.training:
            self.num_batches_tracked._data += 1
        return F.batch_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training,
            self.momentum,
            self.eps,
        )

    forward = __call__

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine=True, "
            "bias=True, track_running_stats=True"
        )


class BatchNorm1d(_BatchNorm[C, PD]):
    """Batch normalization of (N, C) or (N, C, L) per channel C."""

    _ranks = (2, 3)

    if TYPE_CHECKING:  # the constructor as pyright reads it (sizes.Size keeps the literal)

        @overload
        def __init__(
            self: BatchNorm1d[SI],
            num_features: SI,
            *,
            eps: float = 1e-5,
            momentum: float = 0.1,
            device: Device | None = None,
            dtype: type[Float32] = ...,
        ) -> None: ...
        @overload
        def __init__(
            self: BatchNorm1d[SI, MD],
            num_features: SI,
            *,
            eps: float = 1e-5,
            momentum: float = 0.1,
            device: Device | None = None,
            dtype: type[MD],
        ) -> None: ...
        @overload
        def __init__(
            self,
            num_features: C,
            *,
            eps: float = 1e-5,
            momentum: float = 0.1,
            device: Device | None = None,
            dtype: type[PD] = ...,
        ) -> None: ...
        def __init__(self, num_features: Any, **options: Any) -> None: ...

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> BatchNorm1d[C, MD]: ...
        def to(self, target: Any) -> Any: ...


class BatchNorm2d(_BatchNorm[C, PD]):
    """Batch normalization of (N, C, H, W) per channel C."""

    _ranks = (4,)

    if TYPE_CHECKING:  # the constructor as pyright reads it (sizes.Size keeps the literal)

        @overload
        def __init__(
            self: BatchNorm2d[SI],
            num_features: SI,
            *,
            eps: float = 1e-5,
            momentum: float = 0.1,
            device: Device | None = None,
            dtype: type[Float32] = ...,
        ) -> None: ...
        @overload
        def __init__(
            self: BatchNorm2d[SI, MD],
            num_features: SI,
            *,
            eps: float = 1e-5,
            momentum: float = 0.1,
            device: Device | None = None,
            dtype: type[MD],
        ) -> None: ...
        @overload
        def __init__(
            self,
            num_features: C,
            *,
            eps: float = 1e-5,
            momentum: float = 0.1,
            device: Device | None = None,
            dtype: type[PD] = ...,
        ) -> None: ...
        def __init__(self, num_features: Any, **options: Any) -> None: ...

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> BatchNorm2d[C, MD]: ...
        def to(self, target: Any) -> Any: ...


class Embedding(Module, Generic[V, E, PD]):
    """weight[indices]: a (V, E) table of learned vectors, drawn from N(0, 1) as torch.

    The indices are integers of any shape; the gradient scatter-adds into the rows used.
    """

    _type_args = ("num_embeddings", "embedding_dim")

    weight: Tensor[tuple[V, E], PD, Any]

    @overload
    def __init__(
        self: Embedding[SI, SO],
        num_embeddings: SI,
        embedding_dim: SO,
        *,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: Embedding[SI, SO, MD],
        num_embeddings: SI,
        embedding_dim: SO,
        *,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self: Embedding[int, SO],
        num_embeddings: int,
        embedding_dim: SO,
        *,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self,
        num_embeddings: V,
        embedding_dim: E,
        *,
        device: Device | None = None,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        num_embeddings: Any,
        embedding_dim: Any,
        *,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        dev = _device("Embedding", device, dtype)
        self.num_embeddings = _size("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = _size("Embedding", "embedding_dim", embedding_dim)
        self.weight = _normal(dev, (self.num_embeddings, self.embedding_dim), dtype)

    def __call__(self, indices: Tensor[tuple[*B], Any, Dev, T]) -> Tensor[tuple[*B, E], PD, Dev, T]:
        return F.embedding(indices, self.weight)

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> Embedding[V, E, MD]: ...
        def to(self, target: Any) -> Any: ...

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"


# ---------------------------------------------------------------- attention, transformer


class MultiHeadAttention(Module, Generic[Dim, Heads, PD]):
    """Multi-head attention with batch_first layout (N, L, E), as torch.nn.MultiheadAttention.

    `mha(x)` is self-attention, `mha(q, k, v)` attends from q (N, L, E) to k, v (N, S, E);
    it returns one tensor shaped like q (no attention weights), so it fits in a Sequential.
    `mask` is Bool, True where a query may attend (as scaled_dot_product_attention; note
    torch's MultiheadAttention uses True for *not* allowed), shaped (L, S), (N, L, S) or
    (N, H, L, S). Unbatched (L, E) inputs work too. Parameters as torch: `in_proj_weight`
    (3E, E) xavier-uniform, `in_proj_bias` zeros, `out_proj` a Linear with zero bias.
    `dropout` applies to the attention weights in training, as torch.
    """

    _type_args = ("embed_dim", "num_heads")

    in_proj_weight: Tensor[tuple[Any, Dim], PD, Any]
    in_proj_bias: Tensor[tuple[Any], PD, Any] | None
    out_proj: Linear[Dim, Dim, PD]

    @overload
    def __init__(
        self: MultiHeadAttention[SI, SO],
        embed_dim: SI,
        num_heads: SO,
        *,
        dropout: float = 0.0,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: MultiHeadAttention[SI, SO, MD],
        embed_dim: SI,
        num_heads: SO,
        *,
        dropout: float = 0.0,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self,
        embed_dim: Dim,
        num_heads: Heads,
        *,
        dropout: float = 0.0,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        embed_dim: Any,
        num_heads: Any,
        *,
        dropout: float = 0.0,
        bias: bool = True,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        name = "MultiHeadAttention"
        dev = _device(name, device, dtype)
        dim = _size(name, "embed_dim", embed_dim)
        heads = _size(name, "num_heads", num_heads)
        shapes.layer_sizes(name, {"embed_dim": dim, "num_heads": heads})
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"{name}: dropout must be in [0, 1], got {dropout}")
        self.embed_dim = dim
        self.num_heads = heads
        self.dropout = dropout
        self.in_proj_weight = _uniform(dev, (3 * dim, dim), math.sqrt(6.0 / (4 * dim)), dtype)
        self.in_proj_bias = _full(dev, (3 * dim,), 0.0, dtype) if bias else None
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, device=dev, dtype=dtype)
        if self.out_proj.bias is not None:
            self.out_proj.bias._data[...] = 0  # torch zeroes it after Linear's init
        self._device = dev

    @overload
    def __call__(
        self,
        query: Tensor[S, PD, Dev, T],
        key: None = None,
        value: None = None,
        *,
        mask: Mask | None = None,
    ) -> Tensor[S, PD, Dev, T]: ...
    @overload
    def __call__(
        self,
        query: Tensor[S, PD, Dev, T],
        key: Tensor[Any, D, Dev, NoTape],
        value: Tensor[Any, D, Dev, NoTape] | None = None,
        *,
        mask: Mask | None = None,
    ) -> Tensor[S, PD, Dev, T]: ...
    @overload
    def __call__(
        self,
        query: Tensor[S, PD, Dev, T],
        key: Tensor[Any, PD, Dev, T],
        value: Tensor[Any, PD, Dev, T] | None = None,
        *,
        mask: Mask | None = None,
    ) -> Tensor[S, PD, Dev, T]: ...
    @overload
    def __call__(
        self,
        query: Tensor[S, D, Dev, Any],
        key: Tensor[Any, D, Dev, Any],
        value: Tensor[Any, D, Dev, Any] | None = None,
        *,
        mask: Mask | None = None,
    ) -> Tensor[S, D, Dev, OwnedTape]: ...
    def __call__(
        self,
        query: AnyTensor,
        key: AnyTensor | None = None,
        value: AnyTensor | None = None,
        *,
        mask: AnyTensor | None = None,
    ) -> Any:
        shapes.features("MultiHeadAttention", query.shape, self.embed_dim)
        key = query if key is None else key
        value = key if value is None else value
        unbatched = query.ndim == 2
        if unbatched:
            query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
        if query.ndim != 3 or key.ndim != 3 or value.ndim != 3:
            raise ShapeError(
                "MultiHeadAttention: expected query, key and value (N, L, E) or (L, E), got "
                f"{tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}"
            )
        q, k, v = self._project(query, key, value)
        if mask is not None and mask.ndim == 3:
            mask = mask.unsqueeze(1)  # (N, L, S): the same mask for every head
        if self.training and self.dropout > 0.0:
            scores = (q @ k.mT) * (1.0 / math.sqrt(q.shape[-1]))
            if mask is not None:
                scores = where(mask, scores, -math.inf)
            weights = F.softmax(scores, -1)
            rng = _same_device_rng(self._device, weights)
            attended = F.dropout(weights, self.dropout, True, rng=rng) @ v
        else:
            attended = F.scaled_dot_product_attention(q, k, v, mask)
        n, length = query.shape[0], query.shape[1]
        merged = attended.permute(0, 2, 1, 3).reshape(n, length, q.shape[1] * q.shape[3])
        out = self.out_proj(merged)
        return out[0] if unbatched else out

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> MultiHeadAttention[Dim, Heads, MD]: ...
        def to(self, target: Any) -> Any: ...

    def _project(
        self, query: AnyTensor, key: AnyTensor, value: AnyTensor
    ) -> tuple[AnyTensor, AnyTensor, AnyTensor]:
        """q, k, v projected and split into heads (N, H, L, E/H).

        Each distinct input goes through one GEMM with the whole in_proj_weight and the
        blocks it needs are sliced from the result: slicing the parameter instead would
        leave it off the tape (parameters carry none), so its gradient would be lost.
        """
        dim = query.shape[-1]
        projected: dict[int, AnyTensor] = {}
        blocks = []
        for index, source in enumerate((query, key, value)):
            if id(source) not in projected:
                projected[id(source)] = F.linear(source, self.in_proj_weight, self.in_proj_bias)
            block = projected[id(source)][..., index * dim : (index + 1) * dim]
            n, length = source.shape[0], source.shape[1]
            heads = self.num_heads
            blocks.append(block.reshape(n, length, heads, dim // heads).permute(0, 2, 1, 3))
        return blocks[0], blocks[1], blocks[2]

    def _moved_to(self, device: Device) -> None:
        self._device = device

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.dropout}"


class TransformerEncoderLayer(Module, Generic[Dim, Heads, Ff, PD]):
    """Self-attention then a feed-forward block, each with a residual and LayerNorm.

    torch.nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, batch_first=True)'s
    defaults: post-norm (`norm_first=False`), ReLU, dropout 0.1, layer_norm_eps 1e-5.
    `mask` as MultiHeadAttention (True = may attend).
    """

    _type_args = ("d_model", "nhead", "dim_feedforward")

    @overload
    def __init__(
        self: TransformerEncoderLayer[SI, SO, SK],
        d_model: SI,
        nhead: SO,
        dim_feedforward: SK,
        *,
        dropout: float = 0.1,
        activation: Literal["relu", "gelu"] = "relu",
        layer_norm_eps: float = 1e-5,
        norm_first: bool = False,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: TransformerEncoderLayer[SI, SO, SK, MD],
        d_model: SI,
        nhead: SO,
        dim_feedforward: SK,
        *,
        dropout: float = 0.1,
        activation: Literal["relu", "gelu"] = "relu",
        layer_norm_eps: float = 1e-5,
        norm_first: bool = False,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self: TransformerEncoderLayer[SI, SO, int],
        d_model: SI,
        nhead: SO,
        dim_feedforward: int,
        *,
        dropout: float = 0.1,
        activation: Literal["relu", "gelu"] = "relu",
        layer_norm_eps: float = 1e-5,
        norm_first: bool = False,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self,
        d_model: Dim,
        nhead: Heads,
        dim_feedforward: Ff,
        *,
        dropout: float = 0.1,
        activation: Literal["relu", "gelu"] = "relu",
        layer_norm_eps: float = 1e-5,
        norm_first: bool = False,
        device: Device | None = None,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        d_model: Any,
        nhead: Any,
        dim_feedforward: Any,
        *,
        dropout: float = 0.1,
        activation: Literal["relu", "gelu"] = "relu",
        layer_norm_eps: float = 1e-5,
        norm_first: bool = False,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        if activation not in ("relu", "gelu"):
            raise ValueError(
                f"TransformerEncoderLayer: activation must be 'relu' or 'gelu', got {activation!r}"
            )
        dev = _device("TransformerEncoderLayer", device, dtype)
        sizes = {"d_model": d_model, "nhead": nhead, "dim_feedforward": dim_feedforward}
        shapes.layer_sizes(
            "TransformerEncoderLayer",
            {name: _size("TransformerEncoderLayer", name, v) for name, v in sizes.items()},
        )
        kw: dict[str, Any] = {"device": dev, "dtype": dtype}
        self.self_attn: MultiHeadAttention[Dim, Heads, PD] = MultiHeadAttention(
            d_model, nhead, dropout=dropout, **kw
        )
        self.linear1: Linear[Dim, Ff, PD] = Linear(d_model, dim_feedforward, **kw)
        self.dropout = Dropout(dropout, device=dev)
        self.linear2: Linear[Ff, Dim, PD] = Linear(dim_feedforward, d_model, **kw)
        self.norm_first = norm_first
        self.norm1: LayerNorm[Dim, PD] = LayerNorm(d_model, eps=layer_norm_eps, **kw)
        self.norm2: LayerNorm[Dim, PD] = LayerNorm(d_model, eps=layer_norm_eps, **kw)
        self.dropout1 = Dropout(dropout, device=dev)
        self.dropout2 = Dropout(dropout, device=dev)
        self.activation: Literal["relu", "gelu"] = activation

    def __call__(
        self, x: Tensor[S, PD, Dev, T], *, mask: Mask | None = None
    ) -> Tensor[S, PD, Dev, T]:
        shapes.features("TransformerEncoderLayer", x.shape, self.self_attn.embed_dim)
        if self.norm_first:
            x = x + self._attention_block(self.norm1(x), mask)
            return x + self._feed_forward_block(self.norm2(x))
        x = self.norm1(x + self._attention_block(x, mask))
        return self.norm2(x + self._feed_forward_block(x))

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> TransformerEncoderLayer[Dim, Heads, Ff, MD]: ...
        def to(self, target: Any) -> Any: ...

    def _attention_block(
        self, x: Tensor[S, PD, Dev, T], mask: Mask | None
    ) -> Tensor[S, PD, Dev, T]:
        return self.dropout1(self.self_attn(x, mask=mask))

    def _feed_forward_block(self, x: Tensor[S, PD, Dev, T]) -> Tensor[S, PD, Dev, T]:
        hidden: AnyTensor = self.linear1(x)
        hidden = hidden.relu() if self.activation == "relu" else hidden.gelu()
        return _like(x, self.dropout2(self.linear2(self.dropout(hidden))))


# ---------------------------------------------------------------- activations, more


class SiLU(Module):
    """x * sigmoid(x)."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.silu(x)

    forward = __call__


class Mish(Module):
    """x * tanh(softplus(x))."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.mish(x)

    forward = __call__


class SELU(Module):
    """scale * elu(x, alpha) with the self-normalising constants."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.selu(x)

    forward = __call__


class Hardswish(Module):
    """x * relu6(x + 3) / 6."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.hardswish(x)

    forward = __call__


class Hardsigmoid(Module):
    """relu6(x + 3) / 6."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.hardsigmoid(x)

    forward = __call__


class ReLU6(Module):
    """min(max(x, 0), 6)."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.relu6(x)

    forward = __call__


class LogSigmoid(Module):
    """log(sigmoid(x)), computed stably."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.logsigmoid(x)

    forward = __call__


class Softsign(Module):
    """x / (1 + |x|)."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.softsign(x)

    forward = __call__


class ELU(Module):
    """x where x > 0, alpha * (exp(x) - 1) elsewhere."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.elu(x, self.alpha)

    forward = __call__

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class CELU(ELU):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.celu(x, self.alpha)

    forward = __call__


class Softplus(Module):
    """log(1 + exp(beta x)) / beta; x itself where beta x > threshold."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.softplus(x, self.beta, self.threshold)

    forward = __call__

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """x limited to [min_val, max_val]."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0) -> None:
        super().__init__()
        if min_val > max_val:
            raise ValueError(f"Hardtanh: min_val {min_val} is greater than max_val {max_val}")
        self.min_val, self.max_val = min_val, max_val

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.hardtanh(x, self.min_val, self.max_val)

    forward = __call__

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class Softmin(_AlongAxis):
    """softmax(-x) along `axis` (torch's `dim`)."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.softmin(x, self.axis)

    forward = __call__


class GLU(_AlongAxis):
    """a * sigmoid(b) for the two halves a, b of `axis`: that axis halves."""

    def __call__(self, x: Tensor[Any, D, Dev, T]) -> Tensor[tuple[Any, ...], D, Dev, T]:
        return F.glu(x, self.axis)

    forward = __call__


class PReLU(Module):
    """x where x > 0, weight * x elsewhere: one learned slope, or one per channel (axis 1).

    weight starts at `init` (0.25), as torch.nn.PReLU(num_parameters, init)."""

    weight: Tensor[tuple[int], Any, Any]

    def __init__(
        self,
        num_parameters: int = 1,
        init: float = 0.25,
        *,
        device: Device | None = None,
        dtype: type[DType] = Float32,
    ) -> None:
        super().__init__()
        dev = _device("PReLU", device, dtype)
        if not isinstance(num_parameters, int) or isinstance(num_parameters, bool):
            raise TypeError(f"PReLU: num_parameters must be an int, got {num_parameters!r}")
        if num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be an int >= 1, got {num_parameters!r}")
        self.num_parameters = num_parameters
        self.weight = _full(dev, (num_parameters,), init, dtype)

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return _like(x, F.prelu(x, self.weight))

    forward = __call__

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


# ---------------------------------------------------------------- convolution and pooling options

OutL = TypeVar("OutL")


class AdaptiveAvgPool1d(Module, Generic[OutL]):
    """The mean of each of OutL windows that tile the last axis of (N, C, L) or (C, L), as
    torch.nn.AdaptiveAvgPool1d: `AdaptiveAvgPool1d(1)` is global pooling."""

    _type_args = ("output_size",)

    @overload
    def __init__(self: AdaptiveAvgPool1d[SK], output_size: SK) -> None: ...
    @overload
    def __init__(self, output_size: OutL) -> None: ...
    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = _size("AdaptiveAvgPool1d", "output_size", output_size)

    def __call__(self, x: Tensor[tuple[*B, Any], D, Dev, T]) -> Tensor[tuple[*B, OutL], D, Dev, T]:
        out = F.adaptive_avg_pool1d(x, self.output_size)  # its last dim is OutL
        return cast("Tensor[tuple[*B, OutL], D, Dev, T]", out)

    forward = __call__

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(Module, Generic[OutL]):
    """The maximum of each of OutL windows that tile the last axis of (N, C, L) or (C, L), as
    torch.nn.AdaptiveMaxPool1d (without return_indices)."""

    _type_args = ("output_size",)

    @overload
    def __init__(self: AdaptiveMaxPool1d[SK], output_size: SK) -> None: ...
    @overload
    def __init__(self, output_size: OutL) -> None: ...
    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = _size("AdaptiveMaxPool1d", "output_size", output_size)

    def __call__(self, x: Tensor[tuple[*B, Any], D, Dev, T]) -> Tensor[tuple[*B, OutL], D, Dev, T]:
        out = F.adaptive_max_pool1d(x, self.output_size)  # its last dim is OutL
        return cast("Tensor[tuple[*B, OutL], D, Dev, T]", out)

    forward = __call__

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


def _per_axis3(layer: str, name: str, value: Any) -> int | tuple[int, int, int]:
    """A 3-D layer's size as torch takes it: an int for all axes or a 3-tuple (D, H, W)."""
    if not isinstance(value, tuple):
        return _size(layer, name, value)
    if len(value) != 3:
        raise TypeError(f"{layer}: {name} must be an int or a 3-tuple of ints, got {value!r}")
    return (
        _size(layer, name, value[0]),
        _size(layer, name, value[1]),
        _size(layer, name, value[2]),
    )


def _three(value: int | tuple[int, int, int]) -> tuple[int, int, int]:
    return (value, value, value) if isinstance(value, int) else value


class Conv3d(Module, Generic[Cin, Cout, K, Stride, Pad, Dil, Groups, PD]):
    """3-D convolution over (N, Cin, D, H, W) or (Cin, D, H, W), as torch.nn.Conv3d.

    kernel_size, stride, padding and dilation are an int (all axes) or a 3-tuple (D, H, W).
    weight (Cout, Cin/groups, kD, kH, kW) and bias (Cout,) are drawn from U(-1/sqrt(fan_in),
    1/sqrt(fan_in)), fan_in = Cin/groups * kD*kH*kW. D_out = (D + 2*padding -
    dilation*(kD-1) - 1)//stride + 1, per axis; padding="same" (stride 1) keeps D, H, W.
    """

    _type_args = (
        "in_channels",
        "out_channels",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "groups",
    )

    weight: Tensor[tuple[Cout, Any, Any, Any, Any], PD, Any]
    bias: Tensor[tuple[Cout], PD, Any] | None

    @overload
    def __init__(
        self: Conv3d[SI, SO, SK, Any, Any, Any, Any],
        in_channels: SI,
        out_channels: SO,
        kernel_size: SK,
        *,
        stride: int | tuple[int, int, int] = ...,
        padding: int | tuple[int, int, int] | Literal["same", "valid"] = ...,
        dilation: int | tuple[int, int, int] = ...,
        groups: int = ...,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: Conv3d[SI, SO, SK, Any, Any, Any, Any, MD],
        in_channels: SI,
        out_channels: SO,
        kernel_size: SK,
        *,
        stride: int | tuple[int, int, int] = ...,
        padding: int | tuple[int, int, int] | Literal["same", "valid"] = ...,
        dilation: int | tuple[int, int, int] = ...,
        groups: int = ...,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self,
        in_channels: Cin,
        out_channels: Cout,
        kernel_size: K,
        *,
        stride: Stride = ...,
        padding: Pad = ...,
        dilation: Dil = ...,
        groups: Groups = ...,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        in_channels: Any,
        out_channels: Any,
        kernel_size: Any,
        *,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: Any = 1,
        bias: bool = True,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        layer = "Conv3d"
        dev = _device(layer, device, dtype)
        self.in_channels = cin = _size(layer, "in_channels", in_channels)
        self.out_channels = cout = _size(layer, "out_channels", out_channels)
        self.kernel_size = k = _per_axis3(layer, "kernel_size", kernel_size)
        self.stride = _per_axis3(layer, "stride", stride)
        self.dilation = _per_axis3(layer, "dilation", dilation)
        if padding == "valid":
            padding = 0
        if padding == "same" and self.stride not in (1, (1, 1, 1)):
            raise ShapeError(f"{layer}: padding='same' is not supported for strided convolutions")
        self.padding = padding if padding == "same" else _per_axis3(layer, "padding", padding)
        self.groups = g = _size(layer, "groups", groups)
        shapes.layer_sizes(layer, {"in_channels": cin, "out_channels": cout, "groups": g})
        kd, kh, kw = _three(k)
        bound = _fan_in_bound(cin // g * kd * kh * kw)
        self.weight = _uniform(dev, (cout, cin // g, kd, kh, kw), bound, dtype)
        self.bias = _uniform(dev, (cout,), bound, dtype) if bias else None

    @overload
    def __call__(
        self, x: Tensor[tuple[N, Any, Any, Any, Any], PD, Dev, T]
    ) -> Tensor[tuple[N, Cout, int, int, int], PD, Dev, T]: ...
    @overload
    def __call__(
        self, x: Tensor[tuple[Any, Any, Any, Any], PD, Dev, T]
    ) -> Tensor[tuple[Cout, int, int, int], PD, Dev, T]: ...
    def __call__(self, x: AnyTensor) -> Any:
        return F.conv3d(
            x,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self.dilation,
            self.groups,
        )

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> Conv3d[Cin, Cout, K, Stride, Pad, Dil, Groups, MD]: ...
        def to(self, target: Any) -> Any: ...

    def extra_repr(self) -> str:
        p = self.padding
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={_three(self.kernel_size)}"
        text += f", stride={_three(self.stride)}"
        if p != 0 and p != (0, 0, 0):
            text += f", padding={p}" if isinstance(p, str) else f", padding={_three(p)}"
        if self.dilation not in (1, (1, 1, 1)):
            text += f", dilation={_three(self.dilation)}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class Conv1d(Module, Generic[Cin, Cout, K, Stride, Pad, Dil, Groups, PD]):
    """1-D convolution over (N, Cin, L) or (Cin, L), as torch.nn.Conv1d.

    weight (Cout, Cin/groups, K) and bias (Cout,) are drawn from U(-1/sqrt(fan_in),
    1/sqrt(fan_in)), fan_in = Cin/groups * K. L_out = (L + 2*padding - dilation*(K-1) - 1)//stride
    + 1; padding="same" (stride 1) keeps L.
    """

    _type_args = (
        "in_channels",
        "out_channels",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "groups",
    )

    weight: Tensor[tuple[Cout, Any, K], PD, Any]
    bias: Tensor[tuple[Cout], PD, Any] | None

    @overload
    def __init__(
        self: Conv1d[SI, SO, SK, Any, Any, Any, Any],
        in_channels: SI,
        out_channels: SO,
        kernel_size: SK,
        *,
        stride: int = ...,
        padding: int | Literal["same", "valid"] = ...,
        dilation: int = ...,
        groups: int = ...,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: Conv1d[SI, SO, SK, Any, Any, Any, Any, MD],
        in_channels: SI,
        out_channels: SO,
        kernel_size: SK,
        *,
        stride: int = ...,
        padding: int | Literal["same", "valid"] = ...,
        dilation: int = ...,
        groups: int = ...,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self,
        in_channels: Cin,
        out_channels: Cout,
        kernel_size: K,
        *,
        stride: Stride = ...,
        padding: Pad = ...,
        dilation: Dil = ...,
        groups: Groups = ...,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        in_channels: Any,
        out_channels: Any,
        kernel_size: Any,
        *,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: Any = 1,
        bias: bool = True,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        layer = "Conv1d"
        dev = _device(layer, device, dtype)
        self.in_channels = cin = _size(layer, "in_channels", in_channels)
        self.out_channels = cout = _size(layer, "out_channels", out_channels)
        self.kernel_size = k = _size(layer, "kernel_size", kernel_size)
        self.stride = _size(layer, "stride", stride)
        self.dilation = _size(layer, "dilation", dilation)
        self.padding = _same_or_size(layer, padding, self.stride, self.dilation * (k - 1))
        self.groups = g = _size(layer, "groups", groups)
        shapes.layer_sizes(layer, {"in_channels": cin, "out_channels": cout, "groups": g})
        bound = _fan_in_bound(cin // g * k)
        self.weight = _uniform(dev, (cout, cin // g, k), bound, dtype)
        self.bias = _uniform(dev, (cout,), bound, dtype) if bias else None

    @overload
    def __call__(
        self, x: Tensor[tuple[N, Any, Any], PD, Dev, T]
    ) -> Tensor[tuple[N, Cout, int], PD, Dev, T]: ...
    @overload
    def __call__(
        self, x: Tensor[tuple[Any, Any], PD, Dev, T]
    ) -> Tensor[tuple[Cout, int], PD, Dev, T]: ...
    def __call__(self, x: AnyTensor) -> Any:
        return F.conv1d(
            x,
            self.weight,
            self.bias,
            self.stride,
            self.padding,  # type: ignore[arg-type]
            self.dilation,
            self.groups,
        )

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> Conv1d[Cin, Cout, K, Stride, Pad, Dil, Groups, MD]: ...
        def to(self, target: Any) -> Any: ...

    def extra_repr(self) -> str:
        p = self.padding
        text = f"{self.in_channels}, {self.out_channels}, kernel_size=({self.kernel_size},)"
        text += f", stride=({self.stride},)"
        if p != 0:
            text += f", padding={p}" if isinstance(p, str) else f", padding=({p},)"
        if self.dilation != 1:
            text += f", dilation=({self.dilation},)"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class MaxPool1d(_Pool2d[PoolK, PoolStride, PoolPad]):
    """The maximum of each window of K along the last axis of (N, C, L) or (C, L); stride
    defaults to K, as torch.nn.MaxPool1d. Padding is -inf; dilation spaces the window's cells,
    ceil_mode rounds L_out up (neither is in the type: the plugin's L_out is int then)."""

    _axes = 1

    def __init__(
        self,
        kernel_size: PoolK,
        *,
        stride: PoolStride | None = None,
        padding: PoolPad = 0,  # type: ignore[assignment]  # the TypeVar's default, L[0]
        dilation: int = 1,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__(kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode)
        self.dilation = _size(type(self).__name__, "dilation", dilation)

    def __call__(self, x: Tensor[tuple[*B, Any], D, Dev, T]) -> Tensor[tuple[*B, int], D, Dev, T]:
        k, s, p, d = self.kernel_size, self.stride, self.padding, self.dilation
        assert isinstance(k, int) and isinstance(s, int) and isinstance(p, int)
        assert isinstance(d, int)
        return F.max_pool1d(x, k, s, p, self.ceil_mode, d)

    forward = __call__


class AvgPool1d(_Pool2d[PoolK, PoolStride, PoolPad]):
    """The mean of each window of K along the last axis of (N, C, L) or (C, L); zero padding
    counts in the divisor, as torch.nn.AvgPool1d's default (count_include_pad=False: not);
    ceil_mode rounds L_out up (not in the type: the plugin's L_out is int then)."""

    _axes = 1

    def __init__(
        self,
        kernel_size: PoolK,
        *,
        stride: PoolStride | None = None,
        padding: PoolPad = 0,  # type: ignore[assignment]  # the TypeVar's default, L[0]
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__(kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode)
        self.count_include_pad = count_include_pad

    def __call__(self, x: Tensor[tuple[*B, Any], D, Dev, T]) -> Tensor[tuple[*B, int], D, Dev, T]:
        k, s, p = self.kernel_size, self.stride, self.padding
        assert isinstance(k, int) and isinstance(s, int) and isinstance(p, int)
        return F.avg_pool1d(x, k, s, p, self.ceil_mode, count_include_pad=self.count_include_pad)

    forward = __call__


OutH = TypeVar("OutH")
OutW = TypeVar("OutW", default=OutH)  # AdaptiveAvgPool2d[L[1]] is 1 x 1, as torch's (1)
R = TypeVar("R")


def _adaptive_size(layer: str, output_size: Any, width: Any) -> tuple[int, int]:
    """An adaptive pool's output size as a pair of ints >= 1 (`width`: build_module's OutW)."""
    size = output_size if width is None else (output_size, width)
    pair = (size, size) if not isinstance(size, tuple) else size
    if len(pair) != 2 or not all(hasattr(v, "__index__") and not isinstance(v, bool) for v in pair):
        raise TypeError(f"{layer}: output_size must be an int or a pair of ints, got {size!r}")
    out = (int(pair[0]), int(pair[1]))
    shapes.adaptive_pool2d(layer, (None, None, None), out)
    return out


class AdaptiveAvgPool2d(Module, Generic[OutH, OutW]):
    """The mean of each of OutH x OutW windows that tile the last two axes of (N, C, H, W) or
    (C, H, W), as torch.nn.AdaptiveAvgPool2d: `AdaptiveAvgPool2d((1, 1))` is global pooling."""

    @overload
    def __init__(self: AdaptiveAvgPool2d[SK, SK], output_size: SK) -> None: ...
    @overload
    def __init__(self: AdaptiveAvgPool2d[SI, SO], output_size: tuple[SI, SO]) -> None: ...
    @overload
    def __init__(self: AdaptiveAvgPool2d[OutH, OutW], output_size: tuple[OutH, OutW]) -> None: ...
    @overload
    def __init__(self: AdaptiveAvgPool2d[OutH, OutH], output_size: OutH) -> None: ...
    def __init__(self, output_size: Any, _width: Any = None) -> None:
        # build_module passes the type arguments (OutH, OutW) positionally: _width is OutW
        super().__init__()
        self.output_size = _adaptive_size("AdaptiveAvgPool2d", output_size, _width)

    def __call__(
        self, x: Tensor[tuple[*B, Any, Any], D, Dev, T]
    ) -> Tensor[tuple[*B, OutH, OutW], D, Dev, T]:
        out = F.adaptive_avg_pool2d(x, self.output_size)  # its dims are OutH, OutW
        return cast("Tensor[tuple[*B, OutH, OutW], D, Dev, T]", out)

    forward = __call__

    def extra_repr(self) -> str:
        h, w = self.output_size
        return f"output_size={h if h == w else (h, w)}"


class AdaptiveMaxPool2d(Module, Generic[OutH, OutW]):
    """The maximum of each of OutH x OutW windows that tile the last two axes of (N, C, H, W)
    or (C, H, W), as torch.nn.AdaptiveMaxPool2d (without return_indices)."""

    @overload
    def __init__(self: AdaptiveMaxPool2d[SK, SK], output_size: SK) -> None: ...
    @overload
    def __init__(self: AdaptiveMaxPool2d[SI, SO], output_size: tuple[SI, SO]) -> None: ...
    @overload
    def __init__(self: AdaptiveMaxPool2d[OutH, OutW], output_size: tuple[OutH, OutW]) -> None: ...
    @overload
    def __init__(self: AdaptiveMaxPool2d[OutH, OutH], output_size: OutH) -> None: ...
    def __init__(self, output_size: Any, _width: Any = None) -> None:
        # build_module passes the type arguments (OutH, OutW) positionally: _width is OutW
        super().__init__()
        self.output_size = _adaptive_size("AdaptiveMaxPool2d", output_size, _width)

    def __call__(
        self, x: Tensor[tuple[*B, Any, Any], D, Dev, T]
    ) -> Tensor[tuple[*B, OutH, OutW], D, Dev, T]:
        out = F.adaptive_max_pool2d(x, self.output_size)  # its dims are OutH, OutW
        return cast("Tensor[tuple[*B, OutH, OutW], D, Dev, T]", out)

    forward = __call__

    def extra_repr(self) -> str:
        h, w = self.output_size
        return f"output_size={h if h == w else (h, w)}"


class PixelShuffle(Module, Generic[R]):
    """(*, C*R*R, H, W) -> (*, C, H*R, W*R), as torch.nn.PixelShuffle."""

    _type_args = ("upscale_factor",)

    @overload
    def __init__(self: PixelShuffle[SK], upscale_factor: SK) -> None: ...
    @overload
    def __init__(self, upscale_factor: R) -> None: ...
    def __init__(self, upscale_factor: Any) -> None:
        super().__init__()
        self.upscale_factor = _size("PixelShuffle", "upscale_factor", upscale_factor)

    def __call__(
        self, x: Tensor[tuple[*B, Any, Any, Any], D, Dev, T]
    ) -> Tensor[tuple[*B, int, int, int], D, Dev, T]:
        return F.pixel_shuffle(x, self.upscale_factor)

    forward = __call__

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


FoldOut = TypeVar("FoldOut")


def _pair_arg(layer: str, name: str, value: Any) -> int | tuple[int, int]:
    """An int or a pair of ints (torch's _pair arguments), each checked as a size."""
    if isinstance(value, tuple):
        if len(value) != 2:
            raise TypeError(f"{layer}: {name} must be an int or a pair of ints, got {value!r}")
        return (_size(layer, name, value[0]), _size(layer, name, value[1]))
    return _size(layer, name, value)


class Unfold(Module, Generic[K, Dil, Pad, Stride]):
    """(N, C, H, W) or (C, H, W) -> (N, C*K*K, L): each sliding K x K block as a column
    (im2col), as torch.nn.Unfold over F.unfold. A pair for any size is accepted too."""

    _type_args = ("kernel_size", "dilation", "padding", "stride")

    def __init__(
        self,
        kernel_size: K,
        dilation: Dil = 1,  # type: ignore[assignment]  # the TypeVar's default, L[1]
        padding: Pad = 0,  # type: ignore[assignment]  # the TypeVar's default, L[0]
        stride: Stride = 1,  # type: ignore[assignment]  # the TypeVar's default, L[1]
    ) -> None:
        super().__init__()
        self.kernel_size = _pair_arg("Unfold", "kernel_size", kernel_size)
        self.dilation = _pair_arg("Unfold", "dilation", dilation)
        self.padding = _pair_arg("Unfold", "padding", padding)
        self.stride = _pair_arg("Unfold", "stride", stride)
        shapes.unfold((None,) * 4, self.kernel_size, self.dilation, self.padding, self.stride)

    def __call__(
        self, x: Tensor[tuple[*B, Any, Any, Any], D, Dev, T]
    ) -> Tensor[tuple[Any, ...], D, Dev, T]:
        return F.unfold(x, self.kernel_size, self.dilation, self.padding, self.stride)

    forward = __call__

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
            f"padding={self.padding}, stride={self.stride}"
        )


class Fold(Module, Generic[FoldOut, K, Dil, Pad, Stride]):
    """(N, C*K*K, L) or (C*K*K, L) -> (N, C, H, W): the columns summed back into an image of
    output_size (col2im), as torch.nn.Fold over F.fold. A pair for any size is accepted too."""

    _type_args = ("output_size", "kernel_size", "dilation", "padding", "stride")

    def __init__(
        self,
        output_size: FoldOut,
        kernel_size: K,
        dilation: Dil = 1,  # type: ignore[assignment]  # the TypeVar's default, L[1]
        padding: Pad = 0,  # type: ignore[assignment]  # the TypeVar's default, L[0]
        stride: Stride = 1,  # type: ignore[assignment]  # the TypeVar's default, L[1]
    ) -> None:
        super().__init__()
        self.output_size = _pair_arg("Fold", "output_size", output_size)
        self.kernel_size = _pair_arg("Fold", "kernel_size", kernel_size)
        self.dilation = _pair_arg("Fold", "dilation", dilation)
        self.padding = _pair_arg("Fold", "padding", padding)
        self.stride = _pair_arg("Fold", "stride", stride)
        shapes.fold(
            (None,) * 3,
            self.output_size,
            self.kernel_size,
            self.dilation,
            self.padding,
            self.stride,
        )

    def __call__(
        self, x: Tensor[tuple[*B, Any, Any], D, Dev, T]
    ) -> Tensor[tuple[Any, ...], D, Dev, T]:
        return F.fold(
            x, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride
        )

    forward = __call__

    def extra_repr(self) -> str:
        return (
            f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
            f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}"
        )


class Residual(Module, Generic[Inner]):
    """x + module(x); the module must keep the shape. `Residual[M]` builds M inside."""

    _type_args = ("module",)

    def __init__(self, module: Inner) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"Residual: expected a module, got {type(module).__name__}")
        self.module = module

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        out = self.module(x)
        shapes.residual(x.shape, out.shape)
        return _like(x, x + out)

    forward = __call__
