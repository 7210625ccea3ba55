"""Neural-network ops, each one fused record with its closed-form VJP beside the forward.

softmax, log_softmax, dropout, layer_norm, batch_norm, embedding and
scaled_dot_product_attention, with torch.nn.functional's semantics and numpy's `axis`.
"""

from __future__ import annotations

import math
from typing import Any

from typing_extensions import TypeVar, TypeVarTuple

from shaped import shapes
from shaped.errors import DtypeError, ShapeError
from shaped.ops.core import Array, check_same, nary, sum_to, unary
from shaped.tensor import Tensor

__all__ = [
    "batch_norm",
    "dropout",
    "embedding",
    "layer_norm",
    "log_softmax",
    "scaled_dot_product_attention",
    "softmax",
]

S = TypeVar("S", bound=tuple[Any, ...])
D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")
E = TypeVar("E")
L = TypeVar("L")
B = TypeVarTuple("B")
VB = TypeVarTuple("VB")

Tn = Tensor[Any, Any, Any, Any]
Param = Tensor[Any, D, Dev, Any]


def _need_float(op: str, x: Tn) -> None:
    if x._data.dtype.kind != "f":
        raise DtypeError(
            f"{op}: needs a float tensor, got {x.dtype.__name__}; convert with .to(sh.Float32)"
        )


# ---------------------------------------------------------------- softmax family


def _softmax_axis(op: str, data: Array, axis: int) -> tuple[Array, int]:
    """The data and the axis to reduce; a rank-0 tensor is one class (axis -1 or 0, as torch)."""
    if data.ndim == 0:
        shapes.normalize_axis(op, axis, 1)
        return data.reshape(1), 0
    return data, shapes.normalize_axis(op, axis, data.ndim)


def _log_softmax(xp: Any, data: Array, axis: int) -> Array:
    """x - logsumexp(x): the max is subtracted first, so +-1000 stays finite."""
    if data.size == 0:
        return data.copy()
    top = data.max(axis=axis, keepdims=True)
    top = xp.where(xp.isfinite(top), top, 0)  # rows of -inf stay -inf instead of nan
    shifted = data - top
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(x: Tensor[S, D, Dev, T], axis: int = -1) -> Tensor[S, D, Dev, T]:
    """exp(x) / sum(exp(x)) along `axis`; the VJP is y * (g - sum(g * y))."""
    _need_float("softmax", x)
    xp = x._device.xp
    data, ax = _softmax_axis("softmax", x._data, axis)
    out = xp.exp(_log_softmax(xp, data, ax)).reshape(x._data.shape)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        g2, y = g.reshape(data.shape), out.reshape(data.shape)
        return ((y * (g2 - (g2 * y).sum(axis=ax, keepdims=True))).reshape(out.shape),)

    result: Tn = unary(x, out, vjp)
    return result


def log_softmax(x: Tensor[S, D, Dev, T], axis: int = -1) -> Tensor[S, D, Dev, T]:
    """x - logsumexp(x) along `axis`; the VJP is g - softmax * sum(g)."""
    _need_float("log_softmax", x)
    xp = x._device.xp
    data, ax = _softmax_axis("log_softmax", x._data, axis)
    out = _log_softmax(xp, data, ax).reshape(x._data.shape)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        g2, y = g.reshape(data.shape), out.reshape(data.shape)
        return ((g2 - xp.exp(y) * g2.sum(axis=ax, keepdims=True)).reshape(out.shape),)

    result: Tn = unary(x, out, vjp)
    return result


# ---------------------------------------------------------------- dropout


