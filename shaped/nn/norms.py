"""Normalization, channel dropout, Unflatten, Bilinear and the remaining activations of
torch.nn (issue 12): torch's semantics, parameter names, layouts and initial values.

As in shaped/nn/layers.py, each layer is generic in its static sizes (`GroupNorm[G, C]`,
`Bilinear[I1, I2, O]`), sizes are positional and options keywords, parameters come from the
`device=` RNG (a mask too, for the dropouts and RReLU), and the math is in shaped/ops/norms.py.
"""

# Each layer defines __call__ (so both checkers read its overloads) where Module's is typed by
# forward through a self type: the override is deliberate.
# pyright: reportIncompatibleMethodOverride=false
# mypy: disable-error-code="override"

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Generic, Literal, Self, overload

from typing_extensions import TypeVar, TypeVarTuple

import shaped.nn.functional as F
from shaped import shapes_nn
from shaped.devices import Device
from shaped.dtypes import DType, Float32, Int64, OwnedTape
from shaped.nn.layers import (
    _BatchNorm,
    _device,
    _fan_in_bound,
    _full,
    _like,
    _same_device_rng,
    _size,
    _sizes_tuple,
    _uniform,
)
from shaped.nn.module import Module
from shaped.nn.sizes import Size
from shaped.ops import norms as ops
from shaped.tensor import Tensor

__all__ = [
    "AlphaDropout",
    "BatchNorm3d",
    "Bilinear",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "FeatureAlphaDropout",
    "GroupNorm",
    "Hardshrink",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "RMSNorm",
    "RReLU",
    "Softmax2d",
    "Softshrink",
    "Tanhshrink",
    "Threshold",
    "Unflatten",
]

G = TypeVar("G")
C = TypeVar("C")
Nf = TypeVar("Nf")
I1 = TypeVar("I1")
I2 = TypeVar("I2")
O = TypeVar("O")  # noqa: E741
SI = TypeVar("SI", bound=Size)
SO = TypeVar("SO", bound=Size)
SK = TypeVar("SK", bound=Size)
PD = TypeVar("PD", default=Float32)  # the parameters' dtype
MD = TypeVar("MD", bound=DType)

S = TypeVar("S", bound=tuple[Any, ...])
D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")
B = TypeVarTuple("B")

AnyTensor = Tensor[Any, Any, Any, Any]


# ---------------------------------------------------------------- normalization


class GroupNorm(Module, Generic[G, C, PD]):
    """Normalize (N, C, *) over each group of C/G channels and all positions of a sample,
    then scale and shift per channel, as torch.nn.GroupNorm(num_groups, num_channels).

    weight starts at ones, bias at zeros; affine=False keeps neither (None), bias=False no
    bias. num_channels must be divisible by num_groups (checked when constructed).
    """

    _type_args = ("num_groups", "num_channels")

    weight: Tensor[tuple[C], PD, Any] | None
    bias: Tensor[tuple[C], PD, Any] | None

    @overload
    def __init__(  # no parameters: data of any float dtype fits
        self: GroupNorm[SI, SO, Any],
        num_groups: SI,
        num_channels: SO,
        *,
        eps: float = 1e-5,
        affine: Literal[False],
        bias: bool = True,
        device: Device | None = None,
        dtype: type[DType] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: GroupNorm[SI, SO],
        num_groups: SI,
        num_channels: SO,
        *,
        eps: float = 1e-5,
        affine: bool = True,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: GroupNorm[SI, SO, MD],
        num_groups: SI,
        num_channels: SO,
        *,
        eps: float = 1e-5,
        affine: bool = True,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self,
        num_groups: G,
        num_channels: C,
        *,
        eps: float = 1e-5,
        affine: bool = True,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        num_groups: Any,
        num_channels: Any,
        *,
        eps: float = 1e-5,
        affine: bool = True,
        bias: bool = True,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        dev = _device("GroupNorm", device, dtype)
        self.num_groups = _size("GroupNorm", "num_groups", num_groups)
        self.num_channels = _size("GroupNorm", "num_channels", num_channels)
        from shaped.shapes import layer_sizes  # divisibility, as the plugin checks it

        layer_sizes("GroupNorm", {"num_groups": self.num_groups, "num_channels": self.num_channels})
        self.eps = eps
        self.affine = affine
        size = (self.num_channels,)
        self.weight = _full(dev, size, 1.0, dtype) if affine else None
        self.bias = _full(dev, size, 0.0, dtype) if affine and bias else None

    def __call__(self, x: Tensor[S, PD, Dev, T]) -> Tensor[S, PD, Dev, T]:
        shapes_nn.group_norm(x.shape, self.num_groups, self.num_channels)
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> GroupNorm[G, C, MD]: ...
        def to(self, target: Any) -> Any: ...

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )


