"""Spatial layers, torch.nn's semantics: 3-D pooling, unpooling, transposed 1-D and 3-D
convolutions, upsampling and the padding layers.

Each layer is generic in its static sizes, as shaped.nn.layers' are: `MaxPool3d[K, Stride=K,
Pad=L[0]]`, `ConvTranspose1d[Cin, Cout, K, Stride, Pad]`, `ZeroPad2d[Left, Right=Left,
Top=Left, Bottom=Left]` (torch's padding tuple, in its order), `Upsample[Size, Scale]` (an
int size or scale factor; a float scale is not a literal, so its sizes are int). Per-axis
3-tuples are taken at run time; in the types they are `int` sizes (the plugin's results too).
`MaxPool1d/2d/3d(..., return_indices=True)` build a `MaxPool{1,2,3}dWithIndices`, whose call
gives torch's (values, indices) pair; its sizes are typed `int`.
"""

# Each layer defines __call__ (so both checkers read its signature) where Module's is typed by
# forward through a self type: the override is deliberate.
# pyright: reportIncompatibleMethodOverride=false
# mypy: disable-error-code="override"

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, Literal, Self, cast, overload

from typing_extensions import TypeVar, TypeVarTuple

import shaped.nn.functional as F
from shaped import shapes, shapes_nn
from shaped.devices import Device
from shaped.dtypes import Float32, Int64, NoTape
from shaped.nn.layers import (
    MD,
    SI,
    SK,
    SO,
    MaxPool1d,
    MaxPool2d,
    PoolK,
    PoolPad,
    PoolStride,
    _device,
    _fan_in_bound,
    _per_axis3,
    _size,
    _three,
    _uniform,
)
from shaped.nn.module import Module
from shaped.tensor import Tensor

__all__ = [
    "AvgPool3d",
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "ConvTranspose1d",
    "ConvTranspose3d",
    "MaxPool1dWithIndices",
    "MaxPool2dWithIndices",
    "MaxPool3d",
    "MaxPool3dWithIndices",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "Upsample",
    "UpsamplingBilinear2d",
    "UpsamplingNearest2d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
]

Cin = TypeVar("Cin")
Cout = TypeVar("Cout")
K = TypeVar("K")
Stride = TypeVar("Stride", default=Literal[1])
Pad = TypeVar("Pad", default=Literal[0])
PD = TypeVar("PD", default=Float32)  # the parameters' dtype
D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")
N = TypeVar("N")
C = TypeVar("C")
B = TypeVarTuple("B")
AnyTensor = Tensor[Any, Any, Any, Any]


def _one(layer: str, name: str, value: Any) -> int:
    """A 1-D layer's size: an int or a 1-tuple (as torch takes them)."""
    if isinstance(value, tuple):
        if len(value) != 1:
            raise TypeError(f"{layer}: {name} must be an int or a 1-tuple, got {value!r}")
        value = value[0]
    return _size(layer, name, value)


def _pair(layer: str, name: str, value: Any) -> tuple[int, int]:
    if not isinstance(value, tuple):
        value = (value, value)
    if len(value) != 2:
        raise TypeError(f"{layer}: {name} must be an int or a pair of ints, got {value!r}")
    return (_size(layer, name, value[0]), _size(layer, name, value[1]))


# ---------------------------------------------------------------- 3-d pooling


class _Pool3d(Module, Generic[PoolK, PoolStride, PoolPad]):
    """A kD x kH x kW window over the last three axes of (N, C, D, H, W) or (C, D, H, W);
    stride defaults to the kernel. kernel_size, stride and padding are an int or a 3-tuple."""

    _type_args = ("kernel_size", "stride", "padding")

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
        self.kernel_size = _per_axis3(name, "kernel_size", kernel_size)
        self.stride = self.kernel_size if stride is None else _per_axis3(name, "stride", stride)
        self.padding = _per_axis3(name, "padding", padding)
        self.ceil_mode = bool(ceil_mode)


