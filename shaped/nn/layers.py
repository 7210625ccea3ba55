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
from collections.abc import Callable
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
SV = TypeVar("SV")  # Embedding.from_pretrained's table sizes
SE = TypeVar("SE")
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
# a transformer layer's feed-forward activation, as torch takes it: a name or a callable
Activation = Literal["relu", "gelu"] | Callable[[Any], Any]


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


if TYPE_CHECKING:  # what MaxPool1d/MaxPool2d(..., return_indices=True) build
    from shaped.nn.spatial import MaxPool1dWithIndices, MaxPool2dWithIndices


class MaxPool2d(_Pool2d[PoolK, PoolStride, PoolPad]):
    """The maximum of each kH x kW window; stride defaults to the kernel, as torch.nn.MaxPool2d.

    Padding is -inf; the gradient goes to each window's first maximum, as torch. dilation
    spaces the window's cells; ceil_mode rounds the output size up.
    """

    if TYPE_CHECKING:  # return_indices=True builds a MaxPool2dWithIndices (nn.spatial)

        @overload
        def __new__(
            cls,
            kernel_size: PoolK,
            *,
            stride: PoolStride | None = None,
            padding: PoolPad = 0,  # type: ignore[assignment]  # the TypeVar's default, L[0]
            dilation: int | tuple[int, int] = 1,
            return_indices: Literal[False] = False,
            ceil_mode: bool = False,
        ) -> MaxPool2d[PoolK, PoolStride, PoolPad]: ...
        @overload
        def __new__(
            cls,
            kernel_size: PoolK,
            *,
            stride: PoolStride | None = None,
            padding: PoolPad = 0,  # type: ignore[assignment]  # the TypeVar's default, L[0]
            dilation: int | tuple[int, int] = 1,
            return_indices: Literal[True],
            ceil_mode: bool = False,
        ) -> MaxPool2dWithIndices[PoolK, PoolStride, PoolPad]: ...

    def __new__(  # the parameters named, so that build_module reads __init__'s
        cls,
        kernel_size: Any,
        *,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> Any:
        if return_indices and cls is MaxPool2d:  # its call gives (values, indices)
            from shaped.nn.spatial import MaxPool2dWithIndices

            return super().__new__(MaxPool2dWithIndices)
        return super().__new__(cls)

    def __init__(
        self,
        kernel_size: PoolK,
        *,
        stride: PoolStride | None = None,
        padding: PoolPad = 0,  # type: ignore[assignment]  # the TypeVar's default, L[0]
        dilation: int | tuple[int, int] = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__(kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode)
        self.dilation = _per_axis(type(self).__name__, "dilation", dilation)
        self.return_indices = bool(return_indices) or type(self).__name__.endswith("WithIndices")

    def __call__(
        self, x: Tensor[tuple[*B, Any, Any], D, Dev, T]
    ) -> Tensor[tuple[*B, int, int], D, Dev, T]:
        if self.return_indices:  # a user's subclass built with return_indices=True
            return self._with_indices(x)  # type: ignore[no-any-return]
        return F.max_pool2d(
            x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.dilation
        )

    forward = __call__

    def _with_indices(self, x: AnyTensor) -> Any:
        k, s, p, d = self.kernel_size, self.stride, self.padding, self.dilation
        return F.max_pool2d(x, k, s, p, self.ceil_mode, d, return_indices=True)


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
    """Normalize over the trailing `normalized_shape` axes (an int N: the last axis), then
    scale by weight and shift by bias, as torch.nn.LayerNorm.

    weight starts at ones and bias at zeros; eps 1e-5. elementwise_affine=False keeps neither
    (both None), bias=False no bias. A tuple normalized_shape is `LayerNorm[tuple[...]]`; the
    plugin then checks only the rank.
    """

    _type_args = ("normalized_shape",)

    weight: Tensor[Any, PD, Any] | None
    bias: Tensor[Any, PD, Any] | None

    @overload
    def __init__(  # no parameters: data of any float dtype fits
        self: LayerNorm[SI, Any],
        normalized_shape: SI,
        *,
        eps: float = 1e-5,
        elementwise_affine: Literal[False],
        bias: bool = True,
        device: Device | None = None,
        dtype: type[DType] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: LayerNorm[SI],
        normalized_shape: SI,
        *,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: LayerNorm[SI, MD],
        normalized_shape: SI,
        *,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self,
        normalized_shape: Nf,
        *,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        normalized_shape: Any,
        *,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        dev = _device("LayerNorm", device, dtype)
        self.normalized_shape = _sizes_tuple("LayerNorm", normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        shape = self.normalized_shape
        self.weight = _full(dev, shape, 1.0, dtype) if elementwise_affine else None
        self.bias = _full(dev, shape, 0.0, dtype) if elementwise_affine and bias else None

    def __call__(self, x: Tensor[S, PD, Dev, T]) -> Tensor[S, PD, Dev, T]:
        out = F.layer_norm(
            x, self.weight, self.bias, self.eps, normalized_shape=self.normalized_shape
        )
        return _like(x, out)

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> LayerNorm[Nf, MD]: ...
        def to(self, target: Any) -> Any: ...

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


def _sizes_tuple(layer: str, value: Any) -> tuple[int, ...]:
    """A normalized_shape as torch takes it: an int (the last axis) or a tuple/list of ints."""
    if isinstance(value, (tuple, list)):
        sizes = tuple(_size(layer, "normalized_shape", v) for v in value)
        return sizes
    return (_size(layer, "normalized_shape", value),)


class _BatchNorm(Module, Generic[C, PD]):
    """Per-channel batch normalization over axis 1, as torch.nn.BatchNorm*d.

    Training normalizes with the batch statistics and updates the running ones in place,
    with or without a tape: mean and the unbiased variance, momentum 0.1 (None: the
    cumulative average, 1/num_batches_tracked). Eval uses the running statistics.
    weight starts at ones, bias at zeros, running_var at ones. affine=False keeps no weight
    and bias (None); track_running_stats=False keeps no running statistics (None) and uses
    the batch's in eval too, as torch.
    """

    _type_args = ("num_features",)
    _buffer_names = frozenset({"running_mean", "running_var", "num_batches_tracked"})
    _ranks: tuple[int, ...] = ()

    weight: Tensor[tuple[C], PD, Any] | None
    bias: Tensor[tuple[C], PD, Any] | None
    running_mean: Tensor[tuple[C], PD, Any] | None
    running_var: Tensor[tuple[C], PD, Any] | None
    num_batches_tracked: Tensor[tuple[()], Int64, Any] | None

    def __init__(
        self,
        num_features: C,
        *,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        bias: bool = True,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        name = type(self).__name__
        dev = _device(name, device, dtype)
        self.num_features = size = _size(name, "num_features", num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        self.weight = _full(dev, (size,), 1.0, dtype) if affine else None
        self.bias = _full(dev, (size,), 0.0, dtype) if affine and bias else None
        if track_running_stats:
            self.running_mean = _full(dev, (size,), 0.0, dtype)
            self.running_var = _full(dev, (size,), 1.0, dtype)
            self.num_batches_tracked = dev.zeros((), Int64)
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def _check_rank(self, x: AnyTensor) -> None:
        if x.ndim not in self._ranks:
            from shaped.shapes_nn import norm_rank  # the plugin's rule too

            norm_rank(type(self).__name__, x.shape, self._ranks)

    def __call__(self, x: Tensor[S, PD, Dev, T]) -> Tensor[S, PD, Dev, T]:
        self._check_rank(x)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.num_batches_tracked is not None:
            self.num_batches_tracked._data += 1
            if self.momentum is None:  # the cumulative moving average, as torch
                factor = 1.0 / float(self.num_batches_tracked._data)
        batch_stats = self.training or self.running_mean is None
        return F.batch_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            batch_stats,
            factor,
            self.eps,
        )

    forward = __call__

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
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
            momentum: float | None = 0.1,
            affine: bool = True,
            track_running_stats: bool = True,
            bias: bool = True,
            device: Device | None = None,
            dtype: type[Float32] = ...,
        ) -> None: ...
        @overload
        def __init__(
            self: BatchNorm1d[SI, MD],
            num_features: SI,
            *,
            eps: float = 1e-5,
            momentum: float | None = 0.1,
            affine: bool = True,
            track_running_stats: bool = True,
            bias: bool = True,
            device: Device | None = None,
            dtype: type[MD],
        ) -> None: ...
        @overload
        def __init__(
            self,
            num_features: C,
            *,
            eps: float = 1e-5,
            momentum: float | None = 0.1,
            affine: bool = True,
            track_running_stats: bool = True,
            bias: bool = True,
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
            momentum: float | None = 0.1,
            affine: bool = True,
            track_running_stats: bool = True,
            bias: bool = True,
            device: Device | None = None,
            dtype: type[Float32] = ...,
        ) -> None: ...
        @overload
        def __init__(
            self: BatchNorm2d[SI, MD],
            num_features: SI,
            *,
            eps: float = 1e-5,
            momentum: float | None = 0.1,
            affine: bool = True,
            track_running_stats: bool = True,
            bias: bool = True,
            device: Device | None = None,
            dtype: type[MD],
        ) -> None: ...
        @overload
        def __init__(
            self,
            num_features: C,
            *,
            eps: float = 1e-5,
            momentum: float | None = 0.1,
            affine: bool = True,
            track_running_stats: bool = True,
            bias: bool = True,
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
    padding_idx: that row starts at zeros and gets no gradient; max_norm: each row looked up
    is first rescaled in place to at most that norm (norm_type), as torch.nn.Embedding.
    """

    _type_args = ("num_embeddings", "embedding_dim")

    weight: Tensor[tuple[V, E], PD, Any]

    @overload
    def __init__(
        self: Embedding[SI, SO],
        num_embeddings: SI,
        embedding_dim: SO,
        *,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: Embedding[SI, SO, MD],
        num_embeddings: SI,
        embedding_dim: SO,
        *,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self: Embedding[int, SO],
        num_embeddings: int,
        embedding_dim: SO,
        *,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self,
        num_embeddings: V,
        embedding_dim: E,
        *,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        device: Device | None = None,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        num_embeddings: Any,
        embedding_dim: Any,
        *,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        dev = _device("Embedding", device, dtype)
        self.num_embeddings = _size("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = _size("Embedding", "embedding_dim", embedding_dim)
        self._options(padding_idx, max_norm, norm_type)
        self.weight = _normal(dev, (self.num_embeddings, self.embedding_dim), dtype)
        if self.padding_idx is not None:
            self.weight._data[self.padding_idx] = 0

    def _options(self, padding_idx: int | None, max_norm: float | None, norm_type: float) -> None:
        if padding_idx is not None:
            if not -self.num_embeddings <= padding_idx < self.num_embeddings:
                raise ValueError(
                    f"Embedding: padding_idx must be within num_embeddings "
                    f"({self.num_embeddings}), got {padding_idx}"
                )
            padding_idx %= self.num_embeddings
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor[tuple[SV, SE], MD, Any],
        freeze: bool = True,
        *,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
    ) -> Embedding[SV, SE, MD]:
        """An Embedding whose weight is a copy of the (V, E) `embeddings`, as torch's; frozen
        (the default), the weight is a buffer: saved and loaded as "weight" but not trained
        (torch keeps it a parameter with requires_grad=False). The padding row is not zeroed."""
        if not isinstance(embeddings, Tensor) or embeddings.ndim != 2:
            raise ShapeError(
                "Embedding.from_pretrained: embeddings must be a 2-D tensor (num_embeddings, "
                f"embedding_dim), got {getattr(embeddings, 'shape', embeddings)!r}"
            )
        if embeddings._data.dtype.kind != "f":
            raise DtypeError(
                f"Embedding.from_pretrained: embeddings must be float, got "
                f"{embeddings.dtype.__name__}; convert with .to(sh.Float32)"
            )
        layer = cast("Embedding[SV, SE, MD]", object.__new__(cls))
        Module.__init__(layer)
        layer.num_embeddings, layer.embedding_dim = (int(n) for n in embeddings._data.shape)
        layer._options(padding_idx, max_norm, norm_type)
        weight = Tensor._wrap(embeddings._data.copy(), embeddings._device)
        if freeze:
            layer.register_buffer("weight", weight)
        else:
            layer.weight = weight
        return layer

    def __call__(self, indices: Tensor[tuple[*B], Any, Dev, T]) -> Tensor[tuple[*B, E], PD, Dev, T]:
        from shaped.ops.norms import embedding  # ops.nn's lookup with padding_idx, max_norm

        return embedding(indices, self.weight, self.padding_idx, self.max_norm, self.norm_type)

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> Embedding[V, E, MD]: ...
        def to(self, target: Any) -> Any: ...

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2.0:
            text += f", norm_type={self.norm_type}"
        return text


# ---------------------------------------------------------------- attention, transformer


class MultiHeadAttention(Module, Generic[Dim, Heads, PD]):
    """Multi-head attention, as torch.nn.MultiheadAttention, returning only the output.

    `mha(x)` is self-attention, `mha(q, k, v)` attends from q (N, L, E) to k, v (N, S, E);
    it returns one tensor shaped like q (no attention weights), so it fits in a Sequential.
    The layout is batch_first (N, L, E) unless `batch_first=False` ((L, N, E), torch's
    default); unbatched (L, E) inputs work too. Masks, two conventions:

    - `mask`: shaped's, Bool, True where a query may attend (as scaled_dot_product_attention),
      shaped (L, S), (N, L, S) or (N, H, L, S).
    - `attn_mask`, `key_padding_mask`: torch's. Bool with True = masked (may *not* attend),
      or float, added to the scores (`-inf` masks); `attn_mask` is (L, S) or (N*H, L, S),
      `key_padding_mask` (N, S) ((S,) unbatched). `is_causal=True` without a mask masks the
      future (torch requires the mask and takes the flag as a hint that it is causal).

    Parameters as torch: `in_proj_weight` (3E, E) xavier-uniform, `in_proj_bias` zeros,
    `out_proj` a Linear with zero bias. `dropout` applies to the attention weights in
    training, as torch.
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
        batch_first: bool = True,
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
        batch_first: bool = True,
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
        batch_first: bool = True,
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
        batch_first: bool = True,
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
        self.batch_first = bool(batch_first)
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
        attn_mask: AnyTensor | None = None,
        key_padding_mask: AnyTensor | None = None,
        is_causal: bool = False,
    ) -> Tensor[S, PD, Dev, T]: ...
    @overload
    def __call__(
        self,
        query: Tensor[S, PD, Dev, T],
        key: Tensor[Any, D, Dev, NoTape],
        value: Tensor[Any, D, Dev, NoTape] | None = None,
        *,
        mask: Mask | None = None,
        attn_mask: AnyTensor | None = None,
        key_padding_mask: AnyTensor | None = None,
        is_causal: bool = False,
    ) -> Tensor[S, PD, Dev, T]: ...
    @overload
    def __call__(
        self,
        query: Tensor[S, PD, Dev, T],
        key: Tensor[Any, PD, Dev, T],
        value: Tensor[Any, PD, Dev, T] | None = None,
        *,
        mask: Mask | None = None,
        attn_mask: AnyTensor | None = None,
        key_padding_mask: AnyTensor | None = None,
        is_causal: bool = False,
    ) -> Tensor[S, PD, Dev, T]: ...
    @overload
    def __call__(
        self,
        query: Tensor[S, D, Dev, Any],
        key: Tensor[Any, D, Dev, Any],
        value: Tensor[Any, D, Dev, Any] | None = None,
        *,
        mask: Mask | None = None,
        attn_mask: AnyTensor | None = None,
        key_padding_mask: AnyTensor | None = None,
        is_causal: bool = False,
    ) -> Tensor[S, D, Dev, OwnedTape]: ...
    def __call__(
        self,
        query: AnyTensor,
        key: AnyTensor | None = None,
        value: AnyTensor | None = None,
        *,
        mask: AnyTensor | None = None,
        attn_mask: AnyTensor | None = None,
        key_padding_mask: AnyTensor | None = None,
        is_causal: bool = False,
    ) -> Any:
        return self._attend(
            query, key, value, "MultiHeadAttention", (mask, attn_mask, key_padding_mask, is_causal)
        )

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> MultiHeadAttention[Dim, Heads, MD]: ...
        def to(self, target: Any) -> Any: ...

    def _attend(
        self,
        query: AnyTensor,
        key: AnyTensor | None,
        value: AnyTensor | None,
        layer: str,
        masks: tuple[AnyTensor | None, AnyTensor | None, AnyTensor | None, bool],
        names: tuple[str, str] = ("attn_mask", "key_padding_mask"),
    ) -> Any:
        """The forward pass: masks are (mask, attn_mask, key_padding_mask, is_causal); `layer`
        and `names` (of the torch-style masks) are what error messages call them."""
        shapes.features(layer, query.shape, self.embed_dim)
        key = query if key is None else key
        value = key if value is None else value
        unbatched = query.ndim == 2
        if unbatched or (not self.batch_first and query.ndim == 3):
            # one reshaped tensor per distinct input, so a shared one is projected once
            moved: dict[int, AnyTensor] = {}
            for source in (query, key, value):
                if id(source) not in moved:
                    moved[id(source)] = (
                        source.unsqueeze(0) if source.ndim == 2 else source.transpose(0, 1)
                    )
            query, key, value = moved[id(query)], moved[id(key)], moved[id(value)]
        if query.ndim != 3 or key.ndim != 3 or value.ndim != 3:
            raise ShapeError(
                f"{layer}: expected query, key and value (N, L, E) or (L, E), got "
                f"{tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}"
            )
        if key.shape[0] != query.shape[0] or value.shape[:2] != key.shape[:2]:
            raise ShapeError(
                f"{layer}: query {tuple(query.shape)}, key {tuple(key.shape)} and value "
                f"{tuple(value.shape)} must share the batch size, key and value the length"
            )
        q, k, v = self._project(query, key, value)
        allowed, added = self._masks(q, k, layer, masks, names, unbatched)
        if added is None and not (self.training and self.dropout > 0.0):
            attended = F.scaled_dot_product_attention(q, k, v, allowed)
        else:
            attended = self._weights(q, k, allowed, added) @ v
        n, length = query.shape[0], query.shape[1]
        merged = attended.permute(0, 2, 1, 3).reshape(n, length, q.shape[1] * q.shape[3])
        out = self.out_proj(merged)
        if unbatched:
            return out[0]
        return out if self.batch_first else out.transpose(0, 1)

    def _weights(
        self, q: AnyTensor, k: AnyTensor, allowed: AnyTensor | None, added: AnyTensor | None
    ) -> AnyTensor:
        """softmax(q k^T / sqrt(d) + added where allowed), dropped in training; a query that
        may attend to nothing gets zero weights (as torch's attention gives zeros)."""
        scores = (q @ k.mT) * (1.0 / math.sqrt(q.shape[-1]) if q.shape[-1] else 1.0)
        if added is not None:
            scores = scores + added
        if allowed is not None:
            scores = where(allowed, scores, -math.inf)
        xp = q._device.xp
        dead = None
        if scores.shape[-1] and (added is not None or allowed is not None):
            blocked = xp.all(scores._data == -xp.inf, axis=-1, keepdims=True)
            if blocked.any():
                dead = Tensor._wrap(blocked, q._device)
                scores = where(dead, 0.0, scores)
        weights = F.softmax(scores, -1)
        if dead is not None:
            weights = where(dead, 0.0, weights)
        if self.training and self.dropout > 0.0:
            rng = _same_device_rng(self._device, weights)
            weights = F.dropout(weights, self.dropout, True, rng=rng)
        return weights

    def _masks(
        self,
        q: AnyTensor,
        k: AnyTensor,
        layer: str,
        masks: tuple[AnyTensor | None, AnyTensor | None, AnyTensor | None, bool],
        names: tuple[str, str],
        unbatched: bool,
    ) -> tuple[AnyTensor | None, AnyTensor | None]:
        """The masks as one Bool "may attend" tensor and one float tensor added to the scores,
        each broadcasting to the scores (N, H, L, S) (None where there is none)."""
        from shaped import shapes_nn

        mask, attn_mask, padding, is_causal = masks
        n, heads, length, source = q.shape[0], q.shape[1], q.shape[2], k.shape[2]
        xp = q._device.xp
        if mask is not None and attn_mask is not None:
            raise ValueError(
                f"{layer}: give mask= (shaped's convention, True = may attend) or {names[0]}= "
                "(torch's: True = masked, or a float mask added to the scores), not both"
            )
        allowed: list[Any] = []
        added: list[AnyTensor] = []
        if mask is not None:
            self._mask_device(layer, "mask", mask, q)
            if mask._data.dtype.kind != "b":
                raise DtypeError(
                    f"{layer}: mask must be Bool, True where a query may attend (shaped's "
                    f"convention), got {mask.dtype.__name__}; pass torch's masks (True = masked, "
                    f"or float, added to the scores) as {names[0]}="
                )
            shape = shapes_nn.attention_mask(
                layer, "mask", mask.shape, n, heads, length, source, False
            )
            allowed.append(mask._data.reshape(shape))
        torch_masks: list[tuple[str, AnyTensor, tuple[int, ...]]] = []
        if attn_mask is not None:
            scores = shapes_nn.attention_mask(
                layer, names[0], attn_mask.shape, n, heads, length, source, True
            )
            torch_masks.append((names[0], attn_mask, cast("tuple[int, ...]", scores)))
        if padding is not None:
            keys = shapes_nn.key_padding_mask(layer, names[1], padding.shape, n, source, unbatched)
            torch_masks.append((names[1], padding, cast("tuple[int, ...]", keys)))
        for name, given, shape in torch_masks:
            self._mask_device(layer, name, given, q)
            kind = given._data.dtype.kind
            if kind == "b":
                allowed.append(~given._data.reshape(shape))
            elif kind != "f":
                raise DtypeError(
                    f"{layer}: {name} must be Bool (True = masked, torch's convention) or a "
                    f"float mask added to the scores, got {given.dtype.__name__}"
                )
            elif given.dtype is not q.dtype:
                raise DtypeError(
                    f"{layer}: a float {name} must have the input's dtype {q.dtype.__name__}, "
                    f"got {given.dtype.__name__}: convert it with .to(sh.{q.dtype.__name__})"
                )
            elif (
                given._tape is None
                and given._origin is None
                and bool(xp.all((given._data == 0) | (given._data == -xp.inf)))
            ):  # 0 / -inf, as generate_square_subsequent_mask: the same as a Bool mask
                allowed.append(given._data.reshape(shape) == 0)
            else:
                added.append(given.reshape(shape))
        if is_causal and mask is None and attn_mask is None:
            allowed.append(xp.tril(xp.ones((length, source), dtype=bool)))
        may_attend = None
        if allowed:
            combined = allowed[0]
            for more in allowed[1:]:
                combined = combined & more
            may_attend = Tensor._wrap(combined, q._device)
        total = None
        for term in added:
            total = term if total is None else total + term
        return may_attend, total

    @staticmethod
    def _mask_device(layer: str, name: str, mask: AnyTensor, x: AnyTensor) -> None:
        if mask._device is not x._device:
            from shaped.errors import DeviceError

            raise DeviceError(
                f"{layer}: {name} is on {mask.device!r} but the input is on {x.device!r}: "
                "move the mask with .to(device)"
            )

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
        text = f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.dropout}"
        return text if self.batch_first else text + ", batch_first=False"


class TransformerEncoderLayer(Module, Generic[Dim, Heads, Ff, PD]):
    """Self-attention then a feed-forward block, each with a residual and LayerNorm.

    torch.nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward)'s options and defaults
    (post-norm, ReLU, dropout 0.1, layer_norm_eps 1e-5, bias), except `batch_first`, which is
    True here (torch: False): x is (N, L, E), (L, N, E) with batch_first=False, or (L, E);
    the output has x's shape. Masks: `src_mask` and `src_key_padding_mask` in torch's
    convention (Bool, True = masked, or float added to the scores; (L, L) or (N*nhead, L, L),
    and (N, L)), or `mask=` in shaped's (Bool, True = may attend), as MultiHeadAttention.
    `is_causal=True` with no mask masks the future (torch wants the mask too).
    """

    _type_args = ("d_model", "nhead", "dim_feedforward")

    @overload
    def __init__(
        self: TransformerEncoderLayer[SI, SO, SK],
        d_model: SI,
        nhead: SO,
        dim_feedforward: SK,
        dropout: float = 0.1,
        activation: Activation = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = True,
        norm_first: bool = False,
        bias: bool = True,
        *,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: TransformerEncoderLayer[SI, SO, SK, MD],
        d_model: SI,
        nhead: SO,
        dim_feedforward: SK,
        dropout: float = 0.1,
        activation: Activation = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = True,
        norm_first: bool = False,
        bias: bool = True,
        *,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self: TransformerEncoderLayer[SI, SO, int],
        d_model: SI,
        nhead: SO,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: Activation = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = True,
        norm_first: bool = False,
        bias: bool = True,
        *,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self,
        d_model: Dim,
        nhead: Heads,
        dim_feedforward: Ff,
        dropout: float = 0.1,
        activation: Activation = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = True,
        norm_first: bool = False,
        bias: bool = True,
        *,
        device: Device | None = None,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        d_model: Any,
        nhead: Any,
        dim_feedforward: Any = 2048,
        dropout: float = 0.1,
        activation: Activation = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = True,
        norm_first: bool = False,
        bias: bool = True,
        *,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        name = type(self).__name__
        if activation not in ("relu", "gelu") and not callable(activation):
            raise ValueError(
                f"{name}: activation must be 'relu', 'gelu' or a callable such as nn.GELU(), "
                f"got {activation!r}"
            )
        dev = _device(name, device, dtype)
        sizes = {"d_model": d_model, "nhead": nhead, "dim_feedforward": dim_feedforward}
        shapes.layer_sizes(name, {key: _size(name, key, v) for key, v in sizes.items()})
        kw: dict[str, Any] = {"device": dev, "dtype": dtype}
        attention = {"dropout": dropout, "bias": bias, "batch_first": batch_first, **kw}
        self.self_attn: MultiHeadAttention[Dim, Heads, PD] = MultiHeadAttention(
            d_model, nhead, **attention
        )
        self.linear1: Linear[Dim, Ff, PD] = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout, device=dev)
        self.linear2: Linear[Ff, Dim, PD] = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = norm_first
        self.batch_first = bool(batch_first)
        self.norm1: LayerNorm[Dim, PD] = self._norm(d_model, layer_norm_eps, bias, kw)
        self.norm2: LayerNorm[Dim, PD] = self._norm(d_model, layer_norm_eps, bias, kw)
        self.dropout1 = Dropout(dropout, device=dev)
        self.dropout2 = Dropout(dropout, device=dev)
        self.activation: Activation = activation

    @staticmethod
    def _norm(d_model: Any, eps: float, bias: bool, kw: dict[str, Any]) -> Any:
        return LayerNorm(d_model, eps=eps, bias=bias, **kw)

    def __call__(
        self,
        x: Tensor[S, PD, Dev, T],
        src_mask: AnyTensor | None = None,
        src_key_padding_mask: AnyTensor | None = None,
        is_causal: bool = False,
        *,
        mask: Mask | None = None,
    ) -> Tensor[S, PD, Dev, T]:
        name = type(self).__name__
        shapes.features(name, x.shape, self.self_attn.embed_dim)
        masks = (mask, src_mask, src_key_padding_mask, is_causal)
        names = ("src_mask", "src_key_padding_mask")
        out: AnyTensor = x
        if self.norm_first:
            out = out + self.dropout1(
                self.self_attn._attend(self.norm1(out), None, None, name, masks, names)
            )
            out = out + self._feed_forward_block(self.norm2(out), self.dropout2)
        else:
            out = self.norm1(
                out + self.dropout1(self.self_attn._attend(out, None, None, name, masks, names))
            )
            out = self.norm2(out + self._feed_forward_block(out, self.dropout2))
        return _like(x, out)

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> TransformerEncoderLayer[Dim, Heads, Ff, MD]: ...
        def to(self, target: Any) -> Any: ...

    def _feed_forward_block(self, x: AnyTensor, dropout: Dropout) -> AnyTensor:
        hidden: AnyTensor = self.linear1(x)
        activation = self.activation
        if isinstance(activation, str):
            hidden = hidden.relu() if activation == "relu" else hidden.gelu()
        else:
            hidden = activation(hidden)
        return cast("AnyTensor", dropout(self.linear2(self.dropout(hidden))))


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

    if TYPE_CHECKING:  # return_indices=True builds a MaxPool1dWithIndices (nn.spatial)

        @overload
        def __new__(
            cls,
            kernel_size: PoolK,
            *,
            stride: PoolStride | None = None,
            padding: PoolPad = 0,  # type: ignore[assignment]  # the TypeVar's default, L[0]
            dilation: int = 1,
            return_indices: Literal[False] = False,
            ceil_mode: bool = False,
        ) -> MaxPool1d[PoolK, PoolStride, PoolPad]: ...
        @overload
        def __new__(
            cls,
            kernel_size: PoolK,
            *,
            stride: PoolStride | None = None,
            padding: PoolPad = 0,  # type: ignore[assignment]  # the TypeVar's default, L[0]
            dilation: int = 1,
            return_indices: Literal[True],
            ceil_mode: bool = False,
        ) -> MaxPool1dWithIndices[PoolK, PoolStride, PoolPad]: ...

    def __new__(  # the parameters named, so that build_module reads __init__'s
        cls,
        kernel_size: Any,
        *,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> Any:
        if return_indices and cls is MaxPool1d:  # its call gives (values, indices)
            from shaped.nn.spatial import MaxPool1dWithIndices

            return super().__new__(MaxPool1dWithIndices)
        return super().__new__(cls)

    def __init__(
        self,
        kernel_size: PoolK,
        *,
        stride: PoolStride | None = None,
        padding: PoolPad = 0,  # type: ignore[assignment]  # the TypeVar's default, L[0]
        dilation: int = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__(kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode)
        self.dilation = _size(type(self).__name__, "dilation", dilation)
        self.return_indices = bool(return_indices) or type(self).__name__.endswith("WithIndices")

    def __call__(self, x: Tensor[tuple[*B, Any], D, Dev, T]) -> Tensor[tuple[*B, int], D, Dev, T]:
        if self.return_indices:  # a user's subclass built with return_indices=True
            return self._with_indices(x)  # type: ignore[no-any-return]
        k, s, p, d = self.kernel_size, self.stride, self.padding, self.dilation
        assert isinstance(k, int) and isinstance(s, int) and isinstance(p, int)
        assert isinstance(d, int)
        return F.max_pool1d(x, k, s, p, self.ceil_mode, d)

    forward = __call__

    def _with_indices(self, x: AnyTensor) -> Any:
        k, s, p, d = self.kernel_size, self.stride, self.padding, self.dilation
        return F.max_pool1d(x, k, s, p, self.ceil_mode, d, return_indices=True)  # type: ignore[arg-type]


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
