"""Normalization, channel dropout, bilinear, embedding options and the shrink activations
(issue 12): each forward with its closed-form VJP beside it, torch.nn.functional's semantics.

group_norm, instance_norm and rms_norm normalize over axes of one sample; the dropout
variants draw one keep/drop per channel (constant over the spatial axes); `embedding` adds
torch's padding_idx and max_norm to ops.nn's lookup.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from typing_extensions import TypeVar, TypeVarTuple

from shaped import shapes, shapes_nn
from shaped.devices import quiet, quietly, rank0
from shaped.errors import DtypeError, ShapeError
from shaped.ops.core import Array, check_same, nary, unary
from shaped.ops.nn import embedding as _lookup
from shaped.ops.nn import softmax
from shaped.tape import before_write
from shaped.tensor import Tensor

__all__ = [
    "alpha_dropout",
    "bilinear",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "embedding",
    "feature_alpha_dropout",
    "group_norm",
    "hardshrink",
    "instance_norm",
    "rms_norm",
    "rrelu",
    "softmax2d",
    "softshrink",
    "tanhshrink",
    "threshold",
]

S = TypeVar("S", bound=tuple[Any, ...])
D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")
E = TypeVar("E")
B = TypeVarTuple("B")

Tn = Tensor[Any, Any, Any, Any]
Param = Tensor[Any, D, Dev, Any]


def _float(op: str, x: Tn) -> Array:
    if x._data.dtype.kind != "f":
        raise DtypeError(
            f"{op}: needs a float tensor, got {x.dtype.__name__}; convert with .to(sh.Float32)"
        )
    return x._data


# ---------------------------------------------------------------- normalization


def _standardize(xp: Any, data: Array, axes: tuple[int, ...], eps: float) -> tuple[Array, Array]:
    """(x - mean) / sqrt(var + eps) over `axes` (biased variance), and 1/sqrt(var + eps)."""
    mean = data.mean(axis=axes, keepdims=True)
    centered = data - mean
    var = (centered * centered).mean(axis=axes, keepdims=True)
    rstd = 1.0 / xp.sqrt(var + eps)
    return centered * rstd, rstd


def _standardize_vjp(dxhat: Array, xhat: Array, rstd: Array, axes: tuple[int, ...]) -> Array:
    """The gradient through _standardize (mean and variance depend on x)."""
    mean_d = dxhat.mean(axis=axes, keepdims=True)
    mean_dx = (dxhat * xhat).mean(axis=axes, keepdims=True)
    return rstd * (dxhat - mean_d - xhat * mean_dx)


def _affine(
    op: str,
    x: Tn,
    xhat: Array,
    weight: Tn | None,
    bias: Tn | None,
    pshape: tuple[int, ...],
    grad_x: Any,
) -> Tn:
    """xhat * weight + bias (per channel, axis 1: reshaped to `pshape`), recorded with x,
    weight and bias as inputs; `grad_x(dxhat)` turns the gradient of xhat into x's."""
    w = None if weight is None else weight._data.reshape(pshape)
    out = xhat if w is None else xhat * w
    if bias is not None:
        out = out + bias._data.reshape(pshape)
    params = [t for t in (weight, bias) if t is not None]
    over = tuple(i for i in range(xhat.ndim) if i != 1)  # all but the channel axis

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        grads: list[Array | None] = [None]
        if needs[0]:
            grads[0] = grad_x(g if w is None else g * w)
        if weight is not None:
            grads.append((g * xhat).sum(axis=over).reshape(-1) if needs[len(grads)] else None)
        if bias is not None:
            grads.append(g.sum(axis=over).reshape(-1) if needs[len(grads)] else None)
        return tuple(grads)

    result: Tn = nary((x, *params), rank0(out), vjp)
    return result


def _param_shape(op: str, name: str, t: Tn | None, want: tuple[int, ...], x: Array) -> None:
    if t is not None and tuple(t._data.shape) != want:
        raise ShapeError(
            f"{op}: {name} must be {shapes.fmt(want)} for input {shapes.fmt(x.shape)}, "
            f"got {shapes.fmt(t._data.shape)}"
        )