class MaxPool3d(_Pool3d[PoolK, PoolStride, PoolPad]):
    """The maximum of each kD x kH x kW window, as torch.nn.MaxPool3d: stride defaults to the
    kernel, padding is -inf, dilation spaces the window's cells, ceil_mode rounds up (neither
    is in the type: the plugin's sizes are int then). The gradient goes to each window's first
    maximum. With return_indices=True the layer is a MaxPool3dWithIndices: it gives
    (values, indices), the indices for MaxUnpool3d."""

    @overload
    def __new__(
        cls,
        kernel_size: PoolK,
        *,
        stride: PoolStride | None = None,
        padding: PoolPad = 0,  # type: ignore[assignment]  # the TypeVar's default, L[0]
        dilation: int | tuple[int, int, int] = 1,
        return_indices: Literal[False] = False,
        ceil_mode: bool = False,
    ) -> MaxPool3d[PoolK, PoolStride, PoolPad]: ...
    @overload
    def __new__(
        cls,
        kernel_size: PoolK,
        *,
        stride: PoolStride | None = None,
        padding: PoolPad = 0,  # type: ignore[assignment]  # the TypeVar's default, L[0]
        dilation: int | tuple[int, int, int] = 1,
        return_indices: Literal[True],
        ceil_mode: bool = False,
    ) -> MaxPool3dWithIndices[PoolK, PoolStride, PoolPad]: ...
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
        # return_indices=True gives the subclass whose call returns (values, indices)
        return super().__new__(MaxPool3dWithIndices if return_indices and cls is MaxPool3d else cls)

    def __init__(
        self,
        kernel_size: PoolK,
        *,
        stride: PoolStride | None = None,
        padding: PoolPad = 0,  # type: ignore[assignment]  # the TypeVar's default, L[0]
        dilation: int | tuple[int, int, int] = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__(kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode)
        self.dilation = _per_axis3("MaxPool3d", "dilation", dilation)
        self.return_indices = bool(return_indices) or isinstance(self, MaxPool3dWithIndices)

    def __call__(
        self, x: Tensor[tuple[*B, Any, Any, Any], D, Dev, T]
    ) -> Tensor[tuple[*B, int, int, int], D, Dev, T]:
        if self.return_indices:  # a user's subclass built with return_indices=True
            return self._with_indices(x)  # type: ignore[no-any-return]
        return F.max_pool3d(
            x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.dilation
        )

    forward = __call__

    def _with_indices(self, x: AnyTensor) -> Any:
        k, s, p, d = self.kernel_size, self.stride, self.padding, self.dilation
        return F.max_pool3d(x, k, s, p, self.ceil_mode, d, return_indices=True)

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool1dWithIndices(MaxPool1d[PoolK, PoolStride, PoolPad]):
    """What `MaxPool1d(..., return_indices=True)` builds: called, it gives (values, indices),
    the indices (Int64, no tape) along L, as torch's, for MaxUnpool1d."""

    def __call__(
        self, x: Tensor[tuple[*B, Any], D, Dev, T]
    ) -> tuple[Tensor[tuple[*B, int], D, Dev, T], Tensor[tuple[*B, int], Int64, Dev, NoTape]]:
        return self._with_indices(x)  # type: ignore[no-any-return]

    forward = __call__  # type: ignore[assignment]


class MaxPool2dWithIndices(MaxPool2d[PoolK, PoolStride, PoolPad]):
    """What `MaxPool2d(..., return_indices=True)` builds: called, it gives (values, indices),
    the indices (Int64, no tape) into each H*W plane, as torch's, for MaxUnpool2d."""

    def __call__(
        self, x: Tensor[tuple[*B, Any, Any], D, Dev, T]
    ) -> tuple[
        Tensor[tuple[*B, int, int], D, Dev, T], Tensor[tuple[*B, int, int], Int64, Dev, NoTape]
    ]:
        return self._with_indices(x)  # type: ignore[no-any-return]

    forward = __call__  # type: ignore[assignment]


class MaxPool3dWithIndices(MaxPool3d[PoolK, PoolStride, PoolPad]):
    """What `MaxPool3d(..., return_indices=True)` builds: called, it gives (values, indices),
    the indices (Int64, no tape) into each D*H*W volume, as torch's, for MaxUnpool3d."""

    def __call__(
        self, x: Tensor[tuple[*B, Any, Any, Any], D, Dev, T]
    ) -> tuple[
        Tensor[tuple[*B, int, int, int], D, Dev, T],
        Tensor[tuple[*B, int, int, int], Int64, Dev, NoTape],
    ]:
        return self._with_indices(x)  # type: ignore[no-any-return]

    forward = __call__  # type: ignore[assignment]


class AvgPool3d(_Pool3d[PoolK, PoolStride, PoolPad]):
    """The mean of each kD x kH x kW window, as torch.nn.AvgPool3d: zero padding counts in the
    divisor (count_include_pad=False: only the input's cells), ceil_mode rounds up (not in the
    type: the plugin's sizes are int then), divisor_override replaces the divisor."""

    def __init__(
        self,
        kernel_size: PoolK,
        *,
        stride: PoolStride | None = None,
        padding: PoolPad = 0,  # type: ignore[assignment]  # the TypeVar's default, L[0]
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__(kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode)
        self.count_include_pad = bool(count_include_pad)
        self.divisor_override = divisor_override

    def __call__(
        self, x: Tensor[tuple[*B, Any, Any, Any], D, Dev, T]
    ) -> Tensor[tuple[*B, int, int, int], D, Dev, T]:
        return F.avg_pool3d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    forward = __call__

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


# ---------------------------------------------------------------- unpooling


class _MaxUnpool(Module, Generic[PoolK, PoolStride, PoolPad]):
    """max_unpool as a layer: kernel_size, stride (default: the kernel) and padding as the
    max pool that gave the indices; called as `unpool(x, indices, output_size=None)`."""

    _type_args = ("kernel_size", "stride", "padding")
    _axes = 2

    def __init__(
        self,
        kernel_size: PoolK,
        stride: PoolStride | None = None,
        padding: PoolPad = 0,  # type: ignore[assignment]  # the TypeVar's default, L[0]
    ) -> None:
        super().__init__()
        name = type(self).__name__

        def size(what: str, value: Any) -> tuple[int, ...]:
            if self._axes == 1:
                return (_one(name, what, value),)
            if self._axes == 2:
                return _pair(name, what, value)
            return _three(_per_axis3(name, what, value))

        self.kernel_size: tuple[int, ...] = size("kernel_size", kernel_size)
        self.stride: tuple[int, ...] = (
            self.kernel_size if stride is None else size("stride", stride)
        )
        self.padding: tuple[int, ...] = size("padding", padding)

    def _unpool(self, x: AnyTensor, indices: AnyTensor, output_size: Any) -> Any:
        op: Any = {1: F.max_unpool1d, 2: F.max_unpool2d, 3: F.max_unpool3d}[self._axes]
        return op(x, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpool[PoolK, PoolStride, PoolPad]):
    """The inverse of MaxPool1d: each value of (N, C, L) or (C, L) goes to its index (the
    indices F.max_pool1d(..., return_indices=True) gave), zeros elsewhere, as
    torch.nn.MaxUnpool1d; L_out = (L-1)*stride - 2*padding + kernel_size, or output_size."""

    _axes = 1

    def __call__(
        self,
        x: Tensor[tuple[*B, Any], D, Dev, T],
        indices: Tensor[Any, Int64, Dev, Any],
        output_size: tuple[int, ...] | list[int] | None = None,
    ) -> Tensor[tuple[*B, int], D, Dev, T]:
        return cast("Tensor[tuple[*B, int], D, Dev, T]", self._unpool(x, indices, output_size))

    forward = __call__


class MaxUnpool2d(_MaxUnpool[PoolK, PoolStride, PoolPad]):
    """The inverse of MaxPool2d: each value of (N, C, H, W) or (C, H, W) goes to its flat index
    in the H_out*W_out plane (the indices F.max_pool2d(..., return_indices=True) gave), zeros
    elsewhere, as torch.nn.MaxUnpool2d; H_out = (H-1)*stride - 2*padding + kernel, or
    output_size."""

    _axes = 2

    def __call__(
        self,
        x: Tensor[tuple[*B, Any, Any], D, Dev, T],
        indices: Tensor[Any, Int64, Dev, Any],
        output_size: tuple[int, ...] | list[int] | None = None,
    ) -> Tensor[tuple[*B, int, int], D, Dev, T]:
        out = self._unpool(x, indices, output_size)
        return cast("Tensor[tuple[*B, int, int], D, Dev, T]", out)

    forward = __call__


class MaxUnpool3d(_MaxUnpool[PoolK, PoolStride, PoolPad]):
    """The inverse of MaxPool3d, as torch.nn.MaxUnpool3d: each value of (N, C, D, H, W) or
    (C, D, H, W) goes to its flat index in the output volume, zeros elsewhere."""

    _axes = 3

    def __call__(
        self,
        x: Tensor[tuple[*B, Any, Any, Any], D, Dev, T],
        indices: Tensor[Any, Int64, Dev, Any],
        output_size: tuple[int, ...] | list[int] | None = None,
    ) -> Tensor[tuple[*B, int, int, int], D, Dev, T]:
        out = self._unpool(x, indices, output_size)
        return cast("Tensor[tuple[*B, int, int, int], D, Dev, T]", out)

    forward = __call__


# ---------------------------------------------------------------- transposed convolutions


def _transpose_repr(layer: Any, shown: Any) -> str:
    text = (
        f"{layer.in_channels}, {layer.out_channels}, kernel_size={shown(layer.kernel_size)}, "
        f"stride={shown(layer.stride)}"
    )
    for name, default in (("padding", 0), ("dilation", 1), ("output_padding", 0)):
        value = shown(getattr(layer, name))
        if any(v != default for v in value):
            text += f", {name}={value}"
    if layer.groups != 1:
        text += f", groups={layer.groups}"
    if layer.bias is None:
        text += ", bias=False"
    return text


class ConvTranspose1d(Module, Generic[Cin, Cout, K, Stride, Pad, PD]):
    """Transposed 1-D convolution over (N, Cin, L) or (Cin, L), as torch.nn.ConvTranspose1d.

    weight (Cin, Cout/groups, K) and bias (Cout,) are drawn from U(-1/sqrt(fan_in),
    1/sqrt(fan_in)) with torch's fan_in = Cout/groups * K. L_out = (L-1)*stride - 2*padding +
    dilation*(K-1) + output_padding + 1 (output_padding and dilation are not in the type: the
    plugin's L_out is int when they are given).
    """

    _type_args = ("in_channels", "out_channels", "kernel_size", "stride", "padding")

    weight: Tensor[tuple[Cin, Any, K], PD, Any]
    bias: Tensor[tuple[Cout], PD, Any] | None

    @overload
    def __init__(
        self: ConvTranspose1d[SI, SO, SK, Any, Any],
        in_channels: SI,
        out_channels: SO,
        kernel_size: SK,
        *,
        stride: int = ...,
        padding: int = ...,
        output_padding: int = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int = 1,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: ConvTranspose1d[SI, SO, SK, Any, Any, MD],
        in_channels: SI,
        out_channels: SO,
        kernel_size: SK,
        *,
        stride: int = ...,
        padding: int = ...,
        output_padding: int = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int = 1,
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
        output_padding: int = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int = 1,
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
        bias: bool = True,
        dilation: Any = 1,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        layer = "ConvTranspose1d"
        dev = _device(layer, device, dtype)
        self.in_channels = cin = _size(layer, "in_channels", in_channels)
        self.out_channels = cout = _size(layer, "out_channels", out_channels)
        self.kernel_size = k = _one(layer, "kernel_size", kernel_size)
        self.stride = _one(layer, "stride", stride)
        self.padding = _one(layer, "padding", padding)
        self.output_padding = _one(layer, "output_padding", output_padding)
        self.groups = g = _size(layer, "groups", groups)
        self.dilation = _one(layer, "dilation", dilation)
        shapes.layer_sizes(layer, {"in_channels": cin, "out_channels": cout, "groups": g})
        bound = _fan_in_bound(cout // g * k)
        self.weight = _uniform(dev, (cin, cout // g, k), bound, dtype)
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
        return F.conv_transpose1d(
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
        def to(self, target: type[MD]) -> ConvTranspose1d[Cin, Cout, K, Stride, Pad, MD]: ...
        def to(self, target: Any) -> Any: ...

    def extra_repr(self) -> str:
        return _transpose_repr(self, lambda v: (v,))


class ConvTranspose3d(Module, Generic[Cin, Cout, K, Stride, Pad, PD]):
    """Transposed 3-D convolution over (N, Cin, D, H, W) or (Cin, D, H, W), as
    torch.nn.ConvTranspose3d. kernel_size, stride, padding, output_padding and dilation are
    an int or a 3-tuple (D, H, W).

    weight (Cin, Cout/groups, kD, kH, kW) and bias (Cout,) are drawn from U(-1/sqrt(fan_in),
    1/sqrt(fan_in)), fan_in = Cout/groups * kD*kH*kW. D_out = (D-1)*stride - 2*padding +
    dilation*(kD-1) + output_padding + 1, per axis.
    """

    _type_args = ("in_channels", "out_channels", "kernel_size", "stride", "padding")

    weight: Tensor[tuple[Cin, Any, Any, Any, Any], PD, Any]
    bias: Tensor[tuple[Cout], PD, Any] | None

    @overload
    def __init__(
        self: ConvTranspose3d[SI, SO, SK, Any, Any],
        in_channels: SI,
        out_channels: SO,
        kernel_size: SK,
        *,
        stride: int | tuple[int, int, int] = ...,
        padding: int | tuple[int, int, int] = ...,
        output_padding: int | tuple[int, int, int] = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int | tuple[int, int, int] = 1,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: ConvTranspose3d[SI, SO, SK, Any, Any, MD],
        in_channels: SI,
        out_channels: SO,
        kernel_size: SK,
        *,
        stride: int | tuple[int, int, int] = ...,
        padding: int | tuple[int, int, int] = ...,
        output_padding: int | tuple[int, int, int] = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int | tuple[int, int, int] = 1,
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
        output_padding: int | tuple[int, int, int] = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int | tuple[int, int, int] = 1,
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
        bias: bool = True,
        dilation: Any = 1,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        layer = "ConvTranspose3d"
        dev = _device(layer, device, dtype)
        self.in_channels = cin = _size(layer, "in_channels", in_channels)
        self.out_channels = cout = _size(layer, "out_channels", out_channels)
        self.kernel_size = _per_axis3(layer, "kernel_size", kernel_size)
        self.stride = _per_axis3(layer, "stride", stride)
        self.padding = _per_axis3(layer, "padding", padding)
        self.output_padding = _per_axis3(layer, "output_padding", output_padding)
        self.groups = g = _size(layer, "groups", groups)
        self.dilation = _per_axis3(layer, "dilation", dilation)
        shapes.layer_sizes(layer, {"in_channels": cin, "out_channels": cout, "groups": g})
        kd, kh, kw = _three(self.kernel_size)
        bound = _fan_in_bound(cout // g * kd * kh * kw)
        self.weight = _uniform(dev, (cin, cout // g, kd, kh, kw), bound, dtype)
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
        return F.conv_transpose3d(
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
        def to(self, target: type[MD]) -> ConvTranspose3d[Cin, Cout, K, Stride, Pad, MD]: ...
        def to(self, target: Any) -> Any: ...

    def extra_repr(self) -> str:
        return _transpose_repr(self, _three)


# ---------------------------------------------------------------- upsampling

UpSize = TypeVar("UpSize", default=None)
UpScale = TypeVar("UpScale", default=None)
Mode = Literal["nearest", "nearest-exact", "area", "linear", "bilinear", "bicubic", "trilinear"]


class Upsample(Module, Generic[UpSize, UpScale]):
    """F.interpolate as a layer, as torch.nn.Upsample: size (an int or one per spatial axis)
    or scale_factor, mode (nearest, linear, bilinear, bicubic, trilinear, ...) and
    align_corners. An int size or scale factor is in the type; a float scale or a tuple makes
    the plugin's sizes int. torch's recompute_scale_factor is not taken."""

    _type_args = ("size", "scale_factor")

    def __init__(
        self,
        size: UpSize | tuple[int, ...] = None,  # type: ignore[assignment]  # default None
        scale_factor: UpScale | float | tuple[float, ...] = None,  # type: ignore[assignment]
        mode: Mode = "nearest",
        align_corners: bool | None = None,
    ) -> None:
        super().__init__()
        layer = type(self).__name__
        if size is not None:
            sizes = size if isinstance(size, tuple) else (size,)
            if not all(hasattr(v, "__index__") and not isinstance(v, bool) for v in sizes):
                raise TypeError(f"{layer}: size must be an int or a tuple of ints, got {size!r}")
            shapes.layer_sizes(layer, {"size": tuple(int(v) for v in sizes)})  # type: ignore[arg-type]
        if mode not in shapes.INTERPOLATE_MODES:
            modes = ", ".join(shapes.INTERPOLATE_MODES)
            raise ValueError(f"{layer}: mode must be one of {modes}, got {mode!r}")
        self.size = size
        self.scale_factor: float | tuple[float, ...] | None = (
            None
            if scale_factor is None
            else tuple(float(f) for f in scale_factor)
            if isinstance(scale_factor, tuple)
            else float(scale_factor)  # type: ignore[arg-type]
        )
        self.mode: Mode = mode
        self.align_corners = align_corners

    @overload
    def __call__(
        self, x: Tensor[tuple[N, C, Any], D, Dev, T]
    ) -> Tensor[tuple[N, C, int], D, Dev, T]: ...
    @overload
    def __call__(
        self, x: Tensor[tuple[N, C, Any, Any], D, Dev, T]
    ) -> Tensor[tuple[N, C, int, int], D, Dev, T]: ...
    @overload
    def __call__(
        self, x: Tensor[tuple[N, C, Any, Any, Any], D, Dev, T]
    ) -> Tensor[tuple[N, C, int, int, int], D, Dev, T]: ...
    def __call__(self, x: AnyTensor) -> Any:
        size: Any = self.size
        return F.interpolate(x, size, self.scale_factor, self.mode, self.align_corners)

    forward = __call__

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return f"{info}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample[UpSize, UpScale]):
    """Nearest-neighbour upsampling of (N, C, H, W), as torch.nn.UpsamplingNearest2d:
    Upsample(size, scale_factor, mode="nearest")."""

    def __init__(
        self,
        size: UpSize | tuple[int, int] = None,  # type: ignore[assignment]  # default None
        scale_factor: UpScale | float | tuple[float, float] = None,  # type: ignore[assignment]
    ) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample[UpSize, UpScale]):
    """Bilinear upsampling of (N, C, H, W) with align_corners=True, as
    torch.nn.UpsamplingBilinear2d: Upsample(size, scale_factor, "bilinear", True)."""

    def __init__(
        self,
        size: UpSize | tuple[int, int] = None,  # type: ignore[assignment]  # default None
        scale_factor: UpScale | float | tuple[float, float] = None,  # type: ignore[assignment]
    ) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


# ---------------------------------------------------------------- padding layers

Left = TypeVar("Left", default=int)  # int: a side the checker cannot read
Right = TypeVar("Right", default=Left)
Top = TypeVar("Top", default=Left)
Bottom = TypeVar("Bottom", default=Left)
Front = TypeVar("Front", default=Left)
Back = TypeVar("Back", default=Left)


class _Pad(Module):
    """F.pad with torch's padding tuple (left, right[, top, bottom[, front, back]]), the last
    axis first; an int pads every side by it."""

    _axes = 1
    _mode: Literal["constant", "reflect", "replicate", "circular"] = "constant"
    _type_args = ()  # build_module passes the sides one by one

    def __init__(self, padding: Any, *sides: int, value: float = 0.0) -> None:
        super().__init__()
        layer, count = type(self).__name__, 2 * self._axes
        if sides:
            padding = (padding, *sides)
        if not isinstance(padding, tuple):
            padding = (padding,) * count
        if len(padding) != count:
            raise TypeError(
                f"{layer}: padding must be an int or a {count}-tuple of ints (left, right"
                f"{', top, bottom' if count > 2 else ''}{', front, back' if count > 4 else ''}), "
                f"got {padding!r}"
            )
        self.padding: tuple[int, ...] = tuple(_size(layer, "padding", v) for v in padding)
        self.value = float(value)

    def _pad(self, x: AnyTensor) -> Any:
        shapes_nn.padding_layer(type(self).__name__, x.shape, self.padding, self._mode)
        if self._mode == "constant":
            return F.pad(x, self.padding, "constant", self.value)
        return F.pad(x, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _Pad1d(_Pad, Generic[Left, Right]):
    def __init__(self, padding: int | tuple[int, int], *sides: int) -> None:
        super().__init__(padding, *sides)

    def __call__(self, x: Tensor[tuple[*B, Any], D, Dev, T]) -> Tensor[tuple[*B, int], D, Dev, T]:
        return cast("Tensor[tuple[*B, int], D, Dev, T]", self._pad(x))

    forward = __call__


class _Pad2d(_Pad, Generic[Left, Right, Top, Bottom]):
    _axes = 2

    def __init__(self, padding: int | tuple[int, int, int, int], *sides: int) -> None:
        super().__init__(padding, *sides)

    def __call__(
        self, x: Tensor[tuple[*B, Any, Any], D, Dev, T]
    ) -> Tensor[tuple[*B, int, int], D, Dev, T]:
        return cast("Tensor[tuple[*B, int, int], D, Dev, T]", self._pad(x))

    forward = __call__


class _Pad3d(_Pad, Generic[Left, Right, Top, Bottom, Front, Back]):
    _axes = 3

    def __init__(
        self,
        padding: int | tuple[int, int, int, int, int, int],
        *sides: int,
    ) -> None:
        super().__init__(padding, *sides)

    def __call__(
        self, x: Tensor[tuple[*B, Any, Any, Any], D, Dev, T]
    ) -> Tensor[tuple[*B, int, int, int], D, Dev, T]:
        return cast("Tensor[tuple[*B, int, int, int], D, Dev, T]", self._pad(x))

    forward = __call__


class ZeroPad1d(_Pad1d[Left, Right]):
    """Zeros before and after the last axis, as torch.nn.ZeroPad1d: padding an int or
    (left, right). Any input with at least one axis; padding must be >= 0 (torch's negative
    padding crops: use slicing)."""


class ZeroPad2d(_Pad2d[Left, Right, Top, Bottom]):
    """Zeros around the last two axes, as torch.nn.ZeroPad2d: padding an int or (left, right,
    top, bottom); padding must be >= 0 (torch's negative padding crops: use slicing)."""


class ZeroPad3d(_Pad3d[Left, Right, Top, Bottom, Front, Back]):
    """Zeros around the last three axes, as torch.nn.ZeroPad3d: padding an int or (left,
    right, top, bottom, front, back), each >= 0."""


class _ConstantRepr:
    padding: tuple[int, ...]
    value: float

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantRepr, _Pad1d[Left, Right]):
    """`value` before and after the last axis, as torch.nn.ConstantPad1d(padding, value)."""

    def __init__(self, padding: int | tuple[int, int], value: float) -> None:
        _Pad.__init__(self, padding, value=value)


class ConstantPad2d(_ConstantRepr, _Pad2d[Left, Right, Top, Bottom]):
    """`value` around the last two axes, as torch.nn.ConstantPad2d(padding, value): padding
    an int or (left, right, top, bottom)."""

    def __init__(
        self,
        padding: int | tuple[int, int, int, int],
        value: float,
    ) -> None:
        _Pad.__init__(self, padding, value=value)


class ConstantPad3d(_ConstantRepr, _Pad3d[Left, Right, Top, Bottom, Front, Back]):
    """`value` around the last three axes, as torch.nn.ConstantPad3d(padding, value)."""

    def __init__(
        self,
        padding: int | tuple[int, int, int, int, int, int],
        value: float,
    ) -> None:
        _Pad.__init__(self, padding, value=value)


class ReflectionPad1d(_Pad1d[Left, Right]):
    """The last axis mirrored at its ends (not repeating the edge), as torch.nn.ReflectionPad1d:
    (N, C, L) or (C, L), each side less than L."""

    _mode = "reflect"


class ReflectionPad2d(_Pad2d[Left, Right, Top, Bottom]):
    """H and W mirrored at their edges, as torch.nn.ReflectionPad2d: (N, C, H, W) or (C, H, W),
    each side less than its axis's size."""

    _mode = "reflect"


class ReflectionPad3d(_Pad3d[Left, Right, Top, Bottom, Front, Back]):
    """D, H and W mirrored at their edges, as torch.nn.ReflectionPad3d."""

    _mode = "reflect"


class ReplicationPad1d(_Pad1d[Left, Right]):
    """The edge values of the last axis repeated, as torch.nn.ReplicationPad1d: (N, C, L) or
    (C, L)."""

    _mode = "replicate"


class ReplicationPad2d(_Pad2d[Left, Right, Top, Bottom]):
    """The edge values of H and W repeated, as torch.nn.ReplicationPad2d."""

    _mode = "replicate"


class ReplicationPad3d(_Pad3d[Left, Right, Top, Bottom, Front, Back]):
    """The edge values of D, H and W repeated, as torch.nn.ReplicationPad3d."""

    _mode = "replicate"


class CircularPad1d(_Pad1d[Left, Right]):
    """The last axis wrapped around (periodic), as torch.nn.CircularPad1d: each side at most L."""

    _mode = "circular"


class CircularPad2d(_Pad2d[Left, Right, Top, Bottom]):
    """H and W wrapped around (periodic), as torch.nn.CircularPad2d."""

    _mode = "circular"


class CircularPad3d(_Pad3d[Left, Right, Top, Bottom, Front, Back]):
    """D, H and W wrapped around (periodic), as torch.nn.CircularPad3d."""

    _mode = "circular"