def dropout(
    x: Tensor[S, D, Dev, T], p: float = 0.5, training: bool = True, *, rng: Any = None
) -> Tensor[S, D, Dev, T]:
    """Inverted dropout: zero each value with probability p and scale the rest by 1/(1-p).

    The identity (the same tensor) when not training or p == 0. The mask is drawn from
    `rng` when given (a numpy or cupy Generator), else from the tensor's device RNG.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be in [0, 1], got {p}")
    _need_float("dropout", x)
    if not training or p == 0.0:
        return x
    data = x._data
    xp = x._device.xp
    if p == 1.0:
        mask = xp.zeros_like(data)
    else:
        source = x._device.rng if rng is None else rng
        sample = "float64" if data.dtype == xp.float64 else "float32"
        keep = source.random(data.shape, dtype=sample) >= p
        mask = keep.astype(data.dtype) * data.dtype.type(1.0 / (1.0 - p))
    result: Tn = unary(x, xp.asarray(data * mask), lambda g, needs: (g * mask,))  # rank 0: 0-d
    return result


# ---------------------------------------------------------------- normalization


def layer_norm(
    x: Tensor[S, D, Dev, T],
    weight: Param[D, Dev] | None,
    bias: Param[D, Dev] | None,
    eps: float = 1e-5,
    *,
    normalized_shape: tuple[int, ...] | None = None,
) -> Tensor[S, D, Dev, T]:
    """Normalize over the trailing axes that `weight` (or `bias`) covers, then scale and shift.

    With neither, `normalized_shape` names the axes (default: the last axis).
    """
    op = "layer_norm"
    _need_float(op, x)
    params = [t for t in (weight, bias) if t is not None]
    check_same(op, (x, *params), weights=True)
    data = x._data
    if params:
        norm_shape = tuple(params[0]._data.shape)
        if weight is not None and bias is not None and bias._data.shape != weight._data.shape:
            raise ShapeError(
                f"{op}: weight {shapes.fmt(weight._data.shape)} and bias "
                f"{shapes.fmt(bias._data.shape)} must have the same shape"
            )
    else:
        norm_shape = normalized_shape if normalized_shape is not None else tuple(data.shape[-1:])
    shapes.normalized(op, data.shape, norm_shape)
    axes = tuple(range(data.ndim - len(norm_shape), data.ndim))
    lead = tuple(range(data.ndim - len(norm_shape)))
    xp = x._device.xp
    count = math.prod(norm_shape)
    mean = data.mean(axis=axes, keepdims=True)
    centered = data - mean
    var = (centered * centered).mean(axis=axes, keepdims=True)
    rstd = 1.0 / xp.sqrt(var + eps)
    xhat = centered * rstd
    w = None if weight is None else weight._data
    out = xhat if w is None else xhat * w
    if bias is not None:
        out = out + bias._data

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        grads: list[Array | None] = [None]
        if needs[0]:
            dxhat = g if w is None else g * w
            if count:
                mean_d = dxhat.mean(axis=axes, keepdims=True)
                mean_dx = (dxhat * xhat).mean(axis=axes, keepdims=True)
                grads[0] = rstd * (dxhat - mean_d - xhat * mean_dx)
            else:
                grads[0] = xp.zeros_like(data)
        if weight is not None:
            grads.append((g * xhat).sum(axis=lead) if needs[len(grads)] else None)
        if bias is not None:
            grads.append(g.sum(axis=lead) if needs[len(grads)] else None)
        return tuple(grads)

    result: Tn = nary((x, *params), out, vjp)
    return result


def batch_norm(
    x: Tensor[S, D, Dev, T],
    running_mean: Param[D, Dev] | None,
    running_var: Param[D, Dev] | None,
    weight: Param[D, Dev] | None = None,
    bias: Param[D, Dev] | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor[S, D, Dev, T]:
    """torch.nn.functional.batch_norm: x (N, C, ...) normalized per channel (axis 1).

    Training uses the batch statistics and updates the running statistics in place (the
    variance with the unbiased estimate), tape or no tape; eval uses the running ones.
    """
    op = "batch_norm"
    _need_float(op, x)
    stats = [t for t in (running_mean, running_var, weight, bias) if t is not None]
    check_same(op, (x, *stats), weights=True)
    data = x._data
    declared = stats[0]._data.shape[0] if stats and stats[0]._data.ndim == 1 else None
    shapes.batch_norm(data.shape, declared)
    channels = data.shape[1]
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if t is not None and t._data.shape != (channels,):
            raise ShapeError(
                f"{op}: {name} must be ({channels},) for input {shapes.fmt(data.shape)}, "
                f"got {shapes.fmt(t._data.shape)}"
            )
    if not training and (running_mean is None or running_var is None):
        raise ValueError(f"{op}: running_mean and running_var are needed in eval mode")
    xp = x._device.xp
    n = data.shape[0]
    # (N, C, M): the per-channel sums run over contiguous rows
    x3 = data.reshape(n, channels, math.prod(data.shape[2:]))
    count = data.size // channels if channels else 0
    if training:
        if count <= 1:
            raise ShapeError(
                f"{op}: expected more than 1 value per channel when training, got input "
                f"{shapes.fmt(data.shape)}"
            )
        mean = _channel_sum(xp, x3) / count
        centered = x3 - mean[:, None]
        var = _channel_sum(xp, centered, centered) / count
        # running statistics are state, not part of the graph: update their arrays in place
        if running_mean is not None:
            running_mean._data *= 1.0 - momentum
            running_mean._data += momentum * mean
        if running_var is not None:
            running_var._data *= 1.0 - momentum
            running_var._data += (momentum * count / (count - 1)) * var
    else:
        assert running_mean is not None and running_var is not None
        centered = x3 - running_mean._data[:, None]
        var = running_var._data
    rstd = 1.0 / xp.sqrt(var + eps)
    # out = centered * (weight * rstd) + bias: xhat = centered * rstd is never made
    scale = rstd if weight is None else weight._data * rstd
    out = centered * scale[:, None]
    if bias is not None:
        out += bias._data[:, None]
    params = [t for t in (weight, bias) if t is not None]

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        g3 = g.reshape(centered.shape)
        want_w = weight is not None and needs[1]
        want_b = bias is not None and needs[len(params)]
        stats = needs[0] and training  # the input gradient through the batch statistics
        # sum(g * xhat) and sum(g) per channel: the weight's and bias's gradients
        gw = _channel_sum(xp, g3, centered) * rstd if want_w or stats else None
        gb = _channel_sum(xp, g3) if want_b or stats else None
        grads: list[Array | None] = [None]
        if needs[0]:
            dx = g3 * scale[:, None]
            if stats:  # minus the means of dxhat and of dxhat * xhat, times rstd
                assert gw is not None and gb is not None
                dx -= centered * (scale * rstd * gw / count)[:, None]
                dx -= (scale * gb / count)[:, None]
            grads[0] = dx.reshape(data.shape)
        if weight is not None:
            grads.append(gw if want_w else None)
        if bias is not None:
            grads.append(gb if want_b else None)
        return tuple(grads)

    result: Tn = nary((x, *params), out.reshape(data.shape), vjp)
    return result


def _channel_sum(xp: Any, a: Array, b: Array | None = None) -> Array:
    """Per-channel sum of a (N, C, M), or of a * b without the product's array: one einsum
    over the contiguous rows (float16 accumulates in float32), then the N partial sums."""
    wide = {"dtype": xp.float32} if a.dtype.itemsize < 4 else {}
    rows = xp.einsum("ncm->nc", a, **wide) if b is None else xp.einsum("ncm,ncm->nc", a, b, **wide)
    return rows.sum(axis=0).astype(a.dtype, copy=False)


# ---------------------------------------------------------------- embedding


def _scatter_add(xp: Any, target: Array, rows: Array, values: Array) -> None:
    """target[rows] += values with repeated rows accumulating."""
    if hasattr(xp.add, "at"):
        xp.add.at(target, rows, values)
    else:  # older cupy
        import cupyx

        cupyx.scatter_add(target, rows, values)


def embedding(
    indices: Tensor[tuple[*B], Any, Dev, T], weight: Tensor[tuple[Any, E], D, Dev, Any]
) -> Tensor[tuple[*B, E], D, Dev, T]:
    """weight[indices]: integer indices of any shape into a (num_embeddings, dim) table.

    The gradient scatter-adds into the rows of weight; repeated indices accumulate.
    """
    op = "embedding"
    if indices._data.dtype.kind not in "iu":
        raise DtypeError(f"{op}: indices must be integers (sh.Int64), got {indices.dtype.__name__}")
    if indices._device is not weight._device:
        check_same(op, (indices, weight))
    idx, table = indices._data, weight._data
    shapes.embedding(idx.shape, table.shape)
    size = table.shape[0]
    if idx.size:
        bad = (idx < 0) | (idx >= size)
        if bad.any():
            first = int(idx[bad].ravel()[0])
            raise ShapeError(
                f"{op}: index {first} is out of range for an embedding table of size {size} "
                f"(valid indices are 0..{size - 1})"
            )
    xp = weight._device.xp
    out = table[idx]

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, Array | None]:
        if not needs[1]:
            return None, None
        grad = xp.zeros_like(table)
        _scatter_add(xp, grad, idx.reshape(-1), g.reshape(-1, table.shape[1]))
        return None, grad

    result: Tn = nary((indices, weight), out, vjp)
    return result


# ---------------------------------------------------------------- attention


def scaled_dot_product_attention(
    q: Tensor[tuple[*B, L, Any], D, Dev, T],
    k: Tensor[Any, D, Dev, Any],
    v: Tensor[tuple[*VB, E], D, Dev, Any],
    mask: Tensor[Any, Any, Dev, Any] | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
    *,
    attn_mask: Tensor[Any, Any, Dev, Any] | None = None,
) -> Tensor[tuple[*B, L, E], D, Dev, T]:
    """softmax(q @ k^T * scale + mask) @ v, one record, as torch's F.scaled_dot_product_attention.

    q (*B, L, E), k (*B, S, E), v (*B, S, Ev); batch dims broadcast. The mask (`mask` or
    torch's `attn_mask`) broadcasts to (*B, L, S): Bool with True where a query may attend
    (torch's convention for this function), or a float mask added to the scores (a traced one
    gets its gradient). `is_causal` lets query i attend to keys 0..i; `scale` defaults to
    1/sqrt(E); `dropout_p` drops attention weights from the device's RNG (pass 0.0 in eval, as
    torch code does); `enable_gqa` shares each k/v head among a group of q heads (axis -3).
    A query that may attend to nothing gets zeros (as torch).
    """
    op = "scaled_dot_product_attention"
    if mask is not None and attn_mask is not None:
        raise TypeError(f"{op}: give mask or attn_mask, not both (they are the same argument)")
    mask = attn_mask if mask is None else mask
    if not 0.0 <= dropout_p < 1.0:
        raise ValueError(f"{op}: dropout_p must be in [0, 1), got {dropout_p}")
    _need_float(op, q)
    check_same(op, (q, k, v))
    qd, kd, vd = q._data, k._data, v._data
    md = None
    additive = False
    if mask is not None:
        kind = mask._data.dtype.kind
        if kind == "f":
            check_same(op, (q, mask))
            additive = True
        elif kind != "b":
            raise DtypeError(
                f"{op}: mask must be Bool (True = may attend) or a float mask added to the "
                f"scores, got {mask.dtype.__name__}"
            )
        if mask._device is not q._device:
            check_same(op, (q, mask))
        md = mask._data
    if is_causal and md is not None:
        raise ValueError(f"{op}: give is_causal=True or a mask, not both (as torch)")
    shapes.attention(qd.shape, kd.shape, vd.shape, None if md is None else md.shape, enable_gqa)
    xp = q._device.xp
    groups = 1
    if enable_gqa and kd.shape[-3] != qd.shape[-3]:
        groups = qd.shape[-3] // kd.shape[-3]
        kd, vd = xp.repeat(kd, groups, axis=-3), xp.repeat(vd, groups, axis=-3)
    if scale is None:
        scale = 1.0 / math.sqrt(qd.shape[-1]) if qd.shape[-1] else 1.0
    if is_causal:
        md = xp.tril(xp.ones((qd.shape[-2], kd.shape[-2]), dtype=bool))
    kt = kd.swapaxes(-1, -2)
    scores = (qd @ kt) * scale
    if md is not None:
        scores = scores + md if additive else xp.where(md, scores, -xp.inf)
    if scores.size and scores.shape[-1]:
        top = scores.max(axis=-1, keepdims=True)
        top = xp.where(xp.isfinite(top), top, 0)
        weights = xp.exp(scores - top)
        total = weights.sum(axis=-1, keepdims=True)
        weights /= xp.where(total > 0, total, 1)  # fully masked rows stay 0
    else:
        weights = xp.zeros_like(scores)
    kept = weights
    if dropout_p > 0.0:
        sample = "float64" if weights.dtype == xp.float64 else "float32"
        keep = q._device.rng.random(weights.shape, dtype=sample) >= dropout_p
        kept = weights * (keep.astype(weights.dtype) / weights.dtype.type(1.0 - dropout_p))
    out = kept @ vd
    k_shape, v_shape = k._data.shape, v._data.shape

    def ungroup(g: Array, shape: tuple[int, ...]) -> Array:
        # the q heads of one group share a k/v head: their gradients add up
        if groups > 1:
            g = g.reshape((*g.shape[:-3], g.shape[-3] // groups, groups, *g.shape[-2:]))
            g = g.sum(axis=-3)
        return sum_to(g, shape)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        gv = ungroup(kept.swapaxes(-1, -2) @ g, v_shape) if needs[2] else None
        if not any(needs[:2]) and not (additive and len(needs) > 3 and needs[3]):
            return (None, None, gv, None)[: len(needs)]
        dkept = g @ vd.swapaxes(-1, -2)
        dweights = dkept if kept is weights else dkept * (kept / xp.where(weights, weights, 1))
        dscores = weights * (dweights - (dweights * weights).sum(axis=-1, keepdims=True))
        gmask = sum_to(dscores, md.shape) if additive and md is not None else None
        dscores = dscores * scale
        gq = sum_to(dscores @ kd, qd.shape) if needs[0] else None
        gk = ungroup(dscores.swapaxes(-1, -2) @ qd, k_shape) if needs[1] else None
        return (gq, gk, gv, gmask)[: len(needs)]

    inputs = (q, k, v, mask) if additive and mask is not None else (q, k, v)
    result: Tn = nary(inputs, out, vjp)
    return result