def group_norm(
    x: Tensor[S, D, Dev, T],
    num_groups: int,
    weight: Param[D, Dev] | None = None,
    bias: Param[D, Dev] | None = None,
    eps: float = 1e-5,
) -> Tensor[S, D, Dev, T]:
    """x (N, C, *) normalized over each group of C/num_groups channels (and all spatial
    positions) of each sample, then scaled and shifted per channel, as torch's F.group_norm."""
    return _group_norm(x, num_groups, weight, bias, eps)


@quiet  # empty groups give nan without numpy's warnings, as torch
def _group_norm(x: Tn, num_groups: int, weight: Tn | None, bias: Tn | None, eps: float) -> Tn:
    op = "group_norm"
    data = _float(op, x)
    check_same(op, (x, *(t for t in (weight, bias) if t is not None)), weights=True)
    if not isinstance(num_groups, int) or isinstance(num_groups, bool) or num_groups < 1:
        raise ValueError(f"{op}: num_groups must be an int >= 1, got {num_groups!r}")
    shapes_nn.group_norm(data.shape, num_groups)
    channels = data.shape[1]
    for name, t in (("weight", weight), ("bias", bias)):
        _param_shape(op, name, t, (channels,), data)
    xp = x._device.xp
    grouped = data.reshape(data.shape[0], num_groups, -1) if data.size else data
    if data.size:
        xhat_g, rstd = _standardize(xp, grouped, (2,), eps)
        xhat = xhat_g.reshape(data.shape)
    else:
        xhat, rstd = data.copy(), None

    def grad_x(dxhat: Array) -> Array:
        if rstd is None:
            return xp.zeros_like(data)
        d = dxhat.reshape(grouped.shape)
        return quietly(lambda: _standardize_vjp(d, xhat_g, rstd, (2,))).reshape(data.shape)

    pshape = (1, channels) + (1,) * int(data.ndim - 2)
    return _affine(op, x, xhat, weight, bias, pshape, grad_x)


