"""Parameter initialisation in place, as `torch.nn.init`: the same names, arguments and
distributions.

```python
from shaped import nn

def init_weights(m: nn.Module) -> None:
    if isinstance(m, nn.Linear):
        nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        if m.bias is not None:
            nn.init.zeros_(m.bias)
```

Each function writes into the tensor's array and returns the same tensor. What differs from
torch: the random draws come from the tensor's device RNG (the shared `sh.Cpu()` one for CPU
tensors), or from `generator=`, which takes a device (`sh.Cpu(seed=0)`, its RNG) or a numpy
or cupy `Generator`; the values therefore differ from torch's, the distributions do not.
The writes go through the tape as an optimizer's do: gradients of traced inputs that are
still to be computed keep the old values, and a tensor derived from the old values (not a
view) raises rather than mix old and new ones. Random fills need a float tensor
(`DtypeError` otherwise); `constant_`, `zeros_`, `ones_`, `eye_` and `dirac_` take any dtype.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar

from shaped.devices import Device
from shaped.errors import DtypeError
from shaped.tape import before_write
from shaped.tensor import Tensor

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "calculate_gain",
    "constant_",
    "dirac_",
    "eye_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "orthogonal_",
    "sparse_",
    "trunc_normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

T = TypeVar("T", bound=Tensor[Any, Any, Any, Any])
Generator: TypeAlias = "Device | np.random.Generator"
FanMode: TypeAlias = Literal["fan_in", "fan_out"]
Nonlinearity: TypeAlias = Literal[
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "selu",
]

_LINEAR = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)


# ---------------------------------------------------------------- gains and fans


def calculate_gain(nonlinearity: Nonlinearity | str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity, as torch: 1 for linear/conv/sigmoid, 5/3 for
    tanh, sqrt(2) for relu, sqrt(2 / (1 + slope**2)) for leaky_relu (slope `param`, default
    0.01), 3/4 for selu."""
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; use one of "
        f"{', '.join((*_LINEAR, 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'))}"
    )