class _InstanceNorm(Module, Generic[C]):
    """Per-sample, per-channel normalization over the spatial axes, as torch.nn.InstanceNorm*d.

    affine=False and track_running_stats=False by default, as torch: no parameters, and the
    input's own statistics in eval too. affine=True adds weight (ones) and bias (zeros) of
    the `dtype=`; track_running_stats=True keeps running_mean and running_var (momentum 0.1,
    None counts as 0) and uses them in eval. The data's dtype is not in the type (without
    parameters any float dtype works), so the plugin leaves it to the run time.
    """

    _type_args = ("num_features",)
    _buffer_names = frozenset({"running_mean", "running_var", "num_batches_tracked"})
    _spatial = 1

    weight: Tensor[tuple[C], Any, Any] | None
    bias: Tensor[tuple[C], Any, Any] | None
    running_mean: Tensor[tuple[C], Any, Any] | None
    running_var: Tensor[tuple[C], Any, Any] | None
    num_batches_tracked: Tensor[tuple[()], Any, Any] | None

    @overload
    def __init__(
        self: _InstanceNorm[SI],
        num_features: SI,
        *,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[DType] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self,
        num_features: C,
        *,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[DType] = ...,
    ) -> None: ...
    def __init__(
        self,
        num_features: Any,
        *,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        bias: bool = True,
        device: Device | None = None,
        dtype: Any = Float32,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        dev = _device(name, device, dtype)
        self.num_features = size = _size(name, "num_features", num_features)
        self.eps, self.momentum = eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = _full(dev, (size,), 1.0, dtype) if affine else None
        self.bias = _full(dev, (size,), 0.0, dtype) if affine and bias else None
        if track_running_stats:
            self.running_mean = _full(dev, (size,), 0.0, dtype)
            self.running_var = _full(dev, (size,), 1.0, dtype)
            self.num_batches_tracked = dev.zeros((), Int64)
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        name = type(self).__name__
        shapes_nn.channel_norm(name, x.shape, self._spatial)
        axis = x.ndim - self._spatial - 1
        if x.shape[axis] != self.num_features:
            if self.affine:
                shapes_nn.channel_norm(name, x.shape, self._spatial, self.num_features)
            warnings.warn(  # as torch: without parameters num_features is not used
                f"{name}: input's size at dim={axis} does not match num_features "
                f"({self.num_features}); it is not used because affine=False",
                stacklevel=2,
            )
        unbatched = x.ndim == self._spatial + 1
        data: AnyTensor = x.unsqueeze(0) if unbatched else x
        out = F.instance_norm(
            data,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            0.0 if self.momentum is None else self.momentum,
            self.eps,
        )
        return _like(x, out.squeeze(0) if unbatched else out)

    forward = __call__

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class InstanceNorm1d(_InstanceNorm[C]):
    """Instance normalization of (N, C, L) or (C, L) per sample and channel."""

    _spatial = 1


class InstanceNorm2d(_InstanceNorm[C]):
    """Instance normalization of (N, C, H, W) or (C, H, W) per sample and channel."""

    _spatial = 2


class InstanceNorm3d(_InstanceNorm[C]):
    """Instance normalization of (N, C, D, H, W) or (C, D, H, W) per sample and channel."""

    _spatial = 3


class BatchNorm3d(_BatchNorm[C, PD]):
    """Batch normalization of (N, C, D, H, W) per channel C, as torch.nn.BatchNorm3d."""

    _ranks = (5,)

    if TYPE_CHECKING:  # the constructor as pyright reads it (sizes.Size keeps the literal)

        @overload
        def __init__(
            self: BatchNorm3d[SI],
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
            self: BatchNorm3d[SI, MD],
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

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> BatchNorm3d[C, MD]: ...
        def to(self, target: Any) -> Any: ...


class RMSNorm(Module, Generic[Nf, PD]):
    """x / sqrt(mean(x**2) + eps) over the trailing `normalized_shape` axes, times weight
    (ones), as torch.nn.RMSNorm; eps None is the dtype's machine epsilon (torch's default).
    elementwise_affine=False keeps no weight (None)."""

    _type_args = ("normalized_shape",)

    weight: Tensor[Any, PD, Any] | None

    @overload
    def __init__(  # no parameters: data of any float dtype fits
        self: RMSNorm[SI, Any],
        normalized_shape: SI,
        *,
        eps: float | None = None,
        elementwise_affine: Literal[False],
        device: Device | None = None,
        dtype: type[DType] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: RMSNorm[SI],
        normalized_shape: SI,
        *,
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: RMSNorm[SI, MD],
        normalized_shape: SI,
        *,
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self,
        normalized_shape: Nf,
        *,
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: Device | None = None,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        normalized_shape: Any,
        *,
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        dev = _device("RMSNorm", device, dtype)
        self.normalized_shape = _sizes_tuple("RMSNorm", normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        self.weight = _full(dev, self.normalized_shape, 1.0, dtype) if elementwise_affine else None

    def __call__(self, x: Tensor[S, PD, Dev, T]) -> Tensor[S, PD, Dev, T]:
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> RMSNorm[Nf, MD]: ...
        def to(self, target: Any) -> Any: ...

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


# ---------------------------------------------------------------- dropout variants


class _RandomLayer(Module):
    """A layer that draws from its device's RNG (`device=`) in training."""

    def __init__(self, p: float = 0.5, *, device: Device | None = None) -> None:
        super().__init__()
        name = type(self).__name__
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{name}: p must be in [0, 1], got {p}")
        self.p = p
        self._device = _device(name, device, Float32)

    def _rng(self, x: AnyTensor) -> Any:
        return _same_device_rng(self._device, x)

    def _moved_to(self, device: Device) -> None:
        self._device = device

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Dropout1d(_RandomLayer):
    """Zero whole channels of (N, C, L) or (C, L) with probability p in training, scale the
    rest by 1/(1-p); the identity in eval, as torch.nn.Dropout1d."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.dropout1d(x, self.p, self.training, rng=self._rng(x))

    forward = __call__


class Dropout2d(_RandomLayer):
    """Zero whole channels of (N, C, H, W) with probability p in training, scale the rest by
    1/(1-p); the identity in eval, as torch.nn.Dropout2d (a 3-D input is (N, C, L) there)."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.dropout2d(x, self.p, self.training, rng=self._rng(x))

    forward = __call__


class Dropout3d(_RandomLayer):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) with probability p in training,
    scale the rest by 1/(1-p); the identity in eval, as torch.nn.Dropout3d."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.dropout3d(x, self.p, self.training, rng=self._rng(x))

    forward = __call__


class AlphaDropout(_RandomLayer):
    """Dropout for SELU networks: keeps zero mean and unit variance, as torch.nn.AlphaDropout;
    the identity in eval."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.alpha_dropout(x, self.p, self.training, rng=self._rng(x))

    forward = __call__


class FeatureAlphaDropout(_RandomLayer):
    """AlphaDropout of whole channels (axis 1), as torch.nn.FeatureAlphaDropout."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.feature_alpha_dropout(x, self.p, self.training, rng=self._rng(x))

    forward = __call__


# ---------------------------------------------------------------- Unflatten, Bilinear


class Unflatten(Module):
    """Split axis `axis` (torch's `dim`) into `unflattened_size` (one entry may be -1), as
    torch.nn.Unflatten(dim, unflattened_size): `Unflatten(1, (16, 4, 4))` turns (N, 256)
    into (N, 16, 4, 4). The result's dims are not in the type (the run time checks them)."""

    def __init__(self, axis: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(f"Unflatten: axis must be an int, got {axis!r}")
        sizes = tuple(unflattened_size)
        if not all(isinstance(s, int) and not isinstance(s, bool) for s in sizes):
            raise TypeError(f"Unflatten: unflattened_size must be ints, got {unflattened_size!r}")
        shapes_nn.unflatten((None,) * (axis + 1 if axis >= 0 else -axis), axis, sizes)
        self.dim, self.unflattened_size = axis, sizes

    def __call__(self, x: Tensor[Any, D, Dev, T]) -> Tensor[tuple[Any, ...], D, Dev, T]:
        shape = shapes_nn.unflatten(x.shape, self.dim, self.unflattened_size)
        return x.reshape(*(-1 if d is None else d for d in shape))

    forward = __call__

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Bilinear(Module, Generic[I1, I2, O, PD]):
    """y = x1 @ weight[o] @ x2 + bias[o] for x1 (*B, I1) and x2 (*B, I2): (*B, O), as
    torch.nn.Bilinear. weight (O, I1, I2) and bias (O,) are drawn from U(-1/sqrt(I1),
    1/sqrt(I1)). The batch dims of the two inputs are the same (they do not broadcast)."""

    _type_args = ("in1_features", "in2_features", "out_features")

    weight: Tensor[tuple[O, I1, I2], PD, Any]
    bias: Tensor[tuple[O], PD, Any] | None

    @overload
    def __init__(
        self: Bilinear[SI, SK, SO],
        in1_features: SI,
        in2_features: SK,
        out_features: SO,
        *,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: Bilinear[SI, SK, SO, MD],
        in1_features: SI,
        in2_features: SK,
        out_features: SO,
        *,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self,
        in1_features: I1,
        in2_features: I2,
        out_features: O,
        *,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        in1_features: Any,
        in2_features: Any,
        out_features: Any,
        *,
        bias: bool = True,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        dev = _device("Bilinear", device, dtype)
        self.in1_features = _size("Bilinear", "in1_features", in1_features)
        self.in2_features = _size("Bilinear", "in2_features", in2_features)
        self.out_features = _size("Bilinear", "out_features", out_features)
        bound = _fan_in_bound(self.in1_features)
        shape = (self.out_features, self.in1_features, self.in2_features)
        self.weight = _uniform(dev, shape, bound, dtype)
        self.bias = _uniform(dev, (self.out_features,), bound, dtype) if bias else None

    @overload
    def __call__(
        self, x1: Tensor[tuple[*B, I1], PD, Dev, T], x2: Tensor[tuple[*B, I2], PD, Dev, T]
    ) -> Tensor[tuple[*B, O], PD, Dev, T]: ...
    @overload
    def __call__(
        self, x1: Tensor[tuple[*B, I1], PD, Dev, Any], x2: Tensor[tuple[*B, I2], PD, Dev, Any]
    ) -> Tensor[tuple[*B, O], PD, Dev, OwnedTape]: ...
    @overload
    def __call__(
        self, x1: Tensor[tuple[*B, int], PD, Dev, T], x2: Tensor[tuple[*B, int], PD, Dev, T]
    ) -> Tensor[tuple[*B, O], PD, Dev, T]: ...
    @overload
    def __call__(
        self, x1: Tensor[tuple[*B, int], PD, Dev, Any], x2: Tensor[tuple[*B, int], PD, Dev, Any]
    ) -> Tensor[tuple[*B, O], PD, Dev, OwnedTape]: ...
    def __call__(self, x1: AnyTensor, x2: AnyTensor) -> Any:
        return F.bilinear(x1, x2, self.weight, self.bias)

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> Bilinear[I1, I2, O, MD]: ...
        def to(self, target: Any) -> Any: ...

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )


# ---------------------------------------------------------------- activations


class Hardshrink(Module):
    """x where |x| > lambd, 0 elsewhere (lambd 0.5)."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.hardshrink(x, self.lambd)

    forward = __call__

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """x - lambd above lambd, x + lambd below -lambd, 0 between (lambd 0.5, at least 0)."""

    def __init__(self, lambd: float = 0.5) -> None:
        if lambd < 0:
            raise ValueError(f"Softshrink: lambd must be >= 0, got {lambd}")
        super().__init__(lambd)

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.softshrink(x, self.lambd)

    forward = __call__


class Tanhshrink(Module):
    """x - tanh(x)."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.tanhshrink(x)

    forward = __call__


class Threshold(Module):
    """x where x > threshold, `value` elsewhere, as torch.nn.Threshold(threshold, value)."""

    def __init__(self, threshold: float, value: float) -> None:
        super().__init__()
        self.threshold, self.value = threshold, value

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return F.threshold(x, self.threshold, self.value)

    forward = __call__

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}"


class Softmax2d(Module):
    """softmax over the channels of (N, C, H, W) or (C, H, W) at each position."""

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        return ops.softmax2d(x)

    forward = __call__


class RReLU(Module):
    """Randomized leaky ReLU, as torch.nn.RReLU: in training each negative value is scaled by
    a slope drawn from U(lower, upper) (from the `device=` RNG); in eval by (lower+upper)/2."""

    def __init__(
        self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, *, device: Device | None = None
    ) -> None:
        super().__init__()
        if lower > upper:
            raise ValueError(f"RReLU: lower {lower} is greater than upper {upper}")
        self.lower, self.upper = lower, upper
        self._device = _device("RReLU", device, Float32)

    def __call__(self, x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
        rng = _same_device_rng(self._device, x)
        return F.rrelu(x, self.lower, self.upper, self.training, rng=rng)

    forward = __call__

    def _moved_to(self, device: Device) -> None:
        self._device = device

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}"