def instance_norm(
    x: Tensor[S, D, Dev, T],
    running_mean: Param[D, Dev] | None = None,
    running_var: Param[D, Dev] | None = None,
    weight: Param[D, Dev] | None = None,
    bias: Param[D, Dev] | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor[S, D, Dev, T]:
    """x (N, C, *) normalized per sample and channel over the spatial axes, as torch's
    F.instance_norm. With use_input_stats the running statistics (when given) move toward
    the batch's average instance mean and unbiased variance, in place; without, they are used."""
    args = (running_mean, running_var, weight, bias, use_input_stats, momentum, eps)
    return _instance_norm(x, *args)


@quiet  # empty spatial axes give nan without numpy's warnings, as torch
def _instance_norm(
    x: Tn,
    running_mean: Tn | None,
    running_var: Tn | None,
    weight: Tn | None,
    bias: Tn | None,
    use_input_stats: bool,
    momentum: float,
    eps: float,
) -> Tn:
    op = "instance_norm"
    data = _float(op, x)
    stats = [t for t in (running_mean, running_var, weight, bias) if t is not None]
    check_same(op, (x, *stats), weights=True)
    if data.ndim < 3:
        raise ShapeError(
            f"{op}: input must be (N, C, ...) with at least one spatial axis, got "
            f"{shapes.fmt(data.shape)}"
        )
    channels = data.shape[1]
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        _param_shape(op, name, t, (channels,), data)
    xp = x._device.xp
    axes = tuple(range(2, data.ndim))
    count = math.prod(data.shape[2:])
    bshape = (1, channels) + (1,) * int(data.ndim - 2)
    if use_input_stats:
        if count <= 1 and data.size:
            raise ShapeError(
                f"{op}: expected more than 1 spatial element when training, got input "
                f"{shapes.fmt(data.shape)}"
            )
        xhat, rstd = _standardize(xp, data, axes, eps)
        # running statistics are state, not part of the graph: update their arrays in place
        if data.size and (running_mean is not None or running_var is not None):
            mean = data.mean(axis=axes)
            var = data.var(axis=axes, ddof=1)
            for t, value in ((running_mean, mean), (running_var, var)):
                if t is not None:
                    before_write(t._key, t._data)
                    t._data *= 1.0 - momentum
                    t._data += momentum * value.mean(axis=0)

        def grad_x(dxhat: Array) -> Array:
            return quietly(lambda: _standardize_vjp(dxhat, xhat, rstd, axes))

    else:
        if running_mean is None or running_var is None:
            raise ValueError(f"{op}: running_mean and running_var are needed without input stats")
        rstd = 1.0 / xp.sqrt(running_var._data.reshape(bshape) + eps)
        xhat = (data - running_mean._data.reshape(bshape)) * rstd

        def grad_x(dxhat: Array) -> Array:
            return dxhat * rstd

    return _affine(op, x, xhat, weight, bias, bshape, grad_x)


def rms_norm(
    x: Tensor[S, D, Dev, T],
    normalized_shape: int | tuple[int, ...],
    weight: Param[D, Dev] | None = None,
    eps: float | None = None,
) -> Tensor[S, D, Dev, T]:
    """x / sqrt(mean(x**2) + eps) over the trailing `normalized_shape` axes, times weight, as
    torch's F.rms_norm; eps None is the dtype's machine epsilon (torch.finfo(dtype).eps)."""
    op = "rms_norm"
    data = _float(op, x)
    if weight is not None:
        check_same(op, (x, weight), weights=True)
    norm_shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
    norm_shape = tuple(int(n) for n in norm_shape)
    shapes.normalized(op, data.shape, norm_shape)
    _param_shape(op, "weight", weight, norm_shape, data)
    xp = x._device.xp
    if eps is None:
        eps = float(xp.finfo(data.dtype).eps)
    axes = tuple(range(data.ndim - len(norm_shape), data.ndim))
    lead = tuple(range(data.ndim - len(norm_shape)))
    if math.prod(norm_shape):
        rstd = 1.0 / xp.sqrt((data * data).mean(axis=axes, keepdims=True) + eps)
    else:
        rstd = xp.ones(data.shape[: len(lead)] + (1,) * len(axes), dtype=data.dtype)
    normed = data * rstd
    w = None if weight is None else weight._data
    out = normed if w is None else normed * w

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        grads: list[Array | None] = [None]
        if needs[0]:
            gw = g if w is None else g * w
            if math.prod(norm_shape):
                mean_gx = (gw * data).mean(axis=axes, keepdims=True)
                grads[0] = rstd * (gw - data * (rstd * rstd) * mean_gx)
            else:
                grads[0] = xp.zeros_like(data)
        if weight is not None:
            grads.append((g * normed).sum(axis=lead) if needs[1] else None)
        return tuple(grads)

    inputs = (x,) if weight is None else (x, weight)
    result: Tn = nary(inputs, rank0(out), vjp)
    return result


# ---------------------------------------------------------------- channel-wise dropout


def _masked(x: Tn, keep: Array, scale: Array | float, shift: Array | None) -> Tn:
    """x * (keep * scale) (+ shift): the dropout result, with its gradient g * keep * scale."""
    data = x._data
    factor = (keep * scale).astype(data.dtype, copy=False)
    out = data * factor if shift is None else data * factor + shift.astype(data.dtype, copy=False)
    result: Tn = unary(x, rank0(out), lambda g, needs: (g * factor,))
    return result


def _keep(x: Tn, p: float, shape: tuple[int, ...], rng: Any) -> Array:
    source = x._device.rng if rng is None else rng
    sample = "float64" if x._data.dtype.name == "float64" else "float32"
    return source.random(shape, dtype=sample) >= p


def _check_p(op: str, p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: p must be in [0, 1], got {p}")


def _feature_shape(op: str, data: Array, batched: bool) -> tuple[int, ...]:
    """The mask's shape: one draw per (sample, channel), 1 over the spatial axes."""
    if batched:
        shapes_nn.feature_dropout(op, data.shape)
        return (int(data.shape[0]), int(data.shape[1])) + (1,) * int(data.ndim - 2)
    return (int(data.shape[0]),) + (1,) * int(data.ndim - 1)


def _channel_dropout(
    op: str, x: Tensor[S, D, Dev, T], p: float, training: bool, batched: bool, rng: Any
) -> Tensor[S, D, Dev, T]:
    _check_p(op, p)
    data = _float(op, x)
    if not training or p == 0.0:
        return x
    xp = x._device.xp
    shape = _feature_shape(op, data, batched)
    if p == 1.0:
        return _masked(x, xp.zeros(shape, dtype=data.dtype), 1.0, None)
    keep = _keep(x, p, shape, rng)
    return _masked(x, keep, data.dtype.type(1.0 / (1.0 - p)), None)


def dropout1d(
    x: Tensor[S, D, Dev, T], p: float = 0.5, training: bool = True, *, rng: Any = None
) -> Tensor[S, D, Dev, T]:
    """Zero whole channels of (N, C, L) or (C, L) with probability p, scale the rest by
    1/(1-p), as torch's F.dropout1d. The mask comes from `rng` or the tensor's device RNG."""
    shapes_nn.channel_dropout("dropout1d", x._data.shape, 1)
    return _channel_dropout("dropout1d", x, p, training, x._data.ndim == 3, rng)


def dropout2d(
    x: Tensor[S, D, Dev, T], p: float = 0.5, training: bool = True, *, rng: Any = None
) -> Tensor[S, D, Dev, T]:
    """Zero whole channels of (N, C, H, W) with probability p, scale the rest by 1/(1-p), as
    torch's F.dropout2d: a 3-D input is read as (N, C, L), as torch does (with its warning)."""
    if x._data.ndim == 3 and training and p > 0:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L); use "
            "dropout1d for that",
            stacklevel=2,
        )
    return _channel_dropout("dropout2d", x, p, training, True, rng)