def calculate_fan_in_and_fan_out(tensor: Tensor[Any, Any, Any, Any]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight as torch computes them: dims 1 and 0 times the product
    of the trailing (receptive field) dims; torch's `_calculate_fan_in_and_fan_out`."""
    shape = tuple(tensor.shape)
    if len(shape) < 2:
        raise ValueError(
            "fan in and fan out can not be computed for a tensor with fewer than 2 dimensions, "
            f"got shape {shape}"
        )
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


_calculate_fan_in_and_fan_out = calculate_fan_in_and_fan_out  # torch's private spelling


def _calculate_correct_fan(tensor: Tensor[Any, Any, Any, Any], mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode {mode!r} not supported, please use one of 'fan_in', 'fan_out'")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


# ---------------------------------------------------------------- drawing and writing


def _rng(where: str, tensor: Tensor[Any, Any, Any, Any], generator: object) -> Any:
    if generator is None:
        return tensor._device.rng
    if isinstance(generator, Device):
        return generator.rng
    if callable(getattr(generator, "standard_normal", None)):
        return generator
    raise TypeError(
        f"{where}: generator must be a device such as sh.Cpu(seed=0) or a numpy Generator, "
        f"got {type(generator).__name__}"
    )


def _float(where: str, tensor: Tensor[Any, Any, Any, Any]) -> str:
    """The dtype to draw in (numpy's generators give float32 or float64 only)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{where}: expected a shaped Tensor, got {type(tensor).__name__}")
    name = tensor._data.dtype.name
    if tensor._data.dtype.kind != "f":
        raise DtypeError(
            f"{where}: draws floats, but the tensor is {tensor.dtype.__name__}; "
            "initialise a float tensor (convert with .to(sh.Float32))"
        )
    return "float64" if name == "float64" else "float32"


def _uniform(rng: Any, shape: tuple[int, ...], low: float, high: float, dtype: str) -> Any:
    return rng.random(shape, dtype=dtype) * (high - low) + low


def _normal(rng: Any, shape: tuple[int, ...], mean: float, std: float, dtype: str) -> Any:
    return rng.standard_normal(shape, dtype=dtype) * std + mean


def _write(tensor: T, values: Any) -> T:
    """Write values into tensor's array in place, telling the tape first (as optimizers do)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"init: expected a shaped Tensor, got {type(tensor).__name__}")
    array = tensor._data
    before_write(tensor._key, array)
    array[...] = tensor._device.xp.asarray(values).astype(array.dtype, copy=False)
    return tensor


# ---------------------------------------------------------------- fills


def uniform_(tensor: T, a: float = 0.0, b: float = 1.0, generator: Generator | None = None) -> T:
    """Fill with draws from U(a, b)."""
    dtype = _float("uniform_", tensor)
    return _write(tensor, _uniform(_rng("uniform_", tensor, generator), tensor.shape, a, b, dtype))


def normal_(
    tensor: T, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None
) -> T:
    """Fill with draws from N(mean, std**2)."""
    dtype = _float("normal_", tensor)
    rng = _rng("normal_", tensor, generator)
    return _write(tensor, _normal(rng, tensor.shape, mean, std, dtype))


def trunc_normal_(
    tensor: T,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Generator | None = None,
) -> T:
    """Fill with draws from N(mean, std**2) truncated to [a, b] (a and b are values, not
    multiples of std), by torch's own method: redraw normals outside [a, b] while that
    interval holds more than 30% of the mass, else accept uniform draws on [a, b] with
    probability exp(-(x - mean)**2 / (2 std**2)) relative to the density's peak."""
    dtype = _float("trunc_normal_", tensor)
    rng = _rng("trunc_normal_", tensor, generator)
    xp, shape = tensor._device.xp, tensor.shape
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=2,
        )

    def cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    mass = cdf((b - mean) / std) - cdf((a - mean) / std)
    if mass > 0.3:
        result = xp.asarray(_normal(rng, shape, mean, std, dtype))
        while True:
            outside = (result < a) | (result > b)
            if not outside.any():
                break
            result = xp.where(outside, xp.asarray(_normal(rng, shape, mean, std, dtype)), result)
        return _write(tensor, result)
    peak = max(a, min(mean, b))  # where the density is highest on [a, b]
    log_peak = -0.5 * ((peak - mean) / std) ** 2

    def log_accept(x: Any) -> Any:
        return -0.5 * ((x - mean) / std) ** 2 - log_peak

    result = xp.asarray(_uniform(rng, shape, a, b, dtype))
    pending = xp.log(xp.asarray(rng.random(shape, dtype=dtype))) > log_accept(result)
    while pending.any():
        candidates = xp.asarray(_uniform(rng, shape, a, b, dtype))
        result = xp.where(pending, candidates, result)
        rejected = xp.log(xp.asarray(rng.random(shape, dtype=dtype))) > log_accept(candidates)
        pending = pending & rejected
    return _write(tensor, xp.clip(result, a, b))  # float32 rounding may step just outside


def constant_(tensor: T, val: float) -> T:
    """Fill with `val`."""
    return _write(tensor, tensor._device.xp.full(tensor.shape, val))


def ones_(tensor: T) -> T:
    """Fill with ones."""
    return constant_(tensor, 1)


def zeros_(tensor: T) -> T:
    """Fill with zeros."""
    return constant_(tensor, 0)


def eye_(tensor: T) -> T:
    """Fill a 2-d tensor with the identity (ones on the diagonal, also when not square)."""
    if tensor.ndim != 2:
        raise ValueError(
            f"eye_: only tensors with 2 dimensions are supported, got shape {tensor.shape}"
        )
    rows, cols = tensor.shape
    return _write(tensor, tensor._device.xp.eye(rows, cols))


def dirac_(tensor: T, groups: int = 1) -> T:
    """Fill a 3-, 4- or 5-d convolution weight with the Dirac delta: the convolution then
    keeps its input's channels (per group; the first min(out/groups, in) of them)."""
    shape = tuple(tensor.shape)
    if len(shape) not in (3, 4, 5):
        raise ValueError(
            f"dirac_: only tensors with 3, 4, or 5 dimensions are supported, got shape {shape}"
        )
    if shape[0] % groups != 0:
        raise ValueError(f"dirac_: dim 0 ({shape[0]}) must be divisible by groups ({groups})")
    per_group = shape[0] // groups
    values = tensor._device.xp.zeros(shape)
    centre = tuple(size // 2 for size in shape[2:])
    for group in range(groups):
        for channel in range(min(per_group, shape[1])):
            values[(group * per_group + channel, channel, *centre)] = 1
    return _write(tensor, values)


def sparse_(tensor: T, sparsity: float, std: float = 0.01, generator: Generator | None = None) -> T:
    """Fill a 2-d tensor from N(0, std**2), then zero ceil(sparsity * rows) entries of each
    column, chosen at random (Martens 2010)."""
    if tensor.ndim != 2:
        raise ValueError(
            f"sparse_: only tensors with 2 dimensions are supported, got shape {tensor.shape}"
        )
    dtype = _float("sparse_", tensor)
    rng = _rng("sparse_", tensor, generator)
    xp = tensor._device.xp
    rows, cols = tensor.shape
    zeros = math.ceil(sparsity * rows)
    values = xp.asarray(_normal(rng, (rows, cols), 0.0, std, dtype))
    for col in range(cols):
        order = xp.argsort(xp.asarray(rng.random(rows)))  # a permutation (cupy's generator too)
        values[order[:zeros], col] = 0
    return _write(tensor, values)


def orthogonal_(tensor: T, gain: float = 1, generator: Generator | None = None) -> T:
    """Fill with a (semi-)orthogonal matrix times `gain`, as torch: QR of a normal matrix
    (dims after the first flattened), signs fixed by R's diagonal so the draw is uniform
    (Haar) over orthogonal matrices. Rows are orthonormal when rows <= columns, columns
    otherwise."""
    if tensor.ndim < 2:
        raise ValueError(
            "orthogonal_: only tensors with 2 or more dimensions are supported, got shape "
            f"{tensor.shape}"
        )
    dtype = _float("orthogonal_", tensor)
    if tensor._data.size == 0:
        return tensor
    xp = tensor._device.xp
    rows = tensor.shape[0]
    cols = tensor._data.size // rows
    flattened = xp.asarray(
        _normal(_rng("orthogonal_", tensor, generator), (rows, cols), 0, 1, dtype)
    )
    if rows < cols:
        flattened = flattened.T
    q, r = xp.linalg.qr(flattened)
    q = q * xp.sign(xp.diagonal(r))
    if rows < cols:
        q = q.T
    return _write(tensor, (q * gain).reshape(tensor.shape))


# ---------------------------------------------------------------- Xavier (Glorot) and Kaiming (He)


def xavier_uniform_(tensor: T, gain: float = 1.0, generator: Generator | None = None) -> T:
    """Fill from U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010)."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    if fan_in + fan_out == 0:
        return tensor  # nothing to fill (torch divides by zero here)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: T, gain: float = 1.0, generator: Generator | None = None) -> T:
    """Fill from N(0, std**2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    if fan_in + fan_out == 0:
        return tensor
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def _kaiming_std(
    where: str, tensor: Tensor[Any, Any, Any, Any], a: float, mode: str, nonlinearity: str
) -> float | None:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{where}: expected a shaped Tensor, got {type(tensor).__name__}")
    if 0 in tuple(tensor.shape):
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: T,
    a: float = 0,
    mode: FanMode | str = "fan_in",
    nonlinearity: Nonlinearity | str = "leaky_relu",
    generator: Generator | None = None,
) -> T:
    """Fill from U(-bound, bound) with bound = gain * sqrt(3 / fan) (He et al. 2015); `a` is
    leaky_relu's negative slope, `mode` picks fan_in (keeps the forward variance) or fan_out
    (the backward's). A zero-size tensor is left as it is, with torch's warning."""
    std = _kaiming_std("kaiming_uniform_", tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: T,
    a: float = 0,
    mode: FanMode | str = "fan_in",
    nonlinearity: Nonlinearity | str = "leaky_relu",
    generator: Generator | None = None,
) -> T:
    """Fill from N(0, std**2) with std = gain / sqrt(fan) (He et al. 2015); arguments as
    `kaiming_uniform_`."""
    std = _kaiming_std("kaiming_normal_", tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, generator)