def dropout3d(
    x: Tensor[S, D, Dev, T], p: float = 0.5, training: bool = True, *, rng: Any = None
) -> Tensor[S, D, Dev, T]:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) with probability p, scale the
    rest by 1/(1-p), as torch's F.dropout3d."""
    shapes_nn.channel_dropout("dropout3d", x._data.shape, 3)
    return _channel_dropout("dropout3d", x, p, training, x._data.ndim == 5, rng)


_ALPHA = 1.7580993408473766  # -SELU's scale * alpha: the value SELU saturates to


def _alpha(
    op: str, x: Tensor[S, D, Dev, T], p: float, training: bool, feature: bool, rng: Any
) -> Tensor[S, D, Dev, T]:
    _check_p(op, p)
    data = _float(op, x)
    if not training or p == 0.0:
        return x
    xp = x._device.xp
    if p == 1.0:  # torch: input * 0
        return _masked(x, xp.zeros((), dtype=data.dtype), 1.0, None)
    shape = _feature_shape(op, data, True) if feature else tuple(data.shape)
    keep = _keep(x, p, shape, rng).astype(data.dtype)
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    shift = (keep - 1) * (_ALPHA * a) + _ALPHA * a * p
    return _masked(x, keep, data.dtype.type(a), shift)


def alpha_dropout(
    x: Tensor[S, D, Dev, T], p: float = 0.5, training: bool = False, *, rng: Any = None
) -> Tensor[S, D, Dev, T]:
    """Dropout that keeps SELU's mean and variance: dropped values become SELU's negative
    saturation, then an affine map restores the moments, as torch's F.alpha_dropout
    (training defaults to False there too)."""
    return _alpha("alpha_dropout", x, p, training, False, rng)


def feature_alpha_dropout(
    x: Tensor[S, D, Dev, T], p: float = 0.5, training: bool = False, *, rng: Any = None
) -> Tensor[S, D, Dev, T]:
    """alpha_dropout with one draw per (sample, channel), as torch's F.feature_alpha_dropout."""
    return _alpha("feature_alpha_dropout", x, p, training, True, rng)


# ---------------------------------------------------------------- bilinear


def bilinear(
    x1: Tensor[tuple[*B, Any], D, Dev, Any],
    x2: Tensor[tuple[*B, Any], D, Dev, Any],
    weight: Tensor[tuple[E, Any, Any], D, Dev, Any],
    bias: Tensor[tuple[E], D, Dev, Any] | None = None,
) -> Tensor[tuple[*B, E], D, Dev, Any]:
    """y[..., o] = x1 @ weight[o] @ x2 + bias[o], as torch's F.bilinear: x1 (*B, I1), x2
    (*B, I2), weight (O, I1, I2); the batch dims are the same (no broadcasting)."""
    op = "bilinear"
    a, b = _float(op, x1), _float(op, x2)
    params = [weight] if bias is None else [weight, bias]
    check_same(op, (x1, x2, *params))
    shapes_nn.bilinear(a.shape, b.shape, weight._data.shape)
    w = weight._data
    if bias is not None and bias._data.shape != (w.shape[0],):
        raise ShapeError(
            f"{op}: bias must be ({w.shape[0]},) for weight {shapes.fmt(w.shape)}, got "
            f"{shapes.fmt(bias._data.shape)}"
        )
    xp = x1._device.xp
    out = xp.einsum("...i,oij,...j->...o", a, w, b)
    if bias is not None:
        out = out + bias._data

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        ga = xp.einsum("...o,oij,...j->...i", g, w, b) if needs[0] else None
        gb = xp.einsum("...o,oij,...i->...j", g, w, a) if needs[1] else None
        rows = math.prod(g.shape[:-1])  # explicit: reshape(-1, 0) is ambiguous
        gw = None
        if needs[2]:
            g2, a2, b2 = (t.reshape(rows, t.shape[-1]) for t in (g, a, b))
            gw = xp.einsum("no,ni,nj->oij", g2, a2, b2)
        grads = [ga, gb, gw]
        if bias is not None:
            grads.append(g.reshape(rows, g.shape[-1]).sum(axis=0) if needs[3] else None)
        return tuple(grads)

    result: Tn = nary((x1, x2, *params), rank0(out), vjp)
    return result


# ---------------------------------------------------------------- embedding options


def embedding(
    indices: Tensor[tuple[*B], Any, Dev, T],
    weight: Tensor[tuple[Any, E], D, Dev, Any],
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
) -> Tensor[tuple[*B, E], D, Dev, T]:
    """weight[indices], as torch's F.embedding: the row padding_idx gets no gradient, and with
    max_norm each row looked up whose norm exceeds it is first rescaled in place to max_norm."""
    op = "embedding"
    if indices._data.dtype.kind not in "iu":
        raise DtypeError(f"{op}: indices must be integers (sh.Int64), got {indices.dtype.__name__}")
    if padding_idx is None and max_norm is None:
        return _lookup(indices, weight)
    if indices._device is not weight._device:
        check_same(op, (indices, weight))
    idx, table = indices._data, weight._data
    shapes.embedding(idx.shape, table.shape)
    size = table.shape[0]
    if padding_idx is not None:
        if not -size <= padding_idx < size:
            raise ValueError(f"{op}: padding_idx {padding_idx} must be within the {size} rows")
        padding_idx %= size
    if idx.size and ((idx < 0) | (idx >= size)).any():
        first = int(idx[(idx < 0) | (idx >= size)].ravel()[0])
        raise ShapeError(
            f"{op}: index {first} is out of range for an embedding table of size {size} "
            f"(valid indices are 0..{size - 1})"
        )
    if max_norm is not None:
        _renorm(weight, idx, max_norm, norm_type)
    xp = weight._device.xp
    out = table[idx]

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, Array | None]:
        if not needs[1]:
            return None, None
        if padding_idx is not None:  # torch gives the padding row no gradient
            g = g * (idx != padding_idx)[..., None]
        grad = xp.zeros_like(table)
        rows, values = idx.reshape(-1), g.reshape(-1, table.shape[1])
        if hasattr(xp.add, "at"):
            xp.add.at(grad, rows, values)
        else:  # older cupy
            _cupy_add(grad, rows, values)
        return None, grad

    result: Tn = nary((indices, weight), out, vjp)
    return result


def _cupy_add(target: Array, rows: Array, values: Array) -> None:
    import cupyx

    cupyx.scatter_add(target, rows, values)


def _renorm(weight: Tn, idx: Array, max_norm: float, norm_type: float) -> None:
    """torch's embedding_renorm_: rows used whose norm exceeds max_norm scaled to it (no grad)."""
    xp = weight._device.xp
    table = weight._data
    rows = xp.unique(idx.reshape(-1))
    rows = rows[(rows >= 0) & (rows < table.shape[0])]
    norms = xp.linalg.norm(table[rows], ord=norm_type, axis=1) if rows.size else rows
    over = rows[norms > max_norm] if rows.size else rows
    if over.size:
        before_write(weight._key, table)
        scale = max_norm / (norms[norms > max_norm] + 1e-7)
        table[over] *= scale[:, None].astype(table.dtype)


# ---------------------------------------------------------------- activations


def _masked_grad(x: Tn, out: Array, mask: Array) -> Tn:
    result: Tn = unary(x, rank0(out), lambda g, needs: (x._device.xp.where(mask, g, 0),))
    return result


def hardshrink(x: Tensor[S, D, Dev, T], lambd: float = 0.5) -> Tensor[S, D, Dev, T]:
    """x where |x| > lambd, 0 elsewhere (torch's F.hardshrink)."""
    data = _float("hardshrink", x)
    xp = x._device.xp
    mask = (data > lambd) | (data < -lambd)
    return _masked_grad(x, xp.where(mask, data, 0).astype(data.dtype), mask)


def softshrink(x: Tensor[S, D, Dev, T], lambd: float = 0.5) -> Tensor[S, D, Dev, T]:
    """x - lambd above lambd, x + lambd below -lambd, 0 between (torch's F.softshrink)."""
    if lambd < 0:
        raise ValueError(f"softshrink: lambd must be >= 0, got {lambd}")
    data = _float("softshrink", x)
    xp = x._device.xp
    up, down = data > lambd, data < -lambd
    out = xp.where(up, data - lambd, xp.where(down, data + lambd, 0)).astype(data.dtype)
    return _masked_grad(x, out, up | down)


def tanhshrink(x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
    """x - tanh(x) (torch's F.tanhshrink); the gradient is tanh(x)**2."""
    data = _float("tanhshrink", x)
    t = x._device.xp.tanh(data)
    result: Tn = unary(x, rank0(data - t), lambda g, needs: (g * (t * t),))
    return result


def threshold(x: Tensor[S, D, Dev, T], threshold: float, value: float) -> Tensor[S, D, Dev, T]:
    """x where x > threshold, `value` elsewhere (torch's F.threshold)."""
    data = _float("threshold", x)
    xp = x._device.xp
    mask = data > threshold
    return _masked_grad(x, xp.where(mask, data, value).astype(data.dtype), mask)


def rrelu(
    x: Tensor[S, D, Dev, T],
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    *,
    rng: Any = None,
) -> Tensor[S, D, Dev, T]:
    """Randomized leaky ReLU (torch's F.rrelu): negative values times a slope drawn from
    U(lower, upper) per element in training, times (lower + upper) / 2 in eval."""
    data = _float("rrelu", x)
    if lower > upper:
        raise ValueError(f"rrelu: lower {lower} is greater than upper {upper}")
    xp = x._device.xp
    if training:
        source = x._device.rng if rng is None else rng
        sample = "float64" if data.dtype.name == "float64" else "float32"
        slopes = source.random(data.shape, dtype=sample) * (upper - lower) + lower
        noise = xp.where(data > 0, 1, slopes).astype(data.dtype)  # torch: x <= 0 draws
    else:
        noise = xp.where(data > 0, 1, (lower + upper) / 2).astype(data.dtype)
    result: Tn = unary(x, rank0(data * noise), lambda g, needs: (g * noise,))
    return result


def softmax2d(x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
    """softmax over the channels (axis -3) of (N, C, H, W) or (C, H, W): nn.Softmax2d."""
    shapes_nn.softmax2d(x._data.shape)
    return softmax(x, -3)
